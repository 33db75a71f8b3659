/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * time_fig.c: the event rate over Time of one sample (plots/<stem>.time.png and .svg,
 * docs/plots.md "Summary figures"), drawn from the events the run already holds for the
 * sample's gating-path panel (no extra pass over the file): the events per Time bin (the bins
 * of the run's flow check: n / 250 of them, 6 to 100, equal width from the first to the last
 * time) as a rate per second when the file gives $TIMESTEP (else per time unit of the file),
 * the median rate dashed, and, when the run flagged the sample ASSAY_QC_FLOW_INSTABILITY, the
 * inner bins whose rate is more than ASSAY_FLOW_MAX_DEVIATION from the median shaded.
 */
#include "report/figures.h"
#include "report/fig_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PLOT_W 520.0
#define PLOT_H 220.0
#define LEFT 92.0
#define TOP 72.0

int report_time_plot_name(char *buf, size_t cap, const char *stem, const char *ext)
{
    return snprintf(buf, cap, "%s.time.%s", stem, ext);
}

/* The Time column of @p ev (the file's first time parameter, as the assay's), or SIZE_MAX. */
static size_t time_column(const fcs_dataset *ds, const fcs_events *ev)
{
    const size_t it = fcs_dataset_time_param(ds);
    return it < ev->n_params ? it : SIZE_MAX;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The time bins: rate[b] per unit of time, their median over the inner bins. */
typedef struct time_bins {
    size_t nb;
    double t0, t1, width; /* range and bin width in time units */
    double rate[100];
    double median;
} time_bins;

uint64_t fig_finite_range(const double *v, uint64_t n, uint64_t step, double *lo, double *hi)
{
    double a = *lo, z = *hi;
    bool neg_zero = (a == 0 && signbit(a)) || (z == 0 && signbit(z));
    uint64_t finite = 0;
    for (uint64_t e = 0; e < n; e += step) {
        const double x = v[e];
        if (isfinite(x)) {
            a = x < a ? x : a;
            z = x > z ? x : z;
            neg_zero |= x == 0 && signbit(x);
            finite++;
        }
    }
    if (neg_zero) { /* which zero: as fmin and fmax pick it */
        a = *lo;
        z = *hi;
        for (uint64_t e = 0; e < n; e += step) {
            if (isfinite(v[e])) {
                a = fmin(a, v[e]);
                z = fmax(z, v[e]);
            }
        }
    }
    *lo = a;
    *hi = z;
    return finite;
}

unsigned fig_round_u16(double u)
{
    const unsigned w = (unsigned)u;
    return w + (u - (double)w >= 0.5);
}

static bool bin_times(const double *t, uint64_t n, double scale, time_bins *b)
{
    b->t0 = INFINITY;
    b->t1 = -INFINITY;
    const uint64_t timed = fig_finite_range(t, n, 1, &b->t0, &b->t1);
    if (timed < 2 || !(b->t1 > b->t0)) {
        return false;
    }
    size_t nb = (size_t)(timed / 250);
    b->nb = nb < 6 ? 6 : nb > 100 ? 100 : nb;
    b->width = (b->t1 - b->t0) / (double)b->nb;
    uint64_t count[100] = {0};
    for (uint64_t e = 0; e < n; e++) {
        if (isfinite(t[e])) {
            size_t k = (size_t)((t[e] - b->t0) / (b->t1 - b->t0) * (double)b->nb);
            count[k < b->nb ? k : b->nb - 1]++;
        }
    }
    double inner[100];
    for (size_t k = 0; k < b->nb; k++) {
        b->rate[k] = (double)count[k] * scale / b->width;
        if (k > 0 && k + 1 < b->nb) {
            inner[k - 1] = b->rate[k];
        }
    }
    qsort(inner, b->nb - 2, sizeof inner[0], cmp_double);
    size_t m = b->nb - 2;
    b->median = m % 2 ? inner[m / 2] : (inner[m / 2 - 1] + inner[m / 2]) / 2;
    return true;
}

/* Shade the inner bins beyond the flow check's limit; how many regions were shaded. */
static size_t shade_unstable(render_chart *c, const time_bins *b, const render_chart_axis *x,
                             double y0, double y1)
{
    size_t shaded = 0;
    render_style s = {.fill = 0xd62728, .fill_alpha = 0.16, .cls = "unstable"};
    for (size_t k = 1; k + 1 < b->nb && b->median > 0; k++) {
        size_t e = k; /* one region per run of adjacent bins beyond the limit */
        while (e + 1 < b->nb && fabs(b->rate[e] / b->median - 1.0) > ASSAY_FLOW_MAX_DEVIATION) {
            e++;
        }
        if (e > k) {
            double a = b->t0 + b->width * (double)k, z = b->t0 + b->width * (double)e;
            render_chart_rect(c, render_chart_axis_at(x, a), y1, render_chart_axis_at(x, z), y0,
                              &s);
            shaded++;
            k = e;
        }
    }
    return shaded;
}

static void draw_rate(render_chart *c, const time_bins *b, const render_chart_axis *x,
                      const render_chart_axis *y)
{
    double xy[2 * 202];
    size_t m = 0;
    for (size_t k = 0; k < b->nb; k++) { /* a step line: each bin flat over its width */
        double a = b->t0 + b->width * (double)k, yy = render_chart_axis_at(y, b->rate[k]);
        xy[2 * m] = render_chart_axis_at(x, a);
        xy[2 * m + 1] = yy;
        m++;
        xy[2 * m] = render_chart_axis_at(x, a + b->width);
        xy[2 * m + 1] = yy;
        m++;
    }
    render_style s = {.stroke = 0x1f77b4, .stroke_width = 1.5, .cls = "rate"};
    render_chart_polyline(c, xy, m, false, &s);
    render_style md = {.stroke = 0x707070, .stroke_width = 1, .dashed = true, .cls = "median"};
    double ym = render_chart_axis_at(y, b->median);
    render_chart_line(c, x->p0, ym, x->p1, ym, &md);
}

apo_status report_time_plot(const char *plots_dir, const char *stem, const assay_input *in,
                            const assay_sample *s, const fcs_events *ev, render_cache *cache,
                            apo_error *err)
{
    size_t it = time_column(in->ds, ev);
    if (it == SIZE_MAX || ev->n_events < 2) {
        return APO_OK;
    }
    double scale = s->events > ev->n_events ? (double)s->events / (double)ev->n_events : 1;
    time_bins b;
    if (!bin_times(ev->values + it * ev->n_events, ev->n_events, scale, &b)) {
        return APO_OK;
    }
    double ts = fcs_dataset_timestep(in->ds);
    bool seconds = isfinite(ts) && ts > 0;
    double ymax = b.median;
    for (size_t k = 0; k < b.nb; k++) {
        ymax = fmax(ymax, b.rate[k]);
    }
    render_chart_axis x, y;
    render_chart_axis_linear(&x, b.t0, b.t1, false);
    render_chart_axis_linear(&y, 0, ymax * 1.1, true);
    x.p0 = LEFT;
    x.p1 = LEFT + PLOT_W;
    y.p0 = TOP + PLOT_H;
    y.p1 = TOP;
    render_chart *c;
    apo_status st =
        render_chart_new_cached(&c, LEFT + PLOT_W + 24, TOP + PLOT_H + 64, cache, err);
    if (st != APO_OK) {
        return st;
    }
    bool flagged = (s->qc & ASSAY_QC_FLOW_INSTABILITY) != 0;
    size_t shaded = flagged ? shade_unstable(c, &b, &x, y.p0, y.p1) : 0;
    char title[200], sub[200];
    snprintf(title, sizeof title, "%s: event rate over Time", in->sample);
    if (flagged) {
        snprintf(sub, sizeof sub, "flow_instability: the rate departs up to %.0f%% from its "
                 "median%s", 100 * s->flow_max_dev, shaded ? " (shaded)" : "");
    } else {
        snprintf(sub, sizeof sub, "largest departure from the median rate %.0f%% (flagged above "
                 "%.0f%%)", 100 * s->flow_max_dev, 100 * ASSAY_FLOW_MAX_DEVIATION);
    }
    fig_titles(c, LEFT + PLOT_W + 24, title, isfinite(s->flow_max_dev) || flagged ? sub : NULL);
    draw_rate(c, &b, &x, &y);
    render_style frame = {.stroke = 0x303030, .stroke_width = 1, .cls = "frame"};
    render_chart_rect(c, x.p0, y.p1, x.p1, y.p0, &frame);
    render_chart_axis_draw(c, &y, true, x.p0, seconds ? "events per second" : "events per time unit");
    render_chart_axis_draw(c, &x, false, y.p0, seconds ? "Time (s)" : "Time (time units of the file)");
    char base[4200], name[400];
    report_time_plot_name(name, sizeof name, stem, "");
    name[strlen(name) - 1] = '\0'; /* "<stem>.time" */
    snprintf(base, sizeof base, "%s/%s", plots_dir, name);
    st = fig_write(c, base, title, false, err);
    render_chart_free(c);
    return st;
}
