/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_read_options.c: `apoflow run` takes the reader options of the other commands. The
 * corpus file with a duplicate $PnN is refused by default (the run has no readable file: 66)
 * and read with --rename-duplicates, after which the analysis itself says what is missing.
 */
#include "support/need.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DUP APOFLOW_CORPUS_DIR "/fcs/facejava/invalid-duplicate_parameter_name.fcs"

Test(cli_run_read_options, rename_duplicates_reaches_the_analysis)
{
    test_need_path(DUP, "the corpus file");
    char *dir = test_tmpdir();
    char out[1024];
    snprintf(out, sizeof out, "%s/a", dir);
    const char *plain[] = {APOFLOW_BINARY, "run", DUP, "-o", out, "--no-plots", NULL};
    run_result r;
    cr_assert_eq(run_cli(plain, &r), 66, "%s", r.err);
    cr_assert(strstr(r.err, "$P2N: expected unique parameter names") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "--rename-duplicates") != NULL, "%s", r.err);
    run_result_free(&r);

    snprintf(out, sizeof out, "%s/b", dir);
    const char *renamed[] = {APOFLOW_BINARY, "run",       DUP,  "-o", out, "--no-plots",
                             "--rename-duplicates", "--offsets", "auto", NULL};
    cr_assert_eq(run_cli(renamed, &r), 64, "%s", r.err);
    cr_assert(strstr(r.err, "expected unique parameter names") == NULL, "%s", r.err);
    cr_assert(strstr(r.err, "expected an Annexin V channel") != NULL, "%s", r.err);
    run_result_free(&r);

    const char *bad[] = {APOFLOW_BINARY, "run", DUP, "-o", out, "--text-mode", "weird", NULL};
    cr_assert_eq(run_cli(bad, &r), 64, "%s", r.err);
    cr_assert(strstr(r.err, "--text-mode") != NULL, "%s", r.err);
    run_result_free(&r);
    free(dir);
}
