/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * apoptosis_events.c: how the apoptosis analysis reads a sample's events without ever holding
 * the whole file: a bounded deterministic subsample for estimates (every step-th event) and a
 * block iterator for exact counts. Inputs either carry decoded events (in->ev) or are decoded
 * from their data set (scale values, divided by $PnG) on demand.
 */
#include "gating/apoptosis_internal.h"

#include <stdlib.h>
#include <string.h>

static fcs_decode_options input_decode(void)
{
    fcs_decode_options d = FCS_DECODE_OPTIONS_INIT;
    d.values = FCS_VALUES_SCALED;
    d.apply_gain = true;
    d.threads = 1; /* blocks are small; callers parallelise across samples */
    return d;
}

uint64_t apo_input_n_events(const gate_apo_input *in)
{
    return in->ev != NULL ? in->ev->n_events : fcs_dataset_n_events(in->ds);
}

apo_status apo_input_sampled(const gate_apo_input *in, uint64_t max_events, fcs_events *out,
                             uint64_t *step, apo_error *err)
{
    memset(out, 0, sizeof *out);
    if (in->ev == NULL) {
        const fcs_decode_options d = input_decode();
        return fcs_dataset_read_sampled(in->ds, &d, max_events, out, step, err);
    }
    const uint64_t n = in->ev->n_events, s = fcs_sample_step(n, max_events);
    const size_t p = in->ev->n_params, kept = (size_t)((n + s - 1) / s);
    size_t nv = 0;
    if (!apo_mul_size(kept, p, &nv) || nv > SIZE_MAX / sizeof(double)) {
        return apo_error_set(err, APO_E_RANGE, in->file, APO_NO_OFFSET, NULL,
                             "expected a subsample that fits in memory, found %zu x %zu values",
                             kept, p);
    }
    out->values = malloc((nv ? nv : 1) * sizeof(double));
    if (out->values == NULL) {
        return apo_error_set(err, APO_E_NOMEM, in->file, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t c = 0; c < p; c++) {
        const double *src = fcs_events_column(in->ev, c);
        for (size_t k = 0; k < kept; k++) {
            out->values[c * kept + k] = src[(uint64_t)k * s];
        }
    }
    out->n_events = kept;
    out->n_params = p;
    if (step != NULL) {
        *step = s;
    }
    return APO_OK;
}

apo_status apo_blocks_init(apo_blocks *b, const gate_apo_input *in, apo_error *err)
{
    memset(b, 0, sizeof *b);
    b->in = in;
    b->n = apo_input_n_events(in);
    const size_t p = fcs_dataset_n_params(in->ds);
    size_t nv = 0;
    if (!apo_mul_size(GATE_BLOCK_EVENTS, p ? p : 1, &nv) || nv > SIZE_MAX / sizeof(double)) {
        return apo_error_set(err, APO_E_RANGE, in->file, APO_NO_OFFSET, NULL,
                             "expected a block that fits in memory, found %zu parameters", p);
    }
    b->buf = malloc(nv * sizeof(double));
    if (b->buf == NULL) {
        return apo_error_set(err, APO_E_NOMEM, in->file, APO_NO_OFFSET, NULL, "out of memory");
    }
    b->ev.n_params = p;
    b->ev.values = b->buf;
    return APO_OK;
}

apo_status apo_blocks_next(apo_blocks *b, apo_error *err)
{
    const uint64_t first = b->next;
    const uint64_t left = b->n - first;
    const size_t count = (size_t)(left < GATE_BLOCK_EVENTS ? left : GATE_BLOCK_EVENTS);
    b->ev.n_events = count;
    b->first = first;
    if (count == 0) {
        return APO_OK;
    }
    if (b->in->ev != NULL) {
        for (size_t c = 0; c < b->ev.n_params; c++) {
            memcpy(b->buf + c * count, fcs_events_column(b->in->ev, c) + first,
                   count * sizeof(double));
        }
    } else {
        const fcs_decode_options d = input_decode();
        apo_status st = fcs_dataset_decode_f64(b->in->ds, first, count, &d, b->buf, count, err);
        if (st != APO_OK) {
            return st;
        }
    }
    b->next = first + count;
    return APO_OK;
}

void apo_blocks_free(apo_blocks *b)
{
    free(b->buf);
    memset(b, 0, sizeof *b);
}
