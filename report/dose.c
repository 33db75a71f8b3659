/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dose.c: the dose-response figure of report.html (plots/dose_response_<k>.png):
 * apoptotic % of every treated sample against dose on a log axis, the fitted 4PL curve and
 * the EC50 marked by crosshair lines, drawn with the public renderer (curve and markers are
 * render gates in display units).
 */
#include "report/report.h"

#include "render/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CURVE_POINTS 120

static double f4pl(const assay_dose_fit *d, double x)
{
    return d->bottom + (d->top - d->bottom) / (1.0 + pow(x / d->ec50, d->hill));
}

static apo_status one_plot(const char *path, const assay_dose_fit *d, const double *x,
                           const double *y, size_t m, apo_error *err)
{
    double lo = INFINITY, hi = -INFINITY, ymax = 0;
    for (size_t i = 0; i < m; i++) {
        lo = fmin(lo, x[i]);
        hi = fmax(hi, x[i]);
        ymax = fmax(ymax, y[i]);
    }
    lo /= 2;
    hi *= 2;
    double l0 = log10(lo), l1 = log10(hi);
    /* the curve, traced there and back so the closed outline is a line */
    double *curve = malloc(4 * CURVE_POINTS * sizeof *curve);
    /* a diamond per point */
    double *marks = malloc(8 * (m ? m : 1) * sizeof *marks);
    render_gate *gates = calloc(m + 1, sizeof *gates);
    apo_status st = APO_OK;
    if (curve == NULL || marks == NULL || gates == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        goto done;
    }
    size_t ng = 0;
    if (d->ok) {
        for (size_t i = 0; i < CURVE_POINTS; i++) {
            double t = l0 + (l1 - l0) * (double)i / (CURVE_POINTS - 1);
            double v = f4pl(d, pow(10.0, t));
            ymax = fmax(ymax, v);
            curve[2 * i] = t;
            curve[2 * i + 1] = v;
            size_t j = 2 * CURVE_POINTS - 1 - i;
            curve[2 * j] = t;
            curve[2 * j + 1] = v;
        }
    }
    double ytop = ceil(ymax * 1.15 / 10.0) * 10.0;
    if (!(ytop > 0)) {
        ytop = 100;
    }
    double dx = 0.012 * (l1 - l0), dy = 0.012 * ytop;
    for (size_t i = 0; i < m; i++) {
        double cx = log10(x[i]), *q = marks + 8 * i;
        double v[8] = {cx - dx, y[i], cx, y[i] + dy, cx + dx, y[i], cx, y[i] - dy};
        memcpy(q, v, sizeof v);
        gates[ng++] = (render_gate){.shape = RENDER_SHAPE_POLYGON, .n_vertices = 4, .xy = q,
                                    .display_units = true, .pct = NAN};
    }
    if (d->ok) {
        gates[ng++] = (render_gate){.shape = RENDER_SHAPE_POLYGON,
                                    .n_vertices = 2 * CURVE_POINTS, .xy = curve,
                                    .display_units = true, .name = "4PL fit", .pct = NAN};
    }
    render_plot p;
    render_plot_init(&p);
    p.kind = RENDER_DOT;
    p.x = x;
    p.y = y;
    p.n = m;
    gate_transform lg, lin;
    gate_transform_init_log10(&lg);
    gate_transform_init_linear(&lin);
    char xt[128], title[160], sub[200];
    snprintf(xt, sizeof xt, "dose (%s)", d->dose_unit[0] ? d->dose_unit : "no unit");
    render_axis_init(&p.xaxis, &lg, xt);
    p.xaxis.min = lo;
    p.xaxis.max = hi;
    render_axis_init(&p.yaxis, &lin, "apoptotic % of singlets");
    p.yaxis.min = 0;
    p.yaxis.max = ytop;
    render_quadrant q = {0};
    if (d->ok && d->ec50 > lo && d->ec50 < hi) {
        q.x = d->ec50;
        q.y = (d->top + d->bottom) / 2;
        for (int k = 0; k < 4; k++) {
            q.pct[k] = NAN;
        }
        p.quadrant = &q;
    }
    p.gates = gates;
    p.n_gates = ng;
    snprintf(title, sizeof title, "%s: dose-response (4PL)", d->treatment);
    if (d->ok) {
        snprintf(sub, sizeof sub, "EC50 %.4g %s (95%% CI %.4g-%.4g), Hill %.3g", d->ec50,
                 d->dose_unit, d->ec50_ci_lo, d->ec50_ci_hi, d->hill);
    } else {
        snprintf(sub, sizeof sub, "no fit: %s", d->message);
    }
    p.title = title;
    p.subtitle = sub;
    render_panel_spec panel = {NULL, 1, &p, 1};
    render_options ro = RENDER_OPTIONS_INIT;
    ro.size = 640;
    st = render_panel_png(path, &panel, &ro, 0, NULL, err);
done:
    free(curve);
    free(marks);
    free(gates);
    return st;
}

apo_status report_dose_plots(const char *outdir, const assay_result *res, size_t n,
                             const report_sample *samples, apo_error *err)
{
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    apo_status st = APO_OK;
    if (x == NULL || y == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t k = 0; st == APO_OK && k < res->n_fits; k++) {
        const assay_dose_fit *d = &res->fits[k];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const report_sample *s = &samples[i];
            double dose;
            if (strcmp(s->role, "treated") == 0 && !s->error[0] &&
                isfinite(s->apoptotic_pct) && strcmp(s->treatment, d->treatment) == 0 &&
                strcmp(s->dose_unit, d->dose_unit) == 0 &&
                apo_parse_double(s->dose, strlen(s->dose), false, &dose) && dose > 0) {
                x[m] = dose;
                y[m] = s->apoptotic_pct;
                m++;
            }
        }
        if (m == 0) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/plots/dose_response_%zu.png", outdir, k + 1);
        st = one_plot(path, d, x, y, m, err);
    }
    free(x);
    free(y);
    return st;
}
