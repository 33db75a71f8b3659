/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * png.c: writes a render_image as an 8-bit RGB PNG (PNG specification, ISO/IEC 15948:2004 /
 * W3C PNG 2nd edition): signature, IHDR, pHYs, tEXt (provenance: Software, Source, Comment),
 * one IDAT holding the zlib stream of the filtered rows, IEND. The chunks are assembled here
 * and the zlib stream comes from png_deflate.c (DEFLATE made for flat-colour plots: three
 * times faster than libdeflate at level 3 on the plate's images and as small; a large
 * image's rows in pieces compressed on the caller's threads); CRC-32 from libdeflate. Filter type 0 (None) on every row: chosen by measurement on our plots
 * (docs/performance.md), which are flat colour with sparse dots, where None is both the
 * smallest and the fastest filter. No tIME
 * chunk: the bytes depend only on the pixels and the chunks given. Output goes through
 * apo_atomic_* (temp file + rename).
 */
#include "render/render_internal.h"

#include <libdeflate.h>

#include <stdlib.h>
#include <string.h>

/* A growing output buffer. */
typedef struct png_buf {
    uint8_t *p;
    size_t n, cap;
    bool failed;
} png_buf;

static uint8_t *buf_reserve(png_buf *b, size_t n)
{
    if (b->failed) {
        return NULL;
    }
    if (n > b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->n < n) {
            if (cap > SIZE_MAX / 2) {
                b->failed = true;
                return NULL;
            }
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return NULL;
        }
        b->p = p;
        b->cap = cap;
    }
    return b->p + b->n;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One chunk: length, type, data (the two parts @p a and @p b, either may be empty), CRC of
 * type and data. */
static void put_chunk(png_buf *b, const char type[4], const void *a, size_t na, const void *c,
                      size_t nc)
{
    if (na + nc > 0x7fffffffu) { /* the largest chunk PNG allows */
        b->failed = true;
        return;
    }
    uint8_t *p = buf_reserve(b, 12 + na + nc);
    if (!p) {
        return;
    }
    put_u32(p, (uint32_t)(na + nc));
    memcpy(p + 4, type, 4);
    if (na) memcpy(p + 8, a, na);
    if (nc) memcpy(p + 8 + na, c, nc);
    uint32_t crc = libdeflate_crc32(0, p + 4, 4 + na + nc);
    put_u32(p + 8 + na + nc, crc);
    b->n += 12 + na + nc;
}

static void put_text(png_buf *b, const char *key, const char *text)
{
    size_t nk = strlen(key), nt = strlen(text);
    char head[80];
    memcpy(head, key, nk); /* key checked to be 1..79 bytes */
    head[nk] = '\0';
    put_chunk(b, "tEXt", head, nk + 1, text, nt);
}

/* The zlib stream of the rows, each with filter type 0 (read from the image in place), a
 * large image's rows in pieces compressed on @p jobs threads; false if out of memory. */
static bool compress_rows(png_buf *b, const render_image *img, unsigned jobs)
{
    const size_t row = (size_t)img->width * 3;
    const size_t bands = rpng_zlib_bands_count(row, img->height);
    /* only the pages written are touched: plots compress 20-40x */
    const size_t cap = rpng_zlib_bound((row + 1) * img->height) + 16 * bands;
    uint8_t *z = malloc(cap);
    const size_t nz =
        z != NULL ? rpng_zlib_bands(img->rgb, row, img->height, bands, jobs, z, cap) : 0;
    bool ok = nz > 0;
    for (size_t off = 0; ok && off < nz; off += 1u << 30) { /* IDATs of at most 1 GiB */
        size_t part = nz - off < (1u << 30) ? nz - off : (1u << 30);
        put_chunk(b, "IDAT", z + off, part, NULL, 0);
    }
    free(z);
    return ok && !b->failed;
}

/* The whole file in memory; false if out of memory or too large. */
static bool encode(png_buf *b, const render_image *img, unsigned dpi, size_t n_text,
                   const render_text_chunk *text, unsigned jobs)
{
    static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    uint8_t *p = buf_reserve(b, sizeof signature);
    if (!p) {
        return false;
    }
    memcpy(p, signature, sizeof signature);
    b->n += sizeof signature;
    uint8_t ihdr[13];
    put_u32(ihdr, (uint32_t)img->width);
    put_u32(ihdr + 4, (uint32_t)img->height);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* colour type: RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering (per-row filter bytes) */
    ihdr[12] = 0; /* not interlaced */
    put_chunk(b, "IHDR", ihdr, sizeof ihdr, NULL, 0);
    if (dpi > 0) {
        uint8_t phys[9];
        uint32_t ppm = (uint32_t)(dpi / 0.0254 + 0.5);
        put_u32(phys, ppm);
        put_u32(phys + 4, ppm);
        phys[8] = 1; /* unit: metre */
        put_chunk(b, "pHYs", phys, sizeof phys, NULL, 0);
    }
    put_text(b, "Software", "apoflow");
    for (size_t i = 0; i < n_text; i++) {
        put_text(b, text[i].key, text[i].text);
    }
    if (!compress_rows(b, img, jobs)) {
        return false;
    }
    put_chunk(b, "IEND", NULL, 0, NULL, 0);
    return !b->failed;
}

/* PNG tEXt keywords: 1-79 Latin-1 printable characters, no leading or trailing space. */
static bool valid_key(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n < 1 || n > 79 || k[0] == ' ' || k[n - 1] == ' ') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)k[i];
        if (ch < 32 || (ch > 126 && ch < 161)) {
            return false;
        }
    }
    return true;
}

apo_status render_image_write_png(const render_image *img, const char *path, unsigned dpi,
                                  size_t n_text, const render_text_chunk *text, apo_error *err)
{
    return render_image_write_png_jobs(img, path, dpi, n_text, text, 1, err);
}

apo_status render_image_write_png_jobs(const render_image *img, const char *path,
                                       unsigned dpi, size_t n_text,
                                       const render_text_chunk *text, unsigned jobs,
                                       apo_error *err)
{
    if (!img || !path || n_text > 1000) {
        return apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                             "expected an image, a path and at most 1000 text chunks");
    }
    for (size_t i = 0; i < n_text; i++) {
        if (!valid_key(text[i].key) || !text[i].text) {
            return apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                                 "expected a PNG text key of 1-79 Latin-1 characters, found "
                                 "\"%s\"", text[i].key ? text[i].key : "(null)");
        }
    }
    if (img->width == 0 || img->height == 0 || img->width > 0x7fffffffu ||
        img->height > 0x7fffffffu) {
        return apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                             "expected an image of 1 to 2^31-1 pixels each way, found %ux%u",
                             img->width, img->height);
    }
    png_buf b = {0};
    if (!encode(&b, img, dpi, n_text, text, jobs)) {
        free(b.p);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL,
                             "expected memory to encode a %ux%u PNG, found none",
                             img->width, img->height);
    }
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        free(b.p);
        return st;
    }
    bool ok = fwrite(b.p, 1, b.n, af.fp) == b.n;
    free(b.p);
    if (!ok) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL,
                             "expected to write the PNG, found a write error");
    }
    return apo_atomic_commit(&af, err);
}
