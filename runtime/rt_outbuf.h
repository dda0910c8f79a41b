/* rt_outbuf.h - buffered output to one file with every write checked
 * (internal to the recorders). stdio's own buffering is turned off, so a
 * full disk shows up at the flush that hit it, not at some later fclose.
 * The first failure is kept and returned again by every later call. */
#ifndef BR_RT_OUTBUF_H
#define BR_RT_OUTBUF_H

#include "rt_alloc.h"
#include "rt_error.h"

#include <stdio.h>
#include <string.h>

typedef struct RtOutBuf {
    FILE *file;
    char *path;   /* a copy, for messages */
    char *data;   /* capacity bytes */
    size_t len;
    size_t capacity;
    RtError failure; /* status RT_OK until the first failure */
    RtAllocator *alloc;
} RtOutBuf;

/* Creates (truncates) path for writing. On failure nothing is left open. */
RtStatus rt_outbuf_open(RtOutBuf *b, RtAllocator *alloc, const char *path, size_t capacity,
                        RtError *err);

/* Writes the buffered bytes to the file. */
RtStatus rt_outbuf_flush(RtOutBuf *b, RtError *err);

/* Flushes, closes, frees; returns the first failure seen, if any. */
RtStatus rt_outbuf_close(RtOutBuf *b, RtError *err);

/* Room for n bytes (n <= capacity) at the end of the buffer, flushing
 * first if needed; NULL after a failure. Follow with rt_outbuf_commit. */
static inline char *rt_outbuf_reserve(RtOutBuf *b, size_t n, RtError *err)
{
    if (b->capacity - b->len < n && rt_outbuf_flush(b, err) != RT_OK)
        return NULL;
    return b->data + b->len;
}

static inline void rt_outbuf_commit(RtOutBuf *b, size_t n)
{
    b->len += n;
}

/* Copies n bytes in, in pieces if larger than the buffer. */
RtStatus rt_outbuf_write(RtOutBuf *b, const void *bytes, size_t n, RtError *err);

/* The sticky failure, copied into err. */
RtStatus rt_outbuf_failure(const RtOutBuf *b, RtError *err);

#endif /* BR_RT_OUTBUF_H */
