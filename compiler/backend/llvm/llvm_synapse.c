/* llvm_synapse.c - the kernels of one synapse group (runtime/rt_abi.h has
 * their signatures and the RtGroupState they read):
 *
 *   group_<id>_on_pre   (RtSynRowsFn) `on pre` over CSR rows [pre_begin, pre_end)
 *   group_<id>_on_post  (RtSynPostFn) `on post` over the CSC list of one post neuron
 *   group_<id>_tick     (RtSynRowsFn) decays, then `update`, of every synapse
 *   group_<id>_reward   (RtSynRowsFn) `on reward`, `reward` = value
 *   group_<id>_gap      (RtSynRowsFn) gap coupling g * (pre.v - post.v)
 *
 * Per synapse k (pre neuron i, post neuron j): the synapse's states are
 * loaded into allocas, parameters are constants when uniform in the group
 * and loads otherwise, pre.X / post.X are pointers into the neuron arrays
 * (so `post.x += e` writes through at once), the handler runs, and the
 * states are stored back. `deliver v [to x]` adds v to
 * ring[x][((tick + delay_k) % ring_len) * n_post + j]: the value is computed
 * at emission and reaches the post neuron at the start of tick + delay
 * (docs/language.md §12). Decays are applied every tick, x *= exp(-dt/tau),
 * not lazily: simple, and what the language defines.
 *
 * Pruning (`prune`, models with a hidden "(pruned)" state, nir.h): every
 * kernel tests the synapse's flag first and skips a pruned synapse; `prune`
 * sets the flag, counts itself (added to *npruned when the kernel returns)
 * and ends the synapse's code for this event. Once the runtime has
 * compacted the group (runtime/rt_compact.c, rt_abi.h row_live), kernels
 * walk only the live synapses: rows through row_live, the per-tick and
 * reward kernels in one loop, random() keyed by syn_id (docs/language.md
 * §5.5 has the measurements).
 *
 * Everything is written with LLVM 14's typed pointers spelled out, so the
 * same code builds with opaque pointers (15 and later). */
#include "llvm_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct SynKernel {
    LlvmGen g;
    const NirSynapseModel *model;
    const NirGroup *group;
    const NirPop *side[2];        /* pre and post populations */
    LlvmSynKind kind;
    LLVMTypeRef f64p, f64pp, i16, i16p, i32p, i64p, st;
    LLVMValueRef fn, gs, tick, value;
    LLVMValueRef row_ptr, col, delay, csc_ptr, csc_syn, csc_pre, ring_len, ring_now, n_post;
    LLVMValueRef *state_arr, *param_arr, *ref_arr, *ring_arr;
    LLVMValueRef *state_var, *local_var, *ref_ptr, *param_val;
    LLVMValueRef k, pre, post;    /* i64, of the synapse being run */
    LLVMBasicBlockRef store_bb;   /* pruning models: where the synapse's states are stored */
    LLVMValueRef rows, syn_pre;   /* pruning models: row_live once compacted, else row_ptr; syn_pre */
    LLVMValueRef nprune;          /* pruning models: an i64 alloca, the prunes of this call */
    /* Shared traces (nir_shared.c): shared[j] is where state j is kept
     * (NIR_SIDE_*). One this kernel assigns (per pre neuron in `on pre`,
     * per post neuron in `on post`) is loaded once per neuron into
     * before[j]; each synapse starts from that value, and the last one's
     * result is stored once after the neuron's synapses. */
    uint8_t *shared;
    uint8_t *assigned; /* [nstates] states this kernel's code may assign (store_synapse) */
    LLVMValueRef *before;
    int decay_side;  /* shared_decay_one: the side being decayed */
    int update_side; /* NIR_SIDE_PRE / _POST: `update` runs once per neuron of that side */
    void *mem;
} SynKernel;

void llvm_syn_kernel_name(int group_id, LlvmSynKind kind, char *buf, size_t size)
{
    static const char *const suffix[LLVM_SYN_KINDS] = {"on_pre", "on_post", "tick", "reward", "gap"};
    snprintf(buf, size, "group_%d_%s", group_id, suffix[kind]);
}

/* ---- which kernels, which refs ------------------------------------------------ */

static void mark_delivered(const NirStmt *s, int *flags)
{
    for (; s; s = s->next) {
        if (s->kind == NS_DELIVER)
            flags[s->ref] = 1;
        mark_delivered(s->body, flags);
        mark_delivered(s->orelse, flags);
    }
}

void llvm_syn_delivered_refs(const NirSynapseModel *m, int *flags)
{
    for (int r = 0; r < m->nrefs; r++)
        flags[r] = 0;
    mark_delivered(m->on_pre, flags);
    mark_delivered(m->on_post, flags);
    mark_delivered(m->on_reward, flags);
    mark_delivered(m->update, flags);
}

int llvm_syn_has_kernel(const NirSynapseModel *m, LlvmSynKind kind)
{
    switch (kind) {
    case LLVM_SYN_ON_PRE: return !m->is_gap && m->on_pre != NULL;
    case LLVM_SYN_ON_POST: return !m->is_gap && m->on_post != NULL;
    case LLVM_SYN_TICK: return !m->is_gap && (m->ndecays > 0 || m->update != NULL);
    case LLVM_SYN_REWARD: return !m->is_gap && m->on_reward != NULL;
    case LLVM_SYN_GAP: return m->is_gap;
    default: return 0;
    }
}

/* ---- set-up ----------------------------------------------------------------------- */

/* Which states the kernel's code may change: only those are stored back.
 * A model that prunes stores every state (`prune` sets the hidden one). */
static void mark_assigned_states(SynKernel *kn)
{
    const NirSynapseModel *md = kn->model;
    if (md->pruned_state >= 0) {
        memset(kn->assigned, 1, (size_t)md->nstates);
        return;
    }
    switch (kn->kind) {
    case LLVM_SYN_ON_PRE: nir_mark_assigned(md->on_pre, kn->assigned); break;
    case LLVM_SYN_ON_POST: nir_mark_assigned(md->on_post, kn->assigned); break;
    case LLVM_SYN_REWARD: nir_mark_assigned(md->on_reward, kn->assigned); break;
    case LLVM_SYN_TICK:
        for (int d = 0; d < md->ndecays; d++)
            kn->assigned[md->decays[d].state] = 1;
        nir_mark_assigned(md->update, kn->assigned);
        break;
    default: break;
    }
}

static int kernel_init(SynKernel *kn, LlvmModule *m, const Nir *nir, int group_id, LlvmSynKind kind)
{
    LlvmGen *g = &kn->g;
    kn->group = &nir->groups[group_id];
    kn->model = &nir->syn_models[kn->group->model];
    kn->side[0] = &nir->pops[kn->group->pre];
    kn->side[1] = &nir->pops[kn->group->post];
    kn->kind = kind;
    g->ctx = m->ctx;
    g->mod = m->mod;
    g->b = LLVMCreateBuilderInContext(m->ctx);
    g->f64 = LLVMDoubleTypeInContext(m->ctx);
    g->i1 = LLVMInt1TypeInContext(m->ctx);
    g->i8 = LLVMInt8TypeInContext(m->ctx);
    g->i32 = LLVMInt32TypeInContext(m->ctx);
    g->i64 = LLVMInt64TypeInContext(m->ctx);
    g->ptr = LLVMPointerType(g->f64, 0);
    g->dt = nir->dt;
    g->owner = kn;
    kn->f64p = g->ptr;
    kn->f64pp = LLVMPointerType(kn->f64p, 0);
    kn->i16 = LLVMInt16TypeInContext(m->ctx);
    kn->i16p = LLVMPointerType(kn->i16, 0);
    kn->i32p = LLVMPointerType(g->i32, 0);
    kn->i64p = LLVMPointerType(g->i64, 0);
    const NirSynapseModel *md = kn->model;
    int ns = md->nstates, np = md->nparams, nr = md->nrefs, nl = md->nlocals;
    LLVMValueRef *v = kn->mem = calloc((size_t)(3 * ns + 3 * np + 4 * nr + nl + 1), sizeof(LLVMValueRef));
    if (!v || !(kn->shared = calloc((size_t)ns + 1, 1)) || !(kn->assigned = calloc((size_t)ns + 1, 1)))
        return -1;
    nir_shared_sides(kn->group, md, kn->shared, &kn->update_side);
    mark_assigned_states(kn);
    kn->before = v, v += ns;
    kn->state_arr = v, v += ns;
    kn->state_var = v, v += ns;
    kn->param_arr = v, v += np;
    kn->param_val = v, v += np;
    g->param = v, v += np;
    kn->ref_arr = v, v += nr;
    kn->ring_arr = v, v += nr;
    kn->ref_ptr = v, v += nr;
    g->ref = v, v += nr;
    kn->local_var = v;
    g->state = kn->state_var;
    g->local = kn->local_var;
    g->input = NULL;
    return 0;
}

static void kernel_free(SynKernel *kn)
{
    if (kn->g.b)
        LLVMDisposeBuilder(kn->g.b);
    free(kn->mem);
    free(kn->shared);
    free(kn->assigned);
}

/* The side whose neurons this kernel runs one at a time (`on pre`: pre,
 * `on post`: post): the shared states of that side are the ones it may
 * assign. */
static int own_side(const SynKernel *kn)
{
    return kn->kind == LLVM_SYN_ON_PRE ? NIR_SIDE_PRE : kn->kind == LLVM_SYN_ON_POST ? NIR_SIDE_POST : -1;
}

/* Where synapse k's value of state j is: its own element, or its pre or
 * post neuron's. */
static LLVMValueRef state_index(const SynKernel *kn, int j)
{
    return kn->shared[j] == NIR_SIDE_PRE ? kn->pre : kn->shared[j] == NIR_SIDE_POST ? kn->post : kn->k;
}

/* struct RtGroupState, in FIELDNO_GROUPSTATE_* order. */
static LLVMTypeRef group_state_type(SynKernel *kn)
{
    LlvmGen *g = &kn->g;
    LLVMTypeRef ty = LLVMGetTypeByName2(g->ctx, "struct.RtGroupState");
    if (ty)
        return ty;
    LLVMTypeRef f[19] = {kn->f64pp, kn->f64pp, kn->i64p, kn->i32p, kn->i16p, kn->f64pp,
                         kn->f64pp, kn->i64p, kn->i64p, kn->i32p, g->i32, g->i32, g->i64, g->i64,
                         kn->i64p, kn->i32p, kn->i64p, kn->i64p, kn->i32p};
    ty = LLVMStructCreateNamed(g->ctx, "struct.RtGroupState");
    LLVMStructSetBody(ty, f, 19, 0);
    return ty;
}

static LLVMValueRef load_field(SynKernel *kn, unsigned field, LLVMTypeRef ty, const char *name)
{
    LLVMValueRef p = LLVMBuildStructGEP2(kn->g.b, kn->st, kn->gs, field, "");
    return LLVMBuildLoad2(kn->g.b, ty, p, name);
}

static LLVMValueRef i64c(SynKernel *kn, uint64_t v) { return LLVMConstInt(kn->g.i64, v, 0); }

/* base[idx] as a pointer to an element of type ty. */
static LLVMValueRef elem_ptr(SynKernel *kn, LLVMTypeRef ty, LLVMValueRef base, LLVMValueRef idx)
{
    return LLVMBuildInBoundsGEP2(kn->g.b, ty, base, &idx, 1, "");
}

static LLVMValueRef load_elem(SynKernel *kn, LLVMTypeRef ty, LLVMValueRef base, LLVMValueRef idx)
{
    return LLVMBuildLoad2(kn->g.b, ty, elem_ptr(kn, ty, base, idx), "");
}

/* table[j], a double* */
static LLVMValueRef load_table(SynKernel *kn, unsigned field, int j)
{
    LLVMValueRef table = load_field(kn, field, kn->f64pp, "");
    return load_elem(kn, kn->f64p, table, i64c(kn, (uint64_t)j));
}

static int ref_is_constant(SynKernel *kn, int r)
{
    const NirVar *v = &kn->group->refs[r];
    const NirPop *p = kn->side[kn->model->refs[r].post];
    return v->kind == NX_PARAM && !p->params[v->slot].array;
}

/* Loads the array pointers the kernel uses, once, in the entry block. */
static void load_arrays(SynKernel *kn, const int *delivered)
{
    LlvmGen *g = &kn->g;
    const NirSynapseModel *md = kn->model;
    kn->row_ptr = load_field(kn, FIELDNO_GROUPSTATE_ROW_PTR, kn->i64p, "row_ptr");
    kn->col = load_field(kn, FIELDNO_GROUPSTATE_COL, kn->i32p, "col");
    kn->delay = load_field(kn, FIELDNO_GROUPSTATE_DELAY, kn->i16p, "delay");
    kn->csc_ptr = load_field(kn, FIELDNO_GROUPSTATE_CSC_PTR, kn->i64p, "csc_ptr");
    kn->csc_syn = load_field(kn, FIELDNO_GROUPSTATE_CSC_SYN, kn->i64p, "csc_syn");
    kn->csc_pre = load_field(kn, FIELDNO_GROUPSTATE_CSC_PRE, kn->i32p, "csc_pre");
    kn->ring_len = LLVMBuildZExt(g->b, load_field(kn, FIELDNO_GROUPSTATE_RING_LEN, g->i32, ""), g->i64, "ring_len");
    kn->n_post = LLVMBuildZExt(g->b, load_field(kn, FIELDNO_GROUPSTATE_N_POST, g->i32, ""), g->i64, "n_post");
    for (int j = 0; j < md->nstates; j++) {
        kn->state_arr[j] = load_table(kn, FIELDNO_GROUPSTATE_STATE, j);
        kn->state_var[j] = LLVMBuildAlloca(g->b, g->f64, md->states[j]);
        if (kn->shared[j] == own_side(kn))
            kn->before[j] = LLVMBuildAlloca(g->b, g->f64, "before");
    }
    for (int j = 0; j < md->nparams; j++)
        if (kn->group->params[j].array)
            kn->param_arr[j] = load_table(kn, FIELDNO_GROUPSTATE_PARAM, j);
    for (int j = 0; j < md->nlocals; j++)
        kn->local_var[j] = LLVMBuildAlloca(g->b, g->f64, "local");
    for (int r = 0; r < md->nrefs; r++) {
        if (ref_is_constant(kn, r)) {
            /* a uniform neuron parameter: a constant behind an alloca */
            const NirVar *v = &kn->group->refs[r];
            kn->ref_ptr[r] = LLVMBuildAlloca(g->b, g->f64, "ref_const");
            LLVMBuildStore(g->b, llvm_const(g, kn->side[md->refs[r].post]->params[v->slot].value), kn->ref_ptr[r]);
        } else {
            kn->ref_arr[r] = load_table(kn, FIELDNO_GROUPSTATE_REF, r);
        }
        if (delivered && delivered[r])
            kn->ring_arr[r] = load_table(kn, FIELDNO_GROUPSTATE_RING, r);
        if (delivered && delivered[r] && !kn->ring_now) {
            LLVMValueRef now = load_field(kn, FIELDNO_GROUPSTATE_RING_NOW, kn->i32p, "ring_now_ptr");
            kn->ring_now = LLVMBuildZExt(g->b, LLVMBuildLoad2(g->b, g->i32, now, ""), g->i64, "ring_now");
        }
    }
    g->rng_seed = load_field(kn, FIELDNO_GROUPSTATE_SEED, g->i64, "seed");
    g->rng_stream = load_field(kn, FIELDNO_GROUPSTATE_STREAM, g->i64, "stream");
    g->rng_tick = kn->tick;
    LLVMValueRef tick_f = LLVMBuildUIToFP(g->b, kn->tick, g->f64, "");
    g->t = LLVMBuildFMul(g->b, tick_f, llvm_const(g, g->dt), "t");
}

/* ---- one synapse ---------------------------------------------------------------- */

/* `deliver v to x`: adds v to the ring slot of tick + delay of the post neuron. */
static void emit_deliver(LlvmGen *g, const NirStmt *s)
{
    SynKernel *kn = g->owner;
    LLVMValueRef v = llvm_expr(g, s->value);
    LLVMValueRef d = kn->group->delays ? LLVMBuildZExt(g->b, load_elem(kn, kn->i16, kn->delay, kn->k), g->i64, "")
                                       : i64c(kn, kn->group->delay);
    LLVMValueRef when = LLVMBuildAdd(g->b, kn->ring_now, d, "");
    LLVMValueRef wraps = LLVMBuildICmp(g->b, LLVMIntUGE, when, kn->ring_len, "");
    LLVMValueRef slot = LLVMBuildSelect(g->b, wraps, LLVMBuildSub(g->b, when, kn->ring_len, ""), when, "slot");
    LLVMValueRef idx = LLVMBuildAdd(g->b, LLVMBuildMul(g->b, slot, kn->n_post, ""), kn->post, "");
    LLVMValueRef p = elem_ptr(kn, g->f64, kn->ring_arr[s->ref], idx);
    LLVMValueRef sum = LLVMBuildFAdd(g->b, LLVMBuildLoad2(g->b, g->f64, p, ""), v, "");
    LLVMBuildStore(g->b, sum, p);
}

static void load_synapse(SynKernel *kn)
{
    LlvmGen *g = &kn->g;
    const NirSynapseModel *md = kn->model;
    for (int j = 0; j < md->nparams; j++)
        g->param[j] = kn->param_arr[j] ? load_elem(kn, g->f64, kn->param_arr[j], kn->k)
                                       : llvm_const(g, kn->group->params[j].value);
    for (int j = 0; j < md->nstates; j++) {
        LLVMValueRef at = state_index(kn, j);
        if (!kn->before[j] && !at)
            continue; /* a shared state in a flat pass, which does not read it */
        LLVMValueRef x = kn->before[j] ? LLVMBuildLoad2(g->b, g->f64, kn->before[j], "")
                                       : load_elem(kn, g->f64, kn->state_arr[j], at);
        LLVMBuildStore(g->b, x, kn->state_var[j]);
    }
    for (int j = 0; j < md->nlocals; j++)
        LLVMBuildStore(g->b, llvm_const(g, 0), kn->local_var[j]);
    for (int r = 0; r < md->nrefs; r++)
        g->ref[r] = !kn->ref_arr[r] ? kn->ref_ptr[r]
                    : !kn->pre      ? NULL /* a flat pass reads no neuron (tick_is_flat) */
                                    : elem_ptr(kn, g->f64, kn->ref_arr[r], md->refs[r].post ? kn->post : kn->pre);
}

/* States the kernel's code never assigns are not stored (their cache lines
 * stay clean); shared states are stored once per neuron (shared_end), or
 * never: no other kernel assigns them. */
static void store_synapse(SynKernel *kn)
{
    LlvmGen *g = &kn->g;
    for (int j = 0; j < kn->model->nstates; j++) {
        if (kn->shared[j] != NIR_SIDE_SYNAPSE || !kn->assigned[j])
            continue;
        LLVMValueRef x = LLVMBuildLoad2(g->b, g->f64, kn->state_var[j], "");
        LLVMBuildStore(g->b, x, elem_ptr(kn, g->f64, kn->state_arr[j], kn->k));
    }
}

/* x *= exp(-dt / tau) for each decay, then `update`. */
static void emit_tick_body(SynKernel *kn)
{
    LlvmGen *g = &kn->g;
    for (int d = 0; d < kn->model->ndecays; d++) {
        if (kn->shared[kn->model->decays[d].state] != NIR_SIDE_SYNAPSE)
            continue; /* decayed per neuron, before the synapses (emit_shared_decays) */
        LLVMValueRef slot = kn->state_var[kn->model->decays[d].state];
        LLVMValueRef q = LLVMBuildFDiv(g->b, llvm_const(g, -g->dt), llvm_expr(g, kn->model->decays[d].tau), "");
        LLVMValueRef f = llvm_call_intrinsic(g, "llvm.exp.f64", &q, 1);
        LLVMBuildStore(g->b, LLVMBuildFMul(g->b, LLVMBuildLoad2(g->b, g->f64, slot, ""), f, ""), slot);
    }
    if (kn->update_side == NIR_SIDE_SYNAPSE)
        llvm_stmts(g, kn->model->update); /* else once per neuron (neuron_update) */
}

/* c = g * (pre.v - post.v); post.in += c; pre.in -= c. */
static void emit_gap_body(SynKernel *kn)
{
    LlvmGen *g = &kn->g;
    const NirSynapseModel *md = kn->model;
    LLVMValueRef vpre = LLVMBuildLoad2(g->b, g->f64, g->ref[md->gap_pre_var], "");
    LLVMValueRef vpost = LLVMBuildLoad2(g->b, g->f64, g->ref[md->gap_post_var], "");
    LLVMValueRef c = LLVMBuildFMul(g->b, llvm_expr(g, md->gap_g), LLVMBuildFSub(g->b, vpre, vpost, ""), "gap");
    LLVMValueRef in_post = g->ref[md->gap_post_in], in_pre = g->ref[md->gap_pre_in];
    LLVMBuildStore(g->b, LLVMBuildFAdd(g->b, LLVMBuildLoad2(g->b, g->f64, in_post, ""), c, ""), in_post);
    LLVMBuildStore(g->b, LLVMBuildFSub(g->b, LLVMBuildLoad2(g->b, g->f64, in_pre, ""), c, ""), in_pre);
}

/* `prune`: the hidden state becomes 1 and the synapse's code ends (its
 * states, as they are now, are stored). The prunes are counted in a local
 * and added to *npruned when the kernel returns (prune_count_end): a store
 * through npruned inside the loop could alias the state arrays and would
 * keep the loop from being vectorised. */
static void emit_prune(LlvmGen *g)
{
    SynKernel *kn = g->owner;
    LLVMBuildStore(g->b, llvm_const(g, 1), kn->state_var[kn->model->pruned_state]);
    LLVMValueRef n = LLVMBuildLoad2(g->b, g->i64, kn->nprune, "");
    LLVMBuildStore(g->b, LLVMBuildAdd(g->b, n, i64c(kn, 1), ""), kn->nprune);
    LLVMBuildBr(g->b, kn->store_bb);
    LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_pruned.dead"));
}

static void prune_count_begin(SynKernel *kn)
{
    if (kn->model->pruned_state < 0)
        return;
    kn->nprune = LLVMBuildAlloca(kn->g.b, kn->g.i64, "nprune");
    LLVMBuildStore(kn->g.b, i64c(kn, 0), kn->nprune);
}

/* *npruned += the prunes of this call, when npruned is not NULL. */
static void prune_count_end(SynKernel *kn)
{
    LlvmGen *g = &kn->g;
    if (kn->model->pruned_state < 0)
        return;
    LLVMValueRef np = load_field(kn, FIELDNO_GROUPSTATE_NPRUNED, kn->i64p, "npruned");
    LLVMBasicBlockRef count = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_prune.count");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_prune.done");
    LLVMBuildCondBr(g->b, LLVMBuildIsNull(g->b, np, ""), done, count);
    LLVMPositionBuilderAtEnd(g->b, count);
    LLVMValueRef n = LLVMBuildLoad2(g->b, g->i64, kn->nprune, "");
    LLVMBuildStore(g->b, LLVMBuildAdd(g->b, LLVMBuildLoad2(g->b, g->i64, np, ""), n, ""), np);
    LLVMBuildBr(g->b, done);
    LLVMPositionBuilderAtEnd(g->b, done);
}

/* random()'s index in a model that prunes: the synapse id, which after a
 * compaction (rt_abi.h) is syn_id[k], else the position k. Unused (no
 * random()), it is optimised away. */
static void emit_synapse_id(SynKernel *kn)
{
    LlvmGen *g = &kn->g;
    LLVMValueRef ids = load_field(kn, FIELDNO_GROUPSTATE_SYN_ID, kn->i64p, "syn_id");
    LLVMBasicBlockRef from = LLVMGetInsertBlock(g->b);
    LLVMBasicBlockRef moved = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_syn.moved");
    LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_syn.id");
    LLVMBuildCondBr(g->b, LLVMBuildIsNull(g->b, ids, ""), join, moved);
    LLVMPositionBuilderAtEnd(g->b, moved);
    LLVMValueRef id = load_elem(kn, g->i64, ids, kn->k);
    LLVMBuildBr(g->b, join);
    LLVMPositionBuilderAtEnd(g->b, join);
    g->rng_index = LLVMBuildPhi(g->b, g->i64, "syn_id");
    LLVMValueRef vals[2] = {kn->k, id};
    LLVMBasicBlockRef bbs[2] = {from, moved};
    LLVMAddIncoming(g->rng_index, vals, bbs, 2);
}

/* One synapse. In a model that prunes, a synapse whose hidden state is not
 * 0 is skipped before anything of it is loaded: a pruned synapse costs one
 * load and a branch per visit (docs/language.md §5.5). */
static void emit_synapse(SynKernel *kn)
{
    LlvmGen *g = &kn->g;
    int ps = kn->model->pruned_state;
    LLVMBasicBlockRef skip = NULL;
    if (ps >= 0) {
        LLVMBasicBlockRef live = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_syn.live");
        skip = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_syn.next");
        kn->store_bb = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_syn.store");
        LLVMValueRef flag = load_elem(kn, g->f64, kn->state_arr[ps], kn->k);
        LLVMBuildCondBr(g->b, LLVMBuildFCmp(g->b, LLVMRealUNE, flag, llvm_const(g, 0), "pruned"), skip, live);
        LLVMPositionBuilderAtEnd(g->b, live);
        emit_synapse_id(kn);
    }
    load_synapse(kn);
    switch (kn->kind) {
    case LLVM_SYN_ON_PRE: llvm_stmts(g, kn->model->on_pre); break;
    case LLVM_SYN_ON_POST: llvm_stmts(g, kn->model->on_post); break;
    case LLVM_SYN_REWARD: llvm_stmts(g, kn->model->on_reward); break;
    case LLVM_SYN_TICK: emit_tick_body(kn); break;
    case LLVM_SYN_GAP: emit_gap_body(kn); break;
    default: break;
    }
    if (ps >= 0) {
        LLVMBuildBr(g->b, kn->store_bb);
        LLVMPositionBuilderAtEnd(g->b, kn->store_bb);
    }
    store_synapse(kn);
    if (ps >= 0) {
        LLVMBuildBr(g->b, skip);
        LLVMPositionBuilderAtEnd(g->b, skip);
    }
}

/* ---- loops ---------------------------------------------------------------------- */

typedef void (*LoopBody)(SynKernel *kn, LLVMValueRef i);

/* for (i = begin; i < end; i++) body(i), i an i64. */
static void emit_loop(SynKernel *kn, LLVMValueRef begin, LLVMValueRef end, LoopBody body, const char *name)
{
    LlvmGen *g = &kn->g;
    LLVMBasicBlockRef from = LLVMGetInsertBlock(g->b);
    LLVMBasicBlockRef cond = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, name);
    LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_loop.body");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_loop.end");
    LLVMBuildBr(g->b, cond);
    LLVMPositionBuilderAtEnd(g->b, cond);
    LLVMValueRef i = LLVMBuildPhi(g->b, g->i64, "i");
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntULT, i, end, ""), bb, done);
    LLVMPositionBuilderAtEnd(g->b, bb);
    body(kn, i);
    LLVMValueRef next = LLVMBuildAdd(g->b, i, i64c(kn, 1), "");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(g->b);
    LLVMBuildBr(g->b, cond);
    LLVMValueRef vals[2] = {begin, next};
    LLVMBasicBlockRef bbs[2] = {from, latch};
    LLVMAddIncoming(i, vals, bbs, 2);
    LLVMPositionBuilderAtEnd(g->b, done);
}

/* Before the synapses of neuron n (pre in `on pre`, post in `on post`):
 * the values of the shared states this kernel assigns, as every synapse
 * starts from them; also in the state variables, so that a neuron without
 * synapses stores back what it loaded. */
static void shared_begin(SynKernel *kn, LLVMValueRef n)
{
    for (int j = 0; j < kn->model->nstates; j++)
        if (kn->before[j]) {
            LLVMValueRef x = load_elem(kn, kn->g.f64, kn->state_arr[j], n);
            LLVMBuildStore(kn->g.b, x, kn->before[j]);
            LLVMBuildStore(kn->g.b, x, kn->state_var[j]);
        }
}

/* After them: the value every synapse computed, stored once. */
static void shared_end(SynKernel *kn, LLVMValueRef n)
{
    for (int j = 0; j < kn->model->nstates; j++)
        if (kn->before[j]) {
            LLVMValueRef x = LLVMBuildLoad2(kn->g.b, kn->g.f64, kn->state_var[j], "");
            LLVMBuildStore(kn->g.b, x, elem_ptr(kn, kn->g.f64, kn->state_arr[j], n));
        }
}

/* Synapse k of the current row. */
static void row_synapse(SynKernel *kn, LLVMValueRef k)
{
    kn->k = kn->g.rng_index = k;
    kn->post = LLVMBuildZExt(kn->g.b, load_elem(kn, kn->g.i32, kn->col, k), kn->g.i64, "post");
    emit_synapse(kn);
}

/* CSR row of pre neuron i. */
static void row(SynKernel *kn, LLVMValueRef i)
{
    kn->pre = i;
    LLVMValueRef rows = kn->rows ? kn->rows : kn->row_ptr; /* pruning models: row_live once compacted */
    LLVMValueRef b = load_elem(kn, kn->g.i64, rows, i);
    LLVMValueRef e = load_elem(kn, kn->g.i64, rows, LLVMBuildAdd(kn->g.b, i, i64c(kn, 1), ""));
    shared_begin(kn, i);
    emit_loop(kn, b, e, row_synapse, "b_syn.cond");
    shared_end(kn, i);
}

/* Entry e of the post neuron's CSC list. */
static void incoming_synapse(SynKernel *kn, LLVMValueRef e)
{
    kn->k = kn->g.rng_index = load_elem(kn, kn->g.i64, kn->csc_syn, e);
    kn->pre = LLVMBuildZExt(kn->g.b, load_elem(kn, kn->g.i32, kn->csc_pre, e), kn->g.i64, "pre");
    emit_synapse(kn);
}

/* Position k of a compacted group's live synapses (rt_abi.h row_live):
 * its pre neuron is syn_pre[k]. */
static void live_synapse(SynKernel *kn, LLVMValueRef k)
{
    LlvmGen *g = &kn->g;
    kn->pre = LLVMBuildZExt(g->b, load_elem(kn, g->i32, kn->syn_pre, k), g->i64, "pre");
    row_synapse(kn, k);
}

/* The rows [begin, end). In a model that prunes, the runtime may have
 * compacted the group (row_live not NULL): then rows are row_live's, and
 * the per-tick and reward kernels walk the live synapses of the rows asked
 * for, [row_live[begin], row_live[end]), in one loop, so that their cost
 * follows the live synapses however the pruned ones are scattered
 * (bench/prune.sh). Otherwise row by row through row_ptr. */
static void emit_rows(SynKernel *kn, LLVMValueRef b, LLVMValueRef e)
{
    LlvmGen *g = &kn->g;
    if (kn->model->pruned_state < 0) {
        emit_loop(kn, b, e, row, "b_row.cond");
        return;
    }
    LLVMValueRef live = load_field(kn, FIELDNO_GROUPSTATE_ROW_LIVE, kn->i64p, "row_live");
    LLVMValueRef compacted = LLVMBuildIsNotNull(g->b, live, "compacted");
    kn->rows = LLVMBuildSelect(g->b, compacted, live, kn->row_ptr, "rows");
    if (kn->kind != LLVM_SYN_TICK && kn->kind != LLVM_SYN_REWARD) {
        emit_loop(kn, b, e, row, "b_row.cond");
        return;
    }
    kn->syn_pre = load_field(kn, FIELDNO_GROUPSTATE_SYN_PRE, kn->i32p, "syn_pre");
    LLVMBasicBlockRef flat = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_rows.live");
    LLVMBasicBlockRef by_rows = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_rows.all");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_rows.done");
    LLVMBuildCondBr(g->b, compacted, flat, by_rows);
    LLVMPositionBuilderAtEnd(g->b, flat);
    LLVMValueRef first = load_elem(kn, g->i64, live, b), last = load_elem(kn, g->i64, live, e);
    emit_loop(kn, first, last, live_synapse, "b_live.cond");
    LLVMBuildBr(g->b, done);
    LLVMPositionBuilderAtEnd(g->b, by_rows);
    emit_loop(kn, b, e, row, "b_row.cond");
    LLVMBuildBr(g->b, done);
    LLVMPositionBuilderAtEnd(g->b, done);
}

/* ---- shared decays ----------------------------------------------------------- */

/* Whether the per-tick kernel has anything to do per synapse: a decay of a
 * state kept per synapse, or `update`. */
static int per_synapse_tick(const SynKernel *kn)
{
    for (int d = 0; d < kn->model->ndecays; d++)
        if (kn->shared[kn->model->decays[d].state] == NIR_SIDE_SYNAPSE)
            return 1;
    return kn->model->update != NULL && kn->update_side == NIR_SIDE_SYNAPSE;
}

/* Whether e reads anything of a synapse's neurons: pre.X / post.X, or a
 * state kept per neuron. */
static int reads_neurons(const SynKernel *kn, const NirExpr *e)
{
    if (!e)
        return 0;
    if (e->kind == NX_REF || (e->kind == NX_STATE && kn->shared[e->slot] != NIR_SIDE_SYNAPSE))
        return 1;
    return reads_neurons(kn, e->a) || reads_neurons(kn, e->b) || reads_neurons(kn, e->c);
}

static int stmts_read_neurons(const SynKernel *kn, const NirStmt *s)
{
    for (; s; s = s->next)
        if (s->kind == NS_DELIVER || s->kind == NS_PRUNE || reads_neurons(kn, s->value) ||
            (s->kind == NS_ASSIGN && s->var.kind == NX_REF) || stmts_read_neurons(kn, s->body) ||
            stmts_read_neurons(kn, s->orelse))
            return 1;
    return 0;
}

/* Whether the per-tick work of a synapse needs only the synapse itself
 * (decays, and an `update` that reads no neuron): then the kernel runs over
 * the synapses of the rows as one flat range, which vectorises however
 * short the rows are. Models that prune walk their live synapses instead
 * (emit_rows). */
static int tick_is_flat(const SynKernel *kn)
{
    if (kn->model->pruned_state >= 0)
        return 0;
    for (int d = 0; d < kn->model->ndecays; d++)
        if (reads_neurons(kn, kn->model->decays[d].tau))
            return 0;
    return kn->update_side != NIR_SIDE_SYNAPSE || !stmts_read_neurons(kn, kn->model->update);
}

static void flat_synapse(SynKernel *kn, LLVMValueRef k)
{
    kn->k = kn->g.rng_index = k;
    kn->pre = kn->post = NULL; /* read by nothing (tick_is_flat) */
    emit_synapse(kn);
}

/* Synapses [row_ptr[b], row_ptr[e]): those of rows [b, e), in order. */
static void emit_flat(SynKernel *kn, LLVMValueRef b, LLVMValueRef e)
{
    LLVMValueRef kb = load_elem(kn, kn->g.i64, kn->row_ptr, b);
    LLVMValueRef ke = load_elem(kn, kn->g.i64, kn->row_ptr, e);
    emit_loop(kn, kb, ke, flat_synapse, "b_flat.cond");
}

/* x *= exp(-dt / tau) for the decays of states kept on one side, neuron n
 * (kn->decay_side says which). The factor is computed as the per-synapse
 * decay computes it, so the values are the same bit for bit. */
/* `update` once for neuron n of the side it runs on (nir_shared.c: it
 * assigns and reads only states shared on that side, and neuron variables
 * of that side), after that neuron's decays, as each of its synapses would
 * run it after theirs. */
static void neuron_update(SynKernel *kn, LLVMValueRef n)
{
    LlvmGen *g = &kn->g;
    const NirSynapseModel *md = kn->model;
    kn->pre = kn->update_side == NIR_SIDE_PRE ? n : NULL;
    kn->post = kn->update_side == NIR_SIDE_POST ? n : NULL;
    kn->k = g->rng_index = n; /* random() is not uniform: never in such an update */
    for (int j = 0; j < md->nstates; j++)
        if (kn->shared[j] == kn->update_side)
            LLVMBuildStore(g->b, load_elem(kn, g->f64, kn->state_arr[j], n), kn->state_var[j]);
    for (int j = 0; j < md->nlocals; j++)
        LLVMBuildStore(g->b, llvm_const(g, 0), kn->local_var[j]);
    for (int r = 0; r < md->nrefs; r++)
        g->ref[r] = !kn->ref_arr[r] ? kn->ref_ptr[r]
                    : md->refs[r].post == (kn->update_side == NIR_SIDE_POST)
                        ? elem_ptr(kn, g->f64, kn->ref_arr[r], n)
                        : NULL; /* the other side's: not read (nir_shared.c) */
    llvm_stmts(g, md->update);
    for (int j = 0; j < md->nstates; j++)
        if (kn->shared[j] == kn->update_side && kn->assigned[j])
            LLVMBuildStore(g->b, LLVMBuildLoad2(g->b, g->f64, kn->state_var[j], ""),
                           elem_ptr(kn, g->f64, kn->state_arr[j], n));
}

static void shared_decay_one(SynKernel *kn, LLVMValueRef n)
{
    LlvmGen *g = &kn->g;
    for (int d = 0; d < kn->model->ndecays; d++) {
        int j = kn->model->decays[d].state;
        if (kn->shared[j] != kn->decay_side)
            continue;
        LLVMValueRef q = LLVMBuildFDiv(g->b, llvm_const(g, -g->dt), llvm_expr(g, kn->model->decays[d].tau), "");
        LLVMValueRef f = llvm_call_intrinsic(g, "llvm.exp.f64", &q, 1);
        LLVMValueRef p = elem_ptr(kn, g->f64, kn->state_arr[j], n);
        LLVMBuildStore(g->b, LLVMBuildFMul(g->b, LLVMBuildLoad2(g->b, g->f64, p, ""), f, ""), p);
    }
    if (kn->update_side == kn->decay_side)
        neuron_update(kn, n);
}

/* The decays of shared states (and `update`, when it runs per neuron),
 * before the synapses': pre neurons [b, e), and the same share of the post neurons,
 * [b * n_post / n_pre, e * n_post / n_pre), so that calls over rows that
 * cover all pre neurons cover all post neurons once. Time constants are
 * uniform in the group (nir_shared.c), so parameters are its constants. */
static void emit_shared_decays(SynKernel *kn, LLVMValueRef b, LLVMValueRef e)
{
    LlvmGen *g = &kn->g;
    for (int j = 0; j < kn->model->nparams; j++)
        g->param[j] = llvm_const(g, kn->group->params[j].value);
    uint64_t n_pre = kn->side[0]->size, n_post = kn->side[1]->size;
    for (int side = NIR_SIDE_PRE; side <= NIR_SIDE_POST; side++) {
        int any = kn->update_side == side;
        for (int d = 0; d < kn->model->ndecays; d++)
            any |= kn->shared[kn->model->decays[d].state] == side;
        if (!any || n_pre == 0)
            continue;
        kn->decay_side = side;
        LLVMValueRef lo = b, hi = e;
        if (side == NIR_SIDE_POST) {
            lo = LLVMBuildUDiv(g->b, LLVMBuildMul(g->b, b, i64c(kn, n_post), ""), i64c(kn, n_pre), "");
            hi = LLVMBuildUDiv(g->b, LLVMBuildMul(g->b, e, i64c(kn, n_post), ""), i64c(kn, n_pre), "");
        }
        emit_loop(kn, lo, hi, shared_decay_one, "b_decay.cond");
    }
}

/* ---- the function ------------------------------------------------------------ */

static void declare_fn(SynKernel *kn, const char *name)
{
    LlvmGen *g = &kn->g;
    kn->st = group_state_type(kn);
    LLVMTypeRef stp = LLVMPointerType(kn->st, 0);
    LLVMTypeRef rows[5] = {stp, g->i32, g->i32, g->i64, g->f64};
    LLVMTypeRef post[3] = {stp, g->i32, g->i64};
    int is_post = kn->kind == LLVM_SYN_ON_POST;
    LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(g->ctx), is_post ? post : rows, is_post ? 3 : 5, 0);
    kn->fn = LLVMAddFunction(g->mod, name, fty);
    kn->gs = LLVMGetParam(kn->fn, 0);
    kn->tick = LLVMGetParam(kn->fn, is_post ? 2 : 3);
    kn->value = is_post ? NULL : LLVMGetParam(kn->fn, 4);
    g->reward = kn->kind == LLVM_SYN_REWARD ? kn->value : NULL;
    g->deliver = emit_deliver;
    g->prune = kn->model->pruned_state >= 0 ? emit_prune : NULL;
}

static void emit_body(SynKernel *kn, const int *delivered)
{
    LlvmGen *g = &kn->g;
    LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "entry"));
    load_arrays(kn, delivered);
    prune_count_begin(kn);
    if (kn->kind == LLVM_SYN_ON_POST) {
        kn->post = LLVMBuildZExt(g->b, LLVMGetParam(kn->fn, 1), g->i64, "post");
        LLVMValueRef b = load_elem(kn, g->i64, kn->csc_ptr, kn->post);
        LLVMValueRef e = load_elem(kn, g->i64, kn->csc_ptr, LLVMBuildAdd(g->b, kn->post, i64c(kn, 1), ""));
        shared_begin(kn, kn->post);
        emit_loop(kn, b, e, incoming_synapse, "b_in.cond");
        shared_end(kn, kn->post);
    } else {
        LLVMValueRef b = LLVMBuildZExt(g->b, LLVMGetParam(kn->fn, 1), g->i64, "");
        LLVMValueRef e = LLVMBuildZExt(g->b, LLVMGetParam(kn->fn, 2), g->i64, "");
        if (kn->kind == LLVM_SYN_TICK)
            emit_shared_decays(kn, b, e);
        if (kn->kind == LLVM_SYN_TICK && per_synapse_tick(kn) && tick_is_flat(kn))
            emit_flat(kn, b, e);
        else if (kn->kind != LLVM_SYN_TICK || per_synapse_tick(kn))
            emit_rows(kn, b, e);
    }
    prune_count_end(kn);
    LLVMBuildRetVoid(g->b);
}

int llvm_emit_syn_kernel(LlvmModule *m, const Nir *nir, int group_id, LlvmSynKind kind, LlvmError *err)
{
    SynKernel kn;
    memset(&kn, 0, sizeof kn);
    if (kernel_init(&kn, m, nir, group_id, kind)) {
        kernel_free(&kn);
        return llvm_fail(err, "out of memory");
    }
    int *delivered = calloc((size_t)kn.model->nrefs + 1, sizeof(int));
    if (!delivered) {
        kernel_free(&kn);
        return llvm_fail(err, "out of memory");
    }
    llvm_syn_delivered_refs(kn.model, delivered);
    char name[64];
    llvm_syn_kernel_name(group_id, kind, name, sizeof name);
    declare_fn(&kn, name);
    emit_body(&kn, delivered);
    free(delivered);
    kernel_free(&kn);
    return 0;
}
