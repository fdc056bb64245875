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

/* Split text into lines (LF, CRLF or CR), measuring indentation and
 * trimming white space. Blank lines get len 0. */
static line *split_lines(const char *text, size_t size, size_t *n_out)
{
    size_t cap = 64, n = 0;
    line *lines = malloc(cap * sizeof *lines);
    if (!lines)
        return NULL;
    size_t i = 0;
    while (i < size) {
        size_t start = i;
        while (i < size && text[i] != '\n' && text[i] != '\r')
            i++;
        size_t end = i;
        if (i < size && text[i] == '\r' && i + 1 < size && text[i + 1] == '\n')
            i++;
        if (i < size)
            i++;
        if (n == cap) {
            line *l = realloc(lines, (cap *= 2) * sizeof *lines);
            if (!l) {
                free(lines);
                return NULL;
            }
            lines = l;
        }
        line *ln = &lines[n++];
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
    *n_out = n;
    return lines;
}

/* ---- list markers ----------------------------------------------------------- */

typedef struct marker {
    bool ordered;
    long number;
    size_t len; /* bytes of marker and the space after it */
} marker;

static bool starts_with(const line *l, const char *p)
{
    size_t n = strlen(p);
    return l->len >= n && memcmp(l->s, p, n) == 0;
}

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

static bool list_marker(const line *l, marker *m)
{
    static const char *const bullets[] = {"\xE2\x80\xA2", /* • */
                                          "\xE2\x97\xA6", /* ◦ */
                                          "\xE2\x96\xAA", /* ▪ */
                                          "\xE2\x80\x93", /* – */
                                          "-", "*", NULL};
    memset(m, 0, sizeof *m);
    for (const char *const *b = bullets; *b; b++) {
        if (!starts_with(l, *b))
            continue;
        size_t bl = strlen(*b);
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
    unsigned char first = (unsigned char)s[0];
    if (first < 0x80 && !isupper(first) && !isdigit(first))
        return false;
    if (dkr_grade_parse(s, len, NULL, NULL) != DKR_GRADE_NONE ||
        dkr_is_boilerplate(s, len) || has_date(s, len))
        return false;
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
    if (last == '?' && end == len)
        return true;
    if (strchr(".,;:!?'\"", last) || len > 100)
        return false;
    return count_words(s, len) <= 12;
}

static bool heading_like(const line *l)
{
    return heading_text(l->s, l->len);
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
    /* a letter: its lines before the salutation and after the closing keep
     * their line breaks, for the letter transform to read */
    const line *base;
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

/* Opening and closing quotation marks around a whole paragraph. */
static bool quoted(const char *s, size_t len)
{
    static const char *const open[] = {"'", "\"", "\xE2\x80\x98", "\xE2\x80\x9C"};
    static const char *const close[] = {"'", "\"", "\xE2\x80\x99", "\xE2\x80\x9D"};
    while (len && (s[len - 1] == '.' || s[len - 1] == ' '))
        len--;
    for (int i = 0; i < 4; i++) {
        size_t ol = strlen(open[i]);
        for (int j = 0; j < 4; j++) {
            size_t cl = strlen(close[j]);
            if (len > ol + cl + 20 && !memcmp(s, open[i], ol) &&
                !memcmp(s + len - cl, close[j], cl) && (i < 2) == (j < 2))
                return true;
        }
    }
    return false;
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

/* Before a salutation: a block of short lines (an address), or a line of
 * its own that is not a sentence of prose (a run-together address, a date,
 * a subject). Prose and lists before a letter are read as usual. */
static bool letterhead_like(const line *lines, size_t n)
{
    marker m;
    if (list_marker(&lines[0], &m))
        return false;
    if (n == 1)
        return !(lines[0].len > 60 && lines[0].s[lines[0].len - 1] == '.');
    for (size_t i = 0; i < n; i++)
        if (lines[i].len > 60)
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

static int add_block(builder *b, const line *lines, size_t n, const line *next)
{
    marker m;
    size_t at = (size_t)(lines - b->base);
    if (b->letter && ((at < b->salutation && letterhead_like(lines, n)) ||
                      at > b->closing)) {
        /* a block set to the right (a sender's address) and one at the
         * margin (the recipient's) are two blocks, blank line or not */
        for (size_t k = 1; k < n; k++)
            if ((lines[k].indent >= 8) != (lines[k - 1].indent >= 8))
                return add_line_block(b, lines, k) < 0
                           ? -1
                           : add_block(b, lines + k, n - k, next);
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
            return add_block(b, lines, k, &lines[k]) < 0
                       ? -1
                       : add_block(b, lines + k, n - k, next);
    /* an indented block after a list item continues that item */
    if (b->depth > 0 && lines[0].indent > b->stack[0].indent) {
        while (b->depth > 1 && b->stack[b->depth - 1].indent >= lines[0].indent)
            b->depth--;
        dk_node *item = dk_node_last(b->stack[b->depth - 1].list);
        return add_paragraph(b, item, lines, n, 0) ? 0 : oom(b);
    }
    b->depth = 0;
    if (n == 1 && dkr_is_boilerplate(lines[0].s, lines[0].len)) {
        /* "Skip to content" above the title does not take its place, and
         * "Page 1 of 2" does not end the paragraph it interrupts */
        dk_node *open = b->last_p;
        dk_node *p = add_paragraph(b, b->container, lines, 1, 0);
        b->last_p = open;
        return p ? 0 : oom(b);
    }
    if (n == 1 && heading_like(&lines[0])) {
        if (b->want_title && !b->title_done) {
            b->title_done = true;
            dk_node *meta = dk_document_meta(b->doc);
            dk_node *t = meta ? dk_node_add(meta, DK_TITLE) : NULL;
            if (!t || dk_node_add_text(t, lines[0].s, lines[0].len) < 0)
                return oom(b);
            return 0;
        }
        return add_heading(b, &lines[0]);
    }
    b->title_done = true;
    dk_node *parent = b->container;
    if (join_lines(b, lines, n, 0) < 0)
        return oom(b);
    if (quoted(b->text.data, b->text.len)) {
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

static signals scan(const line *lines, size_t n)
{
    signals sg = {0};
    for (size_t i = 0; i < n; i++) {
        const line *l = &lines[i];
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
        if (dkr_grade_parse(l->s, l->len, NULL, NULL) != DKR_GRADE_NONE ||
            line_starts(l, "Areas for improvement") ||
            line_starts(l, "Causes of concern") || line_starts(l, "Cause of concern"))
            sg.grades = true;
        if (contains(l, "PEEL") || contains(l, "HMIC") ||
            contains(l, "Inspectorate of Constabulary"))
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
    return dkr_is_boilerplate(l->s, l->len) ||
           dkr_grade_parse(l->s, l->len, NULL, NULL) != DKR_GRADE_NONE ||
           (line_starts(l, "Last updated") && has_date(l->s, l->len));
}

int text_read(dk_ctx *ctx, const unsigned char *data, size_t size,
              dk_node **out)
{
    builder b = {.ctx = ctx};
    dk_buf text = DK_BUF_INIT;
    line *lines = NULL;
    int r = -1;
    *out = NULL;

    if (text_decode(ctx, data, size, &text, &b.skipped) < 0)
        goto cleanup;
    size_t n = 0;
    if (text.len > 0 && !(lines = split_lines(text.data, text.len, &n))) {
        oom(&b);
        goto cleanup;
    }
    signals sg = scan(lines, n);
    bool letter = sg.salutation && sg.closing;
    /* a letter's first line is its date or letterhead, not a title: the
     * letter transform takes the subject line */
    b.want_title = !letter;
    b.letter = letter;
    b.base = lines;
    b.salutation = sg.salutation_at;
    b.closing = sg.closing_at;
    b.doc = dk_document_new(NULL);
    if (!b.doc) {
        oom(&b);
        goto cleanup;
    }
    b.container = dk_document_body(b.doc);
    for (size_t i = 0; i < n;) {
        if (lines[i].len == 0) {
            i++;
            continue;
        }
        /* a block ends at a blank line; page furniture ("Hide Ad") stands
         * as a block of its own, for clean to remove */
        size_t j = i + 1;
        if (!stands_alone(&lines[i]) && !letter_mark(&b, i))
            while (j < n && lines[j].len > 0 && !stands_alone(&lines[j]) &&
                   !letter_mark(&b, j))
                j++;
        size_t k = j;
        while (k < n && lines[k].len == 0)
            k++;
        if (add_block(&b, lines + i, j - i, k < n ? &lines[k] : NULL) < 0)
            goto cleanup;
        i = j;
    }
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
    dk_buf_free(&text);
    free(lines);
    return r;
}
