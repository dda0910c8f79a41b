/* rt_error.h - status codes and error messages for the brainrt runtime.
 * Runtime code never prints and never exits: a failing call returns an
 * RtStatus and, when given an RtError, leaves a one-line message in it. */
#ifndef BR_RT_ERROR_H
#define BR_RT_ERROR_H

typedef enum RtStatus {
    RT_OK = 0,
    RT_ERR_NOMEM,  /* allocation failed or a size overflowed */
    RT_ERR_IO,     /* open, write, flush or close failed */
    RT_ERR_ARG,    /* an argument outside its documented range */
    RT_ERR_FORMAT, /* a file that is not what it claims to be */
    RT_ERR_THREAD  /* a thread could not be created */
} RtStatus;

/* Long enough for "cannot open '<path>' for writing: <strerror>" with a
 * path of a few hundred bytes; longer messages are cut, never overrun. */
#define RT_ERROR_MSG_SIZE 512

typedef struct RtError {
    RtStatus status;
    char msg[RT_ERROR_MSG_SIZE];
} RtError;

/* Records status and a printf-style message in err (which may be NULL)
 * and returns status, so callers can write `return rt_error_set(...)`. */
RtStatus rt_error_set(RtError *err, RtStatus status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Resets err to RT_OK with an empty message. */
void rt_error_clear(RtError *err);

/* "ok", "out of memory", ... for a status code. */
const char *rt_status_name(RtStatus status);

#endif /* BR_RT_ERROR_H */
