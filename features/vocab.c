#include "vocab.h"

#include "grow.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grow.h"
#include "strmap.h"

struct vocab_builder {
    strmap *ids;       /* term -> dense id */
    const char **keys; /* id -> term (the map's copy) */
    uint32_t *key_len;
    uint32_t *df;   /* id -> document frequency */
    uint32_t *last; /* id -> number of the last text that had it (counts df once per text) */
    size_t n, cap;
    uint32_t docs;
};

struct vocab {
    strmap *index;      /* term -> index 1..V */
    const char **terms; /* [V + 1], terms[0] unused; strings owned by index's arena */
    double *idf;        /* [V + 1] */
    size_t size;
    long documents;
    unsigned char *is_char; /* [V + 1] with block normalization: 1 = a character n-gram */
};

vocab_builder *vocab_builder_new(void)
{
    vocab_builder *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->ids = strmap_new(1 << 16);
    if (!b->ids) {
        free(b);
        return NULL;
    }
    return b;
}

void vocab_builder_free(vocab_builder *b)
{
    if (!b)
        return;
    strmap_free(b->ids);
    free(b->keys);
    free(b->key_len);
    free(b->df);
    free(b->last);
    free(b);
}

static int builder_grow(vocab_builder *b)
{
    size_t ncap = b->cap ? b->cap * 2 : 65536;
    const char **k = realloc(b->keys, ncap * sizeof *k);
    if (k)
        b->keys = k;
    uint32_t *kl = realloc(b->key_len, ncap * sizeof *kl);
    if (kl)
        b->key_len = kl;
    uint32_t *df = realloc(b->df, ncap * sizeof *df);
    if (df)
        b->df = df;
    uint32_t *last = realloc(b->last, ncap * sizeof *last);
    if (last)
        b->last = last;
    if (!k || !kl || !df || !last)
        return -1;
    b->cap = ncap;
    return 0;
}

int vocab_builder_add(vocab_builder *b, const term_list *terms, uint32_t *ids, stance_error *err)
{
    if (b->docs == UINT32_MAX - 1)
        return stance_error_set(err, STANCE_ERR_DATA, "over 4 billion training texts");
    uint32_t doc = ++b->docs;
    for (size_t i = 0; i < terms->count; i++) {
        const char *t = term_list_get(terms, i);
        size_t len = strlen(t);
        if (b->n == b->cap && builder_grow(b) != 0)
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory counting terms");
        int inserted = 0;
        int64_t *v = strmap_upsert(b->ids, t, len, (int64_t)b->n, &inserted);
        if (!v || b->n >= UINT32_MAX)
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory counting terms");
        uint32_t id = (uint32_t)*v;
        if (inserted) {
            b->df[id] = 0;
            b->last[id] = 0;
            b->key_len[id] = (uint32_t)len;
            b->keys[id] = NULL; /* filled at finish: the map may still move its slots */
            b->n++;
        }
        if (b->last[id] != doc) {
            b->last[id] = doc;
            b->df[id]++;
        }
        if (ids)
            ids[i] = id;
    }
    return 0;
}

size_t vocab_builder_terms(const vocab_builder *b)
{
    return b->n;
}

long vocab_builder_documents(const vocab_builder *b)
{
    return (long)b->docs;
}

uint32_t vocab_builder_df(const vocab_builder *b, uint32_t id)
{
    return id < b->n ? b->df[id] : 0;
}

typedef struct entry {
    const char *term;
    size_t len;
    long df;
    uint32_t id;
} entry;

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static int by_df_then_bytes(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->df != b->df)
        return a->df > b->df ? -1 : 1;
    return cmp_bytes(a->term, a->len, b->term, b->len);
}

static int by_bytes(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    return cmp_bytes(a->term, a->len, b->term, b->len);
}

static vocab *vocab_alloc(size_t size, stance_error *err)
{
    vocab *v = calloc(1, sizeof *v);
    if (v) {
        v->index = strmap_new(size + 16);
        v->terms = calloc(size + 1, sizeof *v->terms);
        v->idf = calloc(size + 1, sizeof *v->idf);
    }
    if (!v || !v->index || !v->terms || !v->idf) {
        vocab_free(v);
        stance_error_set(err, STANCE_ERR_NOMEM, "out of memory for a vocabulary of %zu terms",
                         size);
        return NULL;
    }
    v->size = size;
    return v;
}

vocab *vocab_builder_finish(const vocab_builder *b, const uint32_t *df, long documents, int min_df,
                            int max_features, int **remap, stance_error *err)
{
    if (!df)
        df = b->df;
    /* Term strings by id (the map's own copies; its slots move, its strings do not). */
    size_t pos = 0;
    const char *key;
    size_t len;
    int64_t val;
    while (strmap_next(b->ids, &pos, &key, &len, &val))
        b->keys[val] = key;
    size_t kept = 0;
    entry *all = malloc((b->n ? b->n : 1) * sizeof *all);
    int *map = remap ? calloc(b->n ? b->n : 1, sizeof *map) : NULL;
    if (!all || (remap && !map)) {
        free(all);
        free(map);
        stance_error_set(err, STANCE_ERR_NOMEM, "out of memory building vocabulary");
        return NULL;
    }
    for (uint32_t id = 0; id < b->n; id++)
        if (df[id] >= (uint32_t)min_df && df[id] > 0)
            all[kept++] = (entry){b->keys[id], b->key_len[id], (long)df[id], id};
    if (kept == 0) {
        free(all);
        free(map);
        stance_error_set(err, STANCE_ERR_DATA,
                         "empty vocabulary: no term occurs in %d or more of the %ld texts", min_df,
                         documents);
        return NULL;
    }
    if (max_features > 0 && kept > (size_t)max_features) {
        qsort(all, kept, sizeof *all, by_df_then_bytes);
        kept = (size_t)max_features;
    }
    qsort(all, kept, sizeof *all, by_bytes);
    vocab *v = vocab_alloc(kept, err);
    if (!v) {
        free(all);
        free(map);
        return NULL;
    }
    v->documents = documents;
    for (size_t i = 0; i < kept; i++) {
        int64_t *slot = strmap_upsert(v->index, all[i].term, all[i].len, (int64_t)(i + 1), NULL);
        if (!slot) {
            free(all);
            free(map);
            vocab_free(v);
            stance_error_set(err, STANCE_ERR_NOMEM, "out of memory building vocabulary");
            return NULL;
        }
        v->idf[i + 1] = log((1.0 + (double)documents) / (1.0 + (double)all[i].df)) + 1.0;
        if (map)
            map[all[i].id] = (int)(i + 1);
    }
    free(all);
    pos = 0;
    while (strmap_next(v->index, &pos, &key, &len, &val))
        v->terms[val] = key;
    if (remap)
        *remap = map;
    return v;
}

void vocab_free(vocab *v)
{
    if (!v)
        return;
    strmap_free(v->index);
    free(v->terms);
    free(v->idf);
    free(v->is_char);
    free(v);
}

static int is_char_term(const char *t, int conjoin)
{
    if (t[0] == '#')
        return 1;
    if (!conjoin)
        return 0;
    const char *bar = strchr(t, '|');
    return bar && bar[1] == '#' && !memchr(t, '%', (size_t)(bar - t));
}

int vocab_set_block_norm(vocab *v, int on, int conjoin, stance_error *err)
{
    free(v->is_char);
    v->is_char = NULL;
    if (!on)
        return 0;
    v->is_char = malloc(v->size + 1);
    if (!v->is_char)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
    v->is_char[0] = 0;
    for (size_t i = 1; i <= v->size; i++)
        v->is_char[i] = (unsigned char)is_char_term(v->terms[i], conjoin);
    return 0;
}

size_t vocab_size(const vocab *v)
{
    return v->size;
}

long vocab_documents(const vocab *v)
{
    return v->documents;
}

const char *vocab_term(const vocab *v, int index)
{
    return index >= 1 && (size_t)index <= v->size ? v->terms[index] : NULL;
}

int vocab_scale_weights(vocab *v, const double *factor, stance_error *err)
{
    for (size_t i = 1; i <= v->size; i++)
        if (!(factor[i] > 0) || !isfinite(factor[i]))
            return stance_error_set(err, STANCE_ERR_USAGE,
                                    "term weight factor %zu is not a positive number", i);
    for (size_t i = 1; i <= v->size; i++)
        v->idf[i] *= factor[i];
    return 0;
}

double vocab_idf(const vocab *v, int index)
{
    return index >= 1 && (size_t)index <= v->size ? v->idf[index] : 0.0;
}

int vocab_index(const vocab *v, const char *term, size_t len)
{
    int64_t i = strmap_get(v->index, term, len);
    return i > 0 ? (int)i : 0;
}

void feature_vec_free(feature_vec *fv)
{
    free(fv->nodes);
    free(fv->hashes);
    free(fv->ids);
    memset(fv, 0, sizeof *fv);
}

/* Sorts n[0..k). qsort's indirect compare calls were 7 % of stance-predict's time on tweets:
 * this is a plain quicksort (median of three, the smaller side first so the stack stays
 * O(log k)) finished by insertion sort on short runs. It sorts the bare indices, not the
 * 16-byte nodes: a quarter of the bytes to move. */
static void sort_ints(int *n, size_t k)
{
    while (k > 16) {
        size_t mid = k / 2;
        int a = n[0], b = n[mid], c = n[k - 1];
        int pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = k - 1;
        for (;;) {
            while (n[i] < pivot)
                i++;
            while (n[j] > pivot)
                j--;
            if (i >= j)
                break;
            int t = n[i];
            n[i] = n[j];
            n[j] = t;
            i++;
            j--;
        }
        /* n[0..j] <= pivot <= n[j+1..k) */
        size_t left = j + 1;
        if (left < k - left) {
            sort_ints(n, left);
            n += left;
            k -= left;
        } else {
            sort_ints(n + left, k - left);
            k = left;
        }
    }
    for (size_t i = 1; i < k; i++) {
        int x = n[i];
        size_t j = i;
        while (j > 0 && n[j - 1] > x) {
            n[j] = n[j - 1];
            j--;
        }
        n[j] = x;
    }
}

/* Where the indexes of n terms are gathered for sorting: the caller's stack buffer of
 * ID_STACK entries when they fit (most texts), else out->ids. Training keeps one feature_vec
 * per example, and a scratch allocation beside each one's nodes spread the solver's data
 * over more memory (training 16 % slower); the stack keeps the nodes together. NULL when out
 * of memory. */
#define ID_STACK 1024
static int *id_scratch(feature_vec *out, size_t n, int *stack)
{
    if (n <= ID_STACK)
        return stack;
    if (stance_grow((void **)&out->ids, &out->ids_cap, n, sizeof *out->ids) != 0)
        return NULL;
    return out->ids;
}

static int reserve_nodes(feature_vec *out, size_t need, stance_error *err)
{
    if (out->cap >= need)
        return 0;
    struct feature_node *n = realloc(out->nodes, need * sizeof *n);
    if (!n)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory vectorizing");
    out->nodes = n;
    out->cap = need;
    return 0;
}

/* ids[0..k) hold the index of each occurrence: sort, merge repeats into tf, weight by
 * tf*idf into out->nodes, L2-normalize, append the bias node and the terminator. */
static void weigh(const vocab *v, int *ids, size_t k, int sublinear_tf, double bias,
                  feature_vec *out)
{
    sort_ints(ids, k);
    size_t w = 0;
    double norm2 = 0.0, norm2_char = 0.0; /* the second only with block normalization */
    for (size_t i = 0; i < k;) {
        size_t j = i + 1;
        while (j < k && ids[j] == ids[i])
            j++;
        double tf = (double)(j - i);
        if (sublinear_tf && j - i > 1) /* 1 + log(1) is 1 */
            tf = 1.0 + log(tf);
        double val = tf * v->idf[ids[i]];
        out->nodes[w].index = ids[i];
        out->nodes[w].value = val;
        if (v->is_char && v->is_char[ids[i]])
            norm2_char += val * val;
        else
            norm2 += val * val;
        w++;
        i = j;
    }
    if (v->is_char) {
        double inv = norm2 > 0 ? 1.0 / sqrt(norm2) : 0.0;
        double inv_char = norm2_char > 0 ? 1.0 / sqrt(norm2_char) : 0.0;
        for (size_t i = 0; i < w; i++)
            out->nodes[i].value *= v->is_char[out->nodes[i].index] ? inv_char : inv;
    } else if (norm2 > 0) {
        double inv = 1.0 / sqrt(norm2);
        for (size_t i = 0; i < w; i++)
            out->nodes[i].value *= inv;
    }
    if (bias >= 0)
        out->nodes[w++] = (struct feature_node){(int)v->size + 1, bias};
    out->nodes[w].index = -1;
    out->nodes[w].value = 0;
    out->count = w;
}

int vocab_vectorize(const vocab *v, const term_list *terms, int sublinear_tf, double bias,
                    feature_vec *out, stance_error *err)
{
    if (reserve_nodes(out, terms->count + 2, err))
        return STANCE_ERR_NOMEM;
    /* The table and its keys are far bigger than the cache, and a lookup waits first for its
     * slot, then for its key. So every term is hashed and its slot asked for first, then its
     * key (by then the first slots have arrived), and only then are the terms looked up: the
     * waits of all the terms overlap instead of adding up (strmap.h). Each term found also
     * asks for the idf that weigh will read. */
    size_t n = terms->count, k = 0;
    int stack[ID_STACK], *found = id_scratch(out, n, stack);
    if (!found || stance_grow((void **)&out->hashes, &out->hashes_cap, n, sizeof *out->hashes) != 0)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory vectorizing");
    for (size_t i = 0; i < n; i++) {
        out->hashes[i] = strmap_hash(term_list_get(terms, i), term_list_len(terms, i));
        strmap_prefetch(v->index, out->hashes[i]);
    }
    for (size_t i = 0; i < n; i++)
        strmap_prefetch_key(v->index, out->hashes[i]);
    for (size_t i = 0; i < n; i++) {
        int64_t idx = strmap_get_hashed(v->index, term_list_get(terms, i), term_list_len(terms, i),
                                        out->hashes[i]);
        if (idx > 0) {
            __builtin_prefetch(&v->idf[idx]);
            found[k++] = (int)idx;
        }
    }
    weigh(v, found, k, sublinear_tf, bias, out);
    return 0;
}

int vocab_vectorize_ids(const vocab *v, const int *remap, const uint32_t *ids, size_t n,
                        int sublinear_tf, double bias, feature_vec *out, stance_error *err)
{
    if (reserve_nodes(out, n + 2, err))
        return STANCE_ERR_NOMEM;
    size_t k = 0;
    int stack[ID_STACK], *found = id_scratch(out, n, stack);
    if (!found)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory vectorizing");
    for (size_t i = 0; i < n; i++) {
        int idx = remap[ids[i]];
        if (idx > 0)
            found[k++] = idx;
    }
    weigh(v, found, k, sublinear_tf, bias, out);
    return 0;
}

int vocab_save(const vocab *v, const char *path, stance_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return stance_error_set(err, STANCE_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    for (size_t i = 1; i <= v->size; i++)
        fprintf(f, "%s\t%.17g\n", v->terms[i], v->idf[i]);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return stance_error_set(err, STANCE_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    return 0;
}

vocab *vocab_load(const char *path, size_t expected_size, long documents, stance_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        stance_error_set(err, STANCE_ERR_MODEL, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    /* every term line takes at least 4 bytes ("t\t1\n"): a manifest that declares more terms
     * than the file can hold is refused before anything is allocated for them */
    struct stat st;
    if (fstat(fileno(f), &st) != 0 ||
        (unsigned long long)expected_size * 4 > (unsigned long long)st.st_size) {
        stance_error_set(err, STANCE_ERR_MODEL,
                         "%s: the manifest declares %zu terms, more than "
                         "the file holds (truncated file or wrong manifest)",
                         path, expected_size);
        fclose(f);
        return NULL;
    }
    vocab *v = vocab_alloc(expected_size, err);
    if (!v) {
        fclose(f);
        return NULL;
    }
    v->documents = documents;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t lineno = 0;
    while ((n = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (lineno > expected_size) {
            stance_error_set(err, STANCE_ERR_MODEL,
                             "%s: more than the %zu terms the manifest "
                             "declares",
                             path, expected_size);
            goto fail;
        }
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        char *tab = memchr(line, '\t', (size_t)n);
        char *end = NULL;
        double idf = tab ? strtod(tab + 1, &end) : 0;
        if (!tab || tab == line || !end || *end || !(idf > 0) || !isfinite(idf)) {
            stance_error_set(err, STANCE_ERR_MODEL, "%s:%zu: expected \"term<TAB>idf\"", path,
                             lineno);
            goto fail;
        }
        int inserted = 0;
        int64_t *slot =
            strmap_upsert(v->index, line, (size_t)(tab - line), (int64_t)lineno, &inserted);
        if (!slot) {
            stance_error_set(err, STANCE_ERR_NOMEM, "out of memory loading %s", path);
            goto fail;
        }
        if (!inserted) {
            stance_error_set(err, STANCE_ERR_MODEL, "%s:%zu: duplicate term", path, lineno);
            goto fail;
        }
        v->idf[lineno] = idf;
    }
    if (ferror(f)) {
        stance_error_set(err, STANCE_ERR_MODEL, "%s: read error", path);
        goto fail;
    }
    if (lineno != expected_size) {
        stance_error_set(err, STANCE_ERR_MODEL,
                         "%s: %zu terms, the manifest declares %zu "
                         "(truncated file?)",
                         path, lineno, expected_size);
        goto fail;
    }
    size_t pos = 0;
    const char *key;
    size_t len;
    int64_t val;
    while (strmap_next(v->index, &pos, &key, &len, &val))
        v->terms[val] = key;
    free(line);
    fclose(f);
    return v;
fail:
    free(line);
    fclose(f);
    vocab_free(v);
    return NULL;
}
