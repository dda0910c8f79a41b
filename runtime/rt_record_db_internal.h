/* rt_record_db_internal.h - what the two halves of the SQLite recording
 * writer share (rt_record_db.h): rt_record_db.c (the file, its schema and
 * records, opening and closing) and rt_record_db_write.c (blocks built on
 * the stepping thread, the writer thread that commits them). Internal to
 * brainrt. */
#ifndef BR_RT_RECORD_DB_INTERNAL_H
#define BR_RT_RECORD_DB_INTERNAL_H
#include "rt_record_db.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. */
typedef struct Bytes {
    unsigned char *p;
    size_t len, cap;
} Bytes;

/* A sample's place in its block's data. */
typedef struct SampleRef {
    uint32_t id;
    uint64_t tick;
    size_t off, len;
} SampleRef;

/* The rows of ticks [start, end), built by the stepping thread and written
 * in one transaction by the writer thread. */
typedef struct Block {
    struct Block *next;
    uint64_t start, end;
    int final;              /* the last block: marks the recording complete */
    Bytes data;             /* sample values, little-endian floats or doubles */
    SampleRef *refs;
    size_t nrefs, cap_refs;
    Bytes *spikes;          /* [nrecs] encoded spikes of each spikes record */
    uint64_t *counts;       /* [nrecs] */
    uint64_t *first;        /* [nrecs] t0 of each record's row: start, or later for a record added since */
    uint32_t nrecs;
} Block;

struct RtRecordDb {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *ins_spikes, *ins_sample, *set_meta;
    /* the stepping thread's side */
    uint8_t *is_spikes;     /* [nrecs] */
    int f64;                /* samples as doubles (else floats) */
    uint64_t *last;         /* [nrecs] tick of the last spikes written (block start at first) */
    uint32_t nrecs;
    Block *cur;
    uint64_t first_tick, block_start, end_tick;
    size_t pending;         /* bytes in cur */
    int sampling;           /* between sample_begin and sample_end */
    /* shared with the writer thread, under lock */
    pthread_mutex_t lock, conn; /* conn: the SQLite connection, held by whoever writes */
    pthread_cond_t cond;
    Block *queue, *queue_tail, *spare;
    unsigned queued;
    int started, stop;
    pthread_t thread;
    RtError failure;        /* the writer's first error */
};

/* "recording: out of memory". */
RtStatus rt_recdb_nomem(RtError *err);
/* Room for more bytes in b (RT_ERR_NOMEM). */
RtStatus rt_recdb_grow(Bytes *b, size_t more);
/* The connection's last error as an RtError naming the file. */
RtStatus rt_recdb_fail(RtRecordDb *db, RtError *err);
RtStatus rt_recdb_exec(RtRecordDb *db, const char *sql, RtError *err);
/* b emptied, with room for every record so far, starting at tick start. */
RtStatus rt_recdb_reset_block(RtRecordDb *db, Block *b, uint64_t start);
/* Hands the current block (ticks [block_start, end)) to the writer and
 * starts the next; returns the writer's first error, if any. */
RtStatus rt_recdb_hand_over(RtRecordDb *db, uint64_t end, int final, RtError *err);
#endif
