/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_render_cache.c: plots drawn with a render_cache (the axes' tables made once per scale
 * and shared, render/cache.c) are the plots drawn without one, pixel for pixel: pseudocolor
 * and contour plots on logicle and arcsinh axes, on one thread and several, the cache used
 * again by a second panel (its tables and fonts reused: the pixels must not change; that
 * they are reused is checked on the tables below), and a panel with more scales than the
 * cache keeps (the rest made by each plot). And the cache itself: a table is built once per axis and then
 * found, a failed build is not tried again, a cache that is full or absent builds the
 * caller's own table once.
 */
#include "render/render_internal.h"
#include "support/png_util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define N_PLOTS 24
#define N_EVENTS 2500

typedef struct cache_data {
    double x[N_PLOTS][N_EVENTS], y[N_PLOTS][N_EVENTS];
    render_plot p[N_PLOTS];
} cache_data;

/* @p n_scales different x scales (logicle widths; plot 5 arcsinh) over the plots, y on one
 * logicle scale; every plot its own events; every 4th a contour plot. */
static cache_data *plots(size_t n_scales)
{
    cache_data *d = calloc(1, sizeof *d);
    cr_assert_not_null(d);
    rt_rng r = {29};
    gate_transform ty;
    cr_assert_eq(gate_transform_init_logicle(&ty, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    for (size_t k = 0; k < N_PLOTS; k++) {
        for (size_t i = 0; i < N_EVENTS; i++) {
            d->x[k][i] = (i % 3 ? 300.0 : 30000.0 + 500.0 * (double)k) * (1 + rt_normal(&r));
            d->y[k][i] = (i % 4 ? -50.0 : 9000.0) + 400 * rt_normal(&r);
        }
        gate_transform tx;
        if (k == 5) {
            cr_assert_eq(gate_transform_init_asinh(&tx, 150, NULL), APO_OK);
        } else {
            double w = 0.3 + 0.05 * (double)(k % n_scales);
            cr_assert_eq(gate_transform_init_logicle(&tx, 262144, w, 4.5, 0, NULL), APO_OK);
        }
        render_plot *p = &d->p[k];
        render_plot_init(p);
        p->kind = k % 4 == 3 ? RENDER_CONTOUR : RENDER_PSEUDOCOLOR;
        p->x = d->x[k];
        p->y = d->y[k];
        p->n = N_EVENTS;
        render_axis_init(&p->xaxis, &tx, "Annexin V");
        render_axis_init(&p->yaxis, &ty, "PI");
    }
    return d;
}

static render_image *draw(const cache_data *d, render_cache *cache, unsigned jobs)
{
    render_panel_spec panel = {"cache", N_PLOTS, d->p, 6};
    render_options o = RENDER_OPTIONS_INIT;
    o.size = 240;
    o.jobs = jobs;
    o.cache = cache;
    render_image *img = NULL;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_OK, "%s", err.msg);
    return img;
}

static void same_pixels(const render_image *a, const render_image *b, const char *what)
{
    cr_assert(a->width == b->width && a->height == b->height, "%s: other size", what);
    cr_assert(memcmp(a->rgb, b->rgb, (size_t)a->width * a->height * 3) == 0,
              "%s: other pixels", what);
}

static void check(size_t n_scales)
{
    cache_data *d = plots(n_scales);
    render_image *plain = draw(d, NULL, 1);
    const unsigned jobs[] = {1, 3};
    for (size_t t = 0; t < sizeof jobs / sizeof *jobs; t++) {
        render_cache *c = render_cache_new();
        cr_assert_not_null(c);
        render_image *first = draw(d, c, jobs[t]);  /* the tables made */
        render_image *again = draw(d, c, jobs[t]);  /* and found */
        char what[64];
        snprintf(what, sizeof what, "%zu scales, %u threads", n_scales, jobs[t]);
        same_pixels(plain, first, what);
        same_pixels(plain, again, what);
        render_image_free(first);
        render_image_free(again);
        render_cache_free(c);
    }
    render_image_free(plain);
    free(d);
}

Test(render_cache, plots_with_a_cache_are_the_plots_without)
{
    check(2);
}

Test(render_cache, more_scales_than_the_cache_keeps)
{
    check(N_PLOTS); /* 23 logicle x scales, the arcsinh one, the y scale: > 16 tables */
}

/* rcache_knots' builds, counted; a build of an axis whose hi is negative fails. */
static unsigned n_builds;

static double *counting_build(const raxis *a)
{
    n_builds++;
    if (a->hi < 0) {
        return NULL;
    }
    double *k = malloc(4 * sizeof *k);
    cr_assert_not_null(k);
    for (int i = 0; i < 4; i++) {
        k[i] = a->lo + i;
    }
    return k;
}

static raxis linear_axis(double lo, double hi)
{
    raxis a;
    memset(&a, 0, sizeof a);
    gate_transform_init_linear(&a.t);
    a.lo = lo;
    a.hi = hi;
    return a;
}

Test(render_cache, a_table_is_built_once_per_axis_and_then_found)
{
    render_cache *c = render_cache_new();
    cr_assert_not_null(c);
    n_builds = 0;
    raxis a = linear_axis(0, 1), b = linear_axis(0, 1);
    double *own = (double *)1;
    const double *k1 = rcache_knots(c, &a, counting_build, &own);
    cr_assert_not_null(k1);
    cr_assert_null(own, "a cached table is the cache's");
    const double *k2 = rcache_knots(c, &b, counting_build, &own);
    cr_assert_eq(k2, k1, "an equal axis finds the same table");
    cr_assert_eq(n_builds, 1u);

    /* a failed build gives NULL, once per call, and is not kept */
    raxis bad = linear_axis(0, -1);
    cr_assert_null(rcache_knots(c, &bad, counting_build, &own));
    cr_assert_null(own);
    cr_assert_eq(n_builds, 2u, "a failed build tried once");

    /* fill the cache (it holds axis a): the axes that still fit are kept, every later new
     * axis is built once, as the caller's own */
    unsigned built = n_builds;
    for (int i = 1; i < 64; i++) {
        raxis x = linear_axis(i, i + 1);
        const double *k = rcache_knots(c, &x, counting_build, &own);
        cr_assert_not_null(k);
        cr_assert_float_eq(k[0], (double)i, 0);
        cr_assert_eq(n_builds, ++built, "axis %d built once", i);
        cr_assert_eq(own != NULL, i >= RCACHE_TABLES, "axis %d: the caller's own only once full",
                     i);
        if (own != NULL) {
            cr_assert_eq(k, own);
            free(own);
        }
    }
    raxis first = linear_axis(1, 2); /* kept while there was room: found, not built */
    cr_assert_not_null(rcache_knots(c, &first, counting_build, &own));
    cr_assert_null(own);
    cr_assert_eq(n_builds, built);
    render_cache_free(c);

    /* no cache: every call builds the caller's own */
    cr_assert_not_null(rcache_knots(NULL, &a, counting_build, &own));
    cr_assert_not_null(own);
    free(own);
    cr_assert_eq(n_builds, built + 1);
}
