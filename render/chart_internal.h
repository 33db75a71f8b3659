/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chart_internal.h: the recorded operations of a chart (chart.h), shared by the PNG replay
 * (chart.c), the SVG writer (chart_svg.c) and the PDF writer (chart_pdf.c). Private to render/.
 */
#ifndef APOFLOW_RENDER_CHART_INTERNAL_H
#define APOFLOW_RENDER_CHART_INTERNAL_H

#include "render/chart.h"
#include "render/render_internal.h"

#include <stdio.h>

typedef enum rchart_kind {
    RCHART_RECT = 0, /* a = x0, y0, x1, y1 (ordered) */
    RCHART_LINE,     /* a = x0, y0, x1, y1 */
    RCHART_POLY,     /* xy[2n], closed */
    RCHART_CIRCLE,   /* a = cx, cy, r */
    RCHART_TEXT      /* a = x, y, measured width; text */
} rchart_kind;

typedef struct rchart_op {
    rchart_kind kind;
    render_style style;     /* shapes (style.cls not used: see cls) */
    render_text_style ts;   /* text (ts.cls not used) */
    double a[4];
    double *xy;
    size_t n;
    bool closed;
    char *text;
    char *cls;              /* owned copy of the class, or NULL */
} rchart_op;

struct render_chart {
    double width, height;
    rfont *font;
    render_cache *cache; /* where the font came from and goes back to, or NULL */
    rchart_op *ops;
    size_t n, cap;
    bool nomem; /* an operation could not be recorded */
};

/* @p v rounded to 0.01, without trailing zeros, whatever the locale (chart.c). */
void rchart_num(FILE *f, double v);

#endif /* APOFLOW_RENDER_CHART_INTERNAL_H */
