/*
 * A letter's front matter, line by line: the date ("Date:" label dropped),
 * references ("Our ref: ..."), the subject, how the letter is sent
 * ("Private and confidential", kept before the letter), and the parties,
 * which party.c assembles and lt_add_parties() tells apart.
 */
#include "letter.h"

#include <stdlib.h>
#include <string.h>

/* The last line before the salutation, standing alone: the subject, unless
 * it is a name, role, phone, e-mail address or address line. */
static bool subject_line(const char *text, span line, const lt_parties *ps)
{
    span v;
    if (strchr(text, '\n') || !lt_subject_like(text))
        return false;
    if (lt_subject_label(line))
        return true;
    lt_line_kind k = lt_classify(line, &v);
    return ps->n > 0 && (k == LT_OTHER || k == LT_ORG) && !lt_has_postcode(line) &&
           !lt_has_street_word(line);
}

/* A date at the end of a line that runs a party together ("... CV32 4EL
 * 3 September 2014"): its start, or 0. */
static size_t trailing_date(span x, dkr_date *d)
{
    size_t a, b;
    if (!dkr_find_date(x.s, x.len, 0, d, &a, &b) || a == 0 || b + 1 < x.len)
        return 0;
    /* only where something else precedes it that is not a sentence */
    return lt_has_postcode((span){x.s, a}) ? a : 0;
}

static int add_p(dk_node *holder, span x)
{
    return lt_add_text(holder, DK_P, x);
}

int lt_front(lt_items *it, size_t from, size_t to, lt_parts *parts)
{
    for (size_t i = from; i < to; i++) {
        lt_item *x = &it->v[i];
        bool new_block = true;
        const char *text = lt_text(it, x);
        for (const char *l = text; *l;) {
            size_t len = strcspn(l, "\n");
            span line = lt_trim((span){l, len});
            l += len + (l[len] == '\n');
            if (!line.len)
                continue;
            dkr_date d;
            span found;
            if (lt_date_line(line, &d, &found)) {
                if (parts->date) {
                    if (add_p(parts->before, line) < 0) /* a second date */
                        return -1;
                } else if (!(parts->date = lt_written_date(found, &d))) {
                    return -1;
                }
                continue;
            }
            if (lt_reference_line(line)) {
                if (lt_add_text(parts->references, DK_REFERENCE, line) < 0)
                    return -1;
                continue;
            }
            if (!parts->subject && ((i + 1 == to && subject_line(text, line, &parts->front)) ||
                                    lt_subject_label(line))) {
                span subj = lt_subject_text(line);
                if (!(parts->subject = dk_node_new(DK_SUBJECT)) ||
                    dk_node_add_text(parts->subject, subj.s, subj.len) < 0)
                    return -1;
                continue;
            }
            if (lt_handling_line(line) && !lt_has_postcode(line)) {
                if (add_p(parts->before, line) < 0)
                    return -1;
                continue;
            }
            size_t at = parts->date ? 0 : trailing_date(line, &d);
            if (at) {
                span date = lt_trim((span){line.s + at, line.len - at});
                if (!(parts->date = lt_written_date(date, &d)))
                    return -1;
                line.len = at;
            }
            if (lt_party_line(&parts->front, line, new_block) < 0)
                return -1;
            new_block = false;
        }
    }
    return 0;
}

static bool reachable(const lt_party *p)
{
    return lt_party_has(p, DK_PHONE) || lt_party_has(p, DK_EMAIL);
}

/*
 * Who is who. The recipients are the parties addressed by an honorific or
 * a role ("Mr A. Parker", "The Chief Constable") that give no phone or
 * e-mail (a sender's block does); a recipient's block cut by a blank line
 * takes the next block when nothing conflicts (no second name or address).
 * Without an addressed party, the party nearest the salutation that gives
 * no phone or e-mail is the recipient. Every other party is a sender:
 * letterhead, sender's name and contact blocks are merged into one sender
 * where nothing conflicts, so that only a second person makes a second
 * sender.
 */
/* A name between an organisation and an address, with no role after it,
 * is a department of the organisation: "NORTHSHIRE POLICE / Professional
 * Standards / Westgate Police Station". */
static void departments(lt_party *p)
{
    for (size_t i = 1; i + 1 < p->n; i++)
        if (p->fields[i].type == DK_NAME && p->fields[i - 1].type == DK_ORG &&
            p->fields[i + 1].type == DK_LINE && !lt_honorific_len(p->fields[i].text))
            p->fields[i].type = DK_ORG;
}

int lt_add_parties(dk_node *letter, lt_parties *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        departments(&ps->v[i]);
    bool *is_rec = calloc(ps->n + 1, sizeof *is_rec);
    if (!is_rec)
        return -1;
    bool any = false;
    for (size_t i = 0; i < ps->n; i++) {
        lt_party *p = &ps->v[i];
        if (!p->addressed || reachable(p))
            continue;
        is_rec[i] = any = true;
        while (i + 1 < ps->n && !ps->v[i + 1].addressed &&
               !reachable(&ps->v[i + 1]) && lt_party_merge(p, &ps->v[i + 1]))
            i++;
    }
    for (size_t i = ps->n; !any && i-- > 0;)
        if (ps->v[i].n && !reachable(&ps->v[i]))
            is_rec[i] = any = true;
    /* senders, each merged into the one before where nothing conflicts */
    lt_party *sender = NULL;
    for (size_t i = 0; i < ps->n; i++) {
        if (is_rec[i] || !ps->v[i].n)
            continue;
        if (sender && lt_party_merge(sender, &ps->v[i]))
            continue;
        sender = &ps->v[i];
    }
    int r = 0;
    for (int pass = 0; pass < 2 && r == 0; pass++)
        for (size_t i = 0; i < ps->n && r == 0; i++) {
            if (!ps->v[i].n || is_rec[i] != (pass == 1))
                continue;
            dk_node *n = lt_party_node(pass ? DK_RECIPIENT : DK_SENDER, &ps->v[i]);
            if (!n || dk_node_append(letter, n) < 0) {
                dk_node_free(n);
                r = -1;
            }
        }
    free(is_rec);
    return r;
}
