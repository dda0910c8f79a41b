/* sema_exact.c - may a neuron use `integrate exact` (§4.9)?
 * Exact integration solves dx/dt = a*x + b in closed form over a tick, so
 * each equation must be affine in its own state, with a and b free of every
 * other state (parameters, inputs, t and constants are fine: they are held
 * for the tick). Runs after the equations are checked, so names are
 * resolved (Expr.sym). */
#include "sema_internal.h"

typedef enum {
    LIN_CONST,      /* does not depend on x */
    LIN_AFFINE,     /* a*x + b */
    LIN_NONLINEAR,  /* anything else in x */
    LIN_OTHER,      /* depends on another state */
} Lin;

typedef struct Why {
    Expr *at;       /* the offending term */
    Symbol *other;  /* LIN_OTHER: that state */
} Why;

/* Lets are expanded where used; their cycles were reported already, and the
 * depth bound keeps this from looping on them. */
#define MAX_LET_DEPTH 64

static Lin lin(Expr *e, Symbol *x, Why *why, int depth);

static Lin worse(Lin a, Lin b) { return a > b ? a : b; }

/* Marks e as the culprit when it makes the result nonlinear. */
static Lin nonlinear(Expr *e, Why *why)
{
    why->at = e;
    return LIN_NONLINEAR;
}

static Lin lin_name(Expr *e, Symbol *x, Why *why, int depth)
{
    Symbol *sym = e->sym;
    if (!sym)
        return LIN_CONST;
    if (sym == x)
        return LIN_AFFINE;
    if (sym->kind == SYM_STATE) {
        why->at = e;
        why->other = sym;
        return LIN_OTHER;
    }
    if (sym->kind == SYM_LET && depth < MAX_LET_DEPTH) {
        Lin l = lin(sym->value, x, why, depth + 1);
        if (l >= LIN_NONLINEAR)
            why->at = e; /* point at the use, not inside the let */
        return l;
    }
    return LIN_CONST;
}

static Lin lin_binary(Expr *e, Symbol *x, Why *why, int depth)
{
    Lin a = lin(e->a, x, why, depth);
    if (a >= LIN_NONLINEAR)
        return a; /* report the first problem in source order */
    Lin b = lin(e->b, x, why, depth);
    if (b == LIN_OTHER || a == LIN_NONLINEAR || b == LIN_NONLINEAR)
        return worse(a, b);
    switch (e->op) {
    case OP_ADD:
    case OP_SUB:
        return worse(a, b);
    case OP_MUL:
        return a == LIN_AFFINE && b == LIN_AFFINE ? nonlinear(e, why) : worse(a, b);
    case OP_DIV:
        return b == LIN_AFFINE ? nonlinear(e, why) : a;
    default:
        return a == LIN_CONST && b == LIN_CONST ? LIN_CONST : nonlinear(e, why);
    }
}

static Lin lin(Expr *e, Symbol *x, Why *why, int depth)
{
    if (!e)
        return LIN_CONST;
    switch (e->kind) {
    case EX_NAME:
        return lin_name(e, x, why, depth);
    case EX_UNARY: {
        Lin a = lin(e->a, x, why, depth);
        return e->op == OP_NEG || a == LIN_CONST || a == LIN_OTHER ? a : nonlinear(e, why);
    }
    case EX_BINARY:
        return lin_binary(e, x, why, depth);
    case EX_COND: {
        Lin c = lin(e->a, x, why, depth);
        if (c != LIN_CONST)
            return c == LIN_OTHER ? c : nonlinear(e, why);
        Lin a = lin(e->b, x, why, depth);
        return a == LIN_OTHER ? a : worse(a, lin(e->c, x, why, depth));
    }
    case EX_CALL: {
        Lin all = LIN_CONST;
        for (Arg *g = e->args; g && all != LIN_OTHER; g = g->next)
            all = worse(all, lin(g->value, x, why, depth));
        return all == LIN_CONST || all == LIN_OTHER ? all : nonlinear(e, why);
    }
    default:
        return LIN_CONST;
    }
}

void exact_check(Sema *s, DeclInfo *info, Member *integrate)
{
    for (Member *m = info->decl->members; m; m = m->next) {
        Stmt *st = m->kind == M_ODE ? m->stmt : NULL;
        Symbol *x = st ? st->sym : NULL;
        if (!x)
            continue;
        Why why = {st->value, NULL};
        Lin l = lin(st->value, x, &why, 0);
        if (l == LIN_OTHER)
            diag_error(s->diag, why.at->loc, "`integrate exact` cannot solve `%s/dt`: it depends "
                                             "on another state, `%s`", st->name, why.other->name);
        else if (l == LIN_NONLINEAR)
            diag_error(s->diag, why.at->loc, "`integrate exact` cannot solve `%s/dt`: it is not "
                                             "linear in `%s`", st->name, x->name);
        else
            continue;
        diag_note(s->diag, integrate->loc, "`integrate euler` or `integrate rk4` can integrate "
                                           "any equation");
    }
}
