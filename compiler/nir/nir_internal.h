/* nir_internal.h - shared by the elaboration files (nir_build*.c, nir_eval.c,
 * nir_expr.c); not part of the IR's interface.
 *
 * Elaboration runs in passes over the chosen brain:
 *   1. bodies (nir_build_pop.c): populations and component instances,
 *      recursively, with counts, placement, parameters and initial states;
 *   2. terminals (nir_build_sel.c): `in`/`out` ports of every instance set;
 *   3. wiring (nir_build_conn.c, nir_build_proj.c): connects, per-instance
 *      projections and proximity wiring, each finished into CSR groups
 *      (nir_build_group.c, nir_csr.c), generation split over threads
 *      (nir_thread.c);
 *   4. inputs and recordings (nir_build_io.c).
 * A body (Ctx) is the brain or one component population; its members apply
 * to every one of its `mult` instances alike, and neuron k of population P
 * in instance j of the body is neuron j * (P.size / mult) + k of P. */
#ifndef BR_NIR_INTERNAL_H
#define BR_NIR_INTERNAL_H
#include "connectivity.h"
#include "nir.h"
#include "../front/loader.h"

/* Component nesting deeper than this is surely a cycle or a mistake. */
#define NIR_MAX_DEPTH 64
/* Elements evaluated per chunk: bounds temporaries for 100M-synapse groups. */
#define NIR_EVAL_CHUNK 4096

/* ---- scopes of uniform names (brain and component parameters) ---------- */

typedef struct Scope {
    struct Scope *parent;
    int n, cap;
    const char **names;
    double *values;
} Scope;

/* ---- bodies ----------------------------------------------------------- */

typedef enum { LOCAL_POP, LOCAL_SET, LOCAL_POISON } LocalKind;

/* A name declared in a body: a neuron population or an instance set. */
typedef struct Local {
    const char *name;
    LocalKind kind;
    int id;
    struct Local *next;
} Local;

/* A member of a body with the brain layer it sits in, and for populations
 * the count (evaluated once). */
typedef struct Item {
    Member *m;
    int layer, in_layer;
    int64_t count;
    int count_ok;
} Item;

typedef struct Ctx {
    Decl *decl;
    const char *prefix; /* "" for the brain, "wm." for instance set wm */
    Scope *scope;
    uint32_t mult; /* instances of this body in all */
    int set;       /* its instance set, -1 for the brain */
    int depth;
    Local *locals;
    Item *items;
    int nitems;
    int term_state; /* terminals: 0 to do, 1 being resolved, 2 done */
    struct Ctx *parent;
    struct Ctx *first_child, *next_sibling;
} Ctx;

/* ---- selections ------------------------------------------------------- */

/* Part of a selection inside one population, relative to one instance of the
 * body it was written in: offsets lo .. lo+n-1, or off[0..n) when off is set. */
typedef struct SelSeg {
    uint32_t pop;
    uint32_t n, lo;
    const uint32_t *off;
} SelSeg;

typedef struct Sel {
    int nseg;
    SelSeg *segs;
    uint64_t n;
} Sel;

/* ---- the builder ------------------------------------------------------ */

typedef struct Builder {
    Nir *nir;
    Program *prog;
    Diag *diag;
    const NirOptions *opt;
    Arena *arena; /* the IR's arena: everything the Nir points to */
    Arena tmp;    /* the builder's own: bodies, scopes, selections */
    int capmodels, capsmodels, cappops, capsets, capgroups, capinputs, caprecords;
    int capobserves, caprewards;
    int capmdecls, capsdecls, capsetctx;
    Decl **nmodel_decls, **smodel_decls; /* decl of each lowered model, same index */
    Ctx *root;
    Ctx **set_ctx; /* body of each instance set */
    double spacing, layer_spacing;
    uint64_t grid_cols, grid_idx; /* instance placement across the brain */
    const char **conn_names;      /* connection names used so far, for uniqueness */
    int nconn_names, capconn_names;
    uint64_t phys_bytes; /* physical memory, for "too many synapses" */
    int nerrors0;        /* diag->nerrors when elaboration began */
    int threads;
} Builder;

/* nir_build.c */
void *nir_grow(void *p, int *cap, int need, size_t elem);
int nir_failed(Builder *b);
Decl *nir_find_decl_kind(Builder *b, const char *name, DeclKind kind);
/* A copy in the IR's arena: the IR never points into the AST. */
const char *nir_str(Builder *b, const char *s);
const char *nir_unique_conn_name(Builder *b, const char *base);

/* nir_thread.c: fn(ctx, part, first, last) over contiguous ranges of
 * [0, n), at most one range per thread and at least min_per_thread
 * elements per range; returns the OR of the results. */
typedef int (*NirRangeFn)(void *ctx, int part, uint64_t first, uint64_t last);
int nir_thread_count(const NirOptions *opt);
int nir_parallel_for(int threads, uint64_t n, uint64_t min_per_thread, NirRangeFn fn, void *ctx);

/* Scopes (nir_build.c). */
Scope *nir_scope_new(Builder *b, Scope *parent);
void nir_scope_set(Builder *b, Scope *s, const char *name, double value);
int nir_scope_get(const Scope *s, const char *name, double *value);

/* ---- evaluation at elaboration time (nir_eval.c) ---------------------- */

/* Where and how an expression is evaluated: uniform names from scope,
 * per-element names from bindings (NirValues over the element space), an
 * index variable, array literals indexed by it, and distributions drawn with
 * stream nir_stream(key, purpose, ordinal) at counter = element index. */
typedef struct EvalCtx {
    Builder *b;
    Scope *scope;
    int nbind;
    struct {
        const char *name;
        double value;    /* when both arrays are NULL */
        const double *d; /* per-neuron values */
        const float *f;  /* per-synapse values */
    } binds[256];
    const char *index_name; /* "i", a connect's index variable, or NULL */
    uint32_t index_mod;     /* index = element % index_mod */
    uint32_t array_len;     /* array literals need this length; 0: not allowed */
    int allow_dist;
    int allow_dt;
    const char *key, *purpose;
    int ordinal; /* distribution calls seen, per evaluation */
    /* values of array literals, computed once per evaluation context */
    const Expr *array_keys[4];
    double *array_vals[4];
} EvalCtx;

void nir_ev_init(EvalCtx *c, Builder *b, Scope *scope);
void nir_ev_bind(EvalCtx *c, const char *name, const NirValues *vals);
void nir_ev_bind_syn(EvalCtx *c, const char *name, const NirSynValues *vals);
void nir_ev_done(EvalCtx *c);
/* Whether e gives the same value for every element (static analysis). */
int nir_ev_is_uniform(EvalCtx *c, const Expr *e);
/* A single number; error if e varies per element. 0 on success. */
int nir_ev_number(EvalCtx *c, Expr *e, double *out);
/* An integer in [lo, hi]; error naming `what` otherwise. */
int nir_ev_integer(EvalCtx *c, Expr *e, const char *what, double lo, double hi, int64_t *out);
/* Elements first .. first+n-1 into out. 0 on success. */
int nir_ev_range(EvalCtx *c, Expr *e, uint64_t first, size_t n, double *out);
/* Per-neuron values over n elements: uniform when possible. */
int nir_ev_values(EvalCtx *c, Expr *e, uint64_t n, NirValues *out);
int nir_ev_is_distribution(const char *name);
/* Binds call arguments to parameter names: positional in order, then named.
 * out[k] is NULL for a parameter not given. 0 on success. */
int nir_ev_bind_args(Builder *b, Arg *args, const char *callee, const char *const *names, int n, Expr **out);

/* ---- model lowering (nir_expr.c) -------------------------------------- */

int nir_neuron_model(Builder *b, Decl *d);
int nir_synapse_model(Builder *b, Decl *d);
int nir_fn_lookup(const char *name);
/* Resolves a group's pre.X / post.X against its neuron models; 0 on success. */
int nir_resolve_refs(Builder *b, NirGroup *g, Loc loc);

/* ---- passes ----------------------------------------------------------- */

/* nir_build_pop.c */
Ctx *nir_build_bodies(Builder *b, Decl *brain, Scope *params);
/* nir_build_sel.c */
enum { SEL_REPORT = 1, SEL_INTERNAL = 2 }; /* report errors; allow inst.pop paths */
/* Instances of one set, relative to one instance of the body c:
 * idx[0..n) of the per_ctx instances, or all of them when idx is NULL. */
typedef struct InstRef {
    int set;
    uint32_t n, per_ctx;
    const uint32_t *idx;
} InstRef;
void nir_build_terminals(Builder *b, Ctx *c);
int nir_select(Builder *b, Ctx *c, Expr *e, Sel *out, int flags);
/* 1 if e names component instances (`wm`, `wm[2]`), filling out; 0 if not;
 * -1 after an error. */
int nir_select_insts(Builder *b, Ctx *c, Expr *e, InstRef *out, int flags);
/* Every neuron inside the instances e names (all their populations, nested
 * ones too): 1, 0 if e names no instances, -1 after an error. */
int nir_select_inst_neurons(Builder *b, Ctx *c, Expr *e, Sel *out, int flags);
/* Every neuron of the brain. */
void nir_select_all(Builder *b, Sel *out);
static inline uint32_t inst_at(const InstRef *r, uint32_t k) { return r->idx ? r->idx[k] : k; }
int nir_find_local(Ctx *c, const char *name, Local **out);
uint32_t nir_block(Builder *b, Ctx *c, uint32_t pop);
const char *nir_sel_text(Builder *b, Ctx *c, Expr *e);
/* nir_build_conn.c: connects (and, through them, the instance-level wiring) */
void nir_build_wiring(Builder *b, Ctx *c);
/* The synapse model, connection name, arguments and delay of a connect. */
typedef struct ConnInfo {
    const char *conn; /* connection name */
    Loc loc;
    NirOrigin origin;
    int model;
    Decl *model_decl;
    Arg *args; /* synapse arguments, NULL for proximity */
    Scope *scope;
    Expr *delay;
    Loc delay_loc;
    const char *weight_var; /* proximity: the variable set from GroupBuild.w */
} ConnInfo;
int nir_conn_info(Builder *b, Ctx *c, Member *m, ConnInfo *ci);
/* nir_build_group.c: groups keyed by (pre, post) while edges are made */
typedef struct GroupBuild {
    uint32_t pre, post;
    BrEdges edges;
    float *w; /* per-edge weights when the rule sets them (proximity) */
    size_t wcap;
} GroupBuild;
typedef struct GroupSet {
    GroupBuild *g;
    int n, cap;
    int last;   /* cache: the group of the previous edge, + 1 */
    int *slots; /* open addressing on (pre, post): group + 1, 0 empty */
    int nslots;
} GroupSet;
GroupBuild *nir_groupset_get(GroupSet *s, uint32_t pre, uint32_t post);
void nir_groupset_free(GroupSet *s);
/* Appends with geometric growth; 0 on success. */
int nir_edges_append(BrEdges *e, uint32_t pre, uint32_t post);
/* Turns the edge lists into CSR groups with values and delays. */
int nir_finish_groups(Builder *b, const ConnInfo *ci, GroupSet *gs);
/* Refuses `expected` synapses that cannot fit in memory (error at loc). */
int nir_check_memory(Builder *b, Loc loc, double expected);
/* nir_csr.c: takes over e's arrays (freed or kept as the columns). */
int nir_csr_build(BrEdges *e, uint32_t n_pre, uint32_t n_post, uint64_t **row_ptr, uint32_t **col, char *err,
                  size_t errlen);
/* nir_build_proj.c */
int nir_build_per_instance(Builder *b, Ctx *c, Member *m);
void nir_build_proximity(Builder *b, Ctx *c, Member *m);
/* nir_build_io.c */
void nir_build_io(Builder *b, Ctx *c);
/* nir_build_reward.c: the brain's `reward` members (after nir_build_io). */
void nir_build_rewards(Builder *b, Ctx *c);

/* a / b, or 0 for the empty sets (0 instances) where b is 0. */
static inline uint32_t nir_div(uint64_t a, uint64_t b) { return b ? (uint32_t)(a / b) : 0; }

/* Appends an element to a Nir array, growing it. */
#define NIR_PUSH(arr, count, cap)                                                                            \
    ((arr) = nir_grow((arr), &(cap), (count) + 1, sizeof *(arr)), &(arr)[(count)++])
#endif
