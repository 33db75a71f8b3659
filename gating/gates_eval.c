/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gates_eval.c: evaluating a gate_strategy on one data set. Dimension values are computed
 * once per distinct dimension (channel lookup, compensation, fratio, transform) and cached;
 * gates are evaluated in dependency order into uint8 membership rows, each ANDed with its
 * parent's final row.
 */
#include "gating/gate.h"
#include "gating/gates_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A compensated block: the output of one matrix for every event. */
typedef struct comp_block {
    const char *ref; /* "FCS" or a matrix id */
    size_t n;        /* rows of the matrix */
    const char *const *names; /* n output names (fluorochromes, or FCS detector names) */
    double *cols;    /* n * n_events, or NULL when the matrix is absent (FCS without spill) */
    size_t *det;     /* n channel indices of the detectors */
} comp_block;

typedef struct dim_entry {
    gate_dim dim;
    bool transformed;
    const double *vals;
    double *owned; /* vals when computed here; NULL when vals borrows a column */
} dim_entry;

/* A dimension's events classified against one limit on its scale (gs_window_classify). */
typedef struct limit_entry {
    gate_dim dim;
    double y;
    uint8_t *cls;
} limit_entry;

typedef struct eval_ctx {
    const gate_strategy *s;
    const gate_data *d;
    size_t n_comp;
    comp_block comp[32];
    size_t n_dimc, cap_dimc;
    dim_entry *dimc;
    size_t n_lim, cap_lim;
    limit_entry *lim;
    bool *used; /* NULL, or the channels read are marked here (gate_strategy_columns) */
} eval_ctx;

static void ctx_free(eval_ctx *c)
{
    for (size_t i = 0; i < c->n_comp; i++) {
        free(c->comp[i].cols);
        free(c->comp[i].det);
    }
    for (size_t i = 0; i < c->n_dimc; i++) {
        free(c->dimc[i].owned);
    }
    free(c->dimc);
    for (size_t i = 0; i < c->n_lim; i++) {
        free(c->lim[i].cls);
    }
    free(c->lim);
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) {
            return false;
        }
    }
    return *a == *b;
}

/* Channel index of @p name in @p d: exact $PnN, exact $PnS, then case-insensitive $PnN. */
static size_t find_channel(const gate_data *d, const char *name)
{
    for (size_t p = 0; p < d->n_params; p++) {
        if (d->names[p] != NULL && strcmp(d->names[p], name) == 0) {
            return p;
        }
    }
    for (size_t p = 0; d->labels != NULL && p < d->n_params; p++) {
        if (d->labels[p] != NULL && d->labels[p][0] != '\0' && strcmp(d->labels[p], name) == 0) {
            return p;
        }
    }
    for (size_t p = 0; p < d->n_params; p++) {
        if (d->names[p] != NULL && ascii_ieq(d->names[p], name)) {
            return p;
        }
    }
    return SIZE_MAX;
}

static const char *strip_comp_prefix(const char *name)
{
    if (strncmp(name, "Comp-", 5) == 0 && name[5] != '\0') {
        return name + 5;
    }
    return name;
}

static apo_status missing_channel(const char *name, const char *what, apo_error *err)
{
    return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, name,
                         "expected %s in the data, found no channel \"%s\"", what, name);
}

/* o[e] += x[e] * a for the n events (a product then a sum, never fused: ISO C mode). */
APO_CLONES("avx512f", "avx2")
static void add_scaled(double *restrict o, const double *restrict x, double a, size_t n)
{
    for (size_t e = 0; e < n; e++) {
        o[e] += x[e] * a;
    }
}

/* Compensate: out[j] = sum_i o[i] * inv[i][j] (t = o S^-1), for the detector channels
 * @p det (n of them); @p inv is S^-1 (gate_comp's inverse), row-major. By chunks of events
 * small enough that the chunk's inputs and outputs stay in the first-level cache (instead
 * of n passes over whole columns per output); each value is the same sum, from +0 over
 * i = 0 .. n - 1 in order. */
static void compensate_block(const gate_data *d, size_t n, const size_t *det, const double *inv,
                             double *out)
{
    enum { CHUNK = 512 };
    const size_t ne = d->n_events;
    for (size_t c0 = 0; c0 < ne; c0 += CHUNK) {
        const size_t len = ne - c0 < CHUNK ? ne - c0 : CHUNK;
        for (size_t j = 0; j < n; j++) {
            double *o = out + j * ne + c0;
            memset(o, 0, len * sizeof(double));
            for (size_t i = 0; i < n; i++) { /* out is its own block: no overlap */
                add_scaled(o, d->values + det[i] * ne + c0, inv[i * n + j], len);
            }
        }
    }
}

static apo_status get_comp(eval_ctx *c, const char *ref, const comp_block **out, apo_error *err)
{
    for (size_t i = 0; i < c->n_comp; i++) {
        if (strcmp(c->comp[i].ref, ref) == 0) {
            *out = &c->comp[i];
            return APO_OK;
        }
    }
    if (c->n_comp == sizeof(c->comp) / sizeof(c->comp[0])) {
        return apo_error_set(err, APO_E_RANGE, NULL, APO_NO_OFFSET, ref,
                             "expected at most 32 compensation matrices per strategy, found more");
    }
    comp_block *b = &c->comp[c->n_comp];
    memset(b, 0, sizeof(*b));
    b->ref = ref;
    const gate_data *d = c->d;
    size_t n = 0;
    const double *inv = NULL;
    gate_comp *made = NULL;
    const char *const *det_names = NULL;
    apo_status st = APO_OK;
    if (strcmp(ref, GATE_COMP_FCS) == 0) {
        if (d->comp == NULL) {
            c->n_comp++;
            *out = b; /* no matrix: "FCS" means uncompensated */
            return APO_OK;
        }
        n = d->comp->n;
        inv = d->comp->inverse;
        det_names = (const char *const *)d->comp->detectors;
        b->names = det_names;
    } else {
        const gs_spill *m = gs_find_spill(c->s, ref);
        if (m == NULL) {
            return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, ref,
                                 "expected a defined spectrumMatrix, found none with this id");
        }
        n = m->n;
        det_names = (const char *const *)m->detectors;
        b->names = (const char *const *)m->fluoro;
        if (m->inverted) {
            inv = m->values;
        } else {
            st = gate_comp_new(&made, n, det_names, b->names, m->values, err);
            if (st != APO_OK) {
                return st;
            }
            inv = made->inverse;
        }
    }
    size_t *det = malloc(n * sizeof(size_t));
    size_t bytes;
    if (det == NULL || !apo_mul_size(n * sizeof(double), d->n_events ? d->n_events : 1, &bytes) ||
        (b->cols = malloc(bytes)) == NULL) {
        free(det);
        gate_comp_free(made);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, ref,
                             "expected memory for compensated values, found none");
    }
    for (size_t i = 0; i < n && st == APO_OK; i++) {
        det[i] = find_channel(d, det_names[i]);
        if (det[i] == SIZE_MAX) {
            det[i] = find_channel(d, strip_comp_prefix(det_names[i]));
        }
        if (det[i] == SIZE_MAX) {
            st = missing_channel(det_names[i], "the spillover matrix's detector", err);
        }
    }
    for (size_t i = 0; i < n && st == APO_OK && c->used != NULL; i++) {
        c->used[det[i]] = true;
    }
    if (st == APO_OK) {
        compensate_block(d, n, det, inv, b->cols);
    }
    gate_comp_free(made);
    if (st != APO_OK) {
        free(det);
        free(b->cols);
        b->cols = NULL;
        return st;
    }
    b->det = det;
    b->n = n;
    c->n_comp++;
    *out = b;
    return APO_OK;
}

/* The column of channel/fluorochrome @p name under compensation @p ref. */
static apo_status comp_column(eval_ctx *c, const char *ref, const char *name, const double **out,
                              apo_error *err)
{
    const gate_data *d = c->d;
    if (!gs_comp_is_none(ref)) {
        const comp_block *b = NULL;
        apo_status st = get_comp(c, ref, &b, err);
        if (st != APO_OK) {
            return st;
        }
        if (b->cols != NULL) {
            const char *bare = strip_comp_prefix(name);
            for (size_t k = 0; k < b->n; k++) {
                if (strcmp(b->names[k], name) == 0 || strcmp(b->names[k], bare) == 0) {
                    *out = b->cols + k * d->n_events;
                    return APO_OK;
                }
            }
            /* Otherwise the channel itself (by $PnN, $PnS, any case): if it is a detector of
             * the matrix, its row's compensated value (detector k <-> row k). */
            size_t p = find_channel(d, name);
            if (p == SIZE_MAX) {
                p = find_channel(d, bare);
            }
            for (size_t k = 0; p != SIZE_MAX && k < b->n; k++) {
                if (b->det[k] == p) {
                    *out = b->cols + k * d->n_events;
                    return APO_OK;
                }
            }
        }
        name = strip_comp_prefix(name);
    }
    size_t p = find_channel(d, name);
    if (p == SIZE_MAX) {
        return missing_channel(name, gs_comp_is_none(ref) ? "a channel" : "a channel or fluorochrome",
                               err);
    }
    if (c->used != NULL) {
        c->used[p] = true;
    }
    *out = d->values + p * d->n_events;
    return APO_OK;
}

static bool str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

static bool dim_eq(const gate_dim *a, const gate_dim *b)
{
    return str_eq(a->name, b->name) && gs_comp_is_none(a->comp_ref) == gs_comp_is_none(b->comp_ref) &&
           (gs_comp_is_none(a->comp_ref) || str_eq(a->comp_ref, b->comp_ref)) &&
           str_eq(a->transform_ref, b->transform_ref) && str_eq(a->ratio_ref, b->ratio_ref);
}

/* Compute a dimension into @p out (n_events values). */
static apo_status compute_dim(eval_ctx *c, const gate_dim *dim, bool transformed, double *out,
                              apo_error *err)
{
    const gate_data *d = c->d;
    const size_t ne = d->n_events;
    apo_status st;
    if (dim->ratio_ref != NULL) {
        const gs_ratio *r = gs_find_ratio(c->s, dim->ratio_ref);
        if (r == NULL) {
            return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, dim->ratio_ref,
                                 "expected a defined fratio, found none with this id");
        }
        const double *x1, *x2;
        st = comp_column(c, dim->comp_ref, r->x1, &x1, err);
        if (st == APO_OK) {
            st = comp_column(c, dim->comp_ref, r->x2, &x2, err);
        }
        if (st != APO_OK) {
            return st;
        }
        for (size_t e = 0; e < ne; e++) {
            out[e] = gate_fratio(r->A, r->B, r->C, x1[e], x2[e]);
        }
    } else {
        if (dim->name == NULL) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                                 "expected a dimension name or ratio, found neither");
        }
        const double *x;
        st = comp_column(c, dim->comp_ref, dim->name, &x, err);
        if (st != APO_OK) {
            return st;
        }
        memcpy(out, x, ne * sizeof(double));
    }
    if (transformed && dim->transform_ref != NULL) {
        const gs_transform *t = gs_find_transform(c->s, dim->transform_ref);
        if (t == NULL) {
            return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, dim->transform_ref,
                                 "expected a defined transformation, found none with this id");
        }
        gate_transform_apply_array(&t->t, out, out, ne);
    }
    return APO_OK;
}

/* Cached dimension values, transformed or raw (borrowed from the context). */
static apo_status dim_cached_as(eval_ctx *c, const gate_dim *dim, bool transformed,
                                const double **out, apo_error *err)
{
    for (size_t i = 0; i < c->n_dimc; i++) {
        if (c->dimc[i].transformed == transformed && dim_eq(&c->dimc[i].dim, dim)) {
            *out = c->dimc[i].vals;
            return APO_OK;
        }
    }
    if (c->n_dimc == c->cap_dimc) {
        size_t ncap = c->cap_dimc ? 2 * c->cap_dimc : 16;
        dim_entry *nd = realloc(c->dimc, ncap * sizeof(*nd));
        if (nd == NULL) {
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                 "expected memory for dimension values, found none");
        }
        c->dimc = nd;
        c->cap_dimc = ncap;
    }
    if (dim->ratio_ref == NULL && dim->name != NULL &&
        (!transformed || dim->transform_ref == NULL)) {
        /* the values are a column as it is (compute_dim would copy it): borrowed */
        const double *x = NULL;
        apo_status st = comp_column(c, dim->comp_ref, dim->name, &x, err);
        if (st != APO_OK) {
            return st;
        }
        c->dimc[c->n_dimc] = (dim_entry){*dim, transformed, x, NULL};
        c->n_dimc++;
        *out = x;
        return APO_OK;
    }
    double *v = malloc((c->d->n_events ? c->d->n_events : 1) * sizeof(double));
    if (v == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for dimension values, found none");
    }
    apo_status st = compute_dim(c, dim, transformed, v, err);
    if (st != APO_OK) {
        free(v);
        return st;
    }
    c->dimc[c->n_dimc] = (dim_entry){*dim, transformed, v, v};
    c->n_dimc++;
    *out = v;
    return APO_OK;
}

static apo_status dim_cached(eval_ctx *c, const gate_dim *dim, const double **out, apo_error *err)
{
    return dim_cached_as(c, dim, true, out, err);
}

/* The transform of dimension @p dim when its limits [lo, hi) (at least one) can be tested on
 * raw values (gates_window.c), else NULL. */
static const gate_transform *window_transform(const eval_ctx *c, const gate_dim *dim, double lo,
                                              double hi)
{
    const bool has_lo = lo != -INFINITY, has_hi = hi != INFINITY;
    if (dim->transform_ref == NULL || (!has_lo && !has_hi)) {
        return NULL;
    }
    const gs_transform *t = gs_find_transform(c->s, dim->transform_ref);
    if (t == NULL || (has_lo && !gs_window_usable(&t->t, lo)) ||
        (has_hi && !gs_window_usable(&t->t, hi))) {
        return NULL;
    }
    return &t->t;
}

/* The events of dimension @p dim (raw values @p raw) classified against limit @p y on its
 * scale, computed once per dimension and limit (a quadrant gate's four quadrants share two). */
static apo_status limit_cached(eval_ctx *c, const gate_dim *dim, const gate_transform *t,
                               const double *raw, double y, const uint8_t **out, apo_error *err)
{
    for (size_t i = 0; i < c->n_lim; i++) {
        if (c->lim[i].y == y && dim_eq(&c->lim[i].dim, dim)) {
            *out = c->lim[i].cls;
            return APO_OK;
        }
    }
    const size_t ne = c->d->n_events;
    if (c->n_lim == c->cap_lim) {
        size_t ncap = c->cap_lim ? 2 * c->cap_lim : 8;
        limit_entry *nl = realloc(c->lim, ncap * sizeof(*nl));
        if (nl == NULL) {
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                 "expected memory for a gate limit, found none");
        }
        c->lim = nl;
        c->cap_lim = ncap;
    }
    uint8_t *cls = malloc(ne ? ne : 1);
    if (cls == NULL || !gs_window_classify(t, ne, raw, y, cls)) {
        free(cls);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for the events near a gate limit, found none");
    }
    c->lim[c->n_lim++] = (limit_entry){*dim, y, cls};
    *out = cls;
    return APO_OK;
}

/* m &= the limits of a dimension tested by window (lo <= T(x) < hi). */
static apo_status window_member(eval_ctx *c, const gate_dim *dim, const gate_transform *t,
                                const double *raw, double lo, double hi, uint8_t *m,
                                apo_error *err)
{
    const size_t ne = c->d->n_events;
    const uint8_t *cls = NULL;
    apo_status st = APO_OK;
    if (lo != -INFINITY && (st = limit_cached(c, dim, t, raw, lo, &cls, err)) == APO_OK) {
        gs_and_class(m, cls, 1, ne);
    }
    if (st == APO_OK && hi != INFINITY &&
        (st = limit_cached(c, dim, t, raw, hi, &cls, err)) == APO_OK) {
        gs_and_class(m, cls, 0, ne);
    }
    return st;
}

/* Rectangle / quadrant membership: limits on a logicle dimension are tested on its raw
 * values, the transform computed near the limits only (the same result); the other
 * dimensions as transformed columns. */
static apo_status rect_member(eval_ctx *c, const gs_gate *gt, uint8_t *m, apo_error *err)
{
    const size_t ne = c->d->n_events, nd = gt->n_dims;
    const double **cols = malloc((nd ? nd : 1) * sizeof(*cols));
    const double **plain = malloc((nd ? nd : 1) * sizeof(*plain));
    double *lim = malloc(2 * (nd ? nd : 1) * sizeof(*lim));
    const gate_transform **wt = malloc((nd ? nd : 1) * sizeof(*wt));
    apo_status st = APO_OK;
    if (cols == NULL || plain == NULL || lim == NULL || wt == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, gt->id,
                           "expected memory for %zu dimensions, found none", nd);
    }
    /* columns in dimension order (the first missing channel is the one named); the plain
     * dimensions' limits in lim[0..np) and lim[nd..nd + np) */
    for (size_t k = 0; k < nd && st == APO_OK; k++) {
        wt[k] = window_transform(c, &gt->dims[k], gt->min[k], gt->max[k]);
        st = dim_cached_as(c, &gt->dims[k], wt[k] == NULL, &cols[k], err);
    }
    size_t np = 0;
    for (size_t k = 0; k < nd && st == APO_OK; k++) {
        if (wt[k] == NULL) {
            plain[np] = cols[k];
            lim[np] = gt->min[k];
            lim[nd + np] = gt->max[k];
            np++;
        }
    }
    if (st == APO_OK) {
        gs_rect_member(ne, np, plain, lim, lim + nd, m);
    }
    for (size_t k = 0; k < nd && st == APO_OK; k++) {
        if (wt[k] != NULL) {
            st = window_member(c, &gt->dims[k], wt[k], cols[k], gt->min[k], gt->max[k], m, err);
        }
    }
    free(cols);
    free(plain);
    free(lim);
    free(wt);
    return st;
}

apo_status gate_dim_values(const gate_strategy *s, const gate_data *d, const gate_dim *dim,
                           bool transformed, double *out, apo_error *err)
{
    eval_ctx c = {.s = s, .d = d};
    apo_status st = compute_dim(&c, dim, transformed, out, err);
    ctx_free(&c);
    return st;
}

/* Evaluation state for gate_strategy_apply. */
typedef struct apply_state {
    eval_ctx c;
    gs_links links;
    unsigned char *done;
    gate_result *r;
    size_t failed_gate; /* the gate whose own evaluation failed first, or SIZE_MAX */
} apply_state;

static apo_status eval_gate(apply_state *a, size_t g, apo_error *err);

static apo_status eval_own(apply_state *a, size_t g, uint8_t *m, apo_error *err)
{
    const gs_gate *gt = &a->c.s->gates[g];
    const size_t ne = a->c.d->n_events;
    /* On the heap: this frame recurses through parents and boolean operands. */
    const double **cols = NULL;
    apo_status st = APO_OK;
    if (gt->kind == GATE_RECTANGLE || gt->kind == GATE_QUADRANT) {
        return rect_member(&a->c, gt, m, err);
    }
    if (gt->kind == GATE_POLYGON || gt->kind == GATE_ELLIPSOID) {
        cols = malloc((gt->n_dims ? gt->n_dims : 1) * sizeof(*cols));
        if (cols == NULL) {
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, gt->id,
                                 "expected memory for %zu dimensions, found none", gt->n_dims);
        }
        for (size_t k = 0; k < gt->n_dims && st == APO_OK; k++) {
            st = dim_cached(&a->c, &gt->dims[k], &cols[k], err);
        }
        if (st != APO_OK) {
            free(cols);
            return st;
        }
    }
    switch (gt->kind) {
    case GATE_RECTANGLE:
    case GATE_QUADRANT:
        break; /* rect_member above */
    case GATE_POLYGON:
        gs_polygon_member(ne, cols[0], cols[1], gt->n_vertices, gt->vertices, m);
        break;
    case GATE_ELLIPSOID: {
        double *inv = malloc(gt->n_dims * gt->n_dims * sizeof(double));
        if (inv == NULL) {
            free(cols);
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, gt->id,
                                 "expected memory for an inverse covariance, found none");
        }
        st = gs_invert(gt->n_dims, gt->cov, inv, gt->id, err);
        if (st == APO_OK) {
            gs_ellipsoid_member(ne, gt->n_dims, cols, gt->mean, inv, gt->dist2, m);
        }
        free(inv);
        break;
    }
    case GATE_QUADRANT_GATE:
        memset(m, 1, ne);
        break;
    case GATE_BOOLEAN: {
        memset(m, gt->op == GATE_BOOL_AND ? 1 : 0, ne);
        for (size_t k = 0; k < gt->n_operands && st == APO_OK; k++) {
            size_t o = a->links.operand[g][k];
            st = eval_gate(a, o, err);
            if (st != APO_OK) {
                break;
            }
            const uint8_t *om = a->r->member + o * ne;
            const uint8_t flip = (uint8_t)(gt->complement[k] ? 1 : 0);
            if (gt->op == GATE_BOOL_AND) {
                for (size_t e = 0; e < ne; e++) {
                    m[e] &= (uint8_t)(om[e] ^ flip);
                }
            } else if (gt->op == GATE_BOOL_OR) {
                for (size_t e = 0; e < ne; e++) {
                    m[e] |= (uint8_t)(om[e] ^ flip);
                }
            } else {
                for (size_t e = 0; e < ne; e++) {
                    m[e] = (uint8_t)((om[e] ^ flip) ^ 1);
                }
            }
        }
        break;
    }
    }
    free(cols);
    return st;
}

static apo_status eval_gate(apply_state *a, size_t g, apo_error *err)
{
    if (a->done[g]) {
        return APO_OK;
    }
    const size_t ne = a->c.d->n_events;
    size_t p = a->links.parent[g];
    if (p != SIZE_MAX) {
        apo_status st = eval_gate(a, p, err);
        if (st != APO_OK) {
            return st;
        }
    }
    uint8_t *m = a->r->member + g * ne;
    apo_status st = eval_own(a, g, m, err);
    if (st != APO_OK) {
        if (a->failed_gate == SIZE_MAX && a->c.s->gates[g].kind != GATE_BOOLEAN) {
            a->failed_gate = g;
        }
        return st;
    }
    /* ANDed with the parent's row (never this row: a gate is not its own ancestor) */
    a->r->count[g] = gs_and_count(m, p != SIZE_MAX ? a->r->member + p * ne : NULL, ne);
    a->done[g] = 1;
    return APO_OK;
}

/* Evaluate gate @p only and what it depends on (its ancestors, a boolean's operands), or
 * every gate when @p only is SIZE_MAX. Rows of gates not evaluated are zero (count 0). */
/* Extra output of an evaluation: the untransformed values of some dimensions, taken from the
 * evaluation's own cache (compensated once for gates and values alike). */
typedef struct dims_out {
    size_t n;
    const gate_dim *dims;
    double *const *values;
} dims_out;

static apo_status apply_gates(const gate_strategy *s, const gate_data *d, size_t only,
                              bool *used, const dims_out *want, gate_result *out,
                              apo_error *err)
{
    memset(out, 0, sizeof(*out));
    apply_state a = {.c = {.s = s, .d = d, .used = used}, .r = out, .failed_gate = SIZE_MAX};
    apo_status st = gs_links_build(s, &a.links, err);
    if (st != APO_OK) {
        return st;
    }
    size_t bytes;
    const size_t ng = s->n_gates;
    if (!apo_mul_size(ng ? ng : 1, d->n_events ? d->n_events : 1, &bytes)) {
        gs_links_free(s, &a.links);
        return apo_error_set(err, APO_E_RANGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a membership table that fits memory, found %zu gates x "
                             "%zu events",
                             ng, d->n_events);
    }
    out->member = malloc(bytes);
    out->count = calloc(ng ? ng : 1, sizeof(uint64_t));
    a.done = calloc(ng ? ng : 1, 1);
    out->n_gates = ng;
    out->n_events = d->n_events;
    if (out->member == NULL || out->count == NULL || a.done == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for %zu gates x %zu events, found none", ng,
                           d->n_events);
    }
    if (only != SIZE_MAX) {
        if (st == APO_OK && only >= ng) {
            st = apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                               "expected a gate index below %zu, found %zu", ng, only);
        }
        if (st == APO_OK) {
            memset(out->member, 0, bytes);
            st = eval_gate(&a, only, err);
        }
    }
    for (size_t g = 0; only == SIZE_MAX && g < ng && st == APO_OK; g++) {
        st = eval_gate(&a, g, err);
    }
    for (size_t k = 0; want != NULL && k < want->n && st == APO_OK; k++) {
        const double *v = NULL; /* compute_dim(dim, false), as gate_dim_values computes it */
        st = dim_cached_as(&a.c, &want->dims[k], false, &v, err);
        if (st == APO_OK) {
            memcpy(want->values[k], v, d->n_events * sizeof(double));
        }
    }
    if (st != APO_OK && err != NULL && a.failed_gate != SIZE_MAX) {
        /* Name the gate that needed the missing channel / matrix. */
        char msg[APO_ERROR_MSG_SIZE], kw[64];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        snprintf(kw, sizeof(kw), "gate %s", s->gates[a.failed_gate].id);
        apo_error_set(err, st, NULL, APO_NO_OFFSET, kw, "%s", msg);
    }
    free(a.done);
    ctx_free(&a.c);
    gs_links_free(s, &a.links);
    if (st != APO_OK) {
        gate_result_free(out);
    }
    return st;
}

apo_status gate_strategy_apply(const gate_strategy *s, const gate_data *d, gate_result *out,
                               apo_error *err)
{
    return apply_gates(s, d, SIZE_MAX, NULL, NULL, out, err);
}

apo_status gate_strategy_apply_to(const gate_strategy *s, const gate_data *d, size_t gate,
                                  gate_result *out, apo_error *err)
{
    return apply_gates(s, d, gate, NULL, NULL, out, err);
}

apo_status gate_strategy_apply_dims(const gate_strategy *s, const gate_data *d, size_t n_dims,
                                    const gate_dim *dims, double *const *values,
                                    gate_result *out, apo_error *err)
{
    const dims_out want = {n_dims, dims, values};
    return apply_gates(s, d, SIZE_MAX, NULL, &want, out, err);
}

/*
 * The channels a whole evaluation reads: every gate evaluated on one event whose values are
 * all NaN, with each channel that comp_column or a compensation matrix takes marked. Which
 * channels are read depends on the strategy and the channel names only, never on the values.
 */
apo_status gate_strategy_columns(const gate_strategy *s, const gate_data *d, bool *used,
                                 apo_error *err)
{
    const size_t np = d->n_params;
    memset(used, 0, (np ? np : 1) * sizeof(bool));
    double *nan_row = malloc((np ? np : 1) * sizeof(double));
    if (nan_row == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu values, found none", np);
    }
    for (size_t p = 0; p < np; p++) {
        nan_row[p] = NAN;
    }
    gate_data one = *d;
    one.n_events = 1;
    one.values = nan_row;
    gate_result r;
    apo_status st = apply_gates(s, &one, SIZE_MAX, used, NULL, &r, err);
    if (st == APO_OK) {
        gate_result_free(&r);
    }
    free(nan_row);
    return st;
}

void gate_result_free(gate_result *r)
{
    if (r == NULL) {
        return;
    }
    free(r->member);
    free(r->count);
    memset(r, 0, sizeof(*r));
}
