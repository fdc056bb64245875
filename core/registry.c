/* The plugin registry: discovery, manifests, loading, format detection. */
#define _GNU_SOURCE
#include "host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DK_PLUGIN_RELDIR
#define DK_PLUGIN_RELDIR "../lib/docket/plugins"
#endif
#ifndef DK_PLUGIN_INSTALL_DIR
#define DK_PLUGIN_INSTALL_DIR "/usr/local/lib/docket/plugins"
#endif

#define MANIFEST_MAGIC "docket-plugin-manifest"
#define PROBE_BYTES (64 * 1024)

struct dk_registry {
    dk_plugin_info *plugins;
    size_t n;
    dk_warn_fn warn;
    void *warn_user;
};

static void reg_warn(dk_registry *reg, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reg_warn(dk_registry *reg, const char *name, const char *fmt, ...)
{
    char msg[1024] = "warning: ";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + 9, sizeof msg - 9, fmt, ap);
    va_end(ap);
    reg->warn(reg->warn_user, name, msg);
}

static void info_clear(dk_plugin_info *p)
{
    free(p->name);
    free(p->path);
    free(p->version);
    free(p->description);
    free(p->format);
    for (char **e = p->extensions; e && *e; e++)
        free(*e);
    free(p->extensions);
    for (dk_magic *m = p->magic; m && m->len; m++)
        free((char *)m->bytes);
    free(p->magic);
    free(p->error);
    if (p->handle)
        dlclose(p->handle);
    memset(p, 0, sizeof *p);
}

void dk_registry_free(dk_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n; i++)
        info_clear(&reg->plugins[i]);
    free(reg->plugins);
    free(reg);
}

size_t dk_registry_count(const dk_registry *reg)
{
    return reg->n;
}

dk_plugin_info *dk_registry_get(dk_registry *reg, size_t i)
{
    return i < reg->n ? &reg->plugins[i] : NULL;
}

/* ---- reading a descriptor ---------------------------------------------------- */

static const char *const kind_names[] = {"reader", "writer", "transform"};

/* Check a descriptor before anything in it is used. Returns NULL if it is
 * fine, or a static/formatted reason in buf. */
static const char *check_descriptor(const dk_plugin *d, const char *basename,
                                    char *buf, size_t len)
{
    if (d->abi_major != DK_ABI_MAJOR || d->abi_minor > DK_ABI_MINOR) {
        snprintf(buf, len,
                 "plugin built for ABI %u.%u, this docket has ABI %u.%u; "
                 "not loaded",
                 d->abi_major, d->abi_minor, DK_ABI_MAJOR, DK_ABI_MINOR);
        return buf;
    }
    if (d->size < sizeof(dk_plugin)) {
        snprintf(buf, len, "descriptor too small (%u bytes); not loaded",
                 d->size);
        return buf;
    }
    if (!d->name || !d->version)
        return "descriptor lacks a name or version; not loaded";
    if (basename && strcmp(d->name, basename) != 0) {
        snprintf(buf, len, "plugin calls itself '%.64s' but the file is "
                 "named '%.64s'; not loaded", d->name, basename);
        return buf;
    }
    if (!d->kinds || (d->kinds & ~(uint32_t)7))
        return "descriptor has no valid kinds; not loaded";
    if ((d->kinds & DK_KIND_READER) && (!d->read || !d->format))
        return "reader without a read callback or format; not loaded";
    if ((d->kinds & DK_KIND_WRITER) && (!d->write || !d->format))
        return "writer without a write callback or format; not loaded";
    if ((d->kinds & DK_KIND_TRANSFORM) && !d->transform)
        return "transform without a transform callback; not loaded";
    return NULL;
}

/* dlopen and check. On failure returns NULL and sets *why (malloc'd). */
static const dk_plugin *open_plugin(const char *path, const char *basename,
                                    void **handle, char **why)
{
    char buf[512];
    *handle = NULL;
    *why = NULL;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror(); /* copy at once: the next call clobbers it */
        *why = strdup(e ? e : "cannot open plugin");
        return NULL;
    }
    dlerror();
    const dk_plugin *d = dlsym(h, DK_PLUGIN_SYMBOL);
    if (!d) {
        *why = strdup("not a docket plugin (no " DK_PLUGIN_SYMBOL " symbol)");
        dlclose(h);
        return NULL;
    }
    const char *bad = check_descriptor(d, basename, buf, sizeof buf);
    if (bad) {
        *why = strdup(bad);
        dlclose(h);
        return NULL;
    }
    *handle = h;
    return d;
}

static int info_from_descriptor(dk_plugin_info *p, const dk_plugin *d)
{
    p->kinds = d->kinds;
    p->has_probe = d->probe != NULL;
    if (!(p->version = strdup(d->version)))
        return -1;
    if (d->description && !(p->description = strdup(d->description)))
        return -1;
    if (d->format && !(p->format = strdup(d->format)))
        return -1;
    size_t n = 0;
    while (d->extensions && d->extensions[n])
        n++;
    if (!(p->extensions = calloc(n + 1, sizeof *p->extensions)))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(p->extensions[i] = strdup(d->extensions[i])))
            return -1;
    n = 0;
    while (d->magic && d->magic[n].len)
        n++;
    if (!(p->magic = calloc(n + 1, sizeof *p->magic)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        p->magic[i] = d->magic[i];
        char *b = malloc(d->magic[i].len);
        if (!b)
            return -1;
        memcpy(b, d->magic[i].bytes, d->magic[i].len);
        p->magic[i].bytes = b;
    }
    return 0;
}

/* ---- manifests ------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int push_string(char ***list, const char *s)
{
    size_t n = 0;
    while (*list && (*list)[n])
        n++;
    char **l = realloc(*list, (n + 2) * sizeof *l);
    if (!l)
        return -1;
    *list = l;
    l[n + 1] = NULL;
    return (l[n] = strdup(s)) ? 0 : -1;
}

static int parse_magic(dk_plugin_info *p, char *args)
{
    unsigned long off, score;
    char hex[512];
    if (sscanf(args, "%lu %lu %511s", &off, &score, hex) != 3)
        return -1;
    size_t hl = strlen(hex);
    if (hl == 0 || hl % 2 || off > UINT32_MAX || score > DK_SCORE_MAX)
        return -1;
    char *bytes = malloc(hl / 2);
    if (!bytes)
        return -1;
    for (size_t i = 0; i < hl / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(bytes);
            return -1;
        }
        bytes[i] = (char)(hi * 16 + lo);
    }
    size_t n = 0;
    while (p->magic && p->magic[n].len)
        n++;
    dk_magic *m = realloc(p->magic, (n + 2) * sizeof *m);
    if (!m) {
        free(bytes);
        return -1;
    }
    p->magic = m;
    m[n] = (dk_magic){(uint32_t)off, (uint32_t)(hl / 2), bytes, (int)score};
    m[n + 1] = (dk_magic){0, 0, NULL, 0};
    return 0;
}

/* Read NAME.manifest. Returns 1 if read, 0 if there is none, -1 if it is
 * unusable (the reason in *why, malloc'd). */
static int read_manifest(dk_plugin_info *p, const char *mpath, char **why)
{
    FILE *f = fopen(mpath, "re");
    if (!f)
        return 0;
    char line[1024];
    int lineno = 0, r = 1;
    bool magic_seen = false, abi_ok = false;
    *why = NULL;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *val = strchr(line, ' ');
        if (val)
            *val++ = '\0';
        else
            val = line + strlen(line);
        int bad = 0;
        if (lineno == 1) {
            bad = strcmp(line, MANIFEST_MAGIC) != 0 || strcmp(val, "1") != 0;
        } else if (strcmp(line, "abi") == 0) {
            unsigned maj, min;
            bad = sscanf(val, "%u.%u", &maj, &min) != 2;
            if (!bad && (maj != DK_ABI_MAJOR || min > DK_ABI_MINOR)) {
                if (asprintf(why, "plugin built for ABI %u.%u, this docket has "
                             "ABI %u.%u; not loaded", maj, min, DK_ABI_MAJOR,
                             DK_ABI_MINOR) < 0)
                    *why = NULL;
                r = -1;
                break;
            }
            abi_ok = !bad;
        } else if (strcmp(line, "name") == 0) {
            bad = strcmp(val, p->name) != 0;
        } else if (strcmp(line, "version") == 0) {
            bad = !(p->version = strdup(val));
        } else if (strcmp(line, "description") == 0) {
            bad = !(p->description = strdup(val));
        } else if (strcmp(line, "format") == 0) {
            bad = !(p->format = strdup(val));
        } else if (strcmp(line, "kinds") == 0) {
            char *save = NULL;
            for (char *tok = strtok_r(val, ",", &save); tok;
                 tok = strtok_r(NULL, ",", &save)) {
                int k = -1;
                for (int i = 0; i < 3; i++)
                    if (strcmp(tok, kind_names[i]) == 0)
                        k = i;
                if (k < 0)
                    bad = 1;
                else
                    p->kinds |= 1u << k;
            }
        } else if (strcmp(line, "extension") == 0) {
            bad = push_string(&p->extensions, val) < 0;
        } else if (strcmp(line, "probe") == 0) {
            p->has_probe = strcmp(val, "yes") == 0;
        } else if (strcmp(line, "magic") == 0) {
            magic_seen = true;
            bad = parse_magic(p, val) < 0;
        } else if (line[0] != '\0' && line[0] != '#') {
            bad = 1;
        }
        if (bad) {
            if (asprintf(why, "%s: line %d is not understood", mpath,
                         lineno) < 0)
                *why = NULL;
            r = -1;
            break;
        }
    }
    fclose(f);
    if (r == 1 && (!abi_ok || !p->version || !p->kinds)) {
        if (asprintf(why, "%s: incomplete manifest", mpath) < 0)
            *why = NULL;
        r = -1;
    }
    if (r == 1 && !p->extensions)
        r = (p->extensions = calloc(1, sizeof *p->extensions)) ? 1 : -1;
    if (r == 1 && !magic_seen)
        r = (p->magic = calloc(1, sizeof *p->magic)) ? 1 : -1;
    return r;
}

/* ---- discovery --------------------------------------------------------------- */

static bool known(const dk_registry *reg, const char *name)
{
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->plugins[i].name, name) == 0)
            return true;
    return false;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_dir(dk_registry *reg, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 3 || strcmp(e->d_name + len - 3, ".so") != 0 ||
            e->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        if (!(names[n] = strndup(e->d_name, len - 3)))
            break;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name); /* same order on every machine */

    for (size_t i = 0; i < n; i++) {
        char *name = names[i];
        if (known(reg, name)) {
            free(name);
            continue;
        }
        dk_plugin_info *grown =
            realloc(reg->plugins, (reg->n + 1) * sizeof *grown);
        if (!grown) {
            free(name);
            continue;
        }
        reg->plugins = grown;
        dk_plugin_info *p = &reg->plugins[reg->n];
        memset(p, 0, sizeof *p);
        p->name = name;
        char *mpath = NULL;
        if (asprintf(&p->path, "%s/%s.so", dir, name) < 0 ||
            asprintf(&mpath, "%s/%s.manifest", dir, name) < 0) {
            free(name);
            continue;
        }
        reg->n++;
        char *why = NULL;
        int m = read_manifest(p, mpath, &why);
        free(mpath);
        if (m == 1) {
            p->from_manifest = true;
            continue;
        }
        if (m < 0) {
            /* A manifest that refuses the plugin (another ABI) is final; an
             * unreadable one falls back to opening the plugin. */
            bool refused = why && strstr(why, "ABI") != NULL;
            if (!refused)
                reg_warn(reg, p->path, "%s", why ? why : "bad manifest");
            char *keep_path = p->path, *keep_name = p->name;
            p->path = p->name = NULL;
            info_clear(p);
            p->path = keep_path;
            p->name = keep_name;
            if (refused) {
                p->error = why;
                reg_warn(reg, p->path, "%s", why);
                continue;
            }
            free(why);
        }
        /* No manifest: open the plugin now to learn what it offers. */
        dk_registry_load(reg, p);
    }
    free(names);
}

static const char *const *default_dirs;

const char *const *dk_registry_default_dirs(void)
{
    static char near_exe[PATH_MAX + 64];
    static const char *dirs[3];
    if (default_dirs)
        return default_dirs;
    size_t n = 0;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(near_exe, sizeof near_exe, "%s/%s", exe, DK_PLUGIN_RELDIR);
            dirs[n++] = near_exe;
        }
    }
    dirs[n++] = DK_PLUGIN_INSTALL_DIR;
    dirs[n] = NULL;
    default_dirs = dirs;
    return dirs;
}

dk_registry *dk_registry_new(const char *env_path, const char *const *extra_dirs,
                             const char *const *builtin_dirs, dk_warn_fn warn,
                             void *warn_user)
{
    dk_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        return NULL;
    reg->warn = warn ? warn : dk_warn_stderr;
    reg->warn_user = warn_user;
    if (env_path && *env_path) {
        char *copy = strdup(env_path);
        char *save = NULL;
        for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir;
             dir = strtok_r(NULL, ":", &save))
            scan_dir(reg, dir);
        free(copy);
    }
    for (const char *const *d = extra_dirs; d && *d; d++)
        scan_dir(reg, *d);
    for (const char *const *d = builtin_dirs; d && *d; d++)
        scan_dir(reg, *d);
    return reg;
}

const dk_plugin *dk_registry_load(dk_registry *reg, dk_plugin_info *p)
{
    if (p->plugin)
        return p->plugin;
    if (p->error)
        return NULL;
    char *why = NULL;
    const dk_plugin *d = open_plugin(p->path, p->name, &p->handle, &why);
    if (!d) {
        p->error = why ? why : strdup("cannot load plugin");
        reg_warn(reg, p->path, "%s", p->error ? p->error : "not loaded");
        return NULL;
    }
    if (p->from_manifest) {
        /* The manifest said what the registry used to choose this plugin;
         * the descriptor must agree. */
        bool same = d->kinds == p->kinds &&
                    ((!d->format && !p->format) ||
                     (d->format && p->format && !strcmp(d->format, p->format)));
        if (!same) {
            p->error = strdup("manifest does not match the plugin; "
                              "run docket --describe-plugin again");
            reg_warn(reg, p->path, "%s", p->error ? p->error : "stale");
            dlclose(p->handle);
            p->handle = NULL;
            return NULL;
        }
    } else if (info_from_descriptor(p, d) < 0) {
        p->error = strdup("out of memory");
        return NULL;
    }
    p->plugin = d;
    return d;
}

/* ---- lookup and detection ------------------------------------------------------ */

static bool usable(const dk_plugin_info *p, uint32_t kind)
{
    return !p->error && (p->kinds & kind);
}

dk_plugin_info *dk_registry_find(dk_registry *reg, uint32_t kind,
                                 const char *what)
{
    for (size_t i = 0; i < reg->n; i++) {
        dk_plugin_info *p = &reg->plugins[i];
        if (!usable(p, kind))
            continue;
        const char *key = kind == DK_KIND_TRANSFORM ? p->name : p->format;
        if (key && strcmp(key, what) == 0)
            return p;
    }
    return NULL;
}

static bool has_ext(const dk_plugin_info *p, const char *ext)
{
    for (char **e = p->extensions; e && *e; e++)
        if (strcasecmp(*e, ext) == 0)
            return true;
    return false;
}

dk_plugin_info *dk_registry_find_ext(dk_registry *reg, uint32_t kind,
                                     const char *ext)
{
    for (size_t i = 0; i < reg->n; i++)
        if (usable(&reg->plugins[i], kind) && has_ext(&reg->plugins[i], ext))
            return &reg->plugins[i];
    return NULL;
}

static int magic_score(const dk_plugin_info *p, const dk_probe *pr)
{
    int best = 0;
    for (const dk_magic *m = p->magic; m && m->len; m++)
        if ((size_t)m->offset + m->len <= pr->size &&
            memcmp(pr->data + m->offset, m->bytes, m->len) == 0 &&
            m->score > best)
            best = m->score;
    return best;
}

dk_plugin_info *dk_registry_detect(dk_registry *reg, const unsigned char *data,
                                   size_t size, const char *filename,
                                   bool *tie)
{
    /* Probes see at most PROBE_BYTES, NUL-terminated like the whole input. */
    unsigned char *head = NULL;
    dk_probe pr = {data, size, filename};
    if (size > PROBE_BYTES) {
        head = malloc(PROBE_BYTES + 1);
        if (!head) {
            *tie = true;
            return NULL;
        }
        memcpy(head, data, PROBE_BYTES);
        head[PROBE_BYTES] = '\0';
        pr.data = head;
        pr.size = PROBE_BYTES;
    }
    const char *base = filename ? strrchr(filename, '/') : NULL;
    base = base ? base + 1 : filename;
    const char *dot = base ? strrchr(base, '.') : NULL;

    dk_plugin_info *best = NULL;
    int best_score = 0;
    *tie = false;
    for (size_t i = 0; i < reg->n; i++) {
        dk_plugin_info *p = &reg->plugins[i];
        if (!usable(p, DK_KIND_READER))
            continue;
        int score = magic_score(p, &pr);
        bool gated = p->magic && p->magic[0].len; /* heavy: magic first */
        /* a file named for the plugin's format is worth opening it for */
        bool named = dot && dot != base && has_ext(p, dot + 1);
        if (p->has_probe && (!gated || score > 0 || named)) {
            const dk_plugin *d = dk_registry_load(reg, p);
            if (!d)
                continue;
            if (d->probe) {
                int s = d->probe(&pr);
                score = s < 0 ? 0 : s > DK_SCORE_MAX ? DK_SCORE_MAX : s;
            }
        }
        if (score > 0 && named)
            score += DK_SCORE_EXT;
        if (score > best_score) {
            best = p;
            best_score = score;
            *tie = false;
        } else if (score == best_score && score > 0) {
            *tie = true;
        }
    }
    free(head);
    if (*tie || !best) {
        *tie = true;
        return NULL;
    }
    return best;
}

/* ---- manifests for plugin authors ----------------------------------------------- */

int dk_registry_describe(const char *so_path, FILE *out, char *err,
                         size_t errlen)
{
    void *h = NULL;
    char *why = NULL;
    const char *slash = strrchr(so_path, '/');
    char *base = strdup(slash ? slash + 1 : so_path);
    if (!base) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t bl = strlen(base);
    if (bl > 3 && strcmp(base + bl - 3, ".so") == 0)
        base[bl - 3] = '\0';
    /* dlopen needs a path with a slash to skip the library search. */
    char *path = NULL;
    if (asprintf(&path, "%s%s", strchr(so_path, '/') ? "" : "./", so_path) < 0)
        path = NULL;
    const dk_plugin *d = path ? open_plugin(path, base, &h, &why) : NULL;
    free(path);
    free(base);
    if (!d) {
        snprintf(err, errlen, "%s", why ? why : "cannot load plugin");
        free(why);
        return -1;
    }
    fprintf(out, "%s 1\n", MANIFEST_MAGIC);
    fprintf(out, "abi %u.%u\n", d->abi_major, d->abi_minor);
    fprintf(out, "name %s\nversion %s\n", d->name, d->version);
    if (d->description)
        fprintf(out, "description %s\n", d->description);
    fputs("kinds ", out);
    const char *sep = "";
    for (int i = 0; i < 3; i++)
        if (d->kinds & (1u << i)) {
            fprintf(out, "%s%s", sep, kind_names[i]);
            sep = ",";
        }
    fputc('\n', out);
    if (d->format)
        fprintf(out, "format %s\n", d->format);
    for (const char *const *e = d->extensions; e && *e; e++)
        fprintf(out, "extension %s\n", *e);
    fprintf(out, "probe %s\n", d->probe ? "yes" : "no");
    for (const dk_magic *m = d->magic; m && m->len; m++) {
        fprintf(out, "magic %u %d ", m->offset, m->score);
        for (uint32_t i = 0; i < m->len; i++)
            fprintf(out, "%02x", (unsigned char)m->bytes[i]);
        fputc('\n', out);
    }
    dlclose(h);
    return 0;
}
