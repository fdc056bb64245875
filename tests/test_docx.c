/*
 * The DOCX writer: the package (zip, parts, content types, relationships),
 * the parts compared with expected ones under fixtures/docx/ (formatted,
 * part by part, as pandoc's tests do), nothing of the tree lost, pandoc
 * reading each document back with the same headings, lists and
 * paragraphs as docket's own JSON, LibreOffice converting each to PDF
 * (optional), byte-identical output, the terminal refused, reference
 * documents. Tests that need unzip, pandoc, python3 or LibreOffice say so
 * and are skipped when the program is missing.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <docket/docket.h>
#include <fcntl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

/* The documents every package test runs on. */
static const char *const inputs[] = {
    "seeds/hmic-letter-2014-core-business.txt",
    "seeds/news-article-2015-requires-improvement.txt",
    "seeds/pcc-letter-2018-peel-effectiveness.txt",
    "seeds/peel-2014-west-midlands-page.txt",
    "seeds/peel-2016-warwickshire-page.txt",
    "structure/cp1252-force-page.txt",
    "structure/crlf-letter.txt",
    "structure/force-page-2017-northshire.txt",
    "structure/letter-recipient-first.txt",
    "structure/letter-right-aligned-sender.txt",
    "structure/press-article-2016.txt",
    "xml/all-elements.xml",
    "docx/lists.json",
};
#define N_INPUTS (sizeof inputs / sizeof inputs[0])

/* The parts of a package, in the order docket writes them. */
static const char *const parts[] = {
    "[Content_Types].xml",  "_rels/.rels",
    "word/document.xml",    "word/styles.xml",
    "word/numbering.xml",   "word/_rels/document.xml.rels",
    "docProps/core.xml",    "docProps/app.xml",
};
#define N_PARTS (sizeof parts / sizeof parts[0])

/* ---- helpers ---------------------------------------------------------------- */

/* The full path of a program on $PATH (transfer full), or NULL. */
static char *which(const char *prog)
{
    const char *path = getenv("PATH");
    char *copy = strdup(path ? path : "/usr/bin:/bin");
    char *found = NULL;
    for (char *dir = strtok(copy, ":"); dir && !found; dir = strtok(NULL, ":")) {
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, prog) < 0)
            break;
        if (access(p, X_OK) == 0)
            found = p;
        else
            free(p);
    }
    free(copy);
    return found;
}

/* Is prog there? If not, say which test is skipped. */
static bool have(const char *prog, const char *test)
{
    char *p = which(prog);
    if (!p)
        fprintf(stderr, "%s not installed: skipping %s\n", prog, test);
    free(p);
    return p != NULL;
}

/* Convert FIXTURES/input to dir/NAME.docx with extra arguments; returns the
 * path (transfer full). The conversion must succeed. */
static char *docx_of(const char *dir, const char *input, const char *extra1,
                     const char *extra2)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    char *in = NULL, *out = NULL;
    ck_assert(asprintf(&in, "%s/%s", FIXTURES, input) > 0);
    ck_assert(asprintf(&out, "%s/%.*s.docx", dir,
                       (int)(strrchr(base, '.') - base), base) > 0);
    run_result r = extra2 ? DOCKET(NULL, extra1, extra2, "-o", out, in)
                 : extra1 ? DOCKET(NULL, extra1, "-o", out, in)
                          : DOCKET(NULL, "-o", out, in);
    ck_assert_msg(r.status == 0, "%s: %s", input, r.err);
    run_free(&r);
    free(in);
    return out;
}

/* One part of a package (transfer full), or NULL if it has none. */
static char *part(const char *docx, const char *name, size_t *len)
{
    char *unzip = which("unzip");
    ck_assert_msg(unzip != NULL, "unzip is needed");
    /* [ is a wildcard for unzip: [[] is a literal one */
    char pattern[256];
    snprintf(pattern, sizeof pattern, "%s%s", name[0] == '[' ? "[[]" : "",
             name[0] == '[' ? name + 1 : name);
    const char *argv[] = {unzip, "-p", docx, pattern, NULL};
    run_result r = run(argv, NULL, NULL);
    free(unzip);
    char *data = NULL;
    if (r.status == 0 && r.out_len > 0) {
        data = r.out;
        r.out = NULL;
        if (len)
            *len = r.out_len;
    }
    run_free(&r);
    return data;
}

static xmlDocPtr parse(const char *data, size_t len, int options)
{
    return xmlReadMemory(data, (int)len, NULL, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR |
                             XML_PARSE_NOWARNING | options);
}

/* A part indented for people, as the expected parts are. Transfer full. */
static char *formatted(const char *docx, const char *name, size_t *len)
{
    size_t n;
    char *raw = part(docx, name, &n);
    ck_assert_msg(raw != NULL, "%s has no %s", docx, name);
    xmlDocPtr doc = parse(raw, n, XML_PARSE_NOBLANKS);
    ck_assert_msg(doc != NULL, "%s: %s is not well-formed", docx, name);
    xmlChar *mem = NULL;
    int size = 0;
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    char *r = strndup((const char *)mem, (size_t)size);
    *len = (size_t)size;
    xmlFree(mem);
    xmlFreeDoc(doc);
    free(raw);
    return r;
}

/* The number of nodes an XPath expression selects in a part (prefixes w,
 * r, rel, ct, cp, dc, dcterms). */
static int count(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr xp = xmlXPathNewContext(doc);
    static const char *const ns[][2] = {
        {"w", W_NS},
        {"r", "http://schemas.openxmlformats.org/officeDocument/2006/"
              "relationships"},
        {"rel", "http://schemas.openxmlformats.org/package/2006/relationships"},
        {"ct", "http://schemas.openxmlformats.org/package/2006/content-types"},
        {"cp", "http://schemas.openxmlformats.org/package/2006/metadata/"
               "core-properties"},
        {"dc", "http://purl.org/dc/elements/1.1/"},
        {"dcterms", "http://purl.org/dc/terms/"},
        {"ep", "http://schemas.openxmlformats.org/officeDocument/2006/"
               "extended-properties"},
    };
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        xmlXPathRegisterNs(xp, (const xmlChar *)ns[i][0],
                           (const xmlChar *)ns[i][1]);
    xmlXPathObjectPtr v = xmlXPathEvalExpression((const xmlChar *)expr, xp);
    ck_assert_msg(v != NULL, "bad XPath %s", expr);
    int n = v->type == XPATH_NODESET && v->nodesetval ? v->nodesetval->nodeNr
          : v->type == XPATH_BOOLEAN                   ? v->boolval
          : v->type == XPATH_NUMBER                    ? (int)v->floatval
                                                       : -1;
    xmlXPathFreeObject(v);
    xmlXPathFreeContext(xp);
    return n;
}

/* A part parsed (must be there and well-formed). */
static xmlDocPtr part_doc(const char *docx, const char *name)
{
    size_t n;
    char *raw = part(docx, name, &n);
    ck_assert_msg(raw != NULL, "%s has no %s", docx, name);
    xmlDocPtr doc = parse(raw, n, 0);
    ck_assert_msg(doc != NULL, "%s: %s is not well-formed XML", docx, name);
    free(raw);
    return doc;
}

#define ASSERT_COUNT(doc, expr, n)                                             \
    do {                                                                       \
        int got_ = count(doc, expr);                                           \
        ck_assert_msg(got_ == (n), "%s: %d, expected %d", expr, got_, (int)(n)); \
    } while (0)

/* The names in the zip, in order, one a line. */
static char *entries(const char *docx)
{
    char *unzip = which("unzip");
    const char *argv[] = {unzip, "-Z1", docx, NULL};
    run_result r = run(argv, NULL, NULL);
    free(unzip);
    ck_assert_msg(r.status == 0, "unzip -Z1 %s: %s", docx, r.err);
    char *s = r.out;
    r.out = NULL;
    run_free(&r);
    return s;
}

/* All text of an XML document, a space between elements. */
static void all_text(xmlNodePtr n, dk_buf *out)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
            dk_buf_puts(out, (const char *)n->content);
        else if (n->type == XML_ELEMENT_NODE) {
            dk_buf_putc(out, ' ');
            all_text(n->children, out);
        }
    }
}

/* The words of the tree, from docket's XML of input. */
static char **tree_words(const char *input, size_t *n)
{
    run_result r = DOCKET(NULL, "-t", "xml", input);
    ck_assert_msg(r.status == 0, "%s: %s", input, r.err);
    xmlDocPtr doc = parse(r.out, r.out_len, 0);
    ck_assert_ptr_nonnull(doc);
    dk_buf text = DK_BUF_INIT;
    all_text(xmlDocGetRootElement(doc), &text);
    char **words = calloc(text.len / 2 + 2, sizeof *words);
    *n = 0;
    for (char *w = strtok(text.data, " \t\n\r"); w; w = strtok(NULL, " \t\n\r"))
        words[(*n)++] = strdup(w);
    dk_buf_free(&text);
    xmlFreeDoc(doc);
    run_free(&r);
    return words;
}

static void free_words(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(w[i]);
    free(w);
}

/* The text a reader of the package sees: paragraphs of document.xml (runs
 * joined, a space between paragraphs, breaks and tabs as spaces) and the
 * properties. */
static char *package_text(const char *docx)
{
    dk_buf b = DK_BUF_INIT;
    static const char *const names[] = {"word/document.xml",
                                        "docProps/core.xml", "docProps/app.xml"};
    for (size_t k = 0; k < 3; k++) {
        xmlDocPtr doc = part_doc(docx, names[k]);
        if (k > 0) {
            all_text(xmlDocGetRootElement(doc), &b);
            xmlFreeDoc(doc);
            continue;
        }
        xmlXPathContextPtr xp = xmlXPathNewContext(doc);
        xmlXPathRegisterNs(xp, (const xmlChar *)"w", (const xmlChar *)W_NS);
        xmlXPathObjectPtr v = xmlXPathEvalExpression(
            (const xmlChar *)"//w:p | //w:t | //w:br | //w:tab", xp);
        for (int i = 0; v->nodesetval && i < v->nodesetval->nodeNr; i++) {
            xmlNodePtr n = v->nodesetval->nodeTab[i];
            if (xmlStrEqual(n->name, (const xmlChar *)"t")) {
                xmlChar *c = xmlNodeGetContent(n);
                dk_buf_puts(&b, (const char *)c);
                xmlFree(c);
            } else {
                dk_buf_putc(&b, ' ');
            }
        }
        xmlXPathFreeObject(v);
        xmlXPathFreeContext(xp);
        xmlFreeDoc(doc);
    }
    return b.data;
}

/* The first line where two line lists differ, for messages. */
static void assert_same_lines(const char *what, const char *input,
                              const char *docket, const char *other)
{
    if (strcmp(docket, other) == 0)
        return;
    const char *a = docket, *b = other;
    int line = 1;
    while (*a && *a == *b) {
        if (*a == '\n')
            line++;
        a++, b++;
    }
    while (a > docket && a[-1] != '\n')
        a--, b--;
    ck_abort_msg("%s: %s differ at line %d:\n  docket: %.200s\n  pandoc: %.200s",
                 input, what, line, a, b);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- the package ------------------------------------------------------------ */

START_TEST(packages_are_whole)
{
    if (!have("unzip", "the package checks"))
        return;
    char *dir = temp_dir();
    for (size_t i = 0; i < N_INPUTS; i++) {
        char *docx = docx_of(dir, inputs[i], NULL, NULL);
        char *unzip = which("unzip");
        const char *argv[] = {unzip, "-t", docx, NULL};
        run_result r = run(argv, NULL, NULL);
        ck_assert_msg(r.status == 0 && strstr(r.out, "No errors detected"),
                      "unzip -t %s: %s", docx, r.out);
        run_free(&r);
        free(unzip);

        /* exactly the parts, in order */
        dk_buf want = DK_BUF_INIT;
        for (size_t k = 0; k < N_PARTS; k++)
            dk_buf_printf(&want, "%s\n", parts[k]);
        char *got = entries(docx);
        ck_assert_str_eq(got, want.data);
        free(got);
        dk_buf_free(&want);

        /* every part well-formed */
        xmlDocPtr p[N_PARTS];
        for (size_t k = 0; k < N_PARTS; k++)
            p[k] = part_doc(docx, parts[k]);
        xmlDocPtr types = p[0], rels = p[1], doc = p[2], styles = p[3],
                  numbering = p[4], doc_rels = p[5];

        /* content types cover every part, and name only parts there are */
        for (size_t k = 1; k < N_PARTS; k++) {
            char expr[512];
            const char *ext = strrchr(parts[k], '.') + 1;
            snprintf(expr, sizeof expr,
                     "/ct:Types/ct:Override[@PartName='/%s'] | "
                     "/ct:Types/ct:Default[@Extension='%s']", parts[k], ext);
            ck_assert_msg(count(types, expr) >= 1, "%s: no content type for %s",
                          inputs[i], parts[k]);
        }
        ASSERT_COUNT(types, "/ct:Types/ct:Override", 5);
        ASSERT_COUNT(types, "/ct:Types/ct:Override[@PartName='/word/document.xml'"
                     " and @ContentType='application/vnd.openxmlformats-"
                     "officedocument.wordprocessingml.document.main+xml']", 1);

        /* relationships resolve: internal ones to parts there are,
         * external ones say so, every r:id of the document is one */
        ASSERT_COUNT(rels, "/rel:Relationships/rel:Relationship", 3);
        ASSERT_COUNT(rels, "//rel:Relationship[@Target='word/document.xml' and "
                     "@Type='http://schemas.openxmlformats.org/officeDocument/"
                     "2006/relationships/officeDocument']", 1);
        ASSERT_COUNT(rels, "//rel:Relationship[@Target='docProps/core.xml']", 1);
        ASSERT_COUNT(rels, "//rel:Relationship[@Target='docProps/app.xml']", 1);
        ASSERT_COUNT(doc_rels, "//rel:Relationship[@Target='styles.xml' and "
                     "substring-after(@Type, 'relationships/')='styles']", 1);
        ASSERT_COUNT(doc_rels, "//rel:Relationship[@Target='numbering.xml' and "
                     "substring-after(@Type, 'relationships/')='numbering']", 1);
        ASSERT_COUNT(doc_rels, "//rel:Relationship[@TargetMode='External' and "
                     "substring-after(@Type, 'relationships/')!='hyperlink']", 0);
        ASSERT_COUNT(doc_rels, "//rel:Relationship[not(@TargetMode) and "
                     "@Target!='styles.xml' and @Target!='numbering.xml']", 0);
        int links = count(doc, "//w:hyperlink[@r:id]");
        ASSERT_COUNT(doc_rels, "//rel:Relationship[@TargetMode='External']", links);
        xmlXPathContextPtr xp = xmlXPathNewContext(doc);
        xmlXPathRegisterNs(xp, (const xmlChar *)"r", (const xmlChar *)
                           "http://schemas.openxmlformats.org/officeDocument/"
                           "2006/relationships");
        xmlXPathObjectPtr ids = xmlXPathEvalExpression(
            (const xmlChar *)"//@r:id", xp);
        for (int k = 0; ids->nodesetval && k < ids->nodesetval->nodeNr; k++) {
            xmlChar *id = xmlNodeGetContent(ids->nodesetval->nodeTab[k]);
            char expr[256];
            snprintf(expr, sizeof expr, "//rel:Relationship[@Id='%s']", id);
            ck_assert_msg(count(doc_rels, expr) == 1, "%s: r:id %s unresolved",
                          inputs[i], id);
            xmlFree(id);
        }
        xmlXPathFreeObject(ids);
        xmlXPathFreeContext(xp);

        /* every style and list the document names is defined */
        xmlXPathContextPtr sx = xmlXPathNewContext(doc);
        xmlXPathRegisterNs(sx, (const xmlChar *)"w", (const xmlChar *)W_NS);
        xmlXPathObjectPtr used = xmlXPathEvalExpression(
            (const xmlChar *)"//w:pStyle/@w:val | //w:rStyle/@w:val | "
                             "//w:tblStyle/@w:val", sx);
        for (int k = 0; used->nodesetval && k < used->nodesetval->nodeNr; k++) {
            xmlChar *id = xmlNodeGetContent(used->nodesetval->nodeTab[k]);
            char expr[256];
            snprintf(expr, sizeof expr, "/w:styles/w:style[@w:styleId='%s']", id);
            ck_assert_msg(count(styles, expr) == 1, "%s: style %s undefined",
                          inputs[i], id);
            xmlFree(id);
        }
        xmlXPathFreeObject(used);
        xmlXPathObjectPtr nums = xmlXPathEvalExpression(
            (const xmlChar *)"//w:numId[@w:val!='0']/@w:val", sx);
        for (int k = 0; nums->nodesetval && k < nums->nodesetval->nodeNr; k++) {
            xmlChar *id = xmlNodeGetContent(nums->nodesetval->nodeTab[k]);
            char expr[256];
            snprintf(expr, sizeof expr, "/w:numbering/w:abstractNum[@w:abstractNumId"
                     "=/w:numbering/w:num[@w:numId='%s']/w:abstractNumId/@w:val]"
                     "/w:lvl", id);
            ck_assert_msg(count(numbering, expr) == 9, "%s: list %s undefined",
                          inputs[i], id);
            xmlFree(id);
        }
        xmlXPathFreeObject(nums);
        xmlXPathFreeContext(sx);
        /* a cell ends with a paragraph */
        ASSERT_COUNT(doc, "//w:tc[not(*[last()][self::w:p])]", 0);

        for (size_t k = 0; k < N_PARTS; k++)
            xmlFreeDoc(p[k]);
        free(docx);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Every word of the tree is in the package: meta, letter parts, grades,
 * cells, all of it. */
START_TEST(nothing_is_lost)
{
    if (!have("unzip", "the word check"))
        return;
    char *dir = temp_dir();
    for (size_t i = 0; i < N_INPUTS; i++) {
        char *docx = docx_of(dir, inputs[i], NULL, NULL);
        char *in = NULL;
        ck_assert(asprintf(&in, "%s/%s", FIXTURES, inputs[i]) > 0);
        size_t n;
        char **words = tree_words(in, &n);
        char *text = package_text(docx);
        ck_assert_uint_gt(n, 5);
        for (size_t k = 0; k < n; k++)
            ck_assert_msg(strstr(text, words[k]), "%s: '%s' is missing",
                          inputs[i], words[k]);
        free(text);
        free_words(words, n);
        free(in);
        free(docx);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Expected parts, read and checked by hand: every element of the
 * vocabulary, a letter, a page with nested lists. */
START_TEST(parts_match_the_expected_ones)
{
    if (!have("unzip", "the expected parts"))
        return;
    static const struct {
        const char *input, *part, *expected;
    } cases[] = {
        {"xml/all-elements.xml", "word/document.xml", "all-elements.document.xml"},
        {"xml/all-elements.xml", "word/numbering.xml", "all-elements.numbering.xml"},
        {"xml/all-elements.xml", "word/styles.xml", "styles.xml"},
        {"xml/all-elements.xml", "[Content_Types].xml", "content-types.xml"},
        {"xml/all-elements.xml", "_rels/.rels", "rels.xml"},
        {"xml/all-elements.xml", "word/_rels/document.xml.rels",
         "all-elements.document.xml.rels"},
        {"xml/all-elements.xml", "docProps/core.xml", "all-elements.core.xml"},
        {"xml/all-elements.xml", "docProps/app.xml", "all-elements.app.xml"},
        {"seeds/pcc-letter-2018-peel-effectiveness.txt", "word/document.xml",
         "pcc-letter-2018-peel-effectiveness.document.xml"},
        {"seeds/peel-2016-warwickshire-page.txt", "word/document.xml",
         "peel-2016-warwickshire-page.document.xml"},
        {"seeds/peel-2016-warwickshire-page.txt", "docProps/core.xml",
         "peel-2016-warwickshire-page.core.xml"},
        {"docx/lists.json", "word/document.xml", "lists.document.xml"},
        {"docx/lists.json", "word/numbering.xml", "lists.numbering.xml"},
    };
    char *dir = temp_dir();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *docx = docx_of(dir, cases[i].input, NULL, NULL);
        size_t len;
        char *got = formatted(docx, cases[i].part, &len);
        char path[1024];
        snprintf(path, sizeof path, "%s/docx/%s", FIXTURES, cases[i].expected);
        assert_matches_file(got, len, path);
        free(got);
        free(docx);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The same tree gives the same bytes: twice, in another time zone, and
 * the zip entries dated from the document, not the clock. */
START_TEST(same_input_same_bytes)
{
    char *dir = temp_dir();
    char *in = FIXTURES "/seeds/pcc-letter-2018-peel-effectiveness.txt";
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "DOCKET_PLUGIN_PATH= %1$s -o %2$s/a.docx %3$s && "
             "DOCKET_PLUGIN_PATH= TZ=Pacific/Kiritimati %1$s -o %2$s/b.docx %3$s "
             "&& cmp %2$s/a.docx %2$s/b.docx", DOCKET_BIN, dir, in);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    run_free(&r);
    if (have("unzip", "the entry times")) {
        snprintf(cmd, sizeof cmd, "%s/a.docx", dir);
        char *unzip = which("unzip");
        const char *argv[] = {unzip, "-Z", "-T", cmd, NULL};
        r = run(argv, NULL, NULL);
        /* 16th April 2018, the letter's date, on every one of 8 entries */
        int n = 0;
        for (const char *p = r.out; (p = strstr(p, " 20180416.000000 ")); p++)
            n++;
        ck_assert_msg(n == 8, "%s", r.out);
        run_free(&r);
        xmlDocPtr core = part_doc(cmd, "docProps/core.xml");
        ASSERT_COUNT(core, "//dcterms:created[.='2018-04-16T00:00:00Z']", 1);
        ASSERT_COUNT(core, "//dcterms:modified[.='2018-04-16T00:00:00Z']", 1);
        xmlFreeDoc(core);
        /* a document without dates: no dates in core.xml, 1980 in the zip */
        ck_assert(snprintf(cmd, sizeof cmd, "%s/basic.docx", dir) > 0);
        run_result c = DOCKET(NULL, "-o", cmd, FIXTURES "/text/basic.txt");
        ck_assert_int_eq(c.status, 0);
        run_free(&c);
        const char *argv2[] = {unzip, "-Z", "-T", cmd, NULL};
        r = run(argv2, NULL, NULL);
        n = 0;
        for (const char *p = r.out; (p = strstr(p, " 19800101.000000 ")); p++)
            n++;
        ck_assert_msg(n == 8, "%s", r.out);
        run_free(&r);
        core = part_doc(cmd, "docProps/core.xml");
        ASSERT_COUNT(core, "//dcterms:created | //dcterms:modified", 0);
        xmlFreeDoc(core);
        free(unzip);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- pandoc reads it back ----------------------------------------------- */

/* Collapse runs of white space, trim the ends. */
static void squeeze(dk_buf *b, const char *s)
{
    bool space = false;
    size_t start = b->len;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
            space = true;
            continue;
        }
        if (space && b->len > start)
            dk_buf_putc(b, ' ');
        space = false;
        dk_buf_putc(b, *s);
    }
}

/* What both sides are compared on, one item a line. */
typedef struct summary {
    dk_buf headings, paragraphs, items, lists;
} summary;

static void summary_free(summary *s)
{
    dk_buf_free(&s->headings);
    dk_buf_free(&s->paragraphs);
    dk_buf_free(&s->items);
    dk_buf_free(&s->lists);
}

static void line(dk_buf *b, const char *text)
{
    dk_buf t = DK_BUF_INIT;
    squeeze(&t, text);
    if (t.len) {
        dk_buf_append(b, t.data, t.len);
        dk_buf_putc(b, '\n');
    }
    dk_buf_free(&t);
}

/* pandoc's inlines as text. */
static void pandoc_text(json_t *inlines, dk_buf *b)
{
    size_t i;
    json_t *in;
    json_array_foreach(inlines, i, in) {
        const char *t = json_string_value(json_object_get(in, "t"));
        json_t *c = json_object_get(in, "c");
        if (!t)
            continue;
        if (!strcmp(t, "Str"))
            dk_buf_puts(b, json_string_value(c));
        else if (!strcmp(t, "Space") || !strcmp(t, "SoftBreak") ||
                 !strcmp(t, "LineBreak"))
            dk_buf_putc(b, ' ');
        else if (!strcmp(t, "Code"))
            dk_buf_puts(b, json_string_value(json_array_get(c, 1)));
        else if (!strcmp(t, "Link") || !strcmp(t, "Span"))
            pandoc_text(json_array_get(c, 1), b);
        else if (json_is_array(c))
            pandoc_text(c, b); /* Emph, Strong, ... */
    }
}

static void pandoc_line(dk_buf *b, json_t *inlines, const char *prefix)
{
    dk_buf t = DK_BUF_INIT;
    dk_buf_puts(&t, prefix);
    pandoc_text(inlines, &t);
    line(b, t.data);
    dk_buf_free(&t);
}

/* The text of an item's first paragraph, "" if it starts otherwise. */
static void pandoc_item(summary *s, json_t *blocks, const char *type)
{
    json_t *first = json_array_get(blocks, 0);
    const char *t = json_string_value(json_object_get(first, "t"));
    dk_buf b = DK_BUF_INIT;
    dk_buf_printf(&b, "%s ", type);
    if (t && (!strcmp(t, "Para") || !strcmp(t, "Plain")))
        pandoc_text(json_object_get(first, "c"), &b);
    line(&s->items, b.data);
    dk_buf_free(&b);
}

static void pandoc_walk(summary *s, json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) pandoc_walk(s, x);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *t = json_string_value(json_object_get(v, "t"));
    json_t *c = json_object_get(v, "c");
    if (t && (!strcmp(t, "Para") || !strcmp(t, "Plain"))) {
        pandoc_line(&s->paragraphs, c, "");
        return;
    }
    if (t && !strcmp(t, "CodeBlock")) {
        line(&s->paragraphs, json_string_value(json_array_get(c, 1)));
        return;
    }
    if (t && !strcmp(t, "Header")) {
        char level[16];
        snprintf(level, sizeof level, "%d ",
                 (int)json_integer_value(json_array_get(c, 0)));
        pandoc_line(&s->headings, json_array_get(c, 2), level);
        return;
    }
    if (t && (!strcmp(t, "BulletList") || !strcmp(t, "OrderedList"))) {
        bool ordered = t[0] == 'O';
        json_t *items = ordered ? json_array_get(c, 1) : c;
        if (ordered)
            dk_buf_printf(&s->lists, "ordered %d\n", (int)json_integer_value(
                              json_array_get(json_array_get(c, 0), 0)));
        else
            dk_buf_puts(&s->lists, "bullet\n");
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item) {
            pandoc_item(s, item, ordered ? "ordered" : "bullet");
            pandoc_walk(s, item);
        }
        return;
    }
    const char *key;
    json_t *x;
    json_object_foreach(v, key, x) pandoc_walk(s, x);
}

/* The tree's text of a JSON node (br as a space). */
static void docket_text(json_t *n, dk_buf *b)
{
    if (json_is_string(n)) {
        dk_buf_puts(b, json_string_value(n));
        return;
    }
    const char *type = json_string_value(json_object_get(n, "type"));
    if (type && !strcmp(type, "br"))
        dk_buf_putc(b, ' ');
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(n, "children"), i, c) docket_text(c, b);
}

static void docket_line(dk_buf *out, json_t *n, const char *prefix)
{
    dk_buf b = DK_BUF_INIT;
    dk_buf_puts(&b, prefix);
    docket_text(n, &b);
    line(out, b.data);
    dk_buf_free(&b);
}

static const char *attr(json_t *n, const char *name)
{
    return json_string_value(json_object_get(json_object_get(n, "attributes"),
                                              name));
}

static bool is(json_t *n, const char *type)
{
    const char *t = json_string_value(json_object_get(n, "type"));
    return t && !strcmp(t, type);
}

/* What pandoc should find, by the writer's rules: each block or letter
 * part a paragraph (address and party lines one each), cc and enclosures
 * labelled, a letter in letter order. */
static void docket_walk(summary *s, json_t *n, int depth)
{
    static const char *const paragraphs[] = {
        "p", "grade", "line", "name", "role", "org", "phone", "email", "date",
        "reference", "subject", "salutation", "closing", "pre"};
    static const char *const letter[] = {
        "sender", "date", "recipient", "reference", "subject", "salutation",
        "body", "closing", "signature", "cc", "enclosure"};
    if (!json_is_object(n))
        return;
    json_t *children = json_object_get(n, "children");
    size_t i;
    json_t *c;
    for (size_t k = 0; k < sizeof paragraphs / sizeof paragraphs[0]; k++)
        if (is(n, paragraphs[k])) {
            docket_line(&s->paragraphs, n, "");
            return;
        }
    if (is(n, "cc") || is(n, "enclosure")) {
        docket_line(&s->paragraphs, n, is(n, "cc") ? "cc: " : "Enclosure: ");
        return;
    }
    if (is(n, "heading")) {
        const char *l = attr(n, "level");
        char level[16];
        snprintf(level, sizeof level, "%d ", l ? atoi(l) : depth ? depth : 1);
        docket_line(&s->headings, n, level);
        return;
    }
    if (is(n, "list")) {
        const char *type = attr(n, "type");
        bool ordered = type && !strcmp(type, "ordered");
        const char *start = attr(n, "start");
        if (ordered)
            dk_buf_printf(&s->lists, "ordered %d\n", start ? atoi(start) : 1);
        else
            dk_buf_puts(&s->lists, "bullet\n");
        json_array_foreach(children, i, c) {
            json_t *first = json_array_get(json_object_get(c, "children"), 0);
            dk_buf b = DK_BUF_INIT;
            dk_buf_printf(&b, "%s ", ordered ? "ordered" : "bullet");
            if (is(first, "p"))
                docket_text(first, &b);
            line(&s->items, b.data);
            dk_buf_free(&b);
            docket_walk(s, c, depth);
        }
        return;
    }
    if (is(n, "letter")) {
        for (size_t k = 0; k < sizeof letter / sizeof letter[0]; k++)
            json_array_foreach(children, i, c) if (is(c, letter[k]))
                docket_walk(s, c, depth);
        return;
    }
    json_array_foreach(children, i, c)
        docket_walk(s, c, depth + (is(n, "section") ? 1 : 0));
}

static json_t *json_of(const char *text, size_t len, const char *what)
{
    json_error_t e;
    json_t *j = json_loadb(text, len, 0, &e);
    ck_assert_msg(j != NULL, "%s: %s", what, e.text);
    return j;
}

/* pandoc -f docx -t json of docx, and the summary of what it found. */
static json_t *pandoc_read(const char *docx, summary *s)
{
    char *pandoc = which("pandoc");
    const char *argv[] = {pandoc, "-f", "docx", "-t", "json", docx, NULL};
    run_result r = run(argv, NULL, NULL);
    ck_assert_msg(r.status == 0, "pandoc %s: %s", docx, r.err);
    json_t *j = json_of(r.out, r.out_len, docx);
    pandoc_walk(s, json_object_get(j, "blocks"));
    run_free(&r);
    free(pandoc);
    return j;
}

/* The tree's title as pandoc should report it: none when a letter shows
 * it as its subject. Transfer full ("" for none). */
static char *expected_title(json_t *doc)
{
    json_t *meta = json_array_get(json_object_get(doc, "children"), 0);
    json_t *body = json_array_get(json_object_get(doc, "children"), 1);
    dk_buf title = DK_BUF_INIT, subject = DK_BUF_INIT;
    size_t i, k;
    json_t *c, *l;
    json_array_foreach(json_object_get(meta, "children"), i, c) if (is(c, "title"))
        docket_text(c, &title);
    json_array_foreach(json_object_get(body, "children"), i, l) if (is(l, "letter"))
        json_array_foreach(json_object_get(l, "children"), k, c)
            if (is(c, "subject") && !subject.len) docket_text(c, &subject);
    char *r = strdup(title.data && (!subject.data || strcmp(title.data, subject.data))
                         ? title.data : "");
    dk_buf_free(&title);
    dk_buf_free(&subject);
    return r;
}

START_TEST(pandoc_reads_the_same_document)
{
    if (!have("pandoc", "the pandoc read-back"))
        return;
    char *dir = temp_dir();
    for (size_t i = 0; i < N_INPUTS; i++) {
        char *docx = docx_of(dir, inputs[i], NULL, NULL);
        char *in = NULL;
        ck_assert(asprintf(&in, "%s/%s", FIXTURES, inputs[i]) > 0);
        run_result r = DOCKET(NULL, "-t", "json", in);
        ck_assert_int_eq(r.status, 0);
        json_t *tree = json_of(r.out, r.out_len, in);
        summary want = {0}, got = {0};
        docket_walk(&want, json_array_get(json_object_get(tree, "children"), 1), 0);
        json_t *p = pandoc_read(docx, &got);
        assert_same_lines("headings", inputs[i], want.headings.data ? want.headings.data : "",
                          got.headings.data ? got.headings.data : "");
        assert_same_lines("paragraphs", inputs[i], want.paragraphs.data,
                          got.paragraphs.data);
        assert_same_lines("list items", inputs[i],
                          want.items.data ? want.items.data : "",
                          got.items.data ? got.items.data : "");
        assert_same_lines("lists", inputs[i], want.lists.data ? want.lists.data : "",
                          got.lists.data ? got.lists.data : "");
        /* the title, as pandoc reads it from the Title style */
        char *title = expected_title(tree);
        dk_buf pt = DK_BUF_INIT;
        json_t *mt = json_object_get(json_object_get(p, "meta"), "title");
        pandoc_text(json_object_get(mt, "c"), &pt);
        dk_buf a = DK_BUF_INIT, b = DK_BUF_INIT;
        squeeze(&a, title);
        squeeze(&b, pt.data ? pt.data : "");
        ck_assert_str_eq(b.data ? b.data : "", a.data ? a.data : "");
        dk_buf_free(&a);
        dk_buf_free(&b);
        dk_buf_free(&pt);
        free(title);
        fprintf(stderr, "pandoc read back %s: %zu headings, %zu paragraphs, "
                "%zu list items: the same\n", inputs[i],
                (size_t)(want.headings.len ? count_lines(want.headings.data) : 0),
                count_lines(want.paragraphs.data),
                (size_t)(want.items.len ? count_lines(want.items.data) : 0));
        summary_free(&want);
        summary_free(&got);
        json_decref(p);
        json_decref(tree);
        run_free(&r);
        free(in);
        free(docx);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- LibreOffice (optional) ----------------------------------------------- */

/* Each seed's DOCX converts to PDF, and the PDF's text holds every word of
 * every paragraph pandoc would find. */
START_TEST(libreoffice_converts_each)
{
    if (!have("soffice", "the LibreOffice conversion (optional)") ||
        !have("pdftotext", "the LibreOffice conversion (optional)") ||
        !have("unzip", "the LibreOffice conversion (optional)"))
        return;
    char *dir = temp_dir();
    dk_buf files = DK_BUF_INIT;
    for (size_t i = 0; i < N_INPUTS; i++) {
        char *docx = docx_of(dir, inputs[i], NULL, NULL);
        dk_buf_printf(&files, " %s", docx);
        free(docx);
    }
    char *cmd = NULL;
    ck_assert(asprintf(&cmd, "cd %1$s && soffice -env:UserInstallation=file://"
                       "%1$s/profile --headless --convert-to pdf --outdir "
                       "%1$s/pdf%2$s", dir, files.data) > 0);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "soffice: %s%s", r.out, r.err);
    run_free(&r);
    free(cmd);
    for (size_t i = 0; i < N_INPUTS; i++) {
        const char *base = strrchr(inputs[i], '/') + 1;
        int stem = (int)(strrchr(base, '.') - base);
        ck_assert(asprintf(&cmd, "pdftotext -layout %s/pdf/%.*s.pdf -", dir,
                           stem, base) > 0);
        r = run_sh(cmd);
        ck_assert_msg(r.status == 0, "%s: no PDF: %s", inputs[i], r.err);
        free(cmd);
        dk_buf text = DK_BUF_INIT;
        squeeze(&text, r.out);
        char *in = NULL;
        ck_assert(asprintf(&in, "%s/%s", FIXTURES, inputs[i]) > 0);
        run_result j = DOCKET(NULL, "-t", "json", in);
        json_t *tree = json_of(j.out, j.out_len, in);
        summary want = {0};
        docket_walk(&want, json_array_get(json_object_get(tree, "children"), 1), 0);
        size_t words = 0;
        const dk_buf *all[] = {&want.headings, &want.paragraphs};
        for (int k = 0; k < 2; k++) {
            char *copy = strdup(all[k]->data ? all[k]->data : "");
            char *line_save = NULL;
            for (char *line = strtok_r(copy, "\n", &line_save); line;
                 line = strtok_r(NULL, "\n", &line_save)) {
                char *save = NULL;
                for (char *w = strtok_r(line, " ", &save); w;
                     w = strtok_r(NULL, " ", &save)) {
                    /* "2 Heading": the level is not a word of it */
                    if (k == 0 && w == line)
                        continue;
                    ck_assert_msg(strstr(text.data, w), "%s: '%s' is not in "
                                  "the PDF", inputs[i], w);
                    words++;
                }
            }
            free(copy);
        }
        fprintf(stderr, "LibreOffice converted %s: %zu words, all in the PDF\n",
                inputs[i], words);
        summary_free(&want);
        json_decref(tree);
        run_free(&j);
        free(in);
        dk_buf_free(&text);
        run_free(&r);
    }
    dk_buf_free(&files);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- the command ------------------------------------------------------------ */

/* Run docket with standard output on a terminal (a pseudo-terminal), the
 * rest as usual; what it wrote to the terminal in *out. */
static run_result on_terminal(const char *const args[], dk_buf *out)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
    char err_path[] = "/tmp/docket-err-XXXXXX";
    int err_fd = mkstemp(err_path);
    ck_assert(err_fd >= 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
        int in = open("/dev/null", O_RDONLY);
        if (slave < 0 || in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(slave, 1);
        dup2(err_fd, 2);
        const char *argv[16] = {DOCKET_BIN};
        for (int i = 0; args[i] && i < 14; i++)
            argv[i + 1] = args[i];
        unsetenv("DOCKET_PLUGIN_PATH");
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    /* drain the terminal until docket has gone (EIO once it closed) */
    char buf[4096];
    ssize_t n;
    while ((n = read(master, buf, sizeof buf)) > 0)
        dk_buf_append(out, buf, (size_t)n);
    int st;
    waitpid(pid, &st, 0);
    close(master);
    close(err_fd);
    run_result r = {0};
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = strdup("");
    r.err = slurp(err_path, NULL);
    unlink(err_path);
    return r;
}

START_TEST(terminal_refused_pipe_allowed)
{
    const char *in = FIXTURES "/text/basic.txt";
    dk_buf out = DK_BUF_INIT;
    run_result r = on_terminal((const char *const[]){"-t", "docx", in, NULL},
                               &out);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "will not write DOCX to a terminal"), "%s", r.err);
    ck_assert_uint_eq(out.len, 0);
    run_free(&r);
    /* other formats still go to the terminal */
    r = on_terminal((const char *const[]){"-t", "json", in, NULL}, &out);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(out.len > 0 && strstr(out.data, "\"document\""), "%s", r.err);
    run_free(&r);
    /* -o - insists */
    dk_buf_clear(&out);
    r = on_terminal((const char *const[]){"-t", "docx", "-o", "-", in, NULL},
                    &out);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(out.len > 4 && memcmp(out.data, "PK\x03\x04", 4) == 0, "%s",
                  r.err);
    run_free(&r);
    dk_buf_free(&out);
    /* a pipe is fine */
    char *dir = temp_dir();
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "DOCKET_PLUGIN_PATH= %s -t docx %s | cat > "
             "%s/piped.docx", DOCKET_BIN, in, dir);
    r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    snprintf(cmd, sizeof cmd, "%s/piped.docx", dir);
    size_t len;
    char *piped = slurp(cmd, &len);
    ck_assert(len > 4 && memcmp(piped, "PK\x03\x04", 4) == 0);
    /* the same bytes as a file */
    snprintf(cmd, sizeof cmd, "%s/file.docx", dir);
    r = DOCKET(NULL, "-t", "docx", "-o", cmd, in);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    size_t flen;
    char *file = slurp(cmd, &flen);
    ck_assert(flen == len && memcmp(file, piped, len) == 0);
    free(file);
    free(piped);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* -o NAME.docx picks the writer; --list-formats names it. */
START_TEST(extension_picks_the_writer)
{
    char *dir = temp_dir();
    char out[1024];
    snprintf(out, sizeof out, "%s/letter.docx", dir);
    run_result r = DOCKET(NULL, "-o", out,
                          FIXTURES "/seeds/pcc-letter-2018-peel-effectiveness.txt");
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    size_t len;
    char *data = slurp(out, &len);
    ck_assert(len > 4 && memcmp(data, "PK\x03\x04", 4) == 0);
    free(data);
    r = DOCKET(NULL, "--list-formats");
    ck_assert_msg(strstr(r.out, "docx       (.docx)"), "%s", r.out);
    run_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- what the document says ------------------------------------------------- */

/* The letters come out laid out as letters, each part in its own style. */
START_TEST(letters_in_their_styles)
{
    if (!have("unzip", "the letter styles"))
        return;
    char *dir = temp_dir();
    static const char *const letters[] = {
        "seeds/pcc-letter-2018-peel-effectiveness.txt",
        "seeds/hmic-letter-2014-core-business.txt",
        "structure/letter-right-aligned-sender.txt",
    };
    /* the first paragraph of each part comes after the one before */
    static const char *const order[] = {"Sender", "LetterDate", "Recipient",
                                        "Subject", "Salutation", "Closing",
                                        "Signature"};
    for (size_t i = 0; i < 3; i++) {
        char *docx = docx_of(dir, letters[i], NULL, NULL);
        xmlDocPtr doc = part_doc(docx, "word/document.xml");
        int prev = 0;
        for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
            char expr[256];
            snprintf(expr, sizeof expr, "count(//w:p[w:pPr/w:pStyle/@w:val="
                     "'%s'][1]/preceding::w:p)", order[k]);
            int at = count(doc, expr);
            snprintf(expr, sizeof expr, "//w:p[w:pPr/w:pStyle/@w:val='%s']",
                     order[k]);
            ck_assert_msg(count(doc, expr) > 0, "%s: no %s", letters[i], order[k]);
            ck_assert_msg(k == 0 || at > prev, "%s: %s out of place", letters[i],
                          order[k]);
            prev = at;
        }
        /* no title line above a letter whose subject it is */
        ASSERT_COUNT(doc, "//w:pStyle[@w:val='Title']", 0);
        xmlFreeDoc(doc);
        xmlDocPtr styles = part_doc(docx, "word/styles.xml");
        ASSERT_COUNT(styles, "//w:style[@w:styleId='Sender']/w:pPr/w:jc[@w:val='right']", 1);
        ASSERT_COUNT(styles, "//w:style[@w:styleId='Subject']/w:rPr/w:b", 1);
        static const char *const named[] = {
            "Title", "heading 1", "heading 6", "Normal", "List Bullet",
            "List Number", "Quote", "Table Grid", "Sender", "Recipient", "Date",
            "Reference", "Subject", "Salutation", "Closing", "Signature",
            "Grade", "Cc", "Enclosure", "Address"};
        for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
            char expr[256];
            snprintf(expr, sizeof expr, "//w:style/w:name[@w:val='%s']", named[k]);
            ck_assert_msg(count(styles, expr) == 1, "no style %s", named[k]);
        }
        xmlFreeDoc(styles);
        free(docx);
    }
    /* the PCC letter: the sender block lines, the grades, the signature */
    char *docx = docx_of(dir, letters[0], NULL, NULL);
    xmlDocPtr doc = part_doc(docx, "word/document.xml");
    ASSERT_COUNT(doc, "//w:p[w:pPr/w:pStyle/@w:val='Sender']", 8);
    ASSERT_COUNT(doc, "//w:p[w:pPr/w:pStyle/@w:val='Recipient']", 6);
    ASSERT_COUNT(doc, "//w:p[w:pPr/w:pStyle/@w:val='Grade']", 3);
    ASSERT_COUNT(doc, "//w:p[w:pPr/w:pStyle/@w:val='Subject' and "
                 ".='PEEL: Police Effectiveness 2017']", 1);
    ASSERT_COUNT(doc, "//w:p[w:pPr/w:pStyle/@w:val='Closing' and "
                 ".='Yours sincerely']", 1);
    xmlFreeDoc(doc);
    free(docx);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Lists: one definition each, restarting, with their start and level. */
START_TEST(lists_number_as_the_tree_says)
{
    if (!have("unzip", "the list checks"))
        return;
    char *dir = temp_dir();
    char *docx = docx_of(dir, "docx/lists.json", NULL, NULL);
    xmlDocPtr doc = part_doc(docx, "word/document.xml");
    xmlDocPtr num = part_doc(docx, "word/numbering.xml");
    /* seven lists, seven nums, seven abstractNums of nine levels */
    ASSERT_COUNT(num, "/w:numbering/w:num", 7);
    ASSERT_COUNT(num, "/w:numbering/w:abstractNum", 7);
    ASSERT_COUNT(num, "/w:numbering/w:abstractNum[count(w:lvl)=9]", 7);
    ASSERT_COUNT(num, "/w:numbering/w:abstractNum[following-sibling::w:num]", 7);
    /* the second list starts at 5, the nested ordered one at 3 */
    ASSERT_COUNT(num, "//w:abstractNum[@w:abstractNumId=//w:num[@w:numId=2]/"
                 "w:abstractNumId/@w:val]/w:lvl[@w:ilvl=0]/w:start[@w:val=5]", 1);
    ASSERT_COUNT(num, "//w:abstractNum[@w:abstractNumId=//w:num[@w:numId=4]/"
                 "w:abstractNumId/@w:val]/w:lvl[@w:ilvl=1]/w:start[@w:val=3]", 1);
    ASSERT_COUNT(num, "//w:abstractNum[@w:abstractNumId=//w:num[@w:numId=3]/"
                 "w:abstractNumId/@w:val]/w:lvl[1]/w:numFmt[@w:val='bullet']", 1);
    /* items at their depth */
    ASSERT_COUNT(doc, "//w:p[.='two levels down']/w:pPr/w:numPr/w:ilvl[@w:val=2]", 1);
    ASSERT_COUNT(doc, "//w:p[.='third, one level down']/w:pPr/w:numPr/w:numId[@w:val=4]", 1);
    /* an item's second paragraph: no number, in the item */
    ASSERT_COUNT(doc, "//w:p[.='its second paragraph']/w:pPr[w:pStyle/@w:val="
                 "'ListParagraph' and w:numPr/w:numId/@w:val=0 and "
                 "w:numPr/w:ilvl/@w:val=0 and w:ind/@w:left=720]", 1);
    /* an item that starts with a list: an empty numbered paragraph first */
    ASSERT_COUNT(doc, "//w:p[not(w:r) and w:pPr/w:numPr/w:numId/@w:val=3]", 2);
    /* the empty table is left out; the other has a header row and short
     * rows padded */
    ASSERT_COUNT(doc, "/w:document/w:body/w:tbl", 1);
    ASSERT_COUNT(doc, "/w:document/w:body/w:tbl/w:tr[1]/w:trPr/w:tblHeader", 1);
    ASSERT_COUNT(doc, "/w:document/w:body/w:tbl/w:tr[2]/w:trPr", 0);
    ASSERT_COUNT(doc, "/w:document/w:body/w:tbl/w:tr[count(w:tc)=3]", 3);
    ASSERT_COUNT(doc, "/w:document/w:body/w:tbl/w:tblPr/w:tblLook[@w:firstRow=1]", 1);
    ASSERT_COUNT(doc, "//w:tc/w:tbl/following-sibling::*[1][self::w:p]", 1);
    /* a list in a cell starts at the cell's edge */
    ASSERT_COUNT(doc, "//w:tc//w:p[.='a list in a cell']/w:pPr/w:numPr/w:ilvl[@w:val=0]", 1);
    xmlFreeDoc(num);
    xmlFreeDoc(doc);
    /* a start below 0 cannot be said in DOCX: 0, with a warning */
    char path[1024];
    snprintf(path, sizeof path, "%s/neg.json", dir);
    SPIT_LIT(path, "{\"type\":\"document\",\"children\":[{\"type\":\"meta\"},"
             "{\"type\":\"body\",\"children\":[{\"type\":\"list\",\"attributes\":"
             "{\"type\":\"ordered\",\"start\":\"-2\"},\"children\":[{\"type\":"
             "\"item\",\"children\":[{\"type\":\"p\",\"children\":[\"x\"]}]}]}]}]}");
    char out[1024];
    snprintf(out, sizeof out, "%s/neg.docx", dir);
    run_result r = DOCKET(NULL, "-f", "json", "-o", out, path);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, "warning: a list starts at -2"), "%s", r.err);
    run_free(&r);
    num = part_doc(out, "word/numbering.xml");
    ASSERT_COUNT(num, "//w:lvl[@w:ilvl=0]/w:start[@w:val=0]", 1);
    xmlFreeDoc(num);
    free(docx);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Links: relationships with the target made a valid URI, anchors for
 * "#name", the text of links without a target or inside another. */
START_TEST(links_are_relationships)
{
    if (!have("unzip", "the link checks"))
        return;
    char *dir = temp_dir();
    char *docx = docx_of(dir, "docx/lists.json", NULL, NULL);
    xmlDocPtr doc = part_doc(docx, "word/document.xml");
    xmlDocPtr rels = part_doc(docx, "word/_rels/document.xml.rels");
    ASSERT_COUNT(doc, "//w:hyperlink", 4);
    ASSERT_COUNT(doc, "//w:hyperlink[@w:anchor='summary' and not(@r:id)]", 1);
    ASSERT_COUNT(doc, "//w:hyperlink[.='outer inner']", 1);
    ASSERT_COUNT(doc, "//w:hyperlink//w:hyperlink", 0);
    ASSERT_COUNT(doc, "//w:hyperlink//w:rStyle[@w:val='Hyperlink']", 5);
    ASSERT_COUNT(rels, "//rel:Relationship[@TargetMode='External']", 3);
    ASSERT_COUNT(rels, "//rel:Relationship[@Id='rId4' and @Target='https://"
                 "www.justiceinspectorates.gov.uk/hmicfrs/peel-assessments/"
                 "?force=west%20midlands&year=2014']", 1);
    ASSERT_COUNT(rels, "//rel:Relationship[@Id='rId5' and @Target='https://"
                 "example.org/outer']", 1);
    ASSERT_COUNT(rels, "//rel:Relationship[@Target='https://example.org/inner']", 0);
    ASSERT_COUNT(doc, "//w:p[contains(., 'no target')]/w:r[contains(., 'no target')]", 1);
    xmlFreeDoc(rels);
    xmlFreeDoc(doc);
    free(docx);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Characters XML forbids are replaced and reported, never a broken part. */
START_TEST(forbidden_characters_replaced)
{
    if (!have("unzip", "the character checks"))
        return;
    char *dir = temp_dir();
    char path[1024], out[1024];
    snprintf(path, sizeof path, "%s/ctl.json", dir);
    snprintf(out, sizeof out, "%s/ctl.docx", dir);
    SPIT_LIT(path, "{\"type\":\"document\",\"children\":[{\"type\":\"meta\","
             "\"children\":[{\"type\":\"title\",\"children\":[\"bell\\u0007\"]}]},"
             "{\"type\":\"body\",\"children\":[{\"type\":\"p\",\"children\":"
             "[\"a\\u0001b\\uFFFEc\\td\"]},{\"type\":\"p\",\"children\":[{\"type\":"
             "\"a\",\"attributes\":{\"href\":\"http://x.org/\\u0002\"},\"children\""
             ":[\"x\\u001b\"]}]}]}]}");
    run_result r = DOCKET(NULL, "-f", "json", "-o", out, path);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "warning: 5 characters that XML 1.0 does not "
                         "allow replaced with U+FFFD"), "%s", r.err);
    run_free(&r);
    for (size_t k = 0; k < N_PARTS; k++)
        xmlFreeDoc(part_doc(out, parts[k]));
    xmlDocPtr doc = part_doc(out, "word/document.xml");
    ASSERT_COUNT(doc, "//w:t[.='a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c']", 1);
    ASSERT_COUNT(doc, "//w:r[w:t='d']/w:tab", 1);
    ASSERT_COUNT(doc, "//w:t[.='bell\xEF\xBF\xBD']", 1);
    xmlFreeDoc(doc);
    xmlDocPtr rels = part_doc(out, "word/_rels/document.xml.rels");
    ASSERT_COUNT(rels, "//rel:Relationship[@Target='http://x.org/%02']", 1);
    xmlFreeDoc(rels);
    xmlDocPtr core = part_doc(out, "docProps/core.xml");
    ASSERT_COUNT(core, "//dc:title[.='bell\xEF\xBF\xBD']", 1);
    xmlFreeDoc(core);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Odd trees still make whole packages: nothing at all, deep nesting. */
START_TEST(odd_trees)
{
    if (!have("unzip", "the odd trees"))
        return;
    char *dir = temp_dir();
    char path[1024], out[1024];
    snprintf(path, sizeof path, "%s/empty.json", dir);
    snprintf(out, sizeof out, "%s/empty.docx", dir);
    SPIT_LIT(path, "{\"type\":\"document\",\"children\":[{\"type\":\"meta\"},"
             "{\"type\":\"body\"}]}");
    run_result r = DOCKET(NULL, "-f", "json", "-o", out, path);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    for (size_t k = 0; k < N_PARTS; k++)
        xmlFreeDoc(part_doc(out, parts[k]));
    xmlDocPtr doc = part_doc(out, "word/document.xml");
    ASSERT_COUNT(doc, "/w:document/w:body/*", 1); /* the page */
    xmlFreeDoc(doc);
    /* lists in quotes in lists, 60 deep: Word's nine levels, then the
     * ninth again */
    dk_buf deep = DK_BUF_INIT;
    dk_buf_puts(&deep, "{\"type\":\"document\",\"children\":[{\"type\":\"meta\"},"
                "{\"type\":\"body\",\"children\":[");
    for (int i = 0; i < 60; i++)
        dk_buf_puts(&deep, "{\"type\":\"quote\",\"children\":[{\"type\":\"list\","
                    "\"children\":[{\"type\":\"item\",\"children\":[{\"type\":"
                    "\"p\",\"children\":[\"level\"]},");
    dk_buf_puts(&deep, "{\"type\":\"p\",\"children\":[\"bottom\"]}");
    for (int i = 0; i < 60; i++)
        dk_buf_puts(&deep, "]}]}]}");
    dk_buf_puts(&deep, "]}]}");
    snprintf(path, sizeof path, "%s/deep.json", dir);
    spit(path, deep.data, deep.len);
    dk_buf_free(&deep);
    snprintf(out, sizeof out, "%s/deep.docx", dir);
    r = DOCKET(NULL, "-f", "json", "-o", out, path);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    doc = part_doc(out, "word/document.xml");
    ASSERT_COUNT(doc, "//w:p[.='level']", 60);
    ASSERT_COUNT(doc, "//w:ilvl[@w:val=8]", 53);
    ASSERT_COUNT(doc, "//w:ilvl[@w:val>8]", 0);
    ASSERT_COUNT(doc, "//w:p[.='bottom']/w:pPr[w:numPr/w:numId/@w:val=0]", 1);
    xmlFreeDoc(doc);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The program is named in app.xml only when asked, as for XML. */
START_TEST(generator_only_when_asked)
{
    if (!have("unzip", "the generator check"))
        return;
    char *dir = temp_dir();
    char *plain = docx_of(dir, "text/basic.txt", NULL, NULL);
    xmlDocPtr app = part_doc(plain, "docProps/app.xml");
    ASSERT_COUNT(app, "//ep:Application", 0);
    xmlFreeDoc(app);
    char *asked = docx_of(dir, "text/basic.txt", "--metadata", "generator");
    app = part_doc(asked, "docProps/app.xml");
    ASSERT_COUNT(app, "//ep:Application[.='docket " DK_VERSION "']", 1);
    xmlFreeDoc(app);
    free(plain);
    free(asked);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- reference documents ------------------------------------------------------ */

/* fixtures/docx/reference/ zipped into dir/reference.docx. */
static char *reference_docx(const char *dir)
{
    char *out = NULL, *cmd = NULL;
    ck_assert(asprintf(&out, "%s/reference.docx", dir) > 0);
    ck_assert(asprintf(&cmd, "cd %s/docx/reference && python3 -c '"
                       "import os, sys, zipfile\n"
                       "with zipfile.ZipFile(sys.argv[1], \"w\", zipfile.ZIP_DEFLATED) as z:\n"
                       "    for d, _, fs in sorted(os.walk(\".\")):\n"
                       "        for f in sorted(fs):\n"
                       "            z.write(os.path.join(d, f), os.path.normpath(os.path.join(d, f)))\n"
                       "' %s", FIXTURES, out) > 0);
    run_result r = run_sh(cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    free(cmd);
    return out;
}

START_TEST(reference_doc_styles_and_numbering)
{
    if (!have("unzip", "the reference document") ||
        !have("python3", "the reference document"))
        return;
    char *dir = temp_dir();
    char *ref = reference_docx(dir);
    char *docx = docx_of(dir, "docx/lists.json", "--reference-doc", ref);
    /* the template's styles kept, docket's missing ones added once each */
    xmlDocPtr styles = part_doc(docx, "word/styles.xml");
    ASSERT_COUNT(styles, "//w:style[@w:styleId='Ueberschrift1']/w:rPr/w:rFonts[@w:ascii='Futura']", 1);
    ASSERT_COUNT(styles, "//w:docDefaults//w:rFonts[@w:ascii='Georgia']", 1);
    ASSERT_COUNT(styles, "//w:style/w:name[@w:val='heading 1']", 1);
    ASSERT_COUNT(styles, "//w:style/w:name[@w:val='Normal']", 1);
    ASSERT_COUNT(styles, "//w:style/w:name[@w:val='Grade']", 1);
    ASSERT_COUNT(styles, "//w:style/w:name[@w:val='heading 2']", 1);
    ASSERT_COUNT(styles, "//w:style[@w:styleId='Sender']/w:name[@w:val='Absender']", 1);
    ASSERT_COUNT(styles, "//w:style[@w:styleId='Sender1']/w:name[@w:val='Sender']", 1);
    /* added styles point at the template's ids */
    ASSERT_COUNT(styles, "//w:style[@w:styleId='Heading2']/w:basedOn[@w:val='Standard']", 1);
    ASSERT_COUNT(styles, "//w:style[@w:styleId='Heading2']/w:next[@w:val='Standard']", 1);
    /* one default per kind */
    ASSERT_COUNT(styles, "//w:style[@w:type='table' and @w:default='1']", 1);
    ASSERT_COUNT(styles, "//w:style[@w:type='paragraph' and @w:default='1']", 1);
    ASSERT_COUNT(styles, "//w:style[@w:styleId='Standard' and @w:default='1']", 1);
    xmlFreeDoc(styles);
    xmlDocPtr doc = part_doc(docx, "word/document.xml");
    ASSERT_COUNT(doc, "//w:p[.='Two lists in a row']/w:pPr/w:pStyle[@w:val='Ueberschrift1']", 1);
    ASSERT_COUNT(doc, "//w:p[.='Nested lists']/w:pPr/w:pStyle[@w:val='Heading2']", 1);
    ASSERT_COUNT(doc, "//w:pStyle[@w:val='Aufzaehlung']", 6);
    ASSERT_COUNT(doc, "//w:pStyle[@w:val='ListBullet']", 0);
    /* the template's lists kept; docket's after them, bullets drawn as the
     * template's List Bullet draws them */
    xmlDocPtr num = part_doc(docx, "word/numbering.xml");
    ASSERT_COUNT(num, "//w:abstractNum[@w:abstractNumId=3]/w:nsid[@w:val='5A5A5A5A']", 1);
    ASSERT_COUNT(num, "//w:num[@w:numId=7]/w:abstractNumId[@w:val=3]", 1);
    ASSERT_COUNT(num, "/w:numbering/w:num", 8);
    ASSERT_COUNT(num, "/w:numbering/w:abstractNum", 8);
    ASSERT_COUNT(num, "//w:num[@w:numId<8 and @w:numId!=7]", 0);
    ASSERT_COUNT(num, "//w:abstractNum[@w:abstractNumId>3]/w:lvl[@w:ilvl=0]"
                 "/w:lvlText[@w:val='\xE2\x9E\xA2']", 4);
    ASSERT_COUNT(num, "//w:abstractNum[@w:abstractNumId>3][count(w:lvl)=9]", 7);
    ASSERT_COUNT(num, "//w:abstractNum[@w:abstractNumId>3]/w:nsid[@w:val='5A5A5A5A']", 0);
    ASSERT_COUNT(doc, "//w:numId[@w:val=8]", 2);
    xmlFreeDoc(num);
    xmlFreeDoc(doc);
    /* the theme the styles refer to comes along */
    xmlDocPtr types = part_doc(docx, "[Content_Types].xml");
    ASSERT_COUNT(types, "//ct:Override[@PartName='/word/theme/theme1.xml']", 1);
    xmlFreeDoc(types);
    xmlDocPtr rels = part_doc(docx, "word/_rels/document.xml.rels");
    ASSERT_COUNT(rels, "//rel:Relationship[@Id='rId3' and @Target='theme/theme1.xml']", 1);
    xmlFreeDoc(rels);
    xmlFreeDoc(part_doc(docx, "word/theme/theme1.xml"));
    /* and pandoc still reads the same document */
    if (have("pandoc", "the read-back with a reference document")) {
        summary got = {0};
        json_decref(pandoc_read(docx, &got));
        ck_assert_str_eq(got.headings.data, "1 Two lists in a row\n2 Nested lists\n");
        ck_assert_str_eq(got.lists.data, "ordered 1\nordered 5\nbullet\nordered 3\n"
                         "bullet\nbullet\nbullet\n");
        summary_free(&got);
    }
    free(docx);
    free(ref);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* pandoc's own reference.docx works as a template too. */
START_TEST(reference_doc_from_pandoc)
{
    if (!have("pandoc", "pandoc's reference.docx") ||
        !have("unzip", "pandoc's reference.docx"))
        return;
    char *dir = temp_dir();
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "pandoc --print-default-data-file reference.docx "
             "> %s/pandoc-ref.docx", dir);
    run_result r = run_sh(cmd);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    snprintf(cmd, sizeof cmd, "%s/pandoc-ref.docx", dir);
    char *docx = docx_of(dir, "seeds/peel-2016-warwickshire-page.txt",
                         "--reference-doc", cmd);
    xmlDocPtr styles = part_doc(docx, "word/styles.xml");
    ASSERT_COUNT(styles, "//w:style[@w:styleId='FirstParagraph']", 1);
    ASSERT_COUNT(styles, "//w:style/w:name[@w:val='Grade']", 1);
    ASSERT_COUNT(styles, "//w:style[@w:type='table' and @w:default='1']", 1);
    xmlFreeDoc(styles);
    summary got = {0};
    json_decref(pandoc_read(docx, &got));
    ck_assert_uint_eq(count_lines(got.headings.data), 9);
    ck_assert_uint_eq(count_lines(got.items.data), 8);
    summary_free(&got);
    free(docx);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(reference_doc_errors)
{
    char *dir = temp_dir();
    char out[1024], ref[1024];
    snprintf(out, sizeof out, "%s/out.docx", dir);
    const char *in = FIXTURES "/text/basic.txt";
    /* missing */
    snprintf(ref, sizeof ref, "%s/missing.docx", dir);
    run_result r = DOCKET(NULL, "--reference-doc", ref, "-o", out, in);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "cannot read reference document"), "%s", r.err);
    run_free(&r);
    /* not a zip */
    r = DOCKET(NULL, "--reference-doc", in, "-o", out, in);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "cannot read reference document") &&
                  strstr(r.err, "basic.txt"), "%s", r.err);
    run_free(&r);
    /* a zip, but no word-processing document: a docx of docket's own, its
     * styles removed, will do */
    if (have("python3", "the reference document errors")) {
        char src[1024];
        snprintf(src, sizeof src, "%s/src.docx", dir);
        r = DOCKET(NULL, "-o", src, in);
        ck_assert_int_eq(r.status, 0);
        run_free(&r);
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "python3 -c 'import sys, zipfile\n"
                 "src = zipfile.ZipFile(sys.argv[1])\n"
                 "with zipfile.ZipFile(sys.argv[2], \"w\") as a, "
                 "zipfile.ZipFile(sys.argv[3], \"w\") as b:\n"
                 "    for n in src.namelist():\n"
                 "        d = src.read(n)\n"
                 "        if n != \"word/styles.xml\": a.writestr(n, d)\n"
                 "        b.writestr(n, d.replace(b\"<w:styles \", "
                 "b\"<!DOCTYPE w:styles [<!ENTITY x \\\"boom\\\">]><w:styles \") "
                 "if n == \"word/styles.xml\" else d)\n"
                 "' %1$s %2$s/nostyles.docx %2$s/doctype.docx", src, dir);
        r = run_sh(cmd);
        ck_assert_msg(r.status == 0, "%s", r.err);
        run_free(&r);
        snprintf(ref, sizeof ref, "%s/nostyles.docx", dir);
        r = DOCKET(NULL, "--reference-doc", ref, "-o", out, in);
        ck_assert_int_eq(r.status, 1);
        ck_assert_msg(strstr(r.err, "has no styles (word/styles.xml)"), "%s", r.err);
        run_free(&r);
        snprintf(ref, sizeof ref, "%s/doctype.docx", dir);
        r = DOCKET(NULL, "--reference-doc", ref, "-o", out, in);
        ck_assert_int_eq(r.status, 1);
        ck_assert_msg(strstr(r.err, "word/styles.xml is not well-formed XML "
                             "(or declares a DOCTYPE)"), "%s", r.err);
        run_free(&r);
    }
    /* nothing was written */
    ck_assert_int_eq(access(out, F_OK), -1);
    rm_rf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("docx");
    TCase *tc = tcase_create("docx");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, packages_are_whole);
    tcase_add_test(tc, nothing_is_lost);
    tcase_add_test(tc, parts_match_the_expected_ones);
    tcase_add_test(tc, same_input_same_bytes);
    tcase_add_test(tc, pandoc_reads_the_same_document);
    tcase_add_test(tc, libreoffice_converts_each);
    tcase_add_test(tc, terminal_refused_pipe_allowed);
    tcase_add_test(tc, extension_picks_the_writer);
    tcase_add_test(tc, letters_in_their_styles);
    tcase_add_test(tc, lists_number_as_the_tree_says);
    tcase_add_test(tc, links_are_relationships);
    tcase_add_test(tc, forbidden_characters_replaced);
    tcase_add_test(tc, odd_trees);
    tcase_add_test(tc, generator_only_when_asked);
    tcase_add_test(tc, reference_doc_styles_and_numbering);
    tcase_add_test(tc, reference_doc_from_pandoc);
    tcase_add_test(tc, reference_doc_errors);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    xmlCleanupParser();
    return failed;
}
