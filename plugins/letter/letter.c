/*
 * letter: finds the parts of a letter in any document and marks it
 * document[kind=letter].
 *
 * The body's blocks are read in order. The salutation ("Dear ...", or a
 * short line ending in a comma before the body, as in the damaged "Keer
 * Amber,") and the closing ("Yours sincerely", "Yours faithfully", ...)
 * divide them: before the salutation are the letterhead, sender,
 * recipient, date, reference and subject; between them the body; after the
 * closing the signature, cc and enclosures. Text after the signature that
 * is none of these is kept after the letter, outside it.
 *
 * Parties are read line by line (a reader keeps the lines of such blocks
 * apart with line breaks): phone and e-mail by their labels, postcodes,
 * house numbers and street words for addresses, honorifics and role words
 * for names and roles, organisation words for organisations. A line that
 * runs a whole party together ("The Rt. Hon Amber Rudd MP Home Secretary
 * Home Office 2 Marsham Street London SW1P 4DF") is cut at those marks.
 * The recipient is the party addressed by an honorific; a party with a
 * phone or e-mail, or the other one, is the sender.
 */
#define _GNU_SOURCE
#include <docket/docket.h>

#include "rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- words ------------------------------------------------------------------- */

static const char *const honorifics[] = {
    "The Rt. Hon ", "The Rt Hon ", "Rt. Hon ", "Rt Hon ", "The Right Honourable ",
    "Mr ", "Mr. ", "Mrs ", "Mrs. ", "Ms ", "Ms. ", "Miss ", "Dr ", "Dr. ",
    "Sir ", "Dame ", "Lord ", "Lady ", "Professor ", "Prof. ", "Cllr ",
    "Councillor ", NULL};

/* Longest first: the first match wins. */
static const char *const roles[] = {
    "Deputy Police and Crime Commissioner", "Police and Crime Commissioner",
    "Her Majesty's Chief Inspector of Constabulary",
    "Her Majesty's Inspector of Constabulary", "HM Inspector of Constabulary",
    "Assistant Chief Constable", "Deputy Chief Constable",
    "Temporary Chief Constable", "Chief Constable", "Home Secretary",
    "Secretary of State", "Chief Executive", "Chief Superintendent",
    "Superintendent", "Chief Inspector", "Inspector", "Commissioner",
    "Director", "Minister", "Chairman", "Chair", "Mayor", "Clerk",
    "Secretary", "Head of", "Manager", "Officer", NULL};

static const char *const org_words[] = {
    "Police", "Constabulary", "Office", "Inspectorate", "Council", "Department",
    "Service", "Authority", "Agency", "Commission", "Panel", "Trust", "Ltd",
    "Limited", "PCC", "OPCC", "HMIC", "HMICFRS", "Ministry", "Parliament", NULL};

static const char *const street_words[] = {
    "Street", "Road", "Place", "Terrace", "Lane", "Avenue", "Centre", "Center",
    "House", "Square", "Way", "Close", "Drive", "Court", "Building", "Buildings",
    "Park", "Row", "Hill", "Gardens", "Headquarters", "Hall", "Walk", NULL};

static bool word_at(const char *s, size_t len, size_t i, const char *w)
{
    size_t n = strlen(w);
    return i + n <= len && !strncmp(s + i, w, n) &&
           (i == 0 || !isalnum((unsigned char)s[i - 1])) &&
           (i + n == len || !isalnum((unsigned char)s[i + n]));
}

static bool has_word(const char *s, size_t len, const char *const *words)
{
    for (size_t i = 0; i < len; i++)
        for (const char *const *w = words; *w; w++)
            if (word_at(s, len, i, *w))
                return true;
    return false;
}

static size_t honorific_len(const char *s, size_t len)
{
    for (const char *const *h = honorifics; *h; h++) {
        size_t n = strlen(*h);
        if (len > n && !strncmp(s, *h, n))
            return n;
    }
    return 0;
}

static bool starts_ci(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && strncasecmp(s, p, n) == 0;
}

/* A UK postcode at s[i..]: "SW1P 4DF", "B3 2PW", "CV32 4EL". Returns its
 * length. */
static size_t postcode_at(const char *s, size_t len, size_t i)
{
    size_t k = i, letters = 0, digits = 0;
    if (i > 0 && isalnum((unsigned char)s[i - 1]))
        return 0;
    while (k < len && isupper((unsigned char)s[k]) && letters < 2)
        k++, letters++;
    if (!letters || k >= len || !isdigit((unsigned char)s[k]))
        return 0;
    while (k < len && isdigit((unsigned char)s[k]) && digits < 2)
        k++, digits++;
    if (k < len && isupper((unsigned char)s[k]) && k + 1 < len && s[k + 1] == ' ')
        k++;
    if (k >= len || s[k] != ' ')
        return 0;
    k++;
    if (k + 3 > len || !isdigit((unsigned char)s[k]) ||
        !isupper((unsigned char)s[k + 1]) || !isupper((unsigned char)s[k + 2]))
        return 0;
    k += 3;
    if (k < len && isalnum((unsigned char)s[k]))
        return 0;
    return k - i;
}

/* ---- lines -------------------------------------------------------------------- */

typedef struct span {
    const char *s;
    size_t len;
} span;

static span trim(span x)
{
    while (x.len && (isspace((unsigned char)x.s[0]) || x.s[0] == ','))
        x.s++, x.len--;
    while (x.len && (isspace((unsigned char)x.s[x.len - 1]) || x.s[x.len - 1] == ','))
        x.len--;
    return x;
}

/* A party being assembled. */
typedef struct party {
    span name, role, org, phone, email;
    span address[12];
    int n_address;
    int lines;
    bool addressed; /* has an honorific */
} party;

static void add_address(party *p, span x)
{
    x = trim(x);
    if (x.len && p->n_address < 12)
        p->address[p->n_address++] = x;
}

/* Address text: split at commas, after street words, before a postcode. */
static void add_address_text(party *p, span x)
{
    size_t start = 0;
    for (size_t i = 0; i <= x.len; i++) {
        size_t pc = i < x.len ? postcode_at(x.s, x.len, i) : 0;
        if (pc) {
            add_address(p, (span){x.s + start, i - start});
            add_address(p, (span){x.s + i, pc});
            start = i + pc;
            i += pc - 1;
            continue;
        }
        if (i == x.len || x.s[i] == ',') {
            add_address(p, (span){x.s + start, i - start});
            start = i + 1;
            continue;
        }
        for (const char *const *w = street_words; *w; w++)
            if (word_at(x.s, x.len, i, *w)) {
                size_t end = i + strlen(*w);
                /* "Newbold Terrace Leamington Spa": cut after the word */
                if (end < x.len && x.s[end] == ' ') {
                    add_address(p, (span){x.s + start, end - start});
                    start = end;
                }
                i = end - 1;
                break;
            }
    }
}

static bool person_like(span x)
{
    if (!x.len || x.len > 60 || has_word(x.s, x.len, org_words) ||
        has_word(x.s, x.len, street_words) || has_word(x.s, x.len, roles))
        return false;
    if (honorific_len(x.s, x.len))
        return true;
    int words = 0;
    bool in = false;
    for (size_t i = 0; i < x.len; i++) {
        unsigned char c = (unsigned char)x.s[i];
        if (isdigit(c) || c == '@' || c == ':')
            return false;
        if (c == ' ') {
            in = false;
        } else if (!in) {
            in = true;
            words++;
            if (!isupper(c))
                return false;
        }
    }
    return words >= 2 && words <= 5;
}

static bool role_like(span x)
{
    return x.len && x.len < 120 && has_word(x.s, x.len, roles) &&
           !isdigit((unsigned char)x.s[0]);
}

/* First position of a role phrase in x, or x.len. */
static size_t find_role(span x, size_t *rlen)
{
    for (size_t i = 0; i < x.len; i++)
        for (const char *const *r = roles; *r; r++)
            if (word_at(x.s, x.len, i, *r)) {
                *rlen = strlen(*r);
                return i;
            }
    *rlen = 0;
    return x.len;
}

/* A house number at x[i]: a word of one to four digits (perhaps with one
 * letter, "21a") followed by a word. */
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

/* End of the organisation name at the start of x: through the last
 * organisation word before the address starts. */
static size_t org_end(span x)
{
    size_t end = 0;
    for (size_t i = 0; i < x.len; i++) {
        if (house_number_at(x, i))
            break; /* the address */
        for (const char *const *w = org_words; *w; w++)
            if (word_at(x.s, x.len, i, *w)) {
                end = i + strlen(*w);
                break;
            }
        if (end && i > end + 1)
            break; /* words after the organisation: the address */
    }
    return end;
}

/* A line that holds a whole party. */
static void run_together(party *p, span x)
{
    size_t rlen, r = find_role(x, &rlen);
    span rest = x;
    if (r < x.len) {
        p->name = trim((span){x.s, r});
        p->role = (span){x.s + r, rlen};
        rest = (span){x.s + r + rlen, x.len - r - rlen};
    }
    rest = trim(rest);
    /* the organisation, up to a house number or the end of its words */
    size_t house = rest.len;
    for (size_t i = 0; i < rest.len && house == rest.len; i++)
        if (house_number_at(rest, i))
            house = i;
    size_t oe = org_end(rest);
    if (house < rest.len && oe <= house)
        oe = house;
    if (oe) {
        p->org = trim((span){rest.s, oe});
        rest = (span){rest.s + oe, rest.len - oe};
    }
    add_address_text(p, trim(rest));
    p->addressed = p->name.len && honorific_len(p->name.s, p->name.len);
}

static bool is_run_together(span x)
{
    size_t words = 1;
    for (size_t i = 0; i < x.len; i++)
        words += x.s[i] == ' ';
    bool pc = false;
    for (size_t i = 0; i < x.len && !pc; i++)
        pc = postcode_at(x.s, x.len, i) != 0;
    return words >= 6 && pc && x.s[x.len - 1] != '.';
}

/* One line of a party block. */
static void party_line(party *p, span x)
{
    x = trim(x);
    if (!x.len)
        return;
    p->lines++;
    static const char *const tel[] = {"Tel:", "Tel.", "Tel ", "Telephone:",
                                      "Phone:", "T:", NULL};
    static const char *const mail[] = {"E-mail:", "Email:", "E-mail ", "Email ",
                                       "E:", NULL};
    for (const char *const *t = tel; *t; t++)
        if (starts_ci(x.s, x.len, *t)) {
            p->phone = trim((span){x.s + strlen(*t), x.len - strlen(*t)});
            return;
        }
    for (const char *const *m = mail; *m; m++)
        if (starts_ci(x.s, x.len, *m)) {
            p->email = trim((span){x.s + strlen(*m), x.len - strlen(*m)});
            return;
        }
    if (memchr(x.s, '@', x.len) && !memchr(x.s, ' ', x.len)) {
        p->email = x;
        return;
    }
    if (is_run_together(x) && !p->name.len && !p->org.len) {
        run_together(p, x);
        return;
    }
    bool addr_started = p->n_address > 0;
    if (!p->name.len && person_like(x)) {
        p->name = x;
        return;
    }
    if (!p->role.len && role_like(x) &&
        !has_word(x.s, x.len, (const char *const[]){"Office", "Council",
                                                     "Inspectorate", NULL})) {
        p->role = x;
        return;
    }
    if (!addr_started && !p->org.len && has_word(x.s, x.len, org_words)) {
        size_t oe = org_end(x);
        bool numbered = false;
        for (size_t i = oe; i < x.len; i++)
            numbered |= isdigit((unsigned char)x.s[i]) != 0;
        if (oe && oe < x.len && numbered) { /* "Office of the PCC 3 Northgate Street ..." */
            p->org = trim((span){x.s, oe});
            add_address_text(p, trim((span){x.s + oe, x.len - oe}));
        } else {
            p->org = x;
        }
        return;
    }
    add_address_text(p, x);
}

/* ---- the letter's items --------------------------------------------------------- */

/* The body in reading order: headings (which open sections) and blocks. */
typedef struct item {
    dk_node *node;  /* a heading or a block (owned once taken) */
    char *offset;   /* the offset of the section a heading opened */
    char *text;     /* its text, lines separated by \n */
} item;

typedef struct items {
    item *v;
    size_t n, cap;
} items;

static int push(items *it, dk_node *node, const char *offset)
{
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 64;
        item *v = realloc(it->v, cap * sizeof *v);
        if (!v)
            return -1;
        it->v = v;
        it->cap = cap;
    }
    item *x = &it->v[it->n];
    x->node = node;
    x->offset = offset ? strdup(offset) : NULL;
    x->text = dk_node_type(node) == DK_LIST || dk_node_type(node) == DK_TABLE
                  ? strdup("")
                  : dk_node_text_content(node);
    it->n++; /* listed even if a copy failed, so that it is freed */
    return !x->text || (offset && !x->offset) ? -1 : 0;
}

/* List the body's headings and blocks in reading order, leaving the tree
 * as it is: a section gives its heading (with the section's offset), then
 * its blocks and subsections. */
static int collect(items *it, dk_node *parent)
{
    for (dk_node *n = dk_node_first(parent); n; n = dk_node_next(n)) {
        dk_type t = dk_node_type(n);
        int r = t == DK_SECTION ? collect(it, n)
                : t == DK_HEADING ? push(it, n, dk_node_attr(parent, DK_ATTR_OFFSET))
                                  : push(it, n, NULL);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* Take the listed nodes out of the tree (the caller owns them now) and
 * drop the section shells left behind. */
static void take(items *it, dk_node *body)
{
    for (size_t i = 0; i < it->n; i++)
        dk_node_detach(it->v[i].node);
    while (dk_node_first(body)) {
        dk_node *n = dk_node_first(body);
        dk_node_detach(n);
        dk_node_free(n);
    }
}

/* Forget the nodes (still in the tree) before free_items(). */
static void leave(items *it)
{
    for (size_t i = 0; i < it->n; i++)
        it->v[i].node = NULL;
}

static void free_items(items *it)
{
    for (size_t i = 0; i < it->n; i++) {
        dk_node_free(it->v[i].node);
        free(it->v[i].offset);
        free(it->v[i].text);
    }
    free(it->v);
}

static bool is_heading(const item *x)
{
    return dk_node_type(x->node) == DK_HEADING;
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

static bool is_salutation(const item *x, bool near_top)
{
    const char *t = x->text;
    size_t len = strlen(t);
    if (strchr(t, '\n'))
        return false;
    return dkr_letter_salutation(t, len) && (near_top || !strncmp(t, "Dear ", 5));
}

/* The closing at the start of an item: its length, or 0. The closing may
 * share its block with the signature ("Yours sincerely\nTom Reeve"). */
static size_t closing_len(const char *t)
{
    return dkr_letter_closing(t, strcspn(t, "\n"));
}

static bool date_line(const char *t, dkr_date *d, size_t *a, size_t *b)
{
    size_t len = strlen(t);
    return !strchr(t, '\n') && len < 40 && dkr_find_date(t, len, 0, d, a, b) &&
           *a <= 4 && len - *b <= 2;
}

static bool subject_like(const char *t)
{
    size_t len = strlen(t);
    if (!len || strchr(t, '\n') || len > 160 || t[len - 1] == '.' ||
        t[len - 1] == ',')
        return false;
    return starts_ci(t, len, "Re:") || starts_ci(t, len, "Subject:") ||
           strchr(t, ':') || count_words(t) <= 12;
}

/* "cc: ...", "Enc: ...": the element a line after the signature is. */
static dk_type label_of(const char *s, size_t len, size_t *skip)
{
    static const struct {
        const char *label;
        dk_type type;
    } labels[] = {{"cc:", DK_CC},          {"cc ", DK_CC},
                  {"Copy to:", DK_CC},      {"Copies to:", DK_CC},
                  {"Enc:", DK_ENCLOSURE},   {"Encs:", DK_ENCLOSURE},
                  {"Encl:", DK_ENCLOSURE},  {"Encl.", DK_ENCLOSURE},
                  {"Enclosure:", DK_ENCLOSURE},
                  {"Enclosures:", DK_ENCLOSURE}};
    for (size_t l = 0; l < sizeof labels / sizeof labels[0]; l++)
        if (starts_ci(s, len, labels[l].label)) {
            if (skip)
                *skip = strlen(labels[l].label);
            return labels[l].type;
        }
    return 0;
}

/* date[role=written when=ISO] holding the date as found. Transfer full;
 * NULL if out of memory. */
static dk_node *written_date(const char *found, size_t len, const dkr_date *d)
{
    char iso[11];
    dkr_date_iso(d, iso);
    dk_node *n = dk_node_new(DK_DATE);
    if (n && (dk_node_set_attr(n, DK_ATTR_ROLE, "written") < 0 ||
              dk_node_set_attr(n, DK_ATTR_WHEN, iso) < 0 ||
              dk_node_add_text(n, found, len) < 0)) {
        dk_node_free(n);
        n = NULL;
    }
    return n;
}

/* A block that can be letterhead, address, date, reference or subject:
 * a short heading or a paragraph of short lines that does not read as
 * running prose. */
static bool front_like(const item *x)
{
    if (is_heading(x))
        return count_words(x->text) <= 16;
    if (dk_node_type(x->node) != DK_P)
        return false;
    size_t line = 0, longest = 0, len = strlen(x->text);
    for (const char *c = x->text; *c; c++) {
        line = *c == '\n' ? 0 : line + 1;
        if (line > longest)
            longest = line;
    }
    return longest <= 160 && !(len > 60 && x->text[len - 1] == '.');
}

/* Put items [from, to) into parent, a heading opening a section that takes
 * the blocks after it; the items are given away. */
static int rebuild(items *it, size_t from, size_t to, dk_node *parent)
{
    dk_node *into = parent;
    for (size_t i = from; i < to; i++) {
        item *x = &it->v[i];
        if (is_heading(x)) {
            into = dk_node_add(parent, DK_SECTION);
            if (!into || (x->offset &&
                          dk_node_set_attr(into, DK_ATTR_OFFSET, x->offset) < 0))
                return -1;
        }
        if (dk_node_append(into, x->node) < 0)
            return -1;
        x->node = NULL;
    }
    return 0;
}

/* ---- building the letter ------------------------------------------------------- */

typedef struct builder {
    dk_ctx *ctx;
    dk_node *letter;
    bool failed;
} builder;

static void add_text_child(builder *b, dk_node *parent, dk_type type, span x)
{
    if (!x.len || b->failed)
        return;
    dk_node *n = dk_node_new(type);
    if (!n || dk_node_add_text(n, x.s, x.len) < 0 || dk_node_append(parent, n) < 0) {
        dk_node_free(n);
        b->failed = true;
    }
}

static dk_node *party_node(builder *b, dk_type type, const party *p)
{
    dk_node *n = dk_node_new(type);
    if (!n) {
        b->failed = true;
        return NULL;
    }
    add_text_child(b, n, DK_NAME, p->name);
    add_text_child(b, n, DK_ROLE, p->role);
    add_text_child(b, n, DK_ORG, p->org);
    if (p->n_address) {
        dk_node *a = dk_node_add(n, DK_ADDRESS);
        if (!a)
            b->failed = true;
        for (int i = 0; a && i < p->n_address; i++)
            add_text_child(b, a, DK_LINE, p->address[i]);
    }
    add_text_child(b, n, DK_PHONE, p->phone);
    add_text_child(b, n, DK_EMAIL, p->email);
    return n;
}

/* Feed each line of text into a party. */
static void party_text(party *p, const char *t)
{
    while (*t) {
        const char *nl = strchr(t, '\n');
        size_t len = nl ? (size_t)(nl - t) : strlen(t);
        party_line(p, (span){t, len});
        t += len + (nl != NULL);
    }
}

static bool party_empty(const party *p)
{
    return !p->name.len && !p->role.len && !p->org.len && !p->phone.len &&
           !p->email.len && !p->n_address;
}

static int letter_transform(dk_ctx *ctx, dk_node *doc)
{
    dk_node *body = dk_document_body(doc);
    dk_node *meta = dk_document_meta(doc);
    if (!body || !meta)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    if (dk_node_child(body, DK_LETTER))
        return 0; /* done already */

    items it = {0};
    builder b = {.ctx = ctx};
    dk_node *front_out = NULL; /* reference lines, kept before the letter */
    dk_node *date = NULL, *subject = NULL, *after = NULL;
    party parties[8];
    int n_parties = 0;
    int r = -1;
    if (collect(&it, body) < 0) {
        leave(&it);
        goto oom;
    }

    /* the salutation, then the closing */
    size_t sal = it.n, clo = it.n;
    for (size_t i = 0; i < it.n && sal == it.n; i++) {
        if (is_salutation(&it.v[i], i > 0 && i < 16))
            sal = i;
    }
    for (size_t i = sal == it.n ? 0 : sal + 1; i < it.n; i++)
        if (closing_len(it.v[i].text)) {
            clo = i;
            break;
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
    while (front > 0 && front_like(&it.v[front - 1]))
        front--;
    take(&it, body);
    if (rebuild(&it, 0, front, body) < 0)
        goto oom;

    b.letter = dk_node_new(DK_LETTER);
    if (!b.letter)
        goto oom;

    /* front matter: date, parties, reference, subject */
    for (size_t i = front; i < sal && has_sal; i++) {
        item *x = &it.v[i];
        dkr_date d;
        size_t a, e;
        if (!date && date_line(x->text, &d, &a, &e)) {
            if (!(date = written_date(x->text + a, e - a, &d)))
                goto oom;
            continue;
        }
        size_t tl = strlen(x->text);
        if (starts_ci(x->text, tl, "Our ref") || starts_ci(x->text, tl, "Your ref") ||
            starts_ci(x->text, tl, "Ref:") || starts_ci(x->text, tl, "Reference:")) {
            if (!front_out && !(front_out = dk_node_new(DK_BODY)))
                goto oom;
            if (!dk_node_add_with_text(front_out, DK_P, x->text))
                goto oom;
            continue;
        }
        /* the last single line before the salutation, after the parties */
        bool last = i + 1 == sal;
        if (last && n_parties && subject_like(x->text) && !strchr(x->text, '@') &&
            !role_like((span){x->text, tl}) && !person_like((span){x->text, tl})) {
            subject = dk_node_new(DK_SUBJECT);
            if (!subject || dk_node_add_text(subject, x->text, tl) < 0)
                goto oom;
            continue;
        }
        /* a trailing date on a run-together line ("... CV32 4EL 3 September 2014") */
        if (!date && dkr_find_date(x->text, tl, 0, &d, &a, &e) && e >= tl - 1 && a > 0) {
            if (!(date = written_date(x->text + a, e - a, &d)))
                goto oom;
            x->text[a] = '\0';
        }
        /* parties: a block addressed to someone ("Mr A. Parker ...") is
         * the recipient, on its own; the blocks around it, together, are
         * the sender */
        bool addressed = honorific_len(x->text, strlen(x->text)) != 0;
        bool new_party = n_parties == 0 || addressed ||
                         parties[n_parties - 1].addressed;
        if (new_party) {
            if (n_parties == 8)
                continue;
            memset(&parties[n_parties++], 0, sizeof parties[0]);
        }
        party_text(&parties[n_parties - 1], x->text);
        if (addressed)
            parties[n_parties - 1].addressed = true;
    }
    while (n_parties && party_empty(&parties[n_parties - 1]))
        n_parties--;

    /* who is who */
    int rec = -1, snd = -1;
    for (int i = 0; i < n_parties; i++)
        if (parties[i].addressed && !parties[i].phone.len && !parties[i].email.len)
            rec = i;
    for (int i = 0; i < n_parties; i++)
        if (i != rec && (parties[i].phone.len || parties[i].email.len))
            snd = i;
    /* otherwise the party nearest the salutation is the one addressed */
    for (int i = n_parties - 1; i >= 0 && (rec < 0 || snd < 0); i--) {
        if (i == rec || i == snd || party_empty(&parties[i]))
            continue;
        if (rec < 0)
            rec = i;
        else
            snd = i;
    }

    /* the parts, in the vocabulary's order */
    if (date && dk_node_append(b.letter, date) == 0)
        date = NULL;
    if (snd >= 0) {
        dk_node *n = party_node(&b, DK_SENDER, &parties[snd]);
        if (n && dk_node_append(b.letter, n) < 0)
            dk_node_free(n);
    }
    if (rec >= 0) {
        dk_node *n = party_node(&b, DK_RECIPIENT, &parties[rec]);
        if (n && dk_node_append(b.letter, n) < 0)
            dk_node_free(n);
    }
    if (b.failed)
        goto oom;

    /* the body, with a subject line right after the salutation */
    size_t first = has_sal ? sal + 1 : 0;
    if (!subject && first < clo && clo - first > 1 && subject_like(it.v[first].text) &&
        dk_node_type(it.v[first].node) != DK_LIST) {
        subject = dk_node_new(DK_SUBJECT);
        if (!subject || dk_node_add_text(subject, it.v[first].text,
                                         strlen(it.v[first].text)) < 0)
            goto oom;
        first++;
    }
    if (subject && dk_node_append(b.letter, subject) == 0)
        subject = NULL;
    if (has_sal) {
        dk_node *s = dk_node_new(DK_SALUTATION);
        if (!s || dk_node_add_text(s, it.v[sal].text, strlen(it.v[sal].text)) < 0 ||
            dk_node_append(b.letter, s) < 0) {
            dk_node_free(s);
            goto oom;
        }
    }
    dk_node *lbody = dk_node_add(b.letter, DK_BODY), *into = lbody;
    if (!lbody)
        goto oom;
    for (size_t i = first; i < clo; i++) {
        item *x = &it.v[i];
        if (is_heading(x)) {
            dk_node *s = dk_node_add(lbody, DK_SECTION);
            if (!s || (x->offset && dk_node_set_attr(s, DK_ATTR_OFFSET, x->offset) < 0) ||
                dk_node_append(s, x->node) < 0)
                goto oom;
            into = s;
        } else if (dk_node_append(into, x->node) < 0) {
            goto oom;
        }
        x->node = NULL;
    }

    /* closing, signature, cc, enclosures; what is left goes after */
    after = dk_node_new(DK_BODY);
    if (!after)
        goto oom;
    if (clo < it.n) {
        char *t = it.v[clo].text;
        size_t cl = closing_len(t);
        dk_node *c = dk_node_new(DK_CLOSING);
        if (!c || dk_node_add_text(c, t, cl) < 0 || dk_node_append(b.letter, c) < 0) {
            dk_node_free(c);
            goto oom;
        }
        /* the signature's lines: what follows the closing */
        dk_buf sig = DK_BUF_INIT;
        const char *rest = t + cl;
        while (*rest == '\n' || *rest == ' ')
            rest++;
        dk_buf_puts(&sig, rest);
        size_t i = clo + 1;
        int sig_lines = 0;
        for (const char *p = sig.data; p && *p; p++)
            sig_lines += *p == '\n';
        sig_lines += sig.len > 0;
        while (i < it.n && sig_lines < 2 &&
               (is_heading(&it.v[i]) || dk_node_type(it.v[i].node) == DK_P) &&
               strlen(it.v[i].text) < 120 &&
               !label_of(it.v[i].text, strlen(it.v[i].text), NULL)) {
            if (sig.len)
                dk_buf_putc(&sig, '\n');
            dk_buf_puts(&sig, it.v[i].text);
            sig_lines += 1 + (int)(strchr(it.v[i].text, '\n') != NULL);
            i++;
        }
        party sp = {0};
        const char *line = sig.data ? sig.data : "";
        int k = 0;
        dk_buf extra = DK_BUF_INIT; /* lines after name and role */
        while (*line) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            span x = trim((span){line, len});
            if (k == 0)
                sp.name = x;
            else if (k == 1)
                sp.role = x;
            else if (k == 2 && has_word(x.s, x.len, org_words))
                sp.org = x;
            else {
                dk_buf_append(&extra, x.s, x.len);
                dk_buf_putc(&extra, '\n');
            }
            k++;
            line += len + (nl != NULL);
        }
        dk_node *sn = party_node(&b, DK_SIGNATURE, &sp);
        if (sn && dk_node_append(b.letter, sn) < 0)
            dk_node_free(sn);
        /* cc and enclosures, line by line; anything else stays after the
         * letter */
        for (; i < it.n; i++) {
            item *x = &it.v[i];
            bool labelled = false;
            for (const char *l = x->text; *l;) {
                size_t len = strcspn(l, "\n");
                labelled |= label_of(l, len, NULL) != 0;
                l += len + (l[len] == '\n');
            }
            if (!labelled) {
                if (rebuild(&it, i, i + 1, after) < 0)
                    goto oom;
                continue;
            }
            for (const char *l = x->text; *l;) {
                size_t len = strcspn(l, "\n"), skip;
                dk_type type = label_of(l, len, &skip);
                if (type)
                    add_text_child(&b, b.letter, type,
                                   trim((span){l + skip, len - skip}));
                else
                    add_text_child(&b, after, DK_P, trim((span){l, len}));
                l += len + (l[len] == '\n');
            }
        }
        if (extra.len) {
            dk_node *p = dk_node_new(DK_P);
            extra.data[--extra.len] = '\0';
            if (p && dk_node_add_text(p, extra.data, extra.len) == 0)
                dk_node_insert_before(after, dk_node_first(after), p);
            else
                dk_node_free(p);
        }
        dk_buf_free(&extra);
        dk_buf_free(&sig);
    }
    if (b.failed)
        goto oom;

    /* into the document: reference lines, the letter, what followed */
    while (front_out && dk_node_first(front_out)) {
        dk_node *n = dk_node_first(front_out);
        dk_node_detach(n);
        dk_node_append(body, n);
    }
    dk_node_append(body, b.letter);
    b.letter = NULL;
    while (dk_node_first(after)) {
        dk_node *n = dk_node_first(after);
        dk_node_detach(n);
        dk_node_append(body, n);
    }

    /* the metadata: kind, the subject as title, the date written */
    dk_node *letter = dk_node_child(body, DK_LETTER);
    dk_node *subj = dk_node_child(letter, DK_SUBJECT);
    dk_node *ldate = dk_node_child(letter, DK_DATE);
    if (dk_node_set_attr(doc, DK_ATTR_KIND, "letter") < 0)
        goto oom;
    if (subj && !dk_node_child(meta, DK_TITLE)) {
        char *t = dk_node_text_content(subj);
        dk_node *title = dk_node_new(DK_TITLE);
        if (!t || !title || dk_node_add_text(title, t, strlen(t)) < 0 ||
            dk_node_insert_before(meta, dk_node_first(meta), title) < 0) {
            free(t);
            dk_node_free(title);
            goto oom;
        }
        free(t);
    }
    if (ldate) {
        dk_node *copy = dk_node_copy(ldate);
        dk_node *ref = dk_node_first(meta);
        while (ref && (dk_node_type(ref) == DK_TITLE || dk_node_type(ref) == DK_DATE))
            ref = dk_node_next(ref);
        if (!copy || dk_node_insert_before(meta, ref, copy) < 0) {
            dk_node_free(copy);
            goto oom;
        }
    }
    r = 0;
    goto done;
oom:
    dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    r = -1;
done:
    dk_node_free(b.letter);
    dk_node_free(date);
    dk_node_free(subject);
    dk_node_free(front_out);
    dk_node_free(after);
    free_items(&it);
    return r;
}

DOCKET_PLUGIN(.name = "letter", .version = DK_VERSION,
              .description = "date, sender, recipient, subject, salutation, "
                             "body, closing and signature of letters",
              .kinds = DK_KIND_TRANSFORM, .transform = letter_transform);
