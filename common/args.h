/*
 * args.h - parsing of command-line values shared by the programs (no printing here: the
 * programs report what fails in their own words).
 */
#ifndef STANCE_ARGS_H
#define STANCE_ARGS_H

/* Parses a whole decimal integer in lo..hi into *out. Returns 0, or -1 (then *out is
 * unchanged) for anything else: empty, trailing characters, out of range. */
int args_parse_int(const char *s, int lo, int hi, int *out);

/* Splits "COL=VALUE" in place (the '=' becomes a NUL): *column = s, *value = after the '='.
 * Returns 0, or -1 when there is no '=' or the column is empty. */
int args_split_assignment(char *s, const char **column, const char **value);

#endif
