/* run_brain.h - running one compiled brain for `brainc run` (and each
 * variant of a sweep): instantiate, open the recordings, step with the
 * progress line, close, and the summary line. */
#ifndef BR_DRIVER_RUN_BRAIN_H
#define BR_DRIVER_RUN_BRAIN_H
#include "backend/llvm/llvm_codegen.h"
#include "driver/record.h"
#include "nir/nir.h"
#include <stdint.h>
#include <stdio.h>

typedef struct RunSettings {
    uint64_t ticks;
    unsigned threads;  /* inside the brain */
    int progress;      /* 1: the progress line on stderr when it is a terminal */
    RecordOptions rec;
    const struct CheckpointRun *ckpt; /* NULL: no --checkpoint / --resume (checkpoint_opts.h) */
} RunSettings;

typedef struct RunResult {
    int status;          /* 0 ok, 1 an output could not be written, 3 internal error */
    char msg[1024];      /* why, when status != 0 */
    double seconds;      /* stepping only */
    uint64_t *spikes;    /* [nir->npops] spikes of each population (malloc'd) */
} RunResult;

/* Compiles nir's kernels through the cache in cache_dir (NULL: none).
 * Returns 0, or -1 with a message in msg. */
int run_compile(const Nir *nir, const char *cache_dir, LlvmBrain **lb, char *msg, size_t size);

/* Runs a fresh brain of lb (compiled from nir) for rs->ticks ticks.
 * Fills res (free with run_result_free); returns res->status. Touches no
 * shared state: variants may run on several threads at once. */
int run_brain(LlvmBrain *lb, const Nir *nir, const RunSettings *rs, RunResult *res);
void run_result_free(RunResult *res);

/* "ran N ticks (T ms), S spikes; rates (Hz): pop r ...; W s, X ticks/s",
 * after "label: " when label is not NULL. */
void run_print_summary(FILE *out, const Nir *nir, const RunResult *res, uint64_t ticks,
                       const char *label);
#endif
