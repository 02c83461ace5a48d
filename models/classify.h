/*
 * classify.h - decision values -> calibrated probabilities, the same way in training and
 * prediction.
 *
 * LIBLINEAR orders its decision values by the order classes first appeared in training
 * (model->label), and gives one value for a binary model. classify_logits returns one logit
 * per label in the task's own label order. Probabilities are softmax(logits / T), with the
 * temperature T fitted on cross-validated (held-out) decision values: LIBLINEAR's own
 * multi-class probabilities are one-vs-rest sigmoids renormalized, and not calibrated.
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

/* The temperature minimizing the mean negative log-likelihood of gold labels given n rows of
 * k logits (row-major). Searches 0.05..20; returns 1 when n == 0. */
double classify_fit_temperature(const double *logits, const int *gold, size_t n, size_t k);

#endif
