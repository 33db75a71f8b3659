/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pool_read.c: the batch option parsers --jobs and --shard (pool_read.h).
 */
#include "cli/pool_read.h"

#include "cli/cli.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

bool cli_parse_jobs(const char *arg, unsigned *out)
{
    uint64_t v;
    if (!apo_parse_u64(arg, strlen(arg), &v) || v > 1024) {
        cli_errorf("--jobs: expected a number of threads 0..1024 (0 = all cores), found \"%s\"",
                   arg);
        return false;
    }
    *out = (unsigned)v;
    return true;
}

bool cli_parse_shard(const char *arg, unsigned *i, unsigned *n)
{
    const char *slash = strchr(arg, '/');
    uint64_t a, b;
    if (slash == NULL || !apo_parse_u64(arg, (size_t)(slash - arg), &a) ||
        !apo_parse_u64(slash + 1, strlen(slash + 1), &b) || a < 1 || b < 1 || a > b ||
        b > 100000) {
        cli_errorf("--shard: expected I/N with 1 <= I <= N (e.g. 2/8), found \"%s\"", arg);
        return false;
    }
    *i = (unsigned)a;
    *n = (unsigned)b;
    return true;
}
