/* Structure recognition, checked by facts: every fixtures/DIR/NAME.facts
 * lists what a person reads off NAME.txt, as XPath expressions over
 * docket's canonical XML and the values they must give. */
#define _GNU_SOURCE
#include "harness.h"

#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Check one document; returns the number of facts that failed, adding a
 * line for each to report. */
static int check_facts(const char *txt, const char *facts, char **report,
                       size_t *report_len, int *checked)
{
    run_result r = DOCKET(NULL, "-t", "xml", txt);
    ck_assert_msg(r.status == 0, "%s: %s", txt, r.err);
    xmlDocPtr doc = xmlReadMemory(r.out, (int)r.out_len, NULL, NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    xmlXPathContextPtr xp = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(xp, (const xmlChar *)"d",
                       (const xmlChar *)"urn:docket:document:1");
    FILE *mem = open_memstream(report, report_len);
    char *list = slurp(facts, NULL);
    ck_assert_ptr_nonnull(list);
    int failed = 0, lineno = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *tab = strchr(line, '\t');
        ck_assert_msg(tab != NULL, "%s: a fact without a tab: %s", facts, line);
        *tab = '\0';
        const char *want = tab + 1;
        xmlXPathObjectPtr v = xmlXPathEvalExpression((const xmlChar *)line, xp);
        ck_assert_msg(v != NULL, "%s: bad XPath %s", facts, line);
        xmlChar *got = xmlXPathCastToString(v);
        (*checked)++;
        if (strcmp((const char *)got, want) != 0) {
            failed++;
            fprintf(mem, "%s: %s\n    expected: %s\n    docket:   %s\n",
                    strrchr(facts, '/') + 1, line, want, (const char *)got);
        }
        xmlFree(got);
        xmlXPathFreeObject(v);
    }
    fclose(mem);
    free(list);
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    run_free(&r);
    return failed;
}

static void check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    int failed = 0, checked = 0, documents = 0;
    char *all = NULL;
    size_t all_len = 0;
    FILE *sum = open_memstream(&all, &all_len);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 7 || strcmp(e->d_name + len - 6, ".facts"))
            continue;
        char txt[1024], facts[1024];
        snprintf(facts, sizeof facts, "%s/%s", dir, e->d_name);
        snprintf(txt, sizeof txt, "%s/%.*s.txt", dir, (int)(len - 6), e->d_name);
        char *report = NULL;
        size_t report_len = 0;
        failed += check_facts(txt, facts, &report, &report_len, &checked);
        fputs(report, sum);
        free(report);
        documents++;
    }
    closedir(d);
    fclose(sum);
    ck_assert_int_gt(documents, 0);
    ck_assert_msg(failed == 0, "%d of %d facts wrong:\n%s", failed, checked, all);
    free(all);
}

START_TEST(seeds)
{
    check_dir(FIXTURES "/seeds");
}
END_TEST

START_TEST(more_documents_of_the_same_genres)
{
    check_dir(FIXTURES "/structure");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("structure");
    TCase *tc = tcase_create("structure");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, seeds);
    tcase_add_test(tc, more_documents_of_the_same_genres);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    xmlCleanupParser();
    return failed;
}
