/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * strategy_stream.c: a strategy applied to a data set of any size within the memory policy
 * of gate.h: events decoded one block of GATE_BLOCK_EVENTS at a time and gated block by
 * block (exact counts, per-block membership for callers), and the population report whose
 * medians come from the bounded deterministic subsample (fcs_dataset_read_sampled).
 */
#include "gating/gate.h"

#include <stdlib.h>
#include <string.h>

static const gate_stream_options *options_or_default(const gate_stream_options *opts,
                                                     gate_stream_options *storage)
{
    if (opts != NULL) {
        return opts;
    }
    const gate_stream_options d = GATE_STREAM_OPTIONS_INIT;
    *storage = d;
    return storage;
}

apo_status gate_strategy_apply_stream(const gate_strategy *s, const fcs_dataset *ds,
                                      const gate_stream_options *opts, uint64_t *counts,
                                      apo_error *err)
{
    gate_stream_options storage;
    opts = options_or_default(opts, &storage);
    const size_t ng = s != NULL ? gate_strategy_n_gates(s) : 0;
    if (counts != NULL && ng > 0) {
        memset(counts, 0, ng * sizeof(*counts));
    }
    const uint64_t n = fcs_dataset_n_events(ds);
    const size_t np = fcs_dataset_n_params(ds);
    const size_t block = GATE_BLOCK_EVENTS;
    size_t bytes = 0;
    double *buf = NULL;
    if (!apo_mul_size(np ? np : 1, block * sizeof(double), &bytes) ||
        (buf = malloc(bytes)) == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a block of %zu events, found none", block);
    }
    fcs_events view = {n < block ? n : block, np, buf};
    gate_data d;
    apo_status st = gate_data_init(&d, ds, &view, err);
    if (st != APO_OK) {
        free(buf);
        return st;
    }
    if (opts->override_comp) {
        d.comp = opts->comp;
    }
    for (uint64_t first = 0; first < n && st == APO_OK; first += block) {
        const size_t count = (size_t)(n - first < block ? n - first : block);
        st = fcs_dataset_decode_f64(ds, first, count, &opts->decode, buf, count, err);
        if (st != APO_OK) {
            break;
        }
        d.values = buf;
        d.n_events = count;
        gate_result r;
        memset(&r, 0, sizeof(r));
        if (s != NULL) {
            st = gate_strategy_apply(s, &d, &r, err);
        }
        if (st == APO_OK && s != NULL && counts != NULL) {
            for (size_t g = 0; g < ng; g++) {
                counts[g] += r.count[g];
            }
        }
        if (st == APO_OK && opts->on_block != NULL) {
            st = opts->on_block(opts->ctx, &d, s != NULL ? &r : NULL, first, err);
        }
        gate_result_free(&r);
        fcs_dataset_drop_pages(ds, first, count); /* resident memory: this block only */
    }
    gate_data_free(&d);
    free(buf);
    return st;
}

/* Report of the subsample (every event when step is 1); the on_block call with step 1. */
static apo_status sampled_report(const gate_strategy *s, const fcs_dataset *ds,
                                 const gate_stream_options *opts, gate_report *out,
                                 uint64_t *step, apo_error *err)
{
    fcs_events ev = {0, 0, NULL};
    gate_data d;
    gate_result r;
    memset(&d, 0, sizeof(d));
    memset(&r, 0, sizeof(r));
    apo_status st = fcs_dataset_read_sampled(ds, &opts->decode, opts->sample_events, &ev, step,
                                             err);
    if (st == APO_OK) {
        st = gate_data_init(&d, ds, &ev, err);
    }
    if (st == APO_OK) {
        if (opts->override_comp) {
            d.comp = opts->comp;
        }
        st = gate_strategy_apply(s, &d, &r, err);
    }
    if (st == APO_OK) {
        st = gate_report_compute(s, &d, &r, out, err);
    }
    if (st == APO_OK && *step == 1 && opts->on_block != NULL) {
        /* the sample is the whole data set: one block holds every event */
        st = opts->on_block(opts->ctx, &d, &r, 0, err);
        if (st != APO_OK) {
            gate_report_free(out);
        }
    }
    gate_result_free(&r);
    gate_data_free(&d);
    fcs_events_free(&ev);
    return st;
}

apo_status gate_report_stream(const gate_strategy *s, const fcs_dataset *ds,
                              const gate_stream_options *opts, gate_report *out,
                              uint64_t *step_out, apo_error *err)
{
    gate_stream_options storage;
    opts = options_or_default(opts, &storage);
    memset(out, 0, sizeof(*out));
    uint64_t step = 1;
    apo_status st = sampled_report(s, ds, opts, out, &step, err);
    if (step_out != NULL) {
        *step_out = step;
    }
    if (st != APO_OK || step == 1) {
        return st;
    }
    /* a subsample: counts and percentages again, exactly, over every event */
    const size_t ng = gate_strategy_n_gates(s);
    uint64_t *counts = calloc(ng ? ng : 1, sizeof(*counts));
    if (counts == NULL) {
        gate_report_free(out);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu gate counts, found none", ng);
    }
    st = gate_strategy_apply_stream(s, ds, opts, counts, err);
    const uint64_t total = fcs_dataset_n_events(ds);
    for (size_t i = 0; i < out->n_populations && st == APO_OK; i++) {
        gate_population *p = &out->populations[i];
        const size_t par = gate_strategy_parent(s, p->gate);
        p->count = counts[p->gate];
        p->parent_count = par == SIZE_MAX ? total : counts[par];
        p->pct_parent = gate_percent((size_t)p->count, (size_t)p->parent_count);
        p->pct_total = gate_percent((size_t)p->count, (size_t)total);
    }
    free(counts);
    if (st != APO_OK) {
        gate_report_free(out);
    }
    return st;
}
