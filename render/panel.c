/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * panel.c: the entry points render_panel / render_panel_png: checks the options, lays plots
 * out in a grid of size x size cells (times scale) under an optional shared main title, opens
 * the font once per call and draws every plot.
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

apo_status render_panel(render_image **out, const render_panel_spec *panel,
                        const render_options *opts, apo_error *err)
{
    *out = NULL;
    apo_status st = check_opts(opts, panel, err);
    if (st != APO_OK) return st;
    size_t cols = panel->columns;
    if (cols == 0) {
        cols = (size_t)ceil(sqrt((double)panel->n_plots));
    }
    if (cols > panel->n_plots) cols = panel->n_plots;
    size_t rows = (panel->n_plots + cols - 1) / cols;
    rctx ctx;
    ctx.opts = opts;
    double rel = opts->size / 600.0;
    ctx.u = opts->scale * (rel < 0.7 ? 0.7 : (rel > 1 ? 1 : rel));
    rcmap_build(opts->colormap, ctx.lut);
    unsigned cell = opts->size * opts->scale;
    bool titled = panel->title && panel->title[0];
    unsigned band = titled ? (unsigned)lround(TITLE_BAND * ctx.u) : 0;
    if ((double)cols * cell > 32768 || (double)rows * cell + band > 32768) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a panel of at most 32768 px per side, found %zu x %zu "
                             "cells of %u px", cols, rows, cell);
    }
    render_image *img = NULL;
    st = render_image_new(&img, (unsigned)(cols * cell), (unsigned)(rows * cell + band), err);
    if (st != APO_OK) return st;
    st = rcache_font_take(opts->cache, &ctx.font, err);
    if (st != APO_OK) {
        render_image_free(img);
        return st;
    }
    if (titled) {
        rc_canvas c;
        rc_canvas_init(&c, img);
        double px = 18 * ctx.u;
        rtext_metrics m = rtext_measure(ctx.font, panel->title, px, true);
        if (m.width > img->width - 16 * ctx.u) {
            px *= (img->width - 16 * ctx.u) / m.width;
            m = rtext_measure(ctx.font, panel->title, px, true);
        }
        rtext_draw(&c, ctx.font, panel->title, (img->width - m.width) / 2, band * 0.72, px, true,
                   0x000000);
    }
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

apo_status render_panel_png(const char *path, const render_panel_spec *panel,
                            const render_options *opts, size_t n_text,
                            const render_text_chunk *text, apo_error *err)
{
    render_image *img = NULL;
    apo_status st = render_panel(&img, panel, opts, err);
    if (st != APO_OK) return st;
    unsigned dpi = opts->dpi ? opts->dpi : (opts->scale == 1 ? 96 : 150 * opts->scale);
    st = render_image_write_png_jobs(img, path, dpi, n_text, text, opts->jobs ? opts->jobs : 1,
                                     err);
    render_image_free(img);
    return st;
}
