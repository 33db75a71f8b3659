/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_inputs.c: the data sets `apoflow run` analyses of files holding one sample per data set.
 * An operand FILE#N picks data set N of FILE; --dataset N picks data set N of every file no
 * operand names a data set of; a file given plainly (or found in a folder without --dataset)
 * gives every data set its sheet names. The picks narrow the sample sheet (given or guessed)
 * to the rows of the picked data sets, so the rest of the run is unchanged.
 */
#include "cli/run_args.h"

#include <stdlib.h>
#include <string.h>

bool run_picks(const run_options *o, const char *path, size_t dataset)
{
    return cli_file_refs_wants(&o->in, o->dataset, path, dataset);
}

int run_pick_datasets(const run_options *o, assay_sheet *sheet, char *const *paths, size_t n)
{
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        size_t keep[64], n_keep = 0;
        if (!cli_file_refs_picked(&o->in, o->dataset, paths[i], keep, sizeof keep / sizeof keep[0],
                                  &n_keep)) {
            continue;
        }
        bool operand = false; /* operands' data sets were checked as they were parsed */
        for (size_t k = 0; k < o->in.n && !operand; k++) {
            operand = strcmp(o->in.paths[k], paths[i]) == 0;
        }
        int code = operand ? CLI_EXIT_OK
                           : cli_dataset_check_file(paths[i], keep[0], &o->read, false);
        rc = cli_worse_exit(rc, code);
        /* a file without the data set gives no sample (and the run exits 65) */
        (void)assay_sheet_keep_datasets(sheet, paths[i], keep, code == CLI_EXIT_OK ? n_keep : 0);
    }
    return rc;
}
