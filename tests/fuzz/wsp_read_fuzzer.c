/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wsp_read_fuzzer.c: fuzz target for the FlowJo workspace reader: parse a buffer, walk every
 * sample, group and population (paths, gates, parents, sample matching), then apply each
 * sample's strategy to a small synthetic data set whose channel names the seeds use (scatter,
 * FL1-A/FL2-A, the line and diamond examples' channel_A/B, the 8-colour panel) and compute its
 * report. Rejections with an error are expected; crashes, hangs, leaks and sanitizer reports
 * are bugs (docs/hardening.md). Seeds: tests/fuzz/corpus/wsp_read/ (make_wsp_seeds.py), and
 * the shared corpus's FlowJo workspaces, replayed by path (tests/fuzz/CMakeLists.txt).
 */
#include "fcs/fcs.h"
#include "gating/flowjo.h"
#include "gating/gate.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_EVENTS = 48, N_PARAMS = 19 };

static const char *const channel_names[N_PARAMS] = {
    "FSC-A",           "FSC-H",           "FSC-W",           "SSC-A",
    "SSC-H",           "SSC-W",           "Time",            "FL1-A",
    "FL2-A",           "channel_A",       "channel_B",       "TNFa FITC FLR-A",
    "CD8 PerCP-Cy55 FLR-A", "IL2 BV421 FLR-A", "Aqua Amine FLR-A", "IFNg APC FLR-A",
    "CD3 APC-H7 FLR-A", "CD107a PE FLR-A", "CD4 PE-Cy7 FLR-A"};

/* Deterministic values covering negatives, zero, large values and one NaN per column. */
static void fill_values(double *v)
{
    for (size_t p = 0; p < N_PARAMS; p++) {
        for (size_t e = 0; e < N_EVENTS; e++) {
            double x = (double)((e * 37 + p * 11) % N_EVENTS) - 8.0;
            v[p * N_EVENTS + e] = x * x * x * (double)(p % 5 + 1);
        }
        v[p * N_EVENTS + p % N_EVENTS] = NAN;
        v[p * N_EVENTS + N_EVENTS - 1] = 0.0;
    }
}

static size_t walk(const flowjo_workspace *w)
{
    size_t sum = w->n_warnings + w->n_matrices;
    for (size_t g = 0; g < w->n_groups; g++) {
        sum += strlen(w->groups[g].name) + w->groups[g].n_samples + w->groups[g].n_template;
        for (size_t k = 0; k < w->groups[g].n_samples; k++) {
            sum += w->groups[g].samples[k] < w->n_samples;
        }
    }
    for (size_t i = 0; i < w->n_samples; i++) {
        const flowjo_sample *s = &w->samples[i];
        for (size_t p = 0; p < s->n_populations; p++) {
            sum += strlen(s->populations[p].path);
            sum += gate_strategy_find(s->strategy, s->populations[p].path) ==
                   s->populations[p].gate;
            sum += gate_strategy_parent(s->strategy, s->populations[p].gate) != SIZE_MAX;
        }
        char buf[256];
        sum += flowjo_uri_path(s->uri, buf, sizeof buf);
        sum += flowjo_workspace_match(w, s->name, s->file, NULL) != SIZE_MAX;
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
    free(values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int gsl_quiet = 0;
    if (!gsl_quiet) {
        gsl_set_error_handler_off();
        gsl_quiet = 1;
    }
    (void)flowjo_is_workspace((const char *)data, size);
    flowjo_workspace w;
    apo_error err;
    if (flowjo_workspace_read_buffer(&w, (const char *)data, size, "fuzz.wsp", &err) != APO_OK) {
        (void)strlen(err.msg);
        return 0;
    }
    (void)walk(&w);
    for (size_t i = 0; i < w.n_samples && i < 8; i++) {
        apply(w.samples[i].strategy);
    }
    flowjo_workspace_free(&w);
    return 0;
}
