/*
 * Reading docket XML back into the tree, canonical or indented. The parser
 * never fetches anything: no network, no DTD, no external entity; a
 * DOCTYPE is refused as soon as it starts, so entity bombs never expand.
 */
#include "parse.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <string.h>

typedef struct parse_state {
    dk_ctx *ctx;
    bool failed;
    bool doctype;
    int line;
    char message[512];
} parse_state;

static void record(parse_state *st, int line, const char *msg)
{
    if (st->failed)
        return;
    st->failed = true;
    st->line = line;
    msg = msg ? msg : "not well-formed XML";
    /* Say what libxml2 means, in docket's words. */
    if (strncmp(msg, "Excessive depth", 15) == 0)
        msg = "elements nest deeper than 256 levels";
    else if (strstr(msg, "not proper UTF-8"))
        msg = "invalid UTF-8 (docket XML is UTF-8)";
    snprintf(st->message, sizeof st->message, "%s", msg);
    /* libxml2's messages end with a newline and may hold more */
    for (char *c = st->message; *c; c++)
        if (*c == '\n')
            *c = ' ';
    size_t n = strlen(st->message);
    while (n && st->message[n - 1] == ' ')
        st->message[--n] = '\0';
}

static void on_error(void *user, xmlErrorPtr e)
{
    xmlParserCtxtPtr p = user;
    if (e->level >= XML_ERR_ERROR)
        record(p->_private, e->line, e->message);
}

static void on_doctype(void *user, const xmlChar *name, const xmlChar *ext_id,
                       const xmlChar *sys_id)
{
    (void)name;
    (void)ext_id;
    (void)sys_id;
    xmlParserCtxtPtr p = user;
    parse_state *st = p->_private;
    record(st, xmlSAX2GetLineNumber(p),
           "DOCTYPE declarations are not allowed (docket XML has no DTD; "
           "entities are never declared, expanded or fetched)");
    st->doctype = true;
    xmlStopParser(p);
}

xmlDocPtr xmlp_parse(dk_ctx *ctx, const unsigned char *data, size_t size)
{
    if (size > (size_t)INT32_MAX) {
        dk_ctx_fail(ctx, DK_E_LIMIT, "XML input larger than 2 GiB");
        return NULL;
    }
    parse_state st = {.ctx = ctx};
    xmlParserCtxtPtr p = xmlNewParserCtxt();
    if (!p) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        return NULL;
    }
    p->_private = &st;
    p->sax->internalSubset = on_doctype;
    p->sax->serror = on_error;
    xmlDocPtr doc = xmlCtxtReadMemory(p, (const char *)data, (int)size, NULL,
                                      NULL, XML_PARSE_NONET);
    if (st.doctype || st.failed || !doc) {
        xmlFreeDoc(doc);
        doc = NULL;
        if (st.failed)
            dk_ctx_fail(ctx, st.doctype ? DK_E_UNSUPPORTED : DK_E_FORMAT,
                        "line %d: %s", st.line, st.message);
        else
            dk_ctx_fail(ctx, DK_E_FORMAT, "not well-formed XML");
    }
    xmlFreeParserCtxt(p);
    return doc;
}

/* ---- XML to tree ------------------------------------------------------------ */

static bool all_space(const xmlChar *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static int fail_at(dk_ctx *ctx, xmlNodePtr n, const char *what,
                   const char *name)
{
    return dk_ctx_fail(ctx, DK_E_FORMAT, "line %ld: %s '%s'", xmlGetLineNo(n),
                       what, name);
}

static dk_node *convert(dk_ctx *ctx, xmlNodePtr e, int depth)
{
    if (!e->ns || strcmp((const char *)e->ns->href, XMLP_NS) != 0) {
        fail_at(ctx, e, "element not in the docket namespace (" XMLP_NS "):",
                (const char *)e->name);
        return NULL;
    }
    if (depth > DK_MAX_DEPTH) {
        dk_ctx_fail(ctx, DK_E_LIMIT, "line %ld: document nests deeper than %d "
                    "levels", xmlGetLineNo(e), DK_MAX_DEPTH);
        return NULL;
    }
    const char *name = (const char *)e->name;
    int type = dk_type_from_name(name, strlen(name));
    if (type < 0) {
        fail_at(ctx, e, "unknown element", name);
        return NULL;
    }
    dk_node *n = dk_node_new((dk_type)type);
    if (!n) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        return NULL;
    }
    for (xmlAttrPtr a = e->properties; a; a = a->next) {
        const char *an = (const char *)a->name;
        int attr = a->ns ? -1 : dk_attr_from_name(an, strlen(an));
        if (attr < 0 || !dk_type_allows_attr((dk_type)type, (dk_attr)attr)) {
            fail_at(ctx, e, "attribute not allowed here:", an);
            goto fail;
        }
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
        const char *value = v ? (const char *)v : "";
        bool allowed = dk_attr_value_ok((dk_type)type, (dk_attr)attr, value);
        int r = allowed ? dk_node_set_attr(n, (dk_attr)attr, value) : -1;
        xmlFree(v);
        if (!allowed) {
            fail_at(ctx, e, "value not allowed for attribute", an);
            goto fail;
        }
        if (r < 0) {
            dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
            goto fail;
        }
    }
    bool text_ok = dk_type_allows_text((dk_type)type);
    for (xmlNodePtr c = e->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (!text_ok) {
                if (all_space(c->content))
                    continue; /* indentation */
                fail_at(ctx, c, "text not allowed in", name);
                goto fail;
            }
            if (dk_node_add_text(n, (const char *)c->content,
                                 strlen((const char *)c->content)) < 0) {
                dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
                goto fail;
            }
        } else if (c->type == XML_ELEMENT_NODE) {
            dk_node *child = convert(ctx, c, depth + 1);
            if (!child)
                goto fail;
            if (dk_node_append(n, child) < 0) {
                dk_node_free(child);
                char what[128];
                snprintf(what, sizeof what, "element '%s' not allowed in",
                         (const char *)c->name);
                fail_at(ctx, c, what, name);
                goto fail;
            }
        }
        /* comments and processing instructions are not part of the tree */
    }
    if (!dk_node_text_ok(n)) {
        fail_at(ctx, e, "text not allowed for", name);
        goto fail;
    }
    return n;
fail:
    dk_node_free(n);
    return NULL;
}

int xmlp_read(dk_ctx *ctx, const unsigned char *data, size_t size,
              dk_node **out)
{
    *out = NULL;
    xmlDocPtr doc = xmlp_parse(ctx, data, size);
    /* libxml2's tree holds its own copy of everything now */
    dk_ctx_input_done(ctx, data + size);
    if (!doc)
        return -1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    dk_node *tree = NULL;
    if (!root || strcmp((const char *)root->name, "document") != 0)
        dk_ctx_fail(ctx, DK_E_FORMAT, "not a docket document (the root "
                    "element is not 'document' in " XMLP_NS ")");
    else
        tree = convert(ctx, root, 1);
    xmlFreeDoc(doc);
    if (!tree)
        return -1;
    *out = tree;
    return 0;
}
