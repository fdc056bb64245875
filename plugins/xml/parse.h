/* xml plugin, its part that links libxml2 (xml/parse.so): reading and
 * validation. */
#ifndef DOCKET_XML_PARSE_H
#define DOCKET_XML_PARSE_H

#include "xmlp.h"

#include <libxml/tree.h>

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
int xmlp_validate(dk_ctx *ctx, const unsigned char *data, size_t size);

#endif
