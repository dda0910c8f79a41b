/* test_nir_errors.c - errors that only show with actual values: each is
 * reported at the expression it comes from (or, for the command line,
 * without a location), and nir_build returns NULL without crashing. */
#include "test_nir_util.h"

static const char *MODELS = "neuron lif(tau = 10) { state v = 0; input I; dv/dt = -v / tau + I; "
                            "spike when v > 1 { v = 0 } }\n"
                            "neuron silent(x = 1) { state v = 0; update { v = x } }\n"
                            "synapse syn(w = 1) { on pre { deliver w } }\n"
                            "synapse cond(w = 1) { on pre { deliver w to g_e } }\n"
                            "synapse stdp { state w, x = 0; on pre { deliver w; x += 1 } }\n";

/* Builds MODELS + brain with -D defs; expects elaboration (not sema) to fail
 * with `message` in the output; returns whether all of that held. */
static int fails_with(const char *brain, const NirDefine *defs, int ndefs, const char *preset,
                      const char *message)
{
    size_t n = strlen(MODELS) + strlen(brain) + 1;
    char *src = malloc(n);
    snprintf(src, n, "%s%s", MODELS, brain);
    NirOptions o = {0};
    o.defines = defs;
    o.ndefines = ndefs;
    o.preset = preset;
    Net net;
    int sema_errors = 0;
    Nir *nir = net_build(&net, src, &o, &sema_errors);
    int ok = !nir && sema_errors == 0 && errors_contain(&net, message);
    if (!ok)
        printf("expected an elaboration error containing \"%s\"; got %s, %d sema errors:\n%s", message,
               nir ? "a network" : "no network", sema_errors, net.errors ? net.errors : "");
    net_free(&net);
    free(src);
    return ok;
}

static void test_values(void)
{
    NirDefine neg = {"n", -3}, huge = {"n", 5e9}, p = {"p", 1.5}, d = {"d", 0.4}, q = {"q", 1};
    const char *brain = "brain b(n = 5, p = 0.1, d = 1) {\n  a[n] : lif\n"
                        "  connect a -> a : syn probability p delay d\n}\n";
    CHECK(fails_with(brain, &neg, 1, NULL,
                     "test.brain:7:5: error: population count must be at least 0, not -3"),
          "negative count after -D, at the count");
    CHECK(fails_with(brain, &huge, 1, NULL,
                     "test.brain:7:5: error: population count is 5000000000, more than the limit "
                     "of 4294967295"),
          "count overflowing 32 bits");
    CHECK(fails_with(brain, &p, 1, NULL,
                     "test.brain:8:36: error: probability must be between 0 and 1, not 1.5"),
          "probability > 1, at the probability");
    CHECK(fails_with(brain, &d, 1, NULL,
                     "test.brain:8:44: error: delay 0.4 ms is less than one tick (timestep 1 ms)"),
          "delay below one tick");
    CHECK(fails_with(brain, &q, 1, NULL, "brainc: error: -D q: brain `b` has no parameter `q`"),
          "unknown -D name");
    CHECK(fails_with(brain, NULL, 0, "huge", "brainc: error: brain `b` has no preset `huge`"),
          "unknown preset");
}

static void test_sizes(void)
{
    NirDefine two = {"n", 2}, eleven = {"k", 11}, four = {"m", 4}, big = {"n", 2000000};
    CHECK(fails_with("component c { a[70000] : lif }\nbrain b { x[70000] : c }\n", NULL, 0, NULL,
                     "would have 4900000000 elements in all"),
          "instances x count overflowing 32 bits");
    CHECK(fails_with("brain b(n = 3) { a[n] : lif(tau = [1, 2, 3]) }\n", &two, 1, NULL,
                     "test.brain:6:35: error: array has 3 values but the population has 2 neurons"),
          "array length != count after -D");
    CHECK(fails_with("brain b(n = 10) { a[n] : lif\n connect a -> a : syn }\n", &big, 1, NULL,
                     "error: this would make about 4e+12 synapses"),
          "too many synapses for memory");
    CHECK(fails_with("brain b(k = 3) { a[10] : lif\n connect a -> a : syn fanin k }\n", &eleven, 1, NULL,
                     "fanin 11 is more than the 10 source neurons"),
          "fan-in larger than the source");
    CHECK(fails_with("brain b(m = 10) { a[10] : lif\n b[m] : lif\n connect a -> b : syn one_to_one }\n",
                     &four, 1, NULL, "one_to_one needs selections of equal size, not 10 and 4"),
          "one_to_one sizes");
    CHECK(fails_with("brain b { r[10] : lif\n connect r[i] -> r[i + 1] : syn }\n", NULL, 0, NULL,
                     "for i = 9 the target index is 10, outside 0..9"),
          "index map out of range");
    CHECK(fails_with("brain b { a[3] : lif\n connect a -> a : syn(w = 1) delay 1..70000 }\n", NULL, 0, NULL,
                     "more than 65535 ticks"),
          "delay beyond the 16-bit tick range");
}

/* Errors sema normally reports first: elaboration must still catch them. */
static void test_unchecked(void)
{
    test_skip_sema = 1;
    CHECK(fails_with("brain b { a[3] : lif\n connect a -> a : stdp }\n", NULL, 0, NULL,
                     "synapse `stdp` needs a value for `w` here"),
          "synapse state without a value");
    CHECK(fails_with("brain b { a[3] : lif(tau = [1, 2]) }\n", NULL, 0, NULL, "array has 2 values"),
          "array length");
    CHECK(fails_with("brain b { a[3] : lif\n connect a -> a : syn(v = 1) }\n", NULL, 0, NULL,
                     "`syn` has no argument `v`"),
          "unknown synapse argument");
    CHECK(fails_with("brain b { a[3] : lif(tau = 1, tau = 2) }\n", NULL, 0, NULL, "is given twice"),
          "argument given twice");
    CHECK(fails_with("brain b { a[3] : nothing }\n", NULL, 0, NULL,
                     "`nothing` is not a neuron model or a component"),
          "unknown model");
    CHECK(fails_with("component c { x : c }\nbrain b { a : c }\n", NULL, 0, NULL,
                     "component `c` contains itself"),
          "recursive component");
    CHECK(fails_with("brain b { a[3] : lif\n connect a -> nope : syn }\n", NULL, 0, NULL,
                     "`nope` is not a population of `b`"),
          "unknown population");
    test_skip_sema = 0;
}

static void test_models(void)
{
    CHECK(fails_with("component c { a[2] : lif\n out o = a }\nbrain b { x[3] : c\n wire "
                     "proximity(max_distance = 12) }\n",
                     NULL, 0, NULL,
                     "error: `wire proximity` makes `fixed` synapses, but the program declares no "
                     "synapse `fixed`"),
          "proximity wiring needs a `fixed` synapse");
    test_skip_sema = 1;
    CHECK(fails_with("brain b { a[3] : lif\n connect a -> a : cond }\n", NULL, 0, NULL,
                     "synapse `cond` uses post.g_e, but neuron `lif` of `a` has no `g_e`"),
          "deliver target missing in the post model");
    CHECK(fails_with("brain b { a[3] : silent\n connect a -> a : syn }\n", NULL, 0, NULL,
                     "delivers to the first input of `a`, but neuron `silent` has no `input`"),
          "deliver to a neuron without inputs");
    test_skip_sema = 0;
}

static void test_brain_choice(void)
{
    Net net;
    NirOptions o = {0};
    o.brain = "nope";
    char src[1024];
    snprintf(src, sizeof src, "%sbrain b { a : lif }\n", MODELS);
    CHECK(!net_build(&net, src, &o, NULL) && errors_contain(&net, "no brain named `nope`"),
          "--brain unknown");
    net_free(&net);
    CHECK(!net_build(&net, MODELS, NULL, NULL) && errors_contain(&net, "the program declares no brain"),
          "no brain");
    net_free(&net);
    snprintf(src, sizeof src, "%sbrain one { a : lif }\nbrain two { b[2] : lif }\n", MODELS);
    Nir *nir = net_ok(&net, src, NULL);
    CHECK(nir && strcmp(nir->brain, "two") == 0, "the last brain is the default");
    net_free(&net);
    o.brain = "one";
    nir = net_ok(&net, src, &o);
    CHECK(nir && strcmp(nir->brain, "one") == 0 && nir->n_neurons == 1, "--brain picks another");
    net_free(&net);
}

int main(void)
{
    test_values();
    test_sizes();
    test_unchecked();
    test_models();
    test_brain_choice();
    return report();
}
