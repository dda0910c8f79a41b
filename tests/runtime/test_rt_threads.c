/* test_rt_threads.c - the worker pool: rt_parallel_for covers every index
 * exactly once, in the static partition, for K = 1..8 and n = 0..1000;
 * the barrier orders phases; K = 1 runs on the caller; creation failures
 * clean up. Build with -fsanitize=thread too (see docs/runtime-api.md). */
#include "rt_test.h"

#include "rt_threads.h"

#include <pthread.h>
#include <stdatomic.h>

#define MAX_N 1000
#define MAX_K 8

typedef struct Coverage {
    atomic_int hits[MAX_N];
    atomic_int owner[MAX_N]; /* part that handled each index */
    atomic_int calls[MAX_K];
    atomic_int bad_part;
} Coverage;

static void cover_range(void *ctx, size_t begin, size_t end, unsigned part)
{
    Coverage *c = ctx;
    if (part >= MAX_K) {
        atomic_fetch_add(&c->bad_part, 1);
        return;
    }
    atomic_fetch_add(&c->calls[part], 1);
    for (size_t i = begin; i < end; i++) {
        atomic_fetch_add(&c->hits[i], 1);
        atomic_store(&c->owner[i], (int)part);
    }
}

/* Each index once, by the part rt_partition assigns, each part called once. */
static int check_coverage(Coverage *c, size_t n, unsigned k)
{
    int bad = atomic_load(&c->bad_part);
    for (unsigned p = 0; p < k; p++) {
        size_t begin, end;
        rt_partition(n, k, p, &begin, &end);
        bad += atomic_load(&c->calls[p]) != 1;
        for (size_t i = begin; i < end; i++)
            bad += atomic_load(&c->owner[i]) != (int)p;
    }
    for (size_t i = 0; i < n; i++)
        bad += atomic_load(&c->hits[i]) != 1;
    return bad;
}

static void test_parallel_for_coverage(void)
{
    static Coverage c;
    RtAllocator a;
    rt_allocator_init(&a);
    for (unsigned k = 1; k <= MAX_K; k++) {
        RtPool *pool;
        RtError err;
        if (rt_pool_create(&a, k, &pool, &err) != RT_OK) {
            CHECK(0, "pool of %u: %s", k, err.msg);
            continue;
        }
        CHECK(rt_pool_threads(pool) == k, "pool size");
        int bad = 0;
        for (size_t n = 0; n <= MAX_N; n++) {
            memset(&c, 0, sizeof c);
            rt_parallel_for(pool, n, cover_range, &c);
            bad += check_coverage(&c, n, k);
        }
        CHECK(bad == 0, "K=%u: %d coverage errors over n=0..%d", k, bad, MAX_N);
        rt_pool_destroy(pool);
    }
    CHECK(a.live_blocks == 0, "leak: %zu blocks", a.live_blocks);
}

/* Contiguous, ordered, grain-aligned, balanced within one grain. */
static void test_partition_shape(void)
{
    int bad = 0;
    static const size_t sizes[] = { 0, 1, 15, 16, 17, 100, 1000, 4097, 1000003 };
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        for (unsigned k = 1; k <= 64; k++) {
            size_t expect = 0, shortest = SIZE_MAX, longest = 0;
            for (unsigned p = 0; p < k; p++) {
                size_t begin, end;
                rt_partition(n, k, p, &begin, &end);
                bad += begin != expect || end < begin || (begin % RT_PARTITION_GRAIN && begin != n);
                size_t len = end - begin;
                shortest = len < shortest ? len : shortest;
                longest = len > longest ? len : longest;
                expect = end;
            }
            bad += expect != n || longest - shortest > RT_PARTITION_GRAIN;
        }
    }
    size_t begin, end;
    rt_partition(SIZE_MAX, 3, 2, &begin, &end);
    bad += end != SIZE_MAX || begin >= end;
    CHECK(bad == 0, "%d partition shape errors", bad);
}

/* Phase 1 writes slot[part]; after the barrier every part reads all
 * slots. A missing or leaky barrier shows up as a stale value. */
typedef struct Phases {
    atomic_int slot[MAX_K];
    atomic_int stale;
    int rounds;
} Phases;

typedef struct BarrierCtx {
    RtPool *pool;
    Phases ph;
} BarrierCtx;

static void barrier_task(void *ctx, unsigned part, unsigned nparts)
{
    BarrierCtx *b = ctx;
    for (int r = 1; r <= b->ph.rounds; r++) {
        atomic_store(&b->ph.slot[part], r);
        rt_pool_barrier(b->pool);
        for (unsigned q = 0; q < nparts; q++)
            if (atomic_load(&b->ph.slot[q]) != r)
                atomic_fetch_add(&b->ph.stale, 1);
        rt_pool_barrier(b->pool);
    }
}

static void test_barrier(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    for (unsigned k = 1; k <= MAX_K; k++) {
        static BarrierCtx b;
        memset(&b, 0, sizeof b);
        b.ph.rounds = 200;
        if (rt_pool_create(&a, k, &b.pool, NULL) != RT_OK) {
            CHECK(0, "pool of %u", k);
            continue;
        }
        rt_pool_run(b.pool, barrier_task, &b);
        rt_pool_run(b.pool, barrier_task, &b); /* the pool is reusable */
        CHECK(atomic_load(&b.ph.stale) == 0, "K=%u: %d stale reads across the barrier", k,
              atomic_load(&b.ph.stale));
        rt_pool_destroy(b.pool);
    }
    CHECK(a.live_blocks == 0, "leak: %zu blocks", a.live_blocks);
}

typedef struct WhoRan {
    pthread_t caller;
    int on_caller;
    int calls;
} WhoRan;

static void record_thread(void *ctx, size_t begin, size_t end, unsigned part)
{
    WhoRan *w = ctx;
    w->calls++;
    w->on_caller += pthread_equal(pthread_self(), w->caller) && part == 0 && begin == 0 &&
                    end == 37;
}

static void test_single_thread_inline(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    RtPool *pool;
    CHECK(rt_pool_create(&a, 1, &pool, NULL) == RT_OK, "pool of 1");
    WhoRan w = { pthread_self(), 0, 0 };
    rt_parallel_for(pool, 37, record_thread, &w);
    CHECK(w.calls == 1 && w.on_caller == 1, "K=1 runs inline on the caller, one call");
    CHECK(a.live_blocks == 1, "K=1 allocates only the pool (%zu blocks)", a.live_blocks);
    rt_pool_destroy(pool);
    CHECK(a.live_blocks == 0, "leak: %zu blocks", a.live_blocks);
}

/* Many short jobs back to back: the hand-off path under stress. */
static void add_range(void *ctx, size_t begin, size_t end, unsigned part)
{
    (void)part;
    atomic_long *sum = ctx;
    long s = 0;
    for (size_t i = begin; i < end; i++)
        s += (long)i;
    atomic_fetch_add(sum, s);
}

static void test_many_jobs(void)
{
    RtPool *pool;
    CHECK(rt_pool_create(NULL, 4, &pool, NULL) == RT_OK, "pool of 4");
    int bad = 0;
    for (int j = 0; j < 5000; j++) {
        atomic_long sum = 0;
        size_t n = (size_t)(j % 97);
        rt_parallel_for(pool, n, add_range, &sum);
        bad += atomic_load(&sum) != (long)(n ? n * (n - 1) / 2 : 0);
    }
    CHECK(bad == 0, "%d jobs summed wrongly", bad);
    rt_pool_destroy(pool);
}

static void test_create_errors(void)
{
    RtPool *pool = (RtPool *)1;
    RtError err;
    CHECK(rt_pool_create(NULL, 0, &pool, &err) == RT_ERR_ARG && !pool, "K=0 refused");
    CHECK(strstr(err.msg, "thread count") != NULL, "message: %s", err.msg);
    CHECK(rt_pool_create(NULL, RT_MAX_THREADS + 1, &pool, &err) == RT_ERR_ARG, "K too big");
    int wrong = 0, leaks = 0;
    for (uint64_t nth = 1; nth <= 4; nth++) {
        RtAllocator a;
        rt_allocator_init(&a);
        rt_allocator_fail_nth(&a, nth, false);
        RtStatus st = rt_pool_create(&a, 3, &pool, &err);
        if (st == RT_OK)
            rt_pool_destroy(pool);
        else
            wrong += st != RT_ERR_NOMEM || pool != NULL;
        leaks += a.live_blocks != 0;
    }
    CHECK(wrong == 0 && leaks == 0, "allocation failures: %d wrong, %d leaked", wrong, leaks);
    CHECK(rt_threads_available() >= 1, "at least one processor");
    rt_pool_destroy(NULL);
}

int main(void)
{
    test_partition_shape();
    test_parallel_for_coverage();
    test_barrier();
    test_single_thread_inline();
    test_many_jobs();
    test_create_errors();
    return rt_test_report();
}
