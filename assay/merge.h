/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * merge.h: combining the output folders of sharded runs (`apoflow run --shard I/N --gating
 * G`) into the outputs one run over all files with --gating G writes (docs/scaling.md):
 * samples.csv and stats.csv rows in input path order, the comparisons and dose-response fits
 * recomputed over all samples, results.json, and each sample's plot copied. The shards must
 * fit together: the same table columns, and the same thresholds, compensation, channels,
 * pre-gates and scales in results.json. Nothing here prints.
 */
#ifndef APOFLOW_ASSAY_MERGE_H
#define APOFLOW_ASSAY_MERGE_H

#include "assay/assay.h"
#include "util/csv.h"
#include "util/observer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One shard folder as read: its tables and results.json. */
typedef struct assay_shard {
    const char *dir;
    char *samples, *stats, *json; /* the files' text */
    size_t samples_len, stats_len, json_len;
    apo_csv_rec *srec, *trec;     /* records of samples.csv and stats.csv (header first) */
    size_t ns, nt;
    apo_jspan doc;                /* results.json */
} assay_shard;

/* One merged sample: its samples.csv row, where it came from, its text fields. */
typedef struct assay_merged_sample {
    apo_csv_rec row;
    size_t shard;
    apo_jspan json; /* its object in the shard's results.json (p NULL: none) */
    char sample[256], file[4096];
    char role[256], treatment[256], dose[256], dose_unit[256], well[64];
} assay_merged_sample;

/* A failed file of a shard: its object in results.json and its fields. */
typedef struct assay_merged_failure {
    apo_jspan obj;
    char file[4096];
    char error[512];
} assay_merged_failure;

typedef struct assay_merge {
    size_t n_shards;
    assay_shard *shards;
    size_t n;                    /* merged samples, sorted by file path */
    assay_merged_sample *samples;
    assay_input *in;             /* from the rows; strings point into samples[i] */
    assay_result res;            /* samples from the rows (counts, %, QC, error), comparisons
                                    and fits recomputed, warnings merged, channels, scales,
                                    thresholds from shard 1's results.json */
    size_t n_failed;
    assay_merged_failure *failed; /* the shards' failed files, sorted by path */
    const char **failed_files, **failed_msgs; /* their file and error fields */
} assay_merge;

/* Read the shard folders @p dirs, check that they fit together, merge their samples and
 * recompute the comparisons. @return APO_OK; APO_E_IO when a shard's file is missing;
 * APO_E_FORMAT when shards are unreadable or do not fit together (message says which);
 * APO_E_NOMEM. */
APO_NODISCARD apo_status assay_merge_read(assay_merge *m, size_t n_dirs,
                                          const char *const *dirs, apo_error *err);

/* Write samples.csv, stats.csv, comparisons.csv and results.json into @p outdir (which
 * must exist), atomically. */
APO_NODISCARD apo_status assay_merge_write(const assay_merge *m, const char *outdir,
                                           apo_error *err);

/* Copy each sample's plots/<sample>.png (and its event rate over Time, <sample>.time.png and
 * .svg) from its shard into OUTDIR/plots/ (created when
 * the first is found); *copied tells whether any was. Failures are reported to @p obs and
 * the others still copied; returns the worst status. */
APO_NODISCARD apo_status assay_merge_copy_plots(const assay_merge *m, const char *outdir,
                                                bool *copied, const apo_observer *obs);

void assay_merge_free(assay_merge *m);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_ASSAY_MERGE_H */
