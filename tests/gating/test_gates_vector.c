/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gates_vector.c: the per-event loops that run in vectors (gates_kernels.c,
 * gates_window.c, the AND and count of gates_eval.c) against the event-by-event forms they
 * replace, kept here as references: the same memberships and counts bit for bit, for
 * n = 0 .. a few hundred (odd tails of every vector width) and across the chunk boundaries,
 * on values with NaN, infinities, zeros of both signs, subnormals and values exactly on
 * vertices, edges and limits.
 */
#include "gating/gate.h"
#include "gating/gates_internal.h"

#include <criterion/criterion.h>
#include <float.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 11;
}

static double uniform(uint64_t *s)
{
    return (double)rng_next(s) * 0x1.0p-53;
}

static const double SPECIAL[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0, -0.0, 5e-324, -5e-324,
                                 DBL_MAX, -DBL_MAX, 1e300, -1e300};
#define N_SPECIAL (sizeof SPECIAL / sizeof SPECIAL[0])

/* The polygon test as it was, event by event (PNPOLY with the bounding box first). */
static void polygon_reference(size_t n, const double *x, const double *y, size_t nv,
                              const double *xy, uint8_t *m)
{
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < nv; i++) {
        xmin = fmin(xmin, xy[2 * i]);
        xmax = fmax(xmax, xy[2 * i]);
        ymin = fmin(ymin, xy[2 * i + 1]);
        ymax = fmax(ymax, xy[2 * i + 1]);
    }
    for (size_t e = 0; e < n; e++) {
        const double px = x[e], py = y[e];
        if (!(px >= xmin && px <= xmax && py >= ymin && py <= ymax)) {
            m[e] = 0;
            continue;
        }
        uint8_t inside = 0;
        for (size_t i = 0, j = nv - 1; i < nv; j = i++) {
            const double xi = xy[2 * i], yi = xy[2 * i + 1];
            const double xj = xy[2 * j], yj = xy[2 * j + 1];
            if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) {
                inside ^= 1;
            }
        }
        m[e] = inside;
    }
}

/* Events for a polygon: anywhere around it, on vertex ordinates, on vertices, on edges, and
 * special values in either coordinate. */
static void polygon_events(uint64_t *s, size_t nv, const double *xy, size_t n, double *x,
                           double *y)
{
    for (size_t e = 0; e < n; e++) {
        const size_t k = nv ? rng_next(s) % nv : 0, k2 = nv ? (k + 1) % nv : 0;
        const double vx = nv ? xy[2 * k] : 0, vy = nv ? xy[2 * k + 1] : 0;
        switch (rng_next(s) % 6) {
        case 0:
        case 1:
            x[e] = uniform(s) * 5 - 2.5;
            y[e] = uniform(s) * 5 - 2.5;
            break;
        case 2:
            x[e] = uniform(s) * 5 - 2.5;
            y[e] = vy;
            break;
        case 3:
            x[e] = vx;
            y[e] = vy;
            break;
        case 4: {
            const double t = uniform(s);
            x[e] = vx + t * ((nv ? xy[2 * k2] : 0) - vx);
            y[e] = vy + t * ((nv ? xy[2 * k2 + 1] : 0) - vy);
            break;
        }
        default:
            x[e] = rng_next(s) % 2 ? SPECIAL[rng_next(s) % N_SPECIAL] : uniform(s) * 2 - 1;
            y[e] = rng_next(s) % 2 ? SPECIAL[rng_next(s) % N_SPECIAL] : uniform(s) * 2 - 1;
        }
    }
}

/* Polygons of 1 to 7 vertices (the edge-by-edge path): triangles like the singlet gate,
 * horizontal and vertical edges, repeated vertices, self-intersecting shapes, vertices with
 * -0 and huge coordinates. */
Test(gates_vector, small_polygons_equal_the_event_by_event_loop)
{
    enum { NMAX = 1300 };
    double *x = malloc(NMAX * sizeof *x), *y = malloc(NMAX * sizeof *y);
    uint8_t *m = malloc(NMAX), *want = malloc(NMAX);
    cr_assert(x != NULL && y != NULL && m != NULL && want != NULL);
    uint64_t s = 77;
    size_t checked = 0, inside = 0;
    for (int shape = 0; shape < 60; shape++) {
        const size_t nv = 1 + (size_t)shape % 7;
        double xy[14];
        for (size_t i = 0; i < nv; i++) {
            xy[2 * i] = uniform(&s) * 4 - 2;
            xy[2 * i + 1] = uniform(&s) * 4 - 2;
            if (shape % 5 == 1) { /* coarse grid: horizontal/vertical edges, repeats */
                xy[2 * i] = round(xy[2 * i] * 2) / 2;
                xy[2 * i + 1] = round(xy[2 * i + 1] * 2) / 2;
            }
        }
        if (shape % 5 == 3) {
            xy[1] = -0.0;
            xy[0] = -0.0;
        }
        if (shape % 11 == 4) {
            xy[0] = 1e300;
        }
        /* every n up to 300 for some shapes, then lengths across the chunks */
        const size_t n = shape < 7 ? (size_t)shape * 43 : (shape < 20 ? (size_t)(shape - 7) * 23 + 1 : 300 + rng_next(&s) % 1000);
        for (size_t len = (shape < 3 ? 0 : n); len <= n; len++) {
            polygon_events(&s, nv, xy, len, x, y);
            polygon_reference(len, x, y, nv, xy, want);
            memset(m, 0xAA, NMAX);
            gs_polygon_member(len, x, y, nv, xy, m);
            for (size_t e = 0; e < len; e++) {
                cr_assert_eq(m[e], want[e], "shape %d (%zu vertices), n %zu, event %zu (%a, %a)",
                             shape, nv, len, e, x[e], y[e]);
                inside += want[e];
            }
            checked += len;
            cr_assert_eq(m[len], 0xAA, "wrote past n = %zu", len);
        }
    }
    cr_assert_gt(inside, checked / 50, "inside %zu of %zu", inside, checked);
    free(x);
    free(y);
    free(m);
    free(want);
}

/* The AND with the parent's row and the count: arbitrary byte values (not only 0/1), so a
 * chunk's 16-bit sum is at its largest. */
Test(gates_vector, and_count_equals_the_plain_sum)
{
    enum { NMAX = 2000 };
    uint8_t *m = malloc(NMAX), *pm = malloc(NMAX), *want = malloc(NMAX);
    cr_assert(m != NULL && pm != NULL && want != NULL);
    uint64_t s = 5;
    for (size_t n = 0; n < NMAX; n += n < 300 ? 1 : 97) {
        for (int with_parent = 0; with_parent < 2; with_parent++) {
            for (size_t e = 0; e < n; e++) {
                const int kind = (int)(rng_next(&s) % 4);
                m[e] = kind == 0 ? 0xFF : (kind == 1 ? (uint8_t)rng_next(&s) : (uint8_t)(rng_next(&s) & 1));
                pm[e] = rng_next(&s) % 3 ? 0xFF : (uint8_t)rng_next(&s);
            }
            uint64_t expect = 0;
            for (size_t e = 0; e < n; e++) {
                want[e] = with_parent ? (uint8_t)(m[e] & pm[e]) : m[e];
                expect += want[e];
            }
            const uint64_t got = gs_and_count(m, with_parent ? pm : NULL, n);
            cr_assert_eq(got, expect, "n %zu, parent %d", n, with_parent);
            cr_assert(memcmp(m, want, n) == 0, "n %zu, parent %d", n, with_parent);
        }
    }
    /* every byte 255 over many chunks: the largest sums */
    memset(m, 0xFF, NMAX);
    cr_assert_eq(gs_and_count(m, NULL, NMAX), (uint64_t)255 * NMAX);
    free(m);
    free(pm);
    free(want);
}

Test(gates_vector, and_class_equals_the_plain_loop)
{
    enum { NMAX = 700 };
    uint8_t m[NMAX], cls[NMAX], want[NMAX];
    uint64_t s = 9;
    for (size_t n = 0; n < NMAX; n++) {
        for (size_t e = 0; e < n; e++) {
            m[e] = (uint8_t)(rng_next(&s) % 2);
            cls[e] = (uint8_t)(rng_next(&s) % 3);
        }
        for (uint8_t w = 0; w < 2; w++) {
            for (size_t e = 0; e < n; e++) {
                want[e] = (uint8_t)(m[e] & (cls[e] == w));
            }
            gs_and_class(m, cls, w, n);
            cr_assert(memcmp(m, want, n) == 0, "n %zu, want %u", n, w);
        }
    }
}

/* The window classification as it was, event by event: the transform of every value
 * compared with the limit (>= 1, < 0, neither 2). */
static void classify_reference(const gate_transform *t, size_t n, const double *x, double y,
                               uint8_t *cls)
{
    for (size_t e = 0; e < n; e++) {
        const double v = gate_transform_apply(t, x[e]);
        cls[e] = v >= y ? 1 : (v < y ? 0 : 2);
    }
}

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gates_vector, .init = setup);

Test(gates_vector, window_classes_equal_the_transformed_values)
{
    enum { NMAX = 1200 };
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144.0, 0.5, 4.5, 0.0, NULL), APO_OK);
    double *x = malloc(NMAX * sizeof *x);
    uint8_t *cls = malloc(NMAX), *want = malloc(NMAX);
    cr_assert(x != NULL && cls != NULL && want != NULL);
    uint64_t s = 31;
    size_t on_limit = 0;
    for (size_t n = 0; n < NMAX; n += n < 300 ? 1 : 111) {
        const double y = 0.1 + 0.7 * uniform(&s);
        const double r = gate_transform_inverse(&t, y);
        const double lim = gate_transform_apply(&t, r); /* a limit values sit exactly on */
        for (size_t e = 0; e < n; e++) {
            switch (rng_next(&s) % 5) {
            case 0:
                x[e] = SPECIAL[rng_next(&s) % N_SPECIAL];
                break;
            case 1: { /* the limit's raw value and its neighbours */
                double v = r;
                for (uint64_t k = rng_next(&s) % 9; k > 0; k--) {
                    v = nextafter(v, rng_next(&s) % 2 ? INFINITY : -INFINITY);
                }
                x[e] = v;
                break;
            }
            default: {
                const double mag = pow(10.0, -2.0 + uniform(&s) * 8.5);
                x[e] = rng_next(&s) % 4 == 0 ? -mag : mag;
            }
            }
        }
        classify_reference(&t, n, x, lim, want);
        memset(cls, 0xAA, NMAX);
        cr_assert(gs_window_classify(&t, n, x, lim, cls));
        for (size_t e = 0; e < n; e++) {
            cr_assert_eq(cls[e], want[e], "n %zu, event %zu (%a)", n, e, x[e]);
            on_limit += gate_transform_apply(&t, x[e]) == lim;
        }
        cr_assert_eq(cls[n], 0xAA, "wrote past n = %zu", n);
    }
    cr_assert_gt(on_limit, 10, "values on a limit: %zu", on_limit);
    free(x);
    free(cls);
    free(want);
}

/* Compensated values (matrix already inverted, so its values are the coefficients) against
 * the sum made event by event: out = +0, then out += x_i * inv[i][k] for each detector i in
 * order, the same bits (a NaN for a NaN). */
Test(gates_vector, compensation_equals_the_event_by_event_sum)
{
    enum { NMAX = 1700, ND = 3 }; /* past three of compensate_block's 512-event chunks */
    static const char *const det[ND] = {"D1", "D2", "D3"};
    static const char *const flu[ND] = {"F1", "F2", "F3"};
    const double inv[ND * ND] = {1.02, -0.13, 0.004, -0.31, 1.2, -0.0, 1e-3, -0.27, 0.98};
    gate_strategy *g = NULL;
    cr_assert_eq(gate_strategy_new(&g, NULL), APO_OK);
    cr_assert_eq(gate_strategy_add_spillover(g, "S", ND, flu, ND, det, inv, true, NULL), APO_OK);
    double *v = malloc(ND * NMAX * sizeof *v), *out = malloc(NMAX * sizeof *out);
    cr_assert(v != NULL && out != NULL);
    uint64_t s = 4;
    for (size_t n = 0; n < NMAX; n += n < 100 ? 1 : 137) {
        for (size_t e = 0; e < ND * n; e++) {
            v[e] = rng_next(&s) % 7 == 0 ? SPECIAL[rng_next(&s) % N_SPECIAL]
                                         : (uniform(&s) - 0.1) * 262144.0;
        }
        const gate_data d = {.n_events = n, .n_params = ND, .names = det, .values = v};
        for (size_t k = 0; k < ND; k++) {
            const gate_dim dim = {.name = flu[k], .comp_ref = "S"};
            cr_assert_eq(gate_dim_values(g, &d, &dim, false, out, NULL), APO_OK);
            for (size_t e = 0; e < n; e++) {
                double want = 0.0;
                for (size_t i = 0; i < ND; i++) {
                    want += v[i * n + e] * inv[i * ND + k];
                }
                /* which NaN a sum of two NaNs gives (sign, payload) is the processor's
                 * choice by operand order, which C leaves open: any NaN then */
                cr_assert(memcmp(&out[e], &want, sizeof want) == 0 || (isnan(out[e]) && isnan(want)),
                          "n %zu, %s, event %zu: %a, expected %a", n, flu[k], e, out[e], want);
            }
        }
    }
    free(v);
    free(out);
    gate_strategy_free(g);
}

/* Rectangle limits on plain columns against the comparisons made one event at a time, with
 * infinite (open) and NaN limits, values on the limits, -0 against +0. */
Test(gates_vector, rectangle_equals_the_plain_comparisons)
{
    enum { NMAX = 500, ND = 3 };
    static const double LIMITS[] = {-INFINITY, INFINITY, NAN, 0.0, -0.0, 1.5, -2.0, 5e-324};
    const size_t nl = sizeof LIMITS / sizeof LIMITS[0];
    double *col[ND];
    for (size_t d = 0; d < ND; d++) {
        col[d] = malloc(NMAX * sizeof(double));
        cr_assert(col[d] != NULL);
    }
    uint8_t m[NMAX + 1], want[NMAX];
    uint64_t s = 3;
    size_t inside = 0;
    for (size_t n = 0; n < NMAX; n += n < 200 ? 1 : 29) {
        double lo[ND], hi[ND];
        for (size_t d = 0; d < ND; d++) {
            lo[d] = LIMITS[rng_next(&s) % nl];
            hi[d] = LIMITS[rng_next(&s) % nl];
            if (rng_next(&s) % 2) { /* mostly open or proper ranges */
                lo[d] = rng_next(&s) % 2 ? -INFINITY : -1.0;
                hi[d] = rng_next(&s) % 2 ? INFINITY : 1.5;
            }
            for (size_t e = 0; e < n; e++) {
                const uint64_t k = rng_next(&s) % 4;
                col[d][e] = k == 0 ? SPECIAL[rng_next(&s) % N_SPECIAL]
                                   : (k == 1 ? LIMITS[rng_next(&s) % nl] : uniform(&s) * 6 - 3);
            }
        }
        const size_t nd = rng_next(&s) % (ND + 1);
        for (size_t e = 0; e < n; e++) {
            uint8_t in = 1;
            for (size_t d = 0; d < nd; d++) {
                const double v = col[d][e];
                if (lo[d] != -INFINITY && !(v >= lo[d])) {
                    in = 0;
                }
                if (hi[d] != INFINITY && !(v < hi[d])) {
                    in = 0;
                }
                if (lo[d] == -INFINITY && hi[d] == INFINITY && isnan(v)) {
                    in = 0;
                }
            }
            want[e] = in;
            inside += in;
        }
        m[n] = 0xAA;
        gs_rect_member(n, nd, (const double *const *)col, lo, hi, m);
        cr_assert(memcmp(m, want, n) == 0, "n %zu, %zu dims", n, nd);
        cr_assert_eq(m[n], 0xAA, "wrote past n = %zu", n);
    }
    cr_assert_gt(inside, 100);
    for (size_t d = 0; d < ND; d++) {
        free(col[d]);
    }
}
