/* End-to-end tests of the docket command. */
#define _GNU_SOURCE
#include "harness.h"

#include <docket/docket.h>

#include <dirent.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


/* Every DIR/NAME.EXT that is not an expected output. */
static char **text_fixtures_in(const char *dir, const char *ext, size_t *n)
{
    size_t el = strlen(ext);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    char **names = calloc(256, sizeof *names);
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && *n < 255) {
        size_t len = strlen(e->d_name);
        if (len > el + 1 && e->d_name[len - el - 1] == '.' &&
            !strcmp(e->d_name + len - el, ext) &&
            !strstr(e->d_name, ".expected."))
            names[(*n)++] = strndup(e->d_name, len - el - 1);
    }
    closedir(d);
    ck_assert_uint_gt(*n, 0);
    return names;
}


static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Each fixture converts to exactly the expected outputs beside it:
 * NAME.expected.json, NAME.expected.txt (text) and NAME.expected.xml. */
static void fixtures_in(const char *dir, const char *ext)
{
    static const char *const to[] = {"json", "text", "xml"};
    static const char *const out_ext[] = {"json", "txt", "xml"};
    size_t n;
    char **names = text_fixtures_in(dir, ext, &n);
    int compared = 0;
    for (size_t i = 0; i < n; i++) {
        char in[512], want[512];
        snprintf(in, sizeof in, "%s/%s.%s", dir, names[i], ext);
        for (int k = 0; k < 3; k++) {
            snprintf(want, sizeof want, "%s/%s.expected.%s", dir, names[i],
                     out_ext[k]);
            if (access(want, R_OK) != 0)
                continue;
            run_result r = DOCKET(NULL, "-t", to[k], in);
            ck_assert_msg(r.status == 0, "%s: %s", in, r.err);
            assert_matches_file(r.out, r.out_len, want);
            run_free(&r);
            compared++;
        }
    }
    ck_assert_int_gt(compared, 0);
    free_names(names, n);
}

START_TEST(fixtures_match_expected)
{
    fixtures_in(FIXTURES "/text", "txt");
    fixtures_in(FIXTURES "/xml", "xml");
    fixtures_in(FIXTURES "/seeds", "txt");
}
END_TEST

/* X -> json -> tree -> json is byte-identical. */
static void json_round_trip_in(const char *fixture_dir)
{
    size_t n;
    char **names = text_fixtures_in(fixture_dir, "txt", &n);
    char *dir = temp_dir();
    for (size_t i = 0; i < n; i++) {
        char in[512], once[512];
        snprintf(in, sizeof in, "%s/%s.txt", fixture_dir, names[i]);
        snprintf(once, sizeof once, "%s/%s.json", dir, names[i]);
        run_result a = DOCKET(NULL, "-t", "json", "-o", once, in);
        ck_assert_msg(a.status == 0, "%s", a.err);
        run_result b = DOCKET(once, "-f", "json", "-t", "json");
        ck_assert_msg(b.status == 0, "%s", b.err);
        assert_matches_file(b.out, b.out_len, once);
        /* and detected without -f */
        run_result c = DOCKET(NULL, once);
        ck_assert_int_eq(c.status, 0);
        assert_matches_file(c.out, c.out_len, once);
        run_free(&a);
        run_free(&b);
        run_free(&c);
    }
    rm_rf(dir);
    free(dir);
    free_names(names, n);
}

START_TEST(json_round_trip)
{
    json_round_trip_in(FIXTURES "/text");
    json_round_trip_in(FIXTURES "/seeds");
}
END_TEST

/* A document written by hand without meta or body gets empty ones: what
 * docket writes is always valid against its schema. */
START_TEST(documents_get_meta_and_body)
{
    char *dir = temp_dir();
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/in.json", dir);
    snprintf(out, sizeof out, "%s/out.xml", dir);
    SPIT_LIT(in, "{\"type\":\"document\",\"children\":[{\"type\":\"meta\","
                 "\"children\":[{\"type\":\"title\",\"children\":[\"T\"]}]}]}");
    run_result r = DOCKET(NULL, "-t", "xml", "-o", out, in);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *xml = slurp(out, NULL);
    ck_assert_msg(xml && strstr(xml, "</meta><body></body></document>"), "%s", xml);
    free(xml);
    r = DOCKET(NULL, "validate", out);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(missing_input_fails_and_writes_nothing)
{
    char *dir = temp_dir();
    char out[512];
    snprintf(out, sizeof out, "%s/out.json", dir);
    run_result r = DOCKET(NULL, "-t", "json", "-o", out, "missing.txt");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "docket: missing.txt: cannot open: No such file "
                            "or directory\n");
    ck_assert_int_eq(dir_entries(dir), 0);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(failure_keeps_existing_output)
{
    char *dir = temp_dir();
    char out[512], bad[512];
    snprintf(out, sizeof out, "%s/out.json", dir);
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    SPIT_LIT(out, "GOOD\n");
    SPIT_LIT(bad, "{\"type\":\"document\",\"children\":[{\"type\":\"p\"}]}");
    run_result r = DOCKET(NULL, "-o", out, bad);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "bad.json: /document/p[0]: element not "
                                "allowed in 'document'"), "%s", r.err);
    char *kept = slurp(out, NULL);
    ck_assert_str_eq(kept, "GOOD\n");
    free(kept);
    ck_assert_int_eq(dir_entries(dir), 2); /* no temporary file left */
    run_free(&r);

    /* a good conversion replaces it */
    r = DOCKET(NULL, "-o", out, FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "");
    kept = slurp(out, NULL);
    ck_assert(strncmp(kept, "{\"type\":\"document\"", 18) == 0);
    free(kept);
    ck_assert_int_eq(dir_entries(dir), 2);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A writer that fails half way, or a process killed (SIGTERM, SIGKILL)
 * half way through writing: the output that was there stays as it was,
 * and no temporary file is left, named or not. */
START_TEST(failing_writers_leave_no_trace)
{
    char *dir = temp_dir();
    char cmd[4096], out[600], plugins[600];
    snprintf(plugins, sizeof plugins, "%s/plugins", dir);
    snprintf(cmd, sizeof cmd, "mkdir %1$s && for p in halfway terminated killed; do "
             "cp %2$s/$p.so %1$s/ && %3$s --describe-plugin %1$s/$p.so -o "
             "%1$s/$p.manifest || exit 1; done", plugins, ABI_DIR, DOCKET_BIN);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    snprintf(out, sizeof out, "%s/out/report.txt", dir);
    static const struct {
        const char *format;
        int status;
        bool named; /* also with named temporary files (no O_TMPFILE) */
    } cases[] = {{"halfway", 1, true}, {"terminated", 128 + 15, true},
                 {"killed", 128 + 9, false}};
    /* with unnamed temporary files, then (where the file system has no
     * O_TMPFILE) named ones, which docket must remove itself; after
     * SIGKILL nothing can, so that case runs only with unnamed ones */
    for (int named = 0; named < 2; named++)
    for (size_t i = 0; i < 3; i++) {
        if (named && !cases[i].named)
            continue;
        snprintf(cmd, sizeof cmd, "mkdir -p %1$s/out && printf 'GOOD\n' > %2$s && "
                 "%7$s %3$s --plugin-dir %4$s -t %5$s -o %2$s %6$s/text/basic.txt",
                 dir, out, DOCKET_BIN, plugins, cases[i].format, FIXTURES,
                 named ? "ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 "
                         "LD_PRELOAD=" NOTMPFILE : "");
        r = run_sh(cmd);
        ck_assert_msg(r.status == cases[i].status, "%s: %d %s", cases[i].format,
                      r.status, r.err);
        if (i == 0)
            ck_assert(strstr(r.err, "failed half way, on purpose"));
        run_free(&r);
        char *kept = slurp(out, NULL);
        ck_assert_msg(kept && !strcmp(kept, "GOOD\n"), "%s replaced the output",
                      cases[i].format);
        free(kept);
        char outdir[600];
        snprintf(outdir, sizeof outdir, "%s/out", dir);
        ck_assert_msg(dir_entries(outdir) == 1, "%s left a %s temporary file",
                      cases[i].format, named ? "named" : "unnamed");
    }
    /* and a conversion that succeeds with a named temporary file leaves
     * only its output */
    snprintf(cmd, sizeof cmd, "ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 "
             "LD_PRELOAD=%s %s -t xml -o %s %s/text/basic.txt", NOTMPFILE, DOCKET_BIN,
             out, FIXTURES);
    r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char outdir[600];
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    ck_assert_int_eq(dir_entries(outdir), 1);
    char *xml = slurp(out, NULL);
    ck_assert(xml && strstr(xml, "<document"));
    free(xml);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* In a folder anyone may write to (such as /tmp), a link planted at the
 * output's name is refused, not followed; a 254-byte file name, the
 * longest a name may be but one, is written (the temporary name is short). */
START_TEST(outputs_in_shared_folders_and_long_names)
{
    char *dir = temp_dir();
    char cmd[4096], shared[600], target[600], link[700];
    snprintf(shared, sizeof shared, "%s/shared", dir);
    snprintf(target, sizeof target, "%s/precious", dir);
    snprintf(link, sizeof link, "%s/out.xml", shared);
    snprintf(cmd, sizeof cmd, "mkdir %1$s && chmod 1777 %1$s && printf 'KEEP\n' > %2$s"
             " && ln -s %2$s %3$s", shared, target, link);
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    r = DOCKET(NULL, "-t", "xml", "-o", link, FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "a symbolic link in a directory others can write to "
                                "is not followed"), "%s", r.err);
    run_free(&r);
    char *kept = slurp(target, NULL);
    ck_assert_str_eq(kept, "KEEP\n");
    free(kept);
    char name[300], path[1000];
    memset(name, 'n', 250);
    strcpy(name + 250, ".xml");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    r = DOCKET(NULL, "-o", path, FIXTURES "/text/basic.txt");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(access(path, F_OK), 0);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Limits: an input larger than the limit is refused without reading it
 * all (/dev/zero would never end); a list starting at the largest number
 * is counted without overflowing. */
START_TEST(limits)
{
    run_result r = DOCKET(NULL, "--max-input-size", "1M", "/dev/zero");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "/dev/zero: input is larger than 1M (raise the limit "
                                "with --max-input-size)"), "%s", r.err);
    run_free(&r);
    r = DOCKET(NULL, "--max-input-size", "1K", FIXTURES "/seeds/pcc-letter-2018-peel-effectiveness.txt");
    ck_assert_int_eq(r.status, 1);
    run_free(&r);
    r = DOCKET(NULL, "--max-input-size", "lots", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    char *dir = temp_dir();
    char in[600];
    snprintf(in, sizeof in, "%s/list.json", dir);
    const char *json = "{\"type\":\"document\",\"children\":[{\"type\":\"meta\"},"
                       "{\"type\":\"body\",\"children\":[{\"type\":\"list\","
                       "\"attributes\":{\"start\":\"9223372036854775807\",\"type\":"
                       "\"ordered\"},\"children\":[{\"type\":\"item\",\"children\":[{"
                       "\"type\":\"p\",\"children\":[\"one\"]}]},{\"type\":\"item\","
                       "\"children\":[{\"type\":\"p\",\"children\":[\"two\"]}]}]}]}]}";
    /* JSON nested deeper than a document may be: refused by name; as deep
     * as it may be: read */
    for (int levels = 150; levels <= 250; levels += 100) {
        char path[600];
        snprintf(path, sizeof path, "%s/deep%d.json", dir, levels);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("{\"type\":\"document\",\"children\":[{\"type\":\"meta\"},"
              "{\"type\":\"body\",\"children\":[", f);
        for (int i = 0; i < levels; i++)
            fputs("{\"type\":\"quote\",\"children\":[", f);
        fputs("{\"type\":\"p\",\"children\":[\"deep\"]}", f);
        for (int i = 0; i < levels; i++)
            fputs("]}", f);
        fputs("]}]}", f);
        fclose(f);
        r = DOCKET(NULL, "-t", "text", path);
        if (levels < 200) {
            ck_assert_msg(r.status == 0 && strstr(r.out, "deep"), "%s", r.err);
        } else {
            ck_assert_int_eq(r.status, 1);
            ck_assert_msg(strstr(r.err, "document nests deeper than 200 levels"), "%s", r.err);
            ck_assert_str_eq(r.out, "");
        }
        run_free(&r);
    }
    spit(in, json, strlen(json));
    r = DOCKET(NULL, "-t", "text", in);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "9223372036854775807. ") &&
                  strstr(r.out, "9223372036854775808. "), "%s", r.out);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* docket's XML saved as UTF-16 with its byte order mark is XML, and reads
 * back to the same document. */
START_TEST(utf16_xml_is_xml)
{
    char *dir = temp_dir();
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%1$s -t xml %2$s/text/basic.txt > %3$s/a.xml && "
             "iconv -f utf-8 -t utf-16 %3$s/a.xml > %3$s/u16.xml && "
             "%1$s -t xml %3$s/u16.xml | cmp - %3$s/a.xml", DOCKET_BIN, FIXTURES, dir);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Replacing a file keeps its mode; a link is followed, not replaced. */
START_TEST(replaced_outputs_keep_mode_and_links)
{
    char *dir = temp_dir();
    char out[512], link[512];
    snprintf(out, sizeof out, "%s/private.json", dir);
    snprintf(link, sizeof link, "%s/link.json", dir);
    SPIT_LIT(out, "old\n");
    ck_assert_int_eq(chmod(out, 0600), 0);
    ck_assert_int_eq(symlink("private.json", link), 0);
    run_result r = DOCKET(NULL, "-o", link, FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 0);
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(stat(out, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    char *got = slurp(out, NULL);
    ck_assert(strncmp(got, "{\"type\":\"document\"", 18) == 0);
    free(got);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Batch mode: one output per input; a second input of the same name is
 * reported, not written over the first's output. */
START_TEST(batch_outputs_do_not_clash)
{
    char *dir = temp_dir();
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %1$s/a %1$s/b %1$s/out && cp %2$s %1$s/a/f.txt && "
             "cp %2$s %1$s/b/f.txt && printf '\001\002\003' > %1$s/bad.txt",
             dir, FIXTURES "/text/basic.txt");
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    char a[512], b[512], bad[512], out[512];
    snprintf(a, sizeof a, "%s/a/f.txt", dir);
    snprintf(b, sizeof b, "%s/b/f.txt", dir);
    snprintf(bad, sizeof bad, "%s/bad.txt", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    r = DOCKET(NULL, "-O", out, "-t", "xml", a, bad, b);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "b/f.txt: output ") &&
                  strstr(r.err, "was written for an earlier input"), "%s", r.err);
    ck_assert(strstr(r.err, "bad.txt: cannot tell the input format"));
    ck_assert(strstr(r.err, "docket: 1 converted, 2 failed\n"));
    ck_assert_int_eq(dir_entries(out), 1);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A device is written to, never replaced by a file. */
START_TEST(device_outputs_are_not_replaced)
{
    run_result r = DOCKET(NULL, "-o", "/dev/null", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 0);
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    run_free(&r);
}
END_TEST

/* An output that is an input (directly, through a link, or a batch output
 * that lands on another input) is refused and the input kept. */
START_TEST(inputs_are_never_outputs)
{
    char *dir = temp_dir();
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cp %2$s %1$s/in.txt && ln -s in.txt %1$s/link.txt && "
             "mkdir %1$s/letters && cp %2$s %1$s/letters/a.txt && "
             "cp %2$s %1$s/letters/b.json",
             dir, FIXTURES "/text/basic.txt");
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    size_t orig_len;
    char *orig = slurp(FIXTURES "/text/basic.txt", &orig_len);
    char in[512], link[512], letters[512], a[512], b[512];
    snprintf(in, sizeof in, "%s/in.txt", dir);
    snprintf(link, sizeof link, "%s/link.txt", dir);
    snprintf(letters, sizeof letters, "%s/letters", dir);
    snprintf(a, sizeof a, "%s/letters/a.txt", dir);
    snprintf(b, sizeof b, "%s/letters/b.json", dir);
    const char *outs[] = {in, link};
    for (int i = 0; i < 2; i++) {
        r = DOCKET(NULL, "-t", "xml", "-o", outs[i], in);
        ck_assert_int_eq(r.status, 1);
        ck_assert_msg(strstr(r.err, "is the input file; not converted"), "%s",
                      r.err);
        run_free(&r);
    }
    /* b.json (read as text) would write letters/b.txt... and a.txt would
     * replace itself */
    r = DOCKET(NULL, "-f", "text", "-t", "text", "-O", letters, b, a);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "a.txt: output ") &&
                  strstr(r.err, "is one of the inputs; not converted"), "%s",
                  r.err);
    run_free(&r);
    const char *kept[] = {in, a, b};
    for (int i = 0; i < 3; i++) {
        size_t len;
        char *now = slurp(kept[i], &len);
        ck_assert_msg(len == orig_len && !memcmp(now, orig, len), "%s changed",
                      kept[i]);
        free(now);
    }
    free(orig);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* /dev/stdout, /dev/stderr and /dev/fd/N are the descriptors docket was
 * given: appending where the shell appends, never replacing the file. */
START_TEST(descriptor_paths_are_written_in_place)
{
    char *dir = temp_dir();
    const char *dev[] = {"/dev/stdout", "/dev/stderr", "/dev/fd/3",
                         "/proc/self/fd/3"};
    const char *redir[] = {">>", "2>>", "3>>", "3>>"};
    for (int i = 0; i < 4; i++) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd,
                 "printf 'first line\n' > %1$s/log && %2$s -t text -o %3$s "
                 "%4$s %5$s %1$s/log && %2$s -t text -o %3$s %4$s %5$s "
                 "%1$s/log",
                 dir, DOCKET_BIN, dev[i], FIXTURES "/text/basic.txt", redir[i]);
        run_result r = run_sh(cmd);
        ck_assert_msg(r.status == 0, "%s: %s", dev[i], r.err);
        run_free(&r);
        char log[512];
        snprintf(log, sizeof log, "%s/log", dir);
        char *text = slurp(log, NULL);
        ck_assert_msg(strncmp(text, "first line\nAnnual Policing Report\n", 34) == 0,
                      "%s: %s", dev[i], text);
        char *second = strstr(text + 11, "Annual Policing Report");
        ck_assert_msg(second && strstr(second + 1, "Annual Policing Report"),
                      "%s: not appended twice", dev[i]);
        free(text);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Batch mode: a manifest line per input, bad inputs reported and skipped,
 * inputs from a list, shards that share the inputs out, -j that changes
 * nothing but the speed, --skip-existing. */
START_TEST(batch_mode)
{
    char *dir = temp_dir();
    char cmd[4096], out1[600], out2[600], man[600], list[600];
    snprintf(cmd, sizeof cmd,
             "cd %1$s && for i in 1 2 3 4 5 6 7 8 9 10 11; do "
             "cp %2$s/seeds/peel-2016-warwickshire-page.txt page$i.txt; done && "
             "printf '\001\002\003' > bad.txt && ls page*.txt > list",
             dir, FIXTURES);
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    snprintf(out1, sizeof out1, "%s/one", dir);
    snprintf(out2, sizeof out2, "%s/two", dir);
    snprintf(man, sizeof man, "%s/manifest.jsonl", dir);
    snprintf(list, sizeof list, "%s/list", dir);
    /* the inputs named relative to dir, as the list names them */
    const char *argv[] = {"/bin/sh", "-c", NULL, NULL};
    snprintf(cmd, sizeof cmd, "cd %s && %s -t xml -j 1 -O %s --manifest %s "
             "--files-from list bad.txt", dir, DOCKET_BIN, out1, man);
    argv[2] = cmd;
    r = run(argv, NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "docket: 11 converted, 1 failed\n"), "%s", r.err);
    run_free(&r);
    ck_assert_int_eq(dir_entries(out1), 11);
    char *m = slurp(man, NULL);
    int lines = 0, ok = 0;
    for (char *p = m; (p = strchr(p, '\n')); p++)
        lines++;
    for (char *p = m; (p = strstr(p, "\"status\":\"ok\"")); p++)
        ok++;
    ck_assert_int_eq(lines, 12);
    ck_assert_int_eq(ok, 11);
    ck_assert_msg(strstr(m, "{\"input\":\"bad.txt\",\"output\":null,\"status\":"
                            "\"failed\",\"error\":\"cannot tell the input format"), "%s", m);
    ck_assert(strstr(m, "\"sha256\":\"2ae786877fa20a9f5252b5f88d271c0dfa773ff7b6e13aea20ab0add74ff3a98\""));
    ck_assert(strstr(m, "\"reader\":\"text\",\"warnings\":0}"));
    free(m);
    /* the same with two jobs: the same files, byte for byte */
    snprintf(cmd, sizeof cmd, "cd %1$s && %2$s -t xml -j 2 -O %3$s --files-from "
             "list && diff -r %4$s %3$s", dir, DOCKET_BIN, out2, out1);
    r = run(argv, NULL, NULL);
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    run_free(&r);
    /* three shards: each input in one, all of them together */
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd, "cd %1$s && %2$s -t xml -O %1$s/shards "
                 "--shard %3$d/3 --manifest %1$s/shard%3$d.jsonl --files-from list",
                 dir, DOCKET_BIN, k);
        r = run(argv, NULL, NULL);
        ck_assert_msg(r.status == 0, "%s", r.err);
        run_free(&r);
    }
    snprintf(cmd, sizeof cmd, "cd %1$s && cat shard0.jsonl shard1.jsonl shard2.jsonl"
             " | grep -o '\"input\":\"[^\"]*\"' | sort > got && "
             "sed 's/^/\"input\":\"/; s/$/\"/' list | sort > want && cmp got want && "
             "test $(wc -l < shard0.jsonl) = 4 && test $(wc -l < shard2.jsonl) = 3 && "
             "diff -r one shards", dir);
    r = run(argv, NULL, NULL);
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    run_free(&r);
    /* --skip-existing: nothing to do the second time */
    snprintf(cmd, sizeof cmd, "cd %s && %s -t xml -O %s --skip-existing "
             "--files-from list", dir, DOCKET_BIN, out1);
    r = run(argv, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, "0 converted, 0 failed, 11 skipped"), "%s", r.err);
    run_free(&r);
    /* batch options without -O */
    r = DOCKET(NULL, "-j", "2", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    r = DOCKET(NULL, "-O", out1, "--shard", "3/3", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "--shard 3/3: not K/N with 0 <= K < N"));
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A batch interrupted by SIGINT (raised by a plugin at its seventh call)
 * stops cleanly: the conversion under way is finished, the outputs are
 * complete and in the manifest, no partial or temporary file is left, and
 * the command run again with --skip-existing finishes the job. */
START_TEST(batch_interrupted_and_resumed)
{
    char *dir = temp_dir();
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd %1$s && mkdir plugins && cp %2$s/interrupter.so plugins/ && "
             "%3$s --describe-plugin plugins/interrupter.so -o plugins/interrupter.manifest && "
             "for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do "
             "cp %4$s/text/basic.txt in$i.txt; done",
             dir, ABI_DIR, DOCKET_BIN, FIXTURES);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    snprintf(cmd, sizeof cmd, "cd %1$s && %2$s --plugin-dir %1$s/plugins -T interrupter "
             "-t xml -j 1 -O out --manifest m.jsonl --skip-existing in*.txt",
             dir, DOCKET_BIN);
    r = run(argv, NULL, NULL);
    ck_assert_int_eq(r.status, 130);
    int done = 0, left = 0;
    const char *summary = strstr(r.err, "docket: ");
    while (summary && strstr(summary + 1, "docket: "))
        summary = strstr(summary + 1, "docket: ");
    ck_assert_msg(summary && sscanf(summary, "docket: %d converted, 0 failed, %d not "
                                    "started", &done, &left) == 2, "%s", r.err);
    ck_assert_msg(done == 7 && left == 13, "%s", r.err);
    run_free(&r);
    char out[600];
    snprintf(out, sizeof out, "%s/out", dir);
    ck_assert_int_eq(dir_entries(out), done); /* no hidden temporary file either */
    snprintf(cmd, sizeof cmd, "cd %s && test $(grep -c '\"ok\"' m.jsonl) = %d && "
             "for f in out/*.xml; do tail -c 11 $f | grep -q '</document>' || exit 1; done",
             dir, done);
    r = run(argv, NULL, NULL);
    ck_assert_msg(r.status == 0, "partial output or manifest: %s", r.err);
    run_free(&r);
    /* the same command without the interruption goes on from there */
    snprintf(cmd, sizeof cmd, "cd %1$s && %2$s -t xml -j 1 -O out --manifest m.jsonl "
             "--skip-existing in*.txt", dir, DOCKET_BIN);
    r = run(argv, NULL, NULL);
    char want[128];
    snprintf(want, sizeof want, "%d converted, 0 failed, %d skipped (up to date)",
             left, done);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, want), "%s", r.err);
    run_free(&r);
    ck_assert_int_eq(dir_entries(out), 20);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(bad_inputs_get_clear_errors)
{
    char *dir = temp_dir();
    char empty[512], json[512];
    snprintf(empty, sizeof empty, "%s/empty.txt", dir);
    snprintf(json, sizeof json, "%s/broken.json", dir);
    SPIT_LIT(empty, "");
    SPIT_LIT(json, "{\"type\": \"document\",\n  \"children\": [}");

    run_result r = DOCKET(NULL, empty);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "empty.txt: input is empty\n"));
    run_free(&r);

    r = DOCKET(NULL, dir);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, ": is a directory\n"));
    run_free(&r);

    r = DOCKET(NULL, "-f", "json", json);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "broken.json: invalid JSON at line 2"), "%s",
                  r.err);
    run_free(&r);

    /* binary input cannot be identified */
    SPIT_LIT(empty, "\x01\x02\x03\x04\x05\x06\x07\x08");
    r = DOCKET(NULL, empty);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "cannot tell the input format"));
    run_free(&r);

    /* JSON that is not a docket document */
    SPIT_LIT(json, "[1, 2]");
    r = DOCKET(NULL, "-f", "json", json);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "expected an element object"), "%s", r.err);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(text_encodings_and_nul_bytes)
{
    char *dir = temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/in.txt", dir);

    /* Windows-1252: transcoded with one warning naming the byte */
    SPIT_LIT(path, "Caf\xe9 \x93quoted\x94\n");
    run_result r = DOCKET(NULL, "-t", "text", path);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "Café “quoted”\n");
    ck_assert_msg(strstr(r.err, "in.txt: warning: invalid UTF-8 at byte 3, "
                                "read as Windows-1252"), "%s", r.err);
    run_free(&r);

    /* UTF-16 with a byte order mark */
    SPIT_LIT(path, "\xff\xfeH\0i\0 \0\xac\x20\n\0");
    r = DOCKET(NULL, "-f", "text", "-t", "text", path);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "Hi €\n");
    run_free(&r);

    /* UTF-8 BOM and CRLF */
    SPIT_LIT(path, "\xef\xbb\xbfOne\r\ntwo.\r\n\r\nThree.\r\n");
    r = DOCKET(NULL, "-t", "text", path);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "One two.\n\nThree.\n");
    ck_assert_str_eq(r.err, "");
    run_free(&r);

    /* lines that end in CR alone (old Mac files), and a CR in mid-line */
    SPIT_LIT(path, "One\rtwo.\r\rThree\rfour.\nFive.\n");
    r = DOCKET(NULL, "-t", "text", path);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "One two.\n\nThree four. Five.\n");
    run_free(&r);

    /* NUL bytes are replaced and reported, never a crash */
    SPIT_LIT(path, "a\0b.\n");
    r = DOCKET(NULL, "-f", "text", "-t", "text", path);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "a\xef\xbf\xbd" "b.\n");
    ck_assert(strstr(r.err, "NUL byte at byte 1"));
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
    run_result r = DOCKET(NULL, "--frobnicate");
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "unknown option: --frobnicate"));
    run_free(&r);

    r = DOCKET(NULL, "-t", "nonesuch", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "no writer for 'nonesuch'"));
    run_free(&r);

    r = DOCKET(NULL, "-T", "nonesuch", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "no transform 'nonesuch'"));
    run_free(&r);

    r = DOCKET(NULL, "a.txt", "b.txt");
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "several inputs need -O DIR"));
    run_free(&r);

    /* a missing argument is not an unknown option, and names the option */
    r = DOCKET(NULL, "-f");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "docket: option -f needs an argument\n"
                            "Try 'docket --help' for more information.\n");
    run_free(&r);
    r = DOCKET(NULL, "--output");
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "option --output needs an argument"));
    run_free(&r);
    r = DOCKET(NULL, "-Z");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "docket: unknown option: -Z\n"
                            "Try 'docket --help' for more information.\n");
    run_free(&r);
    /* --metadata takes known keys; -o's extension must name a writer */
    r = DOCKET(NULL, "--metadata", "author", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "--metadata author: unknown key"));
    run_free(&r);
    r = DOCKET(NULL, "-o", "/tmp/out.frob", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "cannot tell the output format from '/tmp/out.frob'"));
    run_free(&r);

    r = DOCKET(NULL, "--help");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "usage: docket"));
    run_free(&r);

    r = DOCKET(NULL, "--version");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "docket 0.2.0", 12) == 0);
    run_free(&r);
}
END_TEST

START_TEST(stdin_stdout_and_output_extension)
{
    run_result r = DOCKET(FIXTURES "/text/basic.txt", "-t", "text");
    ck_assert_int_eq(r.status, 0);
    assert_matches_file(r.out, r.out_len, FIXTURES "/text/basic.expected.txt");
    run_free(&r);

    r = DOCKET(FIXTURES "/text/basic.txt", "-t", "json", "-");
    ck_assert_int_eq(r.status, 0);
    /* no file name for standard input */
    ck_assert(strstr(r.out, "\"source\",\"attributes\":{\"format\":\"text\","
                            "\"sha256\""));
    run_free(&r);

    char *dir = temp_dir();
    char out[512];
    snprintf(out, sizeof out, "%s/plain.txt", dir);
    r = DOCKET(NULL, "-o", out, FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 0);
    size_t len;
    char *got = slurp(out, &len);
    assert_matches_file(got, len, FIXTURES "/text/basic.expected.txt");
    free(got);
    struct stat st;
    ck_assert_int_eq(stat(out, &st), 0);
    ck_assert_int_ne(st.st_mode & 0044, 0); /* not left 0600 */
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* One of the test plugins (ABI_DIR/name.so) alone in dir/plugins, with its
 * manifest; opt becomes the --plugin-dir option naming that folder. */
static void test_plugin(const char *dir, const char *name, char *opt, size_t len)
{
    char plugins[512], cmd[4096];
    snprintf(plugins, sizeof plugins, "%s/plugins", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %1$s && cp %2$s/%4$s.so %1$s/ && "
             "%3$s --describe-plugin %1$s/%4$s.so -o %1$s/%4$s.manifest",
             plugins, ABI_DIR, DOCKET_BIN, name);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    snprintf(opt, len, "--plugin-dir=%s", plugins);
}

/* Run a shell command line that ends in exec (so that the shell becomes
 * the program); its exit status, and its peak memory in KiB in *peak. */
static int exec_peak(const char *cmdline, long *peak)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmdline, (char *)NULL);
        _exit(127);
    }
    int st;
    struct rusage ru;
    ck_assert_int_eq(wait4(pid, &st, 0, &ru), pid);
    *peak = ru.ru_maxrss;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Standard output is held until the conversion has succeeded, but past
 * 1 MiB not in memory: a 64 MiB output goes out whole while docket's peak
 * memory stays far below it (the rest waits in an unnamed temporary file),
 * also where there is no O_TMPFILE; a temporary folder that cannot be
 * written only keeps it in memory; a failure after 4 MiB writes nothing. */
START_TEST(held_output_is_not_all_in_memory)
{
    char *dir = temp_dir();
    char opt[600], plugins[600], cmd[4096], out[600], tmp[600];
    test_plugin(dir, "largeout", opt, sizeof opt);
    test_plugin(dir, "largefail", opt, sizeof opt);
    snprintf(plugins, sizeof plugins, "%s/plugins", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    struct rusage self;
    getrusage(RUSAGE_SELF, &self); /* a forked child starts at this size */
    static const struct {
        const char *env, *tmpdir;
        bool spills;
    } cases[] = {
        {"", "%s", true},
        {"ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 LD_PRELOAD=" NOTMPFILE,
         "%s", true},
        {"", "%s/none", false},
    };
    for (size_t i = 0; i < 3; i++) {
        char tmpdir[700];
        snprintf(tmpdir, sizeof tmpdir, cases[i].tmpdir, tmp);
        snprintf(cmd, sizeof cmd, "TMPDIR=%s %s exec %s --plugin-dir %s -t largeout "
                 "%s/text/basic.txt > %s", tmpdir, cases[i].env, DOCKET_BIN, plugins,
                 FIXTURES, out);
        long peak;
        ck_assert_int_eq(exec_peak(cmd, &peak), 0);
        struct stat st;
        ck_assert_int_eq(stat(out, &st), 0);
        ck_assert_int_eq(st.st_size, 64 << 20);
        if (cases[i].spills)
            ck_assert_msg(peak < self.ru_maxrss + (32 << 10),
                          "case %zu: peak %ld KiB for a 64 MiB output", i, peak);
        else
            ck_assert_msg(peak > 64 << 10, "case %zu: peak %ld KiB", i, peak);
        ck_assert_int_eq(dir_entries(tmp), 0);
    }
    char *data = slurp(out, NULL);
    ck_assert_ptr_nonnull(data);
    for (size_t k = 0; k < (64u << 20); k += 4093)
        ck_assert_int_eq(data[k], 'x');
    free(data);
    snprintf(cmd, sizeof cmd, "TMPDIR=%s %s --plugin-dir %s -t largefail "
             "%s/text/basic.txt", tmp, DOCKET_BIN, plugins, FIXTURES);
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 1);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_msg(strstr(r.err, "failed half way, on purpose"), "%s", r.err);
    run_free(&r);
    ck_assert_int_eq(dir_entries(tmp), 0);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* What a reader gives back (dk_ctx_input_done) is gone: reading it again
 * faults at once rather than reading zeros as if they were the text. A
 * small input is not in pages of its own and is kept. */
START_TEST(input_given_back_is_gone)
{
    char *dir = temp_dir();
    char opt[600], big[600], small[600];
    test_plugin(dir, "givesback", opt, sizeof opt);
    snprintf(big, sizeof big, "%s/big.txt", dir);
    snprintf(small, sizeof small, "%s/small.txt", dir);
    size_t size = 2u << 20;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < size; i++)
        text[i] = "word "[i % 5];
    spit(big, text, size);
    free(text);
    SPIT_LIT(small, "word\n");
    run_result r = DOCKET(NULL, opt, "-f", "probed", big);
    /* the sanitizers report the fault themselves and exit 1 */
    ck_assert_msg(r.status == 128 + SIGSEGV || strstr(r.err, "SEGV"),
                  "%d %s", r.status, r.err);
    run_free(&r);
    r = DOCKET(NULL, opt, "-f", "probed", small);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Seed files one after another, a newline after each, repeated to at
 * least size bytes. Transfer full; *len its length. */
static char *seed_corpus(const char *const *seeds, size_t n, size_t size, size_t *len)
{
    char path[600];
    size_t unit_len = 0;
    char *unit = NULL;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/seeds/%s", FIXTURES, seeds[i]);
        size_t l;
        char *t = slurp(path, &l);
        ck_assert_ptr_nonnull(t);
        unit = realloc(unit, unit_len + l + 1);
        ck_assert_ptr_nonnull(unit);
        memcpy(unit + unit_len, t, l);
        unit_len += l;
        unit[unit_len++] = '\n';
        free(t);
    }
    char *text = malloc(size + unit_len);
    ck_assert_ptr_nonnull(text);
    *len = 0;
    while (*len < size) {
        memcpy(text + *len, unit, unit_len);
        *len += unit_len;
    }
    free(unit);
    return text;
}

/* The peak memory of converting path to JSON (into out), in KiB. */
static long json_peak(const char *path, const char *out, bool piped)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, piped ? "exec %1$s -t json -o %2$s < %3$s 2>/dev/null"
                                    : "exec %1$s -t json -o %2$s %3$s 2>/dev/null",
             DOCKET_BIN, out, path);
    long peak;
    ck_assert_int_eq(exec_peak(cmd, &peak), 0);
    return peak;
}

/* A conversion told that the process ends after it (DK_OPT_EXITING, as
 * the docket command converting one input) leaves its tree to the system:
 * 4 MiB of pages converted in-process keep their text allocated after it,
 * and give it back without the flag; the output is the same. */
START_TEST(exiting_conversion_leaves_its_tree)
{
#if !defined(__SANITIZE_ADDRESS__)
    static const char *const seeds[] = {"peel-2016-warwickshire-page.txt"};
    size_t size;
    char *text = seed_corpus(seeds, 1, 4u << 20, &size);
    const char *dirs[] = {PLUGIN_DIR, NULL};
    dk_registry *reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV | DK_REGISTRY_NO_DEFAULTS,
                                        NULL, NULL);
    ck_assert_ptr_nonnull(reg);
    char *out[2] = {NULL, NULL};
    size_t out_len[2];
    long long kept[2];
    for (int exiting = 0; exiting < 2; exiting++) {
        dk_options *o = dk_options_new();
        dk_options_set_to(o, "json");
        dk_options_set_flags(o, exiting ? DK_OPT_EXITING : 0);
        struct mallinfo2 before = mallinfo2();
        ck_assert_int_eq(dk_convert_memory(reg, o, "pages.txt", text, size, &out[exiting],
                                           &out_len[exiting]),
                         DK_E_OK);
        dk_options_free(o);
        struct mallinfo2 after = mallinfo2();
        /* in the heap and in blocks of their own; the output is allocated
         * too: not counted */
        kept[exiting] = (long long)(after.uordblks + after.hblkhd) -
                        (long long)(before.uordblks + before.hblkhd) -
                        (long long)malloc_usable_size(out[exiting]);
    }
    ck_assert_msg(kept[0] < (long long)size / 16, "%lld bytes kept after a conversion",
                  kept[0]);
    ck_assert_msg(kept[1] > (long long)size / 2,
                  "%lld bytes kept after an exiting conversion", kept[1]);
    ck_assert_uint_eq(out_len[0], out_len[1]);
    ck_assert(memcmp(out[0], out[1], out_len[0]) == 0);
    free(out[0]);
    free(out[1]);
    free(text);
    dk_registry_close(reg);
#endif
}
END_TEST

/* The text reader gives its input back as it reads, and the tree is lean
 * (32-byte nodes, a block's offset inside its node): 24 MiB of pages peak
 * at less than 1.75 times the input (measured 1.5; the input and the tree
 * held at once took 2.9 times, 48-byte nodes with the offset apart 1.8),
 * and give the same document as from memory the caller owns, which is
 * never given back; the document read back from JSON and XML as large is
 * the same. 24 MiB of letters peak as low (measured 1.5; with every
 * block's text copied for the letter transform, 2.4). */
START_TEST(text_reader_gives_input_back)
{
    static const char *const seeds[] = {"peel-2016-warwickshire-page.txt",
                                        "peel-2014-west-midlands-page.txt"};
    static const char *const letters[] = {"pcc-letter-2018-peel-effectiveness.txt",
                                          "hmic-letter-2014-core-business.txt"};
    char *dir = temp_dir();
    char path[600], out[600], cmd[8192];
    size_t size;
    char *text = seed_corpus(seeds, 2, 24u << 20, &size);
    snprintf(path, sizeof path, "%s/big.txt", dir);
    snprintf(out, sizeof out, "%s/big.json", dir);
    spit(path, text, size);
    /* from the file, then from a pipe (read into memory that grows, put in
     * pages of its own once it is large) */
    for (int piped = 0; piped < 2; piped++) {
        char o[700];
        snprintf(o, sizeof o, piped ? "%s.piped" : "%s", out);
        long peak = json_peak(path, o, piped);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
        /* (the sanitizers' own memory would hide it) */
        ck_assert_msg(peak < (long)(size / 1024) * 7 / 4,
                      "peak %ld KiB for %zu KiB of pages%s", peak, size / 1024,
                      piped ? " from a pipe" : "");
#endif
        (void)peak;
    }
    {
        char lpath[700], lout[700];
        size_t lsize;
        char *ltext = seed_corpus(letters, 2, 24u << 20, &lsize);
        snprintf(lpath, sizeof lpath, "%s/letters.txt", dir);
        snprintf(lout, sizeof lout, "%s/letters.json", dir);
        spit(lpath, ltext, lsize);
        free(ltext);
        long peak = json_peak(lpath, lout, false);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
        ck_assert_msg(peak < (long)(lsize / 1024) * 7 / 4,
                      "peak %ld KiB for %zu KiB of letters", peak, lsize / 1024);
#endif
        (void)peak;
        unlink(lpath);
        unlink(lout);
    }
    const char *dirs[] = {PLUGIN_DIR, NULL};
    dk_registry *reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV | DK_REGISTRY_NO_DEFAULTS,
                                        NULL, NULL);
    dk_options *o = dk_options_new();
    dk_options_set_to(o, "json");
    char *mem = NULL;
    size_t mem_len = 0;
    ck_assert_int_eq(dk_convert_memory(reg, o, "big.txt", text, size, &mem, &mem_len),
                     DK_E_OK);
    free(text);
    size_t file_len;
    char *file = slurp(out, &file_len);
    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(file_len, mem_len);
    ck_assert(memcmp(file, mem, mem_len) == 0);
    /* the same from the pipe, but for the file's name */
    char piped[700];
    snprintf(piped, sizeof piped, "%s.piped", out);
    size_t piped_len;
    char *from_pipe = slurp(piped, &piped_len);
    ck_assert_ptr_nonnull(from_pipe);
    const char *name = "\"name\":\"big.txt\",", *at = strstr(file, name);
    ck_assert_ptr_nonnull(at);
    size_t before = (size_t)(at - file), nl = strlen(name);
    ck_assert_uint_eq(piped_len + nl, file_len);
    ck_assert(memcmp(from_pipe, file, before) == 0);
    ck_assert(memcmp(from_pipe + before, at + nl, file_len - before - nl) == 0);
    free(from_pipe);
    /* the JSON and XML readers give back their (large) input once parsed:
     * the round trips stay byte for byte */
    char again[700], xml[700];
    snprintf(again, sizeof again, "%s.again", out);
    snprintf(xml, sizeof xml, "%s.xml", out);
    snprintf(cmd, sizeof cmd, "%1$s -f json -t json -o %2$s %3$s && %1$s -f json -t xml "
             "-o %4$s %3$s && %1$s -f xml -t json %4$s | cmp - %3$s && cmp %2$s %3$s",
             DOCKET_BIN, again, out, xml);
    run_result rt = run_sh(cmd);
    ck_assert_msg(rt.status == 0, "%s", rt.err);
    run_free(&rt);
    free(file);
    free(mem);
    dk_options_free(o);
    dk_registry_close(reg);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A transform that nests the document deeper than DK_MAX_DEPTH fails the
 * conversion, naming itself; nothing is written. */
START_TEST(transform_nesting_too_deep_fails)
{
    char *dir = temp_dir();
    char opt[600], out[600];
    test_plugin(dir, "nester", opt, sizeof opt);
    snprintf(out, sizeof out, "%s/out.xml", dir);
    run_result r = DOCKET(NULL, opt, "-T", "nester", "-o", out, FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "basic.txt: transform 'nester' nested the document "
                                "deeper than 200 levels"), "%s", r.err);
    ck_assert_int_eq(access(out, F_OK), -1);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* -q, -v, --fail-if-warnings, a repeated warning said once, an option
 * the writer ignores said to be ignored. */
START_TEST(warnings_and_verbosity)
{
    char *dir = temp_dir();
    char in[512];
    snprintf(in, sizeof in, "%s/bytes.txt", dir);
    /* a plugin that says the same thing 3000 times: once, counted */
    char opt[600];
    test_plugin(dir, "warner", opt, sizeof opt);
    run_result r = DOCKET(NULL, opt, "-T", "warner", "-t", "text", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, "basic.txt: warning: the same thing again (3000 "
                                "times)\n"), "%s", r.err);
    ck_assert_msg(!strstr(strstr(r.err, "warning:") + 1, "warning:"), "%s", r.err);
    run_free(&r);
    /* sixty different warnings: forty-nine shown and the rest summed up,
     * all of them with -v */
    char reps[61 * 24 + 1] = "";
    for (int i = 0; i < 61; i++)
        strcat(reps, "Officers were visible.\n\n");
    snprintf(in, sizeof in, "%s/repeats.txt", dir);
    spit(in, reps, strlen(reps));
    r = DOCKET(NULL, "-t", "text", in);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "Officers were visible.\n");
    size_t lines = 0;
    for (const char *p = r.err; (p = strchr(p, '\n')); p++)
        lines++;
    ck_assert_uint_eq(lines, 50);
    ck_assert_msg(strstr(r.err, "repeated paragraph at byte 1176\n") &&
                  !strstr(r.err, "at byte 1200\n") &&
                  strstr(r.err, "repeats.txt: warning: 11 more warnings (--verbose "
                                "shows them all)\n"), "%s", r.err);
    run_free(&r);
    r = DOCKET(NULL, "-v", "-t", "text", in);
    ck_assert_msg(strstr(r.err, "repeated paragraph at byte 1440\n") &&
                  !strstr(r.err, "more warnings"), "%s", r.err);
    run_free(&r);
    snprintf(in, sizeof in, "%s/bytes.txt", dir);
    /* a NUL byte in a line of text: a warning */
    char text[300];
    memset(text, 'a', sizeof text);
    text[10] = '\0';
    text[sizeof text - 1] = '\n';
    spit(in, text, sizeof text);
    r = DOCKET(NULL, "-q", "-t", "text", in);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    run_free(&r);
    r = DOCKET(NULL, "--fail-if-warnings", "-t", "text", in);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "--fail-if-warnings; not written"));
    ck_assert_str_eq(r.out, "");
    run_free(&r);
    r = DOCKET(NULL, "-v", "-t", "xml", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, "basic.txt: reader text: ") &&
                  strstr(r.err, "basic.txt: transform clean: ") &&
                  strstr(r.err, "basic.txt: writer xml: "), "%s", r.err);
    run_free(&r);
    char out[512];
    snprintf(out, sizeof out, "%s/x.docx", dir);
    r = DOCKET(NULL, "--pretty", "-o", out, FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.err, "warning: --pretty has no effect on docx output"));
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Inputs docket has no reader for are refused by name, never read as text
 * with exit 0 (-f text still reads them); validate says what is not a
 * docket document; -O creates its folder. */
START_TEST(what_docket_cannot_read)
{
    char *dir = temp_dir();
#define CASE(name, bytes, what) {name, bytes, sizeof(bytes) - 1, what}
    static const struct {
        const char *name, *bytes;
        size_t len;
        const char *what;
    } cases[] = {
        CASE("a.pdf", "%PDF-1.7\n1 0 obj\n", "this is PDF"),
        CASE("a.docx", "PK\x03\x04\x14\x00\x06\x00word/document.xml", "this is DOCX"),
        CASE("a.html", "<!DOCTYPE html><html><body><p>Hi</p></body></html>\n",
             "this is HTML"),
        CASE("a.json", "{\"name\": \"x\", \"list\": [1, 2]}\n", "JSON of another shape"),
    };
#undef CASE
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char in[512];
        snprintf(in, sizeof in, "%s/%s", dir, cases[i].name);
        spit(in, cases[i].bytes, cases[i].len);
        run_result r = DOCKET(NULL, "-t", "text", in);
        /* never read as text; with a reader installed (html, pdf) that
         * reader takes it (and may find it broken) */
        ck_assert_msg(!strstr(r.out, "<!DOCTYPE") && !strstr(r.out, "%PDF"),
                      "%s read as text", cases[i].name);
        bool has_reader = !strcmp(cases[i].name, "a.pdf") || !strcmp(cases[i].name, "a.html");
        if (r.status != 0 || !has_reader) {
            ck_assert_int_eq(r.status, 1);
            ck_assert_msg(has_reader || strstr(r.err, cases[i].what), "%s: %s",
                          cases[i].name, r.err);
        }
        run_free(&r);
        r = DOCKET(NULL, "-f", "text", "-t", "text", in);
        ck_assert_msg(r.status == 0, "%s: %s", cases[i].name, r.err);
        run_free(&r);
    }
    char txt[512];
    snprintf(txt, sizeof txt, "%s/note.txt", dir);
    spit(txt, "Just a note.\n", 13);
    run_result r = DOCKET(NULL, "validate", txt);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "note.txt: not a docket document"), "%s", r.err);
    ck_assert_str_eq(r.out, "");
    run_free(&r);
    /* -O creates the folder, nested */
    char outdir[512], made[600];
    snprintf(outdir, sizeof outdir, "%s/new/deeper", dir);
    r = DOCKET(NULL, "-t", "xml", "-O", outdir, txt);
    ck_assert_int_eq(r.status, 0);
    snprintf(made, sizeof made, "%s/note.xml", outdir);
    ck_assert_int_eq(access(made, F_OK), 0);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(list_plugins_and_formats)
{
    run_result r = DOCKET(NULL, "--list-plugins");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "json         reader,writer"), "%s", r.out);
    ck_assert(strstr(r.out, "lib/docket/plugins/json.so\n"));
    ck_assert(strstr(r.out, "text         reader,writer"));
    ck_assert(strstr(r.out, "lib/docket/plugins/text.so\n"));
    run_free(&r);

    r = DOCKET(NULL, "--list-formats");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "Input formats (-f):\n"));
    ck_assert(strstr(r.out, "  text       (.txt, .text)\n"));
    run_free(&r);
}
END_TEST

/* A plugin of another ABI, whose manifest hides it: named and skipped
 * when a conversion needs it; the others work. */
START_TEST(wrong_abi_plugin_is_named_and_skipped)
{
    char *dir = temp_dir();
    char cmd[1024], env_path[600];
    snprintf(cmd, sizeof cmd, "cp %s/badabi.so %s/ && printf 'docket-plugin-"
             "manifest 1\nabi 1.0\nname badabi\nversion 1.0\nkinds transform\n'"
             " > %s/badabi.manifest", BADABI_DIR, dir, dir);
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    snprintf(env_path, sizeof env_path, "DOCKET_PLUGIN_PATH=%s", dir);
    const char *argv[] = {DOCKET_BIN, "-T", "badabi", FIXTURES "/text/basic.txt", NULL};
    const char *env[] = {env_path, NULL};
    r = run(argv, NULL, env);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "/badabi.so: warning: plugin built for ABI 99.0, "
                                "this docket has ABI 1.2; not loaded"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "no transform 'badabi'"), "%s", r.err);
    run_free(&r);
    const char *list[] = {DOCKET_BIN, "--list-plugins", NULL};
    r = run(list, NULL, env);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "json") != NULL);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(plugin_dir_option_adds_a_folder)
{
    char *dir = temp_dir();
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp %s/text.so %s/text.manifest %s/", PLUGIN_DIR,
             PLUGIN_DIR, dir);
    run_result r = run_sh(cmd);
    run_free(&r);
    r = DOCKET(NULL, "--plugin-dir", dir, "--list-plugins");
    ck_assert_int_eq(r.status, 0);
    char want[600];
    snprintf(want, sizeof want, "%s/text.so\n", dir);
    ck_assert_msg(strstr(r.out, want), "%s", r.out);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(closed_pipe_exits_quietly)
{
    char cmd[1024];
    /* a long document, so that the writer is still writing */
    snprintf(cmd, sizeof cmd,
             "for i in $(seq 1 3000); do printf 'Paragraph %%s of many.\\n\\n' $i; "
             "done > /tmp/docket-pipe-$$.txt; "
             "DOCKET_PLUGIN_PATH= %s -t text /tmp/docket-pipe-$$.txt | head -n 1; "
             "rm -f /tmp/docket-pipe-$$.txt",
             DOCKET_BIN);
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "Paragraph 1 of many.\n");
    ck_assert_str_eq(r.err, "");
    run_free(&r);
}
END_TEST

START_TEST(huge_single_line)
{
    char *dir = temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/long.txt", dir);
    size_t size = 50u << 20;
    char *big = malloc(size);
    for (size_t i = 0; i < size; i++)
        big[i] = i % 7 == 6 ? ' ' : 'a' + (char)(i % 7);
    big[size - 1] = '.';
    spit(path, big, size);
    free(big);
    run_result r = DOCKET(NULL, "-t", "text", path);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.out_len, size + 1);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* CPU seconds the children have used so far. */
static double children_cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_CHILDREN, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec +
           ((double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_usec) / 1e6;
}

/* Seconds of CPU to convert a text of `size` bytes that fill() writes. */
static double convert_cpu(const char *dir, size_t size, void (*fill)(char *, size_t))
{
    char path[512];
    snprintf(path, sizeof path, "%s/in-%zu.txt", dir, size);
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    fill(text, size);
    text[size - 1] = '\n';
    spit(path, text, size);
    free(text);
    double t0 = children_cpu();
    run_result r = DOCKET(NULL, "-t", "json", "-o", "/dev/null", path);
    double t = children_cpu() - t0;
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    return t;
}

static void repeat_fill(char *text, size_t size, const char *unit)
{
    size_t n = strlen(unit);
    for (size_t i = 0; i < size; i++)
        text[i] = unit[i % n];
}

/* One paragraph of lines, each continuing the last. */
static void continuation(char *text, size_t size)
{
    repeat_fill(text, size, "the force should review how it responds to missing people\n");
}

/* The same short paragraph again and again: each a repeat, removed with a
 * warning of its own. */
static void repeats(char *text, size_t size)
{
    repeat_fill(text, size, "Officers were visible.\n\n");
}

/* Short paragraphs, each its own, and headings between them. */
static void distinct(char *text, size_t size)
{
    size_t i = 0;
    for (unsigned k = 0; i < size; k++) {
        char unit[80];
        int n = k % 10 ? snprintf(unit, sizeof unit, "Visit %u found %u officers.\n\n", k, k * 7)
                       : snprintf(unit, sizeof unit, "PART %u\n\n", k);
        for (int j = 0; j < n && i < size; j++)
            text[i++] = unit[j];
    }
}

/* Cost grows with the input, not with its square: ten times the input
 * takes well under a hundred times as long (the sanitizers' realloc always
 * copies, so text grown to its exact size each time shows there). */
START_TEST(cost_is_linear)
{
    char *dir = temp_dir();
    void (*shapes[])(char *, size_t) = {continuation, repeats, distinct};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        convert_cpu(dir, 64u << 10, shapes[k]); /* warm the caches */
        double small = convert_cpu(dir, 512u << 10, shapes[k]);
        double large = convert_cpu(dir, 5u << 20, shapes[k]);
        /* a floor for the small run, which may take no measurable time */
        double floor = small > 0.02 ? small : 0.02;
        ck_assert_msg(large < 25 * floor, "shape %zu: 0.5 MB in %.3f s, 5 MB in %.3f s",
                      k, small, large);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Seconds of CPU for a batch of `n` small texts (every output name and
 * input checked against the others). */
static double batch_cpu(const char *dir, size_t n)
{
    char list[512], out[512], path[512];
    snprintf(list, sizeof list, "%s/list-%zu", dir, n);
    snprintf(out, sizeof out, "%s/out-%zu", dir, n);
    FILE *f = fopen(list, "w");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/in-%zu.txt", dir, i);
        if (access(path, F_OK) != 0)
            spit(path, "A paragraph.\n", 13);
        fprintf(f, "%s\n", path);
    }
    fclose(f);
    double t0 = children_cpu();
    run_result r = DOCKET(NULL, "-t", "json", "-j", "1", "-O", out, "--files-from", list);
    double t = children_cpu() - t0;
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    return t;
}

/* Ten times the files take well under a hundred times as long: outputs
 * are checked against each other and against the inputs without
 * comparing every pair. */
START_TEST(batch_cost_is_linear)
{
    char *dir = temp_dir();
    double small = batch_cpu(dir, 300);
    double large = batch_cpu(dir, 3000);
    double floor = small > 0.05 ? small : 0.05;
    /* linear is 10 times, comparing every pair 100 times; CPU time on a
     * busy machine wanders by half again or more */
    ck_assert_msg(large < 40 * floor, "300 files in %.3f s, 3000 in %.3f s", small, large);
    rm_rf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fixtures_match_expected);
    tcase_add_test(tc, json_round_trip);
    tcase_add_test(tc, documents_get_meta_and_body);
    tcase_add_test(tc, missing_input_fails_and_writes_nothing);
    tcase_add_test(tc, failure_keeps_existing_output);
    tcase_add_test(tc, failing_writers_leave_no_trace);
    tcase_add_test(tc, outputs_in_shared_folders_and_long_names);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, utf16_xml_is_xml);
    tcase_add_test(tc, device_outputs_are_not_replaced);
    tcase_add_test(tc, replaced_outputs_keep_mode_and_links);
    tcase_add_test(tc, batch_outputs_do_not_clash);
    tcase_add_test(tc, inputs_are_never_outputs);
    tcase_add_test(tc, batch_mode);
    tcase_add_test(tc, batch_interrupted_and_resumed);
    tcase_add_test(tc, descriptor_paths_are_written_in_place);
    tcase_add_test(tc, bad_inputs_get_clear_errors);
    tcase_add_test(tc, text_encodings_and_nul_bytes);
    tcase_add_test(tc, usage_errors_exit_2);
    tcase_add_test(tc, stdin_stdout_and_output_extension);
    tcase_add_test(tc, held_output_is_not_all_in_memory);
    tcase_add_test(tc, input_given_back_is_gone);
    tcase_add_test(tc, text_reader_gives_input_back);
    tcase_add_test(tc, exiting_conversion_leaves_its_tree);
    tcase_add_test(tc, list_plugins_and_formats);
    tcase_add_test(tc, warnings_and_verbosity);
    tcase_add_test(tc, transform_nesting_too_deep_fails);
    tcase_add_test(tc, what_docket_cannot_read);
    tcase_add_test(tc, wrong_abi_plugin_is_named_and_skipped);
    tcase_add_test(tc, plugin_dir_option_adds_a_folder);
    tcase_add_test(tc, closed_pipe_exits_quietly);
    tcase_add_test(tc, huge_single_line);
    tcase_add_test(tc, cost_is_linear);
    tcase_add_test(tc, batch_cost_is_linear);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    return failed;
}
