/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * figures.h: the figures of a run in OUTDIR/plots/: one gating-path panel per sample
 * (debris, doublets, Annexin V / PI quadrants), the quadrant overview of all samples and the
 * Annexin V overlay of the stimulus-only and treated groups (docs/outputs.md).
 */
#ifndef APOFLOW_REPORT_FIGURES_H
#define APOFLOW_REPORT_FIGURES_H

#include "assay/assay.h"
#include "util/observer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Write OUTDIR/plots/<sample>.png for every analysed sample (on @p jobs threads, ticking
 * @p obs), then overview.png and overlay_annexin.png. A figure that fails is reported to
 * @p obs and the others are still written.
 * @return APO_OK, or the worst status of the failures (apo_status_worse). */
APO_NODISCARD apo_status report_write_figures(const char *outdir, const assay_result *r,
                                              const assay_input *in, size_t n, unsigned jobs,
                                              const apo_observer *obs);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_REPORT_FIGURES_H */
