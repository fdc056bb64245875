/*
 * A transform plugin built as another docket would have built it: the ABI
 * version and descriptor size come from the compiler's command line
 * (ABI_MAJOR, ABI_MINOR, and OLD_LAYOUT for a descriptor laid out as ABI
 * 1.0 laid it out, without the fields 1.1 added; SIZE overrides the size
 * it claims). The transform adds a paragraph, so a test sees it ran.
 * With PROBE_SCORE it is instead a reader of format "probed" whose probe
 * gives that score to anything (two of them tie), and with GIVE_BACK one
 * that gives the whole input back (dk_ctx_input_done) and then reads its
 * first byte; with CONSTRUCTOR, loading
 * it creates the file $DOCKET_TEST_MARKER names; with WARN_TIMES, the
 * transform gives the same warning that many times; with SIGNAL_AT, its
 * SIGNAL_AT-th call sends the process SIGINT; with NEST, it puts its
 * paragraph NEST quotes deep; with MISSING, it calls a function that no
 * library defines. With WRITE_THEN it is a
 * writer (format: its name) that writes WRITE_KIB KiB of "x" (256 unless
 * told) and then fails (WRITE_THEN=0), takes signal WRITE_THEN, or
 * succeeds (WRITE_THEN=-1).
 */
#include <docket/plugin.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef CONSTRUCTOR
__attribute__((constructor)) static void loaded(void)
{
    const char *m = getenv("DOCKET_TEST_MARKER");
    int fd = m ? open(m, O_WRONLY | O_CREAT, 0600) : -1;
    if (fd >= 0)
        close(fd);
}
#endif

#ifdef WRITE_THEN
#include <signal.h>
#include <string.h>
#ifndef WRITE_KIB
#define WRITE_KIB 256 /* past the sink's 64 KiB: in the file */
#endif
static int write_then(dk_ctx *ctx, const dk_node *doc, dk_sink *out)
{
    (void)doc;
    char block[1024];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < WRITE_KIB; i++)
        if (dk_sink_write(out, block, sizeof block) < 0)
            return -1;
#if WRITE_THEN == 0
    return dk_ctx_fail(ctx, DK_E_INTERNAL, "failed half way, on purpose");
#elif WRITE_THEN == -1
    (void)ctx;
    return 0;
#else
    (void)ctx;
    raise(WRITE_THEN);
    return 0;
#endif
}
#endif

#ifdef PROBE_SCORE
static int probe(const dk_probe *p)
{
    (void)p;
    return PROBE_SCORE;
}

static int read_any(dk_ctx *ctx, const unsigned char *data, size_t size,
                    dk_node **out)
{
    (void)ctx, (void)data, (void)size;
#ifdef GIVE_BACK
    dk_ctx_input_done(ctx, data + size);
    if (*(const volatile unsigned char *)data == 0)
        return dk_ctx_fail(ctx, DK_E_FORMAT, "read a NUL where the input was");
#endif
    *out = dk_document_new(NULL);
    return *out ? 0 : -1;
}
#endif

#ifdef SIGNAL_AT
#include <signal.h>
#include <stdatomic.h>
static atomic_int calls;
#endif

#ifdef MISSING
void docket_test_missing(void);
#endif

#if !defined(PROBE_SCORE) && !defined(WRITE_THEN)
static int mark(dk_ctx *ctx, dk_node *doc)
{
#ifdef MISSING
    docket_test_missing();
#endif
#ifdef SIGNAL_AT
    if (atomic_fetch_add(&calls, 1) + 1 == SIGNAL_AT)
        raise(SIGINT); /* as if the user pressed ^C right now (this thread
                        * takes it, so the moment is known) */
#endif
#ifdef WARN_TIMES
    for (int i = 0; i < WARN_TIMES; i++)
        dk_ctx_warn(ctx, "the same thing again");
#else
    (void)ctx;
#endif
    dk_node *into = dk_document_body(doc);
#ifdef NEST
    for (int i = 0; i < NEST && into; i++)
        into = dk_node_add(into, DK_QUOTE);
#endif
    return dk_node_add_with_text(into, DK_P, "abi plugin ran") ? 0 : -1;
}
#endif

#ifdef OLD_LAYOUT
/* ABI 1.0's descriptor: what dk_plugin was before init, deinit, options */
struct descriptor_1_0 {
    uint32_t abi_major, abi_minor, size, kinds;
    const char *name, *version, *description, *format;
    const char *const *extensions;
    const dk_magic *magic;
    int (*probe)(const dk_probe *probe);
    int (*read)(dk_ctx *, const unsigned char *, size_t, dk_node **);
    int (*transform)(dk_ctx *ctx, dk_node *doc);
    int (*write)(dk_ctx *, const dk_node *, dk_sink *);
    int (*validate)(dk_ctx *, const unsigned char *, size_t);
};
#define DESCRIPTOR struct descriptor_1_0
#else
#define DESCRIPTOR dk_plugin
#endif

#ifndef SIZE
#define SIZE sizeof(DESCRIPTOR)
#endif

DK_EXPORT extern const DESCRIPTOR docket_plugin;
const DESCRIPTOR docket_plugin = {
    .abi_major = ABI_MAJOR,
    .abi_minor = ABI_MINOR,
    .size = SIZE,
    .name = PLUGIN_NAME,
    .version = "1.0",
    .description = "a plugin of another ABI version",
#ifdef PROBE_SCORE
    .kinds = DK_KIND_READER,
    .format = "probed",
    .probe = probe,
    .read = read_any,
#elif defined(WRITE_THEN)
    .kinds = DK_KIND_WRITER,
    .format = PLUGIN_NAME,
    .write = write_then,
#else
    .kinds = DK_KIND_TRANSFORM,
    .transform = mark,
#endif
};
