/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_panel_threads.c: a panel drawn with render_options.jobs > 1 (its plots on threads, each
 * into its own cell, render/panel.c) is the image drawn by one thread, pixel for pixel and PNG
 * byte for byte, for several thread counts and a last row left partly empty; when plots fail,
 * the outcome is the first failing plot's, as drawn in order by one thread. (The run's
 * overview with --jobs 1 and 2 is compared end to end in tests/cli/test_batch.c.) The same
 * panel drawn in steps whose plots are tasks of a pool is the same file.
 */
#include "render/render_internal.h"
#include "support/png_util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N_PLOTS 11
#define N_EVENTS 3000

typedef struct panel_data {
    double x[N_PLOTS][N_EVENTS], y[N_PLOTS][N_EVENTS];
    render_plot p[N_PLOTS];
    render_quadrant q[N_PLOTS];
    char title[N_PLOTS][32];
} panel_data;

/* Quadrant plots like the run's overview, each cell with its own events, quadrant lines and
 * title (so a plot drawn into the wrong cell changes the image). */
static panel_data *overview_like(void)
{
    panel_data *d = calloc(1, sizeof *d);
    cr_assert_not_null(d);
    rt_rng r = {17};
    static const char *const labels[4] = {"Viable", "Early", "Late", "Necrotic"};
    for (size_t k = 0; k < N_PLOTS; k++) {
        for (size_t i = 0; i < N_EVENTS; i++) {
            double c = i % 3 ? 1000 + 300.0 * (double)k : 20000;
            d->x[k][i] = c + 400 * rt_normal(&r);
            d->y[k][i] = (i % 5 ? 800 : 15000 + 900.0 * (double)k) + 300 * rt_normal(&r);
        }
        render_plot *p = &d->p[k];
        render_plot_init(p);
        p->kind = k == 4 ? RENDER_DOT : RENDER_PSEUDOCOLOR;
        p->x = d->x[k];
        p->y = d->y[k];
        p->n = N_EVENTS;
        render_axis_init(&p->xaxis, NULL, "FL1-A Annexin V");
        render_axis_init(&p->yaxis, NULL, "FL3-A PI");
        d->q[k].x = 5000 + 100.0 * (double)k;
        d->q[k].y = 6000;
        for (int c = 0; c < 4; c++) {
            d->q[k].label[c] = labels[c];
            d->q[k].pct[c] = 10.0 * c + (double)k;
        }
        d->q[k].digits = 1;
        p->quadrant = &d->q[k];
        snprintf(d->title[k], sizeof d->title[k], "sample %zu", k + 1);
        p->title = d->title[k];
    }
    return d;
}

static render_image *draw_with(const render_panel_spec *panel, unsigned jobs)
{
    render_options o = RENDER_OPTIONS_INIT;
    o.size = 320;
    o.max_events = 2000; /* the display subsample too */
    o.jobs = jobs;
    render_image *img = NULL;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(render_panel(&img, panel, &o, &err), APO_OK, "jobs %u: %s", jobs, err.msg);
    return img;
}

Test(render_panel_threads, same_image_with_any_number_of_threads)
{
    panel_data *d = overview_like();
    render_panel_spec panel = {"Annexin V / PI quadrants (singlets)", N_PLOTS, d->p, 0};
    render_image *one = draw_with(&panel, 1);
    cr_assert_eq(one->width, 4 * 320); /* 4 columns, 3 rows, the last one with 3 plots */
    size_t bytes = (size_t)one->width * one->height * 3;
    /* every cell drawn: ink in each plot's cell */
    for (unsigned k = 0; k < N_PLOTS; k++) {
        unsigned band = one->height - 3 * 320, cx = (k % 4) * 320, cy = band + (k / 4) * 320;
        cr_assert(rt_ink(one, cx + 60, cy + 50, cx + 310, cy + 260) > 500, "cell %u empty", k);
    }
    const unsigned counts[] = {0, 2, 3, 4, 8, 11, 40};
    for (size_t t = 0; t < sizeof counts / sizeof *counts; t++) {
        render_image *img = draw_with(&panel, counts[t]);
        cr_assert_eq(img->width, one->width);
        cr_assert_eq(img->height, one->height);
        cr_assert(memcmp(img->rgb, one->rgb, bytes) == 0, "jobs %u: other pixels", counts[t]);
        render_image_free(img);
    }
    render_image_free(one);

    /* the PNG file too */
    char dir[256], p1[300], p2[300];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(p1, sizeof p1, "%s/1.png", dir);
    snprintf(p2, sizeof p2, "%s/2.png", dir);
    render_options o = RENDER_OPTIONS_INIT;
    o.size = 320;
    apo_error err;
    cr_assert_eq(render_panel_png(p1, &panel, &o, 0, NULL, &err), APO_OK, "%s", err.msg);
    o.jobs = 2;
    cr_assert_eq(render_panel_png(p2, &panel, &o, 0, NULL, &err), APO_OK, "%s", err.msg);
    size_t l1, l2;
    uint8_t *b1 = rt_read_file(p1, &l1), *b2 = rt_read_file(p2, &l2);
    cr_assert(b1 && b2 && l1 == l2 && memcmp(b1, b2, l1) == 0);
    free(b1);
    free(b2);
    rt_rmdir(dir);
    free(d);
}

Test(render_panel_threads, first_failing_plot_decides_the_outcome)
{
    panel_data *d = overview_like();
    d->p[6].kind = (render_kind)99; /* fails: a bad kind */
    d->p[3].y = NULL;               /* fails first in plot order: a 2-D plot without y */
    render_panel_spec panel = {NULL, N_PLOTS, d->p, 0};
    const unsigned counts[] = {1, 2, 4, 8};
    for (size_t t = 0; t < sizeof counts / sizeof *counts; t++) {
        render_options o = RENDER_OPTIONS_INIT;
        o.size = 320;
        o.jobs = counts[t];
        render_image *img = NULL;
        apo_error err;
        apo_error_clear(&err);
        cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_E_USAGE, "jobs %u", counts[t]);
        cr_assert_null(img);
        cr_assert(strstr(err.msg, "x and y values") != NULL, "jobs %u: %s", counts[t], err.msg);
    }
    free(d);
}

/* The panel drawn in steps (render_panel_begin / render_panel_step / render_panel_finish_png)
 * as tasks of a pool, with other work beside them, is render_panel_png's file byte for byte,
 * whatever the order of the steps and the number of threads, with the caller's cache or the
 * one the steps make for themselves when given none. (The image is under the size whose PNG
 * is deflated in pieces; test_png_bands.c covers the pieces.) */
typedef struct steps_job {
    render_panel_steps *s;
    size_t n;
    bool reverse;
} steps_job;

static void steps_task(void *ctx, size_t k)
{
    steps_job *j = ctx;
    if (k == 0) { /* other work in the same pool */
        return;
    }
    render_panel_step(j->s, j->reverse ? j->n - k : k - 1);
}

Test(render_panel_threads, steps_on_a_pool_give_the_same_file)
{
    panel_data *d = overview_like();
    render_panel_spec panel = {"Annexin V / PI quadrants (singlets)", N_PLOTS, d->p, 0};
    char dir[256], ref[300], path[300];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(ref, sizeof ref, "%s/ref.png", dir);
    snprintf(path, sizeof path, "%s/steps.png", dir);
    render_options o = RENDER_OPTIONS_INIT;
    o.size = 320;
    apo_error err;
    cr_assert_eq(render_panel_png(ref, &panel, &o, 0, NULL, &err), APO_OK, "%s", err.msg);
    size_t lr;
    uint8_t *br = rt_read_file(ref, &lr);
    cr_assert_not_null(br);
    const unsigned jobs[] = {1, 2, 5};
    for (size_t t = 0; t < 3; t++) {
        for (int variant = 0; variant < 2; variant++) { /* reversed; the caller's cache */
            render_options so = o;
            so.jobs = jobs[t];
            so.cache = variant ? render_cache_new() : NULL;
            render_panel_steps *s = NULL;
            cr_assert_eq(render_panel_begin(&s, &panel, &so, &err), APO_OK, "%s", err.msg);
            steps_job j = {s, N_PLOTS, variant == 0};
            apo_pool_run(N_PLOTS + 1, jobs[t], steps_task, NULL, &j);
            cr_assert_eq(render_panel_finish_png(s, path, 0, NULL, &err), APO_OK, "%s",
                         err.msg);
            render_cache_free(so.cache);
            size_t l;
            uint8_t *b = rt_read_file(path, &l);
            cr_assert(b != NULL && l == lr && memcmp(b, br, l) == 0,
                      "jobs %u, variant %d: other bytes", jobs[t], variant);
            free(b);
        }
    }
    free(br);

    /* failing plots: the first in plot order decides, and no file is written */
    d->p[6].kind = (render_kind)99;
    d->p[3].y = NULL;
    render_panel_steps *s = NULL;
    cr_assert_eq(render_panel_begin(&s, &panel, &o, &err), APO_OK, "%s", err.msg);
    for (size_t i = N_PLOTS; i-- > 0;) {
        render_panel_step(s, i);
    }
    snprintf(path, sizeof path, "%s/failed.png", dir);
    apo_error_clear(&err);
    cr_assert_eq(render_panel_finish_png(s, path, 0, NULL, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "x and y values") != NULL, "%s", err.msg);
    struct stat st;
    cr_assert_neq(stat(path, &st), 0, "a failed panel wrote a file");
    /* bad options fail in render_panel_begin, and abandoned steps are freed */
    render_options bad = o;
    bad.size = 10;
    cr_assert_eq(render_panel_begin(&s, &panel, &bad, &err), APO_E_USAGE);
    cr_assert_null(s);
    cr_assert_eq(render_panel_begin(&s, &panel, &o, &err), APO_OK);
    render_panel_steps_free(s);
    rt_rmdir(dir);
    free(d);
}
