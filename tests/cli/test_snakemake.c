/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_snakemake.c: the documented scale-out workflow (docs/examples/Snakefile, docs/scaling.md)
 * run by Debian's snakemake on the example experiment in samples/ with 3 shards, the built
 * apoflow given by the workflow's "apoflow" config: every step runs, each shard records its
 * place, and the merged samples.csv, comparisons.csv, stats.csv (and results.json,
 * results.xlsx, gating.xml) are byte for byte those of one run with the same gating. Skipped
 * (failed under CI=true, where .ci/run installs it) without snakemake.
 */
#include "support/json_mini.h"
#include "support/need.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SNAKEMAKE "/usr/bin/snakemake"
#define SAMPLES APOFLOW_SOURCE_DIR "/samples"

static void same_file(const char *a_dir, const char *b_dir, const char *name)
{
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/%s", a_dir, name);
    snprintf(b, sizeof b, "%s/%s", b_dir, name);
    size_t na, nb;
    char *x = test_slurp(a, &na), *y = test_slurp(b, &nb);
    cr_assert_gt(na, 0, "%s is empty", a);
    cr_assert(na == nb && memcmp(x, y, na) == 0, "%s differs between %s and %s", name, a_dir,
              b_dir);
    free(x);
    free(y);
}

Test(cli_snakemake, documented_workflow_equals_a_single_run, .timeout = 600)
{
    test_need_path(SNAKEMAKE, "snakemake (apt-get install snakemake)");
    char *dir = test_tmpdir();
    char out[4200], c_sheet[4300], c_out[4300], c_bin[4300], single[4200], gating[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(c_sheet, sizeof c_sheet, "sheet=%s", SAMPLES "/sheet.csv");
    snprintf(c_out, sizeof c_out, "out=%s", out);
    snprintf(c_bin, sizeof c_bin, "apoflow=%s", APOFLOW_BINARY);
    const char *argv[] = {SNAKEMAKE, "--snakefile", APOFLOW_SOURCE_DIR "/docs/examples/Snakefile",
                          "--cores", "2", "--config", c_sheet, "shards=3", c_out, c_bin, NULL};
    run_cli_options opts = {.cwd = dir, .timeout_s = 540};
    run_result r;
    run_cli_with(argv, &opts, &r);
    cr_assert_eq(r.exit_code, 0, "snakemake: exit %d%s:\n%s", r.exit_code,
                 r.timed_out ? " (timed out)" : "", r.err);
    cr_assert_not_null(strstr(r.err, "6 of 6 steps (100%) done"), "%s", r.err);
    run_result_free(&r);
    /* every shard says which of the 3 it is */
    for (int i = 1; i <= 3; i++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/shard%d/results.json", out, i);
        json_value *root = json_parse_file(path);
        cr_assert_not_null(root, "%s", path);
        const json_value *sh = json_get(root, "shard");
        cr_assert_eq(json_number(json_get(sh, "index"), 0), i);
        cr_assert_eq(json_number(json_get(sh, "count"), 0), 3);
        cr_assert_gt(json_size(json_get(sh, "inputs")), 0);
        json_free(root);
    }
    /* one run over all files with the prep step's gating (the sheet named the same way) */
    snprintf(single, sizeof single, "%s/single", dir);
    snprintf(gating, sizeof gating, "%s/prep/gating.xml", out);
    const char *a_single[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating",
                              gating, "--no-plots", "-q", "-o", single, NULL};
    run_cli(a_single, &r);
    cr_assert_eq(r.exit_code, 0, "single run: exit %d: %s", r.exit_code, r.err);
    run_result_free(&r);
    char merged[4300];
    snprintf(merged, sizeof merged, "%s/merged", out);
    static const char *const same[] = {"samples.csv",  "comparisons.csv", "stats.csv",
                                       "results.json", "results.xlsx",    "gating.xml"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        same_file(single, merged, same[i]);
    }
    struct stat st;
    char report[4400];
    snprintf(report, sizeof report, "%s/report.html", merged);
    cr_assert_eq(stat(report, &st), 0, "no %s", report);
    free(dir);
}
