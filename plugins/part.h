/*
 * part.h - a part of a plugin kept in a shared object of its own, opened
 * the first time it is needed, so that the library it links (libxml2 for
 * reading XML, jansson for reading JSON) is not loaded by conversions that
 * only write the format or probe input. The part lives in a folder beside
 * the plugin ("xml/parse.so" next to xml.so), a folder the plugin search
 * does not look into, and exports one table of callbacks under a symbol.
 * Header only; internal to the plugins, not installed. Include it before
 * any system header (it needs _GNU_SOURCE for dladdr).
 *
 * Ownership: the table belongs to the opened object; it stays valid until
 * part_close(), which the plugin calls from its deinit callback (docket
 * runs that only when no conversion is using the plugin).
 */
#ifndef DOCKET_PLUGINS_PART_H
#define DOCKET_PLUGINS_PART_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include <docket/plugin.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct part {
    const char *file;   /* relative to the plugin's folder */
    const char *symbol; /* the table's symbol in that object */
    const char *what;   /* for messages: "the XML reader" */
    int (*setup)(const void *table); /* after opening: 0, or -1; may be NULL */
    pthread_mutex_t lock;
    void *handle;
    const void *table;
    char error[4096 + 128]; /* why it could not be opened; kept */
} part;

#define PART_INIT(file_, symbol_, what_, setup_)                               \
    {.file = (file_), .symbol = (symbol_), .what = (what_), .setup = (setup_), \
     .lock = PTHREAD_MUTEX_INITIALIZER}

/* Open the part from the folder of the object holding `anchor` (an address
 * inside the plugin). Called with p->lock held. */
static inline void part_open(part *p, const void *anchor)
{
    Dl_info info;
    char path[4096];
    if (!dladdr(anchor, &info) || !info.dli_fname) {
        snprintf(p->error, sizeof p->error, "cannot tell where the plugin "
                 "was loaded from");
        return;
    }
    const char *slash = strrchr(info.dli_fname, '/');
    int dir = slash ? (int)(slash - info.dli_fname) : 1;
    snprintf(path, sizeof path, "%.*s/%s", dir, slash ? info.dli_fname : ".",
             p->file);
    /* parts are linked -z now: their own symbols are bound here all the
     * same (see open_plugin in core/registry.c) */
    void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror(); /* copied at once: the next call overwrites it */
        snprintf(p->error, sizeof p->error, "%s", why ? why : path);
        return;
    }
    const void *t = dlsym(h, p->symbol);
    if (!t || (p->setup && p->setup(t) < 0)) {
        snprintf(p->error, sizeof p->error, "%s: %s%s", path,
                 t ? "cannot set it up" : "no symbol ", t ? "" : p->symbol);
        dlclose(h);
        return;
    }
    p->handle = h;
    p->table = t;
}

/* The part's table, opened if it is not yet (one try: a failure is kept
 * and reported each time); NULL after dk_ctx_fail(). */
static inline const void *part_get(part *p, dk_ctx *ctx, const void *anchor)
{
    pthread_mutex_lock(&p->lock);
    if (!p->table && !p->error[0])
        part_open(p, anchor);
    const void *t = p->table;
    pthread_mutex_unlock(&p->lock);
    if (!t)
        dk_ctx_fail(ctx, DK_E_PLUGIN, "cannot load %s: %s", p->what, p->error);
    return t;
}

/* Close the part (from the plugin's deinit: no conversion is running). */
static inline void part_close(part *p)
{
    pthread_mutex_lock(&p->lock);
    if (p->handle)
        dlclose(p->handle);
    p->handle = NULL;
    p->table = NULL;
    p->error[0] = '\0';
    pthread_mutex_unlock(&p->lock);
}

#endif
