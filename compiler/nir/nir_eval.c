/* nir_eval.c - evaluation of expressions while elaborating: counts,
 * parameters, initial states, positions, weights and delays.
 *
 * Values are computed for a run of elements (neurons or synapses) at once,
 * in chunks, so a 100M-synapse weight needs no 100M-double temporary. A
 * distribution draws element k from Philox keyed by (seed, stream of
 * key/purpose/ordinal, k): the value of an element never depends on how
 * many elements were evaluated before it, or in which order. */
#include "nir_internal.h"
#include "philox.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    DIST_UNIFORM,
    DIST_NORMAL,
    DIST_LOGNORMAL,
    DIST_EXPONENTIAL,
    DIST_UNIFORM_INT,
    DIST_BERNOULLI,
    DIST_COUNT
} Dist;

static const struct {
    const char *name;
    int nargs;
    const char *args[2];
} dists[DIST_COUNT] = {
    {"uniform", 2, {"lo", "hi"}},       {"normal", 2, {"mean", "sd"}},    {"lognormal", 2, {"mu", "sigma"}},
    {"exponential", 1, {"mean", NULL}}, {"uniform_int", 2, {"lo", "hi"}}, {"bernoulli", 1, {"p", NULL}},
};

static int dist_lookup(const char *name)
{
    for (int k = 0; k < DIST_COUNT; k++)
        if (strcmp(dists[k].name, name) == 0)
            return k;
    return -1;
}

int nir_ev_is_distribution(const char *name) { return dist_lookup(name) >= 0; }

void nir_ev_init(EvalCtx *c, Builder *b, Scope *scope)
{
    memset(c, 0, sizeof *c);
    c->b = b;
    c->scope = scope;
    c->allow_dt = 1;
}

static int bind_slot(EvalCtx *c, const char *name)
{
    for (int k = 0; k < c->nbind; k++)
        if (strcmp(c->binds[k].name, name) == 0)
            return k;
    if (c->nbind >= (int)(sizeof c->binds / sizeof c->binds[0]))
        return -1;
    c->binds[c->nbind].name = name;
    return c->nbind++;
}

void nir_ev_bind(EvalCtx *c, const char *name, const NirValues *vals)
{
    int k = bind_slot(c, name);
    if (k >= 0) {
        c->binds[k].value = vals->value;
        c->binds[k].d = vals->array;
        c->binds[k].f = NULL;
    }
}

void nir_ev_bind_syn(EvalCtx *c, const char *name, const NirSynValues *vals)
{
    int k = bind_slot(c, name);
    if (k >= 0) {
        c->binds[k].value = vals->value;
        c->binds[k].d = NULL;
        c->binds[k].f = vals->array;
    }
}

void nir_ev_done(EvalCtx *c)
{
    for (int k = 0; k < 4; k++) {
        free(c->array_vals[k]);
        c->array_vals[k] = NULL;
        c->array_keys[k] = NULL;
    }
}

int nir_ev_bind_args(Builder *b, Arg *args, const char *callee, const char *const *names, int n, Expr **out)
{
    for (int k = 0; k < n; k++)
        out[k] = NULL;
    int pos = 0, bad = 0;
    for (Arg *a = args; a; a = a->next) {
        int k = -1;
        if (!a->name) {
            k = pos < n ? pos++ : -1;
            if (k < 0) {
                diag_error(b->diag, a->loc, "`%s` takes %d argument%s", callee, n, n == 1 ? "" : "s");
                return -1;
            }
        } else {
            for (int j = 0; j < n && k < 0; j++)
                if (strcmp(names[j], a->name) == 0)
                    k = j;
            if (k < 0) {
                const char *hint = diag_suggest(a->name, names, n);
                diag_error(b->diag, a->name_loc, "`%s` has no argument `%s`%s%s%s", callee, a->name,
                           hint ? "; did you mean `" : "", hint ? hint : "", hint ? "`?" : "");
                return -1;
            }
        }
        if (out[k]) {
            diag_error(b->diag, a->loc, "argument `%s` of `%s` is given twice", names[k], callee);
            bad = -1;
        }
        out[k] = a->value;
    }
    return bad;
}

/* ---- uniformity --------------------------------------------------------- */

static int binding(const EvalCtx *c, const char *name)
{
    for (int k = c->nbind - 1; k >= 0; k--)
        if (strcmp(c->binds[k].name, name) == 0)
            return k;
    return -1;
}

int nir_ev_is_uniform(EvalCtx *c, const Expr *e)
{
    if (!e)
        return 1;
    switch (e->kind) {
    case EX_NAME: {
        if (c->index_name && strcmp(e->str, c->index_name) == 0)
            return 0;
        int k = binding(c, e->str);
        return k < 0 || (!c->binds[k].d && !c->binds[k].f);
    }
    case EX_ARRAY: return 0;
    case EX_RANGE: return !c->allow_dist;
    case EX_CALL:
        if (dist_lookup(e->str) >= 0)
            return 0;
        for (Arg *a = e->args; a; a = a->next)
            if (!nir_ev_is_uniform(c, a->value))
                return 0;
        return 1;
    default: return nir_ev_is_uniform(c, e->a) && nir_ev_is_uniform(c, e->b) && nir_ev_is_uniform(c, e->c);
    }
}

/* ---- evaluation of a run of elements ------------------------------------- */

static int eval(EvalCtx *c, const Expr *e, uint64_t first, size_t n, double *out);

static double *scratch(size_t n)
{
    double *p = malloc((n ? n : 1) * sizeof *p);
    if (!p) {
        fprintf(stderr, "brainc: out of memory\n");
        abort();
    }
    return p;
}

static void fill(double *out, size_t n, double v)
{
    for (size_t k = 0; k < n; k++)
        out[k] = v;
}

static int eval_name(EvalCtx *c, const Expr *e, uint64_t first, size_t n, double *out)
{
    if (c->index_name && strcmp(e->str, c->index_name) == 0) {
        uint32_t mod = c->index_mod ? c->index_mod : 1;
        for (size_t k = 0; k < n; k++)
            out[k] = (double)((first + k) % mod);
        return 0;
    }
    int b = binding(c, e->str);
    if (b >= 0) {
        if (c->binds[b].d)
            memcpy(out, c->binds[b].d + first, n * sizeof *out);
        else if (c->binds[b].f)
            for (size_t k = 0; k < n; k++)
                out[k] = c->binds[b].f[first + k];
        else
            fill(out, n, c->binds[b].value);
        return 0;
    }
    double x;
    if (nir_scope_get(c->scope, e->str, &x)) {
        fill(out, n, x);
        return 0;
    }
    if (c->allow_dt && strcmp(e->str, "dt") == 0) {
        fill(out, n, c->b->nir->dt);
        return 0;
    }
    if (strcmp(e->str, "i") == 0)
        diag_error(c->b->diag, e->loc, "`i` is defined only in per-neuron values and positions");
    else if (strcmp(e->str, "t") == 0)
        diag_error(c->b->diag, e->loc,
                   "`t` cannot be used here: this value is computed before the simulation starts");
    else
        diag_error(c->b->diag, e->loc, "unknown name `%s` here", e->str);
    return -1;
}

/* Values of an array literal, computed once per context (cached by node). */
static const double *array_values(EvalCtx *c, const Expr *e, uint32_t len)
{
    for (int k = 0; k < 4; k++)
        if (c->array_keys[k] == e)
            return c->array_vals[k];
    double *vals = scratch(len);
    uint32_t j = 0;
    EvalCtx sub;
    nir_ev_init(&sub, c->b, c->scope);
    for (Arg *a = e->args; a; a = a->next, j++)
        if (nir_ev_number(&sub, a->value, &vals[j])) {
            free(vals);
            return NULL;
        }
    int slot = 0;
    while (slot < 3 && c->array_keys[slot])
        slot++;
    free(c->array_vals[slot]);
    c->array_keys[slot] = e;
    c->array_vals[slot] = vals;
    return vals;
}

static int eval_array(EvalCtx *c, const Expr *e, uint64_t first, size_t n, double *out)
{
    uint32_t len = 0;
    for (Arg *a = e->args; a; a = a->next)
        len++;
    if (!c->array_len) {
        diag_error(c->b->diag, e->loc, "an array is not allowed here");
        return -1;
    }
    if (len != c->array_len) {
        diag_error(c->b->diag, e->loc, "array has %u value%s but the population has %u neuron%s", len,
                   len == 1 ? "" : "s", c->array_len, c->array_len == 1 ? "" : "s");
        return -1;
    }
    const double *vals = array_values(c, e, len);
    if (!vals)
        return -1;
    for (size_t k = 0; k < n; k++)
        out[k] = vals[(first + k) % len];
    return 0;
}

static double draw(Dist d, double x, double y, BrRng *r)
{
    switch (d) {
    case DIST_UNIFORM: return x + (y - x) * br_rng_uniform(r);
    case DIST_NORMAL: return x + y * br_rng_normal(r);
    case DIST_LOGNORMAL: return exp(x + y * br_rng_normal(r));
    case DIST_EXPONENTIAL: return -x * log(br_rng_uniform_open(r));
    case DIST_UNIFORM_INT: {
        double lo = ceil(x), hi = floor(y);
        if (!(hi > lo) || hi - lo >= 4294967295.0)
            return lo;
        return lo + br_rng_below(r, (uint32_t)(hi - lo + 1));
    }
    case DIST_BERNOULLI: return br_rng_uniform(r) < x ? 1.0 : 0.0;
    default: return 0;
    }
}

/* Element k gets its own counter-based generator: order-free. */
static void draw_run(EvalCtx *c, Dist d, const double *x, const double *y, uint64_t first, size_t n,
                     double *out)
{
    uint64_t stream = nir_stream(c->key, c->purpose, (uint64_t)c->ordinal++);
    for (size_t k = 0; k < n; k++) {
        BrRng r;
        br_rng_init(&r, c->b->nir->seed, stream, first + k);
        out[k] = draw(d, x[k], y ? y[k] : 0, &r);
    }
}

static int eval_dist(EvalCtx *c, const Expr *e, Dist d, uint64_t first, size_t n, double *out)
{
    if (!c->allow_dist) {
        diag_error(c->b->diag, e->loc,
                   "distribution `%s` is not allowed here: draws are made per neuron or per synapse", e->str);
        return -1;
    }
    Expr *args[2];
    if (nir_ev_bind_args(c->b, e->args, e->str, dists[d].args, dists[d].nargs, args))
        return -1;
    for (int k = 0; k < dists[d].nargs; k++)
        if (!args[k]) {
            diag_error(c->b->diag, e->loc, "`%s` needs argument `%s`", e->str, dists[d].args[k]);
            return -1;
        }
    int ordinal = c->ordinal++;
    double *y = dists[d].nargs > 1 ? scratch(n) : NULL;
    int rc = eval(c, args[0], first, n, out);
    if (!rc && y)
        rc = eval(c, args[1], first, n, y);
    if (!rc) {
        int saved = c->ordinal;
        c->ordinal = ordinal;
        draw_run(c, d, out, y, first, n, out);
        c->ordinal = saved;
    }
    free(y);
    return rc;
}

static int eval_call(EvalCtx *c, const Expr *e, uint64_t first, size_t n, double *out)
{
    int d = dist_lookup(e->str);
    if (d >= 0)
        return eval_dist(c, e, (Dist)d, first, n, out);
    int fn = nir_fn_lookup(e->str);
    if (fn < 0) {
        diag_error(c->b->diag, e->loc, "`%s` is not a function that can be used here", e->str);
        return -1;
    }
    int arity = nir_fn_arity((NirFn)fn), nargs = 0;
    for (Arg *a = e->args; a; a = a->next)
        nargs++;
    if (nargs != arity) {
        diag_error(c->b->diag, e->loc, "`%s` takes %d argument%s, not %d", e->str, arity,
                   arity == 1 ? "" : "s", nargs);
        return -1;
    }
    double *args[3] = {NULL, NULL, NULL};
    int rc = 0, k = 0;
    for (Arg *a = e->args; a && !rc; a = a->next, k++) {
        args[k] = k == 0 ? out : scratch(n);
        rc = eval(c, a->value, first, n, args[k]);
    }
    for (size_t j = 0; j < n && !rc; j++) {
        double x[3] = {args[0][j], args[1] ? args[1][j] : 0, args[2] ? args[2][j] : 0};
        out[j] = nir_fn_apply((NirFn)fn, x);
    }
    free(args[1]);
    free(args[2]);
    return rc;
}

/* `lo..hi` where a draw is allowed: a uniform integer (delays). */
static int eval_range_draw(EvalCtx *c, const Expr *e, uint64_t first, size_t n, double *out)
{
    if (!c->allow_dist) {
        diag_error(c->b->diag, e->loc, "a range is not allowed here");
        return -1;
    }
    int ordinal = c->ordinal++;
    double *y = scratch(n);
    int rc = eval(c, e->a, first, n, out);
    if (!rc)
        rc = eval(c, e->b, first, n, y);
    if (!rc) {
        int saved = c->ordinal;
        c->ordinal = ordinal;
        draw_run(c, DIST_UNIFORM_INT, out, y, first, n, out);
        c->ordinal = saved;
    }
    free(y);
    return rc;
}

static int eval_binary(EvalCtx *c, const Expr *e, uint64_t first, size_t n, double *out)
{
    double *y = scratch(n);
    int rc = eval(c, e->a, first, n, out);
    if (!rc)
        rc = eval(c, e->b, first, n, y);
    for (size_t k = 0; k < n && !rc; k++)
        out[k] = nir_op_apply(e->op, out[k], y[k]);
    free(y);
    return rc;
}

static int eval_cond(EvalCtx *c, const Expr *e, uint64_t first, size_t n, double *out)
{
    double *x = scratch(n), *y = scratch(n);
    int rc = eval(c, e->a, first, n, out);
    if (!rc)
        rc = eval(c, e->b, first, n, x);
    if (!rc)
        rc = eval(c, e->c, first, n, y);
    for (size_t k = 0; k < n && !rc; k++)
        out[k] = out[k] != 0 ? x[k] : y[k];
    free(x);
    free(y);
    return rc;
}

static int eval(EvalCtx *c, const Expr *e, uint64_t first, size_t n, double *out)
{
    switch (e->kind) {
    case EX_NUM:
    case EX_BOOL: fill(out, n, e->num); return 0;
    case EX_NAME: return eval_name(c, e, first, n, out);
    case EX_UNARY: {
        int rc = eval(c, e->a, first, n, out);
        for (size_t k = 0; k < n && !rc; k++)
            out[k] = nir_op_apply(e->op, out[k], 0);
        return rc;
    }
    case EX_BINARY: return eval_binary(c, e, first, n, out);
    case EX_COND: return eval_cond(c, e, first, n, out);
    case EX_CALL: return eval_call(c, e, first, n, out);
    case EX_ARRAY: return eval_array(c, e, first, n, out);
    case EX_RANGE: return eval_range_draw(c, e, first, n, out);
    case EX_STR: diag_error(c->b->diag, e->loc, "a string is not a number"); return -1;
    case EX_MEMBER:
    case EX_INDEX:
        diag_error(c->b->diag, e->loc, "a selection or member cannot be used as a value here");
        return -1;
    }
    return -1;
}

int nir_ev_range(EvalCtx *c, Expr *e, uint64_t first, size_t n, double *out)
{
    c->ordinal = 0;
    return eval(c, e, first, n, out);
}

int nir_ev_number(EvalCtx *c, Expr *e, double *out)
{
    if (!nir_ev_is_uniform(c, e)) {
        diag_error(c->b->diag, e->loc, "a single number is needed here, not a value per neuron or synapse");
        return -1;
    }
    return nir_ev_range(c, e, 0, 1, out);
}

int nir_ev_integer(EvalCtx *c, Expr *e, const char *what, double lo, double hi, int64_t *out)
{
    double v;
    if (nir_ev_number(c, e, &v))
        return -1;
    if (v != floor(v) || !isfinite(v)) {
        diag_error(c->b->diag, e->loc, "%s must be a whole number, not %g", what, v);
        return -1;
    }
    if (v < lo) {
        diag_error(c->b->diag, e->loc, "%s must be at least %.0f, not %.0f", what, lo, v);
        return -1;
    }
    if (v > hi) {
        diag_error(c->b->diag, e->loc, "%s is %.0f, more than the limit of %.0f", what, v, hi);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

static int all_equal(const double *a, uint64_t n)
{
    for (uint64_t k = 1; k < n; k++)
        if (memcmp(&a[k], &a[0], sizeof a[0]) != 0)
            return 0;
    return 1;
}

int nir_ev_values(EvalCtx *c, Expr *e, uint64_t n, NirValues *out)
{
    out->array = NULL;
    out->value = 0;
    if (nir_ev_is_uniform(c, e) || n <= 1)
        return nir_ev_range(c, e, 0, 1, &out->value);
    double *a = malloc(n * sizeof *a);
    if (!a) {
        diag_error(c->b->diag, e->loc, "out of memory for %llu values", (unsigned long long)n);
        return -1;
    }
    for (uint64_t k = 0; k < n; k += NIR_EVAL_CHUNK) {
        size_t len = n - k < NIR_EVAL_CHUNK ? (size_t)(n - k) : NIR_EVAL_CHUNK;
        if (nir_ev_range(c, e, k, len, a + k)) {
            free(a);
            return -1;
        }
    }
    if (all_equal(a, n)) {
        out->value = a[0];
        free(a);
        return 0;
    }
    out->array = a;
    c->b->nir->bytes += n * sizeof *a;
    return 0;
}
