/* nir_build_group.c - edge lists to synapse groups, shared by connects,
 * per-instance projections and proximity wiring: groups keyed by (pre,
 * post) population while edges are made, then per group the CSR, the
 * per-synapse values of the synapse model's variables (a constant where all
 * are equal, else a float per synapse in CSR order), delays in ticks, and
 * the resolution of pre.X / post.X against the neuron models. */
#include "nir_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bytes a synapse may take while built: edge list (8), CSR column (4) and a
 * per-synapse weight (4). Used to refuse networks that cannot fit. */
#define NIR_BUILD_BYTES_PER_SYNAPSE 16.0

/* ---- group sets ----------------------------------------------------------- */

static uint64_t pair_hash(uint32_t pre, uint32_t post)
{
    uint64_t z = ((uint64_t)pre << 32 | post) * 0x9e3779b97f4a7c15ull;
    return z ^ (z >> 29);
}

static void groupset_rehash(GroupSet *s)
{
    free(s->slots);
    s->nslots = 16;
    while (s->nslots < 2 * s->n + 2)
        s->nslots *= 2;
    s->slots = calloc((size_t)s->nslots, sizeof *s->slots);
    for (int k = 0; k < s->n; k++) {
        size_t h = (size_t)pair_hash(s->g[k].pre, s->g[k].post) & (size_t)(s->nslots - 1);
        while (s->slots[h])
            h = (h + 1) & (size_t)(s->nslots - 1);
        s->slots[h] = k + 1;
    }
}

GroupBuild *nir_groupset_get(GroupSet *s, uint32_t pre, uint32_t post)
{
    if (s->last && s->g[s->last - 1].pre == pre && s->g[s->last - 1].post == post)
        return &s->g[s->last - 1];
    if (s->nslots) {
        size_t h = (size_t)pair_hash(pre, post) & (size_t)(s->nslots - 1);
        for (; s->slots[h]; h = (h + 1) & (size_t)(s->nslots - 1)) {
            GroupBuild *g = &s->g[s->slots[h] - 1];
            if (g->pre == pre && g->post == post) {
                s->last = s->slots[h];
                return g;
            }
        }
    }
    GroupBuild *g = NIR_PUSH(s->g, s->n, s->cap);
    g->pre = pre;
    g->post = post;
    if (2 * s->n + 2 > s->nslots)
        groupset_rehash(s);
    else {
        size_t h = (size_t)pair_hash(pre, post) & (size_t)(s->nslots - 1);
        while (s->slots[h])
            h = (h + 1) & (size_t)(s->nslots - 1);
        s->slots[h] = s->n;
    }
    s->last = s->n;
    return g;
}

void nir_groupset_free(GroupSet *s)
{
    for (int k = 0; k < s->n; k++) {
        br_edges_free(&s->g[k].edges);
        free(s->g[k].w);
    }
    free(s->g);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

/* Geometric growth: appending many small runs stays linear. */
int nir_edges_append(BrEdges *e, uint32_t pre, uint32_t post)
{
    if (e->n == e->cap) {
        size_t cap = e->cap < 1024 ? 1024 : e->cap + e->cap / 2;
        if (br_edges_reserve(e, cap))
            return -1;
    }
    e->pre[e->n] = pre;
    e->post[e->n++] = post;
    return 0;
}

int nir_check_memory(Builder *b, Loc loc, double expected)
{
    double need = expected * NIR_BUILD_BYTES_PER_SYNAPSE;
    uint64_t cap = b->opt->max_synapses;
    if (cap && expected > (double)cap) {
        diag_error(b->diag, loc, "this would make about %.3g synapses, more than the limit of %llu",
                   expected, (unsigned long long)cap);
        return -1;
    }
    if (need <= (double)b->phys_bytes && expected < 1.8e19)
        return 0;
    diag_error(b->diag, loc,
               "this would make about %.3g synapses (%.1f GiB to build), more than this machine's "
               "%.1f GiB of memory",
               expected, need / 1073741824.0, (double)b->phys_bytes / 1073741824.0);
    return -1;
}

/* ---- per-synapse values ------------------------------------------------------ */

static int all_equal_f(const float *a, uint64_t n)
{
    for (uint64_t k = 1; k < n; k++)
        if (memcmp(&a[k], &a[0], sizeof a[0]) != 0)
            return 0;
    return 1;
}

typedef struct ValueJob {
    const EvalCtx *proto;
    Expr *e;
    float *out;
    uint64_t base; /* ranges are relative to this synapse */
} ValueJob;

/* Synapses base+first .. base+last-1, with a private evaluation context. */
static int value_range(void *ctx, int part, uint64_t first, uint64_t last)
{
    ValueJob *j = ctx;
    EvalCtx ec = *j->proto;
    double tmp[NIR_EVAL_CHUNK];
    int rc = 0;
    (void)part;
    for (int k = 0; k < 4; k++) {
        ec.array_keys[k] = NULL;
        ec.array_vals[k] = NULL;
    }
    for (uint64_t k = j->base + first; k < j->base + last && rc == 0; k += NIR_EVAL_CHUNK) {
        uint64_t left = j->base + last - k;
        size_t len = left < NIR_EVAL_CHUNK ? (size_t)left : NIR_EVAL_CHUNK;
        rc = nir_ev_range(&ec, j->e, k, len, tmp);
        for (size_t i = 0; i < len && rc == 0; i++)
            j->out[k + i] = (float)tmp[i];
    }
    nir_ev_done(&ec);
    return rc;
}

/* Values of one variable for synapses 0..n-1 of a group (CSR order). The
 * first chunk runs alone, so an error in the expression is reported from
 * one thread; the rest is spread over the threads. */
static int syn_values(Builder *b, EvalCtx *ec, Expr *e, uint64_t n, NirSynValues *out)
{
    out->array = NULL;
    if (nir_ev_is_uniform(ec, e) || n <= 1)
        return nir_ev_range(ec, e, 0, 1, &out->value);
    float *a = malloc(n * sizeof *a);
    if (!a) {
        diag_error(b->diag, e->loc, "out of memory for %llu synapse values", (unsigned long long)n);
        return -1;
    }
    uint64_t head = n < NIR_EVAL_CHUNK ? n : NIR_EVAL_CHUNK;
    ValueJob job = {ec, e, a, 0};
    int rc = value_range(&job, 0, 0, head);
    job.base = head;
    if (rc == 0 && head < n)
        rc = nir_parallel_for(b->threads, n - head, 1u << 16, value_range, &job);
    if (rc == 0 && all_equal_f(a, n)) {
        out->value = a[0];
        free(a);
        return 0;
    }
    if (rc) {
        free(a);
        return -1;
    }
    out->array = a;
    b->nir->bytes += n * sizeof *a;
    return 0;
}

/* A per-edge array from the generator (proximity weights) in CSR order. */
static int permuted_values(Builder *b, const float *w, const uint64_t *perm, uint64_t n, NirSynValues *out)
{
    out->array = NULL;
    out->value = n ? w[perm[0]] : 0;
    if (n <= 1)
        return 0;
    float *a = malloc(n * sizeof *a);
    if (!a)
        return -1;
    for (uint64_t k = 0; k < n; k++)
        a[k] = w[perm[k]];
    if (all_equal_f(a, n)) {
        free(a);
        return 0;
    }
    out->array = a;
    b->nir->bytes += n * sizeof *a;
    return 0;
}

/* Parameters then states of the synapse model: the connect's argument
 * (the connect's scope), else the default (the model's scope). */
static int group_values(Builder *b, const ConnInfo *ci, NirGroup *g, const GroupBuild *gb,
                        const uint64_t *perm)
{
    const NirSynapseModel *sm = &b->nir->syn_models[g->model];
    Decl *d = ci->model_decl;
    /* the hidden "(pruned)" state of pruning models starts at 0 (calloc) */
    int nvars = sm->nparams + sm->nstates - (sm->pruned_state >= 0), rc = 0, k = 0;
    const char **names = calloc((size_t)nvars + 1, sizeof *names);
    Expr **args = calloc((size_t)nvars + 1, sizeof *args), **defs = calloc((size_t)nvars + 1, sizeof *defs);
    for (VarDecl *v = d->params; v; v = v->next, k++) {
        names[k] = v->name;
        defs[k] = v->value;
    }
    for (Member *m = d->members; m; m = m->next)
        for (VarDecl *v = m->kind == M_STATE ? m->vars : NULL; v; v = v->next, k++) {
            names[k] = v->name;
            defs[k] = v->value;
        }
    g->params = calloc((size_t)sm->nparams + 1, sizeof *g->params);
    g->state = calloc((size_t)sm->nstates + 1, sizeof *g->state);
    if (ci->args)
        rc = nir_ev_bind_args(b, ci->args, d->name, names, nvars, args);
    EvalCtx mc;
    nir_ev_init(&mc, b, NULL);
    mc.allow_dist = 1;
    mc.key = g->name;
    for (k = 0; k < nvars && rc == 0; k++) {
        NirSynValues *out = k < sm->nparams ? &g->params[k] : &g->state[k - sm->nparams];
        if (ci->weight_var && strcmp(names[k], ci->weight_var) == 0 && gb->w)
            rc = permuted_values(b, gb->w, perm, g->n_syn, out);
        else if (args[k]) {
            EvalCtx ec;
            nir_ev_init(&ec, b, ci->scope);
            ec.allow_dist = 1;
            ec.key = g->name;
            ec.purpose = names[k];
            rc = syn_values(b, &ec, args[k], g->n_syn, out);
        } else if (defs[k]) {
            mc.purpose = names[k];
            rc = syn_values(b, &mc, defs[k], g->n_syn, out);
        } else if (k >= sm->nparams) {
            diag_error(b->diag, ci->loc, "synapse `%s` needs a value for `%s` here, e.g. `%s(%s = 1)`",
                       d->name, names[k], d->name, names[k]);
            rc = -1;
        } else {
            diag_error(b->diag, ci->loc, "synapse `%s` needs a value for parameter `%s`", d->name, names[k]);
            rc = -1;
        }
        nir_ev_bind_syn(&mc, names[k], out);
    }
    free(names);
    free(args);
    free(defs);
    return rc;
}

/* Delays in ticks: a number, a range (uniform integer ms) or a distribution
 * of ms, rounded to ticks. A constant below one tick is an error; draws are
 * clamped to one tick, since any distribution could produce them. */
static int group_delays(Builder *b, const ConnInfo *ci, NirGroup *g)
{
    double dt = b->nir->dt;
    g->delay = 1;
    if (g->is_gap || !ci->delay)
        return 0;
    EvalCtx ec;
    nir_ev_init(&ec, b, ci->scope);
    ec.allow_dist = 1;
    ec.key = g->name;
    ec.purpose = "delay";
    if (nir_ev_is_uniform(&ec, ci->delay)) {
        double d;
        if (nir_ev_number(&ec, ci->delay, &d))
            return -1;
        double ticks = round(d / dt);
        if (!(ticks >= 1)) {
            diag_error(b->diag, ci->delay_loc, "delay %g ms is less than one tick (timestep %g ms)", d, dt);
            return -1;
        }
        if (ticks > UINT16_MAX) {
            diag_error(b->diag, ci->delay_loc, "delay %g ms is %.0f ticks, more than the limit of %d", d,
                       ticks, UINT16_MAX);
            return -1;
        }
        g->delay = (uint16_t)ticks;
        return 0;
    }
    uint64_t n = g->n_syn;
    uint16_t *a = malloc((n ? n : 1) * sizeof *a);
    double *tmp = malloc(NIR_EVAL_CHUNK * sizeof *tmp);
    int rc = a && tmp ? 0 : -1, same = 1;
    for (uint64_t k = 0; k < n && rc == 0; k += NIR_EVAL_CHUNK) {
        size_t len = n - k < NIR_EVAL_CHUNK ? (size_t)(n - k) : NIR_EVAL_CHUNK;
        rc = nir_ev_range(&ec, ci->delay, k, len, tmp);
        for (size_t j = 0; j < len && rc == 0; j++) {
            double ticks = round(tmp[j] / dt);
            if (ticks > UINT16_MAX) {
                diag_error(b->diag, ci->delay_loc, "a delay of %g ms is more than %d ticks", tmp[j],
                           UINT16_MAX);
                rc = -1;
            }
            a[k + j] = ticks >= 1 ? (uint16_t)ticks : 1;
            same = same && a[k + j] == a[0];
        }
    }
    free(tmp);
    if (rc || same || n == 0) {
        g->delay = rc || n == 0 ? 1 : a[0];
        free(a);
        return rc;
    }
    g->delays = a;
    g->delay = a[0];
    b->nir->bytes += n * sizeof *a;
    return 0;
}

/* ---- finishing ---------------------------------------------------------------- */

static const char *group_name(Builder *b, const ConnInfo *ci, const GroupBuild *gb, int ngroups)
{
    if (ngroups == 1)
        return ci->conn;
    return arena_printf(b->arena, "%s:%s->%s", ci->conn, b->nir->pops[gb->pre].path,
                        b->nir->pops[gb->post].path);
}

static int finish_group(Builder *b, const ConnInfo *ci, GroupBuild *gb, int ngroups)
{
    Nir *nir = b->nir;
    NirGroup g = {0};
    g.name = group_name(b, ci, gb, ngroups);
    g.conn = ci->conn;
    g.loc = ci->loc;
    g.origin = ci->origin;
    g.model = ci->model;
    g.pre = gb->pre;
    g.post = gb->post;
    g.is_gap = nir->syn_models[ci->model].is_gap;
    char err[256];
    uint32_t n_pre = nir->pops[gb->pre].size, n_post = nir->pops[gb->post].size;
    BrCsr csr = {0};
    if (gb->w) {
        /* values made with the edges need the permutation to CSR order */
        if (br_csr_from_edges(&gb->edges, n_pre, n_post, &csr, 1, err, sizeof err)) {
            diag_error(b->diag, ci->loc, "%s", err);
            return -1;
        }
        br_edges_free(&gb->edges);
    } else {
        csr.n_syn = gb->edges.n;
        if (nir_csr_build(&gb->edges, n_pre, n_post, &csr.row_ptr, &csr.col, err, sizeof err)) {
            diag_error(b->diag, ci->loc, "%s", err);
            return -1;
        }
    }
    g.row_ptr = csr.row_ptr;
    g.col = csr.col;
    g.n_syn = csr.n_syn;
    nir->bytes += ((size_t)n_pre + 1) * sizeof *csr.row_ptr + csr.n_syn * sizeof *csr.col;
    int rc = nir_resolve_refs(b, &g, ci->loc);
    if (rc == 0)
        rc = group_values(b, ci, &g, gb, csr.perm);
    if (rc == 0)
        rc = group_delays(b, ci, &g);
    free(csr.perm);
    *NIR_PUSH(nir->groups, nir->ngroups, b->capgroups) = g;
    return rc;
}

int nir_finish_groups(Builder *b, const ConnInfo *ci, GroupSet *gs)
{
    int rc = 0;
    for (int k = 0; k < gs->n && rc == 0; k++)
        rc = finish_group(b, ci, &gs->g[k], gs->n);
    return rc;
}
