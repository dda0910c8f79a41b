/* test_philox.c - Philox4x32-10 against the Random123 known-answer vectors
 * and an independent reference implementation, then loose statistical
 * checks (5 sigma unless noted) of the BrRng helpers on fixed seeds. */
#include "philox.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../check.h"

#define N_DRAWS 1000000

/* Written from the paper, not from philox.h: precomputed round keys in the
 * upstream order (key bumped before rounds 2..R), any round count. */
static void ref_philox4x32(unsigned rounds, const uint32_t ctr[4], const uint32_t key[2],
                           uint32_t out[4])
{
    uint32_t x[4];
    memcpy(x, ctr, sizeof x);
    for (unsigned r = 0; r < rounds; ++r) {
        uint32_t k0 = key[0] + r * 0x9E3779B9u, k1 = key[1] + r * 0xBB67AE85u;
        uint64_t a = (uint64_t)x[0] * 0xD2511F53u, b = (uint64_t)x[2] * 0xCD9E8D57u;
        uint32_t y[4] = { (uint32_t)(b >> 32) ^ x[1] ^ k0, (uint32_t)b,
                          (uint32_t)(a >> 32) ^ x[3] ^ k1, (uint32_t)a };
        memcpy(x, y, sizeof x);
    }
    memcpy(out, x, sizeof x);
}

typedef struct {
    unsigned rounds;
    uint32_t ctr[4], key[2], out[4];
} Kat;

/* Random123 kat_vectors, "philox4x32 7" and "philox4x32 10" lines. */
static const Kat kats[] = {
    { 7, { 0, 0, 0, 0 }, { 0, 0 }, { 0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48 } },
    { 7, { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff }, { 0xffffffff, 0xffffffff },
      { 0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662 } },
    { 7, { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 }, { 0xa4093822, 0x299f31d0 },
      { 0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a } },
    { 10, { 0, 0, 0, 0 }, { 0, 0 }, { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 } },
    { 10, { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff }, { 0xffffffff, 0xffffffff },
      { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd } },
    { 10, { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 }, { 0xa4093822, 0x299f31d0 },
      { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 } },
};

static void test_known_answers(void)
{
    for (size_t t = 0; t < sizeof kats / sizeof kats[0]; ++t) {
        const Kat *v = &kats[t];
        uint32_t ref[4];
        ref_philox4x32(v->rounds, v->ctr, v->key, ref);
        CHECK(memcmp(ref, v->out, sizeof ref) == 0, "reference disagrees with KAT %zu", t);
        if (v->rounds != 10)
            continue;
        BrPhilox4 c = { { v->ctr[0], v->ctr[1], v->ctr[2], v->ctr[3] } };
        BrPhilox4 got = br_philox4x32_10(c, v->key[0], v->key[1]);
        CHECK(memcmp(got.v, v->out, sizeof got.v) == 0,
              "KAT %zu: got %08x %08x %08x %08x", t, got.v[0], got.v[1], got.v[2], got.v[3]);
    }
}

/* splitmix64, only to make varied inputs for the agreement test. */
static uint64_t test_mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void test_matches_reference(void)
{
    uint64_t s = 42;
    int mismatches = 0;
    for (int t = 0; t < 100000; ++t) {
        uint64_t a = test_mix(&s), b = test_mix(&s), c = test_mix(&s);
        uint32_t ctr[4] = { (uint32_t)a, (uint32_t)(a >> 32), (uint32_t)b, (uint32_t)(b >> 32) };
        uint32_t key[2] = { (uint32_t)c, (uint32_t)(c >> 32) }, ref[4];
        ref_philox4x32(10, ctr, key, ref);
        BrPhilox4 in = { { ctr[0], ctr[1], ctr[2], ctr[3] } };
        BrPhilox4 got = br_philox4x32_10(in, key[0], key[1]);
        mismatches += memcmp(got.v, ref, sizeof ref) != 0;
    }
    CHECK(mismatches == 0, "%d of 100000 random blocks differ from the reference", mismatches);
}

/* The stream layout documented in philox.h: key = seed, ctr = (block, stream/substream). */
static void test_stream_layout(void)
{
    BrRng r;
    br_rng_init(&r, 0x0123456789abcdefull, 7, 9);
    int ok = 1;
    for (uint32_t block = 0; block < 3; ++block) {
        uint32_t ctr[4] = { block, 0, 9, 7 }, key[2] = { 0x89abcdef, 0x01234567 }, ref[4];
        ref_philox4x32(10, ctr, key, ref);
        for (int w = 0; w < 4; ++w)
            ok &= br_rng_u32(&r) == ref[w];
    }
    CHECK(ok, "u32 sequence is not Philox(ctr = {block, 0, substream, stream}, key = seed)");

    /* u64 = next two u32 words, high first, at every buffer offset. */
    BrRng mixed, words;
    br_rng_init(&mixed, 3, 1, 4);
    br_rng_init(&words, 3, 1, 4);
    int u64_ok = 1;
    for (int i = 0; i < 100; ++i) {
        if (i % 3 == 0)
            u64_ok &= br_rng_u32(&mixed) == br_rng_u32(&words);
        uint64_t hi = br_rng_u32(&words);
        u64_ok &= br_rng_u64(&mixed) == ((hi << 32) | br_rng_u32(&words));
    }
    CHECK(u64_ok, "u64 is not the next two u32 words");

    r.ctr[0] = 0xffffffffu; /* carry into ctr[1] after this block */
    r.used = 4;
    for (int w = 0; w < 4; ++w)
        br_rng_u32(&r);
    CHECK(r.ctr[0] == 0 && r.ctr[1] == 1, "block counter did not carry into ctr[1]");
}

static int same_prefix(uint64_t s1, uint64_t st1, uint64_t sub1, uint64_t s2, uint64_t st2,
                       uint64_t sub2)
{
    BrRng a, b;
    br_rng_init(&a, s1, st1, sub1);
    br_rng_init(&b, s2, st2, sub2);
    for (int i = 0; i < 64; ++i)
        if (br_rng_u32(&a) != br_rng_u32(&b))
            return 0;
    return 1;
}

static void test_streams(void)
{
    CHECK(same_prefix(5, 1, 2, 5, 1, 2), "same (seed, stream, substream) differ");
    CHECK(!same_prefix(5, 1, 2, 6, 1, 2), "different seeds agree");
    CHECK(!same_prefix(5, 1, 2, 5, 2, 2), "different streams agree");
    CHECK(!same_prefix(5, 1, 2, 5, 1, 3), "different substreams agree");
    CHECK(!same_prefix(5, 1, 2, 5, 2, 1), "swapped stream/substream agree");
    CHECK(!same_prefix(5, 1ull << 32, 0, 5, 0, 0), "high stream bits ignored");
    CHECK(!same_prefix(5, 0, 1ull << 32, 5, 0, 0), "high substream bits ignored");
    CHECK(!same_prefix(1ull << 32, 0, 0, 0, 0, 0), "high seed bits ignored");

    /* Neighbouring substreams must be uncorrelated. */
    BrRng a, b;
    br_rng_init(&a, 1, 0, 0);
    br_rng_init(&b, 1, 0, 1);
    double sab = 0, sa = 0, sb = 0, saa = 0, sbb = 0;
    for (int i = 0; i < N_DRAWS; ++i) {
        double x = br_rng_uniform(&a), y = br_rng_uniform(&b);
        sa += x, sb += y, sab += x * y, saa += x * x, sbb += y * y;
    }
    double n = N_DRAWS, cov = sab / n - sa / n * sb / n;
    double corr = cov / sqrt((saa / n - sa * sa / n / n) * (sbb / n - sb * sb / n / n));
    CHECK(fabs(corr) < 5.0 / sqrt(n), "substreams 0 and 1 correlate: r = %g", corr);
}

static void test_uniform(void)
{
    BrRng r;
    br_rng_init(&r, 2024, 1, 0);
    double sum = 0, sum2 = 0;
    int in_range = 1, odd_seen = 0;
    for (int i = 0; i < N_DRAWS; ++i) {
        double u = br_rng_uniform(&r);
        in_range &= u >= 0.0 && u < 1.0;
        odd_seen |= fmod(ldexp(u, 53), 2.0) == 1.0; /* uses all 53 bits */
        sum += u, sum2 += u * u;
    }
    double n = N_DRAWS, mean = sum / n, var = sum2 / n - mean * mean;
    CHECK(in_range, "uniform left [0, 1)");
    CHECK(odd_seen, "uniform never sets its 2^-53 bit");
    CHECK(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12 / n), "uniform mean %g", mean);
    CHECK(fabs(var - 1.0 / 12) < 5 * sqrt((1.0 / 80 - 1.0 / 144) / n), "uniform variance %g", var);

    int open_ok = 1;
    sum = 0;
    for (int i = 0; i < N_DRAWS; ++i) {
        double u = br_rng_uniform_open(&r);
        open_ok &= u > 0.0 && u < 1.0;
        sum += u;
    }
    CHECK(open_ok, "uniform_open left (0, 1)");
    CHECK(fabs(sum / n - 0.5) < 5 * sqrt(1.0 / 12 / n), "uniform_open mean %g", sum / n);
}

static void test_normal(void)
{
    BrRng r;
    br_rng_init(&r, 77, 3, 0);
    double s1 = 0, s2 = 0, s4 = 0, within_one = 0;
    int finite = 1;
    for (int i = 0; i < N_DRAWS; ++i) {
        double x = br_rng_normal(&r);
        finite &= isfinite(x);
        s1 += x, s2 += x * x, s4 += x * x * x * x;
        within_one += fabs(x) < 1.0;
    }
    double n = N_DRAWS, mean = s1 / n, var = s2 / n - mean * mean, m4 = s4 / n;
    double frac = within_one / n, p1 = 0.682689492137086;
    CHECK(finite, "normal produced a non-finite value");
    CHECK(fabs(mean) < 5 / sqrt(n), "normal mean %g", mean);
    CHECK(fabs(var - 1) < 5 * sqrt(2 / n), "normal variance %g", var);
    CHECK(fabs(m4 - 3) < 5 * sqrt(96 / n), "normal 4th moment %g", m4);
    CHECK(fabs(frac - p1) < 5 * sqrt(p1 * (1 - p1) / n), "P(|x| < 1) = %g", frac);
}

static double chi_square_below(BrRng *r, uint32_t bins, int draws, int *in_range)
{
    static unsigned counts[1000];
    memset(counts, 0, sizeof counts);
    for (int i = 0; i < draws; ++i) {
        uint32_t v = br_rng_below(r, bins);
        if (v >= bins) {
            *in_range = 0;
            continue;
        }
        counts[v]++;
    }
    double expect = (double)draws / bins, chi2 = 0;
    for (uint32_t b = 0; b < bins; ++b)
        chi2 += (counts[b] - expect) * (counts[b] - expect) / expect;
    return chi2;
}

static void test_below(void)
{
    BrRng r;
    br_rng_init(&r, 99, 4, 0);
    const uint32_t bin_counts[] = { 2, 7, 10, 1000 };
    for (size_t t = 0; t < 4; ++t) {
        uint32_t bins = bin_counts[t];
        int in_range = 1;
        double chi2 = chi_square_below(&r, bins, N_DRAWS, &in_range);
        double df = bins - 1.0, limit = df + 6 * sqrt(2 * df) + 10; /* ~1e-6 tail */
        CHECK(in_range, "below(%u) out of range", bins);
        CHECK(chi2 < limit, "below(%u) chi-square %g >= %g", bins, chi2, limit);
    }

    /* n = 3 * 2^30, where 2^32 / n = 4/3: plain modulo would put half of all
     * draws in [0, 2^30), multiply-shift without rejection half in v % 3 == 0. */
    uint32_t n = 0xC0000000u;
    double low = 0, third = 0, sd = 5 * sqrt(2.0 / 9 / N_DRAWS);
    int ok = 1;
    for (int i = 0; i < N_DRAWS; ++i) {
        uint32_t v = br_rng_below(&r, n);
        ok &= v < n;
        low += v < 0x40000000u;
        third += v % 3 == 0;
    }
    CHECK(ok, "below(3*2^30) out of range");
    CHECK(fabs(low / N_DRAWS - 1.0 / 3) < sd, "below favours low values: %g", low / N_DRAWS);
    CHECK(fabs(third / N_DRAWS - 1.0 / 3) < sd, "below favours multiples of 3: %g", third / N_DRAWS);

    int edge_ok = br_rng_below(&r, 0) == 0 && br_rng_below(&r, 1) == 0;
    for (int i = 0; i < 1000; ++i)
        edge_ok &= br_rng_below(&r, UINT32_MAX) < UINT32_MAX;
    CHECK(edge_ok, "below(0), below(1) or below(UINT32_MAX) misbehave");
}

static void test_geometric_moments(double p)
{
    BrRng r;
    br_rng_init(&r, 5, 6, (uint64_t)(p * 1000));
    double sum = 0, zeros = 0, tail3 = 0;
    for (int i = 0; i < N_DRAWS; ++i) {
        uint64_t k = br_rng_geometric(&r, p);
        sum += (double)k;
        zeros += k == 0;
        tail3 += k >= 3;
    }
    double n = N_DRAWS, q = 1 - p, mean = sum / n, t3 = q * q * q;
    CHECK(fabs(mean - q / p) < 5 * sqrt(q / (p * p) / n), "geometric(%g) mean %g, want %g", p,
          mean, q / p);
    CHECK(fabs(zeros / n - p) < 5 * sqrt(p * q / n), "geometric(%g) P(0) = %g", p, zeros / n);
    CHECK(fabs(tail3 / n - t3) < 5 * sqrt(t3 * (1 - t3) / n) + 1e-12, "geometric(%g) P(>=3) = %g",
          p, tail3 / n);
}

static void test_geometric(void)
{
    const double ps[] = { 0.9, 0.5, 0.1, 0.01 };
    for (size_t i = 0; i < 4; ++i)
        test_geometric_moments(ps[i]);

    BrRng r;
    br_rng_init(&r, 1, 1, 1);
    CHECK(br_rng_geometric(&r, 1.0) == 0 && br_rng_geometric(&r, 2.0) == 0, "p >= 1 must give 0");
    CHECK(br_rng_geometric(&r, 0.0) == UINT64_MAX && br_rng_geometric(&r, -0.5) == UINT64_MAX &&
              br_rng_geometric(&r, NAN) == UINT64_MAX,
          "p <= 0 or NaN must give UINT64_MAX");
    uint64_t tiny = br_rng_geometric(&r, 1e-300), denormal = br_rng_geometric(&r, 4.9e-324);
    CHECK(tiny > (1ull << 62) && denormal == UINT64_MAX, "tiny p must saturate, got %llu %llu",
          (unsigned long long)tiny, (unsigned long long)denormal);
}

int main(void)
{
    test_known_answers();
    test_matches_reference();
    test_stream_layout();
    test_streams();
    test_uniform();
    test_normal();
    test_below();
    test_geometric();
    return check_report("test_philox");
}
