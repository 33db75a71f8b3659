/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate.h: the public interface of the gating module: spillover compensation, scale
 * transforms, gates and gating strategies (Gating-ML 2.0), population statistics and the
 * Annexin V / PI apoptosis analysis. Depends on fcs/ only. Nothing here prints.
 */
#ifndef APOFLOW_GATING_GATE_H
#define APOFLOW_GATING_GATE_H

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
    GATE_TRANSFORM_LOG10       /* log10(x) (x <= 0 -> NaN) */
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
    double coef[16];   /* precomputed coefficients, private to transform.c */
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
/** Forward transform of one value (x in data units -> display/gating scale). */
double gate_transform_apply(const gate_transform *t, double x);
/** Inverse transform (scale -> data units). */
double gate_transform_inverse(const gate_transform *t, double y);
/** Forward transform of @p n values from @p in to @p out (may alias). */
void gate_transform_apply_array(const gate_transform *t, const double *in, double *out, size_t n);

/* ---- transforms: further kinds (flin, flog, fasinh, hyperlog, log10), estimateLogicle ---- */
/* (owned by transform.c; add declarations here) */

/* ------------------------------------------------------------------------------------------ */
/* Compensation (compensate.c, spill_csv.c, comp_compute.c)                                   */
/* ------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------ */
/* Statistics (stats.c)                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------ */
/* Gates, gating strategies, Gating-ML 2.0 (gates.c, strategy.c, gml_read.c, gml_write.c)      */
/* ------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------ */
/* Annexin V / PI apoptosis analysis (apoptosis*.c, compare.c, doseresponse.c)                 */
/* ------------------------------------------------------------------------------------------ */

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_GATE_H */
