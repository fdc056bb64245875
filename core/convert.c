/* Reading inputs and running one conversion: read, transform, write. */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* "512M", "2G", "1K" or bytes, for messages. */
static const char *size_text(size_t n, char buf[32])
{
    if (n % ((size_t)1 << 30) == 0)
        snprintf(buf, 32, "%zuG", n >> 30);
    else if (n % ((size_t)1 << 20) == 0)
        snprintf(buf, 32, "%zuM", n >> 20);
    else if (n % 1024 == 0)
        snprintf(buf, 32, "%zuK", n >> 10);
    else
        snprintf(buf, 32, "%zu bytes", n);
    return buf;
}

int dk__too_large(dk_ctx *ctx, size_t max)
{
    char buf[32];
    return dk_ctx_fail(ctx, DK_E_LIMIT, "input is larger than %s (raise the "
                       "limit with --max-input-size)", size_text(max, buf));
}

size_t dk__max_input(const dk_ctx *ctx)
{
    const char *v = dk_ctx_option(ctx, "max-input-size");
    size_t max = DK_MAX_INPUT_DEFAULT;
    if (v) {
        char *end;
        unsigned long long n = strtoull(v, &end, 10);
        unsigned shift = *end == 'K' || *end == 'k' ? 10
                         : *end == 'M' || *end == 'm' ? 20
                         : *end == 'G' || *end == 'g' ? 30 : 0;
        if (n > 0 && n < (1ull << 40) && (!*end || (shift && !end[1])))
            max = (size_t)(n << shift);
    }
    return max;
}

int dk__read_input(dk_ctx *ctx, const char *path, unsigned char **data,
                   size_t *size)
{
    size_t max = dk__max_input(ctx);
    bool is_stdin = !path || strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    unsigned char *buf = NULL;
    size_t len = 0, cap = 65536, expect = 0;
    *data = NULL;
    *size = 0;
    if (fd < 0)
        return dk_ctx_fail(ctx, DK_E_IO, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            dk_ctx_fail(ctx, DK_E_IO, "is a directory");
            goto fail;
        }
        if (S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
            dk__too_large(ctx, max);
            goto fail;
        }
        if (S_ISREG(st.st_mode) && st.st_size > 0)
            cap = (expect = (size_t)st.st_size) + 1; /* and the NUL */
    }
    if (!(buf = dk__input_alloc(ctx, cap))) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto fail;
    }
    for (;;) {
        unsigned char one;
        size_t room = cap - len - 1;
        /* a file of the size it said: read once more, into one byte, to
         * see that it ends there without making room it does not need */
        bool probe = room == 0 && len == expect;
        if (room == 0 && !probe) {
            size_t more = cap < (SIZE_MAX - 1) / 2 ? 2 * cap : 0;
            unsigned char *b = more ? dk__input_grow(ctx, buf, len, more) : NULL;
            if (!b) {
                dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
                goto fail;
            }
            buf = b, cap = more, room = cap - len - 1;
        }
        ssize_t n = read(fd, probe ? &one : buf + len, probe ? 1 : room);
        if (n == 0)
            break;
        if (n > 0 && len + (size_t)n > max) {
            /* a pipe or a device that does not end (/dev/zero) */
            dk__too_large(ctx, max);
            goto fail;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            dk_ctx_fail(ctx, DK_E_IO, "cannot read: %s", strerror(errno));
            goto fail;
        }
        if (probe) {
            /* it grew while it was read: on with room for the rest */
            unsigned char *b = dk__input_grow(ctx, buf, len, 2 * cap);
            if (!b) {
                dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
                goto fail;
            }
            buf = b, cap *= 2, expect = 0;
            buf[len] = one;
        }
        len += (size_t)n;
    }
    if (!is_stdin)
        close(fd);
    if (len == 0) {
        dk__input_free(ctx, buf);
        return dk_ctx_fail(ctx, DK_E_FORMAT, "input is empty");
    }
    buf[len] = '\0';
    *size = len;
    *data = buf;
    return 0;
fail:
    if (!is_stdin)
        close(fd);
    dk__input_free(ctx, buf);
    return -1;
}

bool dk__same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
        return false;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && S_ISREG(sa.st_mode) &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void sha256_hex(const unsigned char *data, size_t size, char out[65])
{
    static const char hexdigits[] = "0123456789abcdef";
    struct sha256_ctx sha;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&sha);
    sha256_update(&sha, size, data);
    sha256_digest(&sha, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++) {
        out[2 * i] = hexdigits[digest[i] >> 4];
        out[2 * i + 1] = hexdigits[digest[i] & 15];
    }
    out[64] = '\0';
}

const char *dk__input_sha256(dk_ctx *ctx, const unsigned char *data, size_t size)
{
    char *hex = dk__ctx_sha256_slot(ctx);
    if (!hex[0])
        sha256_hex(data, size, hex);
    return hex;
}

int dk__set_source(dk_node *doc, const char *path, const char *format,
                   const char *sha256)
{
    /* a document read without meta or body gets an empty one, as the
     * vocabulary wants both */
    dk_node *meta = dk_document_meta(doc);
    if (!meta || !dk_document_body(doc))
        return -1;
    if (dk_node_child(meta, DK_SOURCE))
        return 0;

    dk_node *src = dk_node_new(DK_SOURCE);
    if (!src)
        return -1;
    const char *base = NULL;
    if (path && strcmp(path, "-") != 0) {
        base = strrchr(path, '/');
        base = base ? base + 1 : path;
    }
    /* source goes after title and dates, before org and the rest */
    dk_node *ref = dk_node_first(meta);
    while (ref && (dk_node_type(ref) == DK_TITLE || dk_node_type(ref) == DK_DATE))
        ref = dk_node_next(ref);
    if ((base && dk_node_set_attr(src, DK_ATTR_NAME, base) < 0) ||
        dk_node_set_attr(src, DK_ATTR_FORMAT, format) < 0 ||
        dk_node_set_attr(src, DK_ATTR_SHA256, sha256) < 0 ||
        dk_node_insert_before(meta, ref, src) < 0) {
        dk_node_free(src);
        return -1;
    }
    return 0;
}

/* ---- formats without a reader ------------------------------------------------ */

static bool starts(const unsigned char *d, size_t n, const char *s)
{
    size_t l = strlen(s);
    return n >= l && memcmp(d, s, l) == 0;
}

static bool starts_ci(const unsigned char *d, size_t n, const char *s)
{
    size_t l = strlen(s);
    return n >= l && strncasecmp((const char *)d, s, l) == 0;
}

const char *dk__sniff_foreign(const unsigned char *data, size_t size)
{
    const unsigned char *d = data;
    size_t n = size;
    if (starts(d, n, "%PDF-"))
        return "PDF";
    if (starts(d, n, "PK\x03\x04"))
        return memmem(d, n < 4096 ? n : 4096, "word/", 5) ? "DOCX" : "a ZIP archive";
    if (starts(d, n, "\x89PNG") || starts(d, n, "\xFF\xD8\xFF") ||
        starts(d, n, "GIF8"))
        return "an image";
    if (starts(d, n, "\xEF\xBB\xBF"))
        d += 3, n -= 3;
    while (n && (*d == ' ' || *d == '\t' || *d == '\r' || *d == '\n'))
        d++, n--;
    if (starts_ci(d, n, "<!doctype html") || starts_ci(d, n, "<html") ||
        starts_ci(d, n, "<head") || starts_ci(d, n, "<body"))
        return "HTML";
    if (starts(d, n, "<?xml") || (n > 1 && d[0] == '<' && (d[1] == '!' ||
                                                          (d[1] >= 'a' && d[1] <= 'z') ||
                                                          (d[1] >= 'A' && d[1] <= 'Z')))) {
        /* a tag at the start and one at the end: markup, not prose */
        const unsigned char *e = data + size;
        while (e > d && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
            e--;
        if (e > d && e[-1] == '>')
            return memmem(d, n < 4096 ? n : 4096, "<html", 5) ? "HTML"
                                                               : "XML of another vocabulary";
    }
    if (n && (*d == '{' || *d == '[')) {
        const unsigned char *e = data + size;
        while (e > d && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
            e--;
        if (e > d && (e[-1] == '}' || e[-1] == ']') &&
            memchr(d, '"', n < 256 ? n : 256))
            return "JSON of another shape";
    }
    return NULL;
}

/* ---- one conversion --------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Run a transform by name. A default transform (asked for by a reader)
 * that is not installed is skipped with a warning; one the user named is
 * an error. */
static int run_transform(dk_registry *reg, dk_ctx *ctx, const char *name,
                         dk_node *doc, bool by_default)
{
    for (;;) {
        const dk_plugin_entry *e = dk_registry_lookup(reg, DK_KIND_TRANSFORM, name);
        if (!e) {
            if (by_default) {
                dk_ctx_warn(ctx, "transform '%s' is not installed; skipped", name);
                return 0;
            }
            return dk_ctx_fail(ctx, DK_E_USAGE, "no transform '%s' (see docket "
                               "--list-plugins)", name);
        }
        if (dk_registry_load(reg, e) < 0)
            continue; /* refused: a later plugin of the name may do */
        double t0 = now_ms();
        if (e->desc.transform(ctx, doc) < 0)
            return dk_ctx_fail(ctx, DK_E_PLUGIN, "transform plugin '%s' failed",
                               name);
        dk__ctx_info(ctx, "transform %s: %.1f ms", name, now_ms() - t0);
        if (dk__element_depth(doc) > DK_MAX_DEPTH)
            return dk_ctx_fail(ctx, DK_E_LIMIT, "transform '%s' nested the "
                               "document deeper than %d levels", name,
                               DK_MAX_DEPTH);
        return 0;
    }
}

/* A loaded plugin of the kind for format (retrying past refused ones), or
 * NULL with the problem in ctx. */
static const dk_plugin *plugin_for(dk_registry *reg, dk_ctx *ctx, uint32_t kind,
                                   const char *format, dk_status missing)
{
    for (;;) {
        const dk_plugin_entry *e = dk_registry_lookup(reg, kind, format);
        if (!e) {
            dk_ctx_fail(ctx, missing, "no %s for '%s' (see docket --list-formats)",
                        kind == DK_KIND_READER ? "reader" : "writer", format);
            return NULL;
        }
        if (dk_registry_load(reg, e) == 0)
            return &e->desc;
    }
}

/* The reader for data: the options', else the detected one. */
static const dk_plugin *choose_reader(dk_registry *reg, const dk_options *o,
                                      dk_ctx *ctx, const char *path,
                                      const unsigned char *data, size_t size)
{
    if (o && o->from)
        return plugin_for(reg, ctx, DK_KIND_READER, o->from, DK_E_USAGE);
    for (;;) {
        bool tie;
        const dk_plugin_entry *e = dk__registry_detect(reg, data, size, path, &tie);
        if (!e) {
            const char *foreign = dk__sniff_foreign(data, size);
            if (foreign)
                dk_ctx_fail(ctx, DK_E_FORMAT, "this is %s, which docket has no "
                            "reader for", foreign);
            else
                dk_ctx_fail(ctx, DK_E_FORMAT, "cannot tell the input format "
                            "(name it with -f; see docket --list-formats)");
            return NULL;
        }
        if (dk_registry_load(reg, e) < 0)
            continue;
        /* plain text takes anything; a file that is clearly something
         * else, for which no reader is installed, is refused by name */
        const char *foreign = e->desc.probe && e->format && !strcmp(e->format, "text")
                                  ? dk__sniff_foreign(data, size)
                                  : NULL;
        if (foreign) {
            dk_ctx_fail(ctx, DK_E_FORMAT, "this is %s, which docket has no "
                        "reader for (-f text reads it as plain text)", foreign);
            return NULL;
        }
        return &e->desc;
    }
}

int dk__convert(dk_registry *reg, const dk_options *o, dk_ctx *ctx,
                const char *path, const unsigned char *data, size_t size,
                unsigned char **take, dk_sink *sink)
{
    dk_node *doc = NULL;
    int r = -1;
    const char *to = o && o->to ? o->to : "json";
    const dk_plugin *writer = plugin_for(reg, ctx, DK_KIND_WRITER, to, DK_E_USAGE);
    for (size_t i = 0; writer && o && i < o->n_transforms; i++)
        if (!dk_registry_lookup(reg, DK_KIND_TRANSFORM, o->transforms[i])) {
            dk_ctx_fail(ctx, DK_E_USAGE, "no transform '%s' (see docket "
                        "--list-plugins)", o->transforms[i]);
            writer = NULL;
        }
    if (!writer)
        goto cleanup;
    if (dk__read_document(reg, o, ctx, path, data, size, take, &doc) < 0)
        goto cleanup;
    double t0 = now_ms();
    if (writer->write(ctx, doc, sink) < 0) {
        dk_ctx_fail(ctx, DK_E_PLUGIN, "writer plugin '%s' failed", writer->name);
        goto cleanup;
    }
    if (o && (o->flags & DK_OPT_FAIL_IF_WARNINGS) && dk__ctx_warnings(ctx)) {
        dk_ctx_fail(ctx, DK_E_FORMAT, "%zu warning%s and --fail-if-warnings; "
                    "not written", dk__ctx_warnings(ctx),
                    dk__ctx_warnings(ctx) == 1 ? "" : "s");
        goto cleanup;
    }
    dk__ctx_info(ctx, "writer %s: %.1f ms", writer->name, now_ms() - t0);
    dk__sink_written(sink);
    r = 0;
cleanup:
    if (!DK__ASAN && o && (o->flags & DK_OPT_EXITING))
        doc = NULL; /* left to the system (library.h) */
    dk_node_free(doc);
    return r;
}

int dk__read_document(dk_registry *reg, const dk_options *o, dk_ctx *ctx,
                         const char *path, const unsigned char *data,
                         size_t size, unsigned char **take, dk_node **out)
{
    dk_node *doc = NULL;
    char **done = NULL;
    size_t n_done = 0;
    int r = -1;
    *out = NULL;
    const dk_plugin *reader = choose_reader(reg, o, ctx, path, data, size);
    if (!reader)
        goto cleanup;
    /* before the reader, which may give back what it has read */
    const char *sha256 = dk__input_sha256(ctx, data, size);
    double t0 = now_ms();
    if (reader->read(ctx, data, size, &doc) < 0 || !doc) {
        if (!doc)
            dk_ctx_fail(ctx, DK_E_PLUGIN, "reader plugin '%s' failed", reader->name);
        goto cleanup;
    }
    dk__ctx_info(ctx, "reader %s: %.1f ms", reader->name, now_ms() - t0);
    dk__ctx_set_reader(ctx, reader->format);
    if (dk_node_type(doc) != DK_DOCUMENT) {
        dk_ctx_fail(ctx, DK_E_PLUGIN, "reader '%s' returned no document",
                    reader->name);
        goto cleanup;
    }
    if (dk__set_source(doc, path, reader->format, sha256) < 0) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    /* the input is read: transforms and the writer work from the tree,
     * which holds its own copy of the text */
    if (take && *take == data) {
        dk__input_free(ctx, *take);
        *take = NULL;
        data = NULL;
    }
    /* the reader's default transforms, then the ones asked for, each once */
    bool defaults = !o || !(o->flags & DK_OPT_NO_DEFAULT_TRANSFORMS);
    size_t n_req = defaults ? dk__ctx_n_requested(ctx) : 0;
    size_t n_asked = o ? o->n_transforms : 0;
    done = calloc(n_req + n_asked + 1, sizeof *done);
    if (!done) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n_req + n_asked; i++) {
        const char *name = i < n_req ? dk__ctx_requested(ctx, i)
                                     : o->transforms[i - n_req];
        bool seen = false;
        for (size_t k = 0; k < n_done; k++)
            seen |= strcmp(done[k], name) == 0;
        if (seen)
            continue;
        if (run_transform(reg, ctx, name, doc, i < n_req) < 0)
            goto cleanup;
        if (!(done[n_done++] = strdup(name))) {
            dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
            goto cleanup;
        }
    }
    dk__ctx_clear_requested(ctx);
    *out = doc;
    doc = NULL;
    r = 0;
cleanup:
    for (size_t k = 0; k < n_done; k++)
        free(done[k]);
    free(done);
    dk_node_free(doc);
    return r;
}
