/*
 * test_scorer.c - the two ways a result leaves the scorer give the same bytes.
 *
 * scorer_score builds a cJSON object; scorer_score_text writes the JSON text of that object
 * directly (stance-predict's JSONL lines). Both are fed by the same code in scorer.c, and this
 * test holds them to it: a bundle with a plain task and a target task is trained here from
 * the corpus (datasets/negotiations), and every sample article and corpus row is scored both
 * ways under each combination of evidence, explanations, aggregation and a named target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "check.h"
#include "json_write.h"
#include "parties.h"
#include "reader.h"
#include "scorer.h"
#include "strbuf.h"
#include "trainer.h"

#define MAX_TEXTS 400

static char *texts[MAX_TEXTS];
static size_t ntexts;

static void read_texts(const char *path, size_t most)
{
    stance_error err = {0};
    reader *r = reader_open(path, READER_AUTO, NULL, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    for (size_t n = 0; n < most && ntexts < MAX_TEXTS && reader_next(r, &rec, &err) == 1; n++)
        if (!rec.error_code) {
            texts[ntexts++] = rec.text;
            rec.text = NULL; /* kept: see reader.h on ownership */
        }
    record_clear(&rec);
    reader_close(r);
}

static bundle *train_bundle(const char *src)
{
    char csv[2][4096], aliases[4096];
    snprintf(csv[0], sizeof csv[0], "%s/datasets/negotiations/en.csv", src);
    snprintf(csv[1], sizeof csv[1], "%s/datasets/negotiations/ru.csv", src);
    snprintf(aliases, sizeof aliases, "%s/datasets/negotiations/aliases/en.tsv", src);
    stance_error err = {0};
    parties *p = parties_new();
    CHECK(p && parties_load_tsv(p, aliases, &err) == 0);
    snprintf(aliases, sizeof aliases, "%s/datasets/negotiations/aliases/ru.tsv", src);
    CHECK(p && parties_load_tsv(p, aliases, &err) == 0);
    trainer_options opt;
    trainer_options_default(&opt);
    opt.folds = 0;
    opt.c = 1;
    opt.features.min_df = 1;
    static const char *const targets[] = {"russia", "ukraine", "usa", "europe"};
    trainer_task_spec specs[2] = {{"outlook", "outlook", NULL, NULL, 0},
                                  {"stance", NULL, NULL, targets, 4}};
    const char *paths[] = {csv[0], csv[1]};
    bundle *b = NULL;
    trainer_report rep;
    int rc = trainer_run(paths, 2, specs, 2, &opt, p, &b, &rep, &err);
    if (rc)
        fprintf(stderr, "training failed: %s\n", err.message);
    CHECK(rc == 0);
    trainer_report_clear(&rep);
    return b;
}

/* Scores every text both ways under opt (target may be NULL); returns how many differed. */
static int compare(const bundle *b, const scorer_options *opt, const char *target)
{
    stance_error err = {0};
    scorer *s = scorer_new(b, opt, &err);
    CHECK(s != NULL);
    if (!s)
        return 1;
    int differ = 0;
    for (size_t i = 0; i < ntexts; i++) {
        cJSON *res = cJSON_CreateObject();
        cJSON_AddStringToObject(res, "id", "x");
        int rc1 = scorer_score(s, texts[i], strlen(texts[i]), NULL, target, res, &err);
        char *tree = json_write_compact(res, NULL);
        cJSON_Delete(res);
        strbuf text = {0};
        strbuf_put(&text, "{\"id\":\"x\"", 9);
        int rc2 = scorer_score_text(s, texts[i], strlen(texts[i]), NULL, target, &text, &err);
        strbuf_putc(&text, '}');
        if (rc1 != rc2 || (rc1 == 0 && (!tree || !text.buf || strcmp(tree, text.buf) != 0))) {
            if (differ++ == 0)
                fprintf(stderr, "text %zu differs:\n  tree: %s\n  text: %s\n", i,
                        tree ? tree : "(null)", text.buf ? text.buf : "(null)");
        }
        free(tree);
        free(text.buf);
    }
    scorer_free(s);
    return differ;
}

int main(void)
{
    const char *src = getenv("STANCE_SOURCE_DIR");
    if (!src)
        src = ".";
    char path[4096];
    snprintf(path, sizeof path, "%s/datasets/samples", src);
    read_texts(path, MAX_TEXTS);
    snprintf(path, sizeof path, "%s/datasets/negotiations/en_articles.csv", src);
    read_texts(path, 40);
    snprintf(path, sizeof path, "%s/datasets/negotiations/ru.csv", src);
    read_texts(path, 40);
    CHECK(ntexts > 20);
    bundle *b = train_bundle(src);
    if (!b)
        return check_finish();

    static const char *const aggregations[] = {NULL, "mean", "polar", "document"};
    int runs = 0;
    for (int evidence = 0; evidence <= 5; evidence += 5)
        for (int explain = 0; explain <= 3; explain += 3)
            for (size_t a = 0; a < sizeof aggregations / sizeof *aggregations; a++)
                for (int named = 0; named <= 1; named++) {
                    scorer_options opt = {0};
                    opt.evidence = evidence ? evidence : (a == 0 ? 2 : 0);
                    opt.explain = explain;
                    opt.aggregation = aggregations[a];
                    int differ = compare(b, &opt, named ? "russia" : NULL);
                    if (differ)
                        fprintf(stderr, "evidence %d explain %d aggregation %s target %s: %d\n",
                                opt.evidence, explain, aggregations[a] ? aggregations[a] : "-",
                                named ? "russia" : "-", differ);
                    CHECK(differ == 0);
                    runs++;
                }
    CHECK(runs == 32);

    /* per-sentence results need the tree */
    scorer_options opt = {0};
    opt.sentences = 1;
    stance_error err = {0};
    scorer *s = scorer_new(b, &opt, &err);
    strbuf text = {0};
    CHECK(s && scorer_score_text(s, "a text", 6, NULL, NULL, &text, &err) == STANCE_ERR_USAGE);
    free(text.buf);
    scorer_free(s);

    bundle_free(b);
    for (size_t i = 0; i < ntexts; i++)
        free(texts[i]);
    return check_finish();
}
