/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pool.c: the batch thread pool (apo_pool_*, util.h): workers take the next task index under a
 * mutex, run it, and report it finished; the calling thread is one of the workers.
 */
#define _GNU_SOURCE 1 /* sched_getaffinity, CPU_COUNT */

#include "util/util.h"

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct pool_state {
    pthread_mutex_t lock;
    size_t next, n;
    apo_pool_task task;
    apo_pool_done done;
    void *ctx;
} pool_state;

/* The CPU quota of the cgroup (v2) this process runs in, rounded up to whole CPUs: "max" or
 * no cgroup file gives 0 (no limit). A cluster scheduler (Slurm, Kubernetes) sets it. */
static unsigned cgroup_cpu_quota(void)
{
    FILE *f = fopen("/sys/fs/cgroup/cpu.max", "r");
    if (f == NULL) {
        return 0;
    }
    char quota[32] = "";
    unsigned long long period = 0;
    int got = fscanf(f, "%31s %llu", quota, &period);
    fclose(f);
    char *end = NULL;
    unsigned long long q = strtoull(quota, &end, 10);
    if (got != 2 || end == quota || *end != '\0' || period == 0 || q == 0) {
        return 0;
    }
    unsigned long long cpus = (q + period - 1) / period;
    return cpus > 256 ? 256u : (unsigned)cpus;
}

unsigned apo_pool_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
        n = CPU_COUNT(&set); /* the CPUs this process may run on (taskset, cpusets) */
    }
#endif
    unsigned quota = cgroup_cpu_quota();
    if (quota > 0 && (long)quota < n) {
        n = (long)quota;
    }
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
