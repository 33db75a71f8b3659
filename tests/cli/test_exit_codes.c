/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_exit_codes.c: the exit codes in one place (cli/exit.h): every library status maps
 * through apo_status_exit_code, an input that cannot be loaded for lack of memory exits 71
 * (not 65 as a malformed one), the worse of two statuses is the one whose exit code wins,
 * and the binary's usage errors and help exit 64 and 0.
 */
#include "cli/exit.h"
#include "util/observer.h"

#include "support/run_cli.h"

#include <criterion/criterion.h>

Test(cli_exit, statuses_map_through_one_table)
{
    cr_assert_eq(cli_exit_code(APO_OK), CLI_EXIT_OK);
    cr_assert_eq(cli_exit_code(APO_E_USAGE), 64);
    cr_assert_eq(cli_exit_code(APO_E_FORMAT), 65);
    cr_assert_eq(cli_exit_code(APO_E_IO), 66);
    cr_assert_eq(cli_exit_code(APO_E_NOMEM), 71);
    cr_assert_eq(cli_exit_code(APO_E_WRITE), 73);
}

Test(cli_exit, out_of_memory_loading_an_input_is_71_not_65)
{
    cr_assert_eq(cli_exit_input(APO_E_NOMEM), CLI_EXIT_OSERR);
    cr_assert_eq(cli_exit_input(APO_E_IO), CLI_EXIT_NOINPUT);
    cr_assert_eq(cli_exit_input(APO_E_FORMAT), CLI_EXIT_DATAERR);
    cr_assert_eq(cli_exit_input(APO_E_RANGE), CLI_EXIT_DATAERR);
}

Test(cli_exit, worse_status_ranks_like_the_exit_codes)
{
    cr_assert_eq(apo_status_worse(APO_OK, APO_E_FORMAT), APO_E_FORMAT);
    cr_assert_eq(apo_status_worse(APO_E_FORMAT, APO_E_IO), APO_E_IO);
    cr_assert_eq(apo_status_worse(APO_E_NOMEM, APO_E_FORMAT), APO_E_NOMEM);
    cr_assert_eq(apo_status_worse(APO_E_WRITE, APO_E_USAGE), APO_E_USAGE);
    cr_assert_eq(apo_status_worse(APO_E_USAGE, APO_E_NOMEM), APO_E_USAGE);
}

Test(cli_exit, every_command_parses_from_its_table)
{
    static const char *const cmds[] = {"info", "export", "gate", "comp",
                                       "plot", "run",    "sheet", "merge"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        run_result r;
        const char *help[] = {APOFLOW_BINARY, cmds[i], "--help", NULL};
        cr_assert_eq(run_cli(help, &r), CLI_EXIT_OK, "%s", cmds[i]);
        cr_assert_not_null(strstr(r.out, "  -h, --help"), "%s: %s", cmds[i], r.out);
        run_result_free(&r);
        const char *bad[] = {APOFLOW_BINARY, cmds[i], "--no-such-option", NULL};
        cr_assert_eq(run_cli(bad, &r), CLI_EXIT_USAGE, "%s", cmds[i]);
        cr_assert_not_null(strstr(r.err, "unknown option --no-such-option"), "%s: %s", cmds[i],
                           r.err);
        run_result_free(&r);
    }
}
