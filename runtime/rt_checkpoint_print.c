/* rt_checkpoint_print.c - the summary of a checkpoint file that `brainc
 * inspect` prints (rt_checkpoint.h): identity, tick, and per population
 * and synapse group the means (and ranges) of their state arrays. Reads
 * the file on its own, without a brain. */
#include "rt_checkpoint.h"
#include "rt_checkpoint_db.h"
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct Stats {
    double min, mean, max;
} Stats;

static Stats stats(const double *x, uint64_t n)
{
    Stats s = {n ? x[0] : NAN, 0, n ? x[0] : NAN};
    double sum = 0;
    for (uint64_t k = 0; k < n; k++) {
        sum += x[k];
        s.min = x[k] < s.min ? x[k] : s.min;
        s.max = x[k] > s.max ? x[k] : s.max;
    }
    s.mean = n ? sum / (double)n : NAN;
    return s;
}

/* The stats of array name (f64), checked against its checksum. */
static RtStatus array_stats(RtCkDb *db, const char *name, Stats *out, RtError *err)
{
    RtCkArray a;
    RtStatus st = rt_ckdb_get_array(db, name, &a, err);
    if (st)
        return st;
    if (strcmp(a.dtype, "f64") != 0 || a.bytes != a.count * 8 ||
        rt_checkpoint_hash(a.data, a.bytes, 0) != a.crc)
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint is damaged: array %s fails its checksum", name);
    double *x = malloc(a.bytes + 8);
    if (!x)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory for array %s", name);
    memcpy(x, a.data, a.bytes);
    *out = stats(x, a.count);
    free(x);
    return RT_OK;
}

/* The name of state j of "pop.P" / "group.G" (key) from the labels text
 * (lines "key=name name ..."), or "state[j]". */
static void label(const char *labels, const char *key, int j, char *buf, size_t size)
{
    snprintf(buf, size, "state[%d]", j);
    size_t n = strlen(key);
    for (const char *l = labels; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
        if (strncmp(l, key, n) != 0 || l[n] != '=')
            continue;
        const char *w = l + n + 1;
        for (int k = 0; k < j && *w && *w != '\n'; k++)
            w += strcspn(w, " \n"), w += *w == ' ';
        size_t len = strcspn(w, " \n");
        if (len && len < size)
            snprintf(buf, size, "%.*s", (int)len, w);
        return;
    }
}

/* Mean rate (Hz) of population i over the checkpoint's ticks, or -1. */
static double rate_of(RtCkDb *db, uint64_t i, uint64_t size, double ms)
{
    char name[64];
    RtCkArray a;
    uint64_t n;
    snprintf(name, sizeof name, "pop/%" PRIu64 "/spike_count", i);
    if (rt_ckdb_get_array(db, name, &a, NULL) || a.bytes != 8 || !(ms > 0) || !size)
        return -1;
    memcpy(&n, a.data, 8);
    return (double)n / (double)size / (ms / 1000.0);
}

/* "pop.P" / "group.G" = "SIZE NSTATES NAME". */
static int shape(RtCkDb *db, const char *kind, uint64_t i, uint64_t *size, int *nstates, char *name, size_t len)
{
    char key[64], val[256];
    snprintf(key, sizeof key, "%s.%" PRIu64, kind, i);
    rt_ckdb_get_meta_opt(db, key, val, sizeof val);
    int off = 0;
    if (sscanf(val, "%" SCNu64 " %d %n", size, nstates, &off) != 2 || *nstates < 0 || *nstates > 65536)
        return -1;
    snprintf(name, len, "%s", val + off);
    return 0;
}

/* One population or group: size, mean rate, and each state's statistics. */
static RtStatus print_one(RtCkDb *db, FILE *out, const char *kind, uint64_t i, const char *labels, double ms,
                          RtError *err)
{
    uint64_t size;
    int ns, pop = kind[0] == 'p';
    char name[160], arr[64], key[64], var[64];
    if (shape(db, kind, i, &size, &ns, name, sizeof name))
        return rt_error_set(err, RT_ERR_FORMAT, "checkpoint is damaged (no shape of %s %" PRIu64 ")", kind, i);
    fprintf(out, "  %-20s %10" PRIu64 " %s", name, size, pop ? "neurons " : "synapses");
    if (pop)
        fprintf(out, "  rate %.3g Hz", rate_of(db, i, size, ms));
    snprintf(key, sizeof key, "%s.%" PRIu64, kind, i);
    for (int j = 0; j < ns; j++) {
        Stats s = {0, 0, 0};
        snprintf(arr, sizeof arr, "%s/%" PRIu64 "/state/%d", pop ? "pop" : "group", i, j);
        RtStatus st = array_stats(db, arr, &s, err);
        if (st)
            return st;
        label(labels, key, j, var, sizeof var);
        fprintf(out, "  %s mean %.6g min %.6g max %.6g", var, s.mean, s.min, s.max);
    }
    fputc('\n', out);
    return RT_OK;
}

static RtStatus print_part(RtCkDb *db, FILE *out, const char *kind, uint64_t n, double ms, RtError *err)
{
    char *labels = malloc(65536);
    if (labels)
        rt_ckdb_get_meta_opt(db, "labels", labels, 65536);
    RtStatus st = RT_OK;
    for (uint64_t i = 0; !st && i < n; i++)
        st = print_one(db, out, kind, i, labels, ms, err);
    free(labels);
    return st;
}

static void print_identity(FILE *out, const char *path, const RtCheckpointMeta *m)
{
    fprintf(out, "checkpoint %s (schema %d, brainc %s)\n", path, m->schema, m->version[0] ? m->version : "?");
    fprintf(out, "brain %s, seed %" PRIu64 ", tick %" PRIu64 "\n", m->brain[0] ? m->brain : "?", m->seed,
            m->tick);
    fprintf(out, "preset %s, parameters %s\n", m->preset[0] ? m->preset : "(none)",
            m->params[0] ? m->params : "(defaults)");
    fprintf(out, "source hash %016" PRIx64 ", network hash %016" PRIx64 "\n", m->source_hash, m->spec_hash);
}

RtStatus rt_checkpoint_print(const char *path, FILE *out, RtError *err)
{
    RtCkDb *db = NULL;
    RtCheckpointMeta m;
    uint64_t npops = 0, ngroups = 0;
    RtStatus st = rt_ckdb_open_read(path, &db, &m, err);
    if (st)
        return st;
    st = rt_ckdb_begin_read(db, err);
    if (!st)
        st = rt_ckdb_get_meta_u64(db, "npops", &npops, err);
    if (!st)
        st = rt_ckdb_get_meta_u64(db, "ngroups", &ngroups, err);
    char dt[64];
    rt_ckdb_get_meta_opt(db, "dt", dt, sizeof dt);
    double ms = (double)m.tick * strtod(dt, NULL);
    if (!st) {
        print_identity(out, path, &m);
        fprintf(out, "populations (%" PRIu64 "):\n", npops);
        st = print_part(db, out, "pop", npops, ms, err);
    }
    if (!st) {
        fprintf(out, "synapse groups (%" PRIu64 "):\n", ngroups);
        st = print_part(db, out, "group", ngroups, ms, err);
    }
    rt_ckdb_close(db, NULL);
    return st;
}
