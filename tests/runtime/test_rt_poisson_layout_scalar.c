/* test_rt_poisson_layout_scalar.c - test_rt_poisson_layout.c against the
 * Bernoulli sampler built without its AVX-512 path (RT_POISSON_NO_AVX512),
 * so the block-by-block path that CPUs without AVX-512 take is checked on
 * every machine too. */
#define RT_TEST_POISSON_SCALAR 1
#include "test_rt_poisson_layout.c"
