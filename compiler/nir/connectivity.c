/* connectivity.c - connectivity generation and CSR construction.
 * Every rule costs O(units + synapses): Bernoulli rows skip ahead with
 * geometric gaps, fixed-degree rows use Floyd sampling plus a bucket sort,
 * and CSR building is a stable counting sort. */
#include "connectivity.h"

#include "philox.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define BR_CONN_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#else
#define BR_CONN_PRINTF(fmt_idx, arg_idx)
#endif

BR_CONN_PRINTF(3, 4)
static int br_conn_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ------------------------------------------------------------ edge lists */

int br_edges_reserve(BrEdges *e, size_t cap)
{
    if (cap <= e->cap)
        return 0;
    if (cap > SIZE_MAX / sizeof(uint32_t))
        return -1;
    uint32_t *pre = realloc(e->pre, cap * sizeof *pre);
    if (!pre)
        return -1;
    e->pre = pre;
    uint32_t *post = realloc(e->post, cap * sizeof *post);
    if (!post)
        return -1; /* pre is merely larger than cap; still consistent */
    e->post = post;
    e->cap = cap;
    return 0;
}

/* 1.5x growth keeps pushes amortised O(1) without doubling huge lists. */
static int br_edges_grow(BrEdges *e, size_t need)
{
    size_t limit = SIZE_MAX / sizeof(uint32_t);
    size_t cap = e->cap < limit / 2 ? e->cap + e->cap / 2 + 64 : limit;
    return br_edges_reserve(e, cap < need ? need : cap);
}

int br_edges_push(BrEdges *e, uint32_t pre, uint32_t post)
{
    if (e->n == e->cap && br_edges_grow(e, e->n + 1))
        return -1;
    e->pre[e->n] = pre;
    e->post[e->n] = post;
    e->n++;
    return 0;
}

void br_edges_free(BrEdges *e)
{
    free(e->pre);
    free(e->post);
    memset(e, 0, sizeof *e);
}

/* ------------------------------------------------------------ validation */

typedef struct {
    const BrConnRule *rule;
    uint32_t n_pre, n_post;
    uint64_t seed, stream;
    int skip_self;
    BrEdges *out;
    char *err;
    size_t errlen;
} BrConnJob;

static int br_conn_skips_self(const BrConnRule *r)
{
    return r->same_population && !r->allow_self;
}

uint32_t br_conn_major_count(const BrConnRule *r, uint32_t n_pre, uint32_t n_post)
{
    return r->kind == BR_CONN_FANIN ? n_post : n_pre;
}

static int br_conn_check_degree(const char *what, uint32_t k, uint32_t pool, int skip_self,
                                char *err, size_t errlen)
{
    uint32_t available = pool - (skip_self && pool > 0);
    if (k <= available)
        return 0;
    return br_conn_error(err, errlen, "%s k = %u exceeds the %u available distinct neurons%s",
                         what, k, available, skip_self ? " (self excluded)" : "");
}

static int br_conn_validate(const BrConnRule *r, uint32_t n_pre, uint32_t n_post,
                            char *err, size_t errlen)
{
    int skip = br_conn_skips_self(r);
    if (r->same_population && n_pre != n_post)
        return br_conn_error(err, errlen, "pre and post are one population but sizes differ (%u vs %u)",
                             n_pre, n_post);
    switch (r->kind) {
    case BR_CONN_ALL_TO_ALL:
        return 0;
    case BR_CONN_ONE_TO_ONE:
        if (n_pre != n_post)
            return br_conn_error(err, errlen, "one_to_one needs equal sizes, got %u pre and %u post",
                                 n_pre, n_post);
        if (skip)
            return br_conn_error(err, errlen,
                                 "one_to_one within one population makes only self synapses, "
                                 "but self connections are not allowed");
        return 0;
    case BR_CONN_PROBABILITY:
        if (!(r->p >= 0.0 && r->p <= 1.0))
            return br_conn_error(err, errlen, "connection probability %g is outside [0, 1]", r->p);
        return 0;
    case BR_CONN_FANIN:
        return br_conn_check_degree("fan-in", r->k, n_pre, skip, err, errlen);
    case BR_CONN_FANOUT:
        return br_conn_check_degree("fan-out", r->k, n_post, skip, err, errlen);
    }
    return br_conn_error(err, errlen, "unknown connectivity kind %d", (int)r->kind);
}

/* Room for `extra` more edges, or an error naming the request. */
static int br_conn_reserve_more(BrConnJob *job, uint64_t extra)
{
    BrEdges *e = job->out;
    if (extra <= SIZE_MAX / sizeof(uint32_t) - e->n && br_edges_reserve(e, e->n + (size_t)extra) == 0)
        return 0;
    return br_conn_error(job->err, job->errlen, "cannot allocate %llu more synapses",
                         (unsigned long long)extra);
}

/* ------------------------------------------------------------ dense rules */

static int br_conn_all_to_all(BrConnJob *job, uint32_t first, uint32_t last)
{
    uint64_t per_row = (uint64_t)job->n_post - (job->skip_self ? 1 : 0);
    if (br_conn_reserve_more(job, (uint64_t)(last - first) * per_row))
        return -1;
    BrEdges *e = job->out;
    size_t n = e->n;
    for (uint32_t i = first; i < last; ++i) {
        for (uint32_t j = 0; j < job->n_post; ++j) {
            if (job->skip_self && j == i)
                continue;
            e->pre[n] = i;
            e->post[n] = j;
            ++n;
        }
    }
    e->n = n;
    return 0;
}

static int br_conn_one_to_one(BrConnJob *job, uint32_t first, uint32_t last)
{
    if (br_conn_reserve_more(job, last - first))
        return -1;
    BrEdges *e = job->out;
    for (uint32_t i = first; i < last; ++i) {
        e->pre[e->n] = i;
        e->post[e->n] = i;
        e->n++;
    }
    return 0;
}

/* ------------------------------------------------------------ Bernoulli */

/* One row: jump from hit to hit with Geometric(p) gaps over the m
 * candidate columns (self column squeezed out when skip_self). */
static int br_conn_bernoulli_row(BrEdges *e, BrRng *rng, uint32_t row, uint32_t m,
                                 int skip_self, double inv_log_q)
{
    uint64_t pos = br_rng_geometric_inv(rng, inv_log_q);
    while (pos < m) {
        uint32_t col = (uint32_t)pos;
        if (skip_self && col >= row)
            ++col;
        if (e->n == e->cap && br_edges_grow(e, e->n + 1))
            return -1;
        e->pre[e->n] = row;
        e->post[e->n] = col;
        e->n++;
        uint64_t gap = br_rng_geometric_inv(rng, inv_log_q);
        if (gap >= m) /* also keeps pos + gap from overflowing */
            break;
        pos += gap + 1;
    }
    return 0;
}

static int br_conn_probability(BrConnJob *job, uint32_t first, uint32_t last)
{
    double p = job->rule->p;
    if (p <= 0.0)
        return 0;
    if (p >= 1.0)
        return br_conn_all_to_all(job, first, last);
    uint32_t m = job->n_post - (job->skip_self ? 1 : 0);
    /* Pre-size to mean + 6 sigma so a realloc of a huge list is rare. */
    double pairs = (double)(last - first) * m;
    double guess = pairs * p + 6.0 * sqrt(pairs * p) + 64.0;
    if (br_conn_reserve_more(job, (uint64_t)(guess < pairs ? guess : pairs)))
        return -1;
    double inv_log_q = 1.0 / log1p(-p);
    for (uint32_t row = first; row < last; ++row) {
        BrRng rng;
        br_rng_init(&rng, job->seed, job->stream, row);
        if (br_conn_bernoulli_row(job->out, &rng, row, m, job->skip_self, inv_log_q))
            return br_conn_error(job->err, job->errlen, "out of memory after %zu synapses",
                                 job->out->n);
    }
    return 0;
}

/* ------------------------------------------------------------ fixed degree */

#define BR_CONN_EMPTY UINT32_MAX /* never a sampled value: values < m <= UINT32_MAX */

/* Scratch for drawing k distinct sorted values, reused across units. */
typedef struct {
    uint32_t *slots; /* open-addressing hash set of drawn values */
    size_t mask;
    unsigned shift;  /* Fibonacci hashing: top bits of v * golden */
    uint32_t *bucket_start;
    uint32_t *drawn; /* Floyd's output in draw order */
} BrConnSampler;

static void br_conn_sampler_free(BrConnSampler *s)
{
    free(s->slots);
    free(s->bucket_start);
    free(s->drawn);
    memset(s, 0, sizeof *s);
}

static int br_conn_sampler_init(BrConnSampler *s, uint32_t k)
{
    memset(s, 0, sizeof *s);
    if ((uint64_t)k + 1 > SIZE_MAX / 8)
        return -1;
    size_t cap = 16;
    unsigned bits = 4;
    while (cap < 2 * (size_t)k) {
        cap *= 2;
        ++bits;
    }
    s->mask = cap - 1;
    s->shift = 64 - bits;
    s->slots = malloc(cap * sizeof *s->slots);
    s->bucket_start = malloc(((size_t)k + 1) * sizeof *s->bucket_start);
    s->drawn = malloc((size_t)k * sizeof *s->drawn);
    if (s->slots && s->bucket_start && s->drawn)
        return 0;
    br_conn_sampler_free(s);
    return -1;
}

/* Inserts v; returns 0 if it was already present. */
static int br_conn_set_insert(BrConnSampler *s, uint32_t v)
{
    size_t h = (size_t)((v * 0x9E3779B97F4A7C15ull) >> s->shift);
    while (s->slots[h] != BR_CONN_EMPTY) {
        if (s->slots[h] == v)
            return 0;
        h = (h + 1) & s->mask;
    }
    s->slots[h] = v;
    return 1;
}

static void br_conn_insertion_sort(uint32_t *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; ++i) {
        uint32_t x = v[i], j = i;
        for (; j > 0 && v[j - 1] > x; --j)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Distinct uniform values spread evenly over k monotone buckets, so after
 * this counting pass only neighbours within a bucket are out of order. */
static void br_conn_bucket_scatter(BrConnSampler *s, uint32_t k, uint32_t m, uint32_t *dst)
{
    uint64_t scale = ((uint64_t)k << 32) / m; /* bucket(v) = v*k/m < k */
    uint32_t *start = s->bucket_start;
    memset(start, 0, ((size_t)k + 1) * sizeof *start);
    for (uint32_t c = 0; c < k; ++c)
        start[((s->drawn[c] * scale) >> 32) + 1]++;
    for (uint32_t b = 1; b < k; ++b)
        start[b] += start[b - 1];
    for (uint32_t c = 0; c < k; ++c)
        dst[start[(s->drawn[c] * scale) >> 32]++] = s->drawn[c];
}

/* Expected O(k): the bucket pass leaves only a few, local inversions for
 * insertion sort (cheaper than sorting raw draws even for k around 10,
 * since the nearly sorted input keeps branches predictable). */
static void br_conn_sort_sample(BrConnSampler *s, uint32_t k, uint32_t m, uint32_t *dst)
{
    br_conn_bucket_scatter(s, k, m, dst);
    br_conn_insertion_sort(dst, k);
}

/* Robert Floyd's algorithm: k distinct values from [0, m), uniformly over
 * all k-subsets, with exactly k draws; written to dst in ascending order. */
static void br_conn_sample_sorted(BrConnSampler *s, BrRng *rng, uint32_t k, uint32_t m,
                                  uint32_t *dst)
{
    memset(s->slots, 0xff, (s->mask + 1) * sizeof *s->slots);
    uint32_t c = 0;
    for (uint32_t j = m - k; j < m; ++j) {
        uint32_t t = br_rng_below(rng, j + 1);
        if (!br_conn_set_insert(s, t)) {
            t = j; /* j itself cannot be present yet */
            br_conn_set_insert(s, t);
        }
        s->drawn[c++] = t;
    }
    br_conn_sort_sample(s, k, m, dst);
}

/* FANOUT: each pre row draws k posts; FANIN: each post column draws k pres.
 * Samples are written straight into the edge arrays. */
static int br_conn_fixed_degree(BrConnJob *job, uint32_t first, uint32_t last)
{
    int fanin = job->rule->kind == BR_CONN_FANIN;
    uint32_t k = job->rule->k;
    uint32_t m = (fanin ? job->n_pre : job->n_post) - (job->skip_self ? 1 : 0);
    if (k == 0)
        return 0;
    if (br_conn_reserve_more(job, (uint64_t)(last - first) * k))
        return -1;
    BrConnSampler s;
    if (br_conn_sampler_init(&s, k))
        return br_conn_error(job->err, job->errlen, "cannot allocate sampler for k = %u", k);
    BrEdges *e = job->out;
    for (uint32_t unit = first; unit < last; ++unit) {
        uint32_t *major = (fanin ? e->post : e->pre) + e->n;
        uint32_t *minor = (fanin ? e->pre : e->post) + e->n;
        BrRng rng;
        br_rng_init(&rng, job->seed, job->stream, unit);
        br_conn_sample_sorted(&s, &rng, k, m, minor);
        for (uint32_t c = 0; c < k; ++c) {
            if (job->skip_self && minor[c] >= unit)
                minor[c]++; /* squeeze out self: sampled from m = n - 1 */
            major[c] = unit;
        }
        e->n += k;
    }
    br_conn_sampler_free(&s);
    return 0;
}

/* ------------------------------------------------------------ entry points */

static int br_conn_dispatch(BrConnJob *job, uint32_t first, uint32_t last)
{
    switch (job->rule->kind) {
    case BR_CONN_ALL_TO_ALL:
        return br_conn_all_to_all(job, first, last);
    case BR_CONN_ONE_TO_ONE:
        return br_conn_one_to_one(job, first, last);
    case BR_CONN_PROBABILITY:
        return br_conn_probability(job, first, last);
    case BR_CONN_FANIN:
    case BR_CONN_FANOUT:
        return br_conn_fixed_degree(job, first, last);
    }
    return -1; /* unreachable: validated before */
}

int br_conn_generate_range(const BrConnRule *r, uint32_t n_pre, uint32_t n_post,
                           uint64_t seed, uint64_t stream, uint32_t first, uint32_t last,
                           BrEdges *out, char *err, size_t errlen)
{
    if (!r || !out)
        return br_conn_error(err, errlen, "connectivity rule or output is NULL");
    if (br_conn_validate(r, n_pre, n_post, err, errlen))
        return -1;
    uint32_t units = br_conn_major_count(r, n_pre, n_post);
    if (first > last || last > units)
        return br_conn_error(err, errlen, "unit range [%u, %u) is outside [0, %u)", first, last, units);
    if (first == last)
        return 0;
    BrConnJob job = { r, n_pre, n_post, seed, stream, br_conn_skips_self(r), out, err, errlen };
    size_t n_before = out->n;
    int rc = br_conn_dispatch(&job, first, last);
    if (rc)
        out->n = n_before;
    return rc;
}

int br_conn_generate(const BrConnRule *r, uint32_t n_pre, uint32_t n_post,
                     uint64_t seed, uint64_t stream, BrEdges *out, char *err, size_t errlen)
{
    uint32_t units = r ? br_conn_major_count(r, n_pre, n_post) : 0;
    return br_conn_generate_range(r, n_pre, n_post, seed, stream, 0, units, out, err, errlen);
}

/* ------------------------------------------------------------ CSR */

void br_csr_free(BrCsr *c)
{
    free(c->row_ptr);
    free(c->col);
    free(c->perm);
    memset(c, 0, sizeof *c);
}

/* row_ptr[i] = first slot of row i, after validating every index. */
static int br_csr_row_starts(const BrEdges *e, BrCsr *c, char *err, size_t errlen)
{
    uint64_t *row_ptr = c->row_ptr;
    for (size_t k = 0; k < e->n; ++k) {
        uint32_t i = e->pre[k], j = e->post[k];
        if (i >= c->n_pre || j >= c->n_post)
            return br_conn_error(err, errlen, "edge %zu (%u -> %u) is outside %u x %u neurons",
                                 k, i, j, c->n_pre, c->n_post);
        row_ptr[i + 1]++;
    }
    for (uint32_t i = 0; i < c->n_pre; ++i)
        row_ptr[i + 1] += row_ptr[i];
    return 0;
}

/* Stable scatter using row_ptr as cursors, then shift cursors back. */
static void br_csr_scatter(const BrEdges *e, BrCsr *c)
{
    uint64_t *next = c->row_ptr;
    for (size_t k = 0; k < e->n; ++k) {
        uint64_t pos = next[e->pre[k]]++;
        c->col[pos] = e->post[k];
        if (c->perm)
            c->perm[pos] = k;
    }
    memmove(c->row_ptr + 1, c->row_ptr, (size_t)c->n_pre * sizeof *c->row_ptr);
    c->row_ptr[0] = 0;
}

typedef struct {
    uint32_t col;
    uint64_t src;
} BrCsrEntry;

static int br_csr_entry_order(const void *a, const void *b)
{
    const BrCsrEntry *x = a, *y = b;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return (x->src > y->src) - (x->src < y->src);
}

static int br_csr_row_is_sorted(const uint32_t *col, uint64_t begin, uint64_t end)
{
    for (uint64_t k = begin + 1; k < end; ++k)
        if (col[k - 1] > col[k])
            return 0;
    return 1;
}

/* Only hand-made edge lists reach the qsort; generated rows are sorted. */
static int br_csr_sort_rows(BrCsr *c)
{
    BrCsrEntry *tmp = NULL;
    size_t tmp_cap = 0;
    for (uint32_t i = 0; i < c->n_pre; ++i) {
        uint64_t begin = c->row_ptr[i], end = c->row_ptr[i + 1];
        if (br_csr_row_is_sorted(c->col, begin, end))
            continue;
        size_t len = (size_t)(end - begin);
        if (len > tmp_cap) {
            BrCsrEntry *grown = realloc(tmp, len * sizeof *grown);
            if (!grown) {
                free(tmp);
                return -1;
            }
            tmp = grown;
            tmp_cap = len;
        }
        for (size_t k = 0; k < len; ++k)
            tmp[k] = (BrCsrEntry){ c->col[begin + k], c->perm ? c->perm[begin + k] : 0 };
        qsort(tmp, len, sizeof *tmp, br_csr_entry_order);
        for (size_t k = 0; k < len; ++k) {
            c->col[begin + k] = tmp[k].col;
            if (c->perm)
                c->perm[begin + k] = tmp[k].src;
        }
    }
    free(tmp);
    return 0;
}

static int br_csr_alloc(BrCsr *c, size_t n_syn, int want_perm)
{
    if ((uint64_t)c->n_pre + 1 > SIZE_MAX / sizeof(uint64_t) || n_syn > SIZE_MAX / sizeof(uint64_t))
        return -1;
    c->row_ptr = calloc((size_t)c->n_pre + 1, sizeof *c->row_ptr);
    c->col = malloc(n_syn ? n_syn * sizeof *c->col : 1);
    if (want_perm)
        c->perm = malloc(n_syn ? n_syn * sizeof *c->perm : 1);
    return c->row_ptr && c->col && (!want_perm || c->perm) ? 0 : -1;
}

int br_csr_from_edges(const BrEdges *e, uint32_t n_pre, uint32_t n_post, BrCsr *out,
                      int want_perm, char *err, size_t errlen)
{
    if (!e || !out)
        return br_conn_error(err, errlen, "edge list or CSR output is NULL");
    memset(out, 0, sizeof *out);
    out->n_pre = n_pre;
    out->n_post = n_post;
    out->n_syn = e->n;
    if (br_csr_alloc(out, e->n, want_perm)) {
        br_csr_free(out);
        return br_conn_error(err, errlen, "cannot allocate CSR for %zu synapses", e->n);
    }
    if (br_csr_row_starts(e, out, err, errlen)) {
        br_csr_free(out);
        return -1;
    }
    br_csr_scatter(e, out);
    if (br_csr_sort_rows(out)) {
        br_csr_free(out);
        return br_conn_error(err, errlen, "out of memory sorting CSR rows");
    }
    return 0;
}
