/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_axis.c: axis ranges and ticks: where logicle decades land (the docs/plots.md table for
 * T=262144, W=0.5, M=4.5), which ticks exist and are labelled (0, 10^2 ... labelled; minor
 * m*10^k unlabelled; nothing below 10^2), linear 50K-style labels, the label collision rule,
 * automatic ranges and bad ranges.
 */
#include "render/render_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static raxis logicle_axis(double W)
{
    render_axis a;
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144, W, 4.5, 0, NULL), APO_OK);
    render_axis_init(&a, &t, "x");
    raxis r;
    cr_assert_eq(raxis_resolve(&r, &a, NULL, 0, NULL), APO_OK);
    return r;
}

static const rtick *find(const rtick *t, size_t n, double v)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].value == v) return &t[i];
    }
    return NULL;
}

Test(render_axis, logicle_decades_land_where_the_table_says)
{
    raxis a = logicle_axis(0.5);
    cr_assert(a.decades);
    cr_assert_float_eq(a.lo, 0, 1e-12);
    cr_assert_float_eq(a.hi, 1, 1e-12);
    rtick *t = NULL;
    size_t n = 0;
    cr_assert_eq(raxis_ticks(&a, &t, &n, NULL), APO_OK);
    const double v[] = {0, 1e2, 1e3, 1e4, 1e5};
    const double f[] = {0.111, 0.213, 0.454, 0.684, 0.907};
    const char *exp[] = {"", "2", "3", "4", "5"};
    for (int i = 0; i < 5; i++) {
        const rtick *k = find(t, n, v[i]);
        cr_assert_not_null(k, "no tick at %g", v[i]);
        cr_assert_float_eq(k->frac, f[i], 0.0015, "frac of %g is %g", v[i], k->frac);
        cr_assert(k->major && k->labelled);
        cr_assert_str_eq(k->label.exp, exp[i]);
        cr_assert_str_eq(k->label.base, i == 0 ? "0" : "10");
    }
    /* minor ticks: unlabelled, e.g. 2000 and 50000; none below 10^2 (linear zone) */
    const rtick *m = find(t, n, 2000);
    cr_assert_not_null(m);
    cr_assert(!m->major && !m->labelled);
    cr_assert_not_null(find(t, n, 50000));
    cr_assert_null(find(t, n, 10));
    cr_assert_null(find(t, n, 50));
    /* -10^2 is inside with W = 0.5 (bottom is about -111), labelled with U+2212 */
    const rtick *neg = find(t, n, -100);
    cr_assert_not_null(neg);
    cr_assert_str_eq(neg->label.base, "\xe2\x88\x92" "10");
    /* logicle is symmetric about 0: 2 * 0.1111 - 0.2132 = 0.0090 */
    cr_assert_float_eq(neg->frac, 0.0090, 0.0005);
    /* nothing outside the axis */
    for (size_t i = 0; i < n; i++) {
        cr_assert(t[i].frac >= 0 && t[i].frac <= 1);
        cr_assert(t[i].value < 262145 && t[i].value > -110);
    }
    free(t);
}

Test(render_axis, logicle_w1_positions)
{
    raxis a = logicle_axis(1.0);
    rtick *t = NULL;
    size_t n = 0;
    cr_assert_eq(raxis_ticks(&a, &t, &n, NULL), APO_OK);
    cr_assert_float_eq(find(t, n, 0)->frac, 0.222, 0.0015);
    cr_assert_float_eq(find(t, n, 1e3)->frac, 0.406, 0.0015);
    cr_assert_float_eq(find(t, n, -100)->frac, 0.200, 0.0015);
    cr_assert_not_null(find(t, n, -1000)); /* bottom about -1132 */
    free(t);
}

Test(render_axis, linear_k_labels)
{
    render_axis a;
    render_axis_init(&a, NULL, "FSC-A");
    a.min = 0;
    a.max = 262144;
    raxis r;
    cr_assert_eq(raxis_resolve(&r, &a, NULL, 0, NULL), APO_OK);
    cr_assert(!r.decades);
    rtick *t = NULL;
    size_t n = 0;
    cr_assert_eq(raxis_ticks(&r, &t, &n, NULL), APO_OK);
    cr_assert_eq(n, 6);
    const char *want[] = {"0", "50K", "100K", "150K", "200K", "250K"};
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(t[i].label.base, want[i]);
        cr_assert_float_eq(t[i].frac, i * 50000 / 262144.0, 1e-9);
    }
    free(t);
    /* small numbers: plain labels */
    raxis s;
    raxis_linear(&s, 0, 108);
    cr_assert_eq(raxis_ticks(&s, &t, &n, NULL), APO_OK);
    cr_assert_eq(n, 6);
    cr_assert_str_eq(t[5].label.base, "100");
    free(t);
}

Test(render_axis, automatic_linear_range_starts_at_zero)
{
    double x[1000];
    for (int i = 0; i < 1000; i++) x[i] = 1000 + 100 * i;
    render_axis a;
    render_axis_init(&a, NULL, NULL);
    raxis r;
    cr_assert_eq(raxis_resolve(&r, &a, x, 1000, NULL), APO_OK);
    cr_assert_float_eq(r.lo, 0, 1e-12);
    cr_assert(r.hi > 100800 * 1.04 && r.hi < 100900 * 1.06, "hi %g", r.hi);
    /* millions get an M */
    raxis big;
    raxis_linear(&big, 0, 3.2e6);
    rtick *t = NULL;
    size_t n = 0;
    cr_assert_eq(raxis_ticks(&big, &t, &n, NULL), APO_OK);
    cr_assert_eq(n, 7); /* steps of 500K */
    cr_assert_str_eq(t[1].label.base, "500K");
    cr_assert_str_eq(t[2].label.base, "1M");
    cr_assert_str_eq(t[3].label.base, "1.5M");
    cr_assert_str_eq(t[6].label.base, "3M");
    free(t);
    raxis_linear(&big, 0, 1.7e6);
    cr_assert_eq(raxis_ticks(&big, &t, &n, NULL), APO_OK);
    cr_assert_eq(n, 4); /* steps of 500K: 3.4 intervals are closer to 5 than 8.5 */
    cr_assert_str_eq(t[1].label.base, "500K");
    cr_assert_str_eq(t[3].label.base, "1.5M");
    free(t);
    /* bad explicit range */
    a.min = 10;
    a.max = 5;
    apo_error err;
    cr_assert_eq(raxis_resolve(&r, &a, x, 1000, &err), APO_E_USAGE);
    /* log of a non-positive minimum */
    gate_transform lg;
    gate_transform_init_log10(&lg);
    render_axis_init(&a, &lg, "log");
    a.min = 0;
    a.max = 1e5;
    cr_assert_eq(raxis_resolve(&r, &a, x, 1000, &err), APO_E_USAGE);
}

Test(render_axis, collision_rule_keeps_zero_and_drops_crowded_labels)
{
    /* 0 at 0.111, -10^2 at 0.007 and 10^2 at 0.213 on a 100 px axis with 20 px labels:
     * -10^2 (centre 0.7 px) collides with 0 (centre 11 px), 10^2 (21 px) too: only 0 stays */
    rtick t[3];
    memset(t, 0, sizeof t);
    t[0].value = -100; t[0].frac = 0.007; t[0].labelled = true;
    t[1].value = 0;    t[1].frac = 0.111; t[1].labelled = true;
    t[2].value = 100;  t[2].frac = 0.213; t[2].labelled = true;
    double ext[3] = {20, 8, 20};
    cr_assert_eq(raxis_place_labels(t, 3, ext, 100, NULL), APO_OK);
    cr_assert(t[1].labelled);
    cr_assert(!t[0].labelled);
    cr_assert(!t[2].labelled);
    /* on a 440 px axis all three fit */
    for (int i = 0; i < 3; i++) t[i].labelled = true;
    cr_assert_eq(raxis_place_labels(t, 3, ext, 440, NULL), APO_OK);
    cr_assert(t[0].labelled && t[1].labelled && t[2].labelled);
}

Test(render_axis, quantile_matches_sorting)
{
    double x[101];
    for (int i = 0; i <= 100; i++) x[i] = (double)((i * 37) % 101);
    double q;
    cr_assert_eq(rquantile(x, 101, 0.5, &q, NULL), APO_OK);
    cr_assert_float_eq(q, 50, 0);
    cr_assert_eq(rquantile(x, 101, 0.0, &q, NULL), APO_OK);
    cr_assert_float_eq(q, 0, 0);
    cr_assert_eq(rquantile(x, 101, 1.0, &q, NULL), APO_OK);
    cr_assert_float_eq(q, 100, 0);
    x[3] = NAN;
    cr_assert_eq(rquantile(x, 101, 1.0, &q, NULL), APO_OK);
    cr_assert_float_eq(q, 100, 0);
    cr_assert_eq(rquantile(x, 0, 0.5, &q, NULL), APO_OK);
    cr_assert(isnan(q));
}
