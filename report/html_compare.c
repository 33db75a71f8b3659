/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html_compare.c: the Comparisons section of report.html: the stimulus against the
 * untreated group and each treated group against the stimulus (Dunnett and Welch p-values
 * with replicates, precision intervals only without), the ANOVA line, the dose-response fits
 * and their figures, the Annexin V overlay.
 */
#include "report/compare_text.h"
#include "report/html_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* One row of the comparisons table. */
static void comparison_row(FILE *f, const assay_comparison *c)
{
    char text[200];
    fputs(c->replicates ? "<tr><td>" : "<tr class=\"no-replicates\"><td>", f);
    if (c->comparison == ASSAY_COMPARISON_STIMULUS_VS_UNTREATED) {
        report_compare_group(c, text, sizeof text);
        html_esc(f, text);
    } else {
        html_esc(f, c->treatment);
    }
    fputs("</td><td class=\"n\">", f);
    html_esc(f, c->dose_text);
    fputs("</td><td>", f);
    html_esc(f, c->dose_unit);
    fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">", c->n);
    html_num(f, c->mean, 2);
    if (isfinite(c->sd)) {
        fputs(" &plusmn; ", f);
        html_num(f, c->sd, 2);
    }
    fputs("</td><td class=\"n\">", f);
    html_num(f, c->stim_mean, 2);
    fputs("</td><td class=\"n\">", f);
    html_num(f, c->untreated_mean, 2);
    fputs("</td><td class=\"n\">", f);
    html_num(f, c->difference_pp, 2);
    fputs("</td><td class=\"n\">", f);
    html_num(f, c->difference_ci_low, 2);
    fputs(" to ", f);
    html_num(f, c->difference_ci_high, 2);
    fputs("</td><td class=\"n\">", f);
    html_num(f, c->reduction_relative_pct, 1);
    fputs("</td><td class=\"n\">", f);
    html_num(f, c->reduction_normalized_pct, 1);
    fputs("</td><td>", f);
    if (c->replicates) {
        report_compare_evidence(c, text, sizeof text);
        html_esc(f, text);
    } else {
        fputs("<small class=\"warn\">95% CI: precision only. ", f);
        html_esc(f, c->note);
        fputs("</small>", f);
    }
    fputs("</td><td class=\"n\">", f);
    html_pval(f, c->p_value_vs_untreated);
    fputs("</td></tr>\n", f);
}

/* Each dose-response fit and its figure. */
static void dose_fits(FILE *f, const report_input *r)
{
    const assay_result *res = r->res;
    char path[4096];
    for (size_t k = 0; k < res->n_fits; k++) {
        const assay_dose_fit *d = &res->fits[k];
        fputs("<h3>Dose-response: ", f);
        html_esc(f, d->treatment);
        fputs("</h3>\n<p>", f);
        if (d->ok) {
            fputs("4-parameter logistic fit: EC50 = <b>", f);
            html_gnum(f, d->ec50);
            fputc(' ', f);
            html_esc(f, d->dose_unit);
            fputs("</b> (95% CI ", f);
            html_gnum(f, d->ec50_ci_lo);
            fputs(" &ndash; ", f);
            html_gnum(f, d->ec50_ci_hi);
            fputs("), bottom ", f);
            html_gnum(f, d->bottom);
            fputs(" %, top ", f);
            html_gnum(f, d->top);
            fputs(" %, Hill slope ", f);
            html_gnum(f, d->hill);
            fprintf(f, "; %zu points at %zu doses.", d->n_points, d->n_doses);
        } else {
            fputs("The 4PL fit did not converge: ", f);
            html_esc(f, d->message);
        }
        fputs("</p>\n", f);
        snprintf(path, sizeof path, "%s/plots/dose_response_%zu.png", r->outdir, k + 1);
        html_embed_png(f, path, "dose-response curve", "plot");
    }
}

void html_comparisons(FILE *f, const report_input *r)
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
              "(stim &minus; treated) / (stim &minus; untreated).</p>\n<div class=\"scroll\">"
              "<table id=\"comparisons-"
              "table\" class=\"sortable\"><thead><tr><th>treatment</th><th data-type=\"num\">"
              "dose</th><th>unit</th><th data-type=\"num\">n</th><th data-type=\"num\">"
              "apoptotic % (mean &plusmn; SD)</th><th data-type=\"num\">stimulus %</th>"
              "<th data-type=\"num\">untreated %</th><th data-type=\"num\">difference (pp)"
              "</th><th>95% CI of the difference</th><th data-type=\"num\">reduction rel. %"
              "</th><th data-type=\"num\">reduction norm. %</th><th>evidence</th>"
              "<th data-type=\"num\">p vs untreated (Welch)</th></tr></thead><tbody>\n",
              f);
        for (size_t i = 0; i < res->n_comparisons; i++) {
            comparison_row(f, &res->comparisons[i]);
        }
        fputs("</tbody></table></div>\n", f);
        char anova[200];
        report_compare_anova(res, anova, sizeof anova);
        if (anova[0]) {
            fputs("<p id=\"anova\">", f);
            html_esc(f, anova);
            fputs(".</p>\n", f);
        }
    }
    dose_fits(f, r);
    snprintf(path, sizeof path, "%s/plots/overlay_annexin.png", r->outdir);
    if (html_file_exists(path)) {
        fputs("<h3>Annexin V: treated groups vs stimulus only</h3>\n", f);
        html_embed_png(f, path, "Annexin V overlay", "plot");
    }
    fputs("</section>\n", f);
}
