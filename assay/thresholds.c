// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * thresholds.c: the two ways the analysis places a quadrant threshold (docs/algorithms.md 6): the
 * type-7 quantile of a negative control, and the openCyto gate_mindensity-style density
 * valley (Gaussian KDE with bandwidth 2 * bw.nrd0 on a 512-point grid, the valley between
 * the two tallest peaks, else the deepest valley).
 */
#include "density.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Copy the finite values of x into a new array (unsorted); *m gets their number. */
static double *finite_copy(const double *x, size_t n, size_t *m)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL) {
        *m = 0;
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i])) {
            v[k++] = x[i];
        }
    }
    *m = k;
    return v;
}

/* Type-7 quantile of v[0..m) by selection (v may be reordered), O(m): both ranks in one
 * selection. */
static double select_quantile(double *v, size_t m, double q)
{
    if (m == 0) {
        return NAN;
    }
    double h;
    const size_t lo = assay_type7_rank(m, q, &h);
    if (lo >= m - 1) {
        return gate_select(v, m, m - 1);
    }
    const size_t ranks[2] = {lo, lo + 1};
    double ab[2];
    if (!gate_select_ranks(v, m, ranks, 2, ab)) { /* a zero: gsl's selections, as always */
        ab[0] = gate_select(v, m, lo);
        ab[1] = gate_select(v, m, lo + 1);
    }
    return assay_type7_between(ab[0], ab[1], h, lo);
}

double assay_quantile(const double *x, size_t n, double q)
{
    size_t m;
    double *v = finite_copy(x, n, &m);
    double r = v != NULL ? select_quantile(v, m, q) : NAN;
    free(v);
    return r;
}

/*
 * The Gaussian smoothing of linearly binned counts: dens[i] = sum over j within 4 bandwidths
 * of bins[j] exp(-z^2 / 2), z = (i - j) step / bw, summed in increasing j. The weight depends
 * on i - j alone (and is the same for -d as for d: the product and quotient only change
 * sign), so each is computed once into a table and every sum adds the very numbers it added
 * when each weight was computed in place, in the same order. False when out of memory.
 */
static bool kde_smooth(const double *bins, size_t grid, double step, double bw, double *dens)
{
    const long reach = (long)ceil(4.0 * bw / step);
    const long span = reach < (long)grid - 1 ? reach : (long)grid - 1; /* |i - j| < grid */
    double *w = malloc((size_t)(span + 1) * sizeof *w);
    if (w == NULL) {
        return false;
    }
    for (long d = 0; d <= span; d++) {
        const double z = (double)d * step / bw;
        w[d] = exp(-0.5 * z * z);
    }
    for (long i = 0; i < (long)grid; i++) {
        double acc = 0;
        const long a = i - reach < 0 ? 0 : i - reach;
        const long b = i + reach >= (long)grid ? (long)grid - 1 : i + reach;
        for (long j = a; j <= b; j++) {
            acc += bins[j] * w[i >= j ? i - j : j - i];
        }
        dens[i] = acc;
    }
    free(w);
    return true;
}

#define KDE_GRID 512

double assay_density_valley(const double *x, size_t n, double lo, double hi)
{
    assay_values a;
    if (!assay_values_init(&a, x, n)) {
        return NAN;
    }
    const double r = assay_density_valley_values(&a, lo, hi);
    assay_values_free(&a);
    return r;
}

/*
 * The robust scale of the valley's bandwidth: min(SD, IQR / 1.34) with type-7 quartiles,
 * else the SD, else 1e-3. The quartiles are a's when it has them; else they are selected on
 * a copy of the values, 0.75 first (gate_select hands values with a zero to gsl, which
 * reorders the copy: *binned then points to it, the order the values are binned in, as
 * always). The exact SD (of the values in their given order) only when it can be the result,
 * as in density.c's robust scale: not clearly above IQR / 1.34. False when out of memory.
 */
static bool valley_scale(assay_values *a, double *scale, double **copy)
{
    const size_t m = a->m;
    double iqr = a->p75 - a->p25;
    *copy = NULL;
    if (!a->ranked) {
        *copy = malloc(m * sizeof **copy);
        if (*copy == NULL) {
            return false;
        }
        memcpy(*copy, a->v, m * sizeof **copy);
        iqr = select_quantile(*copy, m, 0.75) - select_quantile(*copy, m, 0.25);
    }
    double s = iqr / 1.34;
    if (!(isfinite(a->sd_near) && s > 0 && a->sd_near > s * (1 + 1e-6))) {
        const double sd = assay_values_sd(a);
        s = fmin(sd, s);
        if (!(s > 0)) {
            s = sd > 0 ? sd : 1e-3;
        }
    }
    *scale = s;
    return true;
}

double assay_density_valley_values(assay_values *vals, double lo, double hi)
{
    const size_t m = vals->m;
    double s, *copy;
    if (m < 20 || !valley_scale(vals, &s, &copy)) {
        return NAN;
    }
    const double *v = copy != NULL ? copy : vals->v; /* in the order they are binned */
    const double vmin = vals->vmin, vmax = vals->vmax;
    double bw = 2.0 * 0.9 * s * pow((double)m, -0.2);
    double g0 = vmin - 3 * bw, g1 = vmax + 3 * bw;
    double step = (g1 - g0) / (KDE_GRID - 1);
    /* Bin onto the grid (linear binning), then convolve with the Gaussian kernel. */
    double bins[KDE_GRID] = {0}, dens[KDE_GRID];
    for (size_t i = 0; i < m; i++) {
        double pos = (v[i] - g0) / step;
        size_t k = (size_t)pos;
        double f = pos - (double)k;
        if (k + 1 < KDE_GRID) {
            bins[k] += 1.0 - f;
            bins[k + 1] += f;
        } else {
            bins[KDE_GRID - 1] += 1.0;
        }
    }
    free(copy);
    if (!kde_smooth(bins, KDE_GRID, step, bw, dens)) {
        return NAN;
    }
    double xmin = fmax(vmin, lo), xmax = fmin(vmax, hi);
    /* Peaks and valleys: sign changes of the first difference, inside the data range. */
    int peaks[KDE_GRID], valleys[KDE_GRID];
    int np = 0, nv = 0;
    for (int i = 1; i + 1 < KDE_GRID; i++) {
        double xi = g0 + step * i;
        if (xi < xmin || xi > xmax) {
            continue;
        }
        if (dens[i] > dens[i - 1] && dens[i] >= dens[i + 1]) {
            peaks[np++] = i;
        } else if (dens[i] < dens[i - 1] && dens[i] <= dens[i + 1]) {
            valleys[nv++] = i;
        }
    }
    if (nv == 0) {
        return NAN;
    }
    int best = -1;
    if (np >= 2) {
        int p1 = peaks[0], p2 = -1;
        for (int i = 1; i < np; i++) {
            if (dens[peaks[i]] > dens[p1]) {
                p1 = peaks[i];
            }
        }
        for (int i = 0; i < np; i++) {
            if (peaks[i] != p1 && (p2 < 0 || dens[peaks[i]] > dens[p2])) {
                p2 = peaks[i];
            }
        }
        int a = p1 < p2 ? p1 : p2, b = p1 < p2 ? p2 : p1;
        for (int i = 0; i < nv; i++) {
            if (valleys[i] > a && valleys[i] < b && (best < 0 || dens[valleys[i]] < dens[best])) {
                best = valleys[i];
            }
        }
    }
    if (best < 0) {
        for (int i = 0; i < nv; i++) {
            if (best < 0 || dens[valleys[i]] < dens[best]) {
                best = valleys[i];
            }
        }
    }
    return g0 + step * best;
}

bool apo_kde(const double *x, size_t n, double bw, double g0, double g1, size_t grid,
             double *dens)
{
    if (grid < 2 || !(g1 > g0) || !(bw > 0)) {
        return false;
    }
    double step = (g1 - g0) / (double)(grid - 1);
    double *bins = calloc(grid, sizeof *bins);
    if (bins == NULL) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || x[i] < g0 || x[i] > g1) {
            continue;
        }
        double pos = (x[i] - g0) / step;
        size_t k = (size_t)pos;
        double f = pos - (double)k;
        if (k + 1 < grid) {
            bins[k] += 1.0 - f;
            bins[k + 1] += f;
        } else {
            bins[grid - 1] += 1.0;
        }
    }
    const bool ok = kde_smooth(bins, grid, step, bw, dens);
    free(bins);
    return ok;
}
