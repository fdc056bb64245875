/*
 * Plain text output, for grep and diff: one line per paragraph (line breaks
 * kept), a blank line between blocks, "- " and "1. " list markers with
 * nested items indented, quotes indented by four spaces, table cells
 * separated by tabs. Link targets and emphasis are dropped, as in pandoc's
 * plain output.
 */
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct writer {
    dk_ctx *ctx;
    dk_sink *out;
    bool wrote;     /* anything written yet */
    bool tight;     /* no blank line before the next block */
    dk_buf scratch;
} writer;

static int blocks(writer *w, const dk_node *parent, const char *pfx1,
                  const char *pfx);

/* Write text line by line: the first line behind pfx1, the others behind
 * pfx. Starts a new block. */
static int lines(writer *w, const char *text, size_t len, const char *pfx1,
                 const char *pfx)
{
    if (w->wrote && !w->tight && dk_sink_write(w->out, "\n", 1) < 0)
        return -1;
    w->tight = false;
    w->wrote = true;
    const char *p = pfx1;
    size_t i = 0;
    for (;;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (dk_sink_puts(w->out, p) < 0 ||
            dk_sink_write(w->out, text + i, end - i) < 0 ||
            dk_sink_write(w->out, "\n", 1) < 0)
            return -1;
        if (!nl)
            return 0;
        p = pfx;
        i = end + 1;
    }
}

/* The text of an inline container as one string (br as newline). */
static int inline_text(writer *w, const dk_node *n, const char *pfx1,
                       const char *pfx)
{
    char *t = dk_node_text_content(n);
    if (!t)
        return dk_ctx_fail(w->ctx, DK_E_NOMEM, "out of memory");
    int r = t[0] ? lines(w, t, strlen(t), pfx1, pfx) : 0;
    free(t);
    return r;
}

/* "LABEL text" on one line, for cc and enclosures. */
static int labelled(writer *w, const char *label, const dk_node *n,
                    const char *pfx1, const char *pfx)
{
    char *t = dk_node_text_content(n);
    dk_buf_clear(&w->scratch);
    if (!t || dk_buf_puts(&w->scratch, label) < 0 ||
        dk_buf_puts(&w->scratch, t) < 0) {
        free(t);
        return dk_ctx_fail(w->ctx, DK_E_NOMEM, "out of memory");
    }
    free(t);
    return lines(w, w->scratch.data, w->scratch.len, pfx1, pfx);
}

/* Append the text of each child of n as a line of its own; an address
 * inside (a sender's, say) gives one line per address line. */
static int collect_lines(dk_buf *b, const dk_node *n)
{
    for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c)) {
        if (dk_node_type(c) == DK_ADDRESS) {
            if (collect_lines(b, c) < 0)
                return -1;
            continue;
        }
        char *s = dk_node_text_content(c);
        int r = !s || (b->len && dk_buf_putc(b, '\n') < 0) ||
                dk_buf_puts(b, s) < 0;
        free(s);
        if (r)
            return -1;
    }
    return 0;
}

/* Several short parts (a sender block, an address) as consecutive lines of
 * one block. */
static int part_lines(writer *w, const dk_node *n, const char *pfx1,
                      const char *pfx)
{
    dk_buf_clear(&w->scratch);
    if (collect_lines(&w->scratch, n) < 0)
        return dk_ctx_fail(w->ctx, DK_E_NOMEM, "out of memory");
    if (w->scratch.len == 0)
        return 0;
    return lines(w, w->scratch.data, w->scratch.len, pfx1, pfx);
}

static int list(writer *w, const dk_node *l, const char *pfx1, const char *pfx)
{
    bool ordered = dk_node_attr(l, DK_ATTR_TYPE) &&
                   strcmp(dk_node_attr(l, DK_ATTR_TYPE), "ordered") == 0;
    /* the start, then one more per item: counted apart from the start, so
     * that no start (up to the largest a long long holds) overflows */
    long long start = 1;
    unsigned long long index = 0;
    if (dk_node_attr(l, DK_ATTR_START))
        start = strtoll(dk_node_attr(l, DK_ATTR_START), NULL, 10);
    bool first = true;
    /* a list right after the paragraph of an item sits tight under it */
    if (dk_node_parent(l) && dk_node_type(dk_node_parent(l)) == DK_ITEM &&
        dk_node_prev(l))
        w->tight = true;
    for (const dk_node *item = dk_node_first(l); item;
         item = dk_node_next(item), index++) {
        char marker[32], first_pfx[512], rest_pfx[512];
        if (ordered && start >= 0)
            snprintf(marker, sizeof marker, "%llu. ", (unsigned long long)start + index);
        else if (ordered)
            snprintf(marker, sizeof marker, "%lld. ", start + (long long)index);
        else
            snprintf(marker, sizeof marker, "- ");
        snprintf(first_pfx, sizeof first_pfx, "%s%s", first ? pfx1 : pfx,
                 marker);
        snprintf(rest_pfx, sizeof rest_pfx, "%s%*s", pfx, (int)strlen(marker),
                 "");
        if (!first)
            w->tight = true;
        first = false;
        if (blocks(w, item, first_pfx, rest_pfx) < 0)
            return -1;
    }
    return 0;
}

static int table(writer *w, const dk_node *t, const char *pfx1, const char *pfx)
{
    dk_buf row = DK_BUF_INIT;
    int r = 0;
    for (const dk_node *tr = dk_node_first(t); tr && r == 0;
         tr = dk_node_next(tr)) {
        dk_buf_clear(&row);
        for (const dk_node *cell = dk_node_first(tr); cell;
             cell = dk_node_next(cell)) {
            char *s = dk_node_text_content(cell);
            if (!s) {
                r = -1;
                break;
            }
            for (char *c = s; *c; c++)
                if (*c == '\n' || *c == '\t')
                    *c = ' ';
            if ((row.len && dk_buf_putc(&row, '\t') < 0) ||
                dk_buf_puts(&row, s) < 0)
                r = -1;
            free(s);
        }
        if (r == 0 && row.len) {
            r = lines(w, row.data, row.len, tr == dk_node_first(t) ? pfx1 : pfx,
                      pfx);
            w->tight = true;
        }
    }
    w->tight = false;
    dk_buf_free(&row);
    return r;
}

/* Does the text of a equal b's, or end with it? */
static bool text_ends_with(const dk_node *a, const dk_node *b, bool whole)
{
    char *x = a ? dk_node_text_content(a) : NULL;
    char *y = b ? dk_node_text_content(b) : NULL;
    size_t xl = x ? strlen(x) : 0, yl = y ? strlen(y) : 0;
    bool r = x && y && yl && xl >= yl && (!whole || xl == yl) &&
             strcmp(x + xl - yl, y) == 0;
    free(x);
    free(y);
    return r;
}

/* Does a text of the tree under n hold the text of m? */
static bool says(const dk_node *n, const dk_node *m)
{
    const dk_node *t = dk_node_first(m);
    const char *want = t && !dk_node_next(t) ? dk_node_text(t, NULL) : NULL;
    if (!want || !*want || !n)
        return false;
    for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c)) {
        const char *text = dk_node_text(c, NULL);
        if (text ? strstr(text, want) != NULL : says(c, m))
            return true;
    }
    return false;
}

static int block(writer *w, const dk_node *n, const char *pfx1, const char *pfx)
{
    char deeper[512];
    switch (dk_node_type(n)) {
    case DK_SECTION:
    case DK_BODY:
    case DK_ITEM:
    case DK_CELL:
        return blocks(w, n, pfx1, pfx);
    case DK_QUOTE:
        snprintf(deeper, sizeof deeper, "%s    ", pfx);
        return blocks(w, n, deeper, deeper);
    case DK_LIST:
        return list(w, n, pfx1, pfx);
    case DK_TABLE:
        return table(w, n, pfx1, pfx);
    case DK_HR:
        return lines(w, "----------", 10, pfx1, pfx);
    case DK_PRE: {
        size_t len;
        const dk_node *t = dk_node_first(n);
        const char *s = t ? dk_node_text(t, &len) : NULL;
        return s ? lines(w, s, len, pfx1, pfx) : 0;
    }
    case DK_ADDRESS:
    case DK_SENDER:
    case DK_RECIPIENT:
    case DK_SIGNATURE:
        return part_lines(w, n, pfx1, pfx);
    case DK_LETTER:
        return blocks(w, n, pfx1, pfx);
    case DK_GRADE:
        /* "1) Preventing crime – Grade Good": said once is enough */
        if (dk_node_prev(n) && dk_node_type(dk_node_prev(n)) == DK_HEADING &&
            text_ends_with(dk_node_prev(n), n, false))
            return 0;
        return inline_text(w, n, pfx1, pfx);
    case DK_CC:
        return labelled(w, "cc: ", n, pfx1, pfx);
    case DK_ENCLOSURE:
        return labelled(w, "Enclosure: ", n, pfx1, pfx);
    default:
        /* heading, p, grade, date, subject, salutation, closing, ... */
        return inline_text(w, n, pfx1, pfx);
    }
}

static int blocks(writer *w, const dk_node *parent, const char *pfx1,
                  const char *pfx)
{
    const char *p = pfx1;
    for (const dk_node *c = dk_node_first(parent); c; c = dk_node_next(c)) {
        if (dk_node_type(c) == DK_TEXT)
            continue;
        if (block(w, c, p, pfx) < 0)
            return -1;
        p = pfx;
    }
    return 0;
}

int text_write(dk_ctx *ctx, const dk_node *doc, dk_sink *out)
{
    writer w = {.ctx = ctx, .out = out};
    int r = 0;
    const dk_node *meta = dk_node_child(doc, DK_META);
    const dk_node *title = dk_node_child(meta, DK_TITLE);
    const dk_node *letter = dk_node_child(dk_node_child(doc, DK_BODY), DK_LETTER);
    /* a letter shows its subject where it stands */
    if (title && !text_ends_with(dk_node_child(letter, DK_SUBJECT), title, true))
        r = inline_text(&w, title, "", "");
    /* then the authors and dates the body does not say (taken out of the
     * text, or from a page's meta data), as DOCX shows them */
    const dk_node *body_node = dk_node_child(doc, DK_BODY);
    for (const dk_node *c = meta ? dk_node_first(meta) : NULL; c && r == 0; c = dk_node_next(c))
        if (dk_node_type(c) == DK_AUTHOR && !says(body_node, c))
            r = inline_text(&w, c, "", "");
    for (const dk_node *c = meta ? dk_node_first(meta) : NULL; c && r == 0; c = dk_node_next(c)) {
        if (dk_node_type(c) != DK_DATE || says(body_node, c))
            continue;
        const char *role = dk_node_attr(c, DK_ATTR_ROLE);
        const char *label = !role                           ? ""
                            : strcmp(role, "updated") == 0   ? "Last updated "
                            : strcmp(role, "published") == 0 ? "Published "
                            : strcmp(role, "written") == 0   ? "Written "
                                                             : "";
        r = labelled(&w, label, c, "", "");
    }
    const dk_node *body = dk_node_child(doc, DK_BODY);
    if (r == 0 && body)
        r = blocks(&w, body, "", "");
    dk_buf_free(&w.scratch);
    return r < 0 ? -1 : 0;
}
