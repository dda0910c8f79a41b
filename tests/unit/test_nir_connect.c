/* test_nir_connect.c - synapse groups: exact structure of the deterministic
 * rules (all_to_all, one_to_one, fanin, fanout, index maps, selections),
 * 5-sigma counts for the random ones (probability, per instance,
 * proximity), per-synapse weight moments, delays, multi-population
 * selections split into groups, gap junctions and deliver targets. */
#include "test_nir_util.h"

static const char *MODELS =
    "neuron lif(tau = 10) { state v = 0, g_e = 0; input I; dv/dt = -v / tau + I + g_e; spike when "
    "v > 1 { v = 0 } }\n"
    "neuron bare(x = 1) { state v = 0; update { v = x } }\n"
    "synapse fixed(w = 1) { on pre { deliver w } }\n"
    "synapse plastic { state w, x = 0; decay x 20; on pre { deliver w; x += 1 } }\n"
    "synapse cond(w = 1) { on pre { deliver w to g_e } }\n"
    "synapse gj(g = 0.1) { gap g }\n";

static Nir *build_with(Net *net, const char *brain, uint64_t seed)
{
    size_t n = strlen(MODELS) + strlen(brain) + 1;
    char *src = malloc(n);
    snprintf(src, n, "%s%s", MODELS, brain);
    NirOptions o = opts_seed(seed);
    Nir *nir = net_ok(net, src, &o);
    free(src);
    return nir;
}

static uint64_t in_degree(const NirGroup *g, uint32_t n_pre, uint32_t post)
{
    uint64_t d = 0;
    for (uint32_t i = 0; i < n_pre; i++)
        d += has_synapse(g, i, post);
    return d;
}

static int rows_ascending(const NirGroup *g, uint32_t n_pre)
{
    for (uint32_t i = 0; i < n_pre; i++)
        for (uint64_t k = g->row_ptr[i] + 1; k < g->row_ptr[i + 1]; k++)
            if (g->col[k] < g->col[k - 1])
                return 0;
    return 1;
}

static void test_dense_rules(void)
{
    Net net;
    Nir *nir = build_with(&net,
                          "brain b {\n"
                          "  a[30] : lif\n  b[20] : lif\n  c[30] : lif\n"
                          "  connect a -> b : fixed as full\n"
                          "  connect a -> c : fixed one_to_one as diag\n"
                          "  connect a -> b : fixed fanin 7 as fin\n"
                          "  connect a -> b : fixed fanout 5 as fout\n"
                          "  connect a[3] -> b[0..2] : fixed as pick\n"
                          "  connect a[0, 2] -> b[5] : fixed as list\n"
                          "}\n",
                          1);
    const NirGroup *full = group_named(nir, "full"), *diag = group_named(nir, "diag");
    const NirGroup *fin = group_named(nir, "fin"), *fout = group_named(nir, "fout");
    const NirGroup *pick = group_named(nir, "pick"), *list = group_named(nir, "list");
    CHECK(full && diag && fin && fout && pick && list, "all groups exist");
    if (!full || !diag || !fin || !fout || !pick || !list)
        goto done;
    int ok = full->n_syn == 600;
    for (uint32_t i = 0; i < 30; i++)
        for (uint32_t j = 0; j < 20; j++)
            ok &= has_synapse(full, i, j);
    CHECK(ok && rows_ascending(full, 30), "all_to_all: every pair once");
    ok = diag->n_syn == 30;
    for (uint32_t i = 0; i < 30; i++)
        ok &= diag->row_ptr[i + 1] - diag->row_ptr[i] == 1 && diag->col[diag->row_ptr[i]] == i;
    CHECK(ok, "one_to_one: i -> i");
    ok = fin->n_syn == 140 && rows_ascending(fin, 30);
    for (uint32_t j = 0; j < 20; j++)
        ok &= in_degree(fin, 30, j) == 7;
    CHECK(ok, "fanin 7: every target has exactly 7 distinct sources");
    ok = fout->n_syn == 150;
    for (uint32_t i = 0; i < 30; i++) {
        ok &= fout->row_ptr[i + 1] - fout->row_ptr[i] == 5;
        for (uint64_t k = fout->row_ptr[i] + 1; k < fout->row_ptr[i + 1]; k++)
            ok &= fout->col[k] > fout->col[k - 1];
    }
    CHECK(ok, "fanout 5: every source has exactly 5 distinct targets");
    CHECK(pick->n_syn == 3 && has_synapse(pick, 3, 0) && has_synapse(pick, 3, 1) && has_synapse(pick, 3, 2),
          "a[3] -> b[0..2]");
    CHECK(list->n_syn == 2 && has_synapse(list, 0, 5) && has_synapse(list, 2, 5), "a[0, 2] -> b[5]");
done:
    net_free(&net);
}

static void test_probability(void)
{
    Net net;
    Nir *nir = build_with(&net,
                          "brain b(p = 0.1) { x[2000] : lif\n y[2000] : lif\n connect x -> y : "
                          "fixed probability p }\n",
                          3);
    const NirGroup *g = nir && nir->ngroups == 1 ? &nir->groups[0] : NULL;
    double mean = 2000.0 * 2000 * 0.1, sd = sqrt(2000.0 * 2000 * 0.1 * 0.9);
    CHECK(g && fabs((double)g->n_syn - mean) < 5 * sd, "probability 0.1: %llu synapses vs %g +- %g",
          g ? (unsigned long long)g->n_syn : 0ull, mean, sd);
    CHECK(g && rows_ascending(g, 2000), "rows ascending");
    net_free(&net);
}

static void test_index_map(void)
{
    Net net;
    Nir *nir = build_with(&net,
                          "brain b { r[10] : lif\n s[5] : lif\n"
                          "  connect r[i] -> r[(i + 3) % 10] : fixed as ring\n"
                          "  connect r[k] -> s[k / 2 - k % 2 / 2] : fixed as half\n"
                          "  connect r[i] -> r[(i - 1) % 10] : fixed as back }\n",
                          1);
    const NirGroup *ring = group_named(nir, "ring"), *half = group_named(nir, "half"),
                   *back = group_named(nir, "back");
    int ok = ring && ring->n_syn == 10;
    for (uint32_t i = 0; ok && i < 10; i++)
        ok &= ring->row_ptr[i + 1] - ring->row_ptr[i] == 1 && has_synapse(ring, i, (i + 3) % 10);
    CHECK(ok, "r[i] -> r[(i + 3) %% 10] exactly");
    ok = half && half->n_syn == 10;
    for (uint32_t i = 0; ok && i < 10; i++)
        ok &= has_synapse(half, i, i / 2);
    CHECK(ok, "any index variable name; integer arithmetic");
    CHECK(back && has_synapse(back, 0, 9), "%% is floored: (0 - 1) %% 10 = 9");
    net_free(&net);
}

/* A component whose out terminal spans two populations. */
static const char *TWO_POPS = "component duo { p[3] : lif\n q[2] : bare\n out o = p, q\n in t = p[0] }\n";

static void test_multi_population(void)
{
    char brain[1024];
    snprintf(brain, sizeof brain,
             "%sbrain b { d[4] : duo\n z[50] : lif\n"
             "  connect d.o -> z : fixed fanin 6 as spread\n"
             "  connect z -> d.t : fixed probability 1 as back }\n",
             TWO_POPS);
    Net net;
    Nir *nir = build_with(&net, brain, 5);
    const NirGroup *pz = group_named(nir, "spread:d.p->z"), *qz = group_named(nir, "spread:d.q->z");
    CHECK(pz && qz, "one group per (pre pop, post pop)");
    if (pz && qz) {
        int ok = pz->n_syn + qz->n_syn == 300;
        for (uint32_t j = 0; j < 50; j++)
            ok &= in_degree(pz, 12, j) + in_degree(qz, 8, j) == 6;
        CHECK(ok, "fanin over the union of both populations: 6 per target");
        CHECK(strcmp(pz->conn, "spread") == 0 && strcmp(qz->conn, "spread") == 0,
              "groups share the connection");
    }
    const NirGroup *back = group_named(nir, "back");
    CHECK(back && back->n_syn == 200 && has_synapse(back, 7, 9),
          "terminal d.t of all 4 instances: p[0] of each");
    net_free(&net);
}

/* inner-models-v8 projections: n_F * n_T * p * |outs| * |ins| */
static const char *PROJ = "component src { r[3] : lif\n s : lif\n out o = r\n out o2 = s }\n"
                          "component dst { x[2] : lif\n y : lif\n z : lif\n in t1 = x\n in t2 = "
                          "y\n in kill_in = z\n out done = z }\n";

static void test_per_instance(void)
{
    char brain[2048];
    snprintf(brain, sizeof brain,
             "%sbrain b { A[40] : src\n B[50] : dst\n"
             "  connect A.o -> B.t1 : fixed(w = 3) probability 0.3 per instance delay 2 as proj\n"
             "  connect A.o -> B.kill_in : fixed probability 0.2 per instance as ctl\n"
             "  connect A.o -> A.o2 : fixed probability 1 per instance as self }\n",
             PROJ);
    Net net;
    Nir *nir = build_with(&net, brain, 9);
    if (!nir)
        goto done;
    uint64_t proj = 0, ctl = 0, self = 0;
    int endpoints_ok = 1;
    for (int g = 0; g < nir->ngroups; g++) {
        const NirGroup *grp = &nir->groups[g];
        const char *post = nir->pops[grp->post].path;
        if (strcmp(grp->conn, "proj") == 0) {
            proj += grp->n_syn;
            endpoints_ok &= strcmp(post, "B.x") == 0;
            endpoints_ok &= grp->delay == 2 && !grp->delays && nir_syn_value_at(&grp->params[0], 0) == 3;
        } else if (strcmp(grp->conn, "ctl") == 0) {
            ctl += grp->n_syn;
            endpoints_ok &= strcmp(post, "B.z") == 0;
        } else if (strcmp(grp->conn, "self") == 0) {
            self += grp->n_syn;
        }
    }
    /* one out and one in terminal: n_F * n_T * p * |outs| * |ins| = 40 * 50 * 0.3 */
    double mean = 40.0 * 50 * 0.3, sd = sqrt(40.0 * 50 * 0.3 * 0.7);
    CHECK(fabs(proj - mean) < 5 * sd, "per instance: %llu vs %g +- %g", (unsigned long long)proj, mean, sd);
    double mean2 = 40.0 * 50 * 0.2, sd2 = sqrt(40.0 * 50 * 0.2 * 0.8);
    CHECK(fabs(ctl - mean2) < 5 * sd2, "a control input named explicitly is wired: %llu vs %g",
          (unsigned long long)ctl, mean2);
    CHECK(self == 40 * 40, "probability 1 per instance, F = T allowed: %llu", (unsigned long long)self);
    CHECK(endpoints_ok, "terminals, delay and weight of projections");
    /* every projection synapse joins an out-terminal neuron to an in-terminal one */
    const NirGroup *rx = group_named(nir, "proj");
    int ok = rx != NULL;
    for (uint32_t i = 0; rx && i < 120; i++)
        for (uint64_t k = rx->row_ptr[i]; k < rx->row_ptr[i + 1]; k++)
            ok &= rx->col[k] < 100;
    CHECK(ok, "A.r -> B.x group with valid endpoints");
done:
    net_free(&net);
}

static void test_weights_and_delays(void)
{
    Net net;
    Nir *nir = build_with(&net,
                          "brain b { timestep 0.5\n x[2000] : lif\n y[2000] : lif\n"
                          "  connect x -> y : plastic(w = normal(2, 0.5)) fanin 50 delay 1..3 as wd\n"
                          "  connect x -> y : fixed(w = 4) one_to_one delay 2 as c2 }\n",
                          11);
    const NirGroup *wd = group_named(nir, "wd"), *c2 = group_named(nir, "c2");
    CHECK(wd && c2, "groups exist");
    if (!wd || !c2)
        goto done;
    const NirSynValues *w = syn_var(nir, wd, "w"), *x = syn_var(nir, wd, "x");
    CHECK(w && w->array && x && !x->array && x->value == 0, "w per synapse, x uniform 0");
    double s = 0, s2 = 0, n = (double)wd->n_syn;
    for (uint64_t k = 0; w && k < wd->n_syn; k++) {
        s += w->array[k];
        s2 += (double)w->array[k] * w->array[k];
    }
    double mean = s / n, var = s2 / n - mean * mean;
    CHECK(fabs(mean - 2) < 5 * 0.5 / sqrt(n), "weight mean %g", mean);
    CHECK(fabs(var - 0.25) < 5 * 0.25 * sqrt(2 / n), "weight variance %g", var);
    uint64_t hist[8] = {0};
    for (uint64_t k = 0; k < wd->n_syn; k++)
        hist[nir_delay_at(wd, k) < 8 ? nir_delay_at(wd, k) : 7]++;
    /* 1..3 ms uniform integer at dt 0.5 ms: 2, 4, 6 ticks, a third each */
    double third = n / 3, sd = sqrt(n * (1.0 / 3) * (2.0 / 3));
    CHECK(wd->delays && hist[2] + hist[4] + hist[6] == wd->n_syn, "delays on the tick grid");
    CHECK(fabs(hist[2] - third) < 5 * sd && fabs(hist[4] - third) < 5 * sd, "delays uniform over 1..3 ms");
    CHECK(!c2->delays && c2->delay == 4, "delay 2 ms = 4 ticks of 0.5 ms");
done:
    net_free(&net);
}

static void test_proximity(void)
{
    /* src i at (0, 0, 100 i), dst i at (6, 0, 100 i): only (src i, dst i) are
     * within 12, at distance 6: p = 0.5 * (1 - 6 / 12) per terminal pair */
    const char *comps =
        "synapse fixed(w = 1) { on pre { deliver w } }\n"
        "neuron lif(tau = 10) { state v = 0; input I; dv/dt = -v / tau + I; spike when v > 1 { v = "
        "0 } }\n"
        "component emitter { e[2] : lif\n out spikes_out = e }\n"
        "component receiver { r[3] : lif\n in trigger_in = r[0]\n in kill_in = r[1] }\n";
    char src[4096];
    for (int mode = 0; mode < 2; mode++) {
        snprintf(src, sizeof src,
                 "%sbrain b { s[400] : emitter at (0, 0, 100 * i)\n d[400] : receiver at (6, 0, "
                 "100 * i)\n"
                 "  wire proximity(max_distance = 12, probability = 0.5, weight_scale = 2, %s) }\n",
                 comps, mode ? "inhibition_fraction = 1" : "type_aware_inhibition = true");
        Net net;
        NirOptions o = opts_seed(2);
        Nir *nir = net_ok(&net, src, &o);
        const NirGroup *g = nir && nir->ngroups == 1 ? &nir->groups[0] : NULL;
        double mean = 400 * 0.25, sd = sqrt(400 * 0.25 * 0.75);
        CHECK(g && fabs((double)g->n_syn - mean) < 5 * sd, "proximity count %llu vs %g",
              g ? (unsigned long long)g->n_syn : 0ull, mean);
        if (g) {
            const NirSynValues *w = syn_var(nir, g, "w");
            int ok = w != NULL && g->delay == 1 && !g->delays;
            for (uint64_t k = 0; ok && k < g->n_syn; k++)
                ok &= nir_syn_value_at(w, k) == (mode ? -20 : 20);
            CHECK(ok, "weights: label trigger_in (10) x weight_scale 2, sign by mode %d", mode);
            ok = 1;
            for (uint32_t i = 0; i < 800; i++)
                for (uint64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++)
                    ok &= g->col[k] == (i / 2) * 3; /* r[0] of the same-index receiver */
            CHECK(ok, "only trigger_in of the neighbouring instance; kill_in excluded");
        }
        net_free(&net);
    }
}

static void test_gap_and_targets(void)
{
    Net net;
    Nir *nir = build_with(&net,
                          "brain b { a[4] : lif\n c[4] : lif\n"
                          "  connect a -> c : gj one_to_one as gj1\n"
                          "  connect a -> c : cond(w = 2) one_to_one as ce }\n",
                          1);
    const NirGroup *gap = group_named(nir, "gj1"), *ce = group_named(nir, "ce");
    CHECK(gap && gap->is_gap && nir->syn_models[gap->model].is_gap, "gap groups are flagged");
    if (gap) {
        const NirSynapseModel *m = &nir->syn_models[gap->model];
        CHECK(gap->refs[m->gap_post_var].kind == NX_STATE && gap->refs[m->gap_post_var].slot == 0,
              "gap couples v");
        CHECK(gap->refs[m->gap_post_in].kind == NX_INPUT && gap->refs[m->gap_post_in].slot == 0,
              "gap feeds input I");
    }
    if (ce) {
        const NirSynapseModel *m = &nir->syn_models[ce->model];
        const NirStmt *d = m->on_pre;
        CHECK(d && d->kind == NS_DELIVER && ce->refs[d->ref].kind == NX_STATE && ce->refs[d->ref].slot == 1,
              "deliver to g_e resolves to state slot 1 of lif");
        CHECK(m->is_static, "a synapse that only delivers is static");
    }
    net_free(&net);
}

int main(void)
{
    test_dense_rules();
    test_probability();
    test_index_map();
    test_multi_population();
    test_per_instance();
    test_weights_and_delays();
    test_proximity();
    test_gap_and_targets();
    return report();
}
