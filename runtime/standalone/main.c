/* main.c - the main of an executable made by `brainc build`: the network
 * is the spec blob the compiler embedded (rt_spec_io.h), the kernels are
 * the table it emitted next to it. Takes the run flags of `brainc run`
 * (docs/cli.md, "Built executables") and prints the same summary line.
 *
 * The generated object defines:
 *   brain_spec_blob[brain_spec_blob_size]  the serialised RtBrainSpec
 *   brain_kernels[brain_nkernels]          kernels in spec order
 *
 * Exit codes: 0 ok, 1 an input file (the raster) failed, 2 bad command
 * line, 3 internal error (a corrupt embedded network). */
#include "rt_brain.h"
#include "rt_checkpoint.h"
#include "rt_parse.h"
#include "rt_progress.h"
#include "rt_spec_io.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const uint8_t brain_spec_blob[];
extern const uint64_t brain_spec_blob_size;
extern const RtKernelFn brain_kernels[];
extern const uint64_t brain_nkernels;

enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };
#define MAX_DEFINES 256

typedef struct Define {
    char name[128];
    double value;
} Define;

typedef struct RunOptions {
    uint64_t ticks, seed;
    int has_seed;
    unsigned threads;
    const char *record_spikes;
    const char *record_list;   /* --record spikes,POP,...: spikes into the SQLite recording --out FILE.db */
    const char *out;           /* --out FILE.db */
    int list_params;
    int quiet;                 /* --quiet: no progress line, no summary */
    const char *checkpoint;    /* --checkpoint FILE */
    uint64_t every;            /* --checkpoint-every N */
    uint64_t keep;             /* --checkpoint-keep K */
    const char *resume;        /* --resume FILE */
    Define defines[MAX_DEFINES];
    int ndefines;
} RunOptions;

static int usage(const char *prog, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nusage: %s [--ticks N] [--seed S] [--threads K] [--record spikes=FILE] "
                    "[--record spikes,POP,... --out FILE.db] "
                    "[-D name=value]... [--quiet] [--params] [--checkpoint FILE [--checkpoint-every N] [--checkpoint-keep K]] "
                    "[--resume FILE]\n", prog);
    return EXIT_USAGE;
}

static int parse_define(RunOptions *o, const char *arg)
{
    const char *eq = arg ? strchr(arg, '=') : NULL;
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof o->defines[0].name || o->ndefines == MAX_DEFINES)
        return -1;
    double v;
    if (rt_parse_number(eq + 1, &v))
        return -1;
    Define *d = &o->defines[o->ndefines++];
    memcpy(d->name, arg, (size_t)(eq - arg));
    d->name[eq - arg] = 0;
    d->value = v;
    return 0;
}


static int parse_one(RunOptions *o, int argc, char **argv, int *i)
{
    const char *prog = argv[0], *a = argv[*i], *v;
    int m;
    uint64_t n;
    if (strcmp(a, "--params") == 0)
        return o->list_params = 1, 0;
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
        return o->quiet = 1, 0;
    if ((v = rt_parse_option(argc, argv, i, "--ticks", &m)), m)
        return rt_parse_u64(v, &o->ticks) ? usage(prog, "--ticks needs a non-negative integer%s", "") : 0;
    if ((v = rt_parse_option(argc, argv, i, "--seed", &m)), m)
        return rt_parse_u64(v, &o->seed) ? usage(prog, "--seed needs a non-negative integer%s", "")
                                      : (o->has_seed = 1, 0);
    if ((v = rt_parse_option(argc, argv, i, "--threads", &m)), m) {
        if (rt_parse_u64(v, &n) || n < 1 || n > 1024)
            return usage(prog, "--threads needs a number from 1 to 1024%s", "");
        return o->threads = (unsigned)n, 0;
    }
    if ((v = rt_parse_option(argc, argv, i, "--record", &m)), m) {
        if (!v || !*v || strcmp(v, "spikes=") == 0)
            return usage(prog, "--record expects spikes=FILE or a list spikes,POP,...%s", "");
        if (strncmp(v, "spikes=", 7) == 0)
            return o->record_spikes = v + 7, 0;
        return o->record_list = v, 0;
    }
    if ((v = rt_parse_option(argc, argv, i, "--out", &m)), m) {
        size_t len = v ? strlen(v) : 0;
        if (len < 4 || strcmp(v + len - 3, ".db") != 0)
            return usage(prog, "--out needs an SQLite recording FILE.db%s", "");
        return o->out = v, 0;
    }
    if ((v = rt_parse_option(argc, argv, i, "--checkpoint-keep", &m)), m)
        return rt_parse_u64(v, &o->keep) || !o->keep || o->keep > 1000
                   ? usage(prog, "--checkpoint-keep needs a number of checkpoints from 1 to 1000%s", "") : 0;
    if ((v = rt_parse_option(argc, argv, i, "--checkpoint-every", &m)), m)
        return rt_parse_u64(v, &o->every) || !o->every
                   ? usage(prog, "--checkpoint-every needs a positive number of ticks%s", "") : 0;
    if ((v = rt_parse_option(argc, argv, i, "--checkpoint", &m)), m)
        return !v || !*v ? usage(prog, "--checkpoint needs a file%s", "") : (o->checkpoint = v, 0);
    if ((v = rt_parse_option(argc, argv, i, "--resume", &m)), m)
        return !v || !*v ? usage(prog, "--resume needs a checkpoint file%s", "") : (o->resume = v, 0);
    if ((v = rt_parse_option(argc, argv, i, "-D", &m)), m)
        return parse_define(o, v) ? usage(prog, "-D expects name=number, got `%s`", v ? v : "") : 0;
    if ((v = rt_parse_option(argc, argv, i, "--preset", &m)), m)
        return usage(prog, "--preset can change the network's structure: rebuild with `brainc build "
                           "--preset %s`", v ? v : "P");
    return usage(prog, "unknown option `%s`", a);
}

static int parse_args(int argc, char **argv, RunOptions *o)
{
    for (int i = 1; i < argc; i++) {
        int rc = parse_one(o, argc, argv, &i);
        if (rc)
            return rc;
    }
    if (o->every && !o->checkpoint)
        return usage(argv[0], "--checkpoint-every needs --checkpoint FILE%s", "");
    if (o->keep && !o->checkpoint)
        return usage(argv[0], "--checkpoint-keep needs --checkpoint FILE%s", "");
    if (!o->record_list != !o->out)
        return usage(argv[0], "--record LIST and --out FILE.db go together%s", "");
    return 0;
}

/* ticks, spikes, mean rate of each population, wall time, ticks/s: as `brainc run`. */
/* base: each population's spike count before these ticks (a resumed brain's). */
static void print_summary(const RtBrain *b, const RtBrainSpec *s, uint64_t ticks, double seconds,
                          const uint64_t *base)
{
    uint64_t total = 0;
    for (uint32_t p = 0; p < s->npops; p++)
        total += rt_brain_spike_count(b, p) - base[p];
    double ms = (double)ticks * s->dt;
    fprintf(stderr, "ran %llu ticks (%g ms), %llu spikes; rates (Hz):", (unsigned long long)ticks, ms,
            (unsigned long long)total);
    for (uint32_t p = 0; p < s->npops; p++) {
        double n = (double)(rt_brain_spike_count(b, p) - base[p]);
        double rate = ms > 0 && s->pops[p].size ? n / s->pops[p].size / (ms / 1000.0) : 0;
        fprintf(stderr, " %s %.3g", s->pops[p].name, rate);
    }
    fprintf(stderr, "; %.3f s, %.0f ticks/s\n", seconds, seconds > 0 ? (double)ticks / seconds : 0);
}

/* The shortest of %.15g and %.17g that reads back as v. */
static void format_value(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, size, "%.17g", v);
}

static void print_params(const RtSpecMeta *m)
{
    printf("brain %s, built with seed %llu\n", m->brain, (unsigned long long)m->build_seed);
    for (uint32_t i = 0; i < m->nparams; i++) {
        char value[32];
        format_value(m->params[i].value, value, sizeof value);
        printf("  %s = %s  (%s)\n", m->params[i].name, value,
               m->params[i].changeable ? "-D changes it" : "structural: rebuild to change");
    }
}

/* The identity checkpoints of this executable carry (rt_checkpoint.h). */
static RtStatus identity(const RtBrainSpec *spec, const RtSpecMeta *sm, const RunOptions *o,
                         RtCheckpointMeta *m, RtError *err)
{
    memset(m, 0, sizeof *m);
    snprintf(m->brain, sizeof m->brain, "%s", sm->brain);
    snprintf(m->version, sizeof m->version, "standalone");
    size_t n = 0;
    for (int k = 0; k < o->ndefines && n < sizeof m->params; k++)
        n += (size_t)snprintf(m->params + n, sizeof m->params - n, "%s%s=%.17g", k ? " " : "",
                              o->defines[k].name, o->defines[k].value);
    m->seed = spec->seed;
    return rt_checkpoint_spec_hash(spec, sm->brain, &m->spec_hash, err);
}

/* The population named name, or -1. */
static int find_pop(const RtBrainSpec *spec, const char *name, size_t len)
{
    for (uint32_t p = 0; p < spec->npops; p++)
        if (strlen(spec->pops[p].name) == len && strncmp(spec->pops[p].name, name, len) == 0)
            return (int)p;
    return -1;
}

/* --record LIST --out FILE.db: the spikes of every population (`spikes`)
 * or of the named ones; every item is checked before the file is made. */
static int record_db(RtBrain *b, const RtBrainSpec *spec, const RunOptions *o, const RtCheckpointMeta *m,
                     RtError *err)
{
    uint8_t *want = calloc((size_t)spec->npops + 1, 1);
    if (!want)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory"), EXIT_USER;
    int rc = EXIT_OK;
    for (const char *p = o->record_list; *p && rc == EXIT_OK; p += strcspn(p, ","), p += *p == ',') {
        size_t len = strcspn(p, ",");
        int pop = find_pop(spec, p, len);
        if (len == 6 && strncmp(p, "spikes", 6) == 0)
            memset(want, 1, spec->npops);
        else if (pop >= 0)
            want[pop] = 1;
        else {
            char names[256] = "";
            for (uint32_t q = 0; q < spec->npops && strlen(names) + strlen(spec->pops[q].name) + 8 < sizeof names; q++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", q ? ", " : "", spec->pops[q].name);
            rt_error_set(err, RT_ERR_ARG, "--record: no population `%.*s` (a built executable records spikes: "
                         "`spikes` or a population: %s)", (int)len, p, names);
            rc = EXIT_USER;
        }
    }
    if (rc == EXIT_OK && rt_brain_record_db(b, o->out, m, 0, err))
        rc = EXIT_USER;
    for (uint32_t p = 0; rc == EXIT_OK && p < spec->npops; p++) {
        RtRecordSpec rs = {0};
        rs.kind = RT_RECORD_SPIKES, rs.to_db = 1, rs.pop = p, rs.target = spec->pops[p].name, rs.every = 1;
        if (want[p] && rt_brain_record_add(b, &rs, err))
            rc = EXIT_USER;
    }
    free(want);
    return rc;
}

/* --resume, then the raster; 0 or EXIT_USER with err set. */
static int prepare(RtBrain *b, const RtBrainSpec *spec, const RunOptions *o, const RtCheckpointMeta *m,
                   const char *prog, RtError *err)
{
    char note[768];
    if (o->resume && rt_checkpoint_resume(b, o->resume, m, note, sizeof note, err))
        return EXIT_USER;
    if (o->resume && note[0])
        fprintf(stderr, "%s: note: %s\n", prog, note);
    if (o->record_spikes && rt_brain_record_spikes(b, o->record_spikes, RT_RASTER_CSV, err))
        return EXIT_USER;
    return o->out ? record_db(b, spec, o, m, err) : EXIT_OK;
}

/* Each population's spikes so far (malloc'd; NULL when out of memory). */
static uint64_t *spike_counts(const RtBrain *b, const RtBrainSpec *spec)
{
    uint64_t *n = calloc((size_t)spec->npops + 1, sizeof *n);
    for (uint32_t p = 0; n && p < spec->npops; p++)
        n[p] = rt_brain_spike_count(b, p);
    return n;
}

static int run_brain(const RtBrainSpec *spec, const RtSpecMeta *sm, const RunOptions *o, const char *prog)
{
    RtError err = {0};
    RtCheckpointMeta meta;
    /* The blob outlives the brain: its connectivity need not be copied. */
    RtBrainSpec borrowed = *spec;
    borrowed.borrow_connectivity = 1;
    RtBrain *b = rt_brain_create(&borrowed, o->threads, &err);
    /* The identity hashes the whole network (a transient copy of it): only
     * checkpoints and recordings need it. */
    int need_identity = o->checkpoint || o->resume || o->out;
    memset(&meta, 0, sizeof meta);
    if (!b || (need_identity && identity(spec, sm, o, &meta, &err))) {
        fprintf(stderr, "%s: cannot create the brain: %s\n", prog, err.msg);
        rt_brain_destroy(b);
        return EXIT_INTERNAL;
    }
    int rc = prepare(b, spec, o, &meta, prog, &err);
    uint64_t *base = spike_counts(b, spec);
    double start = rt_clock_monotonic(NULL);
    RtStatus st = RT_OK;
    if (rc == EXIT_OK)
        st = o->checkpoint ? rt_checkpoint_step_keep(b, o->ticks, o->checkpoint, o->every, (unsigned)o->keep, &meta, &err)
                           : rt_progress_step(b, o->ticks, o->quiet ? RT_PROGRESS_OFF : RT_PROGRESS_AUTO, &err);
    if (rc == EXIT_OK && (st || rt_brain_record_close(b, &err)))
        rc = EXIT_USER;
    if (rc != EXIT_OK)
        fprintf(stderr, "%s: %s\n", prog, err.msg);
    else if (!o->quiet && base)
        print_summary(b, spec, o->ticks, rt_clock_monotonic(NULL) - start, base);
    free(base);
    rt_brain_destroy(b);
    return rc;
}

/* The embedded network with the kernels bound, -D and --seed applied. */
static int load(RtSpecBlob **out, const RunOptions *o, const char *prog)
{
    RtError err = {0};
    RtSpecBlob *blob = rt_spec_read(brain_spec_blob, (size_t)brain_spec_blob_size, &err);
    if (!blob || rt_spec_bind_kernels(blob, brain_kernels, (size_t)brain_nkernels, &err)) {
        fprintf(stderr, "%s: internal error: the embedded network: %s\n", prog, err.msg);
        rt_spec_blob_free(blob);
        return EXIT_INTERNAL;
    }
    *out = blob;
    for (int i = 0; i < o->ndefines; i++)
        if (rt_spec_define(blob, o->defines[i].name, o->defines[i].value, &err)) {
            fprintf(stderr, "%s: -D %s: %s\n", prog, o->defines[i].name, err.msg);
            return EXIT_USAGE;
        }
    if (o->has_seed)
        rt_spec_set_seed(blob, o->seed);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    RunOptions o = {.ticks = 1000, .threads = 1};
    const char *prog = argc > 0 ? argv[0] : "brain";
    int rc = parse_args(argc, argv, &o);
    RtSpecBlob *blob = NULL;
    if (rc == EXIT_OK)
        rc = load(&blob, &o, prog);
    if (rc == EXIT_OK && o.list_params)
        print_params(rt_spec_blob_meta(blob));
    else if (rc == EXIT_OK)
        rc = run_brain(rt_spec_blob_spec(blob), rt_spec_blob_meta(blob), &o, prog);
    rt_spec_blob_free(blob);
    return rc;
}
