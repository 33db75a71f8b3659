/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * density.c: the smoothed 2-D histogram behind pseudocolor and contour plots (docs/plots.md,
 * "Density"): bin on the display scale, separable Gaussian smoothing (truncated at 3 sigma, edges
 * renormalised so mass does not leak off the plot), bilinear lookup at event positions.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static size_t bin_of(double u, size_t nb)
{
    if (!(u > 0)) {
        return 0;
    }
    double b = u * (double)nb;
    return b >= (double)nb ? nb - 1 : (size_t)b;
}

/* Smooth @p n values spaced by @p stride in place with the kernel k[-r..r]. */
static void smooth_line(double *x, size_t n, size_t stride, const double *k, int r, double *tmp)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0, w = 0;
        for (int d = -r; d <= r; d++) {
            long j = (long)i + d;
            if (j < 0 || j >= (long)n) continue;
            s += k[d + r] * x[(size_t)j * stride];
            w += k[d + r];
        }
        tmp[i] = w > 0 ? s / w : 0;
    }
    for (size_t i = 0; i < n; i++) {
        x[i * stride] = tmp[i];
    }
}

static int kernel(double sigma, double **out)
{
    int r = (int)ceil(3 * sigma);
    if (r < 1) r = 1;
    double *k = malloc((size_t)(2 * r + 1) * sizeof *k);
    if (!k) {
        *out = NULL;
        return 0;
    }
    for (int d = -r; d <= r; d++) {
        k[d + r] = sigma > 0 ? exp(-0.5 * d * d / (sigma * sigma)) : (d == 0);
    }
    *out = k;
    return r;
}

apo_status rdensity_grid(const double *u, const double *v, size_t n, size_t nb, double sigma,
                         double **grid_out, apo_error *err)
{
    *grid_out = NULL;
    double *grid = calloc(nb * nb, sizeof *grid);
    double *tmp = malloc(nb * sizeof *tmp);
    double *k = NULL;
    int r = kernel(sigma, &k);
    if (!grid || !tmp || !k) {
        free(grid);
        free(tmp);
        free(k);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a %zux%zu density grid, found none", nb, nb);
    }
    for (size_t e = 0; e < n; e++) {
        if (isnan(u[e]) || isnan(v[e])) continue;
        grid[bin_of(v[e], nb) * nb + bin_of(u[e], nb)] += 1;
    }
    for (size_t j = 0; j < nb; j++) {
        smooth_line(grid + j * nb, nb, 1, k, r, tmp);
    }
    for (size_t i = 0; i < nb; i++) {
        smooth_line(grid + i, nb, nb, k, r, tmp);
    }
    free(tmp);
    free(k);
    *grid_out = grid;
    return APO_OK;
}

double rdensity_at(const double *grid, size_t nb, double u, double v)
{
    double fu = u * (double)nb - 0.5, fv = v * (double)nb - 0.5;
    double lim = (double)nb - 1;
    if (!(fu > 0)) fu = 0;
    if (!(fv > 0)) fv = 0;
    if (fu > lim) fu = lim;
    if (fv > lim) fv = lim;
    size_t i0 = (size_t)fu, j0 = (size_t)fv;
    size_t i1 = i0 + 1 < nb ? i0 + 1 : i0, j1 = j0 + 1 < nb ? j0 + 1 : j0;
    double a = fu - (double)i0, b = fv - (double)j0;
    return (1 - b) * ((1 - a) * grid[j0 * nb + i0] + a * grid[j0 * nb + i1]) +
           b * ((1 - a) * grid[j1 * nb + i0] + a * grid[j1 * nb + i1]);
}

void rdensity_smooth_1d(double *x, size_t n, double sigma, double *tmp)
{
    double *k = NULL;
    int r = kernel(sigma, &k);
    if (!k) {
        return; /* out of memory: leave unsmoothed */
    }
    smooth_line(x, n, 1, k, r, tmp);
    free(k);
}
