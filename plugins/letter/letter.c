/*
 * letter: finds the parts of a letter in any document and marks it
 * document[kind=letter].
 *
 * The body's blocks are read in order. The salutation ("Dear ...", or a
 * short line ending in a comma before the body, as in the damaged "Keer
 * Amber,") and the closing ("Yours sincerely", "Yours faithfully", ...)
 * divide them: before the salutation is the front matter (front.c),
 * between them the body, after the closing the signature, cc and
 * enclosures (closing.c). Blocks before the front matter (a report the
 * letter follows) stay before the letter; text after the signature that is
 * none of its parts stays after it.
 *
 * Sections keep everything they had: their kind and provenance, and their
 * nesting, wherever they end up (so -T inspection -T letter keeps the
 * questions the inspection transform found).
 */
#define _GNU_SOURCE
#include "letter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int lt_add_text(dk_node *parent, dk_type type, span x)
{
    while (x.len && (x.s[0] == ' ' || x.s[0] == '\t'))
        x.s++, x.len--;
    while (x.len && (x.s[x.len - 1] == ' ' || x.s[x.len - 1] == '\t'))
        x.len--;
    if (!x.len)
        return 0;
    dk_node *n = dk_node_new(type);
    if (!n || dk_node_add_text(n, x.s, x.len) < 0 || dk_node_append(parent, n) < 0) {
        dk_node_free(n);
        return -1;
    }
    return 0;
}

dk_node *lt_written_date(span found, const dkr_date *d)
{
    char iso[11];
    dkr_date_iso(d, iso);
    dk_node *n = dk_node_new(DK_DATE);
    if (n && (dk_node_set_attr(n, DK_ATTR_ROLE, "written") < 0 ||
              dk_node_set_attr(n, DK_ATTR_WHEN, iso) < 0 ||
              dk_node_add_text(n, found.s, found.len) < 0)) {
        dk_node_free(n);
        n = NULL;
    }
    return n;
}

/* ---- the document's blocks in order ---------------------------------------- */

/* An empty section with every attribute of s. Transfer full. */
static dk_node *section_shell(const dk_node *s)
{
    dk_node *copy = dk_node_new(DK_SECTION);
    for (int a = 0; copy && a < DK_ATTR_COUNT; a++) {
        const char *v = dk_node_attr(s, (dk_attr)a);
        if (v && dk_node_set_attr(copy, (dk_attr)a, v) < 0) {
            dk_node_free(copy);
            copy = NULL;
        }
    }
    return copy;
}

static int push(lt_items *it, dk_node *node, dk_node *section, int depth)
{
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap + it->cap / 2 : 64;
        lt_item *v = realloc(it->v, cap * sizeof *v);
        if (!v)
            return -1;
        it->v = v;
        it->cap = cap;
    }
    lt_item *x = &it->v[it->n++];
    x->node = node;
    x->depth = depth;
    x->section = 0;
    if (!section)
        return 0;
    if (it->n_sections == it->cap_sections) {
        size_t cap = it->cap_sections ? it->cap_sections * 2 : 16;
        if (cap > UINT32_MAX)
            return -1;
        dk_node **v = realloc(it->sections, cap * sizeof *v);
        if (!v)
            return -1;
        it->sections = v;
        it->cap_sections = cap;
    }
    if (!(it->sections[it->n_sections] = section_shell(section)))
        return -1;
    x->section = (uint32_t)++it->n_sections;
    return 0;
}

dk_node *lt_section(const lt_items *it, const lt_item *x)
{
    return x->section ? it->sections[x->section - 1] : NULL;
}

/* Where the copy of v[i]'s text is, or would go, in the copies (kept in
 * the order of i, so that many, as a long signature holds, are found by
 * halves); *found says which. */
static size_t copy_at(const lt_items *it, size_t i, bool *found)
{
    size_t lo = 0, hi = it->n_copies;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (it->copies[mid].i < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < it->n_copies && it->copies[lo].i == i;
    return lo;
}

const char *lt_text(lt_items *it, const lt_item *x)
{
    dk_type t = x->node ? dk_node_type(x->node) : DK_SECTION;
    if (!x->node || t == DK_LIST || t == DK_TABLE)
        return "";
    /* most blocks hold one text node: its text, not a copy (the node is
     * kept, and its text unchanged, while the items are) */
    const dk_node *only = dk_node_first(x->node);
    if (only && !dk_node_next(only) && dk_node_type(only) == DK_TEXT)
        return dk_node_text(only, NULL);
    bool found;
    size_t i = (size_t)(x - it->v), at = copy_at(it, i, &found);
    if (found)
        return it->copies[at].text;
    if (it->n_copies == it->cap_copies) {
        size_t cap = it->cap_copies ? it->cap_copies * 2 : 8;
        lt_copy *c = realloc(it->copies, cap * sizeof *c);
        if (!c) {
            it->oom = true;
            return "";
        }
        it->copies = c;
        it->cap_copies = cap;
    }
    char *copy = dk_node_text_content(x->node);
    if (!copy) {
        it->oom = true;
        return "";
    }
    memmove(it->copies + at + 1, it->copies + at, (it->n_copies - at) * sizeof *it->copies);
    it->copies[at] = (lt_copy){i, copy};
    it->n_copies++;
    return copy;
}

void lt_forget(lt_items *it, const lt_item *x)
{
    bool found;
    size_t at = copy_at(it, (size_t)(x - it->v), &found);
    if (!found)
        return;
    free(it->copies[at].text);
    it->n_copies--;
    memmove(it->copies + at, it->copies + at + 1, (it->n_copies - at) * sizeof *it->copies);
}

/* List the headings and blocks under parent in reading order, leaving the
 * tree as it is. A section's heading stands for the section. */
static int collect(lt_items *it, dk_node *parent, int depth)
{
    for (dk_node *n = dk_node_first(parent); n; n = dk_node_next(n)) {
        dk_type t = dk_node_type(n);
        int r;
        if (t == DK_SECTION) {
            dk_node *h = dk_node_child(n, DK_HEADING);
            /* a section without a heading is entered like one with */
            r = h ? 0 : push(it, NULL, n, depth + 1);
            if (r == 0)
                r = collect(it, n, depth + 1);
        } else if (t == DK_HEADING) {
            r = push(it, n, parent, depth);
        } else {
            r = push(it, n, NULL, depth);
        }
        if (r < 0)
            return -1;
    }
    return 0;
}

static bool is_heading(const lt_item *x)
{
    return x->section != 0;
}

int lt_rebuild(lt_items *it, size_t from, size_t to, dk_node *parent)
{
    /* stack[d]: where blocks at depth d go */
    dk_node *stack[DK_MAX_DEPTH + 2];
    int top = 0;
    stack[0] = parent;
    for (size_t i = from; i < to; i++) {
        lt_item *x = &it->v[i];
        if (is_heading(x)) {
            int d = x->depth - 1 < top ? x->depth - 1 : top;
            if (d < 0)
                d = 0;
            dk_node *s = lt_section(it, x);
            if (dk_node_append(stack[d], s) < 0)
                return -1;
            stack[d + 1] = s;
            top = d + 1;
            it->sections[x->section - 1] = NULL;
            x->section = 0;
            if (x->node && dk_node_append(stack[top], x->node) < 0)
                return -1;
            x->node = NULL;
            continue;
        }
        int d = x->depth < top ? x->depth : top;
        if (x->node && dk_node_append(stack[d], x->node) < 0)
            return -1;
        x->node = NULL;
        top = d;
    }
    return 0;
}

/* Take the listed nodes out of the tree (the items own them now) and drop
 * the section shells left behind. */
static void take(lt_items *it, dk_node *body)
{
    for (size_t i = 0; i < it->n; i++)
        if (it->v[i].node)
            dk_node_detach(it->v[i].node);
    while (dk_node_first(body)) {
        dk_node *n = dk_node_first(body);
        dk_node_detach(n);
        dk_node_free(n);
    }
}

/* Forget the nodes (still in the tree) before free_items(). */
static void leave(lt_items *it)
{
    for (size_t i = 0; i < it->n; i++)
        it->v[i].node = NULL;
}

static void free_items(lt_items *it)
{
    for (size_t i = 0; i < it->n; i++)
        dk_node_free(it->v[i].node);
    for (size_t i = 0; i < it->n_sections; i++)
        dk_node_free(it->sections[i]);
    free(it->sections);
    for (size_t k = 0; k < it->n_copies; k++)
        free(it->copies[k].text);
    free(it->copies);
    free(it->v);
}

static size_t count_words(const char *s)
{
    size_t w = 0;
    bool in = false;
    for (; *s; s++) {
        bool sp = isspace((unsigned char)*s);
        w += !sp && !in;
        in = !sp;
    }
    return w;
}

static bool is_salutation(lt_items *it, const lt_item *x, bool near_top)
{
    const char *t = lt_text(it, x);
    if (!x->node || strchr(t, '\n'))
        return false;
    return dkr_letter_salutation(t, strlen(t)) &&
           (near_top || !strncmp(t, "Dear ", 5));
}

/* A block that can be letterhead, address, date, reference or subject: a
 * short heading, or a paragraph of short lines that does not read as
 * running prose. */
static bool front_like(lt_items *it, const lt_item *x)
{
    if (is_heading(x))
        return x->node && count_words(lt_text(it, x)) <= 16;
    if (!x->node || dk_node_type(x->node) != DK_P)
        return false;
    const char *t = lt_text(it, x);
    size_t line = 0, longest = 0, len = strlen(t);
    for (const char *c = t; *c; c++) {
        line = *c == '\n' ? 0 : line + 1;
        if (line > longest)
            longest = line;
    }
    return longest <= 160 && !(len > 60 && t[len - 1] == '.');
}

bool lt_subject_like(const char *t)
{
    size_t len = strlen(t);
    if (!len || strchr(t, '\n') || len > 160 || t[len - 1] == '.' ||
        t[len - 1] == ',')
        return false;
    span x = {t, len};
    return lt_subject_label(x) || strchr(t, ':') || count_words(t) <= 12;
}

/* The subject right after the salutation: a short line that is not a
 * section the inspection transform recognised (a question). */
static bool subject_after_salutation(lt_items *it, const lt_item *x)
{
    if (!x->node || dk_node_type(x->node) == DK_LIST || !lt_subject_like(lt_text(it, x)))
        return false;
    const dk_node *s = lt_section(it, x);
    const char *kind = s ? dk_node_attr(s, DK_ATTR_KIND) : NULL;
    return !kind || !strcmp(kind, "none");
}

static int move_children(dk_node *from, dk_node *to, dk_node *before)
{
    while (from && dk_node_first(from)) {
        dk_node *n = dk_node_first(from);
        dk_node_detach(n);
        if (dk_node_insert_before(to, before, n) < 0) {
            dk_node_free(n);
            return -1;
        }
    }
    return 0;
}

/* kind=letter, the subject as the title, the written date in meta. */
static int letter_meta(dk_node *doc, dk_node *meta, dk_node *letter)
{
    dk_node *subj = dk_node_child(letter, DK_SUBJECT);
    dk_node *ldate = dk_node_child(letter, DK_DATE);
    if (dk_node_set_attr(doc, DK_ATTR_KIND, "letter") < 0)
        return -1;
    if (subj && !dk_node_child(meta, DK_TITLE)) {
        char *t = dk_node_text_content(subj);
        dk_node *title = dk_node_new(DK_TITLE);
        int r = t && title && dk_node_add_text(title, t, strlen(t)) == 0 &&
                        dk_node_insert_before(meta, dk_node_first(meta), title) == 0
                    ? 0
                    : -1;
        free(t);
        if (r < 0) {
            dk_node_free(title);
            return -1;
        }
    }
    if (ldate) {
        dk_node *copy = dk_node_copy(ldate);
        dk_node *ref = dk_node_first(meta);
        while (ref && (dk_node_type(ref) == DK_TITLE || dk_node_type(ref) == DK_DATE))
            ref = dk_node_next(ref);
        if (!copy || dk_node_insert_before(meta, ref, copy) < 0) {
            dk_node_free(copy);
            return -1;
        }
    }
    return 0;
}

static int letter_transform(dk_ctx *ctx, dk_node *doc)
{
    dk_node *body = dk_document_body(doc);
    dk_node *meta = dk_document_meta(doc);
    if (!body || !meta)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    if (dk_node_child(body, DK_LETTER))
        return 0; /* done already */

    lt_items it = {0};
    lt_parts parts = {0};
    dk_node *letter = NULL;
    int r = -1;
    if (collect(&it, body, 0) < 0) {
        leave(&it);
        goto oom;
    }

    /* the salutation, then the closing (the texts looked at on the way are
     * given back: the few needed again are copied again) */
    size_t sal = it.n, clo = it.n;
    for (size_t i = 0; i < it.n && sal == it.n; i++) {
        if (is_salutation(&it, &it.v[i], i > 0 && i < 16))
            sal = i;
        else
            lt_forget(&it, &it.v[i]);
    }
    for (size_t i = sal == it.n ? 0 : sal + 1; i < it.n && clo == it.n; i++) {
        const char *t = it.v[i].node ? lt_text(&it, &it.v[i]) : NULL;
        if (t && dkr_letter_closing(t, strcspn(t, "\n")))
            clo = i;
        else
            lt_forget(&it, &it.v[i]);
    }
    if (it.oom) {
        leave(&it);
        goto oom;
    }
    if (sal == it.n && clo == it.n) {
        leave(&it); /* not a letter: nothing changes */
        r = 0;
        goto done;
    }
    bool has_sal = sal < it.n;
    /* the front matter: the short blocks right before the salutation; what
     * comes before them (a report the letter follows) stays before it */
    size_t front = has_sal ? sal : 0;
    while (front > 0 && front_like(&it, &it.v[front - 1]))
        front--;
    take(&it, body);
    if (lt_rebuild(&it, 0, front, body) < 0)
        goto oom;
    if (!(letter = dk_node_new(DK_LETTER)) || !(parts.references = dk_node_new(DK_LETTER)) ||
        !(parts.before = dk_node_new(DK_BODY)) || !(parts.after = dk_node_new(DK_BODY)))
        goto oom;
    if (has_sal && lt_front(&it, front, sal, &parts) < 0)
        goto oom;

    /* the subject may follow the salutation */
    size_t first = has_sal ? sal + 1 : 0;
    if (!parts.subject && first < clo && clo - first > 1 &&
        subject_after_salutation(&it, &it.v[first])) {
        const char *t = lt_text(&it, &it.v[first]);
        span subj = lt_subject_text((span){t, strlen(t)});
        if (!(parts.subject = dk_node_new(DK_SUBJECT)) ||
            dk_node_add_text(parts.subject, subj.s, subj.len) < 0)
            goto oom;
        /* the heading is now the subject; its section's blocks stay */
        dk_node_free(it.v[first].node);
        it.v[first].node = NULL;
        if (it.v[first].section) {
            dk_node_free(lt_section(&it, &it.v[first]));
            it.sections[it.v[first].section - 1] = NULL;
            it.v[first].section = 0;
        }
        first++;
    }

    /* the parts, in the vocabulary's order */
    if (parts.date && dk_node_append(letter, parts.date) == 0)
        parts.date = NULL;
    if (lt_add_parties(letter, &parts.front) < 0 ||
        move_children(parts.references, letter, NULL) < 0)
        goto oom;
    if (parts.subject && dk_node_append(letter, parts.subject) == 0)
        parts.subject = NULL;
    const char *salutation = has_sal ? lt_text(&it, &it.v[sal]) : NULL;
    if (salutation && lt_add_text(letter, DK_SALUTATION,
                                  (span){salutation, strlen(salutation)}) < 0)
        goto oom;
    dk_node *lbody = dk_node_add(letter, DK_BODY);
    if (!lbody || lt_rebuild(&it, first, clo, lbody) < 0)
        goto oom;
    if (clo < it.n && lt_closing(&it, clo, letter, &parts) < 0)
        goto oom;

    /* into the document: what precedes it, the letter, what followed */
    if (move_children(parts.before, body, NULL) < 0 ||
        dk_node_append(body, letter) < 0)
        goto oom;
    dk_node *placed = letter;
    letter = NULL;
    if (move_children(parts.after, body, NULL) < 0 ||
        letter_meta(doc, meta, placed) < 0 || it.oom)
        goto oom;
    r = 0;
    goto done;
oom:
    dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    r = -1;
done:
    dk_node_free(letter);
    dk_node_free(parts.date);
    dk_node_free(parts.subject);
    dk_node_free(parts.references);
    dk_node_free(parts.before);
    dk_node_free(parts.after);
    lt_parties_free(&parts.front);
    free_items(&it);
    return r;
}

DOCKET_PLUGIN(.name = "letter", .version = DK_VERSION,
              .description = "date, sender, recipient, subject, salutation, "
                             "body, closing and signature of letters",
              .kinds = DK_KIND_TRANSFORM, .transform = letter_transform);
