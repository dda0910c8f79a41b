/* interp_syn.c - the reference interpreter of synapse code (interp.h has
 * the semantics): one group's `on pre`, `on post`, per-tick decays and
 * `update`, `on reward` and gap coupling, on the runtime's RtGroupState.
 * Written plainly, step by step as llvm_synapse.c emits them, so that the
 * compiled kernels can be compared with it bit for bit. */
#include "interp.h"
#include <math.h>
#include <stdlib.h>

typedef struct SynRun {
    const NirSynapseModel *m;
    const NirGroup *g;
    const NirPop *side[2]; /* pre, post populations */
    const RtGroupState *gs;
    InterpSynKind kind;
    uint64_t tick, k;
    uint32_t pre, post;
    double value, dt;
    double *param, *state, *local, *ref_const;
    double **ref;
} SynRun;

static void deliver(void *ctx, int r, double v)
{
    SynRun *x = ctx;
    uint64_t d = x->g->delays ? x->gs->delay[x->k] : x->g->delay;
    uint64_t slot = (x->tick + d) % x->gs->ring_len;
    double *p = &x->gs->ring[r][slot * x->gs->n_post + x->post];
    *p = *p + v;
}

static void run_tick(SynRun *x, InterpEnv *env)
{
    for (int d = 0; d < x->m->ndecays; d++) {
        double *s = &x->state[x->m->decays[d].state];
        double f = exp(-x->dt / interp_expr(x->m->decays[d].tau, env));
        *s = *s * f;
    }
    interp_stmts(x->m->update, env);
}

static void run_gap(SynRun *x, InterpEnv *env)
{
    const NirSynapseModel *m = x->m;
    double vpre = *x->ref[m->gap_pre_var], vpost = *x->ref[m->gap_post_var];
    double c = interp_expr(m->gap_g, env) * (vpre - vpost);
    *x->ref[m->gap_post_in] = *x->ref[m->gap_post_in] + c;
    *x->ref[m->gap_pre_in] = *x->ref[m->gap_pre_in] - c;
}

/* Synapse x->k between x->pre and x->post. */
static void run_synapse(SynRun *x)
{
    const NirSynapseModel *m = x->m;
    const NirGroup *g = x->g;
    const RtGroupState *gs = x->gs;
    uint64_t k = x->k;
    if (m->pruned_state >= 0 && gs->state[m->pruned_state][k] != 0)
        return;
    uint64_t id = gs->syn_id ? gs->syn_id[k] : k; /* random()'s: position k's synapse */
    for (int j = 0; j < m->nparams; j++)
        x->param[j] = g->params[j].array ? gs->param[j][k] : g->params[j].value;
    for (int j = 0; j < m->nstates; j++)
        x->state[j] = gs->state[j][k];
    for (int j = 0; j < m->nlocals; j++)
        x->local[j] = 0;
    for (int r = 0; r < m->nrefs; r++) {
        const NirVar *v = &g->refs[r];
        const NirPop *p = x->side[m->refs[r].post];
        if (v->kind == NX_PARAM && !p->params[v->slot].array) {
            x->ref_const[r] = p->params[v->slot].value;
            x->ref[r] = &x->ref_const[r];
        } else {
            x->ref[r] = &gs->ref[r][m->refs[r].post ? x->post : x->pre];
        }
    }
    InterpEnv env = {.param = x->param, .state = x->state, .input = NULL, .local = x->local,
                     .t = (double)x->tick * x->dt, .dt = x->dt, .ref = x->ref,
                     .reward = x->kind == INTERP_SYN_REWARD ? x->value : 0, .seed = gs->seed,
                     .stream = gs->stream, .index = id, .tick = x->tick, .deliver = deliver, .ctx = x};
    switch (x->kind) {
    case INTERP_SYN_PRE: interp_stmts(m->on_pre, &env); break;
    case INTERP_SYN_POST: interp_stmts(m->on_post, &env); break;
    case INTERP_SYN_REWARD: interp_stmts(m->on_reward, &env); break;
    case INTERP_SYN_TICK: run_tick(x, &env); break;
    case INTERP_SYN_GAP: run_gap(x, &env); break;
    }
    if (env.pruned) {
        x->state[m->pruned_state] = 1;
        if (gs->npruned)
            ++*gs->npruned;
    }
    for (int j = 0; j < m->nstates; j++)
        gs->state[j][k] = x->state[j];
}

int interp_syn_run(const NirSynapseModel *m, const NirGroup *g, const NirPop *pre, const NirPop *post,
                   const RtGroupState *gs, InterpSynKind kind, uint32_t begin, uint32_t end, uint64_t tick,
                   double value, double dt)
{
    size_t n = (size_t)m->nparams + (size_t)m->nstates + (size_t)m->nlocals + 2 * (size_t)m->nrefs + 1;
    double *buf = calloc(n, sizeof(double));
    double **refs = calloc((size_t)m->nrefs + 1, sizeof(double *));
    if (!buf || !refs) {
        free(buf);
        free(refs);
        return -1;
    }
    SynRun x = {.m = m, .g = g, .side = {pre, post}, .gs = gs, .kind = kind, .tick = tick, .value = value,
                .dt = dt, .ref = refs};
    x.param = buf;
    x.state = x.param + m->nparams;
    x.local = x.state + m->nstates;
    x.ref_const = x.local + m->nlocals;
    if (kind == INTERP_SYN_POST) {
        x.post = begin;
        for (uint64_t e = gs->csc_ptr[begin]; e < gs->csc_ptr[begin + 1]; e++) {
            x.k = gs->csc_syn[e];
            x.pre = gs->csc_pre[e];
            run_synapse(&x);
        }
    } else {
        const uint64_t *rows = gs->row_live ? gs->row_live : gs->row_ptr; /* compacted: live ones */
        for (uint32_t i = begin; i < end; i++) {
            x.pre = i;
            for (uint64_t k = rows[i]; k < rows[i + 1]; k++) {
                x.k = k;
                x.post = gs->col[k];
                run_synapse(&x);
            }
        }
    }
    free(buf);
    free(refs);
    return 0;
}
