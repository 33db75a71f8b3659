/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * adjust.h: the change record of a gating file exported by report.html's gate review (which
 * quadrant lines and pre-gate coordinates a user moved, from what to what), read when a run
 * takes the file with --gating and written to results.json (adjust.c; docs/report.md).
 */
#ifndef APOFLOW_ASSAY_ADJUST_H
#define APOFLOW_ASSAY_ADJUST_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ASSAY_MAX_ADJUSTMENTS 32

/* What an adjustment moved (the record's marker attribute and results.json "marker"). */
typedef enum assay_adjustment_marker {
    ASSAY_MARKER_ANNEXIN = 0, /* "annexin": the Annexin V line */
    ASSAY_MARKER_DEAD,        /* "dead": the dead-cell dye line */
    ASSAY_MARKER_PREGATE      /* "pregate": a pre-gate coordinate */
} assay_adjustment_marker;
#define ASSAY_MARKER_COUNT 3

/** The marker's name as the record and results.json write it ("" out of range). */
const char *assay_adjustment_marker_name(assay_adjustment_marker m);
/** Parse a marker name (exact); false, *out unchanged, for any other text. */
bool assay_adjustment_marker_parse(const char *s, assay_adjustment_marker *out);

/* One line or pre-gate coordinate moved in the page: the marker, the Gating-ML divider id
 * (quadrant lines) or gate id (pre-gates), what moved (pre-gates: "FSC-A min", "vertex 2
 * FSC-H"), and where it was and went: compensated data units and the gating scale for quadrant
 * lines (scaled values NaN for pre-gates, which are in data units). */
typedef struct assay_adjustment {
    assay_adjustment_marker marker;
    char divider[64];
    char what[64];
    double from, to, from_scaled, to_scaled;
} assay_adjustment;

/* The change record of a gating file exported by report.html (empty when the file has none). */
typedef struct assay_adjustments {
    size_t n;
    assay_adjustment v[ASSAY_MAX_ADJUSTMENTS];
    char source[256];  /* the report the gates were adjusted in */
    char when[40];     /* ISO 8601 time of the export, as the page wrote it */
} assay_adjustments;

/**
 * Read the change record (data-type:custom_info/apoflow:adjustments) of the Gating-ML file
 * at @p path into @p out; a file without one gives out->n == 0. The file is untrusted: at
 * most ASSAY_MAX_ADJUSTMENTS entries, every value checked, errors name the element.
 */
APO_NODISCARD apo_status assay_adjustments_read(const char *path, assay_adjustments *out,
                                                 apo_error *err);

/** "gating_adjustments": [...] of results.json (an empty array when there is none). */
void assay_adjustments_json(FILE *f, const assay_adjustments *adj, bool *first);

#endif /* APOFLOW_ASSAY_ADJUST_H */
