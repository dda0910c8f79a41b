/* rt_record_db_print.c - the summary of an SQLite recording that `brainc
 * inspect` prints (rt_record_db.h): identity, ticks, spikes and rate of
 * each spikes record (every block decoded and checked), and of each
 * sampled record the statistics of its first and last sample and, for
 * synapse variables, how they changed from the first to the last. */
#include "rt_record_db.h"
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct Reader {
    sqlite3 *db;
    const char *path;
} Reader;

static RtStatus fail(Reader *r, int rc, RtError *err)
{
    int code = rc & 0xff;
    const char *msg = r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc);
    if (code == SQLITE_NOTADB)
        return rt_error_set(err, RT_ERR_FORMAT, "'%s' is not a brainc recording (not an SQLite database)", r->path);
    if (code == SQLITE_CORRUPT)
        return rt_error_set(err, RT_ERR_FORMAT, "recording '%s' is damaged (%s)", r->path, msg);
    return rt_error_set(err, RT_ERR_IO, "recording '%s': %s", r->path, msg);
}

static RtStatus damaged(Reader *r, const char *what, RtError *err)
{
    return rt_error_set(err, RT_ERR_FORMAT, "recording '%s' is damaged (%s)", r->path, what);
}

static RtStatus query_int(Reader *r, const char *sql, int64_t *out, RtError *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
    *out = 0;
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RT_OK : fail(r, rc, err);
}

static void meta(Reader *r, const char *key, char *buf, size_t size)
{
    sqlite3_stmt *st = NULL;
    buf[0] = 0;
    if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key=?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
}

static RtStatus meta_u64(Reader *r, const char *key, uint64_t *out, RtError *err)
{
    char buf[64], *end;
    meta(r, key, buf, sizeof buf);
    *out = strtoull(buf, &end, 10);
    if (!buf[0] || *end) {
        char what[80];
        snprintf(what, sizeof what, "no valid %s", key);
        return damaged(r, what, err);
    }
    return RT_OK;
}

/* Application id, tables and schema version. */
static RtStatus validate(Reader *r, RtError *err)
{
    int64_t app = 0, tables = 0, version = 0;
    RtStatus st = query_int(r, "PRAGMA application_id", &app, err);
    if (!st)
        st = query_int(r, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                          "('meta','populations','records','spikes','samples')", &tables, err);
    if (st)
        return st;
    if (app != RT_RECORDING_APP_ID)
        return rt_error_set(err, RT_ERR_FORMAT, "'%s' is not a brainc recording (an SQLite database of another "
                                                "program)", r->path);
    if (tables != 5)
        return damaged(r, "its tables are missing", err);
    uint64_t v = 0;
    if ((st = meta_u64(r, "schema_version", &v, err)))
        return st;
    version = (int64_t)v;
    if (version > RT_RECORDING_SCHEMA)
        return rt_error_set(err, RT_ERR_FORMAT, "recording '%s' was written by a newer brainc (schema version %"
                            PRId64 "; this brainc reads up to %d)", r->path, version, RT_RECORDING_SCHEMA);
    if (version < 1)
        return damaged(r, "schema version 0", err);
    return RT_OK;
}

/* ---- spikes ------------------------------------------------------------------- */

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && *p < end; shift += 7) {
        unsigned byte = *(*p)++;
        v |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80))
            return *out = v, 0;
    }
    return -1;
}

/* Decodes one block, checking ticks and neurons; returns its spike count or -1. */
static int64_t check_block(const unsigned char *p, size_t len, uint64_t t0, uint64_t t1, uint64_t size)
{
    const unsigned char *end = p + len;
    uint64_t tick = t0, total = 0;
    while (p < end) {
        uint64_t dt, n, neuron = 0, gap;
        if (get_varint(&p, end, &dt) || get_varint(&p, end, &n) || n == 0 || dt > t1 - tick)
            return -1;
        tick += dt;
        if (tick >= t1)
            return -1;
        for (uint64_t k = 0; k < n; k++) {
            if (get_varint(&p, end, &gap) || gap > size || (k && gap == 0))
                return -1;
            neuron += gap;
            if (neuron >= size)
                return -1;
        }
        total += n;
    }
    return (int64_t)total;
}

/* The spikes of record id, every block checked. */
static RtStatus count_spikes(Reader *r, int64_t id, uint64_t size, uint64_t *out, RtError *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db, "SELECT t0, t1, count, data FROM spikes WHERE record=? ORDER BY t0", -1,
                                &st, NULL);
    uint64_t total = 0, prev_end = 0;
    RtStatus s = RT_OK;
    if (rc == SQLITE_OK)
        sqlite3_bind_int64(st, 1, id);
    while (rc == SQLITE_OK && !s && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t t0 = (uint64_t)sqlite3_column_int64(st, 0), t1 = (uint64_t)sqlite3_column_int64(st, 1);
        int64_t n = check_block(sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3), t0, t1, size);
        if (t1 <= t0 || t0 < prev_end || n < 0 || n != sqlite3_column_int64(st, 2))
            s = damaged(r, "a block of spikes does not decode", err);
        prev_end = t1;
        total += (uint64_t)(n > 0 ? n : 0);
        rc = SQLITE_OK;
    }
    if (!s && rc != SQLITE_DONE)
        s = fail(r, rc, err);
    sqlite3_finalize(st);
    *out = total;
    return s;
}

/* ---- samples ------------------------------------------------------------------- */

typedef struct Stats {
    double mean, min, max;
} Stats;

/* Value k of a sample: little-endian doubles (size 8) or floats (4). */
static double value(const unsigned char *p, uint64_t k, int size)
{
    uint64_t bits = 0;
    for (int i = 0; i < size; i++)
        bits |= (uint64_t)p[(uint64_t)size * k + (uint64_t)i] << (8 * i);
    if (size == 8) {
        double v;
        memcpy(&v, &bits, 8);
        return v;
    }
    uint32_t b32 = (uint32_t)bits;
    float f;
    memcpy(&f, &b32, 4);
    return f;
}

static Stats stats(const unsigned char *p, uint64_t n, int size)
{
    Stats s = {NAN, NAN, NAN};
    double sum = 0;
    for (uint64_t k = 0; k < n; k++) {
        double v = value(p, k, size);
        sum += v;
        s.min = k == 0 || v < s.min ? v : s.min;
        s.max = k == 0 || v > s.max ? v : s.max;
    }
    if (n)
        s.mean = sum / (double)n;
    return s;
}

/* The sample of record id at its first (desc 0) or last tick: a malloc'd copy. */
static RtStatus sample(Reader *r, int64_t id, int desc, uint64_t count, int size, uint64_t *tick,
                       unsigned char **out, RtError *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db, desc ? "SELECT tick, data FROM samples WHERE record=? ORDER BY tick DESC LIMIT 1"
                                            : "SELECT tick, data FROM samples WHERE record=? ORDER BY tick LIMIT 1",
                                -1, &st, NULL);
    RtStatus s = RT_OK;
    *out = NULL;
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW) {
        size_t bytes = (size_t)sqlite3_column_bytes(st, 1);
        *tick = (uint64_t)sqlite3_column_int64(st, 0);
        if (bytes != (uint64_t)size * count)
            s = damaged(r, "a sample has the wrong size", err);
        else if ((*out = malloc(bytes + 8)) != NULL)
            memcpy(*out, sqlite3_column_blob(st, 1), bytes);
        else
            s = rt_error_set(err, RT_ERR_NOMEM, "out of memory");
    } else if (rc != SQLITE_DONE) {
        s = fail(r, rc, err);
    }
    sqlite3_finalize(st);
    return s;
}

static void print_stats(FILE *out, const char *label, uint64_t tick, Stats s)
{
    fprintf(out, "; %s (tick %" PRIu64 ") mean %.6g min %.6g max %.6g", label, tick, s.mean, s.min, s.max);
}

static RtStatus print_sampled(Reader *r, FILE *out, int64_t id, const char *name, uint64_t every, uint64_t count,
                              int synapse, const char *dtype, RtError *err)
{
    int size = strcmp(dtype, "f64") == 0 ? 8 : strcmp(dtype, "f32") == 0 ? 4 : 0;
    if (!size)
        return damaged(r, "a record has an unknown dtype", err);
    int64_t nsamples = 0;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM samples WHERE record=%" PRId64, id);
    RtStatus st = query_int(r, sql, &nsamples, err);
    if (st)
        return st;
    fprintf(out, "  %-24s every %" PRIu64 ", %" PRId64 " samples of %" PRIu64 " %s (%s)", name, every, nsamples,
            count, synapse ? "synapses" : "neurons", dtype);
    unsigned char *first = NULL, *last = NULL;
    uint64_t t_first = 0, t_last = 0;
    st = sample(r, id, 0, count, size, &t_first, &first, err);
    if (!st)
        st = sample(r, id, 1, count, size, &t_last, &last, err);
    if (!st && first && last) {
        print_stats(out, "first", t_first, stats(first, count, size));
        print_stats(out, "last", t_last, stats(last, count, size));
        if (synapse) {
            double d = 0, ad = 0;
            for (uint64_t k = 0; k < count; k++) {
                double x = value(last, k, size) - value(first, k, size);
                d += x, ad += fabs(x);
            }
            fprintf(out, "; change mean %+.6g mean |change| %.6g", count ? d / (double)count : 0,
                    count ? ad / (double)count : 0);
        }
    }
    fputc('\n', out);
    free(first);
    free(last);
    return st;
}

/* ---- the summary --------------------------------------------------------------- */

static RtStatus print_identity(Reader *r, FILE *out, double *ms, RtError *err)
{
    char version[64], brain[160], preset[160], params[1100], dt[64], complete[8], src[32], spec[32];
    uint64_t first = 0, end = 0, seed = 0;
    RtStatus st = meta_u64(r, "first_tick", &first, err);
    if (!st)
        st = meta_u64(r, "end_tick", &end, err);
    if (st)
        return st;
    meta(r, "version", version, sizeof version);
    meta(r, "brain", brain, sizeof brain);
    meta(r, "preset", preset, sizeof preset);
    meta(r, "params", params, sizeof params);
    meta(r, "dt", dt, sizeof dt);
    meta(r, "complete", complete, sizeof complete);
    meta(r, "seed", src, sizeof src);
    seed = strtoull(src, NULL, 10);
    meta(r, "source_hash", src, sizeof src);
    meta(r, "spec_hash", spec, sizeof spec);
    *ms = (double)(end - first) * strtod(dt, NULL);
    fprintf(out, "recording %s (schema %d, brainc %s)%s\n", r->path, RT_RECORDING_SCHEMA,
            version[0] ? version : "?", strcmp(complete, "1") == 0 ? "" : ", incomplete (the run stopped early)");
    fprintf(out, "brain %s, seed %" PRIu64 ", dt %g ms, ticks %" PRIu64 "..%" PRIu64 " (%" PRIu64 " ticks)\n",
            brain[0] ? brain : "?", seed, strtod(dt, NULL), first, end, end - first);
    fprintf(out, "preset %s, parameters %s\n", preset[0] ? preset : "(none)", params[0] ? params : "(defaults)");
    fprintf(out, "source hash %016" PRIx64 ", network hash %016" PRIx64 "\n", (uint64_t)strtoull(src, NULL, 10),
            (uint64_t)strtoull(spec, NULL, 10));
    return RT_OK;
}

static RtStatus print_spikes(Reader *r, FILE *out, sqlite3_stmt *q, double ms, RtError *err)
{
    int64_t id = sqlite3_column_int64(q, 0);
    const char *target = (const char *)sqlite3_column_text(q, 2);
    uint64_t count = (uint64_t)sqlite3_column_int64(q, 6), psize = (uint64_t)sqlite3_column_int64(q, 7);
    uint64_t n = 0;
    RtStatus st = count_spikes(r, id, psize, &n, err);
    if (st)
        return st;
    double rate = ms > 0 && count ? (double)n / (double)count / (ms / 1000.0) : 0;
    fprintf(out, "  %-24s %10" PRIu64 " neurons %10" PRIu64 " spikes  rate %.4g Hz\n", target ? target : "?",
            count, n, rate);
    return RT_OK;
}

/* Every record of one kind, in order. */
static RtStatus print_kind(Reader *r, FILE *out, const char *kind, const char *title, double ms, RtError *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(r->db, "SELECT r.id, r.kind, r.target, r.variable, r.pop, r.every, r.count, "
                                       "coalesce(p.size, 0), r.dtype FROM records r LEFT JOIN populations p ON p.id = r.pop "
                                       "WHERE r.kind=? ORDER BY r.id", -1, &q, NULL);
    RtStatus st = RT_OK;
    int shown = 0;
    if (rc == SQLITE_OK)
        sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && !st && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (!shown++)
            fprintf(out, "%s:\n", title);
        rc = SQLITE_OK;
        if (kind[1] == 'p') { /* spikes */
            st = print_spikes(r, out, q, ms, err);
            continue;
        }
        char name[512];
        snprintf(name, sizeof name, "%s.%s", (const char *)sqlite3_column_text(q, 2),
                 (const char *)sqlite3_column_text(q, 3));
        const unsigned char *dtype = sqlite3_column_text(q, 8);
        st = print_sampled(r, out, sqlite3_column_int64(q, 0), name, (uint64_t)sqlite3_column_int64(q, 5),
                           (uint64_t)sqlite3_column_int64(q, 6), kind[1] == 'y', dtype ? (const char *)dtype : "",
                           err);
    }
    if (!st && rc != SQLITE_DONE)
        st = fail(r, rc, err);
    sqlite3_finalize(q);
    return st;
}

RtStatus rt_recdb_print(const char *path, FILE *out, RtError *err)
{
    Reader r = {NULL, path};
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return rt_error_set(err, RT_ERR_IO, "cannot open recording '%s': no such file", path);
    int rc = sqlite3_open_v2(path, &r.db, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(r.db);
        r.db = NULL;
        rc = sqlite3_open_v2(path, &r.db, SQLITE_OPEN_READONLY, NULL);
    }
    RtStatus st = rc == SQLITE_OK ? RT_OK : fail(&r, rc, err);
    double ms = 0;
    if (!st)
        st = validate(&r, err);
    if (!st && sqlite3_exec(r.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        st = fail(&r, sqlite3_errcode(r.db), err);
    if (!st)
        st = print_identity(&r, out, &ms, err);
    if (!st)
        st = print_kind(&r, out, "spikes", "spikes", ms, err);
    if (!st)
        st = print_kind(&r, out, "state", "state variables", ms, err);
    if (!st)
        st = print_kind(&r, out, "synapse", "synapse variables", ms, err);
    sqlite3_close_v2(r.db);
    return st;
}
