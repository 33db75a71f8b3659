/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_font_cache.c: text measured through the font's cache of glyph advances (font.c)
 * equals text measured by a font that has never seen those glyphs, bit for bit: the same
 * strings at the plots' sizes, regular and bold, measured again and again, interleaved with
 * drawing, and with more glyphs and sizes than the cache holds; text drawn through the cache
 * of rendered glyphs (again, at other positions, sizes, faces, upright and rotated) is the
 * same bytes as text drawn by fresh fonts.
 */
#include "render/render_internal.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *const texts[] = {
    "0", "1", "10", "100", "1000", "1600", "-200", "0.5", "25", "45",
    "Time (s)", "events per second", "Annexin V-FITC", "PI", "FSC-A", "SSC-A",
    "largest departure from the median rate 11% (flagged above 50%)",
    "s1_ctrl_annexin_only: event rate over Time", "Q1 12.3%", "\xc2\xb5m", "AV\xe2\x81\xbb",
    "WAVAWAYAToTa", "", "x",
};
static const double sizes[] = {9, 10, 11, 12, 13.5, 14, 16, 18, 20, 22.5, 24, 28};

static rtext_metrics fresh_measure(const char *t, double px, bool bold)
{
    rfont *f = NULL;
    apo_error err = {0};
    cr_assert_eq(rfont_open(&f, &err), APO_OK, "%s", err.msg);
    rtext_metrics m = rtext_measure(f, t, px, bold);
    rfont_free(f);
    return m;
}

static void assert_same(rtext_metrics a, rtext_metrics b, const char *t, double px, bool bold)
{
    cr_assert(memcmp(&a.width, &b.width, sizeof a.width) == 0 && a.ascent == b.ascent &&
                  a.descent == b.descent,
              "'%s' at %g px%s: width %.17g cached, %.17g fresh", t, px, bold ? " bold" : "",
              a.width, b.width);
}

Test(font_cache, measuring_again_gives_the_fresh_widths)
{
    rfont *f = NULL;
    apo_error err = {0};
    cr_assert_eq(rfont_open(&f, &err), APO_OK, "%s", err.msg);
    size_t n_texts = sizeof texts / sizeof texts[0], n_sizes = sizeof sizes / sizeof sizes[0];
    render_image *img = NULL;
    cr_assert_eq(render_image_new(&img, 300, 60, &err), APO_OK);
    rc_canvas c;
    rc_canvas_init(&c, img);
    for (int pass = 0; pass < 3; pass++) {
        for (size_t s = 0; s < n_sizes; s++) {
            for (size_t i = 0; i < n_texts; i++) {
                for (int bold = 0; bold < 2; bold++) {
                    rtext_metrics m = rtext_measure(f, texts[i], sizes[s], bold);
                    if (pass != 1) {
                        assert_same(m, fresh_measure(texts[i], sizes[s], bold), texts[i],
                                    sizes[s], bold);
                    }
                    /* drawing between measurements changes the faces' state */
                    rtext_draw(&c, f, texts[i], 2, 40, sizes[(s + 3) % n_sizes], !bold, 0);
                }
            }
        }
    }
    render_image_free(img);
    rfont_free(f);
}

Test(font_cache, more_glyphs_than_the_cache_holds)
{
    /* 95 ASCII glyphs x 40 sizes x 2 faces: far more than the cache's slots */
    char all[96];
    for (int k = 0; k < 95; k++) all[k] = (char)(32 + k);
    all[95] = '\0';
    rfont *f = NULL;
    apo_error err = {0};
    cr_assert_eq(rfont_open(&f, &err), APO_OK, "%s", err.msg);
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < 40; k++) {
            double px = 8 + 0.75 * k;
            for (int bold = 0; bold < 2; bold++) {
                rtext_metrics m = rtext_measure(f, all, px, bold);
                if (pass == 1 || k % 7 == 0) {
                    assert_same(m, fresh_measure(all, px, bold), "(ASCII)", px, bold);
                }
            }
        }
    }
    rfont_free(f);
}

Test(font_cache, drawn_text_is_the_same_after_measuring)
{
    rfont *a = NULL, *b = NULL;
    apo_error err = {0};
    cr_assert_eq(rfont_open(&a, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(rfont_open(&b, &err), APO_OK, "%s", err.msg);
    render_image *ia = NULL, *ib = NULL;
    cr_assert_eq(render_image_new(&ia, 700, 60, &err), APO_OK);
    cr_assert_eq(render_image_new(&ib, 700, 60, &err), APO_OK);
    rc_canvas ca, cb;
    rc_canvas_init(&ca, ia);
    rc_canvas_init(&cb, ib);
    size_t n_texts = sizeof texts / sizeof texts[0];
    for (size_t i = 0; i < n_texts; i++) {
        (void)rtext_measure(a, texts[i], 14, false); /* a has measured, b has not */
        (void)rtext_measure(a, texts[i], 14, false);
        double wa = rtext_draw(&ca, a, texts[i], 3, 40, 14, false, 0x202020);
        double wb = rtext_draw(&cb, b, texts[i], 3, 40, 14, false, 0x202020);
        cr_assert_eq(memcmp(&wa, &wb, sizeof wa), 0, "'%s'", texts[i]);
    }
    /* drawn again: a from its cache of rendered glyphs, b fresh each time */
    rfont_free(b);
    for (int rep = 0; rep < 3; rep++) {
        for (size_t i = 0; i < n_texts; i++) {
            const double px = rep == 1 ? 11 : 14, x = 7.3 + rep * 1.6, y = 20.6 + rep * 9;
            const bool bold = rep == 2;
            cr_assert_eq(rfont_open(&b, &err), APO_OK, "%s", err.msg);
            double wa = rtext_draw(&ca, a, texts[i], x, y, px, bold, 0x7f3f1f);
            double wb = rtext_draw(&cb, b, texts[i], x, y, px, bold, 0x7f3f1f);
            cr_assert_eq(memcmp(&wa, &wb, sizeof wa), 0, "'%s'", texts[i]);
            cr_assert_eq(rtext_draw_up(&ca, a, texts[i], 30 + 20.0 * (double)i, 55, px, bold,
                                       0x104080, &err), APO_OK);
            cr_assert_eq(rtext_draw_up(&cb, b, texts[i], 30 + 20.0 * (double)i, 55, px, bold,
                                       0x104080, &err), APO_OK);
            rfont_free(b);
        }
    }
    b = NULL;
    cr_assert_eq(memcmp(ia->rgb, ib->rgb, (size_t)700 * 60 * 3), 0);
    render_image_free(ia);
    render_image_free(ib);
    rfont_free(a);
    rfont_free(b);
}
