/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report.h: report.html, the one self-contained page of an `apoflow run` or `apoflow merge`
 * (plots embedded as base64 PNG, no network, a few lines of plain JS to sort tables), and
 * the dose-response PNG it shows. The model below is filled by cmd_run.c or cmd_merge.c.
 */
#ifndef APOFLOW_CLI_REPORT_H
#define APOFLOW_CLI_REPORT_H

#include "fcs/fcs.h"
#include "assay/assay.h"
#include "report/review.h"
#include "util/observer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One sample row of the report (strings borrowed, never NULL). */
typedef struct report_sample {
    const char *sample, *file, *role, *treatment, *dose, *dose_unit, *well;
    unsigned replicate;
    uint64_t events, singlets;
    uint64_t count[ASSAY_Q_COUNT]; /* singlets in each quadrant */
    double pct[ASSAY_Q_COUNT];
    double apoptotic_pct;
    const char *qc_flags, *qc_detail, *error;
    char sha256[65]; /* filled by report_checksums ("" when unknown) */
} report_sample;

/* A file or sample that failed: which file, in which step, why. */
typedef struct report_failure {
    const char *file, *step, *reason;
} report_failure;

typedef struct report_input {
    const char *outdir;          /* report.html and plots/ live here */
    const char *title;           /* page title; NULL = "apoflow report" */
    size_t n_samples;
    const report_sample *samples;
    const assay_result *res;  /* thresholds, compensation, comparisons, fits, warnings
                                    (its samples array is not used) */
    size_t n_failures;
    const report_failure *failures;
    int argc;                    /* the command line (from "apoflow") */
    char *const *argv;
    const char *note;            /* extra "how it was made" text (merge: the shards); NULL */
    unsigned jobs;               /* threads for checksums */
    const assay_adjustments *adjustments; /* gates moved in a report (--gating); NULL */
    const size_t *order;         /* the order samples are shown in (n_samples indices;
                                    assay_result_sheet_order); NULL = as given */
    const assay_input *inputs;   /* the samples' inputs (n_samples; their data sets name the
                                    instrument in the methods); NULL = unknown */
    const char (*known_sha256)[65]; /* n_samples checksums of the samples' files computed
                                    before (the run hashes while it analyses); "" = not
                                    computed, NULL = none */
} report_input;

/* The "Review gates" section (data included) and, at the end of the page, its script
 * (review.c). */
void review_write_html(FILE *f, const report_input *r);
void review_write_script(FILE *f);

/* SHA-256 of every sample's file into samples[i].sha256, @p jobs threads; a sample whose
 * sha256 is already set (not "") keeps it. */
void report_checksums(report_sample *samples, size_t n, unsigned jobs);

/* Render plots/dose_response_<k>.png for every fit of @p res (k = index of the fit). */
APO_NODISCARD apo_status report_dose_plots(const char *outdir, const assay_result *res,
                                           size_t n, const report_sample *samples,
                                           apo_error *err);

/* The summary figures, each as PNG and SVG (docs/outputs.md): plots/summary_apoptotic (groups:
 * mean +- SD, replicates, adjusted-p marks), plots/summary_quadrants (each sample's quadrants)
 * and plots/dose_<k> for every treatment k with a numeric dose (summary_figs.c, dose_figs.c). */
APO_NODISCARD apo_status report_summary_figures(const char *outdir, const assay_result *res,
                                                size_t n, const report_sample *samples,
                                                apo_error *err);
/* The same on @p jobs threads (0 = every core): the three kinds of figure are drawn at once,
 * the files are the same; every kind is attempted, the first failure (in the order above) is
 * returned. */
APO_NODISCARD apo_status report_summary_figures_jobs(const char *outdir,
                                                     const assay_result *res, size_t n,
                                                     const report_sample *samples,
                                                     unsigned jobs, apo_error *err);
/* The "Summary figures" <section> of report.html: the SVG figures above, inline, when they
 * exist (summary_html.c). */
void report_summary_figures_html(FILE *f, const report_input *r);

/* Write OUTDIR/report.html, then OUTDIR/methods.txt (its methods paragraph), atomically.
 * Embeds OUTDIR/plots/<sample>.png, <sample>.time.png, overview.png, overlay_annexin.png and
 * dose_response_<k>.png when they exist. */
APO_NODISCARD apo_status report_write_html(const report_input *r, apo_error *err);

/* Write report.html from @p ri (its samples, failures set here): the failures table from
 * the @p n_read_failed files that could not be read and the rows with an error, checksums of
 * the samples' files into @p rows, the dose-response and summary figures when
 * @p dose_plots, the page.
 * Errors are reported to @p obs; returns the worst (apo_status_worse). */
APO_NODISCARD apo_status report_publish(report_input *ri, report_sample *rows,
                                        size_t n_read_failed, const char *const *failed_files,
                                        const char *const *failed_msgs, bool dose_plots,
                                        const apo_observer *obs);

/* report_publish with the sample rows built from @p res->samples and @p in (n = ri->n_samples)
 * and the "well" of each (@p wells NULL = none), shown in the sheet's order
 * (assay_result_sheet_order). */
APO_NODISCARD apo_status report_for_samples(report_input *ri, const assay_input *in,
                                            const char *const *wells, size_t n_failed,
                                            const char *const *failed_files,
                                            const char *const *failed_msgs, bool dose_plots,
                                            const apo_observer *obs);

/* The report of `apoflow run`: the sample rows from the analysis and the sheet, then
 * report_publish (dose-response and summary figures when OUTDIR/plots exists). @p fig: the
 * run's figures after report_figures_run (figures.h), whose sample rows are shown and whose
 * dose-response and summary figures are not drawn again (their failures are reported here,
 * where the page would have drawn them); NULL = none. */
struct report_figures;
APO_NODISCARD apo_status report_for_run(const char *outdir, const assay_result *res,
                                        const assay_input *in, size_t n,
                                        const assay_sheet *sheet, size_t n_failed,
                                        const char *const *failed_files,
                                        const char *const *failed_msgs, int argc,
                                        char *const *argv, unsigned jobs,
                                        const char (*known_sha256)[65],
                                        const assay_adjustments *adj,
                                        struct report_figures *fig, const apo_observer *obs);

#endif /* APOFLOW_CLI_REPORT_H */
