#include "hashtag.h"

#include <stdint.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

/* What a code point is to a hashtag: CP_NONE ends the body. */
enum { CP_NONE = 0, CP_UPPER, CP_LOWER, CP_CASELESS, CP_DIGIT, CP_MARK, CP_UNDERSCORE };

static int cp_class(UChar32 c)
{
    if (c == '_')
        return CP_UNDERSCORE;
    if (c < 0 || c == 0xFFFD)
        return CP_NONE;
    switch (u_charType(c)) {
    case U_UPPERCASE_LETTER:
    case U_TITLECASE_LETTER:
        return CP_UPPER;
    case U_LOWERCASE_LETTER:
        return CP_LOWER;
    case U_OTHER_LETTER:
    case U_MODIFIER_LETTER:
        return CP_CASELESS;
    case U_DECIMAL_DIGIT_NUMBER:
        return CP_DIGIT;
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_ENCLOSING_MARK:
        return CP_MARK;
    default:
        return CP_NONE;
    }
}

int hashtag_next(const char *text, size_t len, size_t *pos, size_t *body, size_t *body_len)
{
    const uint8_t *s = (const uint8_t *)text;
    size_t i = *pos;
    while (i < len) {
        size_t mark_len = 0;
        if (s[i] == '#')
            mark_len = 1;
        else if (s[i] == 0xEF && i + 2 < len && s[i + 1] == 0xBC && s[i + 2] == 0x83)
            mark_len = 3; /* U+FF03 FULLWIDTH NUMBER SIGN, which NFKC makes '#' */
        if (mark_len == 0) {
            i++;
            continue;
        }
        /* "c#", "a#b": a '#' right after a word character is part of that word */
        if (i > 0) {
            int32_t p = (int32_t)i;
            UChar32 prev;
            U8_PREV(s, 0, p, prev);
            if (cp_class(prev) != CP_NONE) {
                i += mark_len;
                continue;
            }
        }
        size_t start = i + mark_len, end = start;
        while (end < len) {
            int32_t j = (int32_t)end;
            UChar32 c;
            U8_NEXT(s, j, (int32_t)len, c);
            if (cp_class(c) == CP_NONE)
                break;
            end = (size_t)j;
        }
        if (end == start) {
            i = start;
            continue;
        }
        *body = start;
        *body_len = end - start;
        *pos = end;
        return 1;
    }
    *pos = len;
    return 0;
}

size_t hashtag_split(const char *body, size_t n, hashtag_part parts[HASHTAG_MAX_PARTS])
{
    const uint8_t *s = (const uint8_t *)body;
    size_t nparts = 0;
    int open = 0; /* a part is being read */
    size_t part_start = 0;
    int digits_only = 1; /* the open part so far */
    int prev = CP_NONE, prev2 = CP_NONE;
    size_t prev_off = 0; /* where the previous letter or digit starts */

#define CLOSE_AT(end)                                                                              \
    do {                                                                                           \
        parts[nparts].off = part_start;                                                            \
        parts[nparts].len = (end)-part_start;                                                      \
        parts[nparts].is_number = digits_only;                                                     \
        nparts++;                                                                                  \
    } while (0)

    /* n fits int32_t: bodies come from texts under 1 GiB (normalize.h) */
    for (int32_t i = 0, next = 0; (size_t)i < n; i = next) {
        UChar32 c;
        U8_NEXT(s, next, (int32_t)n, c);
        int k = cp_class(c);
        if (nparts == HASHTAG_MAX_PARTS - 1 && open) { /* the last part takes the rest */
            if (k != CP_DIGIT && k != CP_MARK)
                digits_only = 0;
            continue;
        }
        if (k == CP_UNDERSCORE || k == CP_NONE) {
            if (open)
                CLOSE_AT((size_t)i);
            open = 0;
            prev = prev2 = CP_NONE;
            continue;
        }
        if (k == CP_MARK && open)
            continue; /* stays with the letter before it */
        if (!open) {
            open = 1;
            part_start = (size_t)i;
            digits_only = k == CP_DIGIT;
            prev2 = CP_NONE;
            prev = k;
            prev_off = (size_t)i;
            continue;
        }
        if ((k == CP_DIGIT) != (prev == CP_DIGIT) || (prev == CP_LOWER && k == CP_UPPER)) {
            CLOSE_AT((size_t)i);
            part_start = (size_t)i;
            digits_only = k == CP_DIGIT;
        } else if (prev == CP_UPPER && prev2 == CP_UPPER && k == CP_LOWER &&
                   prev_off > part_start) {
            CLOSE_AT(prev_off); /* "NATOSummit": the last capital starts "Summit" */
            part_start = prev_off;
            digits_only = 0;
        } else if (k != CP_DIGIT) {
            digits_only = 0;
        }
        prev2 = prev;
        prev = k;
        prev_off = (size_t)i;
    }
    if (open)
        CLOSE_AT(n);
#undef CLOSE_AT
    return nparts;
}
