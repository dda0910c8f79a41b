/* record.h - what `brainc run` writes: the raster of every population
 * (--record spikes=FILE) and, with --out DIR, one file per `record` member
 * of the program (docs/cli.md, "Recording"). */
#ifndef BR_DRIVER_RECORD_H
#define BR_DRIVER_RECORD_H
#include "nir/nir.h"
#include "rt_brain.h"
#include <stddef.h>

typedef struct RecordOptions {
    const char *spikes_file;  /* --record spikes=FILE, or NULL */
    const char *dir;          /* --out DIR, or NULL: `record` members are not written */
    RtRasterFormat format;    /* --record-format: spike files as CSV or BRSPK1 */
    const char *suffix;       /* a sweep variant's ".name=v", put before the extension; or NULL */
} RecordOptions;

/* Creates ro->dir (one level) if it does not exist. Returns 0, or -1 with
 * a message in msg. */
int record_prepare_dir(const RecordOptions *ro, char *msg, size_t size);

/* Opens every file on b: the raster of ro->spikes_file and, with ro->dir,
 * one recording per record of nir. Returns 0, or -1 with a message in err
 * (then nothing runs; rt_brain_destroy closes what was opened). */
int record_attach(RtBrain *b, const Nir *nir, const RecordOptions *ro, RtError *err);

/* The file name of path with suffix put before its extension
 * ("a/x.csv", ".r=2" -> "a/x.r=2.csv"); into buf. */
void record_path_with_suffix(const char *path, const char *suffix, char *buf, size_t size);
#endif
