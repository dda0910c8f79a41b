/* rt_threads.c - the worker pool; see rt_threads.h.
 *
 * Threads wait on generation counters (RtSignal): spin, then yield, then
 * sleep. A job is started by bumping the pool's start signal; one barrier
 * serves both rt_pool_barrier and the end of each job. */
#define _POSIX_C_SOURCE 200809L
#include "rt_threads.h"

#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* A waiter first spins (tens of microseconds: longer than the usual gap
 * between two parallel phases of a tick), then yields its core a few
 * times, then sleeps on the condition variable, costing nothing while
 * idle. With more threads than processors a spinner only delays the
 * threads still working, so such pools spin briefly and yield early. */
#define RT_SPIN_LIMIT 4000
#define RT_SPIN_LIMIT_OVERSUBSCRIBED 64
#define RT_YIELD_LIMIT 64

/* A generation counter that threads can wait on for a change. */
typedef struct RtSignal {
    atomic_uint gen;
    int spin_limit;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
} RtSignal;

/* Counters that some threads spin on and others write sit on separate
 * cache lines, so arrivals do not keep stealing the spinners' line. */
typedef struct RtBarrier {
    unsigned nparts;
    atomic_uint arrived;
    _Alignas(RT_ALIGN) RtSignal release;
} RtBarrier;

typedef struct RtWorker {
    RtPool *pool;
    unsigned part;
} RtWorker;

struct RtPool {
    RtAllocator *alloc;
    unsigned nthreads;
    unsigned started;  /* workers successfully created */
    pthread_t *threads; /* nthreads - 1 workers */
    RtWorker *workers;
    _Alignas(RT_ALIGN) RtSignal start; /* bumped once per job, and once to stop */
    _Alignas(RT_ALIGN) RtBarrier barrier;
    RtTaskFn fn;        /* the current job, written before start is bumped */
    void *ctx;
    bool stopping;
    bool running;       /* touched by the owning thread only */
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static int signal_init(RtSignal *s, int spin_limit)
{
    atomic_init(&s->gen, 0);
    s->spin_limit = spin_limit;
    if (pthread_mutex_init(&s->mutex, NULL) != 0)
        return -1;
    if (pthread_cond_init(&s->cond, NULL) != 0) {
        pthread_mutex_destroy(&s->mutex);
        return -1;
    }
    return 0;
}

static void signal_destroy(RtSignal *s)
{
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mutex);
}

/* The counter changes under the mutex, so a sleeper that saw the old value
 * under the mutex is always woken by the broadcast. */
static void signal_bump(RtSignal *s)
{
    pthread_mutex_lock(&s->mutex);
    atomic_fetch_add_explicit(&s->gen, 1, memory_order_release);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mutex);
}

/* Returns the first generation different from `seen`. */
static unsigned signal_wait(RtSignal *s, unsigned seen)
{
    for (int i = 0; i < s->spin_limit + RT_YIELD_LIMIT; i++) {
        unsigned gen = atomic_load_explicit(&s->gen, memory_order_acquire);
        if (gen != seen)
            return gen;
        if (i < s->spin_limit)
            cpu_relax();
        else
            sched_yield();
    }
    pthread_mutex_lock(&s->mutex);
    unsigned gen;
    while ((gen = atomic_load_explicit(&s->gen, memory_order_acquire)) == seen)
        pthread_cond_wait(&s->cond, &s->mutex);
    pthread_mutex_unlock(&s->mutex);
    return gen;
}

/* The generation is read before arriving: it cannot change until this
 * thread has arrived, so the wait below never misses its own release. */
static void barrier_wait(RtBarrier *b)
{
    unsigned gen = atomic_load_explicit(&b->release.gen, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == b->nparts) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        signal_bump(&b->release);
    } else {
        signal_wait(&b->release, gen);
    }
}

static void *worker_main(void *arg)
{
    RtWorker *w = arg;
    RtPool *pool = w->pool;
    unsigned seen = 0;
    for (;;) {
        seen = signal_wait(&pool->start, seen);
        if (pool->stopping)
            return NULL;
        pool->fn(pool->ctx, w->part, pool->nthreads);
        barrier_wait(&pool->barrier);
    }
}

static void stop_workers(RtPool *pool)
{
    pool->stopping = true;
    signal_bump(&pool->start);
    for (unsigned i = 0; i < pool->started; i++)
        pthread_join(pool->threads[i], NULL);
    pool->started = 0;
}

static void free_pool(RtPool *pool)
{
    rt_free(pool->alloc, pool->threads);
    rt_free(pool->alloc, pool->workers);
    rt_free(pool->alloc, pool);
}

static RtStatus start_workers(RtPool *pool, RtError *err)
{
    int spin = pool->nthreads > rt_threads_available() ? RT_SPIN_LIMIT_OVERSUBSCRIBED
                                                       : RT_SPIN_LIMIT;
    if (signal_init(&pool->start, spin) != 0)
        return rt_error_set(err, RT_ERR_THREAD, "cannot initialise the pool's start signal");
    if (signal_init(&pool->barrier.release, spin) != 0) {
        signal_destroy(&pool->start);
        return rt_error_set(err, RT_ERR_THREAD, "cannot initialise the pool's barrier");
    }
    for (unsigned i = 0; i + 1 < pool->nthreads; i++) {
        pool->workers[i] = (RtWorker){ pool, i + 1 };
        int rc = pthread_create(&pool->threads[i], NULL, worker_main, &pool->workers[i]);
        if (rc != 0) {
            stop_workers(pool);
            signal_destroy(&pool->barrier.release);
            signal_destroy(&pool->start);
            return rt_error_set(err, RT_ERR_THREAD, "cannot start worker thread %u of %u: %s",
                                i + 1, pool->nthreads - 1, strerror(rc));
        }
        pool->started++;
    }
    return RT_OK;
}

RtStatus rt_pool_create(RtAllocator *alloc, unsigned nthreads, RtPool **out, RtError *err)
{
    *out = NULL;
    if (nthreads < 1 || nthreads > RT_MAX_THREADS)
        return rt_error_set(err, RT_ERR_ARG, "thread count %u is outside 1..%d", nthreads,
                            RT_MAX_THREADS);
    RtPool *pool = rt_alloc(alloc, sizeof *pool);
    if (!pool)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory for a thread pool");
    pool->alloc = alloc;
    pool->nthreads = nthreads;
    pool->barrier.nparts = nthreads;
    atomic_init(&pool->barrier.arrived, 0);
    if (nthreads == 1) {
        *out = pool;
        return RT_OK;
    }
    pool->threads = rt_alloc_array(alloc, nthreads - 1, sizeof *pool->threads);
    pool->workers = rt_alloc_array(alloc, nthreads - 1, sizeof *pool->workers);
    if (!pool->threads || !pool->workers) {
        free_pool(pool);
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory for %u worker threads", nthreads);
    }
    RtStatus st = start_workers(pool, err);
    if (st != RT_OK) {
        free_pool(pool);
        return st;
    }
    *out = pool;
    return RT_OK;
}

void rt_pool_destroy(RtPool *pool)
{
    if (!pool)
        return;
    if (pool->nthreads > 1) {
        stop_workers(pool);
        signal_destroy(&pool->barrier.release);
        signal_destroy(&pool->start);
    }
    free_pool(pool);
}

unsigned rt_pool_threads(const RtPool *pool)
{
    return pool->nthreads;
}

void rt_pool_run(RtPool *pool, RtTaskFn fn, void *ctx)
{
    assert(!pool->running && "rt_pool_run is not reentrant");
    if (pool->nthreads == 1) {
        fn(ctx, 0, 1);
        return;
    }
    pool->running = true;
    pool->fn = fn;
    pool->ctx = ctx;
    signal_bump(&pool->start);
    fn(ctx, 0, pool->nthreads);
    barrier_wait(&pool->barrier);
    pool->running = false;
}

void rt_pool_barrier(RtPool *pool)
{
    if (pool->nthreads > 1)
        barrier_wait(&pool->barrier);
}

void rt_partition(size_t n, unsigned nparts, unsigned part, size_t *begin, size_t *end)
{
    size_t grains = n / RT_PARTITION_GRAIN + (n % RT_PARTITION_GRAIN != 0);
    /* The last `extra` parts get one grain more: the short final grain
     * then lands in a longer part, keeping lengths within one grain. */
    size_t base = grains / nparts, shorter = nparts - grains % nparts;
    size_t first = part * base + (part > shorter ? part - shorter : 0);
    size_t count = base + (part >= shorter);
    assert(part < nparts);
    /* Only the last grain may be short; testing for it avoids overflowing
     * grains * RT_PARTITION_GRAIN when n is close to SIZE_MAX. */
    *begin = first == grains ? n : first * RT_PARTITION_GRAIN;
    *end = first + count == grains ? n : (first + count) * RT_PARTITION_GRAIN;
}

typedef struct RtLoop {
    size_t n;
    RtRangeFn fn;
    void *ctx;
} RtLoop;

static void loop_task(void *ctx, unsigned part, unsigned nparts)
{
    RtLoop *loop = ctx;
    size_t begin, end;
    rt_partition(loop->n, nparts, part, &begin, &end);
    loop->fn(loop->ctx, begin, end, part);
}

void rt_parallel_for(RtPool *pool, size_t n, RtRangeFn fn, void *ctx)
{
    RtLoop loop = { n, fn, ctx };
    rt_pool_run(pool, loop_task, &loop);
}

unsigned rt_threads_available(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > RT_MAX_THREADS ? RT_MAX_THREADS : (unsigned)n;
}
