/* llvm_expr.c - NirExpr and NirStmt to LLVM IR, following interp.c
 * operation by operation (interp.h has the semantics). Values are doubles;
 * comparisons give i1 that become 0.0/1.0 (booleans are 0/1 in the IR);
 * `if` expressions become selects (both sides are pure); math functions use
 * LLVM intrinsics where LLVM has one and libm otherwise. No fast-math flags
 * are set anywhere, so results are IEEE, as in the interpreter. */
#include "llvm_internal.h"
#include <string.h>

LLVMValueRef llvm_const(LlvmGen *g, double v) { return LLVMConstReal(g->f64, v); }

/* Declares (once) double name(double, ...) and calls it. Intrinsics
 * (llvm.*) and libm functions are both declared this way. */
LLVMValueRef llvm_call_intrinsic(LlvmGen *g, const char *name, LLVMValueRef *args, int nargs)
{
    LLVMTypeRef params[3] = {g->f64, g->f64, g->f64};
    LLVMTypeRef fty = LLVMFunctionType(g->f64, params, (unsigned)nargs, 0);
    LLVMValueRef fn = LLVMGetNamedFunction(g->mod, name);
    if (!fn)
        fn = LLVMAddFunction(g->mod, name, fty);
    return LLVMBuildCall2(g->b, fty, fn, args, (unsigned)nargs, "");
}

LLVMValueRef llvm_truth(LlvmGen *g, LLVMValueRef v)
{
    return LLVMBuildFCmp(g->b, LLVMRealUNE, v, llvm_const(g, 0), "");
}

static LLVMValueRef to_double(LlvmGen *g, LLVMValueRef bit)
{
    return LLVMBuildUIToFP(g->b, bit, g->f64, "");
}

static LLVMValueRef select3(LlvmGen *g, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(g->b, c, a, b, "");
}

/* ---- calls ----------------------------------------------------------------- */

/* Name of the intrinsic or libm function of fn; NULL for those built inline. */
static const char *fn_symbol(NirFn fn)
{
    static const char *const names[NF_COUNT] = {
        [NF_EXP] = "llvm.exp.f64",     [NF_LOG] = "llvm.log.f64",   [NF_LOG10] = "llvm.log10.f64",
        [NF_SQRT] = "llvm.sqrt.f64",   [NF_ABS] = "llvm.fabs.f64",  [NF_SIN] = "llvm.sin.f64",
        [NF_COS] = "llvm.cos.f64",     [NF_TAN] = "tan",            [NF_TANH] = "tanh",
        [NF_SINH] = "sinh",            [NF_COSH] = "cosh",          [NF_ATAN] = "atan",
        [NF_FLOOR] = "llvm.floor.f64", [NF_CEIL] = "llvm.ceil.f64", [NF_ROUND] = "llvm.round.f64",
        [NF_POW] = "llvm.pow.f64",     [NF_ATAN2] = "atan2",        [NF_MIN] = "llvm.minnum.f64",
        [NF_MAX] = "llvm.maxnum.f64",
    };
    return fn < NF_COUNT ? names[fn] : NULL;
}

static LLVMValueRef emit_call(LlvmGen *g, const NirExpr *e)
{
    LLVMValueRef x[3];
    const NirExpr *args[3] = {e->a, e->b, e->c};
    int n = 0;
    while (n < 3 && args[n]) {
        x[n] = llvm_expr(g, args[n]);
        n++;
    }
    LLVMValueRef zero = llvm_const(g, 0), one = llvm_const(g, 1);
    switch (e->fn) {
    case NF_SIGN: {
        LLVMValueRef neg = select3(g, LLVMBuildFCmp(g->b, LLVMRealOLT, x[0], zero, ""),
                                   llvm_const(g, -1), zero);
        return select3(g, LLVMBuildFCmp(g->b, LLVMRealOGT, x[0], zero, ""), one, neg);
    }
    case NF_HEAVISIDE:
        return select3(g, LLVMBuildFCmp(g->b, LLVMRealOGT, x[0], zero, ""), one, zero);
    case NF_CLAMP: {
        LLVMValueRef lo[2] = {x[0], x[1]};
        LLVMValueRef hi[2] = {llvm_call_intrinsic(g, "llvm.maxnum.f64", lo, 2), x[2]};
        return llvm_call_intrinsic(g, "llvm.minnum.f64", hi, 2);
    }
    default: {
        const char *sym = fn_symbol(e->fn);
        return sym ? llvm_call_intrinsic(g, sym, x, n) : zero;
    }
    }
}

/* random(): a call of the runtime's rt_random (rt_abi.h), declared once. */
static LLVMValueRef emit_random(LlvmGen *g, const NirExpr *e)
{
    LLVMTypeRef params[5] = {g->i64, g->i64, g->i64, g->i64, g->i32};
    LLVMTypeRef fty = LLVMFunctionType(g->f64, params, 5, 0);
    LLVMValueRef fn = LLVMGetNamedFunction(g->mod, "rt_random");
    if (!fn) {
        fn = LLVMAddFunction(g->mod, "rt_random", fty);
        unsigned kind = LLVMGetEnumAttributeKindForName("nounwind", 8);
        LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(g->ctx, kind, 0));
    }
    LLVMValueRef zero = LLVMConstInt(g->i64, 0, 0);
    LLVMValueRef args[5] = {g->rng_seed ? g->rng_seed : zero, g->rng_stream ? g->rng_stream : zero,
                            g->rng_index ? g->rng_index : zero, g->rng_tick ? g->rng_tick : zero,
                            LLVMConstInt(g->i32, (unsigned long long)e->slot, 0)};
    return LLVMBuildCall2(g->b, fty, fn, args, 5, "random");
}

/* ---- operators --------------------------------------------------------------- */

static LLVMValueRef emit_compare(LlvmGen *g, Op op, LLVMValueRef a, LLVMValueRef b)
{
    LLVMRealPredicate p = op == OP_EQ   ? LLVMRealOEQ
                          : op == OP_NE ? LLVMRealUNE /* C's != is true on NaN */
                          : op == OP_LT ? LLVMRealOLT
                          : op == OP_LE ? LLVMRealOLE
                          : op == OP_GT ? LLVMRealOGT
                                        : LLVMRealOGE;
    return to_double(g, LLVMBuildFCmp(g->b, p, a, b, ""));
}

/* a % b, floored: a - b*floor(a/b). */
static LLVMValueRef emit_mod(LlvmGen *g, LLVMValueRef a, LLVMValueRef b)
{
    LLVMValueRef q = LLVMBuildFDiv(g->b, a, b, "");
    LLVMValueRef f = llvm_call_intrinsic(g, "llvm.floor.f64", &q, 1);
    return LLVMBuildFSub(g->b, a, LLVMBuildFMul(g->b, b, f, ""), "");
}

static LLVMValueRef emit_op(LlvmGen *g, Op op, LLVMValueRef a, LLVMValueRef b)
{
    switch (op) {
    case OP_ADD: return LLVMBuildFAdd(g->b, a, b, "");
    case OP_SUB: return LLVMBuildFSub(g->b, a, b, "");
    case OP_MUL: return LLVMBuildFMul(g->b, a, b, "");
    case OP_DIV: return LLVMBuildFDiv(g->b, a, b, "");
    case OP_MOD: return emit_mod(g, a, b);
    case OP_POW: {
        LLVMValueRef x[2] = {a, b};
        return llvm_call_intrinsic(g, "llvm.pow.f64", x, 2);
    }
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
        return emit_compare(g, op, a, b);
    case OP_AND:
        return to_double(g, LLVMBuildAnd(g->b, llvm_truth(g, a), llvm_truth(g, b), ""));
    case OP_OR:
        return to_double(g, LLVMBuildOr(g->b, llvm_truth(g, a), llvm_truth(g, b), ""));
    case OP_NEG: return LLVMBuildFNeg(g->b, a, "");
    case OP_NOT:
        return to_double(g, LLVMBuildFCmp(g->b, LLVMRealOEQ, a, llvm_const(g, 0), ""));
    }
    return llvm_const(g, 0);
}

/* ---- expressions ------------------------------------------------------------- */

static LLVMValueRef load_var(LlvmGen *g, LLVMValueRef slot)
{
    return LLVMBuildLoad2(g->b, g->f64, slot, "");
}

LLVMValueRef llvm_expr(LlvmGen *g, const NirExpr *e)
{
    switch (e->kind) {
    case NX_CONST: return llvm_const(g, e->value);
    case NX_PARAM: return g->param[e->slot];
    case NX_STATE: return load_var(g, g->state[e->slot]);
    case NX_INPUT: return load_var(g, g->input[e->slot]);
    case NX_LOCAL: return load_var(g, g->local[e->slot]);
    case NX_T: return g->t;
    case NX_DT: return llvm_const(g, g->dt);
    case NX_REF: /* synapse code: g->ref[slot] points at the neuron's variable */
        return g->ref ? load_var(g, g->ref[e->slot]) : llvm_const(g, 0);
    case NX_REWARD: return g->reward ? g->reward : llvm_const(g, 0);
    case NX_UNARY: return emit_op(g, e->op, llvm_expr(g, e->a), NULL);
    case NX_BINARY: {
        LLVMValueRef a = llvm_expr(g, e->a);
        return emit_op(g, e->op, a, llvm_expr(g, e->b));
    }
    case NX_COND: {
        LLVMValueRef c = llvm_truth(g, llvm_expr(g, e->a));
        LLVMValueRef a = llvm_expr(g, e->b);
        return select3(g, c, a, llvm_expr(g, e->c));
    }
    case NX_CALL: return emit_call(g, e);
    case NX_RANDOM: return emit_random(g, e);
    }
    return llvm_const(g, 0);
}

/* ---- statements -------------------------------------------------------------- */

static LLVMValueRef var_slot(LlvmGen *g, const NirVar *v)
{
    switch (v->kind) {
    case NX_STATE: return g->state[v->slot];
    case NX_INPUT: return g->input[v->slot];
    case NX_LOCAL: return g->local[v->slot];
    case NX_REF: return g->ref ? g->ref[v->slot] : NULL; /* `post.x += e`: straight to memory */
    default: return NULL;
    }
}

static void emit_if(LlvmGen *g, const NirStmt *s)
{
    LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(g->b));
    LLVMBasicBlockRef then_bb = LLVMAppendBasicBlockInContext(g->ctx, fn, "b_if.then");
    LLVMBasicBlockRef else_bb = LLVMAppendBasicBlockInContext(g->ctx, fn, "b_if.else");
    LLVMBasicBlockRef join_bb = LLVMAppendBasicBlockInContext(g->ctx, fn, "b_if.end");
    LLVMBuildCondBr(g->b, llvm_truth(g, llvm_expr(g, s->value)), then_bb, else_bb);
    LLVMPositionBuilderAtEnd(g->b, then_bb);
    llvm_stmts(g, s->body);
    LLVMBuildBr(g->b, join_bb);
    LLVMPositionBuilderAtEnd(g->b, else_bb);
    llvm_stmts(g, s->orelse);
    LLVMBuildBr(g->b, join_bb);
    LLVMPositionBuilderAtEnd(g->b, join_bb);
}

void llvm_stmts(LlvmGen *g, const NirStmt *s)
{
    for (; s; s = s->next) {
        if (s->kind == NS_ASSIGN) {
            LLVMValueRef value = llvm_expr(g, s->value);
            LLVMValueRef slot = var_slot(g, &s->var);
            if (slot)
                LLVMBuildStore(g->b, value, slot);
        } else if (s->kind == NS_IF) {
            emit_if(g, s);
        } else if (s->kind == NS_DELIVER && g->deliver) {
            g->deliver(g, s);
        } else if (s->kind == NS_PRUNE && g->prune) {
            g->prune(g); /* ends the synapse's code: what follows is unreachable */
        }
    }
}

/* ---- affine split (exact integration) ------------------------------------------ */

static int mentions_state(const NirExpr *e, int x)
{
    if (!e)
        return 0;
    if (e->kind == NX_STATE)
        return e->slot == x;
    return mentions_state(e->a, x) || mentions_state(e->b, x) || mentions_state(e->c, x);
}

static int affine_binary(LlvmGen *g, const NirExpr *e, int x, LLVMValueRef *A, LLVMValueRef *B)
{
    LLVMValueRef Aa, Ba, Ab, Bb;
    if (e->op == OP_ADD || e->op == OP_SUB) {
        if (llvm_affine(g, e->a, x, &Aa, &Ba) || llvm_affine(g, e->b, x, &Ab, &Bb))
            return -1;
        *A = emit_op(g, e->op, Aa, Ab);
        *B = emit_op(g, e->op, Ba, Bb);
        return 0;
    }
    if ((e->op == OP_MUL || e->op == OP_DIV) && !mentions_state(e->b, x)) {
        LLVMValueRef v = llvm_expr(g, e->b);
        if (llvm_affine(g, e->a, x, &Aa, &Ba))
            return -1;
        *A = emit_op(g, e->op, Aa, v);
        *B = emit_op(g, e->op, Ba, v);
        return 0;
    }
    if (e->op == OP_MUL && !mentions_state(e->a, x)) {
        LLVMValueRef v = llvm_expr(g, e->a);
        if (llvm_affine(g, e->b, x, &Ab, &Bb))
            return -1;
        *A = LLVMBuildFMul(g->b, v, Ab, "");
        *B = LLVMBuildFMul(g->b, v, Bb, "");
        return 0;
    }
    return -1;
}

int llvm_affine(LlvmGen *g, const NirExpr *e, int x, LLVMValueRef *A, LLVMValueRef *B)
{
    if (!mentions_state(e, x)) {
        *A = llvm_expr(g, e);
        *B = llvm_const(g, 0);
        return 0;
    }
    if (e->kind == NX_STATE) {
        *A = llvm_const(g, 0);
        *B = llvm_const(g, 1);
        return 0;
    }
    if (e->kind == NX_UNARY && e->op == OP_NEG) {
        LLVMValueRef Aa, Ba;
        if (llvm_affine(g, e->a, x, &Aa, &Ba))
            return -1;
        *A = LLVMBuildFNeg(g->b, Aa, "");
        *B = LLVMBuildFNeg(g->b, Ba, "");
        return 0;
    }
    if (e->kind == NX_BINARY)
        return affine_binary(g, e, x, A, B);
    return -1;
}
