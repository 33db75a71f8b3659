/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_comp_warning.c: `apoflow run` warns (stderr and results.json) when the spillover matrix
 * it applies is ill-conditioned (docs/algorithms.md 2.1), and not for a well-conditioned one.
 */
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run_with_matrix(const char *matrix, bool expect_warning)
{
    char *dir = test_tmpdir();
    char mpath[4096], out[4096], json[4200];
    snprintf(mpath, sizeof mpath, "%s/m.csv", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(json, sizeof json, "%s/results.json", out);
    FILE *fp = fopen(mpath, "w");
    cr_assert_not_null(fp);
    fputs(matrix, fp);
    fclose(fp);
    const char *argv[] = {APOFLOW_BINARY, "run", APOFLOW_SOURCE_DIR "/samples",
                          "--sheet", APOFLOW_SOURCE_DIR "/samples/sheet.csv",
                          "--comp", mpath, "-o", out, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    char *text = test_slurp(json, NULL);
    bool warned = strstr(text, "ill-conditioned") != NULL;
    cr_assert_eq(warned, expect_warning, "results.json warnings: %.300s",
                 strstr(text, "\"warnings\"") ? strstr(text, "\"warnings\"") : "(none)");
    cr_assert_eq(strstr(r.err, "ill-conditioned") != NULL, expect_warning, "stderr: %s", r.err);
    free(text);
    run_result_free(&r);
    free(dir);
}

Test(cli_run_comp, ill_conditioned_matrix_is_warned)
{
    /* cond2 = 1.99 / 0.01 = 199 > 100 */
    run_with_matrix("FITC-A,PE-A\n1,0.99\n0.99,1\n", true);
}

Test(cli_run_comp, ordinary_matrix_is_not_warned)
{
    run_with_matrix("FITC-A,PE-A\n1,0.22\n0.012,1\n", false);
}
