/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * png.c: writes a render_image as an 8-bit RGB PNG. The classic libpng API is used (not the
 * simplified png_image one) because only it can add tEXt chunks (provenance: Software,
 * Source, Comment) and pHYs. No tIME chunk, fixed zlib settings: the bytes depend only on the
 * pixels and the chunks given. Output goes through apo_atomic_* (temp file + rename).
 */
#include "render/render_internal.h"

#include <png.h>

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct png_err_ctx {
    char msg[200];
} png_err_ctx;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_err_ctx *e = png_get_error_ptr(png);
    if (e) {
        size_t n = strlen(msg);
        if (n >= sizeof e->msg) n = sizeof e->msg - 1;
        memcpy(e->msg, msg, n);
        e->msg[n] = '\0';
    }
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

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

/* The libpng part; returns false with e->msg set on failure. */
static bool write_stream(FILE *fp, const render_image *img, unsigned dpi, png_text *texts,
                         int n_texts, png_err_ctx *e)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, e, on_png_error,
                                              on_png_warning);
    if (!png) {
        snprintf(e->msg, sizeof e->msg, "cannot create the PNG writer");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(e->msg, sizeof e->msg, "cannot create the PNG info");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_init_io(png, fp);
    png_set_compression_level(png, 6);
    png_set_IHDR(png, info, img->width, img->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (dpi > 0) {
        png_uint_32 ppm = (png_uint_32)(dpi / 0.0254 + 0.5);
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_set_text(png, info, texts, n_texts);
    png_write_info(png, info);
    for (unsigned y = 0; y < img->height; y++) {
        png_write_row(png, img->rgb + (size_t)y * img->width * 3);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return true;
}

apo_status render_image_write_png(const render_image *img, const char *path, unsigned dpi,
                                  size_t n_text, const render_text_chunk *text, apo_error *err)
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
    png_text *texts = calloc(n_text + 1, sizeof *texts);
    if (!texts) {
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL,
                             "expected memory for PNG text, found none");
    }
    static char software_key[] = "Software";
    static char software_val[] = "apoflow";
    texts[0].compression = PNG_TEXT_COMPRESSION_NONE;
    texts[0].key = software_key;
    texts[0].text = software_val;
    for (size_t i = 0; i < n_text; i++) {
        texts[i + 1].compression = PNG_TEXT_COMPRESSION_NONE;
        /* libpng copies keys and text; the casts only drop const for its API */
        texts[i + 1].key = (png_charp)(uintptr_t)text[i].key;
        texts[i + 1].text = (png_charp)(uintptr_t)text[i].text;
    }
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        free(texts);
        return st;
    }
    png_err_ctx e = {{0}};
    bool ok = write_stream(af.fp, img, dpi, texts, (int)(n_text + 1), &e);
    free(texts);
    if (!ok) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL,
                             "expected to write the PNG, found libpng error: %s", e.msg);
    }
    return apo_atomic_commit(&af, err);
}
