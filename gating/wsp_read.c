/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wsp_read.c: reading a FlowJo 10 workspace (.wsp, XML) with libxml2: the workspace's matrix
 * list, its groups and their samples, and for every sample its compensation matrix, its
 * transforms (linear, log, logicle, biex, fasinh, hyperlog) and its gate tree (wsp_gates.c),
 * each sample into its own gate_strategy. The document is untrusted: no network, no DTD (so
 * no entity expansion), bounded nesting and counts; errors name the element and its line.
 */
#include "gating/flowjo.h"
#include "gating/gating_internal.h"
#include "gating/wsp_internal.h"
#include "gating/xml_internal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *node_ns(const xmlNode *n)
{
    return (n->ns != NULL && n->ns->href != NULL) ? (const char *)n->ns->href : "";
}

bool wsp_is_el(const xmlNode *n, const char *ns, const char *local)
{
    return n->type == XML_ELEMENT_NODE && strcmp(node_ns(n), ns) == 0 &&
           strcmp((const char *)n->name, local) == 0;
}

char *wsp_attr(const xmlNode *n, const char *ns, const char *local)
{
    xmlChar *v = ns != NULL ? xmlGetNsProp(n, (const xmlChar *)local, (const xmlChar *)ns) : NULL;
    if (v == NULL) {
        v = xmlGetNoNsProp(n, (const xmlChar *)local);
    }
    return (char *)v;
}

char *wsp_strdup(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

static void element_keyword(const xmlNode *n, char *kw, size_t cap)
{
    if (n == NULL) {
        kw[0] = '\0';
        return;
    }
    const char *prefix = (n->ns != NULL && n->ns->prefix != NULL) ? (const char *)n->ns->prefix : "";
    snprintf(kw, cap, "line %ld: %s%s%s", xmlGetLineNo(n), prefix, prefix[0] ? ":" : "",
             (const char *)n->name);
}

apo_status wsp_fail(wsp_ctx *c, const xmlNode *n, apo_status st, const char *fmt, ...)
{
    char kw[96];
    char msg[400];
    element_keyword(n, kw, sizeof kw);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return apo_error_set(c->err, st, c->name, APO_NO_OFFSET, kw, "%s", msg);
}

apo_status wsp_warn(wsp_ctx *c, const xmlNode *n, const char *fmt, ...)
{
    char kw[96];
    char msg[480];
    element_keyword(n, kw, sizeof kw);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char full[600];
    snprintf(full, sizeof full, "%s%s%s: %s", c->name, kw[0] ? ", " : "", kw, msg);
    flowjo_workspace *w = c->w;
    if (w->n_warnings >= 100000) {
        return APO_OK; /* enough said; the count limit keeps a hostile file bounded */
    }
    char **nw = realloc(w->warnings, (w->n_warnings + 1) * sizeof(char *));
    if (nw == NULL) {
        return apo_error_set(c->err, APO_E_NOMEM, c->name, APO_NO_OFFSET, NULL,
                             "expected memory for a warning, found none");
    }
    w->warnings = nw;
    w->warnings[w->n_warnings] = wsp_strdup(full);
    if (w->warnings[w->n_warnings] == NULL) {
        return apo_error_set(c->err, APO_E_NOMEM, c->name, APO_NO_OFFSET, NULL,
                             "expected memory for a warning, found none");
    }
    w->n_warnings++;
    return APO_OK;
}

apo_status wsp_num_attr(wsp_ctx *c, const xmlNode *n, const char *ns, const char *local,
                        bool optional, double dflt, double *out)
{
    char *v = wsp_attr(n, ns, local);
    if (v == NULL) {
        if (optional) {
            *out = dflt;
            return APO_OK;
        }
        return wsp_fail(c, n, APO_E_FORMAT, "expected attribute %s, found none", local);
    }
    bool ok = apo_parse_double(v, strlen(v), false, out);
    apo_status st = APO_OK;
    if (!ok) {
        st = wsp_fail(c, n, APO_E_FORMAT, "expected a number for %s, found \"%.60s\"", local, v);
    } else if (!(fabs(*out) <= FLOWJO_MAX_COORD)) {
        st = wsp_fail(c, n, APO_E_FORMAT, "expected |%s| <= %g, found %g", local,
                      FLOWJO_MAX_COORD, *out);
    }
    xmlFree(v);
    return st;
}

static apo_status nomem(wsp_ctx *c)
{
    return apo_error_set(c->err, APO_E_NOMEM, c->name, APO_NO_OFFSET, NULL,
                         "expected memory for the workspace, found none");
}

/* Re-label a builder's error with the document name and element. */
apo_status wsp_relabel(wsp_ctx *c, const xmlNode *n, apo_status st)
{
    char msg[APO_ERROR_MSG_SIZE];
    snprintf(msg, sizeof msg, "%s", c->err->msg); /* already holds the builder's keyword */
    return wsp_fail(c, n, st, "%s", msg);
}

static const xmlNode *first_child(const xmlNode *n, const char *ns, const char *local)
{
    for (const xmlNode *k = n->children; k != NULL; k = k->next) {
        if (wsp_is_el(k, ns, local)) {
            return k;
        }
    }
    return NULL;
}

/* ---- compensation ------------------------------------------------------------------------- */

typedef struct wsp_matrix {
    char *name, *prefix, *suffix;
    size_t n;
    char **detectors;
} wsp_matrix;

static void wsp_matrix_free(wsp_matrix *m)
{
    xmlFree(m->name);
    xmlFree(m->prefix);
    xmlFree(m->suffix);
    for (size_t i = 0; i < m->n && m->detectors != NULL; i++) {
        xmlFree(m->detectors[i]);
    }
    free(m->detectors);
    memset(m, 0, sizeof *m);
}

/* The detector names of a spilloverMatrix (data-type:parameters). */
static apo_status read_matrix_params(wsp_ctx *c, const xmlNode *m, wsp_matrix *out)
{
    const xmlNode *params = first_child(m, WSP_NS_DT, "parameters");
    if (params == NULL) {
        return wsp_fail(c, m, APO_E_FORMAT, "expected data-type:parameters, found none");
    }
    size_t n = 0;
    for (const xmlNode *k = params->children; k != NULL; k = k->next) {
        n += wsp_is_el(k, WSP_NS_DT, "parameter");
    }
    if (n == 0 || n > FLOWJO_MAX_PARAMS) {
        return wsp_fail(c, params, APO_E_FORMAT, "expected 1..%u parameters, found %zu",
                        FLOWJO_MAX_PARAMS, n);
    }
    out->detectors = calloc(n, sizeof(char *));
    if (out->detectors == NULL) {
        return nomem(c);
    }
    for (const xmlNode *k = params->children; k != NULL; k = k->next) {
        if (!wsp_is_el(k, WSP_NS_DT, "parameter")) {
            continue;
        }
        char *nm = wsp_attr(k, WSP_NS_DT, "name");
        if (nm == NULL || nm[0] == '\0') {
            xmlFree(nm);
            return wsp_fail(c, k, APO_E_FORMAT, "expected attribute name, found none");
        }
        out->detectors[out->n++] = nm;
    }
    return APO_OK;
}

/* The n x n coefficients (rows = spillover elements in order, columns by parameter name). */
static apo_status read_matrix_values(wsp_ctx *c, const xmlNode *m, const wsp_matrix *mx,
                                     double *values)
{
    size_t row = 0;
    for (const xmlNode *k = m->children; k != NULL; k = k->next) {
        if (!wsp_is_el(k, WSP_NS_TRANS, "spillover")) {
            continue;
        }
        if (row >= mx->n) {
            return wsp_fail(c, k, APO_E_FORMAT, "expected %zu spillover rows, found more", mx->n);
        }
        size_t col = 0;
        for (const xmlNode *e = k->children; e != NULL; e = e->next) {
            if (!wsp_is_el(e, WSP_NS_TRANS, "coefficient")) {
                continue;
            }
            if (col >= mx->n) {
                return wsp_fail(c, e, APO_E_FORMAT, "expected %zu coefficients, found more",
                                mx->n);
            }
            apo_status st = wsp_num_attr(c, e, WSP_NS_TRANS, "value", false, 0.0,
                                         &values[row * mx->n + col]);
            if (st != APO_OK) {
                return st;
            }
            col++;
        }
        if (col != mx->n) {
            return wsp_fail(c, k, APO_E_FORMAT, "expected %zu coefficients, found %zu", mx->n,
                            col);
        }
        row++;
    }
    if (row != mx->n) {
        return wsp_fail(c, m, APO_E_FORMAT, "expected %zu spillover rows, found %zu", mx->n, row);
    }
    return APO_OK;
}

/* A sample's transforms:spilloverMatrix into its strategy (id = the matrix's name). */
static apo_status read_sample_matrix(wsp_ctx *c, const xmlNode *m, flowjo_sample *s,
                                     wsp_matrix *mx)
{
    char *spectral = wsp_attr(m, NULL, "spectral");
    bool is_spectral = spectral != NULL && strcmp(spectral, "1") == 0;
    xmlFree(spectral);
    if (is_spectral) {
        return wsp_fail(c, m, APO_E_UNSUPPORTED,
                        "expected a conventional spillover matrix, found a spectral one");
    }
    mx->name = wsp_attr(m, NULL, "name");
    mx->prefix = wsp_attr(m, NULL, "prefix");
    mx->suffix = wsp_attr(m, NULL, "suffix");
    if (mx->name == NULL || mx->name[0] == '\0') {
        return wsp_fail(c, m, APO_E_FORMAT, "expected attribute name, found none");
    }
    apo_status st = read_matrix_params(c, m, mx);
    if (st != APO_OK) {
        return st;
    }
    double *values = malloc(mx->n * mx->n * sizeof(double));
    if (values == NULL) {
        return nomem(c);
    }
    st = read_matrix_values(c, m, mx, values);
    if (st == APO_OK) {
        st = gate_strategy_add_spillover(s->strategy, mx->name, mx->n,
                                         (const char *const *)mx->detectors, mx->n,
                                         (const char *const *)mx->detectors, values, false, c->err);
        if (st != APO_OK) {
            st = wsp_relabel(c, m, st);
        }
    }
    free(values);
    if (st == APO_OK) {
        s->matrix = wsp_strdup(mx->name);
        if (s->matrix == NULL) {
            st = nomem(c);
        }
    }
    return st;
}

/* The workspace's <Matrices> list (names, ids, sizes). */
static apo_status read_matrices(wsp_ctx *c, const xmlNode *list)
{
    flowjo_workspace *w = c->w;
    for (const xmlNode *m = list->children; m != NULL; m = m->next) {
        if (!wsp_is_el(m, WSP_NS_TRANS, "spilloverMatrix")) {
            continue;
        }
        if (w->n_matrices >= FLOWJO_MAX_SAMPLES) {
            return wsp_fail(c, m, APO_E_UNSUPPORTED, "expected at most %u matrices, found more",
                            FLOWJO_MAX_SAMPLES);
        }
        flowjo_matrix *nm = realloc(w->matrices, (w->n_matrices + 1) * sizeof *nm);
        if (nm == NULL) {
            return nomem(c);
        }
        w->matrices = nm;
        flowjo_matrix *fm = &w->matrices[w->n_matrices++];
        memset(fm, 0, sizeof *fm);
        char *name = wsp_attr(m, NULL, "name");
        char *id = wsp_attr(m, WSP_NS_TRANS, "id");
        fm->name = wsp_strdup(name ? name : "");
        fm->id = wsp_strdup(id ? id : "");
        xmlFree(name);
        xmlFree(id);
        if (fm->name == NULL || fm->id == NULL) {
            return nomem(c);
        }
        const xmlNode *params = first_child(m, WSP_NS_DT, "parameters");
        for (const xmlNode *k = params ? params->children : NULL; k != NULL; k = k->next) {
            fm->n += wsp_is_el(k, WSP_NS_DT, "parameter");
        }
    }
    return APO_OK;
}

/* ---- transforms --------------------------------------------------------------------------- */

/* FlowJo's transform element @p x as a gate_transform; *known false for kinds apoflow does
 * not apply (the caller warns). */
static apo_status read_transform(wsp_ctx *c, const xmlNode *x, gate_transform *t, bool *known)
{
    const char *kind = (const char *)x->name;
    double p[5] = {0};
    apo_status st = APO_OK;
    *known = true;
    if (strcmp(kind, "linear") == 0) {
        /* linear over [minRange, maxRange] -> 0..1: flin(T = max, A = -min) */
        st = wsp_num_attr(c, x, WSP_NS_TRANS, "minRange", true, 0.0, &p[0]);
        if (st == APO_OK) {
            st = wsp_num_attr(c, x, WSP_NS_TRANS, "maxRange", true, 262144.0, &p[1]);
        }
        if (st == APO_OK && !(p[1] > p[0])) {
            return wsp_fail(c, x, APO_E_FORMAT, "expected maxRange > minRange, found %g, %g",
                            p[1], p[0]);
        }
        if (st == APO_OK) {
            st = p[1] > 0.0 ? gate_transform_init_flin(t, p[1], -p[0], c->err)
                            : apo_error_set(c->err, APO_E_UNSUPPORTED, NULL, APO_NO_OFFSET,
                                            NULL, "expected maxRange > 0, found %g", p[1]);
        }
    } else if (strcmp(kind, "log") == 0) {
        /* (log10 x - log10 offset) / decades = flog(T = offset 10^decades, M = decades) */
        st = wsp_num_attr(c, x, WSP_NS_TRANS, "offset", false, 0.0, &p[0]);
        if (st == APO_OK) {
            st = wsp_num_attr(c, x, WSP_NS_TRANS, "decades", false, 0.0, &p[1]);
        }
        if (st == APO_OK) {
            st = gate_transform_init_flog(t, p[0] * pow(10.0, p[1]), p[1], c->err);
        }
    } else if (strcmp(kind, "logicle") == 0 || strcmp(kind, "hyperlog") == 0 ||
               strcmp(kind, "fasinh") == 0) {
        static const char *const names[4] = {"T", "W", "M", "A"};
        static const double dflt[4] = {262144.0, 0.5, 4.5, 0.0};
        for (int i = 0; i < 4 && st == APO_OK; i++) {
            st = wsp_num_attr(c, x, WSP_NS_TRANS, names[i], i != 0, dflt[i], &p[i]);
        }
        if (st == APO_OK && kind[0] == 'l') {
            st = gate_transform_init_logicle(t, p[0], p[1], p[2], p[3], c->err);
        } else if (st == APO_OK && kind[0] == 'h') {
            st = gate_transform_init_hyperlog(t, p[0], p[1], p[2], p[3], c->err);
        } else if (st == APO_OK) {
            /* FlowJo's W and length of fasinh do not change the gated region */
            st = gate_transform_init_fasinh(t, p[0], p[2], p[3], c->err);
        }
    } else if (strcmp(kind, "biex") == 0) {
        static const char *const names[4] = {"pos", "neg", "width", "maxRange"};
        static const double dflt[4] = {4.418540, 0.0, -10.0, 262144.000029};
        for (int i = 0; i < 4 && st == APO_OK; i++) {
            st = wsp_num_attr(c, x, WSP_NS_TRANS, names[i], true, dflt[i], &p[i]);
        }
        if (st == APO_OK) {
            st = gate_transform_init_biex(t, p[0], p[1], p[2], p[3], 4096, c->err);
        }
    } else {
        *known = false;
        return APO_OK;
    }
    /* builders set no file name; errors of wsp_num_attr already name the element */
    if (st != APO_OK && c->err->file[0] == '\0') {
        return wsp_relabel(c, x, st);
    }
    return st;
}

static void xforms_free(wsp_xform *xf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xmlFree(xf[i].param);
    }
    free(xf);
}

/* A sample's <Transformations> into its strategy (one transform per parameter name). */
static apo_status read_transforms(wsp_ctx *c, const xmlNode *list, flowjo_sample *s,
                                  wsp_xform **out, size_t *n_out)
{
    size_t n = 0;
    for (const xmlNode *x = list->children; x != NULL; x = x->next) {
        n += x->type == XML_ELEMENT_NODE;
    }
    if (n > FLOWJO_MAX_PARAMS) {
        return wsp_fail(c, list, APO_E_UNSUPPORTED, "expected at most %u transforms, found %zu",
                        FLOWJO_MAX_PARAMS, n);
    }
    wsp_xform *xf = calloc(n ? n : 1, sizeof *xf);
    if (xf == NULL) {
        return nomem(c);
    }
    size_t k = 0;
    apo_status st = APO_OK;
    for (const xmlNode *x = list->children; x != NULL && st == APO_OK; x = x->next) {
        if (x->type != XML_ELEMENT_NODE) {
            continue;
        }
        const xmlNode *pe = first_child(x, WSP_NS_DT, "parameter");
        char *param = pe ? wsp_attr(pe, WSP_NS_DT, "name") : NULL;
        if (param == NULL || param[0] == '\0') {
            xmlFree(param);
            st = wsp_fail(c, x, APO_E_FORMAT, "expected a data-type:parameter name, found none");
            break;
        }
        bool known = false;
        gate_transform t;
        st = read_transform(c, x, &t, &known);
        if (st == APO_OK && !known) {
            st = wsp_warn(c, x, "transform \"%s\" of %s is not applied: gates on %s are read "
                                "on the data values", (const char *)x->name, param, param);
            xmlFree(param);
            continue;
        }
        if (st == APO_OK && gate_strategy_transform(s->strategy, param) != NULL) {
            st = wsp_warn(c, x, "a second transform for %s is ignored", param);
            xmlFree(param);
            continue;
        }
        if (st == APO_OK) {
            st = gate_strategy_add_transform(s->strategy, param, &t, c->err);
        }
        if (st != APO_OK) {
            xmlFree(param);
            break;
        }
        xf[k].param = param;
        xf[k].t = t;
        k++;
    }
    if (st != APO_OK) {
        xforms_free(xf, k);
        return st;
    }
    *out = xf;
    *n_out = k;
    s->n_transforms = k;
    return APO_OK;
}

/* ---- samples ------------------------------------------------------------------------------ */

static apo_status read_keywords(wsp_ctx *c, const xmlNode *kws, flowjo_sample *s)
{
    for (const xmlNode *k = kws->children; k != NULL; k = k->next) {
        if (!wsp_is_el(k, "", "Keyword")) {
            continue;
        }
        char *name = wsp_attr(k, NULL, "name");
        if (name != NULL && strcmp(name, "$FIL") == 0 && s->file == NULL) {
            char *v = wsp_attr(k, NULL, "value");
            s->file = wsp_strdup(v ? v : "");
            xmlFree(v);
            if (s->file == NULL) {
                xmlFree(name);
                return nomem(c);
            }
        }
        xmlFree(name);
    }
    return APO_OK;
}

apo_status wsp_count_attr(wsp_ctx *c, const xmlNode *n, int64_t *out)
{
    double v = -1.0;
    apo_status st = wsp_num_attr(c, n, NULL, "count", true, -1.0, &v);
    *out = (st == APO_OK && v >= 0.0 && v <= 9007199254740992.0 && v == floor(v)) ? (int64_t)v
                                                                                 : -1;
    return st;
}

/* Strings of a Sample element: DataSet uri and sampleID, SampleNode name and count. */
static apo_status read_sample_head(wsp_ctx *c, const xmlNode *ds, const xmlNode *node,
                                   flowjo_sample *s)
{
    char *uri = wsp_attr(ds, NULL, "uri");
    char *id = wsp_attr(ds, NULL, "sampleID");
    char *name = wsp_attr(node, NULL, "name");
    s->uri = wsp_strdup(uri ? uri : "");
    s->id = wsp_strdup(id ? id : "");
    s->name = wsp_strdup(name ? name : "");
    xmlFree(uri);
    xmlFree(id);
    xmlFree(name);
    if (s->uri == NULL || s->id == NULL || s->name == NULL) {
        return nomem(c);
    }
    if (s->id[0] == '\0') {
        return wsp_fail(c, ds, APO_E_FORMAT, "expected attribute sampleID, found none");
    }
    return wsp_count_attr(c, node, &s->count);
}

static apo_status read_sample(wsp_ctx *c, const xmlNode *el, flowjo_sample *s)
{
    const xmlNode *ds = first_child(el, "", "DataSet");
    const xmlNode *node = first_child(el, "", "SampleNode");
    if (ds == NULL || node == NULL) {
        return wsp_fail(c, el, APO_E_FORMAT, "expected DataSet and SampleNode, found %s missing",
                        ds == NULL ? "DataSet" : "SampleNode");
    }
    apo_status st = read_sample_head(c, ds, node, s);
    if (st == APO_OK) {
        st = gate_strategy_new(&s->strategy, c->err);
    }
    wsp_matrix mx;
    memset(&mx, 0, sizeof mx);
    wsp_xform *xf = NULL;
    size_t n_xf = 0;
    size_t n_matrices = 0;
    for (const xmlNode *k = el->children; k != NULL && st == APO_OK; k = k->next) {
        if (wsp_is_el(k, WSP_NS_TRANS, "spilloverMatrix")) {
            if (n_matrices++ > 0) {
                st = wsp_fail(c, k, APO_E_UNSUPPORTED,
                              "expected one spillover matrix per sample, found more");
            } else {
                st = read_sample_matrix(c, k, s, &mx);
            }
        } else if (wsp_is_el(k, "", "Transformations") && xf == NULL) {
            st = read_transforms(c, k, s, &xf, &n_xf);
        } else if (wsp_is_el(k, "", "Keywords")) {
            st = read_keywords(c, k, s);
        }
    }
    if (st == APO_OK) {
        wsp_sample_ctx sc = {.c = c,
                             .s = s,
                             .matrix_id = mx.name,
                             .prefix = mx.prefix ? mx.prefix : "",
                             .suffix = mx.suffix ? mx.suffix : "",
                             .n_det = mx.n,
                             .detectors = mx.detectors,
                             .n_xf = n_xf,
                             .xf = xf};
        st = wsp_read_tree(&sc, node);
    }
    xforms_free(xf, n_xf);
    wsp_matrix_free(&mx);
    return st;
}

static apo_status read_samples(wsp_ctx *c, const xmlNode *list)
{
    flowjo_workspace *w = c->w;
    size_t n = 0;
    for (const xmlNode *k = list->children; k != NULL; k = k->next) {
        n += wsp_is_el(k, "", "Sample");
    }
    if (n > FLOWJO_MAX_SAMPLES) {
        return wsp_fail(c, list, APO_E_UNSUPPORTED, "expected at most %u samples, found %zu",
                        FLOWJO_MAX_SAMPLES, n);
    }
    w->samples = calloc(n ? n : 1, sizeof *w->samples);
    if (w->samples == NULL) {
        return nomem(c);
    }
    for (const xmlNode *k = list->children; k != NULL; k = k->next) {
        if (!wsp_is_el(k, "", "Sample")) {
            continue;
        }
        flowjo_sample *s = &w->samples[w->n_samples++];
        apo_status st = read_sample(c, k, s);
        if (st != APO_OK) {
            return st;
        }
        for (size_t j = 0; j + 1 < w->n_samples; j++) {
            if (strcmp(w->samples[j].id, s->id) == 0) {
                return wsp_fail(c, k, APO_E_FORMAT, "expected unique sampleIDs, found %s twice",
                                s->id);
            }
        }
    }
    return APO_OK;
}

/* ---- groups ------------------------------------------------------------------------------- */

static size_t sample_by_id(const flowjo_workspace *w, const char *id)
{
    for (size_t i = 0; i < w->n_samples; i++) {
        if (strcmp(w->samples[i].id, id) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

static apo_status read_group_refs(wsp_ctx *c, const xmlNode *group, flowjo_group *g)
{
    const xmlNode *refs = group ? first_child(group, "", "SampleRefs") : NULL;
    size_t n = 0;
    for (const xmlNode *k = refs ? refs->children : NULL; k != NULL; k = k->next) {
        n += wsp_is_el(k, "", "SampleRef");
    }
    if (n > FLOWJO_MAX_SAMPLES) {
        return wsp_fail(c, refs, APO_E_UNSUPPORTED, "expected at most %u samples, found %zu",
                        FLOWJO_MAX_SAMPLES, n);
    }
    g->samples = calloc(n ? n : 1, sizeof(size_t));
    if (g->samples == NULL) {
        return nomem(c);
    }
    for (const xmlNode *k = refs ? refs->children : NULL; k != NULL; k = k->next) {
        if (!wsp_is_el(k, "", "SampleRef")) {
            continue;
        }
        char *id = wsp_attr(k, NULL, "sampleID");
        size_t i = id ? sample_by_id(c->w, id) : SIZE_MAX;
        if (i == SIZE_MAX) {
            apo_status st = wsp_fail(c, k, APO_E_FORMAT,
                                     "expected the sampleID of a sample, found \"%.60s\"",
                                     id ? id : "");
            xmlFree(id);
            return st;
        }
        xmlFree(id);
        g->samples[g->n_samples++] = i;
    }
    return APO_OK;
}

static apo_status read_groups(wsp_ctx *c, const xmlNode *list)
{
    flowjo_workspace *w = c->w;
    size_t n = 0;
    for (const xmlNode *k = list->children; k != NULL; k = k->next) {
        n += wsp_is_el(k, "", "GroupNode");
    }
    if (n > FLOWJO_MAX_SAMPLES) {
        return wsp_fail(c, list, APO_E_UNSUPPORTED, "expected at most %u groups, found %zu",
                        FLOWJO_MAX_SAMPLES, n);
    }
    w->groups = calloc(n ? n : 1, sizeof *w->groups);
    if (w->groups == NULL) {
        return nomem(c);
    }
    for (const xmlNode *k = list->children; k != NULL; k = k->next) {
        if (!wsp_is_el(k, "", "GroupNode")) {
            continue;
        }
        flowjo_group *g = &w->groups[w->n_groups++];
        char *name = wsp_attr(k, NULL, "name");
        g->name = wsp_strdup(name ? name : "");
        xmlFree(name);
        if (g->name == NULL) {
            return nomem(c);
        }
        apo_status st = read_group_refs(c, first_child(k, "", "Group"), g);
        if (st == APO_OK) {
            st = wsp_read_template(c, k, g);
        }
        if (st != APO_OK) {
            return st;
        }
    }
    return APO_OK;
}

/* ---- document ----------------------------------------------------------------------------- */

static apo_status read_root(wsp_ctx *c, const xmlDoc *doc)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (root == NULL || !wsp_is_el(root, "", "Workspace")) {
        return wsp_fail(c, root, APO_E_FORMAT, "expected root element Workspace, found %s",
                        root ? (const char *)root->name : "none");
    }
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        return wsp_fail(c, root, APO_E_FORMAT,
                        "expected no DOCTYPE (entity declarations are refused), found one");
    }
    const xmlNode *samples = first_child(root, "", "SampleList");
    if (samples == NULL) {
        return wsp_fail(c, root, APO_E_FORMAT, "expected a SampleList, found none");
    }
    const xmlNode *matrices = first_child(root, "", "Matrices");
    apo_status st = matrices ? read_matrices(c, matrices) : APO_OK;
    if (st == APO_OK) {
        st = read_samples(c, samples);
    }
    const xmlNode *groups = first_child(root, "", "Groups");
    if (st == APO_OK && groups != NULL) {
        st = read_groups(c, groups);
    }
    return st;
}

apo_status flowjo_workspace_read_buffer(flowjo_workspace *out, const char *buf, size_t len,
                                        const char *name, apo_error *err)
{
    memset(out, 0, sizeof *out);
    apo_error local;
    if (err == NULL) {
        err = &local;
    }
    apo_error_clear(err);
    xmlDoc *doc = NULL;
    apo_status st = gate_xml_parse(buf, len, name, "a workspace", &doc, err);
    if (st == APO_OK) {
        wsp_ctx c = {.name = name, .err = err, .w = out};
        st = read_root(&c, doc);
    }
    xmlFreeDoc(doc);
    if (st != APO_OK) {
        flowjo_workspace_free(out);
    }
    return st;
}

apo_status flowjo_workspace_read(flowjo_workspace *out, const char *path, apo_error *err)
{
    memset(out, 0, sizeof *out);
    char *buf = NULL;
    size_t len = 0;
    apo_status st = apo_read_small_file(path, (size_t)1 << 30, "workspace", &buf, &len, err);
    if (st != APO_OK) {
        return st;
    }
    st = flowjo_workspace_read_buffer(out, buf, len, path, err);
    free(buf);
    return st;
}

void flowjo_workspace_free(flowjo_workspace *w)
{
    if (w == NULL) {
        return;
    }
    for (size_t i = 0; i < w->n_samples; i++) {
        flowjo_sample *s = &w->samples[i];
        free(s->id);
        free(s->name);
        free(s->uri);
        free(s->file);
        free(s->matrix);
        gate_strategy_free(s->strategy);
        for (size_t p = 0; p < s->n_populations; p++) {
            free(s->populations[p].path);
        }
        free(s->populations);
    }
    free(w->samples);
    for (size_t i = 0; i < w->n_groups; i++) {
        free(w->groups[i].name);
        free(w->groups[i].samples);
        for (size_t p = 0; p < w->groups[i].n_template; p++) {
            free(w->groups[i].template_paths[p]);
        }
        free(w->groups[i].template_paths);
    }
    free(w->groups);
    for (size_t i = 0; i < w->n_matrices; i++) {
        free(w->matrices[i].name);
        free(w->matrices[i].id);
    }
    free(w->matrices);
    for (size_t i = 0; i < w->n_warnings; i++) {
        free(w->warnings[i]);
    }
    free(w->warnings);
    memset(w, 0, sizeof *w);
}

/* ---- queries ------------------------------------------------------------------------------ */

size_t flowjo_workspace_find_group(const flowjo_workspace *w, const char *name)
{
    for (size_t i = 0; i < w->n_groups; i++) {
        if (strcmp(w->groups[i].name, name) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

static const char *base_name(const char *p)
{
    const char *b = p;
    for (const char *q = p; *q; q++) {
        if (*q == '/' || *q == '\\') {
            b = q + 1;
        }
    }
    return b;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

bool flowjo_uri_path(const char *uri, char *buf, size_t cap)
{
    if (cap == 0 || strncmp(uri, "file:", 5) != 0) {
        return false;
    }
    const char *p = uri + 5;
    while (p[0] == '/' && p[1] == '/') { /* file:///x, file:////server/x -> /x, //server/x */
        p++;
    }
    size_t o = 0;
    for (; *p && o + 1 < cap; p++) {
        int hi = p[0] == '%' ? hex_value(p[1]) : -1;
        int lo = hi >= 0 ? hex_value(p[2]) : -1;
        if (lo >= 0) {
            buf[o++] = (char)(hi * 16 + lo);
            p += 2;
        } else {
            buf[o++] = *p;
        }
    }
    buf[o] = '\0';
    return *p == '\0';
}

size_t flowjo_workspace_match(const flowjo_workspace *w, const char *fcs_path, const char *fil,
                              const bool *allowed)
{
    for (size_t i = 0; fil != NULL && fil[0] && i < w->n_samples; i++) {
        if ((allowed == NULL || allowed[i]) && w->samples[i].file != NULL &&
            strcmp(w->samples[i].file, fil) == 0) {
            return i;
        }
    }
    const char *base = base_name(fcs_path);
    char p[4096];
    for (size_t i = 0; i < w->n_samples; i++) {
        if (allowed != NULL && !allowed[i]) {
            continue;
        }
        const flowjo_sample *s = &w->samples[i];
        if (flowjo_uri_path(s->uri, p, sizeof p) && strcmp(base_name(p), base) == 0) {
            return i;
        }
        if (strcmp(s->name, base) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

bool flowjo_is_workspace(const char *buf, size_t len)
{
    /* the first element after the prolog, comments and processing instructions */
    size_t i = 0;
    while (i < len) {
        while (i < len && buf[i] != '<') {
            i++;
        }
        if (i + 1 >= len) {
            return false;
        }
        if (buf[i + 1] == '?' || buf[i + 1] == '!') {
            i++;
            continue;
        }
        return len - i > 10 && strncmp(buf + i + 1, "Workspace", 9) == 0 &&
               (buf[i + 10] == ' ' || buf[i + 10] == '>' || buf[i + 10] == '\t' ||
                buf[i + 10] == '\n' || buf[i + 10] == '\r' || buf[i + 10] == '/');
    }
    return false;
}

bool flowjo_path_is_workspace(const char *path)
{
    size_t n = strlen(path);
    if (n >= 4 && (strcmp(path + n - 4, ".wsp") == 0 || strcmp(path + n - 4, ".WSP") == 0)) {
        return true;
    }
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return false;
    }
    char head[4096];
    size_t got = fread(head, 1, sizeof head, fp);
    fclose(fp);
    return flowjo_is_workspace(head, got);
}
