/*
 * test_report.c - stance-report's aggregation: dates, ISO weeks across year boundaries,
 * periods and gaps, undated and error records, grouping, parties, examples, date ranges, and
 * that the HTML and JSON writers run on the edge cases (no records, all undated).
 */
#include "aggregate.h"
#include "check.h"
#include "html.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CHECK_STR on a char array warns (its address is never NULL); compare through a pointer. */
static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}
#define CHECK_SAME(a, b) CHECK(same((a), (b)))

static long day_of(const char *s)
{
    long d = -999999;
    return report_parse_date(s, &d) == 0 ? d : -999999;
}

static void test_dates(void)
{
    long d;
    CHECK(report_parse_date("1970-01-01", &d) == 0 && d == 0);
    CHECK(report_parse_date("1969-12-31", &d) == 0 && d == -1);
    CHECK(report_parse_date("2000-03-01", &d) == 0 && d == 11017);
    CHECK(report_parse_date("2025-11-25", &d) == 0);
    long plain = d;
    CHECK(day_of("2025-11-25T14:03:00Z") == plain);
    CHECK(day_of("2025-11-25T14:03:00.123+02:00") == plain);
    CHECK(day_of("2025-11-25T23:59-05:00") == plain); /* the outlet's day, not UTC's */
    CHECK(day_of("2025-11-25 14:03:00") == plain);
    CHECK(day_of("2025-11-25T14:03:00+0200") == plain);
    CHECK(day_of("2024-02-29") != -999999);
    /* not ISO 8601, or not a real day: undated */
    const char *bad[] = {"",
                         "2025",
                         "2025-11",
                         "25.11.2025",
                         "2025/11/25",
                         "2025-13-01",
                         "2025-02-29",
                         "2023-04-31",
                         "2025-11-25T",
                         "2025-11-25T25:00",
                         "2025-11-25x",
                         "2025-11-25T14:03:00Q",
                         "20251125",
                         " 2025-11-25",
                         "2025-1-05",
                         "1900-02-29"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(report_parse_date(bad[i], &d) == -1);
    CHECK(report_parse_date(NULL, &d) == -1);

    /* civil <-> days round trip over four centuries, leap days included */
    int ok = 1;
    for (long x = -150000; x < 150000; x += 37) {
        int y, m, dd;
        report_civil_from_days(x, &y, &m, &dd);
        ok &= report_days_from_civil(y, m, dd) == x;
    }
    CHECK(ok);
}

static void check_week(const char *date, int want_year, int want_week)
{
    int y = 0, w = 0;
    report_iso_week(day_of(date), &y, &w);
    CHECK(y == want_year && w == want_week);
    if (y != want_year || w != want_week)
        fprintf(stderr, "  %s: got %d-W%02d, want %d-W%02d\n", date, y, w, want_year, want_week);
}

static void test_iso_weeks(void)
{
    check_week("2025-11-25", 2025, 48);
    /* a year whose Dec 31 is in week 53 and whose Jan 1-3 belong to the year before */
    check_week("2020-12-31", 2020, 53);
    check_week("2021-01-01", 2020, 53);
    check_week("2021-01-03", 2020, 53);
    check_week("2021-01-04", 2021, 1);
    /* late December in week 1 of the next year */
    check_week("2024-12-29", 2024, 52);
    check_week("2024-12-30", 2025, 1);
    check_week("2025-01-01", 2025, 1);
    check_week("2025-12-29", 2026, 1);
    check_week("2026-01-01", 2026, 1);
    check_week("2026-12-31", 2026, 53);
    check_week("2027-01-03", 2026, 53);
    check_week("2027-01-04", 2027, 1);

    char buf[16];
    /* both ends of the 2020/2021 boundary week map to one key and one label */
    long k1 = report_period_key(REPORT_BY_WEEK, day_of("2020-12-28"));
    long k2 = report_period_key(REPORT_BY_WEEK, day_of("2021-01-03"));
    CHECK(k1 == k2 && k1 == day_of("2020-12-28"));
    report_period_label(REPORT_BY_WEEK, k1, buf, sizeof buf);
    CHECK_SAME(buf, "2020-W53");
    long k3 = report_period_key(REPORT_BY_WEEK, day_of("2021-01-04"));
    CHECK(report_period_distance(REPORT_BY_WEEK, k1, k3) == 1);
    CHECK(report_period_add(REPORT_BY_WEEK, k1, 1) == k3);
    report_period_label(REPORT_BY_WEEK, k3, buf, sizeof buf);
    CHECK_SAME(buf, "2021-W01");
    report_period_label(REPORT_BY_WEEK, report_period_key(REPORT_BY_WEEK, day_of("2024-12-31")),
                        buf, sizeof buf);
    CHECK_SAME(buf, "2025-W01");

    /* months and days */
    long m1 = report_period_key(REPORT_BY_MONTH, day_of("2025-12-31"));
    long m2 = report_period_key(REPORT_BY_MONTH, day_of("2026-01-01"));
    CHECK(report_period_distance(REPORT_BY_MONTH, m1, m2) == 1);
    report_period_label(REPORT_BY_MONTH, m1, buf, sizeof buf);
    CHECK_SAME(buf, "2025-12");
    report_period_label(REPORT_BY_MONTH, m2, buf, sizeof buf);
    CHECK_SAME(buf, "2026-01");
    report_period_label(REPORT_BY_DAY, report_period_key(REPORT_BY_DAY, day_of("2024-02-29")), buf,
                        sizeof buf);
    CHECK_SAME(buf, "2024-02-29");

    report_by by;
    CHECK(report_by_parse("month", &by) == 0 && by == REPORT_BY_MONTH);
    CHECK(report_by_parse("year", &by) == -1);
}

static report *make(report_by by, const char *const *lines, size_t n)
{
    report_options opt = {.by = by, .groups = REPORT_GROUP_BOTH};
    report *r = report_new(&opt, NULL);
    for (size_t i = 0; r && i < n; i++)
        CHECK(report_add_line(r, lines[i], strlen(lines[i]), NULL) == 0);
    if (r)
        CHECK(report_finish(r, NULL) == 0);
    return r;
}

#define REC(id, date, lang, src, label, conf, extra)                                               \
    "{\"id\":\"" id "\",\"date\":\"" date "\",\"lang\":\"" lang "\",\"source\":\"" src             \
    "\",\"outlook\":{\"label\":\"" label "\",\"confidence\":" conf "}" extra "}"

static const char *const lines1[] = {
    REC("a", "2020-12-28", "uk", "x.ua", "pessimistic", "0.6",
        ",\"title\":\"A\",\"url\":\"https://x.ua/a\",\"stance\":[{\"target\":\"russia\","
        "\"label\":\"against\"}],\"evidence\":[{\"task\":\"outlook\",\"label\":\"pessimistic\","
        "\"confidence\":0.7,\"text\":\"weak\"},{\"task\":\"outlook\",\"label\":\"pessimistic\","
        "\"confidence\":0.9,\"text\":\"strong\"},{\"task\":\"stance\",\"label\":\"against\","
        "\"confidence\":0.99,\"text\":\"not outlook\"}]"),
    REC("b", "2021-01-03T10:00:00Z", "uk", "x.ua", "pessimistic", "0.8",
        ",\"stance\":[{\"target\":\"russia\",\"label\":\"favor\"},{\"target\":\"usa\","
        "\"label\":\"none\"}]"),
    REC("c", "2021-01-02", "ru", "y.ru", "optimistic", "0.7", ""),
    REC("d", "2021-01-04", "ru", "y.ru", "neutral", "0.5", ""),
    /* two weeks without articles, then one */
    REC("e", "2021-01-25", "en", "z.com", "optimistic", "0.9",
        ",\"stance\":[{\"target\":\"russia\",\"label\":\"against\"}]"),
    /* undated: counted and grouped, never in a period */
    REC("f", "25.01.2021", "en", "z.com", "pessimistic", "0.99", ""),
    "{\"id\":\"g\",\"lang\":\"uk\",\"outlook\":{\"label\":\"neutral\",\"confidence\":0.4}}",
    /* error records: counted, not plotted, not undated */
    "{\"id\":\"h\",\"date\":\"2021-01-04\",\"lang\":\"uk\",\"error\":{\"code\":\"data\","
    "\"message\":\"empty text\"}}",
    "{\"id\":\"i\",\"error\":{\"code\":\"data\",\"message\":\"not JSON\"}}",
    /* not a result at all, and a blank line */
    "not json",
    "[1,2]",
    "   \r\n",
    /* a label a future model might add */
    REC("j", "2021-01-25", "en", "z.com", "hopeful", "0.5", ""),
};

static void test_aggregate(void)
{
    report *r = make(REPORT_BY_WEEK, lines1, sizeof lines1 / sizeof *lines1);
    CHECK(r != NULL);
    if (!r)
        return;
    const report_totals *t = &r->totals;
    CHECK(t->lines == 12);
    CHECK(t->records == 10);
    CHECK(t->unreadable == 2);
    CHECK(t->errors == 2);
    CHECK(t->undated == 2);
    CHECK(t->scored == 8);
    CHECK(t->dated == 6);
    CHECK(r->outlook[REPORT_OPTIMISTIC] == 2 && r->outlook[REPORT_PESSIMISTIC] == 3);
    CHECK(r->outlook[REPORT_NEUTRAL] == 2 && r->outlook[REPORT_OUTLOOK_OTHER] == 1);

    /* 2020-W53 (a, b, c: the Jan 2 and Jan 3 records fall in the 2020 week), 2021-W01 (d),
     * 2021-W04 (e, j); W02 and W03 are gaps */
    CHECK(r->nperiods == 3);
    if (r->nperiods == 3) {
        CHECK_SAME(r->periods[0].label, "2020-W53");
        CHECK(r->periods[0].n == 3);
        CHECK(r->periods[0].outlook[REPORT_PESSIMISTIC] == 2);
        CHECK(r->periods[0].outlook[REPORT_OPTIMISTIC] == 1);
        CHECK_SAME(r->periods[1].label, "2021-W01");
        CHECK(r->periods[1].n == 1 && r->periods[1].outlook[REPORT_NEUTRAL] == 1);
        CHECK_SAME(r->periods[2].label, "2021-W04");
        CHECK(r->periods[2].n == 2 && r->periods[2].outlook[REPORT_OUTLOOK_OTHER] == 1);
        CHECK(report_period_distance(REPORT_BY_WEEK, r->periods[1].key, r->periods[2].key) == 3);
        CHECK(report_find_period(r, r->periods[2].key) == 2);
        CHECK(report_find_period(r, r->periods[1].key + 7) == -1);

        /* examples: the more confident pessimistic article, with its best outlook evidence */
        const report_example *pes = &r->periods[0].best[1];
        CHECK_STR(pes->id, "b");
        CHECK(pes->evidence == NULL);
        const report_example *opt = &r->periods[0].best[0];
        CHECK_STR(opt->id, "c");
        CHECK(r->periods[1].best[0].id == NULL && r->periods[1].best[1].id == NULL);
    }

    /* languages by volume, undated included in the group totals but not in its cells */
    CHECK(r->nlangs == 3);
    if (r->nlangs == 3) {
        CHECK_STR(r->langs[0].name, "en"); /* 3 (e, f, j) ties uk 3 (a, b, g): by name */
        CHECK(r->langs[0].n == 3);
        CHECK_STR(r->langs[1].name, "uk");
        CHECK(r->langs[1].n == 3 && r->langs[1].ncells == 1);
        CHECK(r->langs[1].cells[0].n == 2 && r->langs[1].cells[0].period == 0);
        CHECK_STR(r->langs[2].name, "ru");
        CHECK(r->langs[2].ncells == 2 && r->langs[2].cells[0].period == 0 &&
              r->langs[2].cells[1].period == 1);
    }
    /* "g" has no source: grouped as "(none)" */
    CHECK(r->nsources == 4);
    int none_found = 0;
    for (size_t i = 0; i < r->nsources; i++)
        none_found |= strcmp(r->sources[i].name, "(none)") == 0 && r->sources[i].n == 1;
    CHECK(none_found);

    /* parties: russia in a, b, e; usa in b */
    CHECK(r->nparties == 2);
    if (r->nparties == 2) {
        const report_party *p = &r->parties[0];
        CHECK_STR(p->name, "russia");
        CHECK(p->n == 3 && p->stance[REPORT_AGAINST] == 2 && p->stance[REPORT_FAVOR] == 1);
        CHECK(p->ncells == 2);
        if (p->ncells == 2) {
            CHECK(p->cells[0].period == 0 && p->cells[0].n == 2);
            CHECK(p->cells[0].counts[REPORT_FAVOR] == 1 && p->cells[0].counts[REPORT_AGAINST] == 1);
            CHECK(p->cells[1].period == 2 && p->cells[1].counts[REPORT_AGAINST] == 1);
        }
        CHECK_STR(r->parties[1].name, "usa");
        CHECK(r->parties[1].stance[REPORT_NONE] == 1);
    }
    CHECK(report_add_line(r, "{}", 2, NULL) == STANCE_ERR_USAGE);

    /* the writers run and say what they should */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f && report_write_html(f, r, NULL, NULL, NULL) == 0);
    if (f)
        fclose(f);
    CHECK(buf && strstr(buf, "model unknown"));
    CHECK(buf && strstr(buf, "data-total=\"errors\">2<"));
    CHECK(buf && strstr(buf, "data-total=\"undated\">2<"));
    CHECK(buf && strstr(buf, "data-period=\"2020-W53\" data-n=\"3\""));
    CHECK(buf && strstr(buf, "<script") == NULL);
    CHECK(buf && strstr(buf, "https://x.ua/a") == NULL); /* the example is "b", not "a" */
    free(buf);

    cJSON *j = report_to_json(r, NULL);
    CHECK(j != NULL);
    const cJSON *tot = cJSON_GetObjectItemCaseSensitive(j, "totals");
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tot, "errors")) == 2);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tot, "undated")) == 2);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "periods")) == 3);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "model")));
    cJSON_Delete(j);
    report_free(r);
}

static void test_months_days_and_range(void)
{
    report *r = make(REPORT_BY_MONTH, lines1, sizeof lines1 / sizeof *lines1);
    CHECK(r && r->nperiods == 2);
    if (r && r->nperiods == 2) {
        CHECK_SAME(r->periods[0].label, "2020-12");
        CHECK(r->periods[0].n == 1);
        CHECK_SAME(r->periods[1].label, "2021-01");
        CHECK(r->periods[1].n == 5);
    }
    report_free(r);

    r = make(REPORT_BY_DAY, lines1, sizeof lines1 / sizeof *lines1);
    CHECK(r && r->nperiods == 5);
    report_free(r);

    /* --from/--to: inclusive; undated and out-of-range records stay out of the charts */
    report_options opt = {.by = REPORT_BY_WEEK,
                          .groups = REPORT_GROUP_LANG,
                          .has_from = 1,
                          .from_day = day_of("2021-01-03"),
                          .has_to = 1,
                          .to_day = day_of("2021-01-04")};
    r = report_new(&opt, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    for (size_t i = 0; i < sizeof lines1 / sizeof *lines1; i++)
        report_add_line(r, lines1[i], strlen(lines1[i]), NULL);
    CHECK(report_finish(r, NULL) == 0);
    CHECK(r->totals.scored == 2); /* b (Jan 3) and d (Jan 4) */
    CHECK(r->totals.out_of_range == 4);
    CHECK(r->totals.undated == 2);
    CHECK(r->nsources == 0); /* --group lang */
    CHECK(r->nlangs == 2);
    report_free(r);
}

static void test_edges(void)
{
    /* no records at all */
    report *r = make(REPORT_BY_WEEK, NULL, 0);
    CHECK(r && r->nperiods == 0 && r->totals.records == 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f && r && report_write_html(f, r, NULL, NULL, NULL) == 0);
    if (f)
        fclose(f);
    CHECK(buf && strstr(buf, "</html>"));
    free(buf);
    report_free(r);

    /* every record undated */
    static const char *const undated[] = {
        "{\"id\":\"1\",\"date\":\"yesterday\",\"outlook\":{\"label\":\"neutral\"}}",
        "{\"id\":\"2\",\"outlook\":{\"label\":\"pessimistic\",\"confidence\":0.8}}",
    };
    r = make(REPORT_BY_DAY, undated, 2);
    CHECK(r && r->totals.undated == 2 && r->nperiods == 0 && r->totals.scored == 2);
    buf = NULL;
    f = open_memstream(&buf, &len);
    CHECK(f && r && report_write_html(f, r, NULL, NULL, NULL) == 0);
    if (f)
        fclose(f);
    CHECK(buf && strstr(buf, "No dated articles"));
    free(buf);
    report_free(r);

    /* one article, one period; hostile strings are escaped, a javascript: url is no link */
    static const char *const one[] = {
        "{\"id\":\"<x>\",\"date\":\"2025-11-25\",\"title\":\"<script>alert(1)</script>\","
        "\"url\":\"javascript:alert(1)\",\"source\":\"a&b\",\"outlook\":{\"label\":"
        "\"optimistic\",\"confidence\":0.9}}",
    };
    r = make(REPORT_BY_WEEK, one, 1);
    CHECK(r && r->nperiods == 1);
    buf = NULL;
    f = open_memstream(&buf, &len);
    CHECK(f && r && report_write_html(f, r, NULL, NULL, NULL) == 0);
    if (f)
        fclose(f);
    CHECK(buf && strstr(buf, "<script") == NULL);
    CHECK(buf && strstr(buf, "&lt;script&gt;"));
    CHECK(buf && strstr(buf, "href=\"javascript") == NULL);
    CHECK(buf && strstr(buf, "a&amp;b"));
    free(buf);
    report_free(r);
}

static void test_model(void)
{
    const char *src = getenv("STANCE_SOURCE_DIR");
    const char *tmp = getenv("STANCE_TEST_TMP");
    char path[4096];
    snprintf(path, sizeof path, "%s/test_report_manifest.json", tmp ? tmp : "/tmp");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("{\"name\":\"demo\",\"trained_at\":\"2025-12-01\",\"created_by\":\"stance 0.1.0\","
          "\"tasks\":[{\"name\":\"outlook\",\"cross_validation\":{\"folds\":5,\"examples\":"
          "100,\"accuracy\":0.7,\"macro_f1\":0.65,\"ece\":0.03}}]}",
          f);
    fclose(f);
    report_model m;
    CHECK(report_model_read(path, &m, NULL) == 0);
    CHECK(m.known && strcmp(m.name, "demo") == 0 && m.ntasks == 1);
    CHECK(m.tasks[0].examples == 100 && m.tasks[0].macro_f1 == 0.65);
    remove(path);
    stance_error err;
    CHECK(report_model_read("/nonexistent.model", &m, &err) == STANCE_ERR_MODEL && !m.known);
    (void)src;
}

int main(void)
{
    test_dates();
    test_iso_weeks();
    test_aggregate();
    test_months_days_and_range();
    test_edges();
    test_model();
    return check_finish();
}
