/*
 * One page's text in reading order, from poppler's text layout (a box per
 * character of the page's text) and text attributes (font name and size
 * per run of characters):
 *
 *  1. words: the characters between poppler's spaces, with their box, font
 *     size and style (bold, italic from the font's name); ligature
 *     characters are expanded;
 *  2. tables: rows of words (words side by side) cut into cells at gaps
 *     wider than a space; a run of rows whose cells start at the same
 *     places in two or more columns, with at least two rows of several
 *     cells, one column or more of short entries (not two columns of
 *     prose) and no cell crossing a column, is a table. An address block
 *     beside another above a letter's salutation is not;
 *  3. reading order: the page (the table as one box) is cut recursively at
 *     its widest gap, across (between blocks and lines) or down (a gutter,
 *     or a block placed beside another: those need two lines on each side,
 *     or a very wide gap), top before bottom, left before right;
 *  4. each line of each region becomes a fragment, each table cell line a
 *     fragment marked with its cell.
 */
#define _GNU_SOURCE /* qsort_r */
#include "pdfp.h"

#include "rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pdf_doc_free(pdf_doc *d)
{
    dk_buf_free(&d->text);
    free(d->frags);
    free(d->spans);
    free(d->pages);
    memset(d, 0, sizeof *d);
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 256;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

/* Style from the font's name ("ABCDEF+LiberationSans-BoldItalic",
 * "CMBX12", "Arial,Bold"). */
static uint8_t font_flags(const char *name)
{
    if (!name)
        return 0;
    const char *plus = strchr(name, '+');
    if (plus && plus - name == 6)
        name = plus + 1;
    static const char *const bold[] = {"Bold", "bold", "Black", "Heavy", "Semibold",
                                       "SemiBold", "Demi", "-Bd", "CMBX", "CMB1",
                                       "Medi", NULL};
    static const char *const italic[] = {"Italic", "italic", "Oblique", "oblique",
                                         "CMTI", "CMSL", "-It", "Ital", NULL};
    static const char *const mono[] = {"Mono", "mono", "Courier", "CMTT", "Consolas",
                                       "Typewriter", NULL};
    uint8_t f = 0;
    for (const char *const *w = bold; *w; w++)
        if (strstr(name, *w))
            f |= PDF_BOLD;
    for (const char *const *w = italic; *w; w++)
        if (strstr(name, *w))
            f |= PDF_ITALIC;
    for (const char *const *w = mono; *w; w++)
        if (strstr(name, *w))
            f |= PDF_MONO;
    return f;
}

/* The letters a ligature character stands for, or NULL. */
static const char *ligature(uint32_t cp)
{
    switch (cp) {
    case 0xFB00: return "ff";
    case 0xFB01: return "fi";
    case 0xFB02: return "fl";
    case 0xFB03: return "ffi";
    case 0xFB04: return "ffl";
    case 0xFB05: return "st";
    case 0xFB06: return "st";
    default: return NULL;
    }
}

static bool is_alnum_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    return cp >= 0xC0 && !(cp >= 0x2000 && cp <= 0x2BFF) && cp != 0xD7 && cp != 0xF7;
}

/* One character that is a C1 control, private use or U+FFFD. */
static bool unknown_glyph(const char *s, size_t len)
{
    uint32_t cp;
    size_t n = dk_utf8_decode(s, len, &cp);
    return n == len && ((cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFD ||
                        (cp >= 0xE000 && cp <= 0xF8FF && cp != 0xF0B7 && cp != 0xF0A7));
}

/* ---- the page's words ---------------------------------------------------------- */

typedef struct word {
    uint32_t text, len; /* in the page's buffer */
    float x0, y0, x1, y1;
    float size;
    uint32_t chars;
    uint8_t flags; /* PDF_BOLD, PDF_ITALIC, PDF_MONO: most of its letters */
    uint8_t used;  /* taken into a table */
} word;

typedef struct page {
    pdf_doc *d;
    uint32_t number;
    float width, height;
    dk_buf text;
    word *w;
    size_t nw, capw;
} page;

static float cy0(const word *w)
{
    return w->y0 + 0.25f * (w->y1 - w->y0);
}

static float cy1(const word *w)
{
    return w->y1 - 0.25f * (w->y1 - w->y0);
}

/* Collect the words of the page's text. */
static int collect_words(page *P, const char *text, const PopplerRectangle *rects,
                         guint nrects, GList *attrs)
{
    GList *at = attrs;
    size_t tlen = strlen(text);
    word cur;
    uint32_t styled[3] = {0};
    bool in = false;
    guint ci = 0;
    const PopplerTextAttributes *styled_attr = NULL;
    uint8_t attr_flags = 0;
    for (size_t i = 0; i <= tlen; ci++) {
        uint32_t cp = 0;
        size_t n = 0;
        if (i < tlen) {
            n = dk_utf8_decode(text + i, tlen - i, &cp);
            if (n == 0) {
                n = 1;
                cp = 0xFFFD;
            }
        }
        i += n ? n : 1;
        while (at && ((PopplerTextAttributes *)at->data)->end_index < (gint)ci)
            at = at->next;
        const PopplerTextAttributes *a = at ? at->data : NULL;
        if (a != styled_attr) { /* a new run: its font's style once */
            styled_attr = a;
            attr_flags = a ? font_flags(a->font_name) : 0;
        }
        bool end = n == 0 || ci >= nrects || cp == '\n' || cp == ' ' || cp == '\t' ||
                   cp == 0xA0 || cp == '\r';
        /* poppler's text may run words of different lines or cells
         * together: a jump in the characters' positions ends a word too */
        bool jump = false;
        if (!end && in) {
            const PopplerRectangle *rc = &rects[ci];
            float sz = cur.size > 1 ? cur.size : 10;
            jump = (float)rc->x1 > cur.x1 + 0.3f * sz || (float)rc->x2 < cur.x1 - 0.5f * sz ||
                   fabsf((float)rc->y2 - cur.y1) > 0.8f * sz;
        }
        if (end || jump) {
            /* a word of one glyph that maps to no letter (a control
             * character, a private-use or unknown code: a symbol font's
             * bullet, as TeX's) stands for a bullet */
            if (in && cur.len && cur.chars == 0 && P->text.len >= cur.len &&
                unknown_glyph(P->text.data + cur.text, cur.len)) {
                P->text.len = cur.text;
                if (dk_buf_puts(&P->text, "\xE2\x80\xA2") < 0)
                    return -1;
                cur.len = 3;
            }
            if (in && cur.len) {
                uint32_t letters = cur.chars ? cur.chars : 1;
                cur.flags = (uint8_t)((styled[0] * 2 > letters ? PDF_BOLD : 0) |
                                      (styled[1] * 2 > letters ? PDF_ITALIC : 0) |
                                      (styled[2] * 2 > letters ? PDF_MONO : 0));
                if (grow((void **)&P->w, &P->capw, P->nw, sizeof *P->w) < 0)
                    return -1;
                P->w[P->nw++] = cur;
            }
            in = false;
            if (n == 0 || ci >= nrects)
                break;
            if (!jump)
                continue;
        }
        if (cp < 0x20 || cp == 0x7F)
            continue;
        const PopplerRectangle *rc = &rects[ci];
        if (!in) {
            memset(&cur, 0, sizeof cur);
            memset(styled, 0, sizeof styled);
            cur.text = (uint32_t)P->text.len;
            cur.x0 = (float)rc->x1;
            cur.y0 = (float)rc->y1;
            cur.x1 = (float)rc->x2;
            cur.y1 = (float)rc->y2;
            cur.size = a ? (float)a->font_size : (float)(rc->y2 - rc->y1);
            in = true;
        }
        cur.x0 = fminf(cur.x0, (float)rc->x1);
        cur.y0 = fminf(cur.y0, (float)rc->y1);
        cur.x1 = fmaxf(cur.x1, (float)rc->x2);
        cur.y1 = fmaxf(cur.y1, (float)rc->y2);
        const char *lig = ligature(cp);
        char enc[4];
        size_t el = lig ? strlen(lig) : dk_utf8_encode(cp, enc);
        if (dk_buf_append(&P->text, lig ? lig : enc, el) < 0)
            return -1;
        cur.len += (uint32_t)el;
        if (is_alnum_cp(cp)) {
            uint8_t fl = attr_flags;
            if (cur.chars++ == 0 && a)
                cur.size = (float)a->font_size;
            styled[0] += (fl & PDF_BOLD) != 0;
            styled[1] += (fl & PDF_ITALIC) != 0;
            styled[2] += (fl & PDF_MONO) != 0;
        }
    }
    return 0;
}

/* ---- fragments out ------------------------------------------------------------------ */

static int add_span(pdf_doc *d, pdf_frag *f, uint32_t start, uint32_t len, uint8_t flags)
{
    if (f->nspan) {
        pdf_span *last = &d->spans[f->span + f->nspan - 1];
        if (last->flags == flags) {
            last->len = start + len - last->start;
            return 0;
        }
    }
    if (grow((void **)&d->spans, &d->capspans, d->nspans, sizeof *d->spans) < 0)
        return -1;
    if (!f->nspan)
        f->span = (uint32_t)d->nspans;
    d->spans[d->nspans++] = (pdf_span){start, len, flags};
    f->nspan++;
    return 0;
}

/* Emit the words ids[0..n) (in order) as one fragment. */
static int emit(page *P, const uint32_t *ids, size_t n, uint32_t table, uint16_t row,
                uint16_t col)
{
    pdf_doc *d = P->d;
    if (n == 0)
        return 0;
    pdf_frag f = {.text = (uint32_t)d->text.len, .page = P->number, .table = table,
                  .row = row, .col = col};
    float sizes[4] = {0};
    uint32_t counts[4] = {0}, styled[3] = {0};
    for (size_t i = 0; i < n; i++) {
        const word *w = &P->w[ids[i]];
        if (i && dk_buf_putc(&d->text, ' ') < 0)
            return -1;
        uint32_t start = (uint32_t)d->text.len - f.text;
        if (dk_buf_append(&d->text, P->text.data + w->text, w->len) < 0 ||
            add_span(d, &f, i ? start - 1 : start, w->len + (i ? 1 : 0),
                     w->flags & (PDF_BOLD | PDF_ITALIC)) < 0)
            return -1;
        if (i == 0) {
            f.x0 = w->x0, f.y0 = w->y0, f.x1 = w->x1, f.y1 = w->y1;
        }
        f.x0 = fminf(f.x0, w->x0);
        f.y0 = fminf(f.y0, w->y0);
        f.x1 = fmaxf(f.x1, w->x1);
        f.y1 = fmaxf(f.y1, w->y1);
        f.chars += w->chars;
        uint32_t c = w->chars ? w->chars : 1;
        for (int k = 0; k < 3; k++)
            styled[k] += (w->flags & (1 << k)) ? c : 0;
        for (int k = 0; k < 4; k++) {
            if (counts[k] && fabsf(sizes[k] - w->size) < 0.05f) {
                counts[k] += c;
                break;
            }
            if (!counts[k]) {
                sizes[k] = w->size;
                counts[k] = c;
                break;
            }
        }
    }
    f.len = (uint32_t)d->text.len - f.text;
    uint32_t best = 0;
    for (int k = 0; k < 4; k++)
        if (counts[k] > best) {
            best = counts[k];
            f.size = sizes[k];
        }
    uint32_t letters = f.chars ? f.chars : 1;
    for (int k = 0; k < 3; k++)
        if (styled[k] * 10 >= letters * 8)
            f.flags |= (uint8_t)(1 << k);
    if (table)
        f.flags |= PDF_TABLE;
    if (grow((void **)&d->frags, &d->capfrags, d->nfrags, sizeof *d->frags) < 0)
        return -1;
    d->frags[d->nfrags++] = f;
    /* each fragment's text is a C string */
    return dk_buf_putc(&d->text, '\0');
}

/* ---- sorting ---------------------------------------------------------------------------- */

/* The items being ordered: words, and tables as single boxes. */
typedef struct item {
    float x0, y0, x1, y1, c0, c1; /* c0, c1: the core of the box, for rows */
    float size;
    int32_t word;  /* or -1 */
    int32_t table; /* index into the page's tables, or -1 */
} item;

/* Orders of item ids; the items are qsort_r's context. */
static int cmp_cy(const void *a, const void *b, void *items)
{
    const item *it = items;
    const item *x = &it[*(const uint32_t *)a], *y = &it[*(const uint32_t *)b];
    if (x->c0 != y->c0)
        return x->c0 < y->c0 ? -1 : 1;
    return x->x0 < y->x0 ? -1 : x->x0 > y->x0;
}

static int cmp_x(const void *a, const void *b, void *items)
{
    const item *it = items;
    const item *x = &it[*(const uint32_t *)a], *y = &it[*(const uint32_t *)b];
    if (x->x0 != y->x0)
        return x->x0 < y->x0 ? -1 : 1;
    return x->c0 < y->c0 ? -1 : x->c0 > y->c0;
}

/* Sort ids by cmp, unless they are in order already (the parts cut() hands
 * down keep the order of the whole): the same result, for a look. */
static void sort_ids(uint32_t *ids, size_t n,
                     int (*cmp)(const void *, const void *, void *),
                     const item *it)
{
    size_t i = 1;
    while (i < n && cmp(&ids[i - 1], &ids[i], (void *)it) <= 0)
        i++;
    if (i < n)
        qsort_r(ids, n, sizeof *ids, cmp, (void *)it);
}

/* Bands: ids sorted by core top; band k starts at starts[k]. Returns the
 * number of bands. */
static size_t bands(const item *it, const uint32_t *ids, size_t n, uint32_t *starts)
{
    size_t nb = 0;
    float end = 0;
    for (size_t i = 0; i < n; i++) {
        const item *x = &it[ids[i]];
        if (i == 0 || x->c0 > end) {
            starts[nb++] = (uint32_t)i;
            end = x->c1;
        } else if (x->c1 > end) {
            end = x->c1;
        }
    }
    return nb;
}

/* ---- tables ------------------------------------------------------------------------------ */

typedef struct cell {
    uint32_t first, n; /* words, in a scratch array sorted by x */
    float x0, x1;
    uint32_t words;
} cell;

typedef struct trow {
    uint32_t first, n; /* cells */
    float y0, y1;
    float size;
} trow;

typedef struct tcol {
    float x0;
    size_t cells, words, markers;
} tcol;

/* The column a cell belongs to, or -1 if it crosses into the next. */
static int col_of(const tcol *cols, int ncols, const cell *c)
{
    for (int k = ncols - 1; k >= 0; k--)
        if (c->x0 >= cols[k].x0 - 4)
            return k + 1 < ncols && c->x1 > cols[k + 1].x0 - 2 ? -1 : k;
    return -1;
}

typedef struct ptable {
    float x0, y0, x1, y1;
    uint32_t id;
    /* cells: for each cell line, its words */
    uint32_t first_row, nrows; /* rows of the scan */
    tcol cols[12];
    int ncols;
} ptable;

typedef struct tscan {
    uint32_t *ids;  /* word indices sorted by band, then x */
    cell *cells;
    size_t ncells, capcells;
    trow *rows;
    size_t nrows;
    ptable *tables;
    size_t ntables, captables;
} tscan;

static bool short_marker(const page *P, const cell *c, const uint32_t *ids)
{
    if (c->n != 1)
        return false;
    const word *w = &P->w[ids[c->first]];
    return w->len <= 4;
}

/* Is rows [r0, r1) a table? Fills t's columns. */
static bool is_table(const page *P, const tscan *S, size_t r0, size_t r1, ptable *t)
{
    size_t multi = 0;
    t->ncols = 0;
    for (size_t r = r0; r < r1; r++) {
        const trow *rw = &S->rows[r];
        if (rw->n < 2)
            continue;
        multi++;
        for (uint32_t k = 0; k < rw->n; k++) {
            const cell *c = &S->cells[rw->first + k];
            int j = 0;
            while (j < t->ncols && fabsf(t->cols[j].x0 - c->x0) > 4)
                j++;
            if (j == t->ncols) {
                if (t->ncols == 12)
                    return false;
                t->cols[t->ncols++] = (tcol){c->x0, 0, 0, 0};
            }
        }
    }
    if (multi < 2 || t->ncols < 2)
        return false;
    for (int i = 1; i < t->ncols; i++)
        for (int j = i; j > 0 && t->cols[j].x0 < t->cols[j - 1].x0; j--) {
            tcol x = t->cols[j];
            t->cols[j] = t->cols[j - 1];
            t->cols[j - 1] = x;
        }
    for (size_t r = r0; r < r1; r++) {
        const trow *rw = &S->rows[r];
        for (uint32_t k = 0; k < rw->n; k++) {
            const cell *c = &S->cells[rw->first + k];
            int j = col_of(t->cols, t->ncols, c);
            if (j < 0)
                return false;
            t->cols[j].cells++;
            t->cols[j].words += c->words;
            t->cols[j].markers += short_marker(P, c, S->ids);
        }
    }
    bool prose = true;
    for (int j = 0; j < t->ncols; j++) {
        if (!t->cols[j].cells)
            return false;
        prose &= t->cols[j].words >= 4 * t->cols[j].cells;
    }
    /* bullets or numbers beside their items are a list */
    if (t->cols[0].markers == t->cols[0].cells && t->ncols == 2)
        return false;
    return !prose;
}

/* Does the white space between the columns of rows [b, e) go on above or
 * below them, with text on both sides? Then these are columns of text
 * (perhaps with short lines), not a table: a table's columns end where
 * the text around it runs across them. */
static bool columns_go_on(const tscan *S, size_t b, size_t e, const ptable *t)
{
    /* the gaps between columns */
    float gap0[12], gap1[12];
    for (int j = 0; j + 1 < t->ncols; j++) {
        gap0[j] = -1e9f;
        gap1[j] = t->cols[j + 1].x0;
    }
    for (size_t r = b; r < e; r++)
        for (uint32_t k = 0; k < S->rows[r].n; k++) {
            const cell *c = &S->cells[S->rows[r].first + k];
            int j = col_of(t->cols, t->ncols, c);
            if (j >= 0 && j + 1 < t->ncols)
                gap0[j] = fmaxf(gap0[j], c->x1);
        }
    for (int side = 0; side < 2; side++) {
        for (int step = 1; step <= 3; step++) {
            size_t r;
            if (side == 0) {
                if (b < (size_t)step)
                    break;
                r = b - (size_t)step;
                if (S->rows[r + 1].y0 - S->rows[r].y1 > 2.5f * S->rows[r + 1].size)
                    break;
            } else {
                r = e - 1 + (size_t)step;
                if (r >= S->nrows ||
                    S->rows[r].y0 - S->rows[r - 1].y1 > 2.5f * S->rows[r].size)
                    break;
            }
            const trow *rw = &S->rows[r];
            for (int j = 0; j + 1 < t->ncols; j++) {
                bool left = false, right = false, across = false;
                for (uint32_t k = 0; k < rw->n; k++) {
                    const cell *c = &S->cells[rw->first + k];
                    left |= c->x1 <= gap1[j] && c->x0 < gap0[j];
                    right |= c->x0 >= gap0[j] && c->x1 > gap1[j];
                    across |= c->x0 < gap0[j] - 2 && c->x1 > gap1[j] + 2;
                }
                if (left && right && !across)
                    return true;
            }
        }
    }
    return false;
}

/* Find the page's tables; their words are marked used. */
static int find_tables(page *P, tscan *S, float skip_above)
{
    size_t n = 0;
    item *it = malloc((P->nw + 1) * sizeof *it);
    uint32_t *starts = malloc((P->nw + 1) * sizeof *starts);
    int r = -1;
    if (!it || !starts)
        goto cleanup;
    for (size_t i = 0; i < P->nw; i++) {
        const word *w = &P->w[i];
        it[i] = (item){w->x0, w->y0, w->x1, w->y1, cy0(w), cy1(w), w->size, (int32_t)i, -1};
        if (w->y0 >= skip_above)
            S->ids[n++] = (uint32_t)i;
    }
    sort_ids(S->ids, n, cmp_cy, it);
    size_t nb = bands(it, S->ids, n, starts);
    S->rows = malloc((nb + 1) * sizeof *S->rows);
    if (!S->rows)
        goto cleanup;
    S->nrows = nb;
    for (size_t b = 0; b < nb; b++) {
        size_t s = starts[b], e = b + 1 < nb ? starts[b + 1] : n;
        sort_ids(S->ids + s, e - s, cmp_x, it);
        trow *rw = &S->rows[b];
        rw->first = (uint32_t)S->ncells;
        rw->n = 0;
        rw->y0 = 1e9f;
        rw->y1 = -1e9f;
        rw->size = 0;
        for (size_t i = s; i < e; i++) {
            const word *w = &P->w[S->ids[i]];
            rw->y0 = fminf(rw->y0, w->y0);
            rw->y1 = fmaxf(rw->y1, w->y1);
            rw->size = fmaxf(rw->size, w->size);
            cell *last = rw->n ? &S->cells[S->ncells - 1] : NULL;
            if (last && w->x0 - last->x1 < 0.8f * w->size && w->x0 >= last->x1 - 1) {
                last->n++;
                last->x1 = fmaxf(last->x1, w->x1);
                last->words++;
                continue;
            }
            if (grow((void **)&S->cells, &S->capcells, S->ncells, sizeof *S->cells) < 0)
                goto cleanup;
            S->cells[S->ncells++] = (cell){(uint32_t)i, 1, w->x0, w->x1, 1};
            rw->n++;
        }
    }
    for (size_t b = 0; b < nb;) {
        if (S->rows[b].n < 2) {
            b++;
            continue;
        }
        /* the rows below, close enough */
        size_t e = b + 1;
        while (e < nb && S->rows[e].y0 - S->rows[e - 1].y1 < 2.5f * S->rows[e].size)
            e++;
        /* the longest run from b that is a table */
        ptable t = {0};
        size_t end = 0;
        for (size_t k = e; k > b + 1 && !end; k--)
            if (is_table(P, S, b, k, &t))
                end = k;
        if (!end || columns_go_on(S, b, end, &t)) {
            b++;
            continue;
        }
        t.first_row = (uint32_t)b;
        t.nrows = (uint32_t)(end - b);
        t.x0 = t.y0 = 1e9f;
        t.x1 = t.y1 = -1e9f;
        for (size_t k = b; k < end; k++)
            for (uint32_t c = 0; c < S->rows[k].n; c++) {
                const cell *cl = &S->cells[S->rows[k].first + c];
                for (uint32_t wi = 0; wi < cl->n; wi++) {
                    word *w = &P->w[S->ids[cl->first + wi]];
                    w->used = 1;
                    t.x0 = fminf(t.x0, w->x0);
                    t.y0 = fminf(t.y0, w->y0);
                    t.x1 = fmaxf(t.x1, w->x1);
                    t.y1 = fmaxf(t.y1, w->y1);
                }
            }
        if (grow((void **)&S->tables, &S->captables, S->ntables, sizeof *S->tables) < 0)
            goto cleanup;
        S->tables[S->ntables++] = t;
        b = end;
    }
    r = 0;
cleanup:
    free(it);
    free(starts);
    return r;
}

/* Emit a table: each cell line as a fragment. A table row starts where
 * several cells have text or after a wider gap; single lines below
 * continue the cells above. */
static int emit_table(page *P, tscan *S, ptable *t)
{
    uint32_t id = ++P->d->ntables;
    uint16_t row = 0;
    for (uint32_t r = t->first_row; r < t->first_row + t->nrows; r++) {
        const trow *rw = &S->rows[r];
        if (r > t->first_row &&
            (rw->n > 1 || rw->y0 - S->rows[r - 1].y1 > 0.45f * rw->size))
            row++;
        for (uint32_t c = 0; c < rw->n; c++) {
            const cell *cl = &S->cells[rw->first + c];
            int col = col_of(t->cols, t->ncols, cl);
            if (emit(P, S->ids + cl->first, cl->n, id, row, (uint16_t)(col < 0 ? 0 : col)) < 0)
                return -1;
        }
    }
    return 0;
}

/* ---- reading order ------------------------------------------------------------------------ */

typedef struct cutter {
    page *P;
    item *it;
    uint32_t *tmp, *starts;
    tscan *S;
    int depth;
} cutter;

static float region_size(const item *it, const uint32_t *ids, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += it[ids[i]].size;
    return n ? (float)(s / (double)n) : 10;
}

static int leaf(cutter *C, uint32_t *ids, size_t n)
{
    sort_ids(ids, n, cmp_x, C->it);
    size_t i = 0;
    while (i < n) {
        const item *x = &C->it[ids[i]];
        if (x->table >= 0) {
            if (emit_table(C->P, C->S, &C->S->tables[x->table]) < 0)
                return -1;
            i++;
            continue;
        }
        size_t j = i;
        uint32_t words[512];
        size_t nw = 0;
        while (j < n && C->it[ids[j]].table < 0) {
            if (nw == 512) {
                if (emit(C->P, words, nw, 0, 0, 0) < 0)
                    return -1;
                nw = 0;
            }
            words[nw++] = (uint32_t)C->it[ids[j]].word;
            j++;
        }
        if (emit(C->P, words, nw, 0, 0, 0) < 0)
            return -1;
        i = j;
    }
    return 0;
}

/* Order the items ids[0..n) and emit them. */
static int cut(cutter *C, uint32_t *ids, size_t n)
{
    if (n == 0)
        return 0;
    const item *it = C->it;
    sort_ids(ids, n, cmp_cy, it);
    uint32_t *starts = malloc((n + 1) * sizeof *starts);
    if (!starts)
        return -1;
    size_t nb = bands(it, ids, n, starts);
    float s = region_size(it, ids, n);
    /* the widest gap across */
    float ygap = -1;
    float *yg = malloc((nb + 1) * sizeof *yg);
    if (!yg) {
        free(starts);
        return -1;
    }
    for (size_t b = 1; b < nb; b++) {
        float end = -1e9f;
        for (size_t i = starts[b - 1]; i < starts[b]; i++)
            end = fmaxf(end, it[ids[i]].y1);
        yg[b] = it[ids[starts[b]]].y0 - end;
        if (yg[b] < 0)
            yg[b] = 0.01f; /* boxes overlap, cores do not */
        ygap = fmaxf(ygap, yg[b]);
    }
    /* the widest gap down that may cut */
    uint32_t *byx = C->tmp;
    memcpy(byx, ids, n * sizeof *ids);
    sort_ids(byx, n, cmp_x, it);
    float xgap = -1, xcut = 0;
    bool xstrong = false;
    float right = it[byx[0]].x1;
    for (size_t i = 1; i < n; i++) {
        const item *x = &it[byx[i]];
        float g = x->x0 - right;
        if (g > 0.8f * s && g > xgap) {
            /* lines on each side */
            size_t left_bands = 0, right_bands = 0;
            float le = -1e9f, re = -1e9f, left_widest = 0;
            for (size_t k = 0; k < n; k++) {
                const item *y = &it[ids[k]];
                bool isleft = y->x1 <= x->x0 - g * 0.5f;
                if (isleft)
                    left_widest = fmaxf(left_widest, y->x1 - y->x0);
                float *e = isleft ? &le : &re;
                size_t *cnt = isleft ? &left_bands : &right_bands;
                if (y->c0 > *e) {
                    (*cnt)++;
                    *e = y->c1;
                } else if (y->c1 > *e) {
                    *e = y->c1;
                }
            }
            bool strong = left_bands >= 3 && right_bands >= 3;
            bool ok = strong || (left_bands >= 2 && right_bands >= 2 && g >= 2 * s) ||
                      g >= 4 * s;
            /* a left side of short words only (bullets, numbers, "(iv)",
             * labels) holds the markers of a list's items or labels read
             * with their rows, not a column of text */
            if (left_widest < 2.5f * s)
                ok = false;
            if (ok) {
                xgap = g;
                xcut = x->x0 - g * 0.5f;
                xstrong = strong;
            }
        }
        right = fmaxf(right, x->x1);
    }
    int r = -1;
    if (C->depth > 400) {
        r = leaf(C, ids, n);
    } else if (xgap > 0 && (nb < 2 || xgap > ygap || (xstrong && 3 * xgap > ygap))) {
        /* a gutter between columns of several lines each goes before a
         * gap across, unless that is much wider: two columns may happen
         * to have space at the same height */
        /* left, then right */
        size_t nl = 0;
        for (size_t i = 0; i < n; i++)
            if (it[ids[i]].x1 <= xcut)
                C->tmp[nl++] = ids[i];
        size_t nr = nl;
        for (size_t i = 0; i < n; i++)
            if (it[ids[i]].x1 > xcut)
                C->tmp[nr++] = ids[i];
        memcpy(ids, C->tmp, n * sizeof *ids);
        C->depth++;
        r = cut(C, ids, nl) < 0 || cut(C, ids + nl, n - nl) < 0 ? -1 : 0;
        C->depth--;
    } else if (nb < 2) {
        r = leaf(C, ids, n);
    } else {
        /* top to bottom, at the widest gaps across (those within half a
         * point of the widest): between sections first, then paragraphs,
         * then lines, so that a gutter found in a part is cut before its
         * lines are */
        float thr = fmaxf(xgap, ygap - 0.5f);
        r = 0;
        size_t from = 0;
        C->depth++;
        for (size_t b = 1; b <= nb && r == 0; b++) {
            if (b < nb && !(yg[b] >= thr && yg[b] > xgap))
                continue;
            size_t to = b < nb ? starts[b] : n;
            if (from == 0 && to == n)
                r = leaf(C, ids, n); /* cannot happen: nb >= 2 */
            else
                r = cut(C, ids + from, to - from);
            from = to;
        }
        C->depth--;
    }
    free(yg);
    free(starts);
    return r;
}

/* ---- the page --------------------------------------------------------------------------------- */

/* Where a letter's salutation stands on this page (its top), once the
 * document has had one: tables are not looked for above it. */
static float salutation_y(page *P, tscan *S)
{
    pdf_doc *d = P->d;
    if (d->salutation)
        return -1;
    item *it = malloc((P->nw + 1) * sizeof *it);
    uint32_t *starts = malloc((P->nw + 1) * sizeof *starts);
    float y = -1;
    dk_buf line = DK_BUF_INIT;
    if (!it || !starts)
        goto done;
    for (size_t i = 0; i < P->nw; i++) {
        const word *w = &P->w[i];
        it[i] = (item){w->x0, w->y0, w->x1, w->y1, cy0(w), cy1(w), w->size, (int32_t)i, -1};
        S->ids[i] = (uint32_t)i;
    }
    sort_ids(S->ids, P->nw, cmp_cy, it);
    size_t nb = bands(it, S->ids, P->nw, starts);
    for (size_t b = 0; b < nb && y < 0; b++) {
        size_t s = starts[b], e = b + 1 < nb ? starts[b + 1] : P->nw;
        sort_ids(S->ids + s, e - s, cmp_x, it);
        dk_buf_clear(&line);
        for (size_t i = s; i < e; i++) {
            const word *w = &P->w[S->ids[i]];
            if (i > s && w->x0 - P->w[S->ids[i - 1]].x1 > 2 * w->size)
                break; /* the first block of the row */
            if ((i > s && dk_buf_putc(&line, ' ') < 0) ||
                dk_buf_append(&line, P->text.data + w->text, w->len) < 0)
                goto done;
        }
        if (line.len && (dkr_letter_salutation(line.data, line.len) &&
                         (d->lines_seen + b < 60 || !strncmp(line.data, "Dear ", 5))))
            y = it[S->ids[s]].y0;
    }
    d->lines_seen += nb;
    if (y >= 0)
        d->salutation = true;
done:
    dk_buf_free(&line);
    free(it);
    free(starts);
    return y;
}

static int order_page(page *P)
{
    tscan S = {0};
    cutter C = {.P = P, .S = &S};
    int r = -1;
    size_t n = P->nw;
    S.ids = malloc((n + 1) * sizeof *S.ids);
    C.it = malloc((n + 1) * sizeof *C.it);
    C.tmp = malloc((n + 1) * sizeof *C.tmp);
    C.starts = malloc((n + 1) * sizeof *C.starts);
    uint32_t *ids = malloc((n + 1) * sizeof *ids);
    if (!S.ids || !C.it || !C.tmp || !C.starts || !ids)
        goto cleanup;
    bool had = P->d->salutation;
    float sal = salutation_y(P, &S);
    /* before the salutation, where an address may stand beside a date,
     * there are no tables */
    float skip = had ? -1 : sal >= 0 ? sal : -1;
    if (find_tables(P, &S, skip) < 0)
        goto cleanup;
    size_t ni = 0;
    for (size_t i = 0; i < n; i++) {
        const word *w = &P->w[i];
        if (w->used)
            continue;
        C.it[ni] = (item){w->x0, w->y0, w->x1, w->y1, cy0(w), cy1(w), w->size, (int32_t)i, -1};
        ids[ni] = (uint32_t)ni;
        ni++;
    }
    for (size_t t = 0; t < S.ntables; t++) {
        const ptable *pt = &S.tables[t];
        C.it[ni] = (item){pt->x0, pt->y0, pt->x1, pt->y1, pt->y0, pt->y1, 10, -1, (int32_t)t};
        ids[ni] = (uint32_t)ni;
        ni++;
    }
    /* lines in the top and bottom margins standing apart (running heads,
     * page numbers) are read on their own, so that a centred page number
     * does not hide the gutter of the columns above it */
    sort_ids(ids, ni, cmp_cy, C.it);
    size_t nb = bands(C.it, ids, ni, C.starts);
    size_t top = 0, bottom = nb;
    while (top + 1 < nb) {
        size_t s0 = C.starts[top], e0 = C.starts[top + 1];
        float y0 = 1e9f, y1 = -1e9f;
        for (size_t i = s0; i < e0; i++)
            y0 = fminf(y0, C.it[ids[i]].y0), y1 = fmaxf(y1, C.it[ids[i]].y1);
        if (y1 > 0.125f * P->height || C.it[ids[e0]].y0 - y1 < 0.8f * (y1 - y0))
            break;
        top++;
    }
    while (bottom > top + 1) {
        size_t s0 = C.starts[bottom - 1], e0 = bottom < nb ? C.starts[bottom] : ni;
        float y0 = 1e9f, y1 = -1e9f, above = -1e9f;
        for (size_t i = s0; i < e0; i++)
            y0 = fminf(y0, C.it[ids[i]].y0), y1 = fmaxf(y1, C.it[ids[i]].y1);
        for (size_t i = C.starts[bottom - 2]; i < s0; i++)
            above = fmaxf(above, C.it[ids[i]].y1);
        if (y0 < 0.875f * P->height || y0 - above < 0.8f * (y1 - y0))
            break;
        bottom--;
    }
    size_t a = top ? C.starts[top] : 0, z = bottom < nb ? C.starts[bottom] : ni;
    uint32_t *mid = malloc((z - a + 1) * sizeof *mid);
    if (!mid)
        goto cleanup;
    memcpy(mid, ids + a, (z - a) * sizeof *ids);
    r = 0;
    for (size_t k = 0; k < top && r == 0; k++)
        r = cut(&C, ids + C.starts[k], C.starts[k + 1] - C.starts[k]);
    if (r == 0)
        r = cut(&C, mid, z - a);
    for (size_t k = bottom; k < nb && r == 0; k++)
        r = cut(&C, ids + C.starts[k], (k + 1 < nb ? C.starts[k + 1] : ni) - C.starts[k]);
    free(mid);
cleanup:
    free(ids);
    free(C.it);
    free(C.tmp);
    free(C.starts);
    free(S.ids);
    free(S.cells);
    free(S.rows);
    free(S.tables);
    return r;
}

int pdf_extract_page(pdf_doc *d, PopplerPage *pp, uint32_t number)
{
    char *text = NULL;
    PopplerRectangle *rects = NULL;
    guint nrects = 0;
    GList *attrs = NULL;
    double width, height;
    page P = {.d = d, .number = number, .text = DK_BUF_INIT};
    int r = -1;

    poppler_page_get_size(pp, &width, &height);
    P.width = (float)width;
    P.height = (float)height;
    if (grow((void **)&d->pages, &d->cappages, d->npages, sizeof *d->pages) < 0)
        return -1;
    d->pages[d->npages++] = (pdf_page){number, (float)width, (float)height,
                                       (uint32_t)d->nfrags, 0};
    text = poppler_page_get_text(pp);
    if (text && *text && poppler_page_get_text_layout(pp, &rects, &nrects)) {
        attrs = poppler_page_get_text_attributes(pp);
        if (collect_words(&P, text, rects, nrects, attrs) < 0 || order_page(&P) < 0)
            goto cleanup;
    }
    r = 0;
cleanup:
    d->pages[d->npages - 1].n = (uint32_t)d->nfrags - d->pages[d->npages - 1].first;
    free(P.w);
    dk_buf_free(&P.text);
    g_free(rects);
    poppler_page_free_text_attributes(attrs);
    g_free(text);
    return r;
}
