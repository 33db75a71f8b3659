/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * render.h: the public interface of the render module: a raster canvas with anti-aliased
 * lines and text, axes (linear, log, logicle, asinh), dot/pseudocolor/contour/histogram plots,
 * quadrant and gate overlays, panels, and deterministic PNG output. Depends on gating/ for
 * scale transforms; never parses FCS. Nothing here prints.
 *
 * Usage (a 1x3 gating-path panel of one sample; every array is borrowed for the call):
 *
 *     render_plot p[3];
 *     for (int i = 0; i < 3; i++) render_plot_init(&p[i]);
 *     gate_transform lin, lgc;
 *     gate_transform_init_linear(&lin);
 *     if (gate_transform_init_logicle(&lgc, 262144, 0.5, 4.5, 0, err)) return err->status;
 *
 *     p[0].kind = RENDER_PSEUDOCOLOR;                  // FSC-A / SSC-A with the cells gate
 *     p[0].x = fsc_a; p[0].y = ssc_a; p[0].n = n_all;  // untransformed (data units)
 *     render_axis_init(&p[0].xaxis, &lin, "FSC-A");
 *     render_axis_init(&p[0].yaxis, &lin, "SSC-A");
 *     render_gate g = {.shape = RENDER_SHAPE_POLYGON, .n_vertices = 5, .xy = cells_xy,
 *                      .name = "Cells", .pct = 87.3};
 *     p[0].gates = &g; p[0].n_gates = 1;
 *     p[0].title = "A05 drug 10 uM"; p[0].subtitle = "All events · n = 48,213";
 *     ...                                              // p[1]: FSC-A / FSC-H singlets
 *     p[2].kind = RENDER_PSEUDOCOLOR;                  // Annexin V / PI quadrants
 *     p[2].x = annv; p[2].y = pi; p[2].n = n_singlets; // compensated, untransformed
 *     render_axis_init(&p[2].xaxis, &lgc, "Annexin V-FITC (FL1-A)");
 *     render_axis_init(&p[2].yaxis, &lgc, "PI (FL3-A)");
 *     render_quadrant q = {.x = 1200, .y = 900,
 *         .label = {"Q4 Live", "Q3 Early apoptotic", "Q2 Late apoptotic", "Q1 Necrotic"},
 *         .pct = {80.1, 9.2, 7.4, 3.3}};               // from the gating engine
 *     p[2].quadrant = &q;
 *
 *     render_panel_spec panel = {.title = "A05 drug 10 uM", .plots = p, .n_plots = 3,
 *                                .columns = 3};
 *     render_options opt = RENDER_OPTIONS_INIT;        // 600 px per plot, scale 1, jet
 *     opt.scale = 2;                                    // 1200 px per plot, 300 dpi
 *     render_text_chunk meta[] = {{"Source", "A05.fcs"}, {"Comment", "comp=$SPILLOVER"}};
 *     apo_status st = render_panel_png("out/A05.png", &panel, &opt, 2, meta, err);
 *
 * A histogram overlay (treated vs stimulus-only): kind = RENDER_HISTOGRAM, series =
 * {{stim_annv, n1, "stimulus only"}, {drug_annv, n2, "drug 10 uM"}}, n_series = 2, xaxis as
 * above (yaxis is ignored: the y axis is "% of max" or "Count").
 */
#ifndef APOFLOW_RENDER_RENDER_H
#define APOFLOW_RENDER_RENDER_H

#include "gating/gate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Images and PNG output                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* An RGB8 raster: row-major, 3 bytes per pixel, stride width * 3, (0,0) top left. */
typedef struct render_image {
    unsigned width;
    unsigned height;
    uint8_t *rgb;
} render_image;

/** A new image filled with white. APO_E_USAGE for a zero or huge size, APO_E_NOMEM. */
APO_NODISCARD apo_status render_image_new(render_image **out, unsigned width, unsigned height,
                                          apo_error *err);
/** Release @p img. NULL is a no-op. */
void render_image_free(render_image *img);

/* A PNG tEXt chunk (Latin-1 key of 1-79 chars; text is written as given). */
typedef struct render_text_chunk {
    const char *key;
    const char *text;
} render_text_chunk;

/**
 * Write @p img as an 8-bit RGB PNG at @p path atomically (temporary file in the same folder,
 * then rename). The bytes depend only on the pixels, @p dpi and @p text (no tIME chunk):
 * identical inputs give identical files. A "Software" chunk is always written first.
 * @param dpi  pHYs resolution in dots per inch; 0 writes no pHYs chunk.
 * @return APO_OK; APO_E_WRITE when the file cannot be created or written; APO_E_USAGE for
 *         a bad text key.
 */
APO_NODISCARD apo_status render_image_write_png(const render_image *img, const char *path,
                                                unsigned dpi, size_t n_text,
                                                const render_text_chunk *text, apo_error *err);
/**
 * render_image_write_png with a large image's rows compressed in pieces on @p jobs threads
 * (0 = every core). The pieces depend on the image's size alone, never on @p jobs: the bytes
 * are the same on any number of threads (and the pixels those of render_image_write_png).
 */
APO_NODISCARD apo_status render_image_write_png_jobs(const render_image *img, const char *path,
                                                     unsigned dpi, size_t n_text,
                                                     const render_text_chunk *text,
                                                     unsigned jobs, apo_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Plots                                                                                      */
/* ------------------------------------------------------------------------------------------ */

typedef enum render_kind {
    RENDER_PSEUDOCOLOR = 0, /* dots coloured by smoothed local density, dense drawn last */
    RENDER_DOT,             /* plain dark dots */
    RENDER_CONTOUR,         /* 10 % equal-probability contours, outliers as grey dots */
    RENDER_HISTOGRAM        /* 1-D histogram of x (or overlay of several series) */
} render_kind;

typedef enum render_colormap {
    RENDER_CMAP_JET = 0, /* FlowJo-like blue-cyan-green-yellow-red */
    RENDER_CMAP_VIRIDIS,
    RENDER_CMAP_GREY     /* light grey to black (print) */
} render_colormap;

typedef enum render_hist_norm {
    RENDER_HIST_MODE = 0, /* y = % of each series' maximum bin (FlowJo "normalize to mode") */
    RENDER_HIST_COUNT     /* y = events per bin */
} render_hist_norm;

/*
 * One axis: the display transform (data units -> display scale; it also decides the tick
 * style: linear/flin axes get 50K-style labels, logicle/hyperlog/asinh/fasinh/log axes get
 * 0, 10², 10³ ... decade labels) and the shown range in DATA units. With min/max NaN
 * (render_axis_init) the range is automatic: [0, 1] on the display scale for Gating-ML scaled
 * kinds (logicle, hyperlog, fasinh, flog, flin), else the data range with a small margin
 * (linear: from min(0, 0.05th percentile) to the 99.9th percentile * 1.05).
 * Values outside the range are drawn piled up on the axis edge.
 */
typedef struct render_axis {
    gate_transform transform;
    double min; /* data units; NaN = automatic */
    double max;
    const char *title; /* may be NULL */
} render_axis;

/** Copy @p t (NULL = linear), set min/max to NaN and the title (borrowed). */
void render_axis_init(render_axis *axis, const gate_transform *t, const char *title);

/* Quadrant corner order; equals the gating engine's quadrant order (x-y-, x+y-, x+y+, x-y+). */
enum { RENDER_Q_LL = 0, RENDER_Q_LR = 1, RENDER_Q_UR = 2, RENDER_Q_UL = 3 };

/*
 * A quadrant set: two full-length lines at the thresholds (data units), and per corner a
 * label and a percentage drawn in that outer corner of the plot. NULL label = none, NaN pct =
 * none. Percentages are the caller's (the engine's numbers), printed with @p digits decimals
 * (0 in a zero-initialised struct means 1).
 */
typedef struct render_quadrant {
    double x;
    double y;
    const char *label[4];
    double pct[4];
    int digits;
} render_quadrant;

typedef enum render_shape {
    RENDER_SHAPE_POLYGON = 0, /* n_vertices (x, y) pairs in xy */
    RENDER_SHAPE_RECTANGLE,   /* xy = {xmin, ymin, xmax, ymax}; +-INFINITY = open side */
    RENDER_SHAPE_ELLIPSE      /* mean (cx, cy), 2x2 covariance, distance_square */
} render_shape;

/*
 * A gate drawn exactly as it is applied: its region inside the plot window, outlined, with a
 * light fill and its name and percentage ("Cells 87.3 %") near its top-right point.
 * Coordinates, per axis, are in the gate's own space, and edges are straight in that space:
 * - display_units: the axis' display scale (e.g. a Gating-ML gate on a transformed dimension
 *   whose transform equals the axis');
 * - else x_space / y_space when set: that transform's scale (e.g. the gate dimension's
 *   Gating-ML transform, which may differ from the axis');
 * - else data units (then an edge bends on a logicle or log axis, as membership does).
 * +-INFINITY is an open side or a vertex beyond any window; the outline is clipped to the
 * visible window (docs/algorithms.md, "Drawing gates"). Ellipses are traced as 128-point
 * polygons in the gate's space. A 1-D range on x is a rectangle {min, -INF, max, +INF}.
 */
typedef struct render_gate {
    render_shape shape;
    size_t n_vertices;
    const double *xy;
    double cx, cy;
    double covariance[4]; /* row-major */
    double distance_square;
    bool display_units;
    const gate_transform *x_space; /* NULL = data units (unless display_units) */
    const gate_transform *y_space;
    const char *name; /* may be NULL */
    double pct;       /* NaN = not shown */
} render_gate;

/* One histogram series. */
typedef struct render_series {
    const double *x;
    size_t n;
    const char *label; /* legend text ("n = 12,345" is appended); may be NULL */
} render_series;

/*
 * One plot. Zero-initialise with render_plot_init, then fill in. All pointers are borrowed
 * for the duration of the render call.
 * - 2-D kinds use x, y, n (untransformed data units; NaN events are skipped).
 * - RENDER_HISTOGRAM uses series[0..n_series) when n_series > 0, else x / n as one series.
 *   With several series the first is the reference (filled light grey), the others are
 *   coloured outlines (with a light fill when there are only two series); a legend lists them
 *   with their n. Off-scale events are left out of histograms.
 * - gates are drawn on 2-D plots and, on a histogram, over its x axis (give a 1-D range as
 *   {min, -INFINITY, max, +INFINITY}); the quadrant is drawn on 2-D plots only.
 * - title (bold) and subtitle (grey) are two lines above the plot; either may be NULL.
 */
typedef struct render_plot {
    render_kind kind;
    render_axis xaxis;
    render_axis yaxis;
    const double *x;
    const double *y;
    size_t n;
    size_t n_series;
    const render_series *series;
    render_hist_norm hist_norm;
    const render_quadrant *quadrant; /* NULL = none */
    size_t n_gates;
    const render_gate *gates;
    const char *title;
    const char *subtitle;
} render_plot;

/** Zero everything, pseudocolor, both axes linear with automatic ranges. */
void render_plot_init(render_plot *p);

/* Tables shared by the plots of several render calls (the axes' lookup tables): plots on
 * the same scale use one table instead of each computing its own; the pixels are the same
 * with or without. Any number of threads may draw with one cache at once. */
typedef struct render_cache render_cache;
/* A new empty cache; NULL when out of memory (then draw without one). */
render_cache *render_cache_new(void);
/* Free the cache (after every plot drawn with it); NULL is allowed. */
void render_cache_free(render_cache *c);

/* Options shared by every plot of a render call. */
typedef struct render_options {
    unsigned size;            /* edge of one plot cell at scale 1, px (default 600, >= 200) */
    unsigned scale;           /* every length is multiplied by this (1..4); pixels = size*scale */
    render_colormap colormap; /* pseudocolor palette */
    size_t max_events;        /* display subsample per 2-D plot; 0 = draw every event */
    uint64_t seed;            /* subsample seed */
    unsigned dpi;             /* pHYs; 0 = automatic (96 at scale 1, 150 * scale above) */
    unsigned jobs;            /* threads drawing a panel's plots, each into its own cell,
                                 and compressing a large PNG's pieces (0 or 1 = the calling
                                 thread); the image and the file are the same */
    render_cache *cache;      /* tables shared with other calls (render_cache_new); NULL =
                                 none */
} render_options;

#define RENDER_OPTIONS_INIT {600, 1, RENDER_CMAP_JET, 0, 0x5eed, 0, 1, NULL}

/* A grid of plots with an optional shared main title above them. */
typedef struct render_panel_spec {
    const char *title;        /* main title; NULL = none */
    size_t n_plots;
    const render_plot *plots;
    size_t columns;           /* 0 = ceil(sqrt(n_plots)) */
} render_panel_spec;

/**
 * Render a panel into a new image (caller frees with render_image_free). A single plot is a
 * panel of one. The font, DejaVu Sans, is looked up at run time: in $APOFLOW_FONT_DIR when
 * set (only there), else in the folder the build found it in, then in the usual font folders.
 * @return APO_OK; APO_E_USAGE for bad options (size, scale, zero plots, a 2-D plot without
 *         y, a bad axis range such as log of a non-positive minimum); APO_E_IO when the font
 *         cannot be found (the message lists the folders searched) or loaded; APO_E_NOMEM.
 */
APO_NODISCARD apo_status render_panel(render_image **out, const render_panel_spec *panel,
                                      const render_options *opts, apo_error *err);

/** render_panel then render_image_write_png (dpi from @p opts). */
APO_NODISCARD apo_status render_panel_png(const char *path, const render_panel_spec *panel,
                                          const render_options *opts, size_t n_text,
                                          const render_text_chunk *text, apo_error *err);

/* render_panel_png in steps, for a caller that draws a panel's plots as tasks of its own
 * pool beside other work (no thread is started here): render_panel_begin checks the options,
 * makes the image and draws the title; render_panel_step draws plot @p i into its cell (each
 * plot exactly once, in any order, on any thread (a plot not stepped is left blank): the
 * cells do not overlap and each step takes a
 * font of its own from opts->cache); render_panel_finish_png writes the PNG (a large image's
 * pieces on opts->jobs threads) or returns the first failing plot's error in plot order, and
 * frees the steps, as render_panel_steps_free does when they are abandoned. @p panel and what
 * it points to must outlive the steps. The pixels and bytes are render_panel_png's. */
typedef struct render_panel_steps render_panel_steps;
APO_NODISCARD apo_status render_panel_begin(render_panel_steps **out,
                                            const render_panel_spec *panel,
                                            const render_options *opts, apo_error *err);
void render_panel_step(render_panel_steps *s, size_t i);
APO_NODISCARD apo_status render_panel_finish_png(render_panel_steps *s, const char *path,
                                                 size_t n_text, const render_text_chunk *text,
                                                 apo_error *err);
void render_panel_steps_free(render_panel_steps *s);

/* ------------------------------------------------------------------------------------------ */
/* Gating path                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* What is known of the whole data set's counts (the displayed events may be a subsample). */
typedef struct render_path_counts {
    uint64_t n_events;     /* events of the data set */
    const uint64_t *count; /* per gate of the strategy, UINT64_MAX = unknown; NULL = none */
} render_path_counts;

/* One plot of a gating path and the storage it points into. */
typedef struct render_path_panel {
    render_plot plot;
    render_gate gate;
    double rect[4];
    double *x, *y; /* the parent's events on the plotted dimensions */
    char title[96], subtitle[200], xtitle[96], ytitle[96];
} render_path_panel;

typedef struct render_gating_path {
    size_t n_plots;
    render_plot *plots; /* n_plots, ready for a render_panel_spec */
    render_path_panel *panels;
} render_gating_path;

/**
 * The gating path down to gate @p gate (its ancestors first, @p gate last), one plot per gate
 * that has a shape: the events of the gate's parent in @p d on the gate's dimensions (as the
 * gate sees them; each axis on the dimension's transform, linear without one), the gate drawn
 * as applied, titled with the gate's id and "parent, n = ...". A 1-D range is a band across a
 * companion channel (a width channel on y against forward scatter; else on x against side
 * scatter). Percentages (gate of parent) use @p counts where known, the displayed events when
 * @p d holds the whole data set (d->n_events == counts->n_events), else are not shown.
 * @p counts NULL: @p d is the whole data set. @p gate SIZE_MAX: no plots. Free with
 * render_gating_path_free; the plots borrow @p s (gate ids, vertices, transforms).
 */
APO_NODISCARD apo_status render_gating_path_build(render_gating_path *out,
                                                  const gate_strategy *s, const gate_data *d,
                                                  size_t gate, const render_path_counts *counts,
                                                  apo_error *err);
/**
 * As render_gating_path_build, with the memberships of every gate on @p d already known
 * (@p applied: gate_strategy_apply of @p s on @p d, e.g. kept from the analysis), so the
 * strategy is not applied again; NULL, or a result of another size, applies it.
 */
APO_NODISCARD apo_status render_gating_path_build_from(render_gating_path *out,
                                                       const gate_strategy *s,
                                                       const gate_data *d, size_t gate,
                                                       const render_path_counts *counts,
                                                       const gate_result *applied,
                                                       apo_error *err);
void render_gating_path_free(render_gating_path *p);

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/**
 * Deterministic display subsample: choose min(n, max) distinct indices of [0, n) with a
 * seeded generator, ascending, into @p idx (room for min(n, max)). max == 0 or max >= n
 * gives 0..n-1. Statistics must still use every event. @return the number chosen.
 */
size_t render_subsample(size_t n, size_t max, uint64_t seed, size_t *idx);

/** Format @p n with thousands separators ("48,213"). @return the length written. */
size_t render_format_count(char *buf, size_t cap, uint64_t n);

/** Axis title in FlowKit style: "PnS (PnN)" when the label is non-empty and not just the
 *  channel name again (ignoring case and a "Comp-" prefix), else "PnN". */
size_t render_axis_title(char *buf, size_t cap, const char *pnn, const char *pns);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_RENDER_RENDER_H */
