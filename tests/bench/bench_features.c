/*
 * bench_features - the feature pipeline alone, timed, and stance's vectors for the peers.
 *
 * Part of `make bench` (tests/bench/run_bench.py drives it); never a ctest test.
 *
 *   bench_features extract [--mb N] [--model DIR] [--task NAME] [--lang-given] [--json]
 *                  NAME=FILE [NAME=FILE ...]
 *       For each NAME=FILE (a CSV or JSONL with a text column; NAME is a label such as "ru"),
 *       loads the texts into memory, then runs features_terms over them on this one thread,
 *       round after round, until at least N MB (10^6 bytes of UTF-8 text, default 200) have
 *       gone through, and reports MB/s, texts/s, tokens/s and terms/s. Loading is outside the
 *       clock, so the figure is extraction alone: normalization, segmentation, language
 *       identification (unless --lang-given: NAME is then passed as the language), stemming
 *       and n-grams. With --model, the feature configuration is the bundle task's (default:
 *       the first task) and vocab_vectorize (terms -> tf-idf nodes) is timed too, apart.
 *       Without it, features_config_default.
 *       "tokens" are the word units (unigram terms); "terms" everything emitted (n-grams too).
 *
 *   bench_features svmlight --model DIR [--task NAME] [--label-column COL] [--time-train C]
 *                  IN.csv OUT.svm
 *       Writes the vectors stance builds for IN's texts with the bundle's vocabulary, one line
 *       per record in LIBLINEAR/svmlight form "LABEL IDX:VAL ...", LABEL being the index of
 *       the gold label in the task's label list (the class LIBLINEAR sees inside stance), the
 *       bias node included when the task has one. OUT.labels gets the label names, one a
 *       line, so a peer's numeric predictions map back. A record whose label the task does
 *       not know is written with label -1 (counted on stderr). With --time-train C, the same
 *       vectors are also handed to LIBLINEAR's train() in this process (solver of the task,
 *       C, balanced class weights as stance-train uses) and its time is reported: the
 *       solver's floor with no file parsing at all.
 *
 * Output: one JSON object per line on stdout (a machine reads it); a human summary on stderr.
 * Exit status: 0 ok, 2 usage, 3 data, 4 model, 5 I/O, 6 out of memory (common/error.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle.h"
#include "error.h"
#include "extract.h"
#include "reader.h"
#include "vocab.h"

#define MAX_INPUTS 16

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int usage(const char *why)
{
    if (why)
        fprintf(stderr, "bench_features: %s\n", why);
    fprintf(stderr, "usage: bench_features extract [--mb N] [--model DIR] [--task NAME] "
                    "[--lang-given] NAME=FILE ...\n"
                    "       bench_features svmlight --model DIR [--task NAME] "
                    "[--label-column COL] [--time-train C] IN.csv OUT.svm\n");
    return STANCE_ERR_USAGE;
}

/* ---- texts in memory ------------------------------------------------------------------------ */

typedef struct corpus {
    char **text;
    size_t *len;
    char **label; /* gold label per text (svmlight mode), may hold NULLs */
    size_t n, cap;
    size_t bytes;
} corpus;

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->text[i]);
        if (c->label)
            free(c->label[i]);
    }
    free(c->text);
    free(c->len);
    free(c->label);
    memset(c, 0, sizeof *c);
}

/* Reads every readable record of path; label_column (may be NULL) is kept per text. */
static int corpus_load(corpus *c, const char *path, const char *label_column, stance_error *err)
{
    reader_options ro = {0};
    reader *rd = reader_open(path, READER_AUTO, &ro, err);
    if (!rd)
        return err->code;
    record rec = {0};
    int r, rc = 0;
    while ((r = reader_next(rd, &rec, err)) == 1) {
        if (rec.error_code)
            continue;
        if (c->n == c->cap) {
            size_t ncap = c->cap ? c->cap * 2 : 4096;
            char **t = realloc(c->text, ncap * sizeof *t);
            if (t)
                c->text = t;
            size_t *l = realloc(c->len, ncap * sizeof *l);
            if (l)
                c->len = l;
            char **lb = realloc(c->label, ncap * sizeof *lb);
            if (lb)
                c->label = lb;
            if (!t || !l || !lb) {
                rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory loading %s", path);
                break;
            }
            c->cap = ncap;
        }
        const char *lab = label_column ? record_get(&rec, label_column) : NULL;
        c->label[c->n] = lab ? strdup(lab) : NULL;
        c->text[c->n] = rec.text; /* keep the text: the record gives it up */
        c->len[c->n] = rec.text_len;
        rec.text = NULL;
        c->bytes += c->len[c->n];
        c->n++;
    }
    if (r < 0)
        rc = err->code;
    record_clear(&rec);
    reader_close(rd);
    if (!rc && c->n == 0)
        rc = stance_error_set(err, STANCE_ERR_DATA, "%s: no readable records", path);
    return rc;
}

static int find_task(const bundle *b, const char *name, stance_error *err)
{
    if (!name)
        return 0;
    int t = bundle_find_task(b, name);
    if (t < 0)
        return -stance_error_set(err, STANCE_ERR_USAGE, "the bundle has no task \"%s\"", name);
    return t;
}

/* Unigram terms are the word units: no space (n-gram), no '#' (char n-gram), no '|' (conjoined). */
static int is_token_term(const char *t)
{
    return t[0] != '#' && strchr(t, ' ') == NULL && strchr(t, '|') == NULL;
}

/* ---- extract ---------------------------------------------------------------------------- */

static int cmd_extract(int argc, char **argv)
{
    double mb = 200;
    const char *model_path = NULL, *task_name = NULL;
    int lang_given = 0;
    const char *names[MAX_INPUTS], *paths[MAX_INPUTS];
    size_t ninputs = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc) {
            mb = strtod(argv[++i], NULL);
            if (!(mb > 0))
                return usage("--mb must be > 0");
        } else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
            model_path = argv[++i];
        } else if (strcmp(argv[i], "--task") == 0 && i + 1 < argc) {
            task_name = argv[++i];
        } else if (strcmp(argv[i], "--lang-given") == 0) {
            lang_given = 1;
        } else if (strchr(argv[i], '=') && argv[i][0] != '-' && ninputs < MAX_INPUTS) {
            char *eq = strchr(argv[i], '=');
            *eq = '\0';
            names[ninputs] = argv[i];
            paths[ninputs++] = eq + 1;
        } else {
            return usage("unknown argument");
        }
    }
    if (ninputs == 0)
        return usage("no NAME=FILE input");

    stance_error err = {0};
    bundle *b = NULL;
    const bundle_task *bt = NULL;
    features_config cfg;
    features_config_default(&cfg);
    if (model_path) {
        b = bundle_load(model_path, &err);
        if (!b) {
            fprintf(stderr, "bench_features: %s\n", err.message);
            return err.code;
        }
        int t = find_task(b, task_name, &err);
        if (t < 0) {
            bundle_free(b);
            fprintf(stderr, "bench_features: %s\n", err.message);
            return -t;
        }
        bt = &b->tasks[t];
        cfg = bt->features;
    }
    features_extractor *fx = features_extractor_new(&cfg, b ? b->parties : NULL, &err);
    if (!fx) {
        bundle_free(b);
        fprintf(stderr, "bench_features: %s\n", err.message);
        return err.code;
    }
    term_list tl = {0};
    feature_vec fv = {0};
    int rc = 0;
    for (size_t in = 0; in < ninputs && !rc; in++) {
        corpus c = {0};
        rc = corpus_load(&c, paths[in], NULL, &err);
        if (rc)
            break;
        const double target = mb * 1e6;
        size_t texts = 0, tokens = 0, terms = 0;
        double bytes = 0, t_round = 0, t_vec = 0;
        /* An untimed first pass counts the word tokens of one round and warms up what a real
         * run also loads once per process (ICU data, the stem cache). */
        size_t round_tokens = 0;
        for (size_t i = 0; i < c.n && !rc; i++) {
            term_list_clear(&tl);
            rc = features_terms(fx, c.text[i], c.len[i], lang_given ? names[in] : NULL, -1, NULL,
                                &tl, &err);
            for (size_t j = 0; j < tl.count; j++)
                round_tokens += (size_t)is_token_term(term_list_get(&tl, j));
        }
        while (bytes < target && !rc) {
            /* One timed round over the whole corpus. With a bundle, vocab_vectorize is timed
             * per text (a clock read is ~20 ns against tens of microseconds per text) and
             * subtracted, so "extract" stays extraction alone. */
            double t0 = now_s();
            for (size_t i = 0; i < c.n && !rc; i++) {
                term_list_clear(&tl);
                rc = features_terms(fx, c.text[i], c.len[i], lang_given ? names[in] : NULL, -1,
                                    NULL, &tl, &err);
                terms += tl.count;
                if (bt && !rc) {
                    double t1 = now_s();
                    rc = vocab_vectorize(bt->vocab, &tl, bt->features.sublinear_tf, bt->bias, &fv,
                                         &err);
                    t_vec += now_s() - t1;
                }
            }
            t_round += now_s() - t0;
            bytes += (double)c.bytes;
            texts += c.n;
        }
        double t_extract = t_round - t_vec;
        if (!rc) {
            size_t rounds = texts / c.n;
            tokens = round_tokens * rounds;
            double mbps = bytes / 1e6 / t_extract;
            printf("{\"name\":\"%s\",\"file\":\"%s\",\"corpus_texts\":%zu,\"corpus_bytes\":%zu,"
                   "\"rounds\":%zu,\"texts\":%zu,\"bytes\":%.0f,\"seconds\":%.4f,"
                   "\"mb_per_s\":%.3f,\"texts_per_s\":%.1f,\"tokens\":%zu,\"tokens_per_s\":%.1f,"
                   "\"terms\":%zu,\"terms_per_s\":%.1f,\"lang_given\":%s",
                   names[in], paths[in], c.n, c.bytes, rounds, texts, bytes, t_extract, mbps,
                   (double)texts / t_extract, tokens, (double)tokens / t_extract, terms,
                   (double)terms / t_extract, lang_given ? "true" : "false");
            if (bt)
                printf(",\"vectorize_seconds\":%.4f,\"vectorize_mb_per_s\":%.3f", t_vec,
                       t_vec > 0 ? bytes / 1e6 / t_vec : 0.0);
            printf("}\n");
            fflush(stdout);
            fprintf(stderr, "%-8s %8.1f MB in %7.2f s: %7.2f MB/s, %9.0f tokens/s, %8.0f texts/s\n",
                    names[in], bytes / 1e6, t_extract, mbps, (double)tokens / t_extract,
                    (double)texts / t_extract);
        }
        corpus_free(&c);
    }
    if (rc)
        fprintf(stderr, "bench_features: %s\n", err.message);
    term_list_free(&tl);
    feature_vec_free(&fv);
    features_extractor_free(fx);
    bundle_free(b);
    return rc;
}

/* ---- svmlight ------------------------------------------------------------------------------- */

static void quiet_print(const char *s)
{
    (void)s;
}

static int cmd_svmlight(int argc, char **argv)
{
    const char *model_path = NULL, *task_name = NULL, *label_column = "label";
    const char *in_path = NULL, *out_path = NULL;
    double train_c = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model_path = argv[++i];
        else if (strcmp(argv[i], "--task") == 0 && i + 1 < argc)
            task_name = argv[++i];
        else if (strcmp(argv[i], "--label-column") == 0 && i + 1 < argc)
            label_column = argv[++i];
        else if (strcmp(argv[i], "--time-train") == 0 && i + 1 < argc)
            train_c = strtod(argv[++i], NULL);
        else if (argv[i][0] != '-' && !in_path)
            in_path = argv[i];
        else if (argv[i][0] != '-' && !out_path)
            out_path = argv[i];
        else
            return usage("unknown argument");
    }
    if (!model_path || !in_path || !out_path)
        return usage("svmlight needs --model, IN and OUT");

    stance_error err = {0};
    bundle *b = bundle_load(model_path, &err);
    if (!b) {
        fprintf(stderr, "bench_features: %s\n", err.message);
        return err.code;
    }
    int t = find_task(b, task_name, &err);
    if (t < 0) {
        bundle_free(b);
        fprintf(stderr, "bench_features: %s\n", err.message);
        return -t;
    }
    const bundle_task *bt = &b->tasks[t];
    if (bt->target_dependent) {
        bundle_free(b);
        fprintf(stderr,
                "bench_features: task \"%s\" is target-dependent; the benchmark uses a "
                "plain task\n",
                bt->name);
        return STANCE_ERR_USAGE;
    }
    corpus c = {0};
    int rc = corpus_load(&c, in_path, label_column, &err);
    features_extractor *fx = rc ? NULL : features_extractor_new(&bt->features, b->parties, &err);
    if (!rc && !fx)
        rc = err.code;
    FILE *out = rc ? NULL : fopen(out_path, "w");
    if (!rc && !out)
        rc = stance_error_set(&err, STANCE_ERR_IO, "%s: cannot create: %s", out_path,
                              strerror(errno));
    /* For --time-train the vectors are kept: nodes of all rows in one block, rows point in. */
    struct feature_node *all = NULL;
    size_t all_n = 0, all_cap = 0;
    size_t *row_at = NULL;
    double *y = NULL;
    if (!rc && train_c > 0) {
        row_at = malloc(c.n * sizeof *row_at);
        y = malloc(c.n * sizeof *y);
        if (!row_at || !y)
            rc = stance_error_set(&err, STANCE_ERR_NOMEM, "out of memory keeping vectors");
    }
    term_list tl = {0};
    feature_vec fv = {0};
    size_t unknown = 0, written = 0;
    double t0 = now_s();
    for (size_t i = 0; i < c.n && !rc; i++) {
        term_list_clear(&tl);
        rc = features_terms(fx, c.text[i], c.len[i], NULL, -1, NULL, &tl, &err);
        if (!rc)
            rc = vocab_vectorize(bt->vocab, &tl, bt->features.sublinear_tf, bt->bias, &fv, &err);
        if (rc)
            break;
        int label = c.label[i] ? bundle_task_label(bt, c.label[i]) : -1;
        if (label < 0)
            unknown++;
        fprintf(out, "%d", label);
        for (size_t j = 0; j < fv.count; j++)
            fprintf(out, " %d:%.6g", fv.nodes[j].index, fv.nodes[j].value);
        fputc('\n', out);
        written++;
        if (row_at && label >= 0) {
            if (all_n + fv.count + 1 > all_cap) {
                size_t ncap = all_cap ? all_cap * 2 : 1 << 20;
                while (ncap < all_n + fv.count + 1)
                    ncap *= 2;
                struct feature_node *na = realloc(all, ncap * sizeof *na);
                if (!na) {
                    rc = stance_error_set(&err, STANCE_ERR_NOMEM, "out of memory keeping vectors");
                    break;
                }
                all = na;
                all_cap = ncap;
            }
            size_t m = written - unknown - 1;
            row_at[m] = all_n;
            y[m] = label;
            memcpy(all + all_n, fv.nodes, (fv.count + 1) * sizeof *all);
            all_n += fv.count + 1;
        }
    }
    double t_vec = now_s() - t0;
    if (out && fclose(out) != 0 && !rc)
        rc = stance_error_set(&err, STANCE_ERR_IO, "%s: write failed", out_path);
    if (!rc) {
        char lpath[4096];
        snprintf(lpath, sizeof lpath, "%s.labels", out_path);
        FILE *lf = fopen(lpath, "w");
        if (!lf) {
            rc = stance_error_set(&err, STANCE_ERR_IO, "%s: cannot create", lpath);
        } else {
            for (size_t k = 0; k < bt->nlabels; k++)
                fprintf(lf, "%s\n", bt->labels[k]);
            if (fclose(lf) != 0)
                rc = stance_error_set(&err, STANCE_ERR_IO, "%s: write failed", lpath);
        }
    }
    double t_train = -1;
    if (!rc && train_c > 0) {
        size_t m = written - unknown;
        struct feature_node **x = malloc((m ? m : 1) * sizeof *x);
        double *weights = calloc(bt->nlabels, sizeof *weights);
        int *wl = calloc(bt->nlabels, sizeof *wl);
        if (!x || !weights || !wl) {
            rc = stance_error_set(&err, STANCE_ERR_NOMEM, "out of memory for the solver");
        } else {
            for (size_t i = 0; i < m; i++) {
                x[i] = all + row_at[i];
                weights[(int)y[i]] += 1;
            }
            /* the class weights of stance-train (trainer.c): n / (k * n_class) */
            for (size_t k = 0; k < bt->nlabels; k++) {
                wl[k] = (int)k;
                weights[k] = weights[k] > 0 ? (double)m / ((double)bt->nlabels * weights[k]) : 1;
            }
            struct problem prob = {(int)m, (int)vocab_size(bt->vocab) + (bt->bias >= 0 ? 1 : 0), y,
                                   x, bt->bias};
            struct parameter param = {0};
            param.solver_type = bt->model->param.solver_type;
            param.C = train_c;
            param.eps = bt->model->param.eps > 0 ? bt->model->param.eps : 0.01;
            param.p = 0.1;
            param.nr_weight = (int)bt->nlabels;
            param.weight_label = wl;
            param.weight = weights;
            set_print_string_function(quiet_print);
            srand(1);
            const char *bad = check_parameter(&prob, &param);
            if (bad) {
                rc = stance_error_set(&err, STANCE_ERR_USAGE, "liblinear: %s", bad);
            } else {
                double t1 = now_s();
                struct model *mdl = train(&prob, &param);
                t_train = now_s() - t1;
                free_and_destroy_model(&mdl);
            }
        }
        free(x);
        free(weights);
        free(wl);
    }
    if (!rc) {
        printf("{\"file\":\"%s\",\"out\":\"%s\",\"rows\":%zu,\"unknown_labels\":%zu,"
               "\"features\":%zu,\"extract_and_write_seconds\":%.3f",
               in_path, out_path, written, unknown, vocab_size(bt->vocab), t_vec);
        if (t_train >= 0)
            printf(",\"solver_c\":%g,\"solver_seconds\":%.3f", train_c, t_train);
        printf("}\n");
        if (unknown)
            fprintf(stderr, "bench_features: %zu rows with a label the task does not know\n",
                    unknown);
    } else {
        fprintf(stderr, "bench_features: %s\n", err.message);
    }
    free(all);
    free(row_at);
    free(y);
    term_list_free(&tl);
    feature_vec_free(&fv);
    features_extractor_free(fx);
    corpus_free(&c);
    bundle_free(b);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(NULL);
    if (strcmp(argv[1], "extract") == 0)
        return cmd_extract(argc - 2, argv + 2);
    if (strcmp(argv[1], "svmlight") == 0)
        return cmd_svmlight(argc - 2, argv + 2);
    return usage("the first argument is extract or svmlight");
}
