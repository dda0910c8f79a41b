/* rt_record_db_write.c - writing an SQLite recording (rt_record_db.h):
 * the stepping thread varint-encodes spikes and copies samples into the
 * current block; every block of ticks goes to the recording's writer
 * thread, which inserts it in one transaction. */
#include "rt_record_db_internal.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void put_varint(Bytes *b, uint64_t v)
{
    while (v >= 0x80) {
        b->p[b->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (unsigned char)v;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define RT_HOST_LE 1
#else
#define RT_HOST_LE 0
#endif

/* values[idx[k]] (or values[k]) for k < n as little-endian doubles. */
static void put_doubles(unsigned char *dst, const double *values, const uint32_t *idx, uint64_t n)
{
    if (RT_HOST_LE && !idx) {
        memcpy(dst, values, 8 * (size_t)n);
        return;
    }
    for (uint64_t k = 0; k < n; k++) {
        uint64_t bits;
        memcpy(&bits, &values[idx ? idx[k] : k], 8);
        for (int i = 0; i < 8; i++)
            dst[8 * k + (uint64_t)i] = (unsigned char)(bits >> (8 * i));
    }
}

/* The same rounded to floats (round to nearest), little-endian. */
static void put_floats(unsigned char *dst, const double *values, const uint32_t *idx, uint64_t n)
{
    if (RT_HOST_LE && !idx) { /* the common case, in a loop the compiler vectorises */
        for (uint64_t k = 0; k < n; k++) {
            float f = (float)values[k];
            memcpy(dst + 4 * k, &f, 4);
        }
        return;
    }
    for (uint64_t k = 0; k < n; k++) {
        float f = (float)values[idx ? idx[k] : k];
        uint32_t bits;
        memcpy(&bits, &f, 4);
        if (RT_HOST_LE) {
            memcpy(dst + 4 * k, &bits, 4);
            continue;
        }
        for (int i = 0; i < 4; i++)
            dst[4 * k + (uint64_t)i] = (unsigned char)(bits >> (8 * i));
    }
}

/* ---- the writer thread ---------------------------------------------------------- */

static RtStatus set_meta(RtRecordDb *db, const char *key, uint64_t v, RtError *err)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    sqlite3_reset(db->set_meta);
    sqlite3_bind_text(db->set_meta, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(db->set_meta, 2, buf, -1, SQLITE_TRANSIENT);
    return sqlite3_step(db->set_meta) == SQLITE_DONE ? RT_OK : rt_recdb_fail(db, err);
}

static RtStatus write_samples(RtRecordDb *db, const Block *b, RtError *err)
{
    sqlite3_stmt *q = db->ins_sample;
    for (size_t k = 0; k < b->nrefs; k++) {
        const SampleRef *r = &b->refs[k];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, r->id);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)r->tick);
        sqlite3_bind_blob64(q, 3, r->len ? (const void *)(b->data.p + r->off) : "", r->len, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            return rt_recdb_fail(db, err);
    }
    return RT_OK;
}

static RtStatus write_spikes(RtRecordDb *db, const Block *b, RtError *err)
{
    sqlite3_stmt *q = db->ins_spikes;
    for (uint32_t i = 0; i < b->nrecs; i++) {
        if (!b->counts[i])
            continue;
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, i);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)b->first[i]);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)b->end);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)b->counts[i]);
        sqlite3_bind_blob64(q, 5, b->spikes[i].p, b->spikes[i].len, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            return rt_recdb_fail(db, err);
    }
    return RT_OK;
}

/* One block in one transaction: samples, spikes, end_tick (and complete). */
static RtStatus write_block(RtRecordDb *db, const Block *b, RtError *err)
{
    pthread_mutex_lock(&db->conn);
    RtStatus st = rt_recdb_exec(db, "BEGIN", err);
    if (!st)
        st = write_samples(db, b, err);
    if (!st)
        st = write_spikes(db, b, err);
    if (!st)
        st = set_meta(db, "end_tick", b->end, err);
    if (!st && b->final)
        st = set_meta(db, "complete", 1, err);
    if (!st)
        st = rt_recdb_exec(db, "COMMIT", err);
    if (st)
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&db->conn);
    return st;
}

/* Writes a block and files it with the spares; keeps the first error. */
static void consume(RtRecordDb *db, Block *b)
{
    RtError e = {0};
    int failed = db->failure.status != RT_OK; /* only this thread writes it */
    RtStatus st = failed ? RT_OK : write_block(db, b, &e);
    pthread_mutex_lock(&db->lock);
    if (st && db->failure.status == RT_OK)
        db->failure = e;
    b->next = db->spare;
    db->spare = b;
    db->queued--;
    pthread_cond_broadcast(&db->cond);
    pthread_mutex_unlock(&db->lock);
}

static void *writer_main(void *arg)
{
    RtRecordDb *db = arg;
    for (;;) {
        pthread_mutex_lock(&db->lock);
        while (!db->queue && !db->stop)
            pthread_cond_wait(&db->cond, &db->lock);
        Block *b = db->queue;
        if (b) {
            db->queue = b->next;
            if (!db->queue)
                db->queue_tail = NULL;
        }
        pthread_mutex_unlock(&db->lock);
        if (!b)
            return NULL;
        consume(db, b);
    }
}

/* Hands cur (ticks [block_start, end)) to the writer - or, without a
 * thread, writes it here - and starts the next block. At most two blocks
 * wait: a writer slower than the run holds the run back. */
RtStatus rt_recdb_hand_over(RtRecordDb *db, uint64_t end, int final, RtError *err)
{
    Block *b = db->cur;
    if (!b) /* out of memory at the last hand-over */
        return rt_recdb_nomem(err);
    b->start = db->block_start, b->end = end, b->final = final;
    if (!db->started)
        db->started = pthread_create(&db->thread, NULL, writer_main, db) == 0 ? 1 : -1;
    Block *next = b; /* without a thread: written now, then reused */
    RtError failure;
    if (db->started < 0) {
        RtError e = {0};
        if (db->failure.status == RT_OK && write_block(db, b, &e))
            db->failure = e;
        failure = db->failure;
    } else {
        pthread_mutex_lock(&db->lock);
        while (db->queued >= 2)
            pthread_cond_wait(&db->cond, &db->lock);
        db->queued++;
        if (db->queue_tail)
            db->queue_tail->next = b;
        else
            db->queue = b;
        db->queue_tail = b;
        b->next = NULL;
        if ((next = db->spare) != NULL)
            db->spare = next->next;
        pthread_cond_broadcast(&db->cond);
        failure = db->failure;
        pthread_mutex_unlock(&db->lock);
    }
    if (!next)
        next = calloc(1, sizeof *next);
    db->cur = next;
    db->block_start = db->end_tick = end;
    db->pending = 0;
    for (uint32_t i = 0; i < db->nrecs; i++)
        db->last[i] = end;
    if (!next || rt_recdb_reset_block(db, next, end))
        return rt_recdb_nomem(err);
    if (failure.status != RT_OK) {
        if (err)
            *err = failure;
        return failure.status;
    }
    return RT_OK;
}

/* ---- writing, on the stepping thread ------------------------------------------------ */

RtStatus rt_recdb_spikes(RtRecordDb *db, uint32_t id, uint64_t tick, const uint32_t *neurons, uint32_t n,
                         RtError *err)
{
    if (id >= db->nrecs || !db->is_spikes[id])
        return rt_error_set(err, RT_ERR_ARG, "recording: no spikes record %u", id);
    if (!db->cur)
        return rt_recdb_nomem(err);
    if (!n)
        return RT_OK;
    if (tick < db->last[id])
        return rt_error_set(err, RT_ERR_ARG, "recording: tick %" PRIu64 " after tick %" PRIu64, tick, db->last[id]);
    Bytes *s = &db->cur->spikes[id];
    if (rt_recdb_grow(s, 10 * ((size_t)n + 2)))
        return rt_recdb_nomem(err);
    size_t before = s->len;
    put_varint(s, tick - db->last[id]);
    put_varint(s, n);
    uint32_t prev = 0;
    for (uint32_t k = 0; k < n; k++) {
        put_varint(s, neurons[k] - prev);
        prev = neurons[k];
    }
    db->last[id] = tick;
    db->cur->counts[id] += n;
    db->pending += s->len - before;
    return RT_OK;
}

RtStatus rt_recdb_sample_begin(RtRecordDb *db, uint32_t id, uint64_t tick, RtError *err)
{
    if (id >= db->nrecs || db->is_spikes[id])
        return rt_error_set(err, RT_ERR_ARG, "recording: no sampled record %u", id);
    if (!db->cur)
        return rt_recdb_nomem(err);
    Block *b = db->cur;
    if (b->nrefs == b->cap_refs) {
        size_t cap = b->cap_refs ? 2 * b->cap_refs : 64;
        SampleRef *grown = realloc(b->refs, cap * sizeof *grown);
        if (!grown)
            return rt_recdb_nomem(err);
        b->refs = grown, b->cap_refs = cap;
    }
    b->refs[b->nrefs] = (SampleRef){id, tick, b->data.len, 0};
    db->sampling = 1;
    return RT_OK;
}

RtStatus rt_recdb_sample_append(RtRecordDb *db, const double *values, const uint32_t *idx, uint64_t n,
                                RtError *err)
{
    if (!db->sampling)
        return rt_error_set(err, RT_ERR_ARG, "recording: a sample appended outside begin/end");
    Bytes *d = &db->cur->data;
    size_t size = db->f64 ? 8 : 4;
    if (rt_recdb_grow(d, size * (size_t)n))
        return rt_recdb_nomem(err);
    unsigned char *dst = d->p + d->len;
    if (db->f64)
        put_doubles(dst, values, idx, n);
    else
        put_floats(dst, values, idx, n);
    d->len += size * (size_t)n;
    return RT_OK;
}

RtStatus rt_recdb_sample_end(RtRecordDb *db, RtError *err)
{
    if (!db->sampling)
        return rt_error_set(err, RT_ERR_ARG, "recording: sample_end without sample_begin");
    Block *b = db->cur;
    SampleRef *r = &b->refs[b->nrefs++];
    r->len = b->data.len - r->off;
    db->pending += r->len;
    db->sampling = 0;
    return RT_OK;
}

RtStatus rt_recdb_tick_done(RtRecordDb *db, uint64_t tick, RtError *err)
{
    if (tick + 1 - db->block_start >= RT_RECDB_BLOCK || db->pending >= RT_RECDB_PENDING)
        return rt_recdb_hand_over(db, tick + 1, 0, err);
    db->end_tick = tick + 1;
    return RT_OK;
}
