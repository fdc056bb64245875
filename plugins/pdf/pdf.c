/*
 * pdf: a reader on poppler-glib. The document is opened from the input
 * bytes, its pages are read one at a time (each page's poppler objects
 * freed before the next), and the layout analysis in layout.c builds the
 * tree from what was kept. Metadata comes from the document information
 * dictionary and the XMP packet.
 *
 * Options (through the conversion context): "password" opens an encrypted
 * PDF, "pages" reads only some pages ("3-7,9", "5-"), "allow-empty" makes
 * a PDF without text a warning instead of an error, "max-pages" raises the
 * limit on the pages read.
 *
 * poppler reports problems through GLib's log ("Poppler" domain). A
 * handler installed once for the process counts them for the conversion
 * running on the same thread, so nothing reaches stdout or stderr behind
 * docket's back; the first is named in one warning.
 */
#define _GNU_SOURCE
#include "pdfp.h"

#include <gio/gio.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- poppler's messages ---------------------------------------------------- */

typedef struct logsink {
    unsigned count;
    char first[160];
} logsink;

static _Thread_local logsink *current_sink;

static void log_handler(const gchar *domain, GLogLevelFlags level, const gchar *message,
                        gpointer user)
{
    logsink *s = current_sink;
    if (!s || !message)
        return; /* outside a conversion: dropped */
    if (s->count++ == 0)
        snprintf(s->first, sizeof s->first, "%s", message);
}

/* Once, when docket opens the plugin: poppler's and GLib's messages go to
 * the conversion that caused them, never to the terminal. */
static int pdf_init(void)
{
    static const char *const domains[] = {"Poppler", "GLib", "GLib-GObject", "GLib-GIO",
                                          NULL};
    for (const char *const *d = domains; *d; d++)
        g_log_set_handler(*d, G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                          log_handler, NULL);
    return 0;
}

/* Pages read at most unless --max-pages says otherwise: more than any
 * real document, few enough that a crafted PDF of a million empty pages
 * is refused before poppler lays them out one by one. */
#define PDF_MAX_PAGES 100000

/* ---- options ----------------------------------------------------------------- */

typedef struct range {
    long from, to; /* to = LONG_MAX: to the end */
} range;

/* Parse "3-7,9,12-" into ranges; returns the number, or -1 if malformed. */
static int parse_pages(const char *s, range *out, int max)
{
    int n = 0;
    while (*s) {
        char *end;
        if (!isdigit((unsigned char)*s))
            return -1;
        long a = strtol(s, &end, 10), b = a;
        s = end;
        if (*s == '-') {
            s++;
            if (isdigit((unsigned char)*s)) {
                b = strtol(s, &end, 10);
                s = end;
            } else {
                b = LONG_MAX;
            }
        }
        if (a < 1 || b < a || n == max)
            return -1;
        out[n++] = (range){a, b};
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return n;
}

static bool wanted(const range *r, int n, long page)
{
    if (n == 0)
        return true;
    for (int i = 0; i < n; i++)
        if (page >= r[i].from && page <= r[i].to)
            return true;
    return false;
}

/* ---- metadata ------------------------------------------------------------------ */

/* Decode XML's character references and the five entities, in place. */
static void xml_unescape(char *s)
{
    char *w = s;
    for (char *p = s; *p;) {
        if (*p != '&') {
            *w++ = *p++;
            continue;
        }
        static const struct {
            const char *name;
            char c;
        } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
                    {"&apos;", '\''}};
        bool done = false;
        for (size_t i = 0; i < 5 && !done; i++)
            if (!strncmp(p, ents[i].name, strlen(ents[i].name))) {
                *w++ = ents[i].c;
                p += strlen(ents[i].name);
                done = true;
            }
        if (!done && p[1] == '#') {
            char *end;
            long cp = p[2] == 'x' ? strtol(p + 3, &end, 16) : strtol(p + 2, &end, 10);
            if (*end == ';' && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
                w += dk_utf8_encode((uint32_t)cp, w);
                p = end + 1;
                done = true;
            }
        }
        if (!done)
            *w++ = *p++;
    }
    *w = '\0';
}

/* The n-th rdf:li (0-based) inside the XMP property prop, or a simple
 * property's element or attribute value. Transfer full; NULL if absent. */
static char *xmp_value(const char *xmp, const char *prop, int nth)
{
    char open[64], close[64], attr[64];
    snprintf(open, sizeof open, "<%s", prop);
    snprintf(close, sizeof close, "</%s>", prop);
    snprintf(attr, sizeof attr, "%s=\"", prop);
    const char *p = strstr(xmp, open);
    const char *v = NULL, *ve = NULL;
    if (p && (p[strlen(open)] == '>' || isspace((unsigned char)p[strlen(open)]))) {
        const char *body = strchr(p, '>');
        const char *end = body ? strstr(body, close) : NULL;
        if (!end)
            return NULL;
        body++;
        const char *li = body;
        for (int i = 0; li && li < end && i <= nth; i++) {
            li = strstr(li, "<rdf:li");
            if (li && li < end && i < nth)
                li += 7;
        }
        if (li && li < end) {
            v = strchr(li, '>');
            ve = v ? strstr(v, "</rdf:li>") : NULL;
            if (!v || !ve || ve > end)
                return NULL;
            v++;
        } else if (nth == 0 && !strstr(body, "<rdf:") ) {
            v = body;
            ve = end;
            if (memchr(v, '<', (size_t)(ve - v)))
                return NULL;
        } else {
            return NULL;
        }
    } else if (nth == 0 && (p = strstr(xmp, attr))) {
        v = p + strlen(attr);
        ve = strchr(v, '"');
        if (!ve)
            return NULL;
    } else {
        return NULL;
    }
    char *s = strndup(v, (size_t)(ve - v));
    if (!s)
        return NULL;
    xml_unescape(s);
    /* trim */
    char *a = s;
    while (isspace((unsigned char)*a))
        a++;
    size_t len = strlen(a);
    while (len && isspace((unsigned char)a[len - 1]))
        len--;
    memmove(s, a, len);
    s[len] = '\0';
    if (!*s || dk_utf8_valid_prefix(s, len) != len) {
        free(s);
        return NULL;
    }
    return s;
}

/* A title that is a file name or a producer's leftover says nothing. */
static bool useful_title(const char *t)
{
    if (!t || !*t)
        return false;
    size_t len = strlen(t);
    static const char *const junk[] = {"Microsoft Word - ", "Microsoft PowerPoint - ",
                                       "untitled", "Untitled", NULL};
    for (const char *const *j = junk; *j; j++)
        if (!strncmp(t, *j, strlen(*j)))
            return false;
    static const char *const ext[] = {".doc", ".docx", ".pdf", ".rtf", ".odt", ".txt",
                                      ".indd", ".tex", ".dvi", NULL};
    for (const char *const *e = ext; *e; e++) {
        size_t el = strlen(*e);
        if (len > el && !strcasecmp(t + len - el, *e))
            return false;
    }
    return true;
}

static bool language_tag(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++, n++)
        if (!isalnum((unsigned char)*p) && *p != '-')
            return false;
    return n >= 2 && n <= 35 && isalpha((unsigned char)s[0]) && strcmp(s, "x-default");
}

static int add_meta_text(dk_node *meta, dk_type type, const char *text)
{
    if (!text || !*text || dk_utf8_valid_prefix(text, strlen(text)) != strlen(text))
        return 0;
    return dk_node_add_with_text(meta, type, text) ? 0 : -1;
}

static int metadata(dk_ctx *ctx, PopplerDocument *pd, dk_node *doc, bool letter)
{
    dk_node *meta = dk_document_meta(doc);
    char *title = poppler_document_get_title(pd);
    char *author = poppler_document_get_author(pd);
    char *xmp = poppler_document_get_metadata(pd);
    GDateTime *created = poppler_document_get_creation_date_time(pd);
    char *xtitle = NULL, *xlang = NULL, *xdate = NULL, *iso = NULL, *when = NULL;
    int r = -1;
    if (!meta)
        goto cleanup;
    if (xmp) {
        xtitle = xmp_value(xmp, "dc:title", 0);
        xlang = xmp_value(xmp, "dc:language", 0);
        xdate = xmp_value(xmp, "xmp:CreateDate", 0);
    }
    /* the title: the one on the page, else the declared one; a letter's
     * is its subject, which the letter transform finds */
    if (!dk_node_child(meta, DK_TITLE) && !letter) {
        const char *t = useful_title(title) ? title : useful_title(xtitle) ? xtitle : NULL;
        dk_node *n = t ? dk_node_new(DK_TITLE) : NULL;
        if (t && (!n || dk_node_add_text(n, t, strlen(t)) < 0 ||
                  dk_node_insert_before(meta, dk_node_first(meta), n) < 0)) {
            dk_node_free(n);
            goto cleanup;
        }
    }
    /* the date the PDF was made */
    if (created) {
        iso = g_date_time_format(created, "%Y-%m-%dT%H:%M:%S%:z");
        when = g_date_time_format(created, "%Y-%m-%d");
    } else if (xdate && strlen(xdate) >= 10) {
        iso = g_strdup(xdate);
        when = g_strndup(xdate, 10);
    }
    if (iso && when && strlen(when) == 10 && isdigit((unsigned char)when[0])) {
        dk_node *dn = dk_node_add_with_text(meta, DK_DATE, iso);
        if (!dn || dk_node_set_attr(dn, DK_ATTR_WHEN, when) < 0)
            goto cleanup;
    }
    /* authors: the information dictionary's, split at semicolons, or XMP's */
    if (author && *author) {
        for (char *a = strtok(author, ";"); a; a = strtok(NULL, ";")) {
            while (isspace((unsigned char)*a))
                a++;
            size_t len = strlen(a);
            while (len && isspace((unsigned char)a[len - 1]))
                a[--len] = '\0';
            if (add_meta_text(meta, DK_AUTHOR, a) < 0)
                goto cleanup;
        }
    } else if (xmp) {
        for (int i = 0; i < 16; i++) {
            char *a = xmp_value(xmp, "dc:creator", i);
            if (!a)
                break;
            int ar = add_meta_text(meta, DK_AUTHOR, a);
            free(a);
            if (ar < 0)
                goto cleanup;
        }
    }
    if (xlang && language_tag(xlang) && add_meta_text(meta, DK_LANG, xlang) < 0)
        goto cleanup;
    r = 0;
cleanup:
    if (r < 0)
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    g_free(title);
    g_free(author);
    g_free(xmp);
    g_free(iso);
    g_free(when);
    if (created)
        g_date_time_unref(created);
    free(xtitle);
    free(xlang);
    free(xdate);
    return r;
}

/* ---- reading ---------------------------------------------------------------------- */

static bool looks_like_pdf(const unsigned char *data, size_t size)
{
    size_t n = size < 1024 ? size : 1024;
    return n >= 5 && memmem(data, n, "%PDF-", 5) != NULL;
}

static int pdf_read(dk_ctx *ctx, const unsigned char *data, size_t size, dk_node **out)
{
    logsink sink = {0};
    GBytes *bytes = NULL;
    PopplerDocument *pd = NULL;
    GError *err = NULL;
    pdf_doc d = {.text = DK_BUF_INIT};
    dk_node *doc = NULL;
    range ranges[64];
    int nranges = 0, r = -1;
    *out = NULL;

    current_sink = &sink;

    const char *pages = dk_ctx_option(ctx, "pages");
    const char *password = dk_ctx_option(ctx, "password");
    bool allow_empty = dk_ctx_option(ctx, "allow-empty") != NULL;
    if (pages && (nranges = parse_pages(pages, ranges, 64)) <= 0) {
        dk_ctx_fail(ctx, DK_E_USAGE, "--pages %s: expected page numbers and ranges "
                                     "such as 3-7,9", pages);
        goto cleanup;
    }
    if (!looks_like_pdf(data, size)) {
        dk_ctx_fail(ctx, DK_E_FORMAT, "not a PDF (no %%PDF- header)");
        goto cleanup;
    }
    bytes = g_bytes_new_static(data, size);
    if (password) {
        /* poppler-glib 22.12 frees the stream it retries a wrong password
         * on when opening from bytes (and crashes); its stream reader
         * does not */
        GInputStream *in = g_memory_input_stream_new_from_bytes(bytes);
        pd = poppler_document_new_from_stream(in, (goffset)size, password, NULL, &err);
        g_object_unref(in);
    } else {
        pd = poppler_document_new_from_bytes(bytes, NULL, &err);
    }
    if (!pd) {
        if (err && g_error_matches(err, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
            dk_ctx_fail(ctx, DK_E_FORMAT,
                        password ? "PDF is encrypted and the password is wrong"
                                 : "PDF is encrypted: give its password with --password");
        else
            dk_ctx_fail(ctx, DK_E_FORMAT, "PDF is damaged or truncated (%s)",
                        err ? err->message : "poppler could not open it");
        goto cleanup;
    }
    int n = poppler_document_get_n_pages(pd);
    if (n <= 0) {
        dk_ctx_fail(ctx, DK_E_FORMAT, "PDF is damaged or truncated: no pages found");
        goto cleanup;
    }
    long max_pages = PDF_MAX_PAGES, to_read = 0;
    const char *mp = dk_ctx_option(ctx, "max-pages");
    if (mp) {
        char *end;
        errno = 0;
        max_pages = strtol(mp, &end, 10);
        if (!isdigit((unsigned char)*mp) || *end || errno || max_pages < 1) {
            dk_ctx_fail(ctx, DK_E_USAGE, "--max-pages %s: expected a number of pages", mp);
            goto cleanup;
        }
    }
    for (int i = 0; i < n; i++)
        to_read += wanted(ranges, nranges, i + 1);
    if (to_read > max_pages) {
        dk_ctx_fail(ctx, DK_E_LIMIT, "the PDF has %ld pages to read, more than the "
                    "limit of %ld (raise it with --max-pages, or choose pages "
                    "with --pages)", to_read, max_pages);
        goto cleanup;
    }
    /* one page at a time: poppler's page and its text are freed before
     * the next */
    int read = 0, empty = 0, first_empty = 0;
    for (int i = 0; i < n; i++) {
        if (!wanted(ranges, nranges, i + 1))
            continue;
        PopplerPage *page = poppler_document_get_page(pd, i);
        if (!page) {
            dk_ctx_warn(ctx, "page %d could not be read (the PDF is damaged)", i + 1);
            continue;
        }
        size_t before = d.nfrags;
        int er = pdf_extract_page(&d, page, (uint32_t)(i + 1));
        g_object_unref(page);
        if (er < 0) {
            dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
            goto cleanup;
        }
        read++;
        if (d.nfrags == before && empty++ == 0)
            first_empty = i + 1;
    }
    if (read == 0) {
        dk_ctx_fail(ctx, DK_E_USAGE, "--pages %s: the PDF has %d page%s", pages, n,
                    n == 1 ? "" : "s");
        goto cleanup;
    }
    if (sink.count)
        dk_ctx_warn(ctx, "the PDF may be damaged: poppler reported %u problem%s (%s)",
                    sink.count, sink.count == 1 ? "" : "s", sink.first);
    if (empty == read) {
        dk_ctx_warn(ctx, "no text in the PDF: %s image%s only (scanned? it needs OCR)",
                    read == 1 ? "its page holds" : "its pages hold", read == 1 ? "" : "s");
        if (!allow_empty) {
            dk_ctx_fail(ctx, DK_E_FORMAT, "nothing to read (--allow-empty accepts "
                                          "an empty document)");
            goto cleanup;
        }
    } else if (empty) {
        dk_ctx_warn(ctx, "%d page%s without text (images only?), the first page %d", empty,
                    empty == 1 ? "" : "s", first_empty);
    }

    doc = dk_document_new(NULL);
    if (!doc) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    bool letter = false, inspection = false;
    if (pdf_layout(ctx, &d, doc, &letter, &inspection) < 0 ||
        metadata(ctx, pd, doc, letter) < 0)
        goto cleanup;
    if (dk_ctx_request_transform(ctx, "clean") < 0 ||
        (letter && dk_ctx_request_transform(ctx, "letter") < 0) ||
        (inspection && dk_ctx_request_transform(ctx, "inspection") < 0)) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    *out = doc;
    doc = NULL;
    r = 0;
cleanup:
    current_sink = NULL;
    dk_node_free(doc);
    pdf_doc_free(&d);
    if (pd)
        g_object_unref(pd);
    if (bytes)
        g_bytes_unref(bytes);
    if (err)
        g_error_free(err);
    return r;
}

static const char *const extensions[] = {"pdf", NULL};

/* Declared so that the registry opens this plugin (and poppler) only for
 * input that starts like a PDF. */
static const dk_magic magic[] = {{0, 5, "%PDF-", DK_SCORE_MAX}, {0, 0, NULL, 0}};

static const dk_option_decl options[] = {
    {"password", "PASSWORD", "pdf: open an encrypted PDF"},
    {"pages", "RANGE", "pdf: read only these pages (3-7,9 or 5-)"},
    {"allow-empty", NULL, "pdf: a PDF without text is a warning, not an error"},
    {"max-pages", "N", "pdf: refuse a PDF of more than N pages to read (default 100000)"},
    {NULL, NULL, NULL},
};

DOCKET_PLUGIN(.name = "pdf", .version = DK_VERSION,
              .description = "PDF (poppler): text with its layout, structure rebuilt",
              .kinds = DK_KIND_READER, .format = "pdf", .extensions = extensions,
              .magic = magic, .read = pdf_read, .init = pdf_init,
              .options = options);
