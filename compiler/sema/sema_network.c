/* sema_network.c - components and brains (§6, §7): populations,
 * connections, terminals, presets, layers, wiring, layout, timestep,
 * stimuli, records, bodies, sense/act and reward. */
#include "sema_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Layers nest only by mistake; this bounds the recursion on absurd inputs. */
#define MAX_LAYER_DEPTH 64

static void add_pop(Sema *s, DeclInfo *info, Member *m)
{
    if (info->npops == info->cappops) {
        int cap = info->cappops ? info->cappops * 2 : 8;
        Member **pops = ARENA_ARRAY(s->arena, Member *, cap);
        for (int k = 0; k < info->npops; k++)
            pops[k] = info->pops[k];
        info->pops = pops;
        info->cappops = cap;
    }
    info->pops[info->npops++] = m;
}

/* A named member of its own namespace (terminals, presets). */
static void declare_in(Sema *s, DeclInfo *info, Scope *sc, Member *m, const char *what)
{
    Symbol *sym = sym_new(s, SYM_POP, m->name, m->name_loc, info->decl);
    sym->member = m;
    Symbol *old = m->name ? scope_add(s, sc, sym) : NULL;
    if (old)
        sema_add_dup(s, info, what, m->name, m->name_loc, old->loc);
}

/* `as name`: the parser's location spans `as name`; keep the name. */
static Loc name_only(Loc loc, const char *name)
{
    int n = (int)strlen(name);
    if (loc.len > n) {
        loc.col += loc.len - n;
        loc.len = n;
    }
    return loc;
}

static void declare_named(Sema *s, DeclInfo *info, Member *m, SymKind kind)
{
    Loc loc = kind == SYM_CONN ? name_only(m->name_loc, m->name) : m->name_loc;
    Symbol *sym = sym_new(s, kind, m->name, loc, info->decl);
    sym->member = m;
    sym->model = m->model ? table_get(&s->decls, m->model) : NULL;
    if (kind == SYM_POP) {
        Decl *d = sym->model;
        if (d && d->kind != D_NEURON && d->kind != D_COMPONENT)
            sym->model = NULL;
        sym->type = sym->model && sym->model->kind == D_COMPONENT ? TY_INSTANCES : TY_NEURONS;
        add_pop(s, info, m);
    } else if (kind == SYM_CONN) {
        sym->model = sym->model && sym->model->kind == D_SYNAPSE ? sym->model : NULL;
        sym->type = TY_UNKNOWN;
    } else {
        sym->model = sym->model && sym->model->kind == D_BODY ? sym->model : NULL;
        sym->type = TY_UNKNOWN;
    }
    sema_declare(s, info, info->members, sym);
}

static void declare_members(Sema *s, DeclInfo *info, Member *list, int depth)
{
    for (Member *m = list; m; m = m->next) {
        if (m->kind == M_POP)
            declare_named(s, info, m, SYM_POP);
        else if (m->kind == M_CONNECT && m->name)
            declare_named(s, info, m, SYM_CONN);
        else if (m->kind == M_BODY)
            declare_named(s, info, m, SYM_BODY);
        else if (m->kind == M_TERMINAL)
            declare_in(s, info, info->terminals, m, "terminal");
        else if (m->kind == M_PRESET)
            declare_in(s, info, info->presets, m, "preset");
        else if (m->kind == M_LAYER && depth < MAX_LAYER_DEPTH)
            declare_members(s, info, m->members, depth + 1);
    }
}

void network_declare(Sema *s, DeclInfo *info)
{
    declare_members(s, info, info->decl->members, 0);
}

/* ---- ticks: is a delay at least one tick? (§6.4) --------------------------- */

/* A brain's timestep when constant: `timestep` or the default 1. */
static int brain_tick(Sema *s, Decl *brain, double *tick)
{
    DeclInfo *info = sema_info(s, brain);
    if (!info->tick_known) {
        info->tick = 1;
        info->tick_known = 1;
        for (Member *m = brain->members; m; m = m->next) {
            if (m->kind != M_TIMESTEP)
                continue;
            if (!const_num(m->expr, &info->tick) || info->tick <= 0)
                info->tick_known = -1;
            break;
        }
    }
    *tick = info->tick;
    return info->tick_known > 0;
}

/* Whether network d contains component comp, at any depth. An explicit
 * stack: nesting can be as deep as the input is long. */
static int contains(Sema *s, Decl *d, Decl *comp)
{
    int n = 1, cap = 16, found = 0, gen = ++s->visit_gen;
    Decl **stack = malloc(sizeof(Decl *) * (size_t)cap);
    if (!stack)
        return 0;
    stack[0] = d;
    while (n > 0 && !found) {
        DeclInfo *info = sema_info(s, stack[--n]);
        for (int k = 0; k < info->npops && !found; k++) {
            Decl *sub = info->pops[k]->model ? table_get(&s->decls, info->pops[k]->model) : NULL;
            DeclInfo *si = sub && sub->kind == D_COMPONENT ? sema_info(s, sub) : NULL;
            if (!si || si->visit == gen)
                continue;
            si->visit = gen;
            found = sub == comp;
            if (n == cap) {
                Decl **more = realloc(stack, sizeof(Decl *) * (size_t)(cap *= 2));
                if (!more)
                    break;
                stack = more;
            }
            stack[n++] = sub;
        }
    }
    free(stack);
    return found;
}

/* The longest tick among brains containing component comp; the default 1
 * when no brain contains it. Computed once per component. */
static double component_tick(Sema *s, Decl *comp, Decl **brain)
{
    DeclInfo *ci = sema_info(s, comp);
    if (!ci->tick_known) {
        double best = -1, tick;
        for (Module *m = s->prog->modules; m; m = m->next)
            for (Decl *d = m->decls; d; d = d->next)
                if (d->kind == D_BRAIN && brain_tick(s, d, &tick) && tick > best &&
                    contains(s, d, comp)) {
                    best = tick;
                    ci->tick_brain = d;
                }
        ci->tick = best < 0 ? 1 : best;
        ci->tick_known = 1;
    }
    *brain = ci->tick_brain;
    return ci->tick;
}

/* The longest constant tick of all brains, and 1: delays at least this long
 * need no search for the brains using a component. */
static double longest_tick(Sema *s)
{
    double tick;
    if (s->longest_tick > 0)
        return s->longest_tick;
    s->longest_tick = 1;
    for (Module *m = s->prog->modules; m; m = m->next)
        for (Decl *d = m->decls; d; d = d->next)
            if (d->kind == D_BRAIN && brain_tick(s, d, &tick) && tick > s->longest_tick)
                s->longest_tick = tick;
    return s->longest_tick;
}

static void delay_check(Sema *s, DeclInfo *info, Expr *delay)
{
    Expr *low = delay && delay->kind == EX_RANGE ? delay->a : delay;
    double lo, tick = 1;
    Decl *brain = NULL;
    if (!const_num(low, &lo))
        return;
    if (info->decl->kind == D_BRAIN) {
        if (!brain_tick(s, info->decl, &tick))
            return;
        brain = info->decl;
    } else if (lo < longest_tick(s)) {
        tick = component_tick(s, info->decl, &brain);
    }
    if (lo >= tick)
        return;
    if (!brain)
        diag_error(s->diag, low->loc, "a delay of %g ms is shorter than one tick (the default "
                                      "timestep is 1 ms)", lo);
    else if (brain == info->decl)
        diag_error(s->diag, low->loc, "a delay of %g ms is shorter than one tick (the timestep "
                                      "of `%s` is %g ms)", lo, brain->name, tick);
    else
        diag_error(s->diag, low->loc, "a delay of %g ms is shorter than one tick (brain `%s`, "
                                      "which contains this component, has a timestep of %g ms)",
                   lo, brain->name, tick);
}

/* ---- populations (§6.1) ------------------------------------------------------ */

static void pop_check(Ctx *c, Member *m)
{
    Sema *s = c->s;
    const char *cycle = table_get(&s->cycles, m);
    if (cycle)
        diag_error(s->diag, m->model_loc, "%s", cycle);
    long count = 1;
    if (m->expr) {
        double v;
        Ctx cc = *c;
        cc.where = "a population count";
        if (expect_num(&cc, m->expr, "the population count") == TY_NUM)
            check_const(s, m->expr, "the population count", 'i');
        count = const_num(m->expr, &v) && v >= 1 && v == floor(v) && v < 1e12 ? (long)v : -1;
    }
    Decl *model = sema_find_decl(s, c->decl->module, m->model, m->model_loc,
                                 (1u << D_NEURON) | (1u << D_COMPONENT), "neuron or component");
    if (model && model->kind != D_NEURON && model->kind != D_COMPONENT) {
        diag_error(s->diag, m->model_loc, "`%s` is %s; a population is made of a neuron or a "
                                          "component", model->name,
                   decl_kind_article(model->kind));
        model = NULL;
    }
    Ctx cc = *c;
    cc.where = "model arguments";
    if (model)
        model_args(&cc, model, m->args, m->model_loc, count, CX_DIST | CX_ARRAY | CX_I);
    else
        for (Arg *g = m->args; g; g = g->next)
            expr_check(&cc, g->value);
    cc.flags |= CX_DIST | CX_I;
    cc.where = "a position";
    for (int k = 0; k < 3; k++) {
        Expr *x = m->pos[k];
        if (x)
            expect_num(&cc, x, "a coordinate");
    }
}

/* ---- connections (§6.3) ------------------------------------------------------- */

/* `connect a[i] -> ...`: a bare unknown name as the only source index is an
 * index variable for the target selection. */
static Symbol *index_variable(Ctx *c, Expr *src)
{
    static const char *const builtins[] = {"t", "dt", "pre", "post", "world", "reward", NULL};
    if (!src || src->kind != EX_INDEX || !src->args || src->args->next || src->args->name)
        return NULL;
    Expr *v = src->args->value;
    if (!v || v->kind != EX_NAME || !v->str || scope_find(c->scope, v->str))
        return NULL;
    for (int k = 0; builtins[k]; k++)
        if (!strcmp(builtins[k], v->str))
            return NULL;
    Symbol *sym = sym_new(c->s, SYM_INDEX, v->str, v->loc, c->decl);
    sym->state = 2;
    return sym;
}

static int uses_symbol(const Expr *e, const Symbol *sym)
{
    if (!e)
        return 0;
    if (e->sym == sym)
        return 1;
    if (uses_symbol(e->a, sym) || uses_symbol(e->b, sym) || uses_symbol(e->c, sym))
        return 1;
    for (const Arg *g = e->args; g; g = g->next)
        if (uses_symbol(g->value, sym))
            return 1;
    return 0;
}

static void rule_check(Ctx *c, Member *m, Sel src, Sel dst)
{
    Sema *s = c->s;
    double k;
    Ctx cc = *c;
    cc.where = "a connection rule";
    switch (m->rule) {
    case CONN_ALL_TO_ALL:
        break;
    case CONN_ONE_TO_ONE:
        if (src.size >= 0 && dst.size >= 0 && src.size != dst.size)
            diag_error(s->diag, m->rule_loc, "`one_to_one` needs equal sizes, but the source has "
                                             "%ld neurons and the target %ld", src.size,
                       dst.size);
        break;
    case CONN_PER_INSTANCE:
        if (src.kind == SEL_NEURONS && !src.instances && m->src)
            diag_error(s->diag, m->src->loc, "with `per instance`, the source must be a terminal "
                                             "of component instances (`sub.term`)");
        if (dst.kind == SEL_NEURONS && !dst.instances && m->dst)
            diag_error(s->diag, m->dst->loc, "with `per instance`, the target must be a terminal "
                                             "of component instances (`sub.term`)");
        /* fall through */
    case CONN_PROBABILITY:
        if (expect_num(&cc, m->rule_arg, "the connection probability") == TY_NUM)
            check_const(s, m->rule_arg, "the connection probability", 'p');
        break;
    case CONN_FANIN:
    case CONN_FANOUT: {
        const char *what = m->rule == CONN_FANIN ? "the fan-in" : "the fan-out";
        Sel from = m->rule == CONN_FANIN ? src : dst;
        if (expect_num(&cc, m->rule_arg, what) == TY_NUM)
            check_const(s, m->rule_arg, what, 'i');
        if (const_num(m->rule_arg, &k) && from.size >= 0 && k > (double)from.size)
            diag_error(s->diag, m->rule_arg->loc, "%s is %g, but the %s has only %ld neurons",
                       what, k, m->rule == CONN_FANIN ? "source" : "target", from.size);
        break;
    }
    }
}

/* Checks the synapse and its arguments; returns the synapse (or NULL). */
static Decl *synapse_args(Ctx *c, Member *m)
{
    Sema *s = c->s;
    Decl *syn = sema_find_decl(s, c->decl->module, m->model, m->model_loc, 1u << D_SYNAPSE,
                               "synapse");
    Ctx cc = *c;
    cc.where = "connection arguments";
    if (syn && syn->kind != D_SYNAPSE) {
        diag_error(s->diag, m->model_loc, "`%s` is %s, not a synapse; a connection needs a "
                                          "synapse model", syn->name,
                   decl_kind_article(syn->kind));
        syn = NULL;
    }
    if (syn)
        model_args(&cc, syn, m->args, m->model_loc, -1, CX_DIST);
    else
        for (Arg *g = m->args; g; g = g->next)
            expr_check(&cc, g->value);
    return syn;
}

static void connect_check(Ctx *c, DeclInfo *info, Member *m)
{
    Ctx ends = *c;
    ends.index_var = index_variable(c, m->src);
    /* `probability p per instance` also takes bare instance sets: every
     * output (source) or input (target) terminal, as inner-models-v8 does. */
    unsigned ok = SELOK_NEURONS | (m->rule == CONN_PER_INSTANCE ? SELOK_INSTANCES : 0);
    Sel src = select_check(&ends, m->src, ok, "the source of a connection");
    ends.in_target = 1;
    Sel dst = select_check(&ends, m->dst, ok, "the target of a connection");
    if (ends.index_var && !uses_symbol(m->dst, ends.index_var))
        diag_warning(c->s->diag, ends.index_var->loc, "the index variable `%s` is not used in "
                                                      "the target", ends.index_var->name);
    Ctx rest = *c;
    rest.hidden_index = ends.index_var;
    Decl *syn = synapse_args(&rest, m);
    synapse_fit_check(c->s, m, syn, src.kind == SEL_NEURONS ? src.model : NULL,
                      dst.kind == SEL_NEURONS ? dst.model : NULL);
    rule_check(&rest, m, src, dst);
    if (m->delay) {
        Ctx cc = rest;
        cc.flags |= CX_DIST | CX_RANGE;
        cc.where = "a delay";
        if (expect_num(&cc, m->delay, "the delay") != TY_UNKNOWN)
            delay_check(c->s, info, m->delay);
    }
}

/* ---- brain settings --------------------------------------------------------- */

/* `preset name { p = v ... }` (§7.2): only the brain's parameters. */
static void preset_check(Ctx *c, DeclInfo *info, Member *m)
{
    Sema *s = c->s;
    Table seen;
    table_init(&seen, 1);
    Ctx cc = ctx_make(s, info->decl, info->params, 0, "a preset");
    for (VarDecl *v = m->vars; v; v = v->next) {
        Symbol *p = scope_find_here(info->params, v->name);
        VarDecl *prev = table_get(&seen, v->name);
        if (!p) {
            sema_error_suggest(s, v->loc, scope_suggest(s, info->params, v->name, SYMS_ALL, NULL),
                               "brain `%s` has no parameter `%s`", info->decl->name, v->name);
        } else if (prev) {
            diag_error(s->diag, v->loc, "preset `%s` sets `%s` twice", m->name, v->name);
            diag_note(s->diag, prev->loc, "first set here");
        }
        table_put(s->arena, &seen, v->name, v);
        const char *what = arena_printf(s->arena, "the value of `%s`", v->name);
        if (!v->value)
            diag_error(s->diag, v->loc, "preset `%s` gives no value for `%s`", m->name, v->name);
        else if (p && p->type == TY_BOOL)
            expect_bool(&cc, v->value, what);
        else if (p && p->type == TY_STR)
            expect_str(&cc, v->value, what);
        else
            expect_num(&cc, v->value, what);
    }
}

static void kind_member(Ctx *c, Member *m, const KindSpec *table, const char *what)
{
    const KindSpec *k = kind_find(c->s, table, m->model, m->model_loc, what);
    if (k)
        kind_args(c, k, m->args, m->model_loc);
    else
        for (Arg *g = m->args; g; g = g->next)
            expr_check(c, g->value);
}

/* `stimulus target : kind(args) [from t0] [until t1]` (§7.6) */
static void stimulus_check(Ctx *c, Member *m)
{
    double t0, t1;
    if (!ast_is_all_neurons(m->dst))
        select_check(c, m->dst, SELOK_NEURONS | SELOK_INSTANCES | SELOK_INNER,
                     "the target of a stimulus");
    Ctx cc = *c;
    cc.flags |= CX_DIST;
    cc.where = "stimulus arguments";
    kind_member(&cc, m, sema_stimuli, "stimulus");
    stimulus_values_check(c->s, m);
    cc = *c;
    cc.where = "a stimulus time";
    if (m->expr && expect_num(&cc, m->expr, "the start time") == TY_NUM)
        check_const(c->s, m->expr, "the start time", 'z');
    if (m->expr2 && expect_num(&cc, m->expr2, "the end time") == TY_NUM)
        check_const(c->s, m->expr2, "the end time", 'z');
    if (const_num(m->expr, &t0) && const_num(m->expr2, &t1) && t1 <= t0)
        diag_error(c->s->diag, m->expr2->loc, "the stimulus ends (%g ms) before it starts (%g ms)",
                   t1, t0);
}

static void record_check(Ctx *c, Member *m)
{
    unsigned ok = SELOK_NEURONS | SELOK_INSTANCES | SELOK_INNER | SELOK_STATEVAR | SELOK_BODYVARS;
    select_check(c, m->src, ok, "the record target");
    Ctx cc = *c;
    cc.where = "a recording interval";
    if (m->expr2 && expect_num(&cc, m->expr2, "the recording interval") == TY_NUM)
        check_const(c->s, m->expr2, "the recording interval", 'i');
}

static void body_check(Ctx *c, Member *m)
{
    Sema *s = c->s;
    Decl *body = sema_find_decl(s, c->decl->module, m->model, m->model_loc, 1u << D_BODY, "body");
    if (body && body->kind != D_BODY) {
        diag_error(s->diag, m->model_loc, "`%s` is %s, not a body", body->name,
                   decl_kind_article(body->kind));
        body = NULL;
    }
    if (body)
        model_args(c, body, m->args, m->model_loc, -1, 0);
}

/* `sense b.sensor -> term [: coder]`, `act term -> b.motor [: coder]` (§7.8) */
static void sense_act_check(Ctx *c, Member *m)
{
    int sense = m->kind == M_SENSE;
    Expr *body_end = sense ? m->src : m->dst, *net_end = sense ? m->dst : m->src;
    Sel b = select_check(c, body_end, SELOK_BODYVARS, sense ? "the source of `sense`"
                                                            : "the target of `act`");
    SelKind want = sense ? SEL_SENSOR : SEL_MOTOR;
    if (b.kind != SEL_NONE && b.kind != want)
        diag_error(c->s->diag, body_end->loc, "%s must be a %s of a body, not %s",
                   sense ? "the source of `sense`" : "the target of `act`",
                   sense ? "sensor" : "motor",
                   b.kind == SEL_SENSOR ? "a sensor" : b.kind == SEL_MOTOR ? "a motor" : "a measure");
    select_check(c, net_end, SELOK_NEURONS, sense ? "the target of `sense`" : "the source of `act`");
    if (m->model)
        kind_member(c, m, sema_coders, "coder");
}

static void reward_check(Ctx *c, Member *m)
{
    Ctx cc = *c;
    cc.where = "a reward";
    cc.flags |= CX_ACTIVITY;
    expect_num(&cc, m->expr, "the reward");
    if (m->expr2)
        select_check(c, m->expr2, SELOK_NEURONS | SELOK_CONN, "the target of a reward");
}

/* ---- members ------------------------------------------------------------- */

typedef struct NetOnce {
    Member *timestep, *layout;
} NetOnce;

static void members_check(Ctx *c, DeclInfo *info, Member *list, Place place, NetOnce *once,
                          int depth);

static void layer_check(Ctx *c, DeclInfo *info, Member *m, NetOnce *once, int depth)
{
    Ctx cc = *c;
    cc.where = "a layer number";
    if (expect_num(&cc, m->expr, "the layer number") == TY_NUM)
        check_const(c->s, m->expr, "the layer number", 'w');
    if (depth < MAX_LAYER_DEPTH)
        members_check(c, info, m->members, PL_LAYER, once, depth + 1);
}

static void member_check(Ctx *c, DeclInfo *info, Member *m, NetOnce *once, int depth)
{
    Ctx cc = *c;
    switch (m->kind) {
    case M_POP: pop_check(c, m); break;
    case M_CONNECT: connect_check(c, info, m); break;
    case M_TERMINAL:
        for (Arg *g = m->sels; g; g = g->next)
            select_check(c, g->value, SELOK_NEURONS, "a terminal");
        break;
    case M_PRESET: preset_check(c, info, m); break;
    case M_LAYER: layer_check(c, info, m, once, depth); break;
    case M_WIRE: kind_member(c, m, sema_wires, "wiring"); break;
    case M_LAYOUT:
        if (member_once(c->s, &once->layout, m, "`layout`"))
            kind_member(c, m, sema_layouts, "layout");
        break;
    case M_TIMESTEP:
        member_once(c->s, &once->timestep, m, "`timestep`");
        cc.where = "the timestep";
        if (expect_num(&cc, m->expr, "the timestep") == TY_NUM)
            check_const(c->s, m->expr, "the timestep", 'P');
        break;
    case M_STIMULUS: stimulus_check(c, m); break;
    case M_RECORD: record_check(c, m); break;
    case M_BODY: body_check(c, m); break;
    case M_SENSE:
    case M_ACT: sense_act_check(c, m); break;
    case M_REWARD: reward_check(c, m); break;
    default: break; /* misplaced: reported by member_placed */
    }
}

static void members_check(Ctx *c, DeclInfo *info, Member *list, Place place, NetOnce *once,
                          int depth)
{
    for (Member *m = list; m; m = m->next)
        if (member_placed(c->s, m, place))
            member_check(c, info, m, once, depth);
}

void network_check(Sema *s, DeclInfo *info)
{
    NetOnce once = {0};
    sema_report_dups(s, info);
    params_check(s, info, 0);
    Ctx c = ctx_make(s, info->decl, info->members, 0, NULL);
    members_check(&c, info, info->decl->members, place_of(info->decl->kind), &once, 0);
}
