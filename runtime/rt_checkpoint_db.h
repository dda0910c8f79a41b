/* rt_checkpoint_db.h - the SQLite layer of checkpoints (rt_checkpoint.c):
 * opening and validating a checkpoint file, its meta and arrays tables,
 * one transaction per save, schema versions and migrations. Internal to
 * brainrt; every SQLite error becomes an RtError naming the file. */
#ifndef BR_RT_CHECKPOINT_DB_H
#define BR_RT_CHECKPOINT_DB_H
#include "rt_checkpoint.h"
#include <stddef.h>
#include <stdint.h>

typedef struct RtCkDb RtCkDb;

/* One row of the arrays table; data is valid until the next get. */
typedef struct RtCkArray {
    char dtype[8];
    uint64_t count, crc;
    const void *data;
    size_t bytes;
} RtCkArray;

/* Opens path for a save (creating it), refusing files that are not
 * checkpoints; sets WAL, synchronous=FULL and the schema. */
RtStatus rt_ckdb_open_write(const char *path, RtCkDb **out, RtError *err);
/* Opens an existing checkpoint, validates it (application id, schema
 * version, tables) and reads its identity into *meta. */
RtStatus rt_ckdb_open_read(const char *path, RtCkDb **out, RtCheckpointMeta *meta, RtError *err);
/* Closes db; err gets the first failure when not NULL. */
RtStatus rt_ckdb_close(RtCkDb *db, RtError *err);

/* Starts the save's transaction and empties the tables. */
RtStatus rt_ckdb_begin(RtCkDb *db, RtError *err);
RtStatus rt_ckdb_commit(RtCkDb *db, RtError *err);
/* Starts a read transaction (a consistent snapshot for loading). */
RtStatus rt_ckdb_begin_read(RtCkDb *db, RtError *err);

RtStatus rt_ckdb_put_meta(RtCkDb *db, const char *key, const char *value, RtError *err);
RtStatus rt_ckdb_put_meta_u64(RtCkDb *db, const char *key, uint64_t value, RtError *err);
RtStatus rt_ckdb_put_identity(RtCkDb *db, const RtCheckpointMeta *m, RtError *err);
RtStatus rt_ckdb_put_array(RtCkDb *db, const char *name, const char *dtype, uint64_t count, uint64_t crc,
                           const void *data, size_t bytes, RtError *err);

/* A meta value; RT_ERR_FORMAT when missing. buf gets "" for missing
 * optional keys with get_meta_opt. */
RtStatus rt_ckdb_get_meta_u64(RtCkDb *db, const char *key, uint64_t *out, RtError *err);
void rt_ckdb_get_meta_opt(RtCkDb *db, const char *key, char *buf, size_t size);
RtStatus rt_ckdb_get_array(RtCkDb *db, const char *name, RtCkArray *out, RtError *err);
/* The arrays of the file, those named "reward/..." (optional) left out. */
RtStatus rt_ckdb_count_arrays(RtCkDb *db, uint64_t *out, RtError *err);
/* Whether the file has an array of that name. */
int rt_ckdb_has_array(RtCkDb *db, const char *name);
#endif
