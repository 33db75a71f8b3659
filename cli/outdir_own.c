/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outdir_own.c: the output folder a command owns (outdir_own.h): temporary files of a killed
 * run removed first, the earlier run's manifest read; at the end this run's manifest written
 * last and the earlier run's outputs that this run did not write again removed.
 */
#include "cli/outdir_own.h"

#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_outdir_own(cli_outdir *o, const char *dir, bool quiet)
{
    apo_error err;
    size_t removed = 0;
    o->sealed = false;
    if (apo_outdir_begin(&o->run, dir, &removed, &err) != APO_OK) {
        cli_print_error(&err);
        return cli_exit_code(err.status);
    }
    free(o->dir);
    o->dir = strdup(dir); /* NULL when out of memory: the manifest then stays set aside */
    if (removed > 0 && !quiet) {
        printf("%s: removed %zu temporary file%s of an interrupted earlier run\n", dir, removed,
               removed == 1 ? "" : "s");
    }
    return 0;
}

int cli_outdir_seal(cli_outdir *o, const char *dir, bool quiet)
{
    apo_error err;
    size_t removed = 0;
    if (apo_outdir_seal(&o->run, dir, "apoflow " APOFLOW_VERSION, &removed, &err) != APO_OK) {
        cli_print_error(&err);
        return cli_exit_code(err.status);
    }
    o->sealed = true;
    if (removed > 0 && !quiet) {
        printf("%s: removed %zu output%s of the earlier run that this run did not write again\n",
               dir, removed, removed == 1 ? "" : "s");
    }
    return 0;
}

void cli_outdir_free(cli_outdir *o)
{
    if (o->dir != NULL && !o->sealed) {
        apo_outdir_abandon(&o->run, o->dir);
    }
    free(o->dir);
    o->dir = NULL;
    apo_outdir_run_free(&o->run);
}
