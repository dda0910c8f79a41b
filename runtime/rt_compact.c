/* rt_compact.c - compaction of pruning groups (rt_abi.h row_live): the
 * synapses that are live move to the front of every per-synapse array,
 * row after row and in synapse-id order within a row, and the pruned ones
 * behind them. The per-tick and reward kernels then run one loop over the
 * live synapses and `on pre` walks only a row's live synapses: pruned
 * synapses, however scattered, stop costing time and memory traffic
 * (bench/prune.sh).
 *
 * What moves with a synapse: every per-synapse state (shared traces are per
 * neuron and stay), every per-synapse parameter, its column and delay (the
 * group's own copies; the network's stay as col0 / delay0 for checkpoint
 * fingerprints and recordings), its pre neuron (syn_pre) and its id
 * (syn_id). Live synapses keep their relative order, so `on pre` runs a
 * row's live synapses in the same order as without compaction; the CSC
 * lists live synapses by post neuron in ascending position, which for them
 * is ascending id, so `on post` runs in the same order too. Pruned
 * synapses run nothing, and checkpoints, recordings and
 * rt_brain_group_state see the states in synapse-id order through
 * rt_group_state_get / _set (rt_group_view.c).
 * The first compaction, and every one after a checkpoint was loaded
 * (synapses may live again), orders all synapses from the flags alone;
 * the others move only the synapses that were live at the last one (the
 * newly pruned ones go to the front of the pruned part), so that a group
 * pruned gradually from n synapses moves about 8n in all. Where a pruned
 * synapse sits is never observable, so a brain resumed from a checkpoint
 * computes exactly what one that never stopped does.
 *
 * Memory: 18 bytes per synapse once compacted (syn_id 8, syn_pre 4, col 4,
 * delay 2), and 16 bytes per moving synapse of scratch while compacting. */
#include "rt_brain_internal.h"
#include <string.h>

static int per_synapse(const RtGroup *g, int slot)
{
    return !g->side || g->side[slot] == RT_SIDE_SYNAPSE;
}

/* First compaction: the group's own layout arrays. */
static int own_layout(RtAllocator *a, RtGroup *g, uint64_t nsyn)
{
    g->row_live = rt_alloc_array(a, (size_t)g->n_pre + 1, sizeof(uint64_t));
    g->syn_id = rt_alloc_array(a, (size_t)nsyn + 1, sizeof(uint64_t));
    g->syn_pre = rt_alloc_array(a, (size_t)nsyn + 1, sizeof(uint32_t));
    g->ccol = rt_alloc_array(a, (size_t)nsyn + 1, sizeof(uint32_t));
    g->cdelay = g->s.delay ? rt_alloc_array(a, (size_t)nsyn + 1, sizeof(uint16_t)) : NULL;
    if (!g->row_live || !g->syn_id || !g->syn_pre || !g->ccol || (g->s.delay && !g->cdelay)) {
        rt_group_compact_free(a, g);
        return -1;
    }
    for (uint64_t k = 0; k < nsyn; k++)
        g->syn_id[k] = k;
    g->col0 = g->s.col, g->delay0 = g->s.delay;
    g->s.col = g->ccol, g->s.delay = g->cdelay;
    return 0;
}

/* a[p] = a[src[p]] for every position p, through tmp. */
static void gather(double *a, const uint64_t *src, uint64_t n, double *tmp)
{
    for (uint64_t p = 0; p < n; p++)
        tmp[p] = a[src[p]];
    memcpy(a, tmp, n * sizeof(double));
}

/* The CSC of the live synapses [0, nlive), by post neuron, ascending
 * position, in the arrays rt_brain_build.c allocated for all synapses. */
static void rebuild_csc(RtGroup *g, uint64_t *fill)
{
    uint64_t *ptr = (uint64_t *)g->s.csc_ptr, *syn = (uint64_t *)g->s.csc_syn;
    uint32_t *pre = (uint32_t *)g->s.csc_pre;
    uint32_t n_post = g->s.n_post;
    memset(ptr, 0, sizeof(uint64_t) * ((size_t)n_post + 1));
    for (uint64_t k = 0; k < g->nlive; k++)
        ptr[g->s.col[k] + 1]++;
    for (uint32_t j = 0; j < n_post; j++)
        ptr[j + 1] += ptr[j];
    memcpy(fill, ptr, sizeof(uint64_t) * n_post);
    for (uint64_t k = 0; k < g->nlive; k++) {
        uint64_t e = fill[g->s.col[k]]++;
        syn[e] = k;
        pre[e] = g->syn_pre[k];
    }
}

static void gather_ids(uint64_t *a, const uint64_t *src, uint64_t n, uint64_t *tmp)
{
    for (uint64_t p = 0; p < n; p++)
        tmp[p] = a[src[p]];
    memcpy(a, tmp, n * sizeof(uint64_t));
}

/* The new order of every synapse, from the flags alone: src[q] = the
 * position the synapse at q comes from; syn_id, syn_pre and row_live
 * written; returns the live ones. */
static uint64_t order_all(RtGroup *g, const double *flag, uint64_t nsyn, uint64_t *pos,
                          uint64_t *src)
{
    for (uint64_t k = 0; k < nsyn; k++)
        pos[g->syn_id[k]] = k;
    uint64_t live = 0;
    for (uint64_t k = 0; k < nsyn; k++)
        live += flag[k] == 0;
    uint64_t at[2] = {0, live}; /* live ones from 0, pruned ones from live; no branches */
    for (uint32_t i = 0; i < g->n_pre; i++) {
        for (uint64_t id = g->s.row_ptr[i]; id < g->s.row_ptr[i + 1]; id++) {
            uint64_t q = at[flag[pos[id]] != 0]++;
            g->syn_id[q] = id, g->syn_pre[q] = i, src[q] = pos[id];
        }
        g->row_live[i + 1] = at[0];
    }
    return live;
}

/* The new order of the synapses that were live at the last compaction,
 * positions [0, nlive), which are in synapse-id order: the pruned ones
 * among them go to the front of the pruned part, whose older synapses
 * stay where they are. syn_id is left to the caller (src). */
static uint64_t order_live(RtGroup *g, const double *flag, uint64_t *src)
{
    uint64_t n = g->nlive, live = 0;
    for (uint64_t k = 0; k < n; k++)
        live += flag[k] == 0;
    uint64_t at[2] = {0, live}, begin = 0;
    for (uint32_t i = 0; i < g->n_pre; i++) {
        uint64_t end = g->row_live[i + 1];
        for (uint64_t k = begin; k < end; k++) {
            uint64_t q = at[flag[k] != 0]++;
            g->syn_pre[q] = i, src[q] = k;
        }
        g->row_live[i + 1] = at[0];
        begin = end;
    }
    return live;
}

int rt_group_compact(RtAllocator *a, RtGroup *g, int all)
{
    if (!g->prune_flag)
        return 0;
    all |= !g->syn_id;
    uint64_t nsyn = g->s.row_ptr[g->n_pre], n = all ? nsyn : g->nlive; /* positions that move */
    uint64_t *pos = rt_alloc_array(a, (size_t)n + 1, sizeof(uint64_t));
    double *tmp = rt_alloc_array(a, (size_t)n + 1, sizeof(double));
    uint64_t *fill =
        g->s.csc_ptr ? rt_alloc_array(a, (size_t)g->s.n_post + 1, sizeof(uint64_t)) : NULL;
    if (!pos || !tmp || (g->s.csc_ptr && !fill) || (!g->syn_id && own_layout(a, g, nsyn))) {
        rt_free(a, pos);
        rt_free(a, tmp);
        rt_free(a, fill);
        return -1;
    }
    const double *flag = g->s.state[g->prune_flag - 1];
    uint64_t *src = (uint64_t *)tmp; /* the same size as a double */
    g->nlive = all ? order_all(g, flag, nsyn, pos, src) : order_live(g, flag, src);
    memcpy(pos, src, sizeof(uint64_t) * n);
    src = pos;
    if (!all)
        gather_ids(g->syn_id, src, n, (uint64_t *)tmp);
    for (int j = 0; j < g->nstates; j++)
        if (per_synapse(g, j))
            gather(g->s.state[j], src, n, tmp);
    for (int j = 0; j < g->nparams; j++)
        if (g->s.param[j])
            gather(g->s.param[j], src, n, tmp);
    for (uint64_t k = 0; k < n; k++)
        g->ccol[k] = g->col0[g->syn_id[k]];
    for (uint64_t k = 0; g->cdelay && k < n; k++)
        g->cdelay[k] = g->delay0[g->syn_id[k]];
    g->s.row_live = g->row_live, g->s.syn_pre = g->syn_pre, g->s.syn_id = g->syn_id;
    if (g->s.csc_ptr)
        rebuild_csc(g, fill);
    g->npruned_at_build = g->npruned;
    rt_free(a, pos);
    rt_free(a, tmp);
    rt_free(a, fill);
    return 0;
}

void rt_group_compact_free(RtAllocator *a, RtGroup *g)
{
    if (g->col0)
        g->s.col = g->col0, g->s.delay = g->delay0;
    g->s.row_live = NULL, g->s.syn_pre = NULL, g->s.syn_id = NULL;
    rt_free(a, g->row_live);
    rt_free(a, g->syn_id);
    rt_free(a, g->syn_pre);
    rt_free(a, g->ccol);
    rt_free(a, g->cdelay);
    g->row_live = g->syn_id = NULL, g->syn_pre = g->ccol = NULL, g->cdelay = NULL;
    g->col0 = NULL, g->delay0 = NULL;
}
