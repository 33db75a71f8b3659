/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gml_read.c: reading Gating-ML 2.0 documents (namespaces gating:, transforms:, data-type:)
 * into a gate_strategy with libxml2. The document is untrusted: no network, no external
 * entities, and every unknown Gating-ML element or bad value is an error naming the element
 * and its line. Elements of other namespaces are looked through (FlowKit finds gates nested
 * in them too); data-type:custom_info is ignored.
 */
#include "gating/gate.h"
#include "gating/gates_internal.h"

#include "gating/xml_internal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_GATING "http://www.isac-net.org/std/Gating-ML/v2.0/gating"
#define NS_TRANS "http://www.isac-net.org/std/Gating-ML/v2.0/transformations"
#define NS_DT "http://www.isac-net.org/std/Gating-ML/v2.0/datatypes"

/* Gates per document: references are resolved by linear search, so keep n^2 bounded. */
#define GML_MAX_GATES 10000

typedef struct gml_ctx {
    const char *name; /* document name for messages */
    gate_strategy *s;
    apo_error *err;
} gml_ctx;

static const char *node_ns(const xmlNode *n)
{
    return (n->ns != NULL && n->ns->href != NULL) ? (const char *)n->ns->href : "";
}

static bool is_el(const xmlNode *n, const char *ns, const char *local)
{
    return n->type == XML_ELEMENT_NODE && strcmp(node_ns(n), ns) == 0 &&
           strcmp((const char *)n->name, local) == 0;
}

static bool is_gml_ns(const char *ns)
{
    return strcmp(ns, NS_GATING) == 0 || strcmp(ns, NS_TRANS) == 0 || strcmp(ns, NS_DT) == 0;
}

/* Set the error for element @p n: keyword "prefix:name (line N)". */
static apo_status gml_fail(gml_ctx *c, const xmlNode *n, apo_status st, const char *fmt, ...)
    APO_PRINTF(4, 5);
static apo_status gml_fail(gml_ctx *c, const xmlNode *n, apo_status st, const char *fmt, ...)
{
    char kw[64];
    char msg[400];
    if (n != NULL) {
        const char *prefix = (n->ns != NULL && n->ns->prefix != NULL) ? (const char *)n->ns->prefix
                                                                       : "";
        snprintf(kw, sizeof(kw), "line %ld: %s%s%s", xmlGetLineNo(n), prefix, prefix[0] ? ":" : "",
                 (const char *)n->name);
    } else {
        kw[0] = '\0';
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return apo_error_set(c->err, st, c->name, APO_NO_OFFSET, kw, "%s", msg);
}

/* Attribute @p local in namespace @p ns (or without a namespace); caller frees with xmlFree. */
static char *attr(const xmlNode *n, const char *ns, const char *local)
{
    xmlChar *v = xmlGetNsProp(n, (const xmlChar *)local, (const xmlChar *)ns);
    if (v == NULL) {
        v = xmlGetNoNsProp(n, (const xmlChar *)local);
    }
    return (char *)v;
}

/* A required string attribute; NULL (error set) when missing or empty. */
static char *req_attr(gml_ctx *c, const xmlNode *n, const char *ns, const char *local)
{
    char *v = attr(n, ns, local);
    if (v == NULL || v[0] == '\0') {
        xmlFree(v);
        gml_fail(c, n, APO_E_FORMAT, "expected attribute %s, found none", local);
        return NULL;
    }
    return v;
}

static apo_status parse_num(gml_ctx *c, const xmlNode *n, const char *what, const char *text,
                            double *out)
{
    if (text == NULL || !apo_parse_double(text, strlen(text), false, out)) {
        return gml_fail(c, n, APO_E_FORMAT, "expected a number for %s, found \"%s\"", what,
                        text ? text : "");
    }
    return APO_OK;
}

/* Numeric attribute; if @p optional and absent, *out = @p dflt. */
static apo_status num_attr(gml_ctx *c, const xmlNode *n, const char *ns, const char *local,
                           bool optional, double dflt, double *out)
{
    char *v = attr(n, ns, local);
    if (v == NULL) {
        if (optional) {
            *out = dflt;
            return APO_OK;
        }
        return gml_fail(c, n, APO_E_FORMAT, "expected attribute %s, found none", local);
    }
    apo_status st = parse_num(c, n, local, v, out);
    xmlFree(v);
    return st;
}

static bool is_custom_info(const xmlNode *n)
{
    return is_el(n, NS_DT, "custom_info");
}

/* ---- dimensions --------------------------------------------------------------------------- */

typedef struct dim_buf {
    gate_dim dim;
    char *name, *comp, *tr, *ratio; /* owned by xmlFree */
    double min, max;
} dim_buf;

static void dim_buf_free(dim_buf *d)
{
    xmlFree(d->name);
    xmlFree(d->comp);
    xmlFree(d->tr);
    xmlFree(d->ratio);
    memset(d, 0, sizeof(*d));
}

/* The fcs-dimension / new-dimension child of a dimension or divider. */
static apo_status parse_dim_target(gml_ctx *c, const xmlNode *n, dim_buf *d)
{
    const xmlNode *target = NULL;
    for (const xmlNode *k = n->children; k != NULL; k = k->next) {
        if (is_el(k, NS_DT, "fcs-dimension") || is_el(k, NS_DT, "new-dimension")) {
            if (target != NULL) {
                return gml_fail(c, k, APO_E_FORMAT,
                                "expected one fcs-dimension or new-dimension, found a second");
            }
            target = k;
        }
    }
    if (target == NULL) {
        return gml_fail(c, n, APO_E_FORMAT,
                        "expected a data-type:fcs-dimension or data-type:new-dimension child, "
                        "found none");
    }
    if (is_el(target, NS_DT, "fcs-dimension")) {
        d->name = req_attr(c, target, NS_DT, "name");
        if (d->name == NULL) {
            return APO_E_FORMAT;
        }
    } else {
        d->ratio = req_attr(c, target, NS_DT, "transformation-ref");
        if (d->ratio == NULL) {
            return APO_E_FORMAT;
        }
        if (gs_find_ratio(c->s, d->ratio) == NULL) {
            return gml_fail(c, target, APO_E_FORMAT,
                            "expected the id of an fratio transformation, found \"%s\"",
                            d->ratio);
        }
    }
    d->comp = attr(n, NS_GATING, "compensation-ref");
    d->tr = attr(n, NS_GATING, "transformation-ref");
    if (d->tr != NULL && gs_find_transform(c->s, d->tr) == NULL) {
        return gml_fail(c, n, APO_E_FORMAT,
                        "expected transformation-ref to name a transformation, found \"%s\"",
                        d->tr);
    }
    if (d->comp != NULL && !gs_comp_is_none(d->comp) && strcmp(d->comp, GATE_COMP_FCS) != 0 &&
        gs_find_spill(c->s, d->comp) == NULL) {
        return gml_fail(c, n, APO_E_FORMAT,
                        "expected compensation-ref \"FCS\", \"uncompensated\" or a defined "
                        "spectrumMatrix, found \"%s\"",
                        d->comp);
    }
    d->dim.name = d->name;
    d->dim.comp_ref = d->comp;
    d->dim.transform_ref = d->tr;
    d->dim.ratio_ref = d->ratio;
    return APO_OK;
}

/* Collect the gating:dimension children of @p g (at most 64). */
static apo_status parse_dims(gml_ctx *c, const xmlNode *g, bool bounds, dim_buf *dims, size_t *n)
{
    *n = 0;
    for (const xmlNode *k = g->children; k != NULL; k = k->next) {
        if (!is_el(k, NS_GATING, "dimension")) {
            continue;
        }
        if (*n == 64) {
            return gml_fail(c, k, APO_E_UNSUPPORTED, "expected at most 64 dimensions, found more");
        }
        dim_buf *d = &dims[(*n)++];
        memset(d, 0, sizeof(*d));
        apo_status st = parse_dim_target(c, k, d);
        if (st == APO_OK && bounds) {
            st = num_attr(c, k, NS_GATING, "min", true, -INFINITY, &d->min);
            if (st == APO_OK) {
                st = num_attr(c, k, NS_GATING, "max", true, INFINITY, &d->max);
            }
            if (st == APO_OK && d->min == -INFINITY && d->max == INFINITY) {
                st = gml_fail(c, k, APO_E_FORMAT, "expected min or max, found neither");
            }
        }
        if (st != APO_OK) {
            return st;
        }
    }
    if (*n == 0) {
        return gml_fail(c, g, APO_E_FORMAT, "expected at least one gating:dimension, found none");
    }
    return APO_OK;
}

static void dims_free(dim_buf *dims, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dim_buf_free(&dims[i]);
    }
}

/* Reject Gating-ML children we do not know (custom_info and other namespaces are fine). */
static apo_status check_children(gml_ctx *c, const xmlNode *g, const char *const *allowed)
{
    for (const xmlNode *k = g->children; k != NULL; k = k->next) {
        if (k->type != XML_ELEMENT_NODE || is_custom_info(k) || !is_gml_ns(node_ns(k))) {
            continue;
        }
        bool ok = false;
        for (size_t i = 0; allowed[i] != NULL && !ok; i++) {
            ok = strcmp((const char *)k->name, allowed[i]) == 0 &&
                 strcmp(node_ns(k), NS_GATING) == 0;
        }
        if (!ok) {
            return gml_fail(c, k, APO_E_UNSUPPORTED,
                            "expected a child element of %s that is supported, found %s",
                            (const char *)g->name, (const char *)k->name);
        }
    }
    return APO_OK;
}

/* Error context for failures of the builder: prefix with the element and line. */
static apo_status builder_fail(gml_ctx *c, const xmlNode *n, apo_status st)
{
    if (c->err != NULL) {
        char msg[APO_ERROR_MSG_SIZE];
        snprintf(msg, sizeof(msg), "%s", c->err->msg);
        gml_fail(c, n, st, "%s", msg);
    }
    return st;
}

/* Coordinates: children @p child (gating:coordinate / gating:entry) with data-type:value. */
static apo_status parse_values(gml_ctx *c, const xmlNode *parent, const char *child, double *out,
                               size_t cap, size_t *n)
{
    *n = 0;
    for (const xmlNode *k = parent->children; k != NULL; k = k->next) {
        if (!is_el(k, NS_GATING, child)) {
            continue;
        }
        if (*n == cap) {
            return gml_fail(c, k, APO_E_UNSUPPORTED, "expected at most %zu %s elements, found more",
                            cap, child);
        }
        apo_status st = num_attr(c, k, NS_DT, "value", false, 0, &out[(*n)++]);
        if (st != APO_OK) {
            return st;
        }
    }
    return APO_OK;
}

/* ---- gates -------------------------------------------------------------------------------- */

static apo_status read_rectangle(gml_ctx *c, const xmlNode *g, const char *id, const char *pid)
{
    static const char *const allowed[] = {"dimension", NULL};
    apo_status st = check_children(c, g, allowed);
    if (st != APO_OK) {
        return st;
    }
    dim_buf dims[64];
    size_t n = 0;
    st = parse_dims(c, g, true, dims, &n);
    if (st == APO_OK) {
        gate_dim gd[64];
        double mn[64], mx[64];
        for (size_t i = 0; i < n; i++) {
            gd[i] = dims[i].dim;
            mn[i] = dims[i].min;
            mx[i] = dims[i].max;
        }
        st = gate_strategy_add_rectangle(c->s, id, pid, n, gd, mn, mx, c->err);
        if (st != APO_OK) {
            st = builder_fail(c, g, st);
        }
    }
    dims_free(dims, n);
    return st;
}

static apo_status read_polygon(gml_ctx *c, const xmlNode *g, const char *id, const char *pid)
{
    static const char *const allowed[] = {"dimension", "vertex", NULL};
    apo_status st = check_children(c, g, allowed);
    if (st != APO_OK) {
        return st;
    }
    dim_buf dims[64];
    size_t n = 0;
    double *xy = NULL;
    st = parse_dims(c, g, false, dims, &n);
    if (st == APO_OK && n != 2) {
        st = gml_fail(c, g, APO_E_FORMAT, "expected 2 dimensions, found %zu", n);
    }
    size_t nv = 0, cap = 0;
    for (const xmlNode *k = g->children; k != NULL && st == APO_OK; k = k->next) {
        if (!is_el(k, NS_GATING, "vertex")) {
            continue;
        }
        if (nv == cap) {
            cap = cap ? cap * 2 : 16;
            double *nxy = realloc(xy, cap * 2 * sizeof(double));
            if (nxy == NULL) {
                st = gml_fail(c, k, APO_E_NOMEM, "expected memory for vertices, found none");
                break;
            }
            xy = nxy;
        }
        size_t nc = 0;
        st = parse_values(c, k, "coordinate", xy + 2 * nv, 2, &nc);
        if (st == APO_OK && nc != 2) {
            st = gml_fail(c, k, APO_E_FORMAT, "expected 2 coordinates, found %zu", nc);
        }
        nv++;
    }
    if (st == APO_OK) {
        gate_dim gd[2] = {dims[0].dim, dims[1].dim};
        st = gate_strategy_add_polygon(c->s, id, pid, gd, nv, xy, c->err);
        if (st != APO_OK) {
            st = builder_fail(c, g, st);
        }
    }
    free(xy);
    dims_free(dims, n);
    return st;
}

static apo_status read_ellipsoid(gml_ctx *c, const xmlNode *g, const char *id, const char *pid)
{
    static const char *const allowed[] = {"dimension", "mean", "covarianceMatrix",
                                          "distanceSquare", NULL};
    apo_status st = check_children(c, g, allowed);
    if (st != APO_OK) {
        return st;
    }
    dim_buf dims[64];
    size_t n = 0;
    st = parse_dims(c, g, false, dims, &n);
    double mean[64], d2 = NAN;
    double *cov = calloc(64 * 64, sizeof(double));
    size_t n_mean = 0, n_rows = 0;
    bool have_mean = false, have_cov = false;
    if (cov == NULL && st == APO_OK) {
        st = gml_fail(c, g, APO_E_NOMEM, "expected memory for a covariance, found none");
    }
    for (const xmlNode *k = g->children; k != NULL && st == APO_OK; k = k->next) {
        if (is_el(k, NS_GATING, "mean")) {
            st = parse_values(c, k, "coordinate", mean, 64, &n_mean);
            have_mean = true;
        } else if (is_el(k, NS_GATING, "covarianceMatrix")) {
            have_cov = true;
            for (const xmlNode *r = k->children; r != NULL && st == APO_OK; r = r->next) {
                if (!is_el(r, NS_GATING, "row")) {
                    continue;
                }
                size_t ne = 0;
                if (n_rows == n) {
                    st = gml_fail(c, r, APO_E_FORMAT, "expected %zu rows, found more", n);
                    break;
                }
                st = parse_values(c, r, "entry", cov + n_rows * n, n, &ne);
                if (st == APO_OK && ne != n) {
                    st = gml_fail(c, r, APO_E_FORMAT, "expected %zu entries, found %zu", n, ne);
                }
                n_rows++;
            }
        } else if (is_el(k, NS_GATING, "distanceSquare")) {
            st = num_attr(c, k, NS_DT, "value", false, 0, &d2);
        }
    }
    if (st == APO_OK && (!have_mean || !have_cov || isnan(d2))) {
        st = gml_fail(c, g, APO_E_FORMAT, "expected mean, covarianceMatrix and distanceSquare, "
                                          "found %s missing",
                      !have_mean ? "mean" : (!have_cov ? "covarianceMatrix" : "distanceSquare"));
    }
    if (st == APO_OK && (n_mean != n || n_rows != n)) {
        st = gml_fail(c, g, APO_E_FORMAT,
                      "expected a mean and covariance matching %zu dimensions, found %zu "
                      "coordinates and %zu rows",
                      n, n_mean, n_rows);
    }
    if (st == APO_OK) {
        gate_dim gd[64];
        for (size_t i = 0; i < n; i++) {
            gd[i] = dims[i].dim;
        }
        st = gate_strategy_add_ellipsoid(c->s, id, pid, n, gd, mean, cov, d2, c->err);
        if (st != APO_OK) {
            st = builder_fail(c, g, st);
        }
    }
    free(cov);
    dims_free(dims, n);
    return st;
}

static apo_status read_divider(gml_ctx *c, const xmlNode *k, const char *id)
{
    char *did = req_attr(c, k, NS_GATING, "id");
    if (did == NULL) {
        return APO_E_FORMAT;
    }
    dim_buf d = {0};
    apo_status st = parse_dim_target(c, k, &d);
    double vals[256];
    size_t nv = 0;
    for (const xmlNode *v = k->children; v != NULL && st == APO_OK; v = v->next) {
        if (!is_el(v, NS_GATING, "value")) {
            continue;
        }
        if (nv == 256) {
            st = gml_fail(c, v, APO_E_UNSUPPORTED, "expected at most 256 values, found more");
            break;
        }
        xmlChar *txt = xmlNodeGetContent(v);
        st = parse_num(c, v, "a divider value", (const char *)txt, &vals[nv++]);
        xmlFree(txt);
    }
    if (st == APO_OK && nv == 0) {
        st = gml_fail(c, k, APO_E_FORMAT, "expected at least one gating:value, found none");
    }
    if (st == APO_OK) {
        st = gate_strategy_add_divider(c->s, id, did, &d.dim, nv, vals, c->err);
        if (st != APO_OK) {
            st = builder_fail(c, k, st);
        }
    }
    dim_buf_free(&d);
    xmlFree(did);
    return st;
}

static apo_status read_quadrant(gml_ctx *c, const xmlNode *k, const char *id)
{
    char *qid = req_attr(c, k, NS_GATING, "id");
    if (qid == NULL) {
        return APO_E_FORMAT;
    }
    char *refs[64];
    double loc[64];
    size_t np = 0;
    apo_status st = APO_OK;
    for (const xmlNode *p = k->children; p != NULL && st == APO_OK; p = p->next) {
        if (p->type != XML_ELEMENT_NODE || is_custom_info(p) || !is_gml_ns(node_ns(p))) {
            continue;
        }
        if (!is_el(p, NS_GATING, "position")) {
            st = gml_fail(c, p, APO_E_UNSUPPORTED, "expected gating:position, found %s",
                          (const char *)p->name);
            break;
        }
        if (np == 64) {
            st = gml_fail(c, p, APO_E_UNSUPPORTED, "expected at most 64 positions, found more");
            break;
        }
        refs[np] = req_attr(c, p, NS_GATING, "divider_ref");
        if (refs[np] == NULL) {
            st = APO_E_FORMAT;
            break;
        }
        np++;
        st = num_attr(c, p, NS_GATING, "location", false, 0, &loc[np - 1]);
    }
    if (st == APO_OK) {
        st = gate_strategy_add_quadrant(c->s, id, qid, np, (const char *const *)refs, loc, c->err);
        if (st != APO_OK) {
            st = builder_fail(c, k, st);
        }
    }
    for (size_t i = 0; i < np; i++) {
        xmlFree(refs[i]);
    }
    xmlFree(qid);
    return st;
}

static apo_status read_quadrant_gate(gml_ctx *c, const xmlNode *g, const char *id,
                                     const char *pid)
{
    static const char *const allowed[] = {"divider", "Quadrant", NULL};
    apo_status st = check_children(c, g, allowed);
    if (st == APO_OK) {
        st = gate_strategy_add_quadrant_gate(c->s, id, pid, c->err);
        if (st != APO_OK) {
            return builder_fail(c, g, st);
        }
    }
    for (const xmlNode *k = g->children; k != NULL && st == APO_OK; k = k->next) {
        if (is_el(k, NS_GATING, "divider")) {
            st = read_divider(c, k, id);
        }
    }
    size_t nq = 0;
    for (const xmlNode *k = g->children; k != NULL && st == APO_OK; k = k->next) {
        if (is_el(k, NS_GATING, "Quadrant")) {
            st = read_quadrant(c, k, id);
            nq++;
        }
    }
    if (st == APO_OK && nq == 0) {
        st = gml_fail(c, g, APO_E_FORMAT, "expected at least one gating:Quadrant, found none");
    }
    return st;
}

static apo_status read_boolean(gml_ctx *c, const xmlNode *g, const char *id, const char *pid)
{
    static const char *const allowed[] = {"and", "or", "not", NULL};
    apo_status st = check_children(c, g, allowed);
    if (st != APO_OK) {
        return st;
    }
    const xmlNode *opn = NULL;
    for (const xmlNode *k = g->children; k != NULL; k = k->next) {
        if (is_el(k, NS_GATING, "and") || is_el(k, NS_GATING, "or") ||
            is_el(k, NS_GATING, "not")) {
            if (opn != NULL) {
                return gml_fail(c, k, APO_E_FORMAT, "expected one of and/or/not, found a second");
            }
            opn = k;
        }
    }
    if (opn == NULL) {
        return gml_fail(c, g, APO_E_FORMAT, "expected gating:and, gating:or or gating:not, found "
                                            "none");
    }
    gate_bool_op op = is_el(opn, NS_GATING, "and")  ? GATE_BOOL_AND
                      : is_el(opn, NS_GATING, "or") ? GATE_BOOL_OR
                                                    : GATE_BOOL_NOT;
    char *refs[64];
    bool comp[64];
    size_t n = 0;
    for (const xmlNode *k = opn->children; k != NULL && st == APO_OK; k = k->next) {
        if (k->type != XML_ELEMENT_NODE || is_custom_info(k) || !is_gml_ns(node_ns(k))) {
            continue;
        }
        if (!is_el(k, NS_GATING, "gateReference")) {
            st = gml_fail(c, k, APO_E_UNSUPPORTED, "expected gating:gateReference, found %s",
                          (const char *)k->name);
            break;
        }
        if (n == 64) {
            st = gml_fail(c, k, APO_E_UNSUPPORTED, "expected at most 64 operands, found more");
            break;
        }
        refs[n] = req_attr(c, k, NS_GATING, "ref");
        if (refs[n] == NULL) {
            st = APO_E_FORMAT;
            break;
        }
        char *cv = attr(k, NS_GATING, "use-as-complement");
        comp[n] = cv != NULL && (strcmp(cv, "true") == 0 || strcmp(cv, "1") == 0);
        if (cv != NULL && !comp[n] && strcmp(cv, "false") != 0 && strcmp(cv, "0") != 0) {
            st = gml_fail(c, k, APO_E_FORMAT, "expected use-as-complement true or false, found "
                                              "\"%s\"",
                          cv);
        }
        xmlFree(cv);
        n++;
    }
    if (st == APO_OK) {
        st = gate_strategy_add_boolean(c->s, id, pid, op, n, (const char *const *)refs, comp,
                                       c->err);
        if (st != APO_OK) {
            st = builder_fail(c, opn, st);
        }
    }
    for (size_t i = 0; i < n; i++) {
        xmlFree(refs[i]);
    }
    return st;
}

static apo_status read_gate(gml_ctx *c, const xmlNode *g)
{
    char *id = req_attr(c, g, NS_GATING, "id");
    if (id == NULL) {
        return APO_E_FORMAT;
    }
    char *pid = attr(g, NS_GATING, "parent_id");
    apo_status st;
    const char *local = (const char *)g->name;
    if (strcmp(local, "RectangleGate") == 0) {
        st = read_rectangle(c, g, id, pid);
    } else if (strcmp(local, "PolygonGate") == 0) {
        st = read_polygon(c, g, id, pid);
    } else if (strcmp(local, "EllipsoidGate") == 0) {
        st = read_ellipsoid(c, g, id, pid);
    } else if (strcmp(local, "QuadrantGate") == 0) {
        st = read_quadrant_gate(c, g, id, pid);
    } else {
        st = read_boolean(c, g, id, pid);
    }
    xmlFree(id);
    xmlFree(pid);
    return st;
}

/* ---- transforms and matrices -------------------------------------------------------------- */

static apo_status read_transformation(gml_ctx *c, const xmlNode *t)
{
    char *id = req_attr(c, t, NS_TRANS, "id");
    if (id == NULL) {
        return APO_E_FORMAT;
    }
    const xmlNode *k = NULL;
    for (const xmlNode *x = t->children; x != NULL; x = x->next) {
        if (x->type == XML_ELEMENT_NODE && !is_custom_info(x) && is_gml_ns(node_ns(x))) {
            if (k != NULL) {
                xmlFree(id);
                return gml_fail(c, x, APO_E_FORMAT, "expected one transform, found a second");
            }
            k = x;
        }
    }
    apo_status st = APO_OK;
    if (k == NULL) {
        st = gml_fail(c, t, APO_E_FORMAT, "expected a transform element, found none");
        xmlFree(id);
        return st;
    }
    const char *kind = (const char *)k->name;
    double T = NAN, W = NAN, M = NAN, A = NAN, B = NAN, C = NAN, bmin, bmax;
    gate_transform tr;
    if (strcmp(node_ns(k), NS_TRANS) != 0) {
        st = gml_fail(c, k, APO_E_UNSUPPORTED, "expected a transforms: element, found %s", kind);
    } else if (strcmp(kind, "fratio") == 0) {
        char *names[2] = {NULL, NULL};
        size_t nn = 0;
        st = num_attr(c, k, NS_TRANS, "A", false, 0, &A);
        if (st == APO_OK) {
            st = num_attr(c, k, NS_TRANS, "B", false, 0, &B);
        }
        if (st == APO_OK) {
            st = num_attr(c, k, NS_TRANS, "C", false, 0, &C);
        }
        for (const xmlNode *x = k->children; x != NULL && st == APO_OK; x = x->next) {
            if (is_el(x, NS_DT, "fcs-dimension")) {
                if (nn == 2) {
                    st = gml_fail(c, x, APO_E_FORMAT, "expected 2 fcs-dimensions, found more");
                    break;
                }
                names[nn] = req_attr(c, x, NS_DT, "name");
                if (names[nn++] == NULL) {
                    st = APO_E_FORMAT;
                }
            }
        }
        if (st == APO_OK && nn != 2) {
            st = gml_fail(c, k, APO_E_FORMAT, "expected 2 fcs-dimensions, found %zu", nn);
        }
        if (st == APO_OK) {
            st = gate_strategy_add_ratio(c->s, id, names[0], names[1], A, B, C, c->err);
            if (st != APO_OK) {
                st = builder_fail(c, k, st);
            }
        }
        xmlFree(names[0]);
        xmlFree(names[1]);
        xmlFree(id);
        return st;
    } else if (strcmp(kind, "flin") == 0) {
        st = num_attr(c, k, NS_TRANS, "T", false, 0, &T);
        if (st == APO_OK) {
            st = num_attr(c, k, NS_TRANS, "A", false, 0, &A);
        }
        if (st == APO_OK) {
            st = gate_transform_init_flin(&tr, T, A, c->err);
        }
    } else if (strcmp(kind, "flog") == 0) {
        st = num_attr(c, k, NS_TRANS, "T", false, 0, &T);
        if (st == APO_OK) {
            st = num_attr(c, k, NS_TRANS, "M", false, 0, &M);
        }
        if (st == APO_OK) {
            st = gate_transform_init_flog(&tr, T, M, c->err);
        }
    } else if (strcmp(kind, "fasinh") == 0) {
        st = num_attr(c, k, NS_TRANS, "T", false, 0, &T);
        if (st == APO_OK) {
            st = num_attr(c, k, NS_TRANS, "M", false, 0, &M);
        }
        if (st == APO_OK) {
            st = num_attr(c, k, NS_TRANS, "A", false, 0, &A);
        }
        if (st == APO_OK) {
            st = gate_transform_init_fasinh(&tr, T, M, A, c->err);
        }
    } else if (strcmp(kind, "logicle") == 0 || strcmp(kind, "hyperlog") == 0) {
        st = num_attr(c, k, NS_TRANS, "T", false, 0, &T);
        if (st == APO_OK) {
            st = num_attr(c, k, NS_TRANS, "W", false, 0, &W);
        }
        if (st == APO_OK) {
            st = num_attr(c, k, NS_TRANS, "M", false, 0, &M);
        }
        if (st == APO_OK) {
            st = num_attr(c, k, NS_TRANS, "A", false, 0, &A);
        }
        if (st == APO_OK) {
            st = kind[0] == 'l' ? gate_transform_init_logicle(&tr, T, W, M, A, c->err)
                                : gate_transform_init_hyperlog(&tr, T, W, M, A, c->err);
        }
    } else {
        st = gml_fail(c, k, APO_E_UNSUPPORTED,
                      "expected flin, flog, fasinh, logicle, hyperlog or fratio, found %s", kind);
    }
    if (st == APO_OK) {
        st = num_attr(c, k, NS_TRANS, "boundMin", true, -INFINITY, &bmin);
    }
    if (st == APO_OK) {
        st = num_attr(c, k, NS_TRANS, "boundMax", true, INFINITY, &bmax);
    }
    if (st == APO_OK && (bmin != -INFINITY || bmax != INFINITY)) {
        st = gate_transform_set_bounds(&tr, bmin, bmax, c->err);
    }
    if (st == APO_OK) {
        st = gate_strategy_add_transform(c->s, id, &tr, c->err);
    }
    if (st != APO_OK && c->err != NULL && strstr(c->err->keyword, "line ") != c->err->keyword) {
        st = builder_fail(c, k, st);
    }
    xmlFree(id);
    return st;
}

static apo_status read_names(gml_ctx *c, const xmlNode *n, char **names, size_t cap, size_t *count)
{
    *count = 0;
    for (const xmlNode *x = n->children; x != NULL; x = x->next) {
        if (!is_el(x, NS_DT, "fcs-dimension")) {
            continue;
        }
        if (*count == cap) {
            return gml_fail(c, x, APO_E_UNSUPPORTED, "expected at most %zu names, found more", cap);
        }
        names[*count] = req_attr(c, x, NS_DT, "name");
        if (names[*count] == NULL) {
            return APO_E_FORMAT;
        }
        (*count)++;
    }
    return APO_OK;
}

static apo_status read_spectrum_matrix(gml_ctx *c, const xmlNode *m)
{
    enum { CAP = 64 };
    char *id = req_attr(c, m, NS_TRANS, "id");
    if (id == NULL) {
        return APO_E_FORMAT;
    }
    char *fl[CAP], *det[CAP];
    size_t nf = 0, nd = 0, nrows = 0;
    double *vals = calloc(CAP * CAP, sizeof(double));
    apo_status st = vals ? APO_OK : gml_fail(c, m, APO_E_NOMEM, "expected memory, found none");
    bool have_f = false, have_d = false;
    char *inv = attr(m, NS_TRANS, "matrix-inverted-already");
    bool inverted = inv != NULL && (strcmp(inv, "true") == 0 || strcmp(inv, "1") == 0);
    xmlFree(inv);
    for (const xmlNode *k = m->children; k != NULL && st == APO_OK; k = k->next) {
        if (k->type != XML_ELEMENT_NODE || is_custom_info(k) || !is_gml_ns(node_ns(k))) {
            continue;
        }
        if (is_el(k, NS_TRANS, "fluorochromes") && !have_f) {
            have_f = true;
            st = read_names(c, k, fl, CAP, &nf);
        } else if (is_el(k, NS_TRANS, "detectors") && !have_d) {
            have_d = true;
            st = read_names(c, k, det, CAP, &nd);
        } else if (is_el(k, NS_TRANS, "spectrum")) {
            if (!have_d || nrows == CAP) {
                st = gml_fail(c, k, APO_E_FORMAT, "expected detectors before at most %d spectrum "
                                                  "rows, found otherwise",
                              CAP);
                break;
            }
            size_t nc = 0;
            for (const xmlNode *x = k->children; x != NULL && st == APO_OK; x = x->next) {
                if (!is_el(x, NS_TRANS, "coefficient")) {
                    continue;
                }
                if (nc == nd) {
                    st = gml_fail(c, x, APO_E_FORMAT, "expected %zu coefficients, found more",
                                  nd);
                    break;
                }
                st = num_attr(c, x, NS_TRANS, "value", false, 0, &vals[nrows * nd + nc]);
                nc++;
            }
            if (st == APO_OK && nc != nd) {
                st = gml_fail(c, k, APO_E_FORMAT, "expected %zu coefficients, found %zu", nd, nc);
            }
            nrows++;
        } else {
            st = gml_fail(c, k, APO_E_UNSUPPORTED,
                          "expected fluorochromes, detectors or spectrum, found %s",
                          (const char *)k->name);
        }
    }
    if (st == APO_OK && (!have_f || !have_d || nrows != nf)) {
        st = gml_fail(c, m, APO_E_FORMAT,
                      "expected fluorochromes, detectors and one spectrum per fluorochrome, "
                      "found %zu spectra for %zu fluorochromes",
                      nrows, nf);
    }
    if (st == APO_OK) {
        st = gate_strategy_add_spillover(c->s, id, nf, (const char *const *)fl, nd,
                                         (const char *const *)det, vals, inverted, c->err);
        if (st != APO_OK) {
            st = builder_fail(c, m, st);
        }
    }
    for (size_t i = 0; i < nf; i++) {
        xmlFree(fl[i]);
    }
    for (size_t i = 0; i < nd; i++) {
        xmlFree(det[i]);
    }
    free(vals);
    xmlFree(id);
    return st;
}

/* ---- document ----------------------------------------------------------------------------- */

/* Pass 0 reads transformations and matrices, pass 1 gates, so references may point ahead. */
static apo_status read_children(gml_ctx *c, const xmlNode *parent, int depth, int pass)
{
    if (depth > 32) {
        return gml_fail(c, parent, APO_E_UNSUPPORTED, "expected nesting below 32 levels, found "
                                                      "deeper");
    }
    for (const xmlNode *k = parent->children; k != NULL; k = k->next) {
        if (k->type != XML_ELEMENT_NODE || is_custom_info(k)) {
            continue;
        }
        const char *ns = node_ns(k);
        const char *local = (const char *)k->name;
        apo_status st = APO_OK;
        if (strcmp(ns, NS_GATING) == 0 &&
            (strcmp(local, "RectangleGate") == 0 || strcmp(local, "PolygonGate") == 0 ||
             strcmp(local, "EllipsoidGate") == 0 || strcmp(local, "QuadrantGate") == 0 ||
             strcmp(local, "BooleanGate") == 0)) {
            if (pass == 1 && gate_strategy_n_gates(c->s) >= GML_MAX_GATES) {
                st = gml_fail(c, k, APO_E_UNSUPPORTED, "expected at most %d gates, found more",
                              GML_MAX_GATES);
            } else {
                st = pass == 1 ? read_gate(c, k) : APO_OK;
            }
        } else if (is_el(k, NS_TRANS, "transformation")) {
            st = pass == 0 ? read_transformation(c, k) : APO_OK;
        } else if (is_el(k, NS_TRANS, "spectrumMatrix")) {
            st = pass == 0 ? read_spectrum_matrix(c, k) : APO_OK;
        } else if (is_gml_ns(ns)) {
            st = gml_fail(c, k, APO_E_UNSUPPORTED,
                          "expected a gate, transformation or spectrumMatrix, found %s", local);
        } else {
            st = read_children(c, k, depth + 1, pass);
        }
        if (st != APO_OK) {
            return st;
        }
    }
    return APO_OK;
}

static apo_status read_doc(xmlDoc *doc, const char *name, gate_strategy **out, apo_error *err)
{
    gml_ctx c = {.name = name, .err = err};
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (root == NULL || !is_el(root, NS_GATING, "Gating-ML")) {
        return gml_fail(&c, root, APO_E_FORMAT,
                        "expected root element gating:Gating-ML in namespace %s, found %s",
                        NS_GATING, root ? (const char *)root->name : "none");
    }
    apo_status st = gate_strategy_new(&c.s, err);
    if (st != APO_OK) {
        return st;
    }
    st = read_children(&c, root, 0, 0);
    if (st == APO_OK) {
        st = read_children(&c, root, 0, 1);
    }
    if (st == APO_OK) {
        st = gate_strategy_validate(c.s, err);
        if (st != APO_OK && err != NULL) {
            char msg[APO_ERROR_MSG_SIZE];
            snprintf(msg, sizeof(msg), "%s", err->msg);
            apo_error_set(err, st, name, APO_NO_OFFSET, NULL, "%s", msg);
        }
    }
    if (st == APO_OK && gate_strategy_n_gates(c.s) == 0) {
        st = gml_fail(&c, root, APO_E_FORMAT, "expected at least one gate, found none");
    }
    if (st != APO_OK) {
        gate_strategy_free(c.s);
        return st;
    }
    *out = c.s;
    return APO_OK;
}

/* libxml2 reports encoding and I/O errors through its generic handler, not the parser
 * context (XML_PARSE_NOERROR does not cover them): silence it while we parse, so the
 * library never prints; our own error says what was wrong. */
apo_status gate_strategy_read_gml_buffer(gate_strategy **out, const char *buf, size_t len,
                                         const char *name, apo_error *err)
{
    *out = NULL;
    xmlDoc *doc = NULL;
    apo_status st = gate_xml_parse(buf, len, name, "a Gating-ML document", &doc, err);
    if (st == APO_OK) {
        st = read_doc(doc, name, out, err);
    }
    xmlFreeDoc(doc);
    return st;
}

apo_status gate_strategy_read_gml(gate_strategy **out, const char *path, apo_error *err)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    apo_status st = apo_read_small_file(path, (size_t)1 << 30, "Gating-ML file", &buf, &len, err);
    if (st == APO_OK) {
        st = gate_strategy_read_gml_buffer(out, buf, len, path, err);
    }
    free(buf);
    return st;
}
