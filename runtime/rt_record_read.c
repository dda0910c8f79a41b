/* rt_record_read.c - reads a BRSPK1 raster (docs/runtime-api.md) back
 * into memory, checking every field: the reader is the format's test
 * oracle and the way tools and tests look at recorded spikes. */
#include "rt_record.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* File bytes consumed front to back; `end` is one past the last byte. */
typedef struct RtCursor {
    const unsigned char *p;
    const unsigned char *end;
} RtCursor;

/* LEB128; false at the end of the data or for more than 64 bits. */
static bool get_varint(RtCursor *c, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (c->p == c->end)
            return false;
        unsigned byte = *c->p++;
        if (shift == 63 && byte > 1)
            return false;
        v |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static bool get_u32(RtCursor *c, uint32_t *out)
{
    uint64_t v;
    if (!get_varint(c, &v) || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* The whole file in one rt_alloc block; *size gets its length. */
static RtStatus slurp(RtAllocator *alloc, const char *path, unsigned char **data, size_t *size,
                      RtError *err)
{
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return rt_error_set(err, RT_ERR_IO, "cannot open '%s': %s", path,
                            errno ? strerror(errno) : "unknown error");
    size_t len = 0, cap = 1 << 16;
    unsigned char *buf = rt_alloc(alloc, cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        unsigned char *grown =
            cap <= SIZE_MAX / 2 ? rt_realloc_array(alloc, buf, cap * 2, 1) : NULL;
        if (!grown)
            rt_free(alloc, buf);
        buf = grown;
        cap *= 2;
    }
    bool failed = ferror(f);
    fclose(f);
    if (!buf)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory reading '%s'", path);
    if (failed) {
        rt_free(alloc, buf);
        return rt_error_set(err, RT_ERR_IO, "cannot read '%s'", path);
    }
    *data = buf;
    *size = len;
    return RT_OK;
}

static RtStatus bad(RtError *err, const char *path, const char *what)
{
    return rt_error_set(err, RT_ERR_FORMAT, "'%s' is not a valid BRSPK1 raster: %s", path, what);
}

static RtStatus read_population(RtRaster *r, RtCursor *c, RtRasterPopulation *pop,
                                const char *path, RtError *err)
{
    uint64_t len;
    if (!get_u32(c, &pop->size) || !get_varint(c, &len))
        return bad(err, path, "truncated population table");
    if (len > (uint64_t)(c->end - c->p))
        return bad(err, path, "population name runs past the end");
    pop->name = rt_alloc(r->alloc, (size_t)len + 1);
    if (!pop->name)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory reading '%s'", path);
    memcpy(pop->name, c->p, (size_t)len);
    c->p += len;
    return RT_OK;
}

static RtStatus read_header(RtRaster *r, RtCursor *c, const char *path, RtError *err)
{
    if (c->end - c->p < RT_RASTER_MAGIC_LEN + 8 ||
        memcmp(c->p, RT_RASTER_MAGIC, RT_RASTER_MAGIC_LEN) != 0)
        return bad(err, path, "no BRSPK1 magic");
    c->p += RT_RASTER_MAGIC_LEN;
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits |= (uint64_t)c->p[i] << (8 * i);
    memcpy(&r->dt_ms, &bits, sizeof bits);
    c->p += 8;
    if (!get_u32(c, &r->npops) || r->npops == 0 || r->npops > (size_t)(c->end - c->p))
        return bad(err, path, "bad population count");
    r->pops = rt_alloc_array(r->alloc, r->npops, sizeof *r->pops);
    if (!r->pops)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory reading '%s'", path);
    for (uint32_t i = 0; i < r->npops; i++) {
        RtStatus st = read_population(r, c, &r->pops[i], path, err);
        if (st != RT_OK)
            return st;
    }
    return RT_OK;
}

/* Room for `more` spikes beyond r->count in all three arrays. */
static bool reserve_spikes(RtRaster *r, size_t *capacity, uint64_t more)
{
    if (more <= *capacity - r->count)
        return true;
    size_t want = *capacity ? *capacity : 1024;
    while (want - r->count < more) {
        if (want > SIZE_MAX / 2)
            return false;
        want *= 2;
    }
    uint64_t *t = rt_realloc_array(r->alloc, r->ticks, want, sizeof *t);
    if (t)
        r->ticks = t;
    uint32_t *p = t ? rt_realloc_array(r->alloc, r->populations, want, sizeof *p) : NULL;
    if (p)
        r->populations = p;
    uint32_t *n = p ? rt_realloc_array(r->alloc, r->neurons, want, sizeof *n) : NULL;
    if (n)
        r->neurons = n;
    if (n)
        *capacity = want;
    return n != NULL;
}

/* One block after its tag: tick delta, count, first neuron, gaps. */
static RtStatus read_block(RtRaster *r, RtCursor *c, uint32_t pop, uint64_t *tick,
                           size_t *capacity, const char *path, RtError *err)
{
    uint64_t delta, n, neuron = 0;
    if (!get_varint(c, &delta) || !get_varint(c, &n))
        return bad(err, path, "truncated block header");
    if (delta > UINT64_MAX - *tick)
        return bad(err, path, "tick overflows");
    if (n == 0 || n > (uint64_t)(c->end - c->p))
        return bad(err, path, "bad spike count in a block");
    *tick += delta;
    if (!reserve_spikes(r, capacity, n))
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory reading '%s'", path);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t gap;
        if (!get_varint(c, &gap))
            return bad(err, path, "truncated spike list");
        neuron += gap;
        if (gap >= r->pops[pop].size || neuron >= r->pops[pop].size)
            return bad(err, path, "neuron index outside its population");
        r->ticks[r->count] = *tick;
        r->populations[r->count] = pop;
        r->neurons[r->count] = (uint32_t)neuron;
        r->count++;
    }
    return RT_OK;
}

/* Blocks until the end marker, whose spike total must match. */
static RtStatus read_blocks(RtRaster *r, RtCursor *c, const char *path, RtError *err)
{
    uint64_t tick = 0;
    size_t capacity = 0;
    for (;;) {
        uint64_t tag;
        if (!get_varint(c, &tag))
            return bad(err, path, "ends without an end marker (truncated?)");
        if (tag == 0)
            break;
        if (tag > r->npops)
            return bad(err, path, "block names an unknown population");
        RtStatus st = read_block(r, c, (uint32_t)(tag - 1), &tick, &capacity, path, err);
        if (st != RT_OK)
            return st;
    }
    uint64_t total;
    if (!get_varint(c, &total) || total != r->count)
        return bad(err, path, "end marker does not match the spikes read");
    if (c->p != c->end)
        return bad(err, path, "data after the end marker");
    return RT_OK;
}

RtStatus rt_record_read(RtAllocator *alloc, const char *path, RtRaster *out, RtError *err)
{
    memset(out, 0, sizeof *out);
    out->alloc = alloc;
    unsigned char *data = NULL;
    size_t size = 0;
    RtStatus st = slurp(alloc, path, &data, &size, err);
    if (st != RT_OK)
        return st;
    RtCursor c = { data, data + size };
    st = read_header(out, &c, path, err);
    if (st == RT_OK)
        st = read_blocks(out, &c, path, err);
    rt_free(alloc, data);
    if (st != RT_OK)
        rt_raster_free(out);
    return st;
}

void rt_raster_free(RtRaster *r)
{
    for (uint32_t i = 0; r->pops && i < r->npops; i++)
        rt_free(r->alloc, r->pops[i].name);
    rt_free(r->alloc, r->pops);
    rt_free(r->alloc, r->ticks);
    rt_free(r->alloc, r->populations);
    rt_free(r->alloc, r->neurons);
    RtAllocator *alloc = r->alloc;
    memset(r, 0, sizeof *r);
    r->alloc = alloc;
}
