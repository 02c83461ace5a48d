/* Unit tests: hashtag.h (finding hashtags in raw text, cutting them into words). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hashtag.h"

/* The parts of body as "a|b|c", numbers written "[2023]". */
static const char *split_str(const char *body)
{
    static char out[512];
    hashtag_part p[HASHTAG_MAX_PARTS];
    size_t n = hashtag_split(body, strlen(body), p);
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(out + at, sizeof out - at, "%s%s%.*s%s", i ? "|" : "",
                               p[i].is_number ? "[" : "", (int)p[i].len, body + p[i].off,
                               p[i].is_number ? "]" : "");
    return out;
}

/* The bodies of every hashtag in text, as "a,b". */
static const char *bodies(const char *text)
{
    static char out[512];
    size_t pos = 0, b, n, at = 0;
    out[0] = '\0';
    while (hashtag_next(text, strlen(text), &pos, &b, &n))
        at +=
            (size_t)snprintf(out + at, sizeof out - at, "%s%.*s", at ? "," : "", (int)n, text + b);
    return out;
}

static void test_split(void)
{
    CHECK_STR(split_str("StopTheWar"), "Stop|The|War");
    CHECK_STR(split_str("stop_war"), "stop|war");
    CHECK_STR(split_str("__stop__war__"), "stop|war");
    CHECK_STR(split_str("NATOSummit2023"), "NATO|Summit|[2023]");
    CHECK_STR(split_str("Ukraine"), "Ukraine");
    CHECK_STR(split_str("lovewins"), "lovewins");
    CHECK_STR(split_str("NATO"), "NATO");
    CHECK_STR(split_str("WW3"), "WW|[3]");
    CHECK_STR(split_str("iPhone"), "i|Phone");
    CHECK_STR(split_str("СлаваУкраїні"), "Слава|Україні");
    CHECK_STR(split_str("МирВУкраине"), "Мир|В|Украине");
    /* an acronym glued to a lowercase word is beyond the rules: read as Р|Фи */
    CHECK_STR(split_str("РФиСША"), "Р|Фи|США");
    CHECK_STR(split_str("2022"), "[2022]");
    CHECK_STR(split_str(""), "");
    CHECK_STR(split_str("___"), "");
    /* a combining mark stays with its letter (й written as и + U+0306) */
    CHECK_STR(split_str("Мои\xcc\x86Дом"), "Мои\xcc\x86|Дом");
    /* caseless letters never start a part, digits still do */
    CHECK_STR(split_str("和平2024"), "和平|[2024]");
    /* past HASHTAG_MAX_PARTS - 1 cuts, the rest is one part, not a number */
    CHECK_STR(split_str("aBcDeFgHiJkLmNoPqRsTuVwXyZ"), "a|Bc|De|Fg|Hi|Jk|Lm|No|Pq|Rs|Tu|Vw|Xy|Z");
    CHECK_STR(split_str("a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_q_r_s"),
              "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p_q_r_s");
    CHECK_STR(split_str("a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_1_2"), "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|1_2");
    /* invalid UTF-8 separates like any other non-letter */
    CHECK_STR(split_str("ab\xff"
                        "cd"),
              "ab|cd");
}

static void test_next(void)
{
    CHECK_STR(bodies("#StopTheWar now, #мир_2024!"), "StopTheWar,мир_2024");
    CHECK_STR(bodies("c# and a#b, # 1, ##x, #"), "x");
    CHECK_STR(bodies("\xef\xbc\x83"
                     "Fullwidth"),
              "Fullwidth");
    CHECK_STR(bodies("(#Peace)"), "Peace");
    CHECK_STR(bodies("#a\xff"), "a");
    CHECK_STR(bodies("\xff#a"), "a");
    CHECK_STR(bodies("no tags"), "");
    /* a truncated fullwidth sign at the end is no hashtag and no over-read */
    CHECK_STR(bodies("x \xef\xbc"), "");
}

int main(void)
{
    test_split();
    test_next();
    return check_finish();
}
