/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli.h: shared declarations of the apoflow command-line tool: one function per subcommand
 * (each in its own cmd_*.c file) and small printing helpers. Only cli/ prints.
 */
#ifndef APOFLOW_CLI_CLI_H
#define APOFLOW_CLI_CLI_H

#include "cli/exit.h"
#include "cli/progress.h"
#include "fcs/fcs.h"
#include "util/observer.h"

#include <stdbool.h>
#include <stdio.h>

/* Each subcommand gets argv with argv[0] = the subcommand name; returns a sysexits code. */
int cmd_info(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_comp(int, char **);
int cmd_plot(int, char **);
int cmd_run(int argc, char **argv);
int cmd_sheet(int argc, char **argv);
int cmd_merge(int argc, char **argv); /* cmd_merge.c: combine sharded runs */
int cmd_gating(int argc, char **argv); /* cmd_gating.c: gating convert IN OUT */
/* FCS files among @p n_args paths (folders searched recursively), sorted; returns an exit code. */
int cli_collect_fcs(int n_args, char **args, char ***files, size_t *n_files);
/* As cli_collect_fcs, but a folder gives only its own files (its subfolders are searched only
 * when it has none): the files of one experiment, for a run without a sheet. */
int cli_collect_experiment(int n_args, char **args, char ***files, size_t *n_files);

/* Print "apoflow: <msg>" for an error to stderr. */
void cli_print_error(const apo_error *err);
/* Print "apoflow: <fmt...>" to stderr. */
void cli_errorf(const char *fmt, ...) APO_PRINTF(1, 2);
/* Print a warning line "apoflow: warning: <msg>" to stderr unless quiet. */
void cli_warn(const char *msg);

/* Parse a whole number >= min for option @p opt; prints the error and returns false. */
bool cli_parse_count(const char *opt, const char *arg, uint64_t min, uint64_t *out);

/* The CLI's observer of the libraries (observe.c): progress on stderr at @p verbosity
 * (CLI_QUIET, CLI_NORMAL, CLI_VERBOSE), notes and warnings unless quiet, errors always. */
typedef struct cli_observer {
    apo_observer obs;
    int verbosity;
    cli_progress progress;
} cli_observer;
void cli_observer_init(cli_observer *c, int verbosity);

/* The worse (higher-priority) of two exit codes: data errors and I/O errors outrank 0. */
int cli_worse_exit(int a, int b);

#endif /* APOFLOW_CLI_CLI_H */
