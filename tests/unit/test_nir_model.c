/* test_nir_model.c - model code lowering: names resolved to (kind, slot),
 * constants folded, member lets inlined, block lets in local slots,
 * compound assignments expanded, integration settings, refractory holds,
 * synapse decays, handlers, refs and static/gap flags. */
#include "test_nir_util.h"

static const char *SRC = "neuron adex(tau = 20, gain = 2, t_ref = 2) {\n"
                         "  state v = -70, w = 0\n"
                         "  input I, J\n"
                         "  let scale = gain * 3\n"
                         "  let drive = scale * (I - J)\n"
                         "  dv/dt = (-v + drive) / tau + (2 * 4) - w\n"
                         "  dw/dt = -w / tau + dt * 0 + exp(0)\n"
                         "  spike when v > -50 { let old = v; v = -70; w += old * 0.01 }\n"
                         "  refractory t_ref hold v\n"
                         "  integrate rk4(substeps = 4)\n"
                         "}\n"
                         "neuron clock { state phase = 0; update { phase = t % 10; if phase > 5 { "
                         "phase -= 1 } else { phase += 1 } } }\n"
                         "synapse trace(lr = 0.1, tau_x = 20) {\n"
                         "  state w, x = 0\n"
                         "  decay x tau_x\n"
                         "  on pre { deliver w * 2 to J; x += 1 }\n"
                         "  on post { w += lr * x * post.v - pre.v * 0 }\n"
                         "  on reward { w += reward * lr }\n"
                         "}\n"
                         "synapse fixed(w = 1) { on pre { deliver w } }\n"
                         "brain b { a[2] : adex\n c : clock\n connect a -> a : trace(w = 1)\n "
                         "connect a -> a : fixed as f }\n";

static const NirExpr *ode_of(const NirNeuronModel *m, const char *state)
{
    int k = nir_model_state(m, state);
    return k >= 0 ? m->ode[k] : NULL;
}

/* Whether the tree contains a node of this kind (and slot, if >= 0). */
static int mentions(const NirExpr *e, NirExprKind kind, int slot)
{
    if (!e)
        return 0;
    if (e->kind == kind && (slot < 0 || e->slot == slot))
        return 1;
    return mentions(e->a, kind, slot) || mentions(e->b, kind, slot) || mentions(e->c, kind, slot);
}

static int count_kind(const NirExpr *e, NirExprKind kind)
{
    return e ? (e->kind == kind) + count_kind(e->a, kind) + count_kind(e->b, kind) + count_kind(e->c, kind)
             : 0;
}

static void test_neuron(const Nir *nir)
{
    const NirNeuronModel *m = &nir->neuron_models[nir->pops[nir_find_pop(nir, "a")].model];
    CHECK(strcmp(m->name, "adex") == 0 && m->nparams == 3 && m->nstates == 2 && m->ninputs == 2, "tables");
    const NirExpr *dv = ode_of(m, "v"), *dw = ode_of(m, "w");
    CHECK(dv && dw, "both ODEs");
    if (!dv || !dw)
        return;
    /* (-v + drive) / tau + 8 - w: the constant 2 * 4 is folded */
    CHECK(dv->kind == NX_BINARY && dv->op == OP_SUB && dv->b->kind == NX_STATE && dv->b->slot == 1,
          "... - w");
    CHECK(dv->a->kind == NX_BINARY && dv->a->b->kind == NX_CONST && dv->a->b->value == 8,
          "2 * 4 folded to 8");
    CHECK(mentions(dv, NX_INPUT, 0) && mentions(dv, NX_INPUT, 1) && mentions(dv, NX_PARAM, 1),
          "lets inlined");
    CHECK(!mentions(dv, NX_LOCAL, -1), "member lets are not locals");
    /* -w / tau + dt * 0 + exp(0): exp(0) folds to 1; dt stays symbolic */
    CHECK(dw->kind == NX_BINARY && dw->op == OP_ADD && dw->b->kind == NX_CONST && dw->b->value == 1,
          "exp(0) = 1");
    CHECK(mentions(dw, NX_DT, -1), "dt is a builtin reference");
    CHECK(m->method == NIR_RK4 && m->substeps == 4, "integrate rk4(substeps = 4)");
    CHECK(m->spike && m->spike->kind == NX_BINARY && m->spike->op == OP_GT, "spike condition");
    const NirStmt *s = m->reset;
    CHECK(s && s->kind == NS_ASSIGN && s->var.kind == NX_LOCAL && s->var.slot == 0, "let old -> local 0");
    s = s ? s->next : NULL;
    CHECK(s && s->var.kind == NX_STATE && s->var.slot == 0 && s->value->kind == NX_CONST, "v = -70");
    s = s ? s->next : NULL;
    CHECK(s && s->var.kind == NX_STATE && s->var.slot == 1 && s->value->op == OP_ADD &&
              s->value->a->kind == NX_STATE && mentions(s->value->b, NX_LOCAL, 0),
          "w += old * 0.01 becomes w = w + %%0 * 0.01");
    CHECK(m->nlocals == 1, "one local");
    CHECK(m->refractory && m->refractory->kind == NX_PARAM && m->nheld == 1 && m->held[0] == 0,
          "refractory hold v");
    const NirNeuronModel *clock = &nir->neuron_models[nir->pops[nir_find_pop(nir, "c")].model];
    CHECK(clock->update && clock->update->next && clock->update->next->kind == NS_IF &&
              clock->update->next->orelse,
          "update with if/else");
    CHECK(clock->update && mentions(clock->update->value, NX_T, -1), "t is a builtin reference");
    CHECK(!clock->spike && clock->method == NIR_EULER && clock->substeps == 1,
          "defaults: no spike, euler, 1 step");
}

static void test_synapse(const Nir *nir)
{
    const NirGroup *g = group_named(nir, "a->a"), *f = group_named(nir, "f");
    CHECK(g && f, "groups a->a and f");
    if (!g || !f)
        return;
    const NirSynapseModel *m = &nir->syn_models[g->model];
    CHECK(m->ndecays == 1 && m->decays[0].state == 1 && m->decays[0].tau->kind == NX_PARAM, "decay x tau_x");
    const NirStmt *d = m->on_pre;
    CHECK(d && d->kind == NS_DELIVER && m->refs[d->ref].post && strcmp(m->refs[d->ref].name, "J") == 0,
          "deliver ... to J");
    CHECK(d && g->refs[d->ref].kind == NX_INPUT && g->refs[d->ref].slot == 1,
          "J resolves to input slot 1 of adex");
    CHECK(d && d->value->kind == NX_BINARY && d->value->op == OP_MUL, "deliver w * 2");
    const NirStmt *post = m->on_post;
    /* x * 0 is not folded: it is NaN when x is infinite or NaN */
    CHECK(post && count_kind(post->value, NX_REF) == 2, "post.v and pre.v stay refs (%d)",
          post ? count_kind(post->value, NX_REF) : -1);
    CHECK(post && post->value->b->a->b->kind == NX_REF &&
              g->refs[post->value->b->a->b->slot].kind == NX_STATE,
          "post.v resolves to a state");
    CHECK(m->on_reward && mentions(m->on_reward->value, NX_REWARD, -1), "reward in on reward");
    CHECK(!m->is_static && !m->is_gap, "plastic synapse");
    const NirSynapseModel *fm = &nir->syn_models[f->model];
    CHECK(fm->is_static && fm->nrefs == 1 && !fm->refs[0].name && f->refs[0].kind == NX_INPUT &&
              f->refs[0].slot == 0,
          "static synapse delivering to the first input");
}

int main(void)
{
    Net net;
    Nir *nir = net_ok(&net, SRC, NULL);
    CHECK(nir, "builds");
    if (nir) {
        test_neuron(nir);
        test_synapse(nir);
    }
    net_free(&net);
    return report();
}
