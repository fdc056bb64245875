/*
 * The JSON and XML writers write straight from docket's tree. Their bytes
 * must be those of the libraries they replaced, which this suite keeps as
 * the reference: jansson's json_dumps() of the object model the JSON
 * format defines, and libxml2's C14N (xmlC14NDocDumpMemory) or serializer
 * (xmlDocDumpMemoryEnc, --pretty) of the document the tree stands for.
 * Checked on every fixture docket reads (all of fixtures/), with and without
 * the transforms its reader asks for, and on random trees whose text and
 * attributes hold every character the escaping rules treat apart.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <docket/docket.h>
#include <dirent.h>
#include <jansson.h>
#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NS "urn:docket:document:1"

/* ---- the reference: the object models of the libraries --------------------- */

static int attr_order[DK_ATTR_COUNT];

static int by_attr_name(const void *a, const void *b)
{
    return strcmp(dk_attr_name(*(const int *)a), dk_attr_name(*(const int *)b));
}

static json_t *to_json(const dk_node *n)
{
    if (dk_node_type(n) == DK_TEXT) {
        size_t len;
        const char *t = dk_node_text(n, &len);
        return json_stringn(t, len);
    }
    json_t *obj = json_object();
    ck_assert_ptr_nonnull(obj);
    ck_assert_int_eq(json_object_set_new(obj, "type",
                                         json_string(dk_type_name(dk_node_type(n)))),
                     0);
    json_t *attrs = NULL;
    for (int i = 0; i < DK_ATTR_COUNT; i++) {
        const char *v = dk_node_attr(n, (dk_attr)attr_order[i]);
        if (!v)
            continue;
        if (!attrs) {
            attrs = json_object();
            ck_assert_int_eq(json_object_set_new(obj, "attributes", attrs), 0);
        }
        ck_assert_int_eq(json_object_set_new(attrs,
                                             dk_attr_name((dk_attr)attr_order[i]),
                                             json_string(v)),
                         0);
    }
    if (dk_node_first(n)) {
        json_t *children = json_array();
        ck_assert_int_eq(json_object_set_new(obj, "children", children), 0);
        for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c))
            ck_assert_int_eq(json_array_append_new(children, to_json(c)), 0);
    }
    return obj;
}

/* jansson's bytes for the tree, with the writer's final newline.
 * Transfer full. */
static char *reference_json(const dk_node *doc, bool pretty)
{
    json_t *root = to_json(doc);
    char *s = json_dumps(root, pretty ? JSON_INDENT(2) : JSON_COMPACT);
    ck_assert_ptr_nonnull(s);
    json_decref(root);
    char *r;
    ck_assert(asprintf(&r, "%s\n", s) > 0);
    free(s);
    return r;
}

typedef struct xbuild {
    xmlDocPtr doc;
    xmlNsPtr ns;
    bool pretty;
    size_t replaced;
} xbuild;

/* A copy of s with the characters XML 1.0 forbids replaced by U+FFFD. */
static xmlChar *xml_safe(xbuild *b, const char *s, size_t len)
{
    dk_buf out = DK_BUF_INIT;
    for (size_t i = 0; i < len;) {
        const unsigned char *u = (const unsigned char *)s + i;
        size_t n = 0;
        if (u[0] < 0x20 && u[0] != '\t' && u[0] != '\n' && u[0] != '\r')
            n = 1;
        else if (len - i >= 3 && u[0] == 0xEF && u[1] == 0xBF &&
                 (u[2] == 0xBE || u[2] == 0xBF))
            n = 3;
        if (n) {
            dk_buf_append(&out, "\xEF\xBF\xBD", 3);
            b->replaced++;
            i += n;
        } else {
            dk_buf_append(&out, s + i, 1);
            i++;
        }
    }
    return (xmlChar *)dk_buf_steal(&out);
}

static void add_text(xbuild *b, xmlNodePtr parent, const char *s, size_t len)
{
    xmlChar *safe = xml_safe(b, s, len);
    xmlNodePtr t = xmlNewDocTextLen(b->doc, safe, (int)strlen((char *)safe));
    ck_assert_ptr_nonnull(t);
    xmlAddChild(parent, t);
    free(safe);
}

static void indent(xbuild *b, xmlNodePtr parent, int depth)
{
    char buf[2 + 2 * DK_MAX_DEPTH];
    int n = 1 + 2 * (depth < DK_MAX_DEPTH ? depth : DK_MAX_DEPTH);
    buf[0] = '\n';
    memset(buf + 1, ' ', (size_t)n - 1);
    add_text(b, parent, buf, (size_t)n);
}

static void add_element(xbuild *b, xmlNodePtr parent, const dk_node *n, int depth)
{
    dk_type type = dk_node_type(n);
    xmlNodePtr e = xmlNewDocNode(b->doc, b->ns,
                                 (const xmlChar *)dk_type_name(type), NULL);
    ck_assert_ptr_nonnull(e);
    if (parent) {
        xmlAddChild(parent, e);
    } else {
        xmlDocSetRootElement(b->doc, e);
        b->ns = xmlNewNs(e, (const xmlChar *)NS, NULL);
        xmlSetNs(e, b->ns);
    }
    for (int a = 0; a < DK_ATTR_COUNT; a++) {
        const char *v = dk_node_attr(n, (dk_attr)a);
        if (!v)
            continue;
        xmlChar *safe = xml_safe(b, v, strlen(v));
        ck_assert_ptr_nonnull(
            xmlNewProp(e, (const xmlChar *)dk_attr_name((dk_attr)a), safe));
        free(safe);
    }
    bool element_only = !dk_type_allows_text(type);
    for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c)) {
        if (b->pretty && element_only)
            indent(b, e, depth + 1);
        if (dk_node_type(c) == DK_TEXT) {
            size_t len;
            const char *t = dk_node_text(c, &len);
            add_text(b, e, t, len);
        } else {
            add_element(b, e, c, depth + 1);
        }
    }
    if (b->pretty && element_only && dk_node_first(n))
        indent(b, e, depth);
}

/* libxml2's bytes for the tree; *replaced gets the number of characters
 * replaced. Transfer full. */
static char *reference_xml(const dk_node *doc, bool pretty, bool generator,
                           size_t *replaced)
{
    xbuild b = {.pretty = pretty};
    b.doc = xmlNewDoc((const xmlChar *)"1.0");
    add_element(&b, NULL, doc, 0);
    if (generator) {
        xmlNodePtr pi = xmlNewDocPI(b.doc, (const xmlChar *)"docket",
                                    (const xmlChar *)"generator=\"docket "
                                    DK_VERSION "\"");
        xmlAddPrevSibling(xmlDocGetRootElement(b.doc), pi);
    }
    xmlChar *mem = NULL;
    int len = -1;
    if (pretty)
        xmlDocDumpMemoryEnc(b.doc, &mem, &len, "UTF-8");
    else
        len = xmlC14NDocDumpMemory(b.doc, NULL, XML_C14N_1_0, NULL, 0, &mem);
    xmlFreeDoc(b.doc);
    ck_assert_int_ge(len, 0);
    char *r = strndup((char *)mem, (size_t)len);
    xmlFree(mem);
    *replaced = b.replaced;
    return r;
}

/* ---- the writers under test -------------------------------------------------- */

static dk_registry *open_plugins(void)
{
    const char *dirs[] = {PLUGIN_DIR, NULL};
    dk_registry *reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV |
                                        DK_REGISTRY_NO_DEFAULTS, NULL, NULL);
    ck_assert_ptr_nonnull(reg);
    return reg;
}

static size_t warnings;

static void count_warning(void *user, dk_diag_level level, const char *name,
                          const char *msg)
{
    (void)user, (void)name;
    if (level == DK_DIAG_WARNING && strstr(msg, "XML 1.0 does not allow"))
        warnings++;
}

static int to_buf(void *user, const void *data, size_t len)
{
    return dk_buf_append(user, data, len);
}

/* What the writer of format makes of doc with the options given.
 * Transfer full. */
static char *written(dk_registry *reg, const char *format, const dk_node *doc,
                     bool pretty, bool generator)
{
    dk_options *o = dk_options_new();
    dk_options_set_to(o, format);
    if (pretty)
        dk_options_set(o, "pretty", "1");
    if (generator)
        dk_options_set(o, "generator", "1");
    dk_options_set_diagnostics(o, count_warning, NULL);
    dk_buf b = DK_BUF_INIT;
    ck_assert_int_eq(dk_write_document(reg, o, doc, to_buf, &b), DK_E_OK);
    dk_options_free(o);
    size_t len = b.len;
    char *s = b.data ? dk_buf_steal(&b) : strdup("");
    ck_assert_uint_eq(strlen(s), len); /* no NUL inside */
    return s;
}

static void assert_same(const char *what, const char *mode, const char *got,
                        const char *want)
{
    if (!strcmp(got, want))
        return;
    size_t i = 0;
    while (got[i] && got[i] == want[i])
        i++;
    size_t from = i > 60 ? i - 60 : 0;
    ck_abort_msg("%s (%s): writer and reference differ at byte %zu:\n"
                 "writer:    ...%.120s\nreference: ...%.120s",
                 what, mode, i, got + from, want + from);
}

/* Every mode of both writers against the reference. */
static void check_tree(dk_registry *reg, const dk_node *doc, const char *what)
{
    for (int pretty = 0; pretty < 2; pretty++) {
        char *got = written(reg, "json", doc, pretty, false);
        char *want = reference_json(doc, pretty);
        assert_same(what, pretty ? "json --pretty" : "json", got, want);
        free(got);
        free(want);
        for (int gen = 0; gen < 2; gen++) {
            size_t replaced;
            warnings = 0;
            got = written(reg, "xml", doc, pretty, gen);
            want = reference_xml(doc, pretty, gen, &replaced);
            assert_same(what, pretty ? (gen ? "xml --pretty --metadata generator"
                                            : "xml --pretty")
                                     : (gen ? "xml --metadata generator" : "xml"),
                        got, want);
            /* one warning, and only when something was replaced */
            ck_assert_msg(warnings == (replaced ? 1u : 0u),
                          "%s: %zu warnings for %zu replaced characters", what,
                          warnings, replaced);
            free(got);
            free(want);
        }
    }
}

/* ---- every fixture --------------------------------------------------------------- */

/* Read path with reader format from, with (transforms) or without the
 * transforms the reader asks for. NULL if the reader refuses the file. */
static dk_node *read_fixture(dk_registry *reg, const char *path,
                             const char *from, bool transforms)
{
    size_t size;
    char *data = slurp(path, &size);
    ck_assert_ptr_nonnull(data);
    dk_options *o = dk_options_new();
    dk_options_set_from(o, from);
    if (!transforms)
        dk_options_set_flags(o, DK_OPT_NO_DEFAULT_TRANSFORMS);
    dk_node *doc = NULL;
    if (dk_read_document(reg, o, path, data, size, &doc) != DK_E_OK)
        doc = NULL;
    dk_options_free(o);
    free(data);
    return doc;
}

static void walk_fixtures(dk_registry *reg, const char *dir, int *checked)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path;
        ck_assert(asprintf(&path, "%s/%s", dir, e->d_name) > 0);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        const char *dot = strrchr(e->d_name, '.');
        const char *from = !dot ? NULL
                           : !strcmp(dot, ".txt") ? "text"
                           : !strcmp(dot, ".xml") ? "xml"
                           : !strcmp(dot, ".json") ? "json"
                                                   : NULL;
        if (S_ISDIR(st.st_mode)) {
            walk_fixtures(reg, path, checked);
        } else if (from) {
            for (int tr = 0; tr < 2; tr++) {
                dk_node *doc = read_fixture(reg, path, from, tr);
                if (!doc)
                    break; /* hostile input, or XML of another vocabulary */
                char what[600];
                snprintf(what, sizeof what, "%s%s", path,
                         tr ? " (with transforms)" : "");
                check_tree(reg, doc, what);
                dk_node_free(doc);
                (*checked)++;
            }
        }
        free(path);
    }
    closedir(d);
}

START_TEST(writers_equal_the_libraries_on_every_fixture)
{
    dk_registry *reg = open_plugins();
    int checked = 0;
    walk_fixtures(reg, FIXTURES, &checked);
    ck_assert_int_ge(checked, 40);
    dk_registry_close(reg);
}
END_TEST

/* ---- random trees ------------------------------------------------------------------ */

static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* Pieces of text: every ASCII character the escaping treats apart, the
 * characters XML 1.0 forbids, multi-byte characters around them. */
static const char *const pieces[] = {
    "&", "<", ">", "\"", "'", "\\", "/", "\r", "\n", "\t", "\r\n", "]]>",
    "&amp;", "&#xD;", "\x01", "\x08", "\x0B", "\x0C", "\x1F", "\x7F",
    "\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xEF\xBF\xBD", "\xEF\xBB\xBF",
    "\xC2\xA0", "\xC3\xA9", "\xE2\x80\x99", "\xE2\x80\xA8", "\xE2\x80\xA9",
    "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\xC2\x80", "\xDF\xBF",
    "plain words ", "Yours sincerely", " ", "  ", "x", "\xE6\x97\xA5\xE6\x9C\xAC",
};

static void random_text(char *out, size_t cap, unsigned *seed)
{
    size_t len = 0;
    int n = (int)(rnd(seed) % 6);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *p = pieces[rnd(seed) % (sizeof pieces / sizeof pieces[0])];
        size_t pl = strlen(p);
        if (len + pl >= cap)
            break;
        memcpy(out + len, p, pl + 1);
        len += pl;
    }
}

static void grow(dk_node *parent, int depth, unsigned *seed)
{
    int children = (int)(rnd(seed) % 5);
    char text[256];
    for (int c = 0; c < children; c++) {
        dk_type t = (dk_type)(rnd(seed) % DK_TYPE_COUNT);
        if (t == DK_TEXT || depth > 8) {
            random_text(text, sizeof text, seed);
            if (dk_type_allows_text(dk_node_type(parent)))
                dk_node_add_text(parent, text, strlen(text));
            continue;
        }
        if (t == DK_DOCUMENT || !dk_type_allows_child(dk_node_type(parent), t))
            continue;
        dk_node *n = dk_node_add(parent, t);
        if (!n)
            continue;
        for (int a = 0; a < DK_ATTR_COUNT; a++) {
            if (!dk_type_allows_attr(t, (dk_attr)a) || rnd(seed) % 3)
                continue;
            random_text(text, sizeof text, seed);
            dk_node_set_attr(n, (dk_attr)a, text);
        }
        grow(n, depth + 1, seed);
    }
}

START_TEST(writers_equal_the_libraries_on_random_trees)
{
    dk_registry *reg = open_plugins();
    for (unsigned i = 0; i < 1500; i++) {
        unsigned seed = i * 2654435761u + 7;
        dk_node *doc = dk_document_new(i % 3 ? "page" : NULL);
        grow(dk_document_meta(doc), 1, &seed);
        grow(dk_document_body(doc), 1, &seed);
        if (i % 50 == 0) {
            /* an empty text node, which dk_node_set_text allows */
            dk_node *p = dk_node_add(dk_document_body(doc), DK_P);
            dk_node_add_text(p, "x", 1);
            dk_node_set_text(dk_node_first(p), "", 0);
        }
        char what[64];
        snprintf(what, sizeof what, "random tree %u", i);
        check_tree(reg, doc, what);
        dk_node_free(doc);
    }
    dk_registry_close(reg);
}
END_TEST

/* Deeper than the indentation goes (DK_MAX_DEPTH levels), and wider than
 * the writers' buffers. */
START_TEST(writers_equal_the_libraries_deep_and_wide)
{
    dk_registry *reg = open_plugins();
    dk_node *doc = dk_document_new("report");
    dk_node *n = dk_document_body(doc);
    for (int i = 0; i < DK_MAX_DEPTH + 30; i++)
        n = dk_node_add(n, DK_QUOTE);
    dk_node_add_with_text(n, DK_P, "deep & <down>");
    dk_node *body = dk_document_body(doc);
    char line[300];
    for (int i = 0; i < 3000; i++) {
        snprintf(line, sizeof line,
                 "Paragraph %d of a long document: \"quoted\" & escaped <text>, "
                 "\xE2\x80\x98" "curly\xE2\x80\x99 quotes and a tab\there.", i);
        dk_node *p = dk_node_add_with_text(body, DK_P, line);
        dk_node_set_attr_int(p, DK_ATTR_OFFSET, i * 97);
    }
    check_tree(reg, doc, "deep and wide tree");
    dk_node_free(doc);
    dk_registry_close(reg);
}
END_TEST

int main(void)
{
    for (int i = 0; i < DK_ATTR_COUNT; i++)
        attr_order[i] = i;
    qsort(attr_order, DK_ATTR_COUNT, sizeof attr_order[0], by_attr_name);
    xmlInitParser();

    Suite *s = suite_create("writers");
    TCase *tc = tcase_create("writers");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, writers_equal_the_libraries_on_every_fixture);
    tcase_add_test(tc, writers_equal_the_libraries_on_random_trees);
    tcase_add_test(tc, writers_equal_the_libraries_deep_and_wide);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
