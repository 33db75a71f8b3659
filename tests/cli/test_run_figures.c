/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_figures.c: the summary figures of `apoflow run` and `apoflow merge` on the example
 * experiments (samples/ in triplicate, samples/calibur with one replicate): every file
 * (summary_apoptotic, summary_quadrants and dose_1 as PNG, SVG and PDF; each sample's Time plot
 * as PNG and SVG) exists, is listed in manifest.json and, for SVG, is well-formed XML; the Time
 * plot shades a region exactly for the samples samples.csv flags flow_instability; report.html
 * inlines the figures; the one-replicate example shows no significance marks and its 4PL
 * curve; merged shards give the same figures as one run; names with markup are escaped in every
 * SVG and in the report. The SVG opens in headless Chromium (a screenshot with the bars' colour
 * in it) and the PDF in poppler's pdftoppm.
 */
#include "report/figures.h"
#include "support/need.h"
#include "support/png_util.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SAMPLES APOFLOW_SOURCE_DIR "/samples"
#define CHROMIUM "/usr/bin/chromium"
#define PDFTOPPM "/usr/bin/pdftoppm"

static void run_ok(const char *const *argv)
{
    run_result r;
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0, "%s %s failed (%d): %s", argv[0], argv[1], r.exit_code, r.err);
    run_result_free(&r);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static void assert_svg(const char *path)
{
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    cr_assert_not_null(doc, "%s is not well-formed XML", path);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    cr_assert(root != NULL && strcmp((const char *)root->name, "svg") == 0, "%s: no <svg>", path);
    xmlFreeDoc(doc);
}

/* OUT/plots/<name> exists (and, for .svg, parses) and manifest.json lists it. */
static void assert_output(const char *out, const char *manifest, const char *name)
{
    char path[4400], listed[600];
    snprintf(path, sizeof path, "%s/plots/%s", out, name);
    cr_assert(exists(path), "%s is missing", path);
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".svg") == 0) {
        assert_svg(path);
    }
    snprintf(listed, sizeof listed, "\"plots/%s\"", name);
    cr_assert_not_null(strstr(manifest, listed), "manifest.json does not list %s", name);
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what)) {
        n++;
    }
    return n;
}

/* The sample names of samples.csv (first column) and whether each is flagged flow_instability. */
static size_t samples_csv(const char *out, char names[][64], bool *unstable, size_t cap)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/samples.csv", out);
    char *csv = test_slurp(path, NULL);
    size_t n = 0;
    char *line = strchr(csv, '\n');
    while (line != NULL && line[1] != '\0' && n < cap) {
        line++;
        char *end = strchr(line, '\n');
        if (end != NULL) {
            *end = '\0';
        }
        size_t k = strcspn(line, ",");
        snprintf(names[n], sizeof names[n], "%.*s", (int)k, line);
        unstable[n] = strstr(line, "flow_instability") != NULL;
        n++;
        line = end;
    }
    free(csv);
    return n;
}

Test(cli_run_figures, triplicate_run_writes_and_lists_every_figure, .timeout = 600)
{
    char *dir = test_tmpdir(), out[4200], path[4400];
    snprintf(out, sizeof out, "%s/out", dir);
    const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "-q", "-j", "2",
                          "-o", out, NULL};
    run_ok(argv);
    snprintf(path, sizeof path, "%s/manifest.json", out);
    char *manifest = test_slurp(path, NULL);
    static const char *const figs[] = {"summary_apoptotic", "summary_quadrants", "dose_1"};
    static const char *const ext[] = {"png", "svg", "pdf"};
    for (int f = 0; f < 3; f++) {
        for (int e = 0; e < 3; e++) {
            char name[64];
            snprintf(name, sizeof name, "%s.%s", figs[f], ext[e]);
            assert_output(out, manifest, name);
        }
    }
    snprintf(path, sizeof path, "%s/plots/dose_2.svg", out);
    cr_assert(!exists(path), "one treatment, one dose plot");
    char names[32][64];
    bool unstable[32];
    size_t n = samples_csv(out, names, unstable, 32), n_unstable = 0;
    cr_assert_eq(n, 18);
    for (size_t i = 0; i < n; i++) {
        char name[128];
        cr_assert_lt(report_time_plot_name(name, sizeof name, names[i], "png"), (int)sizeof name);
        assert_output(out, manifest, name);
        report_time_plot_name(name, sizeof name, names[i], "svg");
        assert_output(out, manifest, name);
        snprintf(path, sizeof path, "%s/plots/%s", out, name);
        char *svg = test_slurp(path, NULL);
        cr_assert_eq(count(svg, "class=\"unstable\"") > 0, unstable[i],
                     "%s: shaded region %s the flow_instability flag", names[i],
                     unstable[i] ? "missing with" : "without");
        n_unstable += unstable[i];
        free(svg);
    }
    cr_assert_geq(n_unstable, 1, "the example simulates a clog");
    /* three marks and no 4PL: the example has three doses in triplicate */
    snprintf(path, sizeof path, "%s/plots/summary_apoptotic.svg", out);
    char *bars = test_slurp(path, NULL);
    cr_assert_eq(count(bars, "class=\"bar\""), 5);
    cr_assert_eq(count(bars, "class=\"point\""), 15);
    cr_assert_eq(count(bars, "class=\"mark\""), 4, "stimulus vs untreated and three doses");
    free(bars);
    snprintf(path, sizeof path, "%s/plots/dose_1.svg", out);
    char *dose = test_slurp(path, NULL);
    cr_assert_eq(count(dose, "class=\"fit\""), 0);
    cr_assert_eq(count(dose, "class=\"point\""), 12, "three doses and the stimulus, x 3");
    free(dose);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = test_slurp(path, NULL);
    cr_assert_eq(count(html, "<section id=\"figures\">"), 1);
    cr_assert_eq(count(html, "<figure class=\"chart\">"), 3);
    cr_assert_eq(count(html, "<svg style=\"max-width:100%;height:auto\""), 3);
    cr_assert_not_null(strstr(html, "<a href=\"plots/dose_1.svg\">SVG</a>"));
    free(html);
    free(manifest);
    free(dir);
}

Test(cli_run_figures, one_replicate_run_has_no_marks_and_its_4pl, .timeout = 600)
{
    char *dir = test_tmpdir(), out[4200], path[4400];
    snprintf(out, sizeof out, "%s/cal", dir);
    const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/calibur/sheet.csv", "-q",
                          "-j", "2", "-o", out, NULL};
    run_ok(argv);
    snprintf(path, sizeof path, "%s/plots/summary_apoptotic.svg", out);
    char *bars = test_slurp(path, NULL);
    cr_assert_eq(count(bars, "class=\"bar\""), 7);
    cr_assert_eq(count(bars, "class=\"mark\""), 0, "events are not replicates: no marks");
    cr_assert_eq(count(bars, "class=\"errorbar\""), 0, "no SD of one sample");
    free(bars);
    snprintf(path, sizeof path, "%s/plots/dose_1.svg", out);
    char *dose = test_slurp(path, NULL);
    cr_assert_eq(count(dose, "class=\"fit\""), 1, "five doses: the 4PL curve");
    cr_assert_not_null(strstr(dose, ">dose (mg/L), log scale</text>"), "12.5 to 200: log axis");
    free(dose);
    free(dir);
}

Test(cli_run_figures, merged_shards_draw_the_same_figures, .timeout = 900)
{
    char *dir = test_tmpdir(), single[4200], shard[3][4200], merged[4200], gating[4300];
    snprintf(single, sizeof single, "%s/single", dir);
    snprintf(merged, sizeof merged, "%s/merged", dir);
    const char *a1[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "-q", "-j", "2",
                        "-o", single, NULL};
    run_ok(a1);
    snprintf(gating, sizeof gating, "%s/gating.xml", single);
    for (int i = 1; i <= 2; i++) {
        char spec[8];
        snprintf(shard[i], sizeof shard[i], "%s/shard%d", dir, i);
        snprintf(spec, sizeof spec, "%d/2", i);
        const char *a[] = {APOFLOW_BINARY, "run",   "--sheet", SAMPLES "/sheet.csv", "--gating",
                           gating,         "--shard", spec,    "-q", "-j", "2", "-o", shard[i],
                           NULL};
        run_ok(a);
    }
    const char *am[] = {APOFLOW_BINARY, "merge", shard[2], shard[1], "-q", "-o", merged, NULL};
    run_ok(am);
    static const char *const same[] = {"summary_apoptotic.svg", "summary_quadrants.svg",
                                       "dose_1.svg", "summary_apoptotic.pdf",
                                       "h2o2_asiv100_r2.time.svg", "untreated_r1.time.png"};
    for (size_t k = 0; k < sizeof same / sizeof same[0]; k++) {
        char a[4400], b[4400];
        snprintf(a, sizeof a, "%s/plots/%s", single, same[k]);
        snprintf(b, sizeof b, "%s/plots/%s", merged, same[k]);
        size_t na, nb;
        char *x = test_slurp(a, &na), *y = test_slurp(b, &nb);
        cr_assert(na == nb && memcmp(x, y, na) == 0, "%s differs after merge", same[k]);
        free(x);
        free(y);
    }
    free(dir);
}

/* Pixels of a screenshot that are clearly the treated bars' blue (0x1f77b4 at 55 %). */
static size_t blue_pixels(const rt_png *p)
{
    size_t n = 0;
    for (size_t i = 0; i < (size_t)p->width * p->height; i++) {
        int r = p->rgb[3 * i], g = p->rgb[3 * i + 1], b = p->rgb[3 * i + 2];
        n += b > r + 50 && b > 180 && g > r + 20;
    }
    return n;
}

Test(cli_run_figures, svg_opens_in_chromium_and_pdf_in_pdftoppm, .timeout = 600)
{
    test_need_path(CHROMIUM, "headless Chromium (apt-get install -y chromium)");
    test_need_path(PDFTOPPM, "poppler's pdftoppm (apt-get install -y poppler-utils)");
    char *dir = test_tmpdir(), out[4200], svg[4400], shot[4400], arg[4500], prof[4500];
    snprintf(out, sizeof out, "%s/out", dir);
    const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "-q", "-j", "2",
                          "-o", out, NULL};
    run_ok(argv);
    snprintf(svg, sizeof svg, "file://%s/plots/summary_apoptotic.svg", out);
    snprintf(shot, sizeof shot, "%s/shot.png", dir);
    snprintf(arg, sizeof arg, "--screenshot=%s", shot);
    snprintf(prof, sizeof prof, "--user-data-dir=%s/profile", dir);
    const char *chrome[] = {"/usr/bin/timeout", "180", CHROMIUM, "--headless", "--no-sandbox",
                            "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                            "--disable-background-networking", "--disable-component-update",
                            "--window-size=1000,800", prof, arg, svg, NULL};
    run_ok(chrome);
    rt_png p;
    cr_assert(rt_png_read(shot, &p), "no screenshot");
    render_image img = {p.width, p.height, p.rgb};
    cr_assert_gt(rt_ink(&img, 0, 0, p.width, p.height), 20000, "the screenshot is blank");
    cr_assert_gt(blue_pixels(&p), 5000, "the treated bars are not in the screenshot");
    rt_png_free(&p);
    char pdf[4400], base[4400];
    snprintf(pdf, sizeof pdf, "%s/plots/summary_apoptotic.pdf", out);
    snprintf(base, sizeof base, "%s/pdfpage", dir);
    const char *ppm[] = {PDFTOPPM, "-r", "72", "-png", "-singlefile", pdf, base, NULL};
    run_ok(ppm);
    snprintf(shot, sizeof shot, "%s.png", base);
    cr_assert(rt_png_read(shot, &p), "pdftoppm wrote no page");
    render_image pg = {p.width, p.height, p.rgb};
    cr_assert_gt(rt_ink(&pg, 0, 0, p.width, p.height), 20000, "the PDF page is blank");
    cr_assert_gt(blue_pixels(&p), 5000, "the treated bars are not on the PDF page");
    rt_png_free(&p);
    free(dir);
}

/* Every SVG of OUT/plots parses, and none holds @p raw (markup that must have been escaped). */
static size_t assert_svgs_escaped(const char *out, const char *raw)
{
    char plots[4300];
    snprintf(plots, sizeof plots, "%s/plots", out);
    DIR *d = opendir(plots);
    cr_assert_not_null(d);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".svg") == 0) {
            char path[4600];
            snprintf(path, sizeof path, "%s/%s", plots, e->d_name);
            assert_svg(path);
            char *text = test_slurp(path, NULL);
            cr_assert_null(strstr(text, raw), "%s holds unescaped markup", e->d_name);
            free(text);
            n++;
        }
    }
    closedir(d);
    return n;
}

Test(cli_run_figures, names_with_markup_are_escaped, .timeout = 600)
{
    char *dir = test_tmpdir(), sheet[4200], out[4200], path[4400];
    char *text = test_slurp(SAMPLES "/sheet.csv", NULL);
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", dir);
    FILE *f = fopen(sheet, "wb");
    cr_assert_not_null(f);
    for (char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        if (strncmp(line, "file,", 5) == 0) {
            fprintf(f, "%.*s\n", (int)len, line);
        } else if (strncmp(line, "h2o2_r1.fcs,h2o2_r1,", 20) == 0) {
            fprintf(f, "%s/h2o2_r1.fcs,<svg onload=alert(1)>&x%.*s\n", SAMPLES, (int)(len - 19),
                    line + 19);
        } else {
            /* the treatment's name closes the text element and opens a script */
            const char *t = strstr(line, ",AS-IV,");
            if (t != NULL && t < line + len) {
                fprintf(f, "%s/%.*s,AS-IV</text><script>x()</script>,%.*s\n", SAMPLES,
                        (int)(t - line), line, (int)(len - (size_t)(t - line) - 7), t + 7);
            } else {
                fprintf(f, "%s/%.*s\n", SAMPLES, (int)len, line);
            }
        }
        line += len + (line[len] == '\n');
    }
    fclose(f);
    free(text);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "-q", "-j", "2", "-o", out,
                          NULL};
    run_ok(argv);
    cr_assert_geq(assert_svgs_escaped(out, "<script>"), 3 + 18);
    cr_assert_eq(assert_svgs_escaped(out, "<svg onload"), 3 + 18);
    snprintf(path, sizeof path, "%s/plots/dose_1.svg", out);
    char *dose = test_slurp(path, NULL);
    cr_assert_not_null(strstr(dose, "AS-IV&lt;/text&gt;&lt;script&gt;x()&lt;/script&gt;: "
                                    "apoptotic % by dose"));
    free(dose);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = test_slurp(path, NULL);
    cr_assert_null(strstr(html, "<script>x()"), "the report holds the treatment's markup");
    cr_assert_null(strstr(html, "<svg onload"), "the report holds the sample's markup");
    free(html);
    free(dir);
}
