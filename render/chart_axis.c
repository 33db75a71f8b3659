/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chart_axis.c: axes of charts (chart.h): linear ranges rounded to "nice" steps of 1, 2 or
 * 5 x 10^k aiming at about six labels, log ranges over whole decades with unlabelled minor
 * ticks at 2..9 x 10^k, and their drawing in the look of render/'s plots (docs/plots.md,
 * "Axes and ticks": 1 px dark grey lines, outward ticks, 11 px labels, 13 px titles).
 */
#include "render/chart.h"

#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define AXIS_COLOR 0x303030u
#define LABEL_COLOR 0x202020u
#define TICK_LEN 5.0
#define LABEL_PX 11.0
#define TITLE_PX 13.0
#define LOG_PAD 1.5 /* a log axis reaches this factor beyond the data */

static double nice_step(double span)
{
    double raw = span / 6.0;
    double e = pow(10.0, floor(log10(raw)));
    double m = raw / e;
    return (m <= 1.5 ? 1 : m <= 3.5 ? 2 : m <= 7.5 ? 5 : 10) * e;
}

void render_chart_axis_linear(render_chart_axis *a, double lo, double hi, bool from_zero)
{
    a->log = false;
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (from_zero && lo >= 0) {
        lo = 0;
    }
    if (!(hi > lo)) {
        double d = fabs(lo) > 0 ? fabs(lo) * 0.5 : 1;
        lo -= d;
        hi += d;
        if (from_zero && lo < 0 && hi - d >= 0) {
            lo = 0;
        }
    }
    double step = nice_step(hi - lo);
    a->lo = floor(lo / step + 1e-9) * step;
    a->hi = ceil(hi / step - 1e-9) * step;
}

void render_chart_axis_log(render_chart_axis *a, double lo, double hi)
{
    a->log = true;
    if (!(lo > 0) || !isfinite(lo)) {
        lo = 1;
    }
    if (!(hi >= lo) || !isfinite(hi)) {
        hi = lo;
    }
    a->lo = lo / LOG_PAD;
    a->hi = hi * LOG_PAD;
}

double render_chart_axis_at(const render_chart_axis *a, double v)
{
    double f;
    if (a->log) {
        if (!(v > 0)) {
            return NAN;
        }
        f = (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    } else {
        f = (v - a->lo) / (a->hi - a->lo);
    }
    if (isnan(f)) {
        return NAN;
    }
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return a->p0 + f * (a->p1 - a->p0);
}

/* A tick label: k x 10^e written without binary noise; thousands as K, millions as M. */
static void label(char *buf, size_t cap, double k, int e)
{
    double v = e >= 0 ? k * pow(10.0, e) : k / pow(10.0, -e);
    double av = fabs(v);
    if (av >= 1e6 && fmod(av, 1e5) == 0) {
        apo_format_double(buf, cap, v / 1e6);
        strncat(buf, "M", cap - strlen(buf) - 1);
    } else if (av >= 1e4 && fmod(av, 1e3) == 0) {
        apo_format_double(buf, cap, v / 1e3);
        strncat(buf, "K", cap - strlen(buf) - 1);
    } else {
        apo_format_double(buf, cap, v);
    }
}

static void tick(render_chart *c, bool vertical, double at, double pos, bool major,
                 const char *text, double *extent)
{
    render_style s = {.stroke = AXIS_COLOR, .stroke_width = 1, .cls = "tick"};
    double len = major ? TICK_LEN : TICK_LEN * 0.6;
    render_text_style ts = {.px = LABEL_PX, .color = LABEL_COLOR, .cls = "tick-label"};
    if (vertical) {
        render_chart_line(c, at - len, pos, at, pos, &s);
        if (text != NULL) {
            ts.anchor = RENDER_ANCHOR_END;
            render_chart_text(c, at - TICK_LEN - 3, pos + LABEL_PX * 0.36, text, &ts);
            double w = render_chart_text_width(c, text, LABEL_PX, false);
            *extent = fmax(*extent, w + TICK_LEN + 3);
        }
    } else {
        render_chart_line(c, pos, at, pos, at + len, &s);
        if (text != NULL) {
            ts.anchor = RENDER_ANCHOR_MIDDLE;
            render_chart_text(c, pos, at + TICK_LEN + 3 + LABEL_PX, text, &ts);
            *extent = fmax(*extent, TICK_LEN + 3 + LABEL_PX * 1.2);
        }
    }
}

/* Decades labelled; over less than three decades 2 and 5 x 10^k too; other m x 10^k as
 * unlabelled minor ticks. */
static void ticks_log(render_chart *c, const render_chart_axis *a, bool vertical, double at,
                      double *extent)
{
    int e0 = (int)floor(log10(a->lo)), e1 = (int)ceil(log10(a->hi));
    bool few = log10(a->hi / a->lo) < 3;
    for (int e = e0; e <= e1 && e - e0 < 40; e++) {
        for (int m = 1; m <= 9; m++) {
            double v = m * pow(10.0, e);
            if (v < a->lo * (1 - 1e-9) || v > a->hi * (1 + 1e-9)) {
                continue;
            }
            bool major = m == 1 || (few && (m == 2 || m == 5));
            char buf[32];
            label(buf, sizeof buf, m, e);
            tick(c, vertical, at, render_chart_axis_at(a, v), major, major ? buf : NULL, extent);
        }
    }
}

static void ticks_linear(render_chart *c, const render_chart_axis *a, bool vertical, double at,
                         double *extent)
{
    double step = nice_step(a->hi - a->lo);
    int e = (int)floor(log10(step) + 1e-9);
    double m = round(step / pow(10.0, e)); /* 1, 2, 5 or 10 */
    long long k0 = llround(ceil(a->lo / step - 1e-9)), k1 = llround(floor(a->hi / step + 1e-9));
    for (long long k = k0; k <= k1 && k - k0 < 100; k++) {
        char buf[32];
        label(buf, sizeof buf, (double)k * m, e);
        tick(c, vertical, at, render_chart_axis_at(a, (double)k * step), true, buf, extent);
    }
}

void render_chart_axis_draw(render_chart *c, const render_chart_axis *a, bool vertical,
                            double at, const char *title)
{
    render_style s = {.stroke = AXIS_COLOR, .stroke_width = 1, .cls = "axis"};
    if (vertical) {
        render_chart_line(c, at, a->p0, at, a->p1, &s);
    } else {
        render_chart_line(c, a->p0, at, a->p1, at, &s);
    }
    double extent = 0;
    if (a->log) {
        ticks_log(c, a, vertical, at, &extent);
    } else {
        ticks_linear(c, a, vertical, at, &extent);
    }
    if (title == NULL || title[0] == '\0') {
        return;
    }
    render_text_style ts = {.px = TITLE_PX, .color = LABEL_COLOR, .anchor = RENDER_ANCHOR_MIDDLE,
                            .cls = "axis-title"};
    double mid = (a->p0 + a->p1) / 2;
    if (vertical) {
        ts.up = true;
        render_chart_text(c, at - extent - 8, mid, title, &ts);
    } else {
        render_chart_text(c, mid, at + extent + TITLE_PX + 4, title, &ts);
    }
}
