/* sweep.h - `brainc run FILE --sweep name=v1,v2,...`: one brain per value
 * of a brain parameter, run side by side on --threads threads (each brain
 * single-threaded inside), one summary line per variant. */
#ifndef BR_DRIVER_SWEEP_H
#define BR_DRIVER_SWEEP_H
#include "diag/diag.h"
#include "driver/run_brain.h"
#include "front/loader.h"
#include "nir/nir.h"
#include <stddef.h>

#define SWEEP_MAX_VALUES 1024

typedef struct Sweep {
    char *name;
    int n;
    double *values;  /* [n] */
    char **texts;    /* [n] each value as written, for labels and file suffixes */
} Sweep;

/* Parses "name=v1,v2,..." (numbers). Returns 0, or -1 with a message. */
int sweep_parse(const char *arg, Sweep *sw, char *msg, size_t size);
void sweep_free(Sweep *sw);

typedef struct SweepRun {
    Program *prog;
    Diag *diag;
    NirOptions nopt;       /* the run's options; the swept parameter is set per variant */
    RunSettings rs;        /* rs.threads: how many variants run at once */
    const char *cache_dir; /* NULL: no cache */
    int quiet;
    void (*warn)(const Nir *nir, void *sweep_run); /* called once, with the first network */
    void *ctx;             /* the caller's, for warn */
} SweepRun;

/* Elaborates and compiles every variant (the network is built anew for
 * each value, so structural parameters sweep too), runs them, prints one
 * summary line per variant in order ("name=v: ran ..."), and with
 * recordings writes each variant's files with the suffix ".name=v" before
 * the extension. Returns an exit code (0, 1, 3). */
int sweep_run(const Sweep *sw, const SweepRun *sr);
#endif
