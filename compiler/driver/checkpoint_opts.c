/* checkpoint_opts.c - checkpoints in `brainc run` and `brainc inspect`
 * (checkpoint_opts.h). The runtime does the work (rt_checkpoint.h); this
 * file turns flags and the program into its arguments. */
#include "driver/checkpoint_opts.h"
#include "rt_parse.h"
#include "rt_record_db.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* A positive count. */
static int parse_count(const char *s, uint64_t *out)
{
    return rt_parse_u64(s, out) || *out == 0 ? -1 : 0;
}

int checkpoint_parse_option(CheckpointOptions *c, int argc, char **argv, int *i, char *msg, size_t size)
{
    int m;
    const char *v;
    if ((v = rt_parse_option(argc, argv, i, "--checkpoint-keep", &m)), m) {
        if (!v || parse_count(v, &c->keep) || c->keep > 1000)
            return snprintf(msg, size, "--checkpoint-keep needs a number of checkpoints from 1 to 1000"), -1;
        return 1;
    }
    if ((v = rt_parse_option(argc, argv, i, "--checkpoint-every", &m)), m) {
        if (parse_count(v, &c->every))
            return snprintf(msg, size, "--checkpoint-every needs a positive number of ticks"), -1;
        return 1;
    }
    if ((v = rt_parse_option(argc, argv, i, "--checkpoint", &m)), m) {
        if (!v || !*v)
            return snprintf(msg, size, "--checkpoint needs a file"), -1;
        return c->path = v, 1;
    }
    if ((v = rt_parse_option(argc, argv, i, "--resume", &m)), m) {
        if (!v || !*v)
            return snprintf(msg, size, "--resume needs a checkpoint file"), -1;
        return c->resume = v, 1;
    }
    return 0;
}

int checkpoint_wanted(const CheckpointOptions *c) { return c->path || c->resume || c->every || c->keep; }

/* The hash of a file's bytes (0 when it cannot be read). */
static uint64_t file_hash(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "rb");
    uint64_t h = 0;
    char buf[65536];
    size_t n;
    if (!f)
        return 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        h = rt_checkpoint_hash(buf, n, h);
    fclose(f);
    return h;
}

/* "name=value ..." of the -D values, in the order given. */
static void format_params(char *buf, size_t size, const NirDefine *defs, int ndefs)
{
    size_t n = 0;
    buf[0] = 0;
    for (int k = 0; k < ndefs && n < size; k++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s=%.17g", k ? " " : "", defs[k].name, defs[k].value);
}

/* Appends "key=name name ...\n" to the growable string *s. */
static int add_labels(char **s, size_t *len, const char *key, const char **names, int n)
{
    size_t need = strlen(key) + 2;
    for (int j = 0; j < n; j++)
        need += strlen(names[j]) + 1;
    char *grown = realloc(*s, *len + need + 1);
    if (!grown)
        return -1;
    *s = grown;
    *len += (size_t)sprintf(grown + *len, "%s=", key);
    for (int j = 0; j < n; j++)
        *len += (size_t)sprintf(grown + *len, "%s%s", j ? " " : "", names[j]);
    *len += (size_t)sprintf(grown + *len, "\n");
    return 0;
}

/* The state variables' names of every population and group, for inspect. */
static char *make_labels(const Nir *nir)
{
    char *s = NULL, key[48];
    size_t len = 0;
    int rc = 0;
    for (int p = 0; !rc && p < nir->npops; p++) {
        const NirNeuronModel *m = &nir->neuron_models[nir->pops[p].model];
        snprintf(key, sizeof key, "pop.%d", p);
        rc = add_labels(&s, &len, key, m->states, m->nstates);
    }
    for (int g = 0; !rc && g < nir->ngroups; g++) {
        const NirSynapseModel *m = &nir->syn_models[nir->groups[g].model];
        snprintf(key, sizeof key, "group.%d", g);
        rc = add_labels(&s, &len, key, m->states, m->nstates);
    }
    if (rc) {
        free(s);
        return NULL;
    }
    return s;
}

void checkpoint_run_free(CheckpointRun *run)
{
    free((char *)run->meta.labels);
    run->meta.labels = NULL;
}

int checkpoint_prepare(CheckpointRun *run, const CheckpointOptions *opt, const Nir *nir, const LlvmBrain *lb,
                       const char *file, const char *preset, const NirDefine *defs, int ndefs, char *msg,
                       size_t size)
{
    memset(run, 0, sizeof *run);
    run->opt = *opt;
    RtCheckpointMeta *m = &run->meta;
    snprintf(m->brain, sizeof m->brain, "%s", nir->brain);
    snprintf(m->preset, sizeof m->preset, "%s", preset ? preset : "");
    snprintf(m->version, sizeof m->version, "%s", BRAINC_VERSION);
    format_params(m->params, sizeof m->params, defs, ndefs);
    m->seed = nir->seed;
    m->source_hash = file_hash(file);
    m->labels = make_labels(nir);
    RtError err = {0};
    if (rt_checkpoint_spec_hash(llvm_brain_spec(lb), nir->brain, &m->spec_hash, &err))
        return snprintf(msg, size, "%s", err.msg), -1;
    if (opt->every && !opt->path)
        return snprintf(msg, size, "--checkpoint-every needs --checkpoint FILE"), -1;
    if (opt->keep && !opt->path)
        return snprintf(msg, size, "--checkpoint-keep needs --checkpoint FILE"), -1;
    return 0;
}

int checkpoint_resume(const CheckpointRun *run, RtBrain *b, RtError *err)
{
    char note[768];
    if (!run->opt.resume)
        return 0;
    if (rt_checkpoint_resume(b, run->opt.resume, &run->meta, note, sizeof note, err))
        return -1;
    if (note[0])
        fprintf(stderr, "brainc: note: %s\n", note);
    return 0;
}

RtStatus checkpoint_step(const CheckpointRun *run, RtBrain *b, uint64_t ticks, RtError *err)
{
    return rt_checkpoint_step_keep(b, ticks, run->opt.path, run->opt.every, (unsigned)run->opt.keep, &run->meta,
                                   err);
}

int checkpoint_inspect(const char *path)
{
    RtError err = {0};
    RtStatus st = rt_recdb_is_recording(path) ? rt_recdb_print(path, stdout, &err)
                                              : rt_checkpoint_print(path, stdout, &err);
    if (st == RT_OK)
        return 0;
    fflush(stdout);
    fprintf(stderr, "brainc: %s\n", err.msg);
    return 1;
}
