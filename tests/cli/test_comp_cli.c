/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_comp_cli.c: end-to-end tests of `apoflow comp` (matrix on stdout and to a file, the
 * flowCore reference, the CytoExploreR set with a skipped control, usage/IO exit codes).
 * Runs the built binary (APOFLOW_BINARY); skipped when it has not been built.
 */
#include "gating/gating_internal.h"
#include "support/need.h"
#include "support/run_cli.h"

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

TestSuite(cli_comp, .init = setup_gsl);

static void need(const char *path, bool corpus)
{
    test_need_path(path, corpus ? "the corpus file" : "the apoflow binary");
}

#define FC APOFLOW_CORPUS_DIR "/fcs/flowcore/"
#define CX APOFLOW_CORPUS_DIR "/fcs/cytoexplorerdata/"

static void need_all(void)
{
    need(APOFLOW_BINARY, false);
    need(FC "060909.001", true);
    need(FC "compdata/comp_match", true);
    need(CX "Compensation-Unstained.fcs", true);
}

Test(cli_comp, flowcore_all_events_to_stdout)
{
    need_all();
    const char *argv[] = {APOFLOW_BINARY,      "comp",          FC "060909.001",
                          FC "060909.002",     FC "060909.003", FC "060909.004",
                          FC "060909.005",     "--controls",    FC "compdata/comp_match",
                          "--population",      "all",           NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "%s", r.err);
    gate_comp *got = NULL;
    gate_comp *ref = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_parse_csv(&got, r.out, r.out_len, "stdout", &err), APO_OK, "%s",
                 err.msg);
    cr_assert_eq(gate_comp_read_csv(&ref, FC "compdata/compref1", &err), APO_OK, "%s", err.msg);
    cr_assert_eq(got->n, 4);
    for (size_t k = 0; k < 16; k++) {
        cr_assert_float_eq(got->spill[k], ref->spill[k], 1e-14);
    }
    gate_comp_free(got);
    gate_comp_free(ref);
    run_result_free(&r);
}

Test(cli_comp, cytoexplorer_to_file)
{
    need_all();
    char *dir = test_tmpdir();
    char out[512];
    snprintf(out, sizeof(out), "%s/comp.csv", dir);
    const char *argv[] = {APOFLOW_BINARY,
                          "comp",
                          CX "Compensation-7AAD.fcs",
                          CX "Compensation-AF700.fcs",
                          CX "Compensation-APC.fcs",
                          CX "Compensation-FITC.fcs",
                          CX "Compensation-PE.fcs",
                          CX "Compensation-Unstained.fcs",
                          "--controls",
                          CX "Compensation-Channels.csv",
                          "-o",
                          out,
                          NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "%s", r.err);
    cr_assert(strstr(r.out, "wrote") != NULL, "%s", r.out);
    cr_assert(strstr(r.err, "Compensation-APC-Cy7.fcs") != NULL, "%s", r.err);
    gate_comp *got = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_read_csv(&got, out, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(got->n, 5);
    cr_assert_str_eq(got->detectors[1], "PE-A");
    cr_assert_float_eq(got->spill[1], 0.188, 0.02); /* AF488 -> PE, DIVA $SPILL 0.188 */
    gate_comp_free(got);
    run_result_free(&r);
    remove(out);
    rmdir(dir);
    free(dir);
}

Test(cli_comp, exit_codes)
{
    need_all();
    run_result r;
    const char *help[] = {APOFLOW_BINARY, "comp", "--help", NULL};
    cr_assert_eq(run_cli(help, &r), 0);
    cr_assert(strstr(r.out, "usage: apoflow comp") != NULL);
    run_result_free(&r);
    const char *nosheet[] = {APOFLOW_BINARY, "comp", FC "060909.001", NULL};
    cr_assert_eq(run_cli(nosheet, &r), 64);
    run_result_free(&r);
    const char *badpop[] = {APOFLOW_BINARY, "comp",       FC "060909.001", "--controls",
                            FC "compdata/comp_match",     "--population",  "most", NULL};
    cr_assert_eq(run_cli(badpop, &r), 64);
    cr_assert(strstr(r.err, "--population") != NULL, "%s", r.err);
    run_result_free(&r);
    const char *nofile[] = {APOFLOW_BINARY, "comp", FC "060909.001", "--controls",
                            "/nonexistent/sheet.csv", NULL};
    cr_assert_eq(run_cli(nofile, &r), 66);
    run_result_free(&r);
    const char *notlisted[] = {APOFLOW_BINARY,     "comp",       FC "060909.001",
                               FC "0877408774.B08", "--controls", FC "compdata/comp_match",
                               NULL};
    cr_assert_eq(run_cli(notlisted, &r), 64);
    cr_assert(strstr(r.err, "0877408774.B08") != NULL, "%s", r.err);
    run_result_free(&r);
    const char *badout[] = {APOFLOW_BINARY,  "comp",          FC "060909.001",
                            FC "060909.002", FC "060909.003", FC "060909.004",
                            FC "060909.005", "--controls",    FC "compdata/comp_match",
                            "-o",            "/nonexistent-dir/m.csv", NULL};
    cr_assert_eq(run_cli(badout, &r), 73);
    run_result_free(&r);
}
