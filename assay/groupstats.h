/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * groupstats.h: the statistics for comparing groups of replicate values and event counts
 * (docs/algorithms.md section 8): one-way ANOVA, Dunnett's many-to-one comparisons with
 * single-step adjusted p-values for unequal group sizes, the confidence interval of a Welch
 * difference, and the confidence intervals used when there are no replicates (Wilson score
 * interval of a proportion, Wald interval of a difference of proportions, log interval of a
 * ratio of proportions). Pure functions of their arguments; GSL for distributions, integration
 * and root finding.
 */
#ifndef APOFLOW_ASSAY_GROUPSTATS_H
#define APOFLOW_ASSAY_GROUPSTATS_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A group of replicate values, as summary statistics. */
typedef struct assay_group_summary {
    size_t n;    /* values in the group (>= 1) */
    double mean;
    double sd;   /* sample SD (n - 1); ignored (may be NaN) when n = 1 */
} assay_group_summary;

/* A one-way ANOVA table (fixed effects, equal variances). */
typedef struct assay_anova {
    double f;        /* MS_between / MS_within */
    double df1, df2; /* k - 1, N - k */
    double p;        /* upper tail of F(df1, df2) */
    double ms_within; /* the pooled variance */
} assay_anova;

/**
 * One-way ANOVA over @p k groups (R: oneway.test(var.equal = TRUE), aov).
 * @return APO_OK; APO_E_USAGE when k < 2, a group is empty or N - k < 1; APO_E_NUMERIC when
 * there is no variance within the groups (F undefined). On error every field is NaN.
 */
APO_NODISCARD apo_status assay_anova_oneway(const assay_group_summary *g, size_t k,
                                           assay_anova *out, apo_error *err);

/**
 * Dunnett's comparisons of groups 1..k-1 with the control group 0, on the pooled SD of all k
 * groups (Dunnett 1955): t_i = (mean_i - mean_0) / (s sqrt(1/n_i + 1/n_0)), df = N - k, and
 * the two-sided single-step adjusted p_i = P(max_j |T_j| >= |t_i|) under the multivariate t
 * with correlations lambda_i lambda_j, lambda_i = sqrt(n_i / (n_i + n_0)) (as R multcomp
 * glht(mcp(g = "Dunnett")) with adjusted("single-step")). @p t and @p p get k - 1 values.
 * @return APO_OK; the errors of assay_anova_oneway; APO_E_NUMERIC when an integral fails.
 */
APO_NODISCARD apo_status assay_dunnett(const assay_group_summary *g, size_t k, double *t,
                                      double *p, double *df, apo_error *err);

/**
 * The exceedance probability of Dunnett's statistic: P(max_j |T_j| >= c) (@p two_sided) or
 * P(max_j T_j >= c), for m comparisons with sizes n[1..m] against a control of size n[0], on
 * @p df degrees of freedom (INFINITY: normal). Computed as a 1-D integral over the common normal
 * factor inside a 1-D integral over s = chi_df / sqrt(df) (GSL QAG/QAGS/QAGIU, relative tolerance
 * 1e-9 outer, 1e-11 inner). @p abserr (may be NULL) gets the estimated absolute error.
 * @return APO_OK; APO_E_USAGE for m = 0, a zero size, c < 0 or df <= 0; APO_E_NUMERIC when
 * GSL reports a failure and the estimated error exceeds 1e-9 + 1e-6 p (the value is still the
 * best estimate).
 */
APO_NODISCARD apo_status assay_dunnett_exceed(double c, const size_t *n, size_t m, double df,
                                             bool two_sided, double *prob, double *abserr,
                                             apo_error *err);

/**
 * The critical value c with assay_dunnett_exceed(c) = @p alpha (Brent's method, |dc| < 1e-8):
 * the Dunnett table value for these sizes.
 */
APO_NODISCARD apo_status assay_dunnett_critical(double alpha, const size_t *n, size_t m,
                                               double df, bool two_sided, double *c,
                                               apo_error *err);

/**
 * The @p level confidence interval of mean_a - mean_b with Welch's standard error and
 * Welch-Satterthwaite df (R: t.test(a, b)$conf.int). na, nb >= 2, some variance.
 */
APO_NODISCARD apo_status assay_welch_ci(const double *a, size_t na, const double *b, size_t nb,
                                       double level, double *lo, double *hi, apo_error *err);

/**
 * The @p level confidence interval of the mean of @p n values (mean +- t(n - 1) SD / sqrt(n)).
 * n >= 2.
 */
APO_NODISCARD apo_status assay_mean_ci(const double *v, size_t n, double level, double *lo,
                                      double *hi, apo_error *err);

/**
 * The Wilson score interval (Wilson 1927) of the proportion x/n at @p level, without continuity
 * correction (R: prop.test(x, n, correct = FALSE)$conf.int). 0 <= x <= n, n > 0.
 */
APO_NODISCARD apo_status assay_wilson_ci(uint64_t x, uint64_t n, double level, double *lo,
                                        double *hi, apo_error *err);

/**
 * The Wald interval of p1 - p2 with the unpooled standard error (R: prop.test(c(x1, x2),
 * c(n1, n2), correct = FALSE)$conf.int), clipped to [-1, 1].
 */
APO_NODISCARD apo_status assay_prop_diff_ci(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                                           double level, double *lo, double *hi,
                                           apo_error *err);

/**
 * The interval of the ratio p1 / p2 by the log method (Katz et al. 1978):
 * exp(ln(p1/p2) +- z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)). Needs x1, x2 > 0 (APO_E_NUMERIC).
 */
APO_NODISCARD apo_status assay_prop_ratio_ci(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                                            double level, double *lo, double *hi,
                                            apo_error *err);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_ASSAY_GROUPSTATS_H */
