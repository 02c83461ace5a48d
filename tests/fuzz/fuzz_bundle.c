/*
 * fuzz_bundle.c - libFuzzer entry point for the model bundle loader (models/bundle.h): models
 * that others trained arrive as directories of files, any of which may be damaged or hostile.
 *
 * Build and run through tests/fuzz/run.sh (FUZZ_SECONDS=600 tests/fuzz/run.sh bundle).
 *
 * On its first input the target trains a tiny valid bundle with the real trainer (eight rows; a
 * plain task "outlook" and a party-stance task "stance"), so the template always has the
 * format of the code under test. Each input then replaces one file of that bundle in a private
 * temporary directory; byte 0 says which:
 *   0  the rest is manifest.json. The quoted tokens "@OV@" "@OM@" "@SV@" "@SM@" become the
 *      sha256 of the outlook/stance vocabulary/model files and "@OS@" "@SS@" their vocabulary
 *      sizes, so mutated manifests get past the checksums and the seeds survive retraining
 *   1  the rest is outlook's vocabulary; the manifest gets its sha256 and a "size" equal to its
 *      line count, so the loader gets past the checksum and reads the terms
 *   2  the rest is outlook's LIBLINEAR file; the manifest gets its sha256
 *   3  as 2, with the vocabulary regenerated with as many terms as the file's "nr_feature" line
 *      says (up to 4096), so the loader reaches the weights of models of other shapes
 * Without this a mutated file would almost always stop at "sha256 differs", and the parsers
 * behind the checksum would never see a hostile byte.
 *
 * A bundle that loads must also score: fastText's users report models that load and then crash
 * at prediction, so every loaded bundle scores a few texts through the scorer, and every
 * failure must come back as STANCE_ERR_MODEL or STANCE_ERR_NOMEM with a message.
 *
 * FUZZ_BUNDLE_SEEDS=DIR makes the first input also write one seed per mode into DIR (how
 * tests/fuzz/corpus/bundle/{manifest,vocab,model}.seed were made).
 */
#include "bundle.h"
#include "scorer.h"
#include "sha256.h"
#include "trainer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char train_csv[] =
    "id,text,outlook,party,stance\n"
    "1,Talks in Geneva made real progress and both sides welcomed the deal.,optimistic,ukraine,"
    "favor\n"
    "2,Moscow agreed on a prisoner exchange and a framework for a ceasefire.,optimistic,russia,"
    "favor\n"
    "3,The delegations will meet again on Tuesday.,neutral,russia,none\n"
    "4,Moscow rejected the plan and walked out of the talks.,pessimistic,russia,against\n"
    "5,Kyiv said the talks had failed and reached a dead end.,pessimistic,ukraine,against\n"
    "6,The meeting is scheduled for next week.,neutral,ukraine,none\n"
    "7,Negotiators in Kyiv reported progress and welcomed the deal.,optimistic,ukraine,favor\n"
    "8,The Kremlin rejected the proposal and said the talks failed.,pessimistic,russia,"
    "against\n";

typedef struct blob {
    char *data;
    size_t len;
} blob;

static struct {
    char dir[80];      /* the private temporary directory */
    char bundle[120];  /* dir/f.model: the bundle each input is written into */
    char path[6][160]; /* its files, indexed like the enum below */
    blob good[5];      /* the trained files (not the manifest, which is kept as a tree) */
    char sha[5][65];   /* their sha256 */
    size_t vsize[2];   /* vocabulary sizes of outlook and stance */
    cJSON *manifest;   /* the trained manifest */
} fx;

enum { OV = 0, OM, SV, SM, MANIFEST, NFILES };

static void die(const char *what)
{
    fprintf(stderr, "fuzz_bundle: set-up failed: %s\n", what);
    abort(); /* the fixed set-up must work: nothing to fuzz otherwise */
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
        die(path);
}

static blob read_file(const char *path)
{
    blob b = {0, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        char *p = realloc(b.data, b.len + n + 1);
        if (!p)
            die("out of memory");
        b.data = p;
        memcpy(b.data + b.len, buf, n);
        b.len += n;
        b.data[b.len] = '\0';
    }
    fclose(f);
    return b;
}

static void sha_hex(const void *data, size_t n, char hex[65])
{
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, data, n);
    sha256_final_hex(&c, hex);
}

static void remove_all(void)
{
    for (int i = 0; i < NFILES; i++)
        unlink(fx.path[i]);
    rmdir(fx.bundle);
    rmdir(fx.dir);
}

/* The task object of the manifest called name. */
static cJSON *task_json(cJSON *m, const char *name)
{
    cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(m, "tasks"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(t, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return t;
    }
    die("trained manifest lacks a task");
    return NULL;
}

static void set_member(cJSON *o, const char *key, cJSON *v)
{
    if (!v || !cJSON_ReplaceItemInObjectCaseSensitive(o, key, v))
        die("cannot edit the manifest");
}

/* Writes the manifest with outlook's vocabulary size and the checksums in fx.sha; as_template
 * writes the placeholder tokens instead (the mode 0 seed). */
static void write_manifest(size_t outlook_size, int as_template)
{
    cJSON *m = cJSON_Duplicate(fx.manifest, 1);
    if (!m)
        die("out of memory");
    static const char *const tasks[2] = {"outlook", "stance"};
    static const char *const tokens[2][3] = {{"@OV@", "@OM@", "@OS@"}, {"@SV@", "@SM@", "@SS@"}};
    for (int t = 0; t < 2; t++) {
        cJSON *tj = task_json(m, tasks[t]);
        cJSON *v = cJSON_GetObjectItemCaseSensitive(tj, "vocabulary");
        cJSON *mo = cJSON_GetObjectItemCaseSensitive(tj, "model");
        size_t size = t == 0 ? outlook_size : fx.vsize[1];
        if (as_template) {
            set_member(v, "sha256", cJSON_CreateString(tokens[t][0]));
            set_member(mo, "sha256", cJSON_CreateString(tokens[t][1]));
            set_member(v, "size", cJSON_CreateString(tokens[t][2]));
        } else {
            set_member(v, "sha256", cJSON_CreateString(fx.sha[t == 0 ? OV : SV]));
            set_member(mo, "sha256", cJSON_CreateString(fx.sha[t == 0 ? OM : SM]));
            set_member(v, "size", cJSON_CreateNumber((double)size));
        }
    }
    char *text = cJSON_Print(m);
    if (!text)
        die("out of memory");
    write_file(fx.path[MANIFEST], text, strlen(text));
    cJSON_free(text);
    cJSON_Delete(m);
}

/* Writes the input as the manifest, with the placeholder tokens replaced (see the top). */
static void write_manifest_template(const char *body, size_t n)
{
    char sizes[2][24];
    snprintf(sizes[0], sizeof sizes[0], "%zu", fx.vsize[0]);
    snprintf(sizes[1], sizeof sizes[1], "%zu", fx.vsize[1]);
    static const char *const tokens[6] = {"\"@OV@\"", "\"@OM@\"", "\"@SV@\"",
                                          "\"@SM@\"", "\"@OS@\"", "\"@SS@\""};
    char quoted[4][68];
    for (int i = 0; i < 4; i++)
        snprintf(quoted[i], sizeof quoted[i], "\"%s\"", fx.sha[i]);
    const char *values[6] = {quoted[0], quoted[1], quoted[2], quoted[3], sizes[0], sizes[1]};
    char *out = malloc(n * 12 + 1); /* a 6-byte token becomes at most 66 bytes */
    if (!out)
        die("out of memory");
    size_t at = 0;
    for (size_t i = 0; i < n;) {
        int hit = -1;
        if (body[i] == '"' && i + 6 <= n)
            for (int k = 0; k < 6 && hit < 0; k++)
                if (memcmp(body + i, tokens[k], 6) == 0)
                    hit = k;
        if (hit >= 0) {
            size_t vl = strlen(values[hit]);
            memcpy(out + at, values[hit], vl);
            at += vl;
            i += 6;
        } else {
            out[at++] = body[i++];
        }
    }
    write_file(fx.path[MANIFEST], out, at);
    free(out);
}

static void write_good(int which)
{
    write_file(fx.path[which], fx.good[which].data, fx.good[which].len);
}

/* Writes one seed per mode into dir (see FUZZ_BUNDLE_SEEDS at the top). */
static void write_seeds(const char *dir)
{
    char p[400];
    write_manifest(fx.vsize[0], 1);
    blob m = read_file(fx.path[MANIFEST]);
    const struct {
        const char *name;
        char mode;
        const blob *b;
    } seeds[] = {{"manifest.seed", 0, &m},
                 {"vocab.seed", 1, &fx.good[OV]},
                 {"model.seed", 2, &fx.good[OM]},
                 {"model_shape.seed", 3, &fx.good[OM]}};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, seeds[i].name);
        FILE *f = fopen(p, "wb");
        if (!f || fputc(seeds[i].mode, f) == EOF ||
            fwrite(seeds[i].b->data, 1, seeds[i].b->len, f) != seeds[i].b->len || fclose(f))
            die(p);
    }
    free(m.data);
}

static void setup(void)
{
    static int ready;
    if (ready)
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(fx.dir, sizeof fx.dir, "%.50s/fuzz_bundle.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx.dir))
        die("mkdtemp");
    atexit(remove_all);
    char csv[120], trained[120];
    snprintf(csv, sizeof csv, "%s/train.csv", fx.dir);
    snprintf(trained, sizeof trained, "%s/t.model", fx.dir);
    write_file(csv, train_csv, sizeof train_csv - 1);

    stance_error err = {0, {0}};
    parties *ps = parties_new();
    if (!ps || parties_add_alias(ps, "russia", "moscow", &err) < 0 ||
        parties_add_alias(ps, "russia", "kremlin", &err) < 0 ||
        parties_add_alias(ps, "russia", "росси*", &err) < 0 ||
        parties_add_alias(ps, "ukraine", "kyiv", &err) < 0)
        die(err.message);
    trainer_options o;
    trainer_options_default(&o);
    o.folds = 0;
    o.c = 1;
    o.features.min_df = 1;
    trainer_task_spec specs[2];
    memset(specs, 0, sizeof specs);
    specs[0].name = "outlook";
    specs[1].name = "stance";
    specs[1].label_column = "stance";
    specs[1].target_column = "party";
    const char *paths[1] = {csv};
    bundle *b = NULL;
    trainer_report rep;
    memset(&rep, 0, sizeof rep);
    if (trainer_run(paths, 1, specs, 2, &o, ps, &b, &rep, &err) != 0)
        die(err.message);
    trainer_report_clear(&rep);
    b->name = strdup("t");
    b->created_by = strdup("fuzz_bundle");
    if (bundle_save(b, trained, &err) != 0)
        die(err.message);
    bundle_free(b);
    unlink(csv);

    static const char *const names[NFILES] = {"outlook.vocab.tsv", "outlook.liblinear",
                                              "stance.vocab.tsv", "stance.liblinear",
                                              "manifest.json"};
    char p[200];
    for (int i = 0; i < NFILES; i++) {
        snprintf(p, sizeof p, "%s/%s", trained, names[i]);
        if (i < MANIFEST) {
            fx.good[i] = read_file(p);
            sha_hex(fx.good[i].data, fx.good[i].len, fx.sha[i]);
        } else {
            blob m = read_file(p);
            fx.manifest = cJSON_Parse(m.data);
            free(m.data);
            if (!fx.manifest)
                die("trained manifest does not parse");
        }
        unlink(p);
    }
    rmdir(trained);
    for (int t = 0; t < 2; t++) {
        size_t lines = 0;
        const blob *v = &fx.good[t == 0 ? OV : SV];
        for (size_t i = 0; i < v->len; i++)
            lines += v->data[i] == '\n';
        fx.vsize[t] = lines;
    }
    snprintf(fx.bundle, sizeof fx.bundle, "%s/f.model", fx.dir);
    if (mkdir(fx.bundle, 0700) != 0)
        die(fx.bundle);
    for (int i = 0; i < NFILES; i++)
        snprintf(fx.path[i], sizeof fx.path[i], "%s/%s", fx.bundle, names[i]);
    const char *seeds = getenv("FUZZ_BUNDLE_SEEDS");
    if (seeds && *seeds)
        write_seeds(seeds);
    ready = 1;
}

/* The "nr_feature N" line of a model file, clamped to 1..4096 (outlook's size when absent). */
static size_t nr_feature_of(const char *s, size_t n)
{
    for (size_t i = 0; i + 11 < n; i++) {
        if ((i == 0 || s[i - 1] == '\n') && memcmp(s + i, "nr_feature ", 11) == 0) {
            size_t v = 0;
            for (size_t j = i + 11; j < n && s[j] >= '0' && s[j] <= '9' && v < 100000; j++)
                v = v * 10 + (size_t)(s[j] - '0');
            return v < 1 ? 1 : v > 4096 ? 4096 : v;
        }
    }
    return fx.vsize[0];
}

/* Scores a few texts with every task: nothing a loaded bundle holds may crash prediction. */
static void exercise(const bundle *b)
{
    stance_error err = {0, {0}};
    scorer_options so = {0};
    so.explain = 3;
    so.evidence = 2;
    so.sentences = 1;
    scorer *s = scorer_new(b, &so, &err);
    if (!s)
        return; /* e.g. a stemmer the manifest names that this libstemmer lacks */
    static const char *const texts[] = {
        "Talks in Moscow made progress. Kyiv said the talks had failed, a dead end.", "",
        "Россия: переговоры провалились.", "talks talks deal deal failed"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        cJSON *res = cJSON_CreateObject();
        if (!res)
            break;
        scorer_score(s, texts[i], len, NULL, NULL, res, &err);
        scorer_score(s, texts[i], len, "en", "russia", res, &err);
        char *printed = cJSON_PrintUnformatted(res);
        cJSON_free(printed);
        cJSON_Delete(res);
        for (size_t t = 0; t < b->ntasks; t++) {
            double probs[1000];
            int label = -1;
            const char *target = b->tasks[t].target_dependent ? "ukraine" : NULL;
            if (b->tasks[t].nlabels < 2 || b->tasks[t].nlabels > 1000)
                abort(); /* the loader promises 2..1000 labels */
            if (scorer_classify(s, t, texts[i], len, NULL, target, &label, probs, &err) == 0) {
                if (label < 0 || (size_t)label >= b->tasks[t].nlabels)
                    abort();
                double sum = 0;
                for (size_t k = 0; k < b->tasks[t].nlabels; k++) {
                    if (!(probs[k] >= 0 && probs[k] <= 1))
                        abort();
                    sum += probs[k];
                }
                if (!(sum > 0.999 && sum < 1.001))
                    abort();
            }
        }
    }
    scorer_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    setup();
    int mode = data[0] & 3;
    const char *body = (const char *)data + 1;
    size_t n = size - 1;
    /* restore what the previous input replaced (writing every file each time costs) */
    static int dirty[MANIFEST] = {1, 1, 1, 1};
    for (int i = 0; i < MANIFEST; i++)
        if (dirty[i]) {
            write_good(i);
            sha_hex(fx.good[i].data, fx.good[i].len, fx.sha[i]);
            dirty[i] = 0;
        }
    dirty[OV] = mode == 1 || mode == 3;
    dirty[OM] = mode >= 2;

    if (mode == 0) {
        write_manifest_template(body, n);
    } else if (mode == 1) {
        size_t lines = 0;
        for (size_t i = 0; i < n; i++)
            lines += body[i] == '\n';
        if (n && body[n - 1] != '\n')
            lines++;
        write_file(fx.path[OV], body, n);
        sha_hex(body, n, fx.sha[OV]);
        write_manifest(lines > 0 ? lines : 1, 0);
    } else {
        size_t terms = fx.vsize[0];
        if (mode == 3) {
            /* "t0<TAB>1.5" ... as many terms as the model claims */
            terms = nr_feature_of(body, n);
            char *v = malloc(terms * 16);
            if (!v)
                return 0;
            size_t at = 0;
            for (size_t i = 0; i < terms; i++)
                at += (size_t)snprintf(v + at, 16, "t%zu\t1.5\n", i);
            write_file(fx.path[OV], v, at);
            sha_hex(v, at, fx.sha[OV]);
            free(v);
        }
        write_file(fx.path[OM], body, n);
        sha_hex(body, n, fx.sha[OM]);
        write_manifest(terms, 0);
    }

    stance_error err = {0, {0}};
    bundle *b = bundle_load(fx.bundle, &err);
    if (!b) {
        if ((err.code != STANCE_ERR_MODEL && err.code != STANCE_ERR_NOMEM) || !err.message[0])
            abort();
        return 0;
    }
    if (b->ntasks < 1)
        abort();
    exercise(b);
    bundle_free(b);
    return 0;
}
