/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html.c: writes report.html (and methods.txt beside it): the page and its own sections,
 * the experiment summary (every count equal to what its section lists), the plate overview,
 * the thresholds and compensation and how they were chosen, the warnings; the other sections
 * come from html_*.c (html_internal.h). Every image is embedded as a base64 PNG data URI; no
 * network, no framework, a few lines of plain JS.
 */
#include "report/compare_text.h"
#include "report/html_internal.h"
#include "util/paths.h"

#include <gsl/gsl_version.h>
#include <libxml/xmlversion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void summary(FILE *f, const report_input *r)
{
    const assay_result *res = r->res;
    size_t ok = 0, flagged = 0, failed = 0;
    for (size_t i = 0; i < r->n_samples; i++) {
        if (r->samples[i].error[0]) {
            failed++;
        } else {
            ok++;
            flagged += r->samples[i].qc_flags[0] != '\0';
        }
    }
    fputs("<section id=\"summary\"><h2>Experiment summary</h2><dl class=\"kv\">\n", f);
    fprintf(f, "<dt>Samples analysed</dt><dd id=\"n-samples\">%zu</dd>\n", ok);
    fprintf(f, "<dt>Samples with QC flags</dt><dd>%zu</dd>\n", flagged);
    (void)failed; /* every failed sample is also among r->failures (step "analysis") */
    fprintf(f, "<dt>Failed samples / files</dt><dd id=\"n-failed\">%zu</dd>\n",
            r->n_failures);
    fputs("<dt>Annexin V channel</dt><dd>", f);
    html_esc(f, res->annexin_channel);
    fputs(" <small>(", f);
    html_esc(f, res->annexin_why);
    fputs(")</small></dd>\n<dt>Dead-cell dye channel</dt><dd>", f);
    html_esc(f, res->pi_channel);
    if (res->dead_dye[0] != '\0') {
        fputs(" (", f);
        html_esc(f, res->dead_dye);
        fputs(")", f);
    }
    fputs(" <small>(", f);
    html_esc(f, res->pi_why);
    fputs(")</small></dd>\n<dt>Compensation</dt><dd>", f);
    html_esc(f, assay_comp_source_name(res->comp_source));
    fputs("</dd>\n<dt>Thresholds</dt><dd>Annexin V ", f);
    html_gnum(f, res->annexin.value);
    fputs(", PI ", f);
    html_gnum(f, res->pi.value);
    fputs(" (compensated data units)</dd>\n", f);
    size_t treated = 0;
    for (size_t i = 0; i < res->n_comparisons; i++) {
        treated += res->comparisons[i].comparison != ASSAY_COMPARISON_STIMULUS_VS_UNTREATED;
    }
    fprintf(f, "<dt>Comparisons</dt><dd id=\"n-comparisons\">%zu treated group%s vs stimulus "
               "only%s; %zu dose-response fit%s</dd>\n",
            treated, treated == 1 ? "" : "s",
            treated < res->n_comparisons ? "; stimulus vs untreated" : "", res->n_fits,
            res->n_fits == 1 ? "" : "s");
    fprintf(f, "<dt>Warnings</dt><dd id=\"n-warnings\"><a href=\"#warnings\">%zu</a></dd>\n"
               "</dl></section>\n",
            html_warning_items(r));
}

/* Well "B07" -> row 1, column 6; false when not a plate well. */
static bool parse_well(const char *w, unsigned *row, unsigned *col)
{
    char c = w[0];
    if (c >= 'a' && c <= 'z') {
        c = (char)(c - 'a' + 'A');
    }
    if (c < 'A' || c > 'P' || w[1] < '0' || w[1] > '9') {
        return false;
    }
    unsigned v = 0;
    const char *p = w + 1;
    for (; *p >= '0' && *p <= '9' && v < 100; p++) {
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (*p != '\0' || v < 1 || v > 24) {
        return false;
    }
    *row = (unsigned)(c - 'A');
    *col = v - 1;
    return true;
}

static void plate(FILE *f, const report_input *r)
{
    char path[4096];
    fputs("<section id=\"plate\"><h2>Plate overview</h2>\n", f);
    unsigned rows = 0, cols = 0;
    for (size_t i = 0; i < r->n_samples; i++) {
        unsigned a, b;
        if (parse_well(r->samples[i].well, &a, &b)) {
            rows = a + 1 > rows ? a + 1 : rows;
            cols = b + 1 > cols ? b + 1 : cols;
        }
    }
    if (rows > 0) {
        rows = rows <= 8 && cols <= 12 ? 8 : 16;
        cols = rows == 8 ? 12 : 24;
        fputs("<p>Apoptotic % per well (colour: white 0 % to red 100 %; grey = no sample).</p>"
              "\n<table class=\"plate\"><thead><tr><th></th>",
              f);
        for (unsigned c = 0; c < cols; c++) {
            fprintf(f, "<th>%u</th>", c + 1);
        }
        fputs("</tr></thead><tbody>\n", f);
        for (unsigned a = 0; a < rows; a++) {
            fprintf(f, "<tr><th>%c</th>", 'A' + a);
            for (unsigned c = 0; c < cols; c++) {
                const report_sample *s = NULL;
                for (size_t i = 0; i < r->n_samples && s == NULL; i++) {
                    unsigned x, y;
                    if (parse_well(r->samples[i].well, &x, &y) && x == a && y == c) {
                        s = &r->samples[i];
                    }
                }
                if (s == NULL) {
                    fputs("<td style=\"background:#eee\"></td>", f);
                    continue;
                }
                double v = s->apoptotic_pct;
                int shade = isfinite(v) ? 255 - (int)lround(fmin(fmax(v, 0), 100) * 2.0) : 200;
                fprintf(f, "<td style=\"background:rgb(255,%d,%d)\" title=\"", shade, shade);
                html_esc(f, s->sample);
                fputs("\">", f);
                html_esc(f, s->sample);
                fputs("<br>", f);
                html_num(f, v, 1);
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    } else {
        fputs("<p>The sample sheet has no <code>well</code> column: no plate map.</p>\n", f);
    }
    snprintf(path, sizeof path, "%s/plots/overview.png", r->outdir);
    html_embed_png(f, path, "quadrant overview of all samples", "plot");
    fputs("</section>\n", f);
}

/* One marker's row; @p other names the marker whose halves its depths are measured in. */
static void threshold_row(FILE *f, const char *name, const char *other,
                          const assay_threshold *t, const gate_transform *scale)
{
    fputs("<tr><td>", f);
    html_esc(f, name);
    fputs("</td><td class=\"n\">", f);
    html_gnum(f, t->value);
    fputs("</td><td class=\"n\">", f);
    html_gnum(f, t->scaled);
    fputs("</td><td>", f);
    char method[ASSAY_THRESHOLD_METHOD_TEXT];
    html_esc(f, assay_threshold_method_text(t->method, t->percentile, method, sizeof method));
    fputs("</td><td>", f);
    html_esc(f, t->source);
    fputs("</td><td class=\"n\">", f);
    html_gnum(f, t->realized_pct);
    fputs("</td><td class=\"n\">", f);
    html_gnum(f, t->valley_depth);
    if (isfinite(t->half_depth[0]) || isfinite(t->half_depth[1])) {
        fputs("<br><small>", f);
        html_esc(f, other);
        fputs("&minus; ", f);
        html_gnum(f, t->half_depth[0]);
        fputs(", ", f);
        html_esc(f, other);
        fputs("+ ", f);
        html_gnum(f, t->half_depth[1]);
        fputs("</small>", f);
    }
    fputs("</td><td>", f);
    html_esc(f, t->reason);
    fputs("</td><td>", f);
    html_esc(f, gate_transform_kind_name(scale->kind));
    fprintf(f, " T=%.6g W=%.4g M=%.4g A=%.4g</td></tr>\n", scale->T, scale->W, scale->M,
            scale->A);
}

static void method(FILE *f, const report_input *r)
{
    const assay_result *res = r->res;
    fputs("<section id=\"method\"><h2>Thresholds and compensation</h2>\n<h3>Quadrant "
          "thresholds</h3>\n<div class=\"scroll\"><table id=\"thresholds\"><thead><tr>"
          "<th>marker</th><th>value "
          "(data units)</th><th>on the gating scale</th><th>method</th><th>from</th><th>% "
          "of the source at or above</th><th>valley depth</th><th>why here</th><th>scale</th>"
          "</tr></thead><tbody>\n",
          f);
    threshold_row(f, "Annexin V", assay_dead_dye_label(res), &res->annexin, &res->annexin_scale);
    threshold_row(f, "PI", "Annexin V", &res->pi, &res->pi_scale);
    fputs("</tbody></table></div>\n<p>control_quantile: the given quantile of the negative "
          "population of the marker's negative control (the other single stain, or the "
          "unstained), kept when it lies in a low-density region of the stained samples; "
          "density_valley: the stained samples' valley between their negative and next "
          "population (used when the control's line cuts a population, or there is no "
          "control); fixed: given on the command line; gating_file: read from --gating. Valley "
          "depth: the density at the line over the neighbouring peak's, on the pooled stained "
          "samples (display scale); about 0 in a gap between populations, above 0.5 inside one "
          "(flag threshold_in_population).</p>\n<h3>Compensation</h3>\n<p>Source: <b>",
          f);
    html_esc(f, assay_comp_source_name(res->comp_source));
    fputs("</b> &mdash; ", f);
    html_esc(f, res->comp_detail);
    fputs("</p>\n<table id=\"spillover\"><thead><tr><th>spillover from \\ into</th><th>", f);
    html_esc(f, res->annexin_channel);
    fputs("</th><th>", f);
    html_esc(f, res->pi_channel);
    fputs("</th></tr></thead><tbody><tr><th>", f);
    html_esc(f, res->annexin_channel);
    fprintf(f, "</th><td class=\"n\">%.6g</td><td class=\"n\">%.6g</td></tr><tr><th>",
            res->spill[0], res->spill[1]);
    html_esc(f, res->pi_channel);
    fprintf(f, "</th><td class=\"n\">%.6g</td><td class=\"n\">%.6g</td></tr></tbody></table>\n",
            res->spill[2], res->spill[3]);
    fputs("<h3>Pre-gates</h3>\n<p>", f);
    html_esc(f, res->pregate_detail);
    fputs("</p>\n", f);
    review_adjustments_html(f, r->adjustments);
    fputs("<p>The whole gating as applied is in <code>gating.xml</code> (Gating-ML 2.0); "
          "pass it to <code>apoflow run --gating</code> to apply exactly the same gates to "
          "other files.</p>\n</section>\n",
          f);
}

static void warnings(FILE *f, const report_input *r)
{
    const assay_result *res = r->res;
    fputs("<section id=\"warnings\"><h2>Warnings</h2>\n", f);
    size_t shown = 0;
    fputs("<ul class=\"warn\">\n", f);
    for (size_t i = 0; i < res->n_warnings; i++, shown++) {
        fputs("<li>", f);
        html_esc(f, res->warnings[i]);
        fputs("</li>\n", f);
    }
    for (size_t k = 0; k < r->n_samples; k++) {
        const report_sample *s = &r->samples[html_sample_at(r, k)];
        if (s->error[0] || s->qc_flags[0]) {
            char id[200];
            html_sample_id(s, id, sizeof id);
            fputs("<li><a href=\"#", f);
            html_esc(f, id);
            fputs("-qc\">", f);
            html_esc(f, s->sample);
            fputs("</a>: ", f);
            html_esc(f, s->error[0] ? s->error : s->qc_flags);
            if (!s->error[0] && s->qc_detail[0]) {
                fputs(" (", f);
                html_esc(f, s->qc_detail);
                fputc(')', f);
            }
            fputs("</li>\n", f);
            shown++;
        }
    }
    fputs("</ul>\n", f);
    if (shown == 0) {
        fputs("<p>None.</p>\n", f);
    }
    fputs("</section>\n", f);
}

/* The sections of the page, in order. */
static void body(FILE *f, const report_input *r, const char *methods)
{
    summary(f, r);
    report_summary_figures_html(f, r);
    html_samples_table(f, r);
    html_comparisons(f, r);
    plate(f, r);
    review_write_html(f, r);
    html_sample_sections(f, r);
    method(f, r);
    html_methods_section(f, methods);
    warnings(f, r);
    html_files(f, r);
    html_reproduce(f, r);
}

apo_status report_write_html(const report_input *r, apo_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/report.html", r->outdir);
    char *methods = html_methods_text(r);
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        free(methods);
        return st;
    }
    FILE *f = af.fp;
    const char *title = r->title ? r->title : "apoflow report";
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    html_esc(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head><body>\n<h1>", html_style);
    html_esc(f, title);
    fprintf(f, "</h1>\n<p>Annexin V / %s apoptosis analysis by apoflow " APOFLOW_VERSION ".</p>\n",
            r->res != NULL ? assay_dead_dye_label(r->res) : "PI");
    fputs("<nav><a href=\"#figures\">Figures</a><a href=\"#samples\">Samples</a><a href=\"#comparisons\">Comparisons</a>"
          "<a href=\"#plate\">Plate</a><a href=\"#review\">Review gates</a><a href=\"#gating\">"
          "Each sample</a><a href=\"#method\">Thresholds</a><a href=\"#methods\">Methods</a>"
          "<a href=\"#warnings\">Warnings</a><a href=\"#files\">Files</a><a href=\"#reproduce"
          "\">Reproduce</a></nav>\n",
          f);
    body(f, r, methods);
    fprintf(f, "<script>\n%s</script>\n", html_script);
    review_write_script(f);
    fputs("</body></html>\n", f);
    if (ferror(f)) {
        apo_atomic_abort(&af);
        free(methods);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    st = apo_atomic_commit(&af, err);
    if (st == APO_OK && methods != NULL) {
        st = html_write_methods_txt(r, methods, err);
    }
    free(methods);
    return st;
}
