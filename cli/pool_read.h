/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pool_read.h: the batch option parsers of `apoflow run` and `apoflow merge`: --jobs N and
 * --shard I/N (opening files in parallel and shard slices are in assay/experiment.h).
 */
#ifndef APOFLOW_CLI_POOL_READ_H
#define APOFLOW_CLI_POOL_READ_H

#include <stdbool.h>
#include <stddef.h>

/* "--jobs N" (1..1024, or 0 = all cores) and "--shard I/N" (1 <= I <= N <= 100000);
 * print the error and return false on a bad value. */
bool cli_parse_jobs(const char *arg, unsigned *out);
bool cli_parse_shard(const char *arg, unsigned *i, unsigned *n);

#endif /* APOFLOW_CLI_POOL_READ_H */
