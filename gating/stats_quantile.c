/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stats_quantile.c: the R type-7 quantile (h = (n - 1) p, linear interpolation between the
 * neighbouring order statistics), identical to gsl_stats_quantile_from_sorted_data, with the
 * edge cases (n == 0, p outside [0, 1]) defined instead of left to the caller.
 */
#include "gating/gating_internal.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>

double gate_quantile_sorted(const double *sorted, size_t n, double p)
{
    if (n == 0 || isnan(p)) {
        return NAN;
    }
    if (p <= 0.0) {
        return sorted[0];
    }
    if (p >= 1.0) {
        return sorted[n - 1];
    }
    return gsl_stats_quantile_from_sorted_data(sorted, 1, n, p);
}
