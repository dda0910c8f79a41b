/* test_rt_spikes_collect.c - rt_spikes_collect against the obvious scan
 * (every k with spiked[k] != 0, ascending) on random flag arrays: sizes
 * 0..200 and 4001 (every tail length after the 64- and 8-flag steps),
 * unaligned starts, densities from none to all, and flag bytes other than
 * 1 (any nonzero byte is a spike). */
#include "rt_test.h"

#include "rt_spikes.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) /* splitmix64: test-only, independent of the runtime */
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

enum { MAXN = 4001 };

static void check(uint32_t n, unsigned offset, double density)
{
    static uint8_t buf[MAXN + 8];
    static uint32_t got[MAXN], want[MAXN];
    uint8_t *spiked = buf + offset;
    uint32_t nw = 0;
    for (uint32_t k = 0; k < n; k++) {
        int on = (double)(next() >> 11) * 0x1.0p-53 < density;
        spiked[k] = on ? (uint8_t)(k % 3 == 0 ? 1 : 1 + next() % 255) : 0;
        if (on)
            want[nw++] = k;
    }
    uint32_t ng = rt_spikes_collect(spiked, n, got);
    int same = ng == nw;
    for (uint32_t j = 0; same && j < nw; j++)
        same = got[j] == want[j];
    CHECK(same, "n %u offset %u density %g: %u spikes, expected %u", n, offset, density, ng, nw);
}

int main(void)
{
    static const double densities[] = { 0, 0.002, 0.05, 0.5, 0.95, 1 };
    for (size_t d = 0; d < sizeof densities / sizeof densities[0]; d++)
        for (unsigned offset = 0; offset < 3; offset++) {
            for (uint32_t n = 0; n <= 200; n++)
                check(n, offset, densities[d]);
            check(MAXN, offset, densities[d]);
        }
    return rt_test_report();
}
