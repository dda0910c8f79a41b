/* export_db.c - a network as the SQLite brain DB of inner-models-v8 (§7 of
 * ../shared/reference/inner-models-v8-format.md).
 *
 * Neurons get ids from 1 in population order (the global numbering of the
 * IR), synapse rows follow the groups in IR order, CSR order within a group.
 * The Izhikevich types RS/FS/IB/CH/LTS keep their name (with the actual a,
 * b, c, d, as the reference stores node overrides); im8_izh neurons get the
 * type whose defaults they equal, else the closest one. Synapse models named
 * as the eight im8 types keep their name; params/state are JSON objects of
 * the model's parameters and states, the weight `w` going to its column. */
#include "export_db.h"
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char SCHEMA[] =
    "CREATE TABLE neurons(id INTEGER PRIMARY KEY, neuron_type TEXT NOT NULL,\n"
    "  a REAL NOT NULL, b REAL NOT NULL, c REAL NOT NULL, d REAL NOT NULL,\n"
    "  v REAL NOT NULL DEFAULT -65.0, u REAL NOT NULL,\n"
    "  last_spike INTEGER NOT NULL DEFAULT -1000,\n"
    "  pos_x REAL NOT NULL DEFAULT 0.0, pos_y REAL NOT NULL DEFAULT 0.0,\n"
    "  pos_z REAL NOT NULL DEFAULT 0.0);\n"
    "CREATE TABLE synapses(id INTEGER PRIMARY KEY AUTOINCREMENT, source INTEGER NOT NULL,\n"
    "  target INTEGER NOT NULL, weight REAL NOT NULL, delay INTEGER NOT NULL,\n"
    "  synapse_type TEXT NOT NULL DEFAULT 'fixed',\n"
    "  params TEXT NOT NULL DEFAULT '{}',\n"
    "  state TEXT NOT NULL DEFAULT '{}',\n"
    "  FOREIGN KEY(source) REFERENCES neurons(id),\n"
    "  FOREIGN KEY(target) REFERENCES neurons(id));\n"
    "CREATE INDEX idx_syn_source ON synapses(source);\n"
    "CREATE INDEX idx_syn_target ON synapses(target);\n"
    "CREATE INDEX idx_syn_type ON synapses(synapse_type);\n"
    "CREATE TABLE body_map(neuron_id INTEGER NOT NULL, segment INTEGER NOT NULL,\n"
    "  side TEXT NOT NULL, effect TEXT NOT NULL);\n"
    "CREATE INDEX idx_body_map_seg ON body_map(segment);\n"
    "CREATE INDEX idx_body_map_neuron ON body_map(neuron_id);\n"
    "CREATE TABLE sensor_map(neuron_id INTEGER NOT NULL, modality TEXT NOT NULL,\n"
    "  location TEXT NOT NULL, response_type TEXT NOT NULL DEFAULT 'tonic',\n"
    "  side TEXT NOT NULL DEFAULT 'bilateral');\n"
    "CREATE INDEX idx_sensor_map_modality ON sensor_map(modality);\n"
    "CREATE INDEX idx_sensor_map_neuron ON sensor_map(neuron_id);\n";

/* §2.1, and the scale of each parameter for "closest". */
static const struct {
    const char *name;
    double p[4];
} TYPES[] = {
    {"RS", {0.02, 0.2, -65, 8}}, {"FS", {0.1, 0.2, -65, 2}},   {"IB", {0.02, 0.2, -55, 4}},
    {"CH", {0.02, 0.2, -50, 2}}, {"LTS", {0.02, 0.25, -65, 2}},
};
enum { NTYPES = sizeof TYPES / sizeof TYPES[0] };
static const double SCALE[4] = {0.08, 0.05, 15, 6};

static const char *const SYN_TYPES[] = {"fixed",        "plastic", "facilitating",   "depressing",
                                        "gated",        "gap_junction", "reward_plastic", "developmental"};

static int type_index(const char *name)
{
    for (int t = 0; t < NTYPES; t++)
        if (strcmp(TYPES[t].name, name) == 0)
            return t;
    return -1;
}

/* The type whose defaults equal p, else the closest one (scaled distance). */
static int closest_type(const double p[4])
{
    int best = 0;
    double bd = INFINITY;
    for (int t = 0; t < NTYPES; t++) {
        double d = 0;
        for (int i = 0; i < 4; i++) {
            double x = (p[i] - TYPES[t].p[i]) / SCALE[i];
            d += x * x;
        }
        if (d < bd)
            bd = d, best = t;
    }
    return best;
}

static int is_im8_synapse(const char *name)
{
    for (size_t i = 0; i < sizeof SYN_TYPES / sizeof SYN_TYPES[0]; i++)
        if (strcmp(SYN_TYPES[i], name) == 0)
            return 1;
    return 0;
}

/* Shortest text that reads back as v (as a float for per-synapse arrays). */
static void fmt_num(char *buf, size_t size, double v, int as_float)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "null");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) { /* 10, not 1e+01 */
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        double r = strtod(buf, NULL);
        if (as_float ? (float)r == (float)v : r == v)
            return;
    }
}

/* Per-synapse value k as a double that prints as written. */
static double syn_value(const NirSynValues *sv, uint64_t k)
{
    if (!sv->array)
        return sv->value;
    char buf[64];
    fmt_num(buf, sizeof buf, sv->array[k], 1);
    return strtod(buf, NULL);
}

typedef struct Buf {
    char *s;
    size_t len, cap;
} Buf;

static int buf_add(Buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            return -1;
        b->s = p, b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
    return 0;
}

/* The modulator neurons of a gated synapse (0-based neuron array indices,
 * the reference's `modulator_group`), or NULL for "" (a gate that never
 * opens). */
typedef struct ModList {
    const uint64_t *ids;
    uint32_t n;
} ModList;

/* {"name": value, ...} of the given variables, `w` and the importer's
 * `n_modulators` left out; gated rows add their modulator group. */
static int json_vars(Buf *b, int n, const char **names, const NirSynValues *vals, uint64_t k, int gated,
                     const ModList *mods)
{
    b->len = 0;
    int rc = buf_add(b, "{"), first = 1;
    char num[64];
    for (int i = 0; i < n && !rc; i++) {
        if (strcmp(names[i], "w") == 0 || (gated && strcmp(names[i], "n_modulators") == 0))
            continue;
        fmt_num(num, sizeof num, vals[i].array ? (double)vals[i].array[k] : vals[i].value,
                vals[i].array != NULL);
        rc = buf_add(b, first ? "\"" : ", \"") || buf_add(b, names[i]) || buf_add(b, "\": ") ||
             buf_add(b, num);
        first = 0;
    }
    if (gated && !rc) /* §7: gated rows store their modulator group, "" when empty */
        rc = buf_add(b, first ? "\"modulator_group\": " : ", \"modulator_group\": ");
    if (gated && !rc && (!mods || !mods->n))
        rc = buf_add(b, "\"\"");
    for (uint32_t j = 0; gated && !rc && mods && j < mods->n; j++) {
        snprintf(num, sizeof num, "%s%llu", j ? ", " : "[", (unsigned long long)mods->ids[j]);
        rc = buf_add(b, num) || (j + 1 == mods->n && buf_add(b, "]"));
    }
    return rc || buf_add(b, "}");
}

/* The modulators of every neuron of population post: the sources of the
 * `modulator_count` synapses onto it (std.im8's formulation of a gated
 * synapse's modulator group), as CSR over post's neurons, ids ascending
 * within each group and groups in declaration order. */
typedef struct Modulators {
    uint64_t *start; /* [size + 1] */
    uint64_t *ids;
} Modulators;

static int is_modulator_count(const Nir *nir, const NirGroup *g)
{
    return strcmp(nir->syn_models[g->model].name, "modulator_count") == 0;
}

static int modulators_of(const Nir *nir, int post, Modulators *out)
{
    uint32_t size = nir->pops[post].size;
    uint64_t *start = calloc((size_t)size + 2, sizeof *start), total = 0;
    if (!start)
        return -1;
    for (int gi = 0; gi < nir->ngroups; gi++) {
        const NirGroup *g = &nir->groups[gi];
        if (g->post == (uint32_t)post && is_modulator_count(nir, g))
            for (uint64_t k = 0; k < g->n_syn; k++)
                start[g->col[k] + 1]++, total++;
    }
    for (uint32_t c = 0; c < size; c++)
        start[c + 1] += start[c];
    uint64_t *ids = malloc((size_t)total * sizeof *ids + 1), *fill = malloc(((size_t)size + 1) * sizeof *fill);
    if (!ids || !fill) {
        free(start), free(ids), free(fill);
        return -1;
    }
    memcpy(fill, start, (size_t)size * sizeof *fill);
    for (int gi = 0; gi < nir->ngroups; gi++) {
        const NirGroup *g = &nir->groups[gi];
        if (g->post != (uint32_t)post || !is_modulator_count(nir, g))
            continue;
        for (uint32_t i = 0; i < nir->pops[g->pre].size; i++)
            for (uint64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++)
                ids[fill[g->col[k]]++] = nir->pops[g->pre].first + i;
    }
    free(fill);
    *out = (Modulators){start, ids};
    return 0;
}

static int has_arrays(int n, const NirSynValues *v)
{
    for (int i = 0; i < n; i++)
        if (v[i].array)
            return 1;
    return 0;
}

typedef struct Writer {
    sqlite3 *db;
    sqlite3_stmt *neuron, *synapse;
    Buf params, state;
} Writer;

static int step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int write_neurons(Writer *w, const Nir *nir, Diag *diag)
{
    static const char *const PNAMES[4] = {"a", "b", "c", "d"};
    for (int p = 0; p < nir->npops; p++) {
        const NirPop *pop = &nir->pops[p];
        const NirNeuronModel *m = &nir->neuron_models[pop->model];
        int named = type_index(m->name);
        /* im8_izh_modulated is im8_izh plus the count its gated synapses read */
        int generic = strcmp(m->name, "im8_izh") == 0 || strcmp(m->name, "im8_izh_modulated") == 0;
        int slot[4], vs = nir_model_state(m, "v"), us = nir_model_state(m, "u");
        for (int i = 0; i < 4; i++)
            slot[i] = nir_model_param(m, PNAMES[i]);
        int izh = slot[0] >= 0 && slot[1] >= 0 && slot[2] >= 0 && slot[3] >= 0 && vs >= 0 && us >= 0;
        if (!izh || (named < 0 && !generic)) {
            int seen = 0; /* once per model */
            for (int q = 0; q < p && !seen; q++)
                seen = nir->pops[q].model == pop->model;
            if (!seen)
                diag_warning(diag, m->loc,
                             "neuron model %s has no inner-models-v8 equivalent: its neurons are "
                             "written with neuron_type '%s'%s",
                             m->name, m->name, izh ? "" : " and the a, b, c, d, v, u it lacks as 0");
            named = -1, generic = 0;
        }
        for (uint32_t k = 0; k < pop->size; k++) {
            double v[4];
            for (int i = 0; i < 4; i++)
                v[i] = slot[i] >= 0 ? nir_value_at(&pop->params[slot[i]], k) : 0;
            const char *type = named >= 0 ? m->name : generic ? TYPES[closest_type(v)].name : m->name;
            sqlite3_stmt *st = w->neuron;
            sqlite3_bind_int64(st, 1, (sqlite3_int64)pop->first + k + 1);
            sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
            for (int i = 0; i < 4; i++)
                sqlite3_bind_double(st, 3 + i, v[i]);
            sqlite3_bind_double(st, 7, vs >= 0 ? nir_value_at(&pop->state[vs], k) : 0);
            sqlite3_bind_double(st, 8, us >= 0 ? nir_value_at(&pop->state[us], k) : 0);
            sqlite3_bind_double(st, 9, nir_value_at(&pop->pos[0], k));
            sqlite3_bind_double(st, 10, nir_value_at(&pop->pos[2], k));
            if (step(st))
                return -1;
        }
    }
    return 0;
}

/* The rows of group g (modulated gated rows carry their target's
 * modulators and are written as `gated`). */
static int write_rows(Writer *w, const Nir *nir, const NirGroup *g, const NirSynapseModel *m,
                      const NirSynValues *wv, int pvar, int svar, int gated, const Modulators *mods)
{
    const NirPop *pre = &nir->pops[g->pre], *post = &nir->pops[g->post];
    const char *type = mods ? "gated" : m->name;
    sqlite3_stmt *st = w->synapse;
    for (uint32_t i = 0; i < pre->size; i++)
        for (uint64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++) {
            ModList ml = {NULL, 0};
            if (mods)
                ml = (ModList){mods->ids + mods->start[g->col[k]],
                               (uint32_t)(mods->start[g->col[k] + 1] - mods->start[g->col[k]])};
            if ((pvar && json_vars(&w->params, m->nparams, m->params, g->params, k, gated, &ml)) ||
                (svar && json_vars(&w->state, m->nstates, m->states, g->state, k, 0, NULL)))
                return -1;
            sqlite3_bind_int64(st, 1, (sqlite3_int64)pre->first + i + 1);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)post->first + g->col[k] + 1);
            /* §7: gap junction rows have weight 0.1 and delay 0 */
            sqlite3_bind_double(st, 3, wv ? syn_value(wv, k) : g->is_gap ? 0.1 : 0);
            sqlite3_bind_int(st, 4, g->is_gap ? 0 : nir_delay_at(g, k));
            sqlite3_bind_text(st, 5, type, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, w->params.s, (int)w->params.len, SQLITE_STATIC);
            sqlite3_bind_text(st, 7, w->state.s, (int)w->state.len, SQLITE_STATIC);
            if (step(st))
                return -1;
        }
    return 0;
}

static int write_synapses(Writer *w, const Nir *nir, Diag *diag)
{
    for (int gi = 0; gi < nir->ngroups; gi++) {
        const NirGroup *g = &nir->groups[gi];
        const NirSynapseModel *m = &nir->syn_models[g->model];
        if (is_modulator_count(nir, g))
            continue; /* written as the modulator_group of the gated rows they feed */
        int modulated = strcmp(m->name, "gated_modulated") == 0;
        if (!is_im8_synapse(m->name) && !modulated) {
            int seen = 0;
            for (int q = 0; q < gi && !seen; q++)
                seen = nir->groups[q].model == g->model;
            if (!seen)
                diag_warning(diag, m->loc,
                             "synapse model %s has no inner-models-v8 equivalent: its synapses are "
                             "written with synapse_type '%s'",
                             m->name, m->name);
        }
        int gated = modulated || strcmp(m->name, "gated") == 0;
        int ws = nir_syn_state(m, "w"), wp = nir_syn_param(m, "w");
        const NirSynValues *wv = ws >= 0 ? &g->state[ws] : wp >= 0 ? &g->params[wp] : NULL;
        /* A modulated row's params depend on its target's modulators. */
        int pvar = modulated || has_arrays(m->nparams, g->params), svar = has_arrays(m->nstates, g->state);
        Modulators mods = {NULL, NULL};
        if (modulated && modulators_of(nir, g->post, &mods))
            return -1;
        int rc = (!pvar && json_vars(&w->params, m->nparams, m->params, g->params, 0, gated, NULL)) ||
                 (!svar && json_vars(&w->state, m->nstates, m->states, g->state, 0, 0, NULL));
        rc = rc || write_rows(w, nir, g, m, wv, pvar, svar, gated, modulated ? &mods : NULL);
        free(mods.start), free(mods.ids);
        if (rc)
            return -1;
    }
    return 0;
}
static int write_all(Writer *w, const Nir *nir, Diag *diag)
{
    if (sqlite3_exec(w->db, "PRAGMA journal_mode=MEMORY; BEGIN;", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(w->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db,
                           "INSERT INTO neurons(id, neuron_type, a, b, c, d, v, u, pos_x, pos_y, pos_z) "
                           "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 0.0, ?)",
                           -1, &w->neuron, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db,
                           "INSERT INTO synapses(source, target, weight, delay, synapse_type, params, state) "
                           "VALUES(?, ?, ?, ?, ?, ?, ?)",
                           -1, &w->synapse, NULL) != SQLITE_OK)
        return -1;
    if (write_neurons(w, nir, diag) || write_synapses(w, nir, diag))
        return -1;
    return sqlite3_exec(w->db, "COMMIT;", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int export_db(const Nir *nir, const char *path, Diag *diag)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) {
        fprintf(stderr, "brainc: out of memory\n");
        return 3;
    }
    snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "brainc: cannot write %s: %s\n", path, strerror(errno));
        free(tmp);
        return 1;
    }
    close(fd);
    mode_t mask = umask(0);
    umask(mask);
    chmod(tmp, 0666 & ~mask);
    Writer w = {0};
    int rc = 0;
    const char *why = NULL;
    if (sqlite3_open_v2(tmp, &w.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK || write_all(&w, nir, diag))
        rc = 1, why = w.db ? sqlite3_errmsg(w.db) : "cannot open";
    if (rc)
        fprintf(stderr, "brainc: cannot write %s: %s\n", path, why);
    sqlite3_finalize(w.neuron);
    sqlite3_finalize(w.synapse);
    if (w.db && sqlite3_close(w.db) != SQLITE_OK && !rc) {
        fprintf(stderr, "brainc: cannot write %s: closing the database failed\n", path);
        rc = 1;
    }
    if (!rc && rename(tmp, path) != 0) {
        fprintf(stderr, "brainc: cannot write %s: %s\n", path, strerror(errno));
        rc = 1;
    }
    if (rc)
        unlink(tmp);
    free(w.params.s);
    free(w.state.s);
    free(tmp);
    return rc;
}
