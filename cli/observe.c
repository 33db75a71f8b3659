/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * observe.c: the CLI's side of the libraries' observer (util/observer.h): progress bars and
 * verbose lines through progress.c, status lines, and notes, warnings and errors printed as
 * "apoflow: note: ...", "apoflow: warning: ..." and "apoflow: error: ..." on stderr (notes
 * and warnings not with --quiet), detail lines indented under them.
 */
#include "cli/cli.h"

#include <stdio.h>

static void obs_begin(void *ctx, const char *what, size_t total, bool per_item)
{
    cli_observer *c = ctx;
    int v = c->verbosity;
    if (!per_item && v == CLI_VERBOSE) { /* bars only: per-item lines are for files read */
        v = CLI_NORMAL;
    }
    cli_progress_start(&c->progress, what, total, v);
    cli_step_begin(&c->steps, what);
}

static void obs_tick(void *ctx, const char *item, uint64_t events, double seconds, bool failed)
{
    cli_progress_tick(&((cli_observer *)ctx)->progress, item, events, seconds, failed);
}

static void obs_end(void *ctx)
{
    cli_progress_end(&((cli_observer *)ctx)->progress);
    cli_step_end(&((cli_observer *)ctx)->steps);
}

static void obs_status(void *ctx, const char *msg)
{
    cli_status(((cli_observer *)ctx)->verbosity, msg);
}

static void obs_note(void *ctx, apo_note_kind kind, const char *msg)
{
    const cli_observer *c = ctx;
    if (kind == APO_NOTE_ERROR) {
        cli_errorf("%s", msg);
    } else if (kind == APO_NOTE_DETAIL) {
        fprintf(stderr, "  %s\n", msg);
    } else if (c->verbosity > CLI_QUIET) {
        fprintf(stderr, "apoflow: %s: %s\n", kind == APO_NOTE_INFO ? "note" : "warning", msg);
    }
}

void cli_observer_init(cli_observer *c, int verbosity)
{
    *c = (cli_observer){.verbosity = verbosity};
    c->obs = (apo_observer){.ctx = c,
                            .begin = obs_begin,
                            .tick = obs_tick,
                            .end = obs_end,
                            .status = obs_status,
                            .note = obs_note};
}
