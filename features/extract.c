#include "extract.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "langid.h"
#include "wordbreak.h"
#include "grow.h"
#include "hashtag.h"
#include "normalize.h"
#include "strmap.h"
#include "shortcopy.h"

#define MAX_LANG_STEMS 24
#define TOKEN_MAX_BYTES 256   /* longer "words" (base64, hashes) are cut: they carry nothing */
#define STEM_CACHE_MAX 400000 /* entries; past it the cache stops growing (memory stays flat) */

enum { STEM_NONE = 0, STEM_SNOWBALL, STEM_PREFIX };

enum {
    TOK_NUMBER = 1, /* ICU said number: emitted as the class "0" */
    TOK_BREAK = 2,  /* sentence punctuation or a line break before it: n-grams restart */
    TOK_CLAUSE = 4, /* a comma or similar before it: negation scope ends */
    TOK_MASKED = 8, /* part of a party mention */
    TOK_PUNCT = 16, /* a run of punctuation or symbols (punct_tokens) */
    TOK_CLASS = 32, /* "<url>" or "<@>" (link_classes): a unit as it is, never stemmed */
    TOK_PART = 64   /* a word of the hashtag before it (hashtag_split): no char n-grams, the
                       hashtag's own already spell it */
};

typedef struct lang_stem {
    char lang[8]; /* "ru", "*" = every other language */
    int method;
    int prefix_len;     /* STEM_PREFIX: code points kept */
    char algorithm[32]; /* STEM_SNOWBALL: libstemmer name */
    struct sb_stemmer *sb;
} lang_stem;

/* A growable array of NUL-terminated strings in one buffer (tokens, units). */
typedef struct strvec {
    char *buf;
    size_t len, cap;
    size_t *off;
    unsigned char *flags;
    size_t count, off_cap;
} strvec;

struct features_extractor {
    features_config cfg;
    const parties *parties;
    lang_stem stems[MAX_LANG_STEMS];
    size_t nstems;
    normalize_buffers nb;
    UBreakIterator *words;
    UBreakIterator *sentences;
    strvec tokens;        /* normalized surface words */
    strvec units;         /* what n-grams are made of: stems, "0", "<t>", "!stem" */
    strvec target_tokens; /* the target's own words (target_window > 0, target not a party) */
    strvec puncts;        /* punct_tokens: the runs split off tokens, before tokens[punct_pos] */
    size_t *punct_pos;
    size_t punct_pos_cap;
    /* hashtag_split: the hashtags of the text being tokenized, in order. keys holds each one's
     * normalized body (what its word token reads), parts the normalized words of all of them;
     * hashtag i's words are parts[part_first[i] .. part_first[i + 1]). */
    strvec hash_keys, hash_parts;
    size_t *part_first;
    size_t part_first_cap;
    size_t hash_next; /* the first key not yet met in the token stream */
    /* Tokens of the texts seen since features_cache_begin, keyed by (pointer, length): an
     * article's sentence is tokenized once for all tasks and parties, not once per use. */
    struct token_cache_entry {
        const char *text;
        size_t len;
        strvec tokens;
    } * cache;
    size_t cache_count, cache_cap;
    int32_t *cache_slots; /* open addressing over (text, len) -> entry index, -1 = empty */
    size_t cache_slots_cap;
    int cache_on;
    const char **tok_ptrs;
    size_t tok_ptrs_cap;
    char *scratch; /* n-gram assembly */
    size_t scratch_cap;
    char *conj; /* conjoined-term assembly */
    size_t conj_cap;
    strmap *stem_cache; /* (lang slot byte + word) -> offset in stem_arena */
    char *stem_arena;
    size_t stem_arena_len, stem_arena_cap;
    char last_lang[8];
};

/* The stemming defaults are measured (README, "Stemming"): on the corpus's train split a
 * five-letter prefix beat Snowball's Russian stemmer for ru, no stemming and the Russian
 * stemmer for uk and bg; Porter beat no stemming for en. */
void features_config_default(features_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->word_ngram_max = 2;
    cfg->char_ngram_min = 0;
    cfg->char_ngram_max = 0;
    cfg->negation = 3;
    cfg->target_mask = 1;
    cfg->target_conjoin = 0;
    cfg->min_df = 2;
    cfg->max_features = 0;
    cfg->sublinear_tf = 1;
    snprintf(cfg->stemming, sizeof cfg->stemming, "%s",
             "ru=prefix:5,uk=prefix:5,bg=prefix:5,en=snowball:porter,"
             "de=snowball:german,fr=snowball:french,es=snowball:spanish,*=none");
}

/* Parses "lang=method,..." into stems[]; opens Snowball stemmers only when open_stemmers. */
static int parse_stemming(const char *spec, lang_stem *stems, size_t *nstems, int open_stemmers,
                          stance_error *err)
{
    *nstems = 0;
    const char *s = spec;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char item[96];
        if (n == 0 || n >= sizeof item)
            return stance_error_set(err, STANCE_ERR_USAGE, "stemming: bad entry near \"%.20s\"", s);
        memcpy(item, s, n);
        item[n] = '\0';
        char *eq = strchr(item, '=');
        if (!eq || eq == item || (size_t)(eq - item) >= sizeof stems->lang)
            return stance_error_set(err, STANCE_ERR_USAGE, "stemming: \"%s\" is not lang=method",
                                    item);
        if (*nstems == MAX_LANG_STEMS)
            return stance_error_set(err, STANCE_ERR_USAGE, "stemming: over %d languages",
                                    MAX_LANG_STEMS);
        lang_stem *ls = &stems[(*nstems)++];
        memset(ls, 0, sizeof *ls);
        *eq = '\0';
        memcpy(ls->lang, item, (size_t)(eq - item) + 1);
        const char *m = eq + 1;
        if (strcmp(m, "none") == 0) {
            ls->method = STEM_NONE;
        } else if (strncmp(m, "prefix:", 7) == 0) {
            char *end = NULL;
            long k = strtol(m + 7, &end, 10);
            if (!end || *end || k < 1 || k > 32)
                return stance_error_set(err, STANCE_ERR_USAGE,
                                        "stemming: prefix length in \"%s\" must be 1..32", m);
            ls->method = STEM_PREFIX;
            ls->prefix_len = (int)k;
        } else if (strncmp(m, "snowball:", 9) == 0 && strlen(m + 9) < sizeof ls->algorithm) {
            ls->method = STEM_SNOWBALL;
            snprintf(ls->algorithm, sizeof ls->algorithm, "%s", m + 9);
            if (open_stemmers) {
                ls->sb = sb_stemmer_new(ls->algorithm, "UTF_8");
                if (!ls->sb)
                    return stance_error_set(err, STANCE_ERR_USAGE,
                                            "stemming: libstemmer has no \"%s\" stemmer",
                                            ls->algorithm);
            }
        } else {
            return stance_error_set(err, STANCE_ERR_USAGE,
                                    "stemming: unknown method \"%s\" (none, prefix:N, "
                                    "snowball:NAME)",
                                    m);
        }
        s += n;
        if (*s == ',')
            s++;
    }
    return 0;
}

int features_config_validate(const features_config *cfg, stance_error *err)
{
    if (cfg->word_ngram_max < 1 || cfg->word_ngram_max > 3)
        return stance_error_set(err, STANCE_ERR_USAGE, "word n-grams must be 1 to 3, not %d",
                                cfg->word_ngram_max);
    if (cfg->char_ngram_min < 0 || cfg->char_ngram_max > 8 ||
        (cfg->char_ngram_min > 0 && cfg->char_ngram_max < cfg->char_ngram_min) ||
        (cfg->char_ngram_min == 0 && cfg->char_ngram_max != 0))
        return stance_error_set(err, STANCE_ERR_USAGE, "character n-grams %d..%d are not valid",
                                cfg->char_ngram_min, cfg->char_ngram_max);
    if (cfg->negation < 0 || cfg->negation > 10)
        return stance_error_set(err, STANCE_ERR_USAGE, "negation scope must be 0 to 10");
    if (cfg->target_window < 0 || cfg->target_window > 20)
        return stance_error_set(err, STANCE_ERR_USAGE, "target window must be 0 to 20");
    if (cfg->nb_weighting != 0 && cfg->nb_weighting != 1)
        return stance_error_set(err, STANCE_ERR_USAGE, "nb_weighting must be 0 or 1");
    if (cfg->block_norm != 0 && cfg->block_norm != 1)
        return stance_error_set(err, STANCE_ERR_USAGE, "block_norm must be 0 or 1");
    if (cfg->punct_tokens != 0 && cfg->punct_tokens != 1)
        return stance_error_set(err, STANCE_ERR_USAGE, "punct_tokens must be 0 or 1");
    if (cfg->hashtag_split != 0 && cfg->hashtag_split != 1)
        return stance_error_set(err, STANCE_ERR_USAGE, "hashtag_split must be 0 or 1");
    if (cfg->link_classes != 0 && cfg->link_classes != 1)
        return stance_error_set(err, STANCE_ERR_USAGE, "link_classes must be 0 or 1");
    if (cfg->min_df < 1 || cfg->max_features < 0)
        return stance_error_set(err, STANCE_ERR_USAGE, "min_df must be >= 1, max_features >= 0");
    if (memchr(cfg->stemming, '\0', sizeof cfg->stemming) == NULL)
        return stance_error_set(err, STANCE_ERR_USAGE, "stemming spec is not terminated");
    lang_stem tmp[MAX_LANG_STEMS];
    size_t n;
    return parse_stemming(cfg->stemming, tmp, &n, 0, err);
}

/* ---- small buffers ---------------------------------------------------------------------- */

static int reserve(char **buf, size_t *cap, size_t need)
{
    /* the room is nearly always there already: no call for it (this runs for every term) */
    return need <= *cap ? 0 : stance_grow((void **)buf, cap, need, 1);
}

/* Adds the n bytes already written at v->buf + v->len (the caller reserved n + 1) as an entry. */
static int strvec_commit(strvec *v, size_t n, unsigned char flags)
{
    if (v->count == v->off_cap) {
        size_t ncap = v->off_cap ? v->off_cap * 2 : 64;
        size_t *no = realloc(v->off, ncap * sizeof *no);
        if (!no)
            return -1;
        v->off = no;
        unsigned char *nf = realloc(v->flags, ncap);
        if (!nf)
            return -1;
        v->flags = nf;
        v->off_cap = ncap;
    }
    v->buf[v->len + n] = '\0';
    v->off[v->count] = v->len;
    v->flags[v->count] = flags;
    v->count++;
    v->len += n + 1;
    return 0;
}

static int strvec_push(strvec *v, const char *s, size_t n, unsigned char flags)
{
    if (reserve(&v->buf, &v->cap, v->len + n + 1) != 0)
        return -1;
    copy_short(v->buf + v->len, s, n);
    return strvec_commit(v, n, flags);
}

static void strvec_free(strvec *v)
{
    free(v->buf);
    free(v->off);
    free(v->flags);
    memset(v, 0, sizeof *v);
}

#define STRVEC_GET(v, i) ((v)->buf + (v)->off[i])
/* Bytes of entry i without its NUL, for a vector filled by strvec_push alone (entries back to
 * back; split_puncts leaves gaps in ex->tokens, so not there). */
#define STRVEC_LEN(v, i) (((i) + 1 < (v)->count ? (v)->off[(i) + 1] : (v)->len) - (v)->off[i] - 1)

void term_list_clear(term_list *t)
{
    t->len = 0;
    t->count = 0;
}

void term_list_free(term_list *t)
{
    free(t->buf);
    free(t->offsets);
    memset(t, 0, sizeof *t);
}

static int term_push(term_list *t, const char *s, size_t n)
{
    if (reserve(&t->buf, &t->cap, t->len + n + 1) != 0)
        return -1;
    if (t->count == t->offsets_cap) {
        size_t ncap = t->offsets_cap ? t->offsets_cap * 2 : 128;
        size_t *no = realloc(t->offsets, ncap * sizeof *no);
        if (!no)
            return -1;
        t->offsets = no;
        t->offsets_cap = ncap;
    }
    copy_short(t->buf + t->len, s, n);
    t->buf[t->len + n] = '\0';
    t->offsets[t->count++] = t->len;
    t->len += n + 1;
    return 0;
}

/* Appends the n-gram of units u[first..last] joined by spaces. The units lie back to back in
 * u's buffer, each followed by its NUL, so the n-gram is that span with the inner NULs made
 * spaces: one copy, where joining unit by unit in a scratch buffer and copying that again
 * cost two. */
static int term_push_ngram(term_list *t, const strvec *u, size_t first, size_t last)
{
    size_t start = u->off[first], n = u->off[last] + STRVEC_LEN(u, last) - start;
    if (term_push(t, u->buf + start, n) != 0)
        return -1;
    char *at = t->buf + t->offsets[t->count - 1];
    for (size_t j = first + 1; j <= last; j++)
        at[u->off[j] - start - 1] = ' ';
    return 0;
}

/* ---- extractor life cycle --------------------------------------------------------------- */

features_extractor *features_extractor_new(const features_config *cfg, const parties *p,
                                           stance_error *err)
{
    if (features_config_validate(cfg, err) != 0)
        return NULL;
    features_extractor *ex = calloc(1, sizeof *ex);
    if (!ex) {
        stance_error_set(err, STANCE_ERR_NOMEM, "out of memory creating feature extractor");
        return NULL;
    }
    ex->cfg = *cfg;
    ex->parties = p;
    if (parse_stemming(cfg->stemming, ex->stems, &ex->nstems, 1, err) != 0)
        goto fail;
    UErrorCode st = U_ZERO_ERROR;
    ex->words = ubrk_open(UBRK_WORD, "", NULL, 0, &st);
    if (U_FAILURE(st)) {
        stance_error_set(err, STANCE_ERR_DATA, "ICU word iterator: %s", u_errorName(st));
        goto fail;
    }
    /* "ss=standard" turns on ICU's abbreviation suppressions ("U.S.", "Mr.") for English. */
    ex->sentences = ubrk_open(UBRK_SENTENCE, "en@ss=standard", NULL, 0, &st);
    if (U_FAILURE(st)) {
        st = U_ZERO_ERROR;
        ex->sentences = ubrk_open(UBRK_SENTENCE, "", NULL, 0, &st);
    }
    if (U_FAILURE(st)) {
        stance_error_set(err, STANCE_ERR_DATA, "ICU sentence iterator: %s", u_errorName(st));
        goto fail;
    }
    ex->stem_cache = strmap_new(4096);
    if (!ex->stem_cache) {
        stance_error_set(err, STANCE_ERR_NOMEM, "out of memory creating feature extractor");
        goto fail;
    }
    snprintf(ex->last_lang, sizeof ex->last_lang, "und");
    return ex;
fail:
    features_extractor_free(ex);
    return NULL;
}

void features_extractor_free(features_extractor *ex)
{
    if (!ex)
        return;
    for (size_t i = 0; i < ex->nstems; i++)
        if (ex->stems[i].sb)
            sb_stemmer_delete(ex->stems[i].sb);
    normalize_buffers_free(&ex->nb);
    if (ex->words)
        ubrk_close(ex->words);
    if (ex->sentences)
        ubrk_close(ex->sentences);
    strvec_free(&ex->tokens);
    strvec_free(&ex->units);
    strvec_free(&ex->target_tokens);
    strvec_free(&ex->puncts);
    free(ex->punct_pos);
    strvec_free(&ex->hash_keys);
    strvec_free(&ex->hash_parts);
    free(ex->part_first);
    for (size_t i = 0; i < ex->cache_cap; i++)
        strvec_free(&ex->cache[i].tokens);
    free(ex->cache);
    free(ex->cache_slots);
    free(ex->tok_ptrs);
    free(ex->scratch);
    free(ex->conj);
    strmap_free(ex->stem_cache);
    free(ex->stem_arena);
    free(ex);
}

const char *features_last_lang(const features_extractor *ex)
{
    return ex->last_lang;
}

/* ---- normalization and segmentation ----------------------------------------------------- */

char *features_normalize(features_extractor *ex, const char *text, size_t len, size_t *out_len,
                         stance_error *err)
{
    (void)ex;
    return normalize_utf8(text, len, out_len, err);
}

static int is_break_char(UChar c)
{
    switch (c) {
    case '.':
    case '!':
    case '?':
    case ';':
    case ':':
    case '\n':
    case '\r':
    case 0x2026: /* … */
    case 0x2029: /* paragraph separator */
        return TOK_BREAK | TOK_CLAUSE;
    case ',':
    case 0x2014:
    case 0x2013:
    case '(':
    case ')':
    case '"':
    case 0x00AB:
    case 0x00BB:
    case 0x201C:
    case 0x201D:
    case 0x201E:
        return TOK_CLAUSE;
    default:
        return 0;
    }
}

/* A run of punctuation and symbol characters being collected (punct_tokens). */
typedef struct punct_run {
    char buf[FEATURES_PUNCT_MAX * 4 + 4];
    size_t n;     /* bytes */
    int cps;      /* code points kept */
    UChar32 last; /* the last code point seen, and how often it occurred in a row */
    int repeats;
    unsigned char flags; /* the break flags pending where the run started */
} punct_run;

/* Adds c to the run: a character repeated more than 3 times in a row counts 3 times ("!!!!!"
 * reads as "!!!", ":))))" as ":)))"), so emphasis of any strength is one feature with few
 * variants; past FEATURES_PUNCT_MAX code points the rest of a run (ASCII art, "-----=====")
 * is dropped. Variation selectors and joiners are skipped ("❤️" = "❤"). */
static void punct_run_add(punct_run *r, UChar32 c, unsigned char pending)
{
    if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
        return;
    if (r->n == 0) {
        r->flags = pending;
        r->last = -1;
        r->repeats = 0;
    }
    if (c == r->last) {
        if (++r->repeats > 3)
            return;
    } else {
        r->last = c;
        r->repeats = 1;
    }
    if (r->cps >= FEATURES_PUNCT_MAX)
        return;
    UBool bad = 0;
    size_t n = r->n;
    U8_APPEND((uint8_t *)r->buf, n, (int32_t)sizeof r->buf, c, bad);
    if (bad)
        return;
    r->n = n;
    r->cps++;
}

/* Ends the run: it becomes a token flagged TOK_PUNCT. The pending flags stay for the next
 * word, so the words' flags (negation scope, n-gram windows) are the same as without runs. */
static int punct_run_flush(features_extractor *ex, punct_run *r)
{
    if (r->n == 0)
        return 0;
    int rc = strvec_push(&ex->tokens, r->buf, r->n, (unsigned char)(r->flags | TOK_PUNCT));
    r->n = 0;
    r->cps = 0;
    return rc;
}

/* Pushes the normalized form of s[0..n) onto v (nothing when it normalizes to nothing). */
static int push_normalized(strvec *v, const char *s, size_t n, unsigned char flags,
                           stance_error *err)
{
    size_t nn;
    char *norm = normalize_utf8(s, n, &nn, err);
    if (!norm)
        return err ? err->code : STANCE_ERR_NOMEM;
    int rc = nn == 0 || strvec_push(v, norm, nn, flags) == 0
                 ? 0
                 : stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
    free(norm);
    return rc;
}

/* hashtag_split: finds the hashtags of the raw text (whose capitals still show where their
 * words meet) and keeps, for each, its normalized body and its normalized words; a hashtag
 * of one word keeps no words. tokenize_uncached hands them out as it meets the hashtags. */
static int hashtags_collect(features_extractor *ex, const char *text, size_t len, stance_error *err)
{
    ex->hash_keys.count = ex->hash_keys.len = 0;
    ex->hash_parts.count = ex->hash_parts.len = 0;
    ex->hash_next = 0;
    size_t pos = 0, body, body_len;
    while (hashtag_next(text, len, &pos, &body, &body_len)) {
        if (stance_grow((void **)&ex->part_first, &ex->part_first_cap, ex->hash_keys.count + 2,
                        sizeof *ex->part_first) != 0)
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
        size_t before = ex->hash_keys.count;
        int rc = push_normalized(&ex->hash_keys, text + body, body_len, 0, err);
        if (rc)
            return rc;
        if (ex->hash_keys.count == before)
            continue; /* a body of ignorables only: no token will read it */
        ex->part_first[before] = ex->hash_parts.count;
        hashtag_part parts[HASHTAG_MAX_PARTS];
        size_t nparts = hashtag_split(text + body, body_len, parts);
        for (size_t i = 0; nparts > 1 && i < nparts; i++) {
            if (parts[i].is_number)
                rc = strvec_push(&ex->hash_parts, "0", 1, TOK_NUMBER | TOK_PART) == 0
                         ? 0
                         : stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
            else
                rc = push_normalized(&ex->hash_parts, text + body + parts[i].off, parts[i].len,
                                     TOK_PART, err);
            if (rc)
                return rc;
        }
        ex->part_first[before + 1] = ex->hash_parts.count;
    }
    return 0;
}

/* A word token tok[0..n) followed a '#': the index of the hashtag it reads as, the next one
 * met in the raw text or a later one (a body ICU cut differently is passed over), or -1. */
static long hashtag_find(features_extractor *ex, const char *tok, size_t n)
{
    const strvec *k = &ex->hash_keys;
    for (size_t j = ex->hash_next; j < k->count; j++) {
        if (STRVEC_LEN(k, j) == n && memcmp(STRVEC_GET(k, j), tok, n) == 0) {
            ex->hash_next = j + 1;
            return (long)j;
        }
    }
    return -1;
}

/* Appends hashtag j's words (none for a one-word hashtag) to the token list. */
static int hashtag_push_parts(features_extractor *ex, long j)
{
    if (j < 0)
        return 0;
    for (size_t p = ex->part_first[j]; p < ex->part_first[j + 1]; p++)
        if (strvec_push(&ex->tokens, STRVEC_GET(&ex->hash_parts, p), STRVEC_LEN(&ex->hash_parts, p),
                        ex->hash_parts.flags[p]) != 0)
            return -1;
    return 0;
}

/* link_classes: code units of the URL starting at s (up to the next white space), or 0 when
 * s starts none. The text is case folded already. */
static int32_t url_length(const UChar *s, int32_t n)
{
    static const char *const schemes[] = {"http://", "https://", "www."};
    for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++) {
        int32_t m = (int32_t)strlen(schemes[k]), i = 0;
        while (i < m && i < n && s[i] == (UChar)schemes[k][i])
            i++;
        if (i < m)
            continue;
        while (i < n && !u_isUWhiteSpace(s[i]))
            i++;
        return i;
    }
    return 0;
}

/* Normalizes text and splits it into word tokens (ex->tokens) with their flags; with
 * punct_tokens, the runs of punctuation between them too (flagged TOK_PUNCT); with
 * hashtag_split, a hashtag's words after its token (TOK_PART); with link_classes, "<url>" and
 * "<@>" for URLs and mentions (TOK_CLASS). */
static int tokenize_uncached(features_extractor *ex, const char *text, size_t len,
                             stance_error *err)
{
    ex->tokens.count = 0;
    ex->tokens.len = 0;
    int rc;
    if (ex->cfg.hashtag_split && (rc = hashtags_collect(ex, text, len, err)) != 0)
        return rc;
    rc = normalize_utf16(text, len, &ex->nb, err);
    if (rc)
        return rc;
    /* Texts of common characters are segmented by wordbreak.c (ICU's cuts, without its
     * iterator's cost); the rest by ICU. */
    const UChar *text16 = ex->nb.dst;
    int32_t len16 = ex->nb.dst_len;
    int fast = wordbreak_supported(text16, len16);
    if (!fast) {
        UErrorCode st = U_ZERO_ERROR;
        ubrk_setText(ex->words, text16, len16, &st);
        if (U_FAILURE(st))
            return stance_error_set(err, STANCE_ERR_DATA, "ICU word segmentation: %s",
                                    u_errorName(st));
        ubrk_first(ex->words);
    }
    unsigned char pending = 0;
    int punct = ex->cfg.punct_tokens;
    punct_run run = {.n = 0};
    int32_t url_end = 0; /* link_classes: the segments before it are part of a URL */
    for (int32_t start = 0, end, status; start < len16; start = end) {
        if (fast) {
            end = wordbreak_next(text16, len16, start, &status);
        } else {
            if ((end = ubrk_next(ex->words)) == UBRK_DONE)
                break;
            status = ubrk_getRuleStatus(ex->words);
        }
        if (start < url_end)
            continue; /* its dots and slashes break no sentence either */
        if (status < UBRK_WORD_NUMBER) {
            for (int32_t i = start; i < end; i++) {
                if (punct) {
                    UChar32 c = ex->nb.dst[i];
                    if (U16_IS_LEAD(c) && i + 1 < end && U16_IS_TRAIL(ex->nb.dst[i + 1]))
                        c = U16_GET_SUPPLEMENTARY(c, ex->nb.dst[i + 1]);
                    if (u_isUWhiteSpace(c) || u_iscntrl(c)) {
                        if (punct_run_flush(ex, &run) != 0)
                            return stance_error_set(err, STANCE_ERR_NOMEM,
                                                    "out of memory tokenizing");
                    } else if (!U16_IS_SURROGATE(c)) {
                        punct_run_add(&run, c, pending);
                    }
                }
                /* a surrogate's code units are no break characters, as without runs */
                pending |= (unsigned char)is_break_char(ex->nb.dst[i]);
            }
            continue;
        }
        if (punct && punct_run_flush(ex, &run) != 0)
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
        unsigned char flags = pending;
        pending = 0;
        if (ex->cfg.link_classes && (url_end = url_length(text16 + start, len16 - start)) > 0) {
            url_end += start;
            if (strvec_push(&ex->tokens, "<url>", 5, flags | TOK_CLASS) != 0)
                return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
            continue;
        }
        int after_hash = ex->cfg.hashtag_split && start > 0 && text16[start - 1] == '#';
        if (status < UBRK_WORD_NUMBER_LIMIT && !after_hash) {
            if (strvec_push(&ex->tokens, "0", 1, flags | TOK_NUMBER) != 0)
                return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
            continue;
        }
        /* UTF-16 -> UTF-8 by hand, straight into the token list: the segment is short and
         * u_strToUTF8 per token is slower. */
        strvec *tv = &ex->tokens;
        if (reserve(&tv->buf, &tv->cap, tv->len + TOKEN_MAX_BYTES + 1) != 0)
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
        char *tok = tv->buf + tv->len;
        size_t n = 0;
        const UChar *u16 = ex->nb.dst;
        for (int32_t i = start; i < end && n + 4 <= TOKEN_MAX_BYTES; i++) {
            UChar32 c = u16[i];
            if (c < 0x80) { /* most letters of a token take one of these two */
                tok[n++] = (char)c;
                continue;
            }
            if (c < 0x800) {
                tok[n++] = (char)(0xC0 | (c >> 6));
                tok[n++] = (char)(0x80 | (c & 0x3F));
                continue;
            }
            if (U16_IS_LEAD(c) && i + 1 < end && U16_IS_TRAIL(u16[i + 1]))
                c = U16_GET_SUPPLEMENTARY(c, u16[++i]);
            else if (U16_IS_SURROGATE(c))
                c = 0xFFFD;
            UBool bad = 0; /* cannot happen: c is a scalar value and 4 bytes are free */
            U8_APPEND((uint8_t *)tok, n, TOKEN_MAX_BYTES, c, bad);
            if (bad)
                break;
        }
        if (n == 0 && status >= UBRK_WORD_NUMBER_LIMIT)
            continue;
        long hashtag = after_hash ? hashtag_find(ex, tok, n) : -1;
        if (status < UBRK_WORD_NUMBER_LIMIT) { /* "#2023", "#Summit2023": still the class */
            tok[0] = '0';
            n = 1;
            flags |= TOK_NUMBER;
        } else if (ex->cfg.link_classes && tok[0] == '@' && n > 1) {
            memcpy(tok, "<@>", 3); /* ICU keeps "@handle" one word */
            n = 3;
            flags |= TOK_CLASS;
        }
        if (strvec_commit(tv, n, flags) != 0 || hashtag_push_parts(ex, hashtag) != 0)
            return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
    }
    if (punct && punct_run_flush(ex, &run) != 0)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
    return 0;
}

/* Moves the punctuation runs out of ex->tokens into ex->puncts (each remembering the word
 * it precedes), so that party mentions, target words and negation see the words alone. */
static int split_puncts(features_extractor *ex)
{
    ex->puncts.count = 0;
    ex->puncts.len = 0;
    if (!ex->cfg.punct_tokens)
        return 0;
    strvec *t = &ex->tokens;
    size_t words = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (!(t->flags[i] & TOK_PUNCT)) {
            t->off[words] = t->off[i];
            t->flags[words] = t->flags[i];
            words++;
            continue;
        }
        const char *s = STRVEC_GET(t, i);
        if (strvec_push(&ex->puncts, s, strlen(s), t->flags[i]) != 0)
            return -1;
        if (stance_grow((void **)&ex->punct_pos, &ex->punct_pos_cap, ex->puncts.count,
                        sizeof *ex->punct_pos) != 0)
            return -1;
        ex->punct_pos[ex->puncts.count - 1] = words;
    }
    t->count = words;
    return 0;
}

static int strvec_copy(strvec *dst, const strvec *src)
{
    /* need >= 1, so a fresh dst's buffer is allocated here; the NULL test states it for the
     * static analyzer, which lets src->len + 1 wrap to 0 (kept out of reserve, a per-term path) */
    if (reserve(&dst->buf, &dst->cap, src->len + 1) != 0 || !dst->buf)
        return -1;
    if (dst->off_cap < src->count) {
        size_t *no = realloc(dst->off, (src->count + 1) * sizeof *no);
        if (!no)
            return -1;
        dst->off = no;
        unsigned char *nf = realloc(dst->flags, src->count + 1);
        if (!nf)
            return -1;
        dst->flags = nf;
        dst->off_cap = src->count + 1;
    }
    if (src->len)
        memcpy(dst->buf, src->buf, src->len);
    if (src->count) {
        memcpy(dst->off, src->off, src->count * sizeof *src->off);
        memcpy(dst->flags, src->flags, src->count);
    }
    dst->len = src->len;
    dst->count = src->count;
    return 0;
}

void features_cache_begin(features_extractor *ex)
{
    ex->cache_on = 1;
    ex->cache_count = 0; /* entries keep their memory for the next text */
    if (ex->cache_slots)
        memset(ex->cache_slots, 0xff, ex->cache_slots_cap * sizeof *ex->cache_slots);
}

void features_cache_end(features_extractor *ex)
{
    ex->cache_on = 0;
    ex->cache_count = 0;
}

static size_t cache_slot(const features_extractor *ex, const char *text, size_t len)
{
    uint64_t h = (uint64_t)(uintptr_t)text * 0x9e3779b97f4a7c15ULL ^ (uint64_t)len;
    h ^= h >> 29;
    size_t mask = ex->cache_slots_cap - 1, i = (size_t)h & mask;
    while (ex->cache_slots[i] >= 0) {
        const struct token_cache_entry *e = &ex->cache[ex->cache_slots[i]];
        if (e->text == text && e->len == len)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

/* Keeps the slot table at most half full; returns -1 when out of memory. */
static int cache_rehash(features_extractor *ex)
{
    if (ex->cache_slots && (ex->cache_count + 1) * 2 <= ex->cache_slots_cap)
        return 0;
    size_t ncap = ex->cache_slots_cap ? ex->cache_slots_cap * 2 : 64;
    int32_t *n = malloc(ncap * sizeof *n);
    if (!n)
        return -1;
    free(ex->cache_slots);
    ex->cache_slots = n;
    ex->cache_slots_cap = ncap;
    memset(n, 0xff, ncap * sizeof *n);
    for (size_t i = 0; i < ex->cache_count; i++)
        n[cache_slot(ex, ex->cache[i].text, ex->cache[i].len)] = (int32_t)i;
    return 0;
}

/* Normalizes text and splits it into word tokens (ex->tokens), from the cache when on. */
static int tokenize(features_extractor *ex, const char *text, size_t len, stance_error *err)
{
    if (!ex->cache_on)
        return tokenize_uncached(ex, text, len, err);
    if (ex->cache_count < INT32_MAX && cache_rehash(ex) == 0) {
        size_t slot = cache_slot(ex, text, len);
        if (ex->cache_slots[slot] >= 0)
            return strvec_copy(&ex->tokens, &ex->cache[ex->cache_slots[slot]].tokens) == 0
                       ? 0
                       : stance_error_set(err, STANCE_ERR_NOMEM, "out of memory tokenizing");
    }
    int rc = tokenize_uncached(ex, text, len, err);
    if (rc || ex->cache_count >= INT32_MAX || cache_rehash(ex) != 0)
        return rc; /* no room to remember: still correct, only slower */
    if (ex->cache_count == ex->cache_cap) {
        size_t ncap = ex->cache_cap ? ex->cache_cap * 2 : 32;
        struct token_cache_entry *n = realloc(ex->cache, ncap * sizeof *n);
        if (!n)
            return 0;
        memset(n + ex->cache_cap, 0, (ncap - ex->cache_cap) * sizeof *n);
        ex->cache = n;
        ex->cache_cap = ncap;
    }
    struct token_cache_entry *e = &ex->cache[ex->cache_count];
    if (strvec_copy(&e->tokens, &ex->tokens) == 0) {
        e->text = text;
        e->len = len;
        ex->cache_slots[cache_slot(ex, text, len)] = (int32_t)ex->cache_count;
        ex->cache_count++;
    }
    return 0;
}

static int ensure_tok_ptrs(features_extractor *ex)
{
    if (ex->tok_ptrs_cap < ex->tokens.count) {
        size_t ncap = ex->tokens.count + 64;
        const char **n = realloc(ex->tok_ptrs, ncap * sizeof *n);
        if (!n)
            return -1;
        ex->tok_ptrs = n;
        ex->tok_ptrs_cap = ncap;
    }
    for (size_t i = 0; i < ex->tokens.count; i++)
        ex->tok_ptrs[i] = STRVEC_GET(&ex->tokens, i);
    return 0;
}

/* ---- stemming ---------------------------------------------------------------------------- */

static const lang_stem *stem_for(const features_extractor *ex, const char *lang, int *slot)
{
    const lang_stem *fallback = NULL;
    for (size_t i = 0; i < ex->nstems; i++) {
        if (strcmp(ex->stems[i].lang, lang) == 0) {
            *slot = (int)i;
            return &ex->stems[i];
        }
        if (strcmp(ex->stems[i].lang, "*") == 0) {
            fallback = &ex->stems[i];
            *slot = (int)i;
        }
    }
    return fallback;
}

/* Returns the stem of word (a pointer into ex's memory, valid until the next call). */
static const char *stem_word(features_extractor *ex, const lang_stem *ls, int slot,
                             const char *word, size_t n, size_t *out_n)
{
    if (!ls || ls->method == STEM_NONE) {
        *out_n = n;
        return word;
    }
    if (ls->method == STEM_PREFIX) {
        /* Tokens are valid UTF-8 (the tokenizer encodes them), so a character's length is
         * read off its lead byte; a word no longer in bytes than the prefix in characters is
         * its own prefix. */
        size_t i = 0;
        if (n > (size_t)ls->prefix_len) {
            for (int cps = 0; i < n && cps < ls->prefix_len; cps++) {
                unsigned char b = (unsigned char)word[i];
                i += b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
            }
            if (i > n)
                i = n;
        } else {
            i = n;
        }
        *out_n = i;
        return word;
    }
    /* Snowball: cache, because the same few thousand words make up most of any news text. */
    char key[TOKEN_MAX_BYTES + 2];
    key[0] = (char)('A' + slot);
    memcpy(key + 1, word, n);
    int64_t off = strmap_get(ex->stem_cache, key, n + 1);
    if (off >= 0) {
        const char *s = ex->stem_arena + off;
        *out_n = strlen(s);
        return s;
    }
    const sb_symbol *st = sb_stemmer_stem(ls->sb, (const sb_symbol *)word, (int)n);
    if (!st) {
        *out_n = n;
        return word;
    }
    size_t sn = (size_t)sb_stemmer_length(ls->sb);
    if (strmap_size(ex->stem_cache) < STEM_CACHE_MAX &&
        reserve(&ex->stem_arena, &ex->stem_arena_cap, ex->stem_arena_len + sn + 1) == 0) {
        size_t at = ex->stem_arena_len;
        memcpy(ex->stem_arena + at, st, sn);
        ex->stem_arena[at + sn] = '\0';
        if (strmap_upsert(ex->stem_cache, key, n + 1, (int64_t)at, NULL)) {
            ex->stem_arena_len += sn + 1;
            *out_n = sn;
            return ex->stem_arena + at;
        }
    }
    *out_n = sn;
    return (const char *)st;
}

/* Words after which the next few tokens are read as negated. w[0..n) is NUL-terminated. */
static int is_negation(const char *w, size_t n)
{
    if (n > 3 && memcmp(w + n - 3, "n't", 3) == 0)
        return 1;
    /* This runs for every token, and almost none is a negation: the words below all start
     * with c, n or w, or with а б н (UTF-8 D0 B0, D0 B1, D0 BD), so a first look at the
     * leading bytes spares the search for most tokens. */
    unsigned char b0 = (unsigned char)w[0], b1 = n > 1 ? (unsigned char)w[1] : 0;
    if (!(b0 == 'c' || b0 == 'n' || b0 == 'w' ||
          (b0 == 0xD0 && (b1 == 0xB0 || b1 == 0xB1 || b1 == 0xBD))))
        return 0;
    /* in byte order, for the binary search */
    static const char *const words[] = {"cannot",    "never", "no",  "nor",    "not",
                                        "without",   "ані",   "без", "не",     "невозможно",
                                        "неможливо", "нет",   "ни",  "никога", "никогда",
                                        "нито",      "няма",  "ні",  "ніколи"};
    size_t lo = 0, hi = sizeof words / sizeof *words;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(w, words[mid]);
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/* ---- terms -------------------------------------------------------------------------------- */

static int emit(features_extractor *ex, term_list *out, const char *s, size_t n,
                const char *target_name)
{
    /* per-target features only: one model per target in effect, as a shared model */
    int shared = !(ex->cfg.target_only && ex->cfg.target_conjoin && target_name);
    if (shared && term_push(out, s, n) != 0)
        return -1;
    if (ex->cfg.target_conjoin && target_name) {
        size_t tn = strlen(target_name);
        if (reserve(&ex->conj, &ex->conj_cap, tn + n + 2) != 0)
            return -1;
        memcpy(ex->conj, target_name, tn);
        ex->conj[tn] = '|';
        memcpy(ex->conj + tn + 1, s, n);
        return term_push(out, ex->conj, tn + n + 1);
    }
    return 0;
}

static int emit_char_ngrams(features_extractor *ex, term_list *out, const char *w,
                            const char *target_name)
{
    /* Boundaries '<' and '>' let n-grams tell word starts and ends from word middles. */
    size_t wn = strlen(w);
    size_t need = wn + 3;
    char buf[TOKEN_MAX_BYTES + 8];
    if (need > sizeof buf)
        return 0;
    buf[0] = '<';
    memcpy(buf + 1, w, wn);
    buf[wn + 1] = '>';
    size_t bn = wn + 2;
    /* code point boundaries of buf */
    size_t bounds[TOKEN_MAX_BYTES + 8];
    size_t nb = 0;
    for (size_t i = 0; i < bn;) {
        bounds[nb++] = i;
        U8_FWD_1((const uint8_t *)buf, i, bn);
    }
    bounds[nb] = bn;
    char gram[TOKEN_MAX_BYTES + 16];
    for (int k = ex->cfg.char_ngram_min; k <= ex->cfg.char_ngram_max; k++) {
        if ((size_t)k > nb)
            break;
        for (size_t i = 0; i + (size_t)k <= nb; i++) {
            size_t a = bounds[i], b = bounds[i + (size_t)k];
            gram[0] = '#';
            memcpy(gram + 1, buf + a, b - a);
            if (emit(ex, out, gram, b - a + 1, target_name) != 0)
                return -1;
        }
    }
    return 0;
}

/* Does the token sequence at pos spell the target's own words? Returns their count or 0. */
static size_t target_text_at(const features_extractor *ex, size_t pos)
{
    const strvec *t = &ex->target_tokens;
    if (t->count == 0 || pos + t->count > ex->tokens.count)
        return 0;
    for (size_t j = 0; j < t->count; j++)
        if (strcmp(STRVEC_GET(&ex->tokens, pos + j), STRVEC_GET(t, j)) != 0)
            return 0;
    return t->count;
}

/* Emits "~unit" for every unit within target_window units of a target mention: the words
 * around an entity say most about the sentiment toward it. */
static int emit_target_window(features_extractor *ex, term_list *out, const char *target_name)
{
    const strvec *u = &ex->units;
    long w = ex->cfg.target_window, last = -1000000;
    char buf[TOKEN_MAX_BYTES + 8];
    /* distance to the nearest <t> before (forward pass) and after (backward pass) */
    for (size_t pass = 0; pass < 2; pass++) {
        last = -1000000;
        for (size_t k = 0; k < u->count; k++) {
            size_t i = pass == 0 ? k : u->count - 1 - k;
            const char *ui = STRVEC_GET(u, i);
            if (strcmp(ui, "<t>") == 0) {
                last = (long)k;
                continue;
            }
            if ((long)k - last > w || (u->flags[i] & TOK_MASKED))
                continue;
            /* a unit near two mentions, or before and after one, is emitted once: the
             * backward pass skips units the forward pass already took */
            if (pass == 1) {
                long before = -1;
                for (size_t j = i; j-- > 0 && (long)(i - j) <= w;)
                    if (strcmp(STRVEC_GET(u, j), "<t>") == 0) {
                        before = (long)j;
                        break;
                    }
                if (before >= 0)
                    continue;
            }
            size_t n = strlen(ui);
            buf[0] = '~';
            memcpy(buf + 1, ui, n);
            if (emit(ex, out, buf, n + 1, target_name) != 0)
                return -1;
        }
    }
    return 0;
}

/* Appends to ex->units, as "%run", the punctuation runs that precede word token `pos`; runs
 * before an earlier position lie inside a masked mention (the loop skipped those words) and
 * are dropped. They take no part in negation: the scope counts words, as without runs. */
static int emit_punct_units(features_extractor *ex, size_t pos, size_t *next)
{
    char unit[FEATURES_PUNCT_MAX * 4 + 8];
    for (; *next < ex->puncts.count && ex->punct_pos[*next] <= pos; (*next)++) {
        if (ex->punct_pos[*next] < pos) {
            ex->puncts.flags[*next] |= TOK_MASKED;
            continue;
        }
        const char *r = STRVEC_GET(&ex->puncts, *next);
        size_t n = strlen(r);
        if (n + 1 >= sizeof unit)
            continue;
        unit[0] = '%';
        memcpy(unit + 1, r, n);
        if (strvec_push(&ex->units, unit, n + 1, ex->puncts.flags[*next]) != 0)
            return -1;
    }
    return 0;
}

int features_terms(features_extractor *ex, const char *text, size_t len, const char *lang,
                   int target, const char *target_name, term_list *out, stance_error *err)
{
    int rc;
    ex->target_tokens.count = 0;
    ex->target_tokens.len = 0;
    if (ex->cfg.target_window > 0 && ex->cfg.target_mask && target < 0 && target_name &&
        *target_name) {
        /* the target is not a known party (an entity, "Hillary Clinton"): its own words,
         * tokenized like the text, stand for it */
        rc = tokenize(ex, target_name, strlen(target_name), err);
        if (rc)
            return rc;
        if (split_puncts(ex) != 0)
            goto nomem;
        strvec tmp = ex->target_tokens;
        ex->target_tokens = ex->tokens;
        ex->tokens = tmp;
    }
    rc = tokenize(ex, text, len, err);
    if (rc)
        return rc;
    if (split_puncts(ex) != 0)
        goto nomem;
    if (!lang || !*lang)
        lang = langid_detect(text, len, LANGID_SAMPLE_BYTES);
    /* a bounded copy: snprintf cost 1 % of scoring here */
    size_t lang_len = strnlen(lang, sizeof ex->last_lang - 1);
    memcpy(ex->last_lang, lang, lang_len);
    ex->last_lang[lang_len] = '\0';
    int slot = 0;
    const lang_stem *ls = stem_for(ex, lang, &slot);

    /* 1. units: party mentions, stems, numbers, negation marks */
    strvec *u = &ex->units;
    u->count = 0;
    u->len = 0;
    int mask = target >= 0 && ex->cfg.target_mask && ex->parties;
    if (mask && ensure_tok_ptrs(ex) != 0)
        goto nomem;
    int mask_text = ex->target_tokens.count > 0;
    int neg_left = 0;
    char unit[TOKEN_MAX_BYTES + 4];
    size_t np = 0; /* the next punctuation run (punct_tokens) */
    for (size_t i = 0; i < ex->tokens.count; i++) {
        if (emit_punct_units(ex, i, &np) != 0)
            goto nomem;
        const char *w = STRVEC_GET(&ex->tokens, i);
        unsigned char fl = ex->tokens.flags[i];
        if (fl & TOK_CLAUSE)
            neg_left = 0;
        if (mask_text) {
            size_t m = target_text_at(ex, i);
            if (m > 0) {
                if (strvec_push(u, "<t>", 3, fl | TOK_MASKED) != 0)
                    goto nomem;
                for (size_t j = 0; j < m; j++)
                    ex->tokens.flags[i + j] |= TOK_MASKED;
                i += m - 1;
                continue;
            }
        }
        if (mask) {
            size_t m = 0;
            int party = parties_match(ex->parties, ex->tok_ptrs, ex->tokens.count, i, &m);
            if (party >= 0) {
                if (strvec_push(u, party == target ? "<t>" : "<o>", 3, fl | TOK_MASKED) != 0)
                    goto nomem;
                for (size_t j = 1; j < m; j++)
                    ex->tokens.flags[i + j] |= TOK_MASKED;
                ex->tokens.flags[i] |= TOK_MASKED;
                i += m - 1;
                continue;
            }
        }
        if (fl & (TOK_NUMBER | TOK_CLASS)) { /* "0", "<url>", "<@>" */
            if (strvec_push(u, w, strlen(w), fl) != 0)
                goto nomem;
            continue;
        }
        size_t sn, wn = strlen(w); /* not STRVEC_LEN: split_puncts leaves gaps in tokens */
        const char *s = stem_word(ex, ls, slot, w, wn, &sn);
        if (sn == 0) { /* Porter stems "'" to nothing: keep the word */
            s = w;
            sn = wn;
        }
        if (neg_left > 0) { /* the negation mark before the stem */
            unit[0] = '!';
            memcpy(unit + 1, s, sn);
            neg_left--;
            if (strvec_push(u, unit, sn + 1, fl) != 0)
                goto nomem;
        } else if (strvec_push(u, s, sn, fl) != 0) {
            goto nomem;
        }
        if (ex->cfg.negation && is_negation(w, wn))
            neg_left = ex->cfg.negation;
    }
    if (emit_punct_units(ex, ex->tokens.count, &np) != 0)
        goto nomem;

    /* 2. word n-grams over units; a sentence break restarts the window */
    size_t win_start = 0;
    for (size_t i = 0; i < u->count; i++) {
        if (u->flags[i] & TOK_BREAK)
            win_start = i;
        const char *ui = STRVEC_GET(u, i);
        if (emit(ex, out, ui, STRVEC_LEN(u, i), target_name) != 0)
            goto nomem;
        for (int k = 2; k <= ex->cfg.word_ngram_max; k++) {
            if (i + 1 < win_start + (size_t)k)
                break;
            size_t first = i + 1 - (size_t)k;
            if (!(ex->cfg.target_conjoin && target_name)) { /* emit would only push it */
                if (term_push_ngram(out, u, first, i) != 0)
                    goto nomem;
                continue;
            }
            size_t total = 0;
            for (size_t j = first; j <= i; j++)
                total += STRVEC_LEN(u, j) + 1;
            if (reserve(&ex->scratch, &ex->scratch_cap, total + 1) != 0)
                goto nomem;
            size_t at = 0;
            for (size_t j = first; j <= i; j++) {
                const char *s = STRVEC_GET(u, j);
                size_t sl = STRVEC_LEN(u, j);
                if (j > first)
                    ex->scratch[at++] = ' ';
                memcpy(ex->scratch + at, s, sl);
                at += sl;
            }
            if (emit(ex, out, ex->scratch, at, target_name) != 0)
                goto nomem;
        }
    }

    if (ex->cfg.target_window > 0 && emit_target_window(ex, out, target_name) != 0)
        goto nomem;

    /* 3. character n-grams inside surface words (not numbers, not party mentions, whose
     * spelling would leak which party the sentence names) */
    if (ex->cfg.char_ngram_min > 0) {
        for (size_t i = 0; i < ex->tokens.count; i++) {
            if (ex->tokens.flags[i] & (TOK_NUMBER | TOK_MASKED | TOK_CLASS | TOK_PART))
                continue;
            if (emit_char_ngrams(ex, out, STRVEC_GET(&ex->tokens, i), target_name) != 0)
                goto nomem;
        }
        for (size_t i = 0; i < ex->puncts.count; i++) {
            if (ex->puncts.flags[i] & TOK_MASKED)
                continue;
            if (emit_char_ngrams(ex, out, STRVEC_GET(&ex->puncts, i), target_name) != 0)
                goto nomem;
        }
    }
    return 0;
nomem:
    return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory extracting features");
}

int features_party_mentions(features_extractor *ex, const char *text, size_t len, long *counts,
                            stance_error *err)
{
    if (!ex->parties || parties_count(ex->parties) == 0)
        return 0;
    int rc = tokenize(ex, text, len, err);
    if (rc)
        return rc;
    if (split_puncts(ex) != 0 || ensure_tok_ptrs(ex) != 0)
        return stance_error_set(err, STANCE_ERR_NOMEM, "out of memory finding parties");
    for (size_t i = 0; i < ex->tokens.count; i++) {
        size_t m = 0;
        int party = parties_match(ex->parties, ex->tok_ptrs, ex->tokens.count, i, &m);
        if (party >= 0) {
            counts[party]++;
            i += m - 1;
        }
    }
    return 0;
}

static int is_space_at(const char *s, size_t i, size_t end, size_t *w)
{
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        *w = 1;
        return 1;
    }
    if (c == 0xC2 && i + 1 < end && (unsigned char)s[i + 1] == 0xA0) { /* NBSP */
        *w = 2;
        return 1;
    }
    return 0;
}

int features_sentences(features_extractor *ex, const char *text, size_t len, text_span **spans,
                       size_t *count, size_t *cap, stance_error *err)
{
    *count = 0;
    UErrorCode st = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &st);
    if (U_FAILURE(st))
        return stance_error_set(err, STANCE_ERR_DATA, "ICU text: %s", u_errorName(st));
    ubrk_setUText(ex->sentences, ut, &st);
    if (U_FAILURE(st)) {
        utext_close(ut);
        return stance_error_set(err, STANCE_ERR_DATA, "ICU sentence segmentation: %s",
                                u_errorName(st));
    }
    int rc = 0;
    int32_t start = ubrk_first(ex->sentences);
    for (int32_t end = ubrk_next(ex->sentences); end != UBRK_DONE;
         start = end, end = ubrk_next(ex->sentences)) {
        size_t a = (size_t)start, b = (size_t)end, w;
        while (a < b && is_space_at(text, a, b, &w))
            a += w;
        while (b > a && (is_space_at(text, b - 1, b, &w) ||
                         (b >= a + 2 && (unsigned char)text[b - 2] == 0xC2 &&
                          (unsigned char)text[b - 1] == 0xA0))) {
            if ((unsigned char)text[b - 1] == 0xA0)
                b -= 2;
            else
                b -= 1;
        }
        if (a >= b)
            continue;
        if (*count == *cap) {
            size_t ncap = *cap ? *cap * 2 : 32;
            text_span *n = realloc(*spans, ncap * sizeof *n);
            if (!n) {
                rc = stance_error_set(err, STANCE_ERR_NOMEM, "out of memory splitting sentences");
                break;
            }
            *spans = n;
            *cap = ncap;
        }
        (*spans)[*count].start = a;
        (*spans)[*count].end = b;
        (*count)++;
    }
    /* Detach the iterator from the UText before closing it. */
    ubrk_setText(ex->sentences, NULL, 0, &st);
    utext_close(ut);
    return rc;
}
