/*
 * The transforms and the readers lose nothing and settle: every word of
 * every fixture is in docket's output (but for what the README says is
 * removed), each transform run again changes nothing (on the fixtures and
 * on random trees), and the letter and clean rules keep what they do not
 * understand.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <docket/docket.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixtures ------------------------------------------------------------ */

typedef struct names {
    char **v;
    size_t n;
} names;

/* DIR/NAME.EXT for every input fixture (not an expected output). */
static names inputs_in(const char *dir, const char *ext)
{
    names ns = {calloc(512, sizeof(char *)), 0};
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    size_t el = strlen(ext);
    while ((e = readdir(d)) && ns.n < 511) {
        size_t len = strlen(e->d_name);
        if (len > el + 1 && !strcmp(e->d_name + len - el, ext) &&
            e->d_name[len - el - 1] == '.' && !strstr(e->d_name, ".expected."))
            ck_assert(asprintf(&ns.v[ns.n++], "%s/%s", dir, e->d_name) > 0);
    }
    closedir(d);
    return ns;
}

static void free_names(names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

static const char *const text_dirs[] = {FIXTURES "/seeds", FIXTURES "/structure",
                                        FIXTURES "/text"};

/* The text of canonical XML, tags left out (as plain text for
 * lost_words). Transfer full. */
static char *xml_text(const char *xml)
{
    char *t = strdup(xml);
    size_t k = 0;
    for (const char *p = xml; *p;) {
        const char *end = *p == '<' ? strchr(p, '>') : *p == '&' ? strchr(p, ';') : NULL;
        if (end) {
            p = end + 1;
            t[k++] = '\n';
            continue;
        }
        t[k++] = *p++;
    }
    t[k] = '\0';
    return t;
}

/* Every word of every text fixture is in its XML, read by the text reader
 * (with the transforms it asks for). */
START_TEST(text_reader_keeps_every_word)
{
    int checked = 0;
    for (size_t d = 0; d < sizeof text_dirs / sizeof text_dirs[0]; d++) {
        names ns = inputs_in(text_dirs[d], "txt");
        for (size_t i = 0; i < ns.n; i++) {
            run_result r = DOCKET(NULL, "-t", "xml", ns.v[i]);
            ck_assert_msg(r.status == 0, "%s: %s", ns.v[i], r.err);
            /* the input as the reader decoded it (a legacy charset) */
            run_result raw = DOCKET(NULL, "--no-transforms", "-t", "text", ns.v[i]);
            size_t len;
            char *in = slurp(ns.v[i], &len);
            bool legacy = strstr(raw.err, "read as Windows-1252") != NULL;
            char *lost = lost_words(legacy ? raw.out : in, legacy ? raw.out_len : len,
                                    r.out, r.err);
            ck_assert_msg(!lost, "%s lost:%s", ns.v[i], lost);
            free(in);
            run_free(&raw);
            run_free(&r);
            checked++;
        }
        free_names(&ns);
    }
    ck_assert_int_gt(checked, 10);
}
END_TEST

/* The xml and json readers keep every word too: docket's own forms of
 * each fixture read back give the same words. */
START_TEST(xml_and_json_readers_keep_every_word)
{
    char *dir = temp_dir();
    names ns = inputs_in(FIXTURES "/seeds", "txt");
    for (size_t i = 0; i < ns.n; i++) {
        char json[512], xml[512];
        snprintf(json, sizeof json, "%s/doc.json", dir);
        snprintf(xml, sizeof xml, "%s/doc.xml", dir);
        run_result a = DOCKET(NULL, "-t", "json", "-o", json, ns.v[i]);
        run_result b = DOCKET(NULL, "-t", "xml", "-o", xml, ns.v[i]);
        ck_assert_int_eq(a.status + b.status, 0);
        char *orig = slurp(xml, NULL);
        char *text = xml_text(orig);
        const char *from[] = {json, xml};
        for (int k = 0; k < 2; k++) {
            run_result r = DOCKET(NULL, "-t", "xml", from[k]);
            ck_assert_msg(r.status == 0, "%s", r.err);
            char *lost = lost_words(text, strlen(text), r.out, NULL);
            ck_assert_msg(!lost, "%s via %s lost:%s", ns.v[i], from[k], lost);
            run_free(&r);
        }
        free(text);
        free(orig);
        run_free(&a);
        run_free(&b);
    }
    free_names(&ns);
    /* the XML fixture with every element */
    size_t len;
    char *all = slurp(FIXTURES "/xml/all-elements.xml", &len);
    char *text = xml_text(all);
    run_result r = DOCKET(NULL, "-t", "xml", FIXTURES "/xml/all-elements.xml");
    ck_assert_int_eq(r.status, 0);
    char *lost = lost_words(text, strlen(text), r.out, NULL);
    ck_assert_msg(!lost, "all-elements.xml lost:%s", lost);
    run_free(&r);
    free(text);
    free(all);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- idempotence ---------------------------------------------------------- */

static const char *const transforms[] = {"clean", "letter", "inspection"};

/* On every fixture: a transform applied again to a tree all three made,
 * or twice to the tree as read, changes nothing the second time. */
START_TEST(transforms_settle_on_fixtures)
{
    char *dir = temp_dir();
    char done[512], raw[512], once[512];
    snprintf(done, sizeof done, "%s/done.json", dir);
    snprintf(raw, sizeof raw, "%s/raw.json", dir);
    snprintf(once, sizeof once, "%s/once.json", dir);
    int checked = 0;
    for (size_t d = 0; d < sizeof text_dirs / sizeof text_dirs[0]; d++) {
        names ns = inputs_in(text_dirs[d], "txt");
        for (size_t i = 0; i < ns.n; i++) {
            run_result a = DOCKET(NULL, "-T", "clean", "-T", "letter", "-T",
                                  "inspection", "-t", "json", "-o", done, ns.v[i]);
            run_result b = DOCKET(NULL, "--no-transforms", "-t", "json", "-o", raw,
                                  ns.v[i]);
            ck_assert_int_eq(a.status + b.status, 0);
            char *want = slurp(done, NULL);
            for (size_t t = 0; t < 3; t++) {
                run_result again = DOCKET(NULL, "-f", "json", "-T", transforms[t],
                                          "-t", "json", done);
                ck_assert_msg(again.status == 0, "%s", again.err);
                ck_assert_msg(!strcmp(again.out, want), "%s changes %s again",
                              transforms[t], ns.v[i]);
                run_free(&again);
                run_result one = DOCKET(NULL, "-f", "json", "-T", transforms[t],
                                        "-t", "json", "-o", once, raw);
                run_result two = DOCKET(NULL, "-f", "json", "-T", transforms[t],
                                        "-t", "json", once);
                char *first = slurp(once, NULL);
                ck_assert_msg(one.status == 0 && two.status == 0, "%s", two.err);
                ck_assert_msg(!strcmp(first, two.out), "%s twice on %s differs",
                              transforms[t], ns.v[i]);
                free(first);
                run_free(&one);
                run_free(&two);
                checked++;
            }
            free(want);
            run_free(&a);
            run_free(&b);
        }
        free_names(&ns);
    }
    ck_assert_int_gt(checked, 30);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Random trees: text from a pool of what the rules look for (and of what
 * they must leave alone), elements wherever the content model allows. */
static const char *const pool[] = {
    "Dear Sir,", "Yours sincerely", "Yours faithfully,", "Good",
    "Requires improvement", "Areas for improvement", "Causes of concern",
    "How effective is the force? Good", "Effectiveness",
    "Questions for Effectiveness", "Last updated 02/03/2017",
    "Our ref: AB/12", "Date: 1 February 2019", "cc: Chief Executive",
    "Enc.", "1. Action plan", "Mr A. Smith", "The Chief Constable",
    "Northshire Police", "NORTHSHIRE POLICE", "12 High Street",
    "Ground Floor, Aire House", "Leeds LS1 2AB", "Tel: 0113 496 0000",
    "Direct line 0113 496 0001", "Fax: 0113 496 0002", "jo@example.org",
    "The force should improve its response.", "“Quoted", "text”",
    "\xc3\xa2\xe2\x82\xac\xe2\x84\xa2", "3\xc3\x97\xc2\xbd",
    "\xc2\xab\xc3\x89T\xc3\x89\xc2\xbb", "\xc3\x8b\xc3\x8b\xc5\x93",
    "'\xcb\x9cquoted'", "caf\xc3\x83\xc2\xa9", "caf\xc3\x83\xc6\x92\xc3\x82\xc2\xa9",
    "Skip to content", "Hide Ad",
    "Share", "We use cookies. Accept all cookies?", "Most read",
    "By Jane Smith", "Published: 3 March 2019", "  spaced   out  ", "",
    "Page 1 of 2", "1) Preventing crime \xe2\x80\x93 Grade Good",
    "Westvale Police", "published yesterday (February 18)", "\xe2\x80\x8b",
    "Jo Bloggs", "Chief Superintendent", "PEEL 2016",
};

static const char *const attr_values[] = {
    "pillar", "question", "areas-for-improvement", "causes-of-concern",
    "none", "1", "2", "bullet", "ordered", "good", "ungraded", "written",
    "2019-02-01", "x", "40",
};

static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static void grow(dk_node *parent, int depth, unsigned *seed)
{
    int children = (int)(rnd(seed) % 5);
    for (int c = 0; c < children; c++) {
        dk_type t = (dk_type)(rnd(seed) % DK_TYPE_COUNT);
        if (t == DK_TEXT || (depth > 6 && t != DK_TEXT && rnd(seed) % 2)) {
            const char *s = pool[rnd(seed) % (sizeof pool / sizeof pool[0])];
            if (dk_type_allows_text(dk_node_type(parent)))
                dk_node_add_text(parent, s, strlen(s));
            continue;
        }
        if (!DK_TYPE_IS_ELEMENT(t) || t == DK_DOCUMENT || t == DK_META ||
            !dk_type_allows_child(dk_node_type(parent), t) || depth > 10)
            continue;
        dk_node *n = dk_node_add(parent, t);
        if (!n)
            continue;
        for (int a = 0; a < DK_ATTR_COUNT; a++)
            if (dk_type_allows_attr(t, (dk_attr)a) && rnd(seed) % 2)
                dk_node_set_attr(n, (dk_attr)a,
                                 attr_values[rnd(seed) % (sizeof attr_values /
                                                          sizeof attr_values[0])]);
        if (dk_type_allows_text(t)) {
            const char *s = pool[rnd(seed) % (sizeof pool / sizeof pool[0])];
            dk_node_add_text(n, s, strlen(s));
        }
        grow(n, depth + 1, seed);
        if (!dk_node_text_ok(n)) { /* a year or language of random words */
            dk_node_detach(n);
            dk_node_free(n);
        }
    }
}

static int to_buf(void *user, const void *data, size_t len)
{
    return dk_buf_append(user, data, len);
}

/* The tree as JSON, through the json plugin. Transfer full. */
static char *as_json(dk_registry *reg, const dk_options *o, const dk_node *doc)
{
    dk_buf b = DK_BUF_INIT;
    ck_assert_int_eq(dk_write_document(reg, o, doc, to_buf, &b), DK_E_OK);
    return b.data ? dk_buf_steal(&b) : strdup("");
}

/* Each transform, run twice on doc, gives what it gave once; what it
 * makes stays within the depth limit and reads back the same. */
static void settles(dk_registry *reg, const dk_options *o, const dk_node *doc,
                    const char *what)
{
    for (int k = 0; k < 3; k++) {
        dk_node *copy = dk_node_copy(doc);
        ck_assert_int_eq(dk_transform_document(reg, o, transforms[k], copy), DK_E_OK);
        char *once = as_json(reg, o, copy);
        ck_assert_int_eq(dk_transform_document(reg, o, transforms[k], copy), DK_E_OK);
        char *twice = as_json(reg, o, copy);
        ck_assert_msg(!strcmp(once, twice), "%s on %s: %s\nthen: %s", transforms[k], what,
                      once, twice);
        ck_assert_int_le(dk_node_depth(copy), DK_MAX_DEPTH);
        /* and what it made reads back */
        dk_node *back = NULL;
        ck_assert_int_eq(dk_read_document(reg, o, "tree.json", once, strlen(once), &back),
                         DK_E_OK);
        /* reading back adds a source where there was none */
        if (!dk_node_child(dk_document_meta(copy), DK_SOURCE)) {
            dk_node *src = dk_node_child(dk_document_meta(back), DK_SOURCE);
            dk_node_detach(src);
            dk_node_free(src);
        }
        char *again = as_json(reg, o, back);
        ck_assert_str_eq(again, once);
        free(again);
        dk_node_free(back);
        free(once);
        free(twice);
        dk_node_free(copy);
    }
}

static dk_registry *plugins(dk_options **o)
{
    const char *dirs[] = {PLUGIN_DIR, NULL};
    dk_registry *reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV |
                                        DK_REGISTRY_NO_DEFAULTS, NULL, NULL);
    ck_assert_ptr_nonnull(reg);
    /* JSON out, and back in with no transforms of its own */
    *o = dk_options_new();
    dk_options_set_to(*o, "json");
    dk_options_set_from(*o, "json");
    dk_options_set_flags(*o, DK_OPT_NO_DEFAULT_TRANSFORMS);
    return reg;
}

START_TEST(transforms_settle_on_random_trees)
{
    dk_options *o;
    dk_registry *reg = plugins(&o);
    for (unsigned i = 0; i < 600; i++) {
        unsigned seed = i * 7919u + 1;
        dk_node *doc = dk_document_new(NULL);
        grow(dk_document_meta(doc), 1, &seed);
        grow(dk_document_body(doc), 1, &seed);
        char what[32];
        snprintf(what, sizeof what, "tree %u", i);
        settles(reg, o, doc, what);
        dk_node_free(doc);
    }
    dk_options_free(o);
    dk_registry_close(reg);
}
END_TEST

/* Trees the fuzzers found a transform unsettled by (or crashing on),
 * written out: headings after other blocks of their section, a section
 * holding only a grade's label. */
START_TEST(transforms_settle_on_trees_found_by_fuzzing)
{
    static const char *const bodies[] = {
        "{\"type\":\"section\"},{\"type\":\"section\",\"children\":[{\"type\":\"section\"},"
        "{\"type\":\"section\",\"children\":[{\"type\":\"heading\"},{\"type\":\"heading\"}]}]}",
        "{\"type\":\"section\",\"children\":[{\"type\":\"p\"},{\"type\":\"p\"},"
        "{\"type\":\"heading\"}]}",
        "{\"type\":\"section\",\"children\":[{\"type\":\"heading\",\"children\":"
        "[\"How good is the force?\"]}]},{\"type\":\"section\",\"children\":"
        "[{\"type\":\"heading\",\"children\":[\"Our judgement\"]}]}",
    };
    dk_options *o;
    dk_registry *reg = plugins(&o);
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char json[1024];
        snprintf(json, sizeof json, "{\"type\":\"document\",\"children\":[{\"type\":\"meta\"},"
                 "{\"type\":\"body\",\"children\":[%s]}]}", bodies[i]);
        dk_node *doc = NULL;
        ck_assert_int_eq(dk_read_document(reg, o, "found.json", json, strlen(json), &doc),
                         DK_E_OK);
        char what[32];
        snprintf(what, sizeof what, "found tree %zu", i);
        settles(reg, o, doc, what);
        dk_node_free(doc);
    }
    dk_options_free(o);
    dk_registry_close(reg);
}
END_TEST

/* ---- clean ------------------------------------------------------------------ */

/* Mojibake is repaired only where it is provably UTF-8 read as
 * Windows-1252; correct text in any script is left alone. */
START_TEST(clean_leaves_correct_text_alone)
{
    static const char *const kept[] = {
        "3\xc3\x97\xc2\xbd cups of flour",          /* 3×½ */
        "\xc2\xab\xc3\x89T\xc3\x89\xc2\xbb",         /* «ÉTÉ» */
        "x \xc3\x8b\xc3\x8b\xc5\x93 y",              /* ËËœ */
        "\xc3\x90\xc5\xb8 alone",                     /* ÐŸ: one letter */
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "Title\n\nA paragraph: %s.\n", kept[i]);
        char *x = convert_text(text, NULL, NULL);
        ck_assert_msg(strstr(x, kept[i]), "%s became %s", kept[i], x);
        free(x);
    }
    static const struct {
        const char *in, *out;
    } fixed[] = {
        {"it\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s", "it\xe2\x80\x99s"},
        {"caf\xc3\x83\xc2\xa9", "caf\xc3\xa9"},
        /* Russian in full: several letters of one script */
        {"\xc3\x90\xc2\xbf\xc3\x91\xe2\x82\xac\xc3\x90\xc2\xb8\xc3\x90\xc2\xb2",
         "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2"},
        /* encoded twice: repaired twice, at once */
        {"caf\xc3\x83\xc6\x92\xc3\x82\xc2\xa9", "caf\xc3\xa9"},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "Title\n\nA paragraph: %s.\n", fixed[i].in);
        char *x = convert_text(text, NULL, NULL);
        ck_assert_msg(strstr(x, fixed[i].out), "%s: %s", fixed[i].in, x);
        free(x);
    }
}
END_TEST

/* clean finds what it cleans wherever it stands: two spaces, a tab, a
 * no-break space, a backtick for an apostrophe, a space at an end, at every
 * offset of a paragraph (clean reads clean text sixteen or eight bytes at a
 * time). */
START_TEST(clean_sees_every_offset)
{
    static const struct {
        const char *in, *out;
    } cases[] = {{"  ", " "}, {"\t", " "}, {" \t ", " "}, {"\xc2\xa0", " "},
                 {"`", "\xe2\x80\x99"}};
    static const char as[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static const char cs[] = " c c c c c c c c c c c c c c c c c c c c c c c c c";
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int k = 1; k < 40; k++) {
            char para[160], want[160], text[256];
            snprintf(para, sizeof para, "%.*s%sbb%.*s.", k, as, cases[c].in, 40 - k, cs);
            snprintf(want, sizeof want, "%.*s%sbb%.*s.", k, as, cases[c].out, 40 - k, cs);
            snprintf(text, sizeof text, "Title\n\n%s\n", para);
            char *x = convert_text(text, NULL, NULL);
            ck_assert_msg(strstr(x, want), "case %zu at %d: %s", c, k, x);
            free(x);
        }
    }
    /* and at the ends */
    for (int k = 1; k < 20; k++) {
        char text[256], want[64];
        snprintf(want, sizeof want, "%.*s.", k, "dddddddddddddddddddddddd");
        snprintf(text, sizeof text, "Title\n\n %s \n", want);
        char *x = convert_text(text, NULL, NULL);
        ck_assert_msg(strstr(x, want) && !strstr(x, " d"), "%d: %s", k, x);
        free(x);
    }
}
END_TEST

/* Adjacent paragraphs that differ in a content word, or in a function word
 * changed for another, are both kept; one that differs from the one before
 * only in a function word inserted or dropped goes. */
START_TEST(clean_repeats_differ_only_in_function_words)
{
    const char *a = "The force should improve the way it supervises "
                    "investigations of domestic abuse so that every victim "
                    "receives a consistent service from the first call to the "
                    "end of the case.";
    const char *b = "The force should improve the way it supervises "
                    "investigations of child abuse so that every victim "
                    "receives a consistent service from the first call to the "
                    "end of the case.";
    const char *c = "The force should improve way it supervises investigations "
                    "of domestic abuse so that every victim receives a "
                    "consistent service from the first call to the end of the "
                    "case.";
    char text[2048];
    snprintf(text, sizeof text, "Title\n\n%s\n\n%s\n", a, b);
    char *err;
    char *x = convert_text(text, NULL, &err);
    ck_assert_msg(strstr(x, "domestic abuse") && strstr(x, "child abuse"), "%s", x);
    ck_assert(!strstr(err, "repeated"));
    free(x);
    free(err);
    snprintf(text, sizeof text, "Title\n\n%s\n\n%s\n", a, c);
    x = convert_text(text, NULL, &err);
    ck_assert_msg(strstr(err, "removed a repeated paragraph"), "%s", err);
    ck_assert(!strstr(x, "improve way"));
    free(x);
    free(err);
    /* a function word changed for another changes what is said */
    const char *d = "The force should improve the way it supervises "
                    "investigations of domestic abuse so that every victim "
                    "receives a consistent service to the first call to the "
                    "end of the case.";
    snprintf(text, sizeof text, "Title\n\n%s\n\n%s\n", a, d);
    x = convert_text(text, NULL, &err);
    ck_assert_msg(strstr(x, "service from the first") && strstr(x, "service to the first"),
                  "%s", x);
    ck_assert_msg(!strstr(err, "repeated"), "%s", err);
    free(x);
    free(err);
}
END_TEST

static void assert_has(const char *xml, const char *want)
{
    ck_assert_msg(strstr(xml, want), "no %s in\n%s", want, xml);
}

/* "Last updated DATE" alone goes into meta; a line that goes on after the
 * date gives its date and stays. */
START_TEST(updated_line_keeps_what_follows_the_date)
{
    const char *page = "Westshire PEEL 2016\n\n"
                       "Last updated: 02/03/2017.\n\n"
                       "How effective is the force at keeping people safe?\n\nGood\n\n"
                       "The force keeps people safe.\n";
    char *x = convert_text(page, NULL, NULL);
    assert_has(x, "<date role=\"updated\" when=\"2017-03-02\">02/03/2017");
    ck_assert_msg(!strstr(x, "<p>Last updated"), "%s", x);
    free(x);
    const char *longer = "Westshire PEEL 2016\n\n"
                         "Last updated 02/03/2017 after the force challenged two of the "
                         "findings about custody and the inspectorate reviewed its evidence "
                         "again\n\n"
                         "How effective is the force at keeping people safe?\n\nGood\n\n"
                         "The force keeps people safe.\n";
    x = convert_text(longer, NULL, NULL);
    assert_has(x, "<date role=\"updated\" when=\"2017-03-02\">02/03/2017</date>");
    assert_has(x, "after the force challenged two of the findings about custody");
    free(x);
    /* "on" after the label, with or without a colon, is the label's */
    const char *on = "Westshire PEEL 2016\n\nPublished on: 14 May 2019\n\n"
                     "Last updated on 3 June 2019\n\nThe force keeps people safe.\n";
    x = convert_text(on, NULL, NULL);
    assert_has(x, "<date role=\"published\" when=\"2019-05-14\">14 May 2019</date>");
    assert_has(x, "<date role=\"updated\" when=\"2019-06-03\">3 June 2019</date>");
    free(x);
    /* the text writer shows the date and a byline's name, taken out of the
     * body, under the title */
    const char *article = "Force told to improve\n\nBy Jane Smith\n\n"
                          "Last updated: 02/03/2017\n\n"
                          "Westshire Police has been told to improve, inspectors said.\n";
    static const char *const to_text[] = {"-t", "text", NULL};
    x = convert_text(article, to_text, NULL);
    ck_assert_str_eq(x, "Force told to improve\n\nJane Smith\n\nLast updated 02/03/2017\n\n"
                        "Westshire Police has been told to improve, inspectors said.\n");
    free(x);
}
END_TEST

/* A saved page's menu above the title: its lines kept as lines, the
 * title found after it, the breadcrumb gone as furniture. */
START_TEST(menu_lines_above_the_title)
{
    char *x = convert_text("Skip to main content\nHMICFRS\nHome\nAbout us\nPublications\n"
                      "Contact us\n\nHome \xE2\x80\xBA PEEL \xE2\x80\xBA Westshire\n\n"
                      "Westshire PEEL 2018/19\n\n"
                      "How effective is the force at keeping people safe?\n\nGood\n\n"
                      "The force keeps people safe.\n", NULL, NULL);
    assert_has(x, "<title>Westshire PEEL 2018/19</title>");
    assert_has(x, "<p offset=\"21\">HMICFRS<br></br>Home<br></br>About us<br></br>"
                  "Publications<br></br>Contact us</p>");
    ck_assert_msg(!strstr(x, "PEEL \xE2\x80\xBA"), "%s", x);
    free(x);
    /* a cookie banner whose buttons stand on lines of their own, in the
     * same block: the banner goes whole and the title still comes */
    x = convert_text("Cookies on this site\nWe use essential cookies to make this site "
                     "work. We'd also like to set analytics cookies.\nAccept analytics "
                     "cookies\nReject analytics cookies\n\nWestshire PEEL 2017\n\n"
                     "How effective is the force at keeping people safe?\n\nGood\n", NULL,
                     NULL);
    assert_has(x, "<title>Westshire PEEL 2017</title>");
    ck_assert_msg(!strstr(x, "essential cookies"), "%s", x);
    free(x);
    /* three short lines are a cover, not a menu: the question after them
     * stays a question */
    x = convert_text("Westshire Constabulary\nPEEL 2017\nPolice effectiveness\n\n"
                "How effective is the force at keeping people safe?\n\nGood\n\n"
                "The force keeps people safe.\n", NULL, NULL);
    assert_has(x, "<section kind=\"question\" offset=\"55\"><heading level=\"1\">How effective");
    free(x);
}
END_TEST

/* Recommendations that address the cause of concern before them go into
 * it; a report's own list of recommendations after the last question
 * stays where it is. */
START_TEST(recommendations_of_a_cause_of_concern)
{
    const char *page = "Westshire PEEL 2016\n\n"
                       "How effective is the force at protecting vulnerable people?\n\n"
                       "Inadequate\n\nThe force is slow.\n\nCause of concern\n\n"
                       "The force does not attend quickly enough.\n\nRecommendations\n\n"
                       "%s\n- review how it assigns officers.\n\n";
    char text[1024];
    snprintf(text, sizeof text, page, "To address this cause of concern, the force should:");
    char *x = convert_text(text, NULL, NULL);
    assert_has(x, "<section kind=\"causes-of-concern\"");
    assert_has(x, "<heading level=\"3\">Recommendations</heading>");
    free(x);
    snprintf(text, sizeof text, page, "We make the following recommendations to all forces:");
    x = convert_text(text, NULL, NULL);
    assert_has(x, "<heading level=\"1\">Recommendations</heading>");
    free(x);
    /* the question's areas for improvement after them: still the question's */
    char more[1200];
    snprintf(more, sizeof more, "%sAreas for improvement\n\n- The force should act.\n", text);
    x = convert_text(more, NULL, NULL);
    assert_has(x, "<heading level=\"3\">Recommendations</heading>");
    free(x);
}
END_TEST

/* The force the page names most, its name whole when words join it. */
START_TEST(force_names_with_joining_words)
{
    static const struct {
        const char *text, *force;
    } cases[] = {
        {"Avon and Somerset Constabulary is good. Avon and Somerset Constabulary works "
         "with partners.", "Avon and Somerset Constabulary"},
        {"Devon & Cornwall Police is good.", "Devon &amp; Cornwall Police"},
        {"The City of London Police is good.", "City of London Police"},
        /* a joining word with no name before it is not part of the name,
         * nor are the people or papers that name the force */
        {"The force and Kent Police met. Kent Police works well.", "Kent Police"},
        {"The Chief Constable of Kent Police spoke.", "Kent Police"},
        {"The Inspection of Kent Police found that Members of Kent Police and the "
         "Commissioner and Kent Police agree.", "Kent Police"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char page[512], want[160];
        snprintf(page, sizeof page, "Westshire PEEL 2016\n\n%s\n\n"
                 "How effective is the force at keeping people safe?\n\nGood\n",
                 cases[i].text);
        char *x = convert_text(page, NULL, NULL);
        snprintf(want, sizeof want, "<force>%s</force>", cases[i].force);
        ck_assert_msg(strstr(x, want), "%s\n%s", want, x);
        free(x);
    }
}
END_TEST

/* ---- letters ------------------------------------------------------------------ */


/* Parties beyond sender and recipient, long addresses, several phones and
 * e-mail addresses: nothing is dropped. */
START_TEST(letter_parties_lose_nothing)
{
    char text[4096] = "Northshire Police\nPolice Headquarters\n";
    for (int i = 1; i <= 14; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "Address line %d\n", i);
    strcat(text, "NS1 1AA\nTel: 01632 960000\nTel: 01632 960001\n"
                 "Email: one@example.org\nEmail: two@example.org\n\n"
                 "Jo Bloggs\nChief Constable\n\n"
                 "Sam Jones\nPolice and Crime Commissioner\n\n"
                 "Mr A. Smith\nHome Office\n2 Marsham Street\nLondon SW1P 4DF\n\n"
                 "1 May 2020\n\nDear Mr Smith,\n\nThank you for your letter.\n\n"
                 "Yours sincerely\n\nJo Bloggs\n");
    char *x = convert_text(text, NULL, NULL);
    for (int i = 1; i <= 14; i++) {
        char line[64];
        snprintf(line, sizeof line, "<line>Address line %d</line>", i);
        assert_has(x, line);
    }
    assert_has(x, "<line>NS1 1AA</line>");
    assert_has(x, "<phone>01632 960000</phone><phone>01632 960001</phone>");
    assert_has(x, "<email>one@example.org</email><email>two@example.org</email>");
    assert_has(x, "<name>Jo Bloggs</name>");
    assert_has(x, "<name>Sam Jones</name><role>Police and Crime Commissioner</role>");
    assert_has(x, "<recipient><name>Mr A. Smith</name>");
    free(x);
}
END_TEST

/* Lines run together, labels, references and a date under the signature. */
START_TEST(letter_front_matter_line_by_line)
{
    char *x = convert_text(
        "NORTHSHIRE POLICE\nGround Floor, Aire House\nLeeds LS1 2AB\n"
        "Direct line: 0113 496 0001\nFax: 0113 496 0002\n"
        "The Chief Constable\nWestvale Constabulary\nHQ Road\nWestvale WV1 1AA\n\n"
        "Date: 1 February 2019\nOur ref: AB/12\nYour ref: CD/34\n\n"
        "Dear Chief Constable,\n\nThank you for your letter.\n\n"
        "Yours faithfully\n\nJo Bloggs\nHead of Standards\n\n"
        "cc: Chief Executive\n    Panel Secretary\n\nEnclosures:\n"
        "1. Action plan\n2. Report\n", NULL, NULL);
    assert_has(x, "<org>NORTHSHIRE POLICE</org>");
    assert_has(x, "<line>Ground Floor, Aire House</line>");
    assert_has(x, "<phone>0113 496 0001</phone>");
    assert_has(x, "Fax: 0113 496 0002");
    assert_has(x, "<recipient><role>The Chief Constable</role><org>Westvale Constabulary</org>");
    assert_has(x, "<date role=\"written\" when=\"2019-02-01\">1 February 2019</date>");
    assert_has(x, "<reference>Our ref: AB/12</reference><reference>Your ref: CD/34</reference>");
    assert_has(x, "<cc>Chief Executive</cc><cc>Panel Secretary</cc>");
    assert_has(x, "<enclosure>1. Action plan</enclosure><enclosure>2. Report</enclosure>");
    ck_assert_msg(strstr(x, "</letter></body>"), "text after the letter:\n%s", x);
    free(x);
    /* the only date under the signature */
    x = convert_text("Dear Jo,\n\nThanks for the report.\n\nKind regards\n\nSam\n\n"
                "3 March 2020\n", NULL, NULL);
    assert_has(x, "<letter><date role=\"written\" when=\"2020-03-03\">3 March 2020</date>");
    free(x);
    /* a sender block whose first line, the organisation, is long */
    x = convert_text("Office of the Police and Crime Commissioner for Westvale and Harbury\n"
                "No. 1 Mill Yard\nHarbury\nHB1 2CD\nTel: 01632 960000\n\n"
                "14 October 2019\n\nDear Sir,\n\nThank you for the report.\n\n"
                "Yours faithfully\n\nSam Jones\n", NULL, NULL);
    assert_has(x, "<sender><org>Office of the Police and Crime Commissioner for Westvale and "
                  "Harbury</org><address><line>No. 1 Mill Yard</line><line>Harbury</line>"
                  "<line>HB1 2CD</line></address><phone>01632 960000</phone></sender>");
    free(x);
    /* an organisation's name wrapped onto a line that starts with "and" */
    x = convert_text("Her Majesty's Inspectorate of Constabulary\nand Fire & Rescue Services\n"
                "1 Mill Yard\nHarbury HB1 2CD\n\n3 March 2020\n\nDear Sam,\n\n"
                "Thanks.\n\nYours sincerely\n\nJo Bloggs\n", NULL, NULL);
    assert_has(x, "<org>Her Majesty's Inspectorate of Constabulary and Fire &amp; Rescue "
                  "Services</org><address><line>1 Mill Yard</line>");
    free(x);
    /* a surname that is also an organisation word, after an honorific */
    x = convert_text("Mr S. Branch\nHead of Standards\nWestvale Constabulary\nHQ Road\n"
                "Westvale WV1 1AA\n\n3 March 2020\n\nDear Mr Branch,\n\n"
                "Thank you.\n\nYours sincerely\n\nSam Jones\n", NULL, NULL);
    assert_has(x, "<name>Mr S. Branch</name>");
    free(x);
    /* a label standing alone on its line over the copy list */
    x = convert_text("Dear Jo,\n\nThanks for the report.\n\nYours sincerely\n\nSam Jones\n"
                "Police and Crime Commissioner\n\nCopy to:\nChief Constable A. Moss\n"
                "Chair, Police and Crime Panel\n", NULL, NULL);
    assert_has(x, "<role>Police and Crime Commissioner</role></signature>"
                  "<cc>Chief Constable A. Moss</cc><cc>Chair, Police and Crime Panel</cc>");
    free(x);
}
END_TEST

/* The letter transform keeps what the inspection transform found. */
START_TEST(letter_keeps_what_it_does_not_understand)
{
    const char *text = "Dear Chief Constable,\n\nThank you.\n\n"
                       "How effective is the force at investigating crime?\n\n"
                       "Good\n\nThe force investigates crime well.\n\n"
                       "Yours sincerely\n\nJo Bloggs\n";
    char *x = convert_text(text, (const char *const[]){"--no-transforms", "-T", "inspection",
                                                   "-T", "letter", NULL}, NULL);
    assert_has(x, "<section kind=\"question\"");
    assert_has(x, "<grade value=\"good\">Good</grade>");
    ck_assert_msg(!strstr(x, "<subject>"), "%s", x);
    free(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transforms");
    TCase *tc = tcase_create("transforms");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, text_reader_keeps_every_word);
    tcase_add_test(tc, xml_and_json_readers_keep_every_word);
    tcase_add_test(tc, transforms_settle_on_fixtures);
    tcase_add_test(tc, transforms_settle_on_random_trees);
    tcase_add_test(tc, transforms_settle_on_trees_found_by_fuzzing);
    tcase_add_test(tc, clean_leaves_correct_text_alone);
    tcase_add_test(tc, clean_sees_every_offset);
    tcase_add_test(tc, clean_repeats_differ_only_in_function_words);
    tcase_add_test(tc, updated_line_keeps_what_follows_the_date);
    tcase_add_test(tc, menu_lines_above_the_title);
    tcase_add_test(tc, recommendations_of_a_cause_of_concern);
    tcase_add_test(tc, force_names_with_joining_words);
    tcase_add_test(tc, letter_parties_lose_nothing);
    tcase_add_test(tc, letter_front_matter_line_by_line);
    tcase_add_test(tc, letter_keeps_what_it_does_not_understand);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
