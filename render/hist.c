/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hist.c: 1-D histograms and overlays (docs/plots.md, "Histograms"): 256 bins on the display scale
 * (off-scale events are not drawn), light Gaussian smoothing, y as % of each
 * series' mode (or counts). The first series of an overlay is the reference (filled light
 * grey), the others coloured outlines over a light fill (outlines only beyond two series); a
 * legend names each with its n.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NBINS 256
/* values put on the display scale per call of the array transform */
#define HIST_BLOCK 4096

static const uint32_t palette[] = {0xd62728, 0x1f77b4, 0x2ca02c, 0xff7f0e, 0x9467bd, 0x8c564b};

static uint32_t series_color(size_t i, size_t n)
{
    if (n > 1 && i == 0) return 0x808080;
    return palette[(n > 1 ? i - 1 : i) % (sizeof palette / sizeof palette[0])];
}

static size_t series_count(const render_plot *p)
{
    return p->n_series > 0 ? p->n_series : 1;
}

static render_series series_at(const render_plot *p, size_t i)
{
    if (p->n_series > 0) return p->series[i];
    render_series s = {p->x, p->n, NULL};
    return s;
}

apo_status rplot_hist(const rc_canvas *c, rctx *ctx, const render_plot *p, const raxis *ax,
                      raxis *ay, const rframe *f, apo_error *err)
{
    size_t ns = series_count(p);
    double *h = calloc(ns * NBINS, sizeof *h);
    double *tmp = malloc(NBINS * sizeof *tmp);
    double *xy = malloc((NBINS + 2) * 2 * sizeof *xy);
    double *block = malloc(HIST_BLOCK * sizeof *block);
    if (!h || !tmp || !xy || !block) {
        free(h);
        free(tmp);
        free(xy);
        free(block);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a histogram, found none");
    }
    double ymax = 0;
    for (size_t s = 0; s < ns; s++) {
        render_series se = series_at(p, s);
        double *hs = h + s * NBINS;
        for (size_t e0 = 0; e0 < se.n; e0 += HIST_BLOCK) { /* the scale on arrays */
            const size_t nb = se.n - e0 < HIST_BLOCK ? se.n - e0 : HIST_BLOCK;
            gate_transform_apply_array(&ax->t, se.x + e0, block, nb);
            for (size_t e = 0; e < nb; e++) {
                /* off-scale events are left out: a pile-up in an edge bin would become the
                 * mode and squash the curve */
                double fr = raxis_frac_display(ax, block[e]);
                if (!(fr >= 0 && fr <= 1)) continue;
                size_t b = (size_t)(fr * NBINS);
                hs[b >= NBINS ? NBINS - 1 : b] += 1;
            }
        }
        double sig = 2.0 * pow(1e4 / (double)(se.n ? se.n : 1), 0.2);
        rdensity_smooth_1d(hs, NBINS, sig < 1.5 ? 1.5 : (sig > 5 ? 5 : sig), tmp);
        double mx = 0;
        for (size_t b = 0; b < NBINS; b++) mx = hs[b] > mx ? hs[b] : mx;
        if (p->hist_norm == RENDER_HIST_MODE && mx > 0) {
            for (size_t b = 0; b < NBINS; b++) hs[b] *= 100.0 / mx;
            mx = 100;
        }
        if (mx > ymax) ymax = mx;
    }
    if (!(ymax > 0)) ymax = p->hist_norm == RENDER_HIST_MODE ? 100 : 1;
    raxis_linear(ay, 0, ymax * 1.08);
    double W = f->x1 - f->x0, H = f->y1 - f->y0;
    /* fills first, outlines on top, so no curve hides under another series' fill; with more
     * than two series the treated fills would pile up into a muddy colour: outlines only */
    apo_status st = APO_OK;
    for (int pass = 0; pass < 2 && st == APO_OK; pass++) {
        for (size_t s = 0; s < ns && st == APO_OK; s++) {
            const double *hs = h + s * NBINS;
            size_t k = 0;
            xy[k++] = f->x0;
            xy[k++] = f->y1;
            for (size_t b = 0; b < NBINS; b++) {
                xy[k++] = f->x0 + (b + 0.5) / NBINS * W;
                xy[k++] = f->y1 - hs[b] / (ymax * 1.08) * H;
            }
            xy[k++] = f->x1;
            xy[k++] = f->y1;
            uint32_t col = series_color(s, ns);
            bool reference = ns > 1 && s == 0;
            double fill = reference ? 1.0 : (ns == 1 ? 0.35 : (ns == 2 ? 0.22 : 0.0));
            if (pass == 0 && fill > 0) {
                st = rc_fill_polygon(c, xy, NBINS + 2, reference ? 0xc8c8c8 : col, fill, err);
            } else if (pass == 1) {
                rc_polyline(c, xy + 2, NBINS, false, (reference ? 1.0 : 2.0) * ctx->u, col, 1);
            }
        }
    }
    /* legend, top right inside the plot */
    if (st == APO_OK && (ns > 1 || series_at(p, 0).label)) {
        double u = ctx->u, px = 11 * u, pad = 5 * u, sw = 12 * u, lh = 16 * u;
        char text[256], cnt[32];
        double wmax = 0;
        for (size_t s = 0; s < ns; s++) {
            render_series se = series_at(p, s);
            render_format_count(cnt, sizeof cnt, se.n);
            snprintf(text, sizeof text, "%s  n = %s", se.label ? se.label : "", cnt);
            double w = rtext_measure(ctx->font, text, px, false).width;
            wmax = w > wmax ? w : wmax;
        }
        double bw = pad * 3 + sw + wmax, bh = pad * 2 + lh * (double)ns - (lh - sw);
        double bx = f->x1 - 6 * u - bw, by = f->y0 + 6 * u;
        rc_fill_rect(c, bx, by, bx + bw, by + bh, 0xffffff, 0.85);
        for (size_t s = 0; s < ns; s++) {
            render_series se = series_at(p, s);
            double y = by + pad + lh * (double)s;
            uint32_t col = series_color(s, ns);
            bool reference = ns > 1 && s == 0;
            if (reference || ns <= 2) {
                rc_fill_rect(c, bx + pad, y, bx + pad + sw, y + sw, reference ? 0xc8c8c8 : col,
                             reference ? 1 : 0.35);
                rc_polyline(c, (const double[]){bx + pad + 0.5, y + 0.5, bx + pad + sw - 0.5,
                                                y + 0.5, bx + pad + sw - 0.5, y + sw - 0.5,
                                                bx + pad + 0.5, y + sw - 0.5},
                            4, true, u, col, 1);
            } else { /* outline-only series: a line swatch, as drawn */
                rc_line(c, bx + pad, y + sw / 2, bx + pad + sw, y + sw / 2, 2 * u, col, 1);
            }
            render_format_count(cnt, sizeof cnt, se.n);
            snprintf(text, sizeof text, "%s  n = %s", se.label ? se.label : "", cnt);
            rtext_draw(c, ctx->font, text, bx + 2 * pad + sw, y + sw - 2 * u, px, false,
                       0x202020);
        }
    }
    free(h);
    free(tmp);
    free(xy);
    free(block);
    return st;
}
