// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_density_scale.c: the kernel density's bandwidth (Silverman's rule on min(SD, IQR /
 * 1.34)) skips the exact SD when an approximate one shows it cannot be the minimum. The
 * bandwidth and every grid value must equal the computation with GSL's SD always taken, bit
 * for bit: on one normal sample (SD and IQR / 1.34 close: the exact SD is taken), two modes
 * (IQR smaller: skipped), a constant middle (IQR 0), a large offset with a tiny spread, heavy
 * tails, and with non-finite values mixed in. The grid itself must equal the smoothing with
 * each kernel weight computed in place (the weights now come from a table), bit for bit. The
 * density valley of the per-sample Annexin V valley (its own bandwidth, exact SD only when it
 * can be the minimum, the same weight table) equals its computation with GSL's SD always
 * taken and each weight computed in place, on the same data. One assay_values serving both
 * the valley and the density fit (in either order) gives each the same numbers as those
 * references.
 */
#include "assay/density.h"
#include "assay/statistics.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

TestSuite(assay_density_scale);

/* The bandwidth as computed with the exact SD always: the reference. */
static double reference_bw(const double *x, size_t n, double adjust, double min_bw)
{
    double *v = malloc(n * sizeof *v);
    cr_assert(v != NULL);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i])) {
            v[m++] = x[i];
        }
    }
    double vmin, vmax;
    gsl_stats_minmax(&vmin, &vmax, v, 1, m);
    double sd = gsl_stats_sd(v, 1, m);
    double q1 = gsl_stats_select(v, 1, m, m / 4);
    double q3 = gsl_stats_select(v, 1, m, (3 * m) / 4);
    double s = fmin(sd, (q3 - q1) / 1.34);
    s = s > 0 ? s : sd;
    double bw = adjust * 0.9 * s * pow((double)m, -0.2);
    if (!(bw >= min_bw)) {
        bw = min_bw > 0 ? min_bw : 1e-3 * (vmax - vmin + 1);
    }
    free(v);
    return bw;
}

/* The density grid as computed before the weight table: the finite values linearly binned
 * in their given order, each weight exp(-z^2 / 2) computed where it is used. */
static void reference_grid(const double *x, size_t n, const assay_kde *k, double *y)
{
    double *v = malloc(n * sizeof *v), *bins = calloc(k->n, sizeof *bins);
    cr_assert(v != NULL && bins != NULL);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i])) {
            v[m++] = x[i];
        }
    }
    const double g1 = k->g0 + k->step * (double)(k->n - 1);
    const double step = (g1 - k->g0) / (double)(k->n - 1);
    for (size_t i = 0; i < m; i++) {
        if (v[i] < k->g0 || v[i] > g1) {
            continue;
        }
        const double pos = (v[i] - k->g0) / step;
        const size_t b = (size_t)pos;
        const double f = pos - (double)b;
        if (b + 1 < k->n) {
            bins[b] += 1.0 - f;
            bins[b + 1] += f;
        } else {
            bins[k->n - 1] += 1.0;
        }
    }
    const long reach = (long)ceil(4.0 * k->bw / step), grid = (long)k->n;
    for (long i = 0; i < grid; i++) {
        double acc = 0;
        for (long j = i - reach < 0 ? 0 : i - reach; j <= i + reach && j < grid; j++) {
            const double z = (double)(i - j) * step / k->bw;
            acc += bins[j] * exp(-0.5 * z * z);
        }
        y[i] = acc / ((double)m * k->bw * 2.5066282746310002);
    }
    free(bins);
    free(v);
}

static void check(const double *x, size_t n, const char *what)
{
    assay_kde k;
    cr_assert(assay_kde_fit(&k, x, n, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE), "%s", what);
    const double bw = reference_bw(x, n, 1.0, 0.0);
    cr_assert(memcmp(&bw, &k.bw, sizeof bw) == 0, "%s: bandwidth %a, expected %a", what, k.bw,
              bw);
    double y[ASSAY_KDE_GRID];
    cr_assert_eq(k.n, ASSAY_KDE_GRID);
    reference_grid(x, n, &k, y);
    for (size_t i = 0; i < k.n; i++) {
        cr_assert(memcmp(&y[i], &k.y[i], sizeof y[i]) == 0, "%s: grid %zu: %a, expected %a",
                  what, i, k.y[i], y[i]);
    }
    assay_kde_free(&k);
}

Test(assay_density_scale, bandwidth_equals_the_exact_sd_path)
{
    const size_t n = 40000;
    double *x = malloc(n * sizeof *x);
    cr_assert(x != NULL);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    for (size_t i = 0; i < n; i++) {
        x[i] = 3.0 + gsl_ran_gaussian(r, 0.4);
    }
    check(x, n, "normal");
    for (size_t i = 0; i < n; i++) {
        x[i] = i % 3 ? 4.5 + gsl_ran_gaussian(r, 0.1) : 2.5 + gsl_ran_gaussian(r, 0.2);
    }
    check(x, n, "two modes");
    for (size_t i = 0; i < n; i++) {
        x[i] = i % 10 == 0 ? gsl_ran_gaussian(r, 1.0) : 1.0;
    }
    check(x, n, "constant middle");
    for (size_t i = 0; i < n; i++) {
        x[i] = 1e9 + gsl_ran_gaussian(r, 1e-4);
    }
    check(x, n, "large offset, tiny spread");
    for (size_t i = 0; i < n; i++) {
        x[i] = gsl_ran_cauchy(r, 1.0);
    }
    check(x, n, "heavy tails");
    for (size_t i = 0; i < n; i++) {
        x[i] = i % 10 == 0 ? (i % 20 ? -0.0 : 0.0) : 2.0 + gsl_ran_gaussian(r, 0.5);
    }
    check(x, n, "zeros of both signs (the quartiles handed to gsl)");
    for (size_t i = 0; i < n; i += 97) {
        x[i] = i % 2 ? NAN : INFINITY;
    }
    check(x, n, "with non-finite values");
    for (size_t m = 30; m < 200; m += 7) {
        check(x, m, "small samples");
    }
    gsl_rng_free(r);
    free(x);
}

/* Type-7 quantile by selection, as thresholds.c computes it (v may be reordered). */
static double ref_quantile(double *v, size_t m, double q)
{
    const double h = (double)(m - 1) * q;
    const size_t lo = (size_t)floor(h);
    if (lo >= m - 1) {
        return gate_select(v, m, m - 1);
    }
    const double a = gate_select(v, m, lo), b = gate_select(v, m, lo + 1);
    return a + (h - (double)lo) * (b - a);
}

/* assay_density_valley as it was computed before: GSL's SD always, weights in place. */
static double reference_valley(const double *x, size_t n)
{
    enum { G = 512 };
    double *v = malloc(n * sizeof *v);
    cr_assert(v != NULL);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i])) {
            v[m++] = x[i];
        }
    }
    const double sd = gsl_stats_sd(v, 1, m);
    double vmin, vmax;
    gsl_stats_minmax(&vmin, &vmax, v, 1, m);
    const double iqr = ref_quantile(v, m, 0.75) - ref_quantile(v, m, 0.25);
    double s = fmin(sd, iqr / 1.34);
    if (!(s > 0)) {
        s = sd > 0 ? sd : 1e-3;
    }
    const double bw = 2.0 * 0.9 * s * pow((double)m, -0.2);
    const double g0 = vmin - 3 * bw, g1 = vmax + 3 * bw, step = (g1 - g0) / (G - 1);
    double bins[G] = {0}, dens[G];
    for (size_t i = 0; i < m; i++) {
        const double pos = (v[i] - g0) / step;
        const size_t k = (size_t)pos;
        const double f = pos - (double)k;
        if (k + 1 < G) {
            bins[k] += 1.0 - f;
            bins[k + 1] += f;
        } else {
            bins[G - 1] += 1.0;
        }
    }
    free(v);
    const int reach = (int)ceil(4.0 * bw / step);
    for (int i = 0; i < G; i++) {
        double acc = 0;
        for (int j = i - reach < 0 ? 0 : i - reach; j <= i + reach && j < G; j++) {
            const double z = (double)(i - j) * step / bw;
            acc += bins[j] * exp(-0.5 * z * z);
        }
        dens[i] = acc;
    }
    /* the deepest valley between the two highest peaks, else the deepest one */
    int peaks[G], valleys[G], np = 0, nv = 0;
    for (int i = 1; i + 1 < G; i++) {
        const double xi = g0 + step * i;
        if (xi < vmin || xi > vmax) {
            continue;
        }
        if (dens[i] > dens[i - 1] && dens[i] >= dens[i + 1]) {
            peaks[np++] = i;
        } else if (dens[i] < dens[i - 1] && dens[i] <= dens[i + 1]) {
            valleys[nv++] = i;
        }
    }
    cr_assert_gt(nv, 0);
    int best = -1;
    if (np >= 2) {
        int p1 = peaks[0], p2 = -1;
        for (int i = 1; i < np; i++) {
            p1 = dens[peaks[i]] > dens[p1] ? peaks[i] : p1;
        }
        for (int i = 0; i < np; i++) {
            if (peaks[i] != p1 && (p2 < 0 || dens[peaks[i]] > dens[p2])) {
                p2 = peaks[i];
            }
        }
        const int a = p1 < p2 ? p1 : p2, b = p1 < p2 ? p2 : p1;
        for (int i = 0; i < nv; i++) {
            if (valleys[i] > a && valleys[i] < b && (best < 0 || dens[valleys[i]] < dens[best])) {
                best = valleys[i];
            }
        }
    }
    if (best < 0) {
        best = valleys[0];
        for (int i = 1; i < nv; i++) {
            best = dens[valleys[i]] < dens[best] ? valleys[i] : best;
        }
    }
    return g0 + step * best;
}

Test(assay_density_scale, density_valley_equals_the_exact_sd_path)
{
    const size_t n = 30000;
    double *x = malloc(n * sizeof *x);
    cr_assert(x != NULL);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    for (int shape = 0; shape < 4; shape++) {
        for (size_t i = 0; i < n; i++) {
            const double u = gsl_rng_uniform(r);
            switch (shape) {
            case 0: /* a tight mode and a far small one (IQR / 1.34 below the SD) */
                x[i] = u < 0.85 ? 0.3 + gsl_ran_gaussian(r, 0.03) : 0.8 + gsl_ran_gaussian(r, 0.05);
                break;
            case 1: /* two equal modes (the SD below IQR / 1.34: exact SD taken) */
                x[i] = u < 0.5 ? 0.3 + gsl_ran_gaussian(r, 0.04) : 0.7 + gsl_ran_gaussian(r, 0.05);
                break;
            case 2: /* two modes and a floor of zeros, exact SD taken (the selection hands
                     * over to GSL, which reorders the values: the SD is of their given order) */
                x[i] = u < 0.1 ? 0.0 : u < 0.55 ? 0.3 + gsl_ran_gaussian(r, 0.04)
                                                : 0.7 + gsl_ran_gaussian(r, 0.05);
                break;
            default: /* heavy tails with non-finite values */
                x[i] = i % 101 == 0 ? NAN : gsl_ran_cauchy(r, 0.05) + (u < 0.6 ? 0.3 : 0.7);
                break;
            }
        }
        const double want = reference_valley(x, n), got = assay_density_valley(x, n, -INFINITY,
                                                                                 INFINITY);
        cr_assert(memcmp(&want, &got, sizeof want) == 0, "shape %d: valley %a, expected %a",
                  shape, got, want);
    }
    gsl_rng_free(r);
    free(x);
}

/* The valley, the density fit and a line's depth from one assay_values, the valley first or
 * last: each as its reference (and the depth as assay_line_depth on the array). */
static void check_shared(const double *x, size_t n, const char *what, bool ranked)
{
    const double want_valley = reference_valley(x, n), want_bw = reference_bw(x, n, 1.0, 0.0);
    for (int valley_first = 0; valley_first < 2; valley_first++) {
        assay_values a;
        cr_assert(assay_values_init(&a, x, n));
        cr_assert_eq(a.ranked, ranked, "%s: quartiles from one selection", what);
        double *f = malloc(n * sizeof *f), lo, hi;
        cr_assert(f != NULL);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (isfinite(x[i])) {
                f[m++] = x[i];
            }
        }
        gsl_stats_minmax(&lo, &hi, f, 1, m);
        const double sdn = apo_sd_near(f, m);
        cr_assert(a.m == m && memcmp(&a.vmin, &lo, sizeof lo) == 0 &&
                      memcmp(&a.vmax, &hi, sizeof hi) == 0 &&
                      memcmp(&a.sd_near, &sdn, sizeof sdn) == 0,
                  "%s: extremes and approximate SD as gsl_stats_minmax and apo_sd_near", what);
        cr_assert(memcmp(a.v, f, m * sizeof *f) == 0, "%s: the finite values in order", what);
        free(f);
        double valley = NAN;
        if (valley_first) {
            valley = assay_density_valley_values(&a, -INFINITY, INFINITY);
        }
        assay_kde k;
        cr_assert(assay_kde_fit_values(&k, &a, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE), "%s", what);
        cr_assert(memcmp(&want_bw, &k.bw, sizeof want_bw) == 0, "%s: bandwidth %a, expected %a",
                  what, k.bw, want_bw);
        const double line = k.g0 + k.step * 200.0;
        const double depth = assay_line_depth_values(&a, line);
        const double want_depth = assay_kde_depth(&k, line);
        cr_assert(memcmp(&depth, &want_depth, sizeof depth) == 0, "%s: depth", what);
        if (!valley_first) {
            valley = assay_density_valley_values(&a, -INFINITY, INFINITY);
        }
        cr_assert(memcmp(&want_valley, &valley, sizeof valley) == 0,
                  "%s (valley first %d): valley %a, expected %a", what, valley_first, valley,
                  want_valley);
        assay_kde_free(&k);
        assay_values_free(&a);
    }
}

Test(assay_density_scale, one_summary_serves_valley_and_density)
{
    const size_t n = 40000;
    double *x = malloc(n * sizeof *x);
    cr_assert(x != NULL);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 23);
    for (int shape = 0; shape < 4; shape++) {
        for (size_t m = n; m >= 1000; m = m / 3 + 1) { /* odd and even counts */
            for (size_t i = 0; i < m; i++) {
                const double u = gsl_rng_uniform(r);
                switch (shape) {
                case 0: /* a tight mode and a far small one: the approximate SD decides */
                    x[i] = u < 0.85 ? 0.3 + gsl_ran_gaussian(r, 0.03)
                                    : 0.8 + gsl_ran_gaussian(r, 0.05);
                    break;
                case 1: /* two equal modes: the exact SD, cached for the second user */
                    x[i] = u < 0.5 ? 0.3 + gsl_ran_gaussian(r, 0.04)
                                   : 0.7 + gsl_ran_gaussian(r, 0.05);
                    break;
                case 2: /* zeros of both signs: no shared quartiles, gsl's selections */
                    x[i] = u < 0.1 ? (u < 0.05 ? -0.0 : 0.0)
                                   : u < 0.55 ? 0.3 + gsl_ran_gaussian(r, 0.04)
                                              : 0.7 + gsl_ran_gaussian(r, 0.05);
                    break;
                default: /* heavy tails, ties and non-finite values */
                    x[i] = i % 101 == 0  ? NAN
                           : i % 7 == 0 ? 0.25
                                        : gsl_ran_cauchy(r, 0.05) + (u < 0.6 ? 0.3 : 0.7);
                    break;
                }
            }
            check_shared(x, m, shape == 0 ? "far mode" : shape == 1 ? "equal modes"
                               : shape == 2 ? "zeros" : "heavy tails",
                         shape != 2);
        }
    }
    assay_values a; /* fewer than 20 finite values: no density, no valley */
    cr_assert(assay_values_init(&a, x, 19));
    assay_kde k;
    cr_assert(!assay_kde_fit_values(&k, &a, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE));
    cr_assert(isnan(assay_density_valley_values(&a, -INFINITY, INFINITY)));
    cr_assert(isnan(assay_line_depth_values(&a, 0.5)));
    assay_values_free(&a);
    gsl_rng_free(r);
    free(x);
}

/* assay_quantile (both ranks in one selection) equals the type-7 quantile from two
 * gate_select calls, bit for bit, with ties, zeros of both signs and non-finite values. */
Test(assay_density_scale, quantile_as_two_selections)
{
    const size_t n = 5000;
    double *x = malloc(n * sizeof *x), *v = malloc(n * sizeof *v), *w = malloc(n * sizeof *w);
    cr_assert(x != NULL && v != NULL && w != NULL);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 31);
    const double qs[] = {0.0, 0.01, 0.25, 0.5, 0.75, 0.8413, 0.995, 1.0};
    for (int shape = 0; shape < 3; shape++) {
        for (size_t m = 1; m <= n; m = m * 2 + 1) {
            size_t f = 0;
            for (size_t i = 0; i < m; i++) {
                const double u = gsl_rng_uniform(r);
                x[i] = shape == 0   ? 100 * gsl_ran_gaussian(r, 1.0)
                       : shape == 1 ? (double)(int)(u * 6) - 2.5 /* ties */
                       : u < 0.2    ? (u < 0.1 ? -0.0 : 0.0)
                       : u < 0.25   ? NAN
                                    : gsl_ran_gaussian(r, 1.0);
                if (isfinite(x[i])) {
                    v[f++] = x[i];
                }
            }
            for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
                double want = NAN;
                if (f > 0) { /* on a fresh copy in the given order, as assay_quantile */
                    memcpy(w, v, f * sizeof *w);
                    want = ref_quantile(w, f, qs[k]);
                }
                const double got = assay_quantile(x, m, qs[k]);
                cr_assert(memcmp(&want, &got, sizeof want) == 0 || (f == 0 && isnan(got)),
                          "shape %d m %zu q %g: %a, expected %a", shape, m, qs[k], got, want);
            }
        }
    }
    gsl_rng_free(r);
    free(x);
    free(v);
    free(w);
}
