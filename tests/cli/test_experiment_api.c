/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_experiment_api.c: the Annexin V / PI experiment run through the library
 * (assay/experiment.h), as a program other than the CLI would, writes the same samples.csv,
 * stats.csv, comparisons.csv and results.json bytes as `apoflow run` on the example
 * experiment in samples/; the observer hears the steps (files opened, statuses) and the
 * library prints nothing itself.
 */
#include "assay/experiment.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SHEET APOFLOW_SOURCE_DIR "/samples/sheet.csv"

typedef struct heard {
    size_t begins, ticks, errors;
} heard;

static void on_begin(void *ctx, const char *what, size_t total, bool per_item)
{
    (void)what;
    (void)total;
    (void)per_item;
    ((heard *)ctx)->begins++;
}

static void on_tick(void *ctx, const char *item, uint64_t events, double seconds, bool failed)
{
    (void)item;
    (void)events;
    (void)seconds;
    (void)failed;
    ((heard *)ctx)->ticks++;
}

static void on_note(void *ctx, apo_note_kind kind, const char *msg)
{
    (void)msg;
    ((heard *)ctx)->errors += kind == APO_NOTE_ERROR;
}

Test(experiment_api, library_run_writes_the_same_tables_as_the_cli)
{
    char *dir = test_tmpdir();
    char lib_out[1024], cli_out[1024];
    snprintf(lib_out, sizeof lib_out, "%s/lib", dir);
    snprintf(cli_out, sizeof cli_out, "%s/cli", dir);
    cr_assert_eq(mkdir(lib_out, 0777), 0);

    apo_error err;
    assay_sheet sheet;
    cr_assert_eq(assay_sheet_read(&sheet, SHEET, &err), APO_OK, "%s", err.msg);
    heard h = {0, 0, 0};
    apo_observer obs = {.ctx = &h, .begin = on_begin, .tick = on_tick, .note = on_note};
    assay_experiment x;
    assay_experiment_init(&x, &sheet);
    cr_assert_eq(assay_experiment_sheet_files(&x, &err), APO_OK);
    cr_assert_eq(x.n_paths, sheet.n_rows);
    fcs_read_options read = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(assay_experiment_open(&x, &read, 2, true, &obs, &err), APO_OK);
    cr_assert_eq(x.n, sheet.n_rows);
    cr_assert_eq(x.n_failed + x.n_missing + x.n_skipped, 0);
    assay_options opt;
    assay_options_init(&opt);
    cr_assert_eq(assay_experiment_analyze(&x, &opt, 2, &obs, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(h.errors, 0);
    cr_assert_geq(h.begins, 2, "the file opening and the per-sample steps are observed");
    cr_assert_geq(h.ticks, 2 * x.n);
    /* the version results.json records: the binary's */
    const char *ver[] = {APOFLOW_BINARY, "--version", NULL};
    run_result v;
    cr_assert_eq(run_cli(ver, &v), 0);
    char version[64] = "";
    cr_assert_eq(sscanf(v.out, "apoflow %63s", version), 1, "%s", v.out);
    run_result_free(&v);
    assay_experiment_output out = {lib_out, NULL, SHEET, version, false};
    cr_assert_eq(assay_experiment_write(&x, &out, &err), APO_OK, "%s", err.msg);
    assay_experiment_free(&x);
    assay_sheet_free(&sheet);

    const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", SHEET, "-o", cli_out, "--no-plots",
                          "-q", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "%s", r.err);
    run_result_free(&r);
    const char *const files[] = {"samples.csv", "stats.csv", "comparisons.csv", "results.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char a[1200], b[1200];
        snprintf(a, sizeof a, "%s/%s", lib_out, files[i]);
        snprintf(b, sizeof b, "%s/%s", cli_out, files[i]);
        size_t na, nb;
        char *ta = test_slurp(a, &na), *tb = test_slurp(b, &nb);
        cr_assert_gt(na, 100, "%s is too short", a);
        cr_assert(na == nb && memcmp(ta, tb, na) == 0, "%s differs from the CLI's", files[i]);
        free(ta);
        free(tb);
    }
    free(dir);
}
