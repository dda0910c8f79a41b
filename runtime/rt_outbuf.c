/* rt_outbuf.c - checked, buffered file output; see rt_outbuf.h. */
#include "rt_outbuf.h"

#include <errno.h>

RtStatus rt_outbuf_failure(const RtOutBuf *b, RtError *err)
{
    if (err && b->failure.status != RT_OK)
        *err = b->failure;
    return b->failure.status;
}

/* Records the first failure and reports it. */
static RtStatus fail(RtOutBuf *b, RtError *err, const char *what, int errnum)
{
    if (b->failure.status == RT_OK)
        rt_error_set(&b->failure, RT_ERR_IO, "cannot %s '%s': %s", what, b->path,
                     errnum ? strerror(errnum) : "unknown error");
    return rt_outbuf_failure(b, err);
}

RtStatus rt_outbuf_open(RtOutBuf *b, RtAllocator *alloc, const char *path, size_t capacity,
                        RtError *err)
{
    memset(b, 0, sizeof *b);
    b->alloc = alloc;
    b->capacity = capacity;
    size_t path_len = strlen(path);
    b->path = rt_alloc(alloc, path_len + 1);
    b->data = rt_alloc(alloc, capacity);
    if (!b->path || !b->data) {
        rt_free(alloc, b->path);
        rt_free(alloc, b->data);
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory for the output buffer of '%s'",
                            path);
    }
    memcpy(b->path, path, path_len + 1);
    errno = 0;
    b->file = fopen(path, "wb");
    if (!b->file) {
        RtStatus st = rt_error_set(err, RT_ERR_IO, "cannot open '%s' for writing: %s", path,
                                   errno ? strerror(errno) : "unknown error");
        rt_free(alloc, b->path);
        rt_free(alloc, b->data);
        return st;
    }
    setvbuf(b->file, NULL, _IONBF, 0);
    return RT_OK;
}

RtStatus rt_outbuf_flush(RtOutBuf *b, RtError *err)
{
    if (b->failure.status != RT_OK)
        return rt_outbuf_failure(b, err);
    if (b->len == 0)
        return RT_OK;
    errno = 0;
    size_t written = fwrite(b->data, 1, b->len, b->file);
    if (written != b->len)
        return fail(b, err, "write to", errno);
    b->len = 0;
    return RT_OK;
}

RtStatus rt_outbuf_write(RtOutBuf *b, const void *bytes, size_t n, RtError *err)
{
    const char *p = bytes;
    while (n > 0) {
        size_t piece = n < b->capacity ? n : b->capacity;
        char *dst = rt_outbuf_reserve(b, piece, err);
        if (!dst)
            return rt_outbuf_failure(b, err);
        memcpy(dst, p, piece);
        rt_outbuf_commit(b, piece);
        p += piece;
        n -= piece;
    }
    return RT_OK;
}

RtStatus rt_outbuf_close(RtOutBuf *b, RtError *err)
{
    rt_outbuf_flush(b, NULL);
    errno = 0;
    if (fclose(b->file) != 0)
        fail(b, NULL, "close", errno);
    b->file = NULL;
    rt_free(b->alloc, b->data);
    b->data = NULL;
    RtStatus st = rt_outbuf_failure(b, err);
    rt_free(b->alloc, b->path);
    b->path = NULL;
    return st;
}
