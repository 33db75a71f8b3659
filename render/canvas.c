/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * canvas.c: the raster primitives every plot is drawn with: blending into an RGB8 image
 * inside a clip rectangle, anti-aliased lines (coverage from the distance to the segment,
 * computed only for the pixels within the line's band), rectangles, discs and even-odd
 * polygons (sub-scanline coverage). Pixel (x, y) covers
 * [x, x+1) x [y, y+1); its centre is (x + 0.5, y + 0.5).
 */
#include "render/render_internal.h"
#include "util/clones.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rc_canvas_init(rc_canvas *c, render_image *img)
{
    c->img = img;
    rc_canvas_unclip(c);
}

void rc_canvas_unclip(rc_canvas *c)
{
    c->clip_x0 = 0;
    c->clip_y0 = 0;
    c->clip_x1 = (int)c->img->width;
    c->clip_y1 = (int)c->img->height;
}

void rc_canvas_clip(rc_canvas *c, int x0, int y0, int x1, int y1)
{
    c->clip_x0 = x0 < 0 ? 0 : x0;
    c->clip_y0 = y0 < 0 ? 0 : y0;
    c->clip_x1 = x1 > (int)c->img->width ? (int)c->img->width : x1;
    c->clip_y1 = y1 > (int)c->img->height ? (int)c->img->height : y1;
}

static uint8_t mix(uint8_t dst, unsigned src, double a)
{
    double v = dst + ((double)src - dst) * a;
    return (uint8_t)(v + 0.5);
}

/* rc_blend, inlined where it is called per pixel. */
static inline void blend(const rc_canvas *c, int x, int y, uint32_t color, double alpha)
{
    if (x < c->clip_x0 || y < c->clip_y0 || x >= c->clip_x1 || y >= c->clip_y1 ||
        !(alpha > 0)) {
        return;
    }
    uint8_t *p = c->img->rgb + ((size_t)y * c->img->width + (size_t)x) * 3;
    if (alpha >= 1) {
        /* mix(d, s, 1) = (uint8_t)(d + (s - d) + 0.5) = s: small integers, exact in double */
        p[0] = (uint8_t)(color >> 16);
        p[1] = (uint8_t)(color >> 8);
        p[2] = (uint8_t)color;
        return;
    }
    p[0] = mix(p[0], (color >> 16) & 0xff, alpha);
    p[1] = mix(p[1], (color >> 8) & 0xff, alpha);
    p[2] = mix(p[2], color & 0xff, alpha);
}

void rc_blend(const rc_canvas *c, int x, int y, uint32_t color, double alpha)
{
    blend(c, x, y, color, alpha);
}

void rc_fill_box(const rc_canvas *c, int x0, int y0, int x1, int y1, uint32_t color)
{
    if (x0 < c->clip_x0) x0 = c->clip_x0;
    if (y0 < c->clip_y0) y0 = c->clip_y0;
    if (x1 > c->clip_x1) x1 = c->clip_x1;
    if (y1 > c->clip_y1) y1 = c->clip_y1;
    uint8_t r = (uint8_t)(color >> 16), g = (uint8_t)(color >> 8), b = (uint8_t)color;
    for (int y = y0; y < y1; y++) {
        uint8_t *p = c->img->rgb + ((size_t)y * c->img->width + (size_t)x0) * 3;
        for (int x = x0; x < x1; x++, p += 3) {
            p[0] = r;
            p[1] = g;
            p[2] = b;
        }
    }
}

static double overlap(double a0, double a1, double b0, double b1)
{
    double lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0;
}

static void full_lut(uint32_t color, double alpha, uint8_t lut[3][256]);

void rc_fill_rect(const rc_canvas *c, double x0, double y0, double x1, double y1,
                  uint32_t color, double alpha)
{
    if (x1 < x0) { double t = x0; x0 = x1; x1 = t; }
    if (y1 < y0) { double t = y0; y0 = y1; y1 = t; }
    int ix0 = (int)floor(x0), ix1 = (int)ceil(x1), iy0 = (int)floor(y0), iy1 = (int)ceil(y1);
    if (ix0 < c->clip_x0) ix0 = c->clip_x0;
    if (iy0 < c->clip_y0) iy0 = c->clip_y0;
    if (ix1 > c->clip_x1) ix1 = c->clip_x1;
    if (iy1 > c->clip_y1) iy1 = c->clip_y1;
    if (!(alpha > 0)) {
        return; /* every pixel's alpha * cy * overlap is then <= 0 or NaN: rc_blend draws none */
    }
    /* a pixel covered whole gets alpha * 1 * 1 = alpha: rc_blend's result for each channel
     * value, tabulated when first needed (the same mix, so the same bytes, as
     * rc_fill_polygon does); the pixels are inside the clip, as rc_blend checks */
    uint8_t full[3][256];
    bool full_built = false;
    for (int y = iy0; y < iy1; y++) {
        double cy = overlap(y, y + 1.0, y0, y1);
        for (int x = ix0; x < ix1; x++) {
            double cx = overlap(x, x + 1.0, x0, x1);
            if (cy == 1 && cx == 1) {
                if (!full_built) {
                    full_lut(color, alpha, full);
                    full_built = true;
                }
                uint8_t *p = c->img->rgb + ((size_t)y * c->img->width + (size_t)x) * 3;
                p[0] = full[0][p[0]];
                p[1] = full[1][p[1]];
                p[2] = full[2][p[2]];
            } else {
                rc_blend(c, x, y, color, alpha * cy * cx);
            }
        }
    }
}

/* How much farther than eff from the line a pixel's centre must be to be skipped unseen, per
 * unit of the coordinates' size (far above their rounding errors, about 1e-15 of it). */
#define LINE_MARGIN 1e-9
/* Pixels of a row whose coverages are computed together. */
#define LINE_RUN 64

static double seg_dist(double px, double py, double x0, double y0, double dx, double dy,
                       double len2)
{
    double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    double ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
    return sqrt(ex * ex + ey * ey);
}

/* eff - seg_dist of the pixels xs..xe-1 of the row with centre py into cov, for len2 > 0 and
 * coordinates far from overflow (so t is finite): seg_dist written out without branches, so
 * that it is vectorised (canvas.c is compiled without errno from sqrt and without trapping
 * compares, which changes no value; IEEE division and square root round each lane as the
 * scalar instructions do, and ISO C fuses no multiply-add); also built for AVX2 (APO_CLONES,
 * util/clones.h). */
APO_CLONES("avx2")
static void line_cov(double *cov, int xs, int xe, double py, double x0, double y0,
                     double dx, double dy, double len2, double eff)
{
    for (int x = xs; x < xe; x++) {
        const double px = x + 0.5;
        double t = ((px - x0) * dx + (py - y0) * dy) / len2;
        t = t < 0 ? 0 : t;
        t = t > 1 ? 1 : t;
        const double ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
        cov[x - xs] = eff - sqrt(ex * ex + ey * ey);
    }
}

void rc_line(const rc_canvas *c, double x0, double y0, double x1, double y1, double width,
             uint32_t color, double alpha)
{
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1) || !(width > 0)) {
        return;
    }
    double hw = width / 2;
    double thin = width < 1 ? width : 1; /* thin lines: fainter, not narrower than a pixel */
    double reach = (hw > 0.5 ? hw : 0.5) + 1;
    double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    double len = sqrt(len2);
    int by0 = (int)floor((y0 < y1 ? y0 : y1) - reach);
    int by1 = (int)ceil((y0 > y1 ? y0 : y1) + reach);
    double bx0 = (x0 < x1 ? x0 : x1) - reach, bx1 = (x0 > x1 ? x0 : x1) + reach;
    if (by0 < c->clip_y0) by0 = c->clip_y0;
    if (by1 > c->clip_y1) by1 = c->clip_y1;
    double eff = (hw > 0.5 ? hw : 0.5) + 0.5;
    /* A pixel whose centre lies band = eff + a margin or more from the segment's line is at
     * least that far from the segment, so seg_dist gives d >= eff (its rounding errors are far
     * below the margin) and cov = eff - d <= 0: it is skipped without computing d. This
     * narrows the pixels visited to the band where cov > 0 can hold (the same pixels drawn,
     * the same arithmetic for each); the tests compare with the wide band. */
    const double size = 1 + fabs(x0) + fabs(y0) + fabs(x1) + fabs(y1) + c->clip_x1 + c->clip_y1;
    const double band = eff + LINE_MARGIN * size;
    /* a band's half-width along a row, from the distance to the line, where the line is
     * steep enough for that to be well conditioned */
    const bool steep = fabs(dy) * 64 >= len && len > 0;
    const double tight = steep ? band * len / fabs(dy) + LINE_MARGIN * size : 0;
    for (int y = by0; y < by1; y++) {
        double py = y + 0.5;
        if (dy == 0 && fabs(py - y0) >= band) {
            continue; /* horizontal: seg_dist's ey is exactly py - y0 */
        }
        double rx0 = bx0, rx1 = bx1;
        double tx0 = -INFINITY, tx1 = INFINITY; /* the narrow band: centres in (tx0, tx1) */
        if (dx == 0) { /* vertical: seg_dist's ex is exactly px - x0 */
            tx0 = x0 - band;
            tx1 = x0 + band;
        }
        if (fabs(dy) > 1e-9 && len > 0) {
            /* x where the centre line crosses this row, +- the band's horizontal half-width */
            double xc = x0 + (py - y0) * dx / dy;
            double half = reach * len / fabs(dy);
            if (xc - half > rx0) rx0 = xc - half;
            if (xc + half < rx1) rx1 = xc + half;
            if (steep) {
                double mg = LINE_MARGIN * (size + fabs(xc)); /* xc's rounding, with room */
                if (xc - tight - mg > tx0) tx0 = xc - tight - mg;
                if (xc + tight + mg < tx1) tx1 = xc + tight + mg;
            }
        }
        int ix0 = (int)floor(rx0), ix1 = (int)ceil(rx1);
        /* pixel x's centre x + 0.5 is in (tx0, tx1) for x in [floor(tx0 - 0.5) + 1,
         * ceil(tx1 - 0.5)); the others are skipped (compared as doubles: no overflow) */
        const double lo = floor(tx0 - 0.5) + 1, hi = ceil(tx1 - 0.5);
        if (lo > ix0) ix0 = lo < ix1 ? (int)lo : ix1;
        if (hi < ix1) ix1 = hi > ix0 ? (int)hi : ix0;
        if (ix0 < c->clip_x0) ix0 = c->clip_x0;
        if (ix1 > c->clip_x1) ix1 = c->clip_x1;
        /* the coverages of a run of pixels first (a loop without branches, which the
         * compiler vectorises: IEEE division and square root give the same bits in every
         * lane), then the blends */
        for (int xs = ix0; xs < ix1; xs += LINE_RUN) {
            const int xe = ix1 - xs > LINE_RUN ? xs + LINE_RUN : ix1;
            double cov[LINE_RUN];
            if (len2 > 0 && size < 1e100) {
                line_cov(cov, xs, xe, py, x0, y0, dx, dy, len2, eff);
            } else {
                for (int x = xs; x < xe; x++) {
                    cov[x - xs] = eff - seg_dist(x + 0.5, py, x0, y0, dx, dy, len2);
                }
            }
            for (int x = xs; x < xe; x++) {
                double cv = cov[x - xs];
                if (cv <= 0) continue;
                if (cv > 1) cv = 1;
                blend(c, x, y, color, alpha * cv * thin);
            }
        }
    }
}

void rc_polyline(const rc_canvas *c, const double *xy, size_t n, bool closed, double width,
                 uint32_t color, double alpha)
{
    for (size_t i = 0; i + 1 < n; i++) {
        rc_line(c, xy[2 * i], xy[2 * i + 1], xy[2 * i + 2], xy[2 * i + 3], width, color, alpha);
    }
    if (closed && n > 2) {
        rc_line(c, xy[2 * (n - 1)], xy[2 * (n - 1) + 1], xy[0], xy[1], width, color, alpha);
    }
}

/* rc_blend of @p color at @p alpha over every value of each channel. */
static void full_lut(uint32_t color, double alpha, uint8_t lut[3][256])
{
    const double a = alpha > 1 ? 1 : alpha;
    for (unsigned v = 0; v < 256; v++) {
        lut[0][v] = mix((uint8_t)v, (color >> 16) & 0xff, a);
        lut[1][v] = mix((uint8_t)v, (color >> 8) & 0xff, a);
        lut[2][v] = mix((uint8_t)v, color & 0xff, a);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

apo_status rc_fill_polygon(const rc_canvas *c, const double *xy, size_t n, uint32_t color,
                           double alpha, apo_error *err)
{
    enum { SUB = 4 };
    if (n < 3) {
        return APO_OK;
    }
    double miny = INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1])) {
            return APO_OK;
        }
        if (xy[2 * i + 1] < miny) miny = xy[2 * i + 1];
        if (xy[2 * i + 1] > maxy) maxy = xy[2 * i + 1];
    }
    int y0 = (int)floor(miny), y1 = (int)ceil(maxy);
    if (y0 < c->clip_y0) y0 = c->clip_y0;
    if (y1 > c->clip_y1) y1 = c->clip_y1;
    int w = c->clip_x1 - c->clip_x0;
    if (y0 >= y1 || w <= 0) {
        return APO_OK;
    }
    double *cov = calloc((size_t)w + 1, sizeof *cov);
    double *xs = malloc(n * sizeof *xs);
    if (!cov || !xs) {
        free(cov);
        free(xs);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a polygon of %zu vertices, found none", n);
    }
    /* fully covered pixels all get alpha * 1 = alpha: rc_blend's result for each channel
     * value, tabulated when first needed (the same mix, so the same bytes) */
    uint8_t full[3][256];
    bool full_built = false;
    const bool full_ok = alpha > 0;
    for (int y = y0; y < y1; y++) {
        memset(cov, 0, ((size_t)w + 1) * sizeof *cov);
        for (int s = 0; s < SUB; s++) {
            double sy = y + (s + 0.5) / SUB;
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                size_t j = (i + 1) % n;
                double ya = xy[2 * i + 1], yb = xy[2 * j + 1];
                if ((ya <= sy && yb > sy) || (yb <= sy && ya > sy)) {
                    double t = (sy - ya) / (yb - ya);
                    xs[k++] = xy[2 * i] + t * (xy[2 * j] - xy[2 * i]);
                }
            }
            qsort(xs, k, sizeof *xs, cmp_double);
            for (size_t i = 0; i + 1 < k; i += 2) {
                double a = xs[i] - c->clip_x0, b = xs[i + 1] - c->clip_x0;
                if (a < 0) a = 0;
                if (b > w) b = w;
                if (b <= a) continue;
                int ia = (int)floor(a), ib = (int)floor(b);
                if (ia == ib) {
                    cov[ia] += (b - a) / SUB;
                    continue;
                }
                cov[ia] += (ia + 1 - a) / SUB;
                for (int x = ia + 1; x < ib; x++) cov[x] += 1.0 / SUB;
                if (ib < w) cov[ib] += (b - ib) / SUB;
            }
        }
        for (int x = 0; x < w; x++) {
            if (cov[x] >= 1 && full_ok) { /* inside: the blend of every channel value, once */
                if (!full_built) {
                    full_lut(color, alpha, full);
                    full_built = true;
                }
                const size_t at = (size_t)y * c->img->width + (size_t)(c->clip_x0 + x);
                uint8_t *p = c->img->rgb + at * 3;
                p[0] = full[0][p[0]];
                p[1] = full[1][p[1]];
                p[2] = full[2][p[2]];
            } else if (cov[x] > 0) {
                rc_blend(c, c->clip_x0 + x, y, color, alpha * (cov[x] > 1 ? 1 : cov[x]));
            }
        }
    }
    free(cov);
    free(xs);
    return APO_OK;
}

void rc_disc(const rc_canvas *c, double cx, double cy, double r, uint32_t color, double alpha)
{
    int x0 = (int)floor(cx - r - 1), x1 = (int)ceil(cx + r + 1);
    int y0 = (int)floor(cy - r - 1), y1 = (int)ceil(cy + r + 1);
    for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
            double d = hypot(x + 0.5 - cx, y + 0.5 - cy);
            double cov = r + 0.5 - d;
            if (cov > 0) rc_blend(c, x, y, color, alpha * (cov > 1 ? 1 : cov));
        }
    }
}

apo_status render_image_new(render_image **out, unsigned width, unsigned height, apo_error *err)
{
    *out = NULL;
    size_t px = 0, bytes = 0;
    if (width == 0 || height == 0 || width > 32768 || height > 32768 ||
        !apo_mul_size(width, height, &px) || !apo_mul_size(px, 3, &bytes)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected an image size of 1..32768 px per side, found %ux%u",
                             width, height);
    }
    render_image *img = malloc(sizeof *img);
    uint8_t *rgb = malloc(bytes);
    if (!img || !rgb) {
        free(img);
        free(rgb);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a %ux%u image, found none", width, height);
    }
    memset(rgb, 0xff, bytes);
    img->width = width;
    img->height = height;
    img->rgb = rgb;
    *out = img;
    return APO_OK;
}

void render_image_free(render_image *img)
{
    if (img) {
        free(img->rgb);
        free(img);
    }
}
