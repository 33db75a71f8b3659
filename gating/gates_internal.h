/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gates_internal.h: the private layout of gate_strategy, shared by the builder (strategy*.c),
 * the evaluator (gates*.c) and the Gating-ML reader/writer (gml_read*.c, gml_write*.c).
 * Include only from gating/ and tests/gating/.
 */
#ifndef APOFLOW_GATING_GATES_INTERNAL_H
#define APOFLOW_GATING_GATES_INTERNAL_H

#include "gating/gate.h"
#include "util/clones.h"

#include <stdbool.h>
#include <stddef.h>

/* One gate, quadrant gate or quadrant. Strings and arrays are owned. */
typedef struct gs_gate {
    gate_kind kind;
    char *id;
    char *parent_id; /* NULL = top level; a quadrant copies nothing: see gs_parent_id */
    size_t n_dims;
    gate_dim *dims; /* owned strings */
    double *min, *max;
    size_t n_vertices;
    double *vertices;
    double *mean, *cov;
    double dist2;
    size_t n_dividers;
    gate_divider *dividers; /* QUADRANT_GATE: owned id, dim strings, values */
    size_t quadrant_gate;   /* QUADRANT: index of its gate */
    size_t *div_index;      /* QUADRANT: n_dims divider indices into its gate's dividers */
    double *locations;      /* QUADRANT: n_dims locations as given */
    gate_bool_op op;
    size_t n_operands;
    char **operands;
    bool *complement;
} gs_gate;

typedef struct gs_transform {
    char *id;
    gate_transform t;
} gs_transform;

typedef struct gs_ratio {
    char *id;
    char *x1, *x2;
    double A, B, C;
} gs_ratio;

typedef struct gs_spill {
    char *id;
    size_t n;
    char **fluoro;
    char **detectors;
    double *values; /* n x n row-major */
    bool inverted;
} gs_spill;

/* Deepest gate hierarchy a strategy may have (levels from a root gate). */
#define GATE_MAX_DEPTH 256

struct gate_strategy {
    size_t n_gates, cap_gates;
    gs_gate *gates;
    size_t *id_order; /* gate indices sorted by id (cap_gates entries): lookups in O(log n),
                         so deep hierarchies of untrusted documents stay fast */
    size_t n_transforms, cap_transforms;
    gs_transform *transforms;
    size_t n_ratios, cap_ratios;
    gs_ratio *ratios;
    size_t n_spills, cap_spills;
    gs_spill *spills;
};

/* The parent id of gate @p g (a quadrant: its gate's parent), or NULL. */
const char *gs_parent_id(const gate_strategy *s, size_t g);
const gs_ratio *gs_find_ratio(const gate_strategy *s, const char *id);
const gs_spill *gs_find_spill(const gate_strategy *s, const char *id);
const gs_transform *gs_find_transform(const gate_strategy *s, const char *id);
/* True if comp_ref @p c means "uncompensated" (NULL or GATE_COMP_NONE). */
bool gs_comp_is_none(const char *c);
/* Duplicate @p s (NULL stays NULL); *ok set false on allocation failure. */
char *gs_strdup(const char *s, bool *ok);

/* Append a zeroed gate with a unique @p id (builders fill the rest); *out is valid until the
 * next append. gs_drop_last_gate rolls back a failed add. */
apo_status gs_append_gate(gate_strategy *s, gate_kind kind, const char *id, const char *parent_id,
                          gs_gate **out, apo_error *err);
void gs_drop_last_gate(gate_strategy *s);

/* Resolved references: parent index (SIZE_MAX = top level) and boolean operand indices. */
typedef struct gs_links {
    size_t *parent;   /* n_gates */
    size_t **operand; /* n_gates arrays (NULL for non-boolean) */
} gs_links;
apo_status gs_links_build(const gate_strategy *s, gs_links *out, apo_error *err);
void gs_links_free(const gate_strategy *s, gs_links *l);

/* The per-event loops (gates_kernels.c, gates_eval.c, gates_window.c) are compiled for
 * AVX-512 and AVX2 as well (APO_CLONES, util/clones.h), the version chosen when the process
 * starts by what the processor has: wider vectors, the same operations per value in the same
 * order (GCC in ISO C mode contracts nothing into fused multiply-adds), so the same bits on
 * every machine. */

/* Membership kernels (gates_kernels.c): m[e] = 1 inside, 0 outside, for n events. */
void gs_rect_member(size_t n, size_t n_dims, const double *const *cols, const double *min,
                    const double *max, uint8_t *m);
/* Whether a rectangle / quadrant limit @p y on a dimension with transform @p t can be
 * tested on the raw values by gs_window_classify (logicle without bounds, finite y). */
bool gs_window_usable(const gate_transform *t, double y);
/* cls[e] = 1 when T(x[e]) >= y, 0 when T(x[e]) < y, 2 when neither (NaN), for the raw values
 * x of an array of n, exactly as transforming the whole array and comparing, with T computed
 * only near the limit (gates_window.c). False when out of memory. */
bool gs_window_classify(const gate_transform *t, size_t n, const double *x, double y,
                        uint8_t *cls);
/* m[e] &= pm[e] (when @p pm is not NULL) for the n events; returns the sum of the m[e]. */
uint64_t gs_and_count(uint8_t *m, const uint8_t *pm, size_t n);
/* m[e] &= (cls[e] == want) for the n events. */
void gs_and_class(uint8_t *m, const uint8_t *cls, uint8_t want, size_t n);
void gs_polygon_member(size_t n, const double *x, const double *y, size_t n_vertices,
                       const double *xy, uint8_t *m);
/* @p inv: the inverse covariance, n_dims x n_dims row-major. */
void gs_ellipsoid_member(size_t n, size_t n_dims, const double *const *cols, const double *mean,
                         const double *inv, double dist2, uint8_t *m);
/* Invert the n x n row-major matrix @p a into @p inv (GSL LU). APO_E_NUMERIC if singular. */
apo_status gs_invert(size_t n, const double *a, double *inv, const char *what, apo_error *err);

#endif /* APOFLOW_GATING_GATES_INTERNAL_H */
