/* sema_fit.c - a synapse meets its neurons (§5.4).
 * A synapse is checked alone without knowing the neurons it will join, so
 * `deliver w to g_e`, `post.x` and `gap g via v` name variables on faith.
 * At each `connect` whose ends are of one known neuron model, those names
 * must exist there. */
#include "sema_internal.h"
#include <string.h>

typedef struct Fit {
    Sema *s;
    Member *conn;       /* the connection, for the error location */
    Decl *syn;
    Decl *pre, *post;   /* neuron models at either end; NULL when unknown or mixed */
    Table reported;     /* "pre.x" / "post.x" / "deliver" already reported */
} Fit;

static Symbol *model_var(Sema *s, Decl *model, const char *name, unsigned mask)
{
    Symbol *sym = scope_find(sema_info(s, model)->members, name);
    return sym && (mask & (1u << sym->kind)) ? sym : NULL;
}

/* Reports once per connection and name. */
static int first_time(Fit *f, const char *end, const char *name)
{
    const char *key = arena_printf(f->s->arena, "%s.%s", end, name);
    if (table_get(&f->reported, key))
        return 0;
    table_put(f->s->arena, &f->reported, key, (void *)key);
    return 1;
}

static void fit_member_read(Fit *f, Expr *e)
{
    int is_pre = !strcmp(e->a->str, "pre");
    Decl *model = is_pre ? f->pre : f->post;
    unsigned mask = (1u << SYM_STATE) | (1u << SYM_INPUT) | (1u << SYM_PARAM) | (1u << SYM_LET);
    if (!model || model_var(f->s, model, e->str, mask) || !first_time(f, e->a->str, e->str))
        return;
    diag_error(f->s->diag, f->conn->model_loc, "synapse `%s` uses `%s.%s`, but neuron `%s` (the "
                                               "%s of this connection) has no variable `%s`",
               f->syn->name, e->a->str, e->str, model->name, is_pre ? "source" : "target",
               e->str);
    diag_note(f->s->diag, e->loc, "`%s.%s` is used here", e->a->str, e->str);
}

static void fit_expr(Fit *f, Expr *e)
{
    if (!e)
        return;
    if (e->kind == EX_MEMBER && e->a && e->a->kind == EX_NAME && e->a->str && !e->a->sym &&
        e->str && (!strcmp(e->a->str, "pre") || !strcmp(e->a->str, "post"))) {
        fit_member_read(f, e);
        return;
    }
    fit_expr(f, e->a);
    fit_expr(f, e->b);
    fit_expr(f, e->c);
    for (Arg *g = e->args; g; g = g->next)
        fit_expr(f, g->value);
}

static void fit_deliver(Fit *f, Stmt *st)
{
    Sema *s = f->s;
    if (!f->post)
        return;
    if (st->name) {
        unsigned mask = (1u << SYM_STATE) | (1u << SYM_INPUT);
        if (model_var(s, f->post, st->name, mask) || !first_time(f, "deliver", st->name))
            return;
        diag_error(s->diag, f->conn->model_loc, "synapse `%s` delivers to `%s`, but neuron `%s` "
                                                "(the target of this connection) has no input or "
                                                "state `%s`", f->syn->name, st->name,
                   f->post->name, st->name);
        diag_note(s->diag, st->loc, "delivered here");
        return;
    }
    DeclInfo *info = sema_info(s, f->post);
    for (int k = 0; k < info->members->n; k++)
        if (info->members->items[k]->kind == SYM_INPUT)
            return;
    if (!first_time(f, "deliver", ""))
        return;
    diag_error(s->diag, f->conn->model_loc, "synapse `%s` delivers to the first input of its "
                                            "target, but neuron `%s` has no `input`",
               f->syn->name, f->post->name);
    diag_note(s->diag, st->loc, "delivered here");
}

static void fit_stmts(Fit *f, Stmt *st)
{
    for (; st; st = st->next) {
        if (st->kind == ST_DELIVER)
            fit_deliver(f, st);
        fit_expr(f, st->target);
        fit_expr(f, st->value);
        fit_stmts(f, st->body);
        fit_stmts(f, st->orelse);
    }
}

/* `gap g via v`: v (default `v`) at both ends. */
static void fit_gap(Fit *f, Member *m)
{
    const char *var = m->name ? m->name : "v";
    Decl *ends[2] = {f->pre, f->post};
    unsigned mask = (1u << SYM_STATE);
    for (int k = 0; k < 2; k++) {
        if (!ends[k] || (k == 1 && ends[1] == ends[0]) || model_var(f->s, ends[k], var, mask))
            continue;
        diag_error(f->s->diag, f->conn->model_loc, "the gap junction of synapse `%s` couples "
                                                   "`%s`, but neuron `%s` has no state `%s`",
                   f->syn->name, var, ends[k]->name, var);
        diag_note(f->s->diag, m->loc, "the gap junction is here");
    }
}

void synapse_fit_check(Sema *s, Member *conn, Decl *syn, Decl *pre, Decl *post)
{
    Fit f = {s, conn, syn, NULL, NULL, {0}};
    f.pre = pre && pre->kind == D_NEURON && !derive_failed(pre) ? pre : NULL;
    f.post = post && post->kind == D_NEURON && !derive_failed(post) ? post : NULL;
    if (!syn || syn->kind != D_SYNAPSE || derive_failed(syn) || (!f.pre && !f.post))
        return;
    table_init(&f.reported, 1);
    for (Member *m = syn->members; m; m = m->next) {
        if (m->kind == M_ON || m->kind == M_UPDATE)
            fit_stmts(&f, m->body);
        else if (m->kind == M_GAP) {
            fit_expr(&f, m->expr);
            fit_gap(&f, m);
        } else if (m->kind == M_LET)
            for (VarDecl *v = m->vars; v; v = v->next)
                fit_expr(&f, v->value);
    }
}
