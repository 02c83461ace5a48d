/*
 * bundle.h - a trained stance model on disk and in memory.
 *
 * A bundle is a directory NAME.model/ holding
 *   manifest.json          format, version, provenance, parties, and per task: labels,
 *                          feature configuration, solver, C, calibration, CV metrics, and
 *                          the sha256 of each file below
 *   TASK.vocab.tsv         the task's vocabulary (see vocab.h)
 *   TASK.liblinear         the task's LIBLINEAR model (see linear_io.h)
 *   TASK.target-N.vocab.tsv, TASK.target-N.liblinear
 *                          with stance-train --target-models: the vocabulary and model of the
 *                          task's N-th per-target model (listed in the task's "target_models"
 *                          with target name, C, temperature and sha256 of both files). The
 *                          task's own vocabulary and model are then the shared model, used for
 *                          a target without a model of its own. Bundles without
 *                          "target_models" load as before.
 *   TASK.member-N.vocab.tsv, TASK.member-N.liblinear
 *                          with stance-train --member: the vocabulary and model of the task's
 *                          N-th further ensemble member (listed in the task's "members" with
 *                          its own features, solver, C, bias, temperature, class_bias and the
 *                          sha256 of both files). The task's probabilities are then the mean of
 *                          its own model's and every member's calibrated probabilities.
 *                          Bundles without "members" load as before.
 *
 * Calibration: probabilities are softmax(decision values / temperature), or with stance-train
 * --calibration bias and/or --tune-offsets softmax(decision values / temperature + class_bias),
 * class_bias being one number per label (in "labels" order) stored as the optional "class_bias"
 * array of a task and of a per-target model. Bundles without it (every bundle before it, and
 * every bundle trained with the default --calibration temperature and no --tune-offsets) load
 * and score exactly as before.
 *
 * bundle_save writes everything into a fresh temporary directory beside the destination and
 * renames it into place, so a reader never sees half a bundle and an interrupted training run
 * leaves the old bundle untouched. The manifest is written with a fixed key order and no
 * clock unless asked (see trained_at), so the same data gives byte-identical bundles.
 *
 * bundle_load trusts nothing: it refuses a path that is not a directory, a missing or
 * unparsable manifest, a foreign format, a newer format version, wrong JSON types, a file
 * whose sha256 differs from the manifest (truncated or edited), a LIBLINEAR file whose
 * sizes disagree with the vocabulary, and a "class_bias" that is not an array of one finite
 * number per label, each with a message naming the file and the problem.
 */
#ifndef STANCE_BUNDLE_H
#define STANCE_BUNDLE_H

#include <cjson/cJSON.h>
#include <linear.h>
#include <stddef.h>

#include "error.h"
#include "extract.h"
#include "parties.h"
#include "vocab.h"

#define BUNDLE_FORMAT "stance-bundle"
#define BUNDLE_FORMAT_VERSION 1

/* One target's own model inside a target-dependent task (stance-train --target-models): same
 * labels, features, solver and bias as its task; its own vocabulary, C and temperature. */
typedef struct bundle_target_model {
    char *target;        /* the target value ("russia") */
    double c;            /* regularization chosen by this target's cross-validation */
    double temperature;  /* fitted on this target's held-out decision values */
    double *class_bias;  /* owned, NULL = none: [nlabels of the task], see above */
    vocab *vocab;        /* owned */
    struct model *model; /* owned (free_and_destroy_model) */
    cJSON *cv;           /* owned, may be NULL: this target's cross-validation report */
} bundle_target_model;

/* A further model of a task's ensemble (stance-train --member): same labels and task, its own
 * feature configuration, vocabulary, solver, C, bias and calibration. */
typedef struct bundle_member {
    features_config features;
    char solver[32];
    double c, bias, temperature;
    double *class_bias;  /* owned, NULL = none: [nlabels of the task] */
    vocab *vocab;        /* owned */
    struct model *model; /* owned (free_and_destroy_model) */
    cJSON *cv;           /* owned, may be NULL: this member's cross-validation report */
} bundle_member;

typedef struct bundle_task {
    char *name;            /* "outlook", "stance" */
    char *label_column;    /* gold labels in long format ("label", "outlook"); NULL if wide */
    char *target_column;   /* long format: the column naming the target; NULL if none */
    char **target_columns; /* wide format: one label column per target (e.g. russia,...) */
    size_t ntarget_columns;
    int target_dependent; /* 1 when scored per target */
    char **labels;        /* label names; LIBLINEAR class k means labels[k] */
    size_t nlabels;
    features_config features;
    char solver[32];              /* LIBLINEAR solver name */
    double c;                     /* regularization */
    double bias;                  /* LIBLINEAR bias (< 0: none) */
    double temperature;           /* probabilities = softmax(decision values / temperature) */
    double *class_bias;           /* owned, NULL = none: + class_bias[label] (see above) */
    char aggregation[32];         /* how sentences make an article: see scorer.h */
    double aggregation_threshold; /* "balance": |mean(p_a - p_b)| under it is neutral */
    double aggregation_scale;     /* "balance": logit scale (calibrated on held-out articles) */
    vocab *vocab;                 /* owned */
    struct model *model;          /* owned (free_and_destroy_model) */
    cJSON *cv;                    /* owned, may be NULL: cross-validation report stored as is */
    bundle_target_model *target_models; /* owned, may be NULL: per-target models */
    size_t ntarget_models;
    bundle_member *members; /* owned, may be NULL: further ensemble members (not with
                               target_models); probabilities are averaged over the task's own
                               model and these */
    size_t nmembers;
} bundle_task;

typedef struct bundle {
    char *name;           /* the directory name without ".model" */
    char *created_by;     /* "stance 0.1.0" */
    char *trained_at;     /* ISO date, or NULL (omitted for reproducibility) */
    cJSON *training_data; /* owned, may be NULL: [{"path","sha256","rows"}] */
    parties *parties;     /* owned, may be NULL */
    bundle_task *tasks;   /* owned */
    size_t ntasks;
} bundle;

/* Writes b to path (e.g. "models/negotiations.model") atomically. An existing bundle at path
 * is replaced; an existing directory that is not a bundle is refused (STANCE_ERR_IO).
 * Returns 0 or an error code with err set. */
int bundle_save(const bundle *b, const char *path, stance_error *err);

/* Loads and validates a bundle. Caller frees with bundle_free. NULL with STANCE_ERR_MODEL
 * (or STANCE_ERR_NOMEM) and a message naming the file and problem. */
bundle *bundle_load(const char *path, stance_error *err);

/* Frees everything b owns, and b itself (NULL allowed). */
void bundle_free(bundle *b);
void bundle_task_clear(bundle_task *t);

/* Index of the task called name, or -1. */
int bundle_find_task(const bundle *b, const char *name);
/* The model of target in task t (NULL target or no model of its own: NULL, and the caller
 * uses the task's shared vocab and model). Borrowed from t. */
const bundle_target_model *bundle_task_target_model(const bundle_task *t, const char *target);
/* Frees what m owns (not m itself). */
void bundle_target_model_clear(bundle_target_model *m);
void bundle_member_clear(bundle_member *m);

/* Index of label in task t, or -1. */
int bundle_task_label(const bundle_task *t, const char *label);

/* Feature configuration <-> JSON (used by the manifest and by reports). */
cJSON *bundle_features_to_json(const features_config *cfg);
int bundle_features_from_json(const cJSON *json, features_config *cfg, stance_error *err);

#endif
