/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * main.c: the apoflow entry point: dispatches to one function per subcommand.
 * Exit codes follow sysexits.h (README.md, "Exit codes").
 */
#include "cli/cli.h"

#include <gsl/gsl_errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command;

static const cli_command commands[] = {
    {"info", cmd_info, "describe FCS files: data sets, parameters, keywords, warnings"},
    {"export", cmd_export, "write every event of a data set as CSV, TSV or FCS 3.1"},
    {"gate", cmd_gate, "apply a Gating-ML 2.0 strategy: counts, % and medians per population"},
    {"comp", cmd_comp, "compute a spillover matrix from single-stain controls (CSV out)"},
    {"plot", cmd_plot, "render a QC plot (pseudocolor|dot|contour|hist) of a data set as PNG"},
    {"run", cmd_run, "Annexin V / PI analysis of an experiment: tables, tests, gating, plots"},
    {"sheet", cmd_sheet, "draft a sample sheet from the FCS files' keywords"},
    {"merge", cmd_merge, "combine the output folders of sharded runs (run --shard I/N)"},
    {"gating", cmd_gating, "convert a gating between Gating-ML 2.0 and a FlowJo workspace"},
};

static void print_usage(FILE *to)
{
    fprintf(to, "usage: apoflow COMMAND [OPTIONS] ...\n\n"
                "Flow cytometry from FCS files to Annexin V / PI answers.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(to, "\nRun 'apoflow COMMAND --help' for a command's options.\n"
                "Exit codes: 0 ok, 64 usage, 65 bad input data, 66 cannot open input,\n"
                "            71 out of memory, 73 cannot create output, 74 output I/O error.\n");
}

void cli_print_error(const apo_error *err)
{
    fprintf(stderr, "apoflow: error: %s\n", err->msg[0] ? err->msg : apo_status_name(err->status));
}

/* "apoflow: <kind>: <fmt...>" on a line of stderr. */
static void print_line(const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "apoflow: %s: ", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_line("error", fmt, ap);
    va_end(ap);
}

void cli_notef(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_line("note", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *msg)
{
    fprintf(stderr, "apoflow: warning: %s\n", msg);
}

static int exit_rank(int code)
{
    switch (code) {
    case CLI_EXIT_OK:
        return 0;
    case CLI_EXIT_DATAERR:
        return 2;
    case CLI_EXIT_NOINPUT:
        return 3;
    case CLI_EXIT_USAGE:
        return 5;
    default:
        return 4;
    }
}

int cli_worse_exit(int a, int b)
{
    return exit_rank(b) > exit_rank(a) ? b : a;
}

/* The allocator's policy for this process (docs/performance.md, "Sixth round"). A sample's
 * buffers (decoded events, masks, canvases of a few MB) are allocated and freed once per sample;
 * glibc's defaults give every block over its adaptive mmap threshold its own mapping, unmapped
 * on free, and trim the heap top beyond 128 KiB, so each sample faulted its buffers in afresh
 * (page faults and munmap were about a tenth of the plate's CPU). Blocks under 64 MiB now come
 * from the heap and freed memory stays for the next sample, up to 256 MiB of free top. Peak
 * memory is what the largest step holds, as before; only the return of freed memory to the
 * system is deferred. */
static void tune_allocator(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TOP_PAD, 16 * 1024 * 1024);
#endif
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    tune_allocator();
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 && argc >= 3) {
        /* "apoflow help COMMAND" is "apoflow COMMAND --help". */
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
            if (strcmp(argv[2], commands[i].name) == 0) {
                char *help_argv[] = {argv[2], (char *)"--help", NULL};
                return commands[i].run(2, help_argv);
            }
        }
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("apoflow %s\n", APOFLOW_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(name, commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    cli_errorf("unknown command '%s' (see 'apoflow --help')", name);
    return CLI_EXIT_USAGE;
}
