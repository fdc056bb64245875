/* British dates, inspection grades and page furniture in text. */
#define _GNU_SOURCE
#include "rules.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ASCII letters in lower case, every other byte as it is: the words the
 * rules look for are ASCII, so this is all the case folding they need
 * (and it is inline, where tolower() asks the locale for every byte). */
static inline unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

bool dkr_text_eq(const char *s, size_t len, const char *word)
{
    /* most words differ in their first letter: stop there */
    for (size_t i = 0; i < len; i++)
        if (!word[i] || lower((unsigned char)s[i]) != lower((unsigned char)word[i]))
            return false;
    return word[len] == '\0';
}

/* ---- dates ---------------------------------------------------------------- */

static const char *const months[] = {"january", "february", "march",
                                     "april",   "may",      "june",
                                     "july",    "august",   "september",
                                     "october", "november", "december"};

/* A month name at s (whole word, full or abbreviated to three letters or
 * "Sept"), optionally followed by a dot. Returns 1..12 and its length. */
static int month_at(const char *s, size_t len, size_t *mlen)
{
    size_t w = 0;
    while (w < len && isalpha((unsigned char)s[w]))
        w++;
    if (w < 3)
        return 0;
    char first = (char)lower((unsigned char)s[0]);
    for (int m = 0; m < 12; m++) {
        if (months[m][0] != first)
            continue;
        bool ok = dkr_text_eq(s, w, months[m]) ||
                  (w == 3 && strncasecmp(s, months[m], 3) == 0) ||
                  (m == 8 && w == 4 && strncasecmp(s, "sept", 4) == 0);
        if (ok) {
            *mlen = w + (w < len && s[w] == '.' && w < strlen(months[m]));
            return m + 1;
        }
    }
    return 0;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid_date(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= days[m - 1] + (m == 2 && leap(y));
}

/* Digits at s (at most max); returns the value, count in *n (0: none). */
static int digits(const char *s, size_t len, size_t max, size_t *n)
{
    int v = 0;
    size_t i = 0;
    while (i < len && i < max && isdigit((unsigned char)s[i]))
        v = v * 10 + (s[i++] - '0');
    *n = i;
    return v;
}

static size_t spaces(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

static bool boundary_before(const char *s, size_t i)
{
    return i == 0 || !isalnum((unsigned char)s[i - 1]);
}

static bool boundary_after(const char *s, size_t len, size_t i)
{
    return i >= len || !isalnum((unsigned char)s[i]);
}

/* Day with an optional ordinal suffix: "16th", "3", "1st". */
static int day_at(const char *s, size_t len, size_t *n)
{
    size_t k;
    int d = digits(s, len, 2, &k);
    if (!k)
        return 0;
    if (k + 2 <= len && (strncasecmp(s + k, "st", 2) == 0 ||
                         strncasecmp(s + k, "nd", 2) == 0 ||
                         strncasecmp(s + k, "rd", 2) == 0 ||
                         strncasecmp(s + k, "th", 2) == 0))
        k += 2;
    if (!boundary_after(s, len, k))
        return 0;
    *n = k;
    return d;
}

/* Day and month read, up to p[at]: an optional comma and a four-digit
 * year follow, else default_year stands in. Sets *end relative to p. */
static bool with_year(const char *p, size_t left, size_t at, int m, int dd,
                      int default_year, dkr_date *d, size_t *end)
{
    size_t k, after = at;
    at += at < left && p[at] == ',';
    at += spaces(p + at, left - at);
    int y = digits(p + at, left - at, 4, &k);
    if (k == 4 && boundary_after(p, left, at + 4) && valid_date(y, m, dd)) {
        *d = (dkr_date){y, m, dd};
        *end = at + 4;
        return true;
    }
    if (default_year && valid_date(default_year, m, dd)) {
        *d = (dkr_date){default_year, m, dd};
        *end = after;
        return true;
    }
    return false;
}

/* Try every form at position i; on success set d and *end. */
static bool date_at(const char *s, size_t len, size_t i, int default_year,
                    dkr_date *d, size_t *end)
{
    const char *p = s + i;
    size_t left = len - i, n, k;

    /* 2017-03-02 */
    int y = digits(p, left, 4, &n);
    if (n == 4 && left >= 10 && p[4] == '-' && isdigit((unsigned char)p[5]) &&
        isdigit((unsigned char)p[6]) && p[7] == '-' &&
        isdigit((unsigned char)p[8]) && isdigit((unsigned char)p[9]) &&
        boundary_after(p, left, 10)) {
        int m = (p[5] - '0') * 10 + (p[6] - '0');
        int dd = (p[8] - '0') * 10 + (p[9] - '0');
        if (valid_date(y, m, dd)) {
            *d = (dkr_date){y, m, dd};
            *end = i + 10;
            return true;
        }
    }

    /* 02/03/2017, 2.3.2017, 2-3-2017: day first */
    int dd = digits(p, left, 2, &n);
    if (n && n < left && (p[n] == '/' || p[n] == '.' || p[n] == '-')) {
        char sep = p[n];
        size_t at = n + 1;
        int m = digits(p + at, left - at, 2, &k);
        if (k && at + k < left && p[at + k] == sep) {
            at += k + 1;
            y = digits(p + at, left - at, 4, &k);
            if (k == 4 && boundary_after(p, left, at + 4) &&
                valid_date(y, m, dd)) {
                *d = (dkr_date){y, m, dd};
                *end = i + at + 4;
                return true;
            }
        }
    }

    /* 16th April 2018, 3 September 2014, 1st of June 2020, 18 February */
    dd = day_at(p, left, &n);
    if (dd) {
        size_t at = n + spaces(p + n, left - n);
        if (left - at >= 3 && strncasecmp(p + at, "of ", 3) == 0)
            at += 3 + spaces(p + at + 3, left - at - 3);
        int m = month_at(p + at, left - at, &k);
        if (m && at > n) {
            if (with_year(p, left, at + k, m, dd, default_year, d, end)) {
                *end += i;
                return true;
            }
        }
    }

    /* February 18, 2015; Sept 3 2014; February 18 */
    int m = month_at(p, left, &n);
    if (m) {
        size_t at = n + spaces(p + n, left - n);
        dd = at > n ? day_at(p + at, left - at, &k) : 0;
        if (dd) {
            if (with_year(p, left, at + k, m, dd, default_year, d, end)) {
                *end += i;
                return true;
            }
        }
    }
    return false;
}

bool dkr_find_date(const char *s, size_t len, int default_year, dkr_date *d,
                  size_t *start, size_t *end)
{
    /* every form has a digit (the day or the year): most lines of prose
     * have none, and are done with in one look at each byte */
    size_t digit = 0;
    while (digit < len && (unsigned char)(s[digit] - '0') > 9)
        digit++;
    if (digit == len)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)s[i]) || !boundary_before(s, i))
            continue;
        size_t e;
        if (date_at(s, len, i, default_year, d, &e)) {
            *start = i;
            *end = e;
            return true;
        }
    }
    return false;
}

void dkr_date_next(dkr_date *d)
{
    if (valid_date(d->year, d->month, d->day + 1)) {
        d->day++;
    } else if (d->month < 12) {
        d->month++;
        d->day = 1;
    } else {
        d->year++;
        d->month = d->day = 1;
    }
}

void dkr_date_iso(const dkr_date *d, char out[11])
{
    unsigned y = (unsigned)d->year % 10000, m = (unsigned)d->month % 13,
             dd = (unsigned)d->day % 32;
    snprintf(out, 11, "%04u-%02u-%02u", y, m, dd);
}

int dkr_find_year(const char *s, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++) {
        size_t n;
        int y = digits(s + i, len - i, 5, &n);
        if (n == 4 && boundary_before(s, i) && y >= 1900 && y <= 2099)
            return y;
        if (n)
            i += n - 1;
    }
    return 0;
}

/* ---- grades --------------------------------------------------------------- */

static const char *const grade_values[] = {
    NULL, "outstanding", "good", "adequate", "requires-improvement",
    "inadequate", "ungraded"};

const char *dkr_grade_value(dkr_grade g)
{
    return (unsigned)g <= DKR_GRADE_UNGRADED ? grade_values[g] : NULL;
}

static const struct {
    const char *words;
    dkr_grade grade;
} grade_words[] = {
    {"outstanding", DKR_GRADE_OUTSTANDING},
    {"good", DKR_GRADE_GOOD},
    {"adequate", DKR_GRADE_ADEQUATE},
    {"requires improvement", DKR_GRADE_REQUIRES_IMPROVEMENT},
    {"require improvement", DKR_GRADE_REQUIRES_IMPROVEMENT},
    {"requiring improvement", DKR_GRADE_REQUIRES_IMPROVEMENT},
    {"inadequate", DKR_GRADE_INADEQUATE},
    {"ungraded", DKR_GRADE_UNGRADED},
    {"not graded", DKR_GRADE_UNGRADED},
};

/* Could s end in a grade? Every grade above ends in one of seven words
 * (good, graded, adequate, ungraded, inadequate, outstanding, improvement)
 * with only white space and full stops after it (as grade_trim cuts
 * them): a look at the last word turns away almost every text before a
 * grade is looked for in it. */
static bool ends_in_grade_word(const char *s, size_t len)
{
    size_t j = len;
    while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '.' || (s[j - 1] >= '\t' && s[j - 1] <= '\r')))
        j--;
    size_t i = j;
    while (i > 0 && ((s[i - 1] | 0x20) >= 'a' && (s[i - 1] | 0x20) <= 'z'))
        i--;
    /* by length, then the one word of that length it could be */
    const char *w;
    switch (j - i) {
    case 4: w = "good"; break;
    case 6: w = "graded"; break;
    case 8: w = (s[i] | 0x20) == 'a' ? "adequate" : "ungraded"; break;
    case 10: w = "inadequate"; break;
    case 11: w = (s[i] | 0x20) == 'o' ? "outstanding" : "improvement"; break;
    default: return false;
    }
    return dkr_text_eq(s + i, j - i, w);
}

/* The label a grade may follow: "Grade", "Grade:", "Our judgment:",
 * "Overall judgement -", "Rating". Returns its length with the separator
 * after it, or 0. */
static size_t grade_label(const char *s, size_t len)
{
    static const char *const labels[] = {
        "our overall judgement", "our overall judgment", "overall judgement",
        "overall judgment", "our judgements", "our judgments", "our judgement",
        "our judgment", "judgement", "judgment", "overall grade", "grade",
        "overall rating", "rating"};
    /* the labels start with o, j, g or r: most text is rejected here */
    char first = len ? (char)(s[0] | 0x20) : 0;
    if (first != 'o' && first != 'j' && first != 'g' && first != 'r')
        return 0;
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++) {
        if (labels[k][0] != first)
            continue;
        size_t n = strlen(labels[k]);
        if (len <= n || strncasecmp(s, labels[k], n) != 0)
            continue;
        size_t i = n;
        if (len - i > 4 && !strncasecmp(s + i, " is ", 4))
            i += 3;
        size_t sep = i;
        while (i < len && (s[i] == ' ' || s[i] == ':' || s[i] == '-'))
            i++;
        /* an en or em dash */
        if (len - i >= 3 && (!memcmp(s + i, "\xE2\x80\x93", 3) ||
                             !memcmp(s + i, "\xE2\x80\x94", 3)))
            i += 3;
        while (i < len && s[i] == ' ')
            i++;
        if (i > sep)
            return i;
    }
    return 0;
}

bool dkr_grade_label(const char *s, size_t len)
{
    while (len && (isspace((unsigned char)s[len - 1]) || s[len - 1] == ':'))
        len--;
    static const char *const labels[] = {
        "our overall judgement", "our overall judgment", "overall judgement",
        "overall judgment", "our judgements", "our judgments", "our judgement",
        "our judgment", "judgement", "judgment", "overall grade", "grade",
        "overall rating", "rating"};
    char first = len ? (char)lower((unsigned char)s[0]) : 0;
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
        if (labels[k][0] == first && dkr_text_eq(s, len, labels[k]))
            return true;
    return false;
}

/* Trim spaces, a final full stop, and a leading label ("Grade:", "Our
 * judgment:"). */
static void grade_trim(const char *s, size_t len, size_t *a, size_t *b)
{
    size_t i = 0, j = len;
    while (i < j && isspace((unsigned char)s[i]))
        i++;
    while (j > i && (isspace((unsigned char)s[j - 1]) || s[j - 1] == '.'))
        j--;
    i += grade_label(s + i, j - i);
    *a = i;
    *b = j;
}

dkr_grade dkr_grade_parse(const char *s, size_t len, size_t *gstart,
                        size_t *gend)
{
    if (!ends_in_grade_word(s, len))
        return DKR_GRADE_NONE;
    size_t a, b;
    grade_trim(s, len, &a, &b);
    for (size_t k = 0; k < sizeof grade_words / sizeof grade_words[0]; k++) {
        if (dkr_text_eq(s + a, b - a, grade_words[k].words)) {
            if (gstart)
                *gstart = a;
            if (gend)
                *gend = b;
            return grade_words[k].grade;
        }
    }
    return DKR_GRADE_NONE;
}

/* A dash between words: " - ", " – ", " — " at s[i]; its length. */
static size_t dash_at(const char *s, size_t len, size_t i)
{
    if (i == 0 || s[i - 1] != ' ')
        return 0;
    size_t n = s[i] == '-' ? 1
               : len - i >= 3 && (!memcmp(s + i, "\xE2\x80\x93", 3) ||
                                  !memcmp(s + i, "\xE2\x80\x94", 3))
                   ? 3
                   : 0;
    return n && i + n < len && s[i + n] == ' ' ? n : 0;
}

dkr_grade dkr_grade_after(const char *s, size_t len, size_t *cut,
                          size_t *gstart, size_t *gend)
{
    /* the first separator with a grade (and perhaps its label, "Our
     * judgment:") and nothing else after it */
    if (!ends_in_grade_word(s, len))
        return DKR_GRADE_NONE;
    for (size_t i = 1; i < len; i++) {
        size_t after;
        if (s[i] == '?')
            after = i + 1;
        else if (s[i] == ':' || s[i] == '|')
            after = i + 1;
        else if (dash_at(s, len, i))
            after = i + dash_at(s, len, i);
        else
            continue;
        size_t ga, gb;
        dkr_grade g = dkr_grade_parse(s + after, len - after, &ga, &gb);
        if (g == DKR_GRADE_NONE)
            continue;
        size_t c = s[i] == '?' ? i + 1 : i;
        while (c > 0 && s[c - 1] == ' ')
            c--;
        if (c == 0)
            return DKR_GRADE_NONE;
        *cut = c;
        *gstart = after + ga;
        *gend = after + gb;
        return g;
    }
    return DKR_GRADE_NONE;
}

dkr_grade dkr_grade_suffix(const char *s, size_t len, size_t *gstart,
                         size_t *gend)
{
    /* the last "Grade" word, followed by a grade and nothing else */
    if (!ends_in_grade_word(s, len))
        return DKR_GRADE_NONE;
    for (size_t i = len; i-- > 0;) {
        if (i + 5 > len || strncasecmp(s + i, "grade", 5) != 0 ||
            !boundary_before(s, i))
            continue;
        size_t a = i + 5;
        while (a < len && (s[a] == ' ' || s[a] == ':'))
            a++;
        size_t ga, gb;
        dkr_grade g = dkr_grade_parse(s + a, len - a, &ga, &gb);
        if (g != DKR_GRADE_NONE && a > i + 5) {
            *gstart = a + ga;
            *gend = a + gb;
            return g;
        }
    }
    return DKR_GRADE_NONE;
}

/* ---- furniture ------------------------------------------------------------- */

/*
 * Furniture is recognised by its vocabulary, not by its phrases: a short
 * line made only of the words of a page's controls ("Share this page",
 * "Accept all cookies", "Follow us on Twitter", "12 comments", "Skip to
 * main content", "Hide Ad") says nothing of the document.
 */
/* in strcmp's order, for control_word's binary search */
static const char *const control_words[] = {
    "a", "accept", "ad", "add", "ads", "advert", "advertisement",
    "advertising", "agree", "all", "allow", "analytics", "and", "article",
    "back",
    "bookmark", "close", "comment", "comments", "content", "continue",
    "cookie", "cookies", "copy", "customise", "customize", "decline", "deny",
    "dismiss", "email", "essential", "expand", "facebook", "follow", "got",
    "hide", "instagram", "it", "jump", "leave", "link", "linkedin", "listen",
    "load", "log", "login", "main", "manage", "marketing", "menu", "more",
    "navigation", "necessary", "next", "non", "ok", "on", "only", "optional",
    "options", "page", "personalised", "pinterest",
    "preferences", "previous", "print", "read", "reddit", "reject", "return",
    "save", "search", "settings", "share", "show", "sign", "skip", "sponsored",
    "story", "subscribe", "this", "to", "toggle", "top", "tweet", "twitter",
    "up", "us", "via", "view", "whatsapp", "x", "youtube"};

/* w (n bytes, any case) against a lower-case word, in strcmp's order. */
static int word_cmp(const char *w, size_t n, const char *word)
{
    for (size_t i = 0;; i++) {
        int b = (unsigned char)word[i];
        if (i == n)
            return -b;
        if (b == 0)
            return 1;
        int a = lower((unsigned char)w[i]);
        if (a != b)
            return a - b;
    }
}

/* The control words by length, first and last letter: ends[len][first]
 * has bit last - 'a' set for each. Built once, on first use. */
enum { CONTROL_MAX = 13 }; /* "advertisement" */
static uint32_t control_ends[CONTROL_MAX + 1][26];
static pthread_once_t control_once = PTHREAD_ONCE_INIT;

static void know_control_ends(void)
{
    for (size_t k = 0; k < sizeof control_words / sizeof control_words[0]; k++) {
        const char *w = control_words[k];
        size_t n = strlen(w);
        control_ends[n][w[0] - 'a'] |= UINT32_C(1) << (w[n - 1] - 'a');
    }
}

/* Every line of a page is asked whether it is made of these words, and
 * most are rejected at their first word: by its length and its first and
 * last letters, else by a binary search. */
static bool control_word(const char *w, size_t n)
{
    if (n > CONTROL_MAX)
        return false;
    unsigned first = lower((unsigned char)w[0]) - 'a', last = lower((unsigned char)w[n - 1]) - 'a';
    if (first >= 26 || last >= 26)
        return false; /* the words are letters */
    pthread_once(&control_once, know_control_ends);
    if (!(control_ends[n][first] >> last & 1))
        return false;
    size_t lo = 0, hi = sizeof control_words / sizeof control_words[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = word_cmp(w, n, control_words[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

/* The control words that are furniture standing alone: actions and
 * labels of a page's controls. The others ("Story", "Content", "Comments")
 * also name what a document's own heading may be about. */
static const char *const alone_words[] = {
    "accept", "ad", "ads", "advert", "advertisement", "bookmark", "close",
    "dismiss", "expand", "hide", "login", "menu", "next", "previous", "print",
    "reject", "share", "skip", "sponsored", "subscribe", "toggle", "tweet"};

static bool alone_word(const char *w, size_t n)
{
    for (size_t k = 0; k < sizeof alone_words / sizeof alone_words[0]; k++)
        if (dkr_text_eq(w, n, alone_words[k]))
            return true;
    return false;
}

/* "Page 3", "Page 1 of 2": a printed page's running footer. */
static bool page_number(const char *s, size_t len)
{
    if (len < 6 || (s[0] | 0x20) != 'p' || strncasecmp(s, "page ", 5) != 0)
        return false;
    size_t i = 5, n;
    digits(s + i, len - i, 4, &n);
    if (!n)
        return false;
    i += n;
    if (i == len)
        return true;
    if (len - i < 5 || strncasecmp(s + i, " of ", 4) != 0)
        return false;
    i += 4;
    digits(s + i, len - i, 4, &n);
    return n && i + n == len;
}

/* Up to eight words, each a control word or a number ("12 comments",
 * "Comments (3)"), with at least one word; a word alone only if it is an
 * action ("Print", "Share"). A line ending in "to:" is a label that
 * introduces what follows ("Copy to:" over a letter's copy list), not a
 * control. */
static bool controls_only(const char *s, size_t len)
{
    /* "Copy to:" */
    if (len > 3 && s[len - 1] == ':' && !strncasecmp(s + len - 3, "to", 2) &&
        (len == 3 || !isalnum((unsigned char)s[len - 4])))
        return false;
    size_t words = 0, i = 0, long_words = 0, numbers = 0;
    const char *first = NULL;
    size_t first_len = 0;
    while (i < len) {
        while (i < len && !isalnum((unsigned char)s[i]))
            i++;
        size_t st = i;
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '\''))
            i++;
        if (i == st)
            break;
        bool number = true;
        for (size_t k = st; k < i; k++)
            number &= isdigit((unsigned char)s[k]) != 0;
        if (!number && !control_word(s + st, i - st))
            return false;
        if (!number && !words) {
            first = s + st;
            first_len = i - st;
        }
        numbers += number;
        words += !number;
        long_words += !number && i - st > 1;
        if (words > 8)
            return false;
    }
    if (words == 1 && !numbers && !alone_word(first, first_len))
        return false;
    return long_words > 0; /* "x" alone is a letter, not a control */
}

/* "Read more: Chief constable to retire", "Related: ...", "See also -":
 * a link to another page under a label. */
static bool link_label(const char *s, size_t len)
{
    static const char *const labels[] = {"read more", "read next", "related",
                                         "see also", "also read", "more on this",
                                         "recommended", "watch", "listen"};
    /* the labels start with r, s, a, m, w or l: most lines stop here */
    char first = (char)lower((unsigned char)s[0]);
    if (!strchr("rsamwl", first) || !first)
        return false;
    /* the rest reads as the title of another page: it starts with a
     * capital or a digit and ends without a full stop ("Related: the
     * inspection found ..." is a sentence of the document) */
    char last = s[len - 1];
    if (last == '.' || last == ';' || last == ',')
        return false;
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++) {
        if (labels[k][0] != first)
            continue;
        size_t n = strlen(labels[k]);
        if (len > n + 2 && !strncasecmp(s, labels[k], n) &&
            (s[n] == ':' || (s[n] == ' ' && (s[n + 1] == '-' || s[n + 1] == '|')))) {
            size_t i = n + 1;
            while (i < len && (s[i] == ' ' || s[i] == '-' || s[i] == '|'))
                i++;
            return i < len && (isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
                               (unsigned char)s[i] >= 0x80 || s[i] == '"' || s[i] == '\'');
        }
    }
    return false;
}

/* Does s hold the n bytes b (n > 1, b[0] not ASCII)? */
static bool has_bytes(const char *s, size_t len, const char *b, size_t n)
{
    for (const char *p = s, *end = s + len; p + n <= end; p++) {
        p = memchr(p, b[0], (size_t)(end - p) - n + 1);
        if (!p)
            return false;
        if (!memcmp(p + 1, b + 1, n - 1))
            return true;
    }
    return false;
}

/* "Home › PEEL assessments › Westshire", "Home > News > Crime": a
 * breadcrumb trail of two or more separators between steps that each
 * start with a capital letter and run at most six words, no sentence.
 * The separators are the typographic ones (› and », which prose does not
 * use so), or " > " when the trail starts at "Home" ("threat > harm >
 * risk", "Inputs > Outputs > Outcomes" and " / " lists are content). */
static bool breadcrumb(const char *s, size_t len)
{
    if (len > 160 || strchr(".!?:;,", s[len - 1]))
        return false;
    bool home = len > 5 && !strncasecmp(s, "home", 4) && !isalnum((unsigned char)s[4]);
    /* most lines have no separator at all: look for one first (by its
     * first byte, which text that is mostly ASCII seldom holds) */
    if (!home && !has_bytes(s, len, "\xE2\x80\xBA", 3) && !has_bytes(s, len, "\xC2\xBB", 2))
        return false;
    size_t seps = 0, words = 0, since = 0;
    for (size_t i = 0; i < len; i++) {
        size_t sep = 0;
        if (i + 3 <= len && !memcmp(s + i, "\xE2\x80\xBA", 3))
            sep = 3;
        else if (i + 2 <= len && !memcmp(s + i, "\xC2\xBB", 2))
            sep = 2;
        else if (home && s[i] == '>' && i > 0 && s[i - 1] == ' ' && i + 1 < len &&
                 s[i + 1] == ' ')
            sep = 1;
        if (sep) {
            if (!since)
                return false; /* a step of no words */
            seps++;
            since = 0;
            i += sep - 1;
            continue;
        }
        if (!isspace((unsigned char)s[i]) &&
            (i == 0 || isspace((unsigned char)s[i - 1]) || since == 0)) {
            /* a step's first word starts with a capital */
            if (since == 0 && !isupper((unsigned char)s[i]))
                return false;
            words++;
            if (++since > 6)
                return false; /* a step is a name, not a sentence */
        }
    }
    return seps >= 2 && since && words <= 18;
}

bool dkr_is_boilerplate(const char *s, size_t len)
{
    size_t a = 0, b = len;
    while (a < b && isspace((unsigned char)s[a]))
        a++;
    while (b > a && isspace((unsigned char)s[b - 1]))
        b--;
    if (b == a || b - a > 200)
        return false;
    return page_number(s + a, b - a) || controls_only(s + a, b - a) ||
           link_label(s + a, b - a) || breadcrumb(s + a, b - a);
}

/* Does a word of s start with w (lower-case ASCII), in any case ("accept"
 * in "Accepted", not in "unacceptable")? Candidates are found by w's
 * anchor, w[at], a letter and the rarest of w's in English text (memchr,
 * for either case: "cookie" by its k, not its c: z, q, x, j, k, v, b, p,
 * y, g, f, w, m, u, c, l, d, r, h, s, n, i, o, a, t, e from rarest to
 * commonest) before anything is compared, as most blocks hold none of
 * these words. HAS_CI gives w's length; the anchor is written at the
 * call. */
#define HAS_CI(s, len, w, at) has_ci(s, len, w, sizeof w - 1, at)

static bool has_ci(const char *s, size_t len, const char *w, size_t n, size_t at)
{
    if (n > len)
        return false;
    /* w would start at c - at; anchors are looked for in [first, end) */
    const char *first = s + at, *end = s + len - n + at + 1;
    char lo = w[at], up = (char)(w[at] - 'a' + 'A');
    const char *a = memchr(first, lo, (size_t)(end - first));
    const char *b = memchr(first, up, (size_t)(end - first));
    while (a || b) {
        const char *c = !b || (a && a < b) ? a : b;
        const char *st = c - at;
        size_t k = st > s && isalpha((unsigned char)st[-1]) ? n + 1 : 0; /* word starts only */
        while (k < n && (st[k] >= 'A' && st[k] <= 'Z' ? st[k] | 0x20 : st[k]) == w[k])
            k++;
        if (k == n)
            return true;
        if (c == a)
            a = memchr(a + 1, lo, (size_t)(end - a - 1));
        else
            b = memchr(b + 1, up, (size_t)(end - b - 1));
    }
    return false;
}

/* Does the n-byte word w (lower-case ASCII) start at st, a word start
 * inside s (as has_ci asks for each anchor it finds)? */
static bool word_at(const char *s, size_t len, const char *st, const char *w,
                    size_t n)
{
    if (st < s || st + n > s + len || (st > s && isalpha((unsigned char)st[-1])))
        return false;
    for (size_t k = 0; k < n; k++)
        if (lower((unsigned char)st[k]) != (unsigned char)w[k])
            return false;
    return true;
}

enum { W_COOKIE = 1, W_NEWSLETTER = 2, W_INBOX = 4 };

/* Which of the words that open the block rules below start a word of s:
 * "cookie" (anchor k), "newsletter" (w), "inbox" (x). has_ci looks for
 * each anchor in two cases with its own memchr, six passes over every
 * block; with SSE2 (every x86-64) one pass looks for the six bytes
 * sixteen at a time. Either way the answer is the same. */
static unsigned block_words(const char *s, size_t len)
{
    unsigned found = 0;
#if defined(__SSE2__)
    const __m128i k = _mm_set1_epi8('k'), w = _mm_set1_epi8('w'), x = _mm_set1_epi8('x');
    const __m128i up = _mm_set1_epi8(0x20);
    size_t i = 0;
    for (;;) {
        unsigned mask;
        if (i + 16 <= len) {
            /* the three letters in either case: ASCII upper case is the
             * lower case without 0x20, so OR it in and compare with k, w
             * and x (bytes that become them so, as 'K' does, are the
             * upper case ones; no other byte does) */
            __m128i v = _mm_or_si128(_mm_loadu_si128((const __m128i *)(s + i)), up);
            mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, k), _mm_cmpeq_epi8(v, w)),
                _mm_cmpeq_epi8(v, x)));
        } else if (i < len) {
            mask = 0;
            for (size_t j = i; j < len; j++) {
                unsigned char c = (unsigned char)(s[j] | 0x20);
                mask |= (unsigned)(c == 'k' || c == 'w' || c == 'x') << (j - i);
            }
        } else {
            break;
        }
        while (mask) {
            const char *c = s + i + (unsigned)__builtin_ctz(mask);
            mask &= mask - 1;
            switch (*c | 0x20) {
            case 'k':
                found |= word_at(s, len, c - 3, "cookie", 6) ? W_COOKIE : 0;
                break;
            case 'w':
                found |= word_at(s, len, c - 2, "newsletter", 10) ? W_NEWSLETTER : 0;
                break;
            default:
                found |= word_at(s, len, c - 4, "inbox", 5) ? W_INBOX : 0;
                break;
            }
        }
        i += 16;
    }
#else
    found |= HAS_CI(s, len, "cookie", 3) ? W_COOKIE : 0;
    found |= HAS_CI(s, len, "newsletter", 2) ? W_NEWSLETTER : 0;
    found |= HAS_CI(s, len, "inbox", 4) ? W_INBOX : 0;
#endif
    return found;
}

/* The words of s, counted up to max + 1 (callers only ask whether there
 * are at most max). */
static size_t word_count(const char *s, size_t len, size_t max)
{
    size_t w = 0;
    bool in = false;
    for (size_t i = 0; i < len && w <= max; i++) {
        bool sp = isspace((unsigned char)s[i]);
        w += !sp && !in;
        in = !sp;
    }
    return w;
}

bool dkr_is_boilerplate_block(const char *s, size_t len)
{
    if (dkr_is_boilerplate(s, len))
        return true;
    /* lines that are each furniture ("Share" over "Facebook", "Email") */
    bool lines = memchr(s, '\n', len) != NULL;
    for (size_t i = 0; lines && i < len;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        lines = dkr_is_boilerplate(s + i, e - i);
        i = e + 1;
    }
    if (lines)
        return true;
    /* The words are counted last: most blocks are prose, which the
     * vocabulary below rejects sooner than a count of its words. */
    unsigned words = block_words(s, len);
    /* a cookie banner: cookies and asking for consent, in a few words */
    if ((words & W_COOKIE) &&
        (HAS_CI(s, len, "accept", 4) || HAS_CI(s, len, "agree", 1) ||
         HAS_CI(s, len, "consent", 0) || HAS_CI(s, len, "preferences", 0) ||
         HAS_CI(s, len, "settings", 6) || HAS_CI(s, len, "continuing to", 9)) &&
        word_count(s, len, 80) <= 80)
        return true;
    /* a newsletter sign-up: named as one, and asked for ("alerts by
     * email" alone is a service a letter may tell of) */
    bool named = words & (W_NEWSLETTER | W_INBOX);
    return named &&
           (HAS_CI(s, len, "sign up", 6) || HAS_CI(s, len, "sign-up", 6) ||
            HAS_CI(s, len, "subscribe", 2)) &&
           word_count(s, len, 50) <= 50;
}

bool dkr_byline(const char *s, size_t len, size_t *start, size_t *end)
{
    if (len < 6 || len > 80 || strncasecmp(s, "by ", 3) != 0)
        return false;
    size_t i = 3, words = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == ',' || c == '|' || (c == ' ' && i + 1 < len && s[i + 1] == '-'))
            break;
        if (c == ' ') {
            i++;
            continue;
        }
        /* a name's word: capitalised, letters, hyphens, apostrophes, dots */
        if (c < 0x80 && !isupper(c))
            return false;
        words++;
        while (i < len && s[i] != ' ' && s[i] != ',' && s[i] != '|') {
            c = (unsigned char)s[i];
            if (c < 0x80 && !isalpha(c) && c != '-' && c != '\'' && c != '.')
                return false;
            i++;
        }
    }
    size_t e = i;
    while (e > 3 && s[e - 1] == ' ')
        e--;
    if (words < 2 || words > 4)
        return false;
    *start = 3;
    *end = e;
    return true;
}

const char *dkr_dateline(const char *s, size_t len, dkr_date *d, size_t *start)
{
    static const struct {
        const char *label, *role;
    } labels[] = {{"first published", "published"}, {"published", "published"},
                  {"posted", "published"},          {"last updated", "updated"},
                  {"updated", "updated"},           {"last modified", "updated"},
                  {"modified", "updated"}};
    if (len > 80)
        return NULL;
    char first = len ? (char)(s[0] | 0x20) : 0;
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++) {
        if (labels[k].label[0] != first)
            continue;
        size_t n = strlen(labels[k].label), a, b;
        if (len <= n || strncasecmp(s, labels[k].label, n) != 0 ||
            isalpha((unsigned char)s[n]))
            continue;
        size_t i = n;
        while (i < len && (s[i] == ' ' || s[i] == ':'))
            i++;
        /* "Published on 3 May", "Published on: 3 May" */
        if (len - i > 3 && !strncasecmp(s + i, "on", 2) && (s[i + 2] == ' ' || s[i + 2] == ':')) {
            i += 2;
            while (i < len && (s[i] == ' ' || s[i] == ':'))
                i++;
        }
        if (!dkr_find_date(s + i, len - i, 0, d, &a, &b) || a > 12)
            return NULL;
        *start = i;
        return labels[k].role;
    }
    return NULL;
}

bool dkr_link_list_heading(const char *s, size_t len)
{
    /* whole headings, their words lower-cased and joined by one space */
    static const char *const phrases[] = {
        "most read", "most popular", "most viewed", "most shared", "most commented",
        "most watched", "trending", "trending now", "trending stories", "top stories",
        "related", "related stories", "related articles", "related links",
        "related content", "related news", "related posts", "related videos",
        "related coverage", "related topics", "recommended", "recommended for you",
        "recommended stories", "recommended articles", "recommended reading",
        "you may also like", "you might also like", "you may also be interested in",
        "you might also be interested in", "more stories", "more news", "more on this",
        "more on this story", "latest news", "latest stories", "popular",
        "popular stories", "popular now", "popular articles", "read more", "read next",
        "also read", "editor s picks", "editors picks", "don t miss"};
    /* the phrases start with a, d, e, l, m, p, r, t or y: most headings
     * are turned away by their first letter */
    size_t i0 = 0;
    while (i0 < len && !isalnum((unsigned char)s[i0]))
        i0++;
    if (i0 == len || !strchr("adelmprty", lower((unsigned char)s[i0])))
        return false;
    char norm[96];
    size_t n = 0, words = 0;
    for (size_t i = i0; i < len;) {
        while (i < len && !isalnum((unsigned char)s[i]))
            i++;
        if (i == len)
            break;
        if (++words > 6 || (n && n + 1 >= sizeof norm))
            return false;
        if (n)
            norm[n++] = ' ';
        for (; i < len && isalnum((unsigned char)s[i]); i++) {
            if (n + 1 >= sizeof norm)
                return false;
            norm[n++] = (char)lower((unsigned char)s[i]);
        }
    }
    norm[n] = '\0';
    for (size_t k = 0; k < sizeof phrases / sizeof phrases[0]; k++)
        if (phrases[k][0] == norm[0] && !strcmp(norm, phrases[k]))
            return true;
    /* "More from Westshire", "More from this author" */
    return words >= 3 && !strncmp(norm, "more from ", 10);
}

/* ---- letters ---------------------------------------------------------------- */

static const char *const closings[] = {
    "Yours sincerely", "Yours faithfully", "Yours truly", "Yours ever",
    "Kind regards", "Best regards", "With best wishes", "Best wishes",
    "Regards", NULL};

size_t dkr_letter_closing(const char *s, size_t len)
{
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    for (const char *const *c = closings; *c; c++) {
        size_t n = strlen(*c);
        if (len >= n && !strncasecmp(s, *c, n) &&
            (len == n || (len == n + 1 && s[n] == ',')))
            return len;
    }
    return 0;
}

bool dkr_letter_salutation(const char *s, size_t len)
{
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || len > 60)
        return false;
    if (len > 5 && !strncmp(s, "Dear ", 5))
        return true;
    size_t words = 1;
    for (size_t i = 0; i < len; i++)
        words += s[i] == ' ';
    return s[len - 1] == ',' && words <= 4 && len < 40 &&
           isupper((unsigned char)s[0]);
}

/* Straight quotes close straight ones, curly ones curly ones. */
bool dkr_quoted(const char *s, size_t len)
{
    static const char *const open[] = {"'", "\"", "\xE2\x80\x98", "\xE2\x80\x9C"};
    static const char *const close[] = {"'", "\"", "\xE2\x80\x99", "\xE2\x80\x9D"};
    /* most text starts with no quotation mark at all */
    if (!len || (s[0] != '\'' && s[0] != '"' && s[0] != '\xE2'))
        return false;
    while (len && (s[len - 1] == '.' || s[len - 1] == ' '))
        len--;
    for (int i = 0; i < 4; i++) {
        size_t ol = strlen(open[i]);
        for (int j = 0; j < 4; j++) {
            size_t cl = strlen(close[j]);
            if (len > ol + cl + 20 && !memcmp(s, open[i], ol) &&
                !memcmp(s + len - cl, close[j], cl) && (i < 2) == (j < 2))
                return true;
        }
    }
    return false;
}
