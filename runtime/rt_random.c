/* rt_random.c - `random()` of model code (rt_abi.h): one Philox4x32-10
 * block per call, keyed by the network seed, with the counter made of the
 * population's stream, the element, the tick and the call site. Stateless,
 * so every thread count and backend draws the same values. */
#include "philox.h"
#include "rt_abi.h"

double rt_random(uint64_t seed, uint64_t stream, uint64_t index, uint64_t tick, uint32_t site)
{
    /* Injective in (index, tick, site, stream) for index, tick < 2^32; the
     * high halves are folded in with odd multipliers so they still count. */
    BrPhilox4 c = {{(uint32_t)index,
                    (uint32_t)tick,
                    site ^ ((uint32_t)(tick >> 32) * 0x9E3779B1u),
                    (uint32_t)stream ^ ((uint32_t)(stream >> 32) * 0x85EBCA6Bu) ^
                        ((uint32_t)(index >> 32) * 0xC2B2AE35u)}};
    BrPhilox4 r = br_philox4x32_10(c, (uint32_t)seed, (uint32_t)(seed >> 32));
    uint64_t bits = ((uint64_t)r.v[0] << 32) | r.v[1];
    return (double)(bits >> 11) * (1.0 / 9007199254740992.0); /* 2^-53 */
}

uint64_t rt_random_stream(const char *name, uint64_t position)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (const char *p = name ? name : ""; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 0x100000001b3ull;
    }
    h ^= (position + 1) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 31;
    return h * 0xBF58476D1CE4E5B9ull ^ 0x72616e646f6dull; /* "random" */
}
