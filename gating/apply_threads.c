/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * apply_threads.c: a strategy applied to many events at once on the caller's threads
 * (gate_strategy_apply_dims_threads). The events are cut into runs of at least
 * GATE_BLOCK_EVENTS, each copied (the channels the strategy reads only, gate_strategy_columns)
 * into a view of its own and gated there; memberships, counts and dimension values are put
 * back in place.
 *
 * Why the result is the one of a single evaluation: every membership and value of an event
 * is computed from that event's values alone, by code whose results do not depend on the
 * length of the array (the logicle kernel gives a value the same bits alone and in an array,
 * logicle.c). Runs of at least GATE_BLOCK_EVENTS keep the copying worth the threads.
 */
#include "gating/gate.h"

#include <stdlib.h>
#include <string.h>

/* Runs per thread: a few, so that a slow run does not leave the other threads idle. */
#define RUNS_PER_THREAD 2

typedef struct run_job {
    const gate_strategy *s;
    const gate_data *d;
    const bool *used;
    size_t n_dims;
    const gate_dim *dims;
    double *const *values;
    gate_result *out;
    uint64_t *run_counts; /* n_runs x n_gates: each run's counts */
    size_t n_runs;
    apo_status *st;
    apo_error *err;
} run_job;

/* Run i: events [lo, hi) of the whole. */
static void run_bounds(const run_job *j, size_t i, size_t *lo, size_t *hi)
{
    const size_t ne = j->d->n_events;
    *lo = ne / j->n_runs * i;
    *hi = i + 1 == j->n_runs ? ne : ne / j->n_runs * (i + 1);
}

static void run_task(void *arg, size_t i)
{
    const run_job *j = arg;
    size_t lo, hi;
    run_bounds(j, i, &lo, &hi);
    const size_t n = hi - lo, np = j->d->n_params, ne = j->d->n_events;
    size_t nu = 0;
    for (size_t p = 0; p < np; p++) {
        nu += j->used[p];
    }
    /* the view holds the read channels only, in their order: a name or label finds the same
     * channel in it as in the whole (the first match in channel order, a subset keeping it) */
    double *buf = malloc((nu ? nu : 1) * n * sizeof(double));
    const char **names = calloc(nu ? nu : 1, sizeof *names);
    const char **labels = calloc(nu ? nu : 1, sizeof *labels);
    double **vals = calloc(j->n_dims ? j->n_dims : 1, sizeof *vals);
    apo_status st = APO_OK;
    if (buf == NULL || names == NULL || labels == NULL || vals == NULL) {
        st = apo_error_set(&j->err[i], APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for %zu events, found none", n);
    }
    for (size_t k = 0; k < j->n_dims && st == APO_OK; k++) {
        vals[k] = j->values[k] + lo; /* the run's values straight into place */
    }
    gate_result r = {0};
    if (st == APO_OK) {
        size_t u = 0;
        for (size_t p = 0; p < np; p++) {
            if (j->used[p]) {
                names[u] = j->d->names[p];
                labels[u] = j->d->labels != NULL ? j->d->labels[p] : NULL;
                memcpy(buf + u * n, j->d->values + p * ne + lo, n * sizeof(double));
                u++;
            }
        }
        gate_data view = *j->d;
        view.n_events = n;
        view.n_params = nu;
        view.names = names;
        view.labels = labels;
        view.values = buf;
        view.owned_comp = NULL;
        st = gate_strategy_apply_dims(j->s, &view, j->n_dims, j->dims, vals, &r, &j->err[i]);
    }
    if (st == APO_OK) {
        for (size_t g = 0; g < r.n_gates; g++) {
            memcpy(j->out->member + g * ne + lo, r.member + g * n, n);
        }
        memcpy(j->run_counts + i * j->out->n_gates, r.count, r.n_gates * sizeof *r.count);
        gate_result_free(&r);
    }
    j->st[i] = st;
    free(buf);
    free(names);
    free(labels);
    free(vals);
}

apo_status gate_strategy_apply_dims_threads(const gate_strategy *s, const gate_data *d,
                                            size_t n_dims, const gate_dim *dims,
                                            double *const *values, unsigned threads,
                                            gate_result *out, apo_error *err)
{
    const size_t ne = d->n_events, ng = gate_strategy_n_gates(s), np = d->n_params;
    size_t n_runs = threads > 1 ? (size_t)threads * RUNS_PER_THREAD : 1;
    if (n_runs > ne / GATE_BLOCK_EVENTS) {
        n_runs = ne / GATE_BLOCK_EVENTS; /* every run at least a block long */
    }
    if (n_runs < 2) {
        return gate_strategy_apply_dims(s, d, n_dims, dims, values, out, err);
    }
    memset(out, 0, sizeof *out);
    bool *used = malloc((np ? np : 1) * sizeof *used);
    apo_status *st = calloc(n_runs, sizeof *st);
    apo_error *errs = calloc(n_runs, sizeof *errs);
    uint64_t *run_counts = calloc(n_runs * (ng ? ng : 1), sizeof *run_counts);
    size_t bytes = 0;
    out->member = apo_mul_size(ng ? ng : 1, ne, &bytes) ? malloc(bytes) : NULL;
    out->count = calloc(ng ? ng : 1, sizeof *out->count);
    out->n_gates = ng;
    out->n_events = ne;
    apo_status rc = APO_OK;
    if (used == NULL || st == NULL || errs == NULL || run_counts == NULL ||
        out->member == NULL || out->count == NULL) {
        rc = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for %zu gates x %zu events, found none", ng, ne);
    }
    if (rc == APO_OK) {
        rc = gate_strategy_columns(s, d, used, err);
    }
    if (rc == APO_OK) {
        run_job j = {s, d, used, n_dims, dims, values, out, run_counts, n_runs, st, errs};
        apo_pool_run(n_runs, threads, run_task, NULL, &j);
        for (size_t i = 0; i < n_runs && rc == APO_OK; i++) { /* the first failure in order */
            if (st[i] != APO_OK) {
                rc = st[i];
                if (err != NULL) {
                    *err = errs[i];
                }
            }
        }
    }
    for (size_t i = 0; i < n_runs && rc == APO_OK; i++) { /* the runs' counts added up */
        for (size_t g = 0; g < ng; g++) {
            out->count[g] += run_counts[i * ng + g];
        }
    }
    free(used);
    free(run_counts);
    free(st);
    free(errs);
    if (rc != APO_OK) {
        gate_result_free(out);
    }
    return rc;
}
