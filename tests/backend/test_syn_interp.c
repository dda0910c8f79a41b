/* test_syn_interp.c - synapse kernels and pruning:
 *   (a) every compiled synapse kernel (on pre, on post, decays + update,
 *       on reward, gap) against the reference interpreter
 *       (compiler/backend/interp_syn.c): two instances of one brain, one
 *       running the JIT kernels and one with each group's kernels replaced
 *       by the interpreter, stepped side by side; every synapse and neuron
 *       state must be bit-identical every tick. The brain exercises STDP,
 *       triplet STDP, BCM, reward, gap junctions, random(), per-synapse
 *       parameters and delays, `post.X +=` and `prune` in `on pre`,
 *       `on post`, `on reward` and `update`;
 *   (b) `prune` against an analytic count: a synapse that prunes itself at
 *       its (limit+1)-th presynaptic spike, before delivering, delivers
 *       exactly `limit` times, and its counter stays at limit + 1;
 *   (c) a pruned synapse never runs again: an `update` that prunes at
 *       age 10 leaves every synapse at age 10 and its trace frozen;
 *   (d) pruning with 1 and 2 threads gives the same states;
 *   (e) a checkpoint saved before synapses were pruned, loaded into the
 *       brain after they were, continues exactly like a brain that never
 *       stopped (the pruned structure is a state; the runtime compacts
 *       the live synapses again when the tick jumps). */
#include "../unit/test_nir_util.h"
#include "interp_kernels.h"
#include "test_compiled.h"
#include "rt_checkpoint.h"
#include <inttypes.h>
#include <unistd.h>

/* Pruned synapses of a group (its hidden state), -1 when it has none. */
static int64_t count_pruned(RtBrain *b, const Nir *nir, int gi)
{
    const NirGroup *g = &nir->groups[gi];
    int ps = nir->syn_models[g->model].pruned_state;
    if (ps < 0)
        return -1;
    const double *f = rt_brain_group_state(b, (uint32_t)gi, ps);
    int64_t n = 0;
    for (uint64_t k = 0; k < g->n_syn; k++)
        n += f[k] != 0;
    return n;
}

/* ---- (a) JIT against the interpreter ------------------------------------------- */

static const char *mixed_src =
    "import std.neurons\nimport std.synapses\nimport std.plasticity\n"
    "synapse aging(lr = 0.02) {\n"
    "  state w, e = 0, age = 0\n"
    "  decay e 15\n"
    "  on pre { e += 1; deliver w }\n"
    "  on post { w += lr * e * random(); post.u += 0.001; if w > 0.9 { prune } }\n"
    "  update { age += 1; if age >= 150 + 100 * random() { prune } }\n"
    "}\n"
    "synapse rewarded(limit = 4) {\n"
    "  state w, e = 0, n = 0\n"
    "  decay e 40\n"
    "  on pre { n += 1; if n > limit { prune }; e += 1; deliver w }\n"
    "  on reward { w = clamp(w + 0.2 * reward * e, 0, 5); if w > 2.5 { prune } }\n"
    "}\n"
    "brain t {\n"
    "  a[30] : izhikevich\n"
    "  b[12] : izhikevich(a = uniform(0.02, 0.1))\n"
    "  connect a -> b : stdp(w = uniform(0, 3), lr = uniform(0.005, 0.02)) probability 0.4 delay 1..4\n"
    "  connect a -> b : triplet_stdp(w = 0.5) probability 0.3 delay 2\n"
    "  connect a -> b : bcm(w = 1) probability 0.3\n"
    "  connect b -> a : aging(w = uniform(0.2, 0.6)) probability 0.5 delay 1..3\n"
    "  connect a -> b : rewarded(w = 1, limit = uniform_int(2, 8)) probability 0.3\n"
    "  connect a -> a : gap_junction(conductance = 0.02) probability 0.1\n"
    "  stimulus a : poisson(rate = 40, w = 12)\n"
    "  stimulus b : current(amplitude = 3)\n"
    "}\n";

static void test_jit_against_interpreter(void)
{
    Compiled c = {0};
    if (compile(&c, mixed_src, 11)) {
        CHECK(0, "mixed program compiles");
        return;
    }
    const Nir *nir = c.net.nir;
    RtBrain *jit = instantiate(&c, 1), *ref = instantiate_per_synapse(llvm_brain_spec(c.lb), 1);
    CHECK(jit && ref, "two brains");
    if (!jit || !ref)
        goto done;
    interp_reset();
    use_interpreter(ref, nir);
    int first_diff = -1;
    uint64_t compared = 0;
    for (int t = 0; t < 600 && first_diff < 0; t++) {
        if (t % 50 == 25) {
            double amount = t % 100 == 25 ? 1.5 : -0.5;
            rt_brain_reward(jit, amount);
            rt_brain_reward(ref, amount);
        }
        rt_brain_step(jit, 1, NULL);
        rt_brain_step(ref, 1, NULL);
        if (!brains_equal(jit, ref, nir, &compared))
            first_diff = t;
    }
    CHECK(interp_failed == 0, "interpreter ran every kernel");
    CHECK(first_diff < 0, "JIT and interpreter bit-identical for 600 ticks (first difference at tick %d)",
          first_diff);
    int64_t total = 0, pruned = 0;
    for (int gi = 0; gi < nir->ngroups; gi++) {
        int64_t n = count_pruned(jit, nir, gi);
        if (n >= 0) {
            pruned += n;
            total += (int64_t)nir->groups[gi].n_syn;
        }
    }
    printf("compared %" PRIu64 " synapse values; %" PRId64 " of %" PRId64 " pruning synapses pruned\n",
           compared, pruned, total);
    CHECK(pruned > 0 && pruned < total, "some but not all synapses were pruned (%" PRId64 " of %" PRId64 ")",
          pruned, total);
done:
    rt_brain_destroy(jit);
    rt_brain_destroy(ref);
    compiled_free(&c);
}

/* ---- (b) - (d) what pruning means ------------------------------------------------ */

static const char *count_src =
    "import std.neurons\n"
    "neuron acc { state x = 0\n input I\n update { x += I } }\n"
    "synapse counted(limit = 3) {\n"
    "  state w, n = 0\n"
    "  on pre { n += 1; if n > limit { prune }; deliver w }\n"
    "}\n"
    "synapse aged(tau = 5) {\n"
    "  state w, e = 1, age = 0\n"
    "  decay e tau\n"
    "  on pre { deliver w }\n"
    "  update { age += 1; if age >= 10 { prune } }\n"
    "}\n"
    "brain t {\n"
    "  a[6] : izhikevich\n"
    "  b[3] : acc\n"
    "  connect a -> b : counted(w = 0.25, limit = uniform_int(1, 4)) all_to_all delay 1..3 as c\n"
    "  connect a -> b : aged(w = 0) all_to_all as g\n"
    "  stimulus a : current(amplitude = 10)\n"
    "}\n";

static void test_prune_semantics(void)
{
    Compiled c = {0};
    if (compile(&c, count_src, 3)) {
        CHECK(0, "counting program compiles");
        return;
    }
    const Nir *nir = c.net.nir;
    int gc = nir_find_group(nir, "c"), gg = nir_find_group(nir, "g"), pa = nir_find_pop(nir, "a"),
        pb = nir_find_pop(nir, "b");
    RtBrain *b1 = instantiate(&c, 1), *b2 = instantiate(&c, 2);
    CHECK(gc >= 0 && gg >= 0 && b1 && b2, "groups and brains");
    if (gc < 0 || gg < 0 || !b1 || !b2)
        goto done;
    const NirGroup *g = &nir->groups[gc];
    const NirSynapseModel *m = &nir->syn_models[g->model];
    int slot_n = nir_syn_state(m, "n"), slot_limit = nir_syn_param(m, "limit");
    uint32_t spikes[64] = {0};
    for (int t = 0; t < 400; t++) {
        rt_brain_step(b1, 1, NULL);
        rt_brain_step(b2, 1, NULL);
        uint32_t ns;
        const uint32_t *s = rt_brain_spikes(b1, (uint32_t)pa, &ns);
        for (uint32_t k = 0; k < ns; k++)
            spikes[s[k]]++;
    }
    /* x of each b neuron = sum over its synapses of w * min(limit, spikes of the source) */
    const double *n = rt_brain_group_state(b1, (uint32_t)gc, slot_n);
    double expect[3] = {0, 0, 0};
    int counters_ok = 1, sources_spiked = 1;
    for (uint32_t i = 0; i < nir->pops[pa].size; i++) {
        sources_spiked &= spikes[i] > 8;
        for (uint64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++) {
            double limit = nir_syn_value_at(&g->params[slot_limit], k);
            double sent = spikes[i] < limit ? spikes[i] : limit;
            expect[g->col[k]] += 0.25 * sent;
            counters_ok &= n[k] == (spikes[i] > limit ? limit + 1 : spikes[i]);
        }
    }
    CHECK(sources_spiked, "every source spiked more than any limit");
    CHECK(counters_ok, "a pruned synapse's counter stays at limit + 1");
    const double *x = rt_brain_pop_state(b1, (uint32_t)pb, 0);
    for (int j = 0; j < 3; j++)
        CHECK(x[j] == expect[j], "post neuron %d received %g, expected %g", j, x[j], expect[j]);
    CHECK(count_pruned(b1, nir, gc) == (int64_t)g->n_syn, "every counted synapse pruned");
    /* (c) the update prunes at age 10: age and the trace stop there */
    const NirSynapseModel *ma = &nir->syn_models[nir->groups[gg].model];
    const double *age = rt_brain_group_state(b1, (uint32_t)gg, nir_syn_state(ma, "age"));
    const double *e = rt_brain_group_state(b1, (uint32_t)gg, nir_syn_state(ma, "e"));
    double e10 = 1;
    for (int t = 0; t < 10; t++)
        e10 = e10 * exp(-1.0 / 5);
    int frozen = 1;
    for (uint64_t k = 0; k < nir->groups[gg].n_syn; k++)
        frozen &= age[k] == 10 && e[k] == e10;
    CHECK(frozen, "pruned at age 10, nothing runs after (age %g, e %g vs %g)", age[0], e[0], e10);
    /* (d) threads */
    uint64_t compared = 0;
    CHECK(brains_equal(b1, b2, nir, &compared), "1 and 2 threads give the same states");
done:
    rt_brain_destroy(b1);
    rt_brain_destroy(b2);
    compiled_free(&c);
}

/* ---- (e) checkpoints keep pruned structure, and bring it back ------------------ */

/* A brain saved at tick 150, run on to 300 (more synapses pruned, the
 * live synapses compacted again), then loaded again: from there
 * to tick 300 it must give what an uninterrupted brain gives, so the
 * synapses alive at 150 run again. */
static void test_checkpoint_revives(void)
{
    Compiled c = {0};
    if (compile(&c, mixed_src, 11)) {
        CHECK(0, "mixed program compiles");
        return;
    }
    const Nir *nir = c.net.nir;
    RtBrain *x = instantiate(&c, 1), *y = instantiate(&c, 1);
    char path[] = "/tmp/brainc_prune_ckXXXXXX";
    int fd = mkstemp(path);
    CHECK(x && y && fd >= 0, "brains and a file");
    if (!x || !y || fd < 0)
        goto done;
    close(fd);
    unlink(path);
    RtError err = {0};
    rt_brain_step(x, 150, NULL);
    int64_t at150 = 0, at300 = 0;
    for (int gi = 0; gi < nir->ngroups; gi++)
        at150 += count_pruned(x, nir, gi) > 0 ? count_pruned(x, nir, gi) : 0;
    CHECK(rt_checkpoint_save(x, path, NULL, &err) == RT_OK, "saved: %s", err.msg);
    rt_brain_step(x, 150, NULL);
    for (int gi = 0; gi < nir->ngroups; gi++)
        at300 += count_pruned(x, nir, gi) > 0 ? count_pruned(x, nir, gi) : 0;
    CHECK(at300 > at150, "more synapses pruned after tick 150 (%" PRId64 " > %" PRId64 ")", at300, at150);
    CHECK(rt_checkpoint_load(x, path, NULL, &err) == RT_OK, "loaded: %s", err.msg);
    rt_brain_step(x, 150, NULL);
    rt_brain_step(y, 300, NULL);
    uint64_t compared = 0;
    CHECK(brains_equal(x, y, nir, &compared), "resumed from the checkpoint = uninterrupted, pruning included");
    unlink(path);
    char wal[64];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
done:
    rt_brain_destroy(x);
    rt_brain_destroy(y);
    compiled_free(&c);
}

int main(void)
{
    test_jit_against_interpreter();
    test_prune_semantics();
    test_checkpoint_revives();
    return check_report("test_syn_interp");
}
