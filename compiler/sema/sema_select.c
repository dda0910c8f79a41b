/* sema_select.c - selections in networks (§6.3, §6.5, §7.6-7.8): `pop`,
 * `pop[2]`, `pop[0..2]`, `sub.term`, `sub[1].term`, and for records
 * `pop.v`, `sub.pop.v`, `conn.w`; for bodies `b.sensor`, `b.motor`.
 * Sizes are tracked when constant, for array, index and one_to_one checks. */
#include "sema_internal.h"
#include <math.h>
#include <string.h>

/* Sizes beyond this are reported as unknown rather than risk overflow. */
#define MAX_SIZE 1000000000000L

/* Chains of terminals through sub-components are followed at most this deep
 * (a component that contains itself would otherwise never end). */
#define MAX_TERMINAL_DEPTH 32

static long mul_size(long a, long b)
{
    if (a < 0 || b < 0 || (b && a > MAX_SIZE / b))
        return -1;
    return a * b;
}

static long add_size(long a, long b)
{
    return a < 0 || b < 0 || a + b > MAX_SIZE ? -1 : a + b;
}

/* Elements of the constant range lo..hi (whole numbers), or -1. */
static long range_count(double lo, double hi)
{
    return hi >= lo && hi - lo < (double)MAX_SIZE ? (long)(hi - lo) + 1 : -1;
}

/* Neurons (or instances) of a population: its count when constant. */
static long pop_count(const Member *pop)
{
    double v;
    if (!pop || !pop->expr)
        return 1;
    if (!const_num(pop->expr, &v) || v < 0 || v != floor(v) || v > MAX_SIZE)
        return -1;
    return (long)v;
}

Member *find_terminal(Sema *s, Decl *comp, const char *name)
{
    Symbol *sym = scope_find_here(sema_info(s, comp)->terminals, name);
    return sym ? sym->member : NULL;
}

/* ---- quiet sizes (for terminals seen from outside) ------------------------- */

static long index_count(const Arg *args)
{
    long n = 0;
    for (const Arg *g = args; g; g = g->next) {
        double lo, hi;
        const Expr *v = g->value;
        if (v && v->kind == EX_RANGE && const_num(v->a, &lo) && const_num(v->b, &hi) && hi >= lo)
            n = add_size(n, range_count(lo, hi));
        else if (v && v->kind != EX_RANGE)
            n = add_size(n, 1);
        else
            return -1;
    }
    return n;
}

static long quiet_size(Sema *s, Decl *comp, const Expr *e, int depth, Decl **model)
{
    if (!e || depth > MAX_TERMINAL_DEPTH)
        return -1;
    if (e->kind == EX_NAME) {
        Symbol *sym = scope_find_here(sema_info(s, comp)->members, e->str);
        if (!sym || sym->kind != SYM_POP)
            return -1;
        *model = sym->model;
        return pop_count(sym->member);
    }
    if (e->kind == EX_INDEX) {
        quiet_size(s, comp, e->a, depth, model);
        return index_count(e->args);
    }
    if (e->kind == EX_MEMBER) {
        Decl *sub = NULL;
        long n = quiet_size(s, comp, e->a, depth, &sub);
        Member *term = sub && sub->kind == D_COMPONENT ? find_terminal(s, sub, e->str) : NULL;
        return term ? mul_size(n, terminal_size(s, sub, term, depth + 1)) : -1;
    }
    return -1;
}

/* The one model every neuron of a terminal has, or NULL. */
static Decl *terminal_model(Sema *s, Decl *comp, Member *term)
{
    Decl *one = NULL;
    for (Arg *g = term->sels; g; g = g->next) {
        Decl *model = NULL;
        const Expr *e = g->value;
        while (e && e->kind == EX_INDEX)
            e = e->a;
        if (!e || e->kind != EX_NAME)
            return NULL; /* through a sub-component: not followed */
        quiet_size(s, comp, e, 0, &model);
        if (!model || (one && model != one))
            return NULL;
        one = model;
    }
    return one;
}

long terminal_size(Sema *s, Decl *comp, Member *term, int depth)
{
    long n = 0;
    for (Arg *g = term->sels; g; g = g->next) {
        Decl *model = NULL;
        n = add_size(n, quiet_size(s, comp, g->value, depth, &model));
    }
    return n;
}

/* ---- resolution -------------------------------------------------------------- */

static Sel sel_none(void)
{
    Sel r = {SEL_NONE, NULL, -1, 0};
    return r;
}

static const char *sel_kind_text(SelKind k)
{
    static const char *const names[] = {
        [SEL_NONE] = "nothing", [SEL_NEURONS] = "neurons",
        [SEL_INSTANCES] = "a set of component instances", [SEL_STATEVAR] = "a state variable",
        [SEL_CONN] = "a connection", [SEL_CONNVAR] = "a connection variable",
        [SEL_BODY] = "a body", [SEL_SENSOR] = "a sensor", [SEL_MOTOR] = "a motor",
        [SEL_BODYVAR] = "a body variable",
    };
    return names[k];
}

static Sel resolve(Ctx *c, Expr *e, unsigned ok);

static Sel resolve_name(Ctx *c, Expr *e)
{
    Sel r = sel_none();
    Symbol *sym = e->str ? scope_find(c->scope, e->str) : NULL;
    if (!sym) {
        unsigned mask = (1u << SYM_POP) | (1u << SYM_CONN) | (1u << SYM_BODY);
        if (e->str)
            sema_undefined(c->s, c->decl, e->loc, e->str, c->scope, mask, NULL);
        return r;
    }
    e->sym = sym;
    e->type = sym->type;
    r.model = sym->model;
    if (sym->kind == SYM_POP) {
        if (!sym->model)
            return r; /* its model was reported unknown */
        r.kind = sym->model->kind == D_COMPONENT ? SEL_INSTANCES : SEL_NEURONS;
        r.size = pop_count(sym->member);
        r.instances = r.kind == SEL_INSTANCES;
    } else if (sym->kind == SYM_CONN) {
        r.kind = sym->model ? SEL_CONN : SEL_NONE;
    } else if (sym->kind == SYM_BODY) {
        r.kind = sym->model ? SEL_BODY : SEL_NONE;
    } else {
        diag_error(c->s->diag, e->loc, "`%s` is a %s, not a population", e->str,
                   sym_kind_name(sym->kind));
    }
    return r;
}

/* One index of `pop[...]`: a number or a range within the population. */
static long index_arg(Ctx *c, Arg *g, long size)
{
    Expr *v = g->value;
    if (g->name)
        diag_error(c->s->diag, g->name_loc, "indexes cannot be named");
    if (v && v->kind == EX_NAME && c->index_var && v->str &&
        !strcmp(v->str, c->index_var->name) && !scope_find(c->scope, v->str) &&
        c->index_var->loc.line == v->loc.line && c->index_var->loc.col == v->loc.col) {
        v->sym = c->index_var; /* the source index variable: all of the source */
        v->type = TY_NUM;
        return size;
    }
    Ctx cc = *c;
    cc.flags |= CX_RANGE;
    cc.where = "an index";
    Type t = expect_num(&cc, v, "an index");
    if (t == TY_DIST) {
        diag_error(c->s->diag, v->loc, "an index must be a number, not a distribution");
        return -1;
    }
    double lo, hi;
    int is_range = v && v->kind == EX_RANGE;
    Expr *a = is_range ? v->a : v, *b = is_range ? v->b : v;
    if (!const_num(a, &lo) || !const_num(b, &hi))
        return -1;
    if (lo < 0 || lo != floor(lo)) {
        diag_error(c->s->diag, a->loc, "an index must be a whole number (0 or more), not %g", lo);
        return -1;
    }
    if (size >= 0 && hi >= (double)size) {
        diag_error(c->s->diag, b->loc, "index %g is out of range: the selection has %ld "
                                       "element%s (0..%ld)", hi, size, size == 1 ? "" : "s",
                   size - 1);
        return -1;
    }
    return range_count(lo, hi);
}

static Sel resolve_index(Ctx *c, Expr *e, unsigned ok)
{
    Sel base = resolve(c, e->a, ok & ~(unsigned)SELOK_STATEVAR);
    if (base.kind != SEL_NEURONS && base.kind != SEL_INSTANCES) {
        if (base.kind != SEL_NONE)
            diag_error(c->s->diag, e->loc, "only populations can be indexed, not %s",
                       sel_kind_text(base.kind));
        for (Arg *g = e->args; g; g = g->next)
            expr_check(c, g->value);
        return sel_none();
    }
    long n = 0;
    if (!e->args)
        diag_error(c->s->diag, e->loc, "an empty selection `[]`");
    for (Arg *g = e->args; g; g = g->next)
        n = add_size(n, index_arg(c, g, base.size));
    base.size = n;
    return base;
}

/* `sub.term`, or with SELOK_INNER `sub.pop`. */
static Sel member_of_instances(Ctx *c, Expr *e, Sel base, unsigned ok)
{
    Sema *s = c->s;
    Decl *comp = base.model;
    Member *term = find_terminal(s, comp, e->str);
    Sel r = sel_none();
    if (term) {
        r.kind = SEL_NEURONS;
        r.size = mul_size(base.size, terminal_size(s, comp, term, 0));
        r.instances = 1;
        r.model = terminal_model(s, comp, term);
        return r;
    }
    DeclInfo *info = sema_info(s, comp);
    Symbol *pop = scope_find_here(info->members, e->str);
    if (pop && pop->kind == SYM_POP && (ok & SELOK_INNER)) {
        r.kind = pop->model && pop->model->kind == D_COMPONENT ? SEL_INSTANCES : SEL_NEURONS;
        r.kind = pop->model ? r.kind : SEL_NONE;
        r.model = pop->model;
        r.size = mul_size(base.size, pop_count(pop->member));
        r.instances = 1;
        return r;
    }
    if (pop && pop->kind == SYM_POP)
        diag_error(s->diag, e->name_loc, "`%s` is a population inside component `%s`, not a "
                                         "terminal; connect to it through an `in` or `out` "
                                         "terminal", e->str, comp->name);
    else
        sema_error_suggest(s, e->name_loc,
                           scope_suggest(s, info->terminals, e->str, SYMS_ALL, NULL),
                           "component `%s` has no terminal `%s`", comp->name, e->str);
    return r;
}

/* `pop.v` (record): a variable of the neuron model. */
static Sel member_of_neurons(Ctx *c, Expr *e, Sel base, unsigned ok)
{
    Sema *s = c->s;
    Sel r = sel_none();
    if (!(ok & SELOK_STATEVAR)) {
        diag_error(s->diag, e->name_loc, "neurons have no terminals: `.%s` can follow only a "
                                         "component instance", e->str);
        return r;
    }
    r.kind = SEL_STATEVAR;
    if (!base.model || base.model->kind != D_NEURON)
        return r; /* through a terminal: possibly several models */
    unsigned mask = (1u << SYM_STATE) | (1u << SYM_INPUT) | (1u << SYM_PARAM);
    Symbol *sym = scope_find(sema_info(s, base.model)->members, e->str);
    if (sym && (mask & (1u << sym->kind)))
        return r;
    sema_error_suggest(s, e->name_loc,
                       scope_suggest(s, sema_info(s, base.model)->members, e->str, mask, NULL),
                       "neuron `%s` has no variable `%s`", base.model->name, e->str);
    return sel_none();
}

static Sel member_of_conn(Ctx *c, Expr *e, Sel base, unsigned ok)
{
    Sema *s = c->s;
    Sel r = sel_none();
    if (!(ok & SELOK_STATEVAR)) {
        diag_error(s->diag, e->loc, "the variables of a connection can only be recorded");
        return r;
    }
    DeclInfo *info = sema_info(s, base.model);
    unsigned mask = (1u << SYM_STATE) | (1u << SYM_PARAM);
    Symbol *sym = scope_find(info->members, e->str);
    if (sym && (mask & (1u << sym->kind))) {
        r.kind = SEL_CONNVAR;
        return r;
    }
    sema_error_suggest(s, e->name_loc, scope_suggest(s, info->members, e->str, mask, NULL),
                       "synapse `%s` has no variable `%s`", base.model->name, e->str);
    return r;
}

static Sel member_of_body(Ctx *c, Expr *e, Sel base)
{
    Sema *s = c->s;
    Sel r = sel_none();
    DeclInfo *info = sema_info(s, base.model);
    Symbol *sym = scope_find(info->members, e->str);
    unsigned mask = (1u << SYM_SENSOR) | (1u << SYM_MOTOR) | (1u << SYM_MEASURE) |
                    (1u << SYM_STATE);
    if (sym && (mask & (1u << sym->kind))) {
        r.kind = sym->kind == SYM_SENSOR  ? SEL_SENSOR
                 : sym->kind == SYM_MOTOR ? SEL_MOTOR
                                          : SEL_BODYVAR;
        r.model = base.model;
        return r;
    }
    sema_error_suggest(s, e->name_loc, scope_suggest(s, info->members, e->str, mask, NULL),
                       "body `%s` has no sensor, motor or measure `%s`", base.model->name,
                       e->str);
    return r;
}

static Sel resolve_member(Ctx *c, Expr *e, unsigned ok)
{
    Sel base = resolve(c, e->a, ok | SELOK_INSTANCES);
    if (!e->str)
        return sel_none();
    switch (base.kind) {
    case SEL_INSTANCES:
        return member_of_instances(c, e, base, ok);
    case SEL_NEURONS:
        return member_of_neurons(c, e, base, ok);
    case SEL_CONN:
        return member_of_conn(c, e, base, ok);
    case SEL_BODY:
        return member_of_body(c, e, base);
    case SEL_NONE:
        return base;
    default:
        diag_error(c->s->diag, e->name_loc, "%s has no members", sel_kind_text(base.kind));
        return sel_none();
    }
}

static Sel resolve(Ctx *c, Expr *e, unsigned ok)
{
    Sel r = sel_none();
    if (!e)
        return r;
    switch (e->kind) {
    case EX_NAME:
        r = resolve_name(c, e);
        break;
    case EX_INDEX:
        r = resolve_index(c, e, ok);
        break;
    case EX_MEMBER:
        r = resolve_member(c, e, ok);
        break;
    default:
        diag_error(c->s->diag, e->loc, "expected a population, a selection or a terminal here");
        return r;
    }
    if (r.kind == SEL_NEURONS || r.kind == SEL_INSTANCES)
        e->type = r.kind == SEL_NEURONS ? TY_NEURONS : TY_INSTANCES;
    return r;
}

/* Whether a resolved selection is of a kind the place accepts. */
static int sel_allowed(SelKind k, unsigned ok)
{
    switch (k) {
    case SEL_NONE: return 1;
    case SEL_NEURONS: return (ok & SELOK_NEURONS) != 0;
    case SEL_INSTANCES: return (ok & SELOK_INSTANCES) != 0;
    case SEL_STATEVAR:
    case SEL_CONNVAR: return (ok & SELOK_STATEVAR) != 0;
    case SEL_CONN: return (ok & SELOK_CONN) != 0;
    case SEL_BODY: return 0;
    default: return (ok & SELOK_BODYVARS) != 0;
    }
}

Sel select_check(Ctx *c, Expr *e, unsigned ok, const char *what)
{
    Sel r = resolve(c, e, ok);
    if (sel_allowed(r.kind, ok))
        return r;
    if (r.kind == SEL_INSTANCES)
        diag_error(c->s->diag, e->loc, "%s must be neurons, not component instances; name one "
                                       "of the terminals of `%s`", what,
                   r.model ? r.model->name : "the component");
    else if (r.kind == SEL_BODY)
        diag_error(c->s->diag, e->loc, "%s cannot be a whole body; name one of its sensors or "
                                       "motors", what);
    else if (r.kind == SEL_CONN && (ok & SELOK_STATEVAR))
        diag_error(c->s->diag, e->loc, "%s cannot be a whole connection; name one of its "
                                       "variables, e.g. `%s.w`", what, e->str ? e->str : "conn");
    else
        diag_error(c->s->diag, e->loc, "%s cannot be %s", what, sel_kind_text(r.kind));
    return sel_none();
}
