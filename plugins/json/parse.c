/* json/parse.so: the part of the json plugin that links jansson, reading
 * docket's JSON into the tree; handed to json.so as one table. */
#include "jsonp.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where in the document a problem is, for messages: type names from the
 * root, with the child index. */
typedef struct path {
    const struct path *up;
    const char *type;
    size_t index;
} path;

static void path_string(const path *p, char *out, size_t len)
{
    if (!p) {
        out[0] = '\0';
        return;
    }
    path_string(p->up, out, len);
    size_t used = strlen(out);
    if (p->up)
        snprintf(out + used, len - used, "/%s[%zu]", p->type, p->index);
    else
        snprintf(out + used, len - used, "/%s", p->type);
}

static int fail_at(dk_ctx *ctx, const path *p, const char *what,
                   const char *name)
{
    char where[512];
    path_string(p, where, sizeof where);
    return dk_ctx_fail(ctx, DK_E_FORMAT, "%s: %s%s%s%s", where[0] ? where : "/",
                       what, name ? " '" : "", name ? name : "",
                       name ? "'" : "");
}

static dk_node *from_json(dk_ctx *ctx, json_t *obj, const path *up,
                          size_t index, int depth)
{
    path here = {up, "?", index};
    if (!json_is_object(obj)) {
        fail_at(ctx, up, "expected an element object", NULL);
        return NULL;
    }
    if (depth > DK_MAX_DEPTH) {
        dk_ctx_fail(ctx, DK_E_LIMIT, "document nests deeper than %d levels",
                    DK_MAX_DEPTH);
        return NULL;
    }
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if (strcmp(key, "type") && strcmp(key, "attributes") &&
            strcmp(key, "children")) {
            fail_at(ctx, up, "unknown key", key);
            return NULL;
        }
    }
    json_t *jt = json_object_get(obj, "type");
    if (!json_is_string(jt)) {
        fail_at(ctx, up, "element without a \"type\" string", NULL);
        return NULL;
    }
    int type = dk_type_from_name(json_string_value(jt), json_string_length(jt));
    if (type < 0) {
        fail_at(ctx, up, "unknown element type", json_string_value(jt));
        return NULL;
    }
    here.type = json_string_value(jt);
    dk_node *n = dk_node_new((dk_type)type);
    if (!n) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        return NULL;
    }
    json_t *attrs = json_object_get(obj, "attributes");
    if (attrs && !json_is_object(attrs)) {
        fail_at(ctx, &here, "\"attributes\" is not an object", NULL);
        goto fail;
    }
    json_object_foreach(attrs, key, val)
    {
        int a = dk_attr_from_name(key, strlen(key));
        if (a < 0 || !dk_type_allows_attr((dk_type)type, (dk_attr)a)) {
            fail_at(ctx, &here, "attribute not allowed here", key);
            goto fail;
        }
        if (!json_is_string(val)) {
            fail_at(ctx, &here, "attribute value is not a text string", key);
            goto fail;
        }
        if (!dk_attr_value_ok((dk_type)type, (dk_attr)a, json_string_value(val))) {
            fail_at(ctx, &here, "value not allowed for attribute", key);
            goto fail;
        }
        if (dk_node_set_attr(n, (dk_attr)a, json_string_value(val)) < 0) {
            fail_at(ctx, &here, "attribute value is not UTF-8", key);
            goto fail;
        }
    }
    json_t *children = json_object_get(obj, "children");
    if (children && !json_is_array(children)) {
        fail_at(ctx, &here, "\"children\" is not an array", NULL);
        goto fail;
    }
    size_t i;
    json_array_foreach(children, i, val)
    {
        if (json_is_string(val)) {
            if (!dk_type_allows_text((dk_type)type)) {
                fail_at(ctx, &here, "text not allowed in", here.type);
                goto fail;
            }
            if (dk_node_add_text(n, json_string_value(val),
                                 json_string_length(val)) < 0) {
                fail_at(ctx, &here, "text is not valid UTF-8 without NUL",
                        NULL);
                goto fail;
            }
            continue;
        }
        dk_node *c = from_json(ctx, val, &here, i, depth + 1);
        if (!c)
            goto fail;
        if (dk_node_append(n, c) < 0) {
            path child = {&here, dk_type_name(dk_node_type(c)), i};
            dk_node_free(c);
            fail_at(ctx, &child, "element not allowed in", here.type);
            goto fail;
        }
    }
    if (!dk_node_text_ok(n)) {
        fail_at(ctx, &here, "text not allowed for", here.type);
        goto fail;
    }
    return n;
fail:
    dk_node_free(n);
    return NULL;
}

static int jsonp_read(dk_ctx *ctx, const unsigned char *data, size_t size,
                     dk_node **out)
{
    json_error_t err;
    *out = NULL;
    /* A byte order mark is not JSON, but editors write one. */
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        data += 3, size -= 3;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
                              &err);
    /* jansson holds its own copy of everything now */
    dk_ctx_input_done(ctx, data + size);
    if (!root)
        return dk_ctx_fail(ctx, DK_E_FORMAT,
                           "invalid JSON at line %d, column %d: %s", err.line,
                           err.column, err.text);
    dk_node *doc = from_json(ctx, root, NULL, 0, 1);
    json_decref(root);
    if (!doc)
        return -1;
    if (dk_node_type(doc) != DK_DOCUMENT) {
        dk_node_free(doc);
        return dk_ctx_fail(ctx, DK_E_FORMAT,
                           "not a docket document (the top element is not "
                           "\"document\")");
    }
    *out = doc;
    return 0;
}

DK_EXPORT extern const jsonp_table jsonp_parts;
const jsonp_table jsonp_parts = {.read = jsonp_read};
