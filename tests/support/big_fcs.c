/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * big_fcs.c: a large test FCS file written block by block (big_fcs.h).
 */
#include "support/big_fcs.h"

#include "fcs/fcs.h"

#include <criterion/criterion.h>
#include <stdlib.h>

#define BIG_FCS_BLOCK 65536u

void big_fcs_write(const char *path, const char *const *names, size_t n_params,
                   uint64_t n_events, big_fcs_fill fill, void *ctx)
{
    fcs_write_param *params = calloc(n_params, sizeof *params);
    double *block = malloc((size_t)BIG_FCS_BLOCK * n_params * sizeof *block);
    cr_assert(params != NULL && block != NULL, "out of memory");
    for (size_t p = 0; p < n_params; p++) {
        params[p] = (fcs_write_param){names[p], NULL, 262144};
    }
    const fcs_write_spec spec = {n_params, params, n_events, NULL, 0, NULL};
    fcs_writer *w = NULL;
    apo_error err;
    cr_assert_eq(fcs_writer_open(&w, path, &spec, NULL, &err), APO_OK, "%s", err.msg);
    for (uint64_t first = 0; first < n_events; first += BIG_FCS_BLOCK) {
        const size_t count =
            (size_t)(n_events - first < BIG_FCS_BLOCK ? n_events - first : BIG_FCS_BLOCK);
        fill(ctx, first, count, block);
        if (fcs_writer_append(w, block, count, count, &err) != APO_OK) {
            fcs_writer_abort(w);
            cr_assert_fail("%s: %s", path, err.msg);
        }
    }
    cr_assert_eq(fcs_writer_commit(w, &err), APO_OK, "%s", err.msg);
    free(block);
    free(params);
}
