/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * flowjo_report.h: the report of FCS files gated as their samples of a FlowJo 10 workspace
 * (`apoflow gate FILE... --gating WORKSPACE.wsp`, docs/outputs.md): one row per file x
 * population in FlowJo's order, the Gating-ML report's columns plus FlowJo's count and the
 * difference, written as CSV, JSON or an aligned text table (wsp_report.c). Nothing here
 * prints but to the stream it is given.
 */
#ifndef APOFLOW_GATING_FLOWJO_REPORT_H
#define APOFLOW_GATING_FLOWJO_REPORT_H

#include "gating/flowjo.h"
#include "gating/gate.h"

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One row: a population of one gated file. */
typedef struct flowjo_report_row {
    const char *file;       /* borrowed: the file as the caller names it */
    const char *sample;     /* borrowed from the workspace */
    const char *population; /* borrowed from the workspace */
    const char *parent;
    uint64_t count;
    int64_t flowjo; /* -1: FlowJo stored no count */
    double pct_parent, pct_total;
    double *med; /* one per column of dims (NaN where the file has no such dimension) */
} flowjo_report_row;

/* The whole report; zero-initialise, fill with flowjo_report_add_columns for every file, then
 * flowjo_report_add_rows for every file, free with flowjo_report_free. */
typedef struct flowjo_report {
    size_t n_dims;
    char **dims; /* median columns (Comp-<detector> for the sample's matrix) */
    size_t n_rows, cap_rows;
    flowjo_report_row *rows;
    size_t n_compared, n_equal; /* populations with a FlowJo count; equal to ours */
    int64_t worst;              /* largest |difference| */
} flowjo_report;

void flowjo_report_free(flowjo_report *t);
/* Add the dimensions of file report @p rep of sample @p s to the columns; false when out of
 * memory. */
bool flowjo_report_add_columns(flowjo_report *t, const flowjo_sample *s, const gate_report *rep);
/* Add the rows of file @p file (its report @p rep under sample @p s), after every file's
 * columns; false when out of memory. */
bool flowjo_report_add_rows(flowjo_report *t, const char *file, const flowjo_sample *s,
                            const gate_report *rep);
void flowjo_report_write_csv(FILE *out, const flowjo_report *t);
void flowjo_report_write_json(FILE *out, const flowjo_report *t);
void flowjo_report_write_table(FILE *out, const flowjo_report *t);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_FLOWJO_REPORT_H */
