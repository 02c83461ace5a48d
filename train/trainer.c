#include "trainer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "linear_io.h"
#include "metrics.h"
#include "reader.h"
#include "strmap.h"

#define MAX_WARNINGS 20
#define MAX_LABELS 1000

static const double default_grid[] = {0.1, 0.3, 1.0, 3.0, 10.0, 30.0};

/* Sets err and returns STANCE_ERR_NOMEM, for the allocation failures after which the code goes
 * on under `if (!rc)`. The status is the literal, not stance_error_set's return value, so that
 * it is visible in this file that rc is non-zero there: the static analyzer cannot see into the
 * variadic stance_error_set and would otherwise follow the code on as if rc were 0. */
static int nomem(stance_error *err, const char *msg)
{
    stance_error_set(err, STANCE_ERR_NOMEM, "%s", msg);
    return STANCE_ERR_NOMEM;
}

/* The status after a callee failed and filled err (or could not, err being NULL): never 0, so
 * that a failure cannot pass for success, here or in the analyzer's view of it. */
static int failure_code(const stance_error *err, int fallback)
{
    return err && err->code ? err->code : fallback;
}

void trainer_options_default(trainer_options *o)
{
    memset(o, 0, sizeof *o);
    features_config_default(&o->features);
    o->folds = 5;
    o->c = 0;
    o->solver = "L2R_LR";
    o->balanced = 1;
    o->bias = 1;
    o->seed = 1;
    o->aggregation_threshold = 0.06;
    o->aggregation_scale = 10.0;
}

void trainer_report_clear(trainer_report *r)
{
    for (size_t i = 0; i < r->nwarnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

static void warn(trainer_report *r, const char *fmt, const char *a, long line, const char *b)
{
    if (r->nwarnings >= MAX_WARNINGS)
        return;
    char **n = realloc(r->warnings, (r->nwarnings + 1) * sizeof *n);
    if (!n)
        return;
    r->warnings = n;
    char buf[600];
    snprintf(buf, sizeof buf, fmt, a, line, b);
    r->warnings[r->nwarnings] = strdup(buf);
    if (r->warnings[r->nwarnings])
        r->nwarnings++;
}

/* ---- the data in memory ------------------------------------------------------------------- */

typedef struct row {
    char *text;
    size_t len;
    char *lang;
    uint32_t group;
} row;

typedef struct example {
    uint32_t row;
    int target;    /* index into task->targets, -1 = none */
    int label;     /* provisional id while reading, final label index after sorting */
    uint32_t *ids; /* term ids (vocab_builder) */
    uint32_t nids;
} example;

typedef struct task_data {
    const trainer_task_spec *spec;
    const char *label_column;
    strmap *label_ids;
    char **labels;
    size_t nlabels;
    strmap *target_ids;
    char **targets;
    size_t ntargets;
    example *ex;
    size_t n, cap;
} task_data;

typedef struct dataset {
    row *rows;
    size_t nrows, cap;
    strmap *groups;
    task_data *tasks;
    size_t ntasks;
} dataset;

static void dataset_free(dataset *d)
{
    for (size_t i = 0; i < d->nrows; i++) {
        free(d->rows[i].text);
        free(d->rows[i].lang);
    }
    free(d->rows);
    strmap_free(d->groups);
    for (size_t t = 0; t < d->ntasks; t++) {
        task_data *td = &d->tasks[t];
        strmap_free(td->label_ids);
        strmap_free(td->target_ids);
        for (size_t i = 0; i < td->nlabels; i++)
            free(td->labels[i]);
        free(td->labels);
        for (size_t i = 0; i < td->ntargets; i++)
            free(td->targets[i]);
        free(td->targets);
        for (size_t i = 0; i < td->n; i++)
            free(td->ex[i].ids);
        free(td->ex);
    }
    free(d->tasks);
}

/* Interns s into map/names; returns its id or -1 when out of memory. */
static int intern(strmap *map, char ***names, size_t *n, const char *s)
{
    int inserted = 0;
    int64_t *v = strmap_upsert(map, s, strlen(s), (int64_t)*n, &inserted);
    if (!v)
        return -1;
    if (inserted) {
        char **nn = realloc(*names, (*n + 1) * sizeof *nn);
        if (!nn)
            return -1;
        *names = nn;
        if (!(nn[*n] = strdup(s)))
            return -1;
        (*n)++;
    }
    return (int)*v;
}

static char *trimmed_dup(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return strndup(s, n);
}

static int add_example(task_data *td, uint32_t r, const char *target, const char *label)
{
    char *lab = trimmed_dup(label);
    if (!lab)
        return -1;
    int lid = intern(td->label_ids, &td->labels, &td->nlabels, lab);
    free(lab);
    int tid = -1;
    if (lid >= 0 && target) {
        char *tg = trimmed_dup(target);
        if (!tg)
            return -1;
        tid = intern(td->target_ids, &td->targets, &td->ntargets, tg);
        free(tg);
        if (tid < 0)
            return -1;
    }
    if (lid < 0 || td->nlabels > MAX_LABELS)
        return -1;
    if (td->n == td->cap) {
        size_t ncap = td->cap ? td->cap * 2 : 1024;
        example *n = realloc(td->ex, ncap * sizeof *n);
        if (!n)
            return -1;
        td->ex = n;
        td->cap = ncap;
    }
    td->ex[td->n++] = (example){r, tid, lid, NULL, 0};
    return 0;
}

static int is_blank(const char *s)
{
    if (!s)
        return 1;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

/* Checks that every column a task needs is in this file's header. */
static int check_columns(const reader *rd, const char *path, const dataset *d, stance_error *err)
{
    const char *const *cols;
    size_t ncols = reader_columns(rd, &cols);
    if (ncols == 0)
        return 0; /* JSONL: members vary per line */
    for (size_t t = 0; t < d->ntasks; t++) {
        const task_data *td = &d->tasks[t];
        const char *need[66];
        size_t nneed = 0;
        if (td->label_column)
            need[nneed++] = td->label_column;
        if (td->spec->target_column)
            need[nneed++] = td->spec->target_column;
        for (size_t i = 0; i < td->spec->ntarget_columns && nneed < 66; i++)
            need[nneed++] = td->spec->target_columns[i];
        for (size_t i = 0; i < nneed; i++) {
            size_t c = 0;
            while (c < ncols && strcmp(cols[c], need[i]) != 0)
                c++;
            if (c == ncols)
                return stance_error_set(err, STANCE_ERR_DATA,
                                        "%s: no column \"%s\" for task \"%s\"", path, need[i],
                                        td->spec->name);
        }
    }
    return 0;
}

static int read_file(const char *path, const trainer_options *opt, dataset *d, trainer_report *rep,
                     stance_error *err)
{
    reader_options ro = {0};
    ro.text_field = opt->text_column;
    ro.id_field = opt->id_column;
    ro.require_text = 1;
    reader *rd = reader_open(path, READER_AUTO, &ro, err);
    if (!rd)
        return failure_code(err, STANCE_ERR_DATA);
    int rc = check_columns(rd, path, d, err);
    const char *const *cols;
    size_t ncols = reader_columns(rd, &cols);
    if (!rc && opt->where_column && ncols > 0) {
        size_t c = 0;
        while (c < ncols && strcmp(cols[c], opt->where_column) != 0)
            c++;
        if (c == ncols)
            rc = stance_error_set(err, STANCE_ERR_DATA, "%s: no column \"%s\" for --where", path,
                                  opt->where_column);
    }
    record rec = {0};
    int got;
    while (!rc && (got = reader_next(rd, &rec, err)) == 1) {
        rep->rows_read++;
        if (rec.error_code) {
            rep->rows_rejected++;
            warn(rep, "%s:%ld: %s", rec.path, rec.line, rec.error);
            continue;
        }
        if (opt->where_column) {
            const char *v = record_get(&rec, opt->where_column);
            if (!v || strcmp(v, opt->where_value) != 0)
                continue;
        }
        if (d->nrows == d->cap) {
            size_t ncap = d->cap ? d->cap * 2 : 1024;
            row *n = realloc(d->rows, ncap * sizeof *n);
            if (!n) {
                rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory reading %s", path);
                break;
            }
            d->rows = n;
            d->cap = ncap;
        }
        uint32_t r = (uint32_t)d->nrows;
        row *rw = &d->rows[r];
        memset(rw, 0, sizeof *rw);
        /* take the text instead of copying it */
        rw->text = rec.text;
        rw->len = rec.text_len;
        rec.text = NULL;
        rec.text_len = 0;
        const char *lang = record_get(&rec, opt->lang_column ? opt->lang_column : "lang");
        if (lang && *lang)
            rw->lang = strdup(lang);
        const char *group = opt->group_column ? record_get(&rec, opt->group_column) : NULL;
        char own[48];
        if (!group || !*group) {
            /* ungrouped rows are their own group; the prefix cannot clash with a value */
            snprintf(own, sizeof own, "\x01%zu", d->nrows);
            group = own;
        }
        int inserted = 0;
        int64_t *g = strmap_upsert(d->groups, group, strlen(group), (int64_t)strmap_size(d->groups),
                                   &inserted);
        if (!g) {
            rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory reading %s", path);
            break;
        }
        rw->group = (uint32_t)*g;
        d->nrows++;
        for (size_t t = 0; t < d->ntasks && !rc; t++) {
            task_data *td = &d->tasks[t];
            const trainer_task_spec *sp = td->spec;
            int bad = 0;
            if (sp->ntarget_columns) {
                for (size_t i = 0; i < sp->ntarget_columns && !bad; i++) {
                    const char *lab = record_get(&rec, sp->target_columns[i]);
                    if (!is_blank(lab))
                        bad = add_example(td, r, sp->target_columns[i], lab);
                }
            } else {
                const char *lab = record_get(&rec, td->label_column);
                const char *tg = sp->target_column ? record_get(&rec, sp->target_column) : NULL;
                if (is_blank(lab))
                    continue;
                if (sp->target_column && is_blank(tg)) {
                    rep->labels_skipped++;
                    warn(rep, "%s:%ld: labelled row has an empty target column \"%s\"", rec.path,
                         rec.line, sp->target_column);
                    continue;
                }
                bad = add_example(td, r, tg, lab);
            }
            if (bad)
                rc = stance_error_set(err, STANCE_ERR_NOMEM,
                                      "out of memory (or over %d labels) reading %s", MAX_LABELS,
                                      path);
        }
    }
    if (!rc && got < 0)
        rc = failure_code(err, STANCE_ERR_IO);
    record_clear(&rec);
    reader_close(rd);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Labels in byte order, so label indexes do not depend on row order. */
static int sort_labels(task_data *td, stance_error *err)
{
    size_t k = td->nlabels;
    char **sorted = malloc(k * sizeof *sorted);
    int *map = malloc(k * sizeof *map);
    if (!sorted || !map) {
        free(sorted);
        free(map);
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    }
    memcpy(sorted, td->labels, k * sizeof *sorted);
    qsort(sorted, k, sizeof *sorted, cmp_str);
    for (size_t old = 0; old < k; old++)
        for (size_t nw = 0; nw < k; nw++)
            if (sorted[nw] == td->labels[old])
                map[old] = (int)nw;
    for (size_t i = 0; i < td->n; i++)
        td->ex[i].label = map[td->ex[i].label];
    free(td->labels);
    td->labels = sorted;
    free(map);
    return 0;
}

/* ---- folds ---------------------------------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

typedef struct group_info {
    uint32_t group;
    uint32_t size;
    uint64_t order;
} group_info;

static int by_size_then_order(const void *pa, const void *pb)
{
    const group_info *a = pa, *b = pb;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* Stratified, grouped folds: groups (largest first, then in a seeded order) go to the fold
 * where they keep every label's share closest to 1/K of that label. */
static int assign_folds(const dataset *d, const task_data *td, int k, unsigned long seed, int *fold,
                        stance_error *err)
{
    size_t ngroups = strmap_size(d->groups), nl = td->nlabels;
    uint32_t *gcount = calloc(ngroups * nl, sizeof *gcount);
    group_info *gi = calloc(ngroups, sizeof *gi);
    double *fcount = calloc((size_t)k * nl, sizeof *fcount);
    double *total = calloc(nl, sizeof *total);
    int *gfold = malloc(ngroups * sizeof *gfold);
    int rc = 0;
    if (!gcount || !gi || !fcount || !total || !gfold) {
        rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory assigning folds");
        goto done;
    }
    for (size_t i = 0; i < td->n; i++) {
        uint32_t g = d->rows[td->ex[i].row].group;
        gcount[(size_t)g * nl + (size_t)td->ex[i].label]++;
        total[td->ex[i].label] += 1;
    }
    size_t used = 0;
    for (uint32_t g = 0; g < ngroups; g++) {
        uint32_t size = 0;
        for (size_t l = 0; l < nl; l++)
            size += gcount[(size_t)g * nl + l];
        if (size)
            gi[used++] = (group_info){g, size, mix64(seed * 0x100000001b3ULL + g)};
    }
    if (used < (size_t)k) {
        rc = stance_error_set(err, STANCE_ERR_DATA,
                              "task \"%s\": %zu groups of examples are too few for %d folds",
                              td->spec->name, used, k);
        goto done;
    }
    qsort(gi, used, sizeof *gi, by_size_then_order);
    for (size_t i = 0; i < used; i++) {
        const uint32_t *c = gcount + (size_t)gi[i].group * nl;
        int best = 0;
        double best_cost = 0;
        for (int f = 0; f < k; f++) {
            double cost = 0;
            for (size_t l = 0; l < nl; l++) {
                double share = (fcount[(size_t)f * nl + l] + c[l]) / total[l];
                cost += share * share;
            }
            if (f == 0 || cost < best_cost) {
                best = f;
                best_cost = cost;
            }
        }
        gfold[gi[i].group] = best;
        for (size_t l = 0; l < nl; l++)
            fcount[(size_t)best * nl + l] += c[l];
    }
    for (size_t i = 0; i < td->n; i++)
        fold[i] = gfold[d->rows[td->ex[i].row].group];
done:
    free(gcount);
    free(gi);
    free(fcount);
    free(total);
    free(gfold);
    return rc;
}

/* ---- LIBLINEAR ------------------------------------------------------------------------------ */

static void quiet(const char *s)
{
    (void)s;
}

static void set_param(struct parameter *p, int solver, double c, const task_data *td,
                      const example *const *train_ex, size_t n, int balanced, double *weights,
                      int *weight_labels)
{
    memset(p, 0, sizeof *p);
    p->solver_type = solver;
    p->C = c;
    p->p = 0.1;
    switch (solver) {
    case L2R_LR:
    case L2R_L2LOSS_SVC:
    case L1R_L2LOSS_SVC:
    case L1R_LR:
        p->eps = 0.01;
        break;
    default:
        p->eps = 0.1;
    }
    if (!balanced)
        return;
    size_t k = td->nlabels;
    for (size_t l = 0; l < k; l++)
        weights[l] = 0;
    for (size_t i = 0; i < n; i++)
        weights[train_ex[i]->label] += 1;
    /* Only the labels this training part has: LIBLINEAR prints "WARNING: class label N
     * specified in weight is not found" straight to stderr for any other (a label seen once is
     * absent from every fold but one). The weights of present labels stay the same. */
    size_t present = 0;
    for (size_t l = 0; l < k; l++) {
        if (weights[l] == 0)
            continue;
        weight_labels[present] = (int)l;
        weights[present] = (double)n / ((double)k * weights[l]);
        present++;
    }
    p->nr_weight = (int)present;
    p->weight_label = weight_labels;
    p->weight = weights;
}

typedef struct problem_buf {
    feature_vec *vecs;
    struct feature_node **x;
    double *y;
    const example **ex;
    size_t cap;
} problem_buf;

static void problem_buf_free(problem_buf *pb)
{
    for (size_t i = 0; i < pb->cap; i++)
        feature_vec_free(&pb->vecs[i]);
    free(pb->vecs);
    free(pb->x);
    free(pb->y);
    free(pb->ex);
}

static int problem_buf_init(problem_buf *pb, size_t n)
{
    memset(pb, 0, sizeof *pb);
    pb->vecs = calloc(n ? n : 1, sizeof *pb->vecs);
    pb->x = calloc(n ? n : 1, sizeof *pb->x);
    pb->y = calloc(n ? n : 1, sizeof *pb->y);
    pb->ex = calloc(n ? n : 1, sizeof *pb->ex);
    pb->cap = n;
    if (pb->vecs && pb->x && pb->y && pb->ex)
        return 0;
    /* the vectors are all empty yet: only the four arrays to give back */
    free(pb->vecs);
    free(pb->x);
    free(pb->y);
    free(pb->ex);
    memset(pb, 0, sizeof *pb);
    return -1;
}

/* ---- one task ---------------------------------------------------------------------------------
 */

static int extract_task(const dataset *d, task_data *td, const trainer_options *opt,
                        const parties *ps, vocab_builder *vb, stance_error *err)
{
    features_extractor *fx = features_extractor_new(&opt->features, ps, err);
    if (!fx)
        return failure_code(err, STANCE_ERR_USAGE);
    term_list tl = {0};
    int rc = 0;
    for (size_t i = 0; i < td->n && !rc; i++) {
        example *e = &td->ex[i];
        const row *rw = &d->rows[e->row];
        const char *tname = e->target >= 0 ? td->targets[e->target] : NULL;
        int party = tname && ps ? parties_find(ps, tname) : -1;
        term_list_clear(&tl);
        rc = features_terms(fx, rw->text, rw->len, rw->lang, party, tname, &tl, err);
        if (rc)
            break;
        e->nids = (uint32_t)tl.count;
        e->ids = malloc((tl.count ? tl.count : 1) * sizeof *e->ids);
        if (!e->ids)
            rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory extracting features");
        else
            rc = vocab_builder_add(vb, &tl, e->ids, err);
        if (opt->progress && (i % 500 == 0 || i + 1 == td->n))
            opt->progress(opt->progress_ctx, td->spec->name, "features", i + 1, td->n);
    }
    term_list_free(&tl);
    features_extractor_free(fx);
    return rc;
}

/* ---- naive-Bayes term weights (--nb-weighting) ------------------------------------------- */

#define NB_ALPHA 1.0  /* add-one smoothing of the per-label document counts */
#define NB_FLOOR 0.01 /* no term is switched off entirely (and vocab.tsv needs weights > 0) */

/* Multiplies the weight of every term of v by its naive-Bayes log-count ratio, counted on the
 * training examples (fold[i] != f; fold NULL = all). For label c, with p_c(t) = alpha + the
 * number of training texts of label c that contain term t and q_c(t) the same over the other
 * labels, r_c(t) = ln((p_c(t) / sum_t p_c) / (q_c(t) / sum_t q_c)) is the one-vs-rest ratio of
 * NBSVM (Wang & Manning 2012) over binarized counts. One LIBLINEAR model sees one feature vector
 * for every class, so a term gets one factor: max over labels of |r_c(t)| (with two labels both
 * are the same |r|), i.e. how strongly the term points to or away from some label; it is floored
 * at NB_FLOOR. The ratios come from the training part only, so cross-validation stays honest. */
static int nb_scale(vocab *v, const int *remap, const task_data *td, const int *fold, int f,
                    stance_error *err)
{
    size_t nv = vocab_size(v), k = td->nlabels, n = td->n;
    uint32_t *cnt = calloc((nv + 1) * k, sizeof *cnt);
    uint32_t *seen = calloc(nv + 1, sizeof *seen);
    double *factor = malloc((nv + 1) * sizeof *factor);
    double *tot = calloc(k, sizeof *tot);
    int rc = 0;
    if (!cnt || !seen || !factor || !tot) {
        rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory for NB weights");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (fold && fold[i] == f)
            continue;
        const example *e = &td->ex[i];
        for (uint32_t j = 0; j < e->nids; j++) {
            int idx = remap[e->ids[j]];
            if (idx > 0 && seen[idx] != (uint32_t)i + 1) {
                seen[idx] = (uint32_t)i + 1;
                cnt[(size_t)idx * k + (size_t)e->label]++;
            }
        }
    }
    double all = 0;
    for (size_t t = 1; t <= nv; t++)
        for (size_t c = 0; c < k; c++) {
            tot[c] += cnt[t * k + c];
            all += cnt[t * k + c];
        }
    factor[0] = 1;
    for (size_t t = 1; t <= nv; t++) {
        double rowsum = 0, best = 0;
        for (size_t c = 0; c < k; c++)
            rowsum += cnt[t * k + c];
        for (size_t c = 0; c < k; c++) {
            double p = (cnt[t * k + c] + NB_ALPHA) / (tot[c] + NB_ALPHA * (double)nv);
            double q =
                (rowsum - cnt[t * k + c] + NB_ALPHA) / (all - tot[c] + NB_ALPHA * (double)nv);
            double r = fabs(log(p / q));
            if (r > best)
                best = r;
        }
        factor[t] = best > NB_FLOOR ? best : NB_FLOOR;
    }
    rc = vocab_scale_weights(v, factor, err);
done:
    free(cnt);
    free(seen);
    free(factor);
    free(tot);
    return rc;
}

/* Held-out logits for every grid point: logits[(g * n + i) * k + label]. */
static int cross_validate(const task_data *td, const vocab_builder *vb, const int *fold, int nfolds,
                          const double *grid, size_t ngrid, int solver, const trainer_options *opt,
                          double *logits, stance_error *err)
{
    size_t n = td->n, k = td->nlabels, nterms = vocab_builder_terms(vb);
    uint32_t *df = malloc((nterms ? nterms : 1) * sizeof *df);
    uint32_t *seen = calloc(nterms ? nterms : 1, sizeof *seen);
    double *weights = malloc(k * sizeof *weights);
    int *wlabels = malloc(k * sizeof *wlabels);
    problem_buf pb;
    feature_vec hv = {0};
    int rc = 0;
    if (!df || !seen || !weights || !wlabels || problem_buf_init(&pb, n) != 0) {
        free(df);
        free(seen);
        free(weights);
        free(wlabels);
        return nomem(err, "out of memory for cross-validation");
    }
    int solver_type = solver;
    for (int f = 0; f < nfolds && !rc; f++) {
        /* The fold's vocabulary sees only its training part: total df minus held-out df. */
        for (size_t t = 0; t < nterms; t++)
            df[t] = vocab_builder_df(vb, (uint32_t)t);
        long held = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] != f)
                continue;
            held++;
            for (uint32_t j = 0; j < td->ex[i].nids; j++) {
                uint32_t id = td->ex[i].ids[j];
                if (seen[id] != (uint32_t)i + 1) {
                    seen[id] = (uint32_t)i + 1;
                    df[id]--;
                }
            }
        }
        int *remap = NULL;
        vocab *v = vocab_builder_finish(vb, df, (long)n - held, opt->features.min_df,
                                        opt->features.max_features, &remap, err);
        if (!v) {
            rc = failure_code(err, STANCE_ERR_DATA);
            break;
        }
        rc = vocab_set_block_norm(v, opt->features.block_norm, opt->features.target_conjoin, err);
        if (!rc && opt->features.nb_weighting)
            rc = nb_scale(v, remap, td, fold, f, err);
        size_t m = 0;
        for (size_t i = 0; i < n && !rc; i++) {
            if (fold[i] == f)
                continue;
            rc = vocab_vectorize_ids(v, remap, td->ex[i].ids, td->ex[i].nids,
                                     opt->features.sublinear_tf, opt->bias, &pb.vecs[m], err);
            pb.x[m] = pb.vecs[m].nodes;
            pb.y[m] = td->ex[i].label;
            pb.ex[m] = &td->ex[i];
            m++;
        }
        struct problem prob = {(int)m, (int)vocab_size(v) + (opt->bias >= 0 ? 1 : 0), pb.y, pb.x,
                               opt->bias};
        for (size_t g = 0; g < ngrid && !rc; g++) {
            struct parameter param;
            set_param(&param, solver_type, grid[g], td, pb.ex, m, opt->balanced, weights, wlabels);
            const char *bad = check_parameter(&prob, &param);
            if (bad) {
                rc = stance_error_set(err, STANCE_ERR_USAGE, "LIBLINEAR: %s", bad);
                break;
            }
            srand((unsigned)opt->seed);
            struct model *model = train(&prob, &param);
            if (!model) {
                rc = stance_error_set(err, STANCE_ERR_NOMEM, "LIBLINEAR training failed");
                break;
            }
            for (size_t i = 0; i < n && !rc; i++) {
                if (fold[i] != f)
                    continue;
                rc = vocab_vectorize_ids(v, remap, td->ex[i].ids, td->ex[i].nids,
                                         opt->features.sublinear_tf, opt->bias, &hv, err);
                if (!rc)
                    classify_logits(model, hv.nodes, k, logits + (g * n + i) * k);
            }
            free_and_destroy_model(&model);
            if (opt->progress)
                opt->progress(opt->progress_ctx, td->spec->name, "cross-validation",
                              (size_t)f * ngrid + g + 1, (size_t)nfolds * ngrid);
        }
        free(remap);
        vocab_free(v);
    }
    feature_vec_free(&hv);
    problem_buf_free(&pb);
    free(df);
    free(seen);
    free(weights);
    free(wlabels);
    return rc;
}

static int argmax(const double *z, size_t k)
{
    size_t b = 0;
    for (size_t i = 1; i < k; i++)
        if (z[i] > z[b])
            b = i;
    return (int)b;
}

/* ---- the cross-validation metric (--cv-metric) ------------------------------------------- */

int trainer_cv_metric_valid(const char *name)
{
    return name && (strcmp(name, "macro_f1") == 0 || strcmp(name, "f_avg") == 0 ||
                    strcmp(name, "f1_pn") == 0 || strcmp(name, "f_avg_targets") == 0);
}

static int label_index(const task_data *td, const char *name)
{
    for (size_t l = 0; l < td->nlabels; l++)
        if (strcmp(td->labels[l], name) == 0)
            return (int)l;
    return -1;
}

/* F1 of one label over the examples of one target (-1: all examples); 0 without a true
 * positive (scikit-learn's zero_division=0). */
static double label_f1(const task_data *td, const int *gold, const int *pred, int label, int target)
{
    long tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < td->n; i++) {
        if (target >= 0 && td->ex[i].target != target)
            continue;
        if (pred[i] == label && gold[i] == label)
            tp++;
        else if (pred[i] == label)
            fp++;
        else if (gold[i] == label)
            fn++;
    }
    return tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
}

/* The two labels a metric averages (f_avg: favor, against; f1_pn: positive, negative).
 * Returns 0, or -1 when the task lacks one of them. */
static int metric_pair(const task_data *td, const char *metric, int pair[2])
{
    int pn = strcmp(metric, "f1_pn") == 0;
    pair[0] = label_index(td, pn ? "positive" : "favor");
    pair[1] = label_index(td, pn ? "negative" : "against");
    return pair[0] >= 0 && pair[1] >= 0 ? 0 : -1;
}

/* F_avg of one target's examples (target -1: all). */
static double target_f_avg(const task_data *td, const int *gold, const int *pred, const int pair[2],
                           int target)
{
    return (label_f1(td, gold, pred, pair[0], target) + label_f1(td, gold, pred, pair[1], target)) /
           2;
}

/* Checks that the task can be scored by metric (its labels, its targets). */
static int cv_metric_check(const task_data *td, const char *metric, stance_error *err)
{
    int pair[2];
    if (!trainer_cv_metric_valid(metric))
        return stance_error_set(err, STANCE_ERR_USAGE,
                                "--cv-metric must be macro_f1, f_avg, f1_pn or f_avg_targets");
    if (strcmp(metric, "macro_f1") == 0)
        return 0;
    if (metric_pair(td, metric, pair) != 0)
        return stance_error_set(
            err, STANCE_ERR_USAGE, "task \"%s\" has no labels %s for --cv-metric %s",
            td->spec->name,
            strcmp(metric, "f1_pn") == 0 ? "positive and negative" : "favor and against", metric);
    if (strcmp(metric, "f_avg_targets") == 0 && td->ntargets == 0)
        return stance_error_set(err, STANCE_ERR_USAGE,
                                "task \"%s\" has no targets for --cv-metric f_avg_targets",
                                td->spec->name);
    return 0;
}

/* The score of the held-out predictions by metric (cv_metric_check passed). */
static double cv_metric_score(const task_data *td, const int *gold, const int *pred,
                              const char *metric)
{
    int pair[2];
    if (strcmp(metric, "macro_f1") == 0) {
        double sum = 0;
        for (size_t l = 0; l < td->nlabels; l++)
            sum += label_f1(td, gold, pred, (int)l, -1);
        return sum / (double)td->nlabels;
    }
    metric_pair(td, metric, pair);
    if (strcmp(metric, "f_avg_targets") != 0)
        return target_f_avg(td, gold, pred, pair, -1);
    double sum = 0;
    size_t used = 0;
    for (size_t t = 0; t < td->ntargets; t++) {
        size_t i = 0;
        while (i < td->n && td->ex[i].target != (int)t)
            i++;
        if (i == td->n)
            continue; /* a target without examples (cannot happen for long-format data) */
        sum += target_f_avg(td, gold, pred, pair, (int)t);
        used++;
    }
    return used ? sum / (double)used : 0;
}

/* Adds the official metrics that the task's labels allow to the cross-validation report:
 * f_avg, f1_pn, and for a task with a few targets (at most 20) f_avg_targets and per target
 * {"examples", "macro_f1", "f_avg"}. */
static void cv_metrics_json(cJSON *cv, const task_data *td, const int *gold, const int *pred)
{
    int pair[2];
    int fav = metric_pair(td, "f_avg", pair) == 0;
    if (fav)
        cJSON_AddNumberToObject(cv, "f_avg", cv_metric_score(td, gold, pred, "f_avg"));
    if (metric_pair(td, "f1_pn", pair) == 0)
        cJSON_AddNumberToObject(cv, "f1_pn", cv_metric_score(td, gold, pred, "f1_pn"));
    if (td->ntargets == 0 || td->ntargets > 20)
        return;
    if (fav)
        cJSON_AddNumberToObject(cv, "f_avg_targets",
                                cv_metric_score(td, gold, pred, "f_avg_targets"));
    metric_pair(td, "f_avg", pair);
    cJSON *tj = cJSON_AddObjectToObject(cv, "targets");
    for (size_t t = 0; tj && t < td->ntargets; t++) {
        long count = 0;
        for (size_t i = 0; i < td->n; i++)
            count += td->ex[i].target == (int)t;
        if (!count)
            continue;
        cJSON *o = cJSON_AddObjectToObject(tj, td->targets[t]);
        if (!o)
            break;
        double sum = 0;
        for (size_t l = 0; l < td->nlabels; l++)
            sum += label_f1(td, gold, pred, (int)l, (int)t);
        cJSON_AddNumberToObject(o, "examples", (double)count);
        cJSON_AddNumberToObject(o, "macro_f1", sum / (double)td->nlabels);
        if (fav)
            cJSON_AddNumberToObject(o, "f_avg", target_f_avg(td, gold, pred, pair, (int)t));
    }
}

/* The temperature of one calibration on held-out decision values: the NLL fit, or with
 * --calibration ece the one with the least top-label ECE (10 bins, as the reports' ECE). */
static double fit_temperature(trainer_calibration cal, const double *logits, const int *gold,
                              size_t n, size_t k)
{
    if (cal == TRAINER_CALIBRATION_ECE)
        return classify_fit_temperature_ece(logits, gold, n, k, 10);
    return classify_fit_temperature(logits, gold, n, k);
}

/* Temperature alone and the calibration `cal` (bias: temperature + bias; ece: the temperature
 * of least ECE) side by side on the held-out decision values bl (n x k) of the chosen C, for
 * --calibration bias or ece (the default writes none of this, so its bundles stay as they
 * were). "in_sample": each calibration fitted on all rows and scored on
 * them, as the report's own figures are. "cross_fitted": each fold's rows calibrated by a fit on
 * the other folds' rows only, which removes the optimism of fitting and scoring the same rows
 * (the decision values are out-of-fold either way; the models behind another fold's values did
 * see this fold's rows, so it is not a fully nested estimate, but the calibration parameters
 * are). Each entry: accuracy, macro_f1, ece, mean nll and score (the CV metric) of the
 * calibrated probabilities and their argmax. NULL when out of memory. */
static cJSON *calibrations_json(const task_data *td, const double *bl, const int *gold,
                                const int *fold, int nfolds, const char *metric,
                                trainer_calibration cal)
{
    int biased = cal == TRAINER_CALIBRATION_BIAS;
    size_t n = td->n, k = td->nlabels;
    double *sub = malloc((n ? n : 1) * k * sizeof *sub);
    int *sgold = malloc((n ? n : 1) * sizeof *sgold);
    int *pred = malloc((n ? n : 1) * sizeof *pred);
    double *bias = malloc(k * sizeof *bias);
    cJSON *out = cJSON_CreateObject();
    int ok = sub && sgold && pred && bias && out;
    for (int crossed = 0; crossed <= 1 && ok; crossed++) {
        cJSON *part = cJSON_AddObjectToObject(out, crossed ? "cross_fitted" : "in_sample");
        ok = part != NULL;
        for (int other = 0; other <= 1 && ok; other++) {
            int with_bias = other && biased;
            metrics *m = metrics_new(k, (const char *const *)td->labels, 10, NULL);
            double nll = 0, probs[MAX_LABELS];
            ok = m != NULL;
            /* in sample: one "fold" -1 whose complement is every row */
            for (int f = crossed ? 0 : -1; f < (crossed ? nfolds : 0) && ok; f++) {
                size_t rows = 0;
                for (size_t i = 0; i < n; i++)
                    if (fold[i] != f) {
                        memcpy(sub + rows * k, bl + i * k, k * sizeof *sub);
                        sgold[rows++] = gold[i];
                    }
                double t = 1.0;
                if (with_bias)
                    ok = classify_fit_bias(sub, sgold, rows, k, &t, bias) == 0;
                else
                    t = fit_temperature(other ? cal : TRAINER_CALIBRATION_TEMPERATURE, sub, sgold,
                                        rows, k);
                for (size_t i = 0; i < n && ok; i++) {
                    if (crossed && fold[i] != f)
                        continue;
                    pred[i] = classify_calibrated(bl + i * k, k, t, with_bias ? bias : NULL, probs);
                    metrics_add(m, gold[i], pred[i], probs);
                    nll -= log(probs[gold[i]] > 1e-300 ? probs[gold[i]] : 1e-300);
                }
            }
            cJSON *o = ok ? cJSON_AddObjectToObject(part, !other   ? "temperature"
                                                          : biased ? "bias"
                                                                   : "ece")
                          : NULL;
            if (o) {
                cJSON_AddNumberToObject(o, "accuracy", metrics_accuracy(m));
                cJSON_AddNumberToObject(o, "macro_f1", metrics_macro_f1(m));
                cJSON_AddNumberToObject(o, "ece", metrics_ece(m));
                cJSON_AddNumberToObject(o, "nll", n ? nll / (double)n : 0);
                cJSON_AddNumberToObject(o, "score", cv_metric_score(td, gold, pred, metric));
            }
            ok = o != NULL;
            metrics_free(m);
        }
    }
    free(sub);
    free(sgold);
    free(pred);
    free(bias);
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* --tune-offsets: one additive offset per label on the calibrated scores z / T + b, chosen by
 * coordinate ascent over a grid to maximize the CV metric on the out-of-fold decision values
 * (the most frequent label stays at 0: only differences between labels matter, and the
 * minority labels, which F1-type metrics reward, move up or down from it). */
#define OFFSET_STEP 0.05 /* grid step, in units of the calibrated logits */
#define OFFSET_MAX 2.0   /* grid: -OFFSET_MAX..OFFSET_MAX */
#define OFFSET_PASSES 4  /* coordinate-ascent sweeps at most */

/* pred[i] = argmax of s[i] + off for rows with mgold[i] >= 0; -1 for the others, which the
 * metric then ignores (label_f1 counts only labels >= 0). */
static void offset_predict(const double *s, const int *mgold, size_t n, size_t k, const double *off,
                           int *pred)
{
    for (size_t i = 0; i < n; i++) {
        if (mgold[i] < 0) {
            pred[i] = -1;
            continue;
        }
        int best = 0;
        for (size_t j = 1; j < k; j++)
            if (s[i * k + j] + off[j] > s[i * k + (size_t)best] + off[best])
                best = (int)j;
        pred[i] = best;
    }
}

/* The most frequent label of the task (the lowest index on a tie). */
static size_t majority_label(const task_data *td)
{
    long count[MAX_LABELS] = {0};
    size_t best = 0;
    for (size_t i = 0; i < td->n; i++)
        if (td->ex[i].label >= 0 && (size_t)td->ex[i].label < td->nlabels)
            count[td->ex[i].label]++;
    for (size_t l = 1; l < td->nlabels; l++)
        if (count[l] > count[best])
            best = l;
    return best;
}

/* The offsets off[0..k) maximizing the metric of the rows with mgold >= 0: coordinate ascent
 * from all zeros, the majority label fixed at 0, a label's offset moving only for a strictly
 * better score (or, at an equal score, a smaller offset). Returns the score reached. pred is
 * work space of n. */
static double fit_offsets(const task_data *td, const double *s, const int *mgold,
                          const char *metric, double *off, int *pred)
{
    size_t n = td->n, k = td->nlabels, fixed = majority_label(td);
    int steps = (int)lround(OFFSET_MAX / OFFSET_STEP);
    for (size_t l = 0; l < k; l++)
        off[l] = 0;
    offset_predict(s, mgold, n, k, off, pred);
    double best = cv_metric_score(td, mgold, pred, metric);
    for (int pass = 0, moved = 1; pass < OFFSET_PASSES && moved; pass++) {
        moved = 0;
        for (size_t l = 0; l < k; l++) {
            if (l == fixed)
                continue;
            double keep = off[l];
            for (int g = -steps; g <= steps; g++) {
                off[l] = g * OFFSET_STEP;
                offset_predict(s, mgold, n, k, off, pred);
                double score = cv_metric_score(td, mgold, pred, metric);
                if (score > best + 1e-12 ||
                    (score > best - 1e-12 && fabs(off[l]) < fabs(keep) - 1e-12)) {
                    best = score > best ? score : best;
                    moved |= fabs(off[l] - keep) > 1e-12;
                    keep = off[l];
                }
            }
            off[l] = keep;
        }
    }
    return best;
}

/* {"accuracy", "macro_f1", "ece", "score"} of softmax(s) and its argmax over all n rows. */
static cJSON *offset_scores_json(const task_data *td, const double *s, const int *gold,
                                 const char *metric, int *pred)
{
    size_t n = td->n, k = td->nlabels;
    metrics *m = metrics_new(k, (const char *const *)td->labels, 10, NULL);
    cJSON *o = m ? cJSON_CreateObject() : NULL;
    double probs[MAX_LABELS];
    for (size_t i = 0; o && i < n; i++) {
        pred[i] = classify_probabilities(s + i * k, k, 1.0, probs);
        metrics_add(m, gold[i], pred[i], probs);
    }
    if (o) {
        cJSON_AddNumberToObject(o, "accuracy", metrics_accuracy(m));
        cJSON_AddNumberToObject(o, "macro_f1", metrics_macro_f1(m));
        cJSON_AddNumberToObject(o, "ece", metrics_ece(m));
        cJSON_AddNumberToObject(o, "score", cv_metric_score(td, gold, pred, metric));
    }
    metrics_free(m);
    return o;
}

/* Tunes the offsets on the calibrated held-out scores s = bl / T + bias (n x k; bias may be
 * NULL): off receives those fitted on every row (what the bundle keeps), xs the scores with
 * cross-fitted offsets (each fold's rows shifted by offsets fitted on the other folds' rows
 * only), and report {"offsets", "none", "in_sample", "cross_fitted"} compares no offsets, the
 * in-sample fit and the cross-fitted one. Returns 0, or STANCE_ERR_NOMEM. */
static int tune_offsets(const task_data *td, const double *bl, const int *gold, const int *fold,
                        int nfolds, const char *metric, double temperature, const double *bias,
                        double *off, double *xs, cJSON *report)
{
    size_t n = td->n, k = td->nlabels;
    double *s = malloc((n ? n : 1) * k * sizeof *s), fo[MAX_LABELS];
    int *mgold = malloc((n ? n : 1) * sizeof *mgold), *pred = malloc((n ? n : 1) * sizeof *pred);
    int ok = s && mgold && pred;
    for (size_t i = 0; ok && i < n; i++)
        for (size_t j = 0; j < k; j++)
            s[i * k + j] = bl[i * k + j] / temperature + (bias ? bias[j] : 0);
    if (ok)
        fit_offsets(td, s, gold, metric, off, pred);
    for (int f = 0; ok && f < nfolds; f++) {
        for (size_t i = 0; i < n; i++)
            mgold[i] = fold[i] == f ? -1 : gold[i];
        fit_offsets(td, s, mgold, metric, fo, pred);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; fold[i] == f && j < k; j++)
                xs[i * k + j] = s[i * k + j] + fo[j];
    }
    cJSON *parts[3] = {NULL, NULL, NULL};
    if (ok) {
        cJSON_AddItemToObject(report, "offsets", cJSON_CreateDoubleArray(off, (int)k));
        parts[0] = offset_scores_json(td, s, gold, metric, pred);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < k; j++)
                s[i * k + j] += off[j];
        parts[1] = offset_scores_json(td, s, gold, metric, pred);
        parts[2] = offset_scores_json(td, xs, gold, metric, pred);
    }
    static const char *const names[] = {"none", "in_sample", "cross_fitted"};
    for (size_t p = 0; p < 3; p++) {
        ok = ok && parts[p];
        if (parts[p])
            cJSON_AddItemToObject(report, names[p], parts[p]);
    }
    free(s);
    free(mgold);
    free(pred);
    return ok ? 0 : STANCE_ERR_NOMEM;
}

/* --tune-offsets for train_task: tunes the offsets on the chosen C's held-out values bl and
 * adds them to *class_bias (allocated as zeros when there is none yet), so the bundle's
 * calibrated probabilities and labels include them; *xs receives the scores with cross-fitted
 * offsets (what the CV report is made of) and cv a "tuned_offsets" report (tune_offsets). */
static int offsets_into_bias(const task_data *td, const double *bl, const int *gold,
                             const int *fold, int nfolds, const char *metric, double temperature,
                             double **class_bias, double **xs, cJSON *cv, stance_error *err)
{
    size_t k = td->nlabels;
    double off[MAX_LABELS];
    cJSON *report = cJSON_AddObjectToObject(cv, "tuned_offsets");
    *xs = malloc((td->n ? td->n : 1) * k * sizeof **xs);
    if (!*class_bias)
        *class_bias = calloc(k, sizeof **class_bias);
    if (!report || !*xs || !*class_bias ||
        tune_offsets(td, bl, gold, fold, nfolds, metric, temperature, *class_bias, off, *xs,
                     report) != 0)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tuning offsets");
    for (size_t l = 0; l < k; l++)
        (*class_bias)[l] += off[l];
    return 0;
}

/* Cross-validates one configuration (score = the CV metric, macro-F1 unless --cv-metric says
 * otherwise, of the best C by that metric) and, when final,
 * trains the model on every example and fills bt. */
/* fixed_fold, when not NULL, gives each example's fold instead of assign_folds (a per-target
 * model cross-validated on the shared model's folds); oof_pred, when not NULL, receives the
 * out-of-fold prediction of each example at the chosen C (pooled by the caller). */
static int train_task(const dataset *d, task_data *td, const trainer_options *opt,
                      const parties *ps, int final, double *cv_score, bundle_task *bt,
                      const int *fixed_fold, int *oof_pred, double *oof_probs, stance_error *err)
{
    int solver = linear_io_solver_type(opt->solver ? opt->solver : "L2R_LR");
    if (solver < 0 || solver >= L2R_L2LOSS_SVR)
        return stance_error_set(err, STANCE_ERR_USAGE, "\"%s\" is not a LIBLINEAR classifier",
                                opt->solver);
    if (td->nlabels < 2)
        return stance_error_set(
            err, STANCE_ERR_DATA, "task \"%s\": %s; a classifier needs two labels or more",
            td->spec->name,
            td->nlabels ? "every example has the same label" : "no row has a label");
    const char *metric = opt->cv_metric ? opt->cv_metric : "macro_f1";
    int rc = sort_labels(td, err);
    if (!rc && opt->folds >= 2)
        rc = cv_metric_check(td, metric, err);
    if (rc)
        return rc;
    vocab_builder *vb = vocab_builder_new();
    if (!vb)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    rc = extract_task(d, td, opt, ps, vb, err);
    size_t n = td->n, k = td->nlabels;
    const double *grid = opt->c > 0 ? &opt->c : default_grid;
    size_t ngrid = opt->c > 0 ? 1 : sizeof default_grid / sizeof *default_grid;
    double best_c = grid[0], temperature = 1.0;
    double *class_bias = NULL; /* --calibration bias and/or --tune-offsets: one per label */
    double *xs = NULL;         /* --tune-offsets: calibrated scores, offsets cross-fitted */
    cJSON *cv = NULL;
    int *fold = NULL, *gold = NULL, *pred = NULL;
    double *logits = NULL;
    metrics *best_m = NULL;
    if (!rc && opt->folds >= 2) {
        fold = malloc(n * sizeof *fold);
        gold = malloc(n * sizeof *gold);
        pred = malloc(n * sizeof *pred);
        logits = malloc(ngrid * n * k * sizeof *logits);
        if (!fold || !gold || !pred || !logits)
            rc = nomem(err, "out of memory for cross-validation");
        if (!rc && fixed_fold)
            memcpy(fold, fixed_fold, n * sizeof *fold);
        else if (!rc)
            rc = assign_folds(d, td, opt->folds, opt->seed, fold, err);
        if (!rc)
            rc = cross_validate(td, vb, fold, opt->folds, grid, ngrid, solver, opt, logits, err);
        if (!rc) {
            for (size_t i = 0; i < n; i++)
                gold[i] = td->ex[i].label;
            cv = cJSON_CreateObject();
            cJSON_AddNumberToObject(cv, "folds", opt->folds);
            if (opt->group_column)
                cJSON_AddStringToObject(cv, "grouped_by", opt->group_column);
            else
                cJSON_AddNullToObject(cv, "grouped_by");
            cJSON_AddNumberToObject(cv, "examples", (double)n);
            cJSON_AddStringToObject(cv, "metric", metric);
            cJSON *gj = cJSON_AddArrayToObject(cv, "grid");
            double best_score = -1;
            size_t best_g = 0;
            if (opt->calibration == TRAINER_CALIBRATION_BIAS &&
                !(class_bias = malloc(k * sizeof *class_bias)))
                rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory calibrating");
            for (size_t g = 0; g < ngrid && !rc; g++) {
                metrics *m = metrics_new(k, (const char *const *)td->labels, 10, err);
                if (!m) {
                    rc = STANCE_ERR_NOMEM;
                    break;
                }
                /* With a bias the label is the argmax of the calibrated probabilities, not of
                 * the decision values, so each C is judged by the labels it would give. */
                const double *gl = logits + g * n * k;
                double gt = 1.0, probs[MAX_LABELS];
                if (class_bias && classify_fit_bias(gl, gold, n, k, &gt, class_bias) != 0) {
                    rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory calibrating");
                    metrics_free(m);
                    break;
                }
                for (size_t i = 0; i < n; i++) {
                    pred[i] = class_bias ? classify_calibrated(gl + i * k, k, gt, class_bias, probs)
                                         : argmax(gl + i * k, k);
                    metrics_add(m, gold[i], pred[i], NULL);
                }
                double f1 = metrics_macro_f1(m);
                double score = cv_metric_score(td, gold, pred, metric);
                cJSON *point = cJSON_CreateObject();
                cJSON_AddNumberToObject(point, "C", grid[g]);
                cJSON_AddNumberToObject(point, "accuracy", metrics_accuracy(m));
                cJSON_AddNumberToObject(point, "macro_f1", f1);
                cJSON_AddNumberToObject(point, "score", score);
                cJSON_AddItemToArray(gj, point);
                /* strictly better only: on a tie the smaller C (simpler model) wins */
                if (score > best_score + 1e-12) {
                    best_score = score;
                    best_g = g;
                }
                metrics_free(m);
            }
            best_c = grid[best_g];
            const double *bl = logits + best_g * n * k;
            temperature = fit_temperature(opt->calibration, bl, gold, n, k);
            if (!rc && class_bias && classify_fit_bias(bl, gold, n, k, &temperature, class_bias))
                rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory calibrating");
            if (!rc && opt->tune_offsets)
                rc = offsets_into_bias(td, bl, gold, fold, opt->folds, metric, temperature,
                                       &class_bias, &xs, cv, err);
            best_m = rc ? NULL : metrics_new(k, (const char *const *)td->labels, 10, err);
            if (best_m) {
                /* Everything below is of the calibrated probabilities and their argmax (the
                 * label stance-predict reports; with a bias, not always the argmax of the
                 * decision values). The calibration is fitted on these same rows, so the ECE
                 * is optimistic; "calibrations" (bias only, to keep temperature bundles as
                 * they were) has both calibrations fitted on these rows and cross-fitted. */
                double probs[MAX_LABELS];
                for (size_t i = 0; i < n; i++) {
                    pred[i] =
                        xs ? classify_probabilities(xs + i * k, k, 1.0, probs)
                           : classify_calibrated(bl + i * k, k, temperature, class_bias, probs);
                    metrics_add(best_m, gold[i], pred[i], probs);
                    if (oof_probs)
                        memcpy(oof_probs + i * k, probs, k * sizeof *probs);
                }
                if (xs) /* the cross-fitted score, not the (unchanged) grid's */
                    best_score = cv_metric_score(td, gold, pred, metric);
                cJSON_AddNumberToObject(cv, "C", best_c);
                cJSON_AddNumberToObject(cv, "temperature", temperature);
                if (opt->calibration != TRAINER_CALIBRATION_TEMPERATURE) {
                    cJSON_AddStringToObject(cv, "calibration",
                                            opt->calibration == TRAINER_CALIBRATION_BIAS ? "bias"
                                                                                         : "ece");
                    if (class_bias)
                        cJSON_AddItemToObject(cv, "class_bias",
                                              cJSON_CreateDoubleArray(class_bias, (int)k));
                    cJSON *cc =
                        calibrations_json(td, bl, gold, fold, opt->folds, metric, opt->calibration);
                    if (!cc)
                        rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory calibrating");
                    cJSON_AddItemToObject(cv, "calibrations", cc);
                }
                cJSON_AddNumberToObject(cv, "accuracy", metrics_accuracy(best_m));
                cJSON_AddNumberToObject(cv, "macro_f1", metrics_macro_f1(best_m));
                cJSON_AddNumberToObject(cv, "ece", metrics_ece(best_m));
                /* pred holds the chosen C's labels (calibrated, see above) */
                if (oof_pred)
                    memcpy(oof_pred, pred, n * sizeof *oof_pred);
                cJSON_AddNumberToObject(cv, "score", best_score);
                cv_metrics_json(cv, td, gold, pred);
                cJSON_AddItemToObject(cv, "metrics", metrics_to_json(best_m));
                if (cv_score)
                    *cv_score = best_score;
            } else if (!rc) {
                rc = STANCE_ERR_NOMEM;
            }
        }
    }
    /* the final model, on every example */
    if (!rc && final) {
        if (opt->progress)
            opt->progress(opt->progress_ctx, td->spec->name, "final model", 0, 1);
        int *remap = NULL;
        bt->vocab = vocab_builder_finish(vb, NULL, (long)n, opt->features.min_df,
                                         opt->features.max_features, &remap, err);
        problem_buf pb;
        double *weights = malloc(k * sizeof *weights);
        int *wl = malloc(k * sizeof *wl);
        if (!bt->vocab) {
            rc = failure_code(err, STANCE_ERR_DATA);
        } else if ((rc = vocab_set_block_norm(bt->vocab, opt->features.block_norm,
                                              opt->features.target_conjoin, err)) != 0) {
            /* rc and err are set */
        } else if (opt->features.nb_weighting &&
                   (rc = nb_scale(bt->vocab, remap, td, NULL, -1, err)) != 0) {
            /* rc and err are set */
        } else if (!weights || !wl || problem_buf_init(&pb, n) != 0) {
            /* pb last: once it is set up, only the branch below frees it */
            rc = nomem(err, "out of memory");
        } else {
            for (size_t i = 0; i < n && !rc; i++) {
                rc = vocab_vectorize_ids(bt->vocab, remap, td->ex[i].ids, td->ex[i].nids,
                                         opt->features.sublinear_tf, opt->bias, &pb.vecs[i], err);
                pb.x[i] = pb.vecs[i].nodes;
                pb.y[i] = td->ex[i].label;
                pb.ex[i] = &td->ex[i];
            }
            struct problem prob = {(int)n, (int)vocab_size(bt->vocab) + (opt->bias >= 0 ? 1 : 0),
                                   pb.y, pb.x, opt->bias};
            struct parameter param;
            set_param(&param, solver, best_c, td, pb.ex, n, opt->balanced, weights, wl);
            const char *bad = rc ? NULL : check_parameter(&prob, &param);
            if (bad)
                rc = stance_error_set(err, STANCE_ERR_USAGE, "LIBLINEAR: %s", bad);
            if (!rc) {
                srand((unsigned)opt->seed);
                bt->model = train(&prob, &param);
                if (!bt->model)
                    rc = stance_error_set(err, STANCE_ERR_NOMEM, "LIBLINEAR training failed");
                else
                    bt->model->param = (struct parameter){.solver_type = solver};
            }
            problem_buf_free(&pb);
        }
        free(weights);
        free(wl);
        free(remap);
    }
    if (!rc && final) {
        bt->features = opt->features;
        snprintf(bt->solver, sizeof bt->solver, "%s", linear_io_solver_name(solver));
        bt->c = best_c;
        bt->bias = opt->bias;
        bt->temperature = temperature;
        bt->class_bias = class_bias;
        class_bias = NULL;
        snprintf(bt->aggregation, sizeof bt->aggregation, "%s",
                 opt->aggregation ? opt->aggregation : "balance");
        bt->aggregation_threshold = opt->aggregation_threshold;
        bt->aggregation_scale = opt->aggregation_scale;
        bt->cv = cv;
        cv = NULL;
        bt->nlabels = k;
        bt->labels = calloc(k, sizeof *bt->labels);
        for (size_t l = 0; bt->labels && l < k; l++)
            bt->labels[l] = strdup(td->labels[l]);
        bt->target_dependent = td->spec->target_column || td->spec->ntarget_columns;
        if (td->spec->ntarget_columns) {
            bt->ntarget_columns = td->spec->ntarget_columns;
            bt->target_columns = calloc(bt->ntarget_columns, sizeof *bt->target_columns);
            for (size_t i = 0; bt->target_columns && i < bt->ntarget_columns; i++)
                bt->target_columns[i] = strdup(td->spec->target_columns[i]);
        } else {
            bt->label_column = strdup(td->label_column);
            if (td->spec->target_column)
                bt->target_column = strdup(td->spec->target_column);
        }
    }
    cJSON_Delete(cv);
    metrics_free(best_m);
    free(class_bias);
    free(xs);
    free(fold);
    free(gold);
    free(pred);
    free(logits);
    vocab_builder_free(vb);
    /* the term ids are not needed any more: give the memory back before the next task */
    for (size_t i = 0; i < td->n; i++) {
        free(td->ex[i].ids);
        td->ex[i].ids = NULL;
    }
    return rc;
}

/* --target-models: after the task's shared model (bt, trained on every example), one model per
 * target, each trained and cross-validated on that target's examples alone as a task of its
 * own: its own vocabulary (the terms and document frequencies of its rows), class weights (from
 * its label counts), C (from the grid by its own out-of-fold CV metric unless --c fixes it) and
 * temperature. Folds are assigned within the target's examples (grouped and stratified as
 * usual), so each out-of-fold prediction comes from a model that never saw that row. The
 * features, solver and bias are the task's. A target whose examples lack one of the task's
 * labels, or have fewer groups than folds, gets no model of its own: the scorer uses the shared
 * model for it (and for any target not seen in training). The cross-validation report of bt
 * gets "target_models": per target its CV score, C and temperature (or why it has no model),
 * and "score", the mean over the targets that have a model (with --cv-metric f_avg_targets
 * exactly the f_avg_targets of the per-target models' pooled out-of-fold predictions).
 * With opt->shared_folds each target's model is cross-validated on the shared model's folds
 * (the same assign_folds over all examples, restricted to the target's rows) instead, and when
 * every target has a model of its own the report also gets "pooled": the CV metric (and
 * macro-F1, f_avg, ...) of all the per-target models' out-of-fold predictions together, over
 * every example. That number is comparable with the shared model's CV score (same folds, same
 * rows, same metric), which the mean of per-target scores is not for a metric such as f_avg
 * (an F1 over all rows is no mean of per-target F1s).
 * The models go into bt->target_models (owned by bt, freed by bundle_task_clear). */
static int train_target_models(const dataset *d, const task_data *td, const trainer_options *opt,
                               const parties *ps, bundle_task *bt, stance_error *err)
{
    size_t nt = td->ntargets, k = td->nlabels;
    bt->target_models = calloc(nt ? nt : 1, sizeof *bt->target_models);
    example *sub_ex = malloc((td->n ? td->n : 1) * sizeof *sub_ex);
    char **sub_labels = malloc(k * sizeof *sub_labels);
    int *count = malloc(k * sizeof *count);
    uint8_t *gseen = calloc(strmap_size(d->groups) + 1, 1);
    cJSON *summary = cJSON_CreateObject();
    cJSON *per = summary ? cJSON_AddObjectToObject(summary, "targets") : NULL;
    int rc = 0;
    if (!bt->target_models || !sub_ex || !sub_labels || !count || !gseen || !per)
        rc = nomem(err, "out of memory");
    /* --shared-folds: the shared model's folds (all examples), each target's rows' share of
     * them, and the per-target out-of-fold predictions pooled back into example order */
    int pooling = opt->shared_folds && opt->folds >= 2;
    int *all_fold = NULL, *sub_fold = NULL, *sub_pred = NULL, *pooled = NULL, *gold = NULL;
    size_t *sub_at = NULL;
    if (!rc && pooling) {
        size_t m = td->n ? td->n : 1;
        all_fold = malloc(m * sizeof *all_fold);
        sub_fold = malloc(m * sizeof *sub_fold);
        sub_pred = malloc(m * sizeof *sub_pred);
        pooled = malloc(m * sizeof *pooled);
        gold = malloc(m * sizeof *gold);
        sub_at = malloc(m * sizeof *sub_at);
        if (!all_fold || !sub_fold || !sub_pred || !pooled || !gold || !sub_at)
            rc = nomem(err, "out of memory");
        else
            rc = assign_folds(d, td, opt->folds, opt->seed, all_fold, err);
        for (size_t i = 0; i < td->n && !rc; i++) {
            pooled[i] = -1;
            gold[i] = td->ex[i].label;
        }
    }
    double sum = 0;
    size_t scored = 0;
    trainer_options o = *opt;
    o.features = bt->features;
    for (size_t t = 0; t < nt && !rc; t++) {
        size_t n = 0, groups = 0;
        memset(count, 0, k * sizeof *count);
        memset(gseen, 0, strmap_size(d->groups) + 1);
        for (size_t i = 0; i < td->n; i++) {
            if (td->ex[i].target != (int)t)
                continue;
            sub_ex[n] = (example){td->ex[i].row, 0, td->ex[i].label, NULL, 0};
            if (pooling) {
                sub_fold[n] = all_fold[i];
                sub_at[n] = i;
            }
            count[td->ex[i].label]++;
            uint32_t g = d->rows[td->ex[i].row].group;
            if (!gseen[g]) {
                gseen[g] = 1;
                groups++;
            }
            n++;
        }
        cJSON *tj = cJSON_AddObjectToObject(per, td->targets[t]);
        if (!tj) {
            rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
            break;
        }
        cJSON_AddNumberToObject(tj, "examples", (double)n);
        size_t missing = 0;
        while (missing < k && count[missing] > 0)
            missing++;
        if (missing < k || (opt->folds >= 2 && groups < (size_t)opt->folds)) {
            char why[300];
            if (missing < k)
                snprintf(why, sizeof why, "no example labelled \"%s\": the shared model scores it",
                         td->labels[missing]);
            else
                snprintf(why, sizeof why,
                         "%zu groups, fewer than %d folds: the shared model "
                         "scores it",
                         groups, opt->folds);
            cJSON_AddStringToObject(tj, "model", "shared");
            cJSON_AddStringToObject(tj, "why", why);
            continue;
        }
        /* the target's examples as a task of their own, sharing the parent's strings */
        memcpy(sub_labels, td->labels, k * sizeof *sub_labels);
        task_data sub = {0};
        sub.spec = td->spec;
        sub.label_column = td->label_column;
        sub.labels = sub_labels;
        sub.nlabels = k;
        sub.targets = &td->targets[t];
        sub.ntargets = 1;
        sub.ex = sub_ex;
        sub.n = sub.cap = n;
        bundle_task sbt = {0};
        double score = -1;
        rc = train_task(d, &sub, &o, ps, 1, &score, &sbt, pooling ? sub_fold : NULL,
                        pooling ? sub_pred : NULL, NULL, err);
        for (size_t j = 0; pooling && !rc && j < n; j++)
            pooled[sub_at[j]] = sub_pred[j];
        /* train_task's sort_labels replaced the (already sorted) array by a new one and freed
         * the old: keep the new one for the next target */
        sub_labels = sub.labels;
        if (!rc) {
            bundle_target_model *m = &bt->target_models[bt->ntarget_models];
            m->target = strdup(td->targets[t]);
            m->c = sbt.c;
            m->temperature = sbt.temperature;
            m->class_bias = sbt.class_bias;
            sbt.class_bias = NULL;
            m->vocab = sbt.vocab;
            m->model = sbt.model;
            m->cv = sbt.cv;
            sbt.vocab = NULL;
            sbt.model = NULL;
            sbt.cv = NULL;
            bt->ntarget_models++;
            if (!m->target)
                rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
            cJSON_AddStringToObject(tj, "model", "own");
            cJSON_AddNumberToObject(tj, "C", m->c);
            cJSON_AddNumberToObject(tj, "temperature", m->temperature);
            if (opt->folds >= 2) {
                cJSON_AddNumberToObject(tj, "score", score);
                sum += score;
                scored++;
            }
        }
        bundle_task_clear(&sbt);
    }
    if (!rc && bt->cv) {
        cJSON_AddStringToObject(summary, "metric", opt->cv_metric ? opt->cv_metric : "macro_f1");
        if (scored)
            cJSON_AddNumberToObject(summary, "score", sum / (double)scored);
        cJSON_AddNumberToObject(summary, "models", (double)bt->ntarget_models);
        if (pooling) {
            cJSON_AddBoolToObject(summary, "shared_folds", 1);
            /* only when every example has an out-of-fold prediction of a per-target model:
             * the shared model's would come from other folds' training */
            size_t missing = 0;
            for (size_t i = 0; i < td->n; i++)
                missing += pooled[i] < 0;
            cJSON *pj = missing ? NULL : cJSON_AddObjectToObject(summary, "pooled");
            if (pj) {
                const char *metric = opt->cv_metric ? opt->cv_metric : "macro_f1";
                cJSON_AddStringToObject(pj, "metric", metric);
                cJSON_AddNumberToObject(pj, "score", cv_metric_score(td, gold, pooled, metric));
                cJSON_AddNumberToObject(pj, "macro_f1",
                                        cv_metric_score(td, gold, pooled, "macro_f1"));
                cv_metrics_json(pj, td, gold, pooled);
            }
        }
        cJSON_AddItemToObject(bt->cv, "target_models", summary);
        summary = NULL;
    }
    cJSON_Delete(summary);
    free(all_fold);
    free(sub_fold);
    free(sub_pred);
    free(pooled);
    free(gold);
    free(sub_at);
    free(sub_ex);
    free(sub_labels);
    free(count);
    free(gseen);
    return rc;
}

/* One point of the search: the user's options with the settings it varies changed (features,
 * solver, class weights). */
typedef trainer_options variant;

/* The search's dimensions, in the order it walks them: the feature families first (word and
 * character n-grams, then how targets are seen, which decides what those n-grams mean), the
 * learner next, the finer feature options last. Each name is the "dimension" of the table's
 * rows that try it. */
typedef enum search_dim {
    DIM_WORDS,
    DIM_CHARS,
    DIM_TARGET,
    DIM_NB,
    DIM_NEGATION,
    DIM_SOLVER,
    DIM_WEIGHTS,
    DIM_PUNCT,
    DIM_BLOCK_NORM,
    DIM_HASHTAGS,
    DIM_LINKS,
    DIM_MIN_DF,
    DIM_WINDOW,
    DIM_COUNT
} search_dim;

static const char *const search_dim_names[] = {
    "word_ngrams",  "char_ngrams",   "target",       "nb_weighting", "negation",
    "solver",       "class_weights", "punct_tokens", "block_norm",   "hashtag_split",
    "link_classes", "min_df",        "target_window"};
_Static_assert(sizeof search_dim_names / sizeof *search_dim_names == DIM_COUNT,
               "a name for every search dimension");

/* At most this many candidates per dimension (target handling: up to 4 of its 6 forms). */
#define SEARCH_CANDIDATES_MAX 4

/* What a row of dimension `dim` sets, as "name value" words for the table's "setting" (the
 * text report prints it). */
static void variant_setting(search_dim dim, const variant *v, char *buf, size_t size)
{
    switch (dim) {
    case DIM_WORDS:
        snprintf(buf, size, "1-%d", v->features.word_ngram_max);
        break;
    case DIM_CHARS:
        if (v->features.char_ngram_min)
            snprintf(buf, size, "%d-%d", v->features.char_ngram_min, v->features.char_ngram_max);
        else
            snprintf(buf, size, "off");
        break;
    case DIM_TARGET:
        snprintf(buf, size, "%s%s",
                 v->features.target_conjoin ? (v->features.target_only ? "per-target" : "conjoined")
                                            : "shared",
                 v->features.target_mask ? ", masked" : ", unmasked");
        break;
    case DIM_SOLVER:
        snprintf(buf, size, "%s", v->solver);
        break;
    case DIM_NEGATION:
    case DIM_MIN_DF:
    case DIM_WINDOW:
        snprintf(buf, size, "%d",
                 dim == DIM_NEGATION ? v->features.negation
                 : dim == DIM_MIN_DF ? v->features.min_df
                                     : v->features.target_window);
        break;
    default: { /* the on/off options */
        int on = dim == DIM_NB         ? v->features.nb_weighting
                 : dim == DIM_WEIGHTS  ? v->balanced
                 : dim == DIM_PUNCT    ? v->features.punct_tokens
                 : dim == DIM_HASHTAGS ? v->features.hashtag_split
                 : dim == DIM_LINKS    ? v->features.link_classes
                                       : v->features.block_norm;
        snprintf(buf, size, "%s", on ? "on" : "off");
        break;
    }
    }
}

/* One row of the table: the dimension it tries (dim, or "start" for the user's settings when
 * dim < 0), what it sets there ("setting"), every setting of the variant (the same keys as the
 * bundle's "features", plus solver and class weights) and its score. Caller owns the result; NULL
 * when out of memory. */
static cJSON *variant_json(int dim, const variant *v, double score)
{
    cJSON *o = cJSON_CreateObject();
    char buf[16], setting[64] = "as given";
    snprintf(buf, sizeof buf, "%d-%d", v->features.char_ngram_min, v->features.char_ngram_max);
    if (dim >= 0)
        variant_setting((search_dim)dim, v, setting, sizeof setting);
    if (!o || !cJSON_AddStringToObject(o, "dimension", dim < 0 ? "start" : search_dim_names[dim]) ||
        !cJSON_AddStringToObject(o, "setting", setting) ||
        !cJSON_AddNumberToObject(o, "word_ngram_max", v->features.word_ngram_max) ||
        !cJSON_AddStringToObject(o, "char_ngrams", v->features.char_ngram_min ? buf : "off") ||
        !cJSON_AddBoolToObject(o, "target_mask", v->features.target_mask) ||
        !cJSON_AddBoolToObject(o, "target_conjoin", v->features.target_conjoin) ||
        !cJSON_AddBoolToObject(o, "target_only", v->features.target_only) ||
        !cJSON_AddBoolToObject(o, "nb_weighting", v->features.nb_weighting) ||
        !cJSON_AddNumberToObject(o, "negation", v->features.negation) ||
        !cJSON_AddBoolToObject(o, "punct_tokens", v->features.punct_tokens) ||
        !cJSON_AddBoolToObject(o, "block_norm", v->features.block_norm) ||
        !cJSON_AddBoolToObject(o, "hashtag_split", v->features.hashtag_split) ||
        !cJSON_AddBoolToObject(o, "link_classes", v->features.link_classes) ||
        !cJSON_AddNumberToObject(o, "min_df", v->features.min_df) ||
        !cJSON_AddNumberToObject(o, "target_window", v->features.target_window) ||
        !cJSON_AddStringToObject(o, "solver", v->solver) ||
        !cJSON_AddBoolToObject(o, "class_weights", v->balanced) ||
        /* the cv_metric (macro-F1 by default) of the variant's best C */
        !cJSON_AddNumberToObject(o, "score", score)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* 1 when some training text holds one of the needles. The hashtag and link dimensions are
 * tried only where their option can change a term: a corpus of agency copy without "#" or
 * URLs would pay two cross-validations for identical models. */
static int texts_contain(const dataset *d, const char *const *needles, size_t nneedles)
{
    for (size_t i = 0; i < d->nrows; i++)
        for (size_t k = 0; k < nneedles; k++)
            if (d->rows[i].text && strstr(d->rows[i].text, needles[k]))
                return 1;
    return 0;
}

/* The variants of `best` that dimension `dim` tries, into cand (at most
 * SEARCH_CANDIDATES_MAX); returns how many (0: the dimension does not apply here). */
static int search_candidates(search_dim dim, const variant *best, int target, int have_parties,
                             int have_hashtags, int have_links, variant *cand)
{
    int nc = 0;
    for (int i = 0; i < SEARCH_CANDIDATES_MAX; i++)
        cand[i] = *best;
    switch (dim) {
    case DIM_WORDS:
        for (int g = 1; g <= 3; g++)
            if (g != best->features.word_ngram_max)
                cand[nc++].features.word_ngram_max = g;
        break;
    case DIM_CHARS: {
        /* off, 2-5 (the organisers' SemEval baseline) and 3-6 (what longer stems favour) */
        static const int ranges[3][2] = {{0, 0}, {2, 5}, {3, 6}};
        for (int r = 0; r < 3; r++)
            if (ranges[r][0] != best->features.char_ngram_min ||
                (ranges[r][0] && ranges[r][1] != best->features.char_ngram_max)) {
                cand[nc].features.char_ngram_min = ranges[r][0];
                cand[nc].features.char_ngram_max = ranges[r][1];
                nc++;
            }
        break;
    }
    case DIM_TARGET: {
        if (!target)
            break;
        /* m: the party mask, tried both ways only where it can change a term (parties to
         * mask, or a target window that masks a target's own words); c: 0 shared terms only,
         * 1 shared + target-conjoined, 2 conjoined only */
        int mask_matters = have_parties || best->features.target_window > 0;
        for (int m = mask_matters ? 0 : best->features.target_mask;
             m <= (mask_matters ? 1 : best->features.target_mask); m++)
            for (int c = 0; c <= 2 && nc < SEARCH_CANDIDATES_MAX; c++) {
                int conj = c > 0, only = c == 2;
                if ((m == best->features.target_mask && conj == best->features.target_conjoin &&
                     only == best->features.target_only) ||
                    (!m && !c && have_parties))
                    continue;
                cand[nc].features.target_mask = m;
                cand[nc].features.target_conjoin = conj;
                cand[nc].features.target_only = only;
                nc++;
            }
        break;
    }
    case DIM_NB:
        cand[nc++].features.nb_weighting = !best->features.nb_weighting;
        break;
    case DIM_NEGATION:
        cand[nc++].features.negation = best->features.negation ? 0 : 3;
        break;
    case DIM_SOLVER:
        cand[nc++].solver = strcmp(best->solver, "L2R_LR") == 0 ? "L2R_L2LOSS_SVC_DUAL" : "L2R_LR";
        break;
    case DIM_WEIGHTS:
        cand[nc++].balanced = !best->balanced;
        break;
    case DIM_PUNCT:
        cand[nc++].features.punct_tokens = !best->features.punct_tokens;
        break;
    case DIM_BLOCK_NORM:
        if (best->features.char_ngram_min) /* without character n-grams there is one block */
            cand[nc++].features.block_norm = !best->features.block_norm;
        break;
    case DIM_HASHTAGS:
        if (have_hashtags)
            cand[nc++].features.hashtag_split = !best->features.hashtag_split;
        break;
    case DIM_LINKS:
        if (have_links)
            cand[nc++].features.link_classes = !best->features.link_classes;
        break;
    case DIM_MIN_DF:
        for (int m = 1; m <= 2; m++)
            if (m != best->features.min_df)
                cand[nc++].features.min_df = m;
        break;
    case DIM_WINDOW:
        if (!target)
            break;
        for (int w = 0; w <= 6; w += 3)
            if (w != best->features.target_window)
                cand[nc++].features.target_window = w;
        break;
    case DIM_COUNT:
        break;
    }
    return nc;
}

/* Greedy search, one dimension at a time from the user's settings (search_dim, in that
 * order): word n-grams, character n-grams, target handling, NB weighting, negation, solver,
 * class weights, punctuation runs, per-block normalisation, hashtag splitting, URL and mention
 * classes, min df, the window around targets. Each candidate is scored by the same grouped,
 * stratified cross-validation (with its own C grid); a change is kept only when it gains more
 * than 0.002 of the CV metric (macro-F1 unless --cv-metric says otherwise), so noise does not
 * flip settings. One pass: a second rarely pays for its cost (tests/accuracy/search.py walks
 * the same kind of search from recorded starting points). Then the winner is trained on
 * everything, and the table of what was tried goes into the manifest, the winner's row marked
 * "chosen". */
static int search_task(const dataset *d, task_data *td, const trainer_options *opt,
                       const parties *ps, bundle_task *bt, stance_error *err)
{
    static const char *const hashtag_marks[] = {"#"};
    static const char *const link_marks[] = {"://", "www.", "@"};
    int target = td->spec->target_column || td->spec->ntarget_columns;
    int have_parties = ps && parties_count(ps) > 0;
    int have_hashtags = texts_contain(d, hashtag_marks, 1);
    int have_links = texts_contain(d, link_marks, 3);
    variant best = *opt; /* the candidates' CV runs report no progress of their own */
    best.progress = NULL;
    if (!best.solver)
        best.solver = "L2R_LR";
    double best_score = -1;
    cJSON *table = cJSON_CreateArray();
    if (!table)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    int rc = train_task(d, td, &best, ps, 0, &best_score, NULL, NULL, NULL, NULL, err);
    size_t tried = 1;
    int best_row = 0; /* the table's row of `best` */
    cJSON *entry = rc ? NULL : variant_json(-1, &best, best_score);
    if (!rc && !(entry && cJSON_AddItemToArray(table, entry))) {
        cJSON_Delete(entry);
        rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    }
    for (int dim = 0; dim < DIM_COUNT && !rc; dim++) {
        variant cand[SEARCH_CANDIDATES_MAX];
        int nc = search_candidates((search_dim)dim, &best, target, have_parties, have_hashtags,
                                   have_links, cand);
        variant winner = best;
        double winner_score = best_score;
        int winner_row = best_row;
        for (int i = 0; i < nc && !rc; i++) {
            double score = -1;
            if (opt->progress)
                opt->progress(opt->progress_ctx, td->spec->name, "search", ++tried, 0);
            rc = train_task(d, td, &cand[i], ps, 0, &score, NULL, NULL, NULL, NULL, err);
            if (rc)
                break;
            entry = variant_json(dim, &cand[i], score);
            if (!(entry && cJSON_AddItemToArray(table, entry))) {
                cJSON_Delete(entry);
                rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
            } else if (score > winner_score + 0.002) {
                winner = cand[i];
                winner_score = score;
                winner_row = cJSON_GetArraySize(table) - 1;
            }
        }
        best = winner;
        best_score = winner_score;
        best_row = winner_row;
    }
    /* the manifest names the winner: it records the features, not the class weights */
    if (!rc && !cJSON_AddTrueToObject(cJSON_GetArrayItem(table, best_row), "chosen"))
        rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    if (!rc) {
        best.progress = opt->progress;
        rc = train_task(d, td, &best, ps, 1, NULL, bt, NULL, NULL, NULL, err);
    }
    if (!rc && bt->cv)
        cJSON_AddItemToObject(bt->cv, "search", table);
    else
        cJSON_Delete(table);
    return rc;
}

/* --member: after the task's own model (bt, trained and cross-validated by train_task with its
 * out-of-fold probabilities in own_probs), each member of opt->members is trained the same way
 * on the same examples and the same folds, with the member's features, solver, C, class
 * weights, bias, calibration and offsets, and moved into bt->members. With cross-validation,
 * the task's report gets "ensemble": the CV metric, accuracy, macro-F1 and ECE of the mean of
 * all the models' calibrated out-of-fold probabilities (what stance-predict reports for the
 * bundle), and each member's own report is kept with it. */
static int train_members(const dataset *d, task_data *td, const trainer_options *opt,
                         const parties *ps, bundle_task *bt, const double *own_probs,
                         stance_error *err)
{
    size_t n = td->n, k = td->nlabels;
    int cv = opt->folds >= 2 && own_probs;
    int *fold = cv ? malloc(n * sizeof *fold) : NULL;
    double *sum = cv ? malloc(n * k * sizeof *sum) : NULL;
    double *probs = cv ? malloc(n * k * sizeof *probs) : NULL;
    bt->members = calloc(opt->nmembers, sizeof *bt->members);
    int rc = 0;
    if (!bt->members || (cv && (!fold || !sum || !probs)))
        rc = nomem(err, "out of memory");
    if (!rc && cv) { /* the folds train_task drew for the task's own model */
        rc = assign_folds(d, td, opt->folds, opt->seed, fold, err);
        memcpy(sum, own_probs, n * k * sizeof *sum);
    }
    for (size_t m = 0; m < opt->nmembers && !rc; m++) {
        const trainer_options *mo = &opt->members[m];
        trainer_options o = *opt; /* the task's data, folds, metric and seed */
        o.features = mo->features;
        o.solver = mo->solver;
        o.c = mo->c;
        o.balanced = mo->balanced;
        o.bias = mo->bias;
        o.calibration = mo->calibration;
        o.tune_offsets = mo->tune_offsets;
        o.members = NULL;
        o.nmembers = 0;
        bundle_task mt = {0};
        if (opt->progress)
            opt->progress(opt->progress_ctx, td->spec->name, "ensemble member", m, opt->nmembers);
        rc = train_task(d, td, &o, ps, 1, NULL, &mt, fold, NULL, probs, err);
        if (!rc && (mt.nlabels != k || mt.target_dependent != bt->target_dependent))
            rc = stance_error_set(err, STANCE_ERR_DATA, "ensemble member %zu saw other labels", m);
        if (!rc) {
            bundle_member *bm = &bt->members[bt->nmembers++];
            bm->features = mt.features;
            memcpy(bm->solver, mt.solver, sizeof bm->solver);
            bm->c = mt.c;
            bm->bias = mt.bias;
            bm->temperature = mt.temperature;
            bm->class_bias = mt.class_bias;
            bm->vocab = mt.vocab;
            bm->model = mt.model;
            bm->cv = mt.cv;
            mt.class_bias = NULL;
            mt.vocab = NULL;
            mt.model = NULL;
            mt.cv = NULL;
            for (size_t i = 0; cv && i < n * k; i++)
                sum[i] += probs[i];
        }
        bundle_task_clear(&mt);
    }
    if (!rc && cv && bt->cv) {
        const char *metric = opt->cv_metric ? opt->cv_metric : "macro_f1";
        int *gold = malloc(n * sizeof *gold), *pred = malloc(n * sizeof *pred);
        metrics *mx = metrics_new(k, (const char *const *)td->labels, 10, err);
        cJSON *ej = cJSON_CreateObject();
        if (!gold || !pred || !mx || !ej) {
            rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
        } else {
            double scale = 1.0 / (double)(opt->nmembers + 1);
            for (size_t i = 0; i < n; i++) {
                for (size_t l = 0; l < k; l++)
                    sum[i * k + l] *= scale;
                gold[i] = td->ex[i].label;
                pred[i] = argmax(sum + i * k, k);
                metrics_add(mx, gold[i], pred[i], sum + i * k);
            }
            cJSON_AddNumberToObject(ej, "models", (double)(opt->nmembers + 1));
            cJSON_AddNumberToObject(ej, "score", cv_metric_score(td, gold, pred, metric));
            cJSON_AddNumberToObject(ej, "accuracy", metrics_accuracy(mx));
            cJSON_AddNumberToObject(ej, "macro_f1", metrics_macro_f1(mx));
            cJSON_AddNumberToObject(ej, "ece", metrics_ece(mx));
            cv_metrics_json(ej, td, gold, pred);
            cJSON_AddItemToObject(ej, "metrics", metrics_to_json(mx));
            cJSON_AddItemToObject(bt->cv, "ensemble", ej);
            ej = NULL;
        }
        cJSON_Delete(ej);
        metrics_free(mx);
        free(gold);
        free(pred);
    }
    free(fold);
    free(sum);
    free(probs);
    return rc;
}

int trainer_run(const char *const *paths, size_t npaths, const trainer_task_spec *specs,
                size_t nspecs, const trainer_options *opt, parties *ps, bundle **out,
                trainer_report *rep, stance_error *err)
{
    *out = NULL;
    memset(rep, 0, sizeof *rep);
    bundle *b = calloc(1, sizeof *b);
    if (!b) {
        parties_free(ps);
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    }
    b->parties = ps;
    if (nspecs == 0 || npaths == 0) {
        bundle_free(b);
        return stance_error_set(err, STANCE_ERR_USAGE, "nothing to train: give data and tasks");
    }
    if (opt->search && opt->folds < 2) {
        bundle_free(b);
        return stance_error_set(err, STANCE_ERR_USAGE, "--search needs cross-validation (--cv 2+)");
    }
    if (opt->calibration != TRAINER_CALIBRATION_TEMPERATURE && opt->folds < 2) {
        bundle_free(b);
        return stance_error_set(err, STANCE_ERR_USAGE,
                                "--calibration %s is fitted on held-out decision values: it "
                                "needs cross-validation (--cv 2+)",
                                opt->calibration == TRAINER_CALIBRATION_BIAS ? "bias" : "ece");
    }
    if (opt->tune_offsets && opt->folds < 2) {
        bundle_free(b);
        return stance_error_set(err, STANCE_ERR_USAGE,
                                "--tune-offsets are tuned on held-out decision values: they "
                                "need cross-validation (--cv 2+)");
    }
    if (opt->search && opt->target_models) {
        bundle_free(b);
        return stance_error_set(err, STANCE_ERR_USAGE,
                                "--target-models cannot be combined with --search: search the "
                                "settings first, then train with them and --target-models");
    }
    if (opt->nmembers && (opt->search || opt->target_models)) {
        bundle_free(b);
        return stance_error_set(err, STANCE_ERR_USAGE,
                                "--member cannot be combined with --search or --target-models");
    }
    if (opt->folds == 1 || opt->folds < 0 || opt->folds > 100) {
        bundle_free(b);
        return stance_error_set(err, STANCE_ERR_USAGE, "--cv must be 0 or 2..100");
    }
    set_print_string_function(quiet);
    dataset d = {0};
    int rc = 0;
    d.groups = strmap_new(1024);
    d.tasks = calloc(nspecs, sizeof *d.tasks);
    b->tasks = calloc(nspecs, sizeof *b->tasks);
    if (!d.groups || !d.tasks || !b->tasks)
        rc = nomem(err, "out of memory");
    for (size_t t = 0; t < nspecs && !rc; t++) {
        task_data *td = &d.tasks[t];
        td->spec = &specs[t];
        td->label_column = specs[t].ntarget_columns
                               ? NULL
                               : (specs[t].label_column ? specs[t].label_column : specs[t].name);
        td->label_ids = strmap_new(16);
        td->target_ids = strmap_new(16);
        if (!td->label_ids || !td->target_ids)
            rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
        d.ntasks++;
    }
    for (size_t i = 0; i < npaths && !rc; i++)
        rc = read_file(paths[i], opt, &d, rep, err);
    if (!rc && d.nrows == 0)
        rc = stance_error_set(err, STANCE_ERR_DATA, "no usable rows in the training data");
    for (size_t t = 0; t < nspecs && !rc; t++) {
        double *own = NULL; /* --member: the task's own out-of-fold probabilities */
        if (opt->nmembers && opt->folds >= 2 &&
            !(own = malloc((d.tasks[t].n * d.tasks[t].nlabels + 1) * sizeof *own)))
            rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
        if (!rc)
            rc = opt->search ? search_task(&d, &d.tasks[t], opt, ps, &b->tasks[t], err)
                             : train_task(&d, &d.tasks[t], opt, ps, 1, NULL, &b->tasks[t], NULL,
                                          NULL, own, err);
        if (!rc && opt->nmembers)
            rc = train_members(&d, &d.tasks[t], opt, ps, &b->tasks[t], own, err);
        free(own);
        if (!rc && opt->target_models && b->tasks[t].target_dependent)
            rc = train_target_models(&d, &d.tasks[t], opt, ps, &b->tasks[t], err);
        if (!rc) {
            b->tasks[t].name = strdup(specs[t].name);
            b->ntasks++;
        } else {
            bundle_task_clear(&b->tasks[t]);
        }
    }
    dataset_free(&d);
    if (rc) {
        bundle_free(b);
        return rc;
    }
    *out = b;
    return 0;
}
