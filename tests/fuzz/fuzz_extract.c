/*
 * fuzz_extract.c - libFuzzer entry point for the feature extractor (features/extract.h):
 * normalization, terms, sentences and party mentions over arbitrary bytes.
 *
 * Build and run through tests/fuzz/run.sh (FUZZ_SECONDS=600 tests/fuzz/run.sh extract).
 *
 * Input layout: byte 0 chooses how the rest is used, so one corpus drives every path:
 *   bit 0    which extractor: the defaults (word 1-2-grams, Snowball) or a busy one (word
 *            1-3-grams, character 1-8-grams, conjoined terms, punctuation runs, hashtag
 *            words, URL and mention classes, prefix stemming everywhere)
 *   bit 1    0 = make the text valid UTF-8 first (every byte of a bad sequence -> '?'), as the
 *            readers guarantee; 1 = hand the raw bytes over (normalize.h promises that invalid
 *            UTF-8 becomes U+FFFD, and a library must not crash on a caller's bad bytes)
 *   bits 2-4 the language hint: identify, ru, uk, bg, en, de, "und", or one with no stemmer
 *   bits 5-6 the target: none, or party 0, 1, 2
 *   bit 7    the text starts with an alias line "PATTERN\n": it is added to a fresh party set
 *            (as a bundle's manifest would) and matched against the rest
 *
 * Besides memory errors and undefined behaviour it checks the contracts the rest of stance
 * relies on, and aborts when one breaks:
 *   - on valid UTF-8 input, the normalized text and every term are valid UTF-8 (terms become
 *     lines of vocab.tsv and JSON strings in --explain), and no term is empty or holds a tab,
 *     a newline or a NUL (vocab.tsv is one "term<TAB>idf" per line);
 *   - sentence spans lie inside the text, in order, do not overlap and are not empty, and on
 *     valid input each starts and ends on a character boundary (evidence quotes them);
 *   - the same text gives the same terms twice (prediction must reproduce training), and
 *     party counts never go negative.
 */
#include "extract.h"
#include "langid.h"
#include "parties.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 sequence at s[0..n); returns its length, or 0 when it is not valid
 * (overlong, surrogate, over U+10FFFF, truncated, stray continuation byte). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t k;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        k = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        k = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        k = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (k > n)
        return 0;
    for (size_t j = 1; j < k; j++) {
        if ((s[j] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[j] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return k;
}

static int valid_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(u + i, n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

static int is_boundary(const char *s, size_t len, size_t at)
{
    return at == len || ((unsigned char)s[at] & 0xC0) != 0x80;
}

/* Replaces each byte of an invalid sequence by '?' in place (NUL stays: the readers refuse
 * it, but the extractor takes a length and must cope). */
static void make_valid(char *s, size_t n)
{
    unsigned char *u = (unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(u + i, n - i);
        if (!k) {
            u[i++] = '?';
            continue;
        }
        i += k;
    }
}

typedef struct fuzz_state {
    parties *parties;
    features_extractor *plain, *busy;
    term_list terms, again;
    text_span *spans;
    size_t spans_cap;
} fuzz_state;

static fuzz_state *state(void)
{
    static fuzz_state st;
    static int ready;
    if (ready)
        return &st;
    stance_error err = {0, {0}};
    st.parties = parties_new();
    static const char *const aliases[][2] = {
        {"russia", "росси*"},   {"russia", "moscow"},   {"russia", "кремл*"},
        {"ukraine", "україн*"}, {"ukraine", "kyiv"},    {"ukraine", "верховн* рад*"},
        {"usa", "white house"}, {"usa", "washington*"}, {"usa", "сша"},
    };
    for (size_t i = 0; st.parties && i < sizeof aliases / sizeof aliases[0]; i++)
        if (parties_add_alias(st.parties, aliases[i][0], aliases[i][1], &err) < 0)
            abort();
    features_config plain, busy;
    features_config_default(&plain);
    features_config_default(&busy);
    busy.word_ngram_max = 3;
    busy.char_ngram_min = 1;
    busy.char_ngram_max = 8;
    busy.target_conjoin = 1;
    busy.negation = 10;
    busy.punct_tokens = 1;  /* punctuation runs between, before and inside mentions */
    busy.hashtag_split = 1; /* hashtag words, with and without a matching token */
    busy.link_classes = 1;
    snprintf(busy.stemming, sizeof busy.stemming, "%s", "en=snowball:english,*=prefix:3");
    st.plain = st.parties ? features_extractor_new(&plain, st.parties, &err) : NULL;
    st.busy = st.plain ? features_extractor_new(&busy, st.parties, &err) : NULL;
    if (!st.busy)
        abort(); /* the fixed set-up must work: nothing to fuzz otherwise */
    ready = 1;
    return &st;
}

static void check_terms(const term_list *t, int text_valid)
{
    for (size_t i = 0; i < t->count; i++) {
        const char *s = term_list_get(t, i);
        size_t n = strlen(s);
        if (n == 0 || memchr(s, '\t', n) || memchr(s, '\n', n) || memchr(s, '\r', n))
            abort();
        if (t->offsets[i] + n + 1 > t->len)
            abort();
        if (text_valid && !valid_utf8(s, n))
            abort();
    }
}

static int same_terms(const term_list *a, const term_list *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(term_list_get(a, i), term_list_get(b, i)) != 0)
            return 0;
    return 1;
}

/* One extraction pass of everything the scorer and the trainer call. */
static void run(features_extractor *ex, fuzz_state *st, const parties *ps, const char *text,
                size_t len, int text_valid, const char *lang, int target)
{
    stance_error err = {0, {0}};
    size_t nlen = 0;
    char *norm = features_normalize(ex, text, len, &nlen, &err);
    if (norm) {
        if (strlen(norm) != nlen && memchr(text, '\0', len) == NULL)
            abort();
        if (text_valid && !valid_utf8(norm, nlen))
            abort();
        free(norm);
    }

    const char *target_name = target >= 0 ? parties_name(ps, (size_t)target) : NULL;
    term_list_clear(&st->terms);
    if (features_terms(ex, text, len, lang, target, target_name, &st->terms, &err) == 0) {
        check_terms(&st->terms, text_valid);
        const char *decided = features_last_lang(ex);
        if (!decided || !*decided)
            abort();
        /* determinism: a second pass with the language the first one decided */
        term_list_clear(&st->again);
        char first_lang[8];
        snprintf(first_lang, sizeof first_lang, "%s", decided);
        if (features_terms(ex, text, len, lang ? lang : first_lang, target, target_name, &st->again,
                           &err) != 0 ||
            !same_terms(&st->terms, &st->again))
            abort();
    }

    size_t count = 0;
    if (features_sentences(ex, text, len, &st->spans, &count, &st->spans_cap, &err) == 0) {
        size_t prev = 0;
        for (size_t i = 0; i < count; i++) {
            text_span sp = st->spans[i];
            if (sp.start >= sp.end || sp.end > len || sp.start < prev)
                abort();
            if (text_valid &&
                (!is_boundary(text, len, sp.start) || !is_boundary(text, len, sp.end)))
                abort();
            prev = sp.end;
        }
    }

    size_t np = parties_count(ps);
    long counts[16] = {0};
    if (np <= 16 && features_party_mentions(ex, text, len, counts, &err) == 0)
        for (size_t i = 0; i < np; i++)
            if (counts[i] < 0 || (size_t)counts[i] > len)
                abort();

    double conf = -1;
    const char *code = langid_detect_ex(text, len, 0, &conf);
    if (!code || !(conf >= 0 && conf <= 1))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 20))
        return 0;
    fuzz_state *st = state();
    unsigned mode = data[0];
    size_t len = size - 1;
    /* a private copy without a terminator, so reading past len is an ASan error */
    char *text = malloc(len ? len : 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, len);
    int text_valid = 0;
    if (!(mode & 2)) {
        make_valid(text, len);
        text_valid = 1;
    } else {
        text_valid = valid_utf8(text, len);
    }
    static const char *const langs[] = {NULL, "ru", "uk", "bg", "en", "de", "und", "tlh"};
    const char *lang = langs[(mode >> 2) & 7];
    int target = (int)((mode >> 5) & 3) - 1;
    features_extractor *ex = (mode & 1) ? st->busy : st->plain;

    if (mode & 0x80) {
        /* "PATTERN\nTEXT": a fresh party set with the pattern as an alias of party "x" */
        const char *nl = memchr(text, '\n', len);
        size_t plen = nl ? (size_t)(nl - text) : len;
        char *pattern = malloc(plen + 1);
        parties *ps = parties_new();
        if (pattern && ps) {
            memcpy(pattern, text, plen);
            pattern[plen] = '\0';
            stance_error err = {0, {0}};
            if (parties_add_alias(ps, "x", pattern, &err) >= 0) {
                features_config cfg;
                features_config_default(&cfg);
                features_extractor *fx = features_extractor_new(&cfg, ps, &err);
                if (fx) {
                    size_t off = nl ? plen + 1 : len;
                    run(fx, st, ps, text + off, len - off, text_valid, lang, target >= 0 ? 0 : -1);
                    features_extractor_free(fx);
                }
            } else if (err.code == 0 || !err.message[0]) {
                abort(); /* a refused alias must say why */
            }
        }
        free(pattern);
        parties_free(ps);
    } else {
        run(ex, st, st->parties, text, len, text_valid, lang, target);
    }
    free(text);
    return 0;
}
