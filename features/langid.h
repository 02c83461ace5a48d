/*
 * langid.h - language identification of short raw UTF-8 texts (tweets, news
 * sentences, reviews), tuned to tell Russian, Ukrainian and Bulgarian apart.
 *
 * Method: rules, not a trained model. The text is decoded (invalid bytes are
 * skipped), URLs and @mentions are dropped, words are lower-cased, and every
 * language collects evidence points from
 *   - letters that only some languages use (uk: і ї є ґ and the apostrophe
 *     inside words; ru: ы э ё; bg: ъ in most words, ѝ, "ьо"; be: ў; sr/mk:
 *     ј љ њ џ ђ ћ ѓ ќ ѕ; kk: ә ғ қ ң ө ұ ү һ; Latin diacritics),
 *   - frequent function words of each language (uk що це від його; ru что
 *     это был его; bg е са да се че това ще; en the of and...),
 *   - word endings (uk -ння -ав/-ив past tense -ою; ru -ый -ые -ется -ость;
 *     bg definite articles -ът -ата -ите -ото -ият).
 * The script with the most letters decides the candidate set; within it the
 * language with the most evidence wins.
 *
 * Results: "ru" "uk" "bg" "be" "sr" "mk" "kk" for Cyrillic text; "en" "de"
 * "fr" "es" "it" "pl" for Latin text ("en" unless another one has clear
 * evidence, and also for Latin text without any evidence, since an English
 * stemmer is the best guess there); "el" "ar" "he" "zh" "ja" "ko" "ka" "hy"
 * when that script dominates; "und" for text with fewer than 3 letters, other
 * scripts, or Cyrillic text in a language outside the list (e.g. Tatar).
 * Cyrillic text with no evidence at all (a bare name) gets "ru" with a
 * confidence of 1/7 (chance level), so callers can tell it from a real "ru".
 *
 * Pure functions over static tables: no allocation, no global state,
 * thread-safe, O(length).
 */
#ifndef STANCE_LANGID_H
#define STANCE_LANGID_H

#include <stddef.h>

/* Default number of leading bytes looked at when max_bytes is 0. */
#define LANGID_DEFAULT_MAX_BYTES 4096

/* What the scorer and extractor look at: an article's first ~150 words decide its language as
 * well as all of it does, at a quarter of the cost of the default. */
#define LANGID_SAMPLE_BYTES 1024

/* Identifies the language of raw UTF-8 text (not normalised; any length; may
 * be invalid UTF-8: bad bytes are skipped; text may be NULL when len is 0).
 * Looks at most at the first max_bytes bytes (0 = LANGID_DEFAULT_MAX_BYTES).
 * Returns a static string (never NULL): a code listed above or "und". */
const char *langid_detect(const char *text, size_t len, size_t max_bytes);

/* Like langid_detect, also filling *confidence (if not NULL) in [0,1]: the
 * winner's share of the evidence of its script's languages (add-half
 * smoothed, so no evidence gives 1/number-of-candidates) times the share of
 * the text's letters that are in that script. 0 for "und" from too few
 * letters; the script share for script-level codes and "und" of other scripts. */
const char *langid_detect_ex(const char *text, size_t len, size_t max_bytes, double *confidence);

/* 1 when the lookup tables built at first use have the room they need (a test checks this
 * after the word lists are edited). */
int langid_tables_ok(void);

#endif
