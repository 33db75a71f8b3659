// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * threshold_check.c: places one quadrant line the way an expert would and says how sure it
 * is (docs/algorithms.md, "Quadrant thresholds"). The control's line is the given quantile of
 * the control's own negative population (its events below the valley to any stained peak of
 * the control, e.g. dead cells or debris carrying stain); the line is then checked against the
 * pooled stained samples on the display scale: it must lie in a low-density region between
 * their negative population and the next population up. A line that cuts a population is
 * moved to the stained samples' valley when they have one; otherwise it stays and is flagged.
 */
#include "density.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line whose density is at least this share of the neighbouring peak is inside that
 * population rather than between two. */
#define LINE_IN_POPULATION 0.5
/* ... and one whose density exceeds that of the stained samples' valley by more than this
 * share of the neighbouring peak is on a population's slope while a clear gap lies beside. */
#define LINE_VALLEY_MARGIN 0.1

/* The negative population's peak (the lowest peak holding at least 10 % of the events) and
 * the first peak above it, by index into k->peaks; SIZE_MAX when absent. */
static void negative_and_next(const assay_kde *k, size_t *neg, size_t *next)
{
    *neg = *next = SIZE_MAX;
    for (size_t p = 0; p < k->n_peaks; p++) {
        if (*neg == SIZE_MAX && k->peaks[p].mass >= 0.10) {
            *neg = p;
        } else if (*neg != SIZE_MAX) {
            *next = p;
            return;
        }
    }
}

double assay_line_depth(const double *x, size_t n, double line)
{
    assay_kde k;
    if (!isfinite(line) || !assay_kde_fit(&k, x, n, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE)) {
        return NAN;
    }
    double d = assay_kde_depth(&k, line);
    assay_kde_free(&k);
    return d;
}

/* The quantile of the control's negative population; *restricted says whether events above a
 * valley were left out. NaN when the control has fewer than 50 values. */
static double negative_quantile(const double *ctl, size_t m, double q, bool *restricted)
{
    *restricted = false;
    if (m < 50) {
        return NAN;
    }
    assay_kde k;
    double *v = malloc(m * sizeof *v);
    if (v == NULL) {
        return NAN;
    }
    memcpy(v, ctl, m * sizeof *v);
    size_t nv = m;
    if (assay_kde_fit(&k, ctl, m, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE)) {
        size_t neg, next;
        const assay_peak *main = assay_kde_main_peak(&k);
        negative_and_next(&k, &neg, &next);
        if (main != NULL && neg != SIZE_MAX && &k.peaks[neg] == main && next != SIZE_MAX) {
            double cut = k.g0 + k.step * (double)assay_kde_argmin(&k, main->at, k.peaks[next].at);
            nv = 0;
            for (size_t i = 0; i < m; i++) {
                if (ctl[i] <= cut) {
                    v[nv++] = ctl[i];
                }
            }
            *restricted = true;
        }
        assay_kde_free(&k);
    }
    double r = nv >= 50 ? assay_quantile(v, nv, q) : NAN;
    free(v);
    return r;
}

/* Is the line at y acceptable on the pooled density: low density, and between the negative
 * peak and the next one up (when there is one)? */
static bool line_ok(const assay_kde *k, size_t neg, size_t next, double y, double depth)
{
    if (!(depth <= LINE_IN_POPULATION)) {
        return false;
    }
    if (neg != SIZE_MAX && y <= k->peaks[neg].x) {
        return false;
    }
    return next == SIZE_MAX || y < k->peaks[next].x;
}

void assay_line_place(const double *ctl, size_t nctl, const double *pooled, size_t npool,
                      double quantile, const char *ctl_name, assay_line *out)
{
    memset(out, 0, sizeof *out);
    out->y = out->depth = out->control_y = out->valley_y = NAN;
    bool restricted = false;
    if (ctl != NULL) {
        out->control_y = negative_quantile(ctl, nctl, quantile, &restricted);
    }
    assay_kde k;
    bool have = assay_kde_fit(&k, pooled, npool, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE);
    size_t neg = SIZE_MAX, next = SIZE_MAX;
    double vdepth = NAN;
    if (have) {
        negative_and_next(&k, &neg, &next);
        if (neg != SIZE_MAX && next != SIZE_MAX) {
            size_t i = assay_kde_argmin(&k, k.peaks[neg].at, k.peaks[next].at);
            out->valley_y = k.g0 + k.step * (double)i;
            vdepth = assay_kde_depth(&k, out->valley_y);
        }
    }
    const bool valley_ok = isfinite(out->valley_y) && vdepth <= LINE_IN_POPULATION;
    double cdepth = have && isfinite(out->control_y) ? assay_kde_depth(&k, out->control_y) : NAN;
    out->percentile = 100.0 * quantile;
    char q[32];
    snprintf(q, sizeof q, "%g", out->percentile);
    /* a clear valley much emptier than the control's line (the stained samples' negative
     * population reaches further than the control's, e.g. brighter dead cells) wins too */
    const bool valley_better = valley_ok && cdepth > vdepth + LINE_VALLEY_MARGIN;
    if (isfinite(out->control_y) && (!have || line_ok(&k, neg, next, out->control_y, cdepth)) &&
        !valley_better) {
        out->y = out->control_y;
        out->depth = cdepth;
        out->method = ASSAY_THRESHOLD_CONTROL_QUANTILE;
        snprintf(out->reason, sizeof out->reason,
                 "%s percentile of %s's %s; in a low-density region of the stained samples",
                 q, ctl_name, restricted ? "negative population" : "events");
    } else if (valley_ok) {
        out->y = out->valley_y;
        out->depth = vdepth;
        out->method = ASSAY_THRESHOLD_DENSITY_VALLEY;
        if (isfinite(out->control_y)) {
            snprintf(out->reason, sizeof out->reason,
                     "the %s percentile of %s (%.3f on the display scale) lies %s of the stained "
                     "samples (valley depth %.2f, their valley %.2f): placed at their valley "
                     "between the negative and the next population",
                     q, ctl_name, out->control_y,
                     cdepth > LINE_IN_POPULATION ? "in a population" : "on a population's slope",
                     cdepth, vdepth);
            out->moved = true;
        } else {
            snprintf(out->reason, sizeof out->reason,
                     "no usable control: the stained samples' valley between the negative and "
                     "the next population");
        }
    } else if (isfinite(out->control_y)) {
        out->y = out->control_y;
        out->depth = cdepth;
        out->method = ASSAY_THRESHOLD_CONTROL_QUANTILE;
        snprintf(out->reason, sizeof out->reason,
                 "%s percentile of %s's %s; the stained samples have no valley to move it to",
                 q, ctl_name, restricted ? "negative population" : "events");
    } else {
        out->y = assay_density_valley(pooled, npool, -INFINITY, INFINITY);
        out->depth = have ? assay_kde_depth(&k, out->y) : NAN;
        out->method = ASSAY_THRESHOLD_DENSITY_VALLEY;
        snprintf(out->reason, sizeof out->reason,
                 "no usable control and no clear valley: the deepest valley of the stained "
                 "samples' density");
    }
    if (out->method != ASSAY_THRESHOLD_CONTROL_QUANTILE) {
        out->percentile = NAN;
    }
    out->in_population = !(out->depth <= LINE_IN_POPULATION);
    out->no_separation = !valley_ok;
    if (have) {
        assay_kde_free(&k);
    }
}
