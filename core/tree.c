/* The document tree: content model, builders, traversal. */
#include "internal.h"

#include <docket/buf.h>
#include <docket/tree.h>

#include <ctype.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct dk_node_attr {
    dk_attr attr;
    char *value;
};

/* Nodes come from slabs (see "node storage" below) except when built with
 * AddressSanitizer (internal.h). */
#define NODE_SLABS (!DK__ASAN)

/* A link to a node: in slabs, its number (0 for none), half a pointer. */
#if NODE_SLABS
typedef uint32_t nid;
#else
typedef dk_node *nid;
#endif

/* 32 bytes (48 without slabs). A parent's last child is its first child's
 * prev (the prev links of a list of children go round), so that no node
 * spends a field on it; a text's allocated size is malloc's
 * (malloc_usable_size). An element whose only attribute has a short value
 * (most blocks: their offset) holds it in the node, in the bytes of len
 * and u, instead of a block of its own. */
enum { SMALL_VALUE = 12 }; /* the bytes of len and u: 11 and the NUL */

struct dk_node {
    union {
        struct {
            uint16_t type; /* a dk_type */
            uint8_t n_attrs;
            uint8_t small; /* elements: 1 + the attr whose value is in value */
            uint32_t len;  /* DK_TEXT: bytes of text (less than TEXT_MAX) */
            union {
                struct dk_node_attr *attrs; /* elements: sorted by attr */
                char *text;                 /* DK_TEXT: NUL-terminated */
            } u;
        };
        struct {
            uint32_t head_;
            char value[SMALL_VALUE];
        } s;
    };
    nid parent_, first_;
    nid prev_; /* the previous sibling; for a first child, the last */
    nid next_;
};

#if NODE_SLABS
_Static_assert(sizeof(struct dk_node) == 32, "a node is 32 bytes");
#endif
_Static_assert(DK_TYPE_COUNT <= UINT16_MAX && DK_ATTR_COUNT < UINT8_MAX,
               "types and attributes fit the node's fields");

/* The longest run of text one text node holds (4 GiB less a byte; input
 * is read whole, at most 512 MiB unless --max-input-size says more). */
#define TEXT_MAX ((size_t)UINT32_MAX)

static const char *const type_names[] = {
#define DK_X_NAME(e, n) n,
    DK_NODE_TYPES(DK_X_NAME)
#undef DK_X_NAME
};

static const char *const attr_names[] = {
#define DK_X_NAME(e, n) n,
    DK_ATTRS(DK_X_NAME)
#undef DK_X_NAME
};

/* ---- the content model ------------------------------------------------ */

#define BIT(t) ((uint64_t)1 << DK_##t)
#define ABIT(a) (1u << DK_ATTR_##a)

#define BLOCKS                                                                 \
    (BIT(SECTION) | BIT(P) | BIT(QUOTE) | BIT(LIST) | BIT(TABLE) | BIT(PRE) |  \
     BIT(HR) | BIT(GRADE) | BIT(ADDRESS) | BIT(LETTER))
#define INLINES (BIT(TEXT) | BIT(EM) | BIT(STRONG) | BIT(A) | BIT(BR) | BIT(CODE))
#define TEXT_ONLY BIT(TEXT)
#define PARTY                                                                  \
    (BIT(NAME) | BIT(ROLE) | BIT(ORG) | BIT(ADDRESS) | BIT(PHONE) | BIT(EMAIL))
#define PROVENANCE (ABIT(PAGE) | ABIT(OFFSET))

struct model {
    uint64_t children;
    unsigned attrs;
};

static const struct model models[DK_TYPE_COUNT] = {
    [DK_DOCUMENT] = {BIT(META) | BIT(BODY), ABIT(KIND)},
    [DK_META] = {BIT(TITLE) | BIT(DATE) | BIT(SOURCE) | BIT(ORG) | BIT(FORCE) |
                     BIT(YEAR) | BIT(AUTHOR) | BIT(LANG) | BIT(DESCRIPTION),
                 0},
    [DK_TITLE] = {TEXT_ONLY, 0},
    [DK_DATE] = {TEXT_ONLY, ABIT(ROLE) | ABIT(WHEN)},
    [DK_SOURCE] = {0, ABIT(NAME) | ABIT(FORMAT) | ABIT(SHA256)},
    [DK_ORG] = {TEXT_ONLY, 0},
    [DK_FORCE] = {TEXT_ONLY, 0},
    [DK_YEAR] = {TEXT_ONLY, 0},
    [DK_AUTHOR] = {TEXT_ONLY, 0},
    [DK_LANG] = {TEXT_ONLY, 0},
    [DK_BODY] = {BLOCKS, 0},
    [DK_SECTION] = {BIT(HEADING) | BLOCKS, ABIT(KIND)},
    [DK_HEADING] = {INLINES, ABIT(LEVEL)},
    [DK_P] = {INLINES, 0},
    [DK_QUOTE] = {BLOCKS, 0},
    [DK_LIST] = {BIT(ITEM), ABIT(TYPE) | ABIT(START)},
    [DK_ITEM] = {BLOCKS, 0},
    [DK_TABLE] = {BIT(ROW), 0},
    [DK_ROW] = {BIT(CELL), 0},
    [DK_CELL] = {BLOCKS, ABIT(HEADER)},
    [DK_PRE] = {TEXT_ONLY, 0},
    [DK_HR] = {0, 0},
    [DK_GRADE] = {TEXT_ONLY, ABIT(VALUE)},
    [DK_ADDRESS] = {BIT(LINE), 0},
    [DK_LINE] = {INLINES, 0},
    [DK_LETTER] = {BIT(DATE) | BIT(SENDER) | BIT(RECIPIENT) | BIT(REFERENCE) |
                       BIT(SUBJECT) |
                       BIT(SALUTATION) | BIT(BODY) | BIT(CLOSING) |
                       BIT(SIGNATURE) | BIT(CC) | BIT(ENCLOSURE),
                   0},
    [DK_SENDER] = {PARTY, 0},
    [DK_RECIPIENT] = {PARTY, 0},
    [DK_SUBJECT] = {INLINES, 0},
    [DK_SALUTATION] = {INLINES, 0},
    [DK_CLOSING] = {INLINES, 0},
    [DK_SIGNATURE] = {PARTY, 0},
    [DK_CC] = {INLINES, 0},
    [DK_ENCLOSURE] = {INLINES, 0},
    [DK_NAME] = {INLINES, 0},
    [DK_ROLE] = {INLINES, 0},
    [DK_PHONE] = {INLINES, 0},
    [DK_EMAIL] = {INLINES, 0},
    [DK_EM] = {INLINES, 0},
    [DK_STRONG] = {INLINES, 0},
    [DK_A] = {INLINES, ABIT(HREF)},
    [DK_BR] = {0, 0},
    [DK_CODE] = {TEXT_ONLY, 0},
    [DK_TEXT] = {0, 0},
    [DK_REFERENCE] = {INLINES, 0},
    [DK_DESCRIPTION] = {TEXT_ONLY, 0},
};

static bool type_ok(dk_type t)
{
    return (unsigned)t < DK_TYPE_COUNT;
}

const char *dk_type_name(dk_type type)
{
    return type_ok(type) ? type_names[type] : NULL;
}

const char *dk_attr_name(dk_attr attr)
{
    return (unsigned)attr < DK_ATTR_COUNT ? attr_names[attr] : NULL;
}

static int lookup(const char *const *names, int count, const char *name,
                  size_t len)
{
    for (int i = 0; i < count; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return i;
    return -1;
}

int dk_type_from_name(const char *name, size_t len)
{
    int t = lookup(type_names, DK_TYPE_COUNT, name, len);
    return t == DK_TEXT ? -1 : t;
}

int dk_attr_from_name(const char *name, size_t len)
{
    return lookup(attr_names, DK_ATTR_COUNT, name, len);
}

bool dk_type_allows_child(dk_type parent, dk_type child)
{
    return type_ok(parent) && type_ok(child) &&
           (models[parent].children & ((uint64_t)1 << child)) != 0;
}

bool dk_type_allows_attr(dk_type type, dk_attr attr)
{
    if (!type_ok(type) || type == DK_TEXT || (unsigned)attr >= DK_ATTR_COUNT)
        return false;
    return ((models[type].attrs | PROVENANCE) & (1u << attr)) != 0;
}

bool dk_type_allows_text(dk_type type)
{
    return dk_type_allows_child(type, DK_TEXT);
}

bool dk_type_is_block(dk_type type)
{
    return type_ok(type) && (BLOCKS & ((uint64_t)1 << type)) != 0;
}

bool dk_type_is_inline(dk_type type)
{
    return type_ok(type) && (INLINES & ((uint64_t)1 << type)) != 0;
}

/* ---- UTF-8 ------------------------------------------------------------- */

size_t dk_utf8_decode(const char *str, size_t len, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (len == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

size_t dk_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t dk_utf8_valid_prefix(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path, sixteen (SSE2) or eight bytes at a time */
        uint64_t w;
#if defined(__SSE2__)
        while (i + 16 <= len &&
               _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(s + i))) == 0)
            i += 16;
#endif
        while (i + 8 <= len &&
               (memcpy(&w, s + i, 8), (w & 0x8080808080808080u) == 0))
            i += 8;
        while (i < len && (unsigned char)s[i] < 0x80)
            i++;
        if (i == len)
            break;
        uint32_t cp;
        size_t n = dk_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

static bool text_ok(const char *s, size_t len)
{
    return len < TEXT_MAX && memchr(s, '\0', len) == NULL &&
           dk_utf8_valid_prefix(s, len) == len;
}

/* ---- node storage ------------------------------------------------------ */

/*
 * Nodes come from slabs, not from one malloc each: the nodes a reader
 * makes one after another lie one after another in memory, so each later
 * walk over the tree (every transform, the writer, the free) reads memory
 * in order instead of chasing pointers across the heap, and a node costs
 * no allocator header. A slab is 64 KiB, aligned to its size, and
 * numbered; a node's number is its slab's number and its place there, so
 * that each of its four links takes 4 bytes instead of 8 (a slab's first
 * slot holds the number of its first node; node 0, the first of slab 0,
 * is never used and stands for none). Each thread keeps its own list of
 * free nodes and its own slab to cut from, so taking or giving back a node
 * takes no lock; a node may be freed by any thread (it joins that
 * thread's list). Slabs are kept for the life of the process, and the
 * free nodes of a thread that ends go to a shared list for the others.
 */
#if NODE_SLABS
#include <pthread.h>
#include <sys/mman.h>

enum {
    SLAB_SHIFT = 11,
    SLAB_SLOTS = 1 << SLAB_SHIFT,
    SLAB_BYTES = SLAB_SLOTS * 32,
    SLABS_MAX = 1 << 20, /* 2^31 nodes, 64 GiB of them */
    SLABS_PER_MAP = 32,  /* mapped 2 MiB at a time */
};

static dk_node *slab_at[SLABS_MAX]; /* each slab's first slot */

static inline dk_node *P(nid i)
{
    return i ? slab_at[i >> SLAB_SHIFT] + (i & (SLAB_SLOTS - 1)) : NULL;
}

static inline nid I(const dk_node *n)
{
    if (!n)
        return 0;
    const dk_node *slab =
        (const dk_node *)((uintptr_t)n & ~(uintptr_t)(SLAB_BYTES - 1));
    uint32_t first;
    memcpy(&first, slab, sizeof first);
    return first + (nid)(n - slab);
}

typedef struct node_cache {
    dk_node *free;  /* linked through next_ */
    dk_node *cut;   /* the next node of the thread's slab */
    size_t left;    /* nodes left there */
    bool known;     /* registered for the hand-over at thread exit */
} node_cache;

static pthread_mutex_t slabs_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t n_slabs;      /* slabs numbered so far */
static char *spare;           /* slabs mapped, not numbered yet */
static size_t spare_left;
static dk_node *shared_free;  /* nodes left by threads that ended */
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
/* initial-exec: a slot the thread's pointer reaches directly, not one
 * asked of __tls_get_addr at every node (the library is linked to the
 * programs that use it; one that opens it with dlopen() finds its 32
 * bytes in the static TLS glibc keeps spare for that) */
static _Thread_local node_cache cache __attribute__((tls_model("initial-exec")));

/* A thread ends: its free nodes, and what it had not cut of its slab, go
 * to the shared list. */
static void hand_over(void *p)
{
    node_cache *c = p;
    c->known = false; /* a node used after this registers the thread again */
    while (c->left) {
        c->cut->next_ = I(c->free);
        c->free = c->cut++;
        c->left--;
    }
    if (!c->free)
        return;
    dk_node *tail = c->free;
    while (tail->next_)
        tail = P(tail->next_);
    pthread_mutex_lock(&slabs_lock);
    tail->next_ = I(shared_free);
    shared_free = c->free;
    pthread_mutex_unlock(&slabs_lock);
    c->free = NULL;
}

static void make_key(void)
{
    if (pthread_key_create(&cache_key, hand_over) != 0)
        abort(); /* only when the process is out of keys at the first node */
}

static void know_thread(node_cache *c)
{
    pthread_once(&cache_once, make_key);
    c->known = pthread_setspecific(cache_key, c) == 0;
}

/* A new slab, numbered, its first slot written; called locked. NULL when
 * out of memory or of numbers. */
static dk_node *new_slab(void)
{
    if (n_slabs == SLABS_MAX)
        return NULL;
    if (!spare_left) {
        /* one slab more than needed, the ends cut to the alignment */
        size_t len = (size_t)SLABS_PER_MAP * SLAB_BYTES;
        char *m = mmap(NULL, len + SLAB_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        uintptr_t at = ((uintptr_t)m + SLAB_BYTES - 1) & ~(uintptr_t)(SLAB_BYTES - 1);
        size_t head = at - (uintptr_t)m;
        if (head)
            munmap(m, head);
        munmap((char *)at + len, SLAB_BYTES - head);
        spare = (char *)at;
        spare_left = SLABS_PER_MAP;
    }
    dk_node *s = (dk_node *)spare;
    spare += SLAB_BYTES;
    spare_left--;
    uint32_t first = n_slabs << SLAB_SHIFT;
    memcpy(s, &first, sizeof first);
    slab_at[n_slabs++] = s;
    return s;
}

/* The shared free nodes, else a new slab. Returns false out of memory. */
static bool refill(node_cache *c)
{
    pthread_mutex_lock(&slabs_lock);
    if (shared_free) {
        c->free = shared_free;
        shared_free = NULL;
        pthread_mutex_unlock(&slabs_lock);
        return true;
    }
    dk_node *s = new_slab();
    if (s) {
        c->cut = s + 1;
        c->left = SLAB_SLOTS - 1;
    }
    pthread_mutex_unlock(&slabs_lock);
    return s != NULL;
}

static dk_node *node_alloc(void)
{
    node_cache *c = &cache;
    if (!c->known)
        know_thread(c);
    if (!c->free && !c->left && !refill(c))
        return NULL;
    dk_node *n;
    if (c->free) {
        n = c->free;
        c->free = P(n->next_);
    } else {
        n = c->cut++;
        c->left--;
    }
    memset(n, 0, sizeof *n);
    return n;
}

static void node_release(dk_node *n)
{
    node_cache *c = &cache;
    if (!c->known)
        know_thread(c);
    n->next_ = I(c->free);
    c->free = n;
}
#else
static inline dk_node *P(nid i)
{
    return i;
}

static inline nid I(const dk_node *n)
{
    return (nid)n;
}

static dk_node *node_alloc(void)
{
    return calloc(1, sizeof(dk_node));
}

static void node_release(dk_node *n)
{
    free(n);
}
#endif

/* The links. */
static inline dk_node *parent_of(const dk_node *n)
{
    return P(n->parent_);
}

static inline dk_node *first_of(const dk_node *n)
{
    return P(n->first_);
}

static inline dk_node *next_of(const dk_node *n)
{
    return P(n->next_);
}

/* n's prev link: its previous sibling, or for a first child the last */
static inline dk_node *prev_of(const dk_node *n)
{
    return P(n->prev_);
}

/* ---- nodes ------------------------------------------------------------- */

dk_node *dk_node_new(dk_type type)
{
    if (!type_ok(type) || type == DK_TEXT)
        return NULL;
    dk_node *n = node_alloc();
    if (n)
        n->type = type;
    return n;
}

static char *copy_bytes(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* A text node of bytes already checked (text_ok). */
static dk_node *new_checked_text(const char *utf8, size_t len)
{
    dk_node *n = node_alloc();
    if (!n)
        return NULL;
    n->type = DK_TEXT;
    n->u.text = copy_bytes(utf8, len);
    if (!n->u.text) {
        node_release(n);
        return NULL;
    }
    n->len = len;
    return n;
}

dk_node *dk_node_new_text(const char *utf8, size_t len)
{
    return text_ok(utf8, len) ? new_checked_text(utf8, len) : NULL;
}

void dk_node_free(dk_node *node)
{
    if (node)
        dk_node_detach(node);
    /* Iterative, so that freeing never recurses as deep as the tree. */
    while (node) {
        if (node->first_) {
            dk_node *c = first_of(node);
            node->first_ = c->next_;
            c->parent_ = 0;
            c->next_ = I(node); /* come back here once c is done */
            node = c;
            continue;
        }
        dk_node *back = next_of(node);
        if (node->type == DK_TEXT) {
            free(node->u.text);
        } else if (!node->small) {
            free(node->u.attrs); /* and the values: one block */
        }
        node_release(node);
        node = back;
    }
}

/* A parent's last child, and a node's previous sibling (NULL for a first
 * child, whose prev is the last). */
static dk_node *last_child(const dk_node *p)
{
    return p->first_ ? prev_of(first_of(p)) : NULL;
}

static dk_node *prev_sibling(const dk_node *n)
{
    dk_node *p = parent_of(n);
    return p && first_of(p) != n ? prev_of(n) : NULL;
}

void dk_node_detach(dk_node *node)
{
    dk_node *p = parent_of(node);
    if (!p)
        return;
    dk_node *first = first_of(p);
    if (node == first) {
        p->first_ = node->next_;
        if (p->first_)
            first_of(p)->prev_ = first->prev_; /* the last */
    } else {
        prev_of(node)->next_ = node->next_;
        if (node->next_)
            next_of(node)->prev_ = node->prev_;
        else
            first->prev_ = node->prev_; /* it was the last */
    }
    node->parent_ = node->prev_ = node->next_ = 0;
}

/* Make room for len bytes of text (and the NUL) in a text node. Text that
 * grows piece by piece (a paragraph joined from continuation lines, text
 * delivered in chunks) grows by half again each time it is moved, so that
 * appending stays linear. */
static int text_reserve(dk_node *t, size_t len)
{
    if (len >= TEXT_MAX)
        return -1;
    size_t have = malloc_usable_size(t->u.text);
    if (len + 1 <= have)
        return 0;
    size_t cap = have + have / 2;
    if (cap < len + 1)
        cap = len + 1;
    char *p = realloc(t->u.text, cap);
    if (!p)
        return -1;
    t->u.text = p;
    return 0;
}

static int merge_text(dk_node *into, const char *s, size_t len, bool at_end)
{
    if (text_reserve(into, into->len + len) < 0)
        return -1;
    char *t = into->u.text;
    if (at_end) {
        memcpy(t + into->len, s, len);
    } else {
        memmove(t + len, t, into->len);
        memcpy(t, s, len);
    }
    into->len += len;
    t[into->len] = '\0';
    return 0;
}

int dk_node_insert_before(dk_node *parent, dk_node *ref, dk_node *child)
{
    if (!parent || !child || child->parent_ || child == parent ||
        (ref && parent_of(ref) != parent) ||
        !dk_type_allows_child(parent->type, child->type))
        return -1;
    if (child->type == DK_TEXT) {
        dk_node *before = ref ? prev_sibling(ref) : last_child(parent);
        if (child->len == 0) {
            dk_node_free(child);
            return 0;
        }
        if (before && before->type == DK_TEXT) {
            if (merge_text(before, child->u.text, child->len, true) < 0)
                return -1;
            dk_node_free(child);
            return 0;
        }
        if (ref && ref->type == DK_TEXT) {
            if (merge_text(ref, child->u.text, child->len, false) < 0)
                return -1;
            dk_node_free(child);
            return 0;
        }
    }
    nid c = I(child);
    child->parent_ = I(parent);
    child->next_ = I(ref);
    if (!parent->first_) {
        parent->first_ = child->prev_ = c; /* the first is its own last */
    } else if (!ref) {
        dk_node *first = first_of(parent);
        child->prev_ = first->prev_;
        prev_of(child)->next_ = c;
        first->prev_ = c;
    } else {
        child->prev_ = ref->prev_; /* ref's previous, or the last */
        ref->prev_ = c;
        if (ref == first_of(parent))
            parent->first_ = c;
        else
            prev_of(child)->next_ = c;
    }
    return 0;
}

int dk_node_append(dk_node *parent, dk_node *child)
{
    return dk_node_insert_before(parent, NULL, child);
}

dk_node *dk_node_add(dk_node *parent, dk_type type)
{
    if (!parent || !dk_type_allows_child(parent->type, type))
        return NULL;
    dk_node *n = dk_node_new(type);
    if (n && dk_node_append(parent, n) < 0) {
        dk_node_free(n);
        return NULL;
    }
    return n;
}

int dk_node_add_text(dk_node *parent, const char *utf8, size_t len)
{
    if (!parent || !dk_type_allows_text(parent->type) || !text_ok(utf8, len))
        return -1;
    if (len == 0)
        return 0;
    dk_node *last = last_child(parent);
    if (last && last->type == DK_TEXT)
        return merge_text(last, utf8, len, true);
    dk_node *t = new_checked_text(utf8, len);
    if (!t)
        return -1;
    return dk_node_append(parent, t);
}

dk_node *dk_node_add_with_text(dk_node *parent, dk_type type, const char *text)
{
    dk_node *n = dk_node_new(type);
    if (!n)
        return NULL;
    if ((text && dk_node_add_text(n, text, strlen(text)) < 0) ||
        dk_node_append(parent, n) < 0) {
        dk_node_free(n);
        return NULL;
    }
    return n;
}

/* ---- attribute values ------------------------------------------------- */

static bool one_of(const char *v, const char *const *values)
{
    for (; *values; values++)
        if (!strcmp(v, *values))
            return true;
    return false;
}

/* Digits, perhaps signed ('+' or '-' allowed when sign). */
/* Digits (a minus sign before them if sign), at most 20 of them after
 * any leading zeros (libxml2's schema types take 24), and no leading zero
 * unless lead_zeros. */
static bool integer(const char *v, bool sign, bool lead_zeros)
{
    if (sign && *v == '-')
        v++;
    if (!*v || (!lead_zeros && v[0] == '0' && v[1]))
        return false;
    while (v[0] == '0' && v[1])
        v++;
    size_t n = 0;
    for (; *v; v++, n++)
        if (*v < '0' || *v > '9')
            return false;
    return n <= 20;
}

static bool ncname(const char *v)
{
    if (!*v || (*v >= '0' && *v <= '9') || *v == '-' || *v == '.')
        return false;
    for (; *v; v++)
        if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
              (*v >= '0' && *v <= '9') || *v == '-' || *v == '.' || *v == '_' ||
              (unsigned char)*v >= 0x80))
            return false;
    return true;
}

bool dk_attr_value_ok(dk_type type, dk_attr attr, const char *v)
{
    static const char *const doc_kinds[] = {"report", "letter", "article", "page",
                                            "unknown", NULL};
    static const char *const section_kinds[] = {"pillar", "question",
                                                "areas-for-improvement",
                                                "causes-of-concern", "none", NULL};
    static const char *const roles[] = {"published", "updated", "written", NULL};
    static const char *const list_types[] = {"bullet", "ordered", NULL};
    static const char *const booleans[] = {"true", "false", NULL};
    static const char *const grades[] = {"outstanding", "good", "adequate",
                                         "requires-improvement", "inadequate",
                                         "ungraded", NULL};
    static const char *const levels[] = {"1", "2", "3", "4", "5", "6", NULL};
    switch (attr) {
    case DK_ATTR_PAGE:
        return integer(v, false, false) && strcmp(v, "0") != 0;
    case DK_ATTR_OFFSET:
        return integer(v, false, false);
    case DK_ATTR_KIND:
        return one_of(v, type == DK_DOCUMENT ? doc_kinds : section_kinds);
    case DK_ATTR_ROLE:
        return one_of(v, roles);
    case DK_ATTR_WHEN:
        return strlen(v) == 10 && integer((char[]){v[0], v[1], v[2], v[3], 0}, false, true) &&
               v[4] == '-' && integer((char[]){v[5], v[6], 0}, false, true) && v[7] == '-' &&
               integer((char[]){v[8], v[9], 0}, false, true);
    case DK_ATTR_FORMAT:
        return ncname(v);
    case DK_ATTR_SHA256:
        return strlen(v) == 64 && strspn(v, "0123456789abcdef") == 64;
    case DK_ATTR_LEVEL:
        return one_of(v, levels);
    case DK_ATTR_TYPE:
        return one_of(v, list_types);
    case DK_ATTR_START:
        return integer(v, true, true);
    case DK_ATTR_HEADER:
        return one_of(v, booleans);
    case DK_ATTR_VALUE:
        return one_of(v, grades);
    default:
        return true; /* name, href: any text */
    }
}

/* xsd:gYear after white space is collapsed: a year of four digits or
 * more (no leading zero beyond four, not 0000), a minus sign before it
 * allowed, then "Z" or an offset "+01:00" allowed. */
static bool g_year(const char *s, size_t len)
{
    size_t i = s[0] == '-', d = i;
    while (d < len && isdigit((unsigned char)s[d]))
        d++;
    size_t digits = d - i;
    if (digits < 4 || (digits > 4 && s[i] == '0') || strspn(s + i, "0") >= digits)
        return false;
    if (d == len || (len - d == 1 && s[d] == 'Z'))
        return true;
    return len - d == 6 && (s[d] == '+' || s[d] == '-') && isdigit((unsigned char)s[d + 1]) &&
           isdigit((unsigned char)s[d + 2]) && s[d + 3] == ':' &&
           isdigit((unsigned char)s[d + 4]) && isdigit((unsigned char)s[d + 5]) &&
           (s[d + 1] - '0') * 10 + (s[d + 2] - '0') <= 14 && s[d + 4] <= '5';
}

/* xsd:language: [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})* */
static bool language(const char *s, size_t len)
{
    size_t i = 0, part = 0;
    for (bool first = true; i <= len; i++) {
        if (i == len || s[i] == '-') {
            if (part < 1 || part > 8)
                return false;
            part = 0;
            first = false;
            continue;
        }
        if (!(isalpha((unsigned char)s[i]) || (!first && isdigit((unsigned char)s[i]))))
            return false;
        part++;
    }
    return true;
}

bool dk_node_text_ok(const dk_node *node)
{
    if (!node || (node->type != DK_YEAR && node->type != DK_LANG))
        return true;
    /* text-only elements hold one text node: adjacent text is merged */
    const dk_node *t = first_of(node);
    const char *s = t && t->type == DK_TEXT ? t->u.text : "";
    size_t len = t && t->type == DK_TEXT ? t->len : 0;
    while (len && strchr(" \t\r\n", s[0]))
        s++, len--;
    while (len && strchr(" \t\r\n", s[len - 1]))
        len--;
    if (!len)
        return false;
    return node->type == DK_YEAR ? g_year(s, len) : language(s, len);
}

/*
 * A node's attributes live in one block: the array, sorted by attr, then
 * the values it points to; a change builds a new block (nodes have few
 * attributes). One attribute with a value of up to 11 bytes (a block's
 * offset, a heading's level) is held in the node itself: most blocks of a
 * text carry just their offset, and no allocation for it saves memory and
 * time.
 */

/* The k-th attribute of a node (k < n_attrs) and its value. */
static const char *attr_at(const dk_node *node, unsigned k, dk_attr *attr)
{
    if (node->small) {
        *attr = (dk_attr)(node->small - 1);
        return node->s.value;
    }
    *attr = node->u.attrs[k].attr;
    return node->u.attrs[k].value;
}

static void drop_attrs(dk_node *node)
{
    if (!node->small)
        free(node->u.attrs);
    node->small = 0;
    node->n_attrs = 0;
    node->u.attrs = NULL;
}

/* Set (or with NULL remove) an attribute whose value (len bytes) is known
 * to be allowed. */
static int put_attr(dk_node *node, dk_attr attr, const char *value, size_t len)
{
    unsigned old = node->n_attrs, i = 0;
    dk_attr ai;
    while (i < old && (attr_at(node, i, &ai), ai < attr))
        i++;
    bool present = i < old && (attr_at(node, i, &ai), ai == attr);
    if (!value && !present)
        return 0;
    unsigned count = value ? old + !present : old - 1;
    if (count == 0) {
        drop_attrs(node);
        return 0;
    }
    if (count == 1) {
        /* the one that stays: the new value, or the other one */
        dk_attr keep = attr;
        const char *v = value;
        if (!value)
            v = attr_at(node, i == 0 ? 1 : 0, &keep);
        size_t l = strlen(v);
        if (l < SMALL_VALUE) {
            char tmp[SMALL_VALUE]; /* v may be the node's own */
            memcpy(tmp, v, l + 1);
            drop_attrs(node);
            memcpy(node->s.value, tmp, l + 1);
            node->small = (uint8_t)(keep + 1);
            node->n_attrs = 1;
            return 0;
        }
    }
    struct dk_node_attr *a;
    size_t bytes = count * sizeof *a + (value ? len + 1 : 0);
    for (unsigned k = 0; k < old; k++)
        if (k != i || !present)
            bytes += strlen(attr_at(node, k, &ai)) + 1;
    a = malloc(bytes);
    if (!a)
        return -1;
    /* the values may be the node's own: read them before the old ones go */
    char *p = (char *)(a + count);
    unsigned j = 0;
    for (unsigned k = 0; k <= old; k++) {
        if (k == i && value) {
            a[j].attr = attr;
            a[j++].value = memcpy(p, value, len + 1);
            p += len + 1;
        }
        if (k == old)
            break;
        if (k == i && present)
            continue; /* replaced or removed */
        const char *v = attr_at(node, k, &ai);
        size_t l = strlen(v) + 1;
        a[j].attr = ai;
        a[j++].value = memcpy(p, v, l);
        p += l;
    }
    drop_attrs(node);
    node->u.attrs = a;
    node->n_attrs = (uint8_t)count;
    return 0;
}

int dk_node_set_attr(dk_node *node, dk_attr attr, const char *value)
{
    if (!node || !dk_type_allows_attr(node->type, attr))
        return -1;
    if (value && !dk_attr_value_ok(node->type, attr, value))
        return -1;
    size_t len = value ? strlen(value) : 0;
    if (value && !text_ok(value, len))
        return -1;
    return put_attr(node, attr, value, len);
}

int dk_node_set_attr_int(dk_node *node, dk_attr attr, long long value)
{
    /* by hand, not snprintf: every block of a text gets its offset */
    char tmp[32], *p = tmp + sizeof tmp;
    unsigned long long u = value < 0 ? 0 - (unsigned long long)value
                                     : (unsigned long long)value;
    *--p = '\0';
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (value < 0)
        *--p = '-';
    /* an offset (every block of a text has one) is any number of digits:
     * no need to check what was just written */
    if (attr == DK_ATTR_OFFSET && value >= 0 && node &&
        dk_type_allows_attr(node->type, attr))
        return put_attr(node, attr, p, (size_t)(tmp + sizeof tmp - 1 - p));
    return dk_node_set_attr(node, attr, p);
}

const char *dk_node_attr(const dk_node *node, dk_attr attr)
{
    if (!node || !node->n_attrs)
        return NULL;
    if (node->small)
        return node->small == attr + 1 ? node->s.value : NULL;
    for (unsigned i = 0; i < node->n_attrs; i++)
        if (node->u.attrs[i].attr == attr)
            return node->u.attrs[i].value;
    return NULL;
}

int dk_node_set_text(dk_node *node, const char *utf8, size_t len)
{
    if (!node || node->type != DK_TEXT || !text_ok(utf8, len))
        return -1;
    size_t have = malloc_usable_size(node->u.text);
    if (len < have && have <= 2 * len + 64) {
        /* it fits, without wasting much: in place (utf8 may be part of
         * the old text) */
        memmove(node->u.text, utf8, len);
        node->u.text[len] = '\0';
        node->len = len;
        return 0;
    }
    char *copy = copy_bytes(utf8, len);
    if (!copy)
        return -1;
    free(node->u.text);
    node->u.text = copy;
    node->len = len;
    return 0;
}

dk_type dk_node_type(const dk_node *node)
{
    return node->type;
}
dk_node *dk_node_parent(const dk_node *node)
{
    return parent_of(node);
}
dk_node *dk_node_first(const dk_node *node)
{
    return first_of(node);
}
dk_node *dk_node_last(const dk_node *node)
{
    return last_child(node);
}
dk_node *dk_node_next(const dk_node *node)
{
    return next_of(node);
}
dk_node *dk_node_prev(const dk_node *node)
{
    return prev_sibling(node);
}

dk_node *dk_node_child(const dk_node *node, dk_type type)
{
    for (dk_node *c = node ? first_of(node) : NULL; c; c = next_of(c))
        if (c->type == type)
            return c;
    return NULL;
}

const char *dk_node_text(const dk_node *node, size_t *len)
{
    if (!node || node->type != DK_TEXT)
        return NULL;
    if (len)
        *len = node->len;
    return node->u.text;
}

static int collect_text(dk_node *n, int depth, void *user)
{
    (void)depth;
    dk_buf *b = user;
    if (n->type == DK_TEXT)
        return dk_buf_append(b, n->u.text, n->len);
    if (n->type == DK_BR)
        return dk_buf_putc(b, '\n');
    return 0;
}

char *dk_node_text_content(const dk_node *node)
{
    dk_buf b = DK_BUF_INIT;
    if (dk_node_walk((dk_node *)node, collect_text, &b) < 0) {
        dk_buf_free(&b);
        return NULL;
    }
    return dk_buf_steal(&b);
}

static dk_node *copy_one(const dk_node *src)
{
    dk_node *n = src->type == DK_TEXT ? new_checked_text(src->u.text, src->len)
                                      : dk_node_new(src->type);
    if (!n)
        return NULL;
    for (unsigned i = 0; i < src->n_attrs; i++) {
        dk_attr a;
        const char *v = attr_at(src, i, &a);
        if (dk_node_set_attr(n, a, v) < 0) {
            dk_node_free(n);
            return NULL;
        }
    }
    return n;
}

dk_node *dk_node_copy(const dk_node *node)
{
    dk_node *root = copy_one(node);
    if (!root)
        return NULL;
    /* Walk the source iteratively, mirroring each step in the copy. */
    const dk_node *s = first_of(node);
    dk_node *parent = root;
    while (s) {
        dk_node *c = copy_one(s);
        if (!c || dk_node_append(parent, c) < 0) {
            dk_node_free(c);
            dk_node_free(root);
            return NULL;
        }
        if (s->first_) {
            parent = c;
            s = first_of(s);
            continue;
        }
        while (s != node && !s->next_) {
            s = parent_of(s);
            parent = parent_of(parent);
        }
        s = s == node ? NULL : next_of(s);
    }
    return root;
}

/* The node after n in a pre-order walk of root's subtree, going into n's
 * children if down; *depth follows. NULL at the end. */
static dk_node *walk_next(const dk_node *root, const dk_node *n, bool down,
                          int *depth)
{
    if (down && n->first_) {
        ++*depth;
        return first_of(n);
    }
    while (n != root && !n->next_) {
        n = parent_of(n);
        --*depth;
    }
    return n == root ? NULL : next_of(n);
}

int dk_node_walk(dk_node *node, dk_walk_fn fn, void *user)
{
    int depth = 0;
    for (dk_node *n = node; n;) {
        int r = fn(n, depth, user);
        if (r < 0)
            return r;
        n = walk_next(node, n, r == 0, &depth);
    }
    return 0;
}

/* How deeply node's subtree nests, counting text nodes or not: one walk
 * over the fields, no callback (run after every transform). */
static int subtree_depth(const dk_node *node, bool count_text)
{
    int max = 0, depth = 1;
    for (const dk_node *n = node; n; n = walk_next(node, n, true, &depth))
        if (depth > max && (count_text || n->type != DK_TEXT))
            max = depth;
    return max;
}

int dk_node_depth(const dk_node *node)
{
    return subtree_depth(node, true);
}

int dk__element_depth(const dk_node *node)
{
    return subtree_depth(node, false);
}

dk_node *dk_document_new(const char *kind)
{
    dk_node *doc = dk_node_new(DK_DOCUMENT);
    if (!doc)
        return NULL;
    if ((kind && dk_node_set_attr(doc, DK_ATTR_KIND, kind) < 0) ||
        !dk_node_add(doc, DK_META) || !dk_node_add(doc, DK_BODY)) {
        dk_node_free(doc);
        return NULL;
    }
    return doc;
}

static dk_node *child_or_new(dk_node *doc, dk_type type)
{
    dk_node *n = dk_node_child(doc, type);
    if (n)
        return n;
    n = dk_node_new(type);
    if (!n)
        return NULL;
    /* meta goes first, body after it */
    dk_node *ref = type == DK_META ? first_of(doc) : NULL;
    if (dk_node_insert_before(doc, ref, n) < 0) {
        dk_node_free(n);
        return NULL;
    }
    return n;
}

dk_node *dk_document_meta(dk_node *doc)
{
    return child_or_new(doc, DK_META);
}

dk_node *dk_document_body(dk_node *doc)
{
    return child_or_new(doc, DK_BODY);
}
