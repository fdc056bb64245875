#include "facts.h"
#include "harness.h"

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
