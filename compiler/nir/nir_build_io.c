/* nir_build_io.c - pass 4 of elaboration: the brain's stimuli and
 * recordings. A target that spans several populations becomes one input
 * or record per population, each with the neuron indices it touches (none
 * stored when it is the whole population, in order). */
#include "nir_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Neurons of a selection in one population, in selection order. */
typedef struct PopPart {
    uint32_t pop, n;
    uint32_t *idx; /* NULL: the whole population */
} PopPart;

static int whole_population(const Nir *nir, const PopPart *p)
{
    if (p->n != nir->pops[p->pop].size)
        return 0;
    for (uint32_t k = 0; k < p->n; k++)
        if (p->idx[k] != k)
            return 0;
    return 1;
}

/* Splits a brain-level selection by population. Returns the part count. */
static int split_by_pop(Builder *b, const Sel *s, PopPart **out)
{
    PopPart *parts = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < s->nseg; i++) {
        const SelSeg *g = &s->segs[i];
        int k = 0;
        while (k < n && parts[k].pop != g->pop)
            k++;
        if (k == n) {
            PopPart *p = NIR_PUSH(parts, n, cap);
            p->pop = g->pop;
        }
        PopPart *p = &parts[k];
        uint32_t *idx = realloc(p->idx, ((size_t)p->n + g->n + 1) * sizeof *idx);
        if (!idx)
            abort();
        p->idx = idx;
        for (uint32_t j = 0; j < g->n; j++)
            p->idx[p->n++] = g->off ? g->off[j] : g->lo + j;
    }
    for (int k = 0; k < n; k++)
        if (whole_population(b->nir, &parts[k])) {
            free(parts[k].idx);
            parts[k].idx = NULL;
        }
    *out = parts;
    return n;
}

/* ---- stimulus ------------------------------------------------------------- */

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* A list of ms (spike or step times) into *times (malloc'd; ascending when
 * sort, else checked to be increasing and not negative). */
static int time_list(Builder *b, EvalCtx *ec, Expr *e, const char *what, int sort, double **times, uint32_t *count)
{
    if (e->kind != EX_ARRAY) {
        diag_error(b->diag, e->loc, "%s are a list of ms, e.g. [10, 20, 35]", what);
        return -1;
    }
    uint32_t n = 0;
    for (Arg *a = e->args; a; a = a->next)
        n++;
    double *t = malloc((n ? n : 1) * sizeof *t);
    *times = t;
    *count = 0;
    for (Arg *a = e->args; a; a = a->next) {
        if (nir_ev_number(ec, a->value, &t[*count]))
            return -1;
        if (!sort && t[*count] < 0) {
            diag_error(b->diag, a->value->loc, "%s are not negative (this one is %g ms)", what, t[*count]);
            return -1;
        }
        if (!sort && *count > 0 && !(t[*count] > t[*count - 1])) {
            diag_error(b->diag, a->value->loc, "%s increase: %g ms comes after %g ms", what, t[*count],
                       t[*count - 1]);
            return -1;
        }
        (*count)++;
    }
    if (sort)
        qsort(t, n, sizeof *t, by_value);
    return 0;
}

/* steps(times, amplitudes): one amplitude per time, as many of each. */
static int step_amplitudes(Builder *b, EvalCtx *ec, Expr *times, Expr *e, NirInput *in, double **amps)
{
    uint32_t n = 0;
    if (e->kind == EX_ARRAY)
        for (Arg *a = e->args; a; a = a->next)
            n++;
    if (e->kind != EX_ARRAY || n != in->ntimes) {
        diag_error(b->diag, e->loc, "`steps` needs one amplitude per step time (%u time%s)", in->ntimes,
                   in->ntimes == 1 ? "" : "s");
        if (e->kind == EX_ARRAY)
            diag_note(b->diag, times->loc, "the step times");
        return -1;
    }
    *amps = malloc((n ? n : 1) * sizeof **amps);
    n = 0;
    for (Arg *a = e->args; a; a = a->next)
        if (nir_ev_number(ec, a->value, &(*amps)[n++]))
            return -1;
    return 0;
}

/* A value that cannot be negative (sema checks constants; this catches the
 * ones a brain parameter sets), with sema's message. */
static int not_negative(Builder *b, EvalCtx *ec, Expr *e, const char *arg, const char *kind,
                        double *out)
{
    if (nir_ev_number(ec, e, out))
        return -1;
    if (*out < 0) {
        diag_error(b->diag, e->loc, "`%s` of `%s` cannot be negative (it is %g)", arg, kind, *out);
        return -1;
    }
    return 0;
}

/* kind(args): current(amplitude), poisson(rate, w = 1), spikes(times, w = 1),
 * ramp(start, end), steps(times, amplitudes), noise(mean, sd). A step list
 * comes back as in->times with the amplitudes in *amps. */
static int stimulus_kind(Builder *b, Ctx *c, Member *m, NirInput *in, double **amps)
{
    static const struct {
        const char *kind;
        int nargs, required;
        NirInputKind nk;
        const char *args[2];
    } kinds[] = {{"current", 1, 1, NIR_IN_CURRENT, {"amplitude", NULL}},
                 {"poisson", 2, 1, NIR_IN_POISSON, {"rate", "w"}},
                 {"spikes", 2, 1, NIR_IN_SPIKES, {"times", "w"}},
                 {"ramp", 2, 2, NIR_IN_RAMP, {"start", "end"}},
                 {"noise", 2, 2, NIR_IN_NOISE, {"mean", "sd"}},
                 {"steps", 2, 2, NIR_IN_CURRENT, {"times", "amplitudes"}}};
    enum { NKINDS = sizeof kinds / sizeof kinds[0], STEPS = NKINDS - 1 };
    int kind = -1;
    for (int k = 0; k < NKINDS; k++)
        if (strcmp(m->model, kinds[k].kind) == 0)
            kind = k;
    if (kind < 0) {
        diag_error(b->diag, m->model_loc,
                   "unknown stimulus `%s` (current, poisson, spikes, ramp, steps, noise)", m->model);
        return -1;
    }
    in->kind = kinds[kind].nk;
    Expr *args[2] = {NULL, NULL};
    if (nir_ev_bind_args(b, m->args, m->model, kinds[kind].args, kinds[kind].nargs, args))
        return -1;
    for (int k = 0; k < kinds[kind].required; k++)
        if (!args[k]) {
            diag_error(b->diag, m->model_loc, "`%s` needs `%s`", m->model, kinds[kind].args[k]);
            return -1;
        }
    EvalCtx ec;
    nir_ev_init(&ec, b, c->scope);
    in->w = 1;
    if (in->kind == NIR_IN_NOISE)
        return nir_ev_number(&ec, args[0], &in->amplitude) ||
                       not_negative(b, &ec, args[1], "sd", m->model, &in->sd)
                   ? -1
                   : 0;
    if (kind == STEPS) {
        if (time_list(b, &ec, args[0], "step times", 0, &in->times, &in->ntimes))
            return -1;
        return step_amplitudes(b, &ec, args[0], args[1], in, amps);
    }
    if (in->kind == NIR_IN_RAMP)
        return nir_ev_number(&ec, args[0], &in->amplitude) || nir_ev_number(&ec, args[1], &in->amplitude_end)
                   ? -1
                   : 0;
    if (args[1] && nir_ev_number(&ec, args[1], &in->w))
        return -1;
    if (in->kind == NIR_IN_CURRENT)
        return nir_ev_number(&ec, args[0], &in->amplitude);
    if (in->kind == NIR_IN_POISSON)
        return not_negative(b, &ec, args[0], "rate", m->model, &in->rate);
    return time_list(b, &ec, args[0], "spike times", 1, &in->times, &in->ntimes);
}

/* One input per population of the selection. */
static void push_inputs(Builder *b, const NirInput *in, const PopPart *parts, int n, const char *text)
{
    for (int k = 0; k < n; k++) {
        NirInput *out = NIR_PUSH(b->nir->inputs, b->nir->ninputs, b->capinputs);
        *out = *in;
        out->pop = parts[k].pop;
        out->n = parts[k].n;
        out->idx = NULL;
        if (parts[k].idx) {
            out->idx = malloc(((size_t)parts[k].n + 1) * sizeof *out->idx);
            memcpy(out->idx, parts[k].idx, parts[k].n * sizeof *out->idx);
        }
        out->stream = nir_stream(text, b->nir->pops[parts[k].pop].path, (uint64_t)b->nir->ninputs - 1);
        out->times = NULL;
        if (in->times) {
            out->times = malloc((in->ntimes ? in->ntimes : 1) * sizeof *out->times);
            memcpy(out->times, in->times, in->ntimes * sizeof *out->times);
        }
    }
}

/* A stimulus target: neurons (`pop[2]`, `inst.term`, `inst.pop`), every
 * neuron of some instances (`inst`, `inst[0..3]`), or of the brain (`*`). */
static int stimulus_target(Builder *b, Ctx *c, Expr *e, Sel *sel)
{
    if (ast_is_all_neurons(e)) {
        nir_select_all(b, sel);
        return 0;
    }
    int errors = b->diag->nerrors;
    int rc = nir_select_inst_neurons(b, c, e, sel, SEL_INTERNAL);
    if (rc > 0)
        return 0;
    if (rc < 0 && b->diag->nerrors > errors)
        return -1;
    return nir_select(b, c, e, sel, SEL_REPORT | SEL_INTERNAL) ? -1 : 0;
}

static void build_stimulus(Builder *b, Ctx *c, Member *m)
{
    NirInput in = {0};
    double *amps = NULL;
    in.loc = m->loc;
    in.until = INFINITY;
    EvalCtx ec;
    nir_ev_init(&ec, b, c->scope);
    int rc = stimulus_kind(b, c, m, &in, &amps);
    if (rc == 0 && m->expr)
        rc = nir_ev_number(&ec, m->expr, &in.from);
    if (rc == 0 && m->expr2)
        rc = nir_ev_number(&ec, m->expr2, &in.until);
    if (rc == 0 && in.kind == NIR_IN_RAMP && !(isfinite(in.until) && in.until > in.from)) {
        diag_error(b->diag, m->model_loc, "`ramp` needs `until` after `from`: it goes from `start` at `from` "
                                          "to `end` at `until`");
        rc = -1;
    }
    Sel sel;
    if (rc == 0)
        rc = stimulus_target(b, c, m->dst, &sel);
    if (rc) {
        free(in.times);
        free(amps);
        return;
    }
    PopPart *parts;
    int n = split_by_pop(b, &sel, &parts);
    const char *text = nir_sel_text(b, c, m->dst);
    if (amps) {
        /* steps: step j is a current over [times[j], times[j + 1]) within [from, until) */
        NirInput step = in;
        step.times = NULL;
        step.ntimes = 0;
        for (uint32_t j = 0; j < in.ntimes; j++) {
            step.amplitude = amps[j];
            step.from = fmax(in.times[j], in.from);
            step.until = fmin(j + 1 < in.ntimes ? in.times[j + 1] : INFINITY, in.until);
            if (step.until > step.from)
                push_inputs(b, &step, parts, n, text);
        }
    } else {
        push_inputs(b, &in, parts, n, text);
    }
    for (int k = 0; k < n; k++)
        free(parts[k].idx);
    free(in.times);
    free(amps);
    free(parts);
}

/* ---- record ------------------------------------------------------------------- */

static void push_record(Builder *b, const NirRecord *r, PopPart *part)
{
    NirRecord *out = NIR_PUSH(b->nir->records, b->nir->nrecords, b->caprecords);
    *out = *r;
    out->pop = part->pop;
    out->n = part->n;
    out->idx = part->idx;
}

static void record_spikes(Builder *b, NirRecord *r, const Sel *sel)
{
    PopPart *parts;
    int n = split_by_pop(b, sel, &parts);
    r->kind = NIR_REC_SPIKES;
    r->every = 1;
    for (int k = 0; k < n; k++)
        push_record(b, r, &parts[k]);
    free(parts);
}

static void record_state(Builder *b, NirRecord *r, const Sel *sel, Expr *e)
{
    PopPart *parts;
    int n = split_by_pop(b, sel, &parts);
    r->kind = NIR_REC_STATE;
    for (int k = 0; k < n; k++) {
        const NirPop *p = &b->nir->pops[parts[k].pop];
        const NirNeuronModel *nm = &b->nir->neuron_models[p->model];
        r->var = nir_model_state(nm, e->str);
        if (r->var < 0) {
            diag_error(b->diag, e->name_loc, "neuron `%s` of `%s` has no state variable `%s`", nm->name,
                       p->path, e->str);
            free(parts[k].idx);
            continue;
        }
        push_record(b, r, &parts[k]);
    }
    free(parts);
}

/* `conn.w`: a synapse state of every group of a named connection. */
static int record_synapse(Builder *b, Ctx *c, NirRecord *r, Expr *e)
{
    const char *conn = nir_sel_text(b, c, e->a);
    int n = 0;
    for (int g = 0; g < b->nir->ngroups; g++)
        n += strcmp(b->nir->groups[g].conn, conn) == 0;
    if (!n)
        return 1;
    r->kind = NIR_REC_SYNAPSE;
    r->groups = ARENA_ARRAY(b->arena, int, n);
    for (int g = 0; g < b->nir->ngroups; g++) {
        const NirGroup *grp = &b->nir->groups[g];
        if (strcmp(grp->conn, conn) != 0)
            continue;
        int var = nir_syn_state(&b->nir->syn_models[grp->model], e->str);
        if (var < 0) {
            diag_error(b->diag, e->name_loc, "synapse `%s` of connection `%s` has no state `%s`",
                       b->nir->syn_models[grp->model].name, conn, e->str);
            return -1;
        }
        r->var = var;
        r->groups[r->ngroups++] = g;
    }
    *NIR_PUSH(b->nir->records, b->nir->nrecords, b->caprecords) = *r;
    return 0;
}

static void build_record(Builder *b, Ctx *c, Member *m)
{
    NirRecord r = {0};
    r.loc = m->loc;
    r.every = 1;
    r.what = nir_str(b, nir_sel_text(b, c, m->src));
    EvalCtx ec;
    nir_ev_init(&ec, b, c->scope);
    int64_t every = 1;
    if (m->expr2 && nir_ev_integer(&ec, m->expr2, "`every`", 1, UINT32_MAX, &every))
        return;
    r.every = (uint32_t)every;
    Expr *e = m->src;
    Sel sel;
    int errors = b->diag->nerrors;
    if (nir_select(b, c, e, &sel, SEL_INTERNAL) == 0) {
        record_spikes(b, &r, &sel);
        return;
    }
    if (e->kind == EX_MEMBER && nir_select(b, c, e->a, &sel, SEL_INTERNAL) == 0) {
        record_state(b, &r, &sel, e);
        return;
    }
    if (e->kind == EX_MEMBER && record_synapse(b, c, &r, e) <= 0)
        return;
    if (b->diag->nerrors == errors && e->kind == EX_INDEX && e->a->kind == EX_MEMBER)
        nir_select(b, c, e, &sel, SEL_REPORT | SEL_INTERNAL); /* says why it cannot be indexed */
    if (b->diag->nerrors == errors)
        diag_error(b->diag, e->loc,
                   "cannot record `%s`: it is not a population, terminal, state variable or named "
                   "connection",
                   r.what);
}

void nir_build_io(Builder *b, Ctx *c)
{
    for (int k = 0; k < c->nitems; k++) {
        Member *m = c->items[k].m;
        if (m->kind == M_STIMULUS)
            build_stimulus(b, c, m);
        else if (m->kind == M_RECORD)
            build_record(b, c, m);
    }
}
