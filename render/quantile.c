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

apo_status rquantile(const double *x, size_t n, double q, double *out, apo_error *err)
{
    *out = NAN;
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
    if (m > 0) {
        double r = q * (double)(m - 1);
        size_t k = r <= 0 ? 0 : (r >= (double)(m - 1) ? m - 1 : (size_t)(r + 0.5));
        *out = select_k(a, m, k);
    }
    free(a);
    return APO_OK;
}
