/* rt_abi.h - the memory layout compiled kernels read and write, owned by
 * the runtime: the compiler (compiler/backend/llvm/) emits code against
 * these structures and the runtime (rt_brain.c) fills them. Plain C, no
 * compiler or LLVM types. Kernels address fields by the FIELDNO_* numbers;
 * keep each next to the field it names, and change both sides together.
 *
 * Neurons: one RtPopState per population, structure-of-arrays, indexed by
 * the neuron's index within its population.
 * Synapses: one RtGroupState per synapse group, arrays in CSR order (the
 * synapse id k is the position in the CSR arrays, until a pruning group is
 * compacted: row_live below). Synapse state and
 * per-synapse parameters are doubles (the IR stores initial values as
 * floats; they widen exactly), so plasticity is computed in double. */
#ifndef BR_RT_ABI_H
#define BR_RT_ABI_H
#include <stdint.h>

/* ---- neurons ------------------------------------------------------------ */

typedef struct RtPopState {
    double **state;     /* [nstates] arrays of size: read and written every tick */
#define FIELDNO_POPSTATE_STATE 0
    double **input;     /* [ninputs] arrays: summed into, read, then cleared */
#define FIELDNO_POPSTATE_INPUT 1
    double **param;     /* [nparams]: per-neuron arrays; entries of uniform parameters
                         * are not read (their value is compiled in) and may be NULL */
#define FIELDNO_POPSTATE_PARAM 2
    double *refr_left;  /* [size] ms of refractory period left; NULL without `refractory` */
#define FIELDNO_POPSTATE_REFR_LEFT 3
    /* What `random()` in model code is keyed by (rt_random): the network
     * seed, this population's stream and the tick being computed; set by the
     * runtime (tick before every update). Zero-initialised callers get a
     * fixed, valid stream. */
    uint64_t seed;
#define FIELDNO_POPSTATE_SEED 4
    uint64_t stream;
#define FIELDNO_POPSTATE_STREAM 5
    uint64_t tick;
#define FIELDNO_POPSTATE_TICK 6
} RtPopState;

/* What the kernels of a whole brain (llvm_brain) are passed: an RtPopState
 * followed by the delivery-ring slots of this tick, which the kernel drains
 * itself (tick step 1 fused into step 4): for each variable v it was
 * compiled to drain (v < ninputs: input v, else state v - ninputs) it adds
 * slot[v][k] to the variable as it loads it and stores 0 there. Kernels
 * compiled on their own (llvm_emit_pop_update) never read slot. */
typedef struct RtPopKernelState {
    RtPopState s;
    double **slot;      /* [ninputs + nstates]: this tick's ring slot, NULL without a ring */
#define FIELDNO_POPSTATE_SLOT 7 /* as a flat struct: RtPopState's seven fields, then slot */
} RtPopKernelState;

/* Updates neurons [begin, end) for the tick starting at time t (ms),
 * writing spiked[k] = 1 or 0 for each of them. */
typedef void (*RtPopUpdateFn)(const RtPopState *s, uint32_t begin, uint32_t end, double t,
                              uint8_t *spiked);

/* A neuron counts as refractory while more than this fraction of a tick is
 * left, so that T/dt ticks are held even when repeated `left -= dt` rounds
 * to slightly above zero (e.g. 2.0 - 20 x 0.1). */
#define RT_REFR_EPS 1e-6

/* ---- synapses ----------------------------------------------------------- */

/* What synapse kernels see of one group. ref[r] is the neuron array that
 * the model's r-th `pre.X` / `post.X` names (a state, input or per-neuron
 * parameter array of the pre or post population), indexed by the pre or
 * post neuron. ring[r], for refs that `deliver` targets, is the delivery
 * ring of that variable of the post population: ring_len slots of n_post
 * doubles; a value delivered at tick t over delay d is added to
 * ring[r][((t + d) % ring_len) * n_post + post] (computed from ring_now). */
typedef struct RtGroupState {
    double **state;           /* [nstates] per-synapse arrays */
#define FIELDNO_GROUPSTATE_STATE 0
    double **param;           /* [nparams] per-synapse arrays, NULL where uniform (compiled in) */
#define FIELDNO_GROUPSTATE_PARAM 1
    const uint64_t *row_ptr;  /* [n_pre + 1] CSR rows */
#define FIELDNO_GROUPSTATE_ROW_PTR 2
    const uint32_t *col;      /* [n_syn] post neuron of each synapse */
#define FIELDNO_GROUPSTATE_COL 3
    const uint16_t *delay;    /* [n_syn] ticks, NULL when uniform (compiled in) */
#define FIELDNO_GROUPSTATE_DELAY 4
    double **ref;             /* [nrefs] neuron arrays of pre.X / post.X */
#define FIELDNO_GROUPSTATE_REF 5
    double **ring;            /* [nrefs] delivery rings (NULL for refs never delivered to) */
#define FIELDNO_GROUPSTATE_RING 6
    const uint64_t *csc_ptr;  /* [n_post + 1] incoming synapses per post neuron (on_post only) */
#define FIELDNO_GROUPSTATE_CSC_PTR 7
    const uint64_t *csc_syn;  /* [n_syn] synapse ids by post neuron, ascending within a post */
#define FIELDNO_GROUPSTATE_CSC_SYN 8
    const uint32_t *csc_pre;  /* [n_syn] pre neuron of csc_syn[e] */
#define FIELDNO_GROUPSTATE_CSC_PRE 9
    uint32_t ring_len;        /* slots of the post population's rings: the longest delay
                               * into it (>= 1; slot t is drained before tick t delivers) */
#define FIELDNO_GROUPSTATE_RING_LEN 10
    uint32_t n_post;          /* neurons of the post population */
#define FIELDNO_GROUPSTATE_N_POST 11
    uint64_t seed;            /* `random()` in synapse code: network seed ... */
#define FIELDNO_GROUPSTATE_SEED 12
    uint64_t stream;          /* ... and this group's stream (rt_random) */
#define FIELDNO_GROUPSTATE_STREAM 13
    /* Models that `prune` (docs/language.md §5.5): a synapse whose hidden
     * "(pruned)" state is not 0 is skipped by every kernel; each `prune`
     * adds 1 to *npruned (when not NULL) before the kernel returns.
     * Compaction (runtime/rt_compact.c): when row_live is not NULL the
     * runtime has moved the synapses that were live to the front of every
     * per-synapse array (states, parameters, col, delay), in synapse-id
     * order, and the pruned ones behind them: the live synapses of pre
     * neuron i are at positions [row_live[i], row_live[i + 1]) (some of
     * them pruned since, which their flag skips), position k belongs to
     * pre neuron syn_pre[k] and is synapse syn_id[k] (what random() is
     * keyed by), and the CSC lists live positions. Kernels then walk
     * row_live instead of row_ptr, and the per-tick and reward kernels walk
     * positions [row_live[begin], row_live[end]) in one loop. NULL: positions
     * are synapse ids, and kernels walk row_ptr. */
    const uint64_t *row_live;
#define FIELDNO_GROUPSTATE_ROW_LIVE 14
    const uint32_t *syn_pre;
#define FIELDNO_GROUPSTATE_SYN_PRE 15
    const uint64_t *syn_id;
#define FIELDNO_GROUPSTATE_SYN_ID 16
    uint64_t *npruned;
#define FIELDNO_GROUPSTATE_NPRUNED 17
    /* tick % ring_len for the tick being run, kept by the runtime per post
     * population: a delivery over delay d (1 <= d <= ring_len) goes to slot
     * *ring_now + d, less ring_len when it reaches ring_len, which spares
     * every `on pre` a 64-bit division. */
    const uint32_t *ring_now;
#define FIELDNO_GROUPSTATE_RING_NOW 18
} RtGroupState;

/* Runs a per-synapse handler over the CSR rows of pre neurons
 * [pre_begin, pre_end) at tick `tick`: `on pre` (called with one row),
 * the per-tick decays and `update` (all rows), `on reward` (value = the
 * amount) and gap-junction coupling (all rows). */
typedef void (*RtSynRowsFn)(const RtGroupState *g, uint32_t pre_begin, uint32_t pre_end,
                            uint64_t tick, double value);

/* Runs `on post` for the incoming synapses of post neuron `post`. */
typedef void (*RtSynPostFn)(const RtGroupState *g, uint32_t post, uint64_t tick);

/* ---- random() in model code -------------------------------------------- */

/* The value of `random()` (docs/language.md §2.3): uniform in [0, 1) on the
 * 2^-53 grid, one Philox4x32-10 block keyed by seed with the counter made
 * of (stream, index, tick, site). index: the neuron (or synapse id); site:
 * which `random()` call of the model, in source order. A pure function, so
 * kernels on any thread or backend (compiled or interpreted) agree. Compiled
 * kernels call it by this name (rt_random.c). */
double rt_random(uint64_t seed, uint64_t stream, uint64_t index, uint64_t tick, uint32_t site);

/* The stream of a population or synapse group: its name, hashed, mixed with
 * its position. */
uint64_t rt_random_stream(const char *name, uint64_t position);

#endif /* BR_RT_ABI_H */
