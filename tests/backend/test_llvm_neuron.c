/* test_llvm_neuron.c - the LLVM neuron kernels against the reference
 * interpreter (compiler/backend/interp.c), and the interpreter against an
 * independent hand-written Izhikevich (2003) simulation.
 *
 * Models are built as NIR values directly (nir_build is not wired into the
 * driver yet); each runs for many ticks through the JIT kernel and the
 * interpreter from identical states with identical inputs, and spike ticks
 * must be identical and states equal within 1e-9 relative. No fast-math
 * flag is ever set and LLVM contracts no a*b+c into an FMA unless asked, so
 * in practice the results are bit-identical (the test reports how many);
 * the tolerance only allows for libm calls that LLVM may rewrite
 * (pow(x, 2) -> x*x, folding exp of a constant at compile time). */
#include "backend/interp.h"
#include "backend/llvm/llvm_codegen.h"
#include "rt_abi.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);                                  \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

/* ---- building NIR by hand ---------------------------------------------------- */

/* Every node of a test model, freed together. */
typedef struct Pool {
    void *blocks[4096];
    int n;
} Pool;

static void *pool_alloc(Pool *p, size_t size)
{
    void *mem = calloc(1, size);
    if (!mem || p->n == 4096) {
        fprintf(stderr, "test pool exhausted\n");
        exit(3);
    }
    return p->blocks[p->n++] = mem;
}

static void pool_free(Pool *p)
{
    for (int k = 0; k < p->n; k++)
        free(p->blocks[k]);
    p->n = 0;
}

static NirExpr *node(Pool *p, NirExprKind kind)
{
    NirExpr *e = pool_alloc(p, sizeof *e);
    e->kind = kind;
    return e;
}
static NirExpr *num(Pool *p, double v) { NirExpr *e = node(p, NX_CONST); e->value = v; return e; }
static NirExpr *var(Pool *p, NirExprKind kind, int slot) { NirExpr *e = node(p, kind); e->slot = slot; return e; }
static NirExpr *bin(Pool *p, Op op, NirExpr *a, NirExpr *b)
{
    NirExpr *e = node(p, NX_BINARY);
    e->op = op, e->a = a, e->b = b;
    return e;
}
static NirExpr *un(Pool *p, Op op, NirExpr *a) { NirExpr *e = node(p, NX_UNARY); e->op = op, e->a = a; return e; }
static NirExpr *call(Pool *p, NirFn fn, NirExpr *a, NirExpr *b, NirExpr *c)
{
    NirExpr *e = node(p, NX_CALL);
    e->fn = fn, e->a = a, e->b = b, e->c = c;
    return e;
}
static NirExpr *cond(Pool *p, NirExpr *c, NirExpr *a, NirExpr *b)
{
    NirExpr *e = node(p, NX_COND);
    e->a = c, e->b = a, e->c = b;
    return e;
}
static NirStmt *assign(Pool *p, NirExprKind kind, int slot, NirExpr *value, NirStmt *next)
{
    NirStmt *s = pool_alloc(p, sizeof *s);
    s->kind = NS_ASSIGN, s->var.kind = kind, s->var.slot = slot, s->value = value, s->next = next;
    return s;
}
static NirStmt *if_stmt(Pool *p, NirExpr *c, NirStmt *body, NirStmt *orelse, NirStmt *next)
{
    NirStmt *s = pool_alloc(p, sizeof *s);
    s->kind = NS_IF, s->value = c, s->body = body, s->orelse = orelse, s->next = next;
    return s;
}

#define S(k) var(p, NX_STATE, k)
#define P(k) var(p, NX_PARAM, k)
#define IN(k) var(p, NX_INPUT, k)
#define L(k) var(p, NX_LOCAL, k)
#define K(v) num(p, v)

static NirPop make_pop(Pool *p, const NirNeuronModel *m, uint32_t n, const double *params, const double *init)
{
    NirPop pop = {0};
    pop.path = pop.name = "p";
    pop.size = n;
    pop.params = pool_alloc(p, sizeof(NirValues) * (size_t)(m->nparams + 1));
    pop.state = pool_alloc(p, sizeof(NirValues) * (size_t)(m->nstates + 1));
    for (int j = 0; j < m->nparams; j++)
        pop.params[j].value = params[j];
    for (int j = 0; j < m->nstates; j++)
        pop.state[j].value = init[j];
    return pop;
}

/* ---- models ---------------------------------------------------------------------- */

static const char *izh_params[] = {"a", "b", "c", "d", "I_ext"};
static const char *izh_states[] = {"v", "u"};
static const char *one_input[] = {"I"};

/* Izhikevich (2003): dv/dt = 0.04 v^2 + 5 v + 140 - u + I + I_ext, du/dt = a (b v - u),
 * spike when v >= 30 { v = c; u += d }. */
static NirNeuronModel izhikevich(Pool *p, int substeps)
{
    NirNeuronModel m = {0};
    m.name = "izhikevich";
    m.nparams = 5, m.nstates = 2, m.ninputs = 1;
    m.params = izh_params, m.states = izh_states, m.inputs = one_input;
    m.ode = pool_alloc(p, 2 * sizeof(NirExpr *));
    NirExpr *quad = bin(p, OP_MUL, bin(p, OP_MUL, K(0.04), S(0)), S(0));
    NirExpr *dv = bin(p, OP_ADD, bin(p, OP_ADD, quad, bin(p, OP_MUL, K(5), S(0))), K(140));
    dv = bin(p, OP_ADD, bin(p, OP_ADD, bin(p, OP_SUB, dv, S(1)), IN(0)), P(4));
    m.ode[0] = dv;
    m.ode[1] = bin(p, OP_MUL, P(0), bin(p, OP_SUB, bin(p, OP_MUL, P(1), S(0)), S(1)));
    m.method = NIR_EULER, m.substeps = substeps;
    m.spike = bin(p, OP_GE, S(0), K(30));
    m.reset = assign(p, NX_STATE, 0, P(2), assign(p, NX_STATE, 1, bin(p, OP_ADD, S(1), P(3)), NULL));
    return m;
}

static const char *lif_params[] = {"tau", "E_L", "R", "v_th", "v_reset", "t_ref"};
static const char *lif_states[] = {"v", "w"};

/* LIF with exact integration: dv/dt = (E_L - v + R I) / tau, dw/dt = -w / 50,
 * spike when v >= v_th { v = v_reset; w += 1 }, refractory t_ref hold v. */
static NirNeuronModel lif(Pool *p)
{
    NirNeuronModel m = {0};
    m.name = "lif";
    m.nparams = 6, m.nstates = 2, m.ninputs = 1;
    m.params = lif_params, m.states = lif_states, m.inputs = one_input;
    m.ode = pool_alloc(p, 2 * sizeof(NirExpr *));
    NirExpr *drive = bin(p, OP_ADD, bin(p, OP_SUB, P(1), S(0)), bin(p, OP_MUL, P(2), IN(0)));
    m.ode[0] = bin(p, OP_DIV, drive, P(0));
    m.ode[1] = bin(p, OP_DIV, un(p, OP_NEG, S(1)), K(50));
    m.method = NIR_EXACT, m.substeps = 1;
    m.spike = bin(p, OP_GE, S(0), P(3));
    m.reset = assign(p, NX_STATE, 0, P(4), assign(p, NX_STATE, 1, bin(p, OP_ADD, S(1), K(1)), NULL));
    m.refractory = P(5);
    m.nheld = 1;
    m.held = pool_alloc(p, sizeof(int));
    m.held[0] = 0;
    return m;
}

static const char *mix_params[] = {"tau", "amp"};
static const char *mix_states[] = {"x", "y", "w"};

/* RK4 (substeps 3) with math calls in the ODEs and an `update` block with
 * if / else if / else, locals and most math functions and operators. */
static NirNeuronModel mixed(Pool *p)
{
    NirNeuronModel m = {0};
    m.name = "mixed";
    m.nparams = 2, m.nstates = 3, m.ninputs = 1, m.nlocals = 1;
    m.params = mix_params, m.states = mix_states, m.inputs = one_input;
    m.ode = pool_alloc(p, 3 * sizeof(NirExpr *));
    NirExpr *drive = bin(p, OP_MUL, call(p, NF_SIN, bin(p, OP_MUL, var(p, NX_T, 0), K(0.1)), 0, 0), P(1));
    m.ode[0] = bin(p, OP_ADD, bin(p, OP_ADD, bin(p, OP_DIV, un(p, OP_NEG, S(0)), P(0)), IN(0)), drive);
    m.ode[1] = bin(p, OP_SUB, call(p, NF_TANH, S(0), 0, 0), bin(p, OP_MUL, S(1), K(0.1)));
    m.method = NIR_RK4, m.substeps = 3;
    /* let z = abs(x) ^ 1.5 + atan2(y, 1 + x*x) */
    NirExpr *z = bin(p, OP_ADD, bin(p, OP_POW, call(p, NF_ABS, S(0), 0, 0), K(1.5)),
                     call(p, NF_ATAN2, S(1), bin(p, OP_ADD, K(1), bin(p, OP_MUL, S(0), S(0))), 0));
    /* if z > 3 { w = w + floor(z) % 3 } */
    NirStmt *big = assign(p, NX_STATE, 2, bin(p, OP_ADD, S(2), bin(p, OP_MOD, call(p, NF_FLOOR, L(0), 0, 0), K(3))), NULL);
    /* else if x < -1 or not (y <= 0.5) { w = max(w - 1, clamp(y, -2, 2)) } */
    NirExpr *c2 = bin(p, OP_OR, bin(p, OP_LT, S(0), K(-1)), un(p, OP_NOT, bin(p, OP_LE, S(1), K(0.5))));
    NirStmt *mid = assign(p, NX_STATE, 2, call(p, NF_MAX, bin(p, OP_SUB, S(2), K(1)), call(p, NF_CLAMP, S(1), K(-2), K(2)), 0), NULL);
    /* else { w = sign(x)*heaviside(y) + exp(-abs(y)) + log10(1 + abs(x)) + sqrt(abs(y)) + cosh(0.1x)
     *          - sinh(0.01y) + tan(0.1x) + round(10x)/10 + ceil(y) + atan(x) + cos(y) + log(2 + y*y)
     *          + min(x, y) + (if x == y then 1 else 0) + (if x != 0 and y != 0 then 0.5 else 0.25) } */
    NirExpr *w = bin(p, OP_MUL, call(p, NF_SIGN, S(0), 0, 0), call(p, NF_HEAVISIDE, S(1), 0, 0));
    NirExpr *terms[] = {
        call(p, NF_EXP, un(p, OP_NEG, call(p, NF_ABS, S(1), 0, 0)), 0, 0),
        call(p, NF_LOG10, bin(p, OP_ADD, K(1), call(p, NF_ABS, S(0), 0, 0)), 0, 0),
        call(p, NF_SQRT, call(p, NF_ABS, S(1), 0, 0), 0, 0),
        call(p, NF_COSH, bin(p, OP_MUL, K(0.1), S(0)), 0, 0),
        un(p, OP_NEG, call(p, NF_SINH, bin(p, OP_MUL, K(0.01), S(1)), 0, 0)),
        call(p, NF_TAN, bin(p, OP_MUL, K(0.1), S(0)), 0, 0),
        bin(p, OP_DIV, call(p, NF_ROUND, bin(p, OP_MUL, K(10), S(0)), 0, 0), K(10)),
        call(p, NF_CEIL, S(1), 0, 0),
        call(p, NF_ATAN, S(0), 0, 0),
        call(p, NF_COS, S(1), 0, 0),
        call(p, NF_LOG, bin(p, OP_ADD, K(2), bin(p, OP_MUL, S(1), S(1))), 0, 0),
        call(p, NF_MIN, S(0), S(1), 0),
        cond(p, bin(p, OP_EQ, S(0), S(1)), K(1), K(0)),
        cond(p, bin(p, OP_AND, bin(p, OP_NE, S(0), K(0)), bin(p, OP_NE, S(1), K(0))), K(0.5), K(0.25)),
    };
    for (size_t k = 0; k < sizeof terms / sizeof *terms; k++)
        w = bin(p, OP_ADD, w, terms[k]);
    NirStmt *other = assign(p, NX_STATE, 2, bin(p, OP_MUL, w, K(0.1)), NULL);
    NirStmt *chain = if_stmt(p, bin(p, OP_GT, L(0), K(3)), big, if_stmt(p, c2, mid, other, NULL), NULL);
    m.update = assign(p, NX_LOCAL, 0, z, chain);
    /* spike when x > 2 and w < 10 { x = 0 } */
    m.spike = bin(p, OP_AND, bin(p, OP_GT, S(0), K(2)), bin(p, OP_LT, S(2), K(10)));
    m.reset = assign(p, NX_STATE, 0, K(0), NULL);
    return m;
}

/* ---- running one population two ways ------------------------------------------------ */

/* The arrays of one population, as llvm_abi.h lays them out. */
typedef struct Arrays {
    LlvmPopState s;
    double *state[8], *input[8], *param[8];
    double *refr;
    uint8_t *spiked;
} Arrays;

static void arrays_init(Arrays *a, const NirNeuronModel *m, const NirPop *pop)
{
    memset(a, 0, sizeof *a);
    uint32_t n = pop->size;
    for (int j = 0; j < m->nstates; j++) {
        a->state[j] = calloc(n, sizeof(double));
        for (uint32_t k = 0; k < n; k++)
            a->state[j][k] = nir_value_at(&pop->state[j], k);
    }
    for (int j = 0; j < m->ninputs; j++)
        a->input[j] = calloc(n, sizeof(double));
    for (int j = 0; j < m->nparams; j++)
        a->param[j] = pop->params[j].array;
    a->refr = calloc(n, sizeof(double));
    a->spiked = calloc(n, 1);
    a->s.state = a->state, a->s.input = a->input, a->s.param = a->param;
    a->s.refr_left = m->refractory ? a->refr : NULL;
}

static void arrays_free(Arrays *a, const NirNeuronModel *m)
{
    for (int j = 0; j < m->nstates; j++)
        free(a->state[j]);
    for (int j = 0; j < m->ninputs; j++)
        free(a->input[j]);
    free(a->refr);
    free(a->spiked);
}

/* Compiles pop's kernel into jit as population pop_id; NULL on failure. */
static LlvmPopUpdateFn compile(LlvmJit *jit, LlvmTarget *tg, const NirNeuronModel *m, const NirPop *pop,
                               int pop_id, double dt)
{
    LlvmError err;
    char name[64];
    LlvmModule *mod = llvm_module_create("test", &err);
    if (!mod || llvm_emit_pop_update(mod, m, pop, pop_id, dt, &err) || llvm_target_optimize(tg, mod, &err)) {
        fprintf(stderr, "compile: %s\n", err.msg);
        llvm_module_dispose(mod);
        return NULL;
    }
    if (llvm_jit_add_module(jit, mod, &err)) {
        fprintf(stderr, "jit: %s\n", err.msg);
        return NULL;
    }
    llvm_pop_update_name(pop_id, name, sizeof name);
    uint64_t addr = llvm_jit_lookup(jit, name, &err);
    if (!addr)
        fprintf(stderr, "lookup: %s\n", err.msg);
    return addr ? (LlvmPopUpdateFn)(uintptr_t)addr : NULL;
}

static int close_enough(double a, double b)
{
    if (a == b || (isnan(a) && isnan(b)))
        return 1;
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

typedef double (*InputFn)(uint32_t k, int tick);

typedef struct Outcome {
    long spikes, identical, compared;
} Outcome;

/* Runs ticks of pop through the kernel (in two chunks, to exercise begin/end)
 * and through the interpreter; compares spikes and states after every tick. */
static Outcome run_both(const char *what, LlvmPopUpdateFn fn, const NirNeuronModel *m, const NirPop *pop,
                        double dt, int ticks, InputFn input)
{
    Arrays jit, ref;
    Outcome o = {0, 0, 0};
    arrays_init(&jit, m, pop);
    arrays_init(&ref, m, pop);
    uint32_t n = pop->size, split = n / 3;
    char err[256];
    int bad = 0;
    for (int tick = 0; tick < ticks && !bad; tick++) {
        double t = tick * dt;
        for (uint32_t k = 0; k < n; k++)
            jit.input[0][k] = ref.input[0][k] = input(k, tick);
        fn(&jit.s, 0, split, t, jit.spiked);
        fn(&jit.s, split, n, t, jit.spiked);
        if (interp_pop_update(m, pop, &ref.s, 0, n, t, dt, ref.spiked, err, sizeof err)) {
            CHECK(0, "%s: interpreter: %s", what, err);
            break;
        }
        for (uint32_t k = 0; k < n && !bad; k++) {
            o.spikes += ref.spiked[k];
            if (jit.spiked[k] != ref.spiked[k]) {
                CHECK(0, "%s: tick %d neuron %u: spiked %d (jit) vs %d (interp)", what, tick, k,
                      jit.spiked[k], ref.spiked[k]);
                bad = 1;
            }
            CHECK(jit.input[0][k] == 0, "%s: input not cleared", what);
            for (int j = 0; j < m->nstates && !bad; j++) {
                double a = jit.state[j][k], b = ref.state[j][k];
                o.compared++;
                o.identical += memcmp(&a, &b, sizeof a) == 0;
                if (!close_enough(a, b)) {
                    CHECK(0, "%s: tick %d neuron %u %s: %.17g (jit) vs %.17g (interp)", what, tick, k,
                          m->states[j], a, b);
                    bad = 1;
                }
            }
        }
    }
    arrays_free(&jit, m);
    arrays_free(&ref, m);
    printf("%-28s %6ld spikes, %ld/%ld state values bit-identical\n", what, o.spikes, o.identical, o.compared);
    return o;
}

/* ---- the tests ------------------------------------------------------------------------ */

static double no_input(uint32_t k, int tick) { (void)k, (void)tick; return 0; }
static double lif_input(uint32_t k, int tick) { return tick % 200 < 150 ? 16 + 0.25 * k : 0; }
static double mixed_input(uint32_t k, int tick) { return sin(0.05 * tick + k) * (1 + 0.1 * k); }

static void test_izhikevich_rs(LlvmJit *jit, LlvmTarget *tg)
{
    Pool p = {0};
    NirNeuronModel m = izhikevich(&p, 2);
    double params[] = {0.02, 0.2, -65, 8, 10}, init[] = {-65, -13};
    NirPop pop = make_pop(&p, &m, 37, params, init);
    LlvmPopUpdateFn fn = compile(jit, tg, &m, &pop, 0, 1.0);
    CHECK(fn != NULL, "izhikevich RS did not compile");
    if (fn) {
        Outcome o = run_both("izhikevich RS (euler/2)", fn, &m, &pop, 1.0, 1000, no_input);
        CHECK(o.spikes > 37 * 10, "RS neurons with I=10 should fire regularly, got %ld spikes", o.spikes);
    }
    /* 12 substeps: the step loop instead of straight-line code */
    NirNeuronModel m12 = izhikevich(&p, 12);
    fn = compile(jit, tg, &m12, &pop, 1, 0.5);
    CHECK(fn != NULL, "izhikevich substeps=12 did not compile");
    if (fn)
        run_both("izhikevich RS (euler/12)", fn, &m12, &pop, 0.5, 1000, no_input);
    pool_free(&p);
}

static void test_lif_exact_refractory(LlvmJit *jit, LlvmTarget *tg)
{
    Pool p = {0};
    NirNeuronModel m = lif(&p);
    double params[] = {10, -65, 1, -50, -70, 2}, init[] = {-65, 0};
    NirPop pop = make_pop(&p, &m, 16, params, init);
    LlvmPopUpdateFn fn = compile(jit, tg, &m, &pop, 2, 0.1);
    CHECK(fn != NULL, "lif did not compile");
    if (!fn) {
        pool_free(&p);
        return;
    }
    Outcome o = run_both("lif (exact, refractory)", fn, &m, &pop, 0.1, 4000, lif_input);
    CHECK(o.spikes > 16 * 5, "LIF with I >= 16 should fire, got %ld spikes", o.spikes);

    /* Hold: after a spike v stays at v_reset for t_ref/dt = 20 ticks, then moves. */
    Arrays a;
    arrays_init(&a, &m, &pop);
    int tick = 0, held = 0;
    while (tick < 2000 && !a.spiked[0]) {
        a.input[0][0] = 20;
        fn(&a.s, 0, 1, tick++ * 0.1, a.spiked);
    }
    CHECK(a.spiked[0] && a.state[0][0] == -70, "LIF should spike and reset to -70");
    for (int k = 0; k < 30; k++) {
        a.input[0][0] = 20;
        fn(&a.s, 0, 1, tick++ * 0.1, a.spiked);
        held += a.state[0][0] == -70;
        CHECK(!a.spiked[0], "no spike while refractory");
    }
    CHECK(held == 20, "v held for %d ticks, expected t_ref/dt = 20", held);
    arrays_free(&a, &m);
    pool_free(&p);
}

static void test_param_arrays(LlvmJit *jit, LlvmTarget *tg)
{
    Pool p = {0};
    NirNeuronModel m = izhikevich(&p, 2);
    double params[] = {0.02, 0.2, -65, 8, 0}, init[] = {-65, -13};
    enum { N = 30 };
    NirPop pop = make_pop(&p, &m, N, params, init);
    /* RS, FS, CH in turn, each with its own drive */
    static const double abcd[3][4] = {{0.02, 0.2, -65, 8}, {0.1, 0.2, -65, 2}, {0.02, 0.2, -50, 2}};
    for (int j = 0; j < 4; j++)
        pop.params[j].array = pool_alloc(&p, N * sizeof(double));
    pop.params[4].array = pool_alloc(&p, N * sizeof(double));
    for (int k = 0; k < N; k++) {
        for (int j = 0; j < 4; j++)
            pop.params[j].array[k] = abcd[k % 3][j];
        pop.params[4].array[k] = 4 + 0.5 * k;
    }
    LlvmPopUpdateFn fn = compile(jit, tg, &m, &pop, 3, 1.0);
    CHECK(fn != NULL, "per-neuron parameters did not compile");
    if (fn)
        run_both("izhikevich per-neuron params", fn, &m, &pop, 1.0, 1000, no_input);
    pool_free(&p);
}

static void test_update_block(LlvmJit *jit, LlvmTarget *tg)
{
    Pool p = {0};
    NirNeuronModel m = mixed(&p);
    double params[] = {5, 3}, init[] = {0.1, -0.2, 0};
    NirPop pop = make_pop(&p, &m, 11, params, init);
    LlvmPopUpdateFn fn = compile(jit, tg, &m, &pop, 4, 0.25);
    CHECK(fn != NULL, "update block model did not compile");
    if (fn) {
        Outcome o = run_both("rk4/3 + update if/else", fn, &m, &pop, 0.25, 3000, mixed_input);
        CHECK(o.spikes > 0, "the mixed model should spike sometimes");
    }
    pool_free(&p);
}

static const char *rnd_states[] = {"x", "y", "n"};

/* random() at three sites: update { x = random(); y = x + random();
 * if random() < 0.25 { n += 1 } }, spike when x < 0.05. */
static NirNeuronModel rnd(Pool *p)
{
    NirNeuronModel m = {0};
    m.name = "rnd";
    m.nstates = 3, m.ninputs = 1;
    m.states = rnd_states, m.inputs = one_input;
    m.ode = pool_alloc(p, 3 * sizeof(NirExpr *)); /* no equations */
    m.method = NIR_EULER, m.substeps = 1;
    NirExpr *r[3];
    for (int k = 0; k < 3; k++)
        r[k] = var(p, NX_RANDOM, k);
    NirStmt *count = if_stmt(p, bin(p, OP_LT, r[2], K(0.25)), assign(p, NX_STATE, 2, bin(p, OP_ADD, S(2), K(1)), NULL),
                             NULL, NULL);
    m.update = assign(p, NX_STATE, 0, r[0], assign(p, NX_STATE, 1, bin(p, OP_ADD, S(0), r[1]), count));
    m.spike = bin(p, OP_LT, S(0), K(0.05));
    return m;
}

/* random() (language §2.3): the kernel and the interpreter draw the same
 * values, bit for bit, and both are rt_random(seed, stream, neuron, tick,
 * site) as the runtime keys it; the draws are uniform (mean and spike rate
 * within 5 sigma) and differ between neurons, ticks and sites. */
static void test_random(LlvmJit *jit, LlvmTarget *tg)
{
    Pool p = {0};
    NirNeuronModel m = rnd(&p);
    double init[] = {0, 0, 0};
    NirPop pop = make_pop(&p, &m, 37, NULL, init);
    LlvmPopUpdateFn fn = compile(jit, tg, &m, &pop, 5, 1.0);
    CHECK(fn != NULL, "random() model did not compile");
    if (!fn) {
        pool_free(&p);
        return;
    }
    Arrays jit_a, ref;
    arrays_init(&jit_a, &m, &pop);
    arrays_init(&ref, &m, &pop);
    const uint64_t seed = 0x5eed, stream = rt_random_stream("p", 0);
    jit_a.s.seed = ref.s.seed = seed;
    jit_a.s.stream = ref.s.stream = stream;
    uint32_t n = pop.size;
    const int ticks = 400;
    long differ = 0, off_reference = 0, spikes = 0, same_sites = 0;
    double sum = 0;
    char err[256];
    for (int tick = 0; tick < ticks; tick++) {
        jit_a.s.tick = ref.s.tick = (uint64_t)tick;
        fn(&jit_a.s, 0, n / 2, tick, jit_a.spiked);
        fn(&jit_a.s, n / 2, n, tick, jit_a.spiked);
        if (interp_pop_update(&m, &pop, &ref.s, 0, n, tick, 1.0, ref.spiked, err, sizeof err)) {
            CHECK(0, "random: interpreter: %s", err);
            break;
        }
        for (uint32_t k = 0; k < n; k++) {
            for (int j = 0; j < 3; j++)
                differ += memcmp(&jit_a.state[j][k], &ref.state[j][k], sizeof(double)) != 0;
            differ += jit_a.spiked[k] != ref.spiked[k];
            double x = rt_random(seed, stream, k, (uint64_t)tick, 0);
            double y = x + rt_random(seed, stream, k, (uint64_t)tick, 1);
            off_reference += ref.state[0][k] != x || ref.state[1][k] != y || ref.spiked[k] != (x < 0.05);
            same_sites += x == y - x;
            sum += x;
            spikes += ref.spiked[k];
        }
    }
    long draws = (long)ticks * n;
    double mean = sum / (double)draws, sd = sqrt(1.0 / 12 / (double)draws);
    double rate_sd = sqrt(0.05 * 0.95 * (double)draws);
    long count = 0;
    for (uint32_t k = 0; k < n; k++)
        count += (long)ref.state[2][k];
    double count_sd = sqrt(0.25 * 0.75 * (double)draws);
    CHECK(differ == 0, "random: %ld values differ between the kernel and the interpreter", differ);
    CHECK(off_reference == 0, "random: %ld values differ from rt_random(seed, stream, neuron, tick, site)",
          off_reference);
    CHECK(same_sites < 3, "random: sites 0 and 1 drew the same value %ld times", same_sites);
    CHECK(fabs(mean - 0.5) < 5 * sd, "random: mean %g, expected 0.5 +- %g", mean, 5 * sd);
    CHECK(fabs((double)spikes - 0.05 * (double)draws) < 5 * rate_sd, "random: %ld spikes of %ld ticks, expected 5%%",
          spikes, draws);
    CHECK(fabs((double)count - 0.25 * (double)draws) < 5 * count_sd, "random: %ld counts of %ld, expected 25%%",
          count, draws);
    CHECK(ref.state[0][0] != ref.state[0][1] && rt_random(seed, stream, 0, 1, 0) != rt_random(seed, stream, 0, 2, 0),
          "random: the same value for two neurons or two ticks");
    printf("%-28s %6ld spikes, %ld/%ld values identical to the interpreter and rt_random\n", "random() 3 sites",
           spikes, 4 * draws - differ, 4 * draws);
    arrays_free(&jit_a, &m);
    arrays_free(&ref, &m);
    pool_free(&p);
}

static void test_exact_rejects_nonlinear(void)
{
    Pool p = {0};
    NirNeuronModel m = lif(&p);
    m.ode[0] = bin(&p, OP_MUL, var(&p, NX_STATE, 0), var(&p, NX_STATE, 0));
    double params[] = {10, -65, 1, -50, -70, 2}, init[] = {-65, 0};
    NirPop pop = make_pop(&p, &m, 2, params, init);
    LlvmError err;
    LlvmModule *mod = llvm_module_create("bad", &err);
    CHECK(llvm_emit_pop_update(mod, &m, &pop, 0, 0.1, &err) == -1, "v*v must be rejected by exact");
    CHECK(strstr(err.msg, "dv/dt is not") != NULL, "message names the ODE: %s", err.msg);
    llvm_module_dispose(mod);
    Arrays a;
    char msg[256];
    arrays_init(&a, &m, &pop);
    CHECK(interp_pop_update(&m, &pop, &a.s, 0, 2, 0, 0.1, a.spiked, msg, sizeof msg) == -1,
          "the interpreter rejects it too");
    arrays_free(&a, &m);
    pool_free(&p);
}

/* ---- Izhikevich (2003), written out by hand ------------------------------------------ */

/* The published model with forward Euler in two half steps per 1 ms tick
 * (both variables from the same old values), reset after the tick. Writes
 * spike ticks into out; returns their number. */
static int izhikevich_by_hand(double a, double b, double c, double d, int ticks, int *out, int max)
{
    double v = -65, u = b * v;
    int n = 0;
    for (int tick = 0; tick < ticks; tick++) {
        double I = tick >= 50 ? 10 : 0; /* step current at 50 ms */
        for (int s = 0; s < 2; s++) {
            double dv = 0.04 * v * v + 5 * v + 140 - u + I, du = a * (b * v - u);
            v += 0.5 * dv;
            u += 0.5 * du;
        }
        if (v >= 30) {
            v = c;
            u += d;
            if (n < max)
                out[n] = tick;
            n++;
        }
    }
    return n;
}

static double step_input(uint32_t k, int tick) { (void)k; return tick >= 50 ? 10 : 0; }

static void test_interp_against_published(void)
{
    static const struct { const char *name; double a, b, c, d; } cells[] = {
        {"RS", 0.02, 0.2, -65, 8}, {"FS", 0.1, 0.2, -65, 2}, {"CH", 0.02, 0.2, -50, 2}};
    int counts[3];
    for (int c = 0; c < 3; c++) {
        Pool p = {0};
        NirNeuronModel m = izhikevich(&p, 2);
        double params[] = {cells[c].a, cells[c].b, cells[c].c, cells[c].d, 0};
        double init[] = {-65, cells[c].b * -65};
        NirPop pop = make_pop(&p, &m, 1, params, init);
        int want[1000], got[1000], nw = izhikevich_by_hand(cells[c].a, cells[c].b, cells[c].c, cells[c].d, 1000, want, 1000);
        int ng = 0;
        Arrays arr;
        char err[256];
        arrays_init(&arr, &m, &pop);
        for (int tick = 0; tick < 1000; tick++) {
            arr.input[0][0] = step_input(0, tick);
            interp_pop_update(&m, &pop, &arr.s, 0, 1, tick, 1.0, arr.spiked, err, sizeof err);
            if (arr.spiked[0] && ng < 1000)
                got[ng++] = tick;
        }
        CHECK(ng == nw && memcmp(got, want, sizeof(int) * (size_t)ng) == 0,
              "%s: interpreter spikes (%d) differ from the hand-written model (%d)", cells[c].name, ng, nw);
        CHECK(nw > 0 && want[0] >= 50, "%s: should fire only after the step (first at %d)", cells[c].name,
              nw ? want[0] : -1);
        counts[c] = nw;
        printf("izhikevich %s by hand vs interp: %d spikes, identical ticks\n", cells[c].name, nw);
        arrays_free(&arr, &m);
        pool_free(&p);
    }
    CHECK(counts[1] > counts[0], "FS should fire faster than RS (%d vs %d)", counts[1], counts[0]);
    CHECK(counts[2] > counts[0], "CH should fire more than RS (%d vs %d)", counts[2], counts[0]);
}

/* ---- emission --------------------------------------------------------------------------- */

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static const size_t cap = 1 << 20;
    char *buf = calloc(cap + 1, 1);
    size_t n = fread(buf, 1, cap, f);
    buf[n] = 0;
    fclose(f);
    int found = strstr(buf, needle) != NULL;
    free(buf);
    return found;
}

static void test_emission(LlvmTarget *tg)
{
    Pool p = {0};
    NirNeuronModel m = izhikevich(&p, 2);
    double params[] = {0.02, 0.2, -65, 8, 10}, init[] = {-65, -13};
    NirPop pop = make_pop(&p, &m, 10, params, init);
    char dir[] = "/tmp/brainc_llvm_XXXXXX", ll[64], raw[64], obj[64], as[64];
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(raw, sizeof raw, "%s/raw.ll", dir);
    snprintf(ll, sizeof ll, "%s/k.ll", dir);
    snprintf(obj, sizeof obj, "%s/k.o", dir);
    snprintf(as, sizeof as, "%s/k.s", dir);
    LlvmError err = {{0}};
    LlvmModule *mod = llvm_module_create("emit", &err);
    int rc = llvm_emit_pop_update(mod, &m, &pop, 7, 1.0, &err);
    rc = rc ? rc : llvm_target_emit(tg, mod, LLVM_EMIT_IR, raw, &err);
    rc = rc ? rc : llvm_target_optimize(tg, mod, &err);
    rc = rc ? rc : llvm_target_emit(tg, mod, LLVM_EMIT_IR, ll, &err);
    rc = rc ? rc : llvm_target_emit(tg, mod, LLVM_EMIT_ASM, as, &err);
    rc = rc ? rc : llvm_target_emit(tg, mod, LLVM_EMIT_OBJECT, obj, &err);
    CHECK(rc == 0, "emission failed: %s", err.msg);
    CHECK(file_contains(raw, "neuron.izhikevich.update"), "unoptimised .ll names the update block");
    CHECK(file_contains(ll, "pop_7_update"), ".ll names the kernel");
    CHECK(file_contains(as, "pop_7_update"), ".s names the kernel");
    CHECK(file_size(obj) > 0, ".o is not empty");
    printf("emission: .ll %ld bytes (vectorised: %s), .s %ld bytes, .o %ld bytes\n", file_size(ll),
           file_contains(ll, "x double>") ? "yes" : "no", file_size(as), file_size(obj));
    llvm_module_dispose(mod);
    remove(raw), remove(ll), remove(as), remove(obj), rmdir(dir);
    pool_free(&p);
}

int main(void)
{
    LlvmError err;
    LlvmTarget *tg = llvm_target_create_host(&err);
    LlvmJit *jit = tg ? llvm_jit_create(&err) : NULL;
    if (!tg || !jit) {
        fprintf(stderr, "cannot set up LLVM: %s\n", err.msg);
        llvm_target_dispose(tg);
        return 1;
    }
    test_interp_against_published();
    test_izhikevich_rs(jit, tg);
    test_lif_exact_refractory(jit, tg);
    test_param_arrays(jit, tg);
    test_update_block(jit, tg);
    test_random(jit, tg);
    test_exact_rejects_nonlinear();
    test_emission(tg);
    llvm_jit_dispose(jit);
    llvm_target_dispose(tg);
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
