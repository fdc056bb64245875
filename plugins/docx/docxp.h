/* docx plugin: internal interfaces shared by its files. */
#ifndef DOCKET_DOCX_PLUGIN_H
#define DOCKET_DOCX_PLUGIN_H

#include <docket/docket.h>

#include <libxml/tree.h>
#include <stdbool.h>

#define DOCX_NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define DOCX_NS_R                                                              \
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define DOCX_NS_PKG_RELS                                                       \
    "http://schemas.openxmlformats.org/package/2006/relationships"
#define DOCX_REL_BASE                                                          \
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

/* word/_rels/document.xml.rels: rId1 styles, rId2 numbering, rId3 the
 * theme (when a reference document gave one), then the hyperlinks. */
#define DOCX_FIRST_LINK 4

/*
 * The styles docket uses, by the name a template knows them by. The
 * style id written into document.xml is looked up by name (a reference
 * document may give a style another id, as localised Word does).
 */
#define DOCX_STYLES(X)                                                         \
    X(NORMAL, "Normal")                                                        \
    X(TITLE, "Title")                                                          \
    X(AUTHOR, "Author")                                                        \
    X(DATE, "Date")                                                            \
    X(H1, "heading 1")                                                         \
    X(H2, "heading 2")                                                         \
    X(H3, "heading 3")                                                         \
    X(H4, "heading 4")                                                         \
    X(H5, "heading 5")                                                         \
    X(H6, "heading 6")                                                         \
    X(LIST_BULLET, "List Bullet")                                              \
    X(LIST_NUMBER, "List Number")                                              \
    X(LIST_PARAGRAPH, "List Paragraph")                                        \
    X(QUOTE, "Quote")                                                          \
    X(SOURCE_CODE, "Source Code")                                              \
    X(RULE, "Horizontal Rule")                                                 \
    X(ADDRESS, "Address")                                                      \
    X(GRADE, "Grade")                                                          \
    X(SENDER, "Sender")                                                        \
    X(RECIPIENT, "Recipient")                                                  \
    X(LETTER_DATE, "Letter Date")                                              \
    X(REFERENCE, "Reference")                                                  \
    X(SUBJECT, "Subject")                                                      \
    X(SALUTATION, "Salutation")                                                \
    X(CLOSING, "Closing")                                                      \
    X(SIGNATURE, "Signature")                                                  \
    X(CC, "Cc")                                                                \
    X(ENCLOSURE, "Enclosure")                                                  \
    X(PARA_FONT, "Default Paragraph Font")                                     \
    X(HYPERLINK, "Hyperlink")                                                  \
    X(VERBATIM, "Verbatim Char")                                               \
    X(TABLE_NORMAL, "Normal Table")                                            \
    X(TABLE_GRID, "Table Grid")                                                \
    X(NO_LIST, "No List")

typedef enum docx_style {
#define DOCX_X_ENUM(e, n) DOCX_S_##e,
    DOCX_STYLES(DOCX_X_ENUM)
#undef DOCX_X_ENUM
        DOCX_S_COUNT
} docx_style;

/* One list of the document: its numbering definition. */
typedef struct docx_list {
    bool ordered;
    long start;
} docx_list;

/* What the body needs from the styles and what it leaves for the rest of
 * the package. */
typedef struct docx_state {
    dk_ctx *ctx;
    /* style ids by docx_style, owned here (transfer full into the state) */
    char *style_id[DOCX_S_COUNT];
    /* hyperlink targets in order; relationship id rId(DOCX_FIRST_LINK + i) */
    char **links;
    size_t n_links, cap_links;
    /* lists in order; numId (first_num + i) */
    docx_list *lists;
    size_t n_lists, cap_lists;
    int first_num; /* after the reference document's own numIds */
    size_t replaced; /* characters XML cannot hold */
} docx_state;

/* The text s (len bytes) with the characters XML 1.0 forbids replaced by
 * U+FFFD, counted in st->replaced. Transfer full (xmlFree), NULL if out of
 * memory. */
xmlChar *docx_xml_text(docx_state *st, const char *s, size_t len);

/* word/document.xml for doc, appended to out. Fills st->links and
 * st->lists. Returns 0, or -1 after dk_ctx_fail(). */
int docx_document(docx_state *st, const dk_node *doc, dk_buf *out);

/* The styles and numbering parts: docket's own, or the reference
 * document's with what it lacks added. */
typedef struct docx_styles docx_styles;

/* Open the reference document (path may be NULL for docket's defaults)
 * and settle st->style_id and st->first_num. Returns NULL after
 * dk_ctx_fail(). Transfer full: free with docx_styles_free(). */
docx_styles *docx_styles_new(docx_state *st, const char *reference);
void docx_styles_free(docx_styles *s);
/* word/styles.xml, appended to out. Returns 0 or -1 after dk_ctx_fail(). */
int docx_styles_part(docx_styles *s, dk_buf *out);
/* word/numbering.xml with a definition for each of st->lists, appended to
 * out. Returns 0 or -1 after dk_ctx_fail(). */
int docx_numbering_part(docx_styles *s, dk_buf *out);
/* An extra part copied from the reference document (its theme), or NULL. */
const dk_buf *docx_theme_part(const docx_styles *s);

/* ---- zip packages (libzip) ---- */

/* One part of a package. */
typedef struct docx_part {
    const char *name;
    const char *data;
    size_t len;
} docx_part;

/*
 * Write the parts, in the order given, as a zip to out. Every entry gets
 * the same time, from date ("YYYY-MM-DD", or NULL for 1980-01-01), and
 * nothing of the machine or the clock, so the same parts always give the
 * same bytes. Returns 0, or -1 after dk_ctx_fail().
 */
int docx_zip_write(dk_ctx *ctx, const docx_part *parts, size_t n,
                   const char *date, dk_sink *out);

/* A package opened for reading: the reference document. */
typedef struct docx_zip docx_zip;
/* Transfer full (docx_zip_close); NULL after dk_ctx_fail(). */
docx_zip *docx_zip_open(dk_ctx *ctx, const char *path);
/* Append the part called name to out: 1 if read, 0 if there is none, -1
 * after dk_ctx_fail() (unreadable, or larger than a sane part). */
int docx_zip_read(docx_zip *z, const char *name, dk_buf *out);
void docx_zip_close(docx_zip *z);

/* ---- XML ---- */

/* Parse an XML part without network, DTD or entities. NULL if it is not
 * well-formed or declares a DOCTYPE. */
xmlDocPtr docx_parse(const char *data, size_t len);
/* Serialize a part with its XML declaration (standalone="yes"), appended
 * to out. Returns 0 or -1 (out of memory). */
int docx_serialize(xmlDocPtr doc, dk_buf *out);

#endif
