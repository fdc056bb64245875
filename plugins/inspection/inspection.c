/*
 * inspection: the findings of a police inspection, in a page, a report or
 * a letter about one.
 *
 *  - Each question becomes section[kind=question]: a section whose heading
 *    asks a question ("...?"), names a grade ("... - Grade Requires
 *    Improvement") or is followed by a grade line.
 *  - A paragraph that is only a grade ("Requires improvement") becomes
 *    grade[value], the text kept as found.
 *  - "Areas for improvement" and "Causes of concern" sections get their
 *    kind and move into the question they follow.
 *  - "Last updated 02/03/2017" becomes meta/date[role=updated] (dates are
 *    British, day first); in an article, the date the report was
 *    "published" becomes meta/date[role=published], the year taken from
 *    the text or the file name when the date has none.
 *  - meta/force is the force the text names most ("Warwickshire Police");
 *    meta/year the inspection year, from the title.
 *  - A paragraph quoting an area for improvement ("The force should ...")
 *    outside a list becomes a quote.
 *  - document[kind] if not set: page (a dated web page), report, or
 *    article when there is no graded question at all.
 */
#define _GNU_SOURCE
#include <docket/docket.h>

#include "rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct state {
    dk_ctx *ctx;
    dk_node *doc, *meta;
    int questions;
    bool updated;
    int year_hint; /* for dates without a year */
} state;

static int oom(state *st)
{
    return dk_ctx_fail(st->ctx, DK_E_NOMEM, "out of memory");
}

static bool starts_with_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The text of a heading or paragraph, or NULL if out of memory. */
static char *text(const dk_node *n)
{
    return dk_node_text_content(n);
}

static bool heading_is(const dk_node *section, const char *const *names)
{
    dk_node *h = dk_node_child(section, DK_HEADING);
    char *t = h ? text(h) : NULL;
    bool yes = false;
    size_t len = t ? strlen(t) : 0;
    while (len && (t[len - 1] == ':' || t[len - 1] == ' ' || t[len - 1] == '.'))
        len--;
    for (const char *const *n = names; t && *n && !yes; n++)
        yes = dkr_text_eq(t, len, *n);
    free(t);
    return yes;
}

static const char *const afi_names[] = {"Areas for improvement",
                                        "Area for improvement", NULL};
static const char *const coc_names[] = {"Causes of concern", "Cause of concern",
                                        NULL};

/* Insert a new meta child of type after the last title/date, so that meta
 * keeps the order title, dates, source, the rest. */
static dk_node *meta_date(state *st)
{
    dk_node *ref = dk_node_first(st->meta);
    while (ref && (dk_node_type(ref) == DK_TITLE || dk_node_type(ref) == DK_DATE))
        ref = dk_node_next(ref);
    dk_node *d = dk_node_new(DK_DATE);
    if (d && dk_node_insert_before(st->meta, ref, d) < 0) {
        dk_node_free(d);
        d = NULL;
    }
    return d;
}

static int set_date(dk_node *d, const char *role, const char *found,
                    size_t len, const dkr_date *when)
{
    char iso[11];
    dkr_date_iso(when, iso);
    return dk_node_set_attr(d, DK_ATTR_ROLE, role) < 0 ||
                   dk_node_set_attr(d, DK_ATTR_WHEN, iso) < 0 ||
                   dk_node_add_text(d, found, len) < 0
               ? -1
               : 0;
}

/* "Last updated 02/03/2017": into meta; the paragraph goes. */
static int take_updated(state *st, dk_node *p, bool *taken)
{
    *taken = false;
    char *t = text(p);
    if (!t)
        return oom(st);
    dkr_date d;
    size_t a, b;
    int r = 0;
    if (starts_with_ci(t, "Last updated") && !st->updated &&
        dkr_find_date(t, strlen(t), 0, &d, &a, &b)) {
        dk_node *date = meta_date(st);
        if (!date || set_date(date, "updated", t + a, b - a, &d) < 0) {
            r = oom(st);
        } else {
            st->updated = true;
            *taken = true;
        }
    }
    free(t);
    return r;
}

/* A paragraph that states a grade and nothing else becomes grade[value].
 * Sets *made; returns 0 or -1. */
static int grade_from_paragraph(state *st, dk_node *p, bool *made)
{
    char *t = text(p);
    size_t a, b;
    dkr_grade g = t ? dkr_grade_parse(t, strlen(t), &a, &b) : DKR_GRADE_NONE;
    int r = t ? 0 : oom(st);
    *made = false;
    if (g != DKR_GRADE_NONE) {
        dk_node *grade = dk_node_new(DK_GRADE);
        if (!grade || dk_node_set_attr(grade, DK_ATTR_VALUE, dkr_grade_value(g)) < 0 ||
            dk_node_add_text(grade, t + a, b - a) < 0 ||
            dk_node_insert_before(dk_node_parent(p), p, grade) < 0) {
            dk_node_free(grade);
            r = oom(st);
        } else {
            dk_node_detach(p);
            dk_node_free(p);
            *made = true;
        }
    }
    free(t);
    return r;
}

static int mark_question(state *st, dk_node *section)
{
    if (!dk_node_attr(section, DK_ATTR_KIND)) {
        if (dk_node_set_attr(section, DK_ATTR_KIND, "question") < 0)
            return oom(st);
        st->questions++;
    }
    return 0;
}

/* "1) Preventing crime – Grade Requires Improvement": a grade after the
 * heading, with the grade words as found. */
static int grade_from_heading(state *st, dk_node *section)
{
    dk_node *h = dk_node_child(section, DK_HEADING);
    char *t = h ? text(h) : NULL;
    size_t a, b;
    dkr_grade g = t ? dkr_grade_suffix(t, strlen(t), &a, &b) : DKR_GRADE_NONE;
    int r = 0;
    if (g != DKR_GRADE_NONE && !dk_node_child(section, DK_GRADE)) {
        dk_node *grade = dk_node_new(DK_GRADE);
        if (!grade || dk_node_set_attr(grade, DK_ATTR_VALUE, dkr_grade_value(g)) < 0 ||
            dk_node_add_text(grade, t + a, b - a) < 0 ||
            dk_node_insert_before(section, dk_node_next(h), grade) < 0) {
            dk_node_free(grade);
            r = oom(st);
        } else {
            r = mark_question(st, section);
        }
    }
    free(t);
    return r;
}

static bool asks(const dk_node *section)
{
    dk_node *h = dk_node_child(section, DK_HEADING);
    char *t = h ? text(h) : NULL;
    size_t len = t ? strlen(t) : 0;
    bool q = len && t[len - 1] == '?';
    free(t);
    return q;
}

static int quote_paragraph(state *st, dk_node *p)
{
    dk_node *q = dk_node_new(DK_QUOTE);
    dk_node *parent = dk_node_parent(p);
    if (!q || dk_node_insert_before(parent, p, q) < 0) {
        dk_node_free(q);
        return oom(st);
    }
    const char *off = dk_node_attr(p, DK_ATTR_OFFSET);
    if (off && (dk_node_set_attr(q, DK_ATTR_OFFSET, off) < 0 ||
                dk_node_set_attr(p, DK_ATTR_OFFSET, NULL) < 0))
        return oom(st);
    dk_node_detach(p);
    dk_node_append(q, p);
    return 0;
}

static int blocks(state *st, dk_node *parent);

static int section(state *st, dk_node *s)
{
    if (heading_is(s, afi_names))
        return dk_node_set_attr(s, DK_ATTR_KIND, "areas-for-improvement") < 0
                   ? oom(st) : blocks(st, s);
    if (heading_is(s, coc_names))
        return dk_node_set_attr(s, DK_ATTR_KIND, "causes-of-concern") < 0
                   ? oom(st) : blocks(st, s);
    if (grade_from_heading(st, s) < 0)
        return -1;
    if (asks(s) && mark_question(st, s) < 0)
        return -1;
    return blocks(st, s);
}

/* An areas-for-improvement or causes-of-concern section that follows a
 * question belongs inside it. */
static void nest_findings(dk_node *parent)
{
    for (dk_node *n = dk_node_first(parent), *next; n; n = next) {
        next = dk_node_next(n);
        const char *kind = dk_node_attr(n, DK_ATTR_KIND);
        dk_node *prev = dk_node_prev(n);
        if (dk_node_type(n) != DK_SECTION || !kind || !prev ||
            dk_node_type(prev) != DK_SECTION ||
            (strcmp(kind, "areas-for-improvement") &&
             strcmp(kind, "causes-of-concern")))
            continue;
        /* into the question, or into the question the previous finding is
         * already in */
        dk_node *host = prev;
        const char *pk = dk_node_attr(prev, DK_ATTR_KIND);
        if (!pk || strcmp(pk, "question") != 0)
            continue;
        dk_node_detach(n);
        if (dk_node_append(host, n) < 0)
            dk_node_insert_before(parent, next, n);
    }
}

static int blocks(state *st, dk_node *parent)
{
    for (dk_node *n = dk_node_first(parent), *next; n; n = next) {
        next = dk_node_next(n);
        switch (dk_node_type(n)) {
        case DK_SECTION:
            if (section(st, n) < 0)
                return -1;
            break;
        case DK_LETTER:
        case DK_BODY:
            if (blocks(st, n) < 0)
                return -1;
            break;
        case DK_P: {
            bool taken;
            if (take_updated(st, n, &taken) < 0)
                return -1;
            if (taken) {
                dk_node_detach(n);
                dk_node_free(n);
                break;
            }
            bool graded;
            if (grade_from_paragraph(st, n, &graded) < 0)
                return -1;
            if (graded) {
                if (dk_node_type(parent) == DK_SECTION &&
                    !dk_node_attr(parent, DK_ATTR_KIND) &&
                    mark_question(st, parent) < 0)
                    return -1;
                break;
            }
            char *t = text(n);
            if (!t)
                return oom(st);
            /* lists and quotes are not entered: their paragraphs stay */
            bool afi = starts_with_ci(t, "The force should ");
            free(t);
            if (afi && quote_paragraph(st, n) < 0)
                return -1;
            break;
        }
        default:
            break;
        }
    }
    nest_findings(parent);
    return 0;
}

/* The force the text names most: "<Name> Police" or "<Name> Constabulary",
 * the name being one to three capitalised words. */
typedef struct tally {
    char name[128];
    int count;
} tally;

static void count_forces(const char *t, tally *best, tally *all, int *n_all)
{
    static const char *const suffixes[] = {" Police", " Constabulary"};
    static const char *const stop[] = {"The", "Her", "His", "Majesty's",
                                       "Majesty\xE2\x80\x99s", "Inspectorate",
                                       "Chief", "HM", "HMIC", "HMICFRS", NULL};
    for (int k = 0; k < 2; k++) {
        const char *suffix = suffixes[k];
        for (const char *p = strstr(t, suffix); p; p = strstr(p + 1, suffix)) {
            /* walk back over up to three capitalised words */
            const char *start = p, *we = p;
            int words = 0;
            while (words < 3) {
                const char *ws = we;
                while (ws > t && !isspace((unsigned char)ws[-1]) && ws[-1] != '(')
                    ws--;
                if (ws == we || !isupper((unsigned char)*ws))
                    break;
                /* a name is made of letters: not "PEEL:" or "2016," */
                bool letters = true;
                for (const char *c = ws; c < we; c++)
                    letters &= isalpha((unsigned char)*c) || *c == '-' ||
                               *c == '\'' || (unsigned char)*c >= 0x80;
                if (!letters)
                    break;
                bool stopword = false;
                for (const char *const *s = stop; *s; s++)
                    stopword |= (size_t)(we - ws) == strlen(*s) &&
                                !strncmp(ws, *s, strlen(*s));
                if (stopword)
                    break;
                start = ws;
                words++;
                if (ws == t || ws[-1] != ' ')
                    break;
                we = ws - 1;
            }
            if (!words)
                continue;
            size_t len = (size_t)(p - start) + strlen(suffix);
            if (len >= sizeof best->name)
                continue;
            int i = 0;
            while (i < *n_all && (strlen(all[i].name) != len ||
                                  strncmp(all[i].name, start, len)))
                i++;
            if (i == *n_all) {
                if (*n_all == 32)
                    continue;
                memcpy(all[i].name, start, len);
                all[i].name[len] = '\0';
                all[i].count = 0;
                (*n_all)++;
            }
            if (++all[i].count > best->count)
                *best = all[i];
        }
    }
}

typedef struct scan {
    tally best, all[32];
    int n_all;
    int year;
} scan;

/* Over every text node: force names, and the first year mentioned. */
static int scan_text(dk_node *n, int depth, void *user)
{
    (void)depth;
    scan *sc = user;
    size_t len;
    const char *t = dk_node_text(n, &len);
    if (!t)
        return 0;
    count_forces(t, &sc->best, sc->all, &sc->n_all);
    if (!sc->year)
        sc->year = dkr_find_year(t, len);
    return 0;
}

static int add_meta_text(state *st, dk_type type, const char *value)
{
    if (dk_node_child(st->meta, type))
        return 0;
    return dk_node_add_with_text(st->meta, type, value) ? 0 : oom(st);
}

/* The date a report was "published" in an article: the first date in a
 * sentence that says so. */
static int published_date(state *st, dk_node *n)
{
    for (dk_node *c = dk_node_first(n); c; c = dk_node_next(c)) {
        if (dk_node_type(c) != DK_P) {
            int r = dk_type_allows_text(dk_node_type(c)) ? 0 : published_date(st, c);
            if (r)
                return r;
            continue;
        }
        char *t = text(c);
        if (!t)
            return -1;
        const char *pub = strstr(t, "published");
        dkr_date d;
        size_t a, b;
        int r = 0;
        if (pub && dkr_find_date(pub, strlen(pub), st->year_hint, &d, &a, &b)) {
            dk_node *date = meta_date(st);
            r = date && set_date(date, "published", pub + a, b - a, &d) == 0 ? 1
                                                                             : -1;
        }
        free(t);
        if (r)
            return r;
    }
    return 0;
}

static int inspection_transform(dk_ctx *ctx, dk_node *doc)
{
    state st = {.ctx = ctx, .doc = doc};
    st.meta = dk_document_meta(doc);
    dk_node *body = dk_document_body(doc);
    if (!st.meta || !body)
        return oom(&st);
    for (dk_node *d = dk_node_child(st.meta, DK_DATE); d; d = dk_node_next(d))
        if (dk_node_type(d) == DK_DATE && dk_node_attr(d, DK_ATTR_ROLE) &&
            !strcmp(dk_node_attr(d, DK_ATTR_ROLE), "updated"))
            st.updated = true;
    if (blocks(&st, body) < 0)
        return -1;

    scan *sc = calloc(1, sizeof *sc);
    dk_node *title = dk_node_child(st.meta, DK_TITLE);
    char *t = title ? text(title) : NULL;
    if (!sc || (title && !t)) {
        free(sc);
        free(t);
        return oom(&st);
    }
    dk_node_walk(doc, scan_text, sc);
    int r = 0;
    if (sc->best.count && add_meta_text(&st, DK_FORCE, sc->best.name) < 0)
        r = -1;
    int year = t ? dkr_find_year(t, strlen(t)) : 0;
    char ybuf[16];
    snprintf(ybuf, sizeof ybuf, "%d", year);
    if (r == 0 && year && add_meta_text(&st, DK_YEAR, ybuf) < 0)
        r = -1;

    /* the year for dates written without one: the text's, else the file
     * name's */
    st.year_hint = sc->year;
    dk_node *src = dk_node_child(st.meta, DK_SOURCE);
    const char *name = src ? dk_node_attr(src, DK_ATTR_NAME) : NULL;
    if (!st.year_hint && name)
        st.year_hint = dkr_find_year(name, strlen(name));
    free(sc);
    free(t);

    const char *kind = st.questions ? (st.updated ? "page" : "report") : "article";
    if (r == 0 && !st.questions && !dk_node_attr(doc, DK_ATTR_KIND) &&
        published_date(&st, body) < 0)
        r = oom(&st);
    if (r == 0 && !dk_node_attr(doc, DK_ATTR_KIND) &&
        dk_node_set_attr(doc, DK_ATTR_KIND, kind) < 0)
        r = oom(&st);
    return r;
}

DOCKET_PLUGIN(.name = "inspection", .version = DK_VERSION,
              .description = "questions, grades, areas for improvement, "
                             "force, year and dates of inspections",
              .kinds = DK_KIND_TRANSFORM, .transform = inspection_transform);
