/*
 * Where a writer's bytes go: a file (never partial), standard output or an
 * inherited descriptor (held until the conversion succeeded), memory, or a
 * caller's callback.
 *
 * A file is written into an unnamed temporary file in the target's
 * directory (O_TMPFILE), which no crash can leave behind; on commit it is
 * synced, linked under a short temporary name and renamed over the target.
 * Where the file system has no O_TMPFILE, a named temporary file is used
 * and removed on failure or, through dk_discard_pending_outputs(), on a
 * signal. In a directory others may write to, a symbolic link at the
 * target is refused rather than followed.
 *
 * Standard output (or a device, or an inherited descriptor) is held until
 * the conversion has succeeded, so that a failed one writes nothing there:
 * in memory up to SINK_SPILL_AT bytes, and past that in an unnamed file in
 * the temporary directory, copied out at commit, so that a large output
 * does not hold its size in memory.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>
#include <stdio.h>

/* A file output is flushed to its temporary file as it grows; standard
 * output is held back until the conversion has succeeded, so that a failed
 * conversion writes nothing; a callback gets chunks of this size. */
enum { SINK_FLUSH_AT = 1 << 16 };
/* A held output larger than this goes on in a temporary file. */
enum { SINK_SPILL_AT = 1 << 20 };

typedef enum sink_kind {
    SINK_FILE,     /* a temporary file renamed into place */
    SINK_HELD,     /* stdout, a device or a descriptor: written at commit */
    SINK_MEMORY,
    SINK_CALLBACK,
} sink_kind;

struct dk_sink {
    dk_ctx *ctx;
    sink_kind kind;
    int fd;          /* the temporary file, or the held output's descriptor */
    bool close_fd;   /* fd is ours to close */
    char *path;      /* final path (SINK_FILE) */
    char *dir;       /* its directory */
    char *tmp;       /* a named temporary file, while it exists */
    mode_t mode;     /* for the output file */
    bool keep_mode;  /* replacing a file: its mode, not the umask's */
    dk_write_fn write;
    void *user;
    dk_buf buf;
    bool failed;
    int spill;       /* SINK_HELD: the unnamed file past SINK_SPILL_AT, or -1 */
    off_t spilled;   /* bytes in it; the rest is in buf */
    bool no_spill;   /* it could not be made or written: memory from then on */
};

/* ---- temporary files a signal may have to remove -------------------------- */

/* Each slot holds the name of a temporary file that exists right now, for
 * the signal handler. More conversions than slots at once only means that
 * the extra ones (on file systems without O_TMPFILE) may leave their
 * temporary file behind if a signal ends the process. */
#define PENDING_SLOTS 256
static _Atomic(const char *) pending[PENDING_SLOTS];

static void pending_add(const char *path)
{
    for (int i = 0; i < PENDING_SLOTS; i++) {
        const char *none = NULL;
        if (atomic_compare_exchange_strong(&pending[i], &none, path))
            return;
    }
}

static void pending_remove(const char *path)
{
    for (int i = 0; i < PENDING_SLOTS; i++) {
        const char *p = path;
        if (atomic_compare_exchange_strong(&pending[i], &p, NULL))
            return;
    }
}

void dk_discard_pending_outputs(void)
{
    for (int i = 0; i < PENDING_SLOTS; i++) {
        const char *p = atomic_exchange(&pending[i], NULL);
        if (p)
            unlink(p);
    }
}

/* ---- opening ----------------------------------------------------------------- */

static dk_sink *sink_alloc(dk_ctx *ctx, sink_kind kind)
{
    dk_sink *s = calloc(1, sizeof *s);
    if (!s) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        return NULL;
    }
    s->ctx = ctx;
    s->kind = kind;
    s->fd = -1;
    s->spill = -1;
    return s;
}

dk_sink *dk__sink_memory(dk_ctx *ctx)
{
    return sink_alloc(ctx, SINK_MEMORY);
}

dk_sink *dk__sink_callback(dk_ctx *ctx, dk_write_fn write, void *user)
{
    dk_sink *s = sink_alloc(ctx, SINK_CALLBACK);
    if (s) {
        s->write = write;
        s->user = user;
    }
    return s;
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

/* The process's umask, without changing it (umask(2) would, for every
 * thread): from /proc, else the usual 022. */
static mode_t current_umask(void)
{
    mode_t mask = 022;
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "Umask:", 6)) {
            mask = (mode_t)strtoul(line + 6, NULL, 8) & 0777;
            break;
        }
    if (f)
        fclose(f);
    return mask;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Create the temporary file in s->dir. Returns 0 or -1 (errno set). */
static int make_temp(dk_sink *s)
{
#ifdef O_TMPFILE
    s->fd = open(s->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (s->fd >= 0)
        return s->keep_mode ? fchmod(s->fd, s->mode) : 0;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL &&
        errno != ENOENT)
        return -1;
#endif
    if (asprintf(&s->tmp, "%s/.docket-XXXXXX", s->dir) < 0) {
        s->tmp = NULL;
        errno = ENOMEM;
        return -1;
    }
    s->fd = mkostemp(s->tmp, O_CLOEXEC);
    if (s->fd < 0) {
        free(s->tmp);
        s->tmp = NULL;
        return -1;
    }
    pending_add(s->tmp);
    /* mkstemp makes the file 0600: keep the mode of the file replaced, or
     * give the one a new file would get */
    return fchmod(s->fd, s->keep_mode ? s->mode : 0666 & ~current_umask());
}

dk_sink *dk__sink_file(dk_ctx *ctx, const char *path)
{
    if (!path || strcmp(path, "-") == 0) {
        dk_sink *s = sink_alloc(ctx, SINK_HELD);
        if (s)
            s->fd = STDOUT_FILENO;
        return s;
    }
    dk_sink *s = sink_alloc(ctx, SINK_FILE);
    if (!s)
        return NULL;
    int inherited = fd_path(path);
    if (inherited >= 0) {
        /* held until commit like standard output; the duplicate shares
         * the file description (offset, O_APPEND) and commit closes it */
        s->kind = SINK_HELD;
        s->fd = fcntl(inherited, F_DUPFD_CLOEXEC, 0);
        s->close_fd = true;
        if (s->fd < 0) {
            dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: %s", path, strerror(errno));
            goto fail;
        }
        return s;
    }
    struct stat lst, st, dst;
    bool exists = lstat(path, &lst) == 0;
    char *dir = dir_of(path);
    bool shared = dir && stat(dir, &dst) == 0 && (dst.st_mode & S_IWOTH);
    free(dir);
    if (exists && S_ISLNK(lst.st_mode)) {
        if (shared) {
            dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: a symbolic link in a "
                        "directory others can write to is not followed", path);
            goto fail;
        }
        /* a link is followed: its target is what gets replaced */
        s->path = realpath(path, NULL);
        if (!s->path && errno == ENOENT) {
            /* a dangling link: write where it points */
            char target[PATH_MAX];
            ssize_t n = readlink(path, target, sizeof target - 1);
            if (n > 0) {
                target[n] = '\0';
                if (target[0] == '/') {
                    s->path = strdup(target);
                } else {
                    char *d = dir_of(path);
                    if (d && asprintf(&s->path, "%s/%s", d, target) < 0)
                        s->path = NULL;
                    free(d);
                }
            }
        }
    } else {
        s->path = strdup(path);
    }
    if (!s->path) {
        dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    exists = stat(s->path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: is a directory", path);
        goto fail;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        /* a device or a pipe (/dev/null): written as it is, at commit,
         * never replaced */
        s->kind = SINK_HELD;
        s->fd = open(s->path, O_WRONLY | O_CLOEXEC);
        s->close_fd = true;
        if (s->fd < 0) {
            dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: %s", path, strerror(errno));
            goto fail;
        }
        return s;
    }
    s->keep_mode = exists;
    s->mode = exists ? st.st_mode & 07777 : 0;
    if (!(s->dir = dir_of(s->path))) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto fail;
    }
    if (make_temp(s) < 0) {
        dk_ctx_fail(ctx, DK_E_IO, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    s->close_fd = true;
    return s;
fail:
    dk__sink_discard(s);
    return NULL;
}

/* ---- writing ------------------------------------------------------------------ */

static int write_all(dk_sink *s, int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
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
    return 0;
}

/* An unnamed file in $TMPDIR (else /tmp) for a held output, or -1. */
static int spill_file(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd;
#ifdef O_TMPFILE
    if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
        return fd;
#endif
    char *name;
    if (asprintf(&name, "%s/.docket-held-XXXXXX", dir) < 0)
        return -1;
    fd = mkostemp(name, O_CLOEXEC);
    if (fd >= 0)
        unlink(name); /* nothing to leave behind, whatever ends the process */
    free(name);
    return fd;
}

/* Move a held output's buffer to its spill file. If the file cannot be
 * made or written, the output stays in memory as it would have been
 * without one: never an error, and what the file has is kept in order. */
static void spill_held(dk_sink *s)
{
    if (s->spill < 0 && (s->spill = spill_file()) < 0) {
        s->no_spill = true;
        return;
    }
    size_t off = 0;
    while (off < s->buf.len) {
        ssize_t n = pwrite(s->spill, s->buf.data + off, s->buf.len - off,
                           s->spilled + (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* the bytes past s->spilled are still in buf */
            s->no_spill = true;
            return;
        }
        off += (size_t)n;
    }
    s->spilled += (off_t)s->buf.len;
    dk_buf_clear(&s->buf);
}

static int sink_flush(dk_sink *s)
{
    int r = 0;
    if (s->kind == SINK_HELD) {
        spill_held(s);
        return 0;
    }
    if (s->kind == SINK_FILE)
        r = write_all(s, s->fd, s->buf.data, s->buf.len);
    else if (s->kind == SINK_CALLBACK && s->buf.len &&
             s->write(s->user, s->buf.data, s->buf.len) < 0) {
        s->failed = true;
        r = dk_ctx_fail(s->ctx, DK_E_IO, "the output was refused");
    }
    dk_buf_clear(&s->buf);
    return r;
}

static bool flushes(const dk_sink *s)
{
    if (s->kind == SINK_HELD)
        return !s->no_spill &&
               s->buf.len >= (s->spill < 0 ? SINK_SPILL_AT : SINK_FLUSH_AT);
    return (s->kind == SINK_FILE || s->kind == SINK_CALLBACK) &&
           s->buf.len >= SINK_FLUSH_AT;
}

int dk_sink_write(dk_sink *s, const void *data, size_t len)
{
    if (s->failed)
        return -1;
    if (dk_buf_append(&s->buf, data, len) < 0) {
        s->failed = true;
        return dk_ctx_fail(s->ctx, DK_E_NOMEM, "out of memory");
    }
    return flushes(s) ? sink_flush(s) : 0;
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
    return flushes(s) ? sink_flush(s) : 0;
}

const char *dk__sink_data(const dk_sink *s, size_t *len)
{
    *len = s->buf.len;
    return s->buf.data ? s->buf.data : "";
}

char *dk__sink_take(dk_sink *s, size_t *len)
{
    *len = s->buf.len;
    if (!s->buf.data)
        return strdup("");
    return dk_buf_steal(&s->buf);
}

/* ---- committing ----------------------------------------------------------------- */

static void sink_free(dk_sink *s)
{
    if (s->spill >= 0)
        close(s->spill);
    if (s->tmp) {
        pending_remove(s->tmp);
        free(s->tmp);
    }
    free(s->path);
    free(s->dir);
    dk_buf_free(&s->buf);
    free(s);
}

/* Make a rename durable: sync the directory. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int dk__place(int fd, char **tmp, const char *path, const char *dir)
{
    if (!*tmp) {
        /* the unnamed temporary file gets a short name of its own first */
        char fdpath[64];
        snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
        static _Atomic unsigned counter;
        for (int attempt = 0; !*tmp && attempt < 100; attempt++) {
            char *name = NULL;
            unsigned n = atomic_fetch_add(&counter, 1u);
            if (asprintf(&name, "%s/.docket-%06x", dir,
                         ((unsigned)getpid() * 2654435761u + n * 40503u) & 0xffffffu) < 0)
                return -1;
            pending_add(name);
            if (linkat(AT_FDCWD, fdpath, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0) {
                *tmp = name;
            } else {
                int e = errno;
                pending_remove(name);
                free(name);
                if (e != EEXIST) {
                    errno = e;
                    return -1;
                }
            }
        }
        if (!*tmp) {
            errno = EEXIST;
            return -1;
        }
    }
    if (rename(*tmp, path) < 0)
        return -1;
    pending_remove(*tmp);
    free(*tmp);
    *tmp = NULL;
    return 0;
}

void dk__sink_written(dk_sink *s)
{
    /* Freed before the tree, not after it: glibc merges all the small
     * blocks freed so far when a large one is freed, and after the tree
     * that is every text and attribute (2% of converting 10 MB). */
    if (s->failed || !(s->kind == SINK_FILE || (s->kind == SINK_HELD && s->spill >= 0)))
        return;
    if (s->kind == SINK_HELD)
        spill_held(s);
    else if (sink_flush(s) < 0)
        return;
    if (s->buf.len == 0)
        dk_buf_free(&s->buf);
}

/* The part of a held output that went to its spill file, to s->fd. */
static int write_spilled(dk_sink *s)
{
    char chunk[SINK_FLUSH_AT];
    for (off_t at = 0; at < s->spilled;) {
        size_t want = s->spilled - at < (off_t)sizeof chunk ? (size_t)(s->spilled - at)
                                                             : sizeof chunk;
        ssize_t n = pread(s->spill, chunk, want, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            s->failed = true;
            return dk_ctx_fail(s->ctx, DK_E_IO, "cannot read back the output "
                               "held in a temporary file: %s",
                               n < 0 ? strerror(errno) : "it is shorter");
        }
        if (write_all(s, s->fd, chunk, (size_t)n) < 0)
            return -1;
        at += n;
    }
    return 0;
}

/* Synced, then named: the target's bytes are on disk before its name. */
static int place_file(dk_sink *s)
{
    if (fsync(s->fd) < 0 || dk__place(s->fd, &s->tmp, s->path, s->dir) < 0)
        return -1;
    sync_dir(s->dir);
    return 0;
}

int dk__sink_commit(dk_sink *s)
{
    int r = 0;
    if (s->failed) {
        r = -1;
        goto done;
    }
    switch (s->kind) {
    case SINK_MEMORY:
        break;
    case SINK_CALLBACK:
        r = sink_flush(s);
        break;
    case SINK_HELD:
        r = write_spilled(s);
        if (r == 0)
            r = write_all(s, s->fd, s->buf.data ? s->buf.data : "", s->buf.len);
        if (s->close_fd) {
            close(s->fd);
            s->fd = -1;
        }
        break;
    case SINK_FILE: {
        dk_batch *b = dk__ctx_batch(s->ctx);
        if (sink_flush(s) < 0) {
            r = -1;
        } else if (b) {
            /* the batch places it with its group: the file, its name and
             * paths go to the batch */
            if (dk__batch_stage(b, s->fd, s->tmp, s->path, s->dir,
                                dk__ctx_batch_tag(s->ctx)) < 0) {
                r = dk_ctx_fail(s->ctx, DK_E_NOMEM, "out of memory");
            } else {
                if (s->tmp)
                    pending_remove(s->tmp); /* re-registered by the batch */
                s->fd = -1;
                s->tmp = s->path = s->dir = NULL;
            }
        } else if (place_file(s) < 0) {
            r = -1;
            dk_ctx_fail(s->ctx, DK_E_IO, "cannot write %s: %s", s->path,
                        strerror(errno));
        }
        break;
    }
    }
done:
    if (r < 0) {
        dk__sink_discard(s);
        return -1;
    }
    if (s->close_fd && s->fd >= 0)
        close(s->fd);
    sink_free(s);
    return 0;
}

void dk__sink_discard(dk_sink *s)
{
    if (!s)
        return;
    if (s->close_fd && s->fd >= 0)
        close(s->fd);
    if (s->tmp)
        unlink(s->tmp);
    sink_free(s);
}

/* ---- batches: outputs placed in groups ------------------------------------------ */

typedef struct staged {
    int fd;
    char *tmp, *path, *dir;
    void *tag;
} staged;

struct dk_batch {
    pthread_mutex_t lock;
    staged *v;
    size_t n, cap, group;
    dk_placed_fn placed;
    void *user;
};

dk_batch *dk_batch_new(size_t group, dk_placed_fn placed, void *user)
{
    dk_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    pthread_mutex_init(&b->lock, NULL);
    b->group = group ? group : 1;
    b->placed = placed;
    b->user = user;
    return b;
}

static void staged_free(staged *s)
{
    if (s->fd >= 0)
        close(s->fd);
    if (s->tmp) {
        pending_remove(s->tmp);
        unlink(s->tmp);
        free(s->tmp);
    }
    free(s->path);
    free(s->dir);
}

/* Place what is staged. Called with the lock held. */
static int flush_locked(dk_batch *b)
{
    if (b->n == 0)
        return 0;
    int placed = 0, failed = 0;
    /* one sync per file system for the whole group */
    dev_t synced[8];
    int n_synced = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct stat st;
        bool seen = false;
        if (fstat(b->v[i].fd, &st) < 0)
            continue;
        for (int k = 0; k < n_synced; k++)
            seen |= synced[k] == st.st_dev;
        if (seen)
            continue;
        syncfs(b->v[i].fd);
        if (n_synced < 8)
            synced[n_synced++] = st.st_dev;
        else
            fsync(b->v[i].fd); /* many file systems: each file itself */
    }
    for (size_t i = 0; i < b->n; i++) {
        staged *s = &b->v[i];
        if (dk__place(s->fd, &s->tmp, s->path, s->dir) == 0) {
            placed++;
            if (b->placed)
                b->placed(b->user, s->path, s->tag, DK_E_OK, "");
        } else {
            char why[512];
            snprintf(why, sizeof why, "cannot write %s: %s", s->path,
                     strerror(errno));
            failed++;
            if (b->placed)
                b->placed(b->user, s->path, s->tag, DK_E_IO, why);
        }
    }
    /* each folder synced once, after its renames */
    for (size_t i = 0; i < b->n; i++) {
        bool done = false;
        for (size_t k = 0; k < i && !done; k++)
            done = !strcmp(b->v[k].dir, b->v[i].dir);
        if (!done)
            sync_dir(b->v[i].dir);
    }
    for (size_t i = 0; i < b->n; i++)
        staged_free(&b->v[i]);
    b->n = 0;
    return failed ? -1 : placed;
}

int dk__batch_stage(dk_batch *b, int fd, char *tmp, char *path, char *dir,
                    void *tag)
{
    pthread_mutex_lock(&b->lock);
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        staged *v = realloc(b->v, cap * sizeof *v);
        if (!v) {
            pthread_mutex_unlock(&b->lock);
            return -1;
        }
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = (staged){fd, tmp, path, dir, tag};
    if (tmp)
        pending_add(tmp);
    if (b->n >= b->group)
        flush_locked(b);
    pthread_mutex_unlock(&b->lock);
    return 0;
}

int dk_batch_flush(dk_batch *b)
{
    pthread_mutex_lock(&b->lock);
    int r = flush_locked(b);
    pthread_mutex_unlock(&b->lock);
    return r;
}

void dk_batch_free(dk_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        staged_free(&b->v[i]);
    free(b->v);
    pthread_mutex_destroy(&b->lock);
    free(b);
}
