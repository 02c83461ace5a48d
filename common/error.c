#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int stance_error_set(stance_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void stance_error_clear(stance_error *err)
{
    if (err) {
        err->code = STANCE_OK;
        err->message[0] = '\0';
    }
}

void stance_error_prefix(stance_error *err, const char *prefix)
{
    if (!err || !prefix)
        return;
    /* Built by hand: the result is cut to the buffer on purpose, and snprintf into the same
     * buffer it reads from would be undefined. */
    char tmp[STANCE_ERROR_MESSAGE_MAX];
    size_t pl = strnlen(prefix, sizeof tmp - 3);
    memcpy(tmp, prefix, pl);
    memcpy(tmp + pl, ": ", 2);
    size_t room = sizeof tmp - pl - 3;
    size_t ml = strnlen(err->message, room);
    memcpy(tmp + pl + 2, err->message, ml);
    tmp[pl + 2 + ml] = '\0';
    memcpy(err->message, tmp, sizeof tmp);
}
