/* test_rt_inputs.c - external inputs.
 *
 * Poisson: spike counts match n * T * p within 5 sigma for both sampling
 * methods (geometric skipping, per-neuron Bernoulli) and per-neuron rates;
 * per-tick counts have the binomial variance (neurons independent); the
 * spikes are identical with 1 and 4 threads and with any split of the
 * neuron range; windows, rate 0 and p >= 1 behave. Spike-time lists match
 * a naive scan. Currents switch on and off at the window's edges. */
#include "rt_test.h"

#include "rt_inputs.h"
#include "rt_spikes.h"
#include "rt_threads.h"

#include <math.h>

#define N 1000
#define T 2000

typedef struct Moments {
    double total;
    double tick_sum_sq; /* sum over ticks of count^2 */
    int unordered;      /* lists not strictly increasing or out of range */
} Moments;

static Moments sample_all(const RtPoisson *ps, uint32_t n, uint64_t ticks)
{
    static uint32_t out[N];
    Moments m = { 0, 0, 0 };
    for (uint64_t t = 0; t < ticks; t++) {
        uint32_t k = rt_poisson_sample(ps, t, 0, n, out);
        for (uint32_t i = 0; i < k; i++)
            m.unordered += out[i] >= n || (i > 0 && out[i] <= out[i - 1]);
        m.total += k;
        m.tick_sum_sq += (double)k * k;
    }
    return m;
}

static RtPoisson *make_poisson(double rate_hz, const double *rates, uint64_t stream)
{
    RtPoissonSpec spec = { .seed = 1234, .stream = stream, .n_neurons = N, .rate_hz = rate_hz,
                           .rates_hz = rates, .dt_ms = 1.0, .start = 0, .stop = RT_TICK_FOREVER };
    RtPoisson *ps = NULL;
    RtError err;
    if (rt_poisson_create(NULL, &spec, &ps, &err) != RT_OK)
        printf("rt_poisson_create: %s\n", err.msg);
    return ps;
}

/* Mean within 5 sigma; per-tick variance within 5 of its own sigma
 * (Var of a sample variance ~ 2 sigma^4 / T for near-normal counts). */
static void check_uniform_rate(double rate_hz, RtPoissonMethod method)
{
    RtPoisson *ps = make_poisson(rate_hz, NULL, 1);
    if (!ps) {
        CHECK(0, "create");
        return;
    }
    double p = rate_hz * 1e-3;
    CHECK(ps->method == method, "rate %g: method %d, expected %d", rate_hz, ps->method, method);
    Moments m = sample_all(ps, N, T);
    double mean = (double)N * T * p, sigma = sqrt(mean * (1 - p));
    CHECK(fabs(m.total - mean) < 5 * sigma, "rate %g Hz: %g spikes, expected %g +- %g", rate_hz,
          m.total, mean, sigma);
    double tick_mean = m.total / T, var = m.tick_sum_sq / T - tick_mean * tick_mean;
    double var_expected = N * p * (1 - p), var_sigma = var_expected * sqrt(2.0 / T);
    CHECK(fabs(var - var_expected) < 5 * var_sigma, "rate %g Hz: per-tick variance %g, expected %g",
          rate_hz, var, var_expected);
    CHECK(m.unordered == 0, "rate %g Hz: %d spikes out of order or range", rate_hz, m.unordered);
    rt_poisson_destroy(ps);
}

/* Rates from 0 to 200 Hz across neurons; each neuron's count within 5
 * sigma of its own expectation (1000 neurons: a false alarm is ~1e-3). */
static void check_neuron_rates(void)
{
    static double rates[N];
    for (int i = 0; i < N; i++)
        rates[i] = 200.0 * i / (N - 1);
    RtPoisson *ps = make_poisson(0, rates, 2);
    if (!ps) {
        CHECK(0, "create");
        return;
    }
    static uint32_t out[N], counts[N];
    for (uint64_t t = 0; t < T; t++) {
        uint32_t k = rt_poisson_sample(ps, t, 0, N, out);
        for (uint32_t i = 0; i < k; i++)
            counts[out[i]]++;
    }
    int outliers = 0;
    double total = 0, expected = 0;
    for (int i = 0; i < N; i++) {
        double p = rates[i] * 1e-3, mean = T * p, sigma = sqrt(mean * (1 - p));
        outliers += fabs(counts[i] - mean) > 5 * sigma + 1e-9;
        total += counts[i];
        expected += mean;
    }
    CHECK(counts[0] == 0, "rate 0 neuron spiked %u times", counts[0]);
    CHECK(outliers == 0, "%d neurons outside 5 sigma", outliers);
    CHECK(fabs(total - expected) < 5 * sqrt(expected), "total %g, expected %g", total, expected);
    rt_poisson_destroy(ps);
}

/* ---- 1 thread vs 4 threads, through a spike ring, as a brain would ---- */

typedef struct Sampler {
    const RtPoisson *ps;
    RtSpikeRing *ring;
    RtSpikeSpan spans[8];
    uint64_t tick;
} Sampler;

static void sample_part(void *ctx, size_t begin, size_t end, unsigned part)
{
    Sampler *s = ctx;
    uint32_t *region = rt_spike_ring_region(s->ring, (uint32_t)begin);
    uint32_t k = rt_poisson_sample(s->ps, s->tick, (uint32_t)begin, (uint32_t)end, region);
    s->spans[part] = (RtSpikeSpan){ (uint32_t)begin, k };
}

/* All spikes of T ticks, flattened with a -1 after each tick. */
static size_t run_threads(const RtPoisson *ps, unsigned k, int32_t *trace, size_t cap)
{
    RtPool *pool;
    RtSpikeRing *ring;
    if (rt_pool_create(NULL, k, &pool, NULL) != RT_OK)
        return 0;
    if (rt_spike_ring_create(NULL, N, 0, &ring, NULL) != RT_OK) {
        rt_pool_destroy(pool);
        return 0;
    }
    Sampler s = { ps, ring, { { 0, 0 } }, 0 };
    size_t len = 0;
    for (s.tick = 0; s.tick < T; s.tick++) {
        rt_parallel_for(pool, N, sample_part, &s);
        rt_spike_ring_gather(ring, s.spans, k);
        uint32_t count;
        const uint32_t *spikes = rt_spike_ring_current(ring, &count);
        for (uint32_t i = 0; i < count && len < cap; i++)
            trace[len++] = (int32_t)spikes[i];
        if (len < cap)
            trace[len++] = -1;
        rt_spike_ring_advance(ring);
    }
    rt_spike_ring_destroy(ring);
    rt_pool_destroy(pool);
    return len;
}

#define TRACE_CAP (T * N / 2)

static void check_thread_independence(double rate_hz)
{
    static int32_t one[TRACE_CAP], four[TRACE_CAP];
    RtPoisson *ps = make_poisson(rate_hz, NULL, 3);
    if (!ps) {
        CHECK(0, "create");
        return;
    }
    size_t n1 = run_threads(ps, 1, one, TRACE_CAP), n4 = run_threads(ps, 4, four, TRACE_CAP);
    CHECK(n1 > T && n1 < TRACE_CAP, "rate %g: trace length %zu", rate_hz, n1);
    CHECK(n1 == n4 && memcmp(one, four, n1 * sizeof *one) == 0,
          "rate %g Hz: 1 and 4 threads give different spikes (%zu vs %zu entries)", rate_hz, n1,
          n4);
    rt_poisson_destroy(ps);
}

/* Splitting [0, N) at arbitrary points, sampled in reverse order, gives
 * the same spikes as one call over the whole range. */
static void check_any_split(double rate_hz)
{
    RtPoisson *ps = make_poisson(rate_hz, NULL, 4);
    if (!ps) {
        CHECK(0, "create");
        return;
    }
    static uint32_t whole[N], parts[N], p2[N], p3[N];
    TestRng rng = { 99 };
    int bad = 0;
    for (uint64_t t = 0; t < 300; t++) {
        uint32_t nw = rt_poisson_sample(ps, t, 0, N, whole);
        uint32_t cut1 = test_rng_below(&rng, N), cut2 = cut1 + test_rng_below(&rng, N - cut1);
        uint32_t n3 = rt_poisson_sample(ps, t, cut2, N, p3);
        uint32_t n2 = rt_poisson_sample(ps, t, cut1, cut2, p2);
        uint32_t n1 = rt_poisson_sample(ps, t, 0, cut1, parts);
        memcpy(parts + n1, p2, n2 * sizeof *parts);
        memcpy(parts + n1 + n2, p3, n3 * sizeof *parts);
        bad += nw != n1 + n2 + n3 || memcmp(whole, parts, nw * sizeof *whole) != 0;
    }
    CHECK(bad == 0, "rate %g Hz: %d ticks differ when the range is split", rate_hz, bad);
    rt_poisson_destroy(ps);
}

static void check_streams_and_windows(void)
{
    RtPoissonSpec spec = { .seed = 5, .stream = 0, .n_neurons = N, .rate_hz = 30, .dt_ms = 1,
                           .start = 100, .stop = 200 };
    RtPoisson *a, *b;
    rt_poisson_create(NULL, &spec, &a, NULL);
    spec.stream = 1;
    rt_poisson_create(NULL, &spec, &b, NULL);
    static uint32_t oa[N], ob[N];
    uint32_t outside = 0, inside = 0, same = 0;
    for (uint64_t t = 0; t < 300; t++) {
        uint32_t ka = rt_poisson_sample(a, t, 0, N, oa), kb = rt_poisson_sample(b, t, 0, N, ob);
        if (t < 100 || t >= 200)
            outside += ka;
        else
            inside += ka;
        same += ka > 0 && ka == kb && memcmp(oa, ob, ka * sizeof *oa) == 0;
    }
    CHECK(outside == 0 && inside > 0, "window: %u spikes outside, %u inside", outside, inside);
    CHECK(same == 0, "two streams gave identical ticks %u times", same);
    rt_poisson_destroy(a);
    rt_poisson_destroy(b);

    RtPoisson *zero = make_poisson(0, NULL, 5), *all = make_poisson(1000, NULL, 6);
    Moments mz = sample_all(zero, N, 50), ma = sample_all(all, N, 50);
    CHECK(zero->method == RT_POISSON_SILENT && mz.total == 0, "rate 0 is silent");
    CHECK(ma.total == 50.0 * N, "p = 1 spikes every tick (%g)", ma.total);
    rt_poisson_destroy(zero);
    rt_poisson_destroy(all);

    RtError err;
    RtPoisson *ps;
    spec.rate_hz = -1;
    CHECK(rt_poisson_create(NULL, &spec, &ps, &err) == RT_ERR_ARG && !ps, "negative rate");
    spec.rate_hz = NAN;
    CHECK(rt_poisson_create(NULL, &spec, &ps, &err) == RT_ERR_ARG, "NaN rate");
    spec.rate_hz = 1;
    spec.dt_ms = 0;
    CHECK(rt_poisson_create(NULL, &spec, &ps, &err) == RT_ERR_ARG, "dt 0: %s", err.msg);
}

/* ---- Spike-time lists ---- */

static void check_spike_times(void)
{
    enum { NN = 50, TT = 300 };
    static size_t offsets[NN + 1];
    static uint64_t ticks[NN * 20];
    static unsigned char expected[TT][NN];
    TestRng rng = { 11 };
    size_t k = 0;
    for (uint32_t i = 0; i < NN; i++) {
        offsets[i] = k;
        uint32_t count = test_rng_below(&rng, 20);
        for (uint32_t c = 0; c < count; c++) { /* unsorted, with duplicates */
            ticks[k] = test_rng_below(&rng, TT);
            expected[ticks[k]][i] = 1;
            k++;
        }
    }
    offsets[NN] = k;
    RtAllocator a;
    rt_allocator_init(&a);
    RtSpikeTimes *st;
    RtError err;
    CHECK(rt_spike_times_create(&a, NN, offsets, ticks, &st, &err) == RT_OK, "create: %s",
          err.msg);
    int bad = 0;
    for (int pass = 0; pass < 2; pass++) /* forwards, then backwards: no cursor */
        for (uint64_t s = 0; s < TT + 5; s++) {
            uint64_t t = pass ? TT + 4 - s : s;
            uint32_t count, n = 0;
            const uint32_t *got = rt_spike_times_at(st, t, &count);
            for (uint32_t i = 0; i < NN; i++)
                if (t < TT && expected[t][i])
                    bad += n >= count || got[n++] != i;
            bad += n != count;
        }
    CHECK(bad == 0, "%d spike-time mismatches", bad);
    rt_spike_times_destroy(st);
    size_t bad_offsets[3] = { 0, 5, 2 };
    CHECK(rt_spike_times_create(&a, 2, bad_offsets, ticks, &st, &err) == RT_ERR_ARG,
          "decreasing offsets refused");
    size_t none[3] = { 0, 0, 0 };
    CHECK(rt_spike_times_create(&a, 2, none, ticks, &st, &err) == RT_OK, "no spikes at all");
    uint32_t count;
    rt_spike_times_at(st, 0, &count);
    CHECK(count == 0, "empty list");
    rt_spike_times_destroy(st);
    CHECK(a.live_blocks == 0, "leak: %zu blocks", a.live_blocks);
}

static void check_current(void)
{
    RtCurrent c = { 2.5, 10, 20 };
    CHECK(rt_current_at(&c, 9) == 0 && rt_current_at(&c, 10) == 2.5 && rt_current_at(&c, 19) == 2.5
              && rt_current_at(&c, 20) == 0,
          "window edges: on at start, off at stop");
    RtCurrent forever = { -1, 0, RT_TICK_FOREVER };
    CHECK(rt_current_at(&forever, UINT64_MAX - 1) == -1, "open-ended current");
}

int main(void)
{
    check_uniform_rate(20, RT_POISSON_GEOMETRIC);  /* p = 0.02 */
    check_uniform_rate(2, RT_POISSON_GEOMETRIC);   /* p = 0.002 */
    check_uniform_rate(150, RT_POISSON_GEOMETRIC); /* p = 0.15 */
    check_uniform_rate(300, RT_POISSON_BERNOULLI); /* p = 0.3 */
    check_uniform_rate(600, RT_POISSON_BERNOULLI); /* p = 0.6 */
    check_neuron_rates();
    check_thread_independence(20);
    check_thread_independence(300);
    check_any_split(20);
    check_any_split(300);
    check_streams_and_windows();
    check_spike_times();
    check_current();
    return rt_test_report();
}
