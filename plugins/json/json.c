/*
 * json: docket's document tree as JSON, written straight from the tree
 * (no JSON library) and read with jansson in json/parse.so, which only a
 * conversion from JSON loads.
 *
 * Each element is an object {"type": NAME, "attributes": {...},
 * "children": [...]} mirroring the canonical XML one to one; text is a
 * string in "children". "attributes" and "children" are left out when
 * empty. Keys come in that fixed order and attributes in name order, so
 * the same tree always gives the same bytes.
 */
#include "../part.h" /* first: it asks for _GNU_SOURCE */
#include "../outbuf.h"
#include "jsonp.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#if defined(__SSE2__)
/* Does one of sixteen bytes need an escape (a control, '"' or '\\')? */
static bool needs_escape_16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    __m128i q = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    return _mm_movemask_epi8(_mm_or_si128(low, q)) != 0;
}
#endif

static void put_string(outbuf *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    OUT_LIT(o, "\"");
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        uint64_t w;
        /* most text needs no escape: sixteen bytes at a time with SSE2,
         * else eight */
#if defined(__SSE2__)
        while (len - i >= 16 && !needs_escape_16(s + i))
            i += 16;
#endif
        while (out_word(s, len, i, &w) && !(out_any_below(w, 0x20) |
                                            out_any_equal(w, '"') |
                                            out_any_equal(w, '\\')))
            i += 8;
        if (i == len)
            break;
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
    /* names are lower-case ASCII: nothing to escape */
    OUT_LIT(o, "\"");
    out_str(o, dk_type_name(type));
    OUT_LIT(o, "\"");
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
        OUT_LIT(o, "\"");
        out_str(o, dk_attr_name(a));
        OUT_LIT(o, "\"");
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

/* ---- reading, in json/parse.so (jansson), opened on first use ---------------- */

static part parts = PART_INIT(JSONP_PARTS_FILE, JSONP_PARTS_SYMBOL,
                              "the JSON reader", NULL);

static int json_read(dk_ctx *ctx, const unsigned char *data, size_t size,
                     dk_node **out)
{
    *out = NULL;
    const jsonp_table *t = part_get(&parts, ctx, (const void *)json_read);
    return t ? t->read(ctx, data, size, out) : -1;
}

/* When docket closes the plugin (no conversion is running): close the
 * reading part too. */
static void json_deinit(void)
{
    part_close(&parts);
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
              .read = json_read, .write = json_write, .deinit = json_deinit,
              .options = options);
