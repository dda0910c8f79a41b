/* rt_record_db.c - the SQLite recording (rt_record_db.h): the file, its
 * schema, identity and records, opening and closing. Writing blocks of
 * rows is in rt_record_db_write.c. */
#include "rt_record_db_internal.h"
#include "rt_sqlite.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

RtStatus rt_recdb_nomem(RtError *err) { return rt_error_set(err, RT_ERR_NOMEM, "recording: out of memory"); }

RtStatus rt_recdb_grow(Bytes *b, size_t more)
{
    if (b->len + more <= b->cap)
        return RT_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p)
        return RT_ERR_NOMEM;
    b->p = p, b->cap = cap;
    return RT_OK;
}

RtStatus rt_recdb_fail(RtRecordDb *db, RtError *err)
{
    int code = sqlite3_errcode(db->db) & 0xff;
    return rt_error_set(err, code == SQLITE_NOMEM ? RT_ERR_NOMEM : RT_ERR_IO, "recording '%s': %s", db->path,
                        sqlite3_errmsg(db->db));
}

RtStatus rt_recdb_exec(RtRecordDb *db, const char *sql, RtError *err)
{
    return sqlite3_exec(db->db, sql, NULL, NULL, NULL) == SQLITE_OK ? RT_OK : rt_recdb_fail(db, err);
}

static RtStatus put_meta(RtRecordDb *db, const char *key, const char *value, RtError *err)
{
    return rt_sqlite_put_meta(db->db, key, value) == SQLITE_DONE ? RT_OK : rt_recdb_fail(db, err);
}

static RtStatus put_meta_u64(RtRecordDb *db, const char *key, uint64_t v, RtError *err)
{
    return rt_sqlite_put_meta_u64(db->db, key, v) == SQLITE_DONE ? RT_OK : rt_recdb_fail(db, err);
}

/* ---- the file -------------------------------------------------------------- */

int rt_recdb_is_recording(const char *path) { return rt_sqlite_app_id(path) == RT_RECORDING_APP_ID; }

/* An existing recording is replaced (with its WAL files); an empty file
 * is reused; anything else is refused. */
static RtStatus clear_path(const char *path, RtError *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return RT_OK;
    if (!S_ISREG(sb.st_mode))
        return rt_error_set(err, RT_ERR_IO, "cannot write the recording '%s': not a regular file", path);
    if (sb.st_size == 0)
        return RT_OK;
    if (rt_sqlite_app_id(path) != RT_RECORDING_APP_ID)
        return rt_error_set(err, RT_ERR_FORMAT, "'%s' exists and is not a brainc recording: not overwriting it",
                            path);
    char side[4096];
    const char *ext[] = {"-wal", "-shm"};
    for (int i = 0; i < 2; i++) {
        snprintf(side, sizeof side, "%s%s", path, ext[i]);
        unlink(side);
    }
    if (unlink(path) != 0)
        return rt_error_set(err, RT_ERR_IO, "cannot replace the recording '%s': %s", path, strerror(errno));
    return RT_OK;
}

static const char *const schema_sql =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE populations(id INTEGER PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL);"
    "CREATE TABLE records(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, target TEXT NOT NULL,"
    " variable TEXT NOT NULL, pop INTEGER, every INTEGER NOT NULL, count INTEGER NOT NULL, dtype TEXT NOT NULL,"
    " first_tick INTEGER NOT NULL,"
    " indices BLOB, pre BLOB, post BLOB);"
    "CREATE TABLE spikes(record INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL,"
    " count INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(record, t0));"
    "CREATE TABLE samples(record INTEGER NOT NULL, tick INTEGER NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY(record, tick));";

static RtStatus put_identity(RtRecordDb *db, const RtCheckpointMeta *m, double dt, RtError *err)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", dt);
    RtStatus st = put_meta_u64(db, "schema_version", RT_RECORDING_SCHEMA, err);
    if (!st)
        st = put_meta(db, "dt", buf, err);
    if (!st)
        st = put_meta_u64(db, "first_tick", db->first_tick, err);
    if (!st)
        st = put_meta_u64(db, "end_tick", db->first_tick, err);
    if (!st)
        st = put_meta(db, "complete", "0", err);
    if (st || !m)
        return st;
    const char *keys[] = {"brain", "preset", "params", "version"};
    const char *vals[] = {m->brain, m->preset, m->params, m->version};
    for (int i = 0; !st && i < 4; i++)
        st = put_meta(db, keys[i], vals[i], err);
    if (!st)
        st = put_meta_u64(db, "seed", m->seed, err);
    if (!st)
        st = put_meta_u64(db, "source_hash", m->source_hash, err);
    if (!st)
        st = put_meta_u64(db, "spec_hash", m->spec_hash, err);
    return st;
}

static RtStatus put_populations(RtRecordDb *db, const RtPopulationInfo *pops, uint32_t npops, RtError *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->db, "INSERT INTO populations(id, name, size) VALUES(?, ?, ?)", -1, &st, NULL);
    for (uint32_t p = 0; rc == SQLITE_OK && p < npops; p++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, p);
        sqlite3_bind_text(st, 2, pops[p].name ? pops[p].name : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, pops[p].size);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? RT_OK : rt_recdb_fail(db, err);
}

static RtStatus prepare(RtRecordDb *db, RtError *err)
{
    if (sqlite3_prepare_v2(db->db, "INSERT INTO spikes(record, t0, t1, count, data) VALUES(?, ?, ?, ?, ?)", -1,
                           &db->ins_spikes, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db, "INSERT INTO samples(record, tick, data) VALUES(?, ?, ?)", -1,
                           &db->ins_sample, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &db->set_meta,
                           NULL) != SQLITE_OK)
        return rt_recdb_fail(db, err);
    return RT_OK;
}

static void free_block(Block *b)
{
    if (!b)
        return;
    for (uint32_t i = 0; i < b->nrecs; i++)
        free(b->spikes[i].p);
    free(b->spikes);
    free(b->counts);
    free(b->first);
    free(b->refs);
    free(b->data.p);
    free(b);
}

static void free_blocks(Block *b)
{
    while (b) {
        Block *next = b->next;
        free_block(b);
        b = next;
    }
}

/* Frees db; the writer thread has stopped (or never started). */
static void free_db(RtRecordDb *db)
{
    sqlite3_finalize(db->ins_spikes);
    sqlite3_finalize(db->ins_sample);
    sqlite3_finalize(db->set_meta);
    sqlite3_close(db->db);
    free_block(db->cur);
    free_blocks(db->queue);
    free_blocks(db->spare);
    free(db->is_spikes);
    free(db->last);
    pthread_mutex_destroy(&db->lock);
    pthread_mutex_destroy(&db->conn);
    pthread_cond_destroy(&db->cond);
    free(db->path);
    free(db);
}

/* Room in b for every record so far (new ones empty; the rest kept). */
static RtStatus fit_block(RtRecordDb *db, Block *b)
{
    if (b->nrecs < db->nrecs) {
        Bytes *sp = realloc(b->spikes, db->nrecs * sizeof *sp);
        if (sp)
            b->spikes = sp;
        uint64_t *counts = realloc(b->counts, db->nrecs * sizeof *counts);
        if (counts)
            b->counts = counts;
        uint64_t *first = realloc(b->first, db->nrecs * sizeof *first);
        if (first)
            b->first = first;
        if (!sp || !counts || !first)
            return RT_ERR_NOMEM;
        memset(b->spikes + b->nrecs, 0, (db->nrecs - b->nrecs) * sizeof *sp);
        for (uint32_t i = b->nrecs; i < db->nrecs; i++)
            b->counts[i] = 0, b->first[i] = db->end_tick;
        b->nrecs = db->nrecs;
    }
    return RT_OK;
}

/* A block with room for every record so far, emptied, starting at start. */
RtStatus rt_recdb_reset_block(RtRecordDb *db, Block *b, uint64_t start)
{
    if (fit_block(db, b))
        return RT_ERR_NOMEM;
    for (uint32_t i = 0; i < b->nrecs; i++)
        b->spikes[i].len = 0, b->counts[i] = 0, b->first[i] = start;
    b->data.len = 0, b->nrefs = 0, b->final = 0, b->next = NULL;
    b->start = b->end = start;
    return RT_OK;
}

RtStatus rt_recdb_open(const char *path, const RtCheckpointMeta *meta, const RtPopulationInfo *pops,
                       uint32_t npops, double dt, uint64_t first_tick, int f64, RtRecordDb **out, RtError *err)
{
    *out = NULL;
    RtStatus st = clear_path(path, err);
    if (st)
        return st;
    RtRecordDb *db = calloc(1, sizeof *db);
    if (!db || !(db->path = malloc(strlen(path) + 1))) {
        free(db);
        return rt_recdb_nomem(err);
    }
    strcpy(db->path, path);
    db->first_tick = db->block_start = db->end_tick = first_tick;
    db->f64 = f64;
    pthread_mutex_init(&db->lock, NULL);
    pthread_mutex_init(&db->conn, NULL);
    pthread_cond_init(&db->cond, NULL);
    if (!(db->cur = calloc(1, sizeof *db->cur)) || rt_recdb_reset_block(db, db->cur, first_tick)) {
        free_db(db);
        return rt_recdb_nomem(err);
    }
    if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        st = rt_error_set(err, RT_ERR_IO, "cannot create the recording '%s': %s", path,
                          db->db ? sqlite3_errmsg(db->db) : "out of memory");
        free_db(db);
        return st;
    }
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA page_size=65536; PRAGMA application_id=%d", RT_RECORDING_APP_ID);
    st = rt_recdb_exec(db, sql, err);
    if (!st)
        /* WAL: a killed process leaves the committed blocks; no fsync
         * (synchronous=OFF: safe against a killed process, not against a
         * power cut); checkpoints of the WAL every 2 MiB run on the
         * writer thread, so little is left for the close. */
        st = rt_recdb_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA wal_autocheckpoint=32; "
                               "BEGIN", err);
    if (!st)
        st = rt_recdb_exec(db, schema_sql, err);
    if (!st)
        st = put_identity(db, meta, dt, err);
    if (!st)
        st = put_populations(db, pops, npops, err);
    if (!st)
        st = rt_recdb_exec(db, "COMMIT", err);
    if (!st)
        st = prepare(db, err);
    if (st) {
        free_db(db);
        unlink(path);
        return st;
    }
    *out = db;
    return RT_OK;
}

/* ---- records ---------------------------------------------------------------- */

static void bind_u32_blob(sqlite3_stmt *st, int col, const uint32_t *v, uint64_t n, unsigned char *buf)
{
    if (!v) {
        sqlite3_bind_null(st, col);
        return;
    }
    for (uint64_t k = 0; k < n; k++)
        for (int i = 0; i < 4; i++)
            buf[4 * k + (uint64_t)i] = (unsigned char)(v[k] >> (8 * i));
    sqlite3_bind_blob64(st, col, buf, 4 * n, SQLITE_TRANSIENT);
}

static RtStatus insert_record(RtRecordDb *db, const RtRecDbRecord *r, uint32_t id, RtError *err)
{
    static const char *const kinds[] = {"spikes", "state", "synapse"};
    unsigned char *buf = malloc(4 * (size_t)r->count + 4);
    if (!buf)
        return rt_recdb_nomem(err);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->db, "INSERT INTO records(id, kind, target, variable, pop, every, count, "
                                        "indices, pre, post, dtype, first_tick) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                -1,
                                &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, kinds[r->kind], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->target ? r->target : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, r->variable ? r->variable : "", -1, SQLITE_STATIC);
        if (r->kind == RT_RECDB_SYNAPSE)
            sqlite3_bind_null(st, 5);
        else
            sqlite3_bind_int64(st, 5, r->pop);
        sqlite3_bind_int64(st, 6, r->kind == RT_RECDB_SPIKES ? 1 : r->every);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)r->count);
        bind_u32_blob(st, 8, r->kind == RT_RECDB_SYNAPSE ? NULL : r->indices, r->count, buf);
        bind_u32_blob(st, 9, r->kind == RT_RECDB_SYNAPSE ? r->pre : NULL, r->count, buf);
        bind_u32_blob(st, 10, r->kind == RT_RECDB_SYNAPSE ? r->post : NULL, r->count, buf);
        sqlite3_bind_text(st, 11, r->kind == RT_RECDB_SPIKES ? "" : db->f64 ? "f64" : "f32", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 12, (sqlite3_int64)db->end_tick);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    free(buf);
    return rc == SQLITE_DONE ? RT_OK : rt_recdb_fail(db, err);
}

RtStatus rt_recdb_add(RtRecordDb *db, const RtRecDbRecord *rec, uint32_t *id, RtError *err)
{
    uint8_t *is_spikes = realloc(db->is_spikes, (size_t)db->nrecs + 1);
    if (is_spikes)
        db->is_spikes = is_spikes;
    uint64_t *last = realloc(db->last, ((size_t)db->nrecs + 1) * sizeof *last);
    if (last)
        db->last = last;
    if (!is_spikes || !last)
        return rt_recdb_nomem(err);
    pthread_mutex_lock(&db->conn); /* the writer thread may be using the connection */
    RtStatus st = insert_record(db, rec, db->nrecs, err);
    pthread_mutex_unlock(&db->conn);
    if (st)
        return st;
    if (!db->cur)
        return rt_recdb_nomem(err);
    db->is_spikes[db->nrecs] = rec->kind == RT_RECDB_SPIKES;
    db->last[db->nrecs] = db->end_tick; /* the next tick: the record's first */
    *id = db->nrecs++;
    if (fit_block(db, db->cur)) /* room for the new record, the block's rows kept */
        return rt_recdb_nomem(err);
    return RT_OK;
}


RtStatus rt_recdb_close(RtRecordDb *db, RtError *err)
{
    if (!db)
        return RT_OK;
    RtError e = {0};
    RtStatus st = rt_recdb_hand_over(db, db->end_tick, 1, &e);
    if (db->started > 0) {
        pthread_mutex_lock(&db->lock);
        db->stop = 1;
        pthread_cond_broadcast(&db->cond);
        pthread_mutex_unlock(&db->lock);
        pthread_join(db->thread, NULL);
    }
    if (!st && db->failure.status != RT_OK)
        e = db->failure, st = e.status;
    sqlite3_finalize(db->ins_spikes);
    sqlite3_finalize(db->ins_sample);
    sqlite3_finalize(db->set_meta);
    db->ins_spikes = db->ins_sample = db->set_meta = NULL;
    if (sqlite3_close(db->db) != SQLITE_OK && !st)
        st = rt_error_set(&e, RT_ERR_IO, "closing the recording '%s' failed", db->path);
    db->db = NULL;
    if (st && err)
        *err = e;
    free_db(db);
    return st;
}
