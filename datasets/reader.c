/*
 * reader.c - streaming CSV / JSONL / TEXT record readers (see reader.h).
 *
 * Layout: a byte_source gives bytes from a file descriptor or a memory buffer
 * through one fixed read buffer; per-format functions turn those bytes into
 * one record at a time in a scratch buffer that never grows past
 * max_record_bytes (plus one NUL per stored field); a record is then copied
 * out into malloc() blocks the caller owns.
 *
 * Files are read with read(2), not stdio, so that a record arriving on a pipe
 * is returned as soon as its end has arrived (fread would wait for a full
 * buffer), which keeps `producer | stance-predict` interactive.
 */
#include "reader.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"

#define READ_CHUNK ((size_t)64 * 1024)
#define SRC_EOF (-1)
#define SRC_ERR (-2)

/* ---------------------------------------------------------------- sources */

typedef struct byte_source {
    int fd;                    /* -1 for memory */
    int owns_fd;               /* 0 for stdin */
    const unsigned char *data; /* the bytes not yet consumed are data[pos..len) */
    size_t len, pos;
    unsigned char *buf; /* read buffer (fd sources) */
    int eof;
    int read_errno; /* errno of a failed read(), 0 if none */
} byte_source;

/* Reads more bytes, keeping the unconsumed ones. Returns 1 if any were added, 0 at end of input,
 * -1 on a read error. */
static int src_fill(byte_source *s)
{
    if (s->eof || s->read_errno)
        return s->read_errno ? -1 : 0;
    if (s->fd < 0) {
        s->eof = 1;
        return 0;
    }
    size_t keep = s->len - s->pos;
    if (keep && s->pos)
        memmove(s->buf, s->buf + s->pos, keep);
    s->len = keep;
    s->pos = 0;
    if (keep == READ_CHUNK)
        return 1; /* full already; callers only need a few bytes */
    for (;;) {
        ssize_t n = read(s->fd, s->buf + s->len, READ_CHUNK - s->len);
        if (n > 0) {
            s->len += (size_t)n;
            return 1;
        }
        if (n == 0) {
            s->eof = 1;
            return 0;
        }
        if (errno == EINTR)
            continue;
        s->read_errno = errno ? errno : EIO;
        return -1;
    }
}

static int src_get_slow(byte_source *s)
{
    int rc = src_fill(s);
    if (rc < 0)
        return SRC_ERR;
    if (rc == 0 || s->pos >= s->len)
        return SRC_EOF;
    return s->data[s->pos++];
}

/* The next byte (0..255), SRC_EOF or SRC_ERR. */
static inline int src_get(byte_source *s)
{
    if (s->pos < s->len)
        return s->data[s->pos++];
    return src_get_slow(s);
}

/* The next byte without consuming it, SRC_EOF or SRC_ERR. */
static inline int src_peek(byte_source *s)
{
    if (s->pos < s->len)
        return s->data[s->pos];
    int c = src_get_slow(s);
    if (c >= 0)
        s->pos--;
    return c;
}

/* Makes at least n (<= READ_CHUNK) unconsumed bytes available unless the input ends first.
 * Returns the number available, or -1 on a read error. */
static long src_ensure(byte_source *s, size_t n)
{
    while (s->len - s->pos < n) {
        int rc = src_fill(s);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
    }
    return (long)(s->len - s->pos);
}

static void src_close(byte_source *s)
{
    if (s->owns_fd && s->fd >= 0)
        close(s->fd);
    free(s->buf);
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

/* ------------------------------------------------------------------ UTF-8 */

/* Incremental UTF-8 validator (RFC 3629): rejects overlong forms, surrogates, code points above
 * U+10FFFF, stray continuation bytes and truncated sequences. The bounds for the next byte
 * encode the rules, so each byte costs one comparison pair. */
typedef struct utf8_check {
    unsigned need;    /* continuation bytes still expected */
    unsigned lo, hi;  /* allowed range of the next continuation byte */
    size_t seq_start; /* offset of the lead byte of the current sequence */
} utf8_check;

/* Returns 0 if byte c at offset off keeps the text valid so far, -1 if not. */
static inline int utf8_step(utf8_check *u, unsigned c, size_t off)
{
    if (u->need == 0) {
        if (c < 0x80)
            return 0;
        u->seq_start = off;
        u->lo = 0x80;
        u->hi = 0xBF;
        if (c < 0xC2) /* stray continuation byte, or overlong C0/C1 lead */
            return -1;
        if (c < 0xE0) {
            u->need = 1;
        } else if (c < 0xF0) {
            u->need = 2;
            if (c == 0xE0)
                u->lo = 0xA0; /* overlong 3-byte form */
            else if (c == 0xED)
                u->hi = 0x9F; /* surrogates U+D800..DFFF */
        } else if (c < 0xF5) {
            u->need = 3;
            if (c == 0xF0)
                u->lo = 0x90; /* overlong 4-byte form */
            else if (c == 0xF4)
                u->hi = 0x8F; /* above U+10FFFF */
        } else {
            return -1;
        }
        return 0;
    }
    if (c < u->lo || c > u->hi)
        return -1;
    u->need--;
    u->lo = 0x80;
    u->hi = 0xBF;
    return 0;
}

/* Validates a whole buffer. Returns 1 if valid, else 0 and the offset of the bad sequence
 * (its lead byte; the byte itself for a stray one). The same rules as utf8_step, a sequence at
 * a time, and eight ASCII bytes at a time: every input byte passes here at least once, on the
 * reading thread that feeds the scoring threads. */
static int utf8_valid(const unsigned char *s, size_t n, size_t *bad_off)
{
    size_t i = 0;
    while (i < n) {
        uint64_t word;
        if (i + 8 <= n) {
            memcpy(&word, s + i, 8);
            if (!(word & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
            i += 2; /* two bytes, the common case of Cyrillic, Greek, Latin accents */
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0xC2) { /* stray continuation byte, or overlong C0/C1 lead */
            *bad_off = i;
            return 0;
        } else if (c < 0xE0) {
            need = 1;
        } else if (c < 0xF0) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong 3-byte form */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates U+D800..DFFF */
        } else if (c < 0xF5) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong 4-byte form */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            *bad_off = i;
            return 0;
        }
        for (size_t k = 1; k <= need; k++) {
            /* truncated at the end, or a bad continuation: the sequence is at fault */
            if (i + k >= n || s[i + k] < lo || s[i + k] > hi) {
                *bad_off = i;
                return 0;
            }
            lo = 0x80;
            hi = 0xBF;
        }
        i += need + 1;
    }
    return 1;
}

/* Decodes one code point from valid UTF-8 at s (n > 0 bytes); sets *len. */
static uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
    unsigned c = s[0];
    size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (k > n)
        k = n;
    uint32_t cp = k == 1 ? c : k == 2 ? (c & 0x1F) : k == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t i = 1; i < k; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    *len = k;
    return cp;
}

static int is_unicode_space(uint32_t cp)
{
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D))
        return 1;
    switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x180E:
    case 0x200B: /* zero-width space: invisible, so a text of only these is empty too */
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* True when valid UTF-8 text holds nothing but white space. */
static int text_is_blank(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        size_t k;
        if (!is_unicode_space(utf8_decode(s + i, n - i, &k)))
            return 0;
        i += k;
    }
    return 1;
}

/* ----------------------------------------------------------------- reader */

typedef enum { INPUT_PATHS, INPUT_STDIN, INPUT_MEMORY } input_kind;

struct reader {
    /* options, defaults resolved, strings copied */
    char *text_field, *id_field;
    size_t max_record_bytes;
    int require_text;
    reader_format fmt; /* as requested */

    input_kind kind;
    const char *mem;
    size_t mem_len;
    char **paths; /* the file, or a directory's files; kept until close for rec->path */
    size_t npaths, next_path;
    int from_dir;
    int failed; /* a fatal error was returned */

    /* the file being read */
    int file_open;
    const char *path;
    reader_format cur_fmt;
    byte_source src;
    long line; /* line of the next unconsumed byte */
    unsigned long recno;
    int text_done;  /* TEXT: its one record was returned */
    char **columns; /* CSV header names (one block with their text) */
    size_t ncolumns;
    long text_col, id_col; /* -1 when absent */

    /* scratch for the record being read */
    unsigned char *buf;
    size_t buf_len, buf_cap;
    size_t *field_off;
    size_t nfield_off, field_off_cap;
    /* JSONL lines read by jsonl_flat: their decoded strings, and each member's spans in them */
    char *flat;
    size_t flat_cap;
    struct flat_member {
        const char *name, *value; /* into the line, or into flat when decoded */
        size_t name_len, value_len;
    } * members;
    size_t members_cap;
};

/* A problem with one record or file, gathered while reading it. */
typedef struct problem {
    int set;
    char msg[256];
} problem;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
problem_set(problem *p, const char *fmt, ...)
{
    if (p->set)
        return; /* the first problem is the one worth reporting */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
    p->set = 1;
}

static int buf_reserve(reader *r, size_t extra)
{
    if (r->buf_cap - r->buf_len >= extra)
        return 0;
    size_t want = r->buf_len + extra;
    size_t cap = r->buf_cap ? r->buf_cap : 4096;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    unsigned char *p = realloc(r->buf, cap);
    if (!p)
        return -1;
    r->buf = p;
    r->buf_cap = cap;
    return 0;
}

static int off_push(reader *r, size_t off)
{
    if (r->nfield_off == r->field_off_cap) {
        size_t cap = r->field_off_cap ? r->field_off_cap * 2 : 64;
        size_t *p = realloc(r->field_off, cap * sizeof *p);
        if (!p)
            return -1;
        r->field_off = p;
        r->field_off_cap = cap;
    }
    r->field_off[r->nfield_off++] = off;
    return 0;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static char *dup_str(const char *s)
{
    return dup_n(s, strlen(s));
}

/* "dir/a.b.txt" -> "a.b" (malloc'd). */
static char *stem_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return dup_n(base, n);
}

static int ext_is(const char *path, const char *ext)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base && strcasecmp(dot, ext) == 0;
}

static reader_format format_from_name(const char *path)
{
    if (ext_is(path, ".txt"))
        return READER_TEXT;
    if (ext_is(path, ".jsonl") || ext_is(path, ".ndjson"))
        return READER_JSONL;
    if (ext_is(path, ".csv"))
        return READER_CSV;
    return READER_AUTO;
}

/* ------------------------------------------------------------- record out */

void record_clear(record *rec)
{
    if (!rec)
        return;
    free(rec->id);
    free(rec->text);
    free(rec->names); /* the block holding names, values and their strings */
    memset(rec, 0, sizeof *rec);
}

const char *record_get(const record *rec, const char *name)
{
    if (!rec || !name)
        return NULL;
    for (size_t i = 0; i < rec->nfields; i++)
        if (strcmp(rec->names[i], name) == 0)
            return rec->values[i];
    return NULL;
}

/* Builds the names/values block from nfields pairs. Returns 0 or -1 (out of memory). */
static int record_set_fields(record *rec, size_t n, const char *const *names,
                             const size_t *name_lens, const char *const *values,
                             const size_t *value_lens)
{
    if (n == 0)
        return 0;
    size_t bytes = 2 * n * sizeof(char *);
    for (size_t i = 0; i < n; i++)
        bytes += name_lens[i] + value_lens[i] + 2;
    char **block = malloc(bytes);
    if (!block)
        return -1;
    char *text = (char *)(block + 2 * n);
    for (size_t i = 0; i < n; i++) {
        block[i] = text;
        memcpy(text, names[i], name_lens[i]);
        text[name_lens[i]] = '\0';
        text += name_lens[i] + 1;
        block[n + i] = text;
        memcpy(text, values[i], value_lens[i]);
        text[value_lens[i]] = '\0';
        text += value_lens[i] + 1;
    }
    rec->names = block;
    rec->values = block + n;
    rec->nfields = n;
    return 0;
}

/* Sets rec->id to a copy of id (if usable: non-empty, NUL-free, valid UTF-8) or the record
 * number. Returns 0 or -1 (out of memory). */
static int record_set_id(record *rec, const char *id, size_t n, unsigned long recno)
{
    size_t bad;
    if (id && n > 0 && !memchr(id, '\0', n) && utf8_valid((const unsigned char *)id, n, &bad)) {
        rec->id = dup_n(id, n);
    } else {
        char num[32];
        snprintf(num, sizeof num, "%lu", recno);
        rec->id = dup_str(num);
    }
    return rec->id ? 0 : -1;
}

static void record_fail(record *rec, const char *msg)
{
    free(rec->text);
    rec->text = NULL;
    rec->text_len = 0;
    free(rec->names);
    rec->names = rec->values = NULL;
    rec->nfields = 0;
    rec->error_code = STANCE_ERR_DATA;
    snprintf(rec->error, sizeof rec->error, "%s", msg);
}

/* Checks a record's decoded text and keeps a copy. Returns 0, or -1 out of memory. */
static int record_keep_text(record *rec, const char *text, size_t n);

static int record_set_text(record *rec, const char *text, size_t n)
{
    size_t bad;
    if (!utf8_valid((const unsigned char *)text, n, &bad)) {
        char msg[64];
        snprintf(msg, sizeof msg, "invalid UTF-8 at byte offset %zu of the text", bad);
        record_fail(rec, msg);
        return 0;
    }
    return record_keep_text(rec, text, n);
}

/* record_set_text for a text known to be valid UTF-8 (a piece of a line already checked). */
static int record_keep_text(record *rec, const char *text, size_t n)
{
    if (text_is_blank(text, n)) {
        record_fail(rec, "empty text");
        return 0;
    }
    rec->text = dup_n(text, n);
    if (!rec->text)
        return -1;
    rec->text_len = n;
    return 0;
}

static int nomem(stance_error *err, const reader *r)
{
    stance_error_set(err, STANCE_ERR_NOMEM, "%s: out of memory", r->path ? r->path : "reader");
    return -1;
}

/* -------------------------------------------------------------------- CSV */

typedef struct csv_row {
    long line;        /* where the row starts */
    size_t nfields;   /* fields seen */
    size_t nstored;   /* fields whose text is in r->buf at r->field_off[i] */
    size_t complete;  /* fields [0, complete) were stored whole */
    int first_quoted; /* the first field was quoted */
    problem prob;
} csv_row;

/* Reads one CSV row (RFC 4180, plus CR-only line ends) into r->buf / r->field_off, storing at
 * most max_stored fields. Keeps parsing after a problem so that the next call starts at the next
 * row: that is the resynchronisation promised for bad rows. Returns 1 = a row, 0 = end of input,
 * -1 = read error, -2 = out of memory. */
static int csv_read_row(reader *r, csv_row *row, size_t max_stored)
{
    enum { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE } state = FIELD_START;
    byte_source *s = &r->src;
    utf8_check u = {0, 0x80, 0xBF, 0};
    size_t off = 0; /* offset of c in the row */
    int storing = 0, overflow = 0;

    memset(row, 0, sizeof *row);
    r->buf_len = 0;
    r->nfield_off = 0;
    int c = src_get(s);
    if (c == SRC_EOF)
        return 0;
    if (c == SRC_ERR)
        return -1;
    row->line = r->line;

    for (;; c = src_get(s), off++) {
        if (c == SRC_ERR)
            return -1;
        if (c == SRC_EOF) {
            if (state == QUOTED)
                problem_set(&row->prob, "unterminated quoted field (opened on line %ld)",
                            row->line);
            break;
        }
        if (off >= r->max_record_bytes && !overflow) {
            overflow = 1;
            problem_set(&row->prob, "record longer than %zu bytes", r->max_record_bytes);
        }
        if (c == 0)
            problem_set(&row->prob, "NUL byte at byte offset %zu", off);
        else if ((c >= 0x80 || u.need) && utf8_step(&u, (unsigned)c, off) != 0)
            problem_set(&row->prob, "invalid UTF-8 at byte offset %zu", u.need ? u.seq_start : off);

        if (state == FIELD_START) {
            storing = !overflow && row->nstored < max_stored;
            if (storing) {
                if (off_push(r, r->buf_len) != 0)
                    return -2;
                row->nstored++;
            }
            if (c == '"') {
                if (row->nfields == 0)
                    row->first_quoted = 1;
                state = QUOTED;
                continue;
            }
            state = UNQUOTED;
        }
        int end_field = 0, end_row = 0, append = 0;
        switch (state) {
        case UNQUOTED:
        case AFTER_QUOTE:
            if (c == ',') {
                end_field = 1;
            } else if (c == '\n' || c == '\r') {
                end_row = 1;
            } else if (state == AFTER_QUOTE) {
                problem_set(&row->prob,
                            "unexpected character after closing quote at byte offset %zu", off);
                state = UNQUOTED;
                append = 1;
            } else {
                if (c == '"')
                    problem_set(&row->prob, "quote inside unquoted field at byte offset %zu", off);
                append = 1;
            }
            break;
        case QUOTED:
            if (c == '"') {
                int next = src_peek(s);
                if (next == '"') {
                    src_get(s);
                    off++;
                    append = 1;
                } else {
                    state = AFTER_QUOTE;
                }
            } else {
                if (c == '\n' || (c == '\r' && src_peek(s) != '\n'))
                    r->line++;
                append = 1;
            }
            break;
        default:
            break;
        }
        if (append && storing && c != 0) {
            if (off >= r->max_record_bytes) {
                /* cut here: terminate what was stored, store nothing more */
                if (buf_reserve(r, 1) != 0)
                    return -2;
                r->buf[r->buf_len++] = '\0';
                storing = 0;
            } else {
                if (buf_reserve(r, 1) != 0)
                    return -2;
                r->buf[r->buf_len++] = (unsigned char)c;
            }
        }
        if (end_field || end_row) {
            if (storing) {
                if (buf_reserve(r, 1) != 0)
                    return -2;
                r->buf[r->buf_len++] = '\0';
                if (row->complete == row->nfields)
                    row->complete++;
            }
            row->nfields++;
            storing = 0;
            state = FIELD_START;
        }
        if (end_row) {
            if (c == '\r' && src_peek(s) == '\n')
                src_get(s);
            r->line++;
            break;
        }
    }
    /* end of input ends the last field (a row always has at least one) */
    if (c == SRC_EOF) {
        if (state == FIELD_START && row->nfields > 0) {
            /* "a,b,<EOF>": the empty last field was never started */
            if (!overflow && row->nstored < max_stored) {
                if (off_push(r, r->buf_len) != 0)
                    return -2;
                row->nstored++;
                storing = 1;
            }
        }
        if (state != FIELD_START || row->nfields > 0) {
            if (storing) {
                if (buf_reserve(r, 1) != 0)
                    return -2;
                r->buf[r->buf_len++] = '\0';
                if (row->complete == row->nfields)
                    row->complete++;
            }
            row->nfields++;
        }
    }
    if (u.need)
        problem_set(&row->prob, "invalid UTF-8 at byte offset %zu", u.seq_start);
    return 1;
}

static const char *csv_field(const reader *r, size_t i)
{
    return (const char *)r->buf + r->field_off[i];
}

/* True for a row that is one unquoted field of only spaces/tabs: a blank line. */
static int csv_row_blank(const reader *r, const csv_row *row)
{
    if (row->nfields != 1 || row->first_quoted || row->prob.set || row->complete != 1)
        return 0;
    for (const char *p = csv_field(r, 0); *p; p++)
        if (*p != ' ' && *p != '\t')
            return 0;
    return 1;
}

/* Reads the header (after any blank lines) and finds the text and id columns. Returns 0, -1 read
 * error, -2 out of memory, or 1 with *prob set (a bad header). */
static int csv_read_header(reader *r, problem *prob, long *prob_line)
{
    csv_row row;
    int rc;
    do {
        rc = csv_read_row(r, &row, READER_MAX_COLUMNS + 1);
    } while (rc == 1 && csv_row_blank(r, &row));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return 0; /* empty file: no header, no records */
    *prob_line = row.line;
    if (row.prob.set) {
        problem_set(prob, "bad CSV header: %s", row.prob.msg);
        return 1;
    }
    if (row.nfields > READER_MAX_COLUMNS) {
        problem_set(prob, "CSV header has more than %zu columns", READER_MAX_COLUMNS);
        return 1;
    }
    size_t bytes = row.nfields * sizeof(char *) + r->buf_len;
    char **cols = malloc(bytes ? bytes : 1);
    if (!cols)
        return -2;
    char *text = (char *)(cols + row.nfields);
    memcpy(text, r->buf, r->buf_len);
    for (size_t i = 0; i < row.nfields; i++)
        cols[i] = text + r->field_off[i];
    r->columns = cols;
    r->ncolumns = row.nfields;
    for (size_t i = 0; i < row.nfields; i++) {
        if (strcmp(cols[i], r->text_field) == 0) {
            if (r->text_col >= 0) {
                problem_set(prob, "the text column \"%s\" appears twice in the header",
                            r->text_field);
                return 1;
            }
            r->text_col = (long)i;
        }
        if (strcmp(cols[i], r->id_field) == 0 && r->id_col < 0)
            r->id_col = (long)i;
    }
    if (r->text_col < 0 && r->require_text) {
        problem_set(prob, "no \"%s\" column in the CSV header", r->text_field);
        return 1;
    }
    return 0;
}

static int csv_next(reader *r, record *rec, stance_error *err)
{
    csv_row row;
    int rc;
    if (r->ncolumns == 0)
        return 0; /* empty file */
    do {
        rc = csv_read_row(r, &row, r->ncolumns);
    } while (rc == 1 && csv_row_blank(r, &row));
    if (rc == -2)
        return nomem(err, r);
    if (rc <= 0)
        return rc;
    r->recno++;
    rec->line = row.line;
    if (!row.prob.set && row.nfields != r->ncolumns)
        problem_set(&row.prob, "row has %zu fields, header has %zu", row.nfields, r->ncolumns);

    const char *id = NULL;
    size_t id_len = 0;
    if (r->id_col >= 0 && (size_t)r->id_col < row.complete) {
        id = csv_field(r, (size_t)r->id_col);
        id_len = strlen(id);
    }
    if (record_set_id(rec, id, id_len, r->recno) != 0)
        return nomem(err, r);
    if (row.prob.set) {
        record_fail(rec, row.prob.msg);
        return 1;
    }
    if (r->text_col >= 0) {
        const char *text = csv_field(r, (size_t)r->text_col);
        if (record_set_text(rec, text, strlen(text)) != 0)
            return nomem(err, r);
        if (rec->error_code)
            return 1;
    } else {
        rec->text = dup_str("");
        if (!rec->text)
            return nomem(err, r);
    }

    /* fields: every column but the text, pointing into the scratch buffer */
    size_t n = r->ncolumns - (r->text_col >= 0 ? 1 : 0);
    if (n) {
        const char **names = malloc(n * sizeof *names);
        const char **values = malloc(n * sizeof *values);
        size_t *nl = malloc(n * sizeof *nl), *vl = malloc(n * sizeof *vl);
        int bad = !names || !values || !nl || !vl;
        size_t k = 0;
        for (size_t i = 0; !bad && i < r->ncolumns; i++) {
            if ((long)i == r->text_col)
                continue;
            names[k] = r->columns[i];
            nl[k] = strlen(names[k]);
            values[k] = csv_field(r, i);
            vl[k] = strlen(values[k]);
            k++;
        }
        /* k, not n: the pairs the loop filled (they are the same count) */
        if (!bad)
            bad = record_set_fields(rec, k, names, nl, values, vl) != 0;
        free(names);
        free(values);
        free(nl);
        free(vl);
        if (bad)
            return nomem(err, r);
    }
    return 1;
}

/* ------------------------------------------------------------------ JSONL */

/* Reads one line (without its '\n') into r->buf, NUL-terminated; stores at most
 * max_record_bytes of it and skips the rest. Returns 1, 0 = end of input, -1 read error,
 * -2 out of memory. *too_long is set when the line was cut. */
static int jsonl_read_line(reader *r, int *too_long)
{
    byte_source *s = &r->src;
    size_t total = 0;
    int any = 0;
    r->buf_len = 0;
    *too_long = 0;
    for (;;) {
        if (s->pos >= s->len) {
            int rc = src_fill(s);
            if (rc < 0)
                return -1;
            if (rc == 0 || s->pos >= s->len)
                break;
        }
        any = 1;
        const unsigned char *start = s->data + s->pos;
        size_t avail = s->len - s->pos;
        const unsigned char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        if (!*too_long) {
            if (total + take > r->max_record_bytes) {
                *too_long = 1;
            } else {
                if (buf_reserve(r, take + 1) != 0)
                    return -2;
                memcpy(r->buf + r->buf_len, start, take);
                r->buf_len += take;
            }
        }
        total += take;
        s->pos += take + (nl ? 1 : 0);
        if (nl)
            break;
    }
    if (!any)
        return 0;
    if (buf_reserve(r, 1) != 0)
        return -2;
    r->buf[r->buf_len] = '\0';
    return 1;
}

/* Formats a JSON number like "%.17g" without the noise: integers in full ("3", "100"), others
 * with the fewest digits that read back to the same double ("0.1", "1e+300"). The decimal point
 * is always '.', whatever the locale (snprintf and strtod here follow the locale, and so does
 * cJSON's own strtod, so the round trip is checked in the locale and the point fixed after). */
static void format_number(double v, char *out, size_t size)
{
    if (v > -1e17 && v < 1e17 && v == (double)(long long)v) {
        snprintf(out, size, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    /* replace a locale's decimal separator (one or more bytes) with '.' */
    char *p = out, *q = out;
    int replaced = 0;
    while (*p) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x80 && (isalnum(ch) || ch == '-' || ch == '+')) {
            *q++ = *p++;
            replaced = 0;
        } else {
            if (!replaced)
                *q++ = '.';
            replaced = 1;
            p++;
        }
    }
    *q = '\0';
}

/* True when the (valid JSON) line has a \u0000 escape: cJSON would cut the string there. */
static int json_has_nul_escape(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '\\')
            continue;
        if (s[i + 1] == 'u' && i + 5 < n && memcmp(s + i + 2, "0000", 4) == 0)
            return 1;
        i++; /* skip the escaped character, so "\\u0000" is not taken for an escape */
    }
    return 0;
}

/* The JSON string starting after its opening quote at s[*at]: *str, *len are the string
 * itself in the line when it has no escape (most do), else its decoding into r->flat at *out.
 * Only what cJSON decodes the same way: plain bytes and the one-character escapes. Returns 1
 * with *at after the closing quote, or 0 to leave the line to cJSON (a \u escape, a control
 * character, an unknown escape, no closing quote). */
/* The first i >= from where s[i] is '"', '\\' or a control character, or n. Eight bytes at a
 * time: most strings are a text of a few hundred bytes without any of them. */
static size_t flat_special(const unsigned char *s, size_t n, size_t from)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    size_t i = from;
    while (i + 8 <= n) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
        /* a zero byte in q or b, or a byte under 0x20 in x (bytes >= 0x80 never count) */
        uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x);
        if (hit & highs)
            break;
        i += 8;
    }
    while (i < n && s[i] != '"' && s[i] != '\\' && s[i] >= 0x20)
        i++;
    return i;
}

static int flat_string(reader *r, const unsigned char *s, size_t n, size_t *at, size_t *out,
                       const char **str, size_t *len)
{
    size_t i = flat_special(s, n, *at), o = *out, first = *at;
    if (i < n && s[i] == '"') { /* no escape: the bytes of the line */
        *str = (const char *)s + first;
        *len = i - first;
        *at = i + 1;
        return 1;
    }
    i = first;
    for (;;) {
        size_t run = flat_special(s, n, i);
        memcpy(r->flat + o, s + i, run - i);
        o += run - i;
        i = run;
        if (i >= n || s[i] < 0x20)
            return 0;
        if (s[i] == '"')
            break;
        if (i + 1 >= n)
            return 0;
        char c;
        switch (s[i + 1]) {
        case '"':
        case '\\':
        case '/':
            c = (char)s[i + 1];
            break;
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        default:
            return 0;
        }
        r->flat[o++] = c;
        i += 2;
    }
    *str = r->flat + *out;
    *len = o - *out;
    *at = i + 1;
    *out = o;
    return 1;
}

static size_t flat_space(const unsigned char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

static int flat_is(const struct flat_member *m, const char *name)
{
    size_t n = strlen(name);
    return m->name_len == n && memcmp(m->name, name, n) == 0;
}

/* The common JSONL line, without cJSON: one object whose members are all strings, none with
 * a \u escape, and with a text member. Parsing such a line into a tree, looking its members up
 * and deleting the tree was most of the reading thread's time, and the reading thread shares
 * the machine with the scoring threads. The record is the one the general path below makes
 * of the same line: the id and text from the first member of each name, every other member a
 * field, in order. Returns 1 (rec filled), 0 (not such a line, and rec untouched: the caller
 * takes the general path) or -1 (out of memory). s[0..n) is valid UTF-8 without NUL bytes. */
static int jsonl_flat(reader *r, record *rec, const unsigned char *s, size_t n)
{
    /* decoded strings are never longer than their JSON text; flat never moves while parsing */
    if (stance_grow((void **)&r->flat, &r->flat_cap, n + 1, 1) != 0)
        return -1;
    size_t i = flat_space(s, n, 0), out = 0, nm = 0;
    if (i >= n || s[i] != '{')
        return 0;
    i = flat_space(s, n, i + 1);
    for (;;) {
        if (i >= n || s[i] != '"')
            return 0; /* also the empty object: the general path words its error */
        if (stance_grow((void **)&r->members, &r->members_cap, nm + 1, sizeof *r->members) != 0)
            return -1;
        struct flat_member *m = &r->members[nm];
        i++;
        if (!flat_string(r, s, n, &i, &out, &m->name, &m->name_len))
            return 0;
        i = flat_space(s, n, i);
        if (i >= n || s[i] != ':')
            return 0;
        i = flat_space(s, n, i + 1);
        if (i >= n || s[i] != '"')
            return 0; /* a number, a bool, null, an array or an object */
        i++;
        if (!flat_string(r, s, n, &i, &out, &m->value, &m->value_len))
            return 0;
        nm++;
        i = flat_space(s, n, i);
        if (i < n && s[i] == ',') {
            i = flat_space(s, n, i + 1);
            continue;
        }
        if (i < n && s[i] == '}')
            break;
        return 0;
    }
    if (flat_space(s, n, i + 1) < n)
        return 0; /* text after the object */
    long id = -1, text = -1;
    for (size_t k = 0; k < nm; k++) {
        if (id < 0 && flat_is(&r->members[k], r->id_field))
            id = (long)k;
        if (text < 0 && flat_is(&r->members[k], r->text_field))
            text = (long)k;
    }
    if (text < 0)
        return 0;
    const struct flat_member *tm = &r->members[text];
    if (record_set_id(rec, id >= 0 ? r->members[id].value : NULL,
                      id >= 0 ? r->members[id].value_len : 0, r->recno) != 0 ||
        /* valid UTF-8: runs of the valid line between ASCII quotes, and ASCII escapes */
        record_keep_text(rec, tm->value, tm->value_len) != 0)
        return -1;
    if (rec->error_code || nm == 1)
        return 1;
    /* names[0..nm-1) then values[0..nm-1), each with its length */
    const char **strs = malloc(2 * (nm - 1) * sizeof *strs);
    size_t *lens = malloc(2 * (nm - 1) * sizeof *lens);
    int rc = strs && lens ? 0 : -1;
    for (size_t k = 0, f = 0; !rc && k < nm; k++) {
        if ((long)k == text)
            continue;
        strs[f] = r->members[k].name;
        lens[f] = r->members[k].name_len;
        strs[nm - 1 + f] = r->members[k].value;
        lens[nm - 1 + f] = r->members[k].value_len;
        f++;
    }
    if (!rc)
        rc = record_set_fields(rec, nm - 1, strs, lens, strs + nm - 1, lens + nm - 1);
    free(strs);
    free(lens);
    return rc ? -1 : 1;
}

static int jsonl_next(reader *r, record *rec, stance_error *err)
{
    int too_long;
    long line;
    for (;;) {
        line = r->line;
        int rc = jsonl_read_line(r, &too_long);
        if (rc == -2)
            return nomem(err, r);
        if (rc <= 0)
            return rc;
        r->line++;
        if (too_long)
            break;
        size_t i = 0;
        while (i < r->buf_len && (r->buf[i] == ' ' || r->buf[i] == '\t' || r->buf[i] == '\r'))
            i++;
        if (i < r->buf_len)
            break; /* not a blank line */
    }
    r->recno++;
    rec->line = line;
    char msg[160];
    const unsigned char *s = r->buf;
    size_t n = r->buf_len;
    const void *nul = memchr(s, '\0', n);
    size_t bad;
    cJSON *obj = NULL;
    const char *end = NULL;

    if (too_long) {
        snprintf(msg, sizeof msg, "line longer than %zu bytes", r->max_record_bytes);
    } else if (nul) {
        snprintf(msg, sizeof msg, "NUL byte at byte offset %zu",
                 (size_t)((const unsigned char *)nul - s));
    } else if (!utf8_valid(s, n, &bad)) {
        snprintf(msg, sizeof msg, "invalid UTF-8 at byte offset %zu", bad);
        /* still parse: the error record should carry the id the line gives (an id that is
         * itself invalid UTF-8 falls back to the record number below) */
        obj = cJSON_ParseWithLengthOpts((const char *)s, n, &end, 0);
    } else {
        int flat = jsonl_flat(r, rec, s, n);
        if (flat < 0)
            return nomem(err, r);
        if (flat > 0)
            return 1;
        /* Not require_null_terminated: with a length, cJSON 1.7.15 would then demand a NUL
         * inside the length. Trailing garbage is checked here instead. */
        obj = cJSON_ParseWithLengthOpts((const char *)s, n, &end, 0);
        if (!obj) {
            size_t at = end && end >= (const char *)s ? (size_t)(end - (const char *)s) : 0;
            snprintf(msg, sizeof msg, "not valid JSON (near byte offset %zu)", at > n ? n : at);
        } else {
            size_t at = (size_t)(end - (const char *)s);
            while (at < n && (s[at] == ' ' || s[at] == '\t' || s[at] == '\r'))
                at++;
            if (at < n)
                snprintf(msg, sizeof msg,
                         "not valid JSON (text after the value at byte offset %zu)", at);
            else if (!cJSON_IsObject(obj))
                snprintf(msg, sizeof msg, "line is not a JSON object");
            else if (json_has_nul_escape(s, n))
                snprintf(msg, sizeof msg, "NUL character (\\u0000) in a string");
            else
                msg[0] = '\0';
        }
    }

    /* the id, when the object has a usable one */
    const char *id = NULL;
    char num[40];
    if (obj && cJSON_IsObject(obj)) {
        const cJSON *idv = cJSON_GetObjectItemCaseSensitive(obj, r->id_field);
        if (cJSON_IsString(idv)) {
            id = idv->valuestring;
        } else if (cJSON_IsNumber(idv)) {
            format_number(idv->valuedouble, num, sizeof num);
            id = num;
        }
    }
    if (record_set_id(rec, id, id ? strlen(id) : 0, r->recno) != 0) {
        cJSON_Delete(obj);
        return nomem(err, r);
    }
    if (msg[0] == '\0') {
        const cJSON *tv = cJSON_GetObjectItemCaseSensitive(obj, r->text_field);
        if (!tv)
            snprintf(msg, sizeof msg, "no \"%.60s\" member", r->text_field);
        else if (!cJSON_IsString(tv))
            snprintf(msg, sizeof msg, "\"%.60s\" is not a string", r->text_field);
    }
    if (msg[0]) {
        record_fail(rec, msg);
        cJSON_Delete(obj);
        return 1;
    }

    const cJSON *tv = cJSON_GetObjectItemCaseSensitive(obj, r->text_field);
    if (record_set_text(rec, tv->valuestring, strlen(tv->valuestring)) != 0) {
        cJSON_Delete(obj);
        return nomem(err, r);
    }
    if (rec->error_code) {
        cJSON_Delete(obj);
        return 1;
    }

    /* fields: top-level strings, numbers and booleans but the text, in order */
    size_t nf = 0;
    for (const cJSON *m = obj->child; m; m = m->next)
        if (m != tv && m->string && (cJSON_IsString(m) || cJSON_IsNumber(m) || cJSON_IsBool(m)))
            nf++;
    int failed = 0;
    if (nf) {
        const char **names = malloc(nf * sizeof *names);
        const char **values = malloc(nf * sizeof *values);
        size_t *nl = malloc(nf * sizeof *nl), *vl = malloc(nf * sizeof *vl);
        char(*nums)[40] = malloc(nf * sizeof *nums);
        failed = !names || !values || !nl || !vl || !nums;
        size_t k = 0;
        for (const cJSON *m = obj->child; !failed && m; m = m->next) {
            if (m == tv || !m->string)
                continue;
            if (cJSON_IsString(m)) {
                values[k] = m->valuestring;
            } else if (cJSON_IsNumber(m)) {
                format_number(m->valuedouble, nums[k], sizeof nums[k]);
                values[k] = nums[k];
            } else if (cJSON_IsBool(m)) {
                values[k] = cJSON_IsTrue(m) ? "true" : "false";
            } else {
                continue;
            }
            names[k] = m->string;
            nl[k] = strlen(names[k]);
            vl[k] = strlen(values[k]);
            k++;
        }
        /* k, not nf: the pairs the loop filled (they are the same count) */
        if (!failed)
            failed = record_set_fields(rec, k, names, nl, values, vl) != 0;
        free(names);
        free(values);
        free(nl);
        free(vl);
        free(nums);
    }
    cJSON_Delete(obj);
    return failed ? nomem(err, r) : 1;
}

/* ------------------------------------------------------------------- TEXT */

static int text_next(reader *r, record *rec, stance_error *err)
{
    if (r->text_done)
        return 0;
    r->text_done = 1;
    byte_source *s = &r->src;
    int too_long = 0;
    size_t total = 0;
    r->buf_len = 0;
    if (buf_reserve(r, 1) != 0) /* so that an empty file still has a buffer */
        return nomem(err, r);
    for (;;) {
        if (s->pos >= s->len) {
            int rc = src_fill(s);
            if (rc < 0)
                return -1;
            if (rc == 0 || s->pos >= s->len)
                break;
        }
        size_t avail = s->len - s->pos;
        if (!too_long) {
            if (total + avail > r->max_record_bytes) {
                too_long = 1;
            } else {
                if (buf_reserve(r, avail + 1) != 0)
                    return nomem(err, r);
                memcpy(r->buf + r->buf_len, s->data + s->pos, avail);
                r->buf_len += avail;
            }
        }
        total += avail;
        s->pos = s->len;
    }
    r->recno++;
    rec->line = 0;
    char *id = r->kind == INPUT_PATHS ? stem_of(r->path) : NULL;
    if (r->kind == INPUT_PATHS && !id)
        return nomem(err, r);
    int rc = record_set_id(rec, id, id ? strlen(id) : 0, r->recno);
    free(id);
    if (rc != 0)
        return nomem(err, r);
    char msg[80];
    const void *nul = memchr(r->buf, '\0', r->buf_len);
    if (too_long) {
        snprintf(msg, sizeof msg, "text longer than %zu bytes", r->max_record_bytes);
        record_fail(rec, msg);
    } else if (nul) {
        snprintf(msg, sizeof msg, "NUL byte at byte offset %zu",
                 (size_t)((const unsigned char *)nul - r->buf));
        record_fail(rec, msg);
    } else {
        size_t bad;
        if (!utf8_valid(r->buf, r->buf_len, &bad)) {
            snprintf(msg, sizeof msg, "invalid UTF-8 at byte offset %zu", bad);
            record_fail(rec, msg);
        } else if (record_keep_text(rec, (const char *)r->buf, r->buf_len) != 0) {
            return nomem(err, r);
        }
    }
    return 1;
}

/* ------------------------------------------------------------ file switch */

static void close_file(reader *r)
{
    src_close(&r->src);
    free(r->columns);
    r->columns = NULL;
    r->ncolumns = 0;
    r->file_open = 0;
}

/* Opens the source for r->path (or stdin/memory), checks the BOM and reads a CSV header.
 * Returns 0, or a status code with *prob set (and *prob_line where it applies). */
static int open_file(reader *r, reader_format fmt, problem *prob, long *prob_line)
{
    byte_source *s = &r->src;
    memset(s, 0, sizeof *s);
    s->fd = -1;
    r->cur_fmt = fmt;
    r->line = 1;
    r->recno = 0;
    r->text_done = 0;
    r->text_col = r->id_col = -1;
    *prob_line = 0;
    if (r->kind == INPUT_MEMORY) {
        s->data = (const unsigned char *)r->mem;
        s->len = r->mem_len;
        s->eof = 1;
    } else {
        s->buf = malloc(READ_CHUNK);
        if (!s->buf) {
            problem_set(prob, "out of memory");
            return STANCE_ERR_NOMEM;
        }
        s->data = s->buf;
        if (r->kind == INPUT_STDIN) {
            s->fd = STDIN_FILENO;
        } else {
            s->fd = open(r->path, O_RDONLY | O_CLOEXEC);
            if (s->fd < 0) {
                problem_set(prob, "cannot open: %s", strerror(errno));
                src_close(s);
                return STANCE_ERR_IO;
            }
            s->owns_fd = 1;
            struct stat st;
            if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
                problem_set(prob, "is a directory");
                src_close(s);
                return STANCE_ERR_IO;
            }
        }
    }
    r->file_open = 1;

    /* BOMs: UTF-8 is skipped, UTF-16 (and so UTF-32LE) refused */
    long avail = src_ensure(s, 1);
    if (avail > 0 && (s->data[s->pos] == 0xEF || s->data[s->pos] >= 0xFE))
        avail = src_ensure(s, 3);
    if (avail < 0) {
        problem_set(prob, "read error: %s", strerror(s->read_errno));
        return STANCE_ERR_IO;
    }
    const unsigned char *b = s->data + s->pos;
    if (avail >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
        problem_set(prob, "UTF-16 input is not supported; convert to UTF-8");
        return STANCE_ERR_DATA;
    }
    if (avail >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
        s->pos += 3;

    if (fmt == READER_CSV) {
        int rc = csv_read_header(r, prob, prob_line);
        if (rc == -1) {
            problem_set(prob, "read error: %s", strerror(s->read_errno));
            return STANCE_ERR_IO;
        }
        if (rc == -2) {
            problem_set(prob, "out of memory");
            return STANCE_ERR_NOMEM;
        }
        if (rc == 1)
            return STANCE_ERR_DATA;
    }
    return 0;
}

/* A record for a file that could not be read at all (inside a directory). */
static int file_error_record(reader *r, record *rec, const char *msg, long line, stance_error *err)
{
    char *id = stem_of(r->path);
    if (!id)
        return nomem(err, r);
    rec->id = id;
    rec->path = r->path;
    rec->line = line;
    record_fail(rec, msg);
    return 1;
}

int reader_next(reader *r, record *rec, stance_error *err)
{
    if (!r || !rec) {
        stance_error_set(err, STANCE_ERR_USAGE, "reader_next: NULL argument");
        return -1;
    }
    record_clear(rec);
    if (r->failed) {
        stance_error_set(err, STANCE_ERR_IO, "%s: reader stopped after an earlier error",
                         r->path ? r->path : "input");
        return -1;
    }
    for (;;) {
        if (!r->file_open) {
            if (r->next_path >= r->npaths)
                return 0;
            r->path = r->paths[r->next_path++];
            problem prob = {0, {0}};
            long line;
            int code = open_file(r, format_from_name(r->path), &prob, &line);
            if (code != 0) {
                close_file(r);
                if (code == STANCE_ERR_NOMEM)
                    return nomem(err, r);
                return file_error_record(r, rec, prob.msg, line, err);
            }
        }
        int rc;
        rec->path = r->path;
        switch (r->cur_fmt) {
        case READER_CSV:
            rc = csv_next(r, rec, err);
            break;
        case READER_TEXT:
            rc = text_next(r, rec, err);
            break;
        default:
            rc = jsonl_next(r, rec, err);
            break;
        }
        if (rc == 1)
            return 1;
        if (rc == -1 && r->src.read_errno) {
            char msg[200];
            snprintf(msg, sizeof msg, "read error: %s", strerror(r->src.read_errno));
            if (r->from_dir) {
                record_clear(rec);
                close_file(r);
                return file_error_record(r, rec, msg, r->line, err);
            }
            stance_error_set(err, STANCE_ERR_IO, "%s:%ld: %s", r->path, r->line, msg);
        }
        if (rc < 0) {
            record_clear(rec);
            r->failed = 1;
            return -1;
        }
        record_clear(rec);
        close_file(r);
    }
}

/* ------------------------------------------------------------- open/close */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Lists a directory's readable-looking data files into r->paths. Returns 0 or a status. */
static int list_dir(reader *r, const char *dir, stance_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return stance_error_set(err, STANCE_ERR_IO, "%s: cannot open directory: %s", dir,
                                strerror(errno));
    size_t cap = 0, dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    int code = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno)
                code = stance_error_set(err, STANCE_ERR_IO, "%s: cannot read directory: %s", dir,
                                        strerror(errno));
            break;
        }
        if (e->d_name[0] == '.' || format_from_name(e->d_name) == READER_AUTO)
            continue;
        size_t nlen = strlen(e->d_name);
        char *p = malloc(dlen + nlen + 2);
        if (!p) {
            code = stance_error_set(err, STANCE_ERR_NOMEM, "%s: out of memory", dir);
            break;
        }
        memcpy(p, dir, dlen);
        p[dlen] = '/';
        memcpy(p + dlen + 1, e->d_name, nlen + 1);
        struct stat st;
        /* A name we cannot stat (dangling link, no permission) is kept so that it becomes an
         * error record instead of vanishing; sub-directories, FIFOs and the like are skipped. */
        if (stat(p, &st) == 0 && !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        if (r->npaths == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **np = realloc(r->paths, ncap * sizeof *np);
            if (!np) {
                free(p);
                code = stance_error_set(err, STANCE_ERR_NOMEM, "%s: out of memory", dir);
                break;
            }
            r->paths = np;
            cap = ncap;
        }
        r->paths[r->npaths++] = p;
    }
    closedir(d);
    if (code == 0 && r->npaths > 1)
        qsort(r->paths, r->npaths, sizeof *r->paths, cmp_str);
    return code;
}

static reader *reader_new(const reader_options *opt, reader_format fmt, stance_error *err)
{
    if ((unsigned)fmt > READER_TEXT) {
        stance_error_set(err, STANCE_ERR_USAGE, "reader: unknown format %d", (int)fmt);
        return NULL;
    }
    reader *r = calloc(1, sizeof *r);
    if (!r) {
        stance_error_set(err, STANCE_ERR_NOMEM, "reader: out of memory");
        return NULL;
    }
    r->src.fd = -1;
    r->text_col = r->id_col = -1;
    r->fmt = fmt;
    r->text_field = dup_str(opt && opt->text_field ? opt->text_field : "text");
    r->id_field = dup_str(opt && opt->id_field ? opt->id_field : "id");
    r->max_record_bytes =
        opt && opt->max_record_bytes ? opt->max_record_bytes : READER_DEFAULT_MAX_RECORD_BYTES;
    r->require_text = opt ? opt->require_text : 0;
    if (!r->text_field || !r->id_field) {
        reader_close(r);
        stance_error_set(err, STANCE_ERR_NOMEM, "reader: out of memory");
        return NULL;
    }
    return r;
}

/* Opens the single input set up in r (a file, stdin or memory) and reads its header; on
 * failure closes r and returns NULL with err set. */
static reader *open_single(reader *r, const char *name, reader_format fmt, stance_error *err)
{
    r->paths = malloc(sizeof *r->paths);
    if (r->paths)
        r->paths[0] = dup_str(name);
    if (!r->paths || !r->paths[0]) {
        reader_close(r);
        stance_error_set(err, STANCE_ERR_NOMEM, "reader: out of memory");
        return NULL;
    }
    r->npaths = r->next_path = 1;
    r->path = r->paths[0];
    problem prob = {0, {0}};
    long line;
    int code = open_file(r, fmt, &prob, &line);
    if (code != 0) {
        if (line > 0)
            stance_error_set(err, code, "%s:%ld: %s", name, line, prob.msg);
        else
            stance_error_set(err, code, "%s: %s", name, prob.msg);
        reader_close(r);
        return NULL;
    }
    return r;
}

reader *reader_open(const char *path, reader_format fmt, const reader_options *opt,
                    stance_error *err)
{
    reader *r = reader_new(opt, fmt, err);
    if (!r)
        return NULL;
    if (!path || strcmp(path, "-") == 0) {
        r->kind = INPUT_STDIN;
        return open_single(r, "<stdin>", fmt == READER_AUTO ? READER_JSONL : fmt, err);
    }
    r->kind = INPUT_PATHS;
    struct stat st;
    if (stat(path, &st) != 0) {
        stance_error_set(err, STANCE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        reader_close(r);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        r->from_dir = 1;
        if (list_dir(r, path, err) != 0) {
            reader_close(r);
            return NULL;
        }
        return r;
    }
    if (fmt == READER_AUTO) {
        fmt = format_from_name(path);
        if (fmt == READER_AUTO) {
            stance_error_set(err, STANCE_ERR_USAGE,
                             "%s: cannot tell the format from the file name (expected .csv, "
                             ".jsonl, .ndjson or .txt); name the format explicitly",
                             path);
            reader_close(r);
            return NULL;
        }
    }
    return open_single(r, path, fmt, err);
}

reader *reader_open_memory(const char *buf, size_t len, reader_format fmt,
                           const reader_options *opt, stance_error *err)
{
    if (!buf && len) {
        stance_error_set(err, STANCE_ERR_USAGE, "reader_open_memory: NULL buffer");
        return NULL;
    }
    reader *r = reader_new(opt, fmt, err);
    if (!r)
        return NULL;
    r->kind = INPUT_MEMORY;
    r->mem = buf ? buf : "";
    r->mem_len = len;
    return open_single(r, "<memory>", fmt == READER_AUTO ? READER_JSONL : fmt, err);
}

void reader_close(reader *r)
{
    if (!r)
        return;
    close_file(r);
    for (size_t i = 0; i < r->npaths; i++)
        free(r->paths[i]);
    free(r->paths);
    free(r->text_field);
    free(r->id_field);
    free(r->buf);
    free(r->field_off);
    free(r->flat);
    free(r->members);
    free(r);
}

size_t reader_columns(const reader *r, const char *const **names)
{
    int csv = r && r->file_open && r->cur_fmt == READER_CSV && r->ncolumns;
    if (names)
        *names = csv ? (const char *const *)r->columns : NULL;
    return csv ? r->ncolumns : 0;
}

/* ------------------------------------------------------------- CSV output */

int csv_write_field(FILE *out, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    int quote = n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t' ||
                strpbrk(s, ",\"\r\n") != NULL;
    if (!quote)
        return fwrite(s, 1, n, out) == n ? 0 : -1;
    if (putc('"', out) == EOF)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p == '"' && putc('"', out) == EOF)
            return -1;
        if (putc(*p, out) == EOF)
            return -1;
    }
    return putc('"', out) == EOF ? -1 : 0;
}
