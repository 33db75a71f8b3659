/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * transform_biex.c: FlowJo's biexponential ("biex") display scale. FlowJo defines it by a
 * lookup table, so this builds the same table: the positive decades are reduced by half the
 * width (log10 of -width basis), the zero channel is placed by the ratio of negative to
 * positive decades and rounded down to a whole channel, the decades are rescaled to match
 * it, and each channel i >= zero gets top/e^(range) * (e^(i r+/(n)) - s e^(-i r-/n) - offset)
 * with r- the logicle constant d; channels below zero mirror those above it.
 */
#include "gating/gating_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

void gate_biex_lut_free(gate_biex_lut *lut)
{
    if (lut != NULL) {
        free(lut->data);
        free(lut);
    }
}

/* The table's constants for one parameter set (coef layout GATE_BIEX_*); APO_E_USAGE /
 * APO_E_NUMERIC for parameters the table cannot be built from. */
static apo_status biex_setup(double *coef, double positive, double negative, double width_basis,
                             double top, size_t channels, apo_error *err)
{
    if (!(width_basis < 0.0) || !(positive > 0.0) || !(negative >= 0.0) || !(top > 0.0) ||
        !isfinite(width_basis) || !isfinite(positive) || !isfinite(negative) || !isfinite(top) ||
        channels < 2 || channels > ((size_t)1 << 24)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "biex",
                             "expected width basis < 0, positive > 0, negative >= 0, top > 0 and "
                             "2..2^24 channels, found width %g, pos %g, neg %g, top %g, %zu "
                             "channels",
                             width_basis, positive, negative, top, channels);
    }
    const double width = log10(-width_basis);
    double decades = positive - width / 2.0;
    const double extra = negative + width / 2.0;
    const double R = (double)channels;
    double zf = floor(extra * R / (extra + decades));
    if (zf > R / 2.0) {
        zf = floor(R / 2.0);
    }
    if (!(zf >= 0.0) || !(decades > 0.0)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "biex",
                             "expected a width basis narrower than the positive decades, found "
                             "width %g for %g decades",
                             width_basis, positive);
    }
    if (zf > 0.0) {
        decades = extra * R / zf;
    }
    const double w = width / (2.0 * decades);
    const double pos_range = GATE_LN10 * decades;
    const double neg_range = gate_logicle_solve_d(pos_range, w);
    if (!isfinite(neg_range)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "biex",
                             "expected the biex constant to converge, found no root");
    }
    const double n_points = R + 1.0;
    const double scale_neg = exp((pos_range + neg_range) * (w + extra / decades));
    /* value of the two exponentials at the zero channel: subtracted so that data(zero) = 0 */
    const double zt = zf / n_points;
    coef[GATE_BIEX_MIN] = top / exp(pos_range);
    coef[GATE_BIEX_POS] = pos_range;
    coef[GATE_BIEX_NEG] = neg_range;
    coef[GATE_BIEX_SCALE_NEG] = scale_neg;
    coef[GATE_BIEX_OFFSET] = exp(zt * pos_range) - scale_neg * exp(-zt * neg_range);
    coef[GATE_BIEX_ZERO] = zf;
    coef[GATE_BIEX_CHANNELS] = R;
    return APO_OK;
}

/* Data value of table point @p i (0..channels): the formula above the zero channel, mirrored
 * below it (-inf where the mirror falls past the top). */
static double biex_point(const double *coef, size_t i)
{
    const size_t zero = (size_t)coef[GATE_BIEX_ZERO];
    const size_t channels = (size_t)coef[GATE_BIEX_CHANNELS];
    bool mirror = i < zero;
    if (mirror) {
        i = 2 * zero - i;
        if (i > channels) {
            return -INFINITY;
        }
    }
    const double t = (double)i / (coef[GATE_BIEX_CHANNELS] + 1.0);
    const double d = coef[GATE_BIEX_MIN] *
                     ((exp(t * coef[GATE_BIEX_POS]) -
                       coef[GATE_BIEX_SCALE_NEG] * exp(-t * coef[GATE_BIEX_NEG])) -
                      coef[GATE_BIEX_OFFSET]);
    return mirror ? -d : d;
}

apo_status gate_biex_lut_new(gate_biex_lut **out, double positive, double negative,
                             double width_basis, double top, size_t channels, apo_error *err)
{
    *out = NULL;
    double coef[GATE_BIEX_N] = {0}; /* biex_setup fills every entry on success */
    apo_status st = biex_setup(coef, positive, negative, width_basis, top, channels, err);
    if (st != APO_OK) {
        return st;
    }
    gate_biex_lut *lut = calloc(1, sizeof(*lut));
    double *d = malloc((channels + 1) * sizeof(double));
    if (lut == NULL || d == NULL) {
        free(lut);
        free(d);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a %zu-channel table, found none", channels);
    }
    for (size_t i = 0; i <= channels; i++) {
        d[i] = biex_point(coef, i);
    }
    lut->channels = channels;
    lut->data = d;
    *out = lut;
    return APO_OK;
}

apo_status gate_transform_init_biex(gate_transform *out, double positive, double negative,
                                    double width_basis, double top, size_t channels,
                                    apo_error *err)
{
    gate_transform t;
    gate_transform_init_linear(&t);
    apo_status st = biex_setup(t.coef, positive, negative, width_basis, top, channels, err);
    if (st != APO_OK) {
        return st;
    }
    t.kind = GATE_TRANSFORM_BIEX;
    t.T = top;
    t.W = width_basis;
    t.M = positive;
    t.A = negative;
    *out = t;
    return APO_OK;
}

/* gate_biex_lut_apply without a table: the same bisection over points computed on demand. */
double gate_biex_scale(const gate_transform *t, double x)
{
    const size_t n = (size_t)t->coef[GATE_BIEX_CHANNELS];
    if (isnan(x)) {
        return x;
    }
    if (x <= biex_point(t->coef, 0)) {
        return 0.0;
    }
    double top = biex_point(t->coef, n);
    if (x >= top) {
        return 1.0;
    }
    size_t lo = 0;
    size_t hi = n;
    double a_hi = top;
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        const double a = biex_point(t->coef, mid);
        if (a <= x) {
            lo = mid;
        } else {
            hi = mid;
            a_hi = a;
        }
    }
    const double a_lo = biex_point(t->coef, lo);
    const double f = (x - a_lo) / (a_hi - a_lo);
    return ((double)lo + f) / (double)n;
}

double gate_biex_inverse(const gate_transform *t, double y)
{
    const size_t n = (size_t)t->coef[GATE_BIEX_CHANNELS];
    if (isnan(y)) {
        return y;
    }
    const double c = y * (double)n;
    if (c <= 0.0) {
        return biex_point(t->coef, 0);
    }
    if (c >= (double)n) {
        return biex_point(t->coef, n);
    }
    const size_t i = (size_t)c;
    const double f = c - (double)i;
    const double a = biex_point(t->coef, i);
    return a + f * (biex_point(t->coef, i + 1) - a);
}

/* Largest i with a[i] <= v among a[0..n] (n + 1 increasing values), v inside the range. */
static size_t bracket(const double *a, size_t n, double v)
{
    size_t lo = 0;
    size_t hi = n;
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= v) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

double gate_biex_lut_apply(const gate_biex_lut *lut, double x)
{
    const size_t n = lut->channels;
    const double *a = lut->data;
    if (isnan(x)) {
        return x;
    }
    if (x <= a[0]) {
        return 0.0;
    }
    if (x >= a[n]) {
        return 1.0;
    }
    const size_t i = bracket(a, n, x);
    const double f = (x - a[i]) / (a[i + 1] - a[i]);
    return ((double)i + f) / (double)n;
}

double gate_biex_lut_inverse(const gate_biex_lut *lut, double y)
{
    const size_t n = lut->channels;
    if (isnan(y)) {
        return y;
    }
    const double c = y * (double)n;
    if (c <= 0.0) {
        return lut->data[0];
    }
    if (c >= (double)n) {
        return lut->data[n];
    }
    const size_t i = (size_t)c;
    const double f = c - (double)i;
    return lut->data[i] + f * (lut->data[i + 1] - lut->data[i]);
}
