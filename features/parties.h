/*
 * parties.h - the parties a target-dependent task knows (russia, ukraine, usa, europe, ...)
 * and the aliases that find them in text.
 *
 * An alias is one or more words in normalized (case-folded) form separated by single spaces;
 * a word ending in '*' matches any word that starts with it ("росси*" matches "россии",
 * "россией"). Matching happens on normalized word tokens, before stemming, so the aliases
 * are written as the words appear, not as stems.
 *
 * Alias files are TSV, one alias per line: "party<TAB>pattern"; '#' starts a comment.
 */
#ifndef STANCE_PARTIES_H
#define STANCE_PARTIES_H

#include <stddef.h>

#include "error.h"

typedef struct parties parties;

/* An empty set. Caller frees with parties_free. NULL when out of memory. */
parties *parties_new(void);
void parties_free(parties *p);

/* Adds an alias for party (creating the party on first sight). The pattern is case-folded
 * here with a simple lower-casing; callers pass already-normalized text when they can.
 * Returns the party index, or -1 with err set (empty or over-long pattern, out of memory). */
int parties_add_alias(parties *p, const char *party, const char *pattern, stance_error *err);

/* Reads an alias TSV file (see above). Returns 0 or an error naming file and line. */
int parties_load_tsv(parties *p, const char *path, stance_error *err);

size_t parties_count(const parties *p);
const char *parties_name(const parties *p, size_t i);
int parties_find(const parties *p, const char *name); /* index or -1 */
size_t parties_alias_count(const parties *p, size_t i);
const char *parties_alias(const parties *p, size_t i, size_t j);

/* Matches at token position pos of a token sequence (normalized words). Returns the party
 * index of the longest alias that starts there and sets *ntokens to its length, or -1. */
int parties_match(const parties *p, const char *const *tokens, size_t ntokens, size_t pos,
                  size_t *matched);

#endif
