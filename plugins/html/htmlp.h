/* html plugin: internal interfaces shared by its files. */
#ifndef DOCKET_HTML_PLUGIN_H
#define DOCKET_HTML_PLUGIN_H

#include <docket/docket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- elements ---------------------------------------------------------------- */

/* The elements the reader tells apart: X(ENUM, "name", class). Anything else
 * is HT_OTHER (read like a span, or a div when it holds blocks). */
#define HT_ELEMENTS(X)                                                         \
    X(A, "a", HC_INLINE)                                                       \
    X(ABBR, "abbr", HC_INLINE)                                                 \
    X(ACRONYM, "acronym", HC_INLINE)                                           \
    X(ADDRESS, "address", HC_BLOCK)                                            \
    X(APPLET, "applet", HC_SKIP)                                               \
    X(AREA, "area", HC_SKIP)                                                   \
    X(ARTICLE, "article", HC_CONTAINER)                                        \
    X(ASIDE, "aside", HC_CONTAINER)                                            \
    X(AUDIO, "audio", HC_SKIP)                                                 \
    X(B, "b", HC_INLINE)                                                       \
    X(BASE, "base", HC_HEAD)                                                   \
    X(BDI, "bdi", HC_INLINE)                                                   \
    X(BDO, "bdo", HC_INLINE)                                                   \
    X(BIG, "big", HC_INLINE)                                                   \
    X(BLOCKQUOTE, "blockquote", HC_BLOCK)                                      \
    X(BODY, "body", HC_CONTAINER)                                              \
    X(BR, "br", HC_INLINE)                                                     \
    X(BUTTON, "button", HC_SKIP)                                               \
    X(CANVAS, "canvas", HC_SKIP)                                               \
    X(CAPTION, "caption", HC_BLOCK)                                            \
    X(CENTER, "center", HC_CONTAINER)                                          \
    X(CITE, "cite", HC_INLINE)                                                 \
    X(CODE, "code", HC_INLINE)                                                 \
    X(DATA, "data", HC_INLINE)                                                 \
    X(DATALIST, "datalist", HC_SKIP)                                           \
    X(DD, "dd", HC_BLOCK)                                                      \
    X(DEL, "del", HC_INLINE)                                                   \
    X(DETAILS, "details", HC_CONTAINER)                                        \
    X(DFN, "dfn", HC_INLINE)                                                   \
    X(DIALOG, "dialog", HC_CONTAINER)                                          \
    X(DIR, "dir", HC_BLOCK)                                                    \
    X(DIV, "div", HC_CONTAINER)                                                \
    X(DL, "dl", HC_BLOCK)                                                      \
    X(DT, "dt", HC_BLOCK)                                                      \
    X(EM, "em", HC_INLINE)                                                     \
    X(EMBED, "embed", HC_SKIP)                                                 \
    X(FIELDSET, "fieldset", HC_CONTAINER)                                      \
    X(FIGCAPTION, "figcaption", HC_BLOCK)                                      \
    X(FIGURE, "figure", HC_CONTAINER)                                          \
    X(FONT, "font", HC_INLINE)                                                 \
    X(FOOTER, "footer", HC_CONTAINER)                                          \
    X(FORM, "form", HC_CONTAINER)                                              \
    X(FRAME, "frame", HC_SKIP)                                                 \
    X(FRAMESET, "frameset", HC_CONTAINER)                                      \
    X(H1, "h1", HC_BLOCK)                                                      \
    X(H2, "h2", HC_BLOCK)                                                      \
    X(H3, "h3", HC_BLOCK)                                                      \
    X(H4, "h4", HC_BLOCK)                                                      \
    X(H5, "h5", HC_BLOCK)                                                      \
    X(H6, "h6", HC_BLOCK)                                                      \
    X(HEAD, "head", HC_HEAD)                                                   \
    X(HEADER, "header", HC_CONTAINER)                                          \
    X(HGROUP, "hgroup", HC_CONTAINER)                                          \
    X(HR, "hr", HC_BLOCK)                                                      \
    X(HTML, "html", HC_CONTAINER)                                              \
    X(I, "i", HC_INLINE)                                                       \
    X(IFRAME, "iframe", HC_SKIP)                                               \
    X(IMG, "img", HC_INLINE)                                                   \
    X(INPUT, "input", HC_SKIP)                                                 \
    X(INS, "ins", HC_INLINE)                                                   \
    X(KBD, "kbd", HC_INLINE)                                                   \
    X(LABEL, "label", HC_INLINE)                                               \
    X(LEGEND, "legend", HC_BLOCK)                                              \
    X(LI, "li", HC_BLOCK)                                                      \
    X(LINK, "link", HC_HEAD)                                                   \
    X(MAIN, "main", HC_CONTAINER)                                              \
    X(MAP, "map", HC_SKIP)                                                     \
    X(MARK, "mark", HC_INLINE)                                                 \
    X(MARQUEE, "marquee", HC_SKIP)                                             \
    X(MATH, "math", HC_SKIP)                                                   \
    X(MENU, "menu", HC_BLOCK)                                                  \
    X(META, "meta", HC_HEAD)                                                   \
    X(NAV, "nav", HC_CONTAINER)                                                \
    X(NOBR, "nobr", HC_INLINE)                                                 \
    X(NOFRAMES, "noframes", HC_CONTAINER)                                      \
    X(NOSCRIPT, "noscript", HC_SKIP)                                           \
    X(OBJECT, "object", HC_SKIP)                                               \
    X(OL, "ol", HC_BLOCK)                                                      \
    X(OPTGROUP, "optgroup", HC_SKIP)                                           \
    X(OPTION, "option", HC_SKIP)                                               \
    X(OUTPUT, "output", HC_INLINE)                                             \
    X(P, "p", HC_BLOCK)                                                        \
    X(PICTURE, "picture", HC_SKIP)                                             \
    X(PRE, "pre", HC_BLOCK)                                                    \
    X(Q, "q", HC_INLINE)                                                       \
    X(S, "s", HC_INLINE)                                                       \
    X(SAMP, "samp", HC_INLINE)                                                 \
    X(SCRIPT, "script", HC_SKIP)                                               \
    X(SECTION, "section", HC_CONTAINER)                                        \
    X(SELECT, "select", HC_SKIP)                                               \
    X(SMALL, "small", HC_INLINE)                                               \
    X(SOURCE, "source", HC_SKIP)                                               \
    X(SPAN, "span", HC_INLINE)                                                 \
    X(STRIKE, "strike", HC_INLINE)                                             \
    X(STRONG, "strong", HC_INLINE)                                             \
    X(STYLE, "style", HC_SKIP)                                                 \
    X(SUB, "sub", HC_INLINE)                                                   \
    X(SUMMARY, "summary", HC_BLOCK)                                            \
    X(SUP, "sup", HC_INLINE)                                                   \
    X(SVG, "svg", HC_SKIP)                                                     \
    X(TABLE, "table", HC_BLOCK)                                                \
    X(TBODY, "tbody", HC_BLOCK)                                                \
    X(TD, "td", HC_BLOCK)                                                      \
    X(TEMPLATE, "template", HC_SKIP)                                           \
    X(TEXTAREA, "textarea", HC_SKIP)                                           \
    X(TFOOT, "tfoot", HC_BLOCK)                                                \
    X(TH, "th", HC_BLOCK)                                                      \
    X(THEAD, "thead", HC_BLOCK)                                                \
    X(TIME, "time", HC_INLINE)                                                 \
    X(TITLE, "title", HC_HEAD)                                                 \
    X(TR, "tr", HC_BLOCK)                                                      \
    X(TT, "tt", HC_INLINE)                                                     \
    X(U, "u", HC_INLINE)                                                       \
    X(UL, "ul", HC_BLOCK)                                                      \
    X(VAR, "var", HC_INLINE)                                                   \
    X(VIDEO, "video", HC_SKIP)                                                 \
    X(WBR, "wbr", HC_INLINE)

typedef enum ht_tag {
    HT_TEXT = 0, /* a text node */
    HT_OTHER,    /* an element the reader does not know */
#define HT_X_ENUM(e, n, c) HT_##e,
    HT_ELEMENTS(HT_X_ENUM)
#undef HT_X_ENUM
        HT_COUNT
} ht_tag;

/* What an element is to the reader. */
enum {
    HC_INLINE = 1,    /* phrasing content: stays inside a paragraph */
    HC_BLOCK = 2,     /* a block of its own (p, list, table, heading ...) */
    HC_CONTAINER = 3, /* holds blocks: div, section, article ... */
    HC_SKIP = 4,      /* never text: scripts, media, form controls */
    HC_HEAD = 5,      /* head matter: title, meta, base, link */
};

/* The tag for a lower-case element name; HT_OTHER if unknown. */
void ht_init(void); /* once, before any lookup */
ht_tag ht_lookup(const char *name);
const char *ht_name(ht_tag tag);
int ht_class(ht_tag tag);

/* ---- the page as parsed -------------------------------------------------------- */

/* The attributes the reader looks at. */
enum {
    HA_CLASS,
    HA_ID,
    HA_ROLE,
    HA_HREF,
    HA_START,
    HA_COLSPAN,
    HA_ROWSPAN,
    HA_DATETIME,
    HA_LANG,
    HA_NAME,
    HA_PROPERTY,
    HA_CONTENT,
    HA_CHARSET,
    HA_HTTP_EQUIV,
    HA_ITEMPROP,
    HA_ARIA_HIDDEN,
    HA_HIDDEN,
    HA_STYLE,
    HA_TYPE,
    HA_ALT,
    HA_COUNT
};

typedef struct hnode hnode;

/* One node of the parsed page. The page owns all nodes (an arena). */
struct hnode {
    hnode *parent, *first, *last, *next, *prev;
    const char **attr;          /* HA_COUNT values (NULL when absent), or
                                   NULL for none at all; transfer none */
    char *text;                 /* HT_TEXT: UTF-8 text, entities decoded */
    size_t len;                 /* of text */
    size_t offset;              /* byte offset in the input, or SIZE_MAX */
    uint16_t tag;               /* ht_tag */
    uint16_t depth;
    uint32_t flags;             /* HN_* */
    /* measured by extract.c */
    uint32_t chars;   /* visible non-space characters below */
    uint32_t link_chars;
    uint32_t links;
    uint32_t punct;   /* sentence punctuation below */
    uint32_t commas;
    uint32_t good;    /* characters in paragraphs of prose below */
    uint32_t blocks;  /* paragraph-like blocks below */
    float score;
    uint8_t reason;   /* why removed (extract.c), 0 for kept */
    uint8_t word;     /* the class/id word that decided, index + 1 */
};

enum {
    HN_HAS_BLOCK = 1u << 0,  /* a block or container element below */
    HN_REMOVED = 1u << 1,    /* removed as boilerplate (reason set) */
    HN_IN_REMOVED = 1u << 2, /* below a removed node */
    HN_ROOT = 1u << 3,       /* the best candidate for the main content */
    HN_FLAT = 1u << 5,       /* nested too deep: read as flat text */
    HN_WORD_IN_ID = 1u << 7, /* the chrome word was in the id */
};

/* How deep the parsed page may nest; deeper elements are read as if they
 * were their parent's (their text kept, their nesting dropped). */
#define HTML_MAX_NEST 256

typedef struct harena harena;

typedef struct hpage {
    harena *arena;
    hnode *root;   /* the document node (tag HT_OTHER) */
    const char *text;   /* the UTF-8 page (transfer none) */
    size_t text_len;
    /* maps offsets in text back to the input bytes */
    int offset_mode; /* OFF_* in decode.c */
    size_t bom;
    size_t nodes;
    bool flattened; /* some nesting was dropped */
} hpage;

/* Allocate from the page's arena (zeroed); NULL if out of memory. */
void *hpage_alloc(hpage *page, size_t size);
char *hpage_strndup(hpage *page, const char *s, size_t len);
void hpage_free(hpage *page);

/* ---- decoding ------------------------------------------------------------------- */

typedef struct hdecoded {
    dk_buf utf8;          /* the page as UTF-8, no NUL inside */
    const char *charset;  /* what it was read as (static) */
    int mode;             /* how offsets map back: DEC_* */
    size_t bom;           /* bytes of BOM skipped */
} hdecoded;

enum {
    DEC_SAME,     /* offsets in utf8 + bom are input offsets */
    DEC_SINGLE,   /* one input byte per character */
    DEC_UTF16,    /* two bytes per UTF-16 unit */
    DEC_NONE,     /* offsets cannot be mapped back */
};

/* Find the character set (BOM, <meta charset>, http-equiv, else UTF-8 if
 * valid, else Windows-1252) and transcode to UTF-8. Warns about bytes it
 * had to replace. Returns 0, or -1 after dk_ctx_fail(). */
int html_decode(dk_ctx *ctx, const unsigned char *data, size_t size,
                hdecoded *out);

/* The input offset of a byte offset in the decoded text; incremental:
 * calls with growing offsets are cheap. SIZE_MAX when unknown. */
typedef struct hoffsets {
    const hdecoded *dec;
    size_t at, in; /* last position mapped: decoded at, input in */
} hoffsets;
size_t html_input_offset(hoffsets *o, size_t decoded);

/* ---- parsing -------------------------------------------------------------------- */

/* Parse the decoded page into page (libxml2's HTML parser, through SAX).
 * Returns 0, or -1 after dk_ctx_fail(). */
int html_parse(dk_ctx *ctx, const hdecoded *dec, hpage *page);

/* The value of a node's attribute, or NULL. */
static inline const char *hattr(const hnode *n, int a)
{
    return n->attr ? n->attr[a] : NULL;
}

/* ---- extraction ------------------------------------------------------------------ */

/* Why a node was removed. */
#define HR_REASONS(X)                                                          \
    X(NONE, "kept")                                                            \
    X(HIDDEN, "hidden")                                                        \
    X(CONTROL, "form control or embedded object")                              \
    X(NAV, "navigation")                                                       \
    X(HEADER, "page header")                                                   \
    X(FOOTER, "page footer")                                                   \
    X(ASIDE, "aside")                                                          \
    X(CLASS, "class or id")                                                    \
    X(LINKS, "mostly links")                                                   \
    X(FURNITURE, "page furniture")                                             \
    X(REPEATED, "repeated text")                                               \
    X(OUTSIDE, "outside the main content")                                     \
    X(EMPTY_SHELL, "no text")                                                  \
    X(COMMENTS, "comments")                                                    \
    X(DIALOG, "dialog or banner")                                              \
    X(META, "byline or date line")                                             \
    X(CAPTION, "caption or credit")                                            \
    X(ADVERT, "advert")                                                        \
    X(ORPHAN, "heading of removed content")

typedef enum hreason {
#define HR_X_ENUM(e, s) HR_##e,
    HR_REASONS(HR_X_ENUM)
#undef HR_X_ENUM
        HR_COUNT
} hreason;

const char *html_reason_text(int reason);

/* Decide what of the page is content: sets HN_REMOVED and reason on the
 * roots of removed subtrees. keep_all: only scripts and the like go. */
void html_extract(hpage *page, bool keep_all);

/* The class/id word that decided a removal (transfer none), or NULL. */
const char *html_extract_word(const hnode *n);

/* ---- building the tree --------------------------------------------------------------- */

typedef struct hbuild_opts {
    const hdecoded *dec;  /* for offsets in the input */
    const char *base_url; /* --base-url, or NULL */
    const char *filename; /* input name for the report, or NULL */
    bool keep_all;
} hbuild_opts;

/* Build the document from the parsed page. Transfer full in *out. Sets
 * *letter, *inspection to what the content calls for. Returns 0 or -1
 * after dk_ctx_fail(). */
int html_build(dk_ctx *ctx, hpage *page, const hbuild_opts *opts,
               dk_node **out, bool *letter, bool *inspection);

/* ---- the removal report ------------------------------------------------------------- */

/* Write the report of removed blocks to path (atomically: a temporary file
 * renamed into place). If path is a directory, the report goes into it as
 * NAME.removed.tsv. Returns 0, or -1 after dk_ctx_fail(). */
int html_report(dk_ctx *ctx, const hpage *page, const char *path,
                const char *input_name, hoffsets *offs);

/* ---- text helpers (text.c) ---------------------------------------------------------- */

/* Append the visible text of n to b with HTML white space collapsed
 * (a single space between words), at most about limit bytes (0: all);
 * all: removed parts too. Returns 0 or -1 (out of memory). */
int html_text_of(const hnode *n, dk_buf *b, size_t limit, bool all);

/* Does the (lower-cased) class or id hold word as a whole token? */
bool html_has_token(const char *attr, const char *word);

#endif
