/* llvm_reward.h - the brain-level reward of the IR (NirObserve, NirReward)
 * as the runtime's RtObserveSpec and RtRewardSpec (rt_brain.h). */
#ifndef BR_LLVM_REWARD_H
#define BR_LLVM_REWARD_H
#include "nir/nir.h"
#include "rt_brain.h"
#include <stddef.h>

/* Allocates n + 1 zeroed elements of size bytes that the caller frees. */
typedef void *(*LlvmRewardAlloc)(void *ctx, size_t n, size_t size);

/* Sets spec's observes and rewards (borrowing the IR's index arrays);
 * 0, or -1 when out of memory. */
int llvm_reward_fill(const Nir *nir, RtBrainSpec *spec, LlvmRewardAlloc alloc, void *ctx);
#endif
