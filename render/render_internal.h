/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * render_internal.h: private interfaces shared by the files of render/: the clipped canvas
 * and its anti-aliased primitives (canvas.c), FreeType text (font.c), colour maps
 * (colormap.c), the smoothed 2-D density (density.c), axes (axis.c) and the plot kinds.
 * Not installed; only the render module sources and tests/render/ include it.
 */
#ifndef APOFLOW_RENDER_RENDER_INTERNAL_H
#define APOFLOW_RENDER_RENDER_INTERNAL_H

#include "render/render.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- canvas.c: drawing onto an image inside a clip rectangle ---------------------------- */

/* Colours are 0xRRGGBB. */
typedef struct rc_canvas {
    render_image *img;
    int clip_x0, clip_y0, clip_x1, clip_y1; /* half-open pixel rectangle */
} rc_canvas;

void rc_canvas_init(rc_canvas *c, render_image *img);
void rc_canvas_clip(rc_canvas *c, int x0, int y0, int x1, int y1);
void rc_canvas_unclip(rc_canvas *c);
/* Blend @p color with opacity @p alpha (0..1) into pixel (x, y) if inside the clip. */
void rc_blend(const rc_canvas *c, int x, int y, uint32_t color, double alpha);
/* Solid pixel-aligned rectangle [x0, x1) x [y0, y1) (no anti-aliasing), for dots. */
void rc_fill_box(const rc_canvas *c, int x0, int y0, int x1, int y1, uint32_t color);
/* Anti-aliased rectangle with fractional edges. */
void rc_fill_rect(const rc_canvas *c, double x0, double y0, double x1, double y1,
                  uint32_t color, double alpha);
/* Anti-aliased line of @p width pixels with round caps (pixel centres at +0.5). */
void rc_line(const rc_canvas *c, double x0, double y0, double x1, double y1, double width,
             uint32_t color, double alpha);
/* Lines through @p n points (interleaved x, y), closed when @p closed. */
void rc_polyline(const rc_canvas *c, const double *xy, size_t n, bool closed, double width,
                 uint32_t color, double alpha);
/* Anti-aliased even-odd filled polygon (4 sub-scanlines per pixel row). */
apo_status rc_fill_polygon(const rc_canvas *c, const double *xy, size_t n, uint32_t color,
                           double alpha, apo_error *err);
/* Anti-aliased filled disc. */
void rc_disc(const rc_canvas *c, double cx, double cy, double r, uint32_t color, double alpha);

/* ---- font.c: FreeType text -------------------------------------------------------------- */

typedef struct rfont rfont; /* FreeType library + regular and bold DejaVu Sans faces */

apo_status rfont_open(rfont **out, apo_error *err);
void rfont_free(rfont *f);

typedef struct rtext_metrics {
    double width;   /* advance width, px */
    double ascent;  /* above the baseline, px (font ascender at this size) */
    double descent; /* below the baseline, px, positive */
} rtext_metrics;

rtext_metrics rtext_measure(rfont *f, const char *utf8, double px, bool bold);
/* Draw @p utf8 with its baseline starting at (x, y). @return the advance width. */
double rtext_draw(const rc_canvas *c, rfont *f, const char *utf8, double x, double y,
                  double px, bool bold, uint32_t color);
/* Draw rotated 90 degrees counter-clockwise (reads bottom to top): the baseline runs upward
 * along x = @p x starting at y = @p y. */
apo_status rtext_draw_up(const rc_canvas *c, rfont *f, const char *utf8, double x, double y,
                         double px, bool bold, uint32_t color, apo_error *err);

/* The glyph outlines of @p utf8 laid out as rtext_draw lays it out (baseline from (x, y), the
 * same advances and kerning), as path segments in image units, y down: @p fn gets 'M' (x, y),
 * 'L' (x, y), 'C' (x1, y1, x2, y2, x, y) and 'Z' (NULL). Fill with the non-zero rule. */
typedef void (*rtext_path_fn)(void *ctx, char op, const double *pts);
void rtext_outline(rfont *f, const char *utf8, double x, double y, double px, bool bold,
                   rtext_path_fn fn, void *ctx);

/* A tick label: @p base with an optional raised, smaller exponent ("10" + "3"). */
typedef struct rlabel {
    char base[24];
    char exp[8];
} rlabel;

double rlabel_width(rfont *f, const rlabel *l, double px);
void rlabel_draw(const rc_canvas *c, rfont *f, const rlabel *l, double x, double y, double px,
                 uint32_t color);

/* ---- colormap.c -------------------------------------------------------------------------- */

/* Fill @p lut with 256 colours, low to high density. */
void rcmap_build(render_colormap map, uint32_t lut[256]);

/* ---- density.c --------------------------------------------------------------------------- */

/*
 * 2-D histogram of points (u, v) in [0, 1]^2 (outside values are clamped onto the edge) on an
 * nb x nb grid, then Gaussian smoothing with @p sigma bins. grid[j * nb + i], i along u.
 */
apo_status rdensity_grid(const double *u, const double *v, size_t n, size_t nb, double sigma,
                         double **grid_out, apo_error *err);
/* Bilinear interpolation of the grid at (u, v) (bin centres at (i + 0.5) / nb); inline, as
 * it is called once per drawn event. */
static inline double rdensity_at(const double *grid, size_t nb, double u, double v)
{
    double fu = u * (double)nb - 0.5, fv = v * (double)nb - 0.5;
    double lim = (double)nb - 1;
    if (!(fu > 0)) fu = 0;
    if (!(fv > 0)) fv = 0;
    if (fu > lim) fu = lim;
    if (fv > lim) fv = lim;
    size_t i0 = (size_t)fu, j0 = (size_t)fv;
    size_t i1 = i0 + 1 < nb ? i0 + 1 : i0, j1 = j0 + 1 < nb ? j0 + 1 : j0;
    double a = fu - (double)i0, b = fv - (double)j0;
    return (1 - b) * ((1 - a) * grid[j0 * nb + i0] + a * grid[j0 * nb + i1]) +
           b * ((1 - a) * grid[j1 * nb + i0] + a * grid[j1 * nb + i1]);
}
/* Separable Gaussian smoothing of an n-vector (histograms). @p tmp holds n values. */
void rdensity_smooth_1d(double *x, size_t n, double sigma, double *tmp);
/* The zlib stream (RFC 1950/1951) of the PNG rows of an image: each of @p height rows of
 * @p row_bytes bytes at rgb + y * row_bytes, preceded by filter byte 0 (None), read in place;
 * into out[0..cap): its length, 0 when it does not fit or out of memory (png_deflate.c).
 * rpng_zlib_bound((row_bytes + 1) * height) bytes always suffice. */
size_t rpng_zlib(const uint8_t *rgb, size_t row_bytes, size_t height, uint8_t *out,
                 size_t cap);
size_t rpng_zlib_bound(size_t n);
/* How many pieces rpng_zlib_bands makes of an image's rows: 1 below a few MB of rows, then
 * one per 2 MB (rounded down; at most one per row). It depends on the size alone, so the
 * bytes of a PNG do not depend on the threads that wrote it. */
size_t rpng_zlib_bands_count(size_t row_bytes, size_t height);
/* rpng_zlib with the rows cut into @p n_bands pieces of consecutive rows, each compressed
 * on its own (on @p jobs threads, apo_pool_run) and ending on a byte boundary (an empty
 * stored block after all but the last, which is final), then concatenated; the Adler-32
 * is combined from the pieces'. The same rows come out; with n_bands <= 1 it is rpng_zlib.
 * Its length, 0 when it does not fit in @p cap or out of memory; rpng_zlib_bound(n) +
 * 16 * n_bands bytes always suffice. */
size_t rpng_zlib_bands(const uint8_t *rgb, size_t row_bytes, size_t height, size_t n_bands,
                       unsigned jobs, uint8_t *out, size_t cap);

/* ---- axis.c ------------------------------------------------------------------------------ */

/* An axis resolved for drawing: display-scale range and the tick set. */
typedef struct raxis {
    gate_transform t;
    double lo, hi; /* display scale */
    bool decades;  /* decade-style ticks (logicle, asinh, log ...) */
} raxis;

typedef struct rtick {
    double value; /* data units */
    double frac;  /* 0..1 along the axis */
    bool major;
    bool labelled;
    rlabel label;
} rtick;

/* Resolve @p a for data @p x (n values, may be NULL): range in display units. */
apo_status raxis_resolve(raxis *out, const render_axis *a, const double *x, size_t n,
                         apo_error *err);
/* Fraction 0..1 of data value @p v along the axis (clamped to [0, 1]; NaN stays NaN). */
double raxis_frac(const raxis *a, double v);
/* Fraction of a display-scale value (not clamped). */
double raxis_frac_display(const raxis *a, double d);
/* Ticks inside the axis; *out is malloc'd. */
apo_status raxis_ticks(const raxis *a, rtick **out, size_t *n_out, apo_error *err);
/* Decide which labels of @p t are drawn (sets labelled = false for dropped ones): by
 * priority (0 first, then outward), a label whose extent[i]-wide box (px, centred on
 * frac * len) comes closer than 4 px to a placed one or whose centre is off the axis drops. */
apo_status raxis_place_labels(rtick *t, size_t n, const double *extent, double len,
                              apo_error *err);
/* Linear axis from lo to hi in plain numbers (histogram y). */
void raxis_linear(raxis *out, double lo, double hi);

/* ---- quantile.c -------------------------------------------------------------------------- */

/* The q-quantile (0..1, nearest rank) of the finite values of x; NaN when none. */
apo_status rquantile(const double *x, size_t n, double q, double *out, apo_error *err);
/* As rquantile for @p nq quantiles q[] at once (one copy of x), into out[]. */
apo_status rquantiles(const double *x, size_t n, size_t nq, const double *q, double *out,
                      apo_error *err);

/* ---- plot.c: one plot into a cell -------------------------------------------------------- */

typedef struct rctx {
    rfont *font;
    double u;                 /* length unit: px per 1x pixel */
    const render_options *opts;
    uint32_t lut[256];
} rctx;

/* The plot frame inside a cell. */
typedef struct rframe {
    double x0, y0, x1, y1; /* plot area, px */
} rframe;

apo_status rplot_draw(render_image *img, rctx *ctx, const render_plot *p, int cell_x,
                      int cell_y, int cell_w, int cell_h, apo_error *err);
/* Axis fractions of every event (NaN for NaN input); *u and *v are malloc'd (scatter.c);
 * the axes' tables from @p cache (may be NULL). */
apo_status rplot_fracs(const raxis *ax, const raxis *ay, const double *x, const double *y,
                       size_t n, render_cache *cache, double **u, double **v, apo_error *err);
/* Axis tables a render_cache keeps at most (rcache_knots). */
#define RCACHE_TABLES 16
/* The table @p build makes for axis @p a, from @p cache: made once per axis (the same
 * transform and range, bit for bit) and kept there. When @p cache is NULL or full the table
 * is built once for the caller, who frees *@p own (else NULL). NULL when @p build gives NULL,
 * which is then not tried again (cache.c). */
const double *rcache_knots(render_cache *cache, const raxis *a,
                           double *(*build)(const raxis *a), double **own);
/* A font for one figure: one that @p cache holds (with its cached glyphs) or a new one;
 * hand it back with rcache_font_give, which keeps it in @p cache or frees it. @p cache may
 * be NULL (then these are rfont_open and rfont_free). */
apo_status rcache_font_take(render_cache *cache, rfont **out, apo_error *err);
void rcache_font_give(render_cache *cache, rfont *f);
/* Density smoothing width in bins for n events on a 256-bin grid. */
double rplot_sigma(size_t n);
/* 2-D event layers (scatter.c). */
/* @p p holds the events drawn (the display subsample of rplot_draw). */
apo_status rplot_scatter(const rc_canvas *c, rctx *ctx, const render_plot *p, const raxis *ax,
                         const raxis *ay, const rframe *f, apo_error *err);
apo_status rplot_contour(const rc_canvas *c, rctx *ctx, const render_plot *p, const raxis *ax,
                         const raxis *ay, const rframe *f, apo_error *err);
/* Histogram curves and legend (hist.c); @p ay receives the y axis it used. */
apo_status rplot_hist(const rc_canvas *c, rctx *ctx, const render_plot *p, const raxis *ax,
                      raxis *ay, const rframe *f, apo_error *err);
/* Axes, frame and axis titles (axis_draw.c). */
apo_status rplot_axes(const rc_canvas *c, rctx *ctx, const raxis *ax, const raxis *ay,
                      const char *xtitle, const char *ytitle, const rframe *f, apo_error *err);
/* Quadrant and gates (overlay.c). */
apo_status rplot_overlays(const rc_canvas *c, rctx *ctx, const render_plot *p, const raxis *ax,
                          const raxis *ay, const rframe *f, apo_error *err);
/* The part of gate @p g inside the plot window as a pixel polygon (gate_outline.c): clipped
 * to the window in the gate's own coordinates, edges traced onto the axes' display scales,
 * clipped to @p f. *xy_out is malloc'd; *n_out is 0 (and *xy_out NULL) when nothing of the
 * gate is visible. APO_E_USAGE for a malformed gate, APO_E_NOMEM. */
apo_status rgate_outline(const render_gate *g, const raxis *ax, const raxis *ay,
                         const rframe *f, double **xy_out, size_t *n_out, apo_error *err);
/* A label box: text lines on a white box at 75 % opacity, top-left at (x, y). */
void rplot_label_box(const rc_canvas *c, rctx *ctx, const char *line1, const char *line2,
                     double x, double y, double *w_out, double *h_out, bool draw);

#endif /* APOFLOW_RENDER_RENDER_INTERNAL_H */
