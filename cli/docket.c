/*
 * The docket command: pandoc-style flags over libdocket's public API
 * (docket/library.h), which it uses like any other program.
 */
#define _GNU_SOURCE
#include "batch.h"

#include <docket/docket.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_CONVERSION = 1, EXIT_USAGE = 2 };

enum {
    OPT_LIST_PLUGINS = 0x100,
    OPT_LIST_FORMATS,
    OPT_DESCRIBE,
    OPT_HELP_PLUGIN,
    OPT_PLUGIN_DIR,
    OPT_NO_TRANSFORMS,
    OPT_METADATA,
    OPT_FAIL_IF_WARNINGS,
    OPT_FILES_FROM,
    OPT_SHARD,
    OPT_SKIP_EXISTING,
    OPT_MANIFEST,
    OPT_MAX_INPUT,
    OPT_PLUGIN_OPTION = 0x200, /* + index into the plugin options */
};

/* Keys --metadata takes, and the plugin option each turns on. */
static const char *const metadata_keys[] = {"generator", NULL};

static const char usage_text[] =
    "usage: docket [-f FORMAT] [-t FORMAT] [-T TRANSFORM]... [-o FILE]\n"
    "              [--no-transforms] [-q | -v] [--fail-if-warnings]\n"
    "              [--plugin-dir DIR]... [PLUGIN OPTIONS] [INPUT]\n"
    "       docket -O DIR [-j N] [--files-from LIST] [--shard K/N]\n"
    "              [--skip-existing] [--manifest FILE] [OPTIONS] [INPUT...]\n"
    "       docket validate FILE...\n"
    "       docket --list-plugins | --list-formats | --help-plugin NAME\n"
    "       docket --describe-plugin PLUGIN.so [-o PLUGIN.manifest]\n"
    "       docket --help | --version\n"
    "\n"
    "Convert documents through docket's document tree.\n"
    "\n"
    "  -f, --from FORMAT       input format (default: detected from content)\n"
    "  -t, --to FORMAT         output format (default: from -o's extension,\n"
    "                          else json)\n"
    "  -o, --output FILE       write to FILE (default or '-': standard output)\n"
    "  -O, --output-dir DIR    batch: one output per input in DIR (created if\n"
    "                          need be)\n"
    "  -j, --jobs N            batch: N conversions at once (default: the cores)\n"
    "      --files-from LIST   batch: also the inputs named in LIST, one a line\n"
    "                          ('-': standard input)\n"
    "      --shard K/N         batch: only inputs K, K+N, K+2N... (K from 0)\n"
    "      --skip-existing     batch: skip inputs whose output is newer\n"
    "      --manifest FILE     batch: a JSON line per input appended to FILE\n"
    "  -T, --transform NAME    apply a transform plugin (repeatable)\n"
    "      --no-transforms     skip the transforms a reader applies by default\n"
    "      --metadata KEY      add optional metadata (generator: docket's version)\n"
    "  -q, --quiet             no warnings\n"
    "  -v, --verbose           say which plugins ran, and how long they took\n"
    "      --fail-if-warnings  a warning fails the conversion\n"
    "      --max-input-size N  refuse inputs larger than N (default 512M)\n"
    "      --plugin-dir DIR    also look for plugins in DIR, an absolute path\n"
    "                          (repeatable)\n"
    "      --list-plugins      list plugins: name, kinds, version, formats, file\n"
    "      --list-formats      list the input and output formats\n"
    "      --help-plugin NAME  a plugin's description, formats and options\n"
    "      --describe-plugin F print the manifest of plugin file F\n"
    "  -h, --help              show this help\n"
    "  -V, --version           show the version\n"
    "\n"
    "Plugin options (each read by the plugins that declare it):\n"
    "%s"
    "\n"
    "With no INPUT, or INPUT '-', docket reads standard input.\n"
    "Plugins are searched in $DOCKET_PLUGIN_PATH, then each --plugin-dir, then\n"
    "the installed plugin folder.\n"
    "Exit status: 0 success, 1 conversion failure, 2 usage error.\n";

/* ---- messages --------------------------------------------------------------- */

static int verbosity = 1; /* 0: -q, 2: -v */
static size_t n_warnings;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("docket: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'docket --help' for more information.\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

static void diag(void *user, dk_diag_level level, const char *name,
                 const char *msg)
{
    (void)user;
    switch (level) {
    case DK_DIAG_WARNING:
        n_warnings++;
        if (verbosity > 0)
            fprintf(stderr, "docket: %s: warning: %s\n", name, msg);
        break;
    case DK_DIAG_INFO:
        if (verbosity > 1)
            fprintf(stderr, "docket: %s: %s\n", name, msg);
        break;
    default:
        fprintf(stderr, "docket: %s: %s\n", name, msg);
    }
}

/* ---- listings ---------------------------------------------------------------- */

static void kinds_string(uint32_t kinds, char *out, size_t len)
{
    static const char *const names[] = {"reader", "writer", "transform"};
    out[0] = '\0';
    for (int i = 0; i < 3; i++)
        if (kinds & (1u << i)) {
            if (out[0])
                strncat(out, ",", len - strlen(out) - 1);
            strncat(out, names[i], len - strlen(out) - 1);
        }
}

/* The plugins a conversion may use: neither refused nor shadowed. */
static bool listed(const dk_plugin_entry *e)
{
    return !dk_plugin_entry_error(e) && !dk_plugin_entry_shadowed(e);
}

static int list_plugins(const dk_registry *reg)
{
    printf("%-12s %-24s %-9s %-8s %s\n", "NAME", "KINDS", "VERSION", "FORMAT",
           "FILE");
    for (size_t i = 0; i < dk_registry_size(reg); i++) {
        const dk_plugin_entry *e = dk_registry_entry(reg, i);
        if (!listed(e))
            continue;
        char kinds[64];
        const char *fmt = dk_plugin_entry_format(e);
        kinds_string(dk_plugin_entry_kinds(e), kinds, sizeof kinds);
        printf("%-12s %-24s %-9s %-8s %s\n", dk_plugin_entry_name(e), kinds,
               dk_plugin_entry_version(e), fmt ? fmt : "-",
               dk_plugin_entry_path(e));
    }
    return 0;
}

static void list_kind(const dk_registry *reg, uint32_t kind, const char *title)
{
    printf("%s:\n", title);
    for (size_t i = 0; i < dk_registry_size(reg); i++) {
        const dk_plugin_entry *e = dk_registry_entry(reg, i);
        if (!listed(e) || !(dk_plugin_entry_kinds(e) & kind))
            continue;
        if (kind == DK_KIND_TRANSFORM) {
            const char *d = dk_plugin_entry_description(e);
            printf("  %-10s %s\n", dk_plugin_entry_name(e), d ? d : "");
            continue;
        }
        printf("  %-10s", dk_plugin_entry_format(e));
        const char *sep = " (.";
        const char *x;
        for (size_t k = 0; (x = dk_plugin_entry_extension(e, k)); k++) {
            printf("%s%s", sep, x);
            sep = ", .";
        }
        printf("%s\n", dk_plugin_entry_extension(e, 0) ? ")" : "");
    }
}

static int list_formats(const dk_registry *reg)
{
    list_kind(reg, DK_KIND_READER, "Input formats (-f)");
    list_kind(reg, DK_KIND_WRITER, "Output formats (-t)");
    list_kind(reg, DK_KIND_TRANSFORM, "Transforms (-T)");
    return 0;
}

static const dk_plugin_entry *entry_named(const dk_registry *reg, const char *name)
{
    for (size_t i = 0; i < dk_registry_size(reg); i++) {
        const dk_plugin_entry *e = dk_registry_entry(reg, i);
        if (listed(e) && !strcmp(dk_plugin_entry_name(e), name))
            return e;
    }
    return NULL;
}

static int help_plugin(const dk_registry *reg, const char *name)
{
    const dk_plugin_entry *e = entry_named(reg, name);
    if (!e)
        return usage_error("no plugin '%s' (see docket --list-plugins)", name);
    char kinds[64];
    const char *d = dk_plugin_entry_description(e), *fmt = dk_plugin_entry_format(e);
    kinds_string(dk_plugin_entry_kinds(e), kinds, sizeof kinds);
    printf("%s %s: %s\n", name, dk_plugin_entry_version(e), d ? d : "");
    printf("  kinds: %s\n", kinds);
    if (fmt)
        printf("  format: %s\n", fmt);
    const char *x;
    for (size_t k = 0; (x = dk_plugin_entry_extension(e, k)); k++)
        printf("%s.%s", k ? ", " : "  extensions: ", x);
    if (dk_plugin_entry_extension(e, 0))
        putchar('\n');
    printf("  file: %s\n", dk_plugin_entry_path(e));
    const char *arg, *help, *opt;
    for (size_t k = 0; (opt = dk_plugin_entry_option(e, k, &arg, &help)); k++) {
        char flag[128];
        snprintf(flag, sizeof flag, "--%s%s%s", opt, arg ? " " : "", arg ? arg : "");
        printf("%s  %-22s %s\n", k ? "" : "  options:\n", flag, help ? help : "");
    }
    return 0;
}

/* ---- plugin options ------------------------------------------------------------ */

typedef struct plugin_option {
    const char *name, *arg, *help;
} plugin_option;

/* Every option a usable plugin declares, each name once. */
static plugin_option *gather_options(const dk_registry *reg, size_t *n)
{
    plugin_option *v = NULL;
    *n = 0;
    for (size_t i = 0; i < dk_registry_size(reg); i++) {
        const dk_plugin_entry *e = dk_registry_entry(reg, i);
        const char *name, *arg, *help;
        for (size_t k = 0; listed(e) && (name = dk_plugin_entry_option(e, k, &arg, &help)); k++) {
            bool seen = false;
            for (size_t j = 0; j < *n && !seen; j++)
                seen = !strcmp(v[j].name, name);
            if (seen)
                continue;
            plugin_option *g = realloc(v, (*n + 1) * sizeof *g);
            if (!g)
                break;
            v = g;
            v[(*n)++] = (plugin_option){name, arg, help};
        }
    }
    return v;
}

static char *options_help(const plugin_option *v, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char flag[128];
        snprintf(flag, sizeof flag, "--%s%s%s", v[i].name, v[i].arg ? " " : "",
                 v[i].arg ? v[i].arg : "");
        if (strlen(flag) > 22)
            fprintf(f, "      %s\n%29s%s\n", flag, "", v[i].help ? v[i].help : "");
        else
            fprintf(f, "      %-22s %s\n", flag, v[i].help ? v[i].help : "");
    }
    if (n == 0)
        fputs("      (none installed)\n", f);
    fclose(f);
    return text;
}

/* Does the plugin chosen for kind and format read option name? */
static bool declares(const dk_registry *reg, uint32_t kind, const char *format,
                     const char *name)
{
    const dk_plugin_entry *e = dk_registry_lookup(reg, kind, format);
    const char *opt;
    for (size_t k = 0; e && (opt = dk_plugin_entry_option(e, k, NULL, NULL)); k++)
        if (!strcmp(opt, name))
            return true;
    return false;
}

/* ---- outputs ---------------------------------------------------------------- */

/* The output format: -t, else the writer whose extension matches -o's, else
 * json when -o has no extension; NULL (after a message) for an extension
 * no writer has. */
static const char *output_format(const dk_registry *reg, const char *to,
                                 const char *output)
{
    if (to)
        return to;
    const char *slash = output ? strrchr(output, '/') : NULL;
    const char *base = slash ? slash + 1 : output;
    const char *dot = base ? strrchr(base, '.') : NULL;
    if (!dot || dot == base || !strcmp(output, "-"))
        return "json";
    for (size_t i = 0; i < dk_registry_size(reg); i++) {
        const dk_plugin_entry *e = dk_registry_entry(reg, i);
        const char *x;
        for (size_t k = 0; listed(e) && (dk_plugin_entry_kinds(e) & DK_KIND_WRITER) &&
                           (x = dk_plugin_entry_extension(e, k)); k++)
            if (!strcasecmp(x, dot + 1))
                return dk_plugin_entry_format(e);
    }
    usage_error("cannot tell the output format from '%s' (name it with -t; see "
                "docket --list-formats)", output);
    return NULL;
}

static const char *writer_extension(const dk_registry *reg, const char *format)
{
    const dk_plugin_entry *e = dk_registry_lookup(reg, DK_KIND_WRITER, format);
    const char *x = e ? dk_plugin_entry_extension(e, 0) : NULL;
    return x ? x : format;
}

/* The batch's inputs: the arguments, then the lines of --files-from LIST
 * ('-': standard input), empty lines skipped. NULL after a message if LIST
 * cannot be read. Transfer full (the strings too). */
static char **read_inputs(char **args, int n_args, const char *from, size_t *n)
{
    size_t cap = (size_t)n_args + 16;
    char **v = calloc(cap, sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (int i = 0; i < n_args; i++)
        if (!(v[(*n)++] = strdup(args[i])))
            goto oom;
    if (!from)
        return v;
    FILE *f = strcmp(from, "-") ? fopen(from, "re") : stdin;
    if (!f) {
        fprintf(stderr, "docket: %s: cannot read the list of inputs: %s\n", from,
                strerror(errno));
        goto fail;
    }
    char *line = NULL;
    size_t len = 0;
    ssize_t got;
    while ((got = getline(&line, &len, f)) > 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (got == 0)
            continue;
        if (*n + 1 >= cap) {
            char **g = realloc(v, (cap *= 2) * sizeof *g);
            if (!g)
                break;
            v = g;
        }
        if (!(v[(*n)++] = strdup(line)))
            break;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return v;
oom:
    fputs("docket: out of memory\n", stderr);
fail:
    for (size_t i = 0; i < *n; i++)
        free(v[i]);
    free(v);
    *n = 0;
    return NULL;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
                free(copy);
                return -1;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    free(copy);
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* ---- --describe-plugin ------------------------------------------------------------ */

static int to_file(void *user, const void *data, size_t len)
{
    return fwrite(data, 1, len, user) == len ? 0 : -1;
}

/* The manifest, to standard output or atomically to a file. */
static int describe(const char *plugin, const char *output)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        fputs("docket: out of memory\n", stderr);
        return EXIT_CONVERSION;
    }
    dk_status st = dk_describe_plugin(plugin, to_file, mem, &err);
    fclose(mem);
    int status = EXIT_CONVERSION;
    if (st != DK_E_OK) {
        fprintf(stderr, "docket: %s: %s\n", plugin, err ? err : "cannot describe");
        goto done;
    }
    if (!output || !strcmp(output, "-")) {
        status = fwrite(text, 1, len, stdout) == len ? 0 : EXIT_CONVERSION;
        goto done;
    }
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.XXXXXX", output) < 0) {
        tmp = NULL;
        goto done;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len &&
              fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    if (fd >= 0 && close(fd) < 0)
        ok = false;
    if (ok && rename(tmp, output) == 0) {
        status = 0;
    } else {
        fprintf(stderr, "docket: %s: cannot write: %s\n", output, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
    }
    free(tmp);
done:
    free(err);
    free(text);
    return status;
}

/* ---- signals ------------------------------------------------------------------ */

static void on_fatal_signal(int sig)
{
    dk_discard_pending_outputs();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signal_cleanup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* ---- main ------------------------------------------------------------------------- */

static int exit_for(dk_status st)
{
    return st == DK_E_OK ? 0 : st == DK_E_USAGE ? EXIT_USAGE : EXIT_CONVERSION;
}

/* The --plugin-dir values, before the options are parsed (the plugins'
 * options depend on them). Returns -1 after a message for a relative one. */
static int plugin_dirs(int argc, char **argv, const char **dirs, size_t *n)
{
    *n = 0;
    for (int i = 1; i < argc; i++) {
        const char *dir = NULL;
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--plugin-dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strncmp(argv[i], "--plugin-dir=", 13))
            dir = argv[i] + 13;
        if (!dir)
            continue;
        if (dir[0] != '/') {
            usage_error("--plugin-dir %s: not an absolute path (plugins are "
                        "never looked for relative to where you stand)", dir);
            return -1;
        }
        dirs[(*n)++] = dir;
    }
    dirs[*n] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option core_longopts[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"output-dir", required_argument, NULL, 'O'},
        {"transform", required_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"list-plugins", no_argument, NULL, OPT_LIST_PLUGINS},
        {"list-formats", no_argument, NULL, OPT_LIST_FORMATS},
        {"describe-plugin", required_argument, NULL, OPT_DESCRIBE},
        {"help-plugin", required_argument, NULL, OPT_HELP_PLUGIN},
        {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
        {"no-transforms", no_argument, NULL, OPT_NO_TRANSFORMS},
        {"metadata", required_argument, NULL, OPT_METADATA},
        {"fail-if-warnings", no_argument, NULL, OPT_FAIL_IF_WARNINGS},
        {"jobs", required_argument, NULL, 'j'},
        {"files-from", required_argument, NULL, OPT_FILES_FROM},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"skip-existing", no_argument, NULL, OPT_SKIP_EXISTING},
        {"manifest", required_argument, NULL, OPT_MANIFEST},
        {"max-input-size", required_argument, NULL, OPT_MAX_INPUT},
    };
    enum { N_CORE = sizeof core_longopts / sizeof core_longopts[0] };
    const char *to = NULL, *output = NULL, *outdir = NULL, *describe_path = NULL;
    const char *help_name = NULL, *files_from = NULL, *manifest = NULL;
    long jobs = 0, shard_k = 0, shard_n = 1;
    bool skip_existing = false, batch_only = false;
    char **list = NULL; /* the inputs, with those of --files-from */
    size_t n_list = 0;
    int action = 0, status = 0;
    unsigned flags = 0;
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    struct option *longopts = NULL;
    plugin_option *popts = NULL;
    size_t n_popts = 0, n_dirs = 0;
    dk_registry *reg = NULL;
    dk_options *opts = dk_options_new();

    /* Die quietly of SIGPIPE when a reader closes the pipe early, even if
     * the parent left SIGPIPE ignored. */
    signal(SIGPIPE, SIG_DFL);
    if (!dirs || !opts) {
        fputs("docket: out of memory\n", stderr);
        status = EXIT_CONVERSION;
        goto done;
    }
    /* the registry first: the plugins' options are options of the command */
    if (plugin_dirs(argc, argv, dirs, &n_dirs) < 0) {
        status = EXIT_USAGE;
        goto done;
    }
    bool describing = false;
    for (int i = 1; i < argc && !describing; i++)
        describing = !strncmp(argv[i], "--describe-plugin", 17);
    if (!describing) /* a plugin being described needs no registry */
        reg = dk_registry_open(dirs, 0, diag, NULL);
    if (!describing && !reg) {
        fputs("docket: out of memory\n", stderr);
        status = EXIT_CONVERSION;
        goto done;
    }
    if (reg)
        popts = gather_options(reg, &n_popts);
    longopts = calloc(N_CORE + n_popts + 1, sizeof *longopts);
    if (!longopts) {
        fputs("docket: out of memory\n", stderr);
        status = EXIT_CONVERSION;
        goto done;
    }
    memcpy(longopts, core_longopts, sizeof core_longopts);
    size_t n_long = N_CORE;
    for (size_t i = 0; i < n_popts; i++) {
        bool clash = false;
        for (size_t k = 0; k < N_CORE; k++)
            clash |= !strcmp(core_longopts[k].name, popts[i].name);
        if (!clash)
            longopts[n_long++] = (struct option){
                popts[i].name, popts[i].arg ? required_argument : no_argument,
                NULL, OPT_PLUGIN_OPTION + (int)i};
    }

    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:t:o:O:T:j:qvhV", longopts, NULL)) != -1) {
        int r = 0;
        switch (c) {
        case 'f': r = dk_options_set_from(opts, optarg); break;
        case 't': to = optarg; break;
        case 'o': output = optarg; break;
        case 'O': outdir = optarg; break;
        case 'T': r = dk_options_add_transform(opts, optarg); break;
        case 'q': verbosity = 0; break;
        case 'v': verbosity = 2; flags |= DK_OPT_VERBOSE; break;
        case 'h':
        case 'V':
        case OPT_LIST_PLUGINS:
        case OPT_LIST_FORMATS:
            action = c;
            break;
        case OPT_DESCRIBE:
            action = c;
            describe_path = optarg;
            break;
        case OPT_HELP_PLUGIN:
            action = c;
            help_name = optarg;
            break;
        case OPT_PLUGIN_DIR: break; /* read before */
        case OPT_NO_TRANSFORMS: flags |= DK_OPT_NO_DEFAULT_TRANSFORMS; break;
        case OPT_FAIL_IF_WARNINGS: flags |= DK_OPT_FAIL_IF_WARNINGS; break;
        case 'j': {
            char *end;
            jobs = strtol(optarg, &end, 10);
            if (*end || jobs < 1 || jobs > 1024) {
                status = usage_error("-j %s: not a number of jobs (1 to 1024)",
                                     optarg);
                goto done;
            }
            batch_only = true;
            break;
        }
        case OPT_FILES_FROM: files_from = optarg; batch_only = true; break;
        case OPT_SKIP_EXISTING: skip_existing = true; batch_only = true; break;
        case OPT_MANIFEST: manifest = optarg; batch_only = true; break;
        case OPT_MAX_INPUT: {
            char *end;
            unsigned long long n = strtoull(optarg, &end, 10);
            if (n == 0 || (*end && (!strchr("KkMmGg", *end) || end[1]))) {
                status = usage_error("--max-input-size %s: a size such as 512M "
                                     "or 2G", optarg);
                goto done;
            }
            r = dk_options_set(opts, "max-input-size", optarg);
            break;
        }
        case OPT_SHARD: {
            char *end;
            shard_k = strtol(optarg, &end, 10);
            if (*end == '/')
                shard_n = strtol(end + 1, &end, 10);
            if (*end || shard_n < 1 || shard_k < 0 || shard_k >= shard_n) {
                status = usage_error("--shard %s: not K/N with 0 <= K < N", optarg);
                goto done;
            }
            batch_only = true;
            break;
        }
        case OPT_METADATA: {
            bool known = false;
            for (const char *const *k = metadata_keys; *k; k++)
                known |= !strcmp(*k, optarg);
            if (!known) {
                status = usage_error("--metadata %s: unknown key (known: "
                                     "generator)", optarg);
                goto done;
            }
            r = dk_options_set(opts, optarg, "1");
            break;
        }
        case ':':
            status = usage_error("option %s needs an argument", argv[optind - 1]);
            goto done;
        case '?':
            if (optopt)
                status = usage_error("unknown option: -%c", optopt);
            else
                status = usage_error("unknown option: %s (no installed plugin "
                                     "reads it either; see docket --help)",
                                     argv[optind - 1]);
            goto done;
        default: {
            const plugin_option *p = &popts[c - OPT_PLUGIN_OPTION];
            r = dk_options_set(opts, p->name, p->arg ? optarg : "1");
        }
        }
        if (r < 0) {
            fputs("docket: out of memory\n", stderr);
            status = EXIT_CONVERSION;
            goto done;
        }
    }

    if (action == 'h') {
        char *more = options_help(popts, n_popts);
        printf(usage_text, more ? more : "");
        free(more);
        goto done;
    }
    if (action == 'V') {
        printf("docket %s (plugin ABI %d.%d)\n", dk_version(), DK_ABI_MAJOR,
               DK_ABI_MINOR);
        goto done;
    }
    if (action == OPT_DESCRIBE) {
        status = describe(describe_path, output);
        goto done;
    }
    if (action == OPT_LIST_PLUGINS) {
        status = list_plugins(reg);
        goto done;
    }
    if (action == OPT_LIST_FORMATS) {
        status = list_formats(reg);
        goto done;
    }
    if (action == OPT_HELP_PLUGIN) {
        status = help_plugin(reg, help_name);
        goto done;
    }

    dk_options_set_flags(opts, flags);
    dk_options_set_diagnostics(opts, diag, NULL);
    int n_args = argc - optind;
    char **args = argv + optind;
    if (n_args > 0 && strcmp(args[0], "validate") == 0) {
        if (n_args == 1) {
            status = usage_error("validate needs at least one file");
            goto done;
        }
        for (int i = 1; i < n_args; i++) {
            dk_status st = dk_validate_file(reg, opts, args[i]);
            if (st == DK_E_OK)
                printf("%s: valid\n", strcmp(args[i], "-") ? args[i] : "<stdin>");
            else if (exit_for(st) > status)
                status = exit_for(st);
        }
        goto done;
    }
    if (output && outdir) {
        status = usage_error("-o and -O cannot be used together");
        goto done;
    }
    if (batch_only && !outdir) {
        status = usage_error("-j, --files-from, --shard, --skip-existing and "
                             "--manifest are for batch mode (-O DIR)");
        goto done;
    }
    if (n_args > 1 && !outdir) {
        status = usage_error("several inputs need -O DIR");
        goto done;
    }
    if (outdir && (list = read_inputs(args, n_args, files_from, &n_list)) == NULL) {
        status = EXIT_USAGE;
        goto done;
    }
    if (outdir && n_list == 0) {
        status = usage_error("-O DIR needs input files");
        goto done;
    }
    const char *format = output_format(reg, to, output);
    if (!format) {
        status = EXIT_USAGE;
        goto done;
    }
    if (!dk_registry_lookup(reg, DK_KIND_WRITER, format)) {
        status = usage_error("no writer for '%s' (see docket --list-formats)",
                             format);
        goto done;
    }
    if (dk_options_set_to(opts, format) < 0) {
        fputs("docket: out of memory\n", stderr);
        status = EXIT_CONVERSION;
        goto done;
    }
    /* options a writer would ignore are said to be ignored */
    static const char *const writer_options[] = {"pretty", "generator", NULL};
    for (const char *const *w = writer_options; *w; w++) {
        bool given = false;
        for (int i = 1; i < argc; i++)
            given |= (!strcmp(*w, "pretty") && !strcmp(argv[i], "--pretty")) ||
                     (!strcmp(*w, "generator") && !strcmp(argv[i], "generator") &&
                      i > 1 && !strcmp(argv[i - 1], "--metadata"));
        if (given && !declares(reg, DK_KIND_WRITER, format, *w) && verbosity > 0) {
            fprintf(stderr, "docket: warning: %s%s has no effect on %s output\n",
                    strcmp(*w, "pretty") ? "--metadata " : "--", *w, format);
            n_warnings++;
        }
    }
    if (!outdir) {
        /* Binary writers (docx) refuse a terminal unless -o - insists, as
         * pandoc does; they learn of it from this option. */
        if (!output && isatty(STDOUT_FILENO) &&
            dk_options_set(opts, "output-terminal", "1") < 0) {
            status = EXIT_CONVERSION;
            goto done;
        }
        install_signal_cleanup();
        /* the one conversion of this process: its tree is not freed */
        dk_options_set_flags(opts, flags | DK_OPT_EXITING);
        status = exit_for(dk_convert_file(reg, opts, n_args ? args[0] : NULL, output));
        goto done;
    }
    if (make_dirs(outdir) < 0) {
        fprintf(stderr, "docket: %s: cannot create the output folder: %s\n",
                outdir, strerror(errno));
        status = EXIT_CONVERSION;
        goto done;
    }
    /* this machine's share of the inputs: every N-th from the K-th */
    size_t kept = 0;
    for (size_t i = 0; i < n_list; i++)
        if ((long)(i % (size_t)shard_n) == shard_k)
            list[kept++] = list[i];
        else
            free(list[i]);
    n_list = kept;
    if (jobs == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cores > 0 ? cores : 1;
    }
    batch_config cfg = {outdir, writer_extension(reg, format), (int)jobs,
                        skip_existing, manifest};
    install_signal_cleanup();
    status = run_batch(reg, opts, list, n_list, &cfg);

done:
    for (size_t k = 0; k < n_list; k++)
        free(list[k]);
    free(list);
    free(popts);
    free(longopts);
    dk_options_free(opts);
    dk_registry_close(reg);
    free(dirs);
    if (fflush(stdout) != 0 && status == 0) {
        fprintf(stderr, "docket: standard output: %s\n", strerror(errno));
        status = EXIT_CONVERSION;
    }
    return status;
}
