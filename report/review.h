/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * review.h: the gate review of report.html (review.c, review.js): quadrant lines dragged in
 * the page with every sample's percentages previewed live, exported as a Gating-ML file that
 * records what moved (read back by assay/adjust.c); the preview data `apoflow run` writes
 * (review_preview.c). docs/report.md describes the page, its API and the record.
 */
#ifndef APOFLOW_REPORT_REVIEW_H
#define APOFLOW_REPORT_REVIEW_H


#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "assay/adjust.h"
#include "assay/assay.h"

/* At most this many events per sample in the preview (of which the singlets count). */
#define REVIEW_PREVIEW_EVENTS 6000u
/* At most this many pre-gate dimensions (scatter channels) in the preview. */
#define REVIEW_PREVIEW_DIMS 4
/* The scale range the 16-bit preview values cover (values outside are clamped). */
#define REVIEW_PREVIEW_LO (-0.5)
#define REVIEW_PREVIEW_HI 1.5

/**
 * Write PLOTS_DIR/<name>.preview.json (name: the sample's output file name): every k-th of the
 * displayed events @p ev (k the smallest step that keeps at most REVIEW_PREVIEW_EVENTS) with
 * its @p singlet membership, its @p ann and @p pi values (compensated data units, one per
 * event of @p ev) on the gating scales of @p r and its values of the pre-gates' dimensions;
 * and the count over Time (review_preview.c).
 */
APO_NODISCARD apo_status review_preview_write(const char *plots_dir, const char *name,
                                              const assay_result *r, const assay_input *in,
                                              const fcs_events *ev, const uint8_t *singlet,
                                              const double *ann, const double *pi,
                                              apo_error *err);

/** One sentence per moved line for the methods text of the report (nothing when none). */
void review_adjustments_html(FILE *f, const assay_adjustments *adj);

#endif /* APOFLOW_REPORT_REVIEW_H */
