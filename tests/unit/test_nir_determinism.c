/* test_nir_determinism.c - a seed fixes the network: the same seed gives
 * identical arrays, another seed different ones, unrelated declarations
 * (added, or moved) change nothing, and every draw equals an independent
 * Philox computation keyed by (seed, stream of the name, element index),
 * which is what makes thread count and build order irrelevant. */
#include "philox.h"
#include "test_nir_util.h"

static const char *MODELS = "neuron lif(tau = 10) { state v = 0; input I; dv/dt = -v / tau + I; "
                            "spike when v > 1 { v = 0 } }\n"
                            "synapse syn(w = 1) { on pre { deliver w } }\n";

static Nir *build(Net *net, const char *brain, uint64_t seed)
{
    size_t n = strlen(MODELS) + strlen(brain) + 1;
    char *src = malloc(n);
    snprintf(src, n, "%s%s", MODELS, brain);
    NirOptions o = opts_seed(seed);
    Nir *nir = net_ok(net, src, &o);
    free(src);
    return nir;
}

static int same_values(const NirValues *a, const NirValues *b, uint64_t n)
{
    if (!a->array || !b->array)
        return !a->array && !b->array && a->value == b->value;
    return memcmp(a->array, b->array, n * sizeof *a->array) == 0;
}

static int same_syn_values(const NirSynValues *a, const NirSynValues *b, uint64_t n)
{
    if (!a->array || !b->array)
        return !a->array && !b->array && a->value == b->value;
    return memcmp(a->array, b->array, n * sizeof *a->array) == 0;
}

static int same_pop(const Nir *x, const NirPop *a, const Nir *y, const NirPop *b)
{
    const NirNeuronModel *m = &x->neuron_models[a->model];
    if (!b || a->size != b->size || strcmp(m->name, y->neuron_models[b->model].name) != 0)
        return 0;
    int ok = 1;
    for (int k = 0; k < m->nparams; k++)
        ok &= same_values(&a->params[k], &b->params[k], a->size);
    for (int k = 0; k < m->nstates; k++)
        ok &= same_values(&a->state[k], &b->state[k], a->size);
    for (int k = 0; k < 3; k++)
        ok &= same_values(&a->pos[k], &b->pos[k], a->size);
    return ok;
}

static int same_group(const Nir *x, const NirGroup *a, const NirGroup *b)
{
    if (!b || a->n_syn != b->n_syn || x->pops[a->pre].size == 0)
        return 0;
    const NirSynapseModel *m = &x->syn_models[a->model];
    int ok = memcmp(a->row_ptr, b->row_ptr, (x->pops[a->pre].size + 1) * sizeof *a->row_ptr) == 0 &&
             memcmp(a->col, b->col, a->n_syn * sizeof *a->col) == 0;
    for (int k = 0; k < m->nparams; k++)
        ok &= same_syn_values(&a->params[k], &b->params[k], a->n_syn);
    for (int k = 0; k < m->nstates; k++)
        ok &= same_syn_values(&a->state[k], &b->state[k], a->n_syn);
    ok &= a->delay == b->delay && !a->delays == !b->delays;
    if (a->delays && b->delays)
        ok &= memcmp(a->delays, b->delays, a->n_syn * sizeof *a->delays) == 0;
    return ok;
}

/* Every population and group of x has an identical twin (by name) in y. */
static int same_network(const Nir *x, const Nir *y)
{
    int ok = x && y;
    for (int k = 0; ok && k < x->npops; k++)
        ok &= same_pop(x, &x->pops[k], y, pop_named(y, x->pops[k].path));
    for (int k = 0; ok && k < x->ngroups; k++)
        ok &= same_group(x, &x->groups[k], group_named(y, x->groups[k].name));
    return ok;
}

static const char *NET =
    "component cell { r[3] : lif(v = normal(0, 1))\n connect r -> r : syn(w = uniform(0, 2)) "
    "probability 0.5 as rr\n"
    "  in t = r[0]\n out o = r }\n"
    "brain b {\n"
    "  x[500] : lif(v = uniform(0, 1), tau = uniform(5, 15))\n"
    "  y[400] : lif\n"
    "  c[30] : cell\n"
    "  connect x -> y : syn(w = normal(1, 0.2)) probability 0.1 delay 1..4 as xy\n"
    "  connect y -> x : syn fanin 20 as yx\n"
    "  connect c.o -> c.t : syn probability 0.3 per instance as cc\n"
    "}\n";

/* The same brain with unrelated populations and connections added in
 * front and its own declarations moved around. */
static const char *NET_SHUFFLED =
    "component cell { r[3] : lif(v = normal(0, 1))\n connect r -> r : syn(w = uniform(0, 2)) "
    "probability 0.5 as rr\n"
    "  in t = r[0]\n out o = r }\n"
    "brain b {\n"
    "  junk[77] : lif(v = uniform(0, 1))\n"
    "  connect junk -> junk : syn(w = normal(0, 1)) probability 0.2 as noise\n"
    "  c[30] : cell\n"
    "  connect c.o -> c.t : syn probability 0.3 per instance as cc\n"
    "  connect y -> x : syn fanin 20 as yx\n"
    "  y[400] : lif\n"
    "  connect x -> y : syn(w = normal(1, 0.2)) probability 0.1 delay 1..4 as xy\n"
    "  x[500] : lif(v = uniform(0, 1), tau = uniform(5, 15))\n"
    "}\n";

static void test_same_seed(void)
{
    Net a, b;
    Nir *x = build(&a, NET, 42), *y = build(&b, NET, 42);
    CHECK(same_network(x, y) && same_network(y, x), "same seed, same network");
    CHECK(x && x->ngroups >= 4 && x->n_synapses > 10000, "a non-trivial network (%llu synapses)",
          x ? (unsigned long long)x->n_synapses : 0ull);
    net_free(&a);
    net_free(&b);
}

static void test_other_seed(void)
{
    Net a, b;
    Nir *x = build(&a, NET, 42), *y = build(&b, NET, 43);
    const NirPop *px = pop_named(x, "x"), *py = pop_named(y, "x");
    CHECK(px && py && !same_pop(x, px, y, py), "another seed draws other initial values");
    const NirGroup *gx = group_named(x, "xy"), *gy = group_named(y, "xy");
    CHECK(gx && gy && !same_group(x, gx, gy), "and other connectivity");
    net_free(&a);
    net_free(&b);
}

static void test_declaration_order(void)
{
    Net a, b;
    Nir *x = build(&a, NET, 7), *y = build(&b, NET_SHUFFLED, 7);
    CHECK(same_network(x, y), "unrelated declarations and order change nothing");
    CHECK(y && pop_named(y, "junk") && group_named(y, "noise"), "the extra parts are there");
    net_free(&a);
    net_free(&b);
}

/* v of neuron k = lo + (hi - lo) * uniform of Philox(seed, stream(path, var,
 * 0), k): the draw of one neuron depends on nothing else. */
static void test_counter_based(void)
{
    Net a;
    Nir *x = build(&a, NET, 99);
    const NirPop *p = pop_named(x, "x");
    int ok = p != NULL;
    uint64_t stream = nir_stream("x", "v", 0), seed = 99;
    for (uint32_t k = 0; ok && k < p->size; k++) {
        BrRng r;
        br_rng_init(&r, seed, stream, k);
        ok &= state_at(x, p, "v", k) == 0 + (1 - 0) * br_rng_uniform(&r);
    }
    CHECK(ok, "initial states are keyed draws: Philox(seed, stream(\"x\", \"v\"), neuron)");
    /* the instance index within a component is part of the stream key of
     * its connectivity: instances differ */
    const NirGroup *rr = group_named(x, "c.rr");
    int differ = 0;
    for (uint32_t j = 1; rr && j < 30; j++)
        differ |= rr->row_ptr[3 * j + 3] - rr->row_ptr[3 * j] != rr->row_ptr[3] - rr->row_ptr[0];
    CHECK(rr && differ, "instances of a component draw their own connectivity");
    net_free(&a);
}

/* Big enough that generation and weight draws are split over threads. */
static void test_thread_count(void)
{
    const char *brain = "brain b { x[20000] : lif\n y[20000] : lif(v = uniform(0, 1))\n"
                        "  connect x -> y : syn(w = normal(1, 0.3)) fanin 12 as f\n"
                        "  connect y -> x : syn(w = uniform(0, 1)) probability 0.001 delay 1..5 as p }\n";
    size_t n = strlen(MODELS) + strlen(brain) + 1;
    char *src = malloc(n);
    snprintf(src, n, "%s%s", MODELS, brain);
    Net a, b;
    NirOptions one = opts_seed(5), three = opts_seed(5);
    one.threads = 1;
    three.threads = 3;
    Nir *x = net_ok(&a, src, &one), *y = net_ok(&b, src, &three);
    CHECK(same_network(x, y) && same_network(y, x), "1 thread and 3 threads build the same network");
    CHECK(x && x->n_synapses > 600000, "large enough to split (%llu synapses)",
          x ? (unsigned long long)x->n_synapses : 0ull);
    net_free(&a);
    net_free(&b);
    free(src);
}

int main(void)
{
    test_thread_count();
    test_same_seed();
    test_other_seed();
    test_declaration_order();
    test_counter_based();
    return report();
}
