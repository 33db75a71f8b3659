/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chart_svg.c: a chart (chart.h) as a standalone SVG 1.1 file: one element per recorded
 * operation (rect, line, polyline/polygon, circle, text) in figure units, each with its class,
 * text as real <text> in DejaVu Sans so a vector editor can edit it. Numbers are printed
 * locale-free with at most two decimals; the same chart always gives the same bytes.
 */
#include "render/chart_internal.h"

#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at @p s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
                             : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || (n == 2 && s[0] < 0xc2) || (n == 4 && s[0] > 0xf4)) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    /* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)) {
        return 0;
    }
    return n;
}

/* Text escaped for XML character data and attribute values: control bytes dropped, bytes
 * that are not UTF-8 (names come from untrusted files) written as '?'. */
static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x80) {
            size_t n = utf8_len((const unsigned char *)s);
            if (n == 0) {
                fputc('?', f);
            } else {
                fwrite(s, 1, n, f);
                s += n - 1;
            }
            continue;
        }
        switch (ch) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if (ch >= 0x20 || ch == '\t') {
                fputc(ch, f);
            }
        }
    }
}

static void attr_num(FILE *f, const char *name, double v)
{
    fprintf(f, " %s=\"", name);
    rchart_num(f, v);
    fputc('"', f);
}

static void cls(FILE *f, const rchart_op *o)
{
    if (o->cls != NULL) {
        fputs(" class=\"", f);
        esc(f, o->cls);
        fputc('"', f);
    }
}

/* fill / stroke attributes of a shape; @p can_fill false for lines and open polylines. */
static void paint(FILE *f, const render_style *s, bool can_fill)
{
    if (can_fill && s->fill_alpha > 0) {
        fprintf(f, " fill=\"#%06x\"", (unsigned)(s->fill & 0xffffffu));
        if (s->fill_alpha < 1) {
            attr_num(f, "fill-opacity", s->fill_alpha);
        }
    } else {
        fputs(" fill=\"none\"", f);
    }
    if (s->stroke_width > 0) {
        fprintf(f, " stroke=\"#%06x\"", (unsigned)(s->stroke & 0xffffffu));
        attr_num(f, "stroke-width", s->stroke_width);
        if (s->dashed) {
            fputs(" stroke-dasharray=\"", f);
            rchart_num(f, 4 * s->stroke_width);
            fputc(' ', f);
            rchart_num(f, 3 * s->stroke_width);
            fputc('"', f);
        }
    }
}

static void svg_text(FILE *f, const rchart_op *o)
{
    const render_text_style *t = &o->ts;
    static const char *const anchors[] = {"start", "middle", "end"};
    fputs("<text", f);
    cls(f, o);
    attr_num(f, "x", o->a[0]);
    attr_num(f, "y", o->a[1]);
    attr_num(f, "font-size", t->px);
    if (t->bold) {
        fputs(" font-weight=\"bold\"", f);
    }
    if (t->anchor != RENDER_ANCHOR_START) {
        fprintf(f, " text-anchor=\"%s\"", anchors[t->anchor == RENDER_ANCHOR_MIDDLE ? 1 : 2]);
    }
    fprintf(f, " fill=\"#%06x\"", (unsigned)(t->color & 0xffffffu));
    if (t->up) {
        fputs(" transform=\"rotate(-90 ", f);
        rchart_num(f, o->a[0]);
        fputc(' ', f);
        rchart_num(f, o->a[1]);
        fputs(")\"", f);
    }
    fputc('>', f);
    esc(f, o->text);
    fputs("</text>\n", f);
}

static void svg_op(FILE *f, const rchart_op *o)
{
    switch (o->kind) {
    case RCHART_RECT:
        fputs("<rect", f);
        cls(f, o);
        attr_num(f, "x", o->a[0]);
        attr_num(f, "y", o->a[1]);
        attr_num(f, "width", o->a[2] - o->a[0]);
        attr_num(f, "height", o->a[3] - o->a[1]);
        paint(f, &o->style, true);
        fputs("/>\n", f);
        break;
    case RCHART_LINE:
        fputs("<line", f);
        cls(f, o);
        attr_num(f, "x1", o->a[0]);
        attr_num(f, "y1", o->a[1]);
        attr_num(f, "x2", o->a[2]);
        attr_num(f, "y2", o->a[3]);
        paint(f, &o->style, false);
        fputs(" stroke-linecap=\"round\"/>\n", f);
        break;
    case RCHART_POLY:
        fputs(o->closed ? "<polygon" : "<polyline", f);
        cls(f, o);
        fputs(" points=\"", f);
        for (size_t i = 0; i < o->n; i++) {
            if (i > 0) {
                fputc(' ', f);
            }
            rchart_num(f, o->xy[2 * i]);
            fputc(',', f);
            rchart_num(f, o->xy[2 * i + 1]);
        }
        fputc('"', f);
        paint(f, &o->style, o->closed);
        fputs(o->closed ? " fill-rule=\"evenodd\"/>\n" : " stroke-linejoin=\"round\"/>\n", f);
        break;
    case RCHART_CIRCLE:
        fputs("<circle", f);
        cls(f, o);
        attr_num(f, "cx", o->a[0]);
        attr_num(f, "cy", o->a[1]);
        attr_num(f, "r", o->a[2]);
        paint(f, &o->style, true);
        fputs("/>\n", f);
        break;
    case RCHART_TEXT:
        svg_text(f, o);
        break;
    }
}

apo_status render_chart_write_svg(const render_chart *c, const char *path, const char *title,
                                  apo_error *err)
{
    if (c->nomem) {
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    FILE *f = af.fp;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"",
          f);
    attr_num(f, "width", c->width);
    attr_num(f, "height", c->height);
    fputs(" viewBox=\"0 0 ", f);
    rchart_num(f, c->width);
    fputc(' ', f);
    rchart_num(f, c->height);
    fputs("\" font-family=\"'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif\">\n", f);
    if (title != NULL && title[0] != '\0') {
        fputs("<title>", f);
        esc(f, title);
        fputs("</title>\n", f);
    }
    fputs("<desc>apoflow</desc>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", f);
    for (size_t i = 0; i < c->n; i++) {
        svg_op(f, &c->ops[i]);
    }
    fputs("</svg>\n", f);
    if (ferror(f)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(&af, err);
}
