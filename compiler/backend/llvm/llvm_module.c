/* llvm_module.c - the module kernels are emitted into, with the context it
 * lives in: an ORC thread-safe context, so the module can later be handed
 * to the JIT without copying. */
#include "llvm_internal.h"
#include <stdio.h>
#include <stdlib.h>

LlvmModule *llvm_module_create(const char *name, LlvmError *err)
{
    LlvmModule *m = calloc(1, sizeof *m);
    if (!m) {
        llvm_fail(err, "out of memory");
        return NULL;
    }
#if BR_LLVM_TSC_FROM_CONTEXT
    m->ctx = LLVMContextCreate();
#else
    m->tsc = LLVMOrcCreateNewThreadSafeContext();
    m->ctx = LLVMOrcThreadSafeContextGetContext(m->tsc);
#endif
    m->mod = LLVMModuleCreateWithNameInContext(name, m->ctx);
    return m;
}

void llvm_module_dispose(LlvmModule *m)
{
    if (!m)
        return;
    if (m->mod)
        LLVMDisposeModule(m->mod);
#if BR_LLVM_TSC_FROM_CONTEXT
    if (m->ctx)
        LLVMContextDispose(m->ctx);
#else
    if (m->tsc)
        LLVMOrcDisposeThreadSafeContext(m->tsc);
#endif
    free(m);
}

void llvm_pop_update_name(int pop_id, char *buf, size_t size)
{
    snprintf(buf, size, "pop_%d_update", pop_id);
}

/* Fast-math (opt-in): every function defined in the module gets LLVM's
 * "unsafe-fp-math" attribute, which code generation reads (it divides by a
 * constant as a multiplication by its reciprocal and fuses a*b+c into
 * FMAs). LLVM 18 and later also take the flags per instruction through the
 * C API, which the IR optimiser reads too. No-NaN and no-infinity
 * assumptions are not made: NaN and infinities keep propagating. */
void llvm_module_fast_math(LlvmModule *m)
{
    for (LLVMValueRef fn = LLVMGetFirstFunction(m->mod); fn; fn = LLVMGetNextFunction(fn)) {
        if (LLVMIsDeclaration(fn))
            continue;
        LLVMAddTargetDependentFunctionAttr(fn, "unsafe-fp-math", "true");
#if LLVM_VERSION_MAJOR >= 18
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
            for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in; in = LLVMGetNextInstruction(in))
                if (LLVMCanValueUseFastMathFlags(in))
                    LLVMSetFastMathFlags(in, LLVMFastMathAllowReassoc | LLVMFastMathAllowReciprocal |
                                                 LLVMFastMathAllowContract | LLVMFastMathApproxFunc);
#endif
    }
}
