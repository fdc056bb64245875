/* Lines into parties: who a letter is from, to, and signed by. */
#include "letter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool lt_party_has(const lt_party *p, dk_type type)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->fields[i].type == type)
            return true;
    return false;
}

static int add_field(lt_party *p, dk_type type, span text)
{
    text = lt_trim(text);
    if (!text.len)
        return 0;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        lt_field *f = realloc(p->fields, cap * sizeof *f);
        if (!f)
            return -1;
        p->fields = f;
        p->cap = cap;
    }
    p->fields[p->n++] = (lt_field){type, text};
    if (type == DK_LINE && lt_has_postcode(text))
        p->postcode = true;
    return 0;
}

static lt_party *new_party(lt_parties *ps)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 8;
        lt_party *v = realloc(ps->v, cap * sizeof *v);
        if (!v)
            return NULL;
        ps->v = v;
        ps->cap = cap;
    }
    lt_party *p = &ps->v[ps->n++];
    memset(p, 0, sizeof *p);
    return p;
}

/* A house number at x.s[i]: one to four digits (perhaps with a letter,
 * "21a") followed by a capitalised word. */
static bool house_number_at(span x, size_t i)
{
    if (i > 0 && x.s[i - 1] != ' ')
        return false;
    size_t k = i;
    while (k < x.len && isdigit((unsigned char)x.s[k]) && k - i < 4)
        k++;
    if (k == i)
        return false;
    if (k < x.len && islower((unsigned char)x.s[k]))
        k++;
    return k + 1 < x.len && x.s[k] == ' ' && isupper((unsigned char)x.s[k + 1]);
}

/* Address text run together on one line: cut at commas, after street
 * words and around a postcode. */
static int address_text(lt_party *p, span x)
{
    size_t start = 0;
    for (size_t i = 0; i <= x.len; i++) {
        size_t pc = i < x.len ? lt_postcode_at(x, i) : 0;
        if (pc) {
            if (add_field(p, DK_LINE, (span){x.s + start, i - start}) < 0 ||
                add_field(p, DK_LINE, (span){x.s + i, pc}) < 0)
                return -1;
            start = i + pc;
            i += pc - 1;
            continue;
        }
        if (i == x.len || x.s[i] == ',') {
            if (add_field(p, DK_LINE, (span){x.s + start, i - start}) < 0)
                return -1;
            start = i + 1;
            continue;
        }
        /* "Newbold Terrace Leamington Spa": cut after the street word */
        if (i > start && x.s[i - 1] == ' ') {
            size_t wl = strcspn(x.s + i, " ,");
            if (wl > x.len - i)
                wl = x.len - i;
            size_t end = i + wl;
            if (lt_has_street_word((span){x.s + i, wl}) && end < x.len &&
                x.s[end] == ' ' && end + 1 < x.len &&
                !isdigit((unsigned char)x.s[end + 1])) {
                if (add_field(p, DK_LINE, (span){x.s + start, end - start}) < 0)
                    return -1;
                start = end;
            }
            if (wl)
                i = end - 1;
        }
    }
    return 0;
}

/* An address line of its own stays whole (commas and all), but for a
 * postcode at its end, which is a line of its own: "Eastbridge EM4 7QT". */
static int address_line(lt_party *p, span x)
{
    for (size_t i = 1; i < x.len; i++) {
        size_t pc = lt_postcode_at(x, i);
        if (pc && x.s[i - 1] == ' ')
            return add_field(p, DK_LINE, (span){x.s, i}) < 0 ||
                           add_field(p, DK_LINE, (span){x.s + i, x.len - i}) < 0
                       ? -1
                       : 0;
    }
    return add_field(p, DK_LINE, x);
}

/* End of the organisation's name at the start of x: through its last
 * organisation word before the address starts. */
static size_t org_end(span x)
{
    size_t end = 0;
    for (size_t i = 0; i < x.len; i++) {
        if (house_number_at(x, i))
            break;
        if ((i == 0 || x.s[i - 1] == ' ') && !isspace((unsigned char)x.s[i])) {
            size_t wl = strcspn(x.s + i, " ,");
            if (wl > x.len - i)
                wl = x.len - i;
            if (lt_has_org_word((span){x.s + i, wl}))
                end = i + wl;
            else if (end && i > end + 1)
                break; /* words after the organisation: the address */
        }
    }
    return end;
}

/* A line that holds a whole party, as PDF extraction leaves them: "Mr A.
 * Parker Chief Constable Warwickshire Police Warwickshire Justice Centre
 * Newbold Terrace Leamington Spa CV32 4EL". */
static bool run_together(span x)
{
    size_t words = 1;
    for (size_t i = 0; i < x.len; i++)
        words += x.s[i] == ' ';
    return words >= 6 && lt_has_postcode(x) && x.s[x.len - 1] != '.';
}

/* Where the organisation's name starts in x: the word before its first
 * organisation word when that is capitalised ("Home Office"), or the
 * organisation word; x.len if there is none. */
static size_t org_start(span x)
{
    size_t prev = x.len;
    for (size_t i = 0; i < x.len; i++) {
        if (i > 0 && x.s[i - 1] != ' ')
            continue;
        size_t wl = strcspn(x.s + i, " ,");
        if (wl > x.len - i)
            wl = x.len - i;
        if (wl && lt_has_org_word((span){x.s + i, wl}))
            return prev < x.len && isupper((unsigned char)x.s[prev]) ? prev : i;
        if (wl)
            prev = i;
    }
    return x.len;
}

static int split_run_together(lt_party *p, span x)
{
    size_t rlen, r = lt_find_role(x, &rlen);
    span rest = x;
    /* "Eastmoor Office of the Police and Crime Commissioner ...": the role
     * is in the organisation's name */
    if (r < x.len && lt_has_org_word((span){x.s, r}))
        r = x.len;
    if (r < x.len) {
        /* "Minister of State for Crime and Policing Home Office": a role
         * goes on through "of", "for" ... up to the organisation */
        span after = {x.s + r + rlen, x.len - r - rlen};
        if (lt_starts_ci(after, " of ") || lt_starts_ci(after, " for ") ||
            lt_starts_ci(after, " to ")) {
            size_t end = org_start(after);
            for (size_t i = 0; i < end; i++)
                if (house_number_at(after, i) || lt_postcode_at(after, i)) {
                    end = i;
                    break;
                }
            while (end > 0 && after.s[end - 1] == ' ')
                end--;
            rlen += end;
        }
        if (add_field(p, DK_NAME, (span){x.s, r}) < 0 ||
            add_field(p, DK_ROLE, (span){x.s + r, rlen}) < 0)
            return -1;
        rest = (span){x.s + r + rlen, x.len - r - rlen};
    }
    rest = lt_trim(rest);
    size_t house = rest.len;
    for (size_t i = 0; i < rest.len && house == rest.len; i++)
        if (house_number_at(rest, i))
            house = i;
    size_t oe = org_end(rest);
    if (house < rest.len && oe <= house)
        oe = house;
    if (oe) {
        if (add_field(p, DK_ORG, (span){rest.s, oe}) < 0)
            return -1;
        rest = (span){rest.s + oe, rest.len - oe};
    }
    return address_text(p, lt_trim(rest));
}

/* Does a line of this kind begin a new party after what p holds? */
static bool begins_party(const lt_party *p, lt_line_kind kind, span x)
{
    if (p->n == 0)
        return false;
    bool address = lt_party_has(p, DK_LINE) || lt_party_has(p, DK_PHONE) ||
                   lt_party_has(p, DK_EMAIL);
    switch (kind) {
    case LT_NAME:
    case LT_RANK:
        return lt_party_has(p, DK_NAME) || address ||
               ((lt_honorific_len(x) || kind == LT_RANK) && lt_party_has(p, DK_ORG));
    case LT_ROLE:
        return address || (lt_role_addressee(x) && lt_party_has(p, DK_ROLE));
    case LT_ORG:
        return address;
    default:
        return false;
    }
}

/* "and Fire & Rescue Services" under "Her Majesty's Inspectorate of
 * Constabulary": a line of the same block that starts with a joining word
 * goes on with the organisation's name on the line before. Extends that
 * field over the line break (lt_party_node joins the lines). */
static bool continues_org(lt_party *p, span x)
{
    static const char *const joins[] = {"and ", "& ", "of ", "for ", NULL};
    if (!p || !p->n || p->fields[p->n - 1].type != DK_ORG)
        return false;
    bool joined = false;
    for (const char *const *j = joins; *j && !joined; j++)
        joined = x.len > strlen(*j) && !strncmp(x.s, *j, strlen(*j));
    span *org = &p->fields[p->n - 1].text;
    if (!joined || x.s < org->s + org->len)
        return false;
    for (const char *c = org->s + org->len; c < x.s; c++)
        if (!isspace((unsigned char)*c))
            return false;
    org->len = (size_t)(x.s + x.len - org->s);
    return true;
}

int lt_party_line(lt_parties *ps, span x, bool new_block)
{
    x = lt_trim(x);
    if (!x.len)
        return 0;
    span value;
    lt_line_kind kind = lt_classify(x, &value);
    lt_party *p = ps->n ? &ps->v[ps->n - 1] : NULL;
    if (!new_block && (kind == LT_ORG || kind == LT_OTHER) && continues_org(p, x))
        return 0;
    /* two capitalised words inside an address, before its postcode, are a
     * place ("Leamington Spa"), not a person */
    if (p && !new_block && kind == LT_NAME && !lt_honorific_len(x) &&
        lt_party_has(p, DK_LINE) && !p->postcode)
        kind = LT_OTHER;
    if (!p || new_block || begins_party(p, kind, x)) {
        if (!(p = new_party(ps)))
            return -1;
        p->addressed = lt_honorific_len(x) || lt_role_addressee(x) || kind == LT_RANK;
    }
    switch (kind) {
    case LT_NAME: return add_field(p, DK_NAME, value);
    case LT_RANK:
        return add_field(p, DK_ROLE, (span){x.s, (size_t)(value.s - x.s)}) < 0
                   ? -1
                   : add_field(p, DK_NAME, value);
    case LT_ROLE: return add_field(p, DK_ROLE, value);
    case LT_ORG: return add_field(p, DK_ORG, value);
    case LT_PHONE: return add_field(p, DK_PHONE, value);
    case LT_EMAIL: return add_field(p, DK_EMAIL, value);
    default:
        if (p->n == 0 && run_together(x))
            return split_run_together(p, x);
        return address_line(p, x);
    }
}

bool lt_party_merge(lt_party *a, lt_party *b)
{
    if ((lt_party_has(a, DK_NAME) && lt_party_has(b, DK_NAME)) ||
        (lt_party_has(a, DK_LINE) && lt_party_has(b, DK_LINE)))
        return false;
    for (size_t i = 0; i < b->n; i++) {
        if (a->n == a->cap) {
            size_t cap = a->cap ? a->cap * 2 : 8;
            lt_field *f = realloc(a->fields, cap * sizeof *f);
            if (!f)
                return false; /* b stays whole: nothing lost */
            a->fields = f;
            a->cap = cap;
        }
        a->fields[a->n++] = b->fields[i];
    }
    a->postcode |= b->postcode;
    a->addressed |= b->addressed;
    b->n = 0;
    return true;
}

/* A field's text, its lines joined by single spaces. */
static int add_joined(dk_node *into, dk_type t, span x)
{
    if (!memchr(x.s, '\n', x.len))
        return lt_add_text(into, t, x);
    char *buf = malloc(x.len);
    if (!buf)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < x.len; i++) {
        if (isspace((unsigned char)x.s[i])) {
            if (n && buf[n - 1] != ' ')
                buf[n++] = ' ';
        } else {
            buf[n++] = x.s[i];
        }
    }
    int r = lt_add_text(into, t, (span){buf, n});
    free(buf);
    return r;
}

dk_node *lt_party_node(dk_type type, const lt_party *p)
{
    /* the vocabulary's order: name, roles, organisations, the address,
     * phones, e-mail addresses; a second name (which a party never gets
     * from lt_party_line) would be kept as an address line */
    static const dk_type order[] = {DK_NAME, DK_ROLE, DK_ORG, DK_LINE,
                                    DK_PHONE, DK_EMAIL};
    dk_node *n = dk_node_new(type), *address = NULL;
    size_t name = p->n;
    if (!n)
        return NULL;
    for (size_t i = 0; i < p->n && name == p->n; i++)
        if (p->fields[i].type == DK_NAME)
            name = i;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        for (size_t i = 0; i < p->n; i++) {
            const lt_field *f = &p->fields[i];
            dk_type t = f->type == DK_NAME && i != name ? DK_LINE : f->type;
            if (t != order[k])
                continue;
            dk_node *into = n;
            if (t == DK_LINE) {
                if (!address && !(address = dk_node_add(n, DK_ADDRESS)))
                    goto fail;
                into = address;
            }
            if (add_joined(into, t, f->text) < 0)
                goto fail;
        }
    return n;
fail:
    dk_node_free(n);
    return NULL;
}

void lt_parties_free(lt_parties *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->v[i].fields);
    free(ps->v);
    memset(ps, 0, sizeof *ps);
}
