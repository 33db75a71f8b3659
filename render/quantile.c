/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * quantile.c: nearest-rank quantiles of finite values by quickselect on a copy (O(n)),
 * used to pick automatic axis ranges without sorting a million events.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdlib.h>

static double select_k(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) {
            hi = j;
        } else if (k >= i) {
            lo = i;
        } else {
            return a[k];
        }
    }
    return a[k];
}

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
    /* the k-th smallest value does not depend on the order select_k left the copy in */
    for (size_t i = 0; m > 0 && i < nq; i++) {
        out[i] = select_k(a, m, rank_of(q[i], m));
    }
    free(a);
    return APO_OK;
}

apo_status rquantile(const double *x, size_t n, double q, double *out, apo_error *err)
{
    return rquantiles(x, n, 1, &q, out, err);
}
