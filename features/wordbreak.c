#include "wordbreak.h"

#include <pthread.h>
#include <unicode/ubrk.h>

/* What a code unit does in a word segment (see the rules in wordbreak_next). */
enum wb_class {
    WB_NONE = 0, /* not classified: texts with it go to ICU */
    WB_OTHER,    /* a segment of its own */
    WB_LETTER,   /* joins letters, digits and '_'-likes; a word ending in it has status 200 */
    WB_DIGIT,    /* the same, status 100 */
    WB_JOINER,   /* '_': joins anything wordlike on both sides (UAX #29 ExtendNumLet) */
    WB_MID_L,    /* joins two letters across it (MidLetter) */
    WB_MID_D,    /* joins two digits across it (MidNum) */
    WB_MID_LD,   /* both (MidNumLet, the apostrophe) */
    WB_SPACE,    /* joins spaces (WSegSpace) */
    WB_CR,
    WB_LF,
    WB_NEWLINE /* other line ends: a segment of its own */
};

/* The candidates: Latin-1 .. Cyrillic, and General Punctuation. */
#define LOW_END 0x530
#define PUNCT_FIRST 0x2000
#define PUNCT_END 0x2070

/* The class of every UTF-16 code unit (WB_NONE outside the candidates): one load per unit,
 * where two range tests per unit made the scan in wordbreak_supported cost as much as the
 * segmentation. 64 KiB, of which a text touches the few lines of its alphabets. */
static unsigned char unit_class[0x10000];
static pthread_once_t classes_once = PTHREAD_ONCE_INIT;

static enum wb_class class_of(UChar u)
{
    return (enum wb_class)unit_class[u];
}

/* ---- classification by ICU's own behaviour -------------------------------------------- */

/* How ICU segments s[0..n): the number of segments, the status of the first and of the last. */
typedef struct {
    int count, first_status, last_status;
} icu_segments;

static icu_segments segment_with_icu(UBreakIterator *bi, const UChar *s, int32_t n)
{
    icu_segments r = {0, -1, -1};
    UErrorCode st = U_ZERO_ERROR;
    ubrk_setText(bi, s, n, &st);
    if (U_FAILURE(st))
        return r;
    ubrk_first(bi);
    while (ubrk_next(bi) != UBRK_DONE) {
        int32_t status = ubrk_getRuleStatus(bi);
        if (r.count++ == 0)
            r.first_status = status;
        r.last_status = status;
    }
    return r;
}

/* 1 if ICU makes one segment of s with that status. */
static int one(UBreakIterator *bi, const UChar *s, int32_t n, int status)
{
    icu_segments r = segment_with_icu(bi, s, n);
    return r.count == 1 && r.last_status == status;
}

/* 1 if ICU makes one segment of every character of s (n segments, all status 0 where the
 * character is not a letter or digit). */
static int apart(UBreakIterator *bi, const UChar *s, int32_t n)
{
    return segment_with_icu(bi, s, n).count == n;
}

static enum wb_class classify(UBreakIterator *bi, UChar u)
{
    const UChar a = 'a', d = '1';
    UChar uu[2] = {u, u}, au[2] = {a, u}, ua[2] = {u, a}, du[2] = {d, u}, ud[2] = {u, d};
    UChar aua[3] = {a, u, a}, dud[3] = {d, u, d};
    icu_segments alone = segment_with_icu(bi, &u, 1);
    if (alone.count != 1)
        return WB_NONE;
    if (u == '\r')
        return apart(bi, uu, 2) && apart(bi, au, 2) && apart(bi, ua, 2) ? WB_CR : WB_NONE;
    if (u == '\n' || u == 0x0B || u == 0x0C || u == 0x85 || u == 0x2028 || u == 0x2029) {
        if (!(apart(bi, uu, 2) && apart(bi, au, 2) && apart(bi, ua, 2) && apart(bi, du, 2)))
            return WB_NONE;
        return u == '\n' ? WB_LF : WB_NEWLINE;
    }
    switch (alone.last_status) {
    case UBRK_WORD_LETTER:
        return one(bi, uu, 2, 200) && one(bi, au, 2, 200) && one(bi, ua, 2, 200) &&
                       one(bi, du, 2, 200) && one(bi, ud, 2, 100)
                   ? WB_LETTER
                   : WB_NONE;
    case UBRK_WORD_NUMBER:
        return one(bi, uu, 2, 100) && one(bi, au, 2, 100) && one(bi, ua, 2, 200) &&
                       one(bi, du, 2, 100) && one(bi, ud, 2, 100)
                   ? WB_DIGIT
                   : WB_NONE;
    case UBRK_WORD_NONE:
        break;
    default:
        return WB_NONE; /* kana, ideographs: ICU's business */
    }
    if (one(bi, uu, 2, 200))
        return one(bi, au, 2, 200) && one(bi, ua, 2, 200) && one(bi, du, 2, 100) &&
                       one(bi, ud, 2, 100)
                   ? WB_JOINER
                   : WB_NONE;
    if (one(bi, uu, 2, 0))
        return apart(bi, au, 2) && apart(bi, ua, 2) && apart(bi, du, 2) && apart(bi, ud, 2)
                   ? WB_SPACE
                   : WB_NONE;
    if (!(apart(bi, uu, 2) && apart(bi, au, 2) && apart(bi, ua, 2) && apart(bi, du, 2) &&
          apart(bi, ud, 2)))
        return WB_NONE;
    int mid_l = one(bi, aua, 3, 200), mid_d = one(bi, dud, 3, 100);
    if ((!mid_l && !apart(bi, aua, 3)) || (!mid_d && !apart(bi, dud, 3)))
        return WB_NONE;
    return mid_l && mid_d ? WB_MID_LD : mid_l ? WB_MID_L : mid_d ? WB_MID_D : WB_OTHER;
}

static void fill_classes(void)
{
    UErrorCode st = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "", NULL, 0, &st);
    if (U_FAILURE(st))
        return; /* every class stays WB_NONE: every text goes to ICU, which reports it */
    for (UChar u = 1; u < LOW_END; u++)
        unit_class[u] = (unsigned char)classify(bi, u);
    for (UChar u = PUNCT_FIRST; u < PUNCT_END; u++)
        unit_class[u] = (unsigned char)classify(bi, u);
    ubrk_close(bi);
}

/* ---- segmentation ----------------------------------------------------------------------- */

int wordbreak_supported(const UChar *s, int32_t n)
{
    pthread_once(&classes_once, fill_classes);
    for (int32_t i = 0; i < n; i++)
        if (class_of(s[i]) == WB_NONE)
            return 0;
    return 1;
}

static int wordlike(enum wb_class c)
{
    return c == WB_LETTER || c == WB_DIGIT || c == WB_JOINER;
}

/* The status of a word segment from its last two wordlike units, as ICU's pair rules give it:
 * ending in a letter 200, in a digit 100; ending in '_' 100 after a digit, else 200. */
static int32_t word_status(enum wb_class prev, enum wb_class last)
{
    if (last == WB_LETTER)
        return UBRK_WORD_LETTER;
    if (last == WB_DIGIT)
        return UBRK_WORD_NUMBER;
    return prev == WB_DIGIT ? UBRK_WORD_NUMBER : UBRK_WORD_LETTER;
}

int32_t wordbreak_next(const UChar *s, int32_t n, int32_t start, int32_t *status)
{
    enum wb_class c = class_of(s[start]);
    int32_t i = start + 1;
    *status = UBRK_WORD_NONE;
    switch (c) {
    case WB_CR:
        return i < n && class_of(s[i]) == WB_LF ? i + 1 : i;
    case WB_SPACE:
        while (i < n && class_of(s[i]) == WB_SPACE)
            i++;
        return i;
    case WB_LETTER:
    case WB_DIGIT:
    case WB_JOINER: {
        /* letters, digits and joiners join each other (UAX #29 WB5, WB8-10, WB13a/b); a mid
         * character joins a letter to a letter or a digit to a digit (WB6/7, WB11/12). A lone
         * joiner is not a word (status 0). */
        enum wb_class prev = c;
        if (c != WB_JOINER)
            *status = word_status(WB_NONE, c);
        while (i < n) {
            enum wb_class next = class_of(s[i]);
            if (wordlike(next)) {
                *status = word_status(prev, next);
                prev = next;
                i++;
                continue;
            }
            if (i + 1 < n && prev == class_of(s[i + 1]) &&
                ((prev == WB_LETTER && (next == WB_MID_L || next == WB_MID_LD)) ||
                 (prev == WB_DIGIT && (next == WB_MID_D || next == WB_MID_LD)))) {
                *status = word_status(prev, prev);
                i += 2;
                continue;
            }
            break;
        }
        return i;
    }
    default:
        return i; /* other, mid characters on their own, LF and other line ends */
    }
}
