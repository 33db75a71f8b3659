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
/* FCS files among @p n_args paths (folders searched recursively), sorted, each once; returns
 * an exit code. */
int cli_collect_fcs(int n_args, char **args, char ***files, size_t *n_files);
/* As cli_collect_fcs, but a folder gives only its own files (its subfolders are searched only
 * when it has none): the files of one experiment, for a run without a sheet. */
int cli_collect_experiment(int n_args, char **args, char ***files, size_t *n_files);

/* A file operand, possibly naming a data set as "FILE#N" (dataset_ref.c): the whole operand
 * when such a file exists, else FILE and N when FILE exists and N is a number. */
typedef struct cli_file_ref {
    char *path;       /* the file (owned) */
    bool has_dataset; /* the operand named a data set */
    size_t dataset;   /* that data set (1-based; 0 or too large when the operand says so) */
} cli_file_ref;
/* Split @p arg into *out; false when out of memory. */
bool cli_file_ref_parse(const char *arg, cli_file_ref *out);
void cli_file_ref_free(cli_file_ref *r);
/* 0 when data set @p n (1-based) is one of the @p count of @p path; else prints
 * "PATH: data set N requested, the file has K data sets" and returns 65. */
int cli_dataset_in_range(const char *path, size_t n, size_t count);
/* As cli_dataset_in_range, opening @p path (TEXT only) to count its data sets; a file that
 * cannot be opened is reported (exit code returned) with @p open_errors, else passes. */
int cli_dataset_check_file(const char *path, size_t n, const fcs_read_options *read,
                           bool open_errors);

/* The file operands of a command, each with its data set. */
typedef struct cli_file_refs {
    size_t n;
    char **paths;     /* the files (owned) */
    size_t *datasets; /* per file: its FILE#N, else the command's --dataset (1-based; 0 = none) */
} cli_file_refs;
/* Resolve @p n operands with cli_file_ref_parse, @p dflt for those naming no data set; every
 * named data set (and @p dflt when above 1) is checked against its file (a file that cannot
 * be opened is left to the command to report). Returns 0, or the exit code after printing the
 * error (*out is then empty). */
int cli_file_refs_resolve(cli_file_refs *out, int n, char **args, size_t dflt,
                          const fcs_read_options *read);
void cli_file_refs_free(cli_file_refs *r);
/* The data sets of @p path that the operands pick, into keep[] (up to @p cap): those its
 * FILE#N operands name, else {dflt} for a file no operand names when dflt > 0. False when
 * every data set is wanted (the file given plainly, or nothing picked). */
bool cli_file_refs_picked(const cli_file_refs *r, size_t dflt, const char *path, size_t *keep,
                          size_t cap, size_t *n_keep);
/* Whether data set @p dataset (1-based) of @p path is wanted (cli_file_refs_picked). */
bool cli_file_refs_wants(const cli_file_refs *r, size_t dflt, const char *path, size_t dataset);

/* output.c: a report to standard output (@p path "-") or to a file written atomically.
 * cli_output_open returns 0 or the exit code (printed); cli_output_close commits the file
 * (@p ok) or discards it (!ok), flushes standard output, and returns 0 or the exit code. */
int cli_output_open(apo_atomic_file *af, const char *path, FILE **fp);
int cli_output_close(apo_atomic_file *af, FILE *fp, bool ok);
/* Put the output file @p path, written by a library call (renamed into place, not yet on
 * disk: util/atomic.c), on disk; 0 or the exit code (printed). Nothing for NULL or "-". */
int cli_sync_output(const char *path);
/* Print the error of input @p path, naming it when @p err does not. */
void cli_print_file_error(const char *path, const apo_error *err);

/* Print "apoflow: <msg>" for an error to stderr. */
void cli_print_error(const apo_error *err);
/* Print "apoflow: <fmt...>" to stderr. */
void cli_errorf(const char *fmt, ...) APO_PRINTF(1, 2);
/* Print "apoflow: note: <fmt...>" to stderr. */
void cli_notef(const char *fmt, ...) APO_PRINTF(1, 2);
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
    cli_step_times steps; /* wall time of each step, for --timings */
} cli_observer;
void cli_observer_init(cli_observer *c, int verbosity);

/* The worse (higher-priority) of two exit codes: data errors and I/O errors outrank 0. */
int cli_worse_exit(int a, int b);

#endif /* APOFLOW_CLI_CLI_H */
