/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * transform.c: set-up and evaluation of the scale transforms declared in gate.h
 * (linear, log10, arcsinh with cofactor, and the Gating-ML 2.0 flin, flog, fasinh,
 * logicle, hyperlog, fratio), each with its inverse. The logicle and hyperlog kernels
 * live in logicle.c and hyperlog.c; this file validates parameters and dispatches.
 */
#include "gating/gating_internal.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

static void transform_reset(gate_transform *t, gate_transform_kind kind)
{
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->cofactor = 1.0;
    t->bound_min = -INFINITY;
    t->bound_max = INFINITY;
}

void gate_transform_init_linear(gate_transform *out)
{
    transform_reset(out, GATE_TRANSFORM_LINEAR);
}

void gate_transform_init_log10(gate_transform *out)
{
    transform_reset(out, GATE_TRANSFORM_LOG10);
}

apo_status gate_transform_init_asinh(gate_transform *out, double cofactor, apo_error *err)
{
    if (!(cofactor > 0.0) || !isfinite(cofactor)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "cofactor",
                             "expected an arcsinh cofactor > 0, found %g", cofactor);
    }
    transform_reset(out, GATE_TRANSFORM_ASINH);
    out->cofactor = cofactor;
    return APO_OK;
}

apo_status gate_transform_init_flin(gate_transform *out, double T, double A, apo_error *err)
{
    if (!(T > 0.0) || !isfinite(T) || !isfinite(A) || T + A == 0.0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "flin",
                             "expected T > 0, finite A and T + A != 0, found T=%g A=%g", T, A);
    }
    transform_reset(out, GATE_TRANSFORM_FLIN);
    out->T = T;
    out->A = A;
    return APO_OK;
}

apo_status gate_transform_init_flog(gate_transform *out, double T, double M, apo_error *err)
{
    if (!(T > 0.0) || !(M > 0.0) || !isfinite(T) || !isfinite(M)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "flog",
                             "expected T > 0 and M > 0, found T=%g M=%g", T, M);
    }
    transform_reset(out, GATE_TRANSFORM_FLOG);
    out->T = T;
    out->M = M;
    return APO_OK;
}

apo_status gate_transform_init_fasinh(gate_transform *out, double T, double M, double A,
                                      apo_error *err)
{
    if (!(T > 0.0) || !(M > 0.0) || !(A >= 0.0) || !isfinite(T) || !isfinite(M) ||
        !isfinite(A)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "fasinh",
                             "expected T > 0, M > 0 and A >= 0, found T=%g M=%g A=%g", T, M, A);
    }
    transform_reset(out, GATE_TRANSFORM_FASINH);
    out->T = T;
    out->M = M;
    out->A = A;
    out->coef[0] = sinh(M * GATE_LN10) / T;   /* x multiplier */
    out->coef[1] = A * GATE_LN10;             /* offset */
    out->coef[2] = 1.0 / ((M + A) * GATE_LN10); /* output scale */
    return APO_OK;
}

/* flowCore's logicle checks (Moore & Parks 2012; docs/algorithms.md); hyperlog additionally needs W > 0. */
static apo_status check_biex(const char *what, double T, double W, double M, double A,
                             bool w_positive, apo_error *err)
{
    const bool finite = isfinite(T) && isfinite(W) && isfinite(M) && isfinite(A);
    if (!finite || !(T > 0.0) || !(M > 0.0) || (w_positive ? !(W > 0.0) : !(W >= 0.0)) ||
        !(2.0 * W <= M) || !(-A <= W) || !(A + W <= M - W)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, what,
                             "expected T > 0, M > 0, %s, 2W <= M, -W <= A <= M - 2W, "
                             "found T=%g W=%g M=%g A=%g",
                             w_positive ? "W > 0" : "W >= 0", T, W, M, A);
    }
    return APO_OK;
}

/* The root of the monotone B(y) = value over [x1, inf) by bisection: the fallback of the logicle
 * and hyperlog kernels when Halley's method does not converge. NaN when B overflows first. */
double gate_bx_bisect(const gate_transform *t, double value,
                      double (*inverse)(const gate_transform *t, double y))
{
    double lo = t->coef[GATE_BX_X1];
    double hi = 1.0;
    for (int i = 0; i < 2000 && inverse(t, hi) < value; i++) {
        hi = lo + 2.0 * (hi - lo);
        if (!isfinite(hi)) {
            return NAN;
        }
    }
    for (int i = 0; i < 200 && hi - lo > 4.0 * DBL_EPSILON * fabs(hi); i++) {
        const double mid = 0.5 * (lo + hi);
        if (inverse(t, mid) < value) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return 0.5 * (lo + hi);
}

/* Validate, then fill the kernel coefficients of a logicle or hyperlog transform. */
static apo_status init_biex(gate_transform *out, gate_transform_kind kind, double T, double W,
                            double M, double A, apo_error *err)
{
    const bool hyperlog = kind == GATE_TRANSFORM_HYPERLOG;
    apo_status st = check_biex(hyperlog ? "hyperlog" : "logicle", T, W, M, A, hyperlog, err);
    if (st != APO_OK) {
        return st;
    }
    gate_transform t;
    transform_reset(&t, kind);
    t.T = T;
    t.W = W;
    t.M = M;
    t.A = A;
    st = hyperlog ? gate_hyperlog_setup(&t, err) : gate_logicle_setup(&t, err);
    if (st == APO_OK) {
        *out = t;
    }
    return st;
}

apo_status gate_transform_init_logicle(gate_transform *out, double T, double W, double M,
                                       double A, apo_error *err)
{
    return init_biex(out, GATE_TRANSFORM_LOGICLE, T, W, M, A, err);
}

apo_status gate_transform_init_hyperlog(gate_transform *out, double T, double W, double M,
                                        double A, apo_error *err)
{
    return init_biex(out, GATE_TRANSFORM_HYPERLOG, T, W, M, A, err);
}

apo_status gate_transform_set_bounds(gate_transform *t, double lo, double hi, apo_error *err)
{
    if (isnan(lo) || isnan(hi) || lo > hi) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "boundMin",
                             "expected boundMin <= boundMax, found %g > %g", lo, hi);
    }
    t->has_bounds = lo > -INFINITY || hi < INFINITY;
    t->bound_min = lo;
    t->bound_max = hi;
    return APO_OK;
}

/* Whether @p n doubles at @p a and @p b have the same bits. */
static bool same_bits(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

bool gate_transform_same(const gate_transform *a, const gate_transform *b)
{
    return a->kind == b->kind && same_bits(&a->T, &b->T, 1) && same_bits(&a->W, &b->W, 1) &&
           same_bits(&a->M, &b->M, 1) && same_bits(&a->A, &b->A, 1) &&
           same_bits(&a->cofactor, &b->cofactor, 1) && a->has_bounds == b->has_bounds &&
           (!a->has_bounds || (same_bits(&a->bound_min, &b->bound_min, 1) &&
                               same_bits(&a->bound_max, &b->bound_max, 1))) &&
           same_bits(a->coef, b->coef, sizeof a->coef / sizeof a->coef[0]);
}

const char *gate_transform_kind_name(gate_transform_kind kind)
{
    switch (kind) {
    case GATE_TRANSFORM_LINEAR:
        return "linear";
    case GATE_TRANSFORM_FLIN:
        return "flin";
    case GATE_TRANSFORM_FLOG:
        return "flog";
    case GATE_TRANSFORM_FASINH:
        return "fasinh";
    case GATE_TRANSFORM_LOGICLE:
        return "logicle";
    case GATE_TRANSFORM_HYPERLOG:
        return "hyperlog";
    case GATE_TRANSFORM_ASINH:
        return "asinh";
    case GATE_TRANSFORM_LOG10:
        return "log10";
    case GATE_TRANSFORM_BIEX:
        return "biex";
    }
    return "unknown";
}

static double forward_unbounded(const gate_transform *t, double x)
{
    switch (t->kind) {
    case GATE_TRANSFORM_LINEAR:
        return x;
    case GATE_TRANSFORM_FLIN:
        return (x + t->A) / (t->T + t->A);
    case GATE_TRANSFORM_FLOG:
        if (x < 0.0) {
            return NAN;
        }
        return log10(x / t->T) / t->M + 1.0;
    case GATE_TRANSFORM_FASINH:
        return (asinh(x * t->coef[0]) + t->coef[1]) * t->coef[2];
    case GATE_TRANSFORM_LOGICLE:
        return gate_logicle_scale(t, x);
    case GATE_TRANSFORM_HYPERLOG:
        return gate_hyperlog_scale(t, x);
    case GATE_TRANSFORM_ASINH:
        return asinh(x / t->cofactor);
    case GATE_TRANSFORM_LOG10:
        return x > 0.0 ? log10(x) : NAN;
    case GATE_TRANSFORM_BIEX:
        return gate_biex_scale(t, x);
    }
    return NAN;
}

static inline double clamp_bounds(const gate_transform *t, double y)
{
    if (!t->has_bounds) {
        return y;
    }
    if (y < t->bound_min) {
        return t->bound_min;
    }
    if (y > t->bound_max) {
        return t->bound_max;
    }
    return y;
}

double gate_transform_apply(const gate_transform *t, double x)
{
    return clamp_bounds(t, forward_unbounded(t, x));
}

double gate_transform_inverse(const gate_transform *t, double y)
{
    switch (t->kind) {
    case GATE_TRANSFORM_LINEAR:
        return y;
    case GATE_TRANSFORM_FLIN:
        return y * (t->T + t->A) - t->A;
    case GATE_TRANSFORM_FLOG:
        return t->T * pow(10.0, (y - 1.0) * t->M);
    case GATE_TRANSFORM_FASINH:
        return sinh(y / t->coef[2] - t->coef[1]) / t->coef[0];
    case GATE_TRANSFORM_LOGICLE:
        return gate_logicle_inverse(t, y);
    case GATE_TRANSFORM_HYPERLOG:
        return gate_hyperlog_inverse(t, y);
    case GATE_TRANSFORM_ASINH:
        return t->cofactor * sinh(y);
    case GATE_TRANSFORM_LOG10:
        return pow(10.0, y);
    case GATE_TRANSFORM_BIEX:
        return gate_biex_inverse(t, y);
    }
    return NAN;
}

/* The kind is switched on once per call; the per-element loops are branch-light. Every kind
 * gives a value the bits gate_transform_apply gives it (logicle: one kernel for one value and
 * arrays, logicle.c), whatever the array's length. */
static void apply_serial(const gate_transform *t, const double *in, double *out, size_t n)
{
    switch (t->kind) {
    case GATE_TRANSFORM_LINEAR:
        if (out != in) {
            memmove(out, in, n * sizeof(*out));
        }
        break;
    case GATE_TRANSFORM_FLIN: {
        const double a = t->A;
        const double den = t->T + t->A;
        for (size_t i = 0; i < n; i++) {
            out[i] = (in[i] + a) / den;
        }
        break;
    }
    case GATE_TRANSFORM_FASINH: {
        const double k = t->coef[0];
        const double off = t->coef[1];
        const double s = t->coef[2];
        for (size_t i = 0; i < n; i++) {
            out[i] = (asinh(in[i] * k) + off) * s;
        }
        break;
    }
    case GATE_TRANSFORM_ASINH: {
        const double cf = t->cofactor;
        for (size_t i = 0; i < n; i++) {
            out[i] = asinh(in[i] / cf);
        }
        break;
    }
    case GATE_TRANSFORM_LOGICLE:
        gate_logicle_scale_array(t, in, out, n);
        break;
    case GATE_TRANSFORM_HYPERLOG:
        for (size_t i = 0; i < n; i++) {
            out[i] = gate_hyperlog_scale(t, in[i]);
        }
        break;
    case GATE_TRANSFORM_FLOG:
    case GATE_TRANSFORM_LOG10:
    case GATE_TRANSFORM_BIEX:
        for (size_t i = 0; i < n; i++) {
            out[i] = forward_unbounded(t, in[i]);
        }
        break;
    }
    if (t->has_bounds) {
        for (size_t i = 0; i < n; i++) {
            out[i] = clamp_bounds(t, out[i]);
        }
    }
}

/*
 * Every element is computed by the same code, one after the other: a library starts no threads
 * of its own (callers spread their work, e.g. one sample per thread of apoflow run's pool).
 */
void gate_transform_apply_array(const gate_transform *t, const double *in, double *out, size_t n)
{
    apply_serial(t, in, out, n);
}

double gate_fratio(double A, double B, double C, double x1, double x2)
{
    return A * (x1 - B) / (x2 - C);
}

double gate_fratio_inverse(double A, double B, double C, double y, double x2)
{
    return y * (x2 - C) / A + B;
}
