/* sema_call.c - calls in expressions (§2.2, §2.3): math functions and
 * distributions, their arity and argument names, and where distributions
 * may appear (only where a value is drawn per neuron or synapse) and where
 * `random()` may (update blocks and synapse handlers: a draw per run). */
#include "sema_internal.h"
#include <string.h>

static void not_a_function(Ctx *c, Expr *e)
{
    Sema *s = c->s;
    Symbol *sym = ctx_lookup(c, e->str);
    Decl *d = table_get(&s->decls, e->str);
    if (sym)
        diag_error(s->diag, e->name_loc, "`%s` is a %s, not a function", e->str,
                   sym_kind_name(sym->kind));
    else if (d)
        diag_error(s->diag, e->name_loc, "`%s` is %s, not a function", e->str,
                   decl_kind_article(d->kind));
    else {
        const char *const *names = func_names();
        int n = 0;
        while (names[n])
            n++;
        sema_error_suggest(s, e->name_loc, diag_suggest(e->str, names, n),
                           "unknown function `%s`", e->str);
    }
}

static int nparams(const FuncSpec *f)
{
    int n = 0;
    while (n < 3 && f->params[n])
        n++;
    return n;
}

/* Binds call arguments to the function's parameters: slots[k] gets the
 * argument for parameter k. Reports arity and naming errors; returns 0 then. */
static int bind_call(Ctx *c, Expr *e, const FuncSpec *f, Arg **slots)
{
    int n = nparams(f), given = 0, ok = 1, k = 0;
    for (Arg *g = e->args; g; g = g->next, k++) {
        given++;
        int slot = k;
        if (g->name) {
            slot = -1;
            for (int j = 0; j < n; j++)
                if (strcmp(f->params[j], g->name) == 0)
                    slot = j;
            if (slot < 0) {
                sema_error_suggest(c->s, g->name_loc, diag_suggest(g->name, f->params, n),
                                   "`%s` has no parameter `%s`", f->name, g->name);
                ok = 0;
                continue;
            }
        }
        if (slot >= n)
            continue;
        if (slots[slot]) {
            diag_error(c->s->diag, g->loc, "argument `%s` of `%s` is given twice", f->params[slot],
                       f->name);
            ok = 0;
        }
        slots[slot] = g;
    }
    int missing = 0;
    for (int j = 0; j < n; j++)
        missing += !slots[j];
    if (ok && (given > n || missing)) {
        diag_error(c->s->diag, e->loc, "`%s` takes %d argument%s, but %d %s given", f->name, n,
                   n == 1 ? "" : "s", given, given == 1 ? "was" : "were");
        ok = 0;
    }
    return ok;
}

/* Constant arguments a distribution cannot take. */
static void check_dist_args(Ctx *c, const FuncSpec *f, Arg **slots)
{
    double a, b;
    Sema *s = c->s;
    if (strcmp(f->name, "bernoulli") == 0 && slots[0])
        check_const(s, slots[0]->value, "the probability of `bernoulli`", 'p');
    if (strcmp(f->name, "exponential") == 0 && slots[0])
        check_const(s, slots[0]->value, "the mean of `exponential`", 'P');
    if ((strcmp(f->name, "normal") == 0 || strcmp(f->name, "lognormal") == 0) && slots[1])
        check_const(s, slots[1]->value, "the spread of a normal distribution", 'z');
    if (strncmp(f->name, "uniform", 7) == 0 && slots[0] && slots[1] &&
        const_num(slots[0]->value, &a) && const_num(slots[1]->value, &b) && a > b)
        diag_error(s->diag, slots[1]->value->loc, "`%s` needs lo <= hi, but %g > %g", f->name, a,
                   b);
}

Type call_check(Ctx *c, Expr *e)
{
    const FuncSpec *f = func_find(e->str);
    if (!e->str)
        return TY_UNKNOWN;
    if (strcmp(e->str, "spikes") == 0)
        return activity_check(c, e);
    if (!f) {
        not_a_function(c, e);
        for (Arg *g = e->args; g; g = g->next)
            expr_check(c, g->value);
        return TY_UNKNOWN;
    }
    const char *op = f->dist ? "a distribution" : arena_printf(c->s->arena, "`%s`", f->name);
    Type result = TY_NUM;
    int args_ok = 1;
    for (Arg *g = e->args; g; g = g->next) {
        Type t = expr_check(c, g->value);
        if (f->dist && t == TY_DIST) {
            diag_error(c->s->diag, g->value->loc, "the arguments of a distribution must be "
                                                  "numbers, not another distribution");
            args_ok = 0;
        } else if (g->value && !need_num(c, g->value, t, op)) {
            args_ok = 0;
        }
        if (t == TY_DIST)
            result = TY_DIST;
    }
    Arg *slots[3] = {NULL, NULL, NULL};
    int bound = bind_call(c, e, f, slots);
    if (strcmp(f->name, "random") == 0 && !(c->flags & CX_RANDOM)) {
        diag_error(c->s->diag, e->loc, "`random()` cannot be used in %s; it draws a new value "
                                       "each time it runs, so it is allowed only in `update` "
                                       "blocks and synapse handlers%s",
                   c->where ? c->where : "this place",
                   (c->flags & CX_DIST) ? " (draw a value once per element with `uniform(0, 1)`)"
                                        : "");
        return TY_UNKNOWN;
    }
    if (!f->dist)
        return result;
    if (bound && args_ok)
        check_dist_args(c, f, slots);
    if (!(c->flags & CX_DIST)) {
        diag_error(c->s->diag, e->loc, "a distribution cannot be used in %s; values are drawn "
                                       "once per neuron or synapse (in model arguments, initial "
                                       "values and delays)", c->where ? c->where : "this place");
        return TY_UNKNOWN;
    }
    return TY_DIST;
}
