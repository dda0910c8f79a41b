/* rt_record.h - recording to files: spike rasters (CSV or the compact
 * BRSPK1 binary, specified in docs/runtime-api.md), sampled state or
 * synapse variables (CSV), and a reader for BRSPK1 files.
 *
 * Writers buffer their output and check every write, flush and close; a
 * failure returns RT_ERR_IO with the path and the system's reason, and the
 * writer stays failed (later writes return the same status). Nothing here
 * prints or exits. */
#ifndef BR_RT_RECORD_H
#define BR_RT_RECORD_H

#include "rt_alloc.h"
#include "rt_error.h"

#include <stdint.h>

/* Magic at offset 0 of a binary raster; the digit is the format version. */
#define RT_RASTER_MAGIC "BRSPK1"
#define RT_RASTER_MAGIC_LEN 6

/* Bytes gathered before each write(2)-sized fwrite. */
#define RT_RECORD_BUFFER (64 * 1024)

typedef struct RtPopulationInfo {
    const char *name;
    uint32_t size;
} RtPopulationInfo;

/* ---- Spike rasters ---- */

typedef enum RtRasterFormat {
    RT_RASTER_CSV,   /* "tick,population,neuron" rows, population by name */
    RT_RASTER_BINARY /* BRSPK1: delta-encoded varints, about 1-2 bytes a spike */
} RtRasterFormat;

typedef struct RtRasterWriter RtRasterWriter;

/* Creates (truncates) path. pops are copied; npops >= 1. */
RtStatus rt_raster_open(RtAllocator *alloc, const char *path, RtRasterFormat format,
                        const RtPopulationInfo *pops, uint32_t npops, double dt_ms,
                        RtRasterWriter **out, RtError *err);

/* The n spikes of population `pop` at `tick`. Ticks must not decrease from
 * one call to the next; neurons must be < the population's size and may
 * come in any order (they are written in increasing order). */
RtStatus rt_raster_write(RtRasterWriter *w, uint64_t tick, uint32_t pop, const uint32_t *neurons,
                         uint32_t n, RtError *err);

/* Flushes, closes and frees w (also after an error); returns the first
 * error the writer met, if any. NULL is ignored. */
RtStatus rt_raster_close(RtRasterWriter *w, RtError *err);

/* ---- A BRSPK1 file read back ---- */

typedef struct RtRasterPopulation {
    char *name;
    uint32_t size;
} RtRasterPopulation;

/* Spikes in file order: by tick, then in write order of populations,
 * then by neuron. */
typedef struct RtRaster {
    double dt_ms;
    uint32_t npops;
    RtRasterPopulation *pops;
    size_t count;
    uint64_t *ticks;
    uint32_t *populations;
    uint32_t *neurons;
    RtAllocator *alloc;
} RtRaster;

/* Reads and checks a whole BRSPK1 file: RT_ERR_FORMAT for a bad magic,
 * an out-of-range value, or a file that ends before its end marker. On
 * failure *out holds nothing that needs freeing. */
RtStatus rt_record_read(RtAllocator *alloc, const char *path, RtRaster *out, RtError *err);

/* Frees what rt_record_read filled in. */
void rt_raster_free(RtRaster *raster);

/* ---- Sampled variables (state of neurons, weights of synapses) ---- */

typedef struct RtSampleWriter RtSampleWriter;

/* CSV with the header "tick,target,variable,index,value". */
RtStatus rt_samples_open(RtAllocator *alloc, const char *path, RtSampleWriter **out,
                         RtError *err);

/* One row per sampled element: with indices, the elements indices[0..n)
 * of values (a whole state array); without, values[0..n). Doubles are
 * written with the fewest digits that read back exactly (15 to 17). */
RtStatus rt_samples_write(RtSampleWriter *w, uint64_t tick, const char *target,
                          const char *variable, const double *values, const uint32_t *indices,
                          uint32_t n, RtError *err);

RtStatus rt_samples_close(RtSampleWriter *w, RtError *err);

#endif /* BR_RT_RECORD_H */
