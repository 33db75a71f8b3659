/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * qc_plot.h: a QC plot of FCS files as one PNG (the `apoflow plot` figure): pseudocolor,
 * dot, contour or histogram of one or two channels, compensated with the file's spillover (or
 * a CSV matrix, or not at all), optionally restricted to a population of a Gating-ML strategy
 * whose child gates on the plotted channels are drawn with the engine's percentages,
 * optionally with a quadrant whose percentages count every event of the plotted population.
 * Several files share axes in a grid (or, with overlay, one histogram of every file). Large
 * files are drawn from a bounded deterministic subsample; the numbers on the plot are still
 * counted over every event, streamed block by block. Gates are drawn as applied (in their
 * own transformed space, clipped to the plot). The PNG's tEXt chunks record the sources and
 * the settings. Nothing here prints: messages go to the observer.
 */
#ifndef APOFLOW_RENDER_QC_PLOT_H
#define APOFLOW_RENDER_QC_PLOT_H

#include "render/render.h"
#include "util/observer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct render_qc_options {
    const char *const *files;
    size_t n_files;
    const char *out;             /* the PNG */
    const char *title;           /* panel title (several files) */
    size_t columns;              /* panel columns, 0 = automatic */
    bool overlay;                /* RENDER_HISTOGRAM: every file as one series of one plot */
    const char *xname, *yname;   /* channels by $PnN or $PnS; yname NULL for a histogram */
    render_kind kind;
    const char *xscale, *yscale; /* linear|log|logicle|asinh; NULL = by channel */
    const char *comp;            /* "auto" | "none" | CSV matrix path */
    bool quadrant;               /* quadrant lines at (qx, qy), data units */
    double qx, qy;
    const char *gating, *population; /* Gating-ML file and population path or id (or NULL) */
    bool path;                   /* the population's gating path instead: one plot per gate
                                    from the top down, each over its parent's events on the
                                    gate's own channels (one file; xname/yname unused) */
    render_options ro;
    size_t dataset;              /* 1-based */
    uint64_t sample_events;      /* events read for display (0 = all) */
    fcs_read_options read;
    const size_t *datasets;      /* per file its data set (1-based); NULL = dataset for all */
} render_qc_options;

/* Draw the plot into o->out. The files' warnings are reported to @p obs, and so is every
 * error (an unknown channel or population with the names there are, as detail lines).
 * @return APO_OK; APO_E_USAGE (unknown channel, population or data set); the reader's,
 * gating's or writer's status. */
APO_NODISCARD apo_status render_qc_plot(const render_qc_options *o, const apo_observer *obs);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_RENDER_QC_PLOT_H */
