// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * pregate.c: estimates the two automatic pre-gates of the apoptosis analysis (docs/
 * algorithms.md): debris exclusion as "FSC >= a and SSC >= b" from the debris mixture model
 * (debris_mix.c) when there is a debris mode below the cells on log10(FSC) (the valley between
 * the modes when the model cannot be fitted; only the noise floor when there is no debris
 * mode), and doublet exclusion as a band of the FSC-H / FSC-A ratio (doublets have about
 * twice the area at the same height, so half the ratio), or of FSC-W when the instrument
 * records width instead of height, placed from the singlets' mode and the spread of their
 * side away from the doublets. Generous on purpose: shrunken apoptotic cells must stay in.
 */
#include "density.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void qsort_doubles(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
}

/* The shrinkage of apoptotic and dead cells: they keep at least ~45 % of the living cells'
 * forward scatter, so nothing within DEBRIS_CELL_SPAN decades below the cells' mode is taken
 * for debris, and no debris gate is placed inside that span. */
#define DEBRIS_CELL_SPAN 0.35
/* No debris mode: cut where the density below the cells first falls under this share of the
 * cells' peak (the noise floor), never inside the span above. */
#define DEBRIS_FLOOR_SHARE 0.01

/* The share of the events at or above @p cut on v[0..n) that are debris, estimated from the
 * debris mode at @p pd: its far side (below the mode, where no cells are) mirrored gives the
 * debris's count and spread, and a normal tail beyond the cut its part above it. NaN when it
 * cannot be told. */
static double debris_leak(const double *v, size_t n, double pd, double cut, double *tmp)
{
    size_t below = 0, above = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < pd) {
            tmp[below++] = pd - v[i];
        }
        above += v[i] >= cut;
    }
    if (below < 20 || above == 0) {
        return NAN;
    }
    const double s = 1.4826 * gate_median(tmp, below); /* = gsl_stats_median; tmp is scratch */
    if (!(s > 0)) {
        return NAN;
    }
    const double tail = 0.5 * erfc((cut - pd) / (s * 1.4142135623730951));
    return 2.0 * (double)below * tail / (double)above;
}

/* Record the mixture model's sides in @p out (b = -inf: no SSC side). */
static void take_model(pregate_debris *out, double b, double leak)
{
    out->model = true;
    out->leak = leak;
    out->two_d = isfinite(b);
    out->sthr = isfinite(b) ? pow(10.0, b) : -INFINITY;
}

/* With a debris mode at xd below the cells at xc and the FSC valley at v (log10 units): the
 * gate from the mixture model when it fits, else the valley itself. */
static double debris_sides(const double *lf, const double *ls, size_t n, double xd, double xc,
                           double v, pregate_debris *out)
{
    double a, b, leak;
    if (pregate_debris_mixture(lf, ls, n, v, xd, xc, &a, &b, &leak)) {
        take_model(out, b, leak);
        out->method = out->two_d ? "debris mixture model on log10(FSC) x log10(SSC): the "
                                   "FSC and SSC sides with the fewest expected errors"
                                 : "debris mixture model on log10(FSC): the FSC side with "
                                   "the fewest expected errors";
        return a;
    }
    double *tmp = malloc(n * sizeof *tmp);
    if (tmp != NULL) {
        out->leak = debris_leak(lf, n, xd, v, tmp);
        free(tmp);
    }
    out->method = "valley between the debris and cell modes of log10(FSC)";
    return v;
}

/* No debris mode on log10(FSC): debris spread thinly below the cells (a wall against the
 * trigger threshold, or a tail too flat to form a peak) still differs from the cells on both
 * scatters. The mixture model is fitted with the debris side started below the span the
 * cells' shrinkage can reach, and its FSC side chosen between the noise floor @p floor and
 * that span (never inside it: with no debris mode to say otherwise, what lies there may be
 * shrunken dying cells, which an apoptosis assay must keep); its gate is kept when it cuts
 * above the floor or adds an SSC side (its expected-error rule leaves the floor alone when
 * the events below the cells are few or look like cells), else the floor is the gate. */
static double debris_without_mode(const double *lf, const double *ls, size_t n, double floor,
                                  double xc, pregate_debris *out)
{
    out->method = "no debris mode: noise floor of log10(FSC) below the cells";
    const double v = xc - DEBRIS_CELL_SPAN;
    double a, b, leak;
    if (!(floor < v) || !pregate_debris_mixture(lf, ls, n, v, floor, v, &a, &b, &leak) ||
        (!(a > floor) && !isfinite(b))) {
        return floor;
    }
    take_model(out, b, leak);
    out->method = out->two_d ? "no debris mode; debris mixture model below the cells on "
                               "log10(FSC) x log10(SSC): the FSC and SSC sides with the fewest "
                               "expected errors"
                             : "no debris mode; debris mixture model below the cells on "
                               "log10(FSC): the FSC side with the fewest expected errors";
    return a;
}

void pregate_debris_estimate(const double *fsc, const double *ssc, size_t n, pregate_debris *out)
{
    memset(out, 0, sizeof *out);
    out->thr = out->sthr = -INFINITY;
    out->depth = out->leak = NAN;
    out->method = "none (too few events)";
    if (n < 50) {
        return;
    }
    double *lf = malloc(n * sizeof *lf), *ls = ssc ? malloc(n * sizeof *ls) : NULL;
    if (lf == NULL || (ssc != NULL && ls == NULL)) {
        free(lf);
        free(ls);
        out->method = "none (out of memory)";
        return;
    }
    for (size_t i = 0; i < n; i++) {
        lf[i] = log10(fsc[i] > 1.0 ? fsc[i] : 1.0);
        if (ls != NULL) {
            ls[i] = log10(ssc[i] > 1.0 ? ssc[i] : 1.0);
        }
    }
    assay_kde k;
    double thr = -INFINITY;
    if (assay_kde_fit(&k, lf, n, 1.0, 0.02, ASSAY_PEAK_MIN_PROMINENCE)) {
        const assay_peak *cells = assay_kde_main_peak(&k);
        const assay_peak *debris = NULL;
        for (size_t p = 0; cells != NULL && p < k.n_peaks; p++) {
            const assay_peak *q = &k.peaks[p];
            if (q->x < cells->x - DEBRIS_CELL_SPAN &&
                (debris == NULL || q->prominence > debris->prominence)) {
                debris = q;
            }
        }
        if (debris != NULL) {
            size_t v = assay_kde_argmin(&k, debris->at, cells->at);
            double valley = k.g0 + k.step * (double)v;
            out->depth = assay_kde_depth(&k, valley);
            out->debris_mode = true;
            thr = debris_sides(lf, ls, n, debris->x, cells->x, valley, out);
        } else if (cells != NULL) {
            size_t i = cells->at;
            while (i > 0 && k.y[i] >= DEBRIS_FLOOR_SHARE * cells->height) {
                i--;
            }
            const double floor = fmin(k.g0 + k.step * (double)i, cells->x - DEBRIS_CELL_SPAN);
            thr = debris_without_mode(lf, ls, n, floor, cells->x, out);
        }
        assay_kde_free(&k);
    }
    if (isfinite(thr)) {
        out->thr = pow(10.0, thr);
    } else {
        double med = assay_quantile(lf, n, 0.5);
        out->thr = isfinite(med) ? 0.25 * pow(10.0, med) : -INFINITY;
        out->method = "25% of the median FSC";
    }
    free(lf);
    free(ls);
}

/* Robust spread of the singlets' side of a pulse-shape measure: 1.4826 x the median distance
 * from the mode of the values on the side away from the doublets (doublets cannot reach it),
 * at least the data's resolution (stepped, integer-valued widths) and 1 % of the mode. */
static double singlet_spread(const double *v, size_t m, double mode, bool doublets_high,
                             double *tmp)
{
    size_t k = 0;
    for (size_t i = 0; i < m; i++) { /* without a branch: written always, kept when on the side */
        tmp[k] = fabs(v[i] - mode);
        k += doublets_high ? v[i] <= mode : v[i] >= mode;
    }
    /* gate_median: gsl_stats_median's value by radix selection (tmp is scratch) */
    double s = k >= 10 ? 1.4826 * gate_median(tmp, k) : 0;
    /* resolution: the median step between distinct neighbouring values of a sorted sample */
    size_t step = m > 2000 ? m / 2000 : 1, j = 0;
    for (size_t i = 0; i < m; i += step) {
        tmp[j++] = v[i];
    }
    qsort_doubles(tmp, j);
    size_t g = 0;
    for (size_t i = 1; i < j; i++) {
        if (tmp[i] > tmp[i - 1]) {
            tmp[g++] = tmp[i] - tmp[i - 1];
        }
    }
    double res = g > 0 ? gate_median(tmp, g) : 0;
    return fmax(s, fmax(res, 0.01 * fabs(mode)));
}

/* The singlet band of a pulse-shape measure v[0..m) (v is reordered): the singlets' mode on
 * the density, the band's doublet side at the valley to a doublet mode when there is one,
 * else 4 robust SD from the mode (at least 8 %); the other side 8 robust SD (at least 25 %),
 * removing only implausible pulses. */
static bool singlet_band(double *v, size_t m, bool doublets_high, double *lo, double *hi,
                         const char **how)
{
    if (m < 50) {
        return false;
    }
    assay_kde k;
    double *tmp = malloc(m * sizeof *tmp);
    if (tmp == NULL || !assay_kde_fit(&k, v, m, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE)) {
        free(tmp);
        return false;
    }
    const assay_peak *main = assay_kde_main_peak(&k);
    double mode = main != NULL ? main->x : gsl_stats_median(v, 1, m);
    double s = singlet_spread(v, m, mode, doublets_high, tmp);
    double near = fmax(4.0 * s, 0.08 * fabs(mode)), far = fmax(8.0 * s, 0.25 * fabs(mode));
    double cut = doublets_high ? mode + near : mode - near;
    *how = "4 robust SD of the singlets' side from their mode";
    for (size_t p = 0; main != NULL && p < k.n_peaks; p++) { /* a doublet mode beyond it */
        const assay_peak *q = &k.peaks[p];
        bool beyond = doublets_high ? q->x > mode + 2 * s : q->x < mode - 2 * s;
        if (beyond && q != main) {
            double y = k.g0 + k.step * (double)assay_kde_argmin(&k, main->at, q->at);
            if (doublets_high ? y < cut : y > cut) {
                cut = y;
                *how = "valley between the singlet and doublet modes";
            }
            break;
        }
    }
    *lo = doublets_high ? mode - far : cut;
    *hi = doublets_high ? cut : mode + far;
    assay_kde_free(&k);
    free(tmp);
    return mode > 0;
}

bool pregate_singlet_band(const double *fsc_a, const double *fsc_h, size_t n, double a_min,
                          double *lo, double *hi, const char **how)
{
    double *r = malloc((n ? n : 1) * sizeof *r);
    if (r == NULL) {
        return false;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) { /* without a branch: written always, kept when it qualifies */
        r[m] = fsc_h[i] / fsc_a[i];
        m += (fsc_a[i] >= a_min) & (fsc_a[i] > 0) & (isfinite(fsc_h[i]) != 0);
    }
    bool ok = singlet_band(r, m, false, lo, hi, how);
    free(r);
    return ok;
}

bool pregate_width_band(const double *fsc, const double *width, size_t n, double fsc_min,
                        double *lo, double *hi, const char **how)
{
    double *r = malloc((n ? n : 1) * sizeof *r);
    if (r == NULL) {
        return false;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) { /* without a branch, as above */
        r[m] = width[i];
        m += (fsc[i] >= fsc_min) & (isfinite(width[i]) != 0);
    }
    bool ok = singlet_band(r, m, true, lo, hi, how);
    free(r);
    return ok;
}

double qc_flow_deviation(const double *time, size_t n)
{
    if (time == NULL || n < 1000) {
        return NAN;
    }
    /* compares, not fmin/fmax calls: the sign a zero extreme takes cannot matter below
     * (t0 and t1 are only subtracted) */
    double t0 = INFINITY, t1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double t = time[i];
        if (isfinite(t)) {
            t0 = t < t0 ? t : t0;
            t1 = t > t1 ? t : t1;
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
