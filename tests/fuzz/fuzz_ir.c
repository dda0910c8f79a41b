/* fuzz_ir.c - libFuzzer harness: the whole front end, then elaboration into
 * the network IR and its printer. Sizes are capped so that a program asking
 * for a huge network ends in a diagnostic instead of exhausting the fuzzer. */
#include "front/loader.h"
#include "nir/nir.h"
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
    Program prog;
    const char *no_paths[] = {NULL};
    if (program_load_text(&prog, &diag, "fuzz.brain", (const char *)data, size, no_paths) == 0 &&
        sema_check(&prog) == 0 && diag.nerrors == 0) {
        NirOptions opt = {0};
        opt.seed = 1;
        opt.threads = 1;
        opt.max_neurons = 4096;
        opt.max_synapses = 200000;
        Nir *nir = nir_build(&prog, &opt, &diag);
        if (nir) {
            nir_print(nir, sink, 1);
            nir_free(nir);
        }
    }
    program_free(&prog);
    diag_free(&diag);
    fclose(sink);
    return 0;
}
