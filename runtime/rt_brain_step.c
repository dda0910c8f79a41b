/* rt_brain_step.c - one tick of a brain (rt_brain.h lists the steps,
 * docs/language.md §12 defines them). The neuron update runs on the pool,
 * and so does `on post` when no group's `on post` writes anything another
 * post neuron's handlers touch (post_parallel); every other step runs on
 * the caller in a fixed order, and the neuron kernels touch only their own
 * neurons, so spikes, deliveries and floating-point sums are the same for
 * any number of threads. */
#include "rt_brain_internal.h"
#include "rt_spikes.h"
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
    p->ring_now = (uint32_t)(tick % p->ring_len);
    size_t base = (size_t)p->ring_now * p->size;
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

/* Step 4, on the pool, as one job: the neurons of all populations, in
 * order, split into one contiguous range per thread (so that small
 * populations do not each cost a round of the pool); each part updates
 * the pieces of the populations its range covers. Populations start on a
 * grain of that numbering (b->pop_first), so two threads never write the
 * same cache line of a neuron array. */
typedef struct UpdateJob {
    RtBrain *b;
    double t;
} UpdateJob;

/* The first population p with first[p + 1] > i (first[0..n] ascending):
 * the one whose part of a numbering holds i, skipping empty ones. */
static uint32_t pop_holding(const uint64_t *first, uint32_t n, uint64_t i)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (first[mid + 1] <= i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void update_range(void *ctx, size_t begin, size_t end, unsigned part)
{
    (void)part;
    const UpdateJob *job = ctx;
    const RtBrain *b = job->b;
    for (uint32_t p = pop_holding(b->pop_first, b->npops, begin); p < b->npops && b->pop_first[p] < end; p++) {
        RtPop *pop = &b->pops[p];
        uint64_t first = b->pop_first[p];
        uint64_t from = begin > first ? begin - first : 0;
        uint64_t stop = first + pop->size; /* the rest up to pop_first[p + 1] is padding */
        uint64_t to = (end < stop ? end : stop) - first;
        if (from < to)
            pop->update(&pop->s, (uint32_t)from, (uint32_t)to, job->t, pop->spiked);
    }
}

static void collect_spikes(RtPop *p)
{
    p->nspikes = rt_spikes_collect(p->spiked, p->size, p->spikes);
    p->total_spikes += p->nspikes;
}

static void update_neurons(RtBrain *b, uint64_t tick, double t)
{
    for (uint32_t p = 0; p < b->npops; p++)
        b->pops[p].s.tick = tick;
    UpdateJob job = {b, t};
    rt_parallel_for(b->pool, b->pop_first[b->npops], update_range, &job);
    for (uint32_t p = 0; p < b->npops; p++)
        collect_spikes(&b->pops[p]);
}

/* Delivery is bound by the first cache miss on each spiking neuron's
 * connection row: start loading the row of the spike this many ahead. */
#define PREFETCH_AHEAD 4

static void prefetch_rows(const RtBrain *b, const uint32_t *groups, uint64_t ngroups, uint32_t neuron)
{
    for (uint64_t q = 0; q < ngroups; q++) {
        const RtGroup *g = &b->groups[groups[q]];
        const uint32_t *row = g->s.col + (g->s.row_live ? g->s.row_live : g->s.row_ptr)[neuron];
        __builtin_prefetch(row);
        __builtin_prefetch(row + 16);
    }
}

/* Steps 5 and 6: `on pre` of outgoing and `on post` of incoming synapses of
 * the neurons that spiked: populations in order, neurons ascending, groups
 * in declaration order, skipping the groups where the neuron has no
 * synapse (RtBrain.neuron_handlers). */
/* Step 6 on the pool: this tick's spikes of the populations with `on post`
 * handlers, numbered by post_first, split between the threads; each runs
 * the handlers of its spikes in the usual order. Different post neurons
 * share no synapse, and post_parallel groups write nothing but their
 * synapses' states and states kept per post neuron (no neuron variable),
 * so nothing one thread writes is touched by another: the result is the
 * same as one at a time. */
enum { POST_PARALLEL_MIN = 64 }; /* fewer spikes: not worth a round of the pool */

typedef struct PostJob {
    RtBrain *b;
    uint64_t tick;
} PostJob;

static void post_range(void *ctx, size_t begin, size_t end, unsigned part)
{
    (void)part;
    const PostJob *job = ctx;
    const RtBrain *b = job->b;
    const uint64_t *start = b->neuron_handler_start[1];
    const uint32_t *list = b->neuron_handlers[1];
    uint32_t p = pop_holding(b->post_first, b->npops, begin);
    for (size_t i = begin; i < end; i++) {
        while (b->post_first[p + 1] <= i)
            p++;
        uint32_t n = b->pops[p].spikes[i - b->post_first[p]];
        uint64_t at = b->pop_first[p] + n;
        for (uint64_t q = start[at]; q < start[at + 1]; q++) {
            const RtGroup *g = &b->groups[list[q]];
            g->on_post(&g->s, n, job->tick);
        }
    }
}

static int run_post_parallel(RtBrain *b, uint64_t tick)
{
    if (!b->post_parallel || rt_pool_threads(b->pool) < 2)
        return 0;
    const uint32_t *start = b->handler_start[1];
    uint64_t total = 0;
    for (uint32_t p = 0; p < b->npops; p++) {
        b->post_first[p] = total;
        total += start[p] < start[p + 1] ? b->pops[p].nspikes : 0;
    }
    b->post_first[b->npops] = total;
    if (total < POST_PARALLEL_MIN)
        return 0;
    PostJob job = {b, tick};
    rt_parallel_for(b->pool, total, post_range, &job);
    return 1;
}

static void run_spike_handlers(RtBrain *b, uint64_t tick, int post_side)
{
    if (post_side && run_post_parallel(b, tick))
        return;
    const uint32_t *pop_start = b->handler_start[post_side];
    const uint64_t *start = b->neuron_handler_start[post_side];
    const uint32_t *list = b->neuron_handlers[post_side];
    for (uint32_t p = 0; p < b->npops; p++) {
        const RtPop *pop = &b->pops[p];
        if (pop_start[p] == pop_start[p + 1])
            continue;
        const uint64_t *first = start + b->pop_first[p];
        for (uint32_t s = 0; s < pop->nspikes; s++) {
            uint32_t n = pop->spikes[s];
            if (!post_side && s + PREFETCH_AHEAD < pop->nspikes) {
                uint32_t ahead = pop->spikes[s + PREFETCH_AHEAD];
                prefetch_rows(b, list + first[ahead], first[ahead + 1] - first[ahead], ahead);
            }
            for (uint64_t q = first[n]; q < first[n + 1]; q++) {
                const RtGroup *g = &b->groups[list[q]];
                if (post_side)
                    g->on_post(&g->s, n, tick);
                else
                    g->on_pre(&g->s, n, n + 1, tick, 0);
            }
        }
    }
}

/* Runs a per-synapse kernel (RT_PASS_GAP, RT_PASS_TICK) over every row of
 * every group that has one (`on reward`: rt_brain_reward.c). */
static void run_all_rows(RtBrain *b, int pass, uint64_t tick, double value)
{
    for (uint32_t k = 0; k < b->npass[pass]; k++) {
        const RtGroup *g = &b->groups[b->pass[pass][k]];
        RtSynRowsFn fn = pass == RT_PASS_GAP ? g->gap : g->on_tick;
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

/* Pruning groups are compacted (rt_compact.c: their live synapses move to
 * the front, so that the kernels walk only those) when an eighth of the
 * synapses live at the last compaction was pruned since, moving those
 * (so about eight times the group's synapses in all over any run), and
 * whenever this tick is not the one after the last (a checkpoint was
 * loaded: synapses may live again), then looking at all of them. */
void rt_brain_live_invalidate(RtBrain *b)
{
    for (uint32_t i = 0; i < b->ngroups; i++)
        b->groups[i].live_tick = UINT64_MAX;
}

static void refresh_live(RtBrain *b, uint64_t tick)
{
    for (uint32_t k = 0; k < b->npass[RT_PASS_PRUNE]; k++) {
        RtGroup *g = &b->groups[b->pass[RT_PASS_PRUNE][k]];
        if (g->no_compact)
            continue;
        uint64_t since = g->npruned - g->npruned_at_build;
        int jumped = tick != g->live_tick;
        if (jumped || (since && since * 8 >= g->nlive))
            rt_group_compact(&b->alloc, g, jumped); /* out of memory: the layout stays as it is */
        g->live_tick = tick + 1;
    }
}

static RtStatus one_tick(RtBrain *b, RtError *err)
{
    uint64_t tick = b->tick;
    refresh_live(b, tick);
    for (uint32_t p = 0; p < b->npops; p++)
        drain_rings(&b->pops[p], tick);
    rt_brain_apply_inputs(b, tick);
    run_all_rows(b, RT_PASS_GAP, tick, 0);
    update_neurons(b, tick, (double)tick * b->dt);
    run_spike_handlers(b, tick, 0);
    run_spike_handlers(b, tick, 1);
    run_all_rows(b, RT_PASS_TICK, tick, 0);
    rt_brain_reward_tick(b, tick);
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
