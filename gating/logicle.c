/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * logicle.c: the logicle scale (Parks, Roederer, Moore 2006; Moore, Parks 2012), written from
 * the published algorithm: biexponential B(y) = a e^{by} - c e^{-dy} - f with the logicle
 * condition B''(x1) = 0, a 16-term Taylor series around x1 (where B's cancellation is worst),
 * reflection of negative data about x1, and Halley's method for the forward direction.
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
 * Halley's method on B(x) = value from the starting point @p x (value > 0), as the reference
 * implementation iterates; bisection if it does not converge. Returns the positive-side root.
 */
/* One Halley step for B(x) = value from @p x; *delta gets the step taken. */
static double halley_step(const gate_transform *t, double value, double x, double *delta)
{
    const double *k = t->coef;
    const double a = k[GATE_BX_A];
    const double b = k[GATE_BX_B];
    const double c = k[GATE_BX_C];
    const double d = k[GATE_BX_D];
    const double ae2bx = a * exp(b * x);
    const double ce2mdx = c / exp(d * x);
    const double y = x < k[GATE_BX_XTAYLOR] ? series(k, x) - value
                                            : (ae2bx + k[GATE_BX_F]) - (ce2mdx + value);
    const double abe2bx = b * ae2bx;
    const double cde2mdx = d * ce2mdx;
    const double dy = abe2bx + cde2mdx;
    const double ddy = b * abe2bx - d * cde2mdx;
    *delta = y / (dy * (1.0 - y * ddy / (2.0 * dy * dy)));
    return x - *delta;
}

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

double gate_logicle_scale(const gate_transform *t, double value)
{
    const double *k = t->coef;
    const double x1 = k[GATE_BX_X1];
    if (value == 0.0) {
        return x1;
    }
    if (isnan(value)) {
        return value;
    }
    if (isinf(value)) {
        return value;
    }
    const bool negative = value < 0.0;
    if (negative) {
        value = -value;
    }
    /* The reference starting point: linear near zero, the exponential's inverse above. */
    double x;
    if (value < k[GATE_BX_F]) {
        x = x1 + value / k[GATE_BX_TAYLOR];
    } else {
        x = log(value / k[GATE_BX_A]) / k[GATE_BX_B];
    }
    x = refine(t, value, x);
    return negative ? 2.0 * x1 - x : x;
}

/* Knots of the starting-point table of gate_logicle_scale_array (uniform in scale space). */
#define SEED_KNOTS 4096
/* Bucket index over the knots: one bucket per 1/128 of a binade of the value (the double's
 * exponent and top 7 mantissa bits), at most SEED_BUCKETS of them. */
#define SEED_BUCKET_SHIFT 45
#define SEED_BUCKETS 16384

/* The knot interval of @p value by bisection: knot[lo] <= value < knot[lo + 1]. */
static size_t knot_bisect(const double *knot, double value)
{
    size_t lo = 0, hi = SEED_KNOTS;
    while (hi - lo > 1) {
        const size_t mid = (lo + hi) / 2;
        if (knot[mid] <= value) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static uint64_t key_of(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits >> SEED_BUCKET_SHIFT;
}

/*
 * A faster way to the same knot interval: for each bucket of positive doubles (same exponent
 * and top 7 mantissa bits), the interval of the bucket's smallest value; a value then steps
 * up from there (a few knots at most: 4096 knots span a few binades). When the knots strictly
 * increase, the interval knot[lo] <= value < knot[lo + 1] is unique, so this finds exactly
 * the interval the bisection finds. Returns the number of buckets, or 0 (use bisection) when
 * the knots do not strictly increase or need too many buckets.
 */
static size_t bucket_index(const double *knot, uint16_t *start)
{
    for (size_t i = 1; i <= SEED_KNOTS; i++) {
        if (!(knot[i] > knot[i - 1])) {
            return 0;
        }
    }
    if (!(knot[0] >= 0.0) || !isfinite(knot[SEED_KNOTS])) {
        return 0;
    }
    const uint64_t k0 = key_of(knot[1]);
    const uint64_t nb = key_of(knot[SEED_KNOTS]) - k0 + 1;
    if (nb > SEED_BUCKETS) {
        return 0;
    }
    size_t i = 0;
    for (uint64_t b = 0; b < nb; b++) {
        const uint64_t bits = (k0 + b) << SEED_BUCKET_SHIFT;
        double low;
        memcpy(&low, &bits, sizeof low);
        while (i < SEED_KNOTS && knot[i + 1] <= low) {
            i++;
        }
        start[b] = (uint16_t)i;
    }
    return (size_t)nb;
}

/*
 * Many values at once: the same Halley iteration and convergence test as gate_logicle_scale,
 * but started from a table of the (cheap, closed-form) inverse at 4097 scale values over
 * [x1, 1], interpolated linearly. From there one Halley step reaches the root to double
 * precision (checked by the size of the step), instead of four to six steps. Values beyond the top of
 * the scale, zeros and non-finite values take the scalar path. The knot interval of a value
 * comes from a bucket index (bucket_index) instead of bisection when the knots allow: the
 * same interval, so the same start and the same result, bit for bit.
 */
/* The array path's value for @p value > 0 (sign removed) in knot interval @p lo, between
 * knots kl = knot_value[lo] and kh = knot_value[lo + 1]. */
static double from_knots(const gate_transform *t, double value, size_t lo, double kl, double kh,
                         double step)
{
    const double x1 = t->coef[GATE_BX_X1];
    const double span = kh - kl;
    const double frac = span > 0.0 ? (value - kl) / span : 0.0;
    /* Halley converges cubically: from a start within ~1e-7 of the root one step lands
     * within ~1e-19, below double precision. A larger first step means the seed was
     * poor (steep region): iterate to convergence as the scalar path does. */
    double delta = 0.0;
    double x = halley_step(t, value, x1 + step * ((double)lo + frac), &delta);
    if (!(fabs(delta) < 1e-7)) {
        x = refine(t, value, x);
    }
    return x;
}

void gate_logicle_scale_array_by(const gate_transform *t, const double *in, double *out,
                                 size_t n, bool bisect_only)
{
    const double x1 = t->coef[GATE_BX_X1];
    const double step = (1.0 - x1) / SEED_KNOTS;
    double knot_value[SEED_KNOTS + 1];
    uint16_t start[SEED_BUCKETS];
    for (size_t i = 0; i <= SEED_KNOTS; i++) {
        knot_value[i] = gate_logicle_inverse(t, x1 + step * (double)i);
    }
    const double top = knot_value[SEED_KNOTS];
    const size_t nb = bisect_only ? 0 : bucket_index(knot_value, start);
    const double first = knot_value[1];
    const uint64_t k0 = nb > 0 ? key_of(first) : 0;
    for (size_t i = 0; i < n; i++) {
        double value = in[i];
        const bool negative = value < 0.0;
        if (negative) {
            value = -value;
        }
        if (!(value > 0.0) || !(value < top) || !(step > 0.0)) {
            out[i] = gate_logicle_scale(t, in[i]);
            continue;
        }
        size_t lo; /* knot_value[lo] <= value < knot_value[lo + 1] */
        if (nb == 0) {
            lo = knot_bisect(knot_value, value);
        } else if (value < first) {
            lo = 0;
        } else {
            lo = start[key_of(value) - k0];
            while (knot_value[lo + 1] <= value) {
                lo++;
            }
        }
        const double x = from_knots(t, value, lo, knot_value[lo], knot_value[lo + 1], step);
        out[i] = negative ? 2.0 * x1 - x : x;
    }
}

void gate_logicle_scale_array(const gate_transform *t, const double *in, double *out, size_t n)
{
    gate_logicle_scale_array_by(t, in, out, n, false);
}

/*
 * One value as gate_logicle_scale_array computes it, without its table: the knots the
 * bisection visits are computed when visited (the same expression as the table's), so the
 * interval is the one knot_bisect finds, which is the one the bucket index finds whenever the
 * table uses it (strictly increasing knots: the interval is unique). About 14 inverse
 * evaluations instead of 4097: for a few values near a gate limit (gates_window.c).
 */
double gate_logicle_scale_array_one(const gate_transform *t, double in)
{
    const double x1 = t->coef[GATE_BX_X1];
    const double step = (1.0 - x1) / SEED_KNOTS;
    double value = in;
    const bool negative = value < 0.0;
    if (negative) {
        value = -value;
    }
    const double top = gate_logicle_inverse(t, x1 + step * (double)SEED_KNOTS);
    if (!(value > 0.0) || !(value < top) || !(step > 0.0)) {
        return gate_logicle_scale(t, in);
    }
    size_t lo = 0, hi = SEED_KNOTS;
    double kl = gate_logicle_inverse(t, x1 + step * 0.0), kh = top;
    while (hi - lo > 1) {
        const size_t mid = (lo + hi) / 2;
        const double km = gate_logicle_inverse(t, x1 + step * (double)mid);
        if (km <= value) {
            lo = mid;
            kl = km;
        } else {
            hi = mid;
            kh = km;
        }
    }
    const double x = from_knots(t, value, lo, kl, kh, step);
    return negative ? 2.0 * x1 - x : x;
}
