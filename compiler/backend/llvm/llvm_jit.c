/* llvm_jit.c - ORC LLJIT for `brainc run`: a JIT for the host CPU (same
 * CPU name and features as llvm_target.c, so vectorised code uses the
 * host's registers), with the process's symbols (libm) visible to JIT code.
 * Every LLVMErrorRef goes through llvm_check. */
#include "llvm_cache.h"
#include "llvm_internal.h"
#include <llvm-c/LLJIT.h>
#include "rt_abi.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* With BRAINC_PERF_MAP set, every kernel looked up is listed in
 * /tmp/perf-PID.map when the JIT is disposed of, so `perf report` names JIT
 * code (a kernel's size is taken as the distance to the next one). */
typedef struct {
    uint64_t addr;
    char name[64];
} PerfSymbol;

struct LlvmJit {
    LLVMOrcLLJITRef jit;
    int perf_map;      /* BRAINC_PERF_MAP is set: perf[] lists the kernels looked up */
    PerfSymbol *perf;
    size_t nperf, capperf;
};

static int by_address(const void *a, const void *b)
{
    uint64_t x = ((const PerfSymbol *)a)->addr, y = ((const PerfSymbol *)b)->addr;
    return (x > y) - (x < y);
}

static void perf_note(LlvmJit *j, uint64_t addr, const char *name)
{
    if (j->nperf == j->capperf) {
        size_t cap = j->capperf ? 2 * j->capperf : 256;
        PerfSymbol *p = realloc(j->perf, cap * sizeof *p);
        if (!p)
            return;
        j->perf = p;
        j->capperf = cap;
    }
    j->perf[j->nperf].addr = addr;
    snprintf(j->perf[j->nperf].name, sizeof j->perf[j->nperf].name, "%s", name);
    j->nperf++;
}

static void perf_write(LlvmJit *j)
{
    char path[64];
    if (!j->nperf)
        return;
    snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
    FILE *f = fopen(path, "a");
    if (!f)
        return;
    qsort(j->perf, j->nperf, sizeof *j->perf, by_address);
    for (size_t i = 0; i < j->nperf; i++) {
        uint64_t end = j->perf[i].addr + 4096;
        for (size_t k = i + 1; k < j->nperf; k++)
            if (j->perf[k].addr > j->perf[i].addr) {
                end = j->perf[k].addr;
                break;
            }
        fprintf(f, "%llx %llx %s\n", (unsigned long long)j->perf[i].addr,
                (unsigned long long)(end - j->perf[i].addr), j->perf[i].name);
    }
    fclose(f);
}

/* Lets JIT code call functions of this process (exp, tanh, ...). */
static int add_process_symbols(LLVMOrcLLJITRef jit, LlvmError *err)
{
    LLVMOrcDefinitionGeneratorRef gen = NULL;
    LLVMErrorRef e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
        &gen, LLVMOrcLLJITGetGlobalPrefix(jit), NULL, NULL);
    if (llvm_check(e, "JIT symbol search", err))
        return -1;
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(jit), gen); /* takes gen */
    /* The runtime functions kernels call (random()): brainc links brainrt
     * statically, so they are defined here rather than searched for. */
    __typeof__(*(LLVMOrcCSymbolMapPairs)0) rt[1]; /* the pair's name differs by LLVM version */
    memset(rt, 0, sizeof rt);
    rt[0].Name = LLVMOrcLLJITMangleAndIntern(jit, "rt_random");
    rt[0].Sym.Address = (uint64_t)(uintptr_t)&rt_random;
    rt[0].Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
    e = LLVMOrcJITDylibDefine(LLVMOrcLLJITGetMainJITDylib(jit), LLVMOrcAbsoluteSymbols(rt, 1));
    return llvm_check(e, "defining the runtime's symbols", err);
}

LlvmJit *llvm_jit_create(LlvmError *err)
{
    LLVMTargetMachineRef tm = llvm_host_machine(LLVMCodeGenLevelAggressive, LLVMRelocDefault,
                                                LLVMCodeModelJITDefault, NULL, err);
    if (!tm)
        return NULL;
    LlvmJit *j = calloc(1, sizeof *j);
    if (!j) {
        LLVMDisposeTargetMachine(tm);
        llvm_fail(err, "out of memory");
        return NULL;
    }
    LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
    /* tm -> machine builder -> LLJIT builder -> LLJIT: each call takes the previous. */
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(builder, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(tm));
    if (llvm_check(LLVMOrcCreateLLJIT(&j->jit, builder), "creating the JIT", err)) {
        free(j);
        return NULL;
    }
    if (add_process_symbols(j->jit, err)) {
        llvm_jit_dispose(j);
        return NULL;
    }
    j->perf_map = getenv("BRAINC_PERF_MAP") != NULL;
    return j;
}

void llvm_jit_dispose(LlvmJit *j)
{
    if (!j)
        return;
    LlvmError ignored;
    if (j->perf_map)
        perf_write(j);
    free(j->perf);
    if (j->jit)
        llvm_check(LLVMOrcDisposeLLJIT(j->jit), "disposing of the JIT", &ignored);
    free(j);
}

/* Wraps m into a thread-safe module and empties m. */
static LLVMOrcThreadSafeModuleRef take_module(LlvmModule *m)
{
#if BR_LLVM_TSC_FROM_CONTEXT
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContextFromLLVMContext(m->ctx);
    m->ctx = NULL;
#else
    LLVMOrcThreadSafeContextRef tsc = m->tsc;
    m->tsc = NULL;
#endif
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(m->mod, tsc);
    m->mod = NULL;
    LLVMOrcDisposeThreadSafeContext(tsc); /* the module keeps the context alive */
    return tsm;
}

int llvm_jit_add_module(LlvmJit *j, LlvmModule *m, LlvmError *err)
{
    LLVMErrorRef e = NULL;
    if (llvm_verify(m->mod, err)) {
        llvm_module_dispose(m);
        return -1;
    }
    LLVMOrcThreadSafeModuleRef tsm = take_module(m);
    llvm_module_dispose(m);
    e = LLVMOrcLLJITAddLLVMIRModule(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), tsm);
    if (e) {
        LLVMOrcDisposeThreadSafeModule(tsm); /* on failure it is still ours */
        return llvm_check(e, "adding a module to the JIT", err);
    }
    return 0;
}

/* The object is copied into a buffer that the JIT takes in every case. */
int llvm_jit_add_object(LlvmJit *j, const void *obj, size_t size, LlvmError *err)
{
    LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(obj, size, "brain.o");
    LLVMErrorRef e = LLVMOrcLLJITAddObjectFile(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), buf);
    return llvm_check(e, "adding an object to the JIT", err);
}

uint64_t llvm_jit_lookup(LlvmJit *j, const char *name, LlvmError *err)
{
    LLVMOrcExecutorAddress addr = 0;
    if (llvm_check(LLVMOrcLLJITLookup(j->jit, &addr, name), name, err))
        return 0;
    if (j->perf_map)
        perf_note(j, (uint64_t)addr, name);
    return (uint64_t)addr;
}
