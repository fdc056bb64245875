/* The html reader: mapping of each element, character sets and entities,
 * detection, main-content extraction on the fixtures (checked by facts,
 * expected outputs and the seed texts), the removal report, --keep-all,
 * --base-url and <base>, provenance offsets, hostile pages. */
#define _GNU_SOURCE
#include "facts.h"
#include "harness.h"

#include <docket/buf.h>

#include <ctype.h>
#include <dirent.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------ */

/* Write data to dir/name; returns the path (static, a few slots). */
static const char *put(const char *dir, const char *name, const void *data,
                       size_t len)
{
    static char paths[8][512];
    static int slot;
    char *p = paths[slot++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    spit(p, data, len);
    return p;
}

/* Convert a page given inline (a file named in.html unless name is given)
 * with extra arguments; asserts success and returns stdout (free it). */
static char *conv(const char *page, size_t len, const char *name,
                  const char *const *extra)
{
    char *dir = temp_dir();
    const char *in = put(dir, name ? name : "in.html", page, len ? len : strlen(page));
    const char *args[24];
    size_t n = 0;
    for (; extra && *extra; extra++)
        args[n++] = *extra;
    args[n++] = in;
    args[n] = NULL;
    run_result r = docket_run(args, NULL);
    ck_assert_msg(r.status == 0, "docket failed (%d): %s", r.status, r.err);
    char *out = strdup(r.out);
    run_free(&r);
    rm_rf(dir);
    free(dir);
    return out;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The canonical XML of the whole page (no extraction, no transforms):
 * what the mapping makes of it. */
static char *xml(const char *page)
{
    return conv(page, strlen(page), NULL, ARGS("--keep-all", "--no-transforms", "-t", "xml"));
}

#define HAS(hay, needle) ck_assert_msg(strstr(hay, needle), "no %s in:\n%s", needle, hay)
#define HASNT(hay, needle) ck_assert_msg(!strstr(hay, needle), "%s in:\n%s", needle, hay)

/* ---- facts (as tests/test_structure.c checks them on text) ------------------------ */

static const char *const pages[] = {"warwickshire-peel-2016", "west-midlands-peel-2014",
                                    "news-article-2015", "hmic-letter-2014", NULL};

START_TEST(fixture_facts)
{
    check_facts_dir(FIXTURES "/html", ".html", 4);
}
END_TEST

/* The text output and the removal report of each fixture, as read and
 * checked by a person. */
START_TEST(fixture_outputs)
{
    char *dir = temp_dir();
    for (const char *const *p = pages; *p; p++) {
        char in[512], txt[512], tsv[512], report[512];
        snprintf(in, sizeof in, FIXTURES "/html/%s.html", *p);
        snprintf(txt, sizeof txt, FIXTURES "/html/%s.expected.txt", *p);
        snprintf(tsv, sizeof tsv, FIXTURES "/html/%s.expected.removed.tsv", *p);
        snprintf(report, sizeof report, "%s/%s.tsv", dir, *p);
        run_result r = DOCKET(NULL, "-t", "text", "--removed", report, in);
        ck_assert_msg(r.status == 0, "%s: %s", in, r.err);
        assert_matches_file(r.out, r.out_len, txt);
        size_t len;
        char *got = slurp(report, &len);
        ck_assert_ptr_nonnull(got);
        assert_matches_file(got, len, tsv);
        free(got);
        run_free(&r);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Every line of the seed texts that is content is in the text docket
 * makes of the HTML page, and no line of the site's chrome. */
START_TEST(fixture_content_words)
{
    static const struct {
        const char *page, *seed;
    } pairs[] = {
        {"warwickshire-peel-2016", "peel-2016-warwickshire-page"},
        {"west-midlands-peel-2014", "peel-2014-west-midlands-page"},
        {"news-article-2015", "news-article-2015-requires-improvement"},
        {"hmic-letter-2014", "hmic-letter-2014-core-business"},
    };
    /* lines of the seeds that are not content, or that the transforms
     * turn into something else (meta data, letter parts) */
    static const char *const skip[] = {"Skip to content", "Hide Ad", "Last updated",
                                       "On Shenping",
                                       /* the letter's run-together address lines,
                                        * which the page sets out line by line */
                                       "5 St Philips Place", "Mr A. Parker", NULL};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char in[512], seed[512];
        snprintf(in, sizeof in, FIXTURES "/html/%s.html", pairs[i].page);
        snprintf(seed, sizeof seed, FIXTURES "/seeds/%s.txt", pairs[i].seed);
        run_result r = DOCKET(NULL, "--no-transforms", "-t", "text", in);
        ck_assert_int_eq(r.status, 0);
        char *text = slurp(seed, NULL);
        ck_assert_ptr_nonnull(text);
        int lines = 0;
        for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
            while (*l == ' ' || *l == '-' || !strncmp(l, "\xE2\x80\xA2", 3))
                l += *l == ' ' || *l == '-' ? 1 : 3;
            /* whole words of the line, in a piece of 40 bytes */
            size_t len = strlen(l);
            if (len < 12)
                continue; /* numbers, grades, short headings */
            bool skipped = false;
            for (const char *const *s = skip; *s; s++)
                skipped |= !strncmp(l, *s, strlen(*s));
            if (skipped)
                continue;
            char piece[41];
            snprintf(piece, sizeof piece, "%s", l);
            char *sp = strrchr(piece, ' ');
            if (sp && strlen(piece) == 40)
                *sp = '\0';
            lines++;
            ck_assert_msg(strstr(r.out, piece), "%s: the seed's line '%s' is not in "
                          "the output", pairs[i].page, piece);
        }
        ck_assert_int_gt(lines, 10);
        free(text);
        run_free(&r);
    }
}
END_TEST

/* ---- mapping ---------------------------------------------------------------------- */

START_TEST(maps_blocks)
{
    char *x = xml("<html><body>"
                  "<h1>Title</h1><p>Intro para.</p>"
                  "<h2>Part one</h2><p>One.</p>"
                  "<h4>Deep</h4><p>Deeper.</p>"
                  "<h2>Part two</h2>"
                  "<blockquote><p>Quoted words here.</p></blockquote>"
                  "<pre>  code\n    indented</pre><hr>"
                  "<address>1 High Street<br>Warwick</address>"
                  "</body></html>");
    /* the first heading becomes a section (the page has no title to match) */
    HAS(x, "<section offset=\"12\"><heading level=\"1\">Title</heading><p offset=\"26\">Intro para.</p>");
    /* h2 under h1, h4 under h2: levels are depths in the hierarchy */
    HAS(x, "<section offset=\"44\"><heading level=\"2\">Part one</heading><p offset=\"61\">One.</p>"
           "<section offset=\"72\"><heading level=\"3\">Deep</heading>");
    HAS(x, "<p offset=\"85\">Deeper.</p></section></section><section offset=\"99\">"
           "<heading level=\"2\">Part two</heading><quote offset=\"116\"><p offset=\"128\">"
           "Quoted words here.</p></quote><pre offset=\"166\">  code\n    indented</pre><hr></hr>");
    HAS(x, "<address offset=\"200\"><line>1 High Street</line><line>Warwick</line></address>");
    free(x);
}
END_TEST

START_TEST(maps_lists)
{
    char *x = xml("<body><ol start=\"3\"><li>three</li><li>four<ul><li>sub <em>a</em></li>"
                  "<li><p>para one</p><p>para two</p></li></ul></li></ol>"
                  "<dl><dt>Term</dt><dd>Its definition.</dd><dt>Other</dt><dd>More.</dd></dl>"
                  "<ul><li>loose</li>text in the list<li>last</li></ul></body>");
    HAS(x, "<list offset=\"6\" start=\"3\" type=\"ordered\"><item><p offset=\"24\">three</p></item>"
           "<item><p offset=\"38\">four</p><list offset=\"42\" type=\"bullet\"><item><p offset=\"50\">"
           "sub <em>a</em></p></item><item><p offset=\"73\">para one</p><p offset=\"88\">para two"
           "</p></item></list></item></list>");
    /* dl: one item for each term, the term in strong */
    HAS(x, "<list offset=\"123\" type=\"bullet\"><item><p offset=\"127\"><strong>Term</strong></p>"
           "<p offset=\"144\">Its definition.</p></item><item><p offset=\"164\"><strong>Other</strong>"
           "</p><p offset=\"182\">More.</p></item></list>");
    /* text straight in a list joins the item before it */
    HAS(x, "<item><p offset=\"205\">loose</p><p offset=\"215\">text in the list</p></item>"
           "<item><p offset=\"235\">last</p></item>");
    free(x);
}
END_TEST

START_TEST(maps_tables)
{
    char *x = xml("<body><table><caption>Grades</caption>"
                  "<thead><tr><th>Question</th><th>Grade</th><th>Year</th></tr></thead>"
                  "<tbody><tr><td colspan=\"2\">Wide</td><td>2016</td></tr>"
                  "<tr><td rowspan=\"2\">Tall</td><td>Good</td><td>2017</td></tr>"
                  "<tr><td>Adequate</td><td>2018</td></tr></tbody></table></body>");
    /* the caption, a paragraph before the table (a table holds rows only) */
    HAS(x, "<p offset=\"13\">Grades</p><table offset=\"6\">");
    HAS(x, "<row><cell header=\"true\"><p offset=\"53\">Question</p></cell><cell header=\"true\">");
    /* a colspan is followed by an empty cell, a rowspan leaves one below */
    HAS(x, "<row><cell><p offset=\"133\">Wide</p></cell><cell></cell><cell><p offset=\"146\">2016</p>"
           "</cell></row>");
    HAS(x, "<row><cell></cell><cell><p offset=\"228\">Adequate</p></cell><cell><p offset=\"245\">"
           "2018</p></cell></row></table>");
    free(x);
    /* a table of layout is read as its cells' content */
    x = xml("<body><table><tr><td><p>Left column text.</p><p>More of it.</p></td>"
            "<td><table><tr><td>nested</td></tr></table></td></tr></table></body>");
    HASNT(x, "<table");
    HAS(x, "<p offset=\"21\">Left column text.</p><p offset=\"45\">More of it.</p>"
           "<p offset=\"87\">nested</p>");
    free(x);
}
END_TEST

START_TEST(maps_inlines)
{
    char *x = xml("<body><p>An <em>em</em>, <i>i</i>, <strong>strong</strong>, <b>b</b>, "
                  "<code>x &lt; y</code>, <a href=\"/a\">link</a>,<br>a <span>span "
                  "<font>font</font></span> <a>no href</a> <a href=\"javascript:go()\">js</a>"
                  " <b><i><a href=\"b\">nested</a></i></b></p></body>");
    HAS(x, "<p offset=\"6\">An <em>em</em>, <em>i</em>, <strong>strong</strong>, <strong>b</strong>, "
           "<code>x &lt; y</code>, <a href=\"/a\">link</a>,<br></br>a span font no href js "
           "<strong><em><a href=\"b\">nested</a></em></strong></p>");
    free(x);
    /* inline elements never split a paragraph; white space between them
     * is one space, none at the ends */
    x = xml("<div>  Some <b>bold</b>\n  and <a href=\"x\"> linked </a>text  </div>");
    HAS(x, "<p offset=\"7\">Some <strong>bold</strong> and <a href=\"x\">linked</a> text</p>");
    free(x);
}
END_TEST

START_TEST(text_in_divs_becomes_paragraphs)
{
    char *x = xml("<body><div>First line<br>second line<br><br>New paragraph"
                  "<div>Inner block</div>tail text</div></body>");
    HAS(x, "<p offset=\"11\">First line<br></br>second line</p><p offset=\"44\">New paragraph</p>"
           "<p offset=\"62\">Inner block</p><p offset=\"79\">tail text</p>");
    free(x);
}
END_TEST

START_TEST(meta_from_head)
{
    char *x = xml("<html lang=\"en_GB\"><head><title>Site - A long page title here</title>"
                  "<meta name=\"author\" content=\"Jane Smith\">"
                  "<meta property=\"article:published_time\" content=\"2016-03-02T10:00:00Z\">"
                  "<meta property=\"article:modified_time\" content=\"2017-01-05\">"
                  "<meta name=\"description\" content=\"The page  in brief\">"
                  "<meta property=\"og:description\" content=\"Said again\">"
                  "</head><body><p>Body text.</p></body></html>");
    HAS(x, "<meta><title>A long page title here</title>"
           "<date role=\"published\" when=\"2016-03-02\">2016-03-02T10:00:00Z</date>"
           "<date role=\"updated\" when=\"2017-01-05\">2017-01-05</date>");
    HAS(x, "<author>Jane Smith</author><description>The page in brief</description>"
           "<lang>en-GB</lang></meta>");
    free(x);
    /* the content's heading is the title when the page's title names it;
     * a <time> gives the date */
    x = xml("<html><head><title>Warwickshire PEEL 2016 | HMICFRS</title></head><body>"
            "<main><h1>Warwickshire PEEL 2016</h1><p>Published <time datetime=\"2017-03-02\">"
            "2 March 2017</time>.</p><h2>Part</h2><p>Text.</p></main></body></html>");
    HAS(x, "<title>Warwickshire PEEL 2016</title><date role=\"published\" when=\"2017-03-02\">"
           "2 March 2017</date>");
    HAS(x, "<heading level=\"1\">Part</heading>");
    HASNT(x, "<heading level=\"1\">Warwickshire");
    free(x);
}
END_TEST

/* ---- character sets and entities ------------------------------------------------------ */

START_TEST(entities_and_charsets)
{
    /* entities: named, numeric, hexadecimal */
    char *x = xml("<p>caf&eacute; &amp; &#8217;quote&#x2019; &lt;tag&gt; &nbsp;x&copy;</p>");
    HAS(x, "caf\xC3\xA9 &amp; \xE2\x80\x99quote\xE2\x80\x99 &lt;tag&gt; \xC2\xA0x\xC2\xA9");
    free(x);
    /* Latin-1 declared in a meta tag (read as Windows-1252) */
    static const char latin[] = "<html><head><meta charset=\"iso-8859-1\"></head>"
                                "<body><p>caf\xE9 \x93quoted\x94</p></body></html>";
    char *dir = temp_dir();
    const char *in = put(dir, "latin.html", latin, sizeof latin - 1);
    run_result r = DOCKET(NULL, "--no-transforms", "-t", "text", in);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D\n");
    ck_assert_str_eq(r.err, "");
    run_free(&r);
    /* http-equiv, and Windows-1250 */
    static const char cz[] = "<html><head><meta http-equiv=\"Content-Type\" "
                             "content=\"text/html; charset=windows-1250\"></head>"
                             "<body><p>\x9A\x9D\xE1</p></body></html>";
    in = put(dir, "cz.html", cz, sizeof cz - 1);
    r = DOCKET(NULL, "--no-transforms", "-t", "text", in);
    ck_assert_str_eq(r.out, "\xC5\xA1\xC5\xA5\xC3\xA1\n");
    run_free(&r);
    /* declared Latin-1 but the bytes are UTF-8: UTF-8 wins */
    static const char saved[] = "<meta charset=\"iso-8859-1\"><p>caf\xC3\xA9</p>";
    in = put(dir, "saved.html", saved, sizeof saved - 1);
    r = DOCKET(NULL, "--no-transforms", "-t", "text", in);
    ck_assert_str_eq(r.out, "caf\xC3\xA9\n");
    run_free(&r);
    /* nothing declared, not UTF-8: Windows-1252, with a warning */
    static const char none[] = "<html><body><p>na\xEFve</p></body></html>";
    in = put(dir, "none.html", none, sizeof none - 1);
    r = DOCKET(NULL, "--no-transforms", "-t", "text", in);
    ck_assert_str_eq(r.out, "na\xC3\xAFve\n");
    HAS(r.err, "none.html: warning: invalid UTF-8 at byte 17, read as Windows-1252");
    run_free(&r);
    /* UTF-8 with a few broken bytes stays UTF-8, the bytes replaced */
    static const char broken[] = "<p>caf\xC3\xA9 na\xC3\xAFve caf\xC3\xA9 na\xC3\xAFve \xFF end</p>";
    in = put(dir, "broken.html", broken, sizeof broken - 1);
    r = DOCKET(NULL, "--no-transforms", "-t", "text", in);
    ck_assert_str_eq(r.out, "caf\xC3\xA9 na\xC3\xAFve caf\xC3\xA9 na\xC3\xAFve \xEF\xBF\xBD end\n");
    HAS(r.err, "warning: invalid UTF-8 at byte 29, replaced with U+FFFD (1 in all)");
    run_free(&r);
    /* UTF-8 BOM, UTF-16 LE BOM */
    static const char bom[] = "\xEF\xBB\xBF<p>caf\xC3\xA9</p>";
    in = put(dir, "bom.html", bom, sizeof bom - 1);
    r = DOCKET(NULL, "--no-transforms", "-t", "xml", in);
    HAS(r.out, "<p offset=\"3\">caf\xC3\xA9</p>");
    run_free(&r);
    static const char u16[] = "\xFF\xFE<\0p\0>\0\xE9\0\x19\x20<\0/\0p\0>\0";
    in = put(dir, "u16.html", u16, sizeof u16 - 1);
    r = DOCKET(NULL, "--no-transforms", "-t", "xml", in);
    HAS(r.out, "<p offset=\"2\">\xC3\xA9\xE2\x80\x99</p>");
    run_free(&r);
    /* NUL bytes are read as spaces, with a warning */
    static const char nul[] = "<p>a\0b</p>";
    in = put(dir, "nul.html", nul, sizeof nul - 1);
    r = DOCKET(NULL, "--no-transforms", "-t", "text", in);
    ck_assert_str_eq(r.out, "a b\n");
    HAS(r.err, "NUL byte");
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- detection ------------------------------------------------------------------------ */

/* The format docket detects for data in a file of the given name. */
static char *detected(const char *name, const char *data, size_t len)
{
    char *dir = temp_dir();
    const char *in = put(dir, name, data, len);
    run_result r = DOCKET(NULL, "-t", "json", in);
    char *format = NULL;
    const char *f = strstr(r.out, "\"format\":\"");
    if (r.status == 0 && f) {
        f += 10;
        format = strndup(f, strcspn(f, "\""));
    } else {
        format = strdup(r.status == 0 ? "?" : "error");
    }
    run_free(&r);
    rm_rf(dir);
    free(dir);
    return format;
}

#define DETECTS(name, lit, want)                                               \
    do {                                                                       \
        char *fmt = detected(name, lit, sizeof(lit) - 1);                      \
        ck_assert_msg(!strcmp(fmt, want), "%s: detected %s, not %s", name,    \
                      fmt, want);                                              \
        free(fmt);                                                             \
    } while (0)

START_TEST(detection)
{
    DETECTS("a", "<!DOCTYPE html><p>x</p>", "html");
    DETECTS("a", "<!doctype HTML>\n<title>t</title>", "html");
    DETECTS("a", "\n\n<html><body>x</body></html>", "html");
    DETECTS("a", "<!-- saved --><html><p>x</p></html>", "html");
    DETECTS("a", "\xEF\xBB\xBF<!DOCTYPE html><p>x</p>", "html");
    DETECTS("a", "<head><meta charset=utf-8></head>", "html");
    DETECTS("a", "<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 "
                 "Strict//EN\" \"x\"><html xmlns=\"http://www.w3.org/1999/xhtml\"></html>",
            "html");
    DETECTS("a", "<div class=\"x\"><p>A fragment</p><br></div>", "html");
    DETECTS("a", "\xFF\xFE<\0p\0>\0x\0", "html");
    /* names: an HTML name selects the reader even for text */
    DETECTS("page.html", "Just some words.\n", "html");
    DETECTS("page.htm", "Just some words.\n", "html");
    DETECTS("page.xhtml", "Just some words.\n", "html");
    DETECTS("page.txt", "Just some words.\n", "text");
    DETECTS("page", "Just some words.\n", "text");
    DETECTS("notes", "Compare a < b with b > a.\n", "text");
    /* docket's own XML still goes to the xml reader */
    DETECTS("doc.html", "<document xmlns=\"urn:docket:document:1\"><meta></meta>"
                        "<body></body></document>", "xml");
    DETECTS("doc", "<?xml version=\"1.0\"?>\n<document xmlns=\"urn:docket:document:1\">"
                   "<meta></meta><body></body></document>", "xml");
}
END_TEST

/* ---- extraction -------------------------------------------------------------------------- */

START_TEST(chrome_is_removed)
{
    char *x = conv("<html><body>"
                   "<div class=\"cookie-banner\">We use cookies on this site.</div>"
                   "<header><a href=\"/\">Home</a> <a href=\"/about\">About</a></header>"
                   "<nav><ul><li><a href=\"/a\">Menu one</a></li></ul></nav>"
                   "<div id=\"breadcrumbs\"><a href=\"/\">Crumb</a></div>"
                   "<main><article><h1>Story</h1>"
                   "<p>The first paragraph of the story, with commas, and sentences. It goes on.</p>"
                   "<div class=\"share-buttons\"><a href=\"s\">Share on Twitter</a></div>"
                   "<p>The second paragraph, longer still, tells more of the story, and ends.</p>"
                   "<p style=\"display: none\">Hidden words</p><p hidden>Hidden too</p>"
                   "<p class=\"sr-only\">Screen reader words</p>"
                   "</article></main>"
                   "<aside><h2>Related</h2><ul><li><a href=\"r\">Other story</a></li></ul></aside>"
                   "<div role=\"contentinfo\">Footer words</div>"
                   "<script>document.write('script words')</script><style>p{}</style>"
                   "<noscript>Enable JavaScript</noscript>"
                   "</body></html>", 0, NULL, ARGS("-t", "text"));
    ck_assert_str_eq(x, "Story\n\nThe first paragraph of the story, with commas, and sentences. "
                        "It goes on.\n\nThe second paragraph, longer still, tells more of the "
                        "story, and ends.\n");
    free(x);
}
END_TEST

/* A page without main or article: the content is found by its prose. */
START_TEST(content_without_main)
{
    char *x = conv("<html><body><div id=\"top\"><a href=\"/\">Home</a> | <a href=\"/n\">News</a> | "
                   "<a href=\"/c\">Contact</a></div>"
                   "<div class=\"col\"><a href=\"/1\">Link one</a><br><a href=\"/2\">Link two</a><br>"
                   "<a href=\"/3\">Link three</a></div>"
                   "<div class=\"col2\"><h2>The heading</h2>"
                   "<p>A paragraph of real content, with a comma, and a full stop. More follows.</p>"
                   "<p>Another paragraph of content, which also has commas, clauses and stops.</p>"
                   "<p>A third, shorter one, still prose.</p></div>"
                   "<div class=\"bottom\"><a href=\"/i\">Imprint</a> <a href=\"/p\">Privacy</a></div>"
                   "</body></html>", 0, NULL, ARGS("-t", "text"));
    ck_assert_str_eq(x, "The heading\n\nA paragraph of real content, with a comma, and a full stop. "
                        "More follows.\n\nAnother paragraph of content, which also has commas, "
                        "clauses and stops.\n\nA third, shorter one, still prose.\n");
    free(x);
}
END_TEST

/* The same short text repeated by a template, furniture, and a heading
 * left with nothing to introduce go; repeated grades stay. */
START_TEST(furniture_and_repeats)
{
    char *x = conv("<body><main><p>First paragraph of the text, with a comma, to score.</p>"
                   "<div class=\"slot\">Hide Ad</div><p>Second paragraph, also long enough, "
                   "with commas.</p><div>Read more</div><p>Third paragraph, of the same "
                   "kind, as the others.</p><div>Read more</div><p>Good</p><div>Read more</div>"
                   "<p>Good</p><p>Back to top</p><h3>Related stories</h3>"
                   "<ul><li><a href=\"1\">One</a></li><li><a href=\"2\">Two</a></li></ul>"
                   "</main></body>", 0, NULL, ARGS("--no-transforms", "-t", "text"));
    ck_assert_str_eq(x, "First paragraph of the text, with a comma, to score.\n\nSecond paragraph, "
                        "also long enough, with commas.\n\nThird paragraph, of the same kind, as "
                        "the others.\n\nGood\n\nGood\n");
    free(x);
}
END_TEST

/* A text the page cuts into rows made by one template (the same element
 * and class as the row holding the best block): a row of prose after it
 * is content; a box of another class beside them is not. */
START_TEST(template_rows_are_content)
{
    char *x = conv("<html><body><div class=\"wrap\">"
                   "<div class=\"row\"><div class=\"inner\">"
                   "<p>The first long paragraph of the story, with commas, clauses and a full "
                   "stop. It goes on for a while, as stories do.</p>"
                   "<p>The second long paragraph, with more commas, more clauses, and more full "
                   "stops. It also goes on, for a while.</p>"
                   "<p>The third long paragraph, again with commas, clauses, and stops, to make "
                   "the block the best one.</p></div></div>"
                   "<div class=\"row\"><p>And so the story ends, at the second bend of the "
                   "river, late at night, as it began, with the town asleep.</p></div>"
                   "<div class=\"box\"><p>Our shop sells maps of the town, with rivers and "
                   "bends, at good prices, all the year round, every day.</p></div>"
                   "</div></body></html>", 0, NULL, ARGS("-t", "text"));
    HAS(x, "And so the story ends");
    HASNT(x, "Our shop sells maps");
    free(x);
}
END_TEST

/* Notes a publisher sets into its articles, named by their class: an
 * affiliate or advertising disclosure, an appeal for donations, a
 * subscription box. They read like prose, and go; a paragraph of the same
 * length with another class stays. */
START_TEST(publisher_notes_are_removed)
{
    char *x = conv("<html><body><article>"
                   "<p class=\"lead\">The lead of the article, with a comma, a clause, and "
                   "a full stop. It tells what the article is about.</p>"
                   "<p class=\"disclosure-text\">This post contains references to products "
                   "of our advertisers, and we may receive compensation.</p>"
                   "<p>The body of the article, with commas, clauses and full stops. It goes "
                   "on, as articles do, for a while longer.</p>"
                   "<div class=\"alice-affiliate-info\">For links on this page we may receive "
                   "a commission from the seller, for example for marked ones.</div>"
                   "<p>More of the body, again with commas, clauses, and full stops, to make "
                   "the article long enough to be the content.</p>"
                   "<div class=\"article-donation-box\"><p>We rely on your support, so please "
                   "give what you can, and keep the news free for all.</p></div>"
                   "<div class=\"jetpack_subscription_widget\"><p>Enter your e-mail address, "
                   "to follow this blog and receive notifications of new posts.</p></div>"
                   "</article></body></html>", 0, NULL, ARGS("-t", "text"));
    HAS(x, "The lead of the article");
    HAS(x, "More of the body");
    HASNT(x, "compensation");
    HASNT(x, "commission");
    HASNT(x, "support");
    HASNT(x, "notifications");
    free(x);
}
END_TEST

/* A label or heading over a block removed as links goes with it, even when
 * the article's text goes on after that block; a label over a list that
 * stays, and a heading over prose, stay. */
START_TEST(labels_of_removed_blocks)
{
    char *x = conv("<html><body><article>"
                   "<p>The first paragraph of the article, with commas, clauses and a full "
                   "stop. It goes on for a while.</p>"
                   "<p>You will need:</p><ul><li>Two eggs, beaten</li><li>A cup of flour</li></ul>"
                   "<p>More on this topic:</p>"
                   "<ul><li><a href=\"/a\">The first other article of the site</a></li>"
                   "<li><a href=\"/b\">The second other article</a></li>"
                   "<li><a href=\"/c\">The third other article</a></li></ul>"
                   "<p>The second paragraph of the article, again with commas, clauses, and a "
                   "full stop. It ends here.</p>"
                   "<h3>Elsewhere on the site</h3>"
                   "<ul><li><a href=\"/d\">A fourth article of the site</a></li>"
                   "<li><a href=\"/e\">A fifth article of the site</a></li></ul>"
                   "<p>A last paragraph of the article, still with commas, clauses, and stops, "
                   "that closes the text.</p>"
                   "<h3>The method</h3>"
                   "<p>Beat the eggs, fold in the flour, and bake the mixture, for twenty "
                   "minutes, until golden.</p>"
                   "</article></body></html>", 0, NULL, ARGS("-t", "text"));
    HAS(x, "You will need:\n\n- Two eggs");
    HAS(x, "The method\n");
    HAS(x, "A last paragraph");
    HASNT(x, "More on this topic");
    HASNT(x, "Elsewhere on the site");
    free(x);
}
END_TEST

/* Cards of other articles: three or more of one template, each titled by
 * a heading that links away, with a teaser longer than the title; the
 * article's own parts, titled by plain headings and holding a link, stay. */
START_TEST(cards_titled_by_links)
{
    static const char card[] =
        "<div class=\"grid-item\"><h3><a href=\"/x\">Story</a></h3><div class=\"teaser\">"
        "A long teaser text of another story, with commas, clauses, and a full stop, long "
        "enough to weigh more than its title does.</div></div>";
    static const char part[] =
        "<div class=\"item\"><h3>Part</h3><div class=\"body\">A long text of a part of this "
        "article, with commas, clauses, and a full stop, long enough to weigh more than "
        "its title does, and <a href=\"/ref\">a source</a>.</div></div>";
    char page[4096];
    snprintf(page, sizeof page,
             "<html><body><article><p>The first paragraph of the article, with commas, "
             "clauses and a full stop. It goes on for a while.</p><p>The second paragraph "
             "of the article, again with commas, clauses, and a full stop. It ends here.</p>"
             "<div class=\"parts\">%s%s%s</div><div class=\"grid\">%s%s%s</div>"
             "</article></body></html>", part, part, part, card, card, card);
    char *x = conv(page, 0, NULL, ARGS("-t", "text"));
    HAS(x, "A long text of a part of this article");
    HASNT(x, "teaser");
    HASNT(x, "Story");
    free(x);
}
END_TEST

/* Boxes named by their class: a post's meta line, a fact box, an embedded
 * post, a list of trending articles; a paragraph of the same kind with a
 * class of the content stays. */
START_TEST(boxes_named_by_class)
{
    char *x = conv("<html><body><div class=\"post\">"
                   "<p>The first paragraph of the post, with commas, clauses and a full stop. "
                   "It goes on for a while, as posts do.</p>"
                   "<div class=\"mol-factbox\"><p>A fact box beside the text, with commas, "
                   "clauses, and a full stop, as long as a paragraph.</p></div>"
                   "<p class=\"entry-text\">The second paragraph of the post, again with commas, "
                   "clauses, and a full stop. It ends here.</p>"
                   "<blockquote class=\"twitter-embed\"><p>An embedded post from elsewhere, with "
                   "commas, and a full stop, as long as a paragraph.</p></blockquote>"
                   "<div class=\"trending-now\"><p>A trending story of the site, with commas, "
                   "clauses, and a full stop, as long as a paragraph.</p></div>"
                   "<p class=\"postmetadata\">This entry was posted on Monday, and filed under "
                   "News, Things, and more.</p>"
                   "</div></body></html>", 0, NULL, ARGS("-t", "text"));
    HAS(x, "The second paragraph of the post");
    HASNT(x, "fact box");
    HASNT(x, "embedded post");
    HASNT(x, "trending");
    HASNT(x, "filed under");
    free(x);
}
END_TEST

/* The lead above the content is kept when the content sits deep in the
 * layout's nested boxes (seven levels below their common parent here); a
 * menu at the same place still goes. */
START_TEST(lead_above_deep_content)
{
    char *x = conv("<html><body><div class=\"page\">"
                   "<div class=\"menu-bar\"><a href=\"/a\">News</a> <a href=\"/b\">Sport</a> "
                   "<a href=\"/c\">Weather</a></div>"
                   "<div class=\"hero\"><p>The lead of the story, in a box of its own, says what "
                   "happened, and where.</p></div>"
                   "<div><div><div><div><div><div><div class=\"text\">"
                   "<p>The first long paragraph of the story, with commas, clauses and a full "
                   "stop. It goes on for a while, as stories do.</p>"
                   "<p>The second long paragraph, with more commas, more clauses, and more full "
                   "stops. It also goes on, for a while.</p>"
                   "</div></div></div></div></div></div></div>"
                   "<div class=\"links\"><a href=\"/d\">Imprint</a> <a href=\"/e\">Privacy</a></div>"
                   "</div></body></html>", 0, NULL, ARGS("-t", "text"));
    HAS(x, "The lead of the story");
    HAS(x, "The second long paragraph");
    HASNT(x, "Sport");
    HASNT(x, "Imprint");
    free(x);
}
END_TEST

/* The title and the dateline in wrappers of their own above the content
 * stay with it; a short block of links above it still goes. */
START_TEST(title_and_dateline_above_content)
{
    char *x = conv("<html><body><div class=\"top\"><a href=\"/\">Home</a> "
                   "<a href=\"/a\">About</a> <a href=\"/b\">Contact</a></div>"
                   "<div class=\"box\"><h3>Opening hours</h3><p>Monday to Friday 9am "
                   "to 5pm</p></div>"
                   "<div id=\"content\"><div class=\"page-title\"><h1>Westshire PEEL 2017"
                   "</h1></div><div class=\"page-date\">Last updated 12/12/2017</div>"
                   "<div class=\"entry\"><h2>Legitimacy</h2><div>Good</div>"
                   "<div>The force treats the people it serves with fairness and respect, and "
                   "it listens to them. Its leaders promote an open culture, and staff feel "
                   "able to challenge.</div><div>The force is good at supporting its staff, "
                   "and it has a wellbeing programme that staff value.</div></div></div>"
                   "<div class=\"bottom\"><a href=\"/c\">Privacy</a></div></body></html>",
                   0, NULL, ARGS("-t", "xml"));
    HAS(x, "<date role=\"updated\" when=\"2017-12-12\">");
    HAS(x, "<heading level=\"1\">Westshire PEEL 2017</heading>");
    HAS(x, "document xmlns=\"urn:docket:document:1\" kind=\"page\"");
    HASNT(x, "About");
    HASNT(x, "Privacy");
    /* a box beside the content whose heading is not nearly all its text */
    HASNT(x, "Opening hours");
    free(x);
}
END_TEST

/* ---- the removal report ------------------------------------------------------------------- */

START_TEST(removal_report)
{
    static const char page[] =
        "<html><body>\n"
        "<nav id=\"menu\"><a href=\"/\">Home page</a> <a href=\"/news\">All the news</a></nav>\n"
        "<main><p>The content, with a comma, and more words to be prose.</p>\n"
        "<div class=\"social-links\"><a href=\"x\">Follow us</a></div></main>\n"
        "<footer><p>Footer text \xE2\x80\x94 imprint</p></footer>\n"
        "</body></html>\n";
    char *dir = temp_dir();
    const char *in = put(dir, "page.html", page, sizeof page - 1);
    char report[1024];
    snprintf(report, sizeof report, "%s/removed.tsv", dir);
    run_result r = DOCKET(NULL, "-t", "text", "--removed", report, in);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "The content, with a comma, and more words to be prose.\n");
    run_free(&r);
    char *got = slurp(report, NULL);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got,
        "# docket html reader: what was removed from page.html as not part of the "
        "page's content\n"
        "# kept 11 words; removed 11 words in 3 blocks\n"
        "offset\tpath\treason\twords\ttext\n"
        "13\t/html/body/nav[@id='menu']\tnavigation (<nav>)\t5\tHome page All the news\n"
        "161\t/html/body/main/div[@class='social-links']\tclass or id: \"social\" in "
        "class\t2\tFollow us\n"
        "226\t/html/body/footer\tpage footer (<footer>)\t4\tFooter text \xE2\x80\x94 imprint\n");
    free(got);
    /* no temporary file is left beside it */
    ck_assert_int_eq(dir_entries(dir), 2);
    /* a directory: one report per input, named after it */
    char sub[256];
    snprintf(sub, sizeof sub, "%.200s/reports", dir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    r = DOCKET(NULL, "-t", "text", "--removed", sub, in);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    snprintf(report, sizeof report, "%s/page.removed.tsv", sub);
    got = slurp(report, NULL);
    ck_assert_ptr_nonnull(got);
    HAS(got, "\tnavigation (<nav>)\t5\tHome page All the news\n");
    free(got);
    /* a report that cannot be written fails the conversion, clearly */
    r = DOCKET(NULL, "-t", "text", "--removed", "/nonexistent/dir/r.tsv", in);
    ck_assert_int_eq(r.status, 1);
    HAS(r.err, "page.html: cannot write the removal report /nonexistent/dir/r.tsv: "
               "No such file or directory");
    ck_assert_str_eq(r.out, "");
    run_free(&r);
    /* a batch: FILE is a folder (created), one report per input; a file
     * there would keep only the last report, so it is refused */
    const char *second = put(dir, "other.html", page, sizeof page - 1);
    char out[256], batch_reports[256];
    snprintf(out, sizeof out, "%.200s/out", dir);
    snprintf(batch_reports, sizeof batch_reports, "%.200s/batch", dir);
    r = DOCKET(NULL, "-t", "text", "-O", out, "--removed", batch_reports, in, second);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    ck_assert_int_eq(dir_entries(batch_reports), 2);
    snprintf(report, sizeof report, "%s/other.removed.tsv", batch_reports);
    got = slurp(report, NULL);
    ck_assert_ptr_nonnull(got);
    HAS(got, "removed from other.html");
    free(got);
    snprintf(report, sizeof report, "%s/removed.tsv", dir);
    r = DOCKET(NULL, "-t", "text", "-O", out, "--removed", report, in, second);
    ck_assert_int_eq(r.status, 1);
    HAS(r.err, "with several inputs (-O) the reports go in a folder");
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(keep_all)
{
    static const char page[] =
        "<html><head><title>T</title><script>var s = 'script';</script></head><body>"
        "<div class=\"cookie-banner\">We use cookies. <button>Accept</button></div>"
        "<nav><a href=\"/\">Home</a></nav><main><p>The content, with commas, and words.</p>"
        "<p>Share</p></main><footer>Footer words</footer></body></html>";
    char *dir = temp_dir();
    const char *in = put(dir, "page.html", page, sizeof page - 1);
    char report[512];
    snprintf(report, sizeof report, "%s/removed.tsv", dir);
    run_result r = DOCKET(NULL, "-t", "text", "--keep-all", "--removed", report, in);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "T\n\nWe use cookies. Accept\n\nHome\n\nThe content, with commas, "
                            "and words.\n\nShare\n\nFooter words\n");
    run_free(&r);
    char *got = slurp(report, NULL);
    HAS(got, "removed 0 words in 0 blocks\noffset\tpath\treason\twords\ttext\n");
    free(got);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- links ------------------------------------------------------------------------------ */

START_TEST(base_url_and_base)
{
    static const char page[] = "<p><a href=\"a/b.html\">rel</a> <a href=\"/root\">abs</a> "
                               "<a href=\"#frag\">frag</a> <a href=\"http://other.org/x\">full</a> "
                               "<a href=\"../up\">up</a></p>";
    char *x = conv(page, sizeof page - 1, NULL,
                   ARGS("--keep-all", "-t", "xml", "--base-url", "https://ex.org/dir/page.html"));
    HAS(x, "<a href=\"https://ex.org/dir/a/b.html\">rel</a> <a href=\"https://ex.org/root\">abs</a> "
           "<a href=\"https://ex.org/dir/page.html#frag\">frag</a> <a href=\"http://other.org/x\">"
           "full</a> <a href=\"https://ex.org/up\">up</a>");
    free(x);
    /* without a base, links stay as written */
    x = conv(page, sizeof page - 1, NULL, ARGS("--keep-all", "-t", "xml"));
    HAS(x, "<a href=\"a/b.html\">rel</a>");
    free(x);
    /* <base href> wins, itself resolved against --base-url */
    static const char based[] = "<head><base href=\"/docs/\"></head><p><a href=\"x.html\">x</a></p>";
    x = conv(based, sizeof based - 1, NULL,
             ARGS("--keep-all", "-t", "xml", "--base-url", "https://ex.org/dir/"));
    HAS(x, "<a href=\"https://ex.org/docs/x.html\">x</a>");
    free(x);
    static const char abs_base[] = "<head><base href=\"https://site.org/a/\"></head>"
                                   "<p><a href=\"x.html\">x</a></p>";
    x = conv(abs_base, sizeof abs_base - 1, NULL, ARGS("--keep-all", "-t", "xml"));
    HAS(x, "<a href=\"https://site.org/a/x.html\">x</a>");
    free(x);
}
END_TEST

/* ---- provenance ---------------------------------------------------------------------------- */

START_TEST(offsets_point_at_elements)
{
    /* every offset of the fixture's output points at the start tag of an
     * element, or at the text, of the page */
    const char *in = FIXTURES "/html/warwickshire-peel-2016.html";
    size_t len;
    char *page = slurp(in, &len);
    run_result r = DOCKET(NULL, "--no-transforms", "-t", "xml", in);
    ck_assert_int_eq(r.status, 0);
    int n = 0;
    for (const char *o = strstr(r.out, "offset=\""); o; o = strstr(o + 1, "offset=\"")) {
        size_t at = strtoul(o + 8, NULL, 10);
        ck_assert_uint_lt(at, len);
        /* a start tag, or the first character of a run of text */
        ck_assert_msg(page[at] == '<' || !isspace((unsigned char)page[at]),
                      "offset %zu: %.20s", at, page + at);
        if (page[at] == '<' && !strncmp(o - 3, "<p ", 3))
            ck_assert_msg(!strncmp(page + at, "<p", 2) || !strncmp(page + at, "<div", 4),
                          "p at %zu: %.20s", at, page + at);
        n++;
    }
    ck_assert_int_gt(n, 30);
    /* a section's offset is its heading's */
    const char *s = strstr(r.out, "<section offset=\"");
    size_t at = strtoul(s + 17, NULL, 10);
    ck_assert_msg(!strncmp(page + at, "<h2>How effective is the force at keeping", 41), "%.40s",
                  page + at);
    free(page);
    run_free(&r);
    /* in a single-byte charset, offsets count the input's bytes */
    static const char latin[] = "<meta charset=\"windows-1252\"><p>\xE9\xE9\xE9</p><p>after</p>";
    char *x = conv(latin, sizeof latin - 1, NULL, ARGS("--no-transforms", "-t", "xml"));
    HAS(x, "<p offset=\"29\">\xC3\xA9\xC3\xA9\xC3\xA9</p><p offset=\"39\">after</p>");
    free(x);
}
END_TEST

/* ---- what the content calls for ---------------------------------------------------------- */

START_TEST(default_transforms)
{
    /* an inspection page: grades, areas for improvement, the updated date */
    char *x = conv("<html><head><title>Northshire PEEL 2017</title></head><body><main>"
                   "<h1>Northshire PEEL 2017</h1><p>Last updated <time datetime=\"2018-03-22\">"
                   "22/03/2018</time></p><h2>How effective is the force?</h2>"
                   "<p>Our judgment: <span class=\"grade\">Good</span></p>"
                   "<p>Northshire Police is good at keeping people safe, and it improved.</p>"
                   "<h3>Areas for improvement</h3><ul><li>The force should improve.</li></ul>"
                   "<h2>How efficient is the force? <span class=\"grade\">Adequate</span></h2>"
                   "<p>Northshire Police is efficient, within its budget, and plans.</p>"
                   "</main></body></html>", 0, NULL, ARGS("-t", "xml"));
    HAS(x, "<document xmlns=\"urn:docket:document:1\" kind=\"page\">");
    HAS(x, "<date role=\"updated\" when=\"2018-03-22\">22/03/2018</date>");
    HAS(x, "<section kind=\"question\" offset=\"");
    HAS(x, "<heading level=\"1\">How effective is the force?</heading><grade value=\"good\">"
           "Good</grade>");
    HAS(x, "<section kind=\"areas-for-improvement\"");
    /* a grade badge inside a heading is a grade after it */
    HAS(x, "<heading level=\"1\">How efficient is the force?</heading><grade value=\"adequate\">"
           "Adequate</grade>");
    HAS(x, "<force>Northshire Police</force><year>2017</year>");
    free(x);
    /* --no-transforms: none of it */
    x = conv("<p>Dear Sir,</p><p>Text of the letter, with commas.</p><p>Yours faithfully</p>"
             "<p>A. Writer</p>", 0, NULL, ARGS("--no-transforms", "-t", "xml"));
    HASNT(x, "kind=");
    free(x);
    x = conv("<p>Dear Sir,</p><p>Text of the letter, with commas.</p><p>Yours faithfully</p>"
             "<p>A. Writer</p>", 0, NULL, ARGS("-t", "xml"));
    HAS(x, "kind=\"letter\"");
    HAS(x, "<salutation>Dear Sir,</salutation>");
    HAS(x, "<closing>Yours faithfully</closing>");
    free(x);
}
END_TEST

/* ---- hostile pages -------------------------------------------------------------------------- */

/* Output that JSON can carry back: the tree stays within DK_MAX_DEPTH. */
static void assert_reads_back(const char *in)
{
    char *dir = temp_dir();
    char json[512];
    snprintf(json, sizeof json, "%s/out.json", dir);
    run_result r = DOCKET(NULL, "-t", "json", "-o", json, in);
    ck_assert_msg(r.status == 0, "%s: %s", in, r.err);
    run_free(&r);
    r = DOCKET(NULL, "-f", "json", "-t", "text", "-o", "/dev/null", json);
    ck_assert_msg(r.status == 0, "%s read back: %s", in, r.err);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}

START_TEST(hostile_pages)
{
    char *dir = temp_dir();
    /* 100,000 nested divs, then text and more content */
    size_t cap = 100000 * 12 + 200, n = 0;
    char *page = malloc(cap);
    n += (size_t)sprintf(page + n, "<html><body>");
    for (int i = 0; i < 100000; i++)
        n += (size_t)sprintf(page + n, "<div>");
    n += (size_t)sprintf(page + n, "deep text, with a comma, and more words here.");
    for (int i = 0; i < 100000; i++)
        n += (size_t)sprintf(page + n, "</div>");
    n += (size_t)sprintf(page + n, "<p>after the divs</p></body></html>");
    const char *in = put(dir, "deep.html", page, n);
    run_result r = DOCKET(NULL, "--keep-all", "-t", "text", in);
    ck_assert_int_eq(r.status, 0);
    HAS(r.out, "deep text, with a comma");
    HAS(r.out, "after the divs");
    run_free(&r);
    assert_reads_back(in);
    /* nested lists, quotes and inline elements without end tags */
    n = 0;
    for (int i = 0; i < 30000; i++)
        n += (size_t)sprintf(page + n, "<ul><li><blockquote><b><i>w%d ", i % 10);
    in = put(dir, "lists.html", page, n);
    assert_reads_back(in);
    r = DOCKET(NULL, "--keep-all", "-t", "text", in);
    ck_assert_int_eq(r.status, 0);
    HAS(r.out, "w9");
    run_free(&r);
    free(page);
    /* a 50 MB page of one paragraph, and of many */
    size_t big = 50u * 1000 * 1000;
    page = malloc(big + 64);
    n = (size_t)sprintf(page, "<html><body><p>");
    while (n + 5 < big)
        n += (size_t)sprintf(page + n, "word ");
    in = put(dir, "big.html", page, n);
    r = DOCKET(NULL, "-t", "text", "-o", "/dev/null", in);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    n = (size_t)sprintf(page, "<html><body>");
    while (n + 40 < big)
        n += (size_t)sprintf(page + n, "<p>Words, in a paragraph.\n");
    in = put(dir, "many.html", page, n);
    r = DOCKET(NULL, "-t", "text", "-o", "/dev/null", in);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    /* invalid bytes with an HTML name: output or a clear error */
    for (size_t i = 0; i < 4096; i++)
        page[i] = (char)((i * 7919u) >> 3);
    in = put(dir, "bytes.html", page, 4096);
    r = DOCKET(NULL, "-t", "text", in);
    ck_assert_msg(r.status == 0 || (r.status == 1 && strstr(r.err, "bytes.html: ")),
                  "status %d: %s", r.status, r.err);
    run_free(&r);
    in = put(dir, "bytes2.html", "<p>\x80\x81\xFE\xFF</p>", 11);
    r = DOCKET(NULL, "-f", "html", "-t", "text", in);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    /* markup without any end tag, and broken tags */
    static const char broken[] = "<html<body><p>one<p>two<div><table><tr><td>cell<td>"
                                 "cell2<tr><td>row2<li>item<p>three<a href=x>link<b>bold";
    in = put(dir, "broken.html", broken, sizeof broken - 1);
    r = DOCKET(NULL, "--keep-all", "-t", "text", in);
    ck_assert_int_eq(r.status, 0);
    HAS(r.out, "one");
    HAS(r.out, "bold");
    run_free(&r);
    /* an empty page and one of only white space */
    in = put(dir, "empty.html", "", 0);
    r = DOCKET(NULL, "-t", "text", in);
    ck_assert_int_eq(r.status, 1);
    HAS(r.err, "empty.html: input is empty");
    run_free(&r);
    in = put(dir, "blank.html", "  \n", 3);
    r = DOCKET(NULL, "-t", "text", in);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    free(page);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The outputs of the fixtures are valid against the schema. */
START_TEST(outputs_validate)
{
    char *dir = temp_dir();
    for (const char *const *p = pages; *p; p++) {
        char in[512], out[512];
        snprintf(in, sizeof in, FIXTURES "/html/%s.html", *p);
        snprintf(out, sizeof out, "%s/%s.xml", dir, *p);
        run_result r = DOCKET(NULL, "-t", "xml", "-o", out, in);
        ck_assert_int_eq(r.status, 0);
        run_free(&r);
        r = DOCKET(NULL, "validate", out);
        ck_assert_msg(r.status == 0, "%s: %s", *p, r.err);
        run_free(&r);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Nothing of the page is lost for its place: text and elements in a
 * table outside its cells (rows inside a form, stray text and divs) come
 * before the table; a heading that is also the title is whole, however
 * long; every author the page names is kept; a grade badge stays whatever
 * its class says. */
START_TEST(nothing_lost_for_its_place)
{
    char *x = conv("<html><body><main><h1>Grades</h1>"
                   "<p>The grades the inspection gave, with commas, and words.</p>"
                   "<table>ALPHASTRAY<tr><th>Question</th><th>Grade</th></tr>"
                   "<div>BRAVODIV</div><tr><td>Crime</td><td>Good</td><div>CHARLIEDIV</div></tr>"
                   "<form action=\"x\"><tr><td>DELTAFORM</td><td>Adequate</td></tr></form>"
                   "<tr><td>Echo</td><td>Fox</td></tr></table></main></body></html>",
                   0, NULL, ARGS("-t", "text"));
    ck_assert_str_eq(x, "Grades\n\nThe grades the inspection gave, with commas, and words.\n\n"
                        "ALPHASTRAY\n\nBRAVODIV\n\nCHARLIEDIV\n\n"
                        "Question\tGrade\nCrime\tGood\nDELTAFORM\tAdequate\nEcho\tFox\n");
    free(x);

    dk_buf page = DK_BUF_INIT, words = DK_BUF_INIT;
    for (int i = 0; i < 400; i++)
        dk_buf_printf(&words, "word%d ", i);
    dk_buf_puts(&words, "ENDOFHEADING");
    dk_buf_printf(&page, "<html><head><title>%s</title></head><body><main><h1>%s</h1>"
                  "<p>The first paragraph of the story, with commas, and sentences.</p>"
                  "</main></body></html>", words.data, words.data);
    x = conv(page.data, page.len, NULL, ARGS("-t", "xml"));
    HAS(x, "word399 ENDOFHEADING</title>");
    free(x);
    dk_buf_free(&page);
    dk_buf_free(&words);

    x = conv("<html><head><meta name=\"author\" content=\"Alice Able\">"
             "<meta name=\"author\" content=\"Bob Baker\">"
             "<meta name=\"dc.creator\" content=\"Alice Able\"></head>"
             "<body><main><h1>Story</h1><p>The first paragraph of the story, with commas, "
             "and sentences.</p></main></body></html>", 0, NULL, ARGS("-t", "xml"));
    HAS(x, "<author>Alice Able</author><author>Bob Baker</author>");
    ck_assert_ptr_null(strstr(strstr(x, "Alice Able") + 1, "Alice Able"));
    free(x);

    x = conv("<html><body><main><h1>Westshire PEEL 2016</h1>"
             "<p>The force was inspected, with care, and this page says how.</p>"
             "<h2>How effective is the force at preventing crime?</h2>"
             "<div class=\"rating rating--good\">Good</div>"
             "<p>The force prevents crime well, with partners, and with care.</p>"
             "<div class=\"rating-widget\">Rate this page: 1 2 3 4 5</div>"
             "</main></body></html>", 0, NULL, ARGS("-t", "xml"));
    HAS(x, "<grade value=\"good\">Good</grade>");
    HASNT(x, "Rate this page");
    free(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("html");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, fixture_facts);
    tcase_add_test(tc, fixture_outputs);
    tcase_add_test(tc, fixture_content_words);
    tcase_add_test(tc, maps_blocks);
    tcase_add_test(tc, maps_lists);
    tcase_add_test(tc, maps_tables);
    tcase_add_test(tc, maps_inlines);
    tcase_add_test(tc, text_in_divs_becomes_paragraphs);
    tcase_add_test(tc, meta_from_head);
    tcase_add_test(tc, entities_and_charsets);
    tcase_add_test(tc, detection);
    tcase_add_test(tc, chrome_is_removed);
    tcase_add_test(tc, content_without_main);
    tcase_add_test(tc, furniture_and_repeats);
    tcase_add_test(tc, template_rows_are_content);
    tcase_add_test(tc, publisher_notes_are_removed);
    tcase_add_test(tc, labels_of_removed_blocks);
    tcase_add_test(tc, cards_titled_by_links);
    tcase_add_test(tc, boxes_named_by_class);
    tcase_add_test(tc, lead_above_deep_content);
    tcase_add_test(tc, title_and_dateline_above_content);
    tcase_add_test(tc, removal_report);
    tcase_add_test(tc, keep_all);
    tcase_add_test(tc, base_url_and_base);
    tcase_add_test(tc, offsets_point_at_elements);
    tcase_add_test(tc, default_transforms);
    tcase_add_test(tc, hostile_pages);
    tcase_add_test(tc, outputs_validate);
    tcase_add_test(tc, nothing_lost_for_its_place);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    xmlCleanupParser();
    return failed;
}
