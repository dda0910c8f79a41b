/* rt_alloc.c - aligned, zeroed, counted allocation; see rt_alloc.h.
 * Each block is preceded by one RT_ALIGN-sized header that records the
 * requested size, so frees can be counted and reallocations can copy. */
#include "rt_alloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct RtBlockHeader {
    size_t size;
} RtBlockHeader;

_Static_assert(sizeof(RtBlockHeader) <= RT_ALIGN, "header must fit in one alignment unit");

bool rt_size_mul(size_t x, size_t y, size_t *out)
{
    if (y != 0 && x > SIZE_MAX / y)
        return false;
    *out = x * y;
    return true;
}

bool rt_size_add(size_t x, size_t y, size_t *out)
{
    if (x > SIZE_MAX - y)
        return false;
    *out = x + y;
    return true;
}

void rt_allocator_init(RtAllocator *a)
{
    memset(a, 0, sizeof *a);
}

void rt_allocator_fail_nth(RtAllocator *a, uint64_t nth, bool sticky)
{
    a->fail_nth = nth ? a->calls + nth : 0;
    a->fail_sticky = sticky;
}

/* Counts the call and says whether the test hook wants it to fail. */
static bool injected_failure(RtAllocator *a)
{
    if (!a)
        return false;
    a->calls++;
    if (a->fail_nth == 0 || a->calls < a->fail_nth)
        return false;
    return a->calls == a->fail_nth || a->fail_sticky;
}

static RtBlockHeader *header_of(void *p)
{
    return (RtBlockHeader *)((char *)p - RT_ALIGN);
}

/* Header plus size rounded up to RT_ALIGN (aligned_alloc wants a multiple). */
static bool padded_total(size_t size, size_t *total)
{
    size_t body;
    if (!rt_size_add(size, RT_ALIGN - 1, &body))
        return false;
    body -= body % RT_ALIGN;
    if (body == 0)
        body = RT_ALIGN;
    return rt_size_add(body, RT_ALIGN, total);
}

static void count_live(RtAllocator *a, size_t size, bool alive)
{
    if (!a)
        return;
    if (alive) {
        a->live_blocks++;
        a->live_bytes += size;
        if (a->live_bytes > a->peak_bytes)
            a->peak_bytes = a->live_bytes;
    } else {
        a->live_blocks--;
        a->live_bytes -= size;
    }
}

void *rt_alloc(RtAllocator *a, size_t size)
{
    size_t total;
    if (injected_failure(a) || !padded_total(size, &total))
        return NULL;
    char *base = aligned_alloc(RT_ALIGN, total);
    if (!base)
        return NULL;
    memset(base, 0, total);
    ((RtBlockHeader *)base)->size = size;
    count_live(a, size, true);
    return base + RT_ALIGN;
}

void *rt_alloc_array(RtAllocator *a, size_t count, size_t elem_size)
{
    size_t size;
    if (!rt_size_mul(count, elem_size, &size)) {
        injected_failure(a); /* keep call numbering independent of sizes */
        return NULL;
    }
    return rt_alloc(a, size);
}

void *rt_realloc_array(RtAllocator *a, void *p, size_t count, size_t elem_size)
{
    void *q = rt_alloc_array(a, count, elem_size);
    if (!q || !p)
        return q;
    size_t old = rt_alloc_size(p), now = rt_alloc_size(q);
    memcpy(q, p, old < now ? old : now);
    rt_free(a, p);
    return q;
}

void rt_free(RtAllocator *a, void *p)
{
    if (!p)
        return;
    RtBlockHeader *h = header_of(p);
    count_live(a, h->size, false);
    free(h);
}

size_t rt_alloc_size(const void *p)
{
    return ((const RtBlockHeader *)((const char *)p - RT_ALIGN))->size;
}
