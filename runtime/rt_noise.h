/* rt_noise.h - Gaussian noise currents: mean + sd * N(0, 1) per neuron per
 * tick (the `noise(mean, sd)` stimulus, docs/language.md §7.6).
 *
 * A draw is a pure function of (seed, stream, neuron, tick), like the
 * Poisson trains of rt_inputs.h: the same numbers on any thread count, in
 * any call order, and after resuming a checkpoint. Standard normals come
 * from Marsaglia and Tsang's ziggurat (256 layers) fed by Philox4x32-10;
 * one Philox block serves two neurons when both land inside their
 * rectangles (about 99% of draws), and the rest draw further blocks of
 * their own. */
#ifndef BR_RT_NOISE_H
#define BR_RT_NOISE_H

#include <stdint.h>

/* The ziggurat's layer edges x[i] and densities f[i] = exp(-x[i]^2 / 2),
 * computed once per brain (rt_normal_table_init). */
typedef struct RtNormalTable {
    double x[257], f[257];
} RtNormalTable;

void rt_normal_table_init(RtNormalTable *t);

/* The Philox key of one noise input: a function of the seed and the
 * input's stream, distinct from the keys of Poisson inputs. */
void rt_noise_key(uint64_t seed, uint64_t stream, uint32_t key[2]);

/* The standard normal drawn for neuron `neuron` at `tick`. */
double rt_noise_normal(const RtNormalTable *t, const uint32_t key[2], uint64_t tick,
                       uint32_t neuron);

/* acc[idx ? idx[k] : k] += mean + sd * (the normal of neuron k), k < n. */
void rt_noise_add(const RtNormalTable *t, const uint32_t key[2], uint64_t tick, uint32_t n,
                  const uint32_t *idx, double mean, double sd, double *acc);

/* The same for begin <= k < end: any split of [0, n) into ranges gives
 * rt_noise_add's sums (so threads may share an input whose idx has no
 * neuron twice). */
void rt_noise_add_range(const RtNormalTable *t, const uint32_t key[2], uint64_t tick,
                        uint32_t begin, uint32_t end, const uint32_t *idx, double mean, double sd,
                        double *acc);

#endif
