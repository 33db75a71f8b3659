/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_stain_check.c: a stain channel taken from its detector name alone is checked against
 * the single-stain control. The example experiment is rewritten without $PnS labels, so the
 * channels are guessed from their names: with the Annexin V stain read in a detector named
 * APC-A and an unstained FITC-A beside it, the guess (FITC-A) is wrong and the run says so on
 * the terminal and in results.json, naming APC-A; with the names as they are, it says nothing.
 */
#include "fcs/fcs.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rewrite samples/<file> into @p dir without labels; with @p apc, FITC-A (the Annexin V
 * stain) is renamed APC-A and a FITC-A that sees no stain (autofluorescence following the
 * cells' size) is added. */
static void rewrite(const char *file, const char *dir, bool apc)
{
    char src[4096], dst[4200];
    snprintf(src, sizeof src, "%s/samples/%s", APOFLOW_SOURCE_DIR, file);
    snprintf(dst, sizeof dst, "%s/%s", dir, file);
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, src, NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_events ev;
    fcs_decode_options d = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_read_events(ds, &d, &ev, &err), APO_OK, "%s", err.msg);
    const size_t np = fcs_dataset_n_params(ds), ne = (size_t)ev.n_events;
    cr_assert_lt(np, 15);
    fcs_write_param params[16];
    double *values = malloc((np + 1) * ne * sizeof *values);
    cr_assert_not_null(values);
    memcpy(values, ev.values, np * ne * sizeof *values);
    size_t fsc = SIZE_MAX;
    for (size_t p = 0; p < np; p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        const bool fitc = strcmp(pr->name, "FITC-A") == 0;
        params[p] = (fcs_write_param){apc && fitc ? "APC-A" : pr->name, NULL, pr->range};
        fsc = strcmp(pr->name, "FSC-A") == 0 ? p : fsc;
    }
    cr_assert_neq(fsc, SIZE_MAX);
    size_t n_out = np;
    if (apc) {
        for (size_t e = 0; e < ne; e++) {
            values[np * ne + e] = 40.0 + 0.002 * values[fsc * ne + e];
        }
        params[np] = (fcs_write_param){"FITC-A", NULL, 262144};
        n_out++;
    }
    fcs_write_spec spec = {n_out, params, ev.n_events, values, 0, NULL};
    cr_assert_eq(fcs_write_file(dst, &spec, &err), APO_OK, "%s", err.msg);
    free(values);
    fcs_events_free(&ev);
    fcs_file_free(f);
}

/* The example experiment rewritten into a new folder; its sheet copied beside it. */
static char *experiment(bool apc)
{
    char *dir = test_tmpdir();
    char *sheet = test_slurp(APOFLOW_SOURCE_DIR "/samples/sheet.csv", NULL);
    cr_assert_not_null(sheet);
    char path[4200];
    snprintf(path, sizeof path, "%s/sheet.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(sheet, f);
    fclose(f);
    size_t n = 0;
    for (char *line = strchr(sheet, '\n'); line != NULL && line[1] != '\0';
         line = strchr(line + 1, '\n')) {
        char file[256];
        const size_t len = strcspn(line + 1, ",");
        snprintf(file, sizeof file, "%.*s", (int)len, line + 1);
        rewrite(file, dir, apc);
        n++;
    }
    cr_assert_eq(n, 18);
    free(sheet);
    return dir;
}

static void run_it(const char *dir, run_result *r, char **json)
{
    char sheet[4200], out[4200], res[4300];
    char *other = test_tmpdir(); /* the output folder outside the input folder */
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", dir);
    snprintf(out, sizeof out, "%s/out", other);
    free(other);
    snprintf(res, sizeof res, "%s/results.json", out);
    const char *argv[] = {APOFLOW_BINARY, "run", dir, "--sheet", sheet, "-o", out,
                          "--no-plots", NULL};
    cr_assert_eq(run_cli(argv, r), 0, "%s", r->err);
    *json = test_slurp(res, NULL);
    cr_assert_not_null(*json);
}

Test(cli_stain_check, annexin_read_elsewhere_is_said, .timeout = 300)
{
    char *dir = experiment(true);
    run_result r;
    char *json;
    run_it(dir, &r, &json);
    cr_assert(strstr(r.out, "= FITC-A (Annexin V: $PnN \"FITC-A\"") != NULL, "%s", r.out);
    const char *w = strstr(r.err, "Annexin V channel FITC-A was taken from its detector name");
    cr_assert(w != NULL, "%s", r.err);
    cr_assert(strstr(w, "ctrl_annexin_only") != NULL && strstr(w, "in APC-A") != NULL &&
                  strstr(w, "give --annexin APC-A") != NULL,
              "%s", w);
    cr_assert(strstr(json, "Annexin V channel FITC-A was taken from its detector name") != NULL);
    /* the dead-cell dye's guess (PE-A) is right: nothing said of it */
    cr_assert(strstr(r.err, "dead-cell dye channel") == NULL, "%s", r.err);
    free(json);
    run_result_free(&r);
    free(dir);
}

Test(cli_stain_check, right_guesses_say_nothing, .timeout = 300)
{
    char *dir = experiment(false);
    run_result r;
    char *json;
    run_it(dir, &r, &json);
    cr_assert(strstr(r.out, "= FITC-A (Annexin V: $PnN \"FITC-A\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "$PnN \"FITC-A\"") != NULL, "guessed from its name: %s", r.out);
    cr_assert(strstr(r.err, "taken from its detector name") == NULL, "%s", r.err);
    cr_assert(strstr(json, "taken from its detector name") == NULL);
    free(json);
    run_result_free(&r);
    free(dir);
}
