/* sema_stimulus.c - the values of `ramp` and `steps` stimuli (§7.6) that
 * can be checked before elaboration: a ramp has an end, step times are a
 * list of ms that are not negative and increase, with one amplitude each.
 * Values that depend on brain parameters are checked again, after `-D`,
 * when the network is built (nir_build_io.c), with the same messages. */
#include "sema_internal.h"
#include <string.h>

/* The argument for parameter `pos` (named `name`) of a kind call. */
static Expr *kind_arg(Arg *args, int pos, const char *name)
{
    int k = 0;
    for (Arg *g = args; g; g = g->next, k++)
        if (g->name ? strcmp(g->name, name) == 0 : k == pos)
            return g->value;
    return NULL;
}

static void steps_check(Sema *s, Member *m)
{
    Expr *times = kind_arg(m->args, 0, "times"), *amps = kind_arg(m->args, 1, "amplitudes");
    if (!times || !amps) /* reported as missing */
        return;
    if (times->kind != EX_ARRAY) {
        diag_error(s->diag, times->loc, "step times are a list of ms, e.g. [10, 20, 35]");
        return;
    }
    int n = 0, known = 1;
    double prev = 0, t;
    for (Arg *g = times->args; g; g = g->next, n++) {
        if (!const_num(g->value, &t)) {
            known = 0;
            continue;
        }
        if (t < 0) {
            diag_error(s->diag, g->value->loc, "step times are not negative (this one is %g ms)", t);
            return;
        }
        if (known && n > 0 && !(t > prev)) {
            diag_error(s->diag, g->value->loc, "step times increase: %g ms comes after %g ms", t, prev);
            return;
        }
        prev = t;
    }
    int na = 0;
    for (Arg *g = amps->kind == EX_ARRAY ? amps->args : NULL; g; g = g->next)
        na++;
    if (amps->kind != EX_ARRAY || na != n) {
        diag_error(s->diag, amps->loc, "`steps` needs one amplitude per step time (%d time%s)", n,
                   n == 1 ? "" : "s");
        if (amps->kind == EX_ARRAY)
            diag_note(s->diag, times->loc, "the step times");
    }
}

void stimulus_values_check(Sema *s, Member *m)
{
    if (!m->model)
        return;
    if (strcmp(m->model, "ramp") == 0 && !m->expr2)
        diag_error(s->diag, m->model_loc, "`ramp` needs `until` after `from`: it goes from `start` at "
                                          "`from` to `end` at `until`");
    else if (strcmp(m->model, "steps") == 0)
        steps_check(s, m);
}
