/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_flowjo.h: the FlowJo parts of `apoflow run` (run_flowjo.c): --gating WORKSPACE.wsp
 * (the workspace's pre-gates and quadrant instead of the automatic ones) and --write-flowjo
 * OUT.wsp (the applied analysis as a FlowJo 10 workspace).
 */
#ifndef APOFLOW_CLI_RUN_FLOWJO_H
#define APOFLOW_CLI_RUN_FLOWJO_H

#include "assay/assay.h"
#include "gating/gate.h"

#include <stddef.h>

/** The gating of the workspace's first sample with its quadrant named by @p population
 *  (NULL = its only one); prints what was chosen and the workspace's warnings (unless
 *  @p quiet). Returns 0 or the exit code after printing the error. */
int run_flowjo_gating(const char *path, const char *population, bool quiet, gate_strategy **out);

/** Warn when this run (started at wall time @p started) wrote no OUTDIR/gating.xml (a
 *  workspace's gating Gating-ML cannot hold). */
void run_flowjo_note_gml(const char *outdir, double started);

/** Write the analysis of @p n samples (@p in[i].file, gated with r->strategy) as a FlowJo 10
 *  workspace at @p path. */
apo_status run_flowjo_write(const char *path, const assay_result *r, const assay_input *in,
                            size_t n, apo_error *err);

#endif /* APOFLOW_CLI_RUN_FLOWJO_H */
