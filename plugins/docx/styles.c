/*
 * word/styles.xml and word/numbering.xml: docket's own styles, or a
 * reference document's (--reference-doc, as in pandoc) with the styles it
 * lacks added. Styles are matched by name, so a template that calls
 * "heading 1" "Überschrift1" still restyles docket's headings.
 *
 * Lists: one abstractNum and one num per list, so that each list restarts
 * and keeps its start. Their levels come from the reference document's
 * "List Bullet" / "List Number" numbering when that style has one, else
 * from docket's: bullets •, ◦, ▪ and numbers 1., a., i. by level.
 */
#define _GNU_SOURCE
#include "docxp.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What docket's styles look like. body follows w:name in schema order;
 * basedOn, next and link name docket's own ids. */
typedef struct style_def {
    const char *type;
    const char *id;
    bool is_default;
    const char *body;
} style_def;

#define NEXT_NORMAL "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/>"
#define BASED_NORMAL "<w:basedOn w:val=\"Normal\"/>"
#define TIGHT "<w:spacing w:before=\"0\" w:after=\"0\"/>"
#define HEADING(n, before, size, colour)                                       \
    NEXT_NORMAL "<w:uiPriority w:val=\"9\"/><w:qFormat/>"                      \
    "<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"" before          \
    "\" w:after=\"120\"/><w:outlineLvl w:val=\"" n "\"/></w:pPr>"              \
    "<w:rPr><w:b/><w:bCs/><w:color w:val=\"" colour "\"/><w:sz w:val=\""      \
    size "\"/><w:szCs w:val=\"" size "\"/></w:rPr>"

static const style_def defs[DOCX_S_COUNT] = {
    [DOCX_S_NORMAL] = {"paragraph", "Normal", true, "<w:qFormat/>"},
    [DOCX_S_TITLE] = {"paragraph", "Title", false,
        NEXT_NORMAL "<w:uiPriority w:val=\"10\"/><w:qFormat/>"
        "<w:pPr><w:keepNext/><w:keepLines/>"
        "<w:spacing w:before=\"0\" w:after=\"240\"/></w:pPr>"
        "<w:rPr><w:b/><w:bCs/><w:color w:val=\"1F3864\"/>"
        "<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr>"},
    [DOCX_S_AUTHOR] = {"paragraph", "Author", false,
        NEXT_NORMAL "<w:qFormat/><w:pPr>" TIGHT "</w:pPr>"},
    [DOCX_S_DATE] = {"paragraph", "Date", false,
        NEXT_NORMAL "<w:qFormat/>"
        "<w:pPr><w:spacing w:before=\"240\" w:after=\"240\"/></w:pPr>"},
    [DOCX_S_H1] = {"paragraph", "Heading1", false, HEADING("0", "360", "32", "1F3864")},
    [DOCX_S_H2] = {"paragraph", "Heading2", false, HEADING("1", "240", "28", "1F3864")},
    [DOCX_S_H3] = {"paragraph", "Heading3", false, HEADING("2", "240", "26", "2F5496")},
    [DOCX_S_H4] = {"paragraph", "Heading4", false, HEADING("3", "240", "24", "2F5496")},
    [DOCX_S_H5] = {"paragraph", "Heading5", false, HEADING("4", "240", "22", "2F5496")},
    [DOCX_S_H6] = {"paragraph", "Heading6", false, HEADING("5", "240", "22", "404040")},
    [DOCX_S_LIST_BULLET] = {"paragraph", "ListBullet", false,
        BASED_NORMAL "<w:qFormat/>"
        "<w:pPr><w:spacing w:after=\"60\"/><w:contextualSpacing/></w:pPr>"},
    [DOCX_S_LIST_NUMBER] = {"paragraph", "ListNumber", false,
        BASED_NORMAL "<w:qFormat/>"
        "<w:pPr><w:spacing w:after=\"60\"/><w:contextualSpacing/></w:pPr>"},
    [DOCX_S_LIST_PARAGRAPH] = {"paragraph", "ListParagraph", false,
        BASED_NORMAL "<w:qFormat/>"
        "<w:pPr><w:spacing w:after=\"60\"/><w:ind w:left=\"720\"/>"
        "<w:contextualSpacing/></w:pPr>"},
    [DOCX_S_QUOTE] = {"paragraph", "Quote", false,
        NEXT_NORMAL "<w:qFormat/>"
        "<w:pPr><w:ind w:left=\"720\" w:right=\"720\"/></w:pPr>"
        "<w:rPr><w:i/><w:iCs/><w:color w:val=\"404040\"/></w:rPr>"},
    [DOCX_S_SOURCE_CODE] = {"paragraph", "SourceCode", false,
        BASED_NORMAL "<w:qFormat/><w:pPr><w:wordWrap w:val=\"0\"/>"
        "<w:spacing w:after=\"120\" w:line=\"240\" w:lineRule=\"auto\"/>"
        "</w:pPr><w:rPr><w:rFonts w:ascii=\"Courier New\" "
        "w:hAnsi=\"Courier New\" w:cs=\"Courier New\"/>"
        "<w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/></w:rPr>"},
    [DOCX_S_RULE] = {"paragraph", "HorizontalRule", false,
        NEXT_NORMAL "<w:pPr><w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" "
        "w:space=\"1\" w:color=\"auto\"/></w:pBdr>"
        "<w:spacing w:after=\"240\"/></w:pPr>"},
    [DOCX_S_ADDRESS] = {"paragraph", "Address", false,
        BASED_NORMAL "<w:qFormat/><w:pPr>" TIGHT "</w:pPr>"},
    [DOCX_S_GRADE] = {"paragraph", "Grade", false,
        NEXT_NORMAL "<w:qFormat/><w:pPr><w:keepNext/></w:pPr>"
        "<w:rPr><w:b/><w:bCs/><w:color w:val=\"833C0B\"/></w:rPr>"},
    [DOCX_S_SENDER] = {"paragraph", "Sender", false,
        BASED_NORMAL "<w:qFormat/><w:pPr>" TIGHT "<w:jc w:val=\"right\"/></w:pPr>"},
    [DOCX_S_RECIPIENT] = {"paragraph", "Recipient", false,
        BASED_NORMAL "<w:qFormat/><w:pPr>" TIGHT "</w:pPr>"},
    /* not "Date": readers such as pandoc take a Date paragraph at the top
     * of a document for its metadata, and a letter may open with its date */
    [DOCX_S_LETTER_DATE] = {"paragraph", "LetterDate", false,
        BASED_NORMAL "<w:qFormat/>"
        "<w:pPr><w:spacing w:before=\"240\" w:after=\"240\"/></w:pPr>"},
    [DOCX_S_REFERENCE] = {"paragraph", "Reference", false,
        BASED_NORMAL "<w:qFormat/><w:pPr><w:spacing w:before=\"240\" "
        "w:after=\"0\"/></w:pPr>"},
    [DOCX_S_SUBJECT] = {"paragraph", "Subject", false,
        NEXT_NORMAL "<w:qFormat/><w:pPr><w:keepNext/><w:spacing "
        "w:before=\"240\" w:after=\"240\"/></w:pPr>"
        "<w:rPr><w:b/><w:bCs/></w:rPr>"},
    [DOCX_S_SALUTATION] = {"paragraph", "Salutation", false,
        NEXT_NORMAL "<w:qFormat/><w:pPr><w:spacing w:before=\"240\"/></w:pPr>"},
    [DOCX_S_CLOSING] = {"paragraph", "Closing", false,
        "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Signature\"/><w:qFormat/>"
        "<w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"720\"/>"
        "</w:pPr>"},
    [DOCX_S_SIGNATURE] = {"paragraph", "Signature", false,
        BASED_NORMAL "<w:qFormat/><w:pPr>" TIGHT "</w:pPr>"},
    [DOCX_S_CC] = {"paragraph", "Cc", false,
        BASED_NORMAL "<w:qFormat/><w:pPr><w:spacing w:before=\"240\" "
        "w:after=\"0\"/></w:pPr>"},
    [DOCX_S_ENCLOSURE] = {"paragraph", "Enclosure", false,
        BASED_NORMAL "<w:qFormat/><w:pPr><w:spacing w:before=\"240\" "
        "w:after=\"0\"/></w:pPr>"},
    [DOCX_S_PARA_FONT] = {"character", "DefaultParagraphFont", true,
        "<w:uiPriority w:val=\"1\"/><w:semiHidden/><w:unhideWhenUsed/>"},
    [DOCX_S_HYPERLINK] = {"character", "Hyperlink", false,
        "<w:basedOn w:val=\"DefaultParagraphFont\"/><w:uiPriority w:val=\"99\"/>"
        "<w:unhideWhenUsed/><w:rPr><w:color w:val=\"0563C1\"/>"
        "<w:u w:val=\"single\"/></w:rPr>"},
    [DOCX_S_VERBATIM] = {"character", "VerbatimChar", false,
        "<w:basedOn w:val=\"DefaultParagraphFont\"/><w:rPr><w:rFonts "
        "w:ascii=\"Courier New\" w:hAnsi=\"Courier New\" w:cs=\"Courier New\"/>"
        "<w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/></w:rPr>"},
    [DOCX_S_TABLE_NORMAL] = {"table", "TableNormal", true,
        "<w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/>"
        "<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar>"
        "<w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>"
        "<w:bottom w:w=\"0\" w:type=\"dxa\"/>"
        "<w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr>"},
    [DOCX_S_TABLE_GRID] = {"table", "TableGrid", false,
        "<w:basedOn w:val=\"TableNormal\"/><w:uiPriority w:val=\"39\"/>"
        "<w:pPr><w:spacing w:before=\"40\" w:after=\"40\"/></w:pPr>"
        "<w:tblPr><w:tblBorders>"
        "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
        "<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
        "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
        "<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
        "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
        "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
        "</w:tblBorders></w:tblPr>"
        "<w:tblStylePr w:type=\"firstRow\"><w:rPr><w:b/><w:bCs/></w:rPr>"
        "</w:tblStylePr>"},
    [DOCX_S_NO_LIST] = {"numbering", "NoList", true,
        "<w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/>"},
};

static const char *const style_names[DOCX_S_COUNT] = {
#define DOCX_X_NAME(e, n) n,
    DOCX_STYLES(DOCX_X_NAME)
#undef DOCX_X_NAME
};

#define STYLES_OPEN "<w:styles xmlns:w=\"" DOCX_NS_W "\">"
#define DOC_DEFAULTS                                                           \
    "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Calibri\" "       \
    "w:eastAsia=\"Calibri\" w:hAnsi=\"Calibri\" w:cs=\"Calibri\"/>"            \
    "<w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/></w:rPr></w:rPrDefault>"        \
    "<w:pPrDefault><w:pPr><w:spacing w:after=\"160\" w:line=\"259\" "          \
    "w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>"

struct docx_styles {
    docx_state *st;
    xmlDocPtr styles;    /* styles.xml as it will be written */
    xmlDocPtr numbering; /* the reference's numbering.xml, or NULL */
    xmlDocPtr own;       /* docket's level definitions */
    xmlNodePtr bullet, number; /* abstractNums whose levels lists copy */
    long first_abstract;
    dk_buf theme;
    bool has_theme;
};

/* ---- parsing and writing parts ------------------------------------------- */

static void quiet(void *user, xmlErrorPtr e)
{
    (void)user;
    (void)e;
}

static void on_doctype(void *user, const xmlChar *name, const xmlChar *ext_id,
                       const xmlChar *sys_id)
{
    (void)name;
    (void)ext_id;
    (void)sys_id;
    xmlParserCtxtPtr p = user;
    *(bool *)p->_private = true;
    xmlStopParser(p);
}

xmlDocPtr docx_parse(const char *data, size_t len)
{
    if (len > (size_t)INT32_MAX)
        return NULL;
    bool doctype = false;
    xmlParserCtxtPtr p = xmlNewParserCtxt();
    if (!p)
        return NULL;
    p->_private = &doctype;
    p->sax->internalSubset = on_doctype;
    p->sax->serror = quiet;
    xmlDocPtr doc = xmlCtxtReadMemory(p, data, (int)len, NULL, NULL,
                                      XML_PARSE_NONET);
    if (doc && (doctype || !p->wellFormed)) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(p);
    return doc;
}

int docx_serialize(xmlDocPtr doc, dk_buf *out)
{
    xmlChar *mem = NULL;
    int len = -1;
    doc->standalone = 1;
    xmlDocDumpMemoryEnc(doc, &mem, &len, "UTF-8");
    int r = mem && len >= 0 ? dk_buf_append(out, mem, (size_t)len) : -1;
    xmlFree(mem);
    return r;
}

/* ---- walking WordprocessingML ------------------------------------------ */

static bool is_w(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns &&
           xmlStrEqual(n->ns->href, (const xmlChar *)DOCX_NS_W) &&
           xmlStrEqual(n->name, (const xmlChar *)name);
}

/* The first child w:NAME of n, or NULL. */
static xmlNodePtr w_child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (is_w(c, name))
            return c;
    return NULL;
}

/* The w:NAME attribute of n (transfer full, xmlFree), or NULL. */
static xmlChar *w_attr(xmlNodePtr n, const char *name)
{
    return n ? xmlGetNsProp(n, (const xmlChar *)name,
                            (const xmlChar *)DOCX_NS_W) : NULL;
}

static bool w_attr_is(xmlNodePtr n, const char *name, const char *value)
{
    xmlChar *v = w_attr(n, name);
    bool r = v && xmlStrEqual(v, (const xmlChar *)value);
    xmlFree(v);
    return r;
}

static long w_attr_long(xmlNodePtr n, const char *name, long fallback)
{
    xmlChar *v = w_attr(n, name);
    char *end = NULL;
    long r = v ? strtol((const char *)v, &end, 10) : fallback;
    if (!v || end == (char *)v || *end)
        r = fallback;
    xmlFree(v);
    return r;
}

/* Set w:NAME on n, which may not be linked yet (into its document's
 * root element, then). */
static int w_set(xmlNodePtr n, const char *name, const char *value)
{
    xmlNsPtr ns = xmlSearchNsByHref(n->doc, n, (const xmlChar *)DOCX_NS_W);
    if (!ns)
        ns = xmlSearchNsByHref(n->doc, xmlDocGetRootElement(n->doc),
                               (const xmlChar *)DOCX_NS_W);
    return ns && xmlSetNsProp(n, ns, (const xmlChar *)name,
                              (const xmlChar *)value) ? 0 : -1;
}

/* A deep copy of src for doc, using the namespace declarations in scope
 * at parent, where the caller then puts it. Transfer full. */
static xmlNodePtr clone_for(xmlNodePtr src, xmlDocPtr doc, xmlNodePtr parent)
{
    xmlNodePtr copy = NULL;
    if (!src || xmlDOMWrapCloneNode(NULL, src->doc, src, &copy, doc, parent,
                                    1, 0) != 0) {
        xmlFreeNode(copy);
        return NULL;
    }
    return copy;
}

/* A parsed fragment of WordprocessingML (text inside w:root). */
static xmlDocPtr fragment(const char *xml)
{
    dk_buf b = DK_BUF_INIT;
    xmlDocPtr doc = NULL;
    if (dk_buf_printf(&b, "<w:root xmlns:w=\"%s\">%s</w:root>", DOCX_NS_W,
                      xml) == 0)
        doc = docx_parse(b.data, b.len);
    dk_buf_free(&b);
    return doc;
}

/* ---- styles -------------------------------------------------------------- */

static int style_xml(dk_buf *b, docx_style s, const char *id, bool dflt)
{
    const style_def *d = &defs[s];
    return dk_buf_printf(b, "<w:style w:type=\"%s\"%s w:styleId=\"%s\">"
                         "<w:name w:val=\"%s\"/>%s</w:style>", d->type,
                         dflt ? " w:default=\"1\"" : "", id, style_names[s],
                         d->body);
}

/* docket's own styles.xml. */
static xmlDocPtr default_styles(void)
{
    dk_buf b = DK_BUF_INIT;
    xmlDocPtr doc = NULL;
    int r = dk_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                        STYLES_OPEN DOC_DEFAULTS);
    for (int s = 0; s < DOCX_S_COUNT && r == 0; s++)
        r = style_xml(&b, (docx_style)s, defs[s].id, defs[s].is_default);
    if (r == 0 && dk_buf_puts(&b, "</w:styles>") == 0)
        doc = docx_parse(b.data, b.len);
    dk_buf_free(&b);
    return doc;
}

/* The style of the reference whose name is name (any case) and type is
 * type, or NULL. */
static xmlNodePtr find_style(xmlNodePtr root, const char *type,
                             const char *name)
{
    for (xmlNodePtr s = root->children; s; s = s->next) {
        if (!is_w(s, "style") || !w_attr_is(s, "type", type))
            continue;
        xmlChar *n = w_attr(w_child(s, "name"), "val");
        bool match = n && strcasecmp((const char *)n, name) == 0;
        xmlFree(n);
        if (match)
            return s;
    }
    return NULL;
}

static bool id_taken(xmlNodePtr root, const char *id)
{
    for (xmlNodePtr s = root->children; s; s = s->next)
        if (is_w(s, "style") && w_attr_is(s, "styleId", id))
            return true;
    return false;
}

static bool has_default(xmlNodePtr root, const char *type)
{
    for (xmlNodePtr s = root->children; s; s = s->next)
        if (is_w(s, "style") && w_attr_is(s, "type", type) &&
            (w_attr_is(s, "default", "1") || w_attr_is(s, "default", "true")))
            return true;
    return false;
}

/* The resolved id for one of docket's own ids (in basedOn, next). */
static const char *resolve_id(docx_state *st, const xmlChar *own)
{
    for (int s = 0; s < DOCX_S_COUNT; s++)
        if (xmlStrEqual(own, (const xmlChar *)defs[s].id))
            return st->style_id[s];
    return (const char *)own;
}

/* Add docket's definition of s to the reference's styles, under the id
 * already chosen, pointing at the reference's ids. */
static int add_style(docx_styles *x, xmlNodePtr root, docx_style s)
{
    dk_buf b = DK_BUF_INIT;
    bool dflt = defs[s].is_default && !has_default(root, defs[s].type);
    xmlDocPtr f = NULL;
    int r = -1;
    if (style_xml(&b, s, x->st->style_id[s], dflt) < 0 ||
        !(f = fragment(b.data)))
        goto cleanup;
    xmlNodePtr copy = clone_for(w_child(xmlDocGetRootElement(f), "style"),
                                x->styles, root);
    if (!copy || !xmlAddChild(root, copy)) {
        xmlFreeNode(copy);
        goto cleanup;
    }
    static const char *const refs[] = {"basedOn", "next", "link"};
    for (size_t i = 0; i < 3; i++) {
        xmlNodePtr e = w_child(copy, refs[i]);
        xmlChar *v = w_attr(e, "val");
        int k = v ? w_set(e, "val", resolve_id(x->st, v)) : 0;
        xmlFree(v);
        if (k < 0)
            goto cleanup;
    }
    r = 0;
cleanup:
    xmlFreeDoc(f);
    dk_buf_free(&b);
    return r;
}

/*
 * Settle the id of each of docket's styles in the reference's styles:
 * the id of the style of the same name, else docket's id (made unique),
 * and add the missing ones.
 */
static int merge_styles(docx_styles *x)
{
    xmlNodePtr root = xmlDocGetRootElement(x->styles);
    bool missing[DOCX_S_COUNT] = {false};
    for (int s = 0; s < DOCX_S_COUNT; s++) {
        xmlNodePtr found = find_style(root, defs[s].type, style_names[s]);
        xmlChar *id = found ? w_attr(found, "styleId") : NULL;
        if (id) {
            x->st->style_id[s] = strdup((const char *)id);
            xmlFree(id);
        } else {
            missing[s] = true;
            char buf[128];
            snprintf(buf, sizeof buf, "%s", defs[s].id);
            for (int n = 1; id_taken(root, buf); n++)
                snprintf(buf, sizeof buf, "%s%d", defs[s].id, n);
            /* docket's ids differ by more than a trailing number, so two
             * added styles never get the same one */
            x->st->style_id[s] = strdup(buf);
        }
        if (!x->st->style_id[s])
            return -1;
    }
    for (int s = 0; s < DOCX_S_COUNT; s++)
        if (missing[s] && add_style(x, root, (docx_style)s) < 0)
            return -1;
    return 0;
}

/* ---- numbering ------------------------------------------------------------ */

/* docket's levels for a bullet or a numbered list. */
static int own_levels(dk_buf *b, bool ordered)
{
    static const char *const bullets[] = {"\xE2\x80\xA2", "\xE2\x97\xA6",
                                          "\xE2\x96\xAA"};
    static const char *const formats[] = {"decimal", "lowerLetter",
                                          "lowerRoman"};
    int r = dk_buf_printf(b, "<w:abstractNum w:abstractNumId=\"0\">"
                          "<w:multiLevelType w:val=\"multilevel\"/>");
    for (int i = 0; i < 9 && r == 0; i++) {
        if (ordered)
            r = dk_buf_printf(b, "<w:lvl w:ilvl=\"%d\"><w:start w:val=\"1\"/>"
                              "<w:numFmt w:val=\"%s\"/>"
                              "<w:lvlText w:val=\"%%%d.\"/>", i,
                              formats[i % 3], i + 1);
        else
            r = dk_buf_printf(b, "<w:lvl w:ilvl=\"%d\"><w:start w:val=\"1\"/>"
                              "<w:numFmt w:val=\"bullet\"/>"
                              "<w:lvlText w:val=\"%s\"/>", i, bullets[i % 3]);
        if (r == 0)
            r = dk_buf_printf(b, "<w:lvlJc w:val=\"left\"/><w:pPr><w:ind "
                              "w:left=\"%d\" w:hanging=\"360\"/></w:pPr>"
                              "</w:lvl>", 720 * (i + 1));
    }
    return r == 0 ? dk_buf_puts(b, "</w:abstractNum>") : -1;
}

static xmlDocPtr own_numbering(void)
{
    dk_buf b = DK_BUF_INIT;
    xmlDocPtr doc = NULL;
    if (own_levels(&b, false) == 0 && own_levels(&b, true) == 0)
        doc = fragment(b.data);
    dk_buf_free(&b);
    return doc;
}

/* The abstractNum of numId num_id in the reference's numbering, if it
 * defines levels itself. */
static xmlNodePtr abstract_of(xmlNodePtr root, long num_id)
{
    long abstract = -1;
    for (xmlNodePtr n = root->children; n; n = n->next)
        if (is_w(n, "num") && w_attr_long(n, "numId", -2) == num_id)
            abstract = w_attr_long(w_child(n, "abstractNumId"), "val", -1);
    if (abstract < 0)
        return NULL;
    for (xmlNodePtr a = root->children; a; a = a->next)
        if (is_w(a, "abstractNum") &&
            w_attr_long(a, "abstractNumId", -2) == abstract &&
            w_child(a, "lvl"))
            return a;
    return NULL;
}

/* The numbering the reference's style s uses, if it has one. */
static xmlNodePtr style_numbering(docx_styles *x, docx_style s)
{
    if (!x->numbering)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(x->styles);
    xmlNodePtr style = find_style(root, defs[s].type, style_names[s]);
    xmlNodePtr num = w_child(w_child(w_child(style, "pPr"), "numPr"), "numId");
    long id = w_attr_long(num, "val", 0);
    return id > 0 ? abstract_of(xmlDocGetRootElement(x->numbering), id) : NULL;
}

/* The highest value of attribute attr on the children w:name of root. */
static long highest(xmlNodePtr root, const char *name, const char *attr)
{
    long max = 0;
    for (xmlNodePtr n = root ? root->children : NULL; n; n = n->next)
        if (is_w(n, name)) {
            long v = w_attr_long(n, attr, 0);
            if (v > max)
                max = v;
        }
    return max;
}

static int setup_numbering(docx_styles *x)
{
    x->own = own_numbering();
    if (!x->own)
        return -1;
    xmlNodePtr own = xmlDocGetRootElement(x->own);
    x->bullet = style_numbering(x, DOCX_S_LIST_BULLET);
    x->number = style_numbering(x, DOCX_S_LIST_NUMBER);
    if (!x->bullet)
        x->bullet = w_child(own, "abstractNum");
    if (!x->number)
        x->number = xmlNextElementSibling(w_child(own, "abstractNum"));
    xmlNodePtr root = x->numbering ? xmlDocGetRootElement(x->numbering) : NULL;
    long max_num = highest(root, "num", "numId");
    x->first_abstract = highest(root, "abstractNum", "abstractNumId") + 1;
    if (max_num >= INT32_MAX / 2 || x->first_abstract >= INT32_MAX / 2)
        return -1;
    x->st->first_num = (int)max_num + 1;
    return 0;
}

/* The level ilvl of an abstractNum, or NULL. */
static xmlNodePtr level(xmlNodePtr abstract, long ilvl)
{
    for (xmlNodePtr l = abstract->children; l; l = l->next)
        if (is_w(l, "lvl") && w_attr_long(l, "ilvl", -1) == ilvl)
            return l;
    return NULL;
}

/* A copy of template for one list in doc: its own id, every level
 * present, an ordered list's levels starting at start. Transfer full. */
static xmlNodePtr list_definition(docx_styles *x, xmlDocPtr doc,
                                  const docx_list *l, long id)
{
    xmlNodePtr tmpl = l->ordered ? x->number : x->bullet;
    xmlNodePtr a = clone_for(tmpl, doc, xmlDocGetRootElement(doc));
    if (!a)
        return NULL;
    char v[32];
    /* what names or links the template is not this list's */
    static const char *const drop[] = {"nsid", "tmpl", "name", "styleLink",
                                       "numStyleLink"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++) {
        xmlNodePtr e = w_child(a, drop[i]);
        if (e) {
            xmlUnlinkNode(e);
            xmlFreeNode(e);
        }
    }
    xmlNodePtr own = xmlDocGetRootElement(x->own);
    xmlNodePtr own_tmpl = l->ordered
                              ? xmlNextElementSibling(w_child(own, "abstractNum"))
                              : w_child(own, "abstractNum");
    for (long i = 0; i < 9; i++)
        if (!level(a, i)) {
            xmlNodePtr add = clone_for(level(own_tmpl, i), doc, a);
            if (!add || !xmlAddChild(a, add)) {
                xmlFreeNode(add);
                goto fail;
            }
        }
    snprintf(v, sizeof v, "%ld", id);
    if (w_set(a, "abstractNumId", v) < 0)
        goto fail;
    xmlNsPtr ns = xmlSearchNsByHref(doc, xmlDocGetRootElement(doc),
                                    (const xmlChar *)DOCX_NS_W);
    xmlNodePtr nsid = xmlNewDocNode(doc, ns, (const xmlChar *)"nsid", NULL);
    snprintf(v, sizeof v, "%08lX", 0x0D0C0000L + id);
    if (!nsid || !a->children || !xmlAddPrevSibling(a->children, nsid)) {
        xmlFreeNode(nsid);
        goto fail;
    }
    if (w_set(nsid, "val", v) < 0)
        goto fail;
    if (!l->ordered)
        return a;
    snprintf(v, sizeof v, "%ld", l->start);
    for (xmlNodePtr lv = a->children; lv; lv = lv->next) {
        if (!is_w(lv, "lvl"))
            continue;
        xmlNodePtr start = w_child(lv, "start");
        if (!start) {
            start = xmlNewDocNode(doc, ns, (const xmlChar *)"start", NULL);
            if (!start || !(lv->children ? xmlAddPrevSibling(lv->children, start)
                                         : xmlAddChild(lv, start))) {
                xmlFreeNode(start);
                goto fail;
            }
        }
        if (w_set(start, "val", v) < 0)
            goto fail;
    }
    return a;
fail:
    xmlFreeNode(a);
    return NULL;
}

int docx_numbering_part(docx_styles *x, dk_buf *out)
{
    xmlDocPtr doc = x->numbering;
    int r = -1;
    if (!doc) {
        static const char empty[] = "<w:numbering xmlns:w=\"" DOCX_NS_W "\"/>";
        doc = docx_parse(empty, sizeof empty - 1);
        if (!doc)
            goto cleanup;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNsPtr ns = xmlSearchNsByHref(doc, root, (const xmlChar *)DOCX_NS_W);
    /* abstractNums go before the first num, nums at the end (but before
     * Word's numIdMacAtCleanup) */
    xmlNodePtr first_num = w_child(root, "num");
    xmlNodePtr cleanup_mark = w_child(root, "numIdMacAtCleanup");
    for (size_t i = 0; i < x->st->n_lists; i++) {
        xmlNodePtr a = list_definition(x, doc, &x->st->lists[i],
                                       x->first_abstract + (long)i);
        xmlNodePtr at = first_num ? first_num : cleanup_mark;
        if (!a || !(at ? xmlAddPrevSibling(at, a) : xmlAddChild(root, a))) {
            xmlFreeNode(a);
            goto cleanup;
        }
    }
    for (size_t i = 0; i < x->st->n_lists; i++) {
        char v[32];
        xmlNodePtr num = xmlNewDocNode(doc, ns, (const xmlChar *)"num", NULL);
        if (!num || !(cleanup_mark ? xmlAddPrevSibling(cleanup_mark, num)
                                   : xmlAddChild(root, num))) {
            xmlFreeNode(num);
            goto cleanup;
        }
        snprintf(v, sizeof v, "%ld", (long)x->st->first_num + (long)i);
        xmlNodePtr abs = xmlNewDocNode(doc, ns, (const xmlChar *)"abstractNumId",
                                       NULL);
        if (w_set(num, "numId", v) < 0 || !abs || !xmlAddChild(num, abs)) {
            xmlFreeNode(abs);
            goto cleanup;
        }
        snprintf(v, sizeof v, "%ld", x->first_abstract + (long)i);
        if (w_set(abs, "val", v) < 0)
            goto cleanup;
    }
    r = docx_serialize(doc, out);
cleanup:
    if (doc != x->numbering)
        xmlFreeDoc(doc);
    if (r < 0)
        dk_ctx_fail(x->st->ctx, DK_E_NOMEM, "out of memory");
    return r;
}

int docx_styles_part(docx_styles *x, dk_buf *out)
{
    if (docx_serialize(x->styles, out) < 0)
        return dk_ctx_fail(x->st->ctx, DK_E_NOMEM, "out of memory");
    return 0;
}

const dk_buf *docx_theme_part(const docx_styles *x)
{
    return x->has_theme ? &x->theme : NULL;
}

/* ---- the reference document ---------------------------------------------- */

/* A part of the reference, parsed, or NULL: *failed tells a missing part
 * (false) from a bad one (true, reported). */
static xmlDocPtr reference_part(docx_styles *x, docx_zip *z, const char *path,
                                const char *name, bool *failed)
{
    dk_buf b = DK_BUF_INIT;
    xmlDocPtr doc = NULL;
    *failed = false;
    int found = docx_zip_read(z, name, &b);
    if (found < 0) {
        *failed = true;
    } else if (found > 0) {
        doc = docx_parse(b.data, b.len);
        if (!doc) {
            *failed = true;
            dk_ctx_fail(x->st->ctx, DK_E_FORMAT, "reference document %s: %s "
                        "is not well-formed XML (or declares a DOCTYPE)",
                        path, name);
        }
    }
    dk_buf_free(&b);
    return doc;
}

/* The target of the relationship of type (…/relationships/TYPE) in the
 * document's relationships, as a part name, or a copy of fallback.
 * Transfer full. */
static char *related(xmlDocPtr rels, const char *type, const char *fallback)
{
    static const char rel_base[] = DOCX_REL_BASE;
    xmlNodePtr root = rels ? xmlDocGetRootElement(rels) : NULL;
    for (xmlNodePtr r = root ? root->children : NULL; r; r = r->next) {
        if (r->type != XML_ELEMENT_NODE ||
            !xmlStrEqual(r->name, (const xmlChar *)"Relationship"))
            continue;
        xmlChar *t = xmlGetProp(r, (const xmlChar *)"Type");
        bool match = t && strncmp((const char *)t, rel_base,
                                  sizeof rel_base - 1) == 0 &&
                     strcmp((const char *)t + sizeof rel_base - 1, type) == 0;
        xmlFree(t);
        if (!match)
            continue;
        xmlChar *target = xmlGetProp(r, (const xmlChar *)"Target");
        char *name = NULL;
        if (target && target[0] == '/')
            name = strdup((const char *)target + 1);
        else if (target && asprintf(&name, "word/%s", (const char *)target) < 0)
            name = NULL;
        xmlFree(target);
        return name;
    }
    return fallback ? strdup(fallback) : NULL;
}

static int read_reference(docx_styles *x, const char *path)
{
    dk_ctx *ctx = x->st->ctx;
    docx_zip *z = docx_zip_open(ctx, path);
    xmlDocPtr rels = NULL;
    char *styles = NULL, *numbering = NULL, *theme = NULL;
    bool failed = false;
    int r = -1;
    if (!z)
        return -1;
    rels = reference_part(x, z, path, "word/_rels/document.xml.rels", &failed);
    if (failed)
        goto cleanup;
    styles = related(rels, "styles", "word/styles.xml");
    numbering = related(rels, "numbering", rels ? NULL : "word/numbering.xml");
    theme = related(rels, "theme", NULL);
    if (!styles) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    x->styles = reference_part(x, z, path, styles, &failed);
    if (failed)
        goto cleanup;
    xmlNodePtr root = x->styles ? xmlDocGetRootElement(x->styles) : NULL;
    if (!is_w(root, "styles")) {
        dk_ctx_fail(ctx, DK_E_FORMAT, "reference document %s has no styles "
                    "(%s); is it a .docx file?", path, styles);
        goto cleanup;
    }
    if (numbering) {
        x->numbering = reference_part(x, z, path, numbering, &failed);
        if (failed)
            goto cleanup;
        if (x->numbering &&
            !is_w(xmlDocGetRootElement(x->numbering), "numbering")) {
            xmlFreeDoc(x->numbering);
            x->numbering = NULL;
        }
    }
    if (theme) {
        int found = docx_zip_read(z, theme, &x->theme);
        if (found < 0)
            goto cleanup;
        x->has_theme = found > 0;
    }
    r = 0;
cleanup:
    free(styles);
    free(numbering);
    free(theme);
    xmlFreeDoc(rels);
    docx_zip_close(z);
    return r;
}

/* docket's own styles under docket's own ids. */
static int own_styles(docx_styles *x)
{
    if (!(x->styles = default_styles()))
        return -1;
    for (int s = 0; s < DOCX_S_COUNT; s++)
        if (!(x->st->style_id[s] = strdup(defs[s].id)))
            return -1;
    return 0;
}

docx_styles *docx_styles_new(docx_state *st, const char *reference)
{
    docx_styles *x = calloc(1, sizeof *x);
    if (!x) {
        dk_ctx_fail(st->ctx, DK_E_NOMEM, "out of memory");
        return NULL;
    }
    x->st = st;
    /* read_reference reports its own failures; the rest can only run out
     * of memory */
    int r = reference ? read_reference(x, reference) : 0;
    if (r == 0) {
        r = reference ? merge_styles(x) : own_styles(x);
        if (r == 0)
            r = setup_numbering(x);
        if (r < 0)
            dk_ctx_fail(st->ctx, DK_E_NOMEM, "out of memory");
    }
    if (r < 0) {
        docx_styles_free(x);
        return NULL;
    }
    return x;
}

void docx_styles_free(docx_styles *x)
{
    if (!x)
        return;
    xmlFreeDoc(x->styles);
    xmlFreeDoc(x->numbering);
    xmlFreeDoc(x->own);
    dk_buf_free(&x->theme);
    free(x);
}
