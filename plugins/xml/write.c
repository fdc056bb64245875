/*
 * Writing the canonical XML: the tree becomes a libxml2 document in the
 * docket namespace, serialized as W3C Canonical XML 1.0 without comments,
 * so that the same tree always gives the same bytes (no XML declaration,
 * attributes in order, no trailing newline). --pretty indents element-only
 * content instead, for people; the reader takes both.
 */
#include "xmlp.h"

#include <libxml/c14n.h>
#include <libxml/xmlsave.h>
#include <string.h>

typedef struct build {
    dk_ctx *ctx;
    xmlDocPtr doc;
    xmlNsPtr ns;
    bool pretty;
    size_t replaced; /* characters XML cannot hold */
    dk_buf clean;
} build;

/* Length of a character XML 1.0 forbids at s, or 0: C0 controls other
 * than tab, LF and CR, and U+FFFE / U+FFFF. (The tree holds no NUL and no
 * surrogates.) */
static size_t forbidden(const unsigned char *s, size_t left)
{
    if (s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' && s[0] != '\r')
        return 1;
    if (left >= 3 && s[0] == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
        return 3;
    return 0;
}

/* s, or a copy in b->clean with the forbidden characters replaced. */
static const xmlChar *xml_safe(build *b, const char *s, size_t len)
{
    size_t i = 0, n = 0;
    while (i < len && !(n = forbidden((const unsigned char *)s + i, len - i)))
        i++;
    if (i == len)
        return (const xmlChar *)s;
    dk_buf_clear(&b->clean);
    size_t from = 0;
    for (i = 0; i < len;) {
        n = forbidden((const unsigned char *)s + i, len - i);
        if (!n) {
            i++;
            continue;
        }
        if (dk_buf_append(&b->clean, s + from, i - from) < 0 ||
            dk_buf_append(&b->clean, "\xEF\xBF\xBD", 3) < 0)
            return NULL;
        b->replaced++;
        i += n;
        from = i;
    }
    if (dk_buf_append(&b->clean, s + from, len - from) < 0)
        return NULL;
    return (const xmlChar *)b->clean.data;
}

static int add_text(build *b, xmlNodePtr parent, const char *s, size_t len)
{
    const xmlChar *safe = xml_safe(b, s, len);
    if (!safe)
        return -1;
    size_t n = safe == (const xmlChar *)s ? len : b->clean.len;
    xmlNodePtr t = xmlNewDocTextLen(b->doc, safe, (int)n);
    return t && xmlAddChild(parent, t) ? 0 : -1;
}

static int indent(build *b, xmlNodePtr parent, int depth)
{
    char buf[2 + 2 * DK_MAX_DEPTH];
    int n = 1 + 2 * (depth < DK_MAX_DEPTH ? depth : DK_MAX_DEPTH);
    buf[0] = '\n';
    memset(buf + 1, ' ', (size_t)n - 1);
    return add_text(b, parent, buf, (size_t)n);
}

static int add_element(build *b, xmlNodePtr parent, const dk_node *n,
                       int depth)
{
    dk_type type = dk_node_type(n);
    xmlNodePtr e = xmlNewDocNode(b->doc, b->ns,
                                 (const xmlChar *)dk_type_name(type), NULL);
    if (!e)
        return -1;
    if (parent)
        xmlAddChild(parent, e);
    else
        xmlDocSetRootElement(b->doc, e);
    if (!parent) {
        b->ns = xmlNewNs(e, (const xmlChar *)XMLP_NS, NULL);
        if (!b->ns)
            return -1;
        xmlSetNs(e, b->ns);
    }
    for (int a = 0; a < DK_ATTR_COUNT; a++) {
        const char *v = dk_node_attr(n, (dk_attr)a);
        if (!v)
            continue;
        const xmlChar *safe = xml_safe(b, v, strlen(v));
        if (!safe || !xmlNewProp(e, (const xmlChar *)dk_attr_name((dk_attr)a),
                                 safe))
            return -1;
    }
    bool element_only = !dk_type_allows_text(type);
    for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c)) {
        if (b->pretty && element_only && indent(b, e, depth + 1) < 0)
            return -1;
        if (dk_node_type(c) == DK_TEXT) {
            size_t len;
            const char *t = dk_node_text(c, &len);
            if (add_text(b, e, t, len) < 0)
                return -1;
        } else if (add_element(b, e, c, depth + 1) < 0) {
            return -1;
        }
    }
    if (b->pretty && element_only && dk_node_first(n) && indent(b, e, depth) < 0)
        return -1;
    return 0;
}

xmlDocPtr xmlp_build(dk_ctx *ctx, const dk_node *doc, bool pretty)
{
    build b = {.ctx = ctx, .pretty = pretty};
    b.doc = xmlNewDoc((const xmlChar *)"1.0");
    if (!b.doc || add_element(&b, NULL, doc, 0) < 0) {
        xmlFreeDoc(b.doc);
        dk_buf_free(&b.clean);
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        return NULL;
    }
    if (b.replaced)
        dk_ctx_warn(ctx, "%zu character%s that XML 1.0 does not allow "
                    "replaced with U+FFFD", b.replaced,
                    b.replaced == 1 ? "" : "s");
    dk_buf_free(&b.clean);
    return b.doc;
}

int xmlp_write(dk_ctx *ctx, const dk_node *doc, dk_sink *out)
{
    bool pretty = dk_ctx_option(ctx, "pretty") != NULL;
    xmlDocPtr x = xmlp_build(ctx, doc, pretty);
    if (!x)
        return -1;
    if (dk_ctx_option(ctx, "generator")) {
        /* asked for: which program wrote the file, outside the vocabulary */
        xmlNodePtr pi = xmlNewDocPI(x, (const xmlChar *)"docket",
                                    (const xmlChar *)"generator=\"docket "
                                    DK_VERSION "\"");
        if (pi)
            xmlAddPrevSibling(xmlDocGetRootElement(x), pi);
    }
    xmlChar *mem = NULL;
    int len = -1;
    if (pretty)
        xmlDocDumpMemoryEnc(x, &mem, &len, "UTF-8");
    else
        len = xmlC14NDocDumpMemory(x, NULL, XML_C14N_1_0, NULL, 0, &mem);
    xmlFreeDoc(x);
    if (len < 0 || !mem) {
        xmlFree(mem);
        return dk_ctx_fail(ctx, DK_E_INTERNAL, "cannot serialize XML");
    }
    int r = dk_sink_write(out, mem, (size_t)len);
    xmlFree(mem);
    return r;
}
