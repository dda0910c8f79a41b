/* test_compiled.h - shared by the backend tests that run whole brains
 * (test_brain_run.c, test_syn_interp.c): a network built from source text
 * (test_nir_util.h), JIT-compiled, and fresh brains of it. */
#ifndef TEST_COMPILED_H
#define TEST_COMPILED_H
#include "../unit/test_nir_util.h"
#include "backend/llvm/llvm_codegen.h"
#include "rt_brain.h"

typedef struct Compiled {
    Net net;
    LlvmBrain *lb;
} Compiled;

static int compile(Compiled *c, const char *src, uint64_t seed)
{
    NirOptions opt = opts_seed(seed);
    if (!net_ok(&c->net, src, &opt))
        return -1;
    LlvmError err = {{0}};
    if (llvm_brain_compile(c->net.nir, &c->lb, &err)) {
        printf("compile failed: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static void compiled_free(Compiled *c)
{
    llvm_brain_free(c->lb);
    net_free(&c->net);
}

/* 1 when every synapse state (in synapse-id order, whatever the layout)
 * and every neuron state of x and y is bit-identical; adds the synapse
 * values compared to *compared (when not NULL). */
static inline int brains_equal(RtBrain *x, RtBrain *y, const Nir *nir, uint64_t *compared)
{
    for (int gi = 0; gi < nir->ngroups; gi++) {
        const NirGroup *g = &nir->groups[gi];
        for (int j = 0; j < nir->syn_models[g->model].nstates; j++) {
            const double *a = rt_brain_group_state(x, (uint32_t)gi, j);
            const double *b = rt_brain_group_state(y, (uint32_t)gi, j);
            if (!a || !b || memcmp(a, b, sizeof(double) * g->n_syn) != 0)
                return 0;
            if (compared)
                *compared += g->n_syn;
        }
    }
    for (int p = 0; p < nir->npops; p++) {
        const NirNeuronModel *m = &nir->neuron_models[nir->pops[p].model];
        for (int j = 0; j < m->nstates; j++)
            if (memcmp(rt_brain_pop_state(x, (uint32_t)p, j), rt_brain_pop_state(y, (uint32_t)p, j),
                       sizeof(double) * nir->pops[p].size) != 0)
                return 0;
    }
    return 1;
}

/* One tick of x and y, with the same reward (1 or -0.5) every 40 ticks. */
static inline void step_both(RtBrain *x, RtBrain *y, int t)
{
    if (t % 40 == 20) {
        rt_brain_reward(x, t % 80 == 20 ? 1.0 : -0.5);
        rt_brain_reward(y, t % 80 == 20 ? 1.0 : -0.5);
    }
    rt_brain_step(x, 1, NULL);
    rt_brain_step(y, 1, NULL);
}

static RtBrain *instantiate(Compiled *c, unsigned threads)
{
    LlvmError err = {{0}};
    RtBrain *b = llvm_brain_instantiate(c->lb, threads, &err);
    if (!b)
        printf("instantiate failed: %s\n", err.msg);
    return b;
}
#endif
