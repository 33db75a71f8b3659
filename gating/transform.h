/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * transform.h: scale transforms of the gating module: linear, log, arcsinh, logicle,
 * hyperlog and the other Gating-ML 2.0 kinds, estimateLogicle, and FlowJo's biex table.
 * Part of gating/gate.h.
 */
#ifndef APOFLOW_GATING_TRANSFORM_H
#define APOFLOW_GATING_TRANSFORM_H

#include "fcs/fcs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Transforms                                                                                 */
/* ------------------------------------------------------------------------------------------ */

typedef enum gate_transform_kind {
    GATE_TRANSFORM_LINEAR = 0, /* identity (raw value) */
    GATE_TRANSFORM_FLIN,       /* Gating-ML flin(T, A) = (x + A) / (T + A) */
    GATE_TRANSFORM_FLOG,       /* Gating-ML flog(T, M) = 1/M * log10(x/T) + 1 */
    GATE_TRANSFORM_FASINH,     /* Gating-ML fasinh(T, M, A) */
    GATE_TRANSFORM_LOGICLE,    /* Gating-ML logicle(T, W, M, A) (Parks/Moore) */
    GATE_TRANSFORM_HYPERLOG,   /* Gating-ML hyperlog(T, W, M, A) */
    GATE_TRANSFORM_ASINH,      /* arcsinh(x / cofactor) (cytometry's common form) */
    GATE_TRANSFORM_LOG10,      /* log10(x) (x <= 0 -> NaN) */
    GATE_TRANSFORM_BIEX        /* FlowJo's biex table (gate_transform_init_biex), 0..1 scale */
} gate_transform_kind;

/*
 * A scale transform. Set up with one of the gate_transform_init_* functions; after that it
 * is read-only and may be shared between threads. Logicle/hyperlog precompute their
 * coefficients at init.
 */
typedef struct gate_transform {
    gate_transform_kind kind;
    double T, W, M, A; /* Gating-ML parameters (as applicable) */
    double cofactor;   /* ASINH */
    bool has_bounds;   /* Gating-ML boundMin/boundMax set (gate_transform_set_bounds): */
    double bound_min;  /* forward results are then clamped to [bound_min, bound_max]; */
    double bound_max;  /* a zeroed struct has no bounds (and kind LINEAR = identity) */
    double coef[32];   /* precomputed coefficients, private to gating/ (transform, logicle,
                          hyperlog) */
} gate_transform;

/** Identity. */
void gate_transform_init_linear(gate_transform *out);
/** arcsinh(x / cofactor); cofactor > 0 (typically 150 for fluorescence). */
APO_NODISCARD apo_status gate_transform_init_asinh(gate_transform *out, double cofactor,
                                                   apo_error *err);
/** Logicle with Gating-ML parameters: T top of scale, W linearization width in decades,
 *  M decades, A additional negative decades. Rejects invalid combinations (W > M/2 ...). */
APO_NODISCARD apo_status gate_transform_init_logicle(gate_transform *out, double T, double W,
                                                     double M, double A, apo_error *err);
/**
 * Whether @p a and @p b are the same transform: the same kind and, bit for bit, the same
 * T, W, M, A, cofactor, has_bounds, bound_min and bound_max (the bounds only when has_bounds:
 * they act on nothing otherwise) and precomputed coefficients (coef; they hold what no named
 * field does, e.g. biex's channel count). Bits, not ==: -0.0 and +0.0 differ, a NaN equals
 * its own bits. Transforms the same by this test give the same bits for every input.
 */
bool gate_transform_same(const gate_transform *a, const gate_transform *b);
/** Forward transform of one value (x in data units -> display/gating scale). */
double gate_transform_apply(const gate_transform *t, double x);
/** Inverse transform (scale -> data units). */
double gate_transform_inverse(const gate_transform *t, double y);
/** Forward transform of @p n values from @p in to @p out (may alias), on the calling thread:
 *  each value gets the bits gate_transform_apply gives it, whatever the array's length. */
void gate_transform_apply_array(const gate_transform *t, const double *in, double *out, size_t n);

/* ---- transforms: further kinds (flin, flog, fasinh, hyperlog, log10), estimateLogicle ---- */
/*
 * Output ranges: every Gating-ML kind maps x = T to y = 1 (logicle/hyperlog/fasinh/flog/flin
 * are on the [0,1]-ish Gating-ML scale, NOT flowCore's 0..M logicleTransform scale). Logicle and
 * hyperlog map x = 0 to (W + A)/(M + A) and reflect negatives about that point.
 */

/** Gating-ML flin: y = (x + A) / (T + A). T > 0, T + A != 0. */
APO_NODISCARD apo_status gate_transform_init_flin(gate_transform *out, double T, double A,
                                                  apo_error *err);
/** Gating-ML flog: y = log10(x / T) / M + 1. T > 0, M > 0. x = 0 gives -inf, x < 0 NaN. */
APO_NODISCARD apo_status gate_transform_init_flog(gate_transform *out, double T, double M,
                                                  apo_error *err);
/** Gating-ML fasinh: y = (asinh(x sinh(M ln10) / T) + A ln10) / ((M + A) ln10).
 *  T > 0, M > 0, A >= 0. */
APO_NODISCARD apo_status gate_transform_init_fasinh(gate_transform *out, double T, double M,
                                                    double A, apo_error *err);
/** Gating-ML hyperlog(T, W, M, A): T > 0, M > 0, 0 < W <= M/2, -W <= A <= M - 2W. */
APO_NODISCARD apo_status gate_transform_init_hyperlog(gate_transform *out, double T, double W,
                                                      double M, double A, apo_error *err);
/** Plain log10(x); x <= 0 gives NaN. */
void gate_transform_init_log10(gate_transform *out);
/** Gating-ML boundMin/boundMax: clamp forward results to [lo, hi] (use -INFINITY/INFINITY
 *  for an open side). NaN results stay NaN. APO_E_USAGE if lo > hi or either is NaN. */
APO_NODISCARD apo_status gate_transform_set_bounds(gate_transform *t, double lo, double hi,
                                                   apo_error *err);
/** Short name of a kind ("logicle", "fasinh", ...). */
const char *gate_transform_kind_name(gate_transform_kind kind);

/** Gating-ML fratio (two dimensions): y = A (x1 - B) / (x2 - C). x2 == C gives +-inf/NaN. */
double gate_fratio(double A, double B, double C, double x1, double x2);
/** Inverse of fratio for a known x2: x1 = y (x2 - C) / A + B. */
double gate_fratio_inverse(double A, double B, double C, double y, double x2);

/**
 * flowCore estimateLogicle's W for one channel: r = the type-7 5th percentile of the negative
 * values of @p x (NaNs ignored), w = (M - log10(T / |r|)) / 2; w = 0 when there are no
 * negatives. T is the channel's top of scale (PnR for flowCore's type="instrument", or the
 * data maximum for type="data", with M = log10(T) + 1). APO_E_NUMERIC ("w is negative") when
 * w < 0 (increase M), APO_E_USAGE for bad T/M, APO_E_NOMEM.
 */
APO_NODISCARD apo_status gate_logicle_estimate_w(const double *x, size_t n, double T, double M,
                                                 double *w_out, apo_error *err);
/*
 * FlowJo's "biex" display transform, which FlowJo defines by a lookup table rather than a
 * formula (docs/algorithms.md 3): channels + 1 table points from a discretised logicle-like curve
 * (TreeStar's algorithm as ported by cytolib/FlowKit), linear interpolation in between.
 * Scale values here are channel / channels, i.e. 0..1 (multiply by channels for FlowJo's
 * channel units); values outside the table clamp to its ends. FlowJo defaults: channels
 * 4096, positive decades 4.41854, negative 0, width basis -10, top 262144.000029.
 */
typedef struct gate_biex_lut {
    size_t channels;
    double *data; /* channels + 1 data values, increasing; data[i] is channel i */
} gate_biex_lut;

/** Build the table. width_basis < 0, positive > 0, negative >= 0, top > 0, channels >= 2. */
APO_NODISCARD apo_status gate_biex_lut_new(gate_biex_lut **out, double positive, double negative,
                                           double width_basis, double top, size_t channels,
                                           apo_error *err);
void gate_biex_lut_free(gate_biex_lut *lut);
/** Data value -> scale (0..1). NaN stays NaN. */
double gate_biex_lut_apply(const gate_biex_lut *lut, double x);
/** Scale (0..1) -> data value. */
double gate_biex_lut_inverse(const gate_biex_lut *lut, double y);

/**
 * FlowJo's biex as a gate_transform (kind GATE_TRANSFORM_BIEX): exactly the values of the
 * gate_biex_lut with the same parameters (channel / channels, linear between table points),
 * computed point by point instead of stored, so the transform stays a plain value. Stored as
 * T = top, M = positive, A = negative, W = width basis. Same parameter checks as the table.
 */
APO_NODISCARD apo_status gate_transform_init_biex(gate_transform *out, double positive,
                                                  double negative, double width_basis,
                                                  double top, size_t channels, apo_error *err);

/** estimateLogicle: gate_logicle_estimate_w then gate_transform_init_logicle(T, w, M, A = 0). */
APO_NODISCARD apo_status gate_transform_init_logicle_estimate(gate_transform *out,
                                                              const double *x, size_t n,
                                                              double T, double M, apo_error *err);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_TRANSFORM_H */
