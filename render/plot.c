/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * plot.c: lays out one plot inside its panel cell (docs/plots.md, "Layout": margins L 92, B 72,
 * T 64, R 24 at 1x, square plot area) and draws it in layers: events (clipped to the plot
 * area), overlays, then frame, ticks, labels and the two-line title. A dot or pseudocolor plot
 * is drawn from its display subsample alone: its automatic axis ranges and density shading
 * come from the events drawn.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void draw_title(const rc_canvas *c, rctx *ctx, const char *text, double cx, double base,
                       double px, bool bold, uint32_t color, double max_w)
{
    if (!text || !text[0]) return;
    rtext_metrics m = rtext_measure(ctx->font, text, px, bold);
    if (m.width > max_w && m.width > 0) {
        px *= max_w / m.width;
        m = rtext_measure(ctx->font, text, px, bold);
    }
    rtext_draw(c, ctx->font, text, cx - m.width / 2, base, px, bold, color);
}

/* Pooled x values of every histogram series, for an automatic x range. */
static apo_status pooled_x(const render_plot *p, double **out, size_t *n_out, apo_error *err)
{
    size_t n = 0;
    for (size_t s = 0; s < p->n_series; s++) n += p->series[s].n;
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu values, found none", n);
    }
    size_t k = 0;
    for (size_t s = 0; s < p->n_series; s++) {
        if (p->series[s].n) memcpy(x + k, p->series[s].x, p->series[s].n * sizeof *x);
        k += p->series[s].n;
    }
    *out = x;
    *n_out = n;
    return APO_OK;
}

static apo_status check_plot(const render_plot *p, apo_error *err)
{
    if (p->kind == RENDER_HISTOGRAM) {
        for (size_t s = 0; s < p->n_series; s++) {
            if (p->series[s].n > 0 && !p->series[s].x) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                                     "expected values for histogram series %zu, found NULL", s);
            }
        }
        if (p->n_series == 0 && p->n > 0 && !p->x) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                                 "expected x values for a histogram, found NULL");
        }
        return APO_OK;
    }
    if (p->kind > RENDER_HISTOGRAM) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a plot kind 0..3, found %d", (int)p->kind);
    }
    if (p->n > 0 && (!p->x || !p->y)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected x and y values for a 2-D plot, found NULL");
    }
    return APO_OK;
}

/* One plot of the events it draws. */
static apo_status rplot_draw_events(render_image *img, rctx *ctx, const render_plot *p,
                                    int cell_x, int cell_y, int cell_w, int cell_h,
                                    apo_error *err)
{
    apo_status st = APO_OK;
    double u = ctx->u;
    double T = 64 * u, /* same for every cell, so panel frames line up */
           L = 92 * u, B = 72 * u, R = 24 * u;
    double side = fmin(cell_w - L - R, cell_h - T - B);
    if (side < 20) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a plot cell large enough for a plot, found %dx%d px",
                             cell_w, cell_h);
    }
    rframe f;
    f.x0 = floor(cell_x + L + ((cell_w - L - R) - side) / 2);
    f.y0 = floor(cell_y + T);
    f.x1 = f.x0 + floor(side);
    f.y1 = f.y0 + floor(side);

    raxis ax, ay;
    if (p->kind == RENDER_HISTOGRAM && p->n_series > 0) {
        double *pool = NULL;
        size_t np = 0;
        st = pooled_x(p, &pool, &np, err);
        if (st == APO_OK) st = raxis_resolve(&ax, &p->xaxis, pool, np, err);
        free(pool);
    } else {
        st = raxis_resolve(&ax, &p->xaxis, p->x, p->n, err);
    }
    if (st == APO_OK && p->kind != RENDER_HISTOGRAM) {
        st = raxis_resolve(&ay, &p->yaxis, p->y, p->n, err);
    }
    if (st != APO_OK) return st;

    rc_canvas c;
    rc_canvas_init(&c, img);
    rc_canvas_clip(&c, (int)f.x0, (int)f.y0, (int)f.x1, (int)f.y1);
    switch (p->kind) {
    case RENDER_HISTOGRAM:
        st = rplot_hist(&c, ctx, p, &ax, &ay, &f, err);
        break;
    case RENDER_CONTOUR:
        st = rplot_contour(&c, ctx, p, &ax, &ay, &f, err);
        break;
    case RENDER_DOT:
    case RENDER_PSEUDOCOLOR:
    default:
        st = rplot_scatter(&c, ctx, p, &ax, &ay, &f, err);
        break;
    }
    if (st == APO_OK) { /* on a histogram: gates only (1-D ranges on x), no quadrant */
        st = rplot_overlays(&c, ctx, p, &ax, &ay, &f, err);
    }
    if (st != APO_OK) return st;

    rc_canvas_clip(&c, cell_x, cell_y, cell_x + cell_w, cell_y + cell_h);
    const char *ytitle = p->yaxis.title;
    if (p->kind == RENDER_HISTOGRAM) {
        ytitle = p->hist_norm == RENDER_HIST_MODE ? "% of max" : "Count";
    }
    st = rplot_axes(&c, ctx, &ax, &ay, p->xaxis.title, ytitle, &f, err);
    if (st != APO_OK) return st;
    double cx = (f.x0 + f.x1) / 2, maxw = cell_w - 8 * u;
    if (p->title && p->title[0]) {
        draw_title(&c, ctx, p->title, cx, cell_y + 26 * u, 14 * u, true, 0x101010, maxw);
        draw_title(&c, ctx, p->subtitle, cx, cell_y + 46 * u, 11 * u, false, 0x555555, maxw);
    } else {
        draw_title(&c, ctx, p->subtitle, cx, cell_y + 36 * u, 11 * u, false, 0x555555, maxw);
    }
    return APO_OK;
}

/* The display subsample of a dot or pseudocolor plot (render_subsample, at most max_events)
 * as a plot of its own: the events drawn, and the events its axis ranges and density shading
 * come from (docs/plots.md, "Density"). *xs and *ys are malloc'd; NULL when every event is
 * drawn (then *out is *p). */
static apo_status drawn_plot(const rctx *ctx, const render_plot *p, render_plot *out,
                             double **xs, double **ys, apo_error *err)
{
    *out = *p;
    *xs = *ys = NULL;
    const size_t n = p->n, max = ctx->opts->max_events;
    if ((p->kind != RENDER_PSEUDOCOLOR && p->kind != RENDER_DOT) || max == 0 || n <= max) {
        return APO_OK;
    }
    size_t *idx = malloc(max * sizeof *idx);
    double *x = malloc(max * sizeof *x), *y = malloc(max * sizeof *y);
    if (!idx || !x || !y) {
        free(idx);
        free(x);
        free(y);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu events, found none", max);
    }
    const size_t m = render_subsample(n, max, ctx->opts->seed, idx);
    for (size_t i = 0; i < m; i++) {
        x[i] = p->x[idx[i]];
        y[i] = p->y[idx[i]];
    }
    free(idx);
    out->x = *xs = x;
    out->y = *ys = y;
    out->n = m;
    return APO_OK;
}

apo_status rplot_draw(render_image *img, rctx *ctx, const render_plot *all, int cell_x,
                      int cell_y, int cell_w, int cell_h, apo_error *err)
{
    apo_status st = check_plot(all, err);
    if (st != APO_OK) return st;
    render_plot drawn;
    double *xs = NULL, *ys = NULL;
    st = drawn_plot(ctx, all, &drawn, &xs, &ys, err);
    if (st != APO_OK) return st;
    st = rplot_draw_events(img, ctx, &drawn, cell_x, cell_y, cell_w, cell_h, err);
    free(xs);
    free(ys);
    return st;
}
