/* import_cmd.h - the driver's side of `brainc import` and of running JSON
 * directly (`brainc run RECIPE.json`). */
#ifndef BR_IMPORT_CMD_H
#define BR_IMPORT_CMD_H
#include "front/loader.h"
#include <stdint.h>

/* `brainc import FILE.json [-o OUT.brain]`: writes the .brain source to
 * OUT (atomically) or stdout. Returns an exit status (0 ok, 1 errors). */
int import_cmd(const char *file, const char **search, const char *output, Diag *diag);

/* Imports file (.json) and loads the result as a program, as program_load
 * would load a .brain file. *seed receives the recipe's seed. 0 on success. */
int import_load_program(Program *prog, Diag *diag, const char *file, const char **search, uint64_t *seed);
#endif
