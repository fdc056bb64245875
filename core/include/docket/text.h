/*
 * docket/text.h - reading the conventions of inspection material in text:
 * British dates, inspection grades, web-page furniture. Shared by readers
 * and transforms so that every format reads them the same way.
 *
 * All functions take UTF-8 (s, len; not NUL-terminated) and allocate
 * nothing.
 */
#ifndef DOCKET_TEXT_H
#define DOCKET_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dk_date {
    int year, month, day;
} dk_date;

/*
 * Find the first date in s. Understood: 02/03/2017, 2.3.2017 and 2-3-2017
 * (British, day first: 2 March 2017), 2017-03-02, "16th April 2018",
 * "3 September 2014", "1st of June 2020", "Sept 3, 2014", "February 18,
 * 2015", and without a year "February 18" or "18 February", which take
 * default_year (and are skipped when it is 0). Month names in full or
 * abbreviated, any case. Impossible dates (31/02/2017) are not dates.
 * Returns true and sets *d and the byte range [*start, *end) of the match.
 */
bool dk_find_date(const char *s, size_t len, int default_year, dk_date *d,
                  size_t *start, size_t *end);

/* "YYYY-MM-DD" into out (11 bytes). */
void dk_date_iso(const dk_date *d, char out[11]);

/* A four-digit year 1900..2099 standing alone in s (the first), or 0. */
int dk_find_year(const char *s, size_t len);

typedef enum dk_grade {
    DK_GRADE_NONE = 0,
    DK_GRADE_OUTSTANDING,
    DK_GRADE_GOOD,
    DK_GRADE_ADEQUATE,
    DK_GRADE_REQUIRES_IMPROVEMENT,
    DK_GRADE_INADEQUATE,
    DK_GRADE_UNGRADED,
} dk_grade;

/* The schema's value for a grade ("requires-improvement"), NULL for none.
 * Transfer none. */
const char *dk_grade_value(dk_grade g);

/* The grade that all of s states: "Good", "requires improvement",
 * "Grade: Inadequate", "Ungraded." (case and surrounding space ignored).
 * gstart and gend (may be NULL) get the range of the grade words. */
dk_grade dk_grade_parse(const char *s, size_t len, size_t *gstart,
                        size_t *gend);

/* A grade stated at the end of a heading: "... – Grade Requires
 * Improvement", "... - Grade: Good". Sets the range of the grade words. */
dk_grade dk_grade_suffix(const char *s, size_t len, size_t *gstart,
                         size_t *gend);

/* Page furniture that is never content when it stands alone on a line:
 * "Skip to content", "Hide Ad", "Share this page", "Print", "Page 1 of 2". */
bool dk_is_boilerplate(const char *s, size_t len);

/* A letter's closing at the start of s standing alone ("Yours sincerely",
 * "Yours faithfully,", "Kind regards", ...): its length with a comma, or 0
 * if s holds anything else. */
size_t dk_letter_closing(const char *s, size_t len);

/* A salutation: "Dear ..." or a short capitalised line ending in a comma
 * (as the damaged "Keer Amber,"); the caller decides where one is due. */
bool dk_letter_salutation(const char *s, size_t len);

/* Case-insensitive ASCII comparison of s with the NUL-terminated word. */
bool dk_text_eq(const char *s, size_t len, const char *word);

#ifdef __cplusplus
}
#endif
#endif
