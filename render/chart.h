/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chart.h: figures drawn once and written both as PNG (the raster canvas and FreeType text of
 * render/) and as SVG (vector shapes and real text, which a browser or a vector editor opens
 * and edits): a chart records drawing operations in figure units (1 unit = 1 px at scale 1),
 * then each writer replays them. Text is DejaVu Sans, measured with the same font both writers
 * use, so layouts computed with render_chart_text_width hold in both. Simple charts (bars,
 * points, curves) are built on it in report/; docs/plots.md ("Summary figures").
 */
#ifndef APOFLOW_RENDER_CHART_H
#define APOFLOW_RENDER_CHART_H

#include "render/render.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct render_chart render_chart;

/* How a shape is painted. Colours are 0xRRGGBB. */
typedef struct render_style {
    uint32_t fill;
    double fill_alpha;   /* 0 = not filled */
    uint32_t stroke;
    double stroke_width; /* 0 = no outline */
    bool dashed;         /* dashes of 4 x width with gaps of 3 x width */
    const char *cls;     /* the SVG class of the element (NULL = none): names the part of
                            the figure ("bar", "point") for editors and tests; copied */
} render_style;

typedef enum render_anchor {
    RENDER_ANCHOR_START = 0,
    RENDER_ANCHOR_MIDDLE,
    RENDER_ANCHOR_END
} render_anchor;

/* A text item: baseline at (x, y); @c up turns it 90 degrees counter-clockwise (reads bottom
 * to top, the baseline running upward from y along x). */
typedef struct render_text_style {
    double px;
    bool bold;
    uint32_t color;
    render_anchor anchor;
    bool up;
    const char *cls; /* as render_style.cls */
} render_text_style;

/** A new empty chart of @p width x @p height units on a white background; opens the font
 *  (font errors as render_panel). APO_E_USAGE for a size outside 1..20000, APO_E_NOMEM. */
APO_NODISCARD apo_status render_chart_new(render_chart **out, double width, double height,
                                          apo_error *err);
/** render_chart_new with its font from @p cache (render_cache_new; NULL = its own), where it
 *  goes back when the chart is freed: charts drawn one after another reuse the glyphs their
 *  font has rendered (the same pixels). The chart must be freed before the cache. */
APO_NODISCARD apo_status render_chart_new_cached(render_chart **out, double width,
                                                 double height, render_cache *cache,
                                                 apo_error *err);
void render_chart_free(render_chart *c);

/** The chart's width in units. */
double render_chart_width(const render_chart *c);

/** Advance width of @p utf8 at @p px units (the width both writers give it). */
double render_chart_text_width(render_chart *c, const char *utf8, double px, bool bold);

/* Drawing. These record the operation; an allocation failure is remembered and returned by
 * the writers (so figures need not check each call). Non-finite coordinates are skipped. */
void render_chart_rect(render_chart *c, double x0, double y0, double x1, double y1,
                       const render_style *s);
void render_chart_line(render_chart *c, double x0, double y0, double x1, double y1,
                       const render_style *s);
/* Lines through @p n points (interleaved x, y); filled (even-odd) when closed and s->fill_alpha
 * > 0. */
void render_chart_polyline(render_chart *c, const double *xy, size_t n, bool closed,
                           const render_style *s);
void render_chart_circle(render_chart *c, double cx, double cy, double r,
                         const render_style *s);
void render_chart_text(render_chart *c, double x, double y, const char *utf8,
                       const render_text_style *t);

/* A chart axis: data range [lo, hi] (log10 when @c log) placed from position p0 (at lo) to p1
 * (at hi) in figure units, along x or y. */
typedef struct render_chart_axis {
    double lo, hi;
    bool log;
    double p0, p1;
} render_chart_axis;

/** Linear axis over [lo, hi] widened to whole steps of 1, 2 or 5 x 10^k (about six labels);
 *  with @p from_zero, lo is 0 when the data are not negative. */
void render_chart_axis_linear(render_chart_axis *a, double lo, double hi, bool from_zero);
/** Log axis from lo / 1.5 to hi * 1.5 (lo, hi > 0): ticks at the decades (and at 2 and 5 x
 *  10^k when it spans less than three decades). */
void render_chart_axis_log(render_chart_axis *a, double lo, double hi);
/** Position of @p v on the axis (clamped to the axis; NaN for NaN or v <= 0 on a log axis). */
double render_chart_axis_at(const render_chart_axis *a, double v);
/** Draw the axis line, ticks (outwards, as render/ plots) and labels (plain numbers; K and M
 *  for thousands and millions), and @p title centred beside them. @p vertical: a y axis at x =
 *  @p at (labels to the left); else an x axis at y = @p at (labels below). */
void render_chart_axis_draw(render_chart *c, const render_chart_axis *a, bool vertical,
                            double at, const char *title);

/** Number of recorded operations with SVG class @p cls (tests). */
size_t render_chart_count(const render_chart *c, const char *cls);

/** Write the chart as PNG at @p scale pixels per unit (1..8), atomically, with @p meta tEXt
 *  chunks as render_image_write_png (identical charts give identical bytes). */
APO_NODISCARD apo_status render_chart_write_png(const render_chart *c, const char *path,
                                                double scale, size_t n_meta,
                                                const render_text_chunk *meta, apo_error *err);
/** Write the chart as a standalone SVG 1.1 file atomically; @p title (may be NULL) becomes its
 *  <title>. Numbers are written locale-free with 2 decimals; identical charts give identical
 *  bytes. */
APO_NODISCARD apo_status render_chart_write_svg(const render_chart *c, const char *path,
                                                const char *title, apo_error *err);

/** Write the chart as a one-page PDF 1.4 file atomically, 1 unit = 1 point, text as filled
 *  glyph outlines of DejaVu Sans (looks the same everywhere; not selectable); @p title (may be
 *  NULL; ASCII kept) goes into the document information. No dates: identical charts give
 *  identical bytes. */
APO_NODISCARD apo_status render_chart_write_pdf(const render_chart *c, const char *path,
                                                const char *title, apo_error *err);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_RENDER_CHART_H */
