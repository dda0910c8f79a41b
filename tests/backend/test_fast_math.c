/* test_fast_math.c - `--fast-math` (llvm_module_fast_math) against the
 * reference interpreter (compiler/backend/interp.c), on the conductance-
 * based LIF of examples/coba.brain (Euler, divisions by the constants
 * taum, taue, taui) with conductance kicks every few ticks.
 *
 * The same kernel is compiled twice into one JIT: IEEE (the default) must
 * be bit-identical to the interpreter; fast-math must stay within a small
 * relative tolerance of it (1e-9 over the run: reciprocal multiplication
 * and FMAs change the last bits only), spike on the same ticks, and differ
 * in at least some bits (else the flag did nothing). */
#include "backend/interp.h"
#include "backend/llvm/llvm_codegen.h"
#include "../check.h"
#include "rt_abi.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { N = 64, TICKS = 3000, MAXNODES = 256 };

static NirExpr nodes[MAXNODES];
static int nnodes;

static NirExpr *node(NirExprKind kind, int slot, double value)
{
    NirExpr *e = &nodes[nnodes++];
    memset(e, 0, sizeof *e);
    e->kind = kind, e->slot = slot, e->value = value;
    return e;
}
static NirExpr *bin(Op op, NirExpr *a, NirExpr *b)
{
    NirExpr *e = node(NX_BINARY, 0, 0);
    e->op = op, e->a = a, e->b = b;
    return e;
}
#define S(k) node(NX_STATE, k, 0)
#define P(k) node(NX_PARAM, k, 0)

/* coba_lif: states v, ge, gi; params taum, taue, taui, El, Ee, Ei, Vt, Vr, I. */
static const char *params[] = {"taum", "taue", "taui", "El", "Ee", "Ei", "Vt", "Vr", "I"};
static const double values[] = {20, 5, 10, -60, 0, -80, -50, -60, 20};
static const char *states[] = {"v", "ge", "gi"};

static NirNeuronModel coba_lif(NirExpr *ode[3], NirStmt *reset)
{
    NirNeuronModel m = {0};
    m.name = "coba_lif";
    m.nparams = 9, m.nstates = 3;
    m.params = params, m.states = states;
    NirExpr *syn = bin(OP_ADD, bin(OP_MUL, S(1), bin(OP_SUB, P(4), S(0))),
                       bin(OP_MUL, S(2), bin(OP_SUB, P(5), S(0))));
    NirExpr *drive = bin(OP_ADD, bin(OP_SUB, syn, bin(OP_SUB, S(0), P(3))), P(8));
    ode[0] = bin(OP_DIV, drive, P(0));
    NirExpr *neg_ge = node(NX_UNARY, 0, 0), *neg_gi = node(NX_UNARY, 0, 0);
    neg_ge->op = OP_NEG, neg_ge->a = S(1);
    neg_gi->op = OP_NEG, neg_gi->a = S(2);
    ode[1] = bin(OP_DIV, neg_ge, P(1));
    ode[2] = bin(OP_DIV, neg_gi, P(2));
    m.ode = ode;
    m.method = NIR_EULER, m.substeps = 1;
    m.spike = bin(OP_GT, S(0), P(6));
    memset(reset, 0, sizeof *reset);
    reset->kind = NS_ASSIGN;
    reset->var.kind = NX_STATE, reset->var.slot = 0;
    reset->value = P(7);
    m.reset = reset;
    return m;
}

typedef struct Arrays {
    LlvmPopState s;
    double *state[3], *param[9];
    uint8_t spiked[N];
} Arrays;

static void arrays_init(Arrays *a)
{
    memset(a, 0, sizeof *a);
    for (int j = 0; j < 3; j++)
        a->state[j] = calloc(N, sizeof(double));
    for (int k = 0; k < N; k++)
        a->state[0][k] = -60 + 10.0 * k / N; /* uniform in [Vr, Vt) */
    a->s.state = a->state, a->s.param = a->param;
}

static LlvmPopUpdateFn compile(LlvmJit *jit, LlvmTarget *tg, const NirNeuronModel *m, const NirPop *pop,
                               int id, int fast)
{
    LlvmError err;
    char name[64];
    LlvmModule *mod = llvm_module_create("fast_math_test", &err);
    if (!mod || llvm_emit_pop_update(mod, m, pop, id, 0.1, &err)) {
        printf("emit: %s\n", err.msg);
        llvm_module_dispose(mod);
        return NULL;
    }
    if (fast)
        llvm_module_fast_math(mod);
    if (llvm_target_optimize(tg, mod, &err) || llvm_jit_add_module(jit, mod, &err)) {
        printf("compile: %s\n", err.msg);
        return NULL;
    }
    llvm_pop_update_name(id, name, sizeof name);
    uint64_t addr = llvm_jit_lookup(jit, name, &err);
    return addr ? (LlvmPopUpdateFn)(uintptr_t)addr : NULL;
}

int main(void)
{
    LlvmError err;
    LlvmTarget *tg = llvm_target_create_host(&err);
    LlvmJit *jit = tg ? llvm_jit_create(&err) : NULL;
    if (!jit) {
        printf("cannot set up LLVM: %s\n", err.msg);
        return 1;
    }
    NirExpr *ode[3];
    NirStmt reset;
    NirNeuronModel m = coba_lif(ode, &reset);
    NirValues pv[9], sv[3];
    memset(pv, 0, sizeof pv);
    memset(sv, 0, sizeof sv);
    for (int j = 0; j < 9; j++)
        pv[j].value = values[j];
    NirPop pop = {0};
    pop.path = pop.name = "p";
    pop.size = N;
    pop.params = pv, pop.state = sv;
    LlvmPopUpdateFn ieee = compile(jit, tg, &m, &pop, 0, 0), fast = compile(jit, tg, &m, &pop, 1, 1);
    CHECK(ieee && fast, "kernels did not compile");
    if (!ieee || !fast)
        return check_report("fast_math");
    Arrays a_ieee, a_fast, ref;
    arrays_init(&a_ieee), arrays_init(&a_fast), arrays_init(&ref);
    long identical = 0, fast_identical = 0, compared = 0, spikes = 0, spike_diff = 0;
    double worst = 0;
    char msg[256];
    for (int tick = 0; tick < TICKS; tick++) {
        for (int k = 0; k < N; k++) /* conductance kicks, the same in all three */
            if ((tick + 7 * k) % 13 == 0) {
                double ge = 0.6 * (1 + k % 3), gi = (tick + k) % 7 == 0 ? 2.0 : 0;
                a_ieee.state[1][k] += ge, a_fast.state[1][k] += ge, ref.state[1][k] += ge;
                a_ieee.state[2][k] += gi, a_fast.state[2][k] += gi, ref.state[2][k] += gi;
            }
        double t = tick * 0.1;
        ieee(&a_ieee.s, 0, N, t, a_ieee.spiked);
        fast(&a_fast.s, 0, N, t, a_fast.spiked);
        if (interp_pop_update(&m, &pop, &ref.s, 0, N, t, 0.1, ref.spiked, msg, sizeof msg)) {
            CHECK(0, "interpreter: %s", msg);
            break;
        }
        for (int k = 0; k < N; k++) {
            spikes += ref.spiked[k];
            spike_diff += a_ieee.spiked[k] != ref.spiked[k] || a_fast.spiked[k] != ref.spiked[k];
            for (int j = 0; j < 3; j++) {
                double r = ref.state[j][k], x = a_ieee.state[j][k], f = a_fast.state[j][k];
                compared++;
                identical += memcmp(&r, &x, sizeof r) == 0;
                fast_identical += memcmp(&r, &f, sizeof r) == 0;
                double rel = fabs(f - r) / fmax(fabs(r), 1e-300);
                if (f != r && rel > worst)
                    worst = rel;
            }
        }
    }
    printf("%ld spikes; IEEE %ld/%ld values bit-identical; fast-math %ld/%ld, worst relative error %.3g\n",
           spikes, identical, compared, fast_identical, compared, worst);
    CHECK(spikes > N * 10, "the neurons should fire: %ld spikes", spikes);
    CHECK(identical == compared, "IEEE kernel: %ld of %ld values differ from the interpreter",
          compared - identical, compared);
    CHECK(spike_diff == 0, "%ld spikes differ from the interpreter", spike_diff);
    CHECK(worst < 1e-9, "fast-math: worst relative error %g", worst);
    CHECK(fast_identical < compared, "fast-math changed no bit: the flag has no effect");
    for (int j = 0; j < 3; j++)
        free(a_ieee.state[j]), free(a_fast.state[j]), free(ref.state[j]);
    llvm_jit_dispose(jit);
    llvm_target_dispose(tg);
    return check_report("fast_math");
}
