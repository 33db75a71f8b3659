// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * debris_mix_internal.h: the debris mixture model's histogram and its steps (debris_mix.c),
 * declared for the model's own tests only: they check each step, bit for bit, against the
 * plain per-bin loops it replaces. Nothing outside debris_mix.c and its tests includes this.
 */
#ifndef APOFLOW_ASSAY_DEBRIS_MIX_INTERNAL_H
#define APOFLOW_ASSAY_DEBRIS_MIX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/exp_simd.h"

#define ASSAY_MIX_K 4

/* One Gaussian component: weight, mean and covariance on (log10 FSC, log10 SSC). */
typedef struct assay_mix_comp {
    double w, mx, my, cxx, cxy, cyy;
} assay_mix_comp;

/* The histogram the model is fitted on: the points counted in a grid of cells of hx x hy
 * decades from (x0, y0) (y: one cell of height 1 in 1-D); each non-empty cell is one bin with
 * its count, the mean of its points and their covariance about that mean (per point). */
typedef struct assay_mix_bins {
    double x0, y0, hx, hy, ihx, ihy; /* ihx = 1 / hx, ihy = 1 / hy */
    double ox, oy;                   /* the points' mean */
    size_t nx, ny, nb;
    int32_t *cell;                   /* nx * ny: the cell's bin, or -1 when empty */
    double *n, *x, *y;               /* count and mean (n owns the arrays below) */
    double *wxx, *wxy, *wyy;         /* within-bin covariance */
    double *r;                       /* nb x ASSAY_MIX_K responsibilities (a bin's together) */
    double *p;                       /* probability of debris */
    double *dx, *dy;                 /* the mean's offset from (ox, oy) */
    double *sxx, *sxy, *syy;         /* second moments about (ox, oy): dx dx + wxx, ... */
    apo_exp_path exp;                /* the E-step's exp (the library's bits either way; zero,
                                        the library itself, after assay_mix_bins_fill) */
} assay_mix_bins;

/* The cell of (x, y), clamped to the grid: its column *ix, row *iy and index. */
size_t assay_mix_cell(const assay_mix_bins *b, double x, double y, size_t *ix, size_t *iy);

/* The gate grid's cells (ASSAY_MIX_GRID edges from e0, 1 / ide apart): 0 below e0 (or NaN),
 * k + 1 in [e_k, e_k+1), ASSAY_MIX_GRID + 1 at or above the last edge. */
#define ASSAY_MIX_GRID 160
size_t assay_mix_grid_bin(double v, double e0, double ide);

/* Each point's cell of the gate grid, g cells a side: cell[i] = ix g + iy with ix and iy
 * the assay_mix_grid_bin of x[i] (from xd, 1 / idx apart) and of y[i] (from yd; 0 when y is
 * NULL). */
void assay_mix_grid_cells(const double *x, const double *y, size_t n, size_t g, double xd,
                          double idx, double yd, double idy, uint32_t *cell);

/* Count the m points (x, y) into bins (two_d false: y ignored) and set pbin[i], the bin of
 * point i; false when out of memory (free @p b with assay_mix_bins_free either way). */
bool assay_mix_bins_fill(assay_mix_bins *b, const double *x, const double *y, size_t m,
                         bool two_d, uint32_t *pbin);
void assay_mix_bins_free(assay_mix_bins *b);

/* The arrays of @p b for nb bins, zeroed (b->n owns them); false when out of memory. */
bool assay_mix_bins_alloc(assay_mix_bins *b, size_t nb);

/* Each bin's offsets and second moments about (ox, oy), from x, y, w.. (the M-step's). */
void assay_mix_bins_centre(assay_mix_bins *b);

/* E-step: every bin's responsibilities b->r from the components c; returns the likelihood's
 * lower bound (without the 2 pi terms) when @p bound, else 0. */
double assay_mix_estep(const assay_mix_comp *c, assay_mix_bins *b, bool bound);

/* M-step: the components from the bins' responsibilities; false when one is empty. */
bool assay_mix_mstep(assay_mix_comp *c, const assay_mix_bins *b, bool two_d);

/* Suffix sums in place of the g x g grid of pairs h (h[2 (ix g + iy) + c], c = 0, 1): each
 * becomes the sum over the cells at or above ix and at or above iy. */
void assay_mix_suffix_sums(double *h, size_t g);

#endif
