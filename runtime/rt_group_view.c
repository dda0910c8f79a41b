/* rt_group_view.c - one synapse state of a group as the network defines it:
 * one value per synapse, in synapse-id order (the CSR order of the network
 * as built). Kernels may keep a state in another layout: a shared trace
 * (RtGroupSpec.state_side) is one value per pre or per post neuron, which
 * every synapse of that neuron reads; a compacted pruning group
 * (rt_compact.c) keeps its synapses in another order, syn_id[k] at
 * position k. Checkpoints, recordings and
 * rt_brain_group_state see every state through these functions, so what
 * they save or show does not depend on the layout. */
#include "rt_brain_internal.h"
#include <stdlib.h>
#include <string.h>

static uint64_t nsyn(const RtGroup *g) { return g->s.row_ptr[g->n_pre]; }

static int side(const RtGroup *g, int slot) { return g->side ? g->side[slot] : RT_SIDE_SYNAPSE; }

double *rt_group_state_direct(const RtGroup *g, int slot)
{
    return side(g, slot) == RT_SIDE_SYNAPSE && !g->syn_id ? g->s.state[slot] : NULL;
}

/* A compacted group (rt_compact.c) keeps synapse syn_id[k] at position k:
 * to (get) or from (set) synapse-id order. */
static void unpermute(const RtGroup *g, const double *a, double *out, int set)
{
    for (uint64_t k = 0; k < nsyn(g); k++)
        if (set)
            out[k] = a[g->syn_id[k]];
        else
            out[g->syn_id[k]] = a[k];
}

void rt_group_state_get(const RtGroup *g, int slot, double *out)
{
    const double *a = g->s.state[slot];
    switch (side(g, slot)) {
    case RT_SIDE_PRE:
        for (uint32_t i = 0; i < g->n_pre; i++)
            for (uint64_t k = g->s.row_ptr[i]; k < g->s.row_ptr[i + 1]; k++)
                out[k] = a[i];
        break;
    case RT_SIDE_POST:
        for (uint64_t k = 0; k < nsyn(g); k++)
            out[k] = a[rt_group_col(g)[k]];
        break;
    default:
        if (g->syn_id)
            unpermute(g, a, out, 0);
        else if (out != a)
            memcpy(out, a, sizeof(double) * nsyn(g));
    }
}

/* A shared trace takes the value of the neuron's first synapse (all of
 * them hold the same value in anything this runtime wrote); a neuron
 * without synapses in the group keeps its value, which nothing reads. */
void rt_group_state_set(RtGroup *g, int slot, const double *in)
{
    double *a = g->s.state[slot];
    switch (side(g, slot)) {
    case RT_SIDE_PRE:
        for (uint32_t i = 0; i < g->n_pre; i++)
            if (g->s.row_ptr[i] < g->s.row_ptr[i + 1])
                a[i] = in[g->s.row_ptr[i]];
        break;
    case RT_SIDE_POST:
        for (uint64_t k = nsyn(g); k-- > 0;)
            a[rt_group_col(g)[k]] = in[k];
        break;
    default:
        if (g->syn_id)
            unpermute(g, in, a, 1);
        else if (in != a)
            memcpy(a, in, sizeof(double) * nsyn(g));
    }
}

const double *rt_group_state_values(RtGroup *g, int slot)
{
    double *direct = rt_group_state_direct(g, slot);
    if (direct)
        return direct;
    if (!g->view && !(g->view = calloc((size_t)g->nstates + 1, sizeof *g->view)))
        return NULL;
    if (!g->view[slot] && !(g->view[slot] = malloc(sizeof(double) * (nsyn(g) ? nsyn(g) : 1))))
        return NULL;
    rt_group_state_get(g, slot, g->view[slot]);
    return g->view[slot];
}
