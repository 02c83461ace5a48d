/*
 * test_strmap.c - the string map: lookups and insertions, growth, and the hash's promise that
 * it reads only the key's own bytes and gives, for the last 1-7 of them, what assembling
 * them one at a time gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "shortcopy.h"
#include "strmap.h"

/* strmap_hash as its comment defines it, one byte at a time for the tail. */
static uint64_t reference_hash(const unsigned char *key, size_t len)
{
    const uint64_t k = 0x87c37b91114253d5ULL;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0xff51afd7ed558ccdULL);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, key + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    for (size_t b = 0; i + b < len; b++)
        w |= (uint64_t)key[i + b] << (8 * b);
    h = (h ^ w) * k;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static void test_hash(void)
{
    uint64_t rng = 0x5eed;
    int same = 1;
    for (size_t len = 0; len <= 40; len++) {
        for (int round = 0; round < 200; round++) {
            /* the key ends where its allocation ends, so a read past it shows under ASan */
            unsigned char *key = malloc(len ? len : 1);
            CHECK(key != NULL);
            if (!key)
                return;
            for (size_t i = 0; i < len; i++)
                key[i] = (unsigned char)check_random(&rng);
            if (strmap_hash((const char *)key, len) != reference_hash(key, len))
                same = 0;
            free(key);
        }
    }
    CHECK(same);
    /* a key is hashed by its bytes only, not by what follows them */
    CHECK(strmap_hash("abcdefghij", 5) == strmap_hash("abcdeXYZ", 5));
    CHECK(strmap_hash("abc", 3) != strmap_hash("abd", 3));
}

static void test_map(void)
{
    strmap *m = strmap_new(4);
    CHECK(m != NULL);
    if (!m)
        return;
    char key[32];
    int inserted = 0;
    for (int i = 0; i < 5000; i++) { /* many times the first capacity: the map grows */
        size_t n = (size_t)snprintf(key, sizeof key, "term%d", i);
        int64_t *v = strmap_upsert(m, key, n, i, &inserted);
        CHECK(v != NULL && inserted && *v == i);
    }
    CHECK(strmap_size(m) == 5000);
    int64_t *again = strmap_upsert(m, "term17", 6, 99, &inserted);
    CHECK(again != NULL && !inserted && *again == 17);
    int all_found = 1;
    for (int i = 0; i < 5000; i++) {
        size_t n = (size_t)snprintf(key, sizeof key, "term%d", i);
        if (strmap_get(m, key, n) != i || strmap_get_hashed(m, key, n, strmap_hash(key, n)) != i)
            all_found = 0;
    }
    CHECK(all_found);
    CHECK(strmap_get(m, "term5000", 8) == -1);
    CHECK(strmap_get(m, "term1", 4) == -1); /* a prefix of a key is another key */
    CHECK(strmap_get(m, "", 0) == -1);
    size_t pos = 0, seen = 0;
    const char *k;
    size_t klen;
    int64_t value;
    while (strmap_next(m, &pos, &k, &klen, &value))
        seen++;
    CHECK(seen == 5000);
    strmap_free(m);
}

/* Keys of every length up to 40 are found from a copy, and a copy with any one byte changed
 * is not; the key comparison, which a changed key seldom reaches past the hash, is also
 * asked directly: it looks at every byte, whatever the length. */
static void test_compare(void)
{
    strmap *m = strmap_new(64);
    CHECK(m != NULL);
    if (!m)
        return;
    uint64_t rng = 77;
    char keys[41][40];
    for (size_t len = 1; len <= 40; len++) {
        for (size_t i = 0; i < len; i++)
            keys[len][i] = (char)('a' + check_random(&rng) % 26);
        int inserted = 0;
        CHECK(strmap_upsert(m, keys[len], len, (int64_t)len, &inserted) != NULL && inserted);
    }
    int found = 1, told_apart = 1;
    for (size_t len = 1; len <= 40; len++) {
        char *copy = malloc(len); /* ends where its allocation ends: ASan sees an over-read */
        if (!copy)
            break;
        memcpy(copy, keys[len], len);
        if (strmap_get(m, copy, len) != (int64_t)len)
            found = 0;
        if (!equal_short(copy, keys[len], len))
            found = 0;
        for (size_t i = 0; i < len; i++) {
            copy[i] = (char)(copy[i] == 'z' ? 'a' : copy[i] + 1);
            if (strmap_get(m, copy, len) != -1 || equal_short(copy, keys[len], len) ||
                equal_short(keys[len], copy, len))
                told_apart = 0;
            copy[i] = keys[len][i];
        }
        free(copy);
    }
    CHECK(found);
    CHECK(told_apart);
    strmap_free(m);
}

int main(void)
{
    test_hash();
    test_map();
    test_compare();
    return check_finish();
}
