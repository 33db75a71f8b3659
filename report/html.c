/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html.c: writes report.html: experiment summary, sortable samples table with QC
 * flags, comparisons and dose-response curves, plate overview, each sample's gating path,
 * thresholds/compensation and how they were chosen, warnings, how to reproduce. Every image
 * is embedded as a base64 PNG data URI; no network, no framework, ~20 lines of plain JS.
 */
#include "report/compare_text.h"
#include "report/report.h"
#include "util/paths.h"

#include <gsl/gsl_version.h>
#include <libxml/xmlversion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void esc(FILE *f, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static void num(FILE *f, double v, int digits)
{
    if (isfinite(v)) {
        fprintf(f, "%.*f", digits, v);
    } else {
        fputs("&ndash;", f);
    }
}

static void gnum(FILE *f, double v)
{
    if (isfinite(v)) {
        fprintf(f, "%.4g", v);
    } else {
        fputs("&ndash;", f);
    }
}

/* A p-value: "< 1e-300" when it underflowed to 0. */
static void pval(FILE *f, double v)
{
    if (v == 0) {
        fputs("&lt;&nbsp;1e-300", f);
    } else {
        gnum(f, v);
    }
}

/* Embed the PNG at @p path as <img>; false when it cannot be read. */
static bool embed_png(FILE *f, const char *path, const char *alt, const char *cls)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        return false;
    }
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fprintf(f, "<img class=\"%s\" alt=\"", cls);
    esc(f, alt);
    fputs("\" src=\"data:image/png;base64,", f);
    unsigned char buf[3 * 4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        size_t i = 0;
        for (; i + 3 <= got; i += 3) {
            unsigned v = (unsigned)buf[i] << 16 | (unsigned)buf[i + 1] << 8 | buf[i + 2];
            char o[4] = {b64[v >> 18], b64[(v >> 12) & 63], b64[(v >> 6) & 63], b64[v & 63]};
            fwrite(o, 1, 4, f);
        }
        if (i < got) { /* only at the end of the file: sizeof buf is a multiple of 3 */
            unsigned v = (unsigned)buf[i] << 16 | (i + 1 < got ? (unsigned)buf[i + 1] << 8 : 0u);
            char o[4] = {b64[v >> 18], b64[(v >> 12) & 63],
                         i + 1 < got ? b64[(v >> 6) & 63] : '=', '='};
            fwrite(o, 1, 4, f);
        }
    }
    fclose(in);
    fputs("\">", f);
    return true;
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:0 auto;"
    "max-width:1320px;padding:16px 24px;color:#1d1d1f;background:#fff}\n"
    "h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;"
    "margin-top:1.6em}h3{margin:1em 0 .3em}\n"
    "nav a{margin-right:1em}table{border-collapse:collapse;font-size:13px;margin:.5em 0}\n"
    "th,td{border:1px solid #ccc;padding:3px 7px;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "th{background:#f0f0f3}table.sortable th{cursor:pointer}"
    "table.sortable th:after{content:' \\2195';color:#999}\n"
    "tr.failed td{background:#fde2e2}td.qc{color:#b45309}.warn li,small.warn{color:#92400e}\n"
    "img.plot{max-width:100%;border:1px solid #eee}img.thumb{max-width:100%}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(900px,1fr));gap:12px}\n"
    "table.plate{table-layout:fixed;width:100%}table.plate th:first-child{width:24px}\n"
    "table.plate td{height:42px;font-size:10px;text-align:center;vertical-align:middle;"
    "overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\n"
    "pre{background:#f6f6f8;padding:8px;white-space:pre-wrap;word-break:break-all}\n"
    "dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 16px}"
    "dl.kv dt{font-weight:600}dl.kv dd{margin:0}\n";

/* Plain JS: click a header of a table.sortable to sort by that column (numbers as numbers,
 * missing values last), click again to reverse. */
static const char script[] =
    "document.querySelectorAll('table.sortable').forEach(function(t){\n"
    " t.querySelectorAll('th').forEach(function(th){\n"
    "  th.addEventListener('click',function(){\n"
    "   var b=t.tBodies[0],k=th.cellIndex,num=th.dataset.type==='num';\n"
    "   var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir>0?'asc':'desc';\n"
    "   var rows=Array.prototype.slice.call(b.rows);\n"
    "   rows.sort(function(a,c){\n"
    "    var x=a.cells[k].textContent.trim(),y=c.cells[k].textContent.trim();\n"
    "    if(num){var p=parseFloat(x),q=parseFloat(y);\n"
    "     if(isNaN(p))return isNaN(q)?0:1;if(isNaN(q))return -1;return (p-q)*dir;}\n"
    "    return x.localeCompare(y)*dir;});\n"
    "   rows.forEach(function(r){b.appendChild(r);});});});});\n";

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
    esc(f, res->annexin_channel);
    fputs(" <small>(", f);
    esc(f, res->annexin_why);
    fputs(")</small></dd>\n<dt>Dead-cell dye channel</dt><dd>", f);
    esc(f, res->pi_channel);
    if (res->dead_dye[0] != '\0') {
        fputs(" (", f);
        esc(f, res->dead_dye);
        fputs(")", f);
    }
    fputs(" <small>(", f);
    esc(f, res->pi_why);
    fputs(")</small></dd>\n<dt>Compensation</dt><dd>", f);
    esc(f, res->comp_source);
    fputs("</dd>\n<dt>Thresholds</dt><dd>Annexin V ", f);
    gnum(f, res->annexin.value);
    fputs(", PI ", f);
    gnum(f, res->pi.value);
    fputs(" (compensated data units)</dd>\n", f);
    fprintf(f, "<dt>Comparisons</dt><dd>%zu treated groups vs stimulus only; %zu dose-response "
               "fit(s)</dd>\n",
            res->n_comparisons, res->n_fits);
    fprintf(f, "<dt>Warnings</dt><dd>%zu</dd>\n</dl></section>\n", res->n_warnings);
}

static void samples_table(FILE *f, const report_input *r)
{
    fputs("<section id=\"samples\"><h2>Samples</h2>\n<p>Quadrant percentages are of singlets "
          "(apoptotic = early + late). Click a column header to sort. Full precision is in "
          "samples.csv.</p>\n<table id=\"samples-table\" class=\"sortable\"><thead><tr>"
          "<th>sample</th><th>file</th><th>role</th><th>treatment</th><th data-type=\"num\">"
          "dose</th><th>unit</th><th data-type=\"num\">rep</th><th>well</th>"
          "<th data-type=\"num\">events</th><th data-type=\"num\">singlets</th>"
          "<th data-type=\"num\">viable %</th><th data-type=\"num\">early %</th>"
          "<th data-type=\"num\">late %</th><th data-type=\"num\">necrotic %</th>"
          "<th data-type=\"num\">apoptotic %</th><th>QC flags</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < r->n_samples; i++) {
        const report_sample *s = &r->samples[i];
        const char *base = strrchr(s->file, '/');
        fputs(s->error[0] ? "<tr class=\"failed\"><td>" : "<tr><td>", f);
        esc(f, s->sample);
        fputs("</td><td>", f);
        esc(f, base ? base + 1 : s->file);
        fputs("</td><td>", f);
        esc(f, s->role);
        fputs("</td><td>", f);
        esc(f, s->treatment);
        fputs("</td><td class=\"n\">", f);
        esc(f, s->dose);
        fputs("</td><td>", f);
        esc(f, s->dose_unit);
        fputs("</td><td class=\"n\">", f);
        if (s->replicate) {
            fprintf(f, "%u", s->replicate);
        }
        fputs("</td><td>", f);
        esc(f, s->well);
        fprintf(f, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>",
                (unsigned long long)s->events, (unsigned long long)s->singlets);
        for (int q = 0; q < ASSAY_Q_COUNT; q++) {
            fputs("<td class=\"n\">", f);
            num(f, s->pct[q], 2);
            fputs("</td>", f);
        }
        fputs("<td class=\"n\"><b>", f);
        num(f, s->apoptotic_pct, 2);
        fputs("</b></td><td class=\"qc\" title=\"", f);
        esc(f, s->error[0] ? s->error : s->qc_detail);
        fputs("\">", f);
        esc(f, s->error[0] ? "failed" : s->qc_flags);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n<p><small>QC flags: <b>low_events</b> fewer singlets than "
          "--min-events; <b>control_implausible</b> a control's positive fraction is "
          "implausible; <b>threshold_outlier</b> the sample's own Annexin V valley is far from "
          "the threshold; <b>flow_instability</b> abrupt event-rate change over Time (clog); "
          "<b>no_singlet_gate</b> no FSC-A/FSC-H pair, doublets not excluded; "
          "<b>no_time_channel</b> flow not checked; <b>failed</b> not analysed; "
          "<b>threshold_in_population</b> a quadrant line lies inside a population; "
          "<b>no_separation</b> no valley between a marker's negative and positive cells: "
          "percentages unreliable; <b>singlet_gate_removed_many</b> the singlet gate removed "
          "more than 20 % of the cells; <b>debris_gate_outlier</b> the sample's own debris "
          "valley is far from the shared gate; <b>debris_in_cells</b> debris overlaps the "
          "cells and is partly inside the Cells gate. Hover a flag "
          "for the details.</small></p>\n",
          f);
    if (r->n_failures > 0) {
        fputs("<h3>Files and samples that could not be analysed</h3>\n"
              "<table id=\"failures\"><thead><tr>"
              "<th>file</th><th>step</th><th>reason</th></tr></thead><tbody>\n",
              f);
        for (size_t i = 0; i < r->n_failures; i++) {
            fputs("<tr class=\"failed\"><td>", f);
            esc(f, r->failures[i].file);
            fputs("</td><td>", f);
            esc(f, r->failures[i].step);
            fputs("</td><td>", f);
            esc(f, r->failures[i].reason);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }
    fputs("</section>\n", f);
}

static void comparisons(FILE *f, const report_input *r)
{
    const assay_result *res = r->res;
    char path[4096];
    fputs("<section id=\"comparisons\"><h2>Comparisons</h2>\n", f);
    if (res->n_comparisons == 0) {
        fputs("<p>No treated group could be compared with a stimulus-only group.</p>\n", f);
    } else {
        fputs("<p>First the stimulus-only group against the untreated group (did the stimulus "
              "induce apoptosis?), then each treated group against the stimulus-only group "
              "(apoptotic % of singlets). With replicates the replicate is the unit: Dunnett's "
              "adjusted p-value over all treated groups (one-way ANOVA, pooled SD) and Welch's "
              "t-test per pair. Without replicates no p-value is given: events are not "
              "independent replicates, so only 95% intervals of the measurement's precision "
              "are shown. Reduction: relative = (stim &minus; treated) / stim; normalised = "
              "(stim &minus; treated) / (stim &minus; untreated).</p>\n<table id=\"comparisons-"
              "table\" class=\"sortable\"><thead><tr><th>treatment</th><th data-type=\"num\">"
              "dose</th><th>unit</th><th data-type=\"num\">n</th><th data-type=\"num\">"
              "apoptotic % (mean &plusmn; SD)</th><th data-type=\"num\">stimulus %</th>"
              "<th data-type=\"num\">untreated %</th><th data-type=\"num\">difference (pp)"
              "</th><th>95% CI of the difference</th><th data-type=\"num\">reduction rel. %"
              "</th><th data-type=\"num\">reduction norm. %</th><th>evidence</th>"
              "<th data-type=\"num\">p vs untreated (Welch)</th></tr></thead><tbody>\n",
              f);
        for (size_t i = 0; i < res->n_comparisons; i++) {
            const assay_comparison *c = &res->comparisons[i];
            char text[200];
            fputs(c->replicates ? "<tr><td>" : "<tr class=\"no-replicates\"><td>", f);
            if (strcmp(c->comparison, "stimulus_vs_untreated") == 0) {
                report_compare_group(c, text, sizeof text);
                esc(f, text);
            } else {
                esc(f, c->treatment);
            }
            fputs("</td><td class=\"n\">", f);
            esc(f, c->dose_text);
            fputs("</td><td>", f);
            esc(f, c->dose_unit);
            fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">", c->n);
            num(f, c->mean, 2);
            if (isfinite(c->sd)) {
                fputs(" &plusmn; ", f);
                num(f, c->sd, 2);
            }
            fputs("</td><td class=\"n\">", f);
            num(f, c->stim_mean, 2);
            fputs("</td><td class=\"n\">", f);
            num(f, c->untreated_mean, 2);
            fputs("</td><td class=\"n\">", f);
            num(f, c->difference_pp, 2);
            fputs("</td><td class=\"n\">", f);
            num(f, c->difference_ci_low, 2);
            fputs(" to ", f);
            num(f, c->difference_ci_high, 2);
            fputs("</td><td class=\"n\">", f);
            num(f, c->reduction_relative_pct, 1);
            fputs("</td><td class=\"n\">", f);
            num(f, c->reduction_normalized_pct, 1);
            fputs("</td><td>", f);
            if (c->replicates) {
                report_compare_evidence(c, text, sizeof text);
                esc(f, text);
            } else {
                fputs("<small class=\"warn\">95% CI: precision only. ", f);
                esc(f, c->note);
                fputs("</small>", f);
            }
            fputs("</td><td class=\"n\">", f);
            pval(f, c->p_value_vs_untreated);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
        char anova[200];
        report_compare_anova(res, anova, sizeof anova);
        if (anova[0]) {
            fputs("<p id=\"anova\">", f);
            esc(f, anova);
            fputs(".</p>\n", f);
        }
    }
    for (size_t k = 0; k < res->n_fits; k++) {
        const assay_dose_fit *d = &res->fits[k];
        fputs("<h3>Dose-response: ", f);
        esc(f, d->treatment);
        fputs("</h3>\n<p>", f);
        if (d->ok) {
            fputs("4-parameter logistic fit: EC50 = <b>", f);
            gnum(f, d->ec50);
            fputc(' ', f);
            esc(f, d->dose_unit);
            fputs("</b> (95% CI ", f);
            gnum(f, d->ec50_ci_lo);
            fputs(" &ndash; ", f);
            gnum(f, d->ec50_ci_hi);
            fputs("), bottom ", f);
            gnum(f, d->bottom);
            fputs(" %, top ", f);
            gnum(f, d->top);
            fputs(" %, Hill slope ", f);
            gnum(f, d->hill);
            fprintf(f, "; %zu points at %zu doses.", d->n_points, d->n_doses);
        } else {
            fputs("The 4PL fit did not converge: ", f);
            esc(f, d->message);
        }
        fputs("</p>\n", f);
        snprintf(path, sizeof path, "%s/plots/dose_response_%zu.png", r->outdir, k + 1);
        embed_png(f, path, "dose-response curve", "plot");
    }
    snprintf(path, sizeof path, "%s/plots/overlay_annexin.png", r->outdir);
    FILE *probe = fopen(path, "rb");
    if (probe != NULL) {
        fclose(probe);
        fputs("<h3>Annexin V: treated groups vs stimulus only</h3>\n", f);
        embed_png(f, path, "Annexin V overlay", "plot");
    }
    fputs("</section>\n", f);
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
                esc(f, s->sample);
                fputs("\">", f);
                esc(f, s->sample);
                fputs("<br>", f);
                num(f, v, 1);
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    } else {
        fputs("<p>The sample sheet has no <code>well</code> column: no plate map.</p>\n", f);
    }
    snprintf(path, sizeof path, "%s/plots/overview.png", r->outdir);
    embed_png(f, path, "quadrant overview of all samples", "plot");
    fputs("</section>\n", f);
}

static void gating_paths(FILE *f, const report_input *r)
{
    char path[4096];
    fputs("<section id=\"gating\"><h2>Gating path of each sample</h2>\n<p>Debris exclusion "
          "(FSC/SSC), doublet exclusion (FSC-A/FSC-H), then the Annexin V / PI quadrants on "
          "compensated, logicle-scaled singlets.</p>\n<div class=\"grid\">\n",
          f);
    for (size_t i = 0; i < r->n_samples; i++) {
        char stem[160];
        apo_output_name(r->samples[i].sample, stem, sizeof stem);
        snprintf(path, sizeof path, "%s/plots/%s.png", r->outdir, stem);
        fputs("<figure>", f);
        if (!embed_png(f, path, r->samples[i].sample, "thumb")) {
            fputs("<p>(no plot)</p>", f);
        }
        fputs("<figcaption>", f);
        esc(f, r->samples[i].sample);
        fputs("</figcaption></figure>\n", f);
    }
    fputs("</div></section>\n", f);
}

static void threshold_row(FILE *f, const char *name, const assay_threshold *t,
                          const gate_transform *scale)
{
    fputs("<tr><td>", f);
    esc(f, name);
    fputs("</td><td class=\"n\">", f);
    gnum(f, t->value);
    fputs("</td><td class=\"n\">", f);
    gnum(f, t->scaled);
    fputs("</td><td>", f);
    esc(f, t->method);
    fputs("</td><td>", f);
    esc(f, t->source);
    fputs("</td><td class=\"n\">", f);
    gnum(f, t->realized_pct);
    fputs("</td><td class=\"n\">", f);
    gnum(f, t->valley_depth);
    fputs("</td><td>", f);
    esc(f, t->reason);
    fputs("</td><td>", f);
    esc(f, gate_transform_kind_name(scale->kind));
    fprintf(f, " T=%.6g W=%.4g M=%.4g A=%.4g</td></tr>\n", scale->T, scale->W, scale->M,
            scale->A);
}

static void method(FILE *f, const report_input *r)
{
    const assay_result *res = r->res;
    fputs("<section id=\"method\"><h2>Thresholds and compensation</h2>\n<h3>Quadrant "
          "thresholds</h3>\n<table id=\"thresholds\"><thead><tr><th>marker</th><th>value "
          "(data units)</th><th>on the gating scale</th><th>method</th><th>from</th><th>% "
          "of the source at or above</th><th>valley depth</th><th>why here</th><th>scale</th>"
          "</tr></thead><tbody>\n",
          f);
    threshold_row(f, "Annexin V", &res->annexin, &res->annexin_scale);
    threshold_row(f, "PI", &res->pi, &res->pi_scale);
    fputs("</tbody></table>\n<p>control_quantile: the given quantile of the negative "
          "population of the marker's negative control (the other single stain, or the "
          "unstained), kept when it lies in a low-density region of the stained samples; "
          "density_valley: the stained samples' valley between their negative and next "
          "population (used when the control's line cuts a population, or there is no "
          "control); fixed: given on the command line; gating_file: read from --gating. Valley "
          "depth: the density at the line over the neighbouring peak's, on the pooled stained "
          "samples (display scale); about 0 in a gap between populations, above 0.5 inside one "
          "(flag threshold_in_population).</p>\n<h3>Compensation</h3>\n<p>Source: <b>",
          f);
    esc(f, res->comp_source);
    fputs("</b> &mdash; ", f);
    esc(f, res->comp_detail);
    fputs("</p>\n<table id=\"spillover\"><thead><tr><th>spillover from \\ into</th><th>", f);
    esc(f, res->annexin_channel);
    fputs("</th><th>", f);
    esc(f, res->pi_channel);
    fputs("</th></tr></thead><tbody><tr><th>", f);
    esc(f, res->annexin_channel);
    fprintf(f, "</th><td class=\"n\">%.6g</td><td class=\"n\">%.6g</td></tr><tr><th>",
            res->spill[0], res->spill[1]);
    esc(f, res->pi_channel);
    fprintf(f, "</th><td class=\"n\">%.6g</td><td class=\"n\">%.6g</td></tr></tbody></table>\n",
            res->spill[2], res->spill[3]);
    fputs("<h3>Pre-gates</h3>\n<p>", f);
    esc(f, res->pregate_detail);
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
        esc(f, res->warnings[i]);
        fputs("</li>\n", f);
    }
    for (size_t i = 0; i < r->n_samples; i++) {
        const report_sample *s = &r->samples[i];
        if (s->error[0] || s->qc_flags[0]) {
            fputs("<li>", f);
            esc(f, s->sample);
            fputs(": ", f);
            esc(f, s->error[0] ? s->error : s->qc_flags);
            if (!s->error[0] && s->qc_detail[0]) {
                fputs(" (", f);
                esc(f, s->qc_detail);
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

/* Options that change speed or chatter, not results: left out of the command shown. */
static bool cosmetic(const char *a, bool *skip_next)
{
    static const char *const with_value[] = {"--jobs", "-j"};
    static const char *const alone[] = {"--quiet", "-q", "--verbose", "-v", "--timings"};
    for (size_t i = 0; i < sizeof with_value / sizeof *with_value; i++) {
        size_t n = strlen(with_value[i]);
        if (strcmp(a, with_value[i]) == 0) {
            *skip_next = true;
            return true;
        }
        if (strncmp(a, with_value[i], n) == 0 && (a[n] == '=' || (n == 2 && a[n] != '\0'))) {
            return true;
        }
    }
    for (size_t i = 0; i < sizeof alone / sizeof *alone; i++) {
        if (strcmp(a, alone[i]) == 0) {
            return true;
        }
    }
    return false;
}

static void shell_word(FILE *f, const char *w)
{
    bool plain = *w != '\0';
    for (const char *p = w; *p; p++) {
        plain = plain && (strchr("+-_./=:,@%", *p) != NULL || (*p >= '0' && *p <= '9') ||
                          (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'));
    }
    if (plain) {
        esc(f, w);
        return;
    }
    fputc('\'', f);
    for (const char *p = w; *p; p++) {
        if (*p == '\'') {
            fputs("'\\''", f);
        } else {
            char c[2] = {*p, '\0'};
            esc(f, c);
        }
    }
    fputc('\'', f);
}

static void reproduce(FILE *f, const report_input *r)
{
    fputs("<section id=\"reproduce\"><h2>How to reproduce</h2>\n<p>Command (options that only "
          "change speed or messages, such as <code>--jobs</code>, are left out):</p>\n<pre>"
          "apoflow",
          f);
    bool skip = false;
    for (int i = 0; i < r->argc; i++) {
        if (skip) {
            skip = false;
            continue;
        }
        if (cosmetic(r->argv[i], &skip)) {
            continue;
        }
        fputc(' ', f);
        shell_word(f, r->argv[i]);
    }
    fputs("</pre>\n", f);
    if (r->note != NULL) {
        fputs("<p>", f);
        esc(f, r->note);
        fputs("</p>\n", f);
    }
    fprintf(f, "<p>Versions: apoflow %s, GNU Scientific Library %s, libxml2 %s.</p>\n",
            APOFLOW_VERSION, GSL_VERSION, LIBXML_DOTTED_VERSION);
    fputs("<h3>Inputs (SHA-256)</h3>\n<table id=\"checksums\"><thead><tr><th>file</th>"
          "<th>SHA-256</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < r->n_samples; i++) {
        fputs("<tr><td>", f);
        esc(f, r->samples[i].file);
        fputs("</td><td><code>", f);
        esc(f, r->samples[i].sha256[0] ? r->samples[i].sha256 : "unknown");
        fputs("</code></td></tr>\n", f);
    }
    for (size_t i = 0; i < r->n_failures; i++) {
        if (strcmp(r->failures[i].step, "read") != 0) {
            continue; /* analysed samples are listed above */
        }
        fputs("<tr><td>", f);
        esc(f, r->failures[i].file);
        fputs("</td><td>(could not be read)</td></tr>\n", f);
    }
    fputs("</tbody></table>\n</section>\n", f);
}

apo_status report_write_html(const report_input *r, apo_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/report.html", r->outdir);
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    FILE *f = af.fp;
    const char *title = r->title ? r->title : "apoflow report";
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    esc(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head><body>\n<h1>", style);
    esc(f, title);
    fputs("</h1>\n<p>Annexin V / PI apoptosis analysis by apoflow " APOFLOW_VERSION ".</p>\n"
          "<nav><a href=\"#samples\">Samples</a><a href=\"#comparisons\">Comparisons</a>"
          "<a href=\"#plate\">Plate</a><a href=\"#review\">Review gates</a><a href=\"#gating\">Gating</a><a href=\"#method\">"
          "Thresholds</a><a href=\"#warnings\">Warnings</a><a href=\"#reproduce\">Reproduce"
          "</a></nav>\n",
          f);
    summary(f, r);
    report_summary_figures_html(f, r);
    samples_table(f, r);
    comparisons(f, r);
    plate(f, r);
    review_write_html(f, r);
    gating_paths(f, r);
    method(f, r);
    warnings(f, r);
    reproduce(f, r);
    fprintf(f, "<script>\n%s</script>\n", script);
    review_write_script(f);
    fputs("</body></html>\n", f);
    if (ferror(f)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(&af, err);
}
