/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * logicle.c: the logicle scale (Parks, Roederer, Moore 2006; Moore, Parks 2012), written from
 * the published algorithm: biexponential B(y) = a e^{by} - c e^{-dy} - f with the logicle
 * condition B''(x1) = 0, a 16-term Taylor series around x1 (where B's cancellation is worst),
 * reflection of negative data about x1, and Halley's method for the forward direction: one
 * kernel for one value and for arrays (our own exp; AVX2 and AVX-512 paths with the same
 * operations), the published iteration kept as its fallback.
 */
#include "gating/gating_internal.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Solve 2 (ln d - ln b) + w (b + d) = 0 for d in (0, b]: safeguarded Newton (RTSAFE). */
double gate_logicle_solve_d(double b, double w)
{
    if (w == 0.0) {
        return b;
    }
    const double tolerance = 2.0 * b * DBL_EPSILON;
    double d_lo = 0.0;
    double d_hi = b;
    double d = 0.5 * (d_lo + d_hi);
    double last_delta = d_hi - d_lo;
    const double f_b = -2.0 * log(b) + w * b;
    double f = 2.0 * log(d) + w * d + f_b;
    double last_f = NAN;
    for (int i = 0; i < 60; i++) {
        const double df = 2.0 / d + w;
        double delta;
        if (((d - d_hi) * df - f) * ((d - d_lo) * df - f) >= 0.0 ||
            fabs(1.9 * f) > fabs(last_delta * df)) {
            delta = 0.5 * (d_hi - d_lo);
            d = d_lo + delta;
            if (d == d_lo) {
                return d;
            }
        } else {
            delta = f / df;
            const double prev = d;
            d -= delta;
            if (d == prev) {
                return d;
            }
        }
        if (fabs(delta) < tolerance) {
            return d;
        }
        last_delta = delta;
        f = 2.0 * log(d) + w * d + f_b;
        if (f == 0.0 || f == last_f) {
            return d;
        }
        last_f = f;
        if (f < 0.0) {
            d_lo = d;
        } else {
            d_hi = d;
        }
    }
    return NAN;
}

static void kernel_setup(gate_transform *t);

apo_status gate_logicle_setup(gate_transform *t, apo_error *err)
{
    double *k = t->coef;
    const double w = t->W / (t->M + t->A);
    const double x2 = t->A / (t->M + t->A);
    const double x1 = x2 + w;
    const double x0 = x2 + 2.0 * w;
    const double b = (t->M + t->A) * GATE_LN10;
    const double d = gate_logicle_solve_d(b, w);
    if (!isfinite(d) || !(d > 0.0)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "logicle",
                             "expected the logicle constant d to converge, found no root for "
                             "T=%g W=%g M=%g A=%g",
                             t->T, t->W, t->M, t->A);
    }
    const double c_a = exp(x0 * (b + d));
    const double mf_a = exp(b * x1) - c_a / exp(d * x1);
    const double a = t->T / ((exp(b) - mf_a) - c_a / exp(d));
    k[GATE_BX_A] = a;
    k[GATE_BX_B] = b;
    k[GATE_BX_C] = c_a * a;
    k[GATE_BX_D] = d;
    k[GATE_BX_F] = -mf_a * a;
    k[GATE_BX_W] = w;
    k[GATE_BX_X1] = x1;
    k[GATE_BX_XTAYLOR] = x1 + w / 4.0;
    double pos = a * exp(b * x1);
    double neg = -k[GATE_BX_C] / exp(d * x1);
    for (int i = 0; i < GATE_BX_N_TAYLOR; i++) {
        pos *= b / (i + 1);
        neg *= -d / (i + 1);
        k[GATE_BX_TAYLOR + i] = pos + neg;
    }
    k[GATE_BX_TAYLOR + 1] = 0.0; /* exact: the logicle condition */
    if (!isfinite(a) || !(a > 0.0)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "logicle",
                             "expected a finite positive coefficient a, found %g", a);
    }
    kernel_setup(t);
    return APO_OK;
}

/* B(y) near x1 by the Taylor series (Horner; coefficient k is of (y - x1)^(k+1)). */
static double series(const double *k, double y)
{
    const double x = y - k[GATE_BX_X1];
    const double *tay = k + GATE_BX_TAYLOR;
    double sum = tay[GATE_BX_N_TAYLOR - 1] * x;
    for (int i = GATE_BX_N_TAYLOR - 2; i >= 2; i--) {
        sum = (sum + tay[i]) * x;
    }
    return (sum * x + tay[0]) * x;
}

double gate_logicle_inverse(const gate_transform *t, double y)
{
    const double *k = t->coef;
    if (isnan(y)) {
        return y;
    }
    const bool negative = gate_bx_mirror(k, &y);
    double x;
    if (y < k[GATE_BX_XTAYLOR]) {
        x = series(k, y);
    } else {
        x = (k[GATE_BX_A] * exp(k[GATE_BX_B] * y) + k[GATE_BX_F]) -
            k[GATE_BX_C] / exp(k[GATE_BX_D] * y);
    }
    return negative ? -x : x;
}


/*
 * The reference iteration, kept as the fallback: Halley's method on B(x) = value (value > 0)
 * from the published starting point (linear near zero, the exponential's inverse above), with
 * libm exp, until the step is below 3 DBL_EPSILON; bisection if it does not converge. Used for
 * values outside the kernel's range and for a value on which the kernel did not converge.
 */
static double refine(const gate_transform *t, double value, double x)
{
    const double *k = t->coef;
    const double a = k[GATE_BX_A];
    const double b = k[GATE_BX_B];
    const double c = k[GATE_BX_C];
    const double d = k[GATE_BX_D];
    const double f = k[GATE_BX_F];
    double tolerance = 3.0 * DBL_EPSILON;
    for (int i = 0; i < 40; i++) {
        const double ae2bx = a * exp(b * x);
        const double ce2mdx = c / exp(d * x);
        double y;
        if (x < k[GATE_BX_XTAYLOR]) {
            y = series(k, x) - value;
        } else {
            y = (ae2bx + f) - (ce2mdx + value);
        }
        const double abe2bx = b * ae2bx;
        const double cde2mdx = d * ce2mdx;
        const double dy = abe2bx + cde2mdx;
        const double ddy = b * abe2bx - d * cde2mdx;
        const double delta = y / (dy * (1.0 - y * ddy / (2.0 * dy * dy)));
        x -= delta;
        if (x > 1.0) {
            tolerance = 3.0 * x * DBL_EPSILON;
        }
        if (fabs(delta) < tolerance) {
            return x;
        }
    }
    return gate_bx_bisect(t, value, gate_logicle_inverse);
}

static double scale_reference(const gate_transform *t, double value)
{
    const double *k = t->coef;
    double x;
    if (value < k[GATE_BX_F]) {
        x = k[GATE_BX_X1] + value / k[GATE_BX_TAYLOR];
    } else {
        x = log(value / k[GATE_BX_A]) / k[GATE_BX_B];
    }
    return refine(t, value, x);
}

/*
 * The kernel: one fixed sequence of operations per value, the same in the portable C below
 * and in the AVX2 and AVX-512 versions (same operations in the same order, fused multiply-adds exactly
 * where fma() is written; the file is compiled without contraction, -std=c17), so every
 * machine and both the one-value and the array paths give the same bits.
 *
 * For 0 < v < vmax: a starting point from a closed form that is exact in both limits,
 *   y0 = x1 + ln(p v + sqrt((q v)^2 + 1)) / b,  p = b / B'(x1),  q = p b / d
 * (slope B'(x1) at zero; ln(v / (a e^{b x1})) / b for large v, where B ~ a e^{b y}; for
 * W = 0 it is the exact inverse, an arcsinh), then up to LK_FAST_STEPS Halley steps on
 * B(y) = v with lk_exp_fast, ending after the first one under LK_NEAR, then one step with
 * lk_exp, whose argument is split into the rounded product b y and its rounding error (an
 * fma), with the products' rounding errors added to the residual. From a step under LK_NEAR
 * Halley's cubic convergence leaves about 1e-8, and from a last step under LK_TOLERANCE far
 * less than 1e-17; a value whose last step is not under LK_TOLERANCE (none in the tests)
 * takes the reference iteration.
 */
#define LK_FAST_STEPS 3
#define LK_NEAR 1e-3
#define LK_TOLERANCE 1e-7

static void kernel_setup(gate_transform *t)
{
    double *k = t->coef;
    const double b = k[GATE_BX_B], d = k[GATE_BX_D];
    k[GATE_BX_SEED_P] = b / k[GATE_BX_TAYLOR];
    k[GATE_BX_SEED_Q] = k[GATE_BX_SEED_P] * (b / d);
    k[GATE_BX_INV_B] = 1.0 / b;
    const double vmax = t->T * 0x1p40;
    /* b below 200 and values below 2^40 T keep every exp argument far from overflow */
    const bool usable = b > 0.0 && b < 200.0 && d > 0.0 && isfinite(k[GATE_BX_SEED_P]) &&
                        k[GATE_BX_SEED_P] > 0.0 && isfinite(k[GATE_BX_SEED_Q]) &&
                        isfinite(vmax) && k[GATE_BX_X1] >= 0.0 && k[GATE_BX_X1] < 1.0;
    k[GATE_BX_VMAX] = usable ? vmax : 0.0;
}

static inline uint64_t lk_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double lk_double(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

#define LK_SHIFT 0x1.8p52
#define LK_LOG2E 0x1.71547652b82fep0
#define LK_LN2HI 0x1.62e42fee00000p-1 /* 32 significant bits: k LN2HI is exact */
#define LK_LN2LO 0x1.a39ef35793c76p-33
#define LK_LN2 0x1.62e42fefa39efp-1
#define LK_EXP_MAX 700.0
#define LK_LOG_OFF 0x3fe6a09e667f3bcdu /* the bits of sqrt(1/2) */
#define LK_N_EXP 12

/* Taylor coefficients 1/n!, n = 13 down to 2, of e^r = 1 + r + r^2 q(r), |r| <= ln2 / 2
 * (truncation below 5e-18 relative). */
static const double lk_exp_c[LK_N_EXP] = {
    0x1.6124613a86d09p-33, 0x1.1eed8eff8d898p-29, 0x1.ae64567f544e4p-26, 0x1.27e4fb7789f5cp-22,
    0x1.71de3a556c734p-19, 0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-13, 0x1.6c16c16c16c17p-10,
    0x1.1111111111111p-7,  0x1.5555555555555p-5,  0x1.5555555555555p-3, 0x1p-1};

/* e^(x + xl), xl a small correction (the rounding error of x); x clamped to +-LK_EXP_MAX. */
static inline __attribute__((always_inline)) double lk_exp(double x, double xl)
{
    x = x < LK_EXP_MAX ? x : LK_EXP_MAX; /* as _mm256_min_pd, NaN included */
    x = x > -LK_EXP_MAX ? x : -LK_EXP_MAX;
    const double kt = fma(x, LK_LOG2E, LK_SHIFT);
    const double kd = kt - LK_SHIFT;
    const uint64_t scale = (lk_bits(kt) - lk_bits(LK_SHIFT) + 1023u) << 52;
    const double rh = fma(kd, -LK_LN2HI, x); /* exact */
    const double rl = fma(kd, -LK_LN2LO, xl);
    const double r = rh + rl;
    const double re = (rh - r) + rl; /* what r lost */
    const double *c = lk_exp_c;
    const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4; /* q(r) by Estrin's scheme */
    const double q03 = fma(fma(c[8], r, c[9]), r2, fma(c[10], r, c[11]));
    const double q47 = fma(fma(c[4], r, c[5]), r2, fma(c[6], r, c[7]));
    const double q811 = fma(fma(c[0], r, c[1]), r2, fma(c[2], r, c[3]));
    const double q = fma(q811, r8, fma(q47, r4, q03));
    const double s = fma(r2, q, r);
    const double e = 1.0 + (s + fma(re, s, re));
    return e * lk_double(scale);
}

/* e^x to about 1e-11 relative (terms to r^9): the Halley steps before the last, which only
 * need to come close to the root; the last step uses lk_exp. */
static inline __attribute__((always_inline)) double lk_exp_fast(double x)
{
    x = x < LK_EXP_MAX ? x : LK_EXP_MAX;
    x = x > -LK_EXP_MAX ? x : -LK_EXP_MAX;
    const double kt = fma(x, LK_LOG2E, LK_SHIFT);
    const double kd = kt - LK_SHIFT;
    const uint64_t scale = (lk_bits(kt) - lk_bits(LK_SHIFT) + 1023u) << 52;
    const double r = fma(kd, -LK_LN2LO, fma(kd, -LK_LN2HI, x));
    const double *c = lk_exp_c;
    const double r2 = r * r, r4 = r2 * r2;
    const double q03 = fma(fma(c[8], r, c[9]), r2, fma(c[10], r, c[11]));
    const double q47 = fma(fma(c[4], r, c[5]), r2, fma(c[6], r, c[7]));
    const double q = fma(q47, r4, q03);
    return (1.0 + fma(r2, q, r)) * lk_double(scale);
}

/* ln x for x >= 1, to about 1e-9: the starting point only. */
static inline __attribute__((always_inline)) double lk_log(double x)
{
    const uint64_t ix = lk_bits(x);
    const uint64_t tmp = ix - LK_LOG_OFF;
    const double kd = lk_double(0x4330000000000000u | (tmp >> 52)) - 0x1p52;
    const double z = lk_double(ix - (tmp & 0xfff0000000000000u)); /* [sqrt(1/2), sqrt(2)) */
    const double fz = z - 1.0;
    const double s = fz / (2.0 + fz);
    const double s2 = s * s;
    const double r = s2 * fma(s2, fma(s2, fma(s2, 2.0 / 9.0, 2.0 / 7.0), 2.0 / 5.0), 2.0 / 3.0);
    return fma(kd, LK_LN2, fma(s, r, 2.0 * s));
}

/* B(x1 + u) by its Taylor series around x1 (the coefficient of u^2 is 0). */
static inline __attribute__((always_inline)) double lk_series(const double *k, double u)
{
    double sp = k[GATE_BX_TAYLOR + GATE_BX_N_TAYLOR - 1];
    for (int i = GATE_BX_N_TAYLOR - 2; i >= 2; i--) {
        sp = fma(sp, u, k[GATE_BX_TAYLOR + i]);
    }
    return fma(u * u, sp, k[GATE_BX_TAYLOR]) * u;
}

/* One Halley step on B(y) = v from *y (fast: lk_exp_fast, else lk_exp with the rounding error
 * of exp's argument); returns the step, *lost what the subtraction y - step lost. */
static inline __attribute__((always_inline)) double lk_halley(const double *k, double v,
                                                              double *y, bool fast,
                                                              double *lost)
{
    const double b = k[GATE_BX_B], d = k[GATE_BX_D], nd = -d, y0 = *y;
    const double bx = b * y0;
    const double dx = nd * y0;
    const double e1 = fast ? lk_exp_fast(bx) : lk_exp(bx, fma(b, y0, -bx));
    const double e2 = fast ? lk_exp_fast(dx) : lk_exp(dx, fma(nd, y0, -dx));
    const double ae = k[GATE_BX_A] * e1;
    const double ce = k[GATE_BX_C] * e2;
    double res = (ae + k[GATE_BX_F]) - (ce + v);
    if (!fast) { /* the products' rounding errors */
        res = res + (fma(k[GATE_BX_A], e1, -ae) - fma(k[GATE_BX_C], e2, -ce));
    }
    if (y0 < k[GATE_BX_XTAYLOR]) {
        res = lk_series(k, y0 - k[GATE_BX_X1]) - v;
    }
    const double bae = b * ae;
    const double dce = d * ce;
    const double dy = bae + dce;
    const double ddy = b * bae - d * dce;
    const double delta = (res * dy) / (dy * dy - (0.5 * res) * ddy);
    *y = y0 - delta;
    *lost = (y0 - *y) - delta;
    return delta;
}

/* The kernel for one value 0 < v < vmax: up to LK_FAST_STEPS fast steps, ending after the
 * first one smaller than LK_NEAR, then one full step. *ok false when the full step was not
 * below LK_TOLERANCE; *lost what its subtraction lost (for the mirror of a negative v). */
static inline __attribute__((always_inline)) double lk_solve(const double *k, double v, bool *ok,
                                                             double *lost)
{
    const double pv = k[GATE_BX_SEED_P] * v;
    const double qv = k[GATE_BX_SEED_Q] * v;
    const double lg = lk_log(pv + sqrt(fma(qv, qv, 1.0)));
    double y = k[GATE_BX_X1] + (pv < 1e-4 ? pv : lg) * k[GATE_BX_INV_B];
    for (int step = 0; step < LK_FAST_STEPS; step++) {
        if (fabs(lk_halley(k, v, &y, true, lost)) < LK_NEAR) {
            break;
        }
    }
    *ok = fabs(lk_halley(k, v, &y, false, lost)) <= LK_TOLERANCE;
    return y;
}

/* One value: the kernel inside its range, else (or unconverged) the reference iteration. */
static inline __attribute__((always_inline)) double lk_value(const gate_transform *t, double value)
{
    const double *k = t->coef;
    if (value == 0.0) {
        return k[GATE_BX_X1];
    }
    if (isnan(value) || isinf(value)) {
        return value;
    }
    const bool negative = value < 0.0;
    const double v = negative ? -value : value;
    bool ok = false;
    double y = 0.0, lost = 0.0;
    if (v < k[GATE_BX_VMAX]) {
        y = lk_solve(k, v, &ok, &lost);
    }
    if (!ok) {
        y = scale_reference(t, v);
        lost = 0.0;
    }
    /* y + lost is the last step's result before rounding: 2 x1 - y is exact for y up to 4 x1
     * (Sterbenz), where the mirror image is small and the lost part matters */
    return negative ? (2.0 * k[GATE_BX_X1] - y) - lost : y;
}

static double value_portable(const gate_transform *t, double value)
{
    return lk_value(t, value);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define LK_HAVE_AVX2 1
#include <immintrin.h>

static bool lk_avx2(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* The same function compiled for AVX2 + FMA: fma() becomes one instruction (same bits). */
__attribute__((target("avx2,fma"))) static double value_avx2(const gate_transform *t,
                                                             double value)
{
    return lk_value(t, value);
}
#endif

double gate_logicle_scale(const gate_transform *t, double value)
{
#ifdef LK_HAVE_AVX2
    if (lk_avx2()) {
        return value_avx2(t, value);
    }
#endif
    return value_portable(t, value);
}

#ifdef LK_HAVE_AVX2
#define LK_G 4 /* groups of LKW values iterated side by side (independent chains hide latencies) */
#define LK_CAT2(a, b) a##b
#define LK_CAT(a, b) LK_CAT2(a, b)
#define LK_FN(name) LK_CAT(name, LKW)

/* Four values at a time: AVX2 + FMA, the lane masks are vectors. */
#define LKW 4
#define LK_TGT __attribute__((target("avx2,fma")))
#define LVD __m256d
#define LVI __m256i
#define LV(op) _mm256_##op
#define LV_CASTPD_SI _mm256_castpd_si256
#define LV_CASTSI_PD _mm256_castsi256_pd
#define LV_AND_SI _mm256_and_si256
#define LV_OR_SI _mm256_or_si256
#define LV_SET1_I64 _mm256_set1_epi64x
#define LM_T __m256d
#define LM_CMP(a, b, p) _mm256_cmp_pd(a, b, p)
#define LM_BLEND(m, a, b) _mm256_blendv_pd(a, b, m)
#define LM_AND(a, b) _mm256_and_pd(a, b)
#define LM_ANDNOT(a, b) _mm256_andnot_pd(a, b)
#define LM_BITS(m) ((unsigned)_mm256_movemask_pd(m))
#define LM_ALL _mm256_castsi256_pd(_mm256_set1_epi64x(-1))
#define LM_FULL_BITS 0xfu
#include "gating/logicle_simd.inc"
#undef LKW
#undef LK_TGT
#undef LVD
#undef LVI
#undef LV
#undef LV_CASTPD_SI
#undef LV_CASTSI_PD
#undef LV_AND_SI
#undef LV_OR_SI
#undef LV_SET1_I64
#undef LM_T
#undef LM_CMP
#undef LM_BLEND
#undef LM_AND
#undef LM_ANDNOT
#undef LM_BITS
#undef LM_ALL
#undef LM_FULL_BITS

/* Eight values at a time: AVX-512F/DQ, where the processor has them; the lane masks are mask
 * registers. */
static bool lk_avx512(void)
{
    return lk_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

#define LKW 8
#define LK_TGT __attribute__((target("avx512f,avx512dq,avx2,fma")))
#define LVD __m512d
#define LVI __m512i
#define LV(op) _mm512_##op
#define LV_CASTPD_SI _mm512_castpd_si512
#define LV_CASTSI_PD _mm512_castsi512_pd
#define LV_AND_SI _mm512_and_si512
#define LV_OR_SI _mm512_or_si512
#define LV_SET1_I64 _mm512_set1_epi64
#define LM_T __mmask8
#define LM_CMP(a, b, p) _mm512_cmp_pd_mask(a, b, p)
#define LM_BLEND(m, a, b) _mm512_mask_blend_pd(m, a, b)
#define LM_AND(a, b) ((__mmask8)((a) & (b)))
#define LM_ANDNOT(a, b) ((__mmask8)(~(a) & (b)))
#define LM_BITS(m) ((unsigned)(m))
#define LM_ALL ((__mmask8)0xff)
#define LM_FULL_BITS 0xffu
#include "gating/logicle_simd.inc"
#endif

void gate_logicle_scale_array_path(const gate_transform *t, const double *in, double *out,
                                   size_t n, int widest)
{
#ifdef LK_HAVE_AVX2
    if (widest >= 2 && lk_avx512()) {
        lk_array8(t, in, out, n);
        return;
    }
    if (widest >= 1 && lk_avx2()) {
        lk_array4(t, in, out, n);
        return;
    }
#else
    (void)widest;
#endif
    for (size_t i = 0; i < n; i++) {
        out[i] = value_portable(t, in[i]);
    }
}

void gate_logicle_scale_array(const gate_transform *t, const double *in, double *out, size_t n)
{
    gate_logicle_scale_array_path(t, in, out, n, 2);
}
