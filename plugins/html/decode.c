/*
 * The character set of a page: a byte order mark first, then what the page
 * declares (<meta charset>, <meta http-equiv="Content-Type">, an XML
 * declaration) in its first 8 KiB, checked against the bytes: a page whose
 * bytes are all valid UTF-8 is UTF-8 whatever it declares (pages saved from
 * the web are often re-encoded and keep their old declaration), and one
 * that declares nothing and is not UTF-8 is read as Windows-1252. The page
 * is transcoded to UTF-8 with iconv; bytes the charset does not define
 * become U+FFFD, with one warning.
 */
#define _GNU_SOURCE
#include "htmlp.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

#define PRESCAN 8192

/*
 * Transcode len bytes from charset with iconv, appending to out. unit is
 * the size of one code unit (2 for UTF-16), skipped at a time when a
 * sequence is invalid; each skipped unit becomes U+FFFD and *bad_at is set
 * to the first one's offset (if still SIZE_MAX). Returns 0, or -1 if the
 * charset is unknown to iconv or memory runs out.
 */
static int transcode(const char *charset, const unsigned char *in, size_t len,
                     size_t unit, dk_buf *out, size_t *bad_at, size_t *n_bad)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return -1;
    char *src = (char *)in;
    size_t left = len;
    int r = 0;
    while (left > 0) {
        if (dk_buf_reserve(out, left * 2 + 64) < 0) {
            r = -1;
            break;
        }
        char *dst = out->data + out->len;
        size_t room = out->cap - out->len - 1;
        size_t n = iconv(cd, &src, &left, &dst, &room);
        out->len = (size_t)(dst - out->data);
        if (n != (size_t)-1 || errno == E2BIG)
            continue;
        /* EILSEQ, or EINVAL for a sequence cut at the end */
        if (*bad_at == SIZE_MAX)
            *bad_at = len - left;
        (*n_bad)++;
        size_t skip = unit < left ? unit : left;
        src += skip;
        left -= skip;
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

/* Copy UTF-8 that has invalid sequences, each bad byte becoming U+FFFD. */
static int repair_utf8(const unsigned char *in, size_t len, dk_buf *out,
                       size_t *bad_at, size_t *n_bad)
{
    size_t i = 0;
    while (i < len) {
        size_t good = dk_utf8_valid_prefix((const char *)in + i, len - i);
        if (dk_buf_append(out, in + i, good) < 0)
            return -1;
        i += good;
        if (i < len) {
            if (*bad_at == SIZE_MAX)
                *bad_at = i;
            (*n_bad)++;
            if (dk_buf_append(out, replacement, 3) < 0)
                return -1;
            i++;
        }
    }
    return dk_buf_reserve(out, 0);
}

/* ---- what the page declares ------------------------------------------------------ */

/* Copy a charset label (letters, digits, - _ . :) at s into label. */
static bool take_label(const char *s, const char *end, char *label, size_t cap)
{
    while (s < end && (*s == ' ' || *s == '"' || *s == '\'' || *s == '='))
        s++;
    size_t n = 0;
    while (s < end && n + 1 < cap &&
           (isalnum((unsigned char)*s) || *s == '-' || *s == '_' || *s == '.' ||
            *s == ':'))
        label[n++] = (char)tolower((unsigned char)*s++);
    label[n] = '\0';
    return n > 0;
}

/* The charset a page declares in its first bytes, into label; false if
 * none. Looks for charset= inside a <meta> tag, and for encoding= in an
 * XML declaration. */
static bool declared(const unsigned char *data, size_t size, char *label,
                     size_t cap)
{
    const char *s = (const char *)data;
    const char *end = s + (size < PRESCAN ? size : PRESCAN);
    if (end - s > 5 && !strncmp(s, "<?xml", 5)) {
        const char *close = memmem(s, (size_t)(end - s), "?>", 2);
        const char *enc = close ? memmem(s, (size_t)(close - s), "encoding", 8) : NULL;
        if (enc && take_label(enc + 8, close, label, cap))
            return true;
    }
    for (const char *p = s; p < end;) {
        const char *m = memchr(p, '<', (size_t)(end - p));
        if (!m || end - m < 6)
            break;
        p = m + 1;
        if (strncasecmp(m + 1, "meta", 4) != 0 || isalnum((unsigned char)m[5]))
            continue;
        const char *gt = memchr(m, '>', (size_t)(end - m));
        if (!gt)
            break;
        for (const char *c = m; c + 7 <= gt; c++)
            if (strncasecmp(c, "charset", 7) == 0) {
                const char *v = c + 7;
                while (v < gt && *v == ' ')
                    v++;
                if (v < gt && *v == '=' && take_label(v, gt, label, cap))
                    return true;
            }
        p = gt;
    }
    return false;
}

/* Labels as browsers read them (WHATWG): Latin-1 and ASCII are really
 * Windows-1252. NULL for UTF-8. */
static const char *iconv_name(const char *label)
{
    static const char *const as_1252[] = {
        "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii",
        "ascii", "iso_8859-1", "iso-ir-100", "cp819", "windows-1252", "cp1252",
        "x-cp1252", NULL};
    if (!strcmp(label, "utf-8") || !strcmp(label, "utf8") ||
        !strcmp(label, "unicode-1-1-utf-8"))
        return NULL;
    for (const char *const *l = as_1252; *l; l++)
        if (!strcmp(label, *l))
            return "WINDOWS-1252";
    return label;
}

/* One byte per character: the Windows, ISO 8859 and KOI8 families. */
static bool single_byte(const char *cs)
{
    static const char *const prefixes[] = {"windows-", "cp12", "iso-8859-",
                                           "iso8859-", "latin", "koi8",
                                           "macintosh", "ibm866", "tis-620",
                                           NULL};
    for (const char *const *p = prefixes; *p; p++)
        if (!strncasecmp(cs, *p, strlen(*p)))
            return true;
    return false;
}

/* Mostly UTF-8: multi-byte sequences decode and bad bytes are rare, so the
 * page is UTF-8 with a few broken bytes rather than a legacy charset. */
static bool mostly_utf8(const unsigned char *d, size_t size)
{
    size_t good = 0, bad = 0;
    for (size_t i = 0; i < size;) {
        if (d[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = dk_utf8_decode((const char *)d + i, size - i, &cp);
        if (n) {
            good++;
            i += n;
        } else {
            bad++;
            i++;
        }
    }
    return good > 0 && bad * 3 < good;
}

int html_decode(dk_ctx *ctx, const unsigned char *data, size_t size,
                hdecoded *out)
{
    dk_buf *b = &out->utf8;
    size_t bad_at = SIZE_MAX, n_bad = 0;
    out->bom = 0;
    out->mode = DEC_SAME;
    out->charset = "UTF-8";

    if (size >= 2 && (!memcmp(data, "\xFF\xFE", 2) || !memcmp(data, "\xFE\xFF", 2))) {
        const char *cs = data[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        out->bom = 2;
        out->mode = DEC_UTF16;
        out->charset = data[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        if (transcode(cs, data + 2, size - 2, 2, b, &bad_at, &n_bad) < 0)
            return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        if (n_bad)
            dk_ctx_warn(ctx, "invalid %s at byte %zu, replaced with U+FFFD", cs,
                        bad_at + 2);
        goto nul_bytes;
    }
    if (size >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        out->bom = 3;
        data += 3;
        size -= 3;
    }

    char label[40];
    const char *cs = NULL;
    if (!out->bom && declared(data, size, label, sizeof label))
        cs = iconv_name(label);
    size_t valid = dk_utf8_valid_prefix((const char *)data, size);
    if (valid == size) {
        if (dk_buf_append(b, data, size) < 0)
            return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    } else if (out->bom || (!cs && mostly_utf8(data, size))) {
        if (repair_utf8(data, size, b, &bad_at, &n_bad) < 0)
            return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        out->mode = DEC_NONE;
        dk_ctx_warn(ctx, "invalid UTF-8 at byte %zu, replaced with U+FFFD (%zu "
                    "in all)", bad_at + out->bom, n_bad);
    } else {
        if (!cs)
            cs = "WINDOWS-1252";
        if (transcode(cs, data, size, 1, b, &bad_at, &n_bad) < 0) {
            if (errno == ENOMEM)
                return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
            dk_ctx_warn(ctx, "unknown character set '%s', read as Windows-1252",
                        cs);
            cs = "WINDOWS-1252";
            dk_buf_clear(b);
            bad_at = SIZE_MAX;
            n_bad = 0;
            if (transcode(cs, data, size, 1, b, &bad_at, &n_bad) < 0)
                return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        } else if (!strcmp(cs, "WINDOWS-1252") && !declared(data, size, label,
                                                             sizeof label)) {
            dk_ctx_warn(ctx, "invalid UTF-8 at byte %zu, read as Windows-1252",
                        valid);
        }
        out->charset = strcmp(cs, "WINDOWS-1252") ? "declared" : "Windows-1252";
        out->mode = single_byte(cs) || !strcmp(cs, "WINDOWS-1252") ? DEC_SINGLE
                                                                  : DEC_NONE;
        if (n_bad)
            dk_ctx_warn(ctx, "byte %zu is not %s, replaced with U+FFFD", bad_at,
                        cs);
    }

nul_bytes:
    if (dk_buf_reserve(b, 0) < 0)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    b->data[b->len] = '\0';
    /* NUL is never text; a space keeps every offset where it was */
    char *nul = memchr(b->data, '\0', b->len);
    if (nul) {
        dk_ctx_warn(ctx, "NUL byte in the page, read as a space");
        for (; nul; nul = memchr(nul, '\0', b->len - (size_t)(nul - b->data)))
            *nul = ' ';
    }
    return 0;
}

size_t html_input_offset(hoffsets *o, size_t decoded)
{
    const hdecoded *d = o->dec;
    if (!d || decoded == SIZE_MAX)
        return SIZE_MAX;
    switch (d->mode) {
    case DEC_SAME:
        return decoded + d->bom;
    case DEC_SINGLE:
    case DEC_UTF16:
        break;
    default:
        return SIZE_MAX;
    }
    if (decoded < o->at) {
        o->at = 0;
        o->in = 0;
    }
    const unsigned char *s = (const unsigned char *)d->utf8.data;
    size_t end = decoded < d->utf8.len ? decoded : d->utf8.len;
    for (size_t i = o->at; i < end; i++) {
        if ((s[i] & 0xC0) == 0x80)
            continue; /* a continuation byte */
        o->in += d->mode == DEC_UTF16 && s[i] >= 0xF0 ? 4 : d->mode == DEC_UTF16 ? 2 : 1;
    }
    o->at = end;
    return o->in + d->bom;
}
