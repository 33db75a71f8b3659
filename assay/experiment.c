/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * experiment.c: the steps of a whole experiment before and around the analysis
 * (experiment.h): the candidate files (given, or the sheet's), the shard or controls-only
 * selection, matching files to sheet rows with unique sample names, and the analysis with
 * its per-sample steps on the thread pool. Opening the files in parallel is in
 * experiment_open.c; the outputs in experiment_write.c.
 */
#include "assay/experiment.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void assay_experiment_init(assay_experiment *x, const assay_sheet *sheet)
{
    memset(x, 0, sizeof *x);
    x->sheet = sheet;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        free(v[i]);
    }
    free(v);
}

void assay_experiment_free(assay_experiment *x)
{
    if (x->analysed) {
        assay_result_free(&x->res);
    }
    for (size_t i = 0; x->fcs != NULL && i < x->n; i++) {
        if (i == 0 || x->fcs[i] != x->fcs[i - 1]) { /* a file's data sets are adjacent */
            fcs_file_free(x->fcs[i]);
        }
    }
    free(x->fcs);
    free_strings(x->names, x->n);
    free(x->in);
    free_strings(x->paths, x->n_paths);
    free_strings(x->failed_files, x->n_failed);
    free_strings(x->failed_msgs, x->n_failed);
    free(x->input_sha256);
    memset(x, 0, sizeof *x);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static apo_status nomem(apo_error *err)
{
    return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
}

apo_status assay_experiment_set_files(assay_experiment *x, char **paths, size_t n,
                                      apo_error *err)
{
    char **v = realloc(x->paths, (x->n_paths + n + 1) * sizeof *v);
    if (v == NULL) {
        free_strings(paths, n);
        return nomem(err);
    }
    if (n > 0) {
        memcpy(v + x->n_paths, paths, n * sizeof *v); /* paths may be NULL when n = 0 */
    }
    free(paths);
    x->paths = v;
    x->n_paths += n;
    qsort(x->paths, x->n_paths, sizeof *x->paths, cmp_str);
    return APO_OK;
}

apo_status assay_experiment_sheet_files(assay_experiment *x, apo_error *err)
{
    const assay_sheet *s = x->sheet;
    size_t n = s != NULL ? s->n_rows : 0;
    char **v = calloc(n + 1, sizeof *v);
    if (v == NULL) {
        return nomem(err);
    }
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        const char *f = s->rows[i].file;
        if (f[0] == '/') {
            snprintf(path, sizeof path, "%s", f);
        } else {
            snprintf(path, sizeof path, "%s/%s", s->dir, f);
        }
        v[i] = strdup(path);
        if (v[i] == NULL) {
            free_strings(v, i);
            return nomem(err);
        }
    }
    return assay_experiment_set_files(x, v, n, err);
}

size_t assay_shard_slice(char **v, size_t n, const bool *keep, unsigned i, unsigned n_shards)
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

static bool is_control(assay_role r)
{
    return r == ASSAY_ROLE_UNSTAINED || r == ASSAY_ROLE_ANNEXIN_SINGLE || r == ASSAY_ROLE_PI_SINGLE;
}

apo_status assay_experiment_select(assay_experiment *x, bool controls_only, unsigned shard_i,
                                   unsigned shard_n, apo_error *err)
{
    x->shard_i = shard_i;
    x->shard_n = shard_n;
    if (shard_n == 0 && !controls_only) {
        return APO_OK;
    }
    bool *keep = calloc(x->n_paths ? x->n_paths : 1, sizeof *keep);
    if (keep == NULL) {
        return nomem(err);
    }
    for (size_t k = 0; k < x->n_paths; k++) {
        const assay_sheet_row *row = x->sheet ? assay_sheet_find(x->sheet, x->paths[k]) : NULL;
        keep[k] = (x->sheet == NULL || row != NULL) &&
                  (!controls_only || (row != NULL && is_control(row->role)));
    }
    x->n_paths = assay_shard_slice(x->paths, x->n_paths, keep, shard_n ? shard_i : 1,
                                   shard_n ? shard_n : 1);
    free(keep);
    return APO_OK;
}

/* ---- the analysis ------------------------------------------------------------------------ */

/* assay_options.parallel on the thread pool, one observed step per call. */
typedef struct pool_ctx {
    unsigned jobs;
    const apo_observer *obs;
    const assay_input *in;
} pool_ctx;

typedef struct pool_call {
    void (*fn)(void *job, size_t i);
    void *job;
    const assay_input *in; /* the items' samples, or NULL when the items are not samples */
} pool_call;

static void call_task(void *ctx, size_t i)
{
    pool_call *c = ctx;
    c->fn(c->job, i);
}

static const char *call_item(void *ctx, size_t i)
{
    const pool_call *c = ctx;
    return c->in != NULL ? c->in[i].sample : NULL;
}

static uint64_t call_events(void *ctx, size_t i)
{
    const pool_call *c = ctx;
    return c->in != NULL ? fcs_dataset_n_events(c->in[i].ds) : 0;
}

static void pool_parallel(void *pctx, const char *what, size_t n, bool samples,
                          void (*fn)(void *job, size_t i), void *job)
{
    const pool_ctx *p = pctx;
    pool_call c = {fn, job, samples ? p->in : NULL};
    apo_observe_pool(p->obs, what, n, p->jobs, call_task, &c, call_item, call_events);
}

apo_status assay_experiment_analyze(assay_experiment *x, assay_options *opt, unsigned jobs,
                                    const apo_observer *obs, apo_error *err)
{
    char msg[96];
    snprintf(msg, sizeof msg, "gating %zu samples ...", x->n);
    apo_observe_status(obs, msg);
    pool_ctx par = {jobs, obs, x->in};
    opt->parallel = pool_parallel;
    opt->parallel_ctx = &par;
    opt->block_threads = jobs ? jobs : apo_pool_cores(); /* a large file over every thread */
    apo_status st = assay_analyze(x->in, x->n, opt, &x->res, err);
    opt->parallel = NULL;
    opt->parallel_ctx = NULL;
    apo_observe_status(obs, NULL);
    x->analysed = st == APO_OK;
    return st;
}
