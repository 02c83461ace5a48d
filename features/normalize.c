#include "normalize.h"

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

int normalize_utf16(const char *text, size_t len, normalize_buffers *b, stance_error *err)
{
    if (len > NORMALIZE_MAX_BYTES)
        return stance_error_set(err, STANCE_ERR_DATA, "text of %zu bytes is over the 1 GiB limit",
                                len);
    UErrorCode st = U_ZERO_ERROR;
    int32_t n16 = 0;
    /* UTF-16 never needs more code units than UTF-8 has bytes. */
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
