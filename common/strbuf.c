#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "grow.h"

int strbuf_grow(strbuf *s, size_t extra)
{
    if (s->failed)
        return -1;
    if (extra > (size_t)-1 - s->len - 1) {
        s->failed = 1;
        return -1;
    }
    void *p = s->buf;
    if (stance_grow(&p, &s->cap, s->len + extra + 1, 1) != 0) {
        s->failed = 1;
        return -1;
    }
    s->buf = p;
    return 0;
}

void strbuf_printf(strbuf *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0) {
        s->failed = 1;
        return;
    }
    if (strbuf_reserve(s, (size_t)need) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
    va_end(ap);
    s->len += (size_t)need;
}
