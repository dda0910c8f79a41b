/* rt_checkpoint.c - saving and loading a brain's dynamic state in SQLite
 * (rt_checkpoint.h). The arrays of a brain are listed once, by
 * each_array; saving binds them as BLOBs in one transaction, loading
 * checks each row's type, size and checksum before copying it back. */
#include "rt_brain_internal.h"
#include "rt_checkpoint.h"
#include "rt_checkpoint_db.h"
#include "rt_spec_io.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- hashing ------------------------------------------------------------- */

uint64_t rt_checkpoint_hash(const void *data, size_t n, uint64_t h)
{
    const uint8_t *p = data;
    h ^= 1469598103934665603ull;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 1099511628211ull;
    }
    for (; n; n--, p++)
        h = (h ^ *p) * 1099511628211ull;
    return h ^ (h >> 29);
}

static uint64_t hash_u64(uint64_t h, uint64_t v) { return rt_checkpoint_hash(&v, sizeof v, h); }

/* Sizes, connectivity, delays, kernels present, dt and seed. */
static uint64_t structure_hash(const RtBrain *b)
{
    uint64_t h = hash_u64(b->seed, b->npops);
    h = rt_checkpoint_hash(&b->dt, sizeof b->dt, h);
    h = hash_u64(hash_u64(h, b->ngroups), b->ninputs);
    for (uint32_t p = 0; p < b->npops; p++) {
        const RtPop *pop = &b->pops[p];
        uint64_t shape[] = {pop->size, (uint64_t)pop->nstates, (uint64_t)pop->ninputs,
                            (uint64_t)pop->nparams, pop->s.refr_left != NULL, pop->ring_len};
        h = rt_checkpoint_hash(shape, sizeof shape, h);
    }
    for (uint32_t i = 0; i < b->ngroups; i++) {
        const RtGroup *g = &b->groups[i];
        uint64_t nsyn = g->s.row_ptr[g->n_pre];
        uint64_t shape[] = {g->pre, g->post, nsyn, (uint64_t)g->nstates, (uint64_t)g->nparams,
                            (uint64_t)g->nrefs, g->on_pre != NULL, g->on_post != NULL,
                            g->on_tick != NULL, g->on_reward != NULL, g->gap != NULL};
        h = rt_checkpoint_hash(shape, sizeof shape, h);
        h = rt_checkpoint_hash(g->s.row_ptr, sizeof(uint64_t) * ((size_t)g->n_pre + 1), h);
        h = rt_checkpoint_hash(rt_group_col(g), sizeof(uint32_t) * nsyn, h); /* synapse-id order */
        if (rt_group_delay(g))
            h = rt_checkpoint_hash(rt_group_delay(g), sizeof(uint16_t) * nsyn, h);
    }
    return h;
}

RtStatus rt_checkpoint_spec_hash(const RtBrainSpec *spec, const char *brain, uint64_t *out, RtError *err)
{
    RtSpecMeta meta = {brain, spec->seed, 0, NULL};
    uint8_t *blob = NULL;
    size_t size = 0;
    RtStatus st = rt_spec_write(spec, &meta, &blob, &size, err);
    if (!st)
        *out = rt_checkpoint_hash(blob, size, 0);
    free(blob);
    return st;
}

/* ---- the arrays of a brain --------------------------------------------------- */

typedef struct ArrayRef {
    char name[64];
    const char *dtype;      /* "f64", "u32", "u64", "u8" */
    size_t elem;
    uint64_t count;         /* elements now */
    uint64_t max;           /* > count: the count may change up to max (spike lists) */
    void *data;
} ArrayRef;

typedef RtStatus (*ArrayFn)(void *ctx, ArrayRef *a, RtError *err);

static RtStatus visit(ArrayFn fn, void *ctx, ArrayRef a, RtError *err)
{
    if (!a.max)
        a.max = a.count;
    return fn(ctx, &a, err);
}

#define F64(cnt, ptr) ((ArrayRef){"", "f64", 8, (cnt), 0, (ptr)})

static RtStatus each_pop_array(RtBrain *b, uint32_t p, ArrayFn fn, void *ctx, RtError *err)
{
    RtPop *pop = &b->pops[p];
    RtStatus st = RT_OK;
    ArrayRef a;
    for (int j = 0; !st && j < pop->nstates; j++) {
        a = F64(pop->size, pop->s.state[j]);
        snprintf(a.name, sizeof a.name, "pop/%u/state/%d", p, j);
        st = visit(fn, ctx, a, err);
    }
    for (int j = 0; !st && j < pop->ninputs; j++) {
        a = F64(pop->size, pop->s.input[j]);
        snprintf(a.name, sizeof a.name, "pop/%u/input/%d", p, j);
        st = visit(fn, ctx, a, err);
    }
    for (int v = 0; !st && v < pop->ninputs + pop->nstates; v++) {
        if (!pop->ring[v])
            continue;
        a = F64((uint64_t)pop->ring_len * pop->size, pop->ring[v]);
        snprintf(a.name, sizeof a.name, "pop/%u/ring/%d", p, v);
        st = visit(fn, ctx, a, err);
    }
    if (!st && pop->s.refr_left) {
        a = F64(pop->size, pop->s.refr_left);
        snprintf(a.name, sizeof a.name, "pop/%u/refractory", p);
        st = visit(fn, ctx, a, err);
    }
    if (!st) {
        a = (ArrayRef){"", "u32", 4, pop->nspikes, pop->size, pop->spikes};
        snprintf(a.name, sizeof a.name, "pop/%u/spikes", p);
        st = visit(fn, ctx, a, err);
    }
    if (!st) {
        a = (ArrayRef){"", "u64", 8, 1, 0, &pop->total_spikes};
        snprintf(a.name, sizeof a.name, "pop/%u/spike_count", p);
        st = visit(fn, ctx, a, err);
    }
    return st;
}

/* Brain-level reward carried across ticks (rt_brain_reward.c): the
 * deliveries given for the next tick (meta "deliveries" says how many:
 * loading sets b->ndeliveries first) and the spike counts of each
 * observation window (`spikes(pop, window)`). Named "reward/..."
 * (RT_CK_OPTIONAL): a checkpoint from before they were saved loads them
 * as zero. */
static RtStatus each_reward_array(RtBrain *b, ArrayFn fn, void *ctx, RtError *err)
{
    RtStatus st = visit(fn, ctx, (ArrayRef){"reward/delivery_group", "u32", 4, b->ndeliveries, 0, b->delivery_group},
                        err);
    if (!st)
        st = visit(fn, ctx, (ArrayRef){"reward/delivery_amount", "f64", 8, b->ndeliveries, 0, b->delivery_amount},
                   err);
    for (uint32_t o = 0; !st && o < b->nobserves; o++) {
        ArrayRef a = {"", "u64", 8, b->observes[o].window, 0, b->observes[o].counts};
        snprintf(a.name, sizeof a.name, "reward/observe/%u", o);
        st = visit(fn, ctx, a, err);
    }
    return st;
}

/* A synapse state is saved one value per synapse in synapse-id order
 * whatever its layout (rt_group_view.c): one kept otherwise goes through a
 * copy in that order, stored back after fn (which may have loaded it). */
static RtStatus visit_group_state(RtBrain *b, uint32_t i, int j, ArrayFn fn, void *ctx, RtError *err)
{
    RtGroup *g = &b->groups[i];
    uint64_t n = g->s.row_ptr[g->n_pre];
    double *direct = rt_group_state_direct(g, j), *copy = NULL;
    if (!direct) {
        if (!(copy = malloc(sizeof(double) * (n ? n : 1))))
            return rt_error_set(err, RT_ERR_NOMEM, "out of memory for a checkpoint of group %s", g->name);
        rt_group_state_get(g, j, copy);
    }
    ArrayRef a = F64(n, direct ? direct : copy);
    snprintf(a.name, sizeof a.name, "group/%u/state/%d", i, j);
    RtStatus st = visit(fn, ctx, a, err);
    if (copy) {
        if (!st)
            rt_group_state_set(g, j, copy);
        free(copy);
    }
    return st;
}

/* Every array of b's dynamic state, in a fixed order. */
static RtStatus each_array(RtBrain *b, ArrayFn fn, void *ctx, RtError *err)
{
    RtStatus st = each_reward_array(b, fn, ctx, err);
    for (uint32_t p = 0; !st && p < b->npops; p++)
        st = each_pop_array(b, p, fn, ctx, err);
    for (uint32_t i = 0; !st && i < b->ngroups; i++)
        for (int j = 0; !st && j < b->groups[i].nstates; j++)
            st = visit_group_state(b, i, j, fn, ctx, err);
    return st;
}

/* Arrays a checkpoint may lack (saved by later versions): loaded as zero. */
#define RT_CK_OPTIONAL "reward/"

static int optional_array(const char *name) { return strncmp(name, RT_CK_OPTIONAL, strlen(RT_CK_OPTIONAL)) == 0; }

static RtStatus count_array(void *ctx, ArrayRef *a, RtError *err)
{
    (void)err;
    *(uint64_t *)ctx += !optional_array(a->name);
    return RT_OK;
}

/* ---- saving ---------------------------------------------------------------------- */

static RtStatus save_array(void *ctx, ArrayRef *a, RtError *err)
{
    size_t bytes = (size_t)a->count * a->elem;
    return rt_ckdb_put_array(ctx, a->name, a->dtype, a->count, rt_checkpoint_hash(a->data, bytes, 0),
                             a->data, bytes, err);
}

/* Shapes for rt_checkpoint_print: names, sizes and state counts. */
static RtStatus save_shapes(RtCkDb *db, const RtBrain *b, RtError *err)
{
    char key[64], val[160];
    RtStatus st = RT_OK;
    for (uint32_t p = 0; !st && p < b->npops; p++) {
        snprintf(key, sizeof key, "pop.%u", p);
        snprintf(val, sizeof val, "%u %d %.128s", b->pops[p].size, b->pops[p].nstates, b->pops[p].name);
        st = rt_ckdb_put_meta(db, key, val, err);
    }
    for (uint32_t i = 0; !st && i < b->ngroups; i++) {
        const RtGroup *g = &b->groups[i];
        snprintf(key, sizeof key, "group.%u", i);
        snprintf(val, sizeof val, "%" PRIu64 " %d %.128s", g->s.row_ptr[g->n_pre], g->nstates, g->name);
        st = rt_ckdb_put_meta(db, key, val, err);
    }
    return st;
}

static RtStatus save_meta(RtCkDb *db, const RtBrain *b, const RtCheckpointMeta *m, RtError *err)
{
    char buf[64];
    RtStatus st = rt_ckdb_put_meta_u64(db, "schema_version", RT_CHECKPOINT_SCHEMA, err);
    if (!st)
        st = rt_ckdb_put_meta_u64(db, "tick", b->tick, err);
    if (!st)
        st = rt_ckdb_put_meta_u64(db, "deliveries", b->ndeliveries, err);
    if (!st)
        st = rt_ckdb_put_meta_u64(db, "structure_hash", structure_hash(b), err);
    if (!st)
        st = rt_ckdb_put_meta_u64(db, "npops", b->npops, err);
    if (!st)
        st = rt_ckdb_put_meta_u64(db, "ngroups", b->ngroups, err);
    snprintf(buf, sizeof buf, "%.17g", b->dt);
    if (!st)
        st = rt_ckdb_put_meta(db, "dt", buf, err);
    if (!st && m)
        st = rt_ckdb_put_identity(db, m, err);
    return st ? st : save_shapes(db, b, err);
}

RtStatus rt_checkpoint_save(RtBrain *b, const char *path, const RtCheckpointMeta *meta, RtError *err)
{
    RtCkDb *db = NULL;
    RtStatus st = rt_ckdb_open_write(path, &db, err);
    if (st)
        return st;
    st = rt_ckdb_begin(db, err);
    if (!st)
        st = save_meta(db, b, meta, err);
    if (!st)
        st = each_array(b, save_array, db, err);
    if (!st)
        st = rt_ckdb_commit(db, err);
    RtStatus cst = rt_ckdb_close(db, st ? NULL : err);
    return st ? st : cst;
}

/* ---- loading --------------------------------------------------------------------- */

static RtStatus load_array(void *ctx, ArrayRef *a, RtError *err)
{
    RtCkDb *db = ctx;
    RtCkArray row;
    if (optional_array(a->name) && !rt_ckdb_has_array(db, a->name)) {
        memset(a->data, 0, (size_t)a->count * a->elem);
        return RT_OK;
    }
    RtStatus st = rt_ckdb_get_array(db, a->name, &row, err);
    if (st)
        return st;
    if (strcmp(row.dtype, a->dtype) != 0 || row.count > a->max || (a->max == a->count && row.count != a->count) ||
        row.bytes != row.count * a->elem)
        return rt_error_set(err, RT_ERR_FORMAT,
                            "checkpoint is of a different network (array %s: %" PRIu64 " %s here, %" PRIu64
                            " %s in the checkpoint)", a->name, a->count, a->dtype, row.count, row.dtype);
    if (rt_checkpoint_hash(row.data, row.bytes, 0) != row.crc)
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint is damaged: array %s fails its checksum", a->name);
    if (row.bytes)
        memcpy(a->data, row.data, row.bytes);
    return RT_OK;
}

static RtStatus check_structure(RtCkDb *db, const RtBrain *b, RtError *err)
{
    uint64_t npops = 0, ngroups = 0, h = 0;
    RtStatus st = rt_ckdb_get_meta_u64(db, "npops", &npops, err);
    if (!st)
        st = rt_ckdb_get_meta_u64(db, "ngroups", &ngroups, err);
    if (!st)
        st = rt_ckdb_get_meta_u64(db, "structure_hash", &h, err);
    if (st)
        return st;
    if (npops != b->npops || ngroups != b->ngroups)
        return rt_error_set(err, RT_ERR_FORMAT,
                            "checkpoint is of a different network (%" PRIu64 " populations and %" PRIu64
                            " synapse groups, this brain has %u and %u)", npops, ngroups, b->npops, b->ngroups);
    if (h != structure_hash(b))
        return rt_error_set(err, RT_ERR_FORMAT,
                            "checkpoint is of a different network (sizes, connectivity, delays, time step "
                            "or seed differ)");
    uint64_t expected = 0, have = 0;
    each_array((RtBrain *)b, count_array, &expected, err);
    st = rt_ckdb_count_arrays(db, &have, err);
    if (!st && have != expected)
        st = rt_error_set(err, RT_ERR_FORMAT,
                          "checkpoint is of a different network (%" PRIu64 " arrays, this brain has %" PRIu64 ")",
                          have, expected);
    return st;
}

/* Last tick's spike lists are as long as their rows (each_array passes
 * the lengths by value). */
static RtStatus load_spikes_lengths(RtBrain *b, RtCkDb *db, RtError *err)
{
    for (uint32_t p = 0; p < b->npops; p++) {
        char name[64];
        RtCkArray row;
        snprintf(name, sizeof name, "pop/%u/spikes", p);
        RtStatus st = rt_ckdb_get_array(db, name, &row, err);
        if (st)
            return st;
        b->pops[p].nspikes = (uint32_t)row.count;
    }
    return RT_OK;
}

/* How many reward deliveries were pending (schema 3 on; before, none in
 * this form), with room made for them: as many as the saved list holds. */
static RtStatus pending_deliveries(RtBrain *b, RtCkDb *db, int schema, RtError *err)
{
    uint64_t n = 0;
    RtCkArray row = {0};
    RtStatus st = schema >= 3 ? rt_ckdb_get_meta_u64(db, "deliveries", &n, err) : RT_OK;
    if (!st && n && !(st = rt_ckdb_get_array(db, "reward/delivery_group", &row, err)) &&
        (row.count != n || n > UINT32_MAX))
        st = rt_error_set(err, RT_ERR_FORMAT, "checkpoint is damaged: its meta counts %" PRIu64
                          " pending rewards, its list holds %" PRIu64, n, row.count);
    if (!st && rt_brain_reserve_deliveries(b, n))
        st = rt_error_set(err, RT_ERR_NOMEM, "out of memory for %" PRIu64 " pending rewards", n);
    if (!st)
        b->ndeliveries = (uint32_t)n;
    return st;
}

/* An array of a schema 2 checkpoint, checked like load_array's. */
static RtStatus get_old(RtCkDb *db, const char *name, const char *dtype, uint64_t count, size_t elem,
                        RtCkArray *row, RtError *err)
{
    RtStatus st = rt_ckdb_get_array(db, name, row, err);
    if (!st && (row->count != count || row->bytes != count * elem || strcmp(row->dtype, dtype) != 0 ||
                rt_checkpoint_hash(row->data, row->bytes, 0) != row->crc))
        st = rt_error_set(err, RT_ERR_FORMAT, "checkpoint is damaged: array %s", name);
    return st;
}

/* Schema 2 kept pending reward as sums: "brain/reward" for every group
 * (when meta "rewarded" is 1) and "reward/group" for the groups flagged in
 * "reward/group_flag". They become one delivery each. */
static RtStatus load_old_reward(RtBrain *b, RtCkDb *db, RtError *err)
{
    uint64_t rewarded = 0;
    RtCkArray row;
    double all = 0;
    RtStatus st = rt_ckdb_get_meta_u64(db, "rewarded", &rewarded, err);
    if (!st && rewarded && !(st = get_old(db, "brain/reward", "f64", 1, 8, &row, err)))
        memcpy(&all, row.data, 8);
    if (!st && rewarded && rt_brain_reward(b, all))
        st = rt_error_set(err, RT_ERR_NOMEM, "out of memory for pending rewards");
    if (st || !rt_ckdb_has_array(db, "reward/group"))
        return st;
    double *amount = malloc(sizeof(double) * ((size_t)b->ngroups + 1));
    if (!amount)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory for pending rewards");
    if (!(st = get_old(db, "reward/group", "f64", b->ngroups, 8, &row, err)) && row.bytes)
        memcpy(amount, row.data, row.bytes);
    if (!st)
        st = get_old(db, "reward/group_flag", "u8", b->ngroups, 1, &row, err);
    for (uint32_t g = 0; !st && g < b->ngroups; g++)
        if (((const uint8_t *)row.data)[g] && rt_brain_reward_group(b, g, amount[g]))
            st = rt_error_set(err, RT_ERR_NOMEM, "out of memory for pending rewards");
    free(amount);
    return st;
}

RtStatus rt_checkpoint_load(RtBrain *b, const char *path, RtCheckpointMeta *out, RtError *err)
{
    RtCkDb *db = NULL;
    RtCheckpointMeta m;
    RtStatus st = rt_ckdb_open_read(path, &db, &m, err);
    if (st)
        return st;
    st = rt_ckdb_begin_read(db, err);
    if (!st)
        st = check_structure(db, b, err);
    if (!st)
        st = pending_deliveries(b, db, m.schema, err);
    if (!st)
        st = each_array(b, load_array, db, err);
    if (!st && m.schema < 3)
        st = load_old_reward(b, db, err);
    for (uint32_t k = 0; !st && k < b->ndeliveries; k++)
        if (b->delivery_group[k] >= b->ngroups && b->delivery_group[k] != RT_DELIVER_ALL)
            st = rt_error_set(err, RT_ERR_FORMAT, "checkpoint is damaged: a pending reward to group %u of %u",
                              b->delivery_group[k], b->ngroups);
    if (!st)
        st = load_spikes_lengths(b, db, err);
    if (!st) {
        b->tick = m.tick;
        rt_brain_reward_resync(b);   /* observation sums from the restored counts */
        rt_brain_live_invalidate(b); /* pruned flags were restored: rebuild the live runs */
    }
    rt_ckdb_close(db, NULL);
    if (!st && out)
        *out = m;
    return st;
}

RtStatus rt_checkpoint_read_meta(const char *path, RtCheckpointMeta *out, RtError *err)
{
    RtCkDb *db = NULL;
    RtCheckpointMeta m;
    RtStatus st = rt_ckdb_open_read(path, &db, &m, err);
    if (st)
        return st;
    rt_ckdb_close(db, NULL);
    if (out)
        *out = m;
    return RT_OK;
}
