/*
 * scorer.h - one text in, one result (a cJSON object) out, for every task of a bundle.
 *
 * An article is split into sentences (ICU); each task scores every sentence and the article
 * gets the aggregation of its sentences:
 *   "mean"      the mean of the sentences' probability vectors
 *   "polar"     the mean over the sentences whose top label is not the neutral one ("neutral"
 *               or "none"); neutral when there is none. An article is as hopeful or as grim
 *               as the sentences that take a side; the procedural ones do not water it down.
 *   "balance"   for a task with a neutral label and two opposite ones (A, B): b = the mean
 *               over sentences of p(A) - p(B); neutral when |b| is under the bundle's
 *               threshold, else A or B, with probabilities softmax(0, s(b - t), s(-b - t)).
 *               An article is as hopeful or as grim as the balance of what it reports;
 *               most of its sentences are procedure and weigh nothing. Other tasks: "mean".
 *   "document"  the whole text scored as one vector (no sentence split): what a model
 *               trained on whole tweets or reviews wants.
 * The bundle says which one each task uses (chosen by measurement, see README); the caller may
 * override it.
 *
 * A target-dependent task (party stance) is scored for each party the article mentions (the
 * bundle's aliases), over the sentences that mention it, unless the caller names the target.
 *
 * Thread-safety: a scorer holds feature extractors: one scorer per thread. The bundle it
 * borrows is read-only and may be shared.
 */
#ifndef STANCE_SCORER_H
#define STANCE_SCORER_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "bundle.h"
#include "error.h"
#include "strbuf.h"

typedef struct scorer_options {
    int sentences;           /* 1 = add every sentence's results ("sentences": [...]) */
    int explain;             /* K > 0 = add the K features that pushed each decision most */
    const char *aggregation; /* NULL = the bundle's choice per task */
    int evidence;            /* sentences quoted as evidence per decision (default 2) */
} scorer_options;

typedef struct scorer scorer;

/* Caller frees with scorer_free. NULL with err set (bad aggregation name, ICU failure). */
scorer *scorer_new(const bundle *b, const scorer_options *opt, stance_error *err);
void scorer_free(scorer *s);

/* Scores text and adds the results to `result` (an object the caller owns; it borrows the
 * bundle's task and label names as keys and values, so delete it before the bundle): "lang", one
 * member per plain task ({"label","confidence","scores"}), one array per target task
 * ([{"target","label","confidence","scores","mentions"}]), "evidence", and "sentences" /
 * "explain" when asked. lang: NULL = identify. target: for target tasks, score only this
 * target (NULL = the parties the text mentions). Returns 0 or an error code. */
int scorer_score(scorer *s, const char *text, size_t len, const char *lang, const char *target,
                 cJSON *result, stance_error *err);

/* Like scorer_score, but appends the members scorer_score would add to out as compact JSON
 * text, each after a comma: exactly the bytes json_write_compact prints for them (so a caller
 * writes '{', its own members, this, and '}'). Faster: no tree is built. Not with the
 * per-sentence results (options.sentences: STANCE_ERR_USAGE). On an error out holds a partial
 * text the caller drops (cut it back to its length before the call). */
int scorer_score_text(scorer *s, const char *text, size_t len, const char *lang, const char *target,
                      strbuf *out, stance_error *err);

/* Scores text for one task and returns the label index and the probabilities (probs has the
 * task's label count). target as above (required for target tasks: no party search).
 * lang NULL = identify. Used by evaluation. Returns 0 or an error code. */
int scorer_classify(scorer *s, size_t task, const char *text, size_t len, const char *lang,
                    const char *target, int *label, double *probs, stance_error *err);

/* 1 if name is an aggregation the scorer knows. */
int scorer_aggregation_valid(const char *name);

#endif
