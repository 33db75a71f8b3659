/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wsp_quadrant.c: a FlowJo sample's gating as the whole gating of the Annexin V / PI analysis
 * (`apoflow run --gating WORKSPACE.wsp`): the sample's gates are copied unchanged and its
 * quadrant (FlowJo saves one as four open rectangles under one population) becomes a
 * Gating-ML QuadrantGate "quadrants" with the quadrant ids the analysis reads: viable (x-, y-),
 * early_apoptotic (x+, y-), late_apoptotic (x+, y+), necrotic (x-, y+), x being the
 * quadrant's first dimension (Annexin V) and y its second (PI or the dead-cell dye).
 */
#include "gating/flowjo.h"
#include "gating/gates_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One quadrant found: its parent population (gate index, SIZE_MAX = top level), its two
 * dimensions and thresholds. */
typedef struct wsp_quad {
    size_t parent;
    size_t first; /* one of the four rectangles (for its dimensions) */
    double tx, ty;
} wsp_quad;

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool same_dim(const gate_dim *a, const gate_dim *b)
{
    return same_str(a->name, b->name) && same_str(a->comp_ref, b->comp_ref) &&
           same_str(a->transform_ref, b->transform_ref) && same_str(a->ratio_ref, b->ratio_ref);
}

/* The side of a rectangle on dimension @p d: '-' (only a max), '+' (only a min), else 0. */
static char side(const gate_info *gi, size_t d, double *t)
{
    bool lo = isfinite(gi->min[d]), hi = isfinite(gi->max[d]);
    if (lo && !hi) {
        *t = gi->min[d];
        return '+';
    }
    if (hi && !lo) {
        *t = gi->max[d];
        return '-';
    }
    return 0;
}

/* Four sibling rectangles under @p parent forming a quadrant, starting from rectangle @p r. */
static bool quadrant_from(const gate_strategy *s, size_t r, wsp_quad *q)
{
    gate_info a;
    gate_strategy_gate(s, r, &a);
    double tx = NAN, ty = NAN;
    if (a.kind != GATE_RECTANGLE || a.n_dims != 2 || side(&a, 0, &tx) == 0 ||
        side(&a, 1, &ty) == 0) {
        return false;
    }
    size_t parent = gate_strategy_parent(s, r);
    unsigned seen = 0; /* bit per corner: x- y-, x+ y-, x+ y+, x- y+ */
    for (size_t g = 0; g < gate_strategy_n_gates(s); g++) {
        gate_info b;
        gate_strategy_gate(s, g, &b);
        double bx = NAN, by = NAN;
        if (b.kind != GATE_RECTANGLE || b.n_dims != 2 || gate_strategy_parent(s, g) != parent ||
            !same_dim(&a.dims[0], &b.dims[0]) || !same_dim(&a.dims[1], &b.dims[1])) {
            continue;
        }
        char sx = side(&b, 0, &bx), sy = side(&b, 1, &by);
        if (sx == 0 || sy == 0 || bx != tx || by != ty) {
            continue;
        }
        seen |= 1u << (sx == '-' ? (sy == '-' ? 0 : 3) : (sy == '-' ? 1 : 2));
    }
    if (seen != 15u) {
        return false;
    }
    *q = (wsp_quad){parent, r, tx, ty};
    return true;
}

/* Every quadrant of the sample, one per (parent, dimensions, thresholds). */
static size_t find_quadrants(const gate_strategy *s, wsp_quad *out, size_t cap)
{
    size_t n = 0;
    for (size_t g = 0; g < gate_strategy_n_gates(s); g++) {
        wsp_quad q;
        if (!quadrant_from(s, g, &q)) {
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++) {
            gate_info a, b;
            gate_strategy_gate(s, out[k].first, &a);
            gate_strategy_gate(s, g, &b);
            dup = out[k].parent == q.parent && out[k].tx == q.tx && out[k].ty == q.ty &&
                  same_dim(&a.dims[0], &b.dims[0]) && same_dim(&a.dims[1], &b.dims[1]);
        }
        if (!dup && n < cap) {
            out[n++] = q;
        }
    }
    return n;
}

/* A copy of @p s: transforms, matrices, ratios and gates (no quadrant gates: FlowJo has none). */
static apo_status copy_strategy(const gate_strategy *s, gate_strategy **out, apo_error *err)
{
    gate_strategy *c = NULL;
    apo_status st = gate_strategy_new(&c, err);
    for (size_t i = 0; st == APO_OK && i < s->n_transforms; i++) {
        st = gate_strategy_add_transform(c, s->transforms[i].id, &s->transforms[i].t, err);
    }
    for (size_t i = 0; st == APO_OK && i < s->n_spills; i++) {
        const gs_spill *m = &s->spills[i];
        st = gate_strategy_add_spillover(c, m->id, m->n, (const char *const *)m->fluoro, m->n,
                                         (const char *const *)m->detectors, m->values, m->inverted,
                                         err);
    }
    for (size_t i = 0; st == APO_OK && i < s->n_ratios; i++) {
        const gs_ratio *r = &s->ratios[i];
        st = gate_strategy_add_ratio(c, r->id, r->x1, r->x2, r->A, r->B, r->C, err);
    }
    for (size_t g = 0; st == APO_OK && g < s->n_gates; g++) {
        gate_info gi;
        gate_strategy_gate(s, g, &gi);
        switch (gi.kind) {
        case GATE_RECTANGLE:
            st = gate_strategy_add_rectangle(c, gi.id, gi.parent_id, gi.n_dims, gi.dims, gi.min,
                                             gi.max, err);
            break;
        case GATE_POLYGON:
            st = gate_strategy_add_polygon(c, gi.id, gi.parent_id, gi.dims, gi.n_vertices,
                                           gi.vertices, err);
            break;
        case GATE_ELLIPSOID:
            st = gate_strategy_add_ellipsoid(c, gi.id, gi.parent_id, gi.n_dims, gi.dims, gi.mean,
                                             gi.covariance, gi.distance_square, err);
            break;
        case GATE_BOOLEAN:
            st = gate_strategy_add_boolean(c, gi.id, gi.parent_id, gi.op, gi.n_operands,
                                           gi.operands, gi.complement, err);
            break;
        default:
            st = apo_error_set(err, APO_E_UNSUPPORTED, NULL, APO_NO_OFFSET, gi.id,
                               "expected FlowJo gates, found a quadrant gate");
            break;
        }
    }
    if (st != APO_OK) {
        gate_strategy_free(c);
        return st;
    }
    *out = c;
    return APO_OK;
}

/* The quadrant @p population names: the population holding it, or one of its rectangles. */
static apo_status pick_named(const gate_strategy *s, const wsp_quad *q, size_t n,
                             const char *population, size_t *pick, apo_error *err)
{
    size_t g = gate_strategy_find(s, population);
    if (g == SIZE_MAX) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "--population",
                             "expected a population path of the workspace's sample, found "
                             "\"%s\"",
                             population);
    }
    for (size_t k = 0; k < n; k++) {
        wsp_quad t;
        if (q[k].parent == g || (quadrant_from(s, g, &t) && t.parent == q[k].parent)) {
            *pick = k;
            return APO_OK;
        }
    }
    return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "--population",
                         "expected %s to hold (or be part of) a quadrant of four open "
                         "rectangles, found none",
                         population);
}

apo_status flowjo_sample_run_gating(const flowjo_sample *smp, const char *population,
                                    gate_strategy **out, char *chosen, size_t cap,
                                    apo_error *err)
{
    *out = NULL;
    const gate_strategy *s = smp->strategy;
    wsp_quad q[16];
    size_t n = find_quadrants(s, q, 16);
    size_t pick = 0;
    apo_status st = APO_OK;
    if (population != NULL) {
        st = pick_named(s, q, n, population, &pick, err);
    } else if (n != 1) {
        char list[600] = "";
        for (size_t k = 0; k < n; k++) {
            gate_info pi;
            gate_strategy_gate(s, q[k].parent, &pi);
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s\"%s\"", k ? ", " : "",
                     q[k].parent == SIZE_MAX ? "(top level)" : pi.id);
        }
        st = apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, smp->name,
                           "expected one quadrant (four open rectangles under one population), "
                           "found %zu%s%s; name one with --population PATH",
                           n, n ? ": under " : "", list);
    }
    if (st != APO_OK) {
        return st;
    }
    gate_info first, parent;
    gate_strategy_gate(s, q[pick].first, &first);
    gate_strategy_gate(s, q[pick].parent, &parent);
    gate_strategy *c = NULL;
    st = copy_strategy(s, &c, err);
    if (st == APO_OK) {
        static const char *const ids[4] = {"viable", "early_apoptotic", "late_apoptotic",
                                           "necrotic"};
        st = gate_strategy_add_quadrants_2d(c, "quadrants",
                                            q[pick].parent == SIZE_MAX ? NULL : parent.id,
                                            first.dims, q[pick].tx, q[pick].ty, ids, err);
    }
    if (st != APO_OK) {
        gate_strategy_free(c);
        return st;
    }
    snprintf(chosen, cap, "%s", q[pick].parent == SIZE_MAX ? "" : parent.id);
    *out = c;
    return APO_OK;
}
