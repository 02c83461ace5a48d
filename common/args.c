#include "args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int args_parse_int(const char *s, int lo, int hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !end || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int args_split_assignment(char *s, const char **column, const char **value)
{
    char *eq = strchr(s, '=');
    if (!eq || eq == s)
        return -1;
    *eq = '\0';
    *column = s;
    *value = eq + 1;
    return 0;
}
