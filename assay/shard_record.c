/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * shard_record.c: the checksums a shard records about itself in results.json ("shard":
 * docs/outputs.md, docs/scaling.md), so that apoflow merge can tell shards of one sharded run
 * from shards of different sheets, gatings or overlapping inputs: the SHA-256 (FIPS 180-4) of
 * the sheet, of the gating file it applied and of every input file, computed on the caller's
 * thread count.
 */
#include "assay/experiment.h"

#include <stdlib.h>
#include <string.h>

typedef struct hash_job {
    const assay_experiment *x;
    const char (*known)[65]; /* NULL, or the samples' checksums computed before ("" = not) */
    char (*hex)[65];
} hash_job;

static const char *input_path(const assay_experiment *x, size_t i)
{
    return i < x->n ? x->in[i].file : x->failed_files[i - x->n];
}

/* The data sets of one file are adjacent samples: hash the file once, for its first. */
static bool same_as_previous(const assay_experiment *x, size_t i)
{
    return i > 0 && i < x->n && strcmp(x->in[i].file, x->in[i - 1].file) == 0;
}

static void hash_task(void *ctx, size_t i)
{
    hash_job *j = ctx;
    if (j->known != NULL && i < j->x->n && j->known[i][0] != '\0') {
        memcpy(j->hex[i], j->known[i], sizeof j->hex[i]);
        j->hex[i][sizeof j->hex[i] - 1] = '\0';
    } else if (!same_as_previous(j->x, i) &&
               apo_sha256_file(input_path(j->x, i), j->hex[i]) != 0) {
        j->hex[i][0] = '\0';
    }
}

static const char *hash_item(void *ctx, size_t i)
{
    return input_path(((hash_job *)ctx)->x, i);
}

/* The SHA-256 of @p path into @p hex ("" for no file). */
static apo_status hash_named(const char *path, const char *what, char hex[65], apo_error *err)
{
    hex[0] = '\0';
    if (path != NULL && apo_sha256_file(path, hex) != 0) {
        hex[0] = '\0';
        return apo_error_set(err, APO_E_IO, path, APO_NO_OFFSET, NULL,
                             "cannot read the %s again to record its checksum", what);
    }
    return APO_OK;
}

apo_status assay_experiment_record_inputs(assay_experiment *x, const char *sheet_file,
                                          const char *gating_file, const char (*known)[65],
                                          unsigned jobs,
                                          const apo_observer *obs, apo_error *err)
{
    x->sheet_file = sheet_file;
    x->gating_file = gating_file;
    apo_status st = hash_named(sheet_file, "sample sheet", x->sheet_sha256, err);
    if (st == APO_OK) {
        st = hash_named(gating_file, "gating file", x->gating_sha256, err);
    }
    if (st != APO_OK) {
        return st;
    }
    size_t n = x->n + x->n_failed;
    free(x->input_sha256);
    x->input_sha256 = calloc(n + 1, sizeof *x->input_sha256);
    if (x->input_sha256 == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    hash_job j = {x, known, x->input_sha256};
    apo_observe_pool(obs, "checksums", n, jobs, hash_task, &j, hash_item, NULL);
    for (size_t i = 1; i < x->n; i++) {
        if (same_as_previous(x, i)) {
            memcpy(x->input_sha256[i], x->input_sha256[i - 1], sizeof x->input_sha256[i]);
        }
    }
    return APO_OK;
}
