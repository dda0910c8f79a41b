/* ast_clone.c - deep copies of syntax subtrees.
 * A derived model (`neuron RS = izhikevich(d = 8)`, docs/language.md §4.12)
 * gets its own copy of its base's parameters and members, so sema can
 * annotate the copy (types, symbols of its own scopes) and the network IR
 * sees an ordinary declaration. Copies keep the source locations of the
 * original and carry no sema annotations. Expressions are at most 1000
 * levels deep (the parser caps them) and blocks nest as deep as Bison
 * allows, so the recursion here is bounded. */
#include "ast.h"

static Arg *clone_args(Arena *a, const Arg *g);

Expr *ast_clone_expr(Arena *a, const Expr *e)
{
    if (!e)
        return NULL;
    Expr *c = ARENA_NEW(a, Expr);
    *c = *e;
    c->type = TY_UNKNOWN;
    c->sym = NULL;
    c->a = ast_clone_expr(a, e->a);
    c->b = ast_clone_expr(a, e->b);
    c->c = ast_clone_expr(a, e->c);
    c->args = clone_args(a, e->args);
    return c;
}

static Arg *clone_args(Arena *a, const Arg *g)
{
    Arg *head = NULL, **tail = &head;
    for (; g; g = g->next) {
        Arg *c = ARENA_NEW(a, Arg);
        *c = *g;
        c->value = ast_clone_expr(a, g->value);
        c->next = NULL;
        *tail = c;
        tail = &c->next;
    }
    return head;
}

static Stmt *clone_stmts(Arena *a, const Stmt *s)
{
    Stmt *head = NULL, **tail = &head;
    for (; s; s = s->next) {
        Stmt *c = ARENA_NEW(a, Stmt);
        *c = *s;
        c->sym = NULL;
        c->target = ast_clone_expr(a, s->target);
        c->value = ast_clone_expr(a, s->value);
        c->body = clone_stmts(a, s->body);
        /* an `else if` chain is one statement in orelse */
        c->orelse = clone_stmts(a, s->orelse);
        c->next = NULL;
        *tail = c;
        tail = &c->next;
    }
    return head;
}

VarDecl *ast_clone_vars(Arena *a, const VarDecl *v)
{
    VarDecl *head = NULL, **tail = &head;
    for (; v; v = v->next) {
        VarDecl *c = ARENA_NEW(a, VarDecl);
        *c = *v;
        c->value = ast_clone_expr(a, v->value);
        c->derived = 0;
        c->next = NULL;
        *tail = c;
        tail = &c->next;
    }
    return head;
}

Member *ast_clone_members(Arena *a, const Member *m)
{
    Member *head = NULL, **tail = &head;
    for (; m; m = m->next) {
        Member *c = ARENA_NEW(a, Member);
        *c = *m;
        c->sym = NULL;
        c->vars = ast_clone_vars(a, m->vars);
        c->expr = ast_clone_expr(a, m->expr);
        c->expr2 = ast_clone_expr(a, m->expr2);
        c->stmt = clone_stmts(a, m->stmt);
        c->body = clone_stmts(a, m->body);
        c->members = ast_clone_members(a, m->members);
        c->args = clone_args(a, m->args);
        for (int k = 0; k < 3; k++)
            c->pos[k] = ast_clone_expr(a, m->pos[k]);
        c->src = ast_clone_expr(a, m->src);
        c->dst = ast_clone_expr(a, m->dst);
        c->rule_arg = ast_clone_expr(a, m->rule_arg);
        c->delay = ast_clone_expr(a, m->delay);
        c->sels = clone_args(a, m->sels);
        c->next = NULL;
        *tail = c;
        tail = &c->next;
    }
    return head;
}
