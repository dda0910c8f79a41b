/* test_shared_traces.c - synapse states kept once per neuron
 * (compiler/nir/nir_shared.c, docs/architecture.md "Shared traces"):
 *   (a) the analysis: which states of which groups are shared, on models
 *       made to hit each rule (conditions on a synapse's own weight,
 *       random(), assignments in both handlers, per-synapse initial values
 *       or time constants, a read-after-write in one handler, a local, a
 *       state that only `on pre` changes by a uniform amount but `update`
 *       reads, an `update` that runs once per pre or post neuron and one
 *       that cannot);
 *   (b) a brain that keeps them per neuron against the same network with
 *       every state per synapse (BRAINC_NO_SHARED_TRACES, which
 *       test_syn_interp.c checks against the reference interpreter):
 *       every synapse and neuron state bit-identical every tick, with
 *       rewards, 1 and 2 threads;
 *   (c) checkpoints hold every state per synapse: one saved by the
 *       per-synapse brain, loaded into the shared one, continues exactly
 *       like the per-synapse brain;
 *   (d) `on post` run on the pool gives the same states (below). */
#include "../unit/test_nir_util.h"
#include "test_compiled.h"
#include "rt_brain.h"
#include "rt_checkpoint.h"
#include <stdlib.h>
#include <unistd.h>

static const char *src =
    "import std.neurons\n"
    "synapse s_stdp(lr = 0.01, tau = 20) {\n"
    "  state w, x_pre = 0, x_post = 0\n"
    "  decay x_pre tau, x_post tau\n"
    "  on pre { x_pre += 1; w = clamp(w - lr * x_post, 0, 1); deliver w }\n"
    "  on post { x_post += 1; w = clamp(w + lr * x_pre, 0, 1) }\n"
    "}\n"
    "synapse s_cond(lr = 0.01) {\n"
    "  state w, c = 0, d = 0, e = 0, f = 0\n"
    "  decay c 10, d 10\n"
    "  on pre { if w > 0.5 { c += 1 }; if pre.v > -60 { d += 1 }; e += random(); f += 1; deliver w * (1 + d) }\n"
    "  on post { f *= 0.5; w = clamp(w + lr * (c + e + f), 0, 1) }\n"
    "}\n"
    "synapse s_read(tau = 20) {\n"
    "  state w, x = 0, y = 0, z = 0\n"
    "  decay x tau\n"
    "  on pre { let a = x * 0.5 + 1; x += a; y = x * 2; w += 0.001 * y; deliver w }\n"
    "  update { z = z * 0.9 + 0.01 * w }\n"
    "}\n"
    "synapse s_tau(tau = 20) {\n"
    "  state w, x = 0\n"
    "  decay x tau\n"
    "  on pre { x += 1; deliver w * x }\n"
    "  on reward { w = clamp(w + 0.1 * reward * x, 0, 2) }\n"
    "}\n"
    "synapse s_fac(inc = 0.2, tau = 50) {\n"
    "  state w, g = 1\n"
    "  on pre { g += inc; deliver w * g }\n"
    "  update { g = 1 + (g - 1) * exp(-dt / tau) }\n"
    "}\n"
    "synapse s_mix(tau = 30) {\n"
    "  state w, g = 1, z = 0\n"
    "  on pre { g += 1; deliver w * g }\n"
    "  update { g = g * exp(-dt / tau); z = z + g * w }\n"
    "}\n"
    "synapse s_post(tau = 40) {\n"
    "  state w, y = 0\n"
    "  on post { y += 1 }\n"
    "  on pre { deliver w * (1 + y) }\n"
    "  update { if post.v > -60 { y = y * exp(-dt / tau) } }\n"
    "}\n"
    "brain t {\n"
    "  a[40] : izhikevich\n"
    "  b[25] : izhikevich\n"
    "  connect a -> b : s_stdp(w = uniform(0, 1)) probability 0.3 delay 1..3\n"
    "  connect a -> b : s_cond(w = uniform(0, 1)) probability 0.3\n"
    "  connect a -> b : s_read(w = uniform(0.1, 0.3)) probability 0.3\n"
    "  connect a -> b : s_tau(w = 0.3, tau = uniform(10, 30)) probability 0.3\n"
    "  connect b -> a : s_tau(w = 0.3) probability 0.3\n"
    "  connect a -> b : s_stdp(w = 0.5, x_pre = uniform(0, 1)) probability 0.3\n"
    "  connect b -> a : s_fac(w = 0.4) probability 0.3\n"
    "  connect a -> b : s_mix(w = uniform(0.1, 0.3)) probability 0.3\n"
    "  connect a -> b : s_post(w = 0.3) probability 0.3\n"
    "  stimulus a : poisson(rate = 300, w = 15)\n"
    "  stimulus b : current(amplitude = 8)\n"
    "}\n";

enum { S = NIR_SIDE_SYNAPSE, P = NIR_SIDE_PRE, Q = NIR_SIDE_POST };

static void test_analysis(const Nir *nir)
{
    static const uint8_t want[9][5] = {
        {S, P, Q},       /* s_stdp: w, x_pre, x_post */
        {S, S, P, S, S}, /* s_cond: w, c (if w > 0.5), d (if pre.v), e (random), f (both handlers) */
        {S, P, P, S},    /* s_read: w (per-synapse, read by update), x, y (from x), z (update) */
        {S, S},          /* s_tau, per-synapse tau: w (on reward), x */
        {S, P},          /* s_tau, uniform tau */
        {S, S, Q},       /* s_stdp, per-synapse initial x_pre */
        {S, P},          /* s_fac: g (on pre, and an update that relaxes it per neuron) */
        {S, S, S},       /* s_mix: g, z (an update that also computes per synapse) */
        {S, Q},          /* s_post: y (on post, an update per post neuron reading post.v) */
    };
    static const int want_update[9] = {S, S, S, S, S, S, P, S, Q};
    CHECK(nir->ngroups == 9, "nine groups (%d)", nir->ngroups);
    for (int gi = 0; gi < nir->ngroups && gi < 9; gi++) {
        const NirGroup *g = &nir->groups[gi];
        const NirSynapseModel *m = &nir->syn_models[g->model];
        uint8_t side[8] = {0};
        int update_side = -1;
        nir_shared_sides(g, m, side, &update_side);
        for (int j = 0; j < m->nstates; j++)
            CHECK(side[j] == want[gi][j], "group %s state %s: side %d, expected %d", g->name, m->states[j],
                  side[j], want[gi][j]);
        CHECK(update_side == want_update[gi], "group %s: update per %d, expected %d", g->name, update_side,
              want_update[gi]);
    }
}

/* (d) `on post` on the pool (rt_brain_step.c, step 6 with RtGroupSpec
 * post_parallel): a busy brain, whose post populations spike 64 times or
 * more in bursts of ticks, gives the same states with 1, 2 and 3
 * threads. */
static const char *busy_src =
    "import std.neurons\n"
    "import std.synapses\n"
    "brain busy {\n"
    "  a[300] : izhikevich(v = uniform(-70, -60))\n"
    "  b[3000] : izhikevich(v = uniform(-70, -60))\n"
    "  c[2000] : izhikevich(v = uniform(-70, -60))\n"
    "  stimulus a : poisson(rate = 400, w = 12)\n"
    "  stimulus b : poisson(rate = 3000, w = 8)\n"
    "  stimulus c : poisson(rate = 3000, w = 8)\n"
    "  connect a -> b : stdp(w = uniform(0, 2)) probability 0.03 delay 1..3\n"
    "  connect a -> c : stdp(w = uniform(0, 2), tau_post = 30) probability 0.03\n"
    "  connect c -> b : stdp(w = uniform(0, 2)) probability 0.03\n"
    "  connect b -> b : fixed(w = -1) probability 0.01\n"
    "}\n";

static void test_post_parallel(void)
{
    Compiled c = {0};
    if (compile(&c, busy_src, 5)) {
        CHECK(0, "busy brain compiles");
        return;
    }
    const Nir *nir = c.net.nir;
    RtBrain *one = instantiate(&c, 1), *two = instantiate(&c, 2), *three = instantiate(&c, 3);
    CHECK(one && two && three, "three brains");
    int busy = 0, same = 1;
    for (int t = 0; one && two && three && t < 200 && same; t++) {
        rt_brain_step(one, 1, NULL);
        rt_brain_step(two, 1, NULL);
        rt_brain_step(three, 1, NULL);
        uint32_t nb = 0, nc = 0;
        rt_brain_spikes(one, 1, &nb);
        rt_brain_spikes(one, 2, &nc);
        busy += nb + nc >= 64;
        same = brains_equal(one, two, nir, NULL) && brains_equal(one, three, nir, NULL);
    }
    CHECK(busy > 20, "post populations spike 64 times or more in %d of 200 ticks", busy);
    CHECK(same, "1, 2 and 3 threads give the same states every tick");
    rt_brain_destroy(one);
    rt_brain_destroy(two);
    rt_brain_destroy(three);
    compiled_free(&c);
}

int main(void)
{
    Compiled shared = {0}, plain = {0};
    unsetenv("BRAINC_NO_SHARED_TRACES");
    if (compile(&shared, src, 3)) {
        CHECK(0, "compiles");
        return check_report("test_shared_traces");
    }
    test_analysis(shared.net.nir);
    setenv("BRAINC_NO_SHARED_TRACES", "1", 1);
    if (compile(&plain, src, 3)) {
        CHECK(0, "compiles without shared traces");
        compiled_free(&shared);
        return check_report("test_shared_traces");
    }
    unsetenv("BRAINC_NO_SHARED_TRACES");
    const Nir *nir = shared.net.nir;
    RtBrain *s1 = instantiate(&shared, 1), *s2 = instantiate(&shared, 2), *p1 = instantiate(&plain, 1);
    RtBrain *resumed = instantiate(&shared, 1);
    char path[] = "/tmp/brainc_shared_ckXXXXXX";
    int fd = mkstemp(path);
    CHECK(s1 && s2 && p1 && resumed && fd >= 0, "brains and a file");
    if (!s1 || !s2 || !p1 || !resumed || fd < 0)
        goto done;
    close(fd);
    int first_diff = -1, first_diff2 = -1;
    uint64_t spikes = 0;
    RtError err = {0};
    for (int t = 0; t < 400; t++) {
        step_both(s1, p1, t);
        if (t % 40 == 20)
            rt_brain_reward(s2, t % 80 == 20 ? 1.0 : -0.5);
        rt_brain_step(s2, 1, NULL);
        if (first_diff < 0 && !brains_equal(s1, p1, nir, NULL))
            first_diff = t;
        if (first_diff2 < 0 && !brains_equal(s1, s2, nir, NULL))
            first_diff2 = t;
        if (t == 199)
            CHECK(rt_checkpoint_save(p1, path, NULL, &err) == RT_OK, "saved: %s", err.msg);
    }
    for (int p = 0; p < nir->npops; p++)
        spikes += rt_brain_spike_count(s1, (uint32_t)p);
    CHECK(spikes > 300, "the network is active (%llu spikes)", (unsigned long long)spikes);
    CHECK(first_diff < 0, "shared and per-synapse states bit-identical for 400 ticks (first difference at %d)",
          first_diff);
    CHECK(first_diff2 < 0, "1 and 2 threads bit-identical (first difference at %d)", first_diff2);
    CHECK(rt_checkpoint_load(resumed, path, NULL, &err) == RT_OK, "a per-synapse checkpoint loads: %s", err.msg);
    for (int t = 200; t < 400; t++) {
        if (t % 40 == 20)
            rt_brain_reward(resumed, t % 80 == 20 ? 1.0 : -0.5);
        rt_brain_step(resumed, 1, NULL);
    }
    CHECK(brains_equal(resumed, p1, nir, NULL), "resumed at 200, it equals the per-synapse brain at 400");
done:
    unlink(path);
    rt_brain_destroy(s1);
    rt_brain_destroy(s2);
    rt_brain_destroy(p1);
    rt_brain_destroy(resumed);
    compiled_free(&shared);
    compiled_free(&plain);
    test_post_parallel();
    return check_report("test_shared_traces");
}
