/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gates_window.c: rectangle and quadrant limits on logicle dimensions are tested on the
 * raw values, the transform computed only near each limit (gates_window.c). The membership
 * must equal transforming the whole column and comparing, bit for bit, on random values and
 * on adversarial ones: values whose computed transform equals the limit, their neighbours a
 * few units in the last place away, zeros of both signs, subnormals, NaN, infinities, huge
 * magnitudes; for arrays long enough for the table path of the transform and shorter ones.
 * The one-value form of the array path equals the array path bit for bit, and polygons of
 * many vertices (tested by horizontal slabs) give the plain even-odd loop's membership.
 */
#include "gating/gate.h"
#include "gating/gating_internal.h"

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

static const double PARAMS[4][4] = {
    {262144.0, 0.5, 4.5, 0.0}, {262144.0, 1.0, 4.5, 0.5}, {10000.0, 0.0, 4.0, 0.0},
    {1e6, 0.8, 5.0, 1.0}};

/* A raw value spread over the transform's range: log-uniform magnitudes, both signs. */
static double raw_value(uint64_t *s, double T)
{
    const double mag = pow(10.0, -2.0 + uniform(s) * (log10(T) + 3.0));
    return rng_next(s) % 5 == 0 ? -mag : mag;
}

/* Fill x with n values: random ones, and around each limit in @p lim (scale units) the raw
 * value whose transform is the limit and 40 neighbours in units in the last place; the
 * limits themselves are replaced by the computed transform of such a raw value, so some
 * events sit exactly on them. */
static void adversarial(const gate_transform *t, uint64_t *s, double *x, size_t n, double *lim,
                        size_t n_lim)
{
    for (size_t e = 0; e < n; e++) {
        x[e] = raw_value(s, t->T);
    }
    const double special[] = {0.0, -0.0, 5e-324, -5e-324, NAN, INFINITY, -INFINITY, 1e300,
                              -1e300, DBL_MAX};
    const size_t ns = sizeof special / sizeof special[0];
    for (size_t k = 0; k < ns && k < n; k++) {
        x[k] = special[k];
    }
    size_t at = ns;
    for (size_t l = 0; l < n_lim; l++) {
        double r = gate_transform_inverse(t, lim[l]);
        const double y = gate_transform_apply(t, r);
        lim[l] = y; /* a limit some event's computed transform equals */
        double v = r;
        for (int k = 0; k < 20; k++) {
            v = nextafter(v, -INFINITY);
        }
        for (int k = 0; k < 41 && at < n; k++, at++) {
            x[at] = v;
            v = nextafter(v, INFINITY);
        }
    }
}

/* Expected membership: the whole column transformed, compared as the gate does. */
static bool expect_in(double y, double lo, double hi)
{
    return y >= lo && y < hi;
}

static void check_quadrants(const double *param, size_t n, uint64_t seed)
{
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, param[0], param[1], param[2], param[3], NULL),
                 APO_OK);
    uint64_t s = seed;
    double *x = malloc(2 * n * sizeof *x), *y = malloc(2 * n * sizeof *y);
    cr_assert(x != NULL && y != NULL);
    /* limits: the two thresholds, and the rectangle's [lo, hi) on A */
    double lim[4] = {0.1 + 0.6 * uniform(&s), 0.1 + 0.6 * uniform(&s), 0.05 + 0.3 * uniform(&s),
                     0.5 + 0.4 * uniform(&s)};
    double lim_a[3] = {lim[0], lim[2], lim[3]}, lim_b[1] = {lim[1]};
    adversarial(&t, &s, x, n, lim_a, 3);
    adversarial(&t, &s, x + n, n, lim_b, 1);
    gate_transform_apply_array(&t, x, y, n);
    gate_transform_apply_array(&t, x + n, y + n, n);

    gate_strategy *g = NULL;
    cr_assert_eq(gate_strategy_new(&g, NULL), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(g, "L", &t, NULL), APO_OK);
    gate_dim ab[2] = {{.name = "A", .transform_ref = "L"}, {.name = "B", .transform_ref = "L"}};
    const double rlo[2] = {lim_a[1], -INFINITY}, rhi[2] = {lim_a[2], lim_b[0]};
    cr_assert_eq(gate_strategy_add_rectangle(g, "R", NULL, 2, ab, rlo, rhi, NULL), APO_OK);
    const char *const q[4] = {"Q--", "Q+-", "Q++", "Q-+"};
    cr_assert_eq(gate_strategy_add_quadrants_2d(g, "Quad", NULL, ab, lim_a[0], lim_b[0], q, NULL),
                 APO_OK);
    static const char *const names[2] = {"A", "B"};
    gate_data d = {.n_events = n, .n_params = 2, .names = names, .values = x};
    gate_result r;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(gate_strategy_apply(g, &d, &r, &err), APO_OK, "%s", err.msg);
    const uint8_t *mr = gate_result_membership(&r, gate_strategy_find(g, "R"));
    const uint8_t *mq[4];
    for (int k = 0; k < 4; k++) {
        mq[k] = gate_result_membership(&r, gate_strategy_find(g, q[k]));
    }
    size_t on_limit = 0;
    for (size_t e = 0; e < n; e++) {
        const double ya = y[e], yb = y[n + e];
        on_limit += ya == lim_a[0] || ya == lim_a[1] || ya == lim_a[2] || yb == lim_b[0];
        cr_assert_eq(mr[e], expect_in(ya, rlo[0], rhi[0]) && yb < rhi[1], "R, event %zu", e);
        const bool xp = ya >= lim_a[0], yp = yb >= lim_b[0];
        const bool xm = ya < lim_a[0], ym = yb < lim_b[0];
        cr_assert_eq(mq[0][e], xm && ym, "Q--, event %zu (A %a, B %a)", e, x[e], x[n + e]);
        cr_assert_eq(mq[1][e], xp && ym, "Q+-, event %zu", e);
        cr_assert_eq(mq[2][e], xp && yp, "Q++, event %zu", e);
        cr_assert_eq(mq[3][e], xm && yp, "Q-+, event %zu", e);
    }
    cr_assert_geq(on_limit, 4, "events exactly on a limit: %zu", on_limit);
    gate_result_free(&r);
    gate_strategy_free(g);
    free(x);
    free(y);
}

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gates_window, .init = setup);

Test(gates_window, quadrants_and_rectangles_equal_the_transformed_path)
{
    for (size_t p = 0; p < sizeof PARAMS / sizeof PARAMS[0]; p++) {
        check_quadrants(PARAMS[p], 50000, 11 + p); /* the table path of the transform */
        check_quadrants(PARAMS[p], 3000, 101 + p); /* the one-value path */
        check_quadrants(PARAMS[p], 4096, 1001 + p);
    }
}

/* Many events inside the window (a column of nearly equal values): the array's table is used
 * for them, with the same result. */
Test(gates_window, crowded_window)
{
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144.0, 0.5, 4.5, 0.0, NULL), APO_OK);
    const size_t n = 20000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    cr_assert(x != NULL && y != NULL);
    const double r = gate_transform_inverse(&t, 0.4);
    double v = r;
    for (size_t e = 0; e < n / 2; e++) {
        v = nextafter(v, -INFINITY);
    }
    for (size_t e = 0; e < n; e++, v = nextafter(v, INFINITY)) {
        x[e] = v;
    }
    gate_transform_apply_array(&t, x, y, n);
    const double lim = y[n / 2];
    gate_strategy *g = NULL;
    cr_assert_eq(gate_strategy_new(&g, NULL), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(g, "L", &t, NULL), APO_OK);
    gate_dim a = {.name = "A", .transform_ref = "L"};
    const double hi = INFINITY;
    cr_assert_eq(gate_strategy_add_rectangle(g, "R", NULL, 1, &a, &lim, &hi, NULL), APO_OK);
    static const char *const names[1] = {"A"};
    gate_data d = {.n_events = n, .n_params = 1, .names = names, .values = x};
    gate_result res;
    cr_assert_eq(gate_strategy_apply(g, &d, &res, NULL), APO_OK);
    const uint8_t *m = gate_result_membership(&res, 0);
    for (size_t e = 0; e < n; e++) {
        cr_assert_eq(m[e], y[e] >= lim, "event %zu", e);
    }
    gate_result_free(&res);
    gate_strategy_free(g);
    free(x);
    free(y);
}

Test(gates_window, one_value_equals_the_array_path)
{
    const size_t n = 100000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    cr_assert(x != NULL && y != NULL);
    for (size_t p = 0; p < sizeof PARAMS / sizeof PARAMS[0]; p++) {
        gate_transform t;
        cr_assert_eq(gate_transform_init_logicle(&t, PARAMS[p][0], PARAMS[p][1], PARAMS[p][2],
                                                 PARAMS[p][3], NULL),
                     APO_OK);
        uint64_t s = 7 + p;
        for (size_t e = 0; e < n; e++) {
            x[e] = raw_value(&s, t.T);
        }
        const double special[] = {0.0, -0.0, 5e-324, NAN, INFINITY, -INFINITY, 1e300, t.T, -t.T};
        memcpy(x, special, sizeof special);
        gate_logicle_scale_array(&t, x, y, n);
        for (size_t e = 0; e < n; e++) {
            const double one = gate_logicle_scale(&t, x[e]);
            cr_assert(memcmp(&one, &y[e], sizeof one) == 0 || (isnan(one) && isnan(y[e])),
                      "params %zu value %a: %a vs %a", p, x[e], one, y[e]);
        }
    }
    free(x);
    free(y);
}

/* A subset of a column transformed alone gets the whole column's bits (the statistics
 * transform only the singlets, in chunks over the threads). */
Test(gates_window, subset_alone_gets_the_whole_columns_bits)
{
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144.0, 0.5, 4.5, 0.0, NULL), APO_OK);
    const size_t sizes[2] = {50000, 3000};
    for (int k = 0; k < 2; k++) {
        const size_t n = sizes[k];
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *z = malloc(n * sizeof *z);
        cr_assert(x != NULL && y != NULL && z != NULL);
        uint64_t s = 99;
        for (size_t e = 0; e < n; e++) {
            x[e] = raw_value(&s, t.T);
        }
        gate_transform_apply_array(&t, x, y, n);
        size_t m = 0;
        for (size_t e = 0; e < n; e += 3) {
            z[m++] = x[e];
        }
        gate_transform_apply_array(&t, z, z, m);
        for (size_t j = 0; j < m; j++) {
            cr_assert(memcmp(&z[j], &y[3 * j], sizeof z[j]) == 0, "n %zu, value %a", n, x[3 * j]);
        }
        free(x);
        free(y);
        free(z);
    }
}

/* The even-odd test of every edge, as written in PNPOLY: the reference for the slabs. */
static uint8_t pnpoly(size_t nv, const double *xy, double px, double py)
{
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < nv; i++) {
        xmin = fmin(xmin, xy[2 * i]);
        xmax = fmax(xmax, xy[2 * i]);
        ymin = fmin(ymin, xy[2 * i + 1]);
        ymax = fmax(ymax, xy[2 * i + 1]);
    }
    if (!(px >= xmin && px <= xmax && py >= ymin && py <= ymax)) {
        return 0;
    }
    uint8_t inside = 0;
    for (size_t i = 0, j = nv - 1; i < nv; j = i++) {
        const double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
        if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) {
            inside ^= 1;
        }
    }
    return inside;
}

/* Polygons of many vertices (evaluated by horizontal slabs) against the plain even-odd loop:
 * random star-shaped and self-intersecting ones with repeated ordinates and horizontal edges,
 * the debris gate's shape, events on vertex ordinates, on vertices and on edges. */
Test(gates_window, many_vertex_polygons_equal_the_plain_loop)
{
    enum { NV = 43, N = 20000 };
    static const char *const names[2] = {"X", "Y"};
    double *v = malloc(2 * N * sizeof *v);
    cr_assert(v != NULL);
    uint64_t s = 2024;
    for (int shape = 0; shape < 12; shape++) {
        double xy[2 * NV];
        for (size_t i = 0; i < NV; i++) {
            const double a = 2.0 * 3.14159265358979 * (double)i / NV;
            const double r = shape % 3 == 2 ? 1.0 + uniform(&s) : 0.5 + 0.5 * uniform(&s);
            xy[2 * i] = shape % 3 == 1 ? uniform(&s) * 4 - 2 : r * cos(a);
            /* ordinates on a coarse grid: repeated values and horizontal edges */
            xy[2 * i + 1] = round(r * sin(a) * 8.0) / 8.0;
        }
        for (size_t e = 0; e < N; e++) {
            const size_t k = rng_next(&s) % NV, k2 = (k + 1) % NV;
            switch (e % 4) {
            case 0: /* anywhere */
                v[e] = uniform(&s) * 5 - 2.5;
                v[N + e] = uniform(&s) * 5 - 2.5;
                break;
            case 1: /* on a vertex ordinate */
                v[e] = uniform(&s) * 5 - 2.5;
                v[N + e] = xy[2 * k + 1];
                break;
            case 2: /* a vertex */
                v[e] = xy[2 * k];
                v[N + e] = xy[2 * k + 1];
                break;
            default: { /* on an edge */
                const double t = uniform(&s);
                v[e] = xy[2 * k] + t * (xy[2 * k2] - xy[2 * k]);
                v[N + e] = xy[2 * k + 1] + t * (xy[2 * k2 + 1] - xy[2 * k + 1]);
            }
            }
        }
        v[0] = NAN;
        v[N + 1] = INFINITY;
        gate_strategy *g = NULL;
        cr_assert_eq(gate_strategy_new(&g, NULL), APO_OK);
        gate_dim d2[2] = {{.name = "X"}, {.name = "Y"}};
        cr_assert_eq(gate_strategy_add_polygon(g, "P", NULL, d2, NV, xy, NULL), APO_OK);
        gate_data d = {.n_events = N, .n_params = 2, .names = names, .values = v};
        gate_result r;
        cr_assert_eq(gate_strategy_apply(g, &d, &r, NULL), APO_OK);
        const uint8_t *m = gate_result_membership(&r, 0);
        size_t in = 0;
        for (size_t e = 0; e < N; e++) {
            cr_assert_eq(m[e], pnpoly(NV, xy, v[e], v[N + e]), "shape %d, event %zu", shape, e);
            in += m[e];
        }
        cr_assert(in > 0 && in < N);
        gate_result_free(&r);
        gate_strategy_free(g);
    }
    free(v);
}
