/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_review.c: the gate review of report.html, driven in Debian's headless chromium on the
 * example experiment (samples/): a copy of the report with a small driver script appended
 * drags the Annexin V line on the first plot with pointer events, reads back every sample's
 * previewed percentages through window.apoflowReport and from the samples table (updated
 * live), and the exported Gating-ML; the test re-runs `apoflow run --gating` with that file
 * and checks that every sample's exact percentages equal the preview within the sampling
 * error of the preview subsample (4 standard errors of a proportion of n of N events, see
 * below), that the change record reaches results.json and the methods text, and that
 * a file with a malformed record is rejected. Without /usr/bin/chromium the browser test is
 * skipped (fails under CI=true, where .ci/run installs it).
 */
#include "support/json_mini.h"
#include "support/slurp.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SAMPLES APOFLOW_SOURCE_DIR "/samples"
#define CHROMIUM "/usr/bin/chromium"
#define MAX_SAMPLES 32

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static void run_ok(const char *const *argv)
{
    run_result r;
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0, "%s %s failed (%d): %s", argv[0], argv[1], r.exit_code, r.err);
    run_result_free(&r);
}

static void need_chromium(void)
{
    struct stat st;
    if (stat(CHROMIUM, &st) != 0) {
        const char *ci = getenv("CI");
        if (ci != NULL && strcmp(ci, "true") == 0) {
            cr_assert_fail(CHROMIUM " is missing (required under CI=true: apt-get install -y "
                                    "chromium)");
        }
        cr_skip_test(CHROMIUM " is not installed (apt-get install -y chromium): the gate "
                              "review of report.html is not checked");
    }
}

/*
 * The drivers: move something (drag_annexin: the Annexin V line of the first plot 40 CSS
 * pixels to the right with pointer events; drag_pregates: the upper ray of the singlet
 * polygon on its pre-gate panel 50 pixels down with pointer events), wait 300 ms (the page redraws on the next animation frame or timer), then
 * print, one per line: "THR <annexin threshold in data units>", per sample "PCT <name>
 * <preview singlets> <preview events> <viable> <early> <late> <necrotic> <early % in the
 * table> <its class>", "EXPORT" and the Gating-ML text.
 */
static const char drag_annexin[] =
    "<pre id=\"drive-out\">pending</pre><script>\n"
    "(function(){var A=window.apoflowReport,o=[];\n"
    " var cv=document.querySelector('#review-grid canvas'),r=cv.getBoundingClientRect();\n"
    " var lo=+cv.dataset.scaleMin,hi=+cv.dataset.scaleMax;\n"
    " var x=r.left+(A.scaled('annexin')-lo)/(hi-lo)*r.width,y=r.top+8;\n"
    " function ev(t,dx){cv.dispatchEvent(new PointerEvent(t,{clientX:x+dx,clientY:y,"
    "pointerId:7,bubbles:true,isPrimary:true,button:0,buttons:t==='pointerup'?0:1}));}\n"
    " ev('pointerdown',0);ev('pointermove',15);ev('pointermove',40);ev('pointerup',40);\n";

static const char drag_pregates[] =
    "<pre id=\"drive-out\">pending</pre><script>\n"
    "(function(){var A=window.apoflowReport,o=[];\n"
    " var v=A.pregates()[1].vertices,slope=v[5]/v[4];\n"
    " var cv=document.querySelector('#review-pregates canvas[data-gate=Singlets]');\n"
    " var r=cv.getBoundingClientRect(),d=JSON.parse(document.getElementById("
    "'apoflow-review-data').textContent);\n"
    " var sc=d.samples.filter(function(q){return q.name===document.getElementById("
    "'review-pregate-sample').value;})[0].preview.scatter;\n"
    " function col(n){return sc.filter(function(c){return c.name===n;})[0];}\n"
    " var cx=col('FSC-A'),cy=col('FSC-H'),fx=cx.lo+0.4*(cx.hi-cx.lo),fy=slope*fx;\n"
    " var x=r.left+(fx-cx.lo)/(cx.hi-cx.lo)*r.width,y=r.top+r.height-(fy-cy.lo)/(cy.hi-cy.lo)*r.height;\n"
    " function ev(t,dy){cv.dispatchEvent(new PointerEvent(t,{clientX:x,clientY:y+dy,"
    "pointerId:8,bubbles:true,isPrimary:true,button:0,buttons:t==='pointerup'?0:1}));}\n"
    " ev('pointerdown',0);ev('pointermove',20);ev('pointermove',50);ev('pointerup',50);\n"
    " var w=A.pregates()[1].vertices;\n"
    " if(!(w[5]/w[4]<slope*0.97))throw new Error('the singlet ray did not turn: '+w[5]/w[4]+' '+slope);\n";

static const char driver_report[] =
    " setTimeout(function(){\n"
    "  o.push('THR '+A.threshold('annexin'));\n"
    "  var rows={};Array.prototype.forEach.call(document.getElementById('samples-table')"
    ".tBodies[0].rows,function(tr){rows[tr.cells[0].textContent]=tr;});\n"
    "  A.samples().forEach(function(n){var p=A.percentages(n);if(!p)return;\n"
    "   var d=JSON.parse(document.getElementById('apoflow-review-data').textContent);\n"
    "   var s=d.samples.filter(function(q){return q.name===n;})[0].preview;\n"
    "   o.push(['PCT',n,A.previewEvents(n),s.kept,p.viable,p.early,p.late,p.necrotic,"
    "rows[n].cells[11].textContent,rows[n].cells[11].className.replace(/ /g,'_')].join(' '));});\n"
    "  o.push('TIMING '+JSON.stringify(A.timings()));\n"
    "  o.push('EXPORT');o.push(A.gatingXml());\n"
    "  document.getElementById('drive-out').textContent=o.join('\\n');},300);})();\n"
    "</script>";

/* Undo the three escapes chromium's --dump-dom applies to text. */
static void unescape_html(char *s)
{
    char *w = s;
    for (const char *p = s; *p;) {
        if (strncmp(p, "&lt;", 4) == 0) {
            *w++ = '<';
            p += 4;
        } else if (strncmp(p, "&gt;", 4) == 0) {
            *w++ = '>';
            p += 4;
        } else if (strncmp(p, "&amp;", 5) == 0) {
            *w++ = '&';
            p += 5;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
}

typedef struct preview_row {
    char name[64];
    double kept, of, pct[4], table_early;
    bool marked;
} preview_row;

/* Run the driver in chromium over a copy of OUT/report.html; fills rows, returns the export. */
static char *drive(const char *dir, const char *out, const char *driver, double *thr,
                   preview_row *rows, size_t *n_rows)
{
    char path[4200], url[4300], profile[4200];
    snprintf(path, sizeof path, "%s/report.html", out);
    char *page = test_slurp(path, NULL);
    char *end = strstr(page, "</body>");
    cr_assert_not_null(end);
    *end = '\0';
    snprintf(path, sizeof path, "%s/drive.html", out);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(page, f);
    fputs(driver, f);
    fputs(driver_report, f);
    fputs("</body></html>\n", f);
    cr_assert_eq(fclose(f), 0);
    free(page);
    snprintf(url, sizeof url, "file://%s", path);
    snprintf(profile, sizeof profile, "--user-data-dir=%s/profile-%p", dir, (const void *)driver);
    const char *argv[] = {"/usr/bin/timeout", "180", CHROMIUM, "--headless", "--no-sandbox",
                          "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", "--disable-dev-shm-usage", "--enable-logging=stderr",
                          "--v=0", "--window-size=1400,1000", "--virtual-time-budget=20000",
                          profile, "--dump-dom", url, NULL};
    run_result r;
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0, "chromium --dump-dom failed (%d): %s", r.exit_code, r.err);
    cr_assert_null(strstr(r.err, "Uncaught"), "JavaScript error: %s", r.err);
    cr_assert_null(strstr(r.err, "net::ERR"), "a resource failed to load: %s", r.err);
    char *o = strstr(r.out, "<pre id=\"drive-out\">");
    cr_assert_not_null(o);
    o += strlen("<pre id=\"drive-out\">");
    char *oe = strstr(o, "</pre>");
    cr_assert_not_null(oe);
    *oe = '\0';
    unescape_html(o);
    cr_assert_eq(strncmp(o, "THR ", 4), 0, "the driver did not finish: %.300s", o);
    *thr = strtod(o + 4, NULL);
    *n_rows = 0;
    char *x = strstr(o, "\nEXPORT\n");
    cr_assert_not_null(x);
    *x = '\0';
    char *xml = strdup(x + strlen("\nEXPORT\n"));
    for (char *line = strtok(o, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "TIMING ", 7) == 0) {
            cr_log_info("page timings: %s", line + 7);
        }
        if (strncmp(line, "PCT ", 4) != 0) {
            continue;
        }
        cr_assert_lt(*n_rows, MAX_SAMPLES);
        preview_row *p = &rows[(*n_rows)++];
        char cls[64] = "";
        int k = sscanf(line + 4, "%63s %lf %lf %lf %lf %lf %lf %lf %63s", p->name, &p->kept,
                       &p->of, &p->pct[0], &p->pct[1], &p->pct[2], &p->pct[3], &p->table_early,
                       cls);
        cr_assert_geq(k, 8, "bad driver line: %s", line);
        p->marked = strstr(cls, "preview") != NULL;
    }
    run_result_free(&r);
    return xml;
}

static const json_value *find_sample(const json_value *res, const char *name)
{
    const json_value *ss = json_get(res, "samples");
    for (size_t i = 0; i < json_size(ss); i++) {
        const char *n = json_string(json_get(json_index(ss, i), "sample"));
        if (n != NULL && strcmp(n, name) == 0) {
            return json_index(ss, i);
        }
    }
    return NULL;
}

/* Every previewed percentage equals the re-run's within the preview's sampling error. */
static void check_rerun(const preview_row *rows, size_t n, const json_value *after)
{
    static const char *const keys[4] = {"viable_pct", "early_apoptotic_pct",
                                        "late_apoptotic_pct", "necrotic_pct"};
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        const preview_row *p = &rows[i];
        const json_value *s = find_sample(after, p->name);
        cr_assert_not_null(s, "%s", p->name);
        double big_n = json_number(json_get(s, "singlets"), NAN);
        cr_assert_gt(big_n, p->kept, "%s", p->name);
        for (int q = 0; q < 4; q++) {
            double exact = json_number(json_get(s, keys[q]), NAN);
            /* sampling error of the preview: a systematic 1-in-k sample of n of the N
             * singlets, treated as a simple random sample without replacement:
             * SE = sqrt(p (1 - p) / n * (1 - n / N)); allowed: 4 SE + 0.05 pp */
            double pr = exact / 100.0;
            double se = 100.0 * sqrt(pr * (1 - pr) / p->kept * (1 - p->kept / big_n));
            double tol = 4 * se + 0.05;
            worst = fmax(worst, fabs(p->pct[q] - exact) / tol);
            cr_assert_leq(fabs(p->pct[q] - exact), tol, "%s %s: preview %g, re-run %g (tol %g)",
                          p->name, keys[q], p->pct[q], exact, tol);
        }
    }
    cr_log_info("worst |preview - re-run| / tolerance: %.3f", worst);
}

Test(cli_review, drag_export_rerun_reproduces_the_preview, .timeout = 600)
{
    need_chromium();
    char *dir = test_tmpdir();
    char out[4096], out2[4096], xml_path[4200], path[4200];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(out2, sizeof out2, "%s/adjusted", dir);
    const char *run1[] = {APOFLOW_BINARY, "run", SAMPLES, "--sheet", SAMPLES "/sheet.csv", "-o",
                          out, "--jobs", "2", "-q", NULL};
    run_ok(run1);
    snprintf(path, sizeof path, "%s/results.json", out);
    json_value *before = json_parse_file(path);
    cr_assert_not_null(before);
    double thr0 = json_number(json_get(json_get(json_get(before, "thresholds"), "annexin"),
                                       "value"), NAN);
    cr_assert(isfinite(thr0));

    double thr = NAN;
    preview_row rows[MAX_SAMPLES];
    size_t n = 0;
    char *xml = drive(dir, out, drag_annexin, &thr, rows, &n);
    cr_assert_eq(n, 18, "expected every sample of the example previewed, found %zu", n);
    /* the drag moved the line right (40 px of 220 px over 1.2 scale units: ~0.22 decades) */
    cr_assert_gt(thr, thr0 * 1.3, "threshold %g after the drag, %g before", thr, thr0);
    /* every sample: the table shows the live preview (marked), and the early + late % did not
     * grow; the treated samples' (many Annexin V+ events) fell */
    for (size_t i = 0; i < n; i++) {
        const preview_row *p = &rows[i];
        const json_value *s0 = find_sample(before, p->name);
        cr_assert_not_null(s0, "%s", p->name);
        cr_assert(p->marked, "%s: the table cell is not marked as a preview", p->name);
        cr_assert_float_eq(p->table_early, p->pct[1], 0.006, "%s: table %g, preview %g",
                           p->name, p->table_early, p->pct[1]);
        double ap0 = json_number(json_get(s0, "apoptotic_pct"), NAN);
        cr_assert_leq(p->pct[1] + p->pct[2], ap0 + 3.0, "%s", p->name);
        if (strncmp(p->name, "h2o2", 4) == 0) {
            cr_assert_lt(p->pct[1] + p->pct[2], ap0 - 0.1, "%s: apoptotic %g after the drag, "
                         "%g before", p->name, p->pct[1] + p->pct[2], ap0);
        }
        cr_assert_gt(p->kept, 1000, "%s", p->name);
        cr_assert_leq(p->of, 6000, "%s", p->name);
    }
    cr_assert_not_null(strstr(xml, "apoflow:adjustment"), "no change record in the export");

    /* re-run with the exported gating: exact numbers over every event */
    snprintf(xml_path, sizeof xml_path, "%s/gating_adjusted.xml", dir);
    spit(xml_path, xml);
    const char *run2[] = {APOFLOW_BINARY, "run", SAMPLES, "--sheet", SAMPLES "/sheet.csv",
                          "--gating", xml_path, "-o", out2, "--jobs", "2", "-q", NULL};
    run_ok(run2);
    snprintf(path, sizeof path, "%s/results.json", out2);
    json_value *after = json_parse_file(path);
    cr_assert_not_null(after);
    double thr2 = json_number(json_get(json_get(json_get(after, "thresholds"), "annexin"),
                                       "value"), NAN);
    cr_assert_float_eq(thr2, thr, 1e-4 * thr, "re-run threshold %g, page %g", thr2, thr);
    check_rerun(rows, n, after);
    /* the change record: results.json and the report's methods text */
    const json_value *adj = json_get(after, "gating_adjustments");
    cr_assert_eq(json_size(adj), 1);
    cr_assert_str_eq(json_string(json_get(json_index(adj, 0), "marker")), "annexin");
    cr_assert_float_eq(json_number(json_get(json_index(adj, 0), "from"), NAN), thr0,
                       1e-4 * thr0);
    cr_assert_float_eq(json_number(json_get(json_index(adj, 0), "to"), NAN), thr, 1e-6 * thr);
    cr_assert_eq(json_size(json_get(before, "gating_adjustments")), 0);
    snprintf(path, sizeof path, "%s/report.html", out2);
    char *html = test_slurp(path, NULL);
    cr_assert_not_null(strstr(html, "id=\"gating-adjustments\""));
    cr_assert_not_null(strstr(html, "Annexin V line (divider <code>AnnV_PI_x</code>) moved"));
    free(html);
    json_free(after);
    json_free(before);
    free(xml);
    free(dir);
}

Test(cli_review, pregates_moved_export_rerun_reproduces_the_preview, .timeout = 600)
{
    need_chromium();
    char *dir = test_tmpdir();
    char out[4096], out2[4096], xml_path[4200], path[4200];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(out2, sizeof out2, "%s/adjusted", dir);
    const char *run1[] = {APOFLOW_BINARY, "run", SAMPLES, "--sheet", SAMPLES "/sheet.csv", "-o",
                          out, "--jobs", "2", "-q", NULL};
    run_ok(run1);
    snprintf(path, sizeof path, "%s/results.json", out);
    json_value *before = json_parse_file(path);
    cr_assert_not_null(before);
    double thr = NAN;
    preview_row rows[MAX_SAMPLES];
    size_t n = 0;
    char *xml = drive(dir, out, drag_pregates, &thr, rows, &n);
    cr_assert_eq(n, 18);
    for (size_t i = 0; i < n; i++) {
        cr_assert(rows[i].marked, "%s: the table cell is not marked as a preview", rows[i].name);
    }
    snprintf(xml_path, sizeof xml_path, "%s/gating_adjusted.xml", dir);
    spit(xml_path, xml);
    const char *run2[] = {APOFLOW_BINARY, "run", SAMPLES, "--sheet", SAMPLES "/sheet.csv",
                          "--gating", xml_path, "-o", out2, "--jobs", "2", "-q", NULL};
    run_ok(run2);
    snprintf(path, sizeof path, "%s/results.json", out2);
    json_value *after = json_parse_file(path);
    cr_assert_not_null(after);
    check_rerun(rows, n, after);
    size_t fewer = 0; /* the tighter singlet gate keeps fewer singlets, over every event */
    for (size_t i = 0; i < n; i++) {
        double s0 = json_number(json_get(find_sample(before, rows[i].name), "singlets"), NAN);
        double s1 = json_number(json_get(find_sample(after, rows[i].name), "singlets"), NAN);
        fewer += s1 < s0;
    }
    cr_assert_geq(fewer, 15, "only %zu samples lost singlets to the moved singlet gate", fewer);
    const json_value *adj = json_get(after, "gating_adjustments");
    cr_assert_eq(json_size(adj), 2, "expected both coordinates of one singlet vertex recorded");
    cr_assert_str_eq(json_string(json_get(json_index(adj, 0), "marker")), "pregate");
    cr_assert_str_eq(json_string(json_get(json_index(adj, 0), "gate")), "Singlets");
    cr_assert_str_eq(json_string(json_get(json_index(adj, 0), "what")), "vertex 3 FSC-A");
    cr_assert_str_eq(json_string(json_get(json_index(adj, 1), "what")), "vertex 3 FSC-H");
    snprintf(path, sizeof path, "%s/report.html", out2);
    char *html = test_slurp(path, NULL);
    cr_assert_not_null(strstr(html, "Pre-gate <code>Singlets</code>: vertex 3 FSC-H moved from"));
    free(html);
    json_free(after);
    json_free(before);
    free(xml);
    free(dir);
}

/* A malformed change record is an error that names the element; no record is fine. */
Test(cli_review, malformed_change_record_is_rejected)
{
    char *dir = test_tmpdir();
    char out[4096], bad[4200], path[4200];
    snprintf(out, sizeof out, "%s/out", dir);
    const char *run1[] = {APOFLOW_BINARY, "run", SAMPLES, "--sheet", SAMPLES "/sheet.csv", "-o",
                          out, "--no-plots", "-q", NULL};
    run_ok(run1);
    snprintf(path, sizeof path, "%s/gating.xml", out);
    char *xml = test_slurp(path, NULL);
    char *root_end = strstr(xml, "datatypes\">");
    cr_assert_not_null(root_end);
    root_end += strlen("datatypes\">");
    snprintf(bad, sizeof bad, "%s/bad.xml", dir);
    FILE *f = fopen(bad, "wb");
    cr_assert_not_null(f);
    fwrite(xml, 1, (size_t)(root_end - xml), f);
    fputs("<data-type:custom_info><apoflow:adjustments xmlns:apoflow=\"urn:apoflow:gate-review:1"
          "\"><apoflow:adjustment marker=\"annexin\" divider=\"AnnV_PI_x\" from=\"1\" to=\"nan\""
          " from_scaled=\"0.3\" to_scaled=\"0.4\"/></apoflow:adjustments>"
          "</data-type:custom_info>",
          f);
    fputs(root_end, f);
    cr_assert_eq(fclose(f), 0);
    char out2[4200];
    snprintf(out2, sizeof out2, "%s/out2", dir);
    const char *run2[] = {APOFLOW_BINARY, "run", SAMPLES, "--sheet", SAMPLES "/sheet.csv",
                          "--gating", bad, "-o", out2, "--no-plots", "-q", NULL};
    run_result r;
    run_cli(run2, &r);
    cr_assert_eq(r.exit_code, 65, "exit %d: %s", r.exit_code, r.err);
    cr_assert_not_null(strstr(r.err, "apoflow:adjustment"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "to"), "%s", r.err);
    run_result_free(&r);
    free(xml);
    free(dir);
}
