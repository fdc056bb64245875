/*
 * word/document.xml: the tree as WordprocessingML. Every paragraph takes
 * its look from a named style (so a template restyles everything), lists
 * number through numbering.xml (one definition per list: each restarts
 * and keeps its start), links are relationships, and a letter is laid out
 * as a letter: sender, date, recipient, references, subject, salutation,
 * body, closing, signature, cc and enclosures, each in its own style.
 */
#include "docxp.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text area of an A4 page with 2.54 cm margins, in twentieths of a
 * point: the width tables share out. */
#define TEXT_WIDTH 9026
#define MAX_ILVL 8 /* Word's nine list levels */

typedef struct body {
    docx_state *st;
    xmlDocPtr doc;
    xmlNsPtr w, r;
    int list_depth;    /* lists around the block being written */
    int section_depth; /* sections around it */
} body;

/* How a run looks. */
typedef struct look {
    bool bold, italic, code, link;
} look;

static int blocks(body *b, xmlNodePtr parent, const dk_node *n,
                  docx_style pstyle);

/* Length of a character XML 1.0 forbids at s, or 0: C0 controls other
 * than tab, LF and CR, and U+FFFE / U+FFFF. (The tree holds no NUL and no
 * surrogates.) */
static size_t forbidden(const unsigned char *s, size_t left)
{
    if (s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' && s[0] != '\r')
        return 1;
    if (left >= 3 && s[0] == 0xEF && s[1] == 0xBF &&
        (s[2] == 0xBE || s[2] == 0xBF))
        return 3;
    return 0;
}

xmlChar *docx_xml_text(docx_state *st, const char *s, size_t len)
{
    if (len > INT_MAX / 2)
        return NULL; /* libxml2 counts in int */
    dk_buf out = DK_BUF_INIT;
    size_t from = 0;
    for (size_t i = 0; i < len;) {
        size_t n = forbidden((const unsigned char *)s + i, len - i);
        if (!n) {
            i++;
            continue;
        }
        if (dk_buf_append(&out, s + from, i - from) < 0 ||
            dk_buf_append(&out, "\xEF\xBF\xBD", 3) < 0) {
            dk_buf_free(&out);
            return NULL;
        }
        st->replaced++;
        i += n;
        from = i;
    }
    xmlChar *r;
    if (from == 0) {
        r = xmlStrndup((const xmlChar *)s, (int)len);
    } else {
        r = dk_buf_append(&out, s + from, len - from) == 0
                ? xmlStrndup((const xmlChar *)out.data, (int)out.len)
                : NULL;
    }
    dk_buf_free(&out);
    return r;
}

/* ---- elements ------------------------------------------------------------ */

/* A new w:NAME appended to parent (transfer none), or NULL; NULL too when
 * parent is NULL, so that calls chain. */
static xmlNodePtr el(body *b, xmlNodePtr parent, const char *name)
{
    if (!parent)
        return NULL;
    xmlNodePtr e = xmlNewDocNode(b->doc, b->w, (const xmlChar *)name, NULL);
    if (e && !xmlAddChild(parent, e)) {
        xmlFreeNode(e);
        return NULL;
    }
    return e;
}

/* w:NAME with w:val="val". */
static xmlNodePtr el_val(body *b, xmlNodePtr parent, const char *name,
                         const char *val)
{
    xmlNodePtr e = el(b, parent, name);
    if (e && !xmlNewNsProp(e, b->w, (const xmlChar *)"val",
                           (const xmlChar *)val))
        return NULL;
    return e;
}

static int set(body *b, xmlNodePtr e, const char *name, const char *val)
{
    return e && xmlNewNsProp(e, b->w, (const xmlChar *)name,
                             (const xmlChar *)val) ? 0 : -1;
}

static int set_int(body *b, xmlNodePtr e, const char *name, long v)
{
    char s[32];
    snprintf(s, sizeof s, "%ld", v);
    return set(b, e, name, s);
}

/*
 * A new paragraph in parent in the given style (DOCX_S_NORMAL: none) and,
 * when num_id is not 0, numbered at list level ilvl. Any other paragraph
 * inside a list item says numId 0 (no number) at the item's level: Word
 * and LibreOffice show it unnumbered, pandoc keeps it in the item.
 * Transfer none.
 */
static xmlNodePtr paragraph(body *b, xmlNodePtr parent, docx_style style,
                            int num_id, int ilvl)
{
    xmlNodePtr p = el(b, parent, "p");
    if (!p)
        return NULL;
    int depth = b->list_depth < MAX_ILVL + 1 ? b->list_depth : MAX_ILVL + 1;
    bool in_item = !num_id && depth > 0;
    if (style == DOCX_S_NORMAL && !num_id && !in_item)
        return p;
    xmlNodePtr ppr = el(b, p, "pPr");
    if (!ppr)
        return NULL;
    if (style != DOCX_S_NORMAL &&
        !el_val(b, ppr, "pStyle", b->st->style_id[style]))
        return NULL;
    if (num_id || in_item) {
        xmlNodePtr np = el(b, ppr, "numPr");
        if (!np || set_int(b, el(b, np, "ilvl"), "val",
                           num_id ? ilvl : depth - 1) < 0 ||
            set_int(b, el(b, np, "numId"), "val", num_id) < 0)
            return NULL;
    }
    /* a further paragraph of an item lines up with its text (said here:
     * LibreOffice drops the style's indent with numId 0) */
    if (style == DOCX_S_LIST_PARAGRAPH &&
        set_int(b, el(b, ppr, "ind"), "left", 720L * depth) < 0)
        return NULL;
    return p;
}

/* ---- inlines ------------------------------------------------------------- */

static int run_props(body *b, xmlNodePtr r, const look *lk)
{
    if (!lk->bold && !lk->italic && !lk->code && !lk->link)
        return 0;
    xmlNodePtr rpr = el(b, r, "rPr");
    if (!rpr)
        return -1;
    if ((lk->link || lk->code) &&
        !el_val(b, rpr, "rStyle",
                b->st->style_id[lk->link ? DOCX_S_HYPERLINK : DOCX_S_VERBATIM]))
        return -1;
    if (lk->bold && !el(b, rpr, "b"))
        return -1;
    if (lk->italic && !el(b, rpr, "i"))
        return -1;
    return 0;
}

/* w:t holding len bytes of s, its spaces kept. */
static int text_el(body *b, xmlNodePtr r, const char *s, size_t len)
{
    xmlNodePtr t = el(b, r, "t");
    xmlChar *x = docx_xml_text(b->st, s, len);
    xmlNodePtr tx = x ? xmlNewDocText(b->doc, x) : NULL;
    xmlFree(x);
    if (!t || !tx) {
        xmlFreeNode(tx);
        return -1;
    }
    xmlAddChild(t, tx);
    xmlNodeSetSpacePreserve(t, 1);
    return 0;
}

/* One run for a piece of text: tabs become w:tab, line ends w:br. */
static int text_run(body *b, xmlNodePtr parent, const char *s, size_t len,
                    const look *lk)
{
    if (len == 0)
        return 0;
    xmlNodePtr r = el(b, parent, "r");
    if (!r || run_props(b, r, lk) < 0)
        return -1;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '\n' && s[j] != '\t' && s[j] != '\r')
            j++;
        if (j > i && text_el(b, r, s + i, j - i) < 0)
            return -1;
        if (j == len)
            break;
        if (s[j] == '\r' && j + 1 < len && s[j + 1] == '\n')
            j++;
        if (!el(b, r, s[j] == '\t' ? "tab" : "br"))
            return -1;
        i = j + 1;
    }
    return 0;
}

static int inlines(body *b, xmlNodePtr parent, const dk_node *n, look lk);

/*
 * Characters a URI may not hold as they are (spaces, controls, quotes,
 * angle brackets, non-ASCII bytes) percent-encoded, for a relationship
 * target. Transfer full, NULL if out of memory.
 */
static char *uri_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    dk_buf out = DK_BUF_INIT;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        bool plain = *c > 0x20 && *c < 0x7F && !strchr("\"<>\\^`{|}", *c);
        int r = plain ? dk_buf_putc(&out, (char)*c)
                      : dk_buf_printf(&out, "%%%c%c", hex[*c >> 4],
                                      hex[*c & 15]);
        if (r < 0) {
            dk_buf_free(&out);
            return NULL;
        }
    }
    return out.data ? out.data : strdup("");
}

static int add_link(docx_state *st, const char *href)
{
    if (st->n_links == st->cap_links) {
        size_t cap = st->cap_links ? 2 * st->cap_links : 16;
        char **l = realloc(st->links, cap * sizeof *l);
        if (!l)
            return -1;
        st->links = l;
        st->cap_links = cap;
    }
    if (!(st->links[st->n_links] = uri_encode(href)))
        return -1;
    st->n_links++;
    return 0;
}

/* A link: w:hyperlink with a relationship (or an anchor for "#name").
 * Links inside links, and links without a target, keep only their text. */
static int link(body *b, xmlNodePtr parent, const dk_node *a, look lk)
{
    const char *href = dk_node_attr(a, DK_ATTR_HREF);
    if (lk.link || !href || !href[0] || (href[0] == '#' && !href[1]))
        return inlines(b, parent, a, lk);
    xmlNodePtr h = el(b, parent, "hyperlink");
    if (!h)
        return -1;
    if (href[0] == '#') {
        xmlChar *anchor = docx_xml_text(b->st, href + 1, strlen(href + 1));
        int r = anchor ? set(b, h, "anchor", (const char *)anchor) : -1;
        xmlFree(anchor);
        if (r < 0)
            return -1;
    } else {
        char id[32];
        snprintf(id, sizeof id, "rId%zu", DOCX_FIRST_LINK + b->st->n_links);
        if (add_link(b->st, href) < 0 ||
            !xmlNewNsProp(h, b->r, (const xmlChar *)"id", (const xmlChar *)id))
            return -1;
    }
    lk.link = true;
    return inlines(b, h, a, lk);
}

static int inlines(body *b, xmlNodePtr parent, const dk_node *n, look lk)
{
    for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c)) {
        look inner = lk;
        int r = 0;
        switch (dk_node_type(c)) {
        case DK_TEXT: {
            size_t len;
            const char *s = dk_node_text(c, &len);
            r = text_run(b, parent, s, len, &lk);
            break;
        }
        case DK_EM:
            inner.italic = true;
            r = inlines(b, parent, c, inner);
            break;
        case DK_STRONG:
            inner.bold = true;
            r = inlines(b, parent, c, inner);
            break;
        case DK_CODE:
            inner.code = true;
            r = inlines(b, parent, c, inner);
            break;
        case DK_A:
            r = link(b, parent, c, lk);
            break;
        case DK_BR: {
            xmlNodePtr run = el(b, parent, "r");
            r = run && run_props(b, run, &lk) == 0 && el(b, run, "br") ? 0 : -1;
            break;
        }
        default:
            r = inlines(b, parent, c, lk);
            break;
        }
        if (r < 0)
            return -1;
    }
    return 0;
}

/* A paragraph in style holding the inlines of n. */
static int styled(body *b, xmlNodePtr parent, const dk_node *n,
                  docx_style style)
{
    xmlNodePtr p = paragraph(b, parent, style, 0, 0);
    return p ? inlines(b, p, n, (look){0}) : -1;
}

/* A paragraph in style: label, then the inlines of n. */
static int labelled(body *b, xmlNodePtr parent, const char *label,
                    const dk_node *n, docx_style style)
{
    xmlNodePtr p = paragraph(b, parent, style, 0, 0);
    if (!p || text_run(b, p, label, strlen(label), &(look){0}) < 0)
        return -1;
    return inlines(b, p, n, (look){0});
}

/* ---- blocks -------------------------------------------------------------- */

static long parse_long(const char *s, long fallback)
{
    if (!s || !*s)
        return fallback;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return *end || errno ? fallback : v;
}

static int heading(body *b, xmlNodePtr parent, const dk_node *h)
{
    long level = parse_long(dk_node_attr(h, DK_ATTR_LEVEL), 0);
    if (level < 1 || level > 6)
        level = b->section_depth;
    if (level < 1)
        level = 1;
    if (level > 6)
        level = 6;
    return styled(b, parent, h, (docx_style)(DOCX_S_H1 + level - 1));
}

static int section(body *b, xmlNodePtr parent, const dk_node *s,
                   docx_style pstyle)
{
    b->section_depth++;
    int r = 0;
    for (const dk_node *c = dk_node_first(s); c && r == 0; c = dk_node_next(c))
        r = dk_node_type(c) == DK_HEADING ? heading(b, parent, c)
                                          : blocks(b, parent, c, pstyle);
    b->section_depth--;
    return r;
}

static int add_list(docx_state *st, bool ordered, long start)
{
    if (st->n_lists == st->cap_lists) {
        size_t cap = st->cap_lists ? 2 * st->cap_lists : 16;
        docx_list *l = realloc(st->lists, cap * sizeof *l);
        if (!l)
            return -1;
        st->lists = l;
        st->cap_lists = cap;
    }
    st->lists[st->n_lists++] = (docx_list){ordered, start};
    return 0;
}

/*
 * A list: each item's first paragraph numbered (an item that starts with
 * something else gets an empty numbered paragraph first), its further
 * blocks as "List Paragraph" under it, nested lists one level deeper.
 */
static int list(body *b, xmlNodePtr parent, const dk_node *l)
{
    const char *type = dk_node_attr(l, DK_ATTR_TYPE);
    bool ordered = type && strcmp(type, "ordered") == 0;
    long start = parse_long(dk_node_attr(l, DK_ATTR_START), 1);
    if (ordered && start < 0) {
        dk_ctx_warn(b->st->ctx, "a list starts at %ld; DOCX numbers from 0 "
                    "up, so it starts at 0", start);
        start = 0;
    }
    if (start > INT_MAX)
        start = INT_MAX;
    if (start < 0)
        start = 0;
    if (add_list(b->st, ordered, start) < 0)
        return -1;
    int num_id = b->st->first_num + (int)b->st->n_lists - 1;
    int ilvl = b->list_depth < MAX_ILVL ? b->list_depth : MAX_ILVL;
    docx_style style = ordered ? DOCX_S_LIST_NUMBER : DOCX_S_LIST_BULLET;
    int r = 0;
    b->list_depth++;
    for (const dk_node *item = dk_node_first(l); item && r == 0;
         item = dk_node_next(item)) {
        const dk_node *c = dk_node_first(item);
        xmlNodePtr p = paragraph(b, parent, style, num_id, ilvl);
        if (!p) {
            r = -1;
            break;
        }
        if (c && dk_node_type(c) == DK_P) {
            r = inlines(b, p, c, (look){0});
            c = dk_node_next(c);
        }
        for (; c && r == 0; c = dk_node_next(c))
            r = blocks(b, parent, c, DOCX_S_LIST_PARAGRAPH);
    }
    b->list_depth--;
    return r;
}

/* Does every cell of the row say header="true"? */
static bool header_row(const dk_node *row)
{
    const dk_node *c = dk_node_first(row);
    if (!c)
        return false;
    for (; c; c = dk_node_next(c)) {
        const char *h = dk_node_attr(c, DK_ATTR_HEADER);
        if (!h || strcmp(h, "true") != 0)
            return false;
    }
    return true;
}

/* A table cell ends with a paragraph (Word insists). */
static int end_with_paragraph(body *b, xmlNodePtr tc)
{
    xmlNodePtr last = xmlGetLastChild(tc);
    if (last && last->type == XML_ELEMENT_NODE &&
        xmlStrEqual(last->name, (const xmlChar *)"p"))
        return 0;
    return el(b, tc, "p") ? 0 : -1;
}

static xmlNodePtr cell(body *b, xmlNodePtr tr, long width)
{
    xmlNodePtr tc = el(b, tr, "tc");
    xmlNodePtr pr = tc ? el(b, tc, "tcPr") : NULL;
    xmlNodePtr w = pr ? el(b, pr, "tcW") : NULL;
    if (!w || set_int(b, w, "w", width) < 0 || set(b, w, "type", "dxa") < 0)
        return NULL;
    return tc;
}

/*
 * A table in "Table Grid": a row whose cells are all headers repeats on
 * each page (tblHeader); a leading one is the style's first row. Short
 * rows are padded with empty cells; a table without cells is left out
 * (it has nothing to show).
 */
static int table(body *b, xmlNodePtr parent, const dk_node *t)
{
    long cols = 0;
    for (const dk_node *row = dk_node_first(t); row; row = dk_node_next(row)) {
        long n = 0;
        for (const dk_node *c = dk_node_first(row); c; c = dk_node_next(c))
            n++;
        if (n > cols)
            cols = n;
    }
    if (cols == 0)
        return 0;
    long width = TEXT_WIDTH / cols;
    bool first_header = header_row(dk_node_first(t));
    xmlNodePtr tbl = el(b, parent, "tbl");
    xmlNodePtr pr = tbl ? el(b, tbl, "tblPr") : NULL;
    xmlNodePtr tw = pr && el_val(b, pr, "tblStyle",
                                 b->st->style_id[DOCX_S_TABLE_GRID])
                        ? el(b, pr, "tblW") : NULL;
    if (!tw || set(b, tw, "w", "5000") < 0 || set(b, tw, "type", "pct") < 0)
        return -1;
    xmlNodePtr tl = el_val(b, pr, "tblLook", first_header ? "04A0" : "0480");
    if (!tl || set(b, tl, "firstRow", first_header ? "1" : "0") < 0 ||
        set(b, tl, "lastRow", "0") < 0 ||
        set(b, tl, "firstColumn", "0") < 0 ||
        set(b, tl, "lastColumn", "0") < 0 ||
        set(b, tl, "noHBand", "0") < 0 || set(b, tl, "noVBand", "1") < 0)
        return -1;
    xmlNodePtr grid = el(b, tbl, "tblGrid");
    if (!grid)
        return -1;
    for (long i = 0; i < cols; i++)
        if (set_int(b, el(b, grid, "gridCol"), "w", width) < 0)
            return -1;
    /* lists in a cell start at the cell's edge */
    int depth = b->list_depth;
    b->list_depth = 0;
    int r = 0;
    for (const dk_node *row = dk_node_first(t); row && r == 0;
         row = dk_node_next(row)) {
        xmlNodePtr tr = el(b, tbl, "tr");
        xmlNodePtr trpr = tr && header_row(row) ? el(b, tr, "trPr") : NULL;
        if (!tr || (header_row(row) && !el(b, trpr, "tblHeader"))) {
            r = -1;
            break;
        }
        long n = 0;
        for (const dk_node *c = dk_node_first(row); c && r == 0;
             c = dk_node_next(c), n++) {
            xmlNodePtr tc = cell(b, tr, width);
            r = tc ? blocks(b, tc, c, DOCX_S_NORMAL) : -1;
            if (r == 0)
                r = end_with_paragraph(b, tc);
        }
        for (; n < cols && r == 0; n++) {
            xmlNodePtr tc = cell(b, tr, width);
            r = tc && el(b, tc, "p") ? 0 : -1;
        }
    }
    b->list_depth = depth;
    return r;
}

static int pre(body *b, xmlNodePtr parent, const dk_node *n)
{
    xmlNodePtr p = paragraph(b, parent, DOCX_S_SOURCE_CODE, 0, 0);
    if (!p)
        return -1;
    for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c)) {
        size_t len;
        const char *s = dk_node_text(c, &len);
        if (s && text_run(b, p, s, len, &(look){.code = true}) < 0)
            return -1;
    }
    return 0;
}

/* Each line of an address as a paragraph in style. */
static int address(body *b, xmlNodePtr parent, const dk_node *a,
                   docx_style style)
{
    for (const dk_node *l = dk_node_first(a); l; l = dk_node_next(l))
        if (styled(b, parent, l, style) < 0)
            return -1;
    return 0;
}

/* Sender, recipient or signature: a paragraph per part, one per address
 * line, all in the party's style. */
static int party(body *b, xmlNodePtr parent, const dk_node *n,
                 docx_style style)
{
    for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c)) {
        int r = dk_node_type(c) == DK_ADDRESS ? address(b, parent, c, style)
                                              : styled(b, parent, c, style);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* The order a letter is laid out in, whatever the order of the tree. */
static const dk_type letter_order[] = {
    DK_SENDER,     DK_DATE,    DK_RECIPIENT, DK_REFERENCE,
    DK_SUBJECT,    DK_SALUTATION, DK_BODY,   DK_CLOSING,
    DK_SIGNATURE,  DK_CC,      DK_ENCLOSURE,
};

static int letter_part(body *b, xmlNodePtr parent, const dk_node *c)
{
    switch (dk_node_type(c)) {
    case DK_SENDER: return party(b, parent, c, DOCX_S_SENDER);
    case DK_RECIPIENT: return party(b, parent, c, DOCX_S_RECIPIENT);
    case DK_SIGNATURE: return party(b, parent, c, DOCX_S_SIGNATURE);
    case DK_DATE: return styled(b, parent, c, DOCX_S_LETTER_DATE);
    case DK_REFERENCE: return styled(b, parent, c, DOCX_S_REFERENCE);
    case DK_SUBJECT: return styled(b, parent, c, DOCX_S_SUBJECT);
    case DK_SALUTATION: return styled(b, parent, c, DOCX_S_SALUTATION);
    case DK_CLOSING: return styled(b, parent, c, DOCX_S_CLOSING);
    case DK_CC: return labelled(b, parent, "cc: ", c, DOCX_S_CC);
    case DK_ENCLOSURE:
        return labelled(b, parent, "Enclosure: ", c, DOCX_S_ENCLOSURE);
    default: return blocks(b, parent, c, DOCX_S_NORMAL); /* its body */
    }
}

static int letter(body *b, xmlNodePtr parent, const dk_node *l)
{
    for (size_t i = 0; i < sizeof letter_order / sizeof letter_order[0]; i++)
        for (const dk_node *c = dk_node_first(l); c; c = dk_node_next(c))
            if (dk_node_type(c) == letter_order[i] && letter_part(b, parent, c) < 0)
                return -1;
    return 0;
}

/* One block; pstyle is the style of a plain paragraph here (Normal, Quote
 * in a quote, List Paragraph in a list item). */
static int block(body *b, xmlNodePtr parent, const dk_node *n,
                 docx_style pstyle)
{
    switch (dk_node_type(n)) {
    case DK_SECTION: return section(b, parent, n, pstyle);
    case DK_HEADING: return heading(b, parent, n);
    case DK_P: return styled(b, parent, n, pstyle);
    case DK_QUOTE: return blocks(b, parent, n, DOCX_S_QUOTE);
    case DK_LIST: return list(b, parent, n);
    case DK_TABLE: return table(b, parent, n);
    case DK_PRE: return pre(b, parent, n);
    case DK_HR: return paragraph(b, parent, DOCX_S_RULE, 0, 0) ? 0 : -1;
    case DK_GRADE: return styled(b, parent, n, DOCX_S_GRADE);
    case DK_ADDRESS: return address(b, parent, n, DOCX_S_ADDRESS);
    case DK_LETTER: return letter(b, parent, n);
    case DK_TEXT: return 0;
    default: return blocks(b, parent, n, pstyle);
    }
}

/* The blocks inside n, or n itself when it is a block. */
static int blocks(body *b, xmlNodePtr parent, const dk_node *n,
                  docx_style pstyle)
{
    switch (dk_node_type(n)) {
    case DK_BODY:
    case DK_ITEM:
    case DK_CELL:
    case DK_QUOTE:
        break;
    default:
        return block(b, parent, n, pstyle);
    }
    if (dk_node_type(n) == DK_QUOTE)
        pstyle = DOCX_S_QUOTE;
    for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c))
        if (block(b, parent, c, pstyle) < 0)
            return -1;
    return 0;
}

/* ---- the front matter ---------------------------------------------------- */

/* The first child of n; NULL for no node. */
static const dk_node *first_of(const dk_node *n)
{
    return n ? dk_node_first(n) : NULL;
}

static bool same_text(const dk_node *a, const dk_node *b)
{
    char *x = a ? dk_node_text_content(a) : NULL;
    char *y = b ? dk_node_text_content(b) : NULL;
    bool r = x && y && strcmp(x, y) == 0;
    free(x);
    free(y);
    return r;
}

/* Is there a letter in body whose part of type says the same as n? */
static bool letter_says(const dk_node *body_node, dk_type type,
                        const dk_node *n)
{
    for (const dk_node *l = first_of(body_node); l; l = dk_node_next(l)) {
        if (dk_node_type(l) != DK_LETTER)
            continue;
        for (const dk_node *c = dk_node_first(l); c; c = dk_node_next(c))
            if (dk_node_type(c) == type && same_text(c, n))
                return true;
    }
    return false;
}

/*
 * The title, authors and dates at the top, in the styles pandoc and Word
 * templates know (Title, Author, Date). A letter shows them where they
 * stand in it: its subject, its date.
 */
static int front(body *b, xmlNodePtr parent, const dk_node *doc)
{
    const dk_node *meta = dk_node_child(doc, DK_META);
    const dk_node *body_node = dk_node_child(doc, DK_BODY);
    const dk_node *title = dk_node_child(meta, DK_TITLE);
    if (title && !letter_says(body_node, DK_SUBJECT, title) &&
        styled(b, parent, title, DOCX_S_TITLE) < 0)
        return -1;
    for (const dk_node *c = first_of(meta); c; c = dk_node_next(c))
        if (dk_node_type(c) == DK_AUTHOR &&
            styled(b, parent, c, DOCX_S_AUTHOR) < 0)
            return -1;
    for (const dk_node *c = first_of(meta); c; c = dk_node_next(c)) {
        if (dk_node_type(c) != DK_DATE || letter_says(body_node, DK_DATE, c))
            continue;
        const char *role = dk_node_attr(c, DK_ATTR_ROLE);
        const char *label = !role                           ? ""
                            : strcmp(role, "updated") == 0   ? "Last updated "
                            : strcmp(role, "published") == 0 ? "Published "
                            : strcmp(role, "written") == 0   ? "Written "
                                                             : "";
        if (labelled(b, parent, label, c, DOCX_S_DATE) < 0)
            return -1;
    }
    return 0;
}

/* An A4 page with 2.54 cm margins. */
static int page(body *b, xmlNodePtr parent)
{
    xmlNodePtr s = el(b, parent, "sectPr");
    xmlNodePtr sz = s ? el(b, s, "pgSz") : NULL;
    if (!sz || set(b, sz, "w", "11906") < 0 || set(b, sz, "h", "16838") < 0)
        return -1;
    xmlNodePtr m = el(b, s, "pgMar");
    static const char *const margins[][2] = {
        {"top", "1440"},  {"right", "1440"}, {"bottom", "1440"},
        {"left", "1440"}, {"header", "708"}, {"footer", "708"},
        {"gutter", "0"},
    };
    for (size_t i = 0; i < sizeof margins / sizeof margins[0]; i++)
        if (set(b, m, margins[i][0], margins[i][1]) < 0)
            return -1;
    return 0;
}

int docx_document(docx_state *st, const dk_node *doc, dk_buf *out)
{
    body b = {.st = st};
    int r = -1;
    b.doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr root = b.doc ? xmlNewDocNode(b.doc, NULL,
                                            (const xmlChar *)"document", NULL)
                            : NULL;
    if (!root)
        goto cleanup;
    xmlDocSetRootElement(b.doc, root);
    b.w = xmlNewNs(root, (const xmlChar *)DOCX_NS_W, (const xmlChar *)"w");
    b.r = xmlNewNs(root, (const xmlChar *)DOCX_NS_R, (const xmlChar *)"r");
    if (!b.w || !b.r)
        goto cleanup;
    xmlSetNs(root, b.w);
    xmlNodePtr body_el = el(&b, root, "body");
    if (!body_el || front(&b, body_el, doc) < 0)
        goto cleanup;
    const dk_node *body_node = dk_node_child(doc, DK_BODY);
    if ((body_node && blocks(&b, body_el, body_node, DOCX_S_NORMAL) < 0) ||
        page(&b, body_el) < 0 || docx_serialize(b.doc, out) < 0)
        goto cleanup;
    r = 0;
cleanup:
    if (r < 0)
        dk_ctx_fail(st->ctx, DK_E_NOMEM, "out of memory");
    xmlFreeDoc(b.doc);
    return r;
}
