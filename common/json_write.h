/*
 * json_write.h - compact JSON text of a cJSON tree, fast.
 *
 * Why not cJSON_PrintUnformatted: it formats every number with sprintf("%1.15g"), parses it
 * back with sscanf to check the round trip and may print it again with "%1.17g". A scored
 * record carries a dozen probabilities, and that round trip was a third of stance-predict's
 * time per record. The numbers stance writes are integers or rounded to four decimals; those
 * are written digit by digit here, everything else goes the slow, exact way.
 *
 * Contract: the bytes are exactly cJSON_PrintUnformatted's (tests/unit/test_json_write.c
 * compares them on random trees), so consumers see no difference.
 */
#ifndef STANCE_JSON_WRITE_H
#define STANCE_JSON_WRITE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "strbuf.h"

/* The compact JSON text of item, NUL-terminated; *len (if not NULL) gets its length.
 * Caller frees with free(). NULL when out of memory or item is NULL. */
char *json_write_compact(const cJSON *item, size_t *len);

/* The pieces, for writers that print without building a tree: a number as a cJSON number
 * item holding d prints, and a string (NULL prints as "") as a cJSON string item prints. */
void json_write_number(strbuf *o, double d);
void json_write_string(strbuf *o, const char *s);
/* json_write_number(o, round(p * 10000.0) / 10000.0): p to four decimals, as results print
 * probabilities; written from the rounded digits for 0 <= p <= 1, without rounding twice and
 * reading the decimal back (1.5 % of stance-predict's instructions). */
void json_write_fixed4(strbuf *o, double p);
/* The string of the first n bytes of s, or of s up to its NUL if that comes first (what a
 * cJSON string item made from strndup(s, n) prints). */
void json_write_string_n(strbuf *o, const char *s, size_t n);

#endif
