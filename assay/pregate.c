// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * pregate.c: estimates the two automatic pre-gates of the apoptosis analysis (gating.md 5.1):
 * debris exclusion as an FSC threshold at the density valley between debris and cells, and
 * doublet exclusion as a band of the FSC-H / FSC-A ratio around its median (doublets have
 * about twice the area at the same height, so half the ratio), or of FSC-W when the
 * instrument records width instead of height. Generous on purpose:
 * shrunken apoptotic cells must stay in.
 */
#include "apoptosis_internal.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

double pregate_debris_threshold(const double *fsc, size_t n, const char **method)
{
    if (n < 50) {
        *method = "none (too few events)";
        return -INFINITY;
    }
    double *lg = malloc(n * sizeof *lg);
    if (lg == NULL) {
        *method = "none (out of memory)";
        return -INFINITY;
    }
    for (size_t i = 0; i < n; i++) {
        lg[i] = log10(fsc[i] > 1.0 ? fsc[i] : 1.0);
    }
    double med = assay_quantile(lg, n, 0.5);
    enum { GRID = 256 };
    double dens[GRID];
    const double g0 = med - 1.2, g1 = med - 0.25;
    double thr = -INFINITY;
    if (isfinite(med) && apo_kde(lg, n, 0.06, g0 - 0.3, g1 + 0.3, GRID, dens)) {
        double step = (g1 - g0 + 0.6) / (GRID - 1);
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < GRID; k++) {
            double y = g0 - 0.3 + step * (double)k;
            if (y >= g0 && y <= g1 && (best == SIZE_MAX || dens[k] < dens[best])) {
                best = k;
            }
        }
        if (best != SIZE_MAX) {
            thr = pow(10.0, g0 - 0.3 + step * (double)best);
            *method = "density minimum of log10(FSC) 0.25-1.2 decades below the median";
        }
    }
    if (!isfinite(thr)) {
        thr = 0.25 * pow(10.0, med);
        *method = "25% of the median FSC";
    }
    free(lg);
    return thr;
}

/* median +- clamp(4 robust SD, 8 %, 25 % of the median) of v[0..m) (v is reordered). */
static bool robust_band(double *v, size_t m, double *lo, double *hi)
{
    if (m < 50) {
        return false;
    }
    double med = gsl_stats_median(v, 1, m);
    for (size_t i = 0; i < m; i++) {
        v[i] = fabs(v[i] - med);
    }
    double s = 1.4826 * gsl_stats_median(v, 1, m);
    double half = 4.0 * s;
    if (half < 0.08 * med) {
        half = 0.08 * med;
    }
    if (half > 0.25 * med) {
        half = 0.25 * med;
    }
    *lo = med - half;
    *hi = med + half;
    return med > 0;
}

bool pregate_singlet_band(const double *fsc_a, const double *fsc_h, size_t n, double a_min,
                          double *lo, double *hi)
{
    double *r = malloc((n ? n : 1) * sizeof *r);
    if (r == NULL) {
        return false;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (fsc_a[i] >= a_min && fsc_a[i] > 0 && isfinite(fsc_h[i])) {
            r[m++] = fsc_h[i] / fsc_a[i];
        }
    }
    bool ok = robust_band(r, m, lo, hi);
    free(r);
    return ok;
}

bool pregate_width_band(const double *fsc, const double *width, size_t n, double fsc_min,
                        double *lo, double *hi)
{
    double *r = malloc((n ? n : 1) * sizeof *r);
    if (r == NULL) {
        return false;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (fsc[i] >= fsc_min && isfinite(width[i])) {
            r[m++] = width[i];
        }
    }
    bool ok = robust_band(r, m, lo, hi);
    free(r);
    return ok;
}

double qc_flow_deviation(const double *time, size_t n)
{
    if (time == NULL || n < 1000) {
        return NAN;
    }
    double t0 = INFINITY, t1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(time[i])) {
            t0 = fmin(t0, time[i]);
            t1 = fmax(t1, time[i]);
        }
    }
    if (!(t1 > t0)) {
        return NAN;
    }
    size_t nb = n / 250;
    if (nb > 100) {
        nb = 100;
    }
    if (nb < 6) {
        nb = 6;
    }
    size_t *c = calloc(nb, sizeof *c);
    double *d = malloc(nb * sizeof *d);
    if (c == NULL || d == NULL) {
        free(c);
        free(d);
        return NAN;
    }
    for (size_t i = 0; i < n; i++) {
        if (isfinite(time[i])) {
            size_t b = (size_t)((time[i] - t0) / (t1 - t0) * (double)nb);
            c[b < nb ? b : nb - 1]++;
        }
    }
    for (size_t b = 1; b + 1 < nb; b++) {
        d[b - 1] = (double)c[b];
    }
    size_t m = nb - 2;
    double lo, hi;
    gsl_stats_minmax(&lo, &hi, d, 1, m);
    double med = gsl_stats_median(d, 1, m);
    double dev = NAN;
    if (med > 0) {
        dev = fmax(fabs(lo / med - 1.0), fabs(hi / med - 1.0));
    }
    free(c);
    free(d);
    return dev;
}
