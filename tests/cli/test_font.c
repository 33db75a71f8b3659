/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_font.c: the plot font is found at run time. $APOFLOW_FONT_DIR, when set, is used (a
 * folder holding only links to DejaVu Sans draws the plot), and a setting without the fonts is
 * an error naming the variable and the folder, not a silent fallback.
 */
#include "support/need.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAMPLE APOFLOW_SOURCE_DIR "/samples/ctrl_unstained.fcs"
#define DEJAVU "/usr/share/fonts/truetype/dejavu"

static int plot_with_font_dir(const char *font_dir, const char *out, run_result *r)
{
    cr_assert_eq(setenv("APOFLOW_FONT_DIR", font_dir, 1), 0);
    const char *argv[] = {APOFLOW_BINARY, "plot", SAMPLE, "-x", "FSC-A", "-y", "SSC-A",
                          "-o", out, NULL};
    return run_cli(argv, r);
}

Test(cli_font, font_dir_from_the_environment)
{
    test_need_path(DEJAVU "/DejaVuSans.ttf", "DejaVu Sans (fonts-dejavu-core)");
    char *dir = test_tmpdir();
    char fonts[1024], out[1100], link[1100];
    snprintf(fonts, sizeof fonts, "%s/fonts", dir);
    cr_assert_eq(mkdir(fonts, 0777), 0);
    const char *names[2] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"};
    for (int i = 0; i < 2; i++) {
        char target[256];
        snprintf(target, sizeof target, "%s/%s", DEJAVU, names[i]);
        snprintf(link, sizeof link, "%s/%s", fonts, names[i]);
        cr_assert_eq(symlink(target, link), 0, "%s", link);
    }
    snprintf(out, sizeof out, "%s/p.png", dir);
    run_result r;
    cr_assert_eq(plot_with_font_dir(fonts, out, &r), 0, "%s", r.err);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_gt(st.st_size, 1000);
    run_result_free(&r);

    /* the same variable pointing at a folder without the fonts: exit 66, and the message
     * names the variable and the folder */
    snprintf(out, sizeof out, "%s/q.png", dir);
    cr_assert_eq(plot_with_font_dir(dir, out, &r), 66, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "$APOFLOW_FONT_DIR"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, dir), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "DejaVuSans.ttf"), "%s", r.err);
    cr_assert_neq(access(out, F_OK), 0, "a plot was written without a font");
    run_result_free(&r);
    for (int i = 0; i < 2; i++) {
        snprintf(link, sizeof link, "%s/%s", fonts, names[i]);
        unlink(link);
    }
    rmdir(fonts);
    snprintf(out, sizeof out, "%s/p.png", dir);
    unlink(out);
    rmdir(dir);
    free(dir);
}
