/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * qc_plot_path.h: the gating path of a population as one picture (qc_plot_path.c), the
 * path mode of the QC plot (qc_plot.h); internal to render/.
 */
#ifndef APOFLOW_RENDER_QC_PLOT_PATH_H
#define APOFLOW_RENDER_QC_PLOT_PATH_H

#include "fcs/fcs.h"
#include "gating/gate.h"
#include "render/render.h"
#include "util/observer.h"

/* What the gating-path picture needs of the plot command's options. */
typedef struct render_qc_path_opts {
    const char *file;           /* the FCS file */
    size_t dataset;             /* 1-based */
    const fcs_read_options *read;
    uint64_t sample_events;     /* events read for display (0 = all) */
    const gate_strategy *strategy;
    const char *gating;         /* its file, for the PNG comment */
    size_t population;          /* gate index of the population */
    const char *comp;           /* "auto", "none" or a CSV path */
    const gate_comp *csv;       /* the CSV matrix, or NULL */
    const char *title;          /* main title, NULL = file and population */
    const char *out;
    const render_options *ro;
} render_qc_path_opts;

/** Draw the gating path of o->population; errors and warnings go to @p obs. */
APO_NODISCARD apo_status render_qc_path(const render_qc_path_opts *o, const apo_observer *obs);

/* Report @p err to @p obs, prefixed with @p path when it names no file; returns its status
 * (qc_plot.c). */
apo_status render_qc_fail(const apo_observer *obs, const apo_error *err, const char *path);

#endif /* APOFLOW_RENDER_QC_PLOT_PATH_H */
