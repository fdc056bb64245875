/*
 * docket/buf.h - a growable byte buffer for plugins and the core.
 *
 * A dk_buf starts zeroed (DK_BUF_INIT) and owns its data; dk_buf_free()
 * releases it. data is always NUL-terminated once anything was appended.
 * dk_buf_steal() hands the data to the caller (transfer full, free()) and
 * leaves the buffer empty.
 */
#ifndef DOCKET_BUF_H
#define DOCKET_BUF_H

#include <docket/export.h>

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dk_buf {
    char *data;
    size_t len;
    size_t cap;
} dk_buf;

#define DK_BUF_INIT {NULL, 0, 0}

/* Each returns 0, or -1 if out of memory (the buffer is then unchanged). */
DK_API int dk_buf_reserve(dk_buf *b, size_t extra);
DK_API int dk_buf_append(dk_buf *b, const void *data, size_t len);
DK_API int dk_buf_puts(dk_buf *b, const char *s);
DK_API int dk_buf_putc(dk_buf *b, char c);
DK_API int dk_buf_printf(dk_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
DK_API int dk_buf_vprintf(dk_buf *b, const char *fmt, va_list ap);

DK_API void dk_buf_clear(dk_buf *b); /* len = 0, keeps the memory */
DK_API void dk_buf_free(dk_buf *b);
DK_API char *dk_buf_steal(dk_buf *b); /* transfer full; never NULL unless OOM */

#ifdef __cplusplus
}
#endif
#endif
