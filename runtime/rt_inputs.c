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

/* Philox4x32-10 (philox.h: the same rounds and key schedule) of the 16
 * counters {group0 + j, RT_BERNOULLI_MARK, tick lo, tick hi}, j < 16:
 * word k of block j goes to u[k][j]. On x86-64 with AVX-512 the 16 blocks
 * run in the lanes of 512-bit registers (chosen at run time, so the
 * runtime still runs on any x86-64); elsewhere block by block. The words
 * are exactly those of br_philox4x32_10 either way, so the spikes do not
 * depend on the path (tests/runtime/test_rt_poisson_layout.c compares
 * with the scalar function). */
#define RT_BERNOULLI_BATCH 16

static void bernoulli_batch_scalar(const RtPoisson *ps, uint32_t group0, uint64_t tick,
                                   uint32_t u[4][RT_BERNOULLI_BATCH])
{
    for (uint32_t j = 0; j < RT_BERNOULLI_BATCH; j++) {
        BrPhilox4 c = { { group0 + j, RT_BERNOULLI_MARK, (uint32_t)tick, (uint32_t)(tick >> 32) } };
        BrPhilox4 r = br_philox4x32_10(c, ps->key[0], ps->key[1]);
        for (int k = 0; k < 4; k++)
            u[k][j] = r.v[k];
    }
}

/* RT_POISSON_NO_AVX512: block by block everywhere (the tests build the
 * sampler both ways, tests/runtime/test_rt_poisson_layout_scalar.c). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(RT_POISSON_NO_AVX512)
#include <immintrin.h>
#define RT_HAVE_AVX512_PHILOX 1

/* hi and lo 32 bits of m * x in each 32-bit lane. */
__attribute__((target("avx512f"))) static inline void mul_hilo(__m512i m, __m512i x, __m512i *hi,
                                                                __m512i *lo)
{
    __m512i even = _mm512_mul_epu32(m, x);                          /* lanes 0, 2, ...: 64-bit */
    __m512i odd = _mm512_mul_epu32(m, _mm512_srli_epi64(x, 32));    /* lanes 1, 3, ... */
    *hi = _mm512_mask_blend_epi32((__mmask16)0xAAAA, _mm512_srli_epi64(even, 32), odd);
    *lo = _mm512_mask_blend_epi32((__mmask16)0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

__attribute__((target("avx512f"))) static void bernoulli_batch_avx512(const RtPoisson *ps,
                                                                      uint32_t group0, uint64_t tick,
                                                                      uint32_t u[4][RT_BERNOULLI_BATCH])
{
    const __m512i m0 = _mm512_set1_epi32((int)BR_PHILOX_M0), m1 = _mm512_set1_epi32((int)BR_PHILOX_M1);
    __m512i c0 = _mm512_add_epi32(_mm512_set1_epi32((int)group0),
                                  _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    __m512i c1 = _mm512_set1_epi32((int)RT_BERNOULLI_MARK);
    __m512i c2 = _mm512_set1_epi32((int)(uint32_t)tick);
    __m512i c3 = _mm512_set1_epi32((int)(uint32_t)(tick >> 32));
    uint32_t k0 = ps->key[0], k1 = ps->key[1];
    for (int round = 0; round < 10; round++) {
        __m512i hi0, lo0, hi1, lo1;
        mul_hilo(m0, c0, &hi0, &lo0);
        mul_hilo(m1, c2, &hi1, &lo1);
        c0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), _mm512_set1_epi32((int)k0));
        c1 = lo1;
        c2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), _mm512_set1_epi32((int)k1));
        c3 = lo0;
        k0 += BR_PHILOX_W0;
        k1 += BR_PHILOX_W1;
    }
    _mm512_storeu_si512((void *)u[0], c0);
    _mm512_storeu_si512((void *)u[1], c1);
    _mm512_storeu_si512((void *)u[2], c2);
    _mm512_storeu_si512((void *)u[3], c3);
}

/* The 64 neurons first .. first + 63 (groups group0 .. group0 + 15, all in
 * the caller's range) against one threshold: bit 4j + k of the spike mask
 * is word k of block j < threshold; the spiking neurons are compressed
 * into out in increasing order, 16 at a time (each store writes 16
 * entries, within the room of the 64 neurons). Returns how many spiked. */
__attribute__((target("avx512f,bmi2,popcnt"))) static uint32_t
bernoulli_spikes_avx512(const RtPoisson *ps, uint32_t group0, uint64_t tick, uint64_t threshold,
                        uint32_t first, uint32_t *out)
{
    uint32_t u[4][RT_BERNOULLI_BATCH] __attribute__((aligned(64)));
    bernoulli_batch_avx512(ps, group0, tick, u);
    uint64_t mask = ~(uint64_t)0;
    if (threshold <= 0xFFFFFFFFu) {
        __m512i th = _mm512_set1_epi32((int)(uint32_t)threshold);
        mask = 0;
        for (int k = 0; k < 4; k++) {
            __mmask16 m = _mm512_cmplt_epu32_mask(_mm512_load_si512((const void *)u[k]), th);
            mask |= _pdep_u64((uint64_t)m, 0x1111111111111111ull << k);
        }
    }
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    uint32_t n = 0;
    for (uint32_t q = 0; q < 4; q++) {
        __mmask16 m = (__mmask16)(mask >> (16 * q));
        __m512i idx = _mm512_add_epi32(iota, _mm512_set1_epi32((int)(first + 16 * q)));
        _mm512_storeu_si512((void *)(out + n), _mm512_maskz_compress_epi32(m, idx));
        n += (uint32_t)_mm_popcnt_u32(m);
    }
    return n;
}
#else
#define RT_HAVE_AVX512_PHILOX 0
#endif

static int have_avx512(void)
{
#if RT_HAVE_AVX512_PHILOX
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("popcnt");
#else
    return 0;
#endif
}

static void bernoulli_batch(const RtPoisson *ps, int avx512, uint32_t group0, uint64_t tick,
                            uint32_t u[4][RT_BERNOULLI_BATCH])
{
#if RT_HAVE_AVX512_PHILOX
    if (avx512) {
        bernoulli_batch_avx512(ps, group0, tick, u);
        return;
    }
#endif
    (void)avx512;
    bernoulli_batch_scalar(ps, group0, tick, u);
}

/* One Philox block gives the uniforms of four neighbouring neurons (group
 * g: neurons 4g .. 4g+3), computed 16 blocks at a time. Inside the range
 * the append is branch-free: out[n] is always written (it is within the
 * room for end - begin entries) and n grows only on a spike. */
static uint32_t sample_bernoulli(const RtPoisson *ps, uint64_t tick, uint32_t begin, uint32_t end,
                                 uint32_t *out)
{
    uint32_t u[4][RT_BERNOULLI_BATCH];
    uint32_t n = 0;
    int avx512 = have_avx512();
    uint64_t group_end = ((uint64_t)end + 3) / 4;
    for (uint64_t g0 = begin / 4; g0 < group_end; g0 += RT_BERNOULLI_BATCH) {
        uint64_t first = g0 * 4, last = first + 4 * RT_BERNOULLI_BATCH;
        if (first >= begin && last <= end && !ps->thresholds) {
#if RT_HAVE_AVX512_PHILOX
            if (avx512) {
                n += bernoulli_spikes_avx512(ps, (uint32_t)g0, tick, ps->threshold, (uint32_t)first, out + n);
                continue;
            }
#endif
            uint64_t th = ps->threshold;
            bernoulli_batch(ps, avx512, (uint32_t)g0, tick, u);
            for (uint32_t j = 0; j < RT_BERNOULLI_BATCH; j++)
                for (uint32_t k = 0; k < 4; k++) {
                    out[n] = (uint32_t)(first + 4 * j + k);
                    n += u[k][j] < th;
                }
            continue;
        }
        bernoulli_batch(ps, avx512, (uint32_t)g0, tick, u);
        for (uint32_t j = 0; j < RT_BERNOULLI_BATCH; j++)
            for (uint32_t k = 0; k < 4; k++) {
                uint64_t i = first + 4 * j + k;
                if (i >= begin && i < end) {
                    out[n] = (uint32_t)i;
                    n += u[k][j] < threshold_of(ps, i);
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
