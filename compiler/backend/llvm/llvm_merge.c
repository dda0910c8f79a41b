/* llvm_merge.c - identical kernels compiled once.
 *
 * An imported recipe or a brain with many instances of one component has
 * hundreds of populations and synapse groups whose kernels differ only in
 * their names (same model, same folded parameters and delays): arena_v1
 * emits 434 synapse kernels of which 49 differ. Optimising and generating
 * code for each copy is most of a first compile, so every function whose
 * text after its name equals an earlier one's becomes an alias of that one.
 * The kernel names (the runtime's and the cache's view) stay as they were. */
#include "llvm_internal.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct Kernel {
    LLVMValueRef fn;
    char *text;      /* LLVMPrintValueToString of fn (LLVMDisposeMessage) */
    const char *body; /* text from the parameter list on: all but the name */
    uint64_t hash;
    LLVMValueRef same_as; /* an earlier identical kernel, or NULL */
} Kernel;

static uint64_t hash_text(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* Finds each kernel's first identical predecessor through an open-addressing
 * table of indices into k (size a power of two, at least twice n). */
static int find_duplicates(Kernel *k, size_t n)
{
    size_t size = 16;
    while (size < 2 * n)
        size *= 2;
    size_t *slot = malloc(size * sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < size; i++)
        slot[i] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t at = (size_t)k[i].hash & (size - 1);
        for (; slot[at] != SIZE_MAX; at = (at + 1) & (size - 1)) {
            const Kernel *o = &k[slot[at]];
            if (o->hash == k[i].hash && strcmp(o->body, k[i].body) == 0)
                break;
        }
        if (slot[at] == SIZE_MAX)
            slot[at] = i;
        else
            k[i].same_as = k[slot[at]].fn;
    }
    free(slot);
    return 0;
}

/* Replaces fn by an alias of target under fn's name. */
static void alias(LlvmModule *m, LLVMValueRef fn, LLVMValueRef target)
{
    size_t len = 0;
    const char *name = LLVMGetValueName2(fn, &len);
    char *copy = malloc(len + 1);
    if (!copy)
        return; /* keeps the duplicate: correct, only slower to compile */
    memcpy(copy, name, len);
    copy[len] = 0;
    LLVMTypeRef type = LLVMGlobalGetValueType(fn);
    LLVMReplaceAllUsesWith(fn, target);
    LLVMDeleteFunction(fn);
    LLVMAddAlias2(m->mod, type, 0, target, copy);
    free(copy);
}

/* One pass: each function identical to an earlier one becomes its alias. */
static int merge_pass(LlvmModule *m, LlvmError *err)
{
    size_t n = 0, cap = 0;
    Kernel *k = NULL;
    int rc = 0;
    for (LLVMValueRef fn = LLVMGetFirstFunction(m->mod); fn && !rc; fn = LLVMGetNextFunction(fn)) {
        if (LLVMIsDeclaration(fn))
            continue;
        if (n == cap) {
            size_t grown_cap = cap ? 2 * cap : 256;
            Kernel *grown = realloc(k, grown_cap * sizeof *grown);
            if (!grown) {
                rc = -1;
                break;
            }
            k = grown, cap = grown_cap;
        }
        char *text = LLVMPrintValueToString(fn);
        const char *body = strchr(text, '(');
        k[n++] = (Kernel){fn, text, body ? body : text, hash_text(body ? body : text), NULL};
    }
    if (!rc)
        rc = find_duplicates(k, n);
    int merged = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc && k[i].same_as)
            alias(m, k[i].fn, k[i].same_as), merged++;
        LLVMDisposeMessage(k[i].text);
    }
    free(k);
    return rc ? llvm_fail(err, "out of memory") : merged;
}

/* Until nothing merges: a kernel that calls a helper differs from its twin
 * by the callee's name until the twin helpers have been merged. */
int llvm_merge_identical_functions(LlvmModule *m, LlvmError *err)
{
    int total = 0, merged;
    while ((merged = merge_pass(m, err)) > 0)
        total += merged;
    return merged < 0 ? -1 : total;
}
