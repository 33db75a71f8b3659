/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hyperlog.c: the hyperlog scale (Bagwell 2005) in its Gating-ML 2.0 form:
 * EH(y) = a e^{by} + c y - f, strictly increasing, with x = 0 at y = x1, negatives reflected
 * about x1, a 16-term Taylor series near x1 and Halley's method (bisection as a fallback).
 */
#include "gating/gating_internal.h"

#include <float.h>
#include <math.h>

apo_status gate_hyperlog_setup(gate_transform *t, apo_error *err)
{
    double *k = t->coef;
    const double w = t->W / (t->M + t->A);
    const double x2 = t->A / (t->M + t->A);
    const double x1 = x2 + w;
    const double x0 = x2 + 2.0 * w;
    const double b = (t->M + t->A) * GATE_LN10;
    const double e0 = exp(b * x0);
    const double c_a = e0 / w;
    const double f_a = exp(b * x1) + c_a * x1;
    const double a = t->T / ((exp(b) + c_a) - f_a);
    if (!isfinite(a) || !(a > 0.0)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "hyperlog",
                             "expected a finite positive coefficient a, found %g "
                             "(T=%g W=%g M=%g A=%g)",
                             a, t->T, t->W, t->M, t->A);
    }
    k[GATE_BX_A] = a;
    k[GATE_BX_B] = b;
    k[GATE_BX_C] = c_a * a;
    k[GATE_BX_D] = 0.0;
    k[GATE_BX_F] = -f_a * a;
    k[GATE_BX_W] = w;
    k[GATE_BX_X1] = x1;
    k[GATE_BX_XTAYLOR] = x1 + w / 4.0;
    double pos = a * exp(b * x1);
    for (int i = 0; i < GATE_BX_N_TAYLOR; i++) {
        pos *= b / (i + 1);
        k[GATE_BX_TAYLOR + i] = pos;
    }
    k[GATE_BX_TAYLOR] += k[GATE_BX_C];
    /* EH(x0): where the quasi-linear initial guess ends */
    k[GATE_BX_X0INV] = gate_hyperlog_inverse(t, x0);
    return APO_OK;
}

static double series(const double *k, double y)
{
    const double x = y - k[GATE_BX_X1];
    const double *tay = k + GATE_BX_TAYLOR;
    double sum = tay[GATE_BX_N_TAYLOR - 1];
    for (int i = GATE_BX_N_TAYLOR - 2; i >= 0; i--) {
        sum = sum * x + tay[i];
    }
    return sum * x;
}

double gate_hyperlog_inverse(const gate_transform *t, double y)
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
        x = (k[GATE_BX_A] * exp(k[GATE_BX_B] * y) + k[GATE_BX_C] * y) + k[GATE_BX_F];
    }
    return negative ? -x : x;
}


double gate_hyperlog_scale(const gate_transform *t, double value)
{
    const double *k = t->coef;
    const double x1 = k[GATE_BX_X1];
    if (value == 0.0) {
        return x1;
    }
    if (isnan(value) || isinf(value)) {
        return value;
    }
    const bool negative = value < 0.0;
    if (negative) {
        value = -value;
    }
    const double a = k[GATE_BX_A];
    const double b = k[GATE_BX_B];
    const double c = k[GATE_BX_C];
    const double f = k[GATE_BX_F];
    double x;
    if (value < k[GATE_BX_X0INV]) {
        x = x1 + value * k[GATE_BX_W] / k[GATE_BX_X0INV];
    } else {
        x = log(value / a) / b;
    }
    double tolerance = 3.0 * DBL_EPSILON;
    for (int i = 0; i < 40; i++) {
        const double ae2bx = a * exp(b * x);
        double y;
        if (x < k[GATE_BX_XTAYLOR]) {
            y = series(k, x) - value;
        } else {
            y = (ae2bx + c * x) + f - value;
        }
        const double dy = b * ae2bx + c;
        const double ddy = b * b * ae2bx;
        const double delta = y / (dy * (1.0 - y * ddy / (2.0 * dy * dy)));
        x -= delta;
        if (x > 1.0) {
            tolerance = 3.0 * x * DBL_EPSILON;
        }
        if (fabs(delta) < tolerance) {
            return negative ? 2.0 * x1 - x : x;
        }
    }
    x = gate_bx_bisect(t, value, gate_hyperlog_inverse);
    return negative ? 2.0 * x1 - x : x;
}
