/* sema_model.c - neurons and synapses (§4, §5), and the pieces they share
 * with worlds and bodies: parameters, state variables, lets, equations. */
#include "sema_internal.h"
#include <string.h>

/* The type a parameter has, from its default alone: parameters must be
 * typed before any expression is checked, since uses can come first. */
Type param_shallow_type(const Expr *e)
{
    if (!e)
        return TY_NUM;
    switch (e->kind) {
    case EX_BOOL:
        return TY_BOOL;
    case EX_STR:
        return TY_STR;
    case EX_UNARY:
        return e->op == OP_NOT ? TY_BOOL : TY_NUM;
    case EX_BINARY:
        return e->op >= OP_EQ && e->op <= OP_OR ? TY_BOOL : TY_NUM;
    case EX_COND:
        return param_shallow_type(e->b);
    default:
        return TY_NUM;
    }
}

void params_declare(Sema *s, DeclInfo *info)
{
    for (VarDecl *v = info->decl->params; v; v = v->next) {
        Symbol *sym = sym_new(s, SYM_PARAM, v->name, v->loc, info->decl);
        sym->value = v->value;
        sym->type = param_shallow_type(v->value);
        sema_declare(s, info, info->params, sym);
    }
}

/* Defaults may use earlier parameters; distributions where flags allow. */
void params_check(Sema *s, DeclInfo *info, unsigned flags)
{
    for (int k = 0; k < info->params->n; k++) {
        Symbol *sym = info->params->items[k];
        if (!sym->value)
            continue;
        Ctx c = ctx_make(s, info->decl, info->params, flags, "a parameter default");
        c.order_scope = info->params;
        c.order_limit = sym->order;
        const char *what = arena_printf(s->arena, "the default of `%s`", sym->name);
        if (sym->type == TY_BOOL)
            expect_bool(&c, sym->value, what);
        else if (sym->type == TY_STR)
            expect_str(&c, sym->value, what);
        else
            expect_num(&c, sym->value, what);
    }
}

void vars_declare(Sema *s, DeclInfo *info, Member *m, SymKind kind)
{
    for (VarDecl *v = m->vars; v; v = v->next) {
        Symbol *sym = sym_new(s, kind, v->name, v->loc, info->decl);
        sym->value = v->value;
        sym->member = m;
        sema_declare(s, info, info->members, sym);
    }
}

void model_declare(Sema *s, DeclInfo *info)
{
    static const SymKind kinds[] = {[M_STATE] = SYM_STATE, [M_INPUT] = SYM_INPUT,
                                    [M_LET] = SYM_LET};
    for (Member *m = info->decl->members; m; m = m->next)
        if (m->kind == M_STATE || m->kind == M_INPUT || m->kind == M_LET)
            vars_declare(s, info, m, kinds[m->kind]);
}

/* The symbol a member's variable declared (NULL for a duplicate). */
static Symbol *own_symbol(DeclInfo *info, VarDecl *v)
{
    Symbol *sym = scope_find_here(info->members, v->name);
    return sym && sym->loc.line == v->loc.line && sym->loc.col == v->loc.col &&
                   sym->loc.file == v->loc.file
               ? sym
               : NULL;
}

/* `state a = e, b`: initial values may use parameters and earlier states
 * (§4.3) and distributions. */
void states_check(Sema *s, DeclInfo *info, Member *m, unsigned flags)
{
    for (VarDecl *v = m->vars; v; v = v->next) {
        Symbol *sym = own_symbol(info, v);
        if (!v->value)
            continue;
        Ctx c = ctx_make(s, info->decl, info->members, flags | CX_DIST, "an initial value");
        if (sym) {
            c.order_scope = info->members;
            c.order_limit = sym->order;
        }
        expect_num(&c, v->value, arena_printf(s->arena, "the initial value of `%s`", v->name));
    }
}

void lets_check(Sema *s, DeclInfo *info, Member *m)
{
    for (VarDecl *v = m->vars; v; v = v->next) {
        Symbol *sym = own_symbol(info, v);
        if (!v->value)
            diag_error(s->diag, v->loc, "`let %s` needs a value: `let %s = ...`", v->name,
                       v->name);
        else if (sym)
            sym_value_type(s, sym, v->loc);
    }
}

/* Reports the second of two members that may appear once; returns 0 then. */
int member_once(Sema *s, Member **seen, Member *m, const char *text)
{
    if (!*seen) {
        *seen = m;
        return 1;
    }
    diag_error(s->diag, m->loc, "%s can appear only once", text);
    diag_note(s->diag, (*seen)->loc, "first given here");
    return 0;
}

/* `dX/dt = e` (§4.6): X a state, the time `dt`, one equation per state. */
void ode_check(Sema *s, DeclInfo *info, Member *m, Table *odes, unsigned flags)
{
    Stmt *st = m->stmt;
    if (!st || !st->name)
        return;
    const char *n = st->name;
    Ctx c = ctx_make(s, info->decl, info->members, flags, "an equation");
    if (n[0] != 'd' || !n[1]) {
        diag_error(s->diag, st->name_loc, "an equation is written `dX/dt = ...`, with X a state "
                                          "variable");
        expr_check(&c, st->value);
        return;
    }
    Expr *den = st->target;
    if (den && den->str && strcmp(den->str, "dt") != 0)
        diag_error(s->diag, den->loc, "derivatives are taken with respect to time: write "
                                      "`%s/dt`, not `%s/%s`", n, n, den->str);
    Loc at = st->name_loc;
    at.col += 1;
    at.len = at.len > 1 ? at.len - 1 : 1;
    Symbol *sym = scope_find(info->members, n + 1);
    if (!sym) {
        sema_error_suggest(s, at, scope_suggest(s, info->members, n + 1, 1u << SYM_STATE, NULL),
                           "`%s` in `%s/dt` is not a state variable", n + 1, n);
    } else if (sym->kind != SYM_STATE) {
        diag_error(s->diag, at, "`%s` in `%s/dt` is %s %s, not a state variable", n + 1, n,
                   sym->kind == SYM_INPUT ? "an" : "a", sym_kind_name(sym->kind));
    } else {
        Member *prev = table_get(odes, sym);
        if (prev) {
            diag_error(s->diag, st->name_loc, "a second equation for `%s`", sym->name);
            diag_note(s->diag, prev->loc, "first equation for `%s`", sym->name);
        } else {
            table_put(s->arena, odes, sym, m);
        }
        st->sym = sym;
    }
    expect_num(&c, st->value, arena_printf(s->arena, "`%s/dt`", n));
}

/* ---- neuron-only members --------------------------------------------------- */

/* `refractory T hold v, u` (§4.8): held names must be states. */
static void refractory_check(Sema *s, DeclInfo *info, Member *m)
{
    Ctx c = ctx_make(s, info->decl, info->members, 0, "a refractory period");
    if (expect_num(&c, m->expr, "the refractory period") == TY_NUM)
        check_const(s, m->expr, "the refractory period", 'z');
    for (VarDecl *v = m->vars; v; v = v->next) {
        Symbol *sym = scope_find(info->members, v->name);
        if (sym && sym->kind == SYM_STATE)
            continue;
        if (sym)
            diag_error(s->diag, v->loc, "`refractory ... hold` holds state variables; `%s` is %s "
                                        "%s", v->name, sym->kind == SYM_INPUT ? "an" : "a",
                       sym_kind_name(sym->kind));
        else
            sema_error_suggest(s, v->loc, scope_suggest(s, info->members, v->name,
                                                        1u << SYM_STATE, NULL),
                               "`refractory ... hold` names an unknown state `%s`", v->name);
    }
}

static void integrate_check(Sema *s, DeclInfo *info, Member *m)
{
    const KindSpec *k = kind_find(s, sema_integrators, m->model, m->model_loc,
                                  "integration method");
    if (!k)
        return;
    Ctx c = ctx_make(s, info->decl, info->members, 0, "an integration setting");
    kind_args(&c, k, m->args, m->model_loc);
}

/* ---- synapse-only members -------------------------------------------------- */

/* `decay x tau` (§5.2) */
static void decay_check(Sema *s, DeclInfo *info, Member *m)
{
    Ctx c = ctx_make(s, info->decl, info->members, 0, "a time constant");
    for (VarDecl *v = m->vars; v; v = v->next) {
        Symbol *sym = scope_find(info->members, v->name);
        if (!sym)
            sema_error_suggest(s, v->loc, scope_suggest(s, info->members, v->name,
                                                        1u << SYM_STATE, NULL),
                               "`decay` names an unknown state `%s`", v->name);
        else if (sym->kind != SYM_STATE)
            diag_error(s->diag, v->loc, "only state variables decay; `%s` is %s %s", v->name,
                       sym->kind == SYM_INPUT ? "an" : "a", sym_kind_name(sym->kind));
        if (expect_num(&c, v->value, "a time constant") == TY_NUM)
            check_const(s, v->value, "a time constant", 'P');
    }
}

/* `on pre|post|reward { ... }` (§5.3) */
static void on_check(Sema *s, DeclInfo *info, Member *m, Member **events)
{
    static const char *const names[] = {"pre", "post", "reward", NULL};
    int ev = -1;
    for (int k = 0; m->name && names[k]; k++)
        if (strcmp(m->name, names[k]) == 0)
            ev = k;
    if (ev < 0 && m->name)
        sema_error_suggest(s, m->name_loc, diag_suggest(m->name, names, 3),
                           "unknown event `%s`: a synapse handles `pre`, `post` or `reward`",
                           m->name);
    if (ev >= 0 && !member_once(s, &events[ev], m,
                                arena_printf(s->arena, "a handler `on %s`", names[ev])))
        return;
    unsigned flags = CX_PREPOST | CX_HANDLER | CX_RANDOM | (ev == 2 ? CX_REWARD : 0);
    Ctx c = ctx_make(s, info->decl, info->members, flags, "a handler");
    stmts_check(&c, m->body);
}

static void gap_check(Sema *s, DeclInfo *info, Member *m)
{
    Ctx c = ctx_make(s, info->decl, info->members, CX_PREPOST, "a gap junction");
    expect_num(&c, m->expr, "the gap conductance");
}

/* ---- the declarations -------------------------------------------------------- */

typedef struct Once {
    Member *spike, *refractory, *integrate, *update, *events[3];
    Table odes;         /* state Symbol -> its equation */
} Once;

static void member_check(Sema *s, DeclInfo *info, Member *m, Once *once)
{
    unsigned base = info->decl->kind == D_SYNAPSE ? CX_PREPOST : 0;
    Ctx c = ctx_make(s, info->decl, info->members, base, NULL);
    switch (m->kind) {
    case M_STATE: states_check(s, info, m, 0); break;
    case M_LET: lets_check(s, info, m); break;
    case M_INPUT: break;
    case M_ODE: ode_check(s, info, m, &once->odes, base); break;
    case M_SPIKE:
        member_once(s, &once->spike, m, "`spike when`");
        c.where = "a spike condition";
        expect_bool(&c, m->expr, "the spike condition");
        c.where = "a spike reset";
        stmts_check(&c, m->body);
        break;
    case M_REFRACTORY:
        if (member_once(s, &once->refractory, m, "`refractory`"))
            refractory_check(s, info, m);
        break;
    case M_INTEGRATE:
        if (member_once(s, &once->integrate, m, "`integrate`"))
            integrate_check(s, info, m);
        break;
    case M_UPDATE:
        member_once(s, &once->update, m, "an `update` block");
        c.where = "an update block";
        c.flags |= CX_RANDOM;
        stmts_check(&c, m->body);
        break;
    case M_DECAY: decay_check(s, info, m); break;
    case M_ON: on_check(s, info, m, once->events); break;
    case M_GAP: gap_check(s, info, m); break;
    default: break; /* misplaced: reported by member_placed */
    }
}

void model_check(Sema *s, DeclInfo *info)
{
    if (info->decl->base)
        derive_check(s, info);
    else
        model_check_members(s, info);
}

void model_check_members(Sema *s, DeclInfo *info)
{
    Decl *d = info->decl;
    Once once;
    memset(&once, 0, sizeof once);
    table_init(&once.odes, 0);
    sema_report_dups(s, info);
    params_check(s, info, CX_DIST);
    for (Member *m = d->members; m; m = m->next)
        if (member_placed(s, m, place_of(d->kind)))
            member_check(s, info, m, &once);
    Member *integ = once.integrate;
    if (integ && integ->model && strcmp(integ->model, "exact") == 0)
        exact_check(s, info, integ);
}
