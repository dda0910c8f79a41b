/* record.h - what `brainc run` writes: the raster of every population
 * (--record spikes=FILE) and, with --out DIR, one file per `record` member
 * of the program; with --out FILE.db, those records and the --record list
 * go into one SQLite recording (docs/cli.md, "Recording"). */
#ifndef BR_DRIVER_RECORD_H
#define BR_DRIVER_RECORD_H
#include "nir/nir.h"
#include "rt_brain.h"
#include "rt_checkpoint.h"
#include <stddef.h>

typedef struct RecordOptions {
    const char *spikes_file;  /* --record spikes=FILE, or NULL */
    const char *dir;          /* --out DIR, or NULL: `record` members are not written */
    RtRasterFormat format;    /* --record-format: spike files as CSV or BRSPK1 */
    const char *suffix;       /* a sweep variant's ".name=v", put before the extension; or NULL */
    const char *list;         /* --record spikes,POP.v,CONN.w[:every=K],...: into the SQLite dir; or NULL */
    const RtCheckpointMeta *identity; /* stored in an SQLite recording; NULL: brain and seed only */
    int sample_f64;           /* --record-dtype f64: samples in the SQLite recording as doubles (else floats) */
} RecordOptions;

/* Whether path names an SQLite recording (ends in ".db") rather than a directory. */
int record_is_db(const char *path);

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
