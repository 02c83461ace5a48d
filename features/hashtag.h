/*
 * hashtag.h - finding hashtags in raw text and the words they are written in.
 *
 * "#StopTheWar", "#stop_war", "#NATOSummit2023" carry their words glued together; case folding
 * (normalize.h) erases the capitals that show where one word ends, so the cuts are read off
 * the raw text, before normalization:
 *   - an underscore separates (and is dropped);
 *   - a change between digits and non-digits separates ("Ukraine2023" -> Ukraine, 2023);
 *   - a lowercase letter followed by an uppercase one separates ("StopWar" -> Stop, War);
 *   - in a run of capitals followed by a lowercase letter, the last capital starts the next
 *     word ("NATOSummit" -> NATO, Summit).
 * Combining marks stay with the letter before them; letters without case (CJK, Arabic) never
 * start a part. A hashtag's body is the longest run of letters, digits, marks and underscores
 * after '#' (or the fullwidth U+FF03); '#' inside a word ("c#", "a#b") starts none.
 *
 * Pure functions over caller-owned memory: no allocation, no locale, thread-safe. Invalid
 * UTF-8 ends a body (the replacement character is no letter).
 */
#ifndef STANCE_HASHTAG_H
#define STANCE_HASHTAG_H

#include <stddef.h>

#define HASHTAG_MAX_PARTS 16 /* the cut of a longer hashtag stops there (the rest is one part) */

typedef struct hashtag_part {
    size_t off, len; /* bytes of the part, relative to the body */
    int is_number;   /* 1 = digits only */
} hashtag_part;

/* Finds the next hashtag in text[*pos .. len): returns 1 with *body and *body_len set to its
 * body (the bytes after the '#') and *pos moved past it, or 0 when there is none (*pos = len).
 * A '#' with no body ("# 1", "##") is skipped. */
int hashtag_next(const char *text, size_t len, size_t *pos, size_t *body, size_t *body_len);

/* Cuts body[0 .. n) into parts (rules above), at most HASHTAG_MAX_PARTS, written to parts.
 * Returns the number of parts: 0 for an empty body, 1 when there is nothing to cut. */
size_t hashtag_split(const char *body, size_t n, hashtag_part parts[HASHTAG_MAX_PARTS]);

#endif
