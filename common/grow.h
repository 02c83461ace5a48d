/*
 * grow.h - the one growable-buffer helper: callers keep (pointer, capacity) pairs and ask
 * for room before writing, so hot loops reuse their memory instead of allocating per call.
 */
#ifndef STANCE_GROW_H
#define STANCE_GROW_H

#include <stddef.h>

/* Makes *buf hold at least `need` elements of `elem` bytes, doubling from 16 (realloc; the
 * contents are kept). Returns 0, or -1 when out of memory, on overflow or for elem 0 (then *buf
 * and *cap are unchanged). */
int stance_grow(void **buf, size_t *cap, size_t need, size_t elem);

#endif
