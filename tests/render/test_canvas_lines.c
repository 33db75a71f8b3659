/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_canvas_lines.c: rc_line (canvas.c), which visits only the pixels whose centre is
 * within the line's band, and rc_blend's opaque case, against the plain drawing they replace
 * (every pixel of the wide box around the line, blended channel by channel): the same bytes
 * for horizontal, vertical, steep, shallow, nearly horizontal and degenerate lines, thin and
 * wide, opaque and translucent, at whole and half pixel positions, partly or wholly outside
 * the canvas and its clip rectangle, and far away.
 */
#include "render/render_internal.h"

#include "support/png_util.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double uniform(uint64_t *s)
{
    return (double)(rt_splitmix64(s) >> 11) * 0x1p-53;
}

/* ---- the plain drawing, as canvas.c drew lines before ---- */

static uint8_t plain_mix(uint8_t dst, unsigned src, double a)
{
    double v = dst + ((double)src - dst) * a;
    return (uint8_t)(v + 0.5);
}

static void plain_blend(const rc_canvas *c, int x, int y, uint32_t color, double alpha)
{
    if (x < c->clip_x0 || y < c->clip_y0 || x >= c->clip_x1 || y >= c->clip_y1 ||
        !(alpha > 0)) {
        return;
    }
    if (alpha > 1) alpha = 1;
    uint8_t *p = c->img->rgb + ((size_t)y * c->img->width + (size_t)x) * 3;
    p[0] = plain_mix(p[0], (color >> 16) & 0xff, alpha);
    p[1] = plain_mix(p[1], (color >> 8) & 0xff, alpha);
    p[2] = plain_mix(p[2], color & 0xff, alpha);
}

static double plain_seg_dist(double px, double py, double x0, double y0, double dx, double dy,
                             double len2)
{
    double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    double ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
    return sqrt(ex * ex + ey * ey);
}

static void plain_line(const rc_canvas *c, double x0, double y0, double x1, double y1,
                       double width, uint32_t color, double alpha)
{
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1) || !(width > 0)) {
        return;
    }
    double hw = width / 2;
    double thin = width < 1 ? width : 1;
    double reach = (hw > 0.5 ? hw : 0.5) + 1;
    double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    double len = sqrt(len2);
    int by0 = (int)floor((y0 < y1 ? y0 : y1) - reach);
    int by1 = (int)ceil((y0 > y1 ? y0 : y1) + reach);
    double bx0 = (x0 < x1 ? x0 : x1) - reach, bx1 = (x0 > x1 ? x0 : x1) + reach;
    if (by0 < c->clip_y0) by0 = c->clip_y0;
    if (by1 > c->clip_y1) by1 = c->clip_y1;
    double eff = (hw > 0.5 ? hw : 0.5) + 0.5;
    for (int y = by0; y < by1; y++) {
        double py = y + 0.5;
        double rx0 = bx0, rx1 = bx1;
        if (fabs(dy) > 1e-9 && len > 0) {
            double xc = x0 + (py - y0) * dx / dy;
            double half = reach * len / fabs(dy);
            if (xc - half > rx0) rx0 = xc - half;
            if (xc + half < rx1) rx1 = xc + half;
        }
        int ix0 = (int)floor(rx0), ix1 = (int)ceil(rx1);
        if (ix0 < c->clip_x0) ix0 = c->clip_x0;
        if (ix1 > c->clip_x1) ix1 = c->clip_x1;
        for (int x = ix0; x < ix1; x++) {
            double d = plain_seg_dist(x + 0.5, py, x0, y0, dx, dy, len2);
            double cov = eff - d;
            if (cov <= 0) continue;
            if (cov > 1) cov = 1;
            plain_blend(c, x, y, color, alpha * cov * thin);
        }
    }
}

/* ---- the comparison ---- */

enum { W = 160, H = 120 };

/* Two images with the same noisy background and their canvases, clipped as @p clip says
 * (0: the whole image, 1: an inner rectangle). */
typedef struct pair {
    render_image *a, *b;
    rc_canvas ca, cb;
} pair;

static void pair_init(pair *p, uint64_t seed, int clip)
{
    apo_error err = {0};
    cr_assert_eq(render_image_new(&p->a, W, H, &err), APO_OK);
    cr_assert_eq(render_image_new(&p->b, W, H, &err), APO_OK);
    for (size_t i = 0; i < (size_t)W * H * 3; i++) {
        p->a->rgb[i] = (uint8_t)(rt_splitmix64(&seed) >> 56);
    }
    memcpy(p->b->rgb, p->a->rgb, (size_t)W * H * 3);
    rc_canvas_init(&p->ca, p->a);
    rc_canvas_init(&p->cb, p->b);
    if (clip) {
        rc_canvas_clip(&p->ca, 13, 9, W - 21, H - 17);
        rc_canvas_clip(&p->cb, 13, 9, W - 21, H - 17);
    }
}

static void pair_free(pair *p)
{
    render_image_free(p->a);
    render_image_free(p->b);
}

static size_t draw_both(pair *p, const double l[4], double width, uint32_t color, double alpha)
{
    rc_line(&p->ca, l[0], l[1], l[2], l[3], width, color, alpha);
    plain_line(&p->cb, l[0], l[1], l[2], l[3], width, color, alpha);
    size_t diff = 0;
    for (size_t i = 0; i < (size_t)W * H * 3; i++) diff += p->a->rgb[i] != p->b->rgb[i];
    return diff;
}

/* A line of kind @p kind: 0 any, 1 horizontal, 2 vertical, 3 nearly horizontal, 4 nearly
 * vertical, 5 a point, 6 steep at the threshold of the narrow band (|dy| = len / 64). */
static void make_line(int kind, uint64_t *s, double l[4])
{
    const double span_x = W * 1.4, span_y = H * 1.4;
    for (int i = 0; i < 4; i++) {
        double v = uniform(s) * (i % 2 ? span_y : span_x) - (i % 2 ? H : W) * 0.2;
        if (rt_splitmix64(s) % 3 == 0) v = floor(v) + (rt_splitmix64(s) % 2 ? 0.5 : 0); /* on grid */
        l[i] = v;
    }
    switch (kind) {
    case 1: l[3] = l[1]; break;
    case 2: l[2] = l[0]; break;
    case 3: l[3] = l[1] + (uniform(s) - 0.5) * 1e-3; break;
    case 4: l[2] = l[0] + (uniform(s) - 0.5) * 1e-3; break;
    case 5: l[2] = l[0]; l[3] = l[1]; break;
    case 6: {
        double dx = 40 + uniform(s) * 50, dy = dx / sqrt(64.0 * 64.0 - 1); /* len / 64 */
        l[2] = l[0] + dx;
        l[3] = l[1] + (rt_splitmix64(s) % 2 ? dy : -dy);
        break;
    }
    default: break;
    }
}

Test(canvas_lines, narrow_band_draws_the_same_bytes_as_the_wide_box)
{
    static const double widths[] = {0.25, 0.6, 1.0, 1.5, 2.0, 3.0, 4.5, 7.0};
    static const double alphas[] = {1.0, 0.55, 1.7, 0.08};
    static const uint32_t colors[] = {0x000000, 0xd62728, 0x1f77b4, 0xffffff};
    uint64_t s = 17;
    size_t lines = 0;
    for (int clip = 0; clip < 2; clip++) {
        pair p;
        pair_init(&p, 1000 + (uint64_t)clip, clip);
        for (int rep = 0; rep < 300; rep++) {
            for (int kind = 0; kind <= 6; kind++) {
                double l[4];
                make_line(kind, &s, l);
                double w = widths[rt_splitmix64(&s) % 8];
                double a = alphas[rt_splitmix64(&s) % 4];
                uint32_t col = colors[rt_splitmix64(&s) % 4];
                size_t diff = draw_both(&p, l, w, col, a);
                cr_assert_eq(diff, 0,
                             "line (%.17g, %.17g)-(%.17g, %.17g) width %g alpha %g clip %d: %zu "
                             "bytes differ",
                             l[0], l[1], l[2], l[3], w, a, clip, diff);
                lines++;
            }
        }
        pair_free(&p);
    }
    cr_assert_eq(lines, 2 * 300 * 7);
}

Test(canvas_lines, lines_of_the_plots_and_far_away_ones_draw_the_same_bytes)
{
    /* the kinds the figures draw (axis lines and ticks at half pixels, a step polyline, a
     * dashed median), huge coordinates reaching into the canvas, and empty widths */
    static const double lines[][5] = {
        {10.5, 20.5, 150.5, 20.5, 1.0},     {10.5, 20.5, 10.5, 110.5, 1.0},
        {30, 40, 30, 41, 2.0},              {30, 40, 31, 40, 2.0},
        {0, 60, 160, 60.25, 1.5},           {5, 5, 155, 115, 0.75},
        {-1e7, 50.5, 1e7, 50.5, 1.0},       {80.5, -1e9, 80.5, 1e9, 3.0},
        {-3e6, -2e6, 3e6, 2e6 + 60, 2.0},   {2e5, 2e5, 2e5 + 1, 2e5, 1.0}  ,
        {40, 30, 40, 30, 3.0},              {60, 30, 90, 30, 0.0},
        {159.5, 0, 159.5, 120, 1.0},        {0, 119.5, 160, 119.5, 1.0},
    };
    pair p;
    pair_init(&p, 5, 0);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const double *l = lines[i];
        cr_assert_eq(draw_both(&p, l, l[4], 0x333333, 1), 0, "line %zu", i);
        cr_assert_eq(draw_both(&p, l, l[4], 0x2ca02c, 0.4), 0, "line %zu translucent", i);
    }
    /* a 1-px step polyline, as the Time plot draws */
    double x = 12.5, y = 60.5;
    uint64_t s = 3;
    for (int k = 0; k < 40; k++) {
        double ny = 20 + uniform(&s) * 80;
        const double h[4] = {x, y, x + 3, y}, v[4] = {x + 3, y, x + 3, ny};
        cr_assert_eq(draw_both(&p, h, 1.5, 0x1f77b4, 1), 0);
        cr_assert_eq(draw_both(&p, v, 1.5, 0x1f77b4, 1), 0);
        x += 3;
        y = ny;
    }
    pair_free(&p);
}

Test(canvas_lines, opaque_blend_writes_the_colour)
{
    /* rc_blend at alpha >= 1 writes the colour; the mix it skips gives the same bytes */
    pair p;
    pair_init(&p, 9, 1);
    uint64_t s = 4;
    for (int i = 0; i < 20000; i++) {
        int x = (int)(rt_splitmix64(&s) % (W + 20)) - 10, y = (int)(rt_splitmix64(&s) % (H + 20)) - 10;
        uint32_t col = (uint32_t)(rt_splitmix64(&s) >> 40);
        double a = i % 2 ? 1.0 : 1.0 + uniform(&s);
        rc_blend(&p.ca, x, y, col, a);
        plain_blend(&p.cb, x, y, col, a);
    }
    cr_assert_eq(memcmp(p.a->rgb, p.b->rgb, (size_t)W * H * 3), 0);
    pair_free(&p);
}
