/* xml: docket's canonical XML (W3C C14N), its reader and its schema. */
#include "../part.h"
#include "xmlp.h"

#include <stdlib.h>
#include <string.h>

static const char *const extensions[] = {"xml", NULL};

/* ---- the libxml2 part, opened on first use ---------------------------------- */

static int setup_parts(const void *table)
{
    return ((const xmlp_table *)table)->setup();
}

static part parts = PART_INIT(XMLP_PARTS_FILE, XMLP_PARTS_SYMBOL,
                              "the XML reader", setup_parts);

/* When docket closes the plugin (no conversion is running): close the
 * reading part too. */
static void xml_deinit(void)
{
    part_close(&parts);
}

static int xml_read(dk_ctx *ctx, const unsigned char *data, size_t size,
                    dk_node **out)
{
    *out = NULL;
    const xmlp_table *t = part_get(&parts, ctx, (const void *)xml_read);
    return t ? t->read(ctx, data, size, out) : -1;
}

static int xml_validate(dk_ctx *ctx, const unsigned char *data, size_t size)
{
    const xmlp_table *t = part_get(&parts, ctx, (const void *)xml_read);
    return t ? t->validate(ctx, data, size) : -1;
}

/* ---- probing ------------------------------------------------------------------ */

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

/* The plugin is only opened to probe input that starts like markup. */
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
              .read = xml_read, .write = xmlp_write,
              .validate = xml_validate, .deinit = xml_deinit,
              .options = options);
