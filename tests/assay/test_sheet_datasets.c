/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sheet_datasets.c: samples that are data sets of one file. assay_sheet_keep_datasets
 * narrows a sheet to some data sets of one file (a row naming none counts as data set 1; other
 * files' rows stay); assay_dataset_names names every data set by the first keyword that names
 * them all differently (triplicates sharing a TUBE NAME are named by their SAMPLE ID; Guava
 * files by GTI$SAMPLEID), else each by a keyword of its own, else "<stem>#N".
 */
#include "assay/experiment.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(assay_sheet_datasets, keep_only_the_named_data_sets_of_one_file)
{
    static const char text[] = "file,sample,role,dataset\n"
                               "m.fcs,a,unstained,1\n"
                               "m.fcs,b,untreated,2\n"
                               "other.fcs,c,stimulus,\n"
                               "m.fcs,d,treated,3\n"
                               "m.fcs,e,treated,4\n";
    assay_sheet sh;
    apo_error err;
    cr_assert_eq(assay_sheet_parse(&sh, text, sizeof text - 1, "t.csv", &err), APO_OK, "%s",
                 err.msg);
    const size_t keep[] = {2, 4};
    cr_assert_eq(assay_sheet_keep_datasets(&sh, "./m.fcs", keep, 2), 2);
    cr_assert_eq(sh.n_rows, 3);
    cr_assert_str_eq(sh.rows[0].sample, "b");
    cr_assert_str_eq(sh.rows[1].sample, "c"); /* another file: untouched */
    cr_assert_str_eq(sh.rows[2].sample, "e");
    /* a row naming no data set is data set 1 */
    cr_assert_eq(assay_sheet_keep_datasets(&sh, "other.fcs", keep, 2), 1);
    cr_assert_eq(sh.n_rows, 2);
    /* a file the sheet does not name: nothing removed */
    cr_assert_eq(assay_sheet_keep_datasets(&sh, "absent.fcs", keep, 0), 0);
    cr_assert_eq(assay_sheet_keep_datasets(&sh, "m.fcs", NULL, 0), 2);
    cr_assert_eq(sh.n_rows, 0);
    assay_sheet_free(&sh);
}

/* A file of @p n data sets with TUBE NAME tube[k] and keyword @p id_key = id[k] (NULL:
 * none). */
static char *write_file_kw(size_t n, const char *const *tube, const char *id_key,
                           const char *const *id)
{
    char *dir = test_tmpdir();
    char *path = malloc(strlen(dir) + 16);
    cr_assert_not_null(path);
    sprintf(path, "%s/m.fcs", dir);
    free(dir);
    static const double values[4] = {1, 2, 3, 4};
    fcs_write_param params[1] = {{"FSC-A", NULL, 1024}};
    fcs_write_keyword kw[8][2];
    fcs_write_spec specs[8];
    cr_assert_leq(n, 8);
    for (size_t k = 0; k < n; k++) {
        size_t nk = 0;
        if (tube[k] != NULL) {
            kw[k][nk++] = (fcs_write_keyword){"TUBE NAME", tube[k]};
        }
        if (id != NULL && id[k] != NULL) {
            kw[k][nk++] = (fcs_write_keyword){id_key, id[k]};
        }
        specs[k] = (fcs_write_spec){1, params, 4, values, nk, kw[k]};
    }
    apo_error err;
    cr_assert_eq(fcs_write_datasets(path, specs, n, &err), APO_OK, "%s", err.msg);
    return path;
}

static char *write_file(size_t n, const char *const *tube, const char *const *id)
{
    return write_file_kw(n, tube, "SAMPLE ID", id);
}

static void expect_names(const char *path, size_t n, const char *const *want)
{
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, path, NULL, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_file_n_datasets(f), n);
    char **names = assay_dataset_names(f, path);
    cr_assert_not_null(names);
    for (size_t k = 0; k < n; k++) {
        cr_assert_str_eq(names[k], want[k], "data set %zu", k + 1);
        char *one = assay_dataset_name(f, k, path);
        cr_assert_str_eq(one, want[k]);
        free(one);
        free(names[k]);
    }
    free(names);
    fcs_file_free(f);
}

Test(assay_sheet_datasets, data_sets_of_one_file_are_named_alike)
{
    /* TUBE NAME names every data set: it is the name */
    const char *tube1[] = {"Unstained", "AnnV only", "Untreated"};
    char *p = write_file(3, tube1, NULL);
    expect_names(p, 3, tube1);
    free(p);
    /* triplicates share a TUBE NAME: SAMPLE ID names them all, also the unique tube */
    const char *tube2[] = {"Unstained", "Untreated", "Untreated", "Untreated"};
    const char *id2[] = {"ctrl_unstained", "untreated_r1", "untreated_r2", "untreated_r3"};
    p = write_file(4, tube2, id2);
    expect_names(p, 4, id2);
    free(p);
    /* no keyword names them all: each by a value of its own, else "<stem>#N" */
    const char *tube3[] = {"Unstained", "Untreated", "Untreated"};
    const char *id3[] = {NULL, "u1", NULL};
    p = write_file(3, tube3, id3);
    const char *want3[] = {"Unstained", "u1", "m#3"};
    expect_names(p, 3, want3);
    free(p);
    /* a Guava Muse file: no TUBE NAME, the typed name in GTI$SAMPLEID */
    const char *none[] = {NULL, NULL, NULL};
    const char *typed[] = {"Unstained", "AnnV-PE only", "H2O2 rep1"};
    p = write_file_kw(3, none, "GTI$SAMPLEID", typed);
    expect_names(p, 3, typed);
    free(p);
}
