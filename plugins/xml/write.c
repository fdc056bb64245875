/*
 * Writing the canonical XML straight from docket's tree, streamed to the
 * sink through a bounded buffer. The bytes are those libxml2 gives for
 * the same document (tests compare the two on every fixture and on random
 * trees):
 *  - W3C Canonical XML 1.0 without comments (xmlC14NDocDumpMemory): no XML
 *    declaration, the namespace declaration before the attributes, the
 *    attributes in name order, empty elements as a start and an end tag,
 *    no trailing newline; in text &, <, > and CR escaped, in attribute
 *    values &, <, ", tab, LF and CR;
 *  - --pretty: libxml2's serializer (xmlDocDumpMemoryEnc, UTF-8) of the
 *    same document with element-only content indented, for people: an XML
 *    declaration, empty elements as <x/>, > escaped everywhere, character
 *    references in decimal, and a newline at the end.
 * Characters XML 1.0 forbids (C0 controls other than tab, LF and CR;
 * U+FFFE, U+FFFF; the tree holds no NUL or surrogate) are written as
 * U+FFFD and reported in one warning.
 */
#include "xmlp.h"

#include "../outbuf.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The output and what writing XML keeps track of. */
typedef struct xml_out {
    outbuf out;
    bool pretty;
    size_t replaced; /* characters XML cannot hold */
} xml_out;

/* What a byte needs in each place: 0 nothing, 1 a forbidden character
 * (a C0 control), 2 an escape (looked up in the tables below), 3 a look
 * at the bytes that follow (0xEF starts U+FFFE and U+FFFF). */
enum { PLAIN, FORBIDDEN, ESCAPE, LOOK };

typedef struct escapes {
    unsigned char kind[256];
    const char *as[128]; /* the escape of an ASCII byte */
} escapes;

#define C0_FORBIDDEN                                                           \
    [0x00] = FORBIDDEN, [0x01] = FORBIDDEN, [0x02] = FORBIDDEN,                \
    [0x03] = FORBIDDEN, [0x04] = FORBIDDEN, [0x05] = FORBIDDEN,                \
    [0x06] = FORBIDDEN, [0x07] = FORBIDDEN, [0x08] = FORBIDDEN,                \
    [0x0B] = FORBIDDEN, [0x0C] = FORBIDDEN, [0x0E] = FORBIDDEN,                \
    [0x0F] = FORBIDDEN, [0x10] = FORBIDDEN, [0x11] = FORBIDDEN,                \
    [0x12] = FORBIDDEN, [0x13] = FORBIDDEN, [0x14] = FORBIDDEN,                \
    [0x15] = FORBIDDEN, [0x16] = FORBIDDEN, [0x17] = FORBIDDEN,                \
    [0x18] = FORBIDDEN, [0x19] = FORBIDDEN, [0x1A] = FORBIDDEN,                \
    [0x1B] = FORBIDDEN, [0x1C] = FORBIDDEN, [0x1D] = FORBIDDEN,                \
    [0x1E] = FORBIDDEN, [0x1F] = FORBIDDEN, [0xEF] = LOOK

/* C14N text nodes. */
static const escapes c14n_text = {
    {C0_FORBIDDEN, ['&'] = ESCAPE, ['<'] = ESCAPE, ['>'] = ESCAPE,
     ['\r'] = ESCAPE},
    {['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['\r'] = "&#xD;"},
};

/* C14N attribute values. */
static const escapes c14n_attr = {
    {C0_FORBIDDEN, ['&'] = ESCAPE, ['<'] = ESCAPE, ['"'] = ESCAPE,
     ['\t'] = ESCAPE, ['\n'] = ESCAPE, ['\r'] = ESCAPE},
    {['&'] = "&amp;", ['<'] = "&lt;", ['"'] = "&quot;", ['\t'] = "&#x9;",
     ['\n'] = "&#xA;", ['\r'] = "&#xD;"},
};

/* libxml2's serializer, text nodes. */
static const escapes save_text = {
    {C0_FORBIDDEN, ['&'] = ESCAPE, ['<'] = ESCAPE, ['>'] = ESCAPE,
     ['\r'] = ESCAPE},
    {['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['\r'] = "&#13;"},
};

/* libxml2's serializer, attribute values. */
static const escapes save_attr = {
    {C0_FORBIDDEN, ['&'] = ESCAPE, ['<'] = ESCAPE, ['>'] = ESCAPE,
     ['"'] = ESCAPE, ['\t'] = ESCAPE, ['\n'] = ESCAPE, ['\r'] = ESCAPE},
    {['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
     ['\t'] = "&#9;", ['\n'] = "&#10;", ['\r'] = "&#13;"},
};

#if defined(__SSE2__)
/* Might one of sixteen bytes need something: a control, & < > " or 0xEF? */
static bool may_need_16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    __m128i m = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('>')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xEF)));
    return _mm_movemask_epi8(m) != 0;
}
#endif

/* Write len bytes of UTF-8 escaped by e: runs that need nothing are
 * copied whole. */
static void put_escaped(xml_out *o, const escapes *e, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t from = 0, i = 0;
    while (i < len) {
        uint64_t w;
        /* most text needs nothing: sixteen (with SSE2) or eight bytes at a
         * time past bytes that need nothing in any place (controls, & < >
         * " and 0xEF may) */
#if defined(__SSE2__)
        while (len - i >= 16 && !may_need_16(str + i))
            i += 16;
#endif
        while (out_word(str, len, i, &w) &&
               !(out_any_below(w, 0x20) | out_any_equal(w, '&') |
                 out_any_equal(w, '<') | out_any_equal(w, '>') |
                 out_any_equal(w, '"') | out_any_equal(w, 0xEF)))
            i += 8;
        if (i == len)
            break;
        unsigned k = e->kind[s[i]];
        if (k == PLAIN || (k == LOOK && !(i + 2 < len && s[i + 1] == 0xBF &&
                                          (s[i + 2] == 0xBE || s[i + 2] == 0xBF)))) {
            i++;
            continue;
        }
        out_put(&o->out, str + from, i - from);
        if (k == ESCAPE) {
            out_str(&o->out, e->as[s[i]]);
            i++;
        } else {
            out_put(&o->out, "\xEF\xBF\xBD", 3);
            o->replaced++;
            i += k == LOOK ? 3 : 1;
        }
        from = i;
    }
    out_put(&o->out, str + from, len - from);
}

/* In pretty mode, element-only content is indented two spaces a level. */
static void put_indent(xml_out *o, size_t depth)
{
    static const char spaces[] = "\n                                ";
    out_put(&o->out, spaces, 1);
    if (depth > DK_MAX_DEPTH)
        depth = DK_MAX_DEPTH;
    for (size_t n = 2 * depth; n > 0;) {
        size_t k = n < sizeof spaces - 2 ? n : sizeof spaces - 2;
        out_put(&o->out, spaces + 1, k);
        n -= k;
    }
}

/* The attributes each type may carry, the writer asking a node for those
 * alone: in name order for C14N (which sorts them), in the order of the
 * enum for the serializer (the order the attributes were made in). */
typedef struct attr_list {
    int n;
    dk_attr attrs[DK_ATTR_COUNT];
} attr_list;

static attr_list by_name[DK_TYPE_COUNT], by_enum[DK_TYPE_COUNT];

static int compare_names(const void *a, const void *b)
{
    return strcmp(dk_attr_name(*(const dk_attr *)a),
                  dk_attr_name(*(const dk_attr *)b));
}

__attribute__((constructor)) static void init_attr_lists(void)
{
    for (int t = 0; t < DK_TYPE_COUNT; t++) {
        for (int a = 0; a < DK_ATTR_COUNT; a++)
            if (dk_type_allows_attr((dk_type)t, (dk_attr)a))
                by_enum[t].attrs[by_enum[t].n++] = (dk_attr)a;
        by_name[t] = by_enum[t];
        qsort(by_name[t].attrs, (size_t)by_name[t].n, sizeof(dk_attr),
              compare_names);
    }
}

static void open_tag(xml_out *o, const dk_node *n, bool root)
{
    const escapes *e = o->pretty ? &save_attr : &c14n_attr;
    dk_type type = dk_node_type(n);
    out_put(&o->out, "<", 1);
    out_str(&o->out, dk_type_name(type));
    if (root)
        out_str(&o->out, " xmlns=\"" XMLP_NS "\"");
    const attr_list *l = o->pretty ? &by_enum[type] : &by_name[type];
    for (int i = 0; i < l->n; i++) {
        const char *v = dk_node_attr(n, l->attrs[i]);
        if (!v)
            continue;
        out_put(&o->out, " ", 1);
        out_str(&o->out, dk_attr_name(l->attrs[i]));
        out_put(&o->out, "=\"", 2);
        put_escaped(o, e, v, strlen(v));
        out_put(&o->out, "\"", 1);
    }
    /* an empty element: <x/> from the serializer, <x></x> in C14N */
    if (o->pretty && !dk_node_first(n))
        out_put(&o->out, "/>", 2);
    else
        out_put(&o->out, ">", 1);
}

static void close_tag(xml_out *o, const dk_node *n)
{
    if (o->pretty && !dk_node_first(n))
        return;
    out_put(&o->out, "</", 2);
    out_str(&o->out, dk_type_name(dk_node_type(n)));
    out_put(&o->out, ">", 1);
}

/* Does n's parent hold element-only content (indented in pretty mode)? */
static bool indented(const xml_out *o, const dk_node *n)
{
    const dk_node *p = dk_node_parent(n);
    return o->pretty && p && !dk_type_allows_text(dk_node_type(p));
}

int xmlp_write(dk_ctx *ctx, const dk_node *doc, dk_sink *sink)
{
    xml_out *o = malloc(sizeof *o);
    if (!o)
        return dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
    out_init(&o->out, sink);
    o->pretty = dk_ctx_option(ctx, "pretty") != NULL;
    o->replaced = 0;
    const escapes *text = o->pretty ? &save_text : &c14n_text;

    if (o->pretty)
        out_str(&o->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (dk_ctx_option(ctx, "generator")) /* which program wrote the file */
        out_str(&o->out, "<?docket generator=\"docket " DK_VERSION "\"?>\n");
    /* Depth-first, without recursion. */
    const dk_node *n = doc;
    size_t depth = 0;
    while (n) {
        if (indented(o, n))
            put_indent(o, depth);
        if (dk_node_type(n) == DK_TEXT) {
            size_t len;
            const char *s = dk_node_text(n, &len);
            put_escaped(o, text, s, len);
        } else {
            open_tag(o, n, n == doc);
            if (dk_node_first(n)) {
                n = dk_node_first(n);
                depth++;
                continue;
            }
            close_tag(o, n);
        }
        /* n is done: go on to its next sibling, closing finished parents */
        while (n != doc && !dk_node_next(n)) {
            n = dk_node_parent(n);
            depth--;
            if (o->pretty && !dk_type_allows_text(dk_node_type(n)))
                put_indent(o, depth);
            close_tag(o, n);
        }
        if (n == doc || o->out.failed)
            break;
        n = dk_node_next(n);
    }
    if (o->pretty)
        out_put(&o->out, "\n", 1);
    int r = out_flush(&o->out);
    if (o->replaced)
        dk_ctx_warn(ctx, "%zu character%s that XML 1.0 does not allow "
                    "replaced with U+FFFD", o->replaced,
                    o->replaced == 1 ? "" : "s");
    free(o);
    return r;
}
