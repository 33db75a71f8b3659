/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gate_draw.c: gates are drawn exactly as they are applied. Each case builds a gate in a
 * gate_strategy (membership by the gating engine) and the same gate as a render_gate, renders
 * it alone on a 600 px plot (plot area x 102..566, y 64..528), and then, for a grid of points
 * evenly spaced in pixels over the plot area, checks that the point's pixel is tinted by the
 * gate's fill exactly when the engine puts the point inside the gate. Points within 3 px of
 * the outline (dark ink) or of the frame are not judged. Cases: the singlet wedge as the
 * automatic pre-gate builds it, rectangles with open sides, 1-D ranges on x and on y, a
 * polygon reaching far outside the window, a data-unit polygon on logicle axes (curved
 * edges), a logicle-space polygon on linear and on logicle axes, a vertex below zero on a
 * log axis, an ellipse partly outside.
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
#define GRID 90

/* A gate case: the plot (axes, one render_gate) and the strategy holding the same gate. */
typedef struct gcase {
    render_plot p;
    render_gate g;
    gate_strategy *s;
    const char *gate_id;
} gcase;

static void case_init(gcase *c, const gate_transform *tx, const gate_transform *ty,
                      double xmin, double xmax, double ymin, double ymax)
{
    memset(c, 0, sizeof *c);
    render_plot_init(&c->p);
    c->p.kind = RENDER_DOT;
    render_axis_init(&c->p.xaxis, tx, "X");
    render_axis_init(&c->p.yaxis, ty, "Y");
    c->p.xaxis.min = xmin;
    c->p.xaxis.max = xmax;
    c->p.yaxis.min = ymin;
    c->p.yaxis.max = ymax;
    c->g.pct = NAN; /* no label: it would cover part of the plot */
    c->p.gates = &c->g;
    c->p.n_gates = 1;
    apo_error err;
    cr_assert_eq(gate_strategy_new(&c->s, &err), APO_OK);
    c->gate_id = "G";
}

static render_image *render_case(const gcase *c)
{
    render_panel_spec panel = {NULL, 1, &c->p, 1};
    render_options o = RENDER_OPTIONS_INIT;
    render_image *img = NULL;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_OK, "render_panel: %s", err.msg);
    cr_assert_eq(img->width, 600);
    return img;
}

/* Dark ink (the outline) within @p r pixels of (x, y). */
static bool near_ink(const render_image *img, int x, int y, int r)
{
    for (int yy = y - r; yy <= y + r; yy++) {
        for (int xx = x - r; xx <= x + r; xx++) {
            uint32_t c = rt_pixel(img, (unsigned)xx, (unsigned)yy);
            if (((c >> 16) & 0xff) < 225 || (c & 0xff) < 225) return true;
        }
    }
    return false;
}

/* The gate fill tints white towards green: G clearly above R. */
static bool tinted(uint32_t c)
{
    return (int)((c >> 8) & 0xff) - (int)((c >> 16) & 0xff) > 6;
}

/* Render @p c and compare the drawn inside with the engine's membership on a pixel grid. */
static void check_case(gcase *c, const char *what)
{
    render_image *img = render_case(c);
    raxis ax, ay;
    apo_error err;
    cr_assert_eq(raxis_resolve(&ax, &c->p.xaxis, NULL, 0, &err), APO_OK);
    cr_assert_eq(raxis_resolve(&ay, &c->p.yaxis, NULL, 0, &err), APO_OK);
    size_t n = (size_t)GRID * GRID;
    double *v = malloc(2 * n * sizeof *v);
    double *px = malloc(n * sizeof *px), *py = malloc(n * sizeof *py);
    cr_assert(v && px && py);
    for (int j = 0; j < GRID; j++) {
        for (int i = 0; i < GRID; i++) {
            size_t e = (size_t)j * GRID + (size_t)i;
            double u = (i + 0.5) / GRID, w = (j + 0.5) / GRID;
            /* a pixel centre, and the data values shown there */
            px[e] = floor(X0 + u * (X1 - X0)) + 0.5;
            py[e] = floor(Y1 - w * (Y1 - Y0)) + 0.5;
            double fu = (px[e] - X0) / (X1 - X0), fw = (Y1 - py[e]) / (Y1 - Y0);
            v[e] = gate_transform_inverse(&ax.t, ax.lo + fu * (ax.hi - ax.lo));
            v[n + e] = gate_transform_inverse(&ay.t, ay.lo + fw * (ay.hi - ay.lo));
        }
    }
    const char *names[2] = {"X", "Y"};
    gate_data d = {.n_events = n, .n_params = 2, .names = names, .values = v};
    gate_result r = {0};
    cr_assert_eq(gate_strategy_apply(c->s, &d, &r, &err), APO_OK, "apply: %s", err.msg);
    size_t gi = gate_strategy_find(c->s, c->gate_id);
    const uint8_t *m = gate_result_membership(&r, gi);
    size_t judged_in = 0, judged_out = 0, wrong = 0;
    for (size_t e = 0; e < n; e++) {
        int x = (int)px[e], y = (int)py[e];
        if (x < X0 + 3 || x >= X1 - 3 || y < Y0 + 3 || y >= Y1 - 3) continue;
        if (near_ink(img, x, y, 3)) continue;
        bool drawn = tinted(rt_pixel(img, (unsigned)x, (unsigned)y));
        if (drawn != (m[e] != 0)) {
            if (wrong < 5) {
                cr_log_error("%s: pixel (%d, %d) = data (%g, %g): drawn %s, gate says %s", what,
                             x, y, v[e], v[n + e], drawn ? "inside" : "outside",
                             m[e] ? "inside" : "outside");
            }
            wrong++;
        }
        judged_in += m[e] != 0;
        judged_out += m[e] == 0;
    }
    cr_expect_eq(wrong, 0, "%s: %zu of %zu judged points drawn on the wrong side", what, wrong,
                 judged_in + judged_out);
    cr_expect_gt(judged_in, 100, "%s: only %zu points inside", what, judged_in);
    cr_expect_gt(judged_out, 100, "%s: only %zu points outside", what, judged_out);
    gate_result_free(&r);
    free(v);
    free(px);
    free(py);
    render_image_free(img);
    gate_strategy_free(c->s);
}

static const gate_dim XY[2] = {{"X", NULL, NULL, NULL}, {"Y", NULL, NULL, NULL}};

static void add_polygon(gcase *c, const gate_dim *dims, size_t nv, const double *xy)
{
    apo_error err;
    cr_assert_eq(gate_strategy_add_polygon(c->s, "G", NULL, dims, nv, xy, &err), APO_OK, "%s",
                 err.msg);
    c->g.shape = RENDER_SHAPE_POLYGON;
    c->g.n_vertices = nv;
    c->g.xy = xy;
}

static void add_rectangle(gcase *c, const double *rect)
{
    apo_error err;
    double mn[2] = {rect[0], rect[1]}, mx[2] = {rect[2], rect[3]};
    cr_assert_eq(gate_strategy_add_rectangle(c->s, "G", NULL, 2, XY, mn, mx, &err), APO_OK);
    c->g.shape = RENDER_SHAPE_RECTANGLE;
    c->g.xy = rect;
}

/* The singlet wedge exactly as the automatic pre-gate builds it: apex at the origin, far
 * corners at FSC-A = 1e9 on the lines FSC-H = lo FSC-A and FSC-H = hi FSC-A. */
Test(gate_draw, singlet_wedge_as_pregate_builds_it)
{
    gcase c;
    case_init(&c, NULL, NULL, 0, 262144, 0, 262144);
    const double X = 1e9, lo = 0.62, hi = 0.93;
    double xy[6] = {0.0, 0.0, X, lo * X, X, hi * X};
    add_polygon(&c, XY, 3, xy);
    check_case(&c, "singlet wedge");
}

Test(gate_draw, rectangle_with_open_sides)
{
    gcase c;
    case_init(&c, NULL, NULL, 0, 262144, 0, 262144);
    double rect[4] = {50000, -INFINITY, INFINITY, 150000};
    add_rectangle(&c, rect);
    check_case(&c, "open rectangle");
}

Test(gate_draw, range_on_x_as_debris_gate)
{
    gcase c;
    case_init(&c, NULL, NULL, 0, 262144, 0, 262144);
    apo_error err;
    double mn = 40000, mx = INFINITY;
    cr_assert_eq(gate_strategy_add_rectangle(c.s, "G", NULL, 1, XY, &mn, &mx, &err), APO_OK);
    double rect[4] = {40000, -INFINITY, INFINITY, INFINITY};
    c.g.shape = RENDER_SHAPE_RECTANGLE;
    c.g.xy = rect;
    check_case(&c, "range on x");
}

Test(gate_draw, range_on_y_as_width_singlet_gate)
{
    gcase c;
    case_init(&c, NULL, NULL, 0, 262144, 0, 1024);
    apo_error err;
    double mn = 380, mx = 610;
    cr_assert_eq(gate_strategy_add_rectangle(c.s, "G", NULL, 1, &XY[1], &mn, &mx, &err), APO_OK);
    double rect[4] = {-INFINITY, 380, INFINITY, 610};
    c.g.shape = RENDER_SHAPE_RECTANGLE;
    c.g.xy = rect;
    check_case(&c, "range on y");
}

Test(gate_draw, polygon_reaching_far_outside)
{
    gcase c;
    case_init(&c, NULL, NULL, 0, 262144, 0, 262144);
    double xy[8] = {100000, 50000, 900000, 120000, 150000, 700000, -300000, 200000};
    add_polygon(&c, XY, 4, xy);
    check_case(&c, "polygon outside the window");
}

static void logicle(gate_transform *t)
{
    cr_assert_eq(gate_transform_init_logicle(t, 262144, 0.5, 4.5, 0, NULL), APO_OK);
}

/* A polygon in data units on logicle axes: its straight edges bend on the display scale. */
Test(gate_draw, data_polygon_on_logicle_axes_bends)
{
    gate_transform lg;
    logicle(&lg);
    gcase c;
    case_init(&c, &lg, &lg, NAN, NAN, NAN, NAN);
    double xy[6] = {100, 100, 150000, 300, 60000, 120000};
    add_polygon(&c, XY, 3, xy);
    check_case(&c, "data polygon on logicle axes");
}

/* A polygon on logicle-transformed dimensions (Gating-ML transform_ref), drawn on linear axes
 * (x_space / y_space) and on the same logicle axes (display_units). */
Test(gate_draw, logicle_space_polygon_on_linear_and_logicle_axes)
{
    gate_transform lg;
    logicle(&lg);
    const gate_dim dims[2] = {{"X", NULL, "lgc", NULL}, {"Y", NULL, "lgc", NULL}};
    double xy[8] = {0.45, 0.40, 0.98, 0.55, 0.92, 0.97, 0.62, 0.90};
    for (int k = 0; k < 2; k++) {
        gcase c;
        if (k == 0) {
            case_init(&c, NULL, NULL, 0, 262144, 0, 262144);
            c.g.x_space = c.g.y_space = &lg;
        } else {
            case_init(&c, &lg, &lg, NAN, NAN, NAN, NAN);
            c.g.display_units = true;
        }
        apo_error err;
        cr_assert_eq(gate_strategy_add_transform(c.s, "lgc", &lg, &err), APO_OK);
        add_polygon(&c, dims, 4, xy);
        check_case(&c, k == 0 ? "logicle polygon on linear axes" : "logicle polygon, own axes");
    }
}

/* A vertex below zero on a log axis (no display value) is clipped away in data units. */
Test(gate_draw, polygon_below_zero_on_log_axis)
{
    gate_transform l10;
    gate_transform_init_log10(&l10);
    gcase c;
    case_init(&c, &l10, NULL, 10, 262144, 0, 262144);
    double xy[6] = {-5000, 20000, 200000, 60000, 30000, 240000};
    add_polygon(&c, XY, 3, xy);
    check_case(&c, "polygon on a log axis");
}

Test(gate_draw, ellipse_partly_outside)
{
    gcase c;
    case_init(&c, NULL, NULL, 0, 262144, 0, 262144);
    double mean[2] = {230000, 120000};
    double cov[4] = {60000.0 * 60000, 0.5 * 60000 * 40000, 0.5 * 60000 * 40000,
                     40000.0 * 40000};
    apo_error err;
    cr_assert_eq(gate_strategy_add_ellipsoid(c.s, "G", NULL, 2, XY, mean, cov, 2.0, &err),
                 APO_OK);
    c.g.shape = RENDER_SHAPE_ELLIPSE;
    c.g.cx = mean[0];
    c.g.cy = mean[1];
    memcpy(c.g.covariance, cov, sizeof cov);
    c.g.distance_square = 2.0;
    check_case(&c, "ellipse");
}
