/* build_params.h - which brain parameters a built executable may change
 * with -D, and the spec values each sets (rt_spec_io.h, RtParamBinding).
 *
 * The rule (docs/cli.md, "Built executables"): the brain is elaborated
 * again twice with the parameter perturbed. The parameter is changeable
 * only if both networks have the same structure as the built one - the
 * same populations and sizes, synapse groups, CSR, delays, per-neuron and
 * per-synapse arrays and stimulus targets and windows - and every value
 * that moved equals the parameter in all three builds (it is set directly
 * by the parameter, not computed from it) and is a uniform neuron
 * parameter, a uniform initial state of neurons or synapses, or a current
 * amplitude, Poisson rate or stimulus weight. Anything else (a synapse
 * parameter, a count, a probability, a delay, a derived value) makes the
 * parameter structural. */
#ifndef BR_DRIVER_BUILD_PARAMS_H
#define BR_DRIVER_BUILD_PARAMS_H
#include "front/loader.h"
#include "nir/nir.h"
#include "rt_spec_io.h"

typedef struct BuildParams {
    int n;
    RtSpecParam *params;      /* [n], in the order of base->params */
    RtParamBinding **binds;   /* [n] owned arrays behind params[i].bind */
} BuildParams;

/* Analyses every parameter of base (built from prog with opt), or only the
 * one named only (the others then count as structural). Errors of the
 * perturbed builds are not shown (they make a parameter structural).
 * Returns 0, or -1 when out of memory. */
int build_params_analyse(Program *prog, const NirOptions *opt, const Nir *base, Diag *diag,
                         const char *only, BuildParams *out);
void build_params_free(BuildParams *bp);

/* Gives every uniform neuron parameter that a changeable parameter sets a
 * per-neuron array (freed by nir_free), so that the kernels load it
 * instead of compiling it in. Returns 0, or -1 when out of memory. */
int build_params_materialise(Nir *base, const BuildParams *bp);
#endif
