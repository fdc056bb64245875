/* pdf plugin: internal interfaces shared by its files. */
#ifndef DOCKET_PDF_PLUGIN_H
#define DOCKET_PDF_PLUGIN_H

#include <docket/docket.h>

#include <poppler.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * What the reader keeps of each page: fragments of text lines with their
 * box and font, in reading order. The page's words (as poppler spaces
 * them, with the boxes and fonts of their characters) are put in order by
 * a recursive cut of the page at its widest gaps (XY-cut): a horizontal
 * gap across the whole region, or a vertical one down it (a gutter
 * between columns, or a block placed beside another), whichever is wider;
 * so columns are read one after the other. Tables are found before that,
 * from rows whose cells line up in columns, and kept as cells. A fragment
 * is then the words of one line of one region. Poppler's page and its
 * glyphs are freed before the next page is read: what is kept is the text
 * and a few numbers per fragment, so memory follows the text, not the
 * pages.
 *
 * Coordinates are points from the top left corner of the page.
 */

enum {
    PDF_BOLD = 1,      /* most of the fragment's letters are bold */
    PDF_ITALIC = 2,
    PDF_MONO = 4,
    PDF_FURNITURE = 8, /* a running header, footer or page number */
    PDF_TABLE = 16,    /* taken into a table */
};

/* A run of text in one style within a fragment. */
typedef struct pdf_span {
    uint32_t start, len; /* bytes in the fragment's text */
    uint8_t flags;       /* PDF_BOLD, PDF_ITALIC */
} pdf_span;

typedef struct pdf_frag {
    uint32_t text, len;   /* bytes in the document's text arena */
    uint32_t span, nspan; /* entries in the document's spans */
    uint32_t page;        /* 1-based */
    uint32_t table;       /* the table it is a cell line of (1-based), or 0 */
    uint16_t row, col;    /* its cell */
    float x0, y0, x1, y1; /* the box */
    float size;           /* font size of most of its letters */
    uint32_t chars;       /* letters and digits */
    uint8_t flags;
} pdf_frag;

typedef struct pdf_page {
    uint32_t number; /* 1-based */
    float width, height;
    uint32_t first, n; /* its fragments */
} pdf_page;

/* Everything read from the document. */
typedef struct pdf_doc {
    dk_buf text; /* all fragments' UTF-8, back to back */
    pdf_frag *frags;
    size_t nfrags, capfrags;
    pdf_span *spans;
    size_t nspans, capspans;
    pdf_page *pages;
    size_t npages, cappages;
    uint32_t ntables;
    size_t lines_seen; /* for the salutation of a letter: see extract.c */
    bool salutation;
} pdf_doc;

void pdf_doc_free(pdf_doc *d);

/* The fragment's text. Transfer none. */
static inline const char *pdf_frag_text(const pdf_doc *d, const pdf_frag *f)
{
    return d->text.data + f->text;
}

/*
 * Read one page into d: its words, their boxes and fonts, as fragments.
 * Ligature characters are expanded here. Returns 0, or -1 if out of
 * memory.
 */
int pdf_extract_page(pdf_doc *d, PopplerPage *page, uint32_t number);

/*
 * Build the document body from what was read: running headers, footers
 * and page numbers removed; lines joined into paragraphs (hyphenation
 * undone, paragraphs cut by a page or column break rejoined); headings
 * from font size and weight; lists nested by indent; tables; placed
 * blocks and a letter's lines kept with their line breaks. Sets *letter
 * and *inspection to the transforms the content calls for. Returns 0, or
 * -1 after dk_ctx_fail().
 */
int pdf_layout(dk_ctx *ctx, pdf_doc *d, dk_node *doc, bool *letter,
               bool *inspection);

#endif
