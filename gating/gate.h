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

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_GATE_H */
