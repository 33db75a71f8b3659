/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * review.h: the gate review of report.html (review.c, review.js): quadrant lines dragged in
 * the page with every sample's percentages previewed live, exported as a Gating-ML file that
 * records what moved; and the reading of that record back when a run takes the file with
 * --gating (review_adjust.c). docs/report.md describes the page, its API and the record.
 */
#ifndef APOFLOW_REPORT_REVIEW_H
#define APOFLOW_REPORT_REVIEW_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define REVIEW_MAX_ADJUSTMENTS 32

/* One line or pre-gate coordinate moved in the page: the marker ("annexin", "dead" or
 * "pregate"), the Gating-ML divider id (quadrant lines) or gate id (pre-gates), what moved
 * (pre-gates: "FSC-A min", "vertex 2 FSC-H"), and where it was and went: compensated data units
 * and the gating scale for quadrant lines (scaled values NaN for pre-gates, which are in data
 * units). */
typedef struct review_adjustment {
    char marker[16];
    char divider[64];
    char what[64];
    double from, to, from_scaled, to_scaled;
} review_adjustment;

/* The change record of a gating file exported by report.html (empty when the file has none). */
typedef struct review_adjustments {
    size_t n;
    review_adjustment v[REVIEW_MAX_ADJUSTMENTS];
    char source[256];  /* the report the gates were adjusted in */
    char when[40];     /* ISO 8601 time of the export, as the page wrote it */
} review_adjustments;

/**
 * Read the change record (data-type:custom_info/apoflow:adjustments) of the Gating-ML file
 * at @p path into @p out; a file without one gives out->n == 0. The file is untrusted: at
 * most REVIEW_MAX_ADJUSTMENTS entries, every value checked, errors name the element.
 */
APO_NODISCARD apo_status review_adjustments_read(const char *path, review_adjustments *out,
                                                 apo_error *err);

/** "gating_adjustments": [...] of results.json (an empty array when there is none). */
void review_adjustments_json(FILE *f, const review_adjustments *adj, bool *first);

/** One sentence per moved line for the methods text of the report (nothing when none). */
void review_adjustments_html(FILE *f, const review_adjustments *adj);

#endif /* APOFLOW_REPORT_REVIEW_H */
