/* rt_record.c - raster and sample writers; see rt_record.h for the API
 * and docs/runtime-api.md for the BRSPK1 layout. The reader is in
 * rt_record_read.c. */
#include "rt_record.h"

#include "rt_outbuf.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names are written in one piece into the output buffer; a quoted CSV
 * field can be twice as long plus two quotes. Far above real names. */
#define RT_RECORD_MAX_NAME 1024

/* Longest LEB128 encoding of a uint64_t. */
#define RT_VARINT_MAX 10

struct RtRasterWriter {
    RtOutBuf out;
    RtRasterFormat format;
    uint32_t npops;
    uint32_t *sizes;
    char **csv_names;    /* population names as CSV fields */
    uint64_t last_tick;  /* tick of the latest block */
    uint64_t total;      /* spikes written, for the end marker */
    uint32_t *scratch;   /* sorted copy of an unsorted list */
    uint32_t scratch_capacity;
    RtAllocator *alloc;
};

struct RtSampleWriter {
    RtOutBuf out;
    RtAllocator *alloc;
};

/* ---- Encoding helpers ---- */

static size_t put_varint(char *dst, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        dst[n++] = (char)(v | 0x80);
        v >>= 7;
    }
    dst[n++] = (char)v;
    return n;
}

/* Decimal digits of v, no terminator; returns the length. */
static size_t put_u64(char *dst, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

static bool csv_needs_quotes(const char *s)
{
    return strpbrk(s, ",\"\r\n") != NULL;
}

/* s as a CSV field (RFC 4180 quoting when needed), NUL-terminated into dst
 * of at least 2 * strlen(s) + 3 bytes; returns the length. */
static size_t put_csv_field(char *dst, const char *s)
{
    if (!csv_needs_quotes(s)) {
        size_t n = strlen(s);
        memcpy(dst, s, n + 1);
        return n;
    }
    size_t n = 0;
    dst[n++] = '"';
    for (; *s; s++) {
        if (*s == '"')
            dst[n++] = '"';
        dst[n++] = *s;
    }
    dst[n++] = '"';
    dst[n] = '\0';
    return n;
}

static RtStatus check_name(const char *what, const char *name, RtError *err)
{
    if (!name)
        return rt_error_set(err, RT_ERR_ARG, "%s has no name", what);
    if (strlen(name) > RT_RECORD_MAX_NAME)
        return rt_error_set(err, RT_ERR_ARG, "%s name is longer than %d bytes", what,
                            RT_RECORD_MAX_NAME);
    return RT_OK;
}

/* ---- Raster writer ---- */

static void free_raster_writer(RtRasterWriter *w)
{
    for (uint32_t i = 0; w->csv_names && i < w->npops; i++)
        rt_free(w->alloc, w->csv_names[i]);
    rt_free(w->alloc, w->csv_names);
    rt_free(w->alloc, w->sizes);
    rt_free(w->alloc, w->scratch);
    rt_free(w->alloc, w);
}

static RtStatus copy_populations(RtRasterWriter *w, const RtPopulationInfo *pops, RtError *err)
{
    w->sizes = rt_alloc_array(w->alloc, w->npops, sizeof *w->sizes);
    w->csv_names = rt_alloc_array(w->alloc, w->npops, sizeof *w->csv_names);
    if (!w->sizes || !w->csv_names)
        return rt_error_set(err, RT_ERR_NOMEM, "raster: out of memory");
    for (uint32_t i = 0; i < w->npops; i++) {
        RtStatus st = check_name("raster population", pops[i].name, err);
        if (st != RT_OK)
            return st;
        w->sizes[i] = pops[i].size;
        w->csv_names[i] = rt_alloc(w->alloc, 2 * strlen(pops[i].name) + 3);
        if (!w->csv_names[i])
            return rt_error_set(err, RT_ERR_NOMEM, "raster: out of memory");
        put_csv_field(w->csv_names[i], pops[i].name);
    }
    return RT_OK;
}

/* Magic, dt as a little-endian IEEE-754 double, then the populations. */
static RtStatus write_binary_header(RtRasterWriter *w, const RtPopulationInfo *pops,
                                    double dt_ms, RtError *err)
{
    char head[RT_RASTER_MAGIC_LEN + 8 + RT_VARINT_MAX];
    memcpy(head, RT_RASTER_MAGIC, RT_RASTER_MAGIC_LEN);
    uint64_t bits;
    memcpy(&bits, &dt_ms, sizeof bits);
    for (int i = 0; i < 8; i++)
        head[RT_RASTER_MAGIC_LEN + i] = (char)(bits >> (8 * i));
    size_t n = RT_RASTER_MAGIC_LEN + 8 + put_varint(head + RT_RASTER_MAGIC_LEN + 8, w->npops);
    RtStatus st = rt_outbuf_write(&w->out, head, n, err);
    for (uint32_t i = 0; i < w->npops && st == RT_OK; i++) {
        size_t len = strlen(pops[i].name);
        char sizes[2 * RT_VARINT_MAX];
        size_t k = put_varint(sizes, pops[i].size);
        k += put_varint(sizes + k, len);
        st = rt_outbuf_write(&w->out, sizes, k, err);
        if (st == RT_OK)
            st = rt_outbuf_write(&w->out, pops[i].name, len, err);
    }
    return st;
}

static RtStatus write_header(RtRasterWriter *w, const RtPopulationInfo *pops, double dt_ms,
                             RtError *err)
{
    if (w->format == RT_RASTER_BINARY)
        return write_binary_header(w, pops, dt_ms, err);
    static const char csv_header[] = "tick,population,neuron\n";
    return rt_outbuf_write(&w->out, csv_header, sizeof csv_header - 1, err);
}

RtStatus rt_raster_open(RtAllocator *alloc, const char *path, RtRasterFormat format,
                        const RtPopulationInfo *pops, uint32_t npops, double dt_ms,
                        RtRasterWriter **out, RtError *err)
{
    *out = NULL;
    if (npops == 0)
        return rt_error_set(err, RT_ERR_ARG, "raster '%s': no populations", path);
    RtRasterWriter *w = rt_alloc(alloc, sizeof *w);
    if (!w)
        return rt_error_set(err, RT_ERR_NOMEM, "raster: out of memory");
    w->alloc = alloc;
    w->format = format;
    w->npops = npops;
    RtStatus st = copy_populations(w, pops, err);
    if (st == RT_OK)
        st = rt_outbuf_open(&w->out, alloc, path, RT_RECORD_BUFFER, err);
    if (st != RT_OK) {
        free_raster_writer(w);
        return st;
    }
    st = write_header(w, pops, dt_ms, err);
    if (st != RT_OK) {
        rt_outbuf_close(&w->out, NULL);
        free_raster_writer(w);
        return st;
    }
    *out = w;
    return RT_OK;
}

static int compare_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return (a > b) - (a < b);
}

/* Checks the neuron range; *list gets the neurons in increasing order
 * (the caller's array when it already is, else a sorted copy). */
static RtStatus sorted_neurons(RtRasterWriter *w, uint32_t pop, const uint32_t *neurons,
                               uint32_t n, const uint32_t **list, RtError *err)
{
    bool sorted = true;
    for (uint32_t i = 0; i < n; i++) {
        if (neurons[i] >= w->sizes[pop])
            return rt_error_set(err, RT_ERR_ARG,
                                "raster: neuron %u is outside population %u (size %u)",
                                neurons[i], pop, w->sizes[pop]);
        sorted = sorted && (i == 0 || neurons[i - 1] <= neurons[i]);
    }
    *list = neurons;
    if (sorted)
        return RT_OK;
    if (n > w->scratch_capacity) {
        uint32_t *grown = rt_realloc_array(w->alloc, w->scratch, n, sizeof *grown);
        if (!grown)
            return rt_error_set(err, RT_ERR_NOMEM, "raster: out of memory sorting %u spikes", n);
        w->scratch = grown;
        w->scratch_capacity = n;
    }
    memcpy(w->scratch, neurons, n * sizeof *neurons);
    qsort(w->scratch, n, sizeof *neurons, compare_u32);
    *list = w->scratch;
    return RT_OK;
}

/* Block: pop + 1, tick delta, count, first neuron, gaps. */
static RtStatus write_binary_block(RtRasterWriter *w, uint64_t tick, uint32_t pop,
                                   const uint32_t *neurons, uint32_t n, RtError *err)
{
    char *dst = rt_outbuf_reserve(&w->out, 3 * RT_VARINT_MAX, err);
    if (!dst)
        return RT_ERR_IO;
    size_t k = put_varint(dst, (uint64_t)pop + 1);
    k += put_varint(dst + k, tick - w->last_tick);
    k += put_varint(dst + k, n);
    rt_outbuf_commit(&w->out, k);
    uint32_t previous = 0;
    for (uint32_t i = 0; i < n; i++) {
        dst = rt_outbuf_reserve(&w->out, RT_VARINT_MAX, err);
        if (!dst)
            return RT_ERR_IO;
        rt_outbuf_commit(&w->out, put_varint(dst, neurons[i] - previous));
        previous = neurons[i];
    }
    return RT_OK;
}

static RtStatus write_csv_rows(RtRasterWriter *w, uint64_t tick, uint32_t pop,
                               const uint32_t *neurons, uint32_t n, RtError *err)
{
    const char *name = w->csv_names[pop];
    size_t name_len = strlen(name);
    for (uint32_t i = 0; i < n; i++) {
        char *dst = rt_outbuf_reserve(&w->out, name_len + 20 + 10 + 3, err);
        if (!dst)
            return RT_ERR_IO;
        size_t k = put_u64(dst, tick);
        dst[k++] = ',';
        memcpy(dst + k, name, name_len);
        k += name_len;
        dst[k++] = ',';
        k += put_u64(dst + k, neurons[i]);
        dst[k++] = '\n';
        rt_outbuf_commit(&w->out, k);
    }
    return RT_OK;
}

RtStatus rt_raster_write(RtRasterWriter *w, uint64_t tick, uint32_t pop, const uint32_t *neurons,
                         uint32_t n, RtError *err)
{
    if (rt_outbuf_failure(&w->out, err) != RT_OK)
        return w->out.failure.status;
    if (pop >= w->npops)
        return rt_error_set(err, RT_ERR_ARG, "raster: population %u of %u", pop, w->npops);
    if (tick < w->last_tick)
        return rt_error_set(err, RT_ERR_ARG, "raster: tick %llu after tick %llu",
                            (unsigned long long)tick, (unsigned long long)w->last_tick);
    if (n == 0)
        return RT_OK;
    const uint32_t *list = neurons;
    RtStatus st = sorted_neurons(w, pop, neurons, n, &list, err);
    if (st != RT_OK)
        return st;
    st = w->format == RT_RASTER_BINARY ? write_binary_block(w, tick, pop, list, n, err)
                                                : write_csv_rows(w, tick, pop, list, n, err);
    if (st == RT_OK) {
        w->last_tick = tick;
        w->total += n;
    }
    return st;
}

RtStatus rt_raster_close(RtRasterWriter *w, RtError *err)
{
    if (!w)
        return RT_OK;
    if (w->format == RT_RASTER_BINARY) {
        char end[1 + RT_VARINT_MAX];
        end[0] = 0;
        size_t n = 1 + put_varint(end + 1, w->total);
        rt_outbuf_write(&w->out, end, n, NULL);
    }
    RtStatus st = rt_outbuf_close(&w->out, err);
    free_raster_writer(w);
    return st;
}

/* ---- Sample writer ---- */

RtStatus rt_samples_open(RtAllocator *alloc, const char *path, RtSampleWriter **out,
                         RtError *err)
{
    *out = NULL;
    RtSampleWriter *w = rt_alloc(alloc, sizeof *w);
    if (!w)
        return rt_error_set(err, RT_ERR_NOMEM, "samples: out of memory");
    w->alloc = alloc;
    RtStatus st = rt_outbuf_open(&w->out, alloc, path, RT_RECORD_BUFFER, err);
    if (st != RT_OK) {
        rt_free(alloc, w);
        return st;
    }
    static const char header[] = "tick,target,variable,index,value\n";
    st = rt_outbuf_write(&w->out, header, sizeof header - 1, err);
    if (st != RT_OK) {
        rt_samples_close(w, NULL);
        return st;
    }
    *out = w;
    return RT_OK;
}

/* Shortest of %.15g / %.17g that reads back as v (finite values). */
static size_t put_double(char *dst, size_t size, double v)
{
    int n = snprintf(dst, size, "%.15g", v);
    if (isfinite(v) && strtod(dst, NULL) != v)
        n = snprintf(dst, size, "%.17g", v);
    return (size_t)n;
}

/* "tick,target,variable," into dst; returns the length. */
static size_t put_row_prefix(char *dst, uint64_t tick, const char *target, const char *variable)
{
    size_t k = put_u64(dst, tick);
    dst[k++] = ',';
    k += put_csv_field(dst + k, target);
    dst[k++] = ',';
    k += put_csv_field(dst + k, variable);
    dst[k++] = ',';
    return k;
}

/* One row: the prefix, the index, the formatted value. */
static RtStatus write_sample_row(RtSampleWriter *w, const char *prefix, size_t prefix_len,
                                 uint32_t index, const char *value, size_t value_len,
                                 RtError *err)
{
    char *dst = rt_outbuf_reserve(&w->out, prefix_len + 10 + value_len + 2, err);
    if (!dst)
        return RT_ERR_IO;
    memcpy(dst, prefix, prefix_len);
    size_t k = prefix_len + put_u64(dst + prefix_len, index);
    dst[k++] = ',';
    memcpy(dst + k, value, value_len);
    k += value_len;
    dst[k++] = '\n';
    rt_outbuf_commit(&w->out, k);
    return RT_OK;
}

/* Prefix buffer: a tick, two quoted names and three commas. */
#define RT_ROW_PREFIX_MAX (20 + 2 * (2 * RT_RECORD_MAX_NAME + 2) + 4)

static RtStatus begin_samples(RtSampleWriter *w, uint64_t tick, const char *target,
                              const char *variable, char *prefix, size_t *prefix_len,
                              RtError *err)
{
    if (rt_outbuf_failure(&w->out, err) != RT_OK)
        return w->out.failure.status;
    RtStatus st = check_name("sample target", target, err);
    if (st == RT_OK)
        st = check_name("sample variable", variable, err);
    if (st == RT_OK)
        *prefix_len = put_row_prefix(prefix, tick, target, variable);
    return st;
}

RtStatus rt_samples_write(RtSampleWriter *w, uint64_t tick, const char *target,
                          const char *variable, const double *values, const uint32_t *indices,
                          uint32_t n, RtError *err)
{
    char prefix[RT_ROW_PREFIX_MAX];
    size_t prefix_len = 0;
    RtStatus st = begin_samples(w, tick, target, variable, prefix, &prefix_len, err);
    for (uint32_t i = 0; i < n && st == RT_OK; i++) {
        uint32_t index = indices ? indices[i] : i;
        char value[40];
        size_t value_len = put_double(value, sizeof value, values[index]);
        st = write_sample_row(w, prefix, prefix_len, index, value, value_len, err);
    }
    return st;
}


RtStatus rt_samples_close(RtSampleWriter *w, RtError *err)
{
    if (!w)
        return RT_OK;
    RtStatus st = rt_outbuf_close(&w->out, err);
    rt_free(w->alloc, w);
    return st;
}
