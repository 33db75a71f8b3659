/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_plot_cli.c: end-to-end tests of `apoflow plot` on a synthetic FCS file written here
 * (Annexin V / PI channels, a $SPILLOVER): PNG size and dpi per --scale, provenance chunks
 * (source, compensation, transforms, quadrant), every --kind, the quadrant percentages
 * (checked against the counts computed here from the compensated values), unknown channels
 * listed with exit 64, missing input exit 66, a 1-D range gate of --gating drawn as a band
 * on a scatter plot and on a histogram, --path (the population's gating path). Needs the built binary (skipped without it
 * unless CI=true).
 */
#include "fcs/fcs.h"
#include "gating/gate.h"
#include "support/png_util.h"
#include "support/need.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N_EV 4000

static void need_binary(void)
{
    test_need_path(APOFLOW_BINARY, "the apoflow binary");
}

/* Writes dir/name; raw FITC gets 10 % of PE spill, so compensation matters. */
static void write_named(const char *dir, const char *name, uint64_t seed, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    double *v = malloc(4 * N_EV * sizeof *v);
    rt_rng r = {seed};
    for (size_t e = 0; e < N_EV; e++) {
        bool annv = e % 4 == 1 || e % 4 == 2, pi = e % 4 >= 2;
        double a = annv ? pow(10, 3.8 + 0.2 * rt_normal(&r)) : 100 + 60 * rt_normal(&r);
        double p = pi ? pow(10, 4.0 + 0.2 * rt_normal(&r)) : 80 + 60 * rt_normal(&r);
        v[e] = 90000 + 10000 * rt_normal(&r);
        v[N_EV + e] = 40000 + 8000 * rt_normal(&r);
        v[2 * N_EV + e] = a + 0.1 * p; /* raw FITC-A */
        v[3 * N_EV + e] = p;
    }
    fcs_write_param params[4] = {{"FSC-A", NULL, 262144},
                                 {"SSC-A", NULL, 262144},
                                 {"FITC-A", "Annexin V", 262144},
                                 {"PE-A", "PI", 262144}};
    fcs_write_keyword kw[2] = {{"$SPILLOVER", "2,FITC-A,PE-A,1,0,0.1,1"}, {"TUBE NAME", "A05"}};
    fcs_write_spec spec = {4, params, N_EV, v, 2, kw};
    apo_error err;
    cr_assert_eq(fcs_write_file(path, &spec, &err), APO_OK, "%s", err.msg);
    free(v);
}

static void write_sample(const char *dir, char *path, size_t cap)
{
    write_named(dir, "s.fcs", 2024, path, cap);
}

static const char *text_of(const rt_png *p, const char *key)
{
    for (int i = 0; i < p->n_text; i++) {
        if (strcmp(p->keys[i], key) == 0) return p->texts[i];
    }
    return NULL;
}

Test(cli_plot, quadrant_plot_with_provenance)
{
    need_binary();
    char *dir = test_tmpdir();
    char fcs[512], out[512];
    write_sample(dir, fcs, sizeof fcs);
    snprintf(out, sizeof out, "%s/q.png", dir);
    const char *argv[] = {APOFLOW_BINARY, "plot", fcs, "-x", "annexin v", "-y", "PI",
                          "--quadrant", "1000,1000", "-o", out, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    run_result_free(&r);
    rt_png p;
    cr_assert(rt_png_read(out, &p));
    cr_assert_eq(p.width, 600);
    cr_assert_eq(p.height, 600);
    cr_assert_eq(p.ppm_x, 3780);
    cr_assert_str_eq(text_of(&p, "Source"), "s.fcs");
    const char *c = text_of(&p, "Comment");
    cr_assert_not_null(c);
    cr_assert(strstr(c, "x=FITC-A") && strstr(c, "y=PE-A"), "%s", c);
    cr_assert(strstr(c, "comp=$SPILLOVER"), "%s", c);
    cr_assert(strstr(c, "xscale=logicle(T=262144"), "%s", c);
    cr_assert(strstr(c, "quadrant=1000,1000"), "%s", c);
    /* the quadrant percentages: every event, compensated (FITC-A - 0.1 PE-A), x >= X is + */
    fcs_file *f = NULL;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(fcs_file_open(&f, fcs, &ro, NULL), APO_OK);
    fcs_events ev;
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    dec.values = FCS_VALUES_SCALED;
    dec.apply_gain = true;
    cr_assert_eq(fcs_dataset_read_events(fcs_file_dataset(f, 0), &dec, &ev, NULL), APO_OK);
    double cnt[4] = {0, 0, 0, 0};
    for (size_t e = 0; e < N_EV; e++) {
        double pe = fcs_events_column(&ev, 3)[e];
        double a = fcs_events_column(&ev, 2)[e] - 0.1 * pe;
        cnt[(a >= 1000 ? 1 : 0) + (pe >= 1000 ? 2 : 0)]++;
    }
    fcs_events_free(&ev);
    fcs_file_free(f);
    char want[200];
    snprintf(want, sizeof want, "quadrant_pct=LL:%.4f,LR:%.4f,UR:%.4f,UL:%.4f",
             100 * cnt[0] / N_EV, 100 * cnt[1] / N_EV, 100 * cnt[3] / N_EV, 100 * cnt[2] / N_EV);
    cr_assert(strstr(c, want), "%s does not hold %s", c, want);
    cr_assert(cnt[0] > 800 && cnt[1] > 800 && cnt[2] > 800 && cnt[3] > 800);
    rt_png_free(&p);

    /* the same matrix from a CSV file gives the same percentages */
    char csv[512];
    snprintf(csv, sizeof csv, "%s/m.csv", dir);
    FILE *fp = fopen(csv, "w");
    cr_assert_not_null(fp);
    fputs("FITC-A,PE-A\n1,0\n0.1,1\n", fp);
    fclose(fp);
    const char *argv3[] = {APOFLOW_BINARY, "plot", fcs, "-x", "FITC-A", "-y", "PE-A", "--comp",
                           csv, "--quadrant", "1000,1000", "-o", out, NULL};
    cr_assert_eq(run_cli(argv3, &r), 0, "stderr: %s", r.err);
    run_result_free(&r);
    cr_assert(rt_png_read(out, &p));
    c = text_of(&p, "Comment");
    cr_assert(strstr(c, "comp=csv") && strstr(c, want), "%s", c);
    rt_png_free(&p);

    /* --scale 2: 1200 px at 300 dpi */
    const char *argv2[] = {APOFLOW_BINARY, "plot", fcs, "-x", "FITC-A", "-y", "PE-A",
                           "--scale", "2", "--colormap", "viridis", "--events", "500",
                           "-o", out, NULL};
    cr_assert_eq(run_cli(argv2, &r), 0, "stderr: %s", r.err);
    run_result_free(&r);
    cr_assert(rt_png_read(out, &p));
    cr_assert_eq(p.width, 1200);
    cr_assert_eq(p.ppm_x, 11811);
    rt_png_free(&p);
    rt_rmdir(dir);
    free(dir);
}

Test(cli_plot, every_kind_and_scale)
{
    need_binary();
    char *dir = test_tmpdir();
    char fcs[512], out[512];
    write_sample(dir, fcs, sizeof fcs);
    snprintf(out, sizeof out, "%s/k.png", dir);
    const char *kinds[] = {"pseudocolor", "dot", "contour", "hist"};
    const char *scales[] = {"logicle", "asinh", "log", "linear"};
    for (int k = 0; k < 4; k++) {
        const char *argv[] = {APOFLOW_BINARY, "plot", fcs, "-x", "FITC-A", "-y", "SSC-A",
                              "--kind", kinds[k], "--xscale", scales[k], "--comp", "none",
                              "-o", out, NULL};
        run_result r;
        cr_assert_eq(run_cli(argv, &r), 0, "%s/%s: %s", kinds[k], scales[k], r.err);
        run_result_free(&r);
        rt_png p;
        cr_assert(rt_png_read(out, &p));
        cr_assert_eq(p.width, 600);
        const char *c = text_of(&p, "Comment");
        cr_assert(strstr(c, "comp=none"), "%s", c);
        cr_assert(strstr(c, kinds[k]), "%s", c);
        rt_png_free(&p);
    }
    rt_rmdir(dir);
    free(dir);
}

Test(cli_plot, errors)
{
    need_binary();
    char *dir = test_tmpdir();
    char fcs[512], out[512];
    write_sample(dir, fcs, sizeof fcs);
    snprintf(out, sizeof out, "%s/e.png", dir);
    run_result r;
    const char *unknown[] = {APOFLOW_BINARY, "plot", fcs, "-x", "FL1", "-y", "PI", "-o", out,
                             NULL};
    cr_assert_eq(run_cli(unknown, &r), 64);
    cr_assert(strstr(r.err, "\"FL1\""), "%s", r.err);
    cr_assert(strstr(r.err, "FITC-A (Annexin V)"), "%s", r.err);
    cr_assert(strstr(r.err, "PE-A (PI)"), "%s", r.err);
    run_result_free(&r);
    const char *missing[] = {APOFLOW_BINARY, "plot", "/nonexistent/x.fcs", "-x", "A", "-y",
                             "B", "-o", out, NULL};
    cr_assert_eq(run_cli(missing, &r), 66, "%s", r.err);
    run_result_free(&r);
    const char *bad_kind[] = {APOFLOW_BINARY, "plot", fcs, "-x", "FITC-A", "--kind", "pie",
                              "-o", out, NULL};
    cr_assert_eq(run_cli(bad_kind, &r), 64);
    run_result_free(&r);
    const char *no_y[] = {APOFLOW_BINARY, "plot", fcs, "-x", "FITC-A", "-o", out, NULL};
    cr_assert_eq(run_cli(no_y, &r), 64);
    run_result_free(&r);
    const char *bad_q[] = {APOFLOW_BINARY, "plot", fcs, "-x", "FITC-A", "-y", "PE-A",
                           "--quadrant", "10;20", "-o", out, NULL};
    cr_assert_eq(run_cli(bad_q, &r), 64);
    run_result_free(&r);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0, "no output after errors");
    rt_rmdir(dir);
    free(dir);
}

/* Quadrants and gates from a Gating-ML strategy carry the engine's percentages. */
Test(cli_plot, gating_strategy_overlays)
{
    need_binary();
    const char *corpus = rt_corpus_dir();
    char data[1024], gml[1024];
    snprintf(data, sizeof data, "%s/gating-ml/data1.fcs", corpus);
    snprintf(gml, sizeof gml, "%s/gating-ml/gml/gml_parent_quadrant_rect_gate.xml", corpus);
    /* the engine's numbers, through the library */
    gate_strategy *s = NULL;
    fcs_file *f = NULL;
    fcs_events ev;
    gate_data d;
    gate_result res;
    memset(&d, 0, sizeof d);
    memset(&res, 0, sizeof res);
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    dec.values = FCS_VALUES_SCALED;
    dec.apply_gain = true;
    cr_assert_eq(gate_strategy_read_gml(&s, gml, NULL), APO_OK);
    cr_assert_eq(fcs_file_open(&f, data, &ro, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_read_events(fcs_file_dataset(f, 0), &dec, &ev, NULL), APO_OK);
    cr_assert_eq(gate_data_init(&d, fcs_file_dataset(f, 0), &ev, NULL), APO_OK);
    cr_assert_eq(gate_strategy_apply(s, &d, &res, NULL), APO_OK);
    const char *ids[4] = {"FL2N-FL4N", "FL2P-FL4N", "FL2P-FL4P", "FL2N-FL4P"}; /* LL LR UR UL */
    double pct[4];
    for (int k = 0; k < 4; k++) {
        size_t g = gate_strategy_find(s, ids[k]);
        cr_assert_neq(g, SIZE_MAX);
        pct[k] = 100.0 * (double)res.count[g] / (double)ev.n_events;
    }
    gate_result_free(&res);
    gate_data_free(&d);
    fcs_events_free(&ev);
    fcs_file_free(f);
    gate_strategy_free(s);
    char want[200];
    snprintf(want, sizeof want, "quadrant_pct=LL:%.4f,LR:%.4f,UR:%.4f,UL:%.4f", pct[0], pct[1],
             pct[2], pct[3]);

    char *dir = test_tmpdir();
    char out[512];
    snprintf(out, sizeof out, "%s/g.png", dir);
    const char *argv[] = {APOFLOW_BINARY, "plot", data, "-x", "FL2-H", "-y", "FL4-H", "--gating",
                          gml, "--xscale", "linear", "--yscale", "linear", "-o", out, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "%s", r.err);
    run_result_free(&r);
    rt_png p;
    cr_assert(rt_png_read(out, &p));
    const char *c = text_of(&p, "Comment");
    cr_assert(strstr(c, want), "%s does not hold %s", c, want);
    cr_assert(strstr(c, "population=All events"), "%s", c);
    rt_png_free(&p);

    /* a population: its child rectangle is drawn; unknown populations are listed */
    const char *pop[] = {APOFLOW_BINARY, "plot", data, "-x", "FL2-H", "-y", "FL4-H", "--gating",
                         gml, "--population", "FL2P-FL4P", "-o", out, NULL};
    cr_assert_eq(run_cli(pop, &r), 0, "%s", r.err);
    run_result_free(&r);
    cr_assert(rt_png_read(out, &p));
    cr_assert(strstr(text_of(&p, "Comment"), "population=FL2P-FL4P"));
    rt_png_free(&p);
    const char *bad[] = {APOFLOW_BINARY, "plot", data, "-x", "FL2-H", "-y", "FL4-H", "--gating",
                         gml, "--population", "nope", "-o", out, NULL};
    cr_assert_eq(run_cli(bad, &r), 64);
    cr_assert(strstr(r.err, "FL2P-FL4P/ParRectangle1"), "%s", r.err);
    run_result_free(&r);
    rt_rmdir(dir);
    free(dir);
}

Test(cli_plot, several_files_in_one_panel)
{
    need_binary();
    char *dir = test_tmpdir();
    char f1[512], f2[512], f3[512], out[512];
    write_named(dir, "a1.fcs", 1, f1, sizeof f1);
    write_named(dir, "a2.fcs", 2, f2, sizeof f2);
    write_named(dir, "a3.fcs", 3, f3, sizeof f3);
    snprintf(out, sizeof out, "%s/plate.png", dir);
    const char *argv[] = {APOFLOW_BINARY, "plot", f1, f2, f3, "-x", "FITC-A", "-y", "PE-A",
                          "--quadrant", "1000,1000", "--size", "300", "--columns", "3",
                          "--title", "Plate 1", "-o", out, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "%s", r.err);
    run_result_free(&r);
    rt_png p;
    cr_assert(rt_png_read(out, &p));
    cr_assert_eq(p.width, 900);
    cr_assert_eq(p.height, 300 + 28); /* title band 40 px x 0.7 at size 300 */
    cr_assert_str_eq(text_of(&p, "Source"), "a1.fcs, a2.fcs, a3.fcs");
    const char *c = text_of(&p, "Comment");
    cr_assert(strstr(c, "files=3"), "%s", c);
    cr_assert(strstr(c, "quadrant_pct[a1.fcs]=LL:") && strstr(c, "quadrant_pct[a2.fcs]=LL:") &&
              strstr(c, "quadrant_pct[a3.fcs]=LL:"), "%s", c);
    /* one logicle W for all three plots: a single xscale entry */
    const char *xs = strstr(c, "xscale=logicle(");
    cr_assert_not_null(xs);
    cr_assert_null(strstr(xs + 1, "xscale="));
    rt_png_free(&p);
    /* --overlay: one histogram with the three files as series */
    const char *ov[] = {APOFLOW_BINARY, "plot", f1, f2, f3, "-x", "Annexin V", "--kind", "hist",
                        "--overlay", "-o", out, NULL};
    cr_assert_eq(run_cli(ov, &r), 0, "%s", r.err);
    run_result_free(&r);
    cr_assert(rt_png_read(out, &p));
    cr_assert_eq(p.width, 600);
    cr_assert_eq(p.height, 600);
    cr_assert(strstr(text_of(&p, "Comment"), "kind=hist"));
    /* legend box (three entries) top right of the plot area */
    size_t ink = 0;
    for (unsigned y = 70; y < 120; y++) {
        for (unsigned x = 400; x < 560; x++) ink += p.rgb[(y * 600 + x) * 3] != 255;
    }
    cr_assert(ink > 300, "legend ink %zu", ink);
    rt_png_free(&p);
    const char *ov_bad[] = {APOFLOW_BINARY, "plot", f1, "-x", "FITC-A", "-y", "PE-A",
                            "--overlay", "-o", out, NULL};
    cr_assert_eq(run_cli(ov_bad, &r), 64);
    run_result_free(&r);
    /* one bad file fails the panel and writes nothing */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/missing.fcs", dir);
    snprintf(out, sizeof out, "%s/none.png", dir);
    const char *argv2[] = {APOFLOW_BINARY, "plot", f1, bad, "-x", "FITC-A", "-y", "PE-A", "-o",
                           out, NULL};
    cr_assert_eq(run_cli(argv2, &r), 66, "%s", r.err);
    run_result_free(&r);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0);
    rt_rmdir(dir);
    free(dir);
}

/* The gate fill tints white towards green. */
static bool tinted_px(const rt_png *p, unsigned x, unsigned y)
{
    const uint8_t *c = p->rgb + 3 * ((size_t)y * p->width + x);
    return (int)c[1] - (int)c[0] > 6 && c[0] > 200;
}

/* A 1-D range gate (FSC-A >= 90000, the debris-gate kind) is drawn as a band across the
 * plot: on FSC-A x SSC-A and on an FSC-A histogram, the right edge is inside, the left not.
 * 600 px plot: plot area x 102..566, y 64..528. */
Test(cli_plot, range_gate_drawn_as_band)
{
    need_binary();
    char *dir = test_tmpdir();
    char data[512], gml[512], out[512];
    write_sample(dir, data, sizeof data);
    snprintf(gml, sizeof gml, "%s/range.xml", dir);
    snprintf(out, sizeof out, "%s/r.png", dir);
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    gate_dim fsc = {"FSC-A", NULL, NULL, NULL};
    double mn = 90000, mx = INFINITY;
    cr_assert_eq(gate_strategy_add_rectangle(s, "Cells", NULL, 1, &fsc, &mn, &mx, &err), APO_OK);
    cr_assert_eq(gate_strategy_write_gml(s, gml, &err), APO_OK, "%s", err.msg);
    gate_strategy_free(s);
    const char *scatter[] = {APOFLOW_BINARY, "plot", data, "-x", "FSC-A", "-y", "SSC-A",
                             "--gating", gml, "-o", out, NULL};
    const char *hist[] = {APOFLOW_BINARY, "plot", data, "-x", "FSC-A", "--kind", "hist",
                          "--gating", gml, "-o", out, NULL};
    const char *const *cmds[2] = {scatter, hist};
    for (int k = 0; k < 2; k++) {
        run_result r;
        cr_assert_eq(run_cli(cmds[k], &r), 0, "%s", r.err);
        run_result_free(&r);
        rt_png p;
        cr_assert(rt_png_read(out, &p));
        cr_assert(tinted_px(&p, 566 - 6, 64 + 200), "%s: right edge not inside the band",
                  k ? "hist" : "scatter");
        cr_assert(!tinted_px(&p, 102 + 6, 64 + 200), "%s: left edge inside the band",
                  k ? "hist" : "scatter");
        rt_png_free(&p);
    }
    rt_rmdir(dir);
    free(dir);
}

/* --path: one plot per gate on the population's path (a range, then a polygon under it),
 * 600 px each; usage errors without --population or with two files. */
Test(cli_plot, gating_path_of_a_population)
{
    need_binary();
    char *dir = test_tmpdir();
    char data[512], gml[512], out[512];
    write_sample(dir, data, sizeof data);
    snprintf(gml, sizeof gml, "%s/path.xml", dir);
    snprintf(out, sizeof out, "%s/p.png", dir);
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    gate_dim fsc = {"FSC-A", NULL, NULL, NULL};
    gate_dim fs[2] = {{"FSC-A", NULL, NULL, NULL}, {"SSC-A", NULL, NULL, NULL}};
    double mn = 60000, mx = INFINITY;
    double xy[8] = {70000, 20000, 1e9, 20000, 1e9, 1e9, 70000, 1e9};
    cr_assert_eq(gate_strategy_add_rectangle(s, "Cells", NULL, 1, &fsc, &mn, &mx, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_polygon(s, "Big", "Cells", fs, 4, xy, &err), APO_OK);
    cr_assert_eq(gate_strategy_write_gml(s, gml, &err), APO_OK, "%s", err.msg);
    gate_strategy_free(s);
    const char *argv[] = {APOFLOW_BINARY, "plot", data, "--gating", gml, "--population",
                          "Cells/Big", "--path", "-o", out, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "%s", r.err);
    run_result_free(&r);
    rt_png p;
    cr_assert(rt_png_read(out, &p));
    cr_assert_eq(p.width, 1200, "two plots expected, found width %u", p.width);
    cr_assert(strstr(text_of(&p, "Comment"), "gating path of population=Cells/Big"), "%s",
              text_of(&p, "Comment"));
    rt_png_free(&p);
    const char *nopop[] = {APOFLOW_BINARY, "plot", data, "--gating", gml, "--path", "-o", out,
                           NULL};
    cr_assert_eq(run_cli(nopop, &r), 64);
    cr_assert(strstr(r.err, "--population"), "%s", r.err);
    run_result_free(&r);
    const char *two[] = {APOFLOW_BINARY, "plot", data, data, "--gating", gml, "--population",
                         "Big", "--path", "-o", out, NULL};
    cr_assert_eq(run_cli(two, &r), 64);
    run_result_free(&r);
    rt_rmdir(dir);
    free(dir);
}
