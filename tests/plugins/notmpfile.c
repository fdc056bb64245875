/*
 * For the tests: a preloaded library that makes open(2) with O_TMPFILE
 * fail with EOPNOTSUPP, as on file systems without it, so that docket's
 * named temporary files (the fallback) are exercised. Everything else is
 * passed to the real calls.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

typedef int (*open_fn)(const char *, int, ...);

static int pass(const char *sym, const char *path, int flags, va_list ap)
{
    mode_t mode = 0;
    if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
        mode = va_arg(ap, mode_t);
    if ((flags & O_TMPFILE) == O_TMPFILE) {
        errno = EOPNOTSUPP;
        return -1;
    }
    open_fn real = (open_fn)dlsym(RTLD_NEXT, sym);
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    return real(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int r = pass("open", path, flags, ap);
    va_end(ap);
    return r;
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int r = pass("open64", path, flags, ap);
    va_end(ap);
    return r;
}
