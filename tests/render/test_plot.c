/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_plot.c: structural checks on rendered plots (600 px cell at scale 1: plot area
 * x 102..566, y 64..528): frame and tick positions, dense regions in the top colours, quadrant
 * lines and percentage text, gate outlines, histogram legend, panel sizes, display
 * subsampling, determinism (same input, same pixels and PNG bytes), usage errors.
 */
#include "render/render_internal.h"
#include "support/png_util.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define X0 102
#define Y0 64
#define X1 566
#define Y1 528

static render_image *draw(const render_plot *p, size_t n, const render_options *o)
{
    render_panel_spec panel = {NULL, n, p, 0};
    render_image *img = NULL;
    apo_error err;
    apo_error_clear(&err);
    apo_status st = render_panel(&img, &panel, o, &err);
    cr_assert_eq(st, APO_OK, "render_panel: %s", err.msg);
    return img;
}

static void linear_axes(render_plot *p, double max)
{
    render_axis_init(&p->xaxis, NULL, "FSC-A");
    render_axis_init(&p->yaxis, NULL, "SSC-A");
    p->xaxis.min = p->yaxis.min = 0;
    p->xaxis.max = p->yaxis.max = max;
}

Test(render_plot, frame_and_linear_ticks)
{
    double x[3] = {1000, 2000, 3000}, y[3] = {1000, 2000, 3000};
    render_plot p;
    render_plot_init(&p);
    p.kind = RENDER_DOT;
    p.x = x;
    p.y = y;
    p.n = 3;
    linear_axes(&p, 250000);
    render_options o = RENDER_OPTIONS_INIT;
    render_image *img = draw(&p, 1, &o);
    cr_assert_eq(img->width, 600);
    cr_assert_eq(img->height, 600);
    for (unsigned yy = Y0; yy < Y1; yy += 7) cr_assert(rt_dark(rt_pixel(img, X0 - 1, yy), 0x40));
    for (unsigned xx = X0; xx < X1; xx += 7) cr_assert(rt_dark(rt_pixel(img, xx, Y1), 0x40));
    cr_assert_eq(rt_pixel(img, X0 + 200, Y0 + 200), 0xffffff);
    /* x ticks at 0, 50K, ... 250K: 464 px * k/5 */
    for (int k = 0; k <= 5; k++) {
        unsigned tx = (unsigned)floor(X0 + 464.0 * k / 5);
        cr_assert(rt_dark(rt_pixel(img, tx, Y1 + 3), 0x40), "no tick at column %u", tx);
        if (k < 5) cr_assert_eq(rt_pixel(img, tx + 20, Y1 + 3), 0xffffff);
        /* a label under each tick */
        cr_assert(rt_ink(img, tx - 15, Y1 + 8, tx + 16, Y1 + 24) > 10, "no label at %u", tx);
    }
    /* y ticks to the left */
    unsigned ty = (unsigned)floor(Y1 - 464.0 * 2 / 5);
    cr_assert(rt_dark(rt_pixel(img, X0 - 4, ty), 0x40));
    /* y axis title: rotated, so its ink is taller than wide, left of the labels */
    unsigned minx = 600, maxx = 0, miny = 600, maxy = 0;
    for (unsigned yy = Y0; yy < Y1; yy++) {
        for (unsigned xx = 0; xx < 50; xx++) {
            if (rt_pixel(img, xx, yy) != 0xffffff) {
                minx = xx < minx ? xx : minx;
                maxx = xx > maxx ? xx : maxx;
                miny = yy < miny ? yy : miny;
                maxy = yy > maxy ? yy : maxy;
            }
        }
    }
    cr_assert(maxx >= minx && maxy - miny > 2 * (maxx - minx), "y title box %u..%u x %u..%u",
              minx, maxx, miny, maxy);
    render_image_free(img);
}

Test(render_plot, dense_regions_get_top_colours)
{
    size_t n = 22000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    rt_rng r = {12345};
    for (size_t i = 0; i < n; i++) {
        if (i < 20000) {
            x[i] = 50000 + 3000 * rt_normal(&r);
            y[i] = 50000 + 3000 * rt_normal(&r);
        } else {
            x[i] = 150000 + 90000 * rt_uniform(&r);
            y[i] = 150000 + 90000 * rt_uniform(&r);
        }
    }
    render_plot p;
    render_plot_init(&p);
    p.x = x;
    p.y = y;
    p.n = n;
    linear_axes(&p, 250000);
    render_options o = RENDER_OPTIONS_INIT;
    render_image *img = draw(&p, 1, &o);
    uint32_t lut[256];
    rcmap_build(RENDER_CMAP_JET, lut);
    /* cluster centre (0.2, 0.2): the reddest pixel around it is the top of the palette */
    unsigned cx = X0 + 93, cy = Y1 - 93;
    unsigned best_r = 0, best_g = 255;
    for (unsigned yy = cy - 3; yy <= cy + 3; yy++) {
        for (unsigned xx = cx - 3; xx <= cx + 3; xx++) {
            uint32_t c = rt_pixel(img, xx, yy);
            if ((int)((c >> 16) & 0xff) - (int)((c >> 8) & 0xff) > (int)best_r - (int)best_g) {
                best_r = (c >> 16) & 0xff;
                best_g = (c >> 8) & 0xff;
            }
        }
    }
    cr_assert(best_r >= 230 && best_g <= 60, "centre colour r=%u g=%u", best_r, best_g);
    /* the sparse uniform square is drawn in the low (blue) colours */
    size_t blue = 0, other = 0;
    for (unsigned yy = Y1 - 440; yy < Y1 - 300; yy++) {
        for (unsigned xx = X0 + 300; xx < X0 + 440; xx++) {
            uint32_t c = rt_pixel(img, xx, yy);
            if (c == 0xffffff) continue;
            if ((c & 0xff) > ((c >> 16) & 0xff)) blue++;
            else other++;
        }
    }
    cr_assert(blue > 500 && blue > 20 * other, "sparse region: %zu blue, %zu other", blue, other);
    render_image_free(img);
    free(x);
    free(y);
}

static render_image *quad_plot(const render_quadrant *q)
{
    size_t n = 3000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    rt_rng r = {777};
    for (size_t i = 0; i < n; i++) {
        x[i] = 100 + 50 * rt_normal(&r);
        y[i] = 100 + 50 * rt_normal(&r);
    }
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    render_plot p;
    render_plot_init(&p);
    p.x = x;
    p.y = y;
    p.n = n;
    render_axis_init(&p.xaxis, &t, "Annexin V");
    render_axis_init(&p.yaxis, &t, "PI");
    p.quadrant = q;
    render_options o = RENDER_OPTIONS_INIT;
    render_image *img = draw(&p, 1, &o);
    free(x);
    free(y);
    return img;
}

Test(render_plot, quadrant_lines_and_percentages)
{
    render_quadrant q = {1000, 1000, {"Q4 Live", "Q3 Early", "Q2 Late", "Q1 Necrotic"},
                         {97.1, 1.2, 0.4, 1.3}, 1};
    render_image *with = quad_plot(&q);
    render_image *without = quad_plot(NULL);
    /* lines at logicle(1000) = 0.454 of the axis */
    unsigned lx = (unsigned)floor(X0 + 0.454 * 464), ly = (unsigned)floor(Y1 - 0.454 * 464);
    cr_assert(rt_dark(rt_pixel(with, lx, Y0 + 150), 0x40));
    cr_assert(rt_dark(rt_pixel(with, X0 + 300, ly), 0x40));
    cr_assert_eq(rt_pixel(without, lx, Y0 + 150), 0xffffff);
    /* labels in the four outer corners (no events there) */
    cr_assert(rt_ink(with, X1 - 100, Y0 + 4, X1 - 4, Y0 + 40) > 50);  /* UR */
    cr_assert(rt_ink(with, X0 + 4, Y0 + 4, X0 + 100, Y0 + 40) > 50);  /* UL */
    cr_assert(rt_ink(with, X1 - 100, Y1 - 40, X1 - 4, Y1 - 4) > 50);  /* LR */
    cr_assert_eq(rt_ink(without, X1 - 100, Y0 + 4, X1 - 4, Y0 + 40), 0);
    /* the percentage text is what changes when only the percentage changes */
    render_quadrant q2 = q;
    q2.pct[RENDER_Q_UR] = 45.6;
    render_image *other = quad_plot(&q2);
    size_t diff = 0;
    for (unsigned yy = 0; yy < 600; yy++) {
        for (unsigned xx = 0; xx < 600; xx++) {
            if (rt_pixel(with, xx, yy) != rt_pixel(other, xx, yy)) {
                diff++;
                cr_assert(xx > X1 - 110 && yy < Y0 + 45, "difference outside the UR label at "
                          "%u,%u", xx, yy);
            }
        }
    }
    cr_assert(diff > 20);
    render_image_free(with);
    render_image_free(without);
    render_image_free(other);
}

Test(render_plot, gate_outline_and_label)
{
    double x[1] = {1}, y[1] = {1};
    double poly[] = {50000, 50000, 200000, 50000, 200000, 200000, 50000, 200000};
    render_gate g = {.shape = RENDER_SHAPE_POLYGON, .n_vertices = 4, .xy = poly,
                     .name = "Cells", .pct = 87.3};
    render_plot p;
    render_plot_init(&p);
    p.kind = RENDER_DOT;
    p.x = x;
    p.y = y;
    p.n = 1;
    linear_axes(&p, 250000);
    p.gates = &g;
    p.n_gates = 1;
    render_options o = RENDER_OPTIONS_INIT;
    render_image *img = draw(&p, 1, &o);
    unsigned gx0 = (unsigned)(X0 + 0.2 * 464), gy = (unsigned)(Y1 - 0.5 * 464);
    cr_assert(rt_dark(rt_pixel(img, gx0, gy), 0x60), "left edge at %u", gx0);
    /* light green fill inside, white outside */
    uint32_t in = rt_pixel(img, X0 + 232, Y1 - 232);
    cr_assert(in != 0xffffff && ((in >> 8) & 0xff) > ((in >> 16) & 0xff));
    cr_assert_eq(rt_pixel(img, X0 + 30, Y1 - 232), 0xffffff);
    /* label near the top-right vertex (0.8, 0.8) */
    unsigned vx = (unsigned)(X0 + 0.8 * 464), vy = (unsigned)(Y1 - 0.8 * 464);
    cr_assert(rt_ink(img, vx, vy - 25, X1, vy) > 50);
    render_image_free(img);
}

Test(render_plot, histogram_overlay_with_legend)
{
    size_t n = 5000;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    rt_rng r = {99};
    for (size_t i = 0; i < n; i++) {
        a[i] = 200 + 100 * rt_normal(&r);
        b[i] = pow(10, 3.5 + 0.2 * rt_normal(&r));
    }
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    render_series s[2] = {{a, n, "stimulus only"}, {b, n, "treated"}};
    render_plot p;
    render_plot_init(&p);
    p.kind = RENDER_HISTOGRAM;
    p.series = s;
    p.n_series = 2;
    render_axis_init(&p.xaxis, &t, "Annexin V");
    render_options o = RENDER_OPTIONS_INIT;
    render_image *img = draw(&p, 1, &o);
    /* legend box top right */
    cr_assert(rt_ink(img, X1 - 180, Y0 + 6, X1 - 6, Y0 + 40) > 200);
    /* the reference is filled light grey near its mode (logicle(200) ~ 0.26) */
    uint32_t c = rt_pixel(img, (unsigned)(X0 + 0.26 * 464), Y1 - 20);
    cr_assert_eq(c, 0xc8c8c8, "reference fill %06x", c);
    /* the treated series' mode reaches 100 % of max: red ink near the top of its peak */
    unsigned px = (unsigned)(X0 + 0.56 * 464);
    size_t red = 0;
    for (unsigned yy = Y0; yy < Y0 + 60; yy++) {
        for (unsigned xx = px - 30; xx < px + 30; xx++) {
            uint32_t cc = rt_pixel(img, xx, yy);
            red += ((cc >> 16) & 0xff) > 150 && ((cc >> 8) & 0xff) < 100;
        }
    }
    cr_assert(red > 5, "no red near the treated mode (%zu)", red);
    render_image_free(img);
    free(a);
    free(b);
}

Test(render_plot, every_kind_in_a_panel_deterministic)
{
    size_t n = 4000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    rt_rng r = {5};
    for (size_t i = 0; i < n; i++) {
        x[i] = (i % 2 ? 60000 : 120000) + 10000 * rt_normal(&r);
        y[i] = (i % 2 ? 40000 : 90000) + 10000 * rt_normal(&r);
    }
    render_plot p[4];
    for (int k = 0; k < 4; k++) {
        render_plot_init(&p[k]);
        p[k].kind = (render_kind)k;
        p[k].x = x;
        p[k].y = y;
        p[k].n = n;
        p[k].title = "sample";
        p[k].subtitle = "All events";
    }
    render_panel_spec panel = {"Plate 1", 4, p, 2};
    render_options o = RENDER_OPTIONS_INIT;
    o.scale = 2;
    render_image *a = NULL, *b = NULL;
    apo_error err;
    cr_assert_eq(render_panel(&a, &panel, &o, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(render_panel(&b, &panel, &o, &err), APO_OK);
    cr_assert_eq(a->width, 2400);
    cr_assert_eq(a->height, 2400 + 80);
    cr_assert_eq(rt_hash(a), rt_hash(b));
    /* each cell has events drawn in its plot area */
    for (int k = 0; k < 4; k++) {
        unsigned ox = (unsigned)(k % 2) * 1200, oy = 80 + (unsigned)(k / 2) * 1200;
        cr_assert(rt_ink(a, ox + 2 * X0, oy + 2 * Y0, ox + 2 * X1, oy + 2 * Y1) > 1000,
                  "cell %d is empty", k);
    }
    /* main title band has ink */
    cr_assert(rt_ink(a, 1000, 0, 1400, 80) > 100);
    render_image_free(a);
    render_image_free(b);

    /* PNG bytes identical too (the golden-image check; FreeType makes a stored hash
     * version dependent, so the comparison is between two renders) */
    char dir[256], p1[300], p2[300];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(p1, sizeof p1, "%s/1.png", dir);
    snprintf(p2, sizeof p2, "%s/2.png", dir);
    o.scale = 1;
    cr_assert_eq(render_panel_png(p1, &panel, &o, 0, NULL, &err), APO_OK);
    cr_assert_eq(render_panel_png(p2, &panel, &o, 0, NULL, &err), APO_OK);
    size_t l1, l2;
    uint8_t *b1 = rt_read_file(p1, &l1), *b2 = rt_read_file(p2, &l2);
    cr_assert(b1 && b2 && l1 == l2 && memcmp(b1, b2, l1) == 0);
    rt_png png;
    cr_assert(rt_png_read(p1, &png));
    cr_assert_eq(png.width, 1200);
    cr_assert_eq(png.height, 1240);
    cr_assert_eq(png.ppm_x, 3780); /* 96 dpi at scale 1 */
    rt_png_free(&png);
    free(b1);
    free(b2);
    rt_rmdir(dir);
    free(x);
    free(y);
}

Test(render_plot, display_subsample_draws_fewer_events)
{
    size_t n = 20000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    rt_rng r = {8};
    for (size_t i = 0; i < n; i++) {
        x[i] = 250000 * rt_uniform(&r);
        y[i] = 250000 * rt_uniform(&r);
    }
    render_plot p;
    render_plot_init(&p);
    p.kind = RENDER_DOT;
    p.x = x;
    p.y = y;
    p.n = n;
    linear_axes(&p, 250000);
    render_options o = RENDER_OPTIONS_INIT;
    render_image *all = draw(&p, 1, &o);
    o.max_events = 1000; /* below 5000 events: 2x2 px dots */
    render_image *some = draw(&p, 1, &o);
    size_t ia = rt_ink(all, X0, Y0, X1, Y1), is = rt_ink(some, X0, Y0, X1, Y1);
    cr_assert(ia > 15000 && is < 4200 && is > 3000, "ink all %zu, subsample %zu", ia, is);
    render_image_free(all);
    render_image_free(some);
    free(x);
    free(y);
}

Test(render_plot, subsample_helper)
{
    size_t a[100], b[100];
    cr_assert_eq(render_subsample(1000, 100, 42, a), 100);
    cr_assert_eq(render_subsample(1000, 100, 42, b), 100);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    for (int i = 1; i < 100; i++) cr_assert(a[i] > a[i - 1] && a[i] < 1000);
    cr_assert_eq(render_subsample(1000, 100, 43, b), 100);
    cr_assert_neq(memcmp(a, b, sizeof a), 0);
    cr_assert_eq(render_subsample(5, 0, 1, a), 5);
    cr_assert_eq(a[4], 4);
    cr_assert_eq(render_subsample(5, 10, 1, a), 5);
}

Test(render_plot, format_helpers)
{
    char buf[64];
    cr_assert_eq(render_format_count(buf, sizeof buf, 1234567), 9);
    cr_assert_str_eq(buf, "1,234,567");
    render_format_count(buf, sizeof buf, 999);
    cr_assert_str_eq(buf, "999");
    render_format_count(buf, sizeof buf, 0);
    cr_assert_str_eq(buf, "0");
    render_format_count(buf, sizeof buf, 48213);
    cr_assert_str_eq(buf, "48,213");
    render_axis_title(buf, sizeof buf, "FL1-A", "Annexin V");
    cr_assert_str_eq(buf, "Annexin V (FL1-A)");
    render_axis_title(buf, sizeof buf, "FSC-A", "");
    cr_assert_str_eq(buf, "FSC-A");
    render_axis_title(buf, sizeof buf, "Comp-FS INT LIN", "fs int lin");
    cr_assert_str_eq(buf, "Comp-FS INT LIN");
    render_axis_title(buf, sizeof buf, "Comp-FL1-A", "Annexin V");
    cr_assert_str_eq(buf, "Annexin V (Comp-FL1-A)");
}

Test(render_plot, usage_errors)
{
    render_plot p;
    render_plot_init(&p);
    double x[2] = {1, 2};
    p.x = x;
    p.n = 2; /* 2-D without y */
    render_panel_spec panel = {NULL, 1, &p, 0};
    render_options o = RENDER_OPTIONS_INIT;
    render_image *img = NULL;
    apo_error err;
    cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_E_USAGE);
    cr_assert_null(img);
    panel.n_plots = 0;
    cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_E_USAGE);
    panel.n_plots = 1;
    p.y = x;
    o.scale = 9;
    cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_E_USAGE);
    o.scale = 1;
    o.size = 100;
    cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_E_USAGE);
}

Test(render_plot, degenerate_inputs_render)
{
    double nan_v[3] = {NAN, NAN, NAN}, same[3] = {5, 5, 5}, neg[3] = {-1, -2, -3};
    double one[1] = {1000};
    const double *xs[] = {NULL, one, nan_v, same, neg};
    const size_t ns[] = {0, 1, 3, 3, 3};
    gate_transform lg, lgc;
    gate_transform_init_log10(&lg);
    cr_assert_eq(gate_transform_init_logicle(&lgc, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    for (int c = 0; c < 5; c++) {
        for (int k = 0; k < 4; k++) {
            for (int t = 0; t < 3; t++) {
                render_plot p;
                render_plot_init(&p);
                p.kind = (render_kind)k;
                p.x = xs[c];
                p.y = xs[c];
                p.n = ns[c];
                const gate_transform *tr = t == 0 ? NULL : (t == 1 ? &lg : &lgc);
                render_axis_init(&p.xaxis, tr, "x");
                render_axis_init(&p.yaxis, tr, "y");
                render_panel_spec panel = {NULL, 1, &p, 0};
                render_options o = RENDER_OPTIONS_INIT;
                o.size = 300;
                render_image *img = NULL;
                apo_error err;
                apo_error_clear(&err);
                cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_OK,
                             "case %d kind %d transform %d: %s", c, k, t, err.msg);
                cr_assert_eq(img->width, 300);
                render_image_free(img);
            }
        }
    }
}

Test(render_plot, ellipse_and_open_rectangle_gates)
{
    double x[1] = {1}, y[1] = {1};
    double rect[] = {100000, -INFINITY, INFINITY, 150000};
    render_gate g[2] = {
        {.shape = RENDER_SHAPE_ELLIPSE, .cx = 125000, .cy = 125000,
         .covariance = {25000.0 * 25000, 0, 0, 50000.0 * 50000}, .distance_square = 1,
         .name = "E", .pct = 10},
        {.shape = RENDER_SHAPE_RECTANGLE, .xy = rect, .name = "R", .pct = NAN},
    };
    render_plot p;
    render_plot_init(&p);
    p.kind = RENDER_DOT;
    p.x = x;
    p.y = y;
    p.n = 1;
    linear_axes(&p, 250000);
    p.gates = g;
    p.n_gates = 1;
    render_options o = RENDER_OPTIONS_INIT;
    render_image *img = draw(&p, 1, &o);
    /* ellipse: x radius 25000 (46.4 px), y radius 50000 (92.8 px) around the centre */
    unsigned cx = (unsigned)(X0 + 0.5 * 464), cy = (unsigned)(Y1 - 0.5 * 464);
    cr_assert(rt_dark(rt_pixel(img, (unsigned)(cx + 46.4), cy), 0x60));
    cr_assert(rt_dark(rt_pixel(img, cx, (unsigned)(cy - 92.8)), 0x60));
    cr_assert(!rt_dark(rt_pixel(img, cx + 70, cy), 0x60));
    render_image_free(img);
    /* open rectangle: left edge at 100000 from the bottom of the plot up to 150000 */
    p.gates = &g[1];
    img = draw(&p, 1, &o);
    unsigned lx = (unsigned)(X0 + 0.4 * 464);
    cr_assert(rt_dark(rt_pixel(img, lx, Y1 - 10), 0x60));
    cr_assert(rt_dark(rt_pixel(img, lx, (unsigned)(Y1 - 0.5 * 464)), 0x60));
    cr_assert(!rt_dark(rt_pixel(img, lx, (unsigned)(Y1 - 0.7 * 464)), 0x60));
    render_image_free(img);
    /* a non positive-definite covariance is a usage error */
    g[0].covariance[0] = -1;
    p.gates = g;
    render_panel_spec panel = {NULL, 1, &p, 0};
    apo_error err;
    cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_E_USAGE);
}

Test(render_plot, quadrant_labels_compact_when_the_plot_is_narrow)
{
    double x[1] = {10}, y[1] = {10};
    render_quadrant q = {200000, 200000,
                         {"Q4 Annexin V-FITC- PI- viable", "Q3 Annexin V-FITC+ PI- early",
                          "Q2 Annexin V-FITC+ PI+ late", "Q1 Annexin V-FITC- PI+ necrotic"},
                         {90, 5, 3, 2}, 1};
    render_plot p;
    render_plot_init(&p);
    p.kind = RENDER_DOT;
    p.x = x;
    p.y = y;
    p.n = 1;
    linear_axes(&p, 250000);
    p.quadrant = &q;
    render_options o = RENDER_OPTIONS_INIT;
    o.size = 300; /* plot area x 71..275, y 44..248 */
    render_image *img = draw(&p, 1, &o);
    cr_assert_eq(rt_ink(img, 163, 48, 183, 75), 0, "labels reach the middle of the plot");
    cr_assert(rt_ink(img, 75, 48, 120, 75) > 20, "no UL label");
    render_image_free(img);
    o.size = 900; /* wide enough: full labels, which do reach past the first 45 px */
    img = draw(&p, 1, &o);
    cr_assert(rt_ink(img, 102 + 60, 70, 102 + 140, 84) > 20, "full UL label expected");
    render_image_free(img);
}

/* Infinite, huge and NaN values anywhere (events, gates, quadrant, histogram) are drawn or
 * skipped, never crash or overflow a pixel coordinate. */
Test(render_plot, extreme_values_are_safe)
{
    double x[8] = {INFINITY, -INFINITY, 1e308, -1e308, NAN, 0, 1e-308, 5000};
    double y[8] = {NAN, 1e308, -1e308, INFINITY, -INFINITY, 5000, 0, -5};
    double poly[] = {NAN, 1, 1e308, -1e308, INFINITY, 5, 100, -INFINITY};
    double rect[] = {-1e308, NAN, 1e308, INFINITY};
    render_gate g[3] = {
        {.shape = RENDER_SHAPE_POLYGON, .n_vertices = 4, .xy = poly, .name = "P", .pct = 1e308},
        {.shape = RENDER_SHAPE_RECTANGLE, .xy = rect, .name = "R", .pct = -INFINITY},
        {.shape = RENDER_SHAPE_ELLIPSE, .cx = 1e300, .cy = -1e300,
         .covariance = {1e300, 0, 0, 1e300}, .distance_square = 1e10, .name = "E", .pct = 1},
    };
    render_quadrant q = {INFINITY, NAN, {"a", "b", "c", "d"}, {NAN, INFINITY, -1, 1e300}, 99};
    gate_transform lgc, as, lg;
    cr_assert_eq(gate_transform_init_logicle(&lgc, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    cr_assert_eq(gate_transform_init_asinh(&as, 150, NULL), APO_OK);
    gate_transform_init_log10(&lg);
    const gate_transform *ts[4] = {NULL, &lgc, &as, &lg};
    for (int t = 0; t < 4; t++) {
        for (int k = 0; k < 4; k++) {
            render_plot p;
            render_plot_init(&p);
            p.kind = (render_kind)k;
            p.x = x;
            p.y = y;
            p.n = 8;
            render_axis_init(&p.xaxis, ts[t], "x");
            render_axis_init(&p.yaxis, ts[t], "y");
            p.gates = g;
            p.n_gates = 3;
            p.quadrant = &q;
            render_panel_spec panel = {NULL, 1, &p, 0};
            render_options o = RENDER_OPTIONS_INIT;
            o.size = 300;
            render_image *img = NULL;
            apo_error err;
            apo_error_clear(&err);
            apo_status st = render_panel(&img, &panel, &o, &err);
            cr_assert(st == APO_OK || st == APO_E_USAGE, "transform %d kind %d: %s", t, k,
                      err.msg);
            render_image_free(img);
        }
    }
}
