/* import_models.c - the models of inner-models-v8: the neuron types, the
 * synapse types with the params each takes, the pruning parameters of
 * developmental, and the checking of a synapse's `params` into model
 * arguments (imp_synapse_params). */
#include "import/import_internal.h"
#include <string.h>

/* ---- models ---------------------------------------------------------------- */

const NeuronType imp_neuron_types[] = {
    {"RS", 0.02, 0.2, -65, 8}, {"FS", 0.1, 0.2, -65, 2},    {"IB", 0.02, 0.2, -55, 4},
    {"CH", 0.02, 0.2, -50, 2}, {"LTS", 0.02, 0.25, -65, 2},
};

const SynType imp_syn_types[] = {
    {"fixed", {NULL}, {NULL}},
    {"plastic",
     {"learning_rate", "w_min", "w_max", "tau_plus", "tau_minus", "ltd_ratio", NULL},
     {NULL}},
    {"facilitating", {"facil_increment", "tau_recovery", NULL}, {"tau_facil", NULL}},
    {"depressing", {"depress_factor", "tau_recovery", NULL}, {"tau_depress", NULL}},
    {"gated",
     {"learning_rate", "w_min", "w_max", "tau_plus", "gate_threshold", NULL},
     {"modulator_group", NULL}},
    {"gap_junction", {"conductance", NULL}, {NULL}},
    {"reward_plastic",
     {"learning_rate", "w_min", "w_max", "tau_trace", "tau_eligible", NULL},
     {NULL}},
    {"developmental",
     {"learning_rate", "w_min", "w_max", "tau_plus", "critical_period", "pruning_threshold",
      "eval_interval", "min_source_fires", NULL},
     {NULL}},
};

int imp_syn_type(Imp *im, const Src *s, const json_t *parent, const char *name)
{
    for (int k = 0; k < NSYN; k++)
        if (strcmp(imp_syn_types[k].name, name) == 0) return k;
    imp_err_at(im, s, parent, "synapse_type", 0,
               "unknown synapse type `%s` (known: fixed, plastic, facilitating, depressing, gated, gap_junction, "
               "reward_plastic, developmental)",
               name);
    return -1;
}

int imp_in_strs(const char *const *list, const char *s)
{
    for (int k = 0; list[k]; k++)
        if (strcmp(list[k], s) == 0) return 1;
    return 0;
}

/* The pruning parameters of developmental (§4.1 defaults); the reference
 * reads them from its first developmental synapse for all (§4.2). */
const char *const imp_prune_keys[4] = {"critical_period", "pruning_threshold", "eval_interval",
                                       "min_source_fires"};
const double imp_prune_defaults[4] = {10000, 0.02, 2000, 20};

/* Checks a synapse's `params` and writes them as model arguments
 * (`, key = value`), except developmental's pruning parameters and gated's
 * modulator_group, which go to *x; returns -1 on errors. */
int imp_synapse_params(Imp *im, const Src *s, const json_t *owner, int type, double w, Buf *args,
                       SynExtra *x)
{
    json_t *params = json_object_get(owner, "params");
    memcpy(x->prune, imp_prune_defaults, sizeof x->prune);
    x->group = NULL;
    x->params = params;
    im->has_dev |= type == SYN_DEV;
    if (!params) return 0;
    if (!json_is_object(params)) {
        imp_err_at(im, s, owner, "params", 0, "`params` must be an object of synapse parameters");
        return -1;
    }
    const SynType *t = &imp_syn_types[type];
    const char *k;
    json_t *v;
    int rc = 0;
    double wmin = 0, wmax = 10;
    json_object_foreach(params, k, v)
    {
        char nb[40];
        if (imp_in_strs(t->params, k)) {
            if (!json_is_number(v)) {
                imp_err_at(im, s, params, k, 0,
                           "parameter `%s` of synapse type `%s` must be a number", k, t->name);
                rc = -1;
                continue;
            }
            double xv = json_number_value(v);
            if (strcmp(k, "w_min") == 0) wmin = xv;
            if (strcmp(k, "w_max") == 0) wmax = xv;
            int pk = -1;
            for (int q = 0; type == SYN_DEV && q < 4; q++)
                if (strcmp(k, imp_prune_keys[q]) == 0) pk = q;
            if (pk >= 0)
                x->prune[pk] = xv;
            else
                imp_bput(args, ", %s = %s", k, imp_num(nb, xv));
        } else if (imp_in_strs(t->unused, k)) {
            if (strcmp(k, "modulator_group") == 0 && json_is_array(v) && json_array_size(v)) {
                for (size_t q = 0; q < json_array_size(v); q++) {
                    json_t *e = json_array_get(v, q);
                    if (!json_is_integer(e) || json_integer_value(e) < 0) {
                        imp_err_at(im, s, v, NULL, q,
                                   "`modulator_group` must list neuron indices (whole numbers from "
                                   "0, in the "
                                   "reference's numbering of the recipe's neurons)");
                        rc = -1;
                        break;
                    }
                }
                x->group = v;
                im->has_groups = 1;
            } else if (strcmp(k, "modulator_group") == 0 &&
                       !(json_is_string(v) && !*json_string_value(v)) && !json_is_array(v)) {
                imp_warn_key(im, s, params, k,
                             "`modulator_group` is not a list of neuron indices: the reference's "
                             "gate never opens "
                             "for it (no learning), and neither does brainc's");
            } else if (strcmp(k, "modulator_group") != 0)
                imp_warn_key(
                    im, s, params, k,
                    "parameter `%s` of `%s` is unused by the reference engine; not imported", k,
                    t->name);
        } else if (!imp_is_comment_key(k)) {
            imp_warn_key(im, s, params, k,
                         "unknown parameter `%s` of synapse type `%s`; not imported", k, t->name);
        }
    }
    if (rc == 0 && w < 0 && !(wmin < 0 && wmax <= 0) && type != SYN_FIXED && type != SYN_GAP &&
        strcmp(t->name, "facilitating") != 0 && strcmp(t->name, "depressing") != 0)
        imp_warn_key(im, s, owner, "weight",
                     "a `%s` synapse with negative weight and excitatory bounds [%g, %g] is "
                     "clamped to >= %g at "
                     "its first update (reference §4.1)",
                     t->name, wmin, wmax, wmin);
    return rc;
}
