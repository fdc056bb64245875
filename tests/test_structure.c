/* Structure recognition, checked by facts: every fixtures/DIR/NAME.facts
 * lists what a person reads off NAME.txt, as XPath expressions over
 * docket's canonical XML and the values they must give. */
#define _GNU_SOURCE
#include "facts.h"
#include "harness.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(seeds)
{
    check_facts_dir(FIXTURES "/seeds", ".txt", 5);
}
END_TEST

START_TEST(more_documents_of_the_same_genres)
{
    check_facts_dir(FIXTURES "/structure", ".txt", 19);
}
END_TEST

/* The transforms a reader applies by default are the ones -T names:
 * reading with --no-transforms into JSON, then applying them to the tree
 * read back from JSON, gives the same document. */
START_TEST(transforms_apply_to_trees_from_json)
{
    static const char *const inputs[] = {
        FIXTURES "/seeds/pcc-letter-2018-peel-effectiveness.txt",
        FIXTURES "/seeds/peel-2016-warwickshire-page.txt",
        FIXTURES "/seeds/news-article-2015-requires-improvement.txt",
    };
    char *dir = temp_dir();
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char raw[512];
        snprintf(raw, sizeof raw, "%s/raw.json", dir);
        run_result a = DOCKET(NULL, "--no-transforms", "-t", "json", "-o", raw,
                              inputs[i]);
        ck_assert_int_eq(a.status, 0);
        char *json = slurp(raw, NULL);
        /* untransformed: no kind, no grades */
        ck_assert(strstr(json, "\"kind\"") == NULL);
        ck_assert(strstr(json, "\"grade\"") == NULL);
        free(json);
        run_result b = DOCKET(NULL, "-f", "json", "-T", "clean", "-T", "letter",
                              "-T", "inspection", "-t", "xml", raw);
        run_result c = DOCKET(NULL, "-t", "xml", inputs[i]);
        ck_assert_int_eq(b.status, 0);
        ck_assert_int_eq(c.status, 0);
        ck_assert_str_eq(b.out, c.out);
        run_free(&a);
        run_free(&b);
        run_free(&c);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* What clean repairs, on text made for it. */
START_TEST(clean_repairs_text)
{
    char *dir = temp_dir();
    char in[512];
    snprintf(in, sizeof in, "%s/in.txt", dir);
    SPIT_LIT(in, "It\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s a caf\xc3\x83\xc2\xa9 "
                 "\xc3\xa2\xe2\x82\xac\xc5\x93quoted\xc3\xa2\xe2\x82\xac\xc2\x9d"
                 " and   spaced\xc2\xa0\xc2\xa0out, don`t '\xcb\x9crequires improvement'.\n");
    run_result r = DOCKET(NULL, "-t", "text", in);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "It\xe2\x80\x99s a caf\xc3\xa9 \xe2\x80\x9cquoted"
                            "\xe2\x80\x9d and spaced out, don\xe2\x80\x99t "
                            "\xe2\x80\x98requires improvement\xe2\x80\x99.\n");
    run_free(&r);
    /* the repeated paragraph of the West Midlands page is named */
    run_result w = DOCKET(NULL, "-t", "xml",
                          FIXTURES "/seeds/peel-2014-west-midlands-page.txt");
    ck_assert_int_eq(w.status, 0);
    ck_assert_str_eq(strstr(w.err, "warning:"),
                     "warning: removed a repeated paragraph at byte 5575\n");
    run_free(&w);
    /* --no-transforms leaves the text as it was read */
    r = DOCKET(NULL, "--no-transforms", "-t", "text", in);
    ck_assert(strstr(r.out, "caf\xc3\x83\xc2\xa9"));
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(letters_in_odd_shapes)
{
    /* no blank lines at all */
    char *x = convert_text("Dear Bob,\nSome text.\nYours sincerely\nAlice\n", NULL, NULL);
    ck_assert_msg(strstr(x, "<salutation>Dear Bob,</salutation><body><p offset=\"10\">"
                            "Some text.</p></body><closing>Yours sincerely</closing>"
                            "<signature><name>Alice</name></signature>"), "%s", x);
    free(x);
    /* a closing without a salutation keeps every paragraph */
    x = convert_text("Thanks for everything you did.\n\nMore text here.\n\n"
                     "Yours sincerely\n\nBob Smith\n",
                     (const char *const[]){"-T", "letter", NULL}, NULL);
    ck_assert_msg(strstr(x, "Thanks for everything you did.") &&
                  strstr(x, "<signature><name>Bob Smith</name></signature>"), "%s", x);
    free(x);
    /* a report with a letter after it keeps the report before the letter */
    x = convert_text("Northshire PEEL 2017\n\nHow effective is the force?\n\nGood\n\n"
               "The force is effective at keeping people safe and it has improved "
               "since the last inspection in many ways.\n\n"
               "Chief Constable\nNorthshire Police\n\nDear Chief Constable,\n\n"
               "Thank you for the report.\n\nYours sincerely\n\nA. Inspector\n", NULL, NULL);
    ck_assert_msg(strstr(x, "The force is effective at keeping") <
                  strstr(x, "<letter>"), "%s", x);
    ck_assert_msg(strstr(x, "<recipient><role>Chief Constable</role><org>Northshire "
                            "Police</org></recipient>"), "%s", x);
    free(x);
}
END_TEST

START_TEST(not_a_letter_is_left_alone)
{
    char *a = convert_text("Title line\n\nA heading\n\nA paragraph of text here.\n\n"
                     "\xe2\x80\xa2 one\n\xe2\x80\xa2 two\n", NULL, NULL);
    char *b = convert_text("Title line\n\nA heading\n\nA paragraph of text here.\n\n"
                           "\xe2\x80\xa2 one\n\xe2\x80\xa2 two\n",
                           (const char *const[]){"-T", "letter", NULL}, NULL);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

START_TEST(deep_lists_and_emptied_blocks)
{
    char text[20000] = "";
    for (int i = 0; i < 120; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%*s- item %d\n", i, "", i);
    char *x = convert_text(text, NULL, NULL);
    ck_assert(strstr(x, "item 119"));
    free(x);
    /* blocks that cleaning empties are removed, not left empty */
    x = convert_text("\xc2\xad\n\nText para.\n\n\xe2\x80\x8c\n\nMore text.\n\n"
               "\xe2\x80\xa2 Share\n\xe2\x80\xa2 \xc2\xad x\n", NULL, NULL);
    ck_assert_msg(!strstr(x, "<title></title>") && !strstr(x, "<heading level=\"1\"></heading>") &&
                  !strstr(x, "<item></item>") && !strstr(x, "<p></p>"), "%s", x);
    free(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("structure");
    TCase *tc = tcase_create("structure");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, seeds);
    tcase_add_test(tc, more_documents_of_the_same_genres);
    tcase_add_test(tc, transforms_apply_to_trees_from_json);
    tcase_add_test(tc, clean_repairs_text);
    tcase_add_test(tc, letters_in_odd_shapes);
    tcase_add_test(tc, not_a_letter_is_left_alone);
    tcase_add_test(tc, deep_lists_and_emptied_blocks);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    xmlCleanupParser();
    return failed;
}
