/* record.c - maps the program's `record` members (NirRecord) to the
 * runtime's recordings (RtRecordSpec, rt_brain_record_add), naming their
 * files DIR/<what>.csv (.bin for a binary raster), or putting them, with
 * the items of --record LIST, into one SQLite recording (--out FILE.db). */
#include "driver/record.h"
#include "rt_parse.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int record_is_db(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 3 && strcmp(path + n - 3, ".db") == 0;
}

int record_prepare_dir(const RecordOptions *ro, char *msg, size_t size)
{
    struct stat st;
    if (!ro->dir || record_is_db(ro->dir))
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
    s.to_db = record_is_db(ro->dir);
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

/* ---- --record LIST into an SQLite recording ---------------------------------- */

/* One item of the list, resolved against the network. */
typedef struct ListItem {
    RtRecordKind kind;
    int pop;          /* SPIKES, STATE; -1 with SPIKES: every population */
    const char *conn; /* SYNAPSE */
    int var;
    uint32_t every;
} ListItem;

/* "a, b, c" of up to about size bytes, into buf (appended). */
static void append_name(char *buf, size_t size, const char *name)
{
    size_t n = strlen(buf);
    if (n + strlen(name) + 8 < size)
        snprintf(buf + n, size - n, "%s%s", n ? ", " : "", name);
    else if (n + 5 < size && !strstr(buf, ", ..."))
        snprintf(buf + n, size - n, ", ...");
}

static int find_pop(const Nir *nir, const char *name, size_t len)
{
    for (int p = 0; p < nir->npops; p++)
        if (strlen(nir->pops[p].path) == len && strncmp(nir->pops[p].path, name, len) == 0)
            return p;
    return -1;
}

/* The first group of connection name (of len bytes), or -1. */
static int find_conn(const Nir *nir, const char *name, size_t len)
{
    for (int g = 0; g < nir->ngroups; g++)
        if (strlen(nir->groups[g].conn) == len && strncmp(nir->groups[g].conn, name, len) == 0)
            return g;
    return -1;
}

static int find_name(const char **names, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (strcmp(names[k], name) == 0)
            return k;
    return -1;
}

static int unknown_target(const Nir *nir, const char *item, size_t len, RtError *err)
{
    char pops[200] = "", conns[200] = "";
    for (int p = 0; p < nir->npops; p++)
        append_name(pops, sizeof pops, nir->pops[p].path);
    for (int g = 0; g < nir->ngroups; g++)
        if (find_conn(nir, nir->groups[g].conn, strlen(nir->groups[g].conn)) == g)
            append_name(conns, sizeof conns, nir->groups[g].conn);
    rt_error_set(err, RT_ERR_ARG, "--record: no population or connection `%.*s` (populations: %s; connections: %s)",
                 (int)len, item, pops, conns[0] ? conns : "none");
    return -1;
}

static int unknown_variable(const char *what, const char *target, const char *var, const char **names, int n,
                            RtError *err)
{
    char list[200] = "";
    for (int k = 0; k < n; k++)
        append_name(list, sizeof list, names[k]);
    rt_error_set(err, RT_ERR_ARG, "--record: %s `%s` has no variable `%s` (it has: %s)", what, target, var,
                 n ? list : "none");
    return -1;
}

/* item (len bytes, without its :every suffix): spikes, POP, POP.var or CONN.var. */
static int resolve_item(const Nir *nir, const char *item, size_t len, ListItem *it, RtError *err)
{
    char var[256];
    if (len == 6 && strncmp(item, "spikes", 6) == 0)
        return it->kind = RT_RECORD_SPIKES, it->pop = -1, 0;
    if ((it->pop = find_pop(nir, item, len)) >= 0)
        return it->kind = RT_RECORD_SPIKES, 0;
    const char *dot = NULL;
    for (const char *c = item; c < item + len; c++)
        dot = *c == '.' ? c : dot;
    if (!dot || dot == item + len - 1 || (size_t)(item + len - dot) > sizeof var)
        return unknown_target(nir, item, len, err);
    snprintf(var, sizeof var, "%.*s", (int)(item + len - dot - 1), dot + 1);
    size_t head = (size_t)(dot - item);
    int g;
    if ((it->pop = find_pop(nir, item, head)) >= 0) {
        const NirNeuronModel *m = &nir->neuron_models[nir->pops[it->pop].model];
        it->kind = RT_RECORD_STATE;
        it->var = find_name(m->states, m->nstates, var);
        return it->var < 0 ? unknown_variable("population", nir->pops[it->pop].path, var, m->states, m->nstates, err)
                           : 0;
    }
    if ((g = find_conn(nir, item, head)) >= 0) {
        const NirSynapseModel *m = &nir->syn_models[nir->groups[g].model];
        it->kind = RT_RECORD_SYNAPSE;
        it->conn = nir->groups[g].conn;
        it->var = find_name(m->states, m->nstates, var);
        return it->var < 0 ? unknown_variable("connection", it->conn, var, m->states, m->nstates, err) : 0;
    }
    return unknown_target(nir, item, head, err);
}

/* Parses and resolves the whole list into items[] (*n of at most max). */
static int resolve_list(const Nir *nir, const char *list, ListItem *items, int max, int *n, RtError *err)
{
    *n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        const char *colon = memchr(p, ':', len);
        size_t name_len = colon ? (size_t)(colon - p) : len;
        ListItem it = {RT_RECORD_SPIKES, -1, NULL, 0, 1};
        if (*n == max)
            return rt_error_set(err, RT_ERR_ARG, "--record: more than %d items", max), -1;
        if (!name_len)
            return rt_error_set(err, RT_ERR_ARG, "--record: an empty item in `%s`", list), -1;
        if (resolve_item(nir, p, name_len, &it, err))
            return -1;
        if (colon) {
            char every[32];
            uint64_t k = 0;
            snprintf(every, sizeof every, "%.*s", (int)(len - name_len - 1), colon + 1);
            if (strncmp(every, "every=", 6) != 0 || rt_parse_u64(every + 6, &k) || k < 1 || k > UINT32_MAX)
                return rt_error_set(err, RT_ERR_ARG, "--record: `%.*s`: expected :every=K with K >= 1", (int)len,
                                    p), -1;
            if (it.kind == RT_RECORD_SPIKES)
                return rt_error_set(err, RT_ERR_ARG, "--record: `%.*s`: :every applies to state and synapse "
                                    "variables, not to spikes", (int)len, p), -1;
            it.every = (uint32_t)k;
        }
        items[(*n)++] = it;
        p += len + (p[len] == ',');
    }
    return 0;
}

/* Whether a `record` member of the program records item it of population
 * p already (all neurons, same variable and cadence): then it is not added twice. */
static int in_program(const Nir *nir, const ListItem *it, int p)
{
    for (int r = 0; r < nir->nrecords; r++) {
        const NirRecord *rec = &nir->records[r];
        int same_kind = (rec->kind == NIR_REC_SPIKES && it->kind == RT_RECORD_SPIKES) ||
                        (rec->kind == NIR_REC_STATE && it->kind == RT_RECORD_STATE && rec->var == it->var &&
                         (rec->every ? rec->every : 1) == it->every);
        if (same_kind && (int)rec->pop == p && !rec->idx)
            return 1;
    }
    return 0;
}

static int add_item(RtBrain *b, const Nir *nir, const ListItem *it, RtError *err)
{
    RtRecordSpec s = {0};
    s.kind = it->kind, s.to_db = 1, s.every = it->every, s.slot = it->var;
    if (it->kind == RT_RECORD_SYNAPSE) {
        uint32_t groups[1024];
        int first = -1;
        for (int g = 0; g < nir->ngroups && s.ngroups < 1024; g++)
            if (strcmp(nir->groups[g].conn, it->conn) == 0) {
                first = first < 0 ? g : first;
                groups[s.ngroups++] = (uint32_t)g;
            }
        s.groups = groups, s.target = it->conn;
        s.variable = nir->syn_models[nir->groups[first].model].states[it->var];
        return rt_brain_record_add(b, &s, err) ? -1 : 0;
    }
    for (int p = it->pop < 0 ? 0 : it->pop; p < (it->pop < 0 ? nir->npops : it->pop + 1); p++) {
        if (in_program(nir, it, p))
            continue;
        s.pop = (uint32_t)p, s.target = nir->pops[p].path;
        s.variable = it->kind == RT_RECORD_STATE ? nir->neuron_models[nir->pops[p].model].states[it->var] : "";
        if (rt_brain_record_add(b, &s, err))
            return -1;
    }
    return 0;
}

#define MAX_LIST_ITEMS 256

/* --out FILE.db: the list resolved first (nothing is created for a bad
 * item), then the file, the program's records and the list's. */
static int attach_db(RtBrain *b, const Nir *nir, const RecordOptions *ro, RtError *err)
{
    ListItem items[MAX_LIST_ITEMS];
    int n = 0;
    if (ro->list && resolve_list(nir, ro->list, items, MAX_LIST_ITEMS, &n, err))
        return -1;
    RtCheckpointMeta fallback = {0};
    if (!ro->identity) {
        snprintf(fallback.brain, sizeof fallback.brain, "%s", nir->brain);
        snprintf(fallback.version, sizeof fallback.version, "%s", BRAINC_VERSION);
        fallback.seed = nir->seed;
    }
    char path[4096];
    record_path_with_suffix(ro->dir, ro->suffix, path, sizeof path);
    if (rt_brain_record_db(b, path, ro->identity ? ro->identity : &fallback, ro->sample_f64, err))
        return -1;
    for (int r = 0; r < nir->nrecords; r++)
        if (attach_one(b, nir, r, ro, err))
            return -1;
    for (int k = 0; k < n; k++)
        if (add_item(b, nir, &items[k], err))
            return -1;
    return 0;
}

int record_attach(RtBrain *b, const Nir *nir, const RecordOptions *ro, RtError *err)
{
    ListItem items[MAX_LIST_ITEMS];
    int n = 0;
    if (ro->list && !record_is_db(ro->dir))
        return rt_error_set(err, RT_ERR_ARG, "--record %s needs --out FILE.db", ro->list), -1;
    if (ro->list && resolve_list(nir, ro->list, items, MAX_LIST_ITEMS, &n, err)) /* before any file */
        return -1;
    if (ro->spikes_file) {
        char path[4096];
        record_path_with_suffix(ro->spikes_file, ro->suffix, path, sizeof path);
        if (rt_brain_record_spikes(b, path, ro->format, err))
            return -1;
    }
    if (record_is_db(ro->dir))
        return attach_db(b, nir, ro, err);
    for (int r = 0; ro->dir && r < nir->nrecords; r++)
        if (attach_one(b, nir, r, ro, err))
            return -1;
    return 0;
}
