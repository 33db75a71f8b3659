/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_gating_path.c: the per-sample plot of `apoflow run` has one panel per applied gate
 * before the quadrants, then the quadrants: 3 panels for a height instrument (debris range,
 * FSC-A x FSC-H singlet wedge) and 3 for a width instrument too (debris range, FSC-W singlet
 * range; the FSC-W gate used to be applied but not shown, giving 2 panels). Panels are 420 px
 * wide, so the PNG's width counts them.
 */
#include "support/need.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PANEL_PX 420u

/* Width of a PNG from its IHDR chunk (bytes 16..19, big-endian); 0 when unreadable. */
static uint32_t png_width(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char h[24];
    size_t got = fread(h, 1, sizeof h, f);
    fclose(f);
    if (got != sizeof h || memcmp(h + 12, "IHDR", 4) != 0) return 0;
    return (uint32_t)h[16] << 24 | (uint32_t)h[17] << 16 | (uint32_t)h[18] << 8 | h[19];
}

static void run_one(const char *file, const char *const *extra, size_t n_extra,
                    const char *sample, uint32_t panels)
{
    char *dir = test_tmpdir();
    cr_assert(dir);
    char out[600], png[700], cmd[700];
    snprintf(out, sizeof out, "%s/r", dir);
    const char *argv[16] = {APOFLOW_BINARY, "run", file, "-o", out, "-q"};
    size_t n = 6;
    for (size_t i = 0; i < n_extra; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "apoflow run: %s", r.err);
    run_result_free(&r);
    snprintf(png, sizeof png, "%s/plots/%s.png", out, sample);
    cr_assert_eq(png_width(png), panels * PANEL_PX, "%s: %u px wide, expected %u panels", png,
                 png_width(png), panels);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

Test(cli_run_gating_path, height_instrument_debris_singlets_quadrants)
{
    run_one(APOFLOW_SOURCE_DIR "/samples/h2o2_r1.fcs", NULL, 0, "h2o2_r1", 3);
}

Test(cli_run_gating_path, width_instrument_shows_the_fsc_w_gate)
{
    const char *file = APOFLOW_CORPUS_DIR "/fcs/flowkit/test_comp_example.fcs";
    test_need_path(file, "the FCS corpus (an LSRII file with FSC-A and FSC-W, no FSC-H)");
    const char *extra[] = {"--annexin", "Ax488-A", "--pi", "PE-A"};
    run_one(file, extra, 4, "test_comp_example", 3);
}
