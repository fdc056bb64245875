/*
 * The removal report: every block the reader removed from a page, one per
 * line (tab-separated, after a header of comment lines), in page order:
 *
 *   offset  path  reason  words  text
 *
 * offset is the byte offset of the element in the input (empty when the
 * page was transcoded from a charset whose offsets cannot be mapped),
 * path its place in the page (/html/body/div[2]/nav, with id and class
 * when it has them), reason why it went, words how many words it held,
 * text its first words. Blocks without visible text (scripts, styles,
 * images) are not listed. The file is written to a temporary name beside
 * the target and renamed into place, so a reader never sees half a report.
 */
#define _GNU_SOURCE
#include "htmlp.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIRST_WORDS 100 /* bytes of text shown */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Words in a subtree, removed parts included (they go with it), and the
 * words of controls (a button's "Hide Ad") too. */
static size_t count_words(const hnode *n)
{
    size_t w = 0;
    for (const hnode *k = n->first; k; k = k->next) {
        if (k->tag == HT_TEXT) {
            bool in = false;
            for (size_t i = 0; i < k->len; i++) {
                bool sp = is_space(k->text[i]);
                w += !sp && !in;
                in = !sp;
            }
            continue;
        }
        if (ht_class(k->tag) != HC_HEAD)
            w += count_words(k);
    }
    return w;
}

/* Append an attribute value with white space collapsed and quotes, tabs
 * and line ends kept out of the line. */
static int put_clean(dk_buf *b, const char *s, size_t max)
{
    bool sp = false;
    size_t start = b->len;
    for (; *s && b->len - start < max; s++) {
        if (is_space(*s)) {
            sp = b->len > start;
            continue;
        }
        if (sp && dk_buf_putc(b, ' ') < 0)
            return -1;
        sp = false;
        if (dk_buf_putc(b, *s == '\'' ? '"' : *s) < 0)
            return -1;
    }
    return 0;
}

/* /html/body/div[2]/nav: the element's path, with an index where siblings
 * share its name. */
static int put_path(dk_buf *b, const hnode *n)
{
    if (!n->parent || n->tag == HT_TEXT)
        return 0;
    if (put_path(b, n->parent) < 0)
        return -1;
    int index = 0, same = 0;
    for (const hnode *s = n->parent->first; s; s = s->next) {
        if (s->tag != n->tag)
            continue;
        same++;
        if (s == n)
            index = same;
    }
    const char *name = n->tag == HT_OTHER ? "*" : ht_name(n->tag);
    if (dk_buf_printf(b, "/%s", name) < 0)
        return -1;
    if (same > 1 && dk_buf_printf(b, "[%d]", index) < 0)
        return -1;
    return 0;
}

static int put_reason(dk_buf *b, const hnode *n)
{
    if (dk_buf_puts(b, html_reason_text(n->reason)) < 0)
        return -1;
    const char *word = html_extract_word(n);
    if (word) {
        if (dk_buf_printf(b, ": \"%s\" in ", word) < 0 ||
            dk_buf_puts(b, n->flags & HN_WORD_IN_ID ? "id" : "class") < 0)
            return -1;
    } else if (hattr(n, HA_ROLE) && n->reason != HR_OUTSIDE &&
               n->reason != HR_LINKS) {
        if (dk_buf_puts(b, " (role ") < 0 || put_clean(b, hattr(n, HA_ROLE), 40) < 0 ||
            dk_buf_putc(b, ')') < 0)
            return -1;
    } else if (n->reason != HR_OUTSIDE && n->reason != HR_LINKS &&
               n->reason != HR_FURNITURE && n->reason != HR_REPEATED &&
               n->reason != HR_HIDDEN) {
        if (dk_buf_printf(b, " (<%s>)", n->tag == HT_OTHER ? "?" : ht_name(n->tag)) < 0)
            return -1;
    }
    return 0;
}

typedef struct report {
    dk_buf out;
    dk_buf text;
    hoffsets *offs;
    size_t removed_words, removed_blocks;
    bool failed;
} report;

static void walk(report *r, const hnode *n)
{
    for (const hnode *k = n->first; k && !r->failed; k = k->next) {
        if (k->tag == HT_TEXT)
            continue;
        if (!(k->flags & HN_REMOVED)) {
            walk(r, k);
            continue;
        }
        size_t words = count_words(k);
        if (!words)
            continue;
        dk_buf *b = &r->out;
        dk_buf_clear(&r->text);
        size_t at = html_input_offset(r->offs, k->offset);
        int e = at != SIZE_MAX ? dk_buf_printf(b, "%zu\t", at) : dk_buf_putc(b, '\t');
        e |= put_path(b, k);
        if (hattr(k, HA_ID)) {
            e |= dk_buf_puts(b, "[@id='");
            e |= put_clean(b, hattr(k, HA_ID), 60);
            e |= dk_buf_puts(b, "']");
        }
        if (hattr(k, HA_CLASS) && *hattr(k, HA_CLASS)) {
            e |= dk_buf_puts(b, "[@class='");
            e |= put_clean(b, hattr(k, HA_CLASS), 80);
            e |= dk_buf_puts(b, "']");
        }
        e |= dk_buf_putc(b, '\t');
        e |= put_reason(b, k);
        e |= dk_buf_printf(b, "\t%zu\t", words);
        /* the first words, visible text of the whole subtree */
        e |= html_text_of(k, &r->text, FIRST_WORDS + 4, true);
        size_t len = r->text.len;
        if (len > FIRST_WORDS) {
            len = FIRST_WORDS;
            while (len > 0 && ((unsigned char)r->text.data[len] & 0xC0) == 0x80)
                len--; /* not inside a character */
        }
        e |= dk_buf_append(b, r->text.data ? r->text.data : "", len);
        if (len < r->text.len)
            e |= dk_buf_puts(b, "\xE2\x80\xA6");
        e |= dk_buf_putc(b, '\n');
        if (e)
            r->failed = true;
        r->removed_words += words;
        r->removed_blocks++;
    }
}

/* The report's file: path itself, or NAME.removed.tsv inside it when it
 * is a directory, as it always is in a batch (created if need be: one
 * file for every input would keep only the last report). NULL with errno
 * set on failure. Transfer full. */
static char *target(const char *path, const char *input_name, bool batch)
{
    struct stat st;
    if (batch && stat(path, &st) != 0 && errno == ENOENT && mkdir(path, 0777) != 0 &&
        errno != EEXIST)
        return NULL;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (batch) {
            errno = ENOTDIR;
            return NULL;
        }
        return strdup(path);
    }
    const char *base = input_name ? strrchr(input_name, '/') : NULL;
    base = base ? base + 1 : input_name;
    if (!base || !*base || !strcmp(base, "-") || !strcmp(base, "<stdin>"))
        base = "stdin";
    size_t bl = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        bl = (size_t)(dot - base);
    char *t = NULL;
    if (asprintf(&t, "%s/%.*s.removed.tsv", path, (int)bl, base) < 0)
        return NULL;
    return t;
}

/* Write data to file atomically: a temporary file beside it, renamed. */
static int write_atomic(const char *file, const char *data, size_t len)
{
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.XXXXXX", file) < 0)
        return -1;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        errno = e;
        return -1;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto fail;
        done += (size_t)n;
    }
    if (fchmod(fd, 0644) < 0 || close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, file) < 0)
        goto fail;
    free(tmp);
    return 0;
fail:;
    int e = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    errno = e;
    return -1;
}

int html_report(dk_ctx *ctx, const hpage *page, const char *path,
                const char *input_name, hoffsets *offs)
{
    report r = {.offs = offs};
    dk_buf head = DK_BUF_INIT;
    char *file = NULL;
    int ret = -1;
    walk(&r, page->root);
    size_t kept = 0;
    {
        /* the words left: all words less the removed ones */
        hnode copy = *page->root;
        kept = count_words(&copy);
        kept = kept > r.removed_words ? kept - r.removed_words : 0;
    }
    const char *name = input_name ? strrchr(input_name, '/') : NULL;
    name = name ? name + 1 : input_name ? input_name : "<stdin>";
    if (r.failed ||
        dk_buf_printf(&head, "# docket html reader: what was removed from %s as "
                      "not part of the page's content\n", name) < 0 ||
        dk_buf_printf(&head, "# kept %zu words; removed %zu words in %zu blocks\n",
                      kept, r.removed_words, r.removed_blocks) < 0 ||
        dk_buf_puts(&head, "offset\tpath\treason\twords\ttext\n") < 0 ||
        dk_buf_append(&head, r.out.data ? r.out.data : "", r.out.len) < 0) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        goto cleanup;
    }
    file = target(path, input_name, dk_ctx_in_batch(ctx));
    if (!file) {
        if (errno == ENOTDIR)
            dk_ctx_fail(ctx, DK_E_USAGE, "--removed %s: with several inputs (-O) the "
                        "reports go in a folder, and %s is not one", path, path);
        else
            dk_ctx_fail(ctx, errno == ENOMEM ? DK_E_NOMEM : DK_E_IO,
                        "cannot write the removal report in %s: %s", path, strerror(errno));
        goto cleanup;
    }
    if (write_atomic(file, head.data, head.len) < 0) {
        dk_ctx_fail(ctx, DK_E_IO, "cannot write the removal report %s: %s", file,
                    strerror(errno));
        goto cleanup;
    }
    ret = 0;
cleanup:
    free(file);
    dk_buf_free(&head);
    dk_buf_free(&r.out);
    dk_buf_free(&r.text);
    return ret;
}
