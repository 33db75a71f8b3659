/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gml.c: the Gating-ML 2.0 reader and writer: the compliance document's structure,
 * rejection of malformed or unsupported XML (element and line in the message), and the
 * write -> read round trip (same gates, same membership on pseudo-random events).
 */
#include "gating/gate.h"

#include "support/need.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GML_DIR APOFLOW_CORPUS_DIR "/gating-ml/gml"

static void setup(void)
{
    gsl_set_error_handler_off();
}

#define HEAD                                                                                      \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                \
    "<gating:Gating-ML xmlns:gating=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\"\n"     \
    " xmlns:transforms=\"http://www.isac-net.org/std/Gating-ML/v2.0/transformations\"\n"         \
    " xmlns:data-type=\"http://www.isac-net.org/std/Gating-ML/v2.0/datatypes\">\n"
#define TAIL "</gating:Gating-ML>\n"

static apo_status parse(const char *xml, gate_strategy **s, apo_error *err)
{
    apo_error_clear(err);
    return gate_strategy_read_gml_buffer(s, xml, strlen(xml), "t.xml", err);
}

Test(gating_gml, reads_compliance_document_structure, .init = setup)
{
    test_need_path(GML_DIR "/gml_all_gates.xml", "the Gating-ML compliance corpus");
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_read_gml(&s, GML_DIR "/gml_all_gates.xml", &err), APO_OK, "%s",
                 err.msg);
    size_t pops = 0;
    for (size_t i = 0; i < gate_strategy_n_gates(s); i++) {
        pops += gate_strategy_is_population(s, i);
    }
    cr_assert_eq(pops, 49);
    cr_assert_eq(gate_strategy_n_gates(s), 51); /* + Quadrant1, Quadrant2 */
    gate_info gi;
    gate_strategy_gate(s, gate_strategy_find(s, "Polygon3NS"), &gi);
    cr_assert_eq(gi.kind, GATE_POLYGON);
    cr_assert_eq(gi.n_vertices, 8);
    cr_assert_str_eq(gi.dims[0].name, "SSC-H");
    cr_assert_null(gi.dims[0].comp_ref);
    cr_assert_str_eq(gi.dims[1].comp_ref, "FCS");
    gate_strategy_gate(s, gate_strategy_find(s, "FSCD-FL1P"), &gi);
    cr_assert_eq(gi.kind, GATE_QUADRANT);
    cr_assert_eq(gi.n_dims, 2);
    cr_assert_float_eq(gi.min[0], 28.0654, 0);
    cr_assert_float_eq(gi.max[0], 70.02725, 0);
    cr_assert_float_eq(gi.min[1], 6.43567, 0);
    gate_strategy_gate(s, gate_strategy_find(s, "RatRange1a"), &gi);
    cr_assert_str_eq(gi.dims[0].ratio_ref, "FL2Rat1");
    cr_assert_str_eq(gi.dims[0].transform_ref, "MyRatLog");
    const gate_transform *t = gate_strategy_transform(s, "Logicle_10000_1_4_0.5");
    cr_assert_not_null(t);
    cr_assert_eq(t->kind, GATE_TRANSFORM_LOGICLE);
    cr_assert_float_eq(t->A, 0.5, 0);
    gate_strategy_gate(s, gate_strategy_find(s, "ScalePar1"), &gi);
    cr_assert_str_eq(gi.parent_id, "ScaleRect1");
    char *p = gate_strategy_path(s, gate_strategy_find(s, "ScalePar1"));
    cr_assert_str_eq(p, "ScaleRect1/ScalePar1");
    free(p);
    gate_strategy_gate(s, gate_strategy_find(s, "And3"), &gi);
    cr_assert_eq(gi.op, GATE_BOOL_AND);
    cr_assert_eq(gi.n_operands, 3);
    cr_assert(gi.complement[1]);
    cr_assert_str_eq(gi.operands[1], "Ellipse1");
    gate_strategy_free(s);
}

Test(gating_gml, nested_foreign_element_is_looked_through, .init = setup)
{
    test_need_path(GML_DIR "/gml_all_gates.xml", "the Gating-ML compliance corpus");
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_read_gml(&s, GML_DIR "/gml_range_gate_attr_testing.xml", &err),
                 APO_OK, "%s", err.msg);
    cr_assert_eq(gate_strategy_find(s, "Range1"), 0);
    gate_strategy_free(s);
}

Test(gating_gml, rejects_malformed_xml_with_line, .init = setup)
{
    gate_strategy *s = NULL;
    apo_error err;
    const char *xml = HEAD "<gating:RectangleGate gating:id=\"R\">\n" TAIL;
    cr_assert_eq(parse(xml, &s, &err), APO_E_FORMAT);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "t.xml") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "line 7") != NULL, "%s", err.msg); /* end of data */
    cr_assert(strstr(err.msg, "well-formed") != NULL, "%s", err.msg);
}

Test(gating_gml, rejects_wrong_root, .init = setup)
{
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(parse("<Gating-ML/>", &s, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "root element") != NULL, "%s", err.msg);
}

Test(gating_gml, rejects_unknown_gating_element, .init = setup)
{
    gate_strategy *s = NULL;
    apo_error err;
    const char *xml = HEAD "<gating:CubeGate gating:id=\"C\"/>\n" TAIL;
    cr_assert_eq(parse(xml, &s, &err), APO_E_UNSUPPORTED);
    cr_assert(strstr(err.msg, "line 5: gating:CubeGate") != NULL, "%s", err.msg);
}

Test(gating_gml, rejects_bad_number_and_missing_attributes, .init = setup)
{
    gate_strategy *s = NULL;
    apo_error err;
    const char *xml = HEAD "<gating:RectangleGate gating:id=\"R\">\n"
                           "<gating:dimension gating:min=\"1,5\">\n"
                           "<data-type:fcs-dimension data-type:name=\"FSC-H\"/>\n"
                           "</gating:dimension></gating:RectangleGate>\n" TAIL;
    cr_assert_eq(parse(xml, &s, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "line 6: gating:dimension") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "\"1,5\"") != NULL, "%s", err.msg);
    const char *noid = HEAD "<gating:RectangleGate>\n"
                            "<gating:dimension gating:min=\"1\">\n"
                            "<data-type:fcs-dimension data-type:name=\"FSC-H\"/>\n"
                            "</gating:dimension></gating:RectangleGate>\n" TAIL;
    cr_assert_eq(parse(noid, &s, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "attribute id") != NULL, "%s", err.msg);
    const char *nodim = HEAD "<gating:PolygonGate gating:id=\"P\">\n"
                             "<gating:vertex><gating:coordinate data-type:value=\"1\"/>"
                             "</gating:vertex></gating:PolygonGate>\n" TAIL;
    cr_assert_eq(parse(nodim, &s, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "gating:PolygonGate") != NULL, "%s", err.msg);
}

Test(gating_gml, rejects_undefined_references, .init = setup)
{
    gate_strategy *s = NULL;
    apo_error err;
    const char *xml = HEAD "<gating:RectangleGate gating:id=\"R\" gating:parent_id=\"Nope\">\n"
                           "<gating:dimension gating:min=\"1\">\n"
                           "<data-type:fcs-dimension data-type:name=\"FSC-H\"/>\n"
                           "</gating:dimension></gating:RectangleGate>\n" TAIL;
    cr_assert_eq(parse(xml, &s, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "Nope") != NULL, "%s", err.msg);
    const char *tr = HEAD "<gating:RectangleGate gating:id=\"R\">\n"
                          "<gating:dimension gating:min=\"1\" gating:transformation-ref=\"T\">\n"
                          "<data-type:fcs-dimension data-type:name=\"FSC-H\"/>\n"
                          "</gating:dimension></gating:RectangleGate>\n" TAIL;
    cr_assert_eq(parse(tr, &s, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "line 6: gating:dimension") != NULL, "%s", err.msg);
    const char *badtr = HEAD "<transforms:transformation transforms:id=\"L\">\n"
                             "<transforms:logicle transforms:T=\"1000\" transforms:W=\"3\" "
                             "transforms:M=\"4\" transforms:A=\"0\"/>\n"
                             "</transforms:transformation>\n" TAIL;
    cr_assert_eq(parse(badtr, &s, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "line 6: transforms:logicle") != NULL, "%s", err.msg);
    const char *unk = HEAD "<transforms:transformation transforms:id=\"L\">\n"
                           "<transforms:splitscale transforms:T=\"1000\"/>\n"
                           "</transforms:transformation>\n" TAIL;
    cr_assert_eq(parse(unk, &s, &err), APO_E_UNSUPPORTED);
    cr_assert(strstr(err.msg, "splitscale") != NULL, "%s", err.msg);
}

Test(gating_gml, io_error_for_missing_file, .init = setup)
{
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_read_gml(&s, "/nonexistent/dir/x.xml", &err), APO_E_IO);
}

/* Pseudo-random events on data1's channel names (xorshift, fixed seed). */
static void fill_random(double *v, size_t np, size_t ne)
{
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < np * ne; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double u = (double)(x >> 11) / 9007199254740992.0;
        v[i] = (i / ne == 7) ? floor(u * 100) : pow(10, u * 3.2) - 2.0;
    }
}

Test(gating_gml, write_read_round_trip_same_membership, .init = setup)
{
    test_need_path(GML_DIR "/gml_all_gates.xml", "the Gating-ML compliance corpus");
    gate_strategy *a = NULL, *b = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_read_gml(&a, GML_DIR "/gml_all_gates.xml", &err), APO_OK, "%s",
                 err.msg);
    char dir[] = "/tmp/apoflow_gml_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/out.xml", dir);
    cr_assert_eq(gate_strategy_write_gml(a, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(gate_strategy_read_gml(&b, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(gate_strategy_n_gates(a), gate_strategy_n_gates(b));
    static const char *const names[8] = {"FSC-H", "SSC-H", "FL1-H", "FL2-H",
                                         "FL3-H", "FL2-A", "FL4-H", "Time"};
    enum { NE = 5000 };
    double *v = malloc(8 * NE * sizeof(double));
    cr_assert_not_null(v);
    fill_random(v, 8, NE);
    gate_data d = {.n_events = NE, .n_params = 8, .names = names, .values = v};
    gate_result ra, rb;
    cr_assert_eq(gate_strategy_apply(a, &d, &ra, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(gate_strategy_apply(b, &d, &rb, &err), APO_OK, "%s", err.msg);
    uint64_t total = 0;
    for (size_t g = 0; g < gate_strategy_n_gates(a); g++) {
        gate_info ga, gb;
        gate_strategy_gate(a, g, &ga);
        gate_strategy_gate(b, g, &gb);
        cr_assert_str_eq(ga.id, gb.id);
        cr_assert_eq(ga.kind, gb.kind);
        cr_assert_eq(memcmp(gate_result_membership(&ra, g), gate_result_membership(&rb, g), NE),
                     0, "gate %s differs after the round trip", ga.id);
        total += ra.count[g];
    }
    cr_assert_gt(total, 0);
    gate_result_free(&ra);
    gate_result_free(&rb);
    free(v);
    gate_strategy_free(a);
    gate_strategy_free(b);
    unlink(path);
    rmdir(dir);
}

Test(gating_gml, built_strategy_writes_and_reads_back, .init = setup)
{
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    gate_transform lg;
    cr_assert_eq(gate_transform_init_logicle(&lg, 262144, 0.5, 4.5, 0, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "lg", &lg, &err), APO_OK);
    gate_dim sc[2] = {{.name = "FSC-A"}, {.name = "SSC-A"}};
    const double xy[] = {1e4, 1e4, 2e5, 1e4, 2e5, 2e5, 1e4, 2e5};
    cr_assert_eq(gate_strategy_add_polygon(s, "Cells", NULL, sc, 4, xy, &err), APO_OK);
    gate_dim ap[2] = {{.name = "FITC-A", .comp_ref = "FCS", .transform_ref = "lg"},
                      {.name = "PI-A", .comp_ref = "FCS", .transform_ref = "lg"}};
    const char *const q[4] = {"Viable", "Early", "Late", "Necrotic"};
    cr_assert_eq(gate_strategy_add_quadrants_2d(s, "AnnV_PI", "Cells", ap, 0.42, 0.37, q, &err),
                 APO_OK, "%s", err.msg);
    char dir[] = "/tmp/apoflow_gml_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/s.xml", dir);
    cr_assert_eq(gate_strategy_write_gml(s, path, &err), APO_OK, "%s", err.msg);
    gate_strategy *b = NULL;
    cr_assert_eq(gate_strategy_read_gml(&b, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(gate_strategy_n_gates(b), 6);
    gate_info gi;
    gate_strategy_gate(b, gate_strategy_find(b, "Late"), &gi);
    cr_assert_eq(gi.kind, GATE_QUADRANT);
    cr_assert_float_eq(gi.min[0], 0.42, 0);
    cr_assert_float_eq(gi.min[1], 0.37, 0);
    cr_assert_str_eq(gi.dims[1].transform_ref, "lg");
    cr_assert_str_eq(gi.parent_id, "Cells");
    char *p = gate_strategy_path(b, gate_strategy_find(b, "Early"));
    cr_assert_str_eq(p, "Cells/Early");
    free(p);
    gate_strategy_free(s);
    gate_strategy_free(b);
    unlink(path);
    rmdir(dir);
}

Test(gating_gml, writer_transform_kinds_bounds_and_unsupported, .init = setup)
{
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    gate_transform lin, lg10, hl, fl;
    gate_transform_init_linear(&lin);
    gate_transform_init_log10(&lg10);
    cr_assert_eq(gate_transform_init_hyperlog(&hl, 10000, 1, 4.5, 0, &err), APO_OK);
    cr_assert_eq(gate_transform_init_flin(&fl, 10000, 500, &err), APO_OK);
    cr_assert_eq(gate_transform_set_bounds(&fl, 0.0, 0.9, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "lin", &lin, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "lg10", &lg10, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "hl", &hl, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "fl", &fl, &err), APO_OK);
    gate_dim d = {.name = "X", .transform_ref = "fl"};
    double lo = 0.05, hi = INFINITY;
    cr_assert_eq(gate_strategy_add_rectangle(s, "R&<\"q\">", NULL, 1, &d, &lo, &hi, &err), APO_OK);
    char dir[] = "/tmp/apoflow_gml_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/t.xml", dir);
    cr_assert_eq(gate_strategy_write_gml(s, path, &err), APO_OK, "%s", err.msg);
    gate_strategy *b = NULL;
    cr_assert_eq(gate_strategy_read_gml(&b, path, &err), APO_OK, "%s", err.msg);
    const gate_transform *t = gate_strategy_transform(b, "lin");
    cr_assert_eq(t->kind, GATE_TRANSFORM_FLIN);
    cr_assert_float_eq(gate_transform_apply(t, 123.25), 123.25, 0);
    t = gate_strategy_transform(b, "lg10");
    cr_assert_float_eq(gate_transform_apply(t, 1000.0), 3.0, 1e-12);
    t = gate_strategy_transform(b, "hl");
    cr_assert_eq(t->kind, GATE_TRANSFORM_HYPERLOG);
    cr_assert_float_eq(gate_transform_apply(t, 100.0), 0.511151436999, 1e-9);
    t = gate_strategy_transform(b, "fl");
    cr_assert_float_eq(t->bound_max, 0.9, 0);
    cr_assert_float_eq(gate_transform_apply(t, 1e6), 0.9, 0);
    cr_assert_neq(gate_strategy_find(b, "R&<\"q\">"), SIZE_MAX);
    gate_strategy_free(b);
    /* arcsinh with a cofactor has no Gating-ML form: refused, and no file is left behind */
    gate_transform as;
    cr_assert_eq(gate_transform_init_asinh(&as, 150, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "as", &as, &err), APO_OK);
    char path2[160];
    snprintf(path2, sizeof(path2), "%s/u.xml", dir);
    cr_assert_eq(gate_strategy_write_gml(s, path2, &err), APO_E_UNSUPPORTED);
    cr_assert(strstr(err.msg, "asinh") != NULL, "%s", err.msg);
    struct stat st;
    cr_assert_neq(stat(path2, &st), 0);
    gate_strategy_free(s);
    unlink(path);
    rmdir(dir);
}
