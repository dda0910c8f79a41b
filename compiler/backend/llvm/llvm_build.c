/* llvm_build.c - the code of a standalone executable (`brainc build`):
 * every kernel of the network, optimised for the host with the same
 * pipeline as `brainc run` (so both compute the same spikes), a table of
 * the kernels in spec order and the serialised spec as constant data, in
 * one module written through the host TargetMachine. The executable's
 * main (runtime/standalone/main.c) reads both. */
#include "llvm_internal.h"
#include <stdlib.h>
#include <string.h>

/* A constant global of type ty named name with initialiser init. */
static void add_constant(LlvmModule *m, LLVMTypeRef ty, const char *name, LLVMValueRef init)
{
    LLVMValueRef gv = LLVMAddGlobal(m->mod, ty, name);
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, 1);
    LLVMSetLinkage(gv, LLVMExternalLinkage);
}

/* Appends the kernel called name to table (*n entries); -1 if it is missing. */
static int push_kernel(LlvmModule *m, LLVMValueRef *table, size_t *n, const char *name, LlvmError *err)
{
    LLVMValueRef fn = LLVMGetNamedFunction(m->mod, name);
    if (!fn) /* a kernel identical to an earlier one is an alias of it (llvm_merge.c) */
        fn = LLVMGetNamedGlobalAlias(m->mod, name, strlen(name));
    if (!fn)
        return llvm_fail(err, "kernel %s was not emitted (a backend bug)", name);
    LLVMTypeRef i8p = LLVMPointerType(LLVMInt8TypeInContext(m->ctx), 0);
    table[(*n)++] = LLVMConstPointerCast(fn, i8p);
    return 0;
}

/* Fills table with every kernel in spec order: population updates, then
 * each group's kernels in LlvmSynKind order (the order of rt_spec_io.h). */
static int collect_kernels(LlvmModule *m, const Nir *nir, LLVMValueRef *table, size_t *n, LlvmError *err)
{
    char name[64];
    for (int p = 0; p < nir->npops; p++) {
        llvm_pop_update_name(p, name, sizeof name);
        if (push_kernel(m, table, n, name, err))
            return -1;
    }
    for (int g = 0; g < nir->ngroups; g++) {
        const NirSynapseModel *sm = &nir->syn_models[nir->groups[g].model];
        for (int k = 0; k < LLVM_SYN_KINDS; k++) {
            if (!llvm_syn_has_kernel(sm, (LlvmSynKind)k))
                continue;
            llvm_syn_kernel_name(g, (LlvmSynKind)k, name, sizeof name);
            if (push_kernel(m, table, n, name, err))
                return -1;
        }
    }
    return 0;
}

static int add_kernel_table(LlvmModule *m, const Nir *nir, LlvmError *err)
{
    size_t cap = (size_t)nir->npops + (size_t)nir->ngroups * LLVM_SYN_KINDS, n = 0;
    LLVMValueRef *table = calloc(cap + 1, sizeof *table);
    if (!table)
        return llvm_fail(err, "out of memory");
    int rc = collect_kernels(m, nir, table, &n, err);
    if (rc == 0) {
        LLVMTypeRef i8p = LLVMPointerType(LLVMInt8TypeInContext(m->ctx), 0);
        LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx);
        add_constant(m, LLVMArrayType(i8p, (unsigned)n), "brain_kernels", LLVMConstArray(i8p, table, (unsigned)n));
        add_constant(m, i64, "brain_nkernels", LLVMConstInt(i64, n, 0));
    }
    free(table);
    return rc;
}

static int add_blob(LlvmModule *m, const uint8_t *blob, size_t size, LlvmError *err)
{
    if (size > 0xffffffffu)
        return llvm_fail(err, "the network is too large to embed (%zu bytes)", size);
    LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx);
    LLVMValueRef data = LLVMConstStringInContext(m->ctx, (const char *)blob, (unsigned)size, 1);
    add_constant(m, LLVMTypeOf(data), "brain_spec_blob", data);
    LLVMSetAlignment(LLVMGetNamedGlobal(m->mod, "brain_spec_blob"), 16);
    add_constant(m, i64, "brain_spec_blob_size", LLVMConstInt(i64, size, 0));
    return 0;
}

/* Kernels (optimised as for the JIT), then the table and the blob. */
static int build_module(LlvmTarget *tg, LlvmModule *m, const Nir *nir, const uint8_t *blob, size_t size,
                        LlvmError *err)
{
    if (llvm_brain_emit(m, nir, err) || llvm_target_optimize(tg, m, err))
        return -1;
    return add_kernel_table(m, nir, err) || add_blob(m, blob, size, err) ? -1 : 0;
}

int llvm_build_emit(const Nir *nir, const uint8_t *blob, size_t size, const LlvmBuildPaths *paths,
                    LlvmError *err)
{
    LlvmTarget *tg = llvm_target_create_host(err);
    LlvmModule *m = tg ? llvm_module_create(nir->brain, err) : NULL;
    int rc = m ? build_module(tg, m, nir, blob, size, err) : -1;
    if (rc == 0 && paths->ir_file)
        rc = llvm_target_emit(tg, m, LLVM_EMIT_IR, paths->ir_file, err);
    if (rc == 0)
        rc = llvm_target_emit(tg, m, LLVM_EMIT_OBJECT, paths->object, err);
    if (rc == 0 && paths->asm_file)
        rc = llvm_target_emit(tg, m, LLVM_EMIT_ASM, paths->asm_file, err);
    llvm_module_dispose(m);
    llvm_target_dispose(tg);
    return rc;
}
