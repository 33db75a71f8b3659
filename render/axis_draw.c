/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * axis_draw.c: the frame, outward ticks, tick labels and axis titles of one plot. Labels are
 * placed by priority (0 first, then outward) and a label whose box would come closer than
 * 4 px to one already placed, or stick out past an axis end by more than half its size, is
 * dropped: labels never overlap (docs/plots.md, "Axes and ticks").
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdlib.h>

#define AXIS_COLOR 0x303030u
#define LABEL_COLOR 0x202020u

typedef struct box {
    double a0, a1; /* extent along the axis, px */
} box;

/* Crisp position for a line of width w: pixel centre for odd widths, pixel edge for even. */
static double snap(double x, double w)
{
    long iw = lround(w);
    return (iw % 2 == 1) ? floor(x) + 0.5 : floor(x + 0.5);
}

/* Priority: 0 first, then by distance from 0 on the axis (outward). */
static double priority(const rtick *t, double zero_frac)
{
    if (t->value == 0) return -1;
    return fabs(t->frac - zero_frac) + (t->value < 0 ? 0.5 : 0);
}

static int cmp_prio(const void *a, const void *b, const double *pr)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    return (pr[i] > pr[j]) - (pr[i] < pr[j]);
}

/* Insertion sort (few labels), stable and free of qsort_r portability issues. */
static void sort_by_prio(size_t *idx, size_t n, const double *pr)
{
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i];
        size_t j = i;
        while (j > 0 && cmp_prio(&idx[j - 1], &v, pr) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

apo_status raxis_place_labels(rtick *t, size_t n, const double *extent, double len,
                               apo_error *err)
{
    size_t *idx = malloc((n + 1) * sizeof *idx);
    double *pr = malloc((n + 1) * sizeof *pr);
    box *placed = malloc((n + 1) * sizeof *placed);
    if (!idx || !pr || !placed) {
        free(idx);
        free(pr);
        free(placed);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for axis labels, found none");
    }
    double zero = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].value == 0) zero = t[i].frac;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].labelled) {
            idx[m] = i;
            pr[i] = priority(&t[i], zero);
            m++;
        }
    }
    sort_by_prio(idx, m, pr);
    size_t np = 0;
    const double gap = 4;
    for (size_t k = 0; k < m; k++) {
        size_t i = idx[k];
        double c = t[i].frac * len, h = extent[i] / 2;
        box b = {c - h, c + h};
        bool ok = c >= -0.5 && c <= len + 0.5;
        for (size_t p = 0; ok && p < np; p++) {
            if (b.a0 < placed[p].a1 + gap && placed[p].a0 < b.a1 + gap) ok = false;
        }
        if (ok) {
            placed[np++] = b;
        } else {
            t[i].labelled = false;
        }
    }
    free(idx);
    free(pr);
    free(placed);
    return APO_OK;
}

static apo_status draw_axis(const rc_canvas *c, rctx *ctx, const raxis *a, bool vertical,
                            const rframe *f, double *max_label_w, apo_error *err)
{
    double u = ctx->u, lw = u, px = 11 * u;
    rtick *t = NULL;
    size_t n = 0;
    apo_status st = raxis_ticks(a, &t, &n, err);
    if (st != APO_OK) return st;
    double *extent = malloc((n + 1) * sizeof *extent);
    double *width = malloc((n + 1) * sizeof *width);
    if (!extent || !width) {
        free(t);
        free(extent);
        free(width);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for axis labels, found none");
    }
    rtext_metrics fm = rtext_measure(ctx->font, "0", px, false);
    double text_h = fm.ascent * 0.75 + 2; /* cap height-ish, for vertical spacing */
    for (size_t i = 0; i < n; i++) {
        width[i] = t[i].labelled ? rlabel_width(ctx->font, &t[i].label, px) : 0;
        extent[i] = vertical ? text_h + (t[i].label.exp[0] ? 0.3 * px : 0) : width[i];
    }
    double len = vertical ? f->y1 - f->y0 : f->x1 - f->x0;
    st = raxis_place_labels(t, n, extent, len, err);
    *max_label_w = 0;
    for (size_t i = 0; st == APO_OK && i < n; i++) {
        double tl = (t[i].major ? 5 : 3) * u;
        if (vertical) {
            double y = snap(f->y1 - t[i].frac * len, lw);
            rc_line(c, f->x0 - lw / 2, y, f->x0 - lw / 2 - tl - lw / 2, y, lw, AXIS_COLOR, 1);
            if (t[i].labelled) {
                double x = f->x0 - 5 * u - 4 * u - width[i];
                rlabel_draw(c, ctx->font, &t[i].label, x, y + fm.ascent * 0.36, px, LABEL_COLOR);
                if (width[i] > *max_label_w) *max_label_w = width[i];
            }
        } else {
            double x = snap(f->x0 + t[i].frac * len, lw);
            rc_line(c, x, f->y1 + lw / 2, x, f->y1 + lw / 2 + tl + lw / 2, lw, AXIS_COLOR, 1);
            if (t[i].labelled) {
                double y = f->y1 + 5 * u + 4 * u + fm.ascent;
                rlabel_draw(c, ctx->font, &t[i].label, x - width[i] / 2, y, px, LABEL_COLOR);
            }
        }
    }
    free(t);
    free(extent);
    free(width);
    return st;
}

apo_status rplot_axes(const rc_canvas *c, rctx *ctx, const raxis *ax, const raxis *ay,
                      const char *xtitle, const char *ytitle, const rframe *f, apo_error *err)
{
    double u = ctx->u, lw = u;
    /* frame just outside the plot area */
    double l = f->x0 - lw / 2, r = f->x1 + lw / 2, tp = f->y0 - lw / 2, b = f->y1 + lw / 2;
    rc_line(c, l, tp, r, tp, lw, AXIS_COLOR, 1);
    rc_line(c, l, b, r, b, lw, AXIS_COLOR, 1);
    rc_line(c, l, tp, l, b, lw, AXIS_COLOR, 1);
    rc_line(c, r, tp, r, b, lw, AXIS_COLOR, 1);
    double wx = 0, wy = 0;
    apo_status st = draw_axis(c, ctx, ax, false, f, &wx, err);
    if (st == APO_OK) st = draw_axis(c, ctx, ay, true, f, &wy, err);
    if (st != APO_OK) return st;
    double tpx = 13 * u;
    if (xtitle && xtitle[0]) {
        rtext_metrics m = rtext_measure(ctx->font, xtitle, tpx, false);
        double px = tpx;
        if (m.width > (f->x1 - f->x0) + 40 * u) { /* shrink very long titles */
            px = tpx * ((f->x1 - f->x0) + 40 * u) / m.width;
            m = rtext_measure(ctx->font, xtitle, px, false);
        }
        rtext_draw(c, ctx->font, xtitle, (f->x0 + f->x1) / 2 - m.width / 2, f->y1 + 50 * u,
                   px, false, LABEL_COLOR);
    }
    if (ytitle && ytitle[0]) {
        rtext_metrics m = rtext_measure(ctx->font, ytitle, tpx, false);
        double px = tpx;
        if (m.width > (f->y1 - f->y0) + 20 * u) {
            px = tpx * ((f->y1 - f->y0) + 20 * u) / m.width;
            m = rtext_measure(ctx->font, ytitle, px, false);
        }
        double x = f->x0 - 5 * u - 4 * u - wy - 8 * u - m.descent;
        st = rtext_draw_up(c, ctx->font, ytitle, x, (f->y0 + f->y1) / 2 + m.width / 2, px,
                           false, LABEL_COLOR, err);
    }
    return st;
}
