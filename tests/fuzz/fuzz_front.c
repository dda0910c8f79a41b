/* fuzz_front.c - libFuzzer harness: lexer + parser + semantic checks.
 * Any input must end in diagnostics or success: never a crash, a hang, a
 * sanitizer report or a leak. Imports are not followed (no search path), so
 * the harness reads no files. */
#include "front/loader.h"
#include "sema/sema.h"
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *sink = fopen("/dev/null", "w");
    if (!sink)
        return 0;
    Diag diag;
    diag_init(&diag, sink);
    diag.max_errors = 0;
    Program prog;
    const char *no_paths[] = {NULL};
    if (program_load_text(&prog, &diag, "fuzz.brain", (const char *)data, size, no_paths) == 0 ||
        diag.nerrors < 1000)
        sema_check(&prog);
    program_free(&prog);
    diag_free(&diag);
    fclose(sink);
    return 0;
}
