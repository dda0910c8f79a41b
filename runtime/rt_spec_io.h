/* rt_spec_io.h - a brain spec as bytes: what `brainc build` embeds in a
 * standalone executable and what its main (runtime/standalone/main.c)
 * turns back into an RtBrainSpec for rt_brain_create.
 *
 * The blob holds every array of the spec (populations, initial states,
 * per-neuron and per-synapse values, CSR, delays, refs, stimuli, reward
 * observations and expressions, names),
 * which kernels exist (not their addresses), the brain's name, the seed it
 * was built with, and the brain parameters with, for those that can be
 * changed without recompiling, the spec values they set (RtParamBinding).
 *
 * Layout: magic "BRAINSPC", u32 version, u32 reserved, u64 payload size,
 * u64 FNV-1a checksum of the payload, then the payload in host byte order
 * (a blob is only ever read by an executable built for the same host).
 * rt_spec_read checks the header, the checksum and every count and index
 * before anything is used: a corrupted or truncated blob is RT_ERR_FORMAT,
 * never a crash.
 *
 * Kernels are bound after reading, from a table in spec order: each
 * population's update, then each group's on_pre, on_post, on_tick,
 * on_reward and gap, where the group has them (rt_spec_kernel_count). */
#ifndef BR_RT_SPEC_IO_H
#define BR_RT_SPEC_IO_H
#include "rt_brain.h"
#include <stddef.h>
#include <stdint.h>

#define RT_SPEC_MAGIC "BRAINSPC"
#define RT_SPEC_VERSION 4u

/* A spec value that a brain parameter sets directly (it equals the
 * parameter), so `-D name=value` on a built executable may overwrite it. */
typedef enum {
    RT_BIND_POP_PARAM,       /* pops[index].param[slot] (a per-neuron array) */
    RT_BIND_POP_STATE,       /* pops[index].state_value[slot] */
    RT_BIND_GROUP_STATE,     /* groups[index].state_value[slot] */
    RT_BIND_INPUT_AMPLITUDE, /* inputs[index].amplitude */
    RT_BIND_INPUT_RATE,      /* inputs[index].rate_hz */
    RT_BIND_INPUT_W,         /* inputs[index].w */
    RT_BIND_INPUT_SD,        /* inputs[index].sd */
    RT_BIND_KINDS
} RtBindKind;

typedef struct RtParamBinding {
    uint32_t kind;           /* RtBindKind */
    uint32_t index, slot;
} RtParamBinding;

typedef struct RtSpecParam {
    const char *name;
    double value;            /* the value the network was built with */
    int changeable;          /* 1: -D may change it (via bind) */
    uint32_t nbind;
    const RtParamBinding *bind;
} RtSpecParam;

typedef struct RtSpecMeta {
    const char *brain;
    uint64_t build_seed;
    uint32_t nparams;
    const RtSpecParam *params;
} RtSpecMeta;

/* A kernel of any signature, as it sits in the executable's table. */
typedef void (*RtKernelFn)(void);

/* Kernels a spec has (non-NULL pointers), in table order. */
size_t rt_spec_kernel_count(const RtBrainSpec *spec);

/* Serialises spec and meta into a malloc'd blob (*out, *size). Kernel
 * pointers are recorded as present or absent only. */
RtStatus rt_spec_write(const RtBrainSpec *spec, const RtSpecMeta *meta, uint8_t **out, size_t *size,
                       RtError *err);

/* A spec read back from a blob. It owns every array except the groups'
 * row_ptr, col and delays, which point into data itself where data keeps
 * them aligned (it does when data is 8-byte aligned): data must outlive
 * the blob and every brain made from its spec. */
typedef struct RtSpecBlob RtSpecBlob;

RtSpecBlob *rt_spec_read(const uint8_t *data, size_t size, RtError *err);
void rt_spec_blob_free(RtSpecBlob *blob);

/* Sets the spec's kernels from table[0..n); n must be rt_spec_kernel_count. */
RtStatus rt_spec_bind_kernels(RtSpecBlob *blob, const RtKernelFn *table, size_t n, RtError *err);

const RtBrainSpec *rt_spec_blob_spec(const RtSpecBlob *blob);
const RtSpecMeta *rt_spec_blob_meta(const RtSpecBlob *blob);

/* -D name=value: overwrites every value bound to parameter name. An
 * unknown parameter, or one the network's structure depends on, is
 * RT_ERR_ARG with a message naming the parameters that can be changed. */
RtStatus rt_spec_define(RtSpecBlob *blob, const char *name, double value, RtError *err);

/* Sets the Poisson seed of the spec (run-time randomness only). */
void rt_spec_set_seed(RtSpecBlob *blob, uint64_t seed);
#endif
