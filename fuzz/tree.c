/*
 * Fuzz the transforms and writers with trees built from the input: each
 * byte is an instruction (open a child element of some type, add text,
 * close, set an attribute), kept within the content model by the tree's
 * own builders. Every tree must pass the invariants of check.h.
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Words the transforms look for, so that trees reach their rules. */
static const char *const words[] = {
    "Dear Sir,", "Yours sincerely", "Good", "Requires improvement",
    "Areas for improvement", "How effective is the force? Good",
    "Effectiveness", "Questions for Effectiveness", "Our judgement",
    "Last updated 02/03/2017", "Our ref: AB/12", "cc: Chief Executive",
    "Mr A. Smith", "The Chief Constable", "Northshire Police",
    "12 High Street", "Leeds LS1 2AB", "Tel: 0113 496 0000", "a@b.org",
    "The force should act.", "\xe2\x80\x9cQuoted", "text\xe2\x80\x9d",
    "caf\xc3\x83\xc2\xa9", "Skip to content", "Most read", "By Jane Smith",
    "Published: 3 March 2019", "1) Preventing crime \xe2\x80\x93 Grade Good",
    "yesterday (February 18)", "Date: 1 February 2019", "Encs.",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    dk_node *doc = dk_document_new(NULL);
    dk_node *stack[64];
    int top = 0;
    stack[0] = dk_document_body(doc);
    for (size_t i = 0; i < size; i++) {
        uint8_t b = data[i], arg = i + 1 < size ? data[i + 1] : 0;
        dk_node *cur = stack[top];
        switch (b % 5) {
        case 0: { /* an element: a byte names a type by its number, the
                   * same whatever types are added later (numbers past the
                   * last type add nothing), so saved inputs keep their
                   * meaning */
            dk_type t = (dk_type)(arg % 64);
            dk_node *n = DK_TYPE_IS_ELEMENT(t) ? dk_node_add(cur, t) : NULL;
            if (n && top < 63)
                stack[++top] = n;
            i++;
            break;
        }
        case 1: /* words the rules know */
            dk_node_add_text(cur, words[arg % (sizeof words / sizeof words[0])],
                             strlen(words[arg % (sizeof words / sizeof words[0])]));
            i++;
            break;
        case 2: { /* raw bytes: refused unless UTF-8 */
            size_t n = arg % 16;
            if (i + 2 + n <= size)
                dk_node_add_text(cur, (const char *)data + i + 2, n);
            i += 1 + n;
            break;
        }
        case 3: /* close */
            if (top > 0)
                top--;
            break;
        case 4: { /* an attribute, with a value from the input */
            static const char *const values[] = {"pillar", "question", "1", "2",
                                                 "bullet", "ordered", "good",
                                                 "written", "2019-02-01", "x"};
            dk_attr a = (dk_attr)(arg % 16);
            if ((unsigned)a < DK_ATTR_COUNT && dk_type_allows_attr(dk_node_type(cur), a))
                dk_node_set_attr(cur, a, values[(arg / 16) % 10]);
            i++;
            break;
        }
        }
    }
    /* meta gets a little too */
    dk_node_add_with_text(dk_document_meta(doc), DK_TITLE, "Fuzzed");
    fuzz_check_tree(doc, 0);
    dk_node_free(doc);
    return 0;
}
