/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exit.h: the exit codes of apoflow, in one place (the sysexits.h convention, README.md
 * "Exit codes"). A library status becomes an exit code only through cli_exit_code
 * (apo_status_exit_code), so that, e.g., running out of memory is always 71.
 */
#ifndef APOFLOW_CLI_EXIT_H
#define APOFLOW_CLI_EXIT_H

#include "util/util.h"

typedef enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_USAGE = 64,     /* EX_USAGE: bad command line */
    CLI_EXIT_DATAERR = 65,   /* EX_DATAERR: an input is malformed, a file or sample failed */
    CLI_EXIT_NOINPUT = 66,   /* EX_NOINPUT: an input cannot be opened */
    CLI_EXIT_SOFTWARE = 70,  /* EX_SOFTWARE: an internal error */
    CLI_EXIT_OSERR = 71,     /* EX_OSERR: out of memory */
    CLI_EXIT_CANTCREAT = 73, /* EX_CANTCREAT: an output cannot be created */
    CLI_EXIT_IOERR = 74      /* EX_IOERR: an output cannot be written */
} cli_exit;

/* The exit code of a library status (apo_status_exit_code). */
static inline int cli_exit_code(apo_status st)
{
    return apo_status_exit_code(st);
}

/* An input that could not be loaded: out of memory stays 71, a missing or unreadable file
 * is 66, anything else (malformed) 65. */
static inline int cli_exit_input(apo_status st)
{
    return st == APO_E_NOMEM ? CLI_EXIT_OSERR
           : st == APO_E_IO  ? CLI_EXIT_NOINPUT
                             : CLI_EXIT_DATAERR;
}

#endif /* APOFLOW_CLI_EXIT_H */
