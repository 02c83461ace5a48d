/*
 * aggregate.h - turns stance-predict result lines into the numbers a report shows.
 *
 * Feed every JSONL line of one or more result files to report_add_line(), then call
 * report_finish() once; the report struct then holds, read-only:
 *   - totals (records, scored, error records, unreadable lines, undated, outside --from/--to),
 *   - the outlook counts per period (day, ISO week or month), only periods that have articles,
 *     sorted by time; a gap between two periods' keys is a period without articles,
 *   - the same per language and per source (sorted by volume, largest first),
 *   - per party: how many articles mention it and how many of those are favor / against / none,
 *     overall and per period,
 *   - per period the most confident optimistic and pessimistic article with its evidence.
 * The library never prints: html.h draws a report, report_to_json() gives it to notebooks.
 *
 * Dates: a record's "date" is accepted in ISO 8601 calendar form, "2025-11-25" alone or
 * followed by a time ("2025-11-25T14:03:00Z", "...T14:03+02:00", "...T14:03:00.5"). The
 * calendar date is taken as written (the outlet's own day), not shifted to UTC. Anything else
 * (missing, "25.11.2025", "2025-02-30") counts as undated: in the totals and per-group totals,
 * never in a period. With --from/--to an undated record cannot be shown to lie inside the
 * range, so it is left out of the charts too (it is still counted as undated).
 *
 * Error records ({"error":{...}}) are counted, never plotted. Lines that are not a JSON object
 * are counted as unreadable and skipped. Memory grows with the number of distinct periods,
 * languages, sources and parties, not with the number of records.
 */
#ifndef STANCE_REPORT_AGGREGATE_H
#define STANCE_REPORT_AGGREGATE_H

#include "error.h"

#include <stddef.h>

/* ---- dates and periods ------------------------------------------------------------------ */

typedef enum report_by { REPORT_BY_DAY, REPORT_BY_WEEK, REPORT_BY_MONTH } report_by;

/* Parses an ISO 8601 date or date-time (see above). Returns 0 and sets *day (days since
 * 1970-01-01, negative before) on success, -1 when s is not such a date. */
int report_parse_date(const char *s, long *day);

/* Days since 1970-01-01 <-> proleptic Gregorian calendar date. */
long report_days_from_civil(int y, int m, int d);
void report_civil_from_days(long day, int *y, int *m, int *d);

/* ISO 8601 week of a day: weeks start on Monday and belong to the year of their Thursday, so
 * 2021-01-03 is in 2020-W53 and 2024-12-30 in 2025-W01. */
void report_iso_week(long day, int *iso_year, int *iso_week);

/* The period a day falls in, as an ordered key: the day itself, the Monday of its ISO week,
 * or year*12 + month-1. */
long report_period_key(report_by by, long day);
/* Number of periods from key a to key b (b - a in periods; 0 when equal). */
long report_period_distance(report_by by, long a, long b);
/* The key n periods after key (n may be negative). */
long report_period_add(report_by by, long key, long n);
/* "2025-11-25", "2025-W48" or "2025-11" into buf (at least 16 bytes). */
void report_period_label(report_by by, long key, char *buf, size_t size);

/* Parses "day", "week" or "month"; -1 when none of them. */
int report_by_parse(const char *s, report_by *by);
const char *report_by_name(report_by by);

/* ---- labels ---------------------------------------------------------------------------- */

/* Outlook classes in the order the report stacks and lists them (optimistic on top). A label
 * a model might add beyond the three is counted as "other" rather than dropped. */
enum {
    REPORT_OPTIMISTIC,
    REPORT_NEUTRAL,
    REPORT_PESSIMISTIC,
    REPORT_OUTLOOK_OTHER,
    REPORT_NOUTLOOK
};
/* Party stance classes. */
enum { REPORT_FAVOR, REPORT_AGAINST, REPORT_NONE, REPORT_NSTANCE };

extern const char *const report_outlook_names[REPORT_NOUTLOOK];
extern const char *const report_stance_names[REPORT_NSTANCE];

/* ---- the aggregates -------------------------------------------------------------------- */

/* Which breakdowns to compute: both by default, or only one (--group lang|source). */
enum { REPORT_GROUP_LANG = 1, REPORT_GROUP_SOURCE = 2, REPORT_GROUP_BOTH = 3 };

typedef struct report_options {
    report_by by;
    int groups;            /* REPORT_GROUP_* */
    int has_from, has_to;  /* --from / --to given */
    long from_day, to_day; /* inclusive, days since 1970-01-01 */
} report_options;

/* One article picked as an example; id == NULL when the period has none. Strings are owned. */
typedef struct report_example {
    char *id, *title, *url, *source, *date, *lang;
    char *evidence; /* the outlook evidence sentence of that label, or NULL */
    double confidence;
} report_example;

typedef struct report_period {
    long key;                      /* report_period_key() */
    char label[16];                /* report_period_label() */
    long n;                        /* scored, dated records in this period */
    long outlook[REPORT_NOUTLOOK]; /* by outlook label; records without outlook: none */
    report_example best[2];        /* [0] most confident optimistic, [1] pessimistic */
} report_period;

/* Counts of one group (a language or a source) in one period. */
typedef struct report_cell {
    size_t period; /* index into report.periods */
    long n;
    long counts[REPORT_NOUTLOOK]; /* outlook counts (groups) or stance counts (parties) */
} report_cell;

typedef struct report_group {
    char *name; /* "(none)" for records without the field */
    long n;     /* scored records, dated or not */
    long outlook[REPORT_NOUTLOOK];
    report_cell *cells; /* dated records per period, sorted by period; sparse */
    size_t ncells;
} report_group;

typedef struct report_party {
    char *name;
    long n; /* articles that mention the party (have a stance entry) */
    long stance[REPORT_NSTANCE];
    report_cell *cells; /* per period, counts[] indexed by REPORT_FAVOR.. */
    size_t ncells;
} report_party;

typedef struct report_totals {
    long lines;        /* non-blank lines read */
    long records;      /* lines that are JSON objects */
    long scored;       /* records without an error object, inside the date range */
    long errors;       /* error records */
    long unreadable;   /* lines that are not JSON objects */
    long undated;      /* records (not errors) whose date is missing or not ISO 8601 */
    long out_of_range; /* dated records outside --from/--to */
    long dated;        /* scored records placed in a period */
} report_totals;

typedef struct report {
    report_options opt;
    report_totals totals;
    long outlook[REPORT_NOUTLOOK]; /* every scored record, dated or not */
    report_period *periods;        /* non-empty periods, by key */
    size_t nperiods;
    report_group *langs, *sources; /* by n descending, then name */
    size_t nlangs, nsources;
    report_party *parties; /* by n descending, then name */
    size_t nparties;
    struct report_state *state; /* accumulation state; NULL after report_finish */
} report;

/* A new, empty report. NULL on out of memory (err set). */
report *report_new(const report_options *opt, stance_error *err);
void report_free(report *r);

/* Adds one line of stance-predict output (without or with its trailing newline). Blank lines
 * are ignored; a line that is not a JSON object is counted as unreadable. Returns 0, or
 * STANCE_ERR_NOMEM / STANCE_ERR_USAGE (after report_finish). */
int report_add_line(report *r, const char *line, size_t len, stance_error *err);

/* Sorts and fills the read-only views above. Call once, after the last line. */
int report_finish(report *r, stance_error *err);

/* Index of the period with key `key`, or -1. */
long report_find_period(const report *r, long key);

/* ---- the model that produced the results ---------------------------------------------- */

typedef struct report_task_metrics {
    char name[64];
    long examples, folds;
    double accuracy, macro_f1, ece; /* negative when the manifest lacks them */
} report_task_metrics;

typedef struct report_model {
    int known; /* 0: "model unknown" */
    char name[128], trained_at[64], created_by[64];
    report_task_metrics tasks[8];
    size_t ntasks;
} report_model;

/* Reads NAME.model/manifest.json (path of the bundle directory or of the manifest itself). */
int report_model_read(const char *path, report_model *m, stance_error *err);

/* ---- JSON for notebooks ---------------------------------------------------------------- */

/* The same aggregates as a cJSON tree (caller deletes with cJSON_Delete); NULL on no memory.
 * model may be NULL. The void * avoids forcing cJSON.h on every includer of this header. */
void *report_to_json(const report *r, const report_model *model);

#endif
