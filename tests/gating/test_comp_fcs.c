/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_comp_fcs.c: compensation of real FCS events: the file's own $SPILL (CytoExploreR LSRII
 * FITC control, 11 of 18 channels) applied in place must equal the per-event vector product
 * and leave scatter/Time untouched; binding a CSV matrix to a data set by $PnN (with FlowJo's
 * "Comp-" prefix) and the error naming a detector the file lacks.
 */
#include "gating/gating_internal.h"

#include "support/need.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void setup_gsl(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gating_comp_fcs, .init = setup_gsl);

#define FITC_FCS APOFLOW_CORPUS_DIR "/fcs/cytoexplorerdata/Compensation-FITC.fcs"

static fcs_file *open_fitc(void)
{
    test_need_path(FITC_FCS, "the corpus file");
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, FITC_FCS, NULL, &err), APO_OK, "%s", err.msg);
    return f;
}

Test(gating_comp_fcs, file_spill_in_place)
{
    fcs_file *f = open_fitc();
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    const fcs_spillover *sp = fcs_dataset_spillover(ds);
    cr_assert_not_null(sp);
    gate_comp *c = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_from_fcs(&c, sp, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(c->n, 11);
    cr_assert_str_eq(c->detectors[0], "Alexa Fluor 488-A");
    cr_assert_eq(c->param_index[0], 6);
    cr_assert_float_eq(c->spill[1], 0.188000660829419, 1e-15);
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    o.values = FCS_VALUES_SCALED;
    fcs_events raw;
    fcs_events comp;
    cr_assert_eq(fcs_dataset_read_events(ds, &o, &raw, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_dataset_read_events(ds, &o, &comp, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(raw.n_events, 50000);
    cr_assert_eq(gate_comp_apply(c, &comp, 0, &err), APO_OK, "%s", err.msg);
    const uint64_t n = raw.n_events;
    for (uint64_t e = 0; e < n; e += 997) {
        double o_vec[11];
        double t_vec[11];
        for (size_t j = 0; j < 11; j++) {
            o_vec[j] = raw.values[c->param_index[j] * n + e];
        }
        gate_comp_apply_vector(c, o_vec, t_vec);
        for (size_t j = 0; j < 11; j++) {
            const double got = comp.values[c->param_index[j] * n + e];
            cr_assert_float_eq(got, t_vec[j], 1e-9 * fmax(1.0, fabs(t_vec[j])));
        }
        for (size_t p = 0; p < 6; p++) { /* FSC/SSC A, H, W */
            cr_assert_eq(comp.values[p * n + e], raw.values[p * n + e]);
        }
        cr_assert_eq(comp.values[17 * n + e], raw.values[17 * n + e]); /* Time */
    }
    /* de-compensating (t . S) gives the raw values back */
    for (uint64_t e = 0; e < n; e += 4999) {
        for (size_t j = 0; j < 11; j++) {
            double back = 0.0;
            for (size_t i = 0; i < 11; i++) {
                back += comp.values[c->param_index[i] * n + e] * c->spill[i * 11 + j];
            }
            const double want = raw.values[c->param_index[j] * n + e];
            cr_assert_float_eq(back, want, 1e-9 * fmax(1.0, fabs(want)));
        }
    }
    fcs_events_free(&raw);
    fcs_events_free(&comp);
    gate_comp_free(c);
    fcs_file_free(f);
}

Test(gating_comp_fcs, bind_to_dataset)
{
    fcs_file *f = open_fitc();
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    const char *csv = "Comp-Alexa Fluor 488-A,Comp-PE-A\n1,0.188\n0.006,1\n";
    gate_comp *c = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_parse_csv(&c, csv, strlen(csv), "m.csv", &err), APO_OK, "%s",
                 err.msg);
    cr_assert_eq(gate_comp_bind(c, ds, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(c->param_index[0], 6);
    cr_assert_eq(c->param_index[1], 7);
    gate_comp_free(c);
    const char *bad = "Alexa Fluor 488-A,BV421-A\n1,0.1\n0,1\n";
    cr_assert_eq(gate_comp_parse_csv(&c, bad, strlen(bad), "m.csv", &err), APO_OK);
    cr_assert_eq(gate_comp_bind(c, ds, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "BV421-A") != NULL, "%s", err.msg);
    gate_comp_free(c);
    fcs_file_free(f);
}
