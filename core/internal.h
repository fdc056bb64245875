/*
 * internal.h - libdocket's insides, shared by its source files only (not
 * installed, not exported: the dk__ prefix says so).
 *
 * Ownership: *_new / *_open return objects freed by the matching *_free /
 * *_close; strings returned by accessors are transfer none.
 */
#ifndef DOCKET_INTERNAL_H
#define DOCKET_INTERNAL_H

#include <docket/buf.h>
#include <docket/library.h>
#include <docket/plugin.h>
#include <docket/tree.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

/* Built with AddressSanitizer (gcc says so one way, clang another): then
 * every tree node is a malloc block of its own and every tree is freed,
 * so that its checks of lifetimes and leaks hold. */
#if defined(__SANITIZE_ADDRESS__)
#define DK__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DK__ASAN 1
#endif
#endif
#ifndef DK__ASAN
#define DK__ASAN 0
#endif

/* ---- options (library.c) --------------------------------------------------- */

typedef struct dk__kv {
    char *key, *value;
} dk__kv;

struct dk_options {
    char *from, *to;
    char **transforms;
    size_t n_transforms;
    dk__kv *kv;
    size_t n_kv;
    unsigned flags;
    dk_diag_fn diag;
    void *diag_user;
};

/* ---- contexts (ctx.c) --------------------------------------------------- */

/* A context for one file: name is copied, o is borrowed (may be NULL: no
 * options, diagnostics dropped). Transfer full; NULL if out of memory. */
dk_ctx *dk__ctx_new(const char *name, const dk_options *o);
void dk__ctx_free(dk_ctx *ctx);
dk_status dk__ctx_status(const dk_ctx *ctx);
const char *dk__ctx_message(const dk_ctx *ctx);
/* Transforms a reader asked for, in order. */
size_t dk__ctx_n_requested(const dk_ctx *ctx);
const char *dk__ctx_requested(const dk_ctx *ctx, size_t i);
void dk__ctx_clear_requested(dk_ctx *ctx);
/* Warnings so far (repeats counted). */
size_t dk__ctx_warnings(const dk_ctx *ctx);
/* Deliver the warnings held back (each once, with its count), then the
 * failure, if any, as DK_DIAG_ERROR. */
void dk__ctx_finish(dk_ctx *ctx);
/* A DK_DIAG_INFO note when the options ask for them. */
void dk__ctx_info(dk_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Deliver a message as it comes (validation notes in another context). */
void dk__ctx_diag(dk_ctx *ctx, dk_diag_level level, const char *msg);
/* The batch whose group a file output joins (NULL: placed at once), and
 * the caller's tag for it. */
void dk__ctx_set_batch(dk_ctx *ctx, dk_batch *batch, void *tag);
dk_batch *dk__ctx_batch(const dk_ctx *ctx);
void *dk__ctx_batch_tag(const dk_ctx *ctx);
/* The reader that read the input ("" before one did). */
void dk__ctx_set_reader(dk_ctx *ctx, const char *format);
const char *dk__ctx_reader(const dk_ctx *ctx);
/* Where dk__input_sha256 keeps the input's checksum (65 bytes). */
char *dk__ctx_sha256_slot(dk_ctx *ctx);

/* ---- sinks (sink.c) ----------------------------------------------------- */

/* A file (temporary file beside it, renamed into place on commit), or
 * standard output for NULL / "-" (held until commit). */
dk_sink *dk__sink_file(dk_ctx *ctx, const char *path);
/* Everything kept in memory. */
dk_sink *dk__sink_memory(dk_ctx *ctx);
/* Handed to write as it comes. */
dk_sink *dk__sink_callback(dk_ctx *ctx, dk_write_fn write, void *user);
/* A memory sink's bytes: transfer none, or taken (transfer full,
 * NUL-terminated; the sink is left empty). */
const char *dk__sink_data(const dk_sink *sink, size_t *len);
char *dk__sink_take(dk_sink *sink, size_t *len);
/* Finish: flush, fsync and rename into place. Returns 0 or -1 (recorded in
 * the context). The sink is freed either way. */
int dk__sink_commit(dk_sink *sink);
/* The writer is done: what a file (or a spilled held output) still has in
 * memory goes out now and the buffer is freed, before the document is. */
void dk__sink_written(dk_sink *sink);
/* Throw the output away (the temporary file is removed). NULL allowed. */
void dk__sink_discard(dk_sink *sink);

/* An output written completely into fd, to be placed at path: the sink
 * hands it over (fd, and tmp when the file has a name, are owned by the
 * batch from then on). Returns 0, or -1 (out of memory: nothing taken). */
int dk__batch_stage(dk_batch *b, int fd, char *tmp, char *path, char *dir,
                    void *tag);
/* Give an unnamed temporary file a name and rename it over path (no
 * syncing). Returns 0 or -1 (errno set); *tmp is the name it had. */
int dk__place(int fd, char **tmp, const char *path, const char *dir);

/* ---- the registry (registry.c) ------------------------------------------ */

struct dk_plugin_entry {
    char *name, *path, *version, *description, *format;
    char **extensions;     /* NULL-terminated */
    dk_option_decl *options; /* ends with a NULL name; strings owned */
    uint32_t kinds;
    dk_magic *magic;       /* ends with len 0; bytes owned */
    bool has_probe;
    bool shadowed;         /* an earlier usable plugin has this name */
    void *handle;          /* dlopen handle once loaded */
    dk_plugin desc;        /* the descriptor, at this docket's size */
    bool loaded;
    char *error;           /* why it was refused, or NULL */
};

/* The descriptor of a plugin, opened if need be. NULL, with the reason in
 * ctx, if it cannot be used. */
const dk_plugin *dk__registry_plugin(dk_registry *reg,
                                     const dk_plugin_entry *e, dk_ctx *ctx);
/* A writer whose extensions include ext (without dot). */
const dk_plugin_entry *dk__registry_find_ext(const dk_registry *reg,
                                             uint32_t kind, const char *ext);
/* Score every reader on the data; the best one, or NULL with *tie set when
 * the best two share a score (or nothing scored). */
const dk_plugin_entry *dk__registry_detect(dk_registry *reg,
                                           const unsigned char *data,
                                           size_t size, const char *filename,
                                           bool *tie);
/* Is some plugin of this kind known, for a name or format? */
bool dk__registry_has(const dk_registry *reg, uint32_t kind, const char *what);

/* ---- the tree (tree.c) ---------------------------------------------------------- */

/* How deeply elements nest below node (node itself is 1; text nodes do
 * not count). */
int dk__element_depth(const dk_node *node);

/* ---- input, files and detection (convert.c) ---------------------------------- */

/* The largest input read (the option "max-input-size", "512M" style, else
 * this default). */
#define DK_MAX_INPUT_DEFAULT ((size_t)512 << 20)
size_t dk__max_input(const dk_ctx *ctx);
/* Fail ctx: the input is larger than max. Returns -1. */
int dk__too_large(dk_ctx *ctx, size_t max);

/* Memory for an input read into ctx's conversion: cap bytes; a large one
 * is mapped and remembered in ctx, for dk_ctx_input_done. grow keeps the
 * first len bytes. NULL if out of memory (grow then leaves p as it was).
 * Freed with dk__input_free (NULL allowed), before ctx. */
unsigned char *dk__input_alloc(dk_ctx *ctx, size_t cap);
unsigned char *dk__input_grow(dk_ctx *ctx, unsigned char *p, size_t len, size_t cap);
void dk__input_free(dk_ctx *ctx, unsigned char *p);

/* Read a whole file (path NULL or "-" for stdin) into *data (NUL-terminated,
 * transfer full: dk__input_free). On failure returns -1 with the problem in
 * ctx. */
int dk__read_input(dk_ctx *ctx, const char *path, unsigned char **data,
                   size_t *size);
/* Both paths name the same existing regular file. */
bool dk__same_file(const char *a, const char *b);
/* Fill meta/source (sha256: the input's, as dk__sha256_hex gives it)
 * unless the document has one. 0, or -1 out of memory. */
int dk__set_source(dk_node *doc, const char *path, const char *format,
                   const char *sha256);
/* The SHA-256 of ctx's input (data, size bytes) as 64 hex digits, taken
 * once per conversion (a batch's report and meta/source share it).
 * Transfer none: it lives as long as ctx. */
const char *dk__input_sha256(dk_ctx *ctx, const unsigned char *data, size_t size);
/* What a file without a reader is, when it is clearly something ("PDF",
 * "HTML", "DOCX", "a ZIP archive", "XML of another vocabulary", "JSON of
 * another shape"), or NULL. Transfer none. */
const char *dk__sniff_foreign(const unsigned char *data, size_t size);

/* Read bytes into a document (detecting the format unless the options name
 * it), with the reader's default transforms and the options' transforms.
 * *doc transfer full. Returns 0, or -1 with the problem in ctx.
 * take: NULL, or the caller's buffer from dk__read_input holding data
 * (*take == data), which is freed, and *take set to NULL, once the reader
 * has read it, so that the transforms and the writer run without it; the
 * caller frees *take after (NULL if it went). The checksum is taken before
 * the reader runs: a reader may give back what it has read
 * (dk_ctx_input_done). */
int dk__read_document(dk_registry *reg, const dk_options *o, dk_ctx *ctx,
                      const char *path, const unsigned char *data, size_t size,
                      unsigned char **take, dk_node **doc);

/* One conversion from bytes: read (detecting the format), transform, write
 * into sink, which the caller then commits (0) or discards (-1, the
 * problem in ctx). take as for dk__read_document. */
int dk__convert(dk_registry *reg, const dk_options *o, dk_ctx *ctx,
                const char *path, const unsigned char *data, size_t size,
                unsigned char **take, dk_sink *sink);

#endif
