/* nir_shared.c - shared synapse traces: which states of a synapse group
 * hold the same value on every synapse of one pre (or post) neuron, so that
 * a backend may keep them once per neuron (docs/architecture.md, "Shared
 * traces"). An STDP trace `x_pre` that starts at 0, is decayed and gets
 * `x_pre += 1` in `on pre` is the typical one: every synapse of a pre
 * neuron sees the same spikes, so all of them hold the same number. Keeping
 * it per neuron turns the per-tick decay of n_syn traces into n_pre, and
 * the per-synapse load and store into one per spike.
 *
 * A state x is kept per pre neuron when, in this group:
 *   - the model cannot `prune` (pruned synapses freeze their states), is
 *     not a gap junction, and x's initial value is the same for all synapses;
 *   - x is assigned only in `on pre` (or only decayed), every value assigned
 *     to it and every condition around the assignment is "pre-uniform": made
 *     of constants, t, dt, parameters uniform in the group, pre.X, locals
 *     that are themselves pre-uniform, and states kept per pre neuron (no
 *     random(), no per-synapse value);
 *   - its decay's time constant is uniform in the group;
 *   - `update` does not assign or read it, or the whole `update` can run
 *     once per neuron of x's side (it assigns and reads only such states,
 *     with uniform values and conditions): otherwise the per-tick pass
 *     would gather x for every synapse every tick, slower than keeping it
 *     per synapse.
 * Per post neuron is the mirror image with `on post` and post.X. `on pre`
 * runs for every synapse of a spiking neuron in the same tick, and `on
 * post` for every synapse of a post neuron, so starting equal, all of them
 * take the same steps: the per-neuron value is the per-synapse one bit for
 * bit. The states are found by shrinking a candidate set to a fixed point. */
#include "nir.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    const NirSynapseModel *m;
    const NirGroup *g;
    uint8_t *side;     /* [nstates] candidate side, NIR_SIDE_SYNAPSE when excluded */
    uint8_t *local_ok; /* [nlocals] locals uniform in the handler being checked */
    int want;          /* the side being checked: NIR_SIDE_PRE or NIR_SIDE_POST, or
                        * NIR_SIDE_SYNAPSE: uniform in the whole group */
} SharedCtx;

static int uniform(const SharedCtx *c, const NirExpr *e)
{
    if (!e)
        return 1;
    switch (e->kind) {
    case NX_CONST:
    case NX_T:
    case NX_DT: return 1;
    case NX_PARAM: return c->g->params[e->slot].array == NULL;
    case NX_STATE: return c->want && c->side[e->slot] == c->want;
    case NX_LOCAL: return c->want && c->local_ok[e->slot];
    case NX_REF: return c->want && c->m->refs[e->slot].post == (c->want == NIR_SIDE_POST);
    case NX_UNARY:
    case NX_BINARY:
    case NX_COND:
    case NX_CALL: return uniform(c, e->a) && uniform(c, e->b) && uniform(c, e->c);
    default: return 0; /* random(), reward, inputs */
    }
}

/* Clears local_ok for locals assigned a non-uniform value or under a
 * non-uniform condition; returns whether anything changed. */
static int check_locals(SharedCtx *c, const NirStmt *s, int cond_ok)
{
    int changed = 0;
    for (; s; s = s->next) {
        if (s->kind == NS_ASSIGN && s->var.kind == NX_LOCAL && c->local_ok[s->var.slot] &&
            !(cond_ok && uniform(c, s->value))) {
            c->local_ok[s->var.slot] = 0;
            changed = 1;
        } else if (s->kind == NS_IF) {
            int ok = cond_ok && uniform(c, s->value);
            changed |= check_locals(c, s->body, ok);
            changed |= check_locals(c, s->orelse, ok);
        }
    }
    return changed;
}

/* Drops candidates of side `want` assigned a non-uniform value or under a
 * non-uniform condition in the handler; returns whether any was dropped. */
static int check_states(SharedCtx *c, const NirStmt *s, int cond_ok)
{
    int changed = 0;
    for (; s; s = s->next) {
        if (s->kind == NS_ASSIGN && s->var.kind == NX_STATE && c->side[s->var.slot] == c->want &&
            !(cond_ok && uniform(c, s->value))) {
            c->side[s->var.slot] = NIR_SIDE_SYNAPSE;
            changed = 1;
        } else if (s->kind == NS_IF) {
            int ok = cond_ok && uniform(c, s->value);
            changed |= check_states(c, s->body, ok);
            changed |= check_states(c, s->orelse, ok);
        }
    }
    return changed;
}

void nir_mark_assigned(const NirStmt *s, uint8_t *mask)
{
    for (; s; s = s->next) {
        if (s->kind == NS_ASSIGN && s->var.kind == NX_STATE)
            mask[s->var.slot] = 1;
        nir_mark_assigned(s->body, mask);
        nir_mark_assigned(s->orelse, mask);
    }
}

static void mark_read_expr(const NirExpr *e, uint8_t *mask)
{
    if (!e)
        return;
    if (e->kind == NX_STATE)
        mask[e->slot] = 1;
    mark_read_expr(e->a, mask);
    mark_read_expr(e->b, mask);
    mark_read_expr(e->c, mask);
}

/* Marks in mask[state] the states the code reads. */
static void mark_read(const NirStmt *s, uint8_t *mask)
{
    for (; s; s = s->next) {
        mark_read_expr(s->value, mask);
        mark_read(s->body, mask);
        mark_read(s->orelse, mask);
    }
}

/* One handler to a fixed point: its uniform locals, then its states. */
static int check_handler(SharedCtx *c, const NirStmt *code, int want)
{
    c->want = want;
    memset(c->local_ok, 1, (size_t)c->m->nlocals + 1);
    while (check_locals(c, code, 1))
        ;
    return check_states(c, code, 1);
}

/* Whether `update` only assigns states (no pre.X / post.X, deliveries or
 * prunes), so that it could run once per neuron. */
static int update_assigns_states_only(const NirStmt *s)
{
    for (; s; s = s->next) {
        if (s->kind == NS_DELIVER || s->kind == NS_PRUNE || (s->kind == NS_ASSIGN && s->var.kind == NX_REF) ||
            !update_assigns_states_only(s->body) || !update_assigns_states_only(s->orelse))
            return 0;
    }
    return 1;
}

/* The candidates to a fixed point, `update` running per neuron of side
 * upd (NIR_SIDE_SYNAPSE: per synapse, then the states it assigns or reads
 * stay per synapse). Returns 0 when upd is not NIR_SIDE_SYNAPSE and some
 * state `update` assigns or reads did not end up on side upd. */
static int solve(SharedCtx *c, const uint8_t *in_pre, const uint8_t *in_post, const uint8_t *elsewhere,
                 const uint8_t *decayed, const uint8_t *in_update, int upd)
{
    const NirSynapseModel *m = c->m;
    int ns = m->nstates;
    memset(c->side, NIR_SIDE_SYNAPSE, (size_t)ns);
    for (int j = 0; j < ns; j++) {
        if (elsewhere[j] || c->g->state[j].array || (in_pre[j] && in_post[j]) ||
            (in_update[j] && upd == NIR_SIDE_SYNAPSE))
            continue;
        if (in_pre[j] || (!in_post[j] && (decayed[j] || in_update[j]) && upd != NIR_SIDE_POST))
            c->side[j] = NIR_SIDE_PRE;
        else if (in_post[j] || (in_update[j] && upd == NIR_SIDE_POST))
            c->side[j] = NIR_SIDE_POST;
    }
    while (check_handler(c, m->on_pre, NIR_SIDE_PRE) | check_handler(c, m->on_post, NIR_SIDE_POST) |
           (upd != NIR_SIDE_SYNAPSE && check_handler(c, m->update, upd)))
        ;
    for (int j = 0; upd != NIR_SIDE_SYNAPSE && j < ns; j++)
        if (in_update[j] && c->side[j] != upd)
            return 0;
    return 1;
}

int nir_shared_sides(const NirGroup *g, const NirSynapseModel *m, uint8_t *side, int *update_side)
{
    int ns = m->nstates, nshared = 0, upd = NIR_SIDE_SYNAPSE;
    memset(side, NIR_SIDE_SYNAPSE, (size_t)ns);
    if (update_side)
        *update_side = NIR_SIDE_SYNAPSE;
    if (m->is_gap || m->is_static || m->pruned_state >= 0 || g->n_syn == 0 || getenv("BRAINC_NO_SHARED_TRACES"))
        return 0;
    uint8_t *in_pre = calloc((size_t)ns + 1, 1), *in_post = calloc((size_t)ns + 1, 1);
    uint8_t *elsewhere = calloc((size_t)ns + 1, 1), *decayed = calloc((size_t)ns + 1, 1);
    uint8_t *in_update = calloc((size_t)ns + 1, 1), *local_ok = calloc((size_t)m->nlocals + 1, 1);
    if (!in_pre || !in_post || !elsewhere || !decayed || !in_update || !local_ok)
        goto done;
    nir_mark_assigned(m->on_pre, in_pre);
    nir_mark_assigned(m->on_post, in_post);
    nir_mark_assigned(m->on_reward, elsewhere);
    /* The states `update` assigns or reads: kept per neuron only when the
     * whole `update` can run once per neuron (it assigns nothing else and
     * reads nothing per synapse: the relaxation of a short-term gain);
     * otherwise per synapse, since a per-tick pass that gathers a
     * per-neuron value for every synapse costs more than it saves
     * (bench/README.md, "Plasticity rules"). */
    nir_mark_assigned(m->update, in_update);
    mark_read(m->update, in_update);
    SharedCtx c = {m, g, side, local_ok, NIR_SIDE_SYNAPSE};
    for (int d = 0; d < m->ndecays; d++) {
        c.want = NIR_SIDE_SYNAPSE; /* the time constant: uniform parameters only */
        decayed[m->decays[d].state] = 1;
        if (!uniform(&c, m->decays[d].tau) || m->decays[d].tau == NULL)
            elsewhere[m->decays[d].state] = 1;
    }
    if (m->update && update_assigns_states_only(m->update)) {
        int want = NIR_SIDE_PRE; /* the side of the states it assigns that a handler assigns too */
        for (int j = 0; j < ns; j++)
            if (in_update[j] && in_post[j])
                want = NIR_SIDE_POST;
        if (solve(&c, in_pre, in_post, elsewhere, decayed, in_update, want))
            upd = want;
    }
    if (upd == NIR_SIDE_SYNAPSE)
        solve(&c, in_pre, in_post, elsewhere, decayed, in_update, NIR_SIDE_SYNAPSE);
    for (int j = 0; j < ns; j++)
        nshared += side[j] != NIR_SIDE_SYNAPSE;
done:
    if (!nshared) {
        memset(side, NIR_SIDE_SYNAPSE, (size_t)ns);
        upd = NIR_SIDE_SYNAPSE;
    }
    if (update_side)
        *update_side = upd;
    free(in_pre), free(in_post), free(elsewhere), free(decayed), free(in_update), free(local_ok);
    return nshared;
}
