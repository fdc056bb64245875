#define _GNU_SOURCE
#include "facts.h"
#include "harness.h"

#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>

int check_facts(const char *input, const char *facts, FILE *report, int *checked)
{
    run_result r = DOCKET(NULL, "-t", "xml", input);
    ck_assert_msg(r.status == 0, "%s: %s", input, r.err);
    xmlDocPtr doc = xmlReadMemory(r.out, (int)r.out_len, NULL, NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    xmlXPathContextPtr xp = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(xp, (const xmlChar *)"d", (const xmlChar *)"urn:docket:document:1");
    char *list = slurp(facts, NULL);
    ck_assert_msg(list != NULL, "cannot read %s", facts);
    const char *base = strrchr(facts, '/');
    base = base ? base + 1 : facts;
    int failed = 0;
    char *save = NULL;
    for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
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
            fprintf(report, "%s: %s\n    expected: %s\n    docket:   %s\n", base, line,
                    want, (const char *)got);
        }
        xmlFree(got);
        xmlXPathFreeObject(v);
    }
    free(list);
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    run_free(&r);
    return failed;
}

void check_facts_dir(const char *dir, const char *ext, int min)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    struct dirent *e;
    int failed = 0, checked = 0, documents = 0;
    char *all = NULL;
    size_t all_len = 0;
    FILE *sum = open_memstream(&all, &all_len);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 7 || strcmp(e->d_name + len - 6, ".facts"))
            continue;
        char input[1024], facts[1024];
        snprintf(facts, sizeof facts, "%s/%s", dir, e->d_name);
        snprintf(input, sizeof input, "%s/%.*s%s", dir, (int)(len - 6), e->d_name, ext);
        failed += check_facts(input, facts, sum, &checked);
        documents++;
    }
    closedir(d);
    fclose(sum);
    ck_assert_int_ge(documents, min);
    ck_assert_msg(failed == 0, "%d of %d facts wrong:\n%s", failed, checked, all);
    free(all);
}
