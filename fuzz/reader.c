/* Fuzz one reader (FORMAT, given when compiling): whatever it reads must
 * pass the invariants of check.h; what it refuses must be refused cleanly. */
#include "check.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dk_options *o;
    if (!o) {
        o = dk_options_new();
        dk_options_set_from(o, FORMAT);
    }
    if (size > (1u << 20))
        return 0;
    dk_node *doc = NULL;
    if (dk_read_document(fuzz_registry(), o, "fuzz." FORMAT, data, size, &doc) != DK_E_OK) {
        fuzz_require(doc == NULL, "a failed read returned a document", FORMAT);
        return 0;
    }
    fuzz_check_tree(doc, 1);
    dk_node_free(doc);
    return 0;
}
