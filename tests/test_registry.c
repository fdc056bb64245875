/*
 * The plugin registry, through the public API: discovery from manifests,
 * lazy loading, the ABI promise (older minors load, newer ones and other
 * majors do not), plugin files that would crash or hijack a loader, and
 * format detection.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <docket/docket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Diagnostics collected instead of printed. */
static char warnings[8192];

static void collect(void *user, dk_diag_level level, const char *name,
                    const char *msg)
{
    (void)user;
    size_t used = strlen(warnings);
    snprintf(warnings + used, sizeof warnings - used, "%s: %s%s\n", name,
             level == DK_DIAG_WARNING ? "warning: " : "", msg);
}

/* A registry of dir alone (and an optional first directory). */
static dk_registry *registry_of(const char *first, const char *dir)
{
    const char *dirs[] = {first ? first : dir, first ? dir : NULL, NULL};
    warnings[0] = '\0';
    dk_registry *reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV |
                                        DK_REGISTRY_NO_DEFAULTS, collect, NULL);
    ck_assert_ptr_nonnull(reg);
    return reg;
}

static const dk_plugin_entry *entry_named(dk_registry *reg, const char *name)
{
    for (size_t i = 0; i < dk_registry_size(reg); i++)
        if (!strcmp(dk_plugin_entry_name(dk_registry_entry(reg, i)), name))
            return dk_registry_entry(reg, i);
    return NULL;
}

static size_t loaded(dk_registry *reg)
{
    size_t n = 0;
    for (size_t i = 0; i < dk_registry_size(reg); i++)
        n += dk_plugin_entry_loaded(dk_registry_entry(reg, i));
    return n;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s: %s", cmd, r.err);
    run_free(&r);
}

static int to_file(void *user, const void *data, size_t len)
{
    return fwrite(data, 1, len, user) == len ? 0 : -1;
}

/* Write DIR/NAME.manifest with docket's own describer; returns its status. */
static dk_status describe(const char *dir, const char *name, char **err)
{
    char so[512], manifest[512];
    snprintf(so, sizeof so, "%s/%s.so", dir, name);
    snprintf(manifest, sizeof manifest, "%s/%s.manifest", dir, name);
    FILE *f = fopen(manifest, "w");
    ck_assert_ptr_nonnull(f);
    dk_status st = dk_describe_plugin(so, to_file, f, err);
    fclose(f);
    if (st != DK_E_OK)
        unlink(manifest);
    return st;
}

START_TEST(discovers_from_manifests_without_loading)
{
    dk_registry *reg = registry_of(NULL, PLUGIN_DIR);
    const dk_plugin_entry *json = dk_registry_lookup(reg, DK_KIND_WRITER, "json");
    const dk_plugin_entry *text = dk_registry_lookup(reg, DK_KIND_READER, "text");
    ck_assert_ptr_nonnull(json);
    ck_assert_ptr_nonnull(text);
    ck_assert(strstr(dk_plugin_entry_path(json), "/json.so") != NULL);
    ck_assert_str_eq(dk_plugin_entry_extension(text, 0), "txt");
    ck_assert_uint_eq(loaded(reg), 0);
    ck_assert_ptr_null(dk_registry_lookup(reg, DK_KIND_READER, "nonesuch"));
    /* options come from the manifest too */
    const char *arg = "x", *help = NULL;
    ck_assert_str_eq(dk_plugin_entry_option(json, 0, &arg, &help), "pretty");
    ck_assert_ptr_null(arg);
    ck_assert(strstr(help, "indented"));
    ck_assert_int_eq(dk_registry_load(reg, text), 0);
    ck_assert(dk_plugin_entry_loaded(text));
    ck_assert_uint_eq(loaded(reg), 1);
    ck_assert_str_eq(warnings, "");
    dk_registry_close(reg);
}
END_TEST

/* A plugin built for ABI 1.0, whose descriptor is shorter than today's,
 * loads and works (its missing fields read as absent; under the sanitizers
 * a read past its end would be caught); newer minors and other majors are
 * refused, whether the manifest says so or only the descriptor does. */
START_TEST(abi_versions)
{
    char *dir = temp_dir();
    sh("cp %s/oldminor.so %s/newminor.so %s/othermajor.so %s/truncated.so %s/",
       ABI_DIR, ABI_DIR, ABI_DIR, ABI_DIR, dir);
    char *err = NULL;
    ck_assert_int_eq(describe(dir, "oldminor", &err), DK_E_OK);
    static const struct {
        const char *name, *why;
    } refused[] = {
        {"newminor", "plugin built for ABI 1.9, this docket has ABI 1.2"},
        {"othermajor", "plugin built for ABI 2.0, this docket has ABI 1.2"},
        {"truncated", "descriptor too small (16 bytes"},
    };
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_ne(describe(dir, refused[i].name, &err), DK_E_OK);
        ck_assert_msg(strstr(err, refused[i].why), "%s: %s", refused[i].name, err);
        free(err);
        /* a manifest that hides the descriptor's version: refused at load */
        char path[512], text[512];
        snprintf(path, sizeof path, "%s/%s.manifest", dir, refused[i].name);
        snprintf(text, sizeof text, "docket-plugin-manifest 1\nabi 1.0\nname %s\n"
                 "version 1.0\nkinds transform\n", refused[i].name);
        spit(path, text, strlen(text));
    }
    dk_registry *reg = registry_of(NULL, dir);
    for (size_t i = 0; i < 3; i++) {
        const dk_plugin_entry *e = entry_named(reg, refused[i].name);
        ck_assert_int_eq(dk_registry_load(reg, e), -1);
        ck_assert_msg(strstr(dk_plugin_entry_error(e), refused[i].why), "%s",
                      dk_plugin_entry_error(e));
        ck_assert(!dk_plugin_entry_loaded(e));
        ck_assert_ptr_null(dk_registry_lookup(reg, DK_KIND_TRANSFORM, refused[i].name));
    }
    /* the old one runs */
    dk_options *o = dk_options_new();
    dk_options_add_transform(o, "oldminor");
    dk_options_set_to(o, "text");
    dk_options_set_flags(o, DK_OPT_NO_DEFAULT_TRANSFORMS);
    dk_registry_close(reg);
    const char *dirs[] = {dir, PLUGIN_DIR, NULL};
    reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV | DK_REGISTRY_NO_DEFAULTS,
                           collect, NULL);
    char *out = NULL;
    size_t len;
    ck_assert_int_eq(dk_convert_memory(reg, o, "a.txt", "Hello.\n", 7, &out, &len),
                     DK_E_OK);
    ck_assert_msg(strstr(out, "abi plugin ran"), "%s", out);
    free(out);
    dk_options_free(o);
    dk_registry_close(reg);
    /* a manifest that says another ABI: refused without opening */
    char path[512];
    snprintf(path, sizeof path, "%s/newminor.manifest", dir);
    spit(path, "docket-plugin-manifest 1\nabi 1.9\nname newminor\nversion 1\n"
               "kinds transform\n", 66);
    reg = registry_of(NULL, dir);
    const dk_plugin_entry *e = entry_named(reg, "newminor");
    ck_assert(strstr(dk_plugin_entry_error(e), "plugin built for ABI 1.9"));
    ck_assert(strstr(warnings, "newminor.so: warning: plugin built for ABI 1.9"));
    ck_assert(!dk_plugin_entry_loaded(e));
    dk_registry_close(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A plugin that calls a function no library defines is refused when it is
 * loaded, with the loader's reason, whether it was linked to bind its
 * symbols at load (-z now) or not: it never starts a conversion to stop
 * half way at the call. The registry opens a plugin linked -z now lazily,
 * so docket's own plugins and their parts must all be linked so. */
START_TEST(missing_symbol_refuses_at_load)
{
    char *dir = temp_dir();
    static const char *const names[] = {"unboundnow", "unboundlazy"};
    sh("cp %1$s/unboundnow.so %1$s/unboundlazy.so %2$s/", ABI_DIR, dir);
    for (size_t i = 0; i < 2; i++) {
        char *err = NULL;
        ck_assert_int_ne(describe(dir, names[i], &err), DK_E_OK);
        ck_assert_msg(strstr(err, "undefined symbol: docket_test_missing"), "%s: %s",
                      names[i], err);
        free(err);
        char path[512], text[512];
        snprintf(path, sizeof path, "%s/%s.manifest", dir, names[i]);
        snprintf(text, sizeof text, "docket-plugin-manifest 1\nabi 1.1\nname %s\n"
                 "version 1.0\nkinds transform\n", names[i]);
        spit(path, text, strlen(text));
    }
    dk_registry *reg = registry_of(NULL, dir);
    for (size_t i = 0; i < 2; i++) {
        const dk_plugin_entry *e = entry_named(reg, names[i]);
        ck_assert_int_eq(dk_registry_load(reg, e), -1);
        ck_assert_msg(strstr(dk_plugin_entry_error(e),
                             "undefined symbol: docket_test_missing"),
                      "%s: %s", names[i], dk_plugin_entry_error(e));
        ck_assert(!dk_plugin_entry_loaded(e));
    }
    dk_registry_close(reg);
    /* readelf is in binutils, beside the compiler that built these */
    sh("for f in %1$s/*.so %1$s/*/*.so; do readelf -d $f | grep -q 'BIND_NOW' || "
       "{ echo \"$f is not linked -z now\" >&2; exit 1; }; done", PLUGIN_DIR);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A plugin refused (another ABI, a stale manifest) does not hide a usable
 * one of the same name later in the path; the first usable one wins. */
START_TEST(refused_plugins_hide_nothing)
{
    char *first = temp_dir(), *second = temp_dir();
    /* first: a text.so whose manifest says another ABI, and a json.so that
     * is really the text plugin (it calls itself text) */
    sh("cp %1$s/text.so %2$s/ && cp %1$s/text.so %2$s/json.so && "
       "cp %1$s/json.manifest %2$s/ && "
       "printf 'docket-plugin-manifest 1\\nabi 7.2\\nname text\\nversion 1\\n"
       "kinds reader\\nformat text\\n' > %2$s/text.manifest && "
       "cp %1$s/*.so %1$s/*.manifest %3$s/",
       PLUGIN_DIR, first, second);
    dk_registry *reg = registry_of(first, second);
    const dk_plugin_entry *text = dk_registry_lookup(reg, DK_KIND_READER, "text");
    ck_assert_ptr_nonnull(text);
    ck_assert(!strncmp(dk_plugin_entry_path(text), second, strlen(second)));
    /* json: the first folder's is chosen, refused at load, then the second's */
    dk_options *o = dk_options_new();
    dk_options_set_diagnostics(o, collect, NULL);
    char *out = NULL;
    ck_assert_int_eq(dk_convert_memory(reg, o, "a.txt", "Hello.\n", 7, &out, NULL),
                     DK_E_OK);
    ck_assert(strstr(out, "\"type\":\"document\""));
    ck_assert_msg(strstr(warnings, "json.so: warning: plugin calls itself 'text' but "
                                   "the file is named 'json'"), "%s", warnings);
    const dk_plugin_entry *json = dk_registry_lookup(reg, DK_KIND_WRITER, "json");
    ck_assert(!strncmp(dk_plugin_entry_path(json), second, strlen(second)));
    ck_assert(!dk_plugin_entry_shadowed(json));
    free(out);
    dk_options_free(o);
    dk_registry_close(reg);
    rm_rf(first);
    rm_rf(second);
    free(first);
    free(second);
}
END_TEST

/* A manifest that no longer says what its plugin is (the plugin was
 * rebuilt as another kind or format, the manifest was not): the plugin is
 * refused when loaded, with the command that makes a new manifest. */
START_TEST(stale_manifest_is_refused)
{
    char *dir = temp_dir();
    sh("cp %1$s/text.so %2$s/ && sed 's/^kinds .*/kinds writer/' %1$s/text.manifest "
       "> %2$s/text.manifest", PLUGIN_DIR, dir);
    dk_registry *reg = registry_of(NULL, dir);
    const dk_plugin_entry *text = entry_named(reg, "text");
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(dk_registry_load(reg, text), -1);
    ck_assert(!dk_plugin_entry_loaded(text));
    const char *why = dk_plugin_entry_error(text);
    ck_assert_msg(why && strstr(why, "manifest does not match the plugin; run docket "
                                     "--describe-plugin again"), "%s", why ? why : "(none)");
    dk_registry_close(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Files that would crash or hang a loader: a truncated plugin, a FIFO, a
 * directory named like a plugin. None is opened; each is named. */
START_TEST(broken_plugin_files)
{
    char *dir = temp_dir();
    sh("head -c 8192 %1$s/text.so > %2$s/trunc.so && "
       "sed 's/^name text$/name trunc/' %1$s/text.manifest > %2$s/trunc.manifest && "
       "mkfifo %2$s/fifo.so && mkdir %2$s/dir.so && "
       "printf 'not elf' > %2$s/junk.so && "
       "sed 's/^name text$/name junk/' %1$s/text.manifest > %2$s/junk.manifest",
       PLUGIN_DIR, dir);
    time_t t0 = time(NULL);
    dk_registry *reg = registry_of(NULL, dir);
    ck_assert_int_lt(time(NULL) - t0, 5); /* the FIFO is not read */
    const dk_plugin_entry *trunc = entry_named(reg, "trunc");
    ck_assert_int_eq(dk_registry_load(reg, trunc), -1);
    ck_assert_msg(strstr(dk_plugin_entry_error(trunc), "plugin file is truncated"),
                  "%s", dk_plugin_entry_error(trunc));
    const dk_plugin_entry *junk = entry_named(reg, "junk");
    ck_assert_int_eq(dk_registry_load(reg, junk), -1);
    ck_assert(strstr(dk_plugin_entry_error(junk), "not an ELF shared object"));
    ck_assert(strstr(dk_plugin_entry_error(entry_named(reg, "fifo")), "not a regular file"));
    ck_assert(strstr(dk_plugin_entry_error(entry_named(reg, "dir")), "not a regular file"));
    dk_registry_close(reg);
    /* and the command lists plugins without dying */
    char path[600];
    snprintf(path, sizeof path, "DOCKET_PLUGIN_PATH=%s", dir);
    const char *argv[] = {DOCKET_BIN, "--list-plugins", NULL};
    const char *env[] = {path, NULL};
    run_result r = run(argv, NULL, env);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "text "));
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Plugin folders: relative or writable by others is refused; a plugin
 * without a manifest is never opened (its constructor never runs). */
START_TEST(plugin_folders_cannot_be_hijacked)
{
    char *dir = temp_dir(), *open_dir = temp_dir();
    char marker[512];
    snprintf(marker, sizeof marker, "%s/loaded", dir);
    setenv("DOCKET_TEST_MARKER", marker, 1);
    sh("cp %s/noisy.so %s/ && cp %s/noisy.so %s/ && chmod 777 %s", ABI_DIR, dir,
       ABI_DIR, open_dir, open_dir);
    char *err = NULL;
    ck_assert_int_eq(describe(open_dir, "noisy", &err), DK_E_OK);
    unlink(marker); /* describing opened it */
    const char *dirs[] = {"relative/plugins", open_dir, dir, PLUGIN_DIR, NULL};
    warnings[0] = '\0';
    dk_registry *reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV | DK_REGISTRY_NO_DEFAULTS,
                                        collect, NULL);
    ck_assert_msg(strstr(warnings, "relative/plugins: warning: plugin directory is "
                                   "not an absolute path"), "%s", warnings);
    ck_assert_msg(strstr(warnings, "may be written by anyone"), "%s", warnings);
    ck_assert_msg(strstr(warnings, "noisy.so: warning: no manifest"), "%s", warnings);
    ck_assert_ptr_null(dk_registry_lookup(reg, DK_KIND_TRANSFORM, "noisy"));
    dk_options *o = dk_options_new();
    char *out = NULL;
    ck_assert_int_eq(dk_convert_memory(reg, o, "a.txt", "Hello.\n", 7, &out, NULL),
                     DK_E_OK);
    ck_assert_msg(access(marker, F_OK) != 0, "a plugin without a manifest was loaded");
    free(out);
    dk_options_free(o);
    dk_registry_close(reg);
    unsetenv("DOCKET_TEST_MARKER");
    /* the command refuses a relative --plugin-dir */
    run_result r = DOCKET(NULL, "--plugin-dir", "plugins", "--list-plugins");
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "--plugin-dir plugins: not an absolute path"));
    run_free(&r);
    rm_rf(dir);
    rm_rf(open_dir);
    free(dir);
    free(open_dir);
}
END_TEST

static const char *detect(dk_registry *reg, const char *data, const char *name)
{
    const dk_plugin_entry *e = dk_registry_detect(reg, data, strlen(data), name);
    return e ? dk_plugin_entry_format(e) : NULL;
}

START_TEST(detects_formats_by_content)
{
    dk_registry *reg = registry_of(NULL, PLUGIN_DIR);
    ck_assert_str_eq(detect(reg, "Hello\n\nworld\n", "a.txt"), "text");
    ck_assert_str_eq(detect(reg, "Hello\n", NULL), "text");
    ck_assert_str_eq(detect(reg, "{\"type\":\"document\"}", "x.json"), "json");
    ck_assert_str_eq(detect(reg, "  {\"type\": \"document\"}", NULL), "json");
    /* binary data is claimed by nobody */
    ck_assert_ptr_null(detect(reg, "\x01\x02\x03\x04\x05\x06\x07", "a.bin"));
    dk_registry_close(reg);
}
END_TEST

/* Two readers that score the same: "cannot tell", never the first one. */
START_TEST(probe_tie_is_unknown)
{
    char *dir = temp_dir();
    sh("cp %s/tiea.so %s/tieb.so %s/", ABI_DIR, ABI_DIR, dir);
    char *err = NULL;
    ck_assert_int_eq(describe(dir, "tiea", &err), DK_E_OK);
    ck_assert_int_eq(describe(dir, "tieb", &err), DK_E_OK);
    dk_registry *reg = registry_of(NULL, dir);
    ck_assert_ptr_null(detect(reg, "anything at all", "a.bin"));
    dk_registry_close(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A text-to-JSON conversion opens the text and json plugins, and the
 * transforms the text calls for (here clean alone), and no other. */
START_TEST(conversion_loads_only_what_it_needs)
{
    char *dir = temp_dir();
    char out[512];
    dk_registry *reg = registry_of(NULL, PLUGIN_DIR);
    snprintf(out, sizeof out, "%s/out.json", dir);
    dk_options *o = dk_options_new();
    ck_assert_int_eq(dk_convert_file(reg, o, FIXTURES "/text/basic.txt", out),
                     DK_E_OK);
    for (size_t i = 0; i < dk_registry_size(reg); i++) {
        const dk_plugin_entry *e = dk_registry_entry(reg, i);
        const char *name = dk_plugin_entry_name(e);
        bool needed = !strcmp(name, "text") || !strcmp(name, "json") ||
                      !strcmp(name, "clean");
        ck_assert_msg(dk_plugin_entry_loaded(e) == needed, "plugin %s %s", name,
                      needed ? "was not loaded" : "was loaded");
    }
    dk_options_free(o);
    dk_registry_close(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A default transform that is not installed is skipped with a warning; one
 * the options name is an error. */
START_TEST(missing_default_transform_is_a_warning)
{
    char *dir = temp_dir();
    sh("cp %1$s/text.so %1$s/text.manifest %1$s/json.so %1$s/json.manifest %2$s/",
       PLUGIN_DIR, dir);
    dk_registry *reg = registry_of(NULL, dir);
    dk_options *o = dk_options_new();
    dk_options_set_diagnostics(o, collect, NULL);
    char *out = NULL;
    ck_assert_int_eq(dk_convert_memory(reg, o, "a.txt", "Hello.\n", 7, &out, NULL),
                     DK_E_OK);
    ck_assert_msg(strstr(warnings, "a.txt: warning: transform 'clean' is not "
                                   "installed; skipped"), "%s", warnings);
    free(out);
    dk_options_add_transform(o, "clean");
    ck_assert_int_eq(dk_convert_memory(reg, o, "a.txt", "Hello.\n", 7, &out, NULL),
                     DK_E_USAGE);
    ck_assert(strstr(warnings, "a.txt: no transform 'clean'"));
    dk_options_free(o);
    dk_registry_close(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Is a library whose file name holds name mapped into this process? */
static bool mapped(const char *name)
{
    char *maps = slurp("/proc/self/maps", NULL);
    ck_assert_ptr_nonnull(maps);
    bool found = strstr(maps, name) != NULL;
    free(maps);
    return found;
}

/* Writing a format does not load the library that reads it: libxml2 (and
 * the ICU it pulls in) for XML, jansson for JSON; reading it back does.
 * Text that cannot be JSON is not probed by the json plugin. */
static const struct {
    const char *format, *library;
} writers[] = {{"xml", "libxml2"}, {"json", "libjansson"}};

START_TEST(writing_loads_no_reading_library)
{
    const char *format = writers[_i].format, *library = writers[_i].library;
    bool before = mapped(library);
    char *dir = temp_dir();
    char out[512];
    dk_registry *reg = registry_of(NULL, PLUGIN_DIR);
    snprintf(out, sizeof out, "%s/out.%s", dir, format);
    dk_options *o = dk_options_new();
    dk_options_set_to(o, format);
    ck_assert_int_eq(dk_convert_file(reg, o, FIXTURES "/text/basic.txt", out),
                     DK_E_OK);
    for (size_t i = 0; i < dk_registry_size(reg); i++) {
        const dk_plugin_entry *e = dk_registry_entry(reg, i);
        const char *name = dk_plugin_entry_name(e);
        bool needed = !strcmp(name, "text") || !strcmp(name, format) ||
                      !strcmp(name, "clean");
        ck_assert_msg(dk_plugin_entry_loaded(e) == needed, "plugin %s %s", name,
                      needed ? "was not loaded" : "was loaded");
    }
    ck_assert_msg(before || !mapped(library), "writing %s loaded %s", format,
                  library);
    /* reading it back needs the library, which the plugin then opens */
    dk_options_set_from(o, format);
    char *back = NULL;
    size_t len;
    char *data = slurp(out, &len);
    ck_assert_int_eq(dk_convert_memory(reg, o, out, data, len, &back, NULL),
                     DK_E_OK);
    ck_assert_str_eq(back, data);
    ck_assert(mapped(library));
    free(back);
    free(data);
    dk_options_free(o);
    dk_registry_close(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(describe_writes_manifest)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(dk_describe_plugin(PLUGIN_DIR "/json.so", to_file, f, &err),
                     DK_E_OK);
    fclose(f);
    ck_assert(strstr(text, "docket-plugin-manifest 1\nabi 1.2\nname json\n"));
    ck_assert(strstr(text, "kinds reader,writer\nformat json\n"));
    ck_assert(strstr(text, "option pretty - xml, json: indented output"));
    free(text);
    f = open_memstream(&text, &len);
    ck_assert_int_ne(dk_describe_plugin(BADABI_DIR "/badabi.so", to_file, f, &err),
                     DK_E_OK);
    fclose(f);
    free(text);
    ck_assert(strstr(err, "ABI 99.0") != NULL);
    free(err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("registry");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, discovers_from_manifests_without_loading);
    tcase_add_test(tc, stale_manifest_is_refused);
    tcase_add_test(tc, abi_versions);
    tcase_add_test(tc, missing_symbol_refuses_at_load);
    tcase_add_test(tc, refused_plugins_hide_nothing);
    tcase_add_test(tc, broken_plugin_files);
    tcase_add_test(tc, plugin_folders_cannot_be_hijacked);
    tcase_add_test(tc, detects_formats_by_content);
    tcase_add_test(tc, probe_tie_is_unknown);
    tcase_add_test(tc, conversion_loads_only_what_it_needs);
    tcase_add_test(tc, missing_default_transform_is_a_warning);
    tcase_add_loop_test(tc, writing_loads_no_reading_library, 0,
                        (int)(sizeof writers / sizeof writers[0]));
    tcase_add_test(tc, describe_writes_manifest);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
