/*
 * html.h - draws a finished report (aggregate.h) as one self-contained HTML page.
 *
 * The page has inline CSS and inline SVG only: no script, no web font, no image or link to
 * fetch, so it opens offline, from a mail attachment or a file share, and prints. Its size is
 * bounded by the number of periods, languages and parties and by the top sources shown, never
 * by the number of articles: 200,000 articles make the same page as 2,000 over the same weeks.
 *
 * What a reader finds, top to bottom: the model that produced the numbers (or "model
 * unknown"), totals, outlook share per period (stacked 100% bars with counts and a legend, a
 * table with every count under it), the same per language and per source (small multiples
 * for a few groups, a table with sparklines for many: the top sources by volume first), per
 * party the share of favor / against among the articles that mention it, and per period the
 * most confident optimistic and pessimistic article with its evidence sentence and link.
 * Periods without articles are gaps on a time axis, never interpolated.
 *
 * For tests and scrapers, each main-chart bar is an SVG <g class="bar"> with data-period,
 * data-n and data-<label> attributes, and each total a <dd data-total="NAME">.
 */
#ifndef STANCE_REPORT_HTML_H
#define STANCE_REPORT_HTML_H

#include "aggregate.h"

#include <stdio.h>

typedef struct report_html_options {
    const char *title;         /* page title; NULL: "Stance report" */
    const char *const *inputs; /* names of the result files read, shown in the header */
    size_t ninputs;
    size_t max_sources;         /* sources listed before "N more" (0: 25) */
    size_t max_example_periods; /* latest periods with examples (0: 26) */
} report_html_options;

/* Writes the page for a finished report to out. model may be NULL or not known ("model
 * unknown"). Returns 0, or STANCE_ERR_IO when writing failed (err set). */
int report_write_html(FILE *out, const report *r, const report_model *model,
                      const report_html_options *opt, stance_error *err);

#endif
