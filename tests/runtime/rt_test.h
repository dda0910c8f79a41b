/* rt_test.h - the little harness shared by the runtime unit tests: CHECK,
 * the "N passed, M failed" summary, a test-only PRNG (independent of the
 * Philox code under test) and temporary directories. */
#ifndef BR_RT_TEST_H
#define BR_RT_TEST_H

#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"

static inline int rt_test_report(void)
{
    return check_report(NULL);
}

/* SplitMix64: reference data for the tests, never the runtime's RNG. */
typedef struct TestRng {
    uint64_t state;
} TestRng;

static inline uint64_t test_rng_u64(TestRng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (the modulo bias is irrelevant here). */
static inline uint32_t test_rng_below(TestRng *r, uint32_t n)
{
    return (uint32_t)(test_rng_u64(r) % n);
}

/* A fresh directory under $TMPDIR (or /tmp) in buf; NULL on failure. */
static inline char *test_tmpdir(char *buf, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, size, "%s/brainrt_test_XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(buf);
}

/* The whole file as a NUL-terminated malloc'd string (NULL on failure). */
static inline char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *grown = realloc(buf, cap * 2);
            if (!grown)
                free(buf);
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

#endif /* BR_RT_TEST_H */
