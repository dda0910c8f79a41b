/* import_cmd.c - `brainc import`, and JSON files given to check/ir/run/build. */
#include "driver/import_cmd.h"
#include "import/import.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int import_cmd(const char *file, const char **search, const char *output, Diag *diag)
{
    ImportResult r;
    if (import_json_file(file, search, diag, &r) != 0)
        return 1;
    int rc = 0;
    if (output) {
        char msg[512];
        if (import_write_atomic(output, r.text, r.size, msg, sizeof msg) != 0) {
            fprintf(stderr, "brainc: %s\n", msg);
            rc = 1;
        }
    } else if (fwrite(r.text, 1, r.size, stdout) != r.size || fflush(stdout) != 0) {
        fprintf(stderr, "brainc: cannot write the output\n");
        rc = 1;
    }
    import_result_free(&r);
    return rc;
}

int import_load_program(Program *prog, Diag *diag, const char *file, const char **search, uint64_t *seed)
{
    ImportResult r;
    if (import_json_file(file, search, diag, &r) != 0) {
        /* an empty program, so that program_free works as after program_load */
        program_load_text(prog, diag, file, "", 0, search);
        return -1;
    }
    *seed = r.seed;
    size_t n = strlen(file);
    char *name = malloc(n + 8);
    if (!name) {
        import_result_free(&r);
        return -1;
    }
    snprintf(name, n + 8, "%s.brain", file); /* the imported source, named for its diagnostics */
    int rc = program_load_text(prog, diag, name, r.text, r.size, search);
    free(name);
    import_result_free(&r);
    return rc;
}
