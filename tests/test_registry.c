/* Tests of the plugin registry: discovery, manifests, ABI checks, lazy
 * loading and format detection. */
#define _GNU_SOURCE
#include "harness.h"
#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Warnings collected instead of printed. */
static char warnings[4096];

static void collect(void *user, const char *name, const char *msg)
{
    (void)user;
    size_t used = strlen(warnings);
    snprintf(warnings + used, sizeof warnings - used, "%s: %s\n", name, msg);
}

static dk_registry *registry_for(const char *env, const char *dir)
{
    const char *dirs[] = {dir, NULL};
    warnings[0] = '\0';
    dk_registry *reg = dk_registry_new(env, NULL, dirs, collect, NULL);
    ck_assert_ptr_nonnull(reg);
    return reg;
}

static size_t loaded(dk_registry *reg)
{
    size_t n = 0;
    for (size_t i = 0; i < dk_registry_count(reg); i++)
        n += dk_registry_get(reg, i)->plugin != NULL;
    return n;
}

START_TEST(discovers_from_manifests_without_loading)
{
    dk_registry *reg = registry_for(NULL, PLUGIN_DIR);
    dk_plugin_info *json = dk_registry_find(reg, DK_KIND_WRITER, "json");
    dk_plugin_info *text = dk_registry_find(reg, DK_KIND_READER, "text");
    ck_assert_ptr_nonnull(json);
    ck_assert_ptr_nonnull(text);
    ck_assert(json->from_manifest);
    ck_assert(strstr(json->path, "/json.so") != NULL);
    ck_assert_uint_eq(loaded(reg), 0);
    ck_assert_ptr_eq(dk_registry_find_ext(reg, DK_KIND_WRITER, "txt"), text);
    ck_assert_ptr_null(dk_registry_find(reg, DK_KIND_READER, "nonesuch"));
    /* loading checks the descriptor against the manifest */
    const dk_plugin *d = dk_registry_load(reg, text);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->name, "text");
    ck_assert_uint_eq(loaded(reg), 1);
    ck_assert_str_eq(warnings, "");
    dk_registry_free(reg);
}
END_TEST

START_TEST(refuses_other_abi)
{
    dk_registry *reg = registry_for(BADABI_DIR, PLUGIN_DIR);
    dk_plugin_info *bad = NULL;
    for (size_t i = 0; i < dk_registry_count(reg); i++)
        if (!strcmp(dk_registry_get(reg, i)->name, "badabi"))
            bad = dk_registry_get(reg, i);
    ck_assert_ptr_nonnull(bad);
    ck_assert_ptr_null(bad->plugin);
    ck_assert_ptr_null(bad->handle);
    ck_assert_ptr_null(dk_registry_load(reg, bad));
    ck_assert_ptr_null(dk_registry_find(reg, DK_KIND_TRANSFORM, "badabi"));
    ck_assert_msg(strstr(warnings, "badabi.so: warning: plugin built for ABI 99.0, this "
                                   "docket has ABI 1.0; not loaded"),
                  "warnings were: %s", warnings);
    /* the good plugins are unaffected */
    ck_assert_ptr_nonnull(dk_registry_find(reg, DK_KIND_READER, "text"));
    dk_registry_free(reg);
}
END_TEST

START_TEST(manifest_of_other_abi_refused_unopened)
{
    char *dir = temp_dir();
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp %s/text.so %s/old.so", PLUGIN_DIR, dir);
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    char path[512];
    snprintf(path, sizeof path, "%s/old.manifest", dir);
    const char *m = "docket-plugin-manifest 1\nabi 7.2\nname old\n"
                    "version 1\nkinds reader\nformat old\n";
    spit(path, m, strlen(m));
    dk_registry *reg = registry_for(dir, NULL);
    ck_assert_uint_eq(dk_registry_count(reg), 1);
    dk_plugin_info *p = dk_registry_get(reg, 0);
    ck_assert_ptr_nonnull(p->error);
    ck_assert_ptr_null(p->handle); /* never opened */
    ck_assert(strstr(warnings, "old.so: warning: plugin built for ABI 7.2") != NULL);
    dk_registry_free(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(first_directory_wins_and_names_must_match)
{
    char *dir = temp_dir();
    char cmd[1024];
    /* the same plugin under the right name, earlier in the path, and a
     * renamed copy whose descriptor disagrees with its file name */
    snprintf(cmd, sizeof cmd,
             "cp %1$s/json.so %1$s/json.manifest %2$s/ && "
             "cp %1$s/text.so %2$s/other.so",
             PLUGIN_DIR, dir);
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    dk_registry *reg = registry_for(dir, PLUGIN_DIR);
    dk_plugin_info *json = dk_registry_find(reg, DK_KIND_READER, "json");
    ck_assert_ptr_nonnull(json);
    ck_assert(strncmp(json->path, dir, strlen(dir)) == 0);
    ck_assert(strstr(warnings, "other.so: warning: plugin calls itself 'text' but the "
                               "file is named 'other'") != NULL);
    dk_registry_free(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

static const char *detect(dk_registry *reg, const char *data, const char *name)
{
    bool tie;
    dk_plugin_info *p = dk_registry_detect(reg, (const unsigned char *)data,
                                           strlen(data), name, &tie);
    return p ? p->format : NULL;
}

START_TEST(detects_formats_by_content)
{
    dk_registry *reg = registry_for(NULL, PLUGIN_DIR);
    ck_assert_str_eq(detect(reg, "Hello\n\nworld\n", "a.txt"), "text");
    ck_assert_str_eq(detect(reg, "Hello\n", NULL), "text");
    ck_assert_str_eq(detect(reg, "{\"type\":\"document\"}", "x.txt"), "json");
    ck_assert_str_eq(detect(reg, "  {\"type\": \"document\"}", NULL), "json");
    /* binary data is claimed by nobody */
    ck_assert_ptr_null(detect(reg, "\x01\x02\x03\x04\x05\x06\x07", "a.bin"));
    dk_registry_free(reg);
}
END_TEST

/* A text-to-JSON conversion opens the text and json plugins, and the
 * transforms the text calls for (here clean alone), and no other. */
START_TEST(conversion_loads_only_what_it_needs)
{
    char *dir = temp_dir();
    char cmd[1024], out[512];
    snprintf(cmd, sizeof cmd, "cp %s/*.so %s/*.manifest %s/", PLUGIN_DIR,
             PLUGIN_DIR, dir);
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    dk_registry *reg = registry_for(dir, NULL);
    snprintf(out, sizeof out, "%s/out.json", dir);
    dk_job job = {.input = FIXTURES "/text/basic.txt", .output = out,
                  .to = "json"};
    dk_ctx *ctx = dk_ctx_new(job.input, NULL, 0, collect, NULL);
    ck_assert_int_eq(dk_convert(reg, &job, ctx), 0);
    for (size_t i = 0; i < dk_registry_count(reg); i++) {
        dk_plugin_info *p = dk_registry_get(reg, i);
        bool needed = !strcmp(p->name, "text") || !strcmp(p->name, "json") ||
                      !strcmp(p->name, "clean");
        ck_assert_msg((p->plugin != NULL) == needed, "plugin %s %s", p->name,
                      p->plugin ? "was loaded" : "was not loaded");
    }
    dk_ctx_free(ctx);
    dk_registry_free(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(describe_writes_manifest)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    char err[256];
    ck_assert_int_eq(dk_registry_describe(PLUGIN_DIR "/json.so", f, err,
                                          sizeof err), 0);
    fclose(f);
    ck_assert(strstr(text, "docket-plugin-manifest 1\nabi 1.0\nname json\n"));
    ck_assert(strstr(text, "kinds reader,writer\nformat json\n"));
    free(text);
    f = open_memstream(&text, &len);
    ck_assert_int_eq(dk_registry_describe(BADABI_DIR "/badabi.so", f, err,
                                          sizeof err), -1);
    fclose(f);
    free(text);
    ck_assert(strstr(err, "ABI 99.0") != NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, discovers_from_manifests_without_loading);
    tcase_add_test(tc, refuses_other_abi);
    tcase_add_test(tc, manifest_of_other_abi_refused_unopened);
    tcase_add_test(tc, first_directory_wins_and_names_must_match);
    tcase_add_test(tc, detects_formats_by_content);
    tcase_add_test(tc, conversion_loads_only_what_it_needs);
    tcase_add_test(tc, describe_writes_manifest);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    return failed;
}
