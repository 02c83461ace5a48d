#include "classify.h"

#include <math.h>

#define ABSENT_LOGIT (-50.0)

void classify_logits(const struct model *m, const struct feature_node *x, size_t nlabels,
                     double *logits)
{
    double dec[1000];
    int k = m->nr_class;
    for (size_t i = 0; i < nlabels; i++)
        logits[i] = ABSENT_LOGIT;
    /* The weights of a large model are far from the cache and predict_values reads them one
     * feature row at a time: asking for every row first lets the reads overlap. (The layout is
     * LIBLINEAR's: row index-1, nr_w values, one value for a binary non-Crammer-Singer model.) */
    size_t nr_w = k == 2 && m->param.solver_type != MCSVM_CS ? 1 : (size_t)k;
    int n = m->nr_feature + (m->bias >= 0 ? 1 : 0);
    for (const struct feature_node *p = x; p->index != -1; p++)
        if (p->index >= 1 && p->index <= n) {
            const double *row = m->w + (size_t)(p->index - 1) * nr_w;
            __builtin_prefetch(row);
            __builtin_prefetch(row + nr_w - 1);
        }
    predict_values(m, x, dec);
    if (k == 2 && m->param.solver_type != MCSVM_CS) {
        /* one value: positive means model->label[0] */
        logits[m->label[0]] = dec[0];
        logits[m->label[1]] = 0.0;
        return;
    }
    for (int i = 0; i < k; i++)
        logits[m->label[i]] = dec[i];
}

int classify_probabilities(const double *logits, size_t k, double temperature, double *probs)
{
    size_t best = 0;
    double mx = logits[0];
    for (size_t i = 1; i < k; i++)
        if (logits[i] > mx) {
            mx = logits[i];
            best = i;
        }
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        probs[i] = exp((logits[i] - mx) / temperature);
        sum += probs[i];
    }
    for (size_t i = 0; i < k; i++)
        probs[i] /= sum;
    return (int)best;
}

static double mean_nll(const double *logits, const int *gold, size_t n, size_t k, double t)
{
    double total = 0;
    for (size_t r = 0; r < n; r++) {
        const double *z = logits + r * k;
        double mx = z[0];
        for (size_t i = 1; i < k; i++)
            if (z[i] > mx)
                mx = z[i];
        double sum = 0;
        for (size_t i = 0; i < k; i++)
            sum += exp((z[i] - mx) / t);
        /* sum >= 1 (the largest logit contributes exp(0)); the guard is for the analyzer */
        total += log(sum > 0 ? sum : 1.0) - (z[gold[r]] - mx) / t;
    }
    return total / (double)n;
}

double classify_fit_temperature(const double *logits, const int *gold, size_t n, size_t k)
{
    if (n == 0 || k == 0)
        return 1.0;
    /* The NLL is convex in 1/T, so a golden-section search over log T finds the minimum. */
    double lo = log(0.05), hi = log(20.0);
    const double g = 0.6180339887498949;
    double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    double fa = mean_nll(logits, gold, n, k, exp(a)), fb = mean_nll(logits, gold, n, k, exp(b));
    for (int it = 0; it < 60; it++) {
        if (fa < fb) {
            hi = b;
            b = a;
            fb = fa;
            a = hi - g * (hi - lo);
            fa = mean_nll(logits, gold, n, k, exp(a));
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + g * (hi - lo);
            fb = mean_nll(logits, gold, n, k, exp(b));
        }
    }
    return exp((lo + hi) / 2);
}
