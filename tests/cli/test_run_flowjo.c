/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_flowjo.c: `apoflow run --write-flowjo OUT.wsp` and `--gating WORKSPACE.wsp` on the
 * simulated experiment in samples/: the written workspace holds every analysed sample with
 * the applied pre-gates and quadrants under apoflow's names, and a run gated with it gives
 * byte-identical samples.csv, stats.csv and comparisons.csv; choosing the quadrant of a
 * workspace (--population) and its errors.
 */
#include "support/need.h"
#include "support/slurp.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WSP APOFLOW_CORPUS_DIR "/flowjo/wsp"

static int sh(const char *cmd)
{
    return system(cmd);
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

Test(run_flowjo, written_workspace_reproduces_the_run)
{
    char *dir = test_tmpdir();
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "%s run %s/samples --sheet %s/samples/sheet.csv -o %s/r --no-plots -q "
             "--write-flowjo %s/r.wsp",
             APOFLOW_BINARY, APOFLOW_SOURCE_DIR, APOFLOW_SOURCE_DIR, dir, dir);
    cr_assert_eq(sh(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/r.wsp", dir);
    char *x = test_slurp(cmd, NULL);
    cr_assert_eq(count_of(x, "<Sample>"), 18);
    cr_assert_eq(count_of(x, "<Population name=\"Singlets\""), 18);
    cr_assert_eq(count_of(x, "<Population name=\"early_apoptotic\""), 18);
    cr_assert_not_null(strstr(x, "<transforms:spilloverMatrix"));
    cr_assert_not_null(strstr(x, "<transforms:logicle"));
    cr_assert_not_null(strstr(x, "samples/h2o2_r1.fcs\" sampleID="));
    free(x);
    snprintf(cmd, sizeof cmd,
             "%s run %s/samples --sheet %s/samples/sheet.csv -o %s/g --no-plots -q "
             "--gating %s/r.wsp",
             APOFLOW_BINARY, APOFLOW_SOURCE_DIR, APOFLOW_SOURCE_DIR, dir, dir);
    cr_assert_eq(sh(cmd), 0);
    const char *same[] = {"samples.csv", "stats.csv", "comparisons.csv"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "cmp -s %s/r/%s %s/g/%s", dir, same[i], dir, same[i]);
        cr_assert_eq(sh(cmd), 0, "%s differs with --gating r.wsp", same[i]);
    }
    /* the same workspace on FlowJo's biex scales: the same quadrant percentages (rectangles
     * do not depend on the scale), gating.xml left out with a warning, exit 0 */
    snprintf(cmd, sizeof cmd,
             "sed -E 's#<transforms:logicle [^>]*>#<transforms:biex transforms:length=\"256\" "
             "transforms:maxRange=\"262144\" transforms:neg=\"0\" transforms:width=\"-10\" "
             "transforms:pos=\"4.418539922\">#; s#</transforms:logicle>#</transforms:biex>#' "
             "%s/r.wsp > %s/b.wsp && %s run %s/samples --sheet %s/samples/sheet.csv -o %s/b "
             "--no-plots --gating %s/b.wsp > /dev/null 2> %s/b.err",
             dir, dir, APOFLOW_BINARY, APOFLOW_SOURCE_DIR, APOFLOW_SOURCE_DIR, dir, dir, dir);
    cr_assert_eq(sh(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/b.err", dir);
    char *err = test_slurp(cmd, NULL);
    cr_assert_not_null(strstr(err, "gating.xml not written: the workspace's gating has no "
                                   "Gating-ML form"),
                       "%s", err);
    free(err);
    /* counts and percentages (columns 1-14, 17-22); the thresholds come back through the
     * biex table's inverse (last digits), the density valley is found on the biex scale */
    snprintf(cmd, sizeof cmd,
             "cmp -s <(cut -d, -f1-14,17-22 %s/r/samples.csv) "
             "<(cut -d, -f1-14,17-22 %s/b/samples.csv)",
             dir, dir);
    char bash[2200];
    snprintf(bash, sizeof bash, "bash -c '%s'", cmd);
    cr_assert_eq(sh(bash), 0, "counts or percentages differ on biex scales");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    sh(cmd);
    free(dir);
}

Test(run_flowjo, quadrant_choice_and_its_errors)
{
    test_need_path(WSP "/8_color_data_set/reused_quad_gate_with_child.wsp", "the FlowJo corpus");
    char *dir = test_tmpdir();
    char out[1024];
    snprintf(out, sizeof out, "%s/o", dir);
    run_result r;
    /* two quadrants (under cd4+ and cd8+): named in the error */
    const char *two[] = {APOFLOW_BINARY, "run", APOFLOW_SOURCE_DIR "/samples/h2o2_r1.fcs", "-o",
                         out, "--gating", WSP "/8_color_data_set/reused_quad_gate_with_child.wsp",
                         NULL};
    cr_assert_eq(run_cli(two, &r), 64, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "found 2: under \"good cells/cd4+\", \"good cells/cd8+\"; "
                                     "name one with --population PATH"),
                       "%s", r.err);
    run_result_free(&r);
    /* none in the 8-colour workspace */
    const char *none[] = {APOFLOW_BINARY, "run", APOFLOW_SOURCE_DIR "/samples/h2o2_r1.fcs", "-o",
                          out, "--gating", WSP "/8_color_data_set/8_color_ICS.wsp", NULL};
    cr_assert_eq(run_cli(none, &r), 64, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "found 0"), "%s", r.err);
    run_result_free(&r);
    /* --population picks one (the panel's channels are not in the file: a later error) */
    const char *pick[] = {APOFLOW_BINARY, "run", APOFLOW_SOURCE_DIR "/samples/h2o2_r1.fcs",
                          "-o", out, "--gating",
                          WSP "/8_color_data_set/reused_quad_gate_with_child.wsp",
                          "--population", "good cells/cd8+/Q2: CD107a+, IL2+", NULL};
    run_cli(pick, &r);
    cr_assert_not_null(strstr(r.err, "quadrant under good cells/cd8+"), "%s", r.err);
    run_result_free(&r);
    const char *bad[] = {APOFLOW_BINARY, "run", APOFLOW_SOURCE_DIR "/samples/h2o2_r1.fcs", "-o",
                         out, "--population", "x", NULL};
    cr_assert_eq(run_cli(bad, &r), 64, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "--population: expected --gating WORKSPACE.wsp"), "%s",
                       r.err);
    run_result_free(&r);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    sh(cmd);
    free(dir);
}
