/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gate_wsp_cli.c: end-to-end tests of `apoflow gate --gating WORKSPACE.wsp` and
 * `apoflow gating convert`: the report carries FlowJo's count and the difference (0 on the
 * corpus workspaces with FCS files), samples without their FCS file and files without a
 * sample are named, hostile workspaces exit 65 naming the element, and a workspace converted
 * to Gating-ML and back (linked to the FCS file) gates to FlowJo's count again.
 */
#include "support/need.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WSP APOFLOW_CORPUS_DIR "/flowjo/wsp"
#define DIAMOND WSP "/simple_diamond_example/test_data_diamond_01.fcs"
#define LINE WSP "/simple_line_example/data_set_simple_line_100.fcs"

static int run(run_result *r, const char *const *argv)
{
    return run_cli(argv, r);
}

Test(gate_wsp_cli, report_has_flowjo_count_and_difference)
{
    test_need_path(DIAMOND, "the FlowJo corpus");
    run_result r;
    const char *argv[] = {APOFLOW_BINARY, "gate", DIAMOND, "--gating",
                          WSP "/simple_diamond_example/test_data_diamond_biex_rect.wsp",
                          "--format", "csv", NULL};
    cr_assert_eq(run(&r, argv), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "file,sample,population,parent,count,flowjo_count,"
                                     "difference,pct_parent,pct_total,median_channel_A"),
                       "%s", r.out);
    cr_assert_not_null(strstr(r.out, ",test_data_diamond_01.fcs,upper_right,,50605,50605,0,"),
                       "%s", r.out);
    cr_assert_not_null(strstr(r.err, "1 of 1 populations have FlowJo's count exactly"), "%s",
                       r.err);
    run_result_free(&r);
    const char *json[] = {APOFLOW_BINARY, "gate", LINE, "--gating",
                          WSP "/simple_line_example/single_ellipse_51_events.wsp", "--format",
                          "json", NULL};
    cr_assert_eq(run(&r, json), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "\"population\": \"ellipse1\""), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\"count\": 51, \"flowjo_count\": 51, \"difference\": 0"),
                       "%s", r.out);
    run_result_free(&r);
}

Test(gate_wsp_cli, unmatched_files_and_samples_are_named)
{
    test_need_path(LINE, "the FlowJo corpus");
    run_result r;
    const char *argv[] = {APOFLOW_BINARY, "gate", LINE, "--gating",
                          WSP "/8_color_data_set/8_color_ICS.wsp", NULL};
    cr_assert_eq(run(&r, argv), 65, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "data_set_simple_line_100.fcs: expected a sample of"), "%s",
                       r.err);
    cr_assert_not_null(strstr(r.err, "sample 101_DEN084Y5_15_E03_009_clean.fcs (file:/V:/flowkit/"
                                     "ep11_101_files/101_DEN084Y5_15_E03_009_clean.fcs) is not "
                                     "gated: its FCS file is not among the inputs"),
                       "%s", r.err);
    run_result_free(&r);
    const char *group[] = {APOFLOW_BINARY, "gate", LINE, "--gating",
                           WSP "/8_color_data_set/8_color_ICS.wsp", "--group", "nope", NULL};
    cr_assert_eq(run(&r, group), 64, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "no group \"nope\""), "%s", r.err);
    run_result_free(&r);
}

Test(gate_wsp_cli, hostile_workspace_exits_65_naming_the_element)
{
    test_need_path(LINE, "the FlowJo corpus");
    char *dir = test_tmpdir();
    char path[1024];
    snprintf(path, sizeof path, "%s/bad.wsp", dir);
    FILE *fp = fopen(path, "w");
    fputs("<?xml version=\"1.0\"?>\n<!DOCTYPE Workspace [<!ENTITY a \"x\">]>\n"
          "<Workspace><SampleList/></Workspace>\n",
          fp);
    fclose(fp);
    run_result r;
    const char *argv[] = {APOFLOW_BINARY, "gate", LINE, "--gating", path, NULL};
    cr_assert_eq(run(&r, argv), 65, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "line 3: Workspace: expected no DOCTYPE"), "%s", r.err);
    run_result_free(&r);
    unlink(path);
    rmdir(dir);
    free(dir);
}

Test(gate_wsp_cli, convert_to_gating_ml_and_back)
{
    test_need_path(DIAMOND, "the FlowJo corpus");
    char *dir = test_tmpdir();
    char xml[1024], wsp[1024];
    snprintf(xml, sizeof xml, "%s/asinh.xml", dir);
    snprintf(wsp, sizeof wsp, "%s/asinh.wsp", dir);
    run_result r;
    const char *to_gml[] = {APOFLOW_BINARY, "gating", "convert",
                            WSP "/simple_diamond_example/test_data_diamond_asinh_rect.wsp", xml,
                            NULL};
    cr_assert_eq(run(&r, to_gml), 0, "%s", r.err);
    run_result_free(&r);
    const char *to_wsp[] = {APOFLOW_BINARY, "gating", "convert", xml, wsp, "--fcs", DIAMOND,
                            NULL};
    cr_assert_eq(run(&r, to_wsp), 0, "%s", r.err);
    run_result_free(&r);
    /* the written workspace links the FCS file and stores the count apoflow found: FlowJo's */
    const char *gate[] = {APOFLOW_BINARY, "gate", DIAMOND, "--gating", wsp, "--format", "csv",
                          NULL};
    cr_assert_eq(run(&r, gate), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, ",upper_right,,50559,50559,0,"), "%s", r.out);
    run_result_free(&r);
    /* biex has no Gating-ML form: refused, not approximated */
    const char *biex[] = {APOFLOW_BINARY, "gating", "convert",
                          WSP "/simple_diamond_example/test_data_diamond_biex_rect.wsp", xml,
                          NULL};
    cr_assert_eq(run(&r, biex), 65, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "found biex"), "%s", r.err);
    run_result_free(&r);
    unlink(xml);
    unlink(wsp);
    rmdir(dir);
    free(dir);
}
