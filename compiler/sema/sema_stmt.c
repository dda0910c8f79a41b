/* sema_stmt.c - statements of `spike`, `update` and `on` blocks (§4.11).
 * Assignments may change state variables only (and, in synapses, the
 * variables of the neurons at either end); `deliver` belongs to synapse
 * handlers, `prune` to synapse handlers and synapse `update` blocks; a block's `let` is visible to the rest of the block. */
#include "sema_internal.h"
#include <string.h>

static void stmt_check(Ctx *c, Stmt *st);

void stmts_check(Ctx *c, Stmt *body)
{
    Ctx inner = *c;
    inner.scope = scope_new(c->s, c->scope);
    for (Stmt *st = body; st; st = st->next)
        stmt_check(&inner, st);
}

/* Why a symbol cannot be assigned, or NULL when it can. */
static const char *readonly_reason(const Ctx *c, const Symbol *sym)
{
    switch (sym->kind) {
    case SYM_STATE:
        return NULL;
    case SYM_PARAM:
        return "parameters are read-only";
    case SYM_LET:
    case SYM_LOCAL:
        return "a `let` names a value, not a variable";
    case SYM_INPUT:
        return c->decl && c->decl->kind == D_NEURON
                   ? "inputs are written by synapses (`deliver`) and cleared after each tick"
                   : "inputs are written by synapses";
    case SYM_MOTOR:
        return "motors are set by the brain (`act`)";
    case SYM_MEASURE:
        return "a measure is computed from its definition";
    case SYM_SENSOR:
        return "a sensor is computed from its definition";
    default:
        return "only state variables can be assigned";
    }
}

/* Returns 0 when the target cannot be assigned (reported). */
static int assign_name(Ctx *c, Expr *target)
{
    Diag *d = c->s->diag;
    const char *n = target->str;
    Symbol *sym = scope_find(c->scope, n);
    if (!sym) {
        if (!strcmp(n, "t") || !strcmp(n, "dt") || !strcmp(n, "i") || !strcmp(n, "reward"))
            diag_error(d, target->loc, "cannot assign to `%s`: it is built in", n);
        else if (!strcmp(n, "pre") || !strcmp(n, "post") || !strcmp(n, "world"))
            expr_check(c, target); /* says what `pre` or `world` is for */
        else
            sema_undefined(c->s, c->decl, target->loc, n, c->scope, 1u << SYM_STATE, NULL);
        return 0;
    }
    target->sym = sym;
    target->type = sym->type;
    const char *why = readonly_reason(c, sym);
    if (!why)
        return 1;
    diag_error(d, target->loc, "cannot assign to `%s`: %s", n, why);
    diag_note(d, sym->loc, "`%s` is declared here", n);
    return 0;
}

/* `post.x = ...` in a synapse; anything else with a dot is read-only. */
static int assign_member(Ctx *c, Expr *target)
{
    Expr *obj = target->a;
    int prepost = obj && obj->kind == EX_NAME && obj->str &&
                  (!strcmp(obj->str, "pre") || !strcmp(obj->str, "post")) &&
                  !scope_find(c->scope, obj->str);
    if (prepost && (c->flags & CX_PREPOST)) {
        target->type = TY_NUM;
        return 1;
    }
    Type t = expr_check(c, target);
    if (t == TY_UNKNOWN)
        return 0;
    if (obj && obj->kind == EX_NAME && obj->str && !strcmp(obj->str, "world"))
        diag_error(c->s->diag, target->loc, "a body cannot change its world; `world.%s` is "
                                            "read-only", target->str);
    else
        diag_error(c->s->diag, target->loc, "cannot assign to this: only state variables can "
                                            "be assigned");
    return 0;
}

static void assign_check(Ctx *c, Stmt *st)
{
    Expr *target = st->target;
    int ok = 0;
    if (target && target->kind == EX_NAME && target->str)
        ok = assign_name(c, target);
    else if (target && target->kind == EX_MEMBER)
        ok = assign_member(c, target);
    /* the value of a rejected assignment has no type to match */
    if (ok)
        expect_num(c, st->value, "the assigned value");
    else
        expr_check(c, st->value);
    st->sym = target ? target->sym : NULL;
}

static void let_check(Ctx *c, Stmt *st)
{
    Type t = expect_value(c, st->value, "the value of a `let`");
    if (!st->name)
        return;
    Symbol *old = scope_find(c->scope, st->name);
    if (old) {
        diag_error(c->s->diag, st->name_loc, "`%s` is already declared", st->name);
        diag_note(c->s->diag, old->loc, "previous declaration of `%s`", st->name);
        return;
    }
    if (!strcmp(st->name, "t") || !strcmp(st->name, "dt")) {
        diag_error(c->s->diag, st->name_loc, "`%s` is a built-in name and cannot be declared",
                   st->name);
        return;
    }
    Symbol *sym = sym_new(c->s, SYM_LOCAL, st->name, st->name_loc, c->decl);
    sym->type = t;
    sym->value = st->value;
    sym->state = 2;
    scope_add(c->s, c->scope, sym);
    st->sym = sym;
}

static void handler_only(Ctx *c, Stmt *st, const char *what)
{
    if (!(c->flags & CX_HANDLER))
        diag_error(c->s->diag, st->loc, "`%s` can only be used in a synapse's `on` handlers", what);
}

static void stmt_check(Ctx *c, Stmt *st)
{
    switch (st->kind) {
    case ST_ASSIGN:
        assign_check(c, st);
        break;
    case ST_LET:
        let_check(c, st);
        break;
    case ST_IF:
        expect_bool(c, st->value, "the condition of `if`");
        stmts_check(c, st->body);
        stmts_check(c, st->orelse);
        break;
    case ST_DELIVER:
        handler_only(c, st, "deliver");
        expect_num(c, st->value, "the delivered value");
        break;
    case ST_PRUNE:
        /* also in a synapse's `update` (a periodic pruning pass, §5.5) */
        if (!(c->flags & CX_HANDLER) && !(c->decl && c->decl->kind == D_SYNAPSE))
            diag_error(c->s->diag, st->loc, "`prune` can only be used in a synapse's `on` handlers and `update`");
        break;
    case ST_DERIV:
        break; /* only a member, never in a block */
    }
}
