/* The canonical XML: writer, reader, round trips, hostile input, schema
 * validation and `docket validate`. */
#define _GNU_SOURCE
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* The inputs every XML property is checked on. */
static const char *const inputs[] = {
    FIXTURES "/text/basic.txt",
    FIXTURES "/xml/all-elements.xml",
    FIXTURES "/seeds/hmic-letter-2014-core-business.txt",
    FIXTURES "/seeds/news-article-2015-requires-improvement.txt",
    FIXTURES "/seeds/pcc-letter-2018-peel-effectiveness.txt",
    FIXTURES "/seeds/peel-2014-west-midlands-page.txt",
    FIXTURES "/seeds/peel-2016-warwickshire-page.txt",
    FIXTURES "/structure/force-page-2017-northshire.txt",
    FIXTURES "/structure/letter-recipient-first.txt",
    FIXTURES "/structure/letter-right-aligned-sender.txt",
    FIXTURES "/structure/press-article-2016.txt",
    FIXTURES "/structure/cp1252-force-page.txt",
    FIXTURES "/structure/crlf-letter.txt",
    NULL,
};

/* Convert in to format, into dir/stem.ext; returns the path (static). */
static const char *convert(const char *dir, const char *in, const char *from,
                           const char *to, const char *name)
{
    static char out[16][512];
    static int slot;
    char *path = out[slot++ % 16];
    snprintf(path, 512, "%s/%s", dir, name);
    run_result r = from ? DOCKET(NULL, "-f", from, "-t", to, "-o", path, in)
                        : DOCKET(NULL, "-t", to, "-o", path, in);
    ck_assert_msg(r.status == 0, "%s -> %s: %s", in, to, r.err);
    run_free(&r);
    return path;
}

static void assert_same_files(const char *a, const char *b)
{
    size_t len;
    char *data = slurp(a, &len);
    ck_assert_ptr_nonnull(data);
    assert_matches_file(data, len, b);
    free(data);
}

START_TEST(outputs_validate)
{
    char *dir = temp_dir();
    for (const char *const *in = inputs; *in; in++) {
        const char *xml = convert(dir, *in, NULL, "xml", "out.xml");
        run_result r = DOCKET(NULL, "validate", xml);
        ck_assert_msg(r.status == 0, "%s: %s", *in, r.err);
        ck_assert(strstr(r.out, "out.xml: valid\n"));
        run_free(&r);
        const char *argv[] = {"/usr/bin/xmllint", "--noout", "--relaxng",
                              SCHEMA_DIR "/docket.rng", xml, NULL};
        r = run(argv, NULL, NULL);
        ck_assert_msg(r.status == 0, "xmllint on %s: %s", *in, r.err);
        run_free(&r);
        const char *json = convert(dir, *in, NULL, "json", "out.json");
        r = DOCKET(NULL, "validate", json);
        ck_assert_msg(r.status == 0, "%s: %s", *in, r.err);
        run_free(&r);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The JSON outputs match the shipped JSON Schema, checked by an
 * independent validator (python3-jsonschema). */
START_TEST(json_outputs_match_json_schema)
{
    char *dir = temp_dir();
    char cmd[8192];
    int n = snprintf(cmd, sizeof cmd,
                     "/usr/bin/python3 -c 'import json, sys, jsonschema\n"
                     "s = json.load(open(sys.argv[1]))\n"
                     "jsonschema.Draft202012Validator.check_schema(s)\n"
                     "for f in sys.argv[2:]:\n"
                     "    jsonschema.validate(json.load(open(f)), s, "
                     "cls=jsonschema.Draft202012Validator)\n"
                     "print(len(sys.argv) - 2)' %s",
                     SCHEMA_DIR "/docket.schema.json");
    int i = 0;
    for (const char *const *in = inputs; *in; in++, i++) {
        char name[32];
        snprintf(name, sizeof name, "out%d.json", i);
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " %s",
                      convert(dir, *in, NULL, "json", name));
    }
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(atoi(r.out), i);
    run_free(&r);

    /* and the validator does reject what the schema forbids */
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    SPIT_LIT(bad, "{\"type\":\"document\",\"children\":[{\"type\":\"body\","
                  "\"children\":[{\"type\":\"p\",\"attributes\":"
                  "{\"level\":\"2\"}}]}]}");
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import json, sys, jsonschema\n"
             "jsonschema.validate(json.load(open(sys.argv[2])), "
             "json.load(open(sys.argv[1])), "
             "cls=jsonschema.Draft202012Validator)' %s %s",
             SCHEMA_DIR "/docket.schema.json", bad);
    r = run_sh(cmd);
    ck_assert_int_ne(r.status, 0);
    ck_assert(strstr(r.err, "ValidationError"));
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(round_trips_are_byte_identical)
{
    char *dir = temp_dir();
    for (const char *const *in = inputs; *in; in++) {
        const char *xml = convert(dir, *in, NULL, "xml", "x.xml");
        const char *json = convert(dir, *in, NULL, "json", "x.json");
        /* X -> xml -> tree -> xml */
        assert_same_files(convert(dir, xml, "xml", "xml", "xx.xml"), xml);
        /* X -> json -> xml equals X -> xml */
        assert_same_files(convert(dir, json, "json", "xml", "jx.xml"), xml);
        /* X -> xml -> json equals X -> json */
        assert_same_files(convert(dir, xml, "xml", "json", "xj.json"), json);
        /* the indented form reads back to the same tree */
        char pretty[600];
        snprintf(pretty, sizeof pretty, "%s/pretty.xml", dir);
        run_result r = DOCKET(NULL, "-t", "xml", "--pretty", "-o", pretty, *in);
        ck_assert_int_eq(r.status, 0);
        run_free(&r);
        assert_same_files(convert(dir, pretty, NULL, "xml", "px.xml"), xml);
        /* the output is already in canonical form */
        const char *argv[] = {"/usr/bin/xmllint", "--c14n", xml, NULL};
        r = run(argv, NULL, NULL);
        ck_assert_int_eq(r.status, 0);
        assert_matches_file(r.out, r.out_len, xml);
        run_free(&r);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(no_generator_unless_asked)
{
    run_result r = DOCKET(NULL, "-t", "xml", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "<document xmlns=\"urn:docket:document:1\">", 40) == 0);
    ck_assert(strstr(r.out, "docket 0.1") == NULL);
    run_free(&r);
    r = DOCKET(NULL, "-t", "xml", "--metadata", "generator",
               FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 0);
    const char *want = "<?docket generator=\"docket 0.2.0\"?>\n<document ";
    ck_assert_msg(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
    run_free(&r);
}
END_TEST

START_TEST(forbidden_characters_replaced_once)
{
    char *dir = temp_dir();
    char in[512];
    snprintf(in, sizeof in, "%s/ctl.json", dir);
    SPIT_LIT(in, "{\"type\":\"document\",\"children\":[{\"type\":\"meta\"},"
                 "{\"type\":\"body\",\"children\":[{\"type\":\"p\",\"children\":"
                 "[\"bell\\u0007 and \\uffff end\"]}]}]}");
    run_result r = DOCKET(NULL, "-t", "xml", in);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "<p>bell\xef\xbf\xbd and \xef\xbf\xbd end</p>"),
                  "%s", r.out);
    ck_assert_msg(strstr(r.err, "ctl.json: warning: 2 characters that XML 1.0 "
                                "does not allow replaced with U+FFFD\n"),
                  "%s", r.err);
    /* one warning, not one per character */
    ck_assert(strstr(strstr(r.err, "warning") + 1, "warning") == NULL);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

static void assert_refused(const char *file, const char *message)
{
    run_result r = DOCKET(NULL, "-f", "xml", "-t", "json", file);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_msg(strstr(r.err, message), "%s: %s", file, r.err);
    run_free(&r);
}

#define DOCTYPE_REFUSED                                                        \
    "line 2: DOCTYPE declarations are not allowed (docket XML has no DTD; "    \
    "entities are never declared, expanded or fetched)\n"

START_TEST(hostile_xml_refused)
{
    assert_refused(FIXTURES "/xml/hostile/billion-laughs.xml", DOCTYPE_REFUSED);
    assert_refused(FIXTURES "/xml/hostile/external-entity.xml", DOCTYPE_REFUSED);
    assert_refused(FIXTURES "/xml/hostile/remote-dtd.xml", DOCTYPE_REFUSED);
    assert_refused(FIXTURES "/xml/hostile/invalid-utf8.xml",
                   "invalid-utf8.xml: line 1: invalid UTF-8");

    char *dir = temp_dir();
    char deep[512];
    snprintf(deep, sizeof deep, "%s/deep.xml", dir);
    FILE *f = fopen(deep, "w");
    fputs("<document xmlns=\"urn:docket:document:1\"><meta/><body>", f);
    for (int i = 0; i < 100000; i++)
        fputs("<quote>", f);
    for (int i = 0; i < 100000; i++)
        fputs("</quote>", f);
    fputs("</body></document>", f);
    fclose(f);
    assert_refused(deep, "deep.xml: line 1: elements nest deeper than 256 "
                         "levels");

    /* text where the vocabulary has none, and foreign elements */
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.xml", dir);
    SPIT_LIT(bad, "<document xmlns=\"urn:docket:document:1\"><meta/>\n"
                  "<body>loose text</body></document>");
    assert_refused(bad, "line 2: text not allowed in 'body'");
    SPIT_LIT(bad, "<document xmlns=\"urn:docket:document:1\"><meta/><body>"
                  "<p xmlns=\"urn:other\">x</p></body></document>");
    assert_refused(bad, "element not in the docket namespace");
    SPIT_LIT(bad, "<document xmlns=\"urn:docket:document:1\"><meta/><body>"
                  "<p colour=\"red\">x</p></body></document>");
    assert_refused(bad, "attribute not allowed here: 'colour'");
    /* text the vocabulary's types refuse, in XML and in JSON */
    SPIT_LIT(bad, "<document xmlns=\"urn:docket:document:1\"><meta><year>20%16</year>"
                  "</meta><body/></document>");
    assert_refused(bad, "text not allowed for 'year'");
    SPIT_LIT(bad, "<document xmlns=\"urn:docket:document:1\"><meta><lang>en_GB</lang>"
                  "</meta><body/></document>");
    assert_refused(bad, "text not allowed for 'lang'");
    char json[512];
    snprintf(json, sizeof json, "%s/bad.json", dir);
    SPIT_LIT(json, "{\"type\":\"document\",\"children\":[{\"type\":\"meta\",\"children\":"
                   "[{\"type\":\"year\",\"children\":[\"20\",\"%16\"]}]},"
                   "{\"type\":\"body\"}]}");
    run_result r = DOCKET(NULL, "-t", "xml", json);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "text not allowed for") && strstr(r.err, "year"), "%s", r.err);
    ck_assert_str_eq(r.out, "");
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The external entity names /etc/passwd and the DTD a remote URL: neither
 * is ever opened or connected to. */
START_TEST(nothing_is_fetched)
{
    if (access("/usr/bin/strace", X_OK) != 0) {
        fputs("strace not installed: skipping the system call check\n", stderr);
        return;
    }
    char *dir = temp_dir();
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "DOCKET_PLUGIN_PATH= /usr/bin/strace -f -qq -e trace=open,openat,"
             "connect,socket -o %1$s/trace %2$s -f xml %3$s/external-entity.xml;"
             " DOCKET_PLUGIN_PATH= /usr/bin/strace -f -qq -e trace=open,openat,"
             "connect,socket -o %1$s/trace2 %2$s -f xml %3$s/remote-dtd.xml;"
             " cat %1$s/trace %1$s/trace2",
             dir, DOCKET_BIN, FIXTURES "/xml/hostile");
    run_result r = run_sh(cmd);
    ck_assert_msg(strstr(r.out, "external-entity.xml") != NULL,
                  "strace saw nothing: %s", r.err);
    ck_assert_msg(strstr(r.out, "/etc/passwd") == NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, "connect(") == NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, "socket(") == NULL, "%s", r.out);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(validate_reports_lines_and_paths)
{
    char *dir = temp_dir();
    char bad[512], good[512], json[512];
    snprintf(bad, sizeof bad, "%s/bad.xml", dir);
    snprintf(good, sizeof good, "%s/good.xml", dir);
    snprintf(json, sizeof json, "%s/bad.json", dir);
    SPIT_LIT(bad, "<document xmlns=\"urn:docket:document:1\" kind=\"memo\">\n"
                  "<meta/>\n<body>\n<section><heading level=\"9\">H</heading>"
                  "</section>\n<grade value=\"great\">Great</grade>\n"
                  "</body></document>");
    convert(dir, FIXTURES "/text/basic.txt", NULL, "xml", "good.xml");
    run_result r = DOCKET(NULL, "validate", good, bad);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(strstr(r.out, "good.xml"), "good.xml: valid\n");
    ck_assert_msg(strstr(r.err, "bad.xml: line 1: /document: Invalid attribute "
                                "kind for element document"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "bad.xml: line 4: /document/body/section/heading:"
                                " Invalid attribute level"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "bad.xml: line 5: /document/body/grade: Invalid "
                                "attribute value"), "%s", r.err);
    ck_assert(strstr(r.err, "bad.xml: not valid against the docket schema"));
    run_free(&r);

    /* JSON is checked through the tree: paths, no lines */
    SPIT_LIT(json, "{\"type\":\"document\",\"children\":[{\"type\":\"meta\"},"
                   "{\"type\":\"body\",\"children\":[{\"type\":\"list\","
                   "\"attributes\":{\"type\":\"numbered\"}}]}]}");
    r = DOCKET(NULL, "validate", json);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "bad.json: /document/body[1]/list[0]: value not "
                                "allowed for attribute 'type'"), "%s", r.err);
    run_free(&r);

    r = DOCKET(NULL, "validate");
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xml");
    TCase *tc = tcase_create("xml");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, outputs_validate);
    tcase_add_test(tc, json_outputs_match_json_schema);
    tcase_add_test(tc, round_trips_are_byte_identical);
    tcase_add_test(tc, no_generator_unless_asked);
    tcase_add_test(tc, forbidden_characters_replaced_once);
    tcase_add_test(tc, hostile_xml_refused);
    tcase_add_test(tc, nothing_is_fetched);
    tcase_add_test(tc, validate_reports_lines_and_paths);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    return failed;
}
