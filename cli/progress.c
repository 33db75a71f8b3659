/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * progress.c: the stderr progress bar and verbose per-file lines of batch commands
 * (progress.h). Only the pool's done-callback calls tick, one thread at a time.
 */
#include "cli/progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_start(cli_progress *p, const char *what, size_t total, int verbosity)
{
    *p = (cli_progress){.verbosity = verbosity,
                        .tty = verbosity >= CLI_NORMAL && isatty(STDERR_FILENO) == 1,
                        .total = total,
                        .what = what,
                        .t0 = cli_now()};
    p->last_draw = -1;
}

static void draw(cli_progress *p, const char *item, double now)
{
    enum { WIDTH = 24 };
    double el = now - p->t0;
    size_t fill = p->total ? p->done * WIDTH / p->total : WIDTH;
    char bar[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++) {
        bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    }
    bar[WIDTH] = '\0';
    double rate = el > 0 ? (double)p->events / el : 0;
    double eta = p->done ? el * (double)(p->total - p->done) / (double)p->done : 0;
    unsigned em = (unsigned)(eta / 60), es = (unsigned)eta % 60;
    const char *base = item;
    for (const char *s = item; s && *s; s++) {
        if (*s == '/') {
            base = s + 1;
        }
    }
    fprintf(stderr, "\r[%s] %4zu/%zu %s  %6.2f M events/s  ETA %u:%02u  %-.30s\033[K", bar,
            p->done, p->total, p->what, rate / 1e6, em, es, base ? base : "");
    fflush(stderr);
    p->drawn = true;
    p->last_draw = now;
}

void cli_progress_tick(cli_progress *p, const char *item, uint64_t events, double seconds,
                       bool failed)
{
    p->done++;
    p->events += events;
    p->failed += failed;
    if (p->verbosity >= CLI_VERBOSE) {
        if (p->drawn) {
            fputs("\r\033[K", stderr);
            p->drawn = false;
        }
        fprintf(stderr, "apoflow: [%zu/%zu] %s: %s%llu events, %.3f s\n", p->done, p->total,
                item ? item : "", failed ? "FAILED, " : "", (unsigned long long)events,
                seconds);
    }
    double now = cli_now();
    if (p->tty && (now - p->last_draw >= 0.1 || p->done == p->total)) {
        draw(p, item, now);
    }
}

void cli_progress_end(cli_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
}

void cli_progress_stage(const cli_progress *p, const char *stage, double seconds)
{
    if (p->verbosity >= CLI_VERBOSE) {
        fprintf(stderr, "apoflow: %s: %.3f s\n", stage, seconds);
    }
}

void cli_print_timings(const double tm[6], size_t n_samples, bool plots)
{
    fprintf(stderr,
            "apoflow: timings: parse %.3f s, gating+statistics %.3f s, tables %.3f s, "
            "rendering %.3f s%s, report %.3f s, total %.3f s (%zu samples)\n",
            tm[1] - tm[0], tm[2] - tm[1], tm[3] - tm[2], tm[4] - tm[3],
            plots ? "" : " (--no-plots)", tm[5] - tm[4], tm[5] - tm[0], n_samples);
}

void cli_step_begin(cli_step_times *t, const char *what)
{
    t->current = what;
    t->t0 = cli_now();
}

void cli_step_end(cli_step_times *t)
{
    if (t->current == NULL) {
        return;
    }
    double s = cli_now() - t->t0;
    size_t i = 0;
    while (i < t->n && strcmp(t->what[i], t->current) != 0) {
        i++;
    }
    if (i == t->n && t->n < CLI_MAX_STEPS) {
        t->what[t->n] = t->current;
        t->first[t->n] = t->t0;
        t->seconds[t->n++] = 0;
    }
    if (i < t->n) {
        t->seconds[i] += s;
    }
    t->current = NULL;
}

void cli_print_step_times(const cli_step_times *t, double stage_begin, double stage_end)
{
    if (t->n == 0) {
        return;
    }
    double rest = stage_end - stage_begin;
    fputs("apoflow: timings of the steps:", stderr);
    for (size_t i = 0; i < t->n; i++) {
        fprintf(stderr, "%s %s %.3f s", i ? "," : "", t->what[i], t->seconds[i]);
        if (t->first[i] >= stage_begin && t->first[i] < stage_end) {
            rest -= t->seconds[i];
        }
    }
    fprintf(stderr, ", other gating+statistics %.3f s\n", rest > 0 ? rest : 0.0);
}

void cli_status(int verbosity, const char *msg)
{
    if (verbosity != CLI_NORMAL || isatty(STDERR_FILENO) != 1) {
        return;
    }
    if (msg != NULL) {
        fprintf(stderr, "\r%s\033[K", msg);
    } else {
        fputs("\r\033[K", stderr);
    }
    fflush(stderr);
}
