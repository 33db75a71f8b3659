/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_conformance.c: the Gating-ML 2.0 compliance suite (set 1): every one of the 51 gates
 * of corpus/gating-ml, evaluated on data1.fcs, must give exactly the membership of
 * truth/Results_<GateId>.txt, event for event. Mismatching gates are reported by name with
 * their first mismatching event and the two counts.
 */
#include "gating/gate.h"

#include "support/need.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GML_DIR APOFLOW_CORPUS_DIR "/gating-ml"

static void setup(void)
{
    gsl_set_error_handler_off();
}

/* data1.fcs as scale values (PnE, PnG applied). */
typedef struct loaded {
    fcs_file *f;
    fcs_events ev;
    gate_data d;
} loaded;

static void load_data1(loaded *l)
{
    apo_error err;
    apo_error_clear(&err);
    memset(l, 0, sizeof(*l));
    cr_assert_eq(fcs_file_open(&l->f, GML_DIR "/data1.fcs", NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(l->f, 0);
    cr_assert_not_null(ds);
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    o.values = FCS_VALUES_SCALED;
    o.apply_gain = true;
    cr_assert_eq(fcs_dataset_read_events(ds, &o, &l->ev, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(l->ev.n_events, 13367);
    cr_assert_eq(gate_data_init(&l->d, ds, &l->ev, &err), APO_OK, "%s", err.msg);
}

static void unload(loaded *l)
{
    gate_data_free(&l->d);
    fcs_events_free(&l->ev);
    fcs_file_free(l->f);
}

/* Read a truth file (one 0/1 per line) into @p out (n values); false if unreadable. */
static bool read_truth(const char *gate_id, uint8_t *out, size_t n)
{
    char path[512];
    snprintf(path, sizeof(path), GML_DIR "/truth/Results_%s.txt", gate_id);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        return false;
    }
    size_t i = 0;
    int ch;
    while ((ch = fgetc(fp)) != EOF) {
        if (ch == '0' || ch == '1') {
            if (i == n) {
                fclose(fp);
                return false;
            }
            out[i++] = (uint8_t)(ch - '0');
        }
    }
    fclose(fp);
    return i == n;
}

/* Compare every population of @p s whose id has a truth file (or maps via @p alias). */
static size_t check_strategy(const gate_strategy *s, const gate_result *r, const char *alias_from,
                             const char *alias_to, size_t *n_checked)
{
    size_t bad = 0;
    uint8_t *truth = malloc(r->n_events);
    cr_assert_not_null(truth);
    for (size_t g = 0; g < gate_strategy_n_gates(s); g++) {
        if (!gate_strategy_is_population(s, g)) {
            continue;
        }
        gate_info gi;
        gate_strategy_gate(s, g, &gi);
        const char *tid = gi.id;
        if (alias_from != NULL && strcmp(tid, alias_from) == 0) {
            tid = alias_to;
        }
        if (!read_truth(tid, truth, r->n_events)) {
            continue;
        }
        (*n_checked)++;
        const uint8_t *m = gate_result_membership(r, g);
        size_t first = SIZE_MAX, n_truth = 0;
        for (size_t e = 0; e < r->n_events; e++) {
            n_truth += truth[e];
            if (m[e] != truth[e] && first == SIZE_MAX) {
                first = e;
            }
        }
        if (first != SIZE_MAX) {
            bad++;
            cr_log_error("gate %s: first mismatch at event %zu (ours %u, truth %u); count %llu "
                         "vs truth %zu",
                         tid, first, m[first], truth[first], (unsigned long long)r->count[g],
                         n_truth);
        }
    }
    free(truth);
    return bad;
}

static size_t run_file(loaded *l, const char *xml, const char *alias_from, const char *alias_to,
                       size_t *n_checked)
{
    apo_error err;
    apo_error_clear(&err);
    gate_strategy *s = NULL;
    cr_assert_eq(gate_strategy_read_gml(&s, xml, &err), APO_OK, "%s", err.msg);
    gate_result r;
    cr_assert_eq(gate_strategy_apply(s, &l->d, &r, &err), APO_OK, "%s", err.msg);
    size_t bad = check_strategy(s, &r, alias_from, alias_to, n_checked);
    gate_result_free(&r);
    gate_strategy_free(s);
    return bad;
}

Test(gating_conformance, all_51_gates_match_truth, .init = setup)
{
    test_need_path(GML_DIR "/data1.fcs", "the Gating-ML compliance corpus");
    loaded l;
    load_data1(&l);
    size_t checked = 0, bad = 0;
    /* 49 gates in the combined document ... */
    bad += run_file(&l, GML_DIR "/gml/gml_all_gates.xml", NULL, NULL, &checked);
    cr_expect_eq(checked, 49, "gates with truth files in gml_all_gates.xml: %zu", checked);
    /* ... plus the 3-D ellipsoid and the rectangle under a quadrant (ParQuadRect). */
    size_t before = checked;
    bad += run_file(&l, GML_DIR "/gml/gml_ellipsoid3d_gate.xml", NULL, NULL, &checked);
    size_t c2 = checked;
    bad += run_file(&l, GML_DIR "/gml/gml_parent_quadrant_rect_gate.xml", "ParRectangle1",
                    "ParQuadRect", &checked);
    /* That file repeats Quadrant1 with uncompensated dividers: count only ParQuadRect. */
    cr_expect_eq(c2 - before, 1);
    cr_expect_eq(checked - c2, 5); /* 4 quadrants again + ParQuadRect */
    unload(&l);
    cr_assert_eq(bad, 0, "%zu of the compliance gates mismatch (see the log)", bad);
}

/* Every single-gate file of the suite gives the same membership as its truth file. */
Test(gating_conformance, single_gate_files_match_truth, .init = setup)
{
    test_need_path(GML_DIR "/data1.fcs", "the Gating-ML compliance corpus");
    static const char *const files[] = {
        "gml_boolean_and1_gate.xml",       "gml_boolean_and2_gate.xml",
        "gml_boolean_and3_complement_gate.xml", "gml_boolean_and4_not_gate.xml",
        "gml_boolean_not1_gate.xml",       "gml_boolean_or1_gate.xml",
        "gml_boolean_or2_gate.xml",        "gml_ellipse1_gate.xml",
        "gml_log_ratio_range1_gate.xml",   "gml_matrix_poly4_gate.xml",
        "gml_matrix_rect3_gate.xml",       "gml_matrix_rect4_gate.xml",
        "gml_matrix_rect5_gate.xml",       "gml_matrix_transform_asinh_range1c_gate.xml",
        "gml_matrix_transform_asinh_range6c_gate.xml",
        "gml_matrix_transform_hyperlog_range2c_gate.xml",
        "gml_matrix_transform_hyperlog_range7c_gate.xml",
        "gml_matrix_transform_linear_range3c_gate.xml",
        "gml_matrix_transform_logicle_range4c_gate.xml",
        "gml_matrix_transform_logicle_range5c_gate.xml",
        "gml_matrix_transform_logicle_range8c_gate.xml",
        "gml_matrix_transform_logicle_rect1_gate.xml",
        "gml_parent_poly1_boolean_and2_gate.xml", "gml_parent_range1_boolean_and3_gate.xml",
        "gml_parent_rect1_rect_par1_gate.xml", "gml_poly1_gate.xml",
        "gml_poly2_gate.xml",              "gml_poly3ns_gate.xml",
        "gml_quadrant1_gate.xml",          "gml_quadrant2_gate.xml",
        "gml_range_gate.xml",              "gml_range_gate_attr_testing.xml",
        "gml_ratio_range1_gate.xml",       "gml_ratio_range2_gate.xml",
        "gml_rect1_gate.xml",              "gml_rect2_gate.xml",
        "gml_time_range_gate.xml",         "gml_transform_asinh_range1_gate.xml",
        "gml_transform_hyperlog_range2_gate.xml", "gml_transform_linear_range3_gate.xml",
        "gml_transform_log_range6_gate.xml", "gml_transform_logicle_range4_gate.xml",
        "gml_transform_logicle_range5_gate.xml",
    };
    loaded l;
    load_data1(&l);
    size_t bad = 0, checked = 0;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), GML_DIR "/gml/%s", files[i]);
        size_t before = checked, b = run_file(&l, path, NULL, NULL, &checked);
        if (b != 0 || checked == before) {
            cr_log_error("%s: %zu mismatching gates, %zu checked", files[i], b, checked - before);
            bad += b ? b : 1;
        }
    }
    unload(&l);
    cr_assert_eq(bad, 0);
    cr_assert_geq(checked, 43);
}

/* comp_ref "FCS" on a file with a SPILL keyword gives exactly what gate_comp_apply gives. */
Test(gating_conformance, fcs_spillover_compensation_matches_gate_comp, .init = setup)
{
    test_need_path(GML_DIR "/data1.fcs", "the Gating-ML compliance corpus");
    apo_error err;
    fcs_file *f = NULL;
    cr_assert_eq(fcs_file_open(&f, APOFLOW_CORPUS_DIR "/fcs/cytoexplorerdata/Compensation-PE.fcs",
                               NULL, &err),
                 APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    o.values = FCS_VALUES_SCALED;
    o.apply_gain = true;
    fcs_events ev, comp;
    cr_assert_eq(fcs_dataset_read_events(ds, &o, &ev, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_dataset_read_events(ds, &o, &comp, &err), APO_OK, "%s", err.msg);
    gate_comp *c = NULL;
    cr_assert_not_null(fcs_dataset_spillover(ds));
    cr_assert_eq(gate_comp_from_fcs(&c, fcs_dataset_spillover(ds), &err), APO_OK, "%s", err.msg);
    cr_assert_eq(gate_comp_apply(c, &comp, 1, &err), APO_OK, "%s", err.msg);
    gate_data d;
    cr_assert_eq(gate_data_init(&d, ds, &ev, &err), APO_OK, "%s", err.msg);
    cr_assert_not_null(d.comp);
    gate_strategy *s = NULL;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    size_t pe = fcs_dataset_find_param(ds, "PE-A");
    cr_assert_neq(pe, SIZE_MAX);
    double *v = malloc(d.n_events * sizeof(double));
    const char *const names[2] = {"PE-A", "Comp-PE-A"};
    for (int k = 0; k < 2; k++) {
        gate_dim dim = {.name = names[k], .comp_ref = GATE_COMP_FCS};
        cr_assert_eq(gate_dim_values(s, &d, &dim, true, v, &err), APO_OK, "%s", err.msg);
        const double *want = fcs_events_column(&comp, pe);
        const double *raw = fcs_events_column(&ev, pe);
        size_t differ = 0;
        for (size_t e = 0; e < d.n_events; e++) {
            cr_assert_float_eq(v[e], want[e], 1e-9 * (1 + fabs(want[e])), "event %zu", e);
            differ += v[e] != raw[e];
        }
        cr_assert_gt(differ, d.n_events / 2); /* compensation really changed the values */
    }
    free(v);
    gate_strategy_free(s);
    gate_data_free(&d);
    gate_comp_free(c);
    fcs_events_free(&ev);
    fcs_events_free(&comp);
    fcs_file_free(f);
}
