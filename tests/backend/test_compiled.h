/* test_compiled.h - shared by the backend tests that run whole brains
 * (test_brain_run.c, test_syn_interp.c): a network built from source text
 * (test_nir_util.h), JIT-compiled, and fresh brains of it. */
#ifndef TEST_COMPILED_H
#define TEST_COMPILED_H
#include "../unit/test_nir_util.h"
#include "backend/llvm/llvm_codegen.h"
#include "rt_brain.h"

typedef struct Compiled {
    Net net;
    LlvmBrain *lb;
} Compiled;

static int compile(Compiled *c, const char *src, uint64_t seed)
{
    NirOptions opt = opts_seed(seed);
    if (!net_ok(&c->net, src, &opt))
        return -1;
    LlvmError err = {{0}};
    if (llvm_brain_compile(c->net.nir, &c->lb, &err)) {
        printf("compile failed: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static void compiled_free(Compiled *c)
{
    llvm_brain_free(c->lb);
    net_free(&c->net);
}

static RtBrain *instantiate(Compiled *c, unsigned threads)
{
    LlvmError err = {{0}};
    RtBrain *b = llvm_brain_instantiate(c->lb, threads, &err);
    if (!b)
        printf("instantiate failed: %s\n", err.msg);
    return b;
}
#endif
