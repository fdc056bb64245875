/* What a line of a letter is: names, roles, organisations, addresses,
 * phone numbers, e-mail addresses, dates, references and labels. */
#define _GNU_SOURCE
#include "letter.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

span lt_trim(span x)
{
    while (x.len && (isspace((unsigned char)x.s[0]) || x.s[0] == ','))
        x.s++, x.len--;
    while (x.len &&
           (isspace((unsigned char)x.s[x.len - 1]) || x.s[x.len - 1] == ','))
        x.len--;
    return x;
}

bool lt_starts_ci(span x, const char *prefix)
{
    size_t n = strlen(prefix);
    return x.len >= n && strncasecmp(x.s, prefix, n) == 0;
}

static bool boundary(span x, size_t i)
{
    return i == 0 || i >= x.len || !isalnum((unsigned char)x.s[i]);
}

/* The word or phrase w at x.s[i], whole words only. */
static bool word_at(span x, size_t i, const char *w, bool any_case)
{
    size_t n = strlen(w);
    if (i + n > x.len || !boundary(x, i ? i - 1 : 0) || !boundary(x, i + n))
        return false;
    if (i > 0 && isalnum((unsigned char)x.s[i - 1]))
        return false;
    return any_case ? !strncasecmp(x.s + i, w, n) : !strncmp(x.s + i, w, n);
}

/* A list of words and phrases looked for in lines, grouped by the byte
 * they start with (ASCII case folded when any case is allowed; in the
 * list's order within a group), so that at each place only the words that
 * could start there are compared. */
enum { WORDS_MAX = 128 };

typedef struct word_list {
    const char *const *words; /* NULL-terminated, at most WORDS_MAX */
    bool any_case;
    uint8_t order[WORDS_MAX]; /* the words' indices by first byte */
    uint8_t from[257];        /* order[from[c] .. from[c + 1]): those of c */
} word_list;

static unsigned char fold(unsigned char c, bool any_case)
{
    return any_case && c < 0x80 && isalpha(c) ? (unsigned char)(c | 0x20) : c;
}

static void group_words(word_list *l)
{
    unsigned count[256] = {0};
    size_t n = 0;
    for (; l->words[n]; n++)
        count[fold((unsigned char)l->words[n][0], l->any_case)]++;
    unsigned at = 0;
    for (int c = 0; c < 256; c++) {
        l->from[c] = (uint8_t)at;
        at += count[c];
        count[c] = l->from[c]; /* where the next word of c goes */
    }
    l->from[256] = (uint8_t)at;
    for (size_t k = 0; k < n; k++)
        l->order[count[fold((unsigned char)l->words[k][0], l->any_case)]++] = (uint8_t)k;
}

/* The first of the list's words in x, whole words only: its start (x.len
 * if none) and length. */
static size_t find_word(span x, const word_list *l, size_t *wlen)
{
    for (size_t i = 0; i < x.len; i++) {
        unsigned char c = fold((unsigned char)x.s[i], l->any_case);
        if (i > 0 && isalnum((unsigned char)x.s[i - 1]))
            continue;
        for (unsigned k = l->from[c]; k < l->from[c + 1]; k++) {
            const char *w = l->words[l->order[k]];
            if (word_at(x, i, w, l->any_case)) {
                *wlen = strlen(w);
                return i;
            }
        }
    }
    *wlen = 0;
    return x.len;
}

static bool has_word(span x, const word_list *l)
{
    size_t wl;
    return find_word(x, l, &wl) < x.len;
}

/* ---- the words ----------------------------------------------------------- */

static const char *const honorifics[] = {
    "The Rt. Hon. ", "The Rt. Hon ", "The Rt Hon ", "The Right Hon ",
    "The Right Honourable ", "Rt. Hon ", "Rt Hon ", "Right Honourable ",
    "Mr ", "Mr. ", "Mrs ", "Mrs. ", "Ms ", "Ms. ", "Miss ", "Mx ", "Dr ",
    "Dr. ", "Sir ", "Dame ", "Lord ", "Lady ", "Baroness ", "Baron ",
    "Professor ", "Prof ", "Prof. ", "Cllr ", "Cllr. ", "Councillor ",
    "Rev ", "Rev. ", "Revd ", "The Revd ", "The Reverend ", NULL};

/* Longest first: the first match wins. */
static const char *const roles[] = {
    "Deputy Police, Fire and Crime Commissioner",
    "Police, Fire and Crime Commissioner",
    "Deputy Police and Crime Commissioner", "Police and Crime Commissioner",
    "Her Majesty's Chief Inspector of Constabulary",
    "Her Majesty’s Chief Inspector of Constabulary",
    "His Majesty's Chief Inspector of Constabulary",
    "His Majesty’s Chief Inspector of Constabulary",
    "Her Majesty's Inspector of Constabulary",
    "Her Majesty’s Inspector of Constabulary",
    "His Majesty's Inspector of Constabulary",
    "His Majesty’s Inspector of Constabulary",
    "HM Chief Inspector of Constabulary", "HM Inspector of Constabulary",
    "Assistant Chief Constable", "Deputy Chief Constable",
    "Temporary Chief Constable", "Acting Chief Constable", "Chief Constable",
    "Home Secretary", "Secretary of State", "Chief Executive",
    "Chief Officer", "Chief Superintendent", "Detective Superintendent",
    "Superintendent", "Chief Inspector", "Inspector", "Commissioner",
    "Commander", "Director", "Minister", "Chairman", "Chairwoman",
    "Chairperson", "Chair", "Mayor", "Clerk", "Secretary", "Head of",
    "Lead for", "Manager", "Officer", "Adviser", "Advisor", "Coordinator",
    "Co-ordinator", "Treasurer", "Solicitor", "Analyst", "President",
    "Ombudsman", NULL};

/* Compared without case: "NORTHUMBRIA POLICE" is an organisation. */
static const char *const org_words[] = {
    "Police", "Constabulary", "Office", "Inspectorate", "Council",
    "Department", "Service", "Services", "Authority", "Agency", "Commission",
    "Panel", "Trust", "Ltd", "Limited", "plc", "PCC", "OPCC", "HMIC",
    "HMICFRS", "Ministry", "Parliament", "University", "College",
    "Association", "Board", "Partnership", "Federation", "Foundation",
    "Committee", "Society", "Institute", "Unit", "Directorate", "Group",
    "Prison", "Prisons", "Probation", "NHS", "Fire and Rescue", "Region",
    "Division", "Branch", "Bureau", "Secretariat", NULL};

static const char *const street_words[] = {
    "Street", "Road", "Place", "Terrace", "Lane", "Avenue", "Centre",
    "Center", "House", "Square", "Way", "Close", "Drive", "Court",
    "Building", "Buildings", "Park", "Row", "Hill", "Gardens",
    "Headquarters", "Hall", "Walk", "Crescent", "Parade", "Wharf", "Quay",
    "Yard", "Mews", "Floor", "Suite", "PO Box", "P.O. Box", "Station",
    "Tower", "Chambers", "Green", "Grove", "Rise", "Estate", NULL};

_Static_assert(sizeof roles / sizeof roles[0] <= WORDS_MAX + 1 &&
                   sizeof org_words / sizeof org_words[0] <= WORDS_MAX + 1 &&
                   sizeof street_words / sizeof street_words[0] <= WORDS_MAX + 1,
               "the word lists fit a word_list");

static word_list role_list = {.words = roles}, org_list = {.words = org_words, .any_case = true},
                 street_list = {.words = street_words, .any_case = true};
static pthread_once_t lists_once = PTHREAD_ONCE_INIT;

static void know_lists(void)
{
    group_words(&role_list);
    group_words(&org_list);
    group_words(&street_list);
}

static const word_list *list_of(word_list *l)
{
    pthread_once(&lists_once, know_lists);
    return l;
}

bool lt_has_org_word(span x)
{
    return has_word(x, list_of(&org_list));
}

bool lt_has_street_word(span x)
{
    return has_word(x, list_of(&street_list));
}

bool lt_has_role_word(span x)
{
    return has_word(x, list_of(&role_list));
}

size_t lt_find_role(span x, size_t *rlen)
{
    return find_word(x, list_of(&role_list), rlen);
}

size_t lt_honorific_len(span x)
{
    for (const char *const *h = honorifics; *h; h++) {
        size_t n = strlen(*h);
        if (x.len > n && !strncmp(x.s, *h, n))
            return n;
    }
    return 0;
}

bool lt_role_addressee(span x)
{
    return (lt_starts_ci(x, "The ") || lt_starts_ci(x, "To the ")) &&
           lt_has_role_word(x) && x.len < 80 && !memchr(x.s, '@', x.len);
}

/* A UK postcode at x.s[i]: "SW1P 4DF", "B3 2PW", "CV32 4EL", "M1 1AE". */
size_t lt_postcode_at(span x, size_t i)
{
    const char *s = x.s;
    size_t len = x.len, k = i, letters = 0, digits = 0;
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

bool lt_has_postcode(span x)
{
    for (size_t i = 0; i < x.len; i++)
        if (lt_postcode_at(x, i))
            return true;
    return false;
}

/* ---- lines ---------------------------------------------------------------- */

/* A label before a value: letters, spaces, dots, slashes and hyphens up to
 * a colon, or up to the value itself when the label is a word or two
 * ("Tel 01234 567890", "Direct line 0121 ..."). Returns the label's length
 * with the colon and space after it (0 if none). */
static size_t label_len(span x)
{
    size_t i = 0, space = 0;
    while (i < x.len && i < 24 &&
           (isalpha((unsigned char)x.s[i]) || x.s[i] == ' ' || x.s[i] == '.' ||
            x.s[i] == '/' || x.s[i] == '-')) {
        if (x.s[i] == ' ')
            space = i;
        i++;
    }
    if (i < x.len && x.s[i] == ':') {
        i++;
    } else if (space) {
        i = space; /* "Direct line 0113 ...": the words before the value */
    } else {
        return 0; /* "psd@example.org": no label, the value itself */
    }
    while (i < x.len && x.s[i] == ' ')
        i++;
    return i;
}

/* A telephone number: 9 to 15 digits, with spaces, brackets, dots, hyphens
 * and a leading +, perhaps an extension ("ext. 2345"). */
static bool phone_number(span x)
{
    size_t digits = 0, i = 0;
    for (; i < x.len; i++) {
        char c = x.s[i];
        if (isdigit((unsigned char)c))
            digits++;
        else if (!strchr(" ()+-.", c))
            break;
    }
    if (i < x.len) {
        span rest = {x.s + i, x.len - i};
        if (!lt_starts_ci(rest, "ext") && !lt_starts_ci(rest, "x"))
            return false;
        while (i < x.len && !isdigit((unsigned char)x.s[i]))
            i++;
        for (; i < x.len; i++)
            if (!isdigit((unsigned char)x.s[i]))
                return false;
    }
    return digits >= 9 && digits <= 15;
}

/* A name: an honorific ("Mr S. Branch", whatever the surname), or two to
 * five capitalised words with no digits, no organisation, street or role
 * words. */
static bool person_like(span x)
{
    if (!x.len || x.len > 60 || lt_has_street_word(x) || lt_has_role_word(x) ||
        lt_has_postcode(x))
        return false;
    if (lt_honorific_len(x))
        return true;
    if (lt_has_org_word(x))
        return false;
    int words = 0;
    bool in = false;
    for (size_t i = 0; i < x.len; i++) {
        unsigned char c = (unsigned char)x.s[i];
        if (isdigit(c) || c == '@' || c == ':' || c == '/')
            return false;
        if (c == ' ') {
            in = false;
        } else if (!in) {
            in = true;
            words++;
            if (c < 0x80 && !isupper(c))
                return false;
        }
    }
    return words >= 2 && words <= 5;
}

lt_line_kind lt_classify(span x, span *value)
{
    *value = x;
    size_t ll = label_len(x);
    span label = {x.s, ll}, rest = {x.s + ll, x.len - ll};
    const char *at = memchr(x.s, '@', x.len);
    if (at && !memchr(rest.s, ' ', rest.len) && memchr(at, '.', x.len - (size_t)(at - x.s))) {
        *value = rest;
        return LT_EMAIL;
    }
    /* any label but a fax's: "Tel:", "Direct line", "Mobile", "T", or none */
    bool fax = memmem(label.s, label.len, "ax", 2) &&
               (memmem(label.s, label.len, "Fax", 3) ||
                memmem(label.s, label.len, "fax", 3) ||
                memmem(label.s, label.len, "FAX", 3));
    if (!fax && rest.len && phone_number(rest)) {
        *value = rest;
        return LT_PHONE;
    }
    if (lt_role_addressee(x))
        return LT_ROLE;
    if (person_like(x))
        return LT_NAME;
    /* a rank before a name: the role's words, then a person's */
    size_t rl0, r0 = lt_find_role(x, &rl0);
    bool object = rl0 > 3 && (!strncmp(x.s + rl0 - 3, " of", 3) ||
                              !strncmp(x.s + rl0 - 4, " for", 4));
    if (r0 == 0 && rl0 < x.len && !object) {
        span name = lt_trim((span){x.s + rl0, x.len - rl0});
        if (person_like(name)) {
            *value = name;
            return LT_RANK;
        }
    }
    size_t rl, ol;
    size_t role = lt_find_role(x, &rl), org = find_word(x, list_of(&org_list), &ol);
    if (role < x.len && x.len < 120 && !isdigit((unsigned char)x.s[0]) &&
        !lt_has_postcode(x))
        return role <= org ? LT_ROLE : LT_ORG; /* "Office of the Police and
                                                  Crime Commissioner" */
    if (lt_has_org_word(x) && !lt_has_postcode(x) && !lt_has_street_word(x) &&
        !isdigit((unsigned char)x.s[0]))
        return LT_ORG;
    return LT_OTHER;
}

bool lt_date_line(span x, dkr_date *d, span *found)
{
    size_t a, b;
    span body = x;
    const char *colon = memchr(x.s, ':', x.len);
    if (colon && (lt_starts_ci(x, "Date:") || lt_starts_ci(x, "Dated:")))
        body = lt_trim((span){colon + 1, x.len - (size_t)(colon + 1 - x.s)});
    if (body.len > 40 || !dkr_find_date(body.s, body.len, 0, d, &a, &b) ||
        a > 10 || body.len - b > 2)
        return false;
    /* before the date only a weekday ("Tuesday 3 March 2020") */
    for (size_t i = 0; i < a; i++)
        if (!isalpha((unsigned char)body.s[i]) && body.s[i] != ' ' &&
            body.s[i] != ',')
            return false;
    *found = body;
    return true;
}

bool lt_reference_line(span x)
{
    static const char *const owners[] = {"Our ", "Your ", "My ", "File ",
                                         "Case ", "Their ", ""};
    for (size_t o = 0; o < sizeof owners / sizeof owners[0]; o++) {
        if (!lt_starts_ci(x, owners[o]))
            continue;
        span r = {x.s + strlen(owners[o]), x.len - strlen(owners[o])};
        size_t n = lt_starts_ci(r, "reference") ? 9 : lt_starts_ci(r, "ref") ? 3 : 0;
        if (!n)
            continue;
        r.s += n, r.len -= n;
        if (r.len && r.s[0] == '.')
            r.s++, r.len--;
        if (lt_starts_ci(r, " no.") || lt_starts_ci(r, " no:") ||
            lt_starts_ci(r, " number"))
            r.s += 3, r.len -= 3;
        /* a separator, then the reference itself */
        if (!r.len || (r.s[0] != ':' && r.s[0] != ' ' && r.s[0] != '.'))
            continue;
        span v = lt_trim((span){r.s + 1, r.len - 1});
        while (v.len && (v.s[0] == ':' || v.s[0] == '.' || v.s[0] == ' '))
            v.s++, v.len--;
        return v.len > 0 && v.len < 60;
    }
    return false;
}

static size_t subject_label_len(span x)
{
    static const char *const labels[] = {"Re:", "Re -", "Subject:", "Subject -",
                                         "Ref:"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (lt_starts_ci(x, labels[i]))
            return strlen(labels[i]);
    return lt_starts_ci(x, "RE ") && x.len > 3 && isupper((unsigned char)x.s[3]) ? 3 : 0;
}

bool lt_subject_label(span x)
{
    return subject_label_len(x) > 0;
}

span lt_subject_text(span x)
{
    size_t n = subject_label_len(x);
    return lt_trim((span){x.s + n, x.len - n});
}

dk_type lt_label(span x, size_t *label_len_out)
{
    static const struct {
        const char *label;
        dk_type type;
    } labels[] = {
        {"Enclosures", DK_ENCLOSURE}, {"Enclosure(s)", DK_ENCLOSURE},
        {"Enclosure", DK_ENCLOSURE},  {"Encls", DK_ENCLOSURE},
        {"Encl", DK_ENCLOSURE},       {"Encs", DK_ENCLOSURE},
        {"Enc", DK_ENCLOSURE},        {"Copies to", DK_CC},
        {"Copy to", DK_CC},           {"c.c.", DK_CC},
        {"cc", DK_CC},
    };
    /* the labels start with an e or a c: most lines stop here */
    char first = x.len ? (char)(x.s[0] | 0x20) : 0;
    if (first != 'e' && first != 'c') {
        *label_len_out = 0;
        return 0;
    }
    for (size_t l = 0; l < sizeof labels / sizeof labels[0]; l++) {
        size_t n = strlen(labels[l].label);
        if (!lt_starts_ci(x, labels[l].label))
            continue;
        /* the label ends the line, or a separator follows it */
        if (n < x.len && isalnum((unsigned char)x.s[n]))
            continue;
        if (n < x.len && (x.s[n] == '.' || x.s[n] == ':'))
            n++;
        while (n < x.len && x.s[n] == ' ')
            n++;
        if (labels[l].type == DK_CC && n == 2 && x.len > 2)
            continue; /* "cc" must be followed by a separator and a name */
        *label_len_out = n;
        return labels[l].type;
    }
    *label_len_out = 0;
    return 0;
}

bool lt_handling_line(span x)
{
    static const char *const words[] = {
        "confidential", "by email", "by e-mail", "by hand", "by post",
        "urgent", "official-sensitive", "official sensitive", "not protectively marked",
        "restricted", NULL};
    if (x.len > 60)
        return false;
    for (const char *const *w = words; *w; w++)
        for (size_t i = 0; i + strlen(*w) <= x.len; i++)
            if (!strncasecmp(x.s + i, *w, strlen(*w)))
                return true;
    return false;
}
