/*
 * aggregate.c - periods, ISO weeks, grouping and accumulation for stance-report.
 *
 * Accumulation keeps, per line, only counters: the period, language, source and party of a
 * record are looked up in string maps (binary 8- or 16-byte keys for periods and cells) and
 * their counts incremented, so 200,000 records cost the same memory as 2,000 from the same
 * outlets and weeks. report_finish() then sorts periods by time and groups by volume and hands
 * each group its own sorted list of per-period cells.
 */
#include "aggregate.h"
#include "strmap.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const report_outlook_names[REPORT_NOUTLOOK] = {"optimistic", "neutral", "pessimistic",
                                                           "other"};
const char *const report_stance_names[REPORT_NSTANCE] = {"favor", "against", "none"};

/* ---- dates ----------------------------------------------------------------------------- */

/* Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian
 * calendar with no tables and no time zone (mktime would bring the local zone in). */
long report_days_from_civil(int y, int m, int d)
{
    long yy = y - (m <= 2);
    long era = (yy >= 0 ? yy : yy - 399) / 400;
    long yoe = yy - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void report_civil_from_days(long day, int *y, int *m, int *d)
{
    long z = day + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long dd = doy - (153 * mp + 2) / 5 + 1;
    long mm = mp + (mp < 10 ? 3 : -9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* Reads exactly n digits at *p into *v and advances; -1 if any is not a digit. */
static int digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return 0;
}

/* hh:mm[:ss[.fff]][Z|(+|-)hh[:mm]|(+|-)hhmm] up to the end of the string. */
static int parse_time(const char *p)
{
    int hh, mm, ss;
    if (digits(&p, 2, &hh) || *p++ != ':' || digits(&p, 2, &mm) || hh > 24 || mm > 59)
        return -1;
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &ss) || ss > 60)
            return -1;
        if (*p == '.' || *p == ',') {
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0' ? 0 : -1;
    if (*p == '+' || *p == '-') {
        p++;
        int oh, om;
        if (digits(&p, 2, &oh) || oh > 23)
            return -1;
        if (*p == ':')
            p++;
        if (*p && (digits(&p, 2, &om) || om > 59))
            return -1;
    }
    return *p == '\0' ? 0 : -1;
}

int report_parse_date(const char *s, long *day)
{
    if (!s)
        return -1;
    const char *p = s;
    int y, m, d;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &m) || *p++ != '-' || digits(&p, 2, &d))
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    /* RFC 3339 allows a space (or lower-case t) instead of 'T'; feeds write all three. */
    if (*p == 'T' || *p == 't' || *p == ' ') {
        if (parse_time(p + 1))
            return -1;
    } else if (*p != '\0') {
        return -1;
    }
    *day = report_days_from_civil(y, m, d);
    return 0;
}

static long floor_mod(long a, long b)
{
    long r = a % b;
    return r < 0 ? r + b : r;
}

/* 1970-01-01 was a Thursday (ISO weekday 4): Monday = 0 here. */
static long weekday_from_monday(long day)
{
    return floor_mod(day + 3, 7);
}

void report_iso_week(long day, int *iso_year, int *iso_week)
{
    long thursday = day - weekday_from_monday(day) + 3;
    int y, m, d;
    report_civil_from_days(thursday, &y, &m, &d);
    *iso_year = y;
    *iso_week = (int)((thursday - report_days_from_civil(y, 1, 1)) / 7 + 1);
}

long report_period_key(report_by by, long day)
{
    int y, m, d;
    switch (by) {
    case REPORT_BY_WEEK:
        return day - weekday_from_monday(day);
    case REPORT_BY_MONTH:
        report_civil_from_days(day, &y, &m, &d);
        return (long)y * 12 + (m - 1);
    default:
        return day;
    }
}

long report_period_distance(report_by by, long a, long b)
{
    return by == REPORT_BY_WEEK ? (b - a) / 7 : b - a;
}

long report_period_add(report_by by, long key, long n)
{
    return by == REPORT_BY_WEEK ? key + 7 * n : key + n;
}

void report_period_label(report_by by, long key, char *buf, size_t size)
{
    int y, m, d;
    switch (by) {
    case REPORT_BY_WEEK:
        report_iso_week(key, &y, &m);
        snprintf(buf, size, "%04d-W%02d", y, m);
        break;
    case REPORT_BY_MONTH:
        snprintf(buf, size, "%04ld-%02ld", key / 12, key % 12 + 1);
        break;
    default:
        report_civil_from_days(key, &y, &m, &d);
        snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
    }
}

int report_by_parse(const char *s, report_by *by)
{
    static const char *const names[] = {"day", "week", "month"};
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *by = (report_by)i;
            return 0;
        }
    return -1;
}

const char *report_by_name(report_by by)
{
    return by == REPORT_BY_WEEK ? "week" : by == REPORT_BY_MONTH ? "month" : "day";
}

/* ---- accumulation ---------------------------------------------------------------------- */

enum { KIND_LANG, KIND_SOURCE, KIND_PARTY };

/* A (kind, group, period) counter while reading; distributed to the groups at the end. */
typedef struct acc_cell {
    int kind;
    size_t group, period;
    long n, counts[REPORT_NOUTLOOK];
} acc_cell;

struct report_state {
    strmap *period_index; /* 8-byte period key -> index into r->periods */
    strmap *group_index[3];
    strmap *cell_index; /* 24-byte (kind, group, period) -> index into cells */
    size_t periods_cap, group_cap[3];
    acc_cell *cells;
    size_t ncells, cells_cap;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return -1;
    memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
    *p = q;
    *cap = n;
    return 0;
}

report *report_new(const report_options *opt, stance_error *err)
{
    report *r = calloc(1, sizeof *r);
    struct report_state *s = calloc(1, sizeof *s);
    if (!r || !s)
        goto nomem;
    r->state = s;
    r->opt = *opt;
    if (!r->opt.groups)
        r->opt.groups = REPORT_GROUP_BOTH;
    s->period_index = strmap_new(64);
    s->cell_index = strmap_new(256);
    for (int k = 0; k < 3; k++)
        s->group_index[k] = strmap_new(32);
    if (!s->period_index || !s->cell_index || !s->group_index[0] || !s->group_index[1] ||
        !s->group_index[2])
        goto nomem;
    return r;
nomem:
    if (!r || !r->state)
        free(s);
    report_free(r);
    stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    return NULL;
}

static void free_example(report_example *e)
{
    free(e->id);
    free(e->title);
    free(e->url);
    free(e->source);
    free(e->date);
    free(e->lang);
    free(e->evidence);
    memset(e, 0, sizeof *e);
}

static void free_groups(report_group *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(g[i].name);
        free(g[i].cells);
    }
    free(g);
}

void report_free(report *r)
{
    if (!r)
        return;
    struct report_state *s = r->state;
    if (s) {
        strmap_free(s->period_index);
        strmap_free(s->cell_index);
        for (int k = 0; k < 3; k++)
            strmap_free(s->group_index[k]);
        free(s->cells);
        free(s);
    }
    for (size_t i = 0; i < r->nperiods; i++) {
        free_example(&r->periods[i].best[0]);
        free_example(&r->periods[i].best[1]);
    }
    free(r->periods);
    free_groups(r->langs, r->nlangs);
    free_groups(r->sources, r->nsources);
    for (size_t i = 0; i < r->nparties; i++) {
        free(r->parties[i].name);
        free(r->parties[i].cells);
    }
    free(r->parties);
    free(r);
}

static const char *str_member(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static double num_member(const cJSON *o, const char *name, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static int outlook_index(const char *label)
{
    for (int i = 0; i < REPORT_OUTLOOK_OTHER; i++)
        if (strcmp(label, report_outlook_names[i]) == 0)
            return i;
    return REPORT_OUTLOOK_OTHER;
}

static int stance_index(const char *label)
{
    for (int i = 0; i < REPORT_NSTANCE; i++)
        if (strcmp(label, report_stance_names[i]) == 0)
            return i;
    return REPORT_NONE; /* an unknown label says neither favor nor against */
}

/* Index of a period (created empty when new), or -1 on out of memory. */
static long period_slot(report *r, long key)
{
    struct report_state *s = r->state;
    int inserted = 0;
    int64_t *v = strmap_upsert(s->period_index, (const char *)&key, sizeof key,
                               (int64_t)r->nperiods, &inserted);
    if (!v)
        return -1;
    if (inserted) {
        if (grow((void **)&r->periods, &s->periods_cap, r->nperiods + 1, sizeof *r->periods))
            return -1;
        report_period *p = &r->periods[r->nperiods++];
        memset(p, 0, sizeof *p);
        p->key = key;
        report_period_label(r->opt.by, key, p->label, sizeof p->label);
    }
    return (long)*v;
}

/* Index of a language, source or party by name, or -1 on out of memory. The three share
 * layouts enough that parties are stored as groups while reading (see report_finish). */
static long group_slot(report *r, int kind, const char *name)
{
    struct report_state *s = r->state;
    size_t *count = kind == KIND_LANG     ? &r->nlangs
                    : kind == KIND_SOURCE ? &r->nsources
                                          : &r->nparties;
    int inserted = 0;
    int64_t *v =
        strmap_upsert(s->group_index[kind], name, strlen(name), (int64_t)*count, &inserted);
    if (!v)
        return -1;
    if (inserted) {
        char *copy = strdup(name);
        if (!copy)
            return -1;
        if (kind == KIND_PARTY) {
            if (grow((void **)&r->parties, &s->group_cap[kind], *count + 1, sizeof *r->parties)) {
                free(copy);
                return -1;
            }
            r->parties[*count].name = copy;
        } else {
            report_group **g = kind == KIND_LANG ? &r->langs : &r->sources;
            if (grow((void **)g, &s->group_cap[kind], *count + 1, sizeof **g)) {
                free(copy);
                return -1;
            }
            (*g)[*count].name = copy;
        }
        (*count)++;
    }
    return (long)*v;
}

static acc_cell *cell_slot(report *r, int kind, size_t group, size_t period)
{
    struct report_state *s = r->state;
    uint64_t key[3] = {(uint64_t)kind, (uint64_t)group, (uint64_t)period};
    int inserted = 0;
    int64_t *v =
        strmap_upsert(s->cell_index, (const char *)key, sizeof key, (int64_t)s->ncells, &inserted);
    if (!v)
        return NULL;
    if (inserted) {
        if (grow((void **)&s->cells, &s->cells_cap, s->ncells + 1, sizeof *s->cells))
            return NULL;
        acc_cell *c = &s->cells[s->ncells++];
        c->kind = kind;
        c->group = group;
        c->period = period;
    }
    return &s->cells[*v];
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The most confident outlook evidence sentence carrying `label`, or NULL. */
static const char *evidence_for(const cJSON *rec, const char *label)
{
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(rec, "evidence");
    const char *best = NULL;
    double best_conf = -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, ev)
    {
        const char *task = str_member(e, "task"), *l = str_member(e, "label");
        const char *text = str_member(e, "text");
        if (!task || !l || !text || strcmp(task, "outlook") || strcmp(l, label))
            continue;
        double c = num_member(e, "confidence", 0);
        if (c > best_conf) {
            best_conf = c;
            best = text;
        }
    }
    return best;
}

/* Keeps rec as the period's example when it is more confident than the current one (the
 * earlier record wins a tie, so the choice does not depend on anything but input order). */
static int consider_example(report_example *ex, const cJSON *rec, const char *label,
                            double confidence)
{
    if (ex->id && !(confidence > ex->confidence))
        return 0;
    report_example e = {0};
    const char *id = str_member(rec, "id");
    e.id = strdup(id ? id : "");
    e.title = dup_or_null(str_member(rec, "title"));
    e.url = dup_or_null(str_member(rec, "url"));
    e.source = dup_or_null(str_member(rec, "source"));
    e.date = dup_or_null(str_member(rec, "date"));
    e.lang = dup_or_null(str_member(rec, "lang"));
    e.evidence = dup_or_null(evidence_for(rec, label));
    e.confidence = confidence;
    if (!e.id) {
        free_example(&e);
        return -1;
    }
    free_example(ex);
    *ex = e;
    return 0;
}

static int add_group(report *r, int kind, const char *name, long period, int outlook)
{
    long g = group_slot(r, kind, name && *name ? name : "(none)");
    if (g < 0)
        return -1;
    report_group *grp = kind == KIND_LANG ? &r->langs[g] : &r->sources[g];
    grp->n++;
    if (outlook >= 0)
        grp->outlook[outlook]++;
    if (period >= 0) {
        acc_cell *c = cell_slot(r, kind, (size_t)g, (size_t)period);
        if (!c)
            return -1;
        c->n++;
        if (outlook >= 0)
            c->counts[outlook]++;
    }
    return 0;
}

static int add_record(report *r, const cJSON *rec)
{
    report_totals *t = &r->totals;
    if (cJSON_GetObjectItemCaseSensitive(rec, "error")) {
        t->errors++;
        return 0;
    }
    long day = 0;
    int dated = report_parse_date(str_member(rec, "date"), &day) == 0;
    if (!dated)
        t->undated++;
    if (dated &&
        ((r->opt.has_from && day < r->opt.from_day) || (r->opt.has_to && day > r->opt.to_day))) {
        t->out_of_range++;
        return 0;
    }
    if (!dated && (r->opt.has_from || r->opt.has_to))
        return 0;
    t->scored++;

    int outlook = -1;
    double confidence = 0;
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "outlook");
    const char *label = str_member(o, "label");
    if (label) {
        outlook = outlook_index(label);
        confidence = num_member(o, "confidence", 0);
        r->outlook[outlook]++;
    }

    long period = -1;
    if (dated) {
        t->dated++;
        period = period_slot(r, report_period_key(r->opt.by, day));
        if (period < 0)
            return -1;
        report_period *p = &r->periods[period];
        p->n++;
        if (outlook >= 0)
            p->outlook[outlook]++;
        if (outlook == REPORT_OPTIMISTIC || outlook == REPORT_PESSIMISTIC) {
            int which = outlook == REPORT_PESSIMISTIC;
            if (consider_example(&p->best[which], rec, label, confidence))
                return -1;
        }
    }
    if ((r->opt.groups & REPORT_GROUP_LANG) &&
        add_group(r, KIND_LANG, str_member(rec, "lang"), period, outlook))
        return -1;
    if ((r->opt.groups & REPORT_GROUP_SOURCE) &&
        add_group(r, KIND_SOURCE, str_member(rec, "source"), period, outlook))
        return -1;

    const cJSON *st = cJSON_GetObjectItemCaseSensitive(rec, "stance"), *e;
    cJSON_ArrayForEach(e, st)
    {
        const char *target = str_member(e, "target"), *l = str_member(e, "label");
        if (!target || !l)
            continue;
        long g = group_slot(r, KIND_PARTY, target);
        if (g < 0)
            return -1;
        int k = stance_index(l);
        r->parties[g].n++;
        r->parties[g].stance[k]++;
        if (period >= 0) {
            acc_cell *c = cell_slot(r, KIND_PARTY, (size_t)g, (size_t)period);
            if (!c)
                return -1;
            c->n++;
            c->counts[k]++;
        }
    }
    return 0;
}

int report_add_line(report *r, const char *line, size_t len, stance_error *err)
{
    if (!r->state)
        return stance_error_set(err, STANCE_ERR_USAGE, "report_add_line after report_finish");
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
        i++;
    if (i == len)
        return 0;
    r->totals.lines++;
    cJSON *rec = cJSON_ParseWithLength(line, len);
    if (!cJSON_IsObject(rec)) {
        r->totals.unreadable++;
        cJSON_Delete(rec);
        return 0;
    }
    r->totals.records++;
    int rc = add_record(r, rec);
    cJSON_Delete(rec);
    if (rc)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    return 0;
}

/* ---- finishing ------------------------------------------------------------------------- */

/* qsort with a NULL base is undefined even for zero elements (UBSan says so). */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static int cmp_period(const void *a, const void *b)
{
    long x = ((const report_period *)a)->key, y = ((const report_period *)b)->key;
    return (x > y) - (x < y);
}

static int cmp_cell(const void *a, const void *b)
{
    size_t x = ((const report_cell *)a)->period, y = ((const report_cell *)b)->period;
    return (x > y) - (x < y);
}

static int cmp_group(const void *a, const void *b)
{
    const report_group *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->name, y->name);
}

static int cmp_party(const void *a, const void *b)
{
    const report_party *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->name, y->name);
}

int report_finish(report *r, stance_error *err)
{
    struct report_state *s = r->state;
    if (!s)
        return stance_error_set(err, STANCE_ERR_USAGE, "report_finish called twice");
    int rc = 0;
    /* Periods by time; cells still hold the old (insertion) indices, so remap them. */
    size_t *remap = malloc((r->nperiods ? r->nperiods : 1) * sizeof *remap);
    if (!remap)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    sort(r->periods, r->nperiods, sizeof *r->periods, cmp_period);
    for (size_t i = 0; i < r->nperiods; i++) {
        long old = (long)strmap_get(s->period_index, (const char *)&r->periods[i].key,
                                    sizeof r->periods[i].key);
        remap[old] = i;
    }
    /* Count each group's cells, allocate, fill. */
    for (size_t i = 0; i < s->ncells && !rc; i++) {
        acc_cell *c = &s->cells[i];
        size_t *nc = c->kind == KIND_LANG     ? &r->langs[c->group].ncells
                     : c->kind == KIND_SOURCE ? &r->sources[c->group].ncells
                                              : &r->parties[c->group].ncells;
        (*nc)++;
    }
    for (int kind = 0; kind < 3 && !rc; kind++) {
        size_t n = kind == KIND_LANG ? r->nlangs : kind == KIND_SOURCE ? r->nsources : r->nparties;
        for (size_t g = 0; g < n; g++) {
            size_t *nc = kind == KIND_LANG     ? &r->langs[g].ncells
                         : kind == KIND_SOURCE ? &r->sources[g].ncells
                                               : &r->parties[g].ncells;
            report_cell **cells = kind == KIND_LANG     ? &r->langs[g].cells
                                  : kind == KIND_SOURCE ? &r->sources[g].cells
                                                        : &r->parties[g].cells;
            *cells = calloc(*nc ? *nc : 1, sizeof **cells);
            if (!*cells) {
                rc = -1;
                break;
            }
            *nc = 0; /* refilled below */
        }
    }
    for (size_t i = 0; i < s->ncells && !rc; i++) {
        acc_cell *c = &s->cells[i];
        report_cell *dst;
        if (c->kind == KIND_LANG)
            dst = &r->langs[c->group].cells[r->langs[c->group].ncells++];
        else if (c->kind == KIND_SOURCE)
            dst = &r->sources[c->group].cells[r->sources[c->group].ncells++];
        else
            dst = &r->parties[c->group].cells[r->parties[c->group].ncells++];
        dst->period = remap[c->period];
        dst->n = c->n;
        memcpy(dst->counts, c->counts, sizeof dst->counts);
    }
    free(remap);
    if (rc)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    for (size_t g = 0; g < r->nlangs; g++)
        sort(r->langs[g].cells, r->langs[g].ncells, sizeof(report_cell), cmp_cell);
    for (size_t g = 0; g < r->nsources; g++)
        sort(r->sources[g].cells, r->sources[g].ncells, sizeof(report_cell), cmp_cell);
    for (size_t g = 0; g < r->nparties; g++)
        sort(r->parties[g].cells, r->parties[g].ncells, sizeof(report_cell), cmp_cell);
    sort(r->langs, r->nlangs, sizeof *r->langs, cmp_group);
    sort(r->sources, r->nsources, sizeof *r->sources, cmp_group);
    sort(r->parties, r->nparties, sizeof *r->parties, cmp_party);

    strmap_free(s->period_index);
    strmap_free(s->cell_index);
    for (int k = 0; k < 3; k++)
        strmap_free(s->group_index[k]);
    free(s->cells);
    free(s);
    r->state = NULL;
    return 0;
}

long report_find_period(const report *r, long key)
{
    size_t lo = 0, hi = r->nperiods;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->periods[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->nperiods && r->periods[lo].key == key ? (long)lo : -1;
}

/* ---- the model ------------------------------------------------------------------------- */

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

int report_model_read(const char *path, report_model *m, stance_error *err)
{
    memset(m, 0, sizeof *m);
    char file[4096];
    size_t n = strlen(path);
    if (n >= 14 && strcmp(path + n - 13, "manifest.json") == 0)
        snprintf(file, sizeof file, "%s", path);
    else
        snprintf(file, sizeof file, "%s/manifest.json", path);
    FILE *f = fopen(file, "rb");
    if (!f)
        return stance_error_set(err, STANCE_ERR_MODEL, "%s: %s", file, strerror(errno));
    /* A manifest is a few hundred kilobytes at most; refuse anything absurd. */
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0 || len < cap)
            break;
        if (cap >= (64u << 20)) {
            free(buf);
            fclose(f);
            return stance_error_set(err, STANCE_ERR_MODEL, "%s: too large", file);
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int read_error = ferror(f);
    fclose(f);
    if (!buf)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    if (read_error) {
        free(buf);
        return stance_error_set(err, STANCE_ERR_IO, "%s: read error", file);
    }
    cJSON *root = cJSON_ParseWithLength(buf, len);
    free(buf);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return stance_error_set(err, STANCE_ERR_MODEL, "%s: not a JSON object", file);
    }
    const char *name = str_member(root, "name");
    if (!name) {
        cJSON_Delete(root);
        return stance_error_set(err, STANCE_ERR_MODEL, "%s: no \"name\"", file);
    }
    copy_str(m->name, sizeof m->name, name);
    copy_str(m->trained_at, sizeof m->trained_at, str_member(root, "trained_at"));
    copy_str(m->created_by, sizeof m->created_by, str_member(root, "created_by"));
    const cJSON *task;
    cJSON_ArrayForEach(task, cJSON_GetObjectItemCaseSensitive(root, "tasks"))
    {
        if (m->ntasks == sizeof m->tasks / sizeof m->tasks[0])
            break;
        report_task_metrics *t = &m->tasks[m->ntasks++];
        copy_str(t->name, sizeof t->name, str_member(task, "name"));
        const cJSON *cv = cJSON_GetObjectItemCaseSensitive(task, "cross_validation");
        t->examples = (long)num_member(cv, "examples", -1);
        t->folds = (long)num_member(cv, "folds", -1);
        t->accuracy = num_member(cv, "accuracy", -1);
        t->macro_f1 = num_member(cv, "macro_f1", -1);
        t->ece = num_member(cv, "ece", -1);
    }
    cJSON_Delete(root);
    m->known = 1;
    return 0;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static cJSON *counts_json(const long *counts, const char *const *names, int n)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; o && i < n; i++)
        if (!cJSON_AddNumberToObject(o, names[i], (double)counts[i])) {
            cJSON_Delete(o);
            return NULL;
        }
    return o;
}

static cJSON *example_json(const report_example *e)
{
    if (!e->id)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    const char *names[] = {"id", "title", "url", "source", "date", "lang", "evidence"};
    const char *vals[] = {e->id, e->title, e->url, e->source, e->date, e->lang, e->evidence};
    for (int i = 0; i < 7; i++)
        if (vals[i])
            cJSON_AddStringToObject(o, names[i], vals[i]);
    cJSON_AddNumberToObject(o, "confidence", e->confidence);
    return o;
}

static cJSON *cells_json(const report *r, const report_cell *cells, size_t n, int party)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) {
        cJSON *c = cJSON_CreateObject();
        if (!c)
            break;
        cJSON_AddItemToArray(a, c);
        cJSON_AddStringToObject(c, "period", r->periods[cells[i].period].label);
        cJSON_AddNumberToObject(c, "n", (double)cells[i].n);
        if (party)
            cJSON_AddItemToObject(
                c, "stance", counts_json(cells[i].counts, report_stance_names, REPORT_NSTANCE));
        else
            cJSON_AddItemToObject(
                c, "outlook", counts_json(cells[i].counts, report_outlook_names, REPORT_NOUTLOOK));
    }
    return a;
}

static cJSON *groups_json(const report *r, const report_group *g, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddItemToArray(a, o);
        cJSON_AddStringToObject(o, "name", g[i].name);
        cJSON_AddNumberToObject(o, "n", (double)g[i].n);
        cJSON_AddItemToObject(o, "outlook",
                              counts_json(g[i].outlook, report_outlook_names, REPORT_NOUTLOOK));
        cJSON_AddItemToObject(o, "periods", cells_json(r, g[i].cells, g[i].ncells, 0));
    }
    return a;
}

void *report_to_json(const report *r, const report_model *model)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "by", report_by_name(r->opt.by));
    char buf[32];
    if (r->opt.has_from) {
        report_period_label(REPORT_BY_DAY, r->opt.from_day, buf, sizeof buf);
        cJSON_AddStringToObject(root, "from", buf);
    }
    if (r->opt.has_to) {
        report_period_label(REPORT_BY_DAY, r->opt.to_day, buf, sizeof buf);
        cJSON_AddStringToObject(root, "to", buf);
    }

    cJSON *t = cJSON_AddObjectToObject(root, "totals");
    if (t) {
        const report_totals *x = &r->totals;
        cJSON_AddNumberToObject(t, "lines", (double)x->lines);
        cJSON_AddNumberToObject(t, "records", (double)x->records);
        cJSON_AddNumberToObject(t, "scored", (double)x->scored);
        cJSON_AddNumberToObject(t, "errors", (double)x->errors);
        cJSON_AddNumberToObject(t, "unreadable", (double)x->unreadable);
        cJSON_AddNumberToObject(t, "undated", (double)x->undated);
        cJSON_AddNumberToObject(t, "out_of_range", (double)x->out_of_range);
        cJSON_AddNumberToObject(t, "dated", (double)x->dated);
        cJSON_AddNumberToObject(t, "languages", (double)r->nlangs);
        cJSON_AddNumberToObject(t, "sources", (double)r->nsources);
        cJSON_AddNumberToObject(t, "periods", (double)r->nperiods);
    }
    cJSON_AddItemToObject(root, "outlook",
                          counts_json(r->outlook, report_outlook_names, REPORT_NOUTLOOK));

    cJSON *periods = cJSON_AddArrayToObject(root, "periods");
    for (size_t i = 0; periods && i < r->nperiods; i++) {
        const report_period *p = &r->periods[i];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddItemToArray(periods, o);
        cJSON_AddStringToObject(o, "period", p->label);
        long first = r->opt.by == REPORT_BY_MONTH
                         ? report_days_from_civil((int)(p->key / 12), (int)(p->key % 12 + 1), 1)
                         : p->key;
        report_period_label(REPORT_BY_DAY, first, buf, sizeof buf);
        cJSON_AddStringToObject(o, "start", buf);
        cJSON_AddNumberToObject(o, "n", (double)p->n);
        cJSON_AddItemToObject(o, "outlook",
                              counts_json(p->outlook, report_outlook_names, REPORT_NOUTLOOK));
        cJSON *ex = cJSON_AddObjectToObject(o, "examples");
        if (ex) {
            cJSON_AddItemToObject(ex, "optimistic", example_json(&p->best[0]));
            cJSON_AddItemToObject(ex, "pessimistic", example_json(&p->best[1]));
        }
    }
    if (r->opt.groups & REPORT_GROUP_LANG)
        cJSON_AddItemToObject(root, "languages", groups_json(r, r->langs, r->nlangs));
    if (r->opt.groups & REPORT_GROUP_SOURCE)
        cJSON_AddItemToObject(root, "sources", groups_json(r, r->sources, r->nsources));

    cJSON *parties = cJSON_AddArrayToObject(root, "parties");
    for (size_t i = 0; parties && i < r->nparties; i++) {
        const report_party *p = &r->parties[i];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddItemToArray(parties, o);
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddNumberToObject(o, "n", (double)p->n);
        cJSON_AddItemToObject(o, "stance",
                              counts_json(p->stance, report_stance_names, REPORT_NSTANCE));
        cJSON_AddItemToObject(o, "periods", cells_json(r, p->cells, p->ncells, 1));
    }

    if (model && model->known) {
        cJSON *m = cJSON_AddObjectToObject(root, "model");
        if (m) {
            cJSON_AddStringToObject(m, "name", model->name);
            cJSON_AddStringToObject(m, "trained_at", model->trained_at);
            cJSON_AddStringToObject(m, "created_by", model->created_by);
            cJSON *tasks = cJSON_AddArrayToObject(m, "tasks");
            for (size_t i = 0; tasks && i < model->ntasks; i++) {
                const report_task_metrics *k = &model->tasks[i];
                cJSON *o = cJSON_CreateObject();
                if (!o)
                    break;
                cJSON_AddItemToArray(tasks, o);
                cJSON_AddStringToObject(o, "name", k->name);
                if (k->examples >= 0)
                    cJSON_AddNumberToObject(o, "examples", (double)k->examples);
                if (k->folds >= 0)
                    cJSON_AddNumberToObject(o, "folds", (double)k->folds);
                if (k->accuracy >= 0)
                    cJSON_AddNumberToObject(o, "accuracy", k->accuracy);
                if (k->macro_f1 >= 0)
                    cJSON_AddNumberToObject(o, "macro_f1", k->macro_f1);
                if (k->ece >= 0)
                    cJSON_AddNumberToObject(o, "ece", k->ece);
            }
        }
    } else {
        cJSON_AddNullToObject(root, "model");
    }
    return root;
}
