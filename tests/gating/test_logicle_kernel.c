/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_logicle_kernel.c: the forward logicle kernel (gating/logicle.c). Its accuracy against
 * a long double solution of the logicle equation built from T, W, M, A (no worse than the
 * iteration it replaced, whose errors on the same values are the bounds below); the AVX2 and
 * the portable paths give the same bits; one value alone gives the bits it gets in an array.
 */
#include "gating/gate.h"
#include "gating/gating_internal.h"

#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef long double ld;

/* T, W, M, A; the assay's default (W estimated, typically 0.2-1.5) and others. */
static const double PARAMS[][4] = {
    {262144, 0.5, 4.5, 0}, {262144, 0.2, 4.5, 0}, {262144, 1.0, 4.5, 0},   {262144, 1.5, 4.5, 0},
    {262144, 0, 4.5, 0},   {10000, 1, 4, 0.5},    {262144, 1.5, 5, 0.3},   {4176, 0.2, 3, 0},
    {1e6, 0.7, 6, 0},      {1024, 0, 3, 0},       {262144, 2.25, 4.5, 0},
};
#define N_PARAMS (sizeof PARAMS / sizeof PARAMS[0])

/*
 * The iteration this kernel replaced, on the values of accuracy_values (100,000 per set): the
 * largest and the mean absolute error in units of 2^-53 (the spacing of doubles in [0.5, 1),
 * the upper half of the scale) and the mean error in units in the last place of the result
 * over the positive values, each the better of its one-value and array paths; and the
 * largest error in units in the last place, the worse of its two paths (either could serve
 * a value). With W = 0 (sets 4 and 9) x1 = 0 and the results of tiny values have no
 * relative accuracy in either (no Taylor region), hence their large figures.
 */
static const double OLD_MAX_ABS[N_PARAMS] = {5.5801, 5.3145, 4.6660, 4.4512, 3.8125, 4.6270,
                                             3.8828, 4.8633, 3.2148, 4.5410, 11.8589};
static const double OLD_MEAN_ABS[N_PARAMS] = {0.4781, 0.4480, 0.4657, 0.5357, 0.4752, 0.3552,
                                              0.4524, 0.3917, 0.4239, 0.3753, 0.3602};
static const double OLD_MEAN_ULP[N_PARAMS] = {0.7216, 0.7443, 0.6007, 0.6405, 3.744e12, 0.4397,
                                              0.4729, 0.6651, 0.5123, 5.108e12, 0.3236};
static const double OLD_MAX_ULP[N_PARAMS] = {5.315, 7.318, 3.523, 5.083, 1.342e16, 3.316,
                                             3.871, 4.839, 5.085, 1.019e16, 11.86};

/* The logicle constants in long double from the parameters (Moore and Parks 2012). */
typedef struct ref_logicle {
    ld b, d, x1, a1, c1; /* a1 = a e^{b x1}, c1 = c e^{-d x1} */
} ref_logicle;

static void ref_init(ref_logicle *r, const double p[4])
{
    const ld T = p[0], W = p[1], M = p[2], A = p[3];
    const ld b = (M + A) * logl(10.0L), w = W / (M + A), x2 = A / (M + A);
    const ld x1 = x2 + w, x0 = x2 + 2 * w;
    ld d = b;
    if (W > 0) { /* 2 (ln d - ln b) + w (b + d) = 0 by bisection */
        ld lo = 0, hi = b;
        for (int i = 0; i < 200; i++) {
            const ld m = (lo + hi) / 2;
            if (2 * (logl(m) - logl(b)) + w * (b + m) < 0) {
                lo = m;
            } else {
                hi = m;
            }
        }
        d = (lo + hi) / 2;
    }
    const ld ca = expl(x0 * (b + d));
    const ld mfa = expl(b * x1) - ca * expl(-d * x1);
    const ld a = T / ((expl(b) - mfa) - ca * expl(-d));
    r->b = b;
    r->d = d;
    r->x1 = x1;
    r->a1 = a * expl(b * x1);
    r->c1 = ca * a * expl(-d * x1);
}

/* B(x1 + u) = a1 (e^{bu} - 1) - c1 (e^{-du} - 1): no cancellation near x1. */
static ld ref_b(const ref_logicle *r, ld u)
{
    return r->a1 * expm1l(r->b * u) - r->c1 * expm1l(-r->d * u);
}

static ld ref_db(const ref_logicle *r, ld u)
{
    return r->a1 * r->b * expl(r->b * u) + r->c1 * r->d * expl(-r->d * u);
}

/* The scale value of @p value (nonzero, finite): Newton's method in long double from @p guess,
 * kept inside a bracket of the root (bisection when a step leaves it), to convergence; so the
 * result does not depend on the guess. Negative values by the symmetry about x1. */
static ld ref_scale(const ref_logicle *r, double value, double guess)
{
    const ld v = fabsl((ld)value);
    ld lo = 0, hi = 1;
    while (ref_b(r, hi) < v) {
        lo = hi;
        hi *= 2;
    }
    ld u = fabsl((ld)guess - r->x1);
    if (!(u > lo && u < hi)) {
        u = 0.5L * (lo + hi);
    }
    ld last_step = INFINITY;
    for (int i = 0; i < 400; i++) {
        const ld f = ref_b(r, u) - v;
        if (f == 0) {
            break;
        }
        if (f < 0) {
            lo = u;
        } else {
            hi = u;
        }
        const ld step = f / ref_db(r, u);
        if (fabsl(step) <= 1e-18L * u ||
            (fabsl(step) <= 1e-16L * u && fabsl(step) > 0.5L * last_step)) {
            u -= step; /* converged, or at the noise of long double (tiny steps that stop
                        * shrinking) */
            break;
        }
        last_step = fabsl(step);
        u -= step;
        if (!(u > lo && u < hi)) {
            u = 0.5L * (lo + hi);
            last_step = INFINITY;
        }
    }
    const ld y = r->x1 + u;
    return value < 0 ? 2 * r->x1 - y : y;
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Four kinds of values, a third of them negative: log-uniform from 1e-300 to 1e6 T, the
 * linear region (+-1 % of T), log-uniform over the decades, uniform up to 1.5 T. */
static void accuracy_values(double top, double *in, size_t n)
{
    uint64_t x = 88172645463325252u;
    for (size_t i = 0; i < n; i++) {
        const double u = (double)(xorshift(&x) >> 11) / 9007199254740992.0;
        switch (i % 4) {
        case 0:
            in[i] = exp(u * (log(top * 1e6) - log(1e-300)) + log(1e-300));
            break;
        case 1:
            in[i] = (u - 0.5) * top * 0.02;
            break;
        case 2:
            in[i] = exp(2 + u * log(top));
            break;
        default:
            in[i] = u * top * 1.5;
            break;
        }
        if (i % 3 == 0) {
            in[i] = -in[i];
        }
    }
}

static double ulp_of(ld ref)
{
    const double r = fabs((double)ref);
    return nextafter(r, INFINITY) - r;
}

Test(logicle_kernel, accuracy_no_worse_than_the_old_iteration)
{
    const size_t n = 100000;
    double *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
    cr_assert(in != NULL && out != NULL);
    for (size_t p = 0; p < N_PARAMS; p++) {
        gate_transform t;
        cr_assert_eq(gate_transform_init_logicle(&t, PARAMS[p][0], PARAMS[p][1], PARAMS[p][2],
                                                 PARAMS[p][3], NULL),
                     APO_OK);
        ref_logicle r;
        ref_init(&r, PARAMS[p]);
        accuracy_values(PARAMS[p][0], in, n);
        gate_transform_apply_array(&t, in, out, n);
        double max_abs = 0, sum_abs = 0, sum_ulp = 0, max_ulp = 0;
        size_t n_pos = 0;
        for (size_t i = 0; i < n; i++) {
            const ld ref = ref_scale(&r, in[i], out[i]);
            cr_assert(isfinite((double)ref) && isfinite(out[i]), "set %zu value %a", p, in[i]);
            const double err = (double)fabsl((ld)out[i] - ref);
            max_abs = fmax(max_abs, err / 0x1p-53);
            sum_abs += err / 0x1p-53;
            if (in[i] > 0) {
                sum_ulp += err / ulp_of(ref);
                max_ulp = fmax(max_ulp, err / ulp_of(ref));
                n_pos++;
            }
        }
        const double mean_abs = sum_abs / (double)n, mean_ulp = sum_ulp / (double)n_pos;
        /* the old figures are printed to 4 decimals or digits: the margins are half of that */
        cr_expect(max_abs <= OLD_MAX_ABS[p] + 5e-5, "set %zu: largest error %.4f, was %.4f", p,
                  max_abs, OLD_MAX_ABS[p]);
        cr_expect(mean_abs <= OLD_MEAN_ABS[p] + 5e-5, "set %zu: mean error %.4f, was %.4f", p,
                  mean_abs, OLD_MEAN_ABS[p]);
        cr_expect(mean_ulp <= OLD_MEAN_ULP[p] * (1 + 5e-4), "set %zu: mean ulps %.4g, was %.4g",
                  p, mean_ulp, OLD_MEAN_ULP[p]);
        cr_expect(max_ulp <= OLD_MAX_ULP[p] * (1 + 5e-4), "set %zu: largest ulps %.4g, was %.4g",
                  p, max_ulp, OLD_MAX_ULP[p]);
        /* and in absolute terms: a few units of 2^-53 (the largest, 11.9, is the double
         * coefficients' own error at W = M/2, the same for the old iteration) */
        cr_expect(max_abs < 12.0 && mean_abs < 0.5, "set %zu: %.3f / %.4f", p, max_abs,
                  mean_abs);
    }
    free(in);
    free(out);
}

/* Values of every kind for the bit-for-bit comparisons, specials included. */
static void mixed_values(double top, uint64_t seed, double *in, size_t n)
{
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++) {
        const double u = (double)(xorshift(&x) >> 11) / 9007199254740992.0;
        switch (i % 6) {
        case 0:
            in[i] = (u * 2 - 1) * top * 1.2;
            break;
        case 1:
            in[i] = exp(u * log(top * 2)) * ((x & 1) ? 1 : -1);
            break;
        case 2:
            in[i] = (u - 0.5) * 200;
            break;
        case 3:
            in[i] = exp(u * 80 - 60) * ((x & 2) ? 1 : -1);
            break;
        case 4:
            in[i] = exp(u * 700 - 350);
            break;
        default:
            in[i] = u * top;
            break;
        }
    }
    const double special[] = {0.0,       -0.0,      5e-324, -5e-324, NAN,      INFINITY,
                              -INFINITY, 1e300,     -1e300, DBL_MAX, -DBL_MAX, top,
                              -top,      top * 1e6, 1e-300, -1e-300};
    for (size_t i = 0; i < sizeof special / sizeof special[0] && i * 997 < n; i++) {
        in[i * 997] = special[i];
    }
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* The AVX-512 path, the AVX2 path (where the processor has them) and the portable C loop:
 * the same bits on 3.3 million values (a path the processor lacks falls back to a narrower
 * one, so on such a machine fewer paths are compared). */
Test(logicle_kernel, vector_paths_equal_portable)
{
    const size_t n = 300000;
    double *in = malloc(n * sizeof *in), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    double *c = malloc(n * sizeof *c);
    cr_assert(in != NULL && a != NULL && b != NULL && c != NULL);
    for (size_t p = 0; p < N_PARAMS; p++) {
        gate_transform t;
        cr_assert_eq(gate_transform_init_logicle(&t, PARAMS[p][0], PARAMS[p][1], PARAMS[p][2],
                                                 PARAMS[p][3], NULL),
                     APO_OK);
        mixed_values(PARAMS[p][0], 1000 + p, in, n);
        gate_logicle_scale_array_path(&t, in, a, n, 2);
        gate_logicle_scale_array_path(&t, in, b, n, 1);
        gate_logicle_scale_array_path(&t, in, c, n, 0);
        size_t differ_wide = 0, differ_avx2 = 0;
        for (size_t i = 0; i < n; i++) {
            differ_wide += !same_bits(a[i], c[i]);
            differ_avx2 += !same_bits(b[i], c[i]);
        }
        cr_assert_eq(differ_wide, 0, "set %zu: widest path, %zu of %zu values differ", p,
                     differ_wide, n);
        cr_assert_eq(differ_avx2, 0, "set %zu: AVX2 path, %zu of %zu values differ", p,
                     differ_avx2, n);
        cr_assert(isfinite(c[2]) && c[2] != 0.0); /* the comparison saw real numbers */
    }
    free(in);
    free(a);
    free(b);
    free(c);
}

/* The array transformed in place (out == in, as the assay does) gives the values of a
 * separate output on every path, with zeros, NaN and infinities (the lanes redone one value at
 * a time) in every group of the vector loops. */
Test(logicle_kernel, in_place_equals_separate_output)
{
    const size_t n = 20011;
    double *in = malloc(n * sizeof *in), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    cr_assert(in != NULL && a != NULL && b != NULL);
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144.0, 0.5, 4.5, 0.0, NULL), APO_OK);
    mixed_values(t.T, 77, in, n);
    const double special[] = {0.0, -0.0, NAN, INFINITY, -INFINITY};
    size_t redone = 0;
    for (size_t i = 0; i < n; i += 7) {
        in[i] = special[(i / 7) % 5];
        redone++;
    }
    for (int widest = 0; widest <= 2; widest++) {
        gate_logicle_scale_array_path(&t, in, a, n, widest);
        memcpy(b, in, n * sizeof *b);
        gate_logicle_scale_array_path(&t, b, b, n, widest);
        size_t differ = 0;
        for (size_t i = 0; i < n; i++) {
            differ += !same_bits(a[i], b[i]);
        }
        cr_assert_eq(differ, 0, "path %d: %zu of %zu values differ in place", widest, differ, n);
        cr_assert(a[0] == gate_logicle_scale(&t, 0.0) && isnan(a[14]), "path %d", widest);
    }
    cr_assert_gt(redone, 2000);
    free(in);
    free(a);
    free(b);
}

/* One value alone (gate_logicle_scale, gate_transform_apply), a short array (odd lengths:
 * the vector loop's tail) and a long one give the same bits. */
Test(logicle_kernel, one_value_equals_array)
{
    const size_t n = 50001;
    double *in = malloc(n * sizeof *in), *a = malloc(n * sizeof *a), *s = malloc(n * sizeof *s);
    cr_assert(in != NULL && a != NULL && s != NULL);
    for (size_t p = 0; p < N_PARAMS; p++) {
        gate_transform t;
        cr_assert_eq(gate_transform_init_logicle(&t, PARAMS[p][0], PARAMS[p][1], PARAMS[p][2],
                                                 PARAMS[p][3], NULL),
                     APO_OK);
        mixed_values(PARAMS[p][0], 77 + p, in, n);
        gate_transform_apply_array(&t, in, a, n);
        for (size_t i = 0; i < n; i += 7) { /* short arrays of 7 */
            gate_transform_apply_array(&t, in + i, s + i, n - i < 7 ? n - i : 7);
        }
        for (size_t i = 0; i < n; i++) {
            const double one = gate_logicle_scale(&t, in[i]);
            const double applied = gate_transform_apply(&t, in[i]);
            cr_assert(same_bits(one, a[i]) && same_bits(applied, a[i]) && same_bits(s[i], a[i]),
                      "set %zu value %a: one %a applied %a array %a short %a", p, in[i], one,
                      applied, a[i], s[i]);
        }
    }
    free(in);
    free(a);
    free(s);
}

/* The kernel's corner values: zero of both signs is x1, non-finite values pass through,
 * the mirror image of a negative value, and values beyond the kernel's range (the old
 * iteration) stay monotone and finite. */
Test(logicle_kernel, corners)
{
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    const double x1 = t.coef[GATE_BX_X1];
    cr_assert_eq(gate_logicle_scale(&t, 0.0), x1);
    cr_assert_eq(gate_logicle_scale(&t, -0.0), x1);
    cr_assert(isnan(gate_logicle_scale(&t, NAN)));
    cr_assert_eq(gate_logicle_scale(&t, INFINITY), INFINITY);
    cr_assert_eq(gate_logicle_scale(&t, -INFINITY), -INFINITY);
    cr_assert_float_eq(gate_logicle_scale(&t, 262144.0), 1.0, 1e-15);
    const double y = gate_logicle_scale(&t, 1234.5), ym = gate_logicle_scale(&t, -1234.5);
    cr_assert_float_eq(y + ym, 2.0 * x1, 1e-15);
    double prev = gate_logicle_scale(&t, 262144.0 * 0x1p39);
    for (double v = 262144.0 * 0x1p40; v < 1e300; v *= 1e10) { /* past the kernel's range */
        const double s = gate_logicle_scale(&t, v);
        cr_assert(isfinite(s) && s > prev, "logicle(%g) = %g after %g", v, s, prev);
        prev = s;
    }
}
