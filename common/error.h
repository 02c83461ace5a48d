/*
 * error.h - the one error type every stance library function reports through.
 *
 * Library code never prints and never exits: a function that can fail takes a
 * `stance_error *err` (may be NULL) as its last argument, fills it on failure
 * and returns a non-zero status (or NULL). The caller decides what to print
 * and which exit code to use. The numeric codes ARE the documented exit codes
 * of the command-line programs, so a CLI can `return err.code`.
 */
#ifndef STANCE_ERROR_H
#define STANCE_ERROR_H

#include <stddef.h>

enum stance_status {
    STANCE_OK = 0,
    STANCE_EVAL_BELOW = 1, /* an evaluation fell under its threshold */
    STANCE_ERR_USAGE = 2,  /* bad command line or API misuse */
    STANCE_ERR_DATA = 3,   /* malformed input data */
    STANCE_ERR_MODEL = 4,  /* missing, corrupt, foreign or newer model bundle */
    STANCE_ERR_IO = 5,     /* a read or write failed (disk full, pipe closed) */
    STANCE_ERR_NOMEM = 6   /* out of memory */
};

#define STANCE_ERROR_MESSAGE_MAX 512

typedef struct stance_error {
    int code;                               /* enum stance_status */
    char message[STANCE_ERROR_MESSAGE_MAX]; /* human readable, names file/line */
} stance_error;

/* Sets err (if not NULL) and returns code, so callers can write
 * `return stance_error_set(err, STANCE_ERR_DATA, "%s:%ld: ...", path, line);` */
int stance_error_set(stance_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Clears err (code 0, empty message). NULL is allowed. */
void stance_error_clear(stance_error *err);

/* Prefixes the existing message with "prefix: " (keeps the code). */
void stance_error_prefix(stance_error *err, const char *prefix);

#endif
