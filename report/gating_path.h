/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gating_path.h: the gating-path plots of one sample of an experiment (gating_path.c).
 */
#ifndef APOFLOW_REPORT_GATING_PATH_H
#define APOFLOW_REPORT_GATING_PATH_H

#include "fcs/fcs.h"
#include "assay/assay.h"
#include "gating/gate.h"
#include "render/render.h"

/**
 * One plot per gate applied before the quadrants of @p r's strategy (top down), over the
 * displayed events @p ev of sample @p in (scaled values, as gates see them), percentages from
 * the sample's whole-file counts where the analysis has them; every gate's membership of @p ev
 * is taken from @p applied when given (the statistics pass's: assay_display.gates), else the
 * strategy is applied to @p ev. Free with render_gating_path_free.
 */
APO_NODISCARD apo_status report_gating_path_build(const assay_result *r, const assay_input *in,
                                                  const assay_sample *s, const fcs_events *ev,
                                                  const gate_result *applied,
                                                  render_gating_path *out, apo_error *err);

#endif /* APOFLOW_REPORT_GATING_PATH_H */
