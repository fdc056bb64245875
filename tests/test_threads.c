/*
 * One registry shared by threads, each conversion with its own state: the
 * fixtures (text, web pages, PDFs) converted by several threads at once (in different orders, to
 * XML and JSON, plugins loaded by whichever thread needs them first) give
 * exactly the bytes a single thread gives. Run under ThreadSanitizer
 * (DOCKET_SANITIZE_THREAD) it also proves the absence of data races.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <docket/docket.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define MAX_FILES 64

typedef struct input {
    char *path;
    char *data;
    size_t size;
    char *want[2]; /* xml, json, from one thread */
} input;

static input inputs[MAX_FILES];
static size_t n_inputs;
static const char *const formats[2] = {"xml", "json"};

/* The files of dir whose names end in ext (".txt"). */
static void add_dir(const char *dir, const char *ext)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    size_t el = strlen(ext);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= el || strcmp(e->d_name + len - el, ext) || strstr(e->d_name, ".expected."))
            continue;
        ck_assert_uint_lt(n_inputs, MAX_FILES);
        input *in = &inputs[n_inputs++];
        ck_assert(asprintf(&in->path, "%s/%s", dir, e->d_name) > 0);
        in->data = slurp(in->path, &in->size);
        ck_assert_ptr_nonnull(in->data);
    }
    closedir(d);
}

typedef struct job {
    dk_registry *reg;
    int id;
    int mismatches;
    int failures;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    dk_options *o[2];
    for (int f = 0; f < 2; f++) {
        o[f] = dk_options_new();
        dk_options_set_to(o[f], formats[f]);
    }
    /* each thread its own order */
    for (size_t k = 0; k < n_inputs * 2; k++) {
        size_t i = (k * (size_t)(2 * j->id + 1) + (size_t)j->id) % n_inputs;
        int f = (int)((k + (size_t)j->id) % 2);
        char *out = NULL;
        size_t len = 0;
        if (dk_convert_memory(j->reg, o[f], inputs[i].path, inputs[i].data,
                              inputs[i].size, &out, &len) != DK_E_OK) {
            j->failures++;
            continue;
        }
        j->mismatches += strcmp(out, inputs[i].want[f]) != 0;
        free(out);
    }
    for (int f = 0; f < 2; f++)
        dk_options_free(o[f]);
    return NULL;
}

START_TEST(parallel_conversions_match_sequential_ones)
{
    /* every reader: text, web pages, PDFs */
    add_dir(FIXTURES "/seeds", ".txt");
    add_dir(FIXTURES "/structure", ".txt");
    add_dir(FIXTURES "/html", ".html");
    add_dir(FIXTURES "/pdf", ".pdf");
    ck_assert_uint_gt(n_inputs, 30);
    const char *dirs[] = {PLUGIN_DIR, NULL};
    /* the reference, from one thread and its own registry */
    dk_registry *reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV | DK_REGISTRY_NO_DEFAULTS,
                                        NULL, NULL);
    for (int f = 0; f < 2; f++) {
        dk_options *o = dk_options_new();
        dk_options_set_to(o, formats[f]);
        for (size_t i = 0; i < n_inputs; i++)
            ck_assert_int_eq(dk_convert_memory(reg, o, inputs[i].path, inputs[i].data,
                                               inputs[i].size, &inputs[i].want[f], NULL),
                             DK_E_OK);
        dk_options_free(o);
    }
    dk_registry_close(reg);
    /* a fresh registry, so that the threads race to load the plugins */
    reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV | DK_REGISTRY_NO_DEFAULTS, NULL, NULL);
    pthread_t t[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){reg, i, 0, 0};
        ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(jobs[i].failures, 0);
        ck_assert_int_eq(jobs[i].mismatches, 0);
    }
    dk_registry_close(reg);
    for (size_t i = 0; i < n_inputs; i++) {
        free(inputs[i].path);
        free(inputs[i].data);
        free(inputs[i].want[0]);
        free(inputs[i].want[1]);
    }
}
END_TEST

/* A batch shared by threads: every output placed once, its report whole
 * when the batch says it is placed. */
typedef struct placed_log {
    int placed;
    int bad_reports;
} placed_log;

static void on_placed(void *user, const char *output, void *tag, dk_status st,
                      const char *error)
{
    (void)output, (void)error;
    placed_log *log = user;
    dk_report *rep = tag;
    log->placed += st == DK_E_OK;
    /* reading what the converting thread wrote: complete, no race */
    log->bad_reports += strcmp(rep->reader, "text") != 0 || strlen(rep->sha256) != 64;
}

typedef struct batch_job {
    dk_registry *reg;
    dk_batch *batch;
    const char *dir;
    int id;
    dk_report reports[MAX_FILES];
    int failures;
} batch_job;

static void *batch_worker(void *arg)
{
    batch_job *j = arg;
    dk_options *o = dk_options_new();
    dk_options_set_to(o, "xml");
    for (size_t i = (size_t)j->id; i < n_inputs; i += 2) {
        char out[600];
        snprintf(out, sizeof out, "%s/%zu.xml", j->dir, i);
        j->failures += dk_batch_convert(j->batch, j->reg, o, inputs[i].path, out,
                                        &j->reports[i], &j->reports[i]) != DK_E_OK;
    }
    dk_options_free(o);
    return NULL;
}

START_TEST(a_batch_shared_by_threads)
{
    n_inputs = 0;
    add_dir(FIXTURES "/structure", ".txt");
    char *dir = temp_dir();
    const char *dirs[] = {PLUGIN_DIR, NULL};
    dk_registry *reg = dk_registry_open(dirs, DK_REGISTRY_NO_ENV | DK_REGISTRY_NO_DEFAULTS,
                                        NULL, NULL);
    placed_log log = {0};
    dk_batch *batch = dk_batch_new(3, on_placed, &log);
    static batch_job jobs[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        jobs[i] = (batch_job){.reg = reg, .batch = batch, .dir = dir, .id = i};
        ck_assert_int_eq(pthread_create(&t[i], NULL, batch_worker, &jobs[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(jobs[i].failures, 0);
    }
    ck_assert_int_ge(dk_batch_flush(batch), 0);
    ck_assert_int_eq(log.placed, (int)n_inputs);
    ck_assert_int_eq(log.bad_reports, 0);
    ck_assert_int_eq(dir_entries(dir), (int)n_inputs);
    dk_batch_free(batch);
    dk_registry_close(reg);
    for (size_t i = 0; i < n_inputs; i++) {
        free(inputs[i].path);
        free(inputs[i].data);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/*
 * Nodes made by one thread and freed by another, by threads that end with
 * nodes on their free lists (which other threads then use), at once: every
 * tree still holds exactly what was put in it. Under ThreadSanitizer this
 * also checks the node slabs' shared parts for races.
 */
#define TREES 48
#define PARAS 300

typedef struct forest {
    dk_node *tree[TREES];
    int seed;
} forest;

static dk_node *grow(int seed, int t)
{
    dk_node *doc = dk_document_new(NULL);
    ck_assert_ptr_nonnull(doc);
    dk_node *body = dk_document_body(doc);
    for (int i = 0; i < PARAS; i++) {
        char text[64];
        snprintf(text, sizeof text, "tree %d.%d paragraph %d", seed, t, i);
        dk_node *p = dk_node_add_with_text(body, DK_P, text);
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(dk_node_set_attr_int(p, DK_ATTR_OFFSET, i), 0);
    }
    return doc;
}

static int intact(dk_node *doc, int seed, int t)
{
    int i = 0, bad = 0;
    for (dk_node *p = dk_node_first(dk_document_body(doc)); p; p = dk_node_next(p), i++) {
        char want[64], off[16];
        snprintf(want, sizeof want, "tree %d.%d paragraph %d", seed, t, i);
        snprintf(off, sizeof off, "%d", i);
        const char *text = dk_node_text(dk_node_first(p), NULL);
        const char *o = dk_node_attr(p, DK_ATTR_OFFSET);
        bad += dk_node_type(p) != DK_P || !text || strcmp(text, want) || !o ||
               strcmp(o, off);
    }
    return bad + (i != PARAS);
}

static void *plant(void *arg)
{
    forest *f = arg;
    for (int t = 0; t < TREES; t++)
        f->tree[t] = grow(f->seed, t);
    return NULL;
}

/* Check and free another thread's trees, then grow and free some here. */
static void *fell(void *arg)
{
    forest *f = arg;
    long bad = 0;
    for (int t = 0; t < TREES; t++) {
        bad += intact(f->tree[t], f->seed, t);
        dk_node_free(f->tree[t]);
        f->tree[t] = NULL;
        dk_node *mine = grow(f->seed + 100, t);
        bad += intact(mine, f->seed + 100, t);
        dk_node_free(mine);
    }
    return (void *)bad;
}

START_TEST(nodes_cross_threads)
{
    forest f[THREADS];
    pthread_t t[THREADS];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < THREADS; i++) {
            f[i].seed = round * THREADS + i;
            ck_assert_int_eq(pthread_create(&t[i], NULL, plant, &f[i]), 0);
        }
        for (int i = 0; i < THREADS; i++)
            pthread_join(t[i], NULL);
        /* thread i fells what thread i + 1 planted */
        forest g[THREADS];
        for (int i = 0; i < THREADS; i++) {
            g[i] = f[(i + 1) % THREADS];
            ck_assert_int_eq(pthread_create(&t[i], NULL, fell, &g[i]), 0);
        }
        for (int i = 0; i < THREADS; i++) {
            void *bad;
            pthread_join(t[i], &bad);
            ck_assert_msg(bad == NULL, "round %d: %ld nodes not as made", round,
                          (long)bad);
        }
    }
    /* and this thread, after all that */
    dk_node *doc = grow(999, 0);
    ck_assert_int_eq(intact(doc, 999, 0), 0);
    dk_node_free(doc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, parallel_conversions_match_sequential_ones);
    tcase_add_test(tc, a_batch_shared_by_threads);
    tcase_add_test(tc, nodes_cross_threads);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
