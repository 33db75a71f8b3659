// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * intervals.c: confidence intervals for the group comparisons: of a mean and of a Welch
 * difference of means (replicates as the unit), and, when there are no replicates, of the
 * measured proportion of events (Wilson 1927 score interval), of a difference of two
 * proportions (Wald) and of their ratio (log method, Katz et al. 1978). The event intervals
 * state the precision of a measurement, not the variability between biological replicates.
 */
#include "assay/assay.h"
#include "assay/groupstats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

static apo_status bad_level(double level, apo_error *err)
{
    return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                         "expected a confidence level in (0, 1), found %g", level);
}

static apo_status bad_counts(uint64_t x, uint64_t n, apo_error *err)
{
    return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                         "expected 0 <= x <= n and n > 0, found %llu of %llu",
                         (unsigned long long)x, (unsigned long long)n);
}

apo_status assay_mean_ci(const double *v, size_t n, double level, double *lo, double *hi,
                        apo_error *err)
{
    *lo = *hi = NAN;
    if (!(level > 0 && level < 1)) {
        return bad_level(level, err);
    }
    if (n < 2) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected at least 2 values, found %zu", n);
    }
    double m = gsl_stats_mean(v, 1, n);
    double h = gsl_cdf_tdist_Qinv((1 - level) / 2, (double)(n - 1)) *
               gsl_stats_sd_m(v, 1, n, m) / sqrt((double)n);
    *lo = m - h;
    *hi = m + h;
    return APO_OK;
}

apo_status assay_welch_ci(const double *a, size_t na, const double *b, size_t nb, double level,
                         double *lo, double *hi, apo_error *err)
{
    *lo = *hi = NAN;
    if (!(level > 0 && level < 1)) {
        return bad_level(level, err);
    }
    double t, df, p;
    apo_status st = assay_welch_t(a, na, b, nb, &t, &df, &p, err);
    if (st != APO_OK) {
        return st;
    }
    double d = gsl_stats_mean(a, 1, na) - gsl_stats_mean(b, 1, nb);
    double se = d / t;
    if (!isfinite(se) || t == 0) {
        /* equal means: t = 0, so take the standard error directly */
        double va = gsl_stats_variance(a, 1, na) / (double)na;
        double vb = gsl_stats_variance(b, 1, nb) / (double)nb;
        se = sqrt(va + vb);
    }
    double h = gsl_cdf_tdist_Qinv((1 - level) / 2, df) * fabs(se);
    *lo = d - h;
    *hi = d + h;
    return APO_OK;
}

apo_status assay_wilson_ci(uint64_t x, uint64_t n, double level, double *lo, double *hi,
                          apo_error *err)
{
    *lo = *hi = NAN;
    if (!(level > 0 && level < 1)) {
        return bad_level(level, err);
    }
    if (n == 0 || x > n) {
        return bad_counts(x, n, err);
    }
    double z = gsl_cdf_ugaussian_Qinv((1 - level) / 2), z2 = z * z, nn = (double)n;
    double p = (double)x / nn;
    double centre = p + z2 / (2 * nn);
    double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    double den = 1 + z2 / nn;
    *lo = x == 0 ? 0.0 : fmax(0.0, (centre - half) / den);
    *hi = x == n ? 1.0 : fmin(1.0, (centre + half) / den);
    return APO_OK;
}

apo_status assay_prop_diff_ci(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double level,
                             double *lo, double *hi, apo_error *err)
{
    *lo = *hi = NAN;
    if (!(level > 0 && level < 1)) {
        return bad_level(level, err);
    }
    if (n1 == 0 || x1 > n1) {
        return bad_counts(x1, n1, err);
    }
    if (n2 == 0 || x2 > n2) {
        return bad_counts(x2, n2, err);
    }
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
    double z = gsl_cdf_ugaussian_Qinv((1 - level) / 2);
    double h = z * sqrt(p1 * (1 - p1) / (double)n1 + p2 * (1 - p2) / (double)n2);
    *lo = fmax(-1.0, p1 - p2 - h);
    *hi = fmin(1.0, p1 - p2 + h);
    return APO_OK;
}

apo_status assay_prop_ratio_ci(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                              double level, double *lo, double *hi, apo_error *err)
{
    *lo = *hi = NAN;
    if (!(level > 0 && level < 1)) {
        return bad_level(level, err);
    }
    if (n1 == 0 || x1 > n1) {
        return bad_counts(x1, n1, err);
    }
    if (n2 == 0 || x2 > n2) {
        return bad_counts(x2, n2, err);
    }
    if (x1 == 0 || x2 == 0) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, NULL,
                             "the log interval of a ratio needs events in both groups, found "
                             "%llu and %llu",
                             (unsigned long long)x1, (unsigned long long)x2);
    }
    double r = ((double)x1 / (double)n1) / ((double)x2 / (double)n2);
    double se = sqrt(1.0 / (double)x1 - 1.0 / (double)n1 + 1.0 / (double)x2 - 1.0 / (double)n2);
    double z = gsl_cdf_ugaussian_Qinv((1 - level) / 2);
    *lo = r * exp(-z * se);
    *hi = r * exp(z * se);
    return APO_OK;
}
