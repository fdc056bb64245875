/* Turning the bytes of a text file into UTF-8: BOMs, UTF-16, Windows-1252. */
#include "text.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/*
 * Transcode with iconv. Bytes the source charset does not define become
 * U+FFFD; *bad_at is set to the offset of the first of them (or left alone).
 * Returns 0 or -1 if iconv is unavailable or memory runs out.
 */
static int transcode(const char *charset, const unsigned char *in, size_t len,
                     dk_buf *out, size_t *bad_at)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return -1;
    char *src = (char *)in;
    size_t left = len;
    int r = 0;
    while (left > 0) {
        if (dk_buf_reserve(out, left * 3 + 16) < 0) {
            r = -1;
            break;
        }
        char *dst = out->data + out->len;
        size_t room = out->cap - out->len - 1;
        size_t n = iconv(cd, &src, &left, &dst, &room);
        out->len = (size_t)(dst - out->data);
        if (n != (size_t)-1)
            continue;
        if (errno == E2BIG)
            continue;
        /* EILSEQ or EINVAL (truncated sequence at the end): replace one
         * unit and go on. */
        if (*bad_at == (size_t)-1)
            *bad_at = len - left;
        size_t unit = strncmp(charset, "UTF-16", 6) == 0 ? 2 : 1;
        if (unit > left)
            unit = left;
        src += unit;
        left -= unit;
        if (dk_buf_append(out, replacement, 3) < 0) {
            r = -1;
            break;
        }
    }
    iconv_close(cd);
    if (r == 0 && dk_buf_reserve(out, 0) == 0)
        out->data[out->len] = '\0';
    return r;
}

/* Copy len bytes of s into out with each NUL byte replaced by U+FFFD. */
static int replace_nul(const char *s, size_t len, dk_buf *out)
{
    while (len) {
        const char *nul = memchr(s, '\0', len);
        size_t run = nul ? (size_t)(nul - s) : len;
        if (dk_buf_append(out, s, run) < 0 ||
            (nul && dk_buf_append(out, replacement, 3) < 0))
            return -1;
        run += nul != NULL;
        s += run, len -= run;
    }
    return dk_buf_reserve(out, 0);
}

int text_decode(dk_ctx *ctx, const unsigned char *data, size_t size,
                dk_buf *out, const char **text, size_t *len, size_t *skipped)
{
    *skipped = 0;
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        *skipped = 3;
        data += 3, size -= 3;
    } else if (size >= 2 && (memcmp(data, "\xFF\xFE", 2) == 0 ||
                             memcmp(data, "\xFE\xFF", 2) == 0)) {
        const char *cs = data[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        size_t bad = (size_t)-1;
        if (transcode(cs, data + 2, size - 2, out, &bad) < 0)
            return dk_ctx_fail(ctx, DK_E_NOMEM, "cannot transcode %s", cs);
        if (bad != (size_t)-1)
            dk_ctx_warn(ctx, "invalid %s at byte %zu, replaced with U+FFFD", cs,
                        bad + 2);
        *skipped = (size_t)-1; /* offsets no longer match the input */
        goto nul_bytes;
    }

    size_t valid = dk_utf8_valid_prefix((const char *)data, size);
    if (valid == size) {
        /* the common case: the input itself, validated once, not copied
         * (it ends in a NUL byte, as the plugin interface promises) */
        *text = (const char *)data;
        *len = size;
        if (!memchr(data, '\0', size))
            return 0;
    } else {
        size_t bad = (size_t)-1;
        if (transcode("WINDOWS-1252", data, size, out, &bad) < 0)
            return dk_ctx_fail(ctx, DK_E_NOMEM,
                               "cannot transcode from Windows-1252");
        dk_ctx_warn(ctx, "invalid UTF-8 at byte %zu, read as Windows-1252",
                    valid + *skipped);
        *skipped = (size_t)-1;
    }

nul_bytes:
    if (*skipped == (size_t)-1) {
        *text = out->data ? out->data : "";
        *len = out->len;
    }
    /* NUL is valid in both encodings but never in a document tree. */
    const char *nul = memchr(*text, '\0', *len);
    if (nul) {
        dk_buf clean = DK_BUF_INIT;
        if (replace_nul(*text, *len, &clean) < 0) {
            dk_buf_free(&clean);
            return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        }
        dk_ctx_warn(ctx, "NUL byte at byte %zu of the text, replaced with "
                    "U+FFFD", (size_t)(nul - *text));
        dk_buf_free(out);
        *out = clean;
        *text = out->data;
        *len = out->len;
        *skipped = (size_t)-1;
    }
    return 0;
}
