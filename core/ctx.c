/* Status codes, call contexts and output sinks. */
#define _GNU_SOURCE
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* ---- contexts ------------------------------------------------------------ */

struct dk_ctx {
    char *name;
    const dk_option *options;
    size_t n_options;
    dk_warn_fn warn;
    void *warn_user;
    dk_status status;
    char message[1024];
    char **requested;
    size_t n_requested;
};

void dk_warn_stderr(void *user, const char *name, const char *msg)
{
    (void)user;
    fprintf(stderr, "docket: %s: %s\n", name, msg);
}

dk_ctx *dk_ctx_new(const char *name, const dk_option *options, size_t n,
                   dk_warn_fn warn, void *warn_user)
{
    dk_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->name = strdup(name ? name : "<stdin>");
    if (!ctx->name) {
        free(ctx);
        return NULL;
    }
    ctx->options = options;
    ctx->n_options = n;
    ctx->warn = warn ? warn : dk_warn_stderr;
    ctx->warn_user = warn_user;
    return ctx;
}

void dk_ctx_clear_requested(dk_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_requested; i++)
        free(ctx->requested[i]);
    free(ctx->requested);
    ctx->requested = NULL;
    ctx->n_requested = 0;
}

void dk_ctx_free(dk_ctx *ctx)
{
    if (!ctx)
        return;
    dk_ctx_clear_requested(ctx);
    free(ctx->name);
    free(ctx);
}

const char *dk_ctx_name(const dk_ctx *ctx)
{
    return ctx->name;
}

const char *dk_ctx_option(const dk_ctx *ctx, const char *key)
{
    for (size_t i = 0; i < ctx->n_options; i++)
        if (strcmp(ctx->options[i].key, key) == 0)
            return ctx->options[i].value ? ctx->options[i].value : "";
    return NULL;
}

static void report(dk_ctx *ctx, const char *prefix, const char *fmt,
                   va_list ap)
{
    char msg[1024];
    size_t n = strlen(prefix);
    memcpy(msg, prefix, n + 1);
    vsnprintf(msg + n, sizeof msg - n, fmt, ap);
    ctx->warn(ctx->warn_user, ctx->name, msg);
}

void dk_ctx_warn(dk_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(ctx, "warning: ", fmt, ap);
    va_end(ap);
}

void dk_ctx_note(dk_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(ctx, "", fmt, ap);
    va_end(ap);
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

dk_status dk_ctx_status(const dk_ctx *ctx)
{
    return ctx->status;
}

const char *dk_ctx_message(const dk_ctx *ctx)
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

size_t dk_ctx_n_requested(const dk_ctx *ctx)
{
    return ctx->n_requested;
}

const char *dk_ctx_requested(const dk_ctx *ctx, size_t i)
{
    return i < ctx->n_requested ? ctx->requested[i] : NULL;
}

/* ---- sinks --------------------------------------------------------------- */

/* A file output is flushed to its temporary file as it grows; standard
 * output is held back until the conversion has succeeded, so that a failed
 * conversion writes nothing. */
enum { SINK_FLUSH_AT = 1 << 16 };

struct dk_sink {
    dk_ctx *ctx;
    int fd;          /* -1 for memory */
    char *path;      /* final path, NULL for stdout and memory */
    char *tmp;       /* temporary file */
    dk_buf buf;
    bool failed;
    bool device;     /* fd is a device or pipe opened by path */
};

/* The temporary file to remove if a signal ends the process. One at a time:
 * conversions in one process write their outputs one after another. */
static char *volatile pending_tmp;

static void on_fatal_signal(int sig)
{
    char *p = pending_tmp;
    if (p)
        unlink(p);
    signal(sig, SIG_DFL);
    raise(sig);
}

void dk_install_signal_cleanup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static dk_sink *sink_alloc(dk_ctx *ctx)
{
    dk_sink *s = calloc(1, sizeof *s);
    if (!s) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        return NULL;
    }
    s->ctx = ctx;
    s->fd = -1;
    return s;
}

dk_sink *dk_sink_memory(dk_ctx *ctx)
{
    return sink_alloc(ctx);
}

/* The descriptor that /dev/stdout, /dev/stderr, /dev/fd/N or
 * /proc/self/fd/N names, or -1 for any other path. Such a path stands for
 * the descriptor docket inherited, not for the file behind it: writing
 * through the descriptor keeps what the shell asked for (`>> log` appends,
 * `> log` writes at its offset), where replacing the file would not. */
static int fd_path(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(path, "/dev/stderr") == 0)
        return STDERR_FILENO;
    const char *n = NULL;
    if (strncmp(path, "/dev/fd/", 8) == 0)
        n = path + 8;
    else if (strncmp(path, "/proc/self/fd/", 14) == 0)
        n = path + 14;
    if (!n || *n < '0' || *n > '9')
        return -1;
    char *end;
    long fd = strtol(n, &end, 10);
    return *end || fd > INT_MAX ? -1 : (int)fd;
}

dk_sink *dk_sink_open(dk_ctx *ctx, const char *path)
{
    dk_sink *s = sink_alloc(ctx);
    if (!s)
        return NULL;
    if (!path || strcmp(path, "-") == 0) {
        s->fd = STDOUT_FILENO;
        return s;
    }
    int inherited = fd_path(path);
    if (inherited >= 0) {
        /* held until commit like standard output; the duplicate shares
         * the file description (offset, O_APPEND) and commit closes it */
        s->fd = fcntl(inherited, F_DUPFD_CLOEXEC, 0);
        if (s->fd < 0) {
            dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: %s", path,
                        strerror(errno));
            goto fail;
        }
        s->device = true;
        return s;
    }
    /* a link is followed: its target is what gets replaced */
    struct stat st;
    bool exists = stat(path, &st) == 0;
    char *real = exists ? realpath(path, NULL) : NULL;
    s->path = strdup(real ? real : path);
    free(real);
    if (!s->path) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto fail;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: is a directory", path);
        goto fail;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        /* a device or a pipe (/dev/null, /dev/stdout): written as it is,
         * never replaced */
        s->fd = open(path, O_WRONLY | O_CLOEXEC);
        if (s->fd < 0) {
            dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: %s", path,
                        strerror(errno));
            goto fail;
        }
        s->device = true;
        return s;
    }
    char *dcopy = strdup(s->path), *bcopy = strdup(s->path);
    if (dcopy && bcopy &&
        asprintf(&s->tmp, "%s/.%s.XXXXXX", dirname(dcopy), basename(bcopy)) < 0)
        s->tmp = NULL;
    free(dcopy);
    free(bcopy);
    if (!s->tmp) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto fail;
    }
    s->fd = mkostemp(s->tmp, O_CLOEXEC);
    if (s->fd < 0) {
        dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: %s", path, strerror(errno));
        free(s->tmp);
        s->tmp = NULL;
        goto fail;
    }
    pending_tmp = s->tmp;
    /* mkstemp makes the file 0600: keep the mode of the file replaced, or
     * give the one a new file would get */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(s->fd, exists ? st.st_mode & 07777 : 0666 & ~mask);
    return s;
fail:
    dk_sink_discard(s);
    return NULL;
}

/* Make a rename durable: fsync the directory that holds path. */
static void sync_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

static int sink_flush(dk_sink *s)
{
    size_t off = 0;
    while (off < s->buf.len) {
        ssize_t n = write(s->fd, s->buf.data + off, s->buf.len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            s->failed = true;
            return dk_ctx_fail(s->ctx, DK_E_IO, "cannot write %s: %s",
                               s->path ? s->path : "standard output",
                               strerror(errno));
        }
        off += (size_t)n;
    }
    dk_buf_clear(&s->buf);
    return 0;
}

int dk_sink_write(dk_sink *s, const void *data, size_t len)
{
    if (s->failed)
        return -1;
    if (dk_buf_append(&s->buf, data, len) < 0) {
        s->failed = true;
        return dk_ctx_fail(s->ctx, DK_E_NOMEM, "out of memory");
    }
    if (s->tmp && s->buf.len >= SINK_FLUSH_AT)
        return sink_flush(s);
    return 0;
}

int dk_sink_puts(dk_sink *s, const char *str)
{
    return dk_sink_write(s, str, strlen(str));
}

int dk_sink_printf(dk_sink *s, const char *fmt, ...)
{
    if (s->failed)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int r = dk_buf_vprintf(&s->buf, fmt, ap);
    va_end(ap);
    if (r < 0) {
        s->failed = true;
        return dk_ctx_fail(s->ctx, DK_E_NOMEM, "out of memory");
    }
    if (s->tmp && s->buf.len >= SINK_FLUSH_AT)
        return sink_flush(s);
    return 0;
}

const char *dk_sink_data(const dk_sink *s, size_t *len)
{
    *len = s->buf.len;
    return s->buf.data ? s->buf.data : "";
}

static void sink_free(dk_sink *s)
{
    if (s->tmp) {
        pending_tmp = NULL;
        free(s->tmp);
    }
    free(s->path);
    dk_buf_free(&s->buf);
    free(s);
}

int dk_sink_commit(dk_sink *s)
{
    int r = 0;
    if (s->fd < 0 || s->failed) {
        r = s->failed ? -1 : 0;
        goto done;
    }
    if (sink_flush(s) < 0) {
        r = -1;
        goto done;
    }
    if (s->device) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->tmp) {
        if (fsync(s->fd) < 0 || close(s->fd) < 0) {
            s->fd = -1;
            r = dk_ctx_fail(s->ctx, DK_E_IO, "cannot write %s: %s", s->path,
                            strerror(errno));
            goto done;
        }
        s->fd = -1;
        if (rename(s->tmp, s->path) < 0) {
            r = dk_ctx_fail(s->ctx, DK_E_IO, "cannot write %s: %s", s->path,
                            strerror(errno));
            goto done;
        }
        pending_tmp = NULL;
        free(s->tmp);
        s->tmp = NULL;
        sync_dir(s->path);
    }
done:
    if (r < 0) {
        dk_sink_discard(s);
        return -1;
    }
    sink_free(s);
    return 0;
}

void dk_sink_discard(dk_sink *s)
{
    if (!s)
        return;
    if (s->device && s->fd >= 0)
        close(s->fd);
    if (s->tmp) {
        if (s->fd >= 0)
            close(s->fd);
        unlink(s->tmp);
    }
    sink_free(s);
}
