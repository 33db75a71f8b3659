/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_internal.h: what the report of a run (run.c) and the run's figures (figures.c) share:
 * the sample rows of a run, built once from its analysis and sheet; the record of the
 * report's own figures (dose-response and summary figures) drawn in the figure stage, so
 * that report_for_run reports their failures where the page would have drawn them; the
 * figure stage after the panels with more tasks in its pool. Private to report/.
 */
#ifndef APOFLOW_REPORT_RUN_INTERNAL_H
#define APOFLOW_REPORT_RUN_INTERNAL_H

#include "report/figures.h"
#include "report/report.h"

#include <stdbool.h>
#include <stddef.h>

/* The sample rows of a run's report and the storage they point into. */
typedef struct report_run_rows {
    size_t n;
    report_sample *rows; /* n rows, in the inputs' order */
    char (*flags)[160];  /* each row's QC flags as text */
    const char **wells;  /* each row's "well" from the sheet ("" without one) */
} report_run_rows;

/* The rows of @p n samples from @p res, @p in and @p sheet (may be NULL); APO_E_NOMEM only
 * (nothing to free then). */
apo_status report_run_rows_build(report_run_rows *out, const assay_result *res,
                                 const assay_input *in, size_t n, const assay_sheet *sheet);
void report_run_rows_free(report_run_rows *r);

/* What the report's own figures of a run gave when the figure stage drew them. */
typedef struct report_figs_drawn {
    bool drawn;       /* false: report_for_run draws them (when OUTDIR/plots exists) */
    apo_status st[2]; /* dose-response plots, summary figures */
    apo_error err[2];
} report_figs_drawn;

/* The part of a run's figures kept for its report (report_figures_run, run.c). */
typedef struct report_run_part {
    report_run_rows rows; /* built when drawn.drawn */
    report_figs_drawn drawn;
} report_run_part;

/* The run's part of @p f (figures.c; zero until report_figures_run fills it). */
report_run_part *report_figures_part(report_figures *f);
void report_run_part_free(report_run_part *p);

/* The figure stage after the panels (figures.c): the panels the statistics pass did not
 * draw (reading their files), then the overview, the overlay and @p n_extra more tasks,
 * extra(@p extra_ctx, k) for k < n_extra, as the tasks of one pool of @p jobs threads (on one
 * thread: one after the other, the overview first). The overview's and the overlay's failures
 * go to @p obs, in that order; the extra tasks report nothing. */
apo_status report_figures_stage(report_figures *f, const assay_result *r, unsigned jobs,
                                size_t n_extra, apo_pool_task extra, void *extra_ctx,
                                const apo_observer *obs);

#endif /* APOFLOW_REPORT_RUN_INTERNAL_H */
