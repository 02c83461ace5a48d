/*
 * check.h - a tiny assertion harness for the unit tests (no framework needed).
 *
 * CHECK(cond) records a failure with file:line and goes on; a test's main
 * returns check_finish(), which prints "N passed, N failed" and is 0 only if
 * nothing failed. Return 77 from main to tell ctest the test was skipped.
 */
#ifndef STANCE_CHECK_H
#define STANCE_CHECK_H

#include <stdint.h>
#include <string.h>

extern int check_passed, check_failed;
void check_record(int ok, const char *expr, const char *file, int line);
int check_finish(void);

/* The next number of a xorshift64 sequence kept in *state (not 0): random test inputs that
 * are the same on every run. */
uint64_t check_random(uint64_t *state);

#define CHECK(cond) check_record((cond) != 0, #cond, __FILE__, __LINE__)
#define CHECK_STR(a, b)                                                                            \
    check_record((a) && (b) && strcmp((a), (b)) == 0, #a " == " #b, __FILE__, __LINE__)

#endif
