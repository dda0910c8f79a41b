/* nir_csr.c - a group's edge list to CSR by pre neuron.
 * Edges already in row order - what every pre-major rule makes:
 * all-to-all, one-to-one, probability, fan-out, index maps - keep their
 * post array as the column array: no copy and no second array, so the
 * peak stays at the edge list's 8 bytes per synapse. Other orders (fan-in
 * is post-major; projections) go through connectivity.h's stable counting
 * sort (12 bytes per synapse at the peak). A cache-blocked two-pass
 * transpose was measured too: at -O3 on the 2-core benchmark machine it
 * was 50% slower than the plain scatter at 100M synapses, and needed 16
 * bytes per synapse, so it is not used. */
#include "nir_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Index checks, and whether the edges are sorted by (pre, post). */
static int scan(const BrEdges *e, uint32_t n_pre, uint32_t n_post, int *sorted, char *err, size_t errlen)
{
    *sorted = 1;
    for (size_t k = 0; k < e->n; k++) {
        uint32_t i = e->pre[k], j = e->post[k];
        if (i >= n_pre || j >= n_post) {
            snprintf(err, errlen, "synapse %zu (%u -> %u) is outside %u x %u neurons", k, i, j, n_pre,
                     n_post);
            return -1;
        }
        if (k && (i < e->pre[k - 1] || (i == e->pre[k - 1] && j < e->post[k - 1])))
            *sorted = 0;
    }
    return 0;
}

/* Sorted edges: rows are runs, so counting them is sequential. */
static uint64_t *rows_of_sorted(const BrEdges *e, uint32_t n_pre)
{
    uint64_t *row_ptr = calloc((size_t)n_pre + 1, sizeof *row_ptr);
    if (!row_ptr)
        return NULL;
    for (size_t k = 0; k < e->n; k++)
        row_ptr[e->pre[k] + 1]++;
    for (uint32_t i = 0; i < n_pre; i++)
        row_ptr[i + 1] += row_ptr[i];
    return row_ptr;
}

int nir_csr_build(BrEdges *e, uint32_t n_pre, uint32_t n_post, uint64_t **row_ptr_out, uint32_t **col_out,
                  char *err, size_t errlen)
{
    int sorted, rc = scan(e, n_pre, n_post, &sorted, err, errlen);
    *row_ptr_out = NULL;
    *col_out = NULL;
    if (rc == 0 && sorted) {
        uint64_t *row_ptr = rows_of_sorted(e, n_pre);
        /* trims the generator's reserve; the post array becomes the columns */
        uint32_t *col = e->n ? realloc(e->post, e->n * sizeof *col) : malloc(sizeof *col);
        if (col && e->n)
            e->post = NULL;
        if (!row_ptr || !col) {
            free(row_ptr);
            if (!e->n)
                free(col);
            rc = -1;
            snprintf(err, errlen, "out of memory building CSR");
        } else {
            *row_ptr_out = row_ptr;
            *col_out = col;
        }
    } else if (rc == 0) {
        BrCsr csr;
        rc = br_csr_from_edges(e, n_pre, n_post, &csr, 0, err, errlen);
        if (rc == 0) {
            *row_ptr_out = csr.row_ptr;
            *col_out = csr.col;
        }
    }
    br_edges_free(e);
    return rc;
}
