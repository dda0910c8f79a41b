/* sweep.c - parameter sweeps (sweep.h). Variants are elaborated and
 * compiled one after the other on the calling thread (LLVM, diagnostics;
 * once for all when the parameter does not shape the kernels), then run on
 * worker threads: worker t runs variants t, t + K, ...; each
 * brain is its own value, so the workers share nothing mutable. */
#include "driver/sweep.h"
#include "driver/build_params.h"
#include "rt_parse.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *copy_n(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = 0;
    }
    return c;
}

static int parse_value(Sweep *sw, const char *s, size_t n, char *msg, size_t size)
{
    char *text = copy_n(s, n);
    if (!text)
        return snprintf(msg, size, "out of memory"), -1;
    double v;
    if (!n || rt_parse_number(text, &v)) {
        snprintf(msg, size, "--sweep value must be a number: `%s`", text);
        free(text);
        return -1;
    }
    for (int k = 0; k < sw->n; k++)
        if (sw->values[k] == v) { /* two variants would write the same files */
            snprintf(msg, size, "--sweep lists the value `%s` twice", text);
            free(text);
            return -1;
        }
    sw->texts[sw->n] = text;
    sw->values[sw->n++] = v;
    return 0;
}

int sweep_parse(const char *arg, Sweep *sw, char *msg, size_t size)
{
    memset(sw, 0, sizeof *sw);
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return snprintf(msg, size, "--sweep expects name=v1,v2,..."), -1;
    sw->name = copy_n(arg, (size_t)(eq - arg));
    sw->values = calloc(SWEEP_MAX_VALUES, sizeof *sw->values);
    sw->texts = calloc(SWEEP_MAX_VALUES, sizeof *sw->texts);
    if (!sw->name || !sw->values || !sw->texts)
        return snprintf(msg, size, "out of memory"), sweep_free(sw), -1;
    for (const char *p = eq + 1;; p++) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (sw->n == SWEEP_MAX_VALUES) {
            snprintf(msg, size, "--sweep takes at most %d values", SWEEP_MAX_VALUES);
            return sweep_free(sw), -1;
        }
        if (parse_value(sw, p, n, msg, size))
            return sweep_free(sw), -1;
        if (!comma)
            break;
        p = comma;
    }
    return 0;
}

void sweep_free(Sweep *sw)
{
    for (int i = 0; sw->texts && i < sw->n; i++)
        free(sw->texts[i]);
    free(sw->texts);
    free(sw->values);
    free(sw->name);
    memset(sw, 0, sizeof *sw);
}

/* ---- variants ----------------------------------------------------------------- */

typedef struct Variant {
    char label[256];    /* "name=v" */
    char suffix[258];   /* ".name=v" */
    NirDefine *defines;
    NirOptions nopt;    /* the run's options with this variant's value */
    Nir *nir;
    LlvmBrain *lb;
    RunSettings rs;
    RunResult res;
    int status;         /* exit code of building or running */
} Variant;

/* The run's -D list with the swept parameter set to value (replaced or added). */
static NirDefine *variant_defines(const NirOptions *base, const char *name, double value, int *n)
{
    NirDefine *d = calloc((size_t)base->ndefines + 1, sizeof *d);
    if (!d)
        return NULL;
    *n = 0;
    for (int i = 0; i < base->ndefines; i++)
        if (strcmp(base->defines[i].name, name) != 0)
            d[(*n)++] = base->defines[i];
    d[(*n)++] = (NirDefine){name, value};
    return d;
}

/* Elaborates variant k; returns its exit code. */
static int elaborate_variant(Variant *v, const Sweep *sw, int k, const SweepRun *sr)
{
    snprintf(v->label, sizeof v->label, "%s=%s", sw->name, sw->texts[k]);
    snprintf(v->suffix, sizeof v->suffix, ".%s", v->label);
    v->nopt = sr->nopt;
    v->defines = variant_defines(&sr->nopt, sw->name, sw->values[k], &v->nopt.ndefines);
    if (!v->defines)
        return 3;
    v->nopt.defines = v->defines;
    if (!(v->nir = nir_build(sr->prog, &v->nopt, sr->diag)))
        return 1;
    if (k == 0 && sr->warn)
        sr->warn(v->nir, (void *)sr);
    v->rs = sr->rs;
    v->rs.threads = 1, v->rs.progress = 0;
    v->rs.rec.suffix = v->suffix;
    return 0;
}

/* *shared = 1 when the swept parameter can change without recompiling (the
 * rule of `brainc build -D`, build_params.h): the neuron parameters it sets
 * then become per-neuron arrays in every variant, so that all run the
 * kernels compiled once for the first. Returns an exit code. */
static int share_code(Variant *v, int n, const Sweep *sw, const SweepRun *sr, int *shared)
{
    *shared = 0;
    if (n < 2)
        return 0;
    BuildParams bp = {0, NULL, NULL};
    int rc = build_params_analyse(sr->prog, &v[0].nopt, v[0].nir, sr->diag, sw->name, &bp) ? 3 : 0;
    for (int i = 0; !rc && i < bp.n; i++)
        if (strcmp(bp.params[i].name, sw->name) == 0)
            *shared = bp.params[i].changeable;
    for (int k = 0; !rc && *shared && k < n; k++)
        if (build_params_materialise(v[k].nir, &bp))
            rc = 3;
    build_params_free(&bp);
    return rc;
}

/* Compiles variant k, or gives it the first variant's kernels. */
static int compile_variant(Variant *v, const Variant *first, int shared, const SweepRun *sr)
{
    LlvmError lerr = {{0}};
    char msg[sizeof lerr.msg];
    if (shared && v != first) {
        if (!llvm_brain_share(first->lb, v->nir, &v->lb, &lerr))
            return 0;
        snprintf(msg, sizeof msg, "%s", lerr.msg);
    } else if (!run_compile(v->nir, sr->cache_dir, &v->lb, msg, sizeof msg)) {
        return 0;
    }
    fprintf(stderr, "brainc: internal error: compiling the brain (%s): %s\n", v->label, msg);
    return 3;
}

typedef struct Worker {
    pthread_t thread;
    Variant *variants;
    int first, step, n;
} Worker;

static void *work(void *arg)
{
    Worker *w = arg;
    for (int k = w->first; k < w->n; k += w->step)
        w->variants[k].status = run_brain(w->variants[k].lb, w->variants[k].nir, &w->variants[k].rs,
                                          &w->variants[k].res);
    return NULL;
}

/* Runs every variant on up to threads workers (the caller is one of them). */
static int run_variants(Variant *v, int n, unsigned threads)
{
    int k = (int)(threads < (unsigned)n ? threads : (unsigned)n);
    Worker *w = calloc((size_t)k, sizeof *w);
    if (!w)
        return 3;
    int started = 1;
    for (int t = 0; t < k; t++)
        w[t] = (Worker){0, v, t, k, n};
    for (int t = 1; t < k; t++, started++)
        if (pthread_create(&w[t].thread, NULL, work, &w[t]) != 0)
            break;
    for (int t = started; t < k; t++) /* threads that could not start: run their share here */
        work(&w[t]);
    work(&w[0]);
    for (int t = 1; t < started; t++)
        pthread_join(w[t].thread, NULL);
    free(w);
    return 0;
}

static int report(Variant *v, int n, const SweepRun *sr)
{
    int rc = 0;
    for (int k = 0; k < n; k++) {
        if (v[k].status)
            fprintf(stderr, "brainc: %s: %s\n", v[k].label, v[k].res.msg);
        else if (!sr->quiet)
            run_print_summary(stderr, v[k].nir, &v[k].res, sr->rs.ticks, v[k].label);
        rc = v[k].status > rc ? v[k].status : rc;
    }
    return rc;
}

static void free_variants(Variant *v, int n)
{
    for (int k = n - 1; k >= 0; k--) { /* the first owns kernels the others may borrow */
        run_result_free(&v[k].res);
        llvm_brain_free(v[k].lb);
        nir_free(v[k].nir);
        free(v[k].defines);
    }
    free(v);
}

int sweep_run(const Sweep *sw, const SweepRun *sr)
{
    Variant *v = calloc((size_t)sw->n, sizeof *v);
    if (!v)
        return 3;
    int rc = 0, shared = 0;
    for (int k = 0; k < sw->n && !rc; k++)
        rc = elaborate_variant(&v[k], sw, k, sr);
    if (!rc)
        rc = share_code(v, sw->n, sw, sr, &shared);
    for (int k = 0; k < sw->n && !rc; k++)
        rc = compile_variant(&v[k], &v[0], shared, sr);
    if (!rc)
        rc = run_variants(v, sw->n, sr->rs.threads ? sr->rs.threads : 1);
    if (!rc)
        rc = report(v, sw->n, sr);
    free_variants(v, sw->n);
    return rc;
}
