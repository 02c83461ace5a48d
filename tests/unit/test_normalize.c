/* normalize_utf16's character-by-character fast path must give exactly what ICU's
 * NFKC_Casefold (plus the news mappings) gives for the whole text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "check.h"
#include "normalize.h"

/* The reference: ICU on the whole text, then ё -> е and the apostrophes, as documented. */
static int32_t reference(const UChar *in, int32_t n, UChar *out, int32_t cap)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *n2 = unorm2_getNFKCCasefoldInstance(&st);
    int32_t m = unorm2_normalize(n2, in, n, out, cap, &st);
    if (U_FAILURE(st))
        return -1;
    for (int32_t i = 0; i < m; i++) {
        if (out[i] == 0x0451)
            out[i] = 0x0435;
        else if (out[i] == 0x2019 || out[i] == 0x02BC || out[i] == 0x60 || out[i] == 0xB4 ||
                 out[i] == 0x2018)
            out[i] = '\'';
    }
    return m;
}

/* 1 if normalize_utf16 and the reference agree on the code points cps[0..n). */
static int agrees(const UChar32 *cps, int n, normalize_buffers *b)
{
    UChar u16[64];
    int32_t len16 = 0;
    UBool bad = 0;
    (void)bad;
    for (int i = 0; i < n; i++)
        U16_APPEND(u16, len16, 64, cps[i], bad);
    char u8[256];
    int32_t len8 = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strToUTF8(u8, sizeof u8, &len8, u16, len16, &st);
    UChar want[256];
    int32_t wn = reference(u16, len16, want, 256);
    stance_error err = {0};
    if (U_FAILURE(st) || wn < 0 || normalize_utf16(u8, (size_t)len8, b, &err) != 0)
        return 0;
    int ok = b->dst_len == wn && memcmp(b->dst, want, (size_t)wn * sizeof(UChar)) == 0;
    if (!ok)
        fprintf(stderr, "differs for U+%04X U+%04X ...\n", (unsigned)cps[0],
                (unsigned)(n > 1 ? cps[1] : 0));
    return ok;
}

int main(void)
{
    normalize_buffers b = {0};
    /* every code point of the fast ranges, alone, after a letter and before a combining
     * mark (which must send the text to the slow path and still agree) */
    int all = 1;
    for (UChar32 c = 1; c < 0x2070 && all; c++) {
        if (c == 0x530)
            c = 0x2000;
        UChar32 alone[1] = {c};
        UChar32 after[2] = {'A', c};
        UChar32 before_mark[2] = {c, 0x0301};
        UChar32 between[3] = {0x0418, c, 0x0306};
        all = agrees(alone, 1, &b) && agrees(after, 2, &b) && agrees(before_mark, 2, &b) &&
              agrees(between, 3, &b);
    }
    CHECK(all);
    /* pairs across the ranges (every 7th code point against every 5th) */
    int pairs = 1;
    for (UChar32 c1 = 1; c1 < 0x530 && pairs; c1 += 7)
        for (UChar32 c2 = 1; c2 < 0x530 && pairs; c2 += 5) {
            UChar32 two[2] = {c1, c2};
            pairs = agrees(two, 2, &b);
        }
    CHECK(pairs);
    /* news text of the kinds the fast path is for, and invalid UTF-8 (slow path: U+FFFD) */
    const char *texts[] = {"Переговоры в Стамбуле — «без результата», заявил Песков.",
                           "Зеленський: «Ми готові» до п’ятого раунду; ЄС підтримує.",
                           "ПРЕГОВОРИТЕ В ЖЕНЕВА ЗАПОЧНАХА… Ёлка ёж",
                           "Trump’s envoy says talks “went well” – no deal yet.",
                           "Ligature ﬁ and ß and Ⅻ and Å and e\xcc\x81",
                           "bad \xff byte"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        UChar u16[256];
        int32_t n16 = 0;
        UErrorCode st = U_ZERO_ERROR;
        u_strFromUTF8WithSub(u16, 256, &n16, texts[i], -1, 0xFFFD, NULL, &st);
        UChar want[512];
        int32_t wn = reference(u16, n16, want, 512);
        stance_error err = {0};
        CHECK(normalize_utf16(texts[i], strlen(texts[i]), &b, &err) == 0);
        CHECK(b.dst_len == wn && memcmp(b.dst, want, (size_t)wn * sizeof(UChar)) == 0);
    }
    normalize_buffers_free(&b);
    return check_finish();
}
