/* loader.h - reads a program: the main file and, transitively, its imports. */
#ifndef BR_LOADER_H
#define BR_LOADER_H
#include "ast.h"

/* Largest source file accepted; anything bigger is surely not a .brain program. */
#define LOADER_MAX_FILE_SIZE (64u << 20)

/* Initialises prog and loads path. search_paths: NULL-terminated list of
 * directories for `import a.b` (the stdlib directory answers `std.*`).
 * Returns 0 when every file was read and parsed without error. */
int program_load(Program *prog, Diag *diag, const char *path, const char **search_paths);
/* Loads source text given in memory (used by fuzzers and tests). */
int program_load_text(Program *prog, Diag *diag, const char *name, const char *text, size_t size,
                      const char **search_paths);
void program_free(Program *prog);

/* Reads a whole file; returns NULL and sets *err (static text) on failure. */
char *read_file(const char *path, size_t *size, const char **err);

/* Adds `stimulus TEXT` (TEXT given on the command line as --stimulus, shown
 * in messages as file `origin`, line 1) to the brain that `brain` names, or
 * to the last brain of the main module. Returns 0, or -1 after an error. */
int program_add_stimulus(Program *prog, const char *origin, const char *text, const char *brain);

/* The declaration called name in any loaded module, or NULL. */
Decl *program_find_decl(const Program *prog, const char *name);
#endif
