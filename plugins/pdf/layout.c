/*
 * From fragments to a document: the layout analysis of the pdf reader
 * (extract.c has put each page's lines in reading order and found its
 * tables).
 *
 *  1. Font statistics: the body size is the size most letters are set in;
 *     the body's line pitch is the usual distance between its lines.
 *  2. Page furniture: a fragment in the top or bottom eighth of a page is a
 *     running header or footer when the same text (digits aside) stands at
 *     the same height on another page; a page number ("7", "Page 7 of 9",
 *     "- 7 -", "vii") there is furniture on any page. Both are dropped.
 *  3. Lines: fragments on one baseline next to each other in reading
 *     order, not far apart, are one line; a table's cell lines make one
 *     table.
 *  4. Blocks: a line starts a new block after more space than the line
 *     pitch, at a change of font size or weight, at a list marker, at an
 *     indented first line, after a short line that ends a sentence, and
 *     where the text moves up (a new column) or to a new page - unless a
 *     paragraph left open (no closing punctuation, a hyphen, or a full
 *     line of justified text) goes on there. Lines set right or centred
 *     together keep their line breaks.
 *  5. Kinds: larger or bold short blocks are headings, levelled by size
 *     (among the first blocks of page 1, the largest, or a centred first
 *     block, is the title); marker lines are list items nested by indent;
 *     a block indented on both sides is a quote; in a letter the blocks
 *     before the salutation and after the closing keep their lines for the
 *     letter transform.
 *
 * Hyphenation at a line end is undone where the hyphen was the
 * typesetter's: the hyphen stays when the hyphenated form occurs elsewhere
 * in the document ("anti-social"); the halves are joined when the joined
 * form does ("inspec-" + "tion"); when neither, the hyphen stays only after
 * a prefix or first word that keeps one ("post", "non", "self", "well",
 * "long") before a word of four letters or more, as in "post-" +
 * "inspection"; otherwise the halves are joined. A soft hyphen is always
 * the typesetter's.
 */
#define _GNU_SOURCE
#include "pdfp.h"

#include "rules.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- small helpers --------------------------------------------------------- */

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

/* Vertical overlap of two boxes as a share of the smaller height. */
static float voverlap(float a0, float a1, float b0, float b1)
{
    float o = fminf(a1, b1) - fmaxf(a0, b0);
    float h = fminf(a1 - a0, b1 - b0);
    return h > 0 ? o / h : 0;
}

static uint32_t first_cp(const char *s, size_t len)
{
    uint32_t cp = 0;
    if (len && !dk_utf8_decode(s, len, &cp))
        cp = 0;
    return cp;
}

static bool is_lower_start(const char *s, size_t len)
{
    uint32_t cp = first_cp(s, len);
    return (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF && cp != 0xF7);
}

static bool is_upper_start(const char *s, size_t len)
{
    uint32_t cp = first_cp(s, len);
    return (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7);
}

/* Does the text end a sentence (or a quotation)? */
static bool ends_closed(const char *s, size_t len)
{
    while (len && s[len - 1] == ' ')
        len--;
    if (!len)
        return true;
    if (strchr(".!?:;'\")]", s[len - 1]))
        return true;
    return len >= 3 && (!memcmp(s + len - 3, "\xE2\x80\x99", 3) ||
                        !memcmp(s + len - 3, "\xE2\x80\x9D", 3) ||
                        !memcmp(s + len - 3, "\xE2\x80\xA6", 3));
}

/* ---- list markers ------------------------------------------------------------ */

typedef struct marker {
    bool ordered;
    long number;
    size_t len; /* bytes of the marker and the space after it */
} marker;

/* A marker at the start of s followed by a space and text: bullets
 * (including the private-use bullets of symbol fonts), "1.", "1)", "(a)",
 * "a.", "iv)". */
static bool list_marker(const char *s, size_t len, marker *m)
{
    static const char *const bullets[] = {
        "\xE2\x80\xA2", /* • */ "\xE2\x97\xA6", /* ◦ */ "\xE2\x96\xAA", /* ▪ */
        "\xE2\x96\xA0", /* ■ */ "\xE2\x97\x8F", /* ● */ "\xE2\x80\xA3", /* ‣ */
        "\xE2\x81\x83", /* ⁃ */ "\xE2\x80\x93", /* – */ "\xC2\xB7",     /* · */
        "\xEF\x82\xB7", /* U+F0B7 */ "\xEF\x82\xA7", /* U+F0A7 */
        "\xEF\x81\xB6", /* U+F076 */ "\xEF\x83\x98", /* U+F0D8 */
        "\xEF\x82\xA8", /* U+F0A8 */ "-", "*", NULL};
    memset(m, 0, sizeof *m);
    for (const char *const *b = bullets; *b; b++) {
        size_t bl = strlen(*b);
        if (len > bl + 1 && !memcmp(s, *b, bl) && s[bl] == ' ') {
            m->len = bl + 1;
            return true;
        }
    }
    size_t i = 0;
    bool paren = len > 0 && s[0] == '(';
    i += paren;
    size_t d = i;
    while (i < len && i - d < 3 && isdigit((unsigned char)s[i]))
        i++;
    bool digits = i > d;
    if (!digits) {
        /* one letter, or a short roman numeral */
        while (i < len && i - d < 4 && strchr("ivx", s[i]))
            i++;
        if (i == d && i < len && islower((unsigned char)s[i]))
            i++;
        if (i == d)
            return false;
    }
    if (i + 1 >= len || !(s[i] == '.' || s[i] == ')') || (paren && s[i] != ')') ||
        s[i + 1] != ' ')
        return false;
    m->ordered = true;
    m->number = digits ? strtol(s + d, NULL, 10) : 1;
    if (!digits && i - d == 1 && s[d] != 'i')
        m->number = s[d] - 'a' + 1;
    m->len = i + 2;
    return true;
}

/* ---- word statistics for hyphenation ------------------------------------------ */

typedef struct wordtab {
    char **keys;
    uint32_t *counts;
    size_t cap, n;
} wordtab;

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int wt_add(wordtab *t, const char *s, size_t len)
{
    if (len == 0 || len > 64)
        return 0;
    if (t->n * 2 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        char **keys = calloc(cap, sizeof *keys);
        uint32_t *counts = calloc(cap, sizeof *counts);
        if (!keys || !counts) {
            free(keys);
            free(counts);
            return -1;
        }
        for (size_t i = 0; i < t->cap; i++)
            if (t->keys[i]) {
                size_t j = hash(t->keys[i], strlen(t->keys[i])) & (cap - 1);
                while (keys[j])
                    j = (j + 1) & (cap - 1);
                keys[j] = t->keys[i];
                counts[j] = t->counts[i];
            }
        free(t->keys);
        free(t->counts);
        t->keys = keys;
        t->counts = counts;
        t->cap = cap;
    }
    size_t j = hash(s, len) & (t->cap - 1);
    while (t->keys[j]) {
        if (strlen(t->keys[j]) == len && !memcmp(t->keys[j], s, len)) {
            t->counts[j]++;
            return 0;
        }
        j = (j + 1) & (t->cap - 1);
    }
    if (!(t->keys[j] = strndup(s, len)))
        return -1;
    t->counts[j] = 1;
    t->n++;
    return 0;
}

static uint32_t wt_count(const wordtab *t, const char *s, size_t len)
{
    if (!t->cap)
        return 0;
    size_t j = hash(s, len) & (t->cap - 1);
    while (t->keys[j]) {
        if (strlen(t->keys[j]) == len && !memcmp(t->keys[j], s, len))
            return t->counts[j];
        j = (j + 1) & (t->cap - 1);
    }
    return 0;
}

static void wt_free(wordtab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->counts);
}

/* The word (ASCII letters lowercased, other bytes as they are) in
 * s[0..len) without surrounding punctuation, into out (at most 64 bytes).
 * Returns its length, 0 if none. */
static size_t word_key(const char *s, size_t len, char *out)
{
    size_t a = 0, b = len;
    while (a < b && ispunct((unsigned char)s[a]))
        a++;
    while (b > a && ispunct((unsigned char)s[b - 1]))
        b--;
    if (b - a > 64 || a == b)
        return 0;
    for (size_t i = a; i < b; i++)
        out[i - a] = (char)tolower((unsigned char)s[i]);
    return b - a;
}

/* ---- lines ------------------------------------------------------------------------- */

typedef struct line {
    uint32_t first, n; /* fragment indices in the layout's order array */
    uint32_t page;
    float x0, y0, x1, y1;
    float size;
    uint8_t flags;
    int32_t table; /* index of the table anchored here, or -1 */
} line;

/* A table: its cell lines are fragments first..first+n-1, in reading
 * order, each marked with its row and column. */
typedef struct table {
    uint32_t first, n;
    uint32_t nrows, ncols;
    bool header;
    uint32_t page;
} table;

typedef struct layout {
    dk_ctx *ctx;
    pdf_doc *d;
    float body, pitch;
    uint32_t *order; /* fragment indices of lines, line after line */
    size_t norder, caporder;
    line *lines;
    size_t nlines, caplines;
    table *tables;
    size_t ntables, captables;
    wordtab words;
    dk_buf tmp;
    /* the letter */
    bool letter;
    size_t salutation, closing; /* line indices */
} layout;

static int oom(layout *L)
{
    return dk_ctx_fail(L->ctx, DK_E_NOMEM, "out of memory");
}

/* The text of a line, fragments joined by spaces, into L->tmp. */
static int line_text(layout *L, const line *l)
{
    dk_buf_clear(&L->tmp);
    for (uint32_t i = 0; i < l->n; i++) {
        const pdf_frag *f = &L->d->frags[L->order[l->first + i]];
        if ((i && dk_buf_putc(&L->tmp, ' ') < 0) ||
            dk_buf_append(&L->tmp, pdf_frag_text(L->d, f), f->len) < 0)
            return -1;
    }
    if (!L->tmp.data && dk_buf_putc(&L->tmp, '\0') < 0)
        return -1;
    L->tmp.data[L->tmp.len] = '\0';
    return 0;
}

/* ---- 1. font statistics ----------------------------------------------------------- */

static void font_stats(layout *L)
{
    /* sizes rounded to a quarter point, weighted by letters */
    float sizes[64];
    double weights[64];
    int n = 0;
    for (size_t i = 0; i < L->d->nfrags; i++) {
        const pdf_frag *f = &L->d->frags[i];
        float s = roundf(f->size * 4) / 4;
        int k = 0;
        while (k < n && sizes[k] != s)
            k++;
        if (k == n) {
            if (n == 64)
                continue;
            sizes[n] = s;
            weights[n++] = 0;
        }
        weights[k] += f->chars;
    }
    L->body = 10;
    double best = -1;
    for (int k = 0; k < n; k++)
        if (weights[k] > best) {
            best = weights[k];
            L->body = sizes[k];
        }
    if (L->body < 1)
        L->body = 10;
}

/* The body's usual pitch: the median distance between the tops of
 * consecutive body lines. */
static void pitch_stats(layout *L)
{
    size_t hist[64] = {0}, total = 0; /* tenths of the body size, 0.8 to 7.1 */
    for (size_t i = 1; i < L->nlines; i++) {
        const line *a = &L->lines[i - 1], *b = &L->lines[i];
        if (a->page != b->page || fabsf(a->size - L->body) > 0.3f ||
            fabsf(b->size - L->body) > 0.3f || a->table >= 0 || b->table >= 0)
            continue;
        float dy = (b->y0 - a->y0) / L->body;
        int k = (int)lroundf(dy * 10) - 8;
        if (k >= 0 && k < 64) {
            hist[k]++;
            total++;
        }
    }
    L->pitch = L->body * 1.2f;
    size_t seen = 0;
    for (int k = 0; k < 64 && total; k++) {
        seen += hist[k];
        if (seen * 2 >= total) {
            L->pitch = L->body * (k + 8) / 10.0f;
            break;
        }
    }
}

/* ---- 2. page furniture -------------------------------------------------------------- */

/* "7", "- 7 -", "Page 7", "Page 7 of 9", "7 of 9", "p. 7", "vii". */
static bool page_number(const char *s, size_t len)
{
    char buf[64];
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof buf - 1; i++)
        if (s[i] != ' ' && s[i] != '-' && s[i] != '|' && s[i] != '.')
            buf[n++] = (char)tolower((unsigned char)s[i]);
    buf[n] = '\0';
    if (n == 0 || n > 20)
        return false;
    const char *p = buf;
    if (!strncmp(p, "page", 4))
        p += 4;
    else if (*p == 'p' && isdigit((unsigned char)p[1]))
        p++;
    if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p))
            p++;
        if (!strncmp(p, "of", 2)) {
            p += 2;
            if (!isdigit((unsigned char)*p))
                return false;
            while (isdigit((unsigned char)*p))
                p++;
        }
        return *p == '\0';
    }
    if (p != buf)
        return false;
    return strspn(p, "ivxlc") == strlen(p) && strlen(p) <= 6;
}

typedef struct cand {
    uint64_t key;
    uint32_t frag, page;
    float y;
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->y < y->y ? -1 : x->y > y->y;
}

static int furniture(layout *L)
{
    pdf_doc *d = L->d;
    cand *c = NULL;
    size_t nc = 0, cap = 0;
    for (size_t p = 0; p < d->npages; p++) {
        const pdf_page *pg = &d->pages[p];
        for (uint32_t i = pg->first; i < pg->first + pg->n; i++) {
            pdf_frag *f = &d->frags[i];
            bool top = f->y1 < pg->height * 0.125f, bottom = f->y0 > pg->height * 0.875f;
            if (!top && !bottom)
                continue;
            const char *s = pdf_frag_text(d, f);
            if (page_number(s, f->len)) {
                f->flags |= PDF_FURNITURE;
                continue;
            }
            /* the text with digits as '#' and letters lowercased */
            uint64_t h = 1469598103934665603ull ^ (uint64_t)(top ? 1 : 2);
            for (size_t k = 0; k < f->len; k++) {
                unsigned char ch = (unsigned char)s[k];
                if (isdigit(ch))
                    ch = '#';
                else if (ch == ' ')
                    continue;
                h = (h ^ (unsigned char)tolower(ch)) * 1099511628211ull;
            }
            if (grow((void **)&c, &cap, nc, sizeof *c) < 0) {
                free(c);
                return -1;
            }
            c[nc++] = (cand){h, i, pg->number, f->y0};
        }
    }
    if (nc)
        qsort(c, nc, sizeof *c, cmp_cand);
    for (size_t i = 0; i < nc;) {
        size_t j = i + 1;
        while (j < nc && c[j].key == c[i].key && c[j].y - c[j - 1].y < 4)
            j++;
        /* the same text at the same height on two pages or more */
        size_t pages = 0;
        for (size_t k = i; k < j; k++)
            pages += k == i || c[k].page != c[k - 1].page;
        if (pages >= 2)
            for (size_t k = i; k < j; k++)
                d->frags[c[k].frag].flags |= PDF_FURNITURE;
        i = j;
    }
    free(c);
    return 0;
}

/* ---- 4. lines ---------------------------------------------------------------------------- */

static int push_line(layout *L, uint32_t first, uint32_t n, int32_t tab)
{
    if (grow((void **)&L->lines, &L->caplines, L->nlines, sizeof *L->lines) < 0)
        return -1;
    line *l = &L->lines[L->nlines++];
    memset(l, 0, sizeof *l);
    l->first = first;
    l->n = n;
    l->table = tab;
    if (tab >= 0) {
        l->page = L->tables[tab].page;
        return 0;
    }
    uint32_t chars = 0, bold = 0, italic = 0, best = 0;
    for (uint32_t i = 0; i < n; i++) {
        const pdf_frag *f = &L->d->frags[L->order[first + i]];
        if (i == 0) {
            l->x0 = f->x0, l->y0 = f->y0, l->x1 = f->x1, l->y1 = f->y1;
            l->page = f->page;
        }
        l->x0 = fminf(l->x0, f->x0);
        l->y0 = fminf(l->y0, f->y0);
        l->x1 = fmaxf(l->x1, f->x1);
        l->y1 = fmaxf(l->y1, f->y1);
        if (f->chars >= best) {
            best = f->chars;
            l->size = f->size;
        }
        chars += f->chars;
        bold += (f->flags & PDF_BOLD) ? f->chars : 0;
        italic += (f->flags & PDF_ITALIC) ? f->chars : 0;
    }
    if (chars && bold * 10 >= chars * 9)
        l->flags |= PDF_BOLD;
    if (chars && italic * 10 >= chars * 9)
        l->flags |= PDF_ITALIC;
    return 0;
}

/* A table from its cell fragments [first, first + n). */
static int push_table(layout *L, uint32_t first, uint32_t n)
{
    const pdf_doc *d = L->d;
    if (grow((void **)&L->tables, &L->captables, L->ntables, sizeof *L->tables) < 0)
        return -1;
    table *t = &L->tables[L->ntables];
    memset(t, 0, sizeof *t);
    t->first = first;
    t->n = n;
    t->page = d->frags[first].page;
    bool head_bold = true, body_bold = false;
    for (uint32_t i = first; i < first + n; i++) {
        const pdf_frag *f = &d->frags[i];
        if (f->row + 1u > t->nrows)
            t->nrows = f->row + 1u;
        if (f->col + 1u > t->ncols)
            t->ncols = f->col + 1u;
        if (f->row == 0)
            head_bold &= (f->flags & PDF_BOLD) != 0;
        else
            body_bold |= (f->flags & PDF_BOLD) != 0;
    }
    t->header = head_bold && !body_bold && t->nrows > 1;
    return push_line(L, 0, 0, (int32_t)L->ntables++);
}

static int build_lines(layout *L)
{
    pdf_doc *d = L->d;
    for (size_t i = 0; i < d->nfrags;) {
        pdf_frag *f = &d->frags[i];
        if (f->flags & PDF_FURNITURE) {
            i++;
            continue;
        }
        if (f->table) {
            size_t j = i + 1;
            while (j < d->nfrags && d->frags[j].table == f->table)
                j++;
            if (push_table(L, (uint32_t)i, (uint32_t)(j - i)) < 0)
                return -1;
            i = j;
            continue;
        }
        if (grow((void **)&L->order, &L->caporder, L->norder, sizeof *L->order) < 0)
            return -1;
        uint32_t first = (uint32_t)L->norder;
        L->order[L->norder++] = (uint32_t)i;
        size_t j = i + 1;
        const pdf_frag *last = f;
        /* the next fragments on the same baseline, to the right, not far */
        while (j < d->nfrags) {
            const pdf_frag *g = &d->frags[j];
            if ((g->flags & PDF_FURNITURE) || g->table || g->page != f->page ||
                voverlap(last->y0, last->y1, g->y0, g->y1) < 0.6f ||
                g->x0 < last->x1 - 1 || g->x0 - last->x1 > 4 * fmaxf(last->size, g->size))
                break;
            if (grow((void **)&L->order, &L->caporder, L->norder, sizeof *L->order) < 0)
                return -1;
            L->order[L->norder++] = (uint32_t)j;
            last = g;
            j++;
        }
        if (push_line(L, first, (uint32_t)(j - i), -1) < 0)
            return -1;
        i = j;
    }
    return 0;
}

/* ---- the letter ---------------------------------------------------------------------------- */

static int find_letter(layout *L)
{
    bool sal = false;
    for (size_t i = 0; i < L->nlines; i++) {
        const line *l = &L->lines[i];
        if (l->table >= 0)
            continue;
        if (line_text(L, l) < 0)
            return -1;
        const char *s = L->tmp.data;
        size_t len = L->tmp.len;
        if (!sal && dkr_letter_salutation(s, len) &&
            (i < 60 || !strncmp(s, "Dear ", 5))) {
            sal = true;
            L->salutation = i;
        } else if (sal && dkr_letter_closing(s, len)) {
            L->letter = true;
            L->closing = i;
            return 0;
        }
    }
    return 0;
}

/* ---- hyphenation --------------------------------------------------------------------------- */

/* Prefixes and first words that keep their hyphen: "anti-social",
 * "post-inspection", "well-managed", "long-term". Prefixes that usually
 * close up ("under", "over", "re", "pre", "in") are not here. */
static const char *const prefixes[] = {
    "all", "anti", "cross", "ex", "full", "half", "high", "ill", "long", "low",
    "mid", "multi", "non", "part", "post", "pseudo", "quasi", "self", "semi",
    "short", "ultra", "well", "wide", NULL};

/* The length of the trailing hyphen of s (an ASCII hyphen, U+2010 or a
 * soft hyphen) after a letter, or 0. *soft is set for a soft hyphen. */
static size_t trailing_hyphen(const char *s, size_t len, bool *soft)
{
    *soft = false;
    size_t h = 0;
    if (len >= 2 && s[len - 1] == '-')
        h = 1;
    else if (len >= 3 && !memcmp(s + len - 3, "\xE2\x80\x90", 3))
        h = 3;
    else if (len >= 3 && !memcmp(s + len - 2, "\xC2\xAD", 2))
        h = 2, *soft = true;
    if (!h || len <= h)
        return 0;
    unsigned char c = (unsigned char)s[len - h - 1];
    return isalpha(c) || c >= 0x80 ? h : 0;
}

/* Count the words of the document, for the hyphenation rule. The word
 * after a line-end hyphen is not counted: it is half a word. */
static int count_doc_words(layout *L)
{
    bool after_hyphen = false;
    for (size_t i = 0; i < L->nlines; i++) {
        const line *l = &L->lines[i];
        if (l->table >= 0)
            continue;
        if (line_text(L, l) < 0)
            return -1;
        const char *s = L->tmp.data;
        size_t len = L->tmp.len, k = 0;
        bool first = true;
        while (k < len) {
            size_t e = k;
            while (e < len && s[e] != ' ')
                e++;
            bool soft;
            size_t h = trailing_hyphen(s + k, e - k, &soft);
            char key[64];
            size_t kl = word_key(s + k, e - k, key);
            bool last = e >= len;
            if (kl && !(first && after_hyphen) && !(last && h)) {
                if (wt_add(&L->words, key, kl) < 0)
                    return -1;
                /* "anti-social" also counts as "antisocial"'s hyphenated form */
            }
            first = false;
            if (last)
                after_hyphen = h != 0;
            k = e + 1;
        }
        if (len == 0)
            after_hyphen = false;
    }
    return 0;
}

/* Keep the hyphen between a (the letters before a line-end hyphen) and b
 * (the first word of the next line)? */
static bool keep_hyphen(layout *L, const char *a, size_t alen, const char *b, size_t blen)
{
    char ka[64], kb[64], joined[130];
    size_t la = word_key(a, alen, ka), lb = word_key(b, blen, kb);
    if (!la || !lb)
        return true;
    /* the word before the hyphen: from the last hyphen inside it */
    const char *dash = memrchr(ka, '-', la);
    const char *pa = dash ? dash + 1 : ka;
    size_t pla = la - (size_t)(pa - ka);
    memcpy(joined, ka, la);
    joined[la] = '-';
    memcpy(joined + la + 1, kb, lb);
    if (wt_count(&L->words, joined, la + 1 + lb))
        return true; /* "anti-social" elsewhere */
    memcpy(joined + la, kb, lb);
    if (wt_count(&L->words, joined, la + lb))
        return false; /* "inspection" elsewhere */
    /* "post" + "inspection", "well" + "managed", "long" + "term" */
    if (lb < 4)
        return false;
    for (const char *const *p = prefixes; *p; p++)
        if (strlen(*p) == pla && !memcmp(*p, pa, pla))
            return true;
    return false;
}

/* ---- 5. and 6. blocks ----------------------------------------------------------------------- */

typedef enum bkind {
    B_PARA,
    B_HEADING,
    B_ITEM,
    B_QUOTE,
    B_LINES, /* keeps its line breaks */
    B_TABLE,
} bkind;

typedef struct block {
    size_t first, n; /* lines */
    size_t seg;      /* the first line since it went on in another column */
    float sx0, sx1;  /* the extent of its lines since then */
    bkind kind;
    marker m;
    float x0, x1, size;
    uint32_t page;
    bool bold;
} block;

typedef struct builder {
    layout *L;
    dk_node *doc, *body;
    /* open sections: level and node */
    struct {
        int level;
        dk_node *section;
    } sec[16];
    int nsec;
    /* open lists */
    struct {
        dk_node *list;
        float x;
        bool ordered;
    } lst[16];
    int nlst;
    float heading_sizes[8];
    int nheading_sizes;
    bool title_done;
    dk_node *last_p; /* the paragraph a quote or an item's paragraph follows */
    float last_p_x0, last_p_x1;
} builder;

static dk_node *container(builder *b)
{
    return b->nsec ? b->sec[b->nsec - 1].section : b->body;
}

static int set_page(dk_node *n, uint32_t page)
{
    return dk_node_set_attr_int(n, DK_ATTR_PAGE, page);
}

/* Add the text of lines [first, first+n) to parent as inlines. Lines are
 * joined with a space, with line breaks (br) when breaks is set, or
 * across a line-end hyphen as the hyphenation rule says. Spans in bold or
 * italic that are not the whole block's style become strong and em. */
static int add_inlines(builder *b, dk_node *parent, size_t first, size_t n, size_t skip,
                       bool breaks, bool emphasis)
{
    layout *L = b->L;
    const pdf_doc *d = L->d;
    dk_buf text = DK_BUF_INIT;
    typedef struct run {
        size_t end;
        uint8_t flags;
    } run;
    run *runs = NULL;
    size_t nruns = 0, caprun = 0;
    size_t *brs = NULL, nbrs = 0, capbrs = 0;
    uint8_t common = PDF_BOLD | PDF_ITALIC;
    int r = -1;
    for (size_t li = first; li < first + n; li++) {
        const line *l = &L->lines[li];
        if (li > first) {
            bool soft;
            size_t h = trailing_hyphen(text.data, text.len, &soft);
            const pdf_frag *f0 = &d->frags[L->order[l->first]];
            const char *ns = pdf_frag_text(d, f0);
            size_t nlen = strcspn(ns, " ");
            if (breaks) {
                if (grow((void **)&brs, &capbrs, nbrs, sizeof *brs) < 0)
                    goto cleanup;
                brs[nbrs++] = text.len;
            } else if (h && is_lower_start(ns, f0->len)) {
                size_t ws = text.len - h;
                while (ws > 0 && text.data[ws - 1] != ' ')
                    ws--;
                if (soft || !keep_hyphen(L, text.data + ws, text.len - h - ws, ns, nlen))
                    text.len -= h;
                if (nruns && runs[nruns - 1].end > text.len)
                    runs[nruns - 1].end = text.len;
            } else if (!(h && !soft) && dk_buf_putc(&text, ' ') < 0) {
                goto cleanup;
            }
        }
        for (uint32_t k = 0; k < l->n; k++) {
            const pdf_frag *f = &d->frags[L->order[l->first + k]];
            const char *s = pdf_frag_text(d, f);
            if (k && dk_buf_putc(&text, ' ') < 0)
                goto cleanup;
            size_t base = text.len;
            size_t from = li == first && k == 0 ? skip : 0;
            if (from > f->len)
                from = f->len;
            if (dk_buf_append(&text, s + from, f->len - from) < 0)
                goto cleanup;
            for (uint32_t si = 0; si < f->nspan; si++) {
                const pdf_span *sp = &d->spans[f->span + si];
                if (sp->start + sp->len <= from)
                    continue;
                size_t end = base + sp->start + sp->len - from;
                if (grow((void **)&runs, &caprun, nruns, sizeof *runs) < 0)
                    goto cleanup;
                if (nruns && runs[nruns - 1].flags == sp->flags)
                    runs[nruns - 1].end = end;
                else
                    runs[nruns++] = (run){end, sp->flags};
                common &= sp->flags;
            }
            if (nruns)
                runs[nruns - 1].end = text.len;
        }
    }
    if (!emphasis)
        common = PDF_BOLD | PDF_ITALIC;
    /* emit: text, strong and em runs, br at the line breaks */
    size_t pos = 0, bi = 0;
    for (size_t ri = 0; ri <= nruns && pos < text.len; ri++) {
        size_t end = ri < nruns ? runs[ri].end : text.len;
        if (end > text.len)
            end = text.len;
        uint8_t fl = ri < nruns ? runs[ri].flags & ~common : 0;
        while (pos < end) {
            size_t stop = end;
            if (bi < nbrs && brs[bi] < stop)
                stop = brs[bi];
            if (stop > pos) {
                dk_node *into = parent;
                size_t lead = 0;
                if (fl) {
                    while (pos + lead < stop && text.data[pos + lead] == ' ')
                        lead++;
                    if (lead && dk_node_add_text(parent, text.data + pos, lead) < 0)
                        goto cleanup;
                    if (fl & PDF_BOLD)
                        into = dk_node_add(into, DK_STRONG);
                    if (into && (fl & PDF_ITALIC))
                        into = dk_node_add(into, DK_EM);
                    if (!into)
                        goto cleanup;
                }
                if (dk_node_add_text(into, text.data + pos + lead, stop - pos - lead) < 0)
                    goto cleanup;
                pos = stop;
            }
            if (bi < nbrs && brs[bi] == pos) {
                if (!dk_node_add(parent, DK_BR))
                    goto cleanup;
                bi++;
            }
        }
    }
    r = 0;
cleanup:
    dk_buf_free(&text);
    free(runs);
    free(brs);
    return r;
}

/* The level of a heading of this size and weight: larger sizes first,
 * a bold heading in the body size last. */
static int heading_level(builder *b, float size)
{
    int level = 1;
    for (int i = 0; i < b->nheading_sizes; i++)
        level += b->heading_sizes[i] > size + 0.3f;
    return level > 6 ? 6 : level;
}

static int add_heading(builder *b, const block *bk)
{
    int level = heading_level(b, bk->size);
    while (b->nsec && b->sec[b->nsec - 1].level >= level)
        b->nsec--;
    dk_node *s = dk_node_add(container(b), DK_SECTION);
    dk_node *h = s ? dk_node_add(s, DK_HEADING) : NULL;
    if (!h || dk_node_set_attr_int(h, DK_ATTR_LEVEL, b->nsec < 6 ? b->nsec + 1 : 6) < 0 ||
        set_page(s, bk->page) < 0 || add_inlines(b, h, bk->first, bk->n, 0, false, false) < 0)
        return -1;
    if (b->nsec < 16)
        b->sec[b->nsec++].level = level, b->sec[b->nsec - 1].section = s;
    b->nlst = 0;
    b->last_p = NULL;
    return 0;
}

static int add_item(builder *b, const block *bk)
{
    while (b->nlst && b->lst[b->nlst - 1].x > bk->x0 + 2)
        b->nlst--;
    if (b->nlst && fabsf(b->lst[b->nlst - 1].x - bk->x0) <= 2 &&
        b->lst[b->nlst - 1].ordered != bk->m.ordered)
        b->nlst--;
    /* a deeper item opens a list inside the last item; past sixteen levels
     * it stays at the deepest */
    int max_lists = (int)(sizeof b->lst / sizeof b->lst[0]);
    if (!b->nlst || (b->lst[b->nlst - 1].x < bk->x0 - 2 && b->nlst < max_lists)) {
        dk_node *parent = b->nlst ? dk_node_last(b->lst[b->nlst - 1].list) : container(b);
        dk_node *list = parent ? dk_node_add(parent, DK_LIST) : NULL;
        if (!list || dk_node_set_attr(list, DK_ATTR_TYPE, bk->m.ordered ? "ordered" : "bullet") < 0 ||
            (bk->m.ordered && bk->m.number != 1 &&
             dk_node_set_attr_int(list, DK_ATTR_START, bk->m.number) < 0) ||
            (!b->nlst && set_page(list, bk->page) < 0))
            return -1;
        b->lst[b->nlst].list = list;
        b->lst[b->nlst].x = bk->x0;
        b->lst[b->nlst].ordered = bk->m.ordered;
        b->nlst++;
    }
    dk_node *item = dk_node_add(b->lst[b->nlst - 1].list, DK_ITEM);
    dk_node *p = item ? dk_node_add(item, DK_P) : NULL;
    if (!p || add_inlines(b, p, bk->first, bk->n, bk->m.len, false, true) < 0)
        return -1;
    b->last_p = p;
    return 0;
}

/* Before appending the next line's text s to p: undo a line-end hyphen
 * the typesetter put there, or add a space. Returns false if out of
 * memory. */
static bool join_text(layout *L, dk_node *p, const char *s, size_t len)
{
    dk_node *t = dk_node_last(p);
    size_t tl = 0;
    const char *tx = t ? dk_node_text(t, &tl) : NULL;
    bool soft;
    size_t h = tx ? trailing_hyphen(tx, tl, &soft) : 0;
    if (h && is_lower_start(s, len)) {
        size_t ws = tl - h;
        while (ws > 0 && tx[ws - 1] != ' ')
            ws--;
        if (soft || !keep_hyphen(L, tx + ws, tl - h - ws, s, strcspn(s, " ")))
            return dk_node_set_text(t, tx, tl - h) == 0;
        return true;
    }
    return dk_node_add_text(p, " ", 1) == 0;
}

static int add_table_node(builder *b, const table *t)
{
    const pdf_doc *d = b->L->d;
    dk_node *tab = dk_node_add(container(b), DK_TABLE);
    if (!tab || set_page(tab, t->page) < 0)
        return -1;
    for (uint32_t r = 0; r < t->nrows; r++) {
        dk_node *rw = dk_node_add(tab, DK_ROW);
        if (!rw)
            return -1;
        for (uint32_t c = 0; c < t->ncols; c++) {
            dk_node *cell = dk_node_add(rw, DK_CELL);
            if (!cell || (r == 0 && t->header &&
                          dk_node_set_attr(cell, DK_ATTR_HEADER, "true") < 0))
                return -1;
            dk_node *p = NULL;
            for (uint32_t i = t->first; i < t->first + t->n; i++) {
                const pdf_frag *f = &d->frags[i];
                if (f->row != r || f->col != c)
                    continue;
                const char *s = pdf_frag_text(d, f);
                if (!p) {
                    if (!(p = dk_node_add(cell, DK_P)))
                        return -1;
                } else if (!join_text(b->L, p, s, f->len)) {
                    return -1;
                }
                if (dk_node_add_text(p, s, f->len) < 0)
                    return -1;
            }
        }
    }
    b->nlst = 0;
    b->last_p = NULL;
    return 0;
}

static int add_block(builder *b, block *bk)
{
    layout *L = b->L;
    dk_node *p;
    switch (bk->kind) {
    case B_TABLE:
        return add_table_node(b, &L->tables[L->lines[bk->first].table]);
    case B_HEADING:
        return add_heading(b, bk);
    case B_ITEM:
        return add_item(b, bk);
    case B_LINES:
        p = dk_node_add(container(b), DK_P);
        b->nlst = 0;
        b->last_p = NULL;
        return !p || set_page(p, bk->page) < 0 ||
                       add_inlines(b, p, bk->first, bk->n, 0, true, false) < 0
                   ? -1
                   : 0;
    case B_QUOTE: {
        dk_node *q = dk_node_add(container(b), DK_QUOTE);
        p = q ? dk_node_add(q, DK_P) : NULL;
        b->nlst = 0;
        b->last_p = NULL;
        return !p || set_page(q, bk->page) < 0 ||
                       add_inlines(b, p, bk->first, bk->n, 0, false, false) < 0
                   ? -1
                   : 0;
    }
    case B_PARA:
        break;
    }
    /* a paragraph indented under a list item belongs to the item */
    while (b->nlst && bk->x0 <= b->lst[b->nlst - 1].x + 2)
        b->nlst--;
    if (b->nlst) {
        dk_node *item = dk_node_last(b->lst[b->nlst - 1].list);
        p = dk_node_add(item, DK_P);
        return !p || add_inlines(b, p, bk->first, bk->n, 0, false, true) < 0 ? -1 : 0;
    }
    /* the text reader's rule: a paragraph wholly in quotation marks */
    dk_node *parent = container(b);
    bool q = false;
    char *t = NULL;
    p = dk_node_new(DK_P);
    if (!p || add_inlines(b, p, bk->first, bk->n, 0, false, true) < 0 ||
        !(t = dk_node_text_content(p))) {
        dk_node_free(p);
        return -1;
    }
    q = dkr_quoted(t, strlen(t));
    free(t);
    if (q && !(parent = dk_node_add(parent, DK_QUOTE))) {
        dk_node_free(p);
        return -1;
    }
    if (dk_node_append(parent, p) < 0 || set_page(q ? parent : p, bk->page) < 0) {
        dk_node_free(p);
        return -1;
    }
    b->last_p = p;
    return 0;
}

/* Lines set apart: right-aligned or centred together, each short. */
static bool placed_lines(const layout *L, size_t first, size_t n, float width)
{
    if (n < 2)
        return false;
    bool right = true, centred = true, shortl = true;
    const line *a = &L->lines[first];
    for (size_t i = first; i < first + n; i++) {
        const line *l = &L->lines[i];
        right &= fabsf(l->x1 - a->x1) < 2;
        centred &= fabsf((l->x0 + l->x1) - (a->x0 + a->x1)) < 4;
        shortl &= l->x1 - l->x0 < width * 0.55f;
    }
    bool aligned_left = true;
    for (size_t i = first; i < first + n; i++)
        aligned_left &= fabsf(L->lines[i].x0 - a->x0) < 2;
    return shortl && !aligned_left && (right || centred);
}

/* Lines that stand alone whatever their spacing: page furniture, a grade,
 * "Last updated ...". */
static bool stands_alone(const char *s, size_t len)
{
    dkr_date d;
    size_t a, e;
    return dkr_is_boilerplate(s, len) ||
           dkr_grade_parse(s, len, NULL, NULL) != DKR_GRADE_NONE ||
           (len > 12 && !strncasecmp(s, "Last updated", 12) &&
            dkr_find_date(s, len, 0, &d, &a, &e));
}

/* Does the line start with a bullet character (not a dash or number)? */
static bool bullet_glyph(layout *L, const line *l)
{
    const pdf_frag *f = &L->d->frags[L->order[l->first]];
    const unsigned char *s = (const unsigned char *)pdf_frag_text(L->d, f);
    return f->len >= 2 && (s[0] == 0xE2 || s[0] == 0xEF || s[0] == 0xC2) &&
           !(f->len >= 3 && !memcmp(s, "\xE2\x80\x93", 3));
}

/* Is line i, the last of block bk so far, a full line of a justified
 * paragraph (its right edge where the lines above end)? The paragraph
 * then goes on after a column or page break, even after a full stop:
 * the last line of a justified paragraph is short. */
static bool justified_full(const layout *L, const block *bk, size_t i)
{
    if (i < bk->seg + 2 || bk->kind == B_HEADING)
        return false;
    float edge = L->lines[i].x1;
    for (size_t k = bk->seg; k < i; k++)
        if (fabsf(L->lines[k].x1 - edge) > 1)
            return false;
    return true;
}

typedef struct lineinfo {
    bool marker, alone, closed, lower, hyphen, upper;
    marker m;
} lineinfo;

static int line_info(layout *L, const line *l, lineinfo *li)
{
    memset(li, 0, sizeof *li);
    if (l->table >= 0)
        return 0;
    if (line_text(L, l) < 0)
        return -1;
    const char *s = L->tmp.data;
    size_t len = L->tmp.len;
    bool soft;
    li->marker = list_marker(s, len, &li->m);
    li->alone = stands_alone(s, len);
    li->closed = ends_closed(s, len);
    li->lower = is_lower_start(s, len);
    li->upper = is_upper_start(s, len);
    li->hyphen = trailing_hyphen(s, len, &soft) != 0;
    return 0;
}

/* The usual width of text on each page: its widest body lines. */
static float page_width(const layout *L, uint32_t page)
{
    const pdf_page *pg = &L->d->pages[0];
    for (size_t i = 0; i < L->d->npages; i++)
        if (L->d->pages[i].number == page)
            pg = &L->d->pages[i];
    return pg->width;
}

static bool heading_block(const layout *L, const block *bk, const char *t, size_t len)
{
    if (bk->n > 3 || len > 200 || len == 0)
        return false;
    if (stands_alone(t, len))
        return false;
    dkr_date d;
    size_t a, e;
    if (dkr_find_date(t, len, 0, &d, &a, &e) && e - a + 4 >= len)
        return false; /* a date line */
    bool larger = bk->size >= L->body * 1.12f;
    bool bold = bk->bold && bk->size >= L->body * 0.95f && bk->n <= 2;
    if (!larger && !bold)
        return false;
    /* headings do not end like sentences (questions aside) */
    char last = t[len - 1];
    if (last == '.' && !(len > 3 && t[len - 2] == '.'))
        return larger && bk->n == 1 && len < 80;
    if (last == ',' || last == ';')
        return false;
    return true;
}

static int build_blocks(layout *L, dk_node *doc)
{
    builder b = {.L = L, .doc = doc, .body = dk_document_body(doc)};
    block *blocks = NULL;
    size_t nb = 0, capb = 0;
    lineinfo prev = {0}, cur;
    int r = -1;
    if (!b.body)
        return oom(L);

    /* segmentation */
    for (size_t i = 0; i < L->nlines; i++) {
        line *l = &L->lines[i];
        if (line_info(L, l, &cur) < 0)
            goto oom;
        bool start = i == 0;
        if (!start) {
            line *a = &L->lines[i - 1];
            block *bk = &blocks[nb - 1];
            float size = fmaxf(a->size, 1);
            float expect = L->pitch * (a->size / L->body);
            if (bk->n >= 2) { /* the block's own pitch */
                line *a2 = &L->lines[i - 2];
                float own = a->y0 - a2->y0;
                if (own > 0 && own < expect * 1.5f)
                    expect = fmaxf(expect, own);
            }
            float dy = l->y0 - a->y0;
            bool moved = l->page != a->page || dy < -size * 0.5f ||
                         (dy < size * 0.5f && l->x0 > a->x1); /* new page or column */
            bool same_style = fabsf(l->size - a->size) <= 0.6f &&
                              (l->flags & PDF_BOLD) == (a->flags & PDF_BOLD);
            bool close = dy > 0 && dy <= expect * 1.3f + 0.5f;
            float pw = page_width(L, l->page) * 0.6f;
            bool aligned = (fabsf(l->x1 - a->x1) < 2 ||
                            fabsf((l->x0 + l->x1) - (a->x0 + a->x1)) < 4) &&
                           l->x1 - l->x0 < pw && a->x1 - a->x0 < pw;
            /* "18) found the force's..." or "– a weakness" at the start of
             * a wrapped line: no list item, where the line above goes on
             * at the same indent */
            if (cur.marker && !prev.closed &&
                same_style && close && fabsf(l->x0 - a->x0) < 2 && !bullet_glyph(L, l))
                cur.marker = false;
            /* a grade or date line inside a bold heading stays in it */
            if ((cur.alone || prev.alone) && same_style && close && (l->flags & PDF_BOLD))
                cur.alone = prev.alone = false;
            if (l->table >= 0 || a->table >= 0 || bk->kind == B_TABLE) {
                start = true;
            } else if (L->letter && (i == L->salutation || i == L->closing ||
                                     i - 1 == L->salutation || i - 1 == L->closing)) {
                start = true;
            } else if (moved) {
                /* a paragraph left open goes on in the next column or page */
                bool open = !prev.closed || prev.hyphen;
                bool full = a->x1 >= bk->sx1 - 2 * size;
                bool goes_on = same_style && !cur.marker && !cur.alone &&
                               ((open && (cur.lower || prev.hyphen || full)) ||
                                justified_full(L, bk, i - 1));
                start = !goes_on || bk->kind == B_HEADING;
            } else if (cur.marker || cur.alone || prev.alone) {
                start = true;
            } else if (!same_style) {
                start = true;
            } else if (!close) {
                start = true;
            } else if (l->x0 > a->x0 + 0.8f * size && bk->kind != B_ITEM) {
                /* further in: an indented first line starts a paragraph;
                 * lines set right or centred together go on */
                start = !aligned;
            } else if (l->x0 < a->x0 - 0.8f * size) {
                /* out again: after a paragraph's indented first line, or
                 * in lines set right or centred, the block goes on; not
                 * after a list item's hanging lines */
                bool first_indent = bk->n == 1 && bk->kind == B_PARA;
                start = bk->kind == B_ITEM || !(first_indent || aligned);
            } else if (i - bk->seg >= 2 && prev.closed && cur.upper &&
                       a->x1 < bk->sx1 - 0.3f * (bk->sx1 - bk->sx0)) {
                start = true; /* a short line ended the paragraph */
            }
        }
        if (start) {
            if (grow((void **)&blocks, &capb, nb, sizeof *blocks) < 0)
                goto oom;
            block *bk = &blocks[nb++];
            memset(bk, 0, sizeof *bk);
            bk->first = i;
            bk->x0 = l->x0;
            bk->x1 = l->x1;
            bk->size = l->size;
            bk->page = l->page;
            bk->bold = (l->flags & PDF_BOLD) != 0;
            bk->kind = l->table >= 0 ? B_TABLE : cur.marker ? B_ITEM : B_PARA;
            bk->m = cur.m;
        }
        block *bk = &blocks[nb - 1];
        if (start || l->page != L->lines[i - 1].page || l->y0 < L->lines[i - 1].y0 - 1) {
            bk->seg = i;
            bk->sx0 = l->x0;
            bk->sx1 = l->x1;
        }
        bk->sx0 = fminf(bk->sx0, l->x0);
        bk->sx1 = fmaxf(bk->sx1, l->x1);
        bk->n++;
        if (l->table < 0 && bk->n > 1) {
            bk->x1 = fmaxf(bk->x1, l->x1);
            if (bk->kind != B_ITEM)
                bk->x0 = fminf(bk->x0, l->x0);
            bk->bold &= (l->flags & PDF_BOLD) != 0;
        }
        prev = cur;
    }

    /* kinds: headings and their sizes */
    for (size_t k = 0; k < nb; k++) {
        block *bk = &blocks[k];
        if (bk->kind == B_TABLE)
            continue;
        if (L->letter && (bk->first < L->salutation || bk->first > L->closing)) {
            bk->kind = B_LINES;
            continue;
        }
        if (L->letter && (bk->first == L->salutation || bk->first == L->closing)) {
            bk->kind = B_PARA;
            continue;
        }
        if (bk->kind == B_ITEM && !bk->bold && bk->size < L->body * 1.12f)
            continue;
        dk_node *tmp = dk_node_new(DK_P);
        if (!tmp || add_inlines(&b, tmp, bk->first, bk->n, 0, false, false) < 0) {
            dk_node_free(tmp);
            goto oom;
        }
        char *t = dk_node_text_content(tmp);
        dk_node_free(tmp);
        if (!t)
            goto oom;
        size_t len = strlen(t);
        if (heading_block(L, bk, t, len)) {
            bk->kind = B_HEADING; /* "1) Preventing crime" in bold too */
            int h = 0;
            while (h < b.nheading_sizes && fabsf(b.heading_sizes[h] - bk->size) > 0.3f)
                h++;
            if (h == b.nheading_sizes && h < 8)
                b.heading_sizes[b.nheading_sizes++] = bk->size;
        } else if (bk->kind == B_ITEM) {
            /* a list item after all */
        } else if (placed_lines(L, bk->first, bk->n, page_width(L, bk->page))) {
            bk->kind = B_LINES;
        }
        free(t);
    }
    /* quotes: a paragraph set in on both sides of the paragraphs around it */
    for (size_t k = 1; k < nb; k++) {
        block *bk = &blocks[k], *pb = &blocks[k - 1];
        if (bk->kind != B_PARA || bk->n < 2)
            continue;
        /* the paragraph before, or else after, on the same page */
        const block *nbk = k + 1 < nb ? &blocks[k + 1] : NULL;
        const block *ref = pb->kind == B_PARA && pb->n >= 2 && pb->page == bk->page ? pb
                           : nbk && nbk->kind == B_PARA && nbk->n >= 2 &&
                                   nbk->page == bk->page
                               ? nbk
                               : NULL;
        float in = 1.5f * bk->size;
        if (ref && bk->x0 > ref->x0 + in && bk->x1 < ref->x1 - in)
            bk->kind = B_QUOTE;
    }

    /* the title: among the first blocks of the first page, a heading set
     * larger than any other */
    size_t title = nb;
    for (size_t k = 0; k < nb && k < 3 && !L->letter; k++) {
        const block *tk = &blocks[k];
        if (tk->kind != B_HEADING || tk->page != L->d->pages[0].number)
            continue;
        bool largest = true;
        for (size_t j = 0; j < nb; j++)
            largest &= j == k || blocks[j].kind != B_HEADING || blocks[j].size < tk->size - 0.3f;
        /* or, set in the body's size, the first block, centred */
        float pw = page_width(L, tk->page);
        bool centred = k == 0 && fabsf((tk->x0 + tk->x1) / 2 - pw / 2) < pw * 0.04f &&
                       tk->x1 - tk->x0 < pw * 0.75f;
        if ((largest && tk->size >= L->body * 1.3f) || centred) {
            title = k;
            break;
        }
    }
    /* what stands above the title (a masthead, a logo's words) is no
     * heading of the document */
    for (size_t k = 0; k < title && title < nb; k++)
        if (blocks[k].kind == B_HEADING)
            blocks[k].kind = B_PARA;
    if (title < nb) {
        dk_node *meta = dk_document_meta(doc);
        dk_node *t = meta ? dk_node_new(DK_TITLE) : NULL;
        if (!t || add_inlines(&b, t, blocks[title].first, blocks[title].n, 0, false, false) < 0 ||
            dk_node_insert_before(meta, dk_node_first(meta), t) < 0) {
            dk_node_free(t);
            goto oom;
        }
        /* the title's size is no heading level */
        for (int h = 0; h < b.nheading_sizes; h++)
            if (fabsf(b.heading_sizes[h] - blocks[title].size) <= 0.3f)
                b.heading_sizes[h] = 0;
    }
    for (size_t k = 0; k < nb; k++)
        if (k != title && add_block(&b, &blocks[k]) < 0)
            goto oom;
    r = 0;
    goto done;
oom:
    oom(L);
done:
    free(blocks);
    return r;
}

/* ---- the whole ------------------------------------------------------------------------------ */

static bool has_word(const char *s, const char *w)
{
    return strstr(s, w) != NULL;
}

static int signals(layout *L, bool *inspection)
{
    *inspection = false;
    for (size_t i = 0; i < L->nlines && !*inspection; i++) {
        const line *l = &L->lines[i];
        if (l->table >= 0)
            continue;
        if (line_text(L, l) < 0)
            return -1;
        const char *s = L->tmp.data;
        size_t len = L->tmp.len;
        if (dkr_grade_parse(s, len, NULL, NULL) != DKR_GRADE_NONE ||
            !strncasecmp(s, "Areas for improvement", 21) ||
            !strncasecmp(s, "Causes of concern", 17) ||
            !strncasecmp(s, "Cause of concern", 16) || has_word(s, "PEEL") ||
            has_word(s, "HMIC") || has_word(s, "Inspectorate of Constabulary"))
            *inspection = true;
    }
    return 0;
}

int pdf_layout(dk_ctx *ctx, pdf_doc *d, dk_node *doc, bool *letter, bool *inspection)
{
    layout L = {.ctx = ctx, .d = d};
    int r = -1;
    *letter = *inspection = false;
    font_stats(&L);
    if (furniture(&L) < 0 || build_lines(&L) < 0 || find_letter(&L) < 0)
        goto oom;
    pitch_stats(&L);
    if (count_doc_words(&L) < 0 || signals(&L, inspection) < 0)
        goto oom;
    if (build_blocks(&L, doc) < 0)
        goto cleanup;
    *letter = L.letter;
    r = 0;
    goto cleanup;
oom:
    oom(&L);
cleanup:
    free(L.tables);
    free(L.lines);
    free(L.order);
    wt_free(&L.words);
    dk_buf_free(&L.tmp);
    return r;
}
