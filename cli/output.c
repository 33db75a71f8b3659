/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * output.c: where a command's report goes: standard output ("-") or a file written
 * atomically (apo_atomic_open: a temporary name renamed into place when complete) and then
 * synced to disk, and an error about an input file that names it even when the library's
 * error does not.
 */
#include "cli/cli.h"

#include <string.h>

void cli_print_file_error(const char *path, const apo_error *err)
{
    if (err->file[0] == '\0') {
        cli_errorf("%s: %s", path, err->msg[0] ? err->msg : apo_status_name(err->status));
    } else {
        cli_print_error(err);
    }
}

int cli_output_open(apo_atomic_file *af, const char *path, FILE **fp)
{
    apo_error err;
    apo_error_clear(&err);
    if (strcmp(path, "-") == 0) {
        memset(af, 0, sizeof(*af));
        *fp = stdout;
        return 0;
    }
    apo_status st = apo_atomic_open(af, path, &err);
    if (st != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(st);
    }
    *fp = af->fp;
    return 0;
}

int cli_output_close(apo_atomic_file *af, FILE *fp, bool ok)
{
    apo_error err;
    apo_error_clear(&err);
    if (fp == stdout) {
        if (fflush(stdout) != 0) {
            cli_errorf("<stdout>: expected to write the output, found a write error");
            return CLI_EXIT_IOERR;
        }
        return 0;
    }
    if (!ok) {
        apo_atomic_abort(af);
        return 0;
    }
    apo_status st = apo_atomic_commit_sync(af, &err);
    if (st != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(st);
    }
    return 0;
}

int cli_sync_output(const char *path)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        return 0;
    }
    apo_error err;
    apo_error_clear(&err);
    apo_status st = apo_sync_file(path, &err);
    if (st != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(st);
    }
    return 0;
}
