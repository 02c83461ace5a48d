/* json_write_compact must print exactly what cJSON_PrintUnformatted prints. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json_write.h"
#include "shortcopy.h"

static uint64_t rng = 88172645463325252ULL;

/* Numbers of every kind the printer has a path for. */
static double random_number(void)
{
    switch (check_random(&rng) % 9) {
    case 0:
        return (double)(int64_t)(check_random(&rng) % 2000001) - 1000000.0; /* integer */
    case 1:
        return round((double)(check_random(&rng) % 20001) - 10000.0) / 10000.0; /* 4 decimals */
    case 2:
        return round((double)(check_random(&rng) % 10001)) / 10000.0; /* a probability */
    case 3:
        return (double)(check_random(&rng) % 1000000007) / 1000.0; /* 3 decimals, large */
    case 4: {
        double x; /* any bit pattern that is a finite double */
        uint64_t bits = check_random(&rng);
        memcpy(&x, &bits, sizeof x);
        return isfinite(x) ? x : 1.5;
    }
    case 5:
        return ((double)(check_random(&rng) % 1000) - 500.0) * 1e-7; /* tiny: exponent notation */
    case 6:
        return 3e9 + (double)(check_random(&rng) % 100) / 10000.0; /* past the fast path */
    case 7:
        return (double)(check_random(&rng) % 100000) * 1e15; /* huge integers */
    default:
        return (double)(check_random(&rng) % 7) / 3.0; /* repeating fractions */
    }
}

static void random_string(char *buf, size_t cap)
{
    static const char *const pieces[] = {"a",  "Путин", "\"",   "\\", "\n",  "\t", "\r", "\b",
                                         "\f", "\x01",  "\x1f", " ",  "мир", "/",  "€",  "x y"};
    size_t n = check_random(&rng) % 6, len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[check_random(&rng) % (sizeof pieces / sizeof *pieces)];
        size_t l = strlen(p);
        if (len + l + 1 > cap)
            break;
        memcpy(buf + len, p, l + 1);
        len += l;
    }
}

static cJSON *random_tree(int depth)
{
    char s[64];
    switch (check_random(&rng) % (depth > 3 ? 5 : 7)) {
    case 0:
        return cJSON_CreateNull();
    case 1:
        return cJSON_CreateBool(check_random(&rng) % 2);
    case 2:
    case 3:
        return cJSON_CreateNumber(random_number());
    case 4:
        random_string(s, sizeof s);
        return cJSON_CreateString(s);
    case 5: {
        cJSON *a = cJSON_CreateArray();
        for (uint64_t i = check_random(&rng) % 5; i > 0; i--)
            cJSON_AddItemToArray(a, random_tree(depth + 1));
        return a;
    }
    default: {
        cJSON *o = cJSON_CreateObject();
        for (uint64_t i = check_random(&rng) % 5; i > 0; i--) {
            random_string(s, sizeof s);
            cJSON_AddItemToObject(o, s, random_tree(depth + 1));
        }
        return o;
    }
    }
}

static int same_as_cjson(const cJSON *tree)
{
    char *want = cJSON_PrintUnformatted(tree);
    size_t len = 0;
    char *got = json_write_compact(tree, &len);
    int ok = want && got && strcmp(want, got) == 0 && len == strlen(want);
    if (!ok)
        fprintf(stderr, "cJSON: %s\nours:  %s\n", want ? want : "(null)", got ? got : "(null)");
    cJSON_free(want);
    free(got);
    return ok;
}

/* copy_short copies exactly n bytes, whatever n, and touches nothing around them */
static void test_copy_short(void)
{
    char src[64], dst[80];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (char)('a' + i % 26);
    for (size_t n = 0; n <= 40; n++) {
        memset(dst, '#', sizeof dst);
        copy_short(dst + 8, src + 3, n);
        CHECK(memcmp(dst + 8, src + 3, n) == 0);
        CHECK(dst[7] == '#' && dst[8 + n] == '#');
    }
}

/* json_write_fixed4(p) writes what json_write_number(round4(p)) writes: probabilities on and
 * next to every rounding edge k/10000 and (k + 0.5)/10000, and values off the fast path. */
static int fixed4_matches(double p)
{
    strbuf a = {0}, b = {0};
    json_write_fixed4(&a, p);
    json_write_number(&b, round(p * 10000.0) / 10000.0);
    int same = a.len == b.len && a.len > 0 && memcmp(a.buf, b.buf, a.len) == 0;
    free(a.buf);
    free(b.buf);
    return same;
}

static void test_fixed4(void)
{
    int same = 1;
    for (int k = 0; k <= 20000; k++) {
        double edge = (double)k / 20000.0; /* k/10000 and halfway points */
        double v[3] = {edge, nextafter(edge, -1), nextafter(edge, 2)};
        for (int i = 0; i < 3; i++)
            same &= fixed4_matches(v[i]);
    }
    for (int i = 0; i < 100000; i++)
        same &= fixed4_matches((double)(check_random(&rng) >> 11) / 9007199254740992.0);
    static const double odd[] = {0.0,
                                 -0.0,
                                 1.0,
                                 -1e-9,
                                 1.00004,
                                 1.00006,
                                 2.5,
                                 -0.3,
                                 1e300,
                                 5e-324,
                                 0.99995,
                                 0.00005,
                                 0.000049999999999999996};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
        same &= fixed4_matches(odd[i]);
    CHECK(same);
    strbuf nan_out = {0};
    json_write_fixed4(&nan_out, NAN);
    CHECK(nan_out.len == 4 && memcmp(nan_out.buf, "null", 4) == 0);
    free(nan_out.buf);
}

int main(void)
{
    test_copy_short();
    test_fixed4();
    /* the shapes stance-predict writes */
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "id", "a\"b\\c\nd");
    cJSON_AddNumberToObject(r, "confidence", 0.9791);
    cJSON_AddNumberToObject(r, "p", 0.0001);
    cJSON_AddNumberToObject(r, "zero", 0.0);
    cJSON_AddNumberToObject(r, "negzero", -0.0);
    cJSON_AddNumberToObject(r, "one", 1.0);
    cJSON_AddNumberToObject(r, "line", 123456.0);
    cJSON_AddNumberToObject(r, "neg", -0.25);
    cJSON_AddNumberToObject(r, "third", 1.0 / 3.0);
    cJSON_AddNumberToObject(r, "nan", NAN);
    cJSON_AddNumberToObject(r, "inf", -INFINITY);
    cJSON_AddNumberToObject(r, "bigint", 3e10);
    cJSON_AddItemToObject(r, "empty_object", cJSON_CreateObject());
    cJSON_AddItemToObject(r, "empty_array", cJSON_CreateArray());
    cJSON_AddItemToObject(r, "raw", cJSON_CreateRaw("[1,2]"));
    CHECK(same_as_cjson(r));
    CHECK(json_write_compact(NULL, NULL) == NULL);
    cJSON_Delete(r);

    /* every four-decimal probability, each on its own */
    int all_same = 1;
    for (int k = 0; k <= 10000 && all_same; k++) {
        cJSON *n = cJSON_CreateNumber(round((double)k) / 10000.0);
        all_same = same_as_cjson(n);
        cJSON_Delete(n);
    }
    CHECK(all_same);

    /* random trees */
    int trees_same = 1;
    for (int i = 0; i < 20000 && trees_same; i++) {
        cJSON *t = random_tree(0);
        trees_same = same_as_cjson(t);
        cJSON_Delete(t);
    }
    CHECK(trees_same);
    return check_finish();
}
