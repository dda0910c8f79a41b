/* test_nir_util.h - shared by the test_nir_*.c programs: a CHECK macro
 * with pass/fail counts, and building a network from source text through
 * the loader, sema and nir_build, with diagnostics captured as text. */
#ifndef TEST_NIR_UTIL_H
#define TEST_NIR_UTIL_H
#include "front/loader.h"
#include "nir/nir.h"
#include "sema/sema.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"

/* A program and its network; errors holds every diagnostic printed. */
typedef struct Net {
    Program prog;
    Diag diag;
    Nir *nir;
    char *errors;
    size_t errlen;
    FILE *errf;
} Net;

static const char *test_search_paths[] = {BRAINC_STDLIB_DIR, NULL};

/* Builds src with the given options; net->nir is NULL on errors. Stops
 * before elaboration when the front end or sema reject the program, so a
 * test can tell "sema said no" from "elaboration said no" (sema_errors). */
static int test_skip_sema; /* set to elaborate programs sema has not checked */

static inline Nir *net_build(Net *net, const char *src, const NirOptions *opt, int *sema_errors)
{
    memset(net, 0, sizeof *net);
    net->errf = open_memstream(&net->errors, &net->errlen);
    diag_init(&net->diag, net->errf);
    net->diag.style = DIAG_PLAIN;
    net->diag.max_errors = 0;
    int rc = program_load_text(&net->prog, &net->diag, "test.brain", src, strlen(src), test_search_paths);
    if (rc == 0 && !test_skip_sema)
        sema_check(&net->prog);
    if (sema_errors)
        *sema_errors = net->diag.nerrors;
    NirOptions none = {0};
    if (net->diag.nerrors == 0)
        net->nir = nir_build(&net->prog, opt ? opt : &none, &net->diag);
    fflush(net->errf);
    return net->nir;
}

static inline void net_free(Net *net)
{
    nir_free(net->nir);
    program_free(&net->prog);
    diag_free(&net->diag);
    fclose(net->errf);
    free(net->errors);
    memset(net, 0, sizeof *net);
}

/* Builds and requires success; prints the diagnostics otherwise. */
static inline Nir *net_ok(Net *net, const char *src, const NirOptions *opt)
{
    Nir *nir = net_build(net, src, opt, NULL);
    if (!nir)
        printf("unexpected errors:\n%s", net->errors ? net->errors : "");
    return nir;
}

static inline NirOptions opts_seed(uint64_t seed)
{
    NirOptions o = {0};
    o.seed = seed;
    return o;
}

static inline const NirPop *pop_named(const Nir *nir, const char *path)
{
    int k = nir ? nir_find_pop(nir, path) : -1;
    return k >= 0 ? &nir->pops[k] : NULL;
}

static inline const NirGroup *group_named(const Nir *nir, const char *name)
{
    int k = nir ? nir_find_group(nir, name) : -1;
    return k >= 0 ? &nir->groups[k] : NULL;
}

/* The only group between two populations, or NULL. */
static inline const NirGroup *group_between(const Nir *nir, const char *pre, const char *post)
{
    const NirGroup *hit = NULL;
    int p = nir_find_pop(nir, pre), q = nir_find_pop(nir, post);
    for (int g = 0; g < nir->ngroups; g++)
        if ((int)nir->groups[g].pre == p && (int)nir->groups[g].post == q)
            hit = &nir->groups[g];
    return hit;
}

/* Whether synapse pre -> post exists in group g. */
static inline int has_synapse(const NirGroup *g, uint32_t pre, uint32_t post)
{
    for (uint64_t k = g->row_ptr[pre]; k < g->row_ptr[pre + 1]; k++)
        if (g->col[k] == post)
            return 1;
    return 0;
}

static inline double param_at(const Nir *nir, const NirPop *p, const char *name, uint32_t k)
{
    int slot = nir_model_param(&nir->neuron_models[p->model], name);
    return slot < 0 ? NAN : nir_value_at(&p->params[slot], k);
}

static inline double state_at(const Nir *nir, const NirPop *p, const char *name, uint32_t k)
{
    int slot = nir_model_state(&nir->neuron_models[p->model], name);
    return slot < 0 ? NAN : nir_value_at(&p->state[slot], k);
}

static inline const NirSynValues *syn_var(const Nir *nir, const NirGroup *g, const char *name)
{
    const NirSynapseModel *m = &nir->syn_models[g->model];
    int k = nir_syn_state(m, name);
    if (k >= 0)
        return &g->state[k];
    k = nir_syn_param(m, name);
    return k >= 0 ? &g->params[k] : NULL;
}

static inline int errors_contain(const Net *net, const char *text)
{
    return net->errors && strstr(net->errors, text) != NULL;
}

static inline int report(void)
{
    return check_report(NULL);
}
#endif
