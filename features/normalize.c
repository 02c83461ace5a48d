#include "normalize.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/* ICU works with int32_t lengths; one article never needs more than this. */
#define NORMALIZE_MAX_BYTES (1u << 30)

static int grow_uchars(UChar **buf, int32_t *cap, int32_t need)
{
    if (*cap >= need)
        return 0;
    int32_t ncap = *cap ? *cap : 256;
    while (ncap < need)
        ncap = ncap > INT32_MAX / 2 ? INT32_MAX : ncap * 2;
    UChar *n = realloc(*buf, (size_t)ncap * sizeof(UChar));
    if (!n)
        return -1;
    *buf = n;
    *cap = ncap;
    return 0;
}

static void map_news_chars(UChar *s, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        switch (s[i]) {
        case 0x0451: /* ё */
            s[i] = 0x0435;
            break;
        case 0x2019: /* right single quotation mark */
        case 0x02BC: /* modifier letter apostrophe */
        case 0x0060: /* grave accent */
        case 0x00B4: /* acute accent */
        case 0x2018:
            s[i] = 0x0027;
            break;
        default:
            break;
        }
    }
}

/* The fast path. Most news and tweets are ASCII, Cyrillic and a little punctuation, and for
 * such characters NFKC_Casefold needs no context: ICU's hasBoundaryBefore(c) promises that a
 * text can be normalized in pieces split before c, so a text whose every character has that
 * boundary normalizes character by character (a combining mark has none, and takes the slow
 * path with the letter before it). The tables hold, for every
 * code point of the two ranges below, its one-unit result after map_news_chars, or 0 where the
 * character needs ICU (context, expansion, removal). They are filled once from ICU itself,
 * so the fast path cannot disagree with the slow one; a text with any other character, or
 * invalid UTF-8, takes the slow path whole. Converting, normalizing and mapping in one pass
 * saves the UTF-16 copy and ICU's per-text set-up (7 % of stance-predict's time on tweets). */
#define FAST_LOW_END 0x530u      /* Latin-1, Latin Extended, Greek, Cyrillic */
#define FAST_PUNCT_FIRST 0x2000u /* General Punctuation: dashes, quotes, ... */
#define FAST_PUNCT_END 0x2070u
static UChar fast_low[FAST_LOW_END];
static UChar fast_punct[FAST_PUNCT_END - FAST_PUNCT_FIRST];
static pthread_once_t fast_once = PTHREAD_ONCE_INIT;

static UChar fast_entry(const UNormalizer2 *n2, UChar32 c)
{
    if (!unorm2_hasBoundaryBefore(n2, c))
        return 0;
    UChar in[1] = {(UChar)c}, out[8];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = unorm2_normalize(n2, in, 1, out, 8, &st);
    if (U_FAILURE(st) || n != 1 || U16_IS_SURROGATE(out[0]) || out[0] == 0)
        return 0;
    map_news_chars(out, 1);
    return out[0];
}

static void fill_fast_tables(void)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *n2 = unorm2_getNFKCCasefoldInstance(&st);
    if (U_FAILURE(st))
        return; /* tables stay 0: every text takes the slow path, which reports the failure */
    for (UChar32 c = 1; c < (UChar32)FAST_LOW_END; c++)
        fast_low[c] = fast_entry(n2, c);
    for (UChar32 c = FAST_PUNCT_FIRST; c < (UChar32)FAST_PUNCT_END; c++)
        fast_punct[c - FAST_PUNCT_FIRST] = fast_entry(n2, c);
}

/* Normalizes text into b->dst if every character has a table entry; 1 if it did. */
static int normalize_fast(const char *text, size_t len, normalize_buffers *b)
{
    pthread_once(&fast_once, fill_fast_tables);
    const unsigned char *s = (const unsigned char *)text;
    UChar *d = b->dst;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        UChar m;
        if (c < 0x80) {
            m = fast_low[c];
            i++;
        } else if (c >= 0xC2 && c <= 0xDF && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
            uint32_t cp = ((uint32_t)(c & 0x1F) << 6) | (s[i + 1] & 0x3F);
            m = cp < FAST_LOW_END ? fast_low[cp] : 0;
            i += 2;
        } else if (c == 0xE2 && i + 2 < len && (s[i + 1] & 0xC0) == 0x80 &&
                   (s[i + 2] & 0xC0) == 0x80) {
            uint32_t cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) |
                          (s[i + 2] & 0x3F);
            m = cp >= FAST_PUNCT_FIRST && cp < FAST_PUNCT_END ? fast_punct[cp - FAST_PUNCT_FIRST]
                                                              : 0;
            i += 3;
        } else {
            m = 0;
        }
        if (!m)
            return 0;
        *d++ = m;
    }
    b->dst_len = (int32_t)(d - b->dst);
    return 1;
}

int normalize_utf16(const char *text, size_t len, normalize_buffers *b, stance_error *err)
{
    if (len > NORMALIZE_MAX_BYTES)
        return stance_error_set(err, STANCE_ERR_DATA, "text of %zu bytes is over the 1 GiB limit",
                                len);
    /* UTF-16 never needs more code units than UTF-8 has bytes; the fast path writes one unit
     * per character. */
    if (grow_uchars(&b->dst, &b->dst_cap, (int32_t)len + 1) != 0)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory normalizing text");
    if (normalize_fast(text, len, b))
        return 0;
    UErrorCode st = U_ZERO_ERROR;
    int32_t n16 = 0;
    if (grow_uchars(&b->src, &b->src_cap, (int32_t)len + 1) != 0)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory normalizing text");
    u_strFromUTF8WithSub(b->src, b->src_cap, &n16, text, (int32_t)len, 0xFFFD, NULL, &st);
    if (U_FAILURE(st))
        return stance_error_set(err, STANCE_ERR_DATA, "UTF-8 conversion failed: %s",
                                u_errorName(st));
    const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
    if (U_FAILURE(st))
        return stance_error_set(err, STANCE_ERR_DATA, "ICU NFKC_Casefold unavailable: %s",
                                u_errorName(st));
    /* Case folding can expand (ß -> ss, ligatures): start at 1.25x and retry once on overflow. */
    int32_t want = n16 + n16 / 4 + 16;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (grow_uchars(&b->dst, &b->dst_cap, want) != 0)
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory normalizing text");
        st = U_ZERO_ERROR;
        int32_t out = unorm2_normalize(nfkc_cf, b->src, n16, b->dst, b->dst_cap, &st);
        if (st == U_BUFFER_OVERFLOW_ERROR) {
            want = out + 16;
            continue;
        }
        if (U_FAILURE(st))
            return stance_error_set(err, STANCE_ERR_DATA, "ICU normalization failed: %s",
                                    u_errorName(st));
        b->dst_len = out;
        map_news_chars(b->dst, out);
        return 0;
    }
    return stance_error_set(err, STANCE_ERR_DATA, "ICU normalization did not converge");
}

void normalize_buffers_free(normalize_buffers *b)
{
    free(b->src);
    free(b->dst);
    memset(b, 0, sizeof *b);
}

char *normalize_utf8(const char *text, size_t len, size_t *out_len, stance_error *err)
{
    normalize_buffers b = {0};
    if (normalize_utf16(text, len, &b, err) != 0) {
        normalize_buffers_free(&b);
        return NULL;
    }
    UErrorCode st = U_ZERO_ERROR;
    int32_t n8 = 0;
    u_strToUTF8(NULL, 0, &n8, b.dst, b.dst_len, &st);
    st = U_ZERO_ERROR;
    char *out = malloc((size_t)n8 + 1);
    if (!out) {
        normalize_buffers_free(&b);
        stance_error_set(err, STANCE_ERR_NOMEM, "out of memory normalizing text");
        return NULL;
    }
    u_strToUTF8(out, n8 + 1, &n8, b.dst, b.dst_len, &st);
    normalize_buffers_free(&b);
    if (U_FAILURE(st)) {
        free(out);
        stance_error_set(err, STANCE_ERR_DATA, "UTF-8 conversion failed: %s", u_errorName(st));
        return NULL;
    }
    out[n8] = '\0';
    if (out_len)
        *out_len = (size_t)n8;
    return out;
}
