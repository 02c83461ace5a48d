/*
 * reader.h - streaming readers for the records stance trains on and scores.
 *
 * A "record" is one labelled row (training) or one article to score
 * (prediction). Inputs are RFC 4180 CSV with a header row, JSONL (one JSON
 * object per line), plain .txt files (the whole file is one record), and
 * folders of such files, read from a path, standard input or a memory buffer.
 *
 * Two promises shape this module:
 *
 *   1. Memory stays flat however long the input is. The reader holds one
 *      read buffer and one record at a time; a record longer than
 *      max_record_bytes is not buffered but skipped up to its end.
 *
 *   2. Every input record yields exactly one record from reader_next(). A
 *      record that cannot be used comes back with error_code set, its id (when
 *      it could be read), path and line, and reading goes on with the next
 *      one. Nothing is silently dropped, so a prediction tool can emit one
 *      output line per input record. The only things skipped are blank lines
 *      (CSV: lines of only spaces/tabs too; JSONL: lines of only whitespace).
 *
 * Error records say why in `error`, without the path or line (the record
 * carries those). Byte offsets in those messages are 0-based and count from
 * the first byte of the record (CSV: the record's first raw byte, quotes
 * included; JSONL: the start of its line; TEXT: the first byte after any BOM).
 *
 * All input must be UTF-8 (a UTF-8 BOM is skipped; a UTF-16 BOM is refused).
 * Nothing here prints or exits; there is no global state, so readers on
 * different threads are independent.
 */
#ifndef STANCE_READER_H
#define STANCE_READER_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

typedef enum { READER_AUTO = 0, READER_CSV, READER_JSONL, READER_TEXT } reader_format;

typedef struct reader_options {
    const char *text_field;  /* column/key holding the text; NULL = "text" */
    const char *id_field;    /* column/key holding the id; NULL = "id"; absent -> see below */
    size_t max_record_bytes; /* 0 = 64 MiB; a bigger record becomes an error record */
    int require_text;        /* CSV: fail at open (STANCE_ERR_DATA) when the text column is missing.
                                When 0 and the column is missing, every row gets text "" (no
                                "empty text" error) and all its columns as fields. */
} reader_options;

#define READER_DEFAULT_MAX_RECORD_BYTES ((size_t)64 << 20)
/* A CSV header with more columns than this fails at open (it bounds memory). */
#define READER_MAX_COLUMNS ((size_t)1 << 20)

typedef struct record {
    char *id;        /* never NULL after reader_next: the id field (when present, non-empty
                        and valid UTF-8), else the file name without extension (TEXT), else
                        the 1-based record number within the current file as decimal text */
    char *text;      /* NUL-terminated, valid UTF-8 when error_code == 0; else may be NULL */
    size_t text_len; /* strlen(text); 0 when text is NULL */
    size_t nfields;  /* every column (CSV) / every top-level string, number or bool member
                        (JSONL) except the text, in input order, as strings. The id field is
                        among them. Error records have no fields. */
    char **names, **values;
    const char *path; /* the file it came from ("<stdin>", "<memory>"), valid until
                         reader_close */
    long line;        /* 1-based line where the record starts (CSV/JSONL); 0 for TEXT */
    int error_code;   /* 0, or STANCE_ERR_DATA when this record cannot be used */
    char error[256];  /* why, e.g. "invalid UTF-8 at byte offset 17", "unterminated quoted
                         field" */
} record;
/*
 * Ownership: everything a record points to (except path) belongs to the record and is freed by
 * record_clear() or the next reader_next() on it. id and text are separate malloc() blocks: to
 * keep one, copy the pointer and set the member to NULL; free it later with free(). names and
 * values live in one block together and cannot be kept that way (copy them).
 */

typedef struct reader reader;

/* path NULL or "-" = stdin. A directory = its regular files sorted by name (byte order), each by
 * extension (.txt TEXT, .jsonl/.ndjson JSONL, .csv CSV, case-insensitive; others and hidden
 * ".files" skipped; fmt is ignored for directories), not recursive. READER_AUTO = by extension
 * (an unknown extension fails with STANCE_ERR_USAGE); stdin with AUTO = JSONL. NULL on failure
 * (missing/unreadable file, UTF-16 BOM, malformed CSV header, missing text column when
 * require_text): err says which file and why. Inside a directory those per-file failures do not
 * fail the open: each becomes one error record (id = the file name without extension, line 0)
 * and reading goes on with the next file. An empty file or directory yields zero records.
 * Caller frees with reader_close. */
reader *reader_open(const char *path, reader_format fmt, const reader_options *opt,
                    stance_error *err);

/* Same over a memory buffer (for tests and fuzzers); buf must outlive the reader. AUTO = JSONL.
 * The records' path is "<memory>". */
reader *reader_open_memory(const char *buf, size_t len, reader_format fmt,
                           const reader_options *opt, stance_error *err);

/* Fills *rec (freeing what it held before; zero-initialise rec before the first call).
 * Returns 1 = a record (possibly an error record), 0 = end of input, -1 = fatal I/O error
 * (err set, STANCE_ERR_IO; a read error on a file inside a directory is instead reported as one
 * error record for that file, and reading goes on with the next file). After -1 every further
 * call returns -1. */
int reader_next(reader *r, record *rec, stance_error *err);

/* A field's value or NULL: the first field called name (the text is not a field). */
const char *record_get(const record *rec, const char *name);

/* Frees what rec owns and zeroes it. NULL is allowed. */
void record_clear(record *rec);

/* Closes the input (not stdin) and frees the reader. NULL is allowed. */
void reader_close(reader *r);

/* For CSV headers: the column names of the current file (borrowed, valid until the reader moves
 * to another file or closes), and their number. 0 (and *names = NULL) for other formats and
 * empty CSV files. names may be NULL. */
size_t reader_columns(const reader *r, const char *const **names);

/* Writes one CSV field quoted per RFC 4180 when needed (comma, quote, CR/LF, leading/trailing
 * space or tab; also the empty string, written "" so that a one-column row is not a blank line).
 * s NULL is written as "". Returns 0 or -1 on write error. */
int csv_write_field(FILE *out, const char *s);

#endif
