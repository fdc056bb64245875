/*
 * host.h - the side of libdocket that the docket command (and the tests)
 * use: the plugin registry, input and output files, and one conversion.
 * Not installed: plugin authors need docket/plugin.h only.
 *
 * Ownership: every *_new / *_open function returns an object the caller
 * frees with the matching *_free / *_close. Strings returned by accessors
 * are transfer none, valid as long as the object.
 */
#ifndef DOCKET_HOST_H
#define DOCKET_HOST_H

#include <docket/docket.h>

#include <stdbool.h>
#include <stdio.h>

/* ---- diagnostics --------------------------------------------------------- */

/* Called for each warning or note: name is the file concerned, msg the
 * text (warnings start with "warning: "). */
typedef void (*dk_warn_fn)(void *user, const char *name, const char *msg);

/* The default: "docket: NAME: MSG" on stderr. */
void dk_warn_stderr(void *user, const char *name, const char *msg);

/* ---- contexts ------------------------------------------------------------ */

typedef struct dk_option {
    const char *key;
    const char *value;
} dk_option;

/* A context for one file. name is copied. options (n of them) are borrowed
 * and must outlive the context. */
dk_ctx *dk_ctx_new(const char *name, const dk_option *options, size_t n,
                   dk_warn_fn warn, void *warn_user);
void dk_ctx_free(dk_ctx *ctx);
/* DK_E_OK while nothing failed. */
dk_status dk_ctx_status(const dk_ctx *ctx);
/* The first failure message, or "" (transfer none). */
const char *dk_ctx_message(const dk_ctx *ctx);
/* Transforms a reader asked for, in order (transfer none). */
size_t dk_ctx_n_requested(const dk_ctx *ctx);
const char *dk_ctx_requested(const dk_ctx *ctx, size_t i);
/* Forget requested transforms (between stages). */
void dk_ctx_clear_requested(dk_ctx *ctx);

/* ---- the registry -------------------------------------------------------- */

typedef struct dk_registry dk_registry;

/* What the registry knows of one plugin, loaded or not. */
typedef struct dk_plugin_info {
    char *name;
    char *path;
    char *version;
    char *description;
    char *format;
    char **extensions; /* NULL-terminated */
    uint32_t kinds;
    dk_magic *magic; /* ends with len 0 */
    bool has_probe;
    bool from_manifest;
    void *handle;             /* dlopen handle once loaded */
    const dk_plugin *plugin;  /* the descriptor once loaded */
    char *error;              /* why it was refused, or NULL */
} dk_plugin_info;

/*
 * A registry searching, in this order: each directory of env_path
 * (colon-separated; NULL or "" for none), each of extra_dirs (NULL-terminated
 * or NULL), then builtin_dirs (NULL-terminated or NULL). The first plugin
 * of a given basename wins. Problems (unreadable manifests, refused
 * plugins) are reported through warn.
 */
dk_registry *dk_registry_new(const char *env_path, const char *const *extra_dirs,
                             const char *const *builtin_dirs, dk_warn_fn warn,
                             void *warn_user);
void dk_registry_free(dk_registry *reg);

/* The default built-in directories: next to the running program
 * (a build tree or a relocated install), then the installed directory.
 * Transfer none. */
const char *const *dk_registry_default_dirs(void);

size_t dk_registry_count(const dk_registry *reg);
dk_plugin_info *dk_registry_get(dk_registry *reg, size_t i);

/* Open a plugin (if not yet) and check it. Returns the descriptor, or NULL
 * with info->error set. */
const dk_plugin *dk_registry_load(dk_registry *reg, dk_plugin_info *info);

/* Find a plugin of the kind for a format (readers/writers) or a name
 * (transforms). NULL if none. */
dk_plugin_info *dk_registry_find(dk_registry *reg, uint32_t kind,
                                 const char *format_or_name);
/* A writer whose extensions include ext (without dot). */
dk_plugin_info *dk_registry_find_ext(dk_registry *reg, uint32_t kind,
                                     const char *ext);

/* Score every reader on the data; returns the best one, or NULL with
 * *tie set when two share the best score (or nothing scored at all). */
dk_plugin_info *dk_registry_detect(dk_registry *reg, const unsigned char *data,
                                   size_t size, const char *filename,
                                   bool *tie);

/* Write the manifest of a plugin file to out. Returns 0, or -1 with a
 * message in err (size errlen). */
int dk_registry_describe(const char *so_path, FILE *out, char *err,
                         size_t errlen);

/* ---- input and output ---------------------------------------------------- */

/* Read a whole file (path NULL or "-" for stdin) into *data (NUL-terminated,
 * transfer full) and *size. On failure returns -1 and records the problem in
 * ctx. */
int dk_read_input(dk_ctx *ctx, const char *path, unsigned char **data,
                  size_t *size);

/* An output: to a path (written to a temporary file beside it and renamed
 * into place by dk_sink_commit), to stdout (path NULL or "-"), or kept in
 * memory (dk_sink_memory). */
dk_sink *dk_sink_open(dk_ctx *ctx, const char *path);
dk_sink *dk_sink_memory(dk_ctx *ctx);
/* The bytes of a memory sink (transfer none). */
const char *dk_sink_data(const dk_sink *sink, size_t *len);
/* Finish: flush, fsync and rename into place. Returns 0 or -1 (recorded in
 * the context). The sink is freed either way. */
int dk_sink_commit(dk_sink *sink);
/* Throw the output away (the temporary file is removed). NULL allowed. */
void dk_sink_discard(dk_sink *sink);

/* Remove a pending temporary output if the process is killed by SIGINT,
 * SIGTERM or SIGHUP, then die of the same signal. */
void dk_install_signal_cleanup(void);

/* ---- one conversion -------------------------------------------------------- */

typedef struct dk_job {
    const char *input;  /* path, or NULL / "-" for stdin */
    const char *output; /* path, or NULL / "-" for stdout */
    const char *from;   /* reader format, or NULL to detect */
    const char *to;     /* writer format (required) */
    const char *const *transforms; /* -T names, in order */
    size_t n_transforms;
    bool no_transforms;
    const dk_option *options;
    size_t n_options;
} dk_job;

/* True if both paths name the same existing regular file (links followed,
 * same device and inode). "-" and NULL name no file. */
bool dk_same_file(const char *a, const char *b);

/* Read, transform and write. An output that is the input file is refused
 * (the input would be lost). Returns 0, or -1 with the problem recorded in
 * ctx (whose name is the file concerned). */
int dk_convert(dk_registry *reg, const dk_job *job, dk_ctx *ctx);

/* Check a file against the shipped schema: with its reader's validate
 * callback if it has one (XML), else by reading it into the tree and
 * validating the XML the xml writer makes of it (problems then carry
 * element paths, not lines). Returns 0 if valid, or -1 with the problems
 * reported as notes and the summary recorded in ctx. */
int dk_validate(dk_registry *reg, const char *path, const char *from,
                dk_ctx *ctx);

/* Fill meta/source (name = basename of path, format, SHA-256 of the bytes)
 * unless the document already has a source. Returns 0 or -1 (no memory). */
int dk_set_source(dk_node *doc, const char *path, const char *format,
                  const unsigned char *data, size_t size);

#endif
