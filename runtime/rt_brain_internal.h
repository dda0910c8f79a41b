/* rt_brain_internal.h - what the rt_brain_*.c files share: the layout of a
 * brain. Not part of the public API (rt_brain.h). */
#ifndef BR_RT_BRAIN_INTERNAL_H
#define BR_RT_BRAIN_INTERNAL_H
#include "rt_alloc.h"
#include "rt_brain.h"
#include "rt_inputs.h"
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
    /* The kernel drains the rings itself (ks.slot, rt_abi.h). Where other
     * step-1..3 terms touch the variables (stimuli add to inputs, gap
     * junctions add to inputs and read states), the runtime drains first,
     * in the order of docs/language.md §12, and the kernel adds the
     * cleared slot (x + 0 = x): RT_PREDRAIN_INPUTS / RT_PREDRAIN_ALL. */
    int predrain;
} RtPop;

enum { RT_PREDRAIN_INPUTS = 1, RT_PREDRAIN_ALL = 3 };

typedef struct RtGroup {
    RtGroupState s;
    char *name;             /* for checkpoints (rt_checkpoint.c) */
    uint32_t pre, post, n_pre;
    int nstates, nparams, nrefs;
    RtSynRowsFn on_pre, on_tick, on_reward, gap;
    RtSynPostFn on_post;
    int borrowed;           /* s.row_ptr, s.col, s.delay belong to the spec's owner */
} RtGroup;

typedef struct RtInput {
    RtInputKind kind;
    uint32_t pop, n;
    uint32_t *idx;          /* [n] or NULL: neurons 0..n-1 */
    RtCurrent current;      /* current; also the active window of the others */
    RtPoisson *poisson;
    double w;
    uint64_t *ticks;        /* spikes: sorted ticks at which every target spikes */
    uint32_t nticks;
    uint32_t *drawn;        /* [n] poisson scratch */
} RtInput;

struct RtBrain {
    RtAllocator alloc;
    RtPool *pool;
    double dt;
    uint64_t seed, tick;
    uint32_t npops, ngroups, ninputs;
    RtPop *pops;
    RtGroup *groups;
    RtInput *inputs;
    double reward;          /* given since the last tick */
    int rewarded;
    RtRasterWriter *raster;
    struct RtRecorder *recorders; /* rt_brain_record_add, in order added */
    RtError record_failure;       /* the first failed write of a recorder */
};

/* rt_brain_build.c: groups (CSC, rings) and inputs, after the populations. */
RtStatus rt_brain_build_groups(RtBrain *b, const RtBrainSpec *spec, RtError *err);
RtStatus rt_brain_build_inputs(RtBrain *b, const RtBrainSpec *spec, RtError *err);
void rt_brain_free_groups(RtBrain *b);
void rt_brain_free_inputs(RtBrain *b);

/* rt_brain_inputs.c: tick step 2. */
void rt_brain_apply_inputs(RtBrain *b, uint64_t tick);

/* rt_brain_record.c: the recorders' part of the end of a tick (its first
 * write error is kept in b->record_failure for rt_brain_record_close). */
void rt_brain_record_tick(RtBrain *b, uint64_t tick);
#endif
