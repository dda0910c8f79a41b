/* test_rt_spikes.c - spike rings against naive references.
 *
 * RtSpikeRing: every tick a random set of neurons spikes (pushed one by
 * one, or written in per-part regions and gathered); at every tick and for
 * every delay d the ring's list must equal the reference list of tick t-d,
 * i.e. each spike is seen over delay d exactly at tick t+d.
 * RtEventRing: events with random delays must arrive exactly at t+d, in
 * push order, including bursts that force slot growth. */
#include "rt_test.h"

#include "rt_spikes.h"
#include "rt_threads.h"

#define N_NEURONS 200
#define MAX_DELAY 7
#define N_TICKS 600

/* Reference: the spikes of every tick, flat, with per-tick offsets. */
typedef struct History {
    uint32_t neurons[N_TICKS * N_NEURONS];
    size_t start[N_TICKS + 1];
} History;

static History history;

/* Tick t's spikes: mostly sparse, sometimes none or all neurons. */
static uint32_t random_spikes(TestRng *rng, uint32_t *out)
{
    uint32_t kind = test_rng_below(rng, 10), n = 0;
    uint32_t per_mille = kind == 0 ? 0 : kind == 1 ? 1000 : 80;
    for (uint32_t i = 0; i < N_NEURONS; i++)
        if (test_rng_below(rng, 1000) < per_mille)
            out[n++] = i;
    return n;
}

/* Emits like a 3-thread neuron update would: per-part regions + gather. */
static void emit_by_parts(RtSpikeRing *ring, const uint32_t *spikes, uint32_t n)
{
    enum { PARTS = 3 };
    RtSpikeSpan spans[PARTS];
    uint32_t k = 0;
    for (unsigned p = 0; p < PARTS; p++) {
        size_t begin, end;
        rt_partition(N_NEURONS, PARTS, p, &begin, &end);
        uint32_t *region = rt_spike_ring_region(ring, (uint32_t)begin);
        spans[p] = (RtSpikeSpan){ (uint32_t)begin, 0 };
        while (k < n && spikes[k] < end)
            region[spans[p].count++] = spikes[k++];
    }
    rt_spike_ring_gather(ring, spans, PARTS);
}

static int compare_lists(const uint32_t *a, uint32_t na, const uint32_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* For every delay 0..MAX_DELAY+1 at tick t: the ring equals tick t-d. */
static int mismatches_at(const RtSpikeRing *ring, size_t t)
{
    int bad = 0;
    for (uint32_t d = 0; d <= MAX_DELAY + 1; d++) {
        uint32_t count;
        const uint32_t *got = rt_spike_ring_delayed(ring, d, &count);
        if (d > MAX_DELAY || d > t) {
            bad += count != 0;
            continue;
        }
        size_t from = history.start[t - d], to = history.start[t - d + 1];
        bad += !compare_lists(got, count, history.neurons + from, to - from);
    }
    return bad;
}

static void test_spike_ring(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    RtSpikeRing *ring;
    RtError err;
    CHECK(rt_spike_ring_create(&a, N_NEURONS, MAX_DELAY, &ring, &err) == RT_OK, "create: %s",
          err.msg);
    CHECK(rt_spike_ring_max_delay(ring) == MAX_DELAY, "max delay");
    CHECK((uintptr_t)ring->spikes % RT_ALIGN == 0 && ring->stride % 16 == 0, "slots aligned");
    TestRng rng = { 42 };
    int bad = 0, refused = 0;
    for (size_t t = 0; t < N_TICKS; t++) {
        uint32_t *spikes = history.neurons + history.start[t];
        uint32_t n = random_spikes(&rng, spikes);
        history.start[t + 1] = history.start[t] + n;
        if (t % 2)
            emit_by_parts(ring, spikes, n);
        else
            for (uint32_t i = 0; i < n; i++)
                refused += !rt_spike_ring_push(ring, spikes[i]);
        bad += mismatches_at(ring, t);
        rt_spike_ring_advance(ring);
    }
    CHECK(refused == 0, "%d pushes refused", refused);
    CHECK(bad == 0, "%d (tick, delay) lists differ from the reference", bad);
    CHECK(ring->tick == N_TICKS, "tick counter %llu", (unsigned long long)ring->tick);
    rt_spike_ring_destroy(ring);
    CHECK(a.live_blocks == 0, "leak: %zu blocks", a.live_blocks);
}

static void test_spike_ring_edges(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    RtSpikeRing *ring;
    RtError err;
    CHECK(rt_spike_ring_create(&a, 3, 0, &ring, &err) == RT_OK, "delay 0 ring: %s", err.msg);
    int ok = rt_spike_ring_push(ring, 0) && rt_spike_ring_push(ring, 1) &&
             rt_spike_ring_push(ring, 2);
    CHECK(ok && !rt_spike_ring_push(ring, 0), "full slot refuses a fourth spike");
    uint32_t count;
    const uint32_t *cur = rt_spike_ring_current(ring, &count);
    CHECK(count == 3 && cur[2] == 2, "current list");
    rt_spike_ring_advance(ring);
    rt_spike_ring_current(ring, &count);
    CHECK(count == 0, "a delay-0 ring forgets at once");
    rt_spike_ring_push(ring, 1);
    rt_spike_ring_clear(ring);
    rt_spike_ring_current(ring, &count);
    CHECK(count == 0, "clear empties");
    rt_spike_ring_destroy(ring);
    CHECK(rt_spike_ring_create(&a, 3, RT_MAX_DELAY + 1, &ring, &err) == RT_ERR_ARG && !ring,
          "delay above RT_MAX_DELAY refused");
    CHECK(strstr(err.msg, "delay") != NULL, "message names the delay: %s", err.msg);
    CHECK(rt_spike_ring_create(&a, 0, 2, &ring, &err) == RT_OK, "empty population");
    rt_spike_ring_delayed(ring, 1, &count);
    CHECK(count == 0 && !rt_spike_ring_push(ring, 0), "empty population has no room");
    rt_spike_ring_destroy(ring);
    CHECK(a.live_blocks == 0, "leak: %zu blocks", a.live_blocks);
}

#define EV_MAX_DELAY 9
#define EV_TICKS 400
#define EV_MAX_EVENTS 200000

typedef struct Event {
    uint64_t arrival;
    uint32_t value;
} Event;

static Event events[EV_MAX_EVENTS];

static void test_event_ring(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    RtEventRing *ring;
    RtError err;
    CHECK(rt_event_ring_create(&a, EV_MAX_DELAY, 4, &ring, &err) == RT_OK, "create: %s", err.msg);
    TestRng rng = { 7 };
    size_t nev = 0, first_pending = 0;
    int bad = 0, push_errors = 0;
    for (uint64_t t = 0; t < EV_TICKS; t++) {
        uint32_t pushes = test_rng_below(&rng, 20) == 0 ? 700 : test_rng_below(&rng, 40);
        for (uint32_t i = 0; i < pushes && nev < EV_MAX_EVENTS; i++) {
            uint32_t d = test_rng_below(&rng, EV_MAX_DELAY + 1);
            uint32_t v = (uint32_t)test_rng_u64(&rng);
            push_errors += rt_event_ring_push(ring, v, d) != RT_OK;
            events[nev++] = (Event){ t + d, v };
        }
        uint32_t count, k = 0;
        const uint32_t *got = rt_event_ring_arrivals(ring, &count);
        for (size_t e = first_pending; e < nev; e++)
            if (events[e].arrival == t)
                bad += k >= count || got[k++] != events[e].value;
        bad += k != count;
        while (first_pending < nev && events[first_pending].arrival <= t)
            first_pending++; /* everything before it has arrived already */
        rt_event_ring_advance(ring);
    }
    CHECK(push_errors == 0, "%d pushes failed", push_errors);
    CHECK(bad == 0, "%d arrivals differ from the reference", bad);
    CHECK(rt_event_ring_push(ring, 1, EV_MAX_DELAY + 1) == RT_ERR_ARG, "delay too long refused");
    rt_event_ring_destroy(ring);
    CHECK(a.live_blocks == 0, "leak: %zu blocks", a.live_blocks);
}

/* Growth failure is reported and leaves the ring usable. */
static void test_event_ring_nomem(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    RtEventRing *ring;
    RtError err;
    CHECK(rt_event_ring_create(&a, 2, 1, &ring, &err) == RT_OK, "create: %s", err.msg);
    CHECK(rt_event_ring_push(ring, 10, 1) == RT_OK, "first push fits");
    rt_allocator_fail_nth(&a, 1, false);
    CHECK(rt_event_ring_push(ring, 11, 1) == RT_ERR_NOMEM, "growth failure reported");
    CHECK(rt_event_ring_push(ring, 12, 1) == RT_OK, "later growth works");
    rt_event_ring_advance(ring);
    uint32_t count;
    const uint32_t *got = rt_event_ring_arrivals(ring, &count);
    CHECK(count == 2 && got[0] == 10 && got[1] == 12, "failed push left no trace");
    rt_event_ring_destroy(ring);
    CHECK(a.live_blocks == 0, "leak: %zu blocks", a.live_blocks);
}

/* Every allocation of create failing in turn: an error, nothing leaked. */
static void test_create_failures(void)
{
    int leaks = 0, wrong = 0;
    for (uint64_t nth = 1; nth <= 16; nth++) {
        RtAllocator a;
        rt_allocator_init(&a);
        rt_allocator_fail_nth(&a, nth, false);
        RtSpikeRing *sr;
        RtEventRing *er;
        RtStatus s1 = rt_spike_ring_create(&a, 100, 3, &sr, NULL);
        rt_spike_ring_destroy(sr);
        rt_allocator_fail_nth(&a, nth, false);
        RtStatus s2 = rt_event_ring_create(&a, 5, 8, &er, NULL);
        rt_event_ring_destroy(er);
        wrong += (s1 != RT_OK && (s1 != RT_ERR_NOMEM || sr)) ||
                 (s2 != RT_OK && (s2 != RT_ERR_NOMEM || er));
        leaks += a.live_blocks != 0;
    }
    CHECK(wrong == 0, "%d failed creations returned a wrong status or object", wrong);
    CHECK(leaks == 0, "%d failed creations leaked", leaks);
}

int main(void)
{
    test_spike_ring();
    test_spike_ring_edges();
    test_event_ring();
    test_event_ring_nomem();
    test_create_failures();
    return rt_test_report();
}
