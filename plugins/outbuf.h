/*
 * outbuf.h - the output buffer of the writers that stream (json, xml):
 * small pieces gathered in 64 KiB and handed to the sink one block at a
 * time, so that a piece costs a memcpy, not a call into libdocket. Header
 * only; internal to the plugins, not installed.
 */
#ifndef DOCKET_PLUGINS_OUTBUF_H
#define DOCKET_PLUGINS_OUTBUF_H

#include <docket/plugin.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum { OUT_SIZE = 1 << 16 };

typedef struct outbuf {
    dk_sink *sink;
    size_t len;
    bool failed; /* a write to the sink failed: the rest is dropped */
    char buf[OUT_SIZE];
} outbuf;

static inline void out_init(outbuf *o, dk_sink *sink)
{
    o->sink = sink;
    o->len = 0;
    o->failed = false;
}

/* Hand what is gathered to the sink; -1 once a write has failed. */
static inline int out_flush(outbuf *o)
{
    if (!o->failed && o->len && dk_sink_write(o->sink, o->buf, o->len) < 0)
        o->failed = true;
    o->len = 0;
    return o->failed ? -1 : 0;
}

static inline void out_put(outbuf *o, const char *s, size_t len)
{
    while (len > OUT_SIZE - o->len) {
        size_t room = OUT_SIZE - o->len;
        memcpy(o->buf + o->len, s, room);
        o->len += room;
        s += room, len -= room;
        out_flush(o);
    }
    memcpy(o->buf + o->len, s, len);
    o->len += len;
}

static inline void out_str(outbuf *o, const char *s)
{
    out_put(o, s, strlen(s));
}

#define OUT_LIT(o, lit) out_put(o, lit, sizeof(lit) - 1)

/* Eight bytes at a time, for writers that copy runs of text needing no
 * escape whole: does any byte of w lie below n (n <= 128; bytes from 0x80
 * never do), or equal c? Exact: no false answers either way. */
#define OUT_ONES 0x0101010101010101u
#define OUT_HIGHS 0x8080808080808080u

static inline uint64_t out_any_below(uint64_t w, unsigned n)
{
    return (w - OUT_ONES * n) & ~w & OUT_HIGHS;
}

static inline uint64_t out_any_equal(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ (OUT_ONES * c);
    return (x - OUT_ONES) & ~x & OUT_HIGHS;
}

/* The next eight bytes of s from i as one word, if there are eight. */
static inline bool out_word(const char *s, size_t len, size_t i, uint64_t *w)
{
    if (len - i < 8)
        return false;
    memcpy(w, s + i, 8);
    return true;
}

#endif
