/* xml plugin: internal interfaces shared by its files. */
#ifndef DOCKET_XML_PLUGIN_H
#define DOCKET_XML_PLUGIN_H

#include <docket/docket.h>

#include <libxml/tree.h>

#define XMLP_NS "urn:docket:document:1"

/* The RELAX NG schema, embedded at build time from schema/docket.rng. */
extern const unsigned char xmlp_schema_rng[];
extern const size_t xmlp_schema_rng_len;

/*
 * Parse XML safely: no network, no DTD (a DOCTYPE is refused before
 * anything in it is read, so no entity is declared, expanded or fetched),
 * libxml2's depth limit. Returns the document (free with xmlFreeDoc) or
 * NULL after dk_ctx_fail() with the line of the problem.
 */
xmlDocPtr xmlp_parse(dk_ctx *ctx, const unsigned char *data, size_t size);

int xmlp_read(dk_ctx *ctx, const unsigned char *data, size_t size,
              dk_node **out);
int xmlp_write(dk_ctx *ctx, const dk_node *doc, dk_sink *out);
int xmlp_validate(dk_ctx *ctx, const unsigned char *data, size_t size);

#endif
