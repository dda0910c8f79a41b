/* interp.c - the reference interpreter of neuron model code (interp.h has
 * the semantics). Deliberately plain: no caching, no cleverness, so that
 * it can be read against docs/language.md and trusted as a test oracle. */
#include "interp.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- expressions ------------------------------------------------------ */

double interp_expr(const NirExpr *e, const InterpEnv *env)
{
    switch (e->kind) {
    case NX_CONST: return e->value;
    case NX_PARAM: return env->param[e->slot];
    case NX_STATE: return env->state[e->slot];
    case NX_INPUT: return env->input[e->slot];
    case NX_LOCAL: return env->local[e->slot];
    case NX_T: return env->t;
    case NX_DT: return env->dt;
    case NX_REF: return env->ref ? *env->ref[e->slot] : 0;
    case NX_REWARD: return env->reward;
    case NX_RANDOM: return rt_random(env->seed, env->stream, env->index, env->tick, (uint32_t)e->slot);
    case NX_UNARY: return nir_op_apply(e->op, interp_expr(e->a, env), 0);
    case NX_BINARY: return nir_op_apply(e->op, interp_expr(e->a, env), interp_expr(e->b, env));
    case NX_COND:
        return interp_expr(e->a, env) != 0 ? interp_expr(e->b, env) : interp_expr(e->c, env);
    case NX_CALL: {
        double x[3] = {0, 0, 0};
        const NirExpr *args[3] = {e->a, e->b, e->c};
        for (int k = 0; k < 3 && args[k]; k++)
            x[k] = interp_expr(args[k], env);
        return nir_fn_apply(e->fn, x);
    }
    }
    return 0;
}

/* ---- statements ------------------------------------------------------- */

static double *var_ref(const NirVar *v, InterpEnv *env)
{
    switch (v->kind) {
    case NX_STATE: return &env->state[v->slot];
    case NX_INPUT: return &env->input[v->slot];
    case NX_LOCAL: return &env->local[v->slot];
    case NX_REF: return env->ref ? env->ref[v->slot] : NULL;
    default: return NULL;
    }
}

void interp_stmts(const NirStmt *s, InterpEnv *env)
{
    for (; s && !env->pruned; s = s->next) {
        if (s->kind == NS_ASSIGN) {
            double value = interp_expr(s->value, env);
            double *target = var_ref(&s->var, env);
            if (target)
                *target = value;
        } else if (s->kind == NS_IF) {
            if (interp_expr(s->value, env) != 0)
                interp_stmts(s->body, env);
            else
                interp_stmts(s->orelse, env);
        } else if (s->kind == NS_DELIVER) {
            double value = interp_expr(s->value, env);
            if (env->deliver)
                env->deliver(env->ctx, s->ref, value);
        } else if (s->kind == NS_PRUNE) {
            env->pruned = 1;
        }
    }
}

/* ---- affine split for exact integration --------------------------------- */

int interp_mentions_state(const NirExpr *e, int x)
{
    if (!e)
        return 0;
    if (e->kind == NX_STATE)
        return e->slot == x;
    return interp_mentions_state(e->a, x) || interp_mentions_state(e->b, x) ||
           interp_mentions_state(e->c, x);
}

static int affine_binary(const NirExpr *e, int x, const InterpEnv *env, double *A, double *B)
{
    double Aa, Ba, Ab, Bb;
    if (e->op == OP_ADD || e->op == OP_SUB) {
        if (interp_affine(e->a, x, env, &Aa, &Ba) || interp_affine(e->b, x, env, &Ab, &Bb))
            return -1;
        *A = nir_op_apply(e->op, Aa, Ab);
        *B = nir_op_apply(e->op, Ba, Bb);
        return 0;
    }
    if ((e->op == OP_MUL || e->op == OP_DIV) && !interp_mentions_state(e->b, x)) {
        double v = interp_expr(e->b, env);
        if (interp_affine(e->a, x, env, &Aa, &Ba))
            return -1;
        *A = nir_op_apply(e->op, Aa, v);
        *B = nir_op_apply(e->op, Ba, v);
        return 0;
    }
    if (e->op == OP_MUL && !interp_mentions_state(e->a, x)) {
        double v = interp_expr(e->a, env);
        if (interp_affine(e->b, x, env, &Ab, &Bb))
            return -1;
        *A = v * Ab;
        *B = v * Bb;
        return 0;
    }
    return -1;
}

/* A and B are always computed (0 where a part is absent), in the order the
 * LLVM backend computes them, so both give the same bits. */
int interp_affine(const NirExpr *e, int x, const InterpEnv *env, double *A, double *B)
{
    if (!interp_mentions_state(e, x)) {
        *A = interp_expr(e, env);
        *B = 0;
        return 0;
    }
    if (e->kind == NX_STATE) {
        *A = 0;
        *B = 1;
        return 0;
    }
    if (e->kind == NX_UNARY && e->op == OP_NEG) {
        double Aa, Ba;
        if (interp_affine(e->a, x, env, &Aa, &Ba))
            return -1;
        *A = -Aa;
        *B = -Ba;
        return 0;
    }
    if (e->kind == NX_BINARY)
        return affine_binary(e, x, env, A, B);
    return -1;
}

/* ---- integration ------------------------------------------------------ */

/* Scratch space of one neuron's update, allocated once per call. */
typedef struct Scratch {
    double *param, *state, *input, *local, *old, *x0, *k[4], *A, *B;
} Scratch;

static void euler_step(const NirNeuronModel *m, InterpEnv *env, Scratch *w, double h)
{
    for (int j = 0; j < m->nstates; j++)
        w->k[0][j] = m->ode[j] ? interp_expr(m->ode[j], env) : 0;
    for (int j = 0; j < m->nstates; j++)
        if (m->ode[j])
            env->state[j] = env->state[j] + h * w->k[0][j];
}

/* Evaluates every ODE into k at the current state and time. */
static void derivatives(const NirNeuronModel *m, InterpEnv *env, double *k)
{
    for (int j = 0; j < m->nstates; j++)
        k[j] = m->ode[j] ? interp_expr(m->ode[j], env) : 0;
}

/* env->state = x0 + c * k for the states with an ODE. */
static void stage_state(const NirNeuronModel *m, InterpEnv *env, const double *x0, double c,
                        const double *k)
{
    for (int j = 0; j < m->nstates; j++)
        env->state[j] = m->ode[j] ? x0[j] + c * k[j] : x0[j];
}

static void rk4_step(const NirNeuronModel *m, InterpEnv *env, Scratch *w, double h)
{
    double ts = env->t, hh = h * 0.5, h6 = h / 6.0;
    memcpy(w->x0, env->state, sizeof(double) * (size_t)m->nstates);
    derivatives(m, env, w->k[0]);
    stage_state(m, env, w->x0, hh, w->k[0]);
    env->t = ts + hh;
    derivatives(m, env, w->k[1]);
    stage_state(m, env, w->x0, hh, w->k[1]);
    derivatives(m, env, w->k[2]);
    stage_state(m, env, w->x0, h, w->k[2]);
    env->t = ts + h;
    derivatives(m, env, w->k[3]);
    env->t = ts;
    for (int j = 0; j < m->nstates; j++) {
        double sum = ((w->k[0][j] + 2.0 * w->k[1][j]) + 2.0 * w->k[2][j]) + w->k[3][j];
        env->state[j] = m->ode[j] ? w->x0[j] + h6 * sum : w->x0[j];
    }
}

static int exact_step(const NirNeuronModel *m, InterpEnv *env, Scratch *w, double h)
{
    for (int j = 0; j < m->nstates; j++)
        if (m->ode[j] && interp_affine(m->ode[j], j, env, &w->A[j], &w->B[j]))
            return -1;
    for (int j = 0; j < m->nstates; j++) {
        if (!m->ode[j])
            continue;
        double x = env->state[j], A = w->A[j], B = w->B[j];
        if (B == 0) {
            env->state[j] = x + A * h;
        } else {
            double c = A / B;
            env->state[j] = -c + (x + c) * exp(B * h);
        }
    }
    return 0;
}

static int integrate(const NirNeuronModel *m, InterpEnv *env, Scratch *w)
{
    int substeps = m->substeps > 0 ? m->substeps : 1;
    double t = env->t, h = env->dt / substeps;
    int rc = 0;
    for (int s = 0; s < substeps && rc == 0; s++) {
        env->t = t + (double)s * h;
        if (m->method == NIR_EULER)
            euler_step(m, env, w, h);
        else if (m->method == NIR_RK4)
            rk4_step(m, env, w, h);
        else
            rc = exact_step(m, env, w, h);
    }
    env->t = t;
    return rc;
}

/* ---- one neuron, one tick ------------------------------------------------ */

/* Steps 2-4 of interp.h: update block, refractoriness, spike and reset.
 * Returns 1 when the neuron spiked. */
static int after_integration(const NirNeuronModel *m, InterpEnv *env, const double *old,
                             double *refr_left)
{
    interp_stmts(m->update, env);
    if (m->refractory && *refr_left > LLVM_REFR_EPS * env->dt) {
        for (int h = 0; h < m->nheld; h++)
            env->state[m->held[h]] = old[m->held[h]];
        *refr_left = *refr_left - env->dt;
        return 0;
    }
    if (!m->spike || interp_expr(m->spike, env) == 0)
        return 0;
    interp_stmts(m->reset, env);
    if (m->refractory)
        *refr_left = interp_expr(m->refractory, env);
    return 1;
}

static int neuron_update(const NirNeuronModel *m, const NirPop *pop, const LlvmPopState *s,
                         uint32_t k, InterpEnv *env, Scratch *w, uint8_t *spiked)
{
    env->index = k;
    for (int j = 0; j < m->nparams; j++)
        w->param[j] = nir_value_at(&pop->params[j], k);
    for (int j = 0; j < m->nstates; j++)
        w->state[j] = w->old[j] = s->state[j][k];
    for (int j = 0; j < m->ninputs; j++)
        w->input[j] = s->input[j][k];
    for (int j = 0; j < m->nlocals; j++)
        w->local[j] = 0;
    if (integrate(m, env, w))
        return -1;
    double dummy = 0;
    spiked[k] = (uint8_t)after_integration(m, env, w->old, m->refractory ? &s->refr_left[k] : &dummy);
    for (int j = 0; j < m->nstates; j++)
        s->state[j][k] = w->state[j];
    for (int j = 0; j < m->ninputs; j++)
        s->input[j][k] = 0;
    return 0;
}

/* ---- one population, one tick ------------------------------------------- */

static double *scratch_alloc(Scratch *w, const NirNeuronModel *m)
{
    size_t ns = (size_t)m->nstates;
    size_t n = (size_t)m->nparams + (size_t)m->ninputs + (size_t)m->nlocals + 9 * ns + 1;
    double *buf = calloc(n, sizeof(double));
    if (!buf)
        return NULL;
    double *p = buf;
    w->param = p, p += m->nparams;
    w->input = p, p += m->ninputs;
    w->local = p, p += m->nlocals;
    w->state = p, p += ns;
    w->old = p, p += ns;
    w->x0 = p, p += ns;
    for (int k = 0; k < 4; k++)
        w->k[k] = p, p += ns;
    w->A = p, p += ns;
    w->B = p;
    return buf;
}

int interp_pop_update(const NirNeuronModel *m, const NirPop *pop, const LlvmPopState *s,
                      uint32_t begin, uint32_t end, double t, double dt, uint8_t *spiked,
                      char *err, size_t errsize)
{
    Scratch w;
    double *buf = scratch_alloc(&w, m);
    if (!buf) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    InterpEnv env = {.param = w.param, .state = w.state, .input = w.input, .local = w.local, .t = t, .dt = dt,
                   .seed = s->seed, .stream = s->stream, .tick = s->tick};
    int rc = 0;
    for (uint32_t k = begin; k < end && rc == 0; k++)
        rc = neuron_update(m, pop, s, k, &env, &w, spiked);
    free(buf);
    if (rc)
        snprintf(err, errsize, "neuron `%s`: `integrate exact` needs every ODE affine in its own state",
                 m->name);
    return rc;
}
