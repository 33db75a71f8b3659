/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sampled.c: decode a deterministic uniform subsample of a data set (every step-th event) block
 * by block, so that statistics which need every value at once (medians, quantiles, density
 * estimates, plots) have a memory bound that does not grow with the file. With
 * n_events <= max_events the result is every event, exactly as fcs_dataset_read_events gives.
 * The mapped pages of decoded events are given back (fcs_dataset_drop_pages). Binary DATA
 * decodes only the kept events (the decoder strides over step rows), so a subsample costs
 * one read of DATA and the decoding of the events it keeps; ASCII DATA is decoded block by
 * block and every step-th event kept. Either way the values are those of
 * fcs_dataset_decode_f64 for the kept events.
 */
#include "fcs/decode_internal.h"

#include <stdlib.h>
#include <string.h>

/* Events decoded per block while subsampling. */
#define SAMPLED_BLOCK 65536u

uint64_t fcs_sample_step(uint64_t n_events, uint64_t max_events)
{
    if (max_events == 0 || n_events <= max_events) {
        return 1;
    }
    return n_events / max_events + (n_events % max_events != 0);
}

/* Binary DATA: events 0, step, 2 step ... decoded straight into the subsample, SAMPLED_BLOCK
 * of them per call (each call's mapped pages given back after it). */
static apo_status read_every(const fcs_dataset *ds, const fcs_decode_options *opts, uint64_t step,
                             size_t kept, size_t n_values, fcs_events *out, apo_error *err)
{
    const uint64_t n_events = fcs_dataset_n_events(ds);
    double *values = malloc((n_values ? n_values : 1) * sizeof(double));
    if (values == NULL) {
        return apo_error_set(err, APO_E_NOMEM, ds->file != NULL ? ds->file->name : NULL,
                             APO_NO_OFFSET, NULL, "out of memory for %zu x %zu values", kept,
                             fcs_dataset_n_params(ds));
    }
    apo_status st = APO_OK;
    for (size_t k = 0; k < kept && st == APO_OK; k += SAMPLED_BLOCK) {
        const uint64_t first = (uint64_t)k * step;
        const uint64_t span = (uint64_t)SAMPLED_BLOCK * step;
        const uint64_t count = n_events - first < span ? n_events - first : span;
        st = fcs_layout_decode_every_f64(ds, first, count, step, opts, values + k, kept, err);
        fcs_dataset_drop_pages(ds, first, count);
    }
    if (st != APO_OK) {
        free(values);
        return st;
    }
    out->n_events = kept;
    out->n_params = fcs_dataset_n_params(ds);
    out->values = values;
    return APO_OK;
}

apo_status fcs_dataset_read_sampled(const fcs_dataset *ds, const fcs_decode_options *opts,
                                    uint64_t max_events, fcs_events *out, uint64_t *step_out,
                                    apo_error *err)
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
    const uint64_t n_events = fcs_dataset_n_events(ds);
    const uint64_t step = fcs_sample_step(n_events, max_events);
    if (step_out != NULL) {
        *step_out = step;
    }
    if (step == 1) {
        apo_status st = fcs_dataset_read_events(ds, opts, out, err);
        fcs_dataset_drop_pages(ds, 0, n_events);
        return st;
    }
    const char *name = ds->file != NULL ? ds->file->name : NULL;
    const size_t n_params = fcs_dataset_n_params(ds);
    const uint64_t kept64 = (n_events + step - 1) / step; /* <= max_events */
    size_t n_values = 0, blk_values = 0;
    if (kept64 > SIZE_MAX || !apo_mul_size((size_t)kept64, n_params, &n_values) ||
        n_values > SIZE_MAX / sizeof(double) ||
        !apo_mul_size(SAMPLED_BLOCK, n_params, &blk_values)) {
        return apo_error_set(err, APO_E_RANGE, name, APO_NO_OFFSET, NULL,
                             "expected a subsample that fits in memory, found %llu x %zu values",
                             (unsigned long long)kept64, n_params);
    }
    const size_t kept = (size_t)kept64;
    if (!ds->layout.ascii) {
        return read_every(ds, opts, step, kept, n_values, out, err);
    }
    double *values = malloc((n_values ? n_values : 1) * sizeof(double));
    double *blk = malloc((blk_values ? blk_values : 1) * sizeof(double));
    if (values == NULL || blk == NULL) {
        free(values);
        free(blk);
        return apo_error_set(err, APO_E_NOMEM, name, APO_NO_OFFSET, NULL,
                             "out of memory for %zu x %zu values", kept, n_params);
    }
    size_t k = 0;
    apo_status st = APO_OK;
    for (uint64_t first = 0; first < n_events && st == APO_OK; first += SAMPLED_BLOCK) {
        const size_t count =
            (size_t)(n_events - first < SAMPLED_BLOCK ? n_events - first : SAMPLED_BLOCK);
        st = fcs_dataset_decode_f64(ds, first, count, opts, blk, count, err);
        if (st != APO_OK) {
            break;
        }
        /* first kept event of this block: the next multiple of step at or after first */
        uint64_t e = (first + step - 1) / step * step;
        for (; e < first + count && k < kept; e += step, k++) {
            const size_t r = (size_t)(e - first);
            for (size_t p = 0; p < n_params; p++) {
                values[p * kept + k] = blk[p * count + r];
            }
        }
        fcs_dataset_drop_pages(ds, first, count);
    }
    free(blk);
    if (st != APO_OK) {
        free(values);
        return st;
    }
    out->n_events = kept;
    out->n_params = n_params;
    out->values = values;
    return APO_OK;
}
