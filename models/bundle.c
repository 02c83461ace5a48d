#include "bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <unicode/uversion.h>

#include "linear_io.h"
#include "sha256.h"

#define MANIFEST_NAME "manifest.json"
#define MANIFEST_MAX_BYTES (16L << 20)

/* ---- small helpers ---------------------------------------------------------------------- */

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void free_strv(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void bundle_target_model_clear(bundle_target_model *m)
{
    free(m->target);
    free(m->class_bias);
    vocab_free(m->vocab);
    if (m->model)
        free_and_destroy_model(&m->model);
    cJSON_Delete(m->cv);
    memset(m, 0, sizeof *m);
}

const bundle_target_model *bundle_task_target_model(const bundle_task *t, const char *target)
{
    if (!target)
        return NULL;
    for (size_t i = 0; i < t->ntarget_models; i++)
        if (strcmp(t->target_models[i].target, target) == 0)
            return &t->target_models[i];
    return NULL;
}

void bundle_member_clear(bundle_member *m)
{
    free(m->class_bias);
    vocab_free(m->vocab);
    if (m->model)
        free_and_destroy_model(&m->model);
    cJSON_Delete(m->cv);
    memset(m, 0, sizeof *m);
}

void bundle_task_clear(bundle_task *t)
{
    for (size_t i = 0; i < t->ntarget_models; i++)
        bundle_target_model_clear(&t->target_models[i]);
    free(t->target_models);
    for (size_t i = 0; i < t->nmembers; i++)
        bundle_member_clear(&t->members[i]);
    free(t->members);
    free(t->name);
    free(t->label_column);
    free(t->target_column);
    free_strv(t->target_columns, t->ntarget_columns);
    free_strv(t->labels, t->nlabels);
    free(t->class_bias);
    vocab_free(t->vocab);
    if (t->model)
        free_and_destroy_model(&t->model);
    cJSON_Delete(t->cv);
    memset(t, 0, sizeof *t);
}

void bundle_free(bundle *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->ntasks; i++)
        bundle_task_clear(&b->tasks[i]);
    free(b->tasks);
    free(b->name);
    free(b->created_by);
    free(b->trained_at);
    cJSON_Delete(b->training_data);
    parties_free(b->parties);
    free(b);
}

int bundle_find_task(const bundle *b, const char *name)
{
    for (size_t i = 0; i < b->ntasks; i++)
        if (strcmp(b->tasks[i].name, name) == 0)
            return (int)i;
    return -1;
}

int bundle_task_label(const bundle_task *t, const char *label)
{
    for (size_t i = 0; i < t->nlabels; i++)
        if (strcmp(t->labels[i], label) == 0)
            return (int)i;
    return -1;
}

/* ---- feature configuration <-> JSON ------------------------------------------------------ */

cJSON *bundle_features_to_json(const features_config *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "word_ngram_max", c->word_ngram_max);
    cJSON_AddNumberToObject(o, "char_ngram_min", c->char_ngram_min);
    cJSON_AddNumberToObject(o, "char_ngram_max", c->char_ngram_max);
    cJSON_AddNumberToObject(o, "negation", c->negation);
    cJSON_AddBoolToObject(o, "target_mask", c->target_mask);
    cJSON_AddBoolToObject(o, "target_conjoin", c->target_conjoin);
    cJSON_AddNumberToObject(o, "target_window", c->target_window);
    cJSON_AddBoolToObject(o, "target_only", c->target_only);
    cJSON_AddNumberToObject(o, "min_df", c->min_df);
    cJSON_AddNumberToObject(o, "max_features", c->max_features);
    cJSON_AddBoolToObject(o, "sublinear_tf", c->sublinear_tf);
    if (c->nb_weighting) /* absent = off, so bundles without it stay as they were */
        cJSON_AddBoolToObject(o, "nb_weighting", 1);
    if (c->block_norm) /* likewise */
        cJSON_AddBoolToObject(o, "block_norm", 1);
    if (c->punct_tokens) /* likewise */
        cJSON_AddBoolToObject(o, "punct_tokens", 1);
    if (c->hashtag_split) /* likewise */
        cJSON_AddBoolToObject(o, "hashtag_split", 1);
    if (c->link_classes) /* likewise */
        cJSON_AddBoolToObject(o, "link_classes", 1);
    cJSON_AddStringToObject(o, "stemming", c->stemming);
    return o;
}

static int get_int(const cJSON *o, const char *key, int *out, stance_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 1e9)
        return stance_error_set(err, STANCE_ERR_MODEL, "\"%s\" must be an integer", key);
    *out = (int)v->valuedouble;
    return 0;
}

static int get_bool(const cJSON *o, const char *key, int *out, stance_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsBool(v))
        return stance_error_set(err, STANCE_ERR_MODEL, "\"%s\" must be true or false", key);
    *out = cJSON_IsTrue(v);
    return 0;
}

static int get_double(const cJSON *o, const char *key, double *out, stance_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return stance_error_set(err, STANCE_ERR_MODEL, "\"%s\" must be a number", key);
    *out = v->valuedouble;
    return 0;
}

/* The optional "class_bias" of o: absent -> *out stays NULL; otherwise exactly nlabels finite
 * numbers (a wrong length would read past the labels or leave one without a bias, and a
 * non-finite one would turn every probability into NaN). */
static int get_class_bias(const cJSON *o, size_t nlabels, double **out, stance_error *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "class_bias");
    if (!a)
        return 0;
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != nlabels)
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "\"class_bias\" must be an array of %zu numbers, one per label",
                                nlabels);
    double *b = malloc(nlabels * sizeof *b);
    if (!b)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, a)
    {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
            free(b);
            return stance_error_set(err, STANCE_ERR_MODEL,
                                    "\"class_bias\"[%zu] must be a finite number", i);
        }
        b[i++] = v->valuedouble;
    }
    *out = b;
    return 0;
}

static const char *get_string(const cJSON *o, const char *key, stance_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v) || !v->valuestring) {
        stance_error_set(err, STANCE_ERR_MODEL, "\"%s\" must be a string", key);
        return NULL;
    }
    return v->valuestring;
}

int bundle_features_from_json(const cJSON *o, features_config *c, stance_error *err)
{
    if (!cJSON_IsObject(o))
        return stance_error_set(err, STANCE_ERR_MODEL, "\"features\" must be an object");
    memset(c, 0, sizeof *c);
    const char *stem;
    if (get_int(o, "word_ngram_max", &c->word_ngram_max, err) ||
        get_int(o, "char_ngram_min", &c->char_ngram_min, err) ||
        get_int(o, "char_ngram_max", &c->char_ngram_max, err) ||
        get_int(o, "negation", &c->negation, err) ||
        get_bool(o, "target_mask", &c->target_mask, err) ||
        get_bool(o, "target_conjoin", &c->target_conjoin, err) ||
        /* added after the first bundles of format 1 were written: absent means off */
        (cJSON_GetObjectItemCaseSensitive(o, "target_window") &&
         get_int(o, "target_window", &c->target_window, err)) ||
        (cJSON_GetObjectItemCaseSensitive(o, "target_only") &&
         get_bool(o, "target_only", &c->target_only, err)) ||
        get_int(o, "min_df", &c->min_df, err) ||
        get_int(o, "max_features", &c->max_features, err) ||
        get_bool(o, "sublinear_tf", &c->sublinear_tf, err) ||
        (cJSON_GetObjectItemCaseSensitive(o, "nb_weighting") &&
         get_bool(o, "nb_weighting", &c->nb_weighting, err)) ||
        (cJSON_GetObjectItemCaseSensitive(o, "block_norm") &&
         get_bool(o, "block_norm", &c->block_norm, err)) ||
        (cJSON_GetObjectItemCaseSensitive(o, "punct_tokens") &&
         get_bool(o, "punct_tokens", &c->punct_tokens, err)) ||
        (cJSON_GetObjectItemCaseSensitive(o, "hashtag_split") &&
         get_bool(o, "hashtag_split", &c->hashtag_split, err)) ||
        (cJSON_GetObjectItemCaseSensitive(o, "link_classes") &&
         get_bool(o, "link_classes", &c->link_classes, err)) ||
        !(stem = get_string(o, "stemming", err)))
        return STANCE_ERR_MODEL;
    if (strlen(stem) >= sizeof c->stemming)
        return stance_error_set(err, STANCE_ERR_MODEL, "\"stemming\" is too long");
    memcpy(c->stemming, stem, strlen(stem) + 1);
    if (features_config_validate(c, err) != 0) {
        err->code = STANCE_ERR_MODEL;
        return STANCE_ERR_MODEL;
    }
    return 0;
}

static cJSON *strings_to_json(char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static int strings_from_json(const cJSON *a, const char *key, char ***out, size_t *n,
                             stance_error *err)
{
    *out = NULL;
    *n = 0;
    if (!cJSON_IsArray(a))
        return stance_error_set(err, STANCE_ERR_MODEL, "\"%s\" must be an array of strings", key);
    size_t count = (size_t)cJSON_GetArraySize(a);
    char **v = calloc(count ? count : 1, sizeof *v);
    if (!v)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        if (!cJSON_IsString(it) || !it->valuestring || !*it->valuestring) {
            free_strv(v, i);
            return stance_error_set(err, STANCE_ERR_MODEL, "\"%s\" must hold non-empty strings",
                                    key);
        }
        if (!(v[i] = strdup(it->valuestring))) {
            free_strv(v, i);
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
        }
        i++;
    }
    *out = v;
    *n = i;
    return 0;
}

/* ---- save --------------------------------------------------------------------------------- */

static int sync_path(const char *path, int is_dir)
{
    int fd = open(path, is_dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = join_path(dir, e->d_name);
        if (p) {
            unlink(p);
            free(p);
        }
    }
    closedir(d);
    return rmdir(dir);
}

static int write_file_sha(const char *dir, const char *name, char hex[65], stance_error *err)
{
    char *p = join_path(dir, name);
    if (!p)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    int rc = 0;
    if (sync_path(p, 0) != 0 || sha256_file_hex(p, hex) != 0)
        rc = stance_error_set(err, STANCE_ERR_IO, "%s: cannot sync or read back: %s", p,
                              strerror(errno));
    free(p);
    return rc;
}

/* The "vocabulary" and "model" members of a task or a per-target model entry. */
static void add_files_json(cJSON *o, const char *vocab_file, const vocab *v, const char *vocab_sha,
                           const char *model_file, const char *model_sha)
{
    cJSON *vf = cJSON_AddObjectToObject(o, "vocabulary");
    cJSON_AddStringToObject(vf, "file", vocab_file);
    cJSON_AddNumberToObject(vf, "size", (double)vocab_size(v));
    cJSON_AddNumberToObject(vf, "documents", (double)vocab_documents(v));
    cJSON_AddStringToObject(vf, "sha256", vocab_sha);
    cJSON *mf = cJSON_AddObjectToObject(o, "model");
    cJSON_AddStringToObject(mf, "file", model_file);
    cJSON_AddStringToObject(mf, "sha256", model_sha);
}

static cJSON *task_to_json(const bundle_task *t, const char *vocab_file, const char *vocab_sha,
                           const char *model_file, const char *model_sha)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "name", t->name);
    if (t->label_column)
        cJSON_AddStringToObject(o, "label_column", t->label_column);
    else
        cJSON_AddNullToObject(o, "label_column");
    if (t->target_column)
        cJSON_AddStringToObject(o, "target_column", t->target_column);
    else
        cJSON_AddNullToObject(o, "target_column");
    cJSON_AddItemToObject(o, "target_columns",
                          strings_to_json(t->target_columns, t->ntarget_columns));
    cJSON_AddBoolToObject(o, "target_dependent", t->target_dependent);
    cJSON_AddItemToObject(o, "labels", strings_to_json(t->labels, t->nlabels));
    cJSON_AddItemToObject(o, "features", bundle_features_to_json(&t->features));
    cJSON_AddStringToObject(o, "solver", t->solver);
    cJSON_AddNumberToObject(o, "C", t->c);
    cJSON_AddNumberToObject(o, "bias", t->bias);
    cJSON_AddNumberToObject(o, "temperature", t->temperature);
    if (t->class_bias) /* absent without --calibration bias: such manifests stay as they were */
        cJSON_AddItemToObject(o, "class_bias",
                              cJSON_CreateDoubleArray(t->class_bias, (int)t->nlabels));
    cJSON_AddStringToObject(o, "aggregation", t->aggregation);
    cJSON_AddNumberToObject(o, "aggregation_threshold", t->aggregation_threshold);
    cJSON_AddNumberToObject(o, "aggregation_scale", t->aggregation_scale);
    add_files_json(o, vocab_file, t->vocab, vocab_sha, model_file, model_sha);
    if (t->cv)
        cJSON_AddItemToObject(o, "cross_validation", cJSON_Duplicate(t->cv, 1));
    return o;
}

/* Writes a vocabulary and a LIBLINEAR model as tmp/vname and tmp/mname and puts their
 * sha256 (hex) in vsha and msha: the file pair of a task and of each per-target model. */
static int save_vocab_model(const char *tmp, const char *vname, const vocab *v, char vsha[65],
                            const char *mname, const struct model *m, char msha[65],
                            stance_error *err)
{
    char *vp = join_path(tmp, vname), *mp = join_path(tmp, mname);
    int rc = (!vp || !mp) ? stance_error_set(err, STANCE_ERR_NOMEM, "out of memory") : 0;
    if (!rc)
        rc = vocab_save(v, vp, err);
    if (!rc)
        rc = linear_io_save(m, mp, err);
    free(vp);
    free(mp);
    if (!rc)
        rc = write_file_sha(tmp, vname, vsha, err);
    if (!rc)
        rc = write_file_sha(tmp, mname, msha, err);
    return rc;
}

/* An extra model of task t (a per-target model or an ensemble member): writes its files as
 * tmp/TASK.KIND-i.vocab.tsv and .liblinear, and appends to its manifest entry e what every
 * such entry ends with: temperature, class_bias (if any), the files and the CV report. */
static int write_extra_model(const bundle_task *t, const char *tmp, const char *kind, size_t i,
                             const vocab *v, const struct model *m, double temperature,
                             const double *class_bias, const cJSON *cv, cJSON *e, stance_error *err)
{
    /* numbered, not named after the target: a target value may hold any character */
    char vname[320], mname[320], vsha[65], msha[65];
    snprintf(vname, sizeof vname, "%s.%s-%zu.vocab.tsv", t->name, kind, i);
    snprintf(mname, sizeof mname, "%s.%s-%zu.liblinear", t->name, kind, i);
    int rc = save_vocab_model(tmp, vname, v, vsha, mname, m, msha, err);
    if (rc)
        return rc;
    cJSON_AddNumberToObject(e, "temperature", temperature);
    if (class_bias)
        cJSON_AddItemToObject(e, "class_bias",
                              cJSON_CreateDoubleArray(class_bias, (int)t->nlabels));
    add_files_json(e, vname, v, vsha, mname, msha);
    if (cv)
        cJSON_AddItemToObject(e, "cross_validation", cJSON_Duplicate(cv, 1));
    return 0;
}

/* Writes the per-target models of t into tmp and adds "target_models" to the task's JSON o. */
static int write_target_models(const bundle_task *t, const char *tmp, cJSON *o, stance_error *err)
{
    if (!t->ntarget_models)
        return 0; /* absent: bundles without per-target models stay as they were */
    cJSON *a = cJSON_AddArrayToObject(o, "target_models");
    if (!a)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < t->ntarget_models; i++) {
        const bundle_target_model *tm = &t->target_models[i];
        cJSON *e = cJSON_CreateObject();
        if (!e)
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
        cJSON_AddItemToArray(a, e);
        cJSON_AddStringToObject(e, "target", tm->target);
        cJSON_AddNumberToObject(e, "C", tm->c);
        int rc = write_extra_model(t, tmp, "target", i, tm->vocab, tm->model, tm->temperature,
                                   tm->class_bias, tm->cv, e, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Writes the ensemble members of t into tmp and adds "members" to the task's JSON o. */
static int write_members(const bundle_task *t, const char *tmp, cJSON *o, stance_error *err)
{
    if (!t->nmembers)
        return 0; /* absent: bundles without members stay as they were */
    cJSON *a = cJSON_AddArrayToObject(o, "members");
    if (!a)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < t->nmembers; i++) {
        const bundle_member *m = &t->members[i];
        cJSON *e = cJSON_CreateObject();
        if (!e)
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
        cJSON_AddItemToArray(a, e);
        cJSON_AddItemToObject(e, "features", bundle_features_to_json(&m->features));
        cJSON_AddStringToObject(e, "solver", m->solver);
        cJSON_AddNumberToObject(e, "C", m->c);
        cJSON_AddNumberToObject(e, "bias", m->bias);
        int rc = write_extra_model(t, tmp, "member", i, m->vocab, m->model, m->temperature,
                                   m->class_bias, m->cv, e, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int write_manifest(const bundle *b, const char *dir, cJSON *tasks, stance_error *err)
{
    cJSON *m = cJSON_CreateObject();
    if (!m)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    cJSON_AddStringToObject(m, "format", BUNDLE_FORMAT);
    cJSON_AddNumberToObject(m, "format_version", BUNDLE_FORMAT_VERSION);
    cJSON_AddStringToObject(m, "name", b->name ? b->name : "");
    cJSON_AddStringToObject(m, "created_by", b->created_by ? b->created_by : "stance");
    if (b->trained_at)
        cJSON_AddStringToObject(m, "trained_at", b->trained_at);
    cJSON *libs = cJSON_AddObjectToObject(m, "libraries");
    cJSON_AddNumberToObject(libs, "liblinear", LIBLINEAR_VERSION);
    char ver[32];
    snprintf(ver, sizeof ver, "%d.%d.%d", CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR,
             CJSON_VERSION_PATCH);
    cJSON_AddStringToObject(libs, "cjson", ver);
    cJSON_AddStringToObject(libs, "icu", U_ICU_VERSION);
    cJSON_AddItemToObject(m, "training_data",
                          b->training_data ? cJSON_Duplicate(b->training_data, 1)
                                           : cJSON_CreateArray());
    cJSON *ps = cJSON_AddObjectToObject(m, "parties");
    for (size_t i = 0; i < parties_count(b->parties); i++) {
        cJSON *a = cJSON_AddArrayToObject(ps, parties_name(b->parties, i));
        for (size_t j = 0; j < parties_alias_count(b->parties, i); j++)
            cJSON_AddItemToArray(a, cJSON_CreateString(parties_alias(b->parties, i, j)));
    }
    cJSON_AddItemToObject(m, "tasks", tasks);
    char *text = cJSON_Print(m);
    cJSON_Delete(m);
    if (!text)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory writing manifest");
    char *p = join_path(dir, MANIFEST_NAME);
    FILE *f = p ? fopen(p, "w") : NULL;
    int rc = 0;
    if (!f) {
        rc = stance_error_set(err, STANCE_ERR_IO, "%s: cannot create: %s", p ? p : dir,
                              strerror(errno));
    } else {
        fputs(text, f);
        fputc('\n', f);
        int bad = ferror(f);
        if (fflush(f) != 0 || fsync(fileno(f)) != 0 || bad)
            rc = stance_error_set(err, STANCE_ERR_IO, "%s: write failed: %s", p, strerror(errno));
        if (fclose(f) != 0 && !rc)
            rc = stance_error_set(err, STANCE_ERR_IO, "%s: write failed: %s", p, strerror(errno));
    }
    free(p);
    cJSON_free(text);
    return rc;
}

static int write_contents(const bundle *b, const char *tmp, stance_error *err)
{
    cJSON *tasks = cJSON_CreateArray();
    if (!tasks)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < b->ntasks; i++) {
        const bundle_task *t = &b->tasks[i];
        char vname[300], mname[300], vsha[65], msha[65];
        snprintf(vname, sizeof vname, "%s.vocab.tsv", t->name);
        snprintf(mname, sizeof mname, "%s.liblinear", t->name);
        int rc = save_vocab_model(tmp, vname, t->vocab, vsha, mname, t->model, msha, err);
        cJSON *tj = rc ? NULL : task_to_json(t, vname, vsha, mname, msha);
        if (!rc && !tj)
            rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
        if (!rc) {
            cJSON_AddItemToArray(tasks, tj);
            rc = write_target_models(t, tmp, tj, err);
            if (!rc)
                rc = write_members(t, tmp, tj, err);
        }
        if (rc) {
            cJSON_Delete(tasks);
            return rc;
        }
    }
    return write_manifest(b, tmp, tasks, err);
}

static int is_bundle_dir(const char *path)
{
    char *p = join_path(path, MANIFEST_NAME);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

int bundle_save(const bundle *b, const char *path, stance_error *err)
{
    for (size_t i = 0; i < b->ntasks; i++) {
        const char *n = b->tasks[i].name;
        if (!n || !*n || strchr(n, '/') || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            return stance_error_set(err, STANCE_ERR_USAGE, "task name \"%s\" cannot name a file",
                                    n ? n : "");
    }
    struct stat st;
    int exists = lstat(path, &st) == 0;
    if (exists && !(S_ISDIR(st.st_mode) && is_bundle_dir(path)))
        return stance_error_set(err, STANCE_ERR_IO,
                                "%s exists and is not a stance bundle: not replacing it", path);
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n), *old = malloc(n);
    if (!tmp || !old) {
        free(tmp);
        free(old);
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    }
    /* mkdir (not mkdtemp, whose 0700 would ignore the umask); the name only needs to be
     * unique among concurrent writers of this path */
    int made = -1;
    for (int attempt = 0; attempt < 100 && made != 0; attempt++) {
        snprintf(tmp, n, "%s.tmp-%06x", path,
                 (unsigned)(((unsigned long)getpid() * 2654435761u + (unsigned long)attempt +
                             (unsigned long)time(NULL)) &
                            0xffffff));
        made = mkdir(tmp, 0777);
        if (made != 0 && errno != EEXIST)
            break;
    }
    if (made != 0) {
        int rc = stance_error_set(err, STANCE_ERR_IO, "%s: cannot create temporary directory: %s",
                                  tmp, strerror(errno));
        free(tmp);
        free(old);
        return rc;
    }
    int rc = write_contents(b, tmp, err);
    if (!rc && sync_path(tmp, 1) != 0)
        rc = stance_error_set(err, STANCE_ERR_IO, "%s: sync failed: %s", tmp, strerror(errno));
    if (!rc && exists) {
        /* Move the old bundle aside first: rename() cannot replace a non-empty directory. */
        snprintf(old, n, "%s.old-XXXXXX", path);
        if (!mkdtemp(old) || rmdir(old) != 0 || rename(path, old) != 0)
            rc = stance_error_set(err, STANCE_ERR_IO, "%s: cannot move the old bundle aside: %s",
                                  path, strerror(errno));
    }
    if (!rc && rename(tmp, path) != 0) {
        rc = stance_error_set(err, STANCE_ERR_IO, "%s: cannot rename into place: %s", path,
                              strerror(errno));
        if (exists)
            rename(old, path);
    }
    if (rc)
        remove_tree(tmp);
    else if (exists)
        remove_tree(old);
    free(tmp);
    free(old);
    return rc;
}

/* ---- load --------------------------------------------------------------------------------- */

static char *read_small_file(const char *path, long max, stance_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        stance_error_set(err, STANCE_ERR_MODEL, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc((size_t)max + 1);
    size_t n = buf ? fread(buf, 1, (size_t)max + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad || n > (size_t)max) {
        free(buf);
        stance_error_set(err, STANCE_ERR_MODEL, "%s: %s", path,
                         !buf  ? "out of memory"
                         : bad ? "read error"
                               : "larger than 16 MiB");
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* A member file (vocabulary or model) is hashed on a thread of its own while the caller
 * parses it: on a large model the hash and the parse each take about half of the loading
 * time, which every stance-predict run (and every Dask shard) pays before scoring. The parser
 * trusts nothing in the file, so parsing bytes that turn out not to be the manifest's is
 * harmless: their result is dropped and the sha256 error reported, as if it came first. */
typedef struct member_check {
    char *path;      /* the file, owned: the caller frees it */
    const char *sha; /* the manifest's sha256 */
    char hex[65];
    int rc, err_no; /* sha256_file_hex's result and errno */
    pthread_t th;
    int started;
} member_check;

static void *hash_member(void *p)
{
    member_check *m = p;
    m->rc = sha256_file_hex(m->path, m->hex);
    m->err_no = errno;
    return NULL;
}

/* Checks the member's file name and starts hashing the file, whose path is then m->path. */
static int member_begin(const char *dir, const cJSON *o, member_check *m, stance_error *err)
{
    memset(m, 0, sizeof *m);
    const char *file = get_string(o, "file", err);
    m->sha = file ? get_string(o, "sha256", err) : NULL;
    if (!m->sha)
        return STANCE_ERR_MODEL;
    if (strchr(file, '/') || strcmp(file, "..") == 0)
        return stance_error_set(err, STANCE_ERR_MODEL, "file name \"%s\" leaves the bundle", file);
    if (!(m->path = join_path(dir, file)))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    m->started = pthread_create(&m->th, NULL, hash_member, m) == 0;
    if (!m->started)
        hash_member(m);
    return 0;
}

/* Waits for the hash: 0 when the bytes are the manifest's (the parse's outcome stands), else
 * the error that replaces whatever the parse said. */
static int member_end(member_check *m, stance_error *err)
{
    if (m->started)
        pthread_join(m->th, NULL);
    m->started = 0;
    if (m->rc != 0)
        return stance_error_set(err, STANCE_ERR_MODEL, "%s: cannot read: %s", m->path,
                                strerror(m->err_no));
    if (strcmp(m->hex, m->sha) != 0)
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "%s: sha256 differs from the manifest (truncated or edited)",
                                m->path);
    return 0;
}

/* The vocabulary a task or per-target model names in vo (its file checked against its sha256
 * while it is parsed) into *out. */
static int load_vocab_member(const char *dir, const cJSON *vo, int vsize, int docs, vocab **out,
                             stance_error *err)
{
    member_check mc;
    int rc = member_begin(dir, vo, &mc, err);
    if (rc)
        return rc;
    *out = vocab_load(mc.path, (size_t)vsize, docs, err);
    rc = member_end(&mc, err);
    free(mc.path);
    if (rc)
        return rc;
    return *out ? 0 : STANCE_ERR_MODEL;
}

/* The LIBLINEAR model mo names into *out, checked like a vocabulary, whose solver must be t's;
 * name_file: a solver mismatch names the file (per-target models, which are many). */
static int load_model_member(const char *dir, const cJSON *mo, const bundle_task *t, int vsize,
                             int name_file, struct model **out, stance_error *err)
{
    member_check mc;
    int rc = member_begin(dir, mo, &mc, err);
    if (rc)
        return rc;
    *out = linear_io_load(mc.path, (int)t->nlabels, vsize, t->bias, err);
    rc = member_end(&mc, err);
    if (!rc && !*out)
        rc = STANCE_ERR_MODEL;
    if (!rc && strcmp(linear_io_solver_name((*out)->param.solver_type), t->solver) != 0)
        rc = name_file ? stance_error_set(err, STANCE_ERR_MODEL,
                                          "%s: the model file's solver differs from the manifest",
                                          mc.path)
                       : stance_error_set(err, STANCE_ERR_MODEL,
                                          "the model file's solver differs from the manifest");
    free(mc.path);
    return rc;
}

static char *dup_or_null(const cJSON *o, const char *key, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsString(v) || !v->valuestring) {
        *bad = 1;
        return NULL;
    }
    char *s = strdup(v->valuestring);
    if (!s)
        *bad = 1;
    return s;
}

/* The files and CV report of an extra model's manifest entry e (what: "target model \"x\"",
 * "member 2", for messages): its vocabulary (normalized by blocks as features says, as it was
 * in training) and its LIBLINEAR model, checked against view's labels, bias and solver. */
static int load_extra_files(const char *dir, const cJSON *e, const bundle_task *view,
                            const features_config *features, const char *what, vocab **v,
                            struct model **m, cJSON **cv_out, stance_error *err)
{
    const cJSON *vo = cJSON_GetObjectItemCaseSensitive(e, "vocabulary");
    const cJSON *mo = cJSON_GetObjectItemCaseSensitive(e, "model");
    int vsize = 0, docs = 0, rc;
    if (!cJSON_IsObject(vo) || !cJSON_IsObject(mo))
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "%s: \"vocabulary\" and \"model\" must be objects", what);
    if ((rc = get_int(vo, "size", &vsize, err)) || (rc = get_int(vo, "documents", &docs, err)))
        return rc;
    if (vsize < 1 || docs < 0)
        return stance_error_set(err, STANCE_ERR_MODEL, "%s: vocabulary size must be positive",
                                what);
    if ((rc = load_vocab_member(dir, vo, vsize, docs, v, err)) ||
        (rc = vocab_set_block_norm(*v, features->block_norm, features->target_conjoin, err)) ||
        (rc = load_model_member(dir, mo, view, vsize, 1, m, err)))
        return rc;
    const cJSON *cv = cJSON_GetObjectItemCaseSensitive(e, "cross_validation");
    if (cv && !(*cv_out = cJSON_Duplicate(cv, 1)))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    return 0;
}

/* Loads one entry of a task's "target_models" into m (the task's other fields are loaded). */
static int load_target_model(const char *dir, const cJSON *e, const bundle_task *t,
                             bundle_target_model *m, stance_error *err)
{
    static const char *const known[] = {"target",     "C",     "temperature",     "class_bias",
                                        "vocabulary", "model", "cross_validation"};
    if (!cJSON_IsObject(e))
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "task \"%s\": each target model must be an object", t->name);
    const cJSON *it;
    cJSON_ArrayForEach(it, e)
    {
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(it->string, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof *known)
            return stance_error_set(err, STANCE_ERR_MODEL,
                                    "task \"%s\": unknown key \"%s\" in a target model", t->name,
                                    it->string);
    }
    const char *target = get_string(e, "target", err);
    if (!target)
        return STANCE_ERR_MODEL;
    if (!*target)
        return stance_error_set(err, STANCE_ERR_MODEL, "task \"%s\": empty target name", t->name);
    if (!(m->target = strdup(target)))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    int rc = get_double(e, "C", &m->c, err);
    if (!rc)
        rc = get_double(e, "temperature", &m->temperature, err);
    if (!rc && !(m->temperature > 0 && m->c > 0))
        rc = stance_error_set(err, STANCE_ERR_MODEL,
                              "target model \"%s\": C and temperature must be positive", target);
    if (!rc)
        rc = get_class_bias(e, t->nlabels, &m->class_bias, err);
    if (rc)
        return rc;
    char what[64];
    snprintf(what, sizeof what, "target model \"%.40s\"", target);
    return load_extra_files(dir, e, t, &t->features, what, &m->vocab, &m->model, &m->cv, err);
}

/* A task's "target_models": an array of entries, one per distinct target, only in a
 * target-dependent task. */
static int load_target_models(const char *dir, const cJSON *a, bundle_task *t, stance_error *err)
{
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > 10000)
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "task \"%s\": \"target_models\" must be an array", t->name);
    if (!t->target_dependent && cJSON_GetArraySize(a) > 0)
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "task \"%s\" has target models but is not target-dependent",
                                t->name);
    size_t n = (size_t)cJSON_GetArraySize(a);
    t->target_models = calloc(n ? n : 1, sizeof *t->target_models);
    if (!t->target_models)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        bundle_target_model *m = &t->target_models[t->ntarget_models];
        int rc = load_target_model(dir, e, t, m, err);
        t->ntarget_models++;
        if (rc)
            return rc;
        if (bundle_task_target_model(t, m->target) != m)
            return stance_error_set(err, STANCE_ERR_MODEL,
                                    "task \"%s\": target \"%s\" has two models", t->name,
                                    m->target);
    }
    return 0;
}

/* Loads one entry of a task's "members" into m (the task's other fields are loaded). */
static int load_member(const char *dir, const cJSON *e, const bundle_task *t, size_t i,
                       bundle_member *m, stance_error *err)
{
    static const char *const known[] = {"features",   "solver",      "C",
                                        "bias",       "temperature", "class_bias",
                                        "vocabulary", "model",       "cross_validation"};
    if (!cJSON_IsObject(e))
        return stance_error_set(err, STANCE_ERR_MODEL, "task \"%s\": each member must be an object",
                                t->name);
    const cJSON *it;
    cJSON_ArrayForEach(it, e)
    {
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(it->string, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof *known)
            return stance_error_set(err, STANCE_ERR_MODEL,
                                    "task \"%s\": unknown key \"%s\" in member %zu", t->name,
                                    it->string, i);
    }
    const char *solver = NULL;
    int rc = bundle_features_from_json(cJSON_GetObjectItemCaseSensitive(e, "features"),
                                       &m->features, err);
    if (!rc && !(solver = get_string(e, "solver", err)))
        rc = STANCE_ERR_MODEL;
    if (!rc && (linear_io_solver_type(solver) < 0 || strlen(solver) >= sizeof m->solver))
        rc =
            stance_error_set(err, STANCE_ERR_MODEL, "member %zu: unknown solver \"%s\"", i, solver);
    if (!rc) {
        snprintf(m->solver, sizeof m->solver, "%s", solver);
        rc = get_double(e, "C", &m->c, err);
    }
    if (!rc)
        rc = get_double(e, "bias", &m->bias, err);
    if (!rc)
        rc = get_double(e, "temperature", &m->temperature, err);
    if (!rc && !(m->temperature > 0 && m->c > 0))
        rc = stance_error_set(err, STANCE_ERR_MODEL,
                              "member %zu: C and temperature must be positive", i);
    if (!rc)
        rc = get_class_bias(e, t->nlabels, &m->class_bias, err);
    if (rc)
        return rc;
    /* the model loader checks a model against a task's labels, bias and solver: the member's
     * own bias and solver, in a copy of the task that differs in those alone */
    bundle_task view = *t;
    view.bias = m->bias;
    memcpy(view.solver, m->solver, sizeof view.solver);
    char what[32];
    snprintf(what, sizeof what, "member %zu", i);
    return load_extra_files(dir, e, &view, &m->features, what, &m->vocab, &m->model, &m->cv, err);
}

/* A task's "members": an array of further ensemble models, not beside per-target models. */
static int load_members(const char *dir, const cJSON *a, bundle_task *t, stance_error *err)
{
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > 64)
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "task \"%s\": \"members\" must be an array of at most 64", t->name);
    if (t->ntarget_models)
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "task \"%s\" has both members and target models", t->name);
    size_t n = (size_t)cJSON_GetArraySize(a);
    t->members = calloc(n ? n : 1, sizeof *t->members);
    if (!t->members)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        int rc = load_member(dir, e, t, t->nmembers, &t->members[t->nmembers], err);
        t->nmembers++;
        if (rc)
            return rc;
    }
    return 0;
}

static int load_task(const char *dir, const cJSON *o, bundle_task *t, stance_error *err)
{
    const char *name = get_string(o, "name", err);
    if (!name)
        return STANCE_ERR_MODEL;
    if (!(t->name = strdup(name)))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    int bad = 0;
    t->label_column = dup_or_null(o, "label_column", &bad);
    t->target_column = dup_or_null(o, "target_column", &bad);
    if (bad)
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "label_column/target_column must be a "
                                "string or null");
    int rc = strings_from_json(cJSON_GetObjectItemCaseSensitive(o, "target_columns"),
                               "target_columns", &t->target_columns, &t->ntarget_columns, err);
    if (!rc)
        rc = strings_from_json(cJSON_GetObjectItemCaseSensitive(o, "labels"), "labels", &t->labels,
                               &t->nlabels, err);
    if (!rc && (t->nlabels < 2 || t->nlabels > 1000))
        rc = stance_error_set(err, STANCE_ERR_MODEL, "a task needs 2 to 1000 labels");
    if (!rc)
        rc = get_bool(o, "target_dependent", &t->target_dependent, err);
    if (!rc)
        rc = bundle_features_from_json(cJSON_GetObjectItemCaseSensitive(o, "features"),
                                       &t->features, err);
    const char *solver = NULL, *agg = NULL;
    if (!rc && !(solver = get_string(o, "solver", err)))
        rc = STANCE_ERR_MODEL;
    if (!rc && linear_io_solver_type(solver) < 0)
        rc = stance_error_set(err, STANCE_ERR_MODEL, "unknown solver \"%s\"", solver);
    if (!rc) {
        snprintf(t->solver, sizeof t->solver, "%s", solver);
        rc = get_double(o, "C", &t->c, err);
    }
    if (!rc)
        rc = get_double(o, "bias", &t->bias, err);
    if (!rc)
        rc = get_double(o, "temperature", &t->temperature, err);
    if (!rc && !(t->temperature > 0))
        rc = stance_error_set(err, STANCE_ERR_MODEL, "temperature must be positive");
    if (!rc)
        rc = get_class_bias(o, t->nlabels, &t->class_bias, err);
    if (!rc && !(agg = get_string(o, "aggregation", err)))
        rc = STANCE_ERR_MODEL;
    if (!rc && strlen(agg) >= sizeof t->aggregation)
        rc = stance_error_set(err, STANCE_ERR_MODEL, "aggregation name too long");
    if (!rc) {
        snprintf(t->aggregation, sizeof t->aggregation, "%s", agg);
        rc = get_double(o, "aggregation_threshold", &t->aggregation_threshold, err);
    }
    if (!rc)
        rc = get_double(o, "aggregation_scale", &t->aggregation_scale, err);
    if (!rc && (t->aggregation_threshold < 0 || t->aggregation_threshold > 1 ||
                !(t->aggregation_scale > 0)))
        rc = stance_error_set(err, STANCE_ERR_MODEL,
                              "aggregation threshold must be in 0..1 and "
                              "its scale positive");
    if (rc)
        return rc;

    const cJSON *vo = cJSON_GetObjectItemCaseSensitive(o, "vocabulary");
    const cJSON *mo = cJSON_GetObjectItemCaseSensitive(o, "model");
    int vsize = 0, docs = 0;
    if (!cJSON_IsObject(vo) || !cJSON_IsObject(mo))
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "\"vocabulary\" and \"model\" must be "
                                "objects");
    if ((rc = get_int(vo, "size", &vsize, err)) || (rc = get_int(vo, "documents", &docs, err)))
        return rc;
    if (vsize < 1 || docs < 0)
        return stance_error_set(err, STANCE_ERR_MODEL, "vocabulary size must be positive");
    if ((rc = load_vocab_member(dir, vo, vsize, docs, &t->vocab, err)) ||
        (rc = vocab_set_block_norm(t->vocab, t->features.block_norm, t->features.target_conjoin,
                                   err)) ||
        (rc = load_model_member(dir, mo, t, vsize, 0, &t->model, err)))
        return rc;
    const cJSON *cv = cJSON_GetObjectItemCaseSensitive(o, "cross_validation");
    if (cv && !(t->cv = cJSON_Duplicate(cv, 1)))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    const cJSON *tms = cJSON_GetObjectItemCaseSensitive(o, "target_models");
    if (tms && (rc = load_target_models(dir, tms, t, err)) != 0)
        return rc;
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "members");
    return ms ? load_members(dir, ms, t, err) : 0;
}

static int load_parties(const cJSON *ps, bundle *b, stance_error *err)
{
    if (!cJSON_IsObject(ps))
        return stance_error_set(err, STANCE_ERR_MODEL, "\"parties\" must be an object");
    if (!(b->parties = parties_new()))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    const cJSON *party;
    cJSON_ArrayForEach(party, ps)
    {
        if (!cJSON_IsArray(party))
            return stance_error_set(err, STANCE_ERR_MODEL, "party \"%s\" must list aliases",
                                    party->string);
        const cJSON *a;
        cJSON_ArrayForEach(a, party)
        {
            if (!cJSON_IsString(a) ||
                parties_add_alias(b->parties, party->string, a->valuestring, err) < 0)
                return stance_error_set(err, STANCE_ERR_MODEL, "party \"%s\": bad alias",
                                        party->string);
        }
    }
    return 0;
}

static int load_manifest(const char *path, const cJSON *m, bundle *b, stance_error *err)
{
    const char *fmt = get_string(m, "format", err);
    if (!fmt || strcmp(fmt, BUNDLE_FORMAT) != 0)
        return stance_error_set(err, STANCE_ERR_MODEL, "not a stance bundle (format is not \"%s\")",
                                BUNDLE_FORMAT);
    int version = 0;
    if (get_int(m, "format_version", &version, err))
        return STANCE_ERR_MODEL;
    if (version > BUNDLE_FORMAT_VERSION)
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "format version %d is newer than this stance reads (%d): "
                                "upgrade stance",
                                version, BUNDLE_FORMAT_VERSION);
    if (version < 1)
        return stance_error_set(err, STANCE_ERR_MODEL, "format version %d is not valid", version);
    int bad = 0;
    b->name = dup_or_null(m, "name", &bad);
    b->created_by = dup_or_null(m, "created_by", &bad);
    if (cJSON_GetObjectItemCaseSensitive(m, "trained_at"))
        b->trained_at = dup_or_null(m, "trained_at", &bad);
    if (bad)
        return stance_error_set(err, STANCE_ERR_MODEL,
                                "name/created_by/trained_at must be "
                                "strings");
    const cJSON *td = cJSON_GetObjectItemCaseSensitive(m, "training_data");
    if (td && !(b->training_data = cJSON_Duplicate(td, 1)))
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    int rc = load_parties(cJSON_GetObjectItemCaseSensitive(m, "parties"), b, err);
    if (rc)
        return rc;
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(m, "tasks");
    if (!cJSON_IsArray(tasks) || cJSON_GetArraySize(tasks) < 1 || cJSON_GetArraySize(tasks) > 64)
        return stance_error_set(err, STANCE_ERR_MODEL, "\"tasks\" must list 1 to 64 tasks");
    b->tasks = calloc((size_t)cJSON_GetArraySize(tasks), sizeof *b->tasks);
    if (!b->tasks)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    const cJSON *t;
    cJSON_ArrayForEach(t, tasks)
    {
        if (!cJSON_IsObject(t))
            return stance_error_set(err, STANCE_ERR_MODEL, "each task must be an object");
        rc = load_task(path, t, &b->tasks[b->ntasks], err);
        b->ntasks++;
        if (rc)
            return rc;
        if (bundle_find_task(b, b->tasks[b->ntasks - 1].name) != (int)b->ntasks - 1)
            return stance_error_set(err, STANCE_ERR_MODEL, "task \"%s\" appears twice",
                                    b->tasks[b->ntasks - 1].name);
    }
    return 0;
}

bundle *bundle_load(const char *path, stance_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        stance_error_set(err, STANCE_ERR_MODEL, "%s: cannot open model: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
        stance_error_set(err, STANCE_ERR_MODEL,
                         "%s: a model is a directory NAME.model/ with a "
                         "manifest.json; this is a file",
                         path);
        return NULL;
    }
    char *mp = join_path(path, MANIFEST_NAME);
    if (!mp) {
        stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
        return NULL;
    }
    char *text = read_small_file(mp, MANIFEST_MAX_BYTES, err);
    if (!text) {
        if (err && access(mp, F_OK) != 0)
            stance_error_set(err, STANCE_ERR_MODEL, "%s: not a stance model (no manifest.json)",
                             path);
        free(mp);
        return NULL;
    }
    const char *end = NULL;
    cJSON *m = cJSON_ParseWithLengthOpts(text, strlen(text), &end, 0);
    bundle *b = calloc(1, sizeof *b);
    int rc;
    if (!m)
        rc = stance_error_set(err, STANCE_ERR_MODEL, "invalid JSON near byte %ld",
                              end ? (long)(end - text) : 0L);
    else if (!b)
        rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    else if (!cJSON_IsObject(m))
        rc = stance_error_set(err, STANCE_ERR_MODEL, "the manifest is not a JSON object");
    else
        rc = load_manifest(path, m, b, err);
    cJSON_Delete(m);
    free(text);
    if (rc) {
        /* file-level errors already name their file; others get the manifest's name */
        if (err && !strstr(err->message, path))
            stance_error_prefix(err, mp);
        if (err)
            err->code = rc == STANCE_ERR_NOMEM ? STANCE_ERR_NOMEM : STANCE_ERR_MODEL;
        free(mp);
        bundle_free(b);
        return NULL;
    }
    free(mp);
    return b;
}
