/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_transform_same.c: gate_transform_same, the exact equality of two transforms (the plots'
 * knot cache and the gate outlines rely on it): equal for the same set-up and for copies,
 * unequal for each parameter changed on its own (T, W, M, A, cofactor, the bounds, one
 * coefficient, biex's channel count that only the coefficients hold), for -0.0 against +0.0,
 * and for different kinds with the same parameters; bounds that act on nothing (has_bounds
 * false) are not compared.
 */
#include "gating/gate.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

TestSuite(gating_transform_same);

static gate_transform logicle(double T, double W, double M, double A)
{
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, T, W, M, A, NULL), APO_OK);
    return t;
}

/* Both ways round, so the test is symmetric as the function must be. */
static void expect(const gate_transform *a, const gate_transform *b, bool same, const char *what)
{
    cr_assert_eq(gate_transform_same(a, b), same, "%s: a against b", what);
    cr_assert_eq(gate_transform_same(b, a), same, "%s: b against a", what);
}

Test(gating_transform_same, equal_setups_and_copies)
{
    const gate_transform a = logicle(262144, 0.5, 4.5, 0);
    const gate_transform b = logicle(262144, 0.5, 4.5, 0);
    expect(&a, &b, true, "logicle set up twice");
    cr_assert(gate_transform_same(&a, &a), "a transform and itself");
    gate_transform c = a;
    expect(&a, &c, true, "a copy");
    gate_transform l1, l2;
    gate_transform_init_linear(&l1);
    gate_transform_init_linear(&l2);
    expect(&l1, &l2, true, "linear");
    gate_transform s1, s2;
    cr_assert_eq(gate_transform_init_asinh(&s1, 150, NULL), APO_OK);
    cr_assert_eq(gate_transform_init_asinh(&s2, 150, NULL), APO_OK);
    expect(&s1, &s2, true, "asinh");
}

Test(gating_transform_same, each_parameter_on_its_own)
{
    const gate_transform a = logicle(262144, 0.5, 4.5, 0);
    gate_transform b = logicle(262144 * 2, 0.5, 4.5, 0);
    expect(&a, &b, false, "T");
    b = logicle(262144, 0.75, 4.5, 0);
    expect(&a, &b, false, "W");
    b = logicle(262144, 0.5, 4.0, 0);
    expect(&a, &b, false, "M");
    b = logicle(262144, 0.5, 4.5, 0.25);
    expect(&a, &b, false, "A");

    /* one named field changed by hand, the coefficients left as they were */
    const double delta = 1.0 / 1024;
    b = a;
    b.T += 1;
    expect(&a, &b, false, "T alone");
    b = a;
    b.W += delta;
    expect(&a, &b, false, "W alone");
    b = a;
    b.M += delta;
    expect(&a, &b, false, "M alone");
    b = a;
    b.A = delta;
    expect(&a, &b, false, "A alone");
    b = a;
    b.cofactor = 2;
    expect(&a, &b, false, "cofactor");
    b = a;
    b.A = -0.0; /* a.A is +0.0: equal by ==, not by bits */
    cr_assert(b.A == a.A);
    expect(&a, &b, false, "-0.0 against +0.0");
    for (size_t k = 0; k < sizeof a.coef / sizeof a.coef[0]; k++) {
        b = a;
        uint64_t bits;
        memcpy(&bits, &b.coef[k], sizeof bits);
        bits ^= 1; /* the lowest bit of the significand */
        memcpy(&b.coef[k], &bits, sizeof bits);
        cr_assert(!gate_transform_same(&a, &b), "coef[%zu]", k);
    }
}

Test(gating_transform_same, bounds_only_when_they_act)
{
    const gate_transform a = logicle(262144, 0.5, 4.5, 0);
    gate_transform b = a;
    cr_assert_eq(gate_transform_set_bounds(&b, 0, 1, NULL), APO_OK);
    expect(&a, &b, false, "bounds set on one");
    gate_transform c = a;
    cr_assert_eq(gate_transform_set_bounds(&c, 0, 1, NULL), APO_OK);
    expect(&b, &c, true, "the same bounds");
    cr_assert_eq(gate_transform_set_bounds(&c, 0, 0.5, NULL), APO_OK);
    expect(&b, &c, false, "boundMax");
    cr_assert_eq(gate_transform_set_bounds(&c, -0.25, 1, NULL), APO_OK);
    expect(&b, &c, false, "boundMin");
    /* no bounds: the stored ends act on nothing and are not compared */
    gate_transform d = a;
    d.bound_min = 3;
    d.bound_max = 4;
    cr_assert(!d.has_bounds);
    expect(&a, &d, true, "unused bound values");
    cr_assert_eq(gate_transform_set_bounds(&d, -INFINITY, INFINITY, NULL), APO_OK);
    expect(&a, &d, true, "open bounds (no bounds)");
}

Test(gating_transform_same, different_kinds)
{
    const gate_transform lg = logicle(262144, 0.5, 4.5, 0);
    gate_transform hl;
    cr_assert_eq(gate_transform_init_hyperlog(&hl, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    expect(&lg, &hl, false, "logicle against hyperlog");
    gate_transform lg_kind = lg;
    lg_kind.kind = GATE_TRANSFORM_HYPERLOG; /* the kind alone */
    expect(&lg, &lg_kind, false, "the kind alone");
    gate_transform lin, lg10;
    gate_transform_init_linear(&lin);
    gate_transform_init_log10(&lg10);
    expect(&lin, &lg10, false, "linear against log10");
    gate_transform fl, fa;
    cr_assert_eq(gate_transform_init_flog(&fl, 262144, 4.5, NULL), APO_OK);
    cr_assert_eq(gate_transform_init_fasinh(&fa, 262144, 4.5, 0, NULL), APO_OK);
    expect(&fl, &fa, false, "flog against fasinh");
}

Test(gating_transform_same, biex_channels)
{
    gate_transform a, b, c;
    cr_assert_eq(gate_transform_init_biex(&a, 4.41854, 0, -10, 262144, 4096, NULL), APO_OK);
    cr_assert_eq(gate_transform_init_biex(&b, 4.41854, 0, -10, 262144, 4096, NULL), APO_OK);
    cr_assert_eq(gate_transform_init_biex(&c, 4.41854, 0, -10, 262144, 1024, NULL), APO_OK);
    expect(&a, &b, true, "biex set up twice");
    /* the same named parameters; only the coefficients hold the channel count */
    cr_assert(a.T == c.T && a.W == c.W && a.M == c.M && a.A == c.A);
    expect(&a, &c, false, "biex channels");
}
