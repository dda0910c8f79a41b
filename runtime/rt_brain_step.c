/* rt_brain_step.c - one tick of a brain (rt_brain.h lists the steps,
 * docs/language.md §12 defines them). Only the neuron update runs on the
 * pool; every other step runs on the caller in a fixed order, and the
 * neuron kernels touch only their own neurons, so spikes, deliveries and
 * floating-point sums are the same for any number of threads. */
#include "rt_brain_internal.h"
#include <string.h>

/* Step 1: the deliveries due now are added into their variables, and the
 * slot is cleared for the tick ring_len ticks ahead. The neuron kernel
 * does this itself as it loads each variable (ks.slot, rt_abi.h); the
 * runtime drains first only where stimuli or gap junctions (steps 2-3)
 * would otherwise see or sum the variable in another order (predrain). */
/* One pass that the compiler can vectorise: the ring slot and the target
 * never overlap. */
static void add_and_clear(double *restrict x, double *restrict slot, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        x[k] += slot[k];
        slot[k] = 0;
    }
}

static void drain_rings(RtPop *p, uint64_t tick)
{
    size_t base = (size_t)(tick % p->ring_len) * p->size;
    int nv = p->predrain == RT_PREDRAIN_ALL ? p->ninputs + p->nstates
           : p->predrain ? p->ninputs : 0;
    for (int v = 0; v < p->ninputs + p->nstates; v++) {
        double *slot = p->ring[v] ? p->ring[v] + base : NULL;
        p->ks.slot[v] = slot;
        if (!slot || v >= nv)
            continue;
        double *x = v < p->ninputs ? p->s.input[v] : p->s.state[v - p->ninputs];
        add_and_clear(x, slot, p->size);
    }
}

/* Step 4, on the pool: each part updates its own contiguous neurons. */
typedef struct UpdateJob {
    RtPop *pop;
    double t;
} UpdateJob;

static void update_range(void *ctx, size_t begin, size_t end, unsigned part)
{
    (void)part;
    UpdateJob *job = ctx;
    if (begin < end)
        job->pop->update(&job->pop->s, (uint32_t)begin, (uint32_t)end, job->t, job->pop->spiked);
}

static void collect_spikes(RtPop *p)
{
    /* Spikes are rare: skip 64, then eight silent neurons per test. */
    uint32_t n = 0, k = 0;
    for (; k + 64 <= p->size; k += 64) {
        uint64_t w[8], any = 0;
        memcpy(w, p->spiked + k, sizeof w);
        for (int j = 0; j < 8; j++)
            any |= w[j];
        if (!any)
            continue;
        for (uint32_t j = k; j < k + 64; j++)
            if (p->spiked[j])
                p->spikes[n++] = j;
    }
    for (; k + 8 <= p->size; k += 8) {
        uint64_t word;
        memcpy(&word, p->spiked + k, sizeof word);
        if (!word)
            continue;
        for (uint32_t j = k; j < k + 8; j++)
            if (p->spiked[j])
                p->spikes[n++] = j;
    }
    for (; k < p->size; k++)
        if (p->spiked[k])
            p->spikes[n++] = k;
    p->nspikes = n;
    p->total_spikes += n;
}

static void update_neurons(RtBrain *b, uint64_t tick, double t)
{
    for (uint32_t p = 0; p < b->npops; p++) {
        b->pops[p].s.tick = tick;
        UpdateJob job = {&b->pops[p], t};
        rt_parallel_for(b->pool, b->pops[p].size, update_range, &job);
        collect_spikes(&b->pops[p]);
    }
}

/* Steps 5 and 6: `on pre` of outgoing and `on post` of incoming synapses of
 * the neurons that spiked: populations in order, neurons ascending, groups
 * in declaration order. */
static void run_spike_handlers(RtBrain *b, uint64_t tick, int post_side)
{
    for (uint32_t p = 0; p < b->npops; p++) {
        const RtPop *pop = &b->pops[p];
        for (uint32_t s = 0; s < pop->nspikes; s++) {
            uint32_t n = pop->spikes[s];
            for (uint32_t i = 0; i < b->ngroups; i++) {
                const RtGroup *g = &b->groups[i];
                if (!post_side && g->pre == p && g->on_pre)
                    g->on_pre(&g->s, n, n + 1, tick, 0);
                else if (post_side && g->post == p && g->on_post)
                    g->on_post(&g->s, n, tick);
            }
        }
    }
}

/* Runs a per-synapse kernel (gap, tick, reward) over every row of every
 * group that has one. which: offsetof-like selector. */
typedef enum { ROWS_GAP, ROWS_TICK, ROWS_REWARD } RowsKind;

static void run_all_rows(RtBrain *b, RowsKind kind, uint64_t tick, double value)
{
    for (uint32_t i = 0; i < b->ngroups; i++) {
        const RtGroup *g = &b->groups[i];
        RtSynRowsFn fn = kind == ROWS_GAP ? g->gap : kind == ROWS_TICK ? g->on_tick : g->on_reward;
        if (fn)
            fn(&g->s, 0, g->n_pre, tick, value);
    }
}

static RtStatus record(RtBrain *b, uint64_t tick, RtError *err)
{
    for (uint32_t p = 0; b->raster && p < b->npops; p++) {
        const RtPop *pop = &b->pops[p];
        if (pop->nspikes) {
            RtStatus st = rt_raster_write(b->raster, tick, p, pop->spikes, pop->nspikes, err);
            if (st)
                return st;
        }
    }
    return RT_OK;
}

static RtStatus one_tick(RtBrain *b, RtError *err)
{
    uint64_t tick = b->tick;
    for (uint32_t p = 0; p < b->npops; p++)
        drain_rings(&b->pops[p], tick);
    rt_brain_apply_inputs(b, tick);
    run_all_rows(b, ROWS_GAP, tick, 0);
    update_neurons(b, tick, (double)tick * b->dt);
    run_spike_handlers(b, tick, 0);
    run_spike_handlers(b, tick, 1);
    run_all_rows(b, ROWS_TICK, tick, 0);
    if (b->rewarded)
        run_all_rows(b, ROWS_REWARD, tick, b->reward);
    b->reward = 0;
    b->rewarded = 0;
    b->tick = tick + 1;
    rt_brain_record_tick(b, tick);
    return record(b, tick, err);
}

RtStatus rt_brain_step(RtBrain *b, uint64_t nticks, RtError *err)
{
    RtStatus first = RT_OK;
    for (uint64_t k = 0; k < nticks; k++) {
        RtStatus st = one_tick(b, err);
        first = first ? first : st;
    }
    return first;
}
