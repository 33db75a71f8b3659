/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gates.c: gate semantics on small hand-made data: half-open rectangles and open ends,
 * even-odd polygons, ellipsoids with an asymmetric covariance, quadrants (ties go up, the
 * four quadrants sum to the parent), booleans with complements, parents, compensation with a
 * named matrix and the "FCS" matrix, ratio dimensions, transforms, population paths and
 * builder errors.
 */
#include "gating/gate.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void setup(void)
{
    gsl_set_error_handler_off();
}

/* Events: A = x, B = y, C = 10 * x (column-major). */
enum { NE = 8 };
static const char *const NAMES[3] = {"A", "B", "C"};
static const double VALUES[3 * NE] = {
    /* A */ 0, 1, 2, 3, 4, 5, 6, NAN,
    /* B */ 0, 1, 2, 3, 4, 5, 6, 1,
    /* C */ 0, 10, 20, 30, 40, 50, 60, 70,
};

static gate_data make_data(void)
{
    gate_data d = {.n_events = NE, .n_params = 3, .names = NAMES, .values = VALUES};
    return d;
}

static gate_strategy *new_strategy(void)
{
    gate_strategy *s = NULL;
    cr_assert_eq(gate_strategy_new(&s, NULL), APO_OK);
    return s;
}

/* Membership of gate @p id as a string of 0/1 characters. */
static void membership(const gate_strategy *s, const gate_data *d, const char *id, char *out)
{
    gate_result r;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(gate_strategy_apply(s, d, &r, &err), APO_OK, "%s", err.msg);
    size_t g = gate_strategy_find(s, id);
    cr_assert_neq(g, SIZE_MAX);
    const uint8_t *m = gate_result_membership(&r, g);
    for (size_t e = 0; e < r.n_events; e++) {
        out[e] = (char)('0' + m[e]);
    }
    out[r.n_events] = '\0';
    gate_result_free(&r);
}

Test(gating_gates, rectangle_half_open_and_open_ends, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim a = {.name = "A"};
    double lo = 2, hi = 5, open = NAN;
    cr_assert_eq(gate_strategy_add_rectangle(s, "R", NULL, 1, &a, &lo, &hi, NULL), APO_OK);
    cr_assert_eq(gate_strategy_add_rectangle(s, "Lo", NULL, 1, &a, &lo, &open, NULL), APO_OK);
    double minf = -INFINITY;
    cr_assert_eq(gate_strategy_add_rectangle(s, "Hi", NULL, 1, &a, &minf, &hi, NULL), APO_OK);
    gate_data d = make_data();
    char m[NE + 1];
    membership(s, &d, "R", m);
    cr_assert_str_eq(m, "00111000"); /* 2 <= x < 5; NaN is outside */
    membership(s, &d, "Lo", m);
    cr_assert_str_eq(m, "00111110");
    membership(s, &d, "Hi", m);
    cr_assert_str_eq(m, "11111000");
    gate_info gi;
    gate_strategy_gate(s, gate_strategy_find(s, "Lo"), &gi);
    cr_assert_eq(gi.kind, GATE_RECTANGLE);
    cr_assert_float_eq(gi.min[0], 2.0, 0);
    cr_assert(isinf(gi.max[0]) && gi.max[0] > 0);
    gate_strategy_free(s);
}

Test(gating_gates, polygon_even_odd_self_intersecting, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim ab[2] = {{.name = "A"}, {.name = "B"}};
    /* A bow-tie whose two lobes overlap nowhere, and a doubly wound square: the inner part of a
     * pentagram-like double loop is outside under even-odd. Square 0.5..3.5 twice over. */
    const double sq2[] = {0.5, 0.5, 3.5, 0.5, 3.5, 3.5, 0.5, 3.5,
                          0.5, 0.5, 3.5, 0.5, 3.5, 3.5, 0.5, 3.5};
    cr_assert_eq(gate_strategy_add_polygon(s, "Twice", NULL, ab, 8, sq2, NULL), APO_OK);
    const double tri[] = {0.5, 0.5, 5.5, 0.5, 5.5, 5.5};
    cr_assert_eq(gate_strategy_add_polygon(s, "Tri", NULL, ab, 3, tri, NULL), APO_OK);
    gate_data d = make_data();
    char m[NE + 1];
    membership(s, &d, "Twice", m);
    cr_assert_str_eq(m, "00000000"); /* wound twice: even crossings everywhere */
    membership(s, &d, "Tri", m);
    /* the diagonal y = x lies on the triangle's edge: (1,1)..(5,5) are boundary points; the
     * half-open crossing rule puts them inside, (0,0) and (6,6) outside */
    cr_assert_eq(m[0], '0');
    cr_assert_eq(m[6], '0');
    cr_assert_eq(m[7], '0'); /* NaN */
    gate_info gi;
    gate_strategy_gate(s, gate_strategy_find(s, "Tri"), &gi);
    cr_assert_eq(gi.n_vertices, 3);
    cr_assert_float_eq(gi.vertices[2], 5.5, 0);
    gate_strategy_free(s);
}

Test(gating_gates, polygon_point_tests, .init = setup)
{
    /* Points strictly inside / outside a concave "U" polygon. */
    static const char *const nm[2] = {"X", "Y"};
    static const double v[2 * 4] = {1, 2, 1.5, 9, /* X */ 1, 1, 3, 1 /* Y */};
    gate_data d = {.n_events = 4, .n_params = 2, .names = nm, .values = v};
    gate_strategy *s = new_strategy();
    gate_dim xy[2] = {{.name = "X"}, {.name = "Y"}};
    const double u[] = {0, 0, 3, 0, 3, 4, 2, 4, 2, 2, 1, 2, 1, 4, 0, 4};
    cr_assert_eq(gate_strategy_add_polygon(s, "U", NULL, xy, 8, u, NULL), APO_OK);
    char m[5];
    membership(s, &d, "U", m);
    /* (1,1) inside the base, (2,1) inside, (1.5,3) in the notch -> outside, (9,1) outside */
    cr_assert_str_eq(m, "1100");
    gate_strategy_free(s);
}

Test(gating_gates, ellipsoid_uses_covariance_as_given, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim ab[2] = {{.name = "A"}, {.name = "B"}};
    const double mean[2] = {3, 3};
    const double cov[4] = {4, 0, 0, 1}; /* semi-axes 2 and 1 */
    cr_assert_eq(gate_strategy_add_ellipsoid(s, "E", NULL, 2, ab, mean, cov, 1.0, NULL), APO_OK);
    gate_data d = make_data();
    char m[NE + 1];
    membership(s, &d, "E", m);
    /* (2,2): 1/4 + 1 = 1.25 > 1 out; (3,3) in; (4,4) out */
    cr_assert_str_eq(m, "00010000");
    /* Boundary inclusive: distance square exactly 1 at (3,2)... use D^2 = 1.25 */
    gate_strategy *s2 = new_strategy();
    cr_assert_eq(gate_strategy_add_ellipsoid(s2, "E", NULL, 2, ab, mean, cov, 1.25, NULL), APO_OK);
    membership(s2, &d, "E", m);
    cr_assert_str_eq(m, "00111000");
    const double sing[4] = {1, 1, 1, 1};
    apo_error err;
    cr_assert_eq(gate_strategy_add_ellipsoid(s2, "S", NULL, 2, ab, mean, sing, 1.0, &err),
                 APO_E_NUMERIC);
    gate_strategy_free(s);
    gate_strategy_free(s2);
}

Test(gating_gates, quadrants_ties_go_up_and_sum_to_parent, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim a = {.name = "A"};
    double lo = 1, hi = INFINITY;
    cr_assert_eq(gate_strategy_add_rectangle(s, "P", NULL, 1, &a, &lo, &hi, NULL), APO_OK);
    gate_dim ab[2] = {{.name = "A"}, {.name = "B"}};
    const char *const q[4] = {"Q--", "Q+-", "Q++", "Q-+"};
    cr_assert_eq(gate_strategy_add_quadrants_2d(s, "Quad", "P", ab, 3.0, 4.0, q, NULL), APO_OK);
    gate_data d = make_data();
    gate_result r;
    cr_assert_eq(gate_strategy_apply(s, &d, &r, NULL), APO_OK);
    uint64_t n[4];
    for (int k = 0; k < 4; k++) {
        n[k] = r.count[gate_strategy_find(s, q[k])];
    }
    uint64_t parent = r.count[gate_strategy_find(s, "P")];
    cr_assert_eq(parent, 6); /* A >= 1 among 0..6, NaN excluded */
    cr_assert_eq(n[0] + n[1] + n[2] + n[3], parent);
    /* events (1,1) (2,2) in --; (3,3) on the x threshold -> +-; (4,4) (5,5) (6,6) ++ */
    cr_assert_eq(n[0], 2);
    cr_assert_eq(n[1], 1);
    cr_assert_eq(n[2], 3);
    cr_assert_eq(n[3], 0);
    gate_info gi;
    size_t qi = gate_strategy_find(s, "Q+-");
    gate_strategy_gate(s, qi, &gi);
    cr_assert_eq(gi.kind, GATE_QUADRANT);
    cr_assert_str_eq(gi.parent_id, "P");
    cr_assert_float_eq(gi.min[0], 3.0, 0);
    cr_assert(isinf(gi.max[0]));
    cr_assert(isinf(gi.min[1]) && gi.min[1] < 0);
    cr_assert_float_eq(gi.max[1], 4.0, 0);
    gate_info qg;
    gate_strategy_gate(s, gi.quadrant_gate, &qg);
    cr_assert_eq(qg.kind, GATE_QUADRANT_GATE);
    cr_assert_eq(qg.n_dividers, 2);
    cr_assert_float_eq(qg.dividers[1].values[0], 4.0, 0);
    cr_assert(!gate_strategy_is_population(s, gi.quadrant_gate));
    char *path = gate_strategy_path(s, qi);
    cr_assert_str_eq(path, "P/Q+-");
    free(path);
    gate_result_free(&r);
    gate_strategy_free(s);
}

Test(gating_gates, multi_value_divider_bands, .init = setup)
{
    gate_strategy *s = new_strategy();
    cr_assert_eq(gate_strategy_add_quadrant_gate(s, "QG", NULL, NULL), APO_OK);
    gate_dim a = {.name = "A"};
    const double v[2] = {5, 2}; /* sorted by the builder */
    cr_assert_eq(gate_strategy_add_divider(s, "QG", "DA", &a, 2, v, NULL), APO_OK);
    const char *const ref[1] = {"DA"};
    const double mid = 3, low = -1, high = 9;
    cr_assert_eq(gate_strategy_add_quadrant(s, "QG", "Mid", 1, ref, &mid, NULL), APO_OK);
    cr_assert_eq(gate_strategy_add_quadrant(s, "QG", "Low", 1, ref, &low, NULL), APO_OK);
    cr_assert_eq(gate_strategy_add_quadrant(s, "QG", "High", 1, ref, &high, NULL), APO_OK);
    gate_data d = make_data();
    char m[NE + 1];
    membership(s, &d, "Mid", m);
    cr_assert_str_eq(m, "00111000");
    membership(s, &d, "Low", m);
    cr_assert_str_eq(m, "11000000");
    membership(s, &d, "High", m);
    cr_assert_str_eq(m, "00000110");
    apo_error err;
    const char *const bad[1] = {"nope"};
    cr_assert_eq(gate_strategy_add_quadrant(s, "QG", "X", 1, bad, &mid, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "nope") != NULL);
    gate_strategy_free(s);
}

Test(gating_gates, boolean_and_or_not_with_complement_and_parents, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim a = {.name = "A"}, b = {.name = "B"};
    double l1 = 2, h1 = 6, l2 = 0, h2 = 4;
    cr_assert_eq(gate_strategy_add_rectangle(s, "R1", NULL, 1, &a, &l1, &h1, NULL), APO_OK);
    cr_assert_eq(gate_strategy_add_rectangle(s, "R2", NULL, 1, &b, &l2, &h2, NULL), APO_OK);
    const char *const ops[2] = {"R1", "R2"};
    const bool comp[2] = {false, true};
    cr_assert_eq(gate_strategy_add_boolean(s, "And", NULL, GATE_BOOL_AND, 2, ops, NULL, NULL),
                 APO_OK);
    cr_assert_eq(gate_strategy_add_boolean(s, "Or", NULL, GATE_BOOL_OR, 2, ops, NULL, NULL),
                 APO_OK);
    cr_assert_eq(gate_strategy_add_boolean(s, "AndNot", NULL, GATE_BOOL_AND, 2, ops, comp, NULL),
                 APO_OK);
    cr_assert_eq(gate_strategy_add_boolean(s, "Not", NULL, GATE_BOOL_NOT, 1, ops, NULL, NULL),
                 APO_OK);
    /* a child of R2 referencing a gate defined later (forward reference) */
    cr_assert_eq(gate_strategy_add_boolean(s, "Kid", "R2", GATE_BOOL_NOT, 1, &ops[0], NULL, NULL),
                 APO_OK);
    gate_data d = make_data();
    char m[NE + 1];
    membership(s, &d, "R1", m);
    cr_assert_str_eq(m, "00111100");
    membership(s, &d, "R2", m);
    cr_assert_str_eq(m, "11110001");
    membership(s, &d, "And", m);
    cr_assert_str_eq(m, "00110000");
    membership(s, &d, "Or", m);
    cr_assert_str_eq(m, "11111101");
    membership(s, &d, "AndNot", m);
    cr_assert_str_eq(m, "00001100");
    membership(s, &d, "Not", m);
    cr_assert_str_eq(m, "11000011");
    membership(s, &d, "Kid", m);
    cr_assert_str_eq(m, "11000001");
    char *p = gate_strategy_path(s, gate_strategy_find(s, "Kid"));
    cr_assert_str_eq(p, "R2/Kid");
    free(p);
    cr_assert_eq(gate_strategy_parent(s, gate_strategy_find(s, "Kid")),
                 gate_strategy_find(s, "R2"));
    gate_strategy_free(s);
}

Test(gating_gates, reference_errors_and_cycles, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim a = {.name = "A"};
    double lo = 0, hi = 1;
    apo_error err;
    cr_assert_eq(gate_strategy_add_rectangle(s, "X", "Y", 1, &a, &lo, &hi, NULL), APO_OK);
    cr_assert_eq(gate_strategy_validate(s, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "\"Y\"") != NULL, "%s", err.msg);
    cr_assert_eq(gate_strategy_add_rectangle(s, "Y", "X", 1, &a, &lo, &hi, NULL), APO_OK);
    cr_assert_eq(gate_strategy_validate(s, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "cycle") != NULL, "%s", err.msg);
    cr_assert_null(gate_strategy_path(s, 0));
    gate_data d = make_data();
    gate_result r;
    cr_assert_eq(gate_strategy_apply(s, &d, &r, &err), APO_E_FORMAT);
    cr_assert_eq(gate_strategy_add_rectangle(s, "X", NULL, 1, &a, &lo, &hi, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "twice") != NULL);
    gate_dim none = {0};
    cr_assert_eq(gate_strategy_add_rectangle(s, "Z", NULL, 1, &none, &lo, &hi, &err),
                 APO_E_USAGE);
    cr_assert_eq(gate_strategy_n_gates(s), 2);
    gate_strategy_free(s);
    gate_strategy_free(NULL);
}

Test(gating_gates, unknown_channel_is_usage_error, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim q = {.name = "Nope"};
    double lo = 0, hi = 1;
    cr_assert_eq(gate_strategy_add_rectangle(s, "R", NULL, 1, &q, &lo, &hi, NULL), APO_OK);
    gate_data d = make_data();
    gate_result r;
    apo_error err;
    cr_assert_eq(gate_strategy_apply(s, &d, &r, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "Nope") != NULL, "%s", err.msg);
    gate_strategy_free(s);
}

Test(gating_gates, named_matrix_and_fcs_compensation, .init = setup)
{
    /* Detectors A, B with spill S = [[1, 0.5], [0, 1]] (dye "X" leaks into B). Observed
     * o = t S, so t = o S^-1: tX = A, tY = B - 0.5 A. */
    gate_strategy *s = new_strategy();
    const char *const fl[2] = {"X", "Y"};
    const char *const det[2] = {"A", "B"};
    const double S[4] = {1, 0.5, 0, 1};
    cr_assert_eq(gate_strategy_add_spillover(s, "M", 2, fl, 2, det, S, false, NULL), APO_OK);
    gate_dim y = {.name = "Y", .comp_ref = "M"};
    double lo = -0.25, hi = 0.25;
    cr_assert_eq(gate_strategy_add_rectangle(s, "Yzero", NULL, 1, &y, &lo, &hi, NULL), APO_OK);
    /* FCS comp: with no matrix in the data it is uncompensated */
    gate_dim bf = {.name = "B", .comp_ref = GATE_COMP_FCS};
    double l2 = 2, h2 = 3;
    cr_assert_eq(gate_strategy_add_rectangle(s, "Bf", NULL, 1, &bf, &l2, &h2, NULL), APO_OK);
    /* data: A = 2k, B = k + 0.5 * 2k... build B = 0.5 A exactly, so tY = 0 */
    static const char *const nm[2] = {"A", "B"};
    static const double v[2 * 4] = {0, 2, 4, 6, 0, 1, 2, 3.5};
    gate_data d = {.n_events = 4, .n_params = 2, .names = nm, .values = v};
    char m[5];
    membership(s, &d, "Yzero", m);
    cr_assert_str_eq(m, "1110"); /* last: 3.5 - 3 = 0.5 */
    membership(s, &d, "Bf", m);
    cr_assert_str_eq(m, "0010");
    /* With an "FCS" matrix given: B compensated = B - 0.5 A -> none in [2, 3) */
    gate_comp *c = NULL;
    cr_assert_eq(gate_comp_new(&c, 2, det, NULL, S, NULL), APO_OK);
    d.comp = c;
    membership(s, &d, "Bf", m);
    cr_assert_str_eq(m, "0000");
    double vals[4];
    cr_assert_eq(gate_dim_values(s, &d, &bf, false, vals, NULL), APO_OK);
    cr_assert_float_eq(vals[3], 0.5, 1e-12);
    gate_dim cb = {.name = "Comp-B", .comp_ref = GATE_COMP_FCS};
    cr_assert_eq(gate_dim_values(s, &d, &cb, false, vals, NULL), APO_OK);
    cr_assert_float_eq(vals[3], 0.5, 1e-12);
    gate_comp_free(c);
    gate_strategy_free(s);
}

Test(gating_gates, ratio_and_transform_dimensions, .init = setup)
{
    gate_strategy *s = new_strategy();
    cr_assert_eq(gate_strategy_add_ratio(s, "rat", "C", "A", 1, 0, -1, NULL), APO_OK);
    gate_transform lg;
    cr_assert_eq(gate_transform_init_flog(&lg, 100, 2, NULL), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "lg", &lg, NULL), APO_OK);
    gate_dim r = {.ratio_ref = "rat"};
    gate_dim rl = {.ratio_ref = "rat", .transform_ref = "lg"};
    gate_data d = make_data();
    double v[NE];
    cr_assert_eq(gate_dim_values(s, &d, &r, true, v, NULL), APO_OK);
    cr_assert_float_eq(v[1], 10.0 / 2.0, 1e-12); /* C / (A + 1) */
    cr_assert_eq(gate_dim_values(s, &d, &rl, true, v, NULL), APO_OK);
    cr_assert_float_eq(v[1], log10(5.0 / 100.0) / 2 + 1, 1e-12);
    cr_assert_eq(gate_dim_values(s, &d, &rl, false, v, NULL), APO_OK);
    cr_assert_float_eq(v[1], 5.0, 1e-12);
    double lo = 0.3, hi = 0.45;
    cr_assert_eq(gate_strategy_add_rectangle(s, "RL", NULL, 1, &rl, &lo, &hi, NULL), APO_OK);
    char m[NE + 1];
    membership(s, &d, "RL", m);
    /* ratios 0, 5, 6.67, 7.5, 8, 8.33, 8.57, NaN -> flog: -inf, 0.349, 0.412, 0.437, 0.451.. */
    cr_assert_str_eq(m, "01110000");
    gate_dim bad = {.name = "A", .transform_ref = "missing"};
    cr_assert_eq(gate_strategy_add_rectangle(s, "Bad", NULL, 1, &bad, &lo, &hi, NULL), APO_OK);
    apo_error err;
    cr_assert_eq(gate_strategy_validate(s, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "missing") != NULL);
    gate_strategy_free(s);
}

Test(gating_gates, population_report_counts_and_medians, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim a = {.name = "A"};
    double lo = 1, hi = INFINITY;
    cr_assert_eq(gate_strategy_add_rectangle(s, "P", NULL, 1, &a, &lo, &hi, NULL), APO_OK);
    gate_dim ab[2] = {{.name = "A"}, {.name = "B", .comp_ref = GATE_COMP_FCS}};
    const char *const q[4] = {"Q--", "Q+-", "Q++", "Q-+"};
    cr_assert_eq(gate_strategy_add_quadrants_2d(s, "Quad", "P", ab, 3.0, 4.0, q, NULL), APO_OK);
    gate_data d = make_data();
    gate_result r;
    gate_report rep;
    cr_assert_eq(gate_strategy_apply(s, &d, &r, NULL), APO_OK);
    cr_assert_eq(gate_report_compute(s, &d, &r, &rep, NULL), APO_OK);
    cr_assert_eq(rep.n_dims, 2);
    cr_assert_str_eq(rep.dim_names[0], "A");
    cr_assert_str_eq(rep.dim_names[1], "Comp-B");
    cr_assert_eq(rep.n_populations, 5);
    const gate_population *pp = &rep.populations[0];
    cr_assert_str_eq(pp->path, "P");
    cr_assert_str_eq(pp->parent_path, "");
    cr_assert_eq(pp->count, 6);
    cr_assert_float_eq(pp->pct_total, 75.0, 1e-12);
    cr_assert_float_eq(pp->medians[0], 3.5, 1e-12); /* A in 1..6 */
    cr_assert_float_eq(pp->medians[1], 3.5, 1e-12);
    const gate_population *qq = &rep.populations[3]; /* Q++: (4,4) (5,5) (6,6) */
    cr_assert_str_eq(qq->path, "P/Q++");
    cr_assert_str_eq(qq->parent_path, "P");
    cr_assert_eq(qq->count, 3);
    cr_assert_eq(qq->parent_count, 6);
    cr_assert_float_eq(qq->pct_parent, 50.0, 1e-12);
    cr_assert_float_eq(qq->medians[0], 5.0, 1e-12);
    const gate_population *qe = &rep.populations[4]; /* Q-+: empty */
    cr_assert_eq(qe->count, 0);
    cr_assert(isnan(qe->medians[0]));
    gate_report_free(&rep);
    gate_result_free(&r);
    gate_strategy_free(s);
}

Test(gating_gates, zero_events, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim ab[2] = {{.name = "A"}, {.name = "B"}};
    const double xy[] = {0, 0, 1, 0, 1, 1};
    cr_assert_eq(gate_strategy_add_polygon(s, "P", NULL, ab, 3, xy, NULL), APO_OK);
    const double mean[2] = {0, 0}, cov[4] = {1, 0, 0, 1};
    cr_assert_eq(gate_strategy_add_ellipsoid(s, "E", "P", 2, ab, mean, cov, 1, NULL), APO_OK);
    gate_data d = {.n_events = 0, .n_params = 3, .names = NAMES, .values = VALUES};
    gate_result r;
    gate_report rep;
    cr_assert_eq(gate_strategy_apply(s, &d, &r, NULL), APO_OK);
    cr_assert_eq(r.count[0], 0);
    cr_assert_eq(gate_report_compute(s, &d, &r, &rep, NULL), APO_OK);
    cr_assert_eq(rep.n_populations, 2);
    cr_assert(isnan(rep.populations[1].pct_parent));
    cr_assert(isnan(rep.populations[1].medians[0]));
    gate_report_free(&rep);
    gate_result_free(&r);
    gate_strategy_free(s);
}

Test(gating_gates, deep_hierarchy_and_boolean_chain, .init = setup)
{
    enum { DEPTH = 3000 };
    gate_strategy *s = new_strategy();
    gate_dim a = {.name = "A"};
    double lo = -INFINITY, hi = 6;
    char id[32], parent[32];
    for (int i = 0; i < DEPTH; i++) {
        snprintf(id, sizeof(id), "g%d", i);
        snprintf(parent, sizeof(parent), "g%d", i - 1);
        cr_assert_eq(gate_strategy_add_rectangle(s, id, i ? parent : NULL, 1, &a, &lo, &hi, NULL),
                     APO_OK);
    }
    /* a chain of NOTs, each referencing the previous (an even count: same as the leaf) */
    for (int i = 0; i < DEPTH; i++) {
        snprintf(id, sizeof(id), "n%d", i);
        snprintf(parent, sizeof(parent), i ? "n%d" : "g%d", i ? i - 1 : DEPTH - 1);
        const char *const op[1] = {parent};
        cr_assert_eq(gate_strategy_add_boolean(s, id, NULL, GATE_BOOL_NOT, 1, op, NULL, NULL),
                     APO_OK);
    }
    gate_data d = make_data();
    char m[NE + 1];
    snprintf(id, sizeof(id), "g%d", DEPTH - 1);
    membership(s, &d, id, m);
    cr_assert_str_eq(m, "11111100");
    snprintf(id, sizeof(id), "n%d", DEPTH - 1);
    membership(s, &d, id, m);
    cr_assert_str_eq(m, "11111100");
    gate_strategy_free(s);
}

Test(gating_gates, fcs_compensation_found_by_label_and_case, .init = setup)
{
    static const char *const nm[2] = {"A", "B"};
    static const char *const lb[2] = {"FITC", "PI"};
    static const double v[2 * 2] = {2, 4, 3, 3};
    gate_data d = {.n_events = 2, .n_params = 2, .names = nm, .labels = lb, .values = v};
    const char *const det[2] = {"A", "B"};
    const double S[4] = {1, 0.5, 0, 1};
    gate_comp *c = NULL;
    cr_assert_eq(gate_comp_new(&c, 2, det, NULL, S, NULL), APO_OK);
    d.comp = c;
    gate_strategy *s = new_strategy();
    const char *const names[3] = {"PI", "b", "Comp-PI"};
    for (int k = 0; k < 3; k++) {
        gate_dim g = {.name = names[k], .comp_ref = GATE_COMP_FCS};
        double out[2];
        apo_error err;
        cr_assert_eq(gate_dim_values(s, &d, &g, false, out, &err), APO_OK, "%s", err.msg);
        cr_assert_float_eq(out[0], 3 - 0.5 * 2, 1e-12, "%s", names[k]);
        cr_assert_float_eq(out[1], 3 - 0.5 * 4, 1e-12, "%s", names[k]);
    }
    gate_dim raw = {.name = "PI"};
    double out[2];
    cr_assert_eq(gate_dim_values(s, &d, &raw, false, out, NULL), APO_OK);
    cr_assert_float_eq(out[1], 3.0, 0);
    gate_strategy_free(s);
    gate_comp_free(c);
}

/* gate_strategy_apply_to: the chosen gate and its ancestors as gate_strategy_apply has them,
 * every other row zero; a gate index out of range is refused. */
Test(gating_gates, apply_to_one_gate_and_its_ancestors, .init = setup)
{
    gate_strategy *s = new_strategy();
    gate_dim a = {.name = "A"}, b = {.name = "B"};
    double lo = 1, hi = INFINITY, lo2 = -INFINITY, hi2 = 5;
    cr_assert_eq(gate_strategy_add_rectangle(s, "P", NULL, 1, &a, &lo, &hi, NULL), APO_OK);
    cr_assert_eq(gate_strategy_add_rectangle(s, "K", "P", 1, &b, &lo2, &hi2, NULL), APO_OK);
    gate_dim ab[2] = {{.name = "A"}, {.name = "B"}};
    const char *const q[4] = {"Q--", "Q+-", "Q++", "Q-+"};
    cr_assert_eq(gate_strategy_add_quadrants_2d(s, "Quad", "K", ab, 3.0, 4.0, q, NULL), APO_OK);
    gate_data d = make_data();
    gate_result all, one;
    cr_assert_eq(gate_strategy_apply(s, &d, &all, NULL), APO_OK);
    const size_t k = gate_strategy_find(s, "K"), p = gate_strategy_find(s, "P");
    cr_assert_eq(gate_strategy_apply_to(s, &d, k, &one, NULL), APO_OK);
    cr_assert_eq(one.n_gates, all.n_gates);
    cr_assert_eq(one.count[k], 4); /* A >= 1 and B < 5 (max exclusive): events 1..4 */
    cr_assert_eq(one.count[k], all.count[k]);
    cr_assert_eq(one.count[p], all.count[p]);
    cr_assert_eq(memcmp(gate_result_membership(&one, k), gate_result_membership(&all, k), NE), 0);
    cr_assert_eq(memcmp(gate_result_membership(&one, p), gate_result_membership(&all, p), NE), 0);
    const size_t q2 = gate_strategy_find(s, "Q++");
    cr_assert_gt(all.count[q2], 0);
    cr_assert_eq(one.count[q2], 0);
    const uint8_t zero[NE] = {0};
    cr_assert_eq(memcmp(gate_result_membership(&one, q2), zero, NE), 0);
    gate_result_free(&one);
    apo_error err;
    cr_assert_eq(gate_strategy_apply_to(s, &d, all.n_gates, &one, &err), APO_E_USAGE);
    gate_result_free(&all);
    gate_strategy_free(s);
}
