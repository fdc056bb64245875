/* xml: docket's canonical XML (W3C C14N), its reader and its schema. */
#define _GNU_SOURCE
#include "xmlp.h"

#include <libxml/parser.h>
#include <string.h>

static const char *const extensions[] = {"xml", NULL};

/* Never load anything from outside, whatever asks for it. */
static xmlParserInputPtr refuse_external(const char *url, const char *id,
                                         xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

/* Once, when docket opens the plugin: libxml2's process-wide set-up, and
 * an entity loader that refuses everything, behind the parser options
 * that already never load anything (defence in depth). */
static int xmlp_init(void)
{
    xmlInitParser();
    xmlSetExternalEntityLoader(refuse_external);
    return 0;
}

static const dk_option_decl options[] = {
    {"pretty", NULL, "xml, json: indented output for people"},
    {"generator", NULL, "xml, docx: record docket's version (--metadata generator)"},
    {NULL, NULL, NULL},
};

/* docket XML names its namespace near the start: on the root element,
 * after an optional declaration, comments or a DOCTYPE (refused later). */
static int xml_probe(const dk_probe *p)
{
    /* UTF-16 with its byte order mark is looked at as its ASCII */
    char head[4096];
    const char *s = head;
    size_t n = dk_probe_ascii(p, head, sizeof head);
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3, n -= 3;
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++, n--;
    if (n == 0 || *s != '<')
        return 0;
    const char *limit = s + n;
    const char *doc = memmem(s, (size_t)(limit - s), "<document", 9);
    if (doc && memmem(doc, (size_t)(limit - doc), XMLP_NS, strlen(XMLP_NS)))
        return DK_SCORE_MAX;
    if (n >= 5 && memcmp(s, "<?xml", 5) == 0)
        return DK_SCORE_POSSIBLE;
    return 0;
}

/* libxml2 is only loaded to probe input that starts like markup. */
static const dk_magic magic[] = {
    {0, 1, "<", DK_SCORE_POSSIBLE},
    {0, 4, "\xEF\xBB\xBF<", DK_SCORE_POSSIBLE},
    {0, 2, "\n<", DK_SCORE_POSSIBLE},
    {0, 3, "\r\n<", DK_SCORE_POSSIBLE},
    {0, 4, "\xFF\xFE<\0", DK_SCORE_LIKELY},
    {0, 4, "\xFE\xFF\0<", DK_SCORE_LIKELY},
    {0, 0, NULL, 0},
};

DOCKET_PLUGIN(.name = "xml", .version = DK_VERSION,
              .description = "docket's canonical XML (C14N), with its schema",
              .kinds = DK_KIND_READER | DK_KIND_WRITER, .format = "xml",
              .extensions = extensions, .magic = magic, .probe = xml_probe,
              .read = xmlp_read,
              .write = xmlp_write, .validate = xmlp_validate,
              .init = xmlp_init, .options = options);
