/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pool.h: a small thread pool for batch work: run task(ctx, i) for i in [0, n) on up to
 * @p jobs POSIX threads. Tasks write only their own result slot, so the outcome does not
 * depend on the number of threads; an optional callback reports each finished task (called
 * under the pool's lock, one at a time, for progress output).
 */
#ifndef APOFLOW_CLI_POOL_H
#define APOFLOW_CLI_POOL_H

#include <stddef.h>

typedef void (*cli_pool_task)(void *ctx, size_t i);
typedef void (*cli_pool_done)(void *ctx, size_t i);

/* Number of online processors (at least 1). */
unsigned cli_pool_cores(void);

/* Run the tasks; @p jobs 0 = cli_pool_cores(). Falls back to the calling thread alone when
 * threads cannot be created. @p done may be NULL. */
void cli_pool_run(size_t n, unsigned jobs, cli_pool_task task, cli_pool_done done, void *ctx);

#endif /* APOFLOW_CLI_POOL_H */
