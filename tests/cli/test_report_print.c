/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_report_print.c: report.html of the README's main job (`apoflow run samples/ --sheet
 * samples/sheet.csv`) as a lab head reads it: samples in the sheet's order (controls,
 * untreated, stimulus, AS-IV 50, 100, 200 mg/L) in the table, the sections and the checksums;
 * one section per sample with its quadrant counts (equal to results.json), its Time plot when
 * plots/<stem>.time.png exists, and its flags explained and linked; the methods paragraph
 * with this run's values, also in methods.txt (listed in manifest.json); the summary's counts
 * equal to what their sections list; links to the tables. In Debian's headless chromium:
 * printed to PDF on A4 and Letter landscape, the text (poppler's pdftotext) holds every
 * column header of every table and the samples table's last columns on each sample's line;
 * at 1024 px wide nothing overflows the page and no table its box. Without chromium or
 * pdftotext those tests are skipped (they fail under CI=true, where .ci/run installs both).
 */
#include "support/json_mini.h"
#include "support/need.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES APOFLOW_SOURCE_DIR "/samples"
#define CHROMIUM "/usr/bin/chromium"
#define PDFTOTEXT "/usr/bin/pdftotext"

/* samples/sheet.csv in the order the report must show (the files sort asiv100 < asiv200 <
 * asiv50). */
static const char *const sheet_order[] = {
    "ctrl_unstained",  "ctrl_annexin_only", "ctrl_pi_only",    "untreated_r1",
    "untreated_r2",    "untreated_r3",      "h2o2_r1",         "h2o2_r2",
    "h2o2_r3",         "h2o2_asiv50_r1",    "h2o2_asiv50_r2",  "h2o2_asiv50_r3",
    "h2o2_asiv100_r1", "h2o2_asiv100_r2",   "h2o2_asiv100_r3", "h2o2_asiv200_r1",
    "h2o2_asiv200_r2", "h2o2_asiv200_r3"};
#define N_SAMPLES (sizeof sheet_order / sizeof *sheet_order)

/* The README's main job into DIR/out (run again into the same folder when called again). */
static void run_example(const char *dir)
{
    char out[4096];
    snprintf(out, sizeof out, "%s/out", dir);
    const char *argv[] = {APOFLOW_BINARY, "run", SAMPLES, "--sheet", SAMPLES "/sheet.csv", "-o",
                          out, "-q", NULL};
    run_result r;
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0, "apoflow run failed (%d): %s", r.exit_code, r.err);
    run_result_free(&r);
}

static char *read_out(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/out/%s", dir, name);
    return test_slurp(path, NULL);
}

static size_t count(const char *from, const char *to, const char *needle)
{
    size_t k = 0;
    for (const char *p = strstr(from, needle); p != NULL && (to == NULL || p < to);
         p = strstr(p + 1, needle)) {
        k++;
    }
    return k;
}

/* The first @p start in @p html; *stop = the first @p end after it. */
static const char *part(const char *html, const char *start, const char *end, const char **stop)
{
    const char *a = strstr(html, start);
    cr_assert_not_null(a, "report.html lacks %s", start);
    *stop = strstr(a, end);
    cr_assert_not_null(*stop, "%s is not closed by %s", start, end);
    return a;
}

/* The positions of each sample's @p fmt (one %s: the name) in [from, to) are increasing. */
static void in_sheet_order(const char *from, const char *to, const char *fmt, const char *what)
{
    const char *prev = from;
    for (size_t i = 0; i < N_SAMPLES; i++) {
        char needle[256];
        snprintf(needle, sizeof needle, fmt, sheet_order[i], sheet_order[i]);
        const char *p = strstr(from, needle);
        cr_assert(p != NULL && p < to, "%s: no %s", what, needle);
        cr_assert_gt(p, prev, "%s: %s is not after %s", what, sheet_order[i],
                     i ? sheet_order[i - 1] : "the start");
        prev = p;
    }
}

Test(cli_report_pages, samples_in_the_sheets_order_everywhere, .timeout = 300)
{
    char *dir = test_tmpdir();
    run_example(dir);
    char *html = read_out(dir, "report.html");
    const char *end;
    const char *t = part(html, "id=\"samples-table\"", "</table>", &end);
    in_sheet_order(t, end, "<tr><td><a href=\"#sample-%s\">%s</a></td>", "samples table");
    t = part(html, "<section id=\"gating\">", "<section id=\"method\">", &end);
    in_sheet_order(t, end, "<section class=\"sample\" id=\"sample-%s\"><h3>%s</h3>",
                   "per-sample sections");
    t = part(html, "id=\"checksums\"", "</table>", &end);
    in_sheet_order(t, end, "/samples/%s.fcs</td>", "checksums");
    t = part(html, "id=\"apoflow-review-data\"", "</script>", &end);
    in_sheet_order(t, end, "{\"name\":\"%s\"", "review data");
    free(html);
    free(dir);
}

/* The sample object of @p name in results.json. */
static const json_value *result_sample(const json_value *res, const char *name)
{
    const json_value *ss = json_get(res, "samples");
    for (size_t i = 0; i < json_size(ss); i++) {
        const char *n = json_string(json_get(json_index(ss, i), "sample"));
        if (n != NULL && strcmp(n, name) == 0) {
            return json_index(ss, i);
        }
    }
    cr_assert_fail("results.json has no sample %s", name);
    return NULL;
}

/* Every sample's section: its gating path, its quadrant counts and percentages as in
 * results.json, a Time plot (every sample's when @p with_time is NULL, else only that one's)
 * or the sentence saying there is none. */
static void check_sections(const char *html, const json_value *res, const char *with_time)
{
    static const char *const q[4] = {"viable", "early_apoptotic", "late_apoptotic",
                                     "necrotic"};
    for (size_t i = 0; i < N_SAMPLES; i++) {
        const char *name = sheet_order[i];
        char id[160], needle[400];
        snprintf(id, sizeof id, "<section class=\"sample\" id=\"sample-%s\">", name);
        const char *end;
        const char *s = part(html, id, "</section>", &end);
        snprintf(needle, sizeof needle, "<img class=\"thumb\" alt=\"%s\" src=\"data:image/png",
                 name);
        const char *gp = strstr(s, needle);
        cr_assert(gp != NULL && gp < end, "%s: no gating path", name);
        const json_value *js = result_sample(res, name);
        for (int k = 0; k < 4; k++) {
            char ck[48], pk[48];
            snprintf(ck, sizeof ck, "%s_count", q[k]);
            snprintf(pk, sizeof pk, "%s_pct", q[k]);
            snprintf(needle, sizeof needle, "</td><td class=\"n\">%.0f</td><td class=\"n\">%.2f"
                     "</td>",
                     json_number(json_get(js, ck), NAN), json_number(json_get(js, pk), NAN));
            const char *hit = strstr(s, needle);
            cr_assert(hit != NULL && hit < end, "%s: the %s row lacks %s", name, q[k], needle);
        }
        bool time = with_time == NULL || strcmp(name, with_time) == 0;
        snprintf(needle, sizeof needle, "alt=\"event rate over Time of %s\" src=\"data:image/png",
                 name);
        const char *img = strstr(s, needle), *none = strstr(s, "No Time plot was drawn");
        cr_assert_eq(img != NULL && img < end, time, "%s: Time plot shown: %d", name, !time);
        cr_assert_eq(none != NULL && none < end, !time, "%s", name);
    }
}

Test(cli_report_pages, a_section_per_sample_with_counts_time_plot_and_flags, .timeout = 300)
{
    char *dir = test_tmpdir();
    run_example(dir);
    char *html = read_out(dir, "report.html");
    char path[4200];
    snprintf(path, sizeof path, "%s/out/results.json", dir);
    json_value *res = json_parse_file(path);
    cr_assert_not_null(res);
    check_sections(html, res, NULL);
    /* the one flagged sample: the table and the Warnings section link to its flags, which
     * are explained with what to check */
    const char *flags = json_string(json_get(result_sample(res, "h2o2_asiv100_r2"), "qc_flags"));
    cr_assert_str_eq(flags, "flow_instability");
    cr_assert_not_null(strstr(html, "<td class=\"qc\" title=\"event rate over Time deviates"));
    cr_assert_not_null(strstr(html, "\"><a href=\"#sample-h2o2_asiv100_r2-qc\">flow_instability"
                                    "</a></td></tr>"));
    const char *end;
    const char *w = part(html, "<section id=\"warnings\">", "</section>", &end);
    const char *l = strstr(w, "<li><a href=\"#sample-h2o2_asiv100_r2-qc\">h2o2_asiv100_r2</a>: "
                              "flow_instability");
    cr_assert(l != NULL && l < end, "the warning does not link to the flag");
    const char *s = part(html, "<h4 id=\"sample-h2o2_asiv100_r2-qc\">QC flags</h4>",
                         "</section>", &end);
    const char *x = strstr(s, "<li><b>flow_instability</b>: the event rate over Time changes "
                              "abruptly (a clog, a bubble or a pressure change). <i>Check:</i> "
                              "the Time plot below");
    cr_assert(x != NULL && x < end, "flow_instability is not explained");
    json_free(res);
    free(html);
    free(dir);
}

/* Undo html_esc and the entities of the methods paragraph. */
static void unescape(char *s)
{
    static const char *const from[] = {"&lt;", "&gt;", "&amp;", "&quot;"};
    static const char to[] = {'<', '>', '&', '"'};
    char *w = s;
    for (const char *p = s; *p;) {
        size_t k = 0;
        while (k < 4 && strncmp(p, from[k], strlen(from[k])) != 0) {
            k++;
        }
        if (k < 4) {
            *w++ = to[k];
            p += strlen(from[k]);
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
}

static void has(const char *text, const char *what)
{
    cr_assert_not_null(strstr(text, what), "the methods lack \"%s\": %s", what, text);
}

Test(cli_report_pages, methods_paragraph_from_the_run, .timeout = 300)
{
    char *dir = test_tmpdir();
    run_example(dir);
    char *html = read_out(dir, "report.html");
    char *txt = read_out(dir, "methods.txt");
    const char *end;
    const char *p = part(html, "<p class=\"methods\" id=\"methods-text\">", "</p>", &end);
    p += strlen("<p class=\"methods\" id=\"methods-text\">");
    char *para = strndup(p, (size_t)(end - p));
    unescape(para);
    size_t n = strlen(txt);
    cr_assert(n > 0 && txt[n - 1] == '\n');
    txt[n - 1] = '\0';
    cr_assert_str_eq(para, txt, "methods.txt differs from the report's paragraph");
    char path[4200], v[400];
    snprintf(path, sizeof path, "%s/out/results.json", dir);
    json_value *res = json_parse_file(path);
    cr_assert_not_null(res);
    /* the instrument ($CYT of samples/), channels and dyes, compensation and its matrix */
    has(txt, "18 samples were acquired on a FACSCanto II (simulated) and analysed with apoflow ");
    has(txt, "Annexin V-FITC was read on FITC-A and the dead-cell dye PI on PE-A.");
    const json_value *comp = json_get(res, "compensation");
    snprintf(v, sizeof v, "(source: controls; %s)", json_string(json_get(comp, "detail")));
    has(txt, v);
    const json_value *sp = json_get(comp, "spillover");
    snprintf(v, sizeof v, "FITC-A into PE-A %.4g, PE-A into FITC-A %.4g",
             json_number(json_index(json_index(sp, 0), 1), NAN),
             json_number(json_index(json_index(sp, 1), 0), NAN));
    has(txt, v);
    /* pre-gates, thresholds with their method and units, statistics, versions */
    has(txt, "Debris was excluded on forward and side scatter (automatic: ");
    has(txt, "Doublets were excluded on forward scatter area against height or width "
             "(automatic: ");
    const char *pg = json_string(json_get(res, "pregates"));
    const char *sg = strstr(pg, "; Singlets: ");
    cr_assert_not_null(sg);
    snprintf(v, sizeof v, "(automatic: %s).", sg + strlen("; Singlets: "));
    has(txt, v);
    const json_value *th = json_get(res, "thresholds");
    /* both control lines sit on the slope of the necrotic (Annexin V) and late apoptotic
     * (PI) cells within the other marker's halves and were moved (algorithms.md 6, step 5) */
    cr_assert_str_eq(json_string(json_get(json_get(th, "annexin"), "method")), "density_valley");
    snprintf(v, sizeof v, "Annexin V at %.4g (the density valley between negative and positive "
                          "cells of all stained samples, where the negative control's line lay "
                          "on a population (see the thresholds table); density_valley)",
             json_number(json_get(json_get(th, "annexin"), "value"), NAN));
    has(txt, v);
    snprintf(v, sizeof v, "PI at %.4g (the density valley between negative and positive cells "
                          "of all stained samples, where the negative control's line lay on a "
                          "population (see the thresholds table); density_valley) in compensated "
                          "data units",
             json_number(json_get(json_get(th, "pi"), "value"), NAN));
    has(txt, v);
    has(txt, "one-way ANOVA with Dunnett's many-to-one comparisons");
    has(txt, "Welch's t-test");
    has(txt, "the stimulus-only group was compared with the untreated group");
    cr_assert_null(strstr(txt, "not tested"), "replicates: every group is tested");
    snprintf(v, sizeof v, "Software: apoflow %s (GNU Scientific Library ",
             json_string(json_get(json_get(res, "versions"), "apoflow")));
    has(txt, v);
    /* methods.txt belongs to the run */
    char *manifest = read_out(dir, "manifest.json");
    cr_assert_not_null(strstr(manifest, "\"methods.txt\""), "%s", manifest);
    free(manifest);
    json_free(res);
    free(para);
    free(txt);
    free(html);
    free(dir);
}

/* The number in <dd id="ID">N or <dd id="ID"><a ...>N. */
static size_t dd_number(const char *html, const char *id)
{
    char needle[64];
    snprintf(needle, sizeof needle, "<dd id=\"%s\">", id);
    const char *p = strstr(html, needle);
    cr_assert_not_null(p, "no %s", needle);
    p += strlen(needle);
    if (strncmp(p, "<a ", 3) == 0) {
        p = strchr(p, '>') + 1;
    }
    return (size_t)strtoul(p, NULL, 10);
}

Test(cli_report_pages, counts_and_file_links_match_what_is_listed, .timeout = 300)
{
    char *dir = test_tmpdir();
    run_example(dir);
    char *html = read_out(dir, "report.html");
    const char *end;
    const char *w = part(html, "<section id=\"warnings\">", "</section>", &end);
    size_t items = count(w, end, "<li>");
    char path[4200];
    snprintf(path, sizeof path, "%s/out/results.json", dir);
    json_value *res = json_parse_file(path);
    cr_assert_not_null(res);
    size_t flagged = 0;
    for (size_t i = 0; i < json_size(json_get(res, "samples")); i++) {
        const char *fl = json_string(json_get(json_index(json_get(res, "samples"), i), "qc_flags"));
        flagged += fl != NULL && fl[0] != '\0';
    }
    cr_assert_eq(flagged, 1, "the example has one flagged sample");
    cr_assert_eq(items, json_size(json_get(res, "warnings")) + flagged);
    json_free(res);
    cr_assert_eq(dd_number(html, "n-warnings"), items);
    const char *t = part(html, "id=\"samples-table\"", "</table>", &end);
    cr_assert_eq(dd_number(html, "n-samples"), count(t, end, "<tr><td>"));
    cr_assert_eq(dd_number(html, "n-samples"), N_SAMPLES);
    cr_assert_eq(dd_number(html, "n-failed"), 0);
    cr_assert_not_null(strstr(html, "<dt>Samples with QC flags</dt><dd>1</dd>"));
    const char *c = part(html, "id=\"comparisons-table\"", "</table>", &end);
    cr_assert_eq(count(c, end, "<tr"), 1 + 4, "header + stimulus vs untreated + 3 doses");
    cr_assert_not_null(strstr(html, "<dd id=\"n-comparisons\">3 treated groups vs stimulus only; "
                                    "stimulus vs untreated; 0 dose-response fits</dd>"));
    cr_assert_eq(count(html, NULL, "<section class=\"sample\""), N_SAMPLES);
    /* the folder's tables, linked relatively (results.xlsx is written before the report) */
    const char *fl = part(html, "<section id=\"files\">", "</section>", &end);
    const char *names[] = {"samples.csv", "comparisons.csv", "stats.csv", "results.json",
                           "gating.xml", "methods.txt", "results.xlsx"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char a[96];
        snprintf(a, sizeof a, "<li><a href=\"%s\">%s</a>", names[i], names[i]);
        const char *hit = strstr(fl, a);
        cr_assert(hit != NULL && hit < end, "no link %s", a);
    }
    free(html);
    free(dir);
}

/* ---- in chromium ------------------------------------------------------------------------ */

/* Headless chromium with a fresh profile under @p dir, then @p mode and @p url. */
static void chromium(const char *dir, const char *tag, const char *mode, const char *window,
                     const char *url, run_result *r)
{
    char profile[4200];
    snprintf(profile, sizeof profile, "--user-data-dir=%s/profile-%s", dir, tag);
    const char *argv[] = {"/usr/bin/timeout", "180", CHROMIUM, "--headless", "--no-sandbox",
                          "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", "--disable-dev-shm-usage", "--no-pdf-header-footer",
                          "--virtual-time-budget=10000", window, profile, mode, url, NULL};
    run_cli(argv, r);
    cr_assert_eq(r->exit_code, 0, "chromium %s failed (%d): %s", mode, r->exit_code, r->err);
}

/* A copy of OUT/report.html as DIR/NAME with @p css added to its style sheet and @p body
 * before </body>; returns its file:// URL (malloc'd). */
static char *page_copy(const char *dir, const char *name, const char *css, const char *body)
{
    char *page = read_out(dir, "report.html");
    char *st = strstr(page, "</style>"), *be = strstr(page, "</body>");
    cr_assert(st != NULL && be != NULL && st < be);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(page, 1, (size_t)(st - page), f);
    fputs(css, f);
    fwrite(st, 1, (size_t)(be - st), f);
    fputs(body, f);
    fputs(be, f);
    cr_assert_eq(fclose(f), 0);
    free(page);
    char *url = malloc(strlen(path) + 8);
    sprintf(url, "file://%s", path);
    return url;
}

/* Decode the entities report.html uses in headers; collapse blanks. */
static void header_text(const char *from, const char *to, char *out, size_t cap)
{
    static const char *const ent[][2] = {{"&plusmn;", "\xc2\xb1"}, {"&minus;", "\xe2\x88\x92"},
                                         {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"},
                                         {"&nbsp;", " "}};
    size_t w = 0;
    bool tag = false;
    for (const char *p = from; p < to && w + 4 < cap;) {
        size_t k = 0;
        while (!tag && k < sizeof ent / sizeof *ent && strncmp(p, ent[k][0], strlen(ent[k][0])))
            k++;
        if (*p == '<' || *p == '>') {
            tag = *p == '<';
            p++;
        } else if (tag) {
            p++;
        } else if (k < sizeof ent / sizeof *ent) {
            w += (size_t)snprintf(out + w, cap - w, "%s", ent[k][1]);
            p += strlen(ent[k][0]);
        } else {
            out[w++] = *p++;
        }
    }
    out[w] = '\0';
}

/* Every word of every <th> of the report outside the (interactive, not printed) review is in
 * @p text. */
static void every_header(const char *html, const char *text, const char *paper)
{
    const char *rv = strstr(html, "<section id=\"review\">");
    const char *rv_end = rv ? strstr(rv, "</section>") : NULL;
    size_t n = 0;
    for (const char *p = strstr(html, "<th"); p != NULL; p = strstr(p + 1, "<th")) {
        if ((p[3] != '>' && p[3] != ' ') || (rv != NULL && p > rv && p < rv_end)) {
            continue;
        }
        const char *a = strchr(p, '>') + 1, *b = strstr(a, "</th>");
        char h[512];
        header_text(a, b, h, sizeof h);
        for (char *word = strtok(h, " "); word != NULL; word = strtok(NULL, " ")) {
            cr_assert_not_null(strstr(text, word), "%s: the PDF lacks \"%s\"", paper, word);
        }
        n++;
    }
    cr_assert_gt(n, 100, "only %zu headers", n);
}

/* The samples table's header line holds its last columns, and each sample's line its
 * apoptotic % (samples.csv's, 2 decimals) and flags. */
static void samples_lines(const char *text, const json_value *res, const char *paper)
{
    const char *hl = strstr(text, "sample ");
    while (hl != NULL && !(strstr(hl, " role ") && strstr(hl, " role ") < strchr(hl, '\n'))) {
        hl = strstr(hl + 1, "sample ");
    }
    cr_assert_not_null(hl, "%s: no header line of the samples table", paper);
    const char *eol = strchr(hl, '\n');
    const char *last[] = {"apoptotic %", "QC flags", "necrotic %"};
    for (size_t k = 0; k < 3; k++) {
        const char *x = strstr(hl, last[k]);
        cr_assert(x != NULL && x < eol, "%s: the header line lacks %s: %.*s", paper, last[k],
                  (int)(eol - hl), hl);
    }
    for (size_t i = 0; i < N_SAMPLES; i++) {
        const json_value *s = result_sample(res, sheet_order[i]);
        char line_start[96], pct[32];
        snprintf(line_start, sizeof line_start, "\n%s ", sheet_order[i]);
        const char *l = strstr(text, line_start);
        cr_assert_not_null(l, "%s: no line for %s", paper, sheet_order[i]);
        const char *le = strchr(l + 1, '\n');
        snprintf(pct, sizeof pct, " %.2f", json_number(json_get(s, "apoptotic_pct"), NAN));
        const char *x = strstr(l, pct);
        cr_assert(x != NULL && x < le, "%s: %s's line lacks%s: %.*s", paper, sheet_order[i], pct,
                  (int)(le - l), l);
        const char *fl = json_string(json_get(s, "qc_flags"));
        x = fl[0] ? strstr(l, fl) : NULL;
        cr_assert(!fl[0] || (x != NULL && x < le), "%s: %s's line lacks %s", paper,
                  sheet_order[i], fl);
    }
}

static void print_and_check(const char *dir, const char *paper, const char *tag,
                            const char *html, const json_value *res)
{
    char css[96], name[64], pdf[4200], mode[4300];
    snprintf(css, sizeof css, "@page{size:%s}\n", paper);
    snprintf(name, sizeof name, "print-%s.html", tag);
    char *url = page_copy(dir, name, css, "");
    snprintf(pdf, sizeof pdf, "%s/%s.pdf", dir, tag);
    snprintf(mode, sizeof mode, "--print-to-pdf=%s", pdf);
    run_result r;
    chromium(dir, tag, mode, "--window-size=1280,900", url, &r);
    run_result_free(&r);
    const char *argv[] = {PDFTOTEXT, "-layout", pdf, "-", NULL};
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0, "pdftotext failed: %s", r.err);
    every_header(html, r.out, paper);
    samples_lines(r.out, res, paper);
    run_result_free(&r);
    const char *info[] = {"/usr/bin/pdfinfo", pdf, NULL};
    run_cli(info, &r);
    cr_assert_eq(r.exit_code, 0, "pdfinfo failed: %s", r.err);
    const char *size = strstr(r.out, "Page size:");
    cr_assert_not_null(size);
    double w = 0, h = 0;
    cr_assert_eq(sscanf(size, "Page size: %lf x %lf", &w, &h), 2);
    cr_assert_gt(w, h, "%s is not landscape: %s", paper, size);
    run_result_free(&r);
    free(url);
}

Test(cli_report_print, a4_and_letter_landscape_keep_every_column, .timeout = 600)
{
    test_need_path(CHROMIUM, "chromium (apt-get install -y chromium), which prints the report,");
    test_need_path(PDFTOTEXT, "pdftotext (apt-get install -y poppler-utils), which reads the "
                              "printed report,");
    char *dir = test_tmpdir();
    run_example(dir);
    char *html = read_out(dir, "report.html");
    char path[4200];
    snprintf(path, sizeof path, "%s/out/results.json", dir);
    json_value *res = json_parse_file(path);
    cr_assert_not_null(res);
    print_and_check(dir, "A4 landscape", "a4", html, res);
    print_and_check(dir, "letter landscape", "letter", html, res);
    json_free(res);
    free(html);
    free(dir);
}

/* Writes the page's scrollWidth and every table wider than its box into the DOM. */
static const char measure[] =
    "<pre id=\"measure\">pending</pre><script>\n"
    "(function(){var o=['PAGE '+document.documentElement.scrollWidth,'TABLES '+"
    "document.querySelectorAll('table').length];\n"
    " document.querySelectorAll('table').forEach(function(t,i){var c=t.parentElement;\n"
    "  if(t.scrollWidth>c.clientWidth)o.push('WIDE '+(t.id||i)+' '+t.scrollWidth+' > '+"
    "c.clientWidth);});\n"
    " document.getElementById('measure').textContent=o.join('\\n');})();\n"
    "</script>\n";

Test(cli_report_print, nothing_overflows_at_1024_px, .timeout = 300)
{
    test_need_path(CHROMIUM, "chromium (apt-get install -y chromium), which lays out the report,");
    char *dir = test_tmpdir();
    run_example(dir);
    char *url = page_copy(dir, "measure.html", "", measure);
    run_result r;
    chromium(dir, "w1024", "--dump-dom", "--window-size=1024,800", url, &r);
    const char *m = strstr(r.out, "<pre id=\"measure\">");
    cr_assert_not_null(m);
    m += strlen("<pre id=\"measure\">");
    unsigned page = 0, tables = 0;
    cr_assert_eq(sscanf(m, "PAGE %u\nTABLES %u", &page, &tables), 2, "%.200s", m);
    cr_assert_leq(page, 1024, "the page is %u px wide at a 1024 px window", page);
    cr_assert_geq(tables, N_SAMPLES + 4);
    const char *wide = strstr(m, "WIDE ");
    cr_assert(wide == NULL || wide > strstr(m, "</pre>"), "a table overflows its box: %.200s",
              wide);
    run_result_free(&r);
    free(url);
    free(dir);
}
