/* nir_thread.c - a minimal parallel-for for elaboration. Work is split
 * into contiguous ranges, one per thread; every random draw is keyed by the
 * element it is for (not by a thread or a position in a sequence), so the
 * result is the same for any number of threads, which tests check. */
#include "nir_internal.h"
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* More threads than this buy nothing for a compiler's instantiation. */
#define NIR_MAX_THREADS 64

int nir_thread_count(const NirOptions *opt)
{
    int n = opt ? opt->threads : 0;
    if (n <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus > 0 ? (int)cpus : 1;
    }
    return n > NIR_MAX_THREADS ? NIR_MAX_THREADS : n;
}

typedef struct Task {
    NirRangeFn fn;
    void *ctx;
    uint64_t first, last;
    int part, rc;
} Task;

static void *run_task(void *arg)
{
    Task *t = arg;
    t->rc = t->fn(t->ctx, t->part, t->first, t->last);
    return NULL;
}

int nir_parallel_for(int threads, uint64_t n, uint64_t min_per_thread, NirRangeFn fn, void *ctx)
{
    uint64_t parts = (uint64_t)threads;
    if (min_per_thread && n / min_per_thread < parts)
        parts = n / min_per_thread;
    if (parts < 1)
        parts = 1;
    if (parts == 1)
        return fn(ctx, 0, 0, n);
    Task tasks[NIR_MAX_THREADS];
    pthread_t ids[NIR_MAX_THREADS];
    int started[NIR_MAX_THREADS] = {0};
    for (uint64_t p = 0; p < parts; p++)
        tasks[p] = (Task){fn, ctx, n * p / parts, n * (p + 1) / parts, (int)p, 0};
    for (uint64_t p = 1; p < parts; p++)
        started[p] = pthread_create(&ids[p], NULL, run_task, &tasks[p]) == 0;
    run_task(&tasks[0]);
    int rc = tasks[0].rc;
    for (uint64_t p = 1; p < parts; p++) {
        if (started[p])
            pthread_join(ids[p], NULL);
        else
            run_task(&tasks[p]); /* no thread to be had: do it here */
        rc |= tasks[p].rc;
    }
    return rc;
}
