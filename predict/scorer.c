#include "scorer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "grow.h"
#include "json_write.h"
#include "langid.h"
#include "strbuf.h"

#define MAX_LABELS 1000

struct scorer {
    const bundle *b;
    scorer_options opt;
    features_extractor **fx;         /* one per task: tasks may differ in features */
    features_extractor ***member_fx; /* [task][member]: ensemble members' own extractors */
    term_list terms;
    feature_vec vec;
    text_span *spans;
    size_t nspans, spans_cap;
    long *mentions; /* [sentence * nparties + party] */
    size_t mentions_cap;
    double *sent_probs; /* [sentence * k] for the task being scored */
    size_t sent_probs_cap;
    size_t *picked; /* sentence indexes for one target */
    size_t picked_cap;
    int *explain_top; /* explain: the best features' indexes and contributions */
    double *explain_val;
    size_t explain_top_cap, explain_val_cap;
    strbuf evidence_text; /* scorer_score_text: the evidence items of the article */
    char **task_json;     /* [task]: its name as a JSON string, written once (escaped_names) */
    char ***label_json;   /* [task][label]: the label as a JSON string */
};

static const char *const aggregations[] = {"mean", "polar", "balance", "document"};

int scorer_aggregation_valid(const char *name)
{
    for (size_t i = 0; i < sizeof aggregations / sizeof *aggregations; i++)
        if (strcmp(name, aggregations[i]) == 0)
            return 1;
    return 0;
}

static int escaped_names(scorer *s);

/* One extractor per ensemble member of task t (members differ from their task in features). */
static int member_extractors(scorer *s, size_t t, stance_error *err)
{
    const bundle_task *bt = &s->b->tasks[t];
    if (!bt->nmembers)
        return 0;
    if (!(s->member_fx[t] = calloc(bt->nmembers, sizeof *s->member_fx[t])))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory creating scorer");
    for (size_t m = 0; m < bt->nmembers; m++)
        if (!(s->member_fx[t][m] =
                  features_extractor_new(&bt->members[m].features, s->b->parties, err)))
            return err ? err->code : STANCE_ERR_MODEL;
    return 0;
}

scorer *scorer_new(const bundle *b, const scorer_options *opt, stance_error *err)
{
    if (opt && opt->aggregation && !scorer_aggregation_valid(opt->aggregation)) {
        stance_error_set(err, STANCE_ERR_USAGE,
                         "unknown aggregation \"%s\" (mean, polar, balance, document)",
                         opt->aggregation);
        return NULL;
    }
    scorer *s = calloc(1, sizeof *s);
    if (!s || !(s->fx = calloc(b->ntasks, sizeof *s->fx)) ||
        !(s->member_fx = calloc(b->ntasks, sizeof *s->member_fx))) {
        if (s)
            free(s->fx);
        free(s);
        stance_error_set(err, STANCE_ERR_NOMEM, "out of memory creating scorer");
        return NULL;
    }
    s->b = b;
    if (opt)
        s->opt = *opt;
    else
        s->opt.evidence = 2;
    for (size_t t = 0; t < b->ntasks; t++) {
        if (!scorer_aggregation_valid(b->tasks[t].aggregation)) {
            stance_error_set(err, STANCE_ERR_MODEL, "task %s: unknown aggregation \"%s\"",
                             b->tasks[t].name, b->tasks[t].aggregation);
            scorer_free(s);
            return NULL;
        }
        /* tasks with the same features share an extractor, and so its token cache */
        for (size_t u = 0; u < t && !s->fx[t]; u++)
            if (memcmp(&b->tasks[u].features, &b->tasks[t].features, sizeof(features_config)) == 0)
                s->fx[t] = s->fx[u];
        if (!s->fx[t])
            s->fx[t] = features_extractor_new(&b->tasks[t].features, b->parties, err);
        if (!s->fx[t] || member_extractors(s, t, err) != 0) {
            scorer_free(s);
            return NULL;
        }
    }
    if (escaped_names(s) != 0) {
        stance_error_set(err, STANCE_ERR_NOMEM, "out of memory creating scorer");
        scorer_free(s);
        return NULL;
    }
    return s;
}

void scorer_free(scorer *s)
{
    if (!s)
        return;
    for (size_t t = 0; s->fx && t < s->b->ntasks; t++) {
        int shared = 0;
        for (size_t u = 0; u < t; u++)
            shared |= s->fx[u] == s->fx[t];
        if (!shared)
            features_extractor_free(s->fx[t]);
    }
    free(s->fx);
    for (size_t t = 0; s->member_fx && t < s->b->ntasks; t++) {
        for (size_t m = 0; s->member_fx[t] && m < s->b->tasks[t].nmembers; m++)
            features_extractor_free(s->member_fx[t][m]);
        free(s->member_fx[t]);
    }
    free(s->member_fx);
    term_list_free(&s->terms);
    feature_vec_free(&s->vec);
    free(s->spans);
    free(s->mentions);
    free(s->sent_probs);
    free(s->picked);
    free(s->explain_top);
    free(s->explain_val);
    free(s->evidence_text.buf);
    for (size_t t = 0; t < s->b->ntasks; t++) {
        if (s->task_json)
            free(s->task_json[t]);
        for (size_t l = 0; s->label_json && s->label_json[t] && l < s->b->tasks[t].nlabels; l++)
            free(s->label_json[t][l]);
        if (s->label_json)
            free(s->label_json[t]);
    }
    free(s->task_json);
    free(s->label_json);
    free(s);
}

/* name as a JSON string (quotes and escapes). Caller frees. NULL when out of memory. */
static char *json_string_of(const char *name)
{
    strbuf b = {0};
    json_write_string(&b, name);
    if (b.failed) {
        free(b.buf);
        return NULL;
    }
    return b.buf;
}

/* The task names and labels as JSON strings: scorer_score_text writes them for every record,
 * and escaping them each time was a fifth of writing a result. 0 or -1 (out of memory). */
static int escaped_names(scorer *s)
{
    size_t n = s->b->ntasks;
    if (!(s->task_json = calloc(n, sizeof *s->task_json)) ||
        !(s->label_json = calloc(n, sizeof *s->label_json)))
        return -1;
    for (size_t t = 0; t < n; t++) {
        const bundle_task *bt = &s->b->tasks[t];
        if (!(s->task_json[t] = json_string_of(bt->name)) ||
            !(s->label_json[t] = calloc(bt->nlabels, sizeof *s->label_json[t])))
            return -1;
        for (size_t l = 0; l < bt->nlabels; l++)
            if (!(s->label_json[t][l] = json_string_of(bt->labels[l])))
                return -1;
    }
    return 0;
}

static double round4(double x)
{
    return round(x * 10000.0) / 10000.0;
}

static int neutral_label(const bundle_task *t)
{
    int i = bundle_task_label(t, "neutral");
    return i >= 0 ? i : bundle_task_label(t, "none");
}

/* The vocabulary, model and calibration that score target in task bt: the target's own model
 * (stance-train --target-models), else the task's shared one (a target seen in no training
 * row, a plain task, or a bundle without per-target models). */
typedef struct model_choice {
    const vocab *vocab;
    const struct model *model;
    double temperature;
    const double *class_bias; /* NULL: temperature only */
} model_choice;

static model_choice choose_model(const bundle_task *bt, const char *target)
{
    const bundle_target_model *tm =
        bt->target_dependent ? bundle_task_target_model(bt, target) : NULL;
    if (tm)
        return (model_choice){tm->vocab, tm->model, tm->temperature, tm->class_bias};
    return (model_choice){bt->vocab, bt->model, bt->temperature, bt->class_bias};
}

/* Vectorizes one piece of text for task t into s->vec. */
/* Terms of text for task t, as a vector over v (the vocabulary of the model that scores it). */
static int vectorize(scorer *s, size_t t, const vocab *v, const char *text, size_t len,
                     const char *lang, int party, const char *target, stance_error *err)
{
    const bundle_task *bt = &s->b->tasks[t];
    term_list_clear(&s->terms);
    int rc = features_terms(s->fx[t], text, len, lang, party, target, &s->terms, err);
    if (!rc)
        rc = vocab_vectorize(v, &s->terms, bt->features.sublinear_tf, bt->bias, &s->vec, err);
    return rc;
}

static int probs_of(scorer *s, size_t t, const char *text, size_t len, const char *lang, int party,
                    const char *target, double *probs, stance_error *err)
{
    const bundle_task *bt = &s->b->tasks[t];
    model_choice mc = choose_model(bt, target);
    int rc = vectorize(s, t, mc.vocab, text, len, lang, party, target, err);
    if (rc)
        return rc;
    double logits[MAX_LABELS];
    classify_logits(mc.model, s->vec.nodes, bt->nlabels, logits);
    classify_calibrated(logits, bt->nlabels, mc.temperature, mc.class_bias, probs);
    if (!bt->nmembers)
        return 0;
    /* an ensemble (stance-train --member): the mean of every member's calibrated
     * probabilities, each from its own terms and vocabulary */
    double mp[MAX_LABELS];
    for (size_t m = 0; m < bt->nmembers; m++) {
        const bundle_member *bm = &bt->members[m];
        term_list_clear(&s->terms);
        rc = features_terms(s->member_fx[t][m], text, len, lang, party, target, &s->terms, err);
        if (!rc)
            rc = vocab_vectorize(bm->vocab, &s->terms, bm->features.sublinear_tf, bm->bias, &s->vec,
                                 err);
        if (rc)
            return rc;
        classify_logits(bm->model, s->vec.nodes, bt->nlabels, logits);
        classify_calibrated(logits, bt->nlabels, bm->temperature, bm->class_bias, mp);
        for (size_t l = 0; l < bt->nlabels; l++)
            probs[l] += mp[l];
    }
    for (size_t l = 0; l < bt->nlabels; l++)
        probs[l] /= (double)(bt->nmembers + 1);
    return 0;
}

static int argmax(const double *p, size_t k)
{
    size_t b = 0;
    for (size_t i = 1; i < k; i++)
        if (p[i] > p[b])
            b = i;
    return (int)b;
}

static const char *aggregation_of(const scorer *s, size_t t)
{
    return s->opt.aggregation ? s->opt.aggregation : s->b->tasks[t].aggregation;
}

/* Scores the chosen sentences (s->picked, npicked) into s->sent_probs and aggregates them into
 * probs. "document" scores the whole text instead. */
static int aggregate(scorer *s, size_t t, const char *text, size_t len, const char *lang, int party,
                     const char *target, size_t npicked, int need_sentences, double *probs,
                     stance_error *err)
{
    const bundle_task *bt = &s->b->tasks[t];
    size_t k = bt->nlabels;
    const char *agg = aggregation_of(s, t);
    if (need_sentences || strcmp(agg, "document") != 0) {
        int rc = 0;
        if (stance_grow((void **)&s->sent_probs, &s->sent_probs_cap, npicked * k + 1,
                        sizeof(double)))
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory scoring");
        for (size_t i = 0; i < npicked && !rc; i++) {
            const text_span *sp = &s->spans[s->picked[i]];
            rc = probs_of(s, t, text + sp->start, sp->end - sp->start, lang, party, target,
                          s->sent_probs + i * k, err);
        }
        if (rc)
            return rc;
    }
    if (strcmp(agg, "document") == 0)
        return probs_of(s, t, text, len, lang, party, target, probs, err);
    if (npicked == 1) {
        /* one sentence: nothing to aggregate, its calibrated probabilities stand */
        memcpy(probs, s->sent_probs, k * sizeof *probs);
        return 0;
    }
    int neutral = neutral_label(bt);
    size_t used = 0;
    for (size_t l = 0; l < k; l++)
        probs[l] = 0;
    for (size_t i = 0; i < npicked; i++) {
        const double *p = s->sent_probs + i * k;
        if (strcmp(agg, "polar") == 0 && neutral >= 0 && argmax(p, k) == neutral)
            continue;
        for (size_t l = 0; l < k; l++)
            probs[l] += p[l];
        used++;
    }
    if (used == 0 && strcmp(agg, "polar") == 0 && neutral >= 0) {
        /* no sentence takes a side: the article is neutral, as sure as its sentences are */
        for (size_t i = 0; i < npicked; i++)
            for (size_t l = 0; l < k; l++)
                probs[l] += s->sent_probs[i * k + l];
        used = npicked;
    }
    for (size_t l = 0; l < k; l++)
        probs[l] = used ? probs[l] / (double)used : 1.0 / (double)k;
    if (strcmp(agg, "balance") == 0 && k == 3 && neutral >= 0 && used > 0) {
        int a = neutral == 0 ? 1 : 0, b = neutral == 2 ? 1 : 2;
        double bal = probs[a] - probs[b], thr = bt->aggregation_threshold;
        double z[3];
        z[neutral] = 0.0;
        z[a] = bt->aggregation_scale * (bal - thr);
        z[b] = bt->aggregation_scale * (-bal - thr);
        classify_probabilities(z, 3, 1.0, probs);
    }
    return 0;
}

/* Members are added under keys the result borrows (string literals, the bundle's label and
 * task names: see scorer.h), so building a result does not copy every key; label and language
 * values are borrowed the same way. Allocation failures leave the member out, as cJSON's own
 * cJSON_Add* functions do; the caller's printer then fails on nothing worse than a shorter
 * object. */
static void add_number(cJSON *o, const char *key, double v)
{
    cJSON *n = cJSON_CreateNumber(v);
    if (n && !cJSON_AddItemToObjectCS(o, key, n))
        cJSON_Delete(n);
}

static void add_borrowed_string(cJSON *o, const char *key, const char *value)
{
    cJSON *v = cJSON_CreateStringReference(value);
    if (v && !cJSON_AddItemToObjectCS(o, key, v))
        cJSON_Delete(v);
}

static cJSON *add_array(cJSON *o, const char *key)
{
    cJSON *a = cJSON_CreateArray();
    if (a && !cJSON_AddItemToObjectCS(o, key, a)) {
        cJSON_Delete(a);
        return NULL;
    }
    return a;
}

static cJSON *scores_json(const bundle_task *bt, const double *probs)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t l = 0; o && l < bt->nlabels; l++)
        add_number(o, bt->labels[l], round4(probs[l]));
    return o;
}

static cJSON *decision_json(const bundle_task *bt, const double *probs, const char *target)
{
    int best = argmax(probs, bt->nlabels);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (target)
        cJSON_AddStringToObject(o, "target", target);
    add_borrowed_string(o, "label", bt->labels[best]);
    add_number(o, "confidence", round4(probs[best]));
    cJSON_AddItemToObjectCS(o, "scores", scores_json(bt, probs));
    return o;
}

/* The features of a decision that raised its label's logit most (--explain). */
typedef struct explained {
    const vocab *vocab; /* names the features */
    const int *top;     /* feature indexes, the strongest first */
    const double *val;  /* their contributions */
    int n;
} explained;

/* The K features of the whole text that raised the chosen label's logit most, into ex (which
 * points into the scorer's buffers, valid until the next call). */
static int explain(scorer *s, size_t t, const char *text, size_t len, const char *lang, int party,
                   const char *target, int label, explained *ex, stance_error *err)
{
    const bundle_task *bt = &s->b->tasks[t];
    model_choice mc = choose_model(bt, target);
    const struct model *m = mc.model;
    int rc = vectorize(s, t, mc.vocab, text, len, lang, party, target, err);
    if (rc)
        return rc;
    int nr_w = m->nr_class == 2 && m->param.solver_type != MCSVM_CS ? 1 : m->nr_class;
    int col = 0;
    while (col < m->nr_class && m->label[col] != label)
        col++;
    int k = s->opt.explain;
    if (stance_grow((void **)&s->explain_top, &s->explain_top_cap, (size_t)k,
                    sizeof *s->explain_top) ||
        stance_grow((void **)&s->explain_val, &s->explain_val_cap, (size_t)k,
                    sizeof *s->explain_val))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory explaining");
    int *top = s->explain_top;
    double *val = s->explain_val;
    int found = 0;
    for (size_t i = 0; i < s->vec.count; i++) {
        int j = s->vec.nodes[i].index;
        if (j < 1 || j > m->nr_feature)
            continue; /* the bias node */
        double w = nr_w == 1 ? m->w[j - 1] * (col == 0 ? 1.0 : -1.0)
                             : m->w[(size_t)(j - 1) * (size_t)nr_w + (size_t)col];
        double c = w * s->vec.nodes[i].value;
        if (c <= 0)
            continue;
        int pos = found < k ? found++ : k;
        if (pos == k && c <= val[k - 1])
            continue;
        if (pos == k)
            pos = k - 1;
        while (pos > 0 && val[pos - 1] < c) {
            val[pos] = val[pos - 1];
            top[pos] = top[pos - 1];
            pos--;
        }
        val[pos] = c;
        top[pos] = j;
    }
    *ex = (explained){mc.vocab, top, val, found};
    return 0;
}

/* ---- where the results go ---------------------------------------------------------------- */

/* scorer_score builds a cJSON object; scorer_score_text writes the compact JSON text that
 * object would print as, without building it: allocating, walking and freeing the tree cost
 * as much per record as printing it (a few dozen nodes per article). Both take the same calls
 * in the same order from score_article, so they cannot drift apart; a unit test compares
 * them byte for byte. */
typedef struct sink {
    const scorer *s;
    cJSON *tree;           /* the result object (tree mode), else NULL */
    cJSON *list;           /* tree: the array of the target task being written */
    cJSON *evidence;       /* tree: the evidence array */
    strbuf *text;          /* text mode: the result's members so far */
    strbuf *evidence_text; /* text: the evidence items, comma-separated */
    int in_list, list_items, evidence_items, want_evidence;
} sink;

/* A literal needing no escapes, such as a key and its colon. */
#define PUT_LIT(b, lit) strbuf_put((b), (lit), sizeof(lit) - 1)

static void put_str(strbuf *b, const char *json)
{
    strbuf_put(b, json, strlen(json));
}

/* Task bt's name, or its label l, as a JSON string (escaped once, in scorer_new). */
static const char *task_json(const sink *o, const bundle_task *bt)
{
    return o->s->task_json[bt - o->s->b->tasks];
}

static const char *label_json(const sink *o, const bundle_task *bt, int l)
{
    return o->s->label_json[bt - o->s->b->tasks][l];
}

static void sink_lang(sink *o, const char *lang)
{
    if (o->tree) {
        cJSON_AddStringToObject(o->tree, "lang", lang);
        return;
    }
    PUT_LIT(o->text, ",\"lang\":");
    json_write_string(o->text, lang);
}

/* A target task's decisions go into an array named after it. */
static void sink_begin_list(sink *o, const bundle_task *bt)
{
    if (o->tree) {
        o->list = add_array(o->tree, bt->name);
        o->in_list = 1;
        return;
    }
    strbuf_putc(o->text, ',');
    put_str(o->text, task_json(o, bt));
    PUT_LIT(o->text, ":[");
    o->in_list = 1;
    o->list_items = 0;
}

static void sink_end_list(sink *o)
{
    if (!o->tree)
        strbuf_putc(o->text, ']');
    o->list = NULL;
    o->in_list = 0;
}

/* One decision: label, confidence, scores, and "mentions" (mentions >= 0) and "explain" (ex
 * not NULL) when given; into the open list, else as the task's member. */
static void sink_decision(sink *o, const bundle_task *bt, const double *probs, const char *target,
                          long mentions, const explained *ex)
{
    if (o->tree) {
        cJSON *d = decision_json(bt, probs, target);
        if (d && mentions >= 0)
            add_number(d, "mentions", (double)mentions);
        cJSON *arr = d && ex ? add_array(d, "explain") : NULL;
        for (int i = 0; arr && i < ex->n; i++) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "feature", vocab_term(ex->vocab, ex->top[i]));
            add_number(f, "weight", round4(ex->val[i]));
            cJSON_AddItemToArray(arr, f);
        }
        if (o->in_list)
            cJSON_AddItemToArray(o->list, d);
        else
            cJSON_AddItemToObjectCS(o->tree, bt->name, d);
        return;
    }
    strbuf *b = o->text;
    if (!o->in_list) {
        strbuf_putc(b, ',');
        put_str(b, task_json(o, bt));
        strbuf_putc(b, ':');
    } else if (o->list_items++) {
        strbuf_putc(b, ',');
    }
    int best = argmax(probs, bt->nlabels);
    strbuf_putc(b, '{');
    if (target) {
        PUT_LIT(b, "\"target\":");
        json_write_string(b, target);
        strbuf_putc(b, ',');
    }
    PUT_LIT(b, "\"label\":");
    put_str(b, label_json(o, bt, best));
    PUT_LIT(b, ",\"confidence\":");
    json_write_fixed4(b, probs[best]);
    PUT_LIT(b, ",\"scores\":{");
    for (size_t l = 0; l < bt->nlabels; l++) {
        if (l)
            strbuf_putc(b, ',');
        put_str(b, label_json(o, bt, (int)l));
        strbuf_putc(b, ':');
        json_write_fixed4(b, probs[l]);
    }
    strbuf_putc(b, '}');
    if (mentions >= 0) {
        PUT_LIT(b, ",\"mentions\":");
        json_write_number(b, (double)mentions);
    }
    if (ex) {
        PUT_LIT(b, ",\"explain\":[");
        for (int i = 0; i < ex->n; i++) {
            if (i)
                strbuf_putc(b, ',');
            PUT_LIT(b, "{\"feature\":");
            json_write_string(b, vocab_term(ex->vocab, ex->top[i]));
            PUT_LIT(b, ",\"weight\":");
            json_write_fixed4(b, ex->val[i]);
            strbuf_putc(b, '}');
        }
        strbuf_putc(b, ']');
    }
    strbuf_putc(b, '}');
}

/* One evidence item: a sentence quoted for a decision (text[0..n), cut before 600 bytes). */
static void sink_evidence(sink *o, size_t sentence, const bundle_task *bt, const char *target,
                          int label, double confidence, const char *text, size_t n)
{
    if (o->tree) {
        if (!o->evidence)
            return;
        cJSON *e = cJSON_CreateObject();
        add_number(e, "sentence", (double)sentence + 1);
        add_borrowed_string(e, "task", bt->name);
        if (target)
            cJSON_AddStringToObject(e, "target", target);
        add_borrowed_string(e, "label", bt->labels[label]);
        add_number(e, "confidence", round4(confidence));
        char *snippet = strndup(text, n);
        if (snippet) {
            cJSON_AddStringToObject(e, "text", snippet);
            free(snippet);
        }
        cJSON_AddItemToArray(o->evidence, e);
        return;
    }
    strbuf *b = o->evidence_text;
    if (o->evidence_items++)
        strbuf_putc(b, ',');
    PUT_LIT(b, "{\"sentence\":");
    json_write_number(b, (double)sentence + 1);
    PUT_LIT(b, ",\"task\":");
    put_str(b, task_json(o, bt));
    if (target) {
        PUT_LIT(b, ",\"target\":");
        json_write_string(b, target);
    }
    PUT_LIT(b, ",\"label\":");
    put_str(b, label_json(o, bt, label));
    PUT_LIT(b, ",\"confidence\":");
    json_write_fixed4(b, confidence);
    PUT_LIT(b, ",\"text\":");
    json_write_string_n(b, text, n);
    strbuf_putc(b, '}');
}

/* The evidence member closes the result. */
static void sink_finish(sink *o)
{
    if (o->tree) {
        if (o->evidence)
            cJSON_AddItemToObjectCS(o->tree, "evidence", o->evidence);
        o->evidence = NULL;
        return;
    }
    if (!o->want_evidence)
        return;
    PUT_LIT(o->text, ",\"evidence\":[");
    if (o->evidence_text->len)
        strbuf_put(o->text, o->evidence_text->buf, o->evidence_text->len);
    strbuf_putc(o->text, ']');
}

/* Adds the best sentences for the decision to the article's evidence list. */
static void add_evidence(scorer *s, size_t t, const char *text, size_t npicked, int label,
                         const char *target, sink *o)
{
    const bundle_task *bt = &s->b->tasks[t];
    size_t k = bt->nlabels;
    if (!o->want_evidence || label == neutral_label(bt) ||
        strcmp(aggregation_of(s, t), "document") == 0)
        return;
    int want = s->opt.evidence;
    unsigned char *used = calloc(npicked ? npicked : 1, 1);
    if (!used)
        return;
    for (int e = 0; e < want; e++) {
        size_t best = npicked;
        for (size_t i = 0; i < npicked; i++) {
            const double *p = s->sent_probs + i * k;
            if (used[i] || argmax(p, k) != label)
                continue;
            if (best == npicked || p[label] > s->sent_probs[best * k + (size_t)label])
                best = i;
        }
        if (best == npicked)
            break;
        used[best] = 1;
        const text_span *sp = &s->spans[s->picked[best]];
        /* at most 600 bytes, cut before a character, never inside one */
        size_t cut = sp->end - sp->start;
        if (cut > 600) {
            cut = 600;
            while (cut > 0 && ((unsigned char)text[sp->start + cut] & 0xC0) == 0x80)
                cut--;
        }
        sink_evidence(o, s->picked[best], bt, target, label,
                      s->sent_probs[best * k + (size_t)label], text + sp->start, cut);
    }
    free(used);
}

static int split_sentences(scorer *s, const char *text, size_t len, stance_error *err)
{
    int rc = features_sentences(s->fx[0], text, len, &s->spans, &s->nspans, &s->spans_cap, err);
    if (rc)
        return rc;
    if (s->nspans == 0) {
        if (stance_grow((void **)&s->spans, &s->spans_cap, 1, sizeof *s->spans))
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
        s->spans[0] = (text_span){0, len};
        s->nspans = 1;
    }
    return 0;
}

static int pick_all(scorer *s, stance_error *err)
{
    if (stance_grow((void **)&s->picked, &s->picked_cap, s->nspans, sizeof *s->picked))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < s->nspans; i++)
        s->picked[i] = i;
    return 0;
}

static cJSON *sentence_list(cJSON *result, size_t n)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(result, "sentences");
    if (arr)
        return arr;
    arr = add_array(result, "sentences");
    for (size_t i = 0; arr && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        add_number(o, "sentence", (double)i + 1);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static void add_sentence_results(scorer *s, size_t t, const char *text, size_t npicked,
                                 const char *target, cJSON *result)
{
    const bundle_task *bt = &s->b->tasks[t];
    cJSON *arr = sentence_list(result, s->nspans);
    for (size_t i = 0; i < npicked; i++) {
        cJSON *o = cJSON_GetArrayItem(arr, (int)s->picked[i]);
        if (!o)
            continue;
        if (!cJSON_GetObjectItemCaseSensitive(o, "text")) {
            const text_span *sp = &s->spans[s->picked[i]];
            char *snippet = strndup(text + sp->start, sp->end - sp->start);
            if (snippet)
                cJSON_AddStringToObject(o, "text", snippet);
            free(snippet);
        }
        cJSON *d = decision_json(bt, s->sent_probs + i * bt->nlabels, target);
        if (!target) {
            cJSON_AddItemToObjectCS(o, bt->name, d);
        } else {
            cJSON *list = cJSON_GetObjectItemCaseSensitive(o, bt->name);
            if (!list)
                list = add_array(o, bt->name);
            cJSON_AddItemToArray(list, d);
        }
    }
}

static void cache_all(scorer *s, int on)
{
    for (size_t t = 0; t < s->b->ntasks; t++) {
        if (on)
            features_cache_begin(s->fx[t]);
        else
            features_cache_end(s->fx[t]);
        for (size_t m = 0; m < s->b->tasks[t].nmembers; m++) {
            if (on)
                features_cache_begin(s->member_fx[t][m]);
            else
                features_cache_end(s->member_fx[t][m]);
        }
    }
}

static int score_article(scorer *s, const char *text, size_t len, const char *lang,
                         const char *target, sink *o, stance_error *err);

int scorer_score(scorer *s, const char *text, size_t len, const char *lang, const char *target,
                 cJSON *result, stance_error *err)
{
    sink o = {.s = s, .tree = result, .want_evidence = s->opt.evidence > 0};
    if (o.want_evidence && !(o.evidence = cJSON_CreateArray()))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    /* one article: its sentences are tokenized once, whatever the tasks and parties */
    cache_all(s, 1);
    int rc = score_article(s, text, len, lang, target, &o, err);
    cache_all(s, 0);
    cJSON_Delete(o.evidence); /* NULL once sink_finish has handed it to the result */
    return rc;
}

int scorer_score_text(scorer *s, const char *text, size_t len, const char *lang, const char *target,
                      strbuf *out, stance_error *err)
{
    if (s->opt.sentences)
        return stance_error_set(err, STANCE_ERR_USAGE,
                                "per-sentence results need scorer_score (a cJSON tree)");
    s->evidence_text.len = 0;
    s->evidence_text.failed = 0;
    sink o = {.s = s,
              .text = out,
              .evidence_text = &s->evidence_text,
              .want_evidence = s->opt.evidence > 0};
    cache_all(s, 1);
    int rc = score_article(s, text, len, lang, target, &o, err);
    cache_all(s, 0);
    if (!rc && (out->failed || s->evidence_text.failed))
        rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory writing the result");
    return rc;
}

static int score_article(scorer *s, const char *text, size_t len, const char *lang,
                         const char *target, sink *o, stance_error *err)
{
    const bundle *b = s->b;
    if (!lang || !*lang)
        lang = langid_detect(text, len, LANGID_SAMPLE_BYTES);
    sink_lang(o, lang);
    /* Scoring whole texts ("document") needs no sentences: one span, the whole text, also
     * serves to find the parties it mentions. */
    int need_split = s->opt.sentences;
    for (size_t t = 0; t < b->ntasks; t++)
        need_split |= strcmp(aggregation_of(s, t), "document") != 0;
    int rc = 0;
    if (need_split) {
        rc = split_sentences(s, text, len, err);
    } else if (stance_grow((void **)&s->spans, &s->spans_cap, 1, sizeof *s->spans)) {
        rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    } else {
        s->spans[0] = (text_span){0, len};
        s->nspans = 1;
    }
    if (rc)
        return rc;
    size_t np = parties_count(b->parties);
    int have_mentions = 0;
    double probs[MAX_LABELS];
    for (size_t t = 0; t < b->ntasks && !rc; t++) {
        const bundle_task *bt = &b->tasks[t];
        int need_sent = s->opt.sentences;
        if (!bt->target_dependent) {
            if ((rc = pick_all(s, err)))
                break;
            rc = aggregate(s, t, text, len, lang, -1, NULL, s->nspans, need_sent, probs, err);
            if (rc)
                break;
            int label = argmax(probs, bt->nlabels);
            explained ex = {0};
            if (s->opt.explain > 0)
                rc = explain(s, t, text, len, lang, -1, NULL, label, &ex, err);
            sink_decision(o, bt, probs, NULL, -1, s->opt.explain > 0 && !rc ? &ex : NULL);
            add_evidence(s, t, text, s->nspans, label, NULL, o);
            if (s->opt.sentences && o->tree)
                add_sentence_results(s, t, text, s->nspans, NULL, o->tree);
            continue;
        }
        /* target-dependent: which targets, and which sentences mention each */
        sink_begin_list(o, bt);
        if (!have_mentions && np > 0 && !target) {
            if (stance_grow((void **)&s->mentions, &s->mentions_cap, s->nspans * np,
                            sizeof(long))) {
                rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
                break;
            }
            memset(s->mentions, 0, s->nspans * np * sizeof(long));
            for (size_t i = 0; i < s->nspans && !rc; i++)
                rc = features_party_mentions(s->fx[t], text + s->spans[i].start,
                                             s->spans[i].end - s->spans[i].start,
                                             s->mentions + i * np, err);
            have_mentions = 1;
        }
        size_t ntargets = target ? 1 : np;
        for (size_t p = 0; p < ntargets && !rc; p++) {
            const char *tname = target ? target : parties_name(b->parties, p);
            int party = b->parties ? parties_find(b->parties, tname) : -1;
            size_t npicked = 0;
            long mentions = 0;
            if (target) {
                if ((rc = pick_all(s, err)))
                    break;
                npicked = s->nspans;
            } else {
                if (stance_grow((void **)&s->picked, &s->picked_cap, s->nspans,
                                sizeof *s->picked)) {
                    rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
                    break;
                }
                for (size_t i = 0; i < s->nspans; i++)
                    if (s->mentions[i * np + p] > 0) {
                        s->picked[npicked++] = i;
                        mentions += s->mentions[i * np + p];
                    }
                if (npicked == 0)
                    continue;
            }
            rc = aggregate(s, t, text, len, lang, party, tname, npicked, need_sent, probs, err);
            if (rc)
                break;
            int label = argmax(probs, bt->nlabels);
            explained ex = {0};
            if (s->opt.explain > 0)
                rc = explain(s, t, text, len, lang, party, tname, label, &ex, err);
            sink_decision(o, bt, probs, tname, target ? -1 : mentions,
                          s->opt.explain > 0 && !rc ? &ex : NULL);
            add_evidence(s, t, text, npicked, label, tname, o);
            if (s->opt.sentences && o->tree)
                add_sentence_results(s, t, text, npicked, tname, o->tree);
        }
        sink_end_list(o);
    }
    sink_finish(o);
    return rc;
}

int scorer_classify(scorer *s, size_t task, const char *text, size_t len, const char *lang,
                    const char *target, int *label, double *probs, stance_error *err)
{
    cache_all(s, 0); /* the text may be a reused buffer: never trust remembered tokens */
    const bundle_task *bt = &s->b->tasks[task];
    if (!lang || !*lang)
        lang = langid_detect(text, len, LANGID_SAMPLE_BYTES);
    int party = target && s->b->parties ? parties_find(s->b->parties, target) : -1;
    int rc = 0;
    if (strcmp(aggregation_of(s, task), "document") != 0) {
        rc = split_sentences(s, text, len, err);
        if (!rc)
            rc = pick_all(s, err);
    } else {
        s->nspans = 0;
    }
    if (!rc)
        rc = aggregate(s, task, text, len, lang, party, bt->target_dependent ? target : NULL,
                       s->nspans, 0, probs, err);
    if (!rc)
        *label = argmax(probs, bt->nlabels);
    return rc;
}
