/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * axis.c: axis ranges and tick sets (docs/plots.md, "Axes and ticks"). Linear axes get "nice" 1/2/5
 * steps labelled 50K, 100K ... (1.5M beyond a million); logicle, hyperlog, asinh and log axes get decade ticks:
 * 0 and +-10^k for k >= 2, labelled as 10 with a raised exponent, and unlabelled minor ticks
 * at m * 10^k, m = 2..9 (nothing below 10^2: that is the linear zone, where ticks would crowd
 * the 0 label). Log axes label every decade. Where labels collide is decided when drawing
 * (axis_draw.c), where their pixel sizes are known.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_decade_kind(gate_transform_kind k)
{
    return k == GATE_TRANSFORM_LOGICLE || k == GATE_TRANSFORM_HYPERLOG ||
           k == GATE_TRANSFORM_ASINH || k == GATE_TRANSFORM_FASINH ||
           k == GATE_TRANSFORM_LOG10 || k == GATE_TRANSFORM_FLOG || k == GATE_TRANSFORM_BIEX;
}

static bool is_unit_scaled(gate_transform_kind k)
{
    return k == GATE_TRANSFORM_LOGICLE || k == GATE_TRANSFORM_HYPERLOG ||
           k == GATE_TRANSFORM_FASINH || k == GATE_TRANSFORM_FLOG || k == GATE_TRANSFORM_FLIN ||
           k == GATE_TRANSFORM_BIEX;
}

static bool is_log(gate_transform_kind k)
{
    return k == GATE_TRANSFORM_LOG10 || k == GATE_TRANSFORM_FLOG;
}

void raxis_linear(raxis *out, double lo, double hi)
{
    gate_transform_init_linear(&out->t);
    out->lo = lo;
    out->hi = hi;
    out->decades = false;
}

/* Display range from the data: the 0.05 % and 99.9 % quantiles of the transformed values
 * (the rare events beyond pile up on the edge instead of squeezing the populations). */
static apo_status auto_range(raxis *out, const double *x, size_t n, apo_error *err)
{
    double lo = NAN, hi = NAN;
    if (x && n > 0) {
        double *d = malloc(n * sizeof *d);
        if (!d) {
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                 "expected memory for %zu values, found none", n);
        }
        gate_transform_apply_array(&out->t, x, d, n);
        const double q[2] = {0.0005, 0.999};
        double v[2];
        apo_status st = rquantiles(d, n, 2, q, v, err);
        lo = v[0];
        hi = v[1];
        free(d);
        if (st != APO_OK) return st;
    }
    gate_transform_kind k = out->t.kind;
    if (!isfinite(lo) || !isfinite(hi)) {
        /* no usable data: a typical 18-bit range */
        lo = k == GATE_TRANSFORM_LINEAR ? 0 : gate_transform_apply(&out->t, 1);
        hi = gate_transform_apply(&out->t, 262144);
        if (!isfinite(lo)) lo = 0;
    }
    if (k == GATE_TRANSFORM_LINEAR && lo >= 0) {
        lo = 0; /* scatter axes start at 0, as in FlowJo */
        hi *= 1.05;
    } else {
        double pad = 0.04 * (hi - lo);
        lo -= pad;
        hi += pad;
    }
    if (!(hi > lo)) {
        double c = lo;
        double w = fabs(c) > 0 ? fabs(c) * 0.5 : 1;
        lo = c - w;
        hi = c + w;
    }
    out->lo = lo;
    out->hi = hi;
    return APO_OK;
}

apo_status raxis_resolve(raxis *out, const render_axis *a, const double *x, size_t n,
                         apo_error *err)
{
    out->t = a->transform;
    out->decades = is_decade_kind(a->transform.kind);
    if (isfinite(a->min) && isfinite(a->max)) {
        out->lo = gate_transform_apply(&out->t, a->min);
        out->hi = gate_transform_apply(&out->t, a->max);
    } else if (is_unit_scaled(a->transform.kind)) {
        out->lo = isfinite(a->min) ? gate_transform_apply(&out->t, a->min) : 0;
        out->hi = isfinite(a->max) ? gate_transform_apply(&out->t, a->max) : 1;
    } else {
        apo_status st = auto_range(out, x, n, err);
        if (st != APO_OK) return st;
        if (isfinite(a->min)) out->lo = gate_transform_apply(&out->t, a->min);
        if (isfinite(a->max)) out->hi = gate_transform_apply(&out->t, a->max);
    }
    if (!isfinite(out->lo) || !isfinite(out->hi) || !(out->hi > out->lo)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, a->title,
                             "expected an axis range with min < max on the %s scale, found "
                             "%g .. %g", gate_transform_kind_name(a->transform.kind), a->min,
                             a->max);
    }
    return APO_OK;
}

double raxis_frac_display(const raxis *a, double d)
{
    return (d - a->lo) / (a->hi - a->lo);
}

double raxis_frac(const raxis *a, double v)
{
    double f = raxis_frac_display(a, gate_transform_apply(&a->t, v));
    if (isnan(f)) {
        /* log of a non-positive value: pile it up on the low edge */
        return isnan(v) ? NAN : 0;
    }
    return f < 0 ? 0 : (f > 1 ? 1 : f);
}

/* ---- tick lists ---- */

typedef struct tick_list {
    rtick *v;
    size_t n, cap;
    rtick skipped; /* scratch target for ticks outside the axis */
} tick_list;

/* Append a tick; returns it, or &l->skipped when it lies outside the axis, or NULL when out
 * of memory. */
static rtick *push(tick_list *l, const raxis *a, double value, bool major, bool labelled)
{
    double f = raxis_frac_display(a, gate_transform_apply(&a->t, value));
    if (!isfinite(f) || f < -1e-9 || f > 1 + 1e-9) {
        return &l->skipped;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        rtick *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) return NULL;
        l->v = nv;
        l->cap = cap;
    }
    rtick *t = &l->v[l->n++];
    memset(t, 0, sizeof *t);
    t->value = value;
    t->frac = f < 0 ? 0 : (f > 1 ? 1 : f);
    t->major = major;
    t->labelled = labelled;
    return t;
}

#define MINUS "\xe2\x88\x92" /* U+2212 */

static void decade_label(rlabel *l, double value, int k)
{
    if (value == 0) {
        snprintf(l->base, sizeof l->base, "0");
        return;
    }
    snprintf(l->base, sizeof l->base, "%s10", value < 0 ? MINUS : "");
    snprintf(l->exp, sizeof l->exp, "%d", k);
}

static void linear_label(rlabel *l, double v, double step)
{
    if (fabs(v) < step * 1e-6) {
        v = 0;
    }
    const char *sign = v < 0 ? MINUS : "";
    double a = fabs(v);
    if (a >= 1e6 && step >= 1e5) {
        snprintf(l->base, sizeof l->base, "%s%gM", sign, a / 1e6);
    } else if (a >= 1000 && step >= 100) {
        snprintf(l->base, sizeof l->base, "%s%gK", sign, a / 1000);
    } else {
        snprintf(l->base, sizeof l->base, "%s%g", sign, a);
    }
}

/* The 1/2/5 x 10^k step giving the number of intervals closest to @p target. */
static double nice_step(double span, int target)
{
    double mag = pow(10, floor(log10(span / target)));
    static const double m[] = {1, 2, 5, 10};
    double best = mag, best_d = INFINITY;
    for (int i = 0; i < 4; i++) {
        double d = fabs(span / (m[i] * mag) - target);
        if (d < best_d) {
            best_d = d;
            best = m[i] * mag;
        }
    }
    return best;
}

static bool linear_ticks(tick_list *l, const raxis *a)
{
    double dlo = gate_transform_inverse(&a->t, a->lo), dhi = gate_transform_inverse(&a->t, a->hi);
    if (dhi < dlo) {
        double t = dlo;
        dlo = dhi;
        dhi = t;
    }
    double step = nice_step(dhi - dlo, 5);
    if (!(step > 0) || !isfinite(step)) {
        return true;
    }
    for (double k = ceil(dlo / step - 1e-9); k * step <= dhi + step * 1e-9; k++) {
        double v = k * step;
        rtick *t = push(l, a, v, true, true);
        if (!t) return false;
        linear_label(&t->label, v, step);
        if (l->n > 100) break;
    }
    return true;
}

static bool decade_ticks(tick_list *l, const raxis *a)
{
    bool logk = is_log(a->t.kind);
    if (!logk) {
        rtick *t = push(l, a, 0, true, true);
        if (!t) return false;
        decade_label(&t->label, 0, 0);
    }
    for (int sign = 1; sign >= -1; sign -= 2) {
        if (logk && sign < 0) break;
        for (int k = logk ? -3 : 2; k <= 9; k++) {
            double p = pow(10, k);
            bool labelled = logk || k >= 2;
            rtick *t = push(l, a, sign * p, labelled, labelled);
            if (!t) return false;
            if (labelled) decade_label(&t->label, sign * p, k);
            for (int m = 2; m <= 9; m++) {
                if (!push(l, a, sign * m * p, false, false)) return false;
            }
        }
    }
    return true;
}

apo_status raxis_ticks(const raxis *a, rtick **out, size_t *n_out, apo_error *err)
{
    tick_list l;
    memset(&l, 0, sizeof l);
    bool ok = a->decades ? decade_ticks(&l, a) : linear_ticks(&l, a);
    if (!ok) {
        free(l.v);
        *out = NULL;
        *n_out = 0;
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for axis ticks, found none");
    }
    *out = l.v;
    *n_out = l.n;
    return APO_OK;
}
