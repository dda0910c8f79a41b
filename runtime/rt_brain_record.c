/* rt_brain_record.c - what a brain writes to files: the raster of every
 * population (rt_brain_record_spikes) and the recordings of a program's
 * `record` members (rt_brain_record_add): spikes of a population or a
 * selection, state variables and synapse variables every k ticks.
 * Everything is allocated from the brain's allocator; every write is
 * checked (rt_record.h, rt_outbuf.h) and the first failure is kept. */
#include "rt_brain_internal.h"
#include "rt_outbuf.h"
#include "rt_record_db.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct RtRecorder {
    struct RtRecorder *next;
    RtRecordKind kind;
    uint32_t pop, n, every, ngroups;
    int slot;
    uint32_t *idx;          /* [n] or NULL */
    uint8_t *selected;      /* SPIKES with idx: [pop size] 1 = recorded */
    uint32_t *scratch;      /* SPIKES with idx: [pop size] the selected spikes */
    uint32_t *groups;       /* SYNAPSE: [ngroups] */
    char *target, *variable;
    RtRasterWriter *raster; /* SPIKES */
    RtSampleWriter *samples; /* STATE */
    RtOutBuf out;           /* SYNAPSE */
    int out_open;
    int to_db;              /* written into b->recdb as record db_id */
    uint32_t db_id;
} RtRecorder;

static char *copy_string(RtAllocator *a, const char *s)
{
    size_t n = strlen(s ? s : "");
    char *c = rt_alloc(a, n + 1);
    if (c) {
        memcpy(c, s ? s : "", n);
        c[n] = 0;
    }
    return c;
}

static void *copy_array(RtAllocator *a, const void *src, size_t n, size_t size)
{
    void *p = rt_alloc_array(a, n + 1, size);
    if (p && n)
        memcpy(p, src, n * size);
    return p;
}

/* ---- checking a spec ------------------------------------------------------ */

static RtStatus check_neurons(const RtBrain *b, const RtRecordSpec *s, RtError *err)
{
    if (s->pop >= b->npops)
        return rt_error_set(err, RT_ERR_ARG, "record: population %u out of range", s->pop);
    for (uint32_t k = 0; s->idx && k < s->n; k++)
        if (s->idx[k] >= b->pops[s->pop].size)
            return rt_error_set(err, RT_ERR_ARG, "record: neuron %u outside population '%s'",
                                s->idx[k], b->pops[s->pop].name);
    if (s->kind == RT_RECORD_STATE && (s->slot < 0 || s->slot >= b->pops[s->pop].nstates))
        return rt_error_set(err, RT_ERR_ARG, "record: no state %d in population '%s'", s->slot,
                            b->pops[s->pop].name);
    return RT_OK;
}

static RtStatus check_spec(const RtBrain *b, const RtRecordSpec *s, RtError *err)
{
    if (s->to_db && !b->recdb)
        return rt_error_set(err, RT_ERR_ARG, "record: no SQLite recording is open (rt_brain_record_db)");
    if (!s->to_db && (!s->path || !*s->path))
        return rt_error_set(err, RT_ERR_ARG, "record: no file");
    if (s->kind != RT_RECORD_SPIKES && s->every < 1)
        return rt_error_set(err, RT_ERR_ARG, "record: `every` must be at least 1");
    if (s->kind != RT_RECORD_SYNAPSE)
        return check_neurons(b, s, err);
    for (uint32_t g = 0; g < s->ngroups; g++)
        if (s->groups[g] >= b->ngroups || s->slot < 0 || s->slot >= b->groups[s->groups[g]].nstates)
            return rt_error_set(err, RT_ERR_ARG, "record: no synapse variable %d in group %u", s->slot,
                                s->groups[g]);
    return RT_OK;
}

/* ---- creating and freeing a recorder ---------------------------------------- */

static void free_recorder(RtAllocator *a, RtRecorder *r)
{
    rt_free(a, r->idx);
    rt_free(a, r->selected);
    rt_free(a, r->scratch);
    rt_free(a, r->groups);
    rt_free(a, r->target);
    rt_free(a, r->variable);
    rt_free(a, r);
}

/* SPIKES with a selection: the mask of selected neurons and room for them. */
static RtStatus make_selection(RtAllocator *a, RtRecorder *r, uint32_t size, RtError *err)
{
    r->selected = rt_alloc(a, (size_t)size + 1);
    r->scratch = rt_alloc_array(a, (size_t)size + 1, sizeof(uint32_t));
    if (!r->selected || !r->scratch)
        return rt_error_set(err, RT_ERR_NOMEM, "record: out of memory");
    memset(r->selected, 0, (size_t)size + 1);
    for (uint32_t k = 0; k < r->n; k++)
        r->selected[r->idx[k]] = 1;
    return RT_OK;
}

static RtStatus copy_spec(RtBrain *b, RtRecorder *r, const RtRecordSpec *s, RtError *err)
{
    RtAllocator *a = &b->alloc;
    r->kind = s->kind, r->pop = s->pop, r->slot = s->slot;
    r->every = s->every ? s->every : 1;
    r->n = s->idx ? s->n : 0;
    r->ngroups = s->kind == RT_RECORD_SYNAPSE ? s->ngroups : 0;
    r->target = copy_string(a, s->target ? s->target : "");
    r->variable = copy_string(a, s->variable ? s->variable : "");
    if (s->idx && !(r->idx = copy_array(a, s->idx, s->n, sizeof(uint32_t))))
        return rt_error_set(err, RT_ERR_NOMEM, "record: out of memory");
    if (r->ngroups && !(r->groups = copy_array(a, s->groups, s->ngroups, sizeof(uint32_t))))
        return rt_error_set(err, RT_ERR_NOMEM, "record: out of memory");
    if (!r->target || !r->variable)
        return rt_error_set(err, RT_ERR_NOMEM, "record: out of memory");
    if (s->kind == RT_RECORD_SPIKES && s->idx)
        return make_selection(a, r, b->pops[s->pop].size, err);
    return RT_OK;
}

static RtStatus open_synapse_file(RtBrain *b, RtRecorder *r, const char *path, RtError *err)
{
    RtStatus st = rt_outbuf_open(&r->out, &b->alloc, path, RT_RECORD_BUFFER, err);
    if (st)
        return st;
    r->out_open = 1;
    static const char header[] = "tick,synapse,pre,post,value\n";
    return rt_outbuf_write(&r->out, header, sizeof header - 1, err);
}

/* The pre and post neuron of every synapse of r's groups, in record order. */
static RtStatus synapse_ends(const RtBrain *b, const RtRecorder *r, uint32_t **pre, uint32_t **post,
                             uint64_t *count, RtError *err)
{
    uint64_t n = 0, k = 0;
    for (uint32_t g = 0; g < r->ngroups; g++)
        n += b->groups[r->groups[g]].s.row_ptr[b->groups[r->groups[g]].n_pre];
    *pre = malloc(4 * (size_t)n + 4), *post = malloc(4 * (size_t)n + 4);
    if (!*pre || !*post)
        return rt_error_set(err, RT_ERR_NOMEM, "record: out of memory");
    for (uint32_t g = 0; g < r->ngroups; g++) {
        const RtGroup *gr = &b->groups[r->groups[g]];
        for (uint32_t i = 0; i < gr->n_pre; i++)
            for (uint64_t e = gr->s.row_ptr[i]; e < gr->s.row_ptr[i + 1]; e++, k++)
                (*pre)[k] = i, (*post)[k] = rt_group_col(gr)[e];
    }
    *count = n;
    return RT_OK;
}

/* Registers r in the brain's SQLite recording. */
static RtStatus open_db_record(RtBrain *b, RtRecorder *r, RtError *err)
{
    static const RtRecDbKind kinds[] = {[RT_RECORD_SPIKES] = RT_RECDB_SPIKES, [RT_RECORD_STATE] = RT_RECDB_STATE,
                                        [RT_RECORD_SYNAPSE] = RT_RECDB_SYNAPSE};
    RtRecDbRecord d = {kinds[r->kind], r->target, r->variable, r->pop, r->every, 0, r->idx, NULL, NULL};
    uint32_t *pre = NULL, *post = NULL;
    RtStatus st = RT_OK;
    if (r->kind == RT_RECORD_SYNAPSE)
        st = synapse_ends(b, r, &pre, &post, &d.count, err);
    else
        d.count = r->idx ? r->n : b->pops[r->pop].size;
    d.pre = pre, d.post = post;
    if (!st)
        st = rt_recdb_add(b->recdb, &d, &r->db_id, err);
    free(pre);
    free(post);
    r->to_db = !st;
    return st;
}

static RtStatus open_file(RtBrain *b, RtRecorder *r, const RtRecordSpec *s, RtError *err)
{
    if (s->to_db)
        return open_db_record(b, r, err);
    if (s->kind == RT_RECORD_STATE)
        return rt_samples_open(&b->alloc, s->path, &r->samples, err);
    if (s->kind == RT_RECORD_SYNAPSE)
        return open_synapse_file(b, r, s->path, err);
    RtPopulationInfo info = {b->pops[s->pop].name, b->pops[s->pop].size};
    return rt_raster_open(&b->alloc, s->path, s->format, &info, 1, b->dt, &r->raster, err);
}

/* Closes r's file and frees r; returns the first error of its writer. */
static RtStatus close_recorder(RtAllocator *a, RtRecorder *r, RtError *err)
{
    RtStatus st = RT_OK;
    if (r->raster)
        st = rt_raster_close(r->raster, err);
    if (r->samples)
        st = rt_samples_close(r->samples, err);
    if (r->out_open)
        st = rt_outbuf_close(&r->out, err);
    free_recorder(a, r);
    return st;
}

RtStatus rt_brain_record_add(RtBrain *b, const RtRecordSpec *spec, RtError *err)
{
    RtStatus st = check_spec(b, spec, err);
    if (st)
        return st;
    RtRecorder *r = rt_alloc(&b->alloc, sizeof *r);
    if (!r)
        return rt_error_set(err, RT_ERR_NOMEM, "record: out of memory");
    memset(r, 0, sizeof *r);
    st = copy_spec(b, r, spec, err);
    if (!st)
        st = open_file(b, r, spec, err);
    if (st) {
        close_recorder(&b->alloc, r, NULL);
        return st;
    }
    RtRecorder **tail = &b->recorders;
    while (*tail)
        tail = &(*tail)->next;
    *tail = r;
    return RT_OK;
}

/* ---- one tick ------------------------------------------------------------------ */

static RtStatus write_spikes(const RtBrain *b, RtRecorder *r, uint64_t tick, RtError *err)
{
    const RtPop *p = &b->pops[r->pop];
    const uint32_t *spikes = p->spikes;
    uint32_t n = p->nspikes;
    if (r->selected) {
        uint32_t m = 0;
        for (uint32_t k = 0; k < n; k++)
            if (r->selected[spikes[k]])
                r->scratch[m++] = spikes[k];
        spikes = r->scratch, n = m;
    }
    if (r->to_db)
        return rt_recdb_spikes(b->recdb, r->db_id, tick, spikes, n, err);
    return n ? rt_raster_write(r->raster, tick, 0, spikes, n, err) : RT_OK;
}

/* A state or synapse sample into the SQLite recording. */
static RtStatus write_db_sample(const RtBrain *b, RtRecorder *r, uint64_t tick, RtError *err)
{
    RtStatus st = rt_recdb_sample_begin(b->recdb, r->db_id, tick, err);
    if (!st && r->kind == RT_RECORD_STATE) {
        const RtPop *p = &b->pops[r->pop];
        st = rt_recdb_sample_append(b->recdb, p->s.state[r->slot], r->idx, r->idx ? r->n : p->size, err);
    }
    for (uint32_t g = 0; !st && r->kind == RT_RECORD_SYNAPSE && g < r->ngroups; g++) {
        RtGroup *gr = &b->groups[r->groups[g]]; /* its scratch only */
        const double *value = rt_group_state_values(gr, r->slot);
        st = value ? rt_recdb_sample_append(b->recdb, value, NULL, gr->s.row_ptr[gr->n_pre], err)
                   : rt_error_set(err, RT_ERR_NOMEM, "out of memory recording %s", gr->name);
    }
    return st ? st : rt_recdb_sample_end(b->recdb, err);
}

static RtStatus write_state(const RtBrain *b, RtRecorder *r, uint64_t tick, RtError *err)
{
    const RtPop *p = &b->pops[r->pop];
    uint32_t n = r->idx ? r->n : p->size;
    return rt_samples_write(r->samples, tick, r->target, r->variable, p->s.state[r->slot], r->idx, n,
                            err);
}

/* Shortest of %.15g / %.17g that reads back as v. */
static int format_double(char *dst, size_t size, double v)
{
    int n = snprintf(dst, size, "%.15g", v);
    if (isfinite(v) && strtod(dst, NULL) != v)
        n = snprintf(dst, size, "%.17g", v);
    return n;
}

/* One row "tick,synapse,pre,post,value". */
static RtStatus write_synapse_row(RtOutBuf *out, uint64_t tick, uint64_t syn, uint32_t pre,
                                  uint32_t post, double value, RtError *err)
{
    enum { ROW_MAX = 20 + 1 + 20 + 1 + 10 + 1 + 10 + 1 + 32 + 1 };
    char *dst = rt_outbuf_reserve(out, ROW_MAX, err);
    if (!dst)
        return RT_ERR_IO;
    int k = snprintf(dst, ROW_MAX, "%llu,%llu,%u,%u,", (unsigned long long)tick,
                     (unsigned long long)syn, pre, post);
    k += format_double(dst + k, (size_t)(ROW_MAX - k), value);
    dst[k++] = '\n';
    rt_outbuf_commit(out, (size_t)k);
    return RT_OK;
}

static RtStatus write_group(const RtGroup *g, RtRecorder *r, uint64_t tick, uint64_t *syn, RtError *err)
{
    const double *value = rt_group_state_values((RtGroup *)g, r->slot); /* g's scratch only */
    if (!value)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory recording %s", g->name);
    for (uint32_t pre = 0; pre < g->n_pre; pre++)
        for (uint64_t e = g->s.row_ptr[pre]; e < g->s.row_ptr[pre + 1]; e++) {
            RtStatus st = write_synapse_row(&r->out, tick, (*syn)++, pre, rt_group_col(g)[e], value[e], err);
            if (st)
                return st;
        }
    return RT_OK;
}

static RtStatus write_synapses(const RtBrain *b, RtRecorder *r, uint64_t tick, RtError *err)
{
    RtStatus st = rt_outbuf_failure(&r->out, err);
    uint64_t syn = 0;
    for (uint32_t g = 0; !st && g < r->ngroups; g++)
        st = write_group(&b->groups[r->groups[g]], r, tick, &syn, err);
    return st;
}

static RtStatus record_one(const RtBrain *b, RtRecorder *r, uint64_t tick, RtError *err)
{
    if (r->kind == RT_RECORD_SPIKES)
        return write_spikes(b, r, tick, err);
    if (tick % r->every)
        return RT_OK;
    if (r->to_db)
        return write_db_sample(b, r, tick, err);
    return r->kind == RT_RECORD_STATE ? write_state(b, r, tick, err) : write_synapses(b, r, tick, err);
}

void rt_brain_record_tick(RtBrain *b, uint64_t tick)
{
    for (RtRecorder *r = b->recorders; r; r = r->next) {
        RtError err = {0};
        if (record_one(b, r, tick, &err) && b->record_failure.status == RT_OK)
            b->record_failure = err;
    }
    RtError err = {0};
    if (b->recdb && rt_recdb_tick_done(b->recdb, tick, &err) && b->record_failure.status == RT_OK)
        b->record_failure = err;
}

RtStatus rt_brain_record_db(RtBrain *b, const char *path, const struct RtCheckpointMeta *meta, int sample_f64,
                            RtError *err)
{
    if (b->recdb)
        return rt_error_set(err, RT_ERR_ARG, "record: an SQLite recording is open already");
    RtPopulationInfo *info = rt_alloc_array(&b->alloc, (size_t)b->npops + 1, sizeof *info);
    if (!info)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory");
    for (uint32_t p = 0; p < b->npops; p++)
        info[p] = (RtPopulationInfo){b->pops[p].name, b->pops[p].size};
    RtStatus st = rt_recdb_open(path, meta, info, b->npops, b->dt, b->tick, sample_f64, &b->recdb, err);
    rt_free(&b->alloc, info);
    return st;
}

/* ---- the raster of every population, and closing ------------------------------ */

static RtStatus close_raster(RtBrain *b, RtError *err)
{
    RtRasterWriter *w = b->raster;
    b->raster = NULL;
    return w ? rt_raster_close(w, err) : RT_OK;
}

RtStatus rt_brain_record_spikes(RtBrain *b, const char *path, RtRasterFormat format, RtError *err)
{
    RtStatus st = close_raster(b, err);
    if (st)
        return st;
    RtPopulationInfo *info = rt_alloc_array(&b->alloc, (size_t)b->npops + 1, sizeof *info);
    if (!info)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory");
    for (uint32_t p = 0; p < b->npops; p++)
        info[p] = (RtPopulationInfo){b->pops[p].name, b->pops[p].size};
    st = rt_raster_open(&b->alloc, path, format, info, b->npops, b->dt, &b->raster, err);
    rt_free(&b->alloc, info);
    return st;
}

/* Closes the raster and every recorder; the first error wins. */
RtStatus rt_brain_record_close(RtBrain *b, RtError *err)
{
    RtError first = b->record_failure, e = {0};
    RtStatus st = close_raster(b, &e);
    if (st && first.status == RT_OK)
        first = e;
    while (b->recorders) {
        RtRecorder *r = b->recorders;
        b->recorders = r->next;
        if (close_recorder(&b->alloc, r, &e) && first.status == RT_OK)
            first = e;
    }
    RtRecordDb *db = b->recdb;
    b->recdb = NULL;
    if (rt_recdb_close(db, &e) && first.status == RT_OK)
        first = e;
    b->record_failure = (RtError){0};
    if (first.status != RT_OK && err)
        *err = first;
    return first.status;
}
