/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_gating_spill.c: a run with --gating reports the spillover the Gating-ML file applies
 * (not NaN/null): the same 2 x 2 values as the run that wrote the file.
 */
#include "support/json_mini.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double spill(const char *dir, size_t i, size_t j)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_value *root = json_parse_file(path);
    cr_assert_not_null(root);
    const json_value *m = json_get(json_get(root, "compensation"), "spillover");
    double v = json_number(json_index(json_index(m, i), j), -1);
    json_free(root);
    return v;
}

Test(cli_run_gating_spill, gating_run_reports_the_files_spillover, .timeout = 300)
{
    char *dir = test_tmpdir();
    char a[4096], b[4096], gating[4200];
    snprintf(a, sizeof a, "%s/auto", dir);
    snprintf(b, sizeof b, "%s/given", dir);
    snprintf(gating, sizeof gating, "%s/gating.xml", a);
    const char *run_a[] = {APOFLOW_BINARY, "run", "--sheet", APOFLOW_SOURCE_DIR "/samples/sheet.csv",
                           "-o", a, "--no-plots", "-q", NULL};
    const char *run_b[] = {APOFLOW_BINARY, "run", "--sheet", APOFLOW_SOURCE_DIR "/samples/sheet.csv",
                           "--gating", gating, "-o", b, "--no-plots", NULL};
    run_result r;
    cr_assert_eq(run_cli(run_a, &r), 0, "%s", r.err);
    run_result_free(&r);
    cr_assert_eq(run_cli(run_b, &r), 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "nan"), "%s", r.out);
    run_result_free(&r);
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < 2; j++) {
            double want = spill(a, i, j), got = spill(b, i, j);
            cr_assert(want >= 0 && got >= 0, "spillover[%zu][%zu]: %g vs %g", i, j, want, got);
            cr_assert_float_eq(got, want, 1e-12 * (1 + want), "spillover[%zu][%zu]", i, j);
        }
    }
    free(dir);
}
