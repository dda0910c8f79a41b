/* rt_threads.h - a fixed pool of K-1 worker threads plus the caller, for
 * data-parallel loops over neurons and synapses. Work is split statically
 * into K contiguous ranges, so which thread touches which element depends
 * only on (n, K): results are reproducible and false sharing is bounded.
 * K = 1 starts no thread and runs everything inline on the caller. */
#ifndef BR_RT_THREADS_H
#define BR_RT_THREADS_H

#include "rt_alloc.h"
#include "rt_error.h"

#include <stddef.h>

/* Partition boundaries fall on multiples of this many elements, so with
 * 4-byte (or 8-byte) state arrays aligned to RT_ALIGN, two threads never
 * write the same cache line of a state array. */
#define RT_PARTITION_GRAIN 16

/* A sanity bound that catches garbage thread counts; far above any
 * machine this runtime targets. */
#define RT_MAX_THREADS 1024

typedef struct RtPool RtPool;

/* Body of an SPMD task: called once on each of the nparts threads. */
typedef void (*RtTaskFn)(void *ctx, unsigned part, unsigned nparts);

/* Body of a parallel loop: handles indices [begin, end) as part `part`. */
typedef void (*RtRangeFn)(void *ctx, size_t begin, size_t end, unsigned part);

/* A pool of nthreads participants (the caller included), 1..RT_MAX_THREADS.
 * On failure nothing is left allocated or running. */
RtStatus rt_pool_create(RtAllocator *alloc, unsigned nthreads, RtPool **out, RtError *err);

/* Stops and joins the workers, frees the pool. NULL is ignored. */
void rt_pool_destroy(RtPool *pool);

/* K, the number of participants. */
unsigned rt_pool_threads(const RtPool *pool);

/* Runs fn(ctx, part, K) on every participant (part 0 on the caller) and
 * returns when all have finished. Not reentrant: fn must not call
 * rt_pool_run or rt_parallel_for on the same pool. */
void rt_pool_run(RtPool *pool, RtTaskFn fn, void *ctx);

/* Inside an rt_pool_run task: waits until every participant has reached
 * this barrier; writes before it are visible to all after it. Every
 * participant must call it the same number of times. */
void rt_pool_barrier(RtPool *pool);

/* Calls fn once per part p in 0..K-1 with the range rt_partition(n, K, p)
 * (possibly empty) and returns when all are done. */
void rt_parallel_for(RtPool *pool, size_t n, RtRangeFn fn, void *ctx);

/* The static split: part p of nparts gets [*begin, *end). The ranges are
 * contiguous, in part order, cover [0, n) exactly once, start on multiples
 * of RT_PARTITION_GRAIN and differ in length by at most one grain. */
void rt_partition(size_t n, unsigned nparts, unsigned part, size_t *begin, size_t *end);

/* Online processors, at least 1: a default for K. */
unsigned rt_threads_available(void);

#endif /* BR_RT_THREADS_H */
