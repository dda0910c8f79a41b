/* test_connectivity.c - connectivity rules and CSR conversion: exact
 * structure for deterministic rules, 5-sigma statistics (against exact
 * binomial moments and a naive per-pair reference) for random ones, and
 * error reporting. */
#include "nir/connectivity.h"
#include "philox.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"

static BrConnRule rule(BrConnKind kind, double p, uint32_t k, int same_population, int allow_self)
{
    BrConnRule r = { kind, p, k, same_population, allow_self };
    return r;
}

/* Generates into a fresh list; a failure is reported and leaves it empty. */
static BrEdges gen(BrConnRule r, uint32_t n_pre, uint32_t n_post, uint64_t seed, uint64_t stream)
{
    BrEdges e = { 0 };
    char err[256] = "";
    if (br_conn_generate(&r, n_pre, n_post, seed, stream, &e, err, sizeof err) != 0)
        CHECK(0, "generate kind %d failed: %s", (int)r.kind, err);
    return e;
}

/* Strictly increasing (major, minor) pairs: sorted and duplicate-free. */
static int strictly_sorted(const uint32_t *major, const uint32_t *minor, size_t n)
{
    for (size_t i = 1; i < n; ++i)
        if (major[i] < major[i - 1] || (major[i] == major[i - 1] && minor[i] <= minor[i - 1]))
            return 0;
    return 1;
}

static int no_self(const BrEdges *e)
{
    for (size_t i = 0; i < e->n; ++i)
        if (e->pre[i] == e->post[i])
            return 0;
    return 1;
}

static int edges_equal(const BrEdges *a, const BrEdges *b)
{
    return a->n == b->n && memcmp(a->pre, b->pre, a->n * sizeof *a->pre) == 0 &&
           memcmp(a->post, b->post, a->n * sizeof *a->post) == 0;
}

/* Mean and variance of per-index counts of values[0..n). */
static void count_stats(const uint32_t *values, size_t n, uint32_t range, double *mean, double *var)
{
    double *counts = calloc(range, sizeof *counts), s = 0, s2 = 0;
    for (size_t i = 0; i < n; ++i)
        counts[values[i]] += 1;
    for (uint32_t i = 0; i < range; ++i)
        s += counts[i], s2 += counts[i] * counts[i];
    *mean = s / range;
    *var = s2 / range - *mean * *mean;
    free(counts);
}

/* Sample variance of `units` i.i.d. counts has sd ~ var * sqrt(2 / (units - 1)). */
static int variance_close(double got, double want, uint32_t units)
{
    return fabs(got - want) < 5 * want * sqrt(2.0 / (units - 1)) + 1e-9;
}

/* ------------------------------------------------------------ dense rules */

static void test_all_to_all(void)
{
    BrEdges e = gen(rule(BR_CONN_ALL_TO_ALL, 0, 0, 0, 0), 37, 53, 1, 0);
    int exact = e.n == 37 * 53;
    for (size_t i = 0; exact && i < e.n; ++i)
        exact = e.pre[i] == i / 53 && e.post[i] == i % 53;
    CHECK(exact, "all_to_all 37x53 is not the complete pre-major list");
    br_edges_free(&e);

    e = gen(rule(BR_CONN_ALL_TO_ALL, 0, 0, 1, 0), 40, 40, 1, 0);
    CHECK(e.n == 40 * 39 && no_self(&e) && strictly_sorted(e.pre, e.post, e.n),
          "all_to_all without self: %zu edges", e.n);
    br_edges_free(&e);

    e = gen(rule(BR_CONN_ALL_TO_ALL, 0, 0, 1, 1), 40, 40, 1, 0);
    CHECK(e.n == 40 * 40, "all_to_all with self: %zu edges", e.n);
    br_edges_free(&e);
}

static void test_one_to_one(void)
{
    BrEdges e = gen(rule(BR_CONN_ONE_TO_ONE, 0, 0, 0, 0), 100, 100, 1, 0);
    int identity = e.n == 100;
    for (size_t i = 0; identity && i < e.n; ++i)
        identity = e.pre[i] == i && e.post[i] == i;
    CHECK(identity, "one_to_one is not the identity");
    br_edges_free(&e);
}

/* ------------------------------------------------------------ probability */

static void test_probability_counts(void)
{
    const uint32_t n_pre = 2000, n_post = 3000;
    const double p = 0.05;
    BrEdges e = gen(rule(BR_CONN_PROBABILITY, p, 0, 0, 0), n_pre, n_post, 11, 3);
    double mean = (double)n_pre * n_post * p, sd = sqrt(mean * (1 - p));
    CHECK(fabs((double)e.n - mean) < 5 * sd, "probability: %zu synapses, want %g +- %g", e.n, mean, sd);
    CHECK(strictly_sorted(e.pre, e.post, e.n), "probability edges not pre-major sorted / unique");

    double m, v;
    count_stats(e.pre, e.n, n_pre, &m, &v);
    double row_var = n_post * p * (1 - p);
    CHECK(fabs(m - n_post * p) < 5 * sqrt(row_var / n_pre), "mean row count %g", m);
    CHECK(variance_close(v, row_var, n_pre), "row count variance %g, want %g", v, row_var);
    count_stats(e.post, e.n, n_post, &m, &v);
    double col_var = n_pre * p * (1 - p);
    CHECK(variance_close(v, col_var, n_post), "column count variance %g, want %g", v, col_var);
    br_edges_free(&e);
}

/* Over many seeds each pair must appear with frequency p, independently of
 * its neighbours (catches off-by-one skips at row ends and around self). */
static void test_probability_pair_frequencies(void)
{
    enum { N = 12, SEEDS = 20000 };
    const double p = 0.3;
    static unsigned hits[N][N], adjacent_both;
    memset(hits, 0, sizeof hits);
    adjacent_both = 0;
    for (uint64_t seed = 0; seed < SEEDS; ++seed) {
        BrEdges e = gen(rule(BR_CONN_PROBABILITY, p, 0, 1, 0), N, N, seed, 0);
        int row0[N] = { 0 };
        for (size_t i = 0; i < e.n; ++i) {
            hits[e.pre[i]][e.post[i]]++;
            if (e.pre[i] == 0)
                row0[e.post[i]] = 1;
        }
        adjacent_both += row0[N - 2] && row0[N - 1];
        br_edges_free(&e);
    }
    int diag_empty = 1, worst_i = 0, worst_j = 0;
    double worst = 0, sd = sqrt(SEEDS * p * (1 - p));
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            if (i == j) {
                diag_empty &= hits[i][j] == 0;
                continue;
            }
            double z = fabs(hits[i][j] - SEEDS * p) / sd;
            if (z > worst)
                worst = z, worst_i = i, worst_j = j;
        }
    CHECK(diag_empty, "self pairs generated although allow_self = 0");
    CHECK(worst < 5, "pair (%d, %d) frequency off by %.1f sigma", worst_i, worst_j, worst);
    double both = SEEDS * p * p, both_sd = sqrt(both * (1 - p * p));
    CHECK(fabs(adjacent_both - both) < 5 * both_sd, "adjacent pairs correlated: %u, want %g",
          adjacent_both, both);
}

/* Row-count histograms of the generator vs. a naive Bernoulli-per-pair
 * reference: two-sample chi-square over bins with enough mass. */
static void row_histogram(unsigned *hist, int lo, int hi, uint32_t count)
{
    int c = (int)count;
    hist[c < lo ? 0 : c > hi ? hi - lo + 2 : c - lo + 1]++;
}

static void test_probability_vs_naive(void)
{
    enum { ROWS = 20000, COLS = 200, LO = 11, HI = 29, BINS = HI - LO + 3 };
    const double p = 0.1;
    unsigned fast[BINS] = { 0 }, naive[BINS] = { 0 };
    BrEdges e = gen(rule(BR_CONN_PROBABILITY, p, 0, 0, 0), ROWS, COLS, 8, 1);
    uint32_t *row_count = calloc(ROWS, sizeof *row_count);
    for (size_t i = 0; i < e.n; ++i)
        row_count[e.pre[i]]++;
    BrRng rng;
    br_rng_init(&rng, 8, 99, 0);
    for (uint32_t row = 0; row < ROWS; ++row) {
        uint32_t c = 0;
        for (uint32_t col = 0; col < COLS; ++col)
            c += br_rng_uniform(&rng) < p;
        row_histogram(naive, LO, HI, c);
        row_histogram(fast, LO, HI, row_count[row]);
    }
    double chi2 = 0;
    for (int b = 0; b < BINS; ++b)
        if (fast[b] + naive[b] > 0)
            chi2 += ((double)fast[b] - naive[b]) * ((double)fast[b] - naive[b]) / (fast[b] + naive[b]);
    double df = BINS - 1, limit = df + 6 * sqrt(2 * df);
    CHECK(chi2 < limit, "row counts differ from naive reference: chi2 %g >= %g", chi2, limit);
    free(row_count);
    br_edges_free(&e);
}

static void test_probability_extremes(void)
{
    BrEdges all = gen(rule(BR_CONN_ALL_TO_ALL, 0, 0, 1, 0), 30, 30, 1, 0);
    BrEdges one = gen(rule(BR_CONN_PROBABILITY, 1.0, 0, 1, 0), 30, 30, 1, 0);
    /* Largest p < 1 goes through the geometric path, yet must hit every pair. */
    BrEdges near = gen(rule(BR_CONN_PROBABILITY, nextafter(1.0, 0.0), 0, 1, 0), 30, 30, 1, 0);
    BrEdges zero = gen(rule(BR_CONN_PROBABILITY, 0.0, 0, 0, 0), 300, 300, 1, 0);
    CHECK(edges_equal(&all, &one), "p = 1 differs from all_to_all");
    CHECK(edges_equal(&all, &near), "p = 1 - 2^-53 differs from all_to_all (%zu edges)", near.n);
    CHECK(zero.n == 0, "p = 0 made %zu edges", zero.n);
    br_edges_free(&all);
    br_edges_free(&one);
    br_edges_free(&near);
    br_edges_free(&zero);
}

/* ------------------------------------------------------------ fixed degree */

/* Each unit of the major axis has exactly k distinct, sorted partners. */
static int exactly_k_per_unit(const uint32_t *major, const uint32_t *minor, size_t n, uint32_t units,
                              uint32_t k)
{
    if (n != (size_t)units * k || !strictly_sorted(major, minor, n))
        return 0;
    for (size_t i = 0; i < n; ++i)
        if (major[i] != i / k)
            return 0;
    return 1;
}

static void test_fanin(void)
{
    const uint32_t n_pre = 500, n_post = 800, k = 37;
    BrEdges e = gen(rule(BR_CONN_FANIN, 0, k, 0, 0), n_pre, n_post, 21, 0);
    CHECK(exactly_k_per_unit(e.post, e.pre, e.n, n_post, k), "fan-in: not exactly k distinct per post");
    double m, v, q = (double)k / n_pre, want_var = n_post * q * (1 - q);
    count_stats(e.pre, e.n, n_pre, &m, &v);
    CHECK(variance_close(v, want_var, n_pre), "fan-in out-degree variance %g, want %g", v, want_var);
    br_edges_free(&e);

    e = gen(rule(BR_CONN_FANIN, 0, 299, 1, 0), 300, 300, 21, 0);
    CHECK(exactly_k_per_unit(e.post, e.pre, e.n, 300, 299) && no_self(&e),
          "fan-in k = n - 1 without self is not 'everyone else'");
    br_edges_free(&e);
    e = gen(rule(BR_CONN_FANIN, 0, 300, 1, 1), 300, 300, 21, 0);
    CHECK(exactly_k_per_unit(e.post, e.pre, e.n, 300, 300), "fan-in k = n with self incomplete");
    br_edges_free(&e);
}

static void test_fanout(void)
{
    const uint32_t n_pre = 700, n_post = 450, k = 40;
    BrEdges e = gen(rule(BR_CONN_FANOUT, 0, k, 0, 0), n_pre, n_post, 22, 0);
    CHECK(exactly_k_per_unit(e.pre, e.post, e.n, n_pre, k), "fan-out: not exactly k distinct per pre");
    double m, v, q = (double)k / n_post, want_var = n_pre * q * (1 - q);
    count_stats(e.post, e.n, n_post, &m, &v);
    CHECK(variance_close(v, want_var, n_post), "fan-out in-degree variance %g, want %g", v, want_var);
    br_edges_free(&e);

    e = gen(rule(BR_CONN_FANOUT, 0, 25, 1, 0), 400, 400, 22, 0);
    CHECK(exactly_k_per_unit(e.pre, e.post, e.n, 400, 25) && no_self(&e), "fan-out self or count wrong");
    br_edges_free(&e);
}

/* All C(5,2) = 10 subsets drawn by one fan-in column must be equally likely. */
static void test_fanin_subsets_uniform(void)
{
    enum { SEEDS = 50000 };
    unsigned subset_hits[5][5] = { { 0 } };
    for (uint64_t seed = 0; seed < SEEDS; ++seed) {
        BrEdges e = gen(rule(BR_CONN_FANIN, 0, 2, 0, 0), 5, 1, seed, 4);
        if (e.n == 2)
            subset_hits[e.pre[0]][e.pre[1]]++;
        br_edges_free(&e);
    }
    double chi2 = 0, expect = SEEDS / 10.0;
    unsigned seen = 0;
    for (int a = 0; a < 5; ++a)
        for (int b = a + 1; b < 5; ++b) {
            chi2 += (subset_hits[a][b] - expect) * (subset_hits[a][b] - expect) / expect;
            seen += subset_hits[a][b];
        }
    CHECK(seen == SEEDS, "fan-in sample not sorted ascending in %u cases", SEEDS - seen);
    CHECK(chi2 < 9 + 6 * sqrt(18.0), "fan-in subsets not uniform: chi2 %g", chi2);
}

/* Without self, every other neuron is chosen with probability k / (n - 1). */
static void test_fanout_pair_frequencies(void)
{
    enum { N = 7, K = 3, SEEDS = 20000 };
    unsigned hits[N][N] = { { 0 } };
    for (uint64_t seed = 0; seed < SEEDS; ++seed) {
        BrEdges e = gen(rule(BR_CONN_FANOUT, 0, K, 1, 0), N, N, seed, 0);
        for (size_t i = 0; i < e.n; ++i)
            hits[e.pre[i]][e.post[i]]++;
        br_edges_free(&e);
    }
    double q = (double)K / (N - 1), sd = sqrt(SEEDS * q * (1 - q)), worst = 0;
    int diag_empty = 1;
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            if (i == j)
                diag_empty &= hits[i][j] == 0;
            else if (fabs(hits[i][j] - SEEDS * q) / sd > worst)
                worst = fabs(hits[i][j] - SEEDS * q) / sd;
        }
    CHECK(diag_empty, "fan-out chose self");
    CHECK(worst < 5, "fan-out pair frequency off by %.1f sigma", worst);
}

/* ------------------------------------------------------------ determinism */

static void test_determinism(void)
{
    const BrConnRule rules[] = { rule(BR_CONN_PROBABILITY, 0.02, 0, 0, 0),
                                 rule(BR_CONN_FANIN, 0, 15, 0, 0), rule(BR_CONN_FANOUT, 0, 15, 0, 0) };
    for (int t = 0; t < 3; ++t) {
        BrEdges a = gen(rules[t], 900, 1100, 5, 2), b = gen(rules[t], 900, 1100, 5, 2);
        BrEdges other_seed = gen(rules[t], 900, 1100, 6, 2);
        BrEdges other_stream = gen(rules[t], 900, 1100, 5, 3);
        CHECK(edges_equal(&a, &b), "kind %d: same seed, different edges", (int)rules[t].kind);
        CHECK(!edges_equal(&a, &other_seed), "kind %d: seed ignored", (int)rules[t].kind);
        CHECK(!edges_equal(&a, &other_stream), "kind %d: stream ignored", (int)rules[t].kind);

        /* Chunks appended in order (as parallel workers would) match one call. */
        uint32_t units = br_conn_major_count(&rules[t], 900, 1100);
        BrEdges chunked = { 0 };
        int rc = 0;
        for (uint32_t first = 0; first < units; first += 97) {
            uint32_t last = first + 97 < units ? first + 97 : units;
            rc |= br_conn_generate_range(&rules[t], 900, 1100, 5, 2, first, last, &chunked, NULL, 0);
        }
        CHECK(rc == 0 && edges_equal(&a, &chunked), "kind %d: chunked generation differs",
              (int)rules[t].kind);
        br_edges_free(&a);
        br_edges_free(&b);
        br_edges_free(&other_seed);
        br_edges_free(&other_stream);
        br_edges_free(&chunked);
    }
}

/* ------------------------------------------------------------ CSR */

/* Structure, order and perm of a CSR against its source edge list. */
static int csr_consistent(const BrCsr *c, const BrEdges *e, int strict)
{
    if (c->n_syn != e->n || c->row_ptr[0] != 0 || c->row_ptr[c->n_pre] != c->n_syn)
        return 0;
    unsigned char *seen = calloc(e->n + 1, 1);
    int ok = 1;
    for (uint32_t i = 0; ok && i < c->n_pre; ++i) {
        ok = c->row_ptr[i] <= c->row_ptr[i + 1];
        for (uint64_t k = c->row_ptr[i]; ok && k < c->row_ptr[i + 1]; ++k) {
            uint64_t src = c->perm[k];
            ok = src < e->n && !seen[src] && e->pre[src] == i && e->post[src] == c->col[k];
            if (ok && k > c->row_ptr[i])
                ok = strict ? c->col[k - 1] < c->col[k]
                            : c->col[k - 1] < c->col[k] || (c->col[k - 1] == c->col[k] && c->perm[k - 1] < src);
            if (ok)
                seen[src] = 1;
        }
    }
    free(seen);
    return ok;
}

static void check_csr_of(const BrEdges *e, uint32_t n_pre, uint32_t n_post, int strict, const char *what)
{
    BrCsr c;
    char err[256] = "";
    int rc = br_csr_from_edges(e, n_pre, n_post, &c, 1, err, sizeof err);
    CHECK(rc == 0, "%s: CSR failed: %s", what, err);
    if (rc == 0)
        CHECK(csr_consistent(&c, e, strict), "%s: CSR inconsistent with edges", what);
    br_csr_free(&c);
}

static void test_csr(void)
{
    BrEdges prob = gen(rule(BR_CONN_PROBABILITY, 0.03, 0, 0, 0), 500, 800, 3, 0);
    BrEdges fanin = gen(rule(BR_CONN_FANIN, 0, 20, 0, 0), 500, 800, 3, 0);
    BrEdges fanout = gen(rule(BR_CONN_FANOUT, 0, 20, 0, 0), 500, 800, 3, 0);
    check_csr_of(&prob, 500, 800, 1, "probability");
    check_csr_of(&fanin, 500, 800, 1, "fan-in (post-major input)");
    check_csr_of(&fanout, 500, 800, 1, "fan-out");

    /* Hand-made, unsorted, with duplicates and an empty row. */
    BrEdges mixed = { 0 };
    const uint32_t pairs[][2] = { { 2, 5 }, { 0, 3 }, { 2, 1 }, { 0, 3 }, { 3, 0 }, { 2, 5 }, { 0, 1 } };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; ++i)
        br_edges_push(&mixed, pairs[i][0], pairs[i][1]);
    check_csr_of(&mixed, 4, 6, 0, "unsorted list with duplicates");

    BrCsr c;
    int rc = br_csr_from_edges(&mixed, 4, 6, &c, 0, NULL, 0);
    CHECK(rc == 0 && c.perm == NULL && c.row_ptr[1] == 3 && c.row_ptr[2] == 3 && c.col[3] == 1 &&
              c.col[4] == 5 && c.col[5] == 5,
          "CSR without perm has wrong layout");
    br_csr_free(&c);

    char err[256] = "";
    rc = br_csr_from_edges(&mixed, 3, 6, &c, 1, err, sizeof err);
    CHECK(rc != 0 && err[0] && c.row_ptr == NULL, "out-of-range pre accepted");
    err[0] = 0;
    rc = br_csr_from_edges(&mixed, 4, 5, &c, 1, err, sizeof err);
    CHECK(rc != 0 && err[0], "out-of-range post accepted");

    BrEdges empty = { 0 };
    rc = br_csr_from_edges(&empty, 3, 3, &c, 1, NULL, 0);
    CHECK(rc == 0 && c.n_syn == 0 && c.row_ptr[3] == 0, "empty edge list CSR wrong");
    br_csr_free(&c);

    br_edges_free(&prob);
    br_edges_free(&fanin);
    br_edges_free(&fanout);
    br_edges_free(&mixed);
}

/* ------------------------------------------------------------ errors */

static void expect_error(BrConnRule r, uint32_t n_pre, uint32_t n_post, const char *what)
{
    BrEdges e = { 0 };
    br_edges_push(&e, 7, 7); /* existing content must survive a failure */
    char err[256] = "";
    int rc = br_conn_generate(&r, n_pre, n_post, 1, 0, &e, err, sizeof err);
    CHECK(rc != 0 && err[0] != 0 && e.n == 1 && e.pre[0] == 7, "%s: rc %d, message '%s', %zu edges",
          what, rc, err, e.n);
    br_edges_free(&e);
}

static void test_errors(void)
{
    expect_error(rule(BR_CONN_PROBABILITY, 1.5, 0, 0, 0), 10, 10, "p = 1.5");
    expect_error(rule(BR_CONN_PROBABILITY, -0.1, 0, 0, 0), 10, 10, "p = -0.1");
    expect_error(rule(BR_CONN_PROBABILITY, NAN, 0, 0, 0), 10, 10, "p = NaN");
    expect_error(rule(BR_CONN_FANIN, 0, 11, 0, 0), 10, 20, "fan-in k > n_pre");
    expect_error(rule(BR_CONN_FANIN, 0, 10, 1, 0), 10, 10, "fan-in k = n without self");
    expect_error(rule(BR_CONN_FANOUT, 0, 21, 0, 0), 10, 20, "fan-out k > n_post");
    expect_error(rule(BR_CONN_ONE_TO_ONE, 0, 0, 0, 0), 10, 11, "one_to_one size mismatch");
    expect_error(rule(BR_CONN_ONE_TO_ONE, 0, 0, 1, 0), 10, 10, "one_to_one self only, not allowed");
    expect_error(rule(BR_CONN_ALL_TO_ALL, 0, 0, 1, 0), 10, 11, "same population, different sizes");
    expect_error(rule((BrConnKind)42, 0, 0, 0, 0), 10, 10, "unknown kind");
    /* ~2^64 synapses: must be refused before any allocation, not abort. */
    expect_error(rule(BR_CONN_ALL_TO_ALL, 0, 0, 0, 0), UINT32_MAX, UINT32_MAX, "2^64 synapses");

    BrConnRule ok = rule(BR_CONN_FANOUT, 0, 2, 0, 0);
    BrEdges e = { 0 };
    char err[256] = "";
    CHECK(br_conn_generate_range(&ok, 10, 10, 1, 0, 5, 11, &e, err, sizeof err) != 0 && err[0],
          "range past the last unit accepted");
    CHECK(br_conn_generate(NULL, 10, 10, 1, 0, &e, NULL, 0) != 0, "NULL rule accepted");
    br_edges_free(&e);
}

int main(void)
{
    test_all_to_all();
    test_one_to_one();
    test_probability_counts();
    test_probability_pair_frequencies();
    test_probability_vs_naive();
    test_probability_extremes();
    test_fanin();
    test_fanout();
    test_fanin_subsets_uniform();
    test_fanout_pair_frequencies();
    test_determinism();
    test_csr();
    test_errors();
    return check_report("test_connectivity");
}
