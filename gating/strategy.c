/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * strategy.c: the gate_strategy container: creation, freeing, registering transforms, ratios
 * and spillover matrices, and the read-only queries (gate views, lookup by id, parents).
 * Adding gates is in strategy_build.c; reference checking and paths in strategy_links.c.
 */
#include "gating/gate.h"
#include "gating/gates_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

char *gs_strdup(const char *s, bool *ok)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d == NULL) {
        *ok = false;
        return NULL;
    }
    memcpy(d, s, n);
    return d;
}

bool gs_comp_is_none(const char *c)
{
    return c == NULL || c[0] == '\0' || strcmp(c, GATE_COMP_NONE) == 0;
}

apo_status gate_strategy_new(gate_strategy **out, apo_error *err)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a gating strategy, found none");
    }
    return APO_OK;
}

static void free_dim(gate_dim *d)
{
    free((char *)d->name);
    free((char *)d->comp_ref);
    free((char *)d->transform_ref);
    free((char *)d->ratio_ref);
}

static void free_gate(gs_gate *g)
{
    free(g->id);
    free(g->parent_id);
    for (size_t i = 0; i < g->n_dims && g->dims != NULL; i++) {
        free_dim(&g->dims[i]);
    }
    free(g->dims);
    free(g->min);
    free(g->max);
    free(g->vertices);
    free(g->mean);
    free(g->cov);
    for (size_t i = 0; i < g->n_dividers; i++) {
        free((char *)g->dividers[i].id);
        free_dim(&g->dividers[i].dim);
        free((double *)g->dividers[i].values);
    }
    free(g->dividers);
    free(g->div_index);
    free(g->locations);
    for (size_t i = 0; i < g->n_operands && g->operands != NULL; i++) {
        free(g->operands[i]);
    }
    free(g->operands);
    free(g->complement);
}

void gate_strategy_free(gate_strategy *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n_gates; i++) {
        free_gate(&s->gates[i]);
    }
    free(s->gates);
    free(s->id_order);
    for (size_t i = 0; i < s->n_transforms; i++) {
        free(s->transforms[i].id);
    }
    free(s->transforms);
    for (size_t i = 0; i < s->n_ratios; i++) {
        free(s->ratios[i].id);
        free(s->ratios[i].x1);
        free(s->ratios[i].x2);
    }
    free(s->ratios);
    for (size_t i = 0; i < s->n_spills; i++) {
        gs_spill *m = &s->spills[i];
        for (size_t k = 0; k < m->n; k++) {
            free(m->fluoro[k]);
            free(m->detectors[k]);
        }
        free(m->fluoro);
        free(m->detectors);
        free(m->values);
        free(m->id);
    }
    free(s->spills);
    free(s);
}

/* Grow *arr (elements of @p size) so that one more fits. */
static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) {
        return true;
    }
    size_t ncap = *cap ? *cap * 2 : 8;
    size_t bytes;
    if (!apo_mul_size(ncap, size, &bytes)) {
        return false;
    }
    void *p = realloc(*arr, bytes);
    if (p == NULL) {
        return false;
    }
    memset((char *)p + n * size, 0, (ncap - n) * size);
    *arr = p;
    *cap = ncap;
    return true;
}

static apo_status nomem(apo_error *err, const char *what)
{
    return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                         "expected memory for %s, found none", what);
}

static apo_status check_id(const char *id, const char *what, apo_error *err)
{
    if (id == NULL || id[0] == '\0') {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a non-empty %s id, found none", what);
    }
    return APO_OK;
}

const gs_transform *gs_find_transform(const gate_strategy *s, const char *id)
{
    for (size_t i = 0; id != NULL && i < s->n_transforms; i++) {
        if (strcmp(s->transforms[i].id, id) == 0) {
            return &s->transforms[i];
        }
    }
    return NULL;
}

const gs_ratio *gs_find_ratio(const gate_strategy *s, const char *id)
{
    for (size_t i = 0; id != NULL && i < s->n_ratios; i++) {
        if (strcmp(s->ratios[i].id, id) == 0) {
            return &s->ratios[i];
        }
    }
    return NULL;
}

const gs_spill *gs_find_spill(const gate_strategy *s, const char *id)
{
    for (size_t i = 0; id != NULL && i < s->n_spills; i++) {
        if (strcmp(s->spills[i].id, id) == 0) {
            return &s->spills[i];
        }
    }
    return NULL;
}

double gate_strategy_spill_value(const gate_strategy *s, const char *id, const char *from,
                                 const char *into)
{
    const gs_spill *m = s && id && from && into ? gs_find_spill(s, id) : NULL;
    if (m == NULL || m->inverted) {
        return NAN;
    }
    size_t r = SIZE_MAX, c = SIZE_MAX;
    for (size_t k = 0; k < m->n; k++) {
        if (strcmp(m->fluoro[k], from) == 0 && r == SIZE_MAX) {
            r = k;
        }
        if (strcmp(m->detectors[k], into) == 0 && c == SIZE_MAX) {
            c = k;
        }
    }
    return r == SIZE_MAX || c == SIZE_MAX ? NAN : m->values[r * m->n + c];
}

const gate_transform *gate_strategy_transform(const gate_strategy *s, const char *id)
{
    const gs_transform *t = gs_find_transform(s, id);
    return t ? &t->t : NULL;
}

apo_status gate_strategy_add_transform(gate_strategy *s, const char *id, const gate_transform *t,
                                       apo_error *err)
{
    apo_status st = check_id(id, "transform", err);
    if (st != APO_OK) {
        return st;
    }
    if (gs_find_transform(s, id) != NULL || gs_find_ratio(s, id) != NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a unique transformation id, found \"%s\" twice", id);
    }
    if (!grow((void **)&s->transforms, &s->cap_transforms, s->n_transforms,
              sizeof(*s->transforms))) {
        return nomem(err, "a transform");
    }
    bool ok = true;
    gs_transform *n = &s->transforms[s->n_transforms];
    n->id = gs_strdup(id, &ok);
    if (!ok) {
        return nomem(err, "a transform");
    }
    n->t = *t;
    s->n_transforms++;
    return APO_OK;
}

apo_status gate_strategy_add_ratio(gate_strategy *s, const char *id, const char *x1,
                                   const char *x2, double A, double B, double C, apo_error *err)
{
    apo_status st = check_id(id, "fratio", err);
    if (st != APO_OK) {
        return st;
    }
    if (x1 == NULL || x2 == NULL || !isfinite(A) || !isfinite(B) || !isfinite(C)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                             "expected two channels and finite A, B, C, found %s",
                             (x1 == NULL || x2 == NULL) ? "a missing channel" : "a non-finite value");
    }
    if (gs_find_transform(s, id) != NULL || gs_find_ratio(s, id) != NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a unique transformation id, found \"%s\" twice", id);
    }
    if (!grow((void **)&s->ratios, &s->cap_ratios, s->n_ratios, sizeof(*s->ratios))) {
        return nomem(err, "a ratio");
    }
    bool ok = true;
    gs_ratio *r = &s->ratios[s->n_ratios];
    r->id = gs_strdup(id, &ok);
    r->x1 = gs_strdup(x1, &ok);
    r->x2 = gs_strdup(x2, &ok);
    r->A = A;
    r->B = B;
    r->C = C;
    if (!ok) {
        free(r->id);
        free(r->x1);
        free(r->x2);
        memset(r, 0, sizeof(*r));
        return nomem(err, "a ratio");
    }
    s->n_ratios++;
    return APO_OK;
}

apo_status gate_strategy_add_spillover(gate_strategy *s, const char *id, size_t n_fluoro,
                                       const char *const *fluorochromes, size_t n_det,
                                       const char *const *detectors, const double *values,
                                       bool inverted, apo_error *err)
{
    apo_status st = check_id(id, "spectrum matrix", err);
    if (st != APO_OK) {
        return st;
    }
    if (strcmp(id, GATE_COMP_FCS) == 0 || strcmp(id, GATE_COMP_NONE) == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a matrix id other than the reserved \"%s\", found it", id);
    }
    if (n_fluoro == 0 || n_fluoro != n_det) {
        return apo_error_set(err, APO_E_UNSUPPORTED, NULL, APO_NO_OFFSET, id,
                             "expected a square spectrum matrix, found %zu fluorochromes x %zu "
                             "detectors",
                             n_fluoro, n_det);
    }
    if (gs_find_spill(s, id) != NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a unique spectrum matrix id, found \"%s\" twice", id);
    }
    size_t nn;
    if (!apo_mul_size(n_fluoro, n_fluoro, &nn)) {
        return apo_error_set(err, APO_E_RANGE, NULL, APO_NO_OFFSET, id,
                             "expected a matrix size that fits memory, found %zu", n_fluoro);
    }
    for (size_t i = 0; i < nn; i++) {
        if (!isfinite(values[i])) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                                 "expected finite coefficients, found a non-finite one at "
                                 "row %zu",
                                 i / n_fluoro + 1);
        }
    }
    if (!grow((void **)&s->spills, &s->cap_spills, s->n_spills, sizeof(*s->spills))) {
        return nomem(err, "a spillover matrix");
    }
    bool ok = true;
    gs_spill *m = &s->spills[s->n_spills];
    m->n = n_fluoro;
    m->inverted = inverted;
    m->id = gs_strdup(id, &ok);
    m->fluoro = calloc(n_fluoro, sizeof(char *));
    m->detectors = calloc(n_fluoro, sizeof(char *));
    m->values = malloc(nn * sizeof(double));
    if (m->fluoro != NULL && m->detectors != NULL && m->values != NULL) {
        for (size_t i = 0; i < n_fluoro; i++) {
            m->fluoro[i] = gs_strdup(fluorochromes[i], &ok);
            m->detectors[i] = gs_strdup(detectors[i], &ok);
            if (fluorochromes[i] == NULL || detectors[i] == NULL) {
                ok = false;
            }
        }
        memcpy(m->values, values, nn * sizeof(double));
    } else {
        ok = false;
    }
    s->n_spills++; /* freed by gate_strategy_free even when incomplete */
    if (!ok) {
        gs_spill tmp = *m;
        s->n_spills--;
        for (size_t k = 0; k < tmp.n && tmp.fluoro != NULL && tmp.detectors != NULL; k++) {
            free(tmp.fluoro[k]);
            free(tmp.detectors[k]);
        }
        free(tmp.fluoro);
        free(tmp.detectors);
        free(tmp.values);
        free(tmp.id);
        memset(m, 0, sizeof(*m));
        return nomem(err, "a spillover matrix");
    }
    return APO_OK;
}

size_t gate_strategy_n_gates(const gate_strategy *s)
{
    return s->n_gates;
}

/* First position in id_order whose id is >= @p id. */
static size_t id_lower_bound(const gate_strategy *s, const char *id)
{
    size_t lo = 0, hi = s->n_gates;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->gates[s->id_order[mid]].id, id) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

size_t gate_strategy_find(const gate_strategy *s, const char *id)
{
    if (id == NULL || s->n_gates == 0) {
        return SIZE_MAX;
    }
    const size_t pos = id_lower_bound(s, id);
    if (pos < s->n_gates && strcmp(s->gates[s->id_order[pos]].id, id) == 0) {
        return s->id_order[pos];
    }
    return SIZE_MAX;
}

const char *gs_parent_id(const gate_strategy *s, size_t g)
{
    const gs_gate *gt = &s->gates[g];
    if (gt->kind == GATE_QUADRANT) {
        return s->gates[gt->quadrant_gate].parent_id;
    }
    return gt->parent_id;
}

size_t gate_strategy_parent(const gate_strategy *s, size_t i)
{
    if (i >= s->n_gates) {
        return SIZE_MAX;
    }
    return gate_strategy_find(s, gs_parent_id(s, i));
}

bool gate_strategy_is_population(const gate_strategy *s, size_t i)
{
    return i < s->n_gates && s->gates[i].kind != GATE_QUADRANT_GATE;
}

void gate_strategy_gate(const gate_strategy *s, size_t i, gate_info *out)
{
    memset(out, 0, sizeof(*out));
    if (i >= s->n_gates) {
        return;
    }
    const gs_gate *g = &s->gates[i];
    out->kind = g->kind;
    out->id = g->id;
    out->parent_id = gs_parent_id(s, i);
    out->n_dims = g->n_dims;
    out->dims = g->dims;
    out->min = g->min;
    out->max = g->max;
    out->n_vertices = g->n_vertices;
    out->vertices = g->vertices;
    out->mean = g->mean;
    out->covariance = g->cov;
    out->distance_square = g->dist2;
    out->n_dividers = g->n_dividers;
    out->dividers = g->dividers;
    out->quadrant_gate = g->kind == GATE_QUADRANT ? g->quadrant_gate : 0;
    out->op = g->op;
    out->n_operands = g->n_operands;
    out->operands = (const char *const *)g->operands;
    out->complement = g->complement;
}

apo_status gs_append_gate(gate_strategy *s, gate_kind kind, const char *id, const char *parent_id,
                          gs_gate **out, apo_error *err)
{
    apo_status st = check_id(id, "gate", err);
    if (st != APO_OK) {
        return st;
    }
    if (gate_strategy_find(s, id) != SIZE_MAX) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a unique gate id, found \"%s\" twice", id);
    }
    if (parent_id != NULL && strcmp(parent_id, id) == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, id,
                             "expected a parent other than the gate itself, found \"%s\"", id);
    }
    size_t cap_before = s->cap_gates;
    if (!grow((void **)&s->gates, &s->cap_gates, s->n_gates, sizeof(*s->gates))) {
        return nomem(err, "a gate");
    }
    if (s->cap_gates != cap_before || s->id_order == NULL) {
        size_t *order = realloc(s->id_order, s->cap_gates * sizeof(*order));
        if (order == NULL) {
            return nomem(err, "a gate");
        }
        s->id_order = order;
    }
    bool ok = true;
    gs_gate *g = &s->gates[s->n_gates];
    memset(g, 0, sizeof(*g));
    g->kind = kind;
    g->id = gs_strdup(id, &ok);
    g->parent_id = (parent_id != NULL && parent_id[0] != '\0') ? gs_strdup(parent_id, &ok) : NULL;
    if (!ok) {
        free(g->id);
        free(g->parent_id);
        memset(g, 0, sizeof(*g));
        return nomem(err, "a gate");
    }
    const size_t pos = id_lower_bound(s, id);
    memmove(s->id_order + pos + 1, s->id_order + pos, (s->n_gates - pos) * sizeof(size_t));
    s->id_order[pos] = s->n_gates;
    s->n_gates++;
    *out = g;
    return APO_OK;
}

void gs_drop_last_gate(gate_strategy *s)
{
    if (s->n_gates > 0) {
        /* Take the last gate out of the id order first (its id is still there to find). */
        const size_t last = s->n_gates - 1;
        const size_t pos = id_lower_bound(s, s->gates[last].id);
        if (pos < s->n_gates && s->id_order[pos] == last) {
            memmove(s->id_order + pos, s->id_order + pos + 1,
                    (s->n_gates - pos - 1) * sizeof(size_t));
        }
        s->n_gates--;
        free_gate(&s->gates[s->n_gates]);
        memset(&s->gates[s->n_gates], 0, sizeof(s->gates[s->n_gates]));
    }
}
