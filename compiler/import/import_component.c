/* import_component.c - components: reading a component's nodes, terminals
 * and paths, merging nodes into populations (classes), paths into connects
 * (imp_emit_paths), writing `component NAME { ... }` (imp_emit_component), and
 * importing a component file on its own (import_component_file). */
#include "import/import_internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- components ------------------------------------------------------------ */

static int node_index(const Comp *c, long id)
{
    for (int k = 0; k < c->nnodes; k++)
        if (c->nodes[k].id == id) return k;
    return -1;
}

/* Node k as a selection: `rs[2]`, or `rs` for a one-neuron population. */
const char *imp_node_sel(char buf[48], const Comp *c, int k)
{
    const Class *cl = &c->cls[c->nodes[k].cls];
    if (cl->n == 1)
        snprintf(buf, 48, "%s", cl->name);
    else
        snprintf(buf, 48, "%s[%d]", cl->name, c->nodes[k].pos);
    return buf;
}

static int same_values(const Node *x, const Node *y)
{
    return strcmp(x->type, y->type) == 0 && x->a == y->a && x->b == y->b && x->c == y->c &&
           x->d == y->d && x->v == y->v && x->u == y->u;
}

/* Merges the nodes into classes (populations) of equal type and values, in
 * order of first appearance, named by the type in lower case (`ch`, then
 * `ch_2`, ... for CH nodes with other values). */
static void make_classes(Imp *im, Comp *c)
{
    c->cls = ARENA_ARRAY(&im->arena, Class, c->nnodes);
    c->ncls = 0;
    for (int k = 0; k < c->nnodes; k++) {
        Node *n = &c->nodes[k];
        int q = 0;
        while (q < c->ncls && !same_values(c->cls[q].first, n))
            q++;
        if (q == c->ncls) {
            Class *cl = &c->cls[c->ncls++];
            cl->first = n;
            cl->nodes = ARENA_ARRAY(&im->arena, int, c->nnodes);
            int same_type = 0;
            for (int r = 0; r < q; r++)
                same_type += strcmp(c->cls[r].first->type, n->type) == 0;
            char low[8];
            size_t j = 0;
            for (; n->type[j] && j < sizeof low - 1; j++)
                low[j] = (char)(n->type[j] - 'A' + 'a');
            low[j] = 0;
            cl->name = same_type ? arena_printf(&im->arena, "%s_%d", low, same_type + 1)
                                 : arena_strdup(&im->arena, low);
        }
        n->cls = q;
        n->pos = c->cls[q].n;
        c->cls[q].nodes[c->cls[q].n++] = k;
    }
}

/* The selection `cl[i, j, ...]` of the given nodes (all of one class), or
 * `cl` when they are the whole class in order. */
static void put_list(Buf *o, const Comp *c, const int *nodes, int n)
{
    const Class *cl = &c->cls[c->nodes[nodes[0]].cls];
    int whole = n == cl->n;
    for (int k = 0; whole && k < n; k++)
        whole = c->nodes[nodes[k]].pos == k;
    if (whole) {
        imp_bput(o, "%s", cl->name);
        return;
    }
    imp_bput(o, "%s[", cl->name);
    for (int k = 0; k < n; k++)
        imp_bput(o, "%s%d", k ? ", " : "", c->nodes[nodes[k]].pos);
    imp_bput(o, "]");
}

/* The synapse of a path or projection as written: the model and its
 * arguments; developmental with the pruning parameters of the first one
 * (im->dev), gated with a modulator group as gated_modulated. */
char *imp_syn_text(Imp *im, int type, const char *args, const SynExtra *x, int modulated)
{
    Buf b = {0};
    char nb[40];
    if (type == SYN_GAP) {
        imp_bput(&b, "gap_junction(%s)", args);
    } else if (type == SYN_GATED && modulated) {
        imp_bput(&b, "gated_modulated(%s, n_modulators = %zu)", args, json_array_size(x->group));
    } else {
        imp_bput(&b, "%s(%s", imp_syn_types[type].name, args);
        for (int q = 0; type == SYN_DEV && q < 4; q++)
            imp_bput(&b, ", %s = %s", imp_prune_keys[q], imp_num(nb, im->dev[q]));
        imp_bput(&b, ")");
    }
    char *r = arena_strdup(&im->arena, b.p ? b.p : "");
    free(b.p);
    return r;
}

/* Gives class q of c the modulator group g: 0 when it had none or an equal
 * one, else (warned) -1: one `modulation` state per neuron holds one group. */
int imp_class_group(Imp *im, Comp *c, int q, json_t *g, const Src *s, const json_t *where_)
{
    Class *cl = &c->cls[q];
    if (!cl->target) cl->target = ARENA_ARRAY(&im->arena, char, c->nnodes);
    if (!cl->group || json_equal(cl->group, g)) {
        if (!cl->group) cl->gsrc = s;
        cl->group = g;
        return 0;
    }
    imp_warn_key(im, s, where_, "modulator_group",
                 "population `%s` of `%s` already has another modulator group; this gated synapse "
                 "is imported as "
                 "`gated` (its gate stays closed: no learning)",
                 cl->name, c->json_name);
    return -1;
}

/* Paths of one kind between the same two populations as one connect:
 * `connect rs[0, 1] -> ch[0, 0] : fixed(w = 9) one_to_one delay 1`. */
void imp_emit_paths(Imp *im, Comp *c)
{
    if (c->emitted) return;
    c->emitted = 1;
    int *src = ARENA_ARRAY(&im->arena, int, c->npaths + 1),
        *dst = ARENA_ARRAY(&im->arena, int, c->npaths + 1);
    for (int k = 0; k < c->npaths; k++) {
        PathRec *p = &c->paths[k];
        int modulated = 0;
        if (p->type == SYN_DEV) imp_dev_warn(im, c->src, p->j, &p->x);
        if (p->type == SYN_GATED && p->x.group) {
            int q = c->nodes[p->ti].cls;
            modulated = imp_class_group(im, c, q, p->x.group, c->src, p->x.params) == 0;
            if (modulated) c->cls[q].target[p->ti] = 1;
        }
        p->syn = imp_syn_text(im, p->type, p->args, &p->x, modulated);
    }
    for (int k = 0; k < c->npaths; k++) {
        PathRec *p = &c->paths[k];
        if (p->done) continue;
        int n = 0;
        for (int q = k; q < c->npaths; q++) {
            PathRec *r = &c->paths[q];
            if (r->done || r->delay != p->delay || strcmp(r->syn, p->syn) != 0 ||
                c->nodes[r->si].cls != c->nodes[p->si].cls ||
                c->nodes[r->ti].cls != c->nodes[p->ti].cls)
                continue;
            r->done = 1;
            src[n] = r->si;
            dst[n++] = r->ti;
        }
        imp_bput(&c->body, "  connect ");
        put_list(&c->body, c, src, n);
        imp_bput(&c->body, " -> ");
        put_list(&c->body, c, dst, n);
        imp_bput(&c->body, " : %s", p->syn);
        if (n > 1) imp_bput(&c->body, " one_to_one");
        if (p->delay) imp_bput(&c->body, " delay %ld", p->delay);
        imp_bput(&c->body, "\n");
    }
}

static int read_node(Imp *im, Src *s, Comp *c, json_t *arr, size_t i, Node *n)
{
    json_t *j = json_array_get(arr, i);
    if (!json_is_object(j)) {
        imp_err_at(im, s, arr, NULL, i, "node %zu must be an object", i);
        return -1;
    }
    static const char *const known[] = {"id",     "type",  "x",    "z", "params",
                                        "sensor", "label", "name", NULL};
    imp_check_keys(im, s, j, known, "a node");
    const char *type;
    int rc = 0;
    n->j = j;
    if (imp_get_int(im, s, j, "id", REQ, 0, &n->id, "a node") < 0)
        rc = -1;
    else if (n->id < 0) {
        imp_err_at(im, s, j, "id", 0, "node id must not be negative, not %ld", n->id);
        rc = -1;
    }
    if (imp_get_str(im, s, j, "type", REQ, &type, "a node") < 0) return -1;
    const NeuronType *nt = NULL;
    for (size_t k = 0; k < sizeof imp_neuron_types / sizeof imp_neuron_types[0]; k++)
        if (strcmp(imp_neuron_types[k].name, type) == 0) nt = &imp_neuron_types[k];
    if (!nt) {
        imp_err_at(im, s, j, "type", 0, "unknown neuron type `%s` (known: RS, FS, IB, CH, LTS)",
                   type);
        return -1;
    }
    n->type = nt->name;
    n->a = nt->a;
    n->b = nt->b;
    n->c = nt->c;
    n->d = nt->d;
    n->v = -65;
    n->u = nt->b * -65; /* the type's b, before any override (§2.2) */
    if (imp_get_num(im, s, j, "x", OPT, 0, &n->x, "a node") < 0 ||
        imp_get_num(im, s, j, "z", OPT, 0, &n->z, "a node") < 0)
        rc = -1;
    json_t *p = json_object_get(j, "params");
    if (p && !json_is_object(p)) {
        imp_err_at(im, s, j, "params", 0, "`params` of a node must be an object");
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(p, k, v)
    {
        double *dst = strcmp(k, "a") == 0   ? &n->a
                      : strcmp(k, "b") == 0 ? &n->b
                      : strcmp(k, "c") == 0 ? &n->c
                      : strcmp(k, "d") == 0 ? &n->d
                      : strcmp(k, "v") == 0 ? &n->v
                      : strcmp(k, "u") == 0 ? &n->u
                                            : NULL;
        if (!dst) {
            if (!imp_is_comment_key(k))
                imp_warn_key(im, s, p, k,
                             "node parameter `%s` is not imported (only a, b, c, d, v, u are)", k);
            continue;
        }
        if (!json_is_number(v)) {
            imp_err_at(im, s, p, k, 0, "node parameter `%s` must be a number", k);
            rc = -1;
            continue;
        }
        *dst = json_number_value(v);
        n->set_v |= dst == &n->v;
        n->set_u |= dst == &n->u;
        n->set_b |= dst == &n->b;
        n->set |= dst == &n->a   ? 1u
                  : dst == &n->b ? 2u
                  : dst == &n->c ? 4u
                  : dst == &n->d ? 8u
                                 : 0u;
    }
    (void)c;
    return rc;
}

static int read_terminal(Imp *im, Src *s, Comp *c, json_t *arr, size_t i, Term *t)
{
    json_t *j = json_array_get(arr, i);
    if (!json_is_object(j)) {
        imp_err_at(im, s, arr, NULL, i, "terminal %zu must be an object", i);
        return -1;
    }
    static const char *const known[] = {"id", "bind_type", "neuron_ids", "label", NULL};
    imp_check_keys(im, s, j, known, "a terminal");
    long id;
    const char *bind, *label;
    if (imp_get_int(im, s, j, "id", REQ, 0, &id, "a terminal") < 0 ||
        imp_get_str(im, s, j, "bind_type", REQ, &bind, "a terminal") < 0 ||
        imp_get_str(im, s, j, "label", OPT, &label, "a terminal") < 0)
        return -1;
    if (strcmp(bind, "input") != 0 && strcmp(bind, "output") != 0) {
        imp_err_at(im, s, j, "bind_type", 0,
                   "`bind_type` must be \"input\" or \"output\", not \"%s\"", bind);
        return -1;
    }
    t->out = bind[0] == 'o';
    t->label = label ? label : arena_printf(&im->arena, "%ld", id);
    t->name = imp_identifier(&im->arena, t->label, "t");
    json_t *ids = json_object_get(j, "neuron_ids");
    if (!ids) {
        imp_err_at(im, s, j, NULL, 0, "a terminal has no `neuron_ids` (required)");
        return -1;
    }
    if (!json_is_array(ids) || json_array_size(ids) == 0) {
        imp_err_at(im, s, j, "neuron_ids", 0, "`neuron_ids` must be a non-empty list of node ids");
        return -1;
    }
    t->n = (int)json_array_size(ids);
    t->nodes = ARENA_ARRAY(&im->arena, int, t->n);
    for (int k = 0; k < t->n; k++) {
        json_t *v = json_array_get(ids, (size_t)k);
        int idx = json_is_integer(v) ? node_index(c, (long)json_integer_value(v)) : -1;
        if (idx < 0) {
            imp_err_at(im, s, ids, NULL, (size_t)k, "terminal `%s` names %s", t->label,
                       json_is_integer(v) ? "a node id that does not exist"
                                          : "something that is not a node id");
            return -1;
        }
        t->nodes[k] = idx;
    }
    return 0;
}

static int read_path(Imp *im, Src *s, Comp *c, json_t *arr, size_t i)
{
    json_t *j = json_array_get(arr, i);
    if (!json_is_object(j)) {
        imp_err_at(im, s, arr, NULL, i, "path %zu must be an object", i);
        return -1;
    }
    static const char *const known[] = {"source", "target", "synapse_type", "weight", "delay",
                                        "params", NULL};
    imp_check_keys(im, s, j, known, "a path");
    long src, tgt, delay;
    double w;
    const char *type;
    if (imp_get_int(im, s, j, "source", REQ, 0, &src, "a path") < 0 ||
        imp_get_int(im, s, j, "target", REQ, 0, &tgt, "a path") < 0 ||
        imp_get_str(im, s, j, "synapse_type", REQ, &type, "a path") < 0 ||
        imp_get_num(im, s, j, "weight", REQ, 0, &w, "a path") < 0 ||
        imp_get_int(im, s, j, "delay", REQ, 0, &delay, "a path") < 0)
        return -1;
    int si = node_index(c, src), ti = node_index(c, tgt);
    if (si < 0 || ti < 0) {
        imp_err_at(im, s, j, si < 0 ? "source" : "target", 0, "path %s %ld is not a node of `%s`",
                   si < 0 ? "source" : "target", si < 0 ? src : tgt, c->json_name);
        return -1;
    }
    int st = imp_syn_type(im, s, j, type);
    if (st < 0)
        return -1;
    if (delay < 0) {
        imp_err_at(im, s, j, "delay", 0, "delay must not be negative, not %ld", delay);
        return -1;
    }
    Buf args = {0};
    PathRec *pr = &c->paths[c->npaths];
    int rc = imp_synapse_params(im, s, j, st, w, &args, &pr->x);
    char nb[40];
    pr->si = si;
    pr->ti = ti;
    pr->type = st;
    pr->j = j;
    if (rc == 0 && st == SYN_GAP) {
        pr->args = arena_strdup(&im->arena, args.n ? args.p + 2 : "");
        c->npaths++;
    } else if (rc == 0) {
        if (delay == 0) {
            imp_warn_key(im, s, j, "delay",
                         "a chemical synapse with delay 0 arrives only after the whole delay ring "
                         "in the reference "
                         "(§4.3 quirk); imported with delay 1");
            delay = 1;
        }
        pr->args = arena_printf(&im->arena, "w = %s%s", imp_num(nb, w), args.n ? args.p : "");
        pr->delay = delay;
        c->npaths++;
    }
    free(args.p);
    return rc;
}

int imp_read_component(Imp *im, Src *s, Comp *c, const char *stem)
{
    json_t *root = s->root;
    static const char *const known[] = {"name", "description", "nodes", "paths", "terminals", NULL};
    imp_check_keys(im, s, root, known, "a component");
    if (imp_get_str(im, s, root, "name", OPT, &c->json_name, "the component") < 0 ||
        imp_get_str(im, s, root, "description", OPT, &c->desc, "the component") < 0)
        return -1;
    if (!c->json_name) c->json_name = stem;
    c->name = imp_identifier(&im->arena, c->json_name, "c_");
    c->src = s;
    json_t *nodes = json_object_get(root, "nodes");
    if (!nodes) {
        imp_err_at(im, s, NULL, NULL, 0, "component `%s` has no `nodes` (required)", c->json_name);
        return -1;
    }
    if (!json_is_array(nodes) || json_array_size(nodes) == 0) {
        imp_err_at(im, s, root, "nodes", 0, "`nodes` must be a non-empty list of neurons");
        return -1;
    }
    c->nnodes = (int)json_array_size(nodes);
    c->nodes = ARENA_ARRAY(&im->arena, Node, c->nnodes);
    int rc = 0;
    for (int k = 0; k < c->nnodes; k++) {
        if (read_node(im, s, c, nodes, (size_t)k, &c->nodes[k]) < 0) {
            rc = -1;
            continue;
        }
        for (int q = 0; q < k; q++)
            if (c->nodes[q].id == c->nodes[k].id) {
                imp_err_at(im, s, c->nodes[k].j, "id", 0, "node id %ld appears twice",
                           c->nodes[k].id);
                rc = -1;
            }
    }
    if (rc) return rc;
    make_classes(im, c);
    json_t *paths = json_object_get(root, "paths");
    if (paths && !json_is_array(paths)) {
        imp_err_at(im, s, root, "paths", 0, "`paths` must be a list");
        return -1;
    }
    c->paths = ARENA_ARRAY(&im->arena, PathRec, json_array_size(paths) + 1);
    for (size_t k = 0; k < json_array_size(paths); k++)
        if (read_path(im, s, c, paths, k) < 0) rc = -1;
    json_t *terms = json_object_get(root, "terminals");
    if (terms && !json_is_array(terms)) {
        imp_err_at(im, s, root, "terminals", 0, "`terminals` must be a list");
        return -1;
    }
    c->nterms = (int)json_array_size(terms);
    c->terms = ARENA_ARRAY(&im->arena, Term, c->nterms + 1);
    for (int k = 0; k < c->nterms; k++) {
        if (read_terminal(im, s, c, terms, (size_t)k, &c->terms[k]) < 0) {
            rc = -1;
            continue;
        }
        for (int q = 0; q < k; q++)
            if (c->terms[q].name && strcmp(c->terms[q].name, c->terms[k].name) == 0) {
                imp_err_at(im, s, terms, NULL, (size_t)k, "terminal `%s` appears twice in `%s`",
                           c->terms[k].label, c->json_name);
                rc = -1;
            }
        for (int q = 0; q < c->ncls; q++)
            if (c->terms[k].name && strcmp(c->terms[k].name, c->cls[q].name) == 0)
                c->terms[k].name = arena_printf(&im->arena, "%s_t", c->terms[k].name);
    }
    return rc;
}

const Term *imp_find_term(const Comp *c, const char *label)
{
    for (int k = 0; k < c->nterms; k++)
        if (strcmp(c->terms[k].label, label) == 0) return &c->terms[k];
    return NULL;
}

/* A coordinate of the nodes of a class as an expression of i: a constant,
 * `x0 + dx * i` when evenly spaced, else `if i == 0 then .. else ..`. */
static void put_coord(Buf *o, const Comp *c, const Class *cl, int axis)
{
    char nb[40], nb2[40];
    double v0 = axis ? c->nodes[cl->nodes[0]].z : c->nodes[cl->nodes[0]].x;
    int same = 1, linear = cl->n > 1;
    double dx = cl->n > 1 ? (axis ? c->nodes[cl->nodes[1]].z : c->nodes[cl->nodes[1]].x) - v0 : 0;
    for (int k = 0; k < cl->n; k++) {
        double v = axis ? c->nodes[cl->nodes[k]].z : c->nodes[cl->nodes[k]].x;
        same = same && v == v0;
        linear = linear && v == v0 + dx * k;
    }
    if (same) {
        imp_bput(o, "%s", imp_num(nb, v0));
        return;
    }
    if (linear) {
        double m = fabs(dx);
        if (v0 != 0)
            imp_bput(o, "%s %s ", imp_num(nb, v0), dx < 0 ? "-" : "+");
        else if (dx < 0)
            imp_bput(o, "-");
        if (m == 1)
            imp_bput(o, "i");
        else
            imp_bput(o, "%s * i", imp_num(nb2, m));
        return;
    }
    for (int k = 0; k < cl->n; k++) {
        double v = axis ? c->nodes[cl->nodes[k]].z : c->nodes[cl->nodes[k]].x;
        if (k < cl->n - 1)
            imp_bput(o, "if i == %d then %s else ", k, imp_num(nb, v));
        else
            imp_bput(o, "%s", imp_num(nb, v));
    }
}

void imp_emit_component(Buf *o, const Comp *c, const Buf *timer)
{
    char nb[40], pb[48];
    if (c->desc) imp_emit_text(o, c->desc, "");
    imp_bput(o, "// from %s\ncomponent %s {\n", c->src->path, c->name);
    for (int q = 0; q < c->ncls; q++) {
        const Class *cl = &c->cls[q];
        const Node *n = cl->first;
        const NeuronType *nt = NULL;
        for (size_t k = 0; k < sizeof imp_neuron_types / sizeof imp_neuron_types[0]; k++)
            if (strcmp(imp_neuron_types[k].name, n->type) == 0) nt = &imp_neuron_types[k];
        /* the std.izhikevich type, with the node's overrides; u explicitly
         * where the model's default b * v would differ (§2.2) */
        Buf args = {0};
        const char *names[] = {"a", "b", "c", "d"};
        double vals[] = {n->a, n->b, n->c, n->d}, defs[] = {nt->a, nt->b, nt->c, nt->d};
        for (int k = 0; k < 4; k++)
            if (vals[k] != defs[k] || cl->group) /* im8_izh_modulated: all four */
                imp_bput(&args, ", %s = %s", names[k], imp_num(nb, vals[k]));
        if (n->v != -65) imp_bput(&args, ", v = %s", imp_num(nb, n->v));
        if (n->u != n->b * n->v) imp_bput(&args, ", u = %s", imp_num(nb, n->u));
        imp_bput(o, "  %s", cl->name);
        if (cl->n > 1) imp_bput(o, "[%d]", cl->n);
        imp_bput(o, " : %s%s%s%s at (", cl->group ? "im8_izh_modulated" : n->type,
                 args.n ? "(" : "", args.n ? args.p + 2 : "", args.n ? ")" : "");
        free(args.p);
        put_coord(o, c, cl, 0);
        imp_bput(o, ", 0, ");
        put_coord(o, c, cl, 1);
        imp_bput(o, ")  // node%s", cl->n > 1 ? "s" : "");
        for (int k = 0; k < cl->n; k++)
            imp_bput(o, "%s %ld", k ? "," : "", c->nodes[cl->nodes[k]].id);
        if (cl->group) imp_bput(o, "; %s with `modulation` for gated_modulated", n->type);
        imp_bput(o, "\n");
    }
    for (int k = 0; k < c->nnodes; k++) {
        json_t *sensor = json_object_get(c->nodes[k].j, "sensor");
        char *dump = sensor ? json_dumps(sensor, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        if (dump) /* not used by the generator either (reference §1) */
            imp_bput(o, "  // node %ld (%s): sensor %s (not imported)\n", c->nodes[k].id,
                     imp_node_sel(pb, c, k), dump);
        free(dump);
    }
    if (c->body.n) imp_bput(o, "%.*s", (int)c->body.n, c->body.p);
    if (timer && timer->n) imp_bput(o, "%.*s", (int)timer->n, timer->p);
    for (int k = 0; k < c->nterms; k++) {
        const Term *t = &c->terms[k];
        imp_bput(o, "  %s %s = ", t->out ? "out" : "in", t->name);
        /* runs of nodes of one class as one selection, in the JSON's order */
        for (int q = 0; q < t->n;) {
            int r = q + 1;
            while (r < t->n && c->nodes[t->nodes[r]].cls == c->nodes[t->nodes[q]].cls)
                r++;
            if (q) imp_bput(o, ", ");
            put_list(o, c, t->nodes + q, r - q);
            q = r;
        }
        if (strcmp(t->name, t->label) != 0) imp_bput(o, "  // \"%s\"", t->label);
        imp_bput(o, "\n");
    }
    /* hidden input terminals of modulator groups (never wired) */
    for (int q = 0; q < c->ncls; q++) {
        const Class *cl = &c->cls[q];
        if (!cl->term) continue;
        int *nodes = malloc(sizeof(int) * (size_t)cl->n), n = 0;
        for (int k = 0; nodes && k < cl->n; k++)
            if (cl->target[cl->nodes[k]]) nodes[n++] = cl->nodes[k];
        if (n) {
            imp_bput(o, "  in %s = ", cl->term);
            put_list(o, c, nodes, n);
            imp_bput(o, "  // targets of gated synapses with a modulator group; not wired\n");
        }
        free(nodes);
    }
    for (int k = 0; c->modsrc && k < c->nnodes; k++)
        if (c->modsrc[k])
            imp_bput(o, "  in %s = %s  // a modulator neuron of gated synapses; not wired\n",
                     c->modsrc[k], imp_node_sel(pb, c, k));
    imp_bput(o, "}\n\n");
}

int import_component_file(Imp *im, Src *s, Buf *o)
{
    Comp *c = ARENA_NEW(&im->arena, Comp);
    im->comps[im->ncomps++] = c;
    if (imp_read_component(im, s, c, imp_stem_of(&im->arena, s->path)) < 0) return -1;
    Entry e = {c, 1, 0, 0, c->name, NULL};
    im->total = c->nnodes;
    imp_dev_first(im, &e, 1, NULL, NULL);
    imp_emit_paths(im, c);
    Buf mb = {0};
    if (imp_modulator_connects(im, &e, 1, &mb) < 0) {
        free(mb.p);
        return -1;
    }
    imp_bput(o, "// Imported by `brainc import` from %s (an inner-models-v8 component).\n",
             s->path);
    imp_dev_comment(im, o);
    imp_bput(o, "import std.izhikevich\nimport std.im8\nimport std.synapses\n\n");
    imp_emit_component(o, c, NULL);
    imp_bput(o,
             "// One instance, so that the component can be run on its own.\nbrain %s_alone {\n  "
             "%s[1] : %s\n",
             c->name, c->name, c->name);
    imp_bput(o, "%.*s}\n", (int)mb.n, mb.p ? mb.p : "");
    free(mb.p);
    return 0;
}
