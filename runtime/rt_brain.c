/* rt_brain.c - creating, destroying and inspecting a brain; the
 * populations' arrays. Groups and inputs are built in rt_brain_build.c,
 * the tick runs in rt_brain_step.c. Everything is allocated from the
 * brain's own RtAllocator, so a brain shares nothing with other brains. */
#include "rt_brain_internal.h"
#include <stdlib.h>
#include <string.h>

static char *copy_name(RtAllocator *a, const char *name)
{
    size_t n = strlen(name ? name : "");
    char *s = rt_alloc(a, n + 1);
    if (s && n)
        memcpy(s, name, n);
    return s;
}

/* A population's state, inputs, per-neuron parameters and spike lists. */
static RtStatus build_pop(RtBrain *b, RtPop *p, const RtPopSpec *ps, RtError *err)
{
    RtAllocator *a = &b->alloc;
    p->name = copy_name(a, ps->name);
    p->size = ps->size;
    p->nstates = ps->nstates, p->ninputs = ps->ninputs, p->nparams = ps->nparams;
    p->update = ps->update;
    p->s.seed = b->seed;
    p->s.stream = rt_random_stream(ps->name, (uint64_t)(p - b->pops));
    p->s.state = rt_alloc_array(a, (size_t)ps->nstates + 1, sizeof(double *));
    p->s.input = rt_alloc_array(a, (size_t)ps->ninputs + 1, sizeof(double *));
    p->s.param = rt_alloc_array(a, (size_t)ps->nparams + 1, sizeof(double *));
    p->ring = rt_alloc_array(a, (size_t)(ps->ninputs + ps->nstates) + 1, sizeof(double *));
    p->spiked = rt_alloc(a, (size_t)ps->size + 1);
    p->spikes = rt_alloc_array(a, (size_t)ps->size + 1, sizeof(uint32_t));
    if (!p->name || !p->s.state || !p->s.input || !p->s.param || !p->ring || !p->spiked || !p->spikes)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory for population '%s'", ps->name);
    size_t n = (size_t)ps->size + 1;
    for (int j = 0; j < ps->nstates; j++) {
        double *x = p->s.state[j] = rt_alloc_array(a, n, sizeof(double));
        if (!x)
            return rt_error_set(err, RT_ERR_NOMEM, "out of memory for population '%s'", ps->name);
        for (uint32_t k = 0; k < ps->size; k++)
            x[k] = ps->state_init && ps->state_init[j] ? ps->state_init[j][k] : ps->state_value[j];
    }
    for (int j = 0; j < ps->ninputs; j++)
        if (!(p->s.input[j] = rt_alloc_array(a, n, sizeof(double))))
            return rt_error_set(err, RT_ERR_NOMEM, "out of memory for population '%s'", ps->name);
    for (int j = 0; j < ps->nparams; j++) {
        if (!ps->param || !ps->param[j])
            continue;
        if (!(p->s.param[j] = rt_alloc_array(a, n, sizeof(double))))
            return rt_error_set(err, RT_ERR_NOMEM, "out of memory for population '%s'", ps->name);
        memcpy(p->s.param[j], ps->param[j], sizeof(double) * ps->size);
    }
    if (ps->has_refractory && !(p->s.refr_left = rt_alloc_array(a, n, sizeof(double))))
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory for population '%s'", ps->name);
    return RT_OK;
}

static RtStatus check_spec(const RtBrainSpec *spec, RtError *err)
{
    if (!(spec->dt > 0))
        return rt_error_set(err, RT_ERR_ARG, "time step must be positive");
    for (uint32_t p = 0; p < spec->npops; p++)
        if (!spec->pops[p].update)
            return rt_error_set(err, RT_ERR_ARG, "population '%s' has no kernel", spec->pops[p].name);
    for (uint32_t g = 0; g < spec->ngroups; g++) {
        const RtGroupSpec *gs = &spec->groups[g];
        if (gs->pre >= spec->npops || gs->post >= spec->npops)
            return rt_error_set(err, RT_ERR_ARG, "group '%s' names a population out of range", gs->name);
        if (!gs->delays && gs->delay < 1 && !gs->gap)
            return rt_error_set(err, RT_ERR_ARG, "group '%s' has a delay below one tick", gs->name);
    }
    for (uint32_t i = 0; i < spec->ninputs; i++)
        if (spec->inputs[i].pop >= spec->npops)
            return rt_error_set(err, RT_ERR_ARG, "input %u targets a population out of range", i);
    return RT_OK;
}

RtBrain *rt_brain_create(const RtBrainSpec *spec, unsigned nthreads, RtError *err)
{
    if (check_spec(spec, err))
        return NULL;
    RtBrain *b = calloc(1, sizeof *b);
    if (!b) {
        rt_error_set(err, RT_ERR_NOMEM, "out of memory for a brain");
        return NULL;
    }
    rt_allocator_init(&b->alloc);
    b->dt = spec->dt;
    b->seed = spec->seed;
    b->npops = spec->npops;
    RtStatus st = rt_pool_create(&b->alloc, nthreads ? nthreads : 1, &b->pool, err);
    if (!st && !(b->pops = rt_alloc_array(&b->alloc, (size_t)spec->npops + 1, sizeof(RtPop))))
        st = rt_error_set(err, RT_ERR_NOMEM, "out of memory for a brain");
    for (uint32_t p = 0; !st && p < spec->npops; p++)
        st = build_pop(b, &b->pops[p], &spec->pops[p], err);
    if (!st && !(b->pop_first = rt_alloc_array(&b->alloc, (size_t)spec->npops + 1, sizeof(uint64_t))))
        st = rt_error_set(err, RT_ERR_NOMEM, "out of memory for a brain");
    for (uint32_t p = 0; !st && p < spec->npops; p++) /* each starts on a grain: rt_brain_step.c */
        b->pop_first[p + 1] = b->pop_first[p] + (spec->pops[p].size + RT_PARTITION_GRAIN - 1) /
                                                    RT_PARTITION_GRAIN * RT_PARTITION_GRAIN;
    if (!st)
        st = rt_brain_build_groups(b, spec, err);
    if (!st)
        st = rt_brain_build_inputs(b, spec, err);
    if (!st)
        st = rt_brain_build_rewards(b, spec, err);
    if (st) {
        rt_brain_destroy(b);
        return NULL;
    }
    return b;
}

static void free_pop(RtAllocator *a, RtPop *p)
{
    for (int j = 0; p->s.state && j < p->nstates; j++)
        rt_free(a, p->s.state[j]);
    for (int j = 0; p->s.input && j < p->ninputs; j++)
        rt_free(a, p->s.input[j]);
    for (int j = 0; p->s.param && j < p->nparams; j++)
        rt_free(a, p->s.param[j]);
    for (int j = 0; p->ring && j < p->ninputs + p->nstates; j++)
        rt_free(a, p->ring[j]);
    rt_free(a, p->s.state);
    rt_free(a, p->s.input);
    rt_free(a, p->s.param);
    rt_free(a, p->s.refr_left);
    rt_free(a, p->ring);
    rt_free(a, p->spiked);
    rt_free(a, p->spikes);
    rt_free(a, p->name);
}

void rt_brain_destroy(RtBrain *b)
{
    if (!b)
        return;
    rt_brain_record_close(b, NULL);
    rt_brain_free_rewards(b);
    rt_brain_free_inputs(b);
    rt_brain_free_groups(b);
    for (uint32_t p = 0; b->pops && p < b->npops; p++)
        free_pop(&b->alloc, &b->pops[p]);
    rt_free(&b->alloc, b->pops);
    rt_free(&b->alloc, b->pop_first);
    rt_pool_destroy(b->pool);
    free(b);
}

/* ---- inspection and input ------------------------------------------------ */

uint64_t rt_brain_tick(const RtBrain *b) { return b->tick; }

RtStatus rt_brain_set_current(RtBrain *b, uint32_t pop, uint32_t neuron, double value)
{
    if (pop >= b->npops || neuron >= b->pops[pop].size || b->pops[pop].ninputs == 0)
        return RT_ERR_ARG;
    b->pops[pop].s.input[0][neuron] += value;
    return RT_OK;
}

const uint32_t *rt_brain_spikes(const RtBrain *b, uint32_t pop, uint32_t *n)
{
    if (pop >= b->npops) {
        *n = 0;
        return NULL;
    }
    *n = b->pops[pop].nspikes;
    return b->pops[pop].spikes;
}

uint64_t rt_brain_spike_count(const RtBrain *b, uint32_t pop)
{
    return pop < b->npops ? b->pops[pop].total_spikes : 0;
}

double *rt_brain_pop_state(RtBrain *b, uint32_t pop, int slot)
{
    if (pop >= b->npops || slot < 0 || slot >= b->pops[pop].nstates)
        return NULL;
    return b->pops[pop].s.state[slot];
}

double *rt_brain_pop_input(RtBrain *b, uint32_t pop, int slot)
{
    if (pop >= b->npops || slot < 0 || slot >= b->pops[pop].ninputs)
        return NULL;
    return b->pops[pop].s.input[slot];
}

double *rt_brain_group_state(RtBrain *b, uint32_t group, int slot)
{
    if (group >= b->ngroups || slot < 0 || slot >= b->groups[group].nstates)
        return NULL;
    return (double *)rt_group_state_values(&b->groups[group], slot);
}

/* Recording (rt_brain_record_spikes, rt_brain_record_close): rt_brain_record.c. */
