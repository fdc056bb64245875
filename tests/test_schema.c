/* The vocabulary is written down three times: the content model in
 * core/tree.c, schema/docket.rng and schema/docket.schema.json. These tests
 * fail when one of them has an element or attribute another lacks. */
#include "harness.h"

#include <docket/docket.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#define RNG_NS "http://relaxng.org/ns/structure/1.0"

/* Names seen, as a bit set over the C enums. */
typedef struct names {
    bool types[DK_TYPE_COUNT];
    bool attrs[DK_ATTR_COUNT];
} names;

static void rng_collect(xmlNodePtr n, names *seen)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (n->ns && !strcmp((const char *)n->ns->href, RNG_NS)) {
            bool el = !strcmp((const char *)n->name, "element");
            bool at = !strcmp((const char *)n->name, "attribute");
            if (el || at) {
                xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
                ck_assert_ptr_nonnull(name);
                size_t len = strlen((const char *)name);
                int i = el ? dk_type_from_name((const char *)name, len)
                           : dk_attr_from_name((const char *)name, len);
                ck_assert_msg(i >= 0, "docket.rng has %s '%s' that the tree "
                              "lacks", el ? "element" : "attribute", name);
                if (el)
                    seen->types[i] = true;
                else
                    seen->attrs[i] = true;
                xmlFree(name);
            }
        }
        rng_collect(n->children, seen);
    }
}

START_TEST(rng_matches_tree)
{
    xmlDocPtr doc = xmlReadFile(SCHEMA_DIR "/docket.rng", NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    names seen = {0};
    rng_collect(xmlDocGetRootElement(doc), &seen);
    xmlFreeDoc(doc);
    for (int t = 0; t < DK_TYPE_COUNT; t++)
        ck_assert_msg(!DK_TYPE_IS_ELEMENT(t) || seen.types[t], "docket.rng lacks element '%s'",
                      dk_type_name((dk_type)t));
    for (int a = 0; a < DK_ATTR_COUNT; a++)
        ck_assert_msg(seen.attrs[a], "docket.rng lacks attribute '%s'",
                      dk_attr_name((dk_attr)a));
}
END_TEST

START_TEST(json_schema_matches_tree)
{
    json_error_t err;
    json_t *schema = json_load_file(SCHEMA_DIR "/docket.schema.json", 0, &err);
    ck_assert_msg(schema != NULL, "docket.schema.json: %s", err.text);
    json_t *defs = json_object_get(schema, "$defs");
    ck_assert_ptr_nonnull(defs);
    const char *key;
    json_t *def;
    json_object_foreach(defs, key, def)
    {
        int t = dk_type_from_name(key, strlen(key));
        ck_assert_msg(t >= 0, "docket.schema.json has element '%s' that the "
                      "tree lacks", key);
    }
    for (int t = 0; t < DK_TYPE_COUNT; t++) {
        if (!DK_TYPE_IS_ELEMENT(t))
            continue;
        const char *name = dk_type_name((dk_type)t);
        def = json_object_get(defs, name);
        ck_assert_msg(def != NULL, "docket.schema.json lacks element '%s'", name);
        json_t *attrs = json_object_get(json_object_get(json_object_get(
                                            def, "properties"), "attributes"),
                                        "properties");
        ck_assert_ptr_nonnull(attrs);
        /* the same attributes, element by element */
        for (int a = 0; a < DK_ATTR_COUNT; a++) {
            bool in_json = json_object_get(attrs, dk_attr_name((dk_attr)a));
            ck_assert_msg(in_json == dk_type_allows_attr((dk_type)t, (dk_attr)a),
                          "attribute '%s' of '%s': the tree %s it, "
                          "docket.schema.json %s", dk_attr_name((dk_attr)a),
                          name, in_json ? "refuses" : "allows",
                          in_json ? "allows" : "refuses");
        }
        /* text where the tree takes text */
        json_t *items = json_object_get(json_object_get(json_object_get(
                                            def, "properties"), "children"),
                                        "items");
        char *dump = items ? json_dumps(items, JSON_COMPACT) : NULL;
        bool json_text = dump && strstr(dump, "\"type\":\"string\"");
        ck_assert_msg(json_text == dk_type_allows_text((dk_type)t),
                      "text in '%s': the tree and docket.schema.json disagree",
                      name);
        /* and the same child elements */
        for (int c = 0; c < DK_TYPE_COUNT; c++) {
            if (!DK_TYPE_IS_ELEMENT(c))
                continue;
            char ref[64];
            snprintf(ref, sizeof ref, "\"#/$defs/%s\"", dk_type_name((dk_type)c));
            bool in_json = dump && strstr(dump, ref);
            ck_assert_msg(in_json == dk_type_allows_child((dk_type)t, (dk_type)c),
                          "'%s' in '%s': the tree and docket.schema.json "
                          "disagree", dk_type_name((dk_type)c), name);
        }
        free(dump);
    }
    json_decref(schema);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("schema");
    TCase *tc = tcase_create("schema");
    tcase_add_test(tc, rng_matches_tree);
    tcase_add_test(tc, json_schema_matches_tree);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    xmlCleanupParser();
    return failed;
}
