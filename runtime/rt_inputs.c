/* rt_inputs.c - currents, Poisson trains and spike-time lists; see
 * rt_inputs.h. Poisson counter layout (Philox4x32-10, philox.h):
 *
 *   key        = first two words of Philox({stream lo, stream hi, 'pois', 0}, seed)
 *   geometric  : counter = {draw, block,      tick lo, tick hi}
 *   Bernoulli  : counter = {neuron / 4, 0xFFFFFFFF, tick lo, tick hi}
 *
 * so every (seed, stream, neuron or block, tick) has its own numbers. */
#include "rt_inputs.h"

#include "philox.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void rt_current_add(const RtCurrent *c, uint64_t tick, double *acc, size_t begin, size_t end)
{
    double a = rt_current_at(c, tick);
    if (a == 0.0)
        return;
    for (size_t i = begin; i < end; i++)
        acc[i] += a;
}

void rt_current_add_f32(const RtCurrent *c, uint64_t tick, float *acc, size_t begin, size_t end)
{
    float a = (float)rt_current_at(c, tick);
    if (a == 0.0f)
        return;
    for (size_t i = begin; i < end; i++)
        acc[i] += a;
}

/* ---- Poisson ---- */

#define RT_POISSON_TAG 0x706F6973u /* "pois": keeps these keys apart from other uses */
#define RT_BERNOULLI_MARK 0xFFFFFFFFu /* never a block index: n < 2^32 neurons */

static void derive_key(uint64_t seed, uint64_t stream, uint32_t key[2])
{
    BrPhilox4 c = { { (uint32_t)stream, (uint32_t)(stream >> 32), RT_POISSON_TAG, 0 } };
    BrPhilox4 k = br_philox4x32_10(c, (uint32_t)seed, (uint32_t)(seed >> 32));
    key[0] = k.v[0];
    key[1] = k.v[1];
}

/* round(p * 2^32) in [0, 2^32]: a u32 draw u spikes iff u < threshold. */
static uint64_t bernoulli_threshold(double p)
{
    if (!(p > 0.0))
        return 0;
    if (p >= 1.0)
        return (uint64_t)1 << 32;
    return (uint64_t)(p * 0x1.0p32 + 0.5);
}

static RtStatus check_rate(double rate, RtError *err)
{
    if (!(rate >= 0.0) || isinf(rate))
        return rt_error_set(err, RT_ERR_ARG, "poisson input: rate %g is not a finite rate >= 0",
                            rate);
    return RT_OK;
}

static RtStatus set_uniform_rate(RtPoisson *ps, double p)
{
    if (p == 0.0) {
        ps->method = RT_POISSON_SILENT;
    } else if (p < RT_POISSON_GEOMETRIC_MAX_P) {
        ps->method = RT_POISSON_GEOMETRIC;
        ps->inv_log_q = 1.0 / log1p(-p);
    } else {
        ps->method = RT_POISSON_BERNOULLI;
        ps->threshold = bernoulli_threshold(p);
    }
    return RT_OK;
}

static RtStatus set_neuron_rates(RtPoisson *ps, const RtPoissonSpec *spec, RtError *err)
{
    ps->method = RT_POISSON_BERNOULLI;
    ps->thresholds = rt_alloc_array(ps->alloc, spec->n_neurons, sizeof *ps->thresholds);
    if (!ps->thresholds)
        return rt_error_set(err, RT_ERR_NOMEM, "poisson input: out of memory for %u rates",
                            spec->n_neurons);
    for (uint32_t i = 0; i < spec->n_neurons; i++) {
        if (check_rate(spec->rates_hz[i], err) != RT_OK)
            return RT_ERR_ARG;
        ps->thresholds[i] = bernoulli_threshold(spec->rates_hz[i] * spec->dt_ms * 1e-3);
    }
    return RT_OK;
}

RtStatus rt_poisson_create(RtAllocator *alloc, const RtPoissonSpec *spec, RtPoisson **out,
                           RtError *err)
{
    *out = NULL;
    if (!(spec->dt_ms > 0.0) || isinf(spec->dt_ms))
        return rt_error_set(err, RT_ERR_ARG, "poisson input: dt %g ms is not positive",
                            spec->dt_ms);
    if (!spec->rates_hz && check_rate(spec->rate_hz, err) != RT_OK)
        return RT_ERR_ARG;
    RtPoisson *ps = rt_alloc(alloc, sizeof *ps);
    if (!ps)
        return rt_error_set(err, RT_ERR_NOMEM, "poisson input: out of memory");
    ps->alloc = alloc;
    ps->n_neurons = spec->n_neurons;
    ps->start = spec->start;
    ps->stop = spec->stop;
    derive_key(spec->seed, spec->stream, ps->key);
    RtStatus st = spec->rates_hz ? set_neuron_rates(ps, spec, err)
                                 : set_uniform_rate(ps, spec->rate_hz * spec->dt_ms * 1e-3);
    if (st != RT_OK) {
        rt_poisson_destroy(ps);
        return st;
    }
    *out = ps;
    return RT_OK;
}

void rt_poisson_destroy(RtPoisson *ps)
{
    if (!ps)
        return;
    rt_free(ps->alloc, ps->thresholds);
    rt_free(ps->alloc, ps);
}

/* Spikes of [begin, end) that fall in one block: gaps between successive
 * spikes are Geometric(p), drawn from the block's own stream for this tick
 * from the block's first neuron on, so the result does not depend on where
 * the caller's range starts. */
static uint32_t sample_block_geometric(const RtPoisson *ps, uint64_t tick, uint32_t block,
                                       uint32_t begin, uint32_t end, uint32_t *out)
{
    BrRng rng = { { ps->key[0], ps->key[1] }, { 0, block, (uint32_t)tick, (uint32_t)(tick >> 32) },
                  { { 0, 0, 0, 0 } }, 4 };
    uint64_t j = (uint64_t)block * RT_POISSON_BLOCK;
    uint32_t n = 0;
    uint64_t gap = br_rng_geometric_inv(&rng, ps->inv_log_q);
    while (gap < end - j) {
        j += gap;
        if (j >= begin)
            out[n++] = (uint32_t)j;
        j++;
        gap = br_rng_geometric_inv(&rng, ps->inv_log_q);
    }
    return n;
}

static uint32_t sample_geometric(const RtPoisson *ps, uint64_t tick, uint32_t begin, uint32_t end,
                                 uint32_t *out)
{
    uint32_t n = 0;
    for (uint32_t block = begin / RT_POISSON_BLOCK; (uint64_t)block * RT_POISSON_BLOCK < end;
         block++) {
        uint64_t block_end = ((uint64_t)block + 1) * RT_POISSON_BLOCK;
        uint32_t stop = block_end < end ? (uint32_t)block_end : end;
        n += sample_block_geometric(ps, tick, block, begin, stop, out + n);
    }
    return n;
}

static uint64_t threshold_of(const RtPoisson *ps, uint64_t neuron)
{
    return ps->thresholds ? ps->thresholds[neuron] : ps->threshold;
}

static BrPhilox4 bernoulli_block(const RtPoisson *ps, uint64_t group, uint64_t tick)
{
    uint32_t tick_lo = (uint32_t)tick, tick_hi = (uint32_t)(tick >> 32);
    BrPhilox4 c = { { (uint32_t)group, RT_BERNOULLI_MARK, tick_lo, tick_hi } };
    return br_philox4x32_10(c, ps->key[0], ps->key[1]);
}

/* One Philox block gives the uniforms of four neighbouring neurons. Inside
 * the range the append is branch-free: out[n] is always written (it is
 * within the room for end - begin entries) and n grows only on a spike. */
static uint32_t sample_bernoulli(const RtPoisson *ps, uint64_t tick, uint32_t begin, uint32_t end,
                                 uint32_t *out)
{
    uint32_t n = 0;
    for (uint64_t group = begin / 4; group * 4 < end; group++) {
        BrPhilox4 u = bernoulli_block(ps, group, tick);
        uint64_t first = group * 4;
        bool whole = first >= begin && first + 4 <= end;
        for (uint32_t k = 0; k < 4; k++) {
            uint64_t i = first + k;
            if (whole || (i >= begin && i < end)) {
                out[n] = (uint32_t)i;
                n += u.v[k] < threshold_of(ps, i);
            }
        }
    }
    return n;
}

uint32_t rt_poisson_sample(const RtPoisson *ps, uint64_t tick, uint32_t begin, uint32_t end,
                           uint32_t *out)
{
    if (end > ps->n_neurons)
        end = ps->n_neurons;
    if (tick < ps->start || tick >= ps->stop || begin >= end)
        return 0;
    switch (ps->method) {
    case RT_POISSON_SILENT: return 0;
    case RT_POISSON_GEOMETRIC: return sample_geometric(ps, tick, begin, end, out);
    case RT_POISSON_BERNOULLI: return sample_bernoulli(ps, tick, begin, end, out);
    }
    return 0;
}

/* ---- Spike-time lists ---- */

typedef struct RtTimedSpike {
    uint64_t tick;
    uint32_t neuron;
} RtTimedSpike;

static int compare_timed(const void *pa, const void *pb)
{
    const RtTimedSpike *a = pa, *b = pb;
    if (a->tick != b->tick)
        return a->tick < b->tick ? -1 : 1;
    return (a->neuron > b->neuron) - (a->neuron < b->neuron);
}

static RtStatus check_offsets(uint32_t n_neurons, const size_t *offsets, RtError *err)
{
    if (offsets[0] != 0)
        return rt_error_set(err, RT_ERR_ARG, "spike times: offsets[0] is %zu, not 0", offsets[0]);
    for (uint32_t i = 0; i < n_neurons; i++)
        if (offsets[i + 1] < offsets[i])
            return rt_error_set(err, RT_ERR_ARG, "spike times: offsets decrease at neuron %u", i);
    return RT_OK;
}

/* Sorted, deduplicated events into st->ticks / st->neurons. */
static void store_unique(RtSpikeTimes *st, const RtTimedSpike *ev, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (n && st->ticks[n - 1] == ev[i].tick && st->neurons[n - 1] == ev[i].neuron)
            continue;
        st->ticks[n] = ev[i].tick;
        st->neurons[n] = ev[i].neuron;
        n++;
    }
    st->count = n;
}

static RtStatus build_events(RtSpikeTimes *st, uint32_t n_neurons, const size_t *offsets,
                             const uint64_t *ticks, RtError *err)
{
    size_t total = offsets[n_neurons];
    RtTimedSpike *ev = rt_alloc_array(st->alloc, total, sizeof *ev);
    st->ticks = rt_alloc_array(st->alloc, total, sizeof *st->ticks);
    st->neurons = rt_alloc_array(st->alloc, total, sizeof *st->neurons);
    if (!ev || !st->ticks || !st->neurons) {
        rt_free(st->alloc, ev);
        return rt_error_set(err, RT_ERR_NOMEM, "spike times: out of memory for %zu spikes", total);
    }
    for (uint32_t i = 0; i < n_neurons; i++)
        for (size_t k = offsets[i]; k < offsets[i + 1]; k++)
            ev[k] = (RtTimedSpike){ ticks[k], i };
    qsort(ev, total, sizeof *ev, compare_timed);
    store_unique(st, ev, total);
    rt_free(st->alloc, ev);
    return RT_OK;
}

RtStatus rt_spike_times_create(RtAllocator *alloc, uint32_t n_neurons, const size_t *offsets,
                               const uint64_t *ticks, RtSpikeTimes **out, RtError *err)
{
    *out = NULL;
    RtStatus st = check_offsets(n_neurons, offsets, err);
    if (st != RT_OK)
        return st;
    RtSpikeTimes *times = rt_alloc(alloc, sizeof *times);
    if (!times)
        return rt_error_set(err, RT_ERR_NOMEM, "spike times: out of memory");
    times->alloc = alloc;
    st = build_events(times, n_neurons, offsets, ticks, err);
    if (st != RT_OK) {
        rt_spike_times_destroy(times);
        return st;
    }
    *out = times;
    return RT_OK;
}

void rt_spike_times_destroy(RtSpikeTimes *st)
{
    if (!st)
        return;
    rt_free(st->alloc, st->ticks);
    rt_free(st->alloc, st->neurons);
    rt_free(st->alloc, st);
}

/* First index whose tick is >= tick (count if none). */
static size_t lower_bound(const uint64_t *ticks, size_t count, uint64_t tick)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ticks[mid] < tick)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const uint32_t *rt_spike_times_at(const RtSpikeTimes *st, uint64_t tick, uint32_t *count)
{
    size_t first = lower_bound(st->ticks, st->count, tick);
    size_t last = first;
    while (last < st->count && st->ticks[last] == tick)
        last++;
    *count = (uint32_t)(last - first);
    return st->neurons + first;
}
