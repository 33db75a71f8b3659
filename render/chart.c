/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chart.c: a chart's recorded drawing operations (chart.h) and their replay onto the raster
 * canvas as PNG: rectangles, lines (dashes cut into segments), polylines and filled polygons,
 * circles and FreeType text, every length multiplied by the scale. The SVG writer is
 * chart_svg.c; both read the operations from chart_internal.h.
 */
#include "render/chart_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

apo_status render_chart_new(render_chart **out, double width, double height, apo_error *err)
{
    return render_chart_new_cached(out, width, height, NULL, err);
}

apo_status render_chart_new_cached(render_chart **out, double width, double height,
                                   render_cache *cache, apo_error *err)
{
    *out = NULL;
    if (!(width >= 1 && width <= 20000 && height >= 1 && height <= 20000)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a chart size of 1..20000 units, found %g x %g", width,
                             height);
    }
    render_chart *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    c->width = width;
    c->height = height;
    c->cache = cache;
    apo_status st = rcache_font_take(cache, &c->font, err);
    if (st != APO_OK) {
        free(c);
        return st;
    }
    *out = c;
    return APO_OK;
}

void render_chart_free(render_chart *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        free(c->ops[i].xy);
        free(c->ops[i].text);
        free(c->ops[i].cls);
    }
    free(c->ops);
    rcache_font_give(c->cache, c->font);
    free(c);
}

double render_chart_width(const render_chart *c)
{
    return c->width;
}

double render_chart_text_width(render_chart *c, const char *utf8, double px, bool bold)
{
    return rtext_measure(c->font, utf8, px, bold).width;
}

static char *dup_or_null(const char *s, bool *nomem)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d == NULL) {
        *nomem = true;
        return NULL;
    }
    memcpy(d, s, n);
    return d;
}

/* A new operation (zeroed apart from kind and class), or NULL after an allocation failure. */
static rchart_op *push(render_chart *c, rchart_kind kind, const char *cls)
{
    if (c->nomem) {
        return NULL;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        rchart_op *grow = realloc(c->ops, cap * sizeof *grow);
        if (grow == NULL) {
            c->nomem = true;
            return NULL;
        }
        c->ops = grow;
        c->cap = cap;
    }
    rchart_op *o = &c->ops[c->n];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->cls = dup_or_null(cls, &c->nomem);
    if (c->nomem) {
        return NULL;
    }
    c->n++;
    return o;
}

static bool finite4(double a, double b, double c, double d)
{
    return isfinite(a) && isfinite(b) && isfinite(c) && isfinite(d);
}

void render_chart_rect(render_chart *c, double x0, double y0, double x1, double y1,
                       const render_style *s)
{
    if (!finite4(x0, y0, x1, y1)) {
        return;
    }
    rchart_op *o = push(c, RCHART_RECT, s->cls);
    if (o != NULL) {
        o->style = *s;
        o->a[0] = fmin(x0, x1);
        o->a[1] = fmin(y0, y1);
        o->a[2] = fmax(x0, x1);
        o->a[3] = fmax(y0, y1);
    }
}

void render_chart_line(render_chart *c, double x0, double y0, double x1, double y1,
                       const render_style *s)
{
    if (!finite4(x0, y0, x1, y1)) {
        return;
    }
    rchart_op *o = push(c, RCHART_LINE, s->cls);
    if (o != NULL) {
        o->style = *s;
        double v[4] = {x0, y0, x1, y1};
        memcpy(o->a, v, sizeof v);
    }
}

void render_chart_polyline(render_chart *c, const double *xy, size_t n, bool closed,
                           const render_style *s)
{
    if (n < 2 || n > ((size_t)1 << 24)) {
        return;
    }
    for (size_t i = 0; i < 2 * n; i++) {
        if (!isfinite(xy[i])) {
            return;
        }
    }
    rchart_op *o = push(c, RCHART_POLY, s->cls);
    if (o == NULL) {
        return;
    }
    o->style = *s;
    o->closed = closed;
    o->xy = malloc(2 * n * sizeof *o->xy);
    if (o->xy == NULL) {
        c->nomem = true;
        return;
    }
    memcpy(o->xy, xy, 2 * n * sizeof *o->xy);
    o->n = n;
}

void render_chart_circle(render_chart *c, double cx, double cy, double r, const render_style *s)
{
    if (!finite4(cx, cy, r, 0) || r <= 0) {
        return;
    }
    rchart_op *o = push(c, RCHART_CIRCLE, s->cls);
    if (o != NULL) {
        o->style = *s;
        o->a[0] = cx;
        o->a[1] = cy;
        o->a[2] = r;
    }
}

void render_chart_text(render_chart *c, double x, double y, const char *utf8,
                       const render_text_style *t)
{
    if (!finite4(x, y, t->px, 0) || utf8 == NULL || utf8[0] == '\0') {
        return;
    }
    rchart_op *o = push(c, RCHART_TEXT, t->cls);
    if (o == NULL) {
        return;
    }
    o->ts = *t;
    o->a[0] = x;
    o->a[1] = y;
    o->a[2] = render_chart_text_width(c, utf8, t->px, t->bold);
    o->text = dup_or_null(utf8, &c->nomem);
}

void rchart_num(FILE *f, double v)
{
    long long k = llround(v * 100.0);
    if (k < 0) {
        fputc('-', f);
        k = -k;
    }
    fprintf(f, "%lld", k / 100);
    int frac = (int)(k % 100);
    if (frac != 0) {
        if (frac % 10 == 0) {
            fprintf(f, ".%d", frac / 10);
        } else {
            fprintf(f, ".%02d", frac);
        }
    }
}

size_t render_chart_count(const render_chart *c, const char *cls)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        k += c->ops[i].cls != NULL && strcmp(c->ops[i].cls, cls) == 0;
    }
    return k;
}

/* ---- replay onto the raster canvas ---------------------------------------------------- */

/* A line, dashed when the style says so (dash 4 w, gap 3 w). */
static void png_line(const rc_canvas *cv, double x0, double y0, double x1, double y1, double w,
                     const render_style *s)
{
    if (!s->dashed) {
        rc_line(cv, x0, y0, x1, y1, w, s->stroke, 1);
        return;
    }
    double len = hypot(x1 - x0, y1 - y0), dash = 4 * w, gap = 3 * w;
    if (!(len > 0)) {
        return;
    }
    double ux = (x1 - x0) / len, uy = (y1 - y0) / len;
    for (double t = 0; t < len; t += dash + gap) {
        double e = fmin(len, t + dash);
        rc_line(cv, x0 + ux * t, y0 + uy * t, x0 + ux * e, y0 + uy * e, w, s->stroke, 1);
    }
}

static apo_status png_poly(const rc_canvas *cv, const rchart_op *o, double k, apo_error *err)
{
    double *xy = malloc(2 * o->n * sizeof *xy);
    if (xy == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t i = 0; i < 2 * o->n; i++) {
        xy[i] = o->xy[i] * k;
    }
    apo_status st = APO_OK;
    if (o->closed && o->style.fill_alpha > 0) {
        st = rc_fill_polygon(cv, xy, o->n, o->style.fill, o->style.fill_alpha, err);
    }
    if (st == APO_OK && o->style.stroke_width > 0) {
        double w = o->style.stroke_width * k;
        size_t m = o->closed ? o->n : o->n - 1;
        for (size_t i = 0; i < m; i++) {
            size_t j = (i + 1) % o->n;
            png_line(cv, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1], w, &o->style);
        }
    }
    free(xy);
    return st;
}

static void png_circle(const rc_canvas *cv, const rchart_op *o, double k)
{
    double cx = o->a[0] * k, cy = o->a[1] * k, r = o->a[2] * k;
    if (o->style.fill_alpha > 0) {
        rc_disc(cv, cx, cy, r, o->style.fill, o->style.fill_alpha);
    }
    if (o->style.stroke_width > 0) {
        enum { SEG = 36 };
        double xy[2 * SEG];
        for (int i = 0; i < SEG; i++) {
            double a = 6.283185307179586 * i / SEG;
            xy[2 * i] = cx + r * cos(a);
            xy[2 * i + 1] = cy + r * sin(a);
        }
        rc_polyline(cv, xy, SEG, true, o->style.stroke_width * k, o->style.stroke, 1);
    }
}

static apo_status png_text(const rc_canvas *cv, rfont *font, const rchart_op *o, double k,
                           apo_error *err)
{
    const render_text_style *t = &o->ts;
    double w = o->a[2] * k, shift = t->anchor == RENDER_ANCHOR_MIDDLE ? w / 2
                                    : t->anchor == RENDER_ANCHOR_END  ? w
                                                                      : 0;
    double x = o->a[0] * k, y = o->a[1] * k;
    if (t->up) {
        return rtext_draw_up(cv, font, o->text, x, y + shift, t->px * k, t->bold, t->color, err);
    }
    rtext_draw(cv, font, o->text, x - shift, y, t->px * k, t->bold, t->color);
    return APO_OK;
}

static apo_status png_op(const rc_canvas *cv, rfont *font, const rchart_op *o, double k,
                         apo_error *err)
{
    const render_style *s = &o->style;
    switch (o->kind) {
    case RCHART_RECT:
        if (s->fill_alpha > 0) {
            rc_fill_rect(cv, o->a[0] * k, o->a[1] * k, o->a[2] * k, o->a[3] * k, s->fill,
                         s->fill_alpha);
        }
        if (s->stroke_width > 0) {
            double xy[8] = {o->a[0], o->a[1], o->a[2], o->a[1], o->a[2], o->a[3], o->a[0], o->a[3]};
            rchart_op p = *o;
            p.kind = RCHART_POLY;
            p.xy = xy;
            p.n = 4;
            p.closed = true;
            p.style.fill_alpha = 0;
            return png_poly(cv, &p, k, err);
        }
        return APO_OK;
    case RCHART_LINE:
        if (s->stroke_width > 0) {
            png_line(cv, o->a[0] * k, o->a[1] * k, o->a[2] * k, o->a[3] * k,
                     s->stroke_width * k, s);
        }
        return APO_OK;
    case RCHART_POLY:
        return png_poly(cv, o, k, err);
    case RCHART_CIRCLE:
        png_circle(cv, o, k);
        return APO_OK;
    case RCHART_TEXT:
        return png_text(cv, font, o, k, err);
    }
    return APO_OK;
}

apo_status render_chart_write_png(const render_chart *c, const char *path, double scale,
                                  size_t n_meta, const render_text_chunk *meta, apo_error *err)
{
    if (c->nomem) {
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    if (!(scale >= 1 && scale <= 8)) {
        return apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                             "expected a scale of 1..8, found %g", scale);
    }
    render_image *img;
    apo_status st = render_image_new(&img, (unsigned)lround(c->width * scale),
                                     (unsigned)lround(c->height * scale), err);
    if (st != APO_OK) {
        return st;
    }
    rc_canvas cv;
    rc_canvas_init(&cv, img);
    for (size_t i = 0; st == APO_OK && i < c->n; i++) {
        st = png_op(&cv, c->font, &c->ops[i], scale, err);
    }
    if (st == APO_OK) {
        st = render_image_write_png(img, path, (unsigned)lround(96 * scale), n_meta, meta, err);
    }
    render_image_free(img);
    return st;
}
