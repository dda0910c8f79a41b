/* rt_record_db.h - recordings in an SQLite file instead of CSV files
 * (docs/cli.md "Recording to SQLite", docs/runtime-api.md).
 *
 * Schema version RT_RECORDING_SCHEMA, PRAGMA application_id =
 * RT_RECORDING_APP_ID ("BRRC"):
 *   meta(key TEXT PRIMARY KEY, value TEXT): schema_version, brain, seed,
 *     preset, params, version, source_hash, spec_hash, dt, first_tick,
 *     end_tick (one past the last tick written), complete (0 / 1)
 *   populations(id INTEGER PRIMARY KEY, name TEXT, size INTEGER)
 *   records(id INTEGER PRIMARY KEY, kind TEXT 'spikes'|'state'|'synapse',
 *     target TEXT, variable TEXT, pop INTEGER (NULL: synapse), every
 *     INTEGER, count INTEGER (neurons or synapses per sample), dtype TEXT
 *     ('f32' or 'f64' for sampled records, '' for spikes), first_tick
 *     INTEGER (the first tick it covers), indices BLOB
 *     (u32 LE neurons of a selection; NULL: the whole population), pre
 *     BLOB, post BLOB (synapse: u32 LE pre and post neuron of each synapse))
 *   spikes(record, t0, t1, count, data; PRIMARY KEY(record, t0)): the
 *     spikes of ticks t0 <= t < t1 (blocks of RT_RECDB_BLOCK ticks; a
 *     record's first block starts at its first_tick); data repeats, for each tick with spikes
 *     in increasing order: varint(tick - previous tick (t0 at first)),
 *     varint(n), varint(first neuron), varint(gap to the next) x (n - 1);
 *     varints are unsigned LEB128, neurons are indices in the population.
 *   samples(record, tick, data; PRIMARY KEY(record, tick)): count values
 *     after tick `tick`, little-endian IEEE-754 floats (dtype f32: the
 *     double state rounded to nearest) or doubles (f64).
 *
 * Rows are gathered by the stepping thread into blocks of RT_RECDB_BLOCK
 * ticks (fewer when RT_RECDB_PENDING bytes wait) and written by a writer
 * thread, one transaction per block (at most two blocks wait; a slower
 * writer holds the run back), WAL mode: a process killed at any moment
 * leaves a readable file holding the blocks committed so far (end_tick
 * says how far). synchronous=OFF: no fsync, so a power cut or an OS crash
 * may lose or damage a recording (checkpoints, the state to resume from,
 * keep synchronous=FULL). */
#ifndef BR_RT_RECORD_DB_H
#define BR_RT_RECORD_DB_H
#include "rt_checkpoint.h"
#include <stdint.h>
#include <stdio.h>

#define RT_RECORDING_APP_ID 0x42525243 /* "BRRC" */
#define RT_RECORDING_SCHEMA 1
#define RT_RECDB_BLOCK 1000                  /* ticks per transaction */
#define RT_RECDB_PENDING (64u * 1024 * 1024) /* bytes that force a commit */

typedef struct RtRecordDb RtRecordDb;

typedef enum { RT_RECDB_SPIKES, RT_RECDB_STATE, RT_RECDB_SYNAPSE } RtRecDbKind;

/* One record's description (arrays are copied into the file). */
typedef struct RtRecDbRecord {
    RtRecDbKind kind;
    const char *target, *variable;
    uint32_t pop;                   /* SPIKES, STATE */
    uint32_t every;                 /* STATE, SYNAPSE */
    uint64_t count;                 /* values per sample; SPIKES: neurons selected */
    const uint32_t *indices;        /* SPIKES, STATE: the selection, or NULL */
    const uint32_t *pre, *post;     /* SYNAPSE: [count] */
} RtRecDbRecord;

/* Creates the recording path (replacing a recording there; refusing any
 * other existing file, RT_ERR_FORMAT) with the brain's identity (meta may
 * be NULL), populations and dt; first_tick is the brain's tick now; f64:
 * samples as doubles, else as floats. Rows are written by a thread of the
 * recording's own (or by the caller when none can be started). */
RtStatus rt_recdb_open(const char *path, const RtCheckpointMeta *meta, const RtPopulationInfo *pops,
                       uint32_t npops, double dt, uint64_t first_tick, int f64, RtRecordDb **out, RtError *err);

/* Adds a record; *id gets its number for the calls below. */
RtStatus rt_recdb_add(RtRecordDb *db, const RtRecDbRecord *rec, uint32_t *id, RtError *err);

/* The n spikes (ascending neurons) of record id at tick (ticks increase). */
RtStatus rt_recdb_spikes(RtRecordDb *db, uint32_t id, uint64_t tick, const uint32_t *neurons, uint32_t n,
                         RtError *err);

/* One sample: begin, append values (values[idx[k]] for k < n, or
 * values[0..n) without idx) until count values, end. */
RtStatus rt_recdb_sample_begin(RtRecordDb *db, uint32_t id, uint64_t tick, RtError *err);
RtStatus rt_recdb_sample_append(RtRecordDb *db, const double *values, const uint32_t *idx, uint64_t n,
                                RtError *err);
RtStatus rt_recdb_sample_end(RtRecordDb *db, RtError *err);

/* After every tick's records: commits when a block is full. */
RtStatus rt_recdb_tick_done(RtRecordDb *db, uint64_t tick, RtError *err);

/* Writes what is pending, marks the recording complete, closes and frees db. */
RtStatus rt_recdb_close(RtRecordDb *db, RtError *err);

/* 1 when path is an SQLite file with the recording's application id. */
int rt_recdb_is_recording(const char *path);

/* The summary `brainc inspect` prints for a recording (rt_record_db_print.c). */
RtStatus rt_recdb_print(const char *path, FILE *out, RtError *err);

#endif /* BR_RT_RECORD_DB_H */
