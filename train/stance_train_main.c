/*
 * stance-train - train a stance bundle from labelled CSV.
 * See `stance-train --help` (and README.md) for the options; exit codes are those of
 * common/error.h: 0 ok, 2 usage, 3 data, 4 model, 5 I/O, 6 out of memory.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "bundle.h"
#include "sha256.h"
#include "trainer.h"

#define MAX_TASKS 16
#define MAX_FILES 64
#define MAX_MEMBERS 8
#define MAX_MEMBER_WORDS 64

static const char usage_text[] =
    "usage: stance-train --data FILE [--data FILE ...] --task NAME [task options] [--task ...]\n"
    "                    --out NAME.model [options]\n"
    "\n"
    "Trains one LIBLINEAR model per task from RFC 4180 CSV (or JSONL) with a header row and\n"
    "writes a model bundle directory atomically.\n"
    "\n"
    "Task options (apply to the --task before them):\n"
    "  --label-column COL     column with the task's labels (default: the task name)\n"
    "  --target-column COL    long format: COL names the target of each row (e.g. party);\n"
    "                         the task is then scored per target\n"
    "  --target-columns A,B   wide format: one label column per target (e.g. russia,ukraine)\n"
    "\n"
    "Data:\n"
    "  --text-column COL      text column (default text)\n"
    "  --id-column COL        id column (default id; optional)\n"
    "  --group-column COL     rows sharing COL stay in one cross-validation fold (articles)\n"
    "  --lang-column COL      per-row language (default lang, when present; else detected)\n"
    "  --where COL=VALUE      train only on rows whose COL is VALUE (e.g. split=train)\n"
    "  --aliases FILE.tsv     party aliases (party<TAB>pattern), repeatable\n"
    "Model:\n"
    "  --cv K                 folds for choosing C and calibrating (default 5; 0 = none)\n"
    "  --c C                  use this C instead of choosing from 0.1 0.3 1 3 10 30\n"
    "  --solver NAME          LIBLINEAR solver (default L2R_LR; e.g. L2R_L2LOSS_SVC_DUAL)\n"
    "  --no-class-weights     do not weight classes by inverse frequency\n"
    "  --cv-metric M          what cross-validation maximizes when it chooses C (and --search a\n"
    "                         setting), on the held-out predictions: macro_f1 (default), f_avg\n"
    "                         (mean F1 of favor and against), f1_pn (of positive and negative),\n"
    "                         f_avg_targets (f_avg of each target's rows, averaged over targets)\n"
    "  --seed N               seed for folds and LIBLINEAR (default 1)\n"
    "  --search               per task, choose by the cross-validated --cv-metric, one\n"
    "                         setting at a time from the options given and in this order:\n"
    "                         word n-grams (1-3), character n-grams (off, 2-5, 3-6), target\n"
    "                         handling, NB weighting, negation marks, solver (L2R_LR or the\n"
    "                         L2-loss SVM), class weights, punctuation runs, per-block\n"
    "                         normalisation, hashtag splitting and URL/mention classes (where\n"
    "                         the texts have them), min df (1, 2) and the target window (0, 3,\n"
    "                         6); a change must gain over 0.002; the table of what it tried\n"
    "                         goes into the manifest (cross_validation.search)\n"
    "  --calibration CAL      how held-out decision values become probabilities: temperature\n"
    "                         (default; softmax(values / T), one T per model, T by the\n"
    "                         held-out log-likelihood), bias (softmax(values / T + b), T and\n"
    "                         one bias per label fitted together on the held-out values; the\n"
    "                         bias can change labels, so C is then chosen, and the CV report\n"
    "                         made, by the calibrated labels) or ece (softmax(values / T), T of\n"
    "                         the least held-out expected calibration error; labels unchanged);\n"
    "                         bias and ece: the report compares them with the default, also\n"
    "                         cross-fitted)\n"
    "  --tune-offsets         add to each model's calibrated scores one offset per label,\n"
    "                         chosen on the held-out decision values of the chosen C to\n"
    "                         maximize the --cv-metric (they favour minority labels for\n"
    "                         F1-type metrics), stored in the bundle with any bias; the CV\n"
    "                         report is then of offsets cross-fitted over the folds (default\n"
    "                         off)\n"
    "  --aggregation AGG      how stance-predict turns sentences into an article verdict:\n"
    "                         balance (default), mean, polar, or document (score the whole\n"
    "                         text, for models trained on whole tweets or reviews)\n"
    "Features:\n"
    "  --ngrams N             word n-grams 1..N over stems (default 2)\n"
    "  --char-ngrams MIN-MAX  character n-grams inside words (default off; e.g. 2-5)\n"
    "  --min-df N             drop terms in fewer than N training texts (default 2)\n"
    "  --max-features N       keep the N most frequent terms (default all)\n"
    "  --negation N           mark N tokens after a negation (default 3; 0 = off)\n"
    "  --no-target-mask       do not replace party mentions by <t>/<o> in target tasks\n"
    "  --target-conjoin       add target-prefixed copies of every term in target tasks\n"
    "  --per-target           with --target-conjoin: only the target-prefixed terms (one model\n"
    "                         per target in effect)\n"
    "  --target-models        target tasks: besides the shared model, one model per target\n"
    "                         trained on that target's rows alone (its own vocabulary, class\n"
    "                         weights, C and temperature, cross-validated within the target);\n"
    "                         prediction uses the target's model, and the shared one for a\n"
    "                         target without a model (unseen, or lacking a label in training)\n"
    "  --shared-folds         with --target-models: cross-validate each target's model on the\n"
    "                         shared model's folds and report the per-target models' pooled\n"
    "                         out-of-fold score over all rows (comparable with the shared\n"
    "                         model's CV score; default: folds drawn within each target)\n"
    "  --target-window N      target tasks: add the units within N words of a target mention\n"
    "                         as separate features, and mask a target that is no party where\n"
    "                         its own words occur (entity-targeted data); default 0 = off\n"
    "  --no-sublinear-tf      raw term counts instead of 1+ln(count)\n"
    "  --nb-weighting         multiply each term's idf by its naive-Bayes log-count ratio\n"
    "                         (NBSVM; the largest |ratio| over one-vs-rest labels), counted on\n"
    "                         the training part of each fold; stored in the bundle's vocabulary\n"
    "  --punct-tokens         runs of punctuation and symbols become tokens (\"%!!!\", \"%:)\";\n"
    "                         a character repeated over 3 times counts 3 times; 8 characters\n"
    "                         at most) in word and character n-grams (default off)\n"
    "  --block-norm           L2-normalize word terms and character n-grams separately (each\n"
    "                         block to length 1, as scikit-learn's word + char_wb union)\n"
    "  --split-hashtags       a hashtag written in several words (\"#StopTheWar\", \"#stop_war\")\n"
    "                         is followed by those words, cut at its capitals, digits and\n"
    "                         underscores; the hashtag stays a word too (default off)\n"
    "  --link-classes         URLs become the term \"<url>\" and @mentions \"<@>\" (default off)\n"
    "Ensemble:\n"
    "  --member FLAGS         one more model for every task, trained from the defaults and\n"
    "                         FLAGS (feature and model options separated by spaces, e.g.\n"
    "                         \"--char-ngrams 2-5 --solver L2R_L2LOSS_SVC_DUAL\") on the same\n"
    "                         examples and folds; the bundle's probabilities are the mean of\n"
    "                         every model's calibrated probabilities, and the CV report adds\n"
    "                         the ensemble's out-of-fold scores; repeatable (8 at most), not\n"
    "                         with --search or --target-models\n"
    "  --stemming SPEC        per-language stemming, e.g. ru=snowball:russian,uk=prefix:6,*=none\n"
    "Output:\n"
    "  --out NAME.model       the bundle directory to write (replaced atomically)\n"
    "  --json                 print the cross-validation report as JSON on stdout\n"
    "  -q, --quiet            no progress line\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 bad data, 4 model, 5 I/O error, 6 out of memory.\n"
    "SOURCE_DATE_EPOCH, when set, fixes the bundle's trained_at date (reproducible builds).\n";

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void progress(void *ctx, const char *task, const char *stage, size_t done, size_t total)
{
    (void)ctx;
    fprintf(stderr, "\r\033[K[%s] %s %zu/%zu", task, stage, done, total);
    fflush(stderr);
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "stance-train: %s%s%s\nTry 'stance-train --help'.\n", msg, arg ? " " : "",
            arg ? arg : "");
    return STANCE_ERR_USAGE;
}

/* "a,b,c" -> a NULL-terminated array of strings inside one allocation (caller frees). */
static char **split_commas(const char *s, size_t *n)
{
    size_t count = 1, len = strlen(s);
    for (const char *p = s; *p; p++)
        count += *p == ',';
    char **v = malloc((count + 1) * sizeof *v + len + 1);
    if (!v)
        return NULL;
    char *buf = (char *)(v + count + 1);
    memcpy(buf, s, len + 1);
    size_t i = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ","))
        v[i++] = tok;
    v[i] = NULL;
    *n = i;
    return v;
}

static char *bundle_name_from_path(const char *out)
{
    const char *base = strrchr(out, '/');
    base = base ? base + 1 : out;
    size_t n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    if (n > 6 && strncmp(base + n - 6, ".model", 6) == 0)
        n -= 6;
    return strndup(base, n);
}

static char *today(void)
{
    time_t t = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde)
        t = (time_t)strtoll(sde, NULL, 10);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return strdup(buf);
}

/* The --tune-offsets comparison of a CV report, when it has one. */
static void print_tuned_offsets(const cJSON *cv)
{
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(cv, "tuned_offsets");
    if (!to)
        return;
    const char *mname = cJSON_GetObjectItemCaseSensitive(cv, "metric")->valuestring;
    static const char *const parts[] = {"none", "in_sample", "cross_fitted"};
    printf("  tuned offsets, %s / ECE:", mname);
    for (size_t p = 0; p < 3; p++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(to, parts[p]);
        printf(" %s %.4f / %.4f", parts[p],
               cJSON_GetObjectItemCaseSensitive(o, "score")->valuedouble,
               cJSON_GetObjectItemCaseSensitive(o, "ece")->valuedouble);
    }
    putchar('\n');
}

static void print_report(const bundle *b, const trainer_report *rep, int quiet)
{
    if (!quiet)
        fprintf(stderr, "read %zu rows", rep->rows_read);
    if (rep->rows_rejected)
        fprintf(stderr, "%s%zu unreadable rows (skipped)", quiet ? "" : ", ", rep->rows_rejected);
    if (rep->labels_skipped)
        fprintf(stderr, "%s%zu labels without target (skipped)",
                quiet && !rep->rows_rejected ? "" : ", ", rep->labels_skipped);
    if (!quiet || rep->rows_rejected || rep->labels_skipped)
        fputc('\n', stderr);
    for (size_t i = 0; i < rep->nwarnings; i++)
        fprintf(stderr, "  warning: %s\n", rep->warnings[i]);
    for (size_t t = 0; t < b->ntasks; t++) {
        const bundle_task *bt = &b->tasks[t];
        printf("task %s: %zu labels (", bt->name, bt->nlabels);
        for (size_t l = 0; l < bt->nlabels; l++)
            printf("%s%s", l ? " " : "", bt->labels[l]);
        printf("), %zu features, solver %s, C=%g\n", vocab_size(bt->vocab), bt->solver, bt->c);
        const cJSON *cv = bt->cv;
        if (!cv) {
            printf("  no cross-validation (--cv 0)\n");
            continue;
        }
        const cJSON *grid = cJSON_GetObjectItemCaseSensitive(cv, "grid");
        const cJSON *g;
        if (cJSON_GetArraySize(grid) > 1) {
            const char *mname = cJSON_GetObjectItemCaseSensitive(cv, "metric")->valuestring;
            int extra = strcmp(mname, "macro_f1") != 0;
            printf("  %8s %9s %9s", "C", "accuracy", "macro-F1");
            if (extra)
                printf(" %13s", mname);
            putchar('\n');
            cJSON_ArrayForEach(g, grid)
            {
                printf("  %8g %9.4f %9.4f", cJSON_GetObjectItemCaseSensitive(g, "C")->valuedouble,
                       cJSON_GetObjectItemCaseSensitive(g, "accuracy")->valuedouble,
                       cJSON_GetObjectItemCaseSensitive(g, "macro_f1")->valuedouble);
                if (extra)
                    printf(" %13.4f", cJSON_GetObjectItemCaseSensitive(g, "score")->valuedouble);
                putchar('\n');
            }
        }
        const cJSON *search = cJSON_GetObjectItemCaseSensitive(cv, "search");
        if (search) {
            printf("  search (cross-validated %s of each setting tried, one at a time):\n",
                   cJSON_GetObjectItemCaseSensitive(cv, "metric")->valuestring);
            cJSON_ArrayForEach(g, search)
            {
                printf("    %-14s %-22s %.4f%s\n",
                       cJSON_GetObjectItemCaseSensitive(g, "dimension")->valuestring,
                       cJSON_GetObjectItemCaseSensitive(g, "setting")->valuestring,
                       cJSON_GetObjectItemCaseSensitive(g, "score")->valuedouble,
                       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "chosen")) ? "  chosen"
                                                                                   : "");
            }
        }
        const cJSON *metric = cJSON_GetObjectItemCaseSensitive(cv, "metric");
        if (strcmp(metric->valuestring, "macro_f1") != 0)
            printf("  C chosen by cross-validated %s: %.4f\n", metric->valuestring,
                   cJSON_GetObjectItemCaseSensitive(cv, "score")->valuedouble);
        printf("  %d-fold cross-validated: accuracy %.4f  macro-F1 %.4f  ECE %.4f  "
               "(temperature %.3f, %d examples)\n",
               cJSON_GetObjectItemCaseSensitive(cv, "folds")->valueint,
               cJSON_GetObjectItemCaseSensitive(cv, "accuracy")->valuedouble,
               cJSON_GetObjectItemCaseSensitive(cv, "macro_f1")->valuedouble,
               cJSON_GetObjectItemCaseSensitive(cv, "ece")->valuedouble, bt->temperature,
               cJSON_GetObjectItemCaseSensitive(cv, "examples")->valueint);
        if (bt->class_bias) {
            printf("  class bias:");
            for (size_t l = 0; l < bt->nlabels; l++)
                printf(" %s %+.3f", bt->labels[l], bt->class_bias[l]);
            putchar('\n');
            const char *mname = cJSON_GetObjectItemCaseSensitive(cv, "metric")->valuestring;
            const cJSON *cals = cJSON_GetObjectItemCaseSensitive(cv, "calibrations");
            static const char *const parts[] = {"in_sample", "cross_fitted"};
            for (size_t p = 0; p < 2; p++) {
                const cJSON *part = cJSON_GetObjectItemCaseSensitive(cals, parts[p]);
                const cJSON *ct = cJSON_GetObjectItemCaseSensitive(part, "temperature");
                const cJSON *cb = cJSON_GetObjectItemCaseSensitive(part, "bias");
                if (!ct || !cb)
                    continue;
                printf("  %-12s temperature: ECE %.4f %s %.4f NLL %.4f; bias: ECE %.4f %s %.4f "
                       "NLL %.4f\n",
                       parts[p], cJSON_GetObjectItemCaseSensitive(ct, "ece")->valuedouble, mname,
                       cJSON_GetObjectItemCaseSensitive(ct, "score")->valuedouble,
                       cJSON_GetObjectItemCaseSensitive(ct, "nll")->valuedouble,
                       cJSON_GetObjectItemCaseSensitive(cb, "ece")->valuedouble, mname,
                       cJSON_GetObjectItemCaseSensitive(cb, "score")->valuedouble,
                       cJSON_GetObjectItemCaseSensitive(cb, "nll")->valuedouble);
            }
        }
        print_tuned_offsets(cv);
        for (size_t m = 0; m < bt->nmembers; m++) {
            const bundle_member *bm = &bt->members[m];
            const cJSON *mcv = bm->cv;
            printf("  member %zu: %zu features, solver %s, C=%g", m + 1, vocab_size(bm->vocab),
                   bm->solver, bm->c);
            if (mcv)
                printf(", cross-validated %s %.4f  macro-F1 %.4f",
                       cJSON_GetObjectItemCaseSensitive(mcv, "metric")->valuestring,
                       cJSON_GetObjectItemCaseSensitive(mcv, "score")->valuedouble,
                       cJSON_GetObjectItemCaseSensitive(mcv, "macro_f1")->valuedouble);
            putchar('\n');
        }
        const cJSON *ens = cJSON_GetObjectItemCaseSensitive(cv, "ensemble");
        if (ens)
            printf("  ensemble of %d models (mean probabilities): cross-validated %s %.4f  "
                   "accuracy %.4f  macro-F1 %.4f  ECE %.4f\n",
                   cJSON_GetObjectItemCaseSensitive(ens, "models")->valueint,
                   cJSON_GetObjectItemCaseSensitive(cv, "metric")->valuestring,
                   cJSON_GetObjectItemCaseSensitive(ens, "score")->valuedouble,
                   cJSON_GetObjectItemCaseSensitive(ens, "accuracy")->valuedouble,
                   cJSON_GetObjectItemCaseSensitive(ens, "macro_f1")->valuedouble,
                   cJSON_GetObjectItemCaseSensitive(ens, "ece")->valuedouble);
        const cJSON *tms = cJSON_GetObjectItemCaseSensitive(cv, "target_models");
        if (tms) {
            const cJSON *sc = cJSON_GetObjectItemCaseSensitive(tms, "score");
            printf("  per-target models (%d)",
                   cJSON_GetObjectItemCaseSensitive(tms, "models")->valueint);
            if (cJSON_IsNumber(sc))
                printf(", mean cross-validated %s %.4f",
                       cJSON_GetObjectItemCaseSensitive(tms, "metric")->valuestring,
                       sc->valuedouble);
            putchar('\n');
            const cJSON *pj = cJSON_GetObjectItemCaseSensitive(tms, "pooled");
            if (pj)
                printf("  per-target models pooled, on the shared model's folds: "
                       "cross-validated %s %.4f  macro-F1 %.4f\n",
                       cJSON_GetObjectItemCaseSensitive(pj, "metric")->valuestring,
                       cJSON_GetObjectItemCaseSensitive(pj, "score")->valuedouble,
                       cJSON_GetObjectItemCaseSensitive(pj, "macro_f1")->valuedouble);
            cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(tms, "targets"))
            {
                const cJSON *own = cJSON_GetObjectItemCaseSensitive(g, "C");
                const cJSON *s1 = cJSON_GetObjectItemCaseSensitive(g, "score");
                printf("    %-20s %6d examples  ", g->string,
                       cJSON_GetObjectItemCaseSensitive(g, "examples")->valueint);
                if (!own)
                    printf("shared model: %s\n",
                           cJSON_GetObjectItemCaseSensitive(g, "why")->valuestring);
                else if (cJSON_IsNumber(s1))
                    printf("C=%g  temperature %.3f  %.4f\n", own->valuedouble,
                           cJSON_GetObjectItemCaseSensitive(g, "temperature")->valuedouble,
                           s1->valuedouble);
                else
                    printf("C=%g\n", own->valuedouble);
            }
        }
    }
}

enum {
    O_DATA = 256,
    O_TASK,
    O_LABEL_COL,
    O_TARGET_COL,
    O_TARGET_COLS,
    O_TEXT_COL,
    O_ID_COL,
    O_GROUP_COL,
    O_LANG_COL,
    O_ALIASES,
    O_CV,
    O_C,
    O_SOLVER,
    O_NO_WEIGHTS,
    O_SEED,
    O_NGRAMS,
    O_CHAR,
    O_MIN_DF,
    O_MAX_FEAT,
    O_NEG,
    O_NO_MASK,
    O_CONJOIN,
    O_NO_SUBLIN,
    O_STEM,
    O_OUT,
    O_JSON,
    O_WHERE,
    O_AGG,
    O_SEARCH,
    O_TWIN,
    O_PER_TARGET,
    O_TARGET_MODELS,
    O_SHARED_FOLDS,
    O_CV_METRIC,
    O_NB,
    O_PUNCT,
    O_BLOCK_NORM,
    O_SPLIT_HASHTAGS,
    O_LINK_CLASSES,
    O_CALIBRATION,
    O_TUNE_OFFSETS,
    O_MEMBER
};
static const struct option longopts[] = {{"member", required_argument, 0, O_MEMBER},
                                         {"data", required_argument, 0, O_DATA},
                                         {"task", required_argument, 0, O_TASK},
                                         {"label-column", required_argument, 0, O_LABEL_COL},
                                         {"target-column", required_argument, 0, O_TARGET_COL},
                                         {"target-columns", required_argument, 0, O_TARGET_COLS},
                                         {"text-column", required_argument, 0, O_TEXT_COL},
                                         {"id-column", required_argument, 0, O_ID_COL},
                                         {"group-column", required_argument, 0, O_GROUP_COL},
                                         {"lang-column", required_argument, 0, O_LANG_COL},
                                         {"aliases", required_argument, 0, O_ALIASES},
                                         {"cv", required_argument, 0, O_CV},
                                         {"c", required_argument, 0, O_C},
                                         {"solver", required_argument, 0, O_SOLVER},
                                         {"no-class-weights", no_argument, 0, O_NO_WEIGHTS},
                                         {"seed", required_argument, 0, O_SEED},
                                         {"ngrams", required_argument, 0, O_NGRAMS},
                                         {"char-ngrams", required_argument, 0, O_CHAR},
                                         {"min-df", required_argument, 0, O_MIN_DF},
                                         {"max-features", required_argument, 0, O_MAX_FEAT},
                                         {"negation", required_argument, 0, O_NEG},
                                         {"no-target-mask", no_argument, 0, O_NO_MASK},
                                         {"target-conjoin", no_argument, 0, O_CONJOIN},
                                         {"no-sublinear-tf", no_argument, 0, O_NO_SUBLIN},
                                         {"stemming", required_argument, 0, O_STEM},
                                         {"out", required_argument, 0, O_OUT},
                                         {"json", no_argument, 0, O_JSON},
                                         {"where", required_argument, 0, O_WHERE},
                                         {"aggregation", required_argument, 0, O_AGG},
                                         {"search", no_argument, 0, O_SEARCH},
                                         {"target-window", required_argument, 0, O_TWIN},
                                         {"per-target", no_argument, 0, O_PER_TARGET},
                                         {"target-models", no_argument, 0, O_TARGET_MODELS},
                                         {"shared-folds", no_argument, 0, O_SHARED_FOLDS},
                                         {"cv-metric", required_argument, 0, O_CV_METRIC},
                                         {"nb-weighting", no_argument, 0, O_NB},
                                         {"punct-tokens", no_argument, 0, O_PUNCT},
                                         {"block-norm", no_argument, 0, O_BLOCK_NORM},
                                         {"split-hashtags", no_argument, 0, O_SPLIT_HASHTAGS},
                                         {"link-classes", no_argument, 0, O_LINK_CLASSES},
                                         {"calibration", required_argument, 0, O_CALIBRATION},
                                         {"tune-offsets", no_argument, 0, O_TUNE_OFFSETS},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};

/* The feature and model options, which both the command line and each --member take: applies
 * option c (argument arg) to o. Returns 1 when c is one of them (with *rc set on a bad value),
 * 0 when it is not. */
static int model_option(int c, const char *arg, trainer_options *o, int *rc)
{
    switch (c) {
    case O_C: {
        char *end = NULL;
        o->c = strtod(arg, &end);
        if (!end || *end || !(o->c > 0))
            *rc = usage_error("--c must be a positive number, not", arg);
        break;
    }
    case O_SOLVER:
        o->solver = arg;
        break;
    case O_NO_WEIGHTS:
        o->balanced = 0;
        break;
    case O_NGRAMS:
        if (args_parse_int(arg, 1, 3, &o->features.word_ngram_max))
            *rc = usage_error("--ngrams must be 1, 2 or 3, not", arg);
        break;
    case O_CHAR: {
        int a = 0, b = 0;
        char tail;
        if (strcmp(arg, "0") == 0 || strcmp(arg, "off") == 0)
            a = b = 0;
        else if (sscanf(arg, "%d-%d%c", &a, &b, &tail) != 2 || a < 1 || b < a || b > 8)
            *rc = usage_error("--char-ngrams must look like 2-5 (1..8), not", arg);
        o->features.char_ngram_min = a;
        o->features.char_ngram_max = b;
        break;
    }
    case O_MIN_DF:
        if (args_parse_int(arg, 1, 1 << 30, &o->features.min_df))
            *rc = usage_error("--min-df must be a positive integer, not", arg);
        break;
    case O_MAX_FEAT:
        if (args_parse_int(arg, 0, 1 << 30, &o->features.max_features))
            *rc = usage_error("--max-features must be a non-negative integer, not", arg);
        break;
    case O_NEG:
        if (args_parse_int(arg, 0, 10, &o->features.negation))
            *rc = usage_error("--negation must be 0..10, not", arg);
        break;
    case O_NO_MASK:
        o->features.target_mask = 0;
        break;
    case O_CONJOIN:
        o->features.target_conjoin = 1;
        break;
    case O_NO_SUBLIN:
        o->features.sublinear_tf = 0;
        break;
    case O_STEM:
        if (strlen(arg) >= sizeof o->features.stemming)
            *rc = usage_error("--stemming is too long", NULL);
        else
            snprintf(o->features.stemming, sizeof o->features.stemming, "%s", arg);
        break;
    case O_PER_TARGET:
        o->features.target_only = 1;
        o->features.target_conjoin = 1;
        break;
    case O_TWIN:
        if (args_parse_int(arg, 0, 20, &o->features.target_window))
            *rc = usage_error("--target-window must be 0..20, not", arg);
        break;
    case O_NB:
        o->features.nb_weighting = 1;
        break;
    case O_PUNCT:
        o->features.punct_tokens = 1;
        break;
    case O_BLOCK_NORM:
        o->features.block_norm = 1;
        break;
    case O_SPLIT_HASHTAGS:
        o->features.hashtag_split = 1;
        break;
    case O_LINK_CLASSES:
        o->features.link_classes = 1;
        break;
    case O_CALIBRATION:
        if (strcmp(arg, "temperature") == 0)
            o->calibration = TRAINER_CALIBRATION_TEMPERATURE;
        else if (strcmp(arg, "bias") == 0)
            o->calibration = TRAINER_CALIBRATION_BIAS;
        else if (strcmp(arg, "ece") == 0)
            o->calibration = TRAINER_CALIBRATION_ECE;
        else
            *rc = usage_error("--calibration must be temperature, bias or ece, not", arg);
        break;
    case O_TUNE_OFFSETS:
        o->tune_offsets = 1;
        break;
    default:
        return 0;
    }
    return 1;
}

/* One --member: its flags (feature and model options separated by spaces) over the defaults
 * into *o. words receives the split copy, which o's strings point into: the caller frees it
 * after training. Returns 0 or STANCE_ERR_USAGE (with a message on stderr). */
static int parse_member(const char *flags, trainer_options *o, char **words)
{
    trainer_options_default(o);
    char *copy = strdup(flags);
    *words = copy;
    if (!copy)
        return usage_error("out of memory", NULL);
    char *argv[MAX_MEMBER_WORDS + 2] = {"stance-train --member"};
    int argc = 1;
    for (char *save = NULL, *w = strtok_r(copy, " \t\n", &save); w;
         w = strtok_r(NULL, " \t\n", &save)) {
        if (argc > MAX_MEMBER_WORDS)
            return usage_error("too many words in a --member:", flags);
        argv[argc++] = w;
    }
    if (argc == 1)
        return usage_error("--member needs options, e.g. --member \"--char-ngrams 2-5\"", NULL);
    int rc = 0, c;
    optind = 0; /* GNU getopt: start over on the new vector */
    opterr = 0;
    while (!rc && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
        if (c == '?' || c == ':' || !model_option(c, optarg, o, &rc))
            rc =
                usage_error("--member takes feature and model options only, not", argv[optind - 1]);
    opterr = 1;
    if (!rc && optind < argc)
        rc = usage_error("unexpected argument in a --member:", argv[optind]);
    stance_error err = {0};
    if (!rc && features_config_validate(&o->features, &err) != 0) {
        fprintf(stderr, "stance-train: --member: %s\n", err.message);
        rc = err.code;
    }
    return rc;
}

int main(int argc, char **argv)
{
    trainer_options opt;
    trainer_options_default(&opt);
    trainer_task_spec specs[MAX_TASKS];
    char **target_lists[MAX_TASKS] = {0};
    size_t nspecs = 0, nfiles = 0, naliases = 0;
    const char *files[MAX_FILES], *aliases[MAX_FILES], *out = NULL;
    int quiet = 0, json = 0, c;
    memset(specs, 0, sizeof specs);
    int rc = 0;
    const char *member_flags[MAX_MEMBERS];
    size_t nmembers = 0;
    while (!rc && (c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        trainer_task_spec *cur = nspecs ? &specs[nspecs - 1] : NULL;
        int iv;
        switch (c) {
        case O_DATA:
            if (nfiles == MAX_FILES)
                rc = usage_error("too many --data files", NULL);
            else
                files[nfiles++] = optarg;
            break;
        case O_TASK:
            if (nspecs == MAX_TASKS)
                rc = usage_error("too many --task options", NULL);
            else if (!*optarg || strchr(optarg, '/'))
                rc = usage_error("task names cannot be empty or contain '/':", optarg);
            else
                specs[nspecs++].name = optarg;
            break;
        case O_LABEL_COL:
        case O_TARGET_COL:
        case O_TARGET_COLS:
            if (!cur) {
                rc = usage_error("task options must follow a --task:", argv[optind - 2]);
                break;
            }
            if (c == O_LABEL_COL)
                cur->label_column = optarg;
            else if (c == O_TARGET_COL)
                cur->target_column = optarg;
            else {
                free(target_lists[nspecs - 1]);
                target_lists[nspecs - 1] = split_commas(optarg, &cur->ntarget_columns);
                cur->target_columns = (const char *const *)target_lists[nspecs - 1];
                if (!cur->target_columns || cur->ntarget_columns == 0)
                    rc = usage_error("--target-columns needs a comma-separated list", NULL);
            }
            break;
        case O_TEXT_COL:
            opt.text_column = optarg;
            break;
        case O_ID_COL:
            opt.id_column = optarg;
            break;
        case O_GROUP_COL:
            opt.group_column = optarg;
            break;
        case O_LANG_COL:
            opt.lang_column = optarg;
            break;
        case O_ALIASES:
            if (naliases == MAX_FILES)
                rc = usage_error("too many --aliases files", NULL);
            else
                aliases[naliases++] = optarg;
            break;
        case O_CV:
            if (args_parse_int(optarg, 0, 100, &opt.folds) || opt.folds == 1)
                rc = usage_error("--cv must be 0 or 2..100, not", optarg);
            break;
        case O_SEED:
            if (args_parse_int(optarg, 0, 1 << 30, &iv))
                rc = usage_error("--seed must be a non-negative integer, not", optarg);
            opt.seed = (unsigned long)iv;
            break;
        case O_OUT:
            out = optarg;
            break;
        case O_JSON:
            json = 1;
            break;
        case O_TARGET_MODELS:
            opt.target_models = 1;
            break;
        case O_SHARED_FOLDS:
            opt.shared_folds = 1;
            break;
        case O_CV_METRIC:
            if (!trainer_cv_metric_valid(optarg))
                rc = usage_error("--cv-metric must be macro_f1, f_avg, f1_pn or f_avg_targets, not",
                                 optarg);
            opt.cv_metric = optarg;
            break;
        case O_SEARCH:
            opt.search = 1;
            break;
        case O_AGG:
            if (strcmp(optarg, "polar") && strcmp(optarg, "mean") && strcmp(optarg, "document") &&
                strcmp(optarg, "balance"))
                rc = usage_error("--aggregation must be balance, mean, polar or document, not",
                                 optarg);
            opt.aggregation = optarg;
            break;
        case O_WHERE:
            if (args_split_assignment(optarg, &opt.where_column, &opt.where_value) != 0)
                rc = usage_error("--where takes COL=VALUE, not", optarg);
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            for (size_t i = 0; i < MAX_TASKS; i++)
                free(target_lists[i]);
            return 0;
        case O_MEMBER:
            if (nmembers == MAX_MEMBERS)
                rc = usage_error("too many --member options", NULL);
            else
                member_flags[nmembers++] = optarg;
            break;
        default:
            if (!model_option(c, optarg, &opt, &rc)) {
                rc = STANCE_ERR_USAGE;
                fputs("Try 'stance-train --help'.\n", stderr);
            }
        }
    }
    if (!rc && optind < argc)
        rc = usage_error("unexpected argument:", argv[optind]);
    trainer_options member_opts[MAX_MEMBERS];
    char *member_words[MAX_MEMBERS] = {0};
    for (size_t m = 0; m < nmembers && !rc; m++)
        rc = parse_member(member_flags[m], &member_opts[m], &member_words[m]);
    opt.members = member_opts;
    opt.nmembers = nmembers;
    if (!rc && nfiles == 0)
        rc = usage_error("no --data file given", NULL);
    if (!rc && nspecs == 0)
        rc = usage_error("no --task given", NULL);
    if (!rc && !out)
        rc = usage_error("no --out bundle given", NULL);
    for (size_t t = 0; !rc && t < nspecs; t++)
        if (specs[t].target_column && specs[t].ntarget_columns)
            rc = usage_error("a task takes --target-column or --target-columns, not both:",
                             specs[t].name);
    stance_error err = {0};
    if (!rc && features_config_validate(&opt.features, &err) != 0) {
        fprintf(stderr, "stance-train: %s\n", err.message);
        rc = err.code;
    }
    parties *ps = NULL;
    if (!rc) {
        ps = parties_new();
        if (!ps)
            rc = stance_error_set(&err, STANCE_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < naliases && !rc; i++)
            rc = parties_load_tsv(ps, aliases[i], &err);
        if (rc) {
            fprintf(stderr, "stance-train: %s\n", err.message);
            parties_free(ps);
        }
    }
    if (rc) {
        for (size_t i = 0; i < MAX_TASKS; i++)
            free(target_lists[i]);
        for (size_t m = 0; m < MAX_MEMBERS; m++)
            free(member_words[m]);
        return rc;
    }

    /* SIGINT/SIGTERM during training: the bundle is only renamed into place at the end, so
     * stopping early leaves at most a temporary directory, which bundle_save never publishes;
     * we finish the current step and exit before saving. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!quiet && isatty(STDERR_FILENO)) {
        opt.progress = progress;
    }

    bundle *b = NULL;
    trainer_report rep;
    rc = trainer_run(files, nfiles, specs, nspecs, &opt, ps, &b, &rep, &err);
    if (opt.progress)
        fputs("\r\033[K", stderr);
    if (rc) {
        fprintf(stderr, "stance-train: %s\n", err.message);
        for (size_t i = 0; i < rep.nwarnings; i++)
            fprintf(stderr, "  warning: %s\n", rep.warnings[i]);
    }
    if (!rc && interrupted) {
        fprintf(stderr, "stance-train: interrupted; no bundle written\n");
        rc = 130;
    }
    if (!rc) {
        b->name = bundle_name_from_path(out);
        b->created_by = strdup("stance " STANCE_VERSION);
        b->trained_at = today();
        b->training_data = cJSON_CreateArray();
        for (size_t i = 0; i < nfiles; i++) {
            char hex[65];
            cJSON *f = cJSON_CreateObject();
            const char *base = strrchr(files[i], '/');
            cJSON_AddStringToObject(f, "file", base ? base + 1 : files[i]);
            if (sha256_file_hex(files[i], hex) == 0)
                cJSON_AddStringToObject(f, "sha256", hex);
            cJSON_AddItemToArray(b->training_data, f);
        }
        print_report(b, &rep, quiet);
        rc = bundle_save(b, out, &err);
        if (rc)
            fprintf(stderr, "stance-train: %s\n", err.message);
        else if (!quiet)
            fprintf(stderr, "wrote %s\n", out);
        if (!rc && json) {
            cJSON *j = cJSON_CreateObject();
            cJSON *tasks = cJSON_AddObjectToObject(j, "tasks");
            for (size_t t = 0; t < b->ntasks; t++)
                cJSON_AddItemToObject(tasks, b->tasks[t].name,
                                      b->tasks[t].cv ? cJSON_Duplicate(b->tasks[t].cv, 1)
                                                     : cJSON_CreateNull());
            char *s = cJSON_Print(j);
            if (s)
                puts(s);
            cJSON_free(s);
            cJSON_Delete(j);
        }
    }
    if (!rc && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "stance-train: error writing standard output\n");
        rc = STANCE_ERR_IO;
    }
    trainer_report_clear(&rep);
    bundle_free(b);
    for (size_t i = 0; i < MAX_TASKS; i++)
        free(target_lists[i]);
    for (size_t m = 0; m < MAX_MEMBERS; m++)
        free(member_words[m]);
    return rc;
}
