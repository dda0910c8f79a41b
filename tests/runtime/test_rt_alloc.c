/* test_rt_alloc.c - RtAllocator: 64-byte alignment, zeroed memory,
 * overflow-checked sizes, live-block accounting, reallocation, and the
 * fail-Nth-allocation hook (one-shot and sticky). */
#include "rt_test.h"

#include "rt_alloc.h"

static void test_alignment_and_zeroing(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    static const size_t sizes[] = { 0, 1, 3, 63, 64, 65, 100, 4095, 4096, 100000 };
    enum { NSIZES = sizeof sizes / sizeof sizes[0] };
    void *blocks[NSIZES];
    int misaligned = 0, dirty = 0;
    for (int i = 0; i < NSIZES; i++) {
        unsigned char *p = blocks[i] = rt_alloc(&a, sizes[i]);
        CHECK(p != NULL, "rt_alloc(%zu) failed", sizes[i]);
        if (!p)
            continue;
        misaligned += (uintptr_t)p % RT_ALIGN != 0;
        for (size_t k = 0; k < sizes[i]; k++)
            dirty += p[k] != 0;
        memset(p, 0xAB, sizes[i]); /* ASan: the whole requested size is ours */
        CHECK(rt_alloc_size(p) == sizes[i], "size of block %d", i);
    }
    CHECK(misaligned == 0, "%d blocks not %d-byte aligned", misaligned, RT_ALIGN);
    CHECK(dirty == 0, "%d bytes not zeroed", dirty);
    CHECK(blocks[0] != blocks[1], "size-0 blocks are unique");
    CHECK(a.live_blocks == NSIZES, "live blocks %zu", a.live_blocks);
    for (int i = 0; i < NSIZES; i++)
        rt_free(&a, blocks[i]);
    CHECK(a.live_blocks == 0 && a.live_bytes == 0, "all freed (%zu blocks, %zu bytes)",
          a.live_blocks, a.live_bytes);
    CHECK(a.peak_bytes >= 100000, "peak %zu", a.peak_bytes);
}

static void test_overflow(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    CHECK(rt_alloc(&a, SIZE_MAX) == NULL, "SIZE_MAX bytes must fail");
    CHECK(rt_alloc(&a, SIZE_MAX - 10) == NULL, "SIZE_MAX - 10 bytes must fail");
    CHECK(rt_alloc_array(&a, SIZE_MAX / 2, 3) == NULL, "count * size overflow must fail");
    CHECK(rt_alloc_array(&a, (size_t)1 << 40, (size_t)1 << 40) == NULL, "2^80 bytes must fail");
    CHECK(a.live_blocks == 0, "failed calls leave nothing live");
    CHECK(a.calls == 4, "failed calls are still counted (%llu)", (unsigned long long)a.calls);
    size_t out = 7;
    CHECK(!rt_size_mul(SIZE_MAX, 2, &out) && out == 7, "rt_size_mul overflow");
    CHECK(rt_size_mul(0, SIZE_MAX, &out) && out == 0, "rt_size_mul with zero");
    CHECK(!rt_size_add(SIZE_MAX, 1, &out), "rt_size_add overflow");
    CHECK(rt_size_add(SIZE_MAX - 1, 1, &out) && out == SIZE_MAX, "rt_size_add at the edge");
    void *p = rt_alloc_array(&a, 1000, 8);
    CHECK(p && rt_alloc_size(p) == 8000, "ordinary array");
    rt_free(&a, p);
}

static void test_realloc(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    uint32_t *v = rt_alloc_array(&a, 10, sizeof *v);
    for (uint32_t i = 0; i < 10; i++)
        v[i] = i * 7;
    uint32_t *w = rt_realloc_array(&a, v, 1000, sizeof *w);
    int bad = 0;
    for (uint32_t i = 0; i < 1000; i++)
        bad += w[i] != (i < 10 ? i * 7 : 0);
    CHECK(bad == 0 && (uintptr_t)w % RT_ALIGN == 0, "grown copy keeps prefix, zero tail");
    rt_allocator_fail_nth(&a, 1, false);
    uint32_t *x = rt_realloc_array(&a, w, 5000, sizeof *x);
    CHECK(x == NULL && w[9] == 63, "failed realloc leaves the old block valid");
    uint32_t *y = rt_realloc_array(&a, w, 3, sizeof *y);
    CHECK(y && y[2] == 14 && rt_alloc_size(y) == 12, "shrink keeps prefix");
    rt_free(&a, y);
    uint32_t *z = rt_realloc_array(&a, NULL, 4, sizeof *z);
    CHECK(z && z[3] == 0, "realloc of NULL allocates");
    rt_free(&a, z);
    CHECK(a.live_blocks == 0, "no leak after reallocations (%zu)", a.live_blocks);
}

static void test_fail_nth(void)
{
    RtAllocator a;
    rt_allocator_init(&a);
    void *p1 = rt_alloc(&a, 8);
    rt_allocator_fail_nth(&a, 3, false);
    void *p2 = rt_alloc(&a, 8), *p3 = rt_alloc(&a, 8), *p4 = rt_alloc(&a, 8);
    void *p5 = rt_alloc(&a, 8);
    CHECK(p1 && p2 && p3 && !p4 && p5, "one-shot: only the third call from now fails");
    rt_allocator_fail_nth(&a, 2, true);
    void *q1 = rt_alloc(&a, 8), *q2 = rt_alloc(&a, 8), *q3 = rt_alloc(&a, 8);
    CHECK(q1 && !q2 && !q3, "sticky: the second call from now and all later fail");
    rt_allocator_fail_nth(&a, 0, false);
    void *r1 = rt_alloc(&a, 8);
    CHECK(r1 != NULL, "hook cleared");
    rt_free(&a, p1), rt_free(&a, p2), rt_free(&a, p3), rt_free(&a, p5);
    rt_free(&a, q1), rt_free(&a, r1);
    CHECK(a.live_blocks == 0, "no leak (%zu)", a.live_blocks);
}

static void test_null_allocator(void)
{
    void *p = rt_alloc(NULL, 100);
    CHECK(p && (uintptr_t)p % RT_ALIGN == 0, "NULL allocator still allocates aligned");
    p = rt_realloc_array(NULL, p, 200, 1);
    CHECK(p && rt_alloc_size(p) == 200, "NULL allocator reallocates");
    rt_free(NULL, p);
    rt_free(NULL, NULL);
}

int main(void)
{
    test_alignment_and_zeroing();
    test_overflow();
    test_realloc();
    test_fail_nth();
    test_null_allocator();
    return rt_test_report();
}
