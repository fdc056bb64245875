/* json plugin: what json.so and its reading part json/parse.so share. */
#ifndef DOCKET_JSON_PLUGIN_H
#define DOCKET_JSON_PLUGIN_H

#include <docket/docket.h>

/*
 * Reading needs jansson: it lives in json/parse.so beside json.so (see
 * ../part.h), so writing JSON and probing input never load jansson.
 * parse.so exports this table as the symbol JSONP_PARTS_SYMBOL.
 */
typedef struct jsonp_table {
    int (*read)(dk_ctx *ctx, const unsigned char *data, size_t size,
                dk_node **out);
} jsonp_table;

#define JSONP_PARTS_SYMBOL "jsonp_parts"
#define JSONP_PARTS_FILE "json/parse.so"

#endif
