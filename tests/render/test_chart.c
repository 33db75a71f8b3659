/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_chart.c: charts (render/chart.h) written three ways: the PNG's pixels at known places
 * (a filled rectangle, a circle, text ink), the SVG parsed by libxml2 (well-formed, one
 * element per operation with its class, escaped and UTF-8-safe text, locale-free numbers),
 * the PDF's structure (header, objects at the offsets its xref gives, %%EOF) and identical
 * bytes for identical charts; the axis ranges and positions.
 */
#include "render/chart.h"
#include "support/png_util.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A chart: a red rectangle (10,20)-(50,60) "bar", a blue disc at (100,40) r 8 "point", a
 * dashed line, an open polyline, text "A&B <x>" and a rotated label; its font from @p cache
 * (NULL: its own). */
static render_chart *sample_chart_in(render_cache *cache)
{
    render_chart *c = NULL;
    apo_error err;
    cr_assert_eq(render_chart_new_cached(&c, 200, 120, cache, &err), APO_OK, "%s", err.msg);
    render_style bar = {.fill = 0xff0000, .fill_alpha = 1, .cls = "bar"};
    render_chart_rect(c, 10, 20, 50, 60, &bar);
    render_style pt = {.fill = 0x0000ff, .fill_alpha = 1, .cls = "point"};
    render_chart_circle(c, 100, 40, 8, &pt);
    render_style dash = {.stroke = 0x000000, .stroke_width = 1, .dashed = true, .cls = "ref"};
    render_chart_line(c, 10, 100, 190, 100, &dash);
    double xy[6] = {120, 80, 150, 60, 180, 90};
    render_style curve = {.stroke = 0x00aa00, .stroke_width = 2, .cls = "fit"};
    render_chart_polyline(c, xy, 3, false, &curve);
    render_text_style t = {.px = 12, .color = 0x202020, .anchor = RENDER_ANCHOR_MIDDLE,
                           .cls = "label"};
    render_chart_text(c, 100, 115, "A&B <x>", &t);
    t.up = true;
    render_chart_text(c, 190, 60, "up", &t);
    render_chart_rect(c, NAN, 0, 1, 1, &bar); /* skipped */
    return c;
}

static render_chart *sample_chart(void)
{
    return sample_chart_in(NULL);
}

static size_t xpath_count(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    cr_assert_not_null(o, "bad XPath %s", expr);
    size_t n = o->nodesetval ? (size_t)o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return n;
}

Test(render_chart, png_pixels_at_the_drawn_shapes)
{
    char dir[256], path[300];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/c.png", dir);
    render_chart *c = sample_chart();
    apo_error err;
    cr_assert_eq(render_chart_write_png(c, path, 2, 0, NULL, &err), APO_OK, "%s", err.msg);
    rt_png p;
    cr_assert(rt_png_read(path, &p));
    cr_assert_eq(p.width, 400);
    cr_assert_eq(p.height, 240);
    render_image img = {p.width, p.height, p.rgb};
    cr_assert_eq(rt_pixel(&img, 60, 80), 0xff0000, "inside the rectangle (scale 2)");
    cr_assert_eq(rt_pixel(&img, 18, 38), 0xffffff, "left of the rectangle");
    cr_assert_eq(rt_pixel(&img, 102, 80), 0xffffff, "right of the rectangle");
    cr_assert_eq(rt_pixel(&img, 200, 80), 0x0000ff, "the disc's centre");
    cr_assert_eq(rt_pixel(&img, 200, 100), 0xffffff, "outside the disc (r 16 px)");
    cr_assert_gt(rt_ink(&img, 150, 205, 250, 240), 40, "the label's ink");
    cr_assert_gt(rt_ink(&img, 370, 90, 400, 125), 10, "the rotated label's ink");
    rt_png_free(&p);
    render_chart_free(c);
    rt_rmdir(dir);
}

Test(render_chart, svg_is_well_formed_with_one_element_per_operation)
{
    char dir[256], path[300];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/c.svg", dir);
    render_chart *c = sample_chart();
    apo_error err;
    cr_assert_eq(render_chart_count(c, "bar"), 1, "the NaN rectangle is not recorded");
    cr_assert_eq(render_chart_write_svg(c, path, "T <1>", &err), APO_OK, "%s", err.msg);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    cr_assert_not_null(doc, "not well-formed XML");
    cr_assert_eq(xpath_count(doc, "/s:svg[@width='200' and @height='120']"), 1);
    cr_assert_eq(xpath_count(doc, "//s:rect[@class='bar' and @x='10' and @y='20' and "
                                  "@width='40' and @height='40' and @fill='#ff0000']"), 1);
    cr_assert_eq(xpath_count(doc, "//s:circle[@class='point' and @r='8']"), 1);
    cr_assert_eq(xpath_count(doc, "//s:line[@class='ref' and @stroke-dasharray='4 3']"), 1);
    cr_assert_eq(xpath_count(doc, "//s:polyline[@class='fit' and @fill='none' and "
                                  "@points='120,80 150,60 180,90']"), 1);
    cr_assert_eq(xpath_count(doc, "//s:text[@class='label' and text()='A&B <x>' and "
                                  "@text-anchor='middle']"), 1);
    cr_assert_eq(xpath_count(doc, "//s:text[@transform='rotate(-90 190 60)']"), 1);
    cr_assert_eq(xpath_count(doc, "/s:svg/s:title[text()='T <1>']"), 1);
    xmlFreeDoc(doc);
    render_chart_free(c);
    rt_rmdir(dir);
}

Test(render_chart, svg_text_that_is_not_utf8_stays_well_formed)
{
    char dir[256], path[300];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/u.svg", dir);
    render_chart *c = NULL;
    cr_assert_eq(render_chart_new(&c, 50, 50, NULL), APO_OK);
    render_text_style t = {.px = 10, .cls = "label"};
    render_chart_text(c, 5, 20, "a\xff\xc3" "Xb\x01\xed\xa0\x80 \xc2\xb5g", &t);
    cr_assert_eq(render_chart_write_svg(c, path, NULL, NULL), APO_OK);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    cr_assert_not_null(doc, "not well-formed XML");
    cr_assert_eq(xpath_count(doc, "//s:text[text()='a??Xb??? \xc2\xb5g']"), 1);
    xmlFreeDoc(doc);
    render_chart_free(c);
    rt_rmdir(dir);
}

/* @p what in the @p len bytes of @p buf (which hold NULs: the compressed stream), or NULL. */
static const char *find(const char *buf, size_t len, const char *what)
{
    size_t n = strlen(what);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(buf + i, what, n) == 0) {
            return buf + i;
        }
    }
    return NULL;
}

/* The byte offset that the PDF's xref gives object @p k, read from the table. */
static long xref_offset(const char *pdf, size_t len, int k)
{
    const char *x = find(pdf, len, "\nxref\n0 ");
    cr_assert_not_null(x);
    x = strchr(x + 8, '\n') + 1;
    return strtol(x + 20 * k, NULL, 10);
}

Test(render_chart, pdf_objects_sit_where_the_xref_says)
{
    char dir[256], path[300];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/c.pdf", dir);
    render_chart *c = sample_chart();
    render_style half = {.fill = 0x00ff00, .fill_alpha = 0.5, .cls = "half"};
    render_chart_rect(c, 0, 0, 5, 5, &half);
    apo_error err;
    cr_assert_eq(render_chart_write_pdf(c, path, "Chart (1)", &err), APO_OK, "%s", err.msg);
    size_t len;
    char *pdf = test_slurp(path, &len);
    cr_assert_eq(memcmp(pdf, "%PDF-1.4\n", 9), 0);
    cr_assert(len > 6 && memcmp(pdf + len - 6, "%%EOF\n", 6) == 0);
    cr_assert_not_null(find(pdf, len, "/MediaBox [0 0 200 120 ]"));
    cr_assert_not_null(find(pdf, len, "/Title (Chart \\(1\\))"));
    cr_assert_not_null(find(pdf, len, "/ca 0.5"), "the half-opaque fill's ExtGState");
    cr_assert_null(find(pdf, len, "/CreationDate"));
    for (int k = 1; k <= 6; k++) {
        char want[16];
        snprintf(want, sizeof want, "%d 0 obj", k);
        long off = xref_offset(pdf, len, k);
        cr_assert(off > 0 && (size_t)off < len);
        cr_assert_eq(strncmp(pdf + off, want, strlen(want)), 0, "object %d at %ld", k, off);
    }
    free(pdf);
    render_chart_free(c);
    rt_rmdir(dir);
}

Test(render_chart, identical_charts_give_identical_files)
{
    char dir[256];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    static const char *const ext[] = {"png", "svg", "pdf"};
    for (int k = 0; k < 3; k++) {
        char a[300], b[300];
        snprintf(a, sizeof a, "%s/a.%s", dir, ext[k]);
        snprintf(b, sizeof b, "%s/b.%s", dir, ext[k]);
        for (int i = 0; i < 2; i++) {
            render_chart *c = sample_chart();
            const char *p = i ? b : a;
            apo_status st = k == 0   ? render_chart_write_png(c, p, 1, 0, NULL, NULL)
                            : k == 1 ? render_chart_write_svg(c, p, "t", NULL)
                                     : render_chart_write_pdf(c, p, "t", NULL);
            cr_assert_eq(st, APO_OK);
            render_chart_free(c);
        }
        size_t na, nb;
        char *x = test_slurp(a, &na), *y = test_slurp(b, &nb);
        cr_assert(na == nb && memcmp(x, y, na) == 0, "%s differs", ext[k]);
        free(x);
        free(y);
    }
    rt_rmdir(dir);
}

Test(render_chart, axis_ranges_and_positions)
{
    render_chart_axis a = {.p0 = 300, .p1 = 0};
    render_chart_axis_linear(&a, 0, 43.2, true);
    cr_assert_float_eq(a.lo, 0, 1e-12);
    cr_assert_float_eq(a.hi, 45, 1e-9, "steps of 5 for a span of 43.2");
    cr_assert_float_eq(render_chart_axis_at(&a, 22.5), 150, 1e-9);
    cr_assert_float_eq(render_chart_axis_at(&a, 90), 0, 1e-9, "clamped to the axis");
    render_chart_axis_linear(&a, 50, 50, false);
    cr_assert(a.lo < 50 && a.hi > 50, "a single value gets a range around it");
    render_chart_axis l = {.p0 = 0, .p1 = 100};
    render_chart_axis_log(&l, 12.5, 200);
    cr_assert_float_eq(l.lo, 12.5 / 1.5, 1e-9);
    cr_assert_float_eq(l.hi, 300, 1e-9);
    double at100 = render_chart_axis_at(&l, 100);
    cr_assert_float_eq(at100, 100 * log10(100 / l.lo) / log10(l.hi / l.lo), 1e-9);
    cr_assert(isnan(render_chart_axis_at(&l, 0)), "0 has no place on a log axis");
}

Test(render_chart, bad_sizes_and_scales_are_refused)
{
    render_chart *c = NULL;
    apo_error err;
    cr_assert_eq(render_chart_new(&c, 0, 10, &err), APO_E_USAGE);
    cr_assert_null(c);
    cr_assert_eq(render_chart_new(&c, 10, NAN, &err), APO_E_USAGE);
    cr_assert_eq(render_chart_new(&c, 10, 10, &err), APO_OK);
    cr_assert_eq(render_chart_write_png(c, "/nonexistent/x.png", 0.5, 0, NULL, &err),
                 APO_E_USAGE);
    cr_assert_eq(render_chart_write_svg(c, "/nonexistent/x.svg", NULL, &err), APO_E_WRITE);
    render_chart_free(c);
}

Test(render_chart, charts_with_a_cached_font_are_the_same_bytes)
{
    /* chart 0 draws with a font of its own (the reference); chart 1 opens the cache's first
     * font and gives it back; charts 2 and 3 get that font with the glyphs it rendered and
     * measured before (chart 2 with other text in between): the PNGs are the same bytes */
    char dir[256], path[4][300];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    render_cache *cache = render_cache_new();
    cr_assert_not_null(cache);
    for (int k = 0; k < 4; k++) {
        snprintf(path[k], sizeof path[k], "%s/c%d.png", dir, k);
        render_chart *c = sample_chart_in(k == 0 ? NULL : cache);
        if (k == 2) { /* more glyphs, other sizes, through the cached font */
            render_text_style t = {.px = 9.5, .color = 0x000000, .bold = true};
            render_chart_text(c, 5, 10, "0123456789 events per second", &t);
            (void)render_chart_text_width(c, "Time (s) 1600", 17, false);
        }
        apo_error err;
        cr_assert_eq(render_chart_write_png(c, path[k], 2, 0, NULL, &err), APO_OK, "%s",
                     err.msg);
        render_chart_free(c);
    }
    size_t n0 = 0, n1 = 0, n3 = 0;
    char *a = test_slurp(path[0], &n0), *b = test_slurp(path[1], &n1),
         *d = test_slurp(path[3], &n3);
    cr_assert(n0 == n1 && memcmp(a, b, n0) == 0, "the second chart differs");
    cr_assert(n0 == n3 && memcmp(a, d, n0) == 0, "the fourth chart differs");
    free(a);
    free(b);
    free(d);
    render_cache_free(cache);
}
