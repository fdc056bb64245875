#define _GNU_SOURCE
/*
 * Rebuilding structure from plain text: the title line, headings,
 * paragraphs of hard-wrapped lines (rejoined across page breaks), quoted
 * paragraphs, and bullet or numbered lists nested by indentation, with
 * continuation paragraphs inside list items. The reader then asks for the
 * transforms the content calls for: clean always, letter when the text has
 * a salutation and a closing, inspection when it has grades, "Areas for
 * improvement" or the words of an inspection.
 */
#include "text.h"

#include "rules.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct line {
    const char *s; /* first non-space character */
    size_t len;    /* bytes from s to the end of the line, trailing spaces cut */
    size_t offset; /* of the line's start in the decoded text */
    int indent;    /* leading white space, in columns */
} line;

/* Length of a white-space character at s, or 0: ASCII blanks, no-break
 * space and the Unicode space characters web pages leave behind. */
static size_t space_len(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 1 && (u[0] == ' ' || u[0] == '\t' || u[0] == '\f' || u[0] == '\v'))
        return 1;
    if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (len >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
        ((u[2] >= 0x80 && u[2] <= 0x8B) || u[2] == 0xAF))
        return 3;
    if (len >= 3 && u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F)
        return 3;
    if (len >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)
        return 3;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return 3; /* a stray BOM / zero-width no-break space */
    return 0;
}

/* The line that starts at *pos (ended by LF, CRLF or CR), its indentation
 * measured and its white space trimmed (a blank line gets len 0); *pos
 * moves to the start of the next line. */
static void next_line(const char *text, size_t size, size_t *pos, line *ln)
{
    /* the line ends at the first CR or LF: an LF looked for first (two
     * memchr are quicker than a strcspn), then a CR before it */
    size_t start = *pos;
    const char *nl = memchr(text + start, '\n', size - start);
    size_t to = nl ? (size_t)(nl - text) : size;
    const char *cr = memchr(text + start, '\r', to - start);
    size_t end = cr ? (size_t)(cr - text) : to, i = end;
    if (i < size && text[i] == '\r' && i + 1 < size && text[i + 1] == '\n')
        i++;
    if (i < size)
        i++;
    *pos = i;
    size_t p = start, sl;
    int indent = 0;
    while (p < end && (sl = space_len(text + p, end - p))) {
        indent += text[p] == '\t' ? 4 : 1;
        p += sl;
    }
    size_t q = end;
    /* trim trailing white space (ASCII and the multi-byte ones) */
    for (;;) {
        if (q > p && (text[q - 1] == ' ' || text[q - 1] == '\t' ||
                      text[q - 1] == '\f' || text[q - 1] == '\v')) {
            q--;
        } else if (q >= p + 2 && space_len(text + q - 2, 2) == 2) {
            q -= 2;
        } else if (q >= p + 3 && space_len(text + q - 3, 3) == 3) {
            q -= 3;
        } else {
            break;
        }
    }
    ln->s = text + p;
    ln->len = q - p;
    ln->offset = start;
    ln->indent = indent;
}

/*
 * The lines of the text are read as the blocks need them, not all at
 * once: the window holds the lines from the current block's first to the
 * line after it (index base onwards), so that its size follows the
 * longest block, not the input.
 */
typedef struct window {
    const char *text;
    size_t size, pos; /* pos: where the next line to read starts */
    line *v;
    size_t n, cap;
    size_t base; /* the line number of v[0] */
} window;

/* Make the window hold at least count lines. Returns 1 if it does, 0 at
 * the end of the text, -1 if out of memory. Invalidates pointers into
 * the window. */
static int window_fill(window *w, size_t count)
{
    while (w->n < count) {
        if (w->pos >= w->size)
            return 0;
        if (w->n == w->cap) {
            size_t cap = w->cap ? 2 * w->cap : 64;
            line *v = realloc(w->v, cap * sizeof *v);
            if (!v)
                return -1;
            w->v = v;
            w->cap = cap;
        }
        next_line(w->text, w->size, &w->pos, &w->v[w->n++]);
    }
    return 1;
}

/* Forget the first count lines of the window. */
static void window_drop(window *w, size_t count)
{
    memmove(w->v, w->v + count, (w->n - count) * sizeof *w->v);
    w->n -= count;
    w->base += count;
}

/* ---- list markers ----------------------------------------------------------- */

typedef struct marker {
    bool ordered;
    long number;
    size_t len; /* bytes of marker and the space after it */
} marker;

static size_t skip_spaces(const char *s, size_t len)
{
    size_t i = 0, sl;
    while (i < len && (sl = space_len(s + i, len - i)))
        i += sl;
    return i;
}

/* "1." or "1)" followed by a space: returns the marker length. */
static size_t number_marker(const char *s, size_t len, long *number)
{
    size_t i = 0;
    while (i < len && i < 3 && isdigit((unsigned char)s[i]))
        i++;
    if (i == 0 || i >= len || (s[i] != '.' && s[i] != ')'))
        return 0;
    size_t sp = skip_spaces(s + i + 1, len - i - 1);
    if (sp == 0 || i + 1 + sp >= len)
        return 0;
    *number = strtol(s, NULL, 10);
    return i + 1 + sp;
}

/* A bullet character at s: "-", "*", "–", "•", "o" and "§" (what word
 * processors export for their second and third levels), a middle dot, and
 * any one character of the Unicode blocks bullets come from (geometric
 * shapes ▪ ● ◦, arrows ➢ ➤, dingbats ✓ ✔, the private-use glyphs of the
 * Symbol and Wingdings fonts). Returns its length, or 0. */
static size_t bullet_len(const char *s, size_t len)
{
    if (len && (s[0] == '-' || s[0] == '*' || s[0] == 'o'))
        return 1;
    uint32_t cp;
    size_t n = dk_utf8_decode(s, len, &cp);
    if (!n)
        return 0;
    bool bullet = cp == 0x2022 || cp == 0x2013 || cp == 0x2023 ||
                  cp == 0x2043 || cp == 0x2219 || cp == 0xB7 || cp == 0xA7 ||
                  (cp >= 0x2190 && cp <= 0x21FF) || /* arrows */
                  (cp >= 0x25A0 && cp <= 0x25FF) || /* geometric shapes */
                  (cp >= 0x2700 && cp <= 0x27BF) || /* dingbats */
                  (cp >= 0xF000 && cp <= 0xF0FF);   /* symbol fonts */
    return bullet ? n : 0;
}

static bool list_marker(const line *l, marker *m)
{
    memset(m, 0, sizeof *m);
    size_t bl = bullet_len(l->s, l->len);
    if (bl) {
        size_t sp = skip_spaces(l->s + bl, l->len - bl);
        if (sp == 0 || bl + sp >= l->len)
            return false;
        m->len = bl + sp;
        /* "- 1. text": a numbered item written behind a dash */
        size_t nl = number_marker(l->s + m->len, l->len - m->len, &m->number);
        if (nl) {
            m->ordered = true;
            m->len += nl;
        }
        return true;
    }
    size_t nl = number_marker(l->s, l->len, &m->number);
    if (!nl)
        return false;
    m->ordered = true;
    m->len = nl;
    return true;
}

/* ---- headings ----------------------------------------------------------------- */

static size_t count_words(const char *s, size_t len)
{
    size_t words = 0;
    bool in = false;
    for (size_t i = 0; i < len; i++) {
        bool sp = s[i] == ' ' || s[i] == '\t';
        if (!sp && !in)
            words++;
        in = !sp;
    }
    return words;
}

static bool has_date(const char *s, size_t len)
{
    dkr_date d;
    size_t a, e;
    return dkr_find_date(s, len, 0, &d, &a, &e);
}

/* A heading is a line of its own that is short and does not end like a
 * sentence, or a question. Grade lines, dated lines ("Last updated ...")
 * and page furniture are not headings. */
static bool heading_text(const char *s, size_t len)
{
    if (len == 0 || len > 150)
        return false;
    /* a heading starts with a capital or a digit (so does the part of it
     * before a grade, below) */
    unsigned char first = (unsigned char)s[0];
    if (first < 0x80 && !isupper(first) && !isdigit(first))
        return false;
    /* "How effective ...? Good", "Investigating crime: Requires
     * improvement": a heading with its grade (but "Our judgment: Good" is
     * a grade line) */
    size_t cut, ga, gb;
    if (dkr_grade_parse(s, len, NULL, NULL) != DKR_GRADE_NONE)
        return false;
    if (dkr_grade_after(s, len, &cut, &ga, &gb) != DKR_GRADE_NONE && heading_text(s, cut))
        return true;
    /* a closing quote ends a heading that quotes ("... 'requires
     * improvement'"), not one that ends a quoted sentence */
    size_t end = len;
    if (s[end - 1] == '\'' || s[end - 1] == '"')
        end--;
    else if (end >= 3 && (!memcmp(s + end - 3, "\xE2\x80\x99", 3) ||
                          !memcmp(s + end - 3, "\xE2\x80\x9D", 3)))
        end -= 3;
    if (end == 0)
        return false;
    char last = s[end - 1];
    bool shape = (last == '?' && end == len) ||
                 (!strchr(".,;:!?'\"", last) && len <= 100 && count_words(s, len) <= 12);
    /* the shape first: furniture and dates are rarer, and dearer to test */
    return shape && !dkr_is_boilerplate(s, len) && !has_date(s, len);
}

static bool heading_like(const line *l)
{
    return heading_text(l->s, l->len);
}

/* A document's title may be longer than a heading: a headline of up to
 * twenty words ("Westvale Police 'inadequate' at protecting vulnerable
 * people, say inspectors"), not ending like a sentence. */
static bool title_like(const line *l)
{
    if (heading_like(l))
        return true;
    if (l->len > 200 || count_words(l->s, l->len) > 20 ||
        dkr_grade_parse(l->s, l->len, NULL, NULL) != DKR_GRADE_NONE ||
        dkr_is_boilerplate(l->s, l->len) || has_date(l->s, l->len))
        return false;
    unsigned char first = (unsigned char)l->s[0];
    return (first >= 0x80 || isupper(first) || isdigit(first)) &&
           !strchr(".,;:", l->s[l->len - 1]);
}

/* ---- building ------------------------------------------------------------------- */

typedef struct level {
    dk_node *list;
    int indent;   /* of its markers */
    bool ordered;
} level;

typedef struct builder {
    dk_ctx *ctx;
    dk_node *doc;
    dk_node *container; /* body or the current section */
    level stack[DK_MAX_DEPTH / 4];
    int depth; /* open lists */
    size_t skipped;
    dk_buf text;
    dk_node *last_p;  /* the paragraph a page break may have cut */
    bool want_title;
    bool title_done;
    bool prose_seen; /* bylines stand above the first paragraph */
    /* a letter: its lines before the salutation and after the closing keep
     * their line breaks, for the letter transform to read (line numbers) */
    size_t salutation, closing;
    bool letter;
} builder;

static int oom(builder *b)
{
    return dk_ctx_fail(b->ctx, DK_E_NOMEM, "out of memory");
}

static void set_offset(builder *b, dk_node *n, const line *l)
{
    if (b->skipped != (size_t)-1)
        dk_node_set_attr_int(n, DK_ATTR_OFFSET,
                             (long long)(l->offset + b->skipped));
}

/* Join lines into one run of text with single spaces between them. */
static int join_lines(builder *b, const line *lines, size_t n, size_t first_skip)
{
    dk_buf_clear(&b->text);
    for (size_t i = 0; i < n; i++) {
        const char *s = lines[i].s + (i == 0 ? first_skip : 0);
        size_t len = lines[i].len - (i == 0 ? first_skip : 0);
        if (i > 0 && dk_buf_putc(&b->text, ' ') < 0)
            return -1;
        if (dk_buf_append(&b->text, s, len) < 0)
            return -1;
    }
    return 0;
}

static dk_node *add_paragraph(builder *b, dk_node *parent, const line *lines,
                              size_t n, size_t first_skip)
{
    if (join_lines(b, lines, n, first_skip) < 0)
        return NULL;
    dk_node *p = dk_node_new(DK_P);
    if (!p || dk_node_add_text(p, b->text.data, b->text.len) < 0 ||
        dk_node_append(parent, p) < 0) {
        dk_node_free(p);
        return NULL;
    }
    b->last_p = p;
    return p;
}

/* Does the paragraph end a sentence (or a quotation)? */
static bool ends_closed(const dk_node *p)
{
    const dk_node *t = dk_node_last(p);
    size_t len;
    const char *s = t ? dk_node_text(t, &len) : NULL;
    if (!s || len == 0)
        return true;
    char c = s[len - 1];
    if (strchr(".!?:;'\")]", c))
        return true;
    /* closing curly quotes and ellipsis */
    return len >= 3 && (!memcmp(s + len - 3, "\xE2\x80\x99", 3) ||
                        !memcmp(s + len - 3, "\xE2\x80\x9D", 3) ||
                        !memcmp(s + len - 3, "\xE2\x80\xA6", 3));
}

/* A block that starts in lower case after a paragraph left open is the
 * rest of that paragraph, cut by a page break. */
static bool continues_paragraph(const builder *b, const line *l)
{
    return b->last_p && l->len > 0 && islower((unsigned char)l->s[0]) &&
           !ends_closed(b->last_p);
}

static int append_to_last(builder *b, const line *lines, size_t n)
{
    if (join_lines(b, lines, n, 0) < 0 || dk_node_add_text(b->last_p, " ", 1) < 0 ||
        dk_node_add_text(b->last_p, b->text.data, b->text.len) < 0)
        return oom(b);
    return 0;
}

/* Add one list item starting at line l with marker m; following lines of
 * the same block without a marker continue it. */
static int add_item(builder *b, const line *lines, size_t n, const marker *m)
{
    const line *l = &lines[0];
    while (b->depth > 0 && b->stack[b->depth - 1].indent > l->indent)
        b->depth--;
    level *top = b->depth ? &b->stack[b->depth - 1] : NULL;
    if (top && top->indent == l->indent && top->ordered != m->ordered)
        b->depth--, top = b->depth ? &b->stack[b->depth - 1] : NULL;
    if (top && top->indent < l->indent &&
        b->depth == (int)(sizeof b->stack / sizeof b->stack[0]))
        top->indent = l->indent; /* deeper than lists may nest: stay level */
    if (!top || top->indent < l->indent) {
        dk_node *parent = top ? dk_node_last(top->list) : b->container;
        dk_node *list = dk_node_add(parent, DK_LIST);
        if (!list ||
            dk_node_set_attr(list, DK_ATTR_TYPE,
                             m->ordered ? "ordered" : "bullet") < 0 ||
            (m->ordered && m->number != 1 &&
             dk_node_set_attr_int(list, DK_ATTR_START, m->number) < 0))
            return oom(b);
        if (!top)
            set_offset(b, list, l);
        b->stack[b->depth++] = (level){list, l->indent, m->ordered};
        top = &b->stack[b->depth - 1];
    }
    dk_node *item = dk_node_add(top->list, DK_ITEM);
    if (!item || !add_paragraph(b, item, lines, n, m->len))
        return oom(b);
    return 0;
}

static int add_heading(builder *b, const line *l)
{
    dk_node *body = dk_document_body(b->doc);
    dk_node *section = dk_node_add(body, DK_SECTION);
    dk_node *h = section ? dk_node_add(section, DK_HEADING) : NULL;
    if (!h || dk_node_set_attr(h, DK_ATTR_LEVEL, "1") < 0 ||
        dk_node_add_text(h, l->s, l->len) < 0)
        return oom(b);
    set_offset(b, section, l);
    b->container = section;
    b->last_p = NULL;
    return 0;
}

/* A line that is only a number ("1" before a numbered question). */
static bool number_only(const line *l)
{
    if (l->len == 0 || l->len > 3)
        return false;
    for (size_t i = 0; i < l->len; i++)
        if (!isdigit((unsigned char)l->s[i]))
            return false;
    return true;
}

/* "1) Preventing crime" alone: a numbered heading, not a list. */
static bool numbered_heading(const line *lines, size_t n, const line *next)
{
    marker m, mn;
    if (n != 1 || !list_marker(&lines[0], &m) || !m.ordered ||
        lines[0].s[0] == '-' || lines[0].indent > 0)
        return false;
    if (next && list_marker(next, &mn) && mn.ordered)
        return false; /* the next item of a list */
    return heading_text(lines[0].s + m.len, lines[0].len - m.len);
}

/* Before a salutation: a block of short lines (an address; one of three
 * lines or more may be long, an organisation's name not ending with a full
 * stop, when a short line that is not the last follows it: in wrapped
 * prose only the last line is short), or a line of
 * its own that is not a sentence of prose (a run-together address, a date,
 * a subject). Prose and lists before a letter are read as usual. */
static bool letterhead_like(const line *lines, size_t n)
{
    marker m;
    if (list_marker(&lines[0], &m))
        return false;
    if (n == 1)
        return !(lines[0].len > 60 && lines[0].s[lines[0].len - 1] == '.');
    size_t long_lines = 0;
    bool short_after = false;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].len > 60) {
            if (lines[i].s[lines[i].len - 1] == '.')
                return false;
            long_lines++;
            /* the short line is not the last (wrapped prose ends so) */
            short_after = i + 2 < n && lines[i + 1].len < 40;
        }
    }
    return long_lines == 0 || (long_lines == 1 && n >= 3 && short_after);
}

/* Five or more lines of at most four words, none ending with a full
 * stop, comma, colon, question or exclamation mark (fewer make a cover
 * or a wrapped headline, which stand for the title). */
static bool menu_lines(const line *lines, size_t n)
{
    if (n < 5)
        return false;
    for (size_t i = 0; i < n; i++)
        if (count_words(lines[i].s, lines[i].len) > 4 ||
            strchr(".,;:?!", lines[i].s[lines[i].len - 1]))
            return false;
    return true;
}

/* The lines of a letterhead, an address or a signature, kept apart. */
static int add_line_block(builder *b, const line *lines, size_t n)
{
    dk_node *p = dk_node_new(DK_P);
    if (!p)
        return oom(b);
    for (size_t i = 0; i < n; i++)
        if ((i && !dk_node_add(p, DK_BR)) ||
            dk_node_add_text(p, lines[i].s, lines[i].len) < 0) {
            dk_node_free(p);
            return oom(b);
        }
    if (dk_node_append(b->container, p) < 0) {
        dk_node_free(p);
        return oom(b);
    }
    set_offset(b, p, &lines[0]);
    b->last_p = NULL;
    return 0;
}

/* meta/date[role] before meta's other children but after its title and
 * dates. Transfer none; NULL if out of memory. */
static dk_node *meta_date(builder *b, const char *role, const dkr_date *d,
                          const char *found, size_t len)
{
    dk_node *meta = dk_document_meta(b->doc);
    dk_node *ref = meta ? dk_node_first(meta) : NULL;
    while (ref && (dk_node_type(ref) == DK_TITLE || dk_node_type(ref) == DK_DATE))
        ref = dk_node_next(ref);
    char iso[11];
    dkr_date_iso(d, iso);
    dk_node *date = dk_node_new(DK_DATE);
    if (!meta || !date || dk_node_set_attr(date, DK_ATTR_ROLE, role) < 0 ||
        dk_node_set_attr(date, DK_ATTR_WHEN, iso) < 0 ||
        dk_node_add_text(date, found, len) < 0 ||
        dk_node_insert_before(meta, ref, date) < 0) {
        dk_node_free(date);
        return NULL;
    }
    return date;
}

static bool meta_has_date(builder *b, const char *role)
{
    dk_node *meta = dk_document_meta(b->doc);
    for (dk_node *c = meta ? dk_node_first(meta) : NULL; c; c = dk_node_next(c))
        if (dk_node_type(c) == DK_DATE && dk_node_attr(c, DK_ATTR_ROLE) &&
            !strcmp(dk_node_attr(c, DK_ATTR_ROLE), role))
            return true;
    return false;
}

/* A line of metadata: a dateline ("Published: 3 March 2019", "Last
 * updated 02/03/2017") becomes meta/date[role] with the text after its
 * label; a byline above the first paragraph ("By Jane Smith, Crime
 * Reporter") gives meta/author, the line itself going only when it is the
 * name alone. Returns 1 if the line was taken, 2 if it stays a paragraph
 * (a byline with more than the name), 0 if it is no such line, -1 if out
 * of memory. */
static int meta_line(builder *b, const line *l)
{
    dkr_date d;
    size_t at, ns, ne;
    const char *role = dkr_dateline(l->s, l->len, &d, &at);
    if (role && !meta_has_date(b, role))
        return meta_date(b, role, &d, l->s + at, l->len - at) ? 1 : oom(b);
    if (b->prose_seen || !dkr_byline(l->s, l->len, &ns, &ne))
        return 0;
    dk_node *meta = dk_document_meta(b->doc);
    dk_node *author = meta ? dk_node_add(meta, DK_AUTHOR) : NULL;
    if (!author || dk_node_add_text(author, l->s + ns, ne - ns) < 0)
        return oom(b);
    return ne == l->len ? 1 : 2;
}

/* Add the block of n lines whose first is line number at of the text;
 * next is the first line of the block after it, or NULL. */
static int add_block(builder *b, const line *lines, size_t n, size_t at,
                     const line *next)
{
    marker m;
    if (b->letter && ((at < b->salutation && letterhead_like(lines, n)) ||
                      at > b->closing)) {
        /* a block set to the right (a sender's address) and one at the
         * margin (the recipient's) are two blocks, blank line or not */
        for (size_t k = 1; k < n; k++)
            if ((lines[k].indent >= 8) != (lines[k - 1].indent >= 8))
                return add_line_block(b, lines, k) < 0
                           ? -1
                           : add_block(b, lines + k, n - k, at + k, next);
        return add_line_block(b, lines, n);
    }
    if (b->letter && (at == b->salutation || at == b->closing)) {
        dk_node *p = add_paragraph(b, b->container, lines, n, 0);
        b->last_p = NULL;
        return p ? 0 : oom(b);
    }
    if (continues_paragraph(b, &lines[0]))
        return append_to_last(b, lines, n);
    if (n == 1 && number_only(&lines[0]) && next && heading_like(next))
        return 0; /* the heading that follows says it all */
    if (numbered_heading(lines, n, next)) {
        b->depth = 0;
        b->title_done = true;
        return add_heading(b, &lines[0]);
    }
    /* list items, one per marker line */
    if (list_marker(&lines[0], &m)) {
        size_t i = 0;
        while (i < n) {
            marker mi;
            list_marker(&lines[i], &mi);
            size_t j = i + 1;
            while (j < n && !list_marker(&lines[j], &(marker){0}))
                j++;
            if (add_item(b, lines + i, j - i, &mi) < 0)
                return -1;
            i = j;
        }
        b->title_done = true;
        return 0;
    }
    /* a paragraph that runs straight into a list: split them */
    for (size_t k = 1; k < n; k++)
        if (list_marker(&lines[k], &m))
            return add_block(b, lines, k, at, &lines[k]) < 0
                       ? -1
                       : add_block(b, lines + k, n - k, at + k, next);
    /* an indented block after a list item continues that item */
    if (b->depth > 0 && lines[0].indent > b->stack[0].indent) {
        while (b->depth > 1 && b->stack[b->depth - 1].indent >= lines[0].indent)
            b->depth--;
        dk_node *item = dk_node_last(b->stack[b->depth - 1].list);
        return add_paragraph(b, item, lines, n, 0) ? 0 : oom(b);
    }
    b->depth = 0;
    /* above the title, a block of five or more lines of a few words
     * each, none ending like a sentence, is a menu of a saved web page:
     * its lines stay lines, and the title may still come */
    if (b->want_title && !b->title_done && menu_lines(lines, n))
        return add_line_block(b, lines, n);
    int taken = n == 1 ? meta_line(b, &lines[0]) : 0;
    if (taken < 0 || taken == 1)
        return taken < 0 ? -1 : 0;
    if (join_lines(b, lines, n, 0) < 0)
        return oom(b);
    if (dkr_is_boilerplate_block(b->text.data, b->text.len)) {
        /* "Skip to content" or a cookie banner above the title does not
         * take its place, and "Page 1 of 2" does not end the paragraph it
         * interrupts */
        dk_node *open = b->last_p;
        dk_node *p = add_paragraph(b, b->container, lines, n, 0);
        b->last_p = open;
        return p ? 0 : oom(b);
    }
    if (n == 1 && b->want_title && !b->title_done && title_like(&lines[0])) {
        b->title_done = true;
        dk_node *meta = dk_document_meta(b->doc);
        dk_node *t = dk_node_new(DK_TITLE);
        if (!meta || !t || dk_node_add_text(t, lines[0].s, lines[0].len) < 0 ||
            dk_node_insert_before(meta, dk_node_first(meta), t) < 0) {
            dk_node_free(t);
            return oom(b);
        }
        return 0;
    }
    if (n == 1 && !taken && heading_like(&lines[0]))
        return add_heading(b, &lines[0]);
    b->title_done = true;
    b->prose_seen = true;
    dk_node *parent = b->container;
    if (dkr_quoted(b->text.data, b->text.len)) {
        parent = dk_node_add(b->container, DK_QUOTE);
        if (!parent)
            return oom(b);
        set_offset(b, parent, &lines[0]);
    }
    dk_node *p = add_paragraph(b, parent, lines, n, 0);
    if (!p)
        return oom(b);
    if (parent == b->container)
        set_offset(b, p, &lines[0]);
    return 0;
}

/* ---- what the content calls for --------------------------------------------------- */

static bool line_starts(const line *l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l->len >= n && strncasecmp(l->s, prefix, n) == 0;
}

static bool contains(const line *l, const char *word)
{
    return l->len && memmem(l->s, l->len, word, strlen(word)) != NULL;
}

typedef struct signals {
    bool salutation, closing, grades, inspection;
    size_t salutation_at, closing_at; /* line numbers */
} signals;

static signals scan(const char *text, size_t size)
{
    signals sg = {0};
    line ln;
    for (size_t i = 0, pos = 0; pos < size; i++) {
        next_line(text, size, &pos, &ln);
        const line *l = &ln;
        if (!l->len)
            continue;
        if (!sg.salutation && dkr_letter_salutation(l->s, l->len) &&
            (i < 60 || line_starts(l, "Dear "))) {
            sg.salutation = true;
            sg.salutation_at = i;
        }
        if (!sg.closing && sg.salutation && dkr_letter_closing(l->s, l->len)) {
            sg.closing = true;
            sg.closing_at = i;
        }
        /* each signal is looked for until it is found */
        if (!sg.grades &&
            (dkr_grade_parse(l->s, l->len, NULL, NULL) != DKR_GRADE_NONE ||
             line_starts(l, "Areas for improvement") ||
             line_starts(l, "Causes of concern") ||
             line_starts(l, "Cause of concern")))
            sg.grades = true;
        if (!sg.inspection &&
            (contains(l, "PEEL") || contains(l, "HMIC") ||
             contains(l, "Inspectorate of Constabulary")))
            sg.inspection = true;
    }
    return sg;
}

/* In a letter, the salutation and the closing are blocks of their own,
 * blank lines or not. */
static bool letter_mark(const builder *b, size_t i)
{
    return b->letter && (i == b->salutation || i == b->closing);
}

/* Lines that are a block of their own even without blank lines around
 * them: page furniture, a grade, "Last updated ...". */
static bool stands_alone(const line *l)
{
    dkr_date d;
    size_t at;
    return dkr_is_boilerplate(l->s, l->len) ||
           dkr_dateline(l->s, l->len, &d, &at) ||
           dkr_grade_parse(l->s, l->len, NULL, NULL) != DKR_GRADE_NONE ||
           (line_starts(l, "Last updated") && has_date(l->s, l->len));
}

/* ---- quotations over several paragraphs ----------------------------------- */

/* All the text below n, as dk_node_text_content() gives it, without a
 * copy where n holds one text node (most paragraphs): *copy is then NULL,
 * else the text to free. NULL if out of memory. */
static const char *content_of(const dk_node *n, char **copy)
{
    const dk_node *t = dk_node_first(n);
    *copy = NULL;
    if (t && !dk_node_next(t) && dk_node_type(t) == DK_TEXT)
        return dk_node_text(t, NULL);
    return *copy = dk_node_text_content(n);
}

/* Double quotation marks in a paragraph: opened minus closed ("“" and
 * "”"; straight ones alternate), and whether it starts with one. */
static int quote_balance(const dk_node *p, bool *starts)
{
    char *copy;
    const char *t = content_of(p, &copy);
    int open = 0, straight = 0;
    *starts = false;
    if (!t)
        return 0;
    *starts = !strncmp(t, "\xE2\x80\x9C", 3) || t[0] == '"';
    /* “ and ” are E2 80 9C and E2 80 9D */
    for (const char *c = t; (c = strpbrk(c, "\xE2\"")) != NULL; c++) {
        if (*c == '"')
            straight++;
        else if (c[1] == '\x80' && c[2] == '\x9C')
            open++;
        else if (c[1] == '\x80' && c[2] == '\x9D')
            open--;
    }
    free(copy);
    return open + (straight % 2);
}

static bool furniture(const dk_node *p)
{
    char *copy;
    const char *t = content_of(p, &copy);
    bool f = t && dkr_is_boilerplate_block(t, strlen(t));
    free(copy);
    return f;
}

/* The paragraph a block stands for: itself, or the one paragraph of a
 * quote the reader made of it. */
static dk_node *para_of(dk_node *n)
{
    if (dk_node_type(n) == DK_P)
        return n;
    dk_node *f = dk_node_first(n);
    return dk_node_type(n) == DK_QUOTE && f && !dk_node_next(f) &&
                   dk_node_type(f) == DK_P
               ? f
               : NULL;
}

/*
 * A quotation that runs over several paragraphs is one quote: it opens in
 * a paragraph and is not closed there ("He said: “I have been ..."), the
 * paragraphs that go on with it open with a quotation mark (as printers
 * do), and the one that closes it ends the quote. The paragraphs move into
 * one quote element, the first with whatever precedes the quotation mark.
 */
static int group_quotes(builder *b, dk_node *container)
{
    for (dk_node *n = dk_node_first(container), *next; n; n = next) {
        next = dk_node_next(n);
        if (dk_node_type(n) == DK_SECTION) {
            if (group_quotes(b, n) < 0)
                return -1;
            continue;
        }
        bool starts;
        if (dk_node_type(n) != DK_P || quote_balance(n, &starts) <= 0)
            continue;
        dk_node *end = NULL;
        for (dk_node *m = next; m && !end; m = dk_node_next(m)) {
            dk_node *p = para_of(m);
            if (p && furniture(p))
                continue; /* "Hide Ad" between the paragraphs: clean's */
            int bal = p ? quote_balance(p, &starts) : -1;
            if (!p || !starts || bal < 0)
                break;
            if (bal == 0)
                end = m;
        }
        if (!end)
            continue;
        dk_node *q = dk_node_new(DK_QUOTE);
        if (!q || dk_node_insert_before(container, n, q) < 0) {
            dk_node_free(q);
            return oom(b);
        }
        const char *off = dk_node_attr(n, DK_ATTR_OFFSET);
        if (off && dk_node_set_attr(q, DK_ATTR_OFFSET, off) < 0)
            return oom(b);
        for (dk_node *m = n, *after; m; m = after) {
            after = m == end ? NULL : dk_node_next(m);
            dk_node *p = para_of(m);
            dk_node_detach(p);
            if (m != p) {
                dk_node_detach(m);
                dk_node_free(m);
            }
            dk_node_set_attr(p, DK_ATTR_OFFSET, NULL);
            if (dk_node_append(q, p) < 0) {
                dk_node_free(p);
                return oom(b);
            }
        }
        next = dk_node_next(q);
    }
    return 0;
}

int text_read(dk_ctx *ctx, const unsigned char *data, size_t size,
              dk_node **out)
{
    builder b = {.ctx = ctx};
    dk_buf decoded = DK_BUF_INIT;
    window w = {0};
    int r = -1, more;
    *out = NULL;

    if (text_decode(ctx, data, size, &decoded, &w.text, &w.size, &b.skipped) < 0)
        goto cleanup;
    /* the input is given back as its lines are read (below), or at once if
     * what is read is a transcoded copy */
    bool direct = (uintptr_t)w.text >= (uintptr_t)data &&
                  (uintptr_t)w.text <= (uintptr_t)(data + size);
    size_t given = 0; /* bytes of w.text given back */
    if (!direct)
        dk_ctx_input_done(ctx, data + size);
    signals sg = scan(w.text, w.size);
    bool letter = sg.salutation && sg.closing;
    /* a letter's first line is its date or letterhead, not a title: the
     * letter transform takes the subject line */
    b.want_title = !letter;
    b.letter = letter;
    b.salutation = sg.salutation_at;
    b.closing = sg.closing_at;
    b.doc = dk_document_new(NULL);
    if (!b.doc) {
        oom(&b);
        goto cleanup;
    }
    b.container = dk_document_body(b.doc);
    while ((more = window_fill(&w, 1)) > 0) {
        if (w.v[0].len == 0) {
            window_drop(&w, 1);
            continue;
        }
        /* a block ends at a blank line; page furniture ("Hide Ad") stands
         * as a block of its own, for clean to remove */
        size_t j = 1;
        if (!stands_alone(&w.v[0]) && !letter_mark(&b, w.base))
            while ((more = window_fill(&w, j + 1)) > 0 && w.v[j].len > 0 &&
                   !stands_alone(&w.v[j]) && !letter_mark(&b, w.base + j))
                j++;
        /* a cookie banner whose buttons stand alone ("Accept analytics
         * cookies") is read whole, so that clean sees the banner */
        if (more > 0 && j < w.n && w.v[j].len > 0 && !letter_mark(&b, w.base + j)) {
            size_t m = j;
            while ((more = window_fill(&w, m + 1)) > 0 && w.v[m].len > 0)
                m++;
            const char *from = w.v[0].s, *to = w.v[m - 1].s + w.v[m - 1].len;
            if (more >= 0 && dkr_is_boilerplate_block(from, (size_t)(to - from)))
                j = m;
            more = more < 0 ? more : window_fill(&w, j + 1);
        }
        size_t k = j;
        while (more >= 0 && (more = window_fill(&w, k + 1)) > 0 &&
               w.v[k].len == 0)
            k++;
        if (more < 0) {
            oom(&b);
            goto cleanup;
        }
        if (add_block(&b, w.v, j, w.base, more ? &w.v[k] : NULL) < 0)
            goto cleanup;
        window_drop(&w, j);
        /* the blocks are copied into the tree and only the window's lines
         * are looked at again: the input before them can go, a megabyte at
         * a time */
        size_t next = w.n ? w.v[0].offset : w.pos;
        if (direct && next - given >= 1 << 20) {
            given = next;
            dk_ctx_input_done(ctx, (const unsigned char *)w.text + next);
        }
    }
    if (more < 0) {
        oom(&b);
        goto cleanup;
    }
    if (group_quotes(&b, dk_document_body(b.doc)) < 0)
        goto cleanup;
    if (dk_ctx_request_transform(ctx, "clean") < 0 ||
        (letter && dk_ctx_request_transform(ctx, "letter") < 0) ||
        ((sg.grades || sg.inspection) &&
         dk_ctx_request_transform(ctx, "inspection") < 0)) {
        oom(&b);
        goto cleanup;
    }
    *out = b.doc;
    b.doc = NULL;
    r = 0;
cleanup:
    dk_node_free(b.doc);
    dk_buf_free(&b.text);
    dk_buf_free(&decoded);
    free(w.v);
    return r;
}
