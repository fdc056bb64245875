/*
 * The letter transform's parts: each file reads one part of a letter.
 *
 *  words.c    what a line of a letter is: a name, a role, an organisation,
 *             an address line, a phone number, an e-mail address, a date,
 *             a reference, a label ("cc:", "Enc.")
 *  party.c    lines into parties (sender, recipient, signature), who is who
 *  front.c    the front matter: date, parties, references, subject
 *  closing.c  the closing, the signature, cc and enclosure runs
 *  letter.c   the blocks of the document in order, and the letter built
 *             from them
 *
 * Nothing the input says is dropped: every line of the front matter and of
 * the signature ends up in some part of the letter (or, for text that is
 * none of them, in a paragraph before or after it). The labels "Date:",
 * "cc:" and "Enc:" are the only words removed, being what the element
 * names say.
 */
#ifndef DOCKET_LETTER_H
#define DOCKET_LETTER_H

#include <docket/docket.h>

#include "rules.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- words.c ------------------------------------------------------------ */

typedef struct span {
    const char *s;
    size_t len;
} span;

/* Without surrounding white space and commas. */
span lt_trim(span x);
bool lt_starts_ci(span x, const char *prefix);

/* What one line of a party is. */
typedef enum lt_line_kind {
    LT_OTHER,   /* an address line, or text none of the others */
    LT_NAME,    /* a person ("Mr A. Parker", "Margaret Ellison") */
    LT_ROLE,    /* "Chief Constable", "Head of Community Safety" */
    LT_ORG,     /* "Eastmoor Constabulary", "NORTHUMBRIA POLICE" */
    LT_PHONE,   /* digits of a telephone number, with any label but fax */
    LT_EMAIL,   /* an address with @ */
    LT_RANK,    /* a name after a rank or role: "Inspector Gareth Price",
                   "Assistant Chief Constable D. Reid" */
} lt_line_kind;

/* Classify a trimmed line; *value is the part to keep (without a "Tel:"
 * or "E-mail:" label; for LT_RANK, the name after the rank). */
lt_line_kind lt_classify(span x, span *value);

/* A role addressed without a name: "The Chief Constable". */
bool lt_role_addressee(span x);
/* Starts with an honorific ("Mr ", "The Rt Hon "): its length, or 0. */
size_t lt_honorific_len(span x);
/* A UK postcode anywhere in x. */
bool lt_has_postcode(span x);
/* The length of a postcode starting at x.s[i], or 0. */
size_t lt_postcode_at(span x, size_t i);
/* Organisation, street and role words (case ignored for organisations). */
bool lt_has_org_word(span x);
bool lt_has_street_word(span x);
bool lt_has_role_word(span x);
/* The first role phrase in x: its start (x.len if none) and *rlen. */
size_t lt_find_role(span x, size_t *rlen);

/* A line that is a date and little else ("3 September 2014", "Date: 1
 * February 2019"): sets *d and the range of the date words. */
bool lt_date_line(span x, dkr_date *d, span *found);
/* "Our ref: AB/12", "Your reference 123", "Ref: ..." */
bool lt_reference_line(span x);
/* "Re: ...", "Subject: ..." */
bool lt_subject_label(span x);
/* The subject without its label ("Re:" is what the element says). */
span lt_subject_text(span x);
/* "cc:", "Copy to:", "Enc.", "Encs", "Enclosures:": the element a line
 * opens and the length of its label (0 if none). */
dk_type lt_label(span x, size_t *label_len);
/* "Private and confidential", "By email only": how a letter is sent. */
bool lt_handling_line(span x);

/* ---- party.c ------------------------------------------------------------ */

typedef struct lt_field {
    dk_type type; /* DK_NAME, DK_ROLE, DK_ORG, DK_LINE (address), DK_PHONE,
                     DK_EMAIL */
    span text;
} lt_field;

typedef struct lt_party {
    lt_field *fields;
    size_t n, cap;
    bool addressed;  /* opened by an honorific or a role addressee */
    bool postcode;   /* its address has ended with a postcode */
} lt_party;

typedef struct lt_parties {
    lt_party *v;
    size_t n, cap;
} lt_parties;

/* Add one line of text to the parties: to the last one, or to a new one
 * where the line begins another party. new_block: the line starts a block
 * (a blank line or a change of indentation came before it). Returns 0 or
 * -1 if out of memory. */
int lt_party_line(lt_parties *ps, span x, bool new_block);
bool lt_party_has(const lt_party *p, dk_type type);
/* Merge b's fields into a when that loses nothing (no second name or
 * address); returns true if merged (b is then empty). */
bool lt_party_merge(lt_party *a, lt_party *b);
/* Build sender/recipient/signature from a party. Transfer full; NULL if out
 * of memory. */
dk_node *lt_party_node(dk_type type, const lt_party *p);
void lt_parties_free(lt_parties *ps);

/* ---- the letter being built (letter.c) --------------------------------- */

/* The document's blocks in reading order: headings (each with a copy of
 * the section it opened) and other blocks, with their nesting depth. 16
 * bytes: a letter of a hundred thousand blocks has as many. */
typedef struct lt_item {
    dk_node *node;    /* a heading or a block (owned once taken) */
    uint32_t section; /* for a heading: 1 + the index in sections of its
                         section, emptied (attributes only); else 0 */
    int depth;        /* of the section a heading opens, or of the
                         container of a block (the body is 0) */
} lt_item;

/* A copy of an item's text (v[i]'s), made by lt_text(). */
typedef struct lt_copy {
    size_t i;
    char *text;
} lt_copy;

typedef struct lt_items {
    lt_item *v;
    size_t n, cap;
    dk_node **sections; /* owned; NULL once given away */
    size_t n_sections, cap_sections;
    lt_copy *copies; /* the few texts copied and not forgotten yet */
    size_t n_copies, cap_copies;
    bool oom; /* lt_text() ran out of memory */
} lt_items;

/* An item's text, lines separated by \n: the text of the node's one text
 * child, or a copy made now and kept until lt_forget(); "" for a list, a
 * table or no node, and (setting it->oom) out of memory. Copies are made
 * when asked for and given back once looked at, so that the texts of a
 * long document are not all copied at once. */
const char *lt_text(lt_items *it, const lt_item *x);
/* The section shell of a heading's item, or NULL. */
dk_node *lt_section(const lt_items *it, const lt_item *x);
void lt_forget(lt_items *it, const lt_item *x);

/* Put items [from, to) into parent, rebuilding their sections (with every
 * attribute they had) and nesting. The items' nodes are given away.
 * Returns 0 or -1 if out of memory. */
int lt_rebuild(lt_items *it, size_t from, size_t to, dk_node *parent);

/* A written date for the letter: date[role=written when=ISO] with the text
 * as found. Transfer full; NULL if out of memory. */
dk_node *lt_written_date(span found, const dkr_date *d);

/* Append an element holding text to parent. Returns 0 or -1. */
int lt_add_text(dk_node *parent, dk_type type, span x);

/* ---- front.c ------------------------------------------------------------ */

/* The parts a letter's front matter and signature give. */
typedef struct lt_parts {
    dk_node *date;       /* date[role=written] */
    lt_parties front;    /* parties before the salutation */
    dk_node *references; /* a holder (a letter) of reference elements */
    dk_node *subject;
    dk_node *before;     /* a holder (body) of blocks to keep before */
    dk_node *after;      /* a holder (body) of blocks to keep after */
} lt_parts;

/* Read the front matter, items [from, to), into parts. Returns 0 or -1. */
int lt_front(lt_items *it, size_t from, size_t to, lt_parts *parts);

/* Senders and recipients, in order, into the letter. Returns 0 or -1. */
int lt_add_parties(dk_node *letter, lt_parties *ps);

/* A subject line (not a sentence, not a party): "Re: ...", or a short
 * line of its own. */
bool lt_subject_like(const char *t);

/* ---- closing.c ---------------------------------------------------------- */

/* The closing is item clo; read it, the signature, cc and enclosures from
 * items [clo, n) into the letter, and what is none of them into
 * parts->after. Returns 0 or -1. */
int lt_closing(lt_items *it, size_t clo, dk_node *letter, lt_parts *parts);

#endif
