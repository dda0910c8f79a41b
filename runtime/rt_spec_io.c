/* rt_spec_io.c - serialising a brain spec into a checksummed blob and
 * reading it back with every count and index checked (rt_spec_io.h).
 * The writer appends to a growable buffer; the reader walks a bounded
 * cursor and keeps every allocation in the blob, so one call frees it. */
#include "rt_spec_io.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_SIZE 32
#define MAX_SLOTS 65536 /* states, params, refs of one model: far more than any model has */

/* ---- checksum ------------------------------------------------------------ */

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* ---- writing --------------------------------------------------------------- */

typedef struct Writer {
    uint8_t *buf;
    size_t len, cap;
    int failed;
} Writer;

static void put(Writer *w, const void *p, size_t n)
{
    if (w->failed || n == 0)
        return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *grown = realloc(w->buf, cap);
        if (!grown) {
            w->failed = 1;
            return;
        }
        w->buf = grown, w->cap = cap;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

/* Zero bytes up to the next 8-byte boundary of the blob: the connectivity
 * arrays that follow can then be used in place (get_inplace). */
static void put_pad8(Writer *w)
{
    static const uint8_t zero[8];
    put(w, zero, (8 - w->len % 8) % 8);
}

static void put_u8(Writer *w, uint8_t v) { put(w, &v, 1); }
static void put_u16(Writer *w, uint16_t v) { put(w, &v, 2); }
static void put_u32(Writer *w, uint32_t v) { put(w, &v, 4); }
static void put_i32(Writer *w, int v) { int32_t x = v; put(w, &x, 4); }
static void put_u64(Writer *w, uint64_t v) { put(w, &v, 8); }
static void put_f64(Writer *w, double v) { put(w, &v, 8); }

static void put_str(Writer *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u32(w, (uint32_t)n);
    put(w, s, n);
}

/* An optional array: a presence byte, then n elements. */
static void put_opt(Writer *w, const void *p, size_t n, size_t elem)
{
    put_u8(w, p != NULL);
    if (p)
        put(w, p, n * elem);
}

static uint8_t kernel_mask(const RtGroupSpec *g)
{
    return (uint8_t)((g->on_pre != NULL) | (g->on_post != NULL) << 1 | (g->on_tick != NULL) << 2 |
                     (g->on_reward != NULL) << 3 | (g->gap != NULL) << 4);
}

static void put_pop(Writer *w, const RtPopSpec *p)
{
    put_str(w, p->name);
    put_u32(w, p->size);
    put_i32(w, p->nstates), put_i32(w, p->ninputs), put_i32(w, p->nparams);
    for (int j = 0; j < p->nstates; j++)
        put_f64(w, p->state_value ? p->state_value[j] : 0);
    for (int j = 0; j < p->nstates; j++)
        put_opt(w, p->state_init ? p->state_init[j] : NULL, p->size, sizeof(double));
    for (int j = 0; j < p->nparams; j++)
        put_opt(w, p->param ? p->param[j] : NULL, p->size, sizeof(double));
    put_u8(w, (uint8_t)(p->has_refractory != 0));
    put_u8(w, p->update != NULL);
}

static void put_group(Writer *w, const RtGroupSpec *g, uint32_t n_pre)
{
    put_str(w, g->name);
    put_u32(w, g->pre), put_u32(w, g->post);
    put_u64(w, g->n_syn);
    put_pad8(w);
    put(w, g->row_ptr, ((size_t)n_pre + 1) * sizeof(uint64_t));
    put_pad8(w);
    put(w, g->col, (size_t)g->n_syn * sizeof(uint32_t));
    put_i32(w, g->nstates), put_i32(w, g->nparams), put_i32(w, g->nrefs);
    for (int j = 0; j < g->nstates; j++)
        put_f64(w, g->state_value ? g->state_value[j] : 0);
    for (int j = 0; j < g->nstates; j++)
        put_opt(w, g->state_init ? g->state_init[j] : NULL, g->n_syn, sizeof(float));
    for (int j = 0; j < g->nparams; j++)
        put_opt(w, g->param ? g->param[j] : NULL, g->n_syn, sizeof(float));
    put_u16(w, g->delay);
    put_u8(w, g->delays != NULL);
    put_pad8(w);
    if (g->delays)
        put(w, g->delays, (size_t)g->n_syn * sizeof(uint16_t));
    for (int r = 0; r < g->nrefs; r++) {
        const RtRefSpec *ref = &g->refs[r];
        put_i32(w, ref->post_side), put_i32(w, (int)ref->kind), put_i32(w, ref->slot), put_i32(w, ref->delivered);
    }
    put_u8(w, kernel_mask(g));
    put_i32(w, g->prune_flag);
    put_opt(w, g->state_side, (size_t)g->nstates, 1);
    put_u8(w, (uint8_t)(g->post_parallel != 0));
}

static void put_input(Writer *w, const RtInputSpec *in)
{
    put_u32(w, (uint32_t)in->kind), put_u32(w, in->pop), put_u32(w, in->n);
    put_opt(w, in->idx, in->n, sizeof(uint32_t));
    put_f64(w, in->amplitude), put_f64(w, in->rate_hz), put_f64(w, in->w);
    put_u32(w, in->ntimes);
    put(w, in->times_ms, (size_t)in->ntimes * sizeof(double));
    put_f64(w, in->from_ms), put_f64(w, in->until_ms);
    put_u64(w, in->stream);
    put_f64(w, in->amplitude_end);
    put_f64(w, in->sd);
}

/* Brain-level reward: observations, then the `reward` members (nodes
 * field by field, then the target groups or none for all). Their meaning
 * is checked by rt_brain_create. */
static void put_rewards(Writer *w, const RtBrainSpec *s)
{
    put_u32(w, s->nobserves);
    for (uint32_t o = 0; o < s->nobserves; o++) {
        const RtObserveSpec *x = &s->observes[o];
        put_u32(w, x->pop), put_u32(w, x->n), put_u32(w, x->window);
        put_opt(w, x->idx, x->n, sizeof(uint32_t));
    }
    put_u32(w, s->nrewards);
    for (uint32_t r = 0; r < s->nrewards; r++) {
        const RtRewardSpec *x = &s->rewards[r];
        put_u32(w, x->nnodes);
        for (uint32_t k = 0; k < x->nnodes; k++) {
            const RtRewardNode *n = &x->nodes[k];
            put_u32(w, n->kind), put_u32(w, n->op), put_u32(w, n->a), put_u32(w, n->b), put_u32(w, n->c);
            put_f64(w, n->value);
        }
        put_u32(w, x->ngroups);
        put_opt(w, x->groups, x->ngroups, sizeof(uint32_t));
    }
}

static void put_meta(Writer *w, const RtSpecMeta *m)
{
    put_u32(w, m->nparams);
    for (uint32_t i = 0; i < m->nparams; i++) {
        const RtSpecParam *p = &m->params[i];
        put_str(w, p->name);
        put_f64(w, p->value);
        put_u8(w, (uint8_t)(p->changeable != 0));
        put_u32(w, p->nbind);
        for (uint32_t k = 0; k < p->nbind; k++)
            put_u32(w, p->bind[k].kind), put_u32(w, p->bind[k].index), put_u32(w, p->bind[k].slot);
    }
}

static void put_payload(Writer *w, const RtBrainSpec *s, const RtSpecMeta *m)
{
    put_str(w, m->brain);
    put_u64(w, m->build_seed);
    put_f64(w, s->dt);
    put_u64(w, s->seed);
    put_u32(w, s->npops), put_u32(w, s->ngroups), put_u32(w, s->ninputs);
    for (uint32_t p = 0; p < s->npops; p++)
        put_pop(w, &s->pops[p]);
    for (uint32_t g = 0; g < s->ngroups; g++)
        put_group(w, &s->groups[g], s->groups[g].pre < s->npops ? s->pops[s->groups[g].pre].size : 0);
    for (uint32_t i = 0; i < s->ninputs; i++)
        put_input(w, &s->inputs[i]);
    put_rewards(w, s);
    put_meta(w, m);
}

RtStatus rt_spec_write(const RtBrainSpec *spec, const RtSpecMeta *meta, uint8_t **out, size_t *size,
                       RtError *err)
{
    *out = NULL, *size = 0;
    Writer w = {0};
    uint8_t header[HEADER_SIZE] = {0};
    put(&w, header, sizeof header);
    put_payload(&w, spec, meta);
    if (w.failed) {
        free(w.buf);
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory serialising the brain");
    }
    uint32_t version = RT_SPEC_VERSION;
    uint64_t payload = w.len - HEADER_SIZE, sum = fnv1a(w.buf + HEADER_SIZE, w.len - HEADER_SIZE);
    memcpy(w.buf, RT_SPEC_MAGIC, 8);
    memcpy(w.buf + 8, &version, 4);
    memcpy(w.buf + 16, &payload, 8);
    memcpy(w.buf + 24, &sum, 8);
    *out = w.buf, *size = w.len;
    return RT_OK;
}

/* ---- reading --------------------------------------------------------------- */

struct RtSpecBlob {
    RtBrainSpec spec;
    RtSpecMeta meta;
    RtPopSpec *pops;
    RtGroupSpec *groups;
    RtInputSpec *inputs;
    RtSpecParam *params;
    uint8_t *masks;        /* [ngroups] kernels each group has */
    uint8_t *pop_kernels;  /* [npops] 1 if the population has an update kernel */
    void **owned;
    size_t nowned, capowned;
};

typedef struct Reader {
    const uint8_t *start;  /* the blob's first byte (padding is relative to it) */
    const uint8_t *p;
    size_t left;
    RtSpecBlob *blob;
    const char *bad;       /* first problem found, NULL while fine */
} Reader;

static int fail(Reader *r, const char *why)
{
    if (!r->bad)
        r->bad = why;
    return -1;
}

static void *own(Reader *r, size_t n)
{
    RtSpecBlob *b = r->blob;
    if (b->nowned == b->capowned) {
        size_t cap = b->capowned ? 2 * b->capowned : 64;
        void **grown = realloc(b->owned, cap * sizeof *grown);
        if (!grown)
            return fail(r, "out of memory"), NULL;
        b->owned = grown, b->capowned = cap;
    }
    void *x = calloc(1, n ? n : 1);
    if (!x)
        return fail(r, "out of memory"), NULL;
    return b->owned[b->nowned++] = x;
}

static int get(Reader *r, void *out, size_t n)
{
    if (r->bad || n > r->left)
        return fail(r, "truncated");
    memcpy(out, r->p, n);
    r->p += n, r->left -= n;
    return 0;
}

static uint8_t get_u8(Reader *r) { uint8_t v = 0; get(r, &v, 1); return v; }
static uint16_t get_u16(Reader *r) { uint16_t v = 0; get(r, &v, 2); return v; }
static uint32_t get_u32(Reader *r) { uint32_t v = 0; get(r, &v, 4); return v; }
static uint64_t get_u64(Reader *r) { uint64_t v = 0; get(r, &v, 8); return v; }
static double get_f64(Reader *r) { double v = 0; get(r, &v, 8); return v; }

static int get_count(Reader *r)
{
    int32_t v = 0;
    get(r, &v, 4);
    if (v < 0 || v > MAX_SLOTS)
        return fail(r, "a slot count out of range"), 0;
    return v;
}

/* n elements of elem bytes, copied into an owned array; NULL on error. */
static void *get_array(Reader *r, uint64_t n, size_t elem)
{
    if (r->bad || (elem && n > r->left / elem))
        return fail(r, "truncated array"), NULL;
    void *x = own(r, (size_t)n * elem);
    if (x && get(r, x, (size_t)n * elem))
        return NULL;
    return x;
}

/* An array after put_pad8: a pointer into the blob itself when it is
 * aligned there (the standalone executable's blob lives as long as the
 * program, and the brain borrows it), else a copy. */
static const void *get_inplace(Reader *r, uint64_t n, size_t elem)
{
    size_t pad = (8 - (size_t)(r->p - r->start) % 8) % 8;
    if (r->bad || pad > r->left)
        return fail(r, "truncated array"), NULL;
    for (size_t k = 0; k < pad; k++)
        if (r->p[k])
            return fail(r, "bad padding"), NULL;
    r->p += pad, r->left -= pad;
    if (elem && n > r->left / elem)
        return fail(r, "truncated array"), NULL;
    if ((uintptr_t)r->p % elem)
        return get_array(r, n, elem);
    const void *x = r->p;
    r->p += n * elem, r->left -= n * elem;
    return x;
}

static void *get_opt(Reader *r, uint64_t n, size_t elem)
{
    uint8_t has = get_u8(r);
    if (has > 1)
        return fail(r, "bad presence flag"), NULL;
    return has ? get_array(r, n, elem) : NULL;
}

static const char *get_str(Reader *r)
{
    uint32_t n = get_u32(r);
    if (r->bad || n > r->left)
        return fail(r, "truncated string"), NULL;
    char *s = own(r, (size_t)n + 1);
    if (s)
        get(r, s, n);
    return s;
}

static void get_pop(Reader *r, RtPopSpec *p, uint8_t *has_update)
{
    p->name = get_str(r);
    p->size = get_u32(r);
    p->nstates = get_count(r), p->ninputs = get_count(r), p->nparams = get_count(r);
    p->state_value = get_array(r, (uint64_t)p->nstates, sizeof(double));
    const double **init = own(r, ((size_t)p->nstates + 1) * sizeof *init);
    const double **param = own(r, ((size_t)p->nparams + 1) * sizeof *param);
    if (!init || !param)
        return;
    for (int j = 0; j < p->nstates; j++)
        init[j] = get_opt(r, p->size, sizeof(double));
    for (int j = 0; j < p->nparams; j++)
        param[j] = get_opt(r, p->size, sizeof(double));
    p->state_init = init, p->param = param;
    p->has_refractory = get_u8(r);
    *has_update = get_u8(r);
    if (p->has_refractory > 1 || *has_update > 1)
        fail(r, "bad population flags");
}

/* row_ptr starts at 0, never decreases and ends at n_syn; columns are neurons of post. */
static void check_csr(Reader *r, const RtGroupSpec *g, uint32_t n_pre, uint32_t n_post)
{
    if (r->bad)
        return;
    if (g->row_ptr[0] != 0 || g->row_ptr[n_pre] != g->n_syn)
        fail(r, "bad CSR rows");
    for (uint32_t i = 0; i < n_pre && !r->bad; i++)
        if (g->row_ptr[i + 1] < g->row_ptr[i])
            fail(r, "bad CSR rows");
    for (uint64_t k = 0; k < g->n_syn && !r->bad; k++)
        if (g->col[k] >= n_post)
            fail(r, "a synapse column out of range");
}

static int ref_slots(const RtPopSpec *p, RtRefKind kind)
{
    return kind == RT_REF_STATE ? p->nstates : kind == RT_REF_INPUT ? p->ninputs : p->nparams;
}

static void get_refs(Reader *r, RtGroupSpec *g, const RtPopSpec *pops)
{
    RtRefSpec *refs = own(r, ((size_t)g->nrefs + 1) * sizeof *refs);
    if (!refs)
        return;
    for (int k = 0; k < g->nrefs && !r->bad; k++) {
        int32_t v[4] = {0};
        get(r, v, sizeof v);
        if (r->bad)
            break;
        if (v[0] < 0 || v[0] > 1 || v[1] < 0 || v[1] > RT_REF_PARAM || v[3] < 0 || v[3] > 1)
            fail(r, "bad synapse reference");
        else if (v[2] < 0 || v[2] >= ref_slots(&pops[v[0] ? g->post : g->pre], (RtRefKind)v[1]))
            fail(r, "a synapse reference out of range");
        refs[k] = (RtRefSpec){v[0], (RtRefKind)v[1], v[2], v[3]};
    }
    g->refs = refs;
}

static void get_syn_values(Reader *r, RtGroupSpec *g)
{
    g->state_value = get_array(r, (uint64_t)g->nstates, sizeof(double));
    const float **init = own(r, ((size_t)g->nstates + 1) * sizeof *init);
    const float **param = own(r, ((size_t)g->nparams + 1) * sizeof *param);
    if (!init || !param)
        return;
    for (int j = 0; j < g->nstates; j++)
        init[j] = get_opt(r, g->n_syn, sizeof(float));
    for (int j = 0; j < g->nparams; j++)
        param[j] = get_opt(r, g->n_syn, sizeof(float));
    g->state_init = init, g->param = param;
}

static void get_group(Reader *r, RtGroupSpec *g, const RtPopSpec *pops, uint32_t npops, uint8_t *mask)
{
    g->name = get_str(r);
    g->pre = get_u32(r), g->post = get_u32(r);
    g->n_syn = get_u64(r);
    if (g->pre >= npops || g->post >= npops) {
        fail(r, "a group names a population out of range");
        return;
    }
    g->row_ptr = get_inplace(r, (uint64_t)pops[g->pre].size + 1, sizeof(uint64_t));
    g->col = get_inplace(r, g->n_syn, sizeof(uint32_t));
    check_csr(r, g, pops[g->pre].size, pops[g->post].size);
    g->nstates = get_count(r), g->nparams = get_count(r), g->nrefs = get_count(r);
    get_syn_values(r, g);
    g->delay = get_u16(r);
    uint8_t has_delays = get_u8(r);
    if (has_delays > 1)
        fail(r, "bad presence flag");
    const void *delays = get_inplace(r, has_delays ? g->n_syn : 0, sizeof(uint16_t));
    g->delays = has_delays ? delays : NULL;
    get_refs(r, g, pops);
    *mask = get_u8(r);
    if (*mask >> 5)
        fail(r, "bad kernel flags");
    g->prune_flag = get_count(r);
    if (g->prune_flag > g->nstates)
        fail(r, "bad pruning flag");
    const uint8_t *side = get_opt(r, (uint64_t)g->nstates, 1);
    for (int j = 0; side && j < g->nstates && !r->bad; j++)
        if (side[j] > RT_SIDE_POST || (side[j] && ((g->state_init && g->state_init[j]) || j + 1 == g->prune_flag)))
            fail(r, "bad synapse state layout");
    g->state_side = side;
    uint8_t post_parallel = get_u8(r);
    if (post_parallel > 1)
        fail(r, "bad flag");
    g->post_parallel = post_parallel;
}

static void get_input(Reader *r, RtInputSpec *in, const RtPopSpec *pops, uint32_t npops)
{
    uint32_t kind = get_u32(r);
    in->kind = (RtInputKind)kind;
    in->pop = get_u32(r), in->n = get_u32(r);
    uint32_t *idx = get_opt(r, in->n, sizeof(uint32_t));
    in->idx = idx;
    if (kind > RT_INPUT_NOISE || in->pop >= npops)
        return (void)fail(r, "bad stimulus");
    for (uint32_t k = 0; idx && k < in->n && !r->bad; k++)
        if (idx[k] >= pops[in->pop].size)
            fail(r, "a stimulus neuron out of range");
    in->amplitude = get_f64(r), in->rate_hz = get_f64(r), in->w = get_f64(r);
    in->ntimes = get_u32(r);
    in->times_ms = get_array(r, in->ntimes, sizeof(double));
    in->from_ms = get_f64(r), in->until_ms = get_f64(r);
    in->stream = get_u64(r);
    in->amplitude_end = get_f64(r);
    in->sd = get_f64(r);
}

static void get_rewards(Reader *r, RtSpecBlob *b)
{
    RtBrainSpec *s = &b->spec;
    s->nobserves = get_u32(r);
    if (!r->bad && s->nobserves > r->left / 13) /* pop, n, window, flag */
        return (void)fail(r, "truncated observations");
    RtObserveSpec *obs = own(r, ((size_t)s->nobserves + 1) * sizeof *obs);
    for (uint32_t o = 0; obs && o < s->nobserves && !r->bad; o++) {
        obs[o].pop = get_u32(r), obs[o].n = get_u32(r), obs[o].window = get_u32(r);
        obs[o].idx = get_opt(r, obs[o].n, sizeof(uint32_t));
    }
    s->observes = obs;
    s->nrewards = get_u32(r);
    if (!r->bad && s->nrewards > r->left / 41) /* one node, a count and a flag at least */
        return (void)fail(r, "truncated rewards");
    RtRewardSpec *rws = own(r, ((size_t)s->nrewards + 1) * sizeof *rws);
    for (uint32_t k = 0; rws && k < s->nrewards && !r->bad; k++) {
        uint32_t n = get_u32(r);
        if (!r->bad && n > r->left / 28)
            return (void)fail(r, "truncated reward");
        RtRewardNode *nodes = own(r, ((size_t)n + 1) * sizeof *nodes);
        for (uint32_t j = 0; nodes && j < n && !r->bad; j++) {
            RtRewardNode *x = &nodes[j];
            x->kind = get_u32(r), x->op = get_u32(r), x->a = get_u32(r), x->b = get_u32(r), x->c = get_u32(r);
            x->value = get_f64(r);
        }
        uint32_t ngroups = get_u32(r);
        const uint32_t *groups = get_opt(r, ngroups, sizeof(uint32_t));
        rws[k] = (RtRewardSpec){n, nodes, ngroups, groups};
    }
    s->rewards = rws;
}

/* A binding must name a value that exists (and a per-neuron array for parameters). */
static int binding_ok(const RtSpecBlob *b, const RtParamBinding *x)
{
    const RtBrainSpec *s = &b->spec;
    switch (x->kind) {
    case RT_BIND_POP_PARAM:
        return x->index < s->npops && x->slot < (uint32_t)s->pops[x->index].nparams &&
               s->pops[x->index].param[x->slot];
    case RT_BIND_POP_STATE: return x->index < s->npops && x->slot < (uint32_t)s->pops[x->index].nstates;
    case RT_BIND_GROUP_STATE: return x->index < s->ngroups && x->slot < (uint32_t)s->groups[x->index].nstates;
    case RT_BIND_INPUT_AMPLITUDE:
    case RT_BIND_INPUT_RATE:
    case RT_BIND_INPUT_W:
    case RT_BIND_INPUT_SD: return x->index < s->ninputs;
    }
    return 0;
}

static void get_meta(Reader *r, RtSpecBlob *b)
{
    uint32_t n = get_u32(r);
    if (!r->bad && n > r->left / 17) /* name length, value, flag, count: 17 bytes at least */
        return (void)fail(r, "truncated parameters");
    RtSpecParam *params = own(r, ((size_t)n + 1) * sizeof *params);
    for (uint32_t i = 0; params && i < n && !r->bad; i++) {
        RtSpecParam *p = &params[i];
        p->name = get_str(r);
        p->value = get_f64(r);
        p->changeable = get_u8(r);
        p->nbind = get_u32(r);
        uint32_t *raw = get_array(r, (uint64_t)p->nbind * 3, sizeof(uint32_t));
        RtParamBinding *bind = raw ? own(r, ((size_t)p->nbind + 1) * sizeof *bind) : NULL;
        for (uint32_t k = 0; bind && k < p->nbind; k++) {
            bind[k] = (RtParamBinding){raw[3 * k], raw[3 * k + 1], raw[3 * k + 2]};
            if (!binding_ok(b, &bind[k]))
                fail(r, "a parameter binding out of range");
        }
        p->bind = bind;
        if (p->changeable > 1)
            fail(r, "bad parameter flag");
    }
    b->params = params;
    b->meta.nparams = n, b->meta.params = params;
}

static void get_spec(Reader *r, RtSpecBlob *b)
{
    RtBrainSpec *s = &b->spec;
    b->meta.brain = get_str(r);
    b->meta.build_seed = get_u64(r);
    s->dt = get_f64(r);
    s->seed = get_u64(r);
    s->npops = get_u32(r), s->ngroups = get_u32(r), s->ninputs = get_u32(r);
    if (r->bad || s->npops > r->left || s->ngroups > r->left || s->ninputs > r->left)
        return (void)fail(r, "counts larger than the blob");
    b->pops = own(r, ((size_t)s->npops + 1) * sizeof *b->pops);
    b->pop_kernels = own(r, (size_t)s->npops + 1);
    b->groups = own(r, ((size_t)s->ngroups + 1) * sizeof *b->groups);
    b->masks = own(r, (size_t)s->ngroups + 1);
    b->inputs = own(r, ((size_t)s->ninputs + 1) * sizeof *b->inputs);
    if (r->bad)
        return;
    s->pops = b->pops, s->groups = b->groups, s->inputs = b->inputs;
    for (uint32_t p = 0; p < s->npops && !r->bad; p++)
        get_pop(r, &b->pops[p], &b->pop_kernels[p]);
    for (uint32_t g = 0; g < s->ngroups && !r->bad; g++)
        get_group(r, &b->groups[g], b->pops, s->npops, &b->masks[g]);
    for (uint32_t i = 0; i < s->ninputs && !r->bad; i++)
        get_input(r, &b->inputs[i], b->pops, s->npops);
    get_rewards(r, b);
    get_meta(r, b);
    if (!r->bad && r->left)
        fail(r, "trailing bytes");
}

static const char *check_header(const uint8_t *data, size_t size)
{
    uint32_t version, reserved;
    uint64_t payload, sum;
    if (!data || size < HEADER_SIZE || memcmp(data, RT_SPEC_MAGIC, 8) != 0)
        return "not a brain spec";
    memcpy(&version, data + 8, 4);
    memcpy(&reserved, data + 12, 4);
    memcpy(&payload, data + 16, 8);
    memcpy(&sum, data + 24, 8);
    if (version != RT_SPEC_VERSION || reserved != 0)
        return "unsupported version";
    if (payload != size - HEADER_SIZE)
        return "truncated";
    if (fnv1a(data + HEADER_SIZE, size - HEADER_SIZE) != sum)
        return "checksum mismatch";
    return NULL;
}

RtSpecBlob *rt_spec_read(const uint8_t *data, size_t size, RtError *err)
{
    const char *bad = check_header(data, size);
    if (bad) {
        rt_error_set(err, RT_ERR_FORMAT, "corrupt brain spec: %s", bad);
        return NULL;
    }
    RtSpecBlob *b = calloc(1, sizeof *b);
    if (!b) {
        rt_error_set(err, RT_ERR_NOMEM, "out of memory reading the brain spec");
        return NULL;
    }
    Reader r = {data, data + HEADER_SIZE, size - HEADER_SIZE, b, NULL};
    get_spec(&r, b);
    if (r.bad) {
        rt_error_set(err, strcmp(r.bad, "out of memory") ? RT_ERR_FORMAT : RT_ERR_NOMEM,
                     "corrupt brain spec: %s", r.bad);
        rt_spec_blob_free(b);
        return NULL;
    }
    return b;
}

void rt_spec_blob_free(RtSpecBlob *blob)
{
    if (!blob)
        return;
    for (size_t k = 0; k < blob->nowned; k++)
        free(blob->owned[k]);
    free(blob->owned);
    free(blob);
}

/* ---- kernels and parameters ------------------------------------------------ */

size_t rt_spec_kernel_count(const RtBrainSpec *spec)
{
    size_t n = 0;
    for (uint32_t p = 0; p < spec->npops; p++)
        n += spec->pops[p].update != NULL;
    for (uint32_t g = 0; g < spec->ngroups; g++) {
        uint8_t m = kernel_mask(&spec->groups[g]);
        for (; m; m >>= 1)
            n += m & 1;
    }
    return n;
}

/* The next table entry if bit is set in mask, else NULL. */
static RtKernelFn next_kernel(const RtKernelFn *table, size_t *k, uint8_t mask, int bit)
{
    return mask >> bit & 1 ? table[(*k)++] : NULL;
}

RtStatus rt_spec_bind_kernels(RtSpecBlob *b, const RtKernelFn *table, size_t n, RtError *err)
{
    size_t want = 0;
    for (uint32_t p = 0; p < b->spec.npops; p++)
        want += b->pop_kernels[p];
    for (uint32_t g = 0; g < b->spec.ngroups; g++)
        for (uint8_t m = b->masks[g]; m; m >>= 1)
            want += m & 1;
    if (want != n)
        return rt_error_set(err, RT_ERR_FORMAT, "the brain spec needs %zu kernels, the executable has %zu", want, n);
    size_t k = 0;
    for (uint32_t p = 0; p < b->spec.npops; p++)
        b->pops[p].update = (RtPopUpdateFn)next_kernel(table, &k, b->pop_kernels[p], 0);
    for (uint32_t g = 0; g < b->spec.ngroups; g++) {
        RtGroupSpec *gs = &b->groups[g];
        uint8_t m = b->masks[g];
        gs->on_pre = (RtSynRowsFn)next_kernel(table, &k, m, 0);
        gs->on_post = (RtSynPostFn)next_kernel(table, &k, m, 1);
        gs->on_tick = (RtSynRowsFn)next_kernel(table, &k, m, 2);
        gs->on_reward = (RtSynRowsFn)next_kernel(table, &k, m, 3);
        gs->gap = (RtSynRowsFn)next_kernel(table, &k, m, 4);
    }
    return RT_OK;
}

const RtBrainSpec *rt_spec_blob_spec(const RtSpecBlob *blob) { return &blob->spec; }
const RtSpecMeta *rt_spec_blob_meta(const RtSpecBlob *blob) { return &blob->meta; }
void rt_spec_set_seed(RtSpecBlob *blob, uint64_t seed) { blob->spec.seed = seed; }

/* Writes value where one binding points. The arrays are the blob's own. */
static void apply_binding(RtSpecBlob *b, const RtParamBinding *x, double value)
{
    switch (x->kind) {
    case RT_BIND_POP_PARAM: {
        RtPopSpec *p = &b->pops[x->index];
        double *a = (double *)p->param[x->slot];
        for (uint32_t k = 0; k < p->size; k++)
            a[k] = value;
        break;
    }
    case RT_BIND_POP_STATE: ((double *)b->pops[x->index].state_value)[x->slot] = value; break;
    case RT_BIND_GROUP_STATE: ((double *)b->groups[x->index].state_value)[x->slot] = value; break;
    case RT_BIND_INPUT_AMPLITUDE: b->inputs[x->index].amplitude = value; break;
    case RT_BIND_INPUT_RATE: b->inputs[x->index].rate_hz = value; break;
    case RT_BIND_INPUT_W: b->inputs[x->index].w = value; break;
    case RT_BIND_INPUT_SD: b->inputs[x->index].sd = value; break;
    }
}

/* "a, b" of the changeable parameters, or "none". */
static void changeable_names(const RtSpecMeta *m, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < m->nparams && len < size; i++)
        if (m->params[i].changeable)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", m->params[i].name);
    if (!buf[0])
        snprintf(buf, size, "none");
}

RtStatus rt_spec_define(RtSpecBlob *b, const char *name, double value, RtError *err)
{
    char names[256];
    changeable_names(&b->meta, names, sizeof names);
    for (uint32_t i = 0; i < b->meta.nparams; i++) {
        RtSpecParam *p = &b->params[i];
        if (strcmp(p->name, name) != 0)
            continue;
        if (!p->changeable)
            return rt_error_set(err, RT_ERR_ARG,
                                "parameter `%s` shapes the network and cannot be changed without "
                                "recompiling (changeable here: %s)", name, names);
        for (uint32_t k = 0; k < p->nbind; k++)
            apply_binding(b, &p->bind[k], value);
        p->value = value;
        return RT_OK;
    }
    return rt_error_set(err, RT_ERR_ARG, "no parameter `%s` (changeable here: %s)", name, names);
}
