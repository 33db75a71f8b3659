/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gate_draw_gml.c: every drawable gate of the Gating-ML 2.0 compliance set (rectangles,
 * ranges, polygons, ellipses, quadrants; on compensated, ratio and transformed dimensions)
 * is drawn as applied on real data. For each gate, render_gating_path_build makes its plot
 * (the parent's events of data1.fcs on the gate's dimensions); the plot is rendered with its
 * axis ranges but without the events (dots would hide the fill) and without the label, and
 * every displayed event whose pixel is inside the plot and not within 3 px of the outline
 * must be on the tinted side exactly when the engine puts it inside the gate.
 */
#include "render/render_internal.h"
#include "support/png_util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define X0 102
#define Y0 64
#define X1 566
#define Y1 528

static bool near_ink(const render_image *img, int x, int y, int r)
{
    for (int yy = y - r; yy <= y + r; yy++) {
        for (int xx = x - r; xx <= x + r; xx++) {
            uint32_t c = rt_pixel(img, (unsigned)xx, (unsigned)yy);
            if (((c >> 16) & 0xff) < 225 || (c & 0xff) < 225) return true;
        }
    }
    return false;
}

static bool tinted(uint32_t c)
{
    return (int)((c >> 8) & 0xff) - (int)((c >> 16) & 0xff) > 6;
}

/* The plot's axes with the ranges its events give, fixed, and no events or label. */
static void bare_plot(const render_plot *in, render_plot *out, render_gate *g, raxis *ax,
                      raxis *ay)
{
    apo_error err;
    cr_assert_eq(raxis_resolve(ax, &in->xaxis, in->x, in->n, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(raxis_resolve(ay, &in->yaxis, in->y, in->n, &err), APO_OK, "%s", err.msg);
    *out = *in;
    out->xaxis.min = gate_transform_inverse(&ax->t, ax->lo);
    out->xaxis.max = gate_transform_inverse(&ax->t, ax->hi);
    out->yaxis.min = gate_transform_inverse(&ay->t, ay->lo);
    out->yaxis.max = gate_transform_inverse(&ay->t, ay->hi);
    out->x = out->y = NULL;
    out->n = 0;
    *g = in->gates[0];
    g->name = NULL;
    g->pct = NAN;
    out->gates = g;
    out->title = out->subtitle = NULL;
    cr_assert_eq(raxis_resolve(ax, &out->xaxis, NULL, 0, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(raxis_resolve(ay, &out->yaxis, NULL, 0, &err), APO_OK, "%s", err.msg);
}

/* Compare the drawn inside of gate @p g's plot with its membership; returns points judged. */
static size_t check_gate(const gate_strategy *s, const gate_data *d, const gate_result *res,
                         size_t g, const char *file)
{
    gate_info gi;
    gate_strategy_gate(s, g, &gi);
    render_gating_path path;
    apo_error err;
    cr_assert_eq(render_gating_path_build(&path, s, d, g, NULL, &err), APO_OK, "%s %s: %s", file,
                 gi.id, err.msg);
    if (path.n_plots == 0 || strcmp(path.plots[path.n_plots - 1].title, gi.id) != 0 ||
        path.plots[path.n_plots - 1].n_gates == 0) {
        render_gating_path_free(&path);
        return 0; /* not drawable (boolean, 3-D) */
    }
    const render_plot *pl = &path.plots[path.n_plots - 1];
    render_plot bare;
    render_gate gate;
    raxis ax, ay;
    bare_plot(pl, &bare, &gate, &ax, &ay);
    render_panel_spec panel = {NULL, 1, &bare, 1};
    render_options o = RENDER_OPTIONS_INIT;
    render_image *img = NULL;
    cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_OK, "%s %s: %s", file, gi.id,
                 err.msg);
    size_t parent = gate_strategy_parent(s, g);
    const uint8_t *pm = parent == SIZE_MAX ? NULL : gate_result_membership(res, parent);
    const uint8_t *m = gate_result_membership(res, g);
    size_t k = 0, judged = 0, wrong = 0;
    for (size_t e = 0; e < d->n_events; e++) {
        if (pm && !pm[e]) continue;
        double fx = raxis_frac_display(&ax, gate_transform_apply(&ax.t, pl->x[k]));
        double fy = raxis_frac_display(&ay, gate_transform_apply(&ay.t, pl->y[k]));
        k++;
        if (!(fx > 0 && fx < 1 && fy > 0 && fy < 1)) continue;
        int x = (int)floor(X0 + fx * (X1 - X0)), y = (int)floor(Y1 - fy * (Y1 - Y0));
        if (x < X0 + 3 || x >= X1 - 3 || y < Y0 + 3 || y >= Y1 - 3) continue;
        if (near_ink(img, x, y, 3)) continue;
        bool drawn = tinted(rt_pixel(img, (unsigned)x, (unsigned)y));
        judged++;
        if (drawn != (m[e] != 0)) {
            if (wrong < 3) {
                cr_log_error("%s %s: event %zu at pixel (%d, %d) drawn %s, gate says %s", file,
                             gi.id, e, x, y, drawn ? "inside" : "outside",
                             m[e] ? "inside" : "outside");
            }
            wrong++;
        }
    }
    cr_expect_eq(wrong, 0, "%s %s: %zu of %zu events drawn on the wrong side", file, gi.id,
                 wrong, judged);
    render_image_free(img);
    render_gating_path_free(&path);
    return judged;
}

Test(gate_draw_gml, every_compliance_gate_is_drawn_as_applied, .timeout = 600)
{
    const char *corpus = rt_corpus_dir();
    char dir[1024], data[1024];
    snprintf(dir, sizeof dir, "%s/gating-ml/gml", corpus);
    snprintf(data, sizeof data, "%s/gating-ml/data1.fcs", corpus);
    fcs_file *f = NULL;
    fcs_events ev;
    gate_data d;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    dec.values = FCS_VALUES_SCALED;
    dec.apply_gain = true;
    cr_assert_eq(fcs_file_open(&f, data, &ro, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_read_events(fcs_file_dataset(f, 0), &dec, &ev, NULL), APO_OK);
    cr_assert_eq(gate_data_init(&d, fcs_file_dataset(f, 0), &ev, NULL), APO_OK);
    DIR *dp = opendir(dir);
    cr_assert(dp, "%s", dir);
    size_t files = 0, gates = 0, judged = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 4 || strcmp(de->d_name + len - 4, ".xml") != 0) continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        gate_strategy *s = NULL;
        apo_error err;
        cr_assert_eq(gate_strategy_read_gml(&s, path, &err), APO_OK, "%s: %s", path, err.msg);
        gate_result res = {0};
        cr_assert_eq(gate_strategy_apply(s, &d, &res, &err), APO_OK, "%s: %s", path, err.msg);
        for (size_t g = 0; g < gate_strategy_n_gates(s); g++) {
            size_t n = check_gate(s, &d, &res, g, de->d_name);
            gates += n > 0;
            judged += n;
        }
        gate_result_free(&res);
        gate_strategy_free(s);
        files++;
    }
    closedir(dp);
    cr_log_info("%zu Gating-ML files, %zu gates drawn, %zu event positions judged", files, gates,
                judged);
    cr_expect_geq(files, 40);
    cr_expect_geq(gates, 60, "only %zu gates were drawn and judged", gates);
    gate_data_free(&d);
    fcs_events_free(&ev);
    fcs_file_free(f);
}
