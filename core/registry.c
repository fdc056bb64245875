/*
 * The plugin registry: discovery, manifests, loading, format detection.
 *
 * Plugins are listed from their manifests and opened only when a
 * conversion needs them. Before a file is handed to dlopen it must be a
 * regular file in an absolute directory nobody else may write to, and its
 * ELF headers must fit in the file (a truncated plugin would otherwise
 * crash the process inside dlopen). A plugin that is refused, at listing
 * or at loading, does not hide a usable plugin of the same name later in
 * the search path.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DK_PLUGIN_INSTALL_DIR
#define DK_PLUGIN_INSTALL_DIR "/usr/local/lib/docket/plugins"
#endif
/* The plugin folder relative to the folder libdocket is in. */
#define PLUGIN_SUBDIR "docket/plugins"

#define MANIFEST_MAGIC "docket-plugin-manifest"
#define PROBE_BYTES (64 * 1024)

struct dk_registry {
    dk_plugin_entry **entries;
    size_t n;
    dk_diag_fn diag;
    void *user;
    pthread_mutex_t lock; /* recursive: loading, lookups, detection */
};

static void update_shadows(dk_registry *reg);
static void reg_warn(const dk_registry *reg, const char *name, const char *fmt,
                     ...) __attribute__((format(printf, 3, 4)));

static void reg_warn(const dk_registry *reg, const char *name, const char *fmt,
                     ...)
{
    if (!reg->diag)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reg->diag(reg->user, DK_DIAG_WARNING, name, msg);
}

static void entry_free(dk_plugin_entry *e)
{
    if (!e)
        return;
    if (e->loaded && e->desc.deinit)
        e->desc.deinit();
    if (e->handle)
        dlclose(e->handle);
    free(e->name);
    free(e->path);
    free(e->version);
    free(e->description);
    free(e->format);
    for (char **x = e->extensions; x && *x; x++)
        free(*x);
    free(e->extensions);
    for (dk_option_decl *o = e->options; o && o->name; o++) {
        free((char *)o->name);
        free((char *)o->arg);
        free((char *)o->help);
    }
    free(e->options);
    for (dk_magic *m = e->magic; m && m->len; m++)
        free((char *)m->bytes);
    free(e->magic);
    free(e->error);
    free(e);
}

void dk_registry_close(dk_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = reg->n; i-- > 0;)
        entry_free(reg->entries[i]);
    free(reg->entries);
    pthread_mutex_destroy(&reg->lock);
    free(reg);
}

/* ---- descriptors ---------------------------------------------------------- */

static const char *const kind_names[] = {"reader", "writer", "transform"};

typedef enum refusal {
    OK = 0,
    OTHER_ABI,     /* major differs or minor newer */
    TOO_SMALL,     /* size below ABI 1.0's descriptor */
    INCOMPLETE,    /* required fields missing */
    WRONG_NAME,    /* name differs from the file's */
} refusal;

/* Check a descriptor before anything but its first three fields is read,
 * and copy it at this docket's size (fields newer than the plugin read as
 * absent). Writes the reason to buf. */
static refusal take_descriptor(const dk_plugin *d, const char *basename,
                               dk_plugin *out, char *buf, size_t len)
{
    if (d->abi_major != DK_ABI_MAJOR || d->abi_minor > DK_ABI_MINOR) {
        snprintf(buf, len, "plugin built for ABI %u.%u, this docket has ABI "
                 "%u.%u; not loaded", d->abi_major, d->abi_minor, DK_ABI_MAJOR,
                 DK_ABI_MINOR);
        return OTHER_ABI;
    }
    if (d->size < DK_PLUGIN_SIZE_1_0) {
        snprintf(buf, len, "descriptor too small (%u bytes, ABI %u.%u needs "
                 "%u); not loaded", d->size, d->abi_major, d->abi_minor,
                 (unsigned)DK_PLUGIN_SIZE_1_0);
        return TOO_SMALL;
    }
    memset(out, 0, sizeof *out);
    memcpy(out, d, d->size < sizeof *out ? d->size : sizeof *out);
    if (!out->name || !out->version) {
        snprintf(buf, len, "descriptor lacks a name or version; not loaded");
        return INCOMPLETE;
    }
    if (basename && strcmp(out->name, basename) != 0) {
        snprintf(buf, len, "plugin calls itself '%.64s' but the file is "
                 "named '%.64s'; not loaded", out->name, basename);
        return WRONG_NAME;
    }
    const char *missing = NULL;
    if (!out->kinds || (out->kinds & ~(uint32_t)7))
        missing = "descriptor has no valid kinds";
    else if ((out->kinds & DK_KIND_READER) && (!out->read || !out->format))
        missing = "reader without a read callback or format";
    else if ((out->kinds & DK_KIND_WRITER) && (!out->write || !out->format))
        missing = "writer without a write callback or format";
    else if ((out->kinds & DK_KIND_TRANSFORM) && !out->transform)
        missing = "transform without a transform callback";
    if (missing) {
        snprintf(buf, len, "%s; not loaded", missing);
        return INCOMPLETE;
    }
    return OK;
}

/* Does the dynamic section at off (size bytes) ask for all its symbols to
 * be bound at load (-z now: DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW)? Read
 * at once: it is a few hundred bytes. */
static bool binds_now(int fd, bool is64, uint64_t off, uint64_t size)
{
    size_t entsize = is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
    unsigned char buf[4096];
    ssize_t got = pread(fd, buf, size < sizeof buf ? (size_t)size : sizeof buf, (off_t)off);
    for (size_t at = 0; got > 0 && at + entsize <= (size_t)got; at += entsize) {
        int64_t tag;
        uint64_t val;
        if (is64) {
            Elf64_Dyn d;
            memcpy(&d, buf + at, sizeof d);
            tag = d.d_tag, val = d.d_un.d_val;
        } else {
            Elf32_Dyn d;
            memcpy(&d, buf + at, sizeof d);
            tag = d.d_tag, val = d.d_un.d_val;
        }
        if (tag == DT_NULL)
            return false;
        if (tag == DT_BIND_NOW || (tag == DT_FLAGS && (val & DF_BIND_NOW)) ||
            (tag == DT_FLAGS_1 && (val & DF_1_NOW)))
            return true;
    }
    return false;
}

/*
 * Is the file a shared object whose headers lie within it? dlopen maps
 * program segments without checking them against the file's size, so a
 * truncated plugin faults (SIGBUS) when the loader touches the missing
 * part. Returns NULL if fine, else the reason. *now tells whether the
 * object is linked to bind all its own symbols at load (-z now).
 */
static const char *elf_fits(const char *path, bool *now)
{
    *now = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    const char *why = NULL;
    if (fd < 0 || fstat(fd, &st) < 0)
        why = "cannot be read";
    else if (!S_ISREG(st.st_mode))
        why = "is not a regular file";
    unsigned char h[EI_NIDENT + 64];
    ssize_t got = why ? 0 : pread(fd, h, sizeof h, 0);
    if (!why && (got < SELFMAG || memcmp(h, ELFMAG, SELFMAG) != 0))
        why = "is not an ELF shared object";
    else if (!why && got != (ssize_t)sizeof h)
        why = "is truncated (no ELF header)";
    uint64_t size = why ? 0 : (uint64_t)st.st_size;
    uint64_t phoff = 0, shoff = 0, phnum = 0, phentsize = 0, shnum = 0,
             shentsize = 0;
    bool is64 = !why && h[EI_CLASS] == ELFCLASS64;
    if (!why && is64) {
        Elf64_Ehdr eh;
        memcpy(&eh, h, sizeof eh);
        phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
        shoff = eh.e_shoff, shnum = eh.e_shnum, shentsize = eh.e_shentsize;
        if (eh.e_type != ET_DYN)
            why = "is not an ELF shared object";
    } else if (!why && h[EI_CLASS] == ELFCLASS32) {
        Elf32_Ehdr eh;
        memcpy(&eh, h, sizeof eh);
        phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
        shoff = eh.e_shoff, shnum = eh.e_shnum, shentsize = eh.e_shentsize;
        if (eh.e_type != ET_DYN)
            why = "is not an ELF shared object";
    } else if (!why) {
        why = "is not an ELF shared object";
    }
    if (!why && (phoff + phnum * phentsize > size || shoff + shnum * shentsize > size))
        why = "is truncated (its ELF headers end after the file)";
    /* every loaded segment's bytes must be in the file (the headers read
     * at once: a shared object has about ten) */
    size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    unsigned char *table = NULL;
    if (!why && phnum && phentsize < phsize)
        why = "is not an ELF shared object";
    else if (!why && phnum && (!(table = malloc(phnum * phentsize)) ||
                              pread(fd, table, phnum * phentsize, (off_t)phoff) !=
                                  (ssize_t)(phnum * phentsize)))
        why = table ? "is truncated" : "cannot be read (out of memory)";
    for (uint64_t i = 0; !why && i < phnum; i++) {
        uint64_t off, filesz;
        uint32_t type;
        if (is64) {
            Elf64_Phdr ph;
            memcpy(&ph, table + i * phentsize, sizeof ph);
            type = ph.p_type, off = ph.p_offset, filesz = ph.p_filesz;
        } else {
            Elf32_Phdr ph;
            memcpy(&ph, table + i * phentsize, sizeof ph);
            type = ph.p_type, off = ph.p_offset, filesz = ph.p_filesz;
        }
        if (type == PT_LOAD && off + filesz > size)
            why = "is truncated (a segment ends after the file)";
        else if (type == PT_DYNAMIC && off + filesz <= size)
            *now = binds_now(fd, is64, off, filesz);
    }
    free(table);
    if (fd >= 0)
        close(fd);
    return why;
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

static int parse_magic(dk_plugin_entry *e, char *args)
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
    while (e->magic && e->magic[n].len)
        n++;
    dk_magic *m = realloc(e->magic, (n + 2) * sizeof *m);
    if (!m) {
        free(bytes);
        return -1;
    }
    e->magic = m;
    m[n] = (dk_magic){(uint32_t)off, (uint32_t)(hl / 2), bytes, (int)score};
    m[n + 1] = (dk_magic){0, 0, NULL, 0};
    return 0;
}

/* "option NAME ARG HELP...", ARG "-" for a flag. */
static int parse_option(dk_plugin_entry *e, char *args)
{
    char *save = NULL;
    char *name = strtok_r(args, " ", &save);
    char *arg = name ? strtok_r(NULL, " ", &save) : NULL;
    char *help = arg ? save : NULL;
    if (!name || !arg)
        return -1;
    size_t n = 0;
    while (e->options && e->options[n].name)
        n++;
    dk_option_decl *o = realloc(e->options, (n + 2) * sizeof *o);
    if (!o)
        return -1;
    e->options = o;
    o[n + 1] = (dk_option_decl){NULL, NULL, NULL};
    o[n] = (dk_option_decl){strdup(name), strcmp(arg, "-") ? strdup(arg) : NULL,
                            strdup(help ? help : "")};
    return o[n].name && o[n].help ? 0 : -1;
}

/* Read NAME.manifest. Returns 1 if read, 0 if there is none, -1 if it is
 * unusable, with the reason in *why (malloc'd) and *other_abi set when the
 * plugin was built for another ABI. */
static int read_manifest(dk_plugin_entry *e, const char *mpath, char **why,
                         bool *other_abi)
{
    struct stat st;
    *why = NULL;
    *other_abi = false;
    if (stat(mpath, &st) < 0)
        return 0;
    if (!S_ISREG(st.st_mode)) {
        if (asprintf(why, "%s: not a regular file", mpath) < 0)
            *why = NULL;
        return -1;
    }
    FILE *f = fopen(mpath, "re");
    if (!f)
        return 0;
    char line[1024];
    int lineno = 0, r = 1;
    bool magic_seen = false, abi_ok = false;
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
                *other_abi = true;
                r = -1;
                break;
            }
            abi_ok = !bad;
        } else if (strcmp(line, "name") == 0) {
            bad = strcmp(val, e->name) != 0;
        } else if (strcmp(line, "version") == 0) {
            bad = e->version || !(e->version = strdup(val));
        } else if (strcmp(line, "description") == 0) {
            bad = e->description || !(e->description = strdup(val));
        } else if (strcmp(line, "format") == 0) {
            bad = e->format || !(e->format = strdup(val));
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
                    e->kinds |= 1u << k;
            }
        } else if (strcmp(line, "extension") == 0) {
            bad = push_string(&e->extensions, val) < 0;
        } else if (strcmp(line, "probe") == 0) {
            e->has_probe = strcmp(val, "yes") == 0;
        } else if (strcmp(line, "magic") == 0) {
            magic_seen = true;
            bad = parse_magic(e, val) < 0;
        } else if (strcmp(line, "option") == 0) {
            bad = parse_option(e, val) < 0;
        } else if (line[0] != '\0' && line[0] != '#') {
            bad = 1;
        }
        if (bad) {
            if (asprintf(why, "%s: line %d is not understood", mpath, lineno) < 0)
                *why = NULL;
            r = -1;
            break;
        }
    }
    fclose(f);
    if (r == 1 && (!abi_ok || !e->version || !e->kinds)) {
        if (asprintf(why, "%s: incomplete manifest", mpath) < 0)
            *why = NULL;
        r = -1;
    }
    if (r == 1 && !e->extensions)
        r = (e->extensions = calloc(1, sizeof *e->extensions)) ? 1 : -1;
    if (r == 1 && !magic_seen)
        r = (e->magic = calloc(1, sizeof *e->magic)) ? 1 : -1;
    if (r == 1 && !e->options)
        r = (e->options = calloc(1, sizeof *e->options)) ? 1 : -1;
    return r;
}

/* ---- discovery ----------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An absolute directory that only its owner (or root) may write to. NULL
 * if fine, else the reason. */
static const char *unsafe_dir(const char *dir)
{
    struct stat st;
    if (dir[0] != '/')
        return "is not an absolute path; ignored";
    if (stat(dir, &st) < 0)
        return errno == ENOENT ? NULL : "cannot be read; ignored";
    if (!S_ISDIR(st.st_mode))
        return "is not a directory; ignored";
    if (st.st_mode & S_IWOTH)
        return "may be written by anyone; its plugins are not used";
    return NULL;
}

static dk_plugin_entry *add_entry(dk_registry *reg, const char *dir,
                                  const char *name)
{
    dk_plugin_entry **grown =
        realloc(reg->entries, (reg->n + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    reg->entries = grown;
    dk_plugin_entry *e = calloc(1, sizeof *e);
    if (!e || !(e->name = strdup(name)) ||
        asprintf(&e->path, "%s/%s.so", dir, name) < 0) {
        if (e)
            e->path = NULL;
        entry_free(e);
        return NULL;
    }
    reg->entries[reg->n++] = e;
    return e;
}

static void scan_dir(dk_registry *reg, const char *dir)
{
    const char *unsafe = unsafe_dir(dir);
    if (unsafe) {
        reg_warn(reg, dir, "plugin directory %s", unsafe);
        return;
    }
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 3 || strcmp(de->d_name + len - 3, ".so") != 0 ||
            de->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        if (!(names[n] = strndup(de->d_name, len - 3)))
            break;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name); /* the same order everywhere */

    for (size_t i = 0; i < n; i++) {
        char *mpath = NULL;
        dk_plugin_entry *e = add_entry(reg, dir, names[i]);
        free(names[i]);
        if (!e || asprintf(&mpath, "%s/%s.manifest", dir, e->name) < 0)
            continue;
        struct stat st;
        char *why = NULL;
        bool other_abi = false;
        if (stat(e->path, &st) < 0 || !S_ISREG(st.st_mode)) {
            e->error = strdup("not a regular file; ignored");
        } else {
            int m = read_manifest(e, mpath, &why, &other_abi);
            if (m == 0)
                e->error = strdup("no manifest (write one with docket "
                                  "--describe-plugin); not used");
            else if (m < 0)
                e->error = why ? why : strdup("bad manifest; not used");
        }
        free(mpath);
        if (e->error)
            reg_warn(reg, e->path, "%s", e->error);
    }
    free(names);
}

/* The plugin folder beside libdocket (build tree or any install prefix),
 * then the configured install folder. */
static void default_dirs(dk_registry *reg)
{
    Dl_info info;
    char *lib = NULL;
    if (dladdr((void *)dk_registry_open, &info) && info.dli_fname &&
        info.dli_fname[0] == '/') {
        char *copy = strdup(info.dli_fname);
        char *slash = copy ? strrchr(copy, '/') : NULL;
        if (slash) {
            *slash = '\0';
            if (asprintf(&lib, "%s/%s", copy, PLUGIN_SUBDIR) < 0)
                lib = NULL;
        }
        free(copy);
    }
    if (lib) {
        char *real = realpath(lib, NULL);
        scan_dir(reg, real ? real : lib);
        free(real);
    }
    char *inst = realpath(DK_PLUGIN_INSTALL_DIR, NULL);
    char *libreal = lib ? realpath(lib, NULL) : NULL;
    if (inst && (!libreal || strcmp(inst, libreal) != 0))
        scan_dir(reg, inst);
    free(inst);
    free(libreal);
    free(lib);
}

dk_registry *dk_registry_open(const char *const *dirs, unsigned flags,
                              dk_diag_fn diag, void *user)
{
    dk_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        return NULL;
    reg->diag = diag;
    reg->user = user;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&reg->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    const char *env = flags & DK_REGISTRY_NO_ENV ? NULL : getenv("DOCKET_PLUGIN_PATH");
    if (env && *env) {
        char *copy = strdup(env);
        char *save = NULL;
        for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir;
             dir = strtok_r(NULL, ":", &save))
            scan_dir(reg, dir);
        free(copy);
    }
    for (const char *const *d = dirs; d && *d; d++)
        scan_dir(reg, *d);
    if (!(flags & DK_REGISTRY_NO_DEFAULTS))
        default_dirs(reg);
    update_shadows(reg);
    return reg;
}

/* ---- entries ---------------------------------------------------------------- */



size_t dk_registry_size(const dk_registry *reg)
{
    return reg->n;
}

const dk_plugin_entry *dk_registry_entry(const dk_registry *reg, size_t i)
{
    return i < reg->n ? reg->entries[i] : NULL;
}

const char *dk_plugin_entry_name(const dk_plugin_entry *e) { return e->name; }
const char *dk_plugin_entry_path(const dk_plugin_entry *e) { return e->path; }
const char *dk_plugin_entry_version(const dk_plugin_entry *e) { return e->version; }
const char *dk_plugin_entry_format(const dk_plugin_entry *e) { return e->format; }
uint32_t dk_plugin_entry_kinds(const dk_plugin_entry *e) { return e->kinds; }
bool dk_plugin_entry_loaded(const dk_plugin_entry *e) { return e->loaded; }
const char *dk_plugin_entry_error(const dk_plugin_entry *e) { return e->error; }

const char *dk_plugin_entry_description(const dk_plugin_entry *e)
{
    return e->description;
}

const char *dk_plugin_entry_extension(const dk_plugin_entry *e, size_t i)
{
    for (size_t k = 0; e->extensions && e->extensions[k]; k++)
        if (k == i)
            return e->extensions[k];
    return NULL;
}

const char *dk_plugin_entry_option(const dk_plugin_entry *e, size_t i,
                                   const char **arg, const char **help)
{
    for (size_t k = 0; e->options && e->options[k].name; k++)
        if (k == i) {
            if (arg)
                *arg = e->options[k].arg;
            if (help)
                *help = e->options[k].help;
            return e->options[k].name;
        }
    return NULL;
}

/* Is e the plugin used for its name: usable, and no earlier usable plugin
 * has the name? Called with the lock held. */
static bool active(const dk_registry *reg, const dk_plugin_entry *e)
{
    if (e->error)
        return false;
    for (size_t i = 0; i < reg->n && reg->entries[i] != e; i++)
        if (!reg->entries[i]->error && !strcmp(reg->entries[i]->name, e->name))
            return false;
    return true;
}

bool dk_plugin_entry_shadowed(const dk_plugin_entry *e)
{
    return e->shadowed;
}

/* Mark the entries hidden by an earlier one of the same name. Called with
 * the lock held, after anything that may refuse a plugin. */
static void update_shadows(dk_registry *reg)
{
    for (size_t i = 0; i < reg->n; i++)
        reg->entries[i]->shadowed =
            !reg->entries[i]->error && !active(reg, reg->entries[i]);
}

const dk_plugin_entry *dk_registry_lookup(const dk_registry *reg, uint32_t kind,
                                          const char *what)
{
    dk_registry *r = (dk_registry *)reg; /* the lock is not the registry's state */
    const dk_plugin_entry *found = NULL;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < reg->n && !found && what; i++) {
        const dk_plugin_entry *e = reg->entries[i];
        if (!(e->kinds & kind) || !active(reg, e))
            continue;
        const char *key = kind == DK_KIND_TRANSFORM ? e->name : e->format;
        if (key && strcmp(key, what) == 0)
            found = e;
    }
    pthread_mutex_unlock(&r->lock);
    return found;
}

bool dk__registry_has(const dk_registry *reg, uint32_t kind, const char *what)
{
    return dk_registry_lookup(reg, kind, what) != NULL;
}

static bool has_ext(const dk_plugin_entry *e, const char *ext)
{
    for (char **x = e->extensions; x && *x; x++)
        if (strcasecmp(*x, ext) == 0)
            return true;
    return false;
}

const dk_plugin_entry *dk__registry_find_ext(const dk_registry *reg,
                                             uint32_t kind, const char *ext)
{
    dk_registry *r = (dk_registry *)reg;
    const dk_plugin_entry *found = NULL;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < reg->n && !found; i++)
        if ((reg->entries[i]->kinds & kind) && active(reg, reg->entries[i]) &&
            has_ext(reg->entries[i], ext))
            found = reg->entries[i];
    pthread_mutex_unlock(&r->lock);
    return found;
}

/* ---- loading ---------------------------------------------------------------- */

/*
 * dlopen a plugin file elf_fits() accepted. A plugin linked -z now (as
 * docket's own are) has every symbol of its own bound by dlopen even with
 * RTLD_LAZY, so one that is missing refuses the plugin here, as RTLD_NOW
 * would; RTLD_LAZY then lets the libraries it pulls in that are not linked
 * so (libstdc++ and X11's, under poppler) bind their symbols on first call,
 * as in a program that links them: some 2,500 fewer symbol lookups for a
 * PDF. A plugin linked without -z now is opened RTLD_NOW, so that no
 * missing symbol is met half way through a conversion.
 */
static void *open_plugin(const char *path, bool now)
{
    return dlopen(path, (now ? RTLD_LAZY : RTLD_NOW) | RTLD_LOCAL);
}

/* Open and check a plugin. Called with the lock held. Returns 0, or -1
 * with e->error set. */
static int load(dk_registry *reg, dk_plugin_entry *e)
{
    char buf[512];
    bool now;
    const char *bad = elf_fits(e->path, &now);
    if (bad) {
        snprintf(buf, sizeof buf, "plugin file %s; not loaded", bad);
        goto refuse;
    }
    void *h = open_plugin(e->path, now);
    if (!h) {
        const char *err = dlerror(); /* copy at once: the next call clobbers it */
        snprintf(buf, sizeof buf, "%s", err ? err : "cannot open plugin");
        goto refuse;
    }
    dlerror();
    const dk_plugin *d = dlsym(h, DK_PLUGIN_SYMBOL);
    if (!d) {
        snprintf(buf, sizeof buf, "not a docket plugin (no " DK_PLUGIN_SYMBOL
                 " symbol)");
        dlclose(h);
        goto refuse;
    }
    if (take_descriptor(d, e->name, &e->desc, buf, sizeof buf) != OK) {
        dlclose(h);
        goto refuse;
    }
    /* The manifest said what the registry used to choose this plugin; the
     * descriptor must agree. */
    bool same = e->desc.kinds == e->kinds &&
                ((!e->desc.format && !e->format) ||
                 (e->desc.format && e->format && !strcmp(e->desc.format, e->format)));
    if (!same) {
        snprintf(buf, sizeof buf, "manifest does not match the plugin; run "
                 "docket --describe-plugin again; not loaded");
        dlclose(h);
        goto refuse;
    }
    if (e->desc.init && e->desc.init() < 0) {
        snprintf(buf, sizeof buf, "plugin failed to initialise; not loaded");
        dlclose(h);
        goto refuse;
    }
    e->handle = h;
    e->loaded = true;
    return 0;
refuse:
    e->error = strdup(buf);
    reg_warn(reg, e->path, "%s", buf);
    update_shadows(reg);
    return -1;
}

int dk_registry_load(dk_registry *reg, const dk_plugin_entry *entry)
{
    dk_plugin_entry *e = (dk_plugin_entry *)entry; /* one of reg's entries */
    pthread_mutex_lock(&reg->lock);
    int r = e->loaded ? 0 : e->error ? -1 : load(reg, e);
    pthread_mutex_unlock(&reg->lock);
    return r;
}

const dk_plugin *dk__registry_plugin(dk_registry *reg, const dk_plugin_entry *e,
                                     dk_ctx *ctx)
{
    if (dk_registry_load(reg, e) < 0) {
        dk_ctx_fail(ctx, DK_E_PLUGIN, "plugin %s: %s", e->path,
                    e->error ? e->error : "not loaded");
        return NULL;
    }
    return &e->desc;
}

/* ---- detection ---------------------------------------------------------------- */

size_t dk_probe_ascii(const dk_probe *p, char *out, size_t cap)
{
    const unsigned char *d = p->data;
    size_t n = p->size, k = 0;
    bool le = n >= 2 && d[0] == 0xFF && d[1] == 0xFE;
    if (!le && !(n >= 2 && d[0] == 0xFE && d[1] == 0xFF)) {
        k = n < cap ? n : cap;
        memcpy(out, d, k);
        return k;
    }
    for (size_t i = 2; i + 1 < n && k < cap; i += 2) {
        unsigned char lo = d[i + !le], hi = d[i + le];
        out[k++] = hi == 0 && lo < 0x80 ? (char)lo : '?';
    }
    return k;
}

static int magic_score(const dk_plugin_entry *e, const dk_probe *pr)
{
    int best = 0;
    for (const dk_magic *m = e->magic; m && m->len; m++)
        if ((size_t)m->offset + m->len <= pr->size &&
            memcmp(pr->data + m->offset, m->bytes, m->len) == 0 && m->score > best)
            best = m->score;
    return best;
}

const dk_plugin_entry *dk__registry_detect(dk_registry *reg,
                                           const unsigned char *data,
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

    const dk_plugin_entry *best = NULL;
    int best_score = 0;
    *tie = false;
    pthread_mutex_lock(&reg->lock);
    for (size_t i = 0; i < reg->n; i++) {
        dk_plugin_entry *e = reg->entries[i];
        if (!(e->kinds & DK_KIND_READER) || !active(reg, e))
            continue;
        int score = magic_score(e, &pr);
        bool gated = e->magic && e->magic[0].len; /* heavy: magic first */
        /* a file named for the plugin's format is worth opening it for */
        bool named = dot && dot != base && has_ext(e, dot + 1);
        if (e->has_probe && (!gated || score > 0 || named)) {
            if ((e->loaded ? 0 : load(reg, e)) < 0)
                continue;
            if (e->desc.probe) {
                int s = e->desc.probe(&pr);
                score = s < 0 ? 0 : s > DK_SCORE_MAX ? DK_SCORE_MAX : s;
            }
        }
        if (score > 0 && named)
            score += DK_SCORE_EXT;
        if (score > best_score) {
            best = e;
            best_score = score;
            *tie = false;
        } else if (score == best_score && score > 0) {
            *tie = true;
        }
    }
    pthread_mutex_unlock(&reg->lock);
    free(head);
    if (*tie || !best) {
        *tie = true;
        return NULL;
    }
    return best;
}

const dk_plugin_entry *dk_registry_detect(dk_registry *reg, const void *data,
                                          size_t size, const char *filename)
{
    /* probes may read data[size]: give them a NUL-terminated copy */
    unsigned char *copy = malloc(size + 1);
    bool tie;
    if (!copy)
        return NULL;
    memcpy(copy, data, size);
    copy[size] = '\0';
    const dk_plugin_entry *e = dk__registry_detect(reg, copy, size, filename, &tie);
    free(copy);
    return e;
}

/* ---- manifests for plugin authors -------------------------------------------------- */

typedef struct out {
    dk_write_fn write;
    void *user;
    int failed;
} out;

static void outf(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void outf(out *o, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf || o->write(o->user, buf, (size_t)n) < 0)
        o->failed = 1;
}

/* A manifest line holds no line break. */
static bool one_line(const char *s)
{
    return !s || !strpbrk(s, "\r\n");
}

dk_status dk_describe_plugin(const char *so_path, dk_write_fn write, void *user,
                             char **error)
{
    char buf[512] = "";
    dk_plugin d;
    void *h = NULL;
    dk_status st = DK_E_PLUGIN;
    const char *slash = strrchr(so_path, '/');
    char *base = strdup(slash ? slash + 1 : so_path), *path = NULL;
    if (error)
        *error = NULL;
    if (!base) {
        snprintf(buf, sizeof buf, "out of memory");
        goto done;
    }
    size_t bl = strlen(base);
    if (bl > 3 && strcmp(base + bl - 3, ".so") == 0)
        base[bl - 3] = '\0';
    /* dlopen needs a path with a slash to skip the library search */
    if (asprintf(&path, "%s%s", strchr(so_path, '/') ? "" : "./", so_path) < 0) {
        path = NULL;
        snprintf(buf, sizeof buf, "out of memory");
        goto done;
    }
    bool now;
    const char *bad = elf_fits(path, &now);
    if (bad) {
        snprintf(buf, sizeof buf, "plugin file %s", bad);
        goto done;
    }
    if (!(h = open_plugin(path, now))) {
        const char *err = dlerror();
        snprintf(buf, sizeof buf, "%s", err ? err : "cannot open plugin");
        goto done;
    }
    const dk_plugin *pd = dlsym(h, DK_PLUGIN_SYMBOL);
    if (!pd) {
        snprintf(buf, sizeof buf, "not a docket plugin (no " DK_PLUGIN_SYMBOL
                 " symbol)");
        goto done;
    }
    if (take_descriptor(pd, base, &d, buf, sizeof buf) != OK)
        goto done;
    bool lines = one_line(d.name) && one_line(d.version) &&
                 one_line(d.description) && one_line(d.format);
    for (const char *const *e = d.extensions; e && *e; e++)
        lines &= one_line(*e) && !strchr(*e, ' ');
    for (const dk_option_decl *o = d.options; o && o->name; o++)
        lines &= one_line(o->name) && one_line(o->arg) && one_line(o->help) &&
                 !strchr(o->name, ' ') && (!o->arg || !strchr(o->arg, ' '));
    if (!lines) {
        snprintf(buf, sizeof buf, "descriptor strings hold line breaks or "
                 "spaces where a manifest cannot");
        goto done;
    }
    out o = {write, user, 0};
    outf(&o, "%s 1\n", MANIFEST_MAGIC);
    outf(&o, "abi %u.%u\n", d.abi_major, d.abi_minor);
    outf(&o, "name %s\nversion %s\n", d.name, d.version);
    if (d.description)
        outf(&o, "description %s\n", d.description);
    outf(&o, "kinds ");
    const char *sep = "";
    for (int i = 0; i < 3; i++)
        if (d.kinds & (1u << i)) {
            outf(&o, "%s%s", sep, kind_names[i]);
            sep = ",";
        }
    outf(&o, "\n");
    if (d.format)
        outf(&o, "format %s\n", d.format);
    for (const char *const *e = d.extensions; e && *e; e++)
        outf(&o, "extension %s\n", *e);
    outf(&o, "probe %s\n", d.probe ? "yes" : "no");
    for (const dk_magic *m = d.magic; m && m->len; m++) {
        outf(&o, "magic %u %d ", m->offset, m->score);
        for (uint32_t i = 0; i < m->len; i++)
            outf(&o, "%02x", (unsigned char)m->bytes[i]);
        outf(&o, "\n");
    }
    for (const dk_option_decl *od = d.options; od && od->name; od++)
        outf(&o, "option %s %s %s\n", od->name, od->arg ? od->arg : "-",
             od->help ? od->help : "");
    if (o.failed) {
        snprintf(buf, sizeof buf, "cannot write the manifest");
        st = DK_E_IO;
        goto done;
    }
    st = DK_E_OK;
done:
    if (h)
        dlclose(h);
    free(path);
    free(base);
    if (st != DK_E_OK && error)
        *error = strdup(buf);
    return st;
}
