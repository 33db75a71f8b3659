/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_wsp.c: the FlowJo workspace reader. (1) On the shared workspaces whose FCS files are
 * present, every population's count equals FlowJo's count stored in the workspace (one
 * documented exception, docs/flowjo.md). (2) The 8-colour workspaces parse completely: every
 * sample, group, matrix, transform and population the XML holds is read, checked against an
 * independent XPath walk of the same file. (3) Hostile workspaces are refused with the
 * element named. (4) The biex transform kind gives exactly the values of the biex table.
 */
#include "gating/flowjo.h"
#include "gating/gating_internal.h"
#include "support/need.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WSP_DIR APOFLOW_CORPUS_DIR "/flowjo/wsp"

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gating_wsp, .init = setup);

static void read_ws(flowjo_workspace *w, const char *path)
{
    test_need_path(path, "FlowJo workspace of the shared corpus");
    apo_error err;
    apo_status st = flowjo_workspace_read(w, path, &err);
    cr_assert_eq(st, APO_OK, "%s", err.msg);
}

/* Gate @p fcs with sample 0 of @p w; counts per FlowJo population. */
static void sample_counts(const flowjo_workspace *w, const char *fcs, uint64_t *counts)
{
    test_need_path(fcs, "FCS file of a corpus workspace");
    fcs_file *f = NULL;
    apo_error err;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(fcs_file_open(&f, fcs, &ro, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    size_t s = flowjo_workspace_match(w, fcs, fcs_dataset_keyword(ds, "$FIL"), NULL);
    cr_assert_eq(s, 0);
    const flowjo_sample *sm = &w->samples[s];
    uint64_t *all = calloc(gate_strategy_n_gates(sm->strategy), sizeof(uint64_t));
    cr_assert_eq(gate_strategy_apply_stream(sm->strategy, ds, NULL, all, &err), APO_OK, "%s",
                 err.msg);
    for (size_t p = 0; p < sm->n_populations; p++) {
        counts[p] = all[sm->populations[p].gate];
    }
    free(all);
    fcs_file_free(f);
}

/* Every population with a stored count equals it; returns how many were compared. */
static size_t assert_flowjo_counts(const char *wsp, const char *fcs)
{
    flowjo_workspace w;
    read_ws(&w, wsp);
    cr_assert_eq(w.n_samples, 1);
    uint64_t counts[16];
    cr_assert(w.samples[0].n_populations <= 16);
    sample_counts(&w, fcs, counts);
    size_t compared = 0;
    for (size_t p = 0; p < w.samples[0].n_populations; p++) {
        const flowjo_population *fp = &w.samples[0].populations[p];
        if (fp->count >= 0) {
            cr_expect_eq(counts[p], (uint64_t)fp->count, "%s %s: apoflow %llu, FlowJo %lld", wsp,
                         fp->path, (unsigned long long)counts[p], (long long)fp->count);
            compared++;
        }
    }
    flowjo_workspace_free(&w);
    return compared;
}

Test(gating_wsp, diamond_counts_equal_flowjo)
{
    const char *fcs = WSP_DIR "/simple_diamond_example/test_data_diamond_01.fcs";
    /* fasinh (two parameter sets) and biex (FlowJo's table) rectangles on 200,000 events */
    cr_assert_eq(assert_flowjo_counts(WSP_DIR "/simple_diamond_example/"
                                              "test_data_diamond_asinh_rect.wsp",
                                      fcs),
                 1);
    cr_assert_eq(assert_flowjo_counts(WSP_DIR "/simple_diamond_example/"
                                              "test_data_diamond_asinh_rect2.wsp",
                                      fcs),
                 1);
    cr_assert_eq(assert_flowjo_counts(WSP_DIR "/simple_diamond_example/"
                                              "test_data_diamond_biex_rect.wsp",
                                      fcs),
                 1);
}

Test(gating_wsp, ellipse_count_equals_flowjo)
{
    flowjo_workspace w;
    read_ws(&w, WSP_DIR "/simple_line_example/single_ellipse_51_events.wsp");
    uint64_t counts[4];
    sample_counts(&w, WSP_DIR "/simple_line_example/data_set_simple_line_100.fcs", counts);
    cr_assert_eq(w.samples[0].n_populations, 1);
    cr_assert_eq(w.samples[0].populations[0].count, 51);
    cr_assert_eq(counts[0], 51);
    flowjo_workspace_free(&w);
}

/*
 * The line data set: 100 events with channel_B = 131072. simple_poly_and_rect.wsp stores no
 * counts (count="-1"); both gates end below 131072 on B, so both hold 0 events. In the
 * _v2_poly50 workspace the sample's own polygon was edited (its top edge slants across
 * B = 131072, splitting the line in half) after FlowJo cached count="0": the stored count is
 * stale, apoflow (like FlowKit's check of the same file) finds 50. docs/flowjo.md lists this.
 */
Test(gating_wsp, line_polygon_and_rectangle)
{
    const char *fcs = WSP_DIR "/simple_line_example/data_set_simple_line_100.fcs";
    flowjo_workspace w;
    uint64_t counts[4];
    read_ws(&w, WSP_DIR "/simple_line_example/simple_poly_and_rect.wsp");
    sample_counts(&w, fcs, counts);
    cr_assert_str_eq(w.samples[0].populations[0].path, "poly1");
    cr_assert_eq(w.samples[0].populations[0].count, -1);
    cr_assert_eq(counts[0], 0);
    cr_assert_eq(counts[1], 0);
    flowjo_workspace_free(&w);
    read_ws(&w, WSP_DIR "/simple_line_example/simple_poly_and_rect_v2_poly50.wsp");
    sample_counts(&w, fcs, counts);
    cr_assert_eq(w.samples[0].populations[0].count, 0); /* stale */
    cr_assert_eq(counts[0], 50);
    cr_assert_str_eq(w.samples[0].populations[1].path, "rect1");
    cr_assert_eq(w.samples[0].populations[1].count, 0);
    cr_assert_eq(counts[1], 0);
    flowjo_workspace_free(&w);
}

/* ---- parse completeness against the XML ------------------------------------------------- */

static xmlXPathObject *xpath(xmlXPathContext *x, const char *expr)
{
    xmlXPathObject *o = xmlXPathEvalExpression((const xmlChar *)expr, x);
    cr_assert_not_null(o, "%s", expr);
    return o;
}

static size_t xcount(xmlXPathContext *x, const char *expr)
{
    xmlXPathObject *o = xpath(x, expr);
    size_t n = o->nodesetval ? (size_t)o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    return n;
}

static char *prop(const xmlNode *n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

/* The FlowJo path of a population element: names of the population ancestors. */
static void node_path(const xmlNode *n, char *buf, size_t cap)
{
    const xmlNode *chain[128];
    size_t k = 0;
    for (const xmlNode *p = n; p != NULL && k < 128; p = p->parent) {
        if (p->type == XML_ELEMENT_NODE && strcmp((const char *)p->name, "SampleNode") == 0) {
            break;
        }
        if (p->type == XML_ELEMENT_NODE &&
            (strcmp((const char *)p->name, "Population") == 0 ||
             strcmp((const char *)p->name, "AndNode") == 0 ||
             strcmp((const char *)p->name, "OrNode") == 0 ||
             strcmp((const char *)p->name, "NotNode") == 0)) {
            chain[k++] = p;
        }
    }
    buf[0] = '\0';
    for (size_t i = k; i-- > 0;) {
        char *nm = prop(chain[i], "name");
        strncat(buf, nm, cap - strlen(buf) - 1);
        if (i > 0) {
            strncat(buf, "/", cap - strlen(buf) - 1);
        }
        xmlFree(nm);
    }
}

/* Every sample's populations, transforms and matrix; every group's members and template. */
static void check_complete(const char *file, size_t want_samples, size_t want_pops0)
{
    flowjo_workspace w;
    read_ws(&w, file);
    xmlDoc *doc = xmlReadFile(file, NULL, XML_PARSE_NONET);
    cr_assert_not_null(doc);
    xmlXPathContext *x = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(x, (const xmlChar *)"transforms",
                       (const xmlChar *)"http://www.isac-net.org/std/Gating-ML/v2.0/"
                                        "transformations");
    cr_assert_eq(w.n_samples, want_samples);
    cr_assert_eq(w.n_samples, xcount(x, "/Workspace/SampleList/Sample"));
    cr_assert_eq(w.n_groups, xcount(x, "/Workspace/Groups/GroupNode"));
    cr_assert_eq(w.n_matrices, xcount(x, "/Workspace/Matrices/transforms:spilloverMatrix"));
    cr_assert_eq(w.n_warnings, 0, "%s", w.n_warnings ? w.warnings[0] : "");
    cr_assert_eq(w.samples[0].n_populations, want_pops0, "%s: %zu", file, w.samples[0].n_populations);
    char expr[256], path[2048];
    for (size_t i = 0; i < w.n_samples; i++) {
        const flowjo_sample *s = &w.samples[i];
        snprintf(expr, sizeof expr, "/Workspace/SampleList/Sample[%zu]/Transformations/*", i + 1);
        cr_assert_eq(s->n_transforms, xcount(x, expr), "%s sample %zu transforms", file, i);
        snprintf(expr, sizeof expr, "/Workspace/SampleList/Sample[%zu]/transforms:spilloverMatrix",
                 i + 1);
        cr_assert_eq(s->matrix != NULL, xcount(x, expr) == 1);
        snprintf(expr, sizeof expr,
                 "/Workspace/SampleList/Sample[%zu]/SampleNode//*[self::Population or "
                 "self::AndNode or self::OrNode or self::NotNode]",
                 i + 1);
        xmlXPathObject *o = xpath(x, expr);
        cr_assert_eq(s->n_populations, (size_t)o->nodesetval->nodeNr, "%s sample %zu", file, i);
        for (size_t p = 0; p < s->n_populations; p++) {
            const xmlNode *n = o->nodesetval->nodeTab[p];
            node_path(n, path, sizeof path);
            cr_assert_str_eq(s->populations[p].path, path);
            char *cnt = prop(n, "count");
            cr_assert_eq(s->populations[p].count, strtoll(cnt, NULL, 10), "%s", path);
            xmlFree(cnt);
            /* the gate exists under its FlowJo path and hangs under its parent's path */
            size_t g = gate_strategy_find(s->strategy, path);
            cr_assert_eq(g, s->populations[p].gate);
            char *slash = strrchr(path, '/');
            size_t parent = gate_strategy_parent(s->strategy, g);
            if (slash == NULL) {
                cr_assert_eq(parent, SIZE_MAX);
            } else {
                *slash = '\0';
                cr_assert_eq(parent, gate_strategy_find(s->strategy, path), "%s", path);
            }
        }
        xmlXPathFreeObject(o);
        cr_assert_eq(gate_strategy_validate(s->strategy, NULL), APO_OK);
    }
    for (size_t g = 0; g < w.n_groups; g++) {
        snprintf(expr, sizeof expr, "/Workspace/Groups/GroupNode[%zu]/Group/SampleRefs/SampleRef",
                 g + 1);
        cr_assert_eq(w.groups[g].n_samples, xcount(x, expr), "group %s", w.groups[g].name);
        snprintf(expr, sizeof expr,
                 "/Workspace/Groups/GroupNode[%zu]//*[self::Population or self::AndNode or "
                 "self::OrNode or self::NotNode]",
                 g + 1);
        cr_assert_eq(w.groups[g].n_template, xcount(x, expr), "group %s", w.groups[g].name);
    }
    xmlXPathFreeContext(x);
    xmlFreeDoc(doc);
    flowjo_workspace_free(&w);
}

Test(gating_wsp, eight_colour_parse_completely)
{
    check_complete(WSP_DIR "/8_color_data_set/8_color_ICS.wsp", 3, 14);
    check_complete(WSP_DIR "/8_color_data_set/8_color_ICS_boolean_gate_testing.wsp", 3, 20);
    check_complete(WSP_DIR "/8_color_data_set/8_color_ICS_with_ellipse.wsp", 3, 15);
    check_complete(WSP_DIR "/8_color_data_set/reused_quad_gate_with_child.wsp", 1, 13);
}

Test(gating_wsp, eight_colour_structure)
{
    flowjo_workspace w;
    read_ws(&w, WSP_DIR "/8_color_data_set/8_color_ICS_boolean_gate_testing.wsp");
    const flowjo_sample *s = &w.samples[0];
    cr_assert_str_eq(s->matrix, "Acquisition-defined");
    cr_assert_eq(s->n_transforms, 23);
    cr_assert_eq(s->count, 283969);
    size_t den = flowjo_workspace_find_group(&w, "DEN");
    cr_assert_neq(den, SIZE_MAX);
    cr_assert_eq(w.groups[den].n_samples, 3);
    /* the NOT node: its parent CD4+ minus IL2+ (FlowJo: 81992 - 74 = 81918) */
    size_t g = gate_strategy_find(s->strategy, "Time/Singlets/aAmine-/CD3+/CD4+/IL2+-");
    cr_assert_neq(g, SIZE_MAX);
    gate_info gi;
    gate_strategy_gate(s->strategy, g, &gi);
    cr_assert_eq(gi.kind, GATE_BOOLEAN);
    cr_assert_eq(gi.op, GATE_BOOL_NOT);
    cr_assert_str_eq(gi.operands[0], "Time/Singlets/aAmine-/CD3+/CD4+/IL2+");
    /* a compensated dimension: the matrix's detector, compensated, on its logicle */
    g = gate_strategy_find(s->strategy, "Time/Singlets/aAmine-/CD3+/CD4+");
    gate_strategy_gate(s->strategy, g, &gi);
    cr_assert_eq(gi.kind, GATE_POLYGON);
    cr_assert_str_eq(gi.dims[0].name, "CD4 PE-Cy7 FLR-A");
    cr_assert_str_eq(gi.dims[0].comp_ref, "Acquisition-defined");
    cr_assert_str_eq(gi.dims[0].transform_ref, "Comp-CD4 PE-Cy7 FLR-A");
    cr_assert_eq(gate_strategy_transform(s->strategy, "Comp-CD4 PE-Cy7 FLR-A")->kind,
                 GATE_TRANSFORM_LOGICLE);
    flowjo_workspace_free(&w);
    /* the quadrant copied under two parents with a child under Q2 each */
    read_ws(&w, WSP_DIR "/8_color_data_set/reused_quad_gate_with_child.wsp");
    s = &w.samples[0];
    cr_assert_eq(gate_strategy_transform(s->strategy, "Comp-CD4 PE-Cy7 FLR-A")->kind,
                 GATE_TRANSFORM_BIEX);
    g = gate_strategy_find(s->strategy, "good cells/cd8+/Q2: CD107a+, IL2+/some_child_gate");
    cr_assert_neq(g, SIZE_MAX);
    g = gate_strategy_find(s->strategy, "good cells/cd4+/Q1: CD107a-, IL2+");
    gate_strategy_gate(s->strategy, g, &gi);
    cr_assert_eq(gi.kind, GATE_RECTANGLE);
    cr_assert(isinf(gi.min[0]) && gi.min[0] < 0); /* FlowJo quadrants: open rectangles */
    cr_assert(isinf(gi.max[1]) && gi.max[1] > 0);
    flowjo_workspace_free(&w);
}

/* ---- hostile workspaces ----------------------------------------------------------------- */

#define WS_HEAD                                                                                   \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                \
    "<Workspace xmlns:gating=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\" "             \
    "xmlns:transforms=\"http://www.isac-net.org/std/Gating-ML/v2.0/transformations\" "           \
    "xmlns:data-type=\"http://www.isac-net.org/std/Gating-ML/v2.0/datatypes\">\n"                \
    "<SampleList><Sample><DataSet uri=\"file:/x/a.fcs\" sampleID=\"1\"/>\n"                      \
    "<SampleNode name=\"a.fcs\" count=\"10\" sampleID=\"1\"><Subpopulations>\n"
#define WS_TAIL "</Subpopulations></SampleNode></Sample></SampleList></Workspace>\n"
#define RECT(name, lo)                                                                            \
    "<Population name=\"" name "\" count=\"1\"><Gate><gating:RectangleGate>"                     \
    "<gating:dimension gating:min=\"" lo "\"><data-type:fcs-dimension "                          \
    "data-type:name=\"FSC-A\"/></gating:dimension></gating:RectangleGate></Gate>"

static apo_status parse(const char *text, apo_error *err)
{
    flowjo_workspace w;
    apo_status st = flowjo_workspace_read_buffer(&w, text, strlen(text), "t.wsp", err);
    flowjo_workspace_free(&w);
    return st;
}

static void expect_refused(const char *text, const char *needle)
{
    apo_error err;
    apo_status st = parse(text, &err);
    cr_assert_neq(st, APO_OK, "accepted: %s", needle);
    cr_assert(st == APO_E_FORMAT || st == APO_E_UNSUPPORTED, "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, needle), "'%s' not in: %s", needle, err.msg);
    cr_assert_not_null(strstr(err.msg, "t.wsp"), "%s", err.msg);
}

Test(gating_wsp, valid_minimal_reads)
{
    apo_error err;
    cr_assert_eq(parse(WS_HEAD RECT("A", "10") "</Population>" WS_TAIL, &err), APO_OK, "%s",
                 err.msg);
}

Test(gating_wsp, hostile_refused_naming_the_element)
{
    expect_refused("<?xml version=\"1.0\"?>\n<!DOCTYPE Workspace [<!ENTITY a \"aaaa\">"
                   "<!ENTITY b \"&a;&a;&a;&a;\">]>\n<Workspace><SampleList/></Workspace>",
                   "DOCTYPE");
    expect_refused(WS_HEAD RECT("A", "1e300") "</Population>" WS_TAIL, "gating:dimension");
    expect_refused(WS_HEAD RECT("A", "nan") "</Population>" WS_TAIL, "gating:dimension");
    expect_refused(WS_HEAD "<NotNode name=\"N\" count=\"1\"><Dependents><Dependent name=\"N\"/>"
                           "</Dependents></NotNode>" WS_TAIL,
                   "itself");
    expect_refused(WS_HEAD "<OrNode name=\"N\" count=\"1\"><Dependents><Dependent name=\"N/C\"/>"
                           "<Dependent name=\"X\"/></Dependents><Subpopulations>" RECT("C", "1")
                           "</Population></Subpopulations></OrNode>" WS_TAIL,
                   "descendant");
    expect_refused(WS_HEAD "<AndNode name=\"N\" count=\"1\"><Dependents><Dependent name=\"Q\"/>"
                           "<Dependent name=\"R\"/></Dependents></AndNode>" WS_TAIL,
                   "Q");
    expect_refused(WS_HEAD "<Population name=\"P\"><Gate><gating:PolygonGate><gating:dimension>"
                           "<data-type:fcs-dimension data-type:name=\"FSC-A\"/>"
                           "</gating:dimension></gating:PolygonGate></Gate></Population>" WS_TAIL,
                   "PolygonGate");
    expect_refused("<Workspace><SampleList><Sample><DataSet uri=\"x\" sampleID=\"1\"/>"
                   "<SampleNode name=\"a\"/></Sample><Sample><DataSet uri=\"y\" sampleID=\"1\"/>"
                   "<SampleNode name=\"b\"/></Sample></SampleList></Workspace>",
                   "sampleID");
    /* a matrix row with a missing coefficient; a group naming a sample that is not there */
    expect_refused("<Workspace xmlns:transforms=\"http://www.isac-net.org/std/Gating-ML/v2.0/"
                   "transformations\" xmlns:data-type=\"http://www.isac-net.org/std/Gating-ML/"
                   "v2.0/datatypes\"><SampleList><Sample><DataSet uri=\"x\" sampleID=\"1\"/>"
                   "<transforms:spilloverMatrix name=\"M\"><data-type:parameters>"
                   "<data-type:parameter data-type:name=\"A\"/><data-type:parameter "
                   "data-type:name=\"B\"/></data-type:parameters><transforms:spillover>"
                   "<transforms:coefficient transforms:value=\"1\"/></transforms:spillover>"
                   "</transforms:spilloverMatrix><SampleNode name=\"a\"/></Sample></SampleList>"
                   "</Workspace>",
                   "transforms:spillover");
    expect_refused("<Workspace><Groups><GroupNode name=\"G\"><Group><SampleRefs><SampleRef "
                   "sampleID=\"7\"/></SampleRefs></Group></GroupNode></Groups><SampleList>"
                   "</SampleList></Workspace>",
                   "SampleRef");
    expect_refused(WS_HEAD "<Population name=\"P\" count=\"1e300\"><Gate><gating:RectangleGate>"
                           "<gating:dimension gating:min=\"1\"><data-type:fcs-dimension "
                           "data-type:name=\"FSC-A\"/></gating:dimension></gating:RectangleGate>"
                           "</Gate></Population>" WS_TAIL,
                   "count");
    expect_refused("<Gating-ML/>", "Workspace");
    expect_refused("<Workspace><SampleList>", "well-formed");
}

Test(gating_wsp, deep_nesting_refused)
{
    size_t depth = FLOWJO_MAX_DEPTH + 5;
    size_t cap = depth * 400 + 2000;
    char *buf = malloc(cap);
    strcpy(buf, WS_HEAD);
    for (size_t i = 0; i < depth; i++) {
        strcat(buf, RECT("A", "1") "<Subpopulations>");
    }
    for (size_t i = 0; i < depth; i++) {
        strcat(buf, "</Subpopulations></Population>");
    }
    strcat(buf, WS_TAIL);
    expect_refused(buf, "deep");
    free(buf);
}

Test(gating_wsp, unsupported_gate_warned_not_silent)
{
    flowjo_workspace w;
    apo_error err;
    const char *text = WS_HEAD "<Population name=\"P\" count=\"3\"><Gate><gating:CurlyQuad/>"
                               "</Gate><Subpopulations>" RECT("C", "1") "</Population>"
                               "</Subpopulations></Population>"
                               "<Statistic name=\"Mean\"/>" WS_TAIL;
    cr_assert_eq(flowjo_workspace_read_buffer(&w, text, strlen(text), "t.wsp", &err), APO_OK,
                 "%s", err.msg);
    cr_assert_eq(w.samples[0].n_populations, 0);
    cr_assert_eq(w.n_warnings, 2);
    cr_assert_not_null(strstr(w.warnings[0], "CurlyQuad gate of P is not applied"));
    cr_assert_not_null(strstr(w.warnings[1], "statistic \"Mean\""));
    flowjo_workspace_free(&w);
}

Test(gating_wsp, events_outside_is_a_complement)
{
    flowjo_workspace w;
    apo_error err;
    const char *text = WS_HEAD "<Population name=\"P\" count=\"3\"><Gate><gating:RectangleGate "
                               "eventsInside=\"0\"><gating:dimension gating:min=\"5\">"
                               "<data-type:fcs-dimension data-type:name=\"FSC-A\"/>"
                               "</gating:dimension></gating:RectangleGate></Gate></Population>"
                               WS_TAIL;
    cr_assert_eq(flowjo_workspace_read_buffer(&w, text, strlen(text), "t.wsp", &err), APO_OK,
                 "%s", err.msg);
    const gate_strategy *s = w.samples[0].strategy;
    double v[4] = {1, 5, 7, 4.9};
    const char *names[1] = {"FSC-A"};
    gate_data d = {.n_events = 4, .n_params = 1, .names = names, .values = v};
    gate_result r;
    cr_assert_eq(gate_strategy_apply(s, &d, &r, &err), APO_OK, "%s", err.msg);
    const uint8_t *m = gate_result_membership(&r, w.samples[0].populations[0].gate);
    cr_assert(m[0] && !m[1] && !m[2] && m[3]);
    gate_result_free(&r);
    flowjo_workspace_free(&w);
}

/* ---- biex ------------------------------------------------------------------------------- */

Test(gating_wsp, biex_transform_equals_table)
{
    gate_biex_lut *lut = NULL;
    gate_transform t;
    apo_error err;
    const double params[3][3] = {{4.41854, 0.0, -10.0}, {4.41854, 1.0, -100.0}, {4.5, 0.5, -3.0}};
    for (int k = 0; k < 3; k++) {
        cr_assert_eq(gate_biex_lut_new(&lut, params[k][0], params[k][1], params[k][2],
                                       262144.000029, 4096, &err),
                     APO_OK);
        cr_assert_eq(gate_transform_init_biex(&t, params[k][0], params[k][1], params[k][2],
                                              262144.000029, 4096, &err),
                     APO_OK);
        for (int i = 0; i < 20000; i++) { /* -3000 .. 300000, denser near 0 */
            double u = (double)i / 20000.0;
            double x = u < 0.2 ? -3000.0 + 3000.0 * u / 0.2 : 3e5 * pow((u - 0.2) / 0.8, 3.0);
            cr_assert_eq(gate_transform_apply(&t, x), gate_biex_lut_apply(lut, x), "x=%g", x);
        }
        for (double y = 0.0; y <= 1.0; y += 0.0003) {
            cr_assert_eq(gate_transform_inverse(&t, y), gate_biex_lut_inverse(lut, y));
        }
        gate_biex_lut_free(lut);
    }
}
