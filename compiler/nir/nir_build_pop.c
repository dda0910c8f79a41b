/* nir_build_pop.c - pass 1 of elaboration: bodies. Walks the brain and,
 * recursively, every component population, creating flattened neuron
 * populations (parameters, initial states, positions) and instance sets
 * (anchors, a body per set). Instances of the brain are placed on the
 * inner-models-v8 grid (reference §6.2); `at` overrides, and positions
 * inside a component add to its instance's anchor. */
#include "nir_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- bodies and their members ---------------------------------------- */

static void add_items(Builder *b, Ctx *c, Member *members, int layer, int in_layer, int *cap)
{
    for (Member *m = members; m; m = m->next) {
        if (m->kind == M_LAYER) {
            EvalCtx ec;
            nir_ev_init(&ec, b, c->scope);
            int64_t L = 0;
            if (nir_ev_integer(&ec, m->expr, "layer", -1e6, 1e6, &L) == 0)
                add_items(b, c, m->members, (int)L, 1, cap);
            continue;
        }
        Item *it = NIR_PUSH(c->items, c->nitems, *cap);
        it->m = m;
        it->layer = layer;
        it->in_layer = in_layer;
    }
}

static Ctx *new_ctx(Builder *b, Decl *d, const char *prefix, Scope *scope, uint32_t mult, int set,
                    Ctx *parent)
{
    Ctx *c = ARENA_NEW(&b->tmp, Ctx);
    c->decl = d;
    c->prefix = prefix;
    c->scope = scope;
    c->mult = mult;
    c->set = set;
    c->parent = parent;
    c->depth = parent ? parent->depth + 1 : 0;
    if (parent) {
        Ctx **tail = &parent->first_child;
        while (*tail)
            tail = &(*tail)->next_sibling;
        *tail = c;
    }
    int cap = 0;
    Item *items = NULL;
    c->items = NULL;
    add_items(b, c, d->members, 0, 0, &cap);
    items = ARENA_ARRAY(&b->tmp, Item, c->nitems ? c->nitems : 1);
    if (c->nitems)
        memcpy(items, c->items, sizeof *items * (size_t)c->nitems);
    free(c->items);
    c->items = items;
    return c;
}

static int declare_local(Builder *b, Ctx *c, Member *m, LocalKind kind, int id)
{
    Local *l;
    if (nir_find_local(c, m->name, &l)) {
        diag_error(b->diag, m->name_loc, "`%s` is declared twice in `%s`", m->name, c->decl->name);
        return -1;
    }
    l = ARENA_NEW(&b->tmp, Local);
    l->name = m->name;
    l->kind = kind;
    l->id = id;
    l->next = c->locals;
    c->locals = l;
    return 0;
}

/* Counts are evaluated once, before placement needs their total. */
static void eval_counts(Builder *b, Ctx *c)
{
    for (int k = 0; k < c->nitems; k++) {
        Item *it = &c->items[k];
        if (it->m->kind != M_POP)
            continue;
        it->count = 1;
        it->count_ok = 1;
        if (it->m->expr) {
            EvalCtx ec;
            nir_ev_init(&ec, b, c->scope);
            it->count_ok =
                nir_ev_integer(&ec, it->m->expr, "population count", 0, UINT32_MAX, &it->count) == 0;
        }
        uint64_t total = (uint64_t)it->count * c->mult;
        uint64_t cap = b->opt->max_neurons;
        if (it->count_ok && cap && total > cap) {
            diag_error(b->diag, it->m->expr ? it->m->expr->loc : it->m->loc,
                       "`%s%s` would have %llu elements, more than the limit of %llu", c->prefix,
                       it->m->name, (unsigned long long)total, (unsigned long long)cap);
            it->count_ok = 0;
        } else if (it->count_ok && total > UINT32_MAX) {
            diag_error(b->diag, it->m->expr ? it->m->expr->loc : it->m->loc,
                       "`%s%s` would have %llu elements in all (%lld x %u instances), more than 2^32 - 1",
                       c->prefix, it->m->name, (unsigned long long)total, (long long)it->count, c->mult);
            it->count_ok = 0;
        }
    }
}

/* ---- neuron populations ------------------------------------------------ */

/* Coordinate `axis` of `at (x, y, z)`, or NULL. */
static Expr *at_coord(Member *m, int axis) { return m->pos[axis]; }

/* Model argument k: positional args go to parameters in order. */
static int model_args(Builder *b, Decl *d, Member *m, const char **names, int nnames, Expr **vals)
{
    return nir_ev_bind_args(b, m->args, d->name, names, nnames, vals);
}

/* One parameter or state of every neuron: the argument (caller's scope, with
 * `i`), else the default (the model's scope: earlier params and states). */
static int pop_value(Builder *b, Ctx *c, NirPop *p, const char *var, Expr *arg, Expr *def, EvalCtx *model_ctx,
                     NirValues *out, Loc need_loc, const char *model)
{
    if (!arg && !def) {
        diag_error(b->diag, need_loc, "`%s` needs a value for parameter `%s`", model, var);
        return -1;
    }
    if (arg) {
        EvalCtx ec;
        nir_ev_init(&ec, b, c->scope);
        ec.index_name = "i";
        ec.index_mod = p->per_instance;
        ec.array_len = p->per_instance;
        ec.allow_dist = 1;
        ec.key = p->path;
        ec.purpose = var;
        int rc = nir_ev_values(&ec, arg, p->size, out);
        nir_ev_done(&ec);
        return rc;
    }
    model_ctx->purpose = var;
    int rc = nir_ev_values(model_ctx, def, p->size, out);
    if (rc == 0)
        nir_ev_bind(model_ctx, var, out);
    return rc;
}

static int pop_values(Builder *b, Ctx *c, Decl *d, Member *m, NirPop *p, const NirNeuronModel *nm)
{
    int nvars = nm->nparams + nm->nstates;
    const char **names = calloc((size_t)nvars + 1, sizeof *names);
    Expr **args = calloc((size_t)nvars + 1, sizeof *args), **defs = calloc((size_t)nvars + 1, sizeof *defs);
    for (int k = 0; k < nm->nparams; k++)
        names[k] = nm->params[k];
    for (int k = 0; k < nm->nstates; k++)
        names[nm->nparams + k] = nm->states[k];
    int k = 0;
    for (VarDecl *v = d->params; v; v = v->next)
        defs[k++] = v->value;
    for (Member *mm = d->members; mm; mm = mm->next)
        for (VarDecl *v = mm->kind == M_STATE ? mm->vars : NULL; v; v = v->next)
            defs[k++] = v->value ? v->value : ast_num(&b->tmp, v->loc, 0);
    p->params = calloc((size_t)nm->nparams + 1, sizeof *p->params);
    p->state = calloc((size_t)nm->nstates + 1, sizeof *p->state);
    int rc = model_args(b, d, m, names, nvars, args);
    EvalCtx mc;
    nir_ev_init(&mc, b, NULL);
    mc.index_name = "i";
    mc.index_mod = p->per_instance;
    mc.allow_dist = 1;
    mc.key = p->path;
    for (k = 0; k < nvars && rc == 0; k++) {
        NirValues *out = k < nm->nparams ? &p->params[k] : &p->state[k - nm->nparams];
        rc = pop_value(b, c, p, names[k], args[k], defs[k], &mc, out, m->model_loc, d->name);
        nir_ev_bind(&mc, names[k], out);
    }
    nir_ev_done(&mc);
    free(names);
    free(args);
    free(defs);
    return rc;
}

/* Anchor of instance j of the body c (0 for the brain). */
static double anchor(Builder *b, Ctx *c, int axis, uint64_t j)
{
    if (c->set < 0)
        return 0;
    const double *a = b->nir->sets[c->set].anchor[axis];
    return a ? a[j] : 0;
}

/* Positions: the body's instance anchor plus `at (x, y, z)` of `i`, plus
 * the layer's z offset for brain-level populations in a layer. */
/* Coordinate `axis` of `at (x, y, z)` for n elements: an expression of the
 * index i within each group of `per`, drawn per element under key. */
static int eval_coord(Builder *b, Ctx *c, Member *m, int axis, uint32_t per, const char *key, uint64_t n,
                      NirValues *out)
{
    EvalCtx ec;
    nir_ev_init(&ec, b, c->scope);
    ec.index_name = "i";
    ec.index_mod = per;
    ec.array_len = per;
    ec.allow_dist = 1;
    ec.key = key;
    ec.purpose = axis == 0 ? "x" : axis == 1 ? "y" : "z";
    int rc = nir_ev_values(&ec, at_coord(m, axis), n, out);
    nir_ev_done(&ec);
    return rc;
}

static int pop_positions(Builder *b, Ctx *c, Member *m, NirPop *p, double layer_z)
{
    for (int axis = 0; axis < 3; axis++) {
        NirValues *out = &p->pos[axis];
        out->value = 0;
        if (at_coord(m, axis)) {
            int rc = eval_coord(b, c, m, axis, p->per_instance, p->path, p->size, out);
            if (rc)
                return -1;
        }
        double shift = axis == 2 ? layer_z : 0;
        out->value += shift;
        if (out->array)
            for (uint32_t k = 0; k < p->size; k++)
                out->array[k] += shift;
        if (c->set < 0 || p->size == 0)
            continue;
        if (!out->array) {
            out->array = malloc(p->size * sizeof *out->array);
            if (!out->array)
                return -1;
            for (uint32_t k = 0; k < p->size; k++)
                out->array[k] = out->value;
            b->nir->bytes += p->size * sizeof *out->array;
        }
        for (uint32_t k = 0; k < p->size; k++)
            out->array[k] += anchor(b, c, axis, k / p->per_instance);
    }
    return 0;
}

static void make_pop(Builder *b, Ctx *c, Item *it, Decl *d)
{
    Member *m = it->m;
    int model = nir_neuron_model(b, d);
    if (nir_failed(b))
        return;
    NirPop p = {0};
    p.path = arena_printf(b->arena, "%s%s", c->prefix, m->name);
    p.name = nir_str(b, m->name);
    p.loc = m->name_loc;
    p.model = model;
    p.per_instance = (uint32_t)it->count;
    p.instances = c->mult;
    p.size = p.per_instance * c->mult;
    p.inst = c->set;
    const NirNeuronModel *nm = &b->nir->neuron_models[model];
    int rc = pop_values(b, c, d, m, &p, nm);
    if (rc == 0)
        rc = pop_positions(b, c, m, &p, it->in_layer && c->set < 0 ? it->layer * b->layer_spacing : 0);
    Nir *nir = b->nir;
    int id = nir->npops;
    *NIR_PUSH(nir->pops, nir->npops, b->cappops) = p;
    declare_local(b, c, m, rc ? LOCAL_POISON : LOCAL_POP, id);
}

/* ---- component instances ------------------------------------------------- */

/* Parameters of a component: arguments in the caller's scope, defaults in
 * the component's own (earlier parameters). One value for all instances. */
static Scope *component_scope(Builder *b, Ctx *c, Member *m, Decl *d)
{
    int n = 0;
    for (VarDecl *v = d->params; v; v = v->next)
        n++;
    const char **names = calloc((size_t)n + 1, sizeof *names);
    Expr **args = calloc((size_t)n + 1, sizeof *args);
    n = 0;
    for (VarDecl *v = d->params; v; v = v->next)
        names[n++] = v->name;
    Scope *s = nir_scope_new(b, NULL);
    if (nir_ev_bind_args(b, m->args, d->name, names, n, args) == 0) {
        int k = 0;
        for (VarDecl *v = d->params; v; v = v->next, k++) {
            EvalCtx ec;
            nir_ev_init(&ec, b, args[k] ? c->scope : s);
            double x = 0;
            if (args[k] || v->value)
                nir_ev_number(&ec, args[k] ? args[k] : v->value, &x);
            else
                diag_error(b->diag, m->model_loc, "component `%s` needs a value for parameter `%s`", d->name,
                           v->name);
            nir_scope_set(b, s, v->name, x);
        }
    }
    free(names);
    free(args);
    return s;
}

/* inner-models-v8 §6.2: outside layers instances fill rows of `cols` by
 * their global index; in layer L the copy index k runs along z. */
static void grid_anchor(Builder *b, const Item *it, uint64_t k, double *xyz)
{
    uint64_t cols = b->grid_cols ? b->grid_cols : 1, idx = b->grid_idx++;
    xyz[1] = 0;
    if (it->in_layer) {
        xyz[0] = (double)(k / cols) * b->spacing;
        xyz[2] = it->layer * b->layer_spacing + (double)(k % cols) * b->spacing;
    } else {
        xyz[0] = (double)(idx % cols) * b->spacing;
        xyz[2] = (double)(idx / cols) * b->spacing;
    }
}

/* Anchors of every instance: parent anchor + (grid slot or `at (...)`). */
static int set_anchors(Builder *b, Ctx *c, Item *it, NirInstSet *s)
{
    Member *m = it->m;
    NirValues local[3] = {{0, NULL}, {0, NULL}, {0, NULL}};
    int rc = 0;
    for (int axis = 0; axis < 3 && rc == 0; axis++) {
        if (!at_coord(m, axis))
            continue;
        rc = eval_coord(b, c, m, axis, s->per_parent, s->path, s->count, &local[axis]);
    }
    int grid = c->set < 0 && !m->pos[0] && !m->pos[1] && !m->pos[2];
    for (int axis = 0; axis < 3 && rc == 0; axis++) {
        s->anchor[axis] = malloc((s->count ? s->count : 1) * sizeof(double));
        if (!s->anchor[axis])
            rc = -1;
    }
    for (uint64_t j = 0; j < s->count && rc == 0; j++) {
        double g[3] = {0, 0, 0};
        if (grid)
            grid_anchor(b, it, j % s->per_parent, g);
        for (int axis = 0; axis < 3; axis++)
            s->anchor[axis][j] =
                anchor(b, c, axis, j / s->per_parent) + g[axis] + nir_value_at(&local[axis], j);
    }
    if (!grid && c->set < 0)
        b->grid_idx += s->count; /* placed by hand, but still takes its grid slots */
    for (int axis = 0; axis < 3; axis++)
        free(local[axis].array);
    b->nir->bytes += 3 * (size_t)s->count * sizeof(double);
    return rc;
}

static int on_ancestor_chain(Ctx *c, Decl *d)
{
    for (; c; c = c->parent)
        if (c->decl == d)
            return 1;
    return 0;
}

static void build_body(Builder *b, Ctx *c);

static void make_set(Builder *b, Ctx *c, Item *it, Decl *d)
{
    Member *m = it->m;
    if (on_ancestor_chain(c, d) || c->depth >= NIR_MAX_DEPTH) {
        diag_error(b->diag, m->model_loc, "component `%s` contains itself", d->name);
        declare_local(b, c, m, LOCAL_POISON, -1);
        return;
    }
    Nir *nir = b->nir;
    NirInstSet s = {0};
    s.path = arena_printf(b->arena, "%s%s", c->prefix, m->name);
    s.component = nir_str(b, d->name);
    s.loc = m->name_loc;
    s.parent = c->set;
    s.per_parent = (uint32_t)it->count;
    s.count = s.per_parent * c->mult;
    s.layer = it->in_layer ? it->layer : (c->set >= 0 ? nir->sets[c->set].layer : 0);
    Scope *scope = component_scope(b, c, m, d);
    int rc = set_anchors(b, c, it, &s);
    int id = nir->nsets;
    *NIR_PUSH(nir->sets, nir->nsets, b->capsets) = s;
    if (rc || declare_local(b, c, m, LOCAL_SET, id))
        return;
    int n = id;
    Ctx *child = new_ctx(b, d, arena_printf(&b->tmp, "%s.", s.path), scope, s.count, id, c);
    *NIR_PUSH(b->set_ctx, n, b->capsetctx) = child;
    build_body(b, child);
}

static void make_member_pop(Builder *b, Ctx *c, Item *it)
{
    Member *m = it->m;
    if (!it->count_ok) {
        declare_local(b, c, m, LOCAL_POISON, -1);
        return;
    }
    Decl *d = program_find_decl(b->prog, m->model);
    if (d && d->kind == D_NEURON)
        make_pop(b, c, it, d);
    else if (d && d->kind == D_COMPONENT)
        make_set(b, c, it, d);
    else {
        diag_error(b->diag, m->model_loc, "`%s` is not a neuron model or a component", m->model);
        declare_local(b, c, m, LOCAL_POISON, -1);
    }
}

static void build_body(Builder *b, Ctx *c)
{
    eval_counts(b, c);
    for (int k = 0; k < c->nitems; k++)
        if (c->items[k].m->kind == M_POP)
            make_member_pop(b, c, &c->items[k]);
}

/* Grid columns come from the total number of brain-level instances. */
static void plan_grid(Builder *b, Ctx *root)
{
    uint64_t total = 0;
    for (int k = 0; k < root->nitems; k++) {
        Item *it = &root->items[k];
        if (it->m->kind != M_POP || !it->count_ok)
            continue;
        Decl *d = program_find_decl(b->prog, it->m->model);
        if (d && d->kind == D_COMPONENT)
            total += (uint64_t)it->count;
    }
    b->grid_cols = (uint64_t)ceil(sqrt((double)total));
    while (b->grid_cols * b->grid_cols < total)
        b->grid_cols++;
    b->grid_idx = 0;
}

Ctx *nir_build_bodies(Builder *b, Decl *brain, Scope *params)
{
    Ctx *root = new_ctx(b, brain, "", params, 1, -1, NULL);
    eval_counts(b, root);
    plan_grid(b, root);
    for (int k = 0; k < root->nitems; k++)
        if (root->items[k].m->kind == M_POP)
            make_member_pop(b, root, &root->items[k]);
    return root;
}
