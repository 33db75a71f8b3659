/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compensate_apply.c: compensated = raw x S^-1 on the bound channels of column-major events,
 * in place, in blocks of events (gather the n detector columns of a block, multiply by the
 * precomputed LU inverse, scatter back), split over 2 threads for large data sets when
 * the caller's thread budget allows it (0 and 1 mean the calling thread only).
 */
#include "gating/gating_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { COMP_BLOCK = 2048 };
#define COMP_PARALLEL_MIN ((uint64_t)1 << 18) /* values (events x detectors) */

typedef struct comp_job {
    const gate_comp *c;
    double *values;
    uint64_t n_events; /* column stride */
    uint64_t first;
    uint64_t count;
    double *scratch; /* n * COMP_BLOCK */
} comp_job;

static void comp_range(const comp_job *job)
{
    const gate_comp *c = job->c;
    const size_t n = c->n;
    const double *inv = c->inverse;
    double *tmp = job->scratch;
    for (uint64_t e0 = job->first; e0 < job->first + job->count; e0 += COMP_BLOCK) {
        const uint64_t left = job->first + job->count - e0;
        const size_t b = left < COMP_BLOCK ? (size_t)left : COMP_BLOCK;
        /* tmp[j][k] = sum_i raw_i[k] * inv[i][j] */
        for (size_t j = 0; j < n; j++) {
            double *out = tmp + j * COMP_BLOCK;
            const double *col0 = job->values + c->param_index[0] * job->n_events + e0;
            const double s0 = inv[j];
            for (size_t k = 0; k < b; k++) {
                out[k] = col0[k] * s0;
            }
            for (size_t i = 1; i < n; i++) {
                const double s = inv[i * n + j];
                if (s == 0.0) {
                    continue;
                }
                const double *col = job->values + c->param_index[i] * job->n_events + e0;
                for (size_t k = 0; k < b; k++) {
                    out[k] += col[k] * s;
                }
            }
        }
        for (size_t j = 0; j < n; j++) {
            memcpy(job->values + c->param_index[j] * job->n_events + e0, tmp + j * COMP_BLOCK,
                   b * sizeof(double));
        }
    }
}

static void *comp_thread(void *arg)
{
    comp_range(arg);
    return NULL;
}

void gate_comp_apply_vector(const gate_comp *c, const double *raw, double *out)
{
    const size_t n = c->n;
    double buf[64];
    double *tmp = n <= 64 ? buf : malloc(n * sizeof(double));
    if (tmp == NULL) {
        for (size_t j = 0; j < n; j++) {
            out[j] = NAN;
        }
        return;
    }
    for (size_t j = 0; j < n; j++) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++) {
            s += raw[i] * c->inverse[i * n + j];
        }
        tmp[j] = s;
    }
    memcpy(out, tmp, n * sizeof(double));
    if (tmp != buf) {
        free(tmp);
    }
}

apo_status gate_comp_apply(const gate_comp *c, fcs_events *ev, unsigned threads, apo_error *err)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->param_index[i] == SIZE_MAX || c->param_index[i] >= ev->n_params) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, c->detectors[i],
                                 "expected detector \"%s\" bound to one of the %zu channels, "
                                 "found it unbound",
                                 c->detectors[i], ev->n_params);
        }
    }
    if (ev->n_events == 0) {
        return APO_OK;
    }
    uint64_t work = 0;
    const bool big = !apo_mul_u64(ev->n_events, c->n, &work) || work >= COMP_PARALLEL_MIN;
    const unsigned n_threads = threads >= 2 && big ? 2 : 1;
    size_t scratch_n = 0;
    if (!apo_mul_size(c->n, (size_t)COMP_BLOCK * n_threads, &scratch_n)) {
        return apo_error_set(err, APO_E_RANGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a workable number of detectors, found %zu", c->n);
    }
    double *scratch = malloc(scratch_n * sizeof(double));
    if (scratch == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for compensation blocks, found none");
    }
    comp_job jobs[2];
    const uint64_t half = n_threads == 2 ? ev->n_events / 2 : ev->n_events;
    jobs[0] = (comp_job){c, ev->values, ev->n_events, 0, half, scratch};
    jobs[1] = (comp_job){c, ev->values, ev->n_events, half, ev->n_events - half,
                         scratch + c->n * (size_t)COMP_BLOCK};
    bool threaded = false;
    pthread_t tid;
    if (n_threads == 2 && jobs[1].count > 0) {
        threaded = pthread_create(&tid, NULL, comp_thread, &jobs[1]) == 0;
    }
    comp_range(&jobs[0]);
    if (n_threads == 2 && jobs[1].count > 0) {
        if (threaded) {
            pthread_join(tid, NULL);
        } else {
            comp_range(&jobs[1]);
        }
    }
    free(scratch);
    return APO_OK;
}
