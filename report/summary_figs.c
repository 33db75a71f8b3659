/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * summary_figs.c: the two summary figures of a run (docs/plots.md, "Summary figures"), each
 * as PNG and SVG: plots/summary_apoptotic (apoptotic % = early + late of each group in the
 * sheet's order as a bar of the mean with +- SD, every replicate as a point, and the mark of
 * the group's adjusted p-value: Dunnett against the stimulus for treated groups, the single
 * stimulus-vs-untreated test for the stimulus; no marks without replicates) and
 * plots/summary_quadrants (each sample's viable / early / late / necrotic % stacked to 100);
 * the two and the dose figures (dose_figs.c) drawn as three parts (fig_internal.h), tasks of
 * the caller's pool.
 */
#include "report/fig_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLOT_H 300.0
#define LEFT 92.0
#define RIGHT 24.0
#define TOP 72.0
#define MAX_PLOT_W 8000.0 /* a large plate narrows the bars rather than the chart growing */

/* The two label lines under a group's bar. */
static void group_labels(const fig_group *g, char *l1, size_t c1, char *l2, size_t c2)
{
    if (g->role == FIG_TREATED) {
        snprintf(l1, c1, "%s", g->treatment[0] ? g->treatment : "treated");
        snprintf(l2, c2, "%s%s%s", g->dose, g->unit[0] ? " " : "", g->unit);
    } else {
        snprintf(l1, c1, "%s", g->role == FIG_UNTREATED ? "untreated" : "stimulus");
        snprintf(l2, c2, "%s", g->role == FIG_STIMULUS ? g->treatment : "");
    }
}

/* Whether any group's comparison carries an adjusted p-value that is evidence. */
static bool any_marks(const fig_groups *gs, bool *dunnett)
{
    bool any = false;
    *dunnett = false;
    for (size_t k = 0; k < gs->n; k++) {
        if (fig_sig_mark(gs->g[k].cmp) != NULL) {
            any = true;
            *dunnett |= gs->g[k].cmp->adjust_method == ASSAY_ADJUST_DUNNETT_SINGLE_STEP;
        }
    }
    return any;
}

/* One group's bar, SD whiskers, replicate points and mark, centred at x. */
static void draw_group(render_chart *c, const fig_group *g, const render_chart_axis *y,
                       double x, double bar_w)
{
    uint32_t col = fig_group_color(g);
    double y0 = render_chart_axis_at(y, 0), ym = render_chart_axis_at(y, g->mean);
    render_style bar = {.fill = col, .fill_alpha = 0.55, .stroke = col, .stroke_width = 1,
                        .cls = "bar"};
    render_chart_rect(c, x - bar_w / 2, ym, x + bar_w / 2, y0, &bar);
    double top = g->mean;
    if (isfinite(g->sd)) {
        render_style w = {.stroke = FIG_INK, .stroke_width = 1.2, .cls = "errorbar"};
        double lo = render_chart_axis_at(y, g->mean - g->sd);
        double hi = render_chart_axis_at(y, g->mean + g->sd);
        render_chart_line(c, x, lo, x, hi, &w);
        render_chart_line(c, x - 6, hi, x + 6, hi, &w);
        render_chart_line(c, x - 6, lo, x + 6, lo, &w);
        top = g->mean + g->sd;
    }
    render_style pt = {.fill = FIG_INK, .fill_alpha = 1, .stroke = 0xffffff, .stroke_width = 0.8,
                       .cls = "point"};
    double spread = fmin(bar_w * 0.5, 6.0 * (double)g->n);
    for (size_t i = 0; i < g->n; i++) {
        double dx = g->n > 1 ? -spread / 2 + spread * (double)i / (double)(g->n - 1) : 0;
        render_chart_circle(c, x + dx, render_chart_axis_at(y, g->v[i]), 3.2, &pt);
        top = fmax(top, g->v[i]);
    }
    const char *mark = fig_sig_mark(g->cmp);
    if (mark != NULL) {
        render_text_style t = {.px = strcmp(mark, "ns") == 0 ? 11 : 15, .bold = true,
                               .color = FIG_INK, .anchor = RENDER_ANCHOR_MIDDLE, .cls = "mark"};
        render_chart_text(c, x, render_chart_axis_at(y, top) - 6, mark, &t);
    }
}

/* The caption lines under the bar chart: what the bars, whiskers, points and marks are. */
static void bar_caption(const fig_groups *gs, char cap[3][200])
{
    bool dunnett, marks = any_marks(gs, &dunnett), reps = false;
    const char *stim_test = NULL;
    for (size_t k = 0; k < gs->n; k++) {
        reps |= gs->g[k].n >= 2;
        if (gs->g[k].role == FIG_STIMULUS && fig_sig_mark(gs->g[k].cmp) != NULL) {
            stim_test = assay_test_is_welch(gs->g[k].cmp->test)
                            ? "Welch t-test"
                            : assay_test_name(gs->g[k].cmp->test);
        }
    }
    snprintf(cap[0], sizeof cap[0], "%s",
             reps ? "Bars: mean; whiskers: \xc2\xb1 SD; points: replicates"
                  : "Bars: mean; points: samples (no replicates: no SD)");
    cap[2][0] = '\0';
    if (!marks) {
        snprintf(cap[1], sizeof cap[1], "No significance marks: groups without replicates are "
                                        "not tested (events are not replicates)");
        return;
    }
    snprintf(cap[1], sizeof cap[1], "Marks: * p < 0.05, ** p < 0.01, *** p < 0.001, ns p "
                                    "\xe2\x89\xa5 0.05; treated vs stimulus%s",
             dunnett ? ", Dunnett-adjusted" : "");
    if (stim_test != NULL) {
        snprintf(cap[2], sizeof cap[2], "stimulus vs untreated: %s (one comparison)", stim_test);
    }
}

static apo_status bar_chart(const char *base, const fig_groups *gs, apo_error *err)
{
    render_chart *c = NULL;
    char l1[160], l2[160], cap[3][200];
    double slot = 64, ymax = 10;
    apo_status st = render_chart_new(&c, 100, 100, err); /* measuring only */
    if (st != APO_OK) {
        return st;
    }
    for (size_t k = 0; k < gs->n; k++) {
        const fig_group *g = &gs->g[k];
        group_labels(g, l1, sizeof l1, l2, sizeof l2);
        slot = fmax(slot, 12 + fmax(render_chart_text_width(c, l1, 11, false),
                                    render_chart_text_width(c, l2, 11, false)));
        ymax = fmax(ymax, g->mean + (isfinite(g->sd) ? g->sd : 0));
        for (size_t i = 0; i < g->n; i++) {
            ymax = fmax(ymax, g->v[i]);
        }
    }
    bar_caption(gs, cap);
    double capw = 0;
    for (int i = 0; i < 3; i++) {
        capw = fmax(capw, render_chart_text_width(c, cap[i], 11, false));
    }
    render_chart_free(c);
    double plot_w = fmin(fmax(slot * (double)gs->n, 240), MAX_PLOT_W);
    double w = fmax(LEFT + plot_w + RIGHT, capw + 24), h = TOP + PLOT_H + 112;
    st = render_chart_new(&c, w, h, err);
    if (st != APO_OK) {
        return st;
    }
    double x0 = LEFT + (w - LEFT - RIGHT - plot_w) / 2, y1 = TOP + PLOT_H;
    render_chart_axis y;
    render_chart_axis_linear(&y, 0, fmin(ymax * 1.12, 100), true);
    y.p0 = y1;
    y.p1 = TOP;
    fig_titles(c, w, "Apoptotic cells by group", "Annexin V+ (early + late apoptotic), % of singlets");
    render_chart_axis_draw(c, &y, true, x0, "apoptotic % of singlets");
    render_style base_line = {.stroke = 0x303030, .stroke_width = 1, .cls = "axis"};
    render_chart_line(c, x0, y1, x0 + plot_w, y1, &base_line);
    double slot_w = plot_w / (double)(gs->n ? gs->n : 1);
    render_text_style lt = {.px = 11, .color = FIG_INK, .anchor = RENDER_ANCHOR_MIDDLE,
                            .cls = "group-label"};
    for (size_t k = 0; k < gs->n; k++) {
        double x = x0 + slot_w * ((double)k + 0.5);
        draw_group(c, &gs->g[k], &y, x, fmin(slot_w * 0.62, 56));
        group_labels(&gs->g[k], l1, sizeof l1, l2, sizeof l2);
        render_chart_text(c, x, y1 + 16, l1, &lt);
        render_chart_text(c, x, y1 + 30, l2, &lt);
    }
    render_text_style ct = {.px = 11, .color = FIG_SUBTLE, .anchor = RENDER_ANCHOR_MIDDLE,
                            .cls = "caption"};
    for (int i = 0; i < 3; i++) {
        render_chart_text(c, w / 2, y1 + 60 + 15.0 * i, cap[i], &ct);
    }
    st = fig_write(c, base, "Apoptotic cells by group", true, err);
    render_chart_free(c);
    return st;
}

static const char *const quad_names[ASSAY_Q_COUNT] = {"viable", "early apoptotic",
                                                      "late apoptotic", "necrotic"};
static const uint32_t quad_colors[ASSAY_Q_COUNT] = {0xc8c8c8, 0xff7f0e, 0xd62728, 0x8c564b};

static void quad_legend(render_chart *c, double x, double y)
{
    render_text_style t = {.px = 11, .color = FIG_INK, .cls = "legend"};
    for (int q = ASSAY_Q_COUNT - 1, row = 0; q >= 0; q--, row++) {
        render_style sw = {.fill = quad_colors[q], .fill_alpha = 1, .cls = "legend-swatch"};
        double yy = y + 18.0 * row;
        render_chart_rect(c, x, yy, x + 11, yy + 11, &sw);
        render_chart_text(c, x + 16, yy + 9.5, quad_names[q], &t);
    }
}

static apo_status quadrant_chart(const char *base, const report_sample *rows,
                                 const size_t *order, size_t m, apo_error *err)
{
    render_chart *c = NULL;
    apo_status st = render_chart_new(&c, 100, 100, err); /* measuring only */
    if (st != APO_OK) {
        return st;
    }
    double lab = 0;
    for (size_t k = 0; k < m; k++) {
        lab = fmax(lab, render_chart_text_width(c, rows[order[k]].sample, 11, false));
    }
    render_chart_free(c);
    lab = fmin(lab, 400);
    /* a large plate narrows the bars and labels every k-th sample, within MAX_PLOT_W */
    double slot = fmin(22, MAX_PLOT_W / (double)m), plot_w = fmax(slot * (double)m, 120);
    double legend_w = 130, bar_half = slot * 8 / 22;
    size_t every = (size_t)ceil(12 / slot);
    double w = LEFT + plot_w + 16 + legend_w, h = TOP + PLOT_H + lab + 24;
    st = render_chart_new(&c, w, h, err);
    if (st != APO_OK) {
        return st;
    }
    double x0 = LEFT, y1 = TOP + PLOT_H;
    render_chart_axis y = {.lo = 0, .hi = 100, .p0 = y1, .p1 = TOP};
    fig_titles(c, w, "Quadrants of each sample", "% of singlets, samples in the sheet's order");
    render_chart_axis_draw(c, &y, true, x0, "% of singlets");
    render_text_style lt = {.px = 11, .color = FIG_INK, .anchor = RENDER_ANCHOR_END, .up = true,
                            .cls = "sample-label"};
    for (size_t k = 0; k < m; k++) {
        const report_sample *s = &rows[order[k]];
        double x = x0 + slot * ((double)k + 0.5), acc = 0;
        for (int q = 0; q < ASSAY_Q_COUNT; q++) {
            double v = isfinite(s->pct[q]) ? s->pct[q] : 0;
            render_style seg = {.fill = quad_colors[q], .fill_alpha = 1, .stroke = 0xffffff,
                                .stroke_width = 0.5, .cls = "segment"};
            render_chart_rect(c, x - bar_half, render_chart_axis_at(&y, acc + v), x + bar_half,
                              render_chart_axis_at(&y, acc), &seg);
            acc += v;
        }
        if (k % every == 0) {
            render_chart_text(c, x + 4, y1 + 8, s->sample, &lt);
        }
    }
    render_style base_line = {.stroke = 0x303030, .stroke_width = 1, .cls = "axis"};
    render_chart_line(c, x0, y1, x0 + plot_w, y1, &base_line);
    quad_legend(c, x0 + plot_w + 16, TOP + 8);
    st = fig_write(c, base, "Quadrants of each sample", true, err);
    render_chart_free(c);
    return st;
}

apo_status fig_summary_init(fig_summary *s, const char *outdir, const assay_result *res,
                            size_t n, const report_sample *rows, apo_error *err)
{
    memset(s, 0, sizeof *s);
    apo_status st = fig_groups_build(&s->gs, res, n, rows, err);
    if (st != APO_OK) {
        return st;
    }
    s->order = malloc((n ? n : 1) * sizeof *s->order);
    if (s->order == NULL) {
        fig_groups_free(&s->gs);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    fig_sample_order(rows, n, s->order);
    while (s->m < n && !rows[s->order[s->m]].error[0]) {
        s->m++; /* failed rows sort last and are not drawn */
    }
    s->outdir = outdir;
    s->res = res;
    s->rows = rows;
    return APO_OK;
}

void fig_summary_draw(fig_summary *s, size_t k)
{
    char base[4096];
    if (k == 0 && s->gs.n > 0) {
        snprintf(base, sizeof base, "%s/plots/summary_apoptotic", s->outdir);
        s->st[0] = bar_chart(base, &s->gs, &s->errs[0]);
    } else if (k == 1 && s->m > 0) {
        snprintf(base, sizeof base, "%s/plots/summary_quadrants", s->outdir);
        s->st[1] = quadrant_chart(base, s->rows, s->order, s->m, &s->errs[1]);
    } else if (k == 2) {
        s->st[2] = report_dose_figures(s->outdir, s->res, &s->gs, &s->errs[2]);
    }
}

apo_status fig_summary_finish(fig_summary *s, apo_error *err)
{
    apo_status st = APO_OK;
    for (size_t k = 0; k < FIG_SUMMARY_PARTS && st == APO_OK; k++) { /* the first failure */
        if (s->st[k] != APO_OK) {
            st = s->st[k];
            if (err != NULL) {
                *err = s->errs[k];
            }
        }
    }
    free(s->order);
    fig_groups_free(&s->gs);
    memset(s, 0, sizeof *s);
    return st;
}

/* The three parts as tasks on the pool: each draws its own charts into its own files from
 * the shared, read-only groups and sample order. */
static void summary_task(void *ctx, size_t k)
{
    fig_summary_draw(ctx, k);
}

apo_status report_summary_figures_jobs(const char *outdir, const assay_result *res, size_t n,
                                       const report_sample *rows, unsigned jobs, apo_error *err)
{
    fig_summary s;
    apo_status st = fig_summary_init(&s, outdir, res, n, rows, err);
    if (st != APO_OK) {
        return st;
    }
    apo_pool_run(FIG_SUMMARY_PARTS, jobs, summary_task, NULL, &s);
    return fig_summary_finish(&s, err);
}

apo_status report_summary_figures(const char *outdir, const assay_result *res, size_t n,
                                  const report_sample *rows, apo_error *err)
{
    return report_summary_figures_jobs(outdir, res, n, rows, 1, err);
}
