/* rt_brain.h - the brain value: the state of one compiled network and the
 * tick that advances it (docs/runtime-api.md, "The brain value").
 *
 * The compiler fills an RtBrainSpec - sizes, initial values, CSR
 * connectivity and the addresses of its compiled kernels (rt_abi.h) - and
 * rt_brain_create copies what it needs, so the spec and its arrays are
 * only borrowed during the call and one spec may create many brains. A
 * brain owns its allocator, thread pool and arrays: several brains live in
 * one process with no shared mutable state. One thread drives a brain at a
 * time; the pool's workers only help inside rt_brain_step.
 *
 * One tick (docs/language.md §12): (1) the delivery rings' slot of this
 * tick is added into inputs and states and cleared; (2) stimuli add to the
 * first input; (3) gap junctions couple through last tick's values;
 * (4) neurons update (split over the pool's threads); (5) `on pre` of every
 * spiking neuron's outgoing synapses, populations in order, neurons
 * ascending, groups in declaration order, deliveries scheduled `delay`
 * ticks ahead; (6) `on post` likewise for incoming synapses; (7) decays and
 * `update` of every synapse; (8) the brain's `reward` members are
 * evaluated and `on reward` runs once per delivery given since the last
 * tick (rt_brain_reward_tick); recording. Step 4 runs on the pool, and
 * step 6 too when every group's `on post` is post_parallel (each thread
 * then has its own post neurons); the others run on the calling thread, so
 * the result never depends on the number of threads. */
#ifndef BR_RT_BRAIN_H
#define BR_RT_BRAIN_H
#include "rt_abi.h"
#include "rt_error.h"
#include "rt_record.h"
#include <stdint.h>

/* A population. Arrays may be NULL where every neuron has the same value. */
typedef struct RtPopSpec {
    const char *name;
    uint32_t size;
    int nstates, ninputs, nparams;
    const double *state_value;         /* [nstates] initial value when state_init[j] is NULL */
    const double *const *state_init;   /* [nstates] per-neuron initial values, or NULL entries */
    const double *const *param;        /* [nparams] per-neuron parameters, or NULL (compiled in) */
    int has_refractory;
    RtPopUpdateFn update;              /* the neuron kernel */
} RtPopSpec;

typedef enum { RT_REF_STATE, RT_REF_INPUT, RT_REF_PARAM } RtRefKind;

/* A `pre.X` / `post.X` of a synapse model, resolved for one group. */
typedef struct RtRefSpec {
    int post_side;       /* 0: the pre neuron's variable, 1: the post neuron's */
    RtRefKind kind;
    int slot;
    int delivered;       /* 1 if `deliver ... to` it: the post population gets a ring for it */
} RtRefSpec;

/* Where a synapse state is kept (RtGroupSpec.state_side): per synapse, or,
 * for a shared trace the compiler proved equal on all synapses of one pre
 * (or post) neuron, once per pre (post) neuron, which every synapse of
 * that neuron reads. A shared state starts from state_value (no
 * per-synapse initial values). */
typedef enum { RT_SIDE_SYNAPSE, RT_SIDE_PRE, RT_SIDE_POST } RtStateSide;

/* A synapse group: CSR by pre neuron. Initial values and per-synapse
 * parameters are floats (as the IR keeps them), widened to double. */
typedef struct RtGroupSpec {
    const char *name;
    uint32_t pre, post;                /* population indices */
    uint64_t n_syn;
    const uint64_t *row_ptr;           /* [pops[pre].size + 1] */
    const uint32_t *col;               /* [n_syn] */
    int nstates, nparams, nrefs;
    const double *state_value;         /* [nstates] */
    const float *const *state_init;    /* [nstates] per-synapse, or NULL entries */
    const uint8_t *state_side;         /* [nstates] RtStateSide, or NULL: all per synapse */
    const float *const *param;         /* [nparams] per-synapse, or NULL (compiled in) */
    uint16_t delay;                    /* ticks (>= 1), when delays is NULL */
    const uint16_t *delays;            /* [n_syn] or NULL */
    const RtRefSpec *refs;             /* [nrefs] */
    RtSynRowsFn on_pre;                /* NULL: no `on pre` */
    RtSynPostFn on_post;               /* NULL: no `on post` (then no CSC index is built) */
    RtSynRowsFn on_tick;               /* decays and `update`; NULL: none */
    RtSynRowsFn on_reward;             /* NULL: none */
    RtSynRowsFn gap;                   /* gap junction coupling; NULL: not a gap junction */
    int post_parallel;                 /* 1: `on post` of different post neurons may run at the
                                        * same time (it writes only its synapse's states and
                                        * states kept per post neuron, no neuron variable);
                                        * 0: one at a time */
    int prune_flag;                    /* 1 + the state slot of "(pruned)" when the model can
                                        * `prune` (the runtime then keeps a list of live synapses
                                        * for the kernels, rt_abi.h); 0: it cannot */
} RtGroupSpec;

typedef enum {
    RT_INPUT_CURRENT,
    RT_INPUT_POISSON,
    RT_INPUT_SPIKES,
    RT_INPUT_RAMP,
    RT_INPUT_NOISE
} RtInputKind;

/* A stimulus on neurons of one population, adding to their first input. */
typedef struct RtInputSpec {
    RtInputKind kind;
    uint32_t pop;
    uint32_t n;                        /* neurons targeted */
    const uint32_t *idx;               /* [n] their indices, NULL: the whole population */
    double amplitude;                  /* current; noise: the mean */
    double rate_hz, w;                 /* poisson: rate and weight; spikes: weight */
    const double *times_ms;            /* spikes: every targeted neuron spikes at these times */
    uint32_t ntimes;
    double from_ms, until_ms;          /* active while from <= t < until; until may be INFINITY */
    uint64_t stream;                   /* Philox stream of the poisson and noise draws */
    double amplitude_end;              /* ramp: a current going linearly from `amplitude`
                                        * at from_ms to this at until_ms (finite): at
                                        * tick n, a + (end - a) (n - n0) / (n1 - n0) */
    double sd;                         /* noise: each targeted neuron gets amplitude + sd *
                                        * N(0, 1) every tick, drawn from (seed, stream,
                                        * neuron, tick) (rt_noise.h); sd >= 0 */
} RtInputSpec;

/* ---- Brain-level reward (docs/language.md §7.8; rt_brain_reward.c) ----
 *
 * A brain's `reward e [to target]` members are evaluated at step 8 of every
 * tick, after the synapses' decays and before their `on reward`: a nonzero
 * value is a delivery to the `on reward` of the target's groups, run after
 * those given by rt_brain_reward* since the last tick. e reads the time and
 * observations of the brain's own activity (RtObserveSpec), which the
 * runtime takes at step 8; a later version adds body measures as further
 * observations. */

/* An observation: the spikes of neurons idx[0..n) of population pop (idx
 * NULL: all its neurons) in the last `window` ticks, this tick included. */
typedef struct RtObserveSpec {
    uint32_t pop;
    uint32_t n;
    const uint32_t *idx;
    uint32_t window;                   /* ticks, >= 1 */
} RtObserveSpec;

/* A node of a reward expression. Nodes are in post-order: a node's operands
 * (a, b, c) are earlier nodes, the last node is the value. Operators and
 * functions have the meaning of docs/language.md §2 (booleans are 0 / 1,
 * `%` is floored). */
typedef enum {
    RT_RX_CONST,                       /* value */
    RT_RX_TIME,                        /* t = tick * dt, ms */
    RT_RX_OBSERVE,                     /* observation number a */
    RT_RX_OP,                          /* op (RtRewardOp) on a (unary) or a, b */
    RT_RX_COND,                        /* a != 0 ? b : c */
    RT_RX_FN,                          /* math function op (RtRewardFn) of a[, b[, c]] */
    RT_RX_KINDS
} RtRewardNodeKind;

typedef enum {
    RT_ROP_ADD, RT_ROP_SUB, RT_ROP_MUL, RT_ROP_DIV, RT_ROP_MOD, RT_ROP_POW,
    RT_ROP_EQ, RT_ROP_NE, RT_ROP_LT, RT_ROP_LE, RT_ROP_GT, RT_ROP_GE,
    RT_ROP_AND, RT_ROP_OR, RT_ROP_NEG, RT_ROP_NOT, RT_ROP_COUNT
} RtRewardOp;

typedef enum {
    RT_RFN_EXP, RT_RFN_LOG, RT_RFN_LOG10, RT_RFN_SQRT, RT_RFN_ABS, RT_RFN_SIN, RT_RFN_COS,
    RT_RFN_TAN, RT_RFN_TANH, RT_RFN_SINH, RT_RFN_COSH, RT_RFN_ATAN, RT_RFN_FLOOR, RT_RFN_CEIL,
    RT_RFN_ROUND, RT_RFN_SIGN, RT_RFN_HEAVISIDE, RT_RFN_POW, RT_RFN_ATAN2, RT_RFN_MIN, RT_RFN_MAX,
    RT_RFN_CLAMP, RT_RFN_COUNT
} RtRewardFn;

typedef struct RtRewardNode {
    uint32_t kind;                     /* RtRewardNodeKind */
    uint32_t op;                       /* RT_RX_OP: RtRewardOp; RT_RX_FN: RtRewardFn */
    uint32_t a, b, c;
    double value;
} RtRewardNode;

/* One `reward e [to target]`: its expression and the groups whose
 * `on reward` it reaches (groups NULL: every group). */
typedef struct RtRewardSpec {
    uint32_t nnodes;                   /* >= 1 */
    const RtRewardNode *nodes;
    uint32_t ngroups;
    const uint32_t *groups;
} RtRewardSpec;

typedef struct RtBrainSpec {
    double dt;                         /* ms per tick */
    uint64_t seed;
    uint32_t npops, ngroups, ninputs;
    const RtPopSpec *pops;
    const RtGroupSpec *groups;
    const RtInputSpec *inputs;
    /* Nonzero: the brain uses the groups' row_ptr, col and delays arrays in
     * place instead of copying them, and the caller keeps them alive and
     * unchanged until rt_brain_destroy. Halves connectivity memory when the
     * caller (the JIT driver) holds the network anyway. */
    int borrow_connectivity;
    uint32_t nobserves, nrewards;      /* brain-level reward (may be 0) */
    const RtObserveSpec *observes;
    const RtRewardSpec *rewards;
} RtBrainSpec;

typedef struct RtBrain RtBrain;

/* Creates a brain at tick 0 with nthreads participants (>= 1) for neuron
 * updates. On failure returns NULL with a message in err. */
RtBrain *rt_brain_create(const RtBrainSpec *spec, unsigned nthreads, RtError *err);
void rt_brain_destroy(RtBrain *b);

/* Runs nticks ticks. Fails only when recording fails (RT_ERR_IO); the
 * brain has then still advanced. */
RtStatus rt_brain_step(RtBrain *b, uint64_t nticks, RtError *err);

/* Ticks run so far: the next tick's number. */
uint64_t rt_brain_tick(const RtBrain *b);

/* Adds value to the first input of a neuron for the next tick only (as a
 * delivery would). RT_ERR_ARG for a bad population or neuron. */
RtStatus rt_brain_set_current(RtBrain *b, uint32_t pop, uint32_t neuron, double value);

/* A reward delivery for the next tick: at its step 8, `on reward` of
 * every group runs once with this amount. Each call is one delivery, run
 * in the order given (two calls run the handlers twice, the second seeing
 * what the first changed). RT_ERR_NOMEM when the queue cannot grow (the
 * delivery is then not queued). */
RtStatus rt_brain_reward(RtBrain *b, double amount);

/* The same to one target only (docs/language.md §7.8 `reward e to
 * target`): to the `on reward` of synapse group `group`, or of every group
 * whose postsynaptic population is `pop` (one delivery each, in
 * declaration order). RT_ERR_ARG for an index out of range, RT_ERR_NOMEM
 * (nothing queued). */
RtStatus rt_brain_reward_group(RtBrain *b, uint32_t group, double amount);
RtStatus rt_brain_reward_pop(RtBrain *b, uint32_t pop, double amount);

/* Spikes of population pop in the last tick, ascending; NULL with *n = 0
 * for a bad population. */
const uint32_t *rt_brain_spikes(const RtBrain *b, uint32_t pop, uint32_t *n);

/* Total spikes of population pop since creation. */
uint64_t rt_brain_spike_count(const RtBrain *b, uint32_t pop);

/* A neuron state array (size of the population) or a synapse state array
 * (n_syn, synapse-id order), for tests and recording; NULL when out of
 * range (or out of memory). A shared trace (RtGroupSpec.state_side), and
 * every state of a pruning group the runtime has compacted (rt_compact.c),
 * comes as a copy, valid until the next call for the same state: writes to
 * it are lost; any other array is the brain's own. */
double *rt_brain_pop_state(RtBrain *b, uint32_t pop, int slot);
double *rt_brain_pop_input(RtBrain *b, uint32_t pop, int slot);
double *rt_brain_group_state(RtBrain *b, uint32_t group, int slot);

/* Records every population's spikes from the next tick on into path
 * (a raster, rt_record.h); closed by rt_brain_destroy or
 * rt_brain_record_close, which reports the first write error. */
RtStatus rt_brain_record_spikes(RtBrain *b, const char *path, RtRasterFormat format, RtError *err);
RtStatus rt_brain_record_close(RtBrain *b, RtError *err);

/* ---- Recordings of a program's `record` members (rt_brain_record.c) ---- */

typedef enum { RT_RECORD_SPIKES, RT_RECORD_STATE, RT_RECORD_SYNAPSE } RtRecordKind;

/* One recording, written to its own file from the next tick on:
 * SPIKES: the spikes of population pop (or of its neurons idx[0..n)), as a
 *   raster in format (rt_record.h) with that one population;
 * STATE: state variable slot of pop (or of idx[0..n)) after every tick t
 *   with t % every == 0, as samples (rt_record.h: tick,target,variable,
 *   index,value);
 * SYNAPSE: synapse variable slot of the groups groups[0..ngroups) (one
 *   named connection) after every tick t with t % every == 0, as CSV
 *   "tick,synapse,pre,post,value": synapse numbers run over the groups in
 *   the order given, CSR order within each (the order of rt_brain_group_state).
 * Strings and arrays are copied. */
typedef struct RtRecordSpec {
    RtRecordKind kind;
    const char *path;
    RtRasterFormat format;        /* SPIKES */
    const char *target;           /* STATE, SYNAPSE: the population or connection, for the file */
    const char *variable;         /* STATE, SYNAPSE: the variable's name */
    uint32_t pop;                 /* SPIKES, STATE */
    uint32_t n;                   /* neurons in idx */
    const uint32_t *idx;          /* NULL: the whole population */
    int slot;                     /* STATE: neuron state slot; SYNAPSE: synapse state slot */
    uint32_t ngroups;             /* SYNAPSE */
    const uint32_t *groups;
    uint32_t every;               /* ticks between samples, >= 1 (SPIKES: ignored) */
    int to_db;                    /* 1: into the brain's SQLite recording (rt_brain_record_db), path unused */
} RtRecordSpec;

/* Checks spec against the brain and creates (truncates) its file now, so
 * an unwritable path fails before any tick runs (RT_ERR_IO; RT_ERR_ARG for
 * an index out of range). Closed by rt_brain_record_close, which then
 * reports the first write error of any recording (rt_brain_step reports
 * only the raster of rt_brain_record_spikes). */
RtStatus rt_brain_record_add(RtBrain *b, const RtRecordSpec *spec, RtError *err);

/* Opens an SQLite recording at path (rt_record_db.h) for the recordings
 * added later with spec->to_db set; meta (may be NULL) is the identity it
 * stores (rt_checkpoint.h); sample_f64: state and synapse samples as
 * doubles, else as floats. Closed, and marked complete, by
 * rt_brain_record_close; a killed process leaves the blocks committed so
 * far. RT_ERR_FORMAT for an existing file that is not a recording. */
struct RtCheckpointMeta;
RtStatus rt_brain_record_db(RtBrain *b, const char *path, const struct RtCheckpointMeta *meta, int sample_f64,
                            RtError *err);

#endif /* BR_RT_BRAIN_H */
