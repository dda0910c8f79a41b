/* test_record_db.c - the SQLite recording writer through its C API
 * (rt_record_db.h): spikes and samples written over several blocks are
 * read back with plain SQL and a decoder written here from the documented
 * layout, and compared with what was written; records added after the
 * writer thread started; a recording replaces a recording but never
 * another file. The writer thread shares only the block queue (a mutex)
 * and the connection (another); this test also runs clean under
 * ThreadSanitizer (gcc -fsanitize=thread with the runtime's sources). */
#define _POSIX_C_SOURCE 200809L
#include "../check.h"
#include "rt_record_db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TICKS 3500u
#define NPOP 50u

/* The deterministic "spikes" of tick t: neurons n with (n * 7 + t) % 11 == 0. */
static uint32_t spikes_of(uint64_t t, uint32_t *out)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < NPOP; k++)
        if ((k * 7 + t) % 11 == 0)
            out[n++] = k;
    return n;
}

static uint64_t get_varint(const unsigned char **p)
{
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        unsigned b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
}

/* Decodes every block of record id and compares with spikes_of. */
static int check_spikes(sqlite3 *db, int id, uint64_t first, uint64_t end)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT t0, t1, count, data FROM spikes WHERE record=? ORDER BY t0", -1, &st, NULL);
    sqlite3_bind_int(st, 1, id);
    uint64_t expect_t = first, total = 0, want_total = 0;
    uint32_t want[NPOP];
    int ok = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint64_t t0 = (uint64_t)sqlite3_column_int64(st, 0), t1 = (uint64_t)sqlite3_column_int64(st, 1);
        const unsigned char *p = sqlite3_column_blob(st, 3), *e = p + sqlite3_column_bytes(st, 3);
        uint64_t tick = t0, count = 0;
        ok = ok && t0 == expect_t;
        while (p < e) {
            tick += get_varint(&p);
            uint64_t n = get_varint(&p), neuron = 0;
            for (; expect_t < tick; expect_t++) /* ticks without spikes in between */
                ok = ok && spikes_of(expect_t, want) == 0;
            uint32_t m = spikes_of(tick, want);
            ok = ok && n == m;
            for (uint64_t k = 0; k < n && ok; k++) {
                neuron += get_varint(&p);
                ok = neuron == want[k];
            }
            count += n;
            expect_t = tick + 1;
        }
        ok = ok && count == (uint64_t)sqlite3_column_int64(st, 2) && tick < t1;
        expect_t = t1;
        total += count;
    }
    sqlite3_finalize(st);
    for (uint64_t t = first; t < end; t++)
        want_total += spikes_of(t, want);
    return ok && expect_t == end && total == want_total;
}

static int check_samples(sqlite3 *db, int id, uint64_t every, uint64_t first, uint64_t end, int f64)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT tick, data FROM samples WHERE record=? ORDER BY tick", -1, &st, NULL);
    sqlite3_bind_int(st, 1, id);
    uint64_t next = (first + every - 1) / every * every;
    int ok = 1;
    while (ok && sqlite3_step(st) == SQLITE_ROW) {
        uint64_t t = (uint64_t)sqlite3_column_int64(st, 0);
        const unsigned char *p = sqlite3_column_blob(st, 1);
        ok = t == next && sqlite3_column_bytes(st, 1) == (f64 ? 8 : 4) * 3;
        for (int k = 0; ok && k < 3; k++) {
            double want = (double)t * 0.5 + k * 0.1, got;
            if (f64) {
                memcpy(&got, p + 8 * k, 8);
                ok = got == want;
            } else {
                float f;
                memcpy(&f, p + 4 * k, 4);
                ok = f == (float)want;
            }
        }
        next += every;
    }
    sqlite3_finalize(st);
    return ok && next >= end;
}

static int64_t query(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void record_run(const char *path, uint64_t first, int f64)
{
    RtPopulationInfo pops[] = {{"a", NPOP}, {"b", 3}};
    RtCheckpointMeta meta = {.brain = "t", .seed = 7};
    RtRecordDb *db = NULL;
    RtError err = {0};
    CHECK(rt_recdb_open(path, &meta, pops, 2, 0.5, first, f64, &db, &err) == RT_OK, "open: %s", err.msg);
    if (!db)
        return;
    RtRecDbRecord spk = {RT_RECDB_SPIKES, "a", "", 0, 1, NPOP, NULL, NULL, NULL};
    RtRecDbRecord smp = {RT_RECDB_STATE, "b", "v", 1, 7, 3, NULL, NULL, NULL};
    uint32_t id_spk, id_smp, id_late = 0;
    CHECK(rt_recdb_add(db, &spk, &id_spk, &err) == RT_OK, "add spikes");
    CHECK(rt_recdb_add(db, &smp, &id_smp, &err) == RT_OK, "add samples");
    uint32_t list[NPOP];
    double values[3];
    RtStatus st = RT_OK;
    for (uint64_t t = first; t < first + TICKS && st == RT_OK; t++) {
        if (t == first + 1500) /* after the writer thread started */
            CHECK(rt_recdb_add(db, &spk, &id_late, &err) == RT_OK, "add a record late");
        uint32_t n = spikes_of(t, list);
        st = rt_recdb_spikes(db, id_spk, t, list, n, &err);
        if (!st && id_late && t >= first + 1500)
            st = rt_recdb_spikes(db, id_late, t, list, n, &err);
        if (!st && t % 7 == 0) {
            for (int k = 0; k < 3; k++)
                values[k] = (double)t * 0.5 + k * 0.1;
            st = rt_recdb_sample_begin(db, id_smp, t, &err);
            if (!st)
                st = rt_recdb_sample_append(db, values, NULL, 1, &err);
            if (!st)
                st = rt_recdb_sample_append(db, values + 1, NULL, 2, &err);
            if (!st)
                st = rt_recdb_sample_end(db, &err);
        }
        if (!st)
            st = rt_recdb_tick_done(db, t, &err);
    }
    CHECK(st == RT_OK, "writing: %s", err.msg);
    CHECK(rt_recdb_spikes(db, id_smp, first, list, 1, &err) == RT_ERR_ARG, "spikes into a sampled record");
    CHECK(rt_recdb_close(db, &err) == RT_OK, "close: %s", err.msg);

    sqlite3 *q = NULL;
    CHECK(sqlite3_open_v2(path, &q, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "reopen");
    CHECK(query(q, "PRAGMA application_id") == RT_RECORDING_APP_ID, "application id");
    CHECK(query(q, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='end_tick'") == (int64_t)(first + TICKS),
          "end_tick");
    CHECK(query(q, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='complete'") == 1, "complete");
    CHECK(query(q, "SELECT count(*) FROM spikes WHERE record=0") == 4, "4 blocks of 1000 ticks (3 full, 1 part)");
    CHECK(check_spikes(q, (int)id_spk, first, first + TICKS), "spikes read back (f64 %d)", f64);
    CHECK(check_spikes(q, (int)id_late, first + 1500, first + TICKS), "the late record's spikes");
    CHECK(query(q, "SELECT first_tick FROM records WHERE id=2") == (int64_t)(first + 1500), "its first_tick");
    CHECK(check_samples(q, (int)id_smp, 7, first, first + TICKS, f64), "samples read back (f64 %d)", f64);
    sqlite3_close(q);
}

int main(void)
{
    char dir[] = "/tmp/test_record_db_XXXXXX", path[128], other[128];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/r.db", dir);
    record_run(path, 0, 0);
    record_run(path, 0, 1); /* replaces the recording */
    record_run(path, 2000, 0);

    /* Another file is never overwritten. */
    snprintf(other, sizeof other, "%s/x.db", dir);
    FILE *f = fopen(other, "w");
    fputs("not a recording", f);
    fclose(f);
    RtPopulationInfo pop = {"a", 1};
    RtRecordDb *db = NULL;
    RtError err = {0};
    CHECK(rt_recdb_open(other, NULL, &pop, 1, 1, 0, 0, &db, &err) == RT_ERR_FORMAT && !db, "refuses another file");
    CHECK(strstr(err.msg, "not a brainc recording") != NULL, "message: %s", err.msg);
    CHECK(!rt_recdb_is_recording(other) && rt_recdb_is_recording(path), "is_recording");

    char cmd[256];
    snprintf(cmd, sizeof cmd, getenv("KEEP") ? "true %s" : "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return check_report("test_record_db");
}
