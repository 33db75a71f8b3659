/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * strategy.h: gates and gating strategies as Gating-ML 2.0 models them: building one in
 * code, querying it, reading and writing Gating-ML documents. Part of gating/gate.h.
 */
#ifndef APOFLOW_GATING_STRATEGY_H
#define APOFLOW_GATING_STRATEGY_H

#include "gating/transform.h"
#include "gating/comp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Gates, gating strategies, Gating-ML 2.0 (gates.c, strategy.c, gml_read.c, gml_write.c)      */
/* ------------------------------------------------------------------------------------------ */

/*
 * A gate_strategy holds named transforms, spillover matrices and a forest of gates, exactly as
 * a Gating-ML 2.0 document does. Read one with gate_strategy_read_gml or build one in code:
 *
 *     gate_strategy *s = NULL;
 *     gate_strategy_new(&s, err);
 *     gate_transform lg; gate_transform_init_logicle(&lg, 262144, 0.5, 4.5, 0, err);
 *     gate_strategy_add_transform(s, "logicle", &lg, err);
 *     gate_dim fsc_ssc[2] = {{.name = "FSC-A"}, {.name = "SSC-A"}};   // uncompensated, linear
 *     gate_strategy_add_polygon(s, "Cells", NULL, fsc_ssc, 4, xy, err); // xy = x0,y0,x1,y1,...
 *     gate_dim ap[2] = {{.name = "FITC-A", .comp_ref = "FCS", .transform_ref = "logicle"},
 *                       {.name = "PI-A", .comp_ref = "FCS", .transform_ref = "logicle"}};
 *     const char *q[4] = {"Viable", "Early", "Late", "Necrotic"};  // x-y-, x+y-, x+y+, x-y+
 *     gate_strategy_add_quadrants_2d(s, "AnnV_PI", "Cells", ap, 0.42, 0.37, q, err);
 *     gate_strategy_write_gml(s, "strategy.xml", err);
 *
 * Thresholds, bounds and vertices are in the dimension's own space: after compensation and
 * after its transform (so 0.42 above is a logicle-scale value). Ids are unique across gates
 * and quadrants. A gate's parent may be any gate or quadrant id that exists when the strategy
 * is applied (not a QuadrantGate itself). Nothing is evaluated at build time.
 *
 * Membership semantics (FlowKit / Gating-ML 2.0 compliance): rectangles and quadrants are
 * half-open (min <= x < max, an open end is unbounded); polygons use the even-odd rule
 * (PNPOLY crossing test); ellipsoids are (x-mu)' C^-1 (x-mu) <= D^2 with C inverted as given;
 * boolean operands use the referenced gates' final membership; every gate is ANDed with its
 * parent's final membership. NaN values are never inside a bounded interval.
 */

typedef struct gate_strategy gate_strategy; /* opaque */

/* Compensation references of a dimension (besides the id of a spillover matrix). */
#define GATE_COMP_NONE "uncompensated" /* scale values as decoded (the default, also for NULL) */
#define GATE_COMP_FCS "FCS"            /* the file's spillover (uncompensated if it has none) */

/*
 * One dimension of a gate. Strings are borrowed when passed to a builder (copied) and owned
 * by the strategy when returned by a query.
 * - name: a $PnN (or $PnS) of the file, or, with a spillover matrix comp_ref, one of the
 *   matrix's fluorochrome names (Gating-ML semantics). NULL when ratio_ref is set.
 * - comp_ref: NULL / GATE_COMP_NONE, GATE_COMP_FCS, or the id of a spillover matrix.
 * - transform_ref: NULL (linear) or the id of a transform added to the strategy.
 * - ratio_ref: NULL, or the id of an fratio added with gate_strategy_add_ratio (a Gating-ML
 *   new-dimension); the ratio is computed on compensated inputs, then transform_ref applies.
 */
typedef struct gate_dim {
    const char *name;
    const char *comp_ref;
    const char *transform_ref;
    const char *ratio_ref;
} gate_dim;

typedef enum gate_kind {
    GATE_RECTANGLE = 0, /* RectangleGate (a range when it has 1 dimension) */
    GATE_POLYGON,       /* PolygonGate, 2 dimensions */
    GATE_ELLIPSOID,     /* EllipsoidGate, n >= 2 dimensions */
    GATE_QUADRANT_GATE, /* QuadrantGate: holds dividers; not a population itself */
    GATE_QUADRANT,      /* one Quadrant of a QuadrantGate: a population */
    GATE_BOOLEAN        /* BooleanGate */
} gate_kind;

typedef enum gate_bool_op { GATE_BOOL_AND = 0, GATE_BOOL_OR, GATE_BOOL_NOT } gate_bool_op;

/* A divider of a QuadrantGate: the sorted cut values on one dimension. */
typedef struct gate_divider {
    const char *id;
    gate_dim dim;
    size_t n_values;
    const double *values; /* ascending */
} gate_divider;

/*
 * A read-only view of one gate (borrowed from the strategy; valid until it is modified or
 * freed). Fields not used by a kind are 0/NULL.
 */
typedef struct gate_info {
    gate_kind kind;
    const char *id;
    const char *parent_id; /* NULL for a top-level gate; for a quadrant: its gate's parent */
    size_t n_dims;
    const gate_dim *dims;  /* RECTANGLE, POLYGON, ELLIPSOID; QUADRANT: the dividers it uses */
    /* RECTANGLE and QUADRANT: per dimension bounds, -INFINITY / +INFINITY when open. */
    const double *min;
    const double *max;
    /* POLYGON: n_vertices (x, y) pairs, interleaved. */
    size_t n_vertices;
    const double *vertices;
    /* ELLIPSOID: mean (n_dims), covariance (n_dims x n_dims row-major), distance square. */
    const double *mean;
    const double *covariance;
    double distance_square;
    /* QUADRANT_GATE: its dividers. QUADRANT: index of its QuadrantGate (see quadrant_gate). */
    size_t n_dividers;
    const gate_divider *dividers;
    size_t quadrant_gate;
    /* BOOLEAN: operator and operand ids, each possibly used as complement. */
    gate_bool_op op;
    size_t n_operands;
    const char *const *operands;
    const bool *complement;
} gate_info;

/** A new, empty strategy (caller frees with gate_strategy_free). */
APO_NODISCARD apo_status gate_strategy_new(gate_strategy **out, apo_error *err);
/** Free @p s. NULL is a no-op. */
void gate_strategy_free(gate_strategy *s);

/** Register transform @p t (copied, bounds included) under @p id; it may then be a
 *  dimension's transform_ref. */
APO_NODISCARD apo_status gate_strategy_add_transform(gate_strategy *s, const char *id,
                                                     const gate_transform *t, apo_error *err);
/** Register a Gating-ML fratio: y = A (x1 - B) / (x2 - C), x1 and x2 named channels. */
APO_NODISCARD apo_status gate_strategy_add_ratio(gate_strategy *s, const char *id,
                                                 const char *x1, const char *x2, double A,
                                                 double B, double C, apo_error *err);
/**
 * Register a spillover (spectrum) matrix: @p n_fluoro rows named by @p fluorochromes, @p n_det
 * columns named by the detector channels, @p values row-major (row = fluorochrome). Only square
 * matrices are supported. @p inverted: the values are already the inverse (Gating-ML
 * matrix-inverted-already). A dimension with comp_ref @p id names a fluorochrome.
 */
APO_NODISCARD apo_status gate_strategy_add_spillover(gate_strategy *s, const char *id,
                                                     size_t n_fluoro,
                                                     const char *const *fluorochromes,
                                                     size_t n_det, const char *const *detectors,
                                                     const double *values, bool inverted,
                                                     apo_error *err);

/** Rectangle (range) gate; @p min / @p max per dimension, +-INFINITY or NaN for an open end. */
APO_NODISCARD apo_status gate_strategy_add_rectangle(gate_strategy *s, const char *id,
                                                     const char *parent_id, size_t n_dims,
                                                     const gate_dim *dims, const double *min,
                                                     const double *max, apo_error *err);
/** Polygon gate on 2 dimensions, @p n_vertices >= 3 interleaved (x, y) pairs. */
APO_NODISCARD apo_status gate_strategy_add_polygon(gate_strategy *s, const char *id,
                                                   const char *parent_id, const gate_dim *dims,
                                                   size_t n_vertices, const double *xy,
                                                   apo_error *err);
/** Ellipsoid gate: mean (n_dims), covariance (n_dims^2, row-major, used as given). */
APO_NODISCARD apo_status gate_strategy_add_ellipsoid(gate_strategy *s, const char *id,
                                                     const char *parent_id, size_t n_dims,
                                                     const gate_dim *dims, const double *mean,
                                                     const double *covariance,
                                                     double distance_square, apo_error *err);
/** Empty QuadrantGate; add dividers and quadrants next. */
APO_NODISCARD apo_status gate_strategy_add_quadrant_gate(gate_strategy *s, const char *id,
                                                         const char *parent_id, apo_error *err);
/** A divider of QuadrantGate @p gate_id with @p n_values >= 1 cut values (sorted here). */
APO_NODISCARD apo_status gate_strategy_add_divider(gate_strategy *s, const char *gate_id,
                                                   const char *divider_id, const gate_dim *dim,
                                                   size_t n_values, const double *values,
                                                   apo_error *err);
/**
 * A quadrant of QuadrantGate @p gate_id: for each of @p n_positions dividers, the region's
 * band is the interval of the divider's values containing @p locations[k] (lower = largest
 * value <= location, upper = smallest value > location). Dividers not listed are unrestricted.
 */
APO_NODISCARD apo_status gate_strategy_add_quadrant(gate_strategy *s, const char *gate_id,
                                                    const char *quadrant_id, size_t n_positions,
                                                    const char *const *divider_ids,
                                                    const double *locations, apo_error *err);
/**
 * Convenience: a QuadrantGate @p id on dims[0] (x) and dims[1] (y) with one threshold each
 * (dividers "<id>_x", "<id>_y") and four quadrants named @p quadrant_ids in the order
 * x-y-, x+y-, x+y+, x-y+. Events on a threshold go to the "+" side.
 */
APO_NODISCARD apo_status gate_strategy_add_quadrants_2d(gate_strategy *s, const char *id,
                                                        const char *parent_id,
                                                        const gate_dim *dims, double x_threshold,
                                                        double y_threshold,
                                                        const char *const *quadrant_ids,
                                                        apo_error *err);
/** Boolean gate: AND/OR of >= 2 operands or NOT of exactly 1; @p complement may be NULL. */
APO_NODISCARD apo_status gate_strategy_add_boolean(gate_strategy *s, const char *id,
                                                   const char *parent_id, gate_bool_op op,
                                                   size_t n_operands,
                                                   const char *const *operand_ids,
                                                   const bool *complement, apo_error *err);

/** Number of gates, quadrant gates and quadrants, in the order they were added. */
size_t gate_strategy_n_gates(const gate_strategy *s);
/** View of gate @p i (< n_gates). */
void gate_strategy_gate(const gate_strategy *s, size_t i, gate_info *out);
/** Index of the gate or quadrant with id @p id, or SIZE_MAX. */
size_t gate_strategy_find(const gate_strategy *s, const char *id);
/** Index of gate @p i's parent population, or SIZE_MAX for a top-level gate or an unknown id. */
size_t gate_strategy_parent(const gate_strategy *s, size_t i);
/** True for gates that are populations (everything except GATE_QUADRANT_GATE). */
bool gate_strategy_is_population(const gate_strategy *s, size_t i);
/**
 * Check every reference (parents, boolean operands, transforms, ratios, matrices) and that
 * the hierarchy has no cycle. Done by apply and write too.
 * @return APO_OK or APO_E_FORMAT naming the gate and the missing id.
 */
APO_NODISCARD apo_status gate_strategy_validate(const gate_strategy *s, apo_error *err);
/**
 * The population path of gate @p i: the ids from the top level down, joined by '/'
 * (a quadrant's path ends with its own id, under its QuadrantGate's parent). Returns a new
 * string (caller frees) or NULL when out of memory / on a reference cycle.
 */
char *gate_strategy_path(const gate_strategy *s, size_t i);
/** Named transforms / ratios / spillover matrices, for writers and renderers. */
const gate_transform *gate_strategy_transform(const gate_strategy *s, const char *id);
/**
 * The spillover value of fluorochrome @p from into detector @p into in matrix @p id (as the
 * document states it: row @p from, the column of detector @p into); NaN when the matrix, either
 * name or the value is missing, or the matrix is given inverted (its spillover is not stated).
 */
double gate_strategy_spill_value(const gate_strategy *s, const char *id, const char *from,
                                 const char *into);

/**
 * Read a Gating-ML 2.0 document. Unknown or malformed Gating-ML content is rejected with
 * APO_E_FORMAT (or APO_E_UNSUPPORTED) whose keyword names the element and its line.
 */
APO_NODISCARD apo_status gate_strategy_read_gml(gate_strategy **out, const char *path,
                                                apo_error *err);
/** As gate_strategy_read_gml, from @p len bytes at @p buf; @p name is used in messages. */
APO_NODISCARD apo_status gate_strategy_read_gml_buffer(gate_strategy **out, const char *buf,
                                                       size_t len, const char *name,
                                                       apo_error *err);
/*
 * Memory policy for large files. Counts and percentages always use every event, streamed
 * through the gates one block of GATE_BLOCK_EVENTS at a time. Statistics that need all values
 * at once (medians, quantiles, density estimates, plots) use every event of a data set with
 * at most GATE_SAMPLE_EVENTS_DEFAULT events (or the user's --sample-events), else the
 * deterministic uniform subsample of every step-th event (fcs_dataset_read_sampled).
 */
#define GATE_BLOCK_EVENTS 65536u
#define GATE_SAMPLE_EVENTS_DEFAULT 1000000u

/** Write @p s as Gating-ML 2.0 at @p path atomically (temporary file + rename). */
APO_NODISCARD apo_status gate_strategy_write_gml(const gate_strategy *s, const char *path,
                                                 apo_error *err);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_STRATEGY_H */
