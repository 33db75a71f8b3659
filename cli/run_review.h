/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_review.h: the per-sample preview data of report.html's gate review (run_review.c) and
 * the record of gates moved in the report (run_adjust.c).
 */
#ifndef APOFLOW_CLI_RUN_REVIEW_H
#define APOFLOW_CLI_RUN_REVIEW_H

#include "fcs/fcs.h"
#include "assay/assay.h"
#include "report/review.h"

/* At most this many events per sample in the preview (of which the singlets count). */
#define RUN_REVIEW_EVENTS 6000u
/* At most this many pre-gate dimensions (scatter channels) in the preview. */
#define RUN_REVIEW_DIMS 4
/* The scale range the 16-bit preview values cover (values outside are clamped). */
#define RUN_REVIEW_LO (-0.5)
#define RUN_REVIEW_HI 1.5

/**
 * Write PLOTS_DIR/<sample>.preview.json: every k-th of the displayed events @p ev (k the
 * smallest step that keeps at most RUN_REVIEW_EVENTS) with its @p singlet membership, its
 * @p ann and @p pi values (compensated data units, one per event of @p ev) on the gating
 * scales of @p r and its values of the pre-gates' dimensions; and the count over Time.
 */
APO_NODISCARD apo_status run_review_write(const char *plots_dir, const assay_result *r,
                                          const assay_input *in, const fcs_events *ev,
                                          const uint8_t *singlet, const double *ann,
                                          const double *pi, apo_error *err);

#endif /* APOFLOW_CLI_RUN_REVIEW_H */
