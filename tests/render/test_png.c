/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_png.c: PNG output read back with libpng: size and pixels, pHYs, tEXt chunks, no tIME,
 * byte-identical files for identical input, no temporary file left behind, errors.
 */
#include "render/render_internal.h"
#include "support/png_util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static size_t count_files(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.' || (e->d_name[1] != '\0' && e->d_name[1] != '.');
    }
    if (d) closedir(d);
    return n;
}

Test(render_png, round_trip_with_chunks)
{
    char dir[256], path[300];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/a.png", dir);
    render_image *img = NULL;
    cr_assert_eq(render_image_new(&img, 31, 17, NULL), APO_OK);
    img->rgb[(5 * 31 + 7) * 3 + 0] = 0x12;
    img->rgb[(5 * 31 + 7) * 3 + 1] = 0x34;
    img->rgb[(5 * 31 + 7) * 3 + 2] = 0x56;
    render_text_chunk meta[] = {{"Source", "A05.fcs"}, {"Comment", "x=FL1-A; y=FL3-A"}};
    apo_error err;
    cr_assert_eq(render_image_write_png(img, path, 300, 2, meta, &err), APO_OK, "%s", err.msg);
    rt_png p;
    cr_assert(rt_png_read(path, &p));
    cr_assert_eq(p.width, 31);
    cr_assert_eq(p.height, 17);
    cr_assert_eq(memcmp(p.rgb, img->rgb, 31 * 17 * 3), 0);
    cr_assert(p.has_phys);
    cr_assert_eq(p.ppm_x, 11811); /* 300 dpi */
    cr_assert_eq(p.ppm_y, 11811);
    cr_assert(!p.has_time);
    cr_assert_eq(p.n_text, 3);
    cr_assert_str_eq(p.keys[0], "Software");
    cr_assert_str_eq(p.keys[1], "Source");
    cr_assert_str_eq(p.texts[1], "A05.fcs");
    cr_assert_str_eq(p.keys[2], "Comment");
    cr_assert_str_eq(p.texts[2], "x=FL1-A; y=FL3-A");
    rt_png_free(&p);
    cr_assert_eq(count_files(dir), 1, "a temporary file was left behind");

    /* same input, same bytes */
    char path2[300];
    snprintf(path2, sizeof path2, "%s/b.png", dir);
    cr_assert_eq(render_image_write_png(img, path2, 300, 2, meta, &err), APO_OK);
    size_t la = 0, lb = 0;
    uint8_t *a = rt_read_file(path, &la), *b = rt_read_file(path2, &lb);
    cr_assert(a && b && la == lb && memcmp(a, b, la) == 0);
    free(a);
    free(b);
    /* no pHYs with dpi 0 */
    cr_assert_eq(render_image_write_png(img, path2, 0, 0, NULL, &err), APO_OK);
    cr_assert(rt_png_read(path2, &p));
    cr_assert(!p.has_phys);
    cr_assert_eq(p.n_text, 1);
    rt_png_free(&p);
    render_image_free(img);
    rt_rmdir(dir);
}

Test(render_png, errors)
{
    render_image *img = NULL;
    cr_assert_eq(render_image_new(&img, 4, 4, NULL), APO_OK);
    apo_error err;
    render_text_chunk bad[] = {{"", "x"}};
    cr_assert_eq(render_image_write_png(img, "/tmp/never.png", 0, 1, bad, &err), APO_E_USAGE);
    cr_assert_eq(render_image_write_png(img, "/nonexistent-dir/x.png", 0, 0, NULL, &err),
                 APO_E_WRITE);
    render_image_free(img);
}
