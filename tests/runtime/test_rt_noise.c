/* test_rt_noise.c - Gaussian noise currents (rt_noise.h) against the normal
 * distribution itself: the ziggurat's layers have the documented equal
 * areas, and 4 million draws match N(0, 1) in their moments, in a
 * chi-square test over 60 bins of the exact CDF (from erfc), in the
 * frequency of the tail beyond the base layer, and show no correlation
 * between neighbouring neurons (who share a Philox block) or consecutive
 * ticks. A draw is a pure function of (key, neuron, tick): rt_noise_add
 * over any split, order or index list gives rt_noise_normal's values. */
#include "rt_test.h"

#include "rt_noise.h"

#include <math.h>

#define ZIG_R 3.6541528853610088
#define ZIG_V 0.00492867323399

static double phi(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

static void test_table(void)
{
    RtNormalTable t;
    rt_normal_table_init(&t);
    int decreasing = 1;
    double worst = 0;
    for (int i = 0; i < 256; i++) {
        decreasing &= t.x[i] > t.x[i + 1];
        if (i >= 1) { /* layer i: width x[i], between the densities at x[i] and x[i + 1] */
            double area = t.x[i] * (t.f[i + 1] - t.f[i]);
            worst = fmax(worst, fabs(area - ZIG_V) / ZIG_V);
        }
    }
    CHECK(decreasing && t.x[1] == ZIG_R && t.x[256] == 0, "layer edges decrease from R to 0");
    CHECK(worst < 1e-6, "every layer has area V (worst relative error %g)", worst);
    /* the base layer: the rectangle under f(R) up to R, plus the tail */
    double tail = sqrt(2 * atan(1.0)) * erfc(ZIG_R / sqrt(2.0));
    CHECK(fabs(t.x[0] * t.f[1] - ZIG_V) < 1e-15 && fabs(ZIG_R * t.f[1] + tail - ZIG_V) < 1e-9,
          "base layer: %.12g vs V, rectangle + tail %.12g", t.x[0] * t.f[1], ZIG_R * t.f[1] + tail);
}

enum { NEURONS = 4000, TICKS = 1000, BINS = 60 };

static void test_distribution(void)
{
    RtNormalTable t;
    rt_normal_table_init(&t);
    uint32_t key[2];
    rt_noise_key(42, 7, key);
    double *z = calloc(NEURONS, sizeof *z), *prev = calloc(NEURONS, sizeof *prev);
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0, pair = 0, lag = 0;
    long counts[BINS] = {0}, tail = 0, total = 0;
    for (int tick = 0; tick < TICKS; tick++) {
        memset(z, 0, NEURONS * sizeof *z);
        rt_noise_add(&t, key, (uint64_t)tick, NEURONS, NULL, 0.0, 1.0, z);
        for (int k = 0; k < NEURONS; k++) {
            double x = z[k];
            s1 += x, s2 += x * x, s3 += x * x * x, s4 += x * x * x * x;
            tail += fabs(x) > ZIG_R;
            int b =
                (int)floor((x + 3.0) * 10.0); /* 0.1 wide bins over [-3, 3), then the two ends */
            counts[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]++;
            if (k % 2) pair += x * z[k - 1];
            if (tick) lag += x * prev[k];
        }
        total += NEURONS;
        memcpy(prev, z, NEURONS * sizeof *z);
    }
    double n = (double)total;
    double mean = s1 / n, var = s2 / n - mean * mean;
    CHECK(fabs(mean) < 4 / sqrt(n), "mean %.5f (4 standard errors: %.5f)", mean, 4 / sqrt(n));
    CHECK(fabs(var - 1) < 4 * sqrt(2 / n), "variance %.5f", var);
    CHECK(fabs(s3 / n) < 4 * sqrt(15 / n), "third moment %.5f", s3 / n);
    CHECK(fabs(s4 / n - 3) < 4 * sqrt(96 / n), "fourth moment %.5f (3 for a normal)", s4 / n);
    double chi2 = 0;
    for (int b = 0; b < BINS; b++) {
        double lo = b == 0 ? -INFINITY : -3.0 + b * 0.1,
               hi = b == BINS - 1 ? INFINITY : -3.0 + (b + 1) * 0.1;
        double expect = n * ((isinf(hi) ? 1 : phi(hi)) - (isinf(lo) ? 0 : phi(lo)));
        chi2 += (counts[b] - expect) * (counts[b] - expect) / expect;
    }
    /* 59 degrees of freedom: P(chi2 > 100) is about 0.0007 */
    CHECK(chi2 < 100, "chi-square over %d bins of the normal CDF: %.1f", BINS, chi2);
    double want = n * erfc(ZIG_R / sqrt(2.0));
    CHECK(fabs((double)tail - want) < 4 * sqrt(want),
          "beyond the base layer: %ld draws, %.0f expected", tail, want);
    double npairs = n / 2, nlag = n - NEURONS;
    CHECK(fabs(pair / npairs) < 4 / sqrt(npairs), "no correlation within a Philox block: %.5f",
          pair / npairs);
    CHECK(fabs(lag / nlag) < 4 / sqrt(nlag), "no correlation between ticks: %.5f", lag / nlag);
    free(z);
    free(prev);
}

static void test_pure_function(void)
{
    RtNormalTable t;
    rt_normal_table_init(&t);
    uint32_t key[2], other[2];
    rt_noise_key(5, 1, key);
    rt_noise_key(5, 2, other);
    enum { N = 301 }; /* odd, and more than two chunks */
    double whole[N] = {0}, scaled[N] = {0};
    rt_noise_add(&t, key, 12345, N, NULL, 0, 1, whole);
    int same = 1;
    for (uint32_t k = 0; k < N; k++)
        same &= whole[k] == rt_noise_normal(&t, key, 12345, k);
    CHECK(same, "rt_noise_add gives rt_noise_normal's draws");
    /* an index list: neuron k of the input adds into acc[idx[k]] */
    uint32_t idx[N];
    for (uint32_t k = 0; k < N; k++)
        idx[k] = N - 1 - k;
    rt_noise_add(&t, key, 12345, N, idx, 2.5, 0.5, scaled);
    same = 1;
    for (uint32_t k = 0; k < N; k++)
        same &= scaled[N - 1 - k] == 2.5 + 0.5 * whole[k];
    CHECK(same, "index lists and mean + sd * z");
    /* ranges that split pairs and chunks give the same sums */
    double pieces[N] = {0};
    uint32_t cuts[] = {0, 1, 2, 5, 128, 129, 130, 257, 300, N};
    for (int c = 0; c + 1 < (int)(sizeof cuts / sizeof cuts[0]); c++)
        rt_noise_add_range(&t, key, 12345, cuts[c], cuts[c + 1], idx, 2.5, 0.5, pieces);
    CHECK(memcmp(pieces, scaled, sizeof pieces) == 0, "rt_noise_add_range over odd cuts = rt_noise_add");
    double zero[3] = {1, 1, 1};
    rt_noise_add(&t, key, 9, 3, NULL, -4, 0, zero);
    CHECK(zero[0] == -3 && zero[1] == -3 && zero[2] == -3, "sd 0 adds the mean exactly");
    int differ_tick = 0, differ_key = 0;
    for (uint32_t k = 0; k < 100; k++) {
        double a = rt_noise_normal(&t, key, 7, k);
        differ_tick += a != rt_noise_normal(&t, key, 8, k);
        differ_key += a != rt_noise_normal(&t, other, 7, k);
    }
    CHECK(differ_tick == 100 && differ_key == 100,
          "other ticks and other streams draw other numbers");
    uint32_t k2[2];
    rt_noise_key(5, 1, k2);
    CHECK(k2[0] == key[0] && k2[1] == key[1], "the key depends only on (seed, stream)");
}

int main(void)
{
    test_table();
    test_distribution();
    test_pure_function();
    return rt_test_report();
}
