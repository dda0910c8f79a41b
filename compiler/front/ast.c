/* ast.c - constructors for syntax tree nodes, all arena-allocated. */
#include "ast.h"
#include <string.h>

static Expr *new_expr(Arena *a, ExprKind kind, Loc loc)
{
    Expr *e = ARENA_NEW(a, Expr);
    e->kind = kind;
    e->loc = loc;
    e->depth = 1;
    return e;
}

Expr *ast_num(Arena *a, Loc loc, double v)
{
    Expr *e = new_expr(a, EX_NUM, loc);
    e->num = v;
    return e;
}

Expr *ast_bool(Arena *a, Loc loc, int v)
{
    Expr *e = new_expr(a, EX_BOOL, loc);
    e->num = v ? 1 : 0;
    return e;
}

Expr *ast_str(Arena *a, Loc loc, const char *s)
{
    Expr *e = new_expr(a, EX_STR, loc);
    e->str = s;
    return e;
}

Expr *ast_name(Arena *a, Loc loc, const char *name)
{
    Expr *e = new_expr(a, EX_NAME, loc);
    e->str = name;
    e->name_loc = loc;
    return e;
}

int ast_is_all_neurons(const Expr *e)
{
    return e && e->kind == EX_NAME && strcmp(e->str, "*") == 0;
}

static int depth_of(const Expr *e) { return e ? e->depth : 0; }

static void set_depth(Expr *e)
{
    int d = depth_of(e->a);
    if (depth_of(e->b) > d)
        d = depth_of(e->b);
    if (depth_of(e->c) > d)
        d = depth_of(e->c);
    for (Arg *g = e->args; g; g = g->next)
        if (depth_of(g->value) > d)
            d = depth_of(g->value);
    e->depth = d + 1;
}

Expr *ast_member(Arena *a, Loc loc, Expr *obj, const char *name, Loc name_loc)
{
    Expr *e = new_expr(a, EX_MEMBER, loc);
    e->a = obj;
    e->str = name;
    e->name_loc = name_loc;
    set_depth(e);
    return e;
}

Expr *ast_index(Arena *a, Loc loc, Expr *obj, Arg *args)
{
    Expr *e = new_expr(a, EX_INDEX, loc);
    e->a = obj;
    e->args = args;
    set_depth(e);
    return e;
}

Expr *ast_call(Arena *a, Loc loc, const char *name, Loc name_loc, Arg *args)
{
    Expr *e = new_expr(a, EX_CALL, loc);
    e->str = name;
    e->name_loc = name_loc;
    e->args = args;
    set_depth(e);
    return e;
}

Expr *ast_unary(Arena *a, Loc loc, Op op, Expr *x)
{
    Expr *e = new_expr(a, EX_UNARY, loc);
    e->op = op;
    e->a = x;
    set_depth(e);
    return e;
}

Expr *ast_binary(Arena *a, Loc loc, Op op, Expr *l, Expr *r)
{
    Expr *e = new_expr(a, EX_BINARY, loc);
    e->op = op;
    e->a = l;
    e->b = r;
    set_depth(e);
    return e;
}

Expr *ast_cond(Arena *a, Loc loc, Expr *c, Expr *t, Expr *f)
{
    Expr *e = new_expr(a, EX_COND, loc);
    e->a = c;
    e->b = t;
    e->c = f;
    set_depth(e);
    return e;
}

Expr *ast_array(Arena *a, Loc loc, Arg *items)
{
    Expr *e = new_expr(a, EX_ARRAY, loc);
    e->args = items;
    set_depth(e);
    return e;
}

Expr *ast_range(Arena *a, Loc loc, Expr *lo, Expr *hi)
{
    Expr *e = new_expr(a, EX_RANGE, loc);
    e->a = lo;
    e->b = hi;
    set_depth(e);
    return e;
}

Arg *ast_arg(Arena *a, Loc loc, const char *name, Loc name_loc, Expr *value)
{
    Arg *g = ARENA_NEW(a, Arg);
    g->loc = loc;
    g->name = name;
    g->name_loc = name_loc;
    g->value = value;
    return g;
}

Stmt *ast_stmt(Arena *a, StmtKind kind, Loc loc)
{
    Stmt *s = ARENA_NEW(a, Stmt);
    s->kind = kind;
    s->loc = loc;
    return s;
}

Member *ast_member_decl(Arena *a, MemberKind kind, Loc loc)
{
    Member *m = ARENA_NEW(a, Member);
    m->kind = kind;
    m->loc = loc;
    return m;
}

VarDecl *ast_var(Arena *a, Loc loc, const char *name, Expr *value)
{
    VarDecl *v = ARENA_NEW(a, VarDecl);
    v->loc = loc;
    v->name = name;
    v->value = value;
    return v;
}

Decl *ast_decl(Arena *a, DeclKind kind, Loc loc, const char *name, Loc name_loc)
{
    Decl *d = ARENA_NEW(a, Decl);
    d->kind = kind;
    d->loc = loc;
    d->name = name;
    d->name_loc = name_loc;
    return d;
}

Loc loc_span(Loc a, Loc b)
{
    if (a.file != b.file || a.line != b.line || b.col < a.col)
        return a;
    Loc r = a;
    r.len = b.col + b.len - a.col;
    return r;
}

const char *ast_op_text(Op op)
{
    static const char *const text[] = {
        [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/", [OP_MOD] = "%",
        [OP_POW] = "^", [OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=",
        [OP_GT] = ">", [OP_GE] = ">=", [OP_AND] = "and", [OP_OR] = "or", [OP_NEG] = "-",
        [OP_NOT] = "not",
    };
    return text[op];
}

const char *ast_decl_kind_name(DeclKind k)
{
    static const char *const names[] = {
        [D_NEURON] = "neuron", [D_SYNAPSE] = "synapse", [D_COMPONENT] = "component",
        [D_BRAIN] = "brain", [D_WORLD] = "world", [D_BODY] = "body",
        [D_CURRICULUM] = "curriculum",
    };
    return names[k];
}

const char *ast_member_kind_name(MemberKind k)
{
    static const char *const names[] = {
        [M_STATE] = "state", [M_INPUT] = "input", [M_LET] = "let", [M_ODE] = "equation",
        [M_SPIKE] = "spike", [M_REFRACTORY] = "refractory", [M_INTEGRATE] = "integrate",
        [M_UPDATE] = "update", [M_DECAY] = "decay", [M_ON] = "on", [M_GAP] = "gap",
        [M_POP] = "population", [M_CONNECT] = "connect", [M_TERMINAL] = "terminal",
        [M_PRESET] = "preset", [M_LAYER] = "layer", [M_WIRE] = "wire", [M_LAYOUT] = "layout",
        [M_TIMESTEP] = "timestep", [M_STIMULUS] = "stimulus", [M_RECORD] = "record",
        [M_BODY] = "body", [M_SENSE] = "sense", [M_ACT] = "act", [M_REWARD] = "reward",
        [M_SENSOR] = "sensor", [M_MOTOR] = "motor", [M_MEASURE] = "measure",
        [M_TEACHER] = "teacher", [M_CHECKPOINT] = "checkpoint", [M_STAGE] = "stage",
        [M_LESSON] = "lesson", [M_WORLD] = "world", [M_TICKS] = "ticks", [M_EXAM] = "exam",
        [M_SET] = "set",
    };
    return names[k];
}
