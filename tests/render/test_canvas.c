/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_canvas.c: the raster primitives: image allocation and limits, blending, crisp
 * pixel-aligned lines, anti-aliased coverage (partial pixels at edges), polygon area, discs,
 * clipping, and a stored pixel hash of a primitives-only drawing (no text, so it does not
 * depend on the FreeType version).
 */
#include "render/render_internal.h"
#include "support/png_util.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static double ink_sum(const render_image *img)
{
    /* total darkness in pixel units: sum over pixels of (255 - red) / 255 */
    double s = 0;
    for (size_t i = 0; i < (size_t)img->width * img->height; i++) {
        s += (255 - img->rgb[i * 3]) / 255.0;
    }
    return s;
}

Test(render_canvas, new_image_is_white_and_limits_checked)
{
    render_image *img = NULL;
    apo_error err;
    cr_assert_eq(render_image_new(&img, 10, 7, &err), APO_OK);
    cr_assert_eq(img->width, 10);
    cr_assert_eq(img->height, 7);
    cr_assert_eq(rt_pixel(img, 9, 6), 0xffffff);
    render_image_free(img);
    cr_assert_eq(render_image_new(&img, 0, 7, &err), APO_E_USAGE);
    cr_assert_null(img);
    cr_assert_eq(render_image_new(&img, 40000, 7, &err), APO_E_USAGE);
    render_image_free(NULL);
}

Test(render_canvas, blend_and_box)
{
    render_image *img = NULL;
    cr_assert_eq(render_image_new(&img, 8, 8, NULL), APO_OK);
    rc_canvas c;
    rc_canvas_init(&c, img);
    rc_blend(&c, 1, 1, 0x000000, 0.5);
    cr_assert_eq(rt_pixel(img, 1, 1), 0x808080);
    rc_blend(&c, 2, 2, 0xff0000, 1.0);
    cr_assert_eq(rt_pixel(img, 2, 2), 0xff0000);
    rc_blend(&c, -1, 2, 0xff0000, 1.0); /* outside: ignored, no crash */
    rc_canvas_clip(&c, 4, 4, 8, 8);
    rc_fill_box(&c, 0, 0, 8, 8, 0x00ff00);
    cr_assert_eq(rt_pixel(img, 3, 3), 0xffffff);
    cr_assert_eq(rt_pixel(img, 4, 4), 0x00ff00);
    cr_assert_eq(rt_pixel(img, 7, 7), 0x00ff00);
    render_image_free(img);
}

Test(render_canvas, crisp_and_antialiased_lines)
{
    render_image *img = NULL;
    cr_assert_eq(render_image_new(&img, 40, 40, NULL), APO_OK);
    rc_canvas c;
    rc_canvas_init(&c, img);
    /* a 1 px vertical line through pixel centres covers exactly column 10 */
    rc_line(&c, 10.5, 5, 10.5, 30, 1, 0x000000, 1);
    cr_assert_eq(rt_pixel(img, 10, 15), 0x000000);
    cr_assert_eq(rt_pixel(img, 9, 15), 0xffffff);
    cr_assert_eq(rt_pixel(img, 11, 15), 0xffffff);
    /* on a pixel edge it splits into two half-covered columns */
    rc_line(&c, 20, 5, 20, 30, 1, 0x000000, 1);
    uint32_t a = rt_pixel(img, 19, 15), b = rt_pixel(img, 20, 15);
    cr_assert_eq(a, b);
    cr_assert(a != 0xffffff && a != 0x000000, "edge line pixel %06x should be grey", a);
    render_image_free(img);

    /* a diagonal line's total ink is about length x width */
    cr_assert_eq(render_image_new(&img, 100, 100, NULL), APO_OK);
    rc_canvas_init(&c, img);
    rc_line(&c, 10, 10, 90, 70, 2, 0x000000, 1);
    double len = hypot(80, 60);
    cr_assert(fabs(ink_sum(img) - (len * 2 + 3.14159)) < 0.08 * len * 2, "ink %g for len %g",
              ink_sum(img), len);
    render_image_free(img);
}

Test(render_canvas, polygon_area_and_even_odd)
{
    render_image *img = NULL;
    cr_assert_eq(render_image_new(&img, 100, 100, NULL), APO_OK);
    rc_canvas c;
    rc_canvas_init(&c, img);
    double tri[] = {10.3, 10.7, 80.2, 20.1, 30.9, 90.4};
    cr_assert_eq(rc_fill_polygon(&c, tri, 3, 0x000000, 1, NULL), APO_OK);
    double area = fabs((tri[2] - tri[0]) * (tri[5] - tri[1]) - (tri[4] - tri[0]) * (tri[3] - tri[1])) / 2;
    cr_assert(fabs(ink_sum(img) - area) < 0.01 * area, "ink %g vs area %g", ink_sum(img), area);
    render_image_free(img);

    /* a square with a square hole (one path, even-odd) */
    cr_assert_eq(render_image_new(&img, 100, 100, NULL), APO_OK);
    rc_canvas_init(&c, img);
    double ring[] = {10, 10, 90, 10, 90, 90, 10, 90, 10, 10, 30, 30, 70, 30, 70, 70, 30, 70, 30, 30};
    cr_assert_eq(rc_fill_polygon(&c, ring, 10, 0x000000, 1, NULL), APO_OK);
    cr_assert_eq(rt_pixel(img, 50, 50), 0xffffff);
    cr_assert_eq(rt_pixel(img, 20, 50), 0x000000);
    cr_assert(fabs(ink_sum(img) - (6400 - 1600)) < 10, "ink %g", ink_sum(img));
    render_image_free(img);
}

Test(render_canvas, disc_and_rect_coverage)
{
    render_image *img = NULL;
    cr_assert_eq(render_image_new(&img, 60, 60, NULL), APO_OK);
    rc_canvas c;
    rc_canvas_init(&c, img);
    rc_disc(&c, 30, 30, 10, 0x000000, 1);
    cr_assert(fabs(ink_sum(img) - 3.14159265 * 100) < 3, "disc ink %g", ink_sum(img));
    render_image_free(img);
    cr_assert_eq(render_image_new(&img, 60, 60, NULL), APO_OK);
    rc_canvas_init(&c, img);
    rc_fill_rect(&c, 10.5, 10, 20.25, 30, 0x000000, 1);
    cr_assert_float_eq(ink_sum(img), 9.75 * 20, 0.3);
    render_image_free(img);
}

/* Primitives only (no FreeType): the pixel hash is stable across machines and builds. */
Test(render_canvas, primitives_golden_hash)
{
    uint64_t h[2];
    for (int k = 0; k < 2; k++) {
        render_image *img = NULL;
        cr_assert_eq(render_image_new(&img, 64, 48, NULL), APO_OK);
        rc_canvas c;
        rc_canvas_init(&c, img);
        rc_line(&c, 3, 4, 60, 40, 1.5, 0x1f77b4, 1);
        rc_disc(&c, 20, 30, 6.5, 0xd62728, 0.7);
        double poly[] = {40, 5, 60, 10, 50, 25};
        cr_assert_eq(rc_fill_polygon(&c, poly, 3, 0x2ca02c, 0.5, NULL), APO_OK);
        rc_fill_rect(&c, 5.25, 35.5, 30.75, 44, 0x000000, 0.25);
        h[k] = rt_hash(img);
        render_image_free(img);
    }
    cr_assert_eq(h[0], h[1]);
    cr_assert_eq(h[0], UINT64_C(0x20ff51138fd9d161), "golden hash is %016llx", (unsigned long long)h[0]);
}

/* rc_fill_rect as it was: every pixel blended with alpha times its coverage. */
static double ref_overlap(double a0, double a1, double b0, double b1)
{
    double lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0;
}

static void ref_fill_rect(const rc_canvas *c, double x0, double y0, double x1, double y1,
                          uint32_t color, double alpha)
{
    if (x1 < x0) { double t = x0; x0 = x1; x1 = t; }
    if (y1 < y0) { double t = y0; y0 = y1; y1 = t; }
    int ix0 = (int)floor(x0), ix1 = (int)ceil(x1), iy0 = (int)floor(y0), iy1 = (int)ceil(y1);
    if (ix0 < c->clip_x0) ix0 = c->clip_x0;
    if (iy0 < c->clip_y0) iy0 = c->clip_y0;
    if (ix1 > c->clip_x1) ix1 = c->clip_x1;
    if (iy1 > c->clip_y1) iy1 = c->clip_y1;
    for (int y = iy0; y < iy1; y++) {
        double cy = ref_overlap(y, y + 1.0, y0, y1);
        for (int x = ix0; x < ix1; x++) {
            rc_blend(c, x, y, color, alpha * cy * ref_overlap(x, x + 1.0, x0, x1));
        }
    }
}

/* Whole pixels through a table of the blend: the same bytes as blending each pixel, for
 * rectangles on and off the pixel grid, reversed corners, beyond the clip, every kind of
 * alpha (0, negative, NaN, small, 1, above 1, infinite) over a background of every value. */
Test(render_canvas, filled_rectangles_equal_blending_each_pixel)
{
    static const double alphas[] = {0.25, 0.5, 1, 1.7, 0.003, 0, -0.5, NAN, INFINITY};
    static const double rects[][4] = {{10, 10, 40, 30},     {10.5, 10.25, 40.75, 29.5},
                                      {40.5, 30.5, 10, 9.75}, {-20, -5, 90, 70},
                                      {20.2, 20.2, 20.8, 20.9}, {5, 7.5, 6, 50}};
    rt_rng r = {71};
    for (size_t a = 0; a < sizeof alphas / sizeof *alphas; a++) {
        for (size_t k = 0; k < sizeof rects / sizeof *rects; k++) {
            for (int clipped = 0; clipped < 2; clipped++) {
                render_image *got = NULL, *want = NULL;
                cr_assert_eq(render_image_new(&got, 64, 48, NULL), APO_OK);
                cr_assert_eq(render_image_new(&want, 64, 48, NULL), APO_OK);
                for (size_t i = 0; i < (size_t)64 * 48 * 3; i++) { /* every byte value */
                    got->rgb[i] = want->rgb[i] = (uint8_t)(rt_uniform(&r) * 256);
                }
                rc_canvas cg, cw;
                rc_canvas_init(&cg, got);
                rc_canvas_init(&cw, want);
                if (clipped) {
                    rc_canvas_clip(&cg, 12, 15, 33, 40);
                    rc_canvas_clip(&cw, 12, 15, 33, 40);
                }
                const uint32_t color = 0x1f77b4u + (uint32_t)(k * 0x203040u);
                rc_fill_rect(&cg, rects[k][0], rects[k][1], rects[k][2], rects[k][3], color,
                             alphas[a]);
                ref_fill_rect(&cw, rects[k][0], rects[k][1], rects[k][2], rects[k][3], color,
                              alphas[a]);
                cr_assert(memcmp(got->rgb, want->rgb, (size_t)64 * 48 * 3) == 0,
                          "alpha %g, rectangle %zu, clip %d: other pixels", alphas[a], k,
                          clipped);
                render_image_free(got);
                render_image_free(want);
            }
        }
    }
}
