/* rt_brain_reward.c - reward reaching synapses: the brain's `reward e [to
 * target]` members (docs/language.md §7.8), reward given through the C API
 * to one group or population, and tick step 8, which hands the amounts to
 * the groups' `on reward` kernels.
 *
 * Step 8 of tick n: (a) every observation takes this tick's spike count of
 * its neurons into its window; (b) every reward expression is evaluated (t
 * = n * dt) and, when nonzero, added to the amount of its target: all
 * groups, or its own groups; (c) each group with `on reward` that was given
 * an amount (since the last tick, through the C API, or in (b)) runs it
 * with the sum of the global amount and its own; (d) the amounts are
 * cleared. Everything runs on the calling thread in a fixed order, so the
 * result never depends on the number of threads. */
#include "rt_brain_internal.h"
#include <math.h>
#include <string.h>

/* ---- checks and building ------------------------------------------------- */

static int arity(const RtRewardNode *x)
{
    switch (x->kind) {
    case RT_RX_OP: return x->op == RT_ROP_NEG || x->op == RT_ROP_NOT ? 1 : 2;
    case RT_RX_COND: return 3;
    case RT_RX_FN:
        return x->op <= RT_RFN_HEAVISIDE ? 1 : x->op == RT_RFN_CLAMP ? 3 : 2;
    default: return 0;
    }
}

static RtStatus check_reward(const RtBrainSpec *spec, uint32_t r, RtError *err)
{
    const RtRewardSpec *rs = &spec->rewards[r];
    if (rs->nnodes == 0 || !rs->nodes)
        return rt_error_set(err, RT_ERR_ARG, "reward %u has no expression", r);
    for (uint32_t k = 0; k < rs->nnodes; k++) {
        const RtRewardNode *x = &rs->nodes[k];
        int n = arity(x);
        uint32_t ops[3] = {x->a, x->b, x->c};
        int bad = x->kind >= RT_RX_KINDS || (x->kind == RT_RX_OP && x->op >= RT_ROP_COUNT) ||
                  (x->kind == RT_RX_FN && x->op >= RT_RFN_COUNT) ||
                  (x->kind == RT_RX_OBSERVE && x->a >= spec->nobserves);
        for (int j = 0; j < n; j++)
            bad |= ops[j] >= k;
        if (bad)
            return rt_error_set(err, RT_ERR_ARG, "reward %u: node %u is malformed", r, k);
    }
    for (uint32_t g = 0; g < rs->ngroups; g++)
        if (!rs->groups || rs->groups[g] >= spec->ngroups)
            return rt_error_set(err, RT_ERR_ARG, "reward %u targets a group out of range", r);
    return RT_OK;
}

static RtStatus check_observe(const RtBrainSpec *spec, uint32_t o, RtError *err)
{
    const RtObserveSpec *os = &spec->observes[o];
    if (os->pop >= spec->npops || os->window < 1)
        return rt_error_set(err, RT_ERR_ARG, "observation %u: bad population or window", o);
    for (uint32_t k = 0; os->idx && k < os->n; k++)
        if (os->idx[k] >= spec->pops[os->pop].size)
            return rt_error_set(err, RT_ERR_ARG, "observation %u: neuron out of range", o);
    return RT_OK;
}

static RtStatus nomem(RtError *err) { return rt_error_set(err, RT_ERR_NOMEM, "out of memory for rewards"); }

static RtStatus build_observe(RtBrain *b, RtObserve *o, const RtObserveSpec *os, RtError *err)
{
    RtAllocator *a = &b->alloc;
    o->pop = os->pop;
    o->window = os->window;
    if (!(o->counts = rt_alloc_array(a, os->window, sizeof(uint64_t))))
        return nomem(err);
    if (!os->idx)
        return RT_OK;
    if (!(o->mask = rt_alloc(a, (size_t)b->pops[os->pop].size + 1)))
        return nomem(err);
    for (uint32_t k = 0; k < os->n; k++)
        o->mask[os->idx[k]] = 1;
    return RT_OK;
}

static RtStatus build_reward(RtBrain *b, RtReward *r, const RtRewardSpec *rs, RtError *err)
{
    RtAllocator *a = &b->alloc;
    r->nnodes = rs->nnodes;
    r->ngroups = rs->ngroups;
    if (!(r->nodes = rt_alloc_array(a, rs->nnodes, sizeof *r->nodes)))
        return nomem(err);
    memcpy(r->nodes, rs->nodes, rs->nnodes * sizeof *r->nodes);
    if (rs->groups) {
        if (!(r->groups = rt_alloc_array(a, (size_t)rs->ngroups + 1, sizeof *r->groups)))
            return nomem(err);
        memcpy(r->groups, rs->groups, rs->ngroups * sizeof *r->groups);
    }
    return RT_OK;
}

RtStatus rt_brain_build_rewards(RtBrain *b, const RtBrainSpec *spec, RtError *err)
{
    RtAllocator *a = &b->alloc;
    for (uint32_t o = 0; o < spec->nobserves; o++)
        if (check_observe(spec, o, err))
            return RT_ERR_ARG;
    for (uint32_t r = 0; r < spec->nrewards; r++)
        if (check_reward(spec, r, err))
            return RT_ERR_ARG;
    b->group_reward = rt_alloc_array(a, (size_t)b->ngroups + 1, sizeof(double));
    b->group_rewarded = rt_alloc(a, (size_t)b->ngroups + 1);
    b->observes = rt_alloc_array(a, (size_t)spec->nobserves + 1, sizeof *b->observes);
    b->rewards = rt_alloc_array(a, (size_t)spec->nrewards + 1, sizeof *b->rewards);
    uint32_t longest = 1;
    for (uint32_t r = 0; r < spec->nrewards; r++)
        longest = spec->rewards[r].nnodes > longest ? spec->rewards[r].nnodes : longest;
    b->reward_vals = rt_alloc_array(a, longest, sizeof(double));
    if (!b->group_reward || !b->group_rewarded || !b->observes || !b->rewards || !b->reward_vals)
        return nomem(err);
    for (uint32_t o = 0; o < spec->nobserves; o++, b->nobserves++)
        if (build_observe(b, &b->observes[o], &spec->observes[o], err))
            return RT_ERR_NOMEM;
    for (uint32_t r = 0; r < spec->nrewards; r++, b->nrewards++)
        if (build_reward(b, &b->rewards[r], &spec->rewards[r], err))
            return RT_ERR_NOMEM;
    return RT_OK;
}

void rt_brain_free_rewards(RtBrain *b)
{
    RtAllocator *a = &b->alloc;
    for (uint32_t o = 0; b->observes && o < b->nobserves; o++) {
        rt_free(a, b->observes[o].mask);
        rt_free(a, b->observes[o].counts);
    }
    for (uint32_t r = 0; b->rewards && r < b->nrewards; r++) {
        rt_free(a, b->rewards[r].nodes);
        rt_free(a, b->rewards[r].groups);
    }
    rt_free(a, b->observes);
    rt_free(a, b->rewards);
    rt_free(a, b->reward_vals);
    rt_free(a, b->group_reward);
    rt_free(a, b->group_rewarded);
}

/* ---- the C API ------------------------------------------------------------- */

RtStatus rt_brain_reward_group(RtBrain *b, uint32_t group, double amount)
{
    if (group >= b->ngroups)
        return RT_ERR_ARG;
    b->group_reward[group] += amount;
    b->group_rewarded[group] = 1;
    b->any_group_rewarded = 1;
    return RT_OK;
}

RtStatus rt_brain_reward_pop(RtBrain *b, uint32_t pop, double amount)
{
    if (pop >= b->npops)
        return RT_ERR_ARG;
    for (uint32_t g = 0; g < b->ngroups; g++)
        if (b->groups[g].post == pop)
            rt_brain_reward_group(b, g, amount);
    return RT_OK;
}

/* ---- step 8 ---------------------------------------------------------------- */

/* The meaning of docs/language.md §2 (the compiler's nir_op_apply and
 * nir_fn_apply, which the runtime cannot link). */
static double apply_op(uint32_t op, double a, double b)
{
    switch ((RtRewardOp)op) {
    case RT_ROP_ADD: return a + b;
    case RT_ROP_SUB: return a - b;
    case RT_ROP_MUL: return a * b;
    case RT_ROP_DIV: return a / b;
    case RT_ROP_MOD: return a - b * floor(a / b);
    case RT_ROP_POW: return pow(a, b);
    case RT_ROP_EQ: return a == b;
    case RT_ROP_NE: return a != b;
    case RT_ROP_LT: return a < b;
    case RT_ROP_LE: return a <= b;
    case RT_ROP_GT: return a > b;
    case RT_ROP_GE: return a >= b;
    case RT_ROP_AND: return a != 0 && b != 0;
    case RT_ROP_OR: return a != 0 || b != 0;
    case RT_ROP_NEG: return -a;
    case RT_ROP_NOT: return a == 0;
    case RT_ROP_COUNT: break;
    }
    return 0;
}

static double apply_fn(uint32_t fn, const double *x)
{
    switch ((RtRewardFn)fn) {
    case RT_RFN_EXP: return exp(x[0]);
    case RT_RFN_LOG: return log(x[0]);
    case RT_RFN_LOG10: return log10(x[0]);
    case RT_RFN_SQRT: return sqrt(x[0]);
    case RT_RFN_ABS: return fabs(x[0]);
    case RT_RFN_SIN: return sin(x[0]);
    case RT_RFN_COS: return cos(x[0]);
    case RT_RFN_TAN: return tan(x[0]);
    case RT_RFN_TANH: return tanh(x[0]);
    case RT_RFN_SINH: return sinh(x[0]);
    case RT_RFN_COSH: return cosh(x[0]);
    case RT_RFN_ATAN: return atan(x[0]);
    case RT_RFN_FLOOR: return floor(x[0]);
    case RT_RFN_CEIL: return ceil(x[0]);
    case RT_RFN_ROUND: return round(x[0]);
    case RT_RFN_SIGN: return (x[0] > 0) - (x[0] < 0);
    case RT_RFN_HEAVISIDE: return x[0] > 0 ? 1.0 : 0.0;
    case RT_RFN_POW: return pow(x[0], x[1]);
    case RT_RFN_ATAN2: return atan2(x[0], x[1]);
    case RT_RFN_MIN: return fmin(x[0], x[1]);
    case RT_RFN_MAX: return fmax(x[0], x[1]);
    case RT_RFN_CLAMP: return fmin(fmax(x[0], x[1]), x[2]);
    case RT_RFN_COUNT: break;
    }
    return 0;
}

/* Nodes in post-order: one pass, operands already computed. */
static double evaluate(RtBrain *b, const RtReward *r, double t)
{
    double *v = b->reward_vals;
    for (uint32_t k = 0; k < r->nnodes; k++) {
        const RtRewardNode *x = &r->nodes[k];
        double args[3];
        switch ((RtRewardNodeKind)x->kind) {
        case RT_RX_CONST: v[k] = x->value; break;
        case RT_RX_TIME: v[k] = t; break;
        case RT_RX_OBSERVE: v[k] = (double)b->observes[x->a].sum; break;
        case RT_RX_OP: v[k] = apply_op(x->op, v[x->a], arity(x) == 2 ? v[x->b] : 0); break;
        case RT_RX_COND: v[k] = v[x->a] != 0 ? v[x->b] : v[x->c]; break;
        case RT_RX_FN:
            args[0] = v[x->a];
            args[1] = arity(x) > 1 ? v[x->b] : 0;
            args[2] = arity(x) > 2 ? v[x->c] : 0;
            v[k] = apply_fn(x->op, args);
            break;
        case RT_RX_KINDS: v[k] = 0; break;
        }
    }
    return v[r->nnodes - 1];
}

static void observe(RtBrain *b, RtObserve *o, uint64_t tick)
{
    const RtPop *p = &b->pops[o->pop];
    uint64_t n = p->nspikes;
    if (o->mask) {
        n = 0;
        for (uint32_t s = 0; s < p->nspikes; s++)
            n += o->mask[p->spikes[s]];
    }
    uint64_t *slot = &o->counts[tick % o->window];
    o->sum = o->sum - *slot + n;
    *slot = n;
}

void rt_brain_reward_tick(RtBrain *b, uint64_t tick)
{
    for (uint32_t o = 0; o < b->nobserves; o++)
        observe(b, &b->observes[o], tick);
    double t = (double)tick * b->dt;
    for (uint32_t r = 0; r < b->nrewards; r++) {
        const RtReward *rw = &b->rewards[r];
        double amount = evaluate(b, rw, t);
        if (amount == 0)
            continue;
        if (!rw->groups)
            rt_brain_reward(b, amount);
        for (uint32_t k = 0; rw->groups && k < rw->ngroups; k++)
            rt_brain_reward_group(b, rw->groups[k], amount);
    }
    /* Without reward this tick (the usual case) no group has work: skip the
     * pass over every group. */
    for (uint32_t g = 0; (b->rewarded || b->any_group_rewarded) && g < b->ngroups; g++) {
        const RtGroup *grp = &b->groups[g];
        if (grp->on_reward && (b->rewarded || b->group_rewarded[g]))
            grp->on_reward(&grp->s, 0, grp->n_pre, tick, b->reward + b->group_reward[g]);
        b->group_reward[g] = 0;
        b->group_rewarded[g] = 0;
    }
    b->reward = 0;
    b->rewarded = 0;
    b->any_group_rewarded = 0;
}

void rt_brain_reward_resync(RtBrain *b)
{
    b->any_group_rewarded = 0;
    for (uint32_t g = 0; b->group_rewarded && g < b->ngroups; g++)
        b->any_group_rewarded |= b->group_rewarded[g] != 0;
    for (uint32_t o = 0; o < b->nobserves; o++) {
        RtObserve *ob = &b->observes[o];
        ob->sum = 0;
        for (uint32_t k = 0; k < ob->window; k++)
            ob->sum += ob->counts[k];
    }
}
