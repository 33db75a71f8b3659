/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * transform_estimate.c: flowCore's estimateLogicle rule for picking the logicle width W from a
 * channel's negative data (flowCore's estimateLogicle; docs/algorithms.md 3): r = 5th percentile
 * (type 7) of the negatives, w = (M - log10(T / |r|)) / 2, and an error rather than a silently
 * broken scale when w < 0.
 */
#include "gating/gating_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

apo_status gate_logicle_estimate_w(const double *x, size_t n, double T, double M, double *w_out,
                                   apo_error *err)
{
    if (!(T > 0.0) || !(M > 0.0) || !isfinite(T) || !isfinite(M)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "estimateLogicle",
                             "expected T > 0 and M > 0, found T=%g M=%g", T, M);
    }
    size_t n_neg = 0;
    for (size_t i = 0; i < n; i++) {
        n_neg += x[i] < 0.0;
    }
    if (n_neg == 0) {
        *w_out = 0.0;
        return APO_OK;
    }
    double *neg = malloc(n_neg * sizeof(*neg));
    if (neg == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu negative values, found none", n_neg);
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] < 0.0) {
            neg[j++] = x[i];
        }
    }
    /* The type-7 quantile reads only the order statistics at floor(0.05 (n - 1)) and the next
     * one: they are selected (the values a sort puts there, gating/select.c) and written
     * where a sort would put them; the rest of the scratch array stays unsorted. */
    const size_t lhs = (size_t)(0.05 * (double)(n_neg - 1));
    const double a = gate_select(neg, n_neg, lhs);
    const double b = lhs + 1 < n_neg ? gate_select(neg, n_neg, lhs + 1) : a;
    neg[lhs] = a;
    if (lhs + 1 < n_neg) {
        neg[lhs + 1] = b;
    }
    const double r = DBL_EPSILON + gate_quantile_sorted(neg, n_neg, 0.05);
    free(neg);
    const double w = (M - log10(T / fabs(r))) / 2.0;
    if (!(w >= 0.0)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "estimateLogicle",
                             "expected w >= 0, found w = %g (w is negative: the 5th percentile "
                             "of the negatives, %g, is too close to 0 for M = %g; increase M)",
                             w, r, M);
    }
    *w_out = w;
    return APO_OK;
}

apo_status gate_transform_init_logicle_estimate(gate_transform *out, const double *x, size_t n,
                                                double T, double M, apo_error *err)
{
    double w = 0.0;
    const apo_status st = gate_logicle_estimate_w(x, n, T, M, &w, err);
    if (st != APO_OK) {
        return st;
    }
    return gate_transform_init_logicle(out, T, w, M, 0.0, err);
}
