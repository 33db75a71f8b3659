/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_no_sheet.c: `apoflow run DIR -o OUT` with no sheet guesses the design as
 * `apoflow sheet` drafts it and gives the example experiment the same tables as its sheet
 * (samples.csv without the sheet's own extra columns, which no file holds), also for the Muse
 * example whose samples are the data sets of one file; the calibur and muse subfolders are
 * not taken into the experiment; two instruments in one guessed experiment are
 * refused with both channel sets named.
 */
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Drop the CSV columns named @p drop (no quoted commas in these tables). */
static void drop_columns(char *text, const char *const *drop, size_t n_drop)
{
    bool skip[128] = {false};
    size_t col = 0;
    for (const char *p = text; *p && *p != '\n'; col++) {
        size_t len = strcspn(p, ",\n");
        for (size_t k = 0; k < n_drop && col < 128; k++) {
            skip[col] = skip[col] || (strlen(drop[k]) == len && strncmp(p, drop[k], len) == 0);
        }
        p += len + (p[len] == ',');
    }
    char *w = text;
    col = 0;
    bool first = true;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, ",\n");
        if (col >= 128 || !skip[col]) {
            if (!first) {
                *w++ = ',';
            }
            memmove(w, p, len);
            w += len;
            first = false;
        }
        p += len;
        if (*p == ',') {
            p++;
            col++;
        } else if (*p == '\n') {
            *w++ = '\n';
            p++;
            col = 0;
            first = true;
        }
    }
    *w = '\0';
}

/* `run FOLDER` with and without FOLDER/sheet.csv: the same tables (the sheet's extra columns
 * aside); the guessed design printed includes @p guessed_line. */
static void same_tables_without_sheet(const char *folder, const char *guessed_line)
{
    char *dir = test_tmpdir();
    char a[4096], b[4096], sheet[4096];
    snprintf(a, sizeof a, "%s/with", dir);
    snprintf(b, sizeof b, "%s/without", dir);
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", folder);
    const char *with[] = {APOFLOW_BINARY, "run", folder, "--sheet", sheet, "-o", a,
                          "--no-plots", "-q", NULL};
    const char *without[] = {APOFLOW_BINARY, "run", folder, "-o", b, "--no-plots", NULL};
    run_result r;
    cr_assert_eq(run_cli(with, &r), 0, "%s", r.err);
    run_result_free(&r);
    cr_assert_eq(run_cli(without, &r), 0, "%s", r.err);
    cr_assert(strstr(r.out, "no sample sheet: the design is guessed") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, guessed_line) != NULL, "expected \"%s\" in\n%s", guessed_line,
              r.out);
    run_result_free(&r);
    const char *tables[] = {"samples.csv", "comparisons.csv", "stats.csv"};
    const char *extra[] = {"stimulus", "well"};
    for (size_t i = 0; i < 3; i++) {
        char pa[4200], pb[4200];
        snprintf(pa, sizeof pa, "%s/%s", a, tables[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, tables[i]);
        char *ta = test_slurp(pa, NULL), *tb = test_slurp(pb, NULL);
        drop_columns(ta, extra, 2);
        cr_assert_str_eq(ta, tb, "%s of %s differs without the sheet", tables[i], folder);
        free(ta);
        free(tb);
    }
    free(dir);
}

Test(cli_run_no_sheet, guessed_design_gives_the_sheets_tables, .timeout = 300)
{
    same_tables_without_sheet(APOFLOW_SOURCE_DIR "/samples/",
                              "h2o2_asiv50_r1           treated         AS-IV 50 mg/L");
}

/* The Muse example: 18 samples as the data sets of one file, each named by its SAMPLE ID; the
 * 7-AAD-only control is recognised as the dead-cell dye's single stain. */
Test(cli_run_no_sheet, data_sets_of_one_file_give_the_sheets_tables, .timeout = 300)
{
    same_tables_without_sheet(APOFLOW_SOURCE_DIR "/samples/muse",
                              "ctrl_7aad_only           pi_single");
}

Test(cli_run_no_sheet, two_instruments_refused)
{
    char *dir = test_tmpdir();
    char out[4096];
    snprintf(out, sizeof out, "%s/out", dir);
    const char *argv[] = {APOFLOW_BINARY, "run", APOFLOW_SOURCE_DIR "/samples/",
                          APOFLOW_SOURCE_DIR "/samples/calibur/", "-o", out, "-q", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 65, "%s", r.err);
    cr_assert(strstr(r.err, "expected the channels of one instrument and panel") != NULL, "%s",
              r.err);
    cr_assert(strstr(r.err, "FSC-H SSC-H FL1-H FL2-H FL3-H Time") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "FSC-A FSC-H SSC-A FITC-A PE-A Time") != NULL, "%s", r.err);
    run_result_free(&r);
    free(dir);
}
