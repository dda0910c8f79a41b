/* llvm_codegen.h - the LLVM CPU backend: NIR neuron models to specialised
 * update kernels (llvm_neuron.c, llvm_expr.c), optimised for the host
 * (llvm_target.c), then either JIT-compiled with ORC LLJIT for `brainc run`
 * (llvm_jit.c) or written as an object file, assembly or textual IR for
 * `brainc build` (llvm_target.c). The kernels read and write memory laid out
 * as llvm_abi.h describes; compiler/backend/interp.h defines what they
 * compute. No LLVM types cross this header, so callers need no LLVM headers.
 *
 * Ownership: an LlvmModule is owned by its creator until it is handed to
 * llvm_jit_add_module, which takes it in every case (success or failure).
 * Every function that can fail returns 0 / non-NULL on success, and -1 /
 * NULL with a message in *err otherwise; nothing here exits or prints. */
#ifndef BR_LLVM_CODEGEN_H
#define BR_LLVM_CODEGEN_H
#include "llvm_abi.h"
#include "nir/nir.h"
#include <stddef.h>
#include <stdint.h>

typedef struct LlvmError {
    char msg[1024];
} LlvmError;

/* ---- modules and kernels (llvm_module.c, llvm_neuron.c) ------------------ */

typedef struct LlvmModule LlvmModule;

LlvmModule *llvm_module_create(const char *name, LlvmError *err);
void llvm_module_dispose(LlvmModule *m);

/* Fast-math, opt-in (`--fast-math`, Nir.fast_math): marks every function
 * defined in m so far with LLVM's "unsafe-fp-math" attribute, which lets
 * code generation divide by a constant as a multiplication by its rounded
 * reciprocal, fuse a*b+c into FMAs and reassociate. Results then differ
 * from the reference interpreter in the last bits. Call after emitting. */
void llvm_module_fast_math(LlvmModule *m);

/* Name of population pop_id's kernel: "pop_<id>_update". */
void llvm_pop_update_name(int pop_id, char *buf, size_t size);

/* Adds the kernel of population pop_id (an LlvmPopUpdateFn) for pop, an
 * instance of model, with time step dt ms. Uniform parameters (NirValues
 * without array) and dt are compiled in as constants; per-neuron parameters
 * are loaded from LlvmPopState.param. Fails on an `exact` ODE that is not
 * affine in its own state. */
int llvm_emit_pop_update(LlvmModule *m, const NirNeuronModel *model, const NirPop *pop,
                         int pop_id, double dt, LlvmError *err);

/* ---- synapse kernels (llvm_synapse.c) ------------------------------------- */

/* The kernels a synapse group may have (runtime/rt_abi.h signatures):
 * ON_PRE, TICK (decays + update), REWARD and GAP are RtSynRowsFn, ON_POST
 * an RtSynPostFn. */
typedef enum {
    LLVM_SYN_ON_PRE, LLVM_SYN_ON_POST, LLVM_SYN_TICK, LLVM_SYN_REWARD, LLVM_SYN_GAP,
    LLVM_SYN_KINDS
} LlvmSynKind;

/* Name of a group's kernel: "group_<id>_on_pre", ... */
void llvm_syn_kernel_name(int group_id, LlvmSynKind kind, char *buf, size_t size);
/* 1 if a group of model m needs the kernel of that kind. */
int llvm_syn_has_kernel(const NirSynapseModel *m, LlvmSynKind kind);
/* flags[r] = 1 for each ref r of m that some `deliver` targets. */
void llvm_syn_delivered_refs(const NirSynapseModel *m, int *flags);
/* Adds the kernel of kind for nir->groups[group_id]. Uniform synapse
 * parameters, uniform delays and dt are compiled in. */
int llvm_emit_syn_kernel(LlvmModule *m, const Nir *nir, int group_id, LlvmSynKind kind,
                         LlvmError *err);

/* ---- a whole brain (llvm_brain.c) ------------------------------------------ */

/* All kernels of one network, JIT-compiled, and the spec of its brain. */
typedef struct LlvmBrain LlvmBrain;
struct RtBrain;

/* Emits every population's and group's kernels into one module, optimises
 * it for the host, JIT-compiles it and fills the brain spec from nir.
 * nir must outlive the LlvmBrain (its arrays are borrowed). Features not
 * executed yet (state/synapse recordings) are listed by llvm_brain_notes. */
int llvm_brain_compile(const Nir *nir, LlvmBrain **out, LlvmError *err);
/* A brain of nir running the kernels compiled for with_code, which must
 * outlive it: nir must differ from with_code's network only in values the
 * kernels load from the spec (sweeps over parameters that
 * build_params_materialise turned into arrays). Nothing is compiled. */
int llvm_brain_share(const LlvmBrain *with_code, const Nir *nir, LlvmBrain **out, LlvmError *err);
/* A fresh brain at tick 0; call as often as you like. */
struct RtBrain *llvm_brain_instantiate(LlvmBrain *lb, unsigned threads, LlvmError *err);
void llvm_brain_free(LlvmBrain *lb);

/* Emits every population's and group's kernels of nir into m (unoptimised). */
int llvm_brain_emit(LlvmModule *m, const Nir *nir, LlvmError *err);
/* The spec of nir without compiling anything, for serialising it: kernel
 * pointers are placeholders that only say which kernels exist, so this
 * spec must never reach rt_brain_create. */
int llvm_brain_describe(const Nir *nir, LlvmBrain **out, LlvmError *err);
struct RtBrainSpec;
const struct RtBrainSpec *llvm_brain_spec(const LlvmBrain *lb);

/* ---- a standalone executable's code (llvm_build.c) ------------------------ */

/* Where llvm_build_emit writes: object is required, asm and ir optional. */
typedef struct LlvmBuildPaths {
    const char *object, *asm_file, *ir_file;
} LlvmBuildPaths;

/* One module with every kernel of nir (optimised for the host exactly as
 * for `brainc run`), the table brain_kernels / brain_nkernels of their
 * addresses in spec order (rt_spec_io.h) and the serialised spec
 * brain_spec_blob / brain_spec_blob_size, written as an object file and,
 * when asked, as assembly and textual IR. */
int llvm_build_emit(const Nir *nir, const uint8_t *blob, size_t size, const LlvmBuildPaths *paths,
                    LlvmError *err);

/* ---- the host machine (llvm_target.c) ------------------------------------ */

typedef struct LlvmTarget LlvmTarget;

/* The host: default triple, CPU name and features of this machine, O3. */
LlvmTarget *llvm_target_create_host(LlvmError *err);
void llvm_target_dispose(LlvmTarget *tg);

/* Sets the module's triple and data layout, verifies it, and runs the
 * new pass manager's default<O3> pipeline with the target's cost model (so
 * the loop vectoriser sees the host's vector width). No fast-math flags are
 * ever set: results are IEEE, and FMA contraction is off. */
int llvm_target_optimize(LlvmTarget *tg, LlvmModule *m, LlvmError *err);

typedef enum { LLVM_EMIT_OBJECT, LLVM_EMIT_ASM, LLVM_EMIT_IR } LlvmEmitKind;

/* Writes the module (optimised or not, as it stands) to path. */
int llvm_target_emit(LlvmTarget *tg, LlvmModule *m, LlvmEmitKind kind, const char *path,
                     LlvmError *err);

/* ---- JIT (llvm_jit.c) ------------------------------------------------------ */

typedef struct LlvmJit LlvmJit;

/* An ORC LLJIT for the host CPU; libm and the process's symbols resolve. */
LlvmJit *llvm_jit_create(LlvmError *err);
void llvm_jit_dispose(LlvmJit *jit);

/* Verifies m and adds it; takes ownership of m whatever the outcome. */
int llvm_jit_add_module(LlvmJit *jit, LlvmModule *m, LlvmError *err);

/* Address of a compiled symbol (compiling it on first lookup), 0 on error.
 * A kernel: (LlvmPopUpdateFn)(uintptr_t)llvm_jit_lookup(jit, name, &err). */
uint64_t llvm_jit_lookup(LlvmJit *jit, const char *name, LlvmError *err);
#endif
