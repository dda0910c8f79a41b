/* test_nir_build.c - elaboration of populations and instances: flattening
 * (sizes, contiguity by instance, nesting), parameters as uniform constants
 * or per-neuron arrays, initial-state draws, grid placement and `at`,
 * terminals, brain parameters (-D, presets), stimuli, records and the dump. */
#include "test_nir_util.h"

static const char *MODELS = "neuron izh(a = 0.02, b = 0.2, c = -65, d = 8) {\n"
                            "  state v = -65, u = b * v\n"
                            "  input I\n"
                            "  dv/dt = 0.04*v*v + 5*v + 140 - u + I\n"
                            "  du/dt = a * (b*v - u)\n"
                            "  spike when v >= 30 { v = c; u += d }\n"
                            "}\n"
                            "synapse fixed(w = 1) { on pre { deliver w } }\n"
                            "component cell(w_ring = 12) {\n"
                            "  ring[3] : izh(a = 0, d = 0) at (4 * i, 0, 0)\n"
                            "  trigger : izh(c = [-55])\n"
                            "  noisy[4] : izh(v = uniform(-70, -60), c = [-65, -60, -55, -50])\n"
                            "  connect ring[i] -> ring[(i + 1) % 3] : fixed(w = w_ring) as loop\n"
                            "  connect trigger -> ring : fixed(w = 10)\n"
                            "  in trigger_in = trigger\n"
                            "  out memory_out = ring, noisy[0..1]\n"
                            "}\n";

static char *program(const char *brain)
{
    size_t n = strlen(MODELS) + strlen(brain) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%s%s", MODELS, brain);
    return s;
}

static const char *DEMO = "brain demo(scale = 1) {\n"
                          "  preset big { scale = 3 }\n"
                          "  timestep 0.5\n"
                          "  layer 0 { wm[200 * scale] : cell }\n"
                          "  solo[5] : izh at (i, 2 * i, 3)\n"
                          "  stimulus wm.trigger_in : poisson(rate = 20, w = 5) from 100 until 200\n"
                          "  stimulus solo[0..1] : current(amplitude = 3)\n"
                          "  record wm.memory_out\n"
                          "  record wm.ring.v every 10\n"
                          "  record solo\n"
                          "}\n";

static void test_flattening(void)
{
    char *src = program(DEMO);
    Net net;
    Nir *nir = net_ok(&net, src, NULL);
    CHECK(nir, "demo builds");
    if (!nir)
        goto done;
    const NirPop *ring = pop_named(nir, "wm.ring"), *trig = pop_named(nir, "wm.trigger");
    const NirPop *noisy = pop_named(nir, "wm.noisy"), *solo = pop_named(nir, "solo");
    CHECK(ring && trig && noisy && solo, "all four populations exist");
    if (!ring || !trig || !noisy || !solo)
        goto done;
    CHECK(ring->size == 600 && ring->instances == 200 && ring->per_instance == 3, "wm.ring is 200 x 3");
    CHECK(trig->size == 200 && noisy->size == 800 && solo->size == 5, "sizes of the others");
    CHECK(solo->inst == -1 && ring->inst >= 0 && strcmp(nir->sets[ring->inst].path, "wm") == 0,
          "instance set bookkeeping");
    CHECK(nir->n_neurons == 1605 && nir->n_synapses == 1200 && nir->ngroups == 2, "totals %llu %llu %d",
          (unsigned long long)nir->n_neurons, (unsigned long long)nir->n_synapses, nir->ngroups);
    CHECK(nir->dt == 0.5, "timestep");
    CHECK(strcmp(nir->brain, "demo") == 0 && nir->nparams == 1 && nir->params[0].value == 1, "brain params");
    /* uniform parameters stay constants, differing ones become arrays */
    int a = nir_model_param(&nir->neuron_models[ring->model], "a");
    int c = nir_model_param(&nir->neuron_models[ring->model], "c");
    CHECK(a >= 0 && !ring->params[a].array && ring->params[a].value == 0, "ring a = 0 uniform");
    CHECK(!trig->params[c].array && trig->params[c].value == -55,
          "a one-element array collapses to a constant");
    CHECK(noisy->params[c].array != NULL, "noisy c is per neuron");
    int pattern = 1;
    for (uint32_t k = 0; k < noisy->size; k++)
        pattern &= param_at(nir, noisy, "c", k) == -65 + 5.0 * (k % 4);
    CHECK(pattern, "array values follow i, repeated per instance");
    CHECK(!ring->state[0].array && state_at(nir, ring, "u", 7) == 0.2 * -65, "ring u = b * v uniform");
done:
    net_free(&net);
    free(src);
}

static void test_state_draws(void)
{
    char *src = program(DEMO);
    Net net;
    Nir *nir = net_ok(&net, src, NULL);
    const NirPop *noisy = pop_named(nir, "wm.noisy");
    CHECK(noisy, "wm.noisy exists");
    if (!noisy)
        goto done;
    double sum = 0, sum2 = 0, lo = 1e9, hi = -1e9;
    int u_follows = 1;
    for (uint32_t k = 0; k < noisy->size; k++) {
        double v = state_at(nir, noisy, "v", k);
        sum += v;
        sum2 += v * v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        u_follows &= state_at(nir, noisy, "u", k) == 0.2 * v;
    }
    double n = noisy->size, mean = sum / n, var = sum2 / n - mean * mean;
    CHECK(lo >= -70 && hi < -60, "uniform(-70, -60) stays in range: [%g, %g]", lo, hi);
    CHECK(fabs(mean + 65) < 5 * sqrt(100.0 / 12 / n), "mean %g within 5 sigma of -65", mean);
    CHECK(fabs(var - 100.0 / 12) < 5 * (100.0 / 12) * sqrt(0.8 / n), "variance %g near 100/12", var);
    CHECK(u_follows, "u = b * v uses each neuron's own v");
done:
    net_free(&net);
    free(src);
}

static void test_positions(void)
{
    char *src = program(DEMO);
    Net net;
    Nir *nir = net_ok(&net, src, NULL);
    const NirPop *ring = pop_named(nir, "wm.ring"), *solo = pop_named(nir, "solo");
    CHECK(ring && solo, "populations exist");
    if (!ring || !solo)
        goto done;
    /* 200 instances in layer 0: cols = 15, copy k at x = (k / 15) * 12, z = (k % 15) * 12 */
    int ok = 1;
    for (uint32_t j = 0; j < 200; j++)
        for (uint32_t i = 0; i < 3; i++) {
            uint32_t k = j * 3 + i;
            ok &= nir_value_at(&ring->pos[0], k) == (j / 15) * 12.0 + 4.0 * i;
            ok &= nir_value_at(&ring->pos[1], k) == 0;
            ok &= nir_value_at(&ring->pos[2], k) == (j % 15) * 12.0;
        }
    CHECK(ok, "ring positions = grid anchor + local (4 i, 0, 0)");
    ok = 1;
    for (uint32_t i = 0; i < 5; i++)
        ok &= nir_value_at(&solo->pos[0], i) == i && nir_value_at(&solo->pos[1], i) == 2.0 * i &&
              nir_value_at(&solo->pos[2], i) == 3;
    CHECK(ok, "brain-level `at` positions");
done:
    net_free(&net);
    free(src);
}

static void test_terminals_and_io(void)
{
    char *src = program(DEMO);
    Net net;
    Nir *nir = net_ok(&net, src, NULL);
    if (!nir)
        goto done;
    const NirInstSet *wm = &nir->sets[0];
    CHECK(nir->nsets == 1 && wm->count == 200 && wm->nterms == 2, "one instance set with two terminals");
    int out = nir_find_terminal(wm, "memory_out"), in = nir_find_terminal(wm, "trigger_in");
    CHECK(out >= 0 && wm->terms[out].n == 5 && wm->terms[out].dir == TERM_OUT, "memory_out has 5 neurons");
    CHECK(in >= 0 && wm->terms[in].n == 1 && wm->terms[in].offset[0] == 0, "trigger_in has 1 neuron");
    CHECK(nir->ninputs == 2, "two inputs");
    if (nir->ninputs == 2) {
        const NirInput *p = &nir->inputs[0], *cur = &nir->inputs[1];
        CHECK(p->kind == NIR_IN_POISSON && p->n == 200 && !p->idx && p->rate == 20 && p->w == 5,
              "poisson input");
        CHECK(p->from == 100 && p->until == 200, "from/until");
        CHECK(cur->kind == NIR_IN_CURRENT && cur->n == 2 && cur->idx && cur->idx[1] == 1 &&
                  cur->amplitude == 3 && isinf(cur->until),
              "current input to solo[0..1]");
    }
    CHECK(nir->nrecords == 4, "records: memory_out splits over ring and noisy, plus v and solo (%d)",
          nir->nrecords);
    if (nir->nrecords == 4) {
        const NirRecord *r = nir->records;
        CHECK(r[0].kind == NIR_REC_SPIKES && r[0].n == 600 && !r[0].idx, "memory_out: all of wm.ring");
        CHECK(r[1].kind == NIR_REC_SPIKES && r[1].n == 400 && r[1].idx && r[1].idx[2] == 4,
              "memory_out: noisy[0..1]");
        CHECK(r[2].kind == NIR_REC_STATE && r[2].every == 10 && r[2].n == 600, "wm.ring.v every 10");
        CHECK(r[3].kind == NIR_REC_SPIKES && r[3].n == 5, "solo");
    }
done:
    net_free(&net);
    free(src);
}

static void test_defines_and_presets(void)
{
    char *src = program(DEMO);
    NirDefine d = {"scale", 2};
    NirOptions o = {0};
    o.defines = &d;
    o.ndefines = 1;
    Net net;
    Nir *nir = net_ok(&net, src, &o);
    CHECK(pop_named(nir, "wm.ring") && pop_named(nir, "wm.ring")->size == 1200, "-D scale=2 doubles wm");
    net_free(&net);
    o.ndefines = 0;
    o.preset = "big";
    nir = net_ok(&net, src, &o);
    CHECK(pop_named(nir, "wm.ring") && pop_named(nir, "wm.ring")->size == 1800, "preset big: scale 3");
    CHECK(nir && nir->preset && strcmp(nir->preset, "big") == 0, "preset recorded");
    net_free(&net);
    d.value = 4;
    o.ndefines = 1;
    nir = net_ok(&net, src, &o);
    CHECK(pop_named(nir, "wm.ring") && pop_named(nir, "wm.ring")->size == 2400,
          "-D applies after the preset");
    net_free(&net);
    free(src);
}

static void test_nesting(void)
{
    char *src = program("component pair {\n"
                        "  c[2] : cell\n"
                        "  out pm = c.memory_out\n"
                        "  in pt = c[1].trigger_in\n"
                        "}\n"
                        "brain nest { p[3] : pair at (100 * i, 0, 0) }\n");
    Net net;
    Nir *nir = net_ok(&net, src, NULL);
    const NirPop *ring = pop_named(nir, "p.c.ring");
    CHECK(ring && ring->size == 18 && ring->instances == 6 && ring->per_instance == 3,
          "p.c.ring is 3 x 2 x 3");
    if (!ring)
        goto done;
    const NirInstSet *pc = &nir->sets[ring->inst], *p = &nir->sets[pc->parent];
    CHECK(strcmp(pc->path, "p.c") == 0 && pc->count == 6 && pc->per_parent == 2 && strcmp(p->path, "p") == 0,
          "nested instance sets");
    int pm = nir_find_terminal(p, "pm"), pt = nir_find_terminal(p, "pt");
    CHECK(pm >= 0 && p->terms[pm].n == 10, "pm gathers both cells' memory_out");
    CHECK(pt >= 0 && p->terms[pt].n == 1 && p->terms[pt].offset[0] == 1, "pt is the trigger of cell 1");
    const NirGroup *loop = group_named(nir, "p.c.loop");
    CHECK(loop && loop->n_syn == 18, "ring connect in every nested instance");
    if (loop) {
        int ok = 1;
        for (uint32_t j = 0; j < 6; j++)
            for (uint32_t i = 0; i < 3; i++)
                ok &= loop->row_ptr[j * 3 + i + 1] - loop->row_ptr[j * 3 + i] == 1 &&
                      has_synapse(loop, j * 3 + i, j * 3 + (i + 1) % 3);
        CHECK(ok, "block-diagonal: each instance's ring maps onto itself");
    }
    /* anchors: p's `at` plus nothing inside the pair; ring adds 4 i */
    CHECK(nir_value_at(&ring->pos[0], 3 * 2 * 2 + 1) == 200 + 4, "nested positions add the anchors");
done:
    net_free(&net);
    free(src);
}

/* Counts of 0 (only through -D: sema wants at least 1 written). */
static void test_empty(void)
{
    char *src = program("brain e(n = 1) { none[n] : cell\n few[n] : izh\n some[2] : cell\n"
                        "  connect none.memory_out -> some.trigger_in : fixed probability 1 per instance\n"
                        "  connect few -> some.trigger_in : fixed\n  record few }\n");
    NirDefine zero = {"n", 0};
    NirOptions o = {0};
    o.defines = &zero;
    o.ndefines = 1;
    Net net;
    Nir *nir = net_ok(&net, src, &o);
    const NirPop *ring = pop_named(nir, "none.ring"), *few = pop_named(nir, "few");
    CHECK(ring && ring->size == 0 && ring->instances == 0 && few && few->size == 0,
          "empty populations exist");
    CHECK(nir && nir->n_synapses == 2 * 600 / 200 * 2, "only the internal synapses of `some`: %llu",
          nir ? (unsigned long long)nir->n_synapses : 0ull);
    net_free(&net);
    free(src);
}

static void test_dump(void)
{
    char *src = program(DEMO);
    Net net;
    Nir *nir = net_ok(&net, src, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (nir) {
        nir_print(nir, f, 0);
        nir_print(nir, f, 1);
        nir_print_stats(nir, f);
    }
    fclose(f);
    CHECK(text && strstr(text, "brain demo  seed 0  dt 0.5 ms\n"), "header line");
    CHECK(text && strstr(text, "population wm.ring  model izh  size 600  instances 200 x 3\n"),
          "population line");
    CHECK(text && strstr(text, "  a = 0   b = 0.2   c = -65   d = 0   (per-neuron: none)\n"),
          "uniform params line");
    CHECK(text &&
              strstr(text, "synapses wm.loop  model fixed  pre wm.ring  post wm.ring  count 600  delay 1\n"),
          "group line");
    CHECK(text && strstr(text, "totals: 1605 neurons, 1200 synapses in 2 groups\n"), "totals line");
    CHECK(text && strstr(text, "  dv/dt = 0.04 * v * v + 5 * v + 140 - u + I\n"), "verbose model code");
    free(text);
    net_free(&net);
    free(src);
}

int main(void)
{
    test_flattening();
    test_state_draws();
    test_positions();
    test_terminals_and_io();
    test_defines_and_presets();
    test_nesting();
    test_empty();
    test_dump();
    if (nir_stream("a", "b", 0) == nir_stream("a", "b", 1))
        CHECK(0, "streams differ by n");
    return report();
}
