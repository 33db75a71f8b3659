/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * progress.h: batch progress on stderr. On a terminal (normal verbosity) one redrawn line
 * "[=====>   ]  37/120 files  1.2 M events/s  ETA 0:28  A05.fcs" (at most 10 updates/s,
 * cleared at the end); when stderr is not a terminal nothing but errors; --verbose adds one
 * line per file and stage timings; --quiet only errors. Also a monotonic clock for timings.
 */
#ifndef APOFLOW_CLI_PROGRESS_H
#define APOFLOW_CLI_PROGRESS_H

#include "fcs/fcs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CLI_QUIET = 0, CLI_NORMAL = 1, CLI_VERBOSE = 2 };

typedef struct cli_progress {
    int verbosity;
    bool tty;      /* stderr is a terminal: draw the bar */
    bool drawn;    /* a bar is on screen */
    size_t total, done, failed;
    uint64_t events;
    double t0, last_draw;
    const char *what; /* "files" */
} cli_progress;

/* Seconds on a monotonic clock. */
double cli_now(void);

void cli_progress_start(cli_progress *p, const char *what, size_t total, int verbosity);
/* One item finished (@p item names it, @p events decoded, @p seconds it took). */
void cli_progress_tick(cli_progress *p, const char *item, uint64_t events, double seconds,
                       bool failed);
/* Clear the bar. */
void cli_progress_end(cli_progress *p);
/* A stage message: printed only with --verbose ("apoflow: <stage>: <seconds> s"). */
void cli_progress_stage(const cli_progress *p, const char *stage, double seconds);

/* A one-line status ("gating 96 samples ...") on a terminal at normal verbosity; NULL clears
 * it. Nothing when stderr is not a terminal. */
void cli_status(int verbosity, const char *msg);

/* Wall time of each observed step of the libraries (files, pre-gate estimates, scale
 * estimates, statistics, ...), by name in order of first start, summed when a step repeats;
 * at most CLI_MAX_STEPS names (later ones are not timed). */
enum { CLI_MAX_STEPS = 12 };
typedef struct cli_step_times {
    const char *what[CLI_MAX_STEPS];
    double seconds[CLI_MAX_STEPS];
    double first[CLI_MAX_STEPS]; /* when it first began (cli_now) */
    size_t n;
    const char *current; /* the step begun and not yet ended, or NULL */
    double t0;
} cli_step_times;
void cli_step_begin(cli_step_times *t, const char *what);
void cli_step_end(cli_step_times *t);
/* "apoflow: timings of the steps: files X s, pre-gate estimates X s, ..., other
 * gating+statistics X s" on stderr: the last is the time of the stage from @p stage_begin to
 * @p stage_end not spent in a step begun within it (the serial work between the steps). */
void cli_print_step_times(const cli_step_times *t, double stage_begin, double stage_end);

/* "apoflow: timings: parse X s, gating+statistics X s, ..." on stderr from the stage marks
 * tm[0] start, tm[1] files read, tm[2] analysed, tm[3] tables written, tm[4] plots written,
 * tm[5] report written. */
void cli_print_timings(const double tm[6], size_t n_samples, bool plots);

#endif /* APOFLOW_CLI_PROGRESS_H */
