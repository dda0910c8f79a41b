/* llvm_integrate.c - the ODE integrators of a neuron kernel: euler, rk4
 * and exact, each over `substeps` steps of h = dt/substeps. Up to
 * UNROLL_MAX steps are emitted one after the other (straight-line code the
 * loop vectoriser can take); more become a counted loop. Every formula is
 * written in the order interp.c evaluates it, so results match bit for bit. */
#include "llvm_internal.h"
#include <stdlib.h>

/* Beyond this many substeps the step is emitted once inside a loop. */
#define UNROLL_MAX 8

typedef struct Step {
    LlvmGen *g;
    LLVMValueRef *stage;  /* RK4 stage allocas */
    LLVMValueRef *tmp;    /* [5 * nstates] scratch values */
    double h;
} Step;

static LLVMValueRef load(LlvmGen *g, LLVMValueRef slot, const char *name)
{
    return LLVMBuildLoad2(g->b, g->f64, slot, name);
}

/* out[j] = dX_j/dt at the current variables (unset for states without ODE). */
static void derivatives(LlvmGen *g, LLVMValueRef *out)
{
    for (int j = 0; j < g->model->nstates; j++)
        if (g->model->ode[j])
            out[j] = llvm_expr(g, g->model->ode[j]);
}

/* x += h * f(x), all derivatives from the same values. */
static void euler_step(Step *st)
{
    LlvmGen *g = st->g;
    LLVMValueRef *d = st->tmp;
    derivatives(g, d);
    for (int j = 0; j < g->model->nstates; j++) {
        if (!g->model->ode[j])
            continue;
        LLVMValueRef x = load(g, g->state[j], "");
        LLVMValueRef dx = LLVMBuildFMul(g->b, llvm_const(g, st->h), d[j], "");
        LLVMBuildStore(g->b, LLVMBuildFAdd(g->b, x, dx, "v_euler"), g->state[j]);
    }
}

/* slot[j] = x0[j] + c * k[j] for states with an ODE, x0[j] otherwise. */
static void store_stage(LlvmGen *g, LLVMValueRef *slot, LLVMValueRef *x0, double c, LLVMValueRef *k)
{
    for (int j = 0; j < g->model->nstates; j++) {
        LLVMValueRef v = x0[j];
        if (g->model->ode[j])
            v = LLVMBuildFAdd(g->b, x0[j], LLVMBuildFMul(g->b, llvm_const(g, c), k[j], ""), "");
        LLVMBuildStore(g->b, v, slot[j]);
    }
}

static LLVMValueRef rk4_sum(LlvmGen *g, LLVMValueRef *k[4], int j)
{
    LLVMValueRef two = llvm_const(g, 2.0);
    LLVMValueRef s = LLVMBuildFAdd(g->b, k[0][j], LLVMBuildFMul(g->b, two, k[1][j], ""), "");
    s = LLVMBuildFAdd(g->b, s, LLVMBuildFMul(g->b, two, k[2][j], ""), "");
    return LLVMBuildFAdd(g->b, s, k[3][j], "");
}

/* Classic fourth-order Runge-Kutta; stages are evaluated on st->stage. */
static void rk4_step(Step *st)
{
    LlvmGen *g = st->g;
    int n = g->model->nstates;
    double h = st->h, hh = h * 0.5, h6 = h / 6.0;
    LLVMValueRef *x0 = st->tmp, *k[4] = {st->tmp + n, st->tmp + 2 * n, st->tmp + 3 * n, st->tmp + 4 * n};
    LLVMValueRef *main_vars = g->state, ts = g->t;
    for (int j = 0; j < n; j++)
        x0[j] = load(g, main_vars[j], "");
    derivatives(g, k[0]);
    store_stage(g, st->stage, x0, hh, k[0]);
    g->state = st->stage;
    g->t = LLVMBuildFAdd(g->b, ts, llvm_const(g, hh), "t_half");
    derivatives(g, k[1]);
    store_stage(g, st->stage, x0, hh, k[1]);
    derivatives(g, k[2]);
    store_stage(g, st->stage, x0, h, k[2]);
    g->t = LLVMBuildFAdd(g->b, ts, llvm_const(g, h), "t_full");
    derivatives(g, k[3]);
    g->state = main_vars;
    g->t = ts;
    for (int j = 0; j < n; j++) {
        LLVMValueRef v = x0[j];
        if (g->model->ode[j])
            v = LLVMBuildFAdd(g->b, x0[j], LLVMBuildFMul(g->b, llvm_const(g, h6), rk4_sum(g, k, j), ""),
                              "v_rk4");
        LLVMBuildStore(g->b, v, main_vars[j]);
    }
}

/* x = -A/B + (x + A/B) exp(B h), or x + A h when B == 0. */
static LLVMValueRef exact_solution(LlvmGen *g, LLVMValueRef x, LLVMValueRef A, LLVMValueRef B, double h)
{
    LLVMValueRef hv = llvm_const(g, h);
    LLVMValueRef drift = LLVMBuildFAdd(g->b, x, LLVMBuildFMul(g->b, A, hv, ""), "");
    LLVMValueRef c = LLVMBuildFDiv(g->b, A, B, "");
    LLVMValueRef bh = LLVMBuildFMul(g->b, B, hv, "");
    LLVMValueRef decay = llvm_call_intrinsic(g, "llvm.exp.f64", &bh, 1);
    LLVMValueRef moved = LLVMBuildFMul(g->b, LLVMBuildFAdd(g->b, x, c, ""), decay, "");
    LLVMValueRef sol = LLVMBuildFAdd(g->b, LLVMBuildFNeg(g->b, c, ""), moved, "");
    LLVMValueRef b_zero = LLVMBuildFCmp(g->b, LLVMRealOEQ, B, llvm_const(g, 0), "");
    return LLVMBuildSelect(g->b, b_zero, drift, sol, "v_exact");
}

static int exact_step(Step *st, LlvmError *err)
{
    LlvmGen *g = st->g;
    int n = g->model->nstates;
    LLVMValueRef *A = st->tmp, *B = st->tmp + n;
    for (int j = 0; j < n; j++)
        if (g->model->ode[j] && llvm_affine(g, g->model->ode[j], j, &A[j], &B[j]))
            return llvm_fail(err, "neuron `%s`: `integrate exact` needs dX/dt affine in X; "
                                  "d%s/dt is not", g->model->name, g->model->states[j]);
    for (int j = 0; j < n; j++)
        if (g->model->ode[j])
            LLVMBuildStore(g->b, exact_solution(g, load(g, g->state[j], ""), A[j], B[j], st->h),
                           g->state[j]);
    return 0;
}

static int one_step(Step *st, LlvmError *err)
{
    switch (st->g->model->method) {
    case NIR_EULER: euler_step(st); return 0;
    case NIR_RK4: rk4_step(st); return 0;
    case NIR_EXACT: return exact_step(st, err);
    }
    return llvm_fail(err, "unknown integration method");
}

/* for (s = 0; s < n; s++) { t_s = t + s*h; step }, as a loop. */
static int step_loop(Step *st, int n, LlvmError *err)
{
    LlvmGen *g = st->g;
    LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(g->b)), t = g->t;
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(g->b);
    LLVMBasicBlockRef cond = LLVMAppendBasicBlockInContext(g->ctx, fn, "b_substep.cond");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->ctx, fn, "b_substep.body");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, fn, "b_substep.end");
    LLVMBuildBr(g->b, cond);
    LLVMPositionBuilderAtEnd(g->b, cond);
    LLVMValueRef s = LLVMBuildPhi(g->b, g->i32, "v_substep");
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, s, LLVMConstInt(g->i32, (unsigned)n, 0), ""),
                    body, done);
    LLVMPositionBuilderAtEnd(g->b, body);
    LLVMValueRef sh = LLVMBuildFMul(g->b, LLVMBuildSIToFP(g->b, s, g->f64, ""), llvm_const(g, st->h), "");
    g->t = LLVMBuildFAdd(g->b, t, sh, "t_substep");
    int rc = one_step(st, err);
    g->t = t;
    LLVMValueRef next = LLVMBuildAdd(g->b, s, LLVMConstInt(g->i32, 1, 0), "");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(g->b);
    LLVMBuildBr(g->b, cond);
    LLVMValueRef in_vals[2] = {LLVMConstInt(g->i32, 0, 0), next};
    LLVMBasicBlockRef in_bbs[2] = {pre, latch};
    LLVMAddIncoming(s, in_vals, in_bbs, 2);
    LLVMPositionBuilderAtEnd(g->b, done);
    return rc;
}

int llvm_integrate(LlvmGen *g, LLVMValueRef *stage, LlvmError *err)
{
    const NirNeuronModel *m = g->model;
    int n = m->substeps > 0 ? m->substeps : 1, rc = 0;
    Step st = {g, stage, calloc((size_t)(5 * m->nstates + 1), sizeof(LLVMValueRef)), g->dt / n};
    if (!st.tmp)
        return llvm_fail(err, "out of memory");
    if (n > UNROLL_MAX) {
        rc = step_loop(&st, n, err);
    } else {
        LLVMValueRef t = g->t;
        for (int s = 0; s < n && rc == 0; s++) {
            g->t = LLVMBuildFAdd(g->b, t, llvm_const(g, (double)s * st.h), "t_substep");
            rc = one_step(&st, err);
        }
        g->t = t;
    }
    free(st.tmp);
    return rc;
}
