/* rt_brain_inputs.c - tick step 2: stimuli add to their neurons' first
 * input. Poisson and noise draws are pure functions of (seed, stream,
 * neuron, tick) (rt_inputs.h, rt_noise.h), so they do not depend on threads
 * or call order. */
#include "rt_brain_internal.h"

static uint32_t target(const RtInput *in, uint32_t k) { return in->idx ? in->idx[k] : k; }

/* How many times the spike list fires at tick (binary search, no cursor,
 * so a brain can be stepped from any tick). */
static uint32_t listed_spikes(const RtInput *in, uint64_t tick)
{
    uint32_t lo = 0, hi = in->nticks;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (in->ticks[mid] < tick)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t n = 0;
    while (lo + n < in->nticks && in->ticks[lo + n] == tick)
        n++;
    return n;
}

/* A noise input this large is split between the threads (about 5 ns a
 * neuron: below this a round of the pool costs more than it saves). */
enum { NOISE_PARALLEL_MIN = 4096 };

typedef struct NoiseJob {
    const RtBrain *b;
    const RtInput *in;
    double *acc;
    uint64_t tick;
} NoiseJob;

static void noise_range(void *ctx, size_t begin, size_t end, unsigned part)
{
    (void)part;
    const NoiseJob *job = ctx;
    const RtInput *in = job->in;
    rt_noise_add_range(job->b->normal_table, in->noise_key, job->tick, (uint32_t)begin,
                       (uint32_t)end, in->idx, in->current.amplitude, in->sd, job->acc);
}

/* The draws do not depend on who makes them, and a neuron listed once is
 * written by one thread only. */
static void add_noise(const RtBrain *b, const RtInput *in, double *acc, uint64_t tick)
{
    if (in->n >= NOISE_PARALLEL_MIN && in->idx_unique && rt_pool_threads(b->pool) > 1) {
        NoiseJob job = {b, in, acc, tick};
        rt_parallel_for(b->pool, in->n, noise_range, &job);
    } else {
        rt_noise_add(b->normal_table, in->noise_key, tick, in->n, in->idx, in->current.amplitude,
                     in->sd, acc);
    }
}

static void apply_input(const RtBrain *b, RtPop *p, const RtInput *in, uint64_t tick)
{
    double *acc = p->s.input[0];
    if (tick < in->current.start || tick >= in->current.stop)
        return;
    if (in->kind == RT_INPUT_CURRENT) {
        for (uint32_t k = 0; k < in->n; k++)
            acc[target(in, k)] += in->current.amplitude;
    } else if (in->kind == RT_INPUT_RAMP) {
        /* stop is finite (rt_brain.c checks the spec) and > start here */
        double a = in->current.amplitude, span = (double)(in->current.stop - in->current.start);
        double x = a + (in->amplitude_end - a) * (double)(tick - in->current.start) / span;
        for (uint32_t k = 0; k < in->n; k++)
            acc[target(in, k)] += x;
    } else if (in->kind == RT_INPUT_NOISE) {
        add_noise(b, in, acc, tick);
    } else if (in->kind == RT_INPUT_POISSON) {
        uint32_t n = rt_poisson_sample(in->poisson, tick, 0, in->n, in->drawn);
        for (uint32_t k = 0; k < n; k++)
            acc[target(in, in->drawn[k])] += in->w;
    } else {
        uint32_t times = listed_spikes(in, tick);
        for (uint32_t r = 0; r < times; r++)
            for (uint32_t k = 0; k < in->n; k++)
                acc[target(in, k)] += in->w;
    }
}

void rt_brain_apply_inputs(RtBrain *b, uint64_t tick)
{
    for (uint32_t i = 0; i < b->ninputs; i++) {
        RtPop *p = &b->pops[b->inputs[i].pop];
        if (p->ninputs > 0)
            apply_input(b, p, &b->inputs[i], tick);
    }
}
