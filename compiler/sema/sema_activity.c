/* sema_activity.c - `spikes(sel [, window])` (docs/language.md §7.8): the
 * number of spikes of a selection of neurons in the last `window` ms (one
 * tick by default), this tick included. It reads the brain's own activity,
 * so it is allowed only where the runtime observes it: a brain's `reward`. */
#include "sema_internal.h"
#include <string.h>

static int reads_time(const Expr *e)
{
    if (!e)
        return 0;
    if (e->kind == EX_NAME && e->str && strcmp(e->str, "t") == 0)
        return 1;
    if (reads_time(e->a) || reads_time(e->b) || reads_time(e->c))
        return 1;
    for (const Arg *g = e->args; g; g = g->next)
        if (reads_time(g->value))
            return 1;
    return 0;
}

Type activity_check(Ctx *c, Expr *e)
{
    Sema *s = c->s;
    if (!(c->flags & CX_ACTIVITY)) {
        diag_error(s->diag, e->loc, "`spikes(...)` (the spikes of a population) can only be used "
                                    "in a brain's `reward`, not in %s",
                   c->where ? c->where : "this place");
        return TY_UNKNOWN;
    }
    Arg *sel = NULL, *window = NULL;
    int n = 0, ok = 1;
    for (Arg *g = e->args; g; g = g->next, n++) {
        const char *name = g->name ? g->name : n == 0 ? "of" : n == 1 ? "window" : NULL;
        Arg **slot = !name ? NULL : strcmp(name, "of") == 0 ? &sel : strcmp(name, "window") == 0 ? &window : NULL;
        if (!name) {
            ok = 0; /* too many: reported below */
        } else if (!slot) {
            diag_error(s->diag, g->name_loc, "`spikes` has no parameter `%s` (of, window)", name);
            ok = 0;
        } else if (*slot) {
            diag_error(s->diag, g->loc, "argument `%s` of `spikes` is given twice", name);
            ok = 0;
        } else {
            *slot = g;
        }
    }
    if (!sel || n > 2) {
        diag_error(s->diag, e->loc, "`spikes` takes a selection of neurons and an optional window "
                                    "in ms: spikes(pop) or spikes(pop, 100)");
        ok = 0;
    }
    if (sel)
        select_check(c, sel->value, SELOK_NEURONS, "the argument of `spikes`");
    if (window) {
        Ctx cc = *c;
        cc.flags &= ~CX_ACTIVITY;
        cc.where = "the window of `spikes`";
        Type wt = expect_num(&cc, window->value, "the window of `spikes`");
        if (wt == TY_NUM && reads_time(window->value))
            diag_error(s->diag, window->value->loc, "the window of `spikes` is fixed: it may use "
                                                    "brain parameters, not `t`");
        else if (wt == TY_NUM)
            check_const(s, window->value, "the window of `spikes`", 'P');
    }
    return ok ? TY_NUM : TY_UNKNOWN;
}
