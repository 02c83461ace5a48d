/* Unit tests: probabilities from logits (classify.h), the temperature fit, the joint fit of
 * temperature and a bias per label (--calibration bias) and the temperature of least ECE
 * (--calibration ece). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "classify.h"

/* A uniform number in [0, 1) from the tests' seeded xorshift. */
static double uniform(uint64_t *state)
{
    return (double)(check_random(state) >> 11) / 9007199254740992.0;
}

/* n rows of k logits, and gold labels drawn from softmax(logits / t + bias): the calibration
 * that generated the labels is known, so a fit should find it again. */
static void synthesize(double *logits, int *gold, size_t n, size_t k, double t, const double *bias,
                       uint64_t *state)
{
    double p[8];
    for (size_t r = 0; r < n; r++) {
        for (size_t i = 0; i < k; i++)
            logits[r * k + i] = 4 * uniform(state) - 2;
        classify_calibrated(logits + r * k, k, t, bias, p);
        double u = uniform(state), acc = 0;
        gold[r] = (int)k - 1;
        for (size_t i = 0; i < k; i++) {
            acc += p[i];
            if (u < acc) {
                gold[r] = (int)i;
                break;
            }
        }
    }
}

/* classify_logits sums the decision values itself: they must be LIBLINEAR's predict_values
 * bit for bit, for binary and multi-class models of every classification solver, with
 * features past the model's dimension skipped and the bias term counted. */
static void test_logits_match_liblinear(void)
{
    static const int solvers[] = {
        L2R_LR,   L2R_L2LOSS_SVC_DUAL, L2R_L2LOSS_SVC, L2R_L1LOSS_SVC_DUAL,
        MCSVM_CS, L1R_L2LOSS_SVC,      L1R_LR,         L2R_LR_DUAL};
    uint64_t state = 7;
    int same = 1;
    for (size_t si = 0; si < sizeof solvers / sizeof *solvers; si++)
        for (int k = 2; k <= 10; k++) {
            struct model m;
            memset(&m, 0, sizeof m);
            m.param.solver_type = solvers[si];
            m.nr_class = k;
            m.nr_feature = 50;
            m.bias = (k % 2) ? 1.0 : -1.0;
            int nr_w = k == 2 && solvers[si] != MCSVM_CS ? 1 : k;
            int rows = m.nr_feature + (m.bias >= 0);
            double *w = malloc(sizeof *w * (size_t)(rows * nr_w));
            int labels[10];
            if (!w)
                return;
            for (int i = 0; i < rows * nr_w; i++)
                w[i] = 4 * uniform(&state) - 2;
            for (int i = 0; i < k; i++)
                labels[i] = k - 1 - i; /* label order differs from index order */
            m.w = w;
            m.label = labels;
            for (int trial = 0; trial < 20; trial++) {
                struct feature_node x[40];
                int nx = 0, idx = 0;
                while (nx < 30 && (idx += 1 + (int)(check_random(&state) % 4)) <= 60)
                    x[nx++] = (struct feature_node){idx, uniform(&state) - 0.5};
                if (m.bias >= 0)
                    x[nx++] = (struct feature_node){m.nr_feature + 1, m.bias};
                x[nx].index = -1;
                double got[10], want[10], dec[10];
                classify_logits(&m, x, (size_t)k, got);
                predict_values(&m, x, dec);
                for (int i = 0; i < k; i++)
                    want[i] = -50.0;
                if (nr_w == 1) {
                    want[labels[0]] = dec[0];
                    want[labels[1]] = 0.0;
                } else {
                    for (int i = 0; i < k; i++)
                        want[labels[i]] = dec[i];
                }
                if (memcmp(got, want, sizeof(double) * (size_t)k) != 0)
                    same = 0;
            }
            free(w);
        }
    CHECK(same);
}

/* The top-label ECE of softmax(z / t) in 10 bins, written out plainly (the reference the
 * fit's own binning is checked against). */
static double reference_ece(const double *z, const int *gold, size_t n, size_t k, double t)
{
    double cnt[10] = {0}, conf[10] = {0}, hit[10] = {0}, p[8];
    for (size_t r = 0; r < n; r++) {
        int top = classify_probabilities(z + r * k, k, t, p);
        int b = (int)(p[top] * 10);
        b = b > 9 ? 9 : b;
        cnt[b]++;
        conf[b] += p[top];
        hit[b] += top == gold[r];
    }
    double e = 0;
    for (int b = 0; b < 10; b++)
        e += fabs(hit[b] - conf[b]) / (double)n;
    return e;
}

/* --calibration ece: labels drawn from softmax(z / 0.5 + bias), a skew one temperature cannot
 * undo; the ECE temperature is never worse in ECE than the NLL one, is no worse than any other
 * temperature tried, and falls back to the NLL fit on degenerate input. */
static void test_ece_temperature(uint64_t *state)
{
    enum { N = 6000, K = 3 };
    double *z = malloc(N * K * sizeof *z);
    int *gold = malloc(N * sizeof *gold);
    CHECK(z && gold);
    if (!z || !gold) {
        free(z);
        free(gold);
        return;
    }
    const double skew[K] = {0.9, -0.6, -0.3};
    synthesize(z, gold, N, K, 0.5, skew, state);
    double t_nll = classify_fit_temperature(z, gold, N, K);
    double t_ece = classify_fit_temperature_ece(z, gold, N, K, 10);
    CHECK(t_ece >= 0.05 && t_ece <= 20);
    double e_ece = reference_ece(z, gold, N, K, t_ece);
    CHECK(e_ece <= reference_ece(z, gold, N, K, t_nll) + 1e-12);
    for (double t = 0.1; t < 10; t *= 1.1)
        CHECK(e_ece <= reference_ece(z, gold, N, K, t) + 0.002);
    CHECK(classify_fit_temperature_ece(z, gold, N, K, 10) == t_ece); /* deterministic */
    CHECK(classify_fit_temperature_ece(z, gold, N, K, 0) == t_nll);
    CHECK(classify_fit_temperature_ece(NULL, NULL, 0, K, 10) == 1.0);
    free(z);
    free(gold);
}

int main(void)
{
    test_logits_match_liblinear();
    /* without a bias, classify_calibrated is classify_probabilities bit for bit (bundles
     * trained with the default calibration score exactly as before) */
    uint64_t state = 42;
    for (int trial = 0; trial < 200; trial++) {
        double z[4], a[4], b[4];
        for (size_t i = 0; i < 4; i++)
            z[i] = 10 * uniform(&state) - 5;
        double t = 0.1 + 3 * uniform(&state);
        int la = classify_probabilities(z, 4, t, a);
        int lb = classify_calibrated(z, 4, t, NULL, b);
        CHECK(la == lb && memcmp(a, b, sizeof a) == 0);
    }

    /* the bias can change the label, and the label is the argmax of the probabilities */
    {
        double z[2] = {1.0, 0.9}, bias[2] = {-0.2, 0.2}, p[2];
        int l = classify_calibrated(z, 2, 1.0, bias, p);
        CHECK(l == 1 && p[1] > p[0] && fabs(p[0] + p[1] - 1) < 1e-12);
        CHECK(classify_calibrated(z, 2, 1.0, NULL, p) == 0);
        /* softmax(z / T + b): p1 / p0 = exp((0.9 - 1.0) / 1 + 0.4) */
        classify_calibrated(z, 2, 1.0, bias, p);
        CHECK(fabs(p[1] / p[0] - exp(0.3)) < 1e-12);
    }

    /* a class-dependent bias that one temperature cannot fix: labels drawn with T = 0.5 and
     * bias (0.8, -0.5, -0.3) (label 0 over-represented, as neutral in rusentne2023) */
    {
        enum { N = 20000, K = 3 };
        double *z = malloc(N * K * sizeof *z);
        int *gold = malloc(N * sizeof *gold);
        const double truth[K] = {0.8, -0.5, -0.3};
        CHECK(z && gold);
        if (z && gold) {
            synthesize(z, gold, N, K, 0.5, truth, &state);
            double t_only = classify_fit_temperature(z, gold, N, K);
            double t = 0, b[K];
            CHECK(classify_fit_bias(z, gold, N, K, &t, b) == 0);
            CHECK(fabs(t - 0.5) < 0.05);
            double sum = 0;
            for (size_t i = 0; i < K; i++) {
                CHECK(fabs(b[i] - truth[i]) < 0.1);
                sum += b[i];
            }
            CHECK(fabs(sum) < 1e-9); /* centred */
            double nll_t = classify_mean_nll(z, gold, N, K, t_only, NULL);
            double nll_b = classify_mean_nll(z, gold, N, K, t, b);
            CHECK(nll_b < nll_t - 0.02);
            /* the fit is the minimum: no small step around it does better */
            int better = 0;
            for (int trial = 0; trial < 50; trial++) {
                double bb[K];
                for (size_t i = 0; i < K; i++)
                    bb[i] = b[i] + 0.02 * (uniform(&state) - 0.5);
                double tt = t * (1 + 0.02 * (uniform(&state) - 0.5));
                better += classify_mean_nll(z, gold, N, K, tt, bb) < nll_b - 1e-7;
            }
            CHECK(better == 0);
            /* deterministic: the same input, the same numbers */
            double t2 = 0, b2[K];
            classify_fit_bias(z, gold, N, K, &t2, b2);
            CHECK(t2 == t && memcmp(b, b2, sizeof b) == 0);
        }

        /* labels drawn from a temperature alone: the bias stays near 0 and the NLL is never
         * above the temperature-only fit */
        if (z && gold) {
            const double none[K] = {0, 0, 0};
            synthesize(z, gold, N, K, 2.0, none, &state);
            double t_only = classify_fit_temperature(z, gold, N, K);
            double t = 0, b[K];
            classify_fit_bias(z, gold, N, K, &t, b);
            for (size_t i = 0; i < K; i++)
                CHECK(fabs(b[i]) < 0.06);
            CHECK(fabs(t - 2.0) < 0.25);
            CHECK(classify_mean_nll(z, gold, N, K, t, b) <=
                  classify_mean_nll(z, gold, N, K, t_only, NULL) + 1e-12);
        }
        free(z);
        free(gold);
    }

    /* degenerate inputs stay finite: no rows, separable rows (the NLL falls as 1/T grows, and
     * T stops at the end of its range), a label no row has (the ridge holds its bias) */
    {
        double t = 0, b[3] = {9, 9, 9};
        CHECK(classify_fit_bias(NULL, NULL, 0, 3, &t, b) == 0 && t == 1 && b[0] == 0 && b[1] == 0 &&
              b[2] == 0);
        double z[12] = {2, 0, -1, 0, 2, -1, 3, 1, 0, 1, 3, 0};
        int gold[4] = {0, 1, 0, 1};
        CHECK(classify_fit_bias(z, gold, 4, 3, &t, b) == 0);
        CHECK(isfinite(t) && t >= 0.05 - 1e-12 && t <= 20 + 1e-12);
        for (size_t i = 0; i < 3; i++)
            CHECK(isfinite(b[i]) && fabs(b[i]) < 50);
        double p[3];
        for (size_t r = 0; r < 4; r++)
            CHECK(classify_calibrated(z + r * 3, 3, t, b, p) == gold[r]);
    }
    test_ece_temperature(&state);
    return check_finish();
}
