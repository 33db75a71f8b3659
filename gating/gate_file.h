/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate_file.h: a Gating-ML strategy applied to whole FCS files (the `apoflow gate` job):
 * counts, percentages and medians per population of each file, optionally each event's
 * membership as CSV rows, and the reports of many files written as CSV, JSON or an aligned
 * text table (docs/outputs.md). Nothing here prints: warnings go to the observer.
 */
#ifndef APOFLOW_GATING_GATE_FILE_H
#define APOFLOW_GATING_GATE_FILE_H

#include "gating/gate.h"
#include "util/observer.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gate_file_options {
    bool no_comp;            /* compensation-ref="FCS" uncompensated */
    const gate_comp *matrix; /* ... with this matrix (NULL: the file's $SPILLOVER, if any) */
    size_t dataset;          /* 1-based */
    uint64_t sample_events;  /* medians from at most this many events (0 = all) */
    fcs_read_options read;
    FILE *membership;        /* per-event membership rows go here (NULL = none) */
    bool with_file;          /* ... with a leading file column */
} gate_file_options;

/* The report of file @p path under strategy @p s; the file's warnings and an
 * ill-conditioned matrix are reported to @p obs. */
APO_NODISCARD apo_status gate_file_apply(const char *path, const gate_strategy *s,
                                         const gate_file_options *o, gate_report *rep,
                                         const apo_observer *obs, apo_error *err);

/* The membership CSV's header: "file" (with_file), then every population path. */
void gate_membership_header(FILE *mfp, const gate_strategy *s, bool with_file);

/* One gated file (the reports' n_dims/dim_names are the strategy's, the same for all). */
typedef struct gate_file_report {
    const char *file;
    gate_report rep;
} gate_file_report;

/* A number of a report as the writers print it: NaN as "NaN" (CSV, JSON) or "-" (@p table);
 * in the table "%.2f" (percentages) or "%.6g" (@p median); else the shortest text that reads
 * back as the same double. */
void gate_report_number_text(double v, bool table, bool median, char *buf, size_t cap);

/* The reports of @p n files, one row per file x population (@p shape gives the columns). */
void gate_reports_write_csv(FILE *out, const gate_file_report *fr, size_t n,
                            const gate_report *shape);
void gate_reports_write_json(FILE *out, const gate_file_report *fr, size_t n);
void gate_reports_write_table(FILE *out, const gate_file_report *fr, size_t n,
                              const gate_report *shape);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_GATE_FILE_H */
