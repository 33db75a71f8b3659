/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dose_figs.c: the dose plot of each treatment (plots/dose_<k>.png and .svg, docs/plots.md
 * "Summary figures"), for any number of doses: every sample's apoptotic % as an open circle
 * and each dose's mean +- SD against dose (a log axis when the doses span more than one
 * decade, else linear), the stimulus-only group at a separate "0" position left of an axis
 * break, dashed lines at the stimulus and untreated means, and the 4PL curve (with its EC50
 * marked) only when the run fitted one for this treatment.
 */
#include "report/fig_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CURVE_POINTS 120
#define PLOT_W 440.0
#define PLOT_H 320.0
#define LEFT 92.0
#define TOP 72.0
#define ZERO_SLOT 56.0 /* the "0" position: its width left of the dose axis */

static double f4pl(const assay_dose_fit *d, double x)
{
    return d->bottom + (d->top - d->bottom) / (1.0 + pow(x / d->ec50, d->hill));
}

/* The fit of treatment @p t in unit @p unit, when it converged. */
static const assay_dose_fit *find_fit(const assay_result *res, const char *t, const char *unit)
{
    for (size_t k = 0; res != NULL && k < res->n_fits; k++) {
        const assay_dose_fit *d = &res->fits[k];
        if (d->ok && strcmp(d->treatment, t) == 0 && strcmp(d->dose_unit, unit) == 0) {
            return d;
        }
    }
    return NULL;
}

static const fig_group *role_group(const fig_groups *gs, fig_role r)
{
    for (size_t k = 0; k < gs->n; k++) {
        if (gs->g[k].role == r) {
            return &gs->g[k];
        }
    }
    return NULL;
}

/* Points and mean +- SD of one group at x. */
static void draw_points(render_chart *c, const fig_group *g, const render_chart_axis *y,
                        double x, uint32_t col)
{
    render_style pt = {.fill = 0xffffff, .fill_alpha = 1, .stroke = col, .stroke_width = 1.5,
                       .cls = "point"};
    for (size_t i = 0; i < g->n; i++) {
        render_chart_circle(c, x, render_chart_axis_at(y, g->v[i]), 3.5, &pt);
    }
    render_style m = {.stroke = FIG_INK, .stroke_width = 2, .cls = "mean"};
    double ym = render_chart_axis_at(y, g->mean);
    render_chart_line(c, x - 9, ym, x + 9, ym, &m);
    if (isfinite(g->sd)) {
        render_style w = {.stroke = FIG_INK, .stroke_width = 1.2, .cls = "errorbar"};
        double lo = render_chart_axis_at(y, g->mean - g->sd);
        double hi = render_chart_axis_at(y, g->mean + g->sd);
        render_chart_line(c, x, lo, x, hi, &w);
        render_chart_line(c, x - 5, hi, x + 5, hi, &w);
        render_chart_line(c, x - 5, lo, x + 5, lo, &w);
    }
}

/* A dashed reference line across the dose axis at @p v, named at its right end. */
static void ref_line(render_chart *c, const render_chart_axis *y, double x0, double x1,
                     double v, uint32_t col, const char *name)
{
    if (!isfinite(v)) {
        return;
    }
    render_style s = {.stroke = col, .stroke_width = 1, .dashed = true, .cls = "reference"};
    double yy = render_chart_axis_at(y, v);
    render_chart_line(c, x0, yy, x1, yy, &s);
    render_text_style t = {.px = 10, .color = col, .anchor = RENDER_ANCHOR_END,
                           .cls = "reference-label"};
    render_chart_text(c, x1 - 2, yy - 3, name, &t);
}

/* The fitted curve over the dose axis. */
static void draw_curve(render_chart *c, const assay_dose_fit *d, const render_chart_axis *x,
                       const render_chart_axis *y, uint32_t col)
{
    double xy[2 * CURVE_POINTS];
    size_t m = 0;
    for (size_t i = 0; i < CURVE_POINTS; i++) {
        double f = (double)i / (CURVE_POINTS - 1);
        double v = x->log ? x->lo * pow(x->hi / x->lo, f) : x->lo + f * (x->hi - x->lo);
        double yv = f4pl(d, v);
        if (v > 0 && isfinite(yv)) {
            xy[2 * m] = render_chart_axis_at(x, v);
            xy[2 * m + 1] = render_chart_axis_at(y, yv);
            m++;
        }
    }
    render_style s = {.stroke = col, .stroke_width = 2, .cls = "fit"};
    render_chart_polyline(c, xy, m, false, &s);
    double xe = render_chart_axis_at(x, d->ec50);
    if (d->ec50 > x->lo && d->ec50 < x->hi && isfinite(xe)) { /* the EC50, dashed down */
        double ye = render_chart_axis_at(y, f4pl(d, d->ec50));
        render_style e = {.stroke = col, .stroke_width = 1, .dashed = true, .cls = "ec50"};
        render_chart_line(c, xe, ye, xe, y->p0, &e);
        render_text_style t = {.px = 10, .color = col, .cls = "ec50-label"};
        render_chart_text(c, xe + 4, y->p0 - 6, "EC50", &t);
    }
}

/* The "0" position with its axis break, and the stimulus group drawn there. */
static void zero_slot(render_chart *c, const fig_group *stim, const render_chart_axis *y,
                      double x0, double y1)
{
    double xz = x0 - ZERO_SLOT / 2;
    render_style ax = {.stroke = 0x303030, .stroke_width = 1, .cls = "axis"};
    render_chart_line(c, x0 - ZERO_SLOT, y1, x0 - 10, y1, &ax);
    render_chart_line(c, xz, y1, xz, y1 + 5, &ax);
    render_style brk = {.stroke = 0x303030, .stroke_width = 1, .cls = "axis-break"};
    for (int k = 0; k < 2; k++) { /* "//" between the 0 position and the dose axis */
        double bx = x0 - 8 + 4.0 * k;
        render_chart_line(c, bx - 2, y1 + 4, bx + 2, y1 - 4, &brk);
    }
    render_text_style t = {.px = 11, .color = 0x202020, .anchor = RENDER_ANCHOR_MIDDLE,
                           .cls = "tick-label"};
    render_chart_text(c, xz, y1 + 19, "0", &t);
    if (stim != NULL) {
        t.cls = "zero-label";
        t.px = 10;
        render_chart_text(c, xz, y1 + 31, "stimulus", &t);
        draw_points(c, stim, y, xz, fig_group_color(stim));
    }
}

/* Whether group @p g is a dose of treatment @p k drawn on its plot (numeric, > 0, in the
 * plot's unit). */
static bool on_plot(const fig_group *g, size_t k, const char *unit)
{
    return g->role == FIG_TREATED && g->treat == k && g->dose_value > 0 &&
           strcmp(g->unit, unit) == 0;
}

/* The dose range of treatment @p k's groups in @p unit; the largest value drawn. */
static size_t dose_range(const fig_groups *gs, size_t k, const char *unit, double *lo,
                         double *hi, double *ymax)
{
    size_t m = 0;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < gs->n; i++) {
        const fig_group *g = &gs->g[i];
        if (on_plot(g, k, unit)) {
            *lo = fmin(*lo, g->dose_value);
            *hi = fmax(*hi, g->dose_value);
            m++;
        }
        if (g->role != FIG_TREATED || on_plot(g, k, unit)) {
            *ymax = fmax(*ymax, g->mean + (isfinite(g->sd) ? g->sd : 0));
            for (size_t j = 0; j < g->n; j++) {
                *ymax = fmax(*ymax, g->v[j]);
            }
        }
    }
    return m;
}

static apo_status one_dose_plot(const char *base, const assay_result *res,
                                const fig_groups *gs, size_t k, apo_error *err)
{
    const char *unit = NULL; /* the unit of the treatment's first numeric dose */
    size_t left_out = 0;     /* its groups that cannot be drawn: no number, another unit */
    for (size_t i = 0; i < gs->n; i++) {
        const fig_group *g = &gs->g[i];
        if (g->role == FIG_TREATED && g->treat == k && g->dose_value > 0 && unit == NULL) {
            unit = g->unit;
        }
    }
    if (unit == NULL) {
        return APO_OK;
    }
    for (size_t i = 0; i < gs->n; i++) {
        left_out += gs->g[i].role == FIG_TREATED && gs->g[i].treat == k &&
                    !on_plot(&gs->g[i], k, unit);
    }
    double lo, hi, ymax = 10;
    size_t m = dose_range(gs, k, unit, &lo, &hi, &ymax);
    const assay_dose_fit *fit = find_fit(res, gs->treatments[k], unit);
    render_chart_axis x, y;
    if (hi / lo > 10) {
        render_chart_axis_log(&x, lo, hi);
    } else {
        double pad = hi > lo ? 0.1 * (hi - lo) : 0.25 * lo;
        render_chart_axis_linear(&x, lo - pad, hi + pad, false);
    }
    double w = LEFT + ZERO_SLOT + PLOT_W + 24, h = TOP + PLOT_H + 64;
    double x0 = LEFT + ZERO_SLOT, y1 = TOP + PLOT_H;
    x.p0 = x0 + 12;
    x.p1 = x0 + PLOT_W - 12;
    render_chart_axis_linear(&y, 0, fmin(ymax * 1.1, 100), true);
    y.p0 = y1;
    y.p1 = TOP;
    render_chart *c;
    apo_status st = render_chart_new(&c, w, h, err);
    if (st != APO_OK) {
        return st;
    }
    char title[200], sub[240], xt[120];
    snprintf(title, sizeof title, "%s: apoptotic %% by dose", gs->treatments[k]);
    int len;
    if (fit != NULL) {
        len = snprintf(sub, sizeof sub, "4PL fit: EC50 %.4g %s (95%% CI %.4g-%.4g), Hill %.3g",
                       fit->ec50, fit->dose_unit, fit->ec50_ci_lo, fit->ec50_ci_hi, fit->hill);
    } else {
        len = snprintf(sub, sizeof sub, "%zu dose%s; no 4PL curve (fitted from 4 doses)", m,
                       m == 1 ? "" : "s");
    }
    if (left_out > 0 && len > 0 && (size_t)len < sizeof sub) {
        snprintf(sub + len, sizeof sub - (size_t)len, "; %zu group%s not drawn (dose 0, not a "
                 "number or another unit)", left_out, left_out == 1 ? "" : "s");
    }
    snprintf(xt, sizeof xt, "dose (%s)%s", unit[0] ? unit : "no unit", x.log ? ", log scale" : "");
    fig_titles(c, w, title, sub);
    render_chart_axis_draw(c, &y, true, LEFT, "apoptotic % of singlets");
    render_chart_axis_draw(c, &x, false, y1, xt);
    const fig_group *stim = role_group(gs, FIG_STIMULUS), *untr = role_group(gs, FIG_UNTREATED);
    zero_slot(c, stim, &y, x0, y1);
    ref_line(c, &y, x0, x0 + PLOT_W, stim ? stim->mean : NAN, 0x707070, "stimulus mean");
    ref_line(c, &y, x0, x0 + PLOT_W, untr ? untr->mean : NAN, 0xa0a0a0, "untreated mean");
    uint32_t col = 0x1f77b4;
    for (size_t i = 0; i < gs->n; i++) {
        const fig_group *g = &gs->g[i];
        if (on_plot(g, k, unit)) {
            col = fig_group_color(g);
            draw_points(c, g, &y, render_chart_axis_at(&x, g->dose_value), col);
        }
    }
    if (fit != NULL) {
        draw_curve(c, fit, &x, &y, col);
    }
    st = fig_write(c, base, title, true, err);
    render_chart_free(c);
    return st;
}

apo_status report_dose_figures(const char *outdir, const assay_result *res,
                               const fig_groups *gs, apo_error *err)
{
    apo_status st = APO_OK;
    for (size_t k = 0; st == APO_OK && k < gs->n_treatments; k++) {
        char base[4096];
        snprintf(base, sizeof base, "%s/plots/dose_%zu", outdir, k + 1);
        st = one_dose_plot(base, res, gs, k, err);
    }
    return st;
}
