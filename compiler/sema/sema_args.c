/* sema_args.c - argument lists: of model instantiations (`izhikevich(a = 1)`,
 * `stdp(w = 2)`, §6.1, §6.3) and of built-in kinds (`euler(substeps = 2)`,
 * `poisson(rate = 20)`). Positional arguments bind to parameters in order;
 * named ones to parameters, or to states of models that have them. */
#include "sema_internal.h"
#include <stdlib.h>
#include <string.h>

/* ---- built-in kinds ----------------------------------------------------- */

static int kind_nparams(const KindSpec *k)
{
    int n = 0;
    while (n < 8 && k->params[n].name)
        n++;
    return n;
}

/* "euler, rk4 or exact" */
static const char *kind_list(Sema *s, const KindSpec *table)
{
    const char *list = "";
    for (const KindSpec *k = table; k->name; k++) {
        const char *sep = k == table ? "" : k[1].name ? ", " : " or ";
        list = arena_printf(s->arena, "%s%s`%s`", list, sep, k->name);
    }
    return list;
}

const KindSpec *kind_find(Sema *s, const KindSpec *table, const char *name, Loc loc,
                          const char *what)
{
    if (!name)
        return NULL;
    const char *names[16];
    int n = 0;
    for (const KindSpec *k = table; k->name; k++) {
        if (strcmp(k->name, name) == 0)
            return k;
        if (n < 16)
            names[n++] = k->name;
    }
    const char *best = diag_suggest(name, names, n);
    if (best)
        sema_error_suggest(s, loc, best, "unknown %s `%s`", what, name);
    else
        diag_error(s->diag, loc, "unknown %s `%s` (known: %s)", what, name, kind_list(s, table));
    return NULL;
}

static void kind_value(Ctx *c, const KindParam *p, const char *kind, Expr *v)
{
    const char *what = arena_printf(c->s->arena, "`%s` of `%s`", p->name, kind);
    Ctx cc = *c;
    Type t;
    switch (p->type) {
    case 's':
        expect_str(&cc, v, what);
        return;
    case 'b':
        expect_bool(&cc, v, what);
        return;
    case 'X': /* a boolean, or a list of strings */
        if (v->kind != EX_ARRAY) {
            expect_bool(&cc, v, what);
            return;
        }
        /* fall through */
    case 'L': /* a list of strings: ["kill_in", "calm_in"] */
        if (v->kind != EX_ARRAY) {
            diag_error(c->s->diag, v->loc, "%s takes a list of names in quotes, e.g. [\"kill_in\"]",
                       what);
            return;
        }
        for (Arg *g = v->args; g; g = g->next)
            expect_str(&cc, g->value, what);
        return;
    case 'a':
        cc.flags |= CX_ARRAY;
        break;
    default:
        break;
    }
    t = expect_num(&cc, v, what);
    if (t == TY_NUM && strchr("zpi", p->type))
        check_const(c->s, v, what, p->type);
}

/* "`rate` or `w`" */
static const char *param_list(Sema *s, const KindSpec *k, int n)
{
    const char *list = "";
    for (int j = 0; j < n; j++) {
        const char *sep = j == 0 ? "" : j == n - 1 ? " or " : ", ";
        list = arena_printf(s->arena, "%s%s`%s`", list, sep, k->params[j].name);
    }
    return list;
}

void kind_args(Ctx *c, const KindSpec *k, Arg *args, Loc at)
{
    int n = kind_nparams(k), pos = 0, too_many = 0;
    Arg *slots[8] = {0};
    for (Arg *g = args; g; g = g->next) {
        int slot = pos++;
        if (g->name) {
            const char *names[8];
            slot = -1;
            for (int j = 0; j < n; j++) {
                names[j] = k->params[j].name;
                if (strcmp(names[j], g->name) == 0)
                    slot = j;
            }
            if (slot < 0) {
                const char *best = diag_suggest(g->name, names, n);
                if (best || !n)
                    sema_error_suggest(c->s, g->name_loc, best, "`%s` has no argument `%s`",
                                       k->name, g->name);
                else
                    diag_error(c->s->diag, g->name_loc, "`%s` has no argument `%s` (it takes %s)",
                               k->name, g->name, param_list(c->s, k, n));
                expr_check(c, g->value);
                continue;
            }
        }
        if (slot >= n) {
            if (!too_many++)
                diag_error(c->s->diag, g->loc, "too many arguments: `%s` takes %d", k->name, n);
            expr_check(c, g->value);
            continue;
        }
        if (slots[slot]) {
            diag_error(c->s->diag, g->loc, "argument `%s` is given twice", k->params[slot].name);
            diag_note(c->s->diag, slots[slot]->loc, "first given here");
        }
        slots[slot] = g;
        kind_value(c, &k->params[slot], k->name, g->value);
    }
    for (int j = 0; j < n; j++)
        if (k->params[j].required && !slots[j])
            diag_error(c->s->diag, at, "`%s` needs a value for `%s`", k->name, k->params[j].name);
}

/* ---- models -------------------------------------------------------------- */

typedef struct Binding {
    Decl *model;
    DeclInfo *info;
    Arg **slots;        /* parameters, then members (states) by order */
    int np;
    int named_seen, too_many;
} Binding;

static int has_states(Decl *d)
{
    return d->kind != D_COMPONENT && d->kind != D_BRAIN && d->kind != D_CURRICULUM;
}

static void unknown_arg(Ctx *c, Binding *b, Arg *g)
{
    unsigned mask = (1u << SYM_PARAM) | (has_states(b->model) ? 1u << SYM_STATE : 0);
    const char *what = has_states(b->model) ? "parameter or state" : "parameter";
    sema_error_suggest(c->s, g->name_loc, scope_suggest(c->s, b->info->members, g->name, mask, NULL),
                       "%s `%s` has no %s `%s`", ast_decl_kind_name(b->model->kind), b->model->name,
                       what, g->name);
}

/* The symbol an argument sets, with its slot; NULL after reporting why not. */
static Symbol *arg_target(Ctx *c, Binding *b, Arg *g, int pos, int *slot)
{
    Diag *d = c->s->diag;
    if (!g->name) {
        if (b->named_seen) {
            diag_error(d, g->loc, "a positional argument cannot follow named ones");
            return NULL;
        }
        if (pos >= b->np) {
            if (!b->too_many++)
                diag_error(d, g->loc, "too many arguments: %s `%s` has %d parameter%s",
                           ast_decl_kind_name(b->model->kind), b->model->name, b->np,
                           b->np == 1 ? "" : "s");
            return NULL;
        }
        *slot = pos;
        return b->info->params->items[pos];
    }
    b->named_seen = 1;
    Symbol *sym = scope_find_here(b->info->params, g->name);
    if (sym) {
        *slot = sym->order;
        return sym;
    }
    sym = scope_find_here(b->info->members, g->name);
    if (sym && sym->kind == SYM_STATE && has_states(b->model)) {
        *slot = b->np + sym->order;
        return sym;
    }
    if (sym && has_states(b->model))
        diag_error(d, g->name_loc, "`%s` is %s %s of %s `%s`; arguments set only parameters and "
                                   "states", g->name, sym->kind == SYM_INPUT ? "an" : "a",
                   sym_kind_name(sym->kind), ast_decl_kind_name(b->model->kind), b->model->name);
    else
        unknown_arg(c, b, g);
    return NULL;
}

/* An array argument has one value per neuron (or instance). */
static void check_array_len(Ctx *c, Binding *b, Expr *v, long count)
{
    long n = 0;
    if (!v || v->kind != EX_ARRAY || count < 0)
        return;
    for (Arg *g = v->args; g; g = g->next)
        n++;
    if (n != count)
        diag_error(c->s->diag, v->loc, "this array has %ld value%s, but the population has %ld %s",
                   n, n == 1 ? "" : "s", count,
                   b->model->kind == D_COMPONENT ? "instances" : "neurons");
}

static void arg_value(Ctx *c, Binding *b, Symbol *sym, Arg *g, long count, unsigned flags)
{
    Ctx cc = *c;
    cc.flags |= flags;
    const char *what = arena_printf(c->s->arena, "`%s`", sym->name);
    if (sym->type == TY_BOOL)
        expect_bool(&cc, g->value, what);
    else if (sym->type == TY_STR)
        expect_str(&cc, g->value, what);
    else if (expect_num(&cc, g->value, what) == TY_ARRAY)
        check_array_len(c, b, g->value, count);
}

/* Parameters without defaults, and synapse states without initial values,
 * must be given (§4.1, §5.1). */
static void check_missing(Ctx *c, Binding *b, Loc at)
{
    Scope *sc[2] = {b->info->params, b->info->members};
    for (int k = 0; k < 2; k++) {
        for (int j = 0; j < sc[k]->n; j++) {
            Symbol *sym = sc[k]->items[j];
            int slot = k == 0 ? j : b->np + j;
            int needed = k == 0 ? !sym->value
                                : sym->kind == SYM_STATE && !sym->value && b->model->kind == D_SYNAPSE;
            if (!needed || b->slots[slot])
                continue;
            diag_error(c->s->diag, at, "%s `%s` needs a value for %s `%s`, which has no %s",
                       ast_decl_kind_name(b->model->kind), b->model->name,
                       k == 0 ? "parameter" : "state", sym->name,
                       k == 0 ? "default" : "initial value");
            diag_note(c->s->diag, sym->loc, "`%s` is declared here", sym->name);
        }
    }
}

void model_args(Ctx *c, Decl *model, Arg *args, Loc model_loc, long count, unsigned flags)
{
    if (derive_failed(model)) { /* its base is unknown: nothing to check the names against */
        for (Arg *g = args; g; g = g->next)
            expr_check(c, g->value);
        return;
    }
    Binding b = {0};
    b.model = model;
    b.info = sema_info(c->s, model);
    b.np = b.info->params->n;
    b.slots = calloc((size_t)(b.np + b.info->members->n + 1), sizeof(Arg *));
    if (!b.slots)
        return;
    int pos = 0;
    for (Arg *g = args; g; g = g->next) {
        int slot = -1;
        Symbol *sym = arg_target(c, &b, g, pos++, &slot);
        if (!sym) {
            expr_check(c, g->value);
            continue;
        }
        if (b.slots[slot]) {
            diag_error(c->s->diag, g->loc, "`%s` is given twice", sym->name);
            diag_note(c->s->diag, b.slots[slot]->loc, "first given here");
        }
        b.slots[slot] = g;
        arg_value(c, &b, sym, g, count, flags);
    }
    check_missing(c, &b, model_loc);
    free(b.slots);
}
