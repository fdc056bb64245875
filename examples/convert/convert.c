/*
 * convert: a program that converts a document in-process with libdocket,
 * built outside docket's source tree against an installed docket.
 *
 *     convert FORMAT FILE     the document in FORMAT (xml, json, text, ...)
 *                             on standard output
 */
#include <docket/docket.h>

#include <stdio.h>
#include <stdlib.h>

static void report(void *user, dk_diag_level level, const char *name,
                   const char *message)
{
    (void)user;
    fprintf(stderr, "convert: %s: %s%s\n", name,
            level == DK_DIAG_WARNING ? "warning: " : "", message);
}

/* The whole file, or NULL. */
static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n + 1)) &&
        fread(data, 1, (size_t)n, f) == (size_t)n) {
        *size = (size_t)n;
    } else {
        free(data);
        data = NULL;
    }
    if (f)
        fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: convert FORMAT FILE\n");
        return 2;
    }
    size_t size = 0;
    char *data = slurp(argv[2], &size);
    if (!data) {
        perror(argv[2]);
        return 1;
    }
    /* the installed plugins, found from libdocket's own location */
    dk_registry *reg = dk_registry_open(NULL, 0, report, NULL);
    dk_options *opt = dk_options_new();
    char *out = NULL;
    size_t len = 0;
    int status = 1;
    if (reg && opt && dk_options_set_to(opt, argv[1]) == 0) {
        dk_options_set_diagnostics(opt, report, NULL);
        if (dk_convert_memory(reg, opt, argv[2], data, size, &out, &len) == DK_E_OK &&
            fwrite(out, 1, len, stdout) == len)
            status = 0;
    }
    free(out);
    free(data);
    dk_options_free(opt);
    dk_registry_close(reg);
    return status;
}
