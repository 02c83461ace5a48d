/*
 * metrics.h - evaluation of a K-label classifier: accuracy, per-class
 * precision/recall/F1, macro-F1 (over all labels or a subset), the confusion
 * matrix and calibration (expected calibration error and reliability bins).
 *
 * Used by `stance-predict --eval`, by the trainer's cross-validation and by
 * the accuracy gates. A metrics object only accumulates integer counts and
 * sums of confidences, so adding is O(1) and merging folds or per-thread
 * objects gives exactly the result of one object that saw every prediction.
 *
 * Definitions follow scikit-learn (zero_division=0):
 *   - precision/recall/F1 of a class with no predictions / no support are 0;
 *   - macro-F1 is the unweighted mean of F1 over ALL K labels, including
 *     labels with zero support (sklearn's f1_score(average="macro") with
 *     labels=range(K));
 *   - calibration uses the predicted label's probability probs[pred] as the
 *     confidence, in `bins` equal-width bins over [0,1]: bin b holds
 *     confidences in [b/bins, (b+1)/bins), and 1.0 goes into the last bin.
 *     ECE = sum over bins of (n_bin / n_cal) * |accuracy_bin - mean_conf_bin|
 *     where n_cal counts the predictions that came with probabilities.
 *
 * Empty objects are valid everywhere: every rate is 0, every count 0.
 * Not thread-safe per object (give each thread its own and merge them);
 * there is no global state.
 */
#ifndef STANCE_METRICS_H
#define STANCE_METRICS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"

typedef struct metrics metrics;

/* Creates an empty evaluation over k >= 1 labels. labels: k names, copied
 * (NULL: the labels are named "0".."k-1"). bins: number of equal-width
 * confidence bins for calibration (0 = 10; at most 1000).
 * Caller frees with metrics_free. NULL on error: STANCE_ERR_USAGE for k == 0,
 * a NULL name or bins out of range, STANCE_ERR_NOMEM on out of memory. */
metrics *metrics_new(size_t k, const char *const *labels, int bins, stance_error *err);

/* Frees m and everything it owns. NULL is allowed. */
void metrics_free(metrics *m);

/* Records one prediction: gold and predicted label indexes (0..k-1). probs =
 * K probabilities, or NULL (then the prediction counts everywhere except in
 * calibration). The confidence is probs[pred], clamped to [0,1]; a NaN
 * confidence is treated like probs == NULL. A prediction whose gold or pred
 * is out of range is not counted at all, only tallied in metrics_rejected. */
void metrics_add(metrics *m, int gold, int pred, const double *probs);

/* Number of predictions counted (excluding rejected ones). */
size_t metrics_count(const metrics *m);

/* Number of metrics_add calls ignored because gold or pred was out of range
 * (a caller bug worth reporting; 0 in correct use). */
size_t metrics_rejected(const metrics *m);

/* Number of counted predictions that came with probabilities (the n of ECE). */
size_t metrics_count_calibrated(const metrics *m);

/* Number of labels K, and the name of label i (owned by m; NULL if out of range). */
size_t metrics_labels(const metrics *m);
const char *metrics_label(const metrics *m, size_t i);

/* Share of predictions equal to gold, 0..1 (0 when empty). */
double metrics_accuracy(const metrics *m);

/* Unweighted mean of the F1 of all K labels, 0..1. */
double metrics_macro_f1(const metrics *m);

/* Unweighted mean of the F1 of the n labels listed (e.g. F_avg of favor and
 * against for SemEval-2016, F1(P,N) of positive and negative). Out-of-range
 * indexes are skipped; 0 when none is left. */
double metrics_macro_f1_subset(const metrics *m, size_t n, const int *labels);

/* Precision, recall, F1 (0..1) and support (number of gold rows) of one
 * label. Any output pointer may be NULL; an out-of-range label gives zeros. */
void metrics_class(const metrics *m, int label, double *precision, double *recall, double *f1,
                   long *support);

/* Number of predictions with this gold and this predicted label (0 if out of range). */
long metrics_confusion(const metrics *m, int gold, int pred);

/* Expected calibration error, 0..1 (0 when no prediction had probabilities). */
double metrics_ece(const metrics *m);

/* Number of calibration bins. */
int metrics_bins(const metrics *m);

/* Reliability-diagram data for bin b (0..bins-1): number of predictions,
 * their mean confidence and their accuracy (both 0 for an empty bin or an
 * out-of-range b). Any output pointer may be NULL. */
void metrics_bin(const metrics *m, int b, long *count, double *mean_conf, double *accuracy);

/* A readable multi-line table: title (may be NULL), n, accuracy, macro-F1,
 * ECE, per-class P/R/F1/support, and the confusion matrix (rows gold, columns
 * predicted) with label names. Ends with a newline.
 * Caller frees with free(). NULL on out of memory. */
char *metrics_format_table(const metrics *m, const char *title);

/* The same as a cJSON object:
 *   {"n", "n_calibrated", "accuracy", "macro_f1", "ece",
 *    "classes": {label: {"precision", "recall", "f1", "support"}},
 *    "confusion": {"labels": [...], "matrix": [[...], ...]},   (rows gold)
 *    "reliability": [{"bin", "lower", "upper", "count", "mean_confidence",
 *                     "accuracy"}, ...]}
 * Caller frees with cJSON_Delete. NULL on out of memory. */
cJSON *metrics_to_json(const metrics *m);

/* Adds the counts of b into a, for combining folds or threads. a and b must
 * have the same labels (names, in the same order) and the same number of
 * bins: otherwise STANCE_ERR_USAGE and a is unchanged. Returns 0 on success. */
int metrics_merge(metrics *a, const metrics *b, stance_error *err);

#endif
