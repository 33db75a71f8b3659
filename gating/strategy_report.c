/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * strategy_report.c: the population table of one file: for every population of a strategy
 * its path, parent, count, % of parent, % of total, and the median (type 7, via stats.c) of
 * every distinct gating dimension on compensated, untransformed values.
 */
#include "gating/gate.h"
#include "gating/gates_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

/* Same report dimension: same channel/ratio and compensation (transform ignored). */
static bool same_report_dim(const gate_dim *a, const gate_dim *b)
{
    bool na = gs_comp_is_none(a->comp_ref), nb = gs_comp_is_none(b->comp_ref);
    return str_eq(a->name, b->name) && str_eq(a->ratio_ref, b->ratio_ref) && na == nb &&
           (na || strcmp(a->comp_ref, b->comp_ref) == 0);
}

static char *dim_label(const gate_dim *d)
{
    const char *base = d->ratio_ref != NULL ? d->ratio_ref : d->name;
    size_t n = strlen(base) + (d->comp_ref ? strlen(d->comp_ref) : 0) + 8;
    char *s = malloc(n);
    if (s == NULL) {
        return NULL;
    }
    if (gs_comp_is_none(d->comp_ref)) {
        snprintf(s, n, "%s", base);
    } else if (strcmp(d->comp_ref, GATE_COMP_FCS) == 0) {
        snprintf(s, n, "Comp-%s", base);
    } else {
        snprintf(s, n, "%s:%s", d->comp_ref, base);
    }
    return s;
}

void gate_report_free(gate_report *rep)
{
    if (rep == NULL) {
        return;
    }
    for (size_t i = 0; i < rep->n_dims && rep->dim_names != NULL; i++) {
        free(rep->dim_names[i]);
    }
    free(rep->dim_names);
    free(rep->dims);
    for (size_t i = 0; i < rep->n_populations && rep->populations != NULL; i++) {
        free(rep->populations[i].path);
        free(rep->populations[i].parent_path);
        free(rep->populations[i].medians);
    }
    free(rep->populations);
    memset(rep, 0, sizeof(*rep));
}

static apo_status nomem(apo_error *err)
{
    return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                         "expected memory for the population report, found none");
}

/* Collect the distinct report dimensions of @p s. */
static apo_status collect_dims(const gate_strategy *s, gate_report *rep, apo_error *err)
{
    size_t cap = 0;
    for (size_t g = 0; g < s->n_gates; g++) {
        cap += s->gates[g].n_dims;
    }
    rep->dims = calloc(cap ? cap : 1, sizeof(gate_dim));
    rep->dim_names = calloc(cap ? cap : 1, sizeof(char *));
    if (rep->dims == NULL || rep->dim_names == NULL) {
        return nomem(err);
    }
    for (size_t g = 0; g < s->n_gates; g++) {
        const gs_gate *gt = &s->gates[g];
        for (size_t k = 0; k < gt->n_dims; k++) {
            bool seen = false;
            for (size_t i = 0; i < rep->n_dims && !seen; i++) {
                seen = same_report_dim(&rep->dims[i], &gt->dims[k]);
            }
            if (seen) {
                continue;
            }
            gate_dim d = gt->dims[k];
            d.transform_ref = NULL;
            rep->dims[rep->n_dims] = d;
            rep->dim_names[rep->n_dims] = dim_label(&d);
            if (rep->dim_names[rep->n_dims] == NULL) {
                return nomem(err);
            }
            rep->n_dims++;
        }
    }
    return APO_OK;
}

apo_status gate_report_dims(const gate_strategy *s, gate_report *out, apo_error *err)
{
    memset(out, 0, sizeof(*out));
    apo_status st = collect_dims(s, out, err);
    if (st != APO_OK) {
        gate_report_free(out);
    }
    return st;
}

apo_status gate_report_compute(const gate_strategy *s, const gate_data *d, const gate_result *r,
                               gate_report *out, apo_error *err)
{
    memset(out, 0, sizeof(*out));
    if (r->n_gates != s->n_gates || r->n_events != d->n_events) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a result of this strategy and data, found %zu gates x %zu "
                             "events",
                             r->n_gates, r->n_events);
    }
    apo_status st = collect_dims(s, out, err);
    double *vals = NULL;
    size_t ne = d->n_events;
    if (st == APO_OK) {
        size_t bytes;
        if (!apo_mul_size(out->n_dims ? out->n_dims : 1, (ne ? ne : 1) * sizeof(double), &bytes) ||
            (vals = malloc(bytes)) == NULL) {
            st = nomem(err);
        }
    }
    for (size_t i = 0; i < out->n_dims && st == APO_OK; i++) {
        st = gate_dim_values(s, d, &out->dims[i], false, vals + i * ne, err);
    }
    size_t n_pop = 0;
    for (size_t g = 0; g < s->n_gates; g++) {
        n_pop += gate_strategy_is_population(s, g);
    }
    if (st == APO_OK) {
        out->populations = calloc(n_pop ? n_pop : 1, sizeof(gate_population));
        if (out->populations == NULL) {
            st = nomem(err);
        }
    }
    for (size_t g = 0; g < s->n_gates && st == APO_OK; g++) {
        if (!gate_strategy_is_population(s, g)) {
            continue;
        }
        gate_population *p = &out->populations[out->n_populations++];
        p->gate = g;
        p->path = gate_strategy_path(s, g);
        size_t par = gate_strategy_parent(s, g);
        p->parent_path = par == SIZE_MAX ? calloc(1, 1) : gate_strategy_path(s, par);
        p->medians = malloc((out->n_dims ? out->n_dims : 1) * sizeof(double));
        if (p->path == NULL || p->parent_path == NULL || p->medians == NULL) {
            st = nomem(err);
            break;
        }
        const uint8_t *m = gate_result_membership(r, g);
        gate_counts c;
        gate_counts_compute(m, par == SIZE_MAX ? NULL : gate_result_membership(r, par), ne, &c);
        p->count = c.count;
        p->parent_count = c.parent;
        p->pct_parent = c.pct_parent;
        p->pct_total = c.pct_total;
        const double half = 0.5;
        for (size_t i = 0; i < out->n_dims && st == APO_OK; i++) {
            st = gate_stats_quantiles(vals + i * ne, ne, m, &half, 1, &p->medians[i], err);
        }
    }
    free(vals);
    if (st != APO_OK) {
        gate_report_free(out);
    }
    return st;
}
