/* xml plugin: internal interfaces shared by its files. */
#ifndef DOCKET_XML_PLUGIN_H
#define DOCKET_XML_PLUGIN_H

#include <docket/docket.h>

#define XMLP_NS "urn:docket:document:1"

/* Write the canonical XML (or, with the option "pretty", the indented
 * form) straight from the tree. Needs no XML library. */
int xmlp_write(dk_ctx *ctx, const dk_node *doc, dk_sink *out);

/*
 * Reading and validation need libxml2, which loads ICU and the C++
 * runtime with it: they live in a shared object of their own, xml/parse.so
 * beside xml.so (a folder the plugin search does not look into), opened
 * the first time a document is read or validated and closed with xml.so.
 * Writing XML and probing input never load libxml2. parse.so exports
 * these callbacks as the symbol XMLP_PARTS_SYMBOL.
 */
typedef struct xmlp_table {
    int (*setup)(void); /* called once, after opening: 0, or -1 */
    int (*read)(dk_ctx *ctx, const unsigned char *data, size_t size,
                dk_node **out);
    int (*validate)(dk_ctx *ctx, const unsigned char *data, size_t size);
} xmlp_table;

#define XMLP_PARTS_SYMBOL "xmlp_parts"
#define XMLP_PARTS_FILE "xml/parse.so"

#endif
