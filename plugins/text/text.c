/* text: plain text in (structure rebuilt from layout) and out. */
#include "text.h"

#include <string.h>

static const char *const extensions[] = {"txt", "text", NULL};

/* Plain text is the fallback: anything that decodes without control
 * characters scores low, so that every other reader wins where it matches. */
static int text_probe(const dk_probe *p)
{
    size_t controls = 0;
    for (size_t i = 0; i < p->size; i++) {
        unsigned char c = p->data[i];
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            controls++;
    }
    bool utf16 = p->size >= 2 && (memcmp(p->data, "\xFF\xFE", 2) == 0 ||
                                  memcmp(p->data, "\xFE\xFF", 2) == 0);
    if (utf16) /* its NULs are not controls; markup in it is a markup reader's */
        return DK_SCORE_FALLBACK;
    /* A few stray controls (or NULs) are tolerated: the reader reports them. */
    if (controls * 100 > p->size)
        return 0;
    return DK_SCORE_FALLBACK;
}

DOCKET_PLUGIN(.name = "text", .version = DK_VERSION,
              .description = "plain text: structure from layout; plain output",
              .kinds = DK_KIND_READER | DK_KIND_WRITER, .format = "text",
              .extensions = extensions, .probe = text_probe, .read = text_read,
              .write = text_write);
