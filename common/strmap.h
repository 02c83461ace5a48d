/*
 * strmap.h - a string -> integer hash map with keys copied into an owned arena.
 *
 * Used for vocabularies (term -> feature index) and counts. Open addressing with
 * linear probing; keys are byte strings of explicit length (need not be
 * NUL-terminated on input; stored NUL-terminated). Not thread-safe for writes;
 * concurrent lookups on a map nobody writes to are safe.
 */
#ifndef STANCE_STRMAP_H
#define STANCE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap strmap;

/* Creates an empty map. Caller frees with strmap_free. NULL when out of memory. */
strmap *strmap_new(size_t expected);
void strmap_free(strmap *m);

/* Value of key, or -1 if absent. */
int64_t strmap_get(const strmap *m, const char *key, size_t len);

/* Finds key or inserts it with value `value_if_new`. Returns a pointer to the stored value
 * (valid until the next insertion) or NULL when out of memory. *inserted says which happened. */
int64_t *strmap_upsert(strmap *m, const char *key, size_t len, int64_t value_if_new, int *inserted);

size_t strmap_size(const strmap *m);

/* Iteration over slots: returns the next occupied slot index >= *pos, filling key/value, and
 * advances *pos; returns 0 at the end. Order is the table order (not insertion order). */
int strmap_next(const strmap *m, size_t *pos, const char **key, size_t *len, int64_t *value);

uint64_t strmap_hash(const char *key, size_t len);

/* Lookups in a batch: a large map (a vocabulary) does not fit in the cache, and each lookup
 * waits for its slot and then for its key. Callers that know their keys in advance hash them
 * (strmap_hash), ask for each slot early (strmap_prefetch), then for each key it will compare
 * with (strmap_prefetch_key, once the slot has had time to arrive), and finally look up with
 * strmap_get_hashed: the waits of many lookups then overlap. The prefetches are hints only. */
void strmap_prefetch(const strmap *m, uint64_t hash);
void strmap_prefetch_key(const strmap *m, uint64_t hash);
/* strmap_get with hash = strmap_hash(key, len) already computed. */
int64_t strmap_get_hashed(const strmap *m, const char *key, size_t len, uint64_t hash);

#endif
