/* test_rt_spec_io.c - the brain spec blob (rt_spec_io.h).
 *
 * A hand-made spec with every kind of array (per-neuron parameters and
 * initial states, CSR with per-synapse delays, values and refs, stimuli of
 * each kind with targets and spike times) and parameters with bindings
 * survives write + read field by field; kernels bind in table order and a
 * wrong table size is refused; -D overwrites exactly the bound values and
 * refuses structural and unknown parameters. A blob truncated at every
 * length, with any byte flipped, with a wrong magic or version, or with
 * a bad count or index under a recomputed (valid) checksum, is refused
 * with RT_ERR_FORMAT, never read out of bounds (run under ASan). */
#include "rt_test.h"

#include "rt_spec_io.h"

#include <math.h>

/* ---- the reference spec ----------------------------------------------------- */

static void k0(void) {}
static void k1(void) {}
static void k2(void) {}
static void k3(void) {}

static const double a_state[2] = {-65, 0};
static const double a_v0[3] = {-70, -60, -65.5};
static const double *const a_init[2] = {a_v0, NULL};
static const double a_tau[3] = {10, 20, 30};
static const double *const a_param[2] = {NULL, a_tau};
static const double b_state[1] = {1.5};
static const double b_gain[2] = {2, 2};
static const double *const b_param[1] = {b_gain};

static const uint64_t row_ptr[4] = {0, 2, 2, 3};
static const uint32_t col[3] = {0, 1, 1};
static const uint16_t delays[3] = {1, 4, 2};
static const double g_state[2] = {0.5, 0};
static const float g_w[3] = {0.25f, 0.5f, 1.0f};
static const float *const g_init[2] = {g_w, NULL};
static const float g_lr[3] = {1e-3f, 2e-3f, 3e-3f};
static const float *const g_param[1] = {g_lr};
static const RtRefSpec g_refs[2] = {{1, RT_REF_INPUT, 0, 1}, {0, RT_REF_STATE, 1, 0}};
static const uint8_t g_side[2] = {RT_SIDE_SYNAPSE, RT_SIDE_POST}; /* state 1: a shared trace */

static const uint32_t in_idx[2] = {0, 2};
static const double in_times[3] = {1.0, 2.5, 7.0};

enum { NINPUTS = 4 };

static RtBrainSpec make_spec(RtPopSpec *pops, RtGroupSpec *groups, RtInputSpec *inputs)
{
    pops[0] = (RtPopSpec){"area.exc", 3, 2, 1, 2, a_state, a_init, a_param, 1, (RtPopUpdateFn)k0};
    pops[1] = (RtPopSpec){"inh", 2, 1, 2, 1, b_state, NULL, b_param, 0, (RtPopUpdateFn)k1};
    groups[0] = (RtGroupSpec){.name = "exc->inh", .pre = 0, .post = 1, .n_syn = 3, .row_ptr = row_ptr,
                              .col = col, .nstates = 2, .nparams = 1, .nrefs = 2, .state_value = g_state,
                              .state_init = g_init, .param = g_param, .delay = 1, .delays = delays,
                              .refs = g_refs, .on_pre = (RtSynRowsFn)k2, .on_tick = (RtSynRowsFn)k3,
                              .state_side = g_side};
    inputs[0] = (RtInputSpec){RT_INPUT_CURRENT, 0, 3, NULL, 2.5, 0, 0, NULL, 0, 0, 50, 11, 0, 0};
    inputs[1] = (RtInputSpec){RT_INPUT_POISSON, 1, 2, NULL, 0, 300, 4, NULL, 0, 0, INFINITY, 12, 0, 0};
    inputs[2] = (RtInputSpec){RT_INPUT_SPIKES, 0, 2, in_idx, 0, 0, 3, in_times, 3, 0, INFINITY, 13, 0, 0};
    inputs[3] = (RtInputSpec){RT_INPUT_NOISE, 1, 2, NULL, -1.5, 0, 1, NULL, 0, 10, INFINITY, 14, 0, 0.75};
    return (RtBrainSpec){0.1, 42, 2, 1, NINPUTS, pops, groups, inputs, 0, 0, 0, NULL, NULL};
}

static const RtParamBinding rate_bind[1] = {{RT_BIND_INPUT_RATE, 1, 0}};
static const RtParamBinding sd_bind[1] = {{RT_BIND_INPUT_SD, 3, 0}};
static const RtParamBinding tau_bind[2] = {{RT_BIND_POP_PARAM, 0, 1}, {RT_BIND_GROUP_STATE, 0, 0}};
static const RtSpecParam params[4] = {{"rate", 300, 1, 1, rate_bind},
                                      {"n", 3, 0, 0, NULL},
                                      {"tau", 0.5, 1, 2, tau_bind},
                                      {"sd", 0.75, 1, 1, sd_bind}};

static RtSpecMeta make_meta(void) { return (RtSpecMeta){"demo", 42, 4, params}; }

static uint8_t *write_blob(size_t *size)
{
    RtPopSpec pops[2];
    RtGroupSpec groups[1];
    RtInputSpec inputs[NINPUTS];
    RtBrainSpec spec = make_spec(pops, groups, inputs);
    RtSpecMeta meta = make_meta();
    uint8_t *blob = NULL;
    RtError err = {0};
    CHECK(rt_spec_write(&spec, &meta, &blob, size, &err) == RT_OK, "write: %s", err.msg);
    return blob;
}

/* FNV-1a, written here independently of the code under test. */
static uint64_t checksum(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ull;
    return h;
}

static void reseal(uint8_t *blob, size_t size)
{
    uint64_t h = checksum(blob + 32, size - 32);
    memcpy(blob + 24, &h, 8);
}

/* ---- round trip --------------------------------------------------------------- */

static int same_doubles(const double *a, const double *b, size_t n)
{
    return (!a && !b) || (a && b && memcmp(a, b, n * sizeof *a) == 0);
}

static void check_pops(const RtBrainSpec *s)
{
    const RtPopSpec *a = &s->pops[0], *b = &s->pops[1];
    CHECK(strcmp(a->name, "area.exc") == 0 && a->size == 3 && a->nstates == 2 && a->ninputs == 1 &&
          a->nparams == 2 && a->has_refractory == 1, "population 0 header");
    CHECK(same_doubles(a->state_value, a_state, 2) && same_doubles(a->state_init[0], a_v0, 3) &&
          !a->state_init[1], "population 0 states");
    CHECK(!a->param[0] && same_doubles(a->param[1], a_tau, 3), "population 0 parameters");
    CHECK(strcmp(b->name, "inh") == 0 && b->size == 2 && b->ninputs == 2 && b->has_refractory == 0 &&
          same_doubles(b->param[0], b_gain, 2) && !b->state_init[0], "population 1");
}

static void check_group(const RtBrainSpec *s)
{
    const RtGroupSpec *g = &s->groups[0];
    CHECK(strcmp(g->name, "exc->inh") == 0 && g->pre == 0 && g->post == 1 && g->n_syn == 3, "group header");
    CHECK(memcmp(g->row_ptr, row_ptr, sizeof row_ptr) == 0 && memcmp(g->col, col, sizeof col) == 0,
          "group CSR");
    CHECK(g->delay == 1 && memcmp(g->delays, delays, sizeof delays) == 0, "group delays");
    CHECK(same_doubles(g->state_value, g_state, 2) && memcmp(g->state_init[0], g_w, sizeof g_w) == 0 &&
          !g->state_init[1] && memcmp(g->param[0], g_lr, sizeof g_lr) == 0, "group values");
    CHECK(g->nrefs == 2 && memcmp(g->refs, g_refs, sizeof g_refs) == 0, "group refs");
    CHECK(g->state_side && memcmp(g->state_side, g_side, sizeof g_side) == 0, "group state layout");
}

static void check_inputs(const RtBrainSpec *s)
{
    const RtInputSpec *in = s->inputs;
    CHECK(in[0].kind == RT_INPUT_CURRENT && in[0].amplitude == 2.5 && in[0].until_ms == 50 &&
          !in[0].idx && in[0].stream == 11, "current");
    CHECK(in[1].kind == RT_INPUT_POISSON && in[1].rate_hz == 300 && in[1].w == 4 && isinf(in[1].until_ms),
          "poisson");
    CHECK(in[2].kind == RT_INPUT_SPIKES && in[2].n == 2 && memcmp(in[2].idx, in_idx, sizeof in_idx) == 0 &&
          in[2].ntimes == 3 && same_doubles(in[2].times_ms, in_times, 3), "spike times");
    CHECK(in[3].kind == RT_INPUT_NOISE && in[3].amplitude == -1.5 && in[3].sd == 0.75 && in[3].from_ms == 10 &&
          in[3].stream == 14, "noise");
}

static void test_round_trip(void)
{
    size_t size;
    uint8_t *blob = write_blob(&size);
    RtError err = {0};
    RtSpecBlob *b = rt_spec_read(blob, size, &err);
    CHECK(b != NULL, "read: %s", err.msg);
    if (b) {
        const RtBrainSpec *s = rt_spec_blob_spec(b);
        CHECK(s->dt == 0.1 && s->seed == 42 && s->npops == 2 && s->ngroups == 1 && s->ninputs == NINPUTS,
              "spec header");
        check_pops(s);
        check_group(s);
        check_inputs(s);
        /* Connectivity is used in place (malloc'd blobs are 8-byte aligned). */
        const uint8_t *col = (const uint8_t *)s->groups[0].col, *rows = (const uint8_t *)s->groups[0].row_ptr;
        CHECK(col > blob && col < blob + size && rows > blob && rows < blob + size, "CSR read in place");
        const RtSpecMeta *m = rt_spec_blob_meta(b);
        CHECK(strcmp(m->brain, "demo") == 0 && m->build_seed == 42 && m->nparams == 4, "meta");
        CHECK(m->nparams == 4 && strcmp(m->params[2].name, "tau") == 0 && m->params[2].nbind == 2 &&
              memcmp(m->params[2].bind, tau_bind, sizeof tau_bind) == 0 && !m->params[1].changeable,
              "parameters");
    }
    rt_spec_blob_free(b);
    free(blob);
}

/* ---- kernels and -D --------------------------------------------------------------- */

static void test_kernels(void)
{
    size_t size;
    uint8_t *blob = write_blob(&size);
    RtError err = {0};
    RtSpecBlob *b = rt_spec_read(blob, size, &err);
    const RtKernelFn table[4] = {k0, k1, k2, k3};
    CHECK(b && rt_spec_bind_kernels(b, table, 3, &err) == RT_ERR_FORMAT, "a short table is refused");
    CHECK(b && rt_spec_bind_kernels(b, table, 4, &err) == RT_OK, "bind: %s", err.msg);
    if (b) {
        const RtBrainSpec *s = rt_spec_blob_spec(b);
        CHECK(s->pops[0].update == (RtPopUpdateFn)k0 && s->pops[1].update == (RtPopUpdateFn)k1 &&
              s->groups[0].on_pre == (RtSynRowsFn)k2 && !s->groups[0].on_post &&
              s->groups[0].on_tick == (RtSynRowsFn)k3 && !s->groups[0].gap, "kernels in table order");
        CHECK(rt_spec_kernel_count(s) == 4, "kernel count");
        RtBrain *brain = rt_brain_create(s, 1, &err);
        CHECK(brain != NULL, "a brain from the read spec: %s", err.msg);
        rt_brain_destroy(brain);
    }
    rt_spec_blob_free(b);
    free(blob);
}

static void test_define(void)
{
    size_t size;
    uint8_t *blob = write_blob(&size);
    RtError err = {0};
    RtSpecBlob *b = rt_spec_read(blob, size, &err);
    if (!b) {
        CHECK(0, "read: %s", err.msg);
        free(blob);
        return;
    }
    const RtBrainSpec *s = rt_spec_blob_spec(b);
    CHECK(rt_spec_define(b, "rate", 120, &err) == RT_OK && s->inputs[1].rate_hz == 120 &&
          s->inputs[2].w == 3, "-D rate sets the poisson rate only");
    CHECK(rt_spec_define(b, "tau", 7, &err) == RT_OK && s->pops[0].param[1][0] == 7 &&
          s->pops[0].param[1][2] == 7 && s->groups[0].state_value[0] == 7 && s->pops[0].state_value[0] == -65,
          "-D tau sets the bound arrays");
    CHECK(rt_spec_define(b, "sd", 2, &err) == RT_OK && s->inputs[3].sd == 2 && s->inputs[3].amplitude == -1.5,
          "-D sd sets the noise's sd");
    CHECK(rt_spec_define(b, "n", 5, &err) == RT_ERR_ARG && strstr(err.msg, "rate, tau"),
          "structural parameter refused, naming the changeable ones: %s", err.msg);
    CHECK(rt_spec_define(b, "zz", 5, &err) == RT_ERR_ARG && strstr(err.msg, "zz"), "unknown parameter");
    rt_spec_blob_free(b);
    free(blob);
}

/* ---- corrupted blobs ----------------------------------------------------------------- */

static int refused(const uint8_t *blob, size_t size)
{
    RtError err = {0};
    RtSpecBlob *b = rt_spec_read(blob, size, &err);
    rt_spec_blob_free(b);
    return !b && err.status != RT_OK;
}

static void test_truncated(void)
{
    size_t size;
    uint8_t *blob = write_blob(&size);
    int all = 1;
    for (size_t n = 0; n < size; n++) {
        uint8_t *copy = malloc(n + 1); /* exactly n readable bytes for ASan */
        memcpy(copy, blob, n);
        all &= refused(copy, n);
        /* Truncated but resealed: the header's size says n, the checksum fits. */
        if (n >= 32) {
            uint64_t payload = n - 32;
            memcpy(copy + 16, &payload, 8);
            reseal(copy, n);
            all &= refused(copy, n);
        }
        free(copy);
    }
    CHECK(all, "every truncation is refused");
    free(blob);
}

static void test_flipped(void)
{
    size_t size;
    uint8_t *blob = write_blob(&size);
    int all = 1;
    for (size_t k = 0; k < size; k++) {
        blob[k] ^= 0x40;
        all &= refused(blob, size);
        blob[k] ^= 0x40;
    }
    CHECK(all, "every flipped byte is refused (header checks or checksum)");
    CHECK(!refused(blob, size), "the intact blob still reads");
    free(blob);
}

/* Bytes changed under a valid checksum: refused, or read into a spec that
 * is safe to use; never a crash (ASan watches). */
static void test_resealed_mutations(void)
{
    size_t size;
    uint8_t *blob = write_blob(&size);
    uint8_t *copy = malloc(size);
    TestRng rng = {7};
    int nrefused = 0;
    for (int trial = 0; trial < 4000; trial++) {
        memcpy(copy, blob, size);
        for (int m = 0; m < 1 + trial % 3; m++)
            copy[32 + test_rng_below(&rng, (uint32_t)(size - 32))] = (uint8_t)test_rng_u64(&rng);
        reseal(copy, size);
        nrefused += refused(copy, size);
    }
    CHECK(nrefused > 1000, "most random resealed mutations are refused (%d of 4000)", nrefused);
    /* A population count far beyond the blob (npops follows the brain name,
     * the build seed, dt and the seed). */
    memcpy(copy, blob, size);
    uint32_t huge = 0xffffffffu;
    memcpy(copy + 32 + 4 + 4 + 8 + 8 + 8, &huge, 4);
    reseal(copy, size);
    CHECK(refused(copy, size), "a huge population count is refused");
    free(copy);
    free(blob);
}

/* A state kept per neuron must start uniform and not be the pruning flag:
 * a blob that says otherwise is refused, and so is a layout out of range. */
static void test_bad_layout(void)
{
    static const uint8_t per_neuron_with_init[2] = {RT_SIDE_PRE, RT_SIDE_SYNAPSE};
    static const uint8_t out_of_range[2] = {RT_SIDE_SYNAPSE, 3};
    const uint8_t *bad[2] = {per_neuron_with_init, out_of_range};
    for (int i = 0; i < 2; i++) {
        RtPopSpec pops[2];
        RtGroupSpec groups[1];
        RtInputSpec inputs[NINPUTS];
        RtBrainSpec spec = make_spec(pops, groups, inputs);
        groups[0].state_side = bad[i];
        RtSpecMeta meta = make_meta();
        uint8_t *blob = NULL;
        size_t size = 0;
        RtError err = {0};
        CHECK(rt_spec_write(&spec, &meta, &blob, &size, &err) == RT_OK, "write: %s", err.msg);
        RtSpecBlob *b = blob ? rt_spec_read(blob, size, &err) : NULL;
        CHECK(!b && strstr(err.msg, "state layout"), "bad layout %d refused (%s)", i, err.msg);
        CHECK(!rt_brain_create(&spec, 1, &err) && err.status == RT_ERR_ARG, "and refused by rt_brain_create");
        rt_spec_blob_free(b);
        free(blob);
    }
}

static void test_header(void)
{
    size_t size;
    uint8_t *blob = write_blob(&size);
    blob[0] = 'X';
    CHECK(refused(blob, size), "wrong magic");
    blob[0] = 'B';
    uint32_t v = RT_SPEC_VERSION + 1;
    memcpy(blob + 8, &v, 4);
    CHECK(refused(blob, size), "unsupported version");
    CHECK(refused(NULL, 0), "no blob");
    free(blob);
}

int main(void)
{
    test_round_trip();
    test_kernels();
    test_bad_layout();
    test_define();
    test_truncated();
    test_flipped();
    test_resealed_mutations();
    test_header();
    return rt_test_report();
}
