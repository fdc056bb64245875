/*
 * json: docket's document tree as JSON, read and written with jansson.
 *
 * Each element is an object {"type": NAME, "attributes": {...},
 * "children": [...]} mirroring the canonical XML one to one; text is a
 * string in "children". "attributes" and "children" are left out when
 * empty. Keys come in that fixed order and attributes in name order, so
 * the same tree always gives the same bytes.
 */
#include <docket/docket.h>

#include <jansson.h>
#include <string.h>

static const char *const extensions[] = {"json", NULL};

/* ---- writing --------------------------------------------------------------- */

/* Attribute enum values in name order (the enum is declared sorted, but do
 * not rely on it). */
static int attr_order[DK_ATTR_COUNT];

static int by_attr_name(const void *a, const void *b)
{
    return strcmp(dk_attr_name(*(const int *)a), dk_attr_name(*(const int *)b));
}

__attribute__((constructor)) static void init_attr_order(void)
{
    for (int i = 0; i < DK_ATTR_COUNT; i++)
        attr_order[i] = i;
    qsort(attr_order, DK_ATTR_COUNT, sizeof attr_order[0], by_attr_name);
}

static json_t *to_json(const dk_node *n)
{
    if (dk_node_type(n) == DK_TEXT) {
        size_t len;
        const char *t = dk_node_text(n, &len);
        return json_stringn(t, len);
    }
    json_t *obj = json_object();
    if (!obj || json_object_set_new(obj, "type",
                                    json_string(dk_type_name(dk_node_type(n)))))
        goto fail;
    json_t *attrs = NULL;
    for (int i = 0; i < DK_ATTR_COUNT; i++) {
        const char *v = dk_node_attr(n, (dk_attr)attr_order[i]);
        if (!v)
            continue;
        if (!attrs && (!(attrs = json_object()) ||
                       json_object_set_new(obj, "attributes", attrs)))
            goto fail;
        if (json_object_set_new(attrs, dk_attr_name((dk_attr)attr_order[i]),
                                json_string(v)))
            goto fail;
    }
    if (dk_node_first(n)) {
        json_t *children = json_array();
        if (!children || json_object_set_new(obj, "children", children))
            goto fail;
        for (const dk_node *c = dk_node_first(n); c; c = dk_node_next(c))
            if (json_array_append_new(children, to_json(c)))
                goto fail;
    }
    return obj;
fail:
    json_decref(obj);
    return NULL;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return dk_sink_write(data, buffer, size);
}

static int json_write(dk_ctx *ctx, const dk_node *doc, dk_sink *out)
{
    json_t *root = to_json(doc);
    if (!root)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    size_t flags = JSON_COMPACT;
    if (dk_ctx_option(ctx, "pretty"))
        flags = JSON_INDENT(2);
    int r = json_dump_callback(root, dump_cb, out, flags);
    json_decref(root);
    if (r < 0 || dk_sink_write(out, "\n", 1) < 0)
        return dk_ctx_fail(ctx, DK_E_IO, "cannot write JSON");
    return 0;
}

/* ---- reading --------------------------------------------------------------- */

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
    return n;
fail:
    dk_node_free(n);
    return NULL;
}

static int json_read(dk_ctx *ctx, const unsigned char *data, size_t size,
                     dk_node **out)
{
    json_error_t err;
    *out = NULL;
    /* A byte order mark is not JSON, but editors write one. */
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        data += 3, size -= 3;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
                              &err);
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

static int json_probe(const dk_probe *p)
{
    const unsigned char *s = p->data, *end = p->data + p->size;
    if (end - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++;
    if (s == end || *s != '{')
        return 0;
    /* docket's own JSON starts with the document's type. */
    const char *head = "\"type\"";
    const unsigned char *q = s + 1;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
        q++;
    if ((size_t)(end - q) >= strlen(head) && !memcmp(q, head, strlen(head)) &&
        strstr((const char *)q, "\"document\"") != NULL)
        return DK_SCORE_MAX;
    /* other JSON is not docket's: no claim (a .txt file that starts with a
     * brace is text) */
    return 0;
}

static const dk_option_decl options[] = {
    {"pretty", NULL, "xml, json: indented output for people"},
    {NULL, NULL, NULL},
};

DOCKET_PLUGIN(.name = "json", .version = DK_VERSION,
              .description = "docket's document tree as JSON",
              .kinds = DK_KIND_READER | DK_KIND_WRITER, .format = "json",
              .extensions = extensions, .probe = json_probe, .read = json_read,
              .write = json_write, .options = options);
