/* sema_table.c - a small hash table for names and pointers.
 * Scopes and the declaration table must stay fast on huge generated inputs
 * (fuzzers), so lookups are hashed rather than list walks. */
#include "sema_internal.h"
#include <stdint.h>
#include <string.h>

void table_init(Table *t, int strkeys)
{
    memset(t, 0, sizeof *t);
    t->strkeys = strkeys;
}

static uint64_t hash_key(const Table *t, const void *key)
{
    uint64_t h = 1469598103934665603ull;
    if (t->strkeys) {
        for (const unsigned char *p = key; *p; p++)
            h = (h ^ *p) * 1099511628211ull;
    } else {
        h ^= (uint64_t)(uintptr_t)key;
        h *= 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    return h;
}

static int same_key(const Table *t, const void *a, const void *b)
{
    return t->strkeys ? strcmp(a, b) == 0 : a == b;
}

/* Slot of key, or the empty slot where it would go. */
static int slot_of(const Table *t, const void *key)
{
    int mask = t->cap - 1;
    int i = (int)(hash_key(t, key) & (uint64_t)mask);
    while (t->keys[i] && !same_key(t, t->keys[i], key))
        i = (i + 1) & mask;
    return i;
}

void *table_get(const Table *t, const void *key)
{
    if (!t->cap || !key)
        return NULL;
    int i = slot_of(t, key);
    return t->keys[i] ? t->vals[i] : NULL;
}

static void grow(Arena *a, Table *t)
{
    Table old = *t;
    t->cap = old.cap ? old.cap * 2 : 8;
    t->count = 0;
    t->keys = ARENA_ARRAY(a, const void *, t->cap);
    t->vals = ARENA_ARRAY(a, void *, t->cap);
    for (int i = 0; i < old.cap; i++)
        if (old.keys[i])
            table_put(a, t, old.keys[i], old.vals[i]);
}

void table_put(Arena *a, Table *t, const void *key, void *val)
{
    if (!key)
        return;
    /* keep the load under 1/2 so probe runs stay short */
    if ((t->count + 1) * 2 > t->cap)
        grow(a, t);
    int i = slot_of(t, key);
    if (!t->keys[i]) {
        t->keys[i] = key;
        t->count++;
    }
    t->vals[i] = val;
}
