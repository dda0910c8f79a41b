/* stubs.c - TEMPORARY weak definitions so the driver links while sema/ and
 * nir/ are being written. Removed once both land. */
#include "front/loader.h"
#include <stdio.h>
#include <stdint.h>
typedef struct Nir Nir;
typedef struct NirOptions NirOptions;
__attribute__((weak)) int sema_check(Program *prog) { (void)prog; return 0; }
__attribute__((weak)) Nir *nir_build(Program *p, const NirOptions *o, Diag *d) { (void)p; (void)o; (void)d; return NULL; }
__attribute__((weak)) void nir_print(const Nir *n, FILE *f, int v) { (void)n; (void)f; (void)v; }
__attribute__((weak)) void nir_print_stats(const Nir *n, FILE *f) { (void)n; (void)f; }
__attribute__((weak)) void nir_free(Nir *n) { (void)n; }
