/*
 * extract.h - text -> terms: the deterministic first half of the feature pipeline.
 *
 *   raw UTF-8 --normalize (ICU NFKC + case fold, ё->е, apostrophes unified)-->
 *   --segment (ICU word BreakIterator; numbers become the class "0"; with punct_tokens the
 *              runs of punctuation and symbols between words become "%run" units; with
 *              hashtag_split a hashtag's words follow it; with link_classes URLs and
 *              @mentions become "<url>" and "<@>")-->
 *   --party mentions (aliases, for target-dependent tasks: <t> / <o>)-->
 *   --stem (Snowball where the language has one; a prefix or nothing elsewhere)-->
 *   --negation scope ("!" prefix until punctuation)--> word n-grams + char n-grams
 *
 * The result is a list of term strings; vocab.h turns it into a weighted sparse vector.
 * Everything that changes the terms is in features_config, which the bundle stores, so
 * prediction reproduces training exactly.
 *
 * Term spellings (chosen so they can never collide with a word, since ICU word tokens
 * contain none of '#', '!', '<', '>', ' ' at their start; '@' is not safe: ICU keeps
 * "@handle" as one word):
 *   "stem"            a unigram            "a b", "a b c"  word n-grams
 *   "#<ab"            a character n-gram inside "<word>"
 *   "!stem"           a unigram in negation scope
 *   "<t>" / "<o>"     a mention of the target party / of another party
 *   "russia|term"     a term conjoined with the target (target_conjoin)
 *   "~unit"           a unit near a target mention (target_window)
 *   "%!!!", "%:)"     a run of punctuation or symbols (punct_tokens; '%' keeps them apart
 *                     from every other kind, since no word starts with it)
 *   "<url>", "<@>"    a URL, an @mention (link_classes)
 *
 * Thread-safety: a features_extractor holds ICU iterators and Snowball stemmers, which are
 * not thread-safe: create one per thread. The config and parties it borrows are read-only.
 */
#ifndef STANCE_EXTRACT_H
#define STANCE_EXTRACT_H

#include <stddef.h>

#include "error.h"
#include "parties.h"

#define FEATURES_STEMMING_MAX 256
#define FEATURES_PUNCT_MAX 8 /* code points kept of one punctuation run */

typedef struct features_config {
    int word_ngram_max; /* word n-grams 1..word_ngram_max over stems (1..3); default 2 */
    int char_ngram_min; /* character n-grams inside words; 0 = off */
    int char_ngram_max; /* e.g. 2..5 */
    int negation;       /* 1 = prefix tokens after a negation word with "!" until punctuation */
    int target_mask;    /* 1 = target-dependent tasks see the target's mentions as "<t>" and
                           other parties' as "<o>" */
    int target_conjoin; /* 1 = also emit every term prefixed with "target|" */
    int target_only;    /* with target_conjoin: emit only the conjoined terms (per-target
                           features, as one model per target would see them) */
    int target_window;  /* N > 0: emit "~unit" for units within N of a target mention, and
                           (with target_mask) mask a target that is no known party where its
                           own words occur in the text; 0 = off */
    int min_df;         /* vocabulary: keep terms in at least min_df training texts */
    int max_features;   /* vocabulary: keep at most this many (highest df first); 0 = all */
    int sublinear_tf;   /* 1 = weight 1+ln(tf) instead of tf */
    int nb_weighting;   /* 1 = the trainer multiplies each term's idf by its naive-Bayes
                           log-count ratio (largest |r| over one-vs-rest labels); stored in
                           vocab.tsv, so extraction and prediction are unchanged */
    int block_norm;     /* 1 = L2-normalize the word terms and the character n-grams ("#...")
                           of a text separately, each block to length 1 (vocab.h) */
    int punct_tokens;   /* 1 = runs of punctuation and symbols ("!!!", ":)", emoji) become
                           units "%run" (a character repeated more than 3 times counts 3
                           times; at most FEATURES_PUNCT_MAX code points); 0 = skipped */
    int hashtag_split;  /* 1 = a hashtag written in several words ("#StopTheWar", "#stop_war")
                           is followed by those words as units of their own (hashtag.h); the
                           hashtag itself stays one word */
    int link_classes;   /* 1 = a URL becomes the unit "<url>" and an @mention "<@>" */
    /* Per-language stemming, e.g. "ru=snowball:russian,en=snowball:english,uk=prefix:6,
     * bg=prefix:6,*=none". Methods: none, snowball:<libstemmer name>, prefix:<N code points>. */
    char stemming[FEATURES_STEMMING_MAX];
} features_config;

/* The defaults documented in the README (word 1-2-grams, no char n-grams, ...). */
void features_config_default(features_config *cfg);

/* Checks ranges and parses `stemming`; 0 or STANCE_ERR_USAGE with a message. */
int features_config_validate(const features_config *cfg, stance_error *err);

/* A growable list of NUL-terminated terms kept in one buffer. Reused across calls. */
typedef struct term_list {
    char *buf; /* the terms, each followed by NUL */
    size_t len, cap;
    size_t *offsets; /* start of each term in buf */
    size_t count, offsets_cap;
} term_list;

void term_list_clear(term_list *t); /* keeps the memory */
void term_list_free(term_list *t);  /* frees the memory */
static inline const char *term_list_get(const term_list *t, size_t i)
{
    return t->buf + t->offsets[i];
}
/* Length in bytes of term i (without its NUL). */
static inline size_t term_list_len(const term_list *t, size_t i)
{
    size_t end = i + 1 < t->count ? t->offsets[i + 1] : t->len;
    return end - t->offsets[i] - 1;
}

/* A span of the original text (byte offsets), e.g. one sentence. */
typedef struct text_span {
    size_t start, end;
} text_span;

typedef struct features_extractor features_extractor;

/* Creates an extractor for cfg (copied) and parties (borrowed; may be NULL). Caller frees with
 * features_extractor_free. NULL on failure with err set (bad config, ICU or Snowball failure). */
features_extractor *features_extractor_new(const features_config *cfg, const parties *p,
                                           stance_error *err);
void features_extractor_free(features_extractor *ex);

/* Appends the terms of text to out (call term_list_clear first for a fresh list).
 * lang: "ru", "uk", ... selects the stemmer; NULL or "" = identify it (langid).
 * target: a party index of p for a target-dependent task, or -1.
 * target_name: the name used for conjoined terms when target_conjoin (may be a target that is
 * not a known party, e.g. "Hillary Clinton"); NULL = no conjoined terms.
 * Returns 0, or an error code (out of memory, ICU failure). */
int features_terms(features_extractor *ex, const char *text, size_t len, const char *lang,
                   int target, const char *target_name, term_list *out, stance_error *err);

/* Normalizes text (NFKC + case fold + the stance-specific mappings) into a NUL-terminated
 * UTF-8 string. Caller frees with free(). NULL on failure (err set). Exposed for tests. */
char *features_normalize(features_extractor *ex, const char *text, size_t len, size_t *out_len,
                         stance_error *err);

/* Splits text into sentences with ICU's sentence BreakIterator; spans are byte offsets into
 * text, whitespace-trimmed, empty ones dropped. *spans is grown with realloc (caller frees
 * with free()). Returns 0 or an error code. */
int features_sentences(features_extractor *ex, const char *text, size_t len, text_span **spans,
                       size_t *count, size_t *cap, stance_error *err);

/* Counts which parties the text mentions: counts[i] += mentions of party i (counts has
 * parties_count(p) entries). Returns 0 or an error code. */
int features_party_mentions(features_extractor *ex, const char *text, size_t len, long *counts,
                            stance_error *err);

/* Between features_cache_begin and features_cache_end, the extractor remembers the tokens of
 * every text it sees by its address and length, so calling features_terms and
 * features_party_mentions on the same span again (another task, another target) does not
 * tokenize it again. The caller promises that the texts do not change in between (the
 * scorer brackets one article). */
void features_cache_begin(features_extractor *ex);
void features_cache_end(features_extractor *ex);

/* The language the extractor decided for the last features_terms call ("ru", "und", ...). */
const char *features_last_lang(const features_extractor *ex);

#endif
