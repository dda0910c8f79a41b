/* connectivity.h - seeded synapse generation for projection rules
 * (all-to-all, one-to-one, Bernoulli probability, fixed fan-in/fan-out) and
 * conversion of edge lists to CSR. Output depends only on (rule, sizes,
 * seed, stream): each major unit has its own Philox substream. */
#ifndef BR_CONNECTIVITY_H
#define BR_CONNECTIVITY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    BR_CONN_ALL_TO_ALL,
    BR_CONN_ONE_TO_ONE,
    BR_CONN_PROBABILITY,
    BR_CONN_FANIN,
    BR_CONN_FANOUT
} BrConnKind;

typedef struct {
    BrConnKind kind;
    double p;            /* PROBABILITY: independent chance per (pre, post) pair */
    uint32_t k;          /* FANIN: distinct sources per post; FANOUT: targets per pre */
    int same_population; /* pre and post are one neuron set (needs n_pre == n_post) */
    int allow_self;      /* with same_population: keep i -> i synapses */
} BrConnRule;

/* Growable edge list. Zero-initialise ({0}) before first use. */
typedef struct {
    uint32_t *pre, *post;
    size_t n, cap;
} BrEdges;

/* 0 on success, -1 on overflow or allocation failure (edges left intact). */
int br_edges_reserve(BrEdges *e, size_t cap);
int br_edges_push(BrEdges *e, uint32_t pre, uint32_t post);
void br_edges_free(BrEdges *e);

/* Generation runs over a "major" axis, one RNG substream per unit:
 * pre neurons for every kind except FANIN, whose units are post neurons.
 * Edge order is therefore pre-major with ascending post, except for FANIN,
 * which is post-major with ascending pre. Returns that axis's length. */
uint32_t br_conn_major_count(const BrConnRule *r, uint32_t n_pre, uint32_t n_post);

/* Appends the edges of major units [first, last) to out. Chunks generated
 * separately (e.g. one per thread) and concatenated in order equal one
 * call over the whole range. Returns 0, or nonzero with a message in err
 * (err may be NULL); on failure out->n is restored to its value on entry. */
int br_conn_generate_range(const BrConnRule *r, uint32_t n_pre, uint32_t n_post,
                           uint64_t seed, uint64_t stream, uint32_t first, uint32_t last,
                           BrEdges *out, char *err, size_t errlen);

/* All edges of the rule, appended to out (normally empty). */
int br_conn_generate(const BrConnRule *r, uint32_t n_pre, uint32_t n_post,
                     uint64_t seed, uint64_t stream, BrEdges *out, char *err, size_t errlen);

/* Compressed sparse rows keyed by pre neuron. */
typedef struct {
    uint32_t n_pre, n_post;
    uint64_t n_syn;
    uint64_t *row_ptr; /* n_pre + 1 offsets into col */
    uint32_t *col;     /* post neuron per synapse, non-decreasing within a row */
    uint64_t *perm;    /* if requested: edge-list index of CSR entry k, else NULL */
} BrCsr;

/* Stable counting sort by pre: rows keep the input order of their edges,
 * which is already ascending for every generated kind; any row that is not
 * gets sorted by (post, input position). Rejects out-of-range indices.
 * Returns 0, or nonzero with a message in err; out is left empty on failure. */
int br_csr_from_edges(const BrEdges *e, uint32_t n_pre, uint32_t n_post, BrCsr *out,
                      int want_perm, char *err, size_t errlen);
void br_csr_free(BrCsr *c);

#ifdef __cplusplus
}
#endif

#endif /* BR_CONNECTIVITY_H */
