/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * options.h: a command's options as one declarative table that drives both the parser
 * (getopt_long) and the generated --help (options grouped under headings, help wrapped at
 * 80 columns, defaults stated). Every command parses the same way: an unknown option or a
 * missing value is a usage error (64) naming the option; -h/--help prints the help (0).
 */
#ifndef APOFLOW_CLI_OPTIONS_H
#define APOFLOW_CLI_OPTIONS_H

#include "fcs/fcs.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* Keys of options without a one-letter form start here. */
#define CLI_KEY_LONG 256

typedef struct cli_option {
    const char *name;  /* long name without "--"; NULL ends a table */
    int key;           /* what cli_parser_next returns: the letter of its short form ("-o"),
                          or a value >= CLI_KEY_LONG for a long-only option */
    const char *arg;   /* the value's placeholder ("DIR"); NULL = a switch */
    const char *group; /* help heading ("input", "output", ...) */
    const char *help;  /* one paragraph, wrapped when printed */
    const char *def;   /* the default, printed as "(default DEF)"; NULL = none to state */
} cli_option;

typedef struct cli_spec {
    const char *name;                /* the subcommand ("run") */
    const char *usage;               /* usage lines and description, printed as is */
    const cli_option *const *tables; /* option tables (NULL-terminated list), in help order */
    const char *footer;              /* examples and exit codes, printed as is */
} cli_spec;

/* The FCS reader's options (--offsets, --text-mode, --allow-truncated,
 * --rename-duplicates), shared by every command that reads FCS files. */
extern const cli_option cli_read_options[];
/* Apply one of cli_read_options; prints the error and returns false on a bad value. */
bool cli_read_option(int key, const char *arg, fcs_read_options *read);
/* Whether @p key is one of cli_read_options. */
bool cli_is_read_option(int key);
enum { CLI_KEY_OFFSETS = CLI_KEY_LONG + 200, CLI_KEY_TEXT_MODE, CLI_KEY_TRUNCATED,
       CLI_KEY_RENAME };

#define CLI_MAX_OPTIONS 48

typedef struct cli_parser {
    const cli_spec *spec;
    int argc;
    char **argv;
    struct option longopts[CLI_MAX_OPTIONS + 2];
    char shorts[2 * CLI_MAX_OPTIONS + 4];
    int exit_code; /* after CLI_OPTS_EXIT: 0 (help printed) or 64 (error printed) */
} cli_parser;

enum { CLI_OPTS_DONE = -1, CLI_OPTS_EXIT = -2 };

void cli_parser_init(cli_parser *p, const cli_spec *spec, int argc, char **argv);
/* The next option's key, with its value in *arg (NULL for a switch); CLI_OPTS_DONE when
 * only operands remain (from cli_parser_operands); CLI_OPTS_EXIT when the command must
 * return p->exit_code (the help or an error has been printed). */
int cli_parser_next(cli_parser *p, const char **arg);
/* Index in argv of the first operand once parsing is done. */
int cli_parser_operands(const cli_parser *p);

/* Parse all of argv's options, applying each with apply(ctx, key, arg) (which prints the
 * error and returns false on a bad value). Returns -1 when the command goes on, with its
 * first operand at argv[*first]; else the exit code to return (the help or an error has
 * been printed). */
int cli_parse_options(const cli_spec *spec, int argc, char **argv,
                      bool (*apply)(void *ctx, int key, const char *arg), void *ctx, int *first);

/* Print the generated help of @p spec. */
void cli_print_help(const cli_spec *spec, FILE *to);

#endif /* APOFLOW_CLI_OPTIONS_H */
