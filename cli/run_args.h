/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_args.h: the options of `apoflow run` (run_args.c: the option table, its --help and the
 * checks between options).
 */
#ifndef APOFLOW_CLI_RUN_ARGS_H
#define APOFLOW_CLI_RUN_ARGS_H

#include "assay/assay.h"

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
    char **inputs;
    const char *population;   /* --population PATH: the quadrant of a FlowJo --gating */
    const char *write_flowjo; /* --write-flowjo OUT.wsp */
    bool gating_wsp;          /* --gating names a FlowJo workspace */
} run_options;

/* Parse the command line into @p o; returns -1 to go on, else the exit code (the help or an
 * error has been printed). */
int run_parse_args(int argc, char **argv, run_options *o);

#endif /* APOFLOW_CLI_RUN_ARGS_H */
