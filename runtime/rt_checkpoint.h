/* rt_checkpoint.h - saving and restoring the dynamic state of a brain in
 * an SQLite file (docs/runtime-api.md, "Checkpoints").
 *
 * A checkpoint holds everything a brain needs to continue as if it had
 * never stopped: the tick, every population's state and input arrays,
 * refractory counters, delivery rings (pending deliveries), last tick's
 * spike lists and spike counts, every synapse state array, and the reward
 * given for the next tick. Poisson and noise stimuli need nothing: their draws are a
 * pure function of (seed, stream, neuron, tick). Recorders are not saved.
 *
 * File: SQLite with PRAGMA application_id = RT_CHECKPOINT_APP_ID, tables
 * meta(key, value) (schema_version, tick, identity) and arrays(name, dtype,
 * count, crc, data): one row per array, data a BLOB in host byte order,
 * crc a 64-bit checksum of data. Written in WAL mode with synchronous=FULL
 * as one transaction that replaces the previous checkpoint: a process
 * killed at any moment leaves the previous (or the new) checkpoint whole.
 *
 * Identity: the runtime stores a hash of the brain's structure (sizes,
 * connectivity, delays, kernels present, dt, seed) and refuses to load a
 * checkpoint into a brain of another structure. The caller adds what it
 * knows of where the brain came from (RtCheckpointMeta: program source
 * hash, spec hash, parameters, preset) and compares it before loading
 * (rt_checkpoint_read_meta). Every failure is an RtError, never a crash. */
#ifndef BR_RT_CHECKPOINT_H
#define BR_RT_CHECKPOINT_H
#include "rt_brain.h"
#include <stdint.h>
#include <stdio.h>

#define RT_CHECKPOINT_APP_ID 0x4252434b  /* "BRCK" */
#define RT_CHECKPOINT_SCHEMA 3           /* the schema this runtime writes (rt_checkpoint_db.c) */

/* Where a brain came from. Strings are cut to fit. */
typedef struct RtCheckpointMeta {
    char brain[128];       /* the brain's name */
    char preset[128];      /* "" when none */
    char params[1024];     /* the -D values, "name=value ..." */
    char version[32];      /* brainc version that wrote it */
    uint64_t seed;
    uint64_t source_hash;  /* of the program's source text */
    uint64_t spec_hash;    /* of the serialised network (rt_checkpoint_spec_hash) */
    uint64_t tick;         /* read only: the brain's tick when saved */
    int schema;            /* read only: the file's schema version */
    const char *labels;    /* save only, may be NULL: variable names for rt_checkpoint_print,
                            * lines "pop.P=v u" and "group.G=w x_pre x_post" (state slot order) */
} RtCheckpointMeta;

/* Saves b's state and meta (may be NULL) into path, replacing the
 * checkpoint there. Refuses (RT_ERR_FORMAT) to overwrite a file that is
 * not a brainc checkpoint. RT_ERR_IO when the file cannot be written. */
RtStatus rt_checkpoint_save(RtBrain *b, const char *path, const RtCheckpointMeta *meta, RtError *err);

/* Restores b from path and fills *out (may be NULL). RT_ERR_FORMAT with a
 * message for a file that is not a checkpoint, damaged, of another schema
 * version or of a network of another structure. Every array is checked
 * (size, checksum) before it is copied; if loading fails after the first
 * copy the brain's state is unspecified and it should be destroyed. */
RtStatus rt_checkpoint_load(RtBrain *b, const char *path, RtCheckpointMeta *out, RtError *err);

/* Reads only the metadata of the checkpoint in path (validated as by
 * rt_checkpoint_load, except the match with a brain). */
RtStatus rt_checkpoint_read_meta(const char *path, RtCheckpointMeta *out, RtError *err);

/* A 64-bit hash of spec as rt_spec_write serialises it with the brain's
 * name (RT_ERR_NOMEM on failure): equal for equal networks. */
RtStatus rt_checkpoint_spec_hash(const RtBrainSpec *spec, const char *brain, uint64_t *out, RtError *err);

/* A 64-bit checksum of n bytes (FNV-1a over 8-byte words). */
uint64_t rt_checkpoint_hash(const void *data, size_t n, uint64_t seed);

/* Writes a summary of the checkpoint in path to out: tick, brain, seed,
 * parameters, populations (size, mean of each state), synapse groups
 * (count, min/mean/max of each state). */
RtStatus rt_checkpoint_print(const char *path, FILE *out, RtError *err);

/* ---- Running with checkpoints (rt_checkpoint_run.c) ---- */

/* Restores b from path after comparing the checkpoint's identity with
 * expect: a checkpoint of another network (spec hash, brain, seed) is
 * refused, RT_ERR_FORMAT with a message saying what changed (source,
 * parameters, preset). Where only the source text changed and the network
 * is the same, it loads and writes a one-line note into note (else ""). */
RtStatus rt_checkpoint_resume(RtBrain *b, const char *path, const RtCheckpointMeta *expect, char *note,
                              size_t note_size, RtError *err);

/* Steps b for nticks ticks with rt_brain_step, saving into path after
 * every tick t with (t + 1) % every == 0 (every = 0: never in between;
 * the cadence follows the brain's own tick, so a resumed run keeps it)
 * and after the last tick. path NULL: just steps. */
RtStatus rt_checkpoint_step(RtBrain *b, uint64_t nticks, const char *path, uint64_t every,
                            const RtCheckpointMeta *meta, RtError *err);

/* Saves like rt_checkpoint_save, keeping the keep - 1 checkpoints before
 * it as "path.1" (the newest of them) ... "path.<keep-1>". The new one is
 * written whole into "path.new" first; then the older ones move up one
 * (renames, the oldest dropped), path is linked as "path.1" and "path.new"
 * renamed over path, so path holds a whole checkpoint at every moment.
 * keep <= 1: rt_checkpoint_save, in place. A path that exists and is not a
 * checkpoint is refused (RT_ERR_FORMAT). */
RtStatus rt_checkpoint_save_keep(RtBrain *b, const char *path, unsigned keep, const RtCheckpointMeta *meta,
                                 RtError *err);

/* rt_checkpoint_step with rt_checkpoint_save_keep for each save. */
RtStatus rt_checkpoint_step_keep(RtBrain *b, uint64_t nticks, const char *path, uint64_t every, unsigned keep,
                                 const RtCheckpointMeta *meta, RtError *err);

#endif /* BR_RT_CHECKPOINT_H */
