/*
 * Zip packages with libzip: writing a DOCX to memory (the sink, not a
 * file, receives it) with fixed times, modes and order, so that the same
 * parts give the same bytes; and reading the parts of a reference
 * document, with a limit on what one part may expand to.
 */
#include "docxp.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* No part of a reference document docket reads is anywhere near this; a
 * larger one is a zip bomb or not a document. */
#define MAX_PART (64u << 20)

/* The DOS time of every entry: midnight of date, 1980-01-01 without one. */
static void dos_time(const char *date, zip_uint16_t *time, zip_uint16_t *day)
{
    int y = 1980, m = 1, d = 1;
    if (date && strlen(date) == 10 && date[4] == '-' && date[7] == '-') {
        int yy = atoi(date), mm = atoi(date + 5), dd = atoi(date + 8);
        /* what a DOS date can hold */
        if (yy >= 1980 && yy <= 2107 && mm >= 1 && mm <= 12 && dd >= 1 &&
            dd <= 31)
            y = yy, m = mm, d = dd;
    }
    *time = 0;
    *day = (zip_uint16_t)(((y - 1980) << 9) | (m << 5) | d);
}

static int zip_fail(dk_ctx *ctx, zip_error_t *e)
{
    return dk_ctx_fail(ctx, DK_E_INTERNAL, "cannot write the DOCX package: %s",
                       zip_error_strerror(e));
}

int docx_zip_write(dk_ctx *ctx, const docx_part *parts, size_t n,
                   const char *date, dk_sink *out)
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &err);
    zip_t *za = NULL;
    char *bytes = NULL;
    int r = -1;
    if (!mem) {
        zip_fail(ctx, &err);
        goto cleanup;
    }
    za = zip_open_from_source(mem, ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!za) {
        zip_fail(ctx, &err);
        goto cleanup;
    }
    /* the archive, once closed, is read back from mem */
    zip_source_keep(mem);
    zip_uint16_t time, day;
    dos_time(date, &time, &day);
    for (size_t i = 0; i < n; i++) {
        /* the parts outlive the archive: libzip must not free them */
        zip_source_t *s = zip_source_buffer(za, parts[i].data, parts[i].len, 0);
        zip_int64_t idx = s ? zip_file_add(za, parts[i].name, s,
                                           ZIP_FL_ENC_UTF_8)
                            : -1;
        if (idx < 0) {
            zip_source_free(s);
            zip_fail(ctx, zip_get_error(za));
            goto cleanup;
        }
        zip_uint64_t k = (zip_uint64_t)idx;
        if (zip_file_set_dostime(za, k, time, day, 0) < 0 ||
            zip_set_file_compression(za, k, ZIP_CM_DEFLATE, 9) < 0 ||
            zip_file_set_external_attributes(za, k, 0, ZIP_OPSYS_UNIX,
                                             0100644u << 16) < 0) {
            zip_fail(ctx, zip_get_error(za));
            goto cleanup;
        }
    }
    if (zip_close(za) < 0) {
        zip_fail(ctx, zip_get_error(za));
        goto cleanup;
    }
    za = NULL;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(mem, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) ||
        zip_source_open(mem) < 0) {
        zip_fail(ctx, zip_source_error(mem));
        goto cleanup;
    }
    bytes = malloc(st.size ? st.size : 1);
    zip_int64_t got = bytes ? zip_source_read(mem, bytes, st.size) : -1;
    zip_source_close(mem);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        if (!bytes)
            dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        else
            zip_fail(ctx, zip_source_error(mem));
        goto cleanup;
    }
    r = dk_sink_write(out, bytes, st.size);
cleanup:
    if (za)
        zip_discard(za);
    zip_source_free(mem);
    zip_error_fini(&err);
    free(bytes);
    return r;
}

struct docx_zip {
    dk_ctx *ctx;
    const char *path;
    zip_t *za;
};

docx_zip *docx_zip_open(dk_ctx *ctx, const char *path)
{
    docx_zip *z = calloc(1, sizeof *z);
    if (!z) {
        dk_ctx_fail(ctx, DK_E_NOMEM, "out of memory");
        return NULL;
    }
    int code = 0;
    z->ctx = ctx;
    z->path = path;
    z->za = zip_open(path, ZIP_RDONLY, &code);
    if (!z->za) {
        zip_error_t err;
        zip_error_init_with_code(&err, code);
        dk_ctx_fail(ctx, code == ZIP_ER_NOENT || code == ZIP_ER_OPEN
                             ? DK_E_IO : DK_E_FORMAT,
                    "cannot read reference document %s: %s", path,
                    zip_error_strerror(&err));
        zip_error_fini(&err);
        free(z);
        return NULL;
    }
    return z;
}

int docx_zip_read(docx_zip *z, const char *name, dk_buf *out)
{
    /* part names are case-insensitive (OPC) */
    zip_int64_t idx = zip_name_locate(z->za, name, ZIP_FL_NOCASE);
    if (idx < 0)
        return 0;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z->za, (zip_uint64_t)idx, 0, &st) < 0 ||
        !(st.valid & ZIP_STAT_SIZE))
        goto unreadable;
    if (st.size > MAX_PART)
        return dk_ctx_fail(z->ctx, DK_E_LIMIT, "reference document %s: %s "
                           "is larger than %u MiB", z->path, name,
                           MAX_PART >> 20);
    zip_file_t *f = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
    if (!f)
        goto unreadable;
    size_t size = (size_t)st.size;
    if (dk_buf_reserve(out, size + 1) < 0) {
        zip_fclose(f);
        return dk_ctx_fail(z->ctx, DK_E_NOMEM, "out of memory");
    }
    zip_int64_t got = zip_fread(f, out->data + out->len, size);
    zip_fclose(f);
    if (got < 0 || (size_t)got != size)
        goto unreadable;
    out->len += size;
    out->data[out->len] = '\0';
    return 1;
unreadable:
    return dk_ctx_fail(z->ctx, DK_E_FORMAT, "reference document %s: cannot "
                       "read %s: %s", z->path, name,
                       zip_strerror(z->za));
}

void docx_zip_close(docx_zip *z)
{
    if (!z)
        return;
    zip_discard(z->za);
    free(z);
}
