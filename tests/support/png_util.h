/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * png_util.h: helpers shared by the render and cli tests: reading PNGs back with libpng
 * (pixels, pHYs, tEXt keys), pixel access on render_image, synthetic event clusters, and the
 * corpus directory check (fail under CI=true, skip otherwise).
 */
#ifndef APOFLOW_TESTS_SUPPORT_PNG_UTIL_H
#define APOFLOW_TESTS_SUPPORT_PNG_UTIL_H

#include "render/render.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A PNG read back: RGB8 pixels, resolution and text chunks. */
typedef struct rt_png {
    unsigned width, height;
    uint8_t *rgb;
    bool has_phys;
    uint32_t ppm_x, ppm_y;
    int n_text;
    char keys[16][80];
    char texts[16][512];
    bool has_time;
} rt_png;

/* Read @p path; returns false when it is not a readable PNG. Free with rt_png_free. */
bool rt_png_read(const char *path, rt_png *out);
void rt_png_free(rt_png *p);
/* Whole file into memory (caller frees); NULL on failure. */
uint8_t *rt_read_file(const char *path, size_t *len);

/* Pixel (x, y) of an image as 0xRRGGBB. */
uint32_t rt_pixel(const render_image *img, unsigned x, unsigned y);
/* Luminance-ish darkness test: all channels below @p max. */
bool rt_dark(uint32_t rgb, unsigned max);
/* Count pixels in [x0,x1) x [y0,y1) that are not white. */
size_t rt_ink(const render_image *img, unsigned x0, unsigned y0, unsigned x1, unsigned y1);
/* FNV-1a 64 over the pixels. */
uint64_t rt_hash(const render_image *img);

/* Deterministic normal deviates (xorshift + Box-Muller). */
typedef struct rt_rng {
    uint64_t s;
} rt_rng;
double rt_normal(rt_rng *r);
double rt_uniform(rt_rng *r);

/* The next value of the splitmix64 sequence whose state is @p s. */
uint64_t rt_splitmix64(uint64_t *s);
/* Pixel (x, y) of a synthetic test image into @p p (RGB), drawing from the splitmix64
 * sequence @p state: kind 0 white with sparse dots, 1 noise, 2 horizontal runs of a few
 * colours, 3 every row the same, 4 a repeated text-like pattern (compressors see each kind
 * differently). */
void rt_pattern_pixel(uint8_t p[3], size_t x, size_t y, int kind, uint64_t *state);

/* A fresh temporary directory (mkdtemp under /tmp); caller removes with rt_rmdir. */
bool rt_tmpdir(char *buf, size_t cap);
void rt_rmdir(const char *dir);

/* The corpus dir, or NULL after cr_skip_test / cr_assert_fail as the rules say. */
const char *rt_corpus_dir(void);

#endif /* APOFLOW_TESTS_SUPPORT_PNG_UTIL_H */
