/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chart_pdf.c: a chart (chart.h) as a one-page PDF 1.4 file (ISO 32000-1 subset): the page is
 * the chart's size with 1 unit = 1 point; shapes become path operators (rectangles, lines,
 * polygons, circles as four cubic Bezier arcs), opacity an ExtGState per distinct value, and
 * text the DejaVu Sans glyph outlines as filled paths (no font to embed or substitute: the
 * page looks the same in every viewer and editor, text is not selectable); opacity applies to
 * fills only, as in the SVG. The content stream
 * is DEFLATE-compressed (libdeflate); the file carries no date, so the same chart gives the
 * same bytes.
 */
#include "render/chart_internal.h"

#include "util/util.h"

#include <libdeflate.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ALPHAS 16
#define KAPPA 0.5522847498 /* a quarter circle as one cubic Bezier */

typedef struct pdf_page {
    FILE *f;
    double alphas[MAX_ALPHAS]; /* distinct opacities < 1, as /G0 ... */
    size_t n_alphas;
} pdf_page;

static void pt(FILE *f, double x, double y)
{
    rchart_num(f, x);
    fputc(' ', f);
    rchart_num(f, y);
    fputc(' ', f);
}

static void color(FILE *f, uint32_t c, bool stroke)
{
    double r = ((c >> 16) & 255u) / 255.0, g = ((c >> 8) & 255u) / 255.0, b = (c & 255u) / 255.0;
    fprintf(f, "%d.%03d %d.%03d %d.%03d %s\n", (int)r, (int)lround(fmod(r, 1) * 1000),
            (int)g, (int)lround(fmod(g, 1) * 1000), (int)b, (int)lround(fmod(b, 1) * 1000),
            stroke ? "RG" : "rg");
}

/* The ExtGState of opacity @p a (the nearest recorded one when the table is full). */
static size_t alpha_slot(pdf_page *p, double a)
{
    size_t best = 0;
    for (size_t i = 0; i < p->n_alphas; i++) {
        if (p->alphas[i] == a) {
            return i;
        }
        if (fabs(p->alphas[i] - a) < fabs(p->alphas[best] - a)) {
            best = i;
        }
    }
    if (p->n_alphas < MAX_ALPHAS) {
        p->alphas[p->n_alphas] = a;
        return p->n_alphas++;
    }
    return best;
}

/* Fill and stroke state of a shape: "q ... " opened here, closed by the caller with "Q". */
static void paint_begin(pdf_page *p, const render_style *s, bool fill)
{
    FILE *f = p->f;
    fputs("q\n", f);
    double a = fill ? s->fill_alpha : 1;
    if (a < 1) {
        fprintf(f, "/G%zu gs\n", alpha_slot(p, a));
    }
    if (fill) {
        color(f, s->fill, false);
    }
    if (s->stroke_width > 0) {
        color(f, s->stroke, true);
        rchart_num(f, s->stroke_width);
        fputs(" w 1 J 1 j\n", f);
        if (s->dashed) {
            fputc('[', f);
            pt(f, 4 * s->stroke_width, 3 * s->stroke_width);
            fputs("] 0 d\n", f);
        }
    }
}

/* The paint operator: fill (even-odd), stroke or both, and the closing "Q". */
static void paint_end(FILE *f, bool fill, bool stroke)
{
    fputs(fill && stroke ? "B*" : fill ? "f*" : stroke ? "S" : "n", f);
    fputs("\nQ\n", f);
}

static void circle_path(FILE *f, double cx, double cy, double r)
{
    double k = KAPPA * r;
    pt(f, cx + r, cy);
    fputs("m\n", f);
    double seg[4][6] = {{cx + r, cy + k, cx + k, cy + r, cx, cy + r},
                        {cx - k, cy + r, cx - r, cy + k, cx - r, cy},
                        {cx - r, cy - k, cx - k, cy - r, cx, cy - r},
                        {cx + k, cy - r, cx + r, cy - k, cx + r, cy}};
    for (int i = 0; i < 4; i++) {
        pt(f, seg[i][0], seg[i][1]);
        pt(f, seg[i][2], seg[i][3]);
        pt(f, seg[i][4], seg[i][5]);
        fputs("c\n", f);
    }
    fputs("h\n", f);
}

static void glyph_path(void *ctx, char op, const double *p)
{
    FILE *f = ctx;
    switch (op) {
    case 'M':
        pt(f, p[0], p[1]);
        fputs("m\n", f);
        break;
    case 'L':
        pt(f, p[0], p[1]);
        fputs("l\n", f);
        break;
    case 'C':
        pt(f, p[0], p[1]);
        pt(f, p[2], p[3]);
        pt(f, p[4], p[5]);
        fputs("c\n", f);
        break;
    default:
        fputs("h\n", f);
    }
}

/* Text as its filled glyph outlines, placed (and turned for "up") by a matrix. */
static void pdf_text(pdf_page *p, rfont *font, const rchart_op *o)
{
    const render_text_style *t = &o->ts;
    double w = o->a[2], shift = t->anchor == RENDER_ANCHOR_MIDDLE ? w / 2
                                : t->anchor == RENDER_ANCHOR_END  ? w
                                                                  : 0;
    FILE *f = p->f;
    fputs("q\n", f);
    color(f, t->color, false);
    /* the outline is laid out from (0, 0); move it to the anchor, turning it for "up" */
    if (t->up) {
        fputs("0 -1 1 0 ", f);
    } else {
        fputs("1 0 0 1 ", f);
    }
    pt(f, o->a[0], o->a[1]);
    fputs("cm\n", f);
    rtext_outline(font, o->text, -shift, 0, t->px, t->bold, glyph_path, f);
    fputs("f\nQ\n", f);
}

static void pdf_op(pdf_page *p, rfont *font, const rchart_op *o)
{
    FILE *f = p->f;
    const render_style *s = &o->style;
    bool fill = s->fill_alpha > 0, stroke = s->stroke_width > 0;
    switch (o->kind) {
    case RCHART_RECT:
        paint_begin(p, s, fill);
        pt(f, o->a[0], o->a[1]);
        pt(f, o->a[2] - o->a[0], o->a[3] - o->a[1]);
        fputs("re\n", f);
        paint_end(f, fill, stroke);
        break;
    case RCHART_LINE:
        paint_begin(p, s, false);
        pt(f, o->a[0], o->a[1]);
        fputs("m ", f);
        pt(f, o->a[2], o->a[3]);
        fputs("l\n", f);
        paint_end(f, false, stroke);
        break;
    case RCHART_POLY:
        fill = fill && o->closed;
        paint_begin(p, s, fill);
        for (size_t i = 0; i < o->n; i++) {
            pt(f, o->xy[2 * i], o->xy[2 * i + 1]);
            fputs(i == 0 ? "m\n" : "l\n", f);
        }
        if (o->closed) {
            fputs("h\n", f);
        }
        paint_end(f, fill, stroke);
        break;
    case RCHART_CIRCLE:
        paint_begin(p, s, fill);
        circle_path(f, o->a[0], o->a[1], o->a[2]);
        paint_end(f, fill, stroke);
        break;
    case RCHART_TEXT:
        pdf_text(p, font, o);
        break;
    }
}

/* The page's drawing operators: the chart's y-down units turned into PDF's y-up points. */
static apo_status content(const render_chart *c, pdf_page *p, char **buf, size_t *len,
                          apo_error *err)
{
    p->f = open_memstream(buf, len);
    if (p->f == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    fputs("1 0 0 -1 0 ", p->f);
    rchart_num(p->f, c->height);
    fputs(" cm\n1 1 1 rg 0 0 ", p->f);
    pt(p->f, c->width, c->height);
    fputs("re f\n", p->f);
    for (size_t i = 0; i < c->n; i++) {
        pdf_op(p, c->font, &c->ops[i]);
    }
    bool bad = ferror(p->f) != 0;
    if (fclose(p->f) != 0 || bad) {
        free(*buf);
        *buf = NULL;
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    return APO_OK;
}

static apo_status deflate_stream(const char *raw, size_t n, void **out, size_t *out_n,
                                 apo_error *err)
{
    struct libdeflate_compressor *z = libdeflate_alloc_compressor(6);
    size_t cap = z != NULL ? libdeflate_zlib_compress_bound(z, n) : 0;
    *out = z != NULL ? malloc(cap) : NULL;
    *out_n = *out != NULL ? libdeflate_zlib_compress(z, raw, n, *out, cap) : 0;
    libdeflate_free_compressor(z);
    if (*out_n == 0) {
        free(*out);
        *out = NULL;
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    return APO_OK;
}

/* The objects: 1 catalog, 2 pages, 3 page, 4 content, 5 info, 6.. ExtGStates. */
static void write_file(FILE *f, const render_chart *c, const pdf_page *p, const void *z,
                       size_t zn, const char *title)
{
    long off[6 + MAX_ALPHAS];
    size_t n_obj = 5 + p->n_alphas;
    fputs("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", f);
    off[1] = ftell(f);
    fputs("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", f);
    off[2] = ftell(f);
    fputs("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n", f);
    off[3] = ftell(f);
    fputs("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ", f);
    pt(f, c->width, c->height);
    fputs("] /Contents 4 0 R /Resources << /ExtGState <<", f);
    for (size_t i = 0; i < p->n_alphas; i++) {
        fprintf(f, " /G%zu %zu 0 R", i, 6 + i);
    }
    fputs(" >> >> >>\nendobj\n", f);
    off[4] = ftell(f);
    fprintf(f, "4 0 obj\n<< /Length %zu /Filter /FlateDecode >>\nstream\n", zn);
    fwrite(z, 1, zn, f);
    fputs("\nendstream\nendobj\n", f);
    off[5] = ftell(f);
    fputs("5 0 obj\n<< /Producer (apoflow) /Title (", f);
    for (const char *s = title ? title : ""; *s; s++) { /* PDF string: ASCII, escaped */
        unsigned char ch = (unsigned char)*s;
        if (ch == '(' || ch == ')' || ch == '\\') {
            fputc('\\', f);
        }
        fputc(ch >= 0x20 && ch < 0x7f ? ch : '?', f);
    }
    fputs(") >>\nendobj\n", f);
    for (size_t i = 0; i < p->n_alphas; i++) {
        off[6 + i] = ftell(f);
        fprintf(f, "%zu 0 obj\n<< /Type /ExtGState /ca ", 6 + i);
        rchart_num(f, p->alphas[i]);
        fputs(" >>\nendobj\n", f);
    }
    long xref = ftell(f);
    fprintf(f, "xref\n0 %zu\n0000000000 65535 f \n", n_obj + 1);
    for (size_t i = 1; i <= n_obj; i++) {
        fprintf(f, "%010ld 00000 n \n", off[i]);
    }
    fprintf(f, "trailer\n<< /Size %zu /Root 1 0 R /Info 5 0 R >>\nstartxref\n%ld\n%%%%EOF\n",
            n_obj + 1, xref);
}

apo_status render_chart_write_pdf(const render_chart *c, const char *path, const char *title,
                                  apo_error *err)
{
    if (c->nomem) {
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    pdf_page p = {0};
    char *raw = NULL;
    size_t raw_n = 0, zn = 0;
    void *z = NULL;
    apo_status st = content(c, &p, &raw, &raw_n, err);
    if (st == APO_OK) {
        st = deflate_stream(raw, raw_n, &z, &zn, err);
    }
    free(raw);
    apo_atomic_file af;
    if (st == APO_OK) {
        st = apo_atomic_open(&af, path, err);
    }
    if (st == APO_OK) {
        write_file(af.fp, c, &p, z, zn, title);
        if (ferror(af.fp)) {
            apo_atomic_abort(&af);
            st = apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
        } else {
            st = apo_atomic_commit(&af, err);
        }
    }
    free(z);
    return st;
}
