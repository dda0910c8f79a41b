/* rt_brain_internal.h - what the rt_brain_*.c files share: the layout of a
 * brain. Not part of the public API (rt_brain.h). */
#ifndef BR_RT_BRAIN_INTERNAL_H
#define BR_RT_BRAIN_INTERNAL_H
#include "rt_alloc.h"
#include "rt_brain.h"
#include "rt_inputs.h"
#include "rt_noise.h"
#include "rt_threads.h"

typedef struct RtPop {
    char *name;
    uint32_t size;
    int nstates, ninputs, nparams;
    union {
        RtPopState s;       /* the arrays the neuron kernel reads and writes */
        RtPopKernelState ks; /* the same, with this tick's ring slots (ks.slot) */
    };
    RtPopUpdateFn update;
    uint8_t *spiked;        /* [size] written by the kernel, 1 = spiked this tick */
    uint32_t *spikes;       /* [size] this tick's spikes, ascending */
    uint32_t nspikes;
    uint64_t total_spikes;
    /* Delivery rings, [ninputs + nstates]: variable v < ninputs is input v,
     * else state v - ninputs; ring_len slots of size doubles each, NULL
     * for variables no synapse delivers to. */
    double **ring;
    uint32_t ring_len;
    uint32_t ring_now;      /* tick % ring_len of the tick being run (RtGroupState.ring_now) */
    /* The kernel drains the rings itself (ks.slot, rt_abi.h). Where other
     * step-1..3 terms touch the variables (stimuli add to inputs, gap
     * junctions add to inputs and read states), the runtime drains first,
     * in the order of docs/language.md §12, and the kernel adds the
     * cleared slot (x + 0 = x): RT_PREDRAIN_INPUTS / RT_PREDRAIN_ALL. */
    int predrain;
} RtPop;

enum { RT_PREDRAIN_INPUTS = 1, RT_PREDRAIN_ALL = 3 };

enum { RT_PASS_GAP, RT_PASS_TICK, RT_PASS_PRUNE, RT_PASSES };

typedef struct RtGroup {
    RtGroupState s;
    char *name;             /* for checkpoints (rt_checkpoint.c) */
    uint32_t pre, post, n_pre;
    int nstates, nparams, nrefs;
    RtSynRowsFn on_pre, on_tick, on_reward, gap;
    RtSynPostFn on_post;
    int post_parallel;      /* RtGroupSpec.post_parallel */
    int borrowed;           /* s.row_ptr, s.col, s.delay belong to the spec's owner */
    uint8_t *side;          /* [nstates] RtStateSide of each state, NULL: all per synapse */
    double **view;          /* [nstates] copies of rt_group_state_values (malloc), NULL until used */
    /* Pruning models (prune_flag = 1 + the "(pruned)" slot, 0: none) are
     * compacted (rt_compact.c, rt_abi.h row_live) by rt_brain_step.c when
     * an eighth of the nlive synapses live at the last compaction was
     * pruned since (npruned counts the kernels' prunes), and when the tick
     * is not the one after the last (live_tick: a checkpoint was loaded,
     * synapses may live again). Until the first compaction the arrays
     * below are NULL; from then on s.row_live, s.syn_pre and s.syn_id are
     * row_live, syn_pre and syn_id, s.col and s.delay are the group's own
     * permuted copies (ccol, cdelay), and col0 / delay0 the network's
     * columns and delays in synapse-id order (what s.col and s.delay were:
     * the spec's when borrowed). no_compact = 1 (tests) keeps positions =
     * synapse ids. */
    int prune_flag, no_compact;
    uint64_t nlive, npruned, npruned_at_build, live_tick;
    uint64_t *row_live, *syn_id;
    uint32_t *syn_pre, *ccol;
    uint16_t *cdelay;
    const uint32_t *col0;
    const uint16_t *delay0;
} RtGroup;

/* The post neuron and the delay of each synapse in synapse-id order
 * (whatever the compaction did to s.col and s.delay; delay NULL: uniform). */
static inline const uint32_t *rt_group_col(const RtGroup *g) { return g->col0 ? g->col0 : g->s.col; }
static inline const uint16_t *rt_group_delay(const RtGroup *g) { return g->col0 ? g->delay0 : g->s.delay; }

typedef struct RtInput {
    RtInputKind kind;
    uint32_t pop, n;
    uint32_t *idx;          /* [n] or NULL: neurons 0..n-1 */
    RtCurrent current;      /* current; also the active window of the others */
    double amplitude_end;   /* ramp: the amplitude it reaches at current.stop */
    RtPoisson *poisson;
    double w;
    uint64_t *ticks;        /* spikes: sorted ticks at which every target spikes */
    uint32_t nticks;
    uint32_t *drawn;        /* [n] poisson scratch */
    uint32_t noise_key[2];  /* noise: the Philox key (rt_noise.h) */
    double sd;              /* noise: standard deviation */
    int idx_unique;         /* no neuron listed twice (idx NULL, or ascending) */
} RtInput;

/* An observation of brain-level reward (RtObserveSpec): this tick's count
 * is stored at counts[tick % window]; sum is the window's total. */
typedef struct RtObserve {
    uint32_t pop, window;
    uint8_t *mask;          /* [pop size] 1 for observed neurons, NULL: all */
    uint64_t *counts;       /* [window] */
    uint64_t sum;
} RtObserve;

#define RT_DELIVER_ALL UINT32_MAX /* RtBrain.delivery_group: every group with `on reward` */

typedef struct RtReward {
    uint32_t nnodes, ngroups;
    RtRewardNode *nodes;
    uint32_t *groups;       /* NULL: every group */
} RtReward;

struct RtBrain {
    RtAllocator alloc;
    RtPool *pool;
    double dt;
    uint64_t seed, tick;
    uint32_t npops, ngroups, ninputs;
    RtPop *pops;
    uint64_t *pop_first;    /* [npops + 1] where population p starts in one numbering of all
                             * neurons, each rounded up to RT_PARTITION_GRAIN: the neuron
                             * update splits that range between threads */
    RtGroup *groups;
    /* Per population p, the groups with `on pre` from p (side 0) and with
     * `on post` onto p (side 1), in declaration order:
     * handlers[side][handler_start[side][p] .. handler_start[side][p + 1]). */
    uint32_t *handler_start[2], *handlers[2];
    /* The same per neuron, keeping only the groups in which it has synapses:
     * neuron n of population p runs neuron_handlers[side][k] for k in
     * [neuron_handler_start[side][pop_first[p] + n], ... + n + 1). */
    uint64_t *neuron_handler_start[2];
    uint32_t *neuron_handlers[2];
    /* The groups with a gap kernel (RT_PASS_GAP), a per-tick kernel
     * (RT_PASS_TICK) and a pruning model (RT_PASS_PRUNE), in declaration
     * order: the per-tick passes visit only these, not every group. */
    uint32_t *pass[RT_PASSES], npass[RT_PASSES];
    /* Every group with `on post` may run it for different post neurons at
     * once (post_parallel): step 6 then runs on the pool when there are
     * enough spikes; post_first[p] numbers this tick's spikes of the
     * populations with `on post` handlers, [npops + 1]. */
    int post_parallel;
    uint64_t *post_first;
    RtInput *inputs;
    RtNormalTable *normal_table; /* the ziggurat's, when some stimulus is noise */
    /* Reward deliveries given since the last tick, in the order given
     * (rt_brain_reward.c): delivery k hands delivery_amount[k] to the `on
     * reward` of group delivery_group[k], or of every group when that is
     * RT_DELIVER_ALL. Room for reserved_deliveries more is always kept, for
     * the `reward` members of step 8, so that a tick never allocates. */
    uint32_t *delivery_group;
    double *delivery_amount;
    uint32_t ndeliveries, delivery_cap, reserved_deliveries;
    uint32_t nobserves, nrewards;
    RtObserve *observes;
    RtReward *rewards;
    double *reward_vals;    /* scratch: node values of the longest expression */
    RtRasterWriter *raster;
    struct RtRecorder *recorders; /* rt_brain_record_add, in order added */
    RtError record_failure;       /* the first failed write of a recorder */
    struct RtRecordDb *recdb;     /* rt_brain_record_db: recordings into SQLite, or NULL */
};

/* rt_brain_build.c: groups (CSC, rings) and inputs, after the populations. */
RtStatus rt_brain_build_groups(RtBrain *b, const RtBrainSpec *spec, RtError *err);
RtStatus rt_brain_build_inputs(RtBrain *b, const RtBrainSpec *spec, RtError *err);
void rt_brain_free_groups(RtBrain *b);

/* One synapse state in synapse-id order, whatever its layout
 * (rt_group_view.c): the array itself when it is kept per synapse, else
 * NULL; a copy into out [n_syn]; a store from in [n_syn]; the values, in
 * the array itself or in a copy kept for that state (NULL: out of memory),
 * valid until the next call for the same state. */
double *rt_group_state_direct(const RtGroup *g, int slot);
void rt_group_state_get(const RtGroup *g, int slot, double *out);
void rt_group_state_set(RtGroup *g, int slot, const double *in);
const double *rt_group_state_values(RtGroup *g, int slot);
void rt_brain_free_inputs(RtBrain *b);

/* rt_brain_reward.c: brain-level reward (built after the groups) and tick
 * step 8 (observations, `reward` members, `on reward`). */
RtStatus rt_brain_build_rewards(RtBrain *b, const RtBrainSpec *spec, RtError *err);
void rt_brain_free_rewards(RtBrain *b);
void rt_brain_reward_tick(RtBrain *b, uint64_t tick);
/* Recomputes each observation's window sum from its counts: for a
 * checkpoint that restored them (with the pending deliveries, the reward
 * state carried across ticks). */
void rt_brain_reward_resync(RtBrain *b);
/* Room for n pending deliveries (and the reserve); RT_ERR_NOMEM. */
RtStatus rt_brain_reserve_deliveries(RtBrain *b, uint64_t n);

/* rt_compact.c: moves the live synapses of pruning group g to the front
 * of its arrays (rt_abi.h row_live) and rebuilds its CSC from them; all:
 * looks at every synapse (after a checkpoint was loaded), else only at
 * those live at the last compaction. Returns 0, or -1 when out of memory
 * (then nothing changed).
 * rt_group_compact_free gives back what compaction allocated and restores
 * s.col / s.delay (before the group is freed). */
int rt_group_compact(RtAllocator *a, RtGroup *g, int all);
void rt_group_compact_free(RtAllocator *a, RtGroup *g);
/* Makes the next tick compact every pruning group: for code
 * that changes synapse states wholesale (rt_checkpoint_load; a load at an
 * unchanged tick is otherwise not noticed). */
void rt_brain_live_invalidate(RtBrain *b);

/* rt_brain_inputs.c: tick step 2. */
void rt_brain_apply_inputs(RtBrain *b, uint64_t tick);

/* rt_brain_record.c: the recorders' part of the end of a tick (its first
 * write error is kept in b->record_failure for rt_brain_record_close). */
void rt_brain_record_tick(RtBrain *b, uint64_t tick);
#endif
