/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gates_window.c: a rectangle or quadrant limit on a logicle dimension tested on the raw
 * (untransformed) values, with exactly the result of transforming every value and comparing.
 *
 * The logicle scale is strictly increasing. A limit y on the scale becomes two raw values,
 * below = T^-1(y - w) and above = T^-1(y + w), with w = GS_WINDOW scale units: a raw value
 * under `below` has a scale value about w under y, one over `above` about w over y. The
 * computed transform is within a few units of 2^-53 of the true one (at most 12 in
 * tests/gating/test_logicle_kernel.c), orders of magnitude less than w, so such values
 * compare with y exactly as their computed transform does. Only the values between `below`
 * and `above` (a window of 2e-6 of the scale, a handful of events per limit), non-finite
 * values and values beyond +-GS_RAW_RANGE times the top of the scale are transformed (the
 * logicle kernel gives a value the same bits alone as in an array of any length, logicle.c)
 * and compared with y as the plain path compares (>= for a lower limit, < for an upper one;
 * NaN is neither).
 */
#include "gating/gates_internal.h"
#include "gating/gating_internal.h"

#include <math.h>
#include <stdlib.h>

/* Half-width of the window around a limit, in scale units (the scale spans about 0..1). */
#define GS_WINDOW 1e-6
/* Raw values beyond this many times the top of the scale are transformed (far outside any
 * data; keeps the argument above to the range where the transform is well conditioned). */
#define GS_RAW_RANGE 1e6

bool gs_window_usable(const gate_transform *t, double y)
{
    return t->kind == GATE_TRANSFORM_LOGICLE && !t->has_bounds && isfinite(y) && t->T > 0.0 &&
           isfinite(t->T);
}

/* cls[e] = (x[e] > la) for the @p n values (an unsure one is set by the caller); returns how
 * many are unsure: beyond +-range (or NaN) or within [lb, la]. Without branches (the tests
 * combined with &, | and ^ 1 on 0/1 values, the same truth values as &&, || and !), so the loop runs in vectors. */
APO_CLONES("avx512f", "avx2")
static unsigned classify_sure(const double *restrict x, size_t n, double lb, double la,
                              double range, uint8_t *restrict cls)
{
    unsigned unsure = 0;
    for (size_t e = 0; e < n; e++) {
        const double v = x[e];
        const int in_range = (v >= -range) & (v <= range);
        unsure += (unsigned)((in_range ^ 1) | ((v >= lb) & (v <= la)));
        cls[e] = (uint8_t)(v > la);
    }
    return unsure;
}

bool gs_window_classify(const gate_transform *t, size_t n, const double *x, double y,
                        uint8_t *cls)
{
    /* the raw window [lb, la]; every value when the inverse is not usable */
    double lb = gate_transform_inverse(t, y - GS_WINDOW);
    double la = gate_transform_inverse(t, y + GS_WINDOW);
    if (!(isfinite(lb) && isfinite(la) && lb < la)) {
        lb = -INFINITY;
        la = INFINITY;
    }
    const double range = GS_RAW_RANGE * t->T;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (idx == NULL) {
        return false;
    }
    /* chunks of events: the sure ones set in a loop without branches; a chunk with values to
     * transform is scanned again for them (rare: the window is narrow) */
    enum { CHUNK = 256 };
    size_t k = 0;
    for (size_t c0 = 0; c0 < n; c0 += CHUNK) {
        const size_t c1 = n - c0 < CHUNK ? n : c0 + CHUNK;
        const unsigned unsure = classify_sure(x + c0, c1 - c0, lb, la, range, cls + c0);
        for (size_t e = c0; unsure > 0 && e < c1; e++) {
            const double v = x[e];
            if (!(v >= -range && v <= range) || (v >= lb && v <= la)) {
                idx[k++] = e;
            }
        }
    }
    double *v = malloc((k ? k : 1) * sizeof *v);
    if (v == NULL) {
        free(idx);
        return false;
    }
    for (size_t j = 0; j < k; j++) {
        v[j] = x[idx[j]];
    }
    gate_transform_apply_array(t, v, v, k);
    for (size_t j = 0; j < k; j++) {
        cls[idx[j]] = v[j] >= y ? 1 : (v[j] < y ? 0 : 2);
    }
    free(v);
    free(idx);
    return true;
}
