/* import.h - `brainc import`: inner-models-v8 JSON (components and recipes)
 * to readable .brain source (docs/import.md).
 *
 * Errors and warnings go to the Diag as file:line:col: error: ..., with the
 * JSON file registered so that the source line and a caret are shown. */
#ifndef BR_IMPORT_H
#define BR_IMPORT_H
#include "diag/diag.h"
#include <stddef.h>
#include <stdint.h>

typedef struct ImportResult {
    char *text;       /* the .brain source (malloc'd, NUL-terminated) */
    size_t size;
    uint64_t seed;    /* the recipe's seed (42 when it gives none) */
    int is_recipe;    /* 0: a component file alone */
} ImportResult;

/* Imports the JSON file at path. search: NULL-terminated -I directories
 * where component files are also looked for (after the recipe's own
 * folder and its parent, each with blocks/, blocks/sub_components/ and
 * blocks/components/). Returns 0 on success; on failure *out is empty and
 * the errors are in diag. */
int import_json_file(const char *path, const char **search, Diag *diag, ImportResult *out);

/* The same from text in memory (fuzzing, tests). With files = 0 no file is
 * read: a recipe's components must then fail to resolve. */
int import_json_text(const char *name, const char *text, size_t size, const char **search, int files,
                     Diag *diag, ImportResult *out);

void import_result_free(ImportResult *r);

/* Writes text to path atomically (a temporary file beside it, then
 * rename): either the whole file appears or nothing. 0 on success, else -1
 * with a message in msg. */
int import_write_atomic(const char *path, const char *text, size_t size, char *msg, size_t msize);

/* Whether path names a JSON file (ends in .json). */
int import_is_json_path(const char *path);
#endif
