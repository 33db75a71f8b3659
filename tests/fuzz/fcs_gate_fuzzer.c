/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fcs_gate_fuzzer.c: fuzz target for the path behind `apoflow gate`: parse an FCS buffer,
 * decode the first data set (scaled, with gain), bind the file's own spillover matrix
 * (gate_data_init), then evaluate a strategy of a range gate and compensated quadrants on the
 * last two channels and compute the report; then the same from the data set block by block
 * with a small estimation sample (gate_report_stream, fcs_dataset_read_sampled) and the
 * apoptosis analysis on it (assay_analyze with inputs decoded on demand, the last two
 * channels as Annexin V and PI). Uses the FCS seeds (corpus/fcs_gate/). Errors are
 * expected; crashes, hangs, leaks and sanitizer reports are bugs (docs/hardening.md).
 */
#include "fcs/fcs.h"
#include "assay/assay.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void gate_events(const fcs_dataset *ds, const fcs_events *ev)
{
    gate_data d = {0};
    if (gate_data_init(&d, ds, ev, NULL) != APO_OK) {
        return;
    }
    gate_strategy *s = NULL;
    if (gate_strategy_new(&s, NULL) == APO_OK) {
        size_t n = fcs_dataset_n_params(ds);
        const fcs_param *px = fcs_dataset_param(ds, n >= 2 ? n - 2 : 0);
        const fcs_param *py = fcs_dataset_param(ds, n - 1);
        gate_dim range = {.name = px->name};
        double lo = 1.0, hi = 1e6;
        gate_dim q[2] = {{.name = px->name, .comp_ref = GATE_COMP_FCS},
                         {.name = py->name, .comp_ref = GATE_COMP_FCS}};
        const char *ids[4] = {"q1", "q2", "q3", "q4"};
        gate_result r = {0};
        if (gate_strategy_add_rectangle(s, "R", NULL, 1, &range, &lo, &hi, NULL) == APO_OK &&
            gate_strategy_add_quadrants_2d(s, "Q", "R", q, 100.0, 50.0, ids, NULL) == APO_OK &&
            gate_strategy_apply(s, &d, &r, NULL) == APO_OK) {
            gate_report rep = {0};
            if (gate_report_compute(s, &d, &r, &rep, NULL) == APO_OK && rep.n_populations > 0) {
                (void)strlen(rep.populations[rep.n_populations - 1].path);
            }
            gate_report_free(&rep);
        }
        gate_result_free(&r);
        gate_strategy_free(s);
    }
    gate_data_free(&d);
}

/* The bounded-memory paths: streamed report, stride subsample, streamed apoptosis analysis. */
static void stream_paths(const fcs_dataset *ds)
{
    size_t n = fcs_dataset_n_params(ds);
    const fcs_param *px = fcs_dataset_param(ds, n >= 2 ? n - 2 : 0);
    const fcs_param *py = fcs_dataset_param(ds, n - 1);
    fcs_events sub = {0};
    uint64_t step = 0;
    if (fcs_dataset_read_sampled(ds, NULL, 37, &sub, &step, NULL) == APO_OK) {
        (void)fcs_events_column(&sub, 0);
    }
    fcs_events_free(&sub);
    gate_strategy *s = NULL;
    if (gate_strategy_new(&s, NULL) == APO_OK) {
        gate_dim range = {.name = px->name};
        double lo = 1.0, hi = 1e6;
        gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
        so.sample_events = 50;
        so.decode.threads = 1;
        gate_report rep = {0};
        if (gate_strategy_add_rectangle(s, "R", NULL, 1, &range, &lo, &hi, NULL) == APO_OK &&
            gate_report_stream(s, ds, &so, &rep, &step, NULL) == APO_OK &&
            rep.n_populations > 0) {
            (void)strlen(rep.populations[0].path);
        }
        gate_report_free(&rep);
        gate_strategy_free(s);
    }
    assay_input in[2] = {{0}};
    for (int k = 0; k < 2; k++) {
        in[k].sample = k ? "s" : "u";
        in[k].file = "fuzz.fcs";
        in[k].role = k ? ASSAY_ROLE_STIMULUS : ASSAY_ROLE_UNSTAINED;
        in[k].treatment = in[k].dose_text = in[k].dose_unit = "";
        in[k].dose = NAN;
        in[k].ds = ds;
        in[k].ev = NULL;
    }
    assay_options o;
    assay_options_init(&o);
    o.annexin_channel = px->name;
    o.pi_channel = py->name;
    o.sample_events = 50;
    assay_result res;
    if (assay_analyze(in, 2, &o, &res, NULL) == APO_OK) {
        assay_result_free(&res);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int gsl_quiet = 0;
    if (!gsl_quiet) {
        gsl_set_error_handler_off();
        gsl_quiet = 1;
    }
    fcs_file *f = NULL;
    if (fcs_file_open_buffer(&f, data, size, "fuzz.fcs", NULL, NULL) != APO_OK) {
        return 0;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    uint64_t cells = 0;
    if (ds != NULL && fcs_dataset_n_params(ds) > 0 && fcs_dataset_has_data(ds) &&
        apo_mul_u64(fcs_dataset_n_events(ds), fcs_dataset_n_params(ds), &cells) &&
        cells <= (1u << 16)) {
        fcs_decode_options opt = FCS_DECODE_OPTIONS_INIT;
        opt.values = FCS_VALUES_SCALED;
        opt.apply_gain = true;
        opt.threads = 1;
        fcs_events ev = {0};
        if (fcs_dataset_read_events(ds, &opt, &ev, NULL) == APO_OK) {
            gate_events(ds, &ev);
        }
        fcs_events_free(&ev);
        stream_paths(ds);
    }
    fcs_file_free(f);
    return 0;
}
