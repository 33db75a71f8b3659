/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_fast_paths.c: the render module's faster paths against plain references: the PNG
 * DEFLATE stream (png_deflate.c) inflated by zlib back to the exact input for images of
 * every kind (flat, noise, runs, repeated rows, tiny, wider than a DEFLATE window), and the
 * smoothed density grid (vectorised tap by tap) equal, bit for bit, to smoothing every point
 * of the grid the plain way, for clusters at the edges and corners, one event, events
 * spread everywhere and bands of rows with empty rows between; the display subsample equal
 * to its choice made in floating point; the axis quantiles near the ends equal the radix
 * selection's.
 */
#include "render/render_internal.h"

#include "support/png_util.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* PNG-like rows (filter byte 0 then RGB) with the pixels of rt_pattern_pixel's @p kind. */
static uint8_t *make_rows(unsigned w, unsigned h, int kind, uint64_t seed, size_t *n_out)
{
    const size_t row = (size_t)w * 3 + 1, n = row * h;
    uint8_t *raw = malloc(n ? n : 1);
    cr_assert_not_null(raw);
    uint64_t s = seed;
    for (size_t y = 0; y < h; y++) {
        uint8_t *r = raw + y * row;
        r[0] = 0;
        for (size_t x = 0; x < w; x++) {
            uint8_t *p = r + 1 + 3 * x;
            rt_pattern_pixel(p, x, y, kind, &s);
        }
    }
    *n_out = n;
    return raw;
}

static void round_trip(unsigned w, unsigned h, int kind, uint64_t seed)
{
    size_t n = 0;
    uint8_t *raw = make_rows(w, h, kind, seed, &n);
    const size_t cap = rpng_zlib_bound(n), rb = (size_t)w * 3;
    uint8_t *z = malloc(cap), *back = malloc(n ? n : 1), *rgb = malloc(rb * h);
    cr_assert(z != NULL && back != NULL && rgb != NULL);
    for (size_t y = 0; y < h; y++) { /* the image without the filter bytes */
        memcpy(rgb + y * rb, raw + y * (rb + 1) + 1, rb);
    }
    const size_t nz = rpng_zlib(rgb, rb, h, z, cap);
    cr_assert_gt(nz, 0, "%ux%u kind %d: no stream", w, h, kind);
    uLongf got = (uLongf)n;
    int rc = uncompress(back, &got, z, (uLong)nz);
    cr_assert_eq(rc, Z_OK, "%ux%u kind %d: zlib says %d", w, h, kind, rc);
    cr_assert_eq((size_t)got, n, "%ux%u kind %d: %lu bytes back of %zu", w, h, kind,
                 (unsigned long)got, n);
    cr_assert(memcmp(back, raw, n) == 0, "%ux%u kind %d: bytes differ", w, h, kind);
    if ((kind == 0 || kind == 3) && n >= 10000) {
        cr_assert_lt(nz, n / 8, "%ux%u kind %d: flat rows should compress, %zu of %zu", w, h,
                     kind, nz, n);
    }
    free(raw);
    free(z);
    free(back);
    free(rgb);
}

Test(render_fast, deflate_inflates_to_the_input)
{
    const unsigned sizes[][2] = {{1, 1}, {2, 3}, {5, 1}, {37, 11}, {420, 448}, {1260, 60},
                                 {11000, 3}, {300, 300}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int kind = 0; kind < 5; kind++) {
            round_trip(sizes[i][0], sizes[i][1], kind, 1000 + i * 7 + (uint64_t)kind);
        }
    }
}

Test(render_fast, deflate_stores_incompressible_blocks_and_reports_a_small_buffer)
{
    size_t n = 0;
    uint8_t *raw = make_rows(700, 200, 1, 42, &n); /* noise: stored blocks beat Huffman */
    const size_t cap = rpng_zlib_bound(n), rb = 700 * 3;
    uint8_t *z = malloc(cap), *rgb = malloc(rb * 200), *back = malloc(n);
    cr_assert(z != NULL && rgb != NULL && back != NULL);
    for (size_t y = 0; y < 200; y++) {
        memcpy(rgb + y * rb, raw + y * (rb + 1) + 1, rb);
    }
    const size_t nz = rpng_zlib(rgb, rb, 200, z, cap);
    cr_assert_gt(nz, 0);
    cr_assert_leq(nz, cap);
    cr_assert_gt(nz, n, "noise: stored blocks, a little larger than the rows");
    uLongf got = (uLongf)n;
    cr_assert_eq(uncompress(back, &got, z, (uLong)nz), Z_OK);
    cr_assert(got == n && memcmp(back, raw, n) == 0);
    cr_assert_eq(rpng_zlib(rgb, rb, 200, z, n / 2), 0, "a buffer too small: 0");
    free(raw);
    free(z);
    free(rgb);
    free(back);
}

/* The plain smoothing: every point of every row, then every point of every column, each
 * value the sum of the kernel's taps in order -r..r (inside) or of the taps inside the grid
 * renormalised (near an edge). */
static void plain_line(double *x, size_t n, size_t stride, const double *k, int r, double *tmp)
{
    double wall = 0;
    for (int d = -r; d <= r; d++) wall += k[d + r];
    for (size_t i = 0; i < n; i++) {
        bool inside = i >= (size_t)r && i + (size_t)r < n;
        double s = 0, w = 0;
        for (int d = -r; d <= r; d++) {
            long j = (long)i + d;
            if (j < 0 || j >= (long)n) continue;
            s += k[d + r] * x[(size_t)j * stride];
            w += k[d + r];
        }
        tmp[i] = inside ? (wall > 0 ? s / wall : 0) : (w > 0 ? s / w : 0);
    }
    for (size_t i = 0; i < n; i++) x[i * stride] = tmp[i];
}

static double *plain_grid(const double *u, const double *v, size_t n, size_t nb, double sigma)
{
    int r = (int)ceil(3 * sigma);
    if (r < 1) r = 1;
    double *k = malloc((size_t)(2 * r + 1) * sizeof *k), *tmp = malloc(nb * sizeof *tmp);
    double *g = calloc(nb * nb, sizeof *g);
    cr_assert(k && tmp && g);
    for (int d = -r; d <= r; d++) k[d + r] = exp(-0.5 * d * d / (sigma * sigma));
    for (size_t e = 0; e < n; e++) {
        if (isnan(u[e]) || isnan(v[e])) continue;
        double bu = u[e] > 0 ? u[e] * (double)nb : 0, bv = v[e] > 0 ? v[e] * (double)nb : 0;
        size_t iu = bu >= (double)nb ? nb - 1 : (size_t)bu;
        size_t iv = bv >= (double)nb ? nb - 1 : (size_t)bv;
        g[iv * nb + iu] += 1;
    }
    for (size_t j = 0; j < nb; j++) plain_line(g + j * nb, nb, 1, k, r, tmp);
    for (size_t c = 0; c < nb; c++) plain_line(g + c, nb, nb, k, r, tmp);
    free(k);
    free(tmp);
    return g;
}

Test(render_fast, density_grid_equals_plain_smoothing)
{
    const size_t nb = 256;
    const double sigmas[] = {1.5, 2.67, 4.1, 8};
    /* clusters near each edge and corner, in the middle, one event, spread everywhere; two
     * bands of rows with empty rows between, above and below them (every other event is
     * moved up by the fifth number) */
    const double centres[][5] = {{0.5, 0.5, 0.05, 0.05, 0}, {0.01, 0.02, 0.01, 0.01, 0},
                                 {0.99, 0.98, 0.01, 0.02, 0}, {0.3, 0.97, 0.2, 0.02, 0},
                                 {0.5, 0.5, 0, 0, 0},         {0.5, 0.5, 0.4, 0.4, 0},
                                 {0.5, 0.2, 0.3, 0.02, 0.15}, {0.4, 0.1, 0.3, 0.01, 0.7}};
    uint64_t s = 7;
    for (size_t c = 0; c < sizeof centres / sizeof centres[0]; c++) {
        const size_t n = centres[c][2] == 0 ? 1 : 5000;
        double *u = malloc(n * sizeof *u), *v = malloc(n * sizeof *v);
        cr_assert(u && v);
        for (size_t e = 0; e < n; e++) {
            double a = (double)(rt_splitmix64(&s) >> 11) * 0x1.0p-53 - 0.5;
            double b = (double)(rt_splitmix64(&s) >> 11) * 0x1.0p-53 - 0.5;
            u[e] = fmin(1, fmax(0, centres[c][0] + 2 * a * centres[c][2]));
            v[e] = fmin(1, fmax(0, centres[c][1] + 2 * b * centres[c][3] +
                                       (e % 2 ? centres[c][4] : 0)));
            if (e % 499 == 3) u[e] = NAN; /* not drawable */
        }
        for (size_t k = 0; k < sizeof sigmas / sizeof sigmas[0]; k++) {
            apo_error err;
            double *g = NULL;
            cr_assert_eq(rdensity_grid(u, v, n, nb, sigmas[k], &g, &err), APO_OK);
            double *ref = plain_grid(u, v, n, nb, sigmas[k]);
            for (size_t i = 0; i < nb * nb; i++) {
                cr_assert(memcmp(&g[i], &ref[i], sizeof(double)) == 0,
                          "case %zu sigma %g bin %zu: %.17g vs %.17g", c, sigmas[k], i, g[i],
                          ref[i]);
            }
            free(g);
            free(ref);
        }
        free(u);
        free(v);
    }
}

/* The display subsample as first written: selection sampling with the choice made in
 * floating point, r (n - i) < (double)(max - chosen). */
static size_t plain_subsample(size_t n, size_t max, uint64_t seed, size_t *idx)
{
    if (max == 0 || max >= n) {
        for (size_t i = 0; i < n; i++) idx[i] = i;
        return n;
    }
    uint64_t s = seed;
    size_t chosen = 0;
    for (size_t i = 0; i < n && chosen < max; i++) {
        double r = (double)(rt_splitmix64(&s) >> 11) * 0x1.0p-53;
        if (r * (double)(n - i) < (double)(max - chosen)) idx[chosen++] = i;
    }
    return chosen;
}

Test(render_fast, subsample_equals_the_floating_point_choice)
{
    const size_t cases[][2] = {{50000, 20000}, {43117, 20000}, {200000, 20000}, {7, 3},
                               {1000, 999},    {1000, 1},      {5000, 4999},   {12, 0},
                               {3, 5},         {20001, 20000}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const size_t n = cases[c][0], max = cases[c][1];
        size_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
        cr_assert(a && b);
        for (uint64_t seed = 0; seed < 4; seed++) {
            const size_t ma = render_subsample(n, max, seed * 977 + 1, a);
            const size_t mb = plain_subsample(n, max, seed * 977 + 1, b);
            cr_assert_eq(ma, mb, "n %zu max %zu: %zu vs %zu chosen", n, max, ma, mb);
            cr_assert_eq(ma, max == 0 || max >= n ? n : max);
            cr_assert(memcmp(a, b, ma * sizeof *a) == 0, "n %zu max %zu seed %llu", n, max,
                      (unsigned long long)seed);
        }
        free(a);
        free(b);
    }
}

/* The axis quantiles near either end (kept in one pass) against the radix selection of
 * every rank they take, in turn on one copy, on values of every kind: spread, heavy ties, negative, ascending and
 * descending runs (every value replaces a kept one), a few values, and zeros of both signs
 * (handed to the selection). */
Test(render_fast, quantiles_near_the_ends_equal_the_selection)
{
    const size_t sizes[] = {1, 2, 5, 31, 33, 64, 1000, 20000};
    uint64_t s = 11;
    for (int kind = 0; kind < 6; kind++) {
        for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
            const size_t n = sizes[c];
            double *x = malloc(n * sizeof *x), *copy = malloc(n * sizeof *copy);
            cr_assert(x && copy);
            for (size_t i = 0; i < n; i++) {
                const double r = (double)(rt_splitmix64(&s) >> 11) * 0x1.0p-53;
                switch (kind) {
                case 0: x[i] = 1e5 * r - 100; break;
                case 1: x[i] = (double)(rt_splitmix64(&s) % 7) - 3; break; /* ties, -0 never */
                case 2: x[i] = -1e-3 * (double)i; break;               /* descending */
                case 3: x[i] = (double)i * 0.5; break;                 /* ascending */
                case 4: x[i] = i % 3 == 0 ? -0.0 : (i % 3 == 1 ? 0.0 : r); break;
                default: x[i] = i % 50 == 0 ? INFINITY : (i % 51 == 0 ? NAN : r * r); break;
                }
            }
            size_t m = 0;
            for (size_t i = 0; i < n; i++) {
                if (isfinite(x[i])) copy[m++] = x[i];
            }
            const double q[6] = {0, 0.0005, 0.001, 0.5, 0.999, 1};
            double got[6];
            apo_error err;
            cr_assert_eq(rquantiles(x, n, 6, q, got, &err), APO_OK);
            for (int j = 0; j < 6 && m > 0; j++) {
                double rr = q[j] * (double)(m - 1);
                size_t r = rr <= 0 ? 0 : (rr >= (double)(m - 1) ? m - 1 : (size_t)(rr + 0.5));
                /* one copy selected in turn, as the quantiles were: with zeros of both signs
                 * which zero a selection gives depends on the order the last one left */
                const double want = gate_select(copy, m, r);
                cr_assert(memcmp(&got[j], &want, sizeof want) == 0,
                          "kind %d n %zu q %g: %.17g vs %.17g", kind, n, q[j], got[j], want);
            }
            free(x);
            free(copy);
        }
    }
}
