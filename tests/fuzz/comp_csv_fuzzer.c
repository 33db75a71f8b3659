/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * comp_csv_fuzzer.c: fuzz target for the spillover matrix CSV/TSV reader (gate_comp_parse_csv)
 * and the compensation controls sheet reader (gate_comp_sheet_parse), both fed the same
 * buffer. A matrix that parses is written back as CSV and applied to a small synthetic data
 * set whose channels carry the seeds' detector names. Errors are expected; crashes, hangs,
 * leaks and sanitizer reports are bugs (docs/hardening.md).
 */
#include "fcs/fcs.h"
#include "gating/gate.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_EVENTS = 16, N_PARAMS = 5 };

static void use_matrix(const gate_comp *c)
{
    size_t sum = c->n;
    for (size_t i = 0; i < c->n; i++) {
        sum += strlen(c->detectors[i]) + strlen(c->fluorochromes[i]);
        sum += c->spill[i * c->n + i] > 0.0;
        sum += c->inverse[i * c->n + (c->n - 1)] > 0.0;
    }
    (void)sum;
    FILE *sink = fopen("/dev/null", "w");
    if (sink != NULL) {
        apo_status st = gate_comp_write_csv_stream(c, sink, NULL);
        fclose(sink);
        if (st != APO_OK) {
            return;
        }
    }
    /* Bind to channels named like the seeds' detectors and compensate a few events. */
    static const char *const names[N_PARAMS] = {"FSC-A", "FL1-A", "FL2-A", "FL3-A", "FL4-A"};
    /* An in-memory FCS file with those channels, so the public bind path is exercised. */
    double values[N_EVENTS * N_PARAMS];
    for (size_t k = 0; k < N_EVENTS * N_PARAMS; k++) {
        values[k] = (double)(k % 7) * 100.0 - 50.0;
    }
    fcs_write_param params[N_PARAMS];
    for (size_t p = 0; p < N_PARAMS; p++) {
        params[p] = (fcs_write_param){names[p], NULL, 1024.0};
    }
    fcs_write_spec spec = {N_PARAMS, params, N_EVENTS, values, 0, NULL};
    uint8_t *file = NULL;
    size_t file_len = 0;
    if (fcs_write_buffer(&file, &file_len, &spec, NULL) != APO_OK) {
        return;
    }
    fcs_file *f = NULL;
    if (fcs_file_open_buffer(&f, file, file_len, "fuzz.fcs", NULL, NULL) == APO_OK) {
        const fcs_dataset *ds = fcs_file_dataset(f, 0);
        fcs_events ev = {0};
        if (fcs_dataset_read_events(ds, NULL, &ev, NULL) == APO_OK) {
            gate_data d = {0};
            if (gate_data_init(&d, ds, &ev, NULL) == APO_OK) {
                d.comp = c;
                gate_strategy *s = NULL;
                if (gate_strategy_new(&s, NULL) == APO_OK) {
                    gate_dim dim = {.name = c->fluorochromes[0], .comp_ref = GATE_COMP_FCS};
                    double lo = 0.0, hi = 1e9;
                    gate_result r = {0};
                    if (gate_strategy_add_rectangle(s, "R", NULL, 1, &dim, &lo, &hi, NULL) ==
                            APO_OK &&
                        gate_strategy_apply(s, &d, &r, NULL) == APO_OK) {
                        (void)r.count[0];
                    }
                    gate_result_free(&r);
                    gate_strategy_free(s);
                }
                gate_data_free(&d);
            }
        }
        fcs_events_free(&ev);
    }
    fcs_file_free(f);
    free(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int gsl_quiet = 0;
    if (!gsl_quiet) {
        gsl_set_error_handler_off();
        gsl_quiet = 1;
    }
    apo_error err;
    gate_comp *c = NULL;
    if (gate_comp_parse_csv(&c, (const char *)data, size, "fuzz.csv", &err) == APO_OK) {
        use_matrix(c);
        gate_comp_free(c);
    } else {
        (void)strlen(err.msg);
    }
    gate_comp_sheet sheet = {0};
    if (gate_comp_sheet_parse(&sheet, (const char *)data, size, "fuzz.csv", &err) == APO_OK) {
        for (size_t i = 0; i < sheet.n; i++) {
            (void)strlen(sheet.entries[i].file);
            if (sheet.entries[i].channel != NULL) {
                (void)strlen(sheet.entries[i].channel);
            }
        }
    }
    gate_comp_sheet_free(&sheet);
    return 0;
}
