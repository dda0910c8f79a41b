/* rt_brain_build.c - a brain's synapse groups and stimuli: per-synapse
 * arrays (widened to double), the incoming-synapse (CSC) index of groups
 * with `on post`, the delivery rings of post populations, and the
 * runtime objects of stimuli. */
#include "rt_brain_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static RtStatus nomem(RtError *err, const char *what)
{
    return rt_error_set(err, RT_ERR_NOMEM, "out of memory for %s", what);
}

/* Widened copy of a per-synapse float array, or the uniform value. */
static double *syn_array(RtAllocator *a, uint64_t n, const float *init, double value)
{
    double *x = rt_alloc_array(a, (size_t)n + 1, sizeof(double));
    if (x)
        for (uint64_t k = 0; k < n; k++)
            x[k] = init ? (double)init[k] : value;
    return x;
}

static uint16_t max_delay(const RtGroupSpec *gs)
{
    if (!gs->delays)
        return gs->delay;
    uint16_t d = 0;
    for (uint64_t k = 0; k < gs->n_syn; k++)
        d = gs->delays[k] > d ? gs->delays[k] : d;
    return d;
}

/* Incoming synapses of each post neuron, in ascending synapse id. */
static RtStatus build_csc(RtBrain *b, RtGroup *g, const RtGroupSpec *gs, RtError *err)
{
    RtAllocator *a = &b->alloc;
    uint32_t n_post = b->pops[gs->post].size;
    uint64_t *ptr = rt_alloc_array(a, (size_t)n_post + 1, sizeof(uint64_t));
    uint64_t *syn = rt_alloc_array(a, (size_t)gs->n_syn + 1, sizeof(uint64_t));
    uint32_t *pre = rt_alloc_array(a, (size_t)gs->n_syn + 1, sizeof(uint32_t));
    uint64_t *fill = rt_alloc_array(a, (size_t)n_post + 1, sizeof(uint64_t));
    g->s.csc_ptr = ptr, g->s.csc_syn = syn, g->s.csc_pre = pre;
    if (!ptr || !syn || !pre || !fill) {
        rt_free(a, fill);
        return nomem(err, gs->name);
    }
    for (uint64_t k = 0; k < gs->n_syn; k++)
        ptr[gs->col[k] + 1]++;
    for (uint32_t j = 0; j < n_post; j++)
        ptr[j + 1] += ptr[j];
    memcpy(fill, ptr, sizeof(uint64_t) * n_post);
    for (uint32_t i = 0; i < g->n_pre; i++)
        for (uint64_t k = gs->row_ptr[i]; k < gs->row_ptr[i + 1]; k++) {
            uint64_t e = fill[gs->col[k]]++;
            syn[e] = k;
            pre[e] = i;
        }
    rt_free(a, fill);
    return RT_OK;
}

/* The neuron array a ref names. */
static double *ref_array(RtPop *p, const RtRefSpec *r)
{
    switch (r->kind) {
    case RT_REF_STATE: return r->slot < p->nstates ? p->s.state[r->slot] : NULL;
    case RT_REF_INPUT: return r->slot < p->ninputs ? p->s.input[r->slot] : NULL;
    case RT_REF_PARAM: return r->slot < p->nparams ? p->s.param[r->slot] : NULL;
    }
    return NULL;
}

/* Index of the ring of a delivered ref in its population's ring table. */
static int ring_var(const RtPop *p, const RtRefSpec *r)
{
    return r->kind == RT_REF_INPUT ? r->slot : p->ninputs + r->slot;
}

/* The group's CSR rows, columns and per-synapse delays: copied, or used in
 * place when the spec lends them. */
static RtStatus build_connectivity(RtBrain *b, RtGroup *g, const RtGroupSpec *gs, int borrow,
                                   RtError *err)
{
    RtAllocator *a = &b->alloc;
    g->borrowed = borrow;
    if (borrow) {
        g->s.row_ptr = gs->row_ptr, g->s.col = gs->col, g->s.delay = gs->delays;
        return RT_OK;
    }
    uint64_t *row = rt_alloc_array(a, (size_t)g->n_pre + 1, sizeof(uint64_t));
    uint32_t *col = rt_alloc_array(a, (size_t)gs->n_syn + 1, sizeof(uint32_t));
    g->s.row_ptr = row, g->s.col = col;
    if (!row || !col)
        return nomem(err, gs->name);
    memcpy(row, gs->row_ptr, sizeof(uint64_t) * ((size_t)g->n_pre + 1));
    memcpy(col, gs->col, sizeof(uint32_t) * gs->n_syn);
    if (gs->delays) {
        uint16_t *d = rt_alloc_array(a, (size_t)gs->n_syn + 1, sizeof(uint16_t));
        if (!(g->s.delay = d))
            return nomem(err, gs->name);
        memcpy(d, gs->delays, sizeof(uint16_t) * gs->n_syn);
    }
    return RT_OK;
}

static RtStatus build_group(RtBrain *b, RtGroup *g, const RtGroupSpec *gs, int borrow, RtError *err)
{
    RtAllocator *a = &b->alloc;
    g->pre = gs->pre, g->post = gs->post, g->n_pre = b->pops[gs->pre].size;
    g->nstates = gs->nstates, g->nparams = gs->nparams, g->nrefs = gs->nrefs;
    g->on_pre = gs->on_pre, g->on_post = gs->on_post, g->on_tick = gs->on_tick;
    g->on_reward = gs->on_reward, g->gap = gs->gap;
    g->post_parallel = gs->post_parallel;
    g->s.seed = b->seed;
    g->s.stream = rt_random_stream(gs->name, ((uint64_t)1 << 32) + (uint64_t)(g - b->groups));
    size_t name_len = strlen(gs->name ? gs->name : "");
    if (!(g->name = rt_alloc(a, name_len + 1)))
        return nomem(err, "a group name");
    memcpy(g->name, gs->name ? gs->name : "", name_len);
    RtStatus st = build_connectivity(b, g, gs, borrow, err);
    if (st)
        return st;
    g->s.state = rt_alloc_array(a, (size_t)gs->nstates + 1, sizeof(double *));
    g->s.param = rt_alloc_array(a, (size_t)gs->nparams + 1, sizeof(double *));
    g->s.ref = rt_alloc_array(a, (size_t)gs->nrefs + 1, sizeof(double *));
    g->s.ring = rt_alloc_array(a, (size_t)gs->nrefs + 1, sizeof(double *));
    if (!g->s.state || !g->s.param || !g->s.ref || !g->s.ring)
        return nomem(err, gs->name);
    g->s.n_post = b->pops[gs->post].size;
    if (gs->state_side) {
        if (!(g->side = rt_alloc_array(a, (size_t)gs->nstates + 1, 1)))
            return nomem(err, gs->name);
        memcpy(g->side, gs->state_side, (size_t)gs->nstates);
    }
    for (int j = 0; j < gs->nstates; j++) {
        int side = g->side ? g->side[j] : RT_SIDE_SYNAPSE;
        if (side != RT_SIDE_SYNAPSE && ((gs->state_init && gs->state_init[j]) || side > RT_SIDE_POST ||
                                        j + 1 == gs->prune_flag))
            return rt_error_set(err, RT_ERR_ARG, "group %s: state %d cannot be kept per neuron", gs->name, j);
        uint64_t n = side == RT_SIDE_PRE ? g->n_pre : side == RT_SIDE_POST ? g->s.n_post : gs->n_syn;
        if (!(g->s.state[j] = syn_array(a, n, side ? NULL : gs->state_init ? gs->state_init[j] : NULL,
                                        gs->state_value[j])))
            return nomem(err, gs->name);
    }
    for (int j = 0; j < gs->nparams; j++)
        if (gs->param && gs->param[j] && !(g->s.param[j] = syn_array(a, gs->n_syn, gs->param[j], 0)))
            return nomem(err, gs->name);
    for (int r = 0; r < gs->nrefs; r++)
        g->s.ref[r] = ref_array(&b->pops[gs->refs[r].post_side ? gs->post : gs->pre], &gs->refs[r]);
    if (gs->prune_flag > 0 && gs->prune_flag <= gs->nstates) {
        g->prune_flag = gs->prune_flag;
        g->s.npruned = &g->npruned;
        g->nlive = gs->n_syn; /* until the first compaction (rt_compact.c) */
    }
    return gs->on_post ? build_csc(b, g, gs, err) : RT_OK;
}

/* Ring lengths first (the longest delay into each population), then the
 * rings of every delivered variable, then the groups' pointers to them.
 * The slot of tick t is drained (step 1, in the neuron kernel) before any
 * delivery of tick t (steps 5-8, delays >= 1 tick), so a delivery over the
 * longest delay D can reuse it: D slots suffice, not D + 1. */
static RtStatus build_rings(RtBrain *b, const RtBrainSpec *spec, RtError *err)
{
    for (uint32_t p = 0; p < b->npops; p++)
        b->pops[p].ring_len = 1;
    for (uint32_t g = 0; g < spec->ngroups; g++) {
        RtPop *post = &b->pops[spec->groups[g].post];
        uint32_t d = (uint32_t)max_delay(&spec->groups[g]);
        post->ring_len = d > post->ring_len ? d : post->ring_len;
    }
    for (uint32_t p = 0; p < b->npops; p++) {
        RtPop *pop = &b->pops[p];
        pop->ks.slot = rt_alloc_array(&b->alloc, (size_t)(pop->ninputs + pop->nstates) + 1, sizeof(double *));
        if (!pop->ks.slot)
            return nomem(err, "delivery rings");
    }
    for (uint32_t g = 0; g < spec->ngroups; g++) {
        const RtGroupSpec *gs = &spec->groups[g];
        RtPop *post = &b->pops[gs->post];
        if (gs->gap) {
            b->pops[gs->pre].predrain |= RT_PREDRAIN_ALL;
            post->predrain |= RT_PREDRAIN_ALL;
        }
        for (int r = 0; r < gs->nrefs; r++) {
            const RtRefSpec *ref = &gs->refs[r];
            if (!ref->delivered || !ref->post_side || ref->kind == RT_REF_PARAM)
                continue;
            double **ring = &post->ring[ring_var(post, ref)];
            if (!*ring && !(*ring = rt_alloc_array(&b->alloc, (size_t)post->ring_len * post->size + 1,
                                                   sizeof(double))))
                return nomem(err, "delivery rings");
            b->groups[g].s.ring[r] = *ring;
        }
        b->groups[g].s.ring_len = post->ring_len;
        b->groups[g].s.ring_now = &post->ring_now;
    }
    return RT_OK;
}

/* A neuron has synapses in group g on this side: a CSR row (side 0) or a
 * CSC column (side 1) as built. Compaction only ever shrinks what a kernel
 * walks, so a list made from these stays a superset. */
static int has_synapses(const RtGroup *g, int side, uint32_t n)
{
    const uint64_t *ptr = side == 0 ? g->s.row_ptr : g->s.csc_ptr;
    return ptr[n + 1] > ptr[n];
}

/* The groups in which each neuron has synapses (RtBrain.neuron_handlers):
 * per spike, only those handlers run. In imported recipes most groups of a
 * population reach a few of its neurons, and calling the others' kernels
 * on empty rows cost more than the synapses themselves. A handler with no
 * synapse to run on changes nothing observable (states kept per neuron,
 * such as shared traces, are seen only through synapses). */
static RtStatus build_neuron_handler_lists(RtBrain *b, int side, RtError *err)
{
    const uint32_t *start = b->handler_start[side], *list = b->handlers[side];
    uint64_t nslots = b->pop_first[b->npops];
    uint64_t *first = rt_alloc_array(&b->alloc, nslots + 1, sizeof *first);
    if (!(b->neuron_handler_start[side] = first))
        return nomem(err, "spike handler lists");
    for (int fill = 0; fill < 2; fill++) {
        uint32_t *out = b->neuron_handlers[side];
        uint64_t k = 0;
        for (uint32_t p = 0; p < b->npops; p++) {
            uint64_t base = b->pop_first[p];
            for (uint64_t i = 0; i < b->pop_first[p + 1] - base; i++) {
                first[base + i] = k;
                for (uint32_t q = start[p]; i < b->pops[p].size && q < start[p + 1]; q++)
                    if (has_synapses(&b->groups[list[q]], side, (uint32_t)i)) {
                        if (fill)
                            out[k] = list[q];
                        k++;
                    }
            }
        }
        first[nslots] = k;
        if (!fill && !(b->neuron_handlers[side] = rt_alloc_array(&b->alloc, k + 1, sizeof(uint32_t))))
            return nomem(err, "spike handler lists");
    }
    return RT_OK;
}

/* Which groups a spike of each population runs (RtBrain.handlers): a brain
 * with hundreds of groups (an imported recipe) would otherwise test every
 * group for every spike. */
static RtStatus build_handler_lists(RtBrain *b, RtError *err)
{
    for (int side = 0; side < 2; side++) {
        uint32_t *start = rt_alloc_array(&b->alloc, (size_t)b->npops + 1, sizeof *start);
        uint32_t *list = rt_alloc_array(&b->alloc, (size_t)b->ngroups + 1, sizeof *list);
        b->handler_start[side] = start, b->handlers[side] = list;
        if (!start || !list)
            return nomem(err, "spike handler lists");
        uint32_t k = 0;
        for (uint32_t p = 0; p < b->npops; p++) {
            start[p] = k;
            for (uint32_t i = 0; i < b->ngroups; i++) {
                const RtGroup *g = &b->groups[i];
                if (side == 0 ? g->pre == p && g->on_pre : g->post == p && g->on_post)
                    list[k++] = i;
            }
        }
        start[b->npops] = k;
    }
    for (int side = 0; side < 2; side++) {
        RtStatus st = build_neuron_handler_lists(b, side, err);
        if (st)
            return st;
    }
    b->post_parallel = 1;
    for (uint32_t i = 0; i < b->ngroups; i++)
        b->post_parallel &= !b->groups[i].on_post || b->groups[i].post_parallel;
    if (!(b->post_first = rt_alloc_array(&b->alloc, (size_t)b->npops + 1, sizeof(uint64_t))))
        return nomem(err, "spike handler lists");
    for (int pass = 0; pass < RT_PASSES; pass++) {
        uint32_t *list = rt_alloc_array(&b->alloc, (size_t)b->ngroups + 1, sizeof *list), k = 0;
        if (!(b->pass[pass] = list))
            return nomem(err, "group lists");
        for (uint32_t i = 0; i < b->ngroups; i++) {
            const RtGroup *g = &b->groups[i];
            if (pass == RT_PASS_GAP ? g->gap != NULL : pass == RT_PASS_TICK ? g->on_tick != NULL : g->prune_flag)
                list[k++] = i;
        }
        b->npass[pass] = k;
    }
    return RT_OK;
}

RtStatus rt_brain_build_groups(RtBrain *b, const RtBrainSpec *spec, RtError *err)
{
    b->ngroups = spec->ngroups;
    if (!(b->groups = rt_alloc_array(&b->alloc, (size_t)spec->ngroups + 1, sizeof(RtGroup))))
        return nomem(err, "synapse groups");
    for (uint32_t g = 0; g < spec->ngroups; g++) {
        RtStatus st = build_group(b, &b->groups[g], &spec->groups[g], spec->borrow_connectivity, err);
        if (st)
            return st;
    }
    RtStatus st = build_handler_lists(b, err);
    return st ? st : build_rings(b, spec, err);
}

void rt_brain_free_groups(RtBrain *b)
{
    RtAllocator *a = &b->alloc;
    for (int side = 0; side < 2; side++) {
        rt_free(a, b->handler_start[side]);
        rt_free(a, b->handlers[side]);
        rt_free(a, b->neuron_handler_start[side]);
        rt_free(a, b->neuron_handlers[side]);
    }
    for (int pass = 0; pass < RT_PASSES; pass++)
        rt_free(a, b->pass[pass]);
    rt_free(a, b->post_first);
    for (uint32_t i = 0; b->groups && i < b->ngroups; i++) {
        RtGroup *g = &b->groups[i];
        rt_group_compact_free(a, g); /* s.col, s.delay: the built ones again */
        for (int j = 0; g->s.state && j < g->nstates; j++)
            rt_free(a, g->s.state[j]);
        for (int j = 0; g->s.param && j < g->nparams; j++)
            rt_free(a, g->s.param[j]);
        rt_free(a, g->name);
        rt_free(a, g->side);
        for (int j = 0; g->view && j < g->nstates; j++)
            free(g->view[j]);
        free(g->view);
        rt_free(a, g->s.state);
        rt_free(a, g->s.param);
        rt_free(a, g->s.ref);
        rt_free(a, g->s.ring);   /* the rings themselves belong to the populations */
        if (!g->borrowed) {
            rt_free(a, (void *)g->s.row_ptr);
            rt_free(a, (void *)g->s.col);
            rt_free(a, (void *)g->s.delay);
        }
        rt_free(a, (void *)g->s.csc_ptr);
        rt_free(a, (void *)g->s.csc_syn);
        rt_free(a, (void *)g->s.csc_pre);
    }
    rt_free(a, b->groups);
    b->groups = NULL;
    for (uint32_t p = 0; b->pops && p < b->npops; p++) {
        rt_free(a, b->pops[p].ks.slot);
        b->pops[p].ks.slot = NULL;
    }
}

/* ---- stimuli -------------------------------------------------------------- */

/* First tick at or after ms (with slack for ms that are whole ticks in
 * decimal but not in binary, e.g. 0.3 / 0.1). */
static uint64_t tick_at(double ms, double dt)
{
    if (isinf(ms))
        return RT_TICK_FOREVER;
    double t = ceil(ms / dt - 1e-9);
    return t <= 0 ? 0 : (uint64_t)t;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;
    return a < c ? -1 : a > c;
}

static RtStatus build_input(RtBrain *b, RtInput *in, const RtInputSpec *is, RtError *err)
{
    RtAllocator *a = &b->alloc;
    in->kind = is->kind, in->pop = is->pop, in->w = is->w;
    in->n = is->idx ? is->n : b->pops[is->pop].size;
    in->current = (RtCurrent){is->amplitude, tick_at(is->from_ms, b->dt), tick_at(is->until_ms, b->dt)};
    in->amplitude_end = is->amplitude_end;
    if (is->kind == RT_INPUT_RAMP && (!isfinite(is->until_ms) || is->until_ms <= is->from_ms))
        return rt_error_set(err, RT_ERR_ARG, "a ramp stimulus needs an end after its start");
    if (is->kind == RT_INPUT_NOISE) {
        if (!isfinite(is->amplitude) || !(is->sd >= 0) || isinf(is->sd))
            return rt_error_set(err, RT_ERR_ARG,
                                "a noise stimulus needs a finite mean and sd >= 0 (got %g, %g)",
                                is->amplitude, is->sd);
        if (!b->normal_table) {
            if (!(b->normal_table = rt_alloc_array(a, 1, sizeof *b->normal_table)))
                return nomem(err, "a stimulus");
            rt_normal_table_init(b->normal_table);
        }
        rt_noise_key(b->seed, is->stream, in->noise_key);
        in->sd = is->sd;
    }
    if (is->idx) {
        if (!(in->idx = rt_alloc_array(a, (size_t)in->n + 1, sizeof(uint32_t))))
            return nomem(err, "a stimulus");
        memcpy(in->idx, is->idx, sizeof(uint32_t) * in->n);
    }
    in->idx_unique = 1;
    for (uint32_t k = 1; in->idx && k < in->n; k++)
        in->idx_unique &= in->idx[k - 1] < in->idx[k];
    if (is->kind == RT_INPUT_POISSON) {
        RtPoissonSpec ps = {b->seed, is->stream, in->n, is->rate_hz, NULL, b->dt,
                            in->current.start, in->current.stop};
        if (!(in->drawn = rt_alloc_array(a, (size_t)in->n + 1, sizeof(uint32_t))))
            return nomem(err, "a stimulus");
        return rt_poisson_create(a, &ps, &in->poisson, err);
    }
    if (is->kind == RT_INPUT_SPIKES) {
        if (!(in->ticks = rt_alloc_array(a, (size_t)is->ntimes + 1, sizeof(uint64_t))))
            return nomem(err, "a stimulus");
        for (uint32_t k = 0; k < is->ntimes; k++)
            in->ticks[k] = (uint64_t)llround(is->times_ms[k] / b->dt);
        in->nticks = is->ntimes;
        qsort(in->ticks, in->nticks, sizeof(uint64_t), cmp_u64);
    }
    return RT_OK;
}

RtStatus rt_brain_build_inputs(RtBrain *b, const RtBrainSpec *spec, RtError *err)
{
    b->ninputs = spec->ninputs;
    if (!(b->inputs = rt_alloc_array(&b->alloc, (size_t)spec->ninputs + 1, sizeof(RtInput))))
        return nomem(err, "stimuli");
    for (uint32_t i = 0; i < spec->ninputs; i++) {
        RtStatus st = build_input(b, &b->inputs[i], &spec->inputs[i], err);
        if (st)
            return st;
        b->pops[spec->inputs[i].pop].predrain |= RT_PREDRAIN_INPUTS;
    }
    return RT_OK;
}

void rt_brain_free_inputs(RtBrain *b)
{
    for (uint32_t i = 0; b->inputs && i < b->ninputs; i++) {
        rt_poisson_destroy(b->inputs[i].poisson);
        rt_free(&b->alloc, b->inputs[i].idx);
        rt_free(&b->alloc, b->inputs[i].ticks);
        rt_free(&b->alloc, b->inputs[i].drawn);
    }
    rt_free(&b->alloc, b->inputs);
    b->inputs = NULL;
    rt_free(&b->alloc, b->normal_table);
    b->normal_table = NULL;
}
