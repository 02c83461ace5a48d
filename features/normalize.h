/*
 * normalize.h - the one text normalization every stance component agrees on.
 *
 * ICU's NFKC_Casefold (compatibility forms folded, case folded, default-ignorables such as
 * soft hyphens and zero-width joiners removed), then two mappings news text needs:
 *   ё -> е   Russian outlets write "ещё" and "еще" interchangeably;
 *   ’ ʼ ` ´ -> '   Ukrainian apostrophe words (п'ять, м'ясо) arrive with any of them.
 * Party aliases, training text and scored text all pass through here, so they match.
 */
#ifndef STANCE_NORMALIZE_H
#define STANCE_NORMALIZE_H

#include <stddef.h>
#include <unicode/utypes.h>

#include "error.h"

/* Reusable buffers so the hot path does not allocate per text. Zero-initialise before use;
 * release with normalize_buffers_free. */
typedef struct normalize_buffers {
    UChar *src, *dst;
    int32_t src_cap, dst_cap;
    int32_t dst_len; /* length of the normalized UTF-16 text in dst */
} normalize_buffers;

/* Normalizes UTF-8 text into b->dst (UTF-16). Invalid UTF-8 becomes U+FFFD. Returns 0, or
 * STANCE_ERR_DATA for a text over 1 GiB, STANCE_ERR_NOMEM, or STANCE_ERR_DATA on ICU failure. */
int normalize_utf16(const char *text, size_t len, normalize_buffers *b, stance_error *err);

void normalize_buffers_free(normalize_buffers *b);

/* Convenience: normalized UTF-8 copy of text. Caller frees with free(). NULL on failure. */
char *normalize_utf8(const char *text, size_t len, size_t *out_len, stance_error *err);

#endif
