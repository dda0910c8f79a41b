/* llvm_brain.c - a whole network through the LLVM backend: every
 * population's neuron kernel and every synapse group's kernels in one
 * module, optimised for the host and JIT-compiled with ORC LLJIT, plus the
 * runtime's RtBrainSpec filled from the IR. The spec borrows the IR's
 * arrays (the runtime copies them at rt_brain_create), so one compiled
 * LlvmBrain instantiates any number of independent brains. */
#include "llvm_cache.h"
#include "llvm_internal.h"
#include "llvm_reward.h"
#include "rt_brain.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct LlvmBrain {
    const Nir *nir;
    LlvmJit *jit;
    int jit_borrowed;      /* llvm_brain_share: the kernels are another LlvmBrain's */
    RtBrainSpec spec;
    void **owned;          /* the spec's own tables, freed with the brain */
    size_t nowned, capowned;
};

/* Keeps p (NULL is an allocation failure) for llvm_brain_free. */
static void *own(LlvmBrain *lb, void *p)
{
    if (!p)
        return NULL;
    if (lb->nowned == lb->capowned) {
        size_t cap = lb->capowned ? 2 * lb->capowned : 64;
        void **grown = realloc(lb->owned, cap * sizeof *grown);
        if (!grown) {
            free(p);
            return NULL;
        }
        lb->owned = grown, lb->capowned = cap;
    }
    return lb->owned[lb->nowned++] = p;
}

static void *own_array(LlvmBrain *lb, size_t n, size_t size) { return own(lb, calloc(n + 1, size)); }
static void *reward_alloc(void *lb, size_t n, size_t size) { return own_array(lb, n, size); }

/* ---- code ----------------------------------------------------------------- */

/* The variables of population p that some synapse delivers to: those the
 * runtime gives a delivery ring (rt_brain_build.c: post-side refs, not
 * parameters), in the runtime's numbering (inputs, then states). Their
 * ring slot is drained by the neuron kernel itself. */
static void delivered_vars(const Nir *nir, int p, int *fused)
{
    const NirNeuronModel *md = &nir->neuron_models[nir->pops[p].model];
    for (int v = 0; v < md->ninputs + md->nstates; v++)
        fused[v] = 0;
    for (int g = 0; g < nir->ngroups; g++) {
        const NirGroup *gr = &nir->groups[g];
        const NirSynapseModel *sm = &nir->syn_models[gr->model];
        if ((int)gr->post != p || sm->nrefs == 0)
            continue;
        int delivered[sm->nrefs];
        llvm_syn_delivered_refs(sm, delivered);
        for (int r = 0; r < sm->nrefs; r++) {
            if (!delivered[r] || !sm->refs[r].post || gr->refs[r].kind == NX_PARAM)
                continue;
            int v = gr->refs[r].kind == NX_INPUT ? gr->refs[r].slot : md->ninputs + gr->refs[r].slot;
            if (v >= 0 && v < md->ninputs + md->nstates)
                fused[v] = 1;
        }
    }
}

int llvm_brain_emit(LlvmModule *m, const Nir *nir, LlvmError *err)
{
    for (int p = 0; p < nir->npops; p++) {
        const NirNeuronModel *md = &nir->neuron_models[nir->pops[p].model];
        int *fused = calloc((size_t)(md->ninputs + md->nstates) + 1, sizeof(int));
        if (!fused)
            return llvm_fail(err, "out of memory");
        delivered_vars(nir, p, fused);
        int rc = llvm_emit_pop_update_fused(m, md, &nir->pops[p], p, nir->dt, fused, err);
        free(fused);
        if (rc)
            return -1;
    }
    for (int g = 0; g < nir->ngroups; g++) {
        const NirSynapseModel *sm = &nir->syn_models[nir->groups[g].model];
        for (int k = 0; k < LLVM_SYN_KINDS; k++)
            if (llvm_syn_has_kernel(sm, (LlvmSynKind)k) && llvm_emit_syn_kernel(m, nir, g, (LlvmSynKind)k, err))
                return -1;
    }
    if (nir->fast_math)
        llvm_module_fast_math(m);
    return llvm_merge_identical_functions(m, err) < 0 ? -1 : 0;
}

static int compile_module(LlvmBrain *lb, const char *cache_dir, LlvmError *err)
{
    int hit;
    if (cache_dir) /* llvm_cache.c: the same module, through the cache */
        return (lb->jit = llvm_cache_jit(lb->nir, cache_dir, &hit, err)) ? 0 : -1;
    LlvmTarget *tg = llvm_target_create_host(err);
    LlvmModule *m = tg ? llvm_module_create(lb->nir->brain, err) : NULL;
    int rc = m ? 0 : -1;
    rc = rc ? rc : llvm_brain_emit(m, lb->nir, err);
    rc = rc ? rc : llvm_target_optimize(tg, m, err);
    llvm_target_dispose(tg);
    lb->jit = rc ? NULL : llvm_jit_create(err);
    if (!lb->jit) {
        llvm_module_dispose(m);
        return -1;
    }
    return llvm_jit_add_module(lb->jit, m, err); /* takes m */
}

/* ---- the spec -------------------------------------------------------------- */

/* A kernel's address; without a JIT (llvm_brain_describe) a placeholder
 * that only says the kernel exists. */
static uint64_t symbol(LlvmBrain *lb, const char *name, LlvmError *err)
{
    return lb->jit ? llvm_jit_lookup(lb->jit, name, err) : 1;
}

static int fill_pop(LlvmBrain *lb, RtPopSpec *ps, int id, LlvmError *err)
{
    const NirPop *p = &lb->nir->pops[id];
    const NirNeuronModel *m = &lb->nir->neuron_models[p->model];
    double *value = own_array(lb, (size_t)m->nstates, sizeof(double));
    const double **init = own_array(lb, (size_t)m->nstates, sizeof(double *));
    const double **param = own_array(lb, (size_t)m->nparams, sizeof(double *));
    if (!value || !init || !param)
        return llvm_fail(err, "out of memory");
    for (int j = 0; j < m->nstates; j++)
        value[j] = p->state[j].value, init[j] = p->state[j].array;
    for (int j = 0; j < m->nparams; j++)
        param[j] = p->params[j].array;
    *ps = (RtPopSpec){p->path, p->size, m->nstates, m->ninputs, m->nparams, value,
                      init, param, m->refractory != NULL, NULL};
    char name[64];
    llvm_pop_update_name(id, name, sizeof name);
    ps->update = (RtPopUpdateFn)(uintptr_t)symbol(lb, name, err);
    return ps->update ? 0 : -1;
}

static RtRefKind ref_kind(NirExprKind k)
{
    return k == NX_STATE ? RT_REF_STATE : k == NX_INPUT ? RT_REF_INPUT : RT_REF_PARAM;
}

static int fill_refs(LlvmBrain *lb, RtGroupSpec *gs, const NirGroup *g, const NirSynapseModel *sm)
{
    RtRefSpec *refs = own_array(lb, (size_t)sm->nrefs, sizeof *refs);
    int *delivered = own_array(lb, (size_t)sm->nrefs, sizeof(int));
    if (!refs || !delivered)
        return -1;
    llvm_syn_delivered_refs(sm, delivered);
    for (int r = 0; r < sm->nrefs; r++)
        refs[r] = (RtRefSpec){sm->refs[r].post, ref_kind(g->refs[r].kind), g->refs[r].slot, delivered[r]};
    gs->refs = refs;
    return 0;
}

static void *kernel(LlvmBrain *lb, const NirSynapseModel *sm, int id, LlvmSynKind kind, int *failed, LlvmError *err)
{
    if (!llvm_syn_has_kernel(sm, kind))
        return NULL;
    char name[64];
    llvm_syn_kernel_name(id, kind, name, sizeof name);
    uint64_t addr = symbol(lb, name, err);
    *failed |= addr == 0;
    return (void *)(uintptr_t)addr;
}

/* Whether the code writes a neuron variable (`pre.X = ...`, `post.X =
 * ...`, `deliver`): `on post` of two post neurons might then write what the
 * other reads, so the runtime runs them one at a time
 * (RtGroupSpec.post_parallel). */
static int writes_neurons(const NirStmt *s)
{
    for (; s; s = s->next)
        if ((s->kind == NS_ASSIGN && s->var.kind == NX_REF) || s->kind == NS_DELIVER || writes_neurons(s->body) ||
            writes_neurons(s->orelse))
            return 1;
    return 0;
}

static int fill_group(LlvmBrain *lb, RtGroupSpec *gs, int id, LlvmError *err)
{
    const NirGroup *g = &lb->nir->groups[id];
    const NirSynapseModel *sm = &lb->nir->syn_models[g->model];
    double *value = own_array(lb, (size_t)sm->nstates, sizeof(double));
    const float **init = own_array(lb, (size_t)sm->nstates, sizeof(float *));
    const float **param = own_array(lb, (size_t)sm->nparams, sizeof(float *));
    if (!value || !init || !param || fill_refs(lb, gs, g, sm))
        return llvm_fail(err, "out of memory");
    for (int j = 0; j < sm->nstates; j++)
        value[j] = g->state[j].value, init[j] = g->state[j].array;
    for (int j = 0; j < sm->nparams; j++)
        param[j] = g->params[j].array;
    gs->name = g->name, gs->pre = g->pre, gs->post = g->post, gs->n_syn = g->n_syn;
    gs->row_ptr = g->row_ptr, gs->col = g->col;
    gs->nstates = sm->nstates, gs->nparams = sm->nparams, gs->nrefs = sm->nrefs;
    gs->state_value = value, gs->state_init = init, gs->param = param;
    gs->delay = g->delay, gs->delays = g->delays;
    gs->prune_flag = sm->pruned_state + 1; /* 0: the model never prunes */
    uint8_t *side = own_array(lb, (size_t)sm->nstates, 1);
    if (!side)
        return llvm_fail(err, "out of memory");
    if (nir_shared_sides(g, sm, side, NULL)) /* the kernels keep these per neuron (llvm_synapse.c) */
        gs->state_side = side;
    gs->post_parallel = sm->on_post && sm->pruned_state < 0 && !writes_neurons(sm->on_post);
    int failed = 0;
    gs->on_pre = (RtSynRowsFn)(uintptr_t)kernel(lb, sm, id, LLVM_SYN_ON_PRE, &failed, err);
    gs->on_post = (RtSynPostFn)(uintptr_t)kernel(lb, sm, id, LLVM_SYN_ON_POST, &failed, err);
    gs->on_tick = (RtSynRowsFn)(uintptr_t)kernel(lb, sm, id, LLVM_SYN_TICK, &failed, err);
    gs->on_reward = (RtSynRowsFn)(uintptr_t)kernel(lb, sm, id, LLVM_SYN_REWARD, &failed, err);
    gs->gap = (RtSynRowsFn)(uintptr_t)kernel(lb, sm, id, LLVM_SYN_GAP, &failed, err);
    return failed ? -1 : 0;
}

static void fill_input(RtInputSpec *is, const NirInput *in)
{
    static const RtInputKind kinds[] = {[NIR_IN_CURRENT] = RT_INPUT_CURRENT,
                                        [NIR_IN_POISSON] = RT_INPUT_POISSON,
                                        [NIR_IN_SPIKES] = RT_INPUT_SPIKES,
                                        [NIR_IN_RAMP] = RT_INPUT_RAMP,
                                        [NIR_IN_NOISE] = RT_INPUT_NOISE};
    *is = (RtInputSpec){kinds[in->kind], in->pop, in->n, in->idx, in->amplitude, in->rate, in->w,
                        in->times, in->ntimes, in->from, in->until, in->stream, in->amplitude_end,
                        in->sd};
}

static int fill_spec(LlvmBrain *lb, LlvmError *err)
{
    const Nir *nir = lb->nir;
    RtPopSpec *pops = own_array(lb, (size_t)nir->npops, sizeof *pops);
    RtGroupSpec *groups = own_array(lb, (size_t)nir->ngroups, sizeof *groups);
    RtInputSpec *inputs = own_array(lb, (size_t)nir->ninputs, sizeof *inputs);
    if (!pops || !groups || !inputs)
        return llvm_fail(err, "out of memory");
    lb->spec = (RtBrainSpec){nir->dt, nir->seed, (uint32_t)nir->npops, (uint32_t)nir->ngroups,
                             (uint32_t)nir->ninputs, pops, groups, inputs, 0, 0, 0, NULL, NULL};
    for (int p = 0; p < nir->npops; p++)
        if (fill_pop(lb, &pops[p], p, err))
            return -1;
    for (int g = 0; g < nir->ngroups; g++)
        if (fill_group(lb, &groups[g], g, err))
            return -1;
    for (int i = 0; i < nir->ninputs; i++)
        fill_input(&inputs[i], &nir->inputs[i]);
    if (llvm_reward_fill(nir, &lb->spec, reward_alloc, lb))
        return llvm_fail(err, "out of memory");
    return 0;
}

int llvm_brain_compile(const Nir *nir, LlvmBrain **out, LlvmError *err)
{
    return llvm_brain_compile_cached(nir, NULL, out, err);
}

int llvm_brain_compile_cached(const Nir *nir, const char *cache_dir, LlvmBrain **out, LlvmError *err)
{
    *out = NULL;
    LlvmBrain *lb = calloc(1, sizeof *lb);
    if (!lb)
        return llvm_fail(err, "out of memory");
    lb->nir = nir;
    if (compile_module(lb, cache_dir, err) || fill_spec(lb, err)) {
        llvm_brain_free(lb);
        return -1;
    }
    *out = lb;
    return 0;
}

int llvm_brain_describe(const Nir *nir, LlvmBrain **out, LlvmError *err)
{
    *out = NULL;
    LlvmBrain *lb = calloc(1, sizeof *lb);
    if (!lb)
        return llvm_fail(err, "out of memory");
    lb->nir = nir;
    if (fill_spec(lb, err)) {
        llvm_brain_free(lb);
        return -1;
    }
    *out = lb;
    return 0;
}

int llvm_brain_share(const LlvmBrain *with_code, const Nir *nir, LlvmBrain **out, LlvmError *err)
{
    *out = NULL;
    LlvmBrain *lb = calloc(1, sizeof *lb);
    if (!lb)
        return llvm_fail(err, "out of memory");
    lb->nir = nir;
    lb->jit = with_code->jit;
    lb->jit_borrowed = 1;
    if (fill_spec(lb, err)) {
        llvm_brain_free(lb);
        return -1;
    }
    *out = lb;
    return 0;
}

const RtBrainSpec *llvm_brain_spec(const LlvmBrain *lb) { return &lb->spec; }

RtBrain *llvm_brain_instantiate(LlvmBrain *lb, unsigned threads, LlvmError *err)
{
    RtError rerr = {0};
    /* The brain cannot outlive lb (its kernels live in lb's JIT), nor lb its
     * Nir: the connectivity can stay where the IR holds it. */
    RtBrainSpec spec = lb->spec;
    spec.borrow_connectivity = 1;
    RtBrain *b = rt_brain_create(&spec, threads, &rerr);
    if (!b)
        llvm_fail(err, "%s", rerr.msg);
    return b;
}

void llvm_brain_free(LlvmBrain *lb)
{
    if (!lb)
        return;
    if (!lb->jit_borrowed)
        llvm_jit_dispose(lb->jit);
    for (size_t k = 0; k < lb->nowned; k++)
        free(lb->owned[k]);
    free(lb->owned);
    free(lb);
}
