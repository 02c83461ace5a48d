/*
 * vocab.h - terms -> weighted sparse vectors: the second half of the feature pipeline.
 *
 * A vocabulary is built once, on the training texts: document frequency per term, terms
 * under min_df dropped, at most max_features kept (highest df first, ties by bytes), then
 * indexed 1..V in byte order of the terms, so the same training data always gives the same
 * indexes. Each term carries a smoothed idf = ln((1 + N) / (1 + df)) + 1.
 *
 * Vectorizing counts the known terms of a text, weights them tf*idf (tf sublinear:
 * 1 + ln(count)), L2-normalizes, and returns LIBLINEAR feature nodes in ascending index
 * order, with an optional bias node and the -1 terminator. With block normalization
 * (vocab_set_block_norm) the character n-grams and the other terms are normalized apart, each
 * block to length 1, as scikit-learn's union of a word and a char_wb vectorizer does, so the
 * many character n-grams of a text do not outweigh its few words.
 *
 * File format (vocab.tsv): one term per line, line k = index k: "term<TAB>idf" with idf
 * printed "%.17g". Terms never contain tabs or newlines. With NB weighting (features
 * nb_weighting) the second column is idf times the term's NB factor (vocab_scale_weights).
 */
#ifndef STANCE_VOCAB_H
#define STANCE_VOCAB_H

#include <linear.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "extract.h"

typedef struct vocab vocab;
typedef struct vocab_builder vocab_builder;

/* Caller frees with vocab_builder_free. NULL when out of memory. */
vocab_builder *vocab_builder_new(void);
void vocab_builder_free(vocab_builder *b);
/* Interns the terms of one training text: each distinct term counts once toward its document
 * frequency, and ids[i] (when ids is not NULL; terms->count entries) receives the dense id
 * (0, 1, 2, ...) of term i, so a trainer can keep texts as ids instead of strings.
 * Returns 0 or STANCE_ERR_NOMEM. */
int vocab_builder_add(vocab_builder *b, const term_list *terms, uint32_t *ids, stance_error *err);
size_t vocab_builder_terms(const vocab_builder *b);   /* distinct terms interned so far */
long vocab_builder_documents(const vocab_builder *b); /* texts added so far */
/* Document frequency of term id as counted by vocab_builder_add. */
uint32_t vocab_builder_df(const vocab_builder *b, uint32_t id);
/* Freezes a vocabulary. df: per-id document frequencies to use (NULL = the builder's own;
 * cross-validation passes the counts of its training folds) over `documents` texts.
 * remap (when not NULL) receives a malloc'ed array mapping each id to its feature index, or
 * 0 for a dropped term; caller frees it with free(). The builder stays valid.
 * Caller frees the result with vocab_free. NULL on failure (err set), including an empty
 * vocabulary ("no term occurs in min_df texts"). */
vocab *vocab_builder_finish(const vocab_builder *b, const uint32_t *df, long documents, int min_df,
                            int max_features, int **remap, stance_error *err);

void vocab_free(vocab *v);
size_t vocab_size(const vocab *v);
long vocab_documents(const vocab *v); /* N, the number of training texts */
/* Term of feature index 1..V (NULL when out of range). */
const char *vocab_term(const vocab *v, int index);
double vocab_idf(const vocab *v, int index);
/* Index of term or 0 when unknown. */
int vocab_index(const vocab *v, const char *term, size_t len);

/* Multiplies the weight (the idf column) of every term index 1..V by factor[index] (factor
 * has V + 1 entries; entry 0 is ignored). Used for NB log-count-ratio weighting, which the
 * trainer computes from the training labels; the product is what vocab.tsv stores, so
 * prediction applies it without knowing about it. Every factor must be > 0 and finite:
 * otherwise STANCE_ERR_USAGE and v is unchanged. */
int vocab_scale_weights(vocab *v, const double *factor, stance_error *err);

/* Turns block normalization on (on = 1) or off for v. A term is a character n-gram when it
 * starts with '#', or, with conjoin (features target_conjoin), when its part after the first
 * '|' does (a "target|#ab" copy; a prefix holding '%', a punctuation run, is no target).
 * Returns 0 or STANCE_ERR_NOMEM. */
int vocab_set_block_norm(vocab *v, int on, int conjoin, stance_error *err);

/* A growable feature vector (reuse across calls; free with feature_vec_free). */
typedef struct feature_vec {
    struct feature_node *nodes; /* count entries + terminator */
    size_t count, cap;
    uint64_t *hashes; /* scratch of vocab_vectorize: the terms' hashes */
    size_t hashes_cap;
    int *ids; /* scratch for texts of over 1024 terms: the index of every term found */
    size_t ids_cap;
} feature_vec;
void feature_vec_free(feature_vec *fv);

/* Builds the weighted vector of terms into out. bias >= 0 appends node (V+1, bias) as
 * LIBLINEAR expects when a model has a bias term. Returns 0 or STANCE_ERR_NOMEM.
 * Thread-safe for concurrent calls on one vocab with different outputs. */
int vocab_vectorize(const vocab *v, const term_list *terms, int sublinear_tf, double bias,
                    feature_vec *out, stance_error *err);

/* Same as vocab_vectorize for a text kept as builder ids (see vocab_builder_add) and the
 * remap of vocab_builder_finish. */
int vocab_vectorize_ids(const vocab *v, const int *remap, const uint32_t *ids, size_t n,
                        int sublinear_tf, double bias, feature_vec *out, stance_error *err);

/* Writes vocab.tsv. Returns 0 or STANCE_ERR_IO (the message names the path). */
int vocab_save(const vocab *v, const char *path, stance_error *err);
/* Reads vocab.tsv, which must hold exactly expected_size terms when expected_size > 0.
 * Caller frees with vocab_free. NULL with a message naming the file and line. */
vocab *vocab_load(const char *path, size_t expected_size, long documents, stance_error *err);

#endif
