/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * figures.c: the figures of a run (figures.h): each sample's gating-path panel (debris,
 * doublets, quadrants) on the thread pool, then the quadrant overview of all samples and
 * the Annexin V overlay of the stimulus-only group against each treated group, in one pool
 * whose tasks are the overview's image, the overlay, the report's figures of a run (run.c)
 * and the overview's plots (drawn in steps, render_panel_begin), or one after the other, the
 * overview first, on one thread;
 * each sample's event rate over Time (time_fig.c) from the panel's events. A sample's panel,
 * review preview and Time plot are drawn from the events the statistics pass holds when it
 * hands them over (report_figures_display); otherwise from a subsample of the file read
 * here. Plots keep only a thinned copy of each sample's singlets, never a whole file. All of
 * them share one render_cache (the axes' tables, made once per scale).
 */
#include "report/figures.h"
#include "report/gating_path.h"
#include "report/review.h"
#include "report/run_internal.h"

#include "render/render.h"
#include "util/paths.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Events drawn per sample: the per-sample panel reads at most PANEL_EVENTS of a sample's
 * events (every k-th); the overview and the overlay keep at most KEEP_SINGLETS of its
 * singlets once the panel is drawn, so plots never hold a whole file. */
#define PANEL_EVENTS REPORT_DISPLAY_EVENTS
#define KEEP_SINGLETS 20000u
/* Groups in the Annexin V overlay: the stimulus-only group and up to 15 treated groups. */
#define OVERLAY_GROUPS 16

typedef struct sample_view {
    fcs_events own;      /* the displayed events when read here (a subsample of large files) */
    uint8_t *own_singlet;
    double *own_ann, *own_pi;
    /* the displayed events: the ones read here, or the statistics pass's (borrowed) */
    const fcs_events *ev;
    const uint8_t *singlet;
    const double *ann, *pi; /* compensated */
    const gate_result *gates; /* every gate's membership of ev (borrowed), or NULL */
    double *sa, *sp;        /* singlets only */
    size_t ns;
} sample_view;

/* Free the displayed events (the thinned singlets stay). */
static void view_drop_events(sample_view *v)
{
    fcs_events_free(&v->own);
    free(v->own_singlet);
    free(v->own_ann);
    free(v->own_pi);
    v->own_singlet = NULL;
    v->own_ann = v->own_pi = NULL;
    v->ev = NULL;
    v->singlet = NULL;
    v->ann = v->pi = NULL;
    v->gates = NULL;
}

static void view_free(sample_view *v)
{
    view_drop_events(v);
    free(v->sa);
    free(v->sp);
    memset(v, 0, sizeof *v);
}

/* The singlets' AnnV and PI values of the displayed events. */
static apo_status view_singlets(sample_view *v, apo_error *err)
{
    size_t n = (size_t)v->ev->n_events;
    v->sa = malloc((n ? n : 1) * sizeof(double));
    v->sp = malloc((n ? n : 1) * sizeof(double));
    if (v->sa == NULL || v->sp == NULL) {
        view_free(v);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    v->ns = 0;
    for (size_t e = 0; e < n; e++) {
        if (v->singlet[e]) {
            v->sa[v->ns] = v->ann[e];
            v->sp[v->ns] = v->pi[e];
            v->ns++;
        }
    }
    return APO_OK;
}

/* Read sample @p in's displayed events from its file. */
static apo_status view_load(const assay_result *r, const assay_input *in, sample_view *v,
                            apo_error *err)
{
    memset(v, 0, sizeof *v);
    /* the panels need the singlets only: no quadrant membership (no transforms) */
    apo_status st = assay_sample_events(r, in, PANEL_EVENTS, &v->own, &v->own_singlet, NULL,
                                        &v->own_ann, &v->own_pi, err);
    if (st != APO_OK) {
        return st;
    }
    v->ev = &v->own;
    v->singlet = v->own_singlet;
    v->ann = v->own_ann;
    v->pi = v->own_pi;
    return view_singlets(v, err);
}

/* The statistics pass's displayed events, borrowed for the panel. */
static apo_status view_borrow(const assay_display *d, sample_view *v, apo_error *err)
{
    memset(v, 0, sizeof *v);
    v->ev = d->ev;
    v->singlet = d->singlet;
    v->ann = d->annexin;
    v->pi = d->pi;
    v->gates = d->gates;
    return view_singlets(v, err);
}

/* After the panel: keep every k-th singlet only (at most KEEP_SINGLETS) for the overview
 * and the overlay, and free the rest. */
static void view_shrink(sample_view *v)
{
    view_drop_events(v);
    const size_t step = v->ns > KEEP_SINGLETS ? (v->ns + KEEP_SINGLETS - 1) / KEEP_SINGLETS : 1;
    size_t m = 0;
    for (size_t k = 0; k < v->ns; k += step, m++) {
        v->sa[m] = v->sa[k];
        v->sp[m] = v->sp[k];
    }
    v->ns = m;
    double *a = realloc(v->sa, (m ? m : 1) * sizeof(double));
    double *p = realloc(v->sp, (m ? m : 1) * sizeof(double));
    if (a != NULL) {
        v->sa = a;
    }
    if (p != NULL) {
        v->sp = p;
    }
}

static const char *const quad_labels[4] = {"Viable", "Early apoptotic", "Late apoptotic",
                                           "Necrotic"};

static void quadrant_plot(render_plot *p, const assay_result *r, const assay_sample *s,
                          const sample_view *v, render_quadrant *q, const char *xt,
                          const char *yt)
{
    render_plot_init(p);
    p->kind = RENDER_PSEUDOCOLOR;
    p->x = v->sa;
    p->y = v->sp;
    p->n = v->ns;
    render_axis_init(&p->xaxis, &r->annexin_scale, xt);
    render_axis_init(&p->yaxis, &r->pi_scale, yt);
    memset(q, 0, sizeof *q);
    q->x = r->annexin.value;
    q->y = r->pi.value;
    for (int k = 0; k < 4; k++) {
        q->label[k] = quad_labels[k];
        q->pct[k] = s->pct[k];
    }
    q->digits = 1;
    p->quadrant = q;
}

/* The per-sample panels, run on the thread pool: each task fills only its own slots. */
typedef struct panel_job {
    const assay_result *r;
    const assay_input *in;
    sample_view *views;
    bool *have;
    apo_status *st;
    apo_error *errs;
    char (*xt)[128], (*yt)[128];
    bool *drawn; /* the panel was drawn from the statistics pass's events */
    const char *dir;
    render_options ro;
} panel_job;

/* The axis titles of sample i's Annexin V and PI channels ("$PnN $PnS"). */
static void channel_titles(const panel_job *j, const assay_result *r, size_t i)
{
    const assay_sample *s = &r->samples[i];
    const fcs_dataset *ds = j->in[i].ds;
    size_t ia = fcs_dataset_find_param(ds, s->annexin_name);
    size_t ip = fcs_dataset_find_param(ds, s->pi_name);
    render_axis_title(j->xt[i], sizeof j->xt[i], s->annexin_name,
                      ia != SIZE_MAX ? fcs_dataset_param(ds, ia)->label : "");
    render_axis_title(j->yt[i], sizeof j->yt[i], s->pi_name,
                      ip != SIZE_MAX ? fcs_dataset_param(ds, ip)->label : "");
}

/* Sample i's panel from its displayed events (views[i]): draw every gate applied before the
 * quadrants as applied (report/gating_path.c), then the quadrants; write plots/<sample>.png,
 * its review preview and Time plot, then thin the events for the overview. */
static void panel_draw(const panel_job *j, const assay_result *r, size_t i)
{
    const assay_sample *s = &r->samples[i];
    j->have[i] = true;
    channel_titles(j, r, i);
    render_gating_path gp;
    apo_status st = report_gating_path_build(r, &j->in[i], s, j->views[i].ev, j->views[i].gates,
                                             &gp, &j->errs[i]);
    if (st != APO_OK) {
        j->st[i] = st;
        view_shrink(&j->views[i]);
        return;
    }
    render_plot *p = calloc(gp.n_plots + 1, sizeof *p);
    if (p == NULL) {
        render_gating_path_free(&gp);
        j->st[i] = apo_error_set(&j->errs[i], APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                 "out of memory");
        view_shrink(&j->views[i]);
        return;
    }
    size_t np = gp.n_plots;
    if (np > 0) {
        memcpy(p, gp.plots, np * sizeof *p);
    }
    render_quadrant q;
    char sub[96];
    quadrant_plot(&p[np], r, s, &j->views[i], &q, j->xt[i], j->yt[i]);
    char cnt[32];
    render_format_count(cnt, sizeof cnt, s->singlets);
    snprintf(sub, sizeof sub, "Singlets, n = %s, apoptotic %.1f%%", cnt, s->apoptotic_pct);
    char title[48];
    snprintf(title, sizeof title, "Annexin V / %s", assay_dead_dye_label(r));
    p[np].title = title;
    p[np].subtitle = sub;
    np++;
    render_panel_spec panel = {j->in[i].sample, np, p, np};
    char path[PATH_MAX + 512];
    char stem[160];
    apo_output_name(j->in[i].sample, stem, sizeof stem); /* names are untrusted */
    snprintf(path, sizeof path, "%s/%s.png", j->dir, stem);
    render_text_chunk meta[] = {{"Source", j->in[i].file}};
    j->st[i] = render_panel_png(path, &panel, &j->ro, 1, meta, &j->errs[i]);
    if (j->st[i] == APO_OK) { /* the gate review's preview (report/review_preview.c) */
        j->st[i] = review_preview_write(j->dir, stem, r, &j->in[i], j->views[i].ev,
                                        j->views[i].singlet, j->views[i].ann, j->views[i].pi,
                                        &j->errs[i]);
    }
    if (j->st[i] == APO_OK) { /* the event rate over Time, from the same events */
        j->st[i] = report_time_plot(j->dir, stem, &j->in[i], s, j->views[i].ev, j->ro.cache,
                                    &j->errs[i]);
    }
    free(p);
    render_gating_path_free(&gp);
    view_shrink(&j->views[i]);
}

/* Sample i's panel when the statistics pass has not drawn it: read its displayed events. */
static void panel_task(void *ctx, size_t i)
{
    const panel_job *j = ctx;
    if ((j->r->samples[i].qc & ASSAY_QC_FAILED) || j->drawn[i]) {
        return;
    }
    apo_status st = view_load(j->r, &j->in[i], &j->views[i], &j->errs[i]);
    if (st != APO_OK) { /* out of memory stays out of memory; anything else is the data */
        j->st[i] = st == APO_E_NOMEM ? st : APO_E_FORMAT;
        return;
    }
    panel_draw(j, j->r, i);
}

typedef struct panel_ticks {
    const panel_job *job;
} panel_ticks;

static const char *panel_item(void *ctx, size_t i)
{
    return ((const panel_job *)ctx)->in[i].sample;
}

static uint64_t panel_events(void *ctx, size_t i)
{
    return ((const panel_job *)ctx)->r->samples[i].events;
}

/* The overview: the quadrant plots of every drawn sample in one grid, in the sheet's order
 * (axis titles: the last sample's), drawn in steps whose plots are tasks of the figure
 * stage's pool; the storage the panel points into. */
typedef struct overview {
    render_plot *grid;
    render_quadrant *gq;
    char (*titles)[160];
    size_t *order;
    char title[64];
    render_panel_spec panel;
    render_options ro;
    render_panel_steps *steps; /* NULL: nothing to draw, or st says why not */
    apo_status st;
    apo_error err;
} overview;

static void overview_free(overview *ov)
{
    render_panel_steps_free(ov->steps);
    free(ov->grid);
    free(ov->gq);
    free(ov->titles);
    free(ov->order);
    memset(ov, 0, sizeof *ov);
}

/* Lay the overview out: its plots are ov->panel.n_plots steps (none when there is nothing
 * to draw, or ov->st says why not). */
static void overview_layout(overview *ov, const panel_job *j, size_t n, unsigned jobs)
{
    memset(ov, 0, sizeof *ov);
    ov->grid = calloc(n ? n : 1, sizeof *ov->grid);
    ov->gq = calloc(n ? n : 1, sizeof *ov->gq);
    ov->titles = calloc(n ? n : 1, sizeof *ov->titles);
    ov->order = calloc(n ? n : 1, sizeof *ov->order);
    const char *xt = "", *yt = "";
    apo_error err;
    if (ov->grid == NULL || ov->gq == NULL || ov->titles == NULL || ov->order == NULL ||
        assay_result_sheet_order(j->in, n, ov->order, &err) != APO_OK) {
        ov->st = apo_error_set(&ov->err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                               "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (j->have[i]) {
            xt = j->xt[i];
            yt = j->yt[i];
        }
    }
    size_t ng = 0;
    for (size_t k = 0; k < n; k++) { /* in the sheet's order, as the report */
        size_t i = ov->order[k];
        if (j->have[i]) {
            quadrant_plot(&ov->grid[ng], j->r, &j->r->samples[i], &j->views[i], &ov->gq[ng],
                          xt, yt);
            snprintf(ov->titles[ng], sizeof ov->titles[ng], "%s", j->in[i].sample);
            ov->grid[ng].title = ov->titles[ng];
            ng++;
        }
    }
    if (ng == 0) {
        return;
    }
    snprintf(ov->title, sizeof ov->title, "Annexin V / %s quadrants (singlets)",
             assay_dead_dye_label(j->r));
    ov->panel = (render_panel_spec){ov->title, ng, ov->grid, 0};
    ov->ro = j->ro;
    ov->ro.size = 320;
    ov->ro.max_events = 5000;
    ov->ro.jobs = jobs ? jobs : apo_pool_cores(); /* the PNG's pieces on the run's threads */
}

/* Begin the laid-out overview: its image made (31 MB on the plate) and its title drawn. */
static void overview_begin(overview *ov)
{
    if (ov->st == APO_OK && ov->panel.n_plots > 0) {
        ov->st = render_panel_begin(&ov->steps, &ov->panel, &ov->ro, &ov->err);
    }
}

/* Write plots/overview.png once every plot is drawn, then free the overview. */
static apo_status overview_end(overview *ov, const char *dir, apo_error *err)
{
    apo_status st = ov->st;
    if (st != APO_OK) {
        *err = ov->err;
    } else if (ov->steps != NULL) {
        char path[PATH_MAX + 512];
        snprintf(path, sizeof path, "%s/overview.png", dir);
        st = render_panel_finish_png(ov->steps, path, 0, NULL, err);
        ov->steps = NULL;
    }
    overview_free(ov);
    return st;
}

/* The overlay's groups: slot 0 the stimulus-only samples, then treated groups (treatment and
 * dose) by first appearance, each with its pooled singlet Annexin V values. */
typedef struct overlay_groups {
    size_t n;
    const assay_input *keys[OVERLAY_GROUPS];
    double *pooled[OVERLAY_GROUPS];
    size_t pn[OVERLAY_GROUPS];
} overlay_groups;

/* The slot of sample @p x (a new one when its group is new); SIZE_MAX when full. */
static size_t overlay_slot(overlay_groups *g, const assay_input *x)
{
    if (x->role != ASSAY_ROLE_TREATED) {
        if (g->n == 0) {
            g->n = 1;
        }
        return 0;
    }
    size_t k;
    for (k = 1; k < g->n; k++) {
        if (strcmp(g->keys[k]->treatment, x->treatment) == 0 &&
            strcmp(g->keys[k]->dose_text, x->dose_text) == 0) {
            break;
        }
    }
    if (g->n == 0) {
        g->n = 1; /* reserve the stimulus slot */
        k = 1;
    }
    if (k == g->n) {
        if (g->n == OVERLAY_GROUPS) {
            return SIZE_MAX;
        }
        g->keys[g->n++] = x;
    }
    return k;
}

static void overlay_pool(overlay_groups *g, const panel_job *j, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const assay_input *x = &j->in[i];
        if (!j->have[i] || (x->role != ASSAY_ROLE_STIMULUS && x->role != ASSAY_ROLE_TREATED)) {
            continue;
        }
        size_t k = overlay_slot(g, x);
        if (k == SIZE_MAX) {
            continue;
        }
        const sample_view *v = &j->views[i];
        double *grow = realloc(g->pooled[k], (g->pn[k] + v->ns + 1) * sizeof(double));
        if (grow == NULL) {
            continue;
        }
        g->pooled[k] = grow;
        memcpy(g->pooled[k] + g->pn[k], v->sa, v->ns * sizeof(double));
        g->pn[k] += v->ns;
    }
}

/* Legend order: stimulus first, then by treatment and increasing dose (stable). */
static void overlay_order(const overlay_groups *g, size_t *order)
{
    for (size_t k = 0; k < g->n; k++) {
        order[k] = k;
    }
    for (size_t a = 2; a < g->n; a++) {
        for (size_t b = a; b > 1; b--) {
            const assay_input *x = g->keys[order[b - 1]], *y = g->keys[order[b]];
            int c = strcmp(x->treatment, y->treatment);
            if (c < 0 || (c == 0 && !(x->dose > y->dose))) {
                break;
            }
            size_t t = order[b - 1];
            order[b - 1] = order[b];
            order[b] = t;
        }
    }
}

static apo_status overlay_render(const overlay_groups *g, const assay_result *r,
                                 const char *dir, apo_error *err)
{
    size_t order[OVERLAY_GROUPS], m = 0;
    render_series series[OVERLAY_GROUPS];
    char labels[OVERLAY_GROUPS][96];
    overlay_order(g, order);
    for (size_t kk = 0; kk < g->n; kk++) {
        size_t k = order[kk];
        if (g->pn[k] == 0) {
            continue;
        }
        if (k == 0) {
            snprintf(labels[m], sizeof labels[m], "stimulus only");
        } else {
            snprintf(labels[m], sizeof labels[m], "%s %s %s", g->keys[k]->treatment,
                     g->keys[k]->dose_text, g->keys[k]->dose_unit);
        }
        series[m] = (render_series){g->pooled[k], g->pn[k], labels[m]};
        m++;
    }
    render_plot hp;
    render_plot_init(&hp);
    hp.kind = RENDER_HISTOGRAM;
    hp.series = series;
    hp.n_series = m;
    render_axis_init(&hp.xaxis, &r->annexin_scale, r->annexin_channel);
    hp.title = "Annexin V, singlets: treated vs stimulus only";
    render_panel_spec panel = {NULL, 1, &hp, 1};
    render_options ro = RENDER_OPTIONS_INIT;
    ro.size = 700;
    char path[PATH_MAX + 512];
    snprintf(path, sizeof path, "%s/overlay_annexin.png", dir);
    return render_panel_png(path, &panel, &ro, 0, NULL, err);
}

/* Annexin V overlay: stimulus-only pooled vs each treated group pooled. */
static apo_status write_overlay(const panel_job *j, size_t n, const char *dir, apo_error *err)
{
    overlay_groups g;
    memset(&g, 0, sizeof g);
    overlay_pool(&g, j, n);
    apo_status st = APO_OK;
    if (g.n >= 2 && g.pn[0] > 0) {
        st = overlay_render(&g, j->r, dir, err);
    }
    for (size_t k = 0; k < OVERLAY_GROUPS; k++) {
        free(g.pooled[k]);
    }
    return st;
}

/* The per-sample panels on @p jobs threads; failures reported in sample order. */
static apo_status write_panels(panel_job *j, size_t n, unsigned jobs, const apo_observer *obs)
{
    apo_observe_pool(obs, "plots", n, jobs, panel_task, j, panel_item, panel_events);
    apo_status worst = APO_OK;
    for (size_t i = 0; i < n; i++) {
        if (j->st[i] != APO_OK) {
            apo_observe_error(obs, &j->errs[i]);
            worst = apo_status_worse(worst, j->st[i]);
        }
    }
    return worst;
}

struct report_figures {
    char dir[PATH_MAX];
    size_t n;
    panel_job j;
    report_run_part part; /* what report_figures_run keeps for the report (run.c) */
};

report_run_part *report_figures_part(report_figures *f)
{
    return &f->part;
}

void report_figures_free(report_figures *f)
{
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; f->j.views != NULL && i < f->n; i++) {
        view_free(&f->j.views[i]);
    }
    free(f->j.views);
    free(f->j.have);
    free(f->j.drawn);
    free(f->j.st);
    free(f->j.errs);
    free(f->j.xt);
    free(f->j.yt);
    render_cache_free(f->j.ro.cache);
    report_run_part_free(&f->part);
    free(f);
}

apo_status report_figures_new(report_figures **out, const char *outdir, const assay_input *in,
                              size_t n, apo_error *err)
{
    *out = NULL;
    report_figures *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    snprintf(f->dir, sizeof f->dir, "%s/plots", outdir);
    int e = apo_mkdirs(f->dir);
    if (e != 0) {
        apo_status st = apo_error_set(err, APO_E_WRITE, f->dir, APO_NO_OFFSET, NULL,
                                      "cannot create folder: %s", strerror(e));
        free(f);
        return st;
    }
    size_t m = n ? n : 1;
    f->n = n;
    panel_job *j = &f->j;
    *j = (panel_job){.in = in, .dir = f->dir, .ro = RENDER_OPTIONS_INIT};
    j->ro.size = 420;
    j->ro.max_events = 20000;
    j->ro.cache = render_cache_new(); /* the quadrant plots and overview cells share axes;
                                         none when out of memory (the same pixels) */
    j->views = calloc(m, sizeof *j->views);
    j->have = calloc(m, sizeof *j->have);
    j->drawn = calloc(m, sizeof *j->drawn);
    j->st = calloc(m, sizeof *j->st);
    j->errs = calloc(m, sizeof *j->errs);
    j->xt = calloc(m, sizeof *j->xt);
    j->yt = calloc(m, sizeof *j->yt);
    if (!(j->views && j->have && j->drawn && j->st && j->errs && j->xt && j->yt)) {
        report_figures_free(f);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    *out = f;
    return APO_OK;
}

void report_figures_display(void *ctx, const assay_result *r, size_t i, const assay_display *d)
{
    report_figures *f = ctx;
    if (i >= f->n || f->j.drawn[i] || (r->samples[i].qc & ASSAY_QC_FAILED)) {
        return;
    }
    apo_error e;
    if (view_borrow(d, &f->j.views[i], &e) != APO_OK) {
        return; /* out of memory now: the figure stage reads the file */
    }
    f->j.drawn[i] = true;
    panel_draw(&f->j, r, i);
}

/* The figure stage after the panels: one pool whose tasks are the overview's beginning (its
 * image and title), the overlay, the caller's extra tasks and the overview's plots (last:
 * the small tasks that even the threads out); they read the thinned singlets and write
 * different files. The pool hands its tasks out in order, so a plot's task starts after the
 * beginning's has, on another thread or before on this one: it waits for it to end (under
 * @p lock). With one thread there is no pool (stage_serial). */
typedef struct stage_job {
    const panel_job *j;
    size_t n;
    const char *dir;
    overview ov;
    bool begun; /* the overview is begun (ov.steps, or ov.st why not) */
    pthread_mutex_t lock;
    pthread_cond_t begun_cv;
    apo_status overlay_st;
    apo_error overlay_err;
    size_t n_extra;
    apo_pool_task extra;
    void *extra_ctx;
} stage_job;

static void stage_task(void *ctx, size_t k)
{
    stage_job *sj = ctx;
    if (k == 0) {
        overview_begin(&sj->ov);
        pthread_mutex_lock(&sj->lock);
        sj->begun = true;
        pthread_cond_broadcast(&sj->begun_cv);
        pthread_mutex_unlock(&sj->lock);
    } else if (k == 1) {
        sj->overlay_st = write_overlay(sj->j, sj->n, sj->dir, &sj->overlay_err);
    } else if (k - 2 < sj->n_extra) {
        sj->extra(sj->extra_ctx, k - 2);
    } else {
        pthread_mutex_lock(&sj->lock);
        while (!sj->begun) {
            pthread_cond_wait(&sj->begun_cv, &sj->lock);
        }
        pthread_mutex_unlock(&sj->lock);
        if (sj->ov.steps != NULL) {
            render_panel_step(sj->ov.steps, k - 2 - sj->n_extra);
        }
    }
}

/* The stage's tasks on one thread, without a pool: the overview first, written and its image
 * freed before the other figures are drawn (as one task did before they shared the pool: the
 * 31 MB its image takes on the plate are then reused by theirs instead of new pages). */
static apo_status stage_serial(stage_job *sj, apo_error *ov_err)
{
    overview_begin(&sj->ov);
    for (size_t i = 0; sj->ov.steps != NULL && i < sj->ov.panel.n_plots; i++) {
        render_panel_step(sj->ov.steps, i);
    }
    apo_status ov = overview_end(&sj->ov, sj->dir, ov_err);
    sj->overlay_st = write_overlay(sj->j, sj->n, sj->dir, &sj->overlay_err);
    for (size_t k = 0; k < sj->n_extra; k++) {
        sj->extra(sj->extra_ctx, k);
    }
    return ov;
}

/* The stage's tasks on the pool of @p jobs threads, then the overview's PNG (its pieces on
 * the same number of threads). */
static apo_status stage_pool(stage_job *sj, unsigned jobs, apo_error *ov_err)
{
    size_t cells = sj->ov.st == APO_OK ? sj->ov.panel.n_plots : 0;
    apo_pool_run(2 + sj->n_extra + cells, jobs, stage_task, NULL, sj);
    return overview_end(&sj->ov, sj->dir, ov_err);
}

apo_status report_figures_stage(report_figures *f, const assay_result *r, unsigned jobs,
                                size_t n_extra, apo_pool_task extra, void *extra_ctx,
                                const apo_observer *obs)
{
    f->j.r = r;
    /* the panels the statistics pass did not draw */
    apo_status st = write_panels(&f->j, f->n, jobs, obs);
    apo_observe_status(obs, "rendering the overview and overlay ...");
    stage_job sj = {.j = &f->j, .n = f->n, .dir = f->dir, .overlay_st = APO_OK,
                    .lock = PTHREAD_MUTEX_INITIALIZER, .begun_cv = PTHREAD_COND_INITIALIZER,
                    .n_extra = n_extra, .extra = extra, .extra_ctx = extra_ctx};
    unsigned threads = jobs ? jobs : apo_pool_cores();
    overview_layout(&sj.ov, &f->j, f->n, threads);
    apo_error err;
    apo_status ov = threads > 1 ? stage_pool(&sj, threads, &err) : stage_serial(&sj, &err);
    if (ov != APO_OK) { /* failures reported in a fixed order: overview, overlay */
        apo_observe_error(obs, &err);
        st = apo_status_worse(st, ov);
    }
    if (sj.overlay_st != APO_OK) {
        apo_observe_error(obs, &sj.overlay_err);
        st = apo_status_worse(st, sj.overlay_st);
    }
    return st;
}
