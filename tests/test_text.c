/* Unit tests of dates, grades and page furniture (the internal rules library). */
#include "harness.h"

#include "rules.h"
#include <stdio.h>
#include <string.h>

/* The ISO date found in s (with default_year), or "" if none. */
static const char *iso(const char *s, int default_year)
{
    static char out[11];
    dkr_date d;
    size_t a, b;
    if (!dkr_find_date(s, strlen(s), default_year, &d, &a, &b))
        return "";
    dkr_date_iso(&d, out);
    return out;
}

START_TEST(british_numeric_dates_are_day_first)
{
    ck_assert_str_eq(iso("Last updated 02/03/2017", 0), "2017-03-02");
    ck_assert_str_eq(iso("Last updated 13/11/2014", 0), "2014-11-13");
    ck_assert_str_eq(iso("on 2.3.2017 at noon", 0), "2017-03-02");
    ck_assert_str_eq(iso("2-3-2017", 0), "2017-03-02");
    ck_assert_str_eq(iso("2017-03-02", 0), "2017-03-02");
    /* impossible dates are not dates */
    ck_assert_str_eq(iso("31/02/2017", 0), "");
    ck_assert_str_eq(iso("13/13/2017", 0), "");
    ck_assert_str_eq(iso("29/02/2016", 0), "2016-02-29");
    ck_assert_str_eq(iso("29/02/2017", 0), "");
    ck_assert_str_eq(iso("call 01926 412322", 0), "");
}
END_TEST

START_TEST(month_names_and_ordinals)
{
    ck_assert_str_eq(iso("16th April 2018", 0), "2018-04-16");
    ck_assert_str_eq(iso("3 September 2014", 0), "2014-09-03");
    ck_assert_str_eq(iso("1st of June 2020", 0), "2020-06-01");
    ck_assert_str_eq(iso("22nd Oct. 2019", 0), "2019-10-22");
    ck_assert_str_eq(iso("the 23rd MARCH, 2015", 0), "2015-03-23");
    ck_assert_str_eq(iso("Sept 3, 2014", 0), "2014-09-03");
    ck_assert_str_eq(iso("February 18, 2015", 0), "2015-02-18");
    /* run together with other text, as letters extracted from PDFs are */
    ck_assert_str_eq(iso("Leamington Spa CV32 4EL 3 September 2014", 0),
                     "2014-09-03");
    dkr_date d;
    size_t a, b;
    const char *s = "CV32 4EL 3 September 2014";
    ck_assert(dkr_find_date(s, strlen(s), 0, &d, &a, &b));
    ck_assert_uint_eq(a, 9);
    ck_assert_uint_eq(b, strlen(s));
}
END_TEST

START_TEST(dates_without_a_year_take_it_from_context)
{
    const char *s = "published yesterday (February 18) found";
    ck_assert_str_eq(iso(s, 0), "");
    ck_assert_str_eq(iso(s, 2015), "2015-02-18");
    ck_assert_str_eq(iso("on 18 February the", 2015), "2015-02-18");
    /* a full date is not cut short by the default */
    ck_assert_str_eq(iso("18 February 2016", 2015), "2016-02-18");
    ck_assert_str_eq(iso("May I say", 2015), "");
    ck_assert_int_eq(dkr_find_year("PEEL 2016", 9), 2016);
    ck_assert_int_eq(dkr_find_year("PEEL: Police Effectiveness 2017", 31), 2017);
    ck_assert_int_eq(dkr_find_year("call 019265", 11), 0);
    ck_assert_int_eq(dkr_find_year("news-article-2015-x.txt", 23), 2015);
}
END_TEST

static dkr_grade grade(const char *s)
{
    return dkr_grade_parse(s, strlen(s), NULL, NULL);
}

START_TEST(grades)
{
    ck_assert_int_eq(grade("Good"), DKR_GRADE_GOOD);
    ck_assert_int_eq(grade("  Requires improvement "), DKR_GRADE_REQUIRES_IMPROVEMENT);
    ck_assert_int_eq(grade("REQUIRES IMPROVEMENT."), DKR_GRADE_REQUIRES_IMPROVEMENT);
    ck_assert_int_eq(grade("Grade: Inadequate"), DKR_GRADE_INADEQUATE);
    ck_assert_int_eq(grade("Ungraded"), DKR_GRADE_UNGRADED);
    ck_assert_int_eq(grade("Outstanding"), DKR_GRADE_OUTSTANDING);
    ck_assert_int_eq(grade("Adequate"), DKR_GRADE_ADEQUATE);
    ck_assert_int_eq(grade("Not graded"), DKR_GRADE_UNGRADED);
    ck_assert_int_eq(grade("requiring improvement..."), DKR_GRADE_REQUIRES_IMPROVEMENT);
    ck_assert_int_eq(grade("Rating - Require Improvement\t\r\n"),
                     DKR_GRADE_REQUIRES_IMPROVEMENT);
    ck_assert_int_eq(grade("Good progress"), DKR_GRADE_NONE);
    ck_assert_int_eq(grade("Goods"), DKR_GRADE_NONE);
    ck_assert_int_eq(grade("Ungraded2"), DKR_GRADE_NONE);
    ck_assert_str_eq(dkr_grade_value(DKR_GRADE_REQUIRES_IMPROVEMENT),
                     "requires-improvement");
    ck_assert_ptr_null(dkr_grade_value(DKR_GRADE_NONE));

    const char *h = "1) Preventing Crime and Tackling Anti-Social Behaviour "
                    "\xe2\x80\x93 Grade Requires Improvement";
    size_t a, b;
    ck_assert_int_eq(dkr_grade_suffix(h, strlen(h), &a, &b),
                     DKR_GRADE_REQUIRES_IMPROVEMENT);
    ck_assert_str_eq(h + a, "Requires Improvement");
    ck_assert_uint_eq(b, strlen(h));
    const char *n = "How good is the force at grading crime?";
    ck_assert_int_eq(dkr_grade_suffix(n, strlen(n), &a, &b), DKR_GRADE_NONE);
}
END_TEST

START_TEST(furniture)
{
    ck_assert(dkr_is_boilerplate("Skip to content", 15));
    ck_assert(dkr_is_boilerplate(" Hide Ad ", 9));
    ck_assert(dkr_is_boilerplate("SHARE THIS PAGE", 15));
    ck_assert(!dkr_is_boilerplate("Skip to content of the report", 29));
    ck_assert(dkr_is_boilerplate("Page 1 of 2", 11));
    ck_assert(dkr_is_boilerplate("Page 12", 7));
    ck_assert(!dkr_is_boilerplate("Page 1 of the report", 20));
    /* by the vocabulary of a page's controls, not by phrase */
    static const char *const yes[] = {
        "Follow us on Twitter", "12 comments", "Comments (3)",
        "Accept all cookies", "Manage cookie preferences", "Sign up",
        "Copy link", "Share on WhatsApp", "Skip to main navigation",
        "Read more: Chief constable to retire next year",
        "Related: Force rated inadequate", "Print this article", "Print",
        "Menu", "Share",
        /* breadcrumb trails */
        "Home \xE2\x80\xBA PEEL assessments \xE2\x80\xBA Westshire", "Home > News > Crime",
        "Home \xC2\xBB Our work \xC2\xBB Inspections",
        /* labels of share buttons */
        "Share this:", "Follow us:"};
    static const char *const no[] = {
        "Share of crimes solved", "Read the full report", "Effectiveness",
        "Top of the league for burglary", "Sign up to the action plan now, "
        "said the commissioner", "Related matters were discussed",
        "Follow-up visits in 2019",
        /* a word alone that a heading may be */
        "Story", "Comments", "Content", "Navigation", "Search", "Options",
        /* a label over what follows (a letter's copy list) */
        "Copy to:", "Copies to:",
        /* one separator, a sentence, a fraction of years */
        "Home > News", "Crime fell by 5% > 3% nationally > expected.",
        "Results for 2016/17 / 2017/18 / 2018/19 were published in the annual report",
        "Westshire PEEL 2018/19", "Priority order: threat > harm > risk",
        "Date: 12 / 03 / 2019", "Inputs > Outputs > Outcomes",
        "Call handling / Response / Investigation", "Yes / No / Not sure",
        "2016/17 / 2017/18 / 2018/19", "91% \xE2\x80\xBA 93% \xE2\x80\xBA 95%"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        ck_assert_msg(dkr_is_boilerplate(yes[i], strlen(yes[i])), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ck_assert_msg(!dkr_is_boilerplate(no[i], strlen(no[i])), "%s", no[i]);
}
END_TEST

START_TEST(furniture_blocks)
{
    const char *banner = "We use cookies to make this website work and to "
                         "understand how you use it. You can accept all "
                         "cookies or choose which ones to allow.";
    const char *news = "Sign up to our daily newsletter and get the top "
                       "stories in your inbox.";
    const char *prose = "The force told inspectors that its newsletter to "
                        "officers now reports every delayed call, and that "
                        "supervisors review each one.";
    const char *about = "Officers now accept reports online. The website "
                        "records each report and the settings of the form "
                        "are reviewed monthly.";
    ck_assert(dkr_is_boilerplate_block(banner, strlen(banner)));
    ck_assert(dkr_is_boilerplate_block(news, strlen(news)));
    ck_assert(!dkr_is_boilerplate_block(prose, strlen(prose)));
    ck_assert(!dkr_is_boilerplate_block(about, strlen(about)));
    /* the words of a sign-up or a banner in a letter's prose */
    static const char *const letters[] = {
        "Thank you for your email of 3 March about the PEEL inspection.",
        "Residents can sign up to email alerts about crime in their area.",
        "The commissioner called the delays unacceptable when she spoke at the "
        "cookie stall of the summer fair."};
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        ck_assert_msg(!dkr_is_boilerplate_block(letters[i], strlen(letters[i])), "%s",
                      letters[i]);
    /* the words in any case and at any place in the block: the banner's
     * words moved along by 0 to 40 bytes, a word inside another word
     * ("mycookies") not counted */
    ck_assert(dkr_is_boilerplate_block("WE USE COOKIES. BY CONTINUING TO BROWSE "
                                       "YOU AGREE TO OUR USE OF COOKIES.", 72));
    for (int k = 0; k <= 40; k++) {
        char b[160];
        snprintf(b, sizeof b, "%*sAccept or reject the optional ones: your COOKIE", k, "");
        ck_assert_msg(dkr_is_boilerplate_block(b, strlen(b)), "%d", k);
        snprintf(b, sizeof b, "%*sAccept or reject the optional ones: your mycookies", k, "");
        ck_assert_msg(!dkr_is_boilerplate_block(b, strlen(b)), "%d", k);
        snprintf(b, sizeof b, "%*sSubscribe to the weekly Newsletter", k, "");
        ck_assert_msg(dkr_is_boilerplate_block(b, strlen(b)), "%d", k);
        snprintf(b, sizeof b, "%*sSubscribe for alerts in your INBOX", k, "");
        ck_assert_msg(dkr_is_boilerplate_block(b, strlen(b)), "%d", k);
    }
    /* the longest control word, and one letter more */
    ck_assert(dkr_is_boilerplate("ADVERTISEMENT", 13));
    ck_assert(!dkr_is_boilerplate("Advertisements", 14));
    /* a label before another page's title, not before a sentence */
    ck_assert(dkr_is_boilerplate("Read more: Chief constable to retire", 36));
    static const char *const sentences[] = {
        "Recommended: the force should publish its custody figures monthly.",
        "Related: the inspection found delays in answering calls.",
        "Watch: the force has placed officers in every school."};
    for (size_t i = 0; i < sizeof sentences / sizeof sentences[0]; i++)
        ck_assert_msg(!dkr_is_boilerplate(sentences[i], strlen(sentences[i])), "%s",
                      sentences[i]);
    /* headings over links are whole phrases */
    static const char *const links[] = {"Most read", "Related stories", "You may also like",
                                        "More from Westshire", "TRENDING NOW", "Related",
                                        "Editor's picks"};
    static const char *const not_links[] = {"Areas for improvement", "Related findings",
                                            "Recommended actions",
                                            "Popular concerns raised by residents",
                                            "Latest news on the inspection", "More from"};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        ck_assert_msg(dkr_link_list_heading(links[i], strlen(links[i])), "%s", links[i]);
    for (size_t i = 0; i < sizeof not_links / sizeof not_links[0]; i++)
        ck_assert_msg(!dkr_link_list_heading(not_links[i], strlen(not_links[i])), "%s",
                      not_links[i]);
}
END_TEST

/* A grade after a heading's own words, on the same line. */
START_TEST(grades_after_headings)
{
    static const struct {
        const char *line, *heading, *grade;
        dkr_grade g;
    } cases[] = {
        {"How effective is the force at investigating crime? Good",
         "How effective is the force at investigating crime?", "Good",
         DKR_GRADE_GOOD},
        {"Investigating crime: Requires improvement", "Investigating crime",
         "Requires improvement", DKR_GRADE_REQUIRES_IMPROVEMENT},
        {"Protecting vulnerable people \xE2\x80\x93 INADEQUATE",
         "Protecting vulnerable people", "INADEQUATE", DKR_GRADE_INADEQUATE},
        {"1) Preventing crime \xE2\x80\x93 Grade Requires Improvement",
         "1) Preventing crime", "Requires Improvement",
         DKR_GRADE_REQUIRES_IMPROVEMENT},
        {"Leadership - Our judgment: Outstanding", "Leadership", "Outstanding",
         DKR_GRADE_OUTSTANDING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t cut, a, b;
        const char *s = cases[i].line;
        ck_assert_int_eq(dkr_grade_after(s, strlen(s), &cut, &a, &b), cases[i].g);
        ck_assert_int_eq((int)cut, (int)strlen(cases[i].heading));
        ck_assert(!strncmp(s, cases[i].heading, cut));
        ck_assert_int_eq((int)(b - a), (int)strlen(cases[i].grade));
        ck_assert(!strncmp(s + a, cases[i].grade, b - a));
    }
    static const char *const none[] = {
        "How good is the force at grading crime?", "Good work: a summary",
        "Crime data integrity - a good start", "Good"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        size_t cut, a, b;
        ck_assert_msg(dkr_grade_after(none[i], strlen(none[i]), &cut, &a, &b) ==
                          DKR_GRADE_NONE, "%s", none[i]);
    }
    ck_assert_int_eq(dkr_grade_parse("Our judgement: Good", 19, NULL, NULL),
                     DKR_GRADE_GOOD);
    ck_assert_int_eq(dkr_grade_parse("Overall judgment \xE2\x80\x93 Inadequate",
                                     strlen("Overall judgment \xE2\x80\x93 Inadequate"),
                                     NULL, NULL),
                     DKR_GRADE_INADEQUATE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, british_numeric_dates_are_day_first);
    tcase_add_test(tc, month_names_and_ordinals);
    tcase_add_test(tc, dates_without_a_year_take_it_from_context);
    tcase_add_test(tc, grades);
    tcase_add_test(tc, furniture);
    tcase_add_test(tc, furniture_blocks);
    tcase_add_test(tc, grades_after_headings);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
