/* Text helpers: the visible text of a node, class and id tokens. */
#include "htmlp.h"

#include <ctype.h>
#include <string.h>

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

typedef struct collect {
    dk_buf *b;
    size_t limit;
    bool pending; /* a space is due before the next word */
    bool all;     /* removed parts too */
} collect;

static int put_text(collect *c, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && c->b->len < c->limit) {
        if (space(s[i])) {
            c->pending = c->b->len > 0;
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && !space(s[j]))
            j++;
        if (c->pending && dk_buf_putc(c->b, ' ') < 0)
            return -1;
        c->pending = false;
        if (dk_buf_append(c->b, s + i, j - i) < 0)
            return -1;
        i = j;
    }
    return 0;
}

static int text_of(const hnode *n, collect *c)
{
    for (const hnode *k = n->first; k && c->b->len < c->limit; k = k->next) {
        if (k->tag == HT_TEXT) {
            if (put_text(c, k->text, k->len) < 0)
                return -1;
            continue;
        }
        int cls = ht_class(k->tag);
        if ((cls == HC_SKIP && !c->all) || cls == HC_HEAD ||
            (!c->all && (k->flags & HN_REMOVED)))
            continue;
        if (k->tag == HT_BR || cls == HC_BLOCK || cls == HC_CONTAINER)
            c->pending = c->b->len > 0;
        if (text_of(k, c) < 0)
            return -1;
        if (cls == HC_BLOCK || cls == HC_CONTAINER)
            c->pending = c->b->len > 0;
    }
    return 0;
}

int html_text_of(const hnode *n, dk_buf *b, size_t limit, bool all)
{
    collect c = {.b = b, .limit = limit ? limit : SIZE_MAX, .all = all};
    if (n->tag == HT_TEXT)
        return put_text(&c, n->text, n->len);
    if (text_of(n, &c) < 0)
        return -1;
    return dk_buf_reserve(b, 0);
}

/* Tokens of a class or id: runs of letters and digits, also split where a
 * lower-case letter meets an upper-case one ("mainNav" is main, nav). */
bool html_has_token(const char *attr, const char *word)
{
    if (!attr)
        return false;
    size_t wl = strlen(word);
    const char *s = attr;
    while (*s) {
        while (*s && !isalnum((unsigned char)*s))
            s++;
        const char *t = s;
        while (*s && isalnum((unsigned char)*s) &&
               !(s > t && islower((unsigned char)s[-1]) && isupper((unsigned char)*s)))
            s++;
        size_t tl = (size_t)(s - t);
        if (tl == wl) {
            size_t i = 0;
            while (i < wl && tolower((unsigned char)t[i]) == word[i])
                i++;
            if (i == wl)
                return true;
        }
    }
    return false;
}
