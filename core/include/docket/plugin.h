/*
 * docket/plugin.h - everything a plugin author needs.
 *
 * A plugin is one shared object that exports one descriptor, a const
 * dk_plugin named "docket_plugin", best defined with DOCKET_PLUGIN():
 *
 *     DOCKET_PLUGIN(
 *         .name = "shout", .version = "1.0",
 *         .description = "upper-cases all text",
 *         .kinds = DK_KIND_TRANSFORM,
 *         .transform = shout_transform);
 *
 * docket opens plugins with dlopen(RTLD_NOW | RTLD_LOCAL), checks the ABI
 * version (major equal, minor not newer than docket's) and that the fields
 * the kinds need are present before it calls anything. A plugin is only
 * opened when a conversion needs it: the registry learns names, formats,
 * extensions, magic bytes and options from a NAME.manifest file beside
 * NAME.so, written at install time by `docket --describe-plugin NAME.so -o
 * NAME.manifest`. A plugin without a manifest is not used (docket never
 * opens a plugin just to list it). Install plugins into
 * `pkg-config --variable=plugindir docket`.
 *
 * Threads: callbacks may be called from several threads at once, each
 * with its own dk_ctx and document; a plugin keeps no state between
 * calls other than what init sets up.
 *
 * Ownership rules
 *  - The descriptor and every string and array it points to are static and
 *    owned by the plugin.
 *  - read: on success the plugin stores a new document in *out; the caller
 *    owns it (transfer full). On failure *out is left NULL and nothing
 *    needs freeing by the caller. The input bytes belong to docket and stay
 *    valid only during the call, and only up to where the reader gave them
 *    back with dk_ctx_input_done(); data[size] is always a NUL byte.
 *  - transform: changes the document in place; it may free and replace any
 *    node below the document node, never the document node itself.
 *  - write: the document is borrowed (read only); everything goes through
 *    dk_sink_write(). The sink commits or discards the output: a writer
 *    never opens output files itself.
 *  - dk_ctx and dk_sink belong to docket and are valid during the call only.
 *  - Callbacks return 0 on success. On failure they return -1 after
 *    reporting the problem with dk_ctx_fail() (a message without the file
 *    name: docket prefixes "docket: FILE: ").
 *  - Strings returned by dk_ctx_name() and dk_ctx_option() are transfer
 *    none, valid during the call.
 */
#ifndef DOCKET_PLUGIN_H
#define DOCKET_PLUGIN_H

#include <docket/buf.h>
#include <docket/export.h>
#include <docket/tree.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. A plugin built against major M
 * loads into docket M.n for every n not older than the plugin's minor:
 * minor versions only append fields to dk_plugin, and docket reads the
 * fields a plugin's descriptor is too short to have as absent (NULL). */
#define DK_ABI_MAJOR 1
#define DK_ABI_MINOR 2

/* The version of docket itself. */
#define DK_VERSION "0.2.0"

/* Error codes: X(ENUM, "name", "description"). */
#define DK_STATUSES(X)                                                         \
    X(OK, "ok", "success")                                                     \
    X(IO, "io", "input/output error")                                          \
    X(FORMAT, "format", "input is not in the expected format")                 \
    X(UNSUPPORTED, "unsupported", "feature not supported")                     \
    X(LIMIT, "limit", "input exceeds a safety limit")                          \
    X(NOMEM, "nomem", "out of memory")                                         \
    X(PLUGIN, "plugin", "plugin error")                                        \
    X(USAGE, "usage", "usage error")                                           \
    X(INTERNAL, "internal", "internal error")

typedef enum dk_status {
#define DK_X_ENUM(e, n, d) DK_E_##e,
    DK_STATUSES(DK_X_ENUM)
#undef DK_X_ENUM
        DK_E_COUNT
} dk_status;

/* Transfer none (static strings). */
DK_API const char *dk_status_name(dk_status status);
DK_API const char *dk_status_describe(dk_status status);

/* What a plugin provides; a descriptor may combine several. */
enum {
    DK_KIND_READER = 1u << 0,
    DK_KIND_WRITER = 1u << 1,
    DK_KIND_TRANSFORM = 1u << 2,
};

/* The context of one call: the file being converted, options, diagnostics. */
typedef struct dk_ctx dk_ctx;

/* The name to show for the input or output (a path or "<stdin>"). Transfer
 * none. */
DK_API const char *dk_ctx_name(const dk_ctx *ctx);

/* Is this conversion one of a batch (docket -O DIR: several inputs, an
 * output each)? A plugin that writes a file of its own beside the output
 * then writes one per input, into a folder. */
DK_API bool dk_ctx_in_batch(const dk_ctx *ctx);

/* The value of a conversion option given on the command line (for example
 * "pretty" for --pretty, or KEY for --metadata KEY), or NULL. Transfer none. */
DK_API const char *dk_ctx_option(const dk_ctx *ctx, const char *key);

/* Report a warning: printed as "docket: FILE: warning: MESSAGE". */
DK_API void dk_ctx_warn(dk_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Report one finding of a check (a validation error, say): printed as
 * "docket: FILE: MESSAGE". */
DK_API void dk_ctx_note(dk_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record why the call failed; the first failure recorded wins. Returns -1
 * so that a callback can end with `return dk_ctx_fail(...)`. */
DK_API int dk_ctx_fail(dk_ctx *ctx, dk_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A reader asks for a transform (by plugin name) to run after it by default,
 * for example "clean". docket runs the requested transforms in order unless
 * the user gave --no-transforms. Returns -1 if out of memory. */
DK_API int dk_ctx_request_transform(dk_ctx *ctx, const char *name);

/* A reader that will not look at the input before upto (a pointer into the
 * data it was given) again says so, and docket may give that memory back
 * to the system at once: a large input is then not held whole beside the
 * document growing from it. Reading those bytes afterwards faults. A no-op
 * for input docket does not own (what a library caller passed) or that is
 * small. Optional. Since ABI 1.2. */
DK_API void dk_ctx_input_done(dk_ctx *ctx, const unsigned char *upto);

/* Where a writer's bytes go. */
typedef struct dk_sink dk_sink;

/* Append bytes to the output. Returns 0, or -1 on a write error (already
 * recorded in the context; the writer just returns -1). */
DK_API int dk_sink_write(dk_sink *sink, const void *data, size_t len);
DK_API int dk_sink_puts(dk_sink *sink, const char *s);
DK_API int dk_sink_printf(dk_sink *sink, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What a probe looks at: the first bytes of the input (up to 64 KiB, or all
 * of it; data[size] is a NUL byte) and the file name (NULL for stdin). */
typedef struct dk_probe {
    const unsigned char *data;
    size_t size;
    const char *filename;
} dk_probe;

/* The probe's text as bytes for a probe that looks for ASCII markup or
 * words: UTF-16 with a byte order mark narrowed to one byte a character
 * (the BOM left out, anything beyond ASCII as '?'), anything else copied.
 * Writes at most cap bytes to out (the caller's) and returns how many. */
DK_API size_t dk_probe_ascii(const dk_probe *probe, char *out, size_t cap);

/* Probe scores, FFmpeg style: the highest score wins and a tie between the
 * best two means "unknown". A matching file extension adds DK_SCORE_EXT to a
 * non-zero score. */
enum {
    DK_SCORE_MAX = 100,       /* certain: a signature matched */
    DK_SCORE_LIKELY = 75,     /* structure looks right */
    DK_SCORE_POSSIBLE = 25,   /* could be */
    DK_SCORE_FALLBACK = 10,   /* anything readable (plain text) */
    DK_SCORE_EXT = 1,
};

/*
 * A signature the registry can match without opening the plugin: len bytes
 * at offset give score. A list ends with an entry whose len is 0. A plugin
 * that links a heavy library should declare magic: its probe callback (if
 * any) is then only called when a signature matched.
 */
typedef struct dk_magic {
    uint32_t offset;
    uint32_t len;
    const char *bytes;
    int score;
} dk_magic;

/* An option a plugin reads with dk_ctx_option(): `docket --NAME [ARG]`
 * passes it, `docket --help-plugin PLUGIN` lists it, and an option no
 * plugin declares is an error. A list ends with an entry whose name is
 * NULL. */
typedef struct dk_option_decl {
    const char *name; /* without the dashes: "password" */
    const char *arg;  /* the argument's name ("PASSWORD"), NULL for a flag */
    const char *help; /* one line */
} dk_option_decl;

typedef struct dk_plugin {
    /* Checked before anything else is read. */
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t size; /* sizeof(dk_plugin) the plugin was built with */

    uint32_t kinds; /* DK_KIND_* */
    const char *name;        /* required; equals the file's basename */
    const char *version;     /* required */
    const char *description; /* one line */

    /* Readers and writers: the format name (e.g. "json") and file name
     * extensions without the dot, NULL-terminated. */
    const char *format;
    const char *const *extensions;
    const dk_magic *magic;

    /* Score the input for this reader, 0..DK_SCORE_MAX. Optional: without
     * it the magic alone scores. */
    int (*probe)(const dk_probe *probe);

    /* DK_KIND_READER: build a document from the whole input. */
    int (*read)(dk_ctx *ctx, const unsigned char *data, size_t size,
                dk_node **out);

    /* DK_KIND_TRANSFORM: change the document in place. */
    int (*transform)(dk_ctx *ctx, dk_node *doc);

    /* DK_KIND_WRITER: serialize the document. */
    int (*write)(dk_ctx *ctx, const dk_node *doc, dk_sink *out);

    /* Optional, for a format with a schema: check the input against it.
     * Reports each problem with dk_ctx_note() and returns -1 (after
     * dk_ctx_fail) if there was any, 0 if the input is valid. */
    int (*validate)(dk_ctx *ctx, const unsigned char *data, size_t size);

    /* ---- ABI 1.1 ---- */

    /* Optional: called once per process when the plugin is first opened
     * (under docket's lock), before any other callback; return 0, or -1
     * to refuse loading. deinit is called when docket closes it. Set up
     * process-wide state of the libraries the plugin links here, not in
     * a constructor. */
    int (*init)(void);
    void (*deinit)(void);

    /* Optional: the options the plugin reads (see dk_option_decl). */
    const dk_option_decl *options;
} dk_plugin;

/* The size of an ABI 1.0 descriptor: the smallest docket accepts. */
#define DK_PLUGIN_SIZE_1_0 104

#if defined(__GNUC__)
#define DK_EXPORT __attribute__((visibility("default")))
#else
#define DK_EXPORT
#endif

/* The exported symbol's name. */
#define DK_PLUGIN_SYMBOL "docket_plugin"

/* Define the plugin's descriptor; the arguments are designated
 * initializers of the remaining fields. */
#define DOCKET_PLUGIN(...)                                                     \
    DK_EXPORT extern const dk_plugin docket_plugin;                            \
    const dk_plugin docket_plugin = {.abi_major = DK_ABI_MAJOR,                \
                                     .abi_minor = DK_ABI_MINOR,                \
                                     .size = sizeof(dk_plugin),                \
                                     __VA_ARGS__}

#ifdef __cplusplus
}
#endif
#endif
