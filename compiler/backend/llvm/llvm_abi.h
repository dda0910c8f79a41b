/* llvm_abi.h - the memory layout a compiled kernel reads and writes. The
 * runtime owns it (runtime/rt_abi.h: RtPopState, RtGroupState and the
 * kernel signatures); these names are the backend's aliases for it, kept
 * so the interpreter and the neuron kernels read as before. */
#ifndef BR_LLVM_ABI_H
#define BR_LLVM_ABI_H
#include "rt_abi.h"

typedef RtPopState LlvmPopState;
typedef RtPopUpdateFn LlvmPopUpdateFn;
#define LLVM_REFR_EPS RT_REFR_EPS
#endif
