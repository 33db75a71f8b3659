/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * overlay.c: annotations drawn over the events (docs/plots.md, "Quadrants"): quadrant lines across
 * the whole plot (where the thresholds are inside the window) with each quadrant's name and
 * percentage in its outer corner, and gate outlines (polygon, rectangle, ellipse: the gate's region
 * clipped to the window, gate_outline.c) with "name pct %" near the top-right point. Labels sit on
 * a white box at 75 % opacity so they stay legible over dense regions. Percentages are the caller's
 * numbers; nothing is computed here.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INK 0x202020u

void rplot_label_box(const rc_canvas *c, rctx *ctx, const char *line1, const char *line2,
                     double x, double y, double *w_out, double *h_out, bool draw)
{
    double u = ctx->u, pad = 3 * u, px = 11 * u, lh = 13 * u;
    double w1 = line1 ? rtext_measure(ctx->font, line1, px, false).width : 0;
    double w2 = line2 ? rtext_measure(ctx->font, line2, px, true).width : 0;
    int lines = (line1 ? 1 : 0) + (line2 ? 1 : 0);
    double w = (w1 > w2 ? w1 : w2) + 2 * pad, h = lines * lh + 2 * pad;
    *w_out = w;
    *h_out = h;
    if (!draw || lines == 0) return;
    rc_fill_rect(c, x, y, x + w, y + h, 0xffffff, 0.75);
    double base = y + pad + lh * 0.8;
    if (line1) {
        rtext_draw(c, ctx->font, line1, x + pad, base, px, false, INK);
        base += lh;
    }
    if (line2) {
        rtext_draw(c, ctx->font, line2, x + pad, base, px, true, INK);
    }
}

static void fmt_pct(char *buf, size_t cap, double pct, int digits)
{
    if (isnan(pct)) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, cap, "%.*f %%", digits, pct);
}

static void draw_quadrant(const rc_canvas *c, rctx *ctx, const render_quadrant *q,
                          const raxis *ax, const raxis *ay, const rframe *f)
{
    double u = ctx->u, lw = 1.5 * u;
    /* a line is drawn only where its threshold is inside the window (clipped, not pinned) */
    double fx = raxis_frac_display(ax, gate_transform_apply(&ax->t, q->x));
    double fy = raxis_frac_display(ay, gate_transform_apply(&ay->t, q->y));
    if (fx >= 0 && fx <= 1) {
        double x = f->x0 + fx * (f->x1 - f->x0);
        rc_line(c, x, f->y0, x, f->y1, lw, INK, 1);
    }
    if (fy >= 0 && fy <= 1) {
        double y = f->y1 - fy * (f->y1 - f->y0);
        rc_line(c, f->x0, y, f->x1, y, lw, INK, 1);
    }
    int digits = q->digits > 0 ? q->digits : 1;
    if (digits > 6) digits = 6;
    char pct[4][32], shortl[4][64];
    const char *l1[4];
    double w[4], h[4];
    for (int k = 0; k < 4; k++) {
        fmt_pct(pct[k], sizeof pct[k], q->pct[k], digits);
        l1[k] = q->label[k] && q->label[k][0] ? q->label[k] : NULL;
        rplot_label_box(c, ctx, l1[k], pct[k][0] ? pct[k] : NULL, 0, 0, &w[k], &h[k], false);
    }
    /* when the two labels of a row would touch, keep only the first word ("Q1") of each */
    static const int rows[2][2] = {{RENDER_Q_UL, RENDER_Q_UR}, {RENDER_Q_LL, RENDER_Q_LR}};
    for (int r = 0; r < 2; r++) {
        int a = rows[r][0], b = rows[r][1];
        if (w[a] + w[b] + 24 * u <= f->x1 - f->x0) continue; /* margins 6 + 6, gap 12 */
        for (int i = 0; i < 2; i++) {
            int k = rows[r][i];
            if (!l1[k]) continue;
            size_t len = strcspn(l1[k], " ");
            if (len >= sizeof shortl[k]) len = sizeof shortl[k] - 1;
            memcpy(shortl[k], l1[k], len);
            shortl[k][len] = '\0';
            l1[k] = shortl[k];
            rplot_label_box(c, ctx, l1[k], pct[k][0] ? pct[k] : NULL, 0, 0, &w[k], &h[k], false);
        }
    }
    for (int k = 0; k < 4; k++) {
        bool right = k == RENDER_Q_LR || k == RENDER_Q_UR;
        bool top = k == RENDER_Q_UL || k == RENDER_Q_UR;
        double x = right ? f->x1 - 6 * u - w[k] : f->x0 + 6 * u;
        double y = top ? f->y0 + 6 * u : f->y1 - 6 * u - h[k];
        rplot_label_box(c, ctx, l1[k], pct[k][0] ? pct[k] : NULL, x, y, &w[k], &h[k], true);
    }
}

static apo_status draw_gate(const rc_canvas *c, rctx *ctx, const render_gate *g,
                            const raxis *ax, const raxis *ay, const rframe *f, apo_error *err)
{
    double *xy = NULL;
    size_t n = 0;
    apo_status st = rgate_outline(g, ax, ay, f, &xy, &n, err);
    if (st != APO_OK) return st;
    double u = ctx->u;
    if (n >= 3) {
        st = rc_fill_polygon(c, xy, n, 0x32cd32, 0.08, err);
        rc_polyline(c, xy, n, true, 1.5 * u, 0x000000, 1);
    }
    char pct[32], text[200];
    fmt_pct(pct, sizeof pct, g->pct, 1);
    snprintf(text, sizeof text, "%s%s%s", g->name ? g->name : "", g->name && pct[0] ? " " : "",
             pct);
    if (st == APO_OK && text[0]) {
        /* near the top-right point of the visible outline (the frame's corner if none) */
        double bx = f->x1, by = f->y0;
        for (size_t i = 0; i < n; i++) {
            if (i == 0 || xy[2 * i] - xy[2 * i + 1] > bx - by) {
                bx = xy[2 * i];
                by = xy[2 * i + 1];
            }
        }
        double w, h;
        rplot_label_box(c, ctx, text, NULL, 0, 0, &w, &h, false);
        double x = bx + 4 * u, y = by - 4 * u - h;
        if (x + w > f->x1 - 2 * u) x = f->x1 - 2 * u - w;
        if (x < f->x0 + 2 * u) x = f->x0 + 2 * u;
        if (y < f->y0 + 2 * u) y = f->y0 + 2 * u;
        if (y + h > f->y1 - 2 * u) y = f->y1 - 2 * u - h;
        rplot_label_box(c, ctx, text, NULL, x, y, &w, &h, true);
    }
    free(xy);
    return st;
}

apo_status rplot_overlays(const rc_canvas *c, rctx *ctx, const render_plot *p, const raxis *ax,
                          const raxis *ay, const rframe *f, apo_error *err)
{
    for (size_t i = 0; i < p->n_gates; i++) {
        apo_status st = draw_gate(c, ctx, &p->gates[i], ax, ay, f, err);
        if (st != APO_OK) return st;
    }
    if (p->quadrant && p->kind != RENDER_HISTOGRAM) {
        draw_quadrant(c, ctx, p->quadrant, ax, ay, f);
    }
    return APO_OK;
}
