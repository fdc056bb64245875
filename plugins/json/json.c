/*
 * json: docket's document tree as JSON, read with jansson and written
 * straight from the tree.
 *
 * Each element is an object {"type": NAME, "attributes": {...},
 * "children": [...]} mirroring the canonical XML one to one; text is a
 * string in "children". "attributes" and "children" are left out when
 * empty. Keys come in that fixed order and attributes in name order, so
 * the same tree always gives the same bytes.
 */
#include "../outbuf.h"

#include <docket/docket.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const extensions[] = {"json", NULL};

/* ---- writing --------------------------------------------------------------- */

/*
 * The writer walks docket's tree and emits the bytes jansson's
 * json_dump_callback() gives for the object model this format defines
 * (JSON_COMPACT, or JSON_INDENT(2) for --pretty), without building that
 * model: strings escaped as jansson escapes them ("\"", "\\", \b \f \n \r
 * \t, other controls as \u00XX, everything else as it is), keys in the
 * order type, attributes, children. Output goes through a bounded buffer
 * to the sink, so a document of any size takes no more than the buffer.
 */

/* Attribute enum values in name order (the enum is declared sorted, but do
 * not rely on it). */
static int attr_order[DK_ATTR_COUNT];

static int by_attr_name(const void *a, const void *b)
{
    return strcmp(dk_attr_name(*(const int *)a), dk_attr_name(*(const int *)b));
}

/* The attributes each type may carry, in name order: the writer asks a
 * node for those alone. */
static struct {
    int n;
    dk_attr attrs[DK_ATTR_COUNT];
} allowed[DK_TYPE_COUNT];

__attribute__((constructor)) static void init_attr_order(void)
{
    for (int i = 0; i < DK_ATTR_COUNT; i++)
        attr_order[i] = i;
    qsort(attr_order, DK_ATTR_COUNT, sizeof attr_order[0], by_attr_name);
    for (int t = 0; t < DK_TYPE_COUNT; t++)
        for (int i = 0; i < DK_ATTR_COUNT; i++)
            if (dk_type_allows_attr((dk_type)t, (dk_attr)attr_order[i]))
                allowed[t].attrs[allowed[t].n++] = (dk_attr)attr_order[i];
}

/* For each byte: 0 copied as it is, else the second character of its
 * two-character escape, or 'u' for \u00XX. */
static const char escape[256] = {
    ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
    [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',
    [0x05] = 'u', [0x06] = 'u', [0x07] = 'u', [0x0B] = 'u', [0x0E] = 'u',
    [0x0F] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u',
    [0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u',
    [0x19] = 'u', [0x1A] = 'u', [0x1B] = 'u', [0x1C] = 'u', [0x1D] = 'u',
    [0x1E] = 'u', [0x1F] = 'u', ['"'] = '"', ['\\'] = '\\',
};

static void put_string(outbuf *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    OUT_LIT(o, "\"");
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        char e = escape[(unsigned char)s[i]];
        if (!e)
            continue;
        out_put(o, s + from, i - from);
        if (e == 'u') {
            char u[6] = {'\\', 'u', '0', '0', hex[(unsigned char)s[i] >> 4],
                         hex[s[i] & 0xF]};
            out_put(o, u, sizeof u);
        } else {
            out_put(o, (char[]){'\\', e}, 2);
        }
        from = i + 1;
    }
    out_put(o, s + from, len - from);
    OUT_LIT(o, "\"");
}

/* A line break and the indentation of depth (jansson's depth: every
 * object and array nests one level), in pretty mode. */
static void put_indent(outbuf *o, bool pretty, size_t depth)
{
    static const char spaces[] = "                                ";
    if (!pretty)
        return;
    OUT_LIT(o, "\n");
    for (size_t n = depth * 2; n > 0;) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        out_put(o, spaces, k);
        n -= k;
    }
}

/* The start of an element's object, up to its first child (or to its
 * end when it has none). The element's object is at jansson depth d. */
static void open_element(outbuf *o, const dk_node *n, bool pretty, size_t d)
{
    const char *sep = pretty ? ": " : ":";
    size_t sl = pretty ? 2 : 1;
    OUT_LIT(o, "{");
    put_indent(o, pretty, d + 1);
    OUT_LIT(o, "\"type\"");
    out_put(o, sep, sl);
    dk_type type = dk_node_type(n);
    const char *name = dk_type_name(type);
    put_string(o, name, strlen(name));
    bool any = false;
    for (int i = 0; i < allowed[type].n; i++) {
        dk_attr a = allowed[type].attrs[i];
        const char *v = dk_node_attr(n, a);
        if (!v)
            continue;
        if (!any) {
            OUT_LIT(o, ",");
            put_indent(o, pretty, d + 1);
            OUT_LIT(o, "\"attributes\"");
            out_put(o, sep, sl);
            OUT_LIT(o, "{");
        } else {
            OUT_LIT(o, ",");
        }
        put_indent(o, pretty, d + 2);
        const char *key = dk_attr_name(a);
        put_string(o, key, strlen(key));
        out_put(o, sep, sl);
        put_string(o, v, strlen(v));
        any = true;
    }
    if (any) {
        put_indent(o, pretty, d + 1);
        OUT_LIT(o, "}");
    }
    if (dk_node_first(n)) {
        OUT_LIT(o, ",");
        put_indent(o, pretty, d + 1);
        OUT_LIT(o, "\"children\"");
        out_put(o, sep, sl);
        OUT_LIT(o, "[");
        put_indent(o, pretty, d + 2);
    } else {
        put_indent(o, pretty, d);
        OUT_LIT(o, "}");
    }
}

/* The end of an element whose children were written (object at depth d). */
static void close_element(outbuf *o, bool pretty, size_t d)
{
    put_indent(o, pretty, d + 1);
    OUT_LIT(o, "]");
    put_indent(o, pretty, d);
    OUT_LIT(o, "}");
}

static int json_write(dk_ctx *ctx, const dk_node *doc, dk_sink *sink)
{
    bool pretty = dk_ctx_option(ctx, "pretty") != NULL;
    outbuf *o = malloc(sizeof *o);
    if (!o)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    out_init(o, sink);
    /* Depth-first, without recursion: an element at tree depth t is an
     * object at jansson depth 2t, its children one array deeper. */
    const dk_node *n = doc;
    size_t t = 0;
    while (n) {
        if (dk_node_type(n) == DK_TEXT) {
            size_t len;
            const char *s = dk_node_text(n, &len);
            put_string(o, s, len);
        } else {
            open_element(o, n, pretty, 2 * t);
            if (dk_node_first(n)) {
                n = dk_node_first(n);
                t++;
                continue;
            }
        }
        /* n is done: go on to its next sibling, closing finished parents */
        while (n != doc && !dk_node_next(n)) {
            n = dk_node_parent(n);
            t--;
            close_element(o, pretty, 2 * t);
        }
        if (n == doc)
            break;
        OUT_LIT(o, ",");
        put_indent(o, pretty, 2 * t);
        n = dk_node_next(n);
        if (o->failed)
            break;
    }
    OUT_LIT(o, "\n");
    int r = out_flush(o);
    free(o);
    if (r < 0)
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
    if (!dk_node_text_ok(n)) {
        fail_at(ctx, &here, "text not allowed for", here.type);
        goto fail;
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

/* JSON (docket's or any other that json_probe accepts) starts, after an
 * optional byte order mark, with white space or "{": the plugin (and
 * jansson) is only opened to probe input that starts so, never for text
 * that cannot be JSON. The probe decides the rest. */
static const dk_magic magic[] = {
    {0, 1, "{", DK_SCORE_POSSIBLE},
    {0, 1, " ", DK_SCORE_POSSIBLE},
    {0, 1, "\t", DK_SCORE_POSSIBLE},
    {0, 1, "\n", DK_SCORE_POSSIBLE},
    {0, 1, "\r", DK_SCORE_POSSIBLE},
    {0, 4, "\xEF\xBB\xBF{", DK_SCORE_POSSIBLE},
    {0, 4, "\xEF\xBB\xBF ", DK_SCORE_POSSIBLE},
    {0, 4, "\xEF\xBB\xBF\t", DK_SCORE_POSSIBLE},
    {0, 4, "\xEF\xBB\xBF\n", DK_SCORE_POSSIBLE},
    {0, 4, "\xEF\xBB\xBF\r", DK_SCORE_POSSIBLE},
    {0, 0, NULL, 0},
};

DOCKET_PLUGIN(.name = "json", .version = DK_VERSION,
              .description = "docket's document tree as JSON",
              .kinds = DK_KIND_READER | DK_KIND_WRITER, .format = "json",
              .extensions = extensions, .magic = magic, .probe = json_probe,
              .read = json_read, .write = json_write, .options = options);
