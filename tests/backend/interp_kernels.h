/* interp_kernels.h - shared by the backend tests that run synapse groups
 * through the reference interpreter (test_syn_interp.c,
 * test_prune_compact.c): use_interpreter replaces every kernel pointer of
 * a brain's groups with a trampoline into compiler/backend/interp_syn.c.
 * Kernels get only their RtGroupState, so the trampolines map it back to
 * the group; interp_reset forgets every brain registered so far. */
#ifndef TEST_INTERP_KERNELS_H
#define TEST_INTERP_KERNELS_H
#include "backend/interp.h"
#include "rt_brain.h"
#include "rt_brain_internal.h"

enum { MAX_GROUPS = 32 };
static struct {
    const RtGroupState *gs;
    const Nir *nir;
    int group;
} tramp[MAX_GROUPS];
static int ntramp, interp_failed;

static void run_interp(const RtGroupState *gs, InterpSynKind kind, uint32_t begin, uint32_t end,
                       uint64_t tick, double value)
{
    for (int i = 0; i < ntramp; i++) {
        if (tramp[i].gs != gs)
            continue;
        const Nir *nir = tramp[i].nir;
        const NirGroup *g = &nir->groups[tramp[i].group];
        if (interp_syn_run(&nir->syn_models[g->model], g, &nir->pops[g->pre], &nir->pops[g->post],
                           gs, kind, begin, end, tick, value, nir->dt))
            interp_failed++;
        return;
    }
    interp_failed++;
}

static void tr_pre(const RtGroupState *gs, uint32_t b, uint32_t e, uint64_t t, double v)
{
    run_interp(gs, INTERP_SYN_PRE, b, e, t, v);
}
static void tr_tick(const RtGroupState *gs, uint32_t b, uint32_t e, uint64_t t, double v)
{
    run_interp(gs, INTERP_SYN_TICK, b, e, t, v);
}
static void tr_reward(const RtGroupState *gs, uint32_t b, uint32_t e, uint64_t t, double v)
{
    run_interp(gs, INTERP_SYN_REWARD, b, e, t, v);
}
static void tr_gap(const RtGroupState *gs, uint32_t b, uint32_t e, uint64_t t, double v)
{
    run_interp(gs, INTERP_SYN_GAP, b, e, t, v);
}
static void tr_post(const RtGroupState *gs, uint32_t post, uint64_t t)
{
    run_interp(gs, INTERP_SYN_POST, post, post + 1, t, 0);
}

static void interp_reset(void)
{
    ntramp = 0;
}

static void use_interpreter(RtBrain *b, const Nir *nir)
{
    for (uint32_t i = 0; i < b->ngroups && ntramp < MAX_GROUPS; i++) {
        RtGroup *g = &b->groups[i];
        tramp[ntramp].gs = &g->s;
        tramp[ntramp].nir = nir;
        tramp[ntramp++].group = (int)i;
        g->on_pre = g->on_pre ? tr_pre : NULL;
        g->on_post = g->on_post ? tr_post : NULL;
        g->on_tick = g->on_tick ? tr_tick : NULL;
        g->on_reward = g->on_reward ? tr_reward : NULL;
        g->gap = g->gap ? tr_gap : NULL;
    }
}

/* A brain of the compiled network spec whose synapse states are all kept
 * per synapse, as the interpreter keeps them (the JIT may keep shared
 * traces per neuron, nir_shared.c): use_interpreter needs this layout, and
 * comparing it with the JIT's brain checks the shared traces too. */
static inline RtBrain *instantiate_per_synapse(const RtBrainSpec *compiled, unsigned threads)
{
    RtBrainSpec spec = *compiled;
    RtGroupSpec *groups = calloc((size_t)spec.ngroups + 1, sizeof *groups);
    if (!groups)
        return NULL;
    for (uint32_t i = 0; i < spec.ngroups; i++) {
        groups[i] = spec.groups[i];
        groups[i].state_side = NULL;
    }
    spec.groups = groups;
    RtError err = {0};
    RtBrain *b = rt_brain_create(&spec, threads, &err);
    if (!b)
        printf("instantiate failed: %s\n", err.msg);
    free(groups);
    return b;
}
#endif
