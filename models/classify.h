/*
 * classify.h - decision values -> calibrated probabilities, the same way in training and
 * prediction.
 *
 * LIBLINEAR orders its decision values by the order classes first appeared in training
 * (model->label), and gives one value for a binary model. classify_logits returns one logit
 * per label in the task's own label order. Probabilities are softmax(logits / T), with the
 * temperature T fitted on cross-validated (held-out) decision values: LIBLINEAR's own
 * multi-class probabilities are one-vs-rest sigmoids renormalized, and not calibrated.
 *
 * Optionally (stance-train --calibration bias) they are softmax(logits / T + b), with one
 * bias b[label] per label fitted jointly with T on the same held-out values: one temperature
 * only sharpens or flattens, and cannot move probability mass from an over-predicted label
 * (a majority class, or a label the solver's margins favour) to the others. b sums to 0.
 */
#ifndef STANCE_CLASSIFY_H
#define STANCE_CLASSIFY_H

#include <linear.h>
#include <stddef.h>

/* logits[0..nlabels) in the task's label order. A label the model never saw (a class absent
 * from one cross-validation fold) gets a logit far below the others. Thread-safe. */
void classify_logits(const struct model *m, const struct feature_node *x, size_t nlabels,
                     double *logits);

/* probs = softmax(logits / temperature). Returns the index of the largest. */
int classify_probabilities(const double *logits, size_t k, double temperature, double *probs);

/* probs = softmax(logits / temperature + bias); bias NULL is classify_probabilities exactly
 * (the same arithmetic, so bundles without a bias score bit for bit as before). Returns the
 * index of the largest probability, which with a bias need not be the largest logit. */
int classify_calibrated(const double *logits, size_t k, double temperature, const double *bias,
                        double *probs);

/* The temperature minimizing the mean negative log-likelihood of gold labels given n rows of
 * k logits (row-major). Searches 0.05..20; returns 1 when n == 0. */
double classify_fit_temperature(const double *logits, const int *gold, size_t n, size_t k);

/* The temperature minimizing the expected calibration error of the top label (confidence =
 * its probability; `bins` equal-width bins, as metrics.c computes it) over n rows, on a grid
 * of 0.05..20 around classify_fit_temperature's result, which a tie keeps. A temperature
 * never changes the top label, so this changes the reported probabilities only. Falls back to
 * the NLL fit when n == 0, bins is outside 1..1000 or out of memory. Deterministic. */
double classify_fit_temperature_ece(const double *logits, const int *gold, size_t n, size_t k,
                                    int bins);

/* Mean negative log-likelihood of gold labels under classify_calibrated (bias may be NULL). */
double classify_mean_nll(const double *logits, const int *gold, size_t n, size_t k,
                         double temperature, const double *bias);

/* Fits temperature and bias[0..k) jointly, minimizing the mean negative log-likelihood of the
 * gold labels (plus a tiny ridge on the bias, so a label that the data never confirm cannot
 * drive it to -infinity). Starts from classify_fit_temperature and no bias and takes damped
 * Newton steps with backtracking, so the result never has a higher NLL than temperature alone;
 * 1/T stays in 1/20..1/0.05 like classify_fit_temperature's range. Deterministic. The bias is
 * returned centred (sum 0). Cost O(n k^2) per step: meant for a few labels. Returns 0, or -1
 * when out of memory (temperature and bias are then the temperature-only fit and zeros). */
int classify_fit_bias(const double *logits, const int *gold, size_t n, size_t k,
                      double *temperature, double *bias);

#endif
