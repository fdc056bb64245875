/*
 * From the parsed page to the document tree.
 *
 *  - Blocks: h1-h6 open sections (nested by level; heading level = depth
 *    in the section hierarchy), p, blockquote, pre, ul/ol (start, nesting)
 *    and dl as lists, tables with header rows (spans filled with empty
 *    cells so that columns stay aligned; layout tables read as their
 *    cells' content), hr, address.
 *  - Inline content never splits a paragraph: text, em/i, strong/b, code,
 *    a[href] (resolved against <base> or --base-url) and br stay inside
 *    it; text and inline elements straight inside a div make a paragraph;
 *    two line breaks in a row end one.
 *  - meta: the title (the content's first heading when the page's title
 *    names it, else the page's title), dates (published and modified
 *    times of the page's meta data, the first <time datetime>), authors,
 *    the language of <html lang>.
 *  - Each block records the byte offset of its element in the input.
 *  - Nesting is capped so that the tree stays within DK_MAX_DEPTH: deeper
 *    lists, quotes and tables are read as paragraphs of the level above.
 */
#define _GNU_SOURCE
#include "htmlp.h"

#include "rules.h"

#include <ctype.h>
#include <libxml/uri.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Deepest tree a nested list, quote or table may open at; what is deeper
 * is read flat. Leaves room for sections, a paragraph and its inlines. */
#define BLOCK_DEPTH_CAP 150
#define INLINE_DEPTH_CAP 12
#define SPAN_CAP 64

typedef struct flow {
    dk_node *base;      /* where blocks go when no section is open */
    dk_node *sec[6];    /* open sections */
    int sec_level[6];   /* their HTML heading levels */
    int nsec;
    dk_node *para;      /* the paragraph being filled, or NULL */
    int depth;          /* tree depth of base */
    bool space;         /* a space is due before the next word */
    bool br;            /* the last thing in para was a line break */
    bool started;       /* para holds text */
    bool spaced;        /* the last character put in para is a space */
} flow;

typedef struct builder {
    dk_ctx *ctx;
    hpage *page;
    hoffsets offs;
    const hbuild_opts *opts;
    dk_node *doc, *meta;
    char *base;         /* resolved base URL (xmlFree), or NULL */
    char *title;        /* the page's title (malloc) */
    const hnode *title_heading; /* the heading taken as title */
    bool letter, inspection;
    bool failed;
    bool have_published, have_updated;
    dk_buf tmp;
} builder;

static void oom(builder *b)
{
    if (!b->failed)
        dk_ctx_fail(b->ctx, DK_E_NOMEM, "out of memory");
    b->failed = true;
}

static bool gone(const hnode *n)
{
    return n->flags & (HN_REMOVED | HN_IN_REMOVED);
}

/* How an element reads: a control the extraction kept (a button's text,
 * with --keep-all) reads as inline text. */
static int cls_of(const hnode *n)
{
    int cls = ht_class(n->tag);
    return cls == HC_SKIP && !gone(n) ? HC_INLINE : cls;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void set_offset(builder *b, dk_node *n, const hnode *h)
{
    size_t from = h ? h->offset : SIZE_MAX;
    /* text: where its first word starts */
    if (h && h->tag == HT_TEXT && from != SIZE_MAX) {
        size_t i = 0;
        while (i < h->len && is_space(h->text[i]))
            i++;
        from += i;
    }
    size_t at = h ? html_input_offset(&b->offs, from) : SIZE_MAX;
    if (at != SIZE_MAX)
        dk_node_set_attr_int(n, DK_ATTR_OFFSET, (long long)at);
}

static dk_node *container(flow *f)
{
    return f->nsec ? f->sec[f->nsec - 1] : f->base;
}

static int container_depth(flow *f)
{
    return f->depth + f->nsec;
}

/* ---- inline content ------------------------------------------------------------- */

/* Append text with HTML white space collapsed: a space between words,
 * none at the start of a paragraph or after a line break. */
static void add_text(builder *b, flow *f, dk_node *into, const char *s, size_t len)
{
    dk_buf *t = &b->tmp;
    dk_buf_clear(t);
    for (size_t i = 0; i < len; i++) {
        if (is_space(s[i])) {
            f->space = true;
            continue;
        }
        if (f->space && f->started && !f->br && !f->spaced) {
            /* at the start of an inline element, the space goes before it */
            dk_node *parent = dk_node_parent(into);
            if (!t->len && !dk_node_first(into) && into != f->para && parent) {
                dk_node *sp = dk_node_new_text(" ", 1);
                if (!sp || dk_node_insert_before(parent, into, sp) < 0) {
                    dk_node_free(sp);
                    goto fail;
                }
            } else if (dk_buf_putc(t, ' ') < 0) {
                goto fail;
            }
        }
        f->space = false;
        f->br = false;
        f->started = true;
        f->spaced = false;
        size_t j = i;
        while (j < len && !is_space(s[j]))
            j++;
        if (dk_buf_append(t, s + i, j - i) < 0)
            goto fail;
        i = j - 1;
    }
    if (t->len && dk_node_add_text(into, t->data, t->len) < 0)
        goto fail;
    return;
fail:
    oom(b);
}

/* A pending space goes before an inline element, not inside it. */
static void flush_space(builder *b, flow *f, dk_node *into)
{
    if (f->space && f->started && !f->br && !f->spaced) {
        if (dk_node_add_text(into, " ", 1) < 0)
            oom(b);
        f->spaced = true;
    }
    f->space = false;
}

static bool usable_href(const char *h)
{
    while (h && is_space(*h))
        h++;
    return h && *h && strncasecmp(h, "javascript:", 11) != 0 &&
           strncasecmp(h, "data:", 5) != 0;
}

/* The link target resolved against the base (transfer full, free()). */
static char *resolve(builder *b, const char *href)
{
    while (is_space(*href))
        href++;
    size_t len = strlen(href);
    while (len && is_space(href[len - 1]))
        len--;
    char *h = strndup(href, len);
    if (!h || !b->base)
        return h;
    xmlChar *r = xmlBuildURI((const xmlChar *)h, (const xmlChar *)b->base);
    if (!r)
        return h;
    free(h);
    char *out = strdup((const char *)r);
    xmlFree(r);
    return out;
}

/* The text of a subtree, verbatim (pre, code): line breaks as "\n". */
static int raw_text(const hnode *n, dk_buf *out)
{
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT) {
            if (dk_buf_append(out, k->text, k->len) < 0)
                return -1;
            continue;
        }
        if (gone(k) || ht_class(k->tag) == HC_SKIP)
            continue;
        if (k->tag == HT_BR && dk_buf_putc(out, '\n') < 0)
            return -1;
        if (raw_text(k, out) < 0)
            return -1;
    }
    return 0;
}

static bool grade_name(const hnode *n)
{
    static const char *const words[] = {"grade", "judgement", "judgment",
                                        "rating", "badge", NULL};
    for (const char *const *w = words; *w; w++)
        if (html_has_token(hattr(n, HA_CLASS), *w))
            return true;
    return false;
}

static void inlines(builder *b, flow *f, dk_node *into, const hnode *n, int depth);

/* One inline element. */
static void inline_element(builder *b, flow *f, dk_node *into, const hnode *k,
                           int depth)
{
    dk_type type = DK_TEXT;
    switch (k->tag) {
    case HT_EM:
    case HT_I:
    case HT_CITE:
    case HT_DFN:
        type = DK_EM;
        break;
    case HT_STRONG:
    case HT_B:
        type = DK_STRONG;
        break;
    case HT_CODE:
    case HT_TT:
    case HT_KBD:
    case HT_SAMP:
    case HT_VAR:
        type = DK_CODE;
        break;
    case HT_A:
        if (usable_href(hattr(k, HA_HREF)))
            type = DK_A;
        break;
    case HT_BR:
        if (f->started && !f->br) {
            if (!dk_node_add(into, DK_BR))
                oom(b);
            f->br = true;
        }
        f->space = false;
        return;
    default:
        break;
    }
    if (type == DK_TEXT || depth >= INLINE_DEPTH_CAP) {
        inlines(b, f, into, k, depth); /* transparent */
        return;
    }
    if (type == DK_CODE) {
        dk_buf raw = DK_BUF_INIT;
        if (raw_text(k, &raw) < 0) {
            dk_buf_free(&raw);
            oom(b);
            return;
        }
        if (raw.len) {
            flush_space(b, f, into);
            dk_node *c = dk_node_add(into, DK_CODE);
            if (!c || dk_node_add_text(c, raw.data, raw.len) < 0)
                oom(b);
            f->br = false;
            f->started = true;
            f->spaced = false;
        }
        dk_buf_free(&raw);
        return;
    }
    flush_space(b, f, into);
    dk_node *e = dk_node_new(type);
    if (!e) {
        oom(b);
        return;
    }
    if (type == DK_A) {
        char *href = resolve(b, hattr(k, HA_HREF));
        if (!href || dk_node_set_attr(e, DK_ATTR_HREF, href) < 0)
            dk_node_set_attr(e, DK_ATTR_HREF, NULL);
        free(href);
    }
    /* the element goes in first so that text knows the paragraph has begun */
    if (dk_node_append(into, e) < 0) {
        dk_node_free(e);
        oom(b);
        return;
    }
    inlines(b, f, e, k, depth + 1);
    if (!dk_node_first(e)) {
        dk_node_detach(e);
        dk_node_free(e);
    }
}

/* The inline content of n into into. */
static void inlines(builder *b, flow *f, dk_node *into, const hnode *n, int depth)
{
    for (const hnode *k = n->first; k && !b->failed; k = k->next) {
        if (k->tag == HT_TEXT) {
            add_text(b, f, into, k->text, k->len);
            continue;
        }
        if (gone(k)) {
            continue;
        }
        int cls = ht_class(k->tag);
        cls = cls_of(k);
        if (cls == HC_SKIP || cls == HC_HEAD)
            continue;
        if (cls == HC_INLINE) {
            inline_element(b, f, into, k, depth);
            continue;
        }
        /* a block inside inline content (broken markup): a space */
        f->space = true;
        inlines(b, f, into, k, depth);
        f->space = true;
    }
}

/* ---- paragraphs ------------------------------------------------------------------------- */

static void close_para(flow *f)
{
    if (f->para && !dk_node_first(f->para)) {
        dk_node_detach(f->para);
        dk_node_free(f->para);
    } else if (f->para) {
        /* a line break at the end says nothing */
        dk_node *last = dk_node_last(f->para);
        if (last && dk_node_type(last) == DK_BR) {
            dk_node_detach(last);
            dk_node_free(last);
        }
    }
    f->para = NULL;
    f->space = false;
    f->br = false;
    f->started = false;
    f->spaced = false;
}

/* The open paragraph, created when needed at the hnode at. */
static dk_node *para(builder *b, flow *f, const hnode *at)
{
    if (!f->para) {
        f->para = dk_node_add(container(f), DK_P);
        if (!f->para) {
            oom(b);
            return NULL;
        }
        set_offset(b, f->para, at);
        f->space = false;
        f->br = false;
        f->started = false;
        f->spaced = false;
    }
    return f->para;
}

static bool has_visible_text(const hnode *n)
{
    if (n->tag == HT_TEXT) {
        for (size_t i = 0; i < n->len; i++)
            if (!is_space(n->text[i]))
                return true;
        return false;
    }
    if (gone(n) || cls_of(n) == HC_SKIP || cls_of(n) == HC_HEAD)
        return false;
    if (n->tag == HT_BR)
        return false;
    for (const hnode *k = n->first; k; k = k->next)
        if (has_visible_text(k))
            return true;
    return false;
}

/* ---- blocks ------------------------------------------------------------------------------- */

static void blocks(builder *b, flow *f, const hnode *n);

static void sub_flow(flow *sub, dk_node *base, int depth)
{
    memset(sub, 0, sizeof *sub);
    sub->base = base;
    sub->depth = depth;
}

/* A heading: a new section at its level. */
static void heading(builder *b, flow *f, const hnode *k)
{
    close_para(f);
    if (k == b->title_heading)
        return;
    if (!has_visible_text(k))
        return;
    int level = k->tag - HT_H1 + 1;
    while (f->nsec && f->sec_level[f->nsec - 1] >= level)
        f->nsec--;
    if (f->nsec == 6)
        f->nsec--;
    dk_node *parent = container(f);
    dk_node *s = dk_node_add(parent, DK_SECTION);
    dk_node *h = s ? dk_node_add(s, DK_HEADING) : NULL;
    if (!h) {
        oom(b);
        return;
    }
    int depth = 1;
    for (dk_node *p = parent; p; p = dk_node_parent(p))
        depth += dk_node_type(p) == DK_SECTION;
    dk_node_set_attr_int(h, DK_ATTR_LEVEL, depth > 6 ? 6 : depth);
    set_offset(b, s, k);
    f->sec[f->nsec] = s;
    f->sec_level[f->nsec] = level;
    f->nsec++;
    /* a grade badge in the heading is a line of its own after it */
    flow hf = {.para = h};
    const hnode *badge = NULL;
    for (const hnode *c = k->first; c; c = c->next) {
        if (c->tag != HT_TEXT && !gone(c) && grade_name(c)) {
            dk_buf_clear(&b->tmp);
            if (html_text_of(c, &b->tmp, 200, false) == 0 &&
                dkr_grade_parse(b->tmp.data, b->tmp.len, NULL, NULL)) {
                badge = c;
                continue;
            }
        }
        if (c->tag == HT_TEXT)
            add_text(b, &hf, h, c->text, c->len);
        else if (!gone(c) && ht_class(c->tag) != HC_SKIP) {
            if (ht_class(c->tag) == HC_INLINE)
                inline_element(b, &hf, h, c, 1);
            else
                inlines(b, &hf, h, c, 1);
        }
    }
    if (badge) {
        flow gf = {0};
        gf.base = s;
        dk_node *p = para(b, &gf, badge);
        if (p)
            inlines(b, &gf, p, badge, 1);
    }
}

/* Text of a node for a test (first limit bytes), in b->tmp. */
static const char *text_in_tmp(builder *b, const hnode *n, size_t limit)
{
    dk_buf_clear(&b->tmp);
    if (html_text_of(n, &b->tmp, limit, false) < 0 || dk_buf_reserve(&b->tmp, 0) < 0) {
        oom(b);
        return "";
    }
    b->tmp.data[b->tmp.len] = '\0';
    return b->tmp.data;
}

/* A block made of inline content: p, and the like. */
static void inline_block(builder *b, flow *f, const hnode *k)
{
    close_para(f);
    if (k->flags & HN_HAS_BLOCK) {
        blocks(b, f, k);
        close_para(f);
        return;
    }
    dk_node *p = para(b, f, k);
    if (p)
        inlines(b, f, p, k, 0);
    close_para(f);
}

/* address: lines (in a letter, a paragraph of lines for the letter
 * transform to read). */
static void address(builder *b, flow *f, const hnode *k)
{
    close_para(f);
    if (b->letter || (k->flags & HN_HAS_BLOCK)) {
        inline_block(b, f, k);
        return;
    }
    dk_node *a = dk_node_add(container(f), DK_ADDRESS);
    if (!a) {
        oom(b);
        return;
    }
    set_offset(b, a, k);
    /* each line: the inline content between line breaks */
    dk_node *tmp = dk_node_new(DK_P);
    flow lf = {.para = tmp};
    if (!tmp) {
        oom(b);
        return;
    }
    inlines(b, &lf, tmp, k, 0);
    dk_node *line = NULL;
    while (dk_node_first(tmp)) {
        dk_node *c = dk_node_first(tmp);
        dk_node_detach(c);
        if (dk_node_type(c) == DK_BR) {
            dk_node_free(c);
            line = NULL;
            continue;
        }
        if (!line && !(line = dk_node_add(a, DK_LINE))) {
            dk_node_free(c);
            oom(b);
            break;
        }
        if (dk_node_append(line, c) < 0)
            dk_node_free(c);
    }
    dk_node_free(tmp);
    if (!dk_node_first(a)) {
        dk_node_detach(a);
        dk_node_free(a);
    }
}

static void preformatted(builder *b, flow *f, const hnode *k)
{
    close_para(f);
    dk_buf raw = DK_BUF_INIT;
    if (raw_text(k, &raw) < 0) {
        dk_buf_free(&raw);
        oom(b);
        return;
    }
    const char *s = raw.data ? raw.data : "";
    size_t len = raw.len;
    if (len && s[0] == '\n')
        s++, len--;
    while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
        len--;
    if (len) {
        dk_node *pre = dk_node_add(container(f), DK_PRE);
        if (!pre || dk_node_add_text(pre, s, len) < 0)
            oom(b);
        else
            set_offset(b, pre, k);
    }
    dk_buf_free(&raw);
}

static void drop_if_empty(dk_node *n)
{
    if (n && !dk_node_first(n)) {
        dk_node_detach(n);
        dk_node_free(n);
    }
}

static void list(builder *b, flow *f, const hnode *k)
{
    close_para(f);
    if (container_depth(f) + 3 > BLOCK_DEPTH_CAP) {
        blocks(b, f, k); /* too deep: its items as paragraphs */
        close_para(f);
        return;
    }
    bool ordered = k->tag == HT_OL;
    dk_node *l = dk_node_add(container(f), DK_LIST);
    if (!l) {
        oom(b);
        return;
    }
    dk_node_set_attr(l, DK_ATTR_TYPE, ordered ? "ordered" : "bullet");
    const char *start = hattr(k, HA_START);
    if (ordered && start) {
        char *end;
        long v = strtol(start, &end, 10);
        if (end != start && v != 1 && v > -1000000 && v < 1000000)
            dk_node_set_attr_int(l, DK_ATTR_START, v);
    }
    set_offset(b, l, k);
    int depth = container_depth(f) + 1;
    flow item_flow = {0};
    dk_node *item = NULL;
    for (const hnode *c = k->first; c && !b->failed; c = c->next) {
        if (c->tag != HT_TEXT && gone(c))
            continue;
        bool li = c->tag == HT_LI || (k->tag == HT_DL && c->tag == HT_DT);
        if (c->tag == HT_TEXT && !has_visible_text(c))
            continue;
        if (li || !item) {
            if (item) {
                close_para(&item_flow);
                drop_if_empty(item);
            }
            item = dk_node_add(l, DK_ITEM);
            if (!item) {
                oom(b);
                return;
            }
            sub_flow(&item_flow, item, depth + 1);
        }
        if (c->tag == HT_TEXT) {
            dk_node *p = para(b, &item_flow, c);
            if (p)
                add_text(b, &item_flow, p, c->text, c->len);
        } else if (c->tag == HT_DT) {
            close_para(&item_flow);
            dk_node *p = para(b, &item_flow, c);
            dk_node *s = p ? dk_node_add(p, DK_STRONG) : NULL;
            if (s)
                inlines(b, &item_flow, s, c, 1);
            drop_if_empty(s);
            close_para(&item_flow);
        } else if (li || c->tag == HT_DD) {
            blocks(b, &item_flow, c);
            close_para(&item_flow);
        } else {
            /* anything else straight in a list belongs to the item */
            const hnode *one = c;
            int cls = ht_class(one->tag);
            if (cls == HC_INLINE && !(one->flags & HN_HAS_BLOCK)) {
                dk_node *p = para(b, &item_flow, one);
                if (p)
                    inline_element(b, &item_flow, p, one, 0);
            } else {
                close_para(&item_flow);
                flow tmp = item_flow;
                blocks(b, &tmp, one); /* as if it were the item's child */
                item_flow = tmp;
                close_para(&item_flow);
            }
        }
    }
    if (item) {
        close_para(&item_flow);
        drop_if_empty(item);
    }
    drop_if_empty(l);
}

static void quote(builder *b, flow *f, const hnode *k)
{
    close_para(f);
    if (container_depth(f) + 2 > BLOCK_DEPTH_CAP) {
        blocks(b, f, k);
        close_para(f);
        return;
    }
    dk_node *q = dk_node_add(container(f), DK_QUOTE);
    if (!q) {
        oom(b);
        return;
    }
    set_offset(b, q, k);
    flow qf;
    sub_flow(&qf, q, container_depth(f) + 1);
    blocks(b, &qf, k);
    close_para(&qf);
    drop_if_empty(q);
}

/* ---- tables ----------------------------------------------------------------------- */

static int span_of(const hnode *c, int a)
{
    const char *v = hattr(c, a);
    long n = v ? strtol(v, NULL, 10) : 1;
    return n < 1 ? 1 : n > SPAN_CAP ? SPAN_CAP : (int)n;
}

typedef struct rowset {
    const hnode **rows;
    bool *header;
    size_t n, cap;
    const hnode **stray; /* content outside the cells, read before the table */
    size_t n_stray, cap_stray;
} rowset;

static int add_stray(rowset *rs, const hnode *k)
{
    if (rs->n_stray == rs->cap_stray) {
        size_t cap = rs->cap_stray ? rs->cap_stray * 2 : 4;
        const hnode **st = realloc(rs->stray, cap * sizeof *st);
        if (!st)
            return -1;
        rs->stray = st;
        rs->cap_stray = cap;
    }
    rs->stray[rs->n_stray++] = k;
    return 0;
}

/* Does n hold a row of its own table (not of a table inside it)? */
static bool holds_row(const hnode *n)
{
    for (const hnode *k = n->first; k; k = k->next)
        if (k->tag == HT_TR || (k->tag != HT_TABLE && k->tag != HT_TEXT && holds_row(k)))
            return true;
    return false;
}

static int add_row(rowset *rs, const hnode *tr, bool header)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 16;
        const hnode **r = realloc(rs->rows, cap * sizeof *r);
        if (!r)
            return -1;
        rs->rows = r;
        bool *h = realloc(rs->header, cap * sizeof *h);
        if (!h)
            return -1;
        rs->header = h;
        rs->cap = cap;
    }
    rs->rows[rs->n] = tr;
    rs->header[rs->n] = header;
    rs->n++;
    return 0;
}

/* The rows of a table, through its row groups and through any other
 * element wrapped around rows (a form around some of them); text and
 * elements outside the cells are kept as stray, not dropped. */
static int collect_rows(const hnode *t, rowset *rs, bool header)
{
    for (const hnode *c = t->first; c; c = c->next) {
        if (gone(c) || c->tag == HT_CAPTION)
            continue;
        if (c->tag == HT_TR) {
            if (add_row(rs, c, header) < 0)
                return -1;
            for (const hnode *d = c->first; d; d = d->next)
                if (d->tag != HT_TD && d->tag != HT_TH && !gone(d) &&
                    has_visible_text(d) && add_stray(rs, d) < 0)
                    return -1;
        } else if (c->tag != HT_TEXT && c->tag != HT_TABLE && holds_row(c)) {
            if (collect_rows(c, rs, header || c->tag == HT_THEAD) < 0)
                return -1;
        } else if (has_visible_text(c) && add_stray(rs, c) < 0) {
            return -1;
        }
    }
    return 0;
}

/* A table of data, not of layout: it has header cells or a caption, or a
 * grid of two or more columns of short cells without blocks inside. */
static bool data_table(const hnode *t, const rowset *rs)
{
    const char *role = hattr(t, HA_ROLE);
    if (role && (!strcasecmp(role, "presentation") || !strcasecmp(role, "none")))
        return false;
    int cols = 0, th = 0, block_cells = 0, cells = 0, nested = 0;
    for (size_t r = 0; r < rs->n; r++) {
        int n = 0;
        for (const hnode *c = rs->rows[r]->first; c; c = c->next) {
            if (c->tag != HT_TD && c->tag != HT_TH)
                continue;
            n += span_of(c, HA_COLSPAN);
            cells++;
            th += c->tag == HT_TH;
            if (c->flags & HN_HAS_BLOCK) {
                for (const hnode *d = c->first; d; d = d->next)
                    if (d->tag == HT_TABLE)
                        nested++;
                if (c->blocks > 1)
                    block_cells++;
            }
        }
        if (n > cols)
            cols = n;
    }
    if (nested || rs->n == 0)
        return false;
    bool caption = false;
    for (const hnode *c = t->first; c; c = c->next)
        caption |= c->tag == HT_CAPTION;
    if ((th || caption) && cols >= 2)
        return true;
    return cols >= 2 && rs->n >= 2 && block_cells * 4 < cells;
}

static void table(builder *b, flow *f, const hnode *k)
{
    close_para(f);
    rowset rs = {0};
    if (collect_rows(k, &rs, false) < 0) {
        oom(b);
        goto done;
    }
    if (!data_table(k, &rs) || container_depth(f) + 4 > BLOCK_DEPTH_CAP) {
        blocks(b, f, k); /* layout: the cells' content in order */
        close_para(f);
        goto done;
    }
    for (const hnode *c = k->first; c; c = c->next)
        if (c->tag == HT_CAPTION && !gone(c))
            inline_block(b, f, c);
    /* what stands in the table outside its cells, before it */
    for (size_t i = 0; i < rs.n_stray && !b->failed; i++) {
        const hnode *st = rs.stray[i];
        if (st->tag == HT_TEXT) {
            dk_node *p = para(b, f, st);
            if (p)
                add_text(b, f, p, st->text, st->len);
        } else {
            blocks(b, f, st);
        }
        close_para(f);
    }
    dk_node *t = dk_node_add(container(f), DK_TABLE);
    if (!t) {
        oom(b);
        goto done;
    }
    set_offset(b, t, k);
    int depth = container_depth(f) + 3;
    int pending[SPAN_CAP * 4] = {0}; /* rows still covered, per column */
    int ncols = (int)(sizeof pending / sizeof pending[0]);
    for (size_t r = 0; r < rs.n && !b->failed; r++) {
        dk_node *row = dk_node_add(t, DK_ROW);
        if (!row) {
            oom(b);
            break;
        }
        int col = 0;
        bool all_th = true, any = false;
        for (const hnode *c = rs.rows[r]->first; c; c = c->next)
            if (c->tag == HT_TD || c->tag == HT_TH) {
                any = true;
                all_th &= c->tag == HT_TH;
            }
        bool header_row = rs.header[r] || (any && all_th);
        for (const hnode *c = rs.rows[r]->first; c; c = c->next) {
            if (c->tag != HT_TD && c->tag != HT_TH)
                continue;
            /* cells covered by a rowspan from above */
            while (col < ncols && pending[col] > 0) {
                pending[col]--;
                dk_node *e = dk_node_add(row, DK_CELL);
                if (e && header_row)
                    dk_node_set_attr(e, DK_ATTR_HEADER, "true");
                col++;
            }
            dk_node *cell = dk_node_add(row, DK_CELL);
            if (!cell) {
                oom(b);
                break;
            }
            if (header_row || c->tag == HT_TH)
                dk_node_set_attr(cell, DK_ATTR_HEADER, "true");
            if (!gone(c)) {
                flow cf;
                sub_flow(&cf, cell, depth);
                blocks(b, &cf, c);
                close_para(&cf);
            }
            int cs = span_of(c, HA_COLSPAN), rsp = span_of(c, HA_ROWSPAN);
            for (int s = 0; s < cs; s++, col++) {
                if (col < ncols)
                    pending[col] = rsp - 1;
                if (s > 0) {
                    dk_node *e = dk_node_add(row, DK_CELL);
                    if (e && (header_row || c->tag == HT_TH))
                        dk_node_set_attr(e, DK_ATTR_HEADER, "true");
                }
            }
        }
        while (col < ncols && pending[col] > 0) {
            pending[col]--;
            dk_node_add(row, DK_CELL);
            col++;
        }
        if (!dk_node_first(row))
            drop_if_empty(row);
    }
    drop_if_empty(t);
done:
    free(rs.rows);
    free(rs.header);
    free(rs.stray);
}

/* ---- the walk ------------------------------------------------------------------------ */

/* Two line breaks in a row (white space between them aside) end a
 * paragraph. */
static bool second_br(const flow *f)
{
    return f->para && f->br;
}

static void blocks(builder *b, flow *f, const hnode *n)
{
    for (const hnode *k = n->first; k && !b->failed; k = k->next) {
        if (k->tag == HT_TEXT) {
            if (!f->para && !has_visible_text(k))
                continue;
            dk_node *p = para(b, f, k);
            if (p)
                add_text(b, f, p, k->text, k->len);
            continue;
        }
        int cls = cls_of(k);
        if (gone(k) || cls == HC_SKIP || cls == HC_HEAD || k->tag == HT_HEAD)
            continue;
        if (k->tag == HT_BR) {
            if (k->flags & HN_FLAT) {
                close_para(f);
            } else if (second_br(f)) {
                close_para(f);
            } else if (f->para && f->started) {
                if (!dk_node_add(f->para, DK_BR))
                    oom(b);
                f->br = true;
                f->space = false;
            }
            continue;
        }
        if (cls == HC_INLINE && !(k->flags & HN_HAS_BLOCK)) {
            if (!f->para && !has_visible_text(k))
                continue;
            dk_node *p = para(b, f, k);
            if (p)
                inline_element(b, f, p, k, 0);
            continue;
        }
        switch (k->tag) {
        case HT_H1:
        case HT_H2:
        case HT_H3:
        case HT_H4:
        case HT_H5:
        case HT_H6:
            heading(b, f, k);
            break;
        case HT_P:
        case HT_DT:
        case HT_DD:
        case HT_FIGCAPTION:
        case HT_LEGEND:
        case HT_SUMMARY:
        case HT_CAPTION:
            inline_block(b, f, k);
            break;
        case HT_ADDRESS:
            address(b, f, k);
            break;
        case HT_UL:
        case HT_OL:
        case HT_MENU:
        case HT_DIR:
        case HT_DL:
            list(b, f, k);
            break;
        case HT_BLOCKQUOTE:
            quote(b, f, k);
            break;
        case HT_PRE:
            preformatted(b, f, k);
            break;
        case HT_TABLE:
            table(b, f, k);
            break;
        case HT_HR:
            close_para(f);
            if (!dk_node_add(container(f), DK_HR))
                oom(b);
            break;
        default:
            /* div, section, li outside a list, td outside a table, an
             * inline element holding blocks: its content, in this flow */
            close_para(f);
            blocks(b, f, k);
            close_para(f);
            break;
        }
    }
}

/* ---- meta ------------------------------------------------------------------------------ */

static const hnode *find_tag(const hnode *n, int tag)
{
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == tag)
            return k;
        if (k->tag != HT_TEXT) {
            const hnode *r = find_tag(k, tag);
            if (r)
                return r;
        }
    }
    return NULL;
}

static char *collapse(const char *s)
{
    dk_buf b = DK_BUF_INIT;
    bool sp = false;
    for (; s && *s; s++) {
        if (is_space(*s)) {
            sp = b.len > 0;
            continue;
        }
        if ((sp && dk_buf_putc(&b, ' ') < 0) || dk_buf_putc(&b, *s) < 0) {
            dk_buf_free(&b);
            return NULL;
        }
        sp = false;
    }
    return b.data ? dk_buf_steal(&b) : strdup("");
}

/* A date into meta: role, the text as found, and when from iso (or from
 * the text). */
static void meta_date(builder *b, const char *role, const char *found,
                      const char *iso)
{
    dkr_date d;
    size_t a, e;
    const char *src = iso && *iso ? iso : found;
    size_t len = src ? strlen(src) : 0;
    /* 2016-03-02T10:00:00Z: the date part */
    if (len > 10 && src[4] == '-' && src[7] == '-' && (src[10] == 'T' || src[10] == ' '))
        len = 10;
    if (!src || !dkr_find_date(src, len, 0, &d, &a, &e))
        return;
    char *text = collapse(found && *found ? found : src);
    if (!text) {
        oom(b);
        return;
    }
    char when[11];
    dkr_date_iso(&d, when);
    dk_node *ref = dk_node_first(b->meta);
    while (ref && (dk_node_type(ref) == DK_TITLE || dk_node_type(ref) == DK_DATE))
        ref = dk_node_next(ref);
    dk_node *date = dk_node_new(DK_DATE);
    if (!date || dk_node_set_attr(date, DK_ATTR_ROLE, role) < 0 ||
        dk_node_set_attr(date, DK_ATTR_WHEN, when) < 0 ||
        dk_node_add_text(date, text, strlen(text)) < 0 ||
        dk_node_insert_before(b->meta, ref, date) < 0) {
        dk_node_free(date);
        oom(b);
    }
    if (!strcmp(role, "published"))
        b->have_published = true;
    else
        b->have_updated = true;
    free(text);
}

/* A BCP 47 language tag as the schema wants it ("en-GB"), or false. */
static bool language_tag(const char *s, char *out, size_t cap)
{
    size_t n = 0, part = 0;
    while (s && is_space(*s))
        s++;
    for (; s && *s && !is_space(*s) && n + 1 < cap; s++) {
        char c = *s == '_' ? '-' : *s;
        if (c == '-') {
            if (part == 0)
                return false;
            part = 0;
        } else if (isalnum((unsigned char)c) && ++part <= 8) {
            if (n == strcspn(out, "-") && !isalpha((unsigned char)c))
                return false;
        } else {
            return false;
        }
        out[n++] = c;
        out[n] = '\0';
    }
    return n > 0 && part > 0 && isalpha((unsigned char)out[0]);
}

typedef struct head_info {
    const char *title, *og_title, *description, *published, *modified, *base;
    const char **authors; /* every author named, each once */
    size_t n_authors, cap_authors;
    bool failed;          /* out of memory */
} head_info;

static void add_author(head_info *h, const char *name)
{
    for (size_t i = 0; i < h->n_authors; i++)
        if (!strcmp(h->authors[i], name))
            return;
    if (h->n_authors == h->cap_authors) {
        size_t cap = h->cap_authors ? h->cap_authors * 2 : 4;
        const char **a = realloc(h->authors, cap * sizeof *a);
        if (!a) {
            h->failed = true;
            return;
        }
        h->authors = a;
        h->cap_authors = cap;
    }
    h->authors[h->n_authors++] = name;
}

static void read_meta(const hnode *n, head_info *h)
{
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT)
            continue;
        if (k->tag == HT_META) {
            const char *name = hattr(k, HA_NAME), *prop = hattr(k, HA_PROPERTY),
                       *ip = hattr(k, HA_ITEMPROP);
            const char *content = hattr(k, HA_CONTENT);
            const char *key = prop ? prop : name ? name : ip;
            if (!key || !content || !*content)
                continue;
            if (!strcasecmp(key, "og:title") && !h->og_title)
                h->og_title = content;
            else if ((!strcasecmp(key, "description") || !strcasecmp(key, "og:description") ||
                      !strcasecmp(key, "dc.description")) &&
                     !h->description)
                h->description = content;
            else if ((!strcasecmp(key, "author") || !strcasecmp(key, "dc.creator")) &&
                     !strstr(content, "://"))
                add_author(h, content);
            else if ((!strcasecmp(key, "article:published_time") ||
                      !strcasecmp(key, "og:published_time") ||
                      !strcasecmp(key, "datepublished") ||
                      !strcasecmp(key, "dc.date") || !strcasecmp(key, "dc.date.issued") ||
                      !strcasecmp(key, "dcterms.created") || !strcasecmp(key, "date") ||
                      !strcasecmp(key, "pubdate")) &&
                     !h->published)
                h->published = content;
            else if ((!strcasecmp(key, "article:modified_time") ||
                      !strcasecmp(key, "og:updated_time") ||
                      !strcasecmp(key, "datemodified") ||
                      !strcasecmp(key, "dcterms.modified") ||
                      !strcasecmp(key, "last-modified")) &&
                     !h->modified)
                h->modified = content;
            continue;
        }
        if (k->tag == HT_BASE && !h->base && hattr(k, HA_HREF))
            h->base = hattr(k, HA_HREF);
        if (k->tag == HT_TITLE && !h->title)
            continue; /* read below, with its text */
        if (k->tag == HT_HEAD || k->tag == HT_HTML || k->tag == HT_BODY ||
            (k->first && k->depth < 6))
            read_meta(k, h);
    }
}

/* The first kept heading of the content. */
static const hnode *first_heading(const hnode *n)
{
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT || gone(k))
            continue;
        if (k->tag >= HT_H1 && k->tag <= HT_H6)
            return has_visible_text(k) ? k : NULL;
        if (ht_class(k->tag) == HC_SKIP || ht_class(k->tag) == HC_HEAD)
            continue;
        if (has_visible_text(k) && !(k->flags & HN_HAS_BLOCK))
            return NULL; /* text comes first */
        const hnode *h = first_heading(k);
        if (h)
            return h;
        if (has_visible_text(k))
            return NULL;
    }
    return NULL;
}

static void add_meta(builder *b, dk_type type, const char *text)
{
    char *t = collapse(text);
    if (!t) {
        oom(b);
        return;
    }
    if (*t && !dk_node_add_with_text(b->meta, type, t))
        oom(b);
    free(t);
}

/* "Site name | Page title": the part of the page's title that is the page's
 * own, when a separator sets a site name apart. */
static void title_from_page(builder *b, const char *title)
{
    static const char *const seps[] = {" | ", " - ", " \xE2\x80\x93 ",
                                       " \xE2\x80\x94 ", " :: ", " \xC2\xBB ",
                                       " \xC2\xAB ", NULL};
    char *t = collapse(title);
    if (!t) {
        oom(b);
        return;
    }
    for (const char *const *s = seps; *s; s++) {
        char *at = strstr(t, *s);
        if (!at)
            continue;
        /* keep the longer side: a site name is short */
        size_t left = (size_t)(at - t), right = strlen(at + strlen(*s));
        if (left >= right)
            *at = '\0';
        else
            memmove(t, at + strlen(*s), right + 1);
        break;
    }
    if (*t)
        add_meta(b, DK_TITLE, t);
    free(t);
}

static void meta(builder *b, const hnode *content)
{
    const hnode *root = b->page->root;
    head_info h = {0};
    read_meta(root, &h);
    const hnode *title = find_tag(root, HT_TITLE);
    char *page_title = NULL;
    if (title) {
        dk_buf t = DK_BUF_INIT;
        if (html_text_of(title, &t, 0, false) < 0) { /* whole: it may be the title */
            oom(b);
            free(h.authors);
            return;
        }
        page_title = t.data ? dk_buf_steal(&t) : NULL;
    }
    /* the content's first heading is the title when the page's title or
     * og:title names it */
    const hnode *fh = first_heading(content);
    if (fh && fh->tag <= HT_H2) {
        const char *ht = text_in_tmp(b, fh, 0); /* whole: it becomes the title */
        if (*ht && ((page_title && strstr(page_title, ht)) ||
                    (h.og_title && strstr(h.og_title, ht)))) {
            add_meta(b, DK_TITLE, ht);
            b->title_heading = fh;
        }
    }
    if (!b->title_heading) {
        if (h.og_title)
            title_from_page(b, h.og_title);
        else if (page_title)
            title_from_page(b, page_title);
    }
    free(page_title);

    if (h.published)
        meta_date(b, "published", h.published, h.published);
    if (h.modified)
        meta_date(b, "updated", h.modified, h.modified);
    for (size_t i = 0; i < h.n_authors; i++)
        add_meta(b, DK_AUTHOR, h.authors[i]);
    if (h.description)
        add_meta(b, DK_DESCRIPTION, h.description);
    free(h.authors);
    if (h.failed)
        oom(b);
    const hnode *html = find_tag(root, HT_HTML);
    char lang[64] = "";
    if (html && hattr(html, HA_LANG) && language_tag(hattr(html, HA_LANG), lang, sizeof lang))
        add_meta(b, DK_LANG, lang);

    /* links resolve against <base href>, itself against --base-url */
    const char *given = b->opts->base_url;
    if (h.base && usable_href(h.base)) {
        xmlChar *r = given ? xmlBuildURI((const xmlChar *)h.base, (const xmlChar *)given)
                           : xmlStrdup((const xmlChar *)h.base);
        b->base = r ? (char *)r : NULL;
    } else if (given) {
        b->base = (char *)xmlStrdup((const xmlChar *)given);
    }
}

/* The first <time datetime> in the content: the date it was published, or
 * updated when its line says so. */
static const hnode *first_time(const hnode *n, bool removed_too)
{
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT || (gone(k) && !removed_too) || k->tag == HT_HEAD)
            continue;
        if (k->tag == HT_TIME && hattr(k, HA_DATETIME))
            return k;
        const hnode *t = first_time(k, removed_too);
        if (t)
            return t;
    }
    return NULL;
}

static void time_date(builder *b, const hnode *content)
{
    /* in the content, else in a byline that went with the chrome */
    const hnode *t = first_time(content, false);
    if (!t)
        t = first_time(content, true);
    if (!t)
        return;
    /* the block the time element stands in */
    const hnode *block = t->parent;
    while (block && ht_class(block->tag) == HC_INLINE)
        block = block->parent;
    const char *line = block ? text_in_tmp(b, block, 200) : "";
    bool updated = !strncasecmp(line, "last updated", 12) ||
                   !strncasecmp(line, "updated", 7) || !strncasecmp(line, "last modified", 13);
    if (updated && b->inspection)
        return; /* the inspection transform reads "Last updated ..." */
    if ((updated && b->have_updated) || (!updated && b->have_published))
        return;
    char *found = NULL;
    dk_buf tb = DK_BUF_INIT;
    if (html_text_of(t, &tb, 200, false) < 0) {
        oom(b);
        return;
    }
    found = tb.data ? dk_buf_steal(&tb) : NULL;
    meta_date(b, updated ? "updated" : "published", found, hattr(t, HA_DATETIME));
    free(found);
}

/* ---- what the content calls for --------------------------------------------------------- */

typedef struct signals {
    bool salutation, closing, grades, inspection;
    int blocks;
} signals;

static void scan(builder *b, const hnode *n, signals *sg)
{
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT || gone(k))
            continue;
        int cls = ht_class(k->tag);
        if (cls == HC_SKIP || cls == HC_HEAD)
            continue;
        bool leaf = !(k->flags & HN_HAS_BLOCK) && (cls == HC_BLOCK || cls == HC_CONTAINER);
        if (!leaf) {
            scan(b, k, sg);
            continue;
        }
        const char *t = text_in_tmp(b, k, 4000);
        size_t len = strlen(t);
        sg->blocks++;
        if (!sg->salutation && dkr_letter_salutation(t, len) &&
            (sg->blocks < 40 || !strncmp(t, "Dear ", 5)))
            sg->salutation = true;
        else if (sg->salutation && !sg->closing && dkr_letter_closing(t, len))
            sg->closing = true;
        /* the closing may share its block with the signature */
        if (sg->salutation && !sg->closing) {
            size_t first = strcspn(t, "\n");
            (void)first;
        }
        if (dkr_grade_parse(t, len, NULL, NULL) != DKR_GRADE_NONE ||
            !strncasecmp(t, "Areas for improvement", 21) ||
            !strncasecmp(t, "Causes of concern", 17) ||
            !strncasecmp(t, "Cause of concern", 16))
            sg->grades = true;
        if (strstr(t, "PEEL") || strstr(t, "HMIC") ||
            strstr(t, "Inspectorate of Constabulary"))
            sg->inspection = true;
    }
}

int html_build(dk_ctx *ctx, hpage *page, const hbuild_opts *opts,
               dk_node **out, bool *letter, bool *inspection)
{
    builder b = {.ctx = ctx, .page = page, .opts = opts};
    b.offs.dec = opts->dec;
    *out = NULL;
    int r = -1;
    b.doc = dk_document_new(NULL);
    b.meta = b.doc ? dk_document_meta(b.doc) : NULL;
    dk_node *body = b.doc ? dk_document_body(b.doc) : NULL;
    if (!body) {
        oom(&b);
        goto cleanup;
    }
    const hnode *content = page->root;
    signals sg = {0};
    scan(&b, content, &sg);
    b.letter = sg.salutation && sg.closing;
    b.inspection = sg.grades || sg.inspection;
    meta(&b, content);
    if (b.failed)
        goto cleanup;
    flow f;
    sub_flow(&f, body, 2);
    blocks(&b, &f, content);
    close_para(&f);
    time_date(&b, content);
    if (b.failed)
        goto cleanup;
    *letter = b.letter;
    *inspection = b.inspection;
    *out = b.doc;
    b.doc = NULL;
    r = 0;
cleanup:
    dk_node_free(b.doc);
    if (b.base)
        xmlFree(b.base);
    dk_buf_free(&b.tmp);
    return r;
}
