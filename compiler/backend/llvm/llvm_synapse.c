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
 * sets the flag, counts itself in *npruned and ends the synapse's code for
 * this event. The per-tick and reward kernels of such models walk the
 * runtime's runs of live synapses instead of the rows, so that pruned
 * synapses stop costing time there (docs/language.md §5.5 has the
 * measurements); `on pre` and `on post` test the flag.
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
    LLVMValueRef row_ptr, col, delay, csc_ptr, csc_syn, csc_pre, ring_len, n_post;
    LLVMValueRef *state_arr, *param_arr, *ref_arr, *ring_arr;
    LLVMValueRef *state_var, *local_var, *ref_ptr, *param_val;
    LLVMValueRef k, pre, post;    /* i64, of the synapse being run */
    LLVMBasicBlockRef store_bb;   /* pruning models: where the synapse's states are stored */
    LLVMValueRef runs, run_pre, begin, end; /* pruning models: the runs of live synapses, rows asked for */
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
    LLVMValueRef *v = kn->mem = calloc((size_t)(2 * ns + 3 * np + 4 * nr + nl + 1), sizeof(LLVMValueRef));
    if (!v)
        return -1;
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
                         kn->i64p, kn->i32p, g->i64, kn->i64p, g->i64};
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
    LLVMValueRef when = LLVMBuildAdd(g->b, kn->tick, d, "");
    LLVMValueRef slot = LLVMBuildURem(g->b, when, kn->ring_len, "slot");
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
    for (int j = 0; j < md->nstates; j++)
        LLVMBuildStore(g->b, load_elem(kn, g->f64, kn->state_arr[j], kn->k), kn->state_var[j]);
    for (int j = 0; j < md->nlocals; j++)
        LLVMBuildStore(g->b, llvm_const(g, 0), kn->local_var[j]);
    for (int r = 0; r < md->nrefs; r++)
        g->ref[r] = kn->ref_arr[r] ? elem_ptr(kn, g->f64, kn->ref_arr[r], md->refs[r].post ? kn->post : kn->pre)
                                   : kn->ref_ptr[r];
}

static void store_synapse(SynKernel *kn)
{
    for (int j = 0; j < kn->model->nstates; j++) {
        LLVMValueRef x = LLVMBuildLoad2(kn->g.b, kn->g.f64, kn->state_var[j], "");
        LLVMBuildStore(kn->g.b, x, elem_ptr(kn, kn->g.f64, kn->state_arr[j], kn->k));
    }
}

/* x *= exp(-dt / tau) for each decay, then `update`. */
static void emit_tick_body(SynKernel *kn)
{
    LlvmGen *g = &kn->g;
    for (int d = 0; d < kn->model->ndecays; d++) {
        LLVMValueRef slot = kn->state_var[kn->model->decays[d].state];
        LLVMValueRef q = LLVMBuildFDiv(g->b, llvm_const(g, -g->dt), llvm_expr(g, kn->model->decays[d].tau), "");
        LLVMValueRef f = llvm_call_intrinsic(g, "llvm.exp.f64", &q, 1);
        LLVMBuildStore(g->b, LLVMBuildFMul(g->b, LLVMBuildLoad2(g->b, g->f64, slot, ""), f, ""), slot);
    }
    llvm_stmts(g, kn->model->update);
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
 * states, as they are now, are stored). */
static void emit_prune(LlvmGen *g)
{
    SynKernel *kn = g->owner;
    LLVMBuildStore(g->b, llvm_const(g, 1), kn->state_var[kn->model->pruned_state]);
    /* (*npruned)++ when npruned is not NULL */
    LLVMValueRef np = load_field(kn, FIELDNO_GROUPSTATE_NPRUNED, kn->i64p, "npruned");
    LLVMBasicBlockRef count = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_prune.count");
    LLVMBuildCondBr(g->b, LLVMBuildIsNull(g->b, np, ""), kn->store_bb, count);
    LLVMPositionBuilderAtEnd(g->b, count);
    LLVMBuildStore(g->b, LLVMBuildAdd(g->b, LLVMBuildLoad2(g->b, g->i64, np, ""), i64c(kn, 1), ""), np);
    LLVMBuildBr(g->b, kn->store_bb);
    LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_pruned.dead"));
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
    LLVMValueRef b = load_elem(kn, kn->g.i64, kn->row_ptr, i);
    LLVMValueRef e = load_elem(kn, kn->g.i64, kn->row_ptr, LLVMBuildAdd(kn->g.b, i, i64c(kn, 1), ""));
    emit_loop(kn, b, e, row_synapse, "b_syn.cond");
}

/* Entry e of the post neuron's CSC list. */
static void incoming_synapse(SynKernel *kn, LLVMValueRef e)
{
    kn->k = kn->g.rng_index = load_elem(kn, kn->g.i64, kn->csc_syn, e);
    kn->pre = LLVMBuildZExt(kn->g.b, load_elem(kn, kn->g.i32, kn->csc_pre, e), kn->g.i64, "pre");
    emit_synapse(kn);
}

/* Run r of the runtime's runs (pruning models): synapses
 * [runs[2r], runs[2r + 1]) of pre neuron run_pre[r], when it is within the
 * rows asked for. The inner loop is a row's. */
static void run_of_row(SynKernel *kn, LLVMValueRef r)
{
    LlvmGen *g = &kn->g;
    kn->pre = LLVMBuildZExt(g->b, load_elem(kn, g->i32, kn->run_pre, r), g->i64, "pre");
    LLVMValueRef in = LLVMBuildAnd(g->b, LLVMBuildICmp(g->b, LLVMIntUGE, kn->pre, kn->begin, ""),
                                   LLVMBuildICmp(g->b, LLVMIntULT, kn->pre, kn->end, ""), "");
    LLVMBasicBlockRef run = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_run.in");
    LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_run.next");
    LLVMBuildCondBr(g->b, in, run, next);
    LLVMPositionBuilderAtEnd(g->b, run);
    LLVMValueRef two_r = LLVMBuildShl(g->b, r, i64c(kn, 1), "");
    LLVMValueRef b = load_elem(kn, g->i64, kn->runs, two_r);
    LLVMValueRef e = load_elem(kn, g->i64, kn->runs, LLVMBuildAdd(g->b, two_r, i64c(kn, 1), ""));
    emit_loop(kn, b, e, row_synapse, "b_syn.cond");
    LLVMBuildBr(g->b, next);
    LLVMPositionBuilderAtEnd(g->b, next);
}

/* Entry r of the runs when each is one synapse: synapse runs[2r] of pre
 * neuron run_pre[r], when it is within the rows asked for. */
static void single_of_row(SynKernel *kn, LLVMValueRef r)
{
    LlvmGen *g = &kn->g;
    kn->pre = LLVMBuildZExt(g->b, load_elem(kn, g->i32, kn->run_pre, r), g->i64, "pre");
    LLVMValueRef in = LLVMBuildAnd(g->b, LLVMBuildICmp(g->b, LLVMIntUGE, kn->pre, kn->begin, ""),
                                   LLVMBuildICmp(g->b, LLVMIntULT, kn->pre, kn->end, ""), "");
    LLVMBasicBlockRef run = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_single.in");
    LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_single.next");
    LLVMBuildCondBr(g->b, in, run, next);
    LLVMPositionBuilderAtEnd(g->b, run);
    row_synapse(kn, load_elem(kn, g->i64, kn->runs, LLVMBuildShl(g->b, r, i64c(kn, 1), "")));
    LLVMBuildBr(g->b, next);
    LLVMPositionBuilderAtEnd(g->b, next);
}

/* The rows [begin, end): through the runtime's runs of live synapses when
 * it keeps them (per-tick and reward kernels of pruning models), else row
 * by row. */
static void emit_rows(SynKernel *kn, LLVMValueRef b, LLVMValueRef e)
{
    LlvmGen *g = &kn->g;
    int use_runs = kn->model->pruned_state >= 0 && (kn->kind == LLVM_SYN_TICK || kn->kind == LLVM_SYN_REWARD);
    if (!use_runs) {
        emit_loop(kn, b, e, row, "b_row.cond");
        return;
    }
    kn->begin = b, kn->end = e;
    kn->runs = load_field(kn, FIELDNO_GROUPSTATE_RUNS, kn->i64p, "runs");
    kn->run_pre = load_field(kn, FIELDNO_GROUPSTATE_RUN_PRE, kn->i32p, "run_pre");
    LLVMValueRef nruns = load_field(kn, FIELDNO_GROUPSTATE_NRUNS, g->i64, "nruns");
    LLVMBasicBlockRef by_list = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_rows.runs");
    LLVMBasicBlockRef by_rows = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_rows.all");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_rows.done");
    LLVMBasicBlockRef by_single = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_rows.single");
    LLVMBasicBlockRef by_runs = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_rows.multi");
    LLVMBuildCondBr(g->b, LLVMBuildIsNull(g->b, kn->runs, ""), by_rows, by_list);
    LLVMPositionBuilderAtEnd(g->b, by_list);
    LLVMValueRef single = load_field(kn, FIELDNO_GROUPSTATE_SINGLE, g->i64, "single");
    LLVMBuildCondBr(g->b, LLVMBuildIsNull(g->b, single, ""), by_runs, by_single);
    LLVMPositionBuilderAtEnd(g->b, by_single);
    emit_loop(kn, i64c(kn, 0), nruns, single_of_row, "b_single.cond");
    LLVMBuildBr(g->b, done);
    LLVMPositionBuilderAtEnd(g->b, by_runs);
    emit_loop(kn, i64c(kn, 0), nruns, run_of_row, "b_run.cond");
    LLVMBuildBr(g->b, done);
    LLVMPositionBuilderAtEnd(g->b, by_rows);
    emit_loop(kn, b, e, row, "b_row.cond");
    LLVMBuildBr(g->b, done);
    LLVMPositionBuilderAtEnd(g->b, done);
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
    if (kn->kind == LLVM_SYN_ON_POST) {
        kn->post = LLVMBuildZExt(g->b, LLVMGetParam(kn->fn, 1), g->i64, "post");
        LLVMValueRef b = load_elem(kn, g->i64, kn->csc_ptr, kn->post);
        LLVMValueRef e = load_elem(kn, g->i64, kn->csc_ptr, LLVMBuildAdd(g->b, kn->post, i64c(kn, 1), ""));
        emit_loop(kn, b, e, incoming_synapse, "b_in.cond");
    } else {
        LLVMValueRef b = LLVMBuildZExt(g->b, LLVMGetParam(kn->fn, 1), g->i64, "");
        LLVMValueRef e = LLVMBuildZExt(g->b, LLVMGetParam(kn->fn, 2), g->i64, "");
        emit_rows(kn, b, e);
    }
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
