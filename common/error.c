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
    char tmp[STANCE_ERROR_MESSAGE_MAX];
    snprintf(tmp, sizeof tmp, "%s: %s", prefix, err->message);
    memcpy(err->message, tmp, sizeof tmp);
}
