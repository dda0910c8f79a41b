/* rt_brain_reward.c - reward reaching synapses: the brain's `reward e [to
 * target]` members (docs/language.md §7.8), reward given through the C API
 * to all groups, one group or one population, and tick step 8, which runs
 * the groups' `on reward` kernels.
 *
 * Reward comes in deliveries: each rt_brain_reward* call, and each nonzero
 * `reward` member in a tick, is one, and runs `on reward` once with its
 * amount. A rule that consumes its eligibility (the im8 `reward_plastic`
 * halves it) so sees a second delivery in the same tick act on what the
 * first left, as the reference engine's deliver_reward does.
 *
 * Step 8 of tick n: (a) every observation takes this tick's spike count of
 * its neurons into its window; (b) every reward expression is evaluated (t
 * = n * dt) and, when nonzero, queued as a delivery to its targets, after
 * those given through the C API since the last tick; (c) the deliveries
 * run in order, each the `on reward` of its groups in declaration order;
 * (d) the queue is emptied. Everything runs on the calling thread in a
 * fixed order, so the result never depends on the number of threads. */
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
    b->observes = rt_alloc_array(a, (size_t)spec->nobserves + 1, sizeof *b->observes);
    b->rewards = rt_alloc_array(a, (size_t)spec->nrewards + 1, sizeof *b->rewards);
    uint32_t longest = 1;
    for (uint32_t r = 0; r < spec->nrewards; r++)
        longest = spec->rewards[r].nnodes > longest ? spec->rewards[r].nnodes : longest;
    b->reward_vals = rt_alloc_array(a, longest, sizeof(double));
    if (!b->observes || !b->rewards || !b->reward_vals)
        return nomem(err);
    for (uint32_t r = 0; r < spec->nrewards; r++)
        b->reserved_deliveries += spec->rewards[r].groups ? spec->rewards[r].ngroups : 1;
    if (rt_brain_reserve_deliveries(b, 8))
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
    rt_free(a, b->delivery_group);
    rt_free(a, b->delivery_amount);
}

RtStatus rt_brain_reserve_deliveries(RtBrain *b, uint64_t n)
{
    uint64_t need = n + b->reserved_deliveries;
    if (need <= b->delivery_cap)
        return RT_OK;
    uint64_t cap = b->delivery_cap ? b->delivery_cap : 16;
    while (cap < need)
        cap *= 2;
    if (cap > UINT32_MAX)
        return RT_ERR_NOMEM;
    uint32_t *group = rt_alloc_array(&b->alloc, cap, sizeof *group);
    double *amount = rt_alloc_array(&b->alloc, cap, sizeof *amount);
    if (!group || !amount) {
        rt_free(&b->alloc, group);
        rt_free(&b->alloc, amount);
        return RT_ERR_NOMEM;
    }
    if (b->ndeliveries) {
        memcpy(group, b->delivery_group, b->ndeliveries * sizeof *group);
        memcpy(amount, b->delivery_amount, b->ndeliveries * sizeof *amount);
    }
    rt_free(&b->alloc, b->delivery_group);
    rt_free(&b->alloc, b->delivery_amount);
    b->delivery_group = group, b->delivery_amount = amount;
    b->delivery_cap = (uint32_t)cap;
    return RT_OK;
}

/* Queues a delivery; the reserve is kept for step 8, which calls this
 * with reserve 0 (room made for it in advance). */
static RtStatus deliver(RtBrain *b, uint32_t group, double amount, int keep_reserve)
{
    if (keep_reserve) {
        RtStatus st = rt_brain_reserve_deliveries(b, (uint64_t)b->ndeliveries + 1);
        if (st)
            return st;
    }
    b->delivery_group[b->ndeliveries] = group;
    b->delivery_amount[b->ndeliveries++] = amount;
    return RT_OK;
}

/* ---- the C API ------------------------------------------------------------- */

RtStatus rt_brain_reward(RtBrain *b, double amount) { return deliver(b, RT_DELIVER_ALL, amount, 1); }

RtStatus rt_brain_reward_group(RtBrain *b, uint32_t group, double amount)
{
    if (group >= b->ngroups)
        return RT_ERR_ARG;
    return deliver(b, group, amount, 1);
}

/* One delivery per group of the population, all made room for first, so
 * that running out of memory queues none of them. */
RtStatus rt_brain_reward_pop(RtBrain *b, uint32_t pop, double amount)
{
    if (pop >= b->npops)
        return RT_ERR_ARG;
    uint64_t n = 0;
    for (uint32_t g = 0; g < b->ngroups; g++)
        n += b->groups[g].post == pop;
    RtStatus st = rt_brain_reserve_deliveries(b, b->ndeliveries + n);
    for (uint32_t g = 0; !st && g < b->ngroups; g++)
        if (b->groups[g].post == pop)
            st = deliver(b, g, amount, 0);
    return st;
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

static void run_delivery(RtBrain *b, uint32_t target, double amount, uint64_t tick)
{
    uint32_t g = target == RT_DELIVER_ALL ? 0 : target, end = target == RT_DELIVER_ALL ? b->ngroups : target + 1;
    for (; g < end; g++) {
        const RtGroup *grp = &b->groups[g];
        if (grp->on_reward)
            grp->on_reward(&grp->s, 0, grp->n_pre, tick, amount);
    }
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
            deliver(b, RT_DELIVER_ALL, amount, 0);
        for (uint32_t k = 0; rw->groups && k < rw->ngroups; k++)
            deliver(b, rw->groups[k], amount, 0);
    }
    /* Without reward this tick (the usual case) nothing runs. */
    for (uint32_t k = 0; k < b->ndeliveries; k++)
        run_delivery(b, b->delivery_group[k], b->delivery_amount[k], tick);
    b->ndeliveries = 0;
}

void rt_brain_reward_resync(RtBrain *b)
{
    for (uint32_t o = 0; o < b->nobserves; o++) {
        RtObserve *ob = &b->observes[o];
        ob->sum = 0;
        for (uint32_t k = 0; k < ob->window; k++)
            ob->sum += ob->counts[k];
    }
}
