#include "check.h"

#include <stdio.h>

int check_passed, check_failed;

void check_record(int ok, const char *expr, const char *file, int line)
{
    if (ok) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
    }
}

int check_finish(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}
