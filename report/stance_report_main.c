/*
 * stance_report_main.c - `stance-report`: stance-predict results -> one HTML page (or JSON).
 *
 * Reads the result files line by line (memory stays flat: only counters are kept, see
 * aggregate.h), then writes the page to a temporary file next to --out and renames it, so a
 * reader never opens half a report.
 */
#include "aggregate.h"
#include "html.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: stance-report RESULTS.jsonl... [-] --out report.html [options]\n"
    "\n"
    "Reads what stance-predict wrote (JSONL, one result per line; '-' is standard input)\n"
    "and writes one self-contained HTML page (inline CSS and SVG, nothing fetched): outlook\n"
    "share per period, per language and per source, each party's favor/against share, the\n"
    "most confident articles per period with their evidence, and the totals.\n"
    "\n"
    "Options:\n"
    "  -o, --out FILE        the page (or JSON) to write; '-' for standard output (required)\n"
    "  --by day|week|month   period length (default week; weeks are ISO 8601, Monday first)\n"
    "  --group lang|source   show only this breakdown (default: both)\n"
    "  --from DATE           only articles dated DATE or later (YYYY-MM-DD)\n"
    "  --to DATE             only articles dated DATE or earlier (inclusive)\n"
    "  --model NAME.model    name the bundle that produced the results, with its training\n"
    "                        date and cross-validated metrics (read from manifest.json)\n"
    "  --json                write the same aggregates as JSON instead of HTML\n"
    "  --title TEXT          page title (default \"Stance report\")\n"
    "  --top N               sources listed before the rest are summed (default 25)\n"
    "  -q, --quiet           no summary line on standard error\n"
    "  -h, --help            this text\n"
    "\n"
    "Dates are ISO 8601 (2025-11-25, 2025-11-25T14:03:00Z); any other date counts as undated.\n"
    "Error records are counted, not plotted.\n"
    "Exit status: 0 ok, 2 usage, 3 no readable record in a non-empty input, 4 model error,\n"
    "5 I/O error, 6 out of memory.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("stance-report: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(stance-report --help for usage)\n", stderr);
    return STANCE_ERR_USAGE;
}

static int read_input(report *r, const char *path, stance_error *err)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in)
        return stance_error_set(err, STANCE_ERR_IO, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, in)) >= 0)
        if ((rc = report_add_line(r, line, (size_t)n, err)) != 0)
            break;
    if (!rc && ferror(in))
        rc = stance_error_set(err, STANCE_ERR_IO, "%s: read error", path);
    free(line);
    if (in != stdin)
        fclose(in);
    return rc;
}

int main(int argc, char **argv)
{
    report_options opt = {.by = REPORT_BY_WEEK, .groups = REPORT_GROUP_BOTH};
    const char *out_path = NULL, *model_path = NULL, *title = NULL;
    int json = 0, quiet = 0;
    long top = 0;
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    size_t ninputs = 0;
    if (!inputs)
        return STANCE_ERR_NOMEM;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            free(inputs);
            return 0;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "-") == 0 || a[0] != '-') {
            inputs[ninputs++] = a;
        } else if (!has_value) {
            free(inputs);
            return usage_error("%s needs a value", a);
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0) {
            out_path = argv[++i];
        } else if (strcmp(a, "--model") == 0) {
            model_path = argv[++i];
        } else if (strcmp(a, "--title") == 0) {
            title = argv[++i];
        } else if (strcmp(a, "--by") == 0) {
            if (report_by_parse(argv[++i], &opt.by)) {
                free(inputs);
                return usage_error("--by must be day, week or month, not '%s'", argv[i]);
            }
        } else if (strcmp(a, "--group") == 0) {
            const char *g = argv[++i];
            if (strcmp(g, "lang") == 0 || strcmp(g, "language") == 0)
                opt.groups = REPORT_GROUP_LANG;
            else if (strcmp(g, "source") == 0)
                opt.groups = REPORT_GROUP_SOURCE;
            else {
                free(inputs);
                return usage_error("--group must be lang or source, not '%s'", g);
            }
        } else if (strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0) {
            long day;
            if (report_parse_date(argv[++i], &day)) {
                free(inputs);
                return usage_error("not an ISO 8601 date: '%s'", argv[i]);
            }
            if (a[2] == 'f') {
                opt.has_from = 1;
                opt.from_day = day;
            } else {
                opt.has_to = 1;
                opt.to_day = day;
            }
        } else if (strcmp(a, "--top") == 0) {
            char *end;
            top = strtol(argv[++i], &end, 10);
            if (*end || top < 1) {
                free(inputs);
                return usage_error("--top needs a positive number, not '%s'", argv[i]);
            }
        } else {
            free(inputs);
            return usage_error("unknown option %s", a);
        }
    }
    if (!out_path) {
        free(inputs);
        return usage_error("%s", "--out FILE is required");
    }
    if (ninputs == 0) {
        free(inputs);
        return usage_error("%s", "no results to read (give files, or '-' for standard input)");
    }
    if (opt.has_from && opt.has_to && opt.from_day > opt.to_day) {
        free(inputs);
        return usage_error("%s", "--from is after --to");
    }

    stance_error err;
    stance_error_clear(&err);
    report_model model;
    memset(&model, 0, sizeof model);
    if (model_path && report_model_read(model_path, &model, &err)) {
        fprintf(stderr, "stance-report: %s\n", err.message);
        free(inputs);
        return err.code;
    }

    report *r = report_new(&opt, &err);
    if (!r) {
        fprintf(stderr, "stance-report: %s\n", err.message);
        free(inputs);
        return err.code;
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < ninputs; i++)
        rc = read_input(r, inputs[i], &err);
    if (!rc)
        rc = report_finish(r, &err);
    if (rc) {
        fprintf(stderr, "stance-report: %s\n", err.message);
        report_free(r);
        free(inputs);
        return rc;
    }

    /* Lines, but not one result: the wrong file was given; a report of nothing would hide it. */
    if (r->totals.records == 0 && r->totals.unreadable > 0) {
        fprintf(stderr, "stance-report: none of the %ld lines is a stance-predict result\n",
                r->totals.unreadable);
        report_free(r);
        free(inputs);
        return STANCE_ERR_DATA;
    }

    /* Write next to the target and rename, so a failed run leaves the old report intact. */
    int to_stdout = strcmp(out_path, "-") == 0;
    char *tmp = NULL;
    FILE *out = stdout;
    if (!to_stdout) {
        size_t n = strlen(out_path) + 32;
        tmp = malloc(n);
        if (!tmp) {
            report_free(r);
            free(inputs);
            return STANCE_ERR_NOMEM;
        }
        snprintf(tmp, n, "%s.tmp%ld", out_path, (long)getpid());
        out = fopen(tmp, "wb");
        if (!out) {
            fprintf(stderr, "stance-report: %s: %s\n", tmp, strerror(errno));
            free(tmp);
            report_free(r);
            free(inputs);
            return STANCE_ERR_IO;
        }
    }
    if (json) {
        cJSON *root = report_to_json(r, &model);
        char *text = root ? cJSON_Print(root) : NULL;
        if (!text) {
            rc = stance_error_set(&err, STANCE_ERR_NOMEM, "out of memory");
        } else {
            fputs(text, out);
            fputc('\n', out);
            if (fflush(out) || ferror(out))
                rc = stance_error_set(&err, STANCE_ERR_IO, "writing %s failed", out_path);
        }
        cJSON_free(text);
        cJSON_Delete(root);
    } else {
        report_html_options ho = {title, inputs, ninputs, (size_t)top, 0};
        rc = report_write_html(out, r, &model, &ho, &err);
    }
    long size = to_stdout ? -1 : ftell(out);
    if (!to_stdout) {
        if (fclose(out) && !rc)
            rc = stance_error_set(&err, STANCE_ERR_IO, "writing %s failed", out_path);
        if (!rc && rename(tmp, out_path))
            rc = stance_error_set(&err, STANCE_ERR_IO, "%s: %s", out_path, strerror(errno));
        if (rc)
            unlink(tmp);
        free(tmp);
    }
    if (rc) {
        fprintf(stderr, "stance-report: %s\n", err.message);
    } else if (!quiet) {
        const report_totals *t = &r->totals;
        fprintf(stderr, "stance-report: %ld records (%ld scored, %ld errors, %ld undated",
                t->records, t->scored, t->errors, t->undated);
        if (t->unreadable)
            fprintf(stderr, ", %ld unreadable lines", t->unreadable);
        if (opt.has_from || opt.has_to)
            fprintf(stderr, ", %ld outside the dates", t->out_of_range);
        fprintf(stderr, "), %zu %ss", r->nperiods, report_by_name(opt.by));
        if (size >= 0)
            fprintf(stderr, " -> %s (%ld bytes)", out_path, size);
        fputc('\n', stderr);
    }
    report_free(r);
    free(inputs);
    return rc;
}
