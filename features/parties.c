#include "parties.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "strmap.h"

#define ALIAS_MAX_WORDS 6
#define ALIAS_MAX_BYTES 200
#define FILTER_BITS 65536
#define FILTER_HEAD 4

typedef struct alias {
    int party;
    int nwords;
    char *words[ALIAS_MAX_WORDS]; /* without the trailing '*' */
    unsigned char prefix[ALIAS_MAX_WORDS];
    char *text; /* as given after normalization, for the manifest */
    int next;   /* next alias with the same first-word key, -1 = end */
} alias;

typedef struct party {
    char *name;
    int *aliases; /* indexes into p->aliases */
    size_t naliases, cap;
} party;

struct parties {
    party *list;
    size_t count, cap;
    alias *aliases;
    size_t naliases, aliases_cap;
    /* First words of aliases, keyed "=word" (exact) or "*prefix" -> first alias index. Lets a
     * token find its candidate aliases with one lookup per distinct prefix length instead of a
     * scan over every alias. */
    strmap *index;
    unsigned char prefix_lens[ALIAS_MAX_BYTES + 1]; /* which prefix byte lengths occur */
    /* A filter on the first (up to) 4 bytes of a token: most words start like no alias, and
     * this answers them with one hash instead of a lookup per prefix length. Off when some
     * prefix alias is shorter than 4 bytes. */
    unsigned char head_bits[FILTER_BITS / 8];
    int filter_off;
};

static uint32_t head_bit(const char *w, size_t len)
{
    return (uint32_t)strmap_hash(w, len < FILTER_HEAD ? len : FILTER_HEAD) % FILTER_BITS;
}

parties *parties_new(void)
{
    parties *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->index = strmap_new(256);
    if (!p->index) {
        free(p);
        return NULL;
    }
    return p;
}

void parties_free(parties *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->list[i].name);
        free(p->list[i].aliases);
    }
    for (size_t i = 0; i < p->naliases; i++) {
        for (int w = 0; w < p->aliases[i].nwords; w++)
            free(p->aliases[i].words[w]);
        free(p->aliases[i].text);
    }
    free(p->list);
    free(p->aliases);
    strmap_free(p->index);
    free(p);
}

int parties_find(const parties *p, const char *name)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->list[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int party_index(parties *p, const char *name, stance_error *err)
{
    int i = parties_find(p, name);
    if (i >= 0)
        return i;
    if (p->count == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 8;
        party *n = realloc(p->list, ncap * sizeof *n);
        if (!n)
            return -stance_error_set(err, STANCE_ERR_NOMEM, "out of memory adding party");
        p->list = n;
        p->cap = ncap;
    }
    party *np = &p->list[p->count];
    memset(np, 0, sizeof *np);
    np->name = strdup(name);
    if (!np->name)
        return -stance_error_set(err, STANCE_ERR_NOMEM, "out of memory adding party");
    return (int)p->count++;
}

static void alias_clear(alias *a)
{
    for (int w = 0; w < a->nwords; w++)
        free(a->words[w]);
    free(a->text);
    memset(a, 0, sizeof *a);
}

/* Splits normalized pattern text into words; '*' at a word's end marks a prefix. Returns 0 (then
 * a->words[0] is set), or -1 with err set, like parties_add_alias: a literal -1 rather than
 * stance_error_set's code, so that the failure is visible here to readers and to the static
 * analyzer, which cannot see into the variadic stance_error_set. */
static int alias_parse(alias *a, const char *norm, stance_error *err)
{
    const char *s = norm;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *e = s;
        while (*e && *e != ' ' && *e != '\t')
            e++;
        if (a->nwords == ALIAS_MAX_WORDS) {
            stance_error_set(err, STANCE_ERR_DATA, "alias \"%s\" has over %d words", norm,
                             ALIAS_MAX_WORDS);
            return -1;
        }
        size_t wl = (size_t)(e - s);
        /* ICU never keeps a final period inside a word token ("U.S." -> "u.s"), so an alias
         * written with one would never match. */
        while (wl > 1 && s[wl - 1] == '.')
            wl--;
        int is_prefix = wl > 1 && s[wl - 1] == '*';
        if (is_prefix)
            wl--;
        if (wl == 0 || (wl == 1 && *s == '*')) {
            stance_error_set(err, STANCE_ERR_DATA, "alias \"%s\" has an empty word", norm);
            return -1;
        }
        a->words[a->nwords] = strndup(s, wl);
        if (!a->words[a->nwords]) {
            stance_error_set(err, STANCE_ERR_NOMEM, "out of memory");
            return -1;
        }
        a->prefix[a->nwords] = (unsigned char)is_prefix;
        a->nwords++;
        s = e;
    }
    if (a->nwords == 0) {
        stance_error_set(err, STANCE_ERR_DATA, "empty alias");
        return -1;
    }
    return 0;
}

int parties_add_alias(parties *p, const char *party_name, const char *pattern, stance_error *err)
{
    size_t plen = strlen(pattern);
    if (plen == 0 || plen > ALIAS_MAX_BYTES) {
        stance_error_set(err, STANCE_ERR_DATA, "alias for %s must have 1 to %d bytes", party_name,
                         ALIAS_MAX_BYTES);
        return -1;
    }
    size_t nlen = 0;
    char *norm = normalize_utf8(pattern, plen, &nlen, err);
    if (!norm)
        return -1;
    if (nlen > ALIAS_MAX_BYTES) {
        /* case folding can grow a pattern (a ligature, U+FDFA): check the folded length */
        stance_error_set(err, STANCE_ERR_DATA, "alias for %s is over %d bytes once normalized",
                         party_name, ALIAS_MAX_BYTES);
        free(norm);
        return -1;
    }
    alias a = {0};
    a.next = -1;
    if (alias_parse(&a, norm, err) != 0) {
        alias_clear(&a);
        free(norm);
        return -1;
    }
    a.text = norm;
    int pi = party_index(p, party_name, err);
    if (pi < 0) {
        alias_clear(&a);
        return -1;
    }
    a.party = pi;
    /* A repeated alias (same party, same text) is harmless but clutters the manifest. */
    party *pt = &p->list[pi];
    for (size_t j = 0; j < pt->naliases; j++)
        if (strcmp(p->aliases[pt->aliases[j]].text, a.text) == 0) {
            alias_clear(&a);
            return pi;
        }
    if (p->naliases == p->aliases_cap) {
        size_t ncap = p->aliases_cap ? p->aliases_cap * 2 : 32;
        alias *n = realloc(p->aliases, ncap * sizeof *n);
        if (!n)
            goto nomem;
        p->aliases = n;
        p->aliases_cap = ncap;
    }
    if (pt->naliases == pt->cap) {
        size_t ncap = pt->cap ? pt->cap * 2 : 8;
        int *n = realloc(pt->aliases, ncap * sizeof *n);
        if (!n)
            goto nomem;
        pt->aliases = n;
        pt->cap = ncap;
    }
    char key[ALIAS_MAX_BYTES + 8];
    size_t w0 = strlen(a.words[0]);
    key[0] = a.prefix[0] ? '*' : '=';
    memcpy(key + 1, a.words[0], w0);
    int inserted = 0;
    int64_t *head = strmap_upsert(p->index, key, w0 + 1, -1, &inserted);
    if (!head)
        goto nomem;
    int idx = (int)p->naliases;
    a.next = (int)*head;
    *head = idx;
    if (a.prefix[0] && w0 <= ALIAS_MAX_BYTES)
        p->prefix_lens[w0] = 1;
    if (a.prefix[0] && w0 < FILTER_HEAD) {
        p->filter_off = 1;
    } else {
        uint32_t bit = head_bit(a.words[0], w0);
        p->head_bits[bit / 8] |= (unsigned char)(1u << (bit % 8));
    }
    p->aliases[p->naliases++] = a;
    pt->aliases[pt->naliases++] = idx;
    return pi;
nomem:
    alias_clear(&a);
    stance_error_set(err, STANCE_ERR_NOMEM, "out of memory adding alias");
    return -1;
}

int parties_load_tsv(parties *p, const char *path, stance_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return stance_error_set(err, STANCE_ERR_IO, "%s: cannot open alias file", path);
    char line[1024];
    long lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            rc = stance_error_set(err, STANCE_ERR_DATA, "%s:%ld: line too long", path, lineno);
            break;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab || tab == line || !tab[1]) {
            rc = stance_error_set(err, STANCE_ERR_DATA, "%s:%ld: expected \"party<TAB>alias\"",
                                  path, lineno);
            break;
        }
        *tab = '\0';
        if (parties_add_alias(p, line, tab + 1, err) < 0) {
            char where[300];
            snprintf(where, sizeof where, "%s:%ld", path, lineno);
            stance_error_prefix(err, where);
            rc = err ? err->code : STANCE_ERR_DATA;
            break;
        }
    }
    if (!rc && ferror(f))
        rc = stance_error_set(err, STANCE_ERR_IO, "%s: read error", path);
    fclose(f);
    return rc;
}

size_t parties_count(const parties *p)
{
    return p ? p->count : 0;
}

const char *parties_name(const parties *p, size_t i)
{
    return p->list[i].name;
}

size_t parties_alias_count(const parties *p, size_t i)
{
    return p->list[i].naliases;
}

const char *parties_alias(const parties *p, size_t i, size_t j)
{
    return p->aliases[p->list[i].aliases[j]].text;
}

static int word_matches(const alias *a, int w, const char *tok)
{
    if (a->prefix[w])
        return strncmp(tok, a->words[w], strlen(a->words[w])) == 0;
    return strcmp(tok, a->words[w]) == 0;
}

/* Follows one candidate chain and keeps the longest alias that matches at pos. */
static void try_chain(const parties *p, int64_t head, const char *const *tokens, size_t ntokens,
                      size_t pos, int *best_party, size_t *best_len)
{
    for (int i = (int)head; i >= 0; i = p->aliases[i].next) {
        const alias *a = &p->aliases[i];
        if (pos + (size_t)a->nwords > ntokens || (size_t)a->nwords <= *best_len)
            continue;
        int ok = 1;
        for (int w = 1; w < a->nwords && ok; w++)
            ok = word_matches(a, w, tokens[pos + (size_t)w]);
        if (ok) {
            *best_party = a->party;
            *best_len = (size_t)a->nwords;
        }
    }
}

int parties_match(const parties *p, const char *const *tokens, size_t ntokens, size_t pos,
                  size_t *matched)
{
    *matched = 0;
    if (!p || pos >= ntokens || p->naliases == 0)
        return -1;
    const char *tok = tokens[pos];
    size_t tl = strlen(tok);
    if (tl > ALIAS_MAX_BYTES)
        return -1;
    if (!p->filter_off) {
        uint32_t bit = head_bit(tok, tl);
        if (!(p->head_bits[bit / 8] & (1u << (bit % 8))))
            return -1;
    }
    char key[ALIAS_MAX_BYTES + 2];
    int best = -1;
    size_t best_len = 0;
    key[0] = '=';
    memcpy(key + 1, tok, tl);
    int64_t head = strmap_get(p->index, key, tl + 1);
    if (head >= 0)
        try_chain(p, head, tokens, ntokens, pos, &best, &best_len);
    key[0] = '*';
    for (size_t l = 1; l <= tl; l++) {
        if (!p->prefix_lens[l])
            continue;
        head = strmap_get(p->index, key, l + 1);
        if (head >= 0)
            try_chain(p, head, tokens, ntokens, pos, &best, &best_len);
    }
    *matched = best_len;
    return best;
}
