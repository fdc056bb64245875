/*
 * Batch mode: many inputs, one output each in a folder, converted by
 * worker threads that share one registry (each plugin is loaded once).
 * Outputs are placed in groups (one sync for many files, see dk_batch);
 * a JSON line per input goes to the manifest once its output is in place.
 * SIGINT and SIGTERM stop the batch cleanly: the files being converted
 * are finished and placed, the rest are left for the next run, which
 * --skip-existing resumes.
 */
#define _GNU_SOURCE
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Outputs placed together: enough to make one sync cheap, few enough
 * that an interrupted batch loses little work. */
#define GROUP 32

typedef enum state { TODO, SKIPPED, CLASH, FAILED, STAGED, DONE } state;

typedef struct item {
    const char *input;
    char *output;
    state st;
    dk_report report;
} item;

typedef struct run {
    dk_registry *reg;
    const dk_options *opts;
    const batch_config *cfg;
    item *items;
    size_t n;
    atomic_size_t next;     /* the next item to take */
    atomic_size_t finished; /* converted, skipped or failed */
    atomic_size_t failed;
    dk_batch *batch;
    FILE *manifest;
    pthread_mutex_t log; /* the manifest and the progress line */
    pthread_mutex_t wake_lock;
    pthread_cond_t wake; /* a worker thread ended */
    int running;         /* worker threads not ended (under wake_lock) */
    struct timespec start;
    bool tty;
} run;

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
    if (stopping) {
        /* a second signal: no more waiting */
        dk_discard_pending_outputs();
        signal(sig, SIG_DFL);
        raise(sig);
    }
    stopping = sig;
}

/* ---- the manifest --------------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* One line, written whole (the manifest is opened for appending). Called
 * with the log lock held. */
static void manifest_line(run *r, const item *it)
{
    if (!r->manifest)
        return;
    static const char *const names[] = {"todo", "skipped", "failed", "failed",
                                        "staged", "ok"};
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f)
        return;
    fputs("{\"input\":", f);
    json_string(f, it->input);
    fputs(",\"output\":", f);
    json_string(f, it->st == DONE || it->st == SKIPPED ? it->output : NULL);
    fprintf(f, ",\"status\":\"%s\",\"error\":", names[it->st]);
    json_string(f, it->st == FAILED || it->st == CLASH ? it->report.error : NULL);
    fputs(",\"sha256\":", f);
    json_string(f, it->report.sha256[0] ? it->report.sha256 : NULL);
    fprintf(f, ",\"ms\":%.1f,\"reader\":", it->report.ms);
    json_string(f, it->report.reader[0] ? it->report.reader : NULL);
    fprintf(f, ",\"warnings\":%zu}\n", it->report.warnings);
    fclose(f);
    if (line && fwrite(line, 1, len, r->manifest) == len)
        fflush(r->manifest);
    free(line);
}

/* ---- progress ---------------------------------------------------------------- */

static double elapsed(const run *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - r->start.tv_sec) +
           (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
}

static void progress(run *r, bool last)
{
    if (!r->tty)
        return;
    size_t done = atomic_load(&r->finished);
    double t = elapsed(r);
    fprintf(stderr, "\rdocket: %zu/%zu files, %.1f/s, %zu failed%s", done, r->n,
            t > 0 ? (double)done / t : 0.0, atomic_load(&r->failed),
            last ? "\n" : "   ");
    fflush(stderr);
}

/* ---- workers -------------------------------------------------------------------- */

static void placed(void *user, const char *output, void *tag, dk_status st,
                   const char *error)
{
    (void)output;
    run *r = user;
    item *it = tag;
    pthread_mutex_lock(&r->log);
    if (st == DK_E_OK) {
        it->st = DONE;
    } else {
        it->st = FAILED;
        it->report.status = st;
        snprintf(it->report.error, sizeof it->report.error, "%s", error);
        fprintf(stderr, "docket: %s: %s\n", it->input, error);
        atomic_fetch_add(&r->failed, 1);
    }
    manifest_line(r, it);
    pthread_mutex_unlock(&r->log);
}

/* The output is there and newer than the input: done by an earlier run. */
static bool up_to_date(const item *it)
{
    struct stat in, out;
    return stat(it->input, &in) == 0 && stat(it->output, &out) == 0 &&
           (out.st_mtim.tv_sec > in.st_mtim.tv_sec ||
            (out.st_mtim.tv_sec == in.st_mtim.tv_sec &&
             out.st_mtim.tv_nsec >= in.st_mtim.tv_nsec));
}

static void *worker(void *arg)
{
    run *r = arg;
    for (;;) {
        if (stopping)
            break;
        size_t i = atomic_fetch_add(&r->next, 1);
        if (i >= r->n)
            break;
        item *it = &r->items[i];
        if (it->st == CLASH) {
            pthread_mutex_lock(&r->log);
            fprintf(stderr, "docket: %s: %s\n", it->input, it->report.error);
            manifest_line(r, it);
            pthread_mutex_unlock(&r->log);
            atomic_fetch_add(&r->failed, 1);
        } else if (r->cfg->skip_existing && up_to_date(it)) {
            it->st = SKIPPED;
            pthread_mutex_lock(&r->log);
            manifest_line(r, it);
            pthread_mutex_unlock(&r->log);
        } else {
            /* staged until placed with its group; placed() says so */
            it->st = STAGED;
            dk_status st = dk_batch_convert(r->batch, r->reg, r->opts, it->input,
                                            it->output, it, &it->report);
            if (st != DK_E_OK) {
                pthread_mutex_lock(&r->log);
                it->st = FAILED;
                manifest_line(r, it);
                pthread_mutex_unlock(&r->log);
                atomic_fetch_add(&r->failed, 1);
            }
        }
        atomic_fetch_add(&r->finished, 1);
    }
    return NULL;
}

/* A worker in a thread of its own, which says when it ends: the batch
 * ends when its last worker does, not at the next progress tick. */
static void *worker_thread(void *arg)
{
    run *r = arg;
    worker(r);
    pthread_mutex_lock(&r->wake_lock);
    r->running--;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->wake_lock);
    return NULL;
}

/* ---- the batch ------------------------------------------------------------------- */

/* DIR/BASENAME-without-extension.EXT. Transfer full. */
static char *output_name(const char *dir, const char *input, const char *ext)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    const char *dot = strrchr(base, '.');
    int stem = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    char *out = NULL;
    if (asprintf(&out, "%s/%.*s.%s", dir, stem, base, ext) < 0)
        return NULL;
    return out;
}

/* Items in order of their output names, the first input first. */
static int by_output(const void *a, const void *b)
{
    const item *x = *(item *const *)a, *y = *(item *const *)b;
    int c = strcmp(x->output, y->output);
    return c ? c : (x < y ? -1 : x > y);
}

typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

static int by_id(const void *a, const void *b)
{
    const file_id *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Marks the items that must not be converted: a second input whose output
 * name an earlier one has, and an output that is one of the inputs. Sorted,
 * not compared pairwise: batches of tens of thousands of files must not
 * pay n squared comparisons (or stat calls). */
static int find_clashes(item *items, size_t n)
{
    item **order = malloc((n ? n : 1) * sizeof *order);
    file_id *ids = malloc((n ? n : 1) * sizeof *ids);
    if (!order || !ids) {
        free(order);
        free(ids);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = &items[i];
    qsort(order, n, sizeof *order, by_output);
    for (size_t i = 1; i < n; i++) {
        item *it = order[i];
        if (strcmp(order[i - 1]->output, it->output))
            continue;
        it->st = CLASH;
        snprintf(it->report.error, sizeof it->report.error, "output %s was "
                 "written for an earlier input; not converted", it->output);
    }
    size_t n_ids = 0;
    struct stat st;
    for (size_t i = 0; i < n; i++)
        if (stat(items[i].input, &st) == 0 && S_ISREG(st.st_mode))
            ids[n_ids++] = (file_id){st.st_dev, st.st_ino};
    qsort(ids, n_ids, sizeof *ids, by_id);
    for (size_t i = 0; i < n; i++) {
        item *it = &items[i];
        if (it->st != TODO || stat(it->output, &st) != 0)
            continue;
        file_id id = {st.st_dev, st.st_ino};
        if (bsearch(&id, ids, n_ids, sizeof *ids, by_id)) {
            it->st = CLASH;
            snprintf(it->report.error, sizeof it->report.error, "output %s "
                     "is one of the inputs; not converted", it->output);
        }
    }
    free(order);
    free(ids);
    return 0;
}

int run_batch(dk_registry *reg, const dk_options *opts, char **inputs,
              size_t n, const batch_config *cfg)
{
    run r = {.reg = reg, .opts = opts, .cfg = cfg, .n = n};
    pthread_t *threads = NULL;
    int status = 1, jobs = cfg->jobs > 0 ? cfg->jobs : 1;
    r.items = calloc(n + 1, sizeof *r.items);
    r.batch = dk_batch_new(GROUP, placed, &r);
    threads = calloc((size_t)jobs, sizeof *threads);
    pthread_mutex_init(&r.log, NULL);
    pthread_mutex_init(&r.wake_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r.wake, &ca);
    pthread_condattr_destroy(&ca);
    if (!r.items || !r.batch || !threads) {
        fputs("docket: out of memory\n", stderr);
        goto done;
    }
    /* names, and the inputs that cannot be converted into them */
    for (size_t i = 0; i < n; i++) {
        item *it = &r.items[i];
        it->input = inputs[i];
        if (!(it->output = output_name(cfg->outdir, inputs[i], cfg->ext))) {
            fputs("docket: out of memory\n", stderr);
            goto done;
        }
    }
    if (find_clashes(r.items, n) < 0) {
        fputs("docket: out of memory\n", stderr);
        goto done;
    }
    if (cfg->manifest) {
        int fd = open(cfg->manifest, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
        if (fd < 0 || !(r.manifest = fdopen(fd, "a"))) {
            fprintf(stderr, "docket: %s: cannot write the manifest: %s\n",
                    cfg->manifest, strerror(errno));
            if (fd >= 0)
                close(fd);
            goto done;
        }
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    r.tty = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &r.start);
    int started = 0;
    r.running = jobs;
    for (; started < jobs; started++)
        if (pthread_create(&threads[started], NULL, worker_thread, &r) != 0)
            break;
    pthread_mutex_lock(&r.wake_lock);
    r.running -= jobs - started;
    pthread_mutex_unlock(&r.wake_lock);
    if (started == 0)
        worker(&r); /* no threads to be had: do it here */
    /* the progress line every 200 ms while they work, until the last
     * worker ends (or a signal stops the batch) */
    for (bool ended = started == 0; !ended && !stopping;) {
        progress(&r, false);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += 200 * 1000 * 1000;
        if (until.tv_nsec >= 1000 * 1000 * 1000) {
            until.tv_sec++;
            until.tv_nsec -= 1000 * 1000 * 1000;
        }
        pthread_mutex_lock(&r.wake_lock);
        if (r.running > 0)
            pthread_cond_timedwait(&r.wake, &r.wake_lock, &until);
        ended = r.running == 0;
        pthread_mutex_unlock(&r.wake_lock);
    }
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    /* the last group */
    dk_batch_flush(r.batch);
    progress(&r, true);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    size_t converted = 0, skipped = 0, failed = 0, left = 0;
    for (size_t i = 0; i < n; i++) {
        state st = r.items[i].st;
        converted += st == DONE;
        skipped += st == SKIPPED;
        failed += st == FAILED || st == CLASH;
        left += st == TODO;
    }
    fprintf(stderr, "docket: %zu converted, %zu failed", converted, failed);
    if (skipped)
        fprintf(stderr, ", %zu skipped (up to date)", skipped);
    if (left)
        fprintf(stderr, ", %zu not started (stopped by a signal; run again "
                "with --skip-existing to go on)", left);
    fputc('\n', stderr);
    status = stopping ? 128 + stopping : failed ? 1 : 0;
done:
    if (r.manifest)
        fclose(r.manifest);
    for (size_t i = 0; r.items && i < n; i++)
        free(r.items[i].output);
    free(r.items);
    dk_batch_free(r.batch);
    free(threads);
    pthread_mutex_destroy(&r.log);
    pthread_mutex_destroy(&r.wake_lock);
    pthread_cond_destroy(&r.wake);
    return status;
}
