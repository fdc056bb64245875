/* The pdf reader: structure by facts (as for text), words against
 * pdftotext's, page furniture gone, hyphenation undone, columns in order,
 * tables, options and errors, and that nothing else loads poppler. */
#define _GNU_SOURCE
#include "facts.h"
#include "harness.h"

#include <libxml/parser.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PDFS FIXTURES "/pdf"

/* ---- facts ------------------------------------------------------------------ */


/* Every fixtures/pdf/NAME.facts against NAME.pdf. */
START_TEST(facts_hold)
{
    check_facts_dir(PDFS, ".pdf", 8);
}
END_TEST

/* ---- words against pdftotext ----------------------------------------------------- */

typedef struct words {
    char **w;
    size_t n, cap;
} words;

static void words_free(words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->w[i]);
    free(w->w);
}

/* Words for comparison: lowercase, ligatures spelt out, hyphens dropped
 * (pdftotext joins "well-" + "managed" as "wellmanaged", docket keeps
 * "well-managed": both compare as "wellmanaged"), split at anything that
 * is not a letter or digit. */
static words tokenize(const char *s)
{
    words w = {0};
    char cur[256];
    size_t cl = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        uint32_t cp = 0;
        size_t n = 1;
        if (*p < 0x80)
            cp = *p;
        else if ((*p & 0xE0) == 0xC0 && p[1])
            cp = ((uint32_t)(*p & 0x1F) << 6) | (p[1] & 0x3F), n = 2;
        else if ((*p & 0xF0) == 0xE0 && p[1] && p[2])
            cp = ((uint32_t)(*p & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F),
            n = 3;
        else if ((*p & 0xF8) == 0xF0 && p[1] && p[2] && p[3])
            cp = 0xFFFD, n = 4;
        const char *lig = cp == 0xFB00 ? "ff" : cp == 0xFB01 ? "fi" : cp == 0xFB02 ? "fl"
                        : cp == 0xFB03 ? "ffi" : cp == 0xFB04 ? "ffl" : NULL;
        bool hyphen = cp == '-' || cp == 0xAD || cp == 0x2010;
        bool letter = (cp < 0x80 && ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')) ||
                      (cp >= '0' && cp <= '9') ||
                      (cp >= 0xC0 && !(cp >= 0x2000 && cp <= 0x2BFF) && cp != 0xFFFD &&
                       cp != 0xD7 && cp != 0xF7 && !lig);
        if (lig) {
            for (const char *l = lig; *l && cl < sizeof cur - 4; l++)
                cur[cl++] = *l;
        } else if (letter) {
            if (cp < 0x80)
                cur[cl++] = (char)((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp);
            else
                for (size_t k = 0; k < n && cl < sizeof cur - 4; k++)
                    cur[cl++] = (char)p[k];
        } else if (!hyphen || cp == 0) {
            if (cl) {
                if (w.n == w.cap) {
                    w.cap = w.cap ? w.cap * 2 : 1024;
                    w.w = realloc(w.w, w.cap * sizeof *w.w);
                    ck_assert_ptr_nonnull(w.w);
                }
                w.w[w.n++] = strndup(cur, cl);
                cl = 0;
            }
        }
        if (cl >= sizeof cur - 8)
            cl = sizeof cur - 8;
        if (*p == 0)
            break;
        p += n;
    }
    return w;
}

/* Does line (trimmed) match pattern, where '#' stands for digits? */
static bool line_matches(const char *line, size_t len, const char *pat)
{
    while (len && (*line == ' ' || *line == '\f'))
        line++, len--;
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
        len--;
    size_t i = 0;
    for (; *pat; pat++) {
        if (*pat == '#') {
            size_t s = i;
            while (i < len && line[i] >= '0' && line[i] <= '9')
                i++;
            if (i == s)
                return false;
        } else if (i < len && line[i] == *pat) {
            i++;
        } else {
            return false;
        }
    }
    return i == len;
}

/* The text without the lines matching any of the patterns. Transfer full. */
static char *strip_lines(const char *text, const char *const *furniture, int *removed)
{
    size_t len = strlen(text);
    char *out = malloc(len + 2); /* a last line without its newline gets one */
    ck_assert_ptr_nonnull(out);
    size_t o = 0;
    *removed = 0;
    for (const char *l = text; *l;) {
        size_t n = strcspn(l, "\n");
        bool drop = false;
        for (const char *const *f = furniture; *f && !drop; f++)
            drop = line_matches(l, n, *f);
        if (drop) {
            (*removed)++;
        } else {
            memcpy(out + o, l, n);
            o += n;
            out[o++] = '\n';
        }
        l += n + (l[n] == '\n');
    }
    out[o] = '\0';
    return out;
}

/* The longest common subsequence of two word lists. */
static size_t lcs(const words *a, const words *b)
{
    uint32_t *prev = calloc(b->n + 1, sizeof *prev), *cur = calloc(b->n + 1, sizeof *cur);
    ck_assert(prev && cur);
    for (size_t i = 1; i <= a->n; i++) {
        for (size_t j = 1; j <= b->n; j++)
            cur[j] = !strcmp(a->w[i - 1], b->w[j - 1]) ? prev[j - 1] + 1
                     : prev[j] > cur[j - 1]          ? prev[j]
                                                     : cur[j - 1];
        uint32_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t r = prev[b->n];
    free(prev);
    free(cur);
    return r;
}

typedef struct recall_case {
    const char *pdf;
    const char *furniture[6]; /* lines pdftotext keeps that are page furniture */
    bool raw; /* compare with pdftotext -raw (content order): its reading
               * order runs this file's columns together */
} recall_case;

static const recall_case recall_cases[] = {
    {"pcc-letter-2018.pdf", {"OFFICIAL", "Page # of #"}, false},
    {"hmic-letter-2014.pdf", {"HMIC – Core business: Warwickshire Police", "#"}, false},
    {"peel-2016-warwickshire.pdf", {"PEEL: Police effectiveness 2016 – Warwickshire Police", "#"}, false},
    {"peel-2014-west-midlands.pdf", {"West Midlands Police – PEEL 2014", "HMIC", "Page #"}, false},
    {"news-article-2015.pdf", {"leamingtonobserver.co.uk", "#"}, false},
    {"latex-report.pdf",
     {"West Midlands PEEL 2014", "Effectiveness", "West Midlands PEEL 2014 Effectiveness",
      "Page #"},
     true},
    {"groff-article.pdf", {"-#-"}, false},
    {"office-letter.pdf", {NULL}, false}, /* no running heads */
};

/* The words of each PDF's body as pdftotext reads it (its furniture
 * lines taken out) come out of docket in the same order: at least 99 %
 * of them, by the longest common subsequence. The furniture does not come
 * out at all. */
START_TEST(words_match_pdftotext)
{
    if (access("/usr/bin/pdftotext", X_OK) != 0) {
        fputs("pdftotext not installed (poppler-utils): skipping the word check\n", stderr);
        return;
    }
    for (size_t i = 0; i < sizeof recall_cases / sizeof recall_cases[0]; i++) {
        const recall_case *c = &recall_cases[i];
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "/usr/bin/pdftotext -enc UTF-8 %s %s/%s -",
                 c->raw ? "-raw" : "", PDFS, c->pdf);
        run_result ref = run_sh(cmd);
        ck_assert_int_eq(ref.status, 0);
        snprintf(cmd, sizeof cmd, "%s/%s", PDFS, c->pdf);
        /* the reader's words, before transforms take some into the
         * metadata ("Last updated ...") or drop repeats */
        run_result got = DOCKET(NULL, "--no-transforms", "-t", "text", cmd);
        ck_assert_msg(got.status == 0, "%s: %s", c->pdf, got.err);
        if (c->raw) /* -raw keeps line-end hyphens, which the default mode joins */
            for (char *h = strstr(ref.out, "-\n"); h; h = strstr(h, "-\n")) {
                if (h > ref.out && h[-1] >= 'a' && h[-1] <= 'z' && h[2] >= 'a' && h[2] <= 'z')
                    memmove(h, h + 2, strlen(h + 2) + 1);
                else
                    h += 2;
            }
        int removed, left;
        char *body = strip_lines(ref.out, c->furniture, &removed);
        ck_assert_msg(removed > 0 || !c->furniture[0], "%s: no furniture found in "
                      "pdftotext's text", c->pdf);
        /* (the first line is the title, which may be the running head's
         * text too) */
        const char *after_title = strchr(got.out, '\n');
        char *rest = strip_lines(after_title ? after_title : "", c->furniture, &left);
        ck_assert_msg(left == 0, "%s: %d furniture lines left in docket's text", c->pdf, left);
        free(rest);
        words a = tokenize(body), b = tokenize(got.out);
        size_t common = lcs(&a, &b);
        double recall = a.n ? (double)common / (double)a.n : 0;
        fprintf(stderr, "word recall %-28s %5zu words  %6.2f %%%s\n", c->pdf, a.n,
                recall * 100, c->raw ? " (pdftotext -raw)" : "");
        ck_assert_msg(recall >= 0.99, "%s: only %.2f %% of pdftotext's %zu words in order",
                      c->pdf, recall * 100, a.n);
        words_free(&a);
        words_free(&b);
        free(body);
        run_free(&ref);
        run_free(&got);
    }
}
END_TEST

/* ---- layout ------------------------------------------------------------------------- */

static char *text_of(const char *pdf, const char *const *extra)
{
    const char *args[16] = {"-t", "text"};
    size_t n = 2;
    for (; extra && *extra; extra++)
        args[n++] = *extra;
    args[n++] = pdf;
    args[n] = NULL;
    run_result r = docket_run(args, NULL);
    ck_assert_msg(r.status == 0, "%s: %s", pdf, r.err);
    char *out = strdup(r.out);
    run_free(&r);
    return out;
}

/* Words hyphenated at line ends come out whole; compounds keep their own
 * hyphen. */
START_TEST(hyphenation_undone)
{
    char *t = text_of(PDFS "/news-article-2015.pdf", NULL);
    /* "res-" / "ponding", "iden-" / "tified" in the narrow columns */
    ck_assert_msg(strstr(t, "approach to responding to vulnerable"), "%s", t);
    ck_assert_msg(strstr(t, "correctly identified"), "%s", t);
    ck_assert(!strstr(t, "res- ponding") && !strstr(t, "res-ponding"));
    /* "anti-" / "social" keeps its hyphen: it is written so elsewhere */
    ck_assert(strstr(t, "anti-social behaviour"));
    ck_assert(!strstr(t, "antisocial"));
    free(t);
    t = text_of(PDFS "/groff-article.pdf", NULL);
    ck_assert_msg(strstr(t, "The HMIC PEEL Police Effectiveness report, published"), "%s", t);
    ck_assert(strstr(t, "Commissioner Ron Ball"));
    free(t);
    t = text_of(PDFS "/latex-report.pdf", NULL);
    ck_assert(strstr(t, "the force is undertaking some innovative"));
    free(t);
    t = text_of(PDFS "/hmic-letter-2014.pdf", NULL);
    ck_assert_msg(strstr(t, "long-term crime prevention"), "%s", t);
    free(t);
}
END_TEST

/* A two-column page reads column by column, and a paragraph that goes on
 * at the top of the next column is one paragraph. */
START_TEST(columns_in_order)
{
    char *t = text_of(PDFS "/news-article-2015.pdf", NULL);
    const char *a = strstr(t, "Warwickshire Police force has been told");
    const char *b = strstr(t, "The report also found that the force needs");
    const char *c = strstr(t, "He said: ");
    const char *d = strstr(t, "While nationally there may be concerns");
    ck_assert_msg(a && b && c && d && a < b && b < c && c < d, "%s", t);
    /* no line of the left column runs into the right one */
    ck_assert(!strstr(t, "been told it ‘requires improvement’ after a tinue"));
    free(t);
    t = text_of(PDFS "/latex-report.pdf", NULL);
    a = strstr(t, "How effective is the force at investigating offending?");
    b = strstr(t, "West Midlands has an effective and systematic approach");
    c = strstr(t, "How effective is the force at tackling anti-social behaviour?\n");
    ck_assert_msg(a && b && c && a < b && b < c, "%s", t);
    free(t);
}
END_TEST

/* Ligature characters in the text layer are spelt out. */
START_TEST(ligatures_expanded)
{
    const char *pdfs[] = {PDFS "/pcc-letter-2018.pdf", PDFS "/peel-2016-warwickshire.pdf",
                          PDFS "/latex-report.pdf"};
    for (size_t i = 0; i < 3; i++) {
        char *t = text_of(pdfs[i], NULL);
        ck_assert_msg(!strstr(t, "\xef\xac\x81") && !strstr(t, "\xef\xac\x82"), "%s", pdfs[i]);
        free(t);
    }
    char *t = text_of(PDFS "/pcc-letter-2018.pdf", NULL);
    ck_assert(strstr(t, "significant support to SNTs"));
    free(t);
}
END_TEST

/* A paragraph set in on both sides is a quote (the reader's own rule,
 * before the inspection transform quotes areas for improvement). */
START_TEST(indented_paragraphs_are_quotes)
{
    run_result r = DOCKET(NULL, "--no-transforms", "-t", "xml", PDFS "/pcc-letter-2018.pdf");
    ck_assert_int_eq(r.status, 0);
    size_t quotes = 0;
    for (const char *q = strstr(r.out, "<quote"); q; q = strstr(q + 1, "<quote"))
        quotes++;
    ck_assert_uint_eq(quotes, 5);
    ck_assert(strstr(r.out, "<quote page=\"2\"><p>The Force should work with local people"));
    run_free(&r);
}
END_TEST

/* --pages reads only those pages; provenance names them. */
START_TEST(pages_option)
{
    run_result r = DOCKET(NULL, "--pages", "2-3", "-t", "xml", PDFS "/hmic-letter-2014.pdf");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "page=\"2\"") && strstr(r.out, "page=\"3\""));
    ck_assert(!strstr(r.out, "page=\"1\"") && !strstr(r.out, "page=\"4\""));
    ck_assert(!strstr(r.out, "Dear Andy"));
    run_free(&r);
    r = DOCKET(NULL, "--pages", "1,4-", "-t", "xml", PDFS "/hmic-letter-2014.pdf");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "page=\"4\"") && !strstr(r.out, "page=\"2\""));
    run_free(&r);
    static const char *const bad[] = {"x", "0", "3-2", "2,,3", "-4"};
    for (size_t i = 0; i < 5; i++) {
        r = DOCKET(NULL, "--pages", bad[i], PDFS "/hmic-letter-2014.pdf");
        ck_assert_msg(r.status == 2 && strstr(r.err, "expected page numbers"), "%s: %d %s",
                      bad[i], r.status, r.err);
        run_free(&r);
    }
    r = DOCKET(NULL, "--pages", "9", PDFS "/hmic-letter-2014.pdf");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "docket: " PDFS "/hmic-letter-2014.pdf: --pages 9: the PDF has 4 pages\n");
    run_free(&r);
}
END_TEST

/* A PDF of more pages than the limit is refused before they are read;
 * --max-pages raises the limit and --pages chooses fewer. */
START_TEST(page_limit)
{
    run_result r = DOCKET(NULL, "--max-pages", "3", "-t", "text", PDFS "/hmic-letter-2014.pdf");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "docket: " PDFS "/hmic-letter-2014.pdf: the PDF has 4 pages to "
                            "read, more than the limit of 3 (raise it with --max-pages, or "
                            "choose pages with --pages)\n");
    run_free(&r);
    r = DOCKET(NULL, "--max-pages", "3", "--pages", "2-", "-t", "text",
               PDFS "/hmic-letter-2014.pdf");
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    r = DOCKET(NULL, "--max-pages", "4", "-t", "text", PDFS "/hmic-letter-2014.pdf");
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    r = DOCKET(NULL, "--max-pages", "0", PDFS "/hmic-letter-2014.pdf");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--max-pages 0: expected a number of pages"), "%s", r.err);
    run_free(&r);
}
END_TEST

/* ---- errors ------------------------------------------------------------------------------ */

START_TEST(bad_pdfs)
{
    /* not a PDF, when told it is */
    run_result r = DOCKET(NULL, "-f", "pdf", FIXTURES "/text/basic.txt");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "docket: " FIXTURES "/text/basic.txt: not a PDF (no %PDF- header)\n");
    ck_assert_int_eq((int)r.out_len, 0);
    run_free(&r);
    /* truncated */
    r = DOCKET(NULL, "-t", "json", PDFS "/bad/truncated.pdf");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "truncated.pdf: PDF is damaged or truncated"), "%s", r.err);
    ck_assert_int_eq((int)r.out_len, 0);
    run_free(&r);
    /* encrypted: without, with a wrong and with the right password */
    r = DOCKET(NULL, "-t", "text", PDFS "/bad/encrypted.pdf");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "docket: " PDFS "/bad/encrypted.pdf: PDF is encrypted: give its "
                            "password with --password\n");
    run_free(&r);
    r = DOCKET(NULL, "--password", "wrong", "-t", "text", PDFS "/bad/encrypted.pdf");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "docket: " PDFS "/bad/encrypted.pdf: PDF is encrypted and the "
                            "password is wrong\n");
    run_free(&r);
    r = DOCKET(NULL, "--password", "docket", "-t", "text", PDFS "/bad/encrypted.pdf");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "Dear Andy"));
    ck_assert_str_eq(r.err, "");
    run_free(&r);
    /* image only: a warning and exit 1, or with --allow-empty exit 0 */
    r = DOCKET(NULL, "-t", "json", PDFS "/bad/image-only.pdf");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "warning: no text in the PDF: its page holds image only") &&
                  strstr(r.err, "nothing to read (--allow-empty accepts an empty document)"),
                  "%s", r.err);
    ck_assert_int_eq((int)r.out_len, 0);
    run_free(&r);
    r = DOCKET(NULL, "--allow-empty", "-t", "xml", PDFS "/bad/image-only.pdf");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.err, "warning: no text in the PDF"));
    ck_assert(strstr(r.out, "<body></body>"));
    run_free(&r);
}
END_TEST

/* A damaged PDF poppler can still read: one warning on stderr naming
 * what poppler said, nothing of poppler's on stdout, even with GLib's
 * debug messages on. */
START_TEST(poppler_messages_stay_off_stdout)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "G_MESSAGES_DEBUG=all DOCKET_PLUGIN_PATH= %s -t json %s/bad/damaged.pdf",
             DOCKET_BIN, PDFS);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(r.out[0] == '{' && !strstr(r.out, "Syntax") && !strstr(r.out, "XRef"), "%s",
                  r.out);
    ck_assert_msg(strstr(r.err, "warning: the PDF may be damaged: poppler reported") &&
                  !strstr(r.err, "\n(process:"),
                  "%s", r.err);
    /* one warning line, not one line per problem */
    size_t lines = 0;
    for (const char *p = r.err; *p; p++)
        lines += *p == '\n';
    ck_assert_uint_eq(lines, 1);
    ck_assert(strstr(r.out, "Dear Andy"));
    run_free(&r);
}
END_TEST

/* Converting plain text never opens poppler; a PDF does. */
START_TEST(text_conversions_do_not_load_poppler)
{
    if (access("/usr/bin/strace", X_OK) != 0) {
        fputs("strace not installed: skipping the library check\n", stderr);
        return;
    }
    char *dir = temp_dir();
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "ASAN_OPTIONS=detect_leaks=0 DOCKET_PLUGIN_PATH= /usr/bin/strace -f -qq -e trace=openat -o %1$s/t1 %2$s -t json "
             "%3$s/text/basic.txt >/dev/null && "
             "ASAN_OPTIONS=detect_leaks=0 DOCKET_PLUGIN_PATH= /usr/bin/strace -f -qq -e trace=openat -o %1$s/t2 %2$s -t json "
             "%3$s/pdf/hmic-letter-2014.pdf >/dev/null && "
             "echo text: $(grep -c poppler %1$s/t1) pdf: $(grep -c 'libpoppler.*= [0-9]' %1$s/t2)",
             dir, DOCKET_BIN, FIXTURES);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(!strncmp(r.out, "text: 0 pdf: ", 13) && strcmp(r.out, "text: 0 pdf: 0\n"),
                  "%s", r.out);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The same PDF gives the same bytes, and its JSON reads back to them. */
START_TEST(stable_and_round_trips)
{
    run_result a = DOCKET(NULL, "-t", "json", PDFS "/peel-2016-warwickshire.pdf");
    run_result b = DOCKET(NULL, "-t", "json", PDFS "/peel-2016-warwickshire.pdf");
    ck_assert_int_eq(a.status, 0);
    ck_assert_str_eq(a.out, b.out);
    char *dir = temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/x.json", dir);
    spit(path, a.out, a.out_len);
    run_result c = DOCKET(NULL, "-f", "json", "-t", "json", path);
    ck_assert_int_eq(c.status, 0);
    ck_assert_str_eq(a.out, c.out);
    /* every fixture's XML is valid */
    for (size_t i = 0; i < sizeof recall_cases / sizeof recall_cases[0]; i++) {
        char in[512];
        snprintf(in, sizeof in, "%s/%s", PDFS, recall_cases[i].pdf);
        snprintf(path, sizeof path, "%s/x.xml", dir);
        run_result v = DOCKET(NULL, "-t", "xml", "-o", path, in);
        ck_assert_int_eq(v.status, 0);
        run_free(&v);
        v = DOCKET(NULL, "validate", path);
        ck_assert_msg(v.status == 0, "%s: %s", in, v.err);
        run_free(&v);
    }
    run_free(&a);
    run_free(&b);
    run_free(&c);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The pdf reader is found by content and listed with its options. */
START_TEST(detected_and_listed)
{
    char *dir = temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/letter.bin", dir);
    char *pdf = NULL;
    size_t len;
    pdf = slurp(PDFS "/hmic-letter-2014.pdf", &len);
    spit(path, pdf, len);
    free(pdf);
    run_result r = DOCKET(NULL, "-t", "text", path);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "Dear Andy"));
    run_free(&r);
    r = DOCKET(PDFS "/hmic-letter-2014.pdf", "-t", "text");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "Dear Andy"));
    run_free(&r);
    r = DOCKET(NULL, "--list-formats");
    ck_assert(strstr(r.out, "pdf"));
    run_free(&r);
    r = DOCKET(NULL, "--help");
    ck_assert(strstr(r.out, "--password") && strstr(r.out, "--allow-empty") &&
              strstr(r.out, "--pages"));
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pdf");
    TCase *tc = tcase_create("pdf");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, facts_hold);
    tcase_add_test(tc, words_match_pdftotext);
    tcase_add_test(tc, hyphenation_undone);
    tcase_add_test(tc, columns_in_order);
    tcase_add_test(tc, ligatures_expanded);
    tcase_add_test(tc, indented_paragraphs_are_quotes);
    tcase_add_test(tc, pages_option);
    tcase_add_test(tc, page_limit);
    tcase_add_test(tc, bad_pdfs);
    tcase_add_test(tc, poppler_messages_stay_off_stdout);
    tcase_add_test(tc, text_conversions_do_not_load_poppler);
    tcase_add_test(tc, stable_and_round_trips);
    tcase_add_test(tc, detected_and_listed);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    xmlCleanupParser();
    return failed;
}
