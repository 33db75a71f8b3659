/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wsp_gates.c: a FlowJo sample's gate tree (SampleNode/Subpopulations, nested Population,
 * AndNode, OrNode and NotNode elements) into its gate_strategy. Each population's gate id is
 * its FlowJo path ("Lymphocytes/Singlets/CD4+"), so names repeated under different parents
 * stay distinct. FlowJo stores rectangle and polygon coordinates as data values (compensated
 * for compensated parameters) and ellipses as foci and edge points in its 0..256 display
 * units; both are carried into the space of the dimension's transform, where apoflow gates.
 */
#include "gating/flowjo.h"
#include "gating/wsp_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A gate dimension as FlowJo names it, mapped to a matrix detector and a transform. */
typedef struct wsp_dim {
    char *written; /* xmlFree */
    gate_dim dim;
    const gate_transform *t; /* NULL: gated on data values */
} wsp_dim;

static char *join_path(const char *parent, const char *name)
{
    size_t lp = parent ? strlen(parent) : 0;
    size_t ln = strlen(name);
    char *p = malloc(lp + ln + 2);
    if (p == NULL) {
        return NULL;
    }
    if (lp > 0) {
        memcpy(p, parent, lp);
        p[lp] = '/';
        memcpy(p + lp + 1, name, ln + 1);
    } else {
        memcpy(p, name, ln + 1);
    }
    return p;
}

static apo_status nomem(wsp_ctx *c)
{
    return apo_error_set(c->err, APO_E_NOMEM, c->name, APO_NO_OFFSET, NULL,
                         "expected memory for the workspace, found none");
}

/* The detector named by a compensated parameter name (prefix + detector + suffix, or
 * FlowJo's "Comp-" / "<...>" / "[...]" forms), or NULL. */
static const char *comp_detector(const wsp_sample_ctx *sc, const char *name)
{
    size_t ln = strlen(name);
    const char *forms[4][2] = {{sc->prefix, sc->suffix}, {"Comp-", ""}, {"<", ">"}, {"[", "]"}};
    for (size_t f = 0; f < 4; f++) {
        size_t lp = strlen(forms[f][0]);
        size_t ls = strlen(forms[f][1]);
        if (lp + ls == 0 || ln <= lp + ls || strncmp(name, forms[f][0], lp) != 0 ||
            strcmp(name + ln - ls, forms[f][1]) != 0) {
            continue;
        }
        for (size_t d = 0; d < sc->n_det; d++) {
            if (strlen(sc->detectors[d]) == ln - lp - ls &&
                strncmp(sc->detectors[d], name + lp, ln - lp - ls) == 0) {
                return sc->detectors[d];
            }
        }
    }
    return NULL;
}

static const wsp_xform *find_xform(const wsp_sample_ctx *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_xf && name != NULL; i++) {
        if (strcmp(sc->xf[i].param, name) == 0) {
            return &sc->xf[i];
        }
    }
    return NULL;
}

/* Map the name FlowJo wrote to a channel, a compensation and a transform. */
static apo_status map_dim(wsp_sample_ctx *sc, const xmlNode *n, wsp_dim *d)
{
    const char *det = comp_detector(sc, d->written);
    d->dim.name = det ? det : d->written;
    d->dim.comp_ref = det ? sc->matrix_id : NULL;
    if (det == NULL && sc->matrix_id == NULL && strncmp(d->written, "Comp-", 5) == 0) {
        apo_status st = wsp_warn(sc->c, n,
                                 "%s names a compensated parameter but the sample has no "
                                 "matrix: gated on the channel %s as it is",
                                 d->written, d->written);
        if (st != APO_OK) {
            return st;
        }
    }
    const wsp_xform *x = find_xform(sc, d->written);
    if (x == NULL && det != NULL) {
        x = find_xform(sc, det);
    }
    d->dim.transform_ref = x ? x->param : NULL;
    d->t = x ? &x->t : NULL;
    return APO_OK;
}

static void dims_free(wsp_dim *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xmlFree(d[i].written);
    }
}

/* The gating:dimension children of a gate (at most @p cap). */
static apo_status read_dims(wsp_sample_ctx *sc, const xmlNode *g, wsp_dim *d, size_t cap,
                            size_t *n, const xmlNode **dim_els)
{
    *n = 0;
    for (const xmlNode *k = g->children; k != NULL; k = k->next) {
        if (!wsp_is_el(k, WSP_NS_GATING, "dimension")) {
            continue;
        }
        if (*n >= cap) {
            return wsp_fail(sc->c, g, APO_E_UNSUPPORTED, "expected at most %zu dimensions, "
                                                         "found more", cap);
        }
        const xmlNode *fd = NULL;
        for (const xmlNode *e = k->children; e != NULL; e = e->next) {
            if (wsp_is_el(e, WSP_NS_DT, "fcs-dimension")) {
                fd = e;
            }
        }
        char *name = fd ? wsp_attr(fd, WSP_NS_DT, "name") : NULL;
        if (name == NULL || name[0] == '\0') {
            xmlFree(name);
            return wsp_fail(sc->c, k, APO_E_FORMAT,
                            "expected a data-type:fcs-dimension with a name, found none");
        }
        memset(&d[*n], 0, sizeof d[*n]);
        d[*n].written = name;
        dim_els[*n] = k;
        (*n)++;
        apo_status st = map_dim(sc, k, &d[*n - 1]);
        if (st != APO_OK) {
            return st;
        }
    }
    if (*n == 0) {
        return wsp_fail(sc->c, g, APO_E_FORMAT, "expected a gating:dimension, found none");
    }
    return APO_OK;
}

static double forward(const wsp_dim *d, double x)
{
    return d->t ? gate_transform_apply(d->t, x) : x;
}

static apo_status read_rectangle(wsp_sample_ctx *sc, const xmlNode *g, const char *id,
                                 const char *parent)
{
    wsp_dim d[8];
    const xmlNode *els[8];
    size_t n = 0;
    apo_status st = read_dims(sc, g, d, 8, &n, els);
    double lo[8], hi[8];
    gate_dim gd[8];
    for (size_t i = 0; i < n && st == APO_OK; i++) {
        st = wsp_num_attr(sc->c, els[i], WSP_NS_GATING, "min", true, -INFINITY, &lo[i]);
        if (st == APO_OK) {
            st = wsp_num_attr(sc->c, els[i], WSP_NS_GATING, "max", true, INFINITY, &hi[i]);
        }
        if (st == APO_OK && lo[i] > hi[i]) {
            st = wsp_fail(sc->c, els[i], APO_E_FORMAT, "expected min <= max, found %g > %g",
                          lo[i], hi[i]);
        }
        /* open ends stay open; finite ends move into the transform's space */
        lo[i] = isfinite(lo[i]) ? forward(&d[i], lo[i]) : lo[i];
        hi[i] = isfinite(hi[i]) ? forward(&d[i], hi[i]) : hi[i];
        gd[i] = d[i].dim;
    }
    if (st == APO_OK) {
        st = gate_strategy_add_rectangle(sc->s->strategy, id, parent, n, gd, lo, hi, sc->c->err);
        if (st != APO_OK) {
            st = wsp_relabel(sc->c, g, st);
        }
    }
    dims_free(d, n);
    return st;
}

/* The coordinates of one gating:vertex (exactly @p n). */
static apo_status read_vertex(wsp_sample_ctx *sc, const xmlNode *v, size_t n, double *out)
{
    size_t k = 0;
    for (const xmlNode *e = v->children; e != NULL; e = e->next) {
        if (!wsp_is_el(e, WSP_NS_GATING, "coordinate")) {
            continue;
        }
        if (k >= n) {
            return wsp_fail(sc->c, v, APO_E_FORMAT, "expected %zu coordinates, found more", n);
        }
        apo_status st = wsp_num_attr(sc->c, e, WSP_NS_DT, "value", false, 0.0, &out[k++]);
        if (st != APO_OK) {
            return st;
        }
    }
    if (k != n) {
        return wsp_fail(sc->c, v, APO_E_FORMAT, "expected %zu coordinates, found %zu", n, k);
    }
    return APO_OK;
}

/* The dimensions of a polygon or ellipse gate @p g (*n read, for dims_free); any number but
 * two is an error. */
static apo_status read_two_dims(wsp_sample_ctx *sc, const xmlNode *g, wsp_dim *d,
                                const xmlNode **els, size_t *n)
{
    *n = 0;
    apo_status st = read_dims(sc, g, d, 2, n, els);
    if (st == APO_OK && *n != 2) {
        st = wsp_fail(sc->c, g, APO_E_FORMAT, "expected 2 dimensions, found %zu", *n);
    }
    return st;
}

static apo_status read_polygon(wsp_sample_ctx *sc, const xmlNode *g, const char *id,
                               const char *parent)
{
    wsp_dim d[2];
    const xmlNode *els[2];
    size_t n;
    apo_status st = read_two_dims(sc, g, d, els, &n);
    size_t nv = 0;
    for (const xmlNode *k = g->children; k != NULL; k = k->next) {
        nv += wsp_is_el(k, WSP_NS_GATING, "vertex");
    }
    if (st == APO_OK && (nv < 3 || nv > FLOWJO_MAX_VERTICES)) {
        st = wsp_fail(sc->c, g, APO_E_FORMAT, "expected 3..%u vertices, found %zu",
                      FLOWJO_MAX_VERTICES, nv);
    }
    for (size_t k = 0; k < n && st == APO_OK; k++) {
        if (d[k].t == NULL) { /* straight edges in data space, maybe not in FlowJo's display */
            st = wsp_warn(sc->c, g,
                          "polygon %s: the sample has no transform for %s; its edges are taken "
                          "as straight lines on the data values",
                          id, d[k].written);
        }
    }
    double *xy = st == APO_OK ? malloc(2 * nv * sizeof(double)) : NULL;
    if (st == APO_OK && xy == NULL) {
        st = nomem(sc->c);
    }
    size_t i = 0;
    for (const xmlNode *k = g->children; k != NULL && st == APO_OK; k = k->next) {
        if (wsp_is_el(k, WSP_NS_GATING, "vertex")) {
            st = read_vertex(sc, k, 2, &xy[2 * i]);
            xy[2 * i] = forward(&d[0], xy[2 * i]);
            xy[2 * i + 1] = forward(&d[1], xy[2 * i + 1]);
            i++;
        }
    }
    if (st == APO_OK) {
        gate_dim gd[2] = {d[0].dim, d[1].dim};
        st = gate_strategy_add_polygon(sc->s->strategy, id, parent, gd, nv, xy, sc->c->err);
        if (st != APO_OK) {
            st = wsp_relabel(sc->c, g, st);
        }
    }
    free(xy);
    dims_free(d, n);
    return st;
}

/* The vertices of gating:foci or gating:edge (exactly @p n, 2-D). */
static apo_status read_points(wsp_sample_ctx *sc, const xmlNode *g, const char *what, size_t n,
                              double *xy)
{
    const xmlNode *el = NULL;
    for (const xmlNode *k = g->children; k != NULL; k = k->next) {
        if (wsp_is_el(k, WSP_NS_GATING, what)) {
            el = k;
        }
    }
    if (el == NULL) {
        return wsp_fail(sc->c, g, APO_E_FORMAT, "expected gating:%s, found none", what);
    }
    size_t i = 0;
    for (const xmlNode *k = el->children; k != NULL; k = k->next) {
        if (!wsp_is_el(k, WSP_NS_GATING, "vertex")) {
            continue;
        }
        if (i >= n) {
            return wsp_fail(sc->c, el, APO_E_FORMAT, "expected %zu vertices, found more", n);
        }
        apo_status st = read_vertex(sc, k, 2, &xy[2 * i]);
        if (st != APO_OK) {
            return st;
        }
        i++;
    }
    if (i != n) {
        return wsp_fail(sc->c, el, APO_E_FORMAT, "expected %zu vertices, found %zu", n, i);
    }
    return APO_OK;
}

/*
 * FlowJo's ellipse: two foci and four edge points (two ends of the major axis, then of the
 * minor one) in display units, 256 to the transform's full scale. As a Gating-ML ellipsoid in
 * the transforms' 0..1 space: centre between the foci, semi-major axis a from the edge points,
 * semi-minor b = sqrt(a^2 - c^2) from the focal distance c, covariance a^2 uu' + b^2 vv'
 * (u along the foci) and distance 1.
 */
static apo_status ellipse_shape(wsp_sample_ctx *sc, const xmlNode *g, const double *foci,
                                const double *edge, double mean[2], double cov[4])
{
    double f[4], e[8];
    for (int i = 0; i < 4; i++) {
        f[i] = foci[i] / 256.0;
    }
    for (int i = 0; i < 8; i++) {
        e[i] = edge[i] / 256.0;
    }
    mean[0] = (f[0] + f[2]) / 2.0;
    mean[1] = (f[1] + f[3]) / 2.0;
    double cx = (f[2] - f[0]) / 2.0, cy = (f[3] - f[1]) / 2.0;
    double c = hypot(cx, cy);
    double ux = c > 0.0 ? cx / c : 1.0, uy = c > 0.0 ? cy / c : 0.0;
    double a = 0.0;
    for (int i = 0; i < 4; i += 2) { /* first point of each axis */
        double r = hypot(e[2 * i] - mean[0], e[2 * i + 1] - mean[1]);
        a = r > a ? r : a;
    }
    double b = sqrt(fabs(a * a - c * c));
    if (!(a > 0.0) || !(b > 0.0) || !isfinite(a) || !isfinite(b)) {
        return wsp_fail(sc->c, g, APO_E_FORMAT,
                        "expected an ellipse with two non-zero axes, found a = %g, b = %g", a, b);
    }
    double vx = -uy, vy = ux;
    cov[0] = a * a * ux * ux + b * b * vx * vx;
    cov[1] = a * a * ux * uy + b * b * vx * vy;
    cov[2] = cov[1];
    cov[3] = a * a * uy * uy + b * b * vy * vy;
    return APO_OK;
}

static apo_status read_ellipse(wsp_sample_ctx *sc, const xmlNode *g, const char *id,
                               const char *parent)
{
    wsp_dim d[2];
    const xmlNode *els[2];
    size_t n;
    apo_status st = read_two_dims(sc, g, d, els, &n);
    if (st == APO_OK && (d[0].t == NULL || d[1].t == NULL)) {
        st = wsp_fail(sc->c, g, APO_E_UNSUPPORTED,
                      "expected a transform for both dimensions of an ellipse (its display "
                      "space), found none for %s", d[d[0].t == NULL ? 0 : 1].written);
    }
    double foci[4], edge[8], mean[2], cov[4];
    if (st == APO_OK) {
        st = read_points(sc, g, "foci", 2, foci);
    }
    if (st == APO_OK) {
        st = read_points(sc, g, "edge", 4, edge);
    }
    if (st == APO_OK) {
        st = ellipse_shape(sc, g, foci, edge, mean, cov);
    }
    if (st == APO_OK) {
        gate_dim gd[2] = {d[0].dim, d[1].dim};
        st = gate_strategy_add_ellipsoid(sc->s->strategy, id, parent, 2, gd, mean, cov, 1.0,
                                         sc->c->err);
        if (st != APO_OK) {
            st = wsp_relabel(sc->c, g, st);
        }
    }
    dims_free(d, n);
    return st;
}

/* ---- the tree ----------------------------------------------------------------------------- */

static apo_status add_population(wsp_sample_ctx *sc, const xmlNode *el, char *path, size_t gate)
{
    flowjo_sample *s = sc->s;
    if (s->n_populations == sc->cap_pops) {
        size_t cap = sc->cap_pops ? 2 * sc->cap_pops : 16;
        flowjo_population *np = realloc(s->populations, cap * sizeof *np);
        if (np == NULL) {
            free(path);
            return nomem(sc->c);
        }
        s->populations = np;
        sc->cap_pops = cap;
    }
    flowjo_population *p = &s->populations[s->n_populations++];
    p->path = path;
    p->gate = gate;
    return wsp_count_attr(sc->c, el, &p->count);
}

/* One geometric gate (the single gating:* child of a Gate element) with id @p id. */
static apo_status read_shape(wsp_sample_ctx *sc, const xmlNode *g, const char *id,
                             const char *parent, bool *known)
{
    *known = true;
    if (wsp_is_el(g, WSP_NS_GATING, "RectangleGate")) {
        return read_rectangle(sc, g, id, parent);
    }
    if (wsp_is_el(g, WSP_NS_GATING, "PolygonGate")) {
        return read_polygon(sc, g, id, parent);
    }
    if (wsp_is_el(g, WSP_NS_GATING, "EllipsoidGate")) {
        return read_ellipse(sc, g, id, parent);
    }
    *known = false;
    return APO_OK;
}

static const xmlNode *gate_shape(const xmlNode *pop)
{
    for (const xmlNode *k = pop->children; k != NULL; k = k->next) {
        if (wsp_is_el(k, "", "Gate")) {
            for (const xmlNode *e = k->children; e != NULL; e = e->next) {
                if (e->type == XML_ELEMENT_NODE) {
                    return e;
                }
            }
            return NULL;
        }
    }
    return NULL;
}

static apo_status read_subpops(wsp_sample_ctx *sc, const xmlNode *owner, const char *parent,
                               unsigned depth);

static apo_status check_room(wsp_sample_ctx *sc, const xmlNode *el, unsigned depth)
{
    if (depth > FLOWJO_MAX_DEPTH) {
        return wsp_fail(sc->c, el, APO_E_UNSUPPORTED,
                        "expected populations nested at most %u deep, found deeper",
                        FLOWJO_MAX_DEPTH);
    }
    if (gate_strategy_n_gates(sc->s->strategy) + 2 > FLOWJO_MAX_GATES) {
        return wsp_fail(sc->c, el, APO_E_UNSUPPORTED,
                        "expected at most %u gates in a sample, found more", FLOWJO_MAX_GATES);
    }
    return APO_OK;
}

/* eventsInside="0": the population is its parent minus the shape, a NOT of the shape kept
 * under the id "<path> (inside)". */
static apo_status read_population(wsp_sample_ctx *sc, const xmlNode *el, const char *parent,
                                  unsigned depth)
{
    apo_status st = check_room(sc, el, depth);
    char *name = st == APO_OK ? wsp_attr(el, NULL, "name") : NULL;
    if (st == APO_OK && (name == NULL || name[0] == '\0')) {
        st = wsp_fail(sc->c, el, APO_E_FORMAT, "expected attribute name, found none");
    }
    char *path = st == APO_OK ? join_path(parent, name) : NULL;
    xmlFree(name);
    if (st != APO_OK || path == NULL) {
        free(path);
        return st != APO_OK ? st : nomem(sc->c);
    }
    const xmlNode *g = gate_shape(el);
    if (g == NULL) {
        st = wsp_fail(sc->c, el, APO_E_FORMAT, "expected a Gate with a gate element for %s, "
                                               "found none", path);
        free(path);
        return st;
    }
    double inside = 1.0;
    st = wsp_num_attr(sc->c, g, NULL, "eventsInside", true, 1.0, &inside);
    char *shape_id = path;
    if (inside == 0.0) {
        size_t n = strlen(path);
        shape_id = malloc(n + sizeof " (inside)");
        if (shape_id == NULL) {
            free(path);
            return nomem(sc->c);
        }
        memcpy(shape_id, path, n);
        memcpy(shape_id + n, " (inside)", sizeof " (inside)");
    }
    bool known = true;
    if (st == APO_OK) {
        st = read_shape(sc, g, shape_id, parent, &known);
    }
    if (st == APO_OK && !known) {
        sc->n_dropped++;
        st = wsp_warn(sc->c, g, "%s gate of %s is not applied: the population and its "
                                "subpopulations are left out", (const char *)g->name, path);
        if (shape_id != path) {
            free(shape_id);
        }
        free(path);
        return st;
    }
    if (st == APO_OK && inside == 0.0) {
        const char *ops[1] = {shape_id};
        st = gate_strategy_add_boolean(sc->s->strategy, path, parent, GATE_BOOL_NOT, 1, ops, NULL,
                                       sc->c->err);
        if (st != APO_OK) {
            st = wsp_relabel(sc->c, g, st);
        }
    }
    if (shape_id != path) {
        free(shape_id);
    }
    if (st != APO_OK) {
        free(path);
        return st;
    }
    st = add_population(sc, el, path, gate_strategy_n_gates(sc->s->strategy) - 1);
    if (st == APO_OK) {
        st = read_subpops(sc, el, path, depth + 1);
    }
    return st;
}

/* Dependent names of a boolean node (absolute FlowJo paths); caller frees each and the array. */
static apo_status read_dependents(wsp_sample_ctx *sc, const xmlNode *el, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const xmlNode *deps = NULL;
    for (const xmlNode *k = el->children; k != NULL; k = k->next) {
        if (wsp_is_el(k, "", "Dependents")) {
            deps = k;
        }
    }
    size_t cap = 0;
    for (const xmlNode *k = deps ? deps->children : NULL; k != NULL; k = k->next) {
        cap += wsp_is_el(k, "", "Dependent");
    }
    if (cap == 0 || cap > FLOWJO_MAX_GATES) {
        return wsp_fail(sc->c, el, APO_E_FORMAT, "expected 1..%u Dependent elements, found %zu",
                        FLOWJO_MAX_GATES, cap);
    }
    char **v = calloc(cap, sizeof(char *));
    if (v == NULL) {
        return nomem(sc->c);
    }
    *out = v;
    for (const xmlNode *k = deps->children; k != NULL; k = k->next) {
        if (!wsp_is_el(k, "", "Dependent")) {
            continue;
        }
        char *nm = wsp_attr(k, NULL, "name");
        v[*n] = wsp_strdup(nm ? nm : "");
        xmlFree(nm);
        if (v[*n] == NULL) {
            return nomem(sc->c);
        }
        (*n)++;
    }
    return APO_OK;
}

static apo_status check_operands(wsp_sample_ctx *sc, const xmlNode *el, const char *path,
                                 char **ops, size_t n)
{
    size_t lp = strlen(path);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ops[i], path) == 0 ||
            (strncmp(ops[i], path, lp) == 0 && ops[i][lp] == '/')) {
            return wsp_fail(sc->c, el, APO_E_FORMAT,
                            "expected a boolean gate on other populations, found %s referring "
                            "to %s%s",
                            path, strcmp(ops[i], path) == 0 ? "itself" : "its own descendant ",
                            strcmp(ops[i], path) == 0 ? "" : ops[i]);
        }
    }
    return APO_OK;
}

static apo_status read_bool_node(wsp_sample_ctx *sc, const xmlNode *el, gate_bool_op op,
                                 const char *parent, unsigned depth)
{
    apo_status st = check_room(sc, el, depth);
    char *name = st == APO_OK ? wsp_attr(el, NULL, "name") : NULL;
    if (st == APO_OK && (name == NULL || name[0] == '\0')) {
        st = wsp_fail(sc->c, el, APO_E_FORMAT, "expected attribute name, found none");
    }
    char *path = st == APO_OK ? join_path(parent, name) : NULL;
    xmlFree(name);
    if (st != APO_OK || path == NULL) {
        free(path);
        return st != APO_OK ? st : nomem(sc->c);
    }
    char **ops = NULL;
    size_t n = 0;
    st = read_dependents(sc, el, &ops, &n);
    if (st == APO_OK && ((op == GATE_BOOL_NOT) != (n == 1))) {
        st = wsp_fail(sc->c, el, APO_E_FORMAT, "expected %s operand%s, found %zu",
                      op == GATE_BOOL_NOT ? "1" : "at least 2", op == GATE_BOOL_NOT ? "" : "s",
                      n);
    }
    if (st == APO_OK) {
        st = check_operands(sc, el, path, ops, n);
    }
    if (st == APO_OK) {
        st = gate_strategy_add_boolean(sc->s->strategy, path, parent, op, n,
                                       (const char *const *)ops, NULL, sc->c->err);
        if (st != APO_OK) {
            st = wsp_relabel(sc->c, el, st);
        }
    }
    for (size_t i = 0; ops != NULL && i < n; i++) {
        free(ops[i]);
    }
    free(ops);
    if (st != APO_OK) {
        free(path);
        return st;
    }
    st = add_population(sc, el, path, gate_strategy_n_gates(sc->s->strategy) - 1);
    if (st == APO_OK) {
        st = read_subpops(sc, el, path, depth + 1);
    }
    return st;
}

/* Statistics FlowJo shows that the report has as columns too. */
static bool reported_statistic(const char *name)
{
    return name != NULL && (strcmp(name, "Count") == 0 || strcmp(name, "Freq. of Parent") == 0 ||
                            strcmp(name, "Freq. of Total") == 0 || strcmp(name, "Median") == 0);
}

static apo_status read_subpops(wsp_sample_ctx *sc, const xmlNode *owner, const char *parent,
                               unsigned depth)
{
    for (const xmlNode *sp = owner->children; sp != NULL; sp = sp->next) {
        if (!wsp_is_el(sp, "", "Subpopulations")) {
            continue;
        }
        for (const xmlNode *k = sp->children; k != NULL; k = k->next) {
            apo_status st = APO_OK;
            if (k->type != XML_ELEMENT_NODE) {
                continue;
            }
            if (wsp_is_el(k, "", "Population")) {
                st = read_population(sc, k, parent, depth);
            } else if (wsp_is_el(k, "", "AndNode")) {
                st = read_bool_node(sc, k, GATE_BOOL_AND, parent, depth);
            } else if (wsp_is_el(k, "", "OrNode")) {
                st = read_bool_node(sc, k, GATE_BOOL_OR, parent, depth);
            } else if (wsp_is_el(k, "", "NotNode")) {
                st = read_bool_node(sc, k, GATE_BOOL_NOT, parent, depth);
            } else if (wsp_is_el(k, "", "Statistic")) {
                char *nm = wsp_attr(k, NULL, "name");
                if (!reported_statistic(nm)) {
                    st = wsp_warn(sc->c, k, "statistic \"%s\" of %s is not computed",
                                  nm ? nm : "?", parent ? parent : "the sample");
                }
                xmlFree(nm);
            } else {
                st = wsp_warn(sc->c, k, "%s under %s is not applied", (const char *)k->name,
                              parent ? parent : "the sample");
            }
            if (st != APO_OK) {
                return st;
            }
        }
    }
    return APO_OK;
}

apo_status wsp_read_tree(wsp_sample_ctx *sc, const xmlNode *node)
{
    apo_status st = read_subpops(sc, node, NULL, 1);
    if (st == APO_OK) {
        st = gate_strategy_validate(sc->s->strategy, sc->c->err);
        if (st != APO_OK) {
            st = wsp_relabel(sc->c, node, st);
        }
    }
    return st;
}

/* ---- group templates (listed, not applied: the samples hold the applied copies) ---------- */

static apo_status template_walk(wsp_ctx *c, const xmlNode *owner, const char *parent,
                                unsigned depth, flowjo_group *g, size_t *cap)
{
    if (depth > FLOWJO_MAX_DEPTH) {
        return wsp_fail(c, owner, APO_E_UNSUPPORTED,
                        "expected populations nested at most %u deep, found deeper",
                        FLOWJO_MAX_DEPTH);
    }
    for (const xmlNode *sp = owner->children; sp != NULL; sp = sp->next) {
        if (!wsp_is_el(sp, "", "Subpopulations")) {
            continue;
        }
        for (const xmlNode *k = sp->children; k != NULL; k = k->next) {
            if (!wsp_is_el(k, "", "Population") && !wsp_is_el(k, "", "AndNode") &&
                !wsp_is_el(k, "", "OrNode") && !wsp_is_el(k, "", "NotNode")) {
                continue;
            }
            if (g->n_template >= FLOWJO_MAX_GATES) {
                return wsp_fail(c, k, APO_E_UNSUPPORTED,
                                "expected at most %u populations in a group, found more",
                                FLOWJO_MAX_GATES);
            }
            char *name = wsp_attr(k, NULL, "name");
            char *path = join_path(parent, name ? name : "");
            xmlFree(name);
            if (path == NULL) {
                return nomem(c);
            }
            if (g->n_template == *cap) {
                size_t nc = *cap ? 2 * *cap : 16;
                char **np = realloc(g->template_paths, nc * sizeof(char *));
                if (np == NULL) {
                    free(path);
                    return nomem(c);
                }
                g->template_paths = np;
                *cap = nc;
            }
            g->template_paths[g->n_template++] = path;
            apo_status st = template_walk(c, k, path, depth + 1, g, cap);
            if (st != APO_OK) {
                return st;
            }
        }
    }
    return APO_OK;
}

apo_status wsp_read_template(wsp_ctx *c, const xmlNode *node, flowjo_group *g)
{
    size_t cap = 0;
    return template_walk(c, node, NULL, 1, g, &cap);
}
