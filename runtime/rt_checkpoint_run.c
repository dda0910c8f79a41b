/* rt_checkpoint_run.c - the parts of a run with checkpoints that `brainc
 * run`, built executables and C API users share (rt_checkpoint.h):
 * resuming after an identity check, and stepping with periodic saves. */
#include "rt_checkpoint.h"
#include "rt_sqlite.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What differs between the checkpoint's identity c and the program's e. */
static void describe_change(const RtCheckpointMeta *c, const RtCheckpointMeta *e, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
#define ADD(...) (n < size ? (void)(n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__)) : (void)0)
    if (strcmp(c->brain, e->brain) != 0)
        ADD("; brain '%s' then, '%s' now", c->brain, e->brain);
    if (c->source_hash && e->source_hash && c->source_hash != e->source_hash)
        ADD("; the program's source changed");
    if (strcmp(c->params, e->params) != 0)
        ADD("; parameters '%s' then, '%s' now", c->params, e->params);
    if (strcmp(c->preset, e->preset) != 0)
        ADD("; preset '%s' then, '%s' now", c->preset, e->preset);
    if (c->seed != e->seed)
        ADD("; seed %llu then, %llu now", (unsigned long long)c->seed, (unsigned long long)e->seed);
    if (!n && strcmp(c->version, e->version) != 0)
        ADD("; written by %s%s, resumed by %s%s", strcmp(c->version, "standalone") ? "brainc " : "a built executable",
            strcmp(c->version, "standalone") ? c->version : "", strcmp(e->version, "standalone") ? "brainc " : "a built executable",
            strcmp(e->version, "standalone") ? e->version : "");
    if (!n)
        ADD("; the network's arrays differ");
#undef ADD
}

RtStatus rt_checkpoint_resume(RtBrain *b, const char *path, const RtCheckpointMeta *expect, char *note,
                              size_t note_size, RtError *err)
{
    RtCheckpointMeta m;
    if (note && note_size)
        note[0] = 0;
    RtStatus st = rt_checkpoint_read_meta(path, &m, err);
    if (st || !expect)
        return st ? st : rt_checkpoint_load(b, path, NULL, err);
    if ((m.spec_hash && expect->spec_hash && m.spec_hash != expect->spec_hash) ||
        strcmp(m.brain, expect->brain) != 0 || m.seed != expect->seed) {
        char why[600];
        describe_change(&m, expect, why, sizeof why);
        return rt_error_set(err, RT_ERR_FORMAT, "cannot resume from '%s': the checkpoint is of a different "
                            "network (%s)", path, why + 2);
    }
    if (note && m.source_hash && expect->source_hash && m.source_hash != expect->source_hash)
        snprintf(note, note_size, "the program's source changed since checkpoint '%s', but its network is the "
                 "same: resuming at tick %llu with all state carried over", path, (unsigned long long)m.tick);
    return rt_checkpoint_load(b, path, NULL, err);
}

/* ---- keeping the last K checkpoints ------------------------------------------ */

/* 1 when path holds an SQLite file with the checkpoints' application id,
 * 0 when it does not exist or is empty, -1 otherwise. */
static int checkpoint_file(const char *path)
{
    int64_t app = rt_sqlite_app_id(path);
    if (app == -1 && errno == ENOENT)
        return 0;
    return app == 0 ? 0 : app == RT_CHECKPOINT_APP_ID ? 1 : -1;
}

static void remove_db(const char *path)
{
    char side[4200];
    unlink(path);
    if (snprintf(side, sizeof side, "%s-wal", path) < (int)sizeof side)
        unlink(side);
    if (snprintf(side, sizeof side, "%s-shm", path) < (int)sizeof side)
        unlink(side);
}

static RtStatus io_error(const char *what, const char *path, RtError *err)
{
    return rt_error_set(err, RT_ERR_IO, "checkpoint: cannot %s '%s': %s", what, path, strerror(errno));
}

/* path.1 .. path.<keep-1> move up one (the oldest is dropped); path becomes path.1. */
static RtStatus rotate(const char *path, unsigned keep, RtError *err)
{
    char from[4200], to[4200];
    snprintf(to, sizeof to, "%s.%u", path, keep - 1);
    remove_db(to);
    for (unsigned k = keep - 1; k >= 2; k--) {
        snprintf(from, sizeof from, "%s.%u", path, k - 1);
        snprintf(to, sizeof to, "%s.%u", path, k);
        if (rename(from, to) != 0 && errno != ENOENT)
            return io_error("rename", from, err);
    }
    snprintf(to, sizeof to, "%s.1", path);
    remove_db(to);
    if (link(path, to) != 0 && rename(path, to) != 0) /* no hard links: a moment without path */
        return io_error("keep", path, err);
    return RT_OK;
}

RtStatus rt_checkpoint_save_keep(RtBrain *b, const char *path, unsigned keep, const RtCheckpointMeta *meta,
                                 RtError *err)
{
    if (keep <= 1)
        return rt_checkpoint_save(b, path, meta, err);
    if (strlen(path) > 4000)
        return rt_error_set(err, RT_ERR_ARG, "checkpoint: the path '%.64s...' is too long", path);
    int existing = checkpoint_file(path);
    if (existing < 0)
        return rt_error_set(err, RT_ERR_FORMAT, "'%s' is not a brainc checkpoint: not overwriting it", path);
    char fresh[4200];
    snprintf(fresh, sizeof fresh, "%s.new", path);
    remove_db(fresh); /* left by a run killed while saving */
    RtStatus st = rt_checkpoint_save(b, fresh, meta, err);
    if (!st && existing) {
        rt_checkpoint_read_meta(path, NULL, NULL); /* its last connection: folds a WAL left by a kill into it */
        st = rotate(path, keep, err);
    }
    if (!st && rename(fresh, path) != 0)
        st = io_error("rename", fresh, err);
    return st;
}

RtStatus rt_checkpoint_step(RtBrain *b, uint64_t nticks, const char *path, uint64_t every,
                            const RtCheckpointMeta *meta, RtError *err)
{
    return rt_checkpoint_step_keep(b, nticks, path, every, 1, meta, err);
}

RtStatus rt_checkpoint_step_keep(RtBrain *b, uint64_t nticks, const char *path, uint64_t every, unsigned keep,
                                 const RtCheckpointMeta *meta, RtError *err)
{
    if (!path)
        return rt_brain_step(b, nticks, err);
    RtStatus first = RT_OK;
    uint64_t end = rt_brain_tick(b) + nticks;
    while (rt_brain_tick(b) < end) {
        uint64_t t = rt_brain_tick(b), next = end;
        if (every && t / every * every + every < end)
            next = t / every * every + every;
        RtStatus st = rt_brain_step(b, next - t, err);
        first = first ? first : st;
        if (next < end && (st = rt_checkpoint_save_keep(b, path, keep, meta, err)))
            return st;
    }
    RtStatus st = rt_checkpoint_save_keep(b, path, keep, meta, err);
    return first ? first : st;
}
