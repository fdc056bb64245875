/* Helpers shared by the test suites. */
#define _GNU_SOURCE
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rules.h"

char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *b = realloc(buf, (cap *= 2) + 1);
            if (!b) {
                free(buf);
                buf = NULL;
            }
            buf = b;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

char *temp_dir(void)
{
    char *t = strdup("/tmp/docket-test-XXXXXX");
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(mkdtemp(t));
    return t;
}

void rm_rf(const char *path)
{
    const char *argv[] = {"/bin/rm", "-rf", path, NULL};
    run_result r = run(argv, NULL, NULL);
    run_free(&r);
}

int dir_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

run_result run(const char *const argv[], const char *stdin_path,
               const char *const env[])
{
    run_result r = {0};
    char out_path[] = "/tmp/docket-out-XXXXXX";
    char err_path[] = "/tmp/docket-err-XXXXXX";
    int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    ck_assert(out_fd >= 0 && err_fd >= 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        int in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
        if (in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        for (const char *const *e = env; e && *e; e++) {
            const char *eq = strchr(*e, '=');
            if (eq && eq[1] == '\0') {
                char *k = strndup(*e, (size_t)(eq - *e));
                unsetenv(k);
            } else {
                putenv((char *)*e);
            }
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    close(out_fd);
    close(err_fd);
    r.out = slurp(out_path, &r.out_len);
    r.err = slurp(err_path, NULL);
    unlink(out_path);
    unlink(err_path);
    ck_assert(r.out && r.err);
    return r;
}

run_result docket_run(const char *const args[], const char *stdin_path)
{
    static const char *const env[] = {"DOCKET_PLUGIN_PATH=", NULL};
    const char *argv[64] = {DOCKET_BIN};
    size_t n = 1;
    for (const char *const *a = args; *a && n < 63; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    return run(argv, stdin_path, env);
}

run_result run_sh(const char *cmdline)
{
    const char *argv[] = {"/bin/sh", "-c", cmdline, NULL};
    return run(argv, NULL, NULL);
}

void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

void assert_matches_file(const char *actual, size_t len, const char *path)
{
    size_t elen;
    char *expected = slurp(path, &elen);
    ck_assert_msg(expected != NULL, "missing expected file %s", path);
    size_t i = 0;
    while (i < len && i < elen && actual[i] == expected[i])
        i++;
    if (i < len || i < elen) {
        size_t from = i > 60 ? i - 60 : 0;
        ck_abort_msg("%s differs at byte %zu:\nexpected: ...%.*s\nactual:   "
                     "...%.*s", path, i, (int)(elen - from > 120 ? 120 : elen - from),
                     expected + from, (int)(len - from > 120 ? 120 : len - from),
                     actual + from);
    }
    free(expected);
}

int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* ---- word accounting -------------------------------------------------- */

typedef struct words {
    char **v;
    size_t n, cap;
} words;

static void add_word(words *w, const char *s, size_t len)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 256;
        w->v = realloc(w->v, w->cap * sizeof *w->v);
        ck_assert_ptr_nonnull(w->v);
    }
    char *c = strndup(s, len);
    for (char *p = c; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    w->v[w->n++] = c;
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void split_words(words *w, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        if (!word_char(s[i])) {
            i++;
            continue;
        }
        size_t st = i;
        while (i < len && word_char(s[i]))
            i++;
        add_word(w, s + st, i - st);
    }
}

static int cmp_words(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_words(words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
}

static bool only_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return len > 0 && len <= 3;
}

/* Is the block at [s, s+len) one a warning names ("at byte N")? */
static bool named_repeat(const char *warnings, size_t offset)
{
    char key[64];
    snprintf(key, sizeof key, "at byte %zu\n", offset);
    return warnings && strstr(warnings, key);
}

char *lost_words(const char *input, size_t len, const char *xml_output,
                 const char *warnings)
{
    static const char *const labels[] = {
        "date", "dated", "cc", "c", "enc", "encs", "encl", "encls",
        "enclosure", "enclosures", "s", "copy", "copies", "to", "tel",
        "telephone", "phone", "mobile", "direct", "line", "dl", "e", "mail",
        "email", "t", "m", "grade", "our", "overall", "judgment", "judgement",
        "rating", "last", "updated", "modified", "published", "first",
        "posted", "on", "by", "is", "re", "subject"};
    words in = {0}, out = {0};
    bool links = false; /* under a "Most read" heading */
    /* the input, block by block (blocks end at blank lines), furniture
     * and named repeats left out */
    for (size_t i = 0; i < len;) {
        while (i < len && (input[i] == '\n' || input[i] == '\r'))
            i++;
        size_t st = i;
        while (i < len && !(input[i] == '\n' &&
                            (i + 1 >= len || input[i + 1] == '\n' ||
                             (input[i + 1] == '\r' && i + 2 < len && input[i + 2] == '\n'))))
            i++;
        if (i == st)
            break;
        size_t end = i;
        if (named_repeat(warnings, st) || dkr_is_boilerplate_block(input + st, end - st))
            continue;
        /* the links under "Most read" and its like: list items and short
         * lines without a full stop, up to the first other block */
        bool heading = !memchr(input + st, '\n', end - st) &&
                       dkr_link_list_heading(input + st, end - st);
        if (heading || (links && (input[st] == '-' || (end - st < 120 && input[end - 1] != '.' &&
                                                        input[end - 1] != ',')))) {
            links = true;
            continue;
        }
        links = false;
        for (size_t l = st; l < end;) {
            size_t le = l;
            while (le < end && input[le] != '\n')
                le++;
            size_t a = l, b = le;
            while (a < b && (input[a] == ' ' || input[a] == '\t'))
                a++;
            while (b > a && (input[b - 1] == ' ' || input[b - 1] == '\r' ||
                             input[b - 1] == '\t'))
                b--;
            /* a list item's number is the list's numbering */
            size_t m = a;
            if (m + 1 < b && (input[m] == '-' || input[m] == '*' || input[m] == 'o') &&
                (input[m + 1] == ' ' || input[m + 1] == '\t')) {
                for (m++; m < b && (input[m] == ' ' || input[m] == '\t');)
                    m++;
                a = m; /* a bullet ("o" is a word processor's) */
            }
            size_t dg = m;
            while (dg < b && dg - m < 3 && input[dg] >= '0' && input[dg] <= '9')
                dg++;
            if (dg > m && dg < b && (input[dg] == '.' || input[dg] == ')') &&
                dg + 1 < b && input[dg + 1] == ' ')
                a = dg + 1;
            if (!dkr_is_boilerplate(input + a, b - a) && !only_digits(input + a, b - a))
                split_words(&in, input + a, b - a);
            l = le + 1;
        }
    }
    /* the output's text */
    for (const char *p = xml_output; *p;) {
        if (*p == '<') {
            const char *gt = strchr(p, '>');
            p = gt ? gt + 1 : p + strlen(p);
            continue;
        }
        if (*p == '&') {
            const char *semi = strchr(p, ';');
            p = semi ? semi + 1 : p + 1;
            continue;
        }
        const char *q = p;
        while (*q && *q != '<' && *q != '&')
            q++;
        split_words(&out, p, (size_t)(q - p));
        p = q;
    }
    qsort(in.v, in.n, sizeof *in.v, cmp_words);
    qsort(out.v, out.n, sizeof *out.v, cmp_words);
    char *report = NULL;
    size_t rlen = 0;
    FILE *mem = open_memstream(&report, &rlen);
    size_t i = 0, j = 0, lost = 0;
    while (i < in.n) {
        int c = j < out.n ? strcmp(in.v[i], out.v[j]) : -1;
        if (c == 0) {
            i++, j++;
        } else if (c > 0) {
            j++;
        } else {
            bool label = false;
            for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
                label |= !strcmp(in.v[i], labels[k]);
            if (!label) {
                fprintf(mem, " %s", in.v[i]);
                lost++;
            }
            i++;
        }
    }
    fclose(mem);
    free_words(&in);
    free_words(&out);
    if (!lost) {
        free(report);
        return NULL;
    }
    return report;
}

char *convert_text(const char *text, const char *const *extra, char **err)
{
    char *dir = temp_dir();
    char in[512];
    snprintf(in, sizeof in, "%s/in.txt", dir);
    spit(in, text, strlen(text));
    const char *args[24] = {"-t", "xml"};
    size_t n = 2;
    for (; extra && *extra; extra++)
        args[n++] = *extra;
    args[n++] = in;
    args[n] = NULL;
    run_result r = docket_run(args, NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    char *out = strdup(r.out);
    if (err)
        *err = strdup(r.err);
    run_free(&r);
    rm_rf(dir);
    free(dir);
    return out;
}
