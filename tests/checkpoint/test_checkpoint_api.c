/* test_checkpoint_api.c - checkpoints through the C API (rt_checkpoint.h)
 * on a brain with hand-written kernels: a leaky population driven by
 * Poisson input and currents, plastic synapses with delays 1..5 and an
 * `on reward` rule. A brain restored at tick T, given the same later
 * currents and rewards, matches the uninterrupted one exactly, including a
 * reward given before the save and pending for the next tick (to the
 * whole brain and to the group), also from a checkpoint of schema 2, which
 * kept pending reward as sums; loading into
 * another network and saving into a bad path fail with messages. */
#include "../runtime/rt_test.h"
#include "rt_checkpoint.h"
#include <math.h>
#include <sqlite3.h>

#define N 50
#define NSYN 300

static void leaky(const RtPopState *s, uint32_t begin, uint32_t end, double t, uint8_t *spiked)
{
    (void)t;
    for (uint32_t k = begin; k < end; k++) {
        double v = s->state[0][k] * 0.9 + s->input[0][k];
        s->input[0][k] = 0;
        spiked[k] = v > 1;
        s->state[0][k] = v > 1 ? 0 : v;
    }
}

static void on_pre(const RtGroupState *g, uint32_t pre_begin, uint32_t pre_end, uint64_t tick, double value)
{
    (void)value;
    for (uint32_t i = pre_begin; i < pre_end; i++)
        for (uint64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++) {
            g->ring[0][((tick + g->delay[k]) % g->ring_len) * g->n_post + g->col[k]] += g->state[0][k];
            g->state[0][k] += 0.001;
        }
}

static void on_reward(const RtGroupState *g, uint32_t pre_begin, uint32_t pre_end, uint64_t tick, double value)
{
    (void)tick;
    for (uint64_t k = g->row_ptr[pre_begin]; k < g->row_ptr[pre_end]; k++)
        g->state[0][k] *= 1 + 0.01 * value;
}

typedef struct Net {
    uint64_t row_ptr[N + 1];
    uint32_t col[NSYN];
    uint16_t delays[NSYN];
    double v0, w0;
    RtRefSpec ref;
    RtPopSpec pop;
    RtGroupSpec group;
    RtInputSpec input;
    RtBrainSpec spec;
} Net;

static void make_net(Net *n, uint64_t nsyn)
{
    TestRng rng = {42};
    for (uint32_t i = 0; i <= N; i++)
        n->row_ptr[i] = nsyn * i / N;
    for (uint64_t k = 0; k < nsyn; k++) {
        n->col[k] = (uint32_t)(test_rng_u64(&rng) % N);
        n->delays[k] = (uint16_t)(1 + test_rng_u64(&rng) % 5);
    }
    n->v0 = 0, n->w0 = 0.2;
    n->ref = (RtRefSpec){1, RT_REF_INPUT, 0, 1};
    n->pop = (RtPopSpec){"cells", N, 1, 1, 0, &n->v0, NULL, NULL, 0, leaky};
    n->group = (RtGroupSpec){.name = "cells->cells", .pre = 0, .post = 0, .n_syn = nsyn, .row_ptr = n->row_ptr,
                             .col = n->col, .nstates = 1, .nrefs = 1, .state_value = &n->w0,
                             .delays = n->delays, .refs = &n->ref, .on_pre = on_pre, .on_reward = on_reward};
    n->input = (RtInputSpec){.kind = RT_INPUT_POISSON, .pop = 0, .rate_hz = 200, .w = 0.6,
                             .until_ms = INFINITY, .stream = 3};
    n->spec = (RtBrainSpec){.dt = 1.0, .seed = 9, .npops = 1, .ngroups = 1, .ninputs = 1,
                            .pops = &n->pop, .groups = &n->group, .inputs = &n->input};
}

/* What the outside does at tick t: currents and rewards. */
static void drive(RtBrain *b, uint64_t t)
{
    if (t % 7 == 0)
        rt_brain_set_current(b, 0, (uint32_t)(t % N), 0.8);
    if (t % 11 == 0)
        rt_brain_reward(b, (double)(t % 5) - 2);
    if (t % 13 == 0)
        rt_brain_reward_group(b, 0, 1.5);
}

/* Spikes of ticks [from, to) as one checksum, after driving b there. */
static uint64_t run(RtBrain *b, uint64_t from, uint64_t to)
{
    uint64_t h = 0;
    for (uint64_t t = from; t < to; t++) {
        drive(b, t);
        rt_brain_step(b, 1, NULL);
        uint32_t ns;
        const uint32_t *s = rt_brain_spikes(b, 0, &ns);
        h = rt_checkpoint_hash(s, sizeof *s * ns, h + t);
    }
    return h;
}

/* A brain of net on `threads` threads run to tick `ticks`, given a reward
 * for all groups and one for the group (pending across the save), and
 * saved to path; and a fresh brain b to load into. 0 when either could
 * not be made. */
static int saved(const Net *net, unsigned threads, uint64_t ticks, const char *path, const RtCheckpointMeta *meta,
                 RtBrain **a, RtBrain **b)
{
    RtError err = {0};
    *a = rt_brain_create(&net->spec, threads, &err);
    *b = rt_brain_create(&net->spec, 1, &err);
    CHECK(*a && *b, "create: %s", err.msg);
    if (!*a || !*b) {
        rt_brain_destroy(*a), rt_brain_destroy(*b);
        return 0;
    }
    run(*a, 0, ticks);
    CHECK(rt_brain_reward(*a, 3) == RT_OK && rt_brain_reward_group(*a, 0, -2.5) == RT_OK, "rewards pending");
    CHECK(rt_checkpoint_save(*a, path, meta, &err) == RT_OK, "save: %s", err.msg);
    return 1;
}

static void test_resume(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/api.db", dir);
    Net net;
    make_net(&net, NSYN);
    RtError err = {0};
    RtBrain *a, *b;
    RtCheckpointMeta meta = {.brain = "api", .params = "x=1", .seed = 9, .source_hash = 5, .spec_hash = 6};
    if (!saved(&net, 2, 60, path, &meta, &a, &b))
        return;
    RtCheckpointMeta got;
    CHECK(rt_checkpoint_load(b, path, &got, &err) == RT_OK, "load: %s", err.msg);
    CHECK(rt_brain_tick(b) == 60 && got.tick == 60 && strcmp(got.brain, "api") == 0 && got.spec_hash == 6 &&
          strcmp(got.params, "x=1") == 0 && got.schema == RT_CHECKPOINT_SCHEMA, "meta round trip");
    uint64_t ha = run(a, 60, 200), hb = run(b, 60, 200);
    CHECK(ha == hb, "spikes after the resume differ");
    CHECK(memcmp(rt_brain_group_state(a, 0, 0), rt_brain_group_state(b, 0, 0), sizeof(double) * NSYN) == 0,
          "weights differ");
    CHECK(memcmp(rt_brain_pop_state(a, 0, 0), rt_brain_pop_state(b, 0, 0), sizeof(double) * N) == 0,
          "states differ");
    CHECK(rt_brain_spike_count(a, 0) == rt_brain_spike_count(b, 0) && rt_brain_spike_count(a, 0) > 50,
          "spike counts");
    rt_brain_destroy(a);
    rt_brain_destroy(b);
}

/* Array `name` as a save writes it (with its checksum). */
static int put_array(sqlite3 *db, const char *name, const char *dtype, const void *data, int bytes, int count)
{
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(db, "INSERT INTO arrays(name, dtype, count, crc, data) VALUES(?, ?, ?, ?, ?)", -1,
                                &st, NULL) == SQLITE_OK;
    ok = ok && sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
         sqlite3_bind_text(st, 2, dtype, -1, SQLITE_STATIC) == SQLITE_OK &&
         sqlite3_bind_int64(st, 3, count) == SQLITE_OK &&
         sqlite3_bind_int64(st, 4, (sqlite3_int64)rt_checkpoint_hash(data, (size_t)bytes, 0)) == SQLITE_OK &&
         sqlite3_bind_blob(st, 5, data, bytes, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
}

/* Schema 2 kept the pending reward as a sum for all groups ("brain/reward",
 * meta "rewarded") and one per group ("reward/group", "reward/group_flag");
 * schema 3 keeps each delivery. A schema 2 file (made here from a schema 3
 * one) loads as one delivery each: all groups first, then the group's, as
 * the schema 3 brain that was saved runs them. The `on reward` rule is
 * multiplicative, so a sum would not give the same weights. */
static void test_schema2(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/v2.db", dir);
    Net net;
    make_net(&net, NSYN);
    RtError err = {0};
    RtBrain *a, *b;
    if (!saved(&net, 1, 60, path, NULL, &a, &b))
        return;
    sqlite3 *db = NULL;
    double all = 3, group = -2.5;
    uint8_t flag = 1;
    int ok = sqlite3_open(path, &db) == SQLITE_OK &&
             sqlite3_exec(db,
                          "DELETE FROM arrays WHERE name LIKE 'reward/delivery_%';"
                          "DELETE FROM meta WHERE key = 'deliveries';"
                          "INSERT INTO meta VALUES('rewarded', '1');"
                          "UPDATE meta SET value = '2' WHERE key = 'schema_version'",
                          NULL, NULL, NULL) == SQLITE_OK &&
             put_array(db, "brain/reward", "f64", &all, 8, 1) &&
             put_array(db, "reward/group", "f64", &group, 8, 1) &&
             put_array(db, "reward/group_flag", "u8", &flag, 1, 1);
    sqlite3_close(db);
    CHECK(ok, "writing the schema 2 file");
    RtCheckpointMeta got;
    CHECK(rt_checkpoint_load(b, path, &got, &err) == RT_OK && got.schema == 2, "load schema 2: %s", err.msg);
    uint64_t ha = run(a, 60, 200), hb = run(b, 60, 200);
    CHECK(ha == hb, "spikes after a schema 2 resume differ");
    CHECK(memcmp(rt_brain_group_state(a, 0, 0), rt_brain_group_state(b, 0, 0), sizeof(double) * NSYN) == 0,
          "weights after a schema 2 resume differ");
    rt_brain_destroy(a);
    rt_brain_destroy(b);
}

/* Pending rewards of a checkpoint that a save could not have written: a
 * list longer or shorter than meta `deliveries` says, a group out of range
 * (checksums right, so only the checks on the values catch them). */
static void test_bad_pending(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/pending.db", dir);
    Net net;
    make_net(&net, NSYN);
    RtError err = {0};
    RtBrain *a, *b;
    if (!saved(&net, 1, 10, path, NULL, &a, &b))
        return;
    rt_brain_destroy(b);
    static const struct {
        const char *sql;
        uint32_t group[2];
        const char *want;
    } cases[] = {
        {"UPDATE meta SET value = '3' WHERE key = 'deliveries'", {UINT32_MAX, 0},
         "its meta counts 3 pending rewards, its list holds 2"},
        {"UPDATE meta SET value = '1' WHERE key = 'deliveries'", {UINT32_MAX, 0},
         "its meta counts 1 pending rewards, its list holds 2"},
        {"", {UINT32_MAX, 7}, "a pending reward to group 7 of 1"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char bad[600];
        snprintf(bad, sizeof bad, "%s/pending%zu.db", dir, c);
        FILE *in = fopen(path, "rb"), *out = fopen(bad, "wb");
        char buf[4096];
        size_t n;
        while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, n, out);
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        sqlite3 *db = NULL;
        int ok = sqlite3_open(bad, &db) == SQLITE_OK && sqlite3_exec(db, cases[c].sql, NULL, NULL, NULL) == SQLITE_OK &&
                 sqlite3_exec(db, "DELETE FROM arrays WHERE name = 'reward/delivery_group'", NULL, NULL, NULL) ==
                     SQLITE_OK &&
                 put_array(db, "reward/delivery_group", "u32", cases[c].group, 8, 2);
        sqlite3_close(db);
        CHECK(ok, "writing %s", bad);
        b = rt_brain_create(&net.spec, 1, &err);
        RtStatus st = b ? rt_checkpoint_load(b, bad, NULL, &err) : RT_ERR_NOMEM;
        CHECK(st == RT_ERR_FORMAT && strstr(err.msg, cases[c].want), "case %zu refused: %s", c, err.msg);
        rt_brain_destroy(b);
    }
    rt_brain_destroy(a);
}

static void test_refused(const char *dir)
{
    char path[512], bad[600];
    snprintf(path, sizeof path, "%s/api.db", dir);
    Net net;
    make_net(&net, NSYN - 10);
    RtError err = {0};
    RtBrain *b = rt_brain_create(&net.spec, 1, &err);
    CHECK(rt_checkpoint_load(b, path, NULL, &err) == RT_ERR_FORMAT && strstr(err.msg, "different network"),
          "another network: %s", err.msg);
    RtCheckpointMeta expect = {.brain = "api", .seed = 9, .spec_hash = 7};
    char note[256];
    CHECK(rt_checkpoint_resume(b, path, &expect, note, sizeof note, &err) == RT_ERR_FORMAT &&
          strstr(err.msg, "different network"), "resume refused: %s", err.msg);
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.db", dir);
    CHECK(rt_checkpoint_save(b, bad, NULL, &err) == RT_ERR_IO, "bad path: %s", err.msg);
    rt_brain_destroy(b);
}

int main(void)
{
    char dir[] = "/tmp/brainc-ckpt-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    test_resume(dir);
    test_schema2(dir);
    test_bad_pending(dir);
    test_refused(dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return rt_test_report();
}
