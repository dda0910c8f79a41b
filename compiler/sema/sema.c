/* sema.c - the checker's driver: the global declaration table, imports,
 * component recursion, and one check per declaration in source order.
 * All declarations share one namespace (§3.1); a module sees its own
 * declarations and those of the modules it imports. */
#include "sema_internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *decl_kind_article(DeclKind k)
{
    static const char *const names[] = {
        [D_NEURON] = "a neuron", [D_SYNAPSE] = "a synapse", [D_COMPONENT] = "a component",
        [D_BRAIN] = "a brain", [D_WORLD] = "a world", [D_BODY] = "a body",
        [D_CURRICULUM] = "a curriculum",
    };
    return names[k];
}

void sema_error_suggest(Sema *s, Loc loc, const char *suggestion, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = arena_alloc(s->arena, (size_t)(n > 0 ? n : 0) + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (suggestion)
        diag_error(s->diag, loc, "%s; did you mean `%s`?", msg, suggestion);
    else
        diag_error(s->diag, loc, "%s", msg);
}

void sema_undefined(Sema *s, Decl *d, Loc loc, const char *name, const Scope *scope,
                    unsigned mask, const char *const *extra)
{
    DeclInfo *info = d ? sema_info(s, d) : NULL;
    if (info && table_get(&info->undefined, name))
        return;
    if (info)
        table_put(s->arena, &info->undefined, name, (void *)name);
    sema_error_suggest(s, loc, scope_suggest(s, scope, name, mask, extra), "undefined name `%s`",
                       name);
}

/* ---- duplicates, recorded at declaration and reported at the check ---- */

void sema_add_dup(Sema *s, DeclInfo *info, const char *what, const char *name, Loc loc, Loc prev)
{
    Dup *d = ARENA_NEW(s->arena, Dup);
    d->what = what;
    d->name = name;
    d->loc = loc;
    d->prev = prev;
    d->next = info->dups; /* reversed; sema_report_dups restores the order */
    info->dups = d;
}

void sema_report_dups(Sema *s, DeclInfo *info)
{
    Dup *rev = NULL;
    while (info->dups) {
        Dup *d = info->dups;
        info->dups = d->next;
        d->next = rev;
        rev = d;
    }
    for (Dup *d = rev; d; d = d->next) {
        if (d->prev.file < 0) {
            diag_error(s->diag, d->loc, "`%s` is a built-in name (%s) and cannot be declared",
                       d->name, d->what);
            continue;
        }
        if (d->what)
            diag_error(s->diag, d->loc, "%s `%s` is already declared", d->what, d->name);
        else
            diag_error(s->diag, d->loc, "`%s` is already declared in this %s", d->name,
                       ast_decl_kind_name(info->decl->kind));
        diag_note(s->diag, d->prev, "previous declaration of `%s`", d->name);
    }
}

/* t and dt are always in scope; a declaration may not hide them. */
static int is_reserved(const char *name)
{
    return strcmp(name, "t") == 0 || strcmp(name, "dt") == 0;
}

Symbol *sema_declare(Sema *s, DeclInfo *info, Scope *sc, Symbol *sym)
{
    if (!sym->name)
        return NULL;
    if (is_reserved(sym->name)) {
        sema_add_dup(s, info, sym->name[0] == 't' ? "the time in ms" : "the time step",
                     sym->name, sym->loc, loc_none());
        return NULL;
    }
    /* members may not reuse a parameter's name either */
    Symbol *old = sc == info->members ? scope_find_here(info->params, sym->name) : NULL;
    if (!old)
        old = scope_add(s, sc, sym);
    if (old) {
        sema_add_dup(s, info, NULL, sym->name, sym->loc, old->loc);
        return NULL;
    }
    return sym;
}

Ctx ctx_make(Sema *s, Decl *d, Scope *sc, unsigned flags, const char *where)
{
    Ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.decl = d;
    c.scope = sc;
    c.flags = flags;
    c.where = where;
    c.order_limit = -1;
    if (d && d->kind == D_BODY) {
        c.world = body_world(s, d);
        if (!c.world)
            c.no_world = "this body does not live in a world (`body NAME in WORLD`)";
    } else {
        c.no_world = "`world` can only be read in a body or in a curriculum stage";
    }
    return c;
}

/* ---- declarations ----------------------------------------------------- */

DeclInfo *sema_info(Sema *s, Decl *d)
{
    DeclInfo *info = table_get(&s->infos, d);
    if (info)
        return info;
    info = ARENA_NEW(s->arena, DeclInfo);
    info->decl = d;
    info->params = scope_new(s, NULL);
    info->members = scope_new(s, info->params);
    info->terminals = scope_new(s, NULL);
    info->presets = scope_new(s, NULL);
    table_init(&info->undefined, 1);
    table_put(s->arena, &s->infos, d, info);
    /* declaring is silent (duplicates are kept for the check), so it can run
     * on demand when another declaration needs these names */
    info->declared = 1;
    params_declare(s, info);
    switch (d->kind) {
    case D_NEURON:
    case D_SYNAPSE:
        model_declare(s, info);
        break;
    case D_COMPONENT:
    case D_BRAIN:
        network_declare(s, info);
        break;
    case D_WORLD:
    case D_BODY:
        world_declare(s, info);
        break;
    case D_CURRICULUM:
        break;
    }
    return info;
}

static void collect_decls(Sema *s)
{
    for (Module *m = s->prog->modules; m; m = m->next) {
        for (Decl *d = m->decls; d; d = d->next) {
            if (!d->name)
                continue;
            Decl *old = table_get(&s->decls, d->name);
            if (!old) {
                table_put(s->arena, &s->decls, d->name, d);
                continue;
            }
            diag_error(s->diag, d->name_loc, "`%s` is already declared (as %s)", d->name,
                       decl_kind_article(old->kind));
            diag_note(s->diag, old->name_loc, "previous declaration of `%s`", d->name);
        }
    }
}

static void collect_imports(Sema *s)
{
    for (Module *m = s->prog->modules; m; m = m->next) {
        Table *t = ARENA_NEW(s->arena, Table);
        table_init(t, 0);
        for (Import *im = m->imports; im; im = im->next)
            if (im->resolved)
                table_put(s->arena, t, im->resolved, im->resolved);
        table_put(s->arena, &s->visible, m, t);
    }
}

static int is_visible(Sema *s, Module *from, Module *mod)
{
    if (!from || !mod || from == mod)
        return 1;
    Table *t = table_get(&s->visible, from);
    return !t || table_get(t, mod) != NULL;
}

static const char *suggest_decl(Sema *s, Module *from, const char *name, unsigned kindmask)
{
    if (s->diag->max_errors && s->diag->nerrors >= s->diag->max_errors)
        return NULL;
    int n = s->decls.count, k = 0;
    const char **cands = malloc(sizeof(char *) * (size_t)(n ? n : 1));
    if (!cands)
        return NULL;
    for (int i = 0; i < s->decls.cap; i++) {
        Decl *d = s->decls.vals[i];
        if (s->decls.keys[i] && (kindmask & (1u << d->kind)) && is_visible(s, from, d->module))
            cands[k++] = d->name;
    }
    /* table order is arbitrary; pick the earliest declared among equals */
    const char *best = diag_suggest(name, cands, k);
    free(cands);
    return best;
}

Decl *sema_find_decl(Sema *s, Module *from, const char *name, Loc loc, unsigned kindmask,
                     const char *what)
{
    if (!name)
        return NULL;
    Decl *d = table_get(&s->decls, name);
    if (d && !is_visible(s, from, d->module)) {
        diag_error(s->diag, loc, "`%s` is declared in `%s`, which this file does not import",
                   name, d->module->path);
        return d; /* checking goes on as if imported: one error is enough */
    }
    if (!d)
        sema_error_suggest(s, loc, suggest_decl(s, from, name, kindmask), "unknown %s `%s`", what,
                           name);
    return d;
}

/* ---- component recursion (a component containing itself) ------------- */

typedef struct Frame {
    DeclInfo *info;
    int next;
} Frame;

static Decl *pop_component(Sema *s, Member *pop)
{
    Decl *d = pop->model ? table_get(&s->decls, pop->model) : NULL;
    return d && d->kind == D_COMPONENT ? d : NULL;
}

/* Paths longer than this are shortened in the message. */
#define MAX_PATH_SHOWN 6

/* Remembers the population whose model closes a cycle, with the path; the
 * error is reported when that population is checked (in source order). */
static void report_cycle(Sema *s, Frame *stack, int top, int from, Member *pop)
{
    const char *top_name = stack[top].info->decl->name;
    const char *path = arena_printf(s->arena, "`%s`", top_name);
    for (int k = from; k <= top; k++) {
        if (top - from + 1 > MAX_PATH_SHOWN && k == from + MAX_PATH_SHOWN / 2) {
            int skip = top - from + 1 - MAX_PATH_SHOWN;
            path = arena_printf(s->arena, "%s -> ... (%d more)", path, skip);
            k += skip - 1;
            continue;
        }
        path = arena_printf(s->arena, "%s -> `%s`", path, stack[k].info->decl->name);
    }
    const char *msg = from == top
                          ? arena_printf(s->arena, "component `%s` contains itself", top_name)
                          : arena_printf(s->arena, "component `%s` contains itself: %s", top_name,
                                         path);
    table_put(s->arena, &s->cycles, pop, (void *)msg);
}

/* Depth-first search with an explicit stack: chains of components can be
 * as long as the input, too deep for recursion. */
static void check_recursion_from(Sema *s, DeclInfo *root, Frame *stack)
{
    int top = 0;
    stack[0].info = root;
    stack[0].next = 0;
    root->color = 1;
    while (top >= 0) {
        Frame *f = &stack[top];
        if (f->next >= f->info->npops) {
            f->info->color = 2;
            top--;
            continue;
        }
        Member *pop = f->info->pops[f->next++];
        Decl *sub = pop_component(s, pop);
        if (!sub)
            continue;
        DeclInfo *si = sema_info(s, sub);
        if (si->color == 1) {
            int from = top;
            while (from > 0 && stack[from].info != si)
                from--;
            report_cycle(s, stack, top, from, pop);
        } else if (si->color == 0) {
            si->color = 1;
            top++;
            stack[top].info = si;
            stack[top].next = 0;
        }
    }
}

static void check_recursion(Sema *s)
{
    int n = 0;
    for (Module *m = s->prog->modules; m; m = m->next)
        for (Decl *d = m->decls; d; d = d->next)
            n++;
    Frame *stack = malloc(sizeof(Frame) * (size_t)(n + 1));
    if (!stack)
        return;
    for (Module *m = s->prog->modules; m; m = m->next)
        for (Decl *d = m->decls; d; d = d->next)
            if (d->kind == D_COMPONENT && d->name && table_get(&s->decls, d->name) == d) {
                DeclInfo *info = sema_info(s, d);
                if (info->color == 0)
                    check_recursion_from(s, info, stack);
            }
    free(stack);
}

/* ---- driver ------------------------------------------------------------ */

static void check_decl(Sema *s, Decl *d)
{
    DeclInfo *info = sema_info(s, d);
    switch (d->kind) {
    case D_NEURON:
    case D_SYNAPSE:
        model_check(s, info);
        break;
    case D_COMPONENT:
    case D_BRAIN:
        network_check(s, info);
        break;
    case D_WORLD:
    case D_BODY:
        world_check(s, info);
        break;
    case D_CURRICULUM:
        curriculum_check(s, info);
        break;
    }
}

int sema_check(Program *prog)
{
    if (!prog || !prog->diag)
        return 0;
    Sema s;
    memset(&s, 0, sizeof s);
    s.prog = prog;
    s.diag = prog->diag;
    s.arena = &prog->arena;
    table_init(&s.decls, 1);
    table_init(&s.infos, 0);
    table_init(&s.visible, 0);
    table_init(&s.cycles, 0);
    int before = s.diag->nerrors;
    collect_decls(&s);
    collect_imports(&s);
    derive_all(&s);
    check_recursion(&s);
    for (Module *m = prog->modules; m; m = m->next)
        for (Decl *d = m->decls; d; d = d->next)
            check_decl(&s, d);
    return s.diag->nerrors - before;
}
