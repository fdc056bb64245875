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
