/*
 * test_reader.c - the CSV / JSONL / TEXT record readers (datasets/reader.h).
 *
 * Inputs are written inside the test (reader_open_memory), plus real files
 * under $STANCE_TEST_TMP (or /tmp) for paths, folders and standard input.
 */
#include "check.h"
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static reader *open_mem_n(const char *s, size_t n, reader_format fmt, const reader_options *opt)
{
    stance_error err = {0, {0}};
    reader *r = reader_open_memory(s, n, fmt, opt, &err);
    if (!r)
        fprintf(stderr, "reader_open_memory failed: %s\n", err.message);
    return r;
}

static reader *open_mem(const char *s, reader_format fmt, const reader_options *opt)
{
    return open_mem_n(s, strlen(s), fmt, opt);
}

/* Reads the next record, expecting one. */
static int next(reader *r, record *rec)
{
    stance_error err = {0, {0}};
    int rc = reader_next(r, rec, &err);
    if (rc < 0)
        fprintf(stderr, "reader_next failed: %s\n", err.message);
    return rc;
}

/* Counts the remaining records of r, and how many of them are errors. */
static int drain(reader *r, int *errors)
{
    record rec = {0};
    int n = 0;
    *errors = 0;
    while (next(r, &rec) == 1) {
        n++;
        if (rec.error_code)
            (*errors)++;
    }
    record_clear(&rec);
    return n;
}

static int contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}

/* ------------------------------------------------------------------- CSV */

static void test_csv_basic(void)
{
    const char *in = "\xEF\xBB\xBFid,text,label\r\n"
                     "a1,\"Hello, world\",pro\r\n"
                     "\n"
                     "a2,\"She said \"\"no\"\"\",con\n"
                     "   \r\n"
                     "a3,\"two\nlines\r\nhere\",neutral\r\n"
                     ",plain text,pro\n"
                     "a5,last one,con";
    reader *r = open_mem(in, READER_CSV, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    const char *const *cols;
    CHECK(reader_columns(r, &cols) == 3);
    CHECK_STR(cols[0], "id");
    CHECK_STR(cols[2], "label");

    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.id, "a1");
    CHECK_STR(rec.text, "Hello, world");
    CHECK(rec.text_len == 12);
    CHECK(rec.line == 2);
    CHECK(rec.nfields == 2);
    CHECK_STR(rec.names[0], "id");
    CHECK_STR(rec.values[0], "a1");
    CHECK_STR(record_get(&rec, "label"), "pro");
    CHECK(record_get(&rec, "text") == NULL);
    CHECK(record_get(&rec, "nope") == NULL);
    CHECK_STR(rec.path, "<memory>");

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "a2");
    CHECK_STR(rec.text, "She said \"no\"");
    CHECK(rec.line == 4);

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "a3");
    CHECK_STR(rec.text, "two\nlines\r\nhere");
    CHECK(rec.line == 6);

    CHECK(next(r, &rec) == 1); /* empty id -> record number */
    CHECK_STR(rec.id, "4");
    CHECK_STR(rec.text, "plain text");
    CHECK(rec.line == 9);

    CHECK(next(r, &rec) == 1); /* no final newline */
    CHECK_STR(rec.id, "a5");
    CHECK_STR(rec.text, "last one");
    CHECK_STR(record_get(&rec, "label"), "con");
    CHECK(rec.line == 10);

    CHECK(next(r, &rec) == 0);
    CHECK(next(r, &rec) == 0); /* stays at the end */
    record_clear(&rec);
    CHECK(rec.id == NULL && rec.nfields == 0);
    reader_close(r);
}

static void test_csv_line_ends(void)
{
    /* CR-only, LF and CRLF mixed; a trailing empty field; quoted empty field */
    const char *in = "text,x\rone,1\ntwo,\r\nthree,\"\"\r";
    reader *r = open_mem(in, READER_CSV, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.text, "one");
    CHECK_STR(record_get(&rec, "x"), "1");
    CHECK(rec.line == 2);
    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.text, "two");
    CHECK_STR(record_get(&rec, "x"), "");
    CHECK(rec.line == 3);
    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.text, "three");
    CHECK_STR(record_get(&rec, "x"), "");
    CHECK(rec.line == 4);
    CHECK_STR(rec.id, "3"); /* no id column -> record number */
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);

    /* a final row ending in a comma, at EOF */
    r = open_mem("text,x\nhi,", READER_CSV, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.text, "hi");
    CHECK_STR(record_get(&rec, "x"), "");
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);
}

static void test_csv_errors(void)
{
    const char *in = "id,text\n"
                     "r1,ok one\n"
                     "r2,too,many\n"             /* ragged: 3 fields */
                     "r3\n"                      /* ragged: 1 field */
                     "r4,bad \"quote\" here\n"   /* quote in unquoted field */
                     "r5,\"closed\"x\n"          /* junk after closing quote */
                     "r6,\"  \"\n"               /* whitespace-only text */
                     "r7,\n"                     /* empty text */
                     "r8,\xC2\xA0\xE3\x80\x80\n" /* NBSP + ideographic space: empty */
                     "r9,fine again\n";
    reader *r = open_mem(in, READER_CSV, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.text, "ok one");

    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK_STR(rec.error, "row has 3 fields, header has 2");
    CHECK_STR(rec.id, "r2");
    CHECK(rec.text == NULL);
    CHECK(rec.nfields == 0);
    CHECK(rec.line == 3);

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.error, "row has 1 fields, header has 2");
    CHECK_STR(rec.id, "r3");

    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK(contains(rec.error, "quote inside unquoted field"));
    CHECK_STR(rec.id, "r4");

    CHECK(next(r, &rec) == 1);
    CHECK(contains(rec.error, "after closing quote"));
    CHECK_STR(rec.id, "r5");

    for (int i = 6; i <= 8; i++) {
        char id[8];
        snprintf(id, sizeof id, "r%d", i);
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.error, "empty text");
        CHECK(rec.id && strcmp(rec.id, id) == 0);
    }
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.text, "fine again");
    CHECK(rec.line == 10);
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);
}

static void test_csv_unterminated(void)
{
    reader *r = open_mem("id,text\nx1,ok\nx2,\"never closed\nmore\n", READER_CSV, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK(contains(rec.error, "unterminated quoted field"));
    CHECK_STR(rec.id, "x2");
    CHECK(rec.line == 3);
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);
}

static void test_csv_nul(void)
{
    static const char in[] = "id,text\nn1,a\0b\nn2,ok\n";
    reader *r = open_mem_n(in, sizeof in - 1, READER_CSV, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK_STR(rec.error, "NUL byte at byte offset 4");
    CHECK_STR(rec.id, "n1");
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.text, "ok");
    record_clear(&rec);
    reader_close(r);
}

/* Each bad UTF-8 sequence, after "u,ab" (so at byte offset 4 of its row), must make an error
 * record naming that offset, and the next row must read fine. */
static void test_csv_utf8(void)
{
    static const char *const bad[] = {
        "\xC0\x80",         /* overlong NUL */
        "\xC1\xBF",         /* overlong */
        "\xE0\x80\x80",     /* overlong 3-byte */
        "\xF0\x80\x80\x80", /* overlong 4-byte */
        "\x80",             /* lone continuation byte */
        "\xBF",             /* lone continuation byte */
        "\xED\xA0\x80",     /* U+D800 */
        "\xED\xBF\xBF",     /* U+DFFF */
        "\xF4\x90\x80\x80", /* U+110000 */
        "\xF5\x80\x80\x80", /* invalid lead */
        "\xFF",             /* invalid byte */
        "\xE2\x82",         /* truncated before the comma */
        "\xF0\x9F\x98",     /* truncated */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char in[128];
        snprintf(in, sizeof in, "id,text,n\nu,ab%s,1\nv,\xE2\x82\xAC \xF0\x9F\x98\x80,2\n", bad[i]);
        reader *r = open_mem(in, READER_CSV, NULL);
        CHECK(r != NULL);
        if (!r)
            continue;
        record rec = {0};
        CHECK(next(r, &rec) == 1);
        CHECK(rec.error_code == STANCE_ERR_DATA);
        if (strcmp(rec.error, "invalid UTF-8 at byte offset 4") != 0)
            fprintf(stderr, "case %zu: error \"%s\"\n", i, rec.error);
        CHECK_STR(rec.error, "invalid UTF-8 at byte offset 4");
        CHECK_STR(rec.id, "u");
        CHECK(next(r, &rec) == 1);
        CHECK(rec.error_code == 0);
        CHECK_STR(rec.text, "\xE2\x82\xAC \xF0\x9F\x98\x80");
        CHECK(next(r, &rec) == 0);
        record_clear(&rec);
        reader_close(r);
    }
    /* truncated at the very end of the input */
    reader *r = open_mem("text\nab\xE2\x82", READER_CSV, NULL);
    CHECK(r != NULL);
    if (r) {
        record rec = {0};
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.error, "invalid UTF-8 at byte offset 2");
        CHECK_STR(rec.id, "1");
        CHECK(next(r, &rec) == 0);
        record_clear(&rec);
        reader_close(r);
    }
    /* a bad id column falls back to the record number */
    r = open_mem("id,text\n\xFF,x\n", READER_CSV, NULL);
    CHECK(r != NULL);
    if (r) {
        record rec = {0};
        CHECK(next(r, &rec) == 1);
        CHECK(rec.error_code == STANCE_ERR_DATA);
        CHECK_STR(rec.id, "1");
        record_clear(&rec);
        reader_close(r);
    }
}

static void test_csv_too_long(void)
{
    reader_options opt = {0};
    opt.max_record_bytes = 32;
    const char *in = "id,text\n"
                     "k1,short\n"
                     "k2,\"this quoted field is far, far longer than 32 bytes\nand spans lines\"\n"
                     "k3,an unquoted field that is also longer than thirty-two\n"
                     "k4,after\n";
    reader *r = open_mem(in, READER_CSV, &opt);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.text, "short");
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK_STR(rec.error, "record longer than 32 bytes");
    CHECK_STR(rec.id, "k2");
    CHECK(rec.line == 3);
    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.error, "record longer than 32 bytes");
    CHECK_STR(rec.id, "k3");
    CHECK(rec.line == 5);
    CHECK(next(r, &rec) == 1); /* resynchronised */
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.id, "k4");
    CHECK_STR(rec.text, "after");
    CHECK(rec.line == 6);
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);
}

static void test_csv_open_failures(void)
{
    stance_error err = {0, {0}};
    reader *r = reader_open_memory("\xFF\xFEt\0e\0", 6, READER_CSV, NULL, &err);
    CHECK(r == NULL);
    CHECK(err.code == STANCE_ERR_DATA);
    CHECK(contains(err.message, "UTF-16 input is not supported; convert to UTF-8"));
    CHECK(contains(err.message, "<memory>"));

    stance_error_clear(&err);
    r = reader_open_memory("\xFE\xFF\0t\0e", 6, READER_JSONL, NULL, &err);
    CHECK(r == NULL);
    CHECK(contains(err.message, "UTF-16 input is not supported"));

    reader_options req = {0};
    req.require_text = 1;
    stance_error_clear(&err);
    r = reader_open_memory("id,body\n1,x\n", 12, READER_CSV, &req, &err);
    CHECK(r == NULL);
    CHECK(err.code == STANCE_ERR_DATA);
    CHECK(contains(err.message, "no \"text\" column"));

    stance_error_clear(&err);
    r = reader_open_memory("id,\"te\"xt\"\n1,x\n", 15, READER_CSV, NULL, &err);
    CHECK(r == NULL);
    CHECK(err.code == STANCE_ERR_DATA);
    CHECK(contains(err.message, "<memory>:1: bad CSV header"));

    stance_error_clear(&err);
    r = reader_open_memory("text,text\nx,y\n", 14, READER_CSV, NULL, &err);
    CHECK(r == NULL);
    CHECK(contains(err.message, "appears twice"));
}

static void test_csv_empty_and_options(void)
{
    int errors;
    const char *empties[] = {"", "\xEF\xBB\xBF", "\n\n", "id,text\n", "id,text", "id,text\n\n"};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        reader *r = open_mem(empties[i], READER_CSV, NULL);
        CHECK(r != NULL);
        if (!r)
            continue;
        CHECK(drain(r, &errors) == 0);
        reader_close(r);
    }

    /* text column missing without require_text: text "" and every column as a field */
    reader *r = open_mem("id,body\nq,hello\n", READER_CSV, NULL);
    CHECK(r != NULL);
    if (r) {
        record rec = {0};
        CHECK(next(r, &rec) == 1);
        CHECK(rec.error_code == 0);
        CHECK_STR(rec.text, "");
        CHECK(rec.nfields == 2);
        CHECK_STR(record_get(&rec, "body"), "hello");
        CHECK_STR(rec.id, "q");
        record_clear(&rec);
        reader_close(r);
    }

    /* other field names */
    reader_options opt = {0};
    opt.text_field = "body";
    opt.id_field = "key";
    r = open_mem("key,body,text\nK1,the body,not this\n", READER_CSV, &opt);
    CHECK(r != NULL);
    if (r) {
        record rec = {0};
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.id, "K1");
        CHECK_STR(rec.text, "the body");
        CHECK_STR(record_get(&rec, "text"), "not this");
        record_clear(&rec);
        reader_close(r);
    }
}

/* ------------------------------------------------------------------ JSONL */

static void test_jsonl_basic(void)
{
    const char *in = "{\"id\":\"j1\",\"text\":\"caf\\u00e9 \xF0\x9F\x98\x80\",\"label\":\"pro\","
                     "\"score\":0.5,\"n\":3,\"ok\":true,\"no\":false,\"nil\":null,"
                     "\"obj\":{\"a\":1},\"arr\":[1,2]}\n"
                     "\n"
                     "   \r\n"
                     "{\"id\":42,\"text\":\"number id\"}\r\n"
                     "{\"text\":\"no id, emoji \\ud83d\\ude00\",\"big\":1e300,\"neg\":-2.25}\n"
                     "{\"id\":\"\",\"text\":\"literal \\\\u0000 is fine\"}";
    reader *r = open_mem(in, READER_AUTO, NULL); /* memory + AUTO = JSONL */
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK(reader_columns(r, NULL) == 0);
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.id, "j1");
    CHECK_STR(rec.text, "caf\xC3\xA9 \xF0\x9F\x98\x80");
    CHECK(rec.line == 1);
    CHECK(rec.nfields == 6);
    CHECK_STR(rec.names[0], "id");
    CHECK_STR(rec.names[1], "label");
    CHECK_STR(record_get(&rec, "label"), "pro");
    CHECK_STR(record_get(&rec, "score"), "0.5");
    CHECK_STR(record_get(&rec, "n"), "3");
    CHECK_STR(record_get(&rec, "ok"), "true");
    CHECK_STR(record_get(&rec, "no"), "false");
    CHECK(record_get(&rec, "nil") == NULL);
    CHECK(record_get(&rec, "obj") == NULL);
    CHECK(record_get(&rec, "arr") == NULL);

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "42");
    CHECK_STR(rec.text, "number id");
    CHECK(rec.line == 4);

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "3");
    CHECK_STR(rec.text, "no id, emoji \xF0\x9F\x98\x80");
    CHECK_STR(record_get(&rec, "big"), "1e+300");
    CHECK_STR(record_get(&rec, "neg"), "-2.25");
    CHECK(rec.line == 5);

    CHECK(next(r, &rec) == 1); /* empty id -> record number; last line without newline */
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.id, "4");
    CHECK_STR(rec.text, "literal \\u0000 is fine");
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);
}

/* Lines of string members only take the reader's fast path (no cJSON tree); these cases pin
 * that it makes the records the general path makes: the first id and text of each name,
 * every other member a field in order, the one-character escapes, and whitespace. */
static void test_jsonl_string_members(void)
{
    const char *in =
        " {\"text\" : \"a\\\"b\\\\c\\/d\\n\\t\",\"id\":\"x1\",\"id\":\"x2\","
        "\"text\":\"second\",\"src\":\"s\"}\t\r\n"
        "{\"id\":\"y\",\"text\":\"\xD1\x82\xD0\xB5\xD1\x81\xD1\x82\",\"t\":\"\\u0041\"}\n"
        "{\"id\":\"z\",\"text\":\"q\",\"n\":1}\n"
        "{\"id\":\"w\",\"text\":\"bad \\x escape\"}\n"
        "{\"id\":\"v\",\"text\":\"ok\"} trailing\n"
        "{\"id\":\"u\",\"text\":\"  \"}\n";
    reader *r = open_mem(in, READER_JSONL, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.id, "x1");
    CHECK_STR(rec.text, "a\"b\\c/d\n\t");
    CHECK(rec.nfields == 4);
    CHECK_STR(rec.names[0], "id");
    CHECK_STR(rec.values[0], "x1");
    CHECK_STR(rec.names[1], "id");
    CHECK_STR(rec.values[1], "x2");
    CHECK_STR(rec.names[2], "text");
    CHECK_STR(rec.values[2], "second");
    CHECK_STR(record_get(&rec, "src"), "s");

    CHECK(next(r, &rec) == 1); /* a \u escape: the general path */
    CHECK_STR(rec.text, "\xD1\x82\xD0\xB5\xD1\x81\xD1\x82");
    CHECK_STR(record_get(&rec, "t"), "A");

    CHECK(next(r, &rec) == 1); /* a number member: the general path */
    CHECK_STR(record_get(&rec, "n"), "1");

    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK(contains(rec.error, "not valid JSON"));
    CHECK_STR(rec.id, "4");

    CHECK(next(r, &rec) == 1);
    CHECK(contains(rec.error, "text after the value"));

    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK_STR(rec.id, "u");
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);
}

static void test_jsonl_errors(void)
{
    const char *in = "{\"text\":\"good\"}\n"                 /* 1 */
                     "not json at all\n"                     /* 2 */
                     "[1,2,3]\n"                             /* 3 */
                     "{\"id\":\"m\",\"body\":\"x\"}\n"       /* 4 */
                     "{\"id\":7,\"text\":5}\n"               /* 5 */
                     "{\"id\":\"t\",\"text\":\"a\"} x\n"     /* 6 */
                     "{\"text\":\"a\\u0000b\"}\n"            /* 7 */
                     "{\"text\":\"lone \\ud800\"}\n"         /* 8 */
                     "{\"id\":\"e\",\"text\":\" \\n\\t\"}\n" /* 9 */
                     "{\"text\":\"bad \xC0\xAF\"}\n"         /* 10 */
                     "{\"text\":\"Text\"\n"                  /* 11 */
                     "{\"TEXT\":\"case matters\"}\n"         /* 12 */
                     "{\"text\":\"end\"}\n";                 /* 13 */
    reader *r = open_mem(in, READER_JSONL, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);

    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK(contains(rec.error, "not valid JSON"));
    CHECK_STR(rec.id, "2");
    CHECK(rec.line == 2);

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.error, "line is not a JSON object");
    CHECK_STR(rec.id, "3");

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.error, "no \"text\" member");
    CHECK_STR(rec.id, "m");

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.error, "\"text\" is not a string");
    CHECK_STR(rec.id, "7");

    CHECK(next(r, &rec) == 1);
    CHECK(contains(rec.error, "text after the value"));
    CHECK_STR(rec.id, "t");

    CHECK(next(r, &rec) == 1);
    CHECK(contains(rec.error, "NUL"));
    CHECK(rec.text == NULL);

    CHECK(next(r, &rec) == 1);
    CHECK(contains(rec.error, "not valid JSON"));

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.error, "empty text");
    CHECK_STR(rec.id, "e");

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.error, "invalid UTF-8 at byte offset 13");
    CHECK(rec.line == 10);

    CHECK(next(r, &rec) == 1);
    CHECK(contains(rec.error, "not valid JSON"));

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.error, "no \"text\" member");

    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.text, "end");
    CHECK(rec.line == 13);
    CHECK_STR(rec.id, "13");
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);

    /* a raw NUL byte in a line */
    static const char nul[] = "{\"text\":\"a\0\"}\n{\"text\":\"b\"}\n";
    r = open_mem_n(nul, sizeof nul - 1, READER_JSONL, NULL);
    CHECK(r != NULL);
    if (r) {
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.error, "NUL byte at byte offset 10");
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.text, "b");
        record_clear(&rec);
        reader_close(r);
    }
}

static void test_jsonl_too_long(void)
{
    reader_options opt = {0};
    opt.max_record_bytes = 40;
    const char *in = "{\"id\":\"s\",\"text\":\"short\"}\n"
                     "{\"id\":\"L\",\"text\":\"a line that is much longer than forty bytes\"}\n"
                     "{\"id\":\"after\",\"text\":\"ok\"}";
    reader *r = open_mem(in, READER_JSONL, &opt);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.text, "short");
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK_STR(rec.error, "line longer than 40 bytes");
    CHECK_STR(rec.id, "2");
    CHECK(rec.line == 2);
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.id, "after");
    CHECK(rec.line == 3);
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);
}

/* Numbers print the shortest way that reads back, with '.' even in a comma-decimal locale. */
static void test_jsonl_numbers(void)
{
    static const char *const locales[] = {"C", "de_DE.UTF-8", "uk_UA.UTF-8", "fr_FR.UTF-8"};
    for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++) {
        if (!setlocale(LC_ALL, locales[i]))
            continue; /* not installed here */
        reader *r = open_mem("{\"text\":\"t\",\"a\":0.1,\"b\":1.5e-7,\"c\":-0,\"d\":100,"
                             "\"e\":123456789012,\"f\":2.5}",
                             READER_JSONL, NULL);
        CHECK(r != NULL);
        if (!r)
            continue;
        record rec = {0};
        CHECK(next(r, &rec) == 1);
        CHECK_STR(record_get(&rec, "a"), "0.1");
        CHECK_STR(record_get(&rec, "b"), "1.5e-07");
        CHECK_STR(record_get(&rec, "c"), "-0");
        CHECK_STR(record_get(&rec, "d"), "100");
        CHECK_STR(record_get(&rec, "e"), "123456789012");
        CHECK_STR(record_get(&rec, "f"), "2.5");
        record_clear(&rec);
        reader_close(r);
    }
    setlocale(LC_ALL, "C");
}

/* id and text may be kept past the next reader_next by taking them out of the record. */
static void test_ownership(void)
{
    reader *r =
        open_mem("{\"id\":\"k\",\"text\":\"keep me\"}\n{\"text\":\"next\"}\n", READER_JSONL, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    char *text = rec.text, *id = rec.id;
    rec.text = NULL;
    rec.id = NULL;
    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.text, "next");
    CHECK_STR(text, "keep me");
    CHECK_STR(id, "k");
    free(text);
    free(id);
    record_clear(&rec);
    record_clear(NULL);

    stance_error err = {0, {0}};
    CHECK(reader_next(r, NULL, &err) == -1);
    CHECK(err.code == STANCE_ERR_USAGE);
    reader_close(r);
    reader_close(NULL);
}

/* ------------------------------------------------------------------- TEXT */

static void test_text_memory(void)
{
    reader *r = open_mem("\xEF\xBB\xBFWhole file\nis one record.\n", READER_TEXT, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == 0);
    CHECK_STR(rec.text, "Whole file\nis one record.\n");
    CHECK_STR(rec.id, "1");
    CHECK(rec.line == 0);
    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);

    int errors;
    r = open_mem("  \n\t ", READER_TEXT, NULL);
    CHECK(r != NULL);
    if (r) {
        CHECK(drain(r, &errors) == 1);
        CHECK(errors == 1);
        reader_close(r);
    }
    r = open_mem("ok \xED\xA0\x80", READER_TEXT, NULL);
    CHECK(r != NULL);
    if (r) {
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.error, "invalid UTF-8 at byte offset 3");
        record_clear(&rec);
        reader_close(r);
    }
    reader_options opt = {0};
    opt.max_record_bytes = 8;
    r = open_mem("nine byte", READER_TEXT, &opt);
    CHECK(r != NULL);
    if (r) {
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.error, "text longer than 8 bytes");
        CHECK(next(r, &rec) == 0);
        record_clear(&rec);
        reader_close(r);
    }
}

/* ------------------------------------------------------------ files, dirs */

static char tmpdir[1024];

static void write_file(const char *name, const char *content, size_t n)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(content, 1, n, f) == n);
    fclose(f);
}

static void write_str(const char *name, const char *content)
{
    write_file(name, content, strlen(content));
}

static void path_of(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
}

static void test_files(void)
{
    char p[2048];
    stance_error err = {0, {0}};
    record rec = {0};

    write_str("one.csv", "id,text\nc1,from csv\n");
    path_of(p, sizeof p, "one.csv");
    reader *r = reader_open(p, READER_AUTO, NULL, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.text, "from csv");
        CHECK(rec.path && strcmp(rec.path, p) == 0);
        CHECK(next(r, &rec) == 0);
        reader_close(r);
    }

    write_str("My Article.v2.txt", "Some article text.");
    path_of(p, sizeof p, "My Article.v2.txt");
    r = reader_open(p, READER_AUTO, NULL, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.id, "My Article.v2");
        CHECK_STR(rec.text, "Some article text.");
        CHECK(rec.line == 0);
        CHECK(next(r, &rec) == 0);
        reader_close(r);
    }

    /* an explicit format overrides the extension */
    write_str("rows.data", "{\"text\":\"forced\"}\n");
    path_of(p, sizeof p, "rows.data");
    r = reader_open(p, READER_JSONL, NULL, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.text, "forced");
        reader_close(r);
    }
    stance_error_clear(&err);
    CHECK(reader_open(p, READER_AUTO, NULL, &err) == NULL);
    CHECK(err.code == STANCE_ERR_USAGE);

    path_of(p, sizeof p, "missing.csv");
    stance_error_clear(&err);
    CHECK(reader_open(p, READER_AUTO, NULL, &err) == NULL);
    CHECK(err.code == STANCE_ERR_IO);
    CHECK(contains(err.message, "missing.csv"));

    write_file("wide.csv", "\xFF\xFEi\0d\0", 6);
    path_of(p, sizeof p, "wide.csv");
    stance_error_clear(&err);
    CHECK(reader_open(p, READER_AUTO, NULL, &err) == NULL);
    CHECK(err.code == STANCE_ERR_DATA);
    CHECK(contains(err.message, "wide.csv"));
    CHECK(contains(err.message, "UTF-16 input is not supported; convert to UTF-8"));

    write_str("notext.csv", "id,body\n1,x\n");
    path_of(p, sizeof p, "notext.csv");
    reader_options req = {0};
    req.require_text = 1;
    stance_error_clear(&err);
    CHECK(reader_open(p, READER_AUTO, &req, &err) == NULL);
    CHECK(err.code == STANCE_ERR_DATA);
    CHECK(contains(err.message, "notext.csv"));

    write_str("empty.jsonl", "");
    path_of(p, sizeof p, "empty.jsonl");
    r = reader_open(p, READER_AUTO, NULL, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK(next(r, &rec) == 0);
        reader_close(r);
    }
    record_clear(&rec);
}

static void test_directory(void)
{
    char dir[1024], p[2048];
    snprintf(dir, sizeof dir, "%.1000s/folder", tmpdir);
    mkdir(dir, 0777);
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", tmpdir);
    snprintf(tmpdir, sizeof tmpdir, "%s", dir);
    write_str("b.jsonl", "{\"id\":\"jb1\",\"text\":\"json one\"}\n{\"text\":\"json two\"}\n");
    write_str("a.txt", "text file a");
    write_str("c.csv", "id,text\ncc1,csv one\n");
    write_str("d.ndjson", "{\"text\":\"nd\"}");
    write_str("e.TXT", "upper ext");
    write_str("f.csv", "\xFE\xFF\0t");     /* UTF-16: one error record */
    write_str("notes.md", "skipped");      /* unknown extension */
    write_str(".hidden.txt", "skipped");   /* hidden */
    write_str("g.txt", "");                /* empty text error */
    write_str("h.csv", "\n\nid,\"text\n"); /* bad header on line 3 */
    path_of(p, sizeof p, "sub.txt");
    mkdir(p, 0777); /* a directory: skipped */
    path_of(p, sizeof p, "broken.txt");
    unlink(p);
    CHECK(symlink("/nonexistent/stance/target", p) == 0); /* unreadable: error record */
    snprintf(tmpdir, sizeof tmpdir, "%s", saved);

    stance_error err = {0, {0}};
    reader *r = reader_open(dir, READER_AUTO, NULL, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    /* sorted by name: a.txt b.jsonl broken.txt c.csv d.ndjson e.TXT f.csv g.txt */
    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "a");
    CHECK_STR(rec.text, "text file a");
    CHECK(contains(rec.path, "folder/a.txt"));

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "jb1");
    CHECK(reader_columns(r, NULL) == 0);
    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "2");
    CHECK_STR(rec.text, "json two");

    CHECK(next(r, &rec) == 1);
    CHECK(rec.error_code == STANCE_ERR_DATA);
    CHECK_STR(rec.id, "broken");
    CHECK(contains(rec.path, "broken.txt"));
    CHECK(contains(rec.error, "cannot open"));

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "cc1");
    CHECK_STR(rec.text, "csv one");
    CHECK(reader_columns(r, NULL) == 2);

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.text, "nd");

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "e");
    CHECK_STR(rec.text, "upper ext");

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "f");
    CHECK(contains(rec.error, "UTF-16"));

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "g");
    CHECK_STR(rec.error, "empty text");

    CHECK(next(r, &rec) == 1);
    CHECK_STR(rec.id, "h");
    CHECK(contains(rec.error, "bad CSV header: unterminated quoted field"));
    CHECK(rec.line == 3);

    CHECK(next(r, &rec) == 0);
    record_clear(&rec);
    reader_close(r);

    /* an empty directory: zero records */
    snprintf(p, sizeof p, "%s/emptydir", tmpdir);
    mkdir(p, 0777);
    r = reader_open(p, READER_AUTO, NULL, &err);
    CHECK(r != NULL);
    if (r) {
        int errors;
        CHECK(drain(r, &errors) == 0);
        reader_close(r);
    }
}

static void test_stdin(void)
{
    write_str("stdin.jsonl", "{\"id\":\"s1\",\"text\":\"from stdin\"}\n");
    char p[2048];
    path_of(p, sizeof p, "stdin.jsonl");
    int fd = open(p, O_RDONLY);
    int saved = dup(STDIN_FILENO);
    CHECK(fd >= 0 && saved >= 0);
    if (fd < 0 || saved < 0)
        return;
    dup2(fd, STDIN_FILENO);
    close(fd);
    stance_error err = {0, {0}};
    reader *r = reader_open("-", READER_AUTO, NULL, &err);
    CHECK(r != NULL);
    if (r) {
        record rec = {0};
        CHECK(next(r, &rec) == 1);
        CHECK_STR(rec.id, "s1");
        CHECK_STR(rec.text, "from stdin");
        CHECK_STR(rec.path, "<stdin>");
        CHECK(next(r, &rec) == 0);
        record_clear(&rec);
        reader_close(r);
    }
    dup2(saved, STDIN_FILENO);
    close(saved);
}

/* A streamed file larger than the read buffer, with rows straddling chunk boundaries. */
static void test_large_stream(void)
{
    char p[2048];
    path_of(p, sizeof p, "large.csv");
    FILE *f = fopen(p, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("id,text,label\n", f);
    const int rows = 20000;
    for (int i = 0; i < rows; i++)
        fprintf(f, "r%d,\"row %d, with a comma\nand a \"\"newline\"\"\",%s\r\n", i, i,
                i % 3 ? "pro" : "con");
    fclose(f);
    stance_error err = {0, {0}};
    reader *r = reader_open(p, READER_AUTO, NULL, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    record rec = {0};
    int n = 0, bad = 0;
    while (reader_next(r, &rec, &err) == 1) {
        char want[64];
        snprintf(want, sizeof want, "row %d, with a comma\nand a \"newline\"", n);
        if (rec.error_code || strcmp(rec.text, want) != 0 || rec.line != 2 + 2L * n)
            bad++;
        n++;
    }
    CHECK(n == rows);
    CHECK(bad == 0);
    record_clear(&rec);
    reader_close(r);
}

/* ------------------------------------------------------------ CSV output */

static void test_csv_write_field(void)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    CHECK(f != NULL);
    if (!f)
        return;
    static const char *const values[] = {"plain",  "a,b", "say \"hi\"", "two\nlines", " lead",
                                         "trail ", "",    "cr\rhere",   "caf\xC3\xA9"};
    const size_t n = sizeof values / sizeof values[0];
    fputs("text", f);
    for (size_t i = 0; i < n; i++) {
        fputc('\n', f);
        CHECK(csv_write_field(f, values[i]) == 0);
    }
    fputc('\n', f);
    fclose(f);
    CHECK(strstr(out, "\n\"a,b\"\n") != NULL);
    CHECK(strstr(out, "\n\"say \"\"hi\"\"\"\n") != NULL);
    CHECK(strstr(out, "\nplain\n") != NULL);

    /* round trip: every value reads back (the empty one as "empty text") */
    reader *r = open_mem_n(out, len, READER_CSV, NULL);
    CHECK(r != NULL);
    if (r) {
        record rec = {0};
        for (size_t i = 0; i < n; i++) {
            CHECK(next(r, &rec) == 1);
            if (values[i][0])
                CHECK_STR(rec.text, values[i]);
            else
                CHECK_STR(rec.error, "empty text");
        }
        CHECK(next(r, &rec) == 0);
        record_clear(&rec);
        reader_close(r);
    }
    free(out);
}

/* Removes the test's scratch tree (nftw would need _XOPEN_SOURCE). */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char child[4096];
                snprintf(child, sizeof child, "%s/%s", path, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

int main(void)
{
    const char *base = getenv("STANCE_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_reader.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
        return 1;
    }
    test_csv_basic();
    test_csv_line_ends();
    test_csv_errors();
    test_csv_unterminated();
    test_csv_nul();
    test_csv_utf8();
    test_csv_too_long();
    test_csv_open_failures();
    test_csv_empty_and_options();
    test_jsonl_basic();
    test_jsonl_errors();
    test_jsonl_too_long();
    test_jsonl_numbers();
    test_jsonl_string_members();
    test_ownership();
    test_text_memory();
    test_files();
    test_directory();
    test_stdin();
    test_large_stream();
    test_csv_write_field();
    remove_tree(tmpdir);
    return check_finish();
}
