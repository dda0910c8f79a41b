/* test_rt_reward.c - reward reaching synapses (rt_brain_reward_tick):
 * brain-level reward expressions over observations of spikes, per-target
 * delivery through the spec and the C API (rt_brain_reward,
 * rt_brain_reward_group, rt_brain_reward_pop), and malformed specs.
 * Hand-written kernels with a fixed spike schedule; the expected amounts
 * come from a direct transcription of docs/language.md §7.8 below. */
#include "rt_test.h"
#include "rt_brain.h"
#include <math.h>

#define NSRC 3
#define NDST 2
#define TICKS 60

/* Neuron k of `src` spikes at tick t when (t + k) % (k + 2) == 0. */
static int fires(uint64_t t, uint32_t k) { return (t + k) % (k + 2) == 0; }

static void src_update(const RtPopState *s, uint32_t begin, uint32_t end, double t, uint8_t *spiked)
{
    (void)t;
    for (uint32_t k = begin; k < end; k++)
        spiked[k] = (uint8_t)fires(s->tick, k);
}

static void silent(const RtPopState *s, uint32_t begin, uint32_t end, double t, uint8_t *spiked)
{
    (void)s, (void)t;
    for (uint32_t k = begin; k < end; k++)
        spiked[k] = 0;
}

/* state 0: sum of the amounts, state 1: calls, state 2: x = x / 2 +
 * amount, which tells the order of the deliveries (as a rule that halves
 * its eligibility on each reward). */
static void on_reward(const RtGroupState *g, uint32_t pre_begin, uint32_t pre_end, uint64_t tick, double value)
{
    (void)tick;
    for (uint64_t k = g->row_ptr[pre_begin]; k < g->row_ptr[pre_end]; k++) {
        g->state[0][k] += value;
        g->state[1][k] += 1;
        g->state[2][k] = g->state[2][k] * 0.5 + value;
    }
}

typedef struct Net {
    uint64_t row0[NSRC + 1], row1[NSRC + 1];
    uint32_t col0[NSRC * NDST], col1[NSRC * NSRC];
    double zero[3];
    RtPopSpec pops[2];
    RtGroupSpec groups[2];
    uint32_t obs1_idx[2];
    RtObserveSpec observes[2];
    RtRewardNode expr0[7], expr1[7];
    uint32_t targets0[1];
    RtRewardSpec rewards[2];
    RtBrainSpec spec;
} Net;

static void make_net(Net *n)
{
    memset(n, 0, sizeof *n);
    for (uint32_t i = 0; i <= NSRC; i++)
        n->row0[i] = (uint64_t)i * NDST, n->row1[i] = (uint64_t)i * NSRC;
    for (uint32_t k = 0; k < NSRC * NDST; k++)
        n->col0[k] = k % NDST;
    for (uint32_t k = 0; k < NSRC * NSRC; k++)
        n->col1[k] = k % NSRC;
    n->pops[0] = (RtPopSpec){.name = "src", .size = NSRC, .update = src_update};
    n->pops[1] = (RtPopSpec){.name = "dst", .size = NDST, .update = silent};
    n->groups[0] = (RtGroupSpec){.name = "to_dst", .pre = 0, .post = 1, .n_syn = NSRC * NDST, .row_ptr = n->row0,
                                 .col = n->col0, .nstates = 3, .state_value = n->zero, .delay = 1,
                                 .on_reward = on_reward};
    n->groups[1] = (RtGroupSpec){.name = "to_src", .pre = 0, .post = 0, .n_syn = NSRC * NSRC, .row_ptr = n->row1,
                                 .col = n->col1, .nstates = 3, .state_value = n->zero, .delay = 1,
                                 .on_reward = on_reward};
    /* observation 0: all of src this tick; 1: src[0] and src[2] over 4 ticks */
    n->obs1_idx[0] = 0, n->obs1_idx[1] = 2;
    n->observes[0] = (RtObserveSpec){0, NSRC, NULL, 1};
    n->observes[1] = (RtObserveSpec){0, 2, n->obs1_idx, 4};
    /* reward 0 to group 0: spikes * 2 + t % 7 */
    n->expr0[0] = (RtRewardNode){.kind = RT_RX_OBSERVE, .a = 0};
    n->expr0[1] = (RtRewardNode){.kind = RT_RX_CONST, .value = 2};
    n->expr0[2] = (RtRewardNode){.kind = RT_RX_OP, .op = RT_ROP_MUL, .a = 0, .b = 1};
    n->expr0[3] = (RtRewardNode){.kind = RT_RX_TIME};
    n->expr0[4] = (RtRewardNode){.kind = RT_RX_CONST, .value = 7};
    n->expr0[5] = (RtRewardNode){.kind = RT_RX_OP, .op = RT_ROP_MOD, .a = 3, .b = 4};
    n->expr0[6] = (RtRewardNode){.kind = RT_RX_OP, .op = RT_ROP_ADD, .a = 2, .b = 5};
    n->targets0[0] = 0;
    n->rewards[0] = (RtRewardSpec){7, n->expr0, 1, n->targets0};
    /* reward 1 to all: if window count > 2 then -sqrt(count) else 0 */
    n->expr1[0] = (RtRewardNode){.kind = RT_RX_OBSERVE, .a = 1};
    n->expr1[1] = (RtRewardNode){.kind = RT_RX_CONST, .value = 2};
    n->expr1[2] = (RtRewardNode){.kind = RT_RX_OP, .op = RT_ROP_GT, .a = 0, .b = 1};
    n->expr1[3] = (RtRewardNode){.kind = RT_RX_FN, .op = RT_RFN_SQRT, .a = 0};
    n->expr1[4] = (RtRewardNode){.kind = RT_RX_OP, .op = RT_ROP_NEG, .a = 3};
    n->expr1[5] = (RtRewardNode){.kind = RT_RX_CONST, .value = 0};
    n->expr1[6] = (RtRewardNode){.kind = RT_RX_COND, .a = 2, .b = 4, .c = 5};
    n->rewards[1] = (RtRewardSpec){7, n->expr1, 0, NULL};
    n->spec = (RtBrainSpec){.dt = 0.5, .seed = 1, .npops = 2, .ngroups = 2, .pops = n->pops, .groups = n->groups,
                            .nobserves = 2, .observes = n->observes, .nrewards = 2, .rewards = n->rewards};
}

/* The outside world's reward, given before tick t runs. */
static void drive(RtBrain *b, uint64_t t)
{
    if (t % 5 == 0)
        CHECK(rt_brain_reward_pop(b, 1, 3) == RT_OK, "reward to dst");
    if (t % 7 == 0)
        CHECK(rt_brain_reward_group(b, 1, -1) == RT_OK, "reward to group 1");
    if (t % 9 == 0)
        CHECK(rt_brain_reward(b, 0.25) == RT_OK, "reward to all");
}

/* The reference: amounts, calls and the order-telling state per group
 * after TICKS ticks. Each reward is one delivery: those given before the
 * tick in the order given (drive), then the `reward` members in order. */
static void expected(double sum[2], double calls[2], double x[2])
{
    uint64_t hist[TICKS] = {0};
    for (int g = 0; g < 2; g++)
        sum[g] = calls[g] = x[g] = 0;
    for (uint64_t t = 0; t < TICKS; t++) {
        double amount[5];
        int to[5], n = 0; /* to: group 0 or 1, or 2 for both */
        double now = 0;
        for (uint32_t k = 0; k < NSRC; k++)
            now += fires(t, k);
        hist[t] = (uint64_t)(fires(t, 0) + fires(t, 2));
        uint64_t win = 0;
        for (uint64_t u = t >= 3 ? t - 3 : 0; u <= t; u++)
            win += hist[u];
        if (t % 5 == 0)
            amount[n] = 3, to[n++] = 0; /* group 0 is the only one into dst */
        if (t % 7 == 0)
            amount[n] = -1, to[n++] = 1;
        if (t % 9 == 0)
            amount[n] = 0.25, to[n++] = 2;
        double r0 = now * 2 + fmod(t * 0.5, 7);
        if (r0 != 0)
            amount[n] = r0, to[n++] = 0;
        double r1 = win > 2 ? -sqrt((double)win) : 0;
        if (r1 != 0)
            amount[n] = r1, to[n++] = 2;
        for (int k = 0; k < n; k++)
            for (int g = 0; g < 2; g++)
                if (to[k] == g || to[k] == 2)
                    sum[g] += amount[k], calls[g] += 1, x[g] = x[g] * 0.5 + amount[k];
    }
}

static void test_amounts(unsigned threads)
{
    Net net;
    make_net(&net);
    RtError err = {0};
    RtBrain *b = rt_brain_create(&net.spec, threads, &err);
    CHECK(b != NULL, "create: %s", err.msg);
    if (!b)
        return;
    for (uint64_t t = 0; t < TICKS; t++) {
        drive(b, t);
        rt_brain_step(b, 1, NULL);
    }
    double sum[2], calls[2], x[2];
    expected(sum, calls, x);
    for (uint32_t g = 0; g < 2; g++) {
        const double *acc = rt_brain_group_state(b, g, 0), *n = rt_brain_group_state(b, g, 1);
        const double *xs = rt_brain_group_state(b, g, 2);
        uint64_t nsyn = net.groups[g].n_syn;
        int same = 1;
        for (uint64_t k = 0; k < nsyn; k++)
            same &= fabs(acc[k] - sum[g]) <= 1e-9 * (1 + fabs(sum[g])) && n[k] == calls[g] && xs[k] == x[g];
        CHECK(same, "threads %u, group %u: amount %.17g (want %.17g), calls %g (want %g), x %.17g (want %.17g)",
              threads, g, acc[0], sum[g], n[0], calls[g], xs[0], x[g]);
    }
    CHECK(rt_brain_reward_group(b, 2, 1) == RT_ERR_ARG, "a group out of range is refused");
    CHECK(rt_brain_reward_pop(b, 2, 1) == RT_ERR_ARG, "a population out of range is refused");
    rt_brain_destroy(b);
}

static void expect_refused(Net *n, const char *what)
{
    RtError err = {0};
    RtBrain *b = rt_brain_create(&n->spec, 1, &err);
    CHECK(b == NULL && err.status == RT_ERR_ARG, "refused: %s (%s)", what, err.msg);
    rt_brain_destroy(b);
    make_net(n);
}

static void test_malformed(void)
{
    Net n;
    make_net(&n);
    n.expr0[2].b = 2;
    expect_refused(&n, "an operand that is not an earlier node");
    n.expr0[0].a = 2;
    expect_refused(&n, "an observation out of range");
    n.expr0[2].op = RT_ROP_COUNT;
    expect_refused(&n, "an unknown operator");
    n.expr1[3].op = RT_RFN_COUNT;
    expect_refused(&n, "an unknown function");
    n.targets0[0] = 2;
    expect_refused(&n, "a target group out of range");
    n.observes[1].window = 0;
    expect_refused(&n, "an empty window");
    n.obs1_idx[1] = NSRC;
    expect_refused(&n, "an observed neuron out of range");
    n.rewards[1].nnodes = 0;
    expect_refused(&n, "an empty expression");
}

int main(void)
{
    test_amounts(1);
    test_amounts(2);
    test_malformed();
    return rt_test_report();
}
