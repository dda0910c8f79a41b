/* test_prune_compact.c - compaction of pruning groups (runtime/rt_compact.c)
 * changes nothing observable. A network whose synapses prune themselves at
 * random, scattered over their rows and over time (random() in `update`
 * and `on post`, per-synapse parameters and delays, `pre.X` and `post.X`
 * read in every handler, `post.X +=`, `on reward`), is run
 *   (a) compiled and compacted, against the reference interpreter on a
 *       brain that is never compacted (positions = synapse ids, rows walked
 *       with their flags): every synapse and neuron state bit-identical
 *       every tick, and the compacted brain really did move synapses;
 *   (b) with 1 and 2 threads: the same states;
 *   (c) checkpoints: one saved by a compacted brain is byte-identical to
 *       one saved by a brain never compacted at the same tick, and a brain
 *       resumed from it continues exactly like the uninterrupted one (the
 *       same states, and byte-identical checkpoints later on);
 *   (d) synapse recordings (CSV): byte-identical with and without
 *       compaction, and their synapse numbers, pre and post neurons are the
 *       network's (the IR's CSR);
 *   (e) when compactions cannot allocate (from half-way on), the brain
 *       goes on exactly as one never compacted. */
#include "../unit/test_nir_util.h"
#include "interp_kernels.h"
#include "test_compiled.h"
#include "rt_checkpoint.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *src =
    "import std.neurons\n"
    "synapse scatter(lr = 0.01, p = 1) {\n"
    "  state w, e = 0, age = 0, seen = 0\n"
    "  decay e 10\n"
    "  on pre { e += 1; deliver w }\n"
    "  on post { w = clamp(w + lr * e * random() + 0.001 * pre.u, 0, 2); post.u += 0.0005 }\n"
    "  on reward { w = w + 0.01 * reward * e + 0.0001 * pre.v }\n"
    "  update { age += 1; seen += pre.v + 0.1 * post.v; if random() < 0.003 * p { prune } }\n"
    "}\n"
    "brain t {\n"
    "  a[60] : izhikevich(v = uniform(-70, -60))\n"
    "  b[40] : izhikevich\n"
    "  connect a -> b : scatter(w = uniform(0, 1), p = uniform(0.3, 1)) probability 0.3\n"
    "    delay 1..4 as s\n"
    "  connect b -> a : scatter(w = uniform(0, 0.5)) probability 0.2 as r\n"
    "  stimulus a : poisson(rate = 30, w = 15)\n"
    "  stimulus b : poisson(rate = 10, w = 15)\n"
    "}\n";

enum { TICKS = 400, SAVE_AT = 250 };

static void no_compaction(RtBrain *b)
{
    for (uint32_t i = 0; i < b->ngroups; i++)
        b->groups[i].no_compact = 1;
}

/* Synapses of group gi that a compaction moved away from their id's
 * position, and the pruned ones. */
static void moved_and_pruned(RtBrain *b, const Nir *nir, int gi, uint64_t *moved, uint64_t *pruned)
{
    const RtGroup *g = &b->groups[gi];
    const NirGroup *ng = &nir->groups[gi];
    const double *f =
        rt_brain_group_state(b, (uint32_t)gi, nir->syn_models[ng->model].pruned_state);
    *moved = *pruned = 0;
    for (uint64_t k = 0; k < ng->n_syn; k++) {
        *moved += g->syn_id && g->syn_id[k] != k;
        *pruned += f[k] != 0;
    }
}

/* ---- (a) compiled and compacted against the interpreter, never compacted --------- */

static void test_against_interpreter(Compiled *c)
{
    const Nir *nir = c->net.nir;
    RtBrain *jit = instantiate(c, 1), *ref = instantiate_per_synapse(llvm_brain_spec(c->lb), 1);
    CHECK(jit && ref, "two brains");
    if (!jit || !ref)
        goto done;
    interp_reset();
    use_interpreter(ref, nir);
    no_compaction(ref);
    int first_diff = -1;
    for (int t = 0; t < TICKS && first_diff < 0; t++) {
        step_both(jit, ref, t);
        if (!brains_equal(jit, ref, nir, NULL))
            first_diff = t;
    }
    CHECK(interp_failed == 0, "interpreter ran every kernel");
    CHECK(first_diff < 0,
          "compacted JIT = uncompacted interpreter for %d ticks (first difference at tick %d)",
          TICKS, first_diff);
    for (int gi = 0; gi < nir->ngroups; gi++) {
        uint64_t moved, pruned, n = nir->groups[gi].n_syn;
        moved_and_pruned(jit, nir, gi, &moved, &pruned);
        printf("group %d: %" PRIu64 " synapses, %" PRIu64 " pruned, %" PRIu64 " moved\n", gi, n,
               pruned, moved);
        CHECK(pruned > n / 4 && pruned < n,
              "group %d: scattered pruning (%" PRIu64 " of %" PRIu64 ")", gi, pruned, n);
        CHECK(moved > 0 && jit->groups[gi].s.row_live, "group %d: compacted", gi);
        CHECK(!ref->groups[gi].syn_id, "group %d: the reference never compacted", gi);
    }
done:
    rt_brain_destroy(jit);
    rt_brain_destroy(ref);
}

/* ---- (b) threads ------------------------------------------------------------------ */

static void test_threads(Compiled *c)
{
    RtBrain *one = instantiate(c, 1), *two = instantiate(c, 2);
    CHECK(one && two, "brains with 1 and 2 threads");
    if (one && two) {
        for (int t = 0; t < TICKS; t++)
            step_both(one, two, t);
        CHECK(brains_equal(one, two, c->net.nir, NULL), "1 and 2 threads: the same states after %d ticks",
              TICKS);
    }
    rt_brain_destroy(one);
    rt_brain_destroy(two);
}

/* ---- (e) out of memory: a compaction that cannot allocate changes nothing ------- */

static void test_out_of_memory(Compiled *c)
{
    const Nir *nir = c->net.nir;
    RtBrain *x = instantiate(c, 1), *ref = instantiate(c, 1);
    CHECK(x && ref, "two brains");
    if (!x || !ref)
        goto done;
    no_compaction(ref);
    int first_diff = -1, compacted_before = 0;
    uint64_t calls = 0;
    for (int t = 0; t < TICKS && first_diff < 0; t++) {
        if (t == TICKS / 2) { /* from here on every allocation of x fails */
            compacted_before = x->groups[0].syn_id != NULL;
            calls = x->alloc.calls;
            rt_allocator_fail_nth(&x->alloc, 1, true);
        }
        step_both(x, ref, t);
        if (!brains_equal(x, ref, nir, NULL))
            first_diff = t;
    }
    rt_allocator_fail_nth(&x->alloc, 0, false);
    CHECK(compacted_before, "compacted before allocations failed");
    CHECK(x->alloc.calls > calls, "compactions tried to allocate after that (%" PRIu64 " calls)",
          x->alloc.calls - calls);
    CHECK(first_diff < 0, "failed compactions change nothing (first difference at tick %d)",
          first_diff);
done:
    rt_brain_destroy(x);
    rt_brain_destroy(ref);
}

/* ---- (c) checkpoints, (d) recordings ---------------------------------------------- */

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    *n = 0;
    if (!f)
        return NULL;
    size_t cap = 0;
    for (;;) {
        if (*n == cap && !(buf = realloc(buf, cap = cap * 2 + 65536)))
            break;
        size_t got = fread(buf + *n, 1, cap - *n, f);
        *n += got;
        if (!got)
            break;
    }
    fclose(f);
    return buf;
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static void remove_db(const char *path)
{
    char aux[256];
    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
}

static RtStatus record_w(RtBrain *b, const char *path, uint32_t group, RtError *err)
{
    RtRecordSpec r = {.kind = RT_RECORD_SYNAPSE,
                      .path = path,
                      .target = "s",
                      .variable = "w",
                      .slot = 0,
                      .ngroups = 1,
                      .groups = &group,
                      .every = 50};
    return rt_brain_record_add(b, &r, err);
}

/* Every line "tick,synapse,pre,post,value" names synapse k of the IR's
 * group with its pre and post neuron. */
static int recording_names_network(const char *path, const NirGroup *g, uint64_t *rows)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[256];
    int ok = 1;
    *rows = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long tick, k, pre, post;
        double v;
        if (sscanf(line, "%llu,%llu,%llu,%llu,%lf", &tick, &k, &pre, &post, &v) != 5)
            continue; /* the header */
        ok &= k < g->n_syn && post == g->col[k] && g->row_ptr[pre] <= k && k < g->row_ptr[pre + 1];
        ++*rows;
    }
    fclose(f);
    return ok;
}

static void test_checkpoint_and_recording(Compiled *c)
{
    const Nir *nir = c->net.nir;
    int gs = nir_find_group(nir, "s");
    char dir[] = "/tmp/brainc_compactXXXXXX";
    char ck_a[256] = "", ck_b[256] = "", rec_a[256] = "", rec_b[256] = "";
    RtBrain *a = instantiate(c, 1), *b = instantiate(c, 1), *resumed = instantiate(c, 1);
    int have_dir = mkdtemp(dir) != NULL;
    CHECK(gs >= 0 && a && b && resumed && have_dir, "brains and a directory");
    if (gs < 0 || !a || !b || !resumed || !have_dir)
        goto done;
    snprintf(ck_a, sizeof ck_a, "%s/a.db", dir);
    snprintf(ck_b, sizeof ck_b, "%s/b.db", dir);
    snprintf(rec_a, sizeof rec_a, "%s/a.csv", dir);
    snprintf(rec_b, sizeof rec_b, "%s/b.csv", dir);
    no_compaction(b);
    RtError err = {0};
    CHECK(record_w(a, rec_a, (uint32_t)gs, &err) == RT_OK &&
              record_w(b, rec_b, (uint32_t)gs, &err) == RT_OK,
          "recordings: %s", err.msg);
    for (int t = 0; t < SAVE_AT; t++)
        step_both(a, b, t);
    CHECK(a->groups[gs].syn_id != NULL, "compacted by tick %d", SAVE_AT);
    CHECK(rt_checkpoint_save(a, ck_a, NULL, &err) == RT_OK, "saved (compacted): %s", err.msg);
    CHECK(rt_checkpoint_save(b, ck_b, NULL, &err) == RT_OK, "saved (never compacted): %s", err.msg);
    CHECK(same_file(ck_a, ck_b),
          "checkpoints of the compacted and the uncompacted brain are byte-identical");
    CHECK(rt_checkpoint_load(resumed, ck_a, NULL, &err) == RT_OK, "loaded into a fresh brain: %s",
          err.msg);
    for (int t = SAVE_AT; t < TICKS; t++) {
        step_both(a, b, t);
        if (t % 40 == 20)
            rt_brain_reward(resumed, t % 80 == 20 ? 1.0 : -0.5);
        rt_brain_step(resumed, 1, NULL);
    }
    CHECK(brains_equal(resumed, a, nir, NULL), "resumed from the checkpoint = uninterrupted (compacted)");
    CHECK(brains_equal(resumed, b, nir, NULL),
          "resumed from the checkpoint = uninterrupted (never compacted)");
    remove_db(ck_a);
    remove_db(ck_b);
    CHECK(rt_checkpoint_save(resumed, ck_a, NULL, &err) == RT_OK &&
              rt_checkpoint_save(a, ck_b, NULL, &err) == RT_OK,
          "saved at tick %d: %s", TICKS, err.msg);
    CHECK(same_file(ck_a, ck_b),
          "checkpoints at tick %d of the resumed and the uninterrupted brain are byte-identical",
          TICKS);
    CHECK(rt_brain_record_close(a, &err) == RT_OK && rt_brain_record_close(b, &err) == RT_OK,
          "recordings closed: %s", err.msg);
    CHECK(same_file(rec_a, rec_b),
          "synapse recordings of the compacted and the uncompacted brain are identical");
    uint64_t rows = 0;
    CHECK(recording_names_network(rec_a, &nir->groups[gs], &rows) && rows > 0 &&
              rows % nir->groups[gs].n_syn == 0,
          "recorded synapses are the network's, with their pre and post (%" PRIu64 " rows)", rows);
done:
    rt_brain_destroy(a);
    rt_brain_destroy(b);
    rt_brain_destroy(resumed);
    if (have_dir) {
        remove_db(ck_a);
        remove_db(ck_b);
        unlink(rec_a);
        unlink(rec_b);
        rmdir(dir);
    }
}

int main(void)
{
    Compiled c = {0};
    if (compile(&c, src, 5)) {
        CHECK(0, "the program compiles");
        return check_report("test_prune_compact");
    }
    test_against_interpreter(&c);
    test_threads(&c);
    test_checkpoint_and_recording(&c);
    test_out_of_memory(&c);
    compiled_free(&c);
    return check_report("test_prune_compact");
}
