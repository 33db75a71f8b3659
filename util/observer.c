/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * observer.c: null-safe calls of a library caller's callbacks (observer.h), an observed run
 * of the thread pool, the ranking of statuses by their exit code, and a monotonic clock.
 */
#include "util/observer.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void apo_observe_begin(const apo_observer *o, const char *what, size_t total, bool per_item)
{
    if (o != NULL && o->begin != NULL) {
        o->begin(o->ctx, what, total, per_item);
    }
}

void apo_observe_tick(const apo_observer *o, const char *item, uint64_t events, double seconds,
                      bool failed)
{
    if (o != NULL && o->tick != NULL) {
        o->tick(o->ctx, item, events, seconds, failed);
    }
}

void apo_observe_end(const apo_observer *o)
{
    if (o != NULL && o->end != NULL) {
        o->end(o->ctx);
    }
}

void apo_observe_status(const apo_observer *o, const char *msg)
{
    if (o != NULL && o->status != NULL) {
        o->status(o->ctx, msg);
    }
}

void apo_observe_note(const apo_observer *o, apo_note_kind kind, const char *fmt, ...)
{
    if (o == NULL || o->note == NULL) {
        return;
    }
    char msg[2 * APO_ERROR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o->note(o->ctx, kind, msg);
}

void apo_observe_error(const apo_observer *o, const apo_error *err)
{
    if (o != NULL && o->note != NULL) {
        o->note(o->ctx, APO_NOTE_ERROR, err->msg[0] ? err->msg : apo_status_name(err->status));
    }
}

typedef struct observed_pool {
    const apo_observer *o;
    apo_pool_task task;
    void *ctx;
    const char *(*item)(void *ctx, size_t i);
    uint64_t (*events)(void *ctx, size_t i);
} observed_pool;

static void observed_task(void *ctx, size_t i)
{
    observed_pool *p = ctx;
    p->task(p->ctx, i);
}

static void observed_done(void *ctx, size_t i)
{
    observed_pool *p = ctx;
    apo_observe_tick(p->o, p->item ? p->item(p->ctx, i) : "", p->events ? p->events(p->ctx, i) : 0,
                     0.0, false);
}

void apo_observe_pool(const apo_observer *o, const char *what, size_t n, unsigned jobs,
                      apo_pool_task task, void *ctx, const char *(*item)(void *ctx, size_t i),
                      uint64_t (*events)(void *ctx, size_t i))
{
    observed_pool p = {o, task, ctx, item, events};
    apo_observe_begin(o, what, n, false);
    apo_pool_run(n, jobs, observed_task, observed_done, &p);
    apo_observe_end(o);
}

static int status_rank(apo_status s)
{
    switch (apo_status_exit_code(s)) {
    case 0:
        return 0;
    case 65:
        return 2;
    case 66:
        return 3;
    case 64:
        return 5;
    default:
        return 4;
    }
}

apo_status apo_status_worse(apo_status a, apo_status b)
{
    return status_rank(b) > status_rank(a) ? b : a;
}

double apo_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
