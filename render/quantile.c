/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * quantile.c: nearest-rank quantiles of finite values by selection on a copy (O(n): the radix
 * selection of gating/select.c, gate_select), used to pick automatic axis ranges without
 * sorting a million events.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdlib.h>

/* The nearest rank of quantile @p q among @p m values. */
static size_t rank_of(double q, size_t m)
{
    double r = q * (double)(m - 1);
    return r <= 0 ? 0 : (r >= (double)(m - 1) ? m - 1 : (size_t)(r + 0.5));
}

apo_status rquantiles(const double *x, size_t n, size_t nq, const double *q, double *out,
                      apo_error *err)
{
    for (size_t i = 0; i < nq; i++) {
        out[i] = NAN;
    }
    if (n == 0) {
        return APO_OK;
    }
    double *a = malloc(n * sizeof *a);
    if (!a) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu values, found none", n);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i])) a[m++] = x[i];
    }
    /* the k-th smallest value does not depend on the order a selection left the copy in */
    for (size_t i = 0; m > 0 && i < nq; i++) {
        out[i] = gate_select(a, m, rank_of(q[i], m));
    }
    free(a);
    return APO_OK;
}

apo_status rquantile(const double *x, size_t n, double q, double *out, apo_error *err)
{
    return rquantiles(x, n, 1, &q, out, err);
}
