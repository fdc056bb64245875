/* The docket command. */
#define _GNU_SOURCE
#include "host.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_CONVERSION = 1, EXIT_USAGE = 2 };

enum {
    OPT_LIST_PLUGINS = 256,
    OPT_LIST_FORMATS,
    OPT_DESCRIBE,
    OPT_PLUGIN_DIR,
    OPT_NO_TRANSFORMS,
    OPT_PRETTY,
    OPT_METADATA,
    OPT_PLUGIN_OPTION = 0x200, /* + index into plugin_options[] */
};

/* Options that readers and writers read from the conversion context with
 * dk_ctx_option(ctx, name): the value given, or "1" for a flag. */
static const struct plugin_option {
    const char *name;
    const char *arg; /* NULL for a flag */
    const char *help;
} plugin_options[] = {
    {"keep-all", NULL, "html: keep the whole page (no content extraction)"},
    {"removed", "FILE", "html: write what was removed as boilerplate, and why"},
    {"base-url", "URL", "html: resolve relative links against URL"},
    {"password", "PASSWORD", "pdf: open an encrypted PDF"},
    {"pages", "RANGE", "pdf: read only these pages (e.g. 3-7,9)"},
    {"allow-empty", NULL, "pdf: a PDF without text is a warning, not an error"},
    {"reference-doc", "FILE", "docx: take styles and numbering from FILE.docx"},
};
#define N_PLUGIN_OPTIONS (sizeof plugin_options / sizeof plugin_options[0])

static const char usage_text[] =
    "usage: docket [-f FORMAT] [-t FORMAT] [-T TRANSFORM]... [-o FILE | -O DIR]\n"
    "              [--no-transforms] [--pretty] [--plugin-dir DIR] [INPUT...]\n"
    "       docket validate FILE...\n"
    "       docket --list-plugins | --list-formats | --help | --version\n"
    "       docket --describe-plugin PLUGIN.so\n"
    "\n"
    "Convert documents through docket's document tree.\n"
    "\n"
    "  -f, --from FORMAT       input format (default: detected from content)\n"
    "  -t, --to FORMAT         output format (default: from -o's extension,\n"
    "                          else json)\n"
    "  -o, --output FILE       write to FILE (default or '-': standard output)\n"
    "  -O, --output-dir DIR    one output per input in DIR (batch mode)\n"
    "  -T, --transform NAME    apply a transform plugin (repeatable)\n"
    "      --no-transforms     skip the transforms a reader applies by default\n"
    "      --pretty            indented output for people (xml, json)\n"
    "      --metadata KEY      add optional metadata (e.g. generator)\n"
    "      --plugin-dir DIR    also look for plugins in DIR (repeatable)\n"
    "%s"
    "      --list-plugins      list plugins: name, kinds, version, formats, file\n"
    "      --list-formats      list the input and output formats\n"
    "      --describe-plugin F print the manifest of plugin file F\n"
    "  -h, --help              show this help\n"
    "  -V, --version           show the version\n"
    "\n"
    "With no INPUT, or INPUT '-', docket reads standard input.\n"
    "Plugins are searched in $DOCKET_PLUGIN_PATH, then --plugin-dir, then the\n"
    "plugin folder beside the program, then the installed plugin folder.\n"
    "Exit status: 0 success, 1 conversion failure, 2 usage error.\n";

static void print_usage(void)
{
    char opts[2048] = "", line[256];
    for (size_t i = 0; i < N_PLUGIN_OPTIONS; i++) {
        const struct plugin_option *o = &plugin_options[i];
        char name[64];
        snprintf(name, sizeof name, "--%s%s%s", o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
        snprintf(line, sizeof line, "      %-19s %s\n", name, o->help);
        strncat(opts, line, sizeof opts - strlen(opts) - 1);
    }
    printf(usage_text, opts);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("docket: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'docket --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

static void print_error(const dk_ctx *ctx)
{
    fprintf(stderr, "docket: %s: %s\n", dk_ctx_name(ctx), dk_ctx_message(ctx));
}

static int exit_for(const dk_ctx *ctx)
{
    return dk_ctx_status(ctx) == DK_E_USAGE ? EXIT_USAGE : EXIT_CONVERSION;
}

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

static int list_plugins(dk_registry *reg)
{
    printf("%-12s %-24s %-9s %-8s %s\n", "NAME", "KINDS", "VERSION", "FORMAT",
           "FILE");
    for (size_t i = 0; i < dk_registry_count(reg); i++) {
        dk_plugin_info *p = dk_registry_get(reg, i);
        dk_registry_load(reg, p); /* refused plugins are named on stderr */
        if (p->error)
            continue;
        char kinds[64];
        kinds_string(p->kinds, kinds, sizeof kinds);
        printf("%-12s %-24s %-9s %-8s %s\n", p->name, kinds, p->version,
               p->format ? p->format : "-", p->path);
    }
    return 0;
}

static void list_kind(dk_registry *reg, uint32_t kind, const char *title)
{
    printf("%s:\n", title);
    for (size_t i = 0; i < dk_registry_count(reg); i++) {
        dk_plugin_info *p = dk_registry_get(reg, i);
        if (p->error || !(p->kinds & kind))
            continue;
        if (kind == DK_KIND_TRANSFORM) {
            printf("  %-10s %s\n", p->name, p->description ? p->description : "");
            continue;
        }
        printf("  %-10s", p->format);
        const char *sep = " (.";
        for (char **e = p->extensions; e && *e; e++) {
            printf("%s%s", sep, *e);
            sep = ", .";
        }
        printf("%s\n", p->extensions && p->extensions[0] ? ")" : "");
    }
}

static int list_formats(dk_registry *reg)
{
    list_kind(reg, DK_KIND_READER, "Input formats (-f)");
    list_kind(reg, DK_KIND_WRITER, "Output formats (-t)");
    list_kind(reg, DK_KIND_TRANSFORM, "Transforms (-T)");
    return 0;
}

/* The output format: -t, else the extension of -o, else json. */
static const char *output_format(dk_registry *reg, const char *to,
                                 const char *output)
{
    if (to)
        return to;
    const char *dot = output ? strrchr(output, '.') : NULL;
    const char *slash = output ? strrchr(output, '/') : NULL;
    if (dot && (!slash || dot > slash + 1)) {
        dk_plugin_info *p = dk_registry_find_ext(reg, DK_KIND_WRITER, dot + 1);
        if (p)
            return p->format;
    }
    return "json";
}

/* Print a plugin's manifest, to standard output or atomically to a file. */
static int describe_plugin(const char *plugin, const char *output)
{
    dk_ctx *ctx = dk_ctx_new(output ? output : "-", NULL, 0, NULL, NULL);
    dk_sink *sink = ctx ? dk_sink_open(ctx, output) : NULL;
    char *text = NULL, err[512];
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    int status = EXIT_CONVERSION;
    if (!sink || !mem) {
        if (ctx && dk_ctx_status(ctx))
            print_error(ctx);
        goto done;
    }
    if (dk_registry_describe(plugin, mem, err, sizeof err) < 0) {
        fprintf(stderr, "docket: %s: %s\n", plugin, err);
        goto done;
    }
    fclose(mem);
    mem = NULL;
    if (dk_sink_write(sink, text, len) < 0) {
        print_error(ctx);
        goto done;
    }
    int r = dk_sink_commit(sink);
    sink = NULL;
    if (r < 0) {
        print_error(ctx);
        goto done;
    }
    status = 0;
done:
    if (mem)
        fclose(mem);
    free(text);
    dk_sink_discard(sink);
    dk_ctx_free(ctx);
    return status;
}

/* docket validate FILE...: "FILE: valid" on stdout for each good file, the
 * problems on stderr for the others. */
static int validate_files(dk_registry *reg, const char *from, char **files,
                          int n)
{
    if (n == 0)
        return usage_error("%s", "validate needs at least one file");
    int status = 0;
    for (int i = 0; i < n; i++) {
        bool is_stdin = strcmp(files[i], "-") == 0;
        dk_ctx *ctx = dk_ctx_new(is_stdin ? NULL : files[i], NULL, 0,
                                 dk_warn_stderr, NULL);
        if (!ctx) {
            fputs("docket: out of memory\n", stderr);
            return EXIT_CONVERSION;
        }
        if (dk_validate(reg, files[i], from, ctx) < 0) {
            print_error(ctx);
            if (exit_for(ctx) == EXIT_USAGE) {
                dk_ctx_free(ctx);
                return EXIT_USAGE;
            }
            status = EXIT_CONVERSION;
        } else {
            printf("%s: valid\n", dk_ctx_name(ctx));
        }
        dk_ctx_free(ctx);
    }
    return status;
}

/* DIR/BASENAME-without-extension.EXT */
static char *batch_output(const char *dir, const char *input, const char *ext)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    const char *dot = strrchr(base, '.');
    int stem = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    char *out = NULL;
    if (asprintf(&out, "%s/%.*s.%s", dir, stem, base, ext) < 0)
        return NULL;
    return out;
}

int main(int argc, char **argv)
{
    static const struct option core_longopts[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"output-dir", required_argument, NULL, 'O'},
        {"transform", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"list-plugins", no_argument, NULL, OPT_LIST_PLUGINS},
        {"list-formats", no_argument, NULL, OPT_LIST_FORMATS},
        {"describe-plugin", required_argument, NULL, OPT_DESCRIBE},
        {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
        {"no-transforms", no_argument, NULL, OPT_NO_TRANSFORMS},
        {"pretty", no_argument, NULL, OPT_PRETTY},
        {"metadata", required_argument, NULL, OPT_METADATA},
    };
    enum { N_CORE_OPTIONS = sizeof core_longopts / sizeof core_longopts[0] };
    struct option longopts[N_CORE_OPTIONS + N_PLUGIN_OPTIONS + 1];
    memcpy(longopts, core_longopts, sizeof core_longopts);
    for (size_t i = 0; i < N_PLUGIN_OPTIONS; i++)
        longopts[N_CORE_OPTIONS + i] = (struct option){
            plugin_options[i].name,
            plugin_options[i].arg ? required_argument : no_argument, NULL,
            OPT_PLUGIN_OPTION + (int)i};
    longopts[N_CORE_OPTIONS + N_PLUGIN_OPTIONS] = (struct option){0};
    const char *from = NULL, *to = NULL, *output = NULL, *outdir = NULL;
    const char *describe = NULL;
    int action = 0, status = 0;
    bool no_transforms = false;
    size_t n_argv = (size_t)argc + 1;
    const char **transforms = calloc(n_argv, sizeof *transforms);
    const char **plugin_dirs = calloc(n_argv, sizeof *plugin_dirs);
    dk_option *options = calloc(n_argv, sizeof *options);
    size_t n_transforms = 0, n_dirs = 0, n_options = 0;
    dk_registry *reg = NULL;
    char **written = NULL; /* batch outputs so far */
    size_t n_written = 0;

    /* Die quietly of SIGPIPE when a reader closes the pipe early, even if
     * the parent left SIGPIPE ignored. */
    signal(SIGPIPE, SIG_DFL);
    if (!transforms || !plugin_dirs || !options) {
        fputs("docket: out of memory\n", stderr);
        return EXIT_CONVERSION;
    }

    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:t:o:O:T:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'o': output = optarg; break;
        case 'O': outdir = optarg; break;
        case 'T': transforms[n_transforms++] = optarg; break;
        case 'h':
        case 'V':
        case OPT_LIST_PLUGINS:
        case OPT_LIST_FORMATS:
            action = c;
            break;
        case OPT_DESCRIBE:
            action = c;
            describe = optarg;
            break;
        case OPT_PLUGIN_DIR: plugin_dirs[n_dirs++] = optarg; break;
        case OPT_NO_TRANSFORMS: no_transforms = true; break;
        case OPT_PRETTY:
            options[n_options++] = (dk_option){"pretty", "1"};
            break;
        case OPT_METADATA:
            options[n_options++] = (dk_option){optarg, "1"};
            break;
        default:
            if (c >= OPT_PLUGIN_OPTION &&
                c < OPT_PLUGIN_OPTION + (int)N_PLUGIN_OPTIONS) {
                const struct plugin_option *o =
                    &plugin_options[c - OPT_PLUGIN_OPTION];
                options[n_options++] = (dk_option){o->name,
                                                   o->arg ? optarg : "1"};
                break;
            }
            if (optopt)
                status = usage_error("option requires an argument or is "
                                     "unknown: -%c", (char[]){(char)optopt, 0});
            else
                status = usage_error("unknown option: %s", argv[optind - 1]);
            goto done;
        }
    }

    if (action == 'h') {
        print_usage();
        goto done;
    }
    if (action == 'V') {
        printf("docket %s (plugin ABI %d.%d)\n", DK_VERSION, DK_ABI_MAJOR,
               DK_ABI_MINOR);
        goto done;
    }
    if (action == OPT_DESCRIBE) {
        status = describe_plugin(describe, output);
        goto done;
    }

    reg = dk_registry_new(getenv("DOCKET_PLUGIN_PATH"), plugin_dirs,
                          dk_registry_default_dirs(), dk_warn_stderr, NULL);
    if (!reg) {
        fputs("docket: out of memory\n", stderr);
        status = EXIT_CONVERSION;
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

    int n_inputs = argc - optind;
    char **inputs = argv + optind;
    if (n_inputs > 0 && strcmp(inputs[0], "validate") == 0) {
        status = validate_files(reg, from, inputs + 1, n_inputs - 1);
        goto done;
    }
    if (output && outdir) {
        status = usage_error("%s", "-o and -O cannot be used together");
        goto done;
    }
    if (n_inputs > 1 && !outdir) {
        status = usage_error("%s", "several inputs need -O DIR");
        goto done;
    }
    if (outdir) {
        struct stat st;
        if (stat(outdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
            status = usage_error("-O %s: not a directory", outdir);
            goto done;
        }
        if (n_inputs == 0) {
            status = usage_error("%s", "-O DIR needs input files");
            goto done;
        }
    }

    dk_install_signal_cleanup();
    const char *format = output_format(reg, to, output);
    /* Binary writers (docx) refuse a terminal unless -o - insists, as
     * pandoc does; they learn of it from this option. */
    if (!outdir && !output && isatty(STDOUT_FILENO))
        options[n_options++] = (dk_option){"output-terminal", "1"};
    dk_job job = {
        .output = output,
        .from = from,
        .to = format,
        .transforms = transforms,
        .n_transforms = n_transforms,
        .no_transforms = no_transforms,
        .options = options,
        .n_options = n_options,
    };
    int failed = 0;
    written = calloc((size_t)n_inputs + 1, sizeof *written);
    n_written = (size_t)n_inputs;
    if (!written) {
        fputs("docket: out of memory\n", stderr);
        status = EXIT_CONVERSION;
        goto done;
    }
    for (int i = 0; i < (n_inputs ? n_inputs : 1); i++) {
        job.input = n_inputs ? inputs[i] : NULL;
        bool stdin_input = !job.input || strcmp(job.input, "-") == 0;
        char *out = NULL;
        if (outdir) {
            dk_plugin_info *w = dk_registry_find(reg, DK_KIND_WRITER, format);
            const char *ext = w && w->extensions && w->extensions[0]
                                  ? w->extensions[0] : format;
            out = batch_output(outdir, stdin_input ? "stdin" : job.input, ext);
            job.output = out;
            /* two inputs of the same name: the second would replace the
             * first's output */
            bool clash = false;
            for (int k = 0; out && k < i; k++)
                clash |= written[k] && strcmp(written[k], out) == 0;
            if (clash) {
                fprintf(stderr, "docket: %s: output %s was written for an "
                        "earlier input; not converted\n", job.input, out);
                failed++;
                free(out);
                continue;
            }
            written[i] = out ? strdup(out) : NULL;
            /* an output that is one of the inputs would destroy it */
            bool is_input = false;
            for (int k = 0; out && k < n_inputs && !is_input; k++)
                is_input = dk_same_file(inputs[k], out);
            if (is_input) {
                fprintf(stderr, "docket: %s: output %s is one of the "
                        "inputs; not converted\n", job.input, out);
                failed++;
                free(out);
                continue;
            }
        }
        dk_ctx *ctx = dk_ctx_new(stdin_input ? NULL : job.input, options,
                                 n_options, dk_warn_stderr, NULL);
        if (!ctx) {
            fputs("docket: out of memory\n", stderr);
            free(out);
            status = EXIT_CONVERSION;
            goto done;
        }
        if (dk_convert(reg, &job, ctx) < 0) {
            print_error(ctx);
            failed++;
            if (exit_for(ctx) == EXIT_USAGE) {
                status = EXIT_USAGE; /* the same for every input: stop */
                dk_ctx_free(ctx);
                free(out);
                goto done;
            }
        }
        dk_ctx_free(ctx);
        free(out);
    }
    if (outdir)
        fprintf(stderr, "docket: %d converted, %d failed\n", n_inputs - failed,
                failed);
    status = failed ? EXIT_CONVERSION : 0;

done:
    for (size_t k = 0; k < n_written; k++)
        free(written[k]);
    free(written);
    dk_registry_free(reg);
    free(transforms);
    free(plugin_dirs);
    free(options);
    if (fflush(stdout) != 0 && status == 0) {
        fprintf(stderr, "docket: standard output: %s\n", strerror(errno));
        status = EXIT_CONVERSION;
    }
    return status;
}
