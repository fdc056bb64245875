/*
 * clean: the tidying every extracted text needs.
 *
 *  - Mojibake repaired: UTF-8 that was read as Windows-1252 ("â€™" for
 *    "’", "Ã©" for "é") is decoded again, and the "'˜...'" left by some
 *    extractors for "‘...’" becomes a pair of curly quotes. Only what is
 *    provably mojibake is touched (see mojibake_at and plausible below):
 *    correct text such as "3×½" or "«ÉTÉ»" stays as it is.
 *  - White space: runs of spaces, tabs and no-break spaces become one
 *    space, and the ends of every block are trimmed (not in pre or code);
 *    zero-width characters and soft hyphens go.
 *  - Quotes: a backtick or acute accent used as an apostrophe between two
 *    letters becomes "’"; straight quotes are left as the author typed them.
 *  - Page furniture standing alone ("Skip to content", "Hide Ad", share and
 *    print links) is removed, as are paragraphs emptied by cleaning.
 *  - A paragraph repeated right after itself, word for word or but for
 *    one or two function words ("the", "of") in twenty or more (a scraping
 *    artefact), is removed with a warning naming its offset; the first
 *    copy stays, and repeats further apart are kept.
 */
#include <docket/docket.h>

#include "rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Windows-1252 bytes 0x80..0x9F as Unicode (0 where undefined: those
 * bytes usually come through as the C1 control of the same value). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* The Windows-1252 byte for a code point, or -1. */
static int cp1252_byte(uint32_t cp)
{
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (int)cp;
    if (cp >= 0x80 && cp <= 0x9F)
        return (int)cp; /* a C1 control standing for the same byte */
    for (int i = 0; i < 32; i++)
        if (cp1252_high[i] == cp)
            return 0x80 + i;
    return -1;
}

/*
 * Scripts, as far as mojibake repair needs them. A repaired character is
 * kept only if it belongs to text of the kind around it: Latin letters,
 * punctuation and symbols always (that is what "â€™" and "Ã©" stand for);
 * a letter of another script (Greek, Cyrillic, Hebrew, CJK, ...) only
 * where the text already holds that script or the repair gives at least
 * two of its letters ("ÐŸÑ€Ð¸" is Russian, but "3×½" is not Hebrew).
 * Modifier letters, IPA and combining marks are never the outcome: as
 * mojibake they are far less likely than correct text that looks like it
 * ("«ÉTÉ»").
 */
enum { SCRIPT_COMMON, SCRIPT_NEVER, SCRIPT_OTHER /* + block number */ };

static unsigned script_of(uint32_t cp)
{
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0x24F))
        return SCRIPT_COMMON; /* ASCII, Latin-1, Latin Extended A and B */
    if (cp < 0xA0 || (cp >= 0x250 && cp <= 0x36F))
        return SCRIPT_NEVER; /* C1 controls, IPA, modifiers, combining */
    if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0xFB00 && cp <= 0xFB06) ||
        (cp >= 0x1F000 && cp <= 0x1FAFF) || cp == 0xFFFD)
        return SCRIPT_COMMON; /* punctuation, symbols, ligatures, emoji */
    if (cp >= 0x2E80 && cp <= 0x9FFF)
        return SCRIPT_OTHER + 0x2E; /* CJK and kana as one */
    return SCRIPT_OTHER + (cp >> 8); /* a 256-character block */
}

/* At s: a sequence of characters that, written back as Windows-1252
 * bytes, is one UTF-8 multi-byte character. Returns the length of text it
 * covers and the character in *out, or 0. */
static size_t mojibake_at(const char *s, size_t len, uint32_t *out)
{
    uint32_t cp;
    size_t n = dk_utf8_decode(s, len, &cp);
    if (!n || cp < 0xC2 || cp > 0xF4)
        return 0;
    unsigned char bytes[4] = {(unsigned char)cp};
    size_t need = cp >= 0xF0 ? 4 : cp >= 0xE0 ? 3 : 2, at = n;
    for (size_t k = 1; k < need; k++) {
        size_t m = dk_utf8_decode(s + at, len - at, &cp);
        int b = m ? cp1252_byte(cp) : -1;
        if (b < 0x80 || b > 0xBF)
            return 0;
        bytes[k] = (unsigned char)b;
        at += m;
    }
    if (dk_utf8_decode((const char *)bytes, need, out) != need ||
        script_of(*out) == SCRIPT_NEVER)
        return 0;
    return at;
}

/* Does s hold a character of the script, other than in mojibake? */
static bool holds_script(const char *s, size_t len, unsigned script)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp, fixed;
        size_t m = mojibake_at(s + i, len - i, &fixed);
        if (m) {
            i += m;
            continue;
        }
        size_t n = dk_utf8_decode(s + i, len - i, &cp);
        if (n && script_of(cp) == script)
            return true;
        i += n ? n : 1;
    }
    return false;
}

/* Is the repair of a mojibake character into cp plausible in s? */
static bool plausible(const char *s, size_t len, uint32_t cp)
{
    unsigned script = script_of(cp);
    if (script == SCRIPT_COMMON)
        return true;
    size_t same = 0;
    for (size_t i = 0; i < len && same < 2;) {
        uint32_t fixed;
        size_t m = mojibake_at(s + i, len - i, &fixed);
        if (m && script_of(fixed) == script)
            same++;
        i += m ? m : 1;
    }
    return same >= 2 || holds_script(s, len, script);
}

/* Repair the mojibake of s into out, once. Returns the number of
 * characters repaired, or -1 if out of memory. */
static int repair_once(const char *s, size_t len, dk_buf *out)
{
    int repaired = 0;
    dk_buf_clear(out);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t m = mojibake_at(s + i, len - i, &cp);
        if (m && plausible(s, len, cp)) {
            char enc[4];
            if (dk_buf_append(out, enc, dk_utf8_encode(cp, enc)) < 0)
                return -1;
            repaired++;
            i += m;
            continue;
        }
        size_t n = dk_utf8_decode(s + i, len - i, &cp);
        n = n ? n : 1;
        if (dk_buf_append(out, s + i, n) < 0)
            return -1;
        i += n;
    }
    return repaired;
}

/* Repair s until nothing is left to repair (text encoded twice needs two
 * rounds), so that cleaning again changes nothing. Each round shortens
 * the text, so this ends. *res points to s (nothing to do) or to a
 * buffer's data. Returns 0, or -1 if out of memory. */
static int repair_mojibake(const char *s, size_t len, dk_buf bufs[2],
                           const char **res, size_t *res_len)
{
    *res = s;
    *res_len = len;
    /* mojibake starts with a character U+00C2..U+00F4, whose UTF-8 starts
     * with the byte 0xC3: text without one has none */
    if (!memchr(s, 0xC3, len))
        return 0;
    for (int k = 0;; k ^= 1) {
        int r = repair_once(*res, *res_len, &bufs[k]);
        if (r <= 0)
            return r;
        *res = bufs[k].data;
        *res_len = bufs[k].len;
    }
}

static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
           cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

static bool is_invisible(uint32_t cp)
{
    return cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF ||
           cp == 0xAD;
}

static bool is_letter_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The first byte at or after i that is not part of an invisible
 * character, or 0. */
static char visible_after(const char *s, size_t len, size_t i)
{
    while (i < len) {
        uint32_t cp;
        size_t n = dk_utf8_decode(s + i, len - i, &cp);
        if (!n || !is_invisible(cp))
            return s[i];
        i += n;
    }
    return 0;
}

typedef struct cleaner {
    dk_ctx *ctx;
    dk_buf out;
    dk_buf repair[2];
} cleaner;

/* ASCII bytes clean_text copies as they are: all but white space and the
 * quotes it may change. */
static bool plain_ascii(unsigned char c)
{
    return c >= 0x21 && c < 0x7F && c != '\'' && c != '`';
}

/* Clean one run of text into c->out. trim_start/trim_end: this text starts
 * or ends its block. */
static int clean_text(cleaner *c, const char *s, size_t len, bool trim_start,
                      bool trim_end)
{
    dk_buf *o = &c->out;
    dk_buf_clear(o);
    if (repair_mojibake(s, len, c->repair, &s, &len) < 0)
        return -1;
    bool open_single = false; /* inside a repaired '˜...' */
    bool pending_space = false;
    for (size_t i = 0; i < len;) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
            s[i] == '\f') {
            pending_space = true;
            i++;
            continue;
        }
        if (plain_ascii((unsigned char)s[i])) {
            /* a run of plain ASCII is copied whole */
            size_t e = i + 1;
            while (e < len && plain_ascii((unsigned char)s[e]))
                e++;
            if (pending_space && (o->len || !trim_start) && dk_buf_putc(o, ' ') < 0)
                return -1;
            pending_space = false;
            if (dk_buf_append(o, s + i, e - i) < 0)
                return -1;
            i = e;
            continue;
        }
        uint32_t cp;
        size_t n = dk_utf8_decode(s + i, len - i, &cp);
        if (!n) { /* cannot happen in a tree; copy the byte */
            n = 1;
            cp = 0xFFFD;
        }
        if (cp == '\'' && i + 1 < len && !memcmp(s + i + 1, "\xCB\x9C", 2)) {
            cp = 0x2018; /* '˜ */
            n = 3;
            open_single = true;
        } else if (cp == '\'' && open_single) {
            cp = 0x2019;
            open_single = false;
        } else if ((cp == '`' || cp == 0xB4) && !pending_space && o->len &&
                   is_letter_byte(o->data[o->len - 1]) &&
                   is_letter_byte(visible_after(s, len, i + n))) {
            /* between letters, as they stand once invisible characters
             * are gone */
            cp = 0x2019;
        }
        i += n;
        if (is_invisible(cp))
            continue;
        if (is_space_cp(cp)) {
            pending_space = true;
            continue;
        }
        if (pending_space && (o->len || !trim_start) && dk_buf_putc(o, ' ') < 0)
            return -1;
        pending_space = false;
        char enc[4];
        if (dk_buf_append(o, enc, dk_utf8_encode(cp, enc)) < 0)
            return -1;
    }
    if (pending_space && !trim_end && (o->len || !trim_start) &&
        dk_buf_putc(o, ' ') < 0)
        return -1;
    return dk_buf_reserve(o, 0);
}

#define ONES 0x0101010101010101u
#define LOWS 0x7F7F7F7F7F7F7F7Fu

/* The bytes of w equal to c, marked 0x80 each (exact, no borrow). */
static uint64_t bytes_equal(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ (ONES * c);
    return ~(((x & LOWS) + LOWS) | x | LOWS);
}

/* Eight bytes that need no look: printable ASCII but ' and `, and spaces
 * with no space beside them in the word. */
static bool plain_word(uint64_t w)
{
    uint64_t sp = bytes_equal(w, ' ');
    return !(w & ~LOWS) &&                          /* ASCII */
           !((w - ONES * 0x20) & ~w & ~LOWS) &&      /* no control */
           !(bytes_equal(w, 0x7F) | bytes_equal(w, '\'') | bytes_equal(w, '`')) &&
           !(sp & (sp >> 8));                        /* no two spaces */
}

#if defined(__SSE2__)
/* plain_word for sixteen bytes, with SSE2 (every x86-64). */
static bool plain_16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    /* printable ASCII: above 0x1F and below 0x7F as signed bytes (bytes
     * from 0x80 are negative) */
    __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F)),
                               _mm_cmplt_epi8(v, _mm_set1_epi8(0x7F)));
    __m128i sp = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
    __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\'')),
                               _mm_cmpeq_epi8(v, _mm_set1_epi8('`')));
    bad = _mm_or_si128(bad, _mm_and_si128(sp, _mm_srli_si128(sp, 1)));
    return _mm_movemask_epi8(ok) == 0xFFFF && _mm_movemask_epi8(bad) == 0;
}
#endif

/* Would clean_text give s back unchanged? It does for most text, which
 * is then neither copied nor compared: single spaces between words, none
 * at an end to trim, and no character cleaning touches. Whatever this is
 * unsure of (white space other than one space, controls, a possible
 * mojibake or repaired quote) is left to clean_text. */
static bool clean_already(const char *s, size_t len, bool trim_start,
                          bool trim_end)
{
    /* mojibake starts with the byte 0xC3 (see repair_mojibake) */
    if (len == 0 || memchr(s, 0xC3, len))
        return false;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        uint64_t w;
        /* two spaces (the second after eight plain bytes) */
        if (c == ' ' && i > 0 && s[i - 1] == ' ')
            return false;
        /* away from the ends, sixteen or eight plain bytes at a time */
#if defined(__SSE2__)
        if (i > 0 && len - i > 16 && plain_16(s + i)) {
            i += 16;
            continue;
        }
#endif
        if (i > 0 && len - i > 8 && (memcpy(&w, s + i, 8), plain_word(w))) {
            i += 8;
            continue;
        }
        if (plain_ascii(c)) {
            i++;
        } else if (c == ' ') {
            if ((i == 0 && trim_start) || (i + 1 == len && trim_end) ||
                (i + 1 < len && s[i + 1] == ' '))
                return false;
            i++;
        } else if (c == '\'') {
            if (i + 1 < len && (unsigned char)s[i + 1] == 0xCB)
                return false; /* perhaps '˜ */
            i++;
        } else if (c == '`') {
            if (i > 0 && is_letter_byte(s[i - 1]) && i + 1 < len &&
                is_letter_byte(s[i + 1]))
                return false;
            i++;
        } else if (c < 0x80) {
            return false; /* tab, line end or another control */
        } else {
            uint32_t cp;
            size_t n = dk_utf8_decode(s + i, len - i, &cp);
            if (!n || cp == 0xB4 || is_space_cp(cp) || is_invisible(cp))
                return false;
            i += n;
        }
    }
    return true;
}

static bool verbatim(dk_type t)
{
    return t == DK_PRE || t == DK_CODE;
}

/* Clean the text nodes of an inline container (p, heading, line ...). */
static int clean_inlines(cleaner *c, dk_node *n)
{
    for (dk_node *t = dk_node_first(n), *next; t; t = next) {
        next = dk_node_next(t);
        dk_type type = dk_node_type(t);
        if (verbatim(type))
            continue;
        if (type != DK_TEXT) {
            if (clean_inlines(c, t) < 0)
                return -1;
            continue;
        }
        size_t len;
        const char *s = dk_node_text(t, &len);
        /* only the ends of a block are trimmed, not those of an em or a */
        bool block = !dk_type_is_inline(dk_node_type(n));
        bool at_start = block && !dk_node_prev(t);
        bool at_end = block && !next;
        if (clean_already(s, len, at_start, at_end))
            continue;
        if (clean_text(c, s, len, at_start, at_end) < 0)
            return dk_ctx_fail(c->ctx, DK_E_NOMEM, "out of memory");
        /* most text is clean already: leave it in place */
        bool same = c->out.len == len && !memcmp(c->out.data, s, len);
        if (!same && dk_node_set_text(t, c->out.data, c->out.len) < 0)
            return dk_ctx_fail(c->ctx, DK_E_NOMEM, "out of memory");
        if (c->out.len == 0) {
            dk_node_detach(t);
            dk_node_free(t);
        }
    }
    return 0;
}

/* All the text below n, as dk_node_text_content() gives it, without a
 * copy where n holds one text node (most paragraphs and headings): the
 * text is that node's, and *copy is NULL; else *copy is the text to
 * free. NULL if out of memory. */
static const char *content_of(const dk_node *n, size_t *len, char **copy)
{
    const dk_node *t = dk_node_first(n);
    *copy = NULL;
    if (t && !dk_node_next(t) && dk_node_type(t) == DK_TEXT)
        return dk_node_text(t, len);
    if (!t) {
        *len = 0;
        return "";
    }
    *copy = dk_node_text_content(n);
    *len = *copy ? strlen(*copy) : 0;
    return *copy;
}

static bool is_furniture(const dk_node *n)
{
    char *copy;
    size_t len;
    const char *t = content_of(n, &len, &copy);
    bool f = t && dkr_is_boilerplate_block(t, len);
    free(copy);
    return f;
}

static bool links_heading(const dk_node *h)
{
    char *copy;
    size_t len;
    const char *t = content_of(h, &len, &copy);
    bool f = t && dkr_link_list_heading(t, len);
    free(copy);
    return f;
}

static bool is_empty(const dk_node *n)
{
    return dk_node_first(n) == NULL;
}

/* The next word of s at *p (words are separated by single spaces after
 * cleaning); sets its length, or returns NULL at the end. */
static const char *next_word(const char **p, size_t *len)
{
    while (**p == ' ')
        (*p)++;
    if (!**p)
        return NULL;
    const char *w = *p;
    while (**p && **p != ' ')
        (*p)++;
    *len = (size_t)(*p - w);
    return w;
}

static bool word_eq(const char *a, size_t al, const char *b, size_t bl)
{
    return al == bl && !memcmp(a, b, al);
}

/* English function words: articles, prepositions, conjunctions,
 * pronouns and auxiliaries. A scrape that keeps two copies of a paragraph
 * may lose or gain one of these ("to the victims'" / "to victims'");
 * a paragraph that differs in any other word says something else. */
static bool function_word(const char *w, size_t len)
{
    static const char *const words[] = {
        "a", "an", "the", "this", "that", "these", "those", "of", "to", "in",
        "on", "at", "by", "for", "from", "with", "as", "into", "and", "or",
        "but", "nor", "so", "it", "its", "is", "are", "was", "were", "be",
        "been", "has", "have", "had", "which", "who", "also", "all"};
    while (len && !is_letter_byte(w[len - 1]))
        len--; /* "the," */
    if (len == 0)
        return false;
    char first = (char)(w[0] | 0x20);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (words[i][0] == first && dkr_text_eq(w, len, words[i]))
            return true;
    return false;
}

/* The word after the one at *p: a peek that leaves *p alone. */
static const char *peek_word(const char *p, size_t *len)
{
    return next_word(&p, len);
}

/* The same paragraph twice: the same words, or, in a paragraph of twenty
 * words or more, the same words but for at most two function words
 * inserted or dropped (the West Midlands page repeats one paragraph with
 * and without "the"). A function word changed for another ("to" and
 * "from", "has" and "had") and any other difference (two areas for
 * improvement about "domestic abuse" and "child abuse") is not a repeat. */
static bool repeated(const char *x, const char *y)
{
    size_t words = 0, edits = 0, al = 0, bl = 0, nl = 0;
    const char *p = x, *q = y, *nx;
    const char *a = next_word(&p, &al), *b = next_word(&q, &bl);
    while ((a || b) && edits <= 2) {
        if (a && b && word_eq(a, al, b, bl)) {
            words++;
            a = next_word(&p, &al);
            b = next_word(&q, &bl);
        } else if (a && function_word(a, al) &&
                   (!b ? !peek_word(p, &nl)
                       : (nx = peek_word(p, &nl)) && word_eq(nx, nl, b, bl))) {
            edits++; /* inserted in x */
            a = next_word(&p, &al);
        } else if (b && function_word(b, bl) &&
                   (!a ? !peek_word(q, &nl)
                       : (nx = peek_word(q, &nl)) && word_eq(nx, nl, a, al))) {
            edits++; /* inserted in y */
            b = next_word(&q, &bl);
        } else {
            return false; /* a content word differs, or a word changed */
        }
    }
    return words > 0 && (edits == 0 || (edits <= 2 && words >= 20));
}

/* A paragraph's text as content_of gives it, kept while the paragraph
 * after it is looked at: each paragraph's text is then made once, for the
 * furniture test and for the repeat tests with its neighbours on both
 * sides (a paragraph of several inline nodes has it copied). */
typedef struct para_text {
    const dk_node *p;
    const char *t; /* NULL if out of memory */
    size_t len;
    char *copy;
} para_text;

static void para_text_of(para_text *x, const dk_node *p)
{
    x->p = p;
    x->t = content_of(p, &x->len, &x->copy);
}

static void para_text_free(para_text *x)
{
    free(x->copy);
    *x = (para_text){0};
}

/* Does the paragraph x repeat prev, whose text last holds (or is made to
 * hold: clean makes no nodes, so a node last names is the one it was)? */
static bool repeats(para_text *last, const dk_node *prev, const para_text *x)
{
    if (last->p != prev) {
        para_text_free(last);
        para_text_of(last, prev);
    }
    return last->t && x->t && repeated(last->t, x->t);
}

static size_t count_words(const char *s)
{
    size_t w = 0;
    for (const char *p = s; next_word(&p, &(size_t){0});)
        w++;
    return w;
}

static void drop(dk_node *n)
{
    dk_node_detach(n);
    dk_node_free(n);
}

static int clean_blocks(cleaner *c, dk_node *parent);

/* A section's heading: its first child, if that is one (a heading further
 * down, which a section unwrapped before it left there, heads nothing). */
static dk_node *heading_of(dk_node *section)
{
    dk_node *h = dk_node_first(section);
    return h && dk_node_type(h) == DK_HEADING ? h : NULL;
}

/* Move a section's blocks up in place of the section (its heading was
 * furniture). */
static void unwrap(dk_node *section)
{
    dk_node *parent = dk_node_parent(section);
    dk_node *h = heading_of(section);
    if (h)
        drop(h);
    while (dk_node_first(section)) {
        dk_node *b = dk_node_first(section);
        dk_node_detach(b);
        if (dk_node_insert_before(parent, section, b) < 0)
            dk_node_free(b);
    }
    drop(section);
}

static int clean_block(cleaner *c, dk_node *n)
{
    dk_type t = dk_node_type(n);
    if (verbatim(t) || t == DK_HR)
        return 0;
    if (dk_type_allows_text(t) || t == DK_HEADING)
        return clean_inlines(c, n);
    return clean_blocks(c, n);
}

static int clean_blocks(cleaner *c, dk_node *parent)
{
    para_text last = {0}; /* of the last paragraph kept */
    dk_node *n = dk_node_first(parent);
    while (n) {
        dk_type t = dk_node_type(n);
        dk_node *h = t == DK_SECTION ? heading_of(n) : NULL;
        if (h && clean_inlines(c, h) < 0)
            goto fail;
        bool links = h && links_heading(h);
        if (links) {
            /* "Most read", "Related stories": the links under it go (its
             * lists and short paragraphs), anything else stays */
            for (dk_node *k = dk_node_first(n), *kn; k; k = kn) {
                kn = dk_node_next(k);
                char *copy = NULL;
                size_t kl;
                const char *kt = dk_node_type(k) == DK_P ? content_of(k, &kl, &copy)
                                                         : NULL;
                /* a headline: short, no full stop at its end */
                bool link = dk_node_type(k) == DK_LIST ||
                            (kt && count_words(kt) <= 20 &&
                             !(kl && (kt[kl - 1] == '.' || kt[kl - 1] == ',')));
                free(copy);
                if (link)
                    drop(k);
            }
        }
        if (h && (links || is_furniture(h) || is_empty(h))) {
            /* a section headed "Share this page": keep what it holds */
            dk_node *prev = dk_node_prev(n);
            unwrap(n);
            n = prev ? dk_node_next(prev) : dk_node_first(parent);
            continue;
        }
        if (clean_block(c, n) < 0)
            goto fail;
        /* blocks emptied before a heading left it heading the section:
         * look at the section again, as a second run would */
        if (t == DK_SECTION && !h && heading_of(n))
            continue;
        dk_node *next = dk_node_next(n), *prev = dk_node_prev(n);
        para_text x = {0};
        if (t == DK_P)
            para_text_of(&x, n);
        if (t == DK_P && x.t && dkr_is_boilerplate_block(x.t, x.len)) {
            drop(n);
        } else if ((t == DK_P || t == DK_ITEM || t == DK_LIST) && is_empty(n)) {
            drop(n); /* emptied by cleaning */
        } else if (t == DK_P && prev && dk_node_type(prev) == DK_P &&
                   repeats(&last, prev, &x)) {
            const char *off = dk_node_attr(n, DK_ATTR_OFFSET);
            const char *page = dk_node_attr(n, DK_ATTR_PAGE);
            dk_ctx_warn(c->ctx, "removed a repeated paragraph%s%s",
                        off ? " at byte " : page ? " on page " : "",
                        off ? off : page ? page : "");
            drop(n);
        } else if (t == DK_P) {
            /* kept: the next paragraph's neighbour */
            para_text_free(&last);
            last = x;
            x = (para_text){0};
        }
        para_text_free(&x);
        n = next;
    }
    para_text_free(&last);
    return 0;
fail:
    para_text_free(&last);
    return -1;
}

static int clean_transform(dk_ctx *ctx, dk_node *doc)
{
    cleaner c = {.ctx = ctx};
    int r = 0;
    dk_node *meta = dk_node_child(doc, DK_META);
    for (dk_node *m = meta ? dk_node_first(meta) : NULL, *next; m && r == 0;
         m = next) {
        next = dk_node_next(m);
        if (dk_type_allows_text(dk_node_type(m)))
            r = clean_inlines(&c, m);
        if (r == 0 && dk_node_type(m) == DK_TITLE && (is_furniture(m) || is_empty(m)))
            drop(m);
    }
    dk_node *body = dk_node_child(doc, DK_BODY);
    if (r == 0 && body)
        r = clean_blocks(&c, body);
    dk_buf_free(&c.out);
    dk_buf_free(&c.repair[0]);
    dk_buf_free(&c.repair[1]);
    return r < 0 ? -1 : 0;
}

DOCKET_PLUGIN(.name = "clean", .version = DK_VERSION,
              .description = "repair mojibake, normalise space and quotes, "
                             "drop page furniture and repeats",
              .kinds = DK_KIND_TRANSFORM, .transform = clean_transform);
