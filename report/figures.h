/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * figures.h: the figures of a run in OUTDIR/plots/: one gating-path panel per sample
 * (debris, doublets, Annexin V / PI quadrants), the quadrant overview of all samples and the
 * Annexin V overlay of the stimulus-only and treated groups (docs/outputs.md).
 */
#ifndef APOFLOW_REPORT_FIGURES_H
#define APOFLOW_REPORT_FIGURES_H

#include "assay/assay.h"
#include "render/render.h"
#include "util/observer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The figures of a run, in steps, so that each sample's panel, review preview and Time plot
 * are drawn from the events the statistics pass holds instead of reading the file again:
 * report_figures_new (creates OUTDIR/plots) before assay_analyze, with
 * assay_options.display = report_figures_display, display_ctx = the figures,
 * display_events = REPORT_DISPLAY_EVENTS; after it, report_figures_run. */
#define REPORT_DISPLAY_EVENTS 200000u
typedef struct report_figures report_figures;
APO_NODISCARD apo_status report_figures_new(report_figures **out, const char *outdir,
                                            const assay_input *in, size_t n, apo_error *err);
void report_figures_display(void *ctx, const assay_result *r, size_t i, const assay_display *d);
void report_figures_free(report_figures *f);

/* The figure stage of `apoflow run`: OUTDIR/plots/<sample>.png for every analysed sample the
 * statistics pass did not draw (reading their files, on @p jobs threads, ticking @p obs), then
 * overview.png, overlay_annexin.png and the report's own figures (the dose-response plots and
 * the summary figures, report.h), all the tasks of one pool of @p jobs threads (one thread:
 * one after the other, the overview first), from the run's sample rows (from @p r, @p in and
 * @p sheet) built here once and kept in *@p f for report_for_run, which shows them and
 * reports the report's figures' failures. A figure that fails is reported to @p obs and the
 * others are still written. *@p f NULL (report_figures_new failed before the analysis): made
 * here, or why not reported to @p obs.
 * @return APO_OK, or the worst status of the failures (apo_status_worse). */
APO_NODISCARD apo_status report_figures_run(report_figures **f, const char *outdir,
                                            const assay_result *r, const assay_input *in,
                                            size_t n, const assay_sheet *sheet, unsigned jobs,
                                            const apo_observer *obs);

/* The file name in OUTDIR/plots/ of the event rate over Time of the sample whose safe stem
 * (apo_output_name of its name, as plots/<stem>.png) is @p stem: "<stem>.time.<ext>", @p ext
 * "png" or "svg". @return the length snprintf gives (>= cap: truncated). */
int report_time_plot_name(char *buf, size_t cap, const char *stem, const char *ext);

/* Write plots/<stem>.time.png and .svg into @p plots_dir: the event rate over Time of sample
 * @p s from @p ev, the events the run has loaded for its plots (every k-th event of the file:
 * counts are scaled by s->events / ev->n_events), with the bins of an abrupt rate change
 * shaded when the run flagged ASSAY_QC_FLOW_INSTABILITY. Nothing is written when the file has
 * no Time channel or fewer than two timed events (APO_OK). The chart's font comes from
 * @p cache (may be NULL: its own). */
APO_NODISCARD apo_status report_time_plot(const char *plots_dir, const char *stem,
                                          const assay_input *in, const assay_sample *s,
                                          const fcs_events *ev, render_cache *cache,
                                          apo_error *err);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_REPORT_FIGURES_H */
