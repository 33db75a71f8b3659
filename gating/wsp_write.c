/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wsp_write.c: writing gate_strategy objects as a FlowJo 10 workspace, in the structure of
 * the workspaces FlowJo itself saves: Workspace / Groups (one "All Samples" group) /
 * SampleList / Sample (DataSet uri, its spilloverMatrix, Transformations, Keywords, SampleNode
 * with nested Population, AndNode, OrNode and NotNode elements). Coordinates are written as
 * FlowJo keeps them: rectangle and polygon points as data values (the dimension's transform
 * inverted), ellipses as foci and edge points in 0..256 display units. Every parameter a gate
 * uses gets an explicit transform (linear 0..262144 when the strategy has none) so that FlowJo
 * draws and gates in the same space apoflow does. Written atomically.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "gating/flowjo.h"
#include "gating/gates_internal.h"

#include "gating/xml_internal.h"

#include <libxml/xmlwriter.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FJ_LINEAR_TOP 262144.0 /* the linear transform written for untransformed parameters */

typedef struct wctx {
    gate_xml_out xo; /* the writer and its failure flag */
    apo_error *err;
    const gate_strategy *s;
    const gate_comp *fcs_comp;
    const uint64_t *counts;
    const gs_spill *spill; /* the one named matrix the gates use, or NULL */
    bool uses_fcs;         /* some dimension uses comp_ref FCS */
} wctx;

static apo_status unsupported(wctx *c, const char *id, const char *what)
{
    return apo_error_set(c->err, APO_E_UNSUPPORTED, NULL, APO_NO_OFFSET, id,
                         "expected gates FlowJo can hold, found %s", what);
}

/* ---- dimensions: FlowJo parameter names and transforms ---------------------------------- */

static bool is_fcs_comp(const char *ref)
{
    return ref != NULL && strcmp(ref, GATE_COMP_FCS) == 0;
}

/* FlowJo's name of a dimension's parameter: "Comp-<detector>" when compensated. */
static apo_status param_name(wctx *c, const gate_dim *d, const char *id, char *buf, size_t cap)
{
    if (d->ratio_ref != NULL || d->name == NULL) {
        return unsupported(c, id, "a ratio dimension");
    }
    if (gs_comp_is_none(d->comp_ref)) {
        snprintf(buf, cap, "%s", d->name);
        return APO_OK;
    }
    if (is_fcs_comp(d->comp_ref)) {
        snprintf(buf, cap, "Comp-%s", d->name);
        return APO_OK;
    }
    const gs_spill *m = gs_find_spill(c->s, d->comp_ref);
    for (size_t i = 0; m != NULL && i < m->n; i++) {
        if (strcmp(m->fluoro[i], d->name) == 0) {
            snprintf(buf, cap, "Comp-%s", m->detectors[i]);
            return APO_OK;
        }
    }
    return unsupported(c, id, "a dimension whose matrix or fluorochrome is unknown");
}

static const gate_transform *dim_transform(const wctx *c, const gate_dim *d)
{
    return d->transform_ref ? gate_strategy_transform(c->s, d->transform_ref) : NULL;
}

/* A data value from a value in the dimension's gating space. */
static double to_data(const wctx *c, const gate_dim *d, double v)
{
    const gate_transform *t = dim_transform(c, d);
    return (t != NULL && isfinite(v)) ? gate_transform_inverse(t, v) : v;
}

/* Display units per gating-space unit: 256 for 0..1 scales, 256 / 262144 for data values. */
static bool display_scale(const wctx *c, const gate_dim *d, double *out)
{
    const gate_transform *t = dim_transform(c, d);
    if (t == NULL || t->kind == GATE_TRANSFORM_LINEAR) {
        *out = 256.0 / FJ_LINEAR_TOP;
        return true;
    }
    switch (t->kind) {
    case GATE_TRANSFORM_FLIN:
    case GATE_TRANSFORM_FLOG:
    case GATE_TRANSFORM_FASINH:
    case GATE_TRANSFORM_LOGICLE:
    case GATE_TRANSFORM_HYPERLOG:
    case GATE_TRANSFORM_BIEX:
        *out = 256.0;
        return true;
    default:
        return false;
    }
}

/* FlowJo's transform element for @p t on parameter @p param. */
static apo_status write_transform(wctx *c, const char *param, const gate_transform *t)
{
    gate_transform lin;
    if (t == NULL || t->kind == GATE_TRANSFORM_LINEAR) {
        gate_transform_init_linear(&lin);
        lin.kind = GATE_TRANSFORM_FLIN; /* linear over 0..262144 */
        lin.T = FJ_LINEAR_TOP;
        t = &lin;
    }
    switch (t->kind) {
    case GATE_TRANSFORM_FLIN:
        gate_xml_start(&c->xo, "transforms:linear");
        gate_xml_attr_num(&c->xo, "transforms:minRange", -t->A);
        gate_xml_attr_num(&c->xo, "transforms:maxRange", t->T);
        gate_xml_attr(&c->xo, "gain", "1");
        break;
    case GATE_TRANSFORM_FLOG:
        gate_xml_start(&c->xo, "transforms:log");
        gate_xml_attr_num(&c->xo, "transforms:offset", t->T / pow(10.0, t->M));
        gate_xml_attr_num(&c->xo, "transforms:decades", t->M);
        break;
    case GATE_TRANSFORM_LOGICLE:
    case GATE_TRANSFORM_HYPERLOG:
        gate_xml_start(&c->xo, t->kind == GATE_TRANSFORM_LOGICLE ? "transforms:logicle" : "transforms:hyperlog");
        gate_xml_attr(&c->xo, "transforms:length", "256");
        gate_xml_attr_num(&c->xo, "transforms:T", t->T);
        gate_xml_attr_num(&c->xo, "transforms:A", t->A);
        gate_xml_attr_num(&c->xo, "transforms:W", t->W);
        gate_xml_attr_num(&c->xo, "transforms:M", t->M);
        break;
    case GATE_TRANSFORM_FASINH:
        gate_xml_start(&c->xo, "transforms:fasinh");
        gate_xml_attr(&c->xo, "transforms:length", "256");
        gate_xml_attr_num(&c->xo, "transforms:maxRange", t->T);
        gate_xml_attr_num(&c->xo, "transforms:T", t->T);
        gate_xml_attr_num(&c->xo, "transforms:A", t->A);
        gate_xml_attr_num(&c->xo, "transforms:M", t->M);
        break;
    case GATE_TRANSFORM_BIEX:
        gate_xml_start(&c->xo, "transforms:biex");
        gate_xml_attr(&c->xo, "transforms:length", "256");
        gate_xml_attr_num(&c->xo, "transforms:maxRange", t->T);
        gate_xml_attr_num(&c->xo, "transforms:neg", t->A);
        gate_xml_attr_num(&c->xo, "transforms:width", t->W);
        gate_xml_attr_num(&c->xo, "transforms:pos", t->M);
        break;
    default:
        return unsupported(c, param, "a transform FlowJo has no form for (asinh with a "
                                     "cofactor, log10 or bounds)");
    }
    if (t->has_bounds) {
        return unsupported(c, param, "a transform with boundMin/boundMax");
    }
    gate_xml_start(&c->xo, "data-type:parameter");
    gate_xml_attr(&c->xo, "data-type:name", param);
    gate_xml_end(&c->xo);
    gate_xml_end(&c->xo);
    return APO_OK;
}

/* One transform per parameter the gates use (FlowJo keys transforms by parameter name). */
static apo_status write_transforms(wctx *c)
{
    size_t ng = gate_strategy_n_gates(c->s);
    char(*seen)[256] = calloc(4 * ng + 1, sizeof *seen);
    const gate_transform **seen_t = calloc(4 * ng + 1, sizeof *seen_t);
    size_t n_seen = 0;
    apo_status st = (seen && seen_t) ? APO_OK
                                     : apo_error_set(c->err, APO_E_NOMEM, NULL, APO_NO_OFFSET,
                                                     NULL, "expected memory, found none");
    gate_xml_start(&c->xo, "Transformations");
    for (size_t g = 0; g < ng && st == APO_OK; g++) {
        gate_info gi;
        gate_strategy_gate(c->s, g, &gi);
        for (size_t d = 0; d < gi.n_dims && st == APO_OK && gi.kind != GATE_QUADRANT; d++) {
            char name[256];
            st = param_name(c, &gi.dims[d], gi.id, name, sizeof name);
            const gate_transform *t = dim_transform(c, &gi.dims[d]);
            size_t k = 0;
            while (st == APO_OK && k < n_seen && strcmp(seen[k], name) != 0) {
                k++;
            }
            if (st == APO_OK && k < n_seen && seen_t[k] != t &&
                (seen_t[k] == NULL || t == NULL || memcmp(seen_t[k], t, sizeof *t) != 0)) {
                st = unsupported(c, gi.id, "two transforms on one parameter");
            } else if (st == APO_OK && k == n_seen && n_seen < 4 * ng) {
                snprintf(seen[n_seen], sizeof seen[n_seen], "%s", name);
                seen_t[n_seen++] = t;
                st = write_transform(c, name, t);
            }
        }
        for (size_t d = 0; d < gi.n_dividers && st == APO_OK; d++) {
            char name[256];
            st = param_name(c, &gi.dividers[d].dim, gi.id, name, sizeof name);
            const gate_transform *t = dim_transform(c, &gi.dividers[d].dim);
            size_t k = 0;
            while (st == APO_OK && k < n_seen && strcmp(seen[k], name) != 0) {
                k++;
            }
            if (st == APO_OK && k == n_seen && n_seen < 4 * ng) {
                snprintf(seen[n_seen], sizeof seen[n_seen], "%s", name);
                seen_t[n_seen++] = t;
                st = write_transform(c, name, t);
            }
        }
    }
    gate_xml_end(&c->xo);
    free(seen);
    free(seen_t);
    return st;
}

/* ---- compensation ------------------------------------------------------------------------ */

/* Which matrix the gates use: at most one (FlowJo: one per sample). */
static apo_status find_matrix(wctx *c)
{
    for (size_t g = 0; g < gate_strategy_n_gates(c->s); g++) {
        gate_info gi;
        gate_strategy_gate(c->s, g, &gi);
        for (size_t d = 0; d < gi.n_dims + gi.n_dividers; d++) {
            const gate_dim *dm = d < gi.n_dims ? &gi.dims[d] : &gi.dividers[d - gi.n_dims].dim;
            if (gi.kind == GATE_QUADRANT || gs_comp_is_none(dm->comp_ref)) {
                continue;
            }
            if (is_fcs_comp(dm->comp_ref)) {
                c->uses_fcs = true;
            } else if (c->spill == NULL) {
                c->spill = gs_find_spill(c->s, dm->comp_ref);
            } else if (strcmp(c->spill->id, dm->comp_ref) != 0) {
                return unsupported(c, gi.id, "two compensation matrices in one sample");
            }
        }
    }
    if (c->uses_fcs && c->spill != NULL) {
        return unsupported(c, c->spill->id, "the file's matrix and a named one in one sample");
    }
    if (c->spill != NULL && c->spill->inverted) {
        return unsupported(c, c->spill->id, "a matrix given as its inverse");
    }
    if (c->uses_fcs && c->fcs_comp == NULL) {
        return apo_error_set(c->err, APO_E_USAGE, NULL, APO_NO_OFFSET, GATE_COMP_FCS,
                             "expected the file's spillover matrix for compensation-ref FCS, "
                             "found none (give the FCS file)");
    }
    return APO_OK;
}

static void write_matrix(wctx *c, const char *name, size_t n, char *const *det,
                         const double *values)
{
    char buf[300];
    gate_xml_start(&c->xo, "transforms:spilloverMatrix");
    gate_xml_attr(&c->xo, "spectral", "0");
    gate_xml_attr(&c->xo, "prefix", "Comp-");
    gate_xml_attr(&c->xo, "name", name);
    gate_xml_attr(&c->xo, "editable", "1");
    gate_xml_attr(&c->xo, "color", "#c0c0c0");
    gate_xml_attr(&c->xo, "version", "FlowJo-10.6.2");
    gate_xml_attr(&c->xo, "status", "FINALIZED");
    gate_xml_attr(&c->xo, "transforms:id", name);
    gate_xml_attr(&c->xo, "suffix", "");
    gate_xml_start(&c->xo, "data-type:parameters");
    for (size_t i = 0; i < n; i++) {
        gate_xml_start(&c->xo, "data-type:parameter");
        gate_xml_attr(&c->xo, "data-type:name", det[i]);
        snprintf(buf, sizeof buf, "Comp-%s", det[i]);
        gate_xml_attr(&c->xo, "userProvidedCompInfix", buf);
        gate_xml_end(&c->xo);
    }
    gate_xml_end(&c->xo);
    for (size_t i = 0; i < n; i++) {
        gate_xml_start(&c->xo, "transforms:spillover");
        gate_xml_attr(&c->xo, "data-type:parameter", det[i]);
        snprintf(buf, sizeof buf, "Comp-%s", det[i]);
        gate_xml_attr(&c->xo, "userProvidedCompInfix", buf);
        for (size_t j = 0; j < n; j++) {
            gate_xml_start(&c->xo, "transforms:coefficient");
            gate_xml_attr(&c->xo, "data-type:parameter", det[j]);
            gate_xml_attr_num(&c->xo, "transforms:value", values[i * n + j]);
            gate_xml_end(&c->xo);
        }
        gate_xml_end(&c->xo);
    }
    gate_xml_end(&c->xo);
}

static void write_sample_matrix(wctx *c)
{
    if (c->spill != NULL) {
        write_matrix(c, c->spill->id, c->spill->n, c->spill->detectors, c->spill->values);
    } else if (c->uses_fcs) {
        write_matrix(c, "Acquisition-defined", c->fcs_comp->n, c->fcs_comp->detectors,
                     c->fcs_comp->spill);
    }
}

/* ---- gates ------------------------------------------------------------------------------- */

/* FlowJo's name of population @p g: its id, less its parent's id and '/' when it starts so
 * (ids read from a workspace are FlowJo paths). */
static const char *pop_name(const wctx *c, size_t g)
{
    gate_info gi;
    gate_strategy_gate(c->s, g, &gi);
    size_t p = gate_strategy_parent(c->s, g);
    if (p == SIZE_MAX) {
        return gi.id;
    }
    gate_info pi;
    gate_strategy_gate(c->s, p, &pi);
    size_t lp = strlen(pi.id);
    if (strncmp(gi.id, pi.id, lp) == 0 && gi.id[lp] == '/' && gi.id[lp + 1] != '\0') {
        return gi.id + lp + 1;
    }
    return gi.id;
}

/* The FlowJo path of population @p g into @p buf. */
static void pop_path(const wctx *c, size_t g, char *buf, size_t cap)
{
    size_t chain[FLOWJO_MAX_DEPTH + 1];
    size_t k = 0;
    for (size_t x = g; x != SIZE_MAX && k <= FLOWJO_MAX_DEPTH; x = gate_strategy_parent(c->s, x)) {
        chain[k++] = x;
    }
    buf[0] = '\0';
    for (size_t i = k; i-- > 0;) {
        strncat(buf, pop_name(c, chain[i]), cap - strlen(buf) - 1);
        if (i > 0) {
            strncat(buf, "/", cap - strlen(buf) - 1);
        }
    }
}

static void dim_el(wctx *c, const char *param, double lo, double hi)
{
    gate_xml_start(&c->xo, "gating:dimension");
    if (isfinite(lo)) {
        gate_xml_attr_num(&c->xo, "gating:min", lo);
    }
    if (isfinite(hi)) {
        gate_xml_attr_num(&c->xo, "gating:max", hi);
    }
    gate_xml_start(&c->xo, "data-type:fcs-dimension");
    gate_xml_attr(&c->xo, "data-type:name", param);
    gate_xml_end(&c->xo);
    gate_xml_end(&c->xo);
}

static void coord(wctx *c, double v)
{
    gate_xml_start(&c->xo, "gating:coordinate");
    gate_xml_attr_num(&c->xo, "data-type:value", v);
    gate_xml_end(&c->xo);
}

static void point(wctx *c, double x, double y)
{
    gate_xml_start(&c->xo, "gating:vertex");
    coord(c, x);
    coord(c, y);
    gate_xml_end(&c->xo);
}

static void shape_head(wctx *c, const char *el, bool inside)
{
    gate_xml_start(&c->xo, el);
    gate_xml_attr(&c->xo, "eventsInside", inside ? "1" : "0");
    gate_xml_attr(&c->xo, "annoOffsetX", "0");
    gate_xml_attr(&c->xo, "annoOffsetY", "0");
    gate_xml_attr(&c->xo, "tint", "#000000");
    gate_xml_attr(&c->xo, "isTinted", "0");
    gate_xml_attr(&c->xo, "lineWeight", "Normal");
    gate_xml_attr(&c->xo, "userDefined", "1");
}

static apo_status write_rect(wctx *c, const gate_info *gi, bool inside)
{
    shape_head(c, "gating:RectangleGate", inside);
    gate_xml_attr(&c->xo, "percentX", "0");
    gate_xml_attr(&c->xo, "percentY", "0");
    for (size_t d = 0; d < gi->n_dims; d++) {
        char name[256];
        apo_status st = param_name(c, &gi->dims[d], gi->id, name, sizeof name);
        if (st != APO_OK) {
            return st;
        }
        dim_el(c, name, to_data(c, &gi->dims[d], gi->min[d]), to_data(c, &gi->dims[d], gi->max[d]));
    }
    gate_xml_end(&c->xo);
    return APO_OK;
}

static apo_status write_polygon(wctx *c, const gate_info *gi, bool inside)
{
    char nx[256], ny[256];
    apo_status st = param_name(c, &gi->dims[0], gi->id, nx, sizeof nx);
    if (st == APO_OK) {
        st = param_name(c, &gi->dims[1], gi->id, ny, sizeof ny);
    }
    if (st != APO_OK) {
        return st;
    }
    shape_head(c, "gating:PolygonGate", inside);
    gate_xml_attr(&c->xo, "quadId", "-1");
    gate_xml_attr(&c->xo, "gateResolution", "256");
    dim_el(c, nx, NAN, NAN);
    dim_el(c, ny, NAN, NAN);
    for (size_t v = 0; v < gi->n_vertices; v++) {
        point(c, to_data(c, &gi->dims[0], gi->vertices[2 * v]),
              to_data(c, &gi->dims[1], gi->vertices[2 * v + 1]));
    }
    gate_xml_end(&c->xo);
    return APO_OK;
}

/* A 2-D ellipsoid as FlowJo's foci and edge points in display units. */
static apo_status write_ellipse(wctx *c, const gate_info *gi, bool inside)
{
    double sx = 0.0, sy = 0.0;
    char nx[256], ny[256];
    if (gi->n_dims != 2 || !display_scale(c, &gi->dims[0], &sx) ||
        !display_scale(c, &gi->dims[1], &sy)) {
        return unsupported(c, gi->id, "an ellipsoid FlowJo cannot draw (not 2-D, or on a "
                                      "scale without a display range)");
    }
    apo_status st = param_name(c, &gi->dims[0], gi->id, nx, sizeof nx);
    if (st == APO_OK) {
        st = param_name(c, &gi->dims[1], gi->id, ny, sizeof ny);
    }
    if (st != APO_OK) {
        return st;
    }
    const double d2 = gi->distance_square;
    double mx = gi->mean[0] * sx, my = gi->mean[1] * sy;
    double a11 = gi->covariance[0] * sx * sx * d2, a12 = gi->covariance[1] * sx * sy * d2;
    double a22 = gi->covariance[3] * sy * sy * d2;
    double tr = a11 + a22, det = a11 * a22 - a12 * a12;
    double disc = sqrt(fmax(tr * tr / 4.0 - det, 0.0));
    double l1 = tr / 2.0 + disc, l2 = tr / 2.0 - disc;
    if (!(l2 > 0.0) || !isfinite(l1)) {
        return unsupported(c, gi->id, "an ellipsoid whose covariance is not positive definite");
    }
    double ux = 1.0, uy = 0.0;
    if (fabs(a12) > 0.0) {
        ux = l1 - a22;
        uy = a12;
    } else if (a22 > a11) {
        ux = 0.0;
        uy = 1.0;
    }
    double un = hypot(ux, uy);
    ux /= un;
    uy /= un;
    double a = sqrt(l1), b = sqrt(l2), f = sqrt(fmax(l1 - l2, 0.0));
    shape_head(c, "gating:EllipsoidGate", inside);
    gate_xml_attr_num(&c->xo, "gating:distance", 2.0 * a);
    dim_el(c, nx, NAN, NAN);
    dim_el(c, ny, NAN, NAN);
    gate_xml_start(&c->xo, "gating:foci");
    point(c, mx - f * ux, my - f * uy);
    point(c, mx + f * ux, my + f * uy);
    gate_xml_end(&c->xo);
    gate_xml_start(&c->xo, "gating:edge");
    point(c, mx + a * ux, my + a * uy);
    point(c, mx - a * ux, my - a * uy);
    point(c, mx - b * uy, my + b * ux);
    point(c, mx + b * uy, my - b * ux);
    gate_xml_end(&c->xo);
    gate_xml_end(&c->xo);
    return APO_OK;
}

static apo_status write_shape(wctx *c, const gate_info *gi, bool inside)
{
    switch (gi->kind) {
    case GATE_RECTANGLE:
    case GATE_QUADRANT:
        return write_rect(c, gi, inside);
    case GATE_POLYGON:
        return write_polygon(c, gi, inside);
    case GATE_ELLIPSOID:
        return write_ellipse(c, gi, inside);
    default:
        return unsupported(c, gi->id, "a gate kind without a FlowJo shape");
    }
}

/* The shape gate a NOT complements when it is "<id> (inside)" under the same parent (as
 * read from eventsInside="0"), else SIZE_MAX. */
static size_t complement_shape(const wctx *c, size_t g, const gate_info *gi)
{
    if (gi->kind != GATE_BOOLEAN || gi->op != GATE_BOOL_NOT || gi->n_operands != 1) {
        return SIZE_MAX;
    }
    size_t n = strlen(gi->id);
    const char *op = gi->operands[0];
    if (strncmp(op, gi->id, n) != 0 || strcmp(op + n, " (inside)") != 0) {
        return SIZE_MAX;
    }
    size_t k = gate_strategy_find(c->s, op);
    gate_info ki;
    gate_strategy_gate(c->s, k, &ki);
    bool shape = ki.kind == GATE_RECTANGLE || ki.kind == GATE_POLYGON || ki.kind == GATE_ELLIPSOID;
    return (shape && gate_strategy_parent(c->s, k) == gate_strategy_parent(c->s, g)) ? k
                                                                                     : SIZE_MAX;
}

static bool is_hidden(const wctx *c, size_t g)
{
    gate_info gi;
    gate_strategy_gate(c->s, g, &gi);
    size_t n = strlen(gi.id);
    if (n < 9 || strcmp(gi.id + n - 9, " (inside)") != 0) {
        return false;
    }
    char *owner = malloc(n - 8);
    if (owner == NULL) {
        return false;
    }
    memcpy(owner, gi.id, n - 9);
    owner[n - 9] = '\0';
    size_t o = gate_strategy_find(c->s, owner);
    free(owner);
    if (o == SIZE_MAX) {
        return false;
    }
    gate_info oi;
    gate_strategy_gate(c->s, o, &oi);
    return complement_shape(c, o, &oi) == g;
}

static apo_status write_dependents(wctx *c, const gate_info *gi)
{
    gate_xml_start(&c->xo, "Dependents");
    for (size_t k = 0; k < gi->n_operands; k++) {
        if (gi->complement != NULL && gi->complement[k]) {
            return unsupported(c, gi->id, "a boolean gate with a complemented operand");
        }
        size_t o = gate_strategy_find(c->s, gi->operands[k]);
        char path[2048];
        pop_path(c, o, path, sizeof path);
        gate_xml_start(&c->xo, "Dependent");
        gate_xml_attr(&c->xo, "name", path);
        gate_xml_end(&c->xo);
    }
    gate_xml_end(&c->xo);
    return APO_OK;
}

static apo_status write_children(wctx *c, size_t parent, unsigned depth);

static apo_status write_population(wctx *c, size_t g, unsigned depth)
{
    gate_info gi;
    gate_strategy_gate(c->s, g, &gi);
    size_t shape = complement_shape(c, g, &gi);
    static const char *const bool_el[3] = {"AndNode", "OrNode", "NotNode"};
    bool boolean = gi.kind == GATE_BOOLEAN && shape == SIZE_MAX;
    gate_xml_start(&c->xo, boolean ? bool_el[gi.op] : "Population");
    gate_xml_attr(&c->xo, "name", pop_name(c, g));
    gate_xml_attr(&c->xo, "annotation", "");
    gate_xml_attr(&c->xo, "owningGroup", "");
    gate_xml_attr(&c->xo, "expanded", "1");
    gate_xml_attr(&c->xo, "sortPriority", "10");
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", c->counts ? (long long)c->counts[g] : -1LL);
    gate_xml_attr(&c->xo, "count", buf);
    apo_status st = APO_OK;
    if (boolean) {
        st = write_dependents(c, &gi);
    } else {
        gate_xml_start(&c->xo, "Gate");
        snprintf(buf, sizeof buf, "ID%zu", g + 1);
        gate_xml_attr(&c->xo, "gating:id", buf);
        size_t p = gate_strategy_parent(c->s, g);
        if (p != SIZE_MAX) {
            snprintf(buf, sizeof buf, "ID%zu", p + 1);
            gate_xml_attr(&c->xo, "gating:parent_id", buf);
        }
        gate_info si = gi;
        if (shape != SIZE_MAX) {
            gate_strategy_gate(c->s, shape, &si);
        }
        st = write_shape(c, &si, shape == SIZE_MAX);
        gate_xml_end(&c->xo);
    }
    if (st == APO_OK) {
        st = write_children(c, g, depth + 1);
    }
    gate_xml_end(&c->xo);
    return st;
}

static apo_status write_children(wctx *c, size_t parent, unsigned depth)
{
    if (depth > FLOWJO_MAX_DEPTH) {
        return unsupported(c, NULL, "populations nested deeper than FlowJo workspaces allow");
    }
    bool any = false;
    for (size_t g = 0; g < gate_strategy_n_gates(c->s); g++) {
        if (!gate_strategy_is_population(c->s, g) || gate_strategy_parent(c->s, g) != parent ||
            is_hidden(c, g)) {
            continue;
        }
        if (!any) {
            gate_xml_start(&c->xo, "Subpopulations");
            any = true;
        }
        apo_status st = write_population(c, g, depth);
        if (st != APO_OK) {
            return st;
        }
    }
    if (any) {
        gate_xml_end(&c->xo);
    }
    return APO_OK;
}

/* ---- document ---------------------------------------------------------------------------- */

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

/* "file:" uri of @p path made absolute, unsafe bytes %-escaped. */
static void file_uri(const char *path, char *buf, size_t cap)
{
    char abs[PATH_MAX];
    const char *p = realpath(path, abs) ? abs : path;
    size_t o = (size_t)snprintf(buf, cap, "file:");
    for (; *p && o + 4 < cap; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= ' ' || ch >= 0x7f || ch == '%' || ch == '"' || ch == '#' || ch == '?') {
            o += (size_t)snprintf(buf + o, cap - o, "%%%02X", ch);
        } else {
            buf[o++] = (char)ch;
        }
    }
    buf[o < cap ? o : cap - 1] = '\0';
}

static apo_status write_sample(wctx *c, const flowjo_write_sample *ws, size_t id)
{
    char buf[8192];
    char sid[32];
    snprintf(sid, sizeof sid, "%zu", id);
    gate_xml_start(&c->xo, "Sample");
    gate_xml_start(&c->xo, "DataSet");
    file_uri(ws->fcs_path ? ws->fcs_path : "", buf, sizeof buf);
    gate_xml_attr(&c->xo, "uri", ws->fcs_path ? buf : "");
    gate_xml_attr(&c->xo, "sampleID", sid);
    gate_xml_end(&c->xo);
    write_sample_matrix(c);
    apo_status st = write_transforms(c);
    const char *name = ws->fcs_path ? base_name(ws->fcs_path) : "sample";
    gate_xml_start(&c->xo, "Keywords");
    gate_xml_start(&c->xo, "Keyword");
    gate_xml_attr(&c->xo, "name", "$FIL");
    gate_xml_attr(&c->xo, "value", name);
    gate_xml_end(&c->xo);
    gate_xml_end(&c->xo);
    gate_xml_start(&c->xo, "SampleNode");
    gate_xml_attr(&c->xo, "name", name);
    gate_xml_attr(&c->xo, "annotation", "");
    gate_xml_attr(&c->xo, "owningGroup", "");
    gate_xml_attr(&c->xo, "expanded", "1");
    gate_xml_attr(&c->xo, "sortPriority", "10");
    snprintf(buf, sizeof buf, "%lld", ws->events ? (long long)ws->events : -1LL);
    gate_xml_attr(&c->xo, "count", buf);
    gate_xml_attr(&c->xo, "sampleID", sid);
    if (st == APO_OK) {
        st = write_children(c, SIZE_MAX, 1);
    }
    gate_xml_end(&c->xo);
    gate_xml_end(&c->xo);
    return st;
}

static void write_groups(wctx *c, size_t n)
{
    gate_xml_start(&c->xo, "Groups");
    gate_xml_start(&c->xo, "GroupNode");
    gate_xml_attr(&c->xo, "name", "All Samples");
    gate_xml_attr(&c->xo, "annotation", "");
    gate_xml_attr(&c->xo, "owningGroup", "All Samples");
    gate_xml_attr(&c->xo, "expanded", "1");
    gate_xml_attr(&c->xo, "sortPriority", "10");
    gate_xml_attr(&c->xo, "count", "-1");
    gate_xml_start(&c->xo, "Group");
    gate_xml_attr(&c->xo, "name", "All Samples");
    gate_xml_attr(&c->xo, "live", "1");
    gate_xml_attr(&c->xo, "role", "ws.group.dlog.test");
    gate_xml_start(&c->xo, "Criteria");
    gate_xml_end(&c->xo);
    gate_xml_start(&c->xo, "SampleRefs");
    for (size_t i = 0; i < n; i++) {
        char sid[32];
        snprintf(sid, sizeof sid, "%zu", i + 1);
        gate_xml_start(&c->xo, "SampleRef");
        gate_xml_attr(&c->xo, "sampleID", sid);
        gate_xml_end(&c->xo);
    }
    gate_xml_end(&c->xo);
    gate_xml_end(&c->xo);
    gate_xml_end(&c->xo);
    gate_xml_end(&c->xo);
}

static void write_head(wctx *c)
{
    gate_xml_start(&c->xo, "Workspace");
    gate_xml_attr(&c->xo, "version", "20.0");
    gate_xml_attr(&c->xo, "flowJoVersion", "10.6.2");
    gate_xml_attr(&c->xo, "curGroup", "All Samples");
    gate_xml_attr(&c->xo, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
    gate_xml_attr(&c->xo, "xmlns:gating", "http://www.isac-net.org/std/Gating-ML/v2.0/gating");
    gate_xml_attr(&c->xo, "xmlns:transforms", "http://www.isac-net.org/std/Gating-ML/v2.0/transformations");
    gate_xml_attr(&c->xo, "xmlns:data-type", "http://www.isac-net.org/std/Gating-ML/v2.0/datatypes");
}

/* Point the context at sample @p ws: its strategy checked, its matrix found. */
static apo_status use_sample(wctx *c, const flowjo_write_sample *ws)
{
    c->s = ws->strategy;
    c->fcs_comp = ws->fcs_comp;
    c->counts = ws->counts;
    c->spill = NULL;
    c->uses_fcs = false;
    apo_status st = gate_strategy_validate(c->s, c->err);
    return st == APO_OK ? find_matrix(c) : st;
}

/* The workspace's list of matrices (each distinct name once), as FlowJo keeps beside the
 * samples' own copies. */
static apo_status write_matrix_list(wctx *c, size_t n, const flowjo_write_sample *samples)
{
    const char **names = calloc(n + 1, sizeof(char *)); /* borrowed from the strategies */
    if (names == NULL) {
        return apo_error_set(c->err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory, found none");
    }
    size_t n_names = 0;
    apo_status st = APO_OK;
    gate_xml_start(&c->xo, "Matrices");
    for (size_t i = 0; i < n && st == APO_OK; i++) {
        st = use_sample(c, &samples[i]);
        const char *name = c->spill ? c->spill->id : c->uses_fcs ? "Acquisition-defined" : NULL;
        bool seen = name == NULL;
        for (size_t k = 0; k < n_names && !seen; k++) {
            seen = strcmp(names[k], name) == 0;
        }
        if (st == APO_OK && !seen) {
            names[n_names++] = name;
            write_sample_matrix(c);
        }
    }
    gate_xml_end(&c->xo);
    free(names);
    return st;
}

static apo_status write_doc(wctx *c, size_t n, const flowjo_write_sample *samples)
{
    write_head(c);
    apo_status st = write_matrix_list(c, n, samples);
    write_groups(c, n);
    gate_xml_start(&c->xo, "SampleList");
    for (size_t i = 0; i < n && st == APO_OK; i++) {
        st = use_sample(c, &samples[i]);
        if (st == APO_OK) {
            st = write_sample(c, &samples[i], i + 1);
        }
    }
    gate_xml_end(&c->xo);
    gate_xml_end(&c->xo);
    return st;
}

apo_status flowjo_workspace_write(const char *path, size_t n, const flowjo_write_sample *samples,
                                  apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    xmlBuffer *buf = xmlBufferCreate();
    xmlTextWriter *w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    wctx c = {.xo = {.w = w}, .err = err};
    if (w == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL,
                           "expected memory for the XML writer, found none");
    } else {
        xmlTextWriterSetIndent(w, 1);
        xmlTextWriterSetIndentString(w, (const xmlChar *)"  ");
        if (xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0) {
            c.xo.failed = true;
        }
        st = write_doc(&c, n, samples);
        if (xmlTextWriterEndDocument(w) < 0) {
            c.xo.failed = true;
        }
        xmlFreeTextWriter(w);
    }
    if (st == APO_OK && c.xo.failed) {
        st = apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL,
                           "expected to build the workspace XML, found a writer error");
    }
    if (st == APO_OK &&
        fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), af.fp) !=
            (size_t)xmlBufferLength(buf)) {
        st = apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL,
                           "expected to write the workspace, found a write error");
    }
    xmlBufferFree(buf);
    if (st == APO_OK) {
        return apo_atomic_commit(&af, err);
    }
    apo_atomic_abort(&af);
    if (err != NULL && err->file[0] == '\0') {
        char msg[APO_ERROR_MSG_SIZE];
        snprintf(msg, sizeof msg, "%s", err->msg);
        apo_error_set(err, st, path, APO_NO_OFFSET, NULL, "%s", msg);
    }
    return st;
}
