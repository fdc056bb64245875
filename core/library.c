/* The public API of docket/library.h: options and conversions. */
#define _GNU_SOURCE
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

const char *dk_version(void)
{
    return DK_VERSION;
}

/* ---- options --------------------------------------------------------------- */

dk_options *dk_options_new(void)
{
    return calloc(1, sizeof(dk_options));
}

void dk_options_free(dk_options *o)
{
    if (!o)
        return;
    free(o->from);
    free(o->to);
    for (size_t i = 0; i < o->n_transforms; i++)
        free(o->transforms[i]);
    free(o->transforms);
    for (size_t i = 0; i < o->n_kv; i++) {
        free(o->kv[i].key);
        free(o->kv[i].value);
    }
    free(o->kv);
    free(o);
}

static int replace(char **field, const char *value)
{
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

int dk_options_set_from(dk_options *o, const char *format)
{
    return replace(&o->from, format);
}

int dk_options_set_to(dk_options *o, const char *format)
{
    return replace(&o->to, format);
}

int dk_options_add_transform(dk_options *o, const char *name)
{
    char **t = realloc(o->transforms, (o->n_transforms + 1) * sizeof *t);
    if (!t)
        return -1;
    o->transforms = t;
    if (!(t[o->n_transforms] = strdup(name)))
        return -1;
    o->n_transforms++;
    return 0;
}

int dk_options_set(dk_options *o, const char *key, const char *value)
{
    for (size_t i = 0; i < o->n_kv; i++)
        if (strcmp(o->kv[i].key, key) == 0)
            return replace(&o->kv[i].value, value ? value : "1");
    dk__kv *kv = realloc(o->kv, (o->n_kv + 1) * sizeof *kv);
    if (!kv)
        return -1;
    o->kv = kv;
    kv[o->n_kv].key = strdup(key);
    kv[o->n_kv].value = strdup(value ? value : "1");
    if (!kv[o->n_kv].key || !kv[o->n_kv].value) {
        free(kv[o->n_kv].key);
        free(kv[o->n_kv].value);
        return -1;
    }
    o->n_kv++;
    return 0;
}

void dk_options_set_flags(dk_options *o, unsigned flags)
{
    o->flags = flags;
}

void dk_options_set_diagnostics(dk_options *o, dk_diag_fn fn, void *user)
{
    o->diag = fn;
    o->diag_user = user;
}

/* ---- conversions --------------------------------------------------------------- */

/* The end of a conversion: diagnostics delivered, the status returned. */
static dk_status finish(dk_ctx *ctx, const dk_options *o)
{
    if (!ctx) {
        if (o && o->diag)
            o->diag(o->diag_user, DK_DIAG_ERROR, "docket", "out of memory");
        return DK_E_NOMEM;
    }
    dk__ctx_finish(ctx);
    dk_status st = dk__ctx_status(ctx);
    dk__ctx_free(ctx);
    return st;
}

dk_status dk_convert_file(dk_registry *reg, const dk_options *o,
                          const char *input, const char *output)
{
    bool is_stdin = !input || strcmp(input, "-") == 0;
    dk_ctx *ctx = dk__ctx_new(is_stdin ? NULL : input, o);
    unsigned char *data = NULL;
    size_t size = 0;
    if (!ctx)
        return finish(NULL, o);
    const char *to = o && o->to ? o->to : "json";
    if (!dk__registry_has(reg, DK_KIND_WRITER, to)) {
        /* before the input is read: a pipe is not consumed for nothing */
        dk_ctx_fail(ctx, DK_E_USAGE, "no writer for '%s' (see docket "
                    "--list-formats)", to);
    } else if (dk__same_file(input, output)) {
        dk_ctx_fail(ctx, DK_E_IO, "the output %s is the input file; not "
                    "converted", output);
    } else if (dk__read_input(ctx, input, &data, &size) == 0) {
        dk_sink *sink = dk__sink_file(ctx, output);
        if (sink && dk__convert(reg, o, ctx, is_stdin ? NULL : input, data,
                                size, &data, sink) == 0)
            dk__sink_commit(sink);
        else
            dk__sink_discard(sink);
    }
    dk__input_free(ctx, data);
    return finish(ctx, o);
}

/* What a batch conversion found, so far. */
static void fill_report(dk_report *report, dk_ctx *ctx, const struct timespec *t0)
{
    struct timespec t1;
    if (!report)
        return;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    report->status = dk__ctx_status(ctx);
    snprintf(report->error, sizeof report->error, "%s",
             report->status == DK_E_OK ? "" : dk__ctx_message(ctx));
    snprintf(report->reader, sizeof report->reader, "%s", dk__ctx_reader(ctx));
    report->warnings = dk__ctx_warnings(ctx);
    report->ms = (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
                 (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

dk_status dk_batch_convert(dk_batch *b, dk_registry *reg, const dk_options *o,
                           const char *input, const char *output, void *tag,
                           dk_report *report)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    dk_ctx *ctx = dk__ctx_new(input, o);
    unsigned char *data = NULL;
    size_t size = 0;
    bool handed_over = false; /* the report belongs to the batch now */
    if (report)
        memset(report, 0, sizeof *report);
    if (!ctx)
        return finish(NULL, o);
    dk__ctx_set_batch(ctx, b, tag);
    if (dk__same_file(input, output)) {
        dk_ctx_fail(ctx, DK_E_IO, "the output %s is the input file; not "
                    "converted", output);
    } else if (dk__read_input(ctx, input, &data, &size) == 0) {
        if (report)
            memcpy(report->sha256, dk__input_sha256(ctx, data, size), 65);
        dk_sink *sink = dk__sink_file(ctx, output);
        if (sink && dk__convert(reg, o, ctx, input, data, size, &data, sink) == 0) {
            /* the report is complete before the output is staged: placing
             * it (from any thread) may read it at once */
            fill_report(report, ctx, &t0);
            handed_over = dk__sink_commit(sink) == 0;
        } else {
            dk__sink_discard(sink);
        }
    }
    dk__input_free(ctx, data);
    if (!handed_over)
        fill_report(report, ctx, &t0);
    return finish(ctx, o);
}

/* Input bytes as readers want them: NUL-terminated. Transfer full. */
static unsigned char *terminated(dk_ctx *ctx, const void *data, size_t size)
{
    if (size > dk__max_input(ctx)) {
        dk__too_large(ctx, dk__max_input(ctx));
        return NULL;
    }
    unsigned char *copy = malloc(size + 1);
    if (!copy) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        return NULL;
    }
    if (size)
        memcpy(copy, data, size);
    copy[size] = '\0';
    if (size == 0) {
        dk_ctx_fail(ctx, DK_E_FORMAT, "input is empty");
        free(copy);
        return NULL;
    }
    return copy;
}

dk_status dk_convert_memory(dk_registry *reg, const dk_options *o,
                            const char *name, const void *data, size_t size,
                            char **out, size_t *out_len)
{
    dk_ctx *ctx = dk__ctx_new(name ? name : "<memory>", o);
    size_t len = 0;
    *out = NULL;
    if (!ctx)
        return finish(NULL, o);
    unsigned char *in = terminated(ctx, data, size);
    dk_sink *sink = in ? dk__sink_memory(ctx) : NULL;
    if (sink && dk__convert(reg, o, ctx, name, in, size, NULL, sink) == 0 &&
        !(*out = dk__sink_take(sink, &len)))
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    if (out_len)
        *out_len = len;
    dk__sink_discard(sink);
    free(in);
    return finish(ctx, o);
}

dk_status dk_convert_to(dk_registry *reg, const dk_options *o, const char *name,
                        const void *data, size_t size, dk_write_fn write,
                        void *user)
{
    dk_ctx *ctx = dk__ctx_new(name ? name : "<memory>", o);
    if (!ctx)
        return finish(NULL, o);
    unsigned char *in = terminated(ctx, data, size);
    dk_sink *sink = in ? dk__sink_callback(ctx, write, user) : NULL;
    if (sink && dk__convert(reg, o, ctx, name, in, size, NULL, sink) == 0)
        dk__sink_commit(sink);
    else
        dk__sink_discard(sink);
    free(in);
    return finish(ctx, o);
}

dk_status dk_read_document(dk_registry *reg, const dk_options *o,
                           const char *name, const void *data, size_t size,
                           dk_node **doc)
{
    dk_ctx *ctx = dk__ctx_new(name ? name : "<memory>", o);
    *doc = NULL;
    if (!ctx)
        return finish(NULL, o);
    unsigned char *in = terminated(ctx, data, size);
    if (in)
        dk__read_document(reg, o, ctx, name, in, size, NULL, doc);
    free(in);
    return finish(ctx, o);
}

dk_status dk_transform_document(dk_registry *reg, const dk_options *o,
                                const char *transform, dk_node *doc)
{
    dk_ctx *ctx = dk__ctx_new("<document>", o);
    if (!ctx)
        return finish(NULL, o);
    const dk_plugin_entry *e = dk_registry_lookup(reg, DK_KIND_TRANSFORM, transform);
    const dk_plugin *t = e ? dk__registry_plugin(reg, e, ctx) : NULL;
    if (!e)
        dk_ctx_fail(ctx, DK_E_USAGE, "no transform '%s'", transform);
    else if (t && t->transform(ctx, doc) < 0)
        dk_ctx_fail(ctx, DK_E_PLUGIN, "transform plugin '%s' failed", transform);
    return finish(ctx, o);
}

dk_status dk_write_document(dk_registry *reg, const dk_options *o,
                            const dk_node *doc, dk_write_fn write, void *user)
{
    dk_ctx *ctx = dk__ctx_new("<document>", o);
    if (!ctx)
        return finish(NULL, o);
    const char *to = o && o->to ? o->to : "json";
    const dk_plugin_entry *e = dk_registry_lookup(reg, DK_KIND_WRITER, to);
    const dk_plugin *w = e ? dk__registry_plugin(reg, e, ctx) : NULL;
    dk_sink *sink = w ? dk__sink_callback(ctx, write, user) : NULL;
    if (!e) {
        dk_ctx_fail(ctx, DK_E_USAGE, "no writer for '%s'", to);
    } else if (sink) {
        if (w->write(ctx, doc, sink) < 0) {
            dk_ctx_fail(ctx, DK_E_PLUGIN, "writer plugin '%s' failed", w->name);
            dk__sink_discard(sink);
        } else {
            dk__sink_commit(sink);
        }
    }
    return finish(ctx, o);
}

/* ---- validation ----------------------------------------------------------------- */

static int validate(dk_registry *reg, const dk_options *o, dk_ctx *ctx,
                    const char *name, const unsigned char *data, size_t size)
{
    dk_node *doc = NULL;
    dk_sink *sink = NULL;
    dk_ctx *inner = NULL;
    dk_options paths = {0};
    dk__kv kv = {"validate-paths", "1"};
    int r = -1;
    /* only docket's own forms: the xml and json readers */
    bool tie;
    const dk_plugin_entry *e = o && o->from ? dk_registry_lookup(reg, DK_KIND_READER, o->from)
                                            : dk__registry_detect(reg, data, size, name, &tie);
    const char *fmt = e ? e->format : NULL;
    if (!fmt || (strcmp(fmt, "xml") && strcmp(fmt, "json"))) {
        dk_ctx_fail(ctx, DK_E_FORMAT, "not a docket document (docket validates "
                    "its own XML and JSON)");
        return -1;
    }
    const dk_plugin *reader = dk__registry_plugin(reg, e, ctx);
    if (!reader)
        return -1;
    if (reader->validate) {
        r = reader->validate(ctx, data, size);
        if (r < 0)
            dk_ctx_fail(ctx, DK_E_FORMAT, "not valid");
        return r;
    }
    const dk_plugin_entry *xe = dk_registry_lookup(reg, DK_KIND_WRITER, "xml");
    const dk_plugin *xml = xe ? dk__registry_plugin(reg, xe, ctx) : NULL;
    if (!xml || !xml->validate) {
        if (xml || !xe)
            dk_ctx_fail(ctx, DK_E_PLUGIN, "the xml plugin cannot validate");
        goto cleanup;
    }
    if (reader->read(ctx, data, size, &doc) < 0 || !doc) {
        dk_ctx_fail(ctx, DK_E_FORMAT, "not a docket document");
        goto cleanup;
    }
    if (!(sink = dk__sink_memory(ctx)) || xml->write(ctx, doc, sink) < 0) {
        dk_ctx_fail(ctx, DK_E_PLUGIN, "xml writer failed");
        goto cleanup;
    }
    size_t len;
    const char *bytes = dk__sink_data(sink, &len);
    paths.kv = &kv;
    paths.n_kv = 1;
    paths.diag = o ? o->diag : NULL;
    paths.diag_user = o ? o->diag_user : NULL;
    inner = dk__ctx_new(dk_ctx_name(ctx), &paths);
    if (!inner) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    r = xml->validate(inner, (const unsigned char *)bytes, len);
    if (r < 0)
        dk_ctx_fail(ctx, dk__ctx_status(inner), "%s", dk__ctx_message(inner));
cleanup:
    dk__ctx_free(inner);
    dk__sink_discard(sink);
    dk_node_free(doc);
    return r;
}

dk_status dk_validate_file(dk_registry *reg, const dk_options *o,
                           const char *path)
{
    bool is_stdin = !path || strcmp(path, "-") == 0;
    dk_ctx *ctx = dk__ctx_new(is_stdin ? NULL : path, o);
    unsigned char *data = NULL;
    size_t size = 0;
    if (!ctx)
        return finish(NULL, o);
    if (dk__read_input(ctx, path, &data, &size) == 0)
        validate(reg, o, ctx, is_stdin ? NULL : path, data, size);
    dk__input_free(ctx, data);
    return finish(ctx, o);
}

dk_status dk_validate_memory(dk_registry *reg, const dk_options *o,
                             const char *name, const void *data, size_t size)
{
    dk_ctx *ctx = dk__ctx_new(name ? name : "<memory>", o);
    if (!ctx)
        return finish(NULL, o);
    unsigned char *in = terminated(ctx, data, size);
    if (in)
        validate(reg, o, ctx, name, in, size);
    free(in);
    return finish(ctx, o);
}
