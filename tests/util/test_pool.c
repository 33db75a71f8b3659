/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_pool.c: the thread pool runs every task exactly once for any job count, and `-j 0`
 * (apo_pool_cores) counts the CPUs this process may use, not the machine's.
 */
#define _GNU_SOURCE 1

#include "util/util.h"

#include <criterion/criterion.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

static void count_task(void *ctx, size_t i)
{
    unsigned *hits = ctx;
    __atomic_fetch_add(&hits[i], 1u, __ATOMIC_RELAXED);
}

Test(apo_pool, every_task_once)
{
    for (unsigned jobs = 0; jobs <= 5; jobs++) {
        unsigned hits[100] = {0};
        apo_pool_run(100, jobs, count_task, NULL, hits);
        for (size_t i = 0; i < 100; i++) {
            cr_assert_eq(hits[i], 1u, "jobs %u task %zu ran %u times", jobs, i, hits[i]);
        }
    }
}

Test(apo_pool, cores_follow_the_affinity_set)
{
    cpu_set_t set;
    cr_assert_eq(sched_getaffinity(0, sizeof set, &set), 0);
    cr_assert_leq(apo_pool_cores(), (unsigned)CPU_COUNT(&set));
    int first = -1;
    for (int c = 0; c < CPU_SETSIZE && first < 0; c++) {
        if (CPU_ISSET(c, &set)) {
            first = c;
        }
    }
    /* In a child restricted to one CPU (as `taskset -c N` or a cluster's cpuset does). */
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0) {
            _exit(2);
        }
        _exit(apo_pool_cores() == 1 ? 0 : 1);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
}
