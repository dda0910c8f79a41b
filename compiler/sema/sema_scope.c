/* sema_scope.c - scopes and symbols.
 * A scope maps names to symbols and remembers declaration order, so that
 * "did you mean" suggestions are stable and "declared before" checks can
 * compare orders. Scopes chain to their parent: block -> members -> params. */
#include "sema_internal.h"
#include <stdlib.h>

Scope *scope_new(Sema *s, Scope *parent)
{
    Scope *sc = ARENA_NEW(s->arena, Scope);
    sc->parent = parent;
    table_init(&sc->names, 1);
    return sc;
}

Symbol *sym_new(Sema *s, SymKind kind, const char *name, Loc loc, Decl *owner)
{
    Symbol *sym = ARENA_NEW(s->arena, Symbol);
    sym->kind = kind;
    sym->name = name;
    sym->loc = loc;
    sym->owner = owner;
    sym->type = TY_NUM;
    return sym;
}

Symbol *scope_find_here(const Scope *sc, const char *name)
{
    return sc && name ? table_get(&sc->names, name) : NULL;
}

Symbol *scope_find(const Scope *sc, const char *name)
{
    for (; sc; sc = sc->parent) {
        Symbol *sym = scope_find_here(sc, name);
        if (sym)
            return sym;
    }
    return NULL;
}

Symbol *scope_add(Sema *s, Scope *sc, Symbol *sym)
{
    if (!sym->name)
        return NULL;
    Symbol *old = scope_find_here(sc, sym->name);
    if (old)
        return old;
    table_put(s->arena, &sc->names, sym->name, sym);
    if (sc->n == sc->cap) {
        int cap = sc->cap ? sc->cap * 2 : 8;
        Symbol **items = ARENA_ARRAY(s->arena, Symbol *, cap);
        for (int i = 0; i < sc->n; i++)
            items[i] = sc->items[i];
        sc->items = items;
        sc->cap = cap;
    }
    sym->order = sc->n;
    sc->items[sc->n++] = sym;
    return NULL;
}

/* Whether the next error would be printed; suggestions cost a scan of every
 * name in scope, which a flood of errors on a huge input must not pay. */
static int printing(const Sema *s)
{
    return !s->diag->max_errors || s->diag->nerrors < s->diag->max_errors;
}

const char *scope_suggest(Sema *s, const Scope *sc, const char *name, unsigned mask,
                          const char *const *extra)
{
    /* every one-letter name is "close" to every other: no useful guess */
    if (!name || !name[0] || !name[1] || !printing(s))
        return NULL;
    int n = 0;
    for (const Scope *p = sc; p; p = p->parent)
        n += p->n;
    for (const char *const *e = extra; e && *e; e++)
        n++;
    const char **cands = malloc(sizeof(char *) * (size_t)(n ? n : 1));
    if (!cands)
        return NULL;
    int k = 0;
    for (const Scope *p = sc; p; p = p->parent)
        for (int i = 0; i < p->n; i++)
            if (mask & (1u << p->items[i]->kind))
                cands[k++] = p->items[i]->name;
    for (const char *const *e = extra; e && *e; e++)
        cands[k++] = *e;
    const char *best = diag_suggest(name, cands, k);
    free(cands);
    return best;
}

const char *sym_kind_name(SymKind k)
{
    static const char *const names[] = {
        [SYM_PARAM] = "parameter", [SYM_STATE] = "state variable", [SYM_INPUT] = "input",
        [SYM_LET] = "`let` value", [SYM_LOCAL] = "`let` value", [SYM_MEASURE] = "measure",
        [SYM_SENSOR] = "sensor", [SYM_MOTOR] = "motor", [SYM_POP] = "population",
        [SYM_CONN] = "connection", [SYM_BODY] = "body", [SYM_TEACHER] = "teacher",
        [SYM_INDEX] = "index variable", [SYM_BUILTIN] = "built-in name",
    };
    return names[k];
}
