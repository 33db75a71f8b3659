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

double assay_line_depth_values(assay_values *a, double line)
{
    assay_kde k;
    if (!isfinite(line) || !assay_kde_fit_values(&k, a, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE)) {
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
                      double quantile, const char *ctl_name, assay_line *out,
                      assay_kde *pooled_kde)
{
    memset(out, 0, sizeof *out);
    out->y = out->depth = out->control_y = out->valley_y = NAN;
    out->half_depth[0] = out->half_depth[1] = NAN;
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
    if (pooled_kde != NULL) {
        *pooled_kde = k; /* zeroed by assay_kde_fit when it failed */
    } else if (have) {
        assay_kde_free(&k);
    }
}

/* One half of the pooled stained events, split by the other marker's line: its density and
 * its two populations along this marker (the negative one and the next one up). */
typedef struct line_half {
    assay_kde k;
    bool have;      /* fitted, with a negative and a next population */
    size_t neg, next;
    double valley;  /* depth of its own valley between them */
} line_half;

/* A half needs this many events, and this share of the pooled ones, to be judged. */
#define HALF_MIN_EVENTS 500
#define HALF_MIN_SHARE 0.05
/* Candidate lines tried between the populations when the line is moved. */
#define HALF_SEARCH 256

static void half_fit(line_half *h, const double *x, const double *other, size_t n,
                     double split, bool upper, double *buf)
{
    memset(h, 0, sizeof *h);
    h->neg = h->next = SIZE_MAX;
    h->valley = NAN;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(other[i]) && (other[i] >= split) == upper) {
            buf[m++] = x[i];
        }
    }
    if (m < HALF_MIN_EVENTS || (double)m < HALF_MIN_SHARE * (double)n ||
        !assay_kde_fit(&h->k, buf, m, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE)) {
        return;
    }
    negative_and_next(&h->k, &h->neg, &h->next);
    if (h->neg == SIZE_MAX || h->next == SIZE_MAX) {
        assay_kde_free(&h->k);
        return;
    }
    h->have = true;
    const size_t v = assay_kde_argmin(&h->k, h->k.peaks[h->neg].at, h->k.peaks[h->next].at);
    h->valley = assay_kde_depth(&h->k, h->k.g0 + h->k.step * (double)v);
}

/* Does the line at y separate this half's populations: between its negative and next
 * peaks, and not inside either (a half that cannot be judged never objects)? */
static bool half_between(const line_half *h, double y)
{
    if (!h->have) {
        return true;
    }
    const double d = assay_kde_depth(&h->k, y);
    return d <= LINE_IN_POPULATION && y > h->k.peaks[h->neg].x && y < h->k.peaks[h->next].x;
}

/* Does the line at y sit in a population of this half, or on a population's slope while
 * the half has a clear gap of its own? */
static bool half_objects(const line_half *h, double y)
{
    if (!h->have) {
        return false;
    }
    const double d = assay_kde_depth(&h->k, y);
    return !half_between(h, y) ||
           (h->valley <= LINE_IN_POPULATION && d > h->valley + LINE_VALLEY_MARGIN);
}

/* The worst depth of the line at y over the halves with two populations. */
static double halves_cost(const line_half h[2], double y)
{
    double c = 0;
    for (int s = 0; s < 2; s++) {
        if (h[s].have) {
            c = fmax(c, assay_kde_depth(&h[s].k, y));
        }
    }
    return c;
}

/* The room for a line in both halves: above both negative peaks, below both next ones;
 * false when there is none. */
static bool halves_room(const line_half h[2], double *lo, double *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    for (int s = 0; s < 2; s++) {
        if (h[s].have) {
            *lo = fmax(*lo, h[s].k.peaks[h[s].neg].x);
            *hi = fmin(*hi, h[s].k.peaks[h[s].next].x);
        }
    }
    return *lo < *hi;
}

/* Of the HALF_SEARCH - 1 candidate lines evenly inside the halves' room, the one with the
 * lowest score: with @p nearest, the distance to y0 among the candidates neither half objects
 * to (the smallest move that fixes the line: the control's line stays the best guess of where
 * the negative populations end); else the worst depth over the halves (the line least inside
 * any population). NaN when there is no room (one half's positive population below the
 * other's negative one) or no candidate qualifies. */
static double halves_search(const line_half h[2], bool nearest, double y0)
{
    double lo, hi;
    if (!halves_room(h, &lo, &hi)) {
        return NAN;
    }
    double best = NAN, best_score = INFINITY;
    for (int i = 1; i < HALF_SEARCH; i++) {
        const double y = lo + (hi - lo) * (double)i / HALF_SEARCH;
        const double score = !nearest ? halves_cost(h, y)
                             : !half_objects(&h[0], y) && !half_objects(&h[1], y) ? fabs(y - y0)
                                                                                   : INFINITY;
        if (score < best_score) {
            best_score = score;
            best = y;
        }
    }
    return best;
}

bool assay_line_refine(assay_line *L, const double *x, const double *other, size_t n,
                       double split, const char *marker, const char *other_name,
                       const assay_kde *x_kde)
{
    L->half_depth[0] = L->half_depth[1] = NAN;
    if (!isfinite(L->y) || !isfinite(split) || n == 0) {
        return true; /* nothing to check */
    }
    double *buf = malloc(n * sizeof *buf);
    if (buf == NULL) {
        return false;
    }
    line_half h[2];
    half_fit(&h[0], x, other, n, split, false, buf);
    half_fit(&h[1], x, other, n, split, true, buf);
    free(buf);
    const int bad = half_objects(&h[1], L->y) ? 1 : half_objects(&h[0], L->y) ? 0 : -1;
    double y = bad >= 0 ? halves_search(h, true, L->y) : NAN;
    if (bad >= 0 && !isfinite(y)) { /* no place suits both: the least bad one */
        y = halves_search(h, false, NAN);
    }
    if (bad >= 0 && isfinite(y) && halves_cost(h, y) < halves_cost(h, L->y)) {
        const double was = L->y, d_was = assay_kde_depth(&h[bad].k, was);
        L->y = y;
        L->depth = x_kde != NULL ? assay_kde_depth(x_kde, y) : assay_line_depth(x, n, y);
        L->method = ASSAY_THRESHOLD_DENSITY_VALLEY;
        L->percentile = NAN;
        L->moved = true;
        char first[sizeof L->reason];
        snprintf(first, sizeof first, "%s", L->reason);
        snprintf(L->reason, sizeof L->reason,
                 "%s; but among the %s-%s events that line (%.3f on the display scale) lies %s "
                 "(depth %.2f, their valley %.2f): moved to %.3f, between the %s-negative and "
                 "-positive populations of both %s halves",
                 first, other_name, bad ? "positive" : "negative", was,
                 d_was > LINE_IN_POPULATION ? "in a population" : "on a population's slope",
                 d_was, h[bad].valley, y, marker, other_name);
    }
    for (int s = 0; s < 2; s++) {
        if (h[s].have) {
            L->half_depth[s] = assay_kde_depth(&h[s].k, L->y);
            if (!half_between(&h[s], L->y)) {
                L->in_population = true;
                const size_t len = strlen(L->reason);
                snprintf(L->reason + len, sizeof L->reason - len,
                         "; among the %s-%s events it does not separate the %s-negative and "
                         "-positive populations (depth %.2f): no straight line separates both",
                         other_name, s ? "positive" : "negative", marker, L->half_depth[s]);
            }
            assay_kde_free(&h[s].k);
        }
    }
    return true;
}
