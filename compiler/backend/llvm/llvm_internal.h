/* llvm_internal.h - what the files of the LLVM backend share: the module
 * wrapper, the error helper, and the code generation context of one kernel
 * (the variables of the neuron being updated). Not for use outside
 * compiler/backend/llvm/. */
#ifndef BR_LLVM_INTERNAL_H
#define BR_LLVM_INTERNAL_H
#include "llvm_codegen.h"
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/Orc.h>
#include <llvm-c/TargetMachine.h>
#include <llvm/Config/llvm-config.h>

/* LLVM 21 dropped LLVMOrcThreadSafeContextGetContext: there the module gets
 * a plain context that is wrapped when it is handed to the JIT. */
#if LLVM_VERSION_MAJOR >= 21
#define BR_LLVM_TSC_FROM_CONTEXT 1
#else
#define BR_LLVM_TSC_FROM_CONTEXT 0
#endif

struct LlvmModule {
    LLVMOrcThreadSafeContextRef tsc; /* NULL with BR_LLVM_TSC_FROM_CONTEXT */
    LLVMContextRef ctx;              /* owned by tsc, or by us with BR_LLVM_TSC_FROM_CONTEXT */
    LLVMModuleRef mod;
};

/* Formats a message into err; returns -1 so callers can `return llvm_fail(...)`. */
int llvm_fail(LlvmError *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* llvm_merge.c: every defined function identical to an earlier one but for
 * its name becomes an alias of it. Returns how many, or -1 (out of memory). */
int llvm_merge_identical_functions(LlvmModule *m, LlvmError *err);
/* If e is an error: consumes it, writes "what: message" to err, returns -1.
 * Returns 0 for LLVMErrorSuccess (NULL). Every LLVMErrorRef goes through here. */
int llvm_check(LLVMErrorRef e, const char *what, LlvmError *err);
/* Same for LLVM's char* messages (LLVMDisposeMessage'd here); NULL is fine. */
int llvm_check_message(int failed, char *msg, const char *what, LlvmError *err);

/* llvm_target.c: a TargetMachine for this host (CPU name and features);
 * *triple_out, if asked, is LLVMDisposeMessage'd by the caller. */
LLVMTargetMachineRef llvm_host_machine(LLVMCodeGenOptLevel opt, LLVMRelocMode reloc, LLVMCodeModel model,
                                       char **triple_out, LlvmError *err);
/* Sets mod's triple and data layout for tm. */
void llvm_set_target(LLVMTargetMachineRef tm, LLVMModuleRef mod);
/* LLVMVerifyModule with its message in err. */
int llvm_verify(LLVMModuleRef mod, LlvmError *err);

/* Code generation context of one kernel. Variables that statements assign
 * live in allocas (promoted to SSA by the optimiser); parameters are
 * values, constant when uniform. */
typedef struct LlvmGen LlvmGen;
struct LlvmGen {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef f64, i1, i8, i32, i64, ptr;
    const NirNeuronModel *model;
    double dt;
    LLVMValueRef *param;  /* [nparams] values */
    LLVMValueRef *state;  /* [nstates] allocas (swapped for RK4 stages) */
    LLVMValueRef *input;  /* [ninputs] allocas */
    LLVMValueRef *local;  /* [nlocals] allocas */
    LLVMValueRef t;       /* time seen by expressions (per substep / stage) */
    /* random(): the i64 arguments of rt_random (rt_abi.h); NULL: none (0 is used) */
    LLVMValueRef rng_seed, rng_stream, rng_index, rng_tick;
    /* Synapse code only (llvm_synapse.c); NULL in neuron kernels. */
    LLVMValueRef *ref;    /* [nrefs] pointers to the pre/post neuron's variables */
    LLVMValueRef reward;  /* the amount, in `on reward` */
    void (*deliver)(struct LlvmGen *g, const NirStmt *s); /* emits one `deliver` */
    /* emits `prune`: marks the synapse pruned and leaves its code (the
     * builder is left in a fresh, unreachable block) */
    void (*prune)(struct LlvmGen *g);
    void *owner;          /* the synapse kernel being emitted, for deliver */
};

/* llvm_expr.c */
LLVMValueRef llvm_const(LlvmGen *g, double v);
LLVMValueRef llvm_expr(LlvmGen *g, const NirExpr *e);           /* a double */
LLVMValueRef llvm_truth(LlvmGen *g, LLVMValueRef v);             /* v != 0, an i1 */
void llvm_stmts(LlvmGen *g, const NirStmt *s);
/* interp_affine's split of e into A + B*x; -1 when not affine. */
int llvm_affine(LlvmGen *g, const NirExpr *e, int x, LLVMValueRef *A, LLVMValueRef *B);
LLVMValueRef llvm_call_intrinsic(LlvmGen *g, const char *name, LLVMValueRef *args, int nargs);

/* llvm_integrate.c: integrates the ODEs of g->model over one tick at the
 * builder's position (interp.h step 1). stage: [nstates] spare allocas for
 * RK4 stages. g->t is the tick's time on entry and on return. */
int llvm_integrate(LlvmGen *g, LLVMValueRef *stage, LlvmError *err);

/* llvm_neuron.c: llvm_emit_pop_update, with tick step 1 fused into the
 * kernel for the variables v (v < ninputs: input v, else state
 * v - ninputs) with fused[v] != 0: the kernel adds LlvmPopState.slot[v][k]
 * to the variable as it loads it and clears it. fused NULL: none (the
 * runtime then must drain every ring itself). */
int llvm_emit_pop_update_fused(LlvmModule *m, const NirNeuronModel *model, const NirPop *pop, int pop_id,
                               double dt, const int *fused, LlvmError *err);
#endif
