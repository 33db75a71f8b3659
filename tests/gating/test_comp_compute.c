/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_comp_compute.c: the spillover matrix from single-stain controls on synthetic events (the
 * flowStats median-method worked example; positive-population selection in a half-negative control;
 * errors for controls that are not positive) and the controls-sheet reader on both corpus layouts
 * (flowStats comp_match, CytoExploreR Compensation-Channels.csv).
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

TestSuite(gating_comp_compute, .init = setup_gsl);

static const char *const DET[2] = {"FITC-A", "PI-A"};
static const size_t COLS[2] = {1, 2}; /* column 0 is FSC-A */

/* Fill an events table of n events: FSC, FITC, PI from the callback. */
typedef void (*gen_fn)(size_t e, size_t n, double *fitc, double *pi);

static fcs_events make_events(size_t n, gen_fn gen)
{
    fcs_events ev = {n, 3, malloc(3 * n * sizeof(double))};
    cr_assert_not_null(ev.values);
    for (size_t e = 0; e < n; e++) {
        ev.values[e] = 1000.0 + (double)e;
        gen(e, n, &ev.values[n + e], &ev.values[2 * n + e]);
    }
    return ev;
}

static void const_unstained(size_t e, size_t n, double *f, double *p)
{
    (void)e;
    (void)n;
    *f = 50;
    *p = 80;
}
static void const_annv(size_t e, size_t n, double *f, double *p)
{
    (void)e;
    (void)n;
    *f = 10050;
    *p = 3066;
}
static void const_pi(size_t e, size_t n, double *f, double *p)
{
    (void)e;
    (void)n;
    *f = 120;
    *p = 20080;
}

Test(gating_comp_compute, worked_example)
{
    fcs_events u = make_events(101, const_unstained);
    fcs_events a = make_events(101, const_annv);
    fcs_events p = make_events(101, const_pi);
    const gate_comp_sample us = {&u, COLS, "unstained.fcs"};
    const gate_comp_sample ctl[2] = {{&a, COLS, "annv.fcs"}, {&p, COLS, "pi.fcs"}};
    for (int pop = 0; pop < 2; pop++) {
        gate_comp_compute_options o = GATE_COMP_COMPUTE_OPTIONS_INIT;
        o.population = pop == 0 ? GATE_COMP_POP_ALL : GATE_COMP_POP_POSITIVE;
        gate_comp *c = NULL;
        size_t used[2];
        apo_error err;
        cr_assert_eq(gate_comp_compute(&c, 2, DET, &us, ctl, &o, used, &err), APO_OK, "%s",
                     err.msg);
        cr_assert_float_eq(c->spill[0], 1.0, 1e-15);
        cr_assert_float_eq(c->spill[1], 0.2986, 1e-12);
        cr_assert_float_eq(c->spill[2], 0.0035, 1e-12);
        cr_assert_float_eq(c->spill[3], 1.0, 1e-15);
        cr_assert_eq(used[0], 101);
        cr_assert_str_eq(c->source, "controls");
        gate_comp_free(c);
    }
    free(u.values);
    free(a.values);
    free(p.values);
}

/* unstained: FITC 40..60, PI 70..90 spread evenly */
static void spread_unstained(size_t e, size_t n, double *f, double *p)
{
    const double t = (double)e / (double)(n - 1);
    *f = 40.0 + 20.0 * t;
    *p = 90.0 - 20.0 * t;
}
/* AnnV control of cells: the first 60% look unstained, the rest are FITC-bright with
 * PI = 80 + 0.2986 (FITC - 50) */
static void half_annv(size_t e, size_t n, double *f, double *p)
{
    if (e < n * 6 / 10) {
        spread_unstained(e, n * 6 / 10, f, p);
        return;
    }
    const double k = (double)(e - n * 6 / 10);
    *f = 2000.0 + 37.0 * k;
    *p = 80.0 + 0.2986 * (*f - 50.0);
}
static void bright_pi(size_t e, size_t n, double *f, double *p)
{
    (void)n;
    *p = 5000.0 + 11.0 * (double)e;
    *f = 50.0 + 0.0035 * (*p - 80.0);
}

Test(gating_comp_compute, positive_population)
{
    fcs_events u = make_events(1001, spread_unstained);
    fcs_events a = make_events(1001, half_annv);
    fcs_events p = make_events(1001, bright_pi);
    const gate_comp_sample us = {&u, COLS, "unstained.fcs"};
    const gate_comp_sample ctl[2] = {{&a, COLS, "annv.fcs"}, {&p, COLS, "pi.fcs"}};
    gate_comp_compute_options o = GATE_COMP_COMPUTE_OPTIONS_INIT;
    gate_comp *c = NULL;
    size_t used[2];
    apo_error err;
    cr_assert_eq(gate_comp_compute(&c, 2, DET, &us, ctl, &o, used, &err), APO_OK, "%s", err.msg);
    /* the bright 40% (401) plus the 3 unstained-like events above the unstained P99.5 */
    cr_assert_eq(used[0], 404);
    cr_assert_eq(used[1], 1001);
    cr_assert_float_eq(c->spill[1], 0.2986, 1e-9);
    cr_assert_float_eq(c->spill[2], 0.0035, 1e-9);
    gate_comp_free(c);
    /* every event: the medians fall inside the unstained-looking majority: badly wrong */
    o.population = GATE_COMP_POP_ALL;
    cr_assert_eq(gate_comp_compute(&c, 2, DET, &us, ctl, &o, used, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(used[0], 1001);
    cr_assert_gt(fabs(c->spill[1] - 0.2986), 0.5, "%g", c->spill[1]);
    gate_comp_free(c);
    free(u.values);
    free(a.values);
    free(p.values);
}

Test(gating_comp_compute, errors)
{
    fcs_events u = make_events(101, const_unstained);
    fcs_events a = make_events(101, const_annv);
    const gate_comp_sample us = {&u, COLS, "unstained.fcs"};
    /* the "PI control" is unstained: not positive in PI */
    const gate_comp_sample ctl[2] = {{&a, COLS, "annv.fcs"}, {&u, COLS, "pi.fcs"}};
    gate_comp_compute_options o = GATE_COMP_COMPUTE_OPTIONS_INIT;
    o.population = GATE_COMP_POP_ALL;
    gate_comp *c = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_compute(&c, 2, DET, &us, ctl, &o, NULL, &err), APO_E_NUMERIC);
    cr_assert_null(c);
    cr_assert(strstr(err.msg, "PI-A") != NULL, "%s", err.msg);
    cr_assert_str_eq(err.file, "pi.fcs");
    o.population = GATE_COMP_POP_POSITIVE;
    cr_assert_eq(gate_comp_compute(&c, 2, DET, &us, ctl, &o, NULL, &err), APO_E_NUMERIC);
    cr_assert(strstr(err.msg, "positive events") != NULL, "%s", err.msg);
    o.positive_quantile = 1.5;
    cr_assert_eq(gate_comp_compute(&c, 2, DET, &us, ctl, &o, NULL, &err), APO_E_USAGE);
    const size_t bad_cols[2] = {1, 7};
    const gate_comp_sample bad = {&a, bad_cols, "x.fcs"};
    o = (gate_comp_compute_options)GATE_COMP_COMPUTE_OPTIONS_INIT;
    cr_assert_eq(gate_comp_compute(&c, 2, DET, &bad, ctl, &o, NULL, &err), APO_E_USAGE);
    free(u.values);
    free(a.values);
}

static void need_corpus(const char *path)
{
    test_need_path(path, "the corpus file");
}

Test(gating_comp_compute, sheet_flowstats_comp_match)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/fcs/flowcore/compdata/comp_match", APOFLOW_CORPUS_DIR);
    need_corpus(path);
    gate_comp_sheet s;
    apo_error err;
    cr_assert_eq(gate_comp_sheet_read(&s, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(s.n, 5);
    cr_assert_str_eq(s.entries[0].file, "060909.001");
    cr_assert_null(s.entries[0].channel);
    cr_assert_str_eq(s.entries[2].file, "060909.004");
    cr_assert_str_eq(s.entries[2].channel, "FL4-H");
    gate_comp_sheet_free(&s);
    gate_comp_sheet_free(NULL);
}

Test(gating_comp_compute, sheet_cytoexplorer)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/fcs/cytoexplorerdata/Compensation-Channels.csv",
             APOFLOW_CORPUS_DIR);
    need_corpus(path);
    gate_comp_sheet s;
    apo_error err;
    cr_assert_eq(gate_comp_sheet_read(&s, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(s.n, 7);
    cr_assert_str_eq(s.entries[1].file, "Compensation-AF700.fcs");
    cr_assert_str_eq(s.entries[1].channel, "Alexa Fluor 700-A");
    cr_assert_str_eq(s.entries[6].file, "Compensation-Unstained.fcs");
    cr_assert_null(s.entries[6].channel);
    gate_comp_sheet_free(&s);
}

Test(gating_comp_compute, sheet_variants_and_errors)
{
    gate_comp_sheet s;
    apo_error err;
    const char *tsv = "channel\tfile\nFITC-A\ta.fcs\n\nunstained\tu.fcs\r\n";
    cr_assert_eq(gate_comp_sheet_parse(&s, tsv, strlen(tsv), "m", &err), APO_OK, "%s", err.msg);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(s.entries[0].file, "a.fcs");
    cr_assert_str_eq(s.entries[0].channel, "FITC-A");
    cr_assert_null(s.entries[1].channel);
    gate_comp_sheet_free(&s);
    const char *nohdr = "a.fcs,FITC-A\nu.fcs,Unstained\n";
    cr_assert_eq(gate_comp_sheet_parse(&s, nohdr, strlen(nohdr), "m", &err), APO_OK);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(s.entries[0].channel, "FITC-A");
    gate_comp_sheet_free(&s);
    const char *shortrow = "filename,channel\na.fcs\n";
    cr_assert_eq(gate_comp_sheet_parse(&s, shortrow, strlen(shortrow), "m", &err),
                 APO_E_FORMAT);
    cr_assert(strstr(err.msg, "line 2") != NULL, "%s", err.msg);
    cr_assert_eq(gate_comp_sheet_parse(&s, "filename,channel\n", 17, "m", &err), APO_E_FORMAT);
    cr_assert_eq(s.n, 0);
    cr_assert_eq(gate_comp_sheet_read(&s, "/nonexistent/sheet.csv", &err), APO_E_IO);
}
