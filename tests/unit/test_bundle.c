/* Unit tests: train -> bundle_save -> bundle_load round trip, and refusals of broken bundles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "check.h"
#include "classify.h"
#include "trainer.h"

static char dir[400];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void edit_manifest(const char *from, const char *to, const char *find, const char *repl)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "rm -rf '%s' && cp -r '%s' '%s' && sed -i 's/%s/%s/' '%s/manifest.json'", to, from, to,
             find, repl, to);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    const char *tmp = getenv("STANCE_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/bundle-test", tmp ? tmp : "/tmp");
    char cmd[2048], csv[500], out[500], bad[500];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    CHECK(system(cmd) == 0);
    snprintf(csv, sizeof csv, "%s/d.csv", dir);
    write_file(csv, "text,label\n"
                    "good progress agreed,pos\nreal progress today,pos\ngood deal agreed,pos\n"
                    "talks failed badly,neg\ndead end again,neg\ntalks failed today,neg\n");
    trainer_options opt;
    trainer_options_default(&opt);
    opt.features.min_df = 1;
    opt.folds = 3;
    trainer_task_spec spec = {"tone", "label", NULL, NULL, 0};
    const char *paths[] = {csv};
    bundle *b = NULL;
    trainer_report rep;
    stance_error err = {0};
    CHECK(trainer_run(paths, 1, &spec, 1, &opt, NULL, &b, &rep, &err) == 0);
    trainer_report_clear(&rep);
    if (!b)
        return check_finish();
    CHECK(b->ntasks == 1 && b->tasks[0].nlabels == 2);
    CHECK_STR(b->tasks[0].labels[0], "neg");
    b->name = strdup("t");
    snprintf(out, sizeof out, "%s/t.model", dir);
    CHECK(bundle_save(b, out, &err) == 0);

    bundle *l = bundle_load(out, &err);
    CHECK(l != NULL);
    if (l) {
        CHECK(l->ntasks == 1 && vocab_size(l->tasks[0].vocab) == vocab_size(b->tasks[0].vocab));
        CHECK(l->tasks[0].temperature == b->tasks[0].temperature);
        /* the loaded model scores exactly like the trained one */
        struct feature_node x[] = {
            {1, 0.5}, {2, 0.5}, {(int)vocab_size(b->tasks[0].vocab) + 1, 1}, {-1, 0}};
        double z1[2], z2[2];
        classify_logits(b->tasks[0].model, x, 2, z1);
        classify_logits(l->tasks[0].model, x, 2, z2);
        CHECK(z1[0] == z2[0] && z1[1] == z2[1]);
        bundle_free(l);
    }
    /* a file that is not a bundle directory: refused, and not overwritten */
    snprintf(bad, sizeof bad, "%s/plain", dir);
    write_file(bad, "x");
    CHECK(bundle_save(b, bad, &err) == STANCE_ERR_IO);
    CHECK(bundle_load(bad, &err) == NULL && err.code == STANCE_ERR_MODEL);

    snprintf(bad, sizeof bad, "%s/v.model", dir);
    edit_manifest(out, bad, "\"format_version\":\\t1", "\"format_version\":\\t2");
    CHECK(bundle_load(bad, &err) == NULL && strstr(err.message, "newer"));
    edit_manifest(out, bad, "\"temperature\":", "\"temperature\": \"x\", \"was\":");
    CHECK(bundle_load(bad, &err) == NULL && strstr(err.message, "temperature"));
    edit_manifest(out, bad, "stance-bundle", "other-format");
    CHECK(bundle_load(bad, &err) == NULL && strstr(err.message, "not a stance bundle"));
    edit_manifest(out, bad, "\"C\":", "\"C\":");
    snprintf(cmd, sizeof cmd, "echo >> '%s/tone.vocab.tsv'", bad);
    CHECK(system(cmd) == 0);
    CHECK(bundle_load(bad, &err) == NULL && strstr(err.message, "sha256"));
    snprintf(cmd, sizeof cmd, "rm '%s/tone.liblinear'", bad);
    CHECK(system(cmd) == 0);
    CHECK(bundle_load(bad, &err) == NULL && err.code == STANCE_ERR_MODEL);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && ln -s '%s' '%s'", bad, bad, bad);
    CHECK(system(cmd) == 0);
    CHECK(bundle_load(bad, &err) == NULL && err.code == STANCE_ERR_MODEL); /* symlink loop */
    bundle_free(b);
    l = bundle_load(out, &err); /* a bundle without per-target models loads as it did */
    CHECK(l && l->tasks[0].ntarget_models == 0 && !bundle_task_target_model(&l->tasks[0], "x"));
    bundle_free(l);

    /* --target-models: one model per target beside the shared one, saved, loaded, and scoring
     * exactly as trained; a broken or unknown entry is refused naming the file or the entry */
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    write_file(csv, "text,target,label\n"
                    "good progress agreed,alpha,pos\nreal progress today,alpha,pos\n"
                    "good deal agreed,alpha,pos\ntalks failed badly,alpha,neg\n"
                    "dead end again,alpha,neg\ntalks failed today,alpha,neg\n"
                    "good progress agreed,beta,neg\nreal progress today,beta,neg\n"
                    "good deal agreed,beta,neg\ntalks failed badly,beta,pos\n"
                    "dead end again,beta,pos\ntalks failed today,beta,pos\n");
    opt.target_models = 1;
    opt.folds = 2;
    trainer_task_spec tspec = {"stance", "label", "target", NULL, 0};
    b = NULL;
    CHECK(trainer_run(paths, 1, &tspec, 1, &opt, NULL, &b, &rep, &err) == 0);
    trainer_report_clear(&rep);
    if (!b)
        return check_finish();
    const bundle_task *bt = &b->tasks[0];
    CHECK(bt->target_dependent && bt->ntarget_models == 2);
    CHECK(bundle_task_target_model(bt, "alpha") == &bt->target_models[0]);
    CHECK(bundle_task_target_model(bt, "beta") == &bt->target_models[1]);
    CHECK(!bundle_task_target_model(bt, "gamma") && !bundle_task_target_model(bt, NULL));
    b->name = strdup("tm");
    snprintf(out, sizeof out, "%s/tm.model", dir);
    CHECK(bundle_save(b, out, &err) == 0);
    l = bundle_load(out, &err);
    CHECK(l != NULL);
    if (l && l->tasks[0].ntarget_models == 2) {
        for (size_t i = 0; i < 2; i++) {
            const bundle_target_model *a = &bt->target_models[i],
                                      *z = &l->tasks[0].target_models[i];
            CHECK_STR(z->target, a->target);
            CHECK(z->c == a->c && z->temperature == a->temperature);
            CHECK(vocab_size(z->vocab) == vocab_size(a->vocab));
            struct feature_node x[] = {
                {1, 0.5}, {2, 0.5}, {(int)vocab_size(a->vocab) + 1, 1}, {-1, 0}};
            double z1[2], z2[2];
            classify_logits(a->model, x, 2, z1);
            classify_logits(z->model, x, 2, z2);
            CHECK(z1[0] == z2[0] && z1[1] == z2[1]);
        }
        /* the two targets' labels are opposite: "good" points to pos (1) for alpha, neg (0)
         * for beta */
        int lab[2] = {-1, -1};
        for (size_t i = 0; i < 2; i++) {
            const bundle_target_model *m = &l->tasks[0].target_models[i];
            int j = vocab_index(m->vocab, "good", 4);
            CHECK(j > 0);
            struct feature_node x[] = {{j, 1}, {(int)vocab_size(m->vocab) + 1, 1}, {-1, 0}};
            double z[2];
            classify_logits(m->model, x, 2, z);
            lab[i] = z[1] > z[0];
        }
        CHECK(lab[0] == 1 && lab[1] == 0);
    }
    bundle_free(l);
    snprintf(bad, sizeof bad, "%s/tb.model", dir);
    edit_manifest(out, bad, "\"C\":", "\"C\":");
    snprintf(cmd, sizeof cmd, "echo >> '%s/stance.target-1.vocab.tsv'", bad);
    CHECK(system(cmd) == 0);
    CHECK(bundle_load(bad, &err) == NULL && err.code == STANCE_ERR_MODEL &&
          strstr(err.message, "stance.target-1.vocab.tsv") && strstr(err.message, "sha256"));
    edit_manifest(out, bad, "\"C\":", "\"C\":");
    snprintf(cmd, sizeof cmd, "rm '%s/stance.target-0.liblinear'", bad);
    CHECK(system(cmd) == 0);
    CHECK(bundle_load(bad, &err) == NULL && err.code == STANCE_ERR_MODEL &&
          strstr(err.message, "stance.target-0.liblinear"));
    edit_manifest(out, bad, "\"target\":", "\"weight\": 2, \"target\":");
    CHECK(bundle_load(bad, &err) == NULL && err.code == STANCE_ERR_MODEL &&
          strstr(err.message, "unknown key \"weight\"") && strstr(err.message, "manifest.json"));
    edit_manifest(out, bad, "\"target\":\\t\"beta\"", "\"target\":\\t\"alpha\"");
    CHECK(bundle_load(bad, &err) == NULL && strstr(err.message, "\"alpha\" has two models"));
    bundle_free(b);

    /* nb_weighting in the manifest's features: written only when on, absent in older bundles
     * (= off), and like every other field refused when it has the wrong type */
    features_config fc, back;
    features_config_default(&fc);
    cJSON *fj = bundle_features_to_json(&fc);
    CHECK(fj && !cJSON_GetObjectItemCaseSensitive(fj, "nb_weighting"));
    CHECK(bundle_features_from_json(fj, &back, &err) == 0 && back.nb_weighting == 0);
    cJSON_Delete(fj);
    fc.nb_weighting = 1;
    fj = bundle_features_to_json(&fc);
    CHECK(fj && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fj, "nb_weighting")));
    CHECK(bundle_features_from_json(fj, &back, &err) == 0 && back.nb_weighting == 1);
    cJSON_ReplaceItemInObjectCaseSensitive(fj, "nb_weighting", cJSON_CreateNumber(1));
    CHECK(bundle_features_from_json(fj, &back, &err) == STANCE_ERR_MODEL &&
          strstr(err.message, "nb_weighting"));
    cJSON_Delete(fj);

    /* punct_tokens likewise: absent (every bundle before it) = off; on round-trips through a
     * saved bundle, so prediction extracts the same runs */
    features_config_default(&fc);
    fj = bundle_features_to_json(&fc);
    CHECK(fj && !cJSON_GetObjectItemCaseSensitive(fj, "punct_tokens"));
    back.punct_tokens = 1;
    CHECK(bundle_features_from_json(fj, &back, &err) == 0 && back.punct_tokens == 0);
    cJSON_AddStringToObject(fj, "punct_tokens", "yes");
    CHECK(bundle_features_from_json(fj, &back, &err) == STANCE_ERR_MODEL &&
          strstr(err.message, "punct_tokens"));
    cJSON_Delete(fj);
    /* hashtag_split and link_classes likewise */
    fj = bundle_features_to_json(&fc);
    CHECK(fj && !cJSON_GetObjectItemCaseSensitive(fj, "hashtag_split") &&
          !cJSON_GetObjectItemCaseSensitive(fj, "link_classes"));
    cJSON_Delete(fj);
    fc.hashtag_split = 1;
    fc.link_classes = 1;
    fj = bundle_features_to_json(&fc);
    CHECK(bundle_features_from_json(fj, &back, &err) == 0 && back.hashtag_split == 1 &&
          back.link_classes == 1);
    cJSON_ReplaceItemInObjectCaseSensitive(fj, "link_classes", cJSON_CreateString("on"));
    CHECK(bundle_features_from_json(fj, &back, &err) == STANCE_ERR_MODEL &&
          strstr(err.message, "link_classes"));
    cJSON_Delete(fj);
    features_config_default(&fc);
    l = bundle_load(out, &err); /* trained without the options: its manifest lacks the fields */
    CHECK(l != NULL && l->tasks[0].features.punct_tokens == 0 &&
          l->tasks[0].features.block_norm == 0);
    bundle_free(l);
    opt.features.punct_tokens = 1;
    opt.features.block_norm = 1;
    opt.features.char_ngram_min = 2;
    opt.features.char_ngram_max = 3;
    b = NULL;
    CHECK(trainer_run(paths, 1, &spec, 1, &opt, NULL, &b, &rep, &err) == 0);
    trainer_report_clear(&rep);
    if (b) {
        b->name = strdup("p");
        snprintf(out, sizeof out, "%s/p.model", dir);
        CHECK(bundle_save(b, out, &err) == 0);
        CHECK(b->tasks[0].features.punct_tokens == 1);
        l = bundle_load(out, &err);
        CHECK(l != NULL && l->tasks[0].features.punct_tokens == 1 &&
              l->tasks[0].features.block_norm == 1);
        if (l) { /* the loaded vocabulary normalizes by blocks as the trained one did */
            term_list t = {0};
            const char *s = "good deal agreed!!";
            features_extractor *ex = features_extractor_new(&l->tasks[0].features, NULL, &err);
            feature_vec f1 = {0}, f2 = {0};
            CHECK(ex && features_terms(ex, s, strlen(s), "en", -1, NULL, &t, &err) == 0);
            CHECK(vocab_vectorize(b->tasks[0].vocab, &t, 1, -1.0, &f1, &err) == 0);
            CHECK(vocab_vectorize(l->tasks[0].vocab, &t, 1, -1.0, &f2, &err) == 0);
            CHECK(f1.count == f2.count && f1.count > 2);
            double sq = 0;
            for (size_t i = 0; i < f1.count && i < f2.count; i++) {
                CHECK(f1.nodes[i].index == f2.nodes[i].index &&
                      f1.nodes[i].value == f2.nodes[i].value);
                sq += f2.nodes[i].value * f2.nodes[i].value;
            }
            CHECK(fabs(sq - 2.0) < 1e-9); /* two blocks, each of length 1 */
            feature_vec_free(&f1);
            feature_vec_free(&f2);
            term_list_free(&t);
            features_extractor_free(ex);
        }
        bundle_free(l);
        bundle_free(b);
    }

    /* --calibration bias: the bias per label of the task and of each per-target model
     * round-trips bit for bit; bundles without it load with none (class_bias NULL, above);
     * a malformed class_bias is refused as a model error naming the member */
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    opt = (trainer_options){0};
    trainer_options_default(&opt);
    opt.features.min_df = 1;
    opt.folds = 2;
    opt.target_models = 1;
    opt.calibration = TRAINER_CALIBRATION_BIAS;
    b = NULL;
    CHECK(trainer_run(paths, 1, &tspec, 1, &opt, NULL, &b, &rep, &err) == 0);
    trainer_report_clear(&rep);
    if (!b)
        return check_finish();
    bt = &b->tasks[0];
    CHECK(bt->class_bias != NULL && bt->ntarget_models == 2);
    for (size_t i = 0; i < bt->ntarget_models; i++)
        CHECK(bt->target_models[i].class_bias != NULL);
    b->name = strdup("cb");
    snprintf(out, sizeof out, "%s/cb.model", dir);
    CHECK(bundle_save(b, out, &err) == 0);
    l = bundle_load(out, &err);
    CHECK(l != NULL);
    if (l && bt->class_bias && l->tasks[0].class_bias && l->tasks[0].ntarget_models == 2) {
        /* cJSON 1.7.15 prints 15 significant digits when they read back within one
         * DBL_EPSILON (relative), so the last bit may differ */
        for (size_t j = 0; j < 2; j++)
            CHECK(fabs(l->tasks[0].class_bias[j] - bt->class_bias[j]) <=
                  1e-15 * fabs(bt->class_bias[j]));
        for (size_t i = 0; i < 2; i++) {
            const double *a = bt->target_models[i].class_bias,
                         *z = l->tasks[0].target_models[i].class_bias;
            CHECK(a && z && fabs(a[0] - z[0]) <= 1e-15 * fabs(a[0]) &&
                  fabs(a[1] - z[1]) <= 1e-15 * fabs(a[1]) && a[0] != 0);
        }
    }
    bundle_free(l);
    bundle_free(b);
    snprintf(bad, sizeof bad, "%s/cbad.model", dir);
    /* the manifest prints each array on one line: "class_bias":<TAB>[x, y] */
    static const char *const broken[][2] = {
        {"\"class_bias\":\\t\\[[^,]*, ", "\"class_bias\":\\t["},      /* one short */
        {"\"class_bias\":\\t\\[", "\"class_bias\":\\t[0, 0, "},       /* two long */
        {"\"class_bias\":\\t\\[[^,]*,", "\"class_bias\":\\t[1e999,"}, /* infinite */
        {"\"class_bias\":\\t\\[[^,]*,", "\"class_bias\":\\t[null,"},  /* not a number */
        {"\"class_bias\":\\t\\[[^]]*\\]", "\"class_bias\":\\t{}"},    /* not an array */
    };
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        edit_manifest(out, bad, broken[i][0], broken[i][1]);
        err = (stance_error){0};
        CHECK(bundle_load(bad, &err) == NULL && err.code == STANCE_ERR_MODEL &&
              strstr(err.message, "class_bias") && strstr(err.message, "manifest.json"));
    }
    return check_finish();
}
