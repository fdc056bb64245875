/* The invariants every fuzz target checks (check.h). */
#define _GNU_SOURCE
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static dk_registry *reg;

dk_registry *fuzz_registry(void)
{
    if (!reg) {
        const char *dirs[] = {PLUGIN_DIR, NULL};
        reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV | DK_REGISTRY_NO_DEFAULTS,
                               NULL, NULL);
        fuzz_require(reg != NULL, "registry", PLUGIN_DIR);
    }
    return reg;
}

void fuzz_require(int cond, const char *what, const char *detail)
{
    if (cond)
        return;
    fprintf(stderr, "fuzz: invariant broken: %s\n%s\n", what, detail ? detail : "");
    abort();
}

static int to_buf(void *user, const void *data, size_t len)
{
    return dk_buf_append(user, data, len);
}

/* doc written in format. Transfer full. */
static char *written(const dk_node *doc, const char *format)
{
    dk_options *o = dk_options_new();
    dk_buf b = DK_BUF_INIT;
    fuzz_require(o && dk_options_set_to(o, format) == 0, "options", NULL);
    dk_status st = dk_write_document(fuzz_registry(), o, doc, to_buf, &b);
    fuzz_require(st == DK_E_OK, "a tree docket made cannot be written", format);
    dk_options_free(o);
    return b.data ? dk_buf_steal(&b) : strdup("");
}

/* bytes of format read back, no transforms. Transfer full. */
static dk_node *read_back(const char *bytes, const char *format)
{
    dk_options *o = dk_options_new();
    dk_node *doc = NULL;
    dk_options_set_from(o, format);
    dk_options_set_flags(o, DK_OPT_NO_DEFAULT_TRANSFORMS);
    dk_status st = dk_read_document(fuzz_registry(), o, "fuzz", bytes, strlen(bytes), &doc);
    fuzz_require(st == DK_E_OK, "docket's own output does not read back", bytes);
    dk_options_free(o);
    return doc;
}

static void round_trip(const dk_node *doc, const char *format)
{
    char *first = written(doc, format);
    dk_node *back = read_back(first, format);
    char *second = written(back, format);
    fuzz_require(!strcmp(first, second), "round trip changes the bytes", format);
    free(second);
    dk_node_free(back);
    free(first);
}

static const char *const transforms[] = {"clean", "letter", "inspection"};

static int valid(const dk_node *doc)
{
    char *xml = written(doc, "xml");
    dk_status st = dk_validate_memory(fuzz_registry(), NULL, "fuzz.xml", xml, strlen(xml));
    free(xml);
    return st == DK_E_OK;
}

void fuzz_check_tree(const dk_node *in, int must_be_valid)
{
    dk_node *doc = dk_node_copy(in);
    fuzz_require(doc != NULL, "copy", NULL);
    /* reading back gives a source: give the tree one first */
    dk_node *meta = dk_document_meta(doc);
    if (!dk_node_child(meta, DK_SOURCE)) {
        dk_node *src = dk_node_add(meta, DK_SOURCE);
        dk_node_set_attr(src, DK_ATTR_FORMAT, "fuzz");
    }
    round_trip(doc, "json");
    round_trip(doc, "xml");
    int was_valid = valid(doc);
    if (must_be_valid && !was_valid) {
        char *xml = written(doc, "xml");
        fuzz_require(0, "a reader's document is not valid against the schema", xml);
    }
    for (size_t k = 0; k < sizeof transforms / sizeof transforms[0]; k++) {
        dk_node *c = dk_node_copy(doc);
        dk_status t1 = dk_transform_document(fuzz_registry(), NULL, transforms[k], c);
        if (t1 == DK_E_OK) {
            char *once = written(c, "json");
            fuzz_require(dk_transform_document(fuzz_registry(), NULL, transforms[k], c) ==
                             DK_E_OK,
                         "a transform fails the second time", transforms[k]);
            char *twice = written(c, "json");
            if (strcmp(once, twice) != 0) {
                char *both = NULL;
                if (asprintf(&both, "%s\nbefore: %s\nonce:   %s\ntwice:  %s", transforms[k],
                             written(doc, "json"), once, twice) < 0)
                    both = NULL;
                fuzz_require(0, "a transform changes its own result", both ? both : transforms[k]);
            }
            round_trip(c, "xml");
            if (was_valid && !valid(c)) {
                char *xml = written(c, "xml");
                fuzz_require(0, transforms[k], xml);
            }
            free(once);
            free(twice);
        }
        dk_node_free(c);
    }
    dk_node_free(doc);
}
