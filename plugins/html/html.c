/*
 * html: web pages in, their main content out. The page is decoded to
 * UTF-8 (decode.c), parsed by libxml2's HTML parser into a light tree
 * (parse.c), split into content and boilerplate (extract.c), mapped to the
 * document tree (build.c); what was removed can be written to a report
 * (report.c, --removed FILE). --keep-all keeps the whole page; --base-url
 * resolves relative links.
 */
#define _GNU_SOURCE
#include "htmlp.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <string.h>
#include <strings.h>

static const char *const extensions[] = {"html", "htm", "xhtml", NULL};

/* Never load anything from outside, whatever asks for it. */
static xmlParserInputPtr refuse_external(const char *url, const char *id,
                                         xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

static int html_init(void)
{
    xmlInitParser();
    xmlSetExternalEntityLoader(refuse_external);
    ht_init();
    return 0;
}

/* ---- detection ---------------------------------------------------------------------- */

static bool starts_ci(const char *s, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - s) >= n && strncasecmp(s, word, n) == 0;
}

/* Skip white space, comments and an XML declaration. */
static const char *skip_prolog(const char *s, const char *end)
{
    for (;;) {
        while (s < end && isspace((unsigned char)*s))
            s++;
        if (starts_ci(s, end, "<!--")) {
            const char *c = memmem(s + 4, (size_t)(end - s - 4), "-->", 3);
            if (!c)
                return end;
            s = c + 3;
        } else if (starts_ci(s, end, "<?xml")) {
            const char *c = memmem(s, (size_t)(end - s), "?>", 2);
            if (!c)
                return end;
            s = c + 2;
        } else {
            return s;
        }
    }
}

static bool tag_at(const char *s, const char *end, const char *name)
{
    size_t n = strlen(name);
    return starts_ci(s, end, name) &&
           (s + n == end || !isalnum((unsigned char)s[n]));
}

/* Elements that only HTML has, looked for in the first bytes. */
static int html_tags(const char *s, const char *end)
{
    static const char *const tags[] = {"<html", "<head", "<body", "<meta",
                                       "<title", "<div", "<p>", "<br",
                                       "<script", "<a href", "<table", NULL};
    int found = 0;
    size_t n = (size_t)(end - s) < 8192 ? (size_t)(end - s) : 8192;
    for (const char *const *t = tags; *t; t++)
        for (const char *p = s; p + strlen(*t) <= s + n; p++) {
            p = memchr(p, '<', (size_t)(s + n - p));
            if (!p)
                break;
            if (tag_at(p, s + n, *t) || (!strcmp(*t, "<p>") && starts_ci(p, s + n, "<p>"))) {
                found++;
                break;
            }
        }
    return found;
}

static bool html_name(const char *filename)
{
    const char *dot = filename ? strrchr(filename, '.') : NULL;
    if (!dot)
        return false;
    for (const char *const *e = extensions; *e; e++)
        if (!strcasecmp(dot + 1, *e))
            return true;
    return false;
}

static int html_probe(const dk_probe *p)
{
    /* UTF-16 with a BOM is looked at as its ASCII */
    char head[8192];
    size_t n = dk_probe_ascii(p, head, sizeof head);
    const char *s = head, *end = head + n;
    if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        s += 3;
    const char *q = skip_prolog(s, end);
    /* docket's own XML belongs to the xml reader */
    const char *limit = q + ((size_t)(end - q) < 4096 ? (size_t)(end - q) : 4096);
    if (tag_at(q, end, "<document") &&
        memmem(q, (size_t)(limit - q), "urn:docket:document:1", 21))
        return 0;
    if (starts_ci(q, end, "<!doctype html"))
        return DK_SCORE_MAX;
    if (tag_at(q, end, "<html") || tag_at(q, end, "<head") || tag_at(q, end, "<body"))
        return DK_SCORE_LIKELY + 15;
    int tags = q < end && *q == '<' ? html_tags(q, end) : 0;
    if (tags >= 2)
        return DK_SCORE_LIKELY - 25;
    if (tags == 1)
        return DK_SCORE_POSSIBLE; /* a fragment of markup */
    if (html_name(p->filename)) {
        /* anything readable with an HTML name */
        size_t controls = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)head[i];
            controls += c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f';
        }
        return controls * 100 > n ? 0 : DK_SCORE_POSSIBLE;
    }
    return 0;
}

/* libxml2 (and ICU with it) is only loaded to probe input that starts like
 * markup, or that has an HTML name. */
static const dk_magic magic[] = {
    {0, 1, "<", DK_SCORE_POSSIBLE},
    {0, 4, "\xEF\xBB\xBF<", DK_SCORE_POSSIBLE},
    {0, 2, "\n<", DK_SCORE_POSSIBLE},
    {0, 3, "\r\n<", DK_SCORE_POSSIBLE},
    {0, 2, " <", DK_SCORE_POSSIBLE},
    {0, 2, "\t<", DK_SCORE_POSSIBLE},
    {0, 3, "\n\n<", DK_SCORE_POSSIBLE},
    {0, 5, "\r\n\r\n<", DK_SCORE_POSSIBLE},
    {0, 3, "  <", DK_SCORE_POSSIBLE},
    {0, 3, "\n\t<", DK_SCORE_POSSIBLE},
    {0, 3, "\n <", DK_SCORE_POSSIBLE},
    {0, 5, "\xEF\xBB\xBF\n<", DK_SCORE_POSSIBLE},
    {0, 6, "\xEF\xBB\xBF\r\n<", DK_SCORE_POSSIBLE},
    {0, 3, "\xFF\xFE<", DK_SCORE_POSSIBLE},
    {0, 4, "\xFE\xFF\0<", DK_SCORE_POSSIBLE},
    {0, 0, NULL, 0},
};

/* ---- reading ------------------------------------------------------------------------- */

static int html_read(dk_ctx *ctx, const unsigned char *data, size_t size,
                     dk_node **out)
{
    hdecoded dec = {.utf8 = DK_BUF_INIT};
    hpage page = {0};
    dk_node *doc = NULL;
    int r = -1;
    *out = NULL;
    bool keep_all = dk_ctx_option(ctx, "keep-all") != NULL;
    const char *removed = dk_ctx_option(ctx, "removed");
    const char *name = dk_ctx_name(ctx);

    if (html_decode(ctx, data, size, &dec) < 0)
        goto cleanup;
    /* what is read from here on is the decoded copy */
    dk_ctx_input_done(ctx, data + size);
    if (html_parse(ctx, &dec, &page) < 0)
        goto cleanup;
    html_extract(&page, keep_all);
    hbuild_opts opts = {.dec = &dec,
                        .base_url = dk_ctx_option(ctx, "base-url"),
                        .filename = name,
                        .keep_all = keep_all};
    bool letter = false, inspection = false;
    if (html_build(ctx, &page, &opts, &doc, &letter, &inspection) < 0)
        goto cleanup;
    if (removed) {
        hoffsets offs = {.dec = &dec};
        if (html_report(ctx, &page, removed, name, &offs) < 0)
            goto cleanup;
    }
    if ((!keep_all && dk_ctx_request_transform(ctx, "clean") < 0) ||
        (letter && dk_ctx_request_transform(ctx, "letter") < 0) ||
        (inspection && dk_ctx_request_transform(ctx, "inspection") < 0)) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    *out = doc;
    doc = NULL;
    r = 0;
cleanup:
    dk_node_free(doc);
    hpage_free(&page);
    dk_buf_free(&dec.utf8);
    return r;
}

static const dk_option_decl options[] = {
    {"keep-all", NULL, "html: keep the whole page, not only its main content"},
    {"removed", "FILE", "html: write what was removed to FILE (TSV; a directory: one per input)"},
    {"base-url", "URL", "html: resolve relative links against URL"},
    {NULL, NULL, NULL},
};

DOCKET_PLUGIN(.name = "html", .version = DK_VERSION,
              .description = "web pages: main content, structure, removal report",
              .kinds = DK_KIND_READER, .format = "html",
              .extensions = extensions, .magic = magic, .probe = html_probe,
              .read = html_read, .init = html_init, .options = options);
