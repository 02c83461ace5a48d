/*
 * strbuf.h - a growable NUL-terminated string for code that writes text piece by piece
 * (the result printer, the metrics table).
 *
 * An allocation failure sets `failed` and turns every later write into a no-op, so a writer
 * checks once at the end instead of after every piece. The small writers are inline: the
 * result printer calls them a few dozen times per record.
 */
#ifndef STANCE_STRBUF_H
#define STANCE_STRBUF_H

#include <stddef.h>
#include <string.h>

#include "shortcopy.h"

typedef struct strbuf {
    char *buf; /* owned; the caller frees it with free() (or takes it) */
    size_t len, cap;
    int failed;
} strbuf;

/* Room for `extra` more bytes and a NUL. 0, or -1 (and `failed` set) when out of memory. */
int strbuf_grow(strbuf *s, size_t extra);

static inline int strbuf_reserve(strbuf *s, size_t extra)
{
    if (s->failed)
        return -1;
    return s->len + extra + 1 <= s->cap ? 0 : strbuf_grow(s, extra);
}

/* Appends n bytes (s->buf stays NUL-terminated). */
static inline void strbuf_put(strbuf *s, const char *p, size_t n)
{
    if (strbuf_reserve(s, n) != 0)
        return;
    copy_short(s->buf + s->len, p, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

static inline void strbuf_putc(strbuf *s, char c)
{
    if (strbuf_reserve(s, 1) != 0)
        return;
    s->buf[s->len++] = c;
    s->buf[s->len] = '\0';
}

/* Appends printf-formatted text. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void strbuf_printf(strbuf *s, const char *fmt, ...);

#endif
