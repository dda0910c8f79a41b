/* rt_error.c - filling RtError values; see rt_error.h. */
#include "rt_error.h"

#include <stdarg.h>
#include <stdio.h>

RtStatus rt_error_set(RtError *err, RtStatus status, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return status;
}

void rt_error_clear(RtError *err)
{
    if (!err)
        return;
    err->status = RT_OK;
    err->msg[0] = '\0';
}

const char *rt_status_name(RtStatus status)
{
    switch (status) {
    case RT_OK: return "ok";
    case RT_ERR_NOMEM: return "out of memory";
    case RT_ERR_IO: return "input/output error";
    case RT_ERR_ARG: return "invalid argument";
    case RT_ERR_FORMAT: return "bad file format";
    case RT_ERR_THREAD: return "thread error";
    }
    return "unknown error";
}
