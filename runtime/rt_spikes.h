/* rt_spikes.h - spike lists with transmission delays.
 *
 * RtSpikeRing (one per population) is the main design: a ring of
 * max_delay + 1 per-tick lists of the neurons that spiked, so the list of
 * tick t - d is still there at tick t. "Which presynaptic spikes arrive now
 * over delay d" is then one lookup, shared by every synapse group leaving
 * the population, and a spike costs one store however many delays and
 * groups it feeds. Groups with per-synapse delays keep each CSR row sorted
 * by delay and read the ring once per distinct delay (docs/runtime-api.md).
 *
 * RtEventRing is the general alternative: values (e.g. synapse indices)
 * pushed with their own delay and popped on their arrival tick. Its cost
 * grows with events in flight, so it is meant for sparse traffic. */
#ifndef BR_RT_SPIKES_H
#define BR_RT_SPIKES_H

#include "rt_alloc.h"
#include "rt_error.h"

#include <stdbool.h>
#include <stdint.h>

/* Delays longer than this are a compiler bug or an absurd model (at
 * dt = 0.1 ms it is over 6 s), and they would make rings huge. */
#define RT_MAX_DELAY 65535u

/* Fields are read by inline functions and generated code; only
 * rt_spikes.c writes them outside the inline helpers below. */
typedef struct RtSpikeRing {
    uint32_t *spikes;   /* nslots * stride neuron indices, slot after slot */
    uint32_t *counts;   /* spikes in each slot */
    uint32_t n_neurons; /* each neuron spikes at most once a tick: slot capacity */
    uint32_t stride;    /* n_neurons rounded up so every slot starts RT_ALIGN-aligned */
    uint32_t nslots;    /* max_delay + 1 */
    uint32_t now;       /* the current tick's slot */
    uint64_t tick;      /* advances since creation */
    RtAllocator *alloc;
} RtSpikeRing;

/* A ring for n_neurons with delays 0..max_delay, all lists empty. Memory:
 * (max_delay + 1) * n_neurons * 4 bytes. */
RtStatus rt_spike_ring_create(RtAllocator *alloc, uint32_t n_neurons, uint32_t max_delay,
                              RtSpikeRing **out, RtError *err);

/* NULL is ignored. */
void rt_spike_ring_destroy(RtSpikeRing *ring);

/* Empties every slot (a reset; the tick counter is kept). */
void rt_spike_ring_clear(RtSpikeRing *ring);

static inline uint32_t rt_spike_ring_max_delay(const RtSpikeRing *r)
{
    return r->nslots - 1;
}

/* Records that `neuron` spiked this tick. false (and nothing stored) when
 * the slot is full, which can only happen if a neuron is pushed twice. */
static inline bool rt_spike_ring_push(RtSpikeRing *r, uint32_t neuron)
{
    uint32_t n = r->counts[r->now];
    if (n >= r->n_neurons)
        return false;
    r->spikes[(uint64_t)r->now * r->stride + n] = neuron;
    r->counts[r->now] = n + 1;
    return true;
}

/* The neurons that spiked `delay` ticks ago (0 = this tick): the spikes
 * arriving now over a connection with that delay. Empty before tick
 * `delay` and for delay > max_delay. Valid until the next advance. */
static inline const uint32_t *rt_spike_ring_delayed(const RtSpikeRing *r, uint32_t delay,
                                                    uint32_t *count)
{
    if (delay >= r->nslots) {
        *count = 0;
        return r->spikes;
    }
    uint32_t slot = r->now >= delay ? r->now - delay : r->now + r->nslots - delay;
    *count = r->counts[slot];
    return r->spikes + (uint64_t)slot * r->stride;
}

/* This tick's spikes, in push (or gather) order. */
static inline const uint32_t *rt_spike_ring_current(const RtSpikeRing *r, uint32_t *count)
{
    return rt_spike_ring_delayed(r, 0, count);
}

/* Next tick: the oldest slot is emptied and becomes the current one. */
static inline void rt_spike_ring_advance(RtSpikeRing *r)
{
    r->now = r->now + 1 == r->nslots ? 0 : r->now + 1;
    r->counts[r->now] = 0;
    r->tick++;
}

/* Parallel emission without atomics. The thread that updates neurons
 * [begin, end) writes its spikes to rt_spike_ring_region(r, begin) (room
 * for end - begin of them), then records {begin, count} in its span;
 * rt_spike_ring_gather packs the spans, in order, into this tick's list.
 * With spans in increasing `begin` order and neurons visited in order,
 * the list comes out sorted, whatever the thread count. */
typedef struct RtSpikeSpan {
    uint32_t begin;
    uint32_t count;
} RtSpikeSpan;

static inline uint32_t *rt_spike_ring_region(RtSpikeRing *r, uint32_t begin)
{
    return r->spikes + (uint64_t)r->now * r->stride + begin;
}

/* Requires this tick's list to be empty before the regions were written,
 * and spans sorted by begin, not overlapping, each inside [0, n_neurons). */
void rt_spike_ring_gather(RtSpikeRing *r, const RtSpikeSpan *spans, unsigned nspans);

/* The indices k < n with spiked[k] != 0 (a neuron kernel's spike flags),
 * ascending, into out (room for n); returns how many. Spikes are rare:
 * 64 flags are tested at once, and in a chunk with spikes each 8-byte
 * word's set bytes are found by counting trailing zeros, so the cost is
 * per spike rather than per neuron (no branch per flag to mispredict). */
uint32_t rt_spikes_collect(const uint8_t *spiked, uint32_t n, uint32_t *out);

/* ---- RtEventRing: values delivered a chosen number of ticks later ---- */

typedef struct RtEventSlot {
    uint32_t *values;
    uint32_t count;
    uint32_t capacity;
} RtEventSlot;

typedef struct RtEventRing {
    RtEventSlot *slots; /* nslots = max_delay + 1 */
    uint32_t nslots;
    uint32_t now;
    uint64_t tick;
    RtAllocator *alloc;
} RtEventRing;

/* A ring for delays 0..max_delay; each slot starts with room for
 * initial_capacity values and doubles when full. */
RtStatus rt_event_ring_create(RtAllocator *alloc, uint32_t max_delay, uint32_t initial_capacity,
                              RtEventRing **out, RtError *err);

void rt_event_ring_destroy(RtEventRing *ring);

/* Slow path of rt_event_ring_push: doubles the slot, then appends. */
RtStatus rt_event_slot_grow_push(RtEventRing *r, RtEventSlot *slot, uint32_t value);

/* Schedules value to arrive `delay` ticks from now (0 = this tick).
 * RT_ERR_ARG for delay > max_delay, RT_ERR_NOMEM if a slot cannot grow. */
static inline RtStatus rt_event_ring_push(RtEventRing *r, uint32_t value, uint32_t delay)
{
    if (delay >= r->nslots)
        return RT_ERR_ARG;
    uint32_t s = r->now + delay;
    RtEventSlot *slot = &r->slots[s >= r->nslots ? s - r->nslots : s];
    if (slot->count == slot->capacity)
        return rt_event_slot_grow_push(r, slot, value);
    slot->values[slot->count++] = value;
    return RT_OK;
}

/* Values arriving this tick, in push order. A push with delay 0 may move
 * the list: take the pointer again after it. */
static inline const uint32_t *rt_event_ring_arrivals(const RtEventRing *r, uint32_t *count)
{
    *count = r->slots[r->now].count;
    return r->slots[r->now].values;
}

/* Next tick: this tick's arrivals are dropped. */
static inline void rt_event_ring_advance(RtEventRing *r)
{
    r->slots[r->now].count = 0;
    r->now = r->now + 1 == r->nslots ? 0 : r->now + 1;
    r->tick++;
}

#endif /* BR_RT_SPIKES_H */
