/* test_rt_poisson_layout.c - the Bernoulli Poisson sampler draws exactly
 * the numbers its documented counter layout names (rt_inputs.c):
 *
 *   key     = first two words of Philox({stream lo, stream hi, 'pois', 0}, seed)
 *   neuron i at tick t spikes iff word i % 4 of
 *             Philox({i / 4, 0xFFFFFFFF, t lo, t hi}, key) < round(p * 2^32)
 *
 * The reference below evaluates that formula neuron by neuron with the
 * scalar br_philox4x32_10 (whose known-answer vectors test_philox checks),
 * so the sampler's batched, vectorised Philox must give the same spikes
 * for every range [begin, end) (unaligned edges, ranges shorter than a
 * batch), uniform and per-neuron rates, p >= 1, and ticks above 2^32. */
#include "rt_test.h"

#include "philox.h"
#include "rt_inputs.h"

/* test_rt_poisson_layout_scalar.c: the same test of the sampler compiled
 * here without its AVX-512 path (this copy of rt_inputs.c is linked in
 * place of the library's). */
#ifdef RT_TEST_POISSON_SCALAR
#define RT_POISSON_NO_AVX512 1
#include "../../runtime/rt_inputs.c"
#endif

#include <stdlib.h>

#define N 700

static uint64_t threshold(double p)
{
    if (!(p > 0.0))
        return 0;
    if (p >= 1.0)
        return (uint64_t)1 << 32;
    return (uint64_t)(p * 0x1.0p32 + 0.5);
}

/* The neurons of [begin, end) that spike, by the formula above. */
static uint32_t reference(uint64_t seed, uint64_t stream, const double *p, uint64_t tick,
                          uint32_t begin, uint32_t end, uint32_t *out)
{
    BrPhilox4 kc = { { (uint32_t)stream, (uint32_t)(stream >> 32), 0x706F6973u, 0 } };
    BrPhilox4 key = br_philox4x32_10(kc, (uint32_t)seed, (uint32_t)(seed >> 32));
    uint32_t n = 0;
    for (uint32_t i = begin; i < end; i++) {
        BrPhilox4 c = { { i / 4, 0xFFFFFFFFu, (uint32_t)tick, (uint32_t)(tick >> 32) } };
        BrPhilox4 u = br_philox4x32_10(c, key.v[0], key.v[1]);
        if (u.v[i % 4] < threshold(p[i]))
            out[n++] = i;
    }
    return n;
}

static void check_case(const char *what, uint64_t seed, uint64_t stream, const double *rates_hz,
                       double rate_hz, double dt_ms)
{
    double p[N];
    for (uint32_t i = 0; i < N; i++)
        p[i] = (rates_hz ? rates_hz[i] : rate_hz) * dt_ms * 1e-3;
    RtPoissonSpec spec = { .seed = seed, .stream = stream, .n_neurons = N, .rate_hz = rate_hz,
                           .rates_hz = rates_hz, .dt_ms = dt_ms, .start = 0, .stop = RT_TICK_FOREVER };
    RtPoisson *ps = NULL;
    RtError err;
    if (rt_poisson_create(NULL, &spec, &ps, &err) != RT_OK) {
        CHECK(0, "%s: rt_poisson_create: %s", what, err.msg);
        return;
    }
    CHECK(ps->method == RT_POISSON_BERNOULLI, "%s: method %d", what, ps->method);
    static const uint32_t edges[][2] = { { 0, N }, { 1, N }, { 0, N - 1 }, { 3, 5 }, { 5, 6 },
                                         { 63, 129 }, { 64, 128 }, { 100, 100 }, { 250, 699 },
                                         { 0, 64 }, { 61, 67 }, { 699, N } };
    static const uint64_t ticks[] = { 0, 1, 2, 77, 1000, 0xFFFFFFFFull, 0x100000003ull };
    uint32_t got[N], want[N];
    int mismatches = 0;
    for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++)
        for (size_t t = 0; t < sizeof ticks / sizeof ticks[0]; t++) {
            uint32_t b = edges[e][0], en = edges[e][1];
            uint32_t ng = rt_poisson_sample(ps, ticks[t], b, en, got);
            uint32_t nw = reference(seed, stream, p, ticks[t], b, en, want);
            int same = ng == nw;
            for (uint32_t k = 0; same && k < nw; k++)
                same = got[k] == want[k];
            if (!same && mismatches++ < 5)
                printf("%s: [%u, %u) tick %llu: %u spikes, reference %u\n", what, b, en,
                       (unsigned long long)ticks[t], ng, nw);
        }
    CHECK(mismatches == 0, "%s: %d ranges/ticks differ from the reference", what, mismatches);
    rt_poisson_destroy(ps);
}

int main(void)
{
    check_case("500 Hz, dt 1", 1234, 1, NULL, 500, 1.0);
    check_case("300 Hz, dt 1, stream 2^40", 99, (uint64_t)1 << 40, NULL, 300, 1.0);
    check_case("2500 Hz, dt 0.1 (p 0.25)", 0xDEADBEEFCAFEull, 7, NULL, 2500, 0.1);
    check_case("p >= 1", 5, 3, NULL, 2000, 1.0);
    double rates[N];
    for (uint32_t i = 0; i < N; i++)
        rates[i] = i % 11 == 0 ? 0.0 : 1000.0 * (double)i / N; /* 0 .. 1000 Hz, some silent */
    check_case("per-neuron rates", 42, 9, rates, 0, 1.0);
    return check_report("rt_poisson_layout");
}
