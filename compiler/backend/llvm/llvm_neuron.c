/* llvm_neuron.c - the update kernel of one population (interp.h gives the
 * semantics, llvm_abi.h the memory layout). Two functions are emitted:
 *
 *   pop_<id>_update(const LlvmPopState *s, i32 begin, i32 end, double t, i8 *spiked)
 *       loads the array pointers out of s and calls
 *   pop_<id>_update.loop(noalias double *state..., *input..., *param...,
 *                        *refr_left, i8 *spiked, i32 begin, i32 end, double t)
 *       internal and always inlined: its `noalias` arrays tell the loop
 *       vectoriser the arrays do not overlap, which the loads from s cannot.
 *
 * The loop body, block "neuron.<model>.update", loads the neuron's
 * variables into allocas (promoted to registers by the optimiser), runs
 * llvm_integrate, the `update` block, refractoriness and spike/reset, and
 * stores the variables back. */
#include "llvm_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Kernel {
    LlvmGen g;
    const NirPop *pop;
    LLVMValueRef fn;                                  /* the loop function */
    LLVMValueRef *state_arr, *input_arr, *param_arr;  /* its array arguments (param: NULL if uniform) */
    LLVMValueRef refr_arr, spiked_arr;
    LLVMValueRef *state_var, *stage_var, *input_var, *local_var, refr_var;
    LLVMValueRef *old;                                /* states at the start of the tick */
    const int *fused;     /* [ninputs + nstates] or NULL: variables whose ring slot the kernel drains */
    LLVMValueRef *slot_arr;                           /* [ninputs + nstates] slot arguments of fused ones */
    LLVMValueRef k;                                   /* neuron index, i64 */
    void *mem;
} Kernel;

static void name_value(LLVMValueRef v, const char *prefix, const char *name)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s", prefix, name);
    LLVMSetValueName2(v, buf, strlen(buf));
}

static void add_attr(LlvmGen *g, LLVMValueRef fn, unsigned index, const char *attr)
{
    unsigned kind = LLVMGetEnumAttributeKindForName(attr, strlen(attr));
    LLVMAddAttributeAtIndex(fn, index, LLVMCreateEnumAttribute(g->ctx, kind, 0));
}

static int kernel_init(Kernel *kn, LlvmModule *m, const NirNeuronModel *model, const NirPop *pop, double dt)
{
    LlvmGen *g = &kn->g;
    g->ctx = m->ctx;
    g->mod = m->mod;
    g->b = LLVMCreateBuilderInContext(m->ctx);
    g->f64 = LLVMDoubleTypeInContext(m->ctx);
    g->i1 = LLVMInt1TypeInContext(m->ctx);
    g->i8 = LLVMInt8TypeInContext(m->ctx);
    g->i32 = LLVMInt32TypeInContext(m->ctx);
    g->i64 = LLVMInt64TypeInContext(m->ctx);
    g->ptr = LLVMPointerType(g->f64, 0); /* opaque `ptr` from LLVM 15 on */
    g->model = model;
    g->dt = dt;
    kn->pop = pop;
    int ns = model->nstates, ni = model->ninputs, np = model->nparams, nl = model->nlocals;
    size_t n = (size_t)(6 * ns + 3 * ni + 3 * np + nl + 1);
    LLVMValueRef *v = kn->mem = calloc(n, sizeof(LLVMValueRef));
    if (!v)
        return -1;
    kn->state_arr = v, v += ns;
    kn->input_arr = v, v += ni;
    kn->param_arr = v, v += np;
    g->param = v, v += np;
    kn->state_var = v, v += ns;
    kn->stage_var = v, v += ns;
    kn->input_var = v, v += ni;
    kn->local_var = v, v += nl;
    kn->old = v, v += ns;
    kn->slot_arr = v, v += ni + ns;
    (void)v;
    g->state = kn->state_var;
    g->input = kn->input_var;
    g->local = kn->local_var;
    return 0;
}

static void kernel_free(Kernel *kn)
{
    LLVMDisposeBuilder(kn->g.b);
    free(kn->mem);
}

/* ---- the loop function's signature ---------------------------------------- */

static int nparam_arrays(const NirNeuronModel *model, const NirPop *pop)
{
    int n = 0;
    for (int j = 0; j < model->nparams; j++)
        n += pop->params[j].array != NULL;
    return n;
}

static int nfused(const Kernel *kn)
{
    int n = 0;
    for (int v = 0; kn->fused && v < kn->g.model->ninputs + kn->g.model->nstates; v++)
        n += kn->fused[v] != 0;
    return n;
}

/* Adds the loop function and names its arguments. */
static void declare_loop_fn(Kernel *kn, const char *name)
{
    LlvmGen *g = &kn->g;
    const NirNeuronModel *md = g->model;
    int nptr = md->nstates + md->ninputs + nparam_arrays(md, kn->pop) + (md->refractory != NULL) + nfused(kn) + 1;
    LLVMTypeRef *args = calloc((size_t)nptr + 6, sizeof *args);
    for (int a = 0; a < nptr; a++)
        args[a] = a == nptr - 1 ? LLVMPointerType(g->i8, 0) : g->ptr;
    args[nptr] = args[nptr + 1] = g->i32;
    args[nptr + 2] = g->f64;
    args[nptr + 3] = args[nptr + 4] = args[nptr + 5] = g->i64; /* seed, stream, tick */
    kn->fn = LLVMAddFunction(g->mod, name, LLVMFunctionType(LLVMVoidTypeInContext(g->ctx), args, (unsigned)nptr + 6, 0));
    free(args);
    LLVMSetLinkage(kn->fn, LLVMInternalLinkage);
    add_attr(g, kn->fn, LLVMAttributeFunctionIndex, "alwaysinline");
    add_attr(g, kn->fn, LLVMAttributeFunctionIndex, "nounwind");
    for (int a = 0; a < nptr; a++)
        add_attr(g, kn->fn, (unsigned)a + 1, "noalias");
    unsigned a = 0;
    for (int j = 0; j < md->nstates; j++)
        name_value(kn->state_arr[j] = LLVMGetParam(kn->fn, a++), "a_", md->states[j]);
    for (int j = 0; j < md->ninputs; j++)
        name_value(kn->input_arr[j] = LLVMGetParam(kn->fn, a++), "a_", md->inputs[j]);
    for (int j = 0; j < md->nparams; j++)
        if (kn->pop->params[j].array)
            name_value(kn->param_arr[j] = LLVMGetParam(kn->fn, a++), "a_", md->params[j]);
    if (md->refractory)
        name_value(kn->refr_arr = LLVMGetParam(kn->fn, a++), "a_", "refr_left");
    for (int v = 0; v < md->ninputs + md->nstates; v++)
        if (kn->fused && kn->fused[v])
            name_value(kn->slot_arr[v] = LLVMGetParam(kn->fn, a++), "slot_",
                       v < md->ninputs ? md->inputs[v] : md->states[v - md->ninputs]);
    name_value(kn->spiked_arr = LLVMGetParam(kn->fn, a++), "", "spiked");
    name_value(LLVMGetParam(kn->fn, a), "", "begin");
    name_value(LLVMGetParam(kn->fn, a + 1), "", "end");
    name_value(g->t = LLVMGetParam(kn->fn, a + 2), "", "t");
    name_value(g->rng_seed = LLVMGetParam(kn->fn, a + 3), "", "seed");
    name_value(g->rng_stream = LLVMGetParam(kn->fn, a + 4), "", "stream");
    name_value(g->rng_tick = LLVMGetParam(kn->fn, a + 5), "", "tick");
}

/* ---- per neuron -------------------------------------------------------------- */

static LLVMValueRef element(Kernel *kn, LLVMTypeRef ty, LLVMValueRef arr)
{
    return LLVMBuildInBoundsGEP2(kn->g.b, ty, arr, &kn->k, 1, "");
}

static LLVMValueRef load_at(Kernel *kn, LLVMValueRef arr, const char *name)
{
    return LLVMBuildLoad2(kn->g.b, kn->g.f64, element(kn, kn->g.f64, arr), name);
}

static void store_at(Kernel *kn, LLVMValueRef value, LLVMValueRef arr)
{
    LLVMBuildStore(kn->g.b, value, element(kn, kn->g.f64, arr));
}

/* arr[k], plus this tick's ring slot of variable v (cleared) when fused:
 * the x += slot of tick step 1, in the kernel. */
static LLVMValueRef load_var(Kernel *kn, LLVMValueRef arr, int v, const char *name)
{
    LlvmGen *g = &kn->g;
    LLVMValueRef x = load_at(kn, arr, name);
    if (!kn->fused || !kn->fused[v])
        return x;
    LLVMValueRef d = load_at(kn, kn->slot_arr[v], "delivered");
    store_at(kn, llvm_const(g, 0), kn->slot_arr[v]);
    return LLVMBuildFAdd(g->b, x, d, name);
}

static void load_neuron(Kernel *kn)
{
    LlvmGen *g = &kn->g;
    const NirNeuronModel *md = g->model;
    char name[256];
    for (int j = 0; j < md->nparams; j++) {
        snprintf(name, sizeof name, "p_%s", md->params[j]);
        g->param[j] = kn->param_arr[j] ? load_at(kn, kn->param_arr[j], name)
                                       : llvm_const(g, kn->pop->params[j].value);
    }
    for (int j = 0; j < md->nstates; j++) {
        snprintf(name, sizeof name, "v_%s.old", md->states[j]);
        kn->old[j] = load_var(kn, kn->state_arr[j], md->ninputs + j, name);
        LLVMBuildStore(g->b, kn->old[j], kn->state_var[j]);
    }
    for (int j = 0; j < md->ninputs; j++) {
        snprintf(name, sizeof name, "in_%s", md->inputs[j]);
        LLVMBuildStore(g->b, load_var(kn, kn->input_arr[j], j, name), kn->input_var[j]);
    }
    for (int j = 0; j < md->nlocals; j++)
        LLVMBuildStore(g->b, llvm_const(g, 0), kn->local_var[j]);
}

/* interp.h step 3: returns the i1 "refractory this tick". */
static LLVMValueRef emit_refractory(Kernel *kn)
{
    LlvmGen *g = &kn->g;
    const NirNeuronModel *md = g->model;
    if (!md->refractory)
        return LLVMConstInt(g->i1, 0, 0);
    LLVMValueRef left = load_at(kn, kn->refr_arr, "refr_left");
    LLVMValueRef in_refr = LLVMBuildFCmp(g->b, LLVMRealOGT, left, llvm_const(g, LLVM_REFR_EPS * g->dt), "in_refractory");
    for (int h = 0; h < md->nheld; h++) {
        int j = md->held[h];
        LLVMValueRef now = LLVMBuildLoad2(g->b, g->f64, kn->state_var[j], "");
        LLVMBuildStore(g->b, LLVMBuildSelect(g->b, in_refr, kn->old[j], now, "v_held"), kn->state_var[j]);
    }
    LLVMValueRef counted = LLVMBuildFSub(g->b, left, llvm_const(g, g->dt), "");
    LLVMBuildStore(g->b, LLVMBuildSelect(g->b, in_refr, counted, left, ""), kn->refr_var);
    return in_refr;
}

/* interp.h step 4: returns the i1 "spiked". */
static LLVMValueRef emit_spike(Kernel *kn, LLVMValueRef in_refr)
{
    LlvmGen *g = &kn->g;
    const NirNeuronModel *md = g->model;
    if (!md->spike)
        return LLVMConstInt(g->i1, 0, 0);
    LLVMValueRef cond = llvm_truth(g, llvm_expr(g, md->spike));
    LLVMValueRef fire = LLVMBuildAnd(g->b, cond, LLVMBuildNot(g->b, in_refr, ""), "fire");
    char name[256];
    snprintf(name, sizeof name, "neuron.%s.reset", md->name);
    LLVMBasicBlockRef reset = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, name);
    snprintf(name, sizeof name, "neuron.%s.store", md->name);
    LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, name);
    LLVMBuildCondBr(g->b, fire, reset, join);
    LLVMPositionBuilderAtEnd(g->b, reset);
    llvm_stmts(g, md->reset);
    if (md->refractory)
        LLVMBuildStore(g->b, llvm_expr(g, md->refractory), kn->refr_var);
    LLVMBuildBr(g->b, join);
    LLVMPositionBuilderAtEnd(g->b, join);
    return fire;
}

static void store_neuron(Kernel *kn, LLVMValueRef fire)
{
    LlvmGen *g = &kn->g;
    const NirNeuronModel *md = g->model;
    LLVMBuildStore(g->b, LLVMBuildZExt(g->b, fire, g->i8, ""), element(kn, g->i8, kn->spiked_arr));
    if (md->refractory)
        store_at(kn, LLVMBuildLoad2(g->b, g->f64, kn->refr_var, ""), kn->refr_arr);
    for (int j = 0; j < md->nstates; j++)
        store_at(kn, LLVMBuildLoad2(g->b, g->f64, kn->state_var[j], ""), kn->state_arr[j]);
    for (int j = 0; j < md->ninputs; j++)
        store_at(kn, llvm_const(g, 0), kn->input_arr[j]);
}

static int emit_neuron(Kernel *kn, LlvmError *err)
{
    LlvmGen *g = &kn->g;
    load_neuron(kn);
    if (llvm_integrate(g, kn->stage_var, err))
        return -1;
    llvm_stmts(g, g->model->update);
    LLVMValueRef in_refr = emit_refractory(kn);
    store_neuron(kn, emit_spike(kn, in_refr));
    return 0;
}

/* ---- the loop ------------------------------------------------------------------ */

static LLVMValueRef alloca_named(LlvmGen *g, const char *prefix, const char *name)
{
    LLVMValueRef v = LLVMBuildAlloca(g->b, g->f64, "");
    name_value(v, prefix, name);
    return v;
}

static void emit_allocas(Kernel *kn)
{
    LlvmGen *g = &kn->g;
    const NirNeuronModel *md = g->model;
    char name[32];
    for (int j = 0; j < md->nstates; j++) {
        kn->state_var[j] = alloca_named(g, "v_", md->states[j]);
        if (md->method == NIR_RK4)
            kn->stage_var[j] = alloca_named(g, "stage_", md->states[j]);
    }
    for (int j = 0; j < md->ninputs; j++)
        kn->input_var[j] = alloca_named(g, "in_", md->inputs[j]);
    for (int j = 0; j < md->nlocals; j++) {
        snprintf(name, sizeof name, "%d", j);
        kn->local_var[j] = alloca_named(g, "local_", name);
    }
    if (md->refractory)
        kn->refr_var = alloca_named(g, "v_", "refr_left");
}

/* for (k = begin; k < end; k++) { neuron k } */
static int emit_loop(Kernel *kn, LlvmError *err)
{
    LlvmGen *g = &kn->g;
    char name[256];
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "entry");
    LLVMBasicBlockRef cond = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_loop.cond");
    snprintf(name, sizeof name, "neuron.%s.update", g->model->name);
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, name);
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, kn->fn, "b_loop.end");
    unsigned nargs = LLVMCountParams(kn->fn);
    LLVMPositionBuilderAtEnd(g->b, entry);
    emit_allocas(kn);
    LLVMValueRef begin = LLVMBuildZExt(g->b, LLVMGetParam(kn->fn, nargs - 6), g->i64, "");
    LLVMValueRef end = LLVMBuildZExt(g->b, LLVMGetParam(kn->fn, nargs - 5), g->i64, "");
    LLVMBuildBr(g->b, cond);
    LLVMPositionBuilderAtEnd(g->b, cond);
    kn->k = LLVMBuildPhi(g->b, g->i64, "k");
    g->rng_index = kn->k;
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntULT, kn->k, end, ""), body, done);
    LLVMPositionBuilderAtEnd(g->b, body);
    if (emit_neuron(kn, err))
        return -1;
    LLVMValueRef next = LLVMBuildAdd(g->b, kn->k, LLVMConstInt(g->i64, 1, 0), "k.next");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(g->b);
    LLVMBuildBr(g->b, cond);
    LLVMValueRef in_vals[2] = {begin, next};
    LLVMBasicBlockRef in_bbs[2] = {entry, latch};
    LLVMAddIncoming(kn->k, in_vals, in_bbs, 2);
    LLVMPositionBuilderAtEnd(g->b, done);
    LLVMBuildRetVoid(g->b);
    return 0;
}

/* ---- the entry function ---------------------------------------------------------- */

static LLVMTypeRef pop_state_type(LlvmGen *g)
{
    LLVMTypeRef ty = LLVMGetTypeByName2(g->ctx, "struct.LlvmPopState");
    if (ty)
        return ty;
    LLVMTypeRef p = LLVMPointerType(g->ptr, 0);
    LLVMTypeRef fields[8] = {p, p, p, g->ptr, g->i64, g->i64, g->i64, p}; /* FIELDNO_POPSTATE_* order */
    ty = LLVMStructCreateNamed(g->ctx, "struct.LlvmPopState");
    LLVMStructSetBody(ty, fields, 8, 0);
    return ty;
}

/* s->field[j], a double* */
static LLVMValueRef load_array(LlvmGen *g, LLVMTypeRef st, LLVMValueRef s, unsigned field, int j, const char *name)
{
    LLVMValueRef fp = LLVMBuildStructGEP2(g->b, st, s, field, "");
    LLVMValueRef table = LLVMBuildLoad2(g->b, LLVMPointerType(g->ptr, 0), fp, "");
    LLVMValueRef idx = LLVMConstInt(g->i64, (unsigned long long)j, 0);
    LLVMValueRef slot = LLVMBuildInBoundsGEP2(g->b, g->ptr, table, &idx, 1, "");
    LLVMValueRef arr = LLVMBuildLoad2(g->b, g->ptr, slot, "");
    name_value(arr, "a_", name);
    return arr;
}

static void emit_entry_fn(Kernel *kn, const char *name)
{
    LlvmGen *g = &kn->g;
    const NirNeuronModel *md = g->model;
    LLVMTypeRef st = pop_state_type(g);
    LLVMTypeRef args[5] = {LLVMPointerType(st, 0), g->i32, g->i32, g->f64, LLVMPointerType(g->i8, 0)};
    LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(g->ctx), args, 5, 0);
    LLVMValueRef fn = LLVMAddFunction(g->mod, name, fty);
    add_attr(g, fn, LLVMAttributeFunctionIndex, "nounwind");
    LLVMValueRef s = LLVMGetParam(fn, 0);
    name_value(s, "", "s");
    LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, fn, "entry"));
    unsigned n = LLVMCountParams(kn->fn), a = 0;
    LLVMValueRef *call = calloc(n, sizeof *call);
    for (int j = 0; j < md->nstates; j++)
        call[a++] = load_array(g, st, s, FIELDNO_POPSTATE_STATE, j, md->states[j]);
    for (int j = 0; j < md->ninputs; j++)
        call[a++] = load_array(g, st, s, FIELDNO_POPSTATE_INPUT, j, md->inputs[j]);
    for (int j = 0; j < md->nparams; j++)
        if (kn->pop->params[j].array)
            call[a++] = load_array(g, st, s, FIELDNO_POPSTATE_PARAM, j, md->params[j]);
    if (md->refractory) {
        LLVMValueRef fp = LLVMBuildStructGEP2(g->b, st, s, FIELDNO_POPSTATE_REFR_LEFT, "");
        call[a++] = LLVMBuildLoad2(g->b, g->ptr, fp, "a_refr_left");
    }
    for (int v = 0; v < md->ninputs + md->nstates; v++)
        if (kn->fused && kn->fused[v])
            call[a++] = load_array(g, st, s, FIELDNO_POPSTATE_SLOT, v, "slot");
    call[a++] = LLVMGetParam(fn, 4);
    call[a++] = LLVMGetParam(fn, 1);
    call[a++] = LLVMGetParam(fn, 2);
    call[a++] = LLVMGetParam(fn, 3);
    static const unsigned rng_fields[3] = {FIELDNO_POPSTATE_SEED, FIELDNO_POPSTATE_STREAM, FIELDNO_POPSTATE_TICK};
    for (int r = 0; r < 3; r++)
        call[a++] = LLVMBuildLoad2(g->b, g->i64, LLVMBuildStructGEP2(g->b, st, s, rng_fields[r], ""), "");
    LLVMBuildCall2(g->b, LLVMGlobalGetValueType(kn->fn), kn->fn, call, n, "");
    LLVMBuildRetVoid(g->b);
    free(call);
}

int llvm_emit_pop_update(LlvmModule *m, const NirNeuronModel *model, const NirPop *pop, int pop_id,
                         double dt, LlvmError *err)
{
    return llvm_emit_pop_update_fused(m, model, pop, pop_id, dt, NULL, err);
}

int llvm_emit_pop_update_fused(LlvmModule *m, const NirNeuronModel *model, const NirPop *pop, int pop_id,
                               double dt, const int *fused, LlvmError *err)
{
    Kernel kn = {0};
    kn.fused = fused;
    char name[64], loop_name[80];
    if (kernel_init(&kn, m, model, pop, dt)) {
        kernel_free(&kn);
        return llvm_fail(err, "out of memory");
    }
    llvm_pop_update_name(pop_id, name, sizeof name);
    snprintf(loop_name, sizeof loop_name, "%s.loop", name);
    declare_loop_fn(&kn, loop_name);
    int rc = emit_loop(&kn, err);
    if (rc == 0)
        emit_entry_fn(&kn, name);
    else
        LLVMDeleteFunction(kn.fn);
    kernel_free(&kn);
    return rc;
}
