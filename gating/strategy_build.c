/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * strategy_build.c: adding gates to a gate_strategy (rectangle, polygon, ellipsoid, quadrant
 * gates with dividers and quadrants, boolean). Each builder checks its own arguments and
 * copies them; references to other ids are checked later by gate_strategy_validate.
 */
#include "gating/gate.h"
#include "gating/gates_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static apo_status nomem(apo_error *err)
{
    return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                         "expected memory for a gate, found none");
}

static apo_status check_dim(const gate_dim *d, const char *id, apo_error *err)
{
    bool has_name = d->name != NULL && d->name[0] != '\0';
    bool has_ratio = d->ratio_ref != NULL && d->ratio_ref[0] != '\0';
    if (has_name == has_ratio) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                             "expected a dimension with either a channel name or a ratio, "
                             "found %s",
                             has_name ? "both" : "neither");
    }
    return APO_OK;
}

static bool copy_dim(gate_dim *dst, const gate_dim *src)
{
    bool ok = true;
    dst->name = gs_strdup(src->name, &ok);
    dst->comp_ref = gs_comp_is_none(src->comp_ref) ? NULL : gs_strdup(src->comp_ref, &ok);
    dst->transform_ref = (src->transform_ref != NULL && src->transform_ref[0] != '\0')
                             ? gs_strdup(src->transform_ref, &ok)
                             : NULL;
    dst->ratio_ref = (src->ratio_ref != NULL && src->ratio_ref[0] != '\0')
                         ? gs_strdup(src->ratio_ref, &ok)
                         : NULL;
    return ok;
}

/* Copy @p n dims into g->dims (g->n_dims set first so a partial copy is freed). */
static apo_status set_dims(gs_gate *g, size_t n, const gate_dim *dims, apo_error *err)
{
    for (size_t i = 0; i < n; i++) {
        apo_status st = check_dim(&dims[i], g->id, err);
        if (st != APO_OK) {
            return st;
        }
    }
    g->dims = calloc(n, sizeof(*g->dims));
    if (g->dims == NULL) {
        return nomem(err);
    }
    g->n_dims = n;
    for (size_t i = 0; i < n; i++) {
        if (!copy_dim(&g->dims[i], &dims[i])) {
            return nomem(err);
        }
    }
    return APO_OK;
}

static double *dup_doubles(const double *v, size_t n)
{
    size_t bytes;
    if (!apo_mul_size(n, sizeof(double), &bytes) || n == 0) {
        return NULL;
    }
    double *d = malloc(bytes);
    if (d != NULL) {
        memcpy(d, v, bytes);
    }
    return d;
}

static apo_status finish(gate_strategy *s, apo_status st)
{
    if (st != APO_OK) {
        gs_drop_last_gate(s);
    }
    return st;
}

apo_status gate_strategy_add_rectangle(gate_strategy *s, const char *id, const char *parent_id,
                                       size_t n_dims, const gate_dim *dims, const double *min,
                                       const double *max, apo_error *err)
{
    if (n_dims == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                             "expected at least 1 dimension, found 0");
    }
    for (size_t i = 0; i < n_dims; i++) {
        double lo = isnan(min[i]) ? -INFINITY : min[i];
        double hi = isnan(max[i]) ? INFINITY : max[i];
        if (lo == INFINITY || hi == -INFINITY) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                                 "expected usable bounds in dimension %zu, found min %g max %g",
                                 i + 1, lo, hi);
        }
    }
    gs_gate *g;
    apo_status st = gs_append_gate(s, GATE_RECTANGLE, id, parent_id, &g, err);
    if (st != APO_OK) {
        return st;
    }
    st = set_dims(g, n_dims, dims, err);
    if (st == APO_OK) {
        g->min = malloc(n_dims * sizeof(double));
        g->max = malloc(n_dims * sizeof(double));
        if (g->min == NULL || g->max == NULL) {
            st = nomem(err);
        } else {
            for (size_t i = 0; i < n_dims; i++) {
                g->min[i] = isnan(min[i]) ? -INFINITY : min[i];
                g->max[i] = isnan(max[i]) ? INFINITY : max[i];
            }
        }
    }
    return finish(s, st);
}

apo_status gate_strategy_add_polygon(gate_strategy *s, const char *id, const char *parent_id,
                                     const gate_dim *dims, size_t n_vertices, const double *xy,
                                     apo_error *err)
{
    if (n_vertices < 3) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                             "expected a polygon with at least 3 vertices, found %zu",
                             n_vertices);
    }
    for (size_t i = 0; i < 2 * n_vertices; i++) {
        if (!isfinite(xy[i])) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                                 "expected finite vertex coordinates, found %g at vertex %zu",
                                 xy[i], i / 2 + 1);
        }
    }
    gs_gate *g;
    apo_status st = gs_append_gate(s, GATE_POLYGON, id, parent_id, &g, err);
    if (st != APO_OK) {
        return st;
    }
    st = set_dims(g, 2, dims, err);
    if (st == APO_OK) {
        g->vertices = dup_doubles(xy, 2 * n_vertices);
        g->n_vertices = n_vertices;
        if (g->vertices == NULL) {
            st = nomem(err);
        }
    }
    return finish(s, st);
}

apo_status gate_strategy_add_ellipsoid(gate_strategy *s, const char *id, const char *parent_id,
                                       size_t n_dims, const gate_dim *dims, const double *mean,
                                       const double *covariance, double distance_square,
                                       apo_error *err)
{
    if (n_dims < 2 || n_dims > 64) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                             "expected an ellipsoid with 2 to 64 dimensions, found %zu", n_dims);
    }
    if (!isfinite(distance_square) || distance_square <= 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                             "expected a positive distanceSquare, found %g", distance_square);
    }
    for (size_t i = 0; i < n_dims * n_dims; i++) {
        if (!isfinite(covariance[i]) || (i < n_dims && !isfinite(mean[i]))) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                                 "expected a finite mean and covariance, found a non-finite "
                                 "value");
        }
    }
    double *inv = malloc(n_dims * n_dims * sizeof(double));
    if (inv == NULL) {
        return nomem(err);
    }
    apo_status st = gs_invert(n_dims, covariance, inv, id, err);
    free(inv);
    if (st != APO_OK) {
        return st;
    }
    gs_gate *g;
    st = gs_append_gate(s, GATE_ELLIPSOID, id, parent_id, &g, err);
    if (st != APO_OK) {
        return st;
    }
    st = set_dims(g, n_dims, dims, err);
    if (st == APO_OK) {
        g->mean = dup_doubles(mean, n_dims);
        g->cov = dup_doubles(covariance, n_dims * n_dims);
        g->dist2 = distance_square;
        if (g->mean == NULL || g->cov == NULL) {
            st = nomem(err);
        }
    }
    return finish(s, st);
}

apo_status gate_strategy_add_quadrant_gate(gate_strategy *s, const char *id,
                                           const char *parent_id, apo_error *err)
{
    gs_gate *g;
    return gs_append_gate(s, GATE_QUADRANT_GATE, id, parent_id, &g, err);
}

static gs_gate *find_quadrant_gate(gate_strategy *s, const char *gate_id, size_t *index,
                                   apo_error *err)
{
    size_t i = gate_strategy_find(s, gate_id);
    if (i == SIZE_MAX || s->gates[i].kind != GATE_QUADRANT_GATE) {
        apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                      "expected the id of a QuadrantGate, found \"%s\"",
                      gate_id ? gate_id : "(null)");
        return NULL;
    }
    *index = i;
    return &s->gates[i];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

apo_status gate_strategy_add_divider(gate_strategy *s, const char *gate_id,
                                     const char *divider_id, const gate_dim *dim,
                                     size_t n_values, const double *values, apo_error *err)
{
    size_t gi;
    gs_gate *g = find_quadrant_gate(s, gate_id, &gi, err);
    if (g == NULL) {
        return APO_E_USAGE;
    }
    if (divider_id == NULL || divider_id[0] == '\0' || n_values == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, gate_id,
                             "expected a divider id and at least 1 value, found %s",
                             n_values == 0 ? "no value" : "no id");
    }
    for (size_t i = 0; i < n_values; i++) {
        if (!isfinite(values[i])) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, divider_id,
                                 "expected finite divider values, found %g", values[i]);
        }
    }
    apo_status st = check_dim(dim, divider_id, err);
    if (st != APO_OK) {
        return st;
    }
    for (size_t i = 0; i < g->n_dividers; i++) {
        if (strcmp(g->dividers[i].id, divider_id) == 0) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, gate_id,
                                 "expected unique divider ids, found \"%s\" twice", divider_id);
        }
    }
    for (size_t q = gi + 1; q < s->n_gates; q++) {
        if (s->gates[q].kind == GATE_QUADRANT && s->gates[q].quadrant_gate == gi) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, gate_id,
                                 "expected dividers before quadrants, found divider \"%s\" "
                                 "after quadrant \"%s\"",
                                 divider_id, s->gates[q].id);
        }
    }
    gate_divider *nd = realloc(g->dividers, (g->n_dividers + 1) * sizeof(*nd));
    if (nd == NULL) {
        return nomem(err);
    }
    g->dividers = nd;
    gate_divider *d = &nd[g->n_dividers];
    memset(d, 0, sizeof(*d));
    bool ok = true;
    d->id = gs_strdup(divider_id, &ok);
    double *v = dup_doubles(values, n_values);
    d->values = v;
    d->n_values = n_values;
    ok = ok && copy_dim(&d->dim, dim) && v != NULL;
    g->n_dividers++;
    if (!ok) {
        return nomem(err); /* the partial divider is freed with the strategy */
    }
    qsort(v, n_values, sizeof(double), cmp_double);
    return APO_OK;
}

apo_status gate_strategy_add_quadrant(gate_strategy *s, const char *gate_id,
                                      const char *quadrant_id, size_t n_positions,
                                      const char *const *divider_ids, const double *locations,
                                      apo_error *err)
{
    size_t gi;
    gs_gate *qg = find_quadrant_gate(s, gate_id, &gi, err);
    if (qg == NULL) {
        return APO_E_USAGE;
    }
    if (n_positions == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, quadrant_id,
                             "expected at least 1 position, found 0");
    }
    size_t *idx = calloc(n_positions, sizeof(size_t));
    if (idx == NULL) {
        return nomem(err);
    }
    for (size_t k = 0; k < n_positions; k++) {
        idx[k] = SIZE_MAX;
        for (size_t i = 0; i < qg->n_dividers; i++) {
            if (divider_ids[k] != NULL && strcmp(qg->dividers[i].id, divider_ids[k]) == 0) {
                idx[k] = i;
            }
        }
        for (size_t j = 0; j < k && idx[k] != SIZE_MAX; j++) {
            if (idx[j] == idx[k]) {
                idx[k] = SIZE_MAX - 1;
            }
        }
        if (idx[k] >= SIZE_MAX - 1 || !isfinite(locations[k])) {
            free(idx);
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, quadrant_id,
                                 "expected a position on a divider of \"%s\" (once each, finite "
                                 "location), found \"%s\"",
                                 gate_id, divider_ids[k] ? divider_ids[k] : "(null)");
        }
    }
    gs_gate *g;
    apo_status st = gs_append_gate(s, GATE_QUADRANT, quadrant_id, NULL, &g, err);
    if (st != APO_OK) {
        free(idx);
        return st;
    }
    qg = &s->gates[gi]; /* the array may have moved */
    g->quadrant_gate = gi;
    g->div_index = idx;
    g->locations = dup_doubles(locations, n_positions);
    g->dims = calloc(n_positions, sizeof(*g->dims));
    g->min = malloc(n_positions * sizeof(double));
    g->max = malloc(n_positions * sizeof(double));
    if (g->locations == NULL || g->dims == NULL || g->min == NULL || g->max == NULL) {
        return finish(s, nomem(err));
    }
    g->n_dims = n_positions;
    for (size_t k = 0; k < n_positions; k++) {
        const gate_divider *d = &qg->dividers[idx[k]];
        double lo = -INFINITY, hi = INFINITY;
        for (size_t v = 0; v < d->n_values; v++) {
            if (d->values[v] <= locations[k]) {
                lo = d->values[v];
            } else if (hi == INFINITY) {
                hi = d->values[v];
            }
        }
        g->min[k] = lo;
        g->max[k] = hi;
        if (!copy_dim(&g->dims[k], &d->dim)) {
            return finish(s, nomem(err));
        }
    }
    return APO_OK;
}

apo_status gate_strategy_add_quadrants_2d(gate_strategy *s, const char *id,
                                          const char *parent_id, const gate_dim *dims,
                                          double x_threshold, double y_threshold,
                                          const char *const *quadrant_ids, apo_error *err)
{
    if (!isfinite(x_threshold) || !isfinite(y_threshold)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                             "expected finite thresholds, found %g, %g", x_threshold,
                             y_threshold);
    }
    size_t first = s->n_gates;
    apo_status st = gate_strategy_add_quadrant_gate(s, id, parent_id, err);
    size_t len = strlen(id) + 3;
    char *dx = malloc(len), *dy = malloc(len);
    if (st == APO_OK && (dx == NULL || dy == NULL)) {
        st = nomem(err);
    }
    if (st == APO_OK) {
        snprintf(dx, len, "%s_x", id);
        snprintf(dy, len, "%s_y", id);
        st = gate_strategy_add_divider(s, id, dx, &dims[0], 1, &x_threshold, err);
    }
    if (st == APO_OK) {
        st = gate_strategy_add_divider(s, id, dy, &dims[1], 1, &y_threshold, err);
    }
    /* Locations one unit away from the threshold identify the side. */
    double xl = x_threshold - 1.0, xh = x_threshold + 1.0;
    double yl = y_threshold - 1.0, yh = y_threshold + 1.0;
    if (xl == x_threshold || xh == x_threshold || yl == y_threshold || yh == y_threshold) {
        xl = x_threshold - fabs(x_threshold);
        xh = x_threshold + fabs(x_threshold);
        yl = y_threshold - fabs(y_threshold);
        yh = y_threshold + fabs(y_threshold);
    }
    const double loc[4][2] = {{xl, yl}, {xh, yl}, {xh, yh}, {xl, yh}};
    const char *const div_ids[2] = {dx, dy};
    for (int q = 0; q < 4 && st == APO_OK; q++) {
        st = gate_strategy_add_quadrant(s, id, quadrant_ids[q], 2, div_ids, loc[q], err);
    }
    free(dx);
    free(dy);
    if (st != APO_OK) {
        while (s->n_gates > first) {
            gs_drop_last_gate(s);
        }
    }
    return st;
}

apo_status gate_strategy_add_boolean(gate_strategy *s, const char *id, const char *parent_id,
                                     gate_bool_op op, size_t n_operands,
                                     const char *const *operand_ids, const bool *complement,
                                     apo_error *err)
{
    if ((op == GATE_BOOL_NOT && n_operands != 1) || (op != GATE_BOOL_NOT && n_operands < 2) ||
        (op != GATE_BOOL_AND && op != GATE_BOOL_OR && op != GATE_BOOL_NOT)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                             "expected %s, found %zu operands",
                             op == GATE_BOOL_NOT ? "exactly 1 operand for not"
                                                 : "at least 2 operands for and/or",
                             n_operands);
    }
    for (size_t i = 0; i < n_operands; i++) {
        if (operand_ids[i] == NULL || operand_ids[i][0] == '\0') {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                                 "expected a gate reference, found an empty one");
        }
    }
    gs_gate *g;
    apo_status st = gs_append_gate(s, GATE_BOOLEAN, id, parent_id, &g, err);
    if (st != APO_OK) {
        return st;
    }
    g->op = op;
    g->operands = calloc(n_operands, sizeof(char *));
    g->complement = calloc(n_operands, sizeof(bool));
    if (g->operands == NULL || g->complement == NULL) {
        return finish(s, nomem(err));
    }
    g->n_operands = n_operands;
    bool ok = true;
    for (size_t i = 0; i < n_operands; i++) {
        g->operands[i] = gs_strdup(operand_ids[i], &ok);
        g->complement[i] = complement != NULL && complement[i];
    }
    return finish(s, ok ? APO_OK : nomem(err));
}
