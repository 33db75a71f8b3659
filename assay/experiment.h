/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * experiment.h: a whole Annexin V / PI experiment as a library call sequence, for the CLI or
 * any other program:
 *
 *     assay_experiment x;
 *     assay_experiment_init(&x, &sheet);                     // sheet may be NULL
 *     assay_experiment_set_files(&x, paths, n, &err);        // or assay_experiment_sheet_files
 *     assay_experiment_open(&x, &read, jobs, &obs, &err);     // match to the sheet, open
 *     assay_experiment_analyze(&x, &opts, jobs, &obs, &err);  // assay_analyze
 *     assay_experiment_write(&x, &out, &err);                 // tables, gating.xml, results.json
 *     assay_experiment_free(&x);
 *
 * Files that cannot be read and sheet rows without a file are reported through the observer
 * and counted; the rest is still analysed. Nothing here prints.
 */
#ifndef APOFLOW_ASSAY_EXPERIMENT_H
#define APOFLOW_ASSAY_EXPERIMENT_H

#include "assay/adjust.h"
#include "assay/assay.h"
#include "util/observer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct assay_experiment {
    const assay_sheet *sheet; /* borrowed; NULL = no sheet (sample names from file names) */
    size_t n_paths;
    char **paths;             /* candidate files, sorted by path (owned) */
    /* after assay_experiment_open: the samples read, in path order */
    size_t n;
    assay_input *in;
    fcs_file **fcs;           /* in[i].ds is a data set of fcs[i]; the data sets of one file
                                 are adjacent samples sharing its fcs_file */
    char **names;             /* in[i].sample (owned) */
    size_t n_failed;          /* files that could not be read: */
    char **failed_files, **failed_msgs;
    apo_status failed_status; /* APO_E_NOMEM when one failed for lack of memory, else
                                 APO_E_FORMAT (APO_OK when none failed) */
    size_t n_skipped;         /* files not in the sheet */
    size_t n_missing;         /* sheet rows whose file is not among the paths */
    unsigned shard_i, shard_n; /* the shard selected (assay_experiment_select; n 0: none) */
    /* what a shard records about itself (assay_experiment_record_inputs): the sheet and
     * --gating files and their SHA-256, each sample's file's then each failed file's SHA-256
     * ("" unreadable) */
    const char *sheet_file, *gating_file; /* borrowed; NULL: none recorded */
    char sheet_sha256[65], gating_sha256[65];
    char (*input_sha256)[65]; /* n + n_failed entries (owned); NULL: not recorded */
    bool one_panel;           /* set before open: refuse samples whose channels differ (a
                                 guessed design; with a written sheet such a sample fails
                                 alone in the analysis) */
    bool sheet_guessed;       /* set before open: the sheet is a guess with a row per data
                                 set; a file holding one acquisition in several FCS versions
                                 (fcs_file_one_acquisition) then gives one sample, its newest
                                 copy, while that copy's row is left (FILE#N and --dataset N
                                 picks leave only theirs) */
    /* after assay_experiment_analyze */
    bool analysed;
    assay_result res;
    assay_adjustments adjustments; /* the record of a --gating file exported by a report */
} assay_experiment;

/* Where and what assay_experiment_write writes. */
typedef struct assay_experiment_output {
    const char *outdir;       /* samples.csv, comparisons.csv, stats.csv, gating.xml,
                                 results.json */
    const char *write_gating; /* also save the gating here (NULL = no) */
    const char *sheet_label;  /* results.json "sheet" (the sheet as named; NULL = "") */
    const char *version;      /* results.json "versions"."apoflow" */
    bool gating_optional;     /* a gating Gating-ML cannot hold (e.g. FlowJo's biex scales, from
                                 a workspace) leaves gating.xml and write_gating out instead of
                                 failing; the caller tells the user (the files are absent) */
} assay_experiment_output;

void assay_experiment_init(assay_experiment *x, const assay_sheet *sheet);
void assay_experiment_free(assay_experiment *x);

/* Take the candidate files (@p paths and its strings become owned) and sort them. */
APO_NODISCARD apo_status assay_experiment_set_files(assay_experiment *x, char **paths,
                                                    size_t n, apo_error *err);
/* Add the sheet's files (relative ones against the sheet's folder) to the candidates. */
APO_NODISCARD apo_status assay_experiment_sheet_files(assay_experiment *x, apo_error *err);

/* Keep only the candidates of shard @p shard_i of @p shard_n (shard_n 0 = all) among the
 * sheet's files, or only its unstained and single-stain controls with @p controls_only
 * (both need the sheet, for the roles; without one every file is a candidate). */
APO_NODISCARD apo_status assay_experiment_select(assay_experiment *x, bool controls_only,
                                                 unsigned shard_i, unsigned shard_n,
                                                 apo_error *err);

/* Open the candidates in the sheet (all of them without a sheet) on @p jobs threads
 * (HEADER, TEXT and layout; events are decoded later block by block), match them to sheet
 * rows (a file given twice counts once) and give samples unique names. Reports files not in
 * the sheet and extra data sets (notes), unreadable files and, with @p check_missing, sheet
 * rows without a file (errors). Fails when out of memory, and with x->one_panel
 * (APO_E_FORMAT, naming both channel sets) when the samples do not share one instrument's
 * channels. */
APO_NODISCARD apo_status assay_experiment_open(assay_experiment *x, const fcs_read_options *read,
                                               unsigned jobs, bool check_missing,
                                               const apo_observer *obs, apo_error *err);

/* assay_analyze of the opened samples, its per-sample steps on @p jobs threads. */
APO_NODISCARD apo_status assay_experiment_analyze(assay_experiment *x, assay_options *opt,
                                                  unsigned jobs, const apo_observer *obs,
                                                  apo_error *err);

/* For a shard (results.json "shard", docs/outputs.md), after open: the SHA-256 of its sheet
 * @p sheet_file and of the gating file @p gating_file it applies (either NULL: none) and of
 * every input file (the samples' files, the failed files), on @p jobs threads as an observed
 * step. @p known (may be NULL): checksums of the samples' files (x->n, in sample order)
 * already computed, used where not "" (a file is hashed once per run). An unreadable input is
 * recorded without a checksum; an unreadable sheet or gating file is an error (APO_E_IO). */
APO_NODISCARD apo_status assay_experiment_record_inputs(assay_experiment *x,
                                                       const char *sheet_file,
                                                       const char *gating_file,
                                                       const char (*known)[65], unsigned jobs,
                                                       const apo_observer *obs, apo_error *err);

/* Write the tables, gating.xml (and out->write_gating) and results.json atomically. */
APO_NODISCARD apo_status assay_experiment_write(const assay_experiment *x,
                                                const assay_experiment_output *out,
                                                apo_error *err);

/* Write results.json of an analysed experiment (docs/outputs.md) atomically. */
APO_NODISCARD apo_status assay_results_json_write(const assay_experiment *x, const char *path,
                                                  const char *sheet_label, const char *version,
                                                  apo_error *err);

/*
 * The sample sheet of a run without one: each data set of @p paths guessed as `apoflow sheet`
 * drafts it (names, roles, treatments, doses, replicates; files that cannot be read get a row
 * from their name). *guesses (n_guesses, may be NULL) receives the guesses with their evidence,
 * in sheet row order (caller frees).
 */
APO_NODISCARD apo_status assay_sheet_guess_files(assay_sheet *out, char *const *paths, size_t n,
                                                 const fcs_read_options *read,
                                                 assay_sheet_guess **guesses,
                                                 size_t *n_guesses, apo_error *err);

/* A sheet that gives no roles (every role empty): each row's role, and its treatment and dose
 * where the sheet leaves them empty, guessed from its file as assay_sheet_guess_files does
 * (*filled true then; the sheet is unchanged when any row has a role). */
APO_NODISCARD apo_status assay_sheet_fill_roles(assay_sheet *sh, const fcs_read_options *read,
                                                bool *filled, apo_error *err);

/* The sample names of the data sets of a file with several data sets: the first of the TUBE
 * NAME, SAMPLE ID, GTI$SAMPLEID (Guava), $SMNO, $FIL keywords that names every data set
 * differently; else for each data set the first of them whose value is its own, else
 * "<file stem>#<k+1>". A new array of fcs_file_n_datasets(f) new strings (NULL when out of
 * memory); O(n log n) in the data sets. */
char **assay_dataset_names(const fcs_file *f, const char *path);
/* The name assay_dataset_names gives data set @p k (0-based); a new string (NULL when out of
 * memory). Each call costs as much as assay_dataset_names: use that in loops. */
char *assay_dataset_name(const fcs_file *f, size_t k, const char *path);

/* Keep only shard @p i (1-based) of @p n_shards of the @p n strings in @p v among those
 * with keep[k] (keep NULL = all): the contiguous slice [(i-1) m / N, i m / N) of the m kept
 * ones, in order. Dropped strings are freed; returns the new count. */
size_t assay_shard_slice(char **v, size_t n, const bool *keep, unsigned i, unsigned n_shards);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_ASSAY_EXPERIMENT_H */
