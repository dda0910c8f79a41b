/* llvm_reward.c - reward expressions of the IR flattened into the
 * runtime's post-order node arrays (RtRewardNode): operands before the node
 * that uses them, the value last. The runtime evaluates them itself at
 * tick step 8: they are small and run once per tick, so they are not
 * compiled. */
#include "llvm_reward.h"

static const uint32_t ops[] = {
    [OP_ADD] = RT_ROP_ADD, [OP_SUB] = RT_ROP_SUB, [OP_MUL] = RT_ROP_MUL, [OP_DIV] = RT_ROP_DIV,
    [OP_MOD] = RT_ROP_MOD, [OP_POW] = RT_ROP_POW, [OP_EQ] = RT_ROP_EQ,   [OP_NE] = RT_ROP_NE,
    [OP_LT] = RT_ROP_LT,   [OP_LE] = RT_ROP_LE,   [OP_GT] = RT_ROP_GT,   [OP_GE] = RT_ROP_GE,
    [OP_AND] = RT_ROP_AND, [OP_OR] = RT_ROP_OR,   [OP_NEG] = RT_ROP_NEG, [OP_NOT] = RT_ROP_NOT};

static const uint32_t fns[NF_COUNT] = {
    [NF_EXP] = RT_RFN_EXP,     [NF_LOG] = RT_RFN_LOG,         [NF_LOG10] = RT_RFN_LOG10,
    [NF_SQRT] = RT_RFN_SQRT,   [NF_ABS] = RT_RFN_ABS,         [NF_SIN] = RT_RFN_SIN,
    [NF_COS] = RT_RFN_COS,     [NF_TAN] = RT_RFN_TAN,         [NF_TANH] = RT_RFN_TANH,
    [NF_SINH] = RT_RFN_SINH,   [NF_COSH] = RT_RFN_COSH,       [NF_ATAN] = RT_RFN_ATAN,
    [NF_FLOOR] = RT_RFN_FLOOR, [NF_CEIL] = RT_RFN_CEIL,       [NF_ROUND] = RT_RFN_ROUND,
    [NF_SIGN] = RT_RFN_SIGN,   [NF_HEAVISIDE] = RT_RFN_HEAVISIDE, [NF_POW] = RT_RFN_POW,
    [NF_ATAN2] = RT_RFN_ATAN2, [NF_MIN] = RT_RFN_MIN,         [NF_MAX] = RT_RFN_MAX,
    [NF_CLAMP] = RT_RFN_CLAMP};

static uint32_t count(const NirExpr *e)
{
    return e ? 1 + count(e->a) + count(e->b) + count(e->c) : 0;
}

/* Appends e's nodes at out[*n...]; returns the index of e's node. */
static uint32_t flatten(const NirExpr *e, RtRewardNode *out, uint32_t *n)
{
    RtRewardNode x = {0};
    uint32_t a = e->a ? flatten(e->a, out, n) : 0;
    uint32_t b = e->b ? flatten(e->b, out, n) : 0;
    uint32_t c = e->c ? flatten(e->c, out, n) : 0;
    x.a = a, x.b = b, x.c = c;
    switch (e->kind) {
    case NX_CONST: x.kind = RT_RX_CONST, x.value = e->value; break;
    case NX_T: x.kind = RT_RX_TIME; break;
    case NX_PARAM: x.kind = RT_RX_OBSERVE, x.a = (uint32_t)e->slot; break;
    case NX_UNARY:
    case NX_BINARY: x.kind = RT_RX_OP, x.op = ops[e->op]; break;
    case NX_COND: x.kind = RT_RX_COND; break;
    case NX_CALL: x.kind = RT_RX_FN, x.op = fns[e->fn]; break;
    default: x.kind = RT_RX_CONST; break; /* not produced by nir_build_reward.c */
    }
    out[*n] = x;
    return (*n)++;
}

int llvm_reward_fill(const Nir *nir, RtBrainSpec *spec, LlvmRewardAlloc alloc, void *ctx)
{
    RtObserveSpec *obs = alloc(ctx, (size_t)nir->nobserves, sizeof *obs);
    RtRewardSpec *rws = alloc(ctx, (size_t)nir->nrewards, sizeof *rws);
    if (!obs || !rws)
        return -1;
    for (int k = 0; k < nir->nobserves; k++) {
        const NirObserve *o = &nir->observes[k];
        obs[k] = (RtObserveSpec){o->pop, o->n, o->idx, o->window};
    }
    for (int k = 0; k < nir->nrewards; k++) {
        const NirReward *r = &nir->rewards[k];
        uint32_t n = count(r->amount), used = 0;
        RtRewardNode *nodes = alloc(ctx, n, sizeof *nodes);
        uint32_t *groups = r->groups ? alloc(ctx, (size_t)r->ngroups, sizeof *groups) : NULL;
        if (!nodes || (r->groups && !groups))
            return -1;
        flatten(r->amount, nodes, &used);
        for (int g = 0; groups && g < r->ngroups; g++)
            groups[g] = (uint32_t)r->groups[g];
        rws[k] = (RtRewardSpec){n, nodes, (uint32_t)r->ngroups, groups};
    }
    spec->nobserves = (uint32_t)nir->nobserves, spec->nrewards = (uint32_t)nir->nrewards;
    spec->observes = obs, spec->rewards = rws;
    return 0;
}
