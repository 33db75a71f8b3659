/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_accuracy_score.c: the accuracy scorer (bench/accuracy/score.c) on a hand-made
 * experiment whose errors are known: truth recomputed from per-event classes (debris and
 * doublets left out), the worst quadrant error and the relative-reduction error from group
 * means, quoted CSV fields with commas and line breaks, the bar, the beyond-any-method rule,
 * a missing sample, and samples stored as the data sets of one file.
 */
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

TestSuite(cli_accuracy_score);

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* Per-event truth: @p counts events of classes 0..5, in that order. */
static void write_events(const char *dir, const char *stem, const int counts[6])
{
    char path[1024];
    snprintf(path, sizeof path, "%s/truth/%s.csv", dir, stem);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs("class\n", f);
    for (int k = 0; k < 6; k++) {
        for (int i = 0; i < counts[k]; i++) {
            fprintf(f, "%d\n", k);
        }
    }
    cr_assert_eq(fclose(f), 0);
}

/*
 * Three stained samples, 100 single cells each (plus debris and doublets that must not count):
 *   untreated: 90/4/3/3 %, stimulus: 60/20/15/5 % (apoptotic 35), treated: 70/15/10/5 % (25).
 * True relative reduction 100 (35 - 25) / 35 = 28.571.
 */
static char *make_data(void)
{
    char *dir = test_tmpdir();
    char sub[1024];
    snprintf(sub, sizeof sub, "%s/truth", dir);
    cr_assert_eq(mkdir(sub, 0777), 0);
    write_text(dir, "sheet.csv",
               "file,sample,role,treatment,dose,dose_unit,replicate,stimulus,well\n"
               "c.fcs,ctrl,unstained,,,,1,,A01\n"
               "u.fcs,unt,untreated,,,,1,,A02\n"
               "s.fcs,stim,stimulus,,,,1,X,A03\n"
               "t.fcs,trt,treated,T,10,uM,1,X,A04\n");
    /* truth.csv deliberately wrong: the per-event files must win */
    write_text(dir, "truth.csv",
               "sample,file,events,debris,doublets,cells,viable_pct,early_apoptotic_pct,"
               "late_apoptotic_pct,necrotic_pct,apoptotic_pct\n"
               "unt,u.fcs,0,0,0,0,1,1,1,1,2\nstim,s.fcs,0,0,0,0,1,1,1,1,2\n"
               "trt,t.fcs,0,0,0,0,1,1,1,1,2\n");
    write_events(dir, "c", (const int[6]){100, 0, 0, 0, 5, 5});
    write_events(dir, "u", (const int[6]){90, 4, 3, 3, 40, 7});
    write_events(dir, "s", (const int[6]){60, 20, 15, 5, 3, 9});
    write_events(dir, "t", (const int[6]){70, 15, 10, 5, 11, 0});
    return dir;
}

/* Removes a scratch folder and frees its name. */
static void drop(char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

static const char samples_head[] =
    "sample,file,role,viable_pct,early_apoptotic_pct,late_apoptotic_pct,necrotic_pct,"
    "apoptotic_pct,qc_flags,qc_detail,error\n";

/* Runs the scorer; returns its exit status, the summary line in @p summary. */
static int score(const char *data, const char *out, bool beyond, char *summary, size_t cap)
{
    const char *argv[] = {APOFLOW_SCORE, beyond ? "--beyond" : data, beyond ? data : out,
                          beyond ? out : NULL, NULL};
    run_result r;
    int rc = run_cli(argv, &r);
    const char *s = strstr(r.out, "summary ");
    snprintf(summary, cap, "%s", s ? s : r.err);
    run_result_free(&r);
    return rc;
}

Test(cli_accuracy_score, exact_results_pass)
{
    char *data = make_data(), *out = test_tmpdir(), sum[512];
    char text[2048];
    snprintf(text, sizeof text,
             "%sctrl,c.fcs,unstained,100,0,0,0,0,,,\n"
             "unt,u.fcs,untreated,90,4,3,3,7,,\"a, b\nc\",\n"
             "stim,s.fcs,stimulus,60,20,15,5,35,no_time_channel,,\n"
             "trt,t.fcs,treated,70,15,10,5,25,,,\n",
             samples_head);
    write_text(out, "samples.csv", text);
    write_text(out, "comparisons.csv", "treatment,dose,reduction_relative_pct\nT,10,28.5714\n");
    cr_assert_eq(score(data, out, false, sum, sizeof sum), 0, "%s", sum);
    cr_assert(strstr(sum, "quadrant_error=0.000 ") != NULL, "%s", sum);
    cr_assert(strstr(sum, "reduction_error=0.000 ") != NULL, "%s", sum);
    cr_assert(strstr(sum, "flags=no_time_channel ") != NULL, "%s", sum);
    cr_assert(strstr(sum, "result=PASS") != NULL, "%s", sum);
    drop(data);
    drop(out);
}

Test(cli_accuracy_score, errors_measured_against_the_bar)
{
    char *data = make_data(), *out = test_tmpdir(), sum[512];
    char text[2048];
    /* stim early off by 1.6 (fails 1.5); the comparison says 24.0 % reduction where the
     * truth is 28.571: 4.571 off */
    snprintf(text, sizeof text,
             "%sunt,u.fcs,untreated,90.5,4,3,2.5,7,,,\n"
             "stim,s.fcs,stimulus,58.6,21.6,15,4.8,36.6,,,\n"
             "trt,t.fcs,treated,70,15,10,5,25,,,\n",
             samples_head);
    write_text(out, "samples.csv", text);
    write_text(out, "comparisons.csv", "treatment,dose,reduction_relative_pct\nT,10,24.0\n");
    cr_assert_eq(score(data, out, false, sum, sizeof sum), 1, "%s", sum);
    cr_assert(strstr(sum, "quadrant_error=1.600 ") != NULL, "%s", sum);
    cr_assert(strstr(sum, "reduction_error=4.571 ") != NULL, "%s", sum);
    cr_assert(strstr(sum, "worst=stim:early_apoptotic_pct") != NULL, "%s", sum);
    cr_assert(strstr(sum, "result=FAIL") != NULL, "%s", sum);
    drop(data);
    drop(out);
}

Test(cli_accuracy_score, beyond_passes_only_when_every_stained_sample_is_flagged)
{
    char *data = make_data(), *out = test_tmpdir(), sum[512];
    char text[2048];
    snprintf(text, sizeof text,
             "%sunt,u.fcs,untreated,80,14,3,3,17,threshold_outlier,,\n"
             "stim,s.fcs,stimulus,60,20,15,5,35,no_singlet_gate;low_events,,\n"
             "trt,t.fcs,treated,70,15,10,5,25,no_singlet_gate,,\n",
             samples_head);
    write_text(out, "samples.csv", text);
    write_text(out, "comparisons.csv", "treatment,dose,reduction_relative_pct\nT,10,28.5714\n");
    /* trt only carries an instrument flag: not flagged as inaccurate */
    cr_assert_eq(score(data, out, true, sum, sizeof sum), 1, "%s", sum);
    cr_assert(strstr(sum, "quadrant_error=10.000 ") != NULL, "%s", sum);
    cr_assert(strstr(sum, "flagged=2/3 ") != NULL, "%s", sum);
    snprintf(text, sizeof text,
             "%sunt,u.fcs,untreated,80,14,3,3,17,threshold_outlier,,\n"
             "stim,s.fcs,stimulus,60,20,15,5,35,low_events,,\n"
             "trt,t.fcs,treated,70,15,10,5,25,no_singlet_gate;control_implausible,,\n",
             samples_head);
    write_text(out, "samples.csv", text);
    cr_assert_eq(score(data, out, true, sum, sizeof sum), 0, "%s", sum);
    cr_assert(strstr(sum, "flagged=3/3 ") != NULL, "%s", sum);
    /* the same results without --beyond fail */
    cr_assert_eq(score(data, out, false, sum, sizeof sum), 1, "%s", sum);
    drop(data);
    drop(out);
}

Test(cli_accuracy_score, missing_or_failed_sample_fails)
{
    char *data = make_data(), *out = test_tmpdir(), sum[512];
    char text[2048];
    snprintf(text, sizeof text,
             "%sunt,u.fcs,untreated,90,4,3,3,7,,,\n"
             "stim,s.fcs,stimulus,,,,,,failed,,\"cannot read, really\"\n",
             samples_head);
    write_text(out, "samples.csv", text);
    write_text(out, "comparisons.csv", "treatment,dose,reduction_relative_pct\n");
    cr_assert_eq(score(data, out, false, sum, sizeof sum), 1, "%s", sum);
    cr_assert(strstr(sum, "quadrant_error=inf ") != NULL, "%s", sum);
    cr_assert(strstr(sum, "reduction_error=inf ") != NULL, "%s", sum);
    /* no results at all: unreadable input */
    char *empty = test_tmpdir();
    cr_assert_eq(score(data, empty, false, sum, sizeof sum), 2, "%s", sum);
    drop(empty);
    drop(data);
    drop(out);
}

/* The samples as data sets of one file (the Muse-like family): the sheet's dataset column
 * sends the scorer to truth/<sample>.csv; truth.csv is wrong on purpose, so a PASS shows the
 * per-event files were read. */
Test(cli_accuracy_score, data_sets_of_one_file_use_truth_by_sample)
{
    char *data = make_data(), *out = test_tmpdir(), sum[512];
    write_text(data, "sheet.csv",
               "file,sample,role,treatment,dose,dose_unit,replicate,stimulus,well,dataset\n"
               "m.fcs,ctrl,unstained,,,,1,,A01,1\n"
               "m.fcs,unt,untreated,,,,1,,A02,2\n"
               "m.fcs,stim,stimulus,,,,1,X,A03,3\n"
               "m.fcs,trt,treated,T,10,uM,1,X,A04,4\n");
    write_events(data, "ctrl", (const int[6]){100, 0, 0, 0, 5, 5});
    write_events(data, "unt", (const int[6]){90, 4, 3, 3, 40, 7});
    write_events(data, "stim", (const int[6]){60, 20, 15, 5, 3, 9});
    write_events(data, "trt", (const int[6]){70, 15, 10, 5, 11, 0});
    char text[2048];
    snprintf(text, sizeof text,
             "%sctrl,m.fcs,unstained,100,0,0,0,0,,,\n"
             "unt,m.fcs,untreated,90,4,3,3,7,,,\n"
             "stim,m.fcs,stimulus,60,20,15,5,35,,,\n"
             "trt,m.fcs,treated,70.5,15,10,4.5,25,,,\n",
             samples_head);
    write_text(out, "samples.csv", text);
    write_text(out, "comparisons.csv", "treatment,dose,reduction_relative_pct\nT,10,28.5714\n");
    cr_assert_eq(score(data, out, false, sum, sizeof sum), 0, "%s", sum);
    cr_assert(strstr(sum, "quadrant_error=0.500 ") != NULL, "%s", sum);
    cr_assert(strstr(sum, "result=PASS") != NULL, "%s", sum);
    drop(data);
    drop(out);
}
