/* Unit tests of the document tree and the public structs. */
#include "harness.h"

#include <docket/docket.h>
#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

START_TEST(names_round_trip)
{
    for (int t = 0; t < DK_TYPE_COUNT; t++) {
        if (!DK_TYPE_IS_ELEMENT(t))
            continue;
        const char *n = dk_type_name((dk_type)t);
        ck_assert_ptr_nonnull(n);
        ck_assert_int_eq(dk_type_from_name(n, strlen(n)), t);
    }
    for (int a = 0; a < DK_ATTR_COUNT; a++) {
        const char *n = dk_attr_name((dk_attr)a);
        ck_assert_int_eq(dk_attr_from_name(n, strlen(n)), a);
    }
    ck_assert_int_eq(dk_type_from_name("#text", 5), -1);
    ck_assert_int_eq(dk_type_from_name("para", 4), -1);
    ck_assert_int_eq(dk_type_from_name("p", 1), DK_P);
    ck_assert_ptr_null(dk_type_name(DK_TYPE_COUNT));
}
END_TEST

START_TEST(content_model)
{
    ck_assert(dk_type_allows_child(DK_DOCUMENT, DK_META));
    ck_assert(dk_type_allows_child(DK_DOCUMENT, DK_BODY));
    ck_assert(!dk_type_allows_child(DK_DOCUMENT, DK_P));
    ck_assert(dk_type_allows_child(DK_BODY, DK_SECTION));
    ck_assert(!dk_type_allows_child(DK_BODY, DK_TEXT));
    ck_assert(dk_type_allows_child(DK_SECTION, DK_HEADING));
    ck_assert(dk_type_allows_child(DK_P, DK_EM));
    ck_assert(!dk_type_allows_child(DK_P, DK_P));
    ck_assert(dk_type_allows_child(DK_LIST, DK_ITEM));
    ck_assert(!dk_type_allows_child(DK_LIST, DK_P));
    ck_assert(dk_type_allows_child(DK_ITEM, DK_LIST));
    ck_assert(dk_type_allows_child(DK_LETTER, DK_SIGNATURE));
    ck_assert(dk_type_allows_child(DK_SENDER, DK_ADDRESS));
    ck_assert(!dk_type_allows_child(DK_SENDER, DK_P));
    ck_assert(dk_type_allows_text(DK_TITLE));
    ck_assert(!dk_type_allows_child(DK_TITLE, DK_EM));
    ck_assert(!dk_type_allows_text(DK_HR));
    ck_assert(dk_type_allows_attr(DK_A, DK_ATTR_HREF));
    ck_assert(!dk_type_allows_attr(DK_P, DK_ATTR_HREF));
    ck_assert(dk_type_allows_attr(DK_P, DK_ATTR_PAGE));
    ck_assert(dk_type_allows_attr(DK_GRADE, DK_ATTR_OFFSET));
    ck_assert(!dk_type_allows_attr(DK_TEXT, DK_ATTR_PAGE));
    ck_assert(dk_type_is_block(DK_GRADE));
    ck_assert(!dk_type_is_block(DK_EM));
    ck_assert(dk_type_is_inline(DK_TEXT));
}
END_TEST

START_TEST(builders_enforce_model)
{
    dk_node *doc = dk_document_new("report");
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(dk_node_attr(doc, DK_ATTR_KIND), "report");
    dk_node *body = dk_document_body(doc);
    ck_assert_ptr_eq(dk_node_first(doc), dk_document_meta(doc));
    ck_assert_ptr_eq(dk_node_last(doc), body);
    ck_assert_ptr_null(dk_node_add(body, DK_ITEM));
    ck_assert_int_eq(dk_node_add_text(body, "x", 1), -1);
    dk_node *p = dk_node_add(body, DK_P);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(dk_node_set_attr(p, DK_ATTR_HREF, "x"), -1);
    dk_node *stray = dk_node_new(DK_META);
    ck_assert_int_eq(dk_node_append(p, stray), -1);
    dk_node_free(stray); /* still ours after a refused append */
    ck_assert_ptr_null(dk_node_new(DK_TEXT));
    dk_node_free(doc);
}
END_TEST

START_TEST(text_is_merged)
{
    dk_node *p = dk_node_new(DK_P);
    ck_assert_int_eq(dk_node_add_text(p, "Hello", 5), 0);
    ck_assert_int_eq(dk_node_add_text(p, ", ", 2), 0);
    ck_assert_int_eq(dk_node_append(p, dk_node_new_text("world", 5)), 0);
    ck_assert_int_eq(dk_node_append(p, dk_node_new_text("", 0)), 0);
    ck_assert_ptr_eq(dk_node_first(p), dk_node_last(p));
    size_t len;
    ck_assert_str_eq(dk_node_text(dk_node_first(p), &len), "Hello, world");
    ck_assert_uint_eq(len, 12);

    dk_node *em = dk_node_add_with_text(p, DK_EM, "!");
    ck_assert_ptr_nonnull(em);
    dk_node_add_text(p, " end", 4);
    ck_assert_ptr_eq(dk_node_next(dk_node_first(p)), em);
    /* inserting text before a text node merges into it */
    dk_node *t = dk_node_new_text(">", 1);
    ck_assert_int_eq(dk_node_insert_before(p, dk_node_last(p), t), 0);
    ck_assert_str_eq(dk_node_text(dk_node_last(p), NULL), "> end");
    dk_node_add(p, DK_BR);
    char *all = dk_node_text_content(p);
    ck_assert_str_eq(all, "Hello, world!> end\n");
    free(all);
    dk_node_free(p);
}
END_TEST

START_TEST(utf8_is_checked)
{
    ck_assert_ptr_null(dk_node_new_text("a\xffz", 3));
    ck_assert_ptr_null(dk_node_new_text("a\0z", 3));
    ck_assert_ptr_null(dk_node_new_text("\xed\xa0\x80", 3)); /* surrogate */
    ck_assert_ptr_null(dk_node_new_text("\xc0\xaf", 2));     /* overlong */
    ck_assert_ptr_null(dk_node_new_text("\xf4\x90\x80\x80", 4)); /* >10FFFF */
    dk_node *ok = dk_node_new_text("caf\xc3\xa9 \xe2\x80\x98q\xe2\x80\x99", 13);
    ck_assert_ptr_nonnull(ok);
    dk_node_free(ok);
    dk_node *p = dk_node_new(DK_P);
    ck_assert_int_eq(dk_node_set_attr(p, DK_ATTR_PAGE, "\xff"), -1);
    dk_node_free(p);
    ck_assert_uint_eq(dk_utf8_valid_prefix("ab\xe2\x80", 4), 2);
    char buf[4];
    uint32_t cp;
    ck_assert_uint_eq(dk_utf8_encode(0x1F600, buf), 4);
    ck_assert_uint_eq(dk_utf8_decode(buf, 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x1F600);
}
END_TEST

/* Text grown piece by piece (continuation lines, text in chunks), text
 * set from its own bytes, shrunk and grown again. */
START_TEST(text_grows_and_is_replaced)
{
    dk_node *p = dk_node_new(DK_P);
    dk_buf want = DK_BUF_INIT;
    char piece[32];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(piece, sizeof piece, "%d ", i);
        ck_assert_int_eq(dk_node_add_text(p, piece, (size_t)n), 0);
        dk_buf_append(&want, piece, (size_t)n);
    }
    ck_assert_ptr_eq(dk_node_first(p), dk_node_last(p));
    dk_node *t = dk_node_first(p);
    size_t len;
    ck_assert_str_eq(dk_node_text(t, &len), want.data);
    ck_assert_uint_eq(len, want.len);
    /* prepended text merges too */
    ck_assert_int_eq(dk_node_insert_before(p, t, dk_node_new_text("start ", 6)), 0);
    ck_assert_int_eq(strncmp(dk_node_text(t, NULL), "start 0 1 2 ", 12), 0);
    /* replaced by a part of itself, then shorter, then longer */
    const char *own = dk_node_text(t, &len);
    ck_assert_int_eq(dk_node_set_text(t, own + 6, len - 6), 0);
    ck_assert_str_eq(dk_node_text(t, NULL), want.data);
    ck_assert_int_eq(dk_node_set_text(t, "short", 5), 0);
    ck_assert_str_eq(dk_node_text(t, &len), "short");
    ck_assert_uint_eq(len, 5);
    ck_assert_int_eq(dk_node_set_text(t, "sho", 3), 0);
    ck_assert_int_eq(dk_node_add_text(p, "rt and longer", 13), 0);
    ck_assert_str_eq(dk_node_text(t, NULL), "short and longer");
    ck_assert_int_eq(dk_node_set_text(t, "", 0), 0);
    ck_assert_str_eq(dk_node_text(t, &len), "");
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(dk_node_set_text(t, "bad\xff", 4), -1);
    ck_assert_str_eq(dk_node_text(t, NULL), "");
    /* one run of text holds less than 4 GiB: longer is refused before a
     * byte of it is read (so these short buffers are never overrun) */
    static const char xs[8] = "xxxxxxxx"; /* no NUL: reading on is an
                                              overrun AddressSanitizer sees */
    size_t huge = (size_t)UINT32_MAX;
    ck_assert_ptr_null(dk_node_new_text(xs, huge));
    ck_assert_int_eq(dk_node_set_text(t, xs, huge), -1);
    ck_assert_int_eq(dk_node_add_text(p, xs, huge), -1);
    ck_assert_str_eq(dk_node_text(t, NULL), "");
    dk_buf_free(&want);
    dk_node_free(p);
}
END_TEST

/* Validation reads ASCII sixteen or eight bytes at a time: a bad byte
 * is found wherever it stands. */
START_TEST(utf8_checked_at_every_position)
{
    char s[40];
    for (size_t at = 0; at < sizeof s; at++) {
        memset(s, 'a', sizeof s);
        s[at] = (char)0xff;
        ck_assert_uint_eq(dk_utf8_valid_prefix(s, sizeof s), at);
        memcpy(s + (at < 37 ? at : 37), "\xe2\x80\x99", 3);
        ck_assert_uint_eq(dk_utf8_valid_prefix(s, sizeof s), sizeof s);
        s[at] = '\0';
        ck_assert_ptr_null(dk_node_new_text(s, sizeof s));
    }
}
END_TEST

#define SHA "ab000000000000000000000000000000000000000000000000000000000000cd"

START_TEST(attributes_sorted_replaced_removed)
{
    dk_node *src = dk_node_new(DK_SOURCE);
    ck_assert_int_eq(dk_node_set_attr(src, DK_ATTR_SHA256, SHA), 0);
    ck_assert_int_eq(dk_node_set_attr(src, DK_ATTR_NAME, "x.txt"), 0);
    ck_assert_int_eq(dk_node_set_attr(src, DK_ATTR_FORMAT, "text"), 0);
    ck_assert_int_eq(dk_node_set_attr(src, DK_ATTR_NAME, "y.txt"), 0);
    ck_assert_str_eq(dk_node_attr(src, DK_ATTR_NAME), "y.txt");
    ck_assert_int_eq(dk_node_set_attr(src, DK_ATTR_FORMAT, NULL), 0);
    ck_assert_ptr_null(dk_node_attr(src, DK_ATTR_FORMAT));
    ck_assert_str_eq(dk_node_attr(src, DK_ATTR_SHA256), SHA);
    ck_assert_int_eq(dk_node_set_attr_int(src, DK_ATTR_PAGE, 12), 0);
    ck_assert_str_eq(dk_node_attr(src, DK_ATTR_PAGE), "12");
    dk_node_free(src);
}
END_TEST

static int count_cb(dk_node *n, int depth, void *user)
{
    int *counts = user;
    counts[0]++;
    if (depth > counts[1])
        counts[1] = depth;
    return dk_node_type(n) == DK_LIST ? 1 : 0; /* skip inside lists */
}

START_TEST(walk_copy_detach)
{
    dk_node *doc = dk_document_new(NULL);
    dk_node *body = dk_document_body(doc);
    dk_node *sec = dk_node_add(body, DK_SECTION);
    dk_node_add_with_text(dk_node_add(sec, DK_HEADING), DK_EM, "Title");
    dk_node *list = dk_node_add(sec, DK_LIST);
    dk_node_add_with_text(dk_node_add(list, DK_ITEM), DK_P, "one");
    int counts[2] = {0, 0};
    ck_assert_int_eq(dk_node_walk(doc, count_cb, counts), 0);
    /* document, meta, body, section, heading, em, text, list */
    ck_assert_int_eq(counts[0], 8);
    ck_assert_int_eq(counts[1], 5);
    ck_assert_int_eq(dk_node_depth(doc), 7);

    dk_node *copy = dk_node_copy(doc);
    char *a = dk_node_text_content(doc), *b = dk_node_text_content(copy);
    ck_assert_str_eq(a, "Titleone");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    ck_assert_int_eq(dk_node_depth(copy), 7);

    dk_node_detach(list);
    ck_assert_ptr_null(dk_node_parent(list));
    ck_assert_ptr_eq(dk_node_last(sec), dk_node_first(sec));
    dk_node_free(list);
    dk_node_free(copy);
    dk_node_free(doc);
}
END_TEST

/* CPU seconds to grow one paragraph's text to size bytes, 4 at a time. */
static double grow_text(size_t size)
{
    dk_node *p = dk_node_new(DK_P);
    clock_t t0 = clock();
    int failed = 0;
    for (size_t i = 0; i < size; i += 4)
        failed |= dk_node_add_text(p, "abc ", 4);
    ck_assert_int_eq(failed, 0);
    double t = (double)(clock() - t0) / CLOCKS_PER_SEC;
    size_t len;
    dk_node_text(dk_node_first(p), &len);
    ck_assert_uint_eq(len, size);
    dk_node_free(p);
    return t;
}

/* Text appended piece by piece costs what it holds, not its square: ten
 * times the text, well under a hundred times the time (text grown to its
 * exact size each time copies it all on every append under the
 * sanitizers, and often without them). */
START_TEST(appending_text_is_linear)
{
    grow_text(64u << 10);
    double small = grow_text(512u << 10), large = grow_text(5u << 20);
    double floor = small > 0.01 ? small : 0.01;
    ck_assert_msg(large < 25 * floor, "0.5 MB in %.3f s, 5 MB in %.3f s", small, large);
}
END_TEST

static bool text_ok(dk_type type, const char *text)
{
    dk_node *n = dk_node_new(type);
    ck_assert_int_eq(dk_node_add_text(n, text, strlen(text)), 0);
    bool ok = dk_node_text_ok(n);
    dk_node_free(n);
    return ok;
}

/* A year and a language tag as the schema's types have them (each case
 * checked against xmllint --relaxng schema/docket.rng). */
START_TEST(text_values)
{
    static const char *const years[] = {"2016", "12345", "2016Z", "-2016", "2016+01:00",
                                        " 2016", "2016 ", "0001"};
    static const char *const not_years[] = {"0000", "01234", "20%16", "16", "",
                                            "2016+15:00", "2016 AD"};
    static const char *const langs[] = {"en", "en-GB", "x-klingon", "i-default", " en"};
    static const char *const not_langs[] = {"en_GB", "en-", "abcdefghi", "12", "", "-en"};
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++)
        ck_assert_msg(text_ok(DK_YEAR, years[i]), "[%s]", years[i]);
    for (size_t i = 0; i < sizeof not_years / sizeof not_years[0]; i++)
        ck_assert_msg(!text_ok(DK_YEAR, not_years[i]), "[%s]", not_years[i]);
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        ck_assert_msg(text_ok(DK_LANG, langs[i]), "[%s]", langs[i]);
    for (size_t i = 0; i < sizeof not_langs / sizeof not_langs[0]; i++)
        ck_assert_msg(!text_ok(DK_LANG, not_langs[i]), "[%s]", not_langs[i]);
    ck_assert(text_ok(DK_TITLE, "anything at all"));
    dk_node *empty = dk_node_new(DK_YEAR);
    ck_assert(!dk_node_text_ok(empty));
    dk_node_free(empty);
}
END_TEST

/* Numbers in attributes: canonical where JSON Schema wants them so, and
 * no longer than libxml2's schema types read (each checked by the schema
 * tests' validators too). */
START_TEST(attribute_numbers)
{
    ck_assert(dk_attr_value_ok(DK_P, DK_ATTR_OFFSET, "0"));
    ck_assert(dk_attr_value_ok(DK_P, DK_ATTR_OFFSET, "12345678901234567890"));
    ck_assert(!dk_attr_value_ok(DK_P, DK_ATTR_OFFSET, "123456789012345678901"));
    ck_assert(!dk_attr_value_ok(DK_P, DK_ATTR_OFFSET, "007"));
    ck_assert(!dk_attr_value_ok(DK_P, DK_ATTR_OFFSET, "-1"));
    ck_assert(!dk_attr_value_ok(DK_P, DK_ATTR_OFFSET, ""));
    ck_assert(dk_attr_value_ok(DK_P, DK_ATTR_PAGE, "1"));
    ck_assert(!dk_attr_value_ok(DK_P, DK_ATTR_PAGE, "0"));
    ck_assert(!dk_attr_value_ok(DK_P, DK_ATTR_PAGE, "01"));
    ck_assert(dk_attr_value_ok(DK_LIST, DK_ATTR_START, "-5"));
    ck_assert(dk_attr_value_ok(DK_LIST, DK_ATTR_START, "007"));
    ck_assert(dk_attr_value_ok(DK_LIST, DK_ATTR_START, "9223372036854775807"));
    ck_assert(!dk_attr_value_ok(DK_LIST, DK_ATTR_START, "+5"));
    ck_assert(!dk_attr_value_ok(DK_LIST, DK_ATTR_START, "-"));
    ck_assert(!dk_attr_value_ok(DK_LIST, DK_ATTR_START,
                                "111111111111111111111111111111111111111111111111111"));
}
END_TEST

/* The children of a node, against a plain array kept beside them, after
 * each of thousands of inserts (first, middle, last, into an empty list)
 * and removals (the first, the last, one between, the only one): next and
 * prev agree both ways, the first has no prev and the last no next, and
 * first, last and parent are right. (A node keeps its parent's last child
 * as its first child's prev: this is what the ring must not show.) */
static bool children_are(const dk_node *parent, dk_node *const *want, size_t n)
{
    dk_node *c = dk_node_first(parent), *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        if (c != want[i] || dk_node_parent(c) != parent || dk_node_prev(c) != prev)
            return false;
        prev = c;
        c = dk_node_next(c);
    }
    return !c && dk_node_last(parent) == (n ? want[n - 1] : NULL) &&
           (n || !dk_node_first(parent));
}

START_TEST(sibling_links_hold)
{
    dk_node *list = dk_node_new(DK_LIST);
    dk_node *want[64];
    size_t n = 0;
    unsigned seed = 12345;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 16;
        if (n < 64 && (r % 3 != 0 || n == 0)) {
            /* insert at 0 .. n (n: append) */
            size_t at = r % (n + 1);
            dk_node *item = dk_node_new(DK_ITEM);
            ck_assert_int_eq(dk_node_insert_before(list, at < n ? want[at] : NULL, item), 0);
            memmove(want + at + 1, want + at, (n - at) * sizeof *want);
            want[at] = item;
            n++;
        } else {
            size_t at = r % n;
            dk_node *gone = want[at];
            dk_node_detach(gone);
            bool loose = !dk_node_parent(gone) && !dk_node_prev(gone) && !dk_node_next(gone);
            dk_node_free(gone);
            if (!loose)
                ck_abort_msg("step %d: a detached node keeps a link", step);
            memmove(want + at, want + at + 1, (n - at - 1) * sizeof *want);
            n--;
        }
        if (!children_are(list, want, n))
            ck_abort_msg("step %d: the links disagree with the %zu children", step, n);
    }
    dk_node_free(list);
}
END_TEST

/* A list's attributes changed at random, values short (held in the node
 * when alone) and long (in a block), set from other values of the same
 * node, removed: each step checked against plain strings, and a copy of
 * the node against the node. */
START_TEST(attribute_changes_hold)
{
    static const dk_attr attrs[] = {DK_ATTR_TYPE, DK_ATTR_START, DK_ATTR_PAGE,
                                    DK_ATTR_OFFSET};
    enum { N = sizeof attrs / sizeof attrs[0] };
    char want[N][32] = {{0}};
    bool set[N] = {false};
    dk_node *body = dk_node_new(DK_BODY), *list = dk_node_add(body, DK_LIST);
    dk_node *item = dk_node_add(list, DK_ITEM);
    unsigned seed = 777;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 16;
        size_t k = r % N;
        char v[32];
        switch ((r / N) % 4) {
        case 0: /* remove */
            ck_assert_int_eq(dk_node_set_attr(list, attrs[k], NULL), 0);
            set[k] = false;
            continue;
        case 1: { /* another attribute's value, when it fits this one */
            size_t j = (r / 16) % N;
            const char *other = dk_node_attr(list, attrs[j]);
            if (!other || attrs[k] == DK_ATTR_TYPE || attrs[j] == DK_ATTR_TYPE ||
                (attrs[k] == DK_ATTR_PAGE && !strcmp(other, "0")))
                continue;
            snprintf(want[k], sizeof want[k], "%s", other);
            ck_assert_int_eq(dk_node_set_attr(list, attrs[k], other), 0);
            set[k] = true;
            break;
        }
        default: /* a value of 1 to 20 digits, or a list type */
            if (attrs[k] == DK_ATTR_TYPE) {
                snprintf(v, sizeof v, "%s", r & 64 ? "bullet" : "ordered");
            } else {
                size_t digits = 1 + (r / 64) % 20;
                v[0] = (char)('1' + r % 9);
                for (size_t d = 1; d < digits; d++)
                    v[d] = (char)('0' + (r >> d) % 10);
                v[digits] = '\0';
            }
            ck_assert_int_eq(dk_node_set_attr(list, attrs[k], v), 0);
            snprintf(want[k], sizeof want[k], "%s", v);
            set[k] = true;
        }
        /* the value stays in its bytes: the links beside them hold */
        ck_assert_ptr_eq(dk_node_parent(list), body);
        ck_assert_ptr_eq(dk_node_first(list), item);
        dk_node *copy = dk_node_copy(list);
        for (size_t i = 0; i < N; i++) {
            const char *got = dk_node_attr(list, attrs[i]);
            const char *copied = dk_node_attr(copy, attrs[i]);
            if (set[i] ? !got || strcmp(got, want[i]) || !copied || strcmp(copied, want[i])
                       : got || copied)
                ck_abort_msg("step %d: %s is %s, copied %s, should be %s", step,
                             dk_attr_name(attrs[i]), got ? got : "unset",
                             copied ? copied : "unset", set[i] ? want[i] : "unset");
        }
        dk_node_free(copy);
    }
    dk_node_free(body);
}
END_TEST

/* A block's offset alone is held in its node: a hundred thousand
 * paragraphs with their offsets allocate nothing from malloc (nodes come
 * from slabs; a block of its own for each offset would take 32 bytes with
 * malloc's header). Not with AddressSanitizer, where every node is a malloc
 * block. */
START_TEST(offset_is_held_in_the_node)
{
#if !defined(__SANITIZE_ADDRESS__)
    enum { N = 100000 };
    dk_node *body = dk_node_new(DK_BODY);
    ck_assert_int_eq(dk_node_set_attr_int(dk_node_add(body, DK_P), DK_ATTR_OFFSET, 1), 0);
    struct mallinfo2 before = mallinfo2();
    for (long long i = 0; i < N; i++) {
        dk_node *p = dk_node_add(body, DK_P);
        ck_assert_int_eq(dk_node_set_attr_int(p, DK_ATTR_OFFSET, 10000000000LL + i), 0);
    }
    struct mallinfo2 after = mallinfo2();
    ck_assert_msg(after.uordblks < before.uordblks + N,
                  "%zu bytes allocated for %d offsets",
                  after.uordblks - before.uordblks, N);
    ck_assert_str_eq(dk_node_attr(dk_node_last(body), DK_ATTR_OFFSET), "10000099999");
    dk_node_free(body);
#endif
}
END_TEST

/* Many more nodes than one slab holds, made for three parents in turn, so
 * that each list's links join nodes far apart; then every other child
 * moves to another parent. */
START_TEST(links_across_many_nodes)
{
    enum { EACH = 40000 };
    dk_node *lists[3];
    for (int l = 0; l < 3; l++)
        lists[l] = dk_node_new(DK_LIST);
    dk_node **kids = malloc(3 * EACH * sizeof *kids);
    ck_assert_ptr_nonnull(kids);
    for (size_t i = 0; i < 3 * EACH; i++) {
        kids[i] = dk_node_add(lists[i % 3], DK_ITEM);
        ck_assert_ptr_nonnull(kids[i]);
    }
    for (int l = 0; l < 3; l++) {
        dk_node *c = dk_node_first(lists[l]);
        for (size_t i = (size_t)l; i < 3 * EACH; i += 3, c = dk_node_next(c))
            ck_assert_msg(c == kids[i] && dk_node_parent(c) == lists[l] &&
                              dk_node_prev(c) == (i >= 3 ? kids[i - 3] : NULL),
                          "list %d, child %zu", l, i / 3);
        ck_assert_ptr_null(c);
        ck_assert_ptr_eq(dk_node_last(lists[l]), kids[3 * (EACH - 1) + (size_t)l]);
    }
    /* every other child of the first list to the end of the third */
    for (size_t i = 0; i < 3 * EACH; i += 6) {
        dk_node_detach(kids[i]);
        ck_assert_int_eq(dk_node_append(lists[2], kids[i]), 0);
    }
    size_t n = 0;
    for (dk_node *c = dk_node_first(lists[0]); c; c = dk_node_next(c), n++)
        ck_assert_ptr_eq(c, kids[3 + 6 * n]);
    ck_assert_uint_eq(n, EACH / 2);
    dk_node *c = dk_node_last(lists[2]);
    for (size_t i = 0; i < EACH / 2; i++, c = dk_node_prev(c))
        ck_assert_ptr_eq(c, kids[6 * (EACH / 2 - 1 - i)]);
    for (size_t i = 0; i < EACH; i++, c = dk_node_prev(c))
        ck_assert_ptr_eq(c, kids[3 * (EACH - 1 - i) + 2]);
    ck_assert_ptr_null(c);
    free(kids);
    for (int l = 0; l < 3; l++)
        dk_node_free(lists[l]);
}
END_TEST

START_TEST(deep_tree_frees_without_recursion)
{
    /* Far deeper than any reader allows: freeing must not recurse. */
    dk_node *root = dk_node_new(DK_QUOTE), *n = root;
    for (int i = 0; i < 200000; i++)
        n = dk_node_add(n, DK_QUOTE);
    ck_assert_ptr_nonnull(n);
    dk_node_free(root);
}
END_TEST

START_TEST(buffer)
{
    dk_buf b = DK_BUF_INIT;
    ck_assert_int_eq(dk_buf_puts(&b, "abc"), 0);
    ck_assert_int_eq(dk_buf_printf(&b, "-%d-", 42), 0);
    ck_assert_int_eq(dk_buf_putc(&b, 'z'), 0);
    ck_assert_str_eq(b.data, "abc-42-z");
    char *s = dk_buf_steal(&b);
    ck_assert_str_eq(s, "abc-42-z");
    ck_assert_ptr_null(b.data);
    free(s);
}
END_TEST

/* The public structs are ABI: changing their layout must be deliberate
 * (a new minor only appends to dk_plugin; anything else bumps
 * DK_ABI_MAJOR), so the sizes and offsets are pinned here. */
START_TEST(abi_struct_sizes)
{
    ck_assert_uint_eq(sizeof(dk_plugin), 128);
    ck_assert_uint_eq(DK_PLUGIN_SIZE_1_0, offsetof(dk_plugin, init));
    ck_assert_uint_eq(offsetof(dk_plugin, options), 120);
    ck_assert_uint_eq(sizeof(dk_option_decl), 24);
    ck_assert_uint_eq(sizeof(dk_magic), 24);
    ck_assert_uint_eq(sizeof(dk_probe), 24);
    ck_assert_uint_eq(sizeof(dk_buf), 24);
    ck_assert_int_eq(DK_TYPE_COUNT, 46);
    ck_assert_int_eq(DK_ATTR_COUNT, 14);
    ck_assert_int_eq(DK_TEXT, 43);
    ck_assert_int_eq(DK_REFERENCE, 44);
    ck_assert_int_eq(DK_DESCRIPTION, 45);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tree");
    TCase *tc = tcase_create("tree");
    tcase_add_test(tc, names_round_trip);
    tcase_add_test(tc, content_model);
    tcase_add_test(tc, builders_enforce_model);
    tcase_add_test(tc, text_is_merged);
    tcase_add_test(tc, utf8_is_checked);
    tcase_add_test(tc, text_grows_and_is_replaced);
    tcase_add_test(tc, appending_text_is_linear);
    tcase_add_test(tc, text_values);
    tcase_add_test(tc, attribute_numbers);
    tcase_add_test(tc, utf8_checked_at_every_position);
    tcase_add_test(tc, attributes_sorted_replaced_removed);
    tcase_add_test(tc, walk_copy_detach);
    tcase_add_test(tc, sibling_links_hold);
    tcase_add_test(tc, attribute_changes_hold);
    tcase_add_test(tc, links_across_many_nodes);
    tcase_add_test(tc, offset_is_held_in_the_node);
    tcase_add_test(tc, deep_tree_frees_without_recursion);
    tcase_add_test(tc, buffer);
    tcase_add_test(tc, abi_struct_sizes);
    suite_add_tcase(s, tc);
    int failed = run_suite(s);
    return failed;
}
