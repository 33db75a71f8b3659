/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * density.h: one-dimensional kernel density estimates with their peaks, prominences, basins
 * and valleys, for the automatic gates (debris, singlets, quadrant thresholds). Private to
 * assay/.
 */
#ifndef APOFLOW_ASSAY_DENSITY_H
#define APOFLOW_ASSAY_DENSITY_H

#include "apoptosis_internal.h"

#include <math.h>

#define ASSAY_KDE_GRID 512
/* A peak must stand out from the valleys beside it by this share of its own height. */
#define ASSAY_PEAK_OWN_PROMINENCE 0.2
/* ... and by this share of the highest density (assay_kde_fit's usual min_prom). */
#define ASSAY_PEAK_MIN_PROMINENCE 0.01

/* One peak of a density. */
typedef struct assay_peak {
    size_t at;         /* grid index */
    double x, height;  /* position and density */
    double prominence; /* height above the higher of the lowest points on either side before
                          higher ground */
    double mass;       /* share of the events in its basin (between the valleys to its
                          neighbouring peaks) */
} assay_peak;

/* A Gaussian KDE on ASSAY_KDE_GRID points from 3 bandwidths below the smallest value to 3
 * above the largest; y is a probability density; peaks in ascending position. */
typedef struct assay_kde {
    size_t n, n_obs;
    double g0, step, bw;
    double *y;
    assay_peak *peaks;
    size_t n_peaks;
} assay_kde;

/* Fit to the finite values of x: bandwidth adjust * 0.9 min(SD, IQR/1.34) m^-1/5 (Silverman's
 * rule, R's bw.nrd0), at least min_bw; keeps the peaks whose prominence is at least min_prom
 * times the highest density and ASSAY_PEAK_OWN_PROMINENCE times their own height. False with fewer than 20 finite values or no memory. */
bool assay_kde_fit(assay_kde *k, const double *x, size_t n, double adjust, double min_bw,
                   double min_prom);
void assay_kde_free(assay_kde *k);
/* The grid index nearest x (clamped), the density at x (linear interpolation, 0 outside),
 * and the lowest grid point between two indices. */
size_t assay_kde_index(const assay_kde *k, double x);
double assay_kde_at(const assay_kde *k, double x);
size_t assay_kde_argmin(const assay_kde *k, size_t a, size_t b);
/* Valley depth of a line at x: the density at x over the height of the neighbouring peak,
 * the peak whose slope x is on (between two peaks: the left one up to the lowest point
 * between them, the right one beyond it; the one peak beside it when x is beyond every peak
 * on one side). About 0 in an empty gap, about 1 inside a population. NaN when there is no
 * peak. */
double assay_kde_depth(const assay_kde *k, double x);
/* The peak whose basin holds the most events (NULL when none). */
const assay_peak *assay_kde_main_peak(const assay_kde *k);
/* The lowest point between the two most prominent peaks and its depth; false with < 2
 * peaks. */
bool assay_kde_split(const assay_kde *k, double *valley, double *depth);

/* One quadrant line as placed by assay_line_place (values on the display scale). */
typedef struct assay_line {
    double y;            /* the line */
    double depth;        /* its valley depth on the pooled stained samples */
    double control_y;    /* the control's negative-population quantile, NaN when none */
    double valley_y;     /* the stained samples' valley after their negative peak, or NaN */
    bool moved;          /* the control's line was not in a low-density region of the stained
                            samples and their valley was used */
    bool in_population;  /* depth > 0.5 (or unknown) */
    bool no_separation;  /* the stained samples show no valley of depth <= 0.5 after their
                            negative population: no line can separate them reliably */
    assay_threshold_method method; /* CONTROL_QUANTILE or DENSITY_VALLEY */
    double percentile;             /* CONTROL_QUANTILE: 100 quantile; NaN otherwise */
    double half_depth[2];          /* its valley depth among the stained events negative [0]
                                      and positive [1] for the other marker (NaN when that half
                                      is too small or shows one population) */
    char reason[400];
} assay_line;

/* Place a line from a control's display values (NULL when none) and the pooled stained
 * samples' display values; quantile e.g. 0.995; ctl_name names the control in the reason.
 * @p pooled_kde (may be NULL) gets the density of the pooled values the line was judged on,
 * for assay_line_refine (the caller frees it; all zero when it could not be fitted). */
void assay_line_place(const double *ctl, size_t nctl, const double *pooled, size_t npool,
                      double quantile, const char *ctl_name, assay_line *out,
                      assay_kde *pooled_kde);
/* Check a placed line within each half of the stained events that the other marker's line
 * (@p split, on the other marker's display scale; @p other the same events' values there)
 * makes: among the events negative and among those positive for the other marker, the line
 * must lie between this marker's populations too (e.g. the Annexin V line between the
 * necrotic and the late apoptotic cells, not only between the viable and the early
 * apoptotic ones). When it sits in a population or on a population's slope beside a clear
 * gap of one half, it moves to the position between both halves' populations least inside
 * any of them, and the reason says so; half_depth gets the final depths, and a depth over
 * 0.5 in either half sets in_population. @p marker and @p other_name name the markers.
 * @p x_kde (may be NULL) is x's density from assay_line_place, which gives the depth of a
 * moved line without fitting x again (the same fit: the same depth). False only when out of
 * memory (the line is then left as it was, unchecked). */
bool assay_line_refine(assay_line *L, const double *x, const double *other, size_t n,
                       double split, const char *marker, const char *other_name,
                       const assay_kde *x_kde);
/* The valley depth of a line at @p line on the density of x (NaN when it cannot be told). */
double assay_line_depth(const double *x, size_t n, double line);

/* The type-7 quantile position of q among m values: h = (m - 1) q, the lower rank floor(h)
 * (m - 1 at most), and the value between the lower rank's value a and the next one's b. */
static inline size_t assay_type7_rank(size_t m, double q, double *h)
{
    *h = (double)(m - 1) * q;
    const size_t lo = (size_t)floor(*h);
    return lo < m - 1 ? lo : m - 1;
}
static inline double assay_type7_between(double a, double b, double h, size_t lo)
{
    return a + (h - (double)lo) * (b - a);
}

/* The finite values of one array and what both the density fit and the valley take from them
 * (min, max, SDs, quartiles), found once when both are wanted on the same values (a sample's
 * Annexin V display values: its own valley and the line's depth). */
typedef struct assay_values {
    const double *v;     /* the finite values in their given order (the array itself when
                            every value is finite, else own) */
    double *own;
    size_t m;
    double vmin, vmax;   /* as gsl_stats_minmax */
    double sd_near;      /* apo_sd_near */
    double sd;           /* gsl_stats_sd of v when have_sd (computed when first needed) */
    bool have_sd;
    bool ranked;         /* the quartiles below are known: one selection of every rank (no
                            zero among the values, which gate_select hands to gsl) */
    double q1, q3;       /* the (m/4)-th and (3m/4)-th smallest: the density fit's IQR */
    double p25, p75;     /* the type-7 quartiles: the valley's IQR */
} assay_values;

/* The finite values of x[0..n) and their summaries (with fewer than 20 only the values); false
 * when out of memory. */
bool assay_values_init(assay_values *a, const double *x, size_t n);
void assay_values_free(assay_values *a);
/* gsl_stats_sd of a's values in their given order, computed once. */
double assay_values_sd(assay_values *a);
/* assay_kde_fit, assay_line_depth and assay_density_valley (thresholds.c) of a's values:
 * the same results, bit for bit, as on the array a was made from. */
bool assay_kde_fit_values(assay_kde *k, assay_values *a, double adjust, double min_bw,
                          double min_prom);
double assay_line_depth_values(assay_values *a, double line);
double assay_density_valley_values(assay_values *a, double lo, double hi);

#endif /* APOFLOW_ASSAY_DENSITY_H */
