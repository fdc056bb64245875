/* text plugin: internal interfaces shared by its files. */
#ifndef DOCKET_TEXT_PLUGIN_H
#define DOCKET_TEXT_PLUGIN_H

#include <docket/docket.h>

/*
 * Decode the input into UTF-8 without NUL bytes: *text and *len are the
 * input itself when it is already that (the common case: nothing is
 * copied), else a transcoded or repaired copy held in out. *text is
 * NUL-terminated either way and valid while data and out are. *skipped is
 * the number of input bytes before the text's first byte (a UTF-8 BOM), or
 * (size_t)-1 when offsets in the text no longer match the input
 * (transcoded or repaired). Warns once about what it had to do.
 * Returns 0, or -1 after dk_ctx_fail().
 */
int text_decode(dk_ctx *ctx, const unsigned char *data, size_t size,
                dk_buf *out, const char **text, size_t *len, size_t *skipped);

int text_read(dk_ctx *ctx, const unsigned char *data, size_t size,
              dk_node **out);
int text_write(dk_ctx *ctx, const dk_node *doc, dk_sink *out);

#endif
