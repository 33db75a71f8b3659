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
#include <stdint.h>
#include <stdlib.h>

void gate_biex_lut_free(gate_biex_lut *lut)
{
    if (lut != NULL) {
        free(lut->data);
        free(lut);
    }
}

apo_status gate_biex_lut_new(gate_biex_lut **out, double positive, double negative,
                             double width_basis, double top, size_t channels, apo_error *err)
{
    *out = NULL;
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
    const size_t zero = (size_t)zf;
    if (zero > 0) {
        decades = extra * R / zf;
    }
    const double w = width / (2.0 * decades);
    const double pos_range = GATE_LN10 * decades;
    const double minimum = top / exp(pos_range);
    const double neg_range = gate_logicle_solve_d(pos_range, w);
    if (!isfinite(neg_range)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "biex",
                             "expected the biex constant to converge, found no root");
    }
    gate_biex_lut *lut = calloc(1, sizeof(*lut));
    double *d = malloc((channels + 1) * sizeof(double));
    if (lut == NULL || d == NULL) {
        free(lut);
        free(d);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a %zu-channel table, found none", channels);
    }
    const double n_points = R + 1.0;
    const double scale_neg = exp((pos_range + neg_range) * (w + extra / decades));
    /* value of the two exponentials at the zero channel: subtracted so that data(zero) = 0 */
    const double zt = (double)zero / n_points;
    const double offset = exp(zt * pos_range) - scale_neg * exp(-zt * neg_range);
    for (size_t i = zero; i <= channels; i++) {
        const double t = (double)i / n_points;
        d[i] = minimum * ((exp(t * pos_range) - scale_neg * exp(-t * neg_range)) - offset);
    }
    for (size_t i = 0; i < zero; i++) {
        const size_t m = 2 * zero - i;
        d[i] = m <= channels ? -d[m] : -INFINITY;
    }
    lut->channels = channels;
    lut->data = d;
    *out = lut;
    return APO_OK;
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
