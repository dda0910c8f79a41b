/* nir.h - the network IR: a flat, backend-independent description of one
 * elaborated brain. nir_build() turns a checked program into it (AST ->
 * NIR); backends, checkpoints and tools read only this, never the AST.
 *
 * Layout in short (docs/ir.md has the full specification):
 *   - models: neuron and synapse models used, their code lowered to a small
 *     resolved expression/statement IR (variables by kind + slot);
 *   - populations: one per flattened (instance path, population), neurons
 *     contiguous by instance; parameters and initial states are uniform
 *     constants or per-neuron arrays only where values differ;
 *   - instance sets: component instances with anchors and terminals;
 *   - synapse groups: one per (connection, pre population, post population),
 *     CSR by pre neuron, per-synapse values only where they differ;
 *   - inputs (stimuli) and recordings.
 * Every random draw is a Philox draw keyed by (seed, stream of a stable
 * name, element index), so a seed gives the same network in any order, on
 * any thread count and on any backend. */
#ifndef BR_NIR_H
#define BR_NIR_H
#include "../diag/diag.h"
#include "../front/ast.h"
#include "../util/arena.h"
#include <stdint.h>
#include <stdio.h>

/* ---- options ---------------------------------------------------------- */

typedef struct NirDefine {
    const char *name;
    double value;
} NirDefine;

typedef struct NirOptions {
    const char *brain;        /* NULL: the last brain declared in the main module */
    const char *preset;       /* NULL: none */
    const NirDefine *defines; /* -D name=value, applied after the preset */
    int ndefines;
    uint64_t seed;
    int threads; /* 0: one per online CPU. The network does not depend on it */
    /* Refuse networks larger than this (0: only memory limits). Fuzzers and
     * services use them to bound time and memory. */
    uint64_t max_neurons, max_synapses;
    int fast_math; /* copied to Nir.fast_math (`--fast-math`) */
} NirOptions;

/* ---- model code ------------------------------------------------------- */

/* What a variable reference or expression node is. Slots index the owning
 * model's tables (params, states, inputs, locals, or a synapse model's refs). */
typedef enum {
    NX_CONST,  /* value */
    NX_PARAM,  /* slot: parameter of this model */
    NX_STATE,  /* slot: state variable of this model */
    NX_INPUT,  /* slot: input accumulator (neuron models) */
    NX_LOCAL,  /* slot: block-level `let` */
    NX_REF,    /* slot: synapse code only, refs[slot] = pre.X / post.X, resolved per group */
    NX_T,      /* current time in ms */
    NX_DT,     /* the time step in ms */
    NX_REWARD, /* the delivered amount, in `on reward` */
    NX_UNARY,  /* op a */
    NX_BINARY, /* a op b */
    NX_COND,   /* a ? b : c */
    NX_CALL,   /* fn(a[, b[, c]]) */
    NX_RANDOM, /* random(): slot = the call site, numbered from 0 in source order per model */
} NirExprKind;

/* Math functions, in the order of language.md §2.2. */
typedef enum {
    NF_EXP,
    NF_LOG,
    NF_LOG10,
    NF_SQRT,
    NF_ABS,
    NF_SIN,
    NF_COS,
    NF_TAN,
    NF_TANH,
    NF_SINH,
    NF_COSH,
    NF_ATAN,
    NF_FLOOR,
    NF_CEIL,
    NF_ROUND,
    NF_SIGN,
    NF_HEAVISIDE,
    NF_POW,
    NF_ATAN2,
    NF_MIN,
    NF_MAX,
    NF_CLAMP,
    NF_COUNT
} NirFn;

typedef struct NirExpr NirExpr;
struct NirExpr {
    NirExprKind kind;
    Op op;        /* NX_UNARY (OP_NEG, OP_NOT), NX_BINARY */
    NirFn fn;     /* NX_CALL */
    int slot;     /* NX_PARAM .. NX_REF; NX_RANDOM: the site */
    double value; /* NX_CONST; booleans are 0 / 1 */
    NirExpr *a, *b, *c;
};

/* An assignable variable: kind is NX_STATE, NX_INPUT, NX_LOCAL or NX_REF. */
typedef struct NirVar {
    NirExprKind kind;
    int slot;
} NirVar;

typedef enum {
    NS_ASSIGN,  /* var = value  (compound assignments are lowered to this) */
    NS_IF,      /* if value { body } else { orelse } */
    NS_DELIVER, /* add value to refs[ref] of the post neuron (synapse code) */
    NS_PRUNE,   /* remove this synapse (structural plasticity) */
} NirStmtKind;

typedef struct NirStmt NirStmt;
struct NirStmt {
    NirStmtKind kind;
    NirVar var;     /* NS_ASSIGN target */
    int ref;        /* NS_DELIVER: index into the synapse model's refs */
    NirExpr *value; /* assigned / delivered value, NS_IF condition */
    NirStmt *body, *orelse;
    NirStmt *next;
};

typedef enum { NIR_EULER, NIR_RK4, NIR_EXACT } NirMethod;

typedef struct NirNeuronModel {
    const char *name;
    Loc loc;
    int nparams, nstates, ninputs, nlocals;
    const char **params, **states, **inputs;
    NirExpr **ode; /* [nstates]: dX/dt, NULL for states without an ODE */
    NirMethod method;
    int substeps;
    NirExpr *spike;      /* spike condition, NULL: never spikes */
    NirStmt *reset;      /* run on a spike */
    NirExpr *refractory; /* period in ms, NULL: none */
    int nheld;
    int *held;       /* state slots held during the refractory period */
    NirStmt *update; /* explicit per-tick update, after the ODEs */
} NirNeuronModel;

/* A variable of the neuron at one end of a synapse, named in synapse code.
 * name NULL means "the neuron's first input" (plain `deliver w`, gap). */
typedef struct NirSynRef {
    int post; /* 0: pre neuron, 1: post neuron */
    const char *name;
} NirSynRef;

typedef struct NirDecay {
    int state;    /* state slot */
    NirExpr *tau; /* time constant in ms: x *= exp(-dt/tau) per tick */
} NirDecay;

typedef struct NirSynapseModel {
    const char *name;
    Loc loc;
    int nparams, nstates, nlocals, nrefs, ndecays;
    const char **params, **states;
    NirSynRef *refs;
    NirDecay *decays;
    NirStmt *on_pre, *on_post, *on_reward;
    NirStmt *update; /* per tick, per synapse, after the decays */
    int is_gap;      /* gap junction: continuous, no delay, no events */
    NirExpr *gap_g;  /* conductance */
    int gap_pre_var, gap_post_var, gap_pre_in, gap_post_in; /* refs of the coupling */
    int is_static; /* no decays, update, post/reward handlers or assignments: state never changes */
    /* Structural plasticity (`prune`, docs/language.md §5.5): the slot of the
     * hidden last state "(pruned)", 0 while the synapse lives and 1 once it
     * is pruned, which kernels test before running anything of the synapse;
     * -1 when the model's code never prunes. An ordinary state, so it is
     * initialised, checkpointed and restored like the others. */
    int pruned_state;
} NirSynapseModel;

/* The name of the hidden state of pruning models (not an identifier, so no
 * program can name it). */
#define NIR_PRUNED_STATE "(pruned)"

/* ---- values ----------------------------------------------------------- */

/* A per-neuron quantity: one constant, or an array of the population's size. */
typedef struct NirValues {
    double value;  /* the value when array is NULL */
    double *array; /* NULL when every neuron has `value` */
} NirValues;

/* A per-synapse quantity: one constant, or an array in CSR order. Floats
 * keep static synapses small (column + weight = 8 bytes). */
typedef struct NirSynValues {
    double value;
    float *array;
} NirSynValues;

/* ---- network ---------------------------------------------------------- */

/* A named port of a component, relative to one instance: neuron k of the
 * terminal is neuron j * (pops[pop[k]].size / set.count) + offset[k] of
 * population pop[k] for instance j of the set. */
typedef struct NirTerminal {
    const char *name;
    TermDir dir;
    uint32_t n;
    uint32_t *pop, *offset;
} NirTerminal;

/* The instances of one component population, flattened: `wm` of 200 cells
 * inside a brain, or `wm.sub` of 200 x 2 sub-cells. */
typedef struct NirInstSet {
    const char *path;      /* "wm", "wm.sub" */
    const char *component; /* component name */
    Loc loc;
    int parent;          /* enclosing instance set, -1: the brain */
    uint32_t count;      /* instances in all: parent count x declared count */
    uint32_t per_parent; /* declared count */
    int layer;           /* brain layer (`layer L { }`), 0 outside layers */
    double *anchor[3];   /* x, y, z of each instance */
    int nterms;
    NirTerminal *terms;
} NirInstSet;

typedef struct NirPop {
    const char *path; /* "wm.ring" */
    const char *name; /* "ring" */
    Loc loc;
    int model;     /* index into neuron_models */
    uint32_t size; /* instances x per_instance */
    uint32_t instances, per_instance;
    int inst;          /* innermost enclosing instance set, -1: the brain */
    uint32_t first;    /* index of neuron 0 in a global numbering (pops in order) */
    NirValues *params; /* [model->nparams] */
    NirValues *state;  /* [model->nstates]: initial values */
    NirValues pos[3];  /* x, y, z */
} NirPop;

typedef enum { NIR_ORIGIN_CONNECT, NIR_ORIGIN_PER_INSTANCE, NIR_ORIGIN_PROXIMITY } NirOrigin;

/* Synapses of one (connection, pre population, post population). */
typedef struct NirGroup {
    const char *name; /* unique: the connection name, or name:pre->post */
    const char *conn; /* the connection (`as` name or generated), shared by its groups */
    Loc loc;
    NirOrigin origin;
    int model;          /* index into syn_models */
    uint32_t pre, post; /* population ids */
    int is_gap;
    uint64_t n_syn;
    uint64_t *row_ptr;    /* [pops[pre].size + 1] */
    uint32_t *col;        /* [n_syn] post neuron, ascending within a row */
    NirSynValues *params; /* [model->nparams] */
    NirSynValues *state;  /* [model->nstates]: initial values */
    uint16_t delay;       /* ticks, when delays is NULL */
    uint16_t *delays;     /* [n_syn] ticks, or NULL */
    NirVar *refs;         /* [model->nrefs]: pre.X/post.X resolved against the neuron models */
} NirGroup;

typedef enum {
    NIR_IN_CURRENT,
    NIR_IN_POISSON,
    NIR_IN_SPIKES,
    NIR_IN_RAMP,
    NIR_IN_NOISE
} NirInputKind;

/* External input to part of one population. */
typedef struct NirInput {
    NirInputKind kind;
    Loc loc;
    uint32_t pop;
    uint32_t n;       /* neurons targeted */
    uint32_t *idx;    /* their indices in the population, NULL: all of it */
    double amplitude; /* current; ramp: at `from`; noise: the mean */
    double amplitude_end; /* ramp: reached at `until` (finite), linear in between */
    double rate, w;   /* poisson: Hz and weight; spikes: weight */
    double *times;    /* spikes: ms, ascending */
    uint32_t ntimes;
    double from, until; /* ms; until is INFINITY when open */
    uint64_t stream;    /* Philox stream for the backend's poisson and noise draws */
    double sd;          /* noise: standard deviation (>= 0) */
} NirInput;

typedef enum { NIR_REC_SPIKES, NIR_REC_STATE, NIR_REC_SYNAPSE } NirRecordKind;

typedef struct NirRecord {
    NirRecordKind kind;
    Loc loc;
    const char *what; /* as written, e.g. "wm.ring.v" */
    uint32_t pop;     /* SPIKES, STATE */
    uint32_t n;
    uint32_t *idx; /* NULL: the whole population */
    int var;       /* STATE: neuron state slot; SYNAPSE: synapse state slot */
    int ngroups;   /* SYNAPSE: the groups of the named connection */
    int *groups;
    uint32_t every; /* ticks between samples (1 for spikes) */
} NirRecord;

/* Brain-level reward (docs/language.md §7.8). An observation counts the
 * spikes of neurons idx[0..n) of population pop (idx NULL: all of it) in
 * the last `window` ticks, this tick included (`spikes(sel [, window])`; a
 * selection over several populations is one observation per population,
 * summed in the expression). */
typedef struct NirObserve {
    Loc loc;
    uint32_t pop, n;
    uint32_t *idx;
    uint32_t window; /* ticks, >= 1 */
} NirObserve;

/* `reward e [to target]`: amount is evaluated at step 8 of every tick from
 * NX_CONST (brain parameters and dt are folded), NX_T, NX_PARAM (slot: an
 * observation, nir->observes[slot]), NX_UNARY, NX_BINARY, NX_COND and
 * NX_CALL nodes; a nonzero value reaches the `on reward` of groups[0..
 * ngroups) (groups NULL: every group). */
typedef struct NirReward {
    Loc loc;
    NirExpr *amount;
    int ngroups;
    int *groups;
} NirReward;

typedef struct NirParam {
    const char *name;
    double value;
} NirParam;

typedef struct Nir {
    Arena arena; /* names, model code, small tables */
    const char *brain;
    const char *preset; /* NULL: none */
    uint64_t seed;
    double dt; /* ms */
    int nparams;
    NirParam *params; /* brain parameters, final values */
    int nneuron_models, nsyn_models, npops, nsets, ngroups, ninputs, nrecords;
    NirNeuronModel *neuron_models;
    NirSynapseModel *syn_models;
    NirPop *pops;
    NirInstSet *sets;
    NirGroup *groups;
    NirInput *inputs;
    NirRecord *records;
    int nobserves, nrewards;
    NirObserve *observes;
    NirReward *rewards;
    uint64_t n_neurons, n_synapses;
    size_t bytes; /* memory held by per-neuron and per-synapse arrays */
    int fast_math; /* backends may reorder floating-point arithmetic (docs/cli.md, --fast-math) */
} Nir;

/* Elaborates a program that sema accepted into a flat network. Errors that
 * only show with actual values (negative count after -D, probability > 1,
 * array length != count, delay < one tick, unknown -D/preset name, counts
 * overflowing 32 bits, too many synapses for memory) are reported through
 * diag with the location of the expression, and NULL is returned. */
Nir *nir_build(Program *prog, const NirOptions *opt, Diag *diag);
void nir_free(Nir *nir);

/* Whether a reward expression reads a body (`b.measure`), which `run` does
 * not execute yet: such rewards are left out of the IR. */
int nir_reward_reads_body(const Expr *e);
/* Whether two builds have the same observations and rewards (a parameter
 * that changes them is structural for built executables). */
int nir_rewards_equal(const Nir *x, const Nir *y);

/* Shared traces (nir_shared.c): where a backend may keep each state of
 * group g (model m): per synapse, or once per pre or post neuron because
 * it is provably the same on all synapses of that neuron. Fills
 * side[m->nstates] and returns how many are shared (none with
 * BRAINC_NO_SHARED_TRACES set in the environment, for comparisons).
 * *update_side (when not NULL) says whether the model's `update` runs
 * once per pre or post neuron (it then assigns and reads only states
 * shared on that side) or per synapse (NIR_SIDE_SYNAPSE). */
enum { NIR_SIDE_SYNAPSE, NIR_SIDE_PRE, NIR_SIDE_POST };
int nir_shared_sides(const NirGroup *g, const NirSynapseModel *m, uint8_t *side, int *update_side);
/* Sets mask[slot] = 1 for every state the statements assign (NS_ASSIGN,
 * at any depth). */
void nir_mark_assigned(const NirStmt *s, uint8_t *mask);

/* Readable dump (`brainc ir`); verbose adds model code and array previews. */
void nir_print(const Nir *nir, FILE *out, int verbose);
/* One-line summary for benchmarks: neurons, synapses, groups, bytes. */
void nir_print_stats(const Nir *nir, FILE *out);
/* Model code as text (part of the verbose dump). */
void nir_print_neuron_model(const NirNeuronModel *m, FILE *out);
void nir_print_synapse_model(const NirSynapseModel *m, FILE *out);

/* Lookups by name; -1 when absent. */
int nir_find_pop(const Nir *nir, const char *path);
int nir_find_group(const Nir *nir, const char *name);
int nir_find_terminal(const NirInstSet *s, const char *name);
int nir_model_param(const NirNeuronModel *m, const char *name);
int nir_model_state(const NirNeuronModel *m, const char *name);
int nir_syn_state(const NirSynapseModel *m, const char *name);
int nir_syn_param(const NirSynapseModel *m, const char *name);

/* Value of neuron k (or synapse k) whatever the representation. */
static inline double nir_value_at(const NirValues *v, uint64_t k)
{
    return v->array ? v->array[k] : v->value;
}
static inline double nir_syn_value_at(const NirSynValues *v, uint64_t k)
{
    return v->array ? (double)v->array[k] : v->value;
}
static inline uint16_t nir_delay_at(const NirGroup *g, uint64_t k)
{
    return g->delays ? g->delays[k] : g->delay;
}

/* Stable 64-bit stream id of a name and a purpose: FNV-1a, then mixed with n.
 * Exposed so backends derive run-time streams the same way. */
uint64_t nir_stream(const char *name, const char *purpose, uint64_t n);

/* The meaning of every operator and math function on numbers (booleans are
 * 0/1, `%` is floored): used by constant folding and by the reference
 * interpreter, so both agree by construction. */
double nir_fn_apply(NirFn fn, const double *x);
double nir_op_apply(Op op, double a, double b);

const char *nir_fn_name(NirFn fn);
int nir_fn_arity(NirFn fn);
#endif
