/* instantiate.c - instantiation benchmark: builds one generated brain and
 * reports how long nir_build took and the process's peak memory.
 *
 *   instantiate RULE NEURONS DEGREE [SEED [THREADS]]
 *
 * RULE is `fanin` (each neuron gets exactly DEGREE sources) or
 * `probability` (each pair with p = DEGREE / NEURONS, so the same mean
 * in-degree). The network is one population of NEURONS Izhikevich neurons
 * with uniformly drawn initial v, all-to-population connectivity of static
 * synapses with uniformly drawn weights (so each synapse stores a column and
 * a float weight: 8 bytes) and a constant delay. THREADS defaults to 0,
 * one per CPU; the network is the same for any count. Prints one line:
 *   rule neurons synapses seconds ns_per_synapse peak_rss_mib ir_bytes
 * Parsing is excluded from the time (it does not depend on the size). */
#include "front/loader.h"
#include "nir/nir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *TEMPLATE = "neuron izhikevich(a = 0.02, b = 0.2, c = -65, d = 8) {\n"
                              "  state v = uniform(-70, -60), u = b * v\n"
                              "  input I\n"
                              "  dv/dt = 0.04 * v * v + 5 * v + 140 - u + I\n"
                              "  du/dt = a * (b * v - u)\n"
                              "  spike when v >= 30 { v = c; u += d }\n"
                              "}\n"
                              "synapse static_w(w = 1) { on pre { deliver w } }\n"
                              "brain bench(n = %s, k = %s) {\n"
                              "  exc[n] : izhikevich\n"
                              "  connect exc -> exc : static_w(w = uniform(0.05, 0.15)) %s delay 1\n"
                              "}\n";

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "fanin") && strcmp(argv[1], "probability"))) {
        fprintf(stderr, "usage: instantiate fanin|probability NEURONS DEGREE [SEED [THREADS]]\n");
        return 2;
    }
    const char *rule = strcmp(argv[1], "fanin") == 0 ? "fanin k" : "probability k / n";
    char src[2048];
    snprintf(src, sizeof src, TEMPLATE, argv[2], argv[3], rule);
    const char *search[] = {NULL};
    Diag diag;
    diag_init(&diag, stderr);
    Program prog;
    /* the generated program is known to be correct: sema is not needed */
    if (program_load_text(&prog, &diag, "bench.brain", src, strlen(src), search)) {
        diag_finish(&diag);
        return 1;
    }
    NirOptions opt = {0};
    opt.seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
    opt.threads = argc > 5 ? atoi(argv[5]) : 0;
    double t0 = seconds();
    Nir *nir = nir_build(&prog, &opt, &diag);
    double t1 = seconds();
    if (!nir) {
        diag_finish(&diag);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%-11s %9llu %11llu %8.3f %7.1f %9.0f %11zu\n", argv[1], (unsigned long long)nir->n_neurons,
           (unsigned long long)nir->n_synapses, t1 - t0, (t1 - t0) * 1e9 / (double)nir->n_synapses,
           ru.ru_maxrss / 1024.0, nir->bytes);
    nir_free(nir);
    program_free(&prog);
    diag_free(&diag);
    return 0;
}
