/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gml_read_fuzzer.c: fuzz target for the Gating-ML 2.0 reader: parse a buffer into a strategy,
 * walk every gate (views, paths, parents), then apply the strategy to a small synthetic data
 * set whose channel names the seeds use (FSC-A, SSC-A, FL1-A, FL2-A, FITC-A, PI-A) and compute
 * its report. Rejections with an error are expected; crashes, hangs, leaks and sanitizer
 * reports are bugs (docs/hardening.md).
 */
#include "fcs/fcs.h"
#include "gating/gate.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_EVENTS = 48, N_PARAMS = 6 };

static const char *const channel_names[N_PARAMS] = {"FSC-A", "SSC-A", "FL1-A",
                                                    "FL2-A", "FITC-A", "PI-A"};

/* Deterministic values covering negatives, zero, large values and one NaN per column. */
static void fill_values(double *v)
{
    for (size_t p = 0; p < N_PARAMS; p++) {
        for (size_t e = 0; e < N_EVENTS; e++) {
            double x = (double)((e * 37 + p * 11) % N_EVENTS) - 8.0;
            v[p * N_EVENTS + e] = x * x * x * (p + 1);
        }
        v[p * N_EVENTS + p] = NAN;
        v[p * N_EVENTS + N_EVENTS - 1] = 0.0;
    }
}

static size_t walk(const gate_strategy *s)
{
    size_t sum = 0;
    for (size_t i = 0; i < gate_strategy_n_gates(s); i++) {
        gate_info gi;
        gate_strategy_gate(s, i, &gi);
        sum += strlen(gi.id) + gi.n_dims + gi.n_vertices + gi.n_operands;
        for (size_t d = 0; d < gi.n_dims && gi.dims != NULL; d++) {
            sum += gi.dims[d].name != NULL ? strlen(gi.dims[d].name) : 0;
        }
        for (size_t k = 0; k < gi.n_operands; k++) {
            sum += strlen(gi.operands[k]);
        }
        sum += gate_strategy_parent(s, i) != SIZE_MAX;
        sum += gate_strategy_find(s, gi.id) == i;
        char *path = gate_strategy_path(s, i);
        if (path != NULL) {
            sum += strlen(path);
            free(path);
        }
    }
    return sum;
}

static void apply(const gate_strategy *s)
{
    double *values = malloc(sizeof(double) * N_EVENTS * N_PARAMS);
    if (values == NULL) {
        return;
    }
    fill_values(values);
    gate_data d = {0};
    d.n_events = N_EVENTS;
    d.n_params = N_PARAMS;
    d.names = channel_names;
    d.values = values;
    gate_result r = {0};
    if (gate_strategy_apply(s, &d, &r, NULL) == APO_OK) {
        gate_report rep = {0};
        if (gate_report_compute(s, &d, &r, &rep, NULL) == APO_OK) {
            for (size_t i = 0; i < rep.n_populations; i++) {
                (void)strlen(rep.populations[i].path);
            }
        }
        gate_report_free(&rep);
    }
    gate_result_free(&r);
    gate_report dims = {0};
    if (gate_report_dims(s, &dims, NULL) == APO_OK && dims.n_dims > 0) {
        (void)strlen(dims.dim_names[dims.n_dims - 1]);
    }
    gate_report_free(&dims);
    free(values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int gsl_quiet = 0;
    if (!gsl_quiet) {
        gsl_set_error_handler_off();
        gsl_quiet = 1;
    }
    gate_strategy *s = NULL;
    apo_error err;
    if (gate_strategy_read_gml_buffer(&s, (const char *)data, size, "fuzz.xml", &err) != APO_OK) {
        (void)strlen(err.msg);
        return 0;
    }
    (void)walk(s);
    if (gate_strategy_validate(s, NULL) == APO_OK) {
        apply(s);
    }
    gate_strategy_free(s);
    return 0;
}
