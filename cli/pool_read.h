/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pool_read.h: batch helpers of `apoflow run`: open many FCS files in parallel (HEADER, TEXT
 * and the layout checks; events are decoded later, block by block, by the analysis), deterministic shard
 * slices (--shard I/N), and the --jobs / --shard option parsers.
 */
#ifndef APOFLOW_CLI_POOL_READ_H
#define APOFLOW_CLI_POOL_READ_H

#include "cli/progress.h"
#include "fcs/fcs.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_prefetch_item {
    fcs_file *f;
    uint64_t n_events; /* of the first data set */
    apo_status st;
    apo_error err;
    bool wanted;
    bool taken;
    double seconds; /* time to read and decode */
} cli_prefetch_item;

typedef struct cli_prefetch {
    size_t n;
    cli_prefetch_item *items;
    char *const *paths;
    cli_progress *progress;
    uint64_t events;
    fcs_read_options read;
} cli_prefetch;

/* Open paths[i] for every i with wanted[i] (wanted NULL = all) with reader options @p read
 * (NULL = defaults) on @p jobs threads (0 = all cores), reporting to @p progress (may be
 * NULL). False only when out of memory. */
bool cli_prefetch_run(cli_prefetch *pf, char *const *paths, const bool *wanted, size_t n,
                      unsigned jobs, const fcs_read_options *read, cli_progress *progress);
/* Move file i's result out (what fcs_file_open would give). */
apo_status cli_prefetch_take(cli_prefetch *pf, size_t i, fcs_file **f, apo_error *err);
/* Free what was not taken. */
void cli_prefetch_free(cli_prefetch *pf);

/* Keep only shard @p i (1-based) of @p n_shards of the @p n strings in @p v among those
 * with keep[k] (keep NULL = all): the contiguous slice [(i-1) m / N, i m / N) of the m kept
 * ones, in order. Dropped strings are freed; returns the new count. */
size_t cli_shard_slice(char **v, size_t n, const bool *keep, unsigned i, unsigned n_shards);

/* "--jobs N" (1..1024, or 0 = all cores) and "--shard I/N" (1 <= I <= N <= 100000);
 * print the error and return false on a bad value. */
bool cli_parse_jobs(const char *arg, unsigned *out);
bool cli_parse_shard(const char *arg, unsigned *i, unsigned *n);

#endif /* APOFLOW_CLI_POOL_READ_H */
