/* philox.h - Philox4x32-10 counter-based RNG (Salmon et al., SC'11) plus a
 * small stream helper. Header-only, no globals: the same (seed, stream,
 * substream) gives the same words on any thread, host or (via nvcc) GPU;
 * double-valued helpers also depend on libm's log/cos agreeing. */
#ifndef BR_PHILOX_H
#define BR_PHILOX_H

#include <math.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define BR_RNG_FN static inline __host__ __device__
#else
#define BR_RNG_FN static inline
#endif

typedef struct { uint32_t v[4]; } BrPhilox4;

/* Round multipliers and Weyl key increments from the Random123 reference. */
#define BR_PHILOX_M0 0xD2511F53u
#define BR_PHILOX_M1 0xCD9E8D57u
#define BR_PHILOX_W0 0x9E3779B9u
#define BR_PHILOX_W1 0xBB67AE85u

BR_RNG_FN BrPhilox4 br_philox4x32_round(BrPhilox4 c, uint32_t k0, uint32_t k1)
{
    uint64_t p0 = (uint64_t)BR_PHILOX_M0 * c.v[0];
    uint64_t p1 = (uint64_t)BR_PHILOX_M1 * c.v[2];
    BrPhilox4 r;
    r.v[0] = (uint32_t)(p1 >> 32) ^ c.v[1] ^ k0;
    r.v[1] = (uint32_t)p1;
    r.v[2] = (uint32_t)(p0 >> 32) ^ c.v[3] ^ k1;
    r.v[3] = (uint32_t)p0;
    return r;
}

/* Full 10-round bijection of the 128-bit counter under a 64-bit key.
 * Unrolled by hand because gcc -O2 keeps a loop here, which is slower. */
BR_RNG_FN BrPhilox4 br_philox4x32_10(BrPhilox4 c, uint32_t k0, uint32_t k1)
{
    c = br_philox4x32_round(c, k0, k1);
    c = br_philox4x32_round(c, k0 + 1u * BR_PHILOX_W0, k1 + 1u * BR_PHILOX_W1);
    c = br_philox4x32_round(c, k0 + 2u * BR_PHILOX_W0, k1 + 2u * BR_PHILOX_W1);
    c = br_philox4x32_round(c, k0 + 3u * BR_PHILOX_W0, k1 + 3u * BR_PHILOX_W1);
    c = br_philox4x32_round(c, k0 + 4u * BR_PHILOX_W0, k1 + 4u * BR_PHILOX_W1);
    c = br_philox4x32_round(c, k0 + 5u * BR_PHILOX_W0, k1 + 5u * BR_PHILOX_W1);
    c = br_philox4x32_round(c, k0 + 6u * BR_PHILOX_W0, k1 + 6u * BR_PHILOX_W1);
    c = br_philox4x32_round(c, k0 + 7u * BR_PHILOX_W0, k1 + 7u * BR_PHILOX_W1);
    c = br_philox4x32_round(c, k0 + 8u * BR_PHILOX_W0, k1 + 8u * BR_PHILOX_W1);
    return br_philox4x32_round(c, k0 + 9u * BR_PHILOX_W0, k1 + 9u * BR_PHILOX_W1);
}

/* A stream: key = seed, ctr[3] = stream, ctr[2] = substream, ctr[0..1] =
 * 64-bit block index. Outputs are buffered four words at a time. */
typedef struct {
    uint32_t key[2];
    uint32_t ctr[4];
    BrPhilox4 buf;
    int used; /* words of buf already handed out (4 = empty) */
} BrRng;

/* Injective for stream, substream < 2^32 (the practical range); higher
 * halves are folded in with odd multipliers so they still matter. */
BR_RNG_FN void br_rng_init(BrRng *r, uint64_t seed, uint64_t stream, uint64_t substream)
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->ctr[0] = 0;
    r->ctr[1] = 0;
    r->ctr[2] = (uint32_t)substream ^ ((uint32_t)(stream >> 32) * 0x9E3779B1u);
    r->ctr[3] = (uint32_t)stream ^ ((uint32_t)(substream >> 32) * 0x85EBCA6Bu);
    r->used = 4;
}

/* Next block into buf. Kept apart from br_rng_u32 so that the common
 * path stays small enough to inline. */
BR_RNG_FN void br_rng_refill(BrRng *r)
{
    BrPhilox4 c = { { r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3] } };
    r->buf = br_philox4x32_10(c, r->key[0], r->key[1]);
    if (++r->ctr[0] == 0)
        ++r->ctr[1];
    r->used = 0;
}

BR_RNG_FN uint32_t br_rng_u32(BrRng *r)
{
    if (r->used >= 4)
        br_rng_refill(r);
    return r->buf.v[r->used++];
}

/* Same words as two br_rng_u32 calls (high first), one branch if buffered. */
BR_RNG_FN uint64_t br_rng_u64(BrRng *r)
{
    if (r->used > 2) {
        uint64_t hi = br_rng_u32(r);
        return (hi << 32) | br_rng_u32(r);
    }
    uint64_t hi = r->buf.v[r->used], lo = r->buf.v[r->used + 1];
    r->used += 2;
    return (hi << 32) | lo;
}

/* [0, 1) on the 2^-53 grid: every representable step is equally likely. */
BR_RNG_FN double br_rng_uniform(BrRng *r)
{
    return (double)(br_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0) /* 2^-53 */;
}

/* (0, 1): midpoints of a 2^-52 grid, so log() of it is always finite. */
BR_RNG_FN double br_rng_uniform_open(BrRng *r)
{
    return ((double)(br_rng_u64(r) >> 12) + 0.5) * (1.0 / 4503599627370496.0) /* 2^-52 */;
}

/* Standard normal via Box-Muller, one value per call (no hidden cached
 * second value, so the draw count per call is fixed at four words). */
BR_RNG_FN double br_rng_normal(BrRng *r)
{
    const double two_pi = 6.283185307179586476925286766559;
    double radius = sqrt(-2.0 * log(br_rng_uniform_open(r)));
    return radius * cos(two_pi * br_rng_uniform(r));
}

/* Unbiased integer in [0, n) by Lemire's multiply-and-reject; n == 0 -> 0. */
BR_RNG_FN uint32_t br_rng_below(BrRng *r, uint32_t n)
{
    uint64_t m = (uint64_t)br_rng_u32(r) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n; /* 2^32 mod n */
        while (low < threshold) {
            m = (uint64_t)br_rng_u32(r) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* Geometric draw given inv_log_q = 1 / log1p(-p) for 0 < p < 1: hoisting
 * the log1p lets hot loops pay for a single log per draw. Saturates at
 * UINT64_MAX. */
BR_RNG_FN uint64_t br_rng_geometric_inv(BrRng *r, double inv_log_q)
{
    double k = log(br_rng_uniform_open(r)) * inv_log_q;
    if (!(k < 18446744073709551616.0)) /* 2^64, or NaN */
        return UINT64_MAX;
    return k > 0.0 ? (uint64_t)k : 0; /* truncation is floor for k >= 0 */
}

/* Failures before the first success of a Bernoulli(p) sequence:
 * P(K = k) = (1-p)^k p. p >= 1 -> 0; p <= 0 (or NaN) -> UINT64_MAX. */
BR_RNG_FN uint64_t br_rng_geometric(BrRng *r, double p)
{
    if (p >= 1.0)
        return 0;
    if (!(p > 0.0))
        return UINT64_MAX;
    return br_rng_geometric_inv(r, 1.0 / log1p(-p));
}

#endif /* BR_PHILOX_H */
