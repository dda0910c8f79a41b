/* llvm_target.c - the host machine: a TargetMachine for this CPU (triple,
 * CPU name and features), the O3 pipeline run with it, and emission of
 * object files, assembly and textual IR (`brainc build`, --emit-asm,
 * --emit-llvm). */
#include "llvm_internal.h"
#include <llvm-c/Analysis.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdlib.h>
#include <string.h>

struct LlvmTarget {
    LLVMTargetMachineRef tm;
    char *triple;
};

/* LLVM's target registry is process-wide; registering twice is harmless. */
static int init_native(LlvmError *err)
{
    if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter())
        return llvm_fail(err, "LLVM has no native target for this machine");
    return 0;
}

LLVMTargetMachineRef llvm_host_machine(LLVMCodeGenOptLevel opt, LLVMRelocMode reloc, LLVMCodeModel model,
                                       char **triple_out, LlvmError *err)
{
    if (init_native(err))
        return NULL;
    char *triple = LLVMGetDefaultTargetTriple(), *msg = NULL;
    LLVMTargetRef target;
    int failed = LLVMGetTargetFromTriple(triple, &target, &msg); /* sets msg: call before reading it */
    if (llvm_check_message(failed, msg, "target lookup", err)) {
        LLVMDisposeMessage(triple);
        return NULL;
    }
    char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, opt, reloc, model);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    if (!tm)
        llvm_fail(err, "cannot create a target machine for %s", triple);
    if (tm && triple_out)
        *triple_out = triple;
    else
        LLVMDisposeMessage(triple);
    return tm;
}

LlvmTarget *llvm_target_create_host(LlvmError *err)
{
    LlvmTarget *tg = calloc(1, sizeof *tg);
    if (!tg) {
        llvm_fail(err, "out of memory");
        return NULL;
    }
    /* PIC: objects are linked into position-independent executables. */
    tg->tm = llvm_host_machine(LLVMCodeGenLevelAggressive, LLVMRelocPIC, LLVMCodeModelDefault, &tg->triple, err);
    if (!tg->tm) {
        free(tg);
        return NULL;
    }
    return tg;
}

void llvm_target_dispose(LlvmTarget *tg)
{
    if (!tg)
        return;
    LLVMDisposeTargetMachine(tg->tm);
    LLVMDisposeMessage(tg->triple);
    free(tg);
}

void llvm_set_target(LLVMTargetMachineRef tm, LLVMModuleRef mod)
{
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(mod, triple);
    LLVMDisposeMessage(triple);
    LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(tm);
    LLVMSetModuleDataLayout(mod, layout);
    LLVMDisposeTargetData(layout);
}

int llvm_verify(LLVMModuleRef mod, LlvmError *err)
{
    char *msg = NULL;
    int failed = LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg); /* sets msg, even when valid */
    return llvm_check_message(failed, msg, "invalid LLVM module (a backend bug)", err);
}

int llvm_target_optimize(LlvmTarget *tg, LlvmModule *m, LlvmError *err)
{
    llvm_set_target(tg->tm, m->mod);
    if (llvm_verify(m->mod, err))
        return -1;
    LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(opts, 1);
    LLVMPassBuilderOptionsSetSLPVectorization(opts, 1);
    LLVMPassBuilderOptionsSetLoopUnrolling(opts, 1);
    LLVMErrorRef e = LLVMRunPasses(m->mod, "default<O3>", tg->tm, opts);
    LLVMDisposePassBuilderOptions(opts);
    return llvm_check(e, "optimising", err);
}

int llvm_target_emit(LlvmTarget *tg, LlvmModule *m, LlvmEmitKind kind, const char *path, LlvmError *err)
{
    llvm_set_target(tg->tm, m->mod);
    if (llvm_verify(m->mod, err))
        return -1;
    char *msg = NULL;
    if (kind == LLVM_EMIT_IR) {
        int failed = LLVMPrintModuleToFile(m->mod, path, &msg);
        return llvm_check_message(failed, msg, path, err);
    }
    char *file = strdup(path); /* the C API takes a non-const name */
    if (!file)
        return llvm_fail(err, "out of memory");
    LLVMCodeGenFileType type = kind == LLVM_EMIT_ASM ? LLVMAssemblyFile : LLVMObjectFile;
    int failed = LLVMTargetMachineEmitToFile(tg->tm, m->mod, file, type, &msg);
    free(file);
    return llvm_check_message(failed, msg, path, err);
}
