/*
 * wordbreak.h - word segments of a normalized text without ICU's break iterator, for the
 * texts most news and tweets are: Latin, Cyrillic and Greek letters, digits, the usual
 * punctuation and spaces.
 *
 * Why: ICU's rule-based word iterator was the largest single cost of stance-predict after
 * language identification (about 15 % of the time per tweet). The segmentation it applies to
 * such characters is the small part of Unicode's UAX #29 implemented here (letters and digits
 * join, a mid-word character joins two letters or two digits, '_' joins anything wordlike,
 * spaces join spaces, CR joins LF), with the same rule status ICU gives (100 number, 200
 * letter word, 0 other).
 *
 * Contract: for a text wordbreak_supported() accepts, the segments and statuses are exactly
 * ICU's UBRK_WORD iterator's (root locale). What each character does is not taken from a
 * hand-written list: at first use every candidate code unit is tried in small contexts on
 * ICU's own iterator and classified by what ICU did (ICU 72 joins "x@y", for one, where the
 * Unicode property says it should not); a character that behaves like none of the classes is
 * left to ICU. tests/unit/test_wordbreak.c and tests/fuzz/fuzz_wordbreak.c compare both on
 * random texts. Thread-safe (the tables are filled once, then only read).
 */
#ifndef STANCE_WORDBREAK_H
#define STANCE_WORDBREAK_H

#include <stdint.h>
#include <unicode/utypes.h>

/* 1 if every code unit of s[0..n) has a class (the text can be segmented here), else 0. */
int wordbreak_supported(const UChar *s, int32_t n);

/* The end of the segment that starts at `start` (< n) of a supported text, and its ICU rule
 * status in *status (UBRK_WORD_NONE, UBRK_WORD_NUMBER or UBRK_WORD_LETTER values). */
int32_t wordbreak_next(const UChar *s, int32_t n, int32_t start, int32_t *status);

#endif
