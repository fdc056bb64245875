/*
 * docx: the tree as an Office Open XML word-processing package, for
 * colleagues who work in Word or LibreOffice.
 *
 * The package holds [Content_Types].xml, _rels/.rels, word/document.xml,
 * word/styles.xml, word/numbering.xml, word/_rels/document.xml.rels,
 * docProps/core.xml and docProps/app.xml (and word/theme/theme1.xml when
 * a reference document brings one), always in that order, each entry
 * dated from the document's own dates, never from the clock: the same
 * tree gives the same bytes.
 */
#include "docxp.h"

#include <stdlib.h>
#include <string.h>

static const char *const extensions[] = {"docx", NULL};

#define NS_CT "http://schemas.openxmlformats.org/package/2006/content-types"
#define NS_CORE                                                                \
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define NS_APP                                                                 \
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
#define CT_BASE "application/vnd.openxmlformats-officedocument."

enum { P_TYPES, P_RELS, P_DOCUMENT, P_STYLES, P_NUMBERING, P_DOC_RELS,
       P_CORE, P_APP, P_THEME, P_COUNT };

static const struct part_info {
    const char *name;
    const char *type; /* its content type */
} part_info[P_COUNT] = {
    [P_TYPES] = {"[Content_Types].xml", NULL},
    [P_RELS] = {"_rels/.rels", NULL},
    [P_DOCUMENT] = {"word/document.xml",
                    CT_BASE "wordprocessingml.document.main+xml"},
    [P_STYLES] = {"word/styles.xml", CT_BASE "wordprocessingml.styles+xml"},
    [P_NUMBERING] = {"word/numbering.xml",
                     CT_BASE "wordprocessingml.numbering+xml"},
    [P_DOC_RELS] = {"word/_rels/document.xml.rels", NULL},
    [P_CORE] = {"docProps/core.xml",
                "application/vnd.openxmlformats-package.core-properties+xml"},
    [P_APP] = {"docProps/app.xml", CT_BASE "extended-properties+xml"},
    [P_THEME] = {"word/theme/theme1.xml", CT_BASE "theme+xml"},
};

/* A small XML document being built: root element in namespace ns. */
typedef struct part_doc {
    xmlDocPtr doc;
    xmlNodePtr root;
    xmlNsPtr ns;
} part_doc;

static int part_new(part_doc *p, const char *root, const char *ns,
                    const char *prefix)
{
    p->doc = xmlNewDoc((const xmlChar *)"1.0");
    p->root = p->doc ? xmlNewDocNode(p->doc, NULL, (const xmlChar *)root, NULL)
                     : NULL;
    if (!p->root)
        return -1;
    xmlDocSetRootElement(p->doc, p->root);
    p->ns = xmlNewNs(p->root, (const xmlChar *)ns, (const xmlChar *)prefix);
    if (!p->ns)
        return -1;
    xmlSetNs(p->root, p->ns);
    return 0;
}

/* <name a1="v1" a2="v2" ...> in ns under parent; attrs end with NULL. */
static xmlNodePtr add_el(part_doc *p, xmlNodePtr parent, xmlNsPtr ns,
                         const char *name, const char *const *attrs)
{
    if (!parent)
        return NULL;
    xmlNodePtr e = xmlNewDocNode(p->doc, ns, (const xmlChar *)name, NULL);
    if (!e || !xmlAddChild(parent, e)) {
        xmlFreeNode(e);
        return NULL;
    }
    for (; attrs && attrs[0]; attrs += 2)
        if (!xmlNewProp(e, (const xmlChar *)attrs[0], (const xmlChar *)attrs[1]))
            return NULL;
    return e;
}

/* An element holding text (made safe for XML). */
static xmlNodePtr add_text_el(docx_state *st, part_doc *p, xmlNsPtr ns,
                              const char *name, const char *text)
{
    xmlNodePtr e = add_el(p, p->root, ns, name, NULL);
    xmlChar *safe = e ? docx_xml_text(st, text, strlen(text)) : NULL;
    xmlNodePtr t = safe ? xmlNewDocText(p->doc, safe) : NULL;
    xmlFree(safe);
    if (!t || !xmlAddChild(e, t)) {
        xmlFreeNode(t);
        return NULL;
    }
    return e;
}

static int part_finish(part_doc *p, dk_buf *out)
{
    int r = p->doc ? docx_serialize(p->doc, out) : -1;
    xmlFreeDoc(p->doc);
    p->doc = NULL;
    return r;
}

/* ---- content types and relationships ------------------------------------- */

static int content_types(bool theme, dk_buf *out)
{
    part_doc p = {0};
    int r = part_new(&p, "Types", NS_CT, NULL);
    static const char *const rels[] = {
        "Extension", "rels", "ContentType",
        "application/vnd.openxmlformats-package.relationships+xml", NULL};
    static const char *const xml[] = {"Extension", "xml", "ContentType",
                                      "application/xml", NULL};
    if (r == 0 && (!add_el(&p, p.root, p.ns, "Default", rels) ||
                   !add_el(&p, p.root, p.ns, "Default", xml)))
        r = -1;
    for (int i = 0; i < P_COUNT && r == 0; i++) {
        if (!part_info[i].type || (i == P_THEME && !theme))
            continue;
        char name[64];
        snprintf(name, sizeof name, "/%s", part_info[i].name);
        const char *attrs[] = {"PartName", name, "ContentType",
                               part_info[i].type, NULL};
        if (!add_el(&p, p.root, p.ns, "Override", attrs))
            r = -1;
    }
    if (r == 0)
        r = part_finish(&p, out);
    xmlFreeDoc(p.doc);
    return r;
}

/* A Relationship; external targets (hyperlinks) say so. */
static int relationship(part_doc *p, const char *id, const char *type,
                        const char *target, bool external)
{
    const char *attrs[] = {"Id", id, "Type", type, "Target", target,
                           external ? "TargetMode" : NULL, "External", NULL};
    return add_el(p, p->root, p->ns, "Relationship", attrs) ? 0 : -1;
}

static int package_rels(dk_buf *out)
{
    part_doc p = {0};
    int r = part_new(&p, "Relationships", DOCX_NS_PKG_RELS, NULL);
    if (r == 0)
        r = relationship(&p, "rId1", DOCX_REL_BASE "officeDocument",
                         "word/document.xml", false);
    if (r == 0)
        r = relationship(&p, "rId2", "http://schemas.openxmlformats.org/"
                         "package/2006/relationships/metadata/core-properties",
                         "docProps/core.xml", false);
    if (r == 0)
        r = relationship(&p, "rId3", DOCX_REL_BASE "extended-properties",
                         "docProps/app.xml", false);
    if (r == 0)
        r = part_finish(&p, out);
    xmlFreeDoc(p.doc);
    return r;
}

static int document_rels(const docx_state *st, bool theme, dk_buf *out)
{
    part_doc p = {0};
    int r = part_new(&p, "Relationships", DOCX_NS_PKG_RELS, NULL);
    if (r == 0)
        r = relationship(&p, "rId1", DOCX_REL_BASE "styles", "styles.xml",
                         false);
    if (r == 0)
        r = relationship(&p, "rId2", DOCX_REL_BASE "numbering",
                         "numbering.xml", false);
    if (r == 0 && theme)
        r = relationship(&p, "rId3", DOCX_REL_BASE "theme", "theme/theme1.xml",
                         false);
    for (size_t i = 0; i < st->n_links && r == 0; i++) {
        char id[32];
        snprintf(id, sizeof id, "rId%zu", DOCX_FIRST_LINK + i);
        r = relationship(&p, id, DOCX_REL_BASE "hyperlink", st->links[i], true);
    }
    if (r == 0)
        r = part_finish(&p, out);
    xmlFreeDoc(p.doc);
    return r;
}

/* ---- properties ----------------------------------------------------------- */

/* The first child of n; NULL for no node. */
static const dk_node *first_of(const dk_node *n)
{
    return n ? dk_node_first(n) : NULL;
}

/* Is s a date as the tree writes them, YYYY-MM-DD? */
static bool iso_date(const char *s)
{
    if (!s || strlen(s) != 10)
        return false;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The first date of role (NULL: any) with a `when` in meta, else in a
 * letter of the body. Transfer none. */
static const char *doc_date(const dk_node *doc, const char *role)
{
    const dk_node *meta = dk_node_child(doc, DK_META);
    const dk_node *body = dk_node_child(doc, DK_BODY);
    const dk_node *where[2] = {meta, dk_node_child(body, DK_LETTER)};
    for (int k = 0; k < 2; k++)
        for (const dk_node *d = first_of(where[k]); d; d = dk_node_next(d)) {
            const char *r = dk_node_attr(d, DK_ATTR_ROLE);
            const char *when = dk_node_attr(d, DK_ATTR_WHEN);
            if (dk_node_type(d) == DK_DATE && iso_date(when) &&
                (!role || (r && strcmp(r, role) == 0)))
                return when;
        }
    return NULL;
}

/* When the document was made: written, else published, else any date. */
static const char *created_date(const dk_node *doc)
{
    const char *d = doc_date(doc, "written");
    if (!d)
        d = doc_date(doc, "published");
    return d ? d : doc_date(doc, NULL);
}

/* When it last changed: updated, else when it was made. */
static const char *modified_date(const dk_node *doc)
{
    const char *d = doc_date(doc, "updated");
    return d ? d : created_date(doc);
}

/* The texts of meta's children of type, joined by "; ". Transfer full. */
static char *joined(const dk_node *meta, dk_type type)
{
    dk_buf b = DK_BUF_INIT;
    for (const dk_node *c = first_of(meta); c; c = dk_node_next(c)) {
        if (dk_node_type(c) != type)
            continue;
        char *t = dk_node_text_content(c);
        if (!t || (b.len && dk_buf_puts(&b, "; ") < 0) ||
            dk_buf_puts(&b, t) < 0) {
            free(t);
            dk_buf_free(&b);
            return NULL;
        }
        free(t);
    }
    return b.data ? b.data : strdup("");
}

static int core_text(docx_state *st, part_doc *p, xmlNsPtr ns,
                     const char *name, const dk_node *meta, dk_type type)
{
    char *t = joined(meta, type);
    int r = t && (!*t || add_text_el(st, p, ns, name, t)) ? 0 : -1;
    free(t);
    return r;
}

static int core_date(docx_state *st, part_doc *p, xmlNsPtr terms,
                     xmlNsPtr xsi, const char *name, const char *date)
{
    if (!date)
        return 0;
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%sT00:00:00Z", date);
    xmlNodePtr e = add_text_el(st, p, terms, name, stamp);
    return e && xmlNewNsProp(e, xsi, (const xmlChar *)"type",
                             (const xmlChar *)"dcterms:W3CDTF") ? 0 : -1;
}

/*
 * docProps/core.xml: title, the force as subject, the authors as
 * creator, the year as keyword, the kind as category, the language, and
 * created / modified from the document's dates (left out without them).
 */
static int core_props(docx_state *st, const dk_node *doc, dk_buf *out)
{
    part_doc p = {0};
    const dk_node *meta = dk_node_child(doc, DK_META);
    const char *kind = dk_node_attr(doc, DK_ATTR_KIND);
    int r = part_new(&p, "coreProperties", NS_CORE, "cp");
    xmlNsPtr dc = r == 0 ? xmlNewNs(p.root, (const xmlChar *)NS_DC,
                                    (const xmlChar *)"dc") : NULL;
    xmlNsPtr terms = dc ? xmlNewNs(p.root, (const xmlChar *)NS_DCTERMS,
                                   (const xmlChar *)"dcterms") : NULL;
    xmlNsPtr xsi = terms ? xmlNewNs(p.root, (const xmlChar *)NS_XSI,
                                    (const xmlChar *)"xsi") : NULL;
    if (!xsi || core_text(st, &p, dc, "title", meta, DK_TITLE) < 0 ||
        core_text(st, &p, dc, "subject", meta, DK_FORCE) < 0 ||
        core_text(st, &p, dc, "creator", meta, DK_AUTHOR) < 0 ||
        core_text(st, &p, p.ns, "keywords", meta, DK_YEAR) < 0 ||
        (kind && !add_text_el(st, &p, p.ns, "category", kind)) ||
        core_text(st, &p, dc, "language", meta, DK_LANG) < 0 ||
        core_text(st, &p, dc, "description", meta, DK_DESCRIPTION) < 0 ||
        core_date(st, &p, terms, xsi, "created", created_date(doc)) < 0 ||
        core_date(st, &p, terms, xsi, "modified", modified_date(doc)) < 0)
        r = -1;
    if (r == 0)
        r = part_finish(&p, out);
    xmlFreeDoc(p.doc);
    return r;
}

/* docProps/app.xml: the organisations as Company; the program only when
 * asked (--metadata generator), as for XML. */
static int app_props(docx_state *st, const dk_node *doc, dk_buf *out)
{
    part_doc p = {0};
    const dk_node *meta = dk_node_child(doc, DK_META);
    int r = part_new(&p, "Properties", NS_APP, NULL);
    if (r == 0 && dk_ctx_option(st->ctx, "generator") &&
        !add_text_el(st, &p, p.ns, "Application", "docket " DK_VERSION))
        r = -1;
    if (r == 0)
        r = core_text(st, &p, p.ns, "Company", meta, DK_ORG);
    if (r == 0)
        r = part_finish(&p, out);
    xmlFreeDoc(p.doc);
    return r;
}

/* ---- the writer ----------------------------------------------------------- */

static int docx_write(dk_ctx *ctx, const dk_node *doc, dk_sink *out)
{
    if (dk_ctx_option(ctx, "output-terminal"))
        return dk_ctx_fail(ctx, DK_E_USAGE, "will not write DOCX to a "
                           "terminal; name a file with -o FILE.docx or "
                           "redirect standard output (-o - forces it)");
    docx_state st = {.ctx = ctx};
    dk_buf bufs[P_COUNT];
    for (int i = 0; i < P_COUNT; i++)
        bufs[i] = (dk_buf)DK_BUF_INIT;
    int r = -1;
    docx_styles *styles = docx_styles_new(&st, dk_ctx_option(ctx, "reference-doc"));
    if (!styles)
        goto cleanup;
    const dk_buf *theme = docx_theme_part(styles);
    if (docx_document(&st, doc, &bufs[P_DOCUMENT]) < 0 ||
        docx_styles_part(styles, &bufs[P_STYLES]) < 0 ||
        docx_numbering_part(styles, &bufs[P_NUMBERING]) < 0)
        goto cleanup;
    if (content_types(theme != NULL, &bufs[P_TYPES]) < 0 ||
        package_rels(&bufs[P_RELS]) < 0 ||
        document_rels(&st, theme != NULL, &bufs[P_DOC_RELS]) < 0 ||
        core_props(&st, doc, &bufs[P_CORE]) < 0 ||
        app_props(&st, doc, &bufs[P_APP]) < 0) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    docx_part parts[P_COUNT];
    size_t n = 0;
    for (int i = 0; i < P_COUNT; i++) {
        const dk_buf *b = i == P_THEME ? theme : &bufs[i];
        if (b)
            parts[n++] = (docx_part){part_info[i].name, b->data, b->len};
    }
    if (st.replaced)
        dk_ctx_warn(ctx, "%zu character%s that XML 1.0 does not allow "
                    "replaced with U+FFFD", st.replaced,
                    st.replaced == 1 ? "" : "s");
    r = docx_zip_write(ctx, parts, n, modified_date(doc), out);
cleanup:
    docx_styles_free(styles);
    for (int i = 0; i < P_COUNT; i++)
        dk_buf_free(&bufs[i]);
    for (int i = 0; i < DOCX_S_COUNT; i++)
        free(st.style_id[i]);
    for (size_t i = 0; i < st.n_links; i++)
        free(st.links[i]);
    free(st.links);
    free(st.lists);
    return r;
}

static const dk_option_decl options[] = {
    {"reference-doc", "FILE", "docx: take styles and numbering from FILE.docx"},
    {"generator", NULL, "xml, docx: record docket's version (--metadata generator)"},
    {NULL, NULL, NULL},
};

DOCKET_PLUGIN(.name = "docx", .version = DK_VERSION,
              .description = "Office Open XML word processing (Word, "
                             "LibreOffice), with styles by name",
              .kinds = DK_KIND_WRITER, .format = "docx",
              .extensions = extensions, .write = docx_write, .options = options);
