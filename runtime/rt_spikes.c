/* rt_spikes.c - creation, gathering and growth for the spike rings; the
 * per-spike operations are inline in rt_spikes.h. */
#include "rt_spikes.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Slots start on RT_ALIGN boundaries: 16 indices of 4 bytes. */
#define RT_SLOT_ROUND (RT_ALIGN / sizeof(uint32_t))

RtStatus rt_spike_ring_create(RtAllocator *alloc, uint32_t n_neurons, uint32_t max_delay,
                              RtSpikeRing **out, RtError *err)
{
    *out = NULL;
    if (max_delay > RT_MAX_DELAY)
        return rt_error_set(err, RT_ERR_ARG, "spike ring: delay %u exceeds the limit %u",
                            max_delay, RT_MAX_DELAY);
    uint64_t stride = ((uint64_t)n_neurons + RT_SLOT_ROUND - 1) / RT_SLOT_ROUND * RT_SLOT_ROUND;
    if (stride > UINT32_MAX)
        return rt_error_set(err, RT_ERR_ARG, "spike ring: %u neurons is too many", n_neurons);
    RtSpikeRing *r = rt_alloc(alloc, sizeof *r);
    if (!r)
        return rt_error_set(err, RT_ERR_NOMEM, "spike ring: out of memory");
    r->alloc = alloc;
    r->n_neurons = n_neurons;
    r->stride = (uint32_t)stride;
    r->nslots = max_delay + 1;
    r->counts = rt_alloc_array(alloc, r->nslots, sizeof *r->counts);
    size_t cells;
    if (r->counts && rt_size_mul(r->nslots, r->stride, &cells))
        r->spikes = rt_alloc_array(alloc, cells, sizeof *r->spikes);
    if (!r->counts || !r->spikes) {
        rt_spike_ring_destroy(r);
        return rt_error_set(err, RT_ERR_NOMEM,
                            "spike ring: out of memory for %u neurons x %u delay slots", n_neurons,
                            max_delay + 1);
    }
    *out = r;
    return RT_OK;
}

void rt_spike_ring_destroy(RtSpikeRing *r)
{
    if (!r)
        return;
    rt_free(r->alloc, r->spikes);
    rt_free(r->alloc, r->counts);
    rt_free(r->alloc, r);
}

void rt_spike_ring_clear(RtSpikeRing *r)
{
    memset(r->counts, 0, r->nslots * sizeof *r->counts);
}

/* Each span's region starts at its `begin`, which is at least the number
 * of spikes already packed (earlier spans are disjoint and below it), so
 * every move is downwards and memmove is safe. */
void rt_spike_ring_gather(RtSpikeRing *r, const RtSpikeSpan *spans, unsigned nspans)
{
    uint32_t *base = r->spikes + (uint64_t)r->now * r->stride;
    uint32_t total = r->counts[r->now];
    for (unsigned i = 0; i < nspans; i++) {
        if (spans[i].count && spans[i].begin != total)
            memmove(base + total, base + spans[i].begin, spans[i].count * sizeof *base);
        total += spans[i].count;
    }
    r->counts[r->now] = total;
}

#if defined(__SSE2__)
/* One bit per flag byte of 64, set where the flag is not 0: each spike
 * then costs one count-trailing-zeros, and a block without spikes (most:
 * a few neurons in a thousand spike in a tick) one test. */
static inline uint64_t block_mask(const uint8_t *p)
{
    const __m128i zero = _mm_setzero_si128();
    uint64_t m = 0;
    for (int j = 0; j < 4; j++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * j));
        m |= (uint64_t)(uint16_t)~_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) << (16 * j);
    }
    return m;
}

uint32_t rt_spikes_collect(const uint8_t *spiked, uint32_t n, uint32_t *out)
{
    uint32_t count = 0, k = 0;
    for (; k + 64 <= n; k += 64)
        for (uint64_t m = block_mask(spiked + k); m; m &= m - 1)
            out[count++] = k + (uint32_t)__builtin_ctzll(m);
    if (k < n) { /* the last partial block, zero-padded */
        uint8_t last[64] = {0};
        memcpy(last, spiked + k, n - k);
        for (uint64_t m = block_mask(last); m; m &= m - 1)
            out[count++] = k + (uint32_t)__builtin_ctzll(m);
    }
    return count;
}
#else
/* The set bytes of w (flags base .. base + 7, little-endian load), in order. */
static inline uint32_t collect_word(uint64_t w, uint32_t base, uint32_t *out, uint32_t count)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (w) {
        unsigned byte = (unsigned)__builtin_ctzll(w) >> 3;
        out[count++] = base + byte;
        w &= ~((uint64_t)0xFF << (8 * byte));
    }
#else
    unsigned char b[8];
    memcpy(b, &w, sizeof b);
    for (uint32_t j = 0; j < 8; j++)
        if (b[j])
            out[count++] = base + j;
#endif
    return count;
}

uint32_t rt_spikes_collect(const uint8_t *spiked, uint32_t n, uint32_t *out)
{
    uint32_t count = 0, k = 0;
    for (; k + 64 <= n; k += 64) {
        uint64_t w[8], any = 0;
        memcpy(w, spiked + k, sizeof w);
        for (int j = 0; j < 8; j++)
            any |= w[j];
        if (!any)
            continue;
        for (uint32_t j = 0; j < 8; j++)
            if (w[j])
                count = collect_word(w[j], k + 8 * j, out, count);
    }
    for (; k + 8 <= n; k += 8) {
        uint64_t w;
        memcpy(&w, spiked + k, sizeof w);
        if (w)
            count = collect_word(w, k, out, count);
    }
    for (; k < n; k++)
        if (spiked[k])
            out[count++] = k;
    return count;
}
#endif

static bool alloc_event_slots(RtEventRing *r, uint32_t capacity)
{
    r->slots = rt_alloc_array(r->alloc, r->nslots, sizeof *r->slots);
    if (!r->slots)
        return false;
    for (uint32_t i = 0; i < r->nslots; i++) {
        r->slots[i].values = rt_alloc_array(r->alloc, capacity, sizeof(uint32_t));
        if (!r->slots[i].values)
            return false;
        r->slots[i].capacity = capacity;
    }
    return true;
}

RtStatus rt_event_ring_create(RtAllocator *alloc, uint32_t max_delay, uint32_t initial_capacity,
                              RtEventRing **out, RtError *err)
{
    *out = NULL;
    if (max_delay > RT_MAX_DELAY)
        return rt_error_set(err, RT_ERR_ARG, "event ring: delay %u exceeds the limit %u",
                            max_delay, RT_MAX_DELAY);
    RtEventRing *r = rt_alloc(alloc, sizeof *r);
    if (!r)
        return rt_error_set(err, RT_ERR_NOMEM, "event ring: out of memory");
    r->alloc = alloc;
    r->nslots = max_delay + 1;
    if (!alloc_event_slots(r, initial_capacity ? initial_capacity : RT_SLOT_ROUND)) {
        rt_event_ring_destroy(r);
        return rt_error_set(err, RT_ERR_NOMEM, "event ring: out of memory for %u slots",
                            max_delay + 1);
    }
    *out = r;
    return RT_OK;
}

void rt_event_ring_destroy(RtEventRing *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; r->slots && i < r->nslots; i++)
        rt_free(r->alloc, r->slots[i].values);
    rt_free(r->alloc, r->slots);
    rt_free(r->alloc, r);
}

RtStatus rt_event_slot_grow_push(RtEventRing *r, RtEventSlot *slot, uint32_t value)
{
    if (slot->capacity > UINT32_MAX / 2)
        return RT_ERR_NOMEM;
    uint32_t capacity = slot->capacity * 2;
    uint32_t *values = rt_realloc_array(r->alloc, slot->values, capacity, sizeof *values);
    if (!values)
        return RT_ERR_NOMEM;
    slot->values = values;
    slot->capacity = capacity;
    slot->values[slot->count++] = value;
    return RT_OK;
}
