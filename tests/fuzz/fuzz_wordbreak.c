/*
 * fuzz_wordbreak.c - libFuzzer target: features/wordbreak.c against ICU's word iterator.
 *
 * The input is UTF-8 (invalid bytes become U+FFFD, as the readers' callers would see them),
 * normalized as the extractor normalizes; when wordbreak_supported() accepts the text, every
 * segment end and rule status must equal ICU's, or the target aborts. Build and run through
 * tests/fuzz/run.sh (FUZZ_SECONDS=600 tests/fuzz/run.sh wordbreak). Any file of text is a
 * useful seed: tools that feed it real texts can call the binary with the files as arguments.
 */
#include "normalize.h"
#include "wordbreak.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unicode/ubrk.h>

static UBreakIterator *words;
static normalize_buffers nb;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!words) {
        UErrorCode st = U_ZERO_ERROR;
        words = ubrk_open(UBRK_WORD, "", NULL, 0, &st);
        if (U_FAILURE(st))
            abort();
    }
    if (size > 4096)
        return 0;
    stance_error err = {0};
    if (normalize_utf16((const char *)data, size, &nb, &err) != 0)
        return 0;
    const UChar *s = nb.dst;
    int32_t n = nb.dst_len;
    if (!wordbreak_supported(s, n))
        return 0;
    UErrorCode st = U_ZERO_ERROR;
    ubrk_setText(words, s, n, &st);
    if (U_FAILURE(st))
        abort();
    int32_t start = ubrk_first(words);
    for (int32_t end = ubrk_next(words); end != UBRK_DONE; start = end, end = ubrk_next(words)) {
        int32_t status = -1;
        int32_t ours = wordbreak_next(s, n, start, &status);
        if (ours != end || status != ubrk_getRuleStatus(words)) {
            fprintf(stderr, "wordbreak differs from ICU at unit %d: ICU %d/%d, ours %d/%d\n",
                    (int)start, (int)end, (int)ubrk_getRuleStatus(words), (int)ours, (int)status);
            abort();
        }
    }
    return 0;
}
