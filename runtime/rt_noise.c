/* rt_noise.c - Gaussian noise currents; see rt_noise.h. Counter layout
 * (Philox4x32-10, philox.h), under a key derived from (seed, stream, 'nois'):
 *
 *   first try   : counter = {neuron / 2, 0,       tick lo, tick hi}
 *                 words 0-1 for the even neuron, words 2-3 for the odd one
 *   later tries : counter = {neuron,     attempt, tick lo, tick hi}, attempt >= 1
 *
 * so every (seed, stream, neuron, tick) has its own numbers. */
#include "rt_noise.h"

#include "philox.h"

#include <math.h>

#define RT_NOISE_TAG 0x6E6F6973u /* "nois": keeps these keys apart from Poisson's */

/* Marsaglia and Tsang (2000), "The ziggurat method for generating random
 * variables", 256 layers: the rightmost edge and the area of each layer. */
#define ZIG_R 3.6541528853610088
#define ZIG_V 0.00492867323399

void rt_normal_table_init(RtNormalTable *t)
{
    t->x[0] = ZIG_V / exp(-0.5 * ZIG_R * ZIG_R); /* the base layer holds the tail's area too */
    t->x[1] = ZIG_R;
    for (int i = 2; i < 256; i++)
        t->x[i] = sqrt(-2.0 * log(ZIG_V / t->x[i - 1] + exp(-0.5 * t->x[i - 1] * t->x[i - 1])));
    t->x[256] = 0.0;
    for (int i = 0; i <= 256; i++)
        t->f[i] = exp(-0.5 * t->x[i] * t->x[i]);
}

void rt_noise_key(uint64_t seed, uint64_t stream, uint32_t key[2])
{
    BrPhilox4 c = {{(uint32_t)stream, (uint32_t)(stream >> 32), RT_NOISE_TAG, 0}};
    BrPhilox4 k = br_philox4x32_10(c, (uint32_t)seed, (uint32_t)(seed >> 32));
    key[0] = k.v[0];
    key[1] = k.v[1];
}

static BrPhilox4 block(const uint32_t key[2], uint32_t word0, uint32_t attempt, uint64_t tick)
{
    BrPhilox4 c = {{word0, attempt, (uint32_t)tick, (uint32_t)(tick >> 32)}};
    return br_philox4x32_10(c, key[0], key[1]);
}

static uint64_t word64(uint32_t hi, uint32_t lo)
{
    return (uint64_t)hi << 32 | lo;
}

/* [0, 1) and (0, 1) on 2^-53 and 2^-52 grids (as philox.h's helpers). */
static double uniform(uint64_t w)
{
    return (double)(w >> 11) * 0x1.0p-53;
}
static double uniform_open(uint64_t w)
{
    return ((double)(w >> 12) + 0.5) * 0x1.0p-52;
}

/* One try: bits 0-7 pick the layer, bit 8 the sign, bits 11-63 the point
 * along the layer; *x is that point. 1 when it lies inside the rectangle
 * under the curve, the common case that needs nothing more. */
static int inside(const RtNormalTable *t, uint64_t bits, double *x)
{
    unsigned i = (unsigned)(bits & 0xFF);
    double a = uniform(bits) * t->x[i];
    *x = a * (1.0 - (double)(bits >> 7 & 2)); /* no branch: the sign is a coin toss */
    return a < t->x[i + 1];
}

/* The rest of a draw whose first try (bits) fell outside its rectangle:
 * the wedge test, or the tail beyond ZIG_R, then fresh tries. */
static double draw_rest(const RtNormalTable *t, const uint32_t key[2], uint64_t tick,
                        uint32_t neuron, uint64_t bits)
{
    uint32_t attempt = 1;
    for (;;) {
        double x;
        if (inside(t, bits, &x)) return x;
        unsigned i = (unsigned)(bits & 0xFF);
        double sign = 1.0 - (double)(bits >> 7 & 2);
        BrPhilox4 r = block(key, neuron, attempt++, tick);
        if (i == 0) {
            for (;;) { /* the tail (Marsaglia 1964): R + a with density ~ exp(-(R + a)^2 / 2) */
                double a = -log(uniform_open(word64(r.v[0], r.v[1]))) / ZIG_R;
                double y = -log(uniform_open(word64(r.v[2], r.v[3])));
                if (y + y >= a * a) return sign * (ZIG_R + a);
                r = block(key, neuron, attempt++, tick);
            }
        }
        double y = t->f[i] + uniform(word64(r.v[0], r.v[1])) * (t->f[i + 1] - t->f[i]);
        if (y < exp(-0.5 * x * x)) return x;
        bits = word64(r.v[2], r.v[3]);
    }
}

static double draw(const RtNormalTable *t, const uint32_t key[2], uint64_t tick, uint32_t neuron,
                   uint64_t bits)
{
    double x;
    return inside(t, bits, &x) ? x : draw_rest(t, key, tick, neuron, bits);
}

double rt_noise_normal(const RtNormalTable *t, const uint32_t key[2], uint64_t tick,
                       uint32_t neuron)
{
    BrPhilox4 r = block(key, neuron / 2, 0, tick);
    uint64_t bits = neuron & 1 ? word64(r.v[2], r.v[3]) : word64(r.v[0], r.v[1]);
    return draw(t, key, tick, neuron, bits);
}

/* Neurons whose first-try bits are drawn in one pass (first_tries), then
 * go through the ziggurat. */
#define RT_NOISE_CHUNK 128

/* The first-try bits of npairs pairs of neurons from pair0 on: a loop
 * over counters alone, which the compiler vectorises. */
static void first_tries(const uint32_t key[2], uint64_t tick, uint32_t pair0, uint32_t npairs,
                        uint64_t *bits)
{
    for (uint32_t j = 0; j < npairs; j++) {
        BrPhilox4 r = block(key, pair0 + j, 0, tick);
        bits[2 * j] = word64(r.v[0], r.v[1]);
        bits[2 * j + 1] = word64(r.v[2], r.v[3]);
    }
}

void rt_noise_add_range(const RtNormalTable *t, const uint32_t key[2], uint64_t tick,
                        uint32_t begin, uint32_t end, const uint32_t *idx, double mean, double sd,
                        double *acc)
{
    uint64_t bits[RT_NOISE_CHUNK + 2]; /* an odd start takes one more pair */
    for (uint64_t start = begin; start < end; start += RT_NOISE_CHUNK) { /* 64 bits: no wrap */
        uint32_t m = end - start < RT_NOISE_CHUNK ? (uint32_t)(end - start) : RT_NOISE_CHUNK;
        uint32_t pair0 = (uint32_t)(start / 2), odd = (uint32_t)(start & 1);
        first_tries(key, tick, pair0, (odd + m + 1) / 2, bits);
        for (uint32_t j = 0; j < m; j++) {
            uint32_t k = (uint32_t)start + j;
            double z = draw(t, key, tick, k, bits[odd + j]);
            acc[idx ? idx[k] : k] += mean + sd * z;
        }
    }
}

void rt_noise_add(const RtNormalTable *t, const uint32_t key[2], uint64_t tick, uint32_t n,
                  const uint32_t *idx, double mean, double sd, double *acc)
{
    rt_noise_add_range(t, key, tick, 0, n, idx, mean, sd, acc);
}
