/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * statistics.h: the statistics the group comparisons and the automatic gates use (Welch, two
 * proportions, 4PL, quantiles, density valleys), public for tests. Part of assay/assay.h.
 */
#ifndef APOFLOW_ASSAY_STATISTICS_H
#define APOFLOW_ASSAY_STATISTICS_H

#include "assay/assay.h"

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Statistics used by the comparisons (exposed for tests). */
/** Welch's t-test: t, df and the two-sided p (GSL t distribution). n1, n2 >= 2. */
APO_NODISCARD apo_status assay_welch_t(const double *a, size_t na, const double *b, size_t nb,
                                      double *t, double *df, double *p, apo_error *err);
/** Two-proportion z test (= chi-square 2x2 without continuity correction): x1 of n1 vs
 *  x2 of n2; returns z and the two-sided p. */
APO_NODISCARD apo_status assay_two_proportion(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                                             double *z, double *p, apo_error *err);
/** 4PL fit y = B + (T - B) / (1 + (x/EC50)^h) to points with x > 0 (GSL multifit_nlinear). */
APO_NODISCARD apo_status assay_fit_4pl(const double *x, const double *y, size_t n,
                                      assay_dose_fit *out, apo_error *err);
/** Type-7 quantile of @p n values (copied and sorted; NaNs dropped). NaN when none. */
double assay_quantile(const double *x, size_t n, double q);
/**
 * openCyto-style density valley: Gaussian KDE (bandwidth 2 bw.nrd0) on a 512-point grid; the
 * deepest valley between the two tallest peaks within [lo, hi]. Returns NaN when there is no
 * valley.
 */
double assay_density_valley(const double *x, size_t n, double lo, double hi);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_ASSAY_STATISTICS_H */
