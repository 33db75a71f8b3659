/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decode.c: the public event decoder. Checks the requested event range and output shape,
 * works out each column's channel-to-scale transform, and, when the caller's thread budget
 * (fcs_decode_options.threads) is 2 or more, splits large requests over that many
 * threads (each thread decodes its own contiguous run of events, so the result does not
 * depend on the thread count). Inside the library a request may ask for every step-th event
 * only (fcs_layout_decode_every_f64, for subsamples). The actual byte decoding is in decode_binary.c and
 * decode_ascii.c.
 */
#include "fcs/decode_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 16u

static void build_transforms(const fcs_dataset *ds, const fcs_decode_options *opts,
                             fcs_transform *t)
{
    const fcs_layout *lay = &ds->layout;
    for (size_t p = 0; p < lay->n_params; p++) {
        memset(&t[p], 0, sizeof(t[p]));
        if (opts->values != FCS_VALUES_SCALED || p >= ds->n_params) {
            continue;
        }
        const fcs_param *par = &ds->params[p];
        if (!lay->ascii && fcs_param_log_decoded(par)) {
            double range = par->range;
            if (!(range > 0) || !isfinite(range)) {
                unsigned bits = par->bits ? par->bits : lay->columns[p].n_bytes * 8u;
                range = ldexp(1.0, (int)bits);
            }
            t[p].kind = FCS_TRANSFORM_LOG;
            t[p].decades = par->log_decades;
            t[p].range = range;
            t[p].offset = par->log_offset > 0 ? par->log_offset : 1.0;
        } else if (opts->apply_gain && fcs_param_gain_divides(par)) {
            t[p].kind = FCS_TRANSFORM_GAIN;
            t[p].gain = par->gain;
        } else if (par->is_time && isfinite(ds->timestep) && ds->timestep > 0 &&
                   ds->timestep != 1.0) {
            /* Time in seconds = ticks x $TIMESTEP (FCS 3.0 3.2.20), as a division. */
            t[p].kind = FCS_TRANSFORM_GAIN;
            t[p].gain = 1.0 / ds->timestep;
        }
    }
}

typedef struct thread_job {
    fcs_decode_job job;
    apo_status status;
    apo_error err;
} thread_job;

static apo_status run_job(const fcs_decode_job *job, apo_error *err)
{
    const fcs_layout *lay = &job->ds->layout;
    if (!lay->ascii) {
        return fcs_decode_binary(job, err);
    }
    if (lay->ascii_delimited) {
        return fcs_decode_ascii_delimited(job, err);
    }
    return fcs_decode_ascii_fixed(job, err);
}

static void *thread_main(void *arg)
{
    thread_job *tj = arg;
    apo_error_clear(&tj->err);
    tj->status = run_job(&tj->job, &tj->err);
    return NULL;
}

static unsigned choose_threads(const fcs_layout *lay, uint64_t count,
                               const fcs_decode_options *opts)
{
    if (lay->ascii && lay->ascii_delimited) {
        return 1; /* one sequential scan */
    }
    unsigned n = opts->threads == 0 ? 1 : opts->threads; /* 0: the calling thread only */
    if (n > MAX_THREADS) {
        n = MAX_THREADS;
    }
    if (count < (uint64_t)n * 1024u) {
        n = 1; /* not worth a thread */
    }
    return n;
}

static apo_status decode_threads(const fcs_decode_job *whole, unsigned n, apo_error *err)
{
    if (n <= 1) {
        return run_job(whole, err);
    }
    thread_job jobs[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    bool started[MAX_THREADS];
    /* Split the decoded events (every step-th) evenly; each part starts at a decoded one. */
    const uint64_t step = whole->step > 1 ? whole->step : 1;
    const uint64_t kept = (whole->hi - whole->lo + step - 1) / step;
    for (unsigned i = 0; i < n; i++) {
        jobs[i].job = *whole;
        jobs[i].job.lo = whole->lo + kept * i / n * step;
        jobs[i].job.hi = i + 1 == n ? whole->hi : whole->lo + kept * (i + 1) / n * step;
        jobs[i].status = APO_OK;
        started[i] = false;
    }
    /* Threads 1..n-1 run in the background; the calling thread does part 0 and any part
     * whose thread could not be started. */
    for (unsigned i = 1; i < n; i++) {
        started[i] = pthread_create(&tids[i], NULL, thread_main, &jobs[i]) == 0;
    }
    thread_main(&jobs[0]);
    for (unsigned i = 1; i < n; i++) {
        if (started[i]) {
            pthread_join(tids[i], NULL);
        } else {
            thread_main(&jobs[i]);
        }
    }
    /* Report the failure earliest in the file, as a single thread would have. */
    for (unsigned i = 0; i < n; i++) {
        if (jobs[i].status != APO_OK) {
            if (err != NULL) {
                *err = jobs[i].err;
            }
            return jobs[i].status;
        }
    }
    return APO_OK;
}

/* Events first, first + step, ... below first + count into target (step 1: every event). */
static apo_status decode_any(const fcs_dataset *ds, uint64_t first, uint64_t count, uint64_t step,
                             const fcs_decode_options *opts, const bool *columns,
                             fcs_decode_target target, apo_error *err)
{
    const char *name = (ds != NULL && ds->file != NULL) ? ds->file->name : NULL;
    if (ds == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a data set, found NULL");
    }
    if (!ds->has_data) {
        return apo_error_set(err, APO_E_USAGE, name, APO_NO_OFFSET, NULL,
                             "expected a data set with DATA, found one read as text only");
    }
    const fcs_layout *lay = &ds->layout;
    uint64_t end = 0;
    if (!apo_add_u64(first, count, &end) || end > lay->n_events) {
        return apo_error_set(err, APO_E_USAGE, name, APO_NO_OFFSET, NULL,
                             "expected events within [0, %llu), found [%llu, %llu + %llu)",
                             (unsigned long long)lay->n_events, (unsigned long long)first,
                             (unsigned long long)first, (unsigned long long)count);
    }
    if (step == 0 || (step > 1 && lay->ascii)) {
        return apo_error_set(err, APO_E_USAGE, name, APO_NO_OFFSET, NULL,
                             "expected every event, or every step-th of binary DATA, found "
                             "step %llu of %s DATA",
                             (unsigned long long)step, lay->ascii ? "ASCII" : "binary");
    }
    if (count == 0 || lay->n_params == 0) {
        return APO_OK;
    }
    const uint64_t kept = (count - 1) / step + 1; /* events decoded */
    if (target.ld < kept) {
        return apo_error_set(err, APO_E_USAGE, name, APO_NO_OFFSET, NULL,
                             "expected a leading dimension >= %llu events, found %zu",
                             (unsigned long long)kept, target.ld);
    }
    size_t span = 0;
    if (kept > SIZE_MAX || !apo_mul_size(lay->n_params - 1, target.ld, &span) ||
        span > SIZE_MAX - (size_t)kept) {
        return apo_error_set(err, APO_E_RANGE, name, APO_NO_OFFSET, NULL,
                             "expected an output that fits in memory, found %zu x %zu values",
                             lay->n_params, target.ld);
    }
    if (target.f64 == NULL && target.f32 == NULL) {
        return apo_error_set(err, APO_E_USAGE, name, APO_NO_OFFSET, NULL,
                             "expected an output array, found NULL");
    }
    fcs_decode_options defaults = FCS_DECODE_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    fcs_transform *transforms = calloc(lay->n_params, sizeof(*transforms));
    if (transforms == NULL) {
        return apo_error_set(err, APO_E_NOMEM, name, APO_NO_OFFSET, NULL, "out of memory");
    }
    build_transforms(ds, opts, transforms);
    fcs_decode_job job = {ds, transforms, target, first, first, end, step, columns};
    apo_status st = decode_threads(&job, choose_threads(lay, kept, opts), err);
    free(transforms);
    return st;
}

size_t fcs_decode_quad_runs(const fcs_dataset *ds, const fcs_decode_options *opts,
                            const bool *columns)
{
    const fcs_layout *lay = &ds->layout;
    fcs_decode_options defaults = FCS_DECODE_OPTIONS_INIT;
    fcs_transform *transforms = calloc(lay->n_params ? lay->n_params : 1, sizeof(*transforms));
    if (lay->ascii || transforms == NULL) {
        free(transforms);
        return 0;
    }
    build_transforms(ds, opts != NULL ? opts : &defaults, transforms);
    double one = 0; /* a double target: only its kind matters to the plan */
    fcs_decode_job job = {ds, transforms, {&one, NULL, 1}, 0, 0, 0, 1, columns};
    size_t runs = fcs_decode_binary_quads(&job);
    free(transforms);
    return runs;
}

apo_status fcs_layout_decode_f64(const fcs_dataset *ds, uint64_t first, uint64_t count,
                                 const fcs_decode_options *opts, double *out, size_t ld,
                                 apo_error *err)
{
    fcs_decode_target target = {out, NULL, ld};
    return decode_any(ds, first, count, 1, opts, NULL, target, err);
}

apo_status fcs_layout_decode_every_f64(const fcs_dataset *ds, uint64_t first, uint64_t count,
                                       uint64_t step, const fcs_decode_options *opts,
                                       double *out, size_t ld, apo_error *err)
{
    fcs_decode_target target = {out, NULL, ld};
    return decode_any(ds, first, count, step, opts, NULL, target, err);
}

apo_status fcs_dataset_decode_f64(const fcs_dataset *ds, uint64_t first, uint64_t count,
                                  const fcs_decode_options *opts, double *out, size_t ld,
                                  apo_error *err)
{
    return fcs_layout_decode_f64(ds, first, count, opts, out, ld, err);
}

apo_status fcs_dataset_decode_columns_f64(const fcs_dataset *ds, uint64_t first, uint64_t count,
                                          const fcs_decode_options *opts, const bool *columns,
                                          double *out, size_t ld, apo_error *err)
{
    fcs_decode_target target = {out, NULL, ld};
    return decode_any(ds, first, count, 1, opts, columns, target, err);
}

apo_status fcs_dataset_decode_f32(const fcs_dataset *ds, uint64_t first, uint64_t count,
                                  const fcs_decode_options *opts, float *out, size_t ld,
                                  apo_error *err)
{
    fcs_decode_target target = {NULL, out, ld};
    return decode_any(ds, first, count, 1, opts, NULL, target, err);
}

apo_status fcs_dataset_read_events(const fcs_dataset *ds, const fcs_decode_options *opts,
                                   fcs_events *out, apo_error *err)
{
    if (out == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected an fcs_events to fill, found NULL");
    }
    memset(out, 0, sizeof(*out));
    if (ds == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a data set, found NULL");
    }
    const char *name = ds->file != NULL ? ds->file->name : NULL;
    uint64_t n_events = ds->layout.n_events;
    size_t n_params = ds->layout.n_params;
    size_t n_values = 0;
    if (n_events > SIZE_MAX || !apo_mul_size((size_t)n_events, n_params, &n_values) ||
        n_values > SIZE_MAX / sizeof(double)) {
        return apo_error_set(err, APO_E_RANGE, name, APO_NO_OFFSET, NULL,
                             "expected a data set that fits in memory, found %llu x %zu values",
                             (unsigned long long)n_events, n_params);
    }
    double *values = apo_big_alloc(n_values * sizeof(double));
    if (values == NULL) {
        return apo_error_set(err, APO_E_NOMEM, name, APO_NO_OFFSET, NULL,
                             "out of memory for %llu x %zu values",
                             (unsigned long long)n_events, n_params);
    }
    apo_status st = fcs_dataset_decode_f64(ds, 0, n_events, opts, values,
                                           n_events > 0 ? (size_t)n_events : 1, err);
    if (st != APO_OK) {
        free(values);
        return st;
    }
    out->n_events = n_events;
    out->n_params = n_params;
    out->values = values;
    return APO_OK;
}

void fcs_events_free(fcs_events *ev)
{
    if (ev == NULL) {
        return;
    }
    free(ev->values);
    memset(ev, 0, sizeof(*ev));
}
