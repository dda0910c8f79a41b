/* interp.h - the reference interpreter of model code: NirExpr, NirStmt,
 * one population's update per tick (interp.c) and one synapse group's
 * kernels (interp_syn.c, at the end), written as plainly as possible. It
 * is the oracle the LLVM backend is tested against (and later the
 * runtime's tests), so it is the executable definition of the semantics
 * below; the LLVM kernels (llvm/llvm_neuron.c, llvm/llvm_synapse.c) must
 * follow it operation by operation.
 *
 * Expressions: doubles; random() is rt_random(s->seed, s->stream, k,
 * s->tick, site) for neuron k (runtime/rt_abi.h); booleans are 0/1; `a % b` is floored,
 * a - b*floor(a/b) (as nir_op_apply: (i - 1) % n stays in 0..n-1);
 * `and`/`or` test != 0; `if c then a else b` tests c != 0;
 * sign(x) = (x > 0) - (x < 0); heaviside(x) = x > 0; min/max are fmin/fmax;
 * clamp(x, lo, hi) = fmin(fmax(x, lo), hi); round is C round().
 *
 * One tick of neuron k, at time t (start of the tick), step dt:
 *   1. integrate the ODEs over dt in `substeps` steps of h = dt/substeps
 *      (step s sees t + s*h); all derivatives of a step come from the same
 *      values:
 *        euler: x += h * f(x)
 *        rk4:   k1 = f(x, ts), k2 = f(x + (h/2)k1, ts + h/2),
 *               k3 = f(x + (h/2)k2, ts + h/2), k4 = f(x + h k3, ts + h),
 *               x += (h/6) * (((k1 + 2 k2) + 2 k3) + k4)
 *        exact: each ODE is split into dx/dt = A + B x (A, B free of x;
 *               interp_affine) and x = -A/B + (x + A/B) exp(B h), or
 *               x += A h when B == 0;
 *   2. run the `update` block;
 *   3. refractoriness: if refr_left > LLVM_REFR_EPS * dt the neuron is
 *      refractory: held states get back their value from the start of the
 *      tick (the reset value, held), refr_left -= dt, and no spike is
 *      detected;
 *   4. otherwise, if the spike condition holds: run the reset statements,
 *      then refr_left = the refractory period (evaluated after the reset);
 *   5. spiked[k] = 1 if it spiked, else 0; inputs are cleared to 0. */
#ifndef BR_INTERP_H
#define BR_INTERP_H
#include "llvm/llvm_abi.h"
#include "nir/nir.h"
#include <stddef.h>

/* The variables of one neuron while its code runs. */
typedef struct InterpEnv {
    const double *param;  /* [nparams] */
    double *state;        /* [nstates] */
    double *input;        /* [ninputs] */
    double *local;        /* [nlocals] block `let`s */
    double t, dt;
    double *const *ref;   /* synapse code: [nrefs] pointers to pre.X / post.X; NULL in neurons */
    double reward;        /* synapse code: the amount in `on reward` */
    /* random(): rt_random(seed, stream, index, tick, site) (rt_abi.h) */
    uint64_t seed, stream, index, tick;
    /* Synapse code: `deliver v to refs[ref]` calls deliver (NULL: ignored);
     * `prune` sets pruned, and no further statement runs. */
    void (*deliver)(void *ctx, int ref, double value);
    void *ctx;
    int pruned;
} InterpEnv;

double interp_expr(const NirExpr *e, const InterpEnv *env);
void interp_stmts(const NirStmt *s, InterpEnv *env);

/* Splits e, linear in state x, into A + B*x. Returns 0, or -1 when e is
 * not affine in x (then *A and *B are unspecified). */
int interp_affine(const NirExpr *e, int x, const InterpEnv *env, double *A, double *B);

/* 1 if e reads state slot x. */
int interp_mentions_state(const NirExpr *e, int x);

/* Updates neurons [begin, end) of pop (a population of model m) for the
 * tick starting at t. Parameters come from pop (uniform values or arrays);
 * states, inputs and refractory counters from s. Returns 0, or -1 with a
 * message in err when the model cannot be run (an `exact` ODE that is not
 * affine in its state). */
int interp_pop_update(const NirNeuronModel *m, const NirPop *pop, const LlvmPopState *s,
                      uint32_t begin, uint32_t end, double t, double dt, uint8_t *spiked,
                      char *err, size_t errsize);

/* ---- synapse code (interp_syn.c) ---------------------------------------------
 *
 * The kernels of one synapse group, as llvm_synapse.c compiles them, on the
 * runtime's RtGroupState (rt_abi.h). For each synapse k (pre i, post j):
 * if the model prunes and k's hidden "(pruned)" state is not 0, nothing
 * runs; else its parameters (per-synapse array or the group's uniform
 * value), states and zeroed locals are loaded, pre.X / post.X point into
 * the neuron arrays (a uniform neuron parameter: its value), t = tick * dt,
 * the code runs, and the states are stored back. `deliver v to x` adds v to
 * ring[x][((tick + delay_k) % ring_len) * n_post + j]; `prune` sets the
 * hidden state to 1, adds 1 to *gs->npruned (when not NULL) and ends the
 * synapse's code. Rows are visited in CSR order (the JIT's walk of the
 * runtime's live list visits the same live synapses in the same order).
 * When the runtime has compacted the group (rt_abi.h row_live), rows are
 * [row_live[i], row_live[i + 1]) and random() is keyed by syn_id[k], else
 * rows are [row_ptr[i], row_ptr[i + 1]) and random() by k.
 * TICK: each decay
 * x = x * exp(-dt / tau) in declaration order, then `update`. GAP:
 * c = g * (pre.v - post.v), post input += c, pre input -= c. */
typedef enum { INTERP_SYN_PRE, INTERP_SYN_POST, INTERP_SYN_TICK, INTERP_SYN_REWARD, INTERP_SYN_GAP } InterpSynKind;

/* Runs kind over the rows of pre neurons [begin, end) (POST: the incoming
 * synapses of post neuron `begin`, end unused) at tick `tick`; value is the
 * reward amount (REWARD). pre and post are the group's populations.
 * Returns 0, or -1 when out of memory. */
int interp_syn_run(const NirSynapseModel *m, const NirGroup *g, const NirPop *pre, const NirPop *post,
                   const RtGroupState *gs, InterpSynKind kind, uint32_t begin, uint32_t end, uint64_t tick,
                   double value, double dt);
#endif
