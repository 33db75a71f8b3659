// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * compare_stats.c: the hypothesis tests behind the group comparisons (docs/algorithms.md 8):
 * Welch's unequal-variance t-test on replicate percentages, and the two-proportion z test on
 * event counts (no longer reported: without replicates the comparisons give intervals and no
 * p-value, compare_rows.c; kept as a library function and tested).
 */
#include "assay/assay.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

apo_status assay_welch_t(const double *a, size_t na, const double *b, size_t nb, double *t,
                        double *df, double *p, apo_error *err)
{
    *t = *df = *p = NAN;
    if (na < 2 || nb < 2) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected at least 2 values per group, found %zu and %zu", na, nb);
    }
    double m1 = gsl_stats_mean(a, 1, na), m2 = gsl_stats_mean(b, 1, nb);
    double v1 = gsl_stats_variance_m(a, 1, na, m1) / (double)na;
    double v2 = gsl_stats_variance_m(b, 1, nb, m2) / (double)nb;
    double se2 = v1 + v2;
    if (!(se2 > 0)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, NULL,
                             "expected some variance within the groups, found none");
    }
    *t = (m1 - m2) / sqrt(se2);
    *df = se2 * se2 / (v1 * v1 / (double)(na - 1) + v2 * v2 / (double)(nb - 1));
    *p = 2.0 * gsl_cdf_tdist_Q(fabs(*t), *df);
    if (*p > 1.0) {
        *p = 1.0;
    }
    return APO_OK;
}

apo_status assay_two_proportion(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double *z,
                               double *p, apo_error *err)
{
    *z = *p = NAN;
    if (n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected 0 <= x <= n and n > 0, found %llu/%llu and %llu/%llu",
                             (unsigned long long)x1, (unsigned long long)n1,
                             (unsigned long long)x2, (unsigned long long)n2);
    }
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
    double pp = (double)(x1 + x2) / (double)(n1 + n2);
    double se = sqrt(pp * (1.0 - pp) * (1.0 / (double)n1 + 1.0 / (double)n2));
    if (!(se > 0)) {
        *z = 0.0;
        *p = 1.0;
        return APO_OK;
    }
    *z = (p1 - p2) / se;
    *p = gsl_cdf_chisq_Q(*z * *z, 1.0);
    return APO_OK;
}
