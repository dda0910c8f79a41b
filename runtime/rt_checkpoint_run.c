/* rt_checkpoint_run.c - the parts of a run with checkpoints that `brainc
 * run`, built executables and C API users share (rt_checkpoint.h):
 * resuming after an identity check, and stepping with periodic saves. */
#include "rt_checkpoint.h"
#include <stdio.h>
#include <string.h>

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

RtStatus rt_checkpoint_step(RtBrain *b, uint64_t nticks, const char *path, uint64_t every,
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
        if (next < end && (st = rt_checkpoint_save(b, path, meta, err)))
            return st;
    }
    RtStatus st = rt_checkpoint_save(b, path, meta, err);
    return first ? first : st;
}
