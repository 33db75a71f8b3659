/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_apoptosis_stats.c: the statistics behind the apoptosis comparisons against the
 * reference vectors of docs/algorithms.md 8 (Welch t, two-proportion / chi-square 2x2, 4PL from
 * vectors/dose_response_4pl.csv), plus the threshold helpers (type-7 quantile, density valley).
 */
#include "assay/assay.h"

#include "support/need.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(assay_apoptosis_stats, .init = setup);

Test(assay_apoptosis_stats, welch_matches_reference)
{
    const double a[] = {12.1, 15.3, 13.8, 14.6}, b[] = {30.2, 27.9, 33.5};
    double t, df, p;
    cr_assert_eq(assay_welch_t(a, 4, b, 3, &t, &df, &p, NULL), APO_OK);
    cr_assert_float_eq(t, -9.39557669, 1e-7);
    cr_assert_float_eq(df, 2.724061486, 1e-8);
    cr_assert_float_eq(p, 3.745859079e-3, 1e-11);
}

Test(assay_apoptosis_stats, welch_rejects_single_values)
{
    const double a[] = {12.1}, b[] = {30.2, 27.9};
    double t, df, p;
    apo_error err;
    cr_assert_eq(assay_welch_t(a, 1, b, 2, &t, &df, &p, &err), APO_E_USAGE);
    cr_assert(isnan(p));
}

Test(assay_apoptosis_stats, two_proportion_equals_chisq_2x2)
{
    double z, p;
    cr_assert_eq(assay_two_proportion(3000, 10000, 2000, 10000, &z, &p, NULL), APO_OK);
    cr_assert_float_eq(z * z, 266.6666667, 1e-6);
    cr_assert(fabs(p - 6.04520682e-60) < 1e-66, "p = %g", p);
    cr_assert_eq(assay_two_proportion(30, 100, 18, 100, &z, &p, NULL), APO_OK);
    cr_assert_float_eq(p, 0.04694472698, 1e-10);
}

Test(assay_apoptosis_stats, fit_4pl_matches_reference)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/vectors/dose_response_4pl.csv", APOFLOW_CORPUS_DIR);
    test_need_path(path, "the corpus file");
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    double x[64], y[64];
    size_t n = 0;
    char line[256];
    cr_assert_not_null(fgets(line, sizeof line, f)); /* header */
    while (n < 64 && fgets(line, sizeof line, f) != NULL) {
        char *comma = strchr(line, ',');
        cr_assert_not_null(comma);
        size_t l2 = strcspn(comma + 1, "\r\n");
        cr_assert(apo_parse_double(line, (size_t)(comma - line), false, &x[n]));
        cr_assert(apo_parse_double(comma + 1, l2, false, &y[n]));
        n++;
    }
    fclose(f);
    cr_assert_eq(n, 8);
    assay_dose_fit fit;
    cr_assert_eq(assay_fit_4pl(x, y, n, &fit, NULL), APO_OK);
    cr_assert(fit.ok);
    cr_assert_float_eq(fit.bottom, 8.0992221, 1e-5);
    cr_assert_float_eq(fit.top, 40.3421180, 1e-5);
    cr_assert_float_eq(fit.ec50, 0.60046646, 1e-6);
    cr_assert_float_eq(fit.hill, 1.0459747, 1e-5);
    cr_assert_float_eq(fit.se_bottom, 0.3209466, 1e-5);
    cr_assert_float_eq(fit.se_top, 0.3047916, 1e-5);
    cr_assert_float_eq(fit.se_log_ec50, 0.0403729, 1e-5);
    cr_assert_float_eq(fit.se_hill, 0.0426829, 1e-5);
    cr_assert_float_eq(fit.rss, 0.4008108834, 1e-8);
    cr_assert(fit.ec50_ci_lo < fit.ec50 && fit.ec50 < fit.ec50_ci_hi);
}

Test(assay_apoptosis_stats, fit_4pl_needs_four_points)
{
    const double x[] = {1, 2, 0}, y[] = {30, 20, 40};
    assay_dose_fit fit;
    apo_error err;
    cr_assert_eq(assay_fit_4pl(x, y, 3, &fit, &err), APO_E_USAGE);
    cr_assert_not(fit.ok);
    cr_assert_eq(fit.n_points, 2);
}

Test(assay_apoptosis_stats, quantile_type7)
{
    const double v[] = {9, 2, 100, 4, 5, NAN, 6, 7, 8, 1, 3};
    cr_assert_float_eq(assay_quantile(v, 11, 0.5), 5.5, 1e-12);
    cr_assert_float_eq(assay_quantile(v, 11, 0.25), 3.25, 1e-12);
    cr_assert_float_eq(assay_quantile(v, 11, 0.8413), 8.5717, 1e-9);
    cr_assert(isnan(assay_quantile(v, 0, 0.5)));
}

Test(assay_apoptosis_stats, density_valley_between_two_peaks)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    enum { N = 6000 };
    double *x = malloc(N * sizeof *x);
    for (size_t i = 0; i < N; i++) {
        x[i] = i < 4000 ? 0.25 + gsl_ran_gaussian(r, 0.04) : 0.7 + gsl_ran_gaussian(r, 0.05);
    }
    double v = assay_density_valley(x, N, -INFINITY, INFINITY);
    cr_assert(v > 0.38 && v < 0.56, "valley %g", v);
    /* one population only: no valley between two peaks, so either NaN or in a tail */
    for (size_t i = 0; i < N; i++) {
        x[i] = gsl_ran_gaussian(r, 1.0);
    }
    double u = assay_density_valley(x, 10, -INFINITY, INFINITY);
    cr_assert(isnan(u), "fewer than 20 values give NaN, found %g", u);
    free(x);
    gsl_rng_free(r);
}
