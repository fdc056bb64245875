#define _GNU_SOURCE
/*
 * Main-content extraction: which parts of a page are its content and
 * which are the site around it. Every decision is made on signals that
 * hold for web pages in general, and recorded (the reason on the removed
 * node) for the removal report:
 *
 *  1. What is never text: scripts, styles, media, form controls; and what
 *     the page hides (hidden, aria-hidden, display:none).
 *  2. Site chrome by meaning: nav, aside, dialogs, page-level header and
 *     footer, ARIA landmarks (navigation, banner, contentinfo,
 *     complementary, search), and class or id words (menu, breadcrumb,
 *     cookie, share, social, sidebar, related, advert, comment, ...). An
 *     element that holds the page's main element or most of its prose is
 *     never removed for its name: it is a wrapper.
 *  3. The main content: paragraphs score their ancestors by their length
 *     and punctuation (prose has commas and full stops, menus have not);
 *     the best-scored element, grown to its ancestors while they add
 *     little prose, is the content, and what lies outside it goes.
 *  4. Inside the content: blocks that are mostly links (lists of other
 *     articles, tag lists), page furniture ("Skip to content", "Share"),
 *     short texts the page repeats (a template's "Hide Ad"), and empty
 *     shells.
 */
#include "htmlp.h"

#include "rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const reason_texts[] = {
#define HR_X_TEXT(e, s) s,
    HR_REASONS(HR_X_TEXT)
#undef HR_X_TEXT
};

const char *html_reason_text(int reason)
{
    return reason >= 0 && reason < HR_COUNT ? reason_texts[reason] : "";
}

/* ---- class and id words ------------------------------------------------------------- */

/* How a word matches a token: the whole token, its start, or the whole
 * token when it leads a class name ("ad-slot", not "has-ads"). */
enum { W_EXACT, W_PREFIX, W_LEAD };

typedef struct cue {
    const char *word;
    uint8_t mode;
    uint8_t reason;
} cue;

/* Words of site chrome in class and id names. */
static const cue chrome_words[] = {
    {"nav", W_PREFIX, HR_NAV},         {"menu", W_PREFIX, HR_NAV},
    {"submenu", W_EXACT, HR_NAV},      {"megamenu", W_EXACT, HR_NAV},
    {"mainmenu", W_EXACT, HR_NAV},     {"topbar", W_EXACT, HR_NAV},
    {"toolbar", W_EXACT, HR_NAV},      {"breadcrumb", W_PREFIX, HR_NAV},
    {"crumbs", W_EXACT, HR_NAV},       {"pagination", W_EXACT, HR_NAV},
    {"pager", W_EXACT, HR_NAV},        {"skip", W_PREFIX, HR_NAV},
    {"skiplink", W_PREFIX, HR_NAV},    {"cookie", W_PREFIX, HR_DIALOG},
    {"consent", W_PREFIX, HR_DIALOG},  {"gdpr", W_EXACT, HR_DIALOG},
    {"popup", W_PREFIX, HR_DIALOG},    {"modal", W_PREFIX, HR_DIALOG},
    {"overlay", W_EXACT, HR_DIALOG},   {"newsletter", W_PREFIX, HR_CLASS},
    {"subscribe", W_PREFIX, HR_CLASS}, {"signup", W_EXACT, HR_CLASS},
    {"login", W_EXACT, HR_CLASS},      {"share", W_PREFIX, HR_CLASS},
    {"sharing", W_EXACT, HR_CLASS},    {"shariff", W_EXACT, HR_CLASS},
    {"social", W_PREFIX, HR_CLASS},    {"sociable", W_EXACT, HR_CLASS},
    {"footer", W_PREFIX, HR_FOOTER},   {"sidebar", W_PREFIX, HR_ASIDE},
    {"related", W_PREFIX, HR_CLASS},   {"recommend", W_PREFIX, HR_CLASS},
    {"advert", W_PREFIX, HR_ADVERT},   {"ad", W_LEAD, HR_ADVERT},
    {"ads", W_LEAD, HR_ADVERT},        {"adslot", W_EXACT, HR_ADVERT},
    {"sponsor", W_PREFIX, HR_CLASS},   {"promo", W_PREFIX, HR_CLASS},
    {"outbrain", W_EXACT, HR_CLASS},   {"taboola", W_EXACT, HR_CLASS},

    {"comment", W_PREFIX, HR_COMMENTS}, {"disqus", W_PREFIX, HR_COMMENTS},
    {"kommentar", W_PREFIX, HR_COMMENTS},
    {"respond", W_EXACT, HR_COMMENTS}, {"tags", W_EXACT, HR_CLASS},
    {"tagcloud", W_EXACT, HR_CLASS},   {"byline", W_EXACT, HR_CLASS},
    {"masthead", W_EXACT, HR_HEADER},  {"banner", W_EXACT, HR_DIALOG},
    {"print", W_EXACT, HR_CLASS},      {"meta", W_EXACT, HR_META},
    {"postmeta", W_EXACT, HR_META},    {"author", W_PREFIX, HR_META},
    {"caption", W_PREFIX, HR_CAPTION}, {"credit", W_PREFIX, HR_CAPTION},
    {"copyright", W_EXACT, HR_FOOTER}, {"alert", W_EXACT, HR_DIALOG},
    {"supplement", W_EXACT, HR_ASIDE}, {"marginal", W_PREFIX, HR_ASIDE},
    {"nextstory", W_EXACT, HR_CLASS},  {"rating", W_PREFIX, HR_CLASS},
    {"metadata", W_EXACT, HR_META},    {"postmetadata", W_EXACT, HR_META},
    /* boxes set beside or into the text, and posts embedded from elsewhere */
    {"infobox", W_EXACT, HR_ASIDE},    {"factbox", W_EXACT, HR_ASIDE},
    {"embed", W_PREFIX, HR_CLASS},
    /* lists of other articles */
    {"recirculation", W_EXACT, HR_CLASS}, {"trending", W_PREFIX, HR_CLASS},
    {"mostread", W_EXACT, HR_CLASS},   {"mostpopular", W_EXACT, HR_CLASS},
    /* notes the publisher sets into its articles: affiliate and advertising
     * disclosures, appeals for donations, subscription boxes */
    {"disclosure", W_EXACT, HR_CLASS}, {"disclaimer", W_EXACT, HR_CLASS},
    {"affiliate", W_PREFIX, HR_ADVERT}, {"donat", W_PREFIX, HR_CLASS},
    {"subscription", W_EXACT, HR_CLASS},
};
#define N_CHROME (sizeof chrome_words / sizeof chrome_words[0])

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The first chrome word among the tokens of s, as an index + 1, or 0. */
static int chrome_word(const char *s)
{
    if (!s)
        return 0;
    bool lead = true; /* the token starts a class name */
    while (*s) {
        while (*s && !isalnum((unsigned char)*s)) {
            if (is_space(*s))
                lead = true;
            s++;
        }
        const char *t = s;
        while (*s && isalnum((unsigned char)*s) &&
               !(s > t && islower((unsigned char)s[-1]) && isupper((unsigned char)*s)))
            s++;
        size_t tl = (size_t)(s - t);
        for (size_t i = 0; i < N_CHROME && tl; i++) {
            size_t wl = strlen(chrome_words[i].word);
            int mode = chrome_words[i].mode;
            if (tl < wl || (mode != W_PREFIX && tl != wl) || (mode == W_LEAD && !lead))
                continue;
            if (!strncasecmp(t, chrome_words[i].word, wl))
                return (int)i + 1;
        }
        lead = false;
    }
    return 0;
}

const char *html_extract_word(const hnode *n)
{
    return n->word ? chrome_words[n->word - 1].word : NULL;
}

/* Words of content containers. */
static bool content_name(const char *s)
{
    static const char *const words[] = {"article", "content", "entry", "post",
                                        "story", "main", "text", "body",
                                        "blog", "articlebody", NULL};
    for (const char *const *w = words; *w; w++)
        if (html_has_token(s, *w))
            return true;
    return false;
}

/* Words of an article's own parts ("article-header", "entry-header"). */
static bool article_name(const char *s)
{
    static const char *const words[] = {"article", "entry", "post", "story", NULL};
    for (const char *const *w = words; *w; w++)
        if (html_has_token(s, *w))
            return true;
    return false;
}

/* ---- measuring ---------------------------------------------------------------------- */

static bool gone(const hnode *n)
{
    return n->flags & (HN_REMOVED | HN_IN_REMOVED);
}


/* Count visible characters (code points, spaces excepted) and sentence
 * punctuation of a text node. */
static void count_text(const hnode *t, uint32_t *chars, uint32_t *punct,
                       uint32_t *commas)
{
    uint32_t c = 0, p = 0, k = 0;
    for (size_t i = 0; i < t->len; i++) {
        unsigned char b = (unsigned char)t->text[i];
        if (is_space((char)b) || (b & 0xC0) == 0x80)
            continue;
        c++;
        if (b == ',' || b == '.' || b == ';' || b == '!' || b == '?' || b == ':')
            p++;
        /* commas: ASCII, and the ideographic and fullwidth ones */
        if (b == ',' || (b == 0xE3 && i + 2 < t->len && (unsigned char)t->text[i + 1] == 0x80 &&
                         (unsigned char)t->text[i + 2] == 0x81) ||
            (b == 0xEF && i + 2 < t->len && (unsigned char)t->text[i + 1] == 0xBC &&
             (unsigned char)t->text[i + 2] == 0x8C))
            k++;
    }
    *chars = c;
    *punct = p;
    *commas = k;
}

static bool paragraph_tag(int tag)
{
    return tag == HT_P || tag == HT_PRE || tag == HT_LI || tag == HT_DD ||
           tag == HT_TD || tag == HT_BLOCKQUOTE || tag == HT_ADDRESS ||
           tag == HT_FIGCAPTION || tag == HT_DT || tag == HT_TH;
}

/* Bottom-up: chars, link chars, links, punctuation, blocks of each kept
 * node; and HN_HAS_BLOCK. */
/* A link away from the page: not a jump to an anchor in it. */
static bool link_away(const hnode *n)
{
    const char *h = hattr(n, HA_HREF);
    return n->tag == HT_A && !(h && h[0] == '#');
}

static void measure(hnode *n, bool in_link)
{
    n->chars = n->link_chars = n->links = n->punct = n->blocks = n->commas = 0;
    n->good = 0;
    n->flags &= ~HN_HAS_BLOCK;
    bool link = in_link || link_away(n);
    for (hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT) {
            uint32_t c, p, cm;
            count_text(k, &c, &p, &cm);
            n->chars += c;
            n->punct += p;
            n->commas += cm;
            if (link)
                n->link_chars += c;
            continue;
        }
        int cls = ht_class(k->tag);
        if (cls == HC_BLOCK || cls == HC_CONTAINER || (k->flags & HN_HAS_BLOCK))
            n->flags |= HN_HAS_BLOCK;
        if (gone(k) || cls == HC_SKIP || cls == HC_HEAD)
            continue;
        measure(k, link);
        if (k->flags & HN_HAS_BLOCK)
            n->flags |= HN_HAS_BLOCK;
        n->chars += k->chars;
        n->link_chars += k->link_chars;
        n->links += k->links + link_away(k);
        n->punct += k->punct;
        n->commas += k->commas;
        n->blocks += k->blocks + (paragraph_tag(k->tag) && k->chars > 0);
        n->good += k->good;
    }
    /* a paragraph of prose: long enough, few links, punctuated */
    if (!(n->flags & HN_HAS_BLOCK) && n->chars >= 80 && n->punct > 0 &&
        n->link_chars * 4 < n->chars)
        n->good = n->chars - n->link_chars;
}

static float link_density(const hnode *n)
{
    return n->chars ? (float)n->link_chars / (float)n->chars : 0.0f;
}

/* ---- marking ------------------------------------------------------------------------ */

/* A short element that states a grade ("Good", "Requires improvement"):
 * a badge such as <div class="rating rating--good">, content whatever its
 * class says. */
static bool grade_badge(const hnode *k)
{
    if (k->chars == 0 || k->chars > 60)
        return false;
    dk_buf t = DK_BUF_INIT;
    bool yes = html_text_of(k, &t, 200, false) == 0 && t.len &&
               dkr_grade_parse(t.data, t.len, NULL, NULL) != DKR_GRADE_NONE;
    dk_buf_free(&t);
    return yes;
}

static void remove_node(hnode *n, int reason, int word)
{
    n->flags |= HN_REMOVED;
    n->reason = (uint8_t)reason;
    n->word = (uint8_t)word;
}

/* Propagate HN_IN_REMOVED below removed nodes. */
static void mark_inside(hnode *n, bool inside)
{
    if (inside)
        n->flags |= HN_IN_REMOVED;
    bool below = inside || (n->flags & HN_REMOVED);
    for (hnode *k = n->first; k; k = k->next)
        if (k->tag != HT_TEXT)
            mark_inside(k, below);
}

/* Class names that hide an element (on screen). */
static bool hidden_class(const char *cls)
{
    static const char *const names[] = {
        "hidden", "hide", "is-hidden", "invisible", "d-none", "sr-only",
        "visually-hidden", "visuallyhidden", "screen-reader-text",
        "element-invisible", "screenreader", "offscreen", NULL};
    while (cls && *cls) {
        while (*cls && is_space(*cls))
            cls++;
        const char *t = cls;
        while (*cls && !is_space(*cls))
            cls++;
        for (const char *const *n = names; *n; n++)
            if ((size_t)(cls - t) == strlen(*n) && !strncasecmp(t, *n, strlen(*n)))
                return true;
    }
    return false;
}

static bool hidden(const hnode *n)
{
    if (hattr(n, HA_HIDDEN) || hidden_class(hattr(n, HA_CLASS)))
        return true;
    const char *ah = hattr(n, HA_ARIA_HIDDEN);
    if (ah && !strcasecmp(ah, "true"))
        return true;
    const char *st = hattr(n, HA_STYLE);
    if (st) {
        char buf[256];
        size_t j = 0;
        for (size_t i = 0; st[i] && j + 1 < sizeof buf; i++)
            if (!is_space(st[i]))
                buf[j++] = (char)tolower((unsigned char)st[i]);
        buf[j] = '\0';
        if (strstr(buf, "display:none") || strstr(buf, "visibility:hidden"))
            return true;
    }
    return false;
}

static bool role_is(const hnode *n, const char *role)
{
    return html_has_token(hattr(n, HA_ROLE), role);
}

/* The page's main element: main, role=main, itemprop=articleBody. */
static bool main_like(const hnode *n)
{
    return n->tag == HT_MAIN || role_is(n, "main") ||
           html_has_token(hattr(n, HA_ITEMPROP), "articlebody");
}

typedef struct extractor {
    hpage *page;
    hnode *body;
    uint32_t total; /* visible chars of the body after step 1 */
    uint32_t prose; /* of them, outside links */
} extractor;

/* Does n hold the page's main element? */
static bool holds_main(const hnode *n)
{
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT || gone(k))
            continue;
        if (main_like(k) || holds_main(k))
            return true;
    }
    return false;
}

/* An element that holds much of the page's prose is a wrapper, whatever
 * it is called. */
static bool wrapper(const extractor *x, const hnode *n)
{
    uint32_t prose = n->chars - n->link_chars;
    return (x->prose && prose * 2 > x->prose) || holds_main(n);
}

static bool inside(const hnode *n, int tag)
{
    for (const hnode *p = n->parent; p; p = p->parent)
        if (p->tag == tag)
            return true;
    return false;
}

static bool inside_main(const hnode *n)
{
    for (const hnode *p = n->parent; p; p = p->parent)
        if (p->tag == HT_ARTICLE || main_like(p))
            return true;
    return false;
}

/* Text characters below n, scripts and styles aside. */
static size_t text_below(const hnode *n)
{
    size_t c = 0;
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT) {
            for (size_t i = 0; i < k->len; i++)
                c += !is_space(k->text[i]);
        } else if (k->tag != HT_SCRIPT && k->tag != HT_STYLE && k->tag != HT_HEAD) {
            c += text_below(k);
        }
    }
    return c;
}

/* Step 1: what is never text, and what the page hides. An element that
 * should hold no text but holds most of the page (a <noscript> or
 * <textarea> left open swallows what follows) is read as a div. */
static void never_text(hnode *n, bool keep_all, size_t page_text)
{
    for (hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT)
            continue;
        int cls = ht_class(k->tag);
        /* with --keep-all, the text a reader sees on a control stays */
        bool shown = k->tag == HT_BUTTON || k->tag == HT_MARQUEE ||
                     k->tag == HT_TEXTAREA;
        if (cls == HC_SKIP && !(keep_all && shown)) {
            if (k->tag != HT_SCRIPT && k->tag != HT_STYLE && page_text &&
                text_below(k) * 2 > page_text) {
                k->tag = HT_DIV;
                never_text(k, keep_all, page_text);
                continue;
            }
            remove_node(k, HR_CONTROL, 0);
            continue;
        }
        if (cls == HC_HEAD || k->tag == HT_HEAD)
            continue;
        if (!keep_all && hidden(k)) {
            remove_node(k, HR_HIDDEN, 0);
            continue;
        }
        never_text(k, keep_all, page_text);
    }
}

/* Step 2: site chrome by meaning and by name. */
static void chrome(extractor *x, hnode *n)
{
    for (hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT || gone(k) || ht_class(k->tag) == HC_HEAD)
            continue;
        int reason = 0, word = 0;
        switch (k->tag) {
        case HT_NAV:
            reason = HR_NAV;
            break;
        case HT_ASIDE:
            reason = HR_ASIDE;
            break;
        case HT_DIALOG:
            reason = HR_DIALOG;
            break;
        case HT_FOOTER:
            reason = inside(k, HT_BLOCKQUOTE) ? 0 : HR_FOOTER;
            break;
        case HT_FIGCAPTION:
            reason = HR_CAPTION;
            break;
        case HT_HEADER:
            /* an article's header holds its title and lead */
            reason = inside_main(k) || article_name(hattr(k, HA_CLASS)) ||
                             article_name(hattr(k, HA_ID))
                         ? 0
                         : HR_HEADER;
            break;
        default:
            break;
        }
        if (!reason) {
            if (role_is(k, "navigation") || role_is(k, "menu") ||
                role_is(k, "menubar") || role_is(k, "search"))
                reason = HR_NAV;
            else if (role_is(k, "banner"))
                reason = HR_HEADER;
            else if (role_is(k, "contentinfo"))
                reason = HR_FOOTER;
            else if (role_is(k, "complementary"))
                reason = HR_ASIDE;
            else if (role_is(k, "dialog") || role_is(k, "alertdialog"))
                reason = HR_DIALOG;
        }
        if (!reason && k->tag != HT_BODY && k->tag != HT_HTML &&
            k->tag != HT_ARTICLE && !main_like(k)) {
            word = chrome_word(hattr(k, HA_ID));
            if (word)
                k->flags |= HN_WORD_IN_ID;
            else
                word = chrome_word(hattr(k, HA_CLASS));
            if (word && !grade_badge(k))
                reason = chrome_words[word - 1].reason;
        }
        if (reason && !wrapper(x, k)) {
            remove_node(k, reason, word);
            continue;
        }
        chrome(x, k);
    }
}

/* ---- the main content --------------------------------------------------------------- */

/* Paragraph units score the elements above them. */
static void score_units(hnode *n)
{
    for (hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT || gone(k))
            continue;
        int cls = ht_class(k->tag);
        if (cls == HC_SKIP || cls == HC_HEAD)
            continue;
        bool unit = (k->tag == HT_P || k->tag == HT_PRE || k->tag == HT_TD ||
                     k->tag == HT_BLOCKQUOTE) &&
                    !(k->flags & HN_HAS_BLOCK);
        if (!unit && (cls == HC_CONTAINER || k->tag == HT_OTHER)) {
            /* text straight in a div counts as a paragraph */
            for (const hnode *t = k->first; t && !unit; t = t->next)
                if (t->tag == HT_TEXT) {
                    uint32_t c, p, cm;
                    count_text(t, &c, &p, &cm);
                    unit = c >= 25;
                }
        }
        if (unit && k->chars >= 25 && link_density(k) < 0.5f) {
            float s = 1.0f + (float)(k->commas < 30 ? k->commas : 30) +
                      (k->chars / 100 < 3 ? (float)(k->chars / 100) : 3.0f);
            int level = 1;
            for (hnode *a = k->parent; a && level <= 4; a = a->parent, level++)
                a->score += level == 1 ? s : s / (float)(level * 1.5f);
        }
        score_units(k);
    }
}

static void best_candidate(hnode *n, hnode **best, float *best_score)
{
    for (hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT || gone(k))
            continue;
        if (k->score > 0) {
            float s = k->score * (1.0f - link_density(k));
            if (content_name(hattr(k, HA_CLASS)) || content_name(hattr(k, HA_ID)) ||
                main_like(k) || k->tag == HT_ARTICLE)
                s *= 1.25f;
            if (s > *best_score) {
                *best_score = s;
                *best = k;
            }
        }
        best_candidate(k, best, best_score);
    }
}

static uint32_t prose_of(const hnode *n)
{
    return n->chars - n->link_chars;
}

static float adjusted(const hnode *n)
{
    float s = n->score * (1.0f - link_density(n));
    if (content_name(hattr(n, HA_CLASS)) || content_name(hattr(n, HA_ID)) ||
        main_like(n) || n->tag == HT_ARTICLE)
        s *= 1.25f;
    return s;
}

/* Never text: scripts, media, head matter. */
static bool skipped_kind(const hnode *n)
{
    int cls = ht_class(n->tag);
    return cls == HC_SKIP || cls == HC_HEAD || n->tag == HT_HEAD;
}

/* Why n or the removed element holding it went. */
static int removed_reason(const hnode *n)
{
    for (; n; n = n->parent)
        if (n->flags & HN_REMOVED)
            return n->reason;
    return 0;
}

static bool skipped(const hnode *n)
{
    int cls = ht_class(n->tag);
    return n->tag == HT_TEXT || gone(n) || cls == HC_SKIP || cls == HC_HEAD ||
           n->tag == HT_HEAD;
}

/* A sibling of the best candidate that belongs with it: scored well
 * itself, or a paragraph of prose. */
static bool belongs(const hnode *s, float threshold)
{
    if (adjusted(s) >= threshold)
        return true;
    uint32_t prose = prose_of(s);
    float ld = link_density(s);
    if (prose > 80 && ld < 0.35f && s->punct > 0)
        return true;
    return prose > 20 && prose <= 80 && ld == 0.0f && s->punct > 0 &&
           !(s->flags & HN_HAS_BLOCK);
}

/* Two elements made by one template: the same element with the same,
 * non-empty class. */
static bool same_template(const hnode *a, const hnode *b)
{
    const char *ca = hattr(a, HA_CLASS), *cb = hattr(b, HA_CLASS);
    return a->tag == b->tag && ca && cb && *ca && !strcmp(ca, cb);
}

static bool heading_tag(int tag)
{
    return tag >= HT_H1 && tag <= HT_H6;
}

/* A short element that is a heading in a wrapper of its own (the heading
 * is nearly all its text: a title) or states a full date ("Last updated
 * 12/12/2017", "Published 3 May 2019"): the content's own title or
 * dateline, standing apart from it. Looks at most 64 nodes down. */
static bool title_or_dateline(const hnode *s)
{
    if (!s->chars || s->chars > 160 || link_density(s) > 0.2f)
        return false;
    char text[320];
    size_t len = 0, seen = 0;
    for (const hnode *n = s->first; n && seen < 64; seen++) {
        if (heading_tag(n->tag) && !gone(n) && n->chars * 5 >= s->chars * 4)
            return true;
        if (n->tag == HT_TEXT && !gone(n) && len + n->len + 1 < sizeof text) {
            memcpy(text + len, n->text, n->len);
            len += n->len;
            text[len++] = ' ';
        }
        if (n->first && !gone(n)) {
            n = n->first;
            continue;
        }
        while (n != s && !n->next)
            n = n->parent;
        n = n == s ? NULL : n->next;
    }
    dkr_date d;
    size_t a, b;
    return dkr_find_date(text, len, 0, &d, &a, &b);
}

/* The main content: the best candidate, the siblings that belong with it,
 * and, further out, regions that hold paragraphs of prose themselves;
 * everything else goes. */
static void choose_root(extractor *x, hnode *best)
{
    float threshold = adjusted(best) * 0.2f;
    if (threshold < 10)
        threshold = 10;
    uint32_t good = best->good;
    int level = 1;
    best->flags |= HN_ROOT;
    for (hnode *n = best; n != x->body && n->parent; n = n->parent, level++) {
        bool before = true; /* s comes before n */
        bool run = true;    /* s follows n in a run of its template */
        for (hnode *s = n->parent->first; s; s = s->next) {
            if (s == n) {
                before = false;
                continue;
            }
            if (skipped(s))
                continue;
            if (!before && !same_template(s, n))
                run = false;
            float ld = link_density(s);
            bool heading = s->tag >= HT_H1 && s->tag <= HT_H6;
            /* a region of prose of its own; after the content, where the
             * related articles and comments are, with fewer links */
            bool keep = s->good >= 150 && s->good * 6 >= good &&
                        ld < (before ? 0.5f : 0.25f);
            /* beside the best: what scores, prose, headings */
            if (!keep && level == 1)
                keep = belongs(s, threshold) || heading;
            /* above it: a heading, a lead, an introduction, a title or
             * dateline in a wrapper of its own */
            if (!keep && before && level <= 8)
                keep = ld < 0.4f && (s->good > 0 || heading ||
                                     (prose_of(s) >= 40 && s->punct > 0 && ld < 0.1f) ||
                                     title_or_dateline(s));
            /* made by the template that made the content's own branch
             * (the same element and class): the next part of a text
             * that the page cut into rows or sections, when it holds
             * prose of its own */
            if (!keep && (before || run) && same_template(s, n) && s->good > 0 && ld < 0.3f)
                keep = true;
            /* near it: lists and tables without links (ingredients, data) */
            if (!keep && level <= 2 && ld < 0.2f && prose_of(s) >= 30 &&
                (s->tag == HT_UL || s->tag == HT_OL || s->tag == HT_DL ||
                 s->tag == HT_TABLE))
                keep = true;
            if (!keep)
                remove_node(s, HR_OUTSIDE, 0);
        }
    }
}

/* ---- inside the content ----------------------------------------------------------- */

/* Text that shows a web or mail address: a reference, not a teaser. */
static bool shows_address(const hnode *n)
{
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT) {
            if (memmem(k->text, k->len, "://", 3) || memmem(k->text, k->len, "www.", 4) ||
                memchr(k->text, '@', k->len))
                return true;
        } else if (shows_address(k)) {
            return true;
        }
    }
    return false;
}

/* Blocks made mostly of links: menus, lists of other articles, tags. A
 * container with much prose outside its links is looked into instead. */
static bool link_block(const hnode *n)
{
    if (!n->links || !n->chars)
        return false;
    float ld = link_density(n);
    /* a paragraph that is one link ("Read also: ...") */
    if (n->tag == HT_P || !(n->flags & HN_HAS_BLOCK))
        return (ld > 0.8f && n->links > 1) ||
               (n->links == 1 && n->chars < 200 && !shows_address(n) &&
                (ld >= 0.9f || (ld >= 0.6f && n->chars - n->link_chars <= 25)));
    if (prose_of(n) >= 300 && n->tag != HT_UL && n->tag != HT_OL)
        return false;
    return ld > 0.6f || (ld > 0.4f && n->punct * 2 < n->links);
}

/* Does the first heading in n link away (a teaser's title)? Looks at
 * most a few levels and nodes down, so that asking it of every child of
 * every element stays linear. */
static bool titled_by_link(const hnode *n)
{
    const hnode *queue[64];
    size_t head = 0, tail = 0;
    queue[tail++] = n;
    while (head < tail) {
        const hnode *e = queue[head++];
        if (heading_tag(e->tag))
            return e->chars && e->link_chars == e->chars;
        for (const hnode *k = e->first; k && tail < 64; k = k->next)
            if (k->tag != HT_TEXT && !gone(k) && e->depth < n->depth + 4)
                queue[tail++] = k;
    }
    return false;
}

/* A list of cards: three or more children made by the same template
 * (the same element and class), each a link with a line or two of text,
 * holding most of the element's text: teasers of other pages. The first
 * eight templates among the children are looked at. */
static bool card_list(const hnode *n)
{
    struct {
        const hnode *first;
        uint32_t count, chars;
        bool cards;
    } t[8];
    int nt = 0;
    if (!n->chars)
        return false;
    for (const hnode *b = n->first; b; b = b->next) {
        const char *cb = hattr(b, HA_CLASS);
        if (b->tag == HT_TEXT || gone(b) || !cb || !*cb)
            continue;
        int i = 0;
        while (i < nt && (t[i].first->tag != b->tag ||
                          strcmp(hattr(t[i].first, HA_CLASS), cb)))
            i++;
        if (i == nt) {
            if (nt == 8)
                continue;
            t[nt].first = b;
            t[nt].count = t[nt].chars = 0;
            t[nt].cards = true;
            nt++;
        }
        t[i].count++;
        t[i].chars += b->chars;
        if (!b->links || b->chars > 800 ||
            (link_density(b) < 0.08f && !titled_by_link(b)))
            t[i].cards = false;
    }
    for (int i = 0; i < nt; i++)
        if (t[i].cards && t[i].count >= 3 && t[i].chars * 4 >= n->chars * 3)
            return true;
    return false;
}

static void prune(extractor *x, hnode *n)
{
    for (hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT || gone(k))
            continue;
        int cls = ht_class(k->tag);
        if (cls == HC_SKIP || cls == HC_HEAD)
            continue;
        bool list_like = k->tag == HT_UL || k->tag == HT_OL || k->tag == HT_DL ||
                         k->tag == HT_MENU || k->tag == HT_TABLE || k->tag == HT_P ||
                         cls == HC_CONTAINER;
        if (list_like && link_block(k) && !wrapper(x, k)) {
            remove_node(k, HR_LINKS, 0);
            continue;
        }
        if ((cls == HC_CONTAINER || k->tag == HT_UL || k->tag == HT_OL) &&
            card_list(k) && !wrapper(x, k)) {
            remove_node(k, HR_LINKS, 0);
            continue;
        }
        prune(x, k);
    }
}

typedef struct blocklist {
    hnode **v;
    size_t n, cap;
} blocklist;

/* The kept blocks that hold text, in page order. */
static int leaf_blocks(hnode *n, blocklist *l)
{
    for (hnode *k = n->first; k; k = k->next) {
        if (skipped(k))
            continue;
        int cls = ht_class(k->tag);
        /* inline content beside blocks makes a paragraph of its own */
        bool loose = cls == HC_INLINE && (n->flags & HN_HAS_BLOCK) && k->tag != HT_BR;
        if (cls != HC_BLOCK && cls != HC_CONTAINER && !(k->flags & HN_HAS_BLOCK) &&
            !loose)
            continue;
        if (!(k->flags & HN_HAS_BLOCK) || heading_tag(k->tag)) {
            if (!k->chars)
                continue;
            if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 256;
                hnode **v = realloc(l->v, cap * sizeof *v);
                if (!v)
                    return -1;
                l->v = v;
                l->cap = cap;
            }
            l->v[l->n++] = k;
            continue;
        }
        if (leaf_blocks(k, l) < 0)
            return -1;
    }
    return 0;
}

typedef struct short_text {
    char *text;
    hnode *node;
} short_text;

static int by_text(const void *a, const void *b)
{
    return strcmp(((const short_text *)a)->text, ((const short_text *)b)->text);
}

/* A short line that is a date or a time and little else ("05:28 Uhr",
 * "Thursday, 31 May 2012", "Published: 04.05.2021"): a dateline, not
 * content. "Last updated ..." lines are kept for the inspection transform. */
static bool date_line(const char *t, size_t len)
{
    if (len > 40 || !strncasecmp(t, "last updated", 12) || !strncasecmp(t, "last modified", 13))
        return false;
    size_t digits = 0, words = 1;
    bool clock = false, sep_date = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)t[i];
        digits += isdigit(c) != 0;
        words += c == ' ';
        if (i > 0 && isdigit((unsigned char)t[i - 1]) && (c == ':' ) && i + 2 < len + 1 &&
            i + 2 <= len && isdigit((unsigned char)t[i + 1]) && isdigit((unsigned char)t[i + 2]))
            clock = true;
        if (i > 0 && isdigit((unsigned char)t[i - 1]) && (c == '.' || c == '/' || c == '-') &&
            i + 1 < len && isdigit((unsigned char)t[i + 1]))
            sep_date = true;
    }
    dkr_date d;
    size_t a, b;
    bool named = dkr_find_date(t, len, 2000, &d, &a, &b);
    return words <= 6 && digits >= 2 && (clock || (sep_date && digits >= 4) || named);
}

/* Ad labels in the languages of the web ("Anzeige", "- Advertisement -"):
 * the label of an ad slot, standing alone. */
static bool ad_label(const char *t, size_t len)
{
    static const char *const labels[] = {
        "advertisement", "advertising", "sponsored", "anzeige", "werbung",
        "reklama", "publicidad", "publicit\xC3\xA9", "pubblicit\xC3\xA0",
        "reklame", "annonce", NULL};
    while (len && (ispunct((unsigned char)*t) || is_space(*t)))
        t++, len--;
    while (len && (ispunct((unsigned char)t[len - 1]) || is_space(t[len - 1])))
        len--;
    for (const char *const *l = labels; *l; l++) {
        size_t n = strlen(*l);
        if (len == n && !strncasecmp(t, *l, len))
            return true;
        /* "ANZEIGE - ...", "Advertisement: ...": an ad under its label */
        if (len > n + 2 && len < 300 && !strncasecmp(t, *l, n) &&
            (t[n] == ':' || (t[n] == ' ' && (t[n + 1] == '-' || t[n + 1] == '|'))))
            return true;
    }
    return false;
}

/* A credit line: short, with a copyright sign, or a photo or source
 * label ("Foto: ...", "Photo: ...", "Quelle: ..."). */
static bool credit_line(const char *t, size_t len)
{
    static const char *const labels[] = {
        "foto:", "fotos:", "photo:", "photos:", "bild:", "bilder:", "image:",
        "images:", "credit:", "credits:", "quelle:", "source:", "abbildung",
        "cr\xC3\xA9" "dit", "fuente:", "fonte:", NULL};
    if (len > 120)
        return false;
    if (memmem(t, len, "\xC2\xA9", 2))
        return true;
    while (len && (*t == '(' || *t == '[' || is_space(*t)))
        t++, len--;
    for (const char *const *l = labels; *l; l++)
        if (len > strlen(*l) && !strncasecmp(t, *l, strlen(*l)))
            return true;
    return false;
}

static bool number_only(const char *t)
{
    size_t n = 0;
    while (t[n] >= '0' && t[n] <= '9')
        n++;
    if (t[n] == '.' || t[n] == ')')
        n++;
    return n > 0 && n <= 4 && t[n] == '\0';
}

/* Page furniture standing alone ("Skip to content", "Print this page"), a
 * question's number standing before its heading, and short texts the
 * page's template repeats three times or more ("Hide Ad"). Table cells and
 * list items may repeat: they are left alone. */
static void furniture(extractor *x)
{
    blocklist l = {0};
    short_text *st = NULL;
    size_t n_st = 0;
    dk_buf t = DK_BUF_INIT;
    if (leaf_blocks(x->body, &l) < 0 || !(st = calloc(l.n + 1, sizeof *st)))
        goto done;
    /* a letter's date, before its salutation, is no dateline */
    size_t salutation = 0;
    for (size_t i = 0; i < l.n && !salutation; i++) {
        dk_buf_clear(&t);
        if (l.v[i]->chars <= 60 && html_text_of(l.v[i], &t, 200, false) == 0 &&
            t.len > 5 && !strncmp(t.data, "Dear ", 5))
            salutation = i;
    }
    for (size_t i = 0; i < l.n; i++) {
        hnode *k = l.v[i];
        dk_buf_clear(&t);
        if (k->chars > 300 || html_text_of(k, &t, 1200, false) < 0 ||
            dk_buf_reserve(&t, 0) < 0)
            continue;
        t.data[t.len] = '\0';
        if (ad_label(t.data, t.len)) {
            remove_node(k, HR_ADVERT, 0);
            continue;
        }
        if (k->chars > 80)
            continue;
        if (dkr_is_boilerplate(t.data, t.len)) {
            remove_node(k, HR_FURNITURE, 0);
            continue;
        }
        if (credit_line(t.data, t.len)) {
            remove_node(k, HR_CAPTION, 0);
            continue;
        }
        if (number_only(t.data) && i + 1 < l.n && heading_tag(l.v[i + 1]->tag)) {
            remove_node(k, HR_FURNITURE, 0);
            continue;
        }
        if (k->tag != HT_TD && k->tag != HT_TH && k->tag != HT_LI &&
            !heading_tag(k->tag) && i >= salutation && date_line(t.data, t.len)) {
            remove_node(k, HR_META, 0);
            continue;
        }
        if (k->tag == HT_TD || k->tag == HT_TH || k->tag == HT_LI ||
            k->tag == HT_DT || k->tag == HT_DD || heading_tag(k->tag))
            continue;
        /* grades repeat on purpose, one for each question */
        if (dkr_grade_parse(t.data, t.len, NULL, NULL) != DKR_GRADE_NONE)
            continue;
        if ((st[n_st].text = strdup(t.data)))
            st[n_st++].node = k;
    }
    qsort(st, n_st, sizeof *st, by_text);
    for (size_t i = 0; i < n_st;) {
        size_t j = i + 1;
        while (j < n_st && !strcmp(st[i].text, st[j].text))
            j++;
        if (j - i >= 3)
            for (size_t k = i; k < j; k++)
                remove_node(st[k].node, HR_REPEATED, 0);
        i = j;
    }
done:
    for (size_t i = 0; i < n_st; i++)
        free(st[i].text);
    free(st);
    free(l.v);
    dk_buf_free(&t);
}

static bool blank_text(const hnode *t)
{
    for (size_t i = 0; i < t->len; i++)
        if (!is_space(t->text[i]))
            return false;
    return true;
}

/* The first block with text that follows n in the page, removed or not
 * (the innermost one at its start), or NULL. Removed nodes keep what the
 * first measure counted in them. */
static const hnode *next_block(const hnode *n, const hnode *body)
{
    const hnode *s = NULL;
    for (; n && n != body; n = n->parent) {
        for (s = n->next; s; s = s->next) {
            if (s->tag == HT_TEXT ? !blank_text(s) : s->chars > 0 && !skipped_kind(s))
                break;
        }
        if (s)
            break;
    }
    if (!s || s->tag == HT_TEXT)
        return s;
    /* into a kept container, to the block it starts with */
    while (!gone(s) && (s->flags & HN_HAS_BLOCK)) {
        const hnode *c = s->first;
        while (c && (c->tag == HT_TEXT ? blank_text(c) : !c->chars || skipped_kind(c)))
            c = c->next;
        if (!c || c->tag == HT_TEXT)
            break;
        s = c;
    }
    return s;
}

/* A heading that introduces nothing (what followed it was removed, or
 * another heading of its level follows) goes with what it introduced. A
 * label ("Read more:") goes when the block right after it was removed,
 * whatever follows that; so does a heading (not the title) over a block
 * removed as mostly links (a list of related articles under its title). */
static void orphan_headings(extractor *x)
{
    blocklist l = {0};
    if (leaf_blocks(x->body, &l) < 0) {
        free(l.v);
        return;
    }
    int next_level = 0; /* of the next kept block if a heading, 7 for text */
    dk_buf t = DK_BUF_INIT;
    for (size_t i = l.n; i-- > 0;) {
        hnode *k = l.v[i];
        /* a short line ending in a colon labels what follows it */
        bool label = false;
        if (!heading_tag(k->tag) && k->chars <= 60 && k->tag != HT_LI &&
            k->tag != HT_TD && k->tag != HT_TH) {
            dk_buf_clear(&t);
            if (html_text_of(k, &t, 200, false) == 0 && t.len && t.data[t.len - 1] == ':')
                label = true;
        }
        if (!heading_tag(k->tag) && !label) {
            next_level = 7;
            continue;
        }
        int level = label ? 6 : k->tag - HT_H1 + 1;
        const hnode *after = k->chars <= 100 ? next_block(k, x->body) : NULL;
        bool introduces_removed =
            after && after->tag != HT_TEXT && gone(after) &&
            (label || (k->tag != HT_H1 && removed_reason(after) == HR_LINKS));
        /* a long "heading" is a paragraph set in large type */
        if ((next_level == 0 || next_level <= level || introduces_removed) && k->chars <= 100) {
            remove_node(k, HR_ORPHAN, 0);
            continue;
        }
        next_level = level;
    }
    dk_buf_free(&t);
    free(l.v);
}

void html_extract(hpage *page, bool keep_all)
{
    extractor x = {.page = page};
    hnode *root = page->root;
    never_text(root, keep_all, text_below(root));
    mark_inside(root, false);
    measure(root, false);
    /* the body */
    x.body = root;
    for (hnode *k = root->first; k; k = k->next)
        if (k->tag == HT_HTML)
            for (hnode *b = k->first; b; b = b->next)
                if (b->tag == HT_BODY)
                    x.body = b;
    x.total = x.body->chars;
    x.prose = prose_of(x.body);
    if (keep_all)
        return;

    chrome(&x, x.body);
    mark_inside(root, false);
    measure(root, false);
    x.prose = prose_of(x.body);

    score_units(x.body);
    hnode *best = NULL;
    float best_score = 0;
    best_candidate(x.body, &best, &best_score);
    if (best)
        choose_root(&x, best);
    mark_inside(root, false);
    measure(root, false);
    prune(&x, x.body);
    mark_inside(root, false);
    furniture(&x);
    mark_inside(root, false);
    orphan_headings(&x);
    mark_inside(root, false);
}
