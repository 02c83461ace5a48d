#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "shortcopy.h"

/* Keys live in large chunks so a million-term vocabulary costs a few mallocs, not a million. */
#define CHUNK_BYTES (1u << 20)

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk;

typedef struct slot {
    const char *key; /* NULL = empty */
    uint32_t len;
    uint32_t hash32;
    int64_t value;
} slot;

struct strmap {
    slot *slots;
    size_t cap, size;
    chunk *chunks;
};

uint64_t strmap_hash(const char *key, size_t len)
{
    /* Eight bytes at a time, each word folded in by a multiply, then a final avalanche (as in
     * MurmurHash3's fmix64): every term of every text is hashed, and FNV-1a's byte at a time
     * was a tenth of vectorizing. Only the table's layout depends on it, never a result. */
    const uint64_t k = 0x87c37b91114253d5ULL;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0xff51afd7ed558ccdULL);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, key + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    /* The last 1-7 bytes as a little-endian number, as the byte loop below makes it, but from
     * at most two loads that stay inside the key (overlapping bytes are OR'ed with
     * themselves): the byte loop was half the hash's cost on terms of a few letters. */
    size_t rest = len - i;
    uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (rest && len >= 8) {
        memcpy(&w, key + len - 8, 8);
        w >>= 8 * (8 - rest);
    } else if (rest >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, key + i, 4);
        memcpy(&hi, key + i + rest - 4, 4);
        w = lo | ((uint64_t)hi << (8 * (rest - 4)));
    } else if (rest) {
        const unsigned char *u = (const unsigned char *)key + i;
        w = u[0] | ((uint64_t)u[rest / 2] << (8 * (rest / 2))) |
            ((uint64_t)u[rest - 1] << (8 * (rest - 1)));
    }
#else
    for (size_t b = 0; b < rest; b++)
        w |= (uint64_t)(unsigned char)key[i + b] << (8 * b);
#endif
    h = (h ^ w) * k;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

strmap *strmap_new(size_t expected)
{
    strmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    size_t cap = 64;
    while (cap < expected * 2)
        cap <<= 1;
    m->slots = calloc(cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    m->cap = cap;
    return m;
}

void strmap_free(strmap *m)
{
    if (!m)
        return;
    chunk *c = m->chunks;
    while (c) {
        chunk *n = c->next;
        free(c);
        c = n;
    }
    free(m->slots);
    free(m);
}

static const char *arena_copy(strmap *m, const char *key, size_t len)
{
    chunk *c = m->chunks;
    if (!c || c->cap - c->used < len + 1) {
        size_t cap = len + 1 > CHUNK_BYTES ? len + 1 : CHUNK_BYTES;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = m->chunks;
        m->chunks = c;
    }
    char *dst = c->data + c->used;
    memcpy(dst, key, len);
    dst[len] = '\0';
    c->used += len + 1;
    return dst;
}

static slot *find_slot(slot *slots, size_t cap, const char *key, size_t len, uint64_t h)
{
    size_t mask = cap - 1;
    size_t i = (size_t)h & mask;
    uint32_t h32 = (uint32_t)(h >> 32);
    for (;;) {
        slot *s = &slots[i];
        if (!s->key || (s->hash32 == h32 && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
        i = (i + 1) & mask;
    }
}

static int grow(strmap *m)
{
    size_t ncap = m->cap * 2;
    slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        slot *s = &m->slots[i];
        if (!s->key)
            continue;
        slot *d = find_slot(ns, ncap, s->key, s->len, strmap_hash(s->key, s->len));
        *d = *s;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int64_t strmap_get(const strmap *m, const char *key, size_t len)
{
    return strmap_get_hashed(m, key, len, strmap_hash(key, len));
}

int64_t strmap_get_hashed(const strmap *m, const char *key, size_t len, uint64_t hash)
{
    /* find_slot's probe, comparing keys with equal_short instead of memcmp */
    size_t mask = m->cap - 1;
    size_t i = (size_t)hash & mask;
    uint32_t h32 = (uint32_t)(hash >> 32);
    for (;;) {
        const slot *s = &m->slots[i];
        if (!s->key)
            return -1;
        if (s->hash32 == h32 && s->len == len && equal_short(s->key, key, len))
            return s->value;
        i = (i + 1) & mask;
    }
}

void strmap_prefetch(const strmap *m, uint64_t hash)
{
    __builtin_prefetch(&m->slots[(size_t)hash & (m->cap - 1)]);
}

void strmap_prefetch_key(const strmap *m, uint64_t hash)
{
    /* only the home slot: most keys are found there, and a probe past it is rare enough */
    const slot *s = &m->slots[(size_t)hash & (m->cap - 1)];
    if (s->key && s->hash32 == (uint32_t)(hash >> 32))
        __builtin_prefetch(s->key);
}

int64_t *strmap_upsert(strmap *m, const char *key, size_t len, int64_t value_if_new, int *inserted)
{
    if (len > UINT32_MAX)
        return NULL;
    if ((m->size + 1) * 10 > m->cap * 7 && grow(m) != 0)
        return NULL;
    uint64_t h = strmap_hash(key, len);
    slot *s = find_slot(m->slots, m->cap, key, len, h);
    if (s->key) {
        if (inserted)
            *inserted = 0;
        return &s->value;
    }
    const char *copy = arena_copy(m, key, len);
    if (!copy)
        return NULL;
    s->key = copy;
    s->len = (uint32_t)len;
    s->hash32 = (uint32_t)(h >> 32);
    s->value = value_if_new;
    m->size++;
    if (inserted)
        *inserted = 1;
    return &s->value;
}

size_t strmap_size(const strmap *m)
{
    return m->size;
}

int strmap_next(const strmap *m, size_t *pos, const char **key, size_t *len, int64_t *value)
{
    for (size_t i = *pos; i < m->cap; i++) {
        if (m->slots[i].key) {
            *key = m->slots[i].key;
            *len = m->slots[i].len;
            *value = m->slots[i].value;
            *pos = i + 1;
            return 1;
        }
    }
    *pos = m->cap;
    return 0;
}
