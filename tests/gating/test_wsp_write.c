/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_wsp_write.c: the FlowJo workspace writer. A strategy with every gate kind apoflow
 * writes (polygon, rectangle, range, ellipse, quadrants, AND/OR/NOT, on linear, logicle and
 * biex scales, compensated by a named matrix) is written, read back by the importer and gives
 * the same membership on pseudo-random events for every population; the 8-colour corpus
 * workspaces read -> write -> read give the same populations with the same membership; the
 * FCS-linked sample reproduces the corpus counts; unsupported content is an error.
 */
#include "gating/flowjo.h"
#include "support/need.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WSP_DIR APOFLOW_CORPUS_DIR "/flowjo/wsp"

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gating_wsp_write, .init = setup);

enum { N_EV = 4000 };

/* Deterministic pseudo-random values in [lo, hi). */
static double rnd(uint64_t *state, double lo, double hi)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * (double)(*state >> 11) / 9007199254740992.0;
}

static char *tmp_path(const char *name)
{
    static char buf[1024];
    const char *dir = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/%s_%d.wsp", dir ? dir : "/tmp", name, (int)getpid());
    return buf;
}

/* Every population of @p a (by its FlowJo path) has the same membership in @p b. */
static void same_membership(const gate_strategy *a, const gate_strategy *b, size_t n_names,
                            const char *const *names, double lo, double hi)
{
    double *v = malloc(sizeof(double) * N_EV * n_names);
    uint64_t state = 42;
    /* spread over linear, logicle and biex scales alike: part near zero, part log-uniform */
    for (size_t i = 0; i < N_EV * n_names; i++) {
        double u = rnd(&state, 0.0, 1.0);
        v[i] = u < 0.4 ? rnd(&state, lo, 1500.0) : pow(10.0, rnd(&state, 2.0, log10(hi)));
    }
    gate_data d = {.n_events = N_EV, .n_params = n_names, .names = names, .values = v};
    gate_result ra, rb;
    apo_error err;
    cr_assert_eq(gate_strategy_apply(a, &d, &ra, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(gate_strategy_apply(b, &d, &rb, &err), APO_OK, "%s", err.msg);
    size_t compared = 0;
    for (size_t g = 0; g < gate_strategy_n_gates(a); g++) {
        gate_info gi;
        gate_strategy_gate(a, g, &gi);
        if (!gate_strategy_is_population(a, g) || strstr(gi.id, " (inside)") != NULL) {
            continue;
        }
        char *path = gate_strategy_path(a, g);
        /* ids read from a workspace are already paths; built ids are joined into one */
        size_t k = gate_strategy_find(b, strchr(gi.id, '/') ? gi.id : path);
        cr_assert_neq(k, SIZE_MAX, "%s not read back", path);
        size_t diff = 0;
        for (size_t e = 0; e < N_EV; e++) {
            diff += gate_result_membership(&ra, g)[e] != gate_result_membership(&rb, k)[e];
        }
        cr_expect_eq(diff, 0, "%s: %zu of %d events differ", path, diff, N_EV);
        cr_expect_eq(ra.count[g], rb.count[k]);
        compared++;
        free(path);
    }
    cr_assert_gt(compared, 0);
    gate_result_free(&ra);
    gate_result_free(&rb);
    free(v);
}

static gate_strategy *built_strategy(void)
{
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    gate_transform lg, bx;
    cr_assert_eq(gate_transform_init_logicle(&lg, 262144, 0.5, 4.5, 0, &err), APO_OK);
    cr_assert_eq(gate_transform_init_biex(&bx, 4.41854, 0, -10, 262144.000029, 4096, &err),
                 APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "lg", &lg, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "bx", &bx, &err), APO_OK);
    const char *det[2] = {"FL1-A", "FL2-A"};
    const double spill[4] = {1, 0.12, 0.03, 1};
    cr_assert_eq(gate_strategy_add_spillover(s, "M", 2, det, 2, det, spill, false, &err), APO_OK);
    gate_dim sc[2] = {{.name = "FSC-A"}, {.name = "SSC-A"}};
    const double xy[10] = {20000, 10000, 200000, 20000, 240000, 200000, 60000, 230000, 10000,
                           90000};
    cr_assert_eq(gate_strategy_add_polygon(s, "cells", NULL, sc, 5, xy, &err), APO_OK);
    double lo[2] = {30000, -INFINITY}, hi[2] = {INFINITY, 180000};
    cr_assert_eq(gate_strategy_add_rectangle(s, "big", "cells", 2, sc, lo, hi, &err), APO_OK);
    gate_dim fl[2] = {{.name = "FL1-A", .comp_ref = "M", .transform_ref = "lg"},
                      {.name = "FL2-A", .comp_ref = "M", .transform_ref = "bx"}};
    const char *q[4] = {"viable", "early", "late", "necrotic"};
    cr_assert_eq(gate_strategy_add_quadrants_2d(s, "AP", "cells", fl, 0.45, 0.55, q, &err),
                 APO_OK);
    double rlo[1] = {0.3}, rhi[1] = {0.8};
    cr_assert_eq(gate_strategy_add_rectangle(s, "range", "early", 1, fl, rlo, rhi, &err),
                 APO_OK);
    double mean[2] = {0.5, 0.5}, cov[4] = {0.01, 0.004, 0.004, 0.02};
    cr_assert_eq(gate_strategy_add_ellipsoid(s, "blob", "cells", 2, fl, mean, cov, 1.5, &err),
                 APO_OK);
    const char *ops[2] = {"big", "blob"};
    cr_assert_eq(gate_strategy_add_boolean(s, "big_and_blob", "cells", GATE_BOOL_AND, 2, ops,
                                           NULL, &err),
                 APO_OK);
    cr_assert_eq(gate_strategy_add_boolean(s, "big_or_blob", "cells", GATE_BOOL_OR, 2, ops, NULL,
                                           &err),
                 APO_OK);
    cr_assert_eq(gate_strategy_add_boolean(s, "not_big", "cells", GATE_BOOL_NOT, 1, ops, NULL,
                                           &err),
                 APO_OK);
    return s;
}

Test(gating_wsp_write, every_kind_reads_back_with_the_same_membership)
{
    gate_strategy *s = built_strategy();
    const char *path = tmp_path("kinds");
    flowjo_write_sample ws = {NULL, s, NULL, 0, NULL};
    apo_error err;
    cr_assert_eq(flowjo_workspace_write(path, 1, &ws, &err), APO_OK, "%s", err.msg);
    flowjo_workspace w;
    cr_assert_eq(flowjo_workspace_read(&w, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(w.n_warnings, 0);
    cr_assert_eq(w.n_samples, 1);
    cr_assert_eq(w.n_groups, 1);
    cr_assert_str_eq(w.samples[0].matrix, "M");
    /* cells, big, 4 quadrants, range, blob, 3 booleans */
    cr_assert_eq(w.samples[0].n_populations, 11);
    cr_assert_str_eq(w.samples[0].populations[3].path, "cells/early");
    cr_assert_neq(gate_strategy_find(w.samples[0].strategy, "cells/early/range"), SIZE_MAX);
    const char *names[4] = {"FSC-A", "SSC-A", "FL1-A", "FL2-A"};
    same_membership(s, w.samples[0].strategy, 4, names, -2000.0, 262144.0);
    /* the ellipse itself: same centre, same shape (FlowJo's distance 1: cov scaled by D^2) */
    gate_info ea, eb;
    gate_strategy_gate(s, gate_strategy_find(s, "blob"), &ea);
    gate_strategy_gate(w.samples[0].strategy,
                       gate_strategy_find(w.samples[0].strategy, "cells/blob"), &eb);
    cr_assert_eq(eb.kind, GATE_ELLIPSOID);
    for (int i = 0; i < 2; i++) {
        cr_assert_float_eq(eb.mean[i], ea.mean[i], 1e-12);
    }
    for (int i = 0; i < 4; i++) {
        cr_assert_float_eq(eb.covariance[i] * eb.distance_square,
                           ea.covariance[i] * ea.distance_square, 1e-12);
    }
    flowjo_workspace_free(&w);
    gate_strategy_free(s);
    unlink(path);
}

Test(gating_wsp_write, unsupported_content_is_an_error)
{
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_ratio(s, "r", "FL1-A", "FL2-A", 1, 0, 0, &err), APO_OK);
    gate_dim d[1] = {{.ratio_ref = "r"}};
    double lo[1] = {0}, hi[1] = {1};
    cr_assert_eq(gate_strategy_add_rectangle(s, "ratio_gate", NULL, 1, d, lo, hi, &err), APO_OK);
    flowjo_write_sample ws = {NULL, s, NULL, 0, NULL};
    const char *path = tmp_path("ratio");
    cr_assert_eq(flowjo_workspace_write(path, 1, &ws, &err), APO_E_UNSUPPORTED);
    cr_assert_not_null(strstr(err.msg, "ratio_gate"), "%s", err.msg);
    cr_assert_eq(access(path, F_OK), -1); /* nothing left behind */
    gate_strategy_free(s);
}

/* read -> write -> read: the same populations, the same membership. */
static void round_trip(const char *file, size_t n_names, const char *const *names)
{
    test_need_path(file, "FlowJo workspace of the shared corpus");
    flowjo_workspace a, b;
    apo_error err;
    cr_assert_eq(flowjo_workspace_read(&a, file, &err), APO_OK, "%s", err.msg);
    flowjo_write_sample *ws = calloc(a.n_samples, sizeof *ws);
    for (size_t i = 0; i < a.n_samples; i++) {
        ws[i].strategy = a.samples[i].strategy;
    }
    const char *path = tmp_path("trip");
    cr_assert_eq(flowjo_workspace_write(path, a.n_samples, ws, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(flowjo_workspace_read(&b, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(b.n_samples, a.n_samples);
    for (size_t i = 0; i < a.n_samples; i++) {
        cr_assert_eq(b.samples[i].n_populations, a.samples[i].n_populations);
        for (size_t p = 0; p < a.samples[i].n_populations; p++) {
            cr_assert_str_eq(b.samples[i].populations[p].path, a.samples[i].populations[p].path);
        }
        same_membership(a.samples[i].strategy, b.samples[i].strategy, n_names, names, -500.0,
                        262144.0);
    }
    free(ws);
    flowjo_workspace_free(&a);
    flowjo_workspace_free(&b);
    unlink(path);
}

Test(gating_wsp_write, eight_colour_round_trip)
{
    static const char *const names[] = {
        "FSC-A", "FSC-H", "FSC-W", "SSC-A", "SSC-H", "SSC-W", "Time", "TNFa FITC FLR-A",
        "CD8 PerCP-Cy55 FLR-A", "IL2 BV421 FLR-A", "Aqua Amine FLR-A", "IFNg APC FLR-A",
        "CD3 APC-H7 FLR-A", "CD107a PE FLR-A", "CD4 PE-Cy7 FLR-A"};
    size_t n = sizeof names / sizeof names[0];
    round_trip(WSP_DIR "/8_color_data_set/8_color_ICS.wsp", n, names);
    round_trip(WSP_DIR "/8_color_data_set/8_color_ICS_boolean_gate_testing.wsp", n, names);
    round_trip(WSP_DIR "/8_color_data_set/8_color_ICS_with_ellipse.wsp", n, names);
    round_trip(WSP_DIR "/8_color_data_set/reused_quad_gate_with_child.wsp", n, names);
}

/* Gating-ML-style strategy -> workspace linked to the FCS file -> FlowJo's counts again. */
Test(gating_wsp_write, diamond_linked_sample_keeps_flowjo_counts)
{
    const char *fcs = WSP_DIR "/simple_diamond_example/test_data_diamond_01.fcs";
    const char *wsp = WSP_DIR "/simple_diamond_example/test_data_diamond_biex_rect.wsp";
    test_need_path(fcs, "FCS file of a corpus workspace");
    flowjo_workspace a, b;
    apo_error err;
    cr_assert_eq(flowjo_workspace_read(&a, wsp, &err), APO_OK, "%s", err.msg);
    uint64_t counts[4] = {0};
    fcs_file *f = NULL;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(fcs_file_open(&f, fcs, &ro, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(gate_strategy_apply_stream(a.samples[0].strategy, fcs_file_dataset(f, 0), NULL,
                                            counts, &err),
                 APO_OK);
    flowjo_write_sample ws = {fcs, a.samples[0].strategy, NULL, 200000, counts};
    const char *path = tmp_path("linked");
    cr_assert_eq(flowjo_workspace_write(path, 1, &ws, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(flowjo_workspace_read(&b, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(b.samples[0].count, 200000);
    cr_assert_eq(b.samples[0].populations[0].count, 50605); /* FlowJo's own count */
    cr_assert_str_eq(b.samples[0].file, "test_data_diamond_01.fcs");
    cr_assert_eq(flowjo_workspace_match(&b, fcs, NULL, NULL), 0);
    uint64_t again[4] = {0};
    cr_assert_eq(gate_strategy_apply_stream(b.samples[0].strategy, fcs_file_dataset(f, 0), NULL,
                                            again, &err),
                 APO_OK);
    cr_assert_eq(again[b.samples[0].populations[0].gate], 50605);
    fcs_file_free(f);
    flowjo_workspace_free(&a);
    flowjo_workspace_free(&b);
    unlink(path);
}

/* eventsInside="0" survives: written back as the same outside gate, not as a NOT node. */
Test(gating_wsp_write, outside_gate_round_trip)
{
    const char *text =
        "<Workspace xmlns:gating=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\" "
        "xmlns:transforms=\"http://www.isac-net.org/std/Gating-ML/v2.0/transformations\" "
        "xmlns:data-type=\"http://www.isac-net.org/std/Gating-ML/v2.0/datatypes\"><SampleList>"
        "<Sample><DataSet uri=\"file:/x/a.fcs\" sampleID=\"1\"/><SampleNode name=\"a.fcs\">"
        "<Subpopulations><Population name=\"P\" count=\"3\"><Gate><gating:PolygonGate "
        "eventsInside=\"0\"><gating:dimension><data-type:fcs-dimension data-type:name=\"FSC-A\"/>"
        "</gating:dimension><gating:dimension><data-type:fcs-dimension data-type:name=\"SSC-A\"/>"
        "</gating:dimension><gating:vertex><gating:coordinate data-type:value=\"1000\"/>"
        "<gating:coordinate data-type:value=\"1000\"/></gating:vertex><gating:vertex>"
        "<gating:coordinate data-type:value=\"90000\"/><gating:coordinate data-type:value=\"5000\"/>"
        "</gating:vertex><gating:vertex><gating:coordinate data-type:value=\"50000\"/>"
        "<gating:coordinate data-type:value=\"100000\"/></gating:vertex></gating:PolygonGate>"
        "</Gate></Population></Subpopulations></SampleNode></Sample></SampleList></Workspace>";
    flowjo_workspace a, b;
    apo_error err;
    cr_assert_eq(flowjo_workspace_read_buffer(&a, text, strlen(text), "t.wsp", &err), APO_OK,
                 "%s", err.msg);
    cr_assert_eq(a.n_warnings, 2); /* no transform for FSC-A, SSC-A: warned */
    flowjo_write_sample ws = {NULL, a.samples[0].strategy, NULL, 0, NULL};
    const char *path = tmp_path("outside");
    cr_assert_eq(flowjo_workspace_write(path, 1, &ws, &err), APO_OK, "%s", err.msg);
    FILE *fp = fopen(path, "r");
    char xml[16384];
    size_t len = fread(xml, 1, sizeof xml - 1, fp);
    xml[len] = '\0';
    fclose(fp);
    cr_assert_not_null(strstr(xml, "eventsInside=\"0\""));
    cr_assert_null(strstr(xml, "NotNode"));
    cr_assert_null(strstr(xml, "(inside)"));
    cr_assert_eq(flowjo_workspace_read(&b, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(b.samples[0].n_populations, 1);
    cr_assert_eq(b.n_warnings, 0); /* the writer gave both parameters a transform */
    const char *names[2] = {"FSC-A", "SSC-A"};
    same_membership(a.samples[0].strategy, b.samples[0].strategy, 2, names, 0.0, 262144.0);
    flowjo_workspace_free(&a);
    flowjo_workspace_free(&b);
    unlink(path);
}
