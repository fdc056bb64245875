/* Fuzz the whole path as the command runs it: detection, the reader's
 * default transforms, every writer. Nothing may crash or leak, and the
 * JSON and XML outputs must read back to themselves. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const writers[] = {"json", "xml", "text", "docx"};
    static dk_options *o[4];
    if (size > (1u << 20))
        return 0;
    for (int w = 0; w < 4; w++) {
        if (!o[w]) {
            o[w] = dk_options_new();
            dk_options_set_to(o[w], writers[w]);
        }
        char *out = NULL;
        size_t len = 0;
        dk_status st = dk_convert_memory(fuzz_registry(), o[w], "fuzz", data, size,
                                         &out, &len);
        if (st == DK_E_OK && w < 2) {
            dk_node *doc = NULL;
            dk_options *back = dk_options_new();
            dk_options_set_from(back, writers[w]);
            dk_options_set_flags(back, DK_OPT_NO_DEFAULT_TRANSFORMS);
            fuzz_require(dk_read_document(fuzz_registry(), back, "out", out, len, &doc) ==
                             DK_E_OK,
                         "a conversion's output does not read back", writers[w]);
            fuzz_check_tree(doc, 1);
            dk_node_free(doc);
            dk_options_free(back);
        }
        free(out);
    }
    return 0;
}
