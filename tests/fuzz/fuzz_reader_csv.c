/*
 * fuzz_reader_csv.c - libFuzzer entry point: reads every CSV record of the input.
 *
 * Build and run (copy the corpus first so that new inputs stay out of the repository):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icommon -Idatasets common/error.c \
 *     datasets/reader.c tests/fuzz/fuzz_reader_csv.c -lcjson -o /tmp/fz
 *   cp -r tests/fuzz/corpus/csv /tmp/csv-corpus && /tmp/fz -max_total_time=300 /tmp/csv-corpus
 *
 * Besides memory errors it checks the reader's promises on every record (kept inline so each
 * fuzzer is one file): an id always, valid UTF-8 text of the stated length on good records, an
 * error message and no fields on bad ones, and no fatal error from a memory input. Each input is
 * read twice, the second time with a tiny max_record_bytes to drive the over-long-record paths.
 */
#include "reader.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An independent UTF-8 check (decode, then test the code point) to cross-check the reader's. */
static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (i + k > n)
            return 0;
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k;
    }
    return 1;
}

static void check_record(const record *rec)
{
    if (!rec->id || !rec->path)
        abort();
    if (!valid_utf8((const unsigned char *)rec->id, strlen(rec->id)))
        abort();
    if (rec->error_code == 0) {
        if (!rec->text || strlen(rec->text) != rec->text_len)
            abort();
        if (!valid_utf8((const unsigned char *)rec->text, rec->text_len))
            abort();
    } else {
        if (rec->error_code != STANCE_ERR_DATA || rec->error[0] == '\0' || rec->nfields)
            abort();
    }
    for (size_t i = 0; i < rec->nfields; i++)
        if (!rec->names[i] || !rec->values[i] || record_get(rec, rec->names[i]) == NULL)
            abort();
}

static void read_all(const uint8_t *data, size_t size, size_t max_record_bytes)
{
    reader_options opt = {0};
    opt.max_record_bytes = max_record_bytes;
    stance_error err = {0, {0}};
    reader *r = reader_open_memory((const char *)data, size, READER_CSV, &opt, &err);
    if (!r) {
        if (err.code == 0 || err.message[0] == '\0')
            abort();
        return;
    }
    const char *const *cols;
    size_t ncols = reader_columns(r, &cols);
    for (size_t i = 0; i < ncols; i++)
        if (!cols[i])
            abort();
    record rec = {0};
    int rc;
    while ((rc = reader_next(r, &rec, &err)) == 1)
        check_record(&rec);
    if (rc != 0) /* memory input cannot fail to read */
        abort();
    record_clear(&rec);
    reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all(data, size, 0);
    read_all(data, size, 7);
    return 0;
}
