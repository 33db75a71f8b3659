/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_batch.c: batch behaviour of `apoflow run`: --jobs 1 and --jobs 2 write identical
 * files (tables, results.json, gating.xml, every plot, report.html); a file that cannot be
 * read is reported (file, step, reason) in results.json, report.html and stderr while the
 * others are analysed (exit 65), also through shard + merge; no progress output when stderr
 * is not a terminal, one line per file with --verbose, only errors with --quiet; the input
 * folder is refused as the output folder; --jobs values are checked; on a terminal (a pty made
 * by util-linux script(1)) a progress bar with files, events/s and ETA is drawn and cleared;
 * figures that cannot be written are reported in one order on one thread and two.
 */
#include "support/json_mini.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CALIBUR APOFLOW_SOURCE_DIR "/samples/calibur"

static void spit(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

/* Every regular file of @p a (and a/plots) equals the one in @p b; returns the count. */
static size_t same_tree(const char *a, const char *b)
{
    DIR *d = opendir(a);
    cr_assert_not_null(d, "cannot open %s", a);
    struct dirent *de;
    size_t n = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char pa[4096], pb[4096];
        snprintf(pa, sizeof pa, "%s/%s", a, de->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, de->d_name);
        struct stat st;
        cr_assert_eq(stat(pa, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            n += same_tree(pa, pb);
            continue;
        }
        size_t la, lb;
        char *x = test_slurp(pa, &la), *y = test_slurp(pb, &lb);
        cr_assert(la == lb && memcmp(x, y, la) == 0, "%s differs from %s", pa, pb);
        free(x);
        free(y);
        n++;
    }
    closedir(d);
    return n;
}

Test(cli_batch, jobs_one_and_two_write_identical_files)
{
    char *dir = test_tmpdir();
    char o1[4200], o2[4200];
    snprintf(o1, sizeof o1, "%s/j1", dir);
    snprintf(o2, sizeof o2, "%s/out", dir);
    /* the same -o for both (the report shows the command line), the first moved aside */
    const char *a1[] = {APOFLOW_BINARY, "run", "--sheet", CALIBUR "/sheet.csv", "--jobs", "1",
                        "-q", "-o", o2, NULL};
    const char *a2[] = {APOFLOW_BINARY, "run", "--sheet", CALIBUR "/sheet.csv", "-j", "2", "-q",
                        "-o", o2, NULL};
    run_result r;
    cr_assert_eq(run_cli(a1, &r), 0, "%s", r.err);
    run_result_free(&r);
    cr_assert_eq(rename(o2, o1), 0);
    cr_assert_eq(run_cli(a2, &r), 0, "%s", r.err);
    run_result_free(&r);
    /* 7 top-level files (results.xlsx too) + methods.txt + manifest.json + 10 sample plots +
     * overview + overlay + dose-response + 10 previews of the report's gate review + 10 Time
     * plots as PNG and SVG + the group bars, quadrant bars and dose plot as PNG, SVG and PDF */
    cr_assert_eq(same_tree(o1, o2), 9 + 10 + 3 + 10 + 2 * 10 + 3 * 3);
    free(dir);
}

/* A directory where a figure is to be written: its rename fails. */
static void block_figure(const char *out, const char *name)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/plots/%s", out, name);
    cr_assert_eq(mkdir(path, 0777), 0, "%s", path);
    snprintf(path, sizeof path, "%s/plots/%s/x", out, name);
    spit(path, "x", 1);
}

/* The run's figures and the report's summary and dose-response figures are drawn at once on
 * two threads; their failures are still reported in one order (overview, dose-response,
 * summary), the same with --jobs 1 and 2, with exit 73. */
Test(cli_batch, figure_failures_reported_in_one_order_on_any_threads)
{
    char *dir = test_tmpdir();
    char out[4200], plots[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(plots, sizeof plots, "%s/plots", out);
    char *errs[2];
    const char *jobs[] = {"1", "2"};
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(mkdir(out, 0777), 0);
        cr_assert_eq(mkdir(plots, 0777), 0);
        block_figure(out, "overview.png");
        block_figure(out, "dose_response_1.png");
        block_figure(out, "summary_apoptotic.png");
        const char *a[] = {APOFLOW_BINARY, "run", "--sheet", CALIBUR "/sheet.csv", "--jobs",
                           jobs[k], "-q", "-o", out, NULL};
        run_result r;
        run_cli(a, &r);
        cr_assert_eq(r.exit_code, 73, "--jobs %s: exit %d: %s", jobs[k], r.exit_code, r.err);
        const char *o = strstr(r.err, "overview.png: cannot rename");
        const char *d = strstr(r.err, "dose_response_1.png: cannot rename");
        const char *s = strstr(r.err, "summary_apoptotic.png: cannot rename");
        cr_assert(o != NULL && d != NULL && s != NULL && o < d && d < s, "--jobs %s: %s",
                  jobs[k], r.err);
        errs[k] = strdup(r.err);
        run_result_free(&r);
        char cmd[4400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
        cr_assert_eq(system(cmd), 0);
    }
    cr_assert_str_eq(errs[0], errs[1]);
    free(errs[0]);
    free(errs[1]);
    free(dir);
}

/* A copy of the calibur experiment plus an unreadable file listed in the sheet. */
static char *broken_experiment(void)
{
    char *dir = test_tmpdir();
    char in[4200], path[4300];
    snprintf(in, sizeof in, "%s/in", dir);
    cr_assert_eq(mkdir(in, 0777), 0);
    const char *files[] = {"ctrl_unstained", "ctrl_annexin_only", "ctrl_pi_only", "untreated_r1",
                           "h2o2_r1", "h2o2_asiv12.5_r1", "h2o2_asiv25_r1", "h2o2_asiv50_r1",
                           "h2o2_asiv100_r1", "h2o2_asiv200_r1"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char src[4200];
        size_t len;
        snprintf(src, sizeof src, "%s/%s.fcs", CALIBUR, files[i]);
        char *data = test_slurp(src, &len);
        snprintf(path, sizeof path, "%s/%s.fcs", in, files[i]);
        spit(path, data, len);
        if (i == 3) { /* a second untreated replicate, cut short inside DATA */
            snprintf(path, sizeof path, "%s/untreated_r2.fcs", in);
            spit(path, data, len / 2);
        }
        free(data);
    }
    size_t len;
    char *sheet = test_slurp(CALIBUR "/sheet.csv", &len);
    const char extra[] = "untreated_r2.fcs,untreated_r2,untreated,,,,2,,A12\n";
    char *all = malloc(len + sizeof extra);
    cr_assert_not_null(all);
    memcpy(all, sheet, len);
    memcpy(all + len, extra, sizeof extra);
    snprintf(path, sizeof path, "%s/sheet.csv", in);
    spit(path, all, strlen(all));
    free(all);
    free(sheet);
    return dir;
}

Test(cli_batch, unreadable_file_reported_others_analysed)
{
    char *dir = broken_experiment();
    char sheet[4200], out[4200], path[4300];
    snprintf(sheet, sizeof sheet, "%s/in/sheet.csv", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *a[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "-j", "2", "-o", out, NULL};
    run_result r;
    run_cli(a, &r);
    cr_assert_eq(r.exit_code, 65, "exit %d: %s", r.exit_code, r.err);
    cr_assert_not_null(strstr(r.err, "untreated_r2.fcs"), "%s", r.err);
    cr_assert_not_null(strstr(r.out, "untreated_r2.fcs (step: read): "), "%s", r.out);
    run_result_free(&r);
    snprintf(path, sizeof path, "%s/results.json", out);
    json_value *root = json_parse_file(path);
    cr_assert_not_null(root);
    cr_assert_eq(json_size(json_get(root, "samples")), 10);
    const json_value *ff = json_get(root, "failed_files");
    cr_assert_eq(json_size(ff), 1);
    const char *file = json_string(json_get(json_index(ff, 0), "file"));
    cr_assert_not_null(file);
    cr_assert_not_null(strstr(file, "untreated_r2.fcs"));
    cr_assert_str_eq(json_string(json_get(json_index(ff, 0), "step")), "read");
    const char *why = json_string(json_get(json_index(ff, 0), "error"));
    cr_assert(why != NULL && why[0] != '\0');
    cr_assert_eq(json_size(json_get(root, "comparisons")), 6); /* stimulus vs untreated + 5 doses */
    json_free(root);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = test_slurp(path, NULL);
    cr_assert_not_null(strstr(html, "<dd id=\"n-failed\">1</dd>"));
    const char *fail = strstr(html, "id=\"failures\"");
    cr_assert_not_null(fail);
    cr_assert_not_null(strstr(fail, "untreated_r2.fcs</td><td>read</td><td>"));
    free(html);
    /* through shards: the failure survives the merge, exit 65 */
    char prep[4200], gating[4300], s1[4200], s2[4200], merged[4200];
    snprintf(prep, sizeof prep, "%s/prep", dir);
    snprintf(gating, sizeof gating, "%s/gating.xml", prep);
    snprintf(s1, sizeof s1, "%s/s1", dir);
    snprintf(s2, sizeof s2, "%s/s2", dir);
    snprintf(merged, sizeof merged, "%s/merged", dir);
    const char *ap[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "--controls-only", "-q", "-o",
                        prep, NULL};
    cr_assert_eq(run_cli(ap, &r), 0, "%s", r.err);
    run_result_free(&r);
    int codes = 0;
    const char *a1[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "--gating", gating, "--shard",
                        "1/2", "-q", "-o", s1, NULL};
    const char *a2[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "--gating", gating, "--shard",
                        "2/2", "-q", "-o", s2, NULL};
    codes += run_cli(a1, &r);
    run_result_free(&r);
    codes += run_cli(a2, &r);
    run_result_free(&r);
    cr_assert_eq(codes, 65, "exactly one shard holds the broken file");
    const char *am[] = {APOFLOW_BINARY, "merge", "-q", "-o", merged, s1, s2, NULL};
    run_cli(am, &r);
    cr_assert_eq(r.exit_code, 65, "exit %d: %s", r.exit_code, r.err);
    run_result_free(&r);
    snprintf(path, sizeof path, "%s/results.json", merged);
    root = json_parse_file(path);
    cr_assert_not_null(root);
    cr_assert_eq(json_size(json_get(root, "samples")), 10);
    cr_assert_eq(json_size(json_get(root, "failed_files")), 1);
    json_free(root);
    free(dir);
}

Test(cli_batch, progress_and_verbosity_on_a_pipe)
{
    char *dir = test_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/o", dir);
    run_result r;
    /* stderr is a pipe here: no progress bar */
    const char *a[] = {APOFLOW_BINARY, "run", "--sheet", CALIBUR "/sheet.csv", "--no-plots",
                       "-o", out, NULL};
    cr_assert_eq(run_cli(a, &r), 0, "%s", r.err);
    cr_assert_null(strchr(r.err, '\r'), "%s", r.err);
    cr_assert_null(strstr(r.err, "ETA"), "%s", r.err);
    cr_assert_not_null(strstr(r.out, "outputs in"));
    run_result_free(&r);
    /* --verbose: one line per file and the stage times */
    const char *v[] = {APOFLOW_BINARY, "run", "--sheet", CALIBUR "/sheet.csv", "--no-plots",
                       "--verbose", "-o", out, NULL};
    cr_assert_eq(run_cli(v, &r), 0, "%s", r.err);
    size_t lines = 0;
    for (const char *p = strstr(r.err, "apoflow: ["); p != NULL; p = strstr(p + 1, "apoflow: [")) {
        lines++;
    }
    cr_assert_eq(lines, 10, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "/10] "), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "apoflow: timings: parse "), "%s", r.err);
    run_result_free(&r);
    /* --quiet: nothing at all when all goes well */
    const char *q[] = {APOFLOW_BINARY, "run", "--sheet", CALIBUR "/sheet.csv", "--no-plots",
                       "--quiet", "-o", out, NULL};
    cr_assert_eq(run_cli(q, &r), 0, "%s", r.err);
    cr_assert_eq(r.err_len, 0, "%s", r.err);
    cr_assert_eq(r.out_len, 0, "%s", r.out);
    run_result_free(&r);
    /* --timings alone: the stage split */
    const char *t[] = {APOFLOW_BINARY, "run", "--sheet", CALIBUR "/sheet.csv", "--no-plots",
                       "-q", "--timings", "-o", out, NULL};
    cr_assert_eq(run_cli(t, &r), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "gating+statistics"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "(10 samples)"), "%s", r.err);
    /* ... and the analysis steps within it, in the order they ran */
    const char *steps = strstr(r.err, "apoflow: timings of the steps: files ");
    cr_assert_not_null(steps, "%s", r.err);
    const char *pre = strstr(steps, ", pre-gate estimates "), *sc = strstr(steps, ", scale estimates ");
    const char *st = strstr(steps, ", statistics "), *rest = strstr(steps, ", other gating+statistics ");
    cr_assert(pre != NULL && sc != NULL && st != NULL && rest != NULL, "%s", r.err);
    cr_assert(pre < sc && sc < st && st < rest, "%s", r.err);
    cr_assert_lt(strtod(st + strlen(", statistics "), NULL), 60.0, "%s", r.err);
    run_result_free(&r);
    free(dir);
}

Test(cli_batch, input_folder_refused_as_output_and_bad_jobs)
{
    char *dir = broken_experiment();
    char in[4200];
    snprintf(in, sizeof in, "%s/in", dir);
    run_result r;
    const char *a[] = {APOFLOW_BINARY, "run", in, "-o", in, NULL};
    run_cli(a, &r);
    cr_assert_eq(r.exit_code, 64, "exit %d: %s", r.exit_code, r.err);
    run_result_free(&r);
    /* nothing was written into the input folder */
    struct stat st;
    char p[4300];
    snprintf(p, sizeof p, "%s/samples.csv", in);
    cr_assert_neq(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/report.html", in);
    cr_assert_neq(stat(p, &st), 0);
    const char *bad[] = {"-1", "x", "2000", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *b[] = {APOFLOW_BINARY, "run", in, "--jobs", bad[i], "-o", "/nonexistent/x",
                           NULL};
        run_cli(b, &r);
        cr_assert_eq(r.exit_code, 64, "--jobs '%s': exit %d", bad[i], r.exit_code);
        cr_assert_not_null(strstr(r.err, "--jobs: expected"), "%s", r.err);
        run_result_free(&r);
    }
    free(dir);
}

Test(cli_batch, progress_bar_on_a_terminal)
{
    struct stat st;
    if (stat("/usr/bin/script", &st) != 0) {
        cr_skip_test("/usr/bin/script (util-linux) is not installed: no pseudo-terminal");
    }
    const char *probe[] = {"/usr/bin/script", "-qec", "/bin/true", "/dev/null", NULL};
    run_result pr;
    if (run_cli(probe, &pr) != 0) {
        run_result_free(&pr);
        cr_skip_test("script(1) cannot open a pseudo-terminal here (no /dev/pts?)");
    }
    run_result_free(&pr);
    char *dir = test_tmpdir();
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s run --sheet %s/sheet.csv --no-plots -o %s/o -j 2",
             APOFLOW_BINARY, CALIBUR, dir);
    const char *a[] = {"/usr/bin/script", "-qec", cmd, "/dev/null", NULL};
    run_result r;
    cr_assert_eq(run_cli(a, &r), 0, "%s %s", r.out, r.err);
    /* the bar: redrawn with \r, all files done, events/s, time left, then cleared */
    cr_assert_not_null(strstr(r.out, "\r["), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "10/10 files"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "M events/s"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "ETA "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\r\033[K"), "the bar is not cleared: %s", r.out);
    run_result_free(&r);
    /* --quiet on a terminal: no bar */
    snprintf(cmd, sizeof cmd, "%s run --sheet %s/sheet.csv --no-plots -o %s/o -q", APOFLOW_BINARY,
             CALIBUR, dir);
    cr_assert_eq(run_cli(a, &r), 0, "%s %s", r.out, r.err);
    cr_assert_null(strstr(r.out, "files"), "%s", r.out);
    run_result_free(&r);
    free(dir);
}

Test(cli_batch, sample_failing_the_analysis_reported_with_its_step)
{
    /* the calibur experiment plus a FACSCanto-like file (other channels), sorted last */
    char *dir = broken_experiment();
    char in[4200], path[4300], out[4200];
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    size_t len;
    char *data = test_slurp(APOFLOW_SOURCE_DIR "/samples/untreated_r1.fcs", &len);
    snprintf(path, sizeof path, "%s/zz_other.fcs", in);
    spit(path, data, len);
    free(data);
    snprintf(path, sizeof path, "%s/untreated_r2.fcs", in); /* drop the unreadable one */
    cr_assert_eq(remove(path), 0);
    snprintf(path, sizeof path, "%s/sheet.csv", in);
    char *sheet = test_slurp(path, &len);
    char *row = strstr(sheet, "untreated_r2.fcs,");
    cr_assert_not_null(row);
    memcpy(row, "zz_other.fcs,zz_other,untreated,,,,2,,A12\n",
           strlen("zz_other.fcs,zz_other,untreated,,,,2,,A12\n") + 1);
    spit(path, sheet, strlen(sheet));
    free(sheet);
    const char *a[] = {APOFLOW_BINARY, "run", "--sheet", path, "-q", "-o", out, NULL};
    run_result r;
    run_cli(a, &r);
    cr_assert_eq(r.exit_code, 65, "exit %d: %s", r.exit_code, r.err);
    cr_assert_not_null(strstr(r.err, "zz_other.fcs: "), "%s", r.err);
    run_result_free(&r);
    snprintf(path, sizeof path, "%s/results.json", out);
    json_value *root = json_parse_file(path);
    cr_assert_not_null(root);
    const json_value *s = json_get(root, "samples");
    cr_assert_eq(json_size(s), 11);
    size_t failed = 0;
    for (size_t i = 0; i < json_size(s); i++) {
        const char *err = json_string(json_get(json_index(s, i), "error"));
        const char *name = json_string(json_get(json_index(s, i), "sample"));
        cr_assert(err != NULL && name != NULL);
        if (err[0] != '\0') {
            cr_assert_str_eq(name, "zz_other");
            failed++;
        }
    }
    cr_assert_eq(failed, 1);
    json_free(root);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = test_slurp(path, NULL);
    cr_assert_not_null(strstr(html, "<dd id=\"n-failed\">1</dd>"));
    cr_assert_not_null(strstr(html, "zz_other.fcs</td><td>analysis</td><td>"));
    cr_assert_not_null(strstr(html, "<tr class=\"failed\"><td><a href=\"#sample-zz_other\">"
                                    "zz_other</a></td>"));
    free(html);
    free(dir);
}
