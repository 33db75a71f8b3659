/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_summary_figs.c: the summary figures (report.h report_summary_figures) from sample rows
 * with known values: the group bar chart's bars, heights, replicate points, SD whiskers and
 * significance marks (from the adjusted p of rows with replicates only), its PNG pixels; the
 * stacked quadrant bars in the sheet's order; the dose plots for one and two doses (linear or
 * log axis, the stimulus at "0", the 4PL curve only when fitted). The SVG files are parsed with
 * libxml2; the PNGs read back with libpng.
 */
#include "report/figures.h"
#include "report/report.h"
#include "support/png_util.h"

#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* XPath over an SVG file (namespace prefix s); the document stays open for values. */
typedef struct svg_doc {
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;
} svg_doc;

static void svg_open(svg_doc *d, const char *path)
{
    d->doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    cr_assert_not_null(d->doc, "%s is not well-formed XML", path);
    d->ctx = xmlXPathNewContext(d->doc);
    xmlXPathRegisterNs(d->ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
}

static void svg_close(svg_doc *d)
{
    xmlXPathFreeContext(d->ctx);
    xmlFreeDoc(d->doc);
}

static size_t svg_count(svg_doc *d, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->ctx);
    cr_assert_not_null(o, "bad XPath %s", expr);
    size_t n = o->nodesetval ? (size_t)o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    return n;
}

/* The number an XPath expression gives (e.g. "number(//s:rect[1]/@height)"). */
static double svg_number(svg_doc *d, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->ctx);
    cr_assert_not_null(o, "bad XPath %s", expr);
    double v = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    return v;
}

/* The string value of the k-th (1-based) node of @p expr. */
static void svg_text(svg_doc *d, const char *expr, int k, char *out, size_t cap)
{
    char q[512];
    snprintf(q, sizeof q, "string((%s)[%d])", expr, k);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST q, d->ctx);
    cr_assert_not_null(o);
    xmlChar *s = xmlXPathCastToString(o);
    snprintf(out, cap, "%s", (const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(o);
}

/* The experiment: untreated 4, 6; stimulus 38, 40, 42; drug A at 1 uM (30 x 3) and 100 uM
 * (20, 22, 24); drug B at 5 uM once; an unstained control; a failed A sample. */
#define N_ROWS 14
static report_sample rows[N_ROWS];

static void row(size_t i, const char *name, const char *role, const char *t, const char *dose,
                unsigned rep, double apo, const char *error)
{
    rows[i] = (report_sample){.sample = name, .file = name, .role = role, .treatment = t,
                              .dose = dose, .dose_unit = dose[0] ? "uM" : "", .well = "",
                              .replicate = rep, .events = 1000, .singlets = 900,
                              .apoptotic_pct = apo, .qc_flags = "", .qc_detail = "",
                              .error = error};
    rows[i].pct[ASSAY_Q_EARLY] = apo / 2;
    rows[i].pct[ASSAY_Q_LATE] = apo / 2;
    rows[i].pct[ASSAY_Q_NECROTIC] = 5;
    rows[i].pct[ASSAY_Q_VIABLE] = 95 - apo;
}

static void fill_rows(void)
{
    size_t i = 0;
    row(i++, "A100_r1", "treated", "A", "100", 1, 20, "");
    row(i++, "stim_r1", "stimulus", "H2O2", "", 1, 38, "");
    row(i++, "A1_r1", "treated", "A", "1", 1, 30, "");
    row(i++, "B5_r1", "treated", "B", "5", 1, 10, "");
    row(i++, "untr_r2", "untreated", "", "", 2, 6, "");
    row(i++, "A100_r2", "treated", "A", "100", 2, 22, "");
    row(i++, "A1_r2", "treated", "A", "1", 2, 30, "");
    row(i++, "stim_r2", "stimulus", "H2O2", "", 2, 40, "");
    row(i++, "A100_r3", "treated", "A", "100", 3, 24, "");
    row(i++, "unstained", "unstained", "", "", 1, 1, "");
    row(i++, "stim_r3", "stimulus", "H2O2", "", 3, 42, "");
    row(i++, "A1_r3", "treated", "A", "1", 3, 30, "");
    row(i++, "untr_r1", "untreated", "", "", 1, 4, "");
    row(i++, "A1_bad", "treated", "A", "1", 4, NAN, "could not be read");
    cr_assert_eq(i, N_ROWS);
}

static void comparison(assay_comparison *c, const char *kind, const char *t, const char *dose,
                       bool reps, double p_adj)
{
    memset(c, 0, sizeof *c);
    cr_assert(assay_comparison_kind_parse(kind, &c->comparison), "%s", kind);
    snprintf(c->treatment, sizeof c->treatment, "%s", t);
    snprintf(c->dose_text, sizeof c->dose_text, "%s", dose);
    snprintf(c->dose_unit, sizeof c->dose_unit, "%s", dose[0] ? "uM" : "");
    c->test = reps ? ASSAY_TEST_WELCH_T : ASSAY_TEST_NONE_NO_REPLICATES;
    c->adjust_method = c->comparison == ASSAY_COMPARISON_TREATED_VS_STIMULUS
                           ? ASSAY_ADJUST_DUNNETT_SINGLE_STEP
                           : ASSAY_ADJUST_NONE_SINGLE_COMPARISON;
    c->replicates = reps;
    c->p_adjusted = reps ? p_adj : NAN;
    c->p_value = reps ? p_adj / 2 : NAN; /* a raw p that must not be used for the marks */
}

static assay_comparison cmps[4];
static assay_dose_fit fit;

static void result(assay_result *res, bool with_fit)
{
    memset(res, 0, sizeof *res);
    comparison(&cmps[0], "stimulus_vs_untreated", "H2O2", "", true, 0.0004);
    comparison(&cmps[1], "treated_vs_stimulus", "A", "1", true, 0.03);
    comparison(&cmps[2], "treated_vs_stimulus", "A", "100", true, 0.2);
    comparison(&cmps[3], "treated_vs_stimulus", "B", "5", false, NAN);
    res->comparisons = cmps;
    res->n_comparisons = 4;
    memset(&fit, 0, sizeof fit);
    snprintf(fit.treatment, sizeof fit.treatment, "A");
    snprintf(fit.dose_unit, sizeof fit.dose_unit, "uM");
    fit.ok = true;
    fit.bottom = 20;
    fit.top = 40;
    fit.ec50 = 10;
    fit.hill = 1;
    res->fits = &fit;
    res->n_fits = with_fit ? 1 : 0;
}

/* Write the figures of the rows into a fresh folder; returns it (caller removes). */
static void write_figs(char *dir, size_t cap, bool with_fit)
{
    fill_rows();
    assay_result res;
    result(&res, with_fit);
    cr_assert(rt_tmpdir(dir, cap));
    char plots[300];
    snprintf(plots, sizeof plots, "%s/plots", dir);
    cr_assert_eq(mkdir(plots, 0755), 0);
    apo_error err;
    cr_assert_eq(report_summary_figures(dir, &res, N_ROWS, rows, &err), APO_OK, "%s", err.msg);
}

Test(summary_figs, bar_chart_groups_heights_points_and_marks)
{
    char dir[256], path[400];
    write_figs(dir, sizeof dir, false);
    snprintf(path, sizeof path, "%s/plots/summary_apoptotic.svg", dir);
    svg_doc d;
    svg_open(&d, path);
    cr_assert_eq(svg_count(&d, "//s:rect[@class='bar']"), 5, "untreated, stimulus, A 1, A 100, B 5");
    cr_assert_eq(svg_count(&d, "//s:circle[@class='point']"), 12, "every analysed replicate");
    cr_assert_eq(svg_count(&d, "//s:line[@class='errorbar']"), 4 * 3, "groups with n >= 2");
    /* sheet order: untreated, stimulus, then A by dose, then B (empty lines are not drawn) */
    static const char *const labels[] = {"untreated", "stimulus", "H2O2",   "A",   "1 uM",
                                         "A",         "100 uM",   "B",      "5 uM"};
    cr_assert_eq(svg_count(&d, "//s:text[@class='group-label']"), 9);
    for (int k = 0; k < 9; k++) {
        char got[64];
        svg_text(&d, "//s:text[@class='group-label']", k + 1, got, sizeof got);
        cr_assert_str_eq(got, labels[k]);
    }
    /* marks from the adjusted p of rows with replicates: stimulus ***, A 1 *, A 100 ns, no B */
    cr_assert_eq(svg_count(&d, "//s:text[@class='mark']"), 3);
    char m[3][8];
    for (int k = 0; k < 3; k++) {
        svg_text(&d, "//s:text[@class='mark']", k + 1, m[k], sizeof m[k]);
    }
    cr_assert_str_eq(m[0], "***");
    cr_assert_str_eq(m[1], "*");
    cr_assert_str_eq(m[2], "ns");
    /* y axis 0..50 over 300 units: the stimulus bar (mean 40) is 240 high, untreated (5) 30 */
    cr_assert_float_eq(svg_number(&d, "number((//s:rect[@class='bar'])[2]/@height)"), 240, 0.011);
    cr_assert_float_eq(svg_number(&d, "number((//s:rect[@class='bar'])[1]/@height)"), 30, 0.011);
    cr_assert_float_eq(svg_number(&d, "number((//s:rect[@class='bar'])[5]/@height)"), 60, 0.011);
    double x = svg_number(&d, "number((//s:rect[@class='bar'])[2]/@x)");
    double y = svg_number(&d, "number((//s:rect[@class='bar'])[2]/@y)");
    double w = svg_number(&d, "number((//s:rect[@class='bar'])[2]/@width)");
    svg_close(&d);
    /* the PNG (scale 2): the stimulus bar's fill, grey 0x707070 at 55 % over white */
    snprintf(path, sizeof path, "%s/plots/summary_apoptotic.png", dir);
    rt_png p;
    cr_assert(rt_png_read(path, &p));
    render_image img = {p.width, p.height, p.rgb};
    uint32_t px = rt_pixel(&img, (unsigned)lround(2 * (x + w * 0.2)), (unsigned)lround(2 * (y + 200)));
    for (int sh = 0; sh < 24; sh += 8) {
        int v = (int)((px >> sh) & 255u);
        cr_assert(abs(v - 176) <= 2, "stimulus bar pixel %06x", px);
    }
    cr_assert_eq(rt_pixel(&img, (unsigned)lround(2 * (x + w * 0.2)), (unsigned)lround(2 * (y - 12))),
                 0xffffff, "above the bar and its whiskers");
    rt_png_free(&p);
    snprintf(path, sizeof path, "%s/plots/summary_apoptotic.pdf", dir);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "the PDF");
    fclose(f);
    rt_rmdir(dir);
}

Test(summary_figs, quadrant_bars_in_the_sheets_order)
{
    char dir[256], path[400], got[64];
    write_figs(dir, sizeof dir, false);
    snprintf(path, sizeof path, "%s/plots/summary_quadrants.svg", dir);
    svg_doc d;
    svg_open(&d, path);
    cr_assert_eq(svg_count(&d, "//s:text[@class='sample-label']"), 13, "the failed row is left out");
    cr_assert_eq(svg_count(&d, "//s:rect[@class='segment']"), 4 * 13);
    static const char *const order[] = {"unstained", "untr_r1", "untr_r2", "stim_r1", "stim_r2",
                                        "stim_r3",   "A1_r1",   "A1_r2",   "A1_r3",   "A100_r1",
                                        "A100_r2",   "A100_r3", "B5_r1"};
    for (int k = 0; k < 13; k++) {
        svg_text(&d, "//s:text[@class='sample-label']", k + 1, got, sizeof got);
        cr_assert_str_eq(got, order[k]);
    }
    /* A100_r1: viable 75 % of 300 units */
    cr_assert_float_eq(svg_number(&d, "number((//s:rect[@class='segment'])[37]/@height)"), 225,
                       0.011);
    svg_close(&d);
    rt_rmdir(dir);
}

Test(summary_figs, dose_plots_for_one_and_two_doses)
{
    char dir[256], path[400], got[128];
    write_figs(dir, sizeof dir, false);
    snprintf(path, sizeof path, "%s/plots/dose_1.svg", dir);
    svg_doc d;
    svg_open(&d, path);
    cr_assert_eq(svg_count(&d, "//s:circle[@class='point']"), 6 + 3, "A's replicates + stimulus");
    cr_assert_eq(svg_count(&d, "//s:line[@class='mean']"), 3);
    cr_assert_eq(svg_count(&d, "//s:polyline[@class='fit']"), 0, "no 4PL without a fit");
    cr_assert_eq(svg_count(&d, "//s:text[@class='zero-label' and text()='stimulus']"), 1);
    cr_assert_eq(svg_count(&d, "//s:line[@class='reference']"), 2, "stimulus and untreated means");
    svg_text(&d, "//s:text[@class='axis-title']", 2, got, sizeof got);
    cr_assert_str_eq(got, "dose (uM), log scale", "1 to 100 spans two decades");
    svg_close(&d);
    snprintf(path, sizeof path, "%s/plots/dose_2.svg", dir);
    svg_open(&d, path);
    cr_assert_eq(svg_count(&d, "//s:circle[@class='point']"), 1 + 3, "B once + stimulus");
    svg_text(&d, "//s:text[@class='axis-title']", 2, got, sizeof got);
    cr_assert_str_eq(got, "dose (uM)", "one dose: a linear axis");
    svg_text(&d, "//s:text[@class='subtitle']", 1, got, sizeof got);
    cr_assert_str_eq(got, "1 dose; no 4PL curve (fitted from 4 doses)");
    svg_close(&d);
    snprintf(path, sizeof path, "%s/plots/dose_3.svg", dir);
    cr_assert_null(fopen(path, "rb"), "two treatments, two dose plots");
    rt_rmdir(dir);
    write_figs(dir, sizeof dir, true);
    snprintf(path, sizeof path, "%s/plots/dose_1.svg", dir);
    svg_open(&d, path);
    cr_assert_eq(svg_count(&d, "//s:polyline[@class='fit']"), 1, "the 4PL when fitted");
    svg_text(&d, "//s:text[@class='subtitle']", 1, got, sizeof got);
    cr_assert(strncmp(got, "4PL fit: EC50 10 uM", 19) == 0, "%s", got);
    svg_close(&d);
    rt_rmdir(dir);
}

Test(summary_figs, no_replicates_no_marks)
{
    char dir[256], path[400];
    fill_rows();
    assay_result res;
    result(&res, false);
    for (size_t k = 0; k < 4; k++) {
        cmps[k].replicates = false; /* as a one-replicate run: p-values are not evidence */
    }
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/plots", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    cr_assert_eq(report_summary_figures(dir, &res, N_ROWS, rows, NULL), APO_OK);
    snprintf(path, sizeof path, "%s/plots/summary_apoptotic.svg", dir);
    svg_doc d;
    svg_open(&d, path);
    cr_assert_eq(svg_count(&d, "//s:text[@class='mark']"), 0);
    cr_assert_eq(svg_count(&d, "//s:text[@class='caption' and starts-with(text(), "
                               "'No significance marks')]"), 1);
    svg_close(&d);
    rt_rmdir(dir);
}

Test(summary_figs, time_plot_name)
{
    char buf[64];
    cr_assert_eq(report_time_plot_name(buf, sizeof buf, "h2o2_r1", "svg"), 16);
    cr_assert_str_eq(buf, "h2o2_r1.time.svg");
}

Test(summary_figs, a_large_plate_stays_within_the_chart_size, .timeout = 120)
{
    enum { N = 2000 };
    static report_sample big[N];
    static char names[N][16], doses[N][16];
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "s%zu", i);
        snprintf(doses[i], sizeof doses[i], "%zu", 1 + i / 2);
        big[i] = (report_sample){.sample = names[i], .file = names[i], .role = "treated",
                                 .treatment = "D", .dose = doses[i], .dose_unit = "uM",
                                 .well = "", .replicate = 1 + (unsigned)(i % 2),
                                 .apoptotic_pct = (double)(i % 50), .qc_flags = "",
                                 .qc_detail = "", .error = ""};
        big[i].pct[ASSAY_Q_VIABLE] = 100 - (double)(i % 50);
    }
    char dir[256], path[400];
    assay_result res;
    memset(&res, 0, sizeof res);
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/plots", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    apo_error err;
    cr_assert_eq(report_summary_figures(dir, &res, N, big, &err), APO_OK, "%s", err.msg);
    snprintf(path, sizeof path, "%s/plots/summary_quadrants.svg", dir);
    svg_doc d;
    svg_open(&d, path);
    cr_assert_leq(svg_number(&d, "number(/s:svg/@width)"), 8300);
    cr_assert_eq(svg_count(&d, "//s:rect[@class='segment']"), 4 * N, "every sample drawn");
    size_t labels = svg_count(&d, "//s:text[@class='sample-label']");
    cr_assert(labels >= N / 4 && labels < N, "every k-th sample labelled: %zu", labels);
    char got[16];
    svg_text(&d, "//s:text[@class='sample-label']", 2, got, sizeof got);
    cr_assert_str_eq(got, "s3", "doses ascending, labels every 3rd of 4-unit slots");
    svg_close(&d);
    snprintf(path, sizeof path, "%s/plots/summary_apoptotic.svg", dir);
    svg_open(&d, path);
    cr_assert_eq(svg_count(&d, "//s:rect[@class='bar']"), N / 2);
    cr_assert_leq(svg_number(&d, "number(/s:svg/@width)"), 8300);
    svg_close(&d);
    rt_rmdir(dir);
}

Test(summary_figs, dose_groups_off_the_axis_are_counted)
{
    report_sample r[3];
    static const char *const dose[] = {"10", "abc", "5"}, *const unit[] = {"uM", "uM", "mg/L"};
    for (int i = 0; i < 3; i++) {
        r[i] = (report_sample){.sample = dose[i], .file = dose[i], .role = "treated",
                               .treatment = "C", .dose = dose[i], .dose_unit = unit[i],
                               .well = "", .replicate = 1, .apoptotic_pct = 10.0 * (i + 1),
                               .qc_flags = "", .qc_detail = "", .error = ""};
    }
    char dir[256], path[400], got[200];
    assay_result res;
    memset(&res, 0, sizeof res);
    cr_assert(rt_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/plots", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    cr_assert_eq(report_summary_figures(dir, &res, 3, r, NULL), APO_OK);
    snprintf(path, sizeof path, "%s/plots/dose_1.svg", dir);
    svg_doc d;
    svg_open(&d, path);
    cr_assert_eq(svg_count(&d, "//s:circle[@class='point']"), 1, "only 10 uM is on the axis");
    svg_text(&d, "//s:text[@class='subtitle']", 1, got, sizeof got);
    cr_assert_str_eq(got, "1 dose; no 4PL curve (fitted from 4 doses); 2 groups not drawn (dose "
                          "0, not a number or another unit)");
    svg_close(&d);
    rt_rmdir(dir);
}

Test(summary_figs, drawn_on_threads_the_files_are_the_same)
{
    char one[256], many[256];
    write_figs(one, sizeof one, true); /* one thread */
    fill_rows();
    assay_result res;
    result(&res, true);
    cr_assert(rt_tmpdir(many, sizeof many));
    char plots[300];
    snprintf(plots, sizeof plots, "%s/plots", many);
    cr_assert_eq(mkdir(plots, 0755), 0);
    apo_error err;
    cr_assert_eq(report_summary_figures_jobs(many, &res, N_ROWS, rows, 3, &err), APO_OK, "%s",
                 err.msg);
    static const char *const names[] = {"summary_apoptotic", "summary_quadrants", "dose_1",
                                        "dose_2"};
    static const char *const exts[] = {"png", "svg", "pdf"};
    size_t compared = 0;
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        for (size_t e = 0; e < 3; e++) {
            char p1[400], p2[400];
            snprintf(p1, sizeof p1, "%s/plots/%s.%s", one, names[k], exts[e]);
            snprintf(p2, sizeof p2, "%s/plots/%s.%s", many, names[k], exts[e]);
            size_t l1 = 0, l2 = 0;
            uint8_t *b1 = rt_read_file(p1, &l1), *b2 = rt_read_file(p2, &l2);
            cr_assert_eq(b1 == NULL, b2 == NULL, "%s.%s written by one only", names[k], exts[e]);
            if (b1 != NULL) {
                cr_assert(l1 == l2 && memcmp(b1, b2, l1) == 0, "%s.%s differs", names[k],
                          exts[e]);
                compared++;
            }
            free(b1);
            free(b2);
        }
    }
    cr_assert_geq(compared, 3 * 3, "the group bars, quadrant bars and a dose plot at least");
    rt_rmdir(one);
    rt_rmdir(many);
}
