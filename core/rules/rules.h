/*
 * rules.h - reading the conventions of inspection material in text:
 * British dates, inspection grades, web-page furniture, letter words.
 * Shared by readers and transforms so that every format reads them the
 * same way. Internal: a static library the plugins link, not part of
 * libdocket's interface (the dkr_ prefix says so).
 *
 * All functions take UTF-8 (s, len; not NUL-terminated) and allocate
 * nothing.
 */
#ifndef DOCKET_RULES_H
#define DOCKET_RULES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dkr_date {
    int year, month, day;
} dkr_date;

/*
 * Find the first date in s. Understood: 02/03/2017, 2.3.2017 and 2-3-2017
 * (British, day first: 2 March 2017), 2017-03-02, "16th April 2018",
 * "3 September 2014", "1st of June 2020", "Sept 3, 2014", "February 18,
 * 2015", and without a year "February 18" or "18 February", which take
 * default_year (and are skipped when it is 0). Month names in full or
 * abbreviated, any case. Impossible dates (31/02/2017) are not dates.
 * Returns true and sets *d and the byte range [*start, *end) of the match.
 */
bool dkr_find_date(const char *s, size_t len, int default_year, dkr_date *d,
                  size_t *start, size_t *end);

/* The day after d. */
void dkr_date_next(dkr_date *d);

/* "YYYY-MM-DD" into out (11 bytes). */
void dkr_date_iso(const dkr_date *d, char out[11]);

/* A four-digit year 1900..2099 standing alone in s (the first), or 0. */
int dkr_find_year(const char *s, size_t len);

typedef enum dkr_grade {
    DKR_GRADE_NONE = 0,
    DKR_GRADE_OUTSTANDING,
    DKR_GRADE_GOOD,
    DKR_GRADE_ADEQUATE,
    DKR_GRADE_REQUIRES_IMPROVEMENT,
    DKR_GRADE_INADEQUATE,
    DKR_GRADE_UNGRADED,
} dkr_grade;

/* The schema's value for a grade ("requires-improvement"), NULL for none.
 * Transfer none. */
const char *dkr_grade_value(dkr_grade g);

/* The grade that all of s states: "Good", "requires improvement",
 * "Grade: Inadequate", "Our judgment: Good", "Ungraded." (case and
 * surrounding space ignored).
 * gstart and gend (may be NULL) get the range of the grade words. */
dkr_grade dkr_grade_parse(const char *s, size_t len, size_t *gstart,
                        size_t *gend);

/* A grade's label standing alone: "Our judgement", "Grade:", "Overall
 * judgment". */
bool dkr_grade_label(const char *s, size_t len);

/* A grade stated at the end of a heading: "... – Grade Requires
 * Improvement", "... - Grade: Good". Sets the range of the grade words. */
dkr_grade dkr_grade_suffix(const char *s, size_t len, size_t *gstart,
                         size_t *gend);

/* A grade stated after a heading's own words: "How effective ...? Good",
 * "Investigating crime: Requires improvement", "1) Preventing crime –
 * Grade Requires Improvement". Sets *cut to the end of the heading's own
 * words and [*gstart, *gend) to the grade as found, without its label
 * ("Grade", "Our judgment:"). */
dkr_grade dkr_grade_after(const char *s, size_t len, size_t *cut,
                          size_t *gstart, size_t *gend);

/* Page furniture that is never content when it stands alone on a line: a
 * page number ("Page 1 of 2"), up to eight words all of a page's controls
 * ("Skip to content", "Hide Ad", "Share this page", "Accept all cookies",
 * "Follow us on Twitter", "12 comments"), or a link under a label ("Read
 * more: ...", "Related: ..."). */
bool dkr_is_boilerplate(const char *s, size_t len);

/* Furniture as a block: the above, lines that each are, a cookie banner (cookies and a request
 * for consent in at most 80 words) or a newsletter sign-up (at most 50
 * words asking to sign up or subscribe by e-mail). */
bool dkr_is_boilerplate_block(const char *s, size_t len);

/* A byline: "By Jane Smith", "By Jane Smith, Crime Reporter", "BY JOHN
 * O'Neill | Westvale Gazette": sets the range of the name. */
bool dkr_byline(const char *s, size_t len, size_t *start, size_t *end);

/* A dateline: "Published: 3 March 2019", "Updated 4 March 2019 10:32",
 * "Posted on 2 May 2020": returns the role ("published" or "updated",
 * transfer none) and sets the date and where the text after the label
 * starts; NULL if s is no dateline. */
const char *dkr_dateline(const char *s, size_t len, dkr_date *d, size_t *start);

/* A heading over links to other pages, the whole heading being one of
 * the phrases pages use for them: "Most read", "Trending", "Related
 * stories", "You may also like", "More from ..." ("Related findings" or
 * "Recommended actions" is not one). */
bool dkr_link_list_heading(const char *s, size_t len);

/* A letter's closing at the start of s standing alone ("Yours sincerely",
 * "Yours faithfully,", "Kind regards", ...): its length with a comma, or 0
 * if s holds anything else. */
size_t dkr_letter_closing(const char *s, size_t len);

/* A salutation: "Dear ..." or a short capitalised line ending in a comma
 * (as the damaged "Keer Amber,"); the caller decides where one is due. */
bool dkr_letter_salutation(const char *s, size_t len);

/* A paragraph wholly inside quotation marks (a quotation standing as a
 * block): more than 20 bytes between them, a full stop after allowed. */
bool dkr_quoted(const char *s, size_t len);

/* Case-insensitive ASCII comparison of s with the NUL-terminated word. */
bool dkr_text_eq(const char *s, size_t len, const char *word);

#ifdef __cplusplus
}
#endif
#endif
