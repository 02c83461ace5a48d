/*
 * metrics.c - confusion-matrix based evaluation and calibration bins.
 *
 * Everything is derived on demand from integer counts (the K x K confusion
 * matrix, per-bin counts of predictions and of correct ones) plus one double
 * per bin (the sum of confidences). Integer counts make merging exact and
 * order-independent, which keeps cross-validation results reproducible no
 * matter how folds are scheduled over threads.
 */
#include "metrics.h"
#include "strbuf.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bins beyond this make reliability diagrams meaningless and the tables huge. */
#define METRICS_MAX_BINS 1000
#define METRICS_DEFAULT_BINS 10

struct metrics {
    size_t k;
    char **labels;   /* k owned copies */
    long *confusion; /* k*k, row = gold, column = predicted */
    size_t n;        /* counted predictions */
    size_t rejected; /* metrics_add calls with out-of-range indexes */
    int bins;
    long *bin_count;      /* predictions with probabilities per bin */
    long *bin_correct;    /* ... of which pred == gold */
    double *bin_conf_sum; /* sum of their confidences */
};

static char *metrics_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy)
        memcpy(copy, s, len);
    return copy;
}

metrics *metrics_new(size_t k, const char *const *labels, int bins, stance_error *err)
{
    if (k == 0) {
        stance_error_set(err, STANCE_ERR_USAGE, "metrics_new: need at least one label");
        return NULL;
    }
    if (bins == 0)
        bins = METRICS_DEFAULT_BINS;
    if (bins < 0 || bins > METRICS_MAX_BINS) {
        stance_error_set(err, STANCE_ERR_USAGE, "metrics_new: %d calibration bins (allowed 1..%d)",
                         bins, METRICS_MAX_BINS);
        return NULL;
    }
    /* k*k longs must not overflow size_t; any real label set is far below. */
    if (k > SIZE_MAX / sizeof(long) / k) {
        stance_error_set(err, STANCE_ERR_USAGE, "metrics_new: %zu labels is too many", k);
        return NULL;
    }
    if (labels) {
        for (size_t i = 0; i < k; i++) {
            if (!labels[i]) {
                stance_error_set(err, STANCE_ERR_USAGE, "metrics_new: label %zu is NULL", i);
                return NULL;
            }
        }
    }

    metrics *m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->k = k;
    m->bins = bins;
    m->labels = calloc(k, sizeof *m->labels);
    m->confusion = calloc(k * k, sizeof *m->confusion);
    m->bin_count = calloc((size_t)bins, sizeof *m->bin_count);
    m->bin_correct = calloc((size_t)bins, sizeof *m->bin_correct);
    m->bin_conf_sum = calloc((size_t)bins, sizeof *m->bin_conf_sum);
    if (!m->labels || !m->confusion || !m->bin_count || !m->bin_correct || !m->bin_conf_sum)
        goto nomem;
    for (size_t i = 0; i < k; i++) {
        if (labels) {
            m->labels[i] = metrics_strdup(labels[i]);
        } else {
            char name[32];
            snprintf(name, sizeof name, "%zu", i);
            m->labels[i] = metrics_strdup(name);
        }
        if (!m->labels[i])
            goto nomem;
    }
    return m;

nomem:
    metrics_free(m);
    stance_error_set(err, STANCE_ERR_NOMEM, "metrics_new: out of memory for %zu labels", k);
    return NULL;
}

void metrics_free(metrics *m)
{
    if (!m)
        return;
    if (m->labels) {
        for (size_t i = 0; i < m->k; i++)
            free(m->labels[i]);
        free(m->labels);
    }
    free(m->confusion);
    free(m->bin_count);
    free(m->bin_correct);
    free(m->bin_conf_sum);
    free(m);
}

/* The bin of a confidence in [0,1]: [b/bins, (b+1)/bins), 1.0 in the last. */
static int metrics_bin_of(const metrics *m, double conf)
{
    int b = (int)(conf * m->bins);
    if (b >= m->bins)
        b = m->bins - 1;
    if (b < 0)
        b = 0;
    return b;
}

void metrics_add(metrics *m, int gold, int pred, const double *probs)
{
    if (!m)
        return;
    if (gold < 0 || pred < 0 || (size_t)gold >= m->k || (size_t)pred >= m->k) {
        m->rejected++;
        return;
    }
    m->confusion[(size_t)gold * m->k + (size_t)pred]++;
    m->n++;
    if (!probs)
        return;
    double conf = probs[pred];
    if (isnan(conf))
        return;
    /* Uncalibrated models (e.g. fastText) can emit slightly > 1: clamp rather than drop. */
    if (conf < 0.0)
        conf = 0.0;
    if (conf > 1.0)
        conf = 1.0;
    int b = metrics_bin_of(m, conf);
    m->bin_count[b]++;
    m->bin_conf_sum[b] += conf;
    if (gold == pred)
        m->bin_correct[b]++;
}

size_t metrics_count(const metrics *m)
{
    return m ? m->n : 0;
}

size_t metrics_rejected(const metrics *m)
{
    return m ? m->rejected : 0;
}

size_t metrics_count_calibrated(const metrics *m)
{
    if (!m)
        return 0;
    size_t total = 0;
    for (int b = 0; b < m->bins; b++)
        total += (size_t)m->bin_count[b];
    return total;
}

size_t metrics_labels(const metrics *m)
{
    return m ? m->k : 0;
}

const char *metrics_label(const metrics *m, size_t i)
{
    return (m && i < m->k) ? m->labels[i] : NULL;
}

double metrics_accuracy(const metrics *m)
{
    if (!m || m->n == 0)
        return 0.0;
    long correct = 0;
    for (size_t i = 0; i < m->k; i++)
        correct += m->confusion[i * m->k + i];
    return (double)correct / (double)m->n;
}

void metrics_class(const metrics *m, int label, double *precision, double *recall, double *f1,
                   long *support)
{
    double p = 0.0, r = 0.0, f = 0.0;
    long gold_total = 0;
    if (m && label >= 0 && (size_t)label < m->k) {
        size_t c = (size_t)label;
        long tp = m->confusion[c * m->k + c];
        long pred_total = 0;
        for (size_t i = 0; i < m->k; i++) {
            gold_total += m->confusion[c * m->k + i];
            pred_total += m->confusion[i * m->k + c];
        }
        /* zero_division=0: what scikit-learn's default ("warn") also yields. */
        if (pred_total > 0)
            p = (double)tp / (double)pred_total;
        if (gold_total > 0)
            r = (double)tp / (double)gold_total;
        /* 2tp / (gold + pred) equals 2PR/(P+R) and needs no special case for P+R == 0. */
        if (gold_total + pred_total > 0)
            f = 2.0 * (double)tp / (double)(gold_total + pred_total);
    }
    if (precision)
        *precision = p;
    if (recall)
        *recall = r;
    if (f1)
        *f1 = f;
    if (support)
        *support = gold_total;
}

double metrics_macro_f1(const metrics *m)
{
    if (!m)
        return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < m->k; i++) {
        double f;
        metrics_class(m, (int)i, NULL, NULL, &f, NULL);
        sum += f;
    }
    return sum / (double)m->k;
}

double metrics_macro_f1_subset(const metrics *m, size_t n, const int *labels)
{
    if (!m || !labels)
        return 0.0;
    double sum = 0.0;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < 0 || (size_t)labels[i] >= m->k)
            continue;
        double f;
        metrics_class(m, labels[i], NULL, NULL, &f, NULL);
        sum += f;
        used++;
    }
    return used ? sum / (double)used : 0.0;
}

long metrics_confusion(const metrics *m, int gold, int pred)
{
    if (!m || gold < 0 || pred < 0 || (size_t)gold >= m->k || (size_t)pred >= m->k)
        return 0;
    return m->confusion[(size_t)gold * m->k + (size_t)pred];
}

int metrics_bins(const metrics *m)
{
    return m ? m->bins : 0;
}

void metrics_bin(const metrics *m, int b, long *count, double *mean_conf, double *accuracy)
{
    long c = 0;
    double conf = 0.0, acc = 0.0;
    if (m && b >= 0 && b < m->bins && m->bin_count[b] > 0) {
        c = m->bin_count[b];
        conf = m->bin_conf_sum[b] / (double)c;
        acc = (double)m->bin_correct[b] / (double)c;
    }
    if (count)
        *count = c;
    if (mean_conf)
        *mean_conf = conf;
    if (accuracy)
        *accuracy = acc;
}

double metrics_ece(const metrics *m)
{
    size_t total = metrics_count_calibrated(m);
    if (total == 0)
        return 0.0;
    double ece = 0.0;
    for (int b = 0; b < m->bins; b++) {
        long c;
        double conf, acc;
        metrics_bin(m, b, &c, &conf, &acc);
        if (c > 0)
            ece += (double)c / (double)total * fabs(acc - conf);
    }
    return ece;
}

int metrics_merge(metrics *a, const metrics *b, stance_error *err)
{
    if (!a || !b)
        return stance_error_set(err, STANCE_ERR_USAGE, "metrics_merge: NULL metrics");
    if (a->k != b->k)
        return stance_error_set(err, STANCE_ERR_USAGE, "metrics_merge: %zu labels vs %zu labels",
                                a->k, b->k);
    if (a->bins != b->bins)
        return stance_error_set(err, STANCE_ERR_USAGE, "metrics_merge: %d bins vs %d bins", a->bins,
                                b->bins);
    for (size_t i = 0; i < a->k; i++) {
        if (strcmp(a->labels[i], b->labels[i]) != 0)
            return stance_error_set(err, STANCE_ERR_USAGE,
                                    "metrics_merge: label %zu is \"%s\" vs \"%s\"", i, a->labels[i],
                                    b->labels[i]);
    }
    if (a == b) {
        /* Merging an object into itself doubles every count. */
        for (size_t i = 0; i < a->k * a->k; i++)
            a->confusion[i] *= 2;
        for (int i = 0; i < a->bins; i++) {
            a->bin_count[i] *= 2;
            a->bin_correct[i] *= 2;
            a->bin_conf_sum[i] *= 2.0;
        }
        a->n *= 2;
        a->rejected *= 2;
        return STANCE_OK;
    }
    for (size_t i = 0; i < a->k * a->k; i++)
        a->confusion[i] += b->confusion[i];
    for (int i = 0; i < a->bins; i++) {
        a->bin_count[i] += b->bin_count[i];
        a->bin_correct[i] += b->bin_correct[i];
        a->bin_conf_sum[i] += b->bin_conf_sum[i];
    }
    a->n += b->n;
    a->rejected += b->rejected;
    return STANCE_OK;
}

/* ---- text table ---------------------------------------------------------- */

/* Display width of a UTF-8 string: code points, not bytes, so that Cyrillic
 * label names ("за", "против") line up like ASCII ones. */
static size_t utf8_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* Appends s padded with spaces to `width` columns, on the left or the right. */
static void sbuf_pad(strbuf *s, const char *text, size_t width, int right_align)
{
    size_t w = utf8_width(text);
    size_t pad = w < width ? width - w : 0;
    if (right_align)
        strbuf_printf(s, "%*s%s", (int)pad, "", text);
    else
        strbuf_printf(s, "%s%*s", text, (int)pad, "");
}

char *metrics_format_table(const metrics *m, const char *title)
{
    if (!m)
        return NULL;
    strbuf s = {NULL, 0, 0, 0};

    if (title && *title)
        strbuf_printf(&s, "%s\n", title);
    strbuf_printf(&s,
                  "n = %zu  accuracy = %.4f  macro-F1 = %.4f  ECE = %.4f (%d bins, %zu with "
                  "probabilities)\n",
                  m->n, metrics_accuracy(m), metrics_macro_f1(m), metrics_ece(m), m->bins,
                  metrics_count_calibrated(m));
    if (m->rejected)
        strbuf_printf(&s, "rejected (label index out of range): %zu\n", m->rejected);

    /* Per-class table. */
    size_t name_w = utf8_width("macro avg");
    for (size_t i = 0; i < m->k; i++) {
        size_t w = utf8_width(m->labels[i]);
        if (w > name_w)
            name_w = w;
    }
    strbuf_printf(&s, "\n");
    sbuf_pad(&s, "label", name_w, 0);
    strbuf_printf(&s, "  precision     recall         f1    support\n");
    for (size_t i = 0; i < m->k; i++) {
        double p, r, f;
        long sup;
        metrics_class(m, (int)i, &p, &r, &f, &sup);
        sbuf_pad(&s, m->labels[i], name_w, 0);
        strbuf_printf(&s, "  %9.4f  %9.4f  %9.4f  %9ld\n", p, r, f, sup);
    }
    sbuf_pad(&s, "macro avg", name_w, 0);
    {
        double p_sum = 0.0, r_sum = 0.0;
        for (size_t i = 0; i < m->k; i++) {
            double p, r;
            metrics_class(m, (int)i, &p, &r, NULL, NULL);
            p_sum += p;
            r_sum += r;
        }
        strbuf_printf(&s, "  %9.4f  %9.4f  %9.4f  %9zu\n", p_sum / (double)m->k,
                      r_sum / (double)m->k, metrics_macro_f1(m), m->n);
    }

    /* Confusion matrix: each column as wide as its label or its largest count. */
    strbuf_printf(&s, "\nconfusion (rows gold, columns predicted)\n");
    const char *corner = "gold\\pred";
    size_t row_w = name_w > utf8_width(corner) ? name_w : utf8_width(corner);
    sbuf_pad(&s, corner, row_w, 0);
    for (size_t j = 0; j < m->k; j++) {
        size_t col_w = utf8_width(m->labels[j]);
        for (size_t i = 0; i < m->k; i++) {
            char num[32];
            size_t w = (size_t)snprintf(num, sizeof num, "%ld", m->confusion[i * m->k + j]);
            if (w > col_w)
                col_w = w;
        }
        strbuf_printf(&s, "  ");
        sbuf_pad(&s, m->labels[j], col_w, 1);
    }
    strbuf_printf(&s, "\n");
    for (size_t i = 0; i < m->k; i++) {
        sbuf_pad(&s, m->labels[i], row_w, 0);
        for (size_t j = 0; j < m->k; j++) {
            size_t col_w = utf8_width(m->labels[j]);
            for (size_t r = 0; r < m->k; r++) {
                char num[32];
                size_t w = (size_t)snprintf(num, sizeof num, "%ld", m->confusion[r * m->k + j]);
                if (w > col_w)
                    col_w = w;
            }
            char cell[32];
            snprintf(cell, sizeof cell, "%ld", m->confusion[i * m->k + j]);
            strbuf_printf(&s, "  ");
            sbuf_pad(&s, cell, col_w, 1);
        }
        strbuf_printf(&s, "\n");
    }

    if (s.failed || !s.buf) {
        free(s.buf);
        return NULL;
    }
    return s.buf;
}

/* ---- JSON ---------------------------------------------------------------- */

cJSON *metrics_to_json(const metrics *m)
{
    if (!m)
        return NULL;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    /* cJSON_Add* return NULL on allocation failure; checking each keeps OOM a clean NULL. */
    int ok = cJSON_AddNumberToObject(root, "n", (double)m->n) != NULL;
    ok = ok &&
         cJSON_AddNumberToObject(root, "n_calibrated", (double)metrics_count_calibrated(m)) != NULL;
    ok = ok && cJSON_AddNumberToObject(root, "accuracy", metrics_accuracy(m)) != NULL;
    ok = ok && cJSON_AddNumberToObject(root, "macro_f1", metrics_macro_f1(m)) != NULL;
    ok = ok && cJSON_AddNumberToObject(root, "ece", metrics_ece(m)) != NULL;

    cJSON *classes = ok ? cJSON_AddObjectToObject(root, "classes") : NULL;
    ok = ok && classes;
    for (size_t i = 0; ok && i < m->k; i++) {
        double p, r, f;
        long sup;
        metrics_class(m, (int)i, &p, &r, &f, &sup);
        cJSON *c = cJSON_AddObjectToObject(classes, m->labels[i]);
        ok = c && cJSON_AddNumberToObject(c, "precision", p) &&
             cJSON_AddNumberToObject(c, "recall", r) && cJSON_AddNumberToObject(c, "f1", f) &&
             cJSON_AddNumberToObject(c, "support", (double)sup);
    }

    cJSON *conf = ok ? cJSON_AddObjectToObject(root, "confusion") : NULL;
    cJSON *names = conf ? cJSON_AddArrayToObject(conf, "labels") : NULL;
    cJSON *matrix = names ? cJSON_AddArrayToObject(conf, "matrix") : NULL;
    ok = ok && matrix;
    for (size_t i = 0; ok && i < m->k; i++) {
        cJSON *name = cJSON_CreateString(m->labels[i]);
        ok = name != NULL;
        if (ok)
            cJSON_AddItemToArray(names, name);
        cJSON *row = ok ? cJSON_CreateArray() : NULL;
        ok = ok && row;
        if (ok)
            cJSON_AddItemToArray(matrix, row);
        for (size_t j = 0; ok && j < m->k; j++) {
            cJSON *cell = cJSON_CreateNumber((double)m->confusion[i * m->k + j]);
            ok = cell != NULL;
            if (ok)
                cJSON_AddItemToArray(row, cell);
        }
    }

    cJSON *rel = ok ? cJSON_AddArrayToObject(root, "reliability") : NULL;
    ok = ok && rel;
    for (int b = 0; ok && b < m->bins; b++) {
        long count;
        double mean_conf, acc;
        metrics_bin(m, b, &count, &mean_conf, &acc);
        cJSON *bin = cJSON_CreateObject();
        ok = bin != NULL;
        if (ok)
            cJSON_AddItemToArray(rel, bin);
        ok = ok && cJSON_AddNumberToObject(bin, "bin", b) &&
             cJSON_AddNumberToObject(bin, "lower", (double)b / m->bins) &&
             cJSON_AddNumberToObject(bin, "upper", (double)(b + 1) / m->bins) &&
             cJSON_AddNumberToObject(bin, "count", (double)count) &&
             cJSON_AddNumberToObject(bin, "mean_confidence", mean_conf) &&
             cJSON_AddNumberToObject(bin, "accuracy", acc);
    }

    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
