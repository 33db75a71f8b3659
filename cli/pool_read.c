/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pool_read.c: parallel reading of a batch's FCS files, shard slices and the batch option
 * parsers (pool_read.h). Each task fills only its own slot: results do not depend on the
 * number of threads.
 */
#include "cli/pool_read.h"

#include "cli/cli.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void read_task(void *ctx, size_t i)
{
    cli_prefetch *pf = ctx;
    cli_prefetch_item *it = &pf->items[i];
    if (!it->wanted) {
        return;
    }
    double t0 = cli_now();
    it->st = fcs_file_open(&it->f, pf->paths[i], &pf->read, &it->err);
    if (it->st == APO_OK) {
        it->n_events = fcs_dataset_n_events(fcs_file_dataset(it->f, 0));
    }
    it->seconds = cli_now() - t0;
}

static void read_done(void *ctx, size_t i)
{
    cli_prefetch *pf = ctx;
    cli_prefetch_item *it = &pf->items[i];
    if (!it->wanted) {
        return;
    }
    pf->events += it->n_events;
    if (pf->progress != NULL) {
        cli_progress_tick(pf->progress, pf->paths[i], it->n_events, it->seconds,
                          it->st != APO_OK);
    }
}

bool cli_prefetch_run(cli_prefetch *pf, char *const *paths, const bool *wanted, size_t n,
                      unsigned jobs, const fcs_read_options *read, cli_progress *progress)
{
    *pf = (cli_prefetch){.n = n, .paths = paths, .progress = progress};
    pf->read = (fcs_read_options)FCS_READ_OPTIONS_INIT;
    if (read != NULL) {
        pf->read = *read;
    }
    pf->items = calloc(n ? n : 1, sizeof *pf->items);
    if (pf->items == NULL) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        pf->items[i].wanted = wanted == NULL || wanted[i];
    }
    apo_pool_run(n, jobs, read_task, read_done, pf);
    return true;
}

apo_status cli_prefetch_take(cli_prefetch *pf, size_t i, fcs_file **f, apo_error *err)
{
    cli_prefetch_item *it = &pf->items[i];
    if (!it->wanted || it->taken) { /* not read (or taken twice): read it now */
        it->wanted = true;
        it->taken = false;
        it->f = NULL;
        read_task(pf, i);
    }
    it->taken = true;
    *f = it->f;
    it->f = NULL;
    if (it->st != APO_OK && err != NULL) {
        *err = it->err;
    }
    return it->st;
}

void cli_prefetch_free(cli_prefetch *pf)
{
    for (size_t i = 0; pf->items != NULL && i < pf->n; i++) {
        fcs_file_free(pf->items[i].f);
    }
    free(pf->items);
    pf->items = NULL;
    pf->n = 0;
}

size_t cli_shard_slice(char **v, size_t n, const bool *keep, unsigned i, unsigned n_shards)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        m += keep == NULL || keep[k];
    }
    size_t lo = (size_t)((unsigned long long)(i - 1) * m / n_shards);
    size_t hi = (size_t)((unsigned long long)i * m / n_shards);
    size_t out = 0, rank = 0;
    for (size_t k = 0; k < n; k++) {
        bool kept = keep == NULL || keep[k];
        if (kept && rank >= lo && rank < hi) {
            v[out++] = v[k];
        } else {
            free(v[k]);
        }
        rank += kept;
    }
    return out;
}

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
