// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * density.c: the one-dimensional density tools the automatic gates are built on (docs/
 * algorithms.md, "Densities, peaks and valleys"): a Gaussian kernel density estimate on a
 * regular grid with a robust bandwidth (Silverman's rule on min(SD, IQR / 1.34)), its peaks
 * with their topographic prominence and the events of their basins, the valley between two
 * peaks, and the "valley depth" of a line: the density at the line relative to the
 * neighbouring peak (the lower of the two peaks around it, or the one peak beside it).
 */
#include "density.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void assay_kde_free(assay_kde *k)
{
    free(k->y);
    free(k->peaks);
    memset(k, 0, sizeof *k);
}

/* The sums of v[0..m), of |v| (when @p abs_sum is not NULL) and of (v - mean)^2 (when
 * @p sq_sum is not NULL), each in four lanes (v[i] in lane i % 4, the lanes added at the end):
 * four chains of additions instead of one, and within apo_sd_near's bound like any order. */
static void sums4(const double *v, size_t m, double mean, double *sum, double *abs_sum,
                  double *sq_sum)
{
    double s[4] = {0, 0, 0, 0}, a[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        for (size_t k = 0; k < 4; k++) {
            const double d = v[i + k] - mean;
            s[k] += v[i + k];
            a[k] += fabs(v[i + k]);
            q[k] += d * d;
        }
    }
    for (; i < m; i++) {
        const double d = v[i] - mean;
        s[0] += v[i];
        a[0] += fabs(v[i]);
        q[0] += d * d;
    }
    *sum = (s[0] + s[1]) + (s[2] + s[3]);
    if (abs_sum != NULL) {
        *abs_sum = (a[0] + a[1]) + (a[2] + a[3]);
    }
    if (sq_sum != NULL) {
        *sq_sum = (q[0] + q[1]) + (q[2] + q[3]);
    }
}

double apo_sd_near(const double *v, size_t m)
{
    double sum, sum_abs, ss, unused;
    sums4(v, m, 0.0, &sum, &sum_abs, NULL);
    const double mean = sum / (double)m;
    sums4(v, m, mean, &unused, NULL, &ss);
    const double sd = m > 1 ? sqrt(ss / (double)(m - 1)) : 0.0;
    /* the mean's error is at most about m * DBL_EPSILON * mean |v|, in any order of the sum */
    const double mean_err = (double)m * 2.3e-16 * (sum_abs / (double)m);
    return mean_err < 1e-4 * sd && (double)m * 2.3e-16 < 1e-8 ? sd : NAN;
}

/* The smallest and largest of v[0..m) (m > 0, finite) as gsl_stats_minmax gives them: in two
 * lanes (an order of comparisons that only matters between equal values of different bits,
 * -0 and +0: a zero found is looked up again in gsl's order). */
static void minmax(const double *v, size_t m, double *lo_out, double *hi_out)
{
    double lo[2] = {v[0], v[0]}, hi[2] = {v[0], v[0]};
    size_t i = 0;
    for (; i + 2 <= m; i += 2) {
        for (size_t k = 0; k < 2; k++) {
            lo[k] = v[i + k] < lo[k] ? v[i + k] : lo[k];
            hi[k] = v[i + k] > hi[k] ? v[i + k] : hi[k];
        }
    }
    for (; i < m; i++) {
        lo[0] = v[i] < lo[0] ? v[i] : lo[0];
        hi[0] = v[i] > hi[0] ? v[i] : hi[0];
    }
    *lo_out = lo[1] < lo[0] ? lo[1] : lo[0];
    *hi_out = hi[1] > hi[0] ? hi[1] : hi[0];
    if (*lo_out == 0.0 || *hi_out == 0.0) {
        gsl_stats_minmax(lo_out, hi_out, v, 1, m);
    }
}

bool assay_values_init(assay_values *a, const double *x, size_t n)
{
    memset(a, 0, sizeof *a);
    size_t finite = 0;
    for (size_t i = 0; i < n; i++) {
        finite += isfinite(x[i]) != 0;
    }
    if (finite == n) {
        a->v = x; /* all finite: x itself, in its order */
    } else {
        a->own = malloc((n ? n : 1) * sizeof *a->own);
        if (a->own == NULL) {
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            if (isfinite(x[i])) {
                a->own[a->m++] = x[i];
            }
        }
        a->v = a->own;
    }
    const size_t m = a->m = finite;
    if (m < 20) {
        return true; /* too few for a density: nothing else is read */
    }
    minmax(a->v, m, &a->vmin, &a->vmax);
    a->sd_near = apo_sd_near(a->v, m);
    /* every quartile both definitions use, in one selection (the k-th smallest is the same
     * value however it is found) */
    double h25, h75;
    const size_t l25 = assay_type7_rank(m, 0.25, &h25), l75 = assay_type7_rank(m, 0.75, &h75);
    const size_t ranks[6] = {m / 4, (3 * m) / 4, l25, l25 + 1 < m ? l25 + 1 : l25,
                             l75, l75 + 1 < m ? l75 + 1 : l75};
    double r[6];
    a->ranked = gate_select_ranks(a->v, m, ranks, 6, r);
    if (a->ranked) {
        a->q1 = r[0];
        a->q3 = r[1];
        a->p25 = l25 < m - 1 ? assay_type7_between(r[2], r[3], h25, l25) : r[2];
        a->p75 = l75 < m - 1 ? assay_type7_between(r[4], r[5], h75, l75) : r[4];
    }
    return true;
}

void assay_values_free(assay_values *a)
{
    free(a->own);
    memset(a, 0, sizeof *a);
}

double assay_values_sd(assay_values *a)
{
    if (!a->have_sd) {
        a->sd = gsl_stats_sd(a->v, 1, a->m);
        a->have_sd = true;
    }
    return a->sd;
}

/*
 * Robust scale of a's values: min(SD, IQR / 1.34), else SD, else 0. The quartiles are the
 * k-th smallest values (the value gsl_stats_select gives): a's when it has them, else
 * selected on a copy (gate_select, which hands values with a zero to gsl; false when out of
 * memory). The exact SD (GSL's, of the values in their given order) is computed only when it
 * can be the result: when an approximate SD is not clearly above IQR / 1.34 (a margin of
 * 1e-6 relative, far above the approximation's error), or is not finite.
 */
static bool robust_scale(assay_values *a, double *scale)
{
    double q1 = a->q1, q3 = a->q3;
    if (!a->ranked) {
        double *scratch = malloc(a->m * sizeof *scratch);
        if (scratch == NULL) {
            return false;
        }
        memcpy(scratch, a->v, a->m * sizeof *scratch);
        q1 = gate_select(scratch, a->m, a->m / 4);
        q3 = gate_select(scratch, a->m, (3 * a->m) / 4);
        free(scratch);
    }
    const double r = (q3 - q1) / 1.34;
    if (isfinite(a->sd_near) && r > 0 && a->sd_near > r * (1 + 1e-6)) {
        *scale = r; /* = fmin(sd, r): the exact SD is above r too */
        return true;
    }
    const double sd = assay_values_sd(a);
    const double s = fmin(sd, r);
    *scale = s > 0 ? s : sd;
    return true;
}

/* Topographic prominence of the peak at i: its height above the higher of the lowest points
 * on each side before higher ground (or the grid's end, where the density is about 0). */
static double prominence(const double *y, size_t n, size_t i)
{
    double lo_l = y[i], lo_r = y[i];
    size_t j = i;
    while (j > 0 && y[j - 1] <= y[i]) {
        j--;
        lo_l = fmin(lo_l, y[j]);
    }
    j = i;
    while (j + 1 < n && y[j + 1] <= y[i]) {
        j++;
        lo_r = fmin(lo_r, y[j]);
    }
    return y[i] - fmax(lo_l, lo_r);
}

/* Find the peaks (local maxima with prominence >= min_prom * the highest density and >= 20 %
 * of their own height: a real mode, however small, dips before the next one) and the
 * events of each one's basin (between the lowest points to its neighbouring peaks). */
static bool find_peaks(assay_kde *k, double min_prom)
{
    double top = 0;
    for (size_t i = 0; i < k->n; i++) {
        top = fmax(top, k->y[i]);
    }
    k->peaks = malloc(k->n * sizeof *k->peaks);
    if (k->peaks == NULL) {
        return false;
    }
    k->n_peaks = 0;
    for (size_t i = 1; i + 1 < k->n; i++) {
        if (k->y[i] > k->y[i - 1] && k->y[i] >= k->y[i + 1]) {
            double p = prominence(k->y, k->n, i);
            if (p >= min_prom * top && p >= ASSAY_PEAK_OWN_PROMINENCE * k->y[i] && p > 0) {
                k->peaks[k->n_peaks++] = (assay_peak){i, k->g0 + k->step * (double)i, k->y[i],
                                                      p, 0};
            }
        }
    }
    double total = 0;
    for (size_t i = 0; i < k->n; i++) {
        total += k->y[i];
    }
    for (size_t p = 0; p < k->n_peaks; p++) {
        size_t a = p == 0 ? 0 : assay_kde_argmin(k, k->peaks[p - 1].at, k->peaks[p].at);
        size_t b = p + 1 == k->n_peaks ? k->n - 1
                                       : assay_kde_argmin(k, k->peaks[p].at, k->peaks[p + 1].at);
        double s = 0;
        for (size_t i = a; i <= b; i++) {
            s += k->y[i];
        }
        k->peaks[p].mass = total > 0 ? s / total : 0;
    }
    return true;
}

bool assay_kde_fit(assay_kde *k, const double *x, size_t n, double adjust, double min_bw,
                   double min_prom)
{
    assay_values a;
    memset(k, 0, sizeof *k);
    if (!assay_values_init(&a, x, n)) {
        return false;
    }
    const bool ok = assay_kde_fit_values(k, &a, adjust, min_bw, min_prom);
    assay_values_free(&a);
    return ok;
}

bool assay_kde_fit_values(assay_kde *k, assay_values *a, double adjust, double min_bw,
                          double min_prom)
{
    memset(k, 0, sizeof *k);
    const size_t m = a->m;
    double s;
    if (m < 20 || !robust_scale(a, &s)) {
        return false;
    }
    const double vmin = a->vmin, vmax = a->vmax;
    double bw = adjust * 0.9 * s * pow((double)m, -0.2);
    if (!(bw >= min_bw)) {
        bw = min_bw > 0 ? min_bw : 1e-3 * (vmax - vmin + 1);
    }
    k->n = ASSAY_KDE_GRID;
    k->bw = bw;
    k->n_obs = m;
    k->g0 = vmin - 3 * bw;
    k->step = (vmax + 3 * bw - k->g0) / (double)(k->n - 1);
    k->y = malloc(k->n * sizeof *k->y);
    bool ok = k->y != NULL && apo_kde(a->v, m, bw, k->g0, k->g0 + k->step * (double)(k->n - 1),
                                      k->n, k->y);
    if (ok) {
        for (size_t i = 0; i < k->n; i++) {
            k->y[i] /= (double)m * bw * 2.5066282746310002; /* a probability density */
        }
        ok = find_peaks(k, min_prom);
    }
    if (!ok) {
        assay_kde_free(k);
    }
    return ok;
}

size_t assay_kde_index(const assay_kde *k, double x)
{
    double p = (x - k->g0) / k->step;
    if (!(p > 0)) {
        return 0;
    }
    if (p >= (double)(k->n - 1)) {
        return k->n - 1;
    }
    return (size_t)lround(p);
}

double assay_kde_at(const assay_kde *k, double x)
{
    double p = (x - k->g0) / k->step;
    if (!(p >= 0) || p > (double)(k->n - 1)) {
        return 0;
    }
    size_t i = (size_t)p;
    if (i + 1 >= k->n) {
        return k->y[k->n - 1];
    }
    double f = p - (double)i;
    return (1 - f) * k->y[i] + f * k->y[i + 1];
}

size_t assay_kde_argmin(const assay_kde *k, size_t a, size_t b)
{
    if (a > b) {
        size_t t = a;
        a = b;
        b = t;
    }
    size_t best = a;
    for (size_t i = a; i <= b && i < k->n; i++) {
        if (k->y[i] < k->y[best]) {
            best = i;
        }
    }
    return best;
}

double assay_kde_depth(const assay_kde *k, double x)
{
    if (k->n_peaks == 0 || !isfinite(x)) {
        return NAN;
    }
    const assay_peak *l = NULL, *r = NULL;
    for (size_t p = 0; p < k->n_peaks; p++) {
        if (k->peaks[p].x <= x) {
            l = &k->peaks[p];
        } else if (r == NULL) {
            r = &k->peaks[p];
        }
    }
    double ref = l ? l->height : r->height;
    if (l != NULL && r != NULL) { /* the slope it is on: which side of the valley's bottom */
        double bottom = k->g0 + k->step * (double)assay_kde_argmin(k, l->at, r->at);
        ref = x <= bottom ? l->height : r->height;
    }
    return ref > 0 ? assay_kde_at(k, x) / ref : NAN;
}

const assay_peak *assay_kde_main_peak(const assay_kde *k)
{
    const assay_peak *best = NULL;
    for (size_t p = 0; p < k->n_peaks; p++) {
        if (best == NULL || k->peaks[p].mass > best->mass) {
            best = &k->peaks[p];
        }
    }
    return best;
}

bool assay_kde_split(const assay_kde *k, double *valley, double *depth)
{
    if (k->n_peaks < 2) {
        return false;
    }
    size_t a = 0, b = 1; /* the two most prominent peaks, a before b */
    if (k->peaks[b].prominence > k->peaks[a].prominence) {
        a = 1;
        b = 0;
    }
    for (size_t p = 2; p < k->n_peaks; p++) {
        if (k->peaks[p].prominence > k->peaks[a].prominence) {
            b = a;
            a = p;
        } else if (k->peaks[p].prominence > k->peaks[b].prominence) {
            b = p;
        }
    }
    size_t i = assay_kde_argmin(k, k->peaks[a].at, k->peaks[b].at);
    *valley = k->g0 + k->step * (double)i;
    *depth = assay_kde_depth(k, *valley);
    return true;
}
