/*
 * Parsing: libxml2's HTML parser (tolerant of broken markup, never touching
 * the network) driven through SAX into a light tree of our own, allocated
 * from one arena. Only the attributes the reader looks at are kept. Each
 * element records the byte offset of its start tag. Nesting deeper than
 * HTML_MAX_NEST is read flat: the elements are dropped, their text kept in
 * the deepest element, so that nothing below recurses without bound.
 */
#define _GNU_SOURCE
#include "htmlp.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <stdlib.h>
#include <string.h>

/* ---- the arena -------------------------------------------------------------------- */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
} chunk;

struct harena {
    chunk *head;
};

void *hpage_alloc(hpage *page, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    chunk *c = page->arena->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        chunk *n = malloc(sizeof *n + cap);
        if (!n)
            return NULL;
        n->next = c;
        n->used = 0;
        n->cap = cap;
        page->arena->head = c = n;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *hpage_strndup(hpage *page, const char *s, size_t len)
{
    char *p = hpage_alloc(page, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void hpage_free(hpage *page)
{
    if (!page->arena)
        return;
    for (chunk *c = page->arena->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(page->arena);
    page->arena = NULL;
}

/* ---- element names ------------------------------------------------------------------ */

static const struct {
    const char *name;
    int cls;
} elements[] = {
    [HT_TEXT] = {"#text", HC_INLINE},
    [HT_OTHER] = {"", HC_INLINE},
#define HT_X_ROW(e, n, c) [HT_##e] = {n, c},
    HT_ELEMENTS(HT_X_ROW)
#undef HT_X_ROW
};

static int by_name(const void *key, const void *row)
{
    return strcmp(key, *(const char *const *)row);
}

/* the rows from HT_A on are sorted by name; filled once when the plugin
 * is opened, read only afterwards */
static const char *sorted_names[HT_COUNT - HT_A];

void ht_init(void)
{
    for (int i = HT_A; i < HT_COUNT; i++)
        sorted_names[i - HT_A] = elements[i].name;
}

ht_tag ht_lookup(const char *name)
{
    const char *const *hit = bsearch(name, sorted_names, HT_COUNT - HT_A,
                                     sizeof sorted_names[0], by_name);
    return hit ? (ht_tag)(hit - sorted_names + HT_A) : HT_OTHER;
}

const char *ht_name(ht_tag tag)
{
    return tag < HT_COUNT ? elements[tag].name : "";
}

int ht_class(ht_tag tag)
{
    return tag < HT_COUNT ? elements[tag].cls : HC_INLINE;
}

static int attr_index(const char *name)
{
    static const char *const names[HA_COUNT] = {
        [HA_CLASS] = "class",       [HA_ID] = "id",
        [HA_ROLE] = "role",         [HA_HREF] = "href",
        [HA_START] = "start",       [HA_COLSPAN] = "colspan",
        [HA_ROWSPAN] = "rowspan",   [HA_DATETIME] = "datetime",
        [HA_LANG] = "lang",         [HA_NAME] = "name",
        [HA_PROPERTY] = "property", [HA_CONTENT] = "content",
        [HA_CHARSET] = "charset",   [HA_HTTP_EQUIV] = "http-equiv",
        [HA_ITEMPROP] = "itemprop", [HA_ARIA_HIDDEN] = "aria-hidden",
        [HA_HIDDEN] = "hidden",     [HA_STYLE] = "style",
        [HA_TYPE] = "type",         [HA_ALT] = "alt",
    };
    for (int i = 0; i < HA_COUNT; i++)
        if (names[i][0] == name[0] && !strcmp(names[i], name))
            return i;
    return -1;
}

/* ---- SAX ------------------------------------------------------------------------------ */

typedef struct sax_state {
    hpage *page;
    hnode *cur;     /* the open element */
    size_t over;    /* elements opened beyond HTML_MAX_NEST */
    size_t last;    /* where the previous event ended */
    bool oom;
    const char *text;
    size_t text_len;
    dk_buf pending;     /* text not yet in a node (the parser gives pieces) */
    size_t pending_at;  /* its offset */
} sax_state;

static sax_state *state_of(void *user)
{
    return ((htmlParserCtxtPtr)user)->_private;
}

/* The parser's position in the decoded text. */
static size_t position(void *user)
{
    htmlParserCtxtPtr p = user;
    if (!p->input || !p->input->cur || !p->input->base)
        return SIZE_MAX;
    return (size_t)p->input->consumed + (size_t)(p->input->cur - p->input->base);
}

static hnode *new_node(sax_state *st, ht_tag tag)
{
    hnode *n = hpage_alloc(st->page, sizeof *n);
    if (!n) {
        st->oom = true;
        return NULL;
    }
    n->tag = (uint16_t)tag;
    n->offset = SIZE_MAX;
    st->page->nodes++;
    return n;
}

static void append(hnode *parent, hnode *n)
{
    n->parent = parent;
    n->depth = (uint16_t)(parent->depth + 1);
    n->prev = parent->last;
    if (parent->last)
        parent->last->next = n;
    else
        parent->first = n;
    parent->last = n;
}

/* Put the text gathered so far into a text node of the open element. */
static void flush(sax_state *st)
{
    if (!st->pending.len || st->oom)
        return;
    hnode *n = new_node(st, HT_TEXT);
    if (!n || !(n->text = hpage_strndup(st->page, st->pending.data,
                                        st->pending.len))) {
        st->oom = true;
        return;
    }
    n->len = st->pending.len;
    n->offset = st->pending_at;
    append(st->cur, n);
    dk_buf_clear(&st->pending);
}

/* A line break standing for a block that nests too deep. */
static void flat_break(sax_state *st)
{
    hnode *br = new_node(st, HT_BR);
    if (br) {
        br->flags |= HN_FLAT;
        append(st->cur, br);
    }
}

static void on_start(void *user, const xmlChar *xname, const xmlChar **atts)
{
    sax_state *st = state_of(user);
    flush(st);
    if (st->oom)
        return;
    const char *name = (const char *)xname;
    ht_tag tag = ht_lookup(name);
    size_t pos = position(user);
    if (st->cur->depth >= HTML_MAX_NEST) {
        st->over++;
        st->page->flattened = true;
        if (ht_class(tag) == HC_BLOCK || ht_class(tag) == HC_CONTAINER ||
            tag == HT_BR)
            flat_break(st);
        st->last = pos;
        return;
    }
    hnode *n = new_node(st, tag);
    if (!n)
        return;
    /* the start tag ends at pos (its '>'): find its '<' */
    if (pos != SIZE_MAX && pos <= st->text_len) {
        size_t at = pos;
        while (at > 0 && st->text[at] != '<')
            at--;
        n->offset = at;
    }
    for (const xmlChar **a = atts; a && a[0]; a += 2) {
        int i = attr_index((const char *)a[0]);
        if (i < 0 || (n->attr && n->attr[i]))
            continue;
        if (!n->attr && !(n->attr = hpage_alloc(st->page, HA_COUNT * sizeof *n->attr))) {
            st->oom = true;
            return;
        }
        const char *v = a[1] ? (const char *)a[1] : "";
        if (!(n->attr[i] = hpage_strndup(st->page, v, strlen(v)))) {
            st->oom = true;
            return;
        }
    }
    append(st->cur, n);
    st->cur = n;
    /* the parser stands on the tag's '>' */
    st->last = pos != SIZE_MAX && pos < st->text_len && st->text[pos] == '>' ? pos + 1 : pos;
}

static void on_end(void *user, const xmlChar *name)
{
    (void)name;
    sax_state *st = state_of(user);
    flush(st);
    st->last = position(user);
    if (st->over) {
        st->over--;
        flat_break(st);
        return;
    }
    if (st->cur->parent)
        st->cur = st->cur->parent;
}

static void on_text(void *user, const xmlChar *ch, int len)
{
    sax_state *st = state_of(user);
    if (st->oom || len <= 0)
        return;
    if (!st->pending.len)
        st->pending_at = st->last;
    st->last = position(user);
    if (dk_buf_append(&st->pending, ch, (size_t)len) < 0)
        st->oom = true;
}

/* Script and style content: never text. */
static void on_cdata(void *user, const xmlChar *ch, int len)
{
    (void)ch;
    (void)len;
    sax_state *st = state_of(user);
    st->last = position(user);
}

static void on_nothing(void *user, const xmlChar *s)
{
    (void)user;
    (void)s;
}

static void on_silent(void *user, const char *msg, ...)
{
    (void)user;
    (void)msg;
}

int html_parse(dk_ctx *ctx, const hdecoded *dec, hpage *page)
{
    if (dec->utf8.len > (size_t)INT32_MAX)
        return dk_ctx_fail(ctx, DK_E_LIMIT, "page larger than 2 GiB");
    page->arena = calloc(1, sizeof *page->arena);
    if (!page->arena)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    page->text = dec->utf8.data ? dec->utf8.data : "";
    page->text_len = dec->utf8.len;
    page->offset_mode = dec->mode;
    page->bom = dec->bom;
    sax_state st = {.page = page, .text = page->text, .text_len = page->text_len};
    page->root = st.cur = new_node(&st, HT_OTHER);
    if (!page->root)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");

    htmlParserCtxtPtr p =
        htmlCreateMemoryParserCtxt(page->text, (int)page->text_len);
    if (!p)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    htmlSAXHandler *sax = (htmlSAXHandler *)p->sax;
    memset(sax, 0, sizeof *sax);
    sax->startElement = on_start;
    sax->endElement = on_end;
    sax->characters = on_text;
    sax->ignorableWhitespace = on_text;
    sax->cdataBlock = on_cdata;
    sax->comment = on_nothing;
    sax->warning = on_silent;
    sax->error = on_silent;
    p->_private = &st;
    p->userData = p;
    /* the text is UTF-8 already: what the page declares is ignored */
    htmlCtxtUseOptions(p, HTML_PARSE_RECOVER | HTML_PARSE_NONET |
                              HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                              HTML_PARSE_IGNORE_ENC);
    /* UTF-8 from the start, or the parser guesses Latin-1 at the first
     * non-ASCII byte */
    xmlSwitchEncoding(p, XML_CHAR_ENCODING_UTF8);
    htmlParseDocument(p);
    flush(&st);
    dk_buf_free(&st.pending);
    if (p->myDoc) /* SAX builds no document, but be sure */
        xmlFreeDoc(p->myDoc);
    p->myDoc = NULL;
    htmlFreeParserCtxt(p);
    if (st.oom)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    return 0;
}
