/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * density.c: the smoothed 2-D histogram behind pseudocolor and contour plots (docs/plots.md,
 * "Density"): bin on the display scale, separable Gaussian smoothing (truncated at 3 sigma, edges
 * renormalised so mass does not leak off the plot); the bilinear lookup at event positions is
 * rdensity_at, inline in render_internal.h.
 */
#include "render/render_internal.h"
#include "util/clones.h"

#include <math.h>
#include <stdbool.h>
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

/* One smoothed value at @p i near an edge: the kernel taps inside [0, n) only, renormalised. */
static double smooth_edge(const double *x, size_t n, size_t stride, const double *k, int r,
                          size_t i)
{
    double s = 0, w = 0;
    for (int d = -r; d <= r; d++) {
        long j = (long)i + d;
        if (j < 0 || j >= (long)n) continue;
        s += k[d + r] * x[(size_t)j * stride];
        w += k[d + r];
    }
    return w > 0 ? s / w : 0;
}

/* Both passes are compiled for AVX-512 and AVX2 as well (APO_CLONES, util/clones.h), chosen
 * when the process starts by what the processor has: wider vectors, the same multiplications
 * and additions in the same order (GCC in ISO C mode does not contract them into fused multiply-adds), so the same bits on
 * every machine; the render tests compare the grid with its sums taken one by one. */

/* Smooth @p n values spaced by @p stride in place with the kernel k[-r..r]. Each value is
 * the same sum in the same order (taps -r..r) whichever way the loop runs: the points at
 * least r from both ends have every tap (no test, so the compiler vectorises across points)
 * and the total weight of all taps, summed in that order once. Values outside
 * [@p nz0, @p nz1) are +0 (counts): an inner point farther than r from that range is a sum of
 * +0 terms, +0, and is set so without summing. */
APO_CLONES("avx512f", "avx2")
static void smooth_line(double *x, size_t n, size_t stride, const double *k, int r, double *tmp,
                        size_t nz0, size_t nz1)
{
    const size_t ru = (size_t)r;
    double wall = 0;
    for (int d = -r; d <= r; d++) {
        wall += k[d + r];
    }
    for (size_t i = 0; i < n && i < ru; i++) {
        tmp[i] = smooth_edge(x, n, stride, k, r, i);
    }
    if (n > 2 * ru) {
        if (stride == 1) { /* tap by tap over every point: the inner loop vectorises */
            /* the inner points within r of the nonzero values: [a, b) */
            size_t a = nz0 > 2 * ru ? nz0 - ru : ru, b = nz1 + ru < n - ru ? nz1 + ru : n - ru;
            if (nz0 >= nz1 || a > b) {
                a = b = ru;
            }
            for (size_t i = ru; i < n - ru; i++) {
                tmp[i] = 0;
            }
            for (size_t t = 0; t <= 2 * ru; t++) {
                const double kt = k[t];
                for (size_t i = a; i < b; i++) {
                    tmp[i] += kt * x[i - ru + t];
                }
            }
            for (size_t i = a; i < b; i++) {
                tmp[i] = wall > 0 ? tmp[i] / wall : 0;
            }
        } else {
            for (size_t i = ru; i < n - ru; i++) {
                double s = 0;
                for (size_t t = 0; t <= 2 * ru; t++) {
                    s += k[t] * x[(i - ru + t) * stride];
                }
                tmp[i] = wall > 0 ? s / wall : 0;
            }
        }
    }
    for (size_t i = n > ru ? (n - ru > ru ? n - ru : ru) : n; i < n; i++) {
        tmp[i] = smooth_edge(x, n, stride, k, r, i);
    }
    for (size_t i = 0; i < n; i++) {
        x[i * stride] = tmp[i];
    }
}

/* The vertical pass of an nb x nb grid, row by row (memory in order): every column smoothed
 * as smooth_line(grid + c, nb, nb, ...) would, the same sum in the same order per value.
 * Rows flagged empty in @p filled (every value +0) are left out of the inside sums, and of
 * the others only the columns [c0, c1) of each row that can be nonzero are added: every
 * term is a product of non-negative numbers, so each partial sum is >= +0 and adding +0 to
 * it gives it back exactly. @p out is a second nb x nb grid. */
APO_CLONES("avx512f", "avx2")
static void smooth_columns(const double *grid, size_t nb, const double *k, int r,
                           const uint8_t *filled, const uint16_t *c0, const uint16_t *c1,
                           double *out)
{
    const size_t ru = (size_t)r;
    double wall = 0;
    for (int d = -r; d <= r; d++) {
        wall += k[d + r];
    }
    for (size_t i = 0; i < nb; i++) {
        const bool inside = i >= ru && i + ru < nb;
        double *o = out + i * nb;
        if (inside) {
            memset(o, 0, nb * sizeof *o);
            for (size_t t = 0; t <= 2 * ru; t++) {
                if (!filled[i - ru + t]) {
                    continue;
                }
                const double kt = k[t];
                const double *row = grid + (i - ru + t) * nb;
                for (size_t c = c0[i - ru + t]; c < c1[i - ru + t]; c++) {
                    o[c] += kt * row[c];
                }
            }
            for (size_t c = 0; c < nb; c++) {
                o[c] = wall > 0 ? o[c] / wall : 0;
            }
        } else {
            for (size_t c = 0; c < nb; c++) {
                o[c] = smooth_edge(grid + c, nb, nb, k, r, i);
            }
        }
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
    if (nb == 0 || nb > 65535) { /* column indices are kept as 16 bits */
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a density grid of 1 to 65535 bins a side, found %zu", nb);
    }
    double *grid = calloc(nb * nb, sizeof *grid);
    double *tmp = malloc(nb * sizeof *tmp);
    double *out = malloc(nb * nb * sizeof *out);
    uint8_t *filled = calloc(nb, 1);
    uint16_t *c0 = malloc(nb * sizeof *c0), *c1 = malloc(nb * sizeof *c1);
    double *k = NULL;
    int r = kernel(sigma, &k);
    if (!grid || !tmp || !k || !out || !filled || !c0 || !c1) {
        free(grid);
        free(tmp);
        free(out);
        free(filled);
        free(c0);
        free(c1);
        free(k);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a %zux%zu density grid, found none", nb, nb);
    }
    for (size_t j = 0; j < nb; j++) { /* the columns with events of each row: [c0, c1) */
        c0[j] = (uint16_t)nb;
        c1[j] = 0;
    }
    for (size_t e = 0; e < n; e++) {
        if (isnan(u[e]) || isnan(v[e])) continue;
        const size_t row = bin_of(v[e], nb), col = bin_of(u[e], nb);
        grid[row * nb + col] += 1;
        filled[row] = 1;
        c0[row] = col < c0[row] ? (uint16_t)col : c0[row];
        c1[row] = col + 1 > c1[row] ? (uint16_t)(col + 1) : c1[row];
    }
    /* a row without events stays +0 smoothed (every sum is of +0 terms), so it is skipped
     * here and in the vertical pass (about a third of the rows of the plate's plots); in a
     * row with events only the points within r of them are summed, and after this pass only
     * the columns within r of them can be nonzero */
    const size_t ru = (size_t)r;
    for (size_t j = 0; j < nb; j++) {
        if (filled[j]) {
            smooth_line(grid + j * nb, nb, 1, k, r, tmp, c0[j], c1[j]);
            c0[j] = (uint16_t)(c0[j] > ru ? c0[j] - ru : 0);
            c1[j] = (uint16_t)(c1[j] + ru < nb ? c1[j] + ru : nb);
        }
    }
    smooth_columns(grid, nb, k, r, filled, c0, c1, out);
    free(filled);
    free(c0);
    free(c1);
    free(grid);
    free(tmp);
    free(k);
    *grid_out = out;
    return APO_OK;
}

void rdensity_smooth_1d(double *x, size_t n, double sigma, double *tmp)
{
    double *k = NULL;
    int r = kernel(sigma, &k);
    if (!k) {
        return; /* out of memory: leave unsmoothed */
    }
    smooth_line(x, n, 1, k, r, tmp, 0, n);
    free(k);
}
