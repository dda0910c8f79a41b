/* rt_inputs.h - external inputs to populations: currents switched on over
 * a window of ticks, Poisson spike trains, and given spike-time lists.
 *
 * Poisson trains are a pure function of (seed, stream, neuron, tick): any
 * split of the neurons over threads, and any order of calls, yields the
 * same spikes. Inputs hold no mutable state after creation, so one input
 * may be sampled from several threads at once. */
#ifndef BR_RT_INPUTS_H
#define BR_RT_INPUTS_H

#include "rt_alloc.h"
#include "rt_error.h"

#include <stddef.h>
#include <stdint.h>

/* An open-ended window: `until` not given in the program. */
#define RT_TICK_FOREVER UINT64_MAX

/* ---- Currents: amplitude for start <= tick < stop, 0 otherwise ---- */

typedef struct RtCurrent {
    double amplitude;
    uint64_t start;
    uint64_t stop;
} RtCurrent;

static inline double rt_current_at(const RtCurrent *c, uint64_t tick)
{
    return tick >= c->start && tick < c->stop ? c->amplitude : 0.0;
}


/* ---- Poisson spike trains ---- */

/* Per-tick probability at or above which a uniform-rate input draws one
 * Bernoulli variable per neuron instead of skipping geometrically (the
 * measured crossover, docs/runtime-api.md). */
#define RT_POISSON_GEOMETRIC_MAX_P 0.2

/* Neurons that share one geometric-skipping stream per tick. Larger
 * blocks waste less on per-block setup; smaller ones waste less at the
 * edges of a thread's range. */
#define RT_POISSON_BLOCK 256

typedef enum RtPoissonMethod {
    RT_POISSON_SILENT,    /* rate 0: never spikes */
    RT_POISSON_GEOMETRIC, /* uniform rate, p < RT_POISSON_GEOMETRIC_MAX_P */
    RT_POISSON_BERNOULLI  /* per-neuron rates, or high uniform rate */
} RtPoissonMethod;

typedef struct RtPoissonSpec {
    uint64_t seed;
    uint64_t stream;        /* one per input, so inputs are independent */
    uint32_t n_neurons;
    double rate_hz;         /* used when rates_hz is NULL */
    const double *rates_hz; /* n_neurons rates, or NULL; copied */
    double dt_ms;           /* tick length: p = rate_hz * dt_ms / 1000 */
    uint64_t start;         /* active for start <= tick < stop */
    uint64_t stop;
} RtPoissonSpec;

typedef struct RtPoisson {
    uint32_t key[2];        /* Philox key derived from (seed, stream) */
    uint32_t n_neurons;
    RtPoissonMethod method;
    uint64_t start, stop;
    double inv_log_q;       /* 1 / log1p(-p), geometric method */
    uint64_t threshold;     /* round(p * 2^32), capped at 2^32: uniform Bernoulli */
    uint64_t *thresholds;   /* per neuron, or NULL */
    RtAllocator *alloc;
} RtPoisson;

/* RT_ERR_ARG for a negative or NaN rate or dt. */
RtStatus rt_poisson_create(RtAllocator *alloc, const RtPoissonSpec *spec, RtPoisson **out,
                           RtError *err);
void rt_poisson_destroy(RtPoisson *p);

/* Writes the neurons of [begin, end) that spike at `tick` to out (room
 * for end - begin), in increasing order, and returns how many. */
uint32_t rt_poisson_sample(const RtPoisson *p, uint64_t tick, uint32_t begin, uint32_t end,
                           uint32_t *out);

/* ---- Spike-time lists ---- */

/* Events sorted by (tick, neuron), duplicates removed. */
typedef struct RtSpikeTimes {
    uint64_t *ticks;
    uint32_t *neurons;
    size_t count;
    RtAllocator *alloc;
} RtSpikeTimes;

/* Neuron i spikes at ticks[offsets[i] .. offsets[i + 1]), given in any
 * order; offsets has n_neurons + 1 non-decreasing entries. */
RtStatus rt_spike_times_create(RtAllocator *alloc, uint32_t n_neurons, const size_t *offsets,
                               const uint64_t *ticks, RtSpikeTimes **out, RtError *err);
void rt_spike_times_destroy(RtSpikeTimes *st);

/* The neurons that spike at `tick`, increasing (binary search: no cursor
 * to keep, any tick may be asked in any order). */
const uint32_t *rt_spike_times_at(const RtSpikeTimes *st, uint64_t tick, uint32_t *count);

#endif /* BR_RT_INPUTS_H */
