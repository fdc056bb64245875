/*
 * After the closing: the signature (a name, then its roles, organisation,
 * phone and e-mail, line by line, blank lines or not), a date standing
 * under it (the letter's date when it has no other), then cc and
 * enclosure runs: "cc:" or "Enc." opens a run, the rest of its line and
 * the following lines of its block (or the list after a label standing
 * alone) are its entries. What is none of these (a second name, a
 * sentence, text of another document) stays after the letter.
 */
#include "letter.h"

#include <stdlib.h>
#include <string.h>

typedef struct closer {
    dk_node *letter;
    lt_parts *parts;
    dk_node *runs;     /* cc and enclosure elements, in order */
    lt_party sig;
    bool sig_open;     /* still reading the signature */
    bool has_name;
    dk_type run;       /* the open run, or 0 */
    bool run_next;     /* a label stood alone: the next block continues it */
} closer;

/* A date line under the signature: the letter's date if it has none. */
static int take_date(closer *c, span line, bool *taken)
{
    dkr_date d;
    span found;
    *taken = false;
    if (dk_node_child(c->letter, DK_DATE) || !lt_date_line(line, &d, &found))
        return 0;
    dk_node *date = lt_written_date(found, &d);
    if (!date || dk_node_insert_before(c->letter, dk_node_first(c->letter), date) < 0) {
        dk_node_free(date);
        return -1;
    }
    *taken = true;
    return 0;
}

static int sig_field(closer *c, dk_type t, span v)
{
    v = lt_trim(v);
    if (c->sig.n == c->sig.cap) {
        size_t cap = c->sig.cap ? c->sig.cap * 2 : 8;
        lt_field *nf = realloc(c->sig.fields, cap * sizeof *nf);
        if (!nf)
            return -1;
        c->sig.fields = nf;
        c->sig.cap = cap;
    }
    c->sig.fields[c->sig.n++] = (lt_field){t, v};
    return 0;
}

/* A sentence of prose, not a line of a signature. */
static bool prose(span x)
{
    return x.len > 120 || (x.len > 40 && x.s[x.len - 1] == '.');
}

/* One line of the signature; *ends when the line is not part of it. */
static int signature_line(closer *c, span line, bool *ends)
{
    span v;
    *ends = false;
    if (prose(line)) {
        *ends = true;
        return 0;
    }
    lt_line_kind k = lt_classify(line, &v);
    dk_type t;
    if (!c->has_name) {
        if (k == LT_PHONE || k == LT_EMAIL) {
            t = k == LT_PHONE ? DK_PHONE : DK_EMAIL;
        } else if (k == LT_RANK) {
            /* "Inspector Gareth Price": the rank, then the name */
            if (sig_field(c, DK_ROLE, (span){line.s, (size_t)(v.s - line.s)}) < 0)
                return -1;
            t = DK_NAME;
            c->has_name = true;
        } else {
            t = DK_NAME;
            v = line;
            c->has_name = true;
        }
    } else {
        switch (k) {
        case LT_NAME:
        case LT_RANK:
            *ends = true; /* another person's name, or another text */
            return 0;
        case LT_ORG: t = DK_ORG; break;
        case LT_PHONE: t = DK_PHONE; break;
        case LT_EMAIL: t = DK_EMAIL; break;
        case LT_ROLE: t = DK_ROLE; break;
        default:
            /* the line under the name is a role, whatever its words */
            t = lt_party_has(&c->sig, DK_ROLE) || lt_party_has(&c->sig, DK_ORG)
                    ? DK_LINE
                    : DK_ROLE;
            v = line;
        }
    }
    return sig_field(c, t, v);
}

/* One line after the signature. */
static int after_line(closer *c, span line, bool *kept)
{
    size_t ll;
    dk_type label = lt_label(line, &ll);
    *kept = true;
    if (label) {
        span rest = lt_trim((span){line.s + ll, line.len - ll});
        c->run = label;
        c->run_next = rest.len == 0;
        return lt_add_text(c->runs, label, rest);
    }
    if (c->run) {
        c->run_next = false;
        return lt_add_text(c->runs, c->run, line);
    }
    bool taken;
    if (take_date(c, line, &taken) < 0)
        return -1;
    *kept = taken;
    return 0;
}

/* The entries of a list that follows a label standing alone. */
static int list_entries(closer *c, dk_node *list)
{
    for (dk_node *item = dk_node_first(list); item; item = dk_node_next(item)) {
        char *t = dk_node_text_content(item);
        int r = t ? lt_add_text(c->runs, c->run, (span){t, strlen(t)}) : -1;
        free(t);
        if (r < 0)
            return -1;
    }
    return 0;
}

static bool line_block(const lt_item *x)
{
    return x->node && (dk_node_type(x->node) == DK_P || x->section);
}

int lt_closing(lt_items *it, size_t clo, dk_node *letter, lt_parts *parts)
{
    closer c = {.letter = letter, .parts = parts, .sig_open = true};
    int r = -1;
    if (!(c.runs = dk_node_new(DK_LETTER)))
        goto done;
    const char *t = lt_text(it, &it->v[clo]);
    size_t cl = dkr_letter_closing(t, strcspn(t, "\n"));
    if (lt_add_text(letter, DK_CLOSING, (span){t, cl}) < 0)
        goto done;
    size_t done_with = it->n; /* an item whose text may go */
    for (size_t i = clo; i < it->n; i++) {
        lt_item *x = &it->v[i];
        if (done_with < it->n)
            lt_forget(it, &it->v[done_with]);
        /* the signature's fields point into the texts it is read from */
        done_with = c.sig_open ? it->n : i;
        if (!line_block(x)) {
            c.sig_open = false;
            if (c.run_next && x->node && dk_node_type(x->node) == DK_LIST) {
                if (list_entries(&c, x->node) < 0)
                    goto done;
                c.run_next = false;
                continue;
            }
            c.run = 0;
            if (lt_rebuild(it, i, i + 1, parts->after) < 0)
                goto done;
            continue;
        }
        /* a run goes on into this block only after a label standing alone */
        if (!c.run_next)
            c.run = 0;
        c.run_next = false;
        const char *l = i == clo ? t + cl : lt_text(it, x);
        bool whole = i != clo, any_kept = false;
        dk_node *rest = dk_node_new(DK_P); /* lines none of the parts took */
        if (!rest)
            goto done;
        while (*l) {
            size_t len = strcspn(l, "\n");
            span line = lt_trim((span){l, len});
            l += len + (l[len] == '\n');
            if (!line.len)
                continue;
            bool ends = true, kept = false;
            if (c.sig_open && !lt_label(line, &(size_t){0})) {
                bool taken;
                if (take_date(&c, line, &taken) < 0 ||
                    (!taken && signature_line(&c, line, &ends) < 0)) {
                    dk_node_free(rest);
                    goto done;
                }
                kept = taken || !ends;
            }
            if (!kept) {
                c.sig_open = false;
                if (after_line(&c, line, &kept) < 0) {
                    dk_node_free(rest);
                    goto done;
                }
            }
            if (kept) {
                any_kept = true;
                continue;
            }
            if ((dk_node_first(rest) && !dk_node_add(rest, DK_BR)) ||
                dk_node_add_text(rest, line.s, line.len) < 0) {
                dk_node_free(rest);
                goto done;
            }
        }
        if (whole && !any_kept) {
            /* nothing of it belongs to the letter: the block as it was */
            dk_node_free(rest);
            if (lt_rebuild(it, i, i + 1, parts->after) < 0)
                goto done;
            continue;
        }
        if (!dk_node_first(rest)) {
            dk_node_free(rest);
        } else if (dk_node_append(parts->after, rest) < 0) {
            dk_node_free(rest);
            goto done;
        }
    }
    if (c.sig.n) {
        dk_node *s = lt_party_node(DK_SIGNATURE, &c.sig);
        if (!s || dk_node_append(letter, s) < 0) {
            dk_node_free(s);
            goto done;
        }
    }
    while (dk_node_first(c.runs)) {
        dk_node *n = dk_node_first(c.runs);
        dk_node_detach(n);
        if (dk_node_append(letter, n) < 0) {
            dk_node_free(n);
            goto done;
        }
    }
    r = 0;
done:
    dk_node_free(c.runs);
    free(c.sig.fields);
    return r;
}
