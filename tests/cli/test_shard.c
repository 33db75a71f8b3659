/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_shard.c: `apoflow run --shard I/N --gating G` + `apoflow merge` give the same
 * samples.csv, stats.csv, comparisons.csv and results.json, byte for byte, as one run over
 * all files with the same --gating (the generated experiments in samples/: replicates with
 * Welch tests, and a 5-dose series with a 4PL fit); shards given to merge in any order;
 * usage errors (--shard without --gating, a bad I/N, mismatched shards, OUTDIR = a shard);
 * a method the merge does not know in a shard's results.json.
 */
#include "support/json_mini.h"
#include "support/run_cli.h"
#include "support/slurp.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SAMPLES APOFLOW_SOURCE_DIR "/samples"

static void same_file(const char *a_dir, const char *b_dir, const char *name)
{
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/%s", a_dir, name);
    snprintf(b, sizeof b, "%s/%s", b_dir, name);
    size_t na, nb;
    char *x = test_slurp(a, &na), *y = test_slurp(b, &nb);
    cr_assert_gt(na, 0);
    cr_assert(na == nb && memcmp(x, y, na) == 0, "%s differs between %s and %s", name, a_dir,
              b_dir);
    free(x);
    free(y);
}

static int run(const char *const *argv)
{
    run_result r;
    int rc = run_cli(argv, &r);
    if (rc != 0) {
        cr_log_error("%s %s: exit %d: %s", argv[1], argv[2], rc, r.err);
    }
    run_result_free(&r);
    return rc;
}

/* Shard @p dir's record of itself: its sheet and gating file, and its inputs (the samples of
 * its samples.csv, in order, each file with data set 1 and the file's SHA-256), the same
 * checksums its report.html states (a file is hashed once per run: both from that hash). */
static void shard_record(const char *dir, const char *sheet, const char *gating)
{
    char path[4200], hex[65];
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_value *root = json_parse_file(path);
    cr_assert_not_null(root, "%s", path);
    const json_value *sh = json_get(root, "shard");
    const char *files[2] = {sheet, gating}, *keys[2] = {"sheet", "gating"};
    for (int k = 0; k < 2; k++) {
        const json_value *o = json_get(sh, keys[k]);
        cr_assert_str_eq(json_string(json_get(o, "file")), files[k], "%s %s", dir, keys[k]);
        cr_assert_eq(apo_sha256_file(files[k], hex), 0);
        cr_assert_str_eq(json_string(json_get(o, "sha256")), hex, "%s %s", dir, keys[k]);
    }
    const json_value *in = json_get(sh, "inputs"), *samples = json_get(root, "samples");
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *report = test_read_file(path, NULL);
    cr_assert_not_null(report, "%s", path);
    cr_assert_gt(json_size(in), 0);
    cr_assert_eq(json_size(in), json_size(samples), "%s: one input per sample", dir);
    for (size_t i = 0; i < json_size(in); i++) {
        const json_value *x = json_index(in, i), *smp = json_index(samples, i);
        const char *file = json_string(json_get(x, "file"));
        cr_assert_str_eq(file, json_string(json_get(smp, "file")));
        cr_assert_str_eq(json_string(json_get(x, "sample")), json_string(json_get(smp, "sample")));
        cr_assert_eq(json_number(json_get(x, "dataset"), 0), 1);
        cr_assert_eq(apo_sha256_file(file, hex), 0, "%s", file);
        cr_assert_str_eq(json_string(json_get(x, "sha256")), hex, "%s", file);
        cr_assert_not_null(strstr(report, hex), "%s: report.html lacks %s's checksum", dir, file);
    }
    free(report);
    json_free(root);
}

/* The prep step: the controls only, into DIR/prep; @p gating gets its gating.xml. */
static void prep_gating(const char *dir, const char *sheet, char *gating, size_t cap)
{
    char prep[4096];
    snprintf(prep, sizeof prep, "%s/prep", dir);
    snprintf(gating, cap, "%s/gating.xml", prep);
    const char *a_prep[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "--controls-only",
                            "--no-plots", "-q", "-o", prep, NULL};
    cr_assert_eq(run(a_prep), 0);
}

/* prep (controls only) -> single run with its gating, n shards -> merge (reverse order). */
static void shard_and_merge(const char *sheet, unsigned n_shards, size_t want_samples,
                            size_t want_comparisons, size_t want_fits)
{
    char *dir = test_tmpdir();
    char gating[4200], single[4096], merged[4096], shard[16][4096], spec[32];
    prep_gating(dir, sheet, gating, sizeof gating);
    snprintf(single, sizeof single, "%s/single", dir);
    snprintf(merged, sizeof merged, "%s/merged", dir);
    const char *a_single[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "--gating", gating,
                              "--no-plots", "-q", "-o", single, NULL};
    cr_assert_eq(run(a_single), 0);
    const char *a_merge[20] = {APOFLOW_BINARY, "merge", "-q", "--no-report", "-o", merged};
    size_t na = 6;
    for (unsigned i = 1; i <= n_shards; i++) {
        snprintf(shard[i], sizeof shard[i], "%s/shard%u", dir, i);
        snprintf(spec, sizeof spec, "%u/%u", i, n_shards);
        const char *a_shard[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "--gating", gating,
                                 "--shard", spec, "--no-plots", "-q", "-o", shard[i], NULL};
        cr_assert_eq(run(a_shard), 0, "shard %s", spec);
        shard_record(shard[i], sheet, gating);
    }
    for (unsigned i = n_shards; i >= 1; i--) {
        a_merge[na++] = shard[i];
    }
    a_merge[na] = NULL;
    cr_assert_eq(run(a_merge), 0);
    same_file(single, merged, "samples.csv");
    same_file(single, merged, "stats.csv");
    same_file(single, merged, "comparisons.csv");
    same_file(single, merged, "results.json");
    same_file(single, merged, "gating.xml"); /* the merged folder has the gating applied */
    same_file(single, merged, "results.xlsx");
    /* the merge owns its folder as a run does: manifest.json lists what it wrote */
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", merged);
    json_value *man = json_parse_file(mpath);
    cr_assert_not_null(man, "%s", mpath);
    static const char *const listed[] = {"comparisons.csv", "gating.xml", "results.json",
                                         "results.xlsx", "samples.csv", "stats.csv"};
    const json_value *files = json_get(man, "files");
    cr_assert_eq(json_size(files), sizeof listed / sizeof *listed);
    for (size_t i = 0; i < json_size(files); i++) {
        cr_assert_str_eq(json_string(json_index(files, i)), listed[i]);
    }
    cr_assert_str_eq(json_string(json_get(man, "complete")), "yes");
    json_free(man);
    /* and the content is the experiment's */
    char path[4200];
    snprintf(path, sizeof path, "%s/results.json", merged);
    json_value *root = json_parse_file(path);
    cr_assert_not_null(root);
    cr_assert_eq(json_size(json_get(root, "samples")), want_samples);
    cr_assert_eq(json_size(json_get(root, "comparisons")), want_comparisons);
    cr_assert_eq(json_size(json_get(root, "dose_response")), want_fits);
    for (size_t i = 0; i < want_comparisons; i++) {
        const json_value *c = json_index(json_get(root, "comparisons"), i);
        double p = json_number(json_get(c, "p_value"), -1);
        cr_assert_not_null(json_get(c, "replicates"));
        if (json_bool(json_get(c, "replicates"), false)) {
            cr_assert(p >= 0 && p <= 1, "comparison %zu p = %g", i, p);
        } else {
            cr_assert(json_is_null(json_get(c, "p_value")), "comparison %zu", i);
        }
    }
    json_free(root);
    free(dir);
}

Test(cli_shard, replicates_three_shards_equal_single_run)
{
    shard_and_merge(SAMPLES "/sheet.csv", 3, 18, 4, 0);
}

Test(cli_shard, dose_series_four_uneven_shards_equal_single_run)
{
    /* 10 files over 4 shards: 2, 3, 2, 3; the 4PL fit needs samples from several shards */
    shard_and_merge(SAMPLES "/calibur/sheet.csv", 4, 10, 6, 1);
}

Test(cli_shard, more_shards_than_files_leaves_empty_shards_failing_cleanly)
{
    char *dir = test_tmpdir();
    char gating[4200], out[4200];
    prep_gating(dir, SAMPLES "/calibur/sheet.csv", gating, sizeof gating);
    snprintf(out, sizeof out, "%s/s11", dir);
    /* 10 files, 11 shards: shard 1 of 11 gets floor(10/11) = 0 files */
    const char *a[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/calibur/sheet.csv", "--gating",
                       gating, "--shard", "1/11", "--no-plots", "-q", "-o", out, NULL};
    run_result r;
    run_cli(a, &r);
    cr_assert_eq(r.exit_code, 66, "exit %d: %s", r.exit_code, r.err);
    cr_assert_not_null(strstr(r.err, "expected at least one readable FCS file"), "%s", r.err);
    run_result_free(&r);
    free(dir);
}

/* The merged report states the shards' pre-gate choices (read back from their results.json):
 * the calibur example has a Cells gate and no singlet gate. */
Test(cli_shard, merged_methods_state_the_pregate_choices)
{
    char *dir = test_tmpdir();
    char gating[4200], merged[4096], shard[2][4096], path[4200];
    const char *sheet = SAMPLES "/calibur/sheet.csv";
    prep_gating(dir, sheet, gating, sizeof gating);
    snprintf(merged, sizeof merged, "%s/merged", dir);
    for (int i = 0; i < 2; i++) {
        char spec[8];
        snprintf(shard[i], sizeof shard[i], "%s/shard%d", dir, i + 1);
        snprintf(spec, sizeof spec, "%d/2", i + 1);
        const char *a_shard[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "--gating", gating,
                                 "--shard", spec, "--no-plots", "-q", "-o", shard[i], NULL};
        cr_assert_eq(run(a_shard), 0);
    }
    const char *a_merge[] = {APOFLOW_BINARY, "merge", "-q", "-o", merged, shard[0], shard[1],
                             NULL};
    cr_assert_eq(run(a_merge), 0);
    snprintf(path, sizeof path, "%s/methods.txt", merged);
    size_t n;
    char *txt = test_slurp(path, &n);
    cr_assert_gt(n, 0, "%s", path);
    cr_assert_not_null(strstr(txt, "Debris was excluded on forward and side scatter (from "
                                   "--gating)."),
                       "%s", txt);
    cr_assert_not_null(strstr(txt, "Doublets were not excluded (from --gating)."), "%s", txt);
    free(txt);
    free(dir);
}

Test(cli_shard, usage_errors)
{
    char *dir = test_tmpdir();
    char out[4200], s1[4200], s2[4200], g1[4200], g2[4200];
    snprintf(out, sizeof out, "%s/o", dir);
    run_result r;
    /* --shard needs --gating */
    const char *a1[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--shard", "1/2",
                        "-o", out, NULL};
    run_cli(a1, &r);
    cr_assert_eq(r.exit_code, 64);
    cr_assert_not_null(strstr(r.err, "--gating"), "%s", r.err);
    run_result_free(&r);
    /* bad I/N */
    const char *bad[] = {"0/2", "3/2", "2", "1/x", "/2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *a2[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--shard",
                            bad[i], "-o", out, NULL};
        run_cli(a2, &r);
        cr_assert_eq(r.exit_code, 64, "--shard %s: exit %d", bad[i], r.exit_code);
        cr_assert_not_null(strstr(r.err, "--shard: expected I/N"), "%s", r.err);
        run_result_free(&r);
    }
    /* shards made with different gatings do not merge */
    snprintf(g1, sizeof g1, "%s/p1", dir);
    snprintf(g2, sizeof g2, "%s/p2", dir);
    const char *p1[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--controls-only",
                        "--no-plots", "-q", "-o", g1, NULL};
    /* other thresholds (a different quantile may not move a line that the check against the
     * stained samples puts at their valley anyway) */
    const char *p2[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--controls-only",
                        "--thresholds", "300,200", "--no-plots", "-q", "-o", g2, NULL};
    cr_assert_eq(run(p1), 0);
    cr_assert_eq(run(p2), 0);
    strcat(g1, "/gating.xml");
    strcat(g2, "/gating.xml");
    snprintf(s1, sizeof s1, "%s/s1", dir);
    snprintf(s2, sizeof s2, "%s/s2", dir);
    const char *r1[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating", g1,
                        "--shard", "1/2", "--no-plots", "-q", "-o", s1, NULL};
    const char *r2[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating", g2,
                        "--shard", "2/2", "--no-plots", "-q", "-o", s2, NULL};
    cr_assert_eq(run(r1), 0);
    cr_assert_eq(run(r2), 0);
    const char *m1[] = {APOFLOW_BINARY, "merge", "-q", "-o", out, s1, s2, NULL};
    run_cli(m1, &r);
    cr_assert_eq(r.exit_code, 65, "exit %d: %s", r.exit_code, r.err);
    cr_assert_not_null(strstr(r.err, "expected the same thresholds"), "%s", r.err);
    run_result_free(&r);
    /* the same shard twice */
    const char *m2[] = {APOFLOW_BINARY, "merge", "-q", "-o", out, s1, s1, NULL};
    run_cli(m2, &r);
    cr_assert_eq(r.exit_code, 65, "exit %d: %s", r.exit_code, r.err);
    cr_assert_not_null(strstr(r.err, "shard 1/2 given twice"), "%s", r.err);
    run_result_free(&r);
    /* a missing shard: 1 of 2 would be a silently partial result */
    const char *m_missing[] = {APOFLOW_BINARY, "merge", "-q", "-o", out, s1, NULL};
    run_cli(m_missing, &r);
    cr_assert_eq(r.exit_code, 65, "exit %d: %s", r.exit_code, r.err);
    cr_assert_not_null(strstr(r.err, "expected all 2 shards, found no shard 2/2"), "%s", r.err);
    run_result_free(&r);
    /* the output folder may not be a shard folder; a missing shard is exit 66 */
    const char *m3[] = {APOFLOW_BINARY, "merge", "-q", "-o", s1, s1, NULL};
    run_cli(m3, &r);
    cr_assert_eq(r.exit_code, 64);
    run_result_free(&r);
    char inner[4300];
    snprintf(inner, sizeof inner, "%s/merged", s1);
    const char *m5[] = {APOFLOW_BINARY, "merge", "-q", "-o", inner, s1, s2, NULL};
    run_cli(m5, &r);
    cr_assert_eq(r.exit_code, 64, "exit %d: %s", r.exit_code, r.err);
    cr_assert_not_null(strstr(r.err, "outside the shard folders"), "%s", r.err);
    run_result_free(&r);
    struct stat st;
    cr_assert_neq(stat(inner, &st), 0, "merge created %s", inner);
    const char *m4[] = {APOFLOW_BINARY, "merge", "-q", "-o", out, g1, NULL};
    run_cli(m4, &r);
    cr_assert_eq(r.exit_code, 66, "exit %d: %s", r.exit_code, r.err);
    run_result_free(&r);
    free(dir);
}

/* merge @p a and @p b: exit 65 with @p want in the message, and both named. */
static void refused(const char *out, const char *a, const char *b, const char *want)
{
    const char *m[] = {APOFLOW_BINARY, "merge", "-q", "-o", out, a, b, NULL};
    run_result r;
    run_cli(m, &r);
    cr_assert_eq(r.exit_code, 65, "%s + %s: exit %d: %s", a, b, r.exit_code, r.err);
    cr_assert_not_null(strstr(r.err, want), "expected \"%s\" in: %s", want, r.err);
    cr_assert(strstr(r.err, a) != NULL && strstr(r.err, b) != NULL, "both shards named: %s",
              r.err);
    run_result_free(&r);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0, "a refused merge created %s", out);
}

Test(cli_shard, shards_of_another_sheet_gating_count_or_inputs_are_refused)
{
    char *dir = test_tmpdir();
    char gating[4300], gating2[4300], sheet2[4300], out[4200];
    char s1[4200], s2[4200], s2g[4200], s2s[4200], s2c[4200], s2i[4200];
    prep_gating(dir, SAMPLES "/sheet.csv", gating, sizeof gating);
    snprintf(out, sizeof out, "%s/merged", dir);
    /* the same gates in another file: another checksum */
    snprintf(gating2, sizeof gating2, "%s/gating-copy.xml", dir);
    size_t n;
    char *g = test_slurp(gating, &n);
    FILE *f = fopen(gating2, "wb");
    cr_assert_not_null(f);
    fwrite(g, 1, n, f);
    fputs("<!-- a copy -->\n", f);
    fclose(f);
    free(g);
    /* the same rows, the files named by absolute paths: another sheet */
    snprintf(sheet2, sizeof sheet2, "%s/sheet.csv", dir);
    char *sh = test_slurp(SAMPLES "/sheet.csv", &n);
    f = fopen(sheet2, "wb");
    cr_assert_not_null(f);
    for (char *line = strtok(sh, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        bool header = strncmp(line, "file,", 5) == 0;
        fprintf(f, "%s%s\n", header ? "" : SAMPLES "/", line);
    }
    fclose(f);
    free(sh);
    snprintf(s1, sizeof s1, "%s/s1", dir);
    snprintf(s2, sizeof s2, "%s/s2", dir);
    snprintf(s2g, sizeof s2g, "%s/s2-gating", dir);
    snprintf(s2s, sizeof s2s, "%s/s2-sheet", dir);
    snprintf(s2c, sizeof s2c, "%s/s2-of-3", dir);
    snprintf(s2i, sizeof s2i, "%s/s2-inputs", dir);
    const char *r1[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating",
                        gating, "--shard", "1/2", "--no-plots", "-q", "-o", s1, NULL};
    const char *r2[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating",
                        gating, "--shard", "2/2", "--no-plots", "-q", "-o", s2, NULL};
    const char *rg[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating",
                        gating2, "--shard", "2/2", "--no-plots", "-q", "-o", s2g, NULL};
    const char *rs[] = {APOFLOW_BINARY, "run", "--sheet", sheet2, "--gating", gating,
                        "--shard", "2/2", "--no-plots", "-q", "-o", s2s, NULL};
    const char *rc[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating",
                        gating, "--shard", "2/3", "--no-plots", "-q", "-o", s2c, NULL};
    /* shard 2 of 2 of a smaller file list: its slice starts inside shard 1's */
    const char *ri[] = {APOFLOW_BINARY, "run", SAMPLES "/ctrl_annexin_only.fcs",
                        SAMPLES "/ctrl_pi_only.fcs", SAMPLES "/ctrl_unstained.fcs",
                        SAMPLES "/h2o2_asiv100_r1.fcs", SAMPLES "/h2o2_asiv100_r2.fcs",
                        SAMPLES "/h2o2_asiv100_r3.fcs", "--sheet", SAMPLES "/sheet.csv",
                        "--gating", gating, "--shard", "2/2", "--no-plots", "-q", "-o", s2i,
                        NULL};
    const char *const *runs[] = {r1, r2, rg, rs, rc, ri};
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        cr_assert_eq(run(runs[i]), 0, "run %zu", i);
    }
    refused(out, s1, s2g, "expected the gating of");
    refused(out, s1, s2s, "expected the sheet of");
    refused(out, s1, s2c, "expected a shard of 2, found one of 3");
    refused(out, s1, s2i, "expected each input in one shard, found " SAMPLES "/h2o2_asiv100_r");
    /* the same bytes under two names, one in each shard: a sheet listing untreated_r3.fcs
     * (sorted last: shard 2) and a copy of it whose path sorts first (shard 1) */
    char copy[4300], sheet3[4300], c1[4200], c2[4200];
    snprintf(copy, sizeof copy, "%s/a_copy.fcs", dir);
    snprintf(sheet3, sizeof sheet3, "%s/sheet3.csv", dir);
    char *bytes = test_slurp(SAMPLES "/untreated_r3.fcs", &n);
    f = fopen(copy, "wb");
    cr_assert_not_null(f);
    fwrite(bytes, 1, n, f);
    fclose(f);
    free(bytes);
    char *rows = test_slurp(sheet2, &n);
    f = fopen(sheet3, "wb");
    cr_assert_not_null(f);
    fprintf(f, "%s%s,untreated_copy,untreated,,,,4,,A99\n", rows, copy);
    fclose(f);
    free(rows);
    snprintf(c1, sizeof c1, "%s/copy1", dir);
    snprintf(c2, sizeof c2, "%s/copy2", dir);
    const char *rc1[] = {APOFLOW_BINARY, "run", "--sheet", sheet3, "--gating", gating,
                         "--shard", "1/2", "--no-plots", "-q", "-o", c1, NULL};
    const char *rc2[] = {APOFLOW_BINARY, "run", "--sheet", sheet3, "--gating", gating,
                         "--shard", "2/2", "--no-plots", "-q", "-o", c2, NULL};
    cr_assert_eq(run(rc1), 0);
    cr_assert_eq(run(rc2), 0);
    refused(out, c1, c2, " as " SAMPLES "/untreated_r3.fcs");
    /* and the right pair merges */
    const char *ok[] = {APOFLOW_BINARY, "merge", "-q", "--no-report", "-o", out, s2, s1, NULL};
    cr_assert_eq(run(ok), 0);
    free(dir);
}

/* Replace the first @p from in DIR/results.json by @p to. */
static void edit_results(const char *dir, const char *from, const char *to)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/results.json", dir);
    size_t n;
    char *s = test_slurp(path, &n);
    char *at = strstr(s, from);
    cr_assert_not_null(at, "%s in %s", from, path);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(s, 1, (size_t)(at - s), f);
    fputs(to, f);
    fputs(at + strlen(from), f);
    cr_assert_eq(fclose(f), 0);
    free(s);
}

/* A method the merge does not know, in shards that otherwise fit together: exit 65 naming
 * the file, the key and the value, nothing written; the shards as written merge. */
Test(cli_shard, unknown_method_in_results_json_is_refused)
{
    char *dir = test_tmpdir();
    char gating[4300], s1[4200], s2[4200], out[4200];
    prep_gating(dir, SAMPLES "/calibur/sheet.csv", gating, sizeof gating);
    snprintf(s1, sizeof s1, "%s/s1", dir);
    snprintf(s2, sizeof s2, "%s/s2", dir);
    snprintf(out, sizeof out, "%s/merged", dir);
    const char *r1[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/calibur/sheet.csv",
                        "--gating", gating, "--shard", "1/2", "--no-plots", "-q", "-o", s1, NULL};
    const char *r2[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/calibur/sheet.csv",
                        "--gating", gating, "--shard", "2/2", "--no-plots", "-q", "-o", s2, NULL};
    cr_assert_eq(run(r1), 0);
    cr_assert_eq(run(r2), 0);
    static const struct {
        const char *from, *to, *key, *value;
    } cases[] = {
        {"\"method\":\"gating_file\"", "\"method\":\"gating_fiel\"", "thresholds.annexin.method",
         "\"gating_fiel\""},
        {"\"source\":\"gating_file\"", "\"source\":\"auto\"", "compensation.source", "\"auto\""},
        {"\"method\":\"gating_file\"", "\"method\":\"control_quantile_99.50\"",
         "thresholds.annexin.method", "\"control_quantile_99.50\""},
    };
    const char *m[] = {APOFLOW_BINARY, "merge", "-q", "--no-report", "-o", out, s1, s2, NULL};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* both shards alike, so that they still fit together */
        edit_results(s1, cases[i].from, cases[i].to);
        edit_results(s2, cases[i].from, cases[i].to);
        run_result r;
        run_cli(m, &r);
        cr_assert_eq(r.exit_code, 65, "%s: exit %d: %s", cases[i].to, r.exit_code, r.err);
        cr_assert(strstr(r.err, "results.json") != NULL &&
                      (strstr(r.err, s1) != NULL || strstr(r.err, s2) != NULL),
                  "the file named: %s", r.err);
        cr_assert_not_null(strstr(r.err, cases[i].key), "the key named: %s", r.err);
        cr_assert_not_null(strstr(r.err, cases[i].value), "the value named: %s", r.err);
        run_result_free(&r);
        struct stat st;
        cr_assert_neq(stat(out, &st), 0, "a refused merge created %s", out);
        edit_results(s1, cases[i].to, cases[i].from);
        edit_results(s2, cases[i].to, cases[i].from);
    }
    cr_assert_eq(run(m), 0);
    free(dir);
}
