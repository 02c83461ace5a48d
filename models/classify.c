#include "classify.h"

#include <math.h>
#include <stdlib.h>

#define ABSENT_LOGIT (-50.0)

/* The decision values of x with nr_w weights per feature row, summed from 0 in feature order,
 * weight times value, as LIBLINEAR's predict_values sums them (so the results are the same bit
 * for bit; test_classify holds them to it). Inlined with a constant nr_w, the sums stay in
 * registers: predict_values' loop through memory was 4 % of stance-predict's instructions. */
static inline __attribute__((always_inline)) void
sum_rows(const double *w, const struct feature_node *x, int n, size_t nr_w, double *dec)
{
    double d[8] = {0};
    for (const struct feature_node *p = x; p->index != -1; p++)
        if (p->index >= 1 && p->index <= n) {
            const double *row = w + (size_t)(p->index - 1) * nr_w;
            for (size_t i = 0; i < nr_w; i++)
                d[i] += row[i] * p->value;
        }
    for (size_t i = 0; i < nr_w; i++)
        dec[i] = d[i];
}

/* predict_values without its choice of a label, for the classification solvers (regression and
 * one-class models, and more than 8 weights per row, go to LIBLINEAR itself). */
static void decision_values(const struct model *m, const struct feature_node *x, size_t nr_w, int n,
                            double *dec)
{
    switch (m->param.solver_type) {
    case L2R_LR:
    case L2R_L2LOSS_SVC_DUAL:
    case L2R_L2LOSS_SVC:
    case L2R_L1LOSS_SVC_DUAL:
    case MCSVM_CS:
    case L1R_L2LOSS_SVC:
    case L1R_LR:
    case L2R_LR_DUAL:
        break;
    default:
        predict_values(m, x, dec);
        return;
    }
    /* one case per row width, so that each inlined copy of sum_rows knows its width */
#define SUM_ROWS_CASE(width)                                                                       \
    case width:                                                                                    \
        sum_rows(m->w, x, n, width, dec);                                                          \
        break;
    switch (nr_w) {
        SUM_ROWS_CASE(1)
        SUM_ROWS_CASE(2)
        SUM_ROWS_CASE(3)
        SUM_ROWS_CASE(4)
        SUM_ROWS_CASE(5)
        SUM_ROWS_CASE(6)
        SUM_ROWS_CASE(7)
        SUM_ROWS_CASE(8)
    default:
        predict_values(m, x, dec);
        break;
    }
#undef SUM_ROWS_CASE
}

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
    decision_values(m, x, nr_w, n, dec);
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

/* The largest of z[0..k), k >= 1. */
static double row_max(const double *z, size_t k)
{
    double mx = z[0];
    for (size_t i = 1; i < k; i++)
        if (z[i] > mx)
            mx = z[i];
    return mx;
}

/* sum over i of exp((z[i] - max z) / t), the softmax denominator; *mx gets max z. */
static double exp_sum(const double *z, size_t k, double t, double *mx)
{
    *mx = row_max(z, k);
    double sum = 0;
    for (size_t i = 0; i < k; i++)
        sum += exp((z[i] - *mx) / t);
    return sum;
}

static double mean_nll(const double *logits, const int *gold, size_t n, size_t k, double t)
{
    double total = 0;
    for (size_t r = 0; r < n; r++) {
        const double *z = logits + r * k;
        double mx;
        double sum = exp_sum(z, k, t, &mx);
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

/* Expected calibration error of softmax(z / t)'s top label over n rows, in `bins` equal-width
 * confidence bins ([b/bins, (b+1)/bins), 1.0 in the last, as metrics.c bins them). The top
 * label, and so correct[], does not depend on t. cnt, csum and hits are scratch of `bins`. */
static double top_label_ece(const double *logits, const unsigned char *correct, size_t n, size_t k,
                            double t, int bins, long *cnt, double *csum, long *hits)
{
    for (int b = 0; b < bins; b++) {
        cnt[b] = hits[b] = 0;
        csum[b] = 0;
    }
    for (size_t r = 0; r < n; r++) {
        const double *z = logits + r * k;
        double mx;
        double conf = 1.0 / exp_sum(z, k, t, &mx);
        int b = (int)(conf * bins);
        if (b >= bins)
            b = bins - 1;
        cnt[b]++;
        csum[b] += conf;
        hits[b] += correct[r];
    }
    double ece = 0;
    for (int b = 0; b < bins; b++)
        if (cnt[b] > 0)
            ece += fabs((double)hits[b] - csum[b]) / (double)n;
    return ece;
}

double classify_fit_temperature_ece(const double *logits, const int *gold, size_t n, size_t k,
                                    int bins)
{
    double nll_t = classify_fit_temperature(logits, gold, n, k);
    if (n == 0 || k == 0 || bins < 1 || bins > 1000)
        return nll_t;
    unsigned char *correct = malloc(n);
    long *cnt = malloc((size_t)bins * sizeof *cnt);
    long *hits = malloc((size_t)bins * sizeof *hits);
    double *csum = malloc((size_t)bins * sizeof *csum);
    if (!correct || !cnt || !hits || !csum) {
        free(correct);
        free(cnt);
        free(hits);
        free(csum);
        return nll_t;
    }
    for (size_t r = 0; r < n; r++) {
        const double *z = logits + r * k;
        size_t top = 0;
        for (size_t i = 1; i < k; i++)
            if (z[i] > z[top])
                top = i;
        correct[r] = (unsigned char)((int)top == gold[r]);
    }
    /* A grid over log T (0.05..20, steps of 1.5 %) from the NLL fit outwards: the binned ECE
     * is piecewise smooth with jumps where a row changes bin, so no local search is safe; a
     * tie keeps the temperature nearer the NLL fit. */
    const double step = log(20.0 / 0.05) / 400.0;
    double best_t = nll_t;
    double best = top_label_ece(logits, correct, n, k, nll_t, bins, cnt, csum, hits);
    for (int i = 1; i <= 400; i++)
        for (int side = -1; side <= 1; side += 2) {
            double t = nll_t * exp(side * i * step);
            if (t < 0.05 || t > 20.0)
                continue;
            double e = top_label_ece(logits, correct, n, k, t, bins, cnt, csum, hits);
            if (e < best - 1e-12) {
                best = e;
                best_t = t;
            }
        }
    free(correct);
    free(cnt);
    free(hits);
    free(csum);
    return best_t;
}

int classify_calibrated(const double *logits, size_t k, double temperature, const double *bias,
                        double *probs)
{
    if (!bias)
        return classify_probabilities(logits, k, temperature, probs);
    double mx = row_max(logits, k);
    double zmax = 0;
    for (size_t i = 0; i < k; i++) {
        probs[i] = (logits[i] - mx) / temperature + bias[i];
        if (i == 0 || probs[i] > zmax)
            zmax = probs[i];
    }
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        probs[i] = exp(probs[i] - zmax);
        sum += probs[i];
    }
    /* the label is the argmax of the probabilities as reported, ties to the first, exactly as
     * the scorer picks it from them */
    size_t best = 0;
    for (size_t i = 0; i < k; i++) {
        probs[i] /= sum;
        if (probs[i] > probs[best])
            best = i;
    }
    return (int)best;
}

double classify_mean_nll(const double *logits, const int *gold, size_t n, size_t k,
                         double temperature, const double *bias)
{
    if (n == 0 || k == 0)
        return 0;
    if (!bias)
        return mean_nll(logits, gold, n, k, temperature);
    double total = 0;
    for (size_t r = 0; r < n; r++) {
        const double *z = logits + r * k;
        double mx = row_max(z, k);
        double zmax = 0;
        for (size_t i = 0; i < k; i++) {
            double v = (z[i] - mx) / temperature + bias[i];
            if (i == 0 || v > zmax)
                zmax = v;
        }
        double sum = 0;
        for (size_t i = 0; i < k; i++)
            sum += exp((z[i] - mx) / temperature + bias[i] - zmax);
        double zg = (z[gold[r]] - mx) / temperature + bias[gold[r]];
        total += log(sum > 0 ? sum : 1.0) + zmax - zg;
    }
    return total / (double)n;
}

/* The bias fit works on s = 1/T, kept in the temperature search's range. */
#define SCALE_MIN (1.0 / 20.0)
#define SCALE_MAX (1.0 / 0.05)
/* Ridge on the bias: small enough not to move a fit the data support (a bias of 1 costs
 * 5e-5 nats per row), large enough to keep the Newton system regular. */
#define BIAS_RIDGE 1e-4

static double bias_objective(const double *logits, const int *gold, size_t n, size_t k, double s,
                             const double *b)
{
    double ridge = 0;
    for (size_t i = 0; i < k; i++)
        ridge += b[i] * b[i];
    return classify_mean_nll(logits, gold, n, k, 1.0 / s, b) + 0.5 * BIAS_RIDGE * ridge;
}

/* Solves a x = y (p x p, row-major, destroyed) by Gaussian elimination with partial pivoting.
 * Returns -1 when a is (numerically) singular. */
static int solve(double *a, double *y, double *x, size_t p)
{
    for (size_t c = 0; c < p; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < p; r++)
            if (fabs(a[r * p + c]) > fabs(a[piv * p + c]))
                piv = r;
        if (!(fabs(a[piv * p + c]) > 1e-300))
            return -1;
        if (piv != c) {
            for (size_t j = 0; j < p; j++) {
                double t = a[c * p + j];
                a[c * p + j] = a[piv * p + j];
                a[piv * p + j] = t;
            }
            double t = y[c];
            y[c] = y[piv];
            y[piv] = t;
        }
        for (size_t r = c + 1; r < p; r++) {
            double f = a[r * p + c] / a[c * p + c];
            for (size_t j = c; j < p; j++)
                a[r * p + j] -= f * a[c * p + j];
            y[r] -= f * y[c];
        }
    }
    for (size_t c = p; c-- > 0;) {
        double v = y[c];
        for (size_t j = c + 1; j < p; j++)
            v -= a[c * p + j] * x[j];
        x[c] = v / a[c * p + c];
    }
    return 0;
}

int classify_fit_bias(const double *logits, const int *gold, size_t n, size_t k,
                      double *temperature, double *bias)
{
    for (size_t i = 0; i < k; i++)
        bias[i] = 0;
    *temperature = classify_fit_temperature(logits, gold, n, k);
    if (n == 0 || k < 2)
        return 0;
    /* Parameters: x[0] = s = 1/T, x[m] = b[m] for m >= 1 (b[0] = 0 during the fit; the softmax
     * does not change when every label gets the same bias, so one of them is free). The NLL is
     * convex in (s, b) because the logits s * z + b are linear in them, so Newton's method
     * with backtracking converges to the minimum from the temperature-only start. */
    size_t p = k;
    double *h = malloc(p * p * sizeof *h);
    double *g = malloc(p * sizeof *g);
    double *d = malloc(p * sizeof *d);
    double *pr = malloc(k * sizeof *pr);
    double *tb = malloc(k * sizeof *tb);
    double *rhs = malloc(p * sizeof *rhs);
    if (!h || !g || !d || !pr || !tb || !rhs) {
        free(rhs);
        free(h);
        free(g);
        free(d);
        free(pr);
        free(tb);
        return -1;
    }
    double s = 1.0 / *temperature;
    double f = bias_objective(logits, gold, n, k, s, bias);
    for (int it = 0; it < 100; it++) {
        for (size_t i = 0; i < p * p; i++)
            h[i] = 0;
        for (size_t i = 0; i < p; i++)
            g[i] = 0;
        for (size_t r = 0; r < n; r++) {
            const double *z = logits + r * k;
            double mx = z[0];
            for (size_t i = 1; i < k; i++)
                if (z[i] > mx)
                    mx = z[i];
            double vmax = 0;
            for (size_t i = 0; i < k; i++) {
                pr[i] = s * (z[i] - mx) + bias[i];
                if (i == 0 || pr[i] > vmax)
                    vmax = pr[i];
            }
            double sum = 0, ubar = 0, u2 = 0;
            for (size_t i = 0; i < k; i++) {
                pr[i] = exp(pr[i] - vmax);
                sum += pr[i];
            }
            for (size_t i = 0; i < k; i++) {
                pr[i] /= sum;
                double u = z[i] - mx;
                ubar += pr[i] * u;
                u2 += pr[i] * u * u;
            }
            size_t y = (size_t)gold[r];
            g[0] += ubar - (z[y] - mx);
            h[0] += u2 - ubar * ubar;
            for (size_t m = 1; m < k; m++) {
                double um = z[m] - mx;
                g[m] += pr[m] - (m == y ? 1.0 : 0.0);
                h[m] += pr[m] * (um - ubar);
                h[m * p] = h[m];
                for (size_t j = 1; j < k; j++)
                    h[m * p + j] += (m == j ? pr[m] : 0.0) - pr[m] * pr[j];
            }
        }
        double gnorm = 0, trace = 0;
        for (size_t i = 0; i < p; i++) {
            g[i] /= (double)n;
            for (size_t j = 0; j < p; j++)
                h[i * p + j] /= (double)n;
        }
        for (size_t m = 1; m < k; m++) {
            g[m] += BIAS_RIDGE * bias[m];
            h[m * p + m] += BIAS_RIDGE;
        }
        for (size_t i = 0; i < p; i++) {
            gnorm += g[i] * g[i];
            trace += h[i * p + i];
        }
        if (gnorm < 1e-20)
            break;
        /* s at a bound of its range with the gradient pushing it out (nearly separable
         * logits: the NLL keeps falling as s grows): hold s there and fit the bias alone */
        int hold = (s >= SCALE_MAX && g[0] < 0) || (s <= SCALE_MIN && g[0] > 0);
        if (hold) {
            for (size_t j = 0; j < p; j++)
                h[j] = h[j * p] = 0;
            h[0] = 1;
            g[0] = 0;
        }
        /* a touch of damping keeps the system solvable when the data pin s down badly */
        for (size_t i = 0; i < p; i++) {
            h[i * p + i] += 1e-9 * (1 + trace);
            g[i] = -g[i];
            rhs[i] = g[i]; /* solve destroys its right-hand side */
        }
        if (solve(h, rhs, d, p) != 0)
            for (size_t i = 0; i < p; i++)
                d[i] = g[i]; /* steepest descent (g holds the negative gradient now) */
        double fnew = f, snew = s;
        int accepted = 0;
        /* Newton's direction first, then steepest descent if that one does not descend */
        for (int dir = 0; dir < 2 && !accepted; dir++) {
            if (dir == 1)
                for (size_t i = 0; i < p; i++)
                    d[i] = g[i];
            double slope = 0, big = 0;
            for (size_t i = 0; i < p; i++) {
                slope += d[i] * g[i];
                if (fabs(d[i]) > big)
                    big = fabs(d[i]);
            }
            if (!(slope > 0))
                continue; /* not a descent direction (rounding, or a singular system) */
            /* no parameter moves by more than 4 in one step: a far step from a flat
             * Hessian would only be halved back over many evaluations */
            double step = big > 4 ? 4 / big : 1;
            for (int ls = 0; ls < 50 && !accepted; ls++, step /= 2) {
                snew = s + step * d[0];
                snew = snew < SCALE_MIN ? SCALE_MIN : snew > SCALE_MAX ? SCALE_MAX : snew;
                tb[0] = 0;
                for (size_t m = 1; m < k; m++)
                    tb[m] = bias[m] + step * d[m];
                fnew = bias_objective(logits, gold, n, k, snew, tb);
                accepted = fnew < f;
            }
        }
        if (!accepted)
            break;
        double gain = f - fnew;
        s = snew;
        f = fnew;
        for (size_t m = 1; m < k; m++)
            bias[m] = tb[m];
        if (gain < 1e-13)
            break;
    }
    double mean = 0;
    for (size_t i = 0; i < k; i++)
        mean += bias[i];
    mean /= (double)k;
    for (size_t i = 0; i < k; i++)
        bias[i] -= mean;
    *temperature = 1.0 / s;
    free(h);
    free(g);
    free(d);
    free(pr);
    free(tb);
    free(rhs);
    return 0;
}
