/* import_modulators.c - developmental synapses and modulator groups: the
 * pruning parameters of the first developmental synapse, which the
 * reference uses for all (imp_dev_first, imp_dev_warn, imp_dev_comment), and for each
 * population with a modulator group the hidden terminals and the connects
 * from its modulator neurons to its targets (imp_modulator_connects). */
#include "import/import_internal.h"
#include <stdio.h>
#include <string.h>

/* A developmental synapse whose pruning parameters differ from the first
 * one's: the reference prunes it with the first one's (§4.2). */
void imp_dev_warn(Imp *im, const Src *s, const json_t *owner, const SynExtra *x)
{
    char msg[512], a[40], b[40];
    size_t n = 0;
    msg[0] = 0;
    for (int q = 0; q < 4; q++)
        if (x->prune[q] != im->dev[q] && n < sizeof msg)
            n += (size_t)snprintf(msg + n, sizeof msg - n, "%s%s %s -> %s", n ? ", " : "",
                                  imp_prune_keys[q], imp_num(a, x->prune[q]),
                                  imp_num(b, im->dev[q]));
    if (!n) return;
    if (x->params)
        imp_warn_key(im, s, owner, "params",
                     "developmental pruning parameters overridden (%s): the reference prunes every "
                     "developmental "
                     "synapse with those of its first one (%s; reference §4.2)",
                     msg, im->dev_from ? im->dev_from : "");
    else
        imp_warn_key(im, s, owner, "synapse_type",
                     "developmental pruning parameters overridden (%s): the reference prunes every "
                     "developmental "
                     "synapse with those of its first one (%s; reference §4.2)",
                     msg, im->dev_from ? im->dev_from : "");
}

/* The pruning parameters of the first developmental synapse in the
 * reference's row order (§6.3): the internal paths of the instances in
 * recipe order, then the projections in recipe order (the first that can
 * make synapses); im->dev, for every developmental synapse (§4.2 quirk). */
void imp_dev_first(Imp *im, const Entry *ents, int nents, const json_t *projs, const Wiring *w)
{
    memcpy(im->dev, imp_prune_defaults, sizeof im->dev);
    for (int e = 0; e < nents; e++) {
        const Comp *c = ents[e].comp;
        for (int k = 0; k < c->npaths; k++)
            if (c->paths[k].type == SYN_DEV) {
                memcpy(im->dev, c->paths[k].x.prune, sizeof im->dev);
                im->dev_from = arena_printf(
                    &im->arena, "the path from node %ld to node %ld of `%s`",
                    c->nodes[c->paths[k].si].id, c->nodes[c->paths[k].ti].id, c->json_name);
                return;
            }
    }
    for (size_t i = 0; i < json_array_size(projs); i++) {
        const json_t *p = json_array_get(projs, i);
        const char *ty = json_string_value(json_object_get(p, "synapse_type"));
        const char *ft = json_string_value(json_object_get(p, "from_type"));
        const char *tt = json_string_value(json_object_get(p, "to_type"));
        const json_t *pr = json_object_get(p, "probability");
        if (!ty || strcmp(ty, "developmental") != 0 || !ft || !tt || (pr && !json_is_number(pr)) ||
            (pr && !(json_number_value(pr) > 0)))
            continue;
        const Comp *fc = imp_comp_by_json_name(ents, nents, ft),
                   *tc = imp_comp_by_json_name(ents, nents, tt);
        if (!fc || !tc) continue;
        const char *fterm = json_string_value(json_object_get(p, "from_terminal"));
        const char *tterm = json_string_value(json_object_get(p, "to_terminal"));
        int outs = 0, ins = 0;
        for (int k = 0; k < fc->nterms; k++)
            outs += fc->terms[k].out && (!fterm || strcmp(fc->terms[k].label, fterm) == 0);
        for (int k = 0; k < tc->nterms; k++)
            ins += !tc->terms[k].out && (tterm ? strcmp(tc->terms[k].label, tterm) == 0
                                               : !imp_wiring_excludes(w, tc->terms[k].label));
        if (!outs || !ins) continue;
        const json_t *params = json_object_get(p, "params");
        for (int q = 0; q < 4; q++) {
            const json_t *v = json_object_get(params, imp_prune_keys[q]);
            if (json_is_number(v)) im->dev[q] = json_number_value(v);
        }
        im->dev_from = arena_printf(&im->arena, "the projection %s -> %s", ft, tt);
        return;
    }
}

/* Neuron g of the reference's numbering (§6.3: instance by instance in
 * recipe order, nodes in list order): entry *e, copy *k, node *n. */
static int global_node(const Entry *ents, int nents, long g, int *e, long *k, int *n)
{
    for (int q = 0; q < nents; q++) {
        long m = ents[q].count * ents[q].comp->nnodes;
        if (g < m) {
            *e = q;
            *k = g / ents[q].comp->nnodes;
            *n = (int)(g % ents[q].comp->nnodes);
            return 0;
        }
        g -= m;
    }
    return -1;
}

/* Adds a hidden terminal's name to the list for exclude_inputs, once. */
static void hide(Imp *im, const char *name)
{
    char *q = arena_printf(&im->arena, ", \"%s\"", name);
    if (!im->hidden.p || !strstr(im->hidden.p, q)) imp_bput(&im->hidden, "%s", q);
}

/* Modulator groups (§4.2 gated): for each population with one, a hidden
 * input terminal of its target neurons, one of each modulator neuron, and
 * `connect MOD[k].src -> INST.targets : modulator_count() delay 50` per
 * modulator (a neuron listed twice counts twice, as in the reference) and
 * instance set. Hidden terminals are left out of wiring (exclude_inputs)
 * and of projections (spelled out). */
int imp_modulator_connects(Imp *im, const Entry *ents, int nents, Buf *o)
{
    int rc = 0, first = 1;
    for (int ci = 0; ci < im->ncomps; ci++) {
        Comp *c = im->comps[ci];
        for (int q = 0; q < c->ncls; q++) {
            Class *cl = &c->cls[q];
            if (!cl->group) continue;
            if (!cl->term) {
                cl->term = arena_printf(&im->arena, "gate_targets_%s", cl->name);
                hide(im, cl->term);
            }
            for (size_t i = 0; i < json_array_size(cl->group); i++) {
                long g = (long)json_integer_value(json_array_get(cl->group, i)), k;
                int e, n;
                if (global_node(ents, nents, g, &e, &k, &n) < 0) {
                    imp_err_at(im, cl->gsrc, cl->group, NULL, i,
                               "modulator_group index %ld is not a neuron: there are %ld (indices "
                               "from 0, in the "
                               "reference's numbering: instance by instance in recipe order)",
                               g, im->total);
                    rc = -1;
                    continue;
                }
                Comp *mc = ents[e].comp;
                if (!mc->modsrc) mc->modsrc = ARENA_ARRAY(&im->arena, char *, mc->nnodes);
                if (!mc->modsrc[n]) {
                    mc->modsrc[n] =
                        arena_printf(&im->arena, "gate_modulator_n%ld", mc->nodes[n].id);
                    hide(im, mc->modsrc[n]);
                }
                for (int b = 0; b < nents; b++) {
                    if (ents[b].comp != c) continue;
                    if (first)
                        imp_bput(
                            o,
                            "\n  // modulator groups of gated synapses (reference §4.2): each "
                            "modulator "
                            "neuron counts\n  // its spikes of the last 50 ticks into the targets' "
                            "`modulation` (std.im8 modulator_count)\n");
                    first = 0;
                    imp_bput(o,
                             "  connect %s[%ld].%s -> %s.%s : modulator_count() delay 50  // "
                             "neuron %ld\n",
                             ents[e].inst, k, mc->modsrc[n], ents[b].inst, cl->term, g);
                }
            }
        }
    }
    return rc;
}

/* The header comment on developmental pruning (§4.2 quirk). */
void imp_dev_comment(const Imp *im, Buf *o)
{
    char a[40], b[40], c[40], d[40];
    if (!im->has_dev) return;
    imp_bput(o,
             "// Developmental synapses: the reference prunes all of them with the pruning "
             "parameters of\n"
             "// its first one (lowest DB id, reference §4.2), here %s:\n"
             "// critical_period = %s, pruning_threshold = %s, eval_interval = %s, "
             "min_source_fires = %s;\n"
             "// these are written into every developmental connect.\n",
             im->dev_from ? im->dev_from : "none is made, the defaults", imp_num(a, im->dev[0]),
             imp_num(b, im->dev[1]), imp_num(c, im->dev[2]), imp_num(d, im->dev[3]));
}
