/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_sheet.c: `apoflow sheet INPUT... -o sheet.csv`: drafts a sample sheet from the FCS
 * files' keywords (TUBE NAME, $SRC, WELL ID, $FIL, the file name) for the user to check
 * and complete before `apoflow run --sheet`.
 */
#include "cli/cli.h"
#include "gating/gate.h"

int cmd_sheet(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_errorf("apoflow sheet: not implemented yet");
    return 64;
}
