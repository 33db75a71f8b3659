/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_png_bands.c: a large PNG's rows compressed in pieces (rpng_zlib_bands, png_deflate.c)
 * inflate with zlib, checksum included, to exactly the rows the one-piece stream gives, for
 * images of every kind (flat, noise, runs, repeated rows, text-like; one row, rows wider
 * than a DEFLATE window), every split (one piece, two, odd counts, one piece per row, more
 * pieces than rows) and any number of threads, with the same bytes on any number of threads;
 * a written PNG reads back through libpng as the image's pixels on 1-8 threads, the same
 * file each time; the number of pieces depends on the size alone.
 */
#include "render/render_internal.h"
#include "support/png_util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* RGB rows (no filter bytes) with the pixels of rt_pattern_pixel's @p kind. */
static uint8_t *make_rgb(unsigned w, unsigned h, int kind, uint64_t seed)
{
    uint8_t *rgb = malloc((size_t)w * 3 * h);
    cr_assert_not_null(rgb);
    uint64_t s = seed;
    for (size_t y = 0; y < h; y++) {
        for (size_t x = 0; x < w; x++) {
            uint8_t *p = rgb + (y * w + x) * 3;
            rt_pattern_pixel(p, x, y, kind, &s);
        }
    }
    return rgb;
}

/* Inflate @p z with zlib (which checks the Adler-32) into @p back of @p n bytes. */
static void inflate_all(const uint8_t *z, size_t nz, uint8_t *back, size_t n, const char *what)
{
    uLongf got = (uLongf)n;
    int rc = uncompress(back, &got, z, (uLong)nz);
    cr_assert_eq(rc, Z_OK, "%s: zlib says %d", what, rc);
    cr_assert_eq((size_t)got, n, "%s: %lu bytes back of %zu", what, (unsigned long)got, n);
}

/* Every split of one image on 1, 2 and 3 threads inflates to the one-piece stream's rows;
 * the bytes of a split do not depend on the threads. */
static void check_splits(unsigned w, unsigned h, int kind)
{
    uint8_t *rgb = make_rgb(w, h, kind, 77 + (uint64_t)kind * 13 + w);
    const size_t rb = (size_t)w * 3, n = (rb + 1) * h;
    const size_t bands[] = {1, 2, 3, 5, 8, h, (size_t)h + 3, 64};
    const size_t cap = rpng_zlib_bound(n) + 16 * ((size_t)h + 64);
    uint8_t *ref = malloc(cap), *z = malloc(cap), *z1 = malloc(cap);
    uint8_t *want = malloc(n), *back = malloc(n);
    cr_assert(ref && z && z1 && want && back);
    const size_t nref = rpng_zlib(rgb, rb, h, ref, cap);
    cr_assert_gt(nref, 0);
    inflate_all(ref, nref, want, n, "one piece");
    for (size_t y = 0; y < h; y++) { /* the rows behind their filter bytes */
        cr_assert_eq(want[y * (rb + 1)], 0);
        cr_assert(memcmp(want + y * (rb + 1) + 1, rgb + y * rb, rb) == 0);
    }
    for (size_t b = 0; b < sizeof bands / sizeof *bands; b++) {
        size_t n1 = 0;
        for (unsigned jobs = 1; jobs <= 3; jobs++) {
            char what[96];
            snprintf(what, sizeof what, "%ux%u kind %d, %zu pieces on %u threads", w, h, kind,
                     bands[b], jobs);
            const size_t nz = rpng_zlib_bands(rgb, rb, h, bands[b], jobs, z, cap);
            cr_assert_gt(nz, 0, "%s: no stream", what);
            memset(back, 0xab, n);
            inflate_all(z, nz, back, n, what);
            cr_assert(memcmp(back, want, n) == 0, "%s: rows differ", what);
            if (jobs == 1) {
                memcpy(z1, z, nz);
                n1 = nz;
            } else {
                cr_assert(nz == n1 && memcmp(z, z1, nz) == 0, "%s: other bytes than on one",
                          what);
            }
            if (bands[b] <= 1 || h == 1) {
                cr_assert(nz == nref && memcmp(z, ref, nz) == 0,
                          "%s: one piece is not rpng_zlib's stream", what);
            }
        }
    }
    free(rgb);
    free(ref);
    free(z);
    free(z1);
    free(want);
    free(back);
}

Test(png_bands, every_split_inflates_to_the_rows_on_any_threads)
{
    const unsigned sizes[][2] = {{1, 1}, {5, 1}, {2, 3}, {37, 11}, {420, 97}, {1260, 60},
                                 {11000, 3}, {300, 300}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int kind = 0; kind < 5; kind++) {
            check_splits(sizes[i][0], sizes[i][1], kind);
        }
    }
}

Test(png_bands, a_buffer_too_small_gives_no_stream)
{
    uint8_t *rgb = make_rgb(700, 200, 1, 9); /* noise: stored blocks */
    const size_t rb = 700 * 3, n = (rb + 1) * 200;
    uint8_t *z = malloc(n);
    cr_assert_not_null(z);
    for (unsigned jobs = 1; jobs <= 2; jobs++) {
        cr_assert_eq(rpng_zlib_bands(rgb, rb, 200, 4, jobs, z, n / 2), 0);
        cr_assert_eq(rpng_zlib_bands(rgb, rb, 200, 4, jobs, z, n), 0, "stored: more than n");
    }
    free(rgb);
    free(z);
}

Test(png_bands, noise_fits_in_the_bound)
{
    /* 12 MB of noise: every block stored, 32768 bytes each (the bound counts their
     * headers) */
    const unsigned w = 2000, h = 2000;
    uint8_t *rgb = make_rgb(w, h, 1, 5);
    const size_t rb = (size_t)w * 3, n = (rb + 1) * h, k = rpng_zlib_bands_count(rb, h);
    const size_t cap = rpng_zlib_bound(n) + 16 * k;
    uint8_t *z = malloc(cap), *back = malloc(n);
    cr_assert(z != NULL && back != NULL);
    cr_assert_gt(k, 1);
    const size_t n1 = rpng_zlib(rgb, rb, h, z, rpng_zlib_bound(n));
    cr_assert_gt(n1, n, "one piece: stored, %zu of %zu bytes", n1, n);
    const size_t nz = rpng_zlib_bands(rgb, rb, h, k, 2, z, cap);
    cr_assert_gt(nz, n, "%zu pieces: %zu of %zu bytes", k, nz, n);
    inflate_all(z, nz, back, n, "noise");
    free(rgb);
    free(z);
    free(back);
}

Test(png_bands, pieces_depend_on_the_size_alone)
{
    cr_assert_eq(rpng_zlib_bands_count(3, 1), 1);
    cr_assert_eq(rpng_zlib_bands_count(3 * 420, 448), 1, "a sample's panel: one piece");
    cr_assert_eq(rpng_zlib_bands_count(1u << 24, 1), 1, "one row: one piece");
    cr_assert_eq(rpng_zlib_bands_count(3 * 3200, 3228), 14, "the plate's overview");
    cr_assert_eq(rpng_zlib_bands_count(3 * 4700, 1028), 6, "the plate's quadrant bars");
    cr_assert_eq(rpng_zlib_bands_count(1u << 22, 3), 3, "at most one piece per row");
}

Test(png_bands, a_large_png_reads_back_as_its_pixels_on_any_threads)
{
    render_image *img = NULL;
    apo_error err;
    cr_assert_eq(render_image_new(&img, 1800, 1000, &err), APO_OK); /* 5.4 MB: 2 pieces */
    cr_assert_eq(rpng_zlib_bands_count((size_t)1800 * 3, 1000), 2);
    uint8_t *src = make_rgb(1800, 1000, 4, 3);
    memcpy(img->rgb, src, (size_t)1800 * 3 * 1000);
    for (size_t y = 100; y < 900; y += 7) { /* some dots over the pattern */
        img->rgb[(y * 1800 + y) * 3] = (uint8_t)y;
    }
    char dir[256];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    char p1[300], pj[300];
    snprintf(p1, sizeof p1, "%s/one.png", dir);
    snprintf(pj, sizeof pj, "%s/jobs.png", dir);
    render_text_chunk meta[] = {{"Source", "bands"}};
    cr_assert_eq(render_image_write_png(img, p1, 96, 1, meta, &err), APO_OK, "%s", err.msg);
    size_t n1 = 0;
    uint8_t *b1 = rt_read_file(p1, &n1);
    cr_assert_not_null(b1);
    const unsigned jobs[] = {0, 1, 2, 3, 8};
    for (size_t t = 0; t < sizeof jobs / sizeof *jobs; t++) {
        cr_assert_eq(render_image_write_png_jobs(img, pj, 96, 1, meta, jobs[t], &err), APO_OK);
        size_t nj = 0;
        uint8_t *bj = rt_read_file(pj, &nj);
        cr_assert(bj != NULL && nj == n1 && memcmp(bj, b1, n1) == 0,
                  "%u threads: other bytes", jobs[t]);
        free(bj);
        rt_png png;
        cr_assert(rt_png_read(pj, &png));
        cr_assert_eq(png.width, 1800);
        cr_assert_eq(png.height, 1000);
        cr_assert(memcmp(png.rgb, img->rgb, (size_t)1800 * 3 * 1000) == 0,
                  "%u threads: other pixels", jobs[t]);
        rt_png_free(&png);
    }
    free(b1);
    free(src);
    rt_rmdir(dir);
    render_image_free(img);
}
