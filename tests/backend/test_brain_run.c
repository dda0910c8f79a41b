/* test_brain_run.c - whole brains: .brain text -> NIR -> JIT kernels ->
 * runtime brain, checked against independent references:
 *   (a) two Izhikevich neurons through `fixed(w = 20) delay 3` against a
 *       plain simulation (interp.c for the neurons, a hand-written list of
 *       pending deliveries for the synapse): same spike ticks and states
 *       every tick, and the delivery arrives exactly 3 ticks after a spike;
 *   (b) the same seed gives the same spikes and weights across runs, and
 *       with 1 or 2 threads;
 *   (c) brains stepped interleaved in one process give what each gives
 *       alone;
 *   (d) the weights of an STDP group after N ticks equal a hand-written
 *       pair-based STDP rule driven by the brain's own spike trains,
 *       within 1e-12. */
#include "../unit/test_nir_util.h"
#include "backend/interp.h"
#include "test_compiled.h"
#include "rt_brain.h"

/* ---- (a) delay 3 against a plain simulation ------------------------------------ */

static const char *delay_src =
    "import std.neurons\nimport std.synapses\n"
    "brain t {\n"
    "  a : izhikevich\n"
    "  b : izhikevich\n"
    "  connect a -> b : fixed(w = 20) delay 3\n"
    "  stimulus a : current(amplitude = 10)\n"
    "}\n";

/* One neuron population of the reference: its own arrays. */
typedef struct RefPop {
    double v, u, I;
    double *state[2], *input[1];
    LlvmPopState s;
} RefPop;

static void ref_pop_init(RefPop *r, const NirPop *p)
{
    r->v = nir_value_at(&p->state[0], 0);
    r->u = nir_value_at(&p->state[1], 0);
    r->I = 0;
    r->state[0] = &r->v, r->state[1] = &r->u, r->input[0] = &r->I;
    r->s = (LlvmPopState){r->state, r->input, NULL, NULL, 0, 0, 0};
}

static void test_delay_against_reference(void)
{
    Compiled c = {0};
    if (compile(&c, delay_src, 1)) {
        CHECK(0, "delay program compiles");
        return;
    }
    const Nir *nir = c.net.nir;
    int pa = nir_find_pop(nir, "a"), pb = nir_find_pop(nir, "b");
    CHECK(pa >= 0 && pb >= 0 && nir->ngroups == 1, "two populations, one group");
    RtBrain *b = instantiate(&c, 1);
    const NirNeuronModel *m = &nir->neuron_models[nir->pops[pa].model];
    RefPop ra, rb;
    ref_pop_init(&ra, &nir->pops[pa]);
    ref_pop_init(&rb, &nir->pops[pb]);
    enum { TICKS = 300 };
    double pending[TICKS + 8] = {0}; /* input of b due at each tick */
    int a_spikes = 0, b_spikes = 0, mismatches = 0, arrivals_ok = 1;
    int64_t last_a_spike = -100;
    char err[256];
    for (int t = 0; t < TICKS && b; t++) {
        rb.I += pending[t];
        ra.I += 10; /* the current stimulus */
        /* the input of b this tick is 20 exactly when a spiked 3 ticks ago */
        arrivals_ok &= (rb.I == 20.0) == (t - last_a_spike == 3);
        uint8_t sa = 0, sb = 0;
        interp_pop_update(m, &nir->pops[pa], &ra.s, 0, 1, t * nir->dt, nir->dt, &sa, err, sizeof err);
        interp_pop_update(m, &nir->pops[pb], &rb.s, 0, 1, t * nir->dt, nir->dt, &sb, err, sizeof err);
        if (sa) {
            pending[t + 3] += 20;
            last_a_spike = t;
        }
        rt_brain_step(b, 1, NULL);
        uint32_t na, nb;
        rt_brain_spikes(b, (uint32_t)pa, &na);
        rt_brain_spikes(b, (uint32_t)pb, &nb);
        double jv = rt_brain_pop_state(b, (uint32_t)pb, 0)[0];
        double ju = rt_brain_pop_state(b, (uint32_t)pa, 1)[0];
        if (na != sa || nb != sb || fabs(jv - rb.v) > 1e-9 * (1 + fabs(rb.v)) ||
            fabs(ju - ra.u) > 1e-9 * (1 + fabs(ra.u)))
            mismatches++;
        a_spikes += sa, b_spikes += sb;
    }
    CHECK(b != NULL, "brain created");
    CHECK(mismatches == 0, "JIT brain equals the reference every tick (%d ticks differ)", mismatches);
    CHECK(a_spikes > 3 && b_spikes > 0, "both neurons spike (%d, %d)", a_spikes, b_spikes);
    CHECK(arrivals_ok, "the delivery arrives exactly 3 ticks after each pre spike");
    CHECK(rt_brain_tick(b) == TICKS, "tick counter");
    rt_brain_destroy(b);
    compiled_free(&c);
}

/* ---- (b), (c) determinism -------------------------------------------------------- */

static const char *net_src =
    "import std.neurons\nimport std.synapses\n"
    "brain d {\n"
    "  e[100] : izhikevich(v = uniform(-70, -60))\n"
    "  i[40] : izhikevich(a = 0.1, d = 2)\n"
    "  connect e -> e : stdp(w = 3) probability 0.1 delay 1..5 as ee\n"
    "  connect e -> i : fixed(w = 4) probability 0.2 delay 2\n"
    "  connect i -> e : fixed(w = -5) probability 0.2\n"
    "  stimulus e : poisson(rate = 300, w = 10)\n"
    "  stimulus i[0..9] : current(amplitude = 5) from 20 until 120\n"
    "}\n";

/* A run's spikes, as (tick, pop, neuron) triples, and its final weights. */
typedef struct Trace {
    uint32_t *spikes;
    size_t n, cap;
    double *w;
    uint64_t nw;
} Trace;

static void trace_add(Trace *tr, uint32_t tick, uint32_t pop, uint32_t neuron)
{
    if (tr->n + 3 > tr->cap) {
        tr->cap = tr->cap ? 2 * tr->cap : 4096;
        tr->spikes = realloc(tr->spikes, tr->cap * sizeof(uint32_t));
    }
    tr->spikes[tr->n++] = tick, tr->spikes[tr->n++] = pop, tr->spikes[tr->n++] = neuron;
}

static void trace_tick(Trace *tr, RtBrain *b, uint32_t npops)
{
    uint32_t tick = (uint32_t)rt_brain_tick(b) - 1;
    for (uint32_t p = 0; p < npops; p++) {
        uint32_t n;
        const uint32_t *s = rt_brain_spikes(b, p, &n);
        for (uint32_t k = 0; k < n; k++)
            trace_add(tr, tick, p, s[k]);
    }
}

static void trace_weights(Trace *tr, RtBrain *b, const Nir *nir)
{
    int g = nir_find_group(nir, "ee");
    tr->nw = nir->groups[g].n_syn;
    tr->w = malloc(sizeof(double) * (tr->nw + 1));
    memcpy(tr->w, rt_brain_group_state(b, (uint32_t)g, 0), sizeof(double) * tr->nw);
}

static int trace_equal(const Trace *x, const Trace *y)
{
    return x->n == y->n && x->nw == y->nw && memcmp(x->spikes, y->spikes, x->n * sizeof(uint32_t)) == 0 &&
           memcmp(x->w, y->w, x->nw * sizeof(double)) == 0;
}

static void trace_free(Trace *tr) { free(tr->spikes), free(tr->w); }

enum { RUN_TICKS = 400 };

static void run_alone(Compiled *c, unsigned threads, Trace *tr)
{
    memset(tr, 0, sizeof *tr);
    RtBrain *b = instantiate(c, threads);
    if (!b)
        return;
    for (int t = 0; t < RUN_TICKS; t++) {
        rt_brain_step(b, 1, NULL);
        trace_tick(tr, b, (uint32_t)c->net.nir->npops);
    }
    trace_weights(tr, b, c->net.nir);
    rt_brain_destroy(b);
}

static int weights_changed(const Trace *tr)
{
    for (uint64_t k = 0; k < tr->nw; k++)
        if (tr->w[k] != 3.0)
            return 1;
    return 0;
}

static void test_determinism(void)
{
    Compiled c1 = {0}, c2 = {0};
    if (compile(&c1, net_src, 7) || compile(&c2, net_src, 8)) {
        CHECK(0, "network compiles");
        return;
    }
    Trace one, again, two, other;
    run_alone(&c1, 1, &one);
    run_alone(&c1, 1, &again);
    run_alone(&c1, 2, &two);
    run_alone(&c2, 1, &other);
    CHECK(one.n / 3 > 100, "the network is active (%zu spikes)", one.n / 3);
    CHECK(weights_changed(&one), "STDP changed some weights");
    CHECK(trace_equal(&one, &again), "same seed, same spikes and weights");
    CHECK(trace_equal(&one, &two), "1 and 2 threads give the same spikes and weights");
    CHECK(!trace_equal(&one, &other), "another seed gives other spikes");

    /* (c) two brains of one compiled network and one of another, interleaved */
    Trace x = {0}, y = {0}, z = {0};
    RtBrain *bx = instantiate(&c1, 2), *by = instantiate(&c1, 1), *bz = instantiate(&c2, 1);
    for (int t = 0; t < RUN_TICKS && bx && by && bz; t++) {
        rt_brain_step(bz, 1, NULL);
        trace_tick(&z, bz, 2);
        rt_brain_step(bx, 1, NULL);
        trace_tick(&x, bx, 2);
        rt_brain_step(by, 1, NULL);
        trace_tick(&y, by, 2);
    }
    if (bx && by && bz) {
        trace_weights(&x, bx, c1.net.nir);
        trace_weights(&y, by, c1.net.nir);
        trace_weights(&z, bz, c2.net.nir);
    }
    CHECK(trace_equal(&x, &one) && trace_equal(&y, &one), "interleaved brains equal the lone run");
    CHECK(trace_equal(&z, &other), "a brain of another network interleaved equals its lone run");
    rt_brain_destroy(bx), rt_brain_destroy(by), rt_brain_destroy(bz);
    trace_free(&one), trace_free(&again), trace_free(&two), trace_free(&other);
    trace_free(&x), trace_free(&y), trace_free(&z);
    compiled_free(&c1);
    compiled_free(&c2);
}

/* ---- (d) STDP against the rule written out ------------------------------------------ */

static const char *stdp_src =
    "import std.neurons\nimport std.synapses\n"
    "brain s {\n"
    "  src[3] : izhikevich(v = uniform(-70, -60))\n"
    "  dst[2] : izhikevich\n"
    "  connect src -> dst : stdp(w = 5, lr = 0.05) delay 1..3 as syn\n"
    "  stimulus src : current(amplitude = 9)\n"
    "  stimulus dst[1] : current(amplitude = 11)\n"
    "}\n";

/* Pair-based STDP with traces (stdlib/synapses.brain `stdp`), per tick:
 * on pre: x_pre += 1, w = clamp(w - lr x_post); on post: x_post += 1,
 * w = clamp(w + lr x_pre); then both traces decay by exp(-dt/20). */
typedef struct RefSyn {
    double w, x_pre, x_post;
} RefSyn;

static double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

static void stdp_reference_tick(RefSyn *syn, const NirGroup *g, const uint8_t *pre_spiked,
                                 const uint8_t *post_spiked, uint32_t npre, double dt)
{
    const double lr = 0.05, decay = exp(-dt / 20);
    for (uint32_t i = 0; i < npre; i++)
        for (uint64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++)
            if (pre_spiked[i]) {
                syn[k].x_pre += 1;
                syn[k].w = clampd(syn[k].w - lr * syn[k].x_post, 0, 10);
            }
    for (uint32_t i = 0; i < npre; i++)
        for (uint64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++)
            if (post_spiked[g->col[k]]) {
                syn[k].x_post += 1;
                syn[k].w = clampd(syn[k].w + lr * syn[k].x_pre, 0, 10);
            }
    for (uint64_t k = 0; k < g->n_syn; k++)
        syn[k].x_pre *= decay, syn[k].x_post *= decay;
}

static void test_stdp_against_rule(void)
{
    Compiled c = {0};
    if (compile(&c, stdp_src, 3)) {
        CHECK(0, "stdp program compiles");
        return;
    }
    const Nir *nir = c.net.nir;
    int gi = nir_find_group(nir, "syn");
    uint32_t ppre = (uint32_t)nir_find_pop(nir, "src"), ppost = (uint32_t)nir_find_pop(nir, "dst");
    const NirGroup *g = &nir->groups[gi];
    RtBrain *b = instantiate(&c, 2);
    RefSyn syn[6];
    for (uint64_t k = 0; k < g->n_syn; k++)
        syn[k] = (RefSyn){5, 0, 0};
    int pre_n = 0, post_n = 0;
    for (int t = 0; t < 500 && b; t++) {
        rt_brain_step(b, 1, NULL);
        uint8_t pre_spiked[3] = {0}, post_spiked[2] = {0};
        uint32_t n;
        const uint32_t *s = rt_brain_spikes(b, ppre, &n);
        for (uint32_t k = 0; k < n; k++)
            pre_spiked[s[k]] = 1, pre_n++;
        s = rt_brain_spikes(b, ppost, &n);
        for (uint32_t k = 0; k < n; k++)
            post_spiked[s[k]] = 1, post_n++;
        stdp_reference_tick(syn, g, pre_spiked, post_spiked, 3, nir->dt);
    }
    CHECK(b && g->n_syn == 6, "six synapses");
    CHECK(pre_n > 10 && post_n > 5, "both sides spike (%d, %d)", pre_n, post_n);
    double worst = 0;
    int moved = 0;
    for (uint64_t k = 0; b && k < g->n_syn; k++) {
        double w = rt_brain_group_state(b, (uint32_t)gi, 0)[k];
        double xp = rt_brain_group_state(b, (uint32_t)gi, 1)[k];
        double xq = rt_brain_group_state(b, (uint32_t)gi, 2)[k];
        worst = fmax(worst, fmax(fabs(w - syn[k].w), fmax(fabs(xp - syn[k].x_pre), fabs(xq - syn[k].x_post))));
        moved += syn[k].w != 5;
    }
    CHECK(worst <= 1e-12, "STDP weights and traces equal the rule (worst difference %g)", worst);
    CHECK(moved > 0, "the rule moved some weights");
    rt_brain_destroy(b);
    compiled_free(&c);
}

int main(void)
{
    test_delay_against_reference();
    test_determinism();
    test_stdp_against_rule();
    return check_report(NULL);
}
