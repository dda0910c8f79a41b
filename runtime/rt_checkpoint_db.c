/* rt_checkpoint_db.c - checkpoint files in SQLite (rt_checkpoint_db.h).
 * Schema version 3:
 *   PRAGMA application_id = RT_CHECKPOINT_APP_ID
 *   meta(key TEXT PRIMARY KEY, value TEXT)       schema_version, tick, ...
 *   arrays(name TEXT PRIMARY KEY, dtype TEXT, count INTEGER, crc INTEGER, data BLOB)
 *   chunks(name TEXT, part INTEGER, data BLOB, PRIMARY KEY(name, part))
 * An array larger than the chunk size (RT_CKDB_CHUNK bytes, or
 * $BRAINC_CHECKPOINT_CHUNK for tests) has data NULL in arrays and its
 * bytes in parts 0, 1, ... of chunks, each at most a chunk (SQLite's
 * largest BLOB is 1e9 bytes). Version 1 had no chunks table; saving into
 * a version 1 file creates it (the migration), reading one needs nothing.
 * Version 3 keeps pending reward as a list of deliveries (rt_checkpoint.c
 * reads version 2's sums into one delivery each).
 * A save is one IMMEDIATE transaction in WAL mode with synchronous=FULL:
 * SQLite keeps the previous checkpoint until the commit is durable. */
#include "rt_checkpoint_db.h"
#include "rt_sqlite.h"
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct RtCkDb {
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *get_array;
    void *joined;        /* the last chunked array read, put together */
};

static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS arrays(name TEXT PRIMARY KEY, dtype TEXT NOT NULL,"
    " count INTEGER NOT NULL, crc INTEGER NOT NULL, data BLOB);"
    "CREATE TABLE IF NOT EXISTS chunks(name TEXT NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY(name, part));";

/* Migrations from schema v to v + 1, for v from RT_CKDB_OLDEST: 1 -> 2
 * adds the chunks table (schema_sql, run on every open for writing);
 * 2 -> 3 changes only what a save writes. */
#define RT_CKDB_OLDEST 1

/* Bytes per chunk of a large array: below SQLite's 1e9-byte BLOB limit. */
#define RT_CKDB_CHUNK (256u * 1024 * 1024)

static size_t chunk_size(void)
{
    const char *env = getenv("BRAINC_CHECKPOINT_CHUNK");
    char *end;
    unsigned long long v = env && *env ? strtoull(env, &end, 10) : 0;
    return v >= 8 && v <= RT_CKDB_CHUNK && !*end ? (size_t)v : RT_CKDB_CHUNK;
}

static RtStatus db_error(RtCkDb *db, int rc, RtError *err)
{
    const char *msg = db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc);
    int code = rc & 0xff;
    if (code == SQLITE_NOTADB)
        return rt_error_set(err, RT_ERR_FORMAT, "'%s' is not a brainc checkpoint (not an SQLite database)",
                            db->path);
    if (code == SQLITE_CORRUPT)
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint '%s' is damaged (%s)", db->path, msg);
    if (code == SQLITE_NOMEM)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory reading '%s'", db->path);
    return rt_error_set(err, RT_ERR_IO, "checkpoint '%s': %s", db->path, msg);
}

static RtStatus exec(RtCkDb *db, const char *sql, RtError *err)
{
    int rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? RT_OK : db_error(db, rc, err);
}

/* The first column of the first row of sql as an integer (0 when none). */
static RtStatus query_int(RtCkDb *db, const char *sql, int64_t *out, RtError *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->db, sql, -1, &st, NULL);
    *out = 0;
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RT_OK : db_error(db, rc, err);
}

static RtStatus open_db(const char *path, int flags, RtCkDb **out, RtError *err)
{
    RtCkDb *db = calloc(1, sizeof *db);
    if (!db)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory opening '%s'", path);
    db->path = path;
    int rc = sqlite3_open_v2(path, &db->db, flags, NULL);
    if (rc != SQLITE_OK) {
        RtStatus st = rt_error_set(err, RT_ERR_IO, "cannot open checkpoint '%s': %s", path,
                                   db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc));
        rt_ckdb_close(db, NULL);
        return st;
    }
    sqlite3_busy_timeout(db->db, 5000);
    *out = db;
    return RT_OK;
}

RtStatus rt_ckdb_close(RtCkDb *db, RtError *err)
{
    if (!db)
        return RT_OK;
    sqlite3_finalize(db->get_array);
    free(db->joined);
    int rc = sqlite3_close(db->db);
    RtStatus st = rc == SQLITE_OK ? RT_OK
                                  : rt_error_set(err, RT_ERR_IO, "closing checkpoint '%s' failed", db->path);
    free(db);
    return st;
}

/* The schema version in meta, 0 when there is none. */
static RtStatus schema_version(RtCkDb *db, int64_t *out, RtError *err)
{
    int64_t has = 0;
    RtStatus st = query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'", &has, err);
    if (!st && has)
        st = query_int(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='schema_version'", out, err);
    return st;
}

/* Whether an existing file may be written over: empty, or a checkpoint
 * this brainc understands. */
static RtStatus check_writable(RtCkDb *db, RtError *err)
{
    int64_t app = 0, tables = 0, version = 0;
    RtStatus st = query_int(db, "PRAGMA application_id", &app, err);
    if (!st)
        st = query_int(db, "SELECT count(*) FROM sqlite_master", &tables, err);
    if (st)
        return st;
    if (tables && app != RT_CHECKPOINT_APP_ID)
        return rt_error_set(err, RT_ERR_FORMAT, "'%s' is not a brainc checkpoint (a database of another "
                                                "program): not overwriting it", db->path);
    if (tables && !(st = schema_version(db, &version, err)) && version > RT_CHECKPOINT_SCHEMA)
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint '%s' was written by a newer brainc (schema "
                                                "version %" PRId64 "): not overwriting it", db->path, version);
    return st;
}

RtStatus rt_ckdb_open_write(const char *path, RtCkDb **out, RtError *err)
{
    RtCkDb *db = NULL;
    RtStatus st = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db, err);
    if (st)
        return st;
    int64_t tables = 0;
    st = check_writable(db, err);
    if (!st)
        st = query_int(db, "SELECT count(*) FROM sqlite_master", &tables, err);
    if (!st && !tables)
        st = exec(db, "PRAGMA page_size=65536", err);
    if (!st)
        st = exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536", err);
    if (!st && !tables) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA application_id=%d", RT_CHECKPOINT_APP_ID);
        st = exec(db, sql, err);
    }
    if (!st)
        st = exec(db, schema_sql, err); /* a new file's tables, or the migration of an older one */
    if (st) {
        rt_ckdb_close(db, NULL);
        return st;
    }
    *out = db;
    return RT_OK;
}

RtStatus rt_ckdb_begin(RtCkDb *db, RtError *err)
{
    RtStatus st = exec(db, "BEGIN IMMEDIATE", err);
    return st ? st : exec(db, "DELETE FROM meta; DELETE FROM arrays; DELETE FROM chunks", err);
}

RtStatus rt_ckdb_commit(RtCkDb *db, RtError *err) { return exec(db, "COMMIT", err); }

RtStatus rt_ckdb_begin_read(RtCkDb *db, RtError *err) { return exec(db, "BEGIN", err); }

RtStatus rt_ckdb_put_meta(RtCkDb *db, const char *key, const char *value, RtError *err)
{
    int rc = rt_sqlite_put_meta(db->db, key, value);
    return rc == SQLITE_DONE ? RT_OK : db_error(db, rc, err);
}

RtStatus rt_ckdb_put_meta_u64(RtCkDb *db, const char *key, uint64_t value, RtError *err)
{
    int rc = rt_sqlite_put_meta_u64(db->db, key, value);
    return rc == SQLITE_DONE ? RT_OK : db_error(db, rc, err);
}

RtStatus rt_ckdb_put_identity(RtCkDb *db, const RtCheckpointMeta *m, RtError *err)
{
    RtStatus st = rt_ckdb_put_meta(db, "brain", m->brain, err);
    if (!st)
        st = rt_ckdb_put_meta(db, "preset", m->preset, err);
    if (!st)
        st = rt_ckdb_put_meta(db, "params", m->params, err);
    if (!st)
        st = rt_ckdb_put_meta(db, "version", m->version, err);
    if (!st)
        st = rt_ckdb_put_meta_u64(db, "seed", m->seed, err);
    if (!st)
        st = rt_ckdb_put_meta_u64(db, "source_hash", m->source_hash, err);
    if (!st)
        st = rt_ckdb_put_meta_u64(db, "spec_hash", m->spec_hash, err);
    if (!st && m->labels)
        st = rt_ckdb_put_meta(db, "labels", m->labels, err);
    return st;
}

/* The bytes of a large array as parts of at most chunk bytes. */
static RtStatus put_chunks(RtCkDb *db, const char *name, const void *data, size_t bytes, size_t chunk,
                           RtError *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->db, "INSERT INTO chunks(name, part, data) VALUES(?, ?, ?)", -1, &st, NULL);
    for (size_t off = 0, part = 0; rc == SQLITE_OK && off < bytes; off += chunk, part++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)part);
        sqlite3_bind_blob64(st, 3, (const char *)data + off, bytes - off < chunk ? bytes - off : chunk, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db->db);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? RT_OK : db_error(db, rc, err);
}

RtStatus rt_ckdb_put_array(RtCkDb *db, const char *name, const char *dtype, uint64_t count, uint64_t crc,
                           const void *data, size_t bytes, RtError *err)
{
    size_t chunk = chunk_size();
    if (bytes > chunk) {
        RtStatus cst = put_chunks(db, name, data, bytes, chunk, err);
        if (cst)
            return cst;
        data = NULL;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->db, "INSERT INTO arrays(name, dtype, count, crc, data) VALUES(?, ?, ?, ?, ?)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, dtype, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)count);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)crc);
        if (data)
            sqlite3_bind_blob64(st, 5, data, (sqlite3_uint64)bytes, SQLITE_STATIC);
        else if (bytes)
            sqlite3_bind_null(st, 5); /* in chunks */
        else
            sqlite3_bind_blob64(st, 5, "", 0, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? RT_OK : db_error(db, rc, err);
}

/* ---- reading ------------------------------------------------------------- */

static int get_text(RtCkDb *db, const char *key, char *buf, size_t size)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    buf[0] = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key=?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *v = sqlite3_column_text(st, 0);
            snprintf(buf, size, "%s", v ? (const char *)v : "");
            found = 1;
        }
    }
    sqlite3_finalize(st);
    return found;
}

void rt_ckdb_get_meta_opt(RtCkDb *db, const char *key, char *buf, size_t size) { get_text(db, key, buf, size); }

RtStatus rt_ckdb_get_meta_u64(RtCkDb *db, const char *key, uint64_t *out, RtError *err)
{
    char buf[64], *end;
    if (!get_text(db, key, buf, sizeof buf))
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint '%s' is damaged (no %s)", db->path, key);
    *out = strtoull(buf, &end, 10);
    if (end == buf || *end)
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint '%s' is damaged (bad %s)", db->path, key);
    return RT_OK;
}

static void read_identity(RtCkDb *db, RtCheckpointMeta *m)
{
    char buf[64];
    memset(m, 0, sizeof *m);
    get_text(db, "brain", m->brain, sizeof m->brain);
    get_text(db, "preset", m->preset, sizeof m->preset);
    get_text(db, "params", m->params, sizeof m->params);
    get_text(db, "version", m->version, sizeof m->version);
    if (get_text(db, "seed", buf, sizeof buf))
        m->seed = strtoull(buf, NULL, 10);
    if (get_text(db, "source_hash", buf, sizeof buf))
        m->source_hash = strtoull(buf, NULL, 10);
    if (get_text(db, "spec_hash", buf, sizeof buf))
        m->spec_hash = strtoull(buf, NULL, 10);
}

/* Application id, tables, schema version (migrating older ones). */
static RtStatus validate(RtCkDb *db, RtCheckpointMeta *m, RtError *err)
{
    int64_t app = 0, version = 0, tables = 0;
    RtStatus st = query_int(db, "PRAGMA application_id", &app, err);
    if (!st)
        st = query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('meta','arrays')",
                       &tables, err);
    if (st)
        return st;
    int64_t any = 0;
    if ((app != RT_CHECKPOINT_APP_ID || tables != 2) &&
        (st = query_int(db, "SELECT count(*) FROM sqlite_master", &any, err)))
        return st;
    if (app != RT_CHECKPOINT_APP_ID || tables != 2)
        return rt_error_set(err, RT_ERR_FORMAT, "'%s' is not a brainc checkpoint (%s)", db->path,
                            !any ? "an empty file or database"
                            : app != RT_CHECKPOINT_APP_ID ? "an SQLite database of another program"
                                                          : "its tables are missing");
    if ((st = schema_version(db, &version, err)))
        return st;
    if (version > RT_CHECKPOINT_SCHEMA)
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint '%s' was written by a newer brainc (schema version %"
                            PRId64 "; this brainc reads up to %d)", db->path, version, RT_CHECKPOINT_SCHEMA);
    if (version < RT_CKDB_OLDEST)
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint '%s' has schema version %" PRId64 ", older than "
                            "any this brainc can migrate (%d..%d)", db->path, version, RT_CKDB_OLDEST,
                            RT_CHECKPOINT_SCHEMA);
    read_identity(db, m);
    m->schema = (int)version;
    return rt_ckdb_get_meta_u64(db, "tick", &m->tick, err);
}

RtStatus rt_ckdb_open_read(const char *path, RtCkDb **out, RtCheckpointMeta *meta, RtError *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return rt_error_set(err, RT_ERR_IO, "cannot open checkpoint '%s': no such file", path);
    if (!S_ISREG(sb.st_mode))
        return rt_error_set(err, RT_ERR_FORMAT, "'%s' is not a brainc checkpoint (not a file)", path);
    RtCkDb *db = NULL;
    RtStatus st = open_db(path, SQLITE_OPEN_READWRITE, &db, err);
    if (st && (st = open_db(path, SQLITE_OPEN_READONLY, &db, err)))
        return st;
    if ((st = validate(db, meta, err))) {
        rt_ckdb_close(db, NULL);
        return st;
    }
    *out = db;
    return RT_OK;
}

/* A chunked array: its parts in order put together into db->joined
 * (out->bytes is then their total; the caller checks it and the crc). */
static RtStatus join_chunks(RtCkDb *db, const char *name, RtCkArray *out, RtError *err)
{
    sqlite3_stmt *st = NULL;
    size_t total = 0, cap = 0;
    char *buf = NULL;
    int64_t expect = 0;
    int rc = sqlite3_prepare_v2(db->db, "SELECT part, data FROM chunks WHERE name=? ORDER BY part", -1, &st, NULL);
    if (rc == SQLITE_OK)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 1);
        rc = SQLITE_OK;
        if (sqlite3_column_int64(st, 0) != expect++) {
            rc = SQLITE_CORRUPT;
            break;
        }
        if (total + n > cap) {
            size_t grown_cap = (total + n) * 2;
            char *grown = realloc(buf, grown_cap);
            if (!grown) {
                rc = SQLITE_NOMEM;
                break;
            }
            buf = grown, cap = grown_cap;
        }
        if (n)
            memcpy(buf + total, sqlite3_column_blob(st, 1), n);
        total += n;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(buf);
        if (rc == SQLITE_CORRUPT)
            return rt_error_set(err, RT_ERR_FORMAT, "checkpoint '%s' is damaged (the parts of array %s are not "
                                "in sequence)", db->path, name);
        return rc == SQLITE_NOMEM ? rt_error_set(err, RT_ERR_NOMEM, "out of memory reading array %s", name)
                                  : db_error(db, rc, err);
    }
    free(db->joined);
    db->joined = buf;
    out->data = buf;
    out->bytes = total;
    return RT_OK;
}

RtStatus rt_ckdb_get_array(RtCkDb *db, const char *name, RtCkArray *out, RtError *err)
{
    int rc = SQLITE_OK;
    if (!db->get_array)
        rc = sqlite3_prepare_v2(db->db, "SELECT dtype, count, crc, data FROM arrays WHERE name=?", -1,
                                &db->get_array, NULL);
    sqlite3_stmt *st = db->get_array;
    if (rc != SQLITE_OK)
        return db_error(db, rc, err);
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint '%s' has no array %s (of a different network?)",
                            db->path, name);
    if (rc != SQLITE_ROW)
        return db_error(db, rc, err);
    const unsigned char *dt = sqlite3_column_text(st, 0);
    snprintf(out->dtype, sizeof out->dtype, "%s", dt ? (const char *)dt : "");
    out->count = (uint64_t)sqlite3_column_int64(st, 1);
    out->crc = (uint64_t)sqlite3_column_int64(st, 2);
    out->data = sqlite3_column_blob(st, 3);
    out->bytes = (size_t)sqlite3_column_bytes(st, 3);
    if (sqlite3_column_type(st, 3) == SQLITE_NULL)
        return join_chunks(db, name, out, err);
    return RT_OK;
}

RtStatus rt_ckdb_count_arrays(RtCkDb *db, uint64_t *out, RtError *err)
{
    int64_t n = 0;
    /* "brain/reward": schema 2's pending reward, now under reward/ */
    RtStatus st = query_int(db, "SELECT count(*) FROM arrays WHERE name NOT LIKE 'reward/%' AND name <> 'brain/reward'",
                            &n, err);
    *out = (uint64_t)n;
    return st;
}

int rt_ckdb_has_array(RtCkDb *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM arrays WHERE name=?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}
