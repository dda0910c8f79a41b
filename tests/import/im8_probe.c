/* im8_probe.c - runs an imported inner-models-v8 recipe the way the
 * reference's callers run a brain, and prints what tests compare with the
 * reference engine's transcription (tests/import/learn_ref.py):
 *
 *   im8_probe FILE.json TICKS AMP [REWARDS] > OUT.txt
 *
 * Every neuron gets AMP on its first input before every tick (external_I);
 * REWARDS is "TICK:AMOUNT,TICK:AMOUNT,...": the amount is given with
 * rt_brain_reward before that tick, so `on reward` runs at the end of it
 * (language §12 step 8), as the reference's deliver_reward(m) called after
 * Brain.tick() (format spec §5.1). Prints
 *   tick T K                 spikes of each tick
 *   neuron X Z K             spikes of each neuron, by position (x, z)
 *   syn TYPE X0 Z0 X1 Z1 W   each synapse with a weight (state or parameter
 *                            w): im8 type, pre and post positions, final
 *                            weight (%.17g)
 * gated_modulated prints as gated; modulator_count and gap junctions are
 * left out. IM8_PROBE_TRACE=POP:K (e.g. rew_cell.lts:0) also prints
 * "trace T V U" of that neuron after every tick to stderr (for debugging a
 * difference). */
#include "backend/llvm/llvm_cache.h"
#include "backend/llvm/llvm_codegen.h"
#include "front/loader.h"
#include "import/import.h"
#include "nir/nir.h"
#include "rt_brain.h"
#include "sema/sema.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAXR 4096

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: im8_probe FILE.json TICKS AMP [TICK:AMOUNT,...]\n");
        return 2;
    }
    long ticks = atol(argv[2]);
    double amp = atof(argv[3]);
    static long rt[MAXR];
    static double ra[MAXR];
    int nr = 0;
    for (const char *p = argc > 4 ? argv[4] : ""; *p && nr < MAXR;) {
        char *e;
        rt[nr] = strtol(p, &e, 10);
        if (*e != ':')
            return fprintf(stderr, "bad reward list\n"), 2;
        ra[nr++] = strtod(e + 1, &e);
        p = *e == ',' ? e + 1 : e;
    }
    const char *env = getenv("BRAINC_STDLIB");
    const char *search[] = {env && *env ? env : BRAINC_STDLIB_DIR, NULL};
    Diag diag;
    diag_init(&diag, stderr);
    ImportResult r;
    if (import_json_file(argv[1], search, &diag, &r) != 0)
        return diag_finish(&diag), diag_free(&diag), 1;
    Program prog;
    int rc = program_load_text(&prog, &diag, argv[1], r.text, r.size, search);
    uint64_t seed = r.seed;
    import_result_free(&r);
    if (rc != 0 || (sema_check(&prog), diag.nerrors)) {
        program_free(&prog);
        diag_finish(&diag);
        diag_free(&diag);
        return 1;
    }
    NirOptions opt = {0};
    opt.seed = seed;
    Nir *nir = nir_build(&prog, &opt, &diag);
    if (!nir)
        return program_free(&prog), diag_finish(&diag), diag_free(&diag), 1;
    LlvmBrain *lb = NULL;
    LlvmError err = {{0}};
    const char *cache = getenv("BRAINC_CACHE_DIR");
    if (cache && *cache)
        (void)mkdir(cache, 0755);
    if (llvm_brain_compile_cached(nir, cache && *cache ? cache : NULL, &lb, &err))
        return fprintf(stderr, "compile failed: %s\n", err.msg), 3;
    RtBrain *b = llvm_brain_instantiate(lb, 1, &err);
    if (!b)
        return fprintf(stderr, "instantiate failed: %s\n", err.msg), 3;
    RtError rerr = {0};
    uint64_t **cnt = calloc((size_t)nir->npops, sizeof *cnt);
    for (int p = 0; p < nir->npops; p++)
        cnt[p] = calloc(nir->pops[p].size + 1, sizeof **cnt);
    int ri = 0;
    for (long t = 0; t < ticks; t++) {
        for (int p = 0; p < nir->npops; p++) {
            double *in = rt_brain_pop_input(b, (uint32_t)p, 0);
            for (uint32_t k = 0; k < nir->pops[p].size; k++)
                in[k] += amp;
        }
        for (; ri < nr && rt[ri] <= t; ri++) /* one delivery each, as deliver_reward(m) */
            if (rt[ri] == t && ra[ri] != 0 && rt_brain_reward(b, ra[ri]) != RT_OK)
                return fprintf(stderr, "out of memory for rewards\n"), 3;
        if (rt_brain_step(b, 1, &rerr) != RT_OK)
            return fprintf(stderr, "step failed: %s\n", rerr.msg), 3;
        const char *tr = getenv("IM8_PROBE_TRACE"); /* "POP:K": v and u of one neuron each tick (debugging) */
        for (int p = 0; tr && p < nir->npops; p++) {
            size_t n = strlen(nir->pops[p].path);
            if (strncmp(tr, nir->pops[p].path, n) == 0 && tr[n] == ':') {
                int vs = nir_model_state(&nir->neuron_models[nir->pops[p].model], "v");
                int us = nir_model_state(&nir->neuron_models[nir->pops[p].model], "u");
                long q = atol(tr + n + 1);
                fprintf(stderr, "trace %ld %.17g %.17g\n", t, rt_brain_pop_state(b, (uint32_t)p, vs)[q],
                        rt_brain_pop_state(b, (uint32_t)p, us)[q]);
            }
        }
        uint64_t k = 0;
        for (int p = 0; p < nir->npops; p++) {
            uint32_t n;
            const uint32_t *s = rt_brain_spikes(b, (uint32_t)p, &n);
            for (uint32_t q = 0; q < n; q++)
                cnt[p][s[q]]++;
            k += n;
        }
        printf("tick %ld %llu\n", t, (unsigned long long)k);
    }
    for (int p = 0; p < nir->npops; p++) {
        const NirPop *pop = &nir->pops[p];
        for (uint32_t k = 0; k < pop->size; k++)
            printf("neuron %.17g %.17g %llu\n", nir_value_at(&pop->pos[0], k), nir_value_at(&pop->pos[2], k),
                   (unsigned long long)cnt[p][k]);
        free(cnt[p]);
    }
    free(cnt);
    for (int gi = 0; gi < nir->ngroups; gi++) {
        const NirGroup *g = &nir->groups[gi];
        const NirSynapseModel *m = &nir->syn_models[g->model];
        int ws = nir_syn_state(m, "w"), wp = nir_syn_param(m, "w"); /* fixed: w is a parameter */
        if (g->is_gap || (ws < 0 && wp < 0) || strcmp(m->name, "modulator_count") == 0)
            continue;
        const char *type = strcmp(m->name, "gated_modulated") == 0 ? "gated" : m->name;
        const double *w = ws >= 0 ? rt_brain_group_state(b, (uint32_t)gi, ws) : NULL;
        const NirPop *pre = &nir->pops[g->pre], *post = &nir->pops[g->post];
        for (uint32_t i = 0; i < pre->size; i++)
            for (uint64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++)
                printf("syn %s %.17g %.17g %.17g %.17g %.17g\n", type, nir_value_at(&pre->pos[0], i),
                       nir_value_at(&pre->pos[2], i), nir_value_at(&post->pos[0], g->col[k]),
                       nir_value_at(&post->pos[2], g->col[k]), w ? w[k] : nir_syn_value_at(&g->params[wp], k));
    }
    rt_brain_destroy(b);
    llvm_brain_free(lb);
    nir_free(nir);
    program_free(&prog);
    diag_finish(&diag);
    diag_free(&diag);
    return 0;
}
