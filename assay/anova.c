// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * anova.c: the one-way analysis of variance over groups given as (n, mean, SD) summaries
 * (fixed effects, equal variances; Fisher's F test), the basis of Dunnett's comparisons.
 */
#include "assay/groupstats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

apo_status assay_anova_oneway(const assay_group_summary *g, size_t k, assay_anova *out,
                             apo_error *err)
{
    out->f = out->df1 = out->df2 = out->p = out->ms_within = NAN;
    if (k < 2) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected at least 2 groups, found %zu", k);
    }
    double total = 0, sum = 0;
    for (size_t i = 0; i < k; i++) {
        if (g[i].n == 0 || !isfinite(g[i].mean)) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                                 "expected a non-empty group with a finite mean, found group "
                                 "%zu with n = %zu, mean = %g",
                                 i, g[i].n, g[i].mean);
        }
        total += (double)g[i].n;
        sum += (double)g[i].n * g[i].mean;
    }
    if (total - (double)k < 1) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected more values than groups (N - k >= 1), found N = %.0f "
                             "in %zu groups",
                             total, k);
    }
    double grand = sum / total, ss_between = 0, ss_within = 0;
    for (size_t i = 0; i < k; i++) {
        double d = g[i].mean - grand;
        ss_between += (double)g[i].n * d * d;
        if (g[i].n >= 2) {
            ss_within += (double)(g[i].n - 1) * g[i].sd * g[i].sd;
        }
    }
    double df1 = (double)(k - 1), df2 = total - (double)k;
    double ms_within = ss_within / df2;
    if (!(ms_within > 0) || !isfinite(ms_within)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, NULL,
                             "expected some variance within the groups, found %g", ms_within);
    }
    out->df1 = df1;
    out->df2 = df2;
    out->ms_within = ms_within;
    out->f = (ss_between / df1) / ms_within;
    out->p = gsl_cdf_fdist_Q(out->f, df1, df2);
    return APO_OK;
}
