/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * apoptosis_events.c: how the apoptosis analysis reads a sample's events without ever holding
 * the whole file: a bounded deterministic subsample for estimates (every step-th event). Exact
 * counts stream every event through gate_strategy_apply_stream. Inputs either carry decoded
 * events (in->ev) or are decoded from their data set (scale values, divided by $PnG).
 */
#include "apoptosis_internal.h"

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

uint64_t apo_input_n_events(const assay_input *in)
{
    return in->ev != NULL ? in->ev->n_events : fcs_dataset_n_events(in->ds);
}

apo_status apo_input_sampled(const assay_input *in, uint64_t max_events, fcs_events *out,
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
