/* Unit tests: normalization, segmentation, stemming, n-grams, party aliases, vocabulary. */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "extract.h"
#include "normalize.h"
#include "parties.h"
#include "vocab.h"

static int has_term(const term_list *t, const char *s)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(term_list_get(t, i), s) == 0)
            return 1;
    return 0;
}

static void test_normalize(void)
{
    size_t n;
    char *s = normalize_utf8("ЁЛКА Ещё", strlen("ЁЛКА Ещё"), &n, NULL);
    CHECK_STR(s, "елка еще");
    free(s);
    s = normalize_utf8("П’ЯТЬ пʼять", strlen("П’ЯТЬ пʼять"), &n, NULL);
    CHECK_STR(s, "п'ять п'ять");
    free(s);
    s = normalize_utf8("Straße ＦＵＬＬ", strlen("Straße ＦＵＬＬ"), &n, NULL);
    CHECK_STR(s, "strasse full");
    free(s);
    /* soft hyphen (U+00AD) disappears */
    s = normalize_utf8("пере\xc2\xadговоры", strlen("пере\xc2\xadговоры"), &n, NULL);
    CHECK_STR(s, "переговоры");
    free(s);
    /* invalid UTF-8 does not crash: replaced */
    s = normalize_utf8("a\xff"
                       "b",
                       3, &n, NULL);
    CHECK(s != NULL);
    free(s);
}

static void test_terms(void)
{
    features_config cfg;
    features_config_default(&cfg);
    snprintf(cfg.stemming, sizeof cfg.stemming, "%s",
             "ru=snowball:russian,en=snowball:english,uk=prefix:6,*=none");
    stance_error err = {0};
    features_extractor *ex = features_extractor_new(&cfg, NULL, &err);
    CHECK(ex != NULL);
    term_list t = {0};
    const char *ru = "Переговоры в Стамбуле не принесли результатов, заявил Песков 25 мая.";
    CHECK(features_terms(ex, ru, strlen(ru), NULL, -1, NULL, &t, &err) == 0);
    CHECK_STR(features_last_lang(ex), "ru");
    CHECK(has_term(&t, "переговор"));       /* Snowball russian */
    CHECK(has_term(&t, "!принесл"));        /* negation scope */
    CHECK(has_term(&t, "0"));               /* number class */
    CHECK(has_term(&t, "в стамбул"));       /* bigram over stems */
    CHECK(has_term(&t, "!результат заяв")); /* a comma ends negation, not n-grams */
    term_list_clear(&t);
    const char *en = "Talks didn't collapse; negotiators are meeting again.";
    CHECK(features_terms(ex, en, strlen(en), "en", -1, NULL, &t, &err) == 0);
    CHECK(has_term(&t, "talk"));
    CHECK(has_term(&t, "!collaps"));
    CHECK(has_term(&t, "negoti"));
    CHECK(!has_term(&t, "collaps negoti")); /* ';' restarts the n-gram window */
    term_list_clear(&t);
    const char *uk = "Україна готова до переговорів";
    CHECK(features_terms(ex, uk, strlen(uk), "uk", -1, NULL, &t, &err) == 0);
    CHECK(has_term(&t, "перего")); /* uk: 6-letter prefix */
    CHECK(has_term(&t, "україн")); /* "україна": 6 code points kept */
    CHECK(has_term(&t, "до"));     /* shorter words kept whole */
    term_list_free(&t);
    features_extractor_free(ex);

    /* character n-grams and a bad configuration */
    cfg.char_ngram_min = 2;
    cfg.char_ngram_max = 3;
    ex = features_extractor_new(&cfg, NULL, &err);
    CHECK(features_terms(ex, "мир", strlen("мир"), "ru", -1, NULL, &t, &err) == 0);
    CHECK(has_term(&t, "#<м"));
    CHECK(has_term(&t, "#ир>"));
    term_list_free(&t);
    features_extractor_free(ex);
    cfg.word_ngram_max = 7;
    CHECK(features_extractor_new(&cfg, NULL, &err) == NULL && err.code == STANCE_ERR_USAGE);
    features_config_default(&cfg);
    snprintf(cfg.stemming, sizeof cfg.stemming, "ru=snowball:klingon");
    CHECK(features_extractor_new(&cfg, NULL, &err) == NULL && strstr(err.message, "klingon"));
}

/* --punct-tokens: runs of punctuation become "%run" units; off, nothing changes */
static void test_punct_tokens(void)
{
    features_config cfg;
    features_config_default(&cfg);
    snprintf(cfg.stemming, sizeof cfg.stemming, "%s", "*=none");
    cfg.char_ngram_min = 2;
    cfg.char_ngram_max = 3;
    stance_error err = {0};
    features_extractor *off = features_extractor_new(&cfg, NULL, &err);
    cfg.punct_tokens = 1;
    features_extractor *on = features_extractor_new(&cfg, NULL, &err);
    CHECK(off != NULL && on != NULL);
    /* "!!!!!" -> "!!!" (repeats capped at 3), ":)" one token, the emoji's variation selector
     * dropped, a long run cut at 8 code points */
    const char *s = "Не е добър филм, а шедьовър!!!!! :) Браво \xe2\x9d\xa4\xef\xb8\x8f "
                    "не ==--==--==--\nхаресах";
    term_list a = {0}, b = {0};
    CHECK(features_terms(off, s, strlen(s), "bg", -1, NULL, &a, &err) == 0);
    CHECK(features_terms(on, s, strlen(s), "bg", -1, NULL, &b, &err) == 0);
    for (size_t i = 0; i < a.count; i++)
        CHECK(strchr(term_list_get(&a, i), '%') == NULL);
    CHECK(has_term(&b, "%!!!"));
    CHECK(!has_term(&b, "%!!!!"));
    CHECK(has_term(&b, "%:)"));
    CHECK(has_term(&b, "%\xe2\x9d\xa4"));
    CHECK(has_term(&b, "%,"));
    CHECK(has_term(&b, "%==--==--"));
    CHECK(has_term(&b, "шедьовър %!!!")); /* the run ends the sentence it closes */
    CHECK(!has_term(&b, "%!!! %:)"));     /* "!" is a break: ":)" starts a new window */
    CHECK(has_term(&b, "#<:"));           /* runs have character n-grams too */
    CHECK(has_term(&b, "#!!>"));
    /* negation: the scope counts words, not runs, and a run takes no "!" */
    CHECK(has_term(&b, "!добър") && has_term(&a, "!добър"));
    CHECK(has_term(&b, "!филм") && has_term(&a, "!филм"));
    CHECK(!has_term(&b, "!%,"));
    term_list_clear(&a);
    term_list_clear(&b);
    const char *n = "Не ** харесах тоя филм изобщо";
    CHECK(features_terms(off, n, strlen(n), "bg", -1, NULL, &a, &err) == 0);
    CHECK(features_terms(on, n, strlen(n), "bg", -1, NULL, &b, &err) == 0);
    CHECK(has_term(&a, "!филм") && has_term(&b, "!филм")); /* the run is not counted */
    CHECK(has_term(&a, "изобщо") && has_term(&b, "изобщо"));
    CHECK(has_term(&b, "%**") && !has_term(&b, "!%**"));
    CHECK(has_term(&b, "не %**") && has_term(&b, "%** !харесах"));
    term_list_clear(&a);
    term_list_clear(&b);
    CHECK(features_terms(off, s, strlen(s), "bg", -1, NULL, &a, &err) == 0);
    CHECK(features_terms(on, s, strlen(s), "bg", -1, NULL, &b, &err) == 0);
    /* a line break ends negation with runs as without: "харесах" is not negated */
    CHECK(has_term(&a, "харесах") && has_term(&b, "харесах"));
    CHECK(!has_term(&a, "!харесах") && !has_term(&b, "!харесах"));
    /* every term of the words alone is still there, except word n-grams across a run */
    for (size_t i = 0; i < a.count; i++) {
        const char *w = term_list_get(&a, i);
        if (!strchr(w, ' '))
            CHECK(has_term(&b, w));
    }
    CHECK(has_term(&a, "!добър !филм") && has_term(&b, "!добър !филм"));
    CHECK(has_term(&a, "!филм а") && !has_term(&b, "!филм а")); /* "," between them now */
    /* runs in a word's middle stay in the word ("e.g", "don't"); text of only punctuation */
    term_list_clear(&b);
    CHECK(features_terms(on, "?!", 2, "en", -1, NULL, &b, &err) == 0);
    CHECK(has_term(&b, "%?!") && b.count > 1);
    term_list_clear(&a);
    CHECK(features_terms(off, "?!", 2, "en", -1, NULL, &a, &err) == 0);
    CHECK(a.count == 0);
    term_list_free(&a);
    term_list_free(&b);
    features_extractor_free(off);
    features_extractor_free(on);
    cfg.punct_tokens = 2;
    CHECK(features_extractor_new(&cfg, NULL, &err) == NULL && err.code == STANCE_ERR_USAGE);
}

/* party mentions are found across runs as without them, and runs inside one are dropped */
static void test_punct_parties(void)
{
    stance_error err = {0};
    parties *p = parties_new();
    CHECK(parties_add_alias(p, "usa", "белый дом", &err) == 0);
    features_config cfg;
    features_config_default(&cfg);
    cfg.punct_tokens = 1;
    features_extractor *ex = features_extractor_new(&cfg, p, &err);
    CHECK(ex != NULL);
    const char *s = "«Белый — дом» молчит...";
    term_list t = {0};
    CHECK(features_terms(ex, s, strlen(s), "ru", 0, "usa", &t, &err) == 0);
    CHECK(has_term(&t, "<t>"));
    CHECK(has_term(&t, "%«") && has_term(&t, "%»") && has_term(&t, "%..."));
    CHECK(!has_term(&t, "%—")); /* inside the mention */
    long counts[1] = {0};
    CHECK(features_party_mentions(ex, s, strlen(s), counts, &err) == 0);
    CHECK(counts[0] == 1);
    term_list_free(&t);
    features_extractor_free(ex);
    parties_free(p);
}

static void test_parties(void)
{
    parties *p = parties_new();
    stance_error err = {0};
    CHECK(parties_add_alias(p, "russia", "Росси*", &err) == 0);
    CHECK(parties_add_alias(p, "russia", "кремль", &err) == 0);
    CHECK(parties_add_alias(p, "usa", "белый дом", &err) == 1);
    CHECK(parties_add_alias(p, "usa", "U.S.", &err) == 1);
    CHECK(parties_add_alias(p, "usa", "", &err) == -1);
    CHECK(parties_count(p) == 2);
    const char *toks[] = {"в", "белый", "дом", "и", "россии", "u.s", "кремлю"};
    size_t m;
    CHECK(parties_match(p, toks, 7, 0, &m) == -1);
    CHECK(parties_match(p, toks, 7, 1, &m) == 1 && m == 2);
    CHECK(parties_match(p, toks, 7, 4, &m) == 0 && m == 1);
    CHECK(parties_match(p, toks, 7, 5, &m) == 1);
    CHECK(parties_match(p, toks, 7, 6, &m) == -1); /* "кремль" is exact, not a prefix */

    features_config cfg;
    features_config_default(&cfg);
    features_extractor *ex = features_extractor_new(&cfg, p, &err);
    term_list t = {0};
    const char *s = "Белый дом поддержал план, а в России его отвергли.";
    CHECK(features_terms(ex, s, strlen(s), "ru", 0, "russia", &t, &err) == 0);
    CHECK(has_term(&t, "<t>"));
    CHECK(has_term(&t, "<o>"));
    CHECK(has_term(&t, "в <t>"));
    long counts[2] = {0, 0};
    CHECK(features_party_mentions(ex, s, strlen(s), counts, &err) == 0);
    CHECK(counts[0] == 1 && counts[1] == 1);
    /* conjoined terms */
    cfg.target_conjoin = 1;
    features_extractor *ex2 = features_extractor_new(&cfg, p, &err);
    term_list_clear(&t);
    CHECK(features_terms(ex2, "план", strlen("план"), "ru", -1, "Hillary", &t, &err) == 0);
    CHECK(has_term(&t, "Hillary|план"));
    term_list_free(&t);
    features_extractor_free(ex);
    features_extractor_free(ex2);
    parties_free(p);
}

static void test_sentences(void)
{
    features_config cfg;
    features_config_default(&cfg);
    features_extractor *ex = features_extractor_new(&cfg, NULL, NULL);
    const char *s = "Headline without a period\n\nThe U.S. envoy arrived. Talks begin Monday!  ";
    text_span *sp = NULL;
    size_t n = 0, cap = 0;
    CHECK(features_sentences(ex, s, strlen(s), &sp, &n, &cap, NULL) == 0);
    CHECK(n == 3);
    if (n == 3) {
        CHECK(strncmp(s + sp[0].start, "Headline without a period", sp[0].end - sp[0].start) == 0);
        CHECK(strncmp(s + sp[1].start, "The U.S. envoy arrived.", sp[1].end - sp[1].start) == 0);
        CHECK(sp[2].end - sp[2].start == strlen("Talks begin Monday!"));
    }
    free(sp);
    features_extractor_free(ex);
}

static void test_vocab(void)
{
    vocab_builder *b = vocab_builder_new();
    term_list t = {0};
    const char *docs[][3] = {{"a", "b", "a"}, {"b", "c", "c"}, {"a", "d", "b"}};
    uint32_t ids[3];
    for (int d = 0; d < 3; d++) {
        term_list_clear(&t);
        for (int i = 0; i < 3; i++) {
            /* build the list through the public layout */
            size_t len = strlen(docs[d][i]);
            t.buf = realloc(t.buf, t.len + len + 1);
            t.offsets = realloc(t.offsets, (t.count + 1) * sizeof *t.offsets);
            memcpy(t.buf + t.len, docs[d][i], len + 1);
            t.offsets[t.count++] = t.len;
            t.len += len + 1;
        }
        CHECK(vocab_builder_add(b, &t, ids, NULL) == 0);
    }
    CHECK(vocab_builder_df(b, ids[0]) == 2); /* "a" in docs 0 and 2 */
    stance_error err = {0};
    int *remap = NULL;
    vocab *v = vocab_builder_finish(b, NULL, 3, 2, 0, &remap, &err);
    CHECK(v && vocab_size(v) == 2); /* a and b: df >= 2 */
    CHECK_STR(vocab_term(v, 1), "a");
    CHECK_STR(vocab_term(v, 2), "b");
    feature_vec fv = {0};
    CHECK(vocab_vectorize(v, &t, 1, 1.0, &fv, NULL) == 0); /* "a d b" */
    CHECK(fv.count == 3 && fv.nodes[0].index == 1 && fv.nodes[1].index == 2);
    CHECK(fv.nodes[2].index == 3 && fv.nodes[2].value == 1.0); /* bias */
    CHECK(fv.nodes[3].index == -1);
    double norm = fv.nodes[0].value * fv.nodes[0].value + fv.nodes[1].value * fv.nodes[1].value;
    CHECK(norm > 0.999999 && norm < 1.000001);
    /* round trip */
    char path[512];
    const char *tmp = getenv("STANCE_TEST_TMP");
    snprintf(path, sizeof path, "%s/vocab.tsv", tmp ? tmp : "/tmp");
    CHECK(vocab_save(v, path, NULL) == 0);
    vocab *w = vocab_load(path, 2, 3, &err);
    CHECK(w && vocab_index(w, "b", 1) == 2 && vocab_idf(w, 1) == vocab_idf(v, 1));
    CHECK(vocab_load(path, 3, 3, &err) == NULL && strstr(err.message, "truncated"));
    CHECK(vocab_builder_finish(b, NULL, 3, 5, 0, NULL, &err) == NULL &&
          err.code == STANCE_ERR_DATA);
    /* NB weighting multiplies the weights in place; a factor that is not > 0 and finite is
     * refused and leaves every weight as it was */
    double idf1 = vocab_idf(v, 1), idf2 = vocab_idf(v, 2);
    double bad[3] = {1.0, 2.0, 0.0}, nan_f[3] = {1.0, NAN, 1.0}, good[3] = {0.0, 0.5, 3.0};
    CHECK(vocab_scale_weights(v, bad, &err) == STANCE_ERR_USAGE);
    CHECK(vocab_scale_weights(v, nan_f, &err) == STANCE_ERR_USAGE);
    CHECK(vocab_idf(v, 1) == idf1 && vocab_idf(v, 2) == idf2);
    CHECK(vocab_scale_weights(v, good, &err) == 0); /* entry 0 is ignored */
    CHECK(vocab_idf(v, 1) == idf1 * 0.5 && vocab_idf(v, 2) == idf2 * 3.0);
    /* the scaled weights are what vocab.tsv keeps and what vectorizing uses */
    CHECK(vocab_save(v, path, NULL) == 0);
    vocab *s = vocab_load(path, 2, 3, &err);
    CHECK(s && vocab_idf(s, 1) == idf1 * 0.5 && vocab_idf(s, 2) == idf2 * 3.0);
    CHECK(vocab_vectorize(s, &t, 1, -1.0, &fv, NULL) == 0); /* "a d b": a, b each once */
    CHECK(fv.count == 2 && fv.nodes[1].value / fv.nodes[0].value > 5.99 * idf2 / idf1 &&
          fv.nodes[1].value / fv.nodes[0].value < 6.01 * idf2 / idf1);
    vocab_free(s);
    vocab_free(w);
    vocab_free(v);
    free(remap);
    feature_vec_free(&fv);
    term_list_free(&t);
    vocab_builder_free(b);
}

static void set_terms(term_list *t, const char *const *terms, size_t n)
{
    term_list_clear(t);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(terms[i]);
        t->buf = realloc(t->buf, t->len + len + 1);
        t->offsets = realloc(t->offsets, (t->count + 1) * sizeof *t->offsets);
        memcpy(t->buf + t->len, terms[i], len + 1);
        t->offsets[t->count++] = t->len;
        t->len += len + 1;
    }
}

/* block normalization: the character n-grams and the other terms each to length 1 */
static void test_block_norm(void)
{
    const char *const doc[] = {"good", "film",  "#<go", "#goo", "#ood",
                               "#od>", "x|#ab", "%|#",  "a %|#"};
    const size_t n = sizeof doc / sizeof *doc;
    term_list t = {0};
    set_terms(&t, doc, n);
    vocab_builder *b = vocab_builder_new();
    CHECK(vocab_builder_add(b, &t, NULL, NULL) == 0);
    stance_error err = {0};
    vocab *v = vocab_builder_finish(b, NULL, 1, 1, 0, NULL, &err);
    CHECK(v && vocab_size(v) == n);
    feature_vec fv = {0};
    double sq[2];
    /* sum of squares of the word block [0] and the char block [1], the blocks as in vocab.h
     * with conjoin on ("x|#ab" a char n-gram; "%|#", "a %|#" punctuation, words) */
#define BLOCKS(conj)                                                                               \
    do {                                                                                           \
        sq[0] = sq[1] = 0;                                                                         \
        for (size_t i = 0; i < fv.count; i++) {                                                    \
            const char *term = vocab_term(v, fv.nodes[i].index);                                   \
            int c = term[0] == '#' || ((conj) && strcmp(term, "x|#ab") == 0);                      \
            sq[c] += fv.nodes[i].value * fv.nodes[i].value;                                        \
        }                                                                                          \
    } while (0)
    CHECK(vocab_vectorize(v, &t, 1, -1.0, &fv, NULL) == 0);
    CHECK(fv.count == n);
    BLOCKS(0);
    CHECK(fabs(sq[0] + sq[1] - 1.0) < 1e-9); /* off: one norm over all */
    CHECK(fabs(sq[1] - 4.0 / 9) < 1e-9);     /* 4 char n-grams of 9 terms, one idf */
    CHECK(vocab_set_block_norm(v, 1, 0, &err) == 0);
    CHECK(vocab_vectorize(v, &t, 1, -1.0, &fv, NULL) == 0);
    BLOCKS(0);
    CHECK(fabs(sq[0] - 1.0) < 1e-9 && fabs(sq[1] - 1.0) < 1e-9);
    CHECK(vocab_set_block_norm(v, 1, 1, &err) == 0);
    CHECK(vocab_vectorize(v, &t, 1, -1.0, &fv, NULL) == 0);
    BLOCKS(1);
    CHECK(fabs(sq[0] - 1.0) < 1e-9 && fabs(sq[1] - 1.0) < 1e-9);
    BLOCKS(0); /* "x|#ab" was normalized with the char block, not the words */
    CHECK(fabs(sq[0] - 1.0) > 1e-3);
    /* a text with words only: the words have length 1, as without blocks */
    const char *const words[] = {"good", "film"};
    set_terms(&t, words, 2);
    CHECK(vocab_vectorize(v, &t, 1, -1.0, &fv, NULL) == 0);
    CHECK(fv.count == 2 && fabs(fv.nodes[0].value * fv.nodes[0].value +
                                fv.nodes[1].value * fv.nodes[1].value - 1.0) < 1e-9);
    /* off again: as before */
    set_terms(&t, doc, n);
    CHECK(vocab_set_block_norm(v, 0, 0, &err) == 0);
    CHECK(vocab_vectorize(v, &t, 1, -1.0, &fv, NULL) == 0);
    BLOCKS(0);
    CHECK(fabs(sq[0] + sq[1] - 1.0) < 1e-9);
#undef BLOCKS
    feature_vec_free(&fv);
    vocab_free(v);
    vocab_builder_free(b);
    term_list_free(&t);
}

/* --split-hashtags and --link-classes: off, nothing changes */
static void test_hashtags_links(void)
{
    features_config cfg;
    features_config_default(&cfg);
    snprintf(cfg.stemming, sizeof cfg.stemming, "%s", "en=snowball:english,*=none");
    cfg.char_ngram_min = 3;
    cfg.char_ngram_max = 3;
    stance_error err = {0};
    features_extractor *off = features_extractor_new(&cfg, NULL, &err);
    cfg.hashtag_split = 1;
    features_extractor *tags = features_extractor_new(&cfg, NULL, &err);
    cfg.hashtag_split = 0;
    cfg.link_classes = 1;
    features_extractor *links = features_extractor_new(&cfg, NULL, &err);
    CHECK(off && tags && links);
    const char *s = "#StopTheWar says @kyivindependent: https://t.co/AbC.d?e=1 talks. "
                    "#lovewins #NATOSummit2023 #IsNotOver";
    term_list a = {0}, b = {0}, c = {0};
    CHECK(features_terms(off, s, strlen(s), "en", -1, NULL, &a, &err) == 0);
    CHECK(features_terms(tags, s, strlen(s), "en", -1, NULL, &b, &err) == 0);
    CHECK(features_terms(links, s, strlen(s), "en", -1, NULL, &c, &err) == 0);
    /* the hashtag stays a word; its words follow it, stemmed, in the n-gram window */
    CHECK(has_term(&a, "stopthewar") && has_term(&b, "stopthewar"));
    CHECK(!has_term(&a, "war") && has_term(&b, "war"));
    CHECK(has_term(&b, "stopthewar stop") && has_term(&b, "stop the"));
    CHECK(has_term(&b, "summit") && has_term(&b, "nato summit") && has_term(&b, "summit 0"));
    CHECK(has_term(&b, "lovewin") && !has_term(&b, "love")); /* no capitals: one word */
    CHECK(has_term(&b, "!over"));                            /* "not" starts negation */
    /* no character n-grams of the words: the hashtag's own spell them */
    CHECK(has_term(&b, "#sto") && !has_term(&b, "#<wa") && !has_term(&a, "#<wa"));
    /* URLs and mentions: one class each, their pieces gone; off, ICU's pieces stay */
    CHECK(has_term(&a, "@kyivindepend") && has_term(&a, "https"));
    CHECK(has_term(&c, "<@>") && has_term(&c, "<url>") && !has_term(&c, "https"));
    CHECK(!has_term(&c, "@kyivindepend") && !has_term(&c, "#<ht"));
    CHECK(has_term(&c, "say <@>") && has_term(&c, "<url> talk")); /* ":" ends a window */
    CHECK(!has_term(&c, "#<@>") && !has_term(&c, "#url"));
    size_t nterm = b.count;
    /* the same text again (a cached extractor, a second call): the same terms */
    term_list_clear(&b);
    CHECK(features_terms(tags, s, strlen(s), "en", -1, NULL, &b, &err) == 0 && b.count == nterm);
    /* a hashtag ICU cuts differently from its body gives no words, and takes none of the next */
    term_list_clear(&b);
    const char *odd = "#don'tStop #GoHome";
    CHECK(features_terms(tags, odd, strlen(odd), "en", -1, NULL, &b, &err) == 0);
    CHECK(has_term(&b, "go home") && !has_term(&b, "stop"));
    term_list_free(&a);
    term_list_free(&b);
    term_list_free(&c);
    features_extractor_free(off);
    features_extractor_free(tags);
    features_extractor_free(links);
    cfg.link_classes = 2;
    CHECK(features_extractor_new(&cfg, NULL, &err) == NULL && strstr(err.message, "link_classes"));
}

int main(void)
{
    test_normalize();
    test_terms();
    test_punct_tokens();
    test_punct_parties();
    test_parties();
    test_sentences();
    test_vocab();
    test_block_norm();
    test_hashtags_links();
    return check_finish();
}
