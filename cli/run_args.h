/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_args.h: the options of `apoflow run` (run_args.c: the option table, its --help and the
 * checks between options).
 */
#ifndef APOFLOW_CLI_RUN_ARGS_H
#define APOFLOW_CLI_RUN_ARGS_H

#include "assay/assay.h"
#include "assay/experiment.h"
#include "cli/cli.h"

#include <stdbool.h>

typedef struct run_options {
    const char *sheet, *outdir, *gating, *write_gating, *comp;
    bool plots, timings, controls_only;
    assay_options apo;
    unsigned jobs;             /* threads (0 = all cores) */
    int verbosity;             /* CLI_QUIET / CLI_NORMAL / CLI_VERBOSE */
    unsigned shard_i, shard_n; /* --shard I/N (shard_n 0 = all files) */
    fcs_read_options read;
    int n_inputs;
    char **inputs;             /* the files and folders (in.paths: FILE#N operands as FILE) */
    cli_file_refs in;          /* the operands with their data sets (owned; run_args_free) */
    size_t dataset;            /* --dataset N (1-based; 0 = every data set) */
    const char *population;   /* --population PATH: the quadrant of a FlowJo --gating */
    const char *write_flowjo; /* --write-flowjo OUT.wsp */
    bool gating_wsp;          /* --gating names a FlowJo workspace */
} run_options;

/* Parse the command line into @p o; returns -1 to go on, else the exit code (the help or an
 * error has been printed). */
int run_parse_args(int argc, char **argv, run_options *o);
void run_args_free(run_options *o);

/* run_inputs.c: the data sets the operands pick (FILE#N, --dataset N). Of every file among
 * @p paths that a pick concerns, the sheet keeps only the rows of the picked data sets (each
 * checked against its file); returns 0 or the exit code (printed). */
int run_pick_datasets(const run_options *o, assay_sheet *sheet, char *const *paths, size_t n);
/* Whether data set @p dataset (1-based) of @p path is picked (every data set of a file no
 * pick concerns is). */
bool run_picks(const run_options *o, const char *path, size_t dataset);

/* run_print.c: what the run prints on standard output. */
void run_print_guess(const run_options *o, const assay_sheet *sh, const assay_sheet_guess *g,
                     size_t ng);
void run_print_filled_roles(const char *sheet_name, const assay_sheet *sh);
void run_print_outcome(const run_options *o, const assay_experiment *x, const double tm[6],
                       const cli_step_times *steps);

#endif /* APOFLOW_CLI_RUN_ARGS_H */
