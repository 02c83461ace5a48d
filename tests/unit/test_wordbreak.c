/* wordbreak_next must cut every supported text exactly where ICU's word iterator does, with
 * the same rule statuses. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>

#include "check.h"
#include "wordbreak.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

/* 1 if both segmentations of s[0..n) agree; prints the first difference. */
static int agrees(UBreakIterator *bi, const UChar *s, int32_t n)
{
    UErrorCode st = U_ZERO_ERROR;
    ubrk_setText(bi, s, n, &st);
    int32_t start = ubrk_first(bi);
    for (int32_t end = ubrk_next(bi); end != UBRK_DONE; start = end, end = ubrk_next(bi)) {
        int32_t status = 0;
        int32_t ours = wordbreak_next(s, n, start, &status);
        if (ours != end || status != ubrk_getRuleStatus(bi)) {
            char u8[512];
            int32_t len = 0;
            UErrorCode e2 = U_ZERO_ERROR;
            u_strToUTF8(u8, sizeof u8, &len, s, n, &e2);
            fprintf(stderr, "differs in \"%s\" at %d: ICU ends %d status %d, ours %d status %d\n",
                    U_SUCCESS(e2) ? u8 : "?", (int)start, (int)end, (int)ubrk_getRuleStatus(bi),
                    (int)ours, (int)status);
            return 0;
        }
    }
    return 1;
}

static int agrees_utf8(UBreakIterator *bi, const char *text)
{
    UChar u[512];
    int32_t n = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(u, 512, &n, text, -1, &st);
    return U_SUCCESS(st) && wordbreak_supported(u, n) && agrees(bi, u, n);
}

int main(void)
{
    UErrorCode st = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "", NULL, 0, &st);
    CHECK(U_SUCCESS(st));

    /* the cases the rules are about, in news and tweet text (normalized: lower case) */
    const char *cases[] = {
        "abc123 123abc 1.5 a.b 1,5 a,b a'b 1'2 a:b 1:2 a;b 1;2",
        "a_b _ __ 1_ _1 a_ 1__ a__1 _a 1_a a_1 12__ a1_ ___ _._ a_.b a._b 1_.2 a.b_",
        "x.y.1 1.2.a a'1 1'a a.'b ab.cd. a--b 'a a' a''b x@y @user #tag",
        "переговоры в стамбуле: «без результата», заявил песков.\r\nвторой раунд 2.0 — 16.05",
        "зеленський: «ми готові» до п'ятого раунду; єс підтримує 3,5 млрд",
        "преговорите в женева започнаха... това е 1-ви кръг",
        "trump's envoy says talks \"went well\" - no deal yet (reuters) 50%",
        "  \t\n\n\r\r\n\x0b\x0c a  b   c\n",
        "",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK(agrees_utf8(bi, cases[i]));

    /* a text with a character the tables leave to ICU is not supported */
    const UChar emoji[] = {'a', 0xD83D, 0xDE00};
    CHECK(!wordbreak_supported(emoji, 3));
    const UChar mark[] = {'a', 0x0301};
    CHECK(!wordbreak_supported(mark, 2));

    /* random texts over every supported code unit, weighted toward the joining ones */
    UChar units[0x600];
    int32_t nunits = 0;
    for (UChar u = 1; u < 0x2070; u++) {
        if (u == 0x530)
            u = 0x2000;
        if (wordbreak_supported(&u, 1))
            units[nunits++] = u;
    }
    CHECK(nunits > 300);
    const UChar common[] = {'a', 'b', 0x0430, 0x044F, '1',  '2',  '_', '.',    ',',    '\'',
                            ';', ':', '@',    ' ',    '\n', '\r', '-', 0x00B7, 0x2027, 0x2044};
    int all = 1;
    for (int t = 0; t < 60000 && all; t++) {
        UChar s[40];
        int32_t n = (int32_t)(check_random(&rng) % 40);
        for (int32_t i = 0; i < n; i++)
            s[i] = check_random(&rng) % 3
                       ? common[check_random(&rng) % (sizeof common / sizeof *common)]
                       : units[check_random(&rng) % (uint64_t)nunits];
        all = agrees(bi, s, n);
    }
    CHECK(all);
    ubrk_close(bi);
    return check_finish();
}
