/*
 * Checking XML against the shipped RELAX NG schema (schema/docket.rng,
 * embedded at build time). Each problem is reported with its line and the
 * path of the element; the option "validate-paths" leaves out the line
 * (for XML that docket made from another format, whose lines mean nothing
 * to the user).
 */
#include "parse.h"

#include <libxml/relaxng.h>
#include <pthread.h>
#include <string.h>

static xmlRelaxNGPtr schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void quiet(void *user, xmlErrorPtr e)
{
    (void)user;
    (void)e;
}

static void load_schema(void)
{
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(
        (const char *)xmlp_schema_rng, (int)xmlp_schema_rng_len);
    if (!pc)
        return;
    xmlRelaxNGSetParserStructuredErrors(pc, quiet, NULL);
    schema = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
}

__attribute__((destructor)) static void free_schema(void)
{
    if (schema)
        xmlRelaxNGFree(schema);
}

/* /document/body/section[2]/p: local names, with the position among
 * siblings of the same name where there are several (XPath style). */
static void node_path(xmlNodePtr n, char *out, size_t len)
{
    if (!n || n->type != XML_ELEMENT_NODE) {
        out[0] = '\0';
        return;
    }
    node_path(n->parent, out, len);
    int index = 0, same = 0;
    for (xmlNodePtr s = n->parent ? n->parent->children : n; s; s = s->next) {
        if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name,
                                                  (const char *)n->name))
            continue;
        same++;
        if (s == n)
            index = same;
    }
    size_t used = strlen(out);
    if (same > 1)
        snprintf(out + used, len - used, "/%s[%d]", n->name, index);
    else
        snprintf(out + used, len - used, "/%s", n->name);
}

typedef struct report {
    dk_ctx *ctx;
    bool lines;
    int count;
} report;

enum { MAX_REPORTED = 100 };

static void on_invalid(void *user, xmlErrorPtr e)
{
    report *r = user;
    if (++r->count > MAX_REPORTED)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "invalid");
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    char where[1024];
    node_path(e->node, where, sizeof where);
    if (!where[0])
        snprintf(where, sizeof where, "/");
    if (r->lines)
        dk_ctx_note(r->ctx, "line %d: %s: %s", e->line, where, msg);
    else
        dk_ctx_note(r->ctx, "%s: %s", where, msg);
}

int xmlp_validate(dk_ctx *ctx, const unsigned char *data, size_t size)
{
    pthread_once(&schema_once, load_schema);
    if (!schema)
        return dk_ctx_fail(ctx, DK_E_INTERNAL, "the built-in schema does "
                           "not load");
    xmlDocPtr doc = xmlp_parse(ctx, data, size);
    if (!doc)
        return -1;
    report r = {ctx, dk_ctx_option(ctx, "validate-paths") == NULL, 0};
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
    if (!vc) {
        xmlFreeDoc(doc);
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    }
    xmlRelaxNGSetValidStructuredErrors(vc, on_invalid, &r);
    int ret = xmlRelaxNGValidateDoc(vc, doc);
    xmlRelaxNGFreeValidCtxt(vc);
    xmlFreeDoc(doc);
    if (ret == 0)
        return 0;
    if (r.count > MAX_REPORTED)
        dk_ctx_note(ctx, "... and %d more problems", r.count - MAX_REPORTED);
    return dk_ctx_fail(ctx, DK_E_FORMAT, "not valid against the docket "
                       "schema (%d problem%s)", r.count ? r.count : 1,
                       r.count == 1 ? "" : "s");
}
