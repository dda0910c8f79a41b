/* sema_expr.c - typing of expressions (§2).
 * Every expression gets a Type; TY_UNKNOWN marks an expression whose error
 * was already reported, and nothing is reported about it again (no
 * cascades). Operators report wrong operand types at the operand; the place
 * that uses a value (expect_*) reports a value of the wrong kind. */
#include "sema_internal.h"
#include <math.h>
#include <string.h>

const char *type_name(Type t)
{
    static const char *const names[] = {
        [TY_UNKNOWN] = "an unknown value", [TY_NUM] = "a number", [TY_BOOL] = "a boolean",
        [TY_STR] = "a string", [TY_ARRAY] = "an array", [TY_DIST] = "a distribution",
        [TY_RANGE] = "a range", [TY_NEURONS] = "a set of neurons",
        [TY_INSTANCES] = "a set of component instances",
    };
    return names[t];
}

/* ---- constants ---------------------------------------------------------- */

int const_num(const Expr *e, double *out)
{
    double a, b;
    if (!e)
        return 0;
    switch (e->kind) {
    case EX_NUM:
        *out = e->num;
        return isfinite(e->num);
    case EX_UNARY:
        if (e->op != OP_NEG || !const_num(e->a, &a))
            return 0;
        *out = -a;
        return 1;
    case EX_BINARY:
        if (!const_num(e->a, &a) || !const_num(e->b, &b))
            return 0;
        switch (e->op) {
        case OP_ADD: *out = a + b; break;
        case OP_SUB: *out = a - b; break;
        case OP_MUL: *out = a * b; break;
        case OP_DIV: *out = a / b; break;
        case OP_MOD: *out = a - b * floor(a / b); break; /* floored, as the IR: (-1) % 3 == 2 */
        case OP_POW: *out = pow(a, b); break;
        default: return 0;
        }
        return isfinite(*out);
    default:
        return 0;
    }
}

void check_const(Sema *s, Expr *e, const char *what, char kind)
{
    double v;
    if (!e || !const_num(e, &v))
        return;
    switch (kind) {
    case 'i':
        if (v < 1 || v != floor(v))
            diag_error(s->diag, e->loc, "%s must be a whole number of at least 1, not %g", what, v);
        break;
    case 'w':
        if (v < 0 || v != floor(v))
            diag_error(s->diag, e->loc, "%s must be a whole number (0 or more), not %g", what, v);
        break;
    case 'p':
        if (v < 0 || v > 1)
            diag_error(s->diag, e->loc, "%s must be between 0 and 1, not %g", what, v);
        break;
    case 'z':
        if (v < 0)
            diag_error(s->diag, e->loc, "%s cannot be negative (it is %g)", what, v);
        break;
    case 'P':
        if (v <= 0)
            diag_error(s->diag, e->loc, "%s must be positive, not %g", what, v);
        break;
    }
}

/* ---- operands ----------------------------------------------------------- */

static Type check(Ctx *c, Expr *e);

Type expr_check(Ctx *c, Expr *e)
{
    if (!e)
        return TY_UNKNOWN;
    e->type = check(c, e);
    return e->type;
}

static const char *bool_hint = "; write `if c then 1 else 0` to turn a condition into a number";

/* The hint fits conditions, not a literal `true`. */
static const char *hint_for(const Expr *x, Type t)
{
    return t == TY_BOOL && x && x->kind != EX_BOOL && x->kind != EX_NAME ? bool_hint : "";
}

/* An operand of `op` must be a number (a distribution where drawn values are
 * allowed: it stays a distribution). */
int need_num(Ctx *c, Expr *x, Type t, const char *op)
{
    if (t == TY_NUM || t == TY_DIST || t == TY_UNKNOWN)
        return 1;
    diag_error(c->s->diag, x->loc, "%s needs a number here, not %s%s", op, type_name(t),
               hint_for(x, t));
    return 0;
}

static int need_bool(Ctx *c, Expr *x, Type t, const char *op)
{
    if (t == TY_BOOL || t == TY_UNKNOWN)
        return 1;
    diag_error(c->s->diag, x->loc, "%s needs a boolean here, not %s", op, type_name(t));
    return 0;
}

/* ---- names -------------------------------------------------------------- */

Symbol *ctx_lookup(Ctx *c, const char *name)
{
    Symbol *sym = scope_find(c->scope, name);
    if (!sym && c->index_var && strcmp(c->index_var->name, name) == 0)
        sym = c->index_var;
    return sym;
}

/* Lets defined through lets deeper than this are refused: checking them
 * recurses, and so does every later phase that expands them. */
#define MAX_VALUE_DEPTH 200

Type sym_value_type(Sema *s, Symbol *sym, Loc use)
{
    if (sym->state == 2 || !sym->value)
        return sym->type;
    if (sym->state == 1) {
        diag_error(s->diag, use, "`%s` is defined in terms of itself", sym->name);
        sym->type = TY_UNKNOWN;
        return TY_UNKNOWN;
    }
    if (s->value_depth >= MAX_VALUE_DEPTH) {
        if (!s->too_deep++)
            diag_error(s->diag, use, "`%s` is defined through more than %d nested definitions",
                       sym->name, MAX_VALUE_DEPTH);
        return TY_UNKNOWN;
    }
    s->value_depth++;
    sym->state = 1;
    DeclInfo *info = sema_info(s, sym->owner);
    unsigned flags = sym->owner->kind == D_SYNAPSE ? CX_PREPOST : 0;
    const char *where = sym->kind == SYM_LET ? "a `let`" : sym->kind == SYM_SENSOR ? "a sensor"
                                                                                 : "a measure";
    Ctx c = ctx_make(s, sym->owner, info->members, flags, where);
    sym->type = expect_value(&c, sym->value, "the value");
    sym->state = 2;
    s->value_depth--;
    return sym->type;
}

/* The built-in names (§2.4). A name used where the place forbids it gets a
 * precise reason. Returns 0 when name is not built in. */
static int builtin_value(Ctx *c, Expr *e, Type *type)
{
    Diag *d = c->s->diag;
    const char *n = e->str;
    *type = TY_UNKNOWN;
    if (strcmp(n, "t") == 0 || strcmp(n, "dt") == 0) {
        *type = TY_NUM;
    } else if (strcmp(n, "i") == 0) {
        if (c->flags & CX_I)
            *type = TY_NUM;
        else
            diag_error(d, e->loc, "`i` (the index of a neuron in its population) can only be "
                                  "used in model arguments and `at` positions");
    } else if (strcmp(n, "reward") == 0) {
        if (c->flags & CX_REWARD)
            *type = TY_NUM;
        else
            diag_error(d, e->loc, "`reward` (the amount delivered) can only be read inside "
                                  "`on reward`");
    } else if (strcmp(n, "pre") == 0 || strcmp(n, "post") == 0) {
        if (c->flags & CX_PREPOST)
            diag_error(d, e->loc, "`%s` is a neuron, not a value; read one of its variables, "
                                  "e.g. `%s.v`", n, n);
        else
            diag_error(d, e->loc, "`%s` can only be used inside a synapse", n);
    } else if (strcmp(n, "world") == 0) {
        if (c->world)
            diag_error(d, e->loc, "`world` is not a value; read one of its variables, "
                                  "e.g. `world.x`");
        else if (c->no_world)
            diag_error(d, e->loc, "%s", c->no_world);
    } else {
        return 0;
    }
    return 1;
}

static const char *const *builtin_names(Ctx *c)
{
    static const char *const plain[] = {"t", "dt", NULL};
    static const char *const with_i[] = {"t", "dt", "i", NULL};
    static const char *const with_reward[] = {"t", "dt", "reward", NULL};
    if (c->flags & CX_I)
        return with_i;
    if (c->flags & CX_REWARD)
        return with_reward;
    return plain;
}

/* Reports a name used before its declaration where order matters (state
 * initial values, parameter defaults). */
static void check_order(Ctx *c, Symbol *sym, Loc use)
{
    if (!c->order_scope || sym->order < c->order_limit ||
        scope_find_here(c->order_scope, sym->name) != sym)
        return;
    diag_error(c->s->diag, use, "`%s` is used before its declaration", sym->name);
    diag_note(c->s->diag, sym->loc, "`%s` is declared here", sym->name);
}

static Type sym_value(Ctx *c, Symbol *sym, Expr *e)
{
    Diag *d = c->s->diag;
    switch (sym->kind) {
    case SYM_LET:
    case SYM_MEASURE:
    case SYM_SENSOR:
        return sym_value_type(c->s, sym, e->loc);
    case SYM_POP:
        diag_error(d, e->loc, "`%s` is a population, not a value", sym->name);
        return TY_UNKNOWN;
    case SYM_CONN:
    case SYM_TEACHER:
        diag_error(d, e->loc, "`%s` is a %s, not a value", sym->name, sym_kind_name(sym->kind));
        return TY_UNKNOWN;
    case SYM_BODY:
        diag_error(d, e->loc, "`%s` is a body, not a value; read one of its measures, e.g. "
                              "`%s.x`", sym->name, sym->name);
        return TY_UNKNOWN;
    default:
        return sym->type;
    }
}

static Type name_value(Ctx *c, Expr *e)
{
    if (!e->str)
        return TY_UNKNOWN;
    Symbol *sym = ctx_lookup(c, e->str);
    if (sym) {
        e->sym = sym;
        check_order(c, sym, e->loc);
        return sym_value(c, sym, e);
    }
    if (c->hidden_index && !strcmp(c->hidden_index->name, e->str)) {
        diag_error(c->s->diag, e->loc, "the index variable `%s` can only be used in the target "
                                       "selection", e->str);
        return TY_UNKNOWN;
    }
    if (c->in_target && !c->index_var) {
        diag_error(c->s->diag, e->loc, "undefined name `%s`; an index variable is introduced by "
                                       "the source, as in `a[%s] -> b[%s + 1]`", e->str, e->str,
                   e->str);
        return TY_UNKNOWN;
    }
    Type t;
    if (builtin_value(c, e, &t))
        return t;
    sema_undefined(c->s, c->decl, e->loc, e->str, c->scope, SYMS_VALUES, builtin_names(c));
    return TY_UNKNOWN;
}

/* ---- members: pre.v, world.x, body.measure ------------------------------- */

/* A variable `name` of declaration d as seen from outside (world.x, b.x). */
static Type outside_var(Ctx *c, Decl *d, Expr *e, const char *what)
{
    DeclInfo *info = sema_info(c->s, d);
    unsigned ok = (1u << SYM_PARAM) | (1u << SYM_STATE) | (1u << SYM_LET) | (1u << SYM_MEASURE) |
                  (1u << SYM_SENSOR) | (1u << SYM_MOTOR);
    Symbol *sym = scope_find(info->members, e->str);
    if (sym && (ok & (1u << sym->kind))) {
        e->sym = sym;
        return sym_value(c, sym, e);
    }
    sema_error_suggest(c->s, e->name_loc, scope_suggest(c->s, info->members, e->str, ok, NULL),
                       "%s `%s` has no %s `%s`", ast_decl_kind_name(d->kind), d->name, what,
                       e->str);
    return TY_UNKNOWN;
}

static Type member_of_name(Ctx *c, Expr *e, Expr *obj)
{
    Diag *d = c->s->diag;
    Symbol *sym = ctx_lookup(c, obj->str);
    if (!sym && (strcmp(obj->str, "pre") == 0 || strcmp(obj->str, "post") == 0)) {
        if (c->flags & CX_PREPOST)
            return TY_NUM; /* the neuron model at either end is known only at `connect` */
        diag_error(d, obj->loc, "`%s` can only be used inside a synapse", obj->str);
        return TY_UNKNOWN;
    }
    if (!sym && strcmp(obj->str, "world") == 0) {
        if (c->world)
            return outside_var(c, c->world, e, "variable");
        if (c->no_world)
            diag_error(d, obj->loc, "%s", c->no_world);
        return TY_UNKNOWN;
    }
    if (!sym) {
        expr_check(c, obj); /* reports the undefined name */
        return TY_UNKNOWN;
    }
    obj->sym = sym;
    switch (sym->kind) {
    case SYM_BODY:
        return sym->model ? outside_var(c, sym->model, e, "measure, sensor or state")
                          : TY_UNKNOWN;
    case SYM_POP:
        diag_error(d, e->loc, "`%s.%s` is not a value: the variables of a population can only "
                              "be recorded (`record %s.%s`)", obj->str, e->str, obj->str, e->str);
        return TY_UNKNOWN;
    default:
        diag_error(d, e->name_loc, "`%s` is a %s; it has no members", obj->str,
                   sym_kind_name(sym->kind));
        return TY_UNKNOWN;
    }
}

static Type member_value(Ctx *c, Expr *e)
{
    Expr *obj = e->a;
    if (!obj || !e->str)
        return TY_UNKNOWN;
    if (obj->kind == EX_NAME && obj->str)
        return member_of_name(c, e, obj);
    Type t = expr_check(c, obj);
    if (t != TY_UNKNOWN)
        diag_error(c->s->diag, e->name_loc, "%s has no members", type_name(t));
    return TY_UNKNOWN;
}

/* ---- operators ---------------------------------------------------------- */

static Type unary_value(Ctx *c, Expr *e)
{
    Type t = expr_check(c, e->a);
    if (!e->a)
        return TY_UNKNOWN;
    if (e->op == OP_NOT)
        return need_bool(c, e->a, t, "`not`") ? TY_BOOL : TY_UNKNOWN;
    if (!need_num(c, e->a, t, "`-`"))
        return TY_UNKNOWN;
    return t == TY_DIST ? TY_DIST : TY_NUM;
}

static Type compare_value(Ctx *c, Expr *e, Type ta, Type tb)
{
    const char *op = arena_printf(c->s->arena, "`%s`", ast_op_text(e->op));
    if ((e->op == OP_EQ || e->op == OP_NE) && (ta == TY_BOOL || tb == TY_BOOL)) {
        if (ta == TY_BOOL && tb != TY_BOOL && tb != TY_UNKNOWN)
            diag_error(c->s->diag, e->b->loc, "%s compares a boolean with %s", op, type_name(tb));
        else if (tb == TY_BOOL && ta != TY_BOOL && ta != TY_UNKNOWN)
            diag_error(c->s->diag, e->a->loc, "%s compares %s with a boolean", op, type_name(ta));
        return TY_BOOL;
    }
    need_num(c, e->a, ta, op);
    need_num(c, e->b, tb, op);
    return TY_BOOL;
}

static Type binary_value(Ctx *c, Expr *e)
{
    Type ta = expr_check(c, e->a), tb = expr_check(c, e->b);
    if (!e->a || !e->b)
        return TY_UNKNOWN;
    switch (e->op) {
    case OP_AND:
    case OP_OR: {
        const char *op = e->op == OP_AND ? "`and`" : "`or`";
        need_bool(c, e->a, ta, op);
        need_bool(c, e->b, tb, op);
        return TY_BOOL;
    }
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
        return compare_value(c, e, ta, tb);
    default: {
        const char *op = arena_printf(c->s->arena, "`%s`", ast_op_text(e->op));
        need_num(c, e->a, ta, op);
        need_num(c, e->b, tb, op);
        return ta == TY_DIST || tb == TY_DIST ? TY_DIST : TY_NUM;
    }
    }
}

static Type cond_value(Ctx *c, Expr *e)
{
    Type tc = expr_check(c, e->a);
    if (e->a)
        need_bool(c, e->a, tc, "the condition of `if`");
    Type ta = expr_check(c, e->b), tb = expr_check(c, e->c);
    if (ta == TY_UNKNOWN || tb == TY_UNKNOWN)
        return ta == TY_UNKNOWN ? tb : ta;
    if (ta == tb)
        return ta;
    if ((ta == TY_NUM && tb == TY_DIST) || (ta == TY_DIST && tb == TY_NUM))
        return TY_DIST;
    diag_error(c->s->diag, e->loc, "the branches of this `if` differ: %s and %s", type_name(ta),
               type_name(tb));
    return TY_UNKNOWN;
}

static Type array_value(Ctx *c, Expr *e)
{
    for (Arg *g = e->args; g; g = g->next) {
        Type t = expr_check(c, g->value);
        if (g->name)
            diag_error(c->s->diag, g->name_loc, "array elements cannot be named");
        if (t != TY_NUM && t != TY_UNKNOWN && g->value)
            diag_error(c->s->diag, g->value->loc, "array elements must be numbers, not %s",
                       type_name(t));
    }
    return TY_ARRAY;
}

static Type range_value(Ctx *c, Expr *e)
{
    Type ta = expr_check(c, e->a), tb = expr_check(c, e->b);
    if (!e->a || !e->b)
        return TY_UNKNOWN;
    int ok = 1;
    Expr *ends[2] = {e->a, e->b};
    Type types[2] = {ta, tb};
    for (int k = 0; k < 2; k++) {
        if (types[k] == TY_DIST) {
            diag_error(c->s->diag, ends[k]->loc, "the ends of a range must be numbers, not %s",
                       type_name(types[k]));
            ok = 0;
        } else if (!need_num(c, ends[k], types[k], "a range")) {
            ok = 0;
        }
    }
    double lo, hi;
    if (ok && const_num(e->a, &lo) && const_num(e->b, &hi)) {
        if (lo != floor(lo) || hi != floor(hi))
            diag_error(c->s->diag, e->loc, "a range is made of whole numbers, not %g..%g", lo, hi);
        else if (lo > hi)
            diag_error(c->s->diag, e->loc, "the range %g..%g is empty", lo, hi);
    }
    return ok ? TY_RANGE : TY_UNKNOWN;
}

static Type index_value(Ctx *c, Expr *e)
{
    Expr *obj = e->a;
    Symbol *sym = obj && obj->kind == EX_NAME && obj->str ? ctx_lookup(c, obj->str) : NULL;
    if (sym && sym->kind == SYM_POP) {
        obj->sym = sym;
        diag_error(c->s->diag, e->loc, "a selection of neurons is not a value");
        return TY_UNKNOWN;
    }
    Type t = expr_check(c, obj);
    if (t != TY_UNKNOWN && obj)
        diag_error(c->s->diag, e->loc, "only populations can be indexed, and `[...]` selects "
                                       "neurons; %s cannot be indexed", type_name(t));
    return TY_UNKNOWN;
}

static Type check(Ctx *c, Expr *e)
{
    switch (e->kind) {
    case EX_NUM: return TY_NUM;
    case EX_BOOL: return TY_BOOL;
    case EX_STR: return TY_STR;
    case EX_NAME: return name_value(c, e);
    case EX_MEMBER: return member_value(c, e);
    case EX_INDEX: return index_value(c, e);
    case EX_CALL: return call_check(c, e);
    case EX_UNARY: return unary_value(c, e);
    case EX_BINARY: return binary_value(c, e);
    case EX_COND: return cond_value(c, e);
    case EX_ARRAY: return array_value(c, e);
    case EX_RANGE: return range_value(c, e);
    }
    return TY_UNKNOWN;
}

/* ---- what a place requires ----------------------------------------------- */

/* The error for a value of the wrong kind at a place that wants `want`. */
static void wrong_kind(Ctx *c, Expr *e, const char *what, const char *want, Type t)
{
    const char *hint = "";
    if (t == TY_ARRAY)
        hint = "; arrays give one value per neuron, as model arguments";
    else if (t == TY_RANGE)
        hint = "; ranges select neurons (`pop[0..3]`) or give delays";
    else if (!strcmp(want, "a number"))
        hint = hint_for(e, t);
    diag_error(c->s->diag, e->loc, "%s must be %s, not %s%s", what, want, type_name(t), hint);
}

Type expect_num(Ctx *c, Expr *e, const char *what)
{
    Type t = expr_check(c, e);
    if (!e || t == TY_NUM || t == TY_UNKNOWN || t == TY_DIST)
        return t;
    if ((t == TY_ARRAY && (c->flags & CX_ARRAY)) || (t == TY_RANGE && (c->flags & CX_RANGE)))
        return t;
    wrong_kind(c, e, what, "a number", t);
    return TY_UNKNOWN;
}

Type expect_bool(Ctx *c, Expr *e, const char *what)
{
    Type t = expr_check(c, e);
    if (!e || t == TY_BOOL || t == TY_UNKNOWN)
        return t;
    wrong_kind(c, e, what, "a boolean", t);
    return TY_UNKNOWN;
}

Type expect_str(Ctx *c, Expr *e, const char *what)
{
    Type t = expr_check(c, e);
    if (!e || t == TY_STR || t == TY_UNKNOWN)
        return t;
    wrong_kind(c, e, what, "a string", t);
    return TY_UNKNOWN;
}

Type expect_value(Ctx *c, Expr *e, const char *what)
{
    Type t = expr_check(c, e);
    if (!e || t == TY_NUM || t == TY_BOOL || t == TY_UNKNOWN || t == TY_DIST)
        return t;
    wrong_kind(c, e, what, "a number or a boolean", t);
    return TY_UNKNOWN;
}
