/* nir_print.c - the readable dump of `brainc ir` (format in docs/ir.md).
 * Stable: same IR, same text. Numbers print in the shortest form that reads
 * back to the same double. Verbose adds model code, previews of per-neuron
 * and per-synapse arrays, instance anchors and the first CSR rows. */
#include "nir.h"
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PREVIEW 8 /* array elements and CSR rows shown by --verbose */

/* Summaries (ranges, previews) of random arrays need no 17 digits. */
static const char *approx(double v, char *buf)
{
    if (v == 0)
        return "0";
    snprintf(buf, 32, "%.6g", v);
    return buf;
}

static const char *num(double v, char *buf)
{
    if (isinf(v))
        return v > 0 ? "inf" : "-inf";
    if (isnan(v))
        return "nan";
    if (v == 0)
        return "0"; /* also -0 */
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* ---- model code ---------------------------------------------------------- */

typedef struct Names {
    const char *const *params, *const *states, *const *inputs;
    const NirSynRef *refs;
} Names;

static void print_ref(const NirSynRef *r, FILE *out)
{
    fprintf(out, "%s.%s", r->post ? "post" : "pre", r->name ? r->name : "<input>");
}

static void print_var(NirExprKind kind, int slot, const Names *n, FILE *out)
{
    switch (kind) {
    case NX_PARAM: fputs(n->params[slot], out); break;
    case NX_STATE: fputs(n->states[slot], out); break;
    case NX_INPUT: fputs(n->inputs[slot], out); break;
    case NX_LOCAL: fprintf(out, "%%%d", slot); break;
    case NX_REF: print_ref(&n->refs[slot], out); break;
    case NX_T: fputs("t", out); break;
    case NX_DT: fputs("dt", out); break;
    case NX_REWARD: fputs("reward", out); break;
    case NX_RANDOM: fputs("random()", out); break; /* sites: in source order */
    default: fputs("?", out); break;
    }
}

/* Binding power of an operator, as in the language (language.md §2). */
static int prec(const NirExpr *e)
{
    if (e->kind == NX_UNARY)
        return e->op == OP_NOT ? 3 : 7;
    if (e->kind == NX_COND)
        return 0;
    if (e->kind != NX_BINARY)
        return 9;
    switch (e->op) {
    case OP_OR: return 1;
    case OP_AND: return 2;
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE: return 4;
    case OP_ADD:
    case OP_SUB: return 5;
    case OP_MUL:
    case OP_DIV:
    case OP_MOD: return 6;
    case OP_POW: return 8;
    default: return 9;
    }
}

static void print_expr(const NirExpr *e, const Names *n, FILE *out);

static void print_sub(const NirExpr *e, int need, const Names *n, FILE *out)
{
    int paren = prec(e) < need;
    if (paren)
        fputc('(', out);
    print_expr(e, n, out);
    if (paren)
        fputc(')', out);
}

/* Minimal parentheses: operands binding looser than their operator get
 * them; right operands of left-associative operators also at equal power. */
static void print_expr(const NirExpr *e, const Names *n, FILE *out)
{
    char buf[32];
    switch (e->kind) {
    case NX_CONST: fputs(num(e->value, buf), out); break;
    case NX_UNARY:
        fputs(e->op == OP_NOT ? "not " : "-", out);
        print_sub(e->a, prec(e), n, out);
        break;
    case NX_BINARY: {
        int p = prec(e), right_assoc = e->op == OP_POW;
        print_sub(e->a, right_assoc ? p + 1 : p, n, out);
        fprintf(out, " %s ", ast_op_text(e->op));
        print_sub(e->b, right_assoc ? p : p + 1, n, out);
        break;
    }
    case NX_COND:
        fputs("if ", out);
        print_expr(e->a, n, out);
        fputs(" then ", out);
        print_expr(e->b, n, out);
        fputs(" else ", out);
        print_sub(e->c, 0, n, out);
        break;
    case NX_CALL:
        fprintf(out, "%s(", nir_fn_name(e->fn));
        print_expr(e->a, n, out);
        if (e->b) {
            fputs(", ", out);
            print_expr(e->b, n, out);
        }
        if (e->c) {
            fputs(", ", out);
            print_expr(e->c, n, out);
        }
        fputc(')', out);
        break;
    default: print_var(e->kind, e->slot, n, out); break;
    }
}

static void print_stmts(const NirStmt *s, const Names *n, FILE *out, int indent)
{
    for (; s; s = s->next) {
        fprintf(out, "%*s", indent, "");
        switch (s->kind) {
        case NS_ASSIGN:
            print_var(s->var.kind, s->var.slot, n, out);
            fputs(" = ", out);
            print_expr(s->value, n, out);
            fputc('\n', out);
            break;
        case NS_IF:
            fputs("if ", out);
            print_expr(s->value, n, out);
            fputs(" {\n", out);
            print_stmts(s->body, n, out, indent + 2);
            if (s->orelse) {
                fprintf(out, "%*s} else {\n", indent, "");
                print_stmts(s->orelse, n, out, indent + 2);
            }
            fprintf(out, "%*s}\n", indent, "");
            break;
        case NS_DELIVER:
            fputs("deliver ", out);
            print_expr(s->value, n, out);
            fputs(" to ", out);
            print_ref(&n->refs[s->ref], out);
            fputc('\n', out);
            break;
        case NS_PRUNE: fputs("prune\n", out); break;
        }
    }
}

static void print_list(const char *label, const char *const *names, int n, FILE *out)
{
    if (!n)
        return;
    fprintf(out, "  %s", label);
    for (int k = 0; k < n; k++)
        fprintf(out, "%s%s", k ? ", " : " ", names[k]);
    fputc('\n', out);
}

void nir_print_neuron_model(const NirNeuronModel *m, FILE *out)
{
    static const char *const methods[] = {"euler", "rk4", "exact"};
    Names n = {m->params, m->states, m->inputs, NULL};
    fprintf(out, "neuron %s\n", m->name);
    print_list("params", m->params, m->nparams, out);
    print_list("state", m->states, m->nstates, out);
    print_list("input", m->inputs, m->ninputs, out);
    for (int k = 0; k < m->nstates; k++)
        if (m->ode[k]) {
            fprintf(out, "  d%s/dt = ", m->states[k]);
            print_expr(m->ode[k], &n, out);
            fputc('\n', out);
        }
    fprintf(out, "  integrate %s substeps %d\n", methods[m->method], m->substeps);
    if (m->spike) {
        fputs("  spike when ", out);
        print_expr(m->spike, &n, out);
        fputs(" {\n", out);
        print_stmts(m->reset, &n, out, 4);
        fputs("  }\n", out);
    }
    if (m->refractory) {
        fputs("  refractory ", out);
        print_expr(m->refractory, &n, out);
        for (int k = 0; k < m->nheld; k++)
            fprintf(out, "%s%s", k ? ", " : " hold ", m->states[m->held[k]]);
        fputc('\n', out);
    }
    if (m->update) {
        fputs("  update {\n", out);
        print_stmts(m->update, &n, out, 4);
        fputs("  }\n", out);
    }
}

static void print_handler(const char *label, const NirStmt *s, const Names *n, FILE *out)
{
    if (!s)
        return;
    fprintf(out, "  %s {\n", label);
    print_stmts(s, n, out, 4);
    fputs("  }\n", out);
}

void nir_print_synapse_model(const NirSynapseModel *m, FILE *out)
{
    Names n = {m->params, m->states, NULL, m->refs};
    fprintf(out, "synapse %s%s%s\n", m->name, m->is_gap ? "  gap" : "", m->is_static ? "  static" : "");
    print_list("params", m->params, m->nparams, out);
    print_list("state", m->states, m->nstates, out);
    for (int k = 0; k < m->ndecays; k++) {
        fprintf(out, "  decay %s tau ", m->states[m->decays[k].state]);
        print_expr(m->decays[k].tau, &n, out);
        fputc('\n', out);
    }
    print_handler("on pre", m->on_pre, &n, out);
    print_handler("on post", m->on_post, &n, out);
    print_handler("on reward", m->on_reward, &n, out);
    print_handler("update", m->update, &n, out);
    if (m->is_gap) {
        fputs("  gap g = ", out);
        print_expr(m->gap_g, &n, out);
        fputs(" between ", out);
        print_ref(&m->refs[m->gap_pre_var], out);
        fputs(" and ", out);
        print_ref(&m->refs[m->gap_post_var], out);
        fputc('\n', out);
    }
}

/* ---- values ------------------------------------------------------------------ */

static void minmax_d(const double *a, uint64_t n, double *lo, double *hi)
{
    *lo = *hi = n ? a[0] : 0;
    for (uint64_t k = 1; k < n; k++) {
        *lo = a[k] < *lo ? a[k] : *lo;
        *hi = a[k] > *hi ? a[k] : *hi;
    }
}

static void print_value(const char *name, const NirValues *v, uint64_t n, FILE *out)
{
    char b1[32], b2[32];
    if (!v->array) {
        fprintf(out, "%s = %s", name, num(v->value, b1));
        return;
    }
    double lo, hi;
    minmax_d(v->array, n, &lo, &hi);
    fprintf(out, "%s = [%s .. %s]", name, approx(lo, b1), approx(hi, b2));
}

static void print_syn_value(const char *name, const NirSynValues *v, uint64_t n, FILE *out)
{
    char b1[32], b2[32];
    if (!v->array) {
        fprintf(out, "%s = %s", name, num(v->value, b1));
        return;
    }
    float lo = n ? v->array[0] : 0, hi = lo;
    for (uint64_t k = 1; k < n; k++) {
        lo = v->array[k] < lo ? v->array[k] : lo;
        hi = v->array[k] > hi ? v->array[k] : hi;
    }
    fprintf(out, "%s = [%s .. %s]", name, approx(lo, b1), approx(hi, b2));
}

static void preview_d(const char *name, const double *a, uint64_t n, FILE *out)
{
    char buf[32];
    fprintf(out, "    %s:", name);
    for (uint64_t k = 0; k < n && k < PREVIEW; k++)
        fprintf(out, " %s", approx(a[k], buf));
    fputs(n > PREVIEW ? " ...\n" : "\n", out);
}

static void preview_f(const char *name, const float *a, uint64_t n, FILE *out)
{
    char buf[32];
    fprintf(out, "    %s:", name);
    for (uint64_t k = 0; k < n && k < PREVIEW; k++)
        fprintf(out, " %s", approx(a[k], buf));
    fputs(n > PREVIEW ? " ...\n" : "\n", out);
}

/* "(per-neuron: c, v)" or "(per-neuron: none)". */
static void per_element_note(const char *what, const char *const *names, const int *is_array, int n,
                             FILE *out)
{
    int any = 0;
    fprintf(out, "(%s:", what);
    for (int k = 0; k < n; k++)
        if (is_array[k])
            fprintf(out, "%s %s", any++ ? "," : "", names[k]);
    fputs(any ? ")" : " none)", out);
}

/* ---- network ------------------------------------------------------------------- */

static void print_header(const Nir *nir, FILE *out)
{
    char buf[32];
    fprintf(out, "brain %s  seed %" PRIu64 "  dt %s ms", nir->brain, nir->seed, num(nir->dt, buf));
    if (nir->preset)
        fprintf(out, "  preset %s", nir->preset);
    fputc('\n', out);
    fputs("params:", out);
    for (int k = 0; k < nir->nparams; k++)
        fprintf(out, "%s %s = %s", k ? "  " : "", nir->params[k].name, num(nir->params[k].value, buf));
    fputs(nir->nparams ? "\n" : " none\n", out);
}

static void print_pop(const Nir *nir, const NirPop *p, FILE *out, int verbose)
{
    const NirNeuronModel *m = &nir->neuron_models[p->model];
    fprintf(out, "population %s  model %s  size %u", p->path, m->name, p->size);
    if (p->inst >= 0)
        fprintf(out, "  instances %u x %u", p->instances, p->per_instance);
    fputc('\n', out);
    int nvars = m->nparams + m->nstates, *arr = calloc((size_t)nvars + 1, sizeof *arr);
    const char **names = calloc((size_t)nvars + 1, sizeof *names);
    fputs("  ", out);
    for (int k = 0; k < m->nparams; k++) {
        print_value(m->params[k], &p->params[k], p->size, out);
        fputs("   ", out);
        names[k] = m->params[k];
        arr[k] = p->params[k].array != NULL;
    }
    for (int k = 0; k < m->nstates; k++) {
        names[m->nparams + k] = m->states[k];
        arr[m->nparams + k] = p->state[k].array != NULL;
    }
    per_element_note("per-neuron", names, arr, nvars, out);
    fputs("\n  state", out);
    for (int k = 0; k < m->nstates; k++) {
        fputs(k ? "   " : " ", out);
        print_value(m->states[k], &p->state[k], p->size, out);
    }
    fputs(m->nstates ? "\n" : " none\n", out);
    if (verbose) {
        for (int k = 0; k < nvars; k++) {
            const NirValues *v = k < m->nparams ? &p->params[k] : &p->state[k - m->nparams];
            if (v->array)
                preview_d(names[k], v->array, p->size, out);
        }
        static const char *const axes[] = {"x", "y", "z"};
        fputs("  position", out);
        for (int k = 0; k < 3; k++) {
            fputs(k ? "   " : " ", out);
            print_value(axes[k], &p->pos[k], p->size, out);
        }
        fputc('\n', out);
        for (int k = 0; k < 3; k++)
            if (p->pos[k].array)
                preview_d(axes[k], p->pos[k].array, p->size, out);
    }
    free(arr);
    free(names);
}

static void print_set(const Nir *nir, const NirInstSet *s, FILE *out, int verbose)
{
    char b1[32], b2[32], b3[32];
    fprintf(out, "instances %s  component %s  count %u", s->path, s->component, s->count);
    if (s->parent >= 0)
        fprintf(out, "  (%u per %s)", s->per_parent, nir->sets[s->parent].path);
    if (s->layer)
        fprintf(out, "  layer %d", s->layer);
    fputc('\n', out);
    for (int t = 0; t < s->nterms; t++)
        fprintf(out, "  %s %s  %u neuron%s\n", s->terms[t].dir == TERM_IN ? "in " : "out", s->terms[t].name,
                s->terms[t].n, s->terms[t].n == 1 ? "" : "s");
    if (verbose)
        for (uint32_t j = 0; j < s->count && j < PREVIEW; j++)
            fprintf(out, "    anchor %u: (%s, %s, %s)\n", j, num(s->anchor[0][j], b1),
                    num(s->anchor[1][j], b2), num(s->anchor[2][j], b3));
}

static void print_delay(const NirGroup *g, FILE *out)
{
    if (g->is_gap) {
        fputs("  gap", out);
        return;
    }
    if (!g->delays) {
        fprintf(out, "  delay %u", g->delay);
        return;
    }
    uint16_t lo = g->delays[0], hi = lo;
    for (uint64_t k = 1; k < g->n_syn; k++) {
        lo = g->delays[k] < lo ? g->delays[k] : lo;
        hi = g->delays[k] > hi ? g->delays[k] : hi;
    }
    fprintf(out, "  delay %u..%u", lo, hi);
}

/* The first non-empty rows. */
static void preview_csr(const NirGroup *g, uint32_t n_pre, FILE *out)
{
    int shown = 0;
    for (uint32_t i = 0; i < n_pre && shown < PREVIEW; i++) {
        uint64_t begin = g->row_ptr[i], end = g->row_ptr[i + 1];
        if (begin == end)
            continue;
        shown++;
        fprintf(out, "    row %u:", i);
        for (uint64_t k = begin; k < end && k < begin + PREVIEW; k++)
            fprintf(out, " %u", g->col[k]);
        fputs(end - begin > PREVIEW ? " ...\n" : "\n", out);
    }
}

/* The states a backend may keep per neuron (nir_shared.c). */
static void print_shared(const NirGroup *g, const NirSynapseModel *m, FILE *out)
{
    uint8_t *side = calloc((size_t)m->nstates + 1, 1);
    if (!side || !nir_shared_sides(g, m, side, NULL)) {
        free(side);
        return;
    }
    const char *sep = "  shared traces: ";
    for (int j = 0; j < m->nstates; j++)
        if (side[j] != NIR_SIDE_SYNAPSE) {
            fprintf(out, "%s%s (per %s neuron)", sep, m->states[j], side[j] == NIR_SIDE_PRE ? "pre" : "post");
            sep = ", ";
        }
    fputc('\n', out);
    free(side);
}

static void print_group(const Nir *nir, const NirGroup *g, FILE *out, int verbose)
{
    const NirSynapseModel *m = &nir->syn_models[g->model];
    fprintf(out, "synapses %s  model %s  pre %s  post %s  count %" PRIu64, g->name, m->name,
            nir->pops[g->pre].path, nir->pops[g->post].path, g->n_syn);
    print_delay(g, out);
    fputc('\n', out);
    int nvars = m->nparams + m->nstates, *arr = calloc((size_t)nvars + 1, sizeof *arr);
    const char **names = calloc((size_t)nvars + 1, sizeof *names);
    if (nvars)
        fputs("  ", out);
    for (int k = 0; k < nvars; k++) {
        const NirSynValues *v = k < m->nparams ? &g->params[k] : &g->state[k - m->nparams];
        names[k] = k < m->nparams ? m->params[k] : m->states[k - m->nparams];
        arr[k] = v->array != NULL;
        print_syn_value(names[k], v, g->n_syn, out);
        fputs("   ", out);
    }
    if (nvars) {
        per_element_note("per-synapse", names, arr, nvars, out);
        fputc('\n', out);
    }
    print_shared(g, m, out);
    if (verbose) {
        for (int k = 0; k < nvars; k++) {
            const NirSynValues *v = k < m->nparams ? &g->params[k] : &g->state[k - m->nparams];
            if (v->array)
                preview_f(names[k], v->array, g->n_syn, out);
        }
        preview_csr(g, nir->pops[g->pre].size, out);
    }
    free(arr);
    free(names);
}

static void print_input(const Nir *nir, const NirInput *in, FILE *out)
{
    char b1[32], b2[32], b3[32];
    const char *pop = nir->pops[in->pop].path;
    switch (in->kind) {
    case NIR_IN_CURRENT: fprintf(out, "input current(amplitude = %s)", num(in->amplitude, b1)); break;
    case NIR_IN_POISSON:
        fprintf(out, "input poisson(rate = %s, w = %s)", num(in->rate, b1), num(in->w, b2));
        break;
    case NIR_IN_SPIKES: fprintf(out, "input spikes(%u times, w = %s)", in->ntimes, num(in->w, b2)); break;
    case NIR_IN_RAMP:
        fprintf(out, "input ramp(start = %s, end = %s)", num(in->amplitude, b1), num(in->amplitude_end, b2));
        break;
    case NIR_IN_NOISE:
        fprintf(out, "input noise(mean = %s, sd = %s)", num(in->amplitude, b1), num(in->sd, b2));
        break;
    }
    fprintf(out, "  to %s  neurons %u  from %s until %s\n", pop, in->n, num(in->from, b1),
            num(in->until, b3));
}

static void print_record(const Nir *nir, const NirRecord *r, FILE *out)
{
    switch (r->kind) {
    case NIR_REC_SPIKES: fprintf(out, "record spikes %s  neurons %u\n", nir->pops[r->pop].path, r->n); break;
    case NIR_REC_STATE: {
        const NirNeuronModel *m = &nir->neuron_models[nir->pops[r->pop].model];
        fprintf(out, "record %s.%s  neurons %u  every %u\n", nir->pops[r->pop].path, m->states[r->var], r->n,
                r->every);
        break;
    }
    case NIR_REC_SYNAPSE: {
        const NirGroup *g = &nir->groups[r->groups[0]];
        fprintf(out, "record %s.%s  groups %d  every %u\n", g->conn, nir->syn_models[g->model].states[r->var],
                r->ngroups, r->every);
        break;
    }
    }
}

/* Observations as `obsK = spikes of POP (n neurons) over W ticks`, then each
 * reward's expression over them and its target groups. */
static void print_rewards(const Nir *nir, FILE *out)
{
    char(*names)[24] = calloc((size_t)nir->nobserves + 1, sizeof *names);
    const char **pnames = calloc((size_t)nir->nobserves + 1, sizeof *pnames);
    if (!names || !pnames) {
        free(names);
        free(pnames);
        return;
    }
    for (int k = 0; k < nir->nobserves; k++) {
        const NirObserve *o = &nir->observes[k];
        snprintf(names[k], sizeof names[k], "obs%d", k);
        pnames[k] = names[k];
        fprintf(out, "observe %s = spikes of %s  neurons %u  window %u\n", names[k], nir->pops[o->pop].path, o->n,
                o->window);
    }
    Names n = {pnames, NULL, NULL, NULL};
    for (int k = 0; k < nir->nrewards; k++) {
        const NirReward *r = &nir->rewards[k];
        fputs("reward ", out);
        print_expr(r->amount, &n, out);
        if (!r->groups)
            fputs("  to every group\n", out);
        else {
            fputs("  to groups", out);
            for (int g = 0; g < r->ngroups; g++)
                fprintf(out, " %s", nir->groups[r->groups[g]].name);
            fputc('\n', out);
        }
    }
    free(names);
    free(pnames);
}

void nir_print(const Nir *nir, FILE *out, int verbose)
{
    print_header(nir, out);
    if (verbose) {
        for (int k = 0; k < nir->nneuron_models; k++)
            nir_print_neuron_model(&nir->neuron_models[k], out);
        for (int k = 0; k < nir->nsyn_models; k++)
            nir_print_synapse_model(&nir->syn_models[k], out);
    }
    for (int k = 0; k < nir->nsets; k++)
        print_set(nir, &nir->sets[k], out, verbose);
    for (int k = 0; k < nir->npops; k++)
        print_pop(nir, &nir->pops[k], out, verbose);
    for (int k = 0; k < nir->ngroups; k++)
        print_group(nir, &nir->groups[k], out, verbose);
    for (int k = 0; k < nir->ninputs; k++)
        print_input(nir, &nir->inputs[k], out);
    for (int k = 0; k < nir->nrecords; k++)
        print_record(nir, &nir->records[k], out);
    print_rewards(nir, out);
    fprintf(out, "totals: %" PRIu64 " neurons, %" PRIu64 " synapses in %d group%s\n", nir->n_neurons,
            nir->n_synapses, nir->ngroups, nir->ngroups == 1 ? "" : "s");
}

void nir_print_stats(const Nir *nir, FILE *out)
{
    fprintf(out, "neurons %" PRIu64 "  synapses %" PRIu64 "  populations %d  groups %d  array_bytes %zu\n",
            nir->n_neurons, nir->n_synapses, nir->npops, nir->ngroups, nir->bytes);
}
