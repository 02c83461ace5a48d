/*
 * shortcopy.h - copying and comparing the few bytes of a key, a number or a token.
 *
 * Result lines and term lists are built of pieces of a few bytes each, and a call to memcpy
 * for each piece cost more than the copying (memcpy was the top entry of stance-predict's
 * profile). Copies of constant size are inlined by the compiler, so a short piece is copied
 * as two overlapping words; a plain byte loop would be turned back into a memcpy call.
 */
#ifndef STANCE_SHORTCOPY_H
#define STANCE_SHORTCOPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* memcpy(dst, src, n) for non-overlapping buffers. */
static inline void copy_short(char *dst, const char *src, size_t n)
{
    if (n >= 8 && n <= 16) {
        memcpy(dst, src, 8);
        memcpy(dst + (n - 8), src + (n - 8), 8);
    } else if (n >= 4 && n < 8) {
        memcpy(dst, src, 4);
        memcpy(dst + (n - 4), src + (n - 4), 4);
    } else if (n < 4) {
        if (n > 0) {
            dst[0] = src[0];
            dst[n / 2] = src[n / 2];
            dst[n - 1] = src[n - 1];
        }
    } else {
        memcpy(dst, src, n);
    }
}

/* memcmp(a, b, n) == 0, for keys of a few bytes: eight bytes at a time and the last (up to)
 * eight in one overlapping load, never reading outside either key. Lookups compare once per
 * hit, where memcmp's call and dispatch cost more than the comparison. */
static inline int equal_short(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y)
                return 0;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        uint32_t p, q, r, t;
        memcpy(&p, a, 4);
        memcpy(&q, b, 4);
        memcpy(&r, a + n - 4, 4);
        memcpy(&t, b + n - 4, 4);
        return p == q && r == t;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

#endif
