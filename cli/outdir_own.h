/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outdir_own.h: a command that writes an output folder (run, merge) owns it (apo_outdir_begin
 * and apo_outdir_seal of util/outdir.c, with what they did said here):
 * before writing, the temporary files a killed run left are removed and the earlier run's
 * manifest is read; after every output, the manifest of the files written since is written
 * last and the earlier run's outputs not written again are removed. Both are said on standard
 * output unless quiet. Meanwhile the earlier manifest is set aside (util/outdir.c), so a run
 * that fails or is killed after writing leaves no manifest claiming a complete run.
 */
#ifndef APOFLOW_CLI_OUTDIR_OWN_H
#define APOFLOW_CLI_OUTDIR_OWN_H

#include "util/util.h"

#include <stdbool.h>

typedef struct cli_outdir {
    apo_outdir_run run; /* the folder's earlier run; the time this one started */
    char *dir;          /* the folder owned (NULL before cli_outdir_own) */
    bool sealed;        /* cli_outdir_seal succeeded */
} cli_outdir;

/* Take @p dir (created) before writing into it. Returns 0, or the exit code after printing
 * the error. */
int cli_outdir_own(cli_outdir *o, const char *dir, bool quiet);
/* After every output of the run: manifest.json, then the stale outputs removed. Returns 0, or
 * the exit code after printing the error. */
int cli_outdir_seal(cli_outdir *o, const char *dir, bool quiet);
/* A folder owned and not sealed (the run failed) gets the earlier run's manifest back when the
 * run wrote nothing into it (apo_outdir_abandon); then the state is freed. */
void cli_outdir_free(cli_outdir *o);

#endif /* APOFLOW_CLI_OUTDIR_OWN_H */
