/*
 * wordcount: an example docket plugin, built outside docket's source tree
 * against the installed header (see the Makefile beside this file).
 *
 * A writer that counts what a document holds:
 *     docket -t wordcount report.txt
 */
#include <docket/docket.h>

#include <string.h>

struct counts {
    unsigned long words, paragraphs, headings, items;
};

static int count(dk_node *n, int depth, void *user)
{
    (void)depth;
    struct counts *c = user;
    switch (dk_node_type(n)) {
    case DK_P: c->paragraphs++; break;
    case DK_HEADING: c->headings++; break;
    case DK_ITEM: c->items++; break;
    case DK_TEXT: {
        size_t len;
        const char *t = dk_node_text(n, &len);
        int in_word = 0;
        for (size_t i = 0; i < len; i++) {
            int space = t[i] == ' ' || t[i] == '\n' || t[i] == '\t';
            if (!space && !in_word)
                c->words++;
            in_word = !space;
        }
        break;
    }
    default: break;
    }
    return 0;
}

static int wordcount_write(dk_ctx *ctx, const dk_node *doc, dk_sink *out)
{
    (void)ctx;
    struct counts c = {0};
    /* count the body only, not the metadata */
    dk_node *body = dk_node_child(doc, DK_BODY);
    if (body)
        dk_node_walk(body, count, &c);
    return dk_sink_printf(out, "words %lu\nparagraphs %lu\nheadings %lu\n"
                          "items %lu\n", c.words, c.paragraphs, c.headings,
                          c.items);
}

DOCKET_PLUGIN(.name = "wordcount", .version = "1.0",
              .description = "counts words, paragraphs, headings, list items",
              .kinds = DK_KIND_WRITER, .format = "wordcount",
              .write = wordcount_write);
