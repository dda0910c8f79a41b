/* build_params.c - the runtime-changeable parameters of a built brain:
 * re-elaboration with each parameter perturbed and a comparison of the
 * networks (the rule is in build_params.h). */
#define _POSIX_C_SOURCE 200809L
#include "driver/build_params.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_BIND RT_BIND_KINDS

/* The values that moved with one perturbation. */
typedef struct Binds {
    RtParamBinding *v;
    uint32_t n, cap;
    int structural;  /* 1: something else moved (or out of memory) */
    double v0, v1;   /* the parameter in the base and the perturbed build */
} Binds;

static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int same_mem(const void *a, const void *b, size_t n)
{
    return (!a && !b) || (a && b && memcmp(a, b, n) == 0);
}

static void add_bind(Binds *b, uint32_t kind, uint32_t index, uint32_t slot)
{
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? 2 * b->cap : 16;
        RtParamBinding *grown = realloc(b->v, cap * sizeof *grown);
        if (!grown) {
            b->structural = 1;
            return;
        }
        b->v = grown, b->cap = cap;
    }
    b->v[b->n++] = (RtParamBinding){kind, index, slot};
}

/* A value x0 (base) / x1 (perturbed): bound when it is the parameter in both. */
static void scalar(Binds *b, double x0, double x1, uint32_t kind, uint32_t index, uint32_t slot)
{
    if (same(x0, x1))
        return;
    if (kind != NO_BIND && same(x0, b->v0) && same(x1, b->v1))
        add_bind(b, kind, index, slot);
    else
        b->structural = 1;
}

static void compare_values(Binds *b, const NirValues *x, const NirValues *y, int n, uint32_t size,
                           uint32_t kind, uint32_t index)
{
    for (int j = 0; j < n; j++) {
        if (!same_mem(x[j].array, y[j].array, sizeof(double) * size))
            b->structural = 1;
        else if (!x[j].array)
            scalar(b, x[j].value, y[j].value, kind, index, (uint32_t)j);
    }
}

static void compare_syn_values(Binds *b, const NirSynValues *x, const NirSynValues *y, int n, uint64_t n_syn,
                               uint32_t kind, uint32_t index)
{
    for (int j = 0; j < n; j++) {
        if (!same_mem(x[j].array, y[j].array, sizeof(float) * n_syn))
            b->structural = 1;
        else if (!x[j].array)
            scalar(b, x[j].value, y[j].value, kind, index, (uint32_t)j);
    }
}

static void compare_pop(Binds *b, const Nir *x, const Nir *y, int p)
{
    const NirPop *a = &x->pops[p], *c = &y->pops[p];
    if (a->model != c->model || a->size != c->size) {
        b->structural = 1;
        return;
    }
    const NirNeuronModel *m = &x->neuron_models[a->model];
    compare_values(b, a->params, c->params, m->nparams, a->size, RT_BIND_POP_PARAM, (uint32_t)p);
    compare_values(b, a->state, c->state, m->nstates, a->size, RT_BIND_POP_STATE, (uint32_t)p);
}

static void compare_group(Binds *b, const Nir *x, const Nir *y, int g)
{
    const NirGroup *a = &x->groups[g], *c = &y->groups[g];
    if (a->model != c->model || a->pre != c->pre || a->post != c->post || a->n_syn != c->n_syn ||
        a->delay != c->delay || !same_mem(a->row_ptr, c->row_ptr, sizeof(uint64_t) * (x->pops[a->pre].size + 1ull)) ||
        !same_mem(a->col, c->col, sizeof(uint32_t) * a->n_syn) ||
        !same_mem(a->delays, c->delays, sizeof(uint16_t) * a->n_syn)) {
        b->structural = 1;
        return;
    }
    const NirSynapseModel *m = &x->syn_models[a->model];
    /* Uniform synapse parameters are compiled into the kernels: structural. */
    compare_syn_values(b, a->params, c->params, m->nparams, a->n_syn, NO_BIND, (uint32_t)g);
    compare_syn_values(b, a->state, c->state, m->nstates, a->n_syn, RT_BIND_GROUP_STATE, (uint32_t)g);
}

static void compare_input(Binds *b, const NirInput *a, const NirInput *c, uint32_t i)
{
    if (a->kind != c->kind || a->pop != c->pop || a->n != c->n || a->ntimes != c->ntimes ||
        !same(a->from, c->from) || !same(a->until, c->until) || a->stream != c->stream ||
        !same(a->amplitude_end, c->amplitude_end) ||
        !same_mem(a->idx, c->idx, sizeof(uint32_t) * a->n) ||
        !same_mem(a->times, c->times, sizeof(double) * a->ntimes)) {
        b->structural = 1;
        return;
    }
    scalar(b, a->amplitude, c->amplitude, RT_BIND_INPUT_AMPLITUDE, i, 0);
    scalar(b, a->rate, c->rate, RT_BIND_INPUT_RATE, i, 0);
    scalar(b, a->w, c->w, RT_BIND_INPUT_W, i, 0);
    scalar(b, a->sd, c->sd, RT_BIND_INPUT_SD, i, 0);
}

static void compare(Binds *b, const Nir *x, const Nir *y)
{
    if (x->npops != y->npops || x->ngroups != y->ngroups || x->ninputs != y->ninputs ||
        x->nneuron_models != y->nneuron_models || x->nsyn_models != y->nsyn_models || !same(x->dt, y->dt)) {
        b->structural = 1;
        return;
    }
    for (int p = 0; p < x->npops && !b->structural; p++)
        compare_pop(b, x, y, p);
    for (int g = 0; g < x->ngroups && !b->structural; g++)
        compare_group(b, x, y, g);
    for (int i = 0; i < x->ninputs && !b->structural; i++)
        compare_input(b, &x->inputs[i], &y->inputs[i], (uint32_t)i);
    if (!nir_rewards_equal(x, y)) /* rewards fold parameters in: not bindable */
        b->structural = 1;
}

/* The network with parameter name set to value, built with diag silenced. */
static Nir *build_with(Program *prog, const NirOptions *opt, Diag *diag, const char *name, double value)
{
    NirDefine *defs = calloc((size_t)opt->ndefines + 1, sizeof *defs);
    FILE *null = fopen("/dev/null", "w");
    Nir *nir = NULL;
    if (defs && null) {
        int n = 0;
        for (int i = 0; i < opt->ndefines; i++)
            if (strcmp(opt->defines[i].name, name) != 0)
                defs[n++] = opt->defines[i];
        defs[n++] = (NirDefine){name, value};
        NirOptions o = *opt;
        o.defines = defs, o.ndefines = n;
        Diag saved = *diag;
        diag->out = null;
        nir = nir_build(prog, &o, diag);
        diag->out = saved.out, diag->nerrors = saved.nerrors;
        diag->nwarnings = saved.nwarnings, diag->suppressed = saved.suppressed;
    }
    if (null)
        fclose(null);
    free(defs);
    return nir;
}

/* Two values unlike v and each other (and not negative when v is not). */
static void perturbations(double v, double out[2])
{
    out[0] = v * 1.5 + 1.25;
    out[1] = v * 1.25 + 0.5;
    for (int k = 0; k < 2; k++)
        if (same(out[k], v))
            out[k] = v + 1 + k;
}

/* The bindings of parameter i, or structural. */
static void analyse_one(Program *prog, const NirOptions *opt, const Nir *base, Diag *diag, int i, Binds *out)
{
    double v = base->params[i].value, pv[2];
    perturbations(v, pv);
    Binds first = {0};
    for (int k = 0; k < 2; k++) {
        Nir *other = build_with(prog, opt, diag, base->params[i].name, pv[k]);
        Binds b = {NULL, 0, 0, other == NULL, v, pv[k]};
        if (other)
            compare(&b, base, other);
        nir_free(other);
        if (k == 1 && !b.structural &&
            (b.n != first.n || !same_mem(b.v, first.v, sizeof *b.v * b.n)))
            b.structural = 1;
        if (k == 0) {
            first = b;
            if (b.structural)
                break;
        } else {
            first.structural |= b.structural;
            free(b.v);
        }
    }
    *out = first;
}

int build_params_analyse(Program *prog, const NirOptions *opt, const Nir *base, Diag *diag,
                         const char *only, BuildParams *out)
{
    out->n = base->nparams;
    out->params = calloc((size_t)base->nparams + 1, sizeof *out->params);
    out->binds = calloc((size_t)base->nparams + 1, sizeof *out->binds);
    if (!out->params || !out->binds)
        return -1;
    for (int i = 0; i < base->nparams; i++) {
        Binds b = {NULL, 0, 0, 1, 0, 0};
        if (!only || strcmp(only, base->params[i].name) == 0)
            analyse_one(prog, opt, base, diag, i, &b);
        if (b.structural) {
            free(b.v);
            b.v = NULL, b.n = 0;
        }
        out->binds[i] = b.v;
        out->params[i] = (RtSpecParam){base->params[i].name, base->params[i].value, !b.structural, b.n, b.v};
    }
    return 0;
}

void build_params_free(BuildParams *bp)
{
    for (int i = 0; bp->binds && i < bp->n; i++)
        free(bp->binds[i]);
    free(bp->binds);
    free(bp->params);
    *bp = (BuildParams){0, NULL, NULL};
}

int build_params_materialise(Nir *base, const BuildParams *bp)
{
    for (int i = 0; i < bp->n; i++)
        for (uint32_t k = 0; k < bp->params[i].nbind; k++) {
            const RtParamBinding *x = &bp->params[i].bind[k];
            if (x->kind != RT_BIND_POP_PARAM || base->pops[x->index].params[x->slot].array)
                continue;
            NirPop *p = &base->pops[x->index];
            double *a = malloc(((size_t)p->size + 1) * sizeof *a);
            if (!a)
                return -1;
            for (uint32_t j = 0; j < p->size; j++)
                a[j] = p->params[x->slot].value;
            p->params[x->slot].array = a;
        }
    return 0;
}
