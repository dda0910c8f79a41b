/* checkpoint_opts.h - checkpoints in `brainc run` (docs/cli.md,
 * "Checkpoints"): the --checkpoint, --checkpoint-every and --resume flags,
 * the identity of a run (brain, seed, preset, -D values, source and
 * network hashes), resuming and stepping with saves, and `brainc inspect`. */
#ifndef BR_DRIVER_CHECKPOINT_OPTS_H
#define BR_DRIVER_CHECKPOINT_OPTS_H
#include "backend/llvm/llvm_codegen.h"
#include "nir/nir.h"
#include "rt_brain.h"
#include "rt_checkpoint.h"
#include <stddef.h>
#include <stdint.h>

typedef struct CheckpointOptions {
    const char *path;      /* --checkpoint FILE: saved at the end (and every N ticks) */
    uint64_t every;        /* --checkpoint-every N; 0: only at the end */
    const char *resume;    /* --resume FILE: start from this checkpoint */
    uint64_t keep;         /* --checkpoint-keep K: FILE and FILE.1 .. FILE.<K-1>; 0 or 1: FILE only */
} CheckpointOptions;

/* A run's checkpointing: the options and the identity it saves and checks. */
typedef struct CheckpointRun {
    CheckpointOptions opt;
    RtCheckpointMeta meta;   /* meta.labels: malloc'd, freed by checkpoint_run_free */
} CheckpointRun;

/* Parses the checkpoint option at argv[*i] (advancing *i over its value):
 * 1 when it was one, 0 when not, -1 for a bad value (message in msg). */
int checkpoint_parse_option(CheckpointOptions *c, int argc, char **argv, int *i, char *msg, size_t size);

/* Whether any checkpoint option was given. */
int checkpoint_wanted(const CheckpointOptions *c);

/* Fills run from the options and the program: file (source hash), the
 * network nir compiled into lb (spec hash), preset and -D values.
 * Returns 0, or -1 with a message. */
int checkpoint_prepare(CheckpointRun *run, const CheckpointOptions *opt, const Nir *nir, const LlvmBrain *lb,
                       const char *file, const char *preset, const NirDefine *defs, int ndefs, char *msg,
                       size_t size);

/* Frees what checkpoint_prepare allocated (run may be zeroed). */
void checkpoint_run_free(CheckpointRun *run);

/* --resume: loads run->opt.resume into b (notes go to stderr). Returns 0,
 * or -1 with the reason in err. */
int checkpoint_resume(const CheckpointRun *run, RtBrain *b, RtError *err);

/* Steps b for ticks ticks, saving as the options say. */
RtStatus checkpoint_step(const CheckpointRun *run, RtBrain *b, uint64_t ticks, RtError *err);

/* `brainc inspect FILE.db`: prints the summary; returns the exit status
 * (0, or 1 with a message on stderr). */
int checkpoint_inspect(const char *path);
#endif
