/* Status codes and the context of one conversion: its file's name, its
 * options, its diagnostics (warnings counted, delivered once) and the
 * reason it failed. */
#define _GNU_SOURCE
#include "internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const status_names[] = {
#define DK_X(e, n, d) n,
    DK_STATUSES(DK_X)
#undef DK_X
};

static const char *const status_texts[] = {
#define DK_X(e, n, d) d,
    DK_STATUSES(DK_X)
#undef DK_X
};

const char *dk_status_name(dk_status status)
{
    return (unsigned)status < DK_E_COUNT ? status_names[status] : "unknown";
}

const char *dk_status_describe(dk_status status)
{
    return (unsigned)status < DK_E_COUNT ? status_texts[status]
                                         : "unknown error";
}

/* Warnings shown of a conversion, the last line summing up the rest. */
#define DK_WARNINGS_SHOWN 50

/* A warning and how often it came. */
typedef struct warning {
    char *text;
    size_t count;
} warning;

struct dk_ctx {
    char *name;
    const dk_options *opts;
    dk_status status;
    char message[1024];
    char **requested;
    size_t n_requested;
    warning *warnings;
    size_t n_warnings, cap_warnings;
    size_t *index; /* open addressing over warnings: i + 1, 0 for free */
    size_t cap_index; /* a power of two, more than twice n_warnings */
    size_t total_warnings;
    bool lost_warning; /* one could not be kept (out of memory) */
    dk_batch *batch;
    void *batch_tag;
    char reader[32];
    char sha256[65]; /* the input's, once taken (dk__input_sha256), else "" */
    /* the input, when dk__input_alloc mapped it (else NULL): map_len bytes
     * mapped, the first map_gone of them given back (whole pages) */
    unsigned char *map;
    size_t map_len, map_gone;
};

dk_ctx *dk__ctx_new(const char *name, const dk_options *o)
{
    dk_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->name = strdup(name ? name : "<stdin>");
    if (!ctx->name) {
        free(ctx);
        return NULL;
    }
    ctx->opts = o;
    return ctx;
}

void dk__ctx_clear_requested(dk_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_requested; i++)
        free(ctx->requested[i]);
    free(ctx->requested);
    ctx->requested = NULL;
    ctx->n_requested = 0;
}

void dk__ctx_free(dk_ctx *ctx)
{
    if (!ctx)
        return;
    dk__input_free(ctx, ctx->map);
    dk__ctx_clear_requested(ctx);
    for (size_t i = 0; i < ctx->n_warnings; i++)
        free(ctx->warnings[i].text);
    free(ctx->warnings);
    free(ctx->index);
    free(ctx->name);
    free(ctx);
}

const char *dk_ctx_name(const dk_ctx *ctx)
{
    return ctx->name;
}

bool dk_ctx_in_batch(const dk_ctx *ctx)
{
    return ctx->batch != NULL;
}

const char *dk_ctx_option(const dk_ctx *ctx, const char *key)
{
    const dk_options *o = ctx->opts;
    for (size_t i = 0; o && i < o->n_kv; i++)
        if (strcmp(o->kv[i].key, key) == 0)
            return o->kv[i].value ? o->kv[i].value : "";
    return NULL;
}

void dk__ctx_diag(dk_ctx *ctx, dk_diag_level level, const char *msg)
{
    if (ctx->opts && ctx->opts->diag)
        ctx->opts->diag(ctx->opts->diag_user, level, ctx->name, msg);
}

static size_t text_hash(const char *s)
{
    size_t h = 14695981039346656037u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The index slot of msg: where it is, or the free slot where it goes. */
static size_t *index_slot(const dk_ctx *ctx, const char *msg)
{
    size_t mask = ctx->cap_index - 1;
    for (size_t i = text_hash(msg) & mask;; i = (i + 1) & mask) {
        size_t *slot = &ctx->index[i];
        if (!*slot || strcmp(ctx->warnings[*slot - 1].text, msg) == 0)
            return slot;
    }
}

/* Room in the index for one more warning; false if out of memory. */
static bool index_room(dk_ctx *ctx)
{
    if ((ctx->n_warnings + 1) * 2 < ctx->cap_index)
        return true;
    size_t cap = ctx->cap_index ? ctx->cap_index * 2 : 16;
    size_t *index = calloc(cap, sizeof *index);
    if (!index)
        return false;
    free(ctx->index);
    ctx->index = index;
    ctx->cap_index = cap;
    for (size_t i = 0; i < ctx->n_warnings; i++)
        *index_slot(ctx, ctx->warnings[i].text) = i + 1;
    return true;
}

/* Keep a warning, counting repeats of the same text (found through a hash
 * index: a document may give a warning for each of a million lines). */
static void hold_warning(dk_ctx *ctx, const char *msg)
{
    ctx->total_warnings++;
    if (!index_room(ctx)) {
        ctx->lost_warning = true;
        return;
    }
    size_t *slot = index_slot(ctx, msg);
    if (*slot) {
        ctx->warnings[*slot - 1].count++;
        return;
    }
    if (ctx->n_warnings == ctx->cap_warnings) {
        size_t cap = ctx->cap_warnings ? ctx->cap_warnings * 2 : 8;
        warning *w = realloc(ctx->warnings, cap * sizeof *w);
        if (!w) {
            ctx->lost_warning = true;
            return;
        }
        ctx->warnings = w;
        ctx->cap_warnings = cap;
    }
    char *text = strdup(msg);
    if (!text) {
        ctx->lost_warning = true;
        return;
    }
    ctx->warnings[ctx->n_warnings++] = (warning){text, 1};
    *slot = ctx->n_warnings;
}

void dk_ctx_warn(dk_ctx *ctx, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hold_warning(ctx, msg);
}

void dk_ctx_note(dk_ctx *ctx, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dk__ctx_diag(ctx, DK_DIAG_NOTE, msg);
}

void dk__ctx_info(dk_ctx *ctx, const char *fmt, ...)
{
    if (!ctx->opts || !(ctx->opts->flags & DK_OPT_VERBOSE))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dk__ctx_diag(ctx, DK_DIAG_INFO, msg);
}

void dk__ctx_set_batch(dk_ctx *ctx, dk_batch *batch, void *tag)
{
    ctx->batch = batch;
    ctx->batch_tag = tag;
}

void *dk__ctx_batch_tag(const dk_ctx *ctx)
{
    return ctx->batch_tag;
}

dk_batch *dk__ctx_batch(const dk_ctx *ctx)
{
    return ctx->batch;
}

void dk__ctx_set_reader(dk_ctx *ctx, const char *format)
{
    snprintf(ctx->reader, sizeof ctx->reader, "%s", format ? format : "");
}

char *dk__ctx_sha256_slot(dk_ctx *ctx)
{
    return ctx->sha256;
}

const char *dk__ctx_reader(const dk_ctx *ctx)
{
    return ctx->reader;
}

size_t dk__ctx_warnings(const dk_ctx *ctx)
{
    return ctx->total_warnings;
}

void dk__ctx_finish(dk_ctx *ctx)
{
    /* a screenful at most, unless asked for all */
    bool all = ctx->opts && (ctx->opts->flags & DK_OPT_VERBOSE);
    size_t shown = all || ctx->n_warnings <= DK_WARNINGS_SHOWN ? ctx->n_warnings
                                                               : DK_WARNINGS_SHOWN - 1;
    size_t more = 0;
    for (size_t i = 0; i < ctx->n_warnings; i++) {
        char msg[1100];
        if (i >= shown) {
            more += ctx->warnings[i].count;
            free(ctx->warnings[i].text);
            continue;
        }
        if (ctx->warnings[i].count > 1)
            snprintf(msg, sizeof msg, "%s (%zu times)", ctx->warnings[i].text,
                     ctx->warnings[i].count);
        else
            snprintf(msg, sizeof msg, "%s", ctx->warnings[i].text);
        dk__ctx_diag(ctx, DK_DIAG_WARNING, msg);
        free(ctx->warnings[i].text);
    }
    if (more) {
        char msg[128];
        snprintf(msg, sizeof msg, "%zu more warnings (--verbose shows them all)", more);
        dk__ctx_diag(ctx, DK_DIAG_WARNING, msg);
    }
    ctx->n_warnings = 0;
    if (ctx->index)
        memset(ctx->index, 0, ctx->cap_index * sizeof *ctx->index);
    if (ctx->lost_warning)
        dk__ctx_diag(ctx, DK_DIAG_WARNING, "more warnings (out of memory to "
                     "keep them)");
    ctx->lost_warning = false;
    if (ctx->status != DK_E_OK)
        dk__ctx_diag(ctx, DK_DIAG_ERROR, ctx->message);
}

int dk_ctx_fail(dk_ctx *ctx, dk_status status, const char *fmt, ...)
{
    if (ctx->status != DK_E_OK)
        return -1;
    ctx->status = status == DK_E_OK ? DK_E_INTERNAL : status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
    va_end(ap);
    return -1;
}

dk_status dk__ctx_status(const dk_ctx *ctx)
{
    return ctx->status;
}

const char *dk__ctx_message(const dk_ctx *ctx)
{
    return ctx->message;
}

int dk_ctx_request_transform(dk_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->n_requested; i++)
        if (strcmp(ctx->requested[i], name) == 0)
            return 0;
    char **r = realloc(ctx->requested, (ctx->n_requested + 1) * sizeof *r);
    if (!r)
        return -1;
    ctx->requested = r;
    if (!(r[ctx->n_requested] = strdup(name)))
        return -1;
    ctx->n_requested++;
    return 0;
}

size_t dk__ctx_n_requested(const dk_ctx *ctx)
{
    return ctx->n_requested;
}

const char *dk__ctx_requested(const dk_ctx *ctx, size_t i)
{
    return i < ctx->n_requested ? ctx->requested[i] : NULL;
}

/* ---- input memory ------------------------------------------------------------ */

/*
 * An input of INPUT_MAP_AT bytes or more is kept in pages of its own
 * (mmap), so that what a reader has read can go back to the system while
 * the document grows (dk_ctx_input_done): the input and the whole tree
 * are then never held at once. Smaller ones come from malloc.
 */
#define INPUT_MAP_AT ((size_t)1 << 20)

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

static size_t round_to_page(size_t n)
{
    size_t p = page_size();
    return n > SIZE_MAX - p ? 0 : (n + p - 1) & ~(p - 1);
}

static unsigned char *map_new(dk_ctx *ctx, size_t cap)
{
    size_t len = round_to_page(cap);
    void *m = len ? mmap(NULL, len, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                  : MAP_FAILED;
    if (m == MAP_FAILED)
        return NULL;
    ctx->map = m;
    ctx->map_len = len;
    ctx->map_gone = 0;
    return m;
}

unsigned char *dk__input_alloc(dk_ctx *ctx, size_t cap)
{
    if (cap >= INPUT_MAP_AT && !ctx->map)
        return map_new(ctx, cap);
    return malloc(cap ? cap : 1);
}

unsigned char *dk__input_grow(dk_ctx *ctx, unsigned char *p, size_t len, size_t cap)
{
    if (p && p == ctx->map) {
        if (cap <= ctx->map_len)
            return p;
        size_t n = round_to_page(cap);
        void *m = n ? mremap(p, ctx->map_len, n, MREMAP_MAYMOVE) : MAP_FAILED;
        if (m == MAP_FAILED)
            return NULL;
        ctx->map = m;
        ctx->map_len = n;
        return m;
    }
    if (cap >= INPUT_MAP_AT && !ctx->map) {
        /* from malloc to pages of its own, once it is large */
        unsigned char *m = map_new(ctx, cap);
        if (m) {
            memcpy(m, p, len);
            free(p);
        }
        return m;
    }
    return realloc(p, cap);
}

void dk__input_free(dk_ctx *ctx, unsigned char *p)
{
    if (p && p == ctx->map) {
        munmap(ctx->map + ctx->map_gone, ctx->map_len - ctx->map_gone);
        ctx->map = NULL;
        ctx->map_len = ctx->map_gone = 0;
    } else {
        free(p);
    }
}

void dk_ctx_input_done(dk_ctx *ctx, const unsigned char *upto)
{
    uintptr_t at = (uintptr_t)upto, start = ctx ? (uintptr_t)ctx->map : 0;
    if (!start || at < start || at > start + ctx->map_len)
        return; /* not in the input docket holds in pages */
    size_t n = (size_t)(at - start) & ~(page_size() - 1);
    if (n > ctx->map_gone) {
        /* unmapped, not zeroed: a reader that looks back faults at once
         * rather than reading zeros as text */
        munmap(ctx->map + ctx->map_gone, n - ctx->map_gone);
        ctx->map_gone = n;
    }
}
