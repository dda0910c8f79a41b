/* fuzz_import.c - libFuzzer harness: inner-models-v8 JSON importer.
 * Any input must end in diagnostics or in .brain source that the front end
 * and the checks then handle: never a crash, a hang, a sanitizer report or a
 * leak. No file is read (component lookups fail), and the imported source
 * is parsed without following imports. */
#include "front/loader.h"
#include "import/import.h"
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
    ImportResult r;
    const char *no_paths[] = {NULL};
    if (import_json_text("fuzz.json", (const char *)data, size, no_paths, 0, &diag, &r) == 0) {
        Program prog;
        program_load_text(&prog, &diag, "fuzz.brain", r.text, r.size, no_paths);
        program_free(&prog);
        import_result_free(&r);
    }
    diag_free(&diag);
    fclose(sink);
    return 0;
}
