/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * observer.h: how a library tells its caller what is happening without printing: progress
 * of a batch step (begin, one tick per finished item, end), a one-line status, and notes,
 * warnings and non-fatal errors as they occur. Only cli/ prints; it implements these
 * callbacks. Every callback may be NULL, and so may the observer itself.
 */
#ifndef APOFLOW_UTIL_OBSERVER_H
#define APOFLOW_UTIL_OBSERVER_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum apo_note_kind {
    APO_NOTE_INFO = 0, /* something the user may want to know (a file skipped, ...) */
    APO_NOTE_WARNING,  /* a result may be affected */
    APO_NOTE_ERROR     /* one item failed; the batch goes on */
} apo_note_kind;

typedef struct apo_observer {
    void *ctx;
    /* A batch step of @p total items starts; @p per_item: worth a line per item in a verbose
     * log (files read), not only a bar. */
    void (*begin)(void *ctx, const char *what, size_t total, bool per_item);
    /* One item finished (called one at a time, in completion order). */
    void (*tick)(void *ctx, const char *item, uint64_t events, double seconds, bool failed);
    void (*end)(void *ctx);
    /* A status line ("gating 96 samples ..."); NULL clears it. */
    void (*status)(void *ctx, const char *msg);
    /* A note, warning or error message (without the program name). */
    void (*note)(void *ctx, apo_note_kind kind, const char *msg);
} apo_observer;

/* Null-safe calls of the callbacks. */
void apo_observe_begin(const apo_observer *o, const char *what, size_t total, bool per_item);
void apo_observe_tick(const apo_observer *o, const char *item, uint64_t events, double seconds,
                      bool failed);
void apo_observe_end(const apo_observer *o);
void apo_observe_status(const apo_observer *o, const char *msg);
void apo_observe_note(const apo_observer *o, apo_note_kind kind, const char *fmt, ...)
    APO_PRINTF(3, 4);
/* An error's message as an APO_NOTE_ERROR (its status name when it has no message). */
void apo_observe_error(const apo_observer *o, const apo_error *err);

/* Run task(ctx, i) for i in [0, n) on @p jobs threads (apo_pool_run) as one observed step
 * named @p what, ticking item(ctx, i) with events(ctx, i) (either may be NULL). */
void apo_observe_pool(const apo_observer *o, const char *what, size_t n, unsigned jobs,
                      apo_pool_task task, void *ctx, const char *(*item)(void *ctx, size_t i),
                      uint64_t (*events)(void *ctx, size_t i));

/* The status whose exit code weighs more (apo_status_exit_code): a usage error outranks an
 * output error, which outranks a missing input, which outranks bad data, which outranks OK. */
apo_status apo_status_worse(apo_status a, apo_status b);

/* Seconds on a monotonic clock. */
double apo_now(void);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_UTIL_OBSERVER_H */
