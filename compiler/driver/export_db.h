/* export_db.h - `brainc export-db`: a network written as the SQLite brain DB
 * of inner-models-v8 (reference §7), so that the reference's tools read our
 * brains. docs/import.md ("Exporting") has the mapping. */
#ifndef BR_EXPORT_DB_H
#define BR_EXPORT_DB_H
#include "../diag/diag.h"
#include "../nir/nir.h"

/* Writes nir to path (a temporary file in the same folder, then a rename:
 * nothing is written on errors). Models without an inner-models-v8
 * equivalent are warned about through diag. Returns 0, or 1 when the file
 * cannot be written (message on stderr), or 3 on an internal error. */
int export_db(const Nir *nir, const char *path, Diag *diag);
#endif
