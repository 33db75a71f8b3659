/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pool.c: the batch thread pool (pool.h): workers take the next task index under a mutex,
 * run it, and report it finished; the calling thread is one of the workers.
 */
#include "util/util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct pool_state {
    pthread_mutex_t lock;
    size_t next, n;
    apo_pool_task task;
    apo_pool_done done;
    void *ctx;
} pool_state;

unsigned apo_pool_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

static void *worker(void *arg)
{
    pool_state *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->n) {
            return NULL;
        }
        p->task(p->ctx, i);
        if (p->done != NULL) {
            pthread_mutex_lock(&p->lock);
            p->done(p->ctx, i);
            pthread_mutex_unlock(&p->lock);
        }
    }
}

void apo_pool_run(size_t n, unsigned jobs, apo_pool_task task, apo_pool_done done, void *ctx)
{
    pool_state p = {.next = 0, .n = n, .task = task, .done = done, .ctx = ctx};
    if (pthread_mutex_init(&p.lock, NULL) != 0) {
        for (size_t i = 0; i < n; i++) {
            task(ctx, i);
            if (done != NULL) {
                done(ctx, i);
            }
        }
        return;
    }
    if (jobs == 0) {
        jobs = apo_pool_cores();
    }
    if ((size_t)jobs > n) {
        jobs = n ? (unsigned)n : 1u;
    }
    pthread_t *tid = jobs > 1 ? calloc(jobs - 1, sizeof *tid) : NULL;
    unsigned started = 0;
    for (unsigned t = 0; tid != NULL && t + 1 < jobs; t++) {
        if (pthread_create(&tid[t], NULL, worker, &p) != 0) {
            break;
        }
        started++;
    }
    worker(&p);
    for (unsigned t = 0; t < started; t++) {
        pthread_join(tid[t], NULL);
    }
    free(tid);
    pthread_mutex_destroy(&p.lock);
}
