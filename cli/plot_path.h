/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * plot_path.h: 'apoflow plot --path': the gating path of a population as one picture
 * (plot_path.c).
 */
#ifndef APOFLOW_CLI_PLOT_PATH_H
#define APOFLOW_CLI_PLOT_PATH_H

#include "fcs/fcs.h"
#include "gating/gate.h"
#include "render/render.h"

/* What the gating-path picture needs of the plot command's options. */
typedef struct plot_path_opts {
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
} plot_path_opts;

/** Draw the gating path of o->population; prints errors and warnings. @return exit code. */
int plot_path_run(const plot_path_opts *o);

#endif /* APOFLOW_CLI_PLOT_PATH_H */
