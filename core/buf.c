/* Growable byte buffer. */
#include <docket/buf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dk_buf_reserve(dk_buf *b, size_t extra)
{
    if (extra > (size_t)-1 - b->len - 1)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int dk_buf_append(dk_buf *b, const void *data, size_t len)
{
    if (dk_buf_reserve(b, len) < 0)
        return -1;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int dk_buf_puts(dk_buf *b, const char *s)
{
    return dk_buf_append(b, s, strlen(s));
}

int dk_buf_putc(dk_buf *b, char c)
{
    return dk_buf_append(b, &c, 1);
}

int dk_buf_vprintf(dk_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || dk_buf_reserve(b, (size_t)n) < 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int dk_buf_printf(dk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = dk_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

void dk_buf_clear(dk_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void dk_buf_free(dk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *dk_buf_steal(dk_buf *b)
{
    if (!b->data && dk_buf_reserve(b, 0) < 0)
        return NULL;
    if (b->len == 0)
        b->data[0] = '\0';
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
