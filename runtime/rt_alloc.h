/* rt_alloc.h - the runtime's only door to the heap: 64-byte aligned, zeroed
 * blocks with overflow-checked sizes, counted per RtAllocator so a test can
 * fail the Nth allocation and check that nothing leaks. There is no global
 * allocator: each brain (or test) owns one RtAllocator. */
#ifndef BR_RT_ALLOC_H
#define BR_RT_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One cache line on every x86-64 and most ARM cores: arrays that start on a
 * line never split a vector load, and threads working on different
 * partitions (multiples of RT_PARTITION_GRAIN elements) never share one.
 * Also the widest AVX-512 load, so generated code may use aligned loads. */
#define RT_ALIGN 64

/* Counters are plain fields: an allocator is used by one thread at a time
 * (creation and destruction, never inside a parallel region). */
typedef struct RtAllocator {
    uint64_t fail_nth;   /* 0: never fail; k: call number k (1-based) fails */
    bool fail_sticky;    /* when set, every call after number k fails too */
    uint64_t calls;      /* allocation calls so far, failed ones included */
    size_t live_blocks;  /* blocks allocated and not yet freed */
    size_t live_bytes;   /* their requested sizes, summed */
    size_t peak_bytes;   /* the largest live_bytes seen */
} RtAllocator;

/* Zero counters, no failure injected. */
void rt_allocator_init(RtAllocator *a);

/* The nth allocation call from now (1 = the next one) fails; if sticky,
 * every call after it fails too. nth = 0 turns the hook off. */
void rt_allocator_fail_nth(RtAllocator *a, uint64_t nth, bool sticky);

/* size bytes, zeroed, aligned to RT_ALIGN; size 0 gives a unique block.
 * NULL when out of memory, when the size overflows, or when the failure
 * hook fires. a may be NULL: then nothing is counted and nothing injected. */
void *rt_alloc(RtAllocator *a, size_t size);

/* count * elem_size bytes, with the product checked for overflow. */
void *rt_alloc_array(RtAllocator *a, size_t count, size_t elem_size);

/* Resizes p (NULL allowed) to count * elem_size bytes, keeping the common
 * prefix and zeroing any new tail. On failure returns NULL and p is still
 * valid and still owned by the caller. */
void *rt_realloc_array(RtAllocator *a, void *p, size_t count, size_t elem_size);

/* Frees a block from this allocator; NULL is ignored. */
void rt_free(RtAllocator *a, void *p);

/* The size requested for a live block. */
size_t rt_alloc_size(const void *p);

/* *out = x * y (or x + y); false, with *out untouched, on overflow. */
bool rt_size_mul(size_t x, size_t y, size_t *out);
bool rt_size_add(size_t x, size_t y, size_t *out);

#endif /* BR_RT_ALLOC_H */
