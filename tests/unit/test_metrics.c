/*
 * test_metrics.c - metrics against values computed by hand.
 */
#include "check.h"
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

static const char *const stance3[] = {"favor", "against", "none"};

/* Ten predictions, confusion (rows gold):
 *            favor against none
 *   favor        2       1    0
 *   against      0       2    1
 *   none         1       0    3
 * favor:   tp 2, predicted 3, gold 3 -> P 2/3, R 2/3, F1 2/3
 * against: tp 2, predicted 3, gold 3 -> P 2/3, R 2/3, F1 2/3
 * none:    tp 3, predicted 4, gold 4 -> P 3/4, R 3/4, F1 3/4
 * accuracy 7/10, macro-F1 (2/3 + 2/3 + 3/4) / 3 = 25/36. */
static const int pairs10[10][2] = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 1},
                                   {1, 2}, {2, 2}, {2, 0}, {2, 2}, {2, 2}};

static void add_pairs(metrics *m, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        metrics_add(m, pairs10[i][0], pairs10[i][1], NULL);
}

static void test_basic(void)
{
    stance_error err;
    stance_error_clear(&err);
    metrics *m = metrics_new(3, stance3, 0, &err);
    CHECK(m != NULL);
    if (!m)
        return;
    add_pairs(m, 0, 10);
    CHECK(metrics_count(m) == 10);
    CHECK(metrics_count_calibrated(m) == 0);
    CHECK(near(metrics_accuracy(m), 0.7));
    CHECK(near(metrics_macro_f1(m), 25.0 / 36.0));
    CHECK(metrics_confusion(m, 0, 0) == 2);
    CHECK(metrics_confusion(m, 0, 1) == 1);
    CHECK(metrics_confusion(m, 1, 2) == 1);
    CHECK(metrics_confusion(m, 2, 0) == 1);
    CHECK(metrics_confusion(m, 2, 2) == 3);
    CHECK(metrics_confusion(m, 2, 1) == 0);
    CHECK(metrics_confusion(m, 3, 0) == 0);
    CHECK(metrics_confusion(m, -1, 0) == 0);

    double p, r, f;
    long sup;
    metrics_class(m, 2, &p, &r, &f, &sup);
    CHECK(near(p, 0.75) && near(r, 0.75) && near(f, 0.75) && sup == 4);
    metrics_class(m, 0, &p, &r, &f, &sup);
    CHECK(near(p, 2.0 / 3) && near(r, 2.0 / 3) && near(f, 2.0 / 3) && sup == 3);
    metrics_class(m, 7, &p, &r, &f, &sup);
    CHECK(p == 0 && r == 0 && f == 0 && sup == 0);
    metrics_class(m, 1, NULL, NULL, &f, NULL); /* NULL outputs allowed */
    CHECK(near(f, 2.0 / 3));

    const int favor_against[] = {0, 1};
    CHECK(near(metrics_macro_f1_subset(m, 2, favor_against), 2.0 / 3));
    const int none_and_bad[] = {2, 9, -1};
    CHECK(near(metrics_macro_f1_subset(m, 3, none_and_bad), 0.75));
    CHECK(metrics_macro_f1_subset(m, 0, favor_against) == 0.0);

    /* Out-of-range indexes are rejected, not counted. */
    metrics_add(m, 3, 0, NULL);
    metrics_add(m, 0, -1, NULL);
    CHECK(metrics_count(m) == 10);
    CHECK(metrics_rejected(m) == 2);

    CHECK(metrics_labels(m) == 3);
    CHECK_STR(metrics_label(m, 1), "against");
    CHECK(metrics_label(m, 3) == NULL);
    metrics_free(m);
}

/* Unequal precision and recall, and a label never gold nor predicted:
 * (0,0) (0,1) (1,1): favor P 1 R 1/2 F1 2/3; against P 1/2 R 1 F1 2/3; none 0.
 * macro-F1 over all three = 4/9 (sklearn averages over every label passed). */
static void test_zero_support(void)
{
    metrics *m = metrics_new(3, stance3, 0, NULL);
    CHECK(m != NULL);
    if (!m)
        return;
    metrics_add(m, 0, 0, NULL);
    metrics_add(m, 0, 1, NULL);
    metrics_add(m, 1, 1, NULL);
    double p, r, f;
    long sup;
    metrics_class(m, 0, &p, &r, &f, &sup);
    CHECK(near(p, 1.0) && near(r, 0.5) && near(f, 2.0 / 3) && sup == 2);
    metrics_class(m, 1, &p, &r, &f, &sup);
    CHECK(near(p, 0.5) && near(r, 1.0) && near(f, 2.0 / 3) && sup == 1);
    metrics_class(m, 2, &p, &r, &f, &sup);
    CHECK(p == 0.0 && r == 0.0 && f == 0.0 && sup == 0);
    CHECK(near(metrics_macro_f1(m), 4.0 / 9));
    CHECK(near(metrics_accuracy(m), 2.0 / 3));

    /* A label predicted but never gold: precision 0 (tp 0), recall 0 (no support). */
    metrics_add(m, 0, 2, NULL);
    metrics_class(m, 2, &p, &r, &f, &sup);
    CHECK(p == 0.0 && r == 0.0 && f == 0.0 && sup == 0);
    metrics_free(m);
}

/* ECE with 10 bins. Predictions (confidence of the predicted label, correct?):
 *   0.95 yes, 1.00 yes -> bin 9: n 2, mean 0.975, acc 1 -> |gap| 0.025
 *   0.85 no            -> bin 8: n 1, mean 0.85,  acc 0 -> 0.85
 *   0.62 yes, 0.65 yes -> bin 6: n 2, mean 0.635, acc 1 -> 0.365
 *   0.30 no            -> bin 3: n 1, mean 0.30,  acc 0 -> 0.30
 * ECE = (2*0.025 + 0.85 + 2*0.365 + 0.30) / 6 = 1.93 / 6.
 * A seventh prediction without probabilities is counted but not calibrated. */
static void test_ece(void)
{
    metrics *m = metrics_new(2, (const char *const[]){"neg", "pos"}, 0, NULL);
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK(metrics_bins(m) == 10);
    metrics_add(m, 1, 1, (const double[]){0.05, 0.95});
    metrics_add(m, 0, 0, (const double[]){1.0, 0.0});
    metrics_add(m, 0, 1, (const double[]){0.15, 0.85});
    metrics_add(m, 1, 1, (const double[]){0.38, 0.62});
    metrics_add(m, 0, 0, (const double[]){0.65, 0.35});
    metrics_add(m, 1, 0,
                (const double[]){0.30, 0.70}); /* argmax not required: conf = probs[pred] */
    metrics_add(m, 1, 1, NULL);
    CHECK(metrics_count(m) == 7);
    CHECK(metrics_count_calibrated(m) == 6);
    CHECK(near(metrics_ece(m), 1.93 / 6));

    long c;
    double conf, acc;
    metrics_bin(m, 9, &c, &conf, &acc);
    CHECK(c == 2 && near(conf, 0.975) && near(acc, 1.0));
    metrics_bin(m, 8, &c, &conf, &acc);
    CHECK(c == 1 && near(conf, 0.85) && near(acc, 0.0));
    metrics_bin(m, 6, &c, &conf, &acc);
    CHECK(c == 2 && near(conf, 0.635) && near(acc, 1.0));
    metrics_bin(m, 3, &c, &conf, &acc);
    CHECK(c == 1 && near(conf, 0.30) && near(acc, 0.0));
    metrics_bin(m, 0, &c, &conf, &acc);
    CHECK(c == 0 && conf == 0.0 && acc == 0.0);
    metrics_bin(m, 10, &c, &conf, &acc);
    CHECK(c == 0 && conf == 0.0 && acc == 0.0);
    metrics_free(m);

    /* Two bins, confidences clamped: 1.2 -> 1.0 (bin 1), -0.1 -> 0 (bin 0), NaN skipped.
     * bin 1: conf 1.0 correct -> gap 0; bin 0: conf 0.0 wrong -> gap 0. ECE 0. */
    m = metrics_new(2, NULL, 2, NULL);
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK_STR(metrics_label(m, 1), "1");
    metrics_add(m, 0, 0, (const double[]){1.2, 0.0});
    metrics_add(m, 0, 1, (const double[]){1.0, -0.1});
    metrics_add(m, 1, 1, (const double[]){0.0, NAN});
    CHECK(metrics_count(m) == 3);
    CHECK(metrics_count_calibrated(m) == 2);
    CHECK(near(metrics_ece(m), 0.0));
    metrics_bin(m, 1, &c, &conf, &acc);
    CHECK(c == 1 && near(conf, 1.0) && near(acc, 1.0));
    /* Bin edges: 0.5 belongs to the upper bin [0.5, 1]. */
    metrics_add(m, 1, 1, (const double[]){0.5, 0.5});
    metrics_bin(m, 1, &c, &conf, &acc);
    CHECK(c == 2 && near(conf, 0.75) && near(acc, 1.0));
    /* ECE now: bin 0 (0.0, wrong) gap 0; bin 1 (1.0 and 0.5, both right) gap 0.25 -> 2/3 * 0.25 */
    CHECK(near(metrics_ece(m), 0.25 * 2.0 / 3.0));
    metrics_free(m);
}

static void test_empty(void)
{
    metrics *m = metrics_new(3, stance3, 5, NULL);
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK(metrics_count(m) == 0);
    CHECK(metrics_accuracy(m) == 0.0);
    CHECK(metrics_macro_f1(m) == 0.0);
    CHECK(metrics_ece(m) == 0.0);
    CHECK(metrics_bins(m) == 5);
    long c = -1;
    double conf = -1, acc = -1;
    metrics_bin(m, 2, &c, &conf, &acc);
    CHECK(c == 0 && conf == 0.0 && acc == 0.0);
    double p = -1, r = -1, f = -1;
    long sup = -1;
    metrics_class(m, 0, &p, &r, &f, &sup);
    CHECK(p == 0.0 && r == 0.0 && f == 0.0 && sup == 0);

    char *table = metrics_format_table(m, "empty");
    CHECK(table != NULL);
    if (table) {
        CHECK(strstr(table, "n = 0") != NULL);
        free(table);
    }
    cJSON *json = metrics_to_json(m);
    CHECK(json != NULL);
    if (json) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(json, "n");
        CHECK(cJSON_IsNumber(n) && n->valuedouble == 0.0);
        const cJSON *rel = cJSON_GetObjectItemCaseSensitive(json, "reliability");
        CHECK(cJSON_GetArraySize(rel) == 5);
        cJSON_Delete(json);
    }
    metrics_free(m);

    /* NULL is tolerated by every accessor. */
    metrics_free(NULL);
    CHECK(metrics_count(NULL) == 0);
    CHECK(metrics_accuracy(NULL) == 0.0);
    CHECK(metrics_ece(NULL) == 0.0);
    CHECK(metrics_format_table(NULL, "x") == NULL);
}

static void test_bad_args(void)
{
    stance_error err;
    stance_error_clear(&err);
    CHECK(metrics_new(0, NULL, 0, &err) == NULL);
    CHECK(err.code == STANCE_ERR_USAGE);
    stance_error_clear(&err);
    CHECK(metrics_new(2, NULL, -1, &err) == NULL);
    CHECK(err.code == STANCE_ERR_USAGE);
    stance_error_clear(&err);
    CHECK(metrics_new(2, NULL, 1001, &err) == NULL);
    CHECK(err.code == STANCE_ERR_USAGE);
    stance_error_clear(&err);
    CHECK(metrics_new(2, (const char *const[]){"a", NULL}, 0, &err) == NULL);
    CHECK(err.code == STANCE_ERR_USAGE);
    CHECK(strstr(err.message, "label 1") != NULL);
}

static void test_merge(void)
{
    stance_error err;
    stance_error_clear(&err);
    metrics *whole = metrics_new(3, stance3, 0, NULL);
    metrics *a = metrics_new(3, stance3, 0, NULL);
    metrics *b = metrics_new(3, stance3, 0, NULL);
    const char *const other_names[] = {"favor", "against", "neutral"};
    metrics *other = metrics_new(3, other_names, 0, NULL);
    metrics *other_bins = metrics_new(3, stance3, 4, NULL);
    CHECK(whole && a && b && other && other_bins);
    if (whole && a && b && other && other_bins) {
        add_pairs(whole, 0, 10);
        add_pairs(a, 0, 4);
        add_pairs(b, 4, 10);
        const double probs[3] = {0.2, 0.7, 0.1};
        metrics_add(whole, 1, 1, probs);
        metrics_add(b, 1, 1, probs);

        CHECK(metrics_merge(a, b, &err) == 0);
        CHECK(metrics_count(a) == 11);
        CHECK(near(metrics_accuracy(a), metrics_accuracy(whole)));
        CHECK(near(metrics_macro_f1(a), metrics_macro_f1(whole)));
        CHECK(near(metrics_ece(a), metrics_ece(whole)));
        CHECK(near(metrics_ece(a), 0.3)); /* one prediction, conf 0.7, correct */
        int same = 1;
        for (int g = 0; g < 3; g++)
            for (int p = 0; p < 3; p++)
                same &= metrics_confusion(a, g, p) == metrics_confusion(whole, g, p);
        CHECK(same);

        CHECK(metrics_merge(a, other, &err) == STANCE_ERR_USAGE);
        CHECK(err.code == STANCE_ERR_USAGE && strstr(err.message, "neutral") != NULL);
        CHECK(metrics_merge(a, other_bins, &err) == STANCE_ERR_USAGE);
        CHECK(metrics_count(a) == 11); /* unchanged by the failed merges */

        CHECK(metrics_merge(a, a, &err) == 0); /* self-merge doubles */
        CHECK(metrics_count(a) == 22);
        CHECK(metrics_confusion(a, 2, 2) == 6);
        CHECK(near(metrics_accuracy(a), metrics_accuracy(whole)));
    }
    metrics_free(whole);
    metrics_free(a);
    metrics_free(b);
    metrics_free(other);
    metrics_free(other_bins);
}

static void test_table_and_json(void)
{
    const char *const names[] = {"за", "против", "none"};
    metrics *m = metrics_new(3, names, 0, NULL);
    CHECK(m != NULL);
    if (!m)
        return;
    add_pairs(m, 0, 10);
    metrics_add(m, 0, 0, (const double[]){0.9, 0.05, 0.05});

    char *table = metrics_format_table(m, "fold 1");
    CHECK(table != NULL);
    if (table) {
        printf("%s", table);
        CHECK(strncmp(table, "fold 1\n", 7) == 0);
        CHECK(strstr(table, "n = 11") != NULL);
        CHECK(strstr(table, "accuracy = 0.7273") != NULL);
        /* Rows are gold; columns as wide as their (UTF-8) label, so Cyrillic lines up. */
        CHECK(strstr(table, "\ngold\\pred  за  против  none\n") != NULL);
        CHECK(strstr(table, "\nпротив      0       2     1\n") != NULL);
        CHECK(strstr(table, "\nза          3       1     0\n") != NULL);
        CHECK(strstr(table, "\nза            0.7500     0.7500     0.7500          4\n") != NULL);
        CHECK(table[strlen(table) - 1] == '\n');
        free(table);
    }

    cJSON *json = metrics_to_json(m);
    CHECK(json != NULL);
    if (json) {
        const cJSON *acc = cJSON_GetObjectItemCaseSensitive(json, "accuracy");
        CHECK(cJSON_IsNumber(acc) && near(acc->valuedouble, 8.0 / 11));
        const cJSON *ece = cJSON_GetObjectItemCaseSensitive(json, "ece");
        CHECK(cJSON_IsNumber(ece) && near(ece->valuedouble, 0.1));
        const cJSON *classes = cJSON_GetObjectItemCaseSensitive(json, "classes");
        const cJSON *none = cJSON_GetObjectItemCaseSensitive(classes, "none");
        const cJSON *f1 = cJSON_GetObjectItemCaseSensitive(none, "f1");
        CHECK(cJSON_IsNumber(f1) && near(f1->valuedouble, 0.75));
        const cJSON *sup = cJSON_GetObjectItemCaseSensitive(none, "support");
        CHECK(cJSON_IsNumber(sup) && sup->valuedouble == 4.0);
        const cJSON *conf = cJSON_GetObjectItemCaseSensitive(json, "confusion");
        const cJSON *labels = cJSON_GetObjectItemCaseSensitive(conf, "labels");
        CHECK(cJSON_GetArraySize(labels) == 3);
        CHECK_STR(cJSON_GetStringValue(cJSON_GetArrayItem(labels, 1)), "против");
        const cJSON *matrix = cJSON_GetObjectItemCaseSensitive(conf, "matrix");
        const cJSON *row0 = cJSON_GetArrayItem(matrix, 0);
        CHECK(cJSON_GetArraySize(matrix) == 3 && cJSON_GetArraySize(row0) == 3);
        CHECK(cJSON_GetArrayItem(row0, 0)->valuedouble == 3.0);
        const cJSON *rel = cJSON_GetObjectItemCaseSensitive(json, "reliability");
        CHECK(cJSON_GetArraySize(rel) == 10);
        const cJSON *bin9 = cJSON_GetArrayItem(rel, 9);
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(bin9, "count");
        CHECK(cJSON_IsNumber(count) && count->valuedouble == 1.0);
        const cJSON *mc = cJSON_GetObjectItemCaseSensitive(bin9, "mean_confidence");
        CHECK(cJSON_IsNumber(mc) && near(mc->valuedouble, 0.9));
        cJSON_Delete(json);
    }
    metrics_free(m);
}

int main(void)
{
    test_basic();
    test_zero_support();
    test_ece();
    test_empty();
    test_bad_args();
    test_merge();
    test_table_and_json();
    return check_finish();
}
