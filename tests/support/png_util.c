/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * png_util.c: the PNG, pixel, random-number and scratch-folder helpers of the render and cli tests
 * (png_util.h).
 */
#include "support/png_util.h"
#include "support/need.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


bool rt_png_read(const char *path, rt_png *out)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(fp);
        return false;
    }
    uint8_t *volatile rgb = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rgb);
        fclose(fp);
        return false;
    }
    png_init_io(png, fp);
    png_read_info(png, info);
    if (png_get_color_type(png, info) != PNG_COLOR_TYPE_RGB ||
        png_get_bit_depth(png, info) != 8) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(fp);
        return false;
    }
    out->width = png_get_image_width(png, info);
    out->height = png_get_image_height(png, info);
    rgb = malloc((size_t)out->width * out->height * 3);
    for (unsigned y = 0; y < out->height; y++) {
        png_read_row(png, rgb + (size_t)y * out->width * 3, NULL);
    }
    png_read_end(png, info);
    png_uint_32 rx, ry;
    int unit;
    if (png_get_pHYs(png, info, &rx, &ry, &unit)) {
        out->has_phys = true;
        out->ppm_x = rx;
        out->ppm_y = ry;
    }
    png_textp text = NULL;
    int nt = 0;
    png_get_text(png, info, &text, &nt);
    for (int i = 0; i < nt && out->n_text < 16; i++) {
        snprintf(out->keys[out->n_text], 80, "%s", text[i].key);
        snprintf(out->texts[out->n_text], 512, "%s", text[i].text);
        out->n_text++;
    }
    png_timep t;
    out->has_time = png_get_tIME(png, info, &t) != 0;
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    out->rgb = rgb;
    return true;
}

void rt_png_free(rt_png *p)
{
    free(p->rgb);
    p->rgb = NULL;
}

uint8_t *rt_read_file(const char *path, size_t *len)
{
    return (uint8_t *)test_read_file(path, len);
}

uint32_t rt_pixel(const render_image *img, unsigned x, unsigned y)
{
    const uint8_t *p = img->rgb + ((size_t)y * img->width + x) * 3;
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

bool rt_dark(uint32_t rgb, unsigned max)
{
    return ((rgb >> 16) & 0xff) <= max && ((rgb >> 8) & 0xff) <= max && (rgb & 0xff) <= max;
}

size_t rt_ink(const render_image *img, unsigned x0, unsigned y0, unsigned x1, unsigned y1)
{
    size_t n = 0;
    for (unsigned y = y0; y < y1 && y < img->height; y++) {
        for (unsigned x = x0; x < x1 && x < img->width; x++) {
            n += rt_pixel(img, x, y) != 0xffffff;
        }
    }
    return n;
}

uint64_t rt_hash(const render_image *img)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t n = (size_t)img->width * img->height * 3;
    for (size_t i = 0; i < n; i++) {
        h ^= img->rgb[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

double rt_uniform(rt_rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return ((double)(r->s >> 11) + 0.5) * 0x1.0p-53;
}

double rt_normal(rt_rng *r)
{
    double u1 = rt_uniform(r), u2 = rt_uniform(r);
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

bool rt_tmpdir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/apoflow-render-test-XXXXXX");
    return mkdtemp(buf) != NULL;
}

void rt_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char p[1024];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

const char *rt_corpus_dir(void)
{
    test_need_path(APOFLOW_CORPUS_DIR, "the shared corpus");
    return APOFLOW_CORPUS_DIR;
}

uint64_t rt_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rt_pattern_pixel(uint8_t p[3], size_t x, size_t y, int kind, uint64_t *state)
{
    uint64_t v = rt_splitmix64(state);
    switch (kind) {
    case 0:
        memset(p, 255, 3);
        if (v % 97 == 0) {
            p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 24);
        }
        break;
    case 1:
        p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16);
        break;
    case 2: {
        uint8_t c = (uint8_t)((x / (1 + y % 7)) % 3 * 100);
        p[0] = c, p[1] = (uint8_t)(255 - c), p[2] = c;
        break;
    }
    case 3:
        p[0] = (uint8_t)x, p[1] = (uint8_t)(x * 7), p[2] = (uint8_t)(x >> 3);
        break;
    default:
        p[0] = p[1] = p[2] = (uint8_t)((x * 13 + (y % 9) * 5) % 11 < 3 ? 40 : 255);
        break;
    }
}
