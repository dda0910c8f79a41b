/* llvm_abi.h - the memory layout a compiled population kernel reads and
 * writes: one LlvmPopState per population, arrays in structure-of-arrays
 * form, indexed by the neuron's index within its population. Plain C, no
 * LLVM types, so the interpreter and (later) the runtime's brain struct use
 * the same description. The kernel addresses fields by the FIELDNO_* numbers
 * below; keep them next to the fields they name. */
#ifndef BR_LLVM_ABI_H
#define BR_LLVM_ABI_H
#include <stdint.h>

typedef struct LlvmPopState {
    double **state;     /* [model->nstates] arrays of pop->size: read and written every tick */
#define FIELDNO_POPSTATE_STATE 0
    double **input;     /* [model->ninputs] arrays: summed into by synapses, read, then cleared */
#define FIELDNO_POPSTATE_INPUT 1
    double **param;     /* [model->nparams]: per-neuron arrays; entries of uniform parameters
                         * are not read (their value is compiled in) and may be NULL */
#define FIELDNO_POPSTATE_PARAM 2
    double *refr_left;  /* [pop->size] ms of refractory period left; NULL when the model
                         * has no `refractory` (then it is never read) */
#define FIELDNO_POPSTATE_REFR_LEFT 3
} LlvmPopState;

/* The kernel of one population: updates neurons [begin, end) for the tick
 * starting at time t (ms), writing spiked[k] = 1 or 0 for each of them. */
typedef void (*LlvmPopUpdateFn)(const LlvmPopState *s, uint32_t begin, uint32_t end, double t,
                                uint8_t *spiked);

/* A neuron counts as refractory while more than this fraction of a tick is
 * left, so that T/dt ticks are held even when repeated `left -= dt` rounds
 * to slightly above zero (e.g. 2.0 - 20 x 0.1). */
#define LLVM_REFR_EPS 1e-6
#endif
