/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_corpus.c: every plot kind renders without error for real FCS files of the shared
 * corpus (different instruments, FCS 2.0/3.0/3.1, integer and float data, with and without a
 * spillover matrix), compensated when the file has a matrix, with logicle axes on the
 * fluorescence channels; the panel is written as PNG and read back.
 */
#include "gating/gate.h"
#include "render/render.h"
#include "support/png_util.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const files[] = {
    "fcs/flowio/data1.fcs",
    "fcs/flowkit/test_comp_example.fcs",
    "fcs/fcsparser/FCS_3.0_Fortessa_PBS_Specimen_001_A1_A01.fcs",
    "fcs/fcsparser/cyflow_cube_8.fcs",
    "fcs/flowio/3FITC_4PE_004.fcs",
};

static bool is_scatter(const fcs_param *p)
{
    return strncasecmp(p->name, "FSC", 3) == 0 || strncasecmp(p->name, "SSC", 3) == 0;
}

static void render_file(const char *corpus, const char *rel, const char *outdir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", corpus, rel);
    fcs_file *f = NULL;
    apo_error err;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(fcs_file_open(&f, path, &ro, &err), APO_OK, "%s: %s", rel, err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_events ev;
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    dec.values = FCS_VALUES_SCALED;
    dec.apply_gain = true;
    cr_assert_eq(fcs_dataset_read_events(ds, &dec, &ev, &err), APO_OK, "%s: %s", rel, err.msg);
    gate_comp *comp = NULL;
    if (fcs_dataset_spillover(ds)) {
        cr_assert_eq(gate_comp_from_fcs(&comp, fcs_dataset_spillover(ds), &err), APO_OK,
                     "%s: %s", rel, err.msg);
        cr_assert_eq(gate_comp_apply(comp, &ev, 1, &err), APO_OK, "%s: %s", rel, err.msg);
    }
    /* the first two non-time channels, and the first two fluorescence ones */
    size_t pick[4] = {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX}, np = 0, nf = 0;
    for (size_t i = 0; i < ev.n_params; i++) {
        const fcs_param *p = fcs_dataset_param(ds, i);
        if (p->is_time) continue;
        if (np < 2) pick[np++] = i;
        if (!is_scatter(p) && nf < 2) pick[2 + nf++] = i;
    }
    cr_assert_eq(np, 2, "%s: fewer than two channels", rel);
    if (nf < 2) {
        pick[2] = pick[0];
        pick[3] = pick[1];
    }
    size_t n = (size_t)ev.n_events;
    gate_transform lin, lgc;
    gate_transform_init_linear(&lin);
    cr_assert_eq(gate_transform_init_logicle(&lgc, 262144, 0.5, 4.5, 0, &err), APO_OK);
    render_plot p[5];
    for (int k = 0; k < 5; k++) {
        render_plot_init(&p[k]);
        bool fl = k >= 2 && nf >= 2;
        p[k].kind = (render_kind)(k < 4 ? k : RENDER_PSEUDOCOLOR);
        p[k].x = fcs_events_column(&ev, pick[fl ? 2 : 0]);
        p[k].y = fcs_events_column(&ev, pick[fl ? 3 : 1]);
        p[k].n = n;
        render_axis_init(&p[k].xaxis, fl ? &lgc : &lin, fcs_dataset_param(ds, pick[fl ? 2 : 0])->name);
        render_axis_init(&p[k].yaxis, fl ? &lgc : &lin, fcs_dataset_param(ds, pick[fl ? 3 : 1])->name);
        p[k].title = rel;
    }
    render_quadrant q = {1000, 1000, {"Q4", "Q3", "Q2", "Q1"}, {25, 25, 25, 25}, 1};
    p[4].quadrant = &q;
    p[4].kind = RENDER_DOT;
    render_panel_spec panel = {"corpus", 5, p, 3};
    render_options o = RENDER_OPTIONS_INIT;
    o.size = 300;
    o.max_events = 20000;
    char out[1024];
    const char *base = strrchr(rel, '/');
    snprintf(out, sizeof out, "%s/%s.png", outdir, base ? base + 1 : rel);
    render_text_chunk meta[] = {{"Source", rel}};
    cr_assert_eq(render_panel_png(out, &panel, &o, 1, meta, &err), APO_OK, "%s: %s", rel,
                 err.msg);
    rt_png png;
    cr_assert(rt_png_read(out, &png), "%s: PNG not readable", rel);
    cr_assert_eq(png.width, 900);
    cr_assert_eq(png.height, 600 + 28);
    rt_png_free(&png);
    gate_comp_free(comp);
    fcs_events_free(&ev);
    fcs_file_free(f);
}

Test(render_corpus, every_kind_renders_for_corpus_files, .timeout = 300)
{
    const char *corpus = rt_corpus_dir();
    char dir[256];
    cr_assert(rt_tmpdir(dir, sizeof dir));
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        render_file(corpus, files[i], dir);
    }
    rt_rmdir(dir);
}
