#include "json_write.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* The writers below append to a strbuf; one allocation failure stops them all. */
typedef strbuf out;

/* Decimal digits of v, most significant first; returns their count. */
static size_t utoa_rev(uint64_t v, char *buf)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

/* cJSON's equality test for the "%1.15g" round trip. */
static int close_enough(double a, double b)
{
    double max = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= max * DBL_EPSILON;
}

/* The common case of put_number, 0 <= d < 1e9 with at most four decimals (a probability, a
 * weight, a count), without llround and floor. Returns 0 when d is not such a number. */
static int put_small_decimal(out *o, double d)
{
    if (!(d >= 0 && d < 1e9) || signbit(d))
        return 0;
    double x = d * 10000.0;
    long long k = (long long)x; /* x < 1e13: exact, and so is x - k */
    if (x - (double)k >= 0.5)
        k++; /* = llround(x) for x >= 0 */
    if ((double)k / 10000.0 != d)
        return 0;
    char buf[24];
    size_t n = utoa_rev((uint64_t)(k / 10000), buf);
    unsigned frac = (unsigned)(k % 10000);
    if (frac) {
        buf[n++] = '.';
        for (unsigned div = 1000; frac; div /= 10) {
            buf[n++] = (char)('0' + frac / div);
            frac %= div;
        }
    }
    strbuf_put(o, buf, n);
    return 1;
}

static void put_number(out *o, double d)
{
    if (put_small_decimal(o, d))
        return;
    char buf[40];
    size_t n = 0;
    if (isnan(d) || isinf(d)) {
        strbuf_put(o, "null", 4);
        return;
    }
    /* Integers under 1e15, and four decimals or fewer under 1e9: "%1.15g" prints the decimal
     * itself (at most 15 significant digits; no exponent, since the magnitude is either 0 or
     * between 0.0001 and 1e15), and the text reads back as d because k / 10000.0 is the
     * double nearest to the decimal k/10000. The sign is the double's, "-0" included. */
    long long k = 0;
    int fast = 0;
    if (fabs(d) < 1e15 && d == floor(d)) {
        k = (long long)d;
        fast = 1;
    } else if (fabs(d) < 1e9) {
        k = llround(d * 10000.0);
        fast = (double)k / 10000.0 == d;
    }
    if (fast) {
        uint64_t a = (uint64_t)(k < 0 ? -k : k);
        unsigned frac = 0;
        if (signbit(d))
            buf[n++] = '-';
        if (d != floor(d)) {
            frac = (unsigned)(a % 10000);
            a /= 10000;
        }
        n += utoa_rev(a, buf + n);
        if (frac) {
            char digits[4];
            for (int i = 3; i >= 0; i--) {
                digits[i] = (char)('0' + frac % 10);
                frac /= 10;
            }
            int last = 3;
            while (digits[last] == '0')
                last--;
            buf[n++] = '.';
            for (int i = 0; i <= last; i++)
                buf[n++] = digits[i];
        }
        strbuf_put(o, buf, n);
        return;
    }
    int w = snprintf(buf, sizeof buf, "%1.15g", d);
    if (w > 0 && strtod(buf, NULL) != d && !close_enough(strtod(buf, NULL), d))
        w = snprintf(buf, sizeof buf, "%1.17g", d);
    if (w > 0)
        strbuf_put(o, buf, (size_t)w);
}

/* s[0..n) as a JSON string; s has no NUL in it. */
static void put_string_n(out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    strbuf_putc(o, '"');
    const char *run = s, *end = s + n;
    for (const char *c = s; c < end; c++) {
        unsigned char u = (unsigned char)*c;
        if (u >= 32 && u != '"' && u != '\\')
            continue;
        strbuf_put(o, run, (size_t)(c - run));
        run = c + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t esc_len = 2;
        switch (u) {
        case '"':
        case '\\':
            esc[1] = (char)u;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[u >> 4];
            esc[5] = hex[u & 15];
            esc_len = 6;
            break;
        }
        strbuf_put(o, esc, esc_len);
    }
    strbuf_put(o, run, (size_t)(end - run));
    strbuf_putc(o, '"');
}

static void put_string(out *o, const char *s)
{
    if (!s)
        strbuf_put(o, "\"\"", 2);
    else
        put_string_n(o, s, strlen(s));
}

static void put_value(out *o, const cJSON *item, int depth)
{
    if (depth > CJSON_NESTING_LIMIT) {
        o->failed = 1; /* cJSON's parser never builds deeper trees; refuse rather than recurse */
        return;
    }
    switch (item->type & 0xFF) {
    case cJSON_NULL:
        strbuf_put(o, "null", 4);
        break;
    case cJSON_False:
        strbuf_put(o, "false", 5);
        break;
    case cJSON_True:
        strbuf_put(o, "true", 4);
        break;
    case cJSON_Number:
        put_number(o, item->valuedouble);
        break;
    case cJSON_Raw:
        if (item->valuestring)
            strbuf_put(o, item->valuestring, strlen(item->valuestring));
        else
            o->failed = 1;
        break;
    case cJSON_String:
        put_string(o, item->valuestring);
        break;
    case cJSON_Array:
    case cJSON_Object: {
        int object = (item->type & 0xFF) == cJSON_Object;
        strbuf_putc(o, object ? '{' : '[');
        for (const cJSON *c = item->child; c; c = c->next) {
            if (object) {
                put_string(o, c->string);
                strbuf_putc(o, ':');
            }
            put_value(o, c, depth + 1);
            if (c->next)
                strbuf_putc(o, ',');
        }
        strbuf_putc(o, object ? '}' : ']');
        break;
    }
    default:
        o->failed = 1; /* cJSON_Invalid: cJSON refuses to print it too */
        break;
    }
}

char *json_write_compact(const cJSON *item, size_t *len)
{
    if (!item)
        return NULL;
    out o = {0};
    if (strbuf_reserve(&o, 256) != 0)
        return NULL;
    put_value(&o, item, 0);
    if (o.failed) {
        free(o.buf);
        return NULL;
    }
    o.buf[o.len] = '\0';
    if (len)
        *len = o.len;
    return o.buf;
}

void json_write_number(strbuf *o, double d)
{
    put_number(o, d);
}

void json_write_fixed4(strbuf *o, double p)
{
    if (!(p >= 0 && p <= 1) || signbit(p)) {
        put_number(o, round(p * 10000.0) / 10000.0);
        return;
    }
    double x = p * 10000.0;
    unsigned k = (unsigned)x; /* x <= 10000: exact, and so is x - k */
    if (x - (double)k >= 0.5)
        k++; /* = round(x) for x >= 0 */
    if (k == 10000) {
        strbuf_putc(o, '1');
        return;
    }
    char buf[8] = {'0', '.'};
    size_t n = 1;
    if (k) {
        n = 2;
        for (unsigned div = 1000; k; div /= 10) {
            buf[n++] = (char)('0' + k / div);
            k %= div;
        }
    }
    strbuf_put(o, buf, n);
}

void json_write_string(strbuf *o, const char *s)
{
    put_string(o, s);
}

void json_write_string_n(strbuf *o, const char *s, size_t n)
{
    put_string_n(o, s, strnlen(s, n));
}
