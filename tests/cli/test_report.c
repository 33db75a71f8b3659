/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_report.c: report.html of `apoflow run` on the generated FACSCalibur-like experiment
 * (samples/calibur): self-contained (every image a base64 data URI, no external resource),
 * the samples table holds every sample, the input checksums equal sha256sum's, and Debian's
 * chromium renders it headless without console errors, showing the table (--dump-dom) and a
 * non-blank screenshot. Without /usr/bin/chromium the browser test is skipped (fails under
 * CI=true, where .ci/run installs it).
 */
#include "fcs/fcs.h"
#include "support/need.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CALIBUR APOFLOW_SOURCE_DIR "/samples/calibur"
#define CHROMIUM "/usr/bin/chromium"

static size_t count(const char *hay, const char *needle)
{
    size_t k = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
        k++;
    }
    return k;
}

/* Run the calibur experiment into a fresh folder; returns the folder. */
static char *run_calibur(void)
{
    char *dir = test_tmpdir();
    char out[4096];
    snprintf(out, sizeof out, "%s/out", dir);
    const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", CALIBUR "/sheet.csv", "-o", out,
                          "--jobs", "2", "-q", NULL};
    run_result r;
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0, "apoflow run failed: %s", r.err);
    run_result_free(&r);
    return dir;
}

static const char *const samples[] = {
    "ctrl_unstained", "ctrl_annexin_only", "ctrl_pi_only", "untreated_r1", "h2o2_r1",
    "h2o2_asiv12.5_r1", "h2o2_asiv25_r1", "h2o2_asiv50_r1", "h2o2_asiv100_r1",
    "h2o2_asiv200_r1"};

Test(cli_report, self_contained_with_every_section)
{
    char *dir = run_calibur();
    char path[4096];
    snprintf(path, sizeof path, "%s/out/report.html", dir);
    char *html = test_slurp(path, NULL);
    cr_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    /* nothing loaded from elsewhere */
    cr_assert_null(strstr(html, "src=\"http"));
    cr_assert_null(strstr(html, "href=\"http"));
    cr_assert_null(strstr(html, "<link"));
    cr_assert_null(strstr(html, "@import"));
    cr_assert_eq(count(html, "<img "), count(html, "src=\"data:image/png;base64,"));
    /* 10 gating paths + overview + overlay + one dose-response curve + 10 Time plots */
    cr_assert_eq(count(html, "src=\"data:image/png;base64,"), 23);
    const char *must[] = {"id=\"summary\"",   "id=\"samples-table\"", "id=\"comparisons-table\"",
                          "id=\"plate\"",     "id=\"gating\"",        "id=\"thresholds\"",
                          "id=\"spillover\"", "id=\"warnings\"",      "id=\"checksums\"",
                          "EC50 = <b>",       "<dd id=\"n-samples\">10</dd>"};
    for (size_t i = 0; i < sizeof must / sizeof *must; i++) {
        cr_assert_not_null(strstr(html, must[i]), "report.html lacks %s", must[i]);
    }
    /* one table row per sample, 5 comparisons */
    const char *tb = strstr(html, "id=\"samples-table\"");
    const char *te = strstr(tb, "</table>");
    size_t rows = 0;
    for (const char *p = strstr(tb, "<tr><td>"); p != NULL && p < te;
         p = strstr(p + 1, "<tr><td>")) {
        rows++;
    }
    cr_assert_eq(rows, 10);
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        char cell[128];
        snprintf(cell, sizeof cell, "<tr><td><a href=\"#sample-%s\">%s</a></td>", samples[i],
                 samples[i]);
        cr_assert_not_null(strstr(tb, cell), "no row for %s", samples[i]);
    }
    /* the reproduce command leaves --jobs out */
    const char *pre = strstr(html, "<pre>apoflow run --sheet ");
    cr_assert_not_null(pre);
    const char *pre_end = strstr(pre, "</pre>");
    cr_assert_not_null(pre_end);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%.*s", (int)(pre_end - pre), pre);
    cr_assert_null(strstr(cmd, "--jobs"), "%s", cmd);
    cr_assert_null(strstr(cmd, " -q"), "%s", cmd);
    cr_assert_not_null(strstr(cmd, "/samples/calibur/sheet.csv -o "), "%s", cmd);
    /* one replicate per group: the methods say no test was made, and name no test */
    snprintf(path, sizeof path, "%s/out/methods.txt", dir);
    char *methods = test_slurp(path, NULL);
    cr_assert_not_null(strstr(methods, "10 samples were acquired on a FACSCalibur (simulated)"),
                       "%s", methods);
    cr_assert_not_null(strstr(methods, "Annexin V-FITC was read on FL1-H and the dead-cell dye "
                                       "PI on FL3-H."),
                       "%s", methods);
    cr_assert_not_null(strstr(methods, "Groups without replicate samples were not tested"), "%s",
                       methods);
    cr_assert_not_null(strstr(methods, "Doublets were not excluded (no FSC-A/FSC-H pair"), "%s",
                       methods);
    cr_assert_null(strstr(methods, "Dunnett"), "%s", methods);
    cr_assert_null(strstr(methods, "Welch"), "%s", methods);
    free(methods);
    free(html);
    free(dir);
}

Test(cli_report, checksums_match_sha256sum)
{
    char *dir = run_calibur();
    char path[4096];
    snprintf(path, sizeof path, "%s/out/report.html", dir);
    char *html = test_slurp(path, NULL);
    const char *argv[] = {"/usr/bin/sha256sum", CALIBUR "/h2o2_r1.fcs", NULL};
    run_result r;
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0);
    cr_assert_geq(r.out_len, 64);
    char want[160];
    snprintf(want, sizeof want, "h2o2_r1.fcs</td><td class=\"hash\"><code>%.64s</code>", r.out);
    cr_assert_not_null(strstr(html, want), "report lacks %s", want);
    run_result_free(&r);
    free(html);
    free(dir);
}

/* Every sample's checksum, whether the run's own thread hashed it while the analysis ran
 * (--jobs 2: some or all of them) or the report did (--jobs 1: all of them). */
Test(cli_report, every_checksum_matches_sha256sum_whatever_the_jobs)
{
    const char *jobs[] = {"1", "2"};
    for (size_t j = 0; j < 2; j++) {
        char *dir = test_tmpdir();
        char out[4096], path[4200];
        snprintf(out, sizeof out, "%s/out", dir);
        const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", CALIBUR "/sheet.csv", "-o",
                              out, "--jobs", jobs[j], "-q", NULL};
        run_result r;
        run_cli(argv, &r);
        cr_assert_eq(r.exit_code, 0, "apoflow run failed: %s", r.err);
        run_result_free(&r);
        snprintf(path, sizeof path, "%s/report.html", out);
        char *html = test_slurp(path, NULL);
        for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
            char file[4096];
            snprintf(file, sizeof file, "%s/%s.fcs", CALIBUR, samples[i]);
            const char *sum[] = {"/usr/bin/sha256sum", file, NULL};
            run_cli(sum, &r);
            cr_assert_eq(r.exit_code, 0);
            cr_assert_geq(r.out_len, 64);
            char want[256];
            snprintf(want, sizeof want, "%s.fcs</td><td class=\"hash\"><code>%.64s</code>",
                     samples[i], r.out);
            cr_assert_not_null(strstr(html, want), "--jobs %s: report lacks %s", jobs[j], want);
            run_result_free(&r);
        }
        free(html);
        free(dir);
    }
}

static void need_chromium(void)
{
    test_need_path(CHROMIUM, "chromium (apt-get install -y chromium), which checks how "
                             "report.html renders,");
}

Test(cli_report, chromium_renders_the_table)
{
    need_chromium();
    char *dir = run_calibur();
    char url[4200], shot[4200], profile[4200], profile2[4200], win[] = "--window-size=1400,2000";
    snprintf(url, sizeof url, "file://%s/out/report.html", dir);
    snprintf(shot, sizeof shot, "--screenshot=%s/out.png", dir);
    snprintf(profile, sizeof profile, "--user-data-dir=%s/profile1", dir);
    snprintf(profile2, sizeof profile2, "--user-data-dir=%s/profile2", dir);
    const char *dom_argv[] = {"/usr/bin/timeout", "180", CHROMIUM, "--headless", "--no-sandbox",
                              "--disable-gpu", "--disable-quic", "--no-first-run",
                              "--disable-background-networking", "--disable-component-update",
                              "--disable-sync", "--disable-dev-shm-usage",
                              "--enable-logging=stderr", "--v=0", profile, "--dump-dom", url,
                              NULL};
    run_result r;
    run_cli(dom_argv, &r);
    cr_assert_eq(r.exit_code, 0, "chromium --dump-dom failed (%d): %s", r.exit_code, r.err);
    /* the DOM as loaded: the samples table with every sample, the script ran clean */
    cr_assert_not_null(strstr(r.out, "id=\"samples-table\""));
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        char cell[128];
        snprintf(cell, sizeof cell, "\">%s</a></td>", samples[i]);
        cr_assert_not_null(strstr(r.out, cell), "rendered DOM lacks %s", samples[i]);
    }
    cr_assert_null(strstr(r.err, "Uncaught"), "JavaScript error: %s", r.err);
    cr_assert_null(strstr(r.err, "net::ERR"), "a resource failed to load: %s", r.err);
    run_result_free(&r);
    /* the sortable table: a copy that clicks "apoptotic %" twice (descending) on load */
    char html_path[4200], sorted_path[4200], sorted_url[4300], profile3[4200];
    snprintf(html_path, sizeof html_path, "%s/out/report.html", dir);
    snprintf(sorted_path, sizeof sorted_path, "%s/sorted.html", dir);
    snprintf(sorted_url, sizeof sorted_url, "file://%s", sorted_path);
    snprintf(profile3, sizeof profile3, "--user-data-dir=%s/profile3", dir);
    {
        size_t len;
        char *page = test_slurp(html_path, &len);
        char *end = strstr(page, "</body>");
        cr_assert_not_null(end);
        FILE *f = fopen(sorted_path, "wb");
        cr_assert_not_null(f);
        fwrite(page, 1, (size_t)(end - page), f);
        fputs("<script>var th = document.querySelectorAll('#samples-table th');"
              "var a = Array.prototype.filter.call(th, function (h) {"
              " return h.textContent.indexOf('apoptotic') === 0; })[0];"
              "a.click(); a.click();</script></body></html>\n",
              f);
        cr_assert_eq(fclose(f), 0);
        free(page);
    }
    const char *sort_argv[] = {"/usr/bin/timeout", "180", CHROMIUM, "--headless", "--no-sandbox",
                               "--disable-gpu", "--disable-quic", "--no-first-run",
                               "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", "--disable-dev-shm-usage", profile3,
                               "--dump-dom", sorted_url, NULL};
    run_cli(sort_argv, &r);
    cr_assert_eq(r.exit_code, 0, "chromium --dump-dom failed (%d): %s", r.exit_code, r.err);
    const char *tb = strstr(r.out, "id=\"samples-table\"");
    cr_assert_not_null(tb);
    /* every row's apoptotic % (15th cell) is at most the previous row's */
    const char *tend = strstr(tb, "</table>");
    cr_assert_not_null(tend);
    double prev = 1e9;
    size_t rows = 0;
    for (const char *p = strstr(tb, "<tr><td>"); p != NULL && p < tend;
         p = strstr(p + 1, "<tr><td>")) {
        const char *c = p;
        for (int k = 0; k < 15; k++) {
            c = strstr(c + 1, "<td");
            cr_assert(c != NULL && c < tend);
        }
        c = strchr(c, '>') + 1;
        if (strncmp(c, "<b>", 3) == 0) {
            c += 3;
        }
        double v;
        const char *e = strchr(c, '<');
        cr_assert(e != NULL && apo_parse_double(c, (size_t)(e - c), false, &v), "%.40s", c);
        cr_assert_leq(v, prev, "row %zu: %g after %g (not sorted descending)", rows, v, prev);
        prev = v;
        rows++;
    }
    cr_assert_eq(rows, 10);
    run_result_free(&r);
    const char *shot_argv[] = {"/usr/bin/timeout", "180", CHROMIUM, "--headless", "--no-sandbox",
                               "--disable-gpu", "--disable-quic", "--no-first-run",
                               "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", "--disable-dev-shm-usage", profile2, shot, win,
                               url, NULL};
    run_cli(shot_argv, &r);
    cr_assert_eq(r.exit_code, 0, "chromium --screenshot failed (%d): %s", r.exit_code, r.err);
    run_result_free(&r);
    char png[4200];
    snprintf(png, sizeof png, "%s/out.png", dir);
    size_t len;
    char *img = test_slurp(png, &len);
    cr_assert(len > 24 && memcmp(img, "\x89PNG\r\n\x1a\n", 8) == 0, "not a PNG");
    /* IHDR: 1400 x 2000 */
    const unsigned char *u = (const unsigned char *)img;
    unsigned w = (unsigned)u[16] << 24 | (unsigned)u[17] << 16 | (unsigned)u[18] << 8 | u[19];
    unsigned h = (unsigned)u[20] << 24 | (unsigned)u[21] << 16 | (unsigned)u[22] << 8 | u[23];
    cr_assert_eq(w, 1400);
    cr_assert_eq(h, 2000);
    /* a blank page compresses to a few kB; text, tables and plots do not */
    cr_assert_gt(len, 60000, "the screenshot looks blank (%zu bytes)", len);
    free(img);
    free(dir);
}
