/* sema_derive.c - derived models (§4.12): `neuron RS = izhikevich(d = 8)`.
 * Before any declaration is checked, every derived model gets a copy of
 * its base's parameters and members (ast_clone_*), with the defaults its
 * arguments give; from then on it is an ordinary neuron or synapse, so the
 * network IR and the backends never see the derivation. Bases are expanded
 * first (a chain is followed with an explicit stack, never recursion);
 * unknown bases, bases of the other kind and cycles are reported here.
 * The check of a derived model reports errors in its arguments; errors in
 * the body it copied were reported at the base already, so the copy is
 * checked silently. */
#include "sema_internal.h"
#include <stdlib.h>
#include <string.h>

/* Paths longer than this are shortened in the message. */
#define MAX_PATH_SHOWN 6

enum { DV_NEW, DV_RESOLVING, DV_DONE, DV_FAILED };

static int is_derived(const Decl *d) { return d && d->base; }

/* "`A` -> `B` -> `A`" for the cycle path[from..top] closing at path[from]. */
static const char *cycle_text(Sema *s, Decl **path, int from, int top)
{
    const char *text = "";
    int n = top - from + 1;
    for (int k = from; k <= top; k++) {
        if (n > MAX_PATH_SHOWN && k == from + MAX_PATH_SHOWN / 2) {
            int skip = n - MAX_PATH_SHOWN;
            text = arena_printf(s->arena, "%s -> ... (%d more)", text, skip);
            k += skip - 1;
            continue;
        }
        text = arena_printf(s->arena, "%s%s`%s`", text, k == from ? "" : " -> ", path[k]->name);
    }
    return arena_printf(s->arena, "%s -> `%s`", text, path[from]->name);
}

/* The state variable `name` among a model's members. */
static VarDecl *find_state(Member *members, const char *name)
{
    for (Member *m = members; m; m = m->next)
        for (VarDecl *v = m->kind == M_STATE ? m->vars : NULL; v; v = v->next)
            if (v->name && strcmp(v->name, name) == 0)
                return v;
    return NULL;
}

static void unknown_name(Sema *s, Decl *d, Decl *base, Arg *g)
{
    for (Member *m = d->members; m; m = m->next)
        for (VarDecl *v = m->kind == M_INPUT || m->kind == M_LET ? m->vars : NULL; v; v = v->next)
            if (v->name && strcmp(v->name, g->name) == 0) {
                diag_error(s->diag, g->name_loc, "`%s` is %s of %s `%s`; arguments set only "
                                                 "parameters and states",
                           g->name, m->kind == M_INPUT ? "an input" : "a `let` value",
                           ast_decl_kind_name(base->kind), base->name);
                return;
            }
    int n = 0;
    for (VarDecl *v = d->params; v; v = v->next)
        n++;
    for (Member *m = d->members; m; m = m->next)
        for (VarDecl *v = m->kind == M_STATE ? m->vars : NULL; v; v = v->next)
            n++;
    const char **names = malloc(sizeof(char *) * (size_t)(n ? n : 1));
    const char *best = NULL;
    if (names) {
        n = 0;
        for (VarDecl *v = d->params; v; v = v->next)
            names[n++] = v->name;
        for (Member *m = d->members; m; m = m->next)
            for (VarDecl *v = m->kind == M_STATE ? m->vars : NULL; v; v = v->next)
                names[n++] = v->name;
        best = diag_suggest(g->name, names, n);
        free(names);
    }
    sema_error_suggest(s, g->name_loc, best, "%s `%s` has no parameter or state `%s`",
                       ast_decl_kind_name(base->kind), base->name, g->name);
}

/* d's copy of base, with its arguments as the new defaults. */
static void expand(Sema *s, Decl *d, Decl *base)
{
    d->params = ast_clone_vars(s->arena, base->params);
    d->members = ast_clone_members(s->arena, base->members);
    int np = 0, pos = 0, named = 0, too_many = 0;
    for (VarDecl *v = d->params; v; v = v->next)
        np++;
    for (Arg *g = d->base_args; g; g = g->next) {
        VarDecl *target = NULL;
        if (!g->name) {
            if (named) {
                diag_error(s->diag, g->loc, "a positional argument cannot follow named ones");
                continue;
            }
            if (pos >= np) {
                if (!too_many++)
                    diag_error(s->diag, g->loc, "too many arguments: %s `%s` has %d parameter%s",
                               ast_decl_kind_name(base->kind), base->name, np, np == 1 ? "" : "s");
                continue;
            }
            target = d->params;
            for (int k = 0; k < pos; k++)
                target = target->next;
            pos++;
        } else {
            named = 1;
            for (VarDecl *v = d->params; v && !target; v = v->next)
                if (v->name && strcmp(v->name, g->name) == 0)
                    target = v;
            if (!target)
                target = find_state(d->members, g->name);
            if (!target) {
                unknown_name(s, d, base, g);
                continue;
            }
        }
        if (target->derived) {
            diag_error(s->diag, g->loc, "`%s` is given twice", target->name);
            diag_note(s->diag, target->value ? target->value->loc : target->loc,
                      "first given here");
            continue;
        }
        /* a parameter's type comes from its default: keep the base's */
        Type want = param_shallow_type(target->value), got = param_shallow_type(g->value);
        if (want != got) {
            diag_error(s->diag, g->value->loc, "`%s` of %s `%s` is %s, not %s", target->name,
                       ast_decl_kind_name(base->kind), base->name, type_name(want),
                       type_name(got));
            continue;
        }
        target->value = g->value;
        target->derived = 1;
    }
}

/* Follows d's chain of bases until an expanded or plain model, then expands
 * the chain from its far end. */
static void resolve(Sema *s, Decl *d)
{
    int cap = 16, top = -1;
    Decl **path = malloc(sizeof(Decl *) * (size_t)cap);
    Decl **bases = malloc(sizeof(Decl *) * (size_t)cap);
    if (!path || !bases) {
        free(path);
        free(bases);
        return;
    }
    for (Decl *cur = d; is_derived(cur) && cur->derive == DV_NEW;) {
        if (top + 1 == cap) {
            cap *= 2;
            Decl **p = realloc(path, sizeof(Decl *) * (size_t)cap);
            if (p)
                path = p;
            Decl **b = p ? realloc(bases, sizeof(Decl *) * (size_t)cap) : NULL;
            if (!b)
                break;
            bases = b;
        }
        cur->derive = DV_RESOLVING;
        path[++top] = cur;
        Decl *base = sema_find_decl(s, cur->module, cur->base, cur->base_loc,
                                    (1u << D_NEURON) | (1u << D_SYNAPSE),
                                    cur->kind == D_NEURON ? "neuron model" : "synapse model");
        if (base && base->kind != cur->kind) {
            diag_error(s->diag, cur->base_loc, "`%s` is %s; %s can only be derived from %s",
                       base->name, decl_kind_article(base->kind),
                       decl_kind_article(cur->kind), decl_kind_article(cur->kind));
            base = NULL;
        }
        if (base && base->derive == DV_RESOLVING) {
            int from = top;
            while (from > 0 && path[from] != base)
                from--;
            diag_error(s->diag, base->base_loc, "`%s` is derived from itself: %s", base->name,
                       cycle_text(s, path, from, top));
            base = NULL;
        }
        bases[top] = base;
        if (!base)
            break;
        cur = base;
    }
    for (int k = top; k >= 0; k--) {
        Decl *cur = path[k], *base = bases[k];
        if (!base || base->derive == DV_FAILED || base->derive == DV_RESOLVING) {
            cur->derive = DV_FAILED;
            continue;
        }
        expand(s, cur, base);
        cur->derive = DV_DONE;
    }
    /* a chain cut short (no memory) leaves nothing half-resolved */
    for (int k = 0; k <= top; k++)
        if (path[k]->derive == DV_RESOLVING)
            path[k]->derive = DV_FAILED;
    free(path);
    free(bases);
}

void derive_all(Sema *s)
{
    for (Module *m = s->prog->modules; m; m = m->next)
        for (Decl *d = m->decls; d; d = d->next)
            if (is_derived(d) && d->derive == DV_NEW)
                resolve(s, d);
}

int derive_failed(const Decl *d) { return is_derived(d) && d->derive != DV_DONE; }

/* The arguments of a derived model, checked as the defaults they become. */
static void check_overrides(Sema *s, DeclInfo *info)
{
    Decl *d = info->decl;
    for (VarDecl *v = d->params; v; v = v->next) {
        Symbol *sym = v->derived ? scope_find_here(info->params, v->name) : NULL;
        if (!sym || sym->value != v->value)
            continue;
        Ctx c = ctx_make(s, d, info->params, CX_DIST, "a parameter default");
        c.order_scope = info->params;
        c.order_limit = sym->order;
        const char *what = arena_printf(s->arena, "`%s`", sym->name);
        if (sym->type == TY_BOOL)
            expect_bool(&c, v->value, what);
        else if (sym->type == TY_STR)
            expect_str(&c, v->value, what);
        else
            expect_num(&c, v->value, what);
    }
    for (Member *m = d->members; m; m = m->next)
        for (VarDecl *v = m->kind == M_STATE ? m->vars : NULL; v; v = v->next) {
            Symbol *sym = v->derived ? scope_find_here(info->members, v->name) : NULL;
            if (!sym || sym->value != v->value)
                continue;
            Ctx c = ctx_make(s, d, info->members, CX_DIST, "an initial value");
            c.order_scope = info->members;
            c.order_limit = sym->order;
            expect_num(&c, v->value, arena_printf(s->arena, "the initial value of `%s`", v->name));
        }
}

void derive_check(Sema *s, DeclInfo *info)
{
    Decl *d = info->decl;
    if (d->derive != DV_DONE)
        return;
    int before = s->diag->nerrors;
    check_overrides(s, info);
    int loud = s->diag->nerrors - before;
    /* the copied body, silently: every message is past the cap of `quiet` */
    Diag *real = s->diag, quiet = *real;
    quiet.max_errors = 1;
    quiet.nerrors = 2;
    s->diag = &quiet;
    model_check_members(s, info);
    s->diag = real;
    if (quiet.nerrors > 2 && !loud) {
        Decl *base = table_get(&s->decls, d->base);
        diag_error(real, d->base_loc, "%s `%s` has errors in what `%s` takes from it",
                   base ? ast_decl_kind_name(base->kind) : "model", d->base, d->name);
    }
}
