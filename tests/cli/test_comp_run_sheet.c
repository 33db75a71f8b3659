/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_comp_run_sheet.c: `apoflow comp --controls` takes the run's sample sheet: the matrix
 * equals the one from the equivalent controls sheet (file,channel).
 */
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(cli_comp_run_sheet, same_matrix_as_a_controls_sheet)
{
    char *dir = test_tmpdir();
    char controls[4096], a[4096], b[4096];
    snprintf(controls, sizeof controls, "%s/controls.csv", dir);
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    FILE *f = fopen(controls, "w");
    cr_assert_not_null(f);
    fputs("filename,channel\nctrl_unstained.fcs,unstained\nctrl_annexin_only.fcs,FITC-A\n"
          "ctrl_pi_only.fcs,PE-A\n",
          f);
    fclose(f);
    const char *files[] = {APOFLOW_SOURCE_DIR "/samples/ctrl_unstained.fcs",
                           APOFLOW_SOURCE_DIR "/samples/ctrl_annexin_only.fcs",
                           APOFLOW_SOURCE_DIR "/samples/ctrl_pi_only.fcs"};
    const char *run_a[] = {APOFLOW_BINARY, "comp", files[0], files[1], files[2], "--controls",
                           APOFLOW_SOURCE_DIR "/samples/sheet.csv", "-o", a, NULL};
    const char *run_b[] = {APOFLOW_BINARY, "comp", files[0], files[1], files[2],
                           "--controls", controls, "-o", b, NULL};
    run_result r;
    cr_assert_eq(run_cli(run_a, &r), 0, "%s", r.err);
    run_result_free(&r);
    cr_assert_eq(run_cli(run_b, &r), 0, "%s", r.err);
    run_result_free(&r);
    char ta[4096] = "", tb[4096] = "";
    f = fopen(a, "r");
    cr_assert_not_null(f);
    size_t na = fread(ta, 1, sizeof ta - 1, f);
    fclose(f);
    f = fopen(b, "r");
    cr_assert_not_null(f);
    size_t nb = fread(tb, 1, sizeof tb - 1, f);
    fclose(f);
    ta[na] = tb[nb] = '\0';
    cr_assert_str_eq(ta, tb);
    cr_assert(strstr(ta, "FITC-A,PE-A") == ta, "%s", ta);
    free(dir);
}
