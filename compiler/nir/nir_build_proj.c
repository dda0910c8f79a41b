/* nir_build_proj.c - instance-level wiring from inner-models-v8:
 * `connect A.out -> B.in : syn probability p per instance` (reference §6.5)
 * and `wire proximity(...)` (§6.6).
 *
 * Both are pairwise over instances, not neurons; instances are few. Per
 * instance projections skip from accepted pair to accepted pair with
 * geometric gaps (a generator per source instance), so they cost
 * O(instances + synapses). Proximity finds neighbours through a grid of
 * cells max_distance wide, and draws every (A, B) pair from its own
 * generator, so neither costs depends on iteration order. */
#include "nir_internal.h"
#include "philox.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Inputs that wiring leaves alone unless a connect names them: the control
 * terminals of the reference's default `exclude_inputs`. */
static const char *const control_inputs[] = {"kill_in",  "calm_in",    "error_in", "dopamine_in",
                                             "tonic_in", "satisfy_in", "clear_in"};

static int in_list(const char *name, const char *const *list, int n)
{
    for (int k = 0; k < n; k++)
        if (strcmp(list[k], name) == 0)
            return 1;
    return 0;
}

/* One side of a projection: instances and the terminals used. */
typedef struct Side {
    InstRef insts;
    int nterms;
    int terms[64];
} Side;

static int side_terminals(Builder *b, Side *s, TermDir dir, const char *only, Loc loc)
{
    const NirInstSet *set = &b->nir->sets[s->insts.set];
    s->nterms = 0;
    if (only) {
        int t = nir_find_terminal(set, only);
        if (t < 0) {
            diag_error(b->diag, loc, "component `%s` has no terminal `%s`", set->component, only);
            return -1;
        }
        s->terms[s->nterms++] = t;
        return 0;
    }
    for (int t = 0; t < set->nterms && s->nterms < 64; t++) {
        if (set->terms[t].dir != dir)
            continue;
        if (dir == TERM_IN && in_list(set->terms[t].name, control_inputs, 7))
            continue;
        s->terms[s->nterms++] = t;
    }
    return 0;
}

/* `wm`, `wm[2]` (every out / in terminal) or `wm.term`, `wm[2].term`. */
static int resolve_side(Builder *b, Ctx *c, Expr *e, TermDir dir, Side *s)
{
    Expr *insts = e->kind == EX_MEMBER ? e->a : e;
    int rc = nir_select_insts(b, c, insts, &s->insts, SEL_REPORT);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        diag_error(b->diag, e->loc,
                   "`probability ... per instance` connects component instances; `%s` is not one",
                   nir_sel_text(b, c, insts));
        return -1;
    }
    return side_terminals(b, s, dir, e->kind == EX_MEMBER ? e->str : NULL,
                          e->kind == EX_MEMBER ? e->name_loc : e->loc);
}

/* Neuron `pick` of terminal t of instance `inst` (relative to the body
 * instance), as a group endpoint in body instance `body`. */
static void terminal_neuron(Builder *b, Ctx *c, const NirInstSet *set, const NirTerminal *t, uint32_t inst,
                            uint32_t body, uint32_t pick, uint32_t *pop, uint32_t *idx)
{
    *pop = t->pop[pick];
    uint32_t per_set_instance = nir_div(b->nir->pops[*pop].size, set->count);
    *idx = body * nir_block(b, c, *pop) + inst * per_set_instance + t->offset[pick];
}

/* One accepted (F, T) pair: a synapse per (out terminal, in terminal). */
static int project_pair(Builder *b, Ctx *c, const Side *from, const Side *to, uint32_t f, uint32_t t,
                        uint32_t body, BrRng *rng, GroupSet *gs)
{
    const NirInstSet *fs = &b->nir->sets[from->insts.set], *ts = &b->nir->sets[to->insts.set];
    for (int i = 0; i < from->nterms; i++)
        for (int j = 0; j < to->nterms; j++) {
            const NirTerminal *o = &fs->terms[from->terms[i]], *q = &ts->terms[to->terms[j]];
            if (!o->n || !q->n)
                continue;
            uint32_t a = br_rng_below(rng, o->n), z = br_rng_below(rng, q->n);
            uint32_t pp, pi, qp, qi;
            terminal_neuron(b, c, fs, o, f, body, a, &pp, &pi);
            terminal_neuron(b, c, ts, q, t, body, z, &qp, &qi);
            if (nir_edges_append(&nir_groupset_get(gs, pp, qp)->edges, pi, qi))
                return -1;
        }
    return 0;
}

static int project(Builder *b, Ctx *c, const ConnInfo *ci, const Side *from, const Side *to, double p,
                   GroupSet *gs)
{
    double inv_log_q = p > 0 && p < 1 ? 1.0 / log1p(-p) : 0;
    for (uint32_t body = 0; body < c->mult; body++) {
        uint64_t stream = nir_stream(ci->conn, "per instance", body);
        for (uint32_t fk = 0; fk < from->insts.n; fk++) {
            uint32_t f = inst_at(&from->insts, fk);
            BrRng rng;
            br_rng_init(&rng, b->nir->seed, stream, f);
            uint64_t pos = p >= 1 ? 0 : p <= 0 ? UINT64_MAX : br_rng_geometric_inv(&rng, inv_log_q);
            while (pos < to->insts.n) {
                if (project_pair(b, c, from, to, f, inst_at(&to->insts, (uint32_t)pos), body, &rng, gs))
                    return -1;
                uint64_t gap = p >= 1 ? 0 : br_rng_geometric_inv(&rng, inv_log_q);
                if (gap >= to->insts.n)
                    break;
                pos += gap + 1;
            }
        }
    }
    return 0;
}

int nir_build_per_instance(Builder *b, Ctx *c, Member *m)
{
    ConnInfo ci;
    if (nir_conn_info(b, c, m, &ci))
        return -1;
    Side from, to;
    if (resolve_side(b, c, m->src, TERM_OUT, &from) | resolve_side(b, c, m->dst, TERM_IN, &to))
        return -1;
    EvalCtx ec;
    nir_ev_init(&ec, b, c->scope);
    double p;
    if (nir_ev_number(&ec, m->rule_arg, &p))
        return -1;
    if (!(p >= 0 && p <= 1)) {
        diag_error(b->diag, m->rule_arg->loc, "probability must be between 0 and 1, not %g", p);
        return -1;
    }
    double expected = (double)c->mult * from.insts.n * to.insts.n * p * from.nterms * to.nterms;
    if (nir_check_memory(b, ci.loc, expected))
        return -1;
    GroupSet gs = {0};
    int rc = project(b, c, &ci, &from, &to, p, &gs);
    if (rc)
        diag_error(b->diag, ci.loc, "out of memory while connecting");
    else
        rc = nir_finish_groups(b, &ci, &gs);
    nir_groupset_free(&gs);
    return rc;
}

/* ---- proximity wiring ---------------------------------------------------------- */

/* Base weight of a synapse onto an input terminal, by label (reference §6.6). */
static double label_weight(const char *label)
{
    static const struct {
        const char *label;
        double w;
    } table[] = {
        {"trigger_in", 10},      {"trigger_a", 10},     {"trigger_b", 10},
        {"trigger_c", 10},       {"stimulus_in", 8},    {"fwd_sensory_in", 8},
        {"bwd_sensory_in", 8},   {"sensory_in", 8},     {"anterior_in", 5},
        {"posterior_in", 5},     {"command_in", 5},     {"drive_in", 5},
        {"inhibit_in", 5},       {"modulator_in", 3},   {"modulator_fwd_in", 3},
        {"modulator_bwd_in", 3}, {"modulator_a_in", 3}, {"modulator_b_in", 3},
        {"association_in", 3},   {"input_a", 5},        {"input_b", 5},
        {"sequence_a", 5},       {"sequence_b", 5},     {"sensory_a_in", 8},
        {"sensory_b_in", 8},     {"mossy_in", 8},       {"ec_in", 8},
        {"cortical_in", 8},      {"thalamic_in", 8},    {"gate_in", 6},
        {"error_in", 10},        {"reward_in", 10},     {"prediction_in", 5},
        {"dopamine_in", 6},      {"tonic_in", 5},       {"context_in", 8},
        {"clear_in", 10},        {"need_in", 5},        {"satisfy_in", 10},
    };
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
        if (strcmp(table[k].label, label) == 0)
            return table[k].w;
    return 5.0;
}

typedef struct Proximity {
    double max_distance, probability, weight_scale, inhibition_fraction;
    int type_aware;
    const char *const *exclude;
    int nexclude;
    const char *const *protect; /* "component.terminal": inputs that wiring leaves alone */
    int nprotect;
} Proximity;

/* A list of names, as long as the source's (the importer writes one hidden
 * terminal per modulator neuron into exclude_inputs). */
static int name_list(Builder *b, Expr *e, const char *what, const char *const **out, int *n)
{
    if (e->kind != EX_ARRAY) {
        diag_error(b->diag, e->loc, "%s takes a list of terminal names, e.g. [\"kill_in\"]", what);
        return -1;
    }
    int len = 0;
    for (Arg *a = e->args; a; a = a->next)
        len++;
    const char **list = ARENA_ARRAY(b->arena, const char *, len ? len : 1);
    *n = 0;
    for (Arg *a = e->args; a; a = a->next) {
        if (a->value->kind != EX_STR) {
            diag_error(b->diag, a->value->loc, "%s takes terminal names as strings", what);
            return -1;
        }
        list[(*n)++] = a->value->str;
    }
    *out = list;
    return 0;
}

static int proximity_args(Builder *b, Ctx *c, Member *m, Proximity *px)
{
    static const char *const names[] = {"max_distance",        "probability",           "weight_scale",
                                        "inhibition_fraction", "type_aware_inhibition", "exclude_inputs",
                                        "protected_triggers"};
    Expr *args[7];
    *px = (Proximity){20.0, 0.3, 1.0, 0.3, 0, control_inputs, 7, NULL, 0};
    if (nir_ev_bind_args(b, m->args, "proximity", names, 7, args))
        return -1;
    EvalCtx ec;
    nir_ev_init(&ec, b, c->scope);
    double *dst[4] = {&px->max_distance, &px->probability, &px->weight_scale, &px->inhibition_fraction};
    for (int k = 0; k < 4; k++)
        if (args[k] && nir_ev_number(&ec, args[k], dst[k]))
            return -1;
    double aware = 0;
    if (args[4] && nir_ev_number(&ec, args[4], &aware))
        return -1;
    px->type_aware = aware != 0;
    /* exclude_inputs = true: the control inputs (the default); false: none; or a list */
    if (args[5] && args[5]->kind == EX_BOOL)
        px->nexclude = args[5]->num != 0 ? 7 : 0;
    else if (args[5] && name_list(b, args[5], "exclude_inputs", &px->exclude, &px->nexclude))
        return -1;
    if (args[6] && name_list(b, args[6], "protected_triggers", &px->protect, &px->nprotect))
        return -1;
    if (!(px->probability >= 0 && px->probability <= 1)) {
        diag_error(b->diag, args[1]->loc, "probability must be between 0 and 1, not %g", px->probability);
        return -1;
    }
    return 0;
}

/* Every instance of the brain's component populations, in order. */
typedef struct Instances {
    uint32_t n;
    int *set;
    uint32_t *k;
    int64_t *cell;   /* 3 ints per instance: grid cell */
    uint32_t *order; /* instances sorted by cell */
} Instances;

static int cell_cmp3(const int64_t *a, const int64_t *b)
{
    for (int d = 0; d < 3; d++)
        if (a[d] != b[d])
            return a[d] < b[d] ? -1 : 1;
    return 0;
}

/* A sort record carrying its own key, so the comparator needs no context. */
typedef struct CellKey {
    int64_t cell[3];
    uint32_t inst;
} CellKey;

static int by_cell(const void *x, const void *y)
{
    const CellKey *a = x, *b = y;
    int c = cell_cmp3(a->cell, b->cell);
    return c ? c : (a->inst > b->inst) - (a->inst < b->inst);
}

static double inst_coord(Builder *b, const Instances *in, uint32_t i, int axis)
{
    return b->nir->sets[in->set[i]].anchor[axis][in->k[i]];
}

/* 0, or -1 when out of memory (in is then safe to free). */
static int instances_make(Builder *b, Instances *in, double cell)
{
    memset(in, 0, sizeof *in);
    for (int s = 0; s < b->nir->nsets; s++)
        if (b->nir->sets[s].parent < 0)
            in->n += b->nir->sets[s].count;
    in->set = malloc((in->n + 1) * sizeof *in->set);
    in->k = malloc((in->n + 1) * sizeof *in->k);
    in->cell = malloc((3 * (size_t)in->n + 1) * sizeof *in->cell);
    in->order = malloc((in->n + 1) * sizeof *in->order);
    if (!in->set || !in->k || !in->cell || !in->order)
        return -1;
    uint32_t i = 0;
    for (int s = 0; s < b->nir->nsets; s++)
        for (uint32_t k = 0; b->nir->sets[s].parent < 0 && k < b->nir->sets[s].count; k++, i++) {
            in->set[i] = s;
            in->k[i] = k;
            in->order[i] = i;
            for (int d = 0; d < 3; d++)
                in->cell[3 * i + d] = (int64_t)floor(inst_coord(b, in, i, d) / cell);
        }
    CellKey *keys = malloc((in->n + 1) * sizeof *keys);
    if (!keys)
        return -1;
    for (uint32_t j = 0; j < in->n; j++) {
        memcpy(keys[j].cell, &in->cell[3 * j], sizeof keys[j].cell);
        keys[j].inst = j;
    }
    qsort(keys, in->n, sizeof *keys, by_cell);
    for (uint32_t j = 0; j < in->n; j++)
        in->order[j] = keys[j].inst;
    free(keys);
    return 0;
}

static void instances_free(Instances *in)
{
    free(in->set);
    free(in->k);
    free(in->cell);
    free(in->order);
}

/* First position in `order` whose cell is >= key. */
static uint32_t lower_bound(const Instances *in, const int64_t *key)
{
    uint32_t lo = 0, hi = in->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cell_cmp3(&in->cell[3 * in->order[mid]], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int by_index(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Instances in the 27 cells around A, ascending by index. */
static uint32_t neighbours(const Instances *in, uint32_t a, uint32_t *out)
{
    uint32_t n = 0;
    for (int dx = -1; dx <= 1; dx++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dz = -1; dz <= 1; dz++) {
                int64_t key[3] = {in->cell[3 * a] + dx, in->cell[3 * a + 1] + dy, in->cell[3 * a + 2] + dz};
                for (uint32_t p = lower_bound(in, key);
                     p < in->n && cell_cmp3(&in->cell[3 * in->order[p]], key) == 0; p++)
                    out[n++] = in->order[p];
            }
    qsort(out, n, sizeof *out, by_index);
    return n;
}

/* Excluded inputs, and the protected triggers of the target's component
 * (given as "component.terminal"; reference §6.6). */
static int excluded(const Proximity *px, const char *component, const char *label)
{
    if (in_list(label, px->exclude, px->nexclude))
        return 1;
    size_t n = strlen(component);
    for (int k = 0; k < px->nprotect; k++)
        if (strncmp(px->protect[k], component, n) == 0 && px->protect[k][n] == '.' &&
            strcmp(px->protect[k] + n + 1, label) == 0)
            return 1;
    return 0;
}

/* Terminal pairs of one (A, B) pair of instances at distance dist. */
static int wire_pair(Builder *b, const Proximity *px, const Instances *in, uint32_t a, uint32_t z,
                     double dist, uint64_t stream, GroupSet *gs)
{
    const NirInstSet *sa = &b->nir->sets[in->set[a]], *sb = &b->nir->sets[in->set[z]];
    double p = px->probability * (1 - dist / px->max_distance);
    BrRng rng;
    br_rng_init(&rng, b->nir->seed, stream, (uint64_t)a * in->n + z);
    for (int i = 0; i < sa->nterms; i++) {
        const NirTerminal *o = &sa->terms[i];
        for (int j = 0; o->dir == TERM_OUT && j < sb->nterms; j++) {
            const NirTerminal *q = &sb->terms[j];
            if (q->dir != TERM_IN || excluded(px, sb->component, q->name) || !o->n || !q->n)
                continue;
            if (!(br_rng_uniform(&rng) < p))
                continue;
            uint32_t s = br_rng_below(&rng, o->n), t = br_rng_below(&rng, q->n);
            int negative = px->type_aware ? strcmp(sa->component, sb->component) == 0
                                          : br_rng_uniform(&rng) < px->inhibition_fraction;
            uint32_t pp = o->pop[s], qp = q->pop[t];
            uint32_t pi = in->k[a] * nir_div(b->nir->pops[pp].size, sa->count) + o->offset[s];
            uint32_t qi = in->k[z] * nir_div(b->nir->pops[qp].size, sb->count) + q->offset[t];
            GroupBuild *g = nir_groupset_get(gs, pp, qp);
            if (g->edges.n >= g->wcap) {
                g->wcap = g->wcap < 1024 ? 1024 : g->wcap + g->wcap / 2;
                float *w = realloc(g->w, g->wcap * sizeof *w);
                if (!w)
                    return -1;
                g->w = w;
            }
            g->w[g->edges.n] = (float)(label_weight(q->name) * px->weight_scale * (negative ? -1 : 1));
            if (nir_edges_append(&g->edges, pi, qi))
                return -1;
        }
    }
    return 0;
}

static int wire_all(Builder *b, const Proximity *px, const char *conn, GroupSet *gs)
{
    if (!(px->max_distance > 0))
        return 0;
    Instances in;
    uint32_t *near = NULL;
    if (instances_make(b, &in, px->max_distance) || !(near = malloc((in.n + 1) * sizeof *near))) {
        instances_free(&in);
        return -1; /* the caller reports running out of memory */
    }
    uint64_t stream = nir_stream(conn, "proximity", 0);
    int rc = 0;
    for (uint32_t a = 0; a < in.n && rc == 0; a++) {
        uint32_t n = neighbours(&in, a, near);
        for (uint32_t k = 0; k < n && rc == 0; k++) {
            uint32_t z = near[k];
            double d2 = 0;
            for (int axis = 0; axis < 3; axis++) {
                double d = inst_coord(b, &in, a, axis) - inst_coord(b, &in, z, axis);
                d2 += d * d;
            }
            if (z != a && sqrt(d2) <= px->max_distance)
                rc = wire_pair(b, px, &in, a, z, sqrt(d2), stream, gs);
        }
    }
    free(near);
    instances_free(&in);
    return rc;
}

void nir_build_proximity(Builder *b, Ctx *c, Member *m)
{
    if (strcmp(m->model, "proximity") != 0) {
        diag_error(b->diag, m->model_loc, "unknown wiring `%s`; the only one is `proximity`", m->model);
        return;
    }
    Proximity px;
    if (proximity_args(b, c, m, &px))
        return;
    ConnInfo ci = {0};
    ci.model_decl = nir_find_decl_kind(b, "fixed", D_SYNAPSE);
    if (!ci.model_decl) {
        diag_error(b->diag, m->loc,
                   "`wire proximity` makes `fixed` synapses, but the program declares no synapse `fixed`");
        diag_note(b->diag, loc_none(), "declare one, e.g. `synapse fixed { state w; on pre { deliver w } }`");
        return;
    }
    ci.model = nir_synapse_model(b, ci.model_decl);
    const NirSynapseModel *fixed = &b->nir->syn_models[ci.model];
    if (nir_syn_state(fixed, "w") < 0 && nir_syn_param(fixed, "w") < 0) {
        diag_error(b->diag, m->loc,
                   "`wire proximity` sets the weight `w` of synapse `fixed`, which has no `w`");
        return;
    }
    ci.conn = nir_unique_conn_name(b, "proximity");
    ci.loc = m->loc;
    ci.origin = NIR_ORIGIN_PROXIMITY;
    ci.scope = c->scope;
    ci.weight_var = "w";
    GroupSet gs = {0};
    if (wire_all(b, &px, ci.conn, &gs))
        diag_error(b->diag, m->loc, "out of memory while wiring");
    else
        nir_finish_groups(b, &ci, &gs);
    nir_groupset_free(&gs);
}
