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
 *    British, day first); an article dated only relative to the report it
 *    covers ("published yesterday (February 18)") gets its own date as
 *    meta/date[role=published], the year taken from the text or the file
 *    name when the date has none.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct state {
    dk_ctx *ctx;
    dk_node *doc, *meta;
    int questions;
    bool quoting; /* in a letter that cites the inspectorate's findings */
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

/* The text of a heading or paragraph, or NULL if out of memory; *len its
 * length (len may be NULL). Where n holds one text node (most do) that
 * node's text is returned as it is and *copy is NULL; else *copy is the
 * text, for the caller to free. */
static const char *text(const dk_node *n, char **copy, size_t *len)
{
    const dk_node *t = dk_node_first(n);
    size_t l = 0;
    const char *s;
    *copy = NULL;
    if (t && !dk_node_next(t) && dk_node_type(t) == DK_TEXT)
        s = dk_node_text(t, &l);
    else if ((s = *copy = dk_node_text_content(n)))
        l = strlen(s);
    if (len)
        *len = l;
    return s;
}

static const char *const afi_names[] = {"Areas for improvement",
                                        "Area for improvement", NULL};
static const char *const coc_names[] = {"Causes of concern", "Cause of concern",
                                        NULL};
static const char *const rec_names[] = {"Recommendations", "Recommendation", NULL};

/* Which of the lists of names (NULL-terminated, as afi_names) the
 * section's heading is, but for a final colon or full stop: its index,
 * or -1. */
static int heading_among(const dk_node *section, const char *const *const *lists)
{
    dk_node *h = dk_node_child(section, DK_HEADING);
    char *t_copy = NULL;
    size_t len = 0;
    const char *t = h ? text(h, &t_copy, &len) : NULL;
    int which = -1;
    while (len && (t[len - 1] == ':' || t[len - 1] == ' ' || t[len - 1] == '.'))
        len--;
    for (int k = 0; t && which < 0 && lists[k]; k++)
        for (const char *const *n = lists[k]; *n && which < 0; n++)
            if (dkr_text_eq(t, len, *n))
                which = k;
    free(t_copy);
    return which;
}

static bool heading_is(const dk_node *section, const char *const *names)
{
    return heading_among(section, (const char *const *const[]){names, NULL}) == 0;
}

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

/* Only a label's filler and punctuation in t[from, to): " on ", ": ",
 * " - ", a full stop. */
static bool only_filler(const char *t, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (strchr(" \t:-.,", t[i]))
            continue;
        if (i + 2 <= to && !strncasecmp(t + i, "on", 2) &&
            (i + 2 == to || strchr(" \t:", t[i + 2])) && (i == from || t[i - 1] == ' ')) {
            i++;
            continue;
        }
        return false;
    }
    return true;
}

/* "Last updated 02/03/2017": into meta; the paragraph goes when it says
 * no more than that (one that goes on, "... after the force challenged two
 * findings", stays as it is). */
static int take_updated(state *st, dk_node *p, bool *taken)
{
    *taken = false;
    char *t_copy = NULL;
    const char *t = text(p, &t_copy, NULL);
    if (!t)
        return oom(st);
    dkr_date d;
    size_t a, b;
    int r = 0;
    if ((t[0] | 0x20) == 'l' && starts_with_ci(t, "Last updated") && !st->updated &&
        dkr_find_date(t, strlen(t), 0, &d, &a, &b)) {
        dk_node *date = meta_date(st);
        if (!date || set_date(date, "updated", t + a, b - a, &d) < 0) {
            r = oom(st);
        } else {
            st->updated = true;
            *taken = only_filler(t, strlen("Last updated"), a) &&
                     only_filler(t, b, strlen(t));
        }
    }
    free(t_copy);
    return r;
}

/* A paragraph that states a grade and nothing else becomes grade[value].
 * Sets *made; returns 0 or -1. */
static int grade_from_paragraph(state *st, dk_node *p, bool *made)
{
    char *t_copy = NULL;
    size_t len, a, b;
    const char *t = text(p, &t_copy, &len);
    dkr_grade g = t ? dkr_grade_parse(t, len, &a, &b) : DKR_GRADE_NONE;
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
    free(t_copy);
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

/* Cut the inline content of n after *left bytes of its text (a br counts
 * as one, as in dk_node_text_content); what follows the cut is removed.
 * Returns true once the cut is made. */
static bool cut_inlines(dk_node *n, size_t *left)
{
    for (dk_node *c = dk_node_first(n), *next; c; c = next) {
        next = dk_node_next(c);
        if (*left == 0) {
            dk_node_detach(c);
            dk_node_free(c);
            continue;
        }
        size_t len = 0;
        if (dk_node_type(c) == DK_TEXT) {
            const char *t = dk_node_text(c, &len);
            if (*left < len) {
                dk_node_set_text(c, t, *left);
                *left = 0;
                continue;
            }
        } else if (dk_node_type(c) == DK_BR) {
            len = 1;
        } else {
            cut_inlines(c, left);
            if (!dk_node_first(c)) {
                dk_node_detach(c);
                dk_node_free(c);
            }
            continue;
        }
        *left -= len;
    }
    return *left == 0;
}

/* "How effective is the force ...? Good", "Investigating crime: Requires
 * improvement", "1) Preventing crime – Grade Requires Improvement": the
 * heading keeps its own words, and grade[value] after it the grade as
 * found (the separator and a "Grade" label go). */
static int grade_from_heading(state *st, dk_node *section)
{
    dk_node *h = dk_node_child(section, DK_HEADING);
    char *t_copy = NULL;
    size_t len, cut, a, b;
    const char *t = h ? text(h, &t_copy, &len) : NULL;
    dkr_grade g = t ? dkr_grade_after(t, len, &cut, &a, &b) : DKR_GRADE_NONE;
    int r = 0;
    if (g != DKR_GRADE_NONE && !dk_node_child(section, DK_GRADE)) {
        dk_node *grade = dk_node_new(DK_GRADE);
        size_t left = cut;
        if (!grade || dk_node_set_attr(grade, DK_ATTR_VALUE, dkr_grade_value(g)) < 0 ||
            dk_node_add_text(grade, t + a, b - a) < 0 ||
            dk_node_insert_before(section, dk_node_next(h), grade) < 0) {
            dk_node_free(grade);
            r = oom(st);
        } else {
            cut_inlines(h, &left);
            r = mark_question(st, section);
        }
    }
    free(t_copy);
    return r;
}

static bool asks(const dk_node *section)
{
    dk_node *h = dk_node_child(section, DK_HEADING);
    char *t_copy = NULL;
    size_t len = 0;
    const char *t = h ? text(h, &t_copy, &len) : NULL;
    bool q = t && len && t[len - 1] == '?';
    free(t_copy);
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

static int blocks_of(state *st, dk_node *parent, bool deep);

/* Is n a section of this kind? */
static bool is_kind(const dk_node *n, const char *kind)
{
    const char *k = n && dk_node_type(n) == DK_SECTION ? dk_node_attr(n, DK_ATTR_KIND) : NULL;
    return k && !strcmp(k, kind);
}

/* A section headed only by a grade's label ("Our judgement", then
 * "Inadequate") gives its grade and blocks to the section before it, whose
 * heading names what is judged; the label goes. */
static int judgement_labels(state *st, dk_node *parent)
{
    for (dk_node *n = dk_node_first(parent), *next; n; n = next) {
        next = dk_node_next(n);
        dk_node *prev = dk_node_prev(n);
        dk_node *h = dk_node_type(n) == DK_SECTION ? dk_node_child(n, DK_HEADING) : NULL;
        /* the places first, the heading's words last (most sections have
         * no grade right after their heading) */
        if (!h || !prev || dk_node_type(prev) != DK_SECTION || !dk_node_next(h) ||
            dk_node_type(dk_node_next(h)) != DK_GRADE ||
            dk_node_child(prev, DK_GRADE))
            continue;
        char *t_copy = NULL;
        size_t len;
        const char *t = text(h, &t_copy, &len);
        bool label = t && dkr_grade_label(t, len);
        free(t_copy);
        if (!label)
            continue;
        dk_node_detach(h);
        dk_node_free(h);
        while (dk_node_first(n)) {
            dk_node *c = dk_node_first(n);
            dk_node_detach(c);
            if (dk_node_append(prev, c) < 0) {
                dk_node_free(c);
                return oom(st);
            }
        }
        if (is_kind(n, "question"))
            st->questions--;
        dk_node_detach(n);
        dk_node_free(n);
        if (!dk_node_attr(prev, DK_ATTR_KIND) && mark_question(st, prev) < 0)
            return -1;
    }
    return 0;
}

/* "The force should ...", "The constabulary should ...": an area for
 * improvement as the inspectorate words them. */
static bool finding(const char *t)
{
    static const char *const subjects[] = {"The force ", "The constabulary ",
                                           "The service ", "Forces "};
    for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
        size_t n = strlen(subjects[i]);
        if (!strncasecmp(t, subjects[i], n) &&
            (!strncasecmp(t + n, "should ", 7) || !strncasecmp(t + n, "must ", 5)))
            return true;
    }
    return false;
}

/* Is the letter from the inspectorate itself (whose findings in it are its
 * own words, not quotations)? */
static bool from_inspectorate(const dk_node *letter)
{
    static const char *const marks[] = {"Inspectorate", "Inspector of Constabulary",
                                        "HMIC", NULL};
    bool yes = false;
    for (const dk_node *s = dk_node_first(letter); s && !yes; s = dk_node_next(s)) {
        if (dk_node_type(s) != DK_SENDER && dk_node_type(s) != DK_SIGNATURE)
            continue;
        char *t_copy = NULL;
        const char *t = text(s, &t_copy, NULL);
        for (const char *const *m = marks; t && *m && !yes; m++)
            yes = strstr(t, *m) != NULL;
        free(t_copy);
    }
    return yes;
}

/* An areas-for-improvement (or causes-of-concern) section written as
 * paragraphs, one finding each, gets them as the items of a list; a
 * lead-in ending with a colon stays a paragraph. A section that already
 * has a list is left as it is. */
static int findings_as_list(state *st, dk_node *parent)
{
    const char *kind = dk_node_attr(parent, DK_ATTR_KIND);
    if (dk_node_type(parent) != DK_SECTION || !kind ||
        (strcmp(kind, "areas-for-improvement") && strcmp(kind, "causes-of-concern")) ||
        dk_node_child(parent, DK_LIST))
        return 0;
    dk_node *list = NULL;
    for (dk_node *n = dk_node_first(parent), *next; n; n = next) {
        next = dk_node_next(n);
        if (dk_node_type(n) != DK_P)
            continue;
        char *t_copy = NULL;
        size_t len;
        const char *t = text(n, &t_copy, &len);
        if (!t)
            return oom(st);
        bool lead_in = len && t[len - 1] == ':';
        free(t_copy);
        if (lead_in)
            continue;
        if (!list) {
            list = dk_node_new(DK_LIST);
            if (!list || dk_node_set_attr(list, DK_ATTR_TYPE, "bullet") < 0 ||
                dk_node_insert_before(parent, n, list) < 0) {
                dk_node_free(list);
                return oom(st);
            }
            const char *off = dk_node_attr(n, DK_ATTR_OFFSET);
            if (off && dk_node_set_attr(list, DK_ATTR_OFFSET, off) < 0)
                return oom(st);
        }
        dk_node *item = dk_node_add(list, DK_ITEM);
        if (!item)
            return oom(st);
        dk_node_detach(n);
        if (dk_node_append(item, n) < 0) {
            dk_node_free(n);
            return oom(st);
        }
    }
    return 0;
}

static int section(state *st, dk_node *s, bool deep)
{
    static const char *const *const findings[] = {afi_names, coc_names, NULL};
    static const char *const kinds[] = {"areas-for-improvement", "causes-of-concern"};
    int which = heading_among(s, findings);
    if (which >= 0)
        return dk_node_set_attr(s, DK_ATTR_KIND, kinds[which]) < 0
                   ? oom(st) : blocks_of(st, s, deep);
    if (grade_from_heading(st, s) < 0)
        return -1;
    if (asks(s) && mark_question(st, s) < 0)
        return -1;
    return blocks_of(st, s, deep);
}

/* An areas-for-improvement or causes-of-concern section that follows a
 * question belongs inside it; "Recommendations" right after a cause of
 * concern are that cause's. */
static void nest_findings(dk_node *parent)
{
    for (dk_node *n = dk_node_first(parent), *next; n; n = next) {
        next = dk_node_next(n);
        const char *kind = dk_node_attr(n, DK_ATTR_KIND);
        dk_node *prev = dk_node_prev(n);
        if (dk_node_type(n) == DK_SECTION && !kind && prev && heading_is(n, rec_names)) {
            /* the cause may already be in its question; recommendations
             * that say what concern they address ("To address this cause
             * of concern, ...") or that the question's areas for
             * improvement follow, not a report's own list of them */
            dk_node *cause = is_kind(prev, "question") ? dk_node_last(prev) : prev;
            bool addressed = false;
            if (is_kind(cause, "causes-of-concern")) {
                char *words = dk_node_text_content(n);
                addressed = (words && strcasestr(words, "concern")) ||
                            (next && is_kind(next, "areas-for-improvement"));
                free(words);
            }
            if (addressed) {
                dk_node_detach(n);
                if (dk_node_append(cause, n) < 0)
                    dk_node_insert_before(parent, next, n);
                continue;
            }
        }
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

/* The blocks of parent read: sections, letters and the body entered
 * (deep), or, when the blocks below were read already and only pillars
 * may have changed since (!deep), only the pillars entered, and they
 * only one level: what pillars() moves into one is read, and reading it
 * again changes nothing, but a pillar's own blocks (its overall grade,
 * the paragraph of its introducer, findings after its questions) are
 * new to each other. */
static int blocks_of(state *st, dk_node *parent, bool deep)
{
    for (dk_node *n = dk_node_first(parent), *next; n; n = next) {
        next = dk_node_next(n);
        dk_type type = dk_node_type(n);
        if (!deep && (type == DK_LETTER || type == DK_BODY ||
                      (type == DK_SECTION && !is_kind(n, "pillar"))))
            continue;
        switch (type) {
        case DK_SECTION:
            if (section(st, n, deep) < 0)
                return -1;
            break;
        case DK_LETTER: {
            bool was = st->quoting;
            st->quoting = !from_inspectorate(n);
            int r = blocks_of(st, n, true);
            st->quoting = was;
            if (r < 0)
                return -1;
            break;
        }
        case DK_BODY:
            if (blocks_of(st, n, true) < 0)
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
            /* lists and quotes are not entered: their paragraphs stay */
            char *t_copy = NULL;
            const char *t = st->quoting ? text(n, &t_copy, NULL) : "";
            if (!t)
                return oom(st);
            bool afi = st->quoting && finding(t);
            free(t_copy);
            if (afi && quote_paragraph(st, n) < 0)
                return -1;
            break;
        }
        default:
            break;
        }
    }
    if (judgement_labels(st, parent) < 0)
        return -1;
    nest_findings(parent);
    return findings_as_list(st, parent);
}

/* ---- pillars ---------------------------------------------------------------- */

/* The heading's text without a trailing colon, year or full stop. */
static const char *heading_words(const dk_node *section, size_t *len,
                                 char **t_copy)
{
    dk_node *h = dk_node_child(section, DK_HEADING);
    *t_copy = NULL;
    size_t n = 0;
    const char *t = h ? text(h, t_copy, &n) : NULL;
    while (n && strchr(" :.", t[n - 1]))
        n--;
    if (n > 5 && dkr_find_year(t + n - 4, 4) && t[n - 5] == ' ')
        n -= 5;
    *len = n;
    return t;
}

enum { HEADS_NOTHING, HEADS_PILLAR, HEADS_INTRODUCER };

/* What a section's heading says of its place among pillars: a PEEL pillar
 * named in a heading of its own ("Effectiveness", "Police efficiency",
 * "Legitimacy 2016"), or a heading that introduces the questions of a
 * pillar ("Questions for Effectiveness"). */
static int heads(const dk_node *section)
{
    static const char *const pillars[] = {"effectiveness", "efficiency",
                                          "legitimacy", "leadership"};
    size_t n;
    char *t_copy = NULL;
    const char *t = heading_words(section, &n, &t_copy);
    int what = HEADS_NOTHING;
    if (t && (dkr_text_eq(t, n, "questions") ||
              (n > 14 && (!strncasecmp(t, "questions for ", 14) ||
                          !strncasecmp(t, "questions on ", 13) ||
                          !strncasecmp(t, "questions about ", 16)))))
        what = HEADS_INTRODUCER;
    const char *s = t;
    if (t && n > 7 && !strncasecmp(s, "police ", 7))
        s += 7, n -= 7;
    else if (t && n > 5 && !strncasecmp(s, "peel ", 5))
        s += 5, n -= 5;
    for (size_t i = 0; t && what == HEADS_NOTHING && i < sizeof pillars / sizeof pillars[0]; i++)
        if (dkr_text_eq(s, n, pillars[i]))
            what = HEADS_PILLAR;
    free(t_copy);
    return what;
}

/* A heading's words as a paragraph appended to parent, with offset (if
 * any); the heading goes. */
static int heading_to_paragraph(state *st, dk_node *parent, dk_node *h,
                                const char *off)
{
    dk_node *p = dk_node_add(parent, DK_P);
    if (!p || (off && dk_node_set_attr(p, DK_ATTR_OFFSET, off) < 0))
        return oom(st);
    while (h && dk_node_first(h)) {
        dk_node *c = dk_node_first(h);
        dk_node_detach(c);
        if (dk_node_append(p, c) < 0) {
            dk_node_free(c);
            return oom(st);
        }
    }
    if (h) {
        dk_node_detach(h);
        dk_node_free(h);
    }
    return 0;
}

/* The introducer's heading becomes a paragraph of the pillar, its blocks
 * follow it. A second heading in it (no reader makes one, a hand-made
 * tree may) becomes a paragraph too: moved as it is, it would head the
 * pillar on a second run. */
static int unwrap_introducer(state *st, dk_node *pillar, dk_node *intro)
{
    if (heading_to_paragraph(st, pillar, dk_node_child(intro, DK_HEADING),
                             dk_node_attr(intro, DK_ATTR_OFFSET)) < 0)
        return -1;
    while (dk_node_first(intro)) {
        dk_node *c = dk_node_first(intro);
        if (dk_node_type(c) == DK_HEADING) {
            if (heading_to_paragraph(st, pillar, c, dk_node_attr(c, DK_ATTR_OFFSET)) < 0)
                return -1;
            continue;
        }
        dk_node_detach(c);
        if (dk_node_append(pillar, c) < 0) {
            dk_node_free(c);
            return oom(st);
        }
    }
    dk_node_detach(intro);
    dk_node_free(intro);
    return 0;
}

static int unmark_question(state *st, dk_node *section, const char *kind)
{
    if (is_kind(section, "question"))
        st->questions--;
    return dk_node_set_attr(section, DK_ATTR_KIND, kind) < 0 ? oom(st) : 0;
}

/* Does the section hold question sections? */
static bool holds_questions(const dk_node *section)
{
    for (dk_node *c = dk_node_first(section); c; c = dk_node_next(c))
        if (is_kind(c, "question"))
            return true;
    return false;
}

/* A pillar being filled with the blocks after its first section. */
typedef struct filling {
    bool graded;     /* it has its overall judgement */
    bool questions;  /* it holds a question */
    bool seen_intro; /* an introducer came */
    bool intro;      /* an introducer comes before the next pillar */
} filling;

static filling start_filling(const dk_node *pillar, bool intro)
{
    filling f = {.graded = dk_node_child(pillar, DK_GRADE) != NULL, .intro = intro};
    /* a pillar made by an earlier run holds its questions already */
    for (dk_node *c = dk_node_first(pillar); c && !f.questions; c = dk_node_next(c))
        f.questions = is_kind(c, "question");
    return f;
}

/* Does the pillar take block c (an introducer or not), the next after
 * what it took? A section that is no question, after its questions,
 * closes it (an introducer does not), and so does any other block after
 * them. *overall: c is the pillar's overall judgement, a graded section
 * before the questions that asks nothing ("How well the force tackles
 * crime"), or any when the pillar's questions are introduced after it. */
static bool takes(filling *f, const dk_node *c, bool is_intro, bool *overall)
{
    bool q = is_kind(c, "question"), section = dk_node_type(c) == DK_SECTION;
    if (f->questions && (!section || (!q && !is_intro)))
        return false;
    *overall = !f->graded && q && !f->questions && !f->seen_intro &&
               dk_node_child(c, DK_GRADE) && (!asks(c) || f->intro);
    if (*overall) {
        f->graded = true;
        q = false;
    }
    f->questions |= q;
    f->seen_intro |= is_intro;
    return true;
}

/*
 * PEEL pillars. A pillar opens at a heading that names one ("Effectiveness")
 * or, on pages that do not name it, at the first section before a
 * "Questions for ..." introducer. It holds its overall judgement (the
 * grade of its own heading, or of the graded section right after a
 * pillar's name: "How well the force tackles crime" + "Ungraded", which is
 * no question), the introducer as a paragraph, and its questions; it ends
 * at the next pillar, or at the first section after its questions that is
 * not one. Returns 1 if it changed the body (moved a block, a grade or
 * marked a pillar), 0 if not, -1 out of memory.
 */
static int pillars(state *st, dk_node *body)
{
    bool changed = false;
    /* the pillars' first sections */
    size_t n = 0;
    for (dk_node *c = dk_node_first(body); c; c = dk_node_next(c))
        n++;
    bool *head = calloc(n + 1, sizeof *head);
    bool *intro_at = calloc(n + 1, sizeof *intro_at); /* an introducer */
    bool *named_at = calloc(n + 1, sizeof *named_at);  /* a pillar's name */
    dk_node **kids = calloc(n + 1, sizeof *kids);
    if (!head || !intro_at || !named_at || !kids) {
        free(head);
        free(intro_at);
        free(named_at);
        free(kids);
        return oom(st);
    }
    size_t i = 0, last_head = 0;
    bool any_head = false, last_named = false;
    /* the open pillar as it would be filled below, followed once over
     * the blocks up to at: closed, or with an asked question */
    filling f = {0};
    size_t at = 0;
    bool closed = false, asked = false;
    for (dk_node *c = dk_node_first(body); c; c = dk_node_next(c))
        kids[i++] = c;
    /* (the headings do not change below until an introducer goes) */
    for (i = 0; i < n; i++) {
        int what = dk_node_type(kids[i]) == DK_SECTION ? heads(kids[i]) : HEADS_NOTHING;
        intro_at[i] = what == HEADS_INTRODUCER;
        named_at[i] = what == HEADS_PILLAR;
    }
    for (i = 0; i < n; i++) {
        if (dk_node_type(kids[i]) != DK_SECTION)
            continue;
        if (named_at[i]) {
            head[i] = any_head = last_named = true;
            last_head = i;
            f = start_filling(kids[i], true);
            at = i + 1;
            closed = asked = false;
        } else if (intro_at[i]) {
            /* it belongs to the pillar opened before it, unless questions
             * came since: then the pillar opens at the overall question
             * before it (and the sections between). A question right
             * after a pillar's name is that pillar's overall question
             * ("Efficiency", "How efficient is the force at ...?") */
            size_t k = i, from = any_head ? last_head + 1 : 0;
            /* nor when that pillar closes before it (as it is filled
             * below): the sections from there are then a pillar of their
             * own, opened in this pass rather than the next */
            bool overall;
            while (any_head && !closed && at < i) {
                if (!takes(&f, kids[at], intro_at[at], &overall)) {
                    closed = true; /* at: the block that closed it */
                    break;
                }
                asked |= is_kind(kids[at], "question") && asks(kids[at]) &&
                         !(last_named && at == last_head + 1);
                at++;
            }
            if (closed)
                from = at;
            bool named = any_head && !closed && !asked;
            /* back over sections of no kind (areas for improvement and
             * causes of concern never open a pillar), but not past one
             * that holds questions of its own: it would open a pillar
             * that ends before the introducer, and the next run would
             * look back again */
            while (!named && k > from && dk_node_type(kids[k - 1]) == DK_SECTION &&
                   !intro_at[k - 1] && !dk_node_attr(kids[k - 1], DK_ATTR_KIND) &&
                   !holds_questions(kids[k - 1]))
                k--;
            if (!named && k > from && is_kind(kids[k - 1], "question"))
                k--;
            if (!named && k < i) {
                head[k] = any_head = true;
                last_head = k;
                last_named = false;
                f = start_filling(kids[k], true);
                at = k + 1;
                closed = asked = false;
            }
        }
    }
    int r = 0;
    for (i = 0; i < n && r == 0; i++) {
        if (!head[i])
            continue;
        dk_node *pillar = kids[i];
        /* does an introducer come in the pillar? */
        bool intro = false;
        for (size_t j = i + 1; j < n && !head[j]; j++)
            intro |= intro_at[j];
        filling fill = start_filling(pillar, intro);
        changed |= !is_kind(pillar, "pillar");
        if ((r = unmark_question(st, pillar, "pillar")) < 0)
            break;
        for (size_t j = i + 1; j < n && !head[j] && r == 0; j++) {
            dk_node *c = kids[j];
            bool overall;
            if (!takes(&fill, c, intro_at[j], &overall))
                break;
            if (overall) {
                /* the overall judgement: its grade is the pillar's */
                dk_node *g = dk_node_child(c, DK_GRADE);
                dk_node_detach(g);
                dk_node *h = dk_node_child(pillar, DK_HEADING);
                if (dk_node_insert_before(pillar, h ? dk_node_next(h) : dk_node_first(pillar), g) < 0) {
                    dk_node_free(g);
                    r = oom(st);
                    break;
                }
                /* no question, and marked so when its heading asks one,
                 * so that a second run leaves it as it is */
                if ((r = unmark_question(st, c, asks(c) ? "none" : NULL)) < 0)
                    break;
            }
            changed = true;
            dk_node_detach(c);
            if (intro_at[j]) {
                dk_node_append(pillar, c); /* detached into the pillar first */
                r = unwrap_introducer(st, pillar, c);
            } else if (dk_node_append(pillar, c) < 0) {
                dk_node_free(c);
                r = oom(st);
            }
        }
    }
    free(head);
    free(intro_at);
    free(named_at);
    free(kids);
    return r < 0 ? r : changed;
}

/* Every heading's level is the depth of its section. */
static bool heading_level(dk_node *n)
{
    int level = 0;
    for (dk_node *p = dk_node_parent(n); p; p = dk_node_parent(p))
        level += dk_node_type(p) == DK_SECTION;
    if (level > 6)
        level = 6; /* the vocabulary has six levels; deeper ones share the sixth */
    return level == 0 || dk_node_set_attr_int(n, DK_ATTR_LEVEL, level) == 0;
}

/* The force the text names most: "<Name> Police" or "<Name> Constabulary",
 * the name being one to three capitalised words, which "and" or "&" may
 * join ("Avon and Somerset Constabulary"; "of" only in "City of London
 * Police"). */
typedef struct tally {
    char name[128];
    int count;
} tally;

typedef struct scan {
    tally best, *all;
    size_t n_all, cap;
    int year;
    bool failed;
} scan;

static void count_forces(const char *t, scan *sc)
{
    static const char *const suffixes[] = {" Police", " Constabulary"};
    static const char *const stop[] = {"The", "Her", "His", "Majesty's",
                                       "Majesty\xE2\x80\x99s", "Inspectorate",
                                       "Chief", "HM", "HMIC", "HMICFRS",
                                       /* people and papers that name a force */
                                       "Constable", "Commissioner", "Officer",
                                       "Officers", "Staff", "Members", "Report",
                                       "Inspection", "Inspector", "Inspectors",
                                       NULL};
    for (int k = 0; k < 2; k++) {
        const char *suffix = suffixes[k];
        for (const char *p = strstr(t, suffix); p; p = strstr(p + 1, suffix)) {
            /* walk back over up to three capitalised words */
            const char *start = p, *we = p;
            int words = 0;
            bool joined = false; /* a joining word since the last name word */
            while (words < 3) {
                const char *ws = we;
                while (ws > t && !isspace((unsigned char)ws[-1]) && ws[-1] != '(')
                    ws--;
                /* "of" joins only after "City" ("City of London"): after
                 * other words it names what belongs to the force */
                bool of = (size_t)(we - ws) == 2 && !strncmp(ws, "of", 2) && ws - t >= 5 &&
                          !strncmp(ws - 5, "City ", 5);
                if (words && !joined &&
                    (((size_t)(we - ws) == 3 && !strncmp(ws, "and", 3)) || of ||
                     ((size_t)(we - ws) == 1 && *ws == '&'))) {
                    /* kept only if a name word stands before it */
                    joined = true;
                    if (ws == t || ws[-1] != ' ')
                        break;
                    we = ws - 1;
                    continue;
                }
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
                joined = false;
                if (ws == t || ws[-1] != ' ')
                    break;
                we = ws - 1;
            }
            if (!words)
                continue;
            size_t len = (size_t)(p - start) + strlen(suffix);
            if (len >= sizeof sc->best.name)
                continue;
            size_t i = 0;
            while (i < sc->n_all && (strlen(sc->all[i].name) != len ||
                                     strncmp(sc->all[i].name, start, len)))
                i++;
            if (i == sc->n_all) {
                if (sc->n_all == sc->cap) {
                    size_t cap = sc->cap ? sc->cap * 2 : 16;
                    tally *v = realloc(sc->all, cap * sizeof *v);
                    if (!v) {
                        sc->failed = true;
                        return;
                    }
                    sc->all = v;
                    sc->cap = cap;
                }
                memcpy(sc->all[i].name, start, len);
                sc->all[i].name[len] = '\0';
                sc->all[i].count = 0;
                sc->n_all++;
            }
            if (++sc->all[i].count > sc->best.count)
                sc->best = sc->all[i];
        }
    }
}

/* Over the whole document, once: every heading's level is the depth of
 * its section; in every text node, force names and the first year
 * mentioned. */
static int scan_text(dk_node *n, int depth, void *user)
{
    (void)depth;
    scan *sc = user;
    if (dk_node_type(n) == DK_HEADING && !heading_level(n))
        sc->failed = true;
    size_t len;
    const char *t = dk_node_text(n, &len);
    if (!t)
        return 0;
    count_forces(t, sc);
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

/*
 * An article's own date, when its text gives it only relative to a dated
 * event: "the report, published yesterday (February 18)" dates the
 * article 19 February; "today (March 1)" 1 March. A date without such a
 * word ("published on Tuesday (March 1)") is the report's, not the
 * article's, and gives nothing.
 */
static int article_date(state *st, dk_node *n)
{
    static const struct {
        const char *word;
        int days;
    } rel[] = {{"yesterday", 1}, {"today", 0}, {"this morning", 0},
               {"this afternoon", 0}, {"earlier today", 0}};
    for (dk_node *c = dk_node_first(n); c; c = dk_node_next(c)) {
        if (dk_node_type(c) != DK_P) {
            int r = dk_type_allows_text(dk_node_type(c)) ? 0 : article_date(st, c);
            if (r)
                return r;
            continue;
        }
        char *t_copy = NULL;
        const char *t = text(c, &t_copy, NULL);
        if (!t)
            return -1;
        int r = 0;
        for (size_t k = 0; k < sizeof rel / sizeof rel[0] && !r; k++) {
            const char *w = strcasestr(t, rel[k].word);
            dkr_date d;
            size_t a, b;
            /* the date right after the word: "yesterday (February 18)" */
            if (!w || !dkr_find_date(w, strlen(w), st->year_hint, &d, &a, &b) ||
                a > strlen(rel[k].word) + 3)
                continue;
            if (b < strlen(w) && w[b] == ')')
                b++;
            for (int i = 0; i < rel[k].days; i++)
                dkr_date_next(&d);
            dk_node *date = meta_date(st);
            r = date && set_date(date, "published", w, b, &d) == 0 ? 1 : -1;
        }
        free(t_copy);
        if (r)
            return r;
    }
    return 0;
}

static bool has_date_role(const dk_node *meta, const char *role)
{
    for (dk_node *d = dk_node_first(meta); d; d = dk_node_next(d))
        if (dk_node_type(d) == DK_DATE && dk_node_attr(d, DK_ATTR_ROLE) &&
            !strcmp(dk_node_attr(d, DK_ATTR_ROLE), role))
            return true;
    return false;
}

/* The body's blocks read, then pillars grouped, until they stay as they
 * are: grouping a pillar can make the sections before an introducer read
 * differently, and what it moves into a pillar is read as part of it the
 * next time (the pillars only: the rest was read in the first round); the
 * transform must give on its own output what it gave (a second run
 * changes nothing). A few rounds at most; most documents take one, or two
 * when they have pillars. */
static int settle(state *st, dk_node *body)
{
    for (int round = 0; round < 4; round++) {
        if (blocks_of(st, body, round == 0) < 0)
            return -1;
        int r = pillars(st, body);
        if (r <= 0)
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
    st.updated = has_date_role(st.meta, "updated");
    if (settle(&st, body) < 0)
        return -1;
    scan *sc = calloc(1, sizeof *sc);
    dk_node *title = dk_node_child(st.meta, DK_TITLE);
    char *t_copy = NULL;
    const char *t = title ? text(title, &t_copy, NULL) : NULL;
    if (!sc || (title && !t)) {
        free(sc);
        free(t_copy);
        return oom(&st);
    }
    dk_node_walk(doc, scan_text, sc);
    int r = sc->failed ? oom(&st) : 0;
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
    free(sc->all);
    free(sc);
    free(t_copy);

    const char *kind = st.questions ? (st.updated ? "page" : "report") : "article";
    if (r == 0 && !st.questions && !dk_node_attr(doc, DK_ATTR_KIND) &&
        !has_date_role(st.meta, "published") && article_date(&st, body) < 0)
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
