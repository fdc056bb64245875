/* Reading inputs and running one conversion: read, transform, write. */
#define _GNU_SOURCE
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dk_read_input(dk_ctx *ctx, const char *path, unsigned char **data,
                  size_t *size)
{
    bool is_stdin = !path || strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    dk_buf b = DK_BUF_INIT;
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
        if (S_ISREG(st.st_mode) && st.st_size > 0 &&
            dk_buf_reserve(&b, (size_t)st.st_size) < 0) {
            dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
            goto fail;
        }
    }
    for (;;) {
        if (dk_buf_reserve(&b, 65536) < 0) {
            dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
            goto fail;
        }
        ssize_t n = read(fd, b.data + b.len, b.cap - b.len - 1);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            dk_ctx_fail(ctx, DK_E_IO, "cannot read: %s", strerror(errno));
            goto fail;
        }
        b.len += (size_t)n;
    }
    if (!is_stdin)
        close(fd);
    if (b.len == 0) {
        dk_buf_free(&b);
        return dk_ctx_fail(ctx, DK_E_FORMAT, "input is empty");
    }
    b.data[b.len] = '\0';
    *size = b.len;
    *data = (unsigned char *)dk_buf_steal(&b);
    return 0;
fail:
    if (!is_stdin)
        close(fd);
    dk_buf_free(&b);
    return -1;
}

int dk_set_source(dk_node *doc, const char *path, const char *format,
                  const unsigned char *data, size_t size)
{
    dk_node *meta = dk_document_meta(doc);
    if (!meta)
        return -1;
    if (dk_node_child(meta, DK_SOURCE))
        return 0;
    struct sha256_ctx sha;
    uint8_t digest[SHA256_DIGEST_SIZE];
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    sha256_init(&sha);
    sha256_update(&sha, size, data);
    sha256_digest(&sha, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);

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
        dk_node_set_attr(src, DK_ATTR_SHA256, hex) < 0 ||
        dk_node_insert_before(meta, ref, src) < 0) {
        dk_node_free(src);
        return -1;
    }
    return 0;
}

static const dk_plugin *load_kind(dk_registry *reg, dk_ctx *ctx, uint32_t kind,
                                  const char *what, dk_status missing)
{
    static const char *const noun[] = {"", "reader for", "writer for", "",
                                       "transform"};
    dk_plugin_info *p = dk_registry_find(reg, kind, what);
    if (!p) {
        dk_ctx_fail(ctx, missing, "no %s '%s' (see docket --list-formats)",
                    noun[kind], what);
        return NULL;
    }
    const dk_plugin *d = dk_registry_load(reg, p);
    if (!d)
        dk_ctx_fail(ctx, DK_E_PLUGIN, "plugin %s: %s", p->path, p->error);
    return d;
}

/* Make sure a failing callback left a message. */
static int callback_failed(dk_ctx *ctx, const char *plugin, const char *what)
{
    return dk_ctx_fail(ctx, DK_E_PLUGIN, "%s plugin '%s' failed", what, plugin);
}

static int run_transform(dk_registry *reg, dk_ctx *ctx, const char *name,
                         dk_node *doc)
{
    const dk_plugin *t =
        load_kind(reg, ctx, DK_KIND_TRANSFORM, name, DK_E_USAGE);
    if (!t)
        return -1;
    if (t->transform(ctx, doc) < 0)
        return callback_failed(ctx, name, "transform");
    return 0;
}

/* The reader for data: -f's, else the detected one. */
static const dk_plugin *choose_reader(dk_registry *reg, dk_ctx *ctx,
                                      const char *from, const char *path,
                                      const unsigned char *data, size_t size)
{
    if (from)
        return load_kind(reg, ctx, DK_KIND_READER, from, DK_E_USAGE);
    bool tie;
    dk_plugin_info *p = dk_registry_detect(reg, data, size, path, &tie);
    if (!p) {
        dk_ctx_fail(ctx, DK_E_FORMAT, "cannot tell the input format "
                    "(name it with -f; see docket --list-formats)");
        return NULL;
    }
    const dk_plugin *d = dk_registry_load(reg, p);
    if (!d)
        dk_ctx_fail(ctx, DK_E_PLUGIN, "plugin %s: %s", p->path, p->error);
    return d;
}

int dk_validate(dk_registry *reg, const char *path, const char *from,
                dk_ctx *ctx)
{
    static const dk_option paths_only[] = {{"validate-paths", "1"}};
    unsigned char *data = NULL;
    size_t size = 0;
    dk_node *doc = NULL;
    dk_sink *sink = NULL;
    dk_ctx *inner = NULL;
    int r = -1;

    if (dk_read_input(ctx, path, &data, &size) < 0)
        goto cleanup;
    const dk_plugin *reader = choose_reader(reg, ctx, from, path, data, size);
    if (!reader)
        goto cleanup;
    if (reader->validate) {
        r = reader->validate(ctx, data, size);
        if (r < 0)
            callback_failed(ctx, reader->name, "validating");
        goto cleanup;
    }
    const dk_plugin *xml =
        load_kind(reg, ctx, DK_KIND_WRITER, "xml", DK_E_PLUGIN);
    if (!xml || !xml->validate) {
        if (xml)
            dk_ctx_fail(ctx, DK_E_PLUGIN, "the xml plugin cannot validate");
        goto cleanup;
    }
    if (reader->read(ctx, data, size, &doc) < 0 || !doc) {
        callback_failed(ctx, reader->name, "reader");
        goto cleanup;
    }
    if (!(sink = dk_sink_memory(ctx)) || xml->write(ctx, doc, sink) < 0) {
        callback_failed(ctx, "xml", "writer");
        goto cleanup;
    }
    size_t len;
    const char *bytes = dk_sink_data(sink, &len);
    inner = dk_ctx_new(dk_ctx_name(ctx), paths_only, 1, NULL, NULL);
    if (!inner) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    r = xml->validate(inner, (const unsigned char *)bytes, len);
    if (r < 0)
        dk_ctx_fail(ctx, dk_ctx_status(inner), "%s", dk_ctx_message(inner));
cleanup:
    dk_ctx_free(inner);
    dk_sink_discard(sink);
    dk_node_free(doc);
    free(data);
    return r;
}

bool dk_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
        return false;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && S_ISREG(sa.st_mode) &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int dk_convert(dk_registry *reg, const dk_job *job, dk_ctx *ctx)
{
    unsigned char *data = NULL;
    size_t size = 0;
    dk_node *doc = NULL;
    dk_sink *sink = NULL;
    char **done = NULL;
    size_t n_done = 0;
    int r = -1;

    /* Check the writer before reading anything. */
    const dk_plugin *writer =
        load_kind(reg, ctx, DK_KIND_WRITER, job->to, DK_E_USAGE);
    if (!writer)
        goto cleanup;
    for (size_t i = 0; i < job->n_transforms; i++)
        if (!dk_registry_find(reg, DK_KIND_TRANSFORM, job->transforms[i])) {
            dk_ctx_fail(ctx, DK_E_USAGE, "no transform '%s' (see docket "
                        "--list-plugins)", job->transforms[i]);
            goto cleanup;
        }

    if (dk_same_file(job->input, job->output)) {
        dk_ctx_fail(ctx, DK_E_IO, "the output %s is the input file; not "
                    "converted", job->output);
        goto cleanup;
    }
    if (dk_read_input(ctx, job->input, &data, &size) < 0)
        goto cleanup;

    const dk_plugin *reader =
        choose_reader(reg, ctx, job->from, job->input, data, size);
    if (!reader)
        goto cleanup;

    if (reader->read(ctx, data, size, &doc) < 0 || !doc) {
        callback_failed(ctx, reader->name, "reader");
        goto cleanup;
    }
    if (dk_node_type(doc) != DK_DOCUMENT) {
        dk_ctx_fail(ctx, DK_E_PLUGIN, "reader '%s' returned no document",
                    reader->name);
        goto cleanup;
    }
    if (dk_set_source(doc, job->input, reader->format, data, size) < 0) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    free(data);
    data = NULL;

    /* The reader's default transforms, then the ones asked for, each once. */
    size_t n_req = job->no_transforms ? 0 : dk_ctx_n_requested(ctx);
    done = calloc(n_req + job->n_transforms + 1, sizeof *done);
    if (!done) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n_req + job->n_transforms; i++) {
        const char *name = i < n_req ? dk_ctx_requested(ctx, i)
                                     : job->transforms[i - n_req];
        bool seen = false;
        for (size_t k = 0; k < n_done; k++)
            seen |= strcmp(done[k], name) == 0;
        if (seen)
            continue;
        if (run_transform(reg, ctx, name, doc) < 0)
            goto cleanup;
        if (!(done[n_done++] = strdup(name))) {
            dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
            goto cleanup;
        }
    }

    sink = dk_sink_open(ctx, job->output);
    if (!sink)
        goto cleanup;
    if (writer->write(ctx, doc, sink) < 0) {
        callback_failed(ctx, writer->name, "writer");
        goto cleanup;
    }
    r = dk_sink_commit(sink);
    sink = NULL;
cleanup:
    dk_sink_discard(sink);
    for (size_t k = 0; k < n_done; k++)
        free(done[k]);
    free(done);
    dk_node_free(doc);
    free(data);
    return r;
}
