/* record.c - maps the program's `record` members (NirRecord) to the
 * runtime's recordings (RtRecordSpec, rt_brain_record_add), naming their
 * files DIR/<what>.csv (.bin for a binary raster). */
#include "driver/record.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int record_prepare_dir(const RecordOptions *ro, char *msg, size_t size)
{
    struct stat st;
    if (!ro->dir)
        return 0;
    if (mkdir(ro->dir, 0777) != 0 && errno != EEXIST) {
        snprintf(msg, size, "cannot create the directory '%s': %s", ro->dir, strerror(errno));
        return -1;
    }
    if (stat(ro->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(msg, size, "'%s' is not a directory", ro->dir);
        return -1;
    }
    return 0;
}

void record_path_with_suffix(const char *path, const char *suffix, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!suffix || !*suffix || !dot || dot == (slash ? slash + 1 : path)) {
        snprintf(buf, size, "%s%s", path, suffix ? suffix : "");
        return;
    }
    snprintf(buf, size, "%.*s%s%s", (int)(dot - path), path, suffix, dot);
}

/* Letters, digits, '.', '-', '_', '=' stay; anything else becomes '_'. */
static void sanitise(char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr(".-_=", *s)))
            *s = '_';
}

/* ".a" for one neuron, ".a..b" for a range, ".a..b.n<count>" otherwise. */
static void selection_suffix(const NirRecord *rec, char *buf, size_t size)
{
    uint32_t first = rec->idx[0], last = rec->idx[rec->n - 1];
    int range = last >= first && last - first + 1 == rec->n;
    for (uint32_t k = 1; range && k < rec->n; k++)
        range = rec->idx[k] == rec->idx[k - 1] + 1;
    if (rec->n == 1)
        snprintf(buf, size, ".%u", first);
    else if (range)
        snprintf(buf, size, ".%u..%u", first, last);
    else
        snprintf(buf, size, ".%u..%u.n%u", first, last, rec->n);
}

/* The base name of record r: its text, the population when one `record`
 * covers several, the neurons of a selection, the variable of a state. */
static void record_base(const Nir *nir, int r, char *buf, size_t size)
{
    const NirRecord *rec = &nir->records[r];
    int parts = 0;
    for (int k = 0; k < nir->nrecords; k++)
        parts += strcmp(nir->records[k].what, rec->what) == 0 && nir->records[k].kind == rec->kind;
    char sel[64] = "";
    if (rec->kind != NIR_REC_SYNAPSE && rec->idx && rec->n)
        selection_suffix(rec, sel, sizeof sel);
    if (parts > 1 && rec->kind != NIR_REC_SYNAPSE && strcmp(rec->what, nir->pops[rec->pop].path) != 0)
        snprintf(buf, size, "%s.%s%s", rec->what, nir->pops[rec->pop].path, sel);
    else
        snprintf(buf, size, "%s%s", rec->what, sel);
    sanitise(buf);
}

static void record_file(const Nir *nir, int r, const RecordOptions *ro, char *buf, size_t size)
{
    char base[1024], plain[4096];
    record_base(nir, r, base, sizeof base);
    int binary = nir->records[r].kind == NIR_REC_SPIKES && ro->format == RT_RASTER_BINARY;
    snprintf(plain, sizeof plain, "%s/%s.%s", ro->dir, base, binary ? "bin" : "csv");
    record_path_with_suffix(plain, ro->suffix, buf, size);
}

static int attach_synapses(RtBrain *b, const Nir *nir, const NirRecord *rec, RtRecordSpec *s,
                           RtError *err)
{
    uint32_t *groups = calloc((size_t)rec->ngroups + 1, sizeof *groups);
    if (!groups)
        return rt_error_set(err, RT_ERR_NOMEM, "out of memory"), -1;
    for (int g = 0; g < rec->ngroups; g++)
        groups[g] = (uint32_t)rec->groups[g];
    const NirGroup *g0 = &nir->groups[rec->groups[0]];
    s->target = g0->conn;
    s->variable = nir->syn_models[g0->model].states[rec->var];
    s->groups = groups;
    s->ngroups = (uint32_t)rec->ngroups;
    int rc = rt_brain_record_add(b, s, err) ? -1 : 0;
    free(groups);
    return rc;
}

static int attach_one(RtBrain *b, const Nir *nir, int r, const RecordOptions *ro, RtError *err)
{
    const NirRecord *rec = &nir->records[r];
    char path[4096];
    record_file(nir, r, ro, path, sizeof path);
    RtRecordSpec s = {0};
    s.path = path;
    s.format = ro->format;
    s.every = rec->every ? rec->every : 1;
    s.slot = rec->var;
    if (rec->kind == NIR_REC_SYNAPSE) {
        s.kind = RT_RECORD_SYNAPSE;
        return rec->ngroups ? attach_synapses(b, nir, rec, &s, err) : 0;
    }
    const NirPop *p = &nir->pops[rec->pop];
    s.kind = rec->kind == NIR_REC_SPIKES ? RT_RECORD_SPIKES : RT_RECORD_STATE;
    s.pop = rec->pop, s.n = rec->n, s.idx = rec->idx;
    s.target = p->path;
    s.variable = rec->kind == NIR_REC_STATE ? nir->neuron_models[p->model].states[rec->var] : "";
    return rt_brain_record_add(b, &s, err) ? -1 : 0;
}

int record_attach(RtBrain *b, const Nir *nir, const RecordOptions *ro, RtError *err)
{
    if (ro->spikes_file) {
        char path[4096];
        record_path_with_suffix(ro->spikes_file, ro->suffix, path, sizeof path);
        if (rt_brain_record_spikes(b, path, ro->format, err))
            return -1;
    }
    for (int r = 0; ro->dir && r < nir->nrecords; r++)
        if (attach_one(b, nir, r, ro, err))
            return -1;
    return 0;
}
