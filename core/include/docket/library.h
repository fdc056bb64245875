/*
 * docket/library.h - docket as a library: find plugins, convert documents
 * in memory, file to file or into a sink of yours, validate them.
 *
 *     dk_registry *reg = dk_registry_open(NULL, 0, NULL, NULL);
 *     dk_options *opt = dk_options_new();
 *     dk_options_set_to(opt, "xml");
 *     char *xml;
 *     size_t len;
 *     if (dk_convert_memory(reg, opt, "letter.txt", text, text_len, &xml,
 *                           &len) == DK_E_OK) {
 *         fwrite(xml, 1, len, stdout);
 *         free(xml);
 *     }
 *     dk_options_free(opt);
 *     dk_registry_close(reg);
 *
 * Threads: one registry may be shared by any number of threads (plugins
 * are loaded under a lock, once); each conversion has its own state, and
 * nothing process-wide changes during one. An options object may be shared
 * by conversions that run at the same time as long as nobody changes it.
 *
 * Diagnostics: nothing is printed. Errors, warnings and (with
 * DK_OPT_VERBOSE) progress notes go to the options' diagnostics callback,
 * with the name of the file concerned; a warning repeated within one
 * conversion is delivered once, with a count.
 *
 * Ownership: functions returning memory say "transfer full" (free() it)
 * or "transfer none" (owned by the object it came from, valid as long as
 * that object). Objects from *_open / *_new are released with the
 * matching *_close / *_free.
 */
#ifndef DOCKET_LIBRARY_H
#define DOCKET_LIBRARY_H

#include <docket/export.h>
#include <docket/plugin.h>
#include <docket/tree.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library (DK_VERSION it was built as). Transfer none. */
DK_API const char *dk_version(void);

/* ---- diagnostics ---------------------------------------------------------- */

typedef enum dk_diag_level {
    DK_DIAG_ERROR,   /* why a conversion failed */
    DK_DIAG_WARNING, /* something was repaired or guessed */
    DK_DIAG_NOTE,    /* a finding of a check (validation) */
    DK_DIAG_INFO,    /* progress: which plugins ran and how long they took */
} dk_diag_level;

/* name: the file concerned (a path, "<stdin>", or the name given to a
 * memory conversion); message: one line without a newline. Both are
 * transfer none, valid during the call. May be called from the thread of
 * any conversion. */
typedef void (*dk_diag_fn)(void *user, dk_diag_level level, const char *name,
                           const char *message);

/* ---- the registry ---------------------------------------------------------- */

typedef struct dk_registry dk_registry;
typedef struct dk_plugin_entry dk_plugin_entry;

enum {
    DK_REGISTRY_NO_ENV = 1u << 0,      /* ignore $DOCKET_PLUGIN_PATH */
    DK_REGISTRY_NO_DEFAULTS = 1u << 1, /* no installed plugin directory */
};

/*
 * Open a registry. Plugins are searched in $DOCKET_PLUGIN_PATH
 * (colon-separated), then each of dirs (NULL-terminated; may be NULL), then
 * the installed plugin directory (found from the library's own location,
 * so an install under any prefix works). Directories must be absolute; a
 * relative one, or one that others may write to, is refused with a
 * warning. A plugin is listed from its NAME.manifest without being opened;
 * the first usable plugin of a name wins. Problems are reported to diag
 * (may be NULL). Transfer full; NULL if out of memory.
 */
DK_API dk_registry *dk_registry_open(const char *const *dirs, unsigned flags,
                                     dk_diag_fn diag, void *user);
DK_API void dk_registry_close(dk_registry *reg);

/* The plugins found, in search order (also those refused or shadowed by
 * an earlier one of the same name). Transfer none. */
DK_API size_t dk_registry_size(const dk_registry *reg);
DK_API const dk_plugin_entry *dk_registry_entry(const dk_registry *reg,
                                                size_t i);

/* The plugin used for a reader or writer format, or a transform's name;
 * NULL if none. Transfer none. */
DK_API const dk_plugin_entry *dk_registry_lookup(const dk_registry *reg,
                                                 uint32_t kind,
                                                 const char *format_or_name);

/* The reader for data (its first 64 KiB are scored by every reader, a
 * matching extension of filename adding a point), or NULL when no reader
 * claims it or the best two tie. Transfer none. */
DK_API const dk_plugin_entry *dk_registry_detect(dk_registry *reg,
                                                 const void *data, size_t size,
                                                 const char *filename);

/* Open the plugin now (conversions do it themselves when they need it).
 * Returns 0, or -1 with the reason in dk_plugin_entry_error(). */
DK_API int dk_registry_load(dk_registry *reg, const dk_plugin_entry *e);

/* What an entry offers. Strings are transfer none (NULL when absent). */
DK_API const char *dk_plugin_entry_name(const dk_plugin_entry *e);
DK_API const char *dk_plugin_entry_path(const dk_plugin_entry *e);
DK_API const char *dk_plugin_entry_version(const dk_plugin_entry *e);
DK_API const char *dk_plugin_entry_description(const dk_plugin_entry *e);
DK_API const char *dk_plugin_entry_format(const dk_plugin_entry *e);
DK_API uint32_t dk_plugin_entry_kinds(const dk_plugin_entry *e);
/* The i-th file name extension (without the dot), NULL past the last. */
DK_API const char *dk_plugin_entry_extension(const dk_plugin_entry *e,
                                             size_t i);
/* The i-th option the plugin declares (its argument's name, NULL for a
 * flag, and a help line in *arg and *help); NULL past the last. */
DK_API const char *dk_plugin_entry_option(const dk_plugin_entry *e, size_t i,
                                          const char **arg, const char **help);
/* Opened already; refused (the reason, or NULL); hidden by an earlier
 * plugin of the same name. */
DK_API bool dk_plugin_entry_loaded(const dk_plugin_entry *e);
DK_API const char *dk_plugin_entry_error(const dk_plugin_entry *e);
DK_API bool dk_plugin_entry_shadowed(const dk_plugin_entry *e);

/* Write the manifest of a plugin file (what `docket --describe-plugin`
 * prints) through write. Returns DK_E_OK, or another status with the
 * reason in *error (transfer full; may be NULL). */
typedef int (*dk_write_fn)(void *user, const void *data, size_t len);
DK_API dk_status dk_describe_plugin(const char *so_path, dk_write_fn write,
                                    void *user, char **error);

/* ---- conversion options ------------------------------------------------------ */

typedef struct dk_options dk_options;

enum {
    DK_OPT_NO_DEFAULT_TRANSFORMS = 1u << 0, /* skip what readers ask for */
    DK_OPT_FAIL_IF_WARNINGS = 1u << 1,      /* a warning fails the conversion */
    DK_OPT_VERBOSE = 1u << 2,               /* DK_DIAG_INFO notes */
    /* The process ends after this conversion (as the docket command does
     * after converting one input): the document's tree is left to the
     * system, which takes the memory back at exit, instead of being freed
     * node by node (a tenth of converting a large text). Memory checkers
     * see it as lost. Ignored in builds with AddressSanitizer. */
    DK_OPT_EXITING = 1u << 3,
};

/* Transfer full; NULL if out of memory. Strings given are copied. */
DK_API dk_options *dk_options_new(void);
DK_API void dk_options_free(dk_options *o);
/* Each returns 0, or -1 if out of memory. */
DK_API int dk_options_set_from(dk_options *o, const char *format); /* NULL: detect */
DK_API int dk_options_set_to(dk_options *o, const char *format);   /* default json */
DK_API int dk_options_add_transform(dk_options *o, const char *name);
/* A plugin option (as --KEY VALUE on the command line: "pretty",
 * "password", ...); value "1" for a flag. */
DK_API int dk_options_set(dk_options *o, const char *key, const char *value);
DK_API void dk_options_set_flags(dk_options *o, unsigned flags);
DK_API void dk_options_set_diagnostics(dk_options *o, dk_diag_fn fn,
                                       void *user);

/* ---- conversions ------------------------------------------------------------ */

/* Every conversion returns DK_E_OK, or the status of the failure, whose
 * message went to the diagnostics callback. DK_E_USAGE means the options
 * are wrong (an unknown format or transform), not the input. */

/* input: a path, or NULL or "-" for standard input; output: a path (written
 * to a temporary file and renamed into place: never partial, never over
 * the input), or NULL or "-" for standard output (written only once the
 * conversion succeeded). */
DK_API dk_status dk_convert_file(dk_registry *reg, const dk_options *o,
                                 const char *input, const char *output);

/* data (size bytes, any content) into *out (transfer full, NUL-terminated
 * for convenience; *out_len without the NUL). name is used for messages
 * and format detection by extension (may be NULL). */
DK_API dk_status dk_convert_memory(dk_registry *reg, const dk_options *o,
                                   const char *name, const void *data,
                                   size_t size, char **out, size_t *out_len);

/* The same, the output handed to write as the writer makes it; write
 * returns 0, or -1 to stop the conversion. Output already handed over is
 * not taken back when a later step fails. */
DK_API dk_status dk_convert_to(dk_registry *reg, const dk_options *o,
                               const char *name, const void *data,
                               size_t size, dk_write_fn write, void *user);

/* The steps one at a time: read into a tree (with the reader's default
 * transforms and the options' transforms; *doc transfer full), apply a
 * transform, write a tree. */
DK_API dk_status dk_read_document(dk_registry *reg, const dk_options *o,
                                  const char *name, const void *data,
                                  size_t size, dk_node **doc);
DK_API dk_status dk_transform_document(dk_registry *reg, const dk_options *o,
                                       const char *transform, dk_node *doc);
DK_API dk_status dk_write_document(dk_registry *reg, const dk_options *o,
                                   const dk_node *doc, dk_write_fn write,
                                   void *user);

/* Check a docket document (canonical or indented XML, or docket's JSON)
 * against the shipped schema; each problem is a DK_DIAG_NOTE. Anything
 * that is not a docket document is an error ("not a docket document"). */
DK_API dk_status dk_validate_file(dk_registry *reg, const dk_options *o,
                                  const char *path);
DK_API dk_status dk_validate_memory(dk_registry *reg, const dk_options *o,
                                    const char *name, const void *data,
                                    size_t size);

/* ---- batches ------------------------------------------------------------------ */

/*
 * Many files converted at once, with their outputs made durable in groups:
 * each output is written completely into an unnamed temporary file, and
 * when a group is full (or at dk_batch_flush) the file system is synced
 * once, all the group's outputs are renamed into place and their folders
 * synced. An output is never visible partial, and an interrupted batch
 * leaves no trace of the outputs it had not placed. Threads may share a
 * batch.
 */
typedef struct dk_batch dk_batch;

/* What a conversion found, for a log of the batch. */
typedef struct dk_report {
    dk_status status;
    char error[512];  /* why it failed, or "" */
    char reader[32];  /* the reader's format */
    char sha256[65];  /* of the input's bytes, hex */
    size_t warnings;  /* repeats counted */
    double ms;        /* the conversion's wall time, placing excluded */
} dk_report;

/* Called once an output is in place (status DK_E_OK) or could not be
 * placed (another status, the reason in error), with the tag given to
 * dk_batch_convert. Called with the batch locked, from the thread that
 * filled the group or flushed. */
typedef void (*dk_placed_fn)(void *user, const char *output, void *tag,
                             dk_status status, const char *error);

/* group: how many outputs to place at once (at least 1). Transfer full;
 * NULL if out of memory. */
DK_API dk_batch *dk_batch_new(size_t group, dk_placed_fn placed, void *user);
/* Convert input (a path) into output (a path) like dk_convert_file, the
 * output staged for placing; report (may be NULL) says what happened. A
 * conversion that fails leaves nothing behind. */
DK_API dk_status dk_batch_convert(dk_batch *b, dk_registry *reg,
                                  const dk_options *o, const char *input,
                                  const char *output, void *tag,
                                  dk_report *report);
/* Place every staged output now. Returns how many were placed, or -1 if
 * some could not be (each said through the callback). */
DK_API int dk_batch_flush(dk_batch *b);
/* Free the batch; outputs still staged are thrown away (flush first). */
DK_API void dk_batch_free(dk_batch *b);

/* Remove the temporary files of outputs being written, for a signal
 * handler that is about to end the process. Async-signal-safe. */
DK_API void dk_discard_pending_outputs(void);

#ifdef __cplusplus
}
#endif
#endif
