/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate_outline.c: the region of a gate inside the visible plot window, as a pixel polygon
 * (docs/algorithms.md, "Drawing gates"). A gate's coordinates live in its own space per axis
 * (data units, a transform's scale, or the axis' display scale) and its edges are straight
 * there. The polygon (rectangle corners, polygon vertices, or 128 points on the ellipse) is
 * clipped against the window expressed in that space (Sutherland-Hodgman; every transform is
 * monotone per axis, so the window is an axis-aligned rectangle there too), each clipped edge
 * is traced onto the display scale with adaptive subdivision (so an edge that is straight in
 * data units bends on a logicle axis, exactly as membership does), and the result is clipped
 * once more against the plot frame in pixels. Open sides (+-infinity) and vertices far
 * outside the window are thereby cut at the window edge instead of pinned to a corner.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdlib.h>

#define ELLIPSE_POINTS 128
#define FAR 1e150         /* stand-in for +-infinity: beyond any window, products stay finite */
#define TRACE_TOL 0.2     /* px: largest gap between a traced edge and its chord */
#define TRACE_MIN_DEPTH 2 /* every edge is split at least into 4 pieces */
#define TRACE_MAX_DEPTH 10

/* A growable list of (x, y) points. */
typedef struct gpoly {
    double *xy;
    size_t n, cap;
} gpoly;

static bool gpoly_push(gpoly *p, double x, double y)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        double *xy = realloc(p->xy, 2 * cap * sizeof *xy);
        if (!xy) return false;
        p->xy = xy;
        p->cap = cap;
    }
    p->xy[2 * p->n] = x;
    p->xy[2 * p->n + 1] = y;
    p->n++;
    return true;
}

static apo_status nomem(apo_error *err)
{
    return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                         "expected memory for a gate outline, found none");
}

/* How one axis' gate coordinates reach the display scale, and the window in them. */
typedef struct gspace {
    const raxis *a;
    const gate_transform *s; /* NULL: data units */
    bool display;            /* coordinates are on the axis' display scale already */
    bool straight;           /* gate space -> display is affine: edges stay straight */
    double lo, hi;           /* the visible window in gate coordinates */
} gspace;

static bool affine(const gate_transform *t)
{
    return !t || ((t->kind == GATE_TRANSFORM_LINEAR || t->kind == GATE_TRANSFORM_FLIN) &&
                  !t->has_bounds);
}

static double gspace_to_display(const gspace *g, double v)
{
    if (g->display) return v;
    double d = g->s ? gate_transform_inverse(g->s, v) : v;
    return gate_transform_apply(&g->a->t, d);
}

static double gspace_from_display(const gspace *g, double d)
{
    if (g->display) return d;
    double v = gate_transform_inverse(&g->a->t, d);
    return g->s ? gate_transform_apply(g->s, v) : v;
}

/* A finite stand-in for a coordinate: +-infinity (an open side) lies beyond any window. */
static double finite_coord(double v)
{
    return v > FAR ? FAR : (v < -FAR ? -FAR : v);
}

static void gspace_init(gspace *g, const raxis *a, const gate_transform *s, bool display)
{
    g->a = a;
    g->s = s;
    g->display = display;
    g->straight =
        display || (affine(s) && affine(&a->t)) || (s && gate_transform_same(s, &a->t));
    double w0 = gspace_from_display(g, a->lo), w1 = gspace_from_display(g, a->hi);
    /* a bound with no value in the gate's space (e.g. a log space below zero): unbounded */
    if (isnan(w0)) w0 = -INFINITY;
    if (isnan(w1)) w1 = INFINITY;
    if (w0 > w1) {
        double t = w0;
        w0 = w1;
        w1 = t;
    }
    g->lo = finite_coord(w0);
    g->hi = finite_coord(w1);
}

/* Pixel position of gate coordinate @p v along the axis (x: left to right, y: bottom up). */
static double gspace_pixel(const gspace *g, double v, double p0, double p1)
{
    double fr = raxis_frac_display(g->a, gspace_to_display(g, v));
    if (!isfinite(fr)) fr = fr > 0 ? 10 : -10; /* no display value (log of <= 0): far off */
    if (fr > 10) fr = 10;
    if (fr < -10) fr = -10;
    return p0 + fr * (p1 - p0);
}

/* The gate's outline in gate coordinates, before clipping. */
static apo_status gate_vertices(const render_gate *g, gpoly *out, apo_error *err)
{
    switch (g->shape) {
    case RENDER_SHAPE_POLYGON:
        if (g->n_vertices < 3 || !g->xy) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, g->name,
                                 "expected a polygon gate with >= 3 vertices, found %zu",
                                 g->n_vertices);
        }
        for (size_t i = 0; i < g->n_vertices; i++) {
            double x = g->xy[2 * i], y = g->xy[2 * i + 1];
            if (isnan(x) || isnan(y)) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, g->name,
                                     "expected numeric polygon vertices, found NaN at vertex "
                                     "%zu", i + 1);
            }
            if (!gpoly_push(out, finite_coord(x), finite_coord(y))) return nomem(err);
        }
        return APO_OK;
    case RENDER_SHAPE_RECTANGLE: {
        if (!g->xy) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, g->name,
                                 "expected rectangle bounds, found none");
        }
        /* NaN is an open side, as in gate_strategy_add_rectangle */
        double x0 = isnan(g->xy[0]) ? -FAR : finite_coord(g->xy[0]);
        double y0 = isnan(g->xy[1]) ? -FAR : finite_coord(g->xy[1]);
        double x1 = isnan(g->xy[2]) ? FAR : finite_coord(g->xy[2]);
        double y1 = isnan(g->xy[3]) ? FAR : finite_coord(g->xy[3]);
        if (!gpoly_push(out, x0, y0) || !gpoly_push(out, x1, y0) || !gpoly_push(out, x1, y1) ||
            !gpoly_push(out, x0, y1)) {
            return nomem(err);
        }
        return APO_OK;
    }
    case RENDER_SHAPE_ELLIPSE:
    default: {
        /* x = mean + r L (cos a, sin a) with L L' = covariance (Cholesky): the points where
         * (x - mean)' C^-1 (x - mean) = distance_square */
        const double *cv = g->covariance;
        double l11 = cv[0] > 0 ? sqrt(cv[0]) : NAN;
        double l21 = cv[2] / l11;
        double r2 = cv[3] - l21 * l21;
        double l22 = r2 > 0 ? sqrt(r2) : NAN;
        double rad = g->distance_square > 0 ? sqrt(g->distance_square) : NAN;
        for (size_t i = 0; i < ELLIPSE_POINTS; i++) {
            double a = 2 * 3.14159265358979323846 * (double)i / ELLIPSE_POINTS;
            double x = g->cx + rad * l11 * cos(a);
            double y = g->cy + rad * (l21 * cos(a) + l22 * sin(a));
            if (!isfinite(x) || !isfinite(y)) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, g->name,
                                     "expected a positive definite covariance and distance, "
                                     "found [%g %g; %g %g], %g", cv[0], cv[1], cv[2], cv[3],
                                     g->distance_square);
            }
            if (!gpoly_push(out, x, y)) return nomem(err);
        }
        return APO_OK;
    }
    }
}

/* One Sutherland-Hodgman pass: keep the part of @p in with coordinate @p axis on the
 * @p above side of @p bound (>= when above, else <=). */
static bool clip_pass(const gpoly *in, gpoly *out, int axis, double bound, bool above)
{
    out->n = 0;
    if (in->n == 0) return true;
    const int other = 1 - axis;
    const double *prev = &in->xy[2 * (in->n - 1)];
    bool prev_in = above ? prev[axis] >= bound : prev[axis] <= bound;
    for (size_t i = 0; i < in->n; i++) {
        const double *cur = &in->xy[2 * i];
        bool cur_in = above ? cur[axis] >= bound : cur[axis] <= bound;
        if (cur_in != prev_in) {
            double t = (bound - prev[axis]) / (cur[axis] - prev[axis]);
            double pt[2];
            pt[axis] = bound;
            pt[other] = prev[other] + t * (cur[other] - prev[other]);
            if (!gpoly_push(out, pt[0], pt[1])) return false;
        }
        if (cur_in && !gpoly_push(out, cur[0], cur[1])) return false;
        prev = cur;
        prev_in = cur_in;
    }
    return true;
}

/* Clip @p p (in place, @p tmp is scratch) to [x0, x1] x [y0, y1]. */
static bool clip_box(gpoly *p, gpoly *tmp, double x0, double x1, double y0, double y1)
{
    gpoly t;
    if (!clip_pass(p, tmp, 0, x0, true)) return false;
    t = *p, *p = *tmp, *tmp = t;
    if (!clip_pass(p, tmp, 0, x1, false)) return false;
    t = *p, *p = *tmp, *tmp = t;
    if (!clip_pass(p, tmp, 1, y0, true)) return false;
    t = *p, *p = *tmp, *tmp = t;
    if (!clip_pass(p, tmp, 1, y1, false)) return false;
    t = *p, *p = *tmp, *tmp = t;
    return true;
}

typedef struct tracer {
    const gspace *gx, *gy;
    bool straight; /* both axes affine: no need to split edges */
    const rframe *f;
    gpoly *out;
} tracer;

static void trace_map(const tracer *t, double x, double y, double *px, double *py)
{
    *px = gspace_pixel(t->gx, x, t->f->x0, t->f->x1);
    *py = gspace_pixel(t->gy, y, t->f->y1, t->f->y0);
}

/* Append the points of the edge (ax, ay) -> (bx, by) after its start, in pixels: split in
 * gate coordinates until each piece's mapped midpoint is within TRACE_TOL of its chord. */
static bool trace_edge(const tracer *t, double ax, double ay, double apx, double apy, double bx,
                       double by, double bpx, double bpy, int depth)
{
    if (t->straight) return gpoly_push(t->out, bpx, bpy);
    double mx = (ax + bx) / 2, my = (ay + by) / 2, mpx, mpy;
    trace_map(t, mx, my, &mpx, &mpy);
    double gap = hypot(mpx - (apx + bpx) / 2, mpy - (apy + bpy) / 2);
    if (depth < TRACE_MAX_DEPTH && (depth < TRACE_MIN_DEPTH || gap > TRACE_TOL)) {
        return trace_edge(t, ax, ay, apx, apy, mx, my, mpx, mpy, depth + 1) &&
               trace_edge(t, mx, my, mpx, mpy, bx, by, bpx, bpy, depth + 1);
    }
    return gpoly_push(t->out, bpx, bpy);
}

/* Map the clipped polygon @p in (gate coordinates) to pixels in @p out. */
static bool trace_polygon(const gpoly *in, const gspace *gx, const gspace *gy, const rframe *f,
                          gpoly *out)
{
    out->n = 0;
    tracer t = {gx, gy, gx->straight && gy->straight, f, out};
    for (size_t i = 0; i < in->n; i++) {
        size_t j = (i + 1) % in->n;
        double ax = in->xy[2 * i], ay = in->xy[2 * i + 1];
        double bx = in->xy[2 * j], by = in->xy[2 * j + 1], apx, apy, bpx, bpy;
        trace_map(&t, ax, ay, &apx, &apy);
        trace_map(&t, bx, by, &bpx, &bpy);
        if (!trace_edge(&t, ax, ay, apx, apy, bx, by, bpx, bpy, 0)) return false;
    }
    return true;
}

apo_status rgate_outline(const render_gate *g, const raxis *ax, const raxis *ay,
                         const rframe *f, double **xy_out, size_t *n_out, apo_error *err)
{
    *xy_out = NULL;
    *n_out = 0;
    gspace gx, gy;
    gspace_init(&gx, ax, g->x_space, g->display_units);
    gspace_init(&gy, ay, g->y_space, g->display_units);
    gpoly a = {0}, b = {0};
    apo_status st = gate_vertices(g, &a, err);
    if (st == APO_OK && !clip_box(&a, &b, gx.lo, gx.hi, gy.lo, gy.hi)) st = nomem(err);
    if (st == APO_OK && !trace_polygon(&a, &gx, &gy, f, &b)) st = nomem(err);
    /* the pixel polygon: b; clip it to the frame (y grows downwards) */
    if (st == APO_OK && !clip_box(&b, &a, f->x0, f->x1, f->y0, f->y1)) st = nomem(err);
    free(a.xy);
    if (st != APO_OK || b.n < 3) {
        free(b.xy);
        return st;
    }
    *xy_out = b.xy;
    *n_out = b.n;
    return APO_OK;
}
