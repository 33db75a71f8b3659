/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * panel.c: the entry points render_panel / render_panel_png: checks the options, lays plots
 * out in a grid of size x size cells (times scale) under an optional shared main title, opens
 * the font once per call and draws every plot; the same panel drawn in steps
 * (render_panel_begin, render_panel_step, render_panel_finish_png), so that a caller can
 * draw its plots as tasks of its own pool.
 */
#include "render/render_internal.h"

#include "util/util.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

#define TITLE_BAND 40

static apo_status check_opts(const render_options *o, const render_panel_spec *panel,
                             apo_error *err)
{
    if (!o || o->size < 200 || o->size > 4000 || o->scale < 1 || o->scale > 4) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected size 200..4000 and scale 1..4, found %u and %u",
                             o ? o->size : 0, o ? o->scale : 0);
    }
    if (o->colormap > RENDER_CMAP_GREY) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a colormap 0..2, found %d", (int)o->colormap);
    }
    if (!panel || panel->n_plots == 0 || !panel->plots || panel->n_plots > 256) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected 1..256 plots in a panel, found %zu",
                             panel ? panel->n_plots : 0);
    }
    return APO_OK;
}

/* Plot @p i of the panel into its cell (row-major, below the title band). */
static apo_status draw_cell(render_image *img, rctx *ctx, const render_panel_spec *panel,
                            size_t i, size_t cols, unsigned cell, unsigned band, apo_error *err)
{
    int cx = (int)((i % cols) * cell), cy = (int)(band + (i / cols) * cell);
    return rplot_draw(img, ctx, &panel->plots[i], cx, cy, (int)cell, (int)cell, err);
}

/* The plots drawn on threads: each task takes the next plot not yet taken (so a thread that
 * gets less of the processor draws fewer) with its own font (FreeType faces are not shared
 * between threads; task 0 uses the caller's); each plot's outcome in its own slot. A task
 * whose font cannot be opened draws nothing and leaves its plots to the others (task 0
 * draws until none is left), so every plot is drawn as on one thread. */
typedef struct cells_job {
    render_image *img;
    const rctx *ctx;
    const render_panel_spec *panel;
    size_t cols;
    unsigned cell, band;
    apo_status *st;
    apo_error *errs;
    atomic_size_t next; /* the next plot to draw */
} cells_job;

static void cells_task(void *vctx, size_t k)
{
    cells_job *j = vctx;
    rctx ctx = *j->ctx; /* task 0 draws with the caller's font */
    apo_error err;
    if (k > 0 && rcache_font_take(ctx.opts->cache, &ctx.font, &err) != APO_OK) {
        return;
    }
    for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->panel->n_plots;) {
        j->st[i] = draw_cell(j->img, &ctx, j->panel, i, j->cols, j->cell, j->band, &j->errs[i]);
    }
    if (k > 0) {
        rcache_font_give(ctx.opts->cache, ctx.font);
    }
}

/* Every plot on opts->jobs threads; the first failure in plot order is the outcome, as when
 * one thread draws them in order and stops there. */
static apo_status draw_cells_threads(render_image *img, const rctx *ctx,
                                     const render_panel_spec *panel, size_t cols,
                                     unsigned cell, unsigned band, apo_error *err)
{
    size_t n = panel->n_plots;
    apo_status *st = calloc(n, sizeof *st);
    apo_error *errs = calloc(n, sizeof *errs);
    if (st == NULL || errs == NULL) {
        free(st);
        free(errs);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu plots, found none", n);
    }
    size_t n_tasks = ctx->opts->jobs < n ? ctx->opts->jobs : n;
    cells_job j = {img, ctx, panel, cols, cell, band, st, errs, 0};
    atomic_init(&j.next, 0);
    apo_pool_run(n_tasks, (unsigned)n_tasks, cells_task, NULL, &j);
    apo_status out = APO_OK;
    for (size_t i = 0; i < n && out == APO_OK; i++) {
        if (st[i] != APO_OK) {
            out = st[i];
            if (err != NULL) {
                *err = errs[i];
            }
        }
    }
    free(st);
    free(errs);
    return out;
}

/* What render_panel and render_panel_begin share: the options checked, the grid laid out
 * (*cols, *cell, *band), the image made, a font taken into ctx->font (ctx->opts set by the
 * caller) and the panel's title drawn first, before any cell. */
static apo_status panel_start(render_image **img_out, rctx *ctx, size_t *cols_out,
                              unsigned *cell_out, unsigned *band_out,
                              const render_panel_spec *panel, apo_error *err)
{
    const render_options *opts = ctx->opts;
    *img_out = NULL;
    apo_status st = check_opts(opts, panel, err);
    if (st != APO_OK) return st;
    size_t cols = panel->columns;
    if (cols == 0) {
        cols = (size_t)ceil(sqrt((double)panel->n_plots));
    }
    if (cols > panel->n_plots) cols = panel->n_plots;
    size_t rows = (panel->n_plots + cols - 1) / cols;
    double rel = opts->size / 600.0;
    ctx->u = opts->scale * (rel < 0.7 ? 0.7 : (rel > 1 ? 1 : rel));
    rcmap_build(opts->colormap, ctx->lut);
    unsigned cell = opts->size * opts->scale;
    bool titled = panel->title && panel->title[0];
    unsigned band = titled ? (unsigned)lround(TITLE_BAND * ctx->u) : 0;
    if ((double)cols * cell > 32768 || (double)rows * cell + band > 32768) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a panel of at most 32768 px per side, found %zu x %zu "
                             "cells of %u px", cols, rows, cell);
    }
    render_image *img = NULL;
    st = render_image_new(&img, (unsigned)(cols * cell), (unsigned)(rows * cell + band), err);
    if (st != APO_OK) return st;
    st = rcache_font_take(opts->cache, &ctx->font, err);
    if (st != APO_OK) {
        render_image_free(img);
        return st;
    }
    if (titled) {
        rc_canvas c;
        rc_canvas_init(&c, img);
        double px = 18 * ctx->u;
        rtext_metrics m = rtext_measure(ctx->font, panel->title, px, true);
        if (m.width > img->width - 16 * ctx->u) {
            px *= (img->width - 16 * ctx->u) / m.width;
            m = rtext_measure(ctx->font, panel->title, px, true);
        }
        rtext_draw(&c, ctx->font, panel->title, (img->width - m.width) / 2, band * 0.72, px,
                   true, 0x000000);
    }
    *img_out = img;
    *cols_out = cols;
    *cell_out = cell;
    *band_out = band;
    return APO_OK;
}

apo_status render_panel(render_image **out, const render_panel_spec *panel,
                        const render_options *opts, apo_error *err)
{
    *out = NULL;
    rctx ctx;
    ctx.opts = opts;
    render_image *img = NULL;
    size_t cols = 0;
    unsigned cell = 0, band = 0;
    apo_status st = panel_start(&img, &ctx, &cols, &cell, &band, panel, err);
    if (st != APO_OK) return st;
    if (opts->jobs > 1 && panel->n_plots > 1) {
        st = draw_cells_threads(img, &ctx, panel, cols, cell, band, err);
    } else {
        for (size_t i = 0; i < panel->n_plots && st == APO_OK; i++) {
            st = draw_cell(img, &ctx, panel, i, cols, cell, band, err);
        }
    }
    rcache_font_give(opts->cache, ctx.font);
    if (st != APO_OK) {
        render_image_free(img);
        return st;
    }
    *out = img;
    return APO_OK;
}

/* The PNG of a drawn panel: dpi from @p opts, a large image's pieces on opts->jobs threads. */
static apo_status panel_write_png(const render_image *img, const char *path,
                                  const render_options *opts, size_t n_text,
                                  const render_text_chunk *text, apo_error *err)
{
    unsigned dpi = opts->dpi ? opts->dpi : (opts->scale == 1 ? 96 : 150 * opts->scale);
    return render_image_write_png_jobs(img, path, dpi, n_text, text, opts->jobs ? opts->jobs : 1,
                                       err);
}

apo_status render_panel_png(const char *path, const render_panel_spec *panel,
                            const render_options *opts, size_t n_text,
                            const render_text_chunk *text, apo_error *err)
{
    render_image *img = NULL;
    apo_status st = render_panel(&img, panel, opts, err);
    if (st != APO_OK) return st;
    st = panel_write_png(img, path, opts, n_text, text, err);
    render_image_free(img);
    return st;
}

/* A panel drawn in steps (render.h): the image with its title, the layout and the drawing
 * context without a font (each step takes its own), each plot's outcome in its own slot. */
struct render_panel_steps {
    const render_panel_spec *panel;
    render_options opts;     /* the caller's, with a cache of the steps' own when it has none
                                (fonts passed from step to step; the same pixels) */
    render_cache *own_cache;
    rctx ctx;
    render_image *img;
    size_t cols;
    unsigned cell, band;
    apo_status *st;
    apo_error *errs;
};

void render_panel_steps_free(render_panel_steps *s)
{
    if (s == NULL) {
        return;
    }
    render_image_free(s->img);
    free(s->st);
    free(s->errs);
    render_cache_free(s->own_cache);
    free(s);
}

apo_status render_panel_begin(render_panel_steps **out, const render_panel_spec *panel,
                              const render_options *opts, apo_error *err)
{
    *out = NULL;
    render_panel_steps *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a panel's steps, found none");
    }
    s->panel = panel;
    if (opts != NULL) {
        s->opts = *opts;
    }
    if (opts != NULL && opts->cache == NULL) {
        s->own_cache = render_cache_new(); /* NULL: each step opens a font */
        s->opts.cache = s->own_cache;
    }
    s->ctx.opts = opts != NULL ? &s->opts : NULL;
    apo_status st = panel_start(&s->img, &s->ctx, &s->cols, &s->cell, &s->band, panel, err);
    if (st != APO_OK) {
        render_panel_steps_free(s);
        return st;
    }
    rcache_font_give(s->opts.cache, s->ctx.font); /* the first step takes it */
    s->ctx.font = NULL;
    s->st = calloc(panel->n_plots, sizeof *s->st);
    s->errs = calloc(panel->n_plots, sizeof *s->errs);
    if (s->st == NULL || s->errs == NULL) {
        render_panel_steps_free(s);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu plots, found none", panel->n_plots);
    }
    *out = s;
    return APO_OK;
}

void render_panel_step(render_panel_steps *s, size_t i)
{
    if (i >= s->panel->n_plots) {
        return;
    }
    rctx ctx = s->ctx;
    s->st[i] = rcache_font_take(s->opts.cache, &ctx.font, &s->errs[i]);
    if (s->st[i] == APO_OK) {
        s->st[i] = draw_cell(s->img, &ctx, s->panel, i, s->cols, s->cell, s->band, &s->errs[i]);
        rcache_font_give(s->opts.cache, ctx.font);
    }
}

apo_status render_panel_finish_png(render_panel_steps *s, const char *path, size_t n_text,
                                   const render_text_chunk *text, apo_error *err)
{
    apo_status st = APO_OK;
    for (size_t i = 0; i < s->panel->n_plots && st == APO_OK; i++) {
        if (s->st[i] != APO_OK) { /* the first failing plot, as render_panel */
            st = s->st[i];
            if (err != NULL) {
                *err = s->errs[i];
            }
        }
    }
    if (st == APO_OK) {
        st = panel_write_png(s->img, path, &s->opts, n_text, text, err);
    }
    render_panel_steps_free(s);
    return st;
}
