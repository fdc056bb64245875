/*
 * docket/tree.h - the document tree every reader builds and every writer reads.
 *
 * One node structure serves all formats. A node has a type (one of the
 * elements of the canonical XML vocabulary, or DK_TEXT), a set of attributes
 * and an ordered list of children. The content model of each type (which
 * children and attributes it may hold) is fixed here and enforced by the
 * builders, so a tree that the builders accepted can always be written.
 *
 * Ownership rules
 *  - A node that has no parent is owned by whoever created it and is freed
 *    with dk_node_free(), which frees its whole subtree.
 *  - dk_node_append() and friends take ownership of the child on success; on
 *    failure the caller still owns it.
 *  - Strings passed in are copied. Strings returned by dk_node_text(),
 *    dk_node_attr() and the name functions are "transfer none": owned by the
 *    tree (or static), valid until the node is changed or freed.
 *  - Functions documented "transfer full" return memory the caller frees
 *    with free().
 *  - All text is UTF-8 without NUL bytes; builders refuse anything else.
 *  - A plugin callback may keep no pointer into a tree after it returns.
 */
#ifndef DOCKET_TREE_H
#define DOCKET_TREE_H

#include <docket/export.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The node types: X(ENUM, "xml-name"). New types are only ever appended, so
 * the numeric values are part of the ABI.
 */
#define DK_NODE_TYPES(X)                                                       \
    X(DOCUMENT, "document")                                                    \
    X(META, "meta")                                                            \
    X(TITLE, "title")                                                          \
    X(DATE, "date")                                                            \
    X(SOURCE, "source")                                                        \
    X(ORG, "org")                                                              \
    X(FORCE, "force")                                                          \
    X(YEAR, "year")                                                            \
    X(AUTHOR, "author")                                                        \
    X(LANG, "lang")                                                            \
    X(BODY, "body")                                                            \
    X(SECTION, "section")                                                      \
    X(HEADING, "heading")                                                      \
    X(P, "p")                                                                  \
    X(QUOTE, "quote")                                                          \
    X(LIST, "list")                                                            \
    X(ITEM, "item")                                                            \
    X(TABLE, "table")                                                          \
    X(ROW, "row")                                                              \
    X(CELL, "cell")                                                            \
    X(PRE, "pre")                                                              \
    X(HR, "hr")                                                                \
    X(GRADE, "grade")                                                          \
    X(ADDRESS, "address")                                                      \
    X(LINE, "line")                                                            \
    X(LETTER, "letter")                                                        \
    X(SENDER, "sender")                                                        \
    X(RECIPIENT, "recipient")                                                  \
    X(SUBJECT, "subject")                                                      \
    X(SALUTATION, "salutation")                                                \
    X(CLOSING, "closing")                                                      \
    X(SIGNATURE, "signature")                                                  \
    X(CC, "cc")                                                                \
    X(ENCLOSURE, "enclosure")                                                  \
    X(NAME, "name")                                                            \
    X(ROLE, "role")                                                            \
    X(PHONE, "phone")                                                          \
    X(EMAIL, "email")                                                          \
    X(EM, "em")                                                                \
    X(STRONG, "strong")                                                        \
    X(A, "a")                                                                  \
    X(BR, "br")                                                                \
    X(CODE, "code")                                                            \
    X(TEXT, "#text")                                                           \
    X(REFERENCE, "reference")                                                  \
    X(DESCRIPTION, "description")

typedef enum dk_type {
#define DK_X_ENUM(e, n) DK_##e,
    DK_NODE_TYPES(DK_X_ENUM)
#undef DK_X_ENUM
        DK_TYPE_COUNT
} dk_type;

/* True for every element type (all but DK_TEXT and out-of-range values). */
#define DK_TYPE_IS_ELEMENT(t) ((unsigned)(t) < DK_TYPE_COUNT && (t) != DK_TEXT)

/* The attributes: X(ENUM, "xml-name"). Appended only, like the types. */
#define DK_ATTRS(X)                                                            \
    X(FORMAT, "format")                                                        \
    X(HEADER, "header")                                                        \
    X(HREF, "href")                                                            \
    X(KIND, "kind")                                                            \
    X(LEVEL, "level")                                                          \
    X(NAME, "name")                                                            \
    X(OFFSET, "offset")                                                        \
    X(PAGE, "page")                                                            \
    X(ROLE, "role")                                                            \
    X(SHA256, "sha256")                                                        \
    X(START, "start")                                                          \
    X(TYPE, "type")                                                            \
    X(VALUE, "value")                                                          \
    X(WHEN, "when")

typedef enum dk_attr {
#define DK_X_ENUM(e, n) DK_ATTR_##e,
    DK_ATTRS(DK_X_ENUM)
#undef DK_X_ENUM
        DK_ATTR_COUNT
} dk_attr;

/* How deep a tree may nest; readers refuse deeper input with an error. */
#define DK_MAX_DEPTH 200

typedef struct dk_node dk_node;

/* Names. Transfer none (static strings). NULL for an out-of-range value. */
DK_API const char *dk_type_name(dk_type type);
DK_API const char *dk_attr_name(dk_attr attr);

/* Look a name up (not NUL-terminated: len bytes). Returns -1 if unknown.
 * "#text" is not accepted by dk_type_from_name. */
DK_API int dk_type_from_name(const char *name, size_t len);
DK_API int dk_attr_from_name(const char *name, size_t len);

/* The content model. */
DK_API bool dk_type_allows_child(dk_type parent, dk_type child);
DK_API bool dk_type_allows_attr(dk_type type, dk_attr attr);
DK_API bool dk_type_allows_text(dk_type type); /* may hold DK_TEXT children */
DK_API bool dk_type_is_block(dk_type type);
DK_API bool dk_type_is_inline(dk_type type); /* DK_TEXT counts as inline */

/* Create a detached element node. Transfer full; NULL if out of memory or
 * type is DK_TEXT or out of range. */
DK_API dk_node *dk_node_new(dk_type type);

/* Create a detached text node holding a copy of len bytes of UTF-8.
 * Transfer full; NULL if out of memory or the bytes are not valid UTF-8
 * or contain NUL. */
DK_API dk_node *dk_node_new_text(const char *utf8, size_t len);

/* Free a detached node and its subtree. NULL is allowed. */
DK_API void dk_node_free(dk_node *node);

/* Detach node from its parent (no-op if it has none); the caller owns it. */
DK_API void dk_node_detach(dk_node *node);

/*
 * Append child as the last child of parent, or insert it before ref (a
 * child of parent; NULL means append). The child must be detached. Takes
 * ownership on success (returns 0). Returns -1, leaving ownership with the
 * caller, if the content model does not allow the child. An empty text node
 * is freed and 0 returned; a text node next to another text node is merged
 * into it and freed, so a tree never holds two adjacent text nodes.
 */
DK_API int dk_node_append(dk_node *parent, dk_node *child);
DK_API int dk_node_insert_before(dk_node *parent, dk_node *ref, dk_node *child);

/* Create an element of type and append it. Transfer none (the parent owns
 * it). NULL if not allowed or out of memory. */
DK_API dk_node *dk_node_add(dk_node *parent, dk_type type);

/* Append len bytes of UTF-8 text (merged with a preceding text node).
 * Returns 0, or -1 if not allowed, not UTF-8 or out of memory. */
DK_API int dk_node_add_text(dk_node *parent, const char *utf8, size_t len);

/* Shortcut: dk_node_add(parent, type) followed by dk_node_add_text() of the
 * NUL-terminated text. Transfer none. */
DK_API dk_node *dk_node_add_with_text(dk_node *parent, dk_type type, const char *text);

/* Is value one the vocabulary allows for the attribute on an element of
 * type (a kind, grade or level from its list, a date as YYYY-MM-DD, page
 * and offset numbers, a SHA-256 in hex, ...)? */
DK_API bool dk_attr_value_ok(dk_type type, dk_attr attr, const char *value);

/* Is the whole text of an element of type one the vocabulary allows (a
 * year as "2016", a language tag as "en-GB"; any text for the others)?
 * node's text is what dk_node_text_content() gives. */
DK_API bool dk_node_text_ok(const dk_node *node);

/* Attributes. value is copied; NULL removes the attribute. Returns -1 if
 * the type does not allow the attribute or the value (dk_attr_value_ok),
 * value is not UTF-8, or out of memory. */
DK_API int dk_node_set_attr(dk_node *node, dk_attr attr, const char *value);
DK_API int dk_node_set_attr_int(dk_node *node, dk_attr attr, long long value);
/* Transfer none; NULL if unset. */
DK_API const char *dk_node_attr(const dk_node *node, dk_attr attr);

/* Replace the text of a DK_TEXT node. Returns -1 on bad UTF-8 or no memory;
 * an empty text is allowed here (callers remove the node if they want). */
DK_API int dk_node_set_text(dk_node *node, const char *utf8, size_t len);

/* Accessors. Transfer none. */
DK_API dk_type dk_node_type(const dk_node *node);
DK_API dk_node *dk_node_parent(const dk_node *node);
DK_API dk_node *dk_node_first(const dk_node *node);
DK_API dk_node *dk_node_last(const dk_node *node);
DK_API dk_node *dk_node_next(const dk_node *node);
DK_API dk_node *dk_node_prev(const dk_node *node);
/* First child of the given type, or NULL. */
DK_API dk_node *dk_node_child(const dk_node *node, dk_type type);
/* Text of a DK_TEXT node (NUL-terminated; *len set if len is non-NULL);
 * NULL for other types. */
DK_API const char *dk_node_text(const dk_node *node, size_t *len);

/* All text below node concatenated (br counts as "\n"). Transfer full;
 * NULL if out of memory. */
DK_API char *dk_node_text_content(const dk_node *node);

/* Deep copy. Transfer full; NULL if out of memory. */
DK_API dk_node *dk_node_copy(const dk_node *node);

/* Depth-first pre-order walk. The callback returns 0 to go on, 1 to skip
 * the node's children, or a negative value to stop; that value is returned.
 * The callback must not free or detach the node it is given. */
typedef int (*dk_walk_fn)(dk_node *node, int depth, void *user);
DK_API int dk_node_walk(dk_node *node, dk_walk_fn fn, void *user);

/* How deeply the subtree nests (a leaf is 1). */
DK_API int dk_node_depth(const dk_node *node);

/* A new document: document[kind] holding an empty meta and an empty body.
 * kind may be NULL (no attribute). Transfer full. */
DK_API dk_node *dk_document_new(const char *kind);
/* The meta and body of a document, created if missing. Transfer none. */
DK_API dk_node *dk_document_meta(dk_node *doc);
DK_API dk_node *dk_document_body(dk_node *doc);

/* UTF-8 helpers shared by readers and writers. */
/* Returns the length of the valid UTF-8 prefix of s (len if all valid).
 * Surrogates, overlong forms and values above U+10FFFF are invalid. */
DK_API size_t dk_utf8_valid_prefix(const char *s, size_t len);
/* Decode one code point at s (len bytes available); sets *cp and returns
 * its length, or returns 0 for an invalid sequence. */
DK_API size_t dk_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encode cp into out (at least 4 bytes); returns the length. */
DK_API size_t dk_utf8_encode(uint32_t cp, char *out);

#ifdef __cplusplus
}
#endif
#endif
