/*
 * trainer.h - labelled CSV rows -> a trained bundle (one LIBLINEAR model per task).
 *
 * For each task: collect its examples (rows with a label; for a target-dependent task one
 * example per (row, target)), extract terms once and keep them as ids, split the examples
 * into K folds (stratified by label; grouped so that rows of one article or one sentence
 * never straddle a fold), build each fold's vocabulary from its training part only, train
 * every C of the grid on each fold, pick the C with the best out-of-fold macro-F1 (or the
 * cv_metric), fit the
 * probability temperature (and with calibration BIAS a bias per label) on the held-out decision
 * values of that C, and train the final
 * model on all examples. With target_models, a target-dependent task then gets one more model
 * per target, trained and cross-validated the same way on that target's examples alone
 * (trainer.c, train_target_models). Everything is seeded: the same input gives the same bundle.
 *
 * LIBLINEAR's training output is silenced and its global rand() seeded here; do not run two
 * trainers in one process at the same time.
 */
#ifndef STANCE_TRAINER_H
#define STANCE_TRAINER_H

#include <stddef.h>

#include "bundle.h"
#include "error.h"
#include "extract.h"
#include "parties.h"

typedef struct trainer_task_spec {
    const char *name;                  /* task name: "outlook" */
    const char *label_column;          /* NULL = the task name */
    const char *target_column;         /* long format: the column that names the target */
    const char *const *target_columns; /* wide format: a label column per target */
    size_t ntarget_columns;
} trainer_task_spec;

/* Called now and then with what the trainer is doing; may be NULL. */
typedef void (*trainer_progress_fn)(void *ctx, const char *task, const char *stage, size_t done,
                                    size_t total);

/* How held-out decision values become probabilities (classify.h). */
typedef enum trainer_calibration {
    TRAINER_CALIBRATION_TEMPERATURE = 0, /* softmax(z / T): the default, and every older bundle */
    TRAINER_CALIBRATION_BIAS = 1,        /* softmax(z / T + b), b one per label, fitted with T */
    TRAINER_CALIBRATION_ECE = 2          /* softmax(z / T), T of least held-out top-label ECE */
} trainer_calibration;

typedef struct trainer_options {
    features_config features;
    int folds;                /* cross-validation folds (>= 2), or 0 for none */
    double c;                 /* > 0: use this C; 0: choose from the grid by CV */
    const char *solver;       /* LIBLINEAR solver name; NULL = "L2R_LR" */
    int balanced;             /* class weights n / (k * n_class) */
    double bias;              /* LIBLINEAR bias term (1 = on, -1 = off) */
    const char *text_column;  /* NULL = "text" */
    const char *id_column;    /* NULL = "id" */
    const char *group_column; /* rows with the same value stay in one fold; NULL = none */
    const char *lang_column;  /* per-row language when present; NULL = "lang" if it exists */
    const char *where_column; /* train only on rows whose where_column equals where_value */
    const char *where_value;
    const char *aggregation;      /* sentence -> article aggregation stored for predict (scorer.h);
                                     NULL = "balance" */
    double aggregation_threshold; /* for "balance" (default 0.06, see README) */
    double aggregation_scale;     /* for "balance" (default 10) */
    const char *cv_metric;        /* what cross-validation maximizes when it chooses C (and
                                     --search a setting): "macro_f1" (default, NULL), "f_avg"
                                     (mean F1 of favor and against), "f1_pn" (of positive and
                                     negative), "f_avg_targets" (f_avg per target, averaged) */
    int search;                   /* 1 = choose features, target handling, solver and class weights
                                     per task by cross-validation (see trainer.c, search_task) */
    int target_models;            /* 1 = for a target-dependent task, also one model per target
                                     (trainer.c, train_target_models); not with search */
    trainer_calibration calibration; /* fitted on the out-of-fold decision values of the chosen
                                        C (of each model, per-target ones included); with BIAS
                                        the bias can change labels, so each C of the grid is
                                        judged by the argmax of its own calibrated probabilities
                                        and the CV report (accuracy, macro_f1, ece, score, the
                                        official metrics) is of the chosen C's calibrated
                                        probabilities and their argmax */
    int tune_offsets;                /* 1 = add to each model's calibrated scores one offset per
                                        label, tuned on the chosen C's out-of-fold decision
                                        values to maximize the CV metric (stored as the
                                        bundle's class_bias); the CV report is then of the
                                        offsets cross-fitted over the folds */
    int shared_folds;                /* 1 = with target_models: cross-validate each target's model
                                        on the shared model's folds and report the pooled
                                        out-of-fold score over all examples (comparable with the
                                        shared model's CV); 0 = folds within each target */
    /* stance-train --member: further models of each task's ensemble. Each is trained from
     * its own entry's features, solver, c, balanced, bias, calibration and tune_offsets (the
     * other fields are this struct's) on the task's examples and folds; the bundle averages
     * the calibrated probabilities of the task's own model and these (bundle.h, "members").
     * Not with search or target_models. */
    const struct trainer_options *members;
    size_t nmembers;
    unsigned long seed;
    trainer_progress_fn progress;
    void *progress_ctx;
} trainer_options;

void trainer_options_default(trainer_options *o);

/* 1 when name is one of the cv_metric values above. */
int trainer_cv_metric_valid(const char *name);

/* What happened to the input rows. Free with trainer_report_clear. */
typedef struct trainer_report {
    size_t rows_read;      /* records the readers returned */
    size_t rows_rejected;  /* unreadable records (bad UTF-8, ragged rows, empty text) */
    size_t labels_skipped; /* labels outside a task's label set, empty targets */
    char **warnings;       /* the first few messages, each naming file and line */
    size_t nwarnings;
} trainer_report;
void trainer_report_clear(trainer_report *r);

/* Trains the tasks from the CSV files and returns a bundle (caller frees with bundle_free)
 * that takes ownership of `parties` (may be NULL) even on failure. The bundle has no name,
 * trained_at or training_data yet: the caller fills those. Returns 0 or an error code:
 * STANCE_ERR_DATA for unusable data (no rows, a task with one label, a missing column),
 * STANCE_ERR_IO for unreadable files, STANCE_ERR_USAGE for bad options. */
int trainer_run(const char *const *paths, size_t npaths, const trainer_task_spec *specs,
                size_t nspecs, const trainer_options *opt, parties *parties, bundle **out,
                trainer_report *report, stance_error *err);

#endif
