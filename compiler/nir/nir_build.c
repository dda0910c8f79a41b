/* nir_build.c - elaboration entry point: picks the brain, settles its
 * parameters (defaults, then the preset, then -D), timestep and layout, then
 * runs the passes of nir_internal.h. Also the small shared helpers: growable
 * arrays, scopes, connection names, and nir_free. */
#include "nir_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------- */

/* Grows an array to hold `need` elements; new elements are zeroed. */
void *nir_grow(void *p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return p;
    int ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    char *q = realloc(p, (size_t)ncap * elem);
    if (!q) {
        fprintf(stderr, "brainc: out of memory\n");
        abort();
    }
    memset(q + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    *cap = ncap;
    return q;
}

int nir_failed(Builder *b) { return b->diag->nerrors > b->nerrors0; }

Decl *nir_find_decl_kind(Builder *b, const char *name, DeclKind kind)
{
    Decl *d = program_find_decl(b->prog, name);
    return d && d->kind == kind ? d : NULL;
}

const char *nir_str(Builder *b, const char *s) { return s ? arena_strdup(b->arena, s) : NULL; }

/* base, or base#2, base#3... : names of connections are keys of their
 * random streams, so they depend only on the connection itself and on
 * earlier connections with the same name. */
const char *nir_unique_conn_name(Builder *b, const char *base)
{
    const char *name = base;
    for (int k = 2;; k++) {
        int taken = 0;
        for (int i = 0; i < b->nconn_names && !taken; i++)
            taken = strcmp(b->conn_names[i], name) == 0;
        if (!taken)
            break;
        name = arena_printf(b->arena, "%s#%d", base, k);
    }
    if (name == base)
        name = nir_str(b, base);
    *NIR_PUSH(b->conn_names, b->nconn_names, b->capconn_names) = name;
    return name;
}

Scope *nir_scope_new(Builder *b, Scope *parent)
{
    Scope *s = ARENA_NEW(&b->tmp, Scope);
    s->parent = parent;
    return s;
}

void nir_scope_set(Builder *b, Scope *s, const char *name, double value)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0) {
            s->values[i] = value;
            return;
        }
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        const char **names = ARENA_ARRAY(&b->tmp, const char *, cap);
        double *values = ARENA_ARRAY(&b->tmp, double, cap);
        if (s->n) {
            memcpy(names, s->names, sizeof *names * (size_t)s->n);
            memcpy(values, s->values, sizeof *values * (size_t)s->n);
        }
        s->names = names;
        s->values = values;
        s->cap = cap;
    }
    s->names[s->n] = name;
    s->values[s->n++] = value;
}

int nir_scope_get(const Scope *s, const char *name, double *value)
{
    for (; s; s = s->parent)
        for (int i = 0; i < s->n; i++)
            if (strcmp(s->names[i], name) == 0) {
                *value = s->values[i];
                return 1;
            }
    return 0;
}

uint64_t nir_stream(const char *name, const char *purpose, uint64_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *p = name; p && *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    h = (h ^ '/') * 0x100000001b3ull;
    for (const char *p = purpose; p && *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    /* splitmix64 finaliser over h + n: nearby n give unrelated streams */
    uint64_t z = h + (n + 1) * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- the brain and its parameters -------------------------------------- */

static Decl *choose_brain(Builder *b)
{
    const char *want = b->opt->brain;
    if (want) {
        Decl *d = nir_find_decl_kind(b, want, D_BRAIN);
        if (!d)
            diag_error(b->diag, loc_none(), "no brain named `%s`", want);
        return d;
    }
    Decl *last = NULL;
    if (b->prog->main)
        for (Decl *d = b->prog->main->decls; d; d = d->next)
            if (d->kind == D_BRAIN)
                last = d;
    if (!last)
        diag_error(b->diag, loc_none(), "the program declares no brain");
    return last;
}

static Member *find_preset(Decl *brain, const char *name)
{
    for (Member *m = brain->members; m; m = m->next)
        if (m->kind == M_PRESET && m->name && strcmp(m->name, name) == 0)
            return m;
    return NULL;
}

static void report_unknown_preset(Builder *b, Decl *brain, const char *name)
{
    const char *names[64];
    int n = 0;
    for (Member *m = brain->members; m && n < 64; m = m->next)
        if (m->kind == M_PRESET && m->name)
            names[n++] = m->name;
    const char *hint = diag_suggest(name, names, n);
    if (hint)
        diag_error(b->diag, loc_none(), "brain `%s` has no preset `%s`; did you mean `%s`?", brain->name,
                   name, hint);
    else
        diag_error(b->diag, loc_none(), "brain `%s` has no preset `%s`", brain->name, name);
}

static void check_defines(Builder *b, Decl *brain)
{
    const char *names[256];
    int n = 0;
    for (VarDecl *p = brain->params; p && n < 256; p = p->next)
        names[n++] = p->name;
    for (int i = 0; i < b->opt->ndefines; i++) {
        const char *d = b->opt->defines[i].name;
        int found = 0;
        for (int k = 0; k < n && !found; k++)
            found = strcmp(names[k], d) == 0;
        if (found)
            continue;
        const char *hint = diag_suggest(d, names, n);
        if (hint)
            diag_error(b->diag, loc_none(), "-D %s: brain `%s` has no parameter `%s`; did you mean `%s`?", d,
                       brain->name, d, hint);
        else
            diag_error(b->diag, loc_none(), "-D %s: brain `%s` has no parameter `%s`", d, brain->name, d);
    }
}

/* Settings of a preset that name no parameter are errors at the setting. */
static void check_preset(Builder *b, Decl *brain, Member *preset)
{
    for (VarDecl *v = preset->vars; v; v = v->next) {
        int found = 0;
        for (VarDecl *p = brain->params; p && !found; p = p->next)
            found = strcmp(p->name, v->name) == 0;
        if (!found)
            diag_error(b->diag, v->loc, "preset `%s` sets `%s`, which is not a parameter of brain `%s`",
                       preset->name, v->name, brain->name);
    }
}

static const NirDefine *find_define(Builder *b, const char *name)
{
    const NirDefine *hit = NULL; /* the last -D of a name wins */
    for (int i = 0; i < b->opt->ndefines; i++)
        if (strcmp(b->opt->defines[i].name, name) == 0)
            hit = &b->opt->defines[i];
    return hit;
}

static VarDecl *preset_setting(Member *preset, const char *name)
{
    VarDecl *hit = NULL;
    for (VarDecl *v = preset ? preset->vars : NULL; v; v = v->next)
        if (strcmp(v->name, name) == 0)
            hit = v;
    return hit;
}

/* Parameters in order, each from -D, else the preset, else its default; a
 * default or preset value sees the final values of earlier parameters, so
 * derived defaults follow overrides. */
static Scope *brain_params(Builder *b, Decl *brain)
{
    Member *preset = NULL;
    if (b->opt->preset) {
        preset = find_preset(brain, b->opt->preset);
        if (!preset)
            report_unknown_preset(b, brain, b->opt->preset);
        else
            check_preset(b, brain, preset);
    }
    check_defines(b, brain);
    Scope *s = nir_scope_new(b, NULL);
    for (VarDecl *p = brain->params; p; p = p->next) {
        const NirDefine *d = find_define(b, p->name);
        VarDecl *set = preset_setting(preset, p->name);
        Expr *e = set ? set->value : p->value;
        double v = 0;
        if (d) {
            v = d->value;
        } else if (e) {
            EvalCtx ec;
            nir_ev_init(&ec, b, s);
            nir_ev_number(&ec, e, &v);
        } else {
            diag_error(b->diag, p->loc, "brain parameter `%s` has no value; give it a default or -D %s=...",
                       p->name, p->name);
        }
        nir_scope_set(b, s, p->name, v);
    }
    return s;
}

static void record_params(Builder *b, Scope *s)
{
    Nir *nir = b->nir;
    nir->nparams = s->n;
    nir->params = ARENA_ARRAY(b->arena, NirParam, s->n ? s->n : 1);
    for (int i = 0; i < s->n; i++) {
        nir->params[i].name = nir_str(b, s->names[i]);
        nir->params[i].value = s->values[i];
    }
}

static Member *find_member(Decl *d, MemberKind kind)
{
    Member *hit = NULL;
    for (Member *m = d->members; m; m = m->next)
        if (m->kind == kind)
            hit = m;
    return hit;
}

static void brain_timestep(Builder *b, Decl *brain, Scope *s)
{
    b->nir->dt = 1.0;
    Member *m = find_member(brain, M_TIMESTEP);
    if (!m)
        return;
    EvalCtx ec;
    nir_ev_init(&ec, b, s);
    double dt = 1.0;
    if (nir_ev_number(&ec, m->expr, &dt) == 0 && !(dt > 0 && isfinite(dt)))
        diag_error(b->diag, m->expr->loc, "timestep must be a positive number of ms, not %g", dt);
    else
        b->nir->dt = dt;
}

/* `layout grid(spacing = 12, layer_spacing = 50)`: inner-models-v8 placement. */
static void brain_layout(Builder *b, Decl *brain, Scope *s)
{
    b->spacing = 12.0;
    b->layer_spacing = 50.0;
    Member *m = find_member(brain, M_LAYOUT);
    if (!m)
        return;
    if (strcmp(m->model, "grid") != 0) {
        diag_error(b->diag, m->model_loc, "unknown layout `%s`; the only layout is `grid`", m->model);
        return;
    }
    EvalCtx ec;
    nir_ev_init(&ec, b, s);
    for (Arg *a = m->args; a; a = a->next) {
        double v = 0;
        if (nir_ev_number(&ec, a->value, &v))
            continue;
        if (a->name && strcmp(a->name, "spacing") == 0)
            b->spacing = v;
        else if (a->name && strcmp(a->name, "layer_spacing") == 0)
            b->layer_spacing = v;
        else
            diag_error(b->diag, a->loc, "layout grid takes `spacing` and `layer_spacing`");
    }
}

static uint64_t physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : (uint64_t)16 << 30;
}

static void count_totals(Nir *nir)
{
    nir->n_neurons = 0;
    for (int i = 0; i < nir->npops; i++) {
        nir->pops[i].first = (uint32_t)nir->n_neurons;
        nir->n_neurons += nir->pops[i].size;
    }
    nir->n_synapses = 0;
    for (int i = 0; i < nir->ngroups; i++)
        nir->n_synapses += nir->groups[i].n_syn;
}

static void free_builder(Builder *b)
{
    free(b->nmodel_decls);
    free(b->smodel_decls);
    free(b->set_ctx);
    free(b->conn_names);
    arena_free(&b->tmp);
}

Nir *nir_build(Program *prog, const NirOptions *opt, Diag *diag)
{
    NirOptions none = {0};
    Nir *nir = calloc(1, sizeof *nir);
    if (!nir)
        return NULL;
    arena_init(&nir->arena);
    Builder b = {0};
    b.nir = nir;
    b.prog = prog;
    b.diag = diag;
    b.opt = opt ? opt : &none;
    b.arena = &nir->arena;
    arena_init(&b.tmp);
    b.nerrors0 = diag->nerrors;
    b.phys_bytes = physical_memory();
    b.threads = nir_thread_count(b.opt);
    nir->seed = b.opt->seed;
    nir->fast_math = b.opt->fast_math;
    Decl *brain = choose_brain(&b);
    if (brain) {
        nir->brain = nir_str(&b, brain->name);
        nir->preset = b.opt->preset ? arena_strdup(b.arena, b.opt->preset) : NULL;
        Scope *params = brain_params(&b, brain);
        record_params(&b, params);
        brain_timestep(&b, brain, params);
        brain_layout(&b, brain, params);
        if (!nir_failed(&b))
            b.root = nir_build_bodies(&b, brain, params);
        if (!nir_failed(&b))
            nir_build_terminals(&b, b.root);
        if (!nir_failed(&b))
            nir_build_wiring(&b, b.root);
        if (!nir_failed(&b))
            nir_build_io(&b, b.root);
        if (!nir_failed(&b))
            nir_build_rewards(&b, b.root);
    }
    int failed = nir_failed(&b) || !brain;
    free_builder(&b);
    if (failed) {
        nir_free(nir);
        return NULL;
    }
    count_totals(nir);
    return nir;
}

/* ---- freeing and lookups ---------------------------------------------- */

static void free_pop(NirPop *p, const NirNeuronModel *m)
{
    for (int k = 0; p->params && k < m->nparams; k++)
        free(p->params[k].array);
    for (int k = 0; p->state && k < m->nstates; k++)
        free(p->state[k].array);
    for (int k = 0; k < 3; k++)
        free(p->pos[k].array);
    free(p->params);
    free(p->state);
}

static void free_group(NirGroup *g, const NirSynapseModel *m)
{
    free(g->row_ptr);
    free(g->col);
    free(g->delays);
    for (int k = 0; g->params && k < m->nparams; k++)
        free(g->params[k].array);
    for (int k = 0; g->state && k < m->nstates; k++)
        free(g->state[k].array);
    free(g->params);
    free(g->state);
}

static void free_set(NirInstSet *s)
{
    for (int k = 0; k < 3; k++)
        free(s->anchor[k]);
    for (int t = 0; t < s->nterms; t++) {
        free(s->terms[t].pop);
        free(s->terms[t].offset);
    }
    free(s->terms);
}

void nir_free(Nir *nir)
{
    if (!nir)
        return;
    for (int i = 0; i < nir->npops; i++)
        free_pop(&nir->pops[i], &nir->neuron_models[nir->pops[i].model]);
    for (int i = 0; i < nir->ngroups; i++)
        free_group(&nir->groups[i], &nir->syn_models[nir->groups[i].model]);
    for (int i = 0; i < nir->nsets; i++)
        free_set(&nir->sets[i]);
    for (int i = 0; i < nir->ninputs; i++) {
        free(nir->inputs[i].idx);
        free(nir->inputs[i].times);
    }
    for (int i = 0; i < nir->nrecords; i++)
        free(nir->records[i].idx);
    for (int i = 0; i < nir->nobserves; i++)
        free(nir->observes[i].idx);
    free(nir->observes);
    free(nir->rewards);
    free(nir->neuron_models);
    free(nir->syn_models);
    free(nir->pops);
    free(nir->sets);
    free(nir->groups);
    free(nir->inputs);
    free(nir->records);
    arena_free(&nir->arena);
    free(nir);
}

static int find_name(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int nir_find_pop(const Nir *nir, const char *path)
{
    for (int i = 0; i < nir->npops; i++)
        if (strcmp(nir->pops[i].path, path) == 0)
            return i;
    return -1;
}

int nir_find_group(const Nir *nir, const char *name)
{
    for (int i = 0; i < nir->ngroups; i++)
        if (strcmp(nir->groups[i].name, name) == 0)
            return i;
    return -1;
}

int nir_model_param(const NirNeuronModel *m, const char *name)
{
    return find_name(m->params, m->nparams, name);
}
int nir_model_state(const NirNeuronModel *m, const char *name)
{
    return find_name(m->states, m->nstates, name);
}
int nir_syn_state(const NirSynapseModel *m, const char *name)
{
    return find_name(m->states, m->nstates, name);
}
int nir_syn_param(const NirSynapseModel *m, const char *name)
{
    return find_name(m->params, m->nparams, name);
}
