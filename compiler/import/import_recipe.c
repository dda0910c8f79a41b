/* import_recipe.c - recipes: the wiring block (`wire proximity(...)`),
 * auto-timers, projections as `probability p per instance` connects, and
 * the whole recipe as `brain NAME { ... }` (import_recipe). */
#include "import/import_internal.h"
#include <stdlib.h>
#include <string.h>

/* ---- recipes --------------------------------------------------------------- */

static const char *const control_inputs[] = {"kill_in",  "calm_in",    "error_in", "dopamine_in",
                                             "tonic_in", "satisfy_in", "clear_in", NULL};

int imp_wiring_excludes(const Wiring *w, const char *label)
{
    if (!w->exclude) return imp_in_strs(control_inputs, label);
    for (size_t k = 0; k < json_array_size(w->exclude); k++)
        if (json_is_string(json_array_get(w->exclude, k)) &&
            strcmp(json_string_value(json_array_get(w->exclude, k)), label) == 0)
            return 1;
    return 0;
}

static int read_wiring(Imp *im, const Src *s, Wiring *w)
{
    *w = (Wiring){20.0, 0.3, 1.0, 0.3, 1, 0, NULL, NULL, NULL};
    json_t *o = json_object_get(s->root, "wiring");
    const char *key = "wiring";
    if (!o && (o = json_object_get(s->root, "global_params"))) key = "global_params";
    if (!o) return 0;
    if (!json_is_object(o)) {
        imp_err_at(im, s, s->root, key, 0, "`%s` must be an object", key);
        return -1;
    }
    w->obj = o;
    static const char *const known[] = {
        "max_distance",          "probability",        "weight_scale",
        "inhibition_fraction",   "auto_timers",        "exclude_inputs",
        "type_aware_inhibition", "protected_triggers", NULL};
    imp_check_keys(im, s, o, known, "the wiring block");
    int rc = 0;
    if (imp_get_num(im, s, o, "max_distance", OPT, 20, &w->max_distance, "the wiring") < 0 ||
        imp_get_num(im, s, o, "probability", OPT, 0.3, &w->probability, "the wiring") < 0 ||
        imp_get_num(im, s, o, "weight_scale", OPT, 1, &w->weight_scale, "the wiring") < 0 ||
        imp_get_num(im, s, o, "inhibition_fraction", OPT, 0.3, &w->inhibition_fraction,
                    "the wiring") < 0)
        return -1;
    if (w->max_distance < 0) {
        imp_err_at(im, s, o, "max_distance", 0, "max_distance must not be negative, not %g",
                   w->max_distance);
        rc = -1;
    }
    const char *pk[] = {"probability", "inhibition_fraction"};
    double pv[] = {w->probability, w->inhibition_fraction};
    for (int k = 0; k < 2; k++)
        if (!(pv[k] >= 0 && pv[k] <= 1)) {
            imp_err_at(im, s, o, pk[k], 0, "%s must be between 0 and 1, not %g", pk[k], pv[k]);
            rc = -1;
        }
    const char *bk[] = {"auto_timers", "type_aware_inhibition"};
    int *bv[] = {&w->auto_timers, &w->type_aware};
    for (int k = 0; k < 2; k++) {
        json_t *v = json_object_get(o, bk[k]);
        if (!v) continue;
        if (!json_is_boolean(v)) {
            imp_err_at(im, s, o, bk[k], 0, "`%s` must be true or false", bk[k]);
            rc = -1;
        } else {
            *bv[k] = json_is_true(v);
        }
    }
    w->exclude = json_object_get(o, "exclude_inputs");
    if (w->exclude) {
        int ok = json_is_array(w->exclude);
        for (size_t k = 0; ok && k < json_array_size(w->exclude); k++)
            ok = json_is_string(json_array_get(w->exclude, k));
        if (!ok) {
            imp_err_at(im, s, o, "exclude_inputs", 0,
                       "`exclude_inputs` must be a list of terminal labels");
            rc = -1;
        }
    }
    w->protect = json_object_get(o, "protected_triggers");
    if (w->protect) {
        int ok = json_is_object(w->protect);
        const char *k;
        json_t *v;
        json_object_foreach(w->protect, k, v)
        {
            int good = json_is_array(v);
            for (size_t q = 0; good && q < json_array_size(v); q++)
                good = json_is_string(json_array_get(v, q));
            if (!good) {
                imp_err_at(im, s, w->protect, k, 0,
                           "protected triggers of `%s` must be a list of input labels", k);
                rc = -1;
            }
        }
        if (!ok) {
            imp_err_at(im, s, o, "protected_triggers", 0,
                       "`protected_triggers` must map component names to lists of input labels");
            rc = -1;
        }
    }
    return rc;
}

const Comp *imp_comp_by_json_name(const Entry *e, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (strcmp(e[k].comp->json_name, name) == 0) return e[k].comp;
    return NULL;
}

/* Auto-timers (§6.4): a fixed synapse per instance from the first neuron of
 * the trigger terminal to the first neuron of the kill terminal. */
static void auto_timer(Comp *c, Buf *out)
{
    static const struct {
        const char *comp, *from, *to;
        double w;
        int delay;
    } timers[] = {{"emotional_state", "trigger_in", "calm_in", 20, 400},
                  {"working_memory_cell", "trigger_in", "kill_in", 20, 500},
                  {"bistable_motif", "trigger_in", "kill_in", 20, 500}};
    for (size_t k = 0; k < sizeof timers / sizeof timers[0]; k++) {
        if (strcmp(c->json_name, timers[k].comp) != 0) continue;
        const Term *f = imp_find_term(c, timers[k].from), *t = imp_find_term(c, timers[k].to);
        if (!f || !t) continue;
        char a[48], b[48];
        imp_bput(out, "  // auto-timer of the recipe (reference §6.4)\n");
        imp_bput(out, "  connect %s -> %s : fixed(w = %g) delay %d\n",
                 imp_node_sel(a, c, f->nodes[0]), imp_node_sel(b, c, t->nodes[0]), timers[k].w,
                 timers[k].delay);
    }
}

static int read_projection(Imp *im, const Src *s, json_t *arr, size_t i, const Entry *ents,
                           int nents, const Wiring *w, Buf *o)
{
    json_t *p = json_array_get(arr, i);
    if (!json_is_object(p)) {
        imp_err_at(im, s, arr, NULL, i, "projection %zu must be an object", i);
        return -1;
    }
    static const char *const known[] = {"from_type", "to_type",     "from_terminal", "to_terminal",
                                        "weight",    "probability", "delay",         "synapse_type",
                                        "params",    NULL};
    imp_check_keys(im, s, p, known, "a projection");
    if (!json_object_get(p, "from_type")) {
        /* comment-only entry (reference: skipped) */
        imp_bput(o, "\n");
        imp_emit_comments(o, p, "  ");
        return 0;
    }
    const char *ft, *tt, *fterm, *tterm, *type = "fixed";
    double weight, prob;
    long delay;
    if (imp_get_str(im, s, p, "from_type", REQ, &ft, "a projection") < 0 ||
        imp_get_str(im, s, p, "to_type", REQ, &tt, "a projection") < 0 ||
        imp_get_str(im, s, p, "from_terminal", OPT, &fterm, "a projection") < 0 ||
        imp_get_str(im, s, p, "to_terminal", OPT, &tterm, "a projection") < 0 ||
        imp_get_str(im, s, p, "synapse_type", OPT, &type, "a projection") < 0 ||
        imp_get_num(im, s, p, "weight", OPT, 8.0, &weight, "a projection") < 0 ||
        imp_get_num(im, s, p, "probability", OPT, 0.8, &prob, "a projection") < 0 ||
        imp_get_int(im, s, p, "delay", OPT, 1, &delay, "a projection") < 0)
        return -1;
    if (!type) type = "fixed";
    if (!(prob >= 0 && prob <= 1)) {
        imp_err_at(im, s, p, "probability", 0, "probability must be between 0 and 1, not %g", prob);
        return -1;
    }
    if (delay < 0) {
        imp_err_at(im, s, p, "delay", 0, "delay must not be negative, not %ld", delay);
        return -1;
    }
    int st = imp_syn_type(im, s, p, type);
    if (st < 0)
        return -1;
    const Comp *fc = imp_comp_by_json_name(ents, nents, ft),
               *tc = imp_comp_by_json_name(ents, nents, tt);
    if (!fc || !tc) {
        imp_warn_key(im, s, p, fc ? "to_type" : "from_type",
                     "the recipe has no instances of `%s`; this projection makes no synapses (as "
                     "in the reference)",
                     fc ? tt : ft);
        return 0;
    }
    const Term *fterm_t = fterm ? imp_find_term(fc, fterm) : NULL,
               *tterm_t = tterm ? imp_find_term(tc, tterm) : NULL;
    if ((fterm && (!fterm_t || !fterm_t->out)) || (tterm && (!tterm_t || tterm_t->out))) {
        int bad_from = fterm && (!fterm_t || !fterm_t->out);
        const Comp *c = bad_from ? fc : tc;
        imp_err_at(im, s, p, bad_from ? "from_terminal" : "to_terminal", 0,
                   "component `%s` has no %s terminal `%s`", c->json_name,
                   bad_from ? "output" : "input", bad_from ? fterm : tterm);
        return -1;
    }
    if (delay == 0 && st != SYN_GAP) {
        imp_warn_key(im, s, p, "delay",
                     "a chemical synapse with delay 0 is imported with delay 1 (reference §12.10)");
        delay = 1;
    }
    Buf args = {0};
    double wt = weight * w->weight_scale;
    SynExtra x;
    if (imp_synapse_params(im, s, p, st, wt, &args, &x) < 0) {
        free(args.p);
        return -1;
    }
    char nb[40], nb2[40];
    char *sargs = st == SYN_GAP
                      ? arena_strdup(&im->arena, args.n ? args.p + 2 : "")
                      : arena_printf(&im->arena, "w = %s%s", imp_num(nb, wt), args.n ? args.p : "");
    free(args.p);
    if (st == SYN_DEV) imp_dev_warn(im, s, p, &x);
    int modulated = 0;
    if (st == SYN_GATED && x.group) {
        /* the target neurons: those of the input terminals it reaches */
        Comp *tcw = (Comp *)tc;
        int ok = 1;
        for (int pass = 0; pass < 2 && ok; pass++)
            for (int k = 0; k < tc->nterms && ok; k++) {
                const Term *t = &tc->terms[k];
                if (t->out || (tterm ? t != tterm_t : imp_wiring_excludes(w, t->label))) continue;
                for (int q = 0; q < t->n && ok; q++) {
                    Class *cl = &tcw->cls[tc->nodes[t->nodes[q]].cls];
                    if (pass == 0 && cl->group && !json_equal(cl->group, x.group))
                        ok = imp_class_group(im, tcw, tc->nodes[t->nodes[q]].cls, x.group, s,
                                             x.params) == 0;
                    if (pass == 1) {
                        imp_class_group(im, tcw, tc->nodes[t->nodes[q]].cls, x.group, s, x.params);
                        cl->target[t->nodes[q]] = 1;
                    }
                }
            }
        modulated = ok;
    }
    char *syn = imp_syn_text(im, st, sargs, &x, modulated);
    char *tail = st == SYN_GAP
                     ? arena_printf(&im->arena, "probability %s per instance", imp_num(nb, prob))
                     : arena_printf(&im->arena, "probability %s per instance delay %ld",
                                    imp_num(nb, prob), delay);
    imp_emit_comments(o, p, "  ");
    if (w->weight_scale != 1)
        imp_bput(o, "  // weight %s x weight_scale %s\n", imp_num(nb, weight),
                 imp_num(nb2, w->weight_scale));
    /* Inputs when none is named: all but the excluded ones. The bare form
     * excludes the reference's default control set; a recipe's own
     * exclude_inputs needs the inputs spelled out. */
    int spell = !tterm && (w->exclude || im->has_groups);
    for (int a = 0; a < nents; a++) {
        if (ents[a].comp != fc) continue;
        for (int b = 0; b < nents; b++) {
            if (ents[b].comp != tc) continue;
            char *from = fterm ? arena_printf(&im->arena, "%s.%s", ents[a].inst, fterm_t->name)
                               : ents[a].inst;
            if (!spell) {
                char *to = tterm ? arena_printf(&im->arena, "%s.%s", ents[b].inst, tterm_t->name)
                                 : ents[b].inst;
                imp_bput(o, "  connect %s -> %s : %s %s\n", from, to, syn, tail);
                continue;
            }
            for (int k = 0; k < tc->nterms; k++)
                if (!tc->terms[k].out && !imp_wiring_excludes(w, tc->terms[k].label))
                    imp_bput(o, "  connect %s -> %s.%s : %s %s\n", from, ents[b].inst,
                             tc->terms[k].name, syn, tail);
        }
    }
    return 0;
}

static void emit_wiring(Imp *im, Buf *o, const Wiring *w, const Entry *ents, int nents,
                        const Src *s)
{
    char nb[40];
    imp_bput(o, "\n  // the recipe's wiring block: proximity cross-wiring (reference §6.6)\n");
    if (w->obj) imp_emit_comments(o, w->obj, "  ");
    imp_bput(o, "  wire proximity(max_distance = %s", imp_num(nb, w->max_distance));
    imp_bput(o, ", probability = %s", imp_num(nb, w->probability));
    imp_bput(o, ", weight_scale = %s", imp_num(nb, w->weight_scale));
    imp_bput(o, ", inhibition_fraction = %s", imp_num(nb, w->inhibition_fraction));
    imp_bput(o, ", type_aware_inhibition = %s", w->type_aware ? "true" : "false");
    if (w->exclude || im->hidden.n) {
        imp_bput(o, ",\n                 exclude_inputs = [");
        int n = 0;
        if (w->exclude)
            for (size_t k = 0; k < json_array_size(w->exclude); k++)
                imp_bput(o, "%s\"%s\"", n++ ? ", " : "",
                         json_string_value(json_array_get(w->exclude, k)));
        else
            for (int k = 0; control_inputs[k]; k++)
                imp_bput(o, "%s\"%s\"", n++ ? ", " : "", control_inputs[k]);
        if (im->hidden.n) /* the hidden terminals of modulator groups */
            imp_bput(o, "%s%s", n ? "" : "", n ? im->hidden.p : im->hidden.p + 2);
        imp_bput(o, "]");
    }
    if (w->protect && json_object_size(w->protect)) {
        imp_bput(o, ",\n                 protected_triggers = [");
        int first = 1;
        const char *k;
        json_t *v;
        json_object_foreach(w->protect, k, v)
        {
            const Comp *c = imp_comp_by_json_name(ents, nents, k);
            if (!c) {
                imp_warn_key(im, s, w->protect, k,
                             "protected triggers of `%s`, which the recipe does not use", k);
                continue;
            }
            for (size_t q = 0; q < json_array_size(v); q++) {
                const char *label = json_string_value(json_array_get(v, q));
                const Term *t = imp_find_term(c, label);
                if (!t) {
                    imp_warn_key(im, s, w->protect, k, "`%s` has no terminal `%s` to protect", k,
                                 label);
                    continue;
                }
                imp_bput(o, "%s\n                   \"%s.%s\"", first ? "" : ",", c->name, t->name);
                first = 0;
            }
        }
        imp_bput(o, "]");
    }
    imp_bput(o, ")\n");
}

int import_recipe(Imp *im, Src *s, Buf *o, ImportResult *res)
{
    json_t *r = s->root;
    static const char *const known[] = {"name",          "description", "output",      "seed",
                                        "layer_spacing", "components",  "projections", "wiring",
                                        "global_params", NULL};
    imp_check_keys(im, s, r, known, "the recipe");
    const char *name = NULL, *desc = NULL, *output = NULL;
    double spacing = 50;
    long seed = 42;
    int rc = 0;
    if (imp_get_str(im, s, r, "name", OPT, &name, "the recipe") < 0 ||
        imp_get_str(im, s, r, "description", OPT, &desc, "the recipe") < 0 ||
        imp_get_str(im, s, r, "output", OPT, &output, "the recipe") < 0 ||
        imp_get_int(im, s, r, "seed", OPT, 42, &seed, "the recipe") < 0 ||
        imp_get_num(im, s, r, "layer_spacing", OPT, 50, &spacing, "the recipe") < 0)
        rc = -1;
    if (seed < 0) {
        imp_err_at(im, s, r, "seed", 0, "seed must not be negative, not %ld", seed);
        rc = -1;
    }
    if (spacing < 0) {
        imp_err_at(im, s, r, "layer_spacing", 0, "layer_spacing must not be negative, not %g",
                   spacing);
        rc = -1;
    }
    Wiring w;
    if (read_wiring(im, s, &w) < 0) rc = -1;
    json_t *comps = json_object_get(r, "components");
    if (!json_is_array(comps)) {
        imp_err_at(im, s, r, "components", 0,
                   "`components` must be a list of {\"type\", \"count\", \"layer\"}");
        return -1;
    }
    size_t ncomps = json_array_size(comps);
    Entry *ents = ARENA_ARRAY(&im->arena, Entry, ncomps + 1);
    int nents = 0;
    char *base = imp_dir_of(&im->arena, s->path);
    for (size_t k = 0; k < ncomps; k++) {
        json_t *e = json_array_get(comps, k);
        if (!json_is_object(e)) {
            imp_err_at(im, s, comps, NULL, k, "component entry %zu must be an object", k);
            rc = -1;
            continue;
        }
        static const char *const ek[] = {"type", "path", "count", "layer", NULL};
        imp_check_keys(im, s, e, ek, "a component entry");
        const char *type, *path;
        long count, layer = 0;
        if (imp_get_str(im, s, e, "type", OPT, &type, "a component entry") < 0 ||
            imp_get_str(im, s, e, "path", OPT, &path, "a component entry") < 0 ||
            imp_get_int(im, s, e, "count", OPT, 1, &count, "a component entry") < 0) {
            rc = -1;
            continue;
        }
        json_t *lv = json_object_get(e, "layer");
        int has_layer = lv && !json_is_null(lv);
        if (has_layer && imp_get_int(im, s, e, "layer", REQ, 0, &layer, "a component entry") < 0) {
            rc = -1;
            continue;
        }
        if (!type && !path) {
            imp_err_at(im, s, e, NULL, 0, "a component entry has no `type` (required)");
            rc = -1;
            continue;
        }
        if (count < 0 || count > 10000000) {
            imp_err_at(im, s, e, "count", 0, "count must be between 0 and 10000000, not %ld",
                       count);
            rc = -1;
            continue;
        }
        Comp *c = imp_component_for(im, s, e, path ? "path" : "type", path ? path : type, base);
        if (!c) {
            rc = -1;
            continue;
        }
        if (count == 0) {
            imp_warn_key(im, s, e, "count", "count 0: no instances of `%s`", c->json_name);
            continue;
        }
        Entry *en = &ents[nents++];
        en->comp = c;
        en->count = count;
        en->layer = layer;
        en->has_layer = has_layer;
        en->j = e;
        en->inst = c->name;
        for (int q = 0, dup = 2; q < nents - 1; q++)
            if (strcmp(ents[q].inst, en->inst) == 0) {
                en->inst = arena_printf(&im->arena, "%s_%d", c->name, dup++);
                q = -1;
            }
    }
    if (rc) return rc;
    if (nents == 0) {
        imp_err_at(im, s, r, "components", 0,
                   "the recipe is empty: `components` lists no instances");
        return -1;
    }
    json_t *projs = json_object_get(r, "projections");
    if (projs && !json_is_array(projs)) {
        imp_err_at(im, s, r, "projections", 0, "`projections` must be a list");
        return -1;
    }
    for (int k = 0; k < nents; k++)
        im->total += ents[k].count * ents[k].comp->nnodes;
    /* the reference's order: internal paths, then projections (§6.3) */
    for (size_t k = 0; k < json_array_size(projs); k++) {
        const json_t *p = json_array_get(projs, k);
        const char *ty = json_string_value(json_object_get(p, "synapse_type"));
        const json_t *g = json_object_get(json_object_get(p, "params"), "modulator_group");
        im->has_groups |=
            ty && strcmp(ty, "gated") == 0 && json_is_array(g) && json_array_size(g) > 0;
    }
    imp_dev_first(im, ents, nents, projs, &w);
    for (int k = 0; k < im->ncomps; k++)
        imp_emit_paths(im, im->comps[k]);
    Buf pb = {0}, mb = {0};
    for (size_t k = 0; k < json_array_size(projs); k++)
        if (read_projection(im, s, projs, k, ents, nents, &w, &pb) < 0) rc = -1;
    if (rc == 0 && imp_modulator_connects(im, ents, nents, &mb) < 0) rc = -1;
    if (rc == 0) {
        const char *stem = imp_stem_of(&im->arena, s->path);
        char *bname = imp_identifier(&im->arena, stem, "b_");
        for (int k = 0; k < im->ncomps; k++)
            if (strcmp(im->comps[k]->name, bname) == 0)
                bname = arena_printf(&im->arena, "%s_brain", bname);
        imp_bput(o, "// Imported by `brainc import` from %s (an inner-models-v8 recipe).\n",
                 s->path);
        if (name) imp_bput(o, "// %s\n", name);
        if (desc) imp_emit_text(o, desc, "");
        if (output) imp_bput(o, "// The reference generator writes this brain to %s.\n", output);
        imp_bput(o,
                 "// The recipe's seed is %ld: `brainc run`/`ir`/`build` on the JSON use it unless "
                 "--seed is given;\n"
                 "// on this file give --seed %ld.\n",
                 seed, seed);
        imp_emit_comments(o, r, "");
        imp_dev_comment(im, o);
        imp_bput(o, "import std.izhikevich\nimport std.im8\nimport std.synapses\n\n");
        for (int k = 0; k < im->ncomps; k++) {
            Buf timer = {0};
            if (w.auto_timers) auto_timer(im->comps[k], &timer);
            imp_emit_component(o, im->comps[k], &timer);
            free(timer.p);
        }
        char nb[40];
        imp_bput(o, "brain %s {\n  layout grid(spacing = 12, layer_spacing = %s)\n", bname,
                 imp_num(nb, spacing));
        int open_layer = 0;
        long cur = 0;
        for (int k = 0; k < nents; k++) {
            Entry *e = &ents[k];
            if (open_layer && (!e->has_layer || e->layer != cur)) {
                imp_bput(o, "  }\n");
                open_layer = 0;
            }
            if (e->has_layer && !open_layer) {
                imp_bput(o, "  layer %ld {\n", e->layer);
                open_layer = 1;
                cur = e->layer;
            }
            const char *ind = open_layer ? "    " : "  ";
            imp_emit_comments(o, e->j, ind);
            imp_bput(o, "%s%s[%ld] : %s\n", ind, e->inst, e->count, e->comp->name);
        }
        if (open_layer) imp_bput(o, "  }\n");
        if (pb.n) imp_bput(o, "%.*s", (int)pb.n, pb.p);
        if (mb.n) imp_bput(o, "%.*s", (int)mb.n, mb.p);
        emit_wiring(im, o, &w, ents, nents, s);
        imp_bput(o, "}\n");
        res->seed = (uint64_t)seed;
        res->is_recipe = 1;
    }
    free(pb.p);
    free(mb.p);
    return rc;
}
