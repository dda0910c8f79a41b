/* nir_build_reward.c - the brain's `reward e [to target]` members
 * (docs/language.md §7.8): e lowered to model-code expressions over the
 * time, folded brain parameters and observations of the brain's own
 * activity (`spikes(sel [, window])`), and the target resolved to synapse
 * groups. Rewards that read a body's measures are left out (bodies are
 * not executed yet; `run` says so). */
#include "nir_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Longest `spikes` window, in ticks: the window is a ring of counts. */
#define MAX_WINDOW_TICKS (1u << 24)

static int reads_body(const Expr *e, int in_spikes)
{
    if (!e)
        return 0;
    if (e->kind == EX_MEMBER && !in_spikes)
        return 1;
    int sp = in_spikes || (e->kind == EX_CALL && e->str && strcmp(e->str, "spikes") == 0);
    if (reads_body(e->a, sp) || reads_body(e->b, sp) || reads_body(e->c, sp))
        return 1;
    for (const Arg *g = e->args; g; g = g->next)
        if (reads_body(g->value, sp))
            return 1;
    return 0;
}

int nir_reward_reads_body(const Expr *e) { return reads_body(e, 0); }

/* ---- selections by population ------------------------------------------ */

/* The neurons a selection covers in one population, each once. */
typedef struct Covered {
    uint32_t pop, n;
    uint8_t *mask; /* [pop size] */
} Covered;

/* Splits sel by population; returns the count of parts (*out malloc'd). */
static int cover(Builder *b, const Sel *sel, Covered **out)
{
    Covered *parts = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < sel->nseg; i++) {
        const SelSeg *g = &sel->segs[i];
        int k = 0;
        while (k < n && parts[k].pop != g->pop)
            k++;
        if (k == n) {
            Covered *p = NIR_PUSH(parts, n, cap);
            p->pop = g->pop;
            p->n = 0;
            p->mask = calloc((size_t)b->nir->pops[g->pop].size + 1, 1);
            if (!p->mask)
                abort();
        }
        Covered *p = &parts[k];
        for (uint32_t j = 0; j < g->n; j++) {
            uint32_t x = g->off ? g->off[j] : g->lo + j;
            p->n += !p->mask[x];
            p->mask[x] = 1;
        }
    }
    *out = parts;
    return n;
}

static void free_cover(Covered *parts, int n)
{
    for (int k = 0; k < n; k++)
        free(parts[k].mask);
    free(parts);
}

/* ---- the expression ----------------------------------------------------- */

typedef struct RCtx {
    Builder *b;
    Ctx *c;
    EvalCtx ev;
    int failed;
} RCtx;

static NirExpr *node(RCtx *r, NirExprKind kind)
{
    NirExpr *e = ARENA_NEW(r->b->arena, NirExpr);
    e->kind = kind;
    return e;
}

static NirExpr *constant(RCtx *r, double v)
{
    NirExpr *e = node(r, NX_CONST);
    e->value = v;
    return e;
}

static NirExpr *fail(RCtx *r, Loc loc, const char *msg, const char *name)
{
    diag_error(r->b->diag, loc, msg, name);
    r->failed = 1;
    return constant(r, 0);
}

/* An observation already made of the same neurons over the same window, or -1. */
static int same_observation(const Nir *nir, const NirObserve *o)
{
    for (int k = 0; k < nir->nobserves; k++) {
        const NirObserve *x = &nir->observes[k];
        if (x->pop == o->pop && x->n == o->n && x->window == o->window && !x->idx == !o->idx &&
            (!x->idx || memcmp(x->idx, o->idx, o->n * sizeof *o->idx) == 0))
            return k;
    }
    return -1;
}

/* `spikes(sel [, window])`: the sum of one observation per population. */
static NirExpr *spikes(RCtx *r, Expr *e)
{
    Builder *b = r->b;
    Arg *sel_arg = NULL, *win_arg = NULL; /* by name or position (sema checked them) */
    int k = 0;
    for (Arg *g = e->args; g; g = g->next, k++) {
        if (g->name ? strcmp(g->name, "of") == 0 : k == 0)
            sel_arg = g;
        else
            win_arg = g;
    }
    if (!sel_arg)
        return fail(r, e->loc, "`%s` needs a selection of neurons", "spikes");
    double window = b->nir->dt;
    if (win_arg && nir_ev_number(&r->ev, win_arg->value, &window)) {
        r->failed = 1;
        return constant(r, 0);
    }
    double ticks = ceil(window / b->nir->dt - 1e-9);
    if (!(ticks >= 1 && ticks <= MAX_WINDOW_TICKS)) {
        diag_error(b->diag, win_arg->value->loc,
                   "the window of `spikes` must be between one tick (%g ms) and %u ticks, not %g ms",
                   b->nir->dt, MAX_WINDOW_TICKS, window);
        r->failed = 1;
        return constant(r, 0);
    }
    Sel sel;
    if (nir_select(b, r->c, sel_arg->value, &sel, SEL_REPORT | SEL_INTERNAL)) {
        r->failed = 1;
        return constant(r, 0);
    }
    Covered *parts;
    int n = cover(b, &sel, &parts);
    NirExpr *sum = NULL;
    for (k = 0; k < n; k++) {
        NirObserve o = {sel_arg->value->loc, parts[k].pop, parts[k].n, NULL, (uint32_t)ticks};
        if (parts[k].n < b->nir->pops[parts[k].pop].size) {
            o.idx = malloc(((size_t)parts[k].n + 1) * sizeof *o.idx);
            if (!o.idx)
                abort();
            uint32_t m = 0;
            for (uint32_t x = 0; x < b->nir->pops[parts[k].pop].size; x++)
                if (parts[k].mask[x])
                    o.idx[m++] = x;
        }
        NirExpr *obs = node(r, NX_PARAM);
        obs->slot = same_observation(b->nir, &o);
        if (obs->slot >= 0) {
            free(o.idx);
        } else {
            *NIR_PUSH(b->nir->observes, b->nir->nobserves, b->capobserves) = o;
            obs->slot = b->nir->nobserves - 1;
        }
        if (!sum) {
            sum = obs;
        } else {
            NirExpr *add = node(r, NX_BINARY);
            add->op = OP_ADD, add->a = sum, add->b = obs;
            sum = add;
        }
    }
    free_cover(parts, n);
    return sum ? sum : constant(r, 0);
}

static NirExpr *lower(RCtx *r, Expr *e)
{
    double v;
    switch (e->kind) {
    case EX_NUM:
    case EX_BOOL: return constant(r, e->num);
    case EX_NAME:
        if (strcmp(e->str, "t") == 0)
            return node(r, NX_T);
        if (strcmp(e->str, "dt") == 0)
            return constant(r, r->b->nir->dt);
        if (nir_scope_get(r->c->scope, e->str, &v))
            return constant(r, v);
        return fail(r, e->loc, "a reward reads `t`, `dt`, brain parameters and `spikes(...)`, "
                               "not `%s`", e->str);
    case EX_UNARY: {
        NirExpr *x = node(r, NX_UNARY);
        x->op = e->op, x->a = lower(r, e->a);
        return x;
    }
    case EX_BINARY: {
        NirExpr *x = node(r, NX_BINARY);
        x->op = e->op, x->a = lower(r, e->a), x->b = lower(r, e->b);
        return x;
    }
    case EX_COND: {
        NirExpr *x = node(r, NX_COND);
        x->a = lower(r, e->a), x->b = lower(r, e->b), x->c = lower(r, e->c);
        return x;
    }
    case EX_CALL: {
        if (strcmp(e->str, "spikes") == 0)
            return spikes(r, e);
        int fn = nir_fn_lookup(e->str);
        if (fn < 0)
            return fail(r, e->name_loc, "`%s` cannot be used in a reward", e->str);
        NirExpr *x = node(r, NX_CALL);
        x->fn = (NirFn)fn;
        NirExpr **slots[3] = {&x->a, &x->b, &x->c};
        int k = 0;
        for (Arg *g = e->args; g && k < 3; g = g->next, k++)
            *slots[k] = lower(r, g->value);
        if (k != nir_fn_arity((NirFn)fn))
            return fail(r, e->loc, "wrong number of arguments to `%s`", e->str);
        return x;
    }
    default: return fail(r, e->loc, "this expression cannot be part of a reward%s", "");
    }
}

/* ---- the target ---------------------------------------------------------- */

/* Groups reached by `to target`: every group into the target's populations
 * (which must be whole), or the groups of a named connection. */
static int target_groups(Builder *b, Ctx *c, Expr *e, NirReward *rw)
{
    Nir *nir = b->nir;
    const char *text = nir_sel_text(b, c, e);
    Sel sel;
    int errors = b->diag->nerrors;
    if (nir_select(b, c, e, &sel, SEL_INTERNAL) == 0) {
        Covered *parts;
        int n = cover(b, &sel, &parts), bad = 0;
        for (int k = 0; k < n && !bad; k++) {
            const NirPop *p = &nir->pops[parts[k].pop];
            if (parts[k].n < p->size) {
                diag_error(b->diag, e->loc,
                           "a reward reaches whole populations: its target covers %u of the %u "
                           "neurons of `%s` (reward per neuron is not supported)",
                           parts[k].n, p->size, p->path);
                bad = 1;
            }
        }
        rw->groups = ARENA_ARRAY(b->arena, int, nir->ngroups + 1);
        for (int g = 0; g < nir->ngroups; g++)
            for (int k = 0; k < n; k++)
                if (nir->groups[g].post == parts[k].pop) {
                    rw->groups[rw->ngroups++] = g;
                    break;
                }
        free_cover(parts, n);
        return bad ? -1 : 0;
    }
    if (b->diag->nerrors != errors)
        return -1;
    rw->groups = ARENA_ARRAY(b->arena, int, nir->ngroups + 1);
    for (int g = 0; g < nir->ngroups; g++)
        if (strcmp(nir->groups[g].conn, text) == 0)
            rw->groups[rw->ngroups++] = g;
    if (rw->ngroups)
        return 0;
    diag_error(b->diag, e->loc, "cannot deliver reward to `%s`: it is not a population, terminal or "
                                "named connection", text);
    return -1;
}

static void build_reward(Builder *b, Ctx *c, Member *m)
{
    if (nir_reward_reads_body(m->expr))
        return;
    RCtx r = {b, c, {0}, 0};
    nir_ev_init(&r.ev, b, c->scope);
    NirReward rw = {m->loc, NULL, 0, NULL};
    rw.amount = lower(&r, m->expr);
    nir_ev_done(&r.ev);
    if (r.failed || (m->expr2 && target_groups(b, c, m->expr2, &rw)))
        return;
    int reached = 0;
    for (int g = 0; g < b->nir->ngroups; g++) {
        int in = !rw.groups;
        for (int k = 0; !in && k < rw.ngroups; k++)
            in = rw.groups[k] == g;
        reached += in && b->nir->syn_models[b->nir->groups[g].model].on_reward != NULL;
    }
    if (!reached)
        diag_warning(b->diag, m->loc, "this reward reaches no synapse with `on reward`");
    *NIR_PUSH(b->nir->rewards, b->nir->nrewards, b->caprewards) = rw;
}

void nir_build_rewards(Builder *b, Ctx *c)
{
    for (int k = 0; k < c->nitems; k++)
        if (c->items[k].m->kind == M_REWARD)
            build_reward(b, c, c->items[k].m);
}

/* ---- comparison (built executables' changeable parameters) --------------- */

static int same_expr(const NirExpr *a, const NirExpr *b)
{
    if (!a || !b)
        return a == b;
    return a->kind == b->kind && a->op == b->op && a->fn == b->fn && a->slot == b->slot &&
           memcmp(&a->value, &b->value, sizeof a->value) == 0 && same_expr(a->a, b->a) &&
           same_expr(a->b, b->b) && same_expr(a->c, b->c);
}

int nir_rewards_equal(const Nir *x, const Nir *y)
{
    if (x->nobserves != y->nobserves || x->nrewards != y->nrewards)
        return 0;
    for (int k = 0; k < x->nobserves; k++) {
        const NirObserve *a = &x->observes[k], *b = &y->observes[k];
        if (a->pop != b->pop || a->n != b->n || a->window != b->window || !a->idx != !b->idx ||
            (a->idx && memcmp(a->idx, b->idx, a->n * sizeof *a->idx) != 0))
            return 0;
    }
    for (int k = 0; k < x->nrewards; k++) {
        const NirReward *a = &x->rewards[k], *b = &y->rewards[k];
        if (!same_expr(a->amount, b->amount) || a->ngroups != b->ngroups || !a->groups != !b->groups ||
            (a->groups && memcmp(a->groups, b->groups, (size_t)a->ngroups * sizeof *a->groups) != 0))
            return 0;
    }
    return 1;
}
