/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compare_text.c: the terminal and report wording of the comparison rows (compare_text.h).
 * A p-value is only ever shown with its method; a row without replicates shows a 95 %
 * interval with the pseudo-replication warning instead.
 */
#include "report/compare_text.h"

#include <math.h>
#include <string.h>

static bool is_stimulus_row(const assay_comparison *c)
{
    return c->comparison == ASSAY_COMPARISON_STIMULUS_VS_UNTREATED;
}

void report_compare_group(const assay_comparison *c, char *buf, size_t cap)
{
    if (is_stimulus_row(c)) {
        snprintf(buf, cap, "%s (stimulus) vs untreated", c->treatment[0] ? c->treatment : "stimulus");
    } else {
        snprintf(buf, cap, "%s %s%s%s", c->treatment, c->dose_text, c->dose_unit[0] ? " " : "",
                 c->dose_unit);
    }
}

static size_t treated_rows(const assay_result *r)
{
    size_t m = 0;
    for (size_t i = 0; i < r->n_comparisons; i++) {
        m += !is_stimulus_row(&r->comparisons[i]);
    }
    return m;
}

void report_compare_evidence(const assay_comparison *c, char *buf, size_t cap)
{
    if (!c->replicates) {
        snprintf(buf, cap, "difference 95%% CI %.2f to %.2f pp (events, precision only)",
                 c->difference_ci_low, c->difference_ci_high);
    } else if (!isfinite(c->p_value)) {
        snprintf(buf, cap, "no p-value (%s)", assay_test_name(c->test));
    } else if (c->adjust_method == ASSAY_ADJUST_DUNNETT_SINGLE_STEP) {
        snprintf(buf, cap, "p_adj = %.3g (Dunnett vs stimulus); Welch p = %.3g", c->p_adjusted,
                 c->p_value);
    } else if (is_stimulus_row(c)) {
        snprintf(buf, cap, "p = %.3g (Welch t, single comparison)", c->p_value);
    } else {
        snprintf(buf, cap, "p = %.3g (Welch t, not adjusted for multiple comparisons)",
                 c->p_value);
    }
}

void report_compare_anova(const assay_result *r, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < r->n_comparisons; i++) {
        const assay_comparison *c = &r->comparisons[i];
        if (!is_stimulus_row(c) && isfinite(c->anova_f)) {
            snprintf(buf, cap,
                     "One-way ANOVA over the stimulus and %zu treated group(s): F(%.0f, %.0f) = "
                     "%.4g, p = %.3g",
                     treated_rows(r), c->anova_df1, c->anova_df2, c->anova_f, c->anova_p);
            return;
        }
    }
}

/* A number with 2 decimals, or "-" when there is none. */
static void cell(char *buf, size_t cap, double v)
{
    if (isfinite(v)) {
        snprintf(buf, cap, "%.2f", v);
    } else {
        snprintf(buf, cap, "-");
    }
}

void report_compare_print(FILE *f, const assay_result *r)
{
    if (r->n_comparisons == 0) {
        return;
    }
    const char *note = NULL;
    fprintf(f, "\n%-30s %3s %8s %8s %8s %9s %9s  %s\n", "comparison", "n", "apopt%", "ref%",
            "diff_pp", "red_rel%", "red_norm%", "evidence (95% CI without replicates)");
    for (size_t i = 0; i < r->n_comparisons; i++) {
        const assay_comparison *c = &r->comparisons[i];
        char group[160], ev[200];
        report_compare_group(c, group, sizeof group);
        report_compare_evidence(c, ev, sizeof ev);
        double ref = is_stimulus_row(c) ? c->untreated_mean : c->stim_mean;
        char rel[32], norm[32];
        cell(rel, sizeof rel, c->reduction_relative_pct);
        cell(norm, sizeof norm, c->reduction_normalized_pct);
        fprintf(f, "%-30s %3zu %8.2f %8.2f %+8.2f %9s %9s  %s%s\n", group, c->n, c->mean, ref,
                c->difference_pp, rel, norm, ev, c->replicates ? "" : " *");
        if (!c->replicates) {
            note = c->note;
        }
    }
    char anova[200];
    report_compare_anova(r, anova, sizeof anova);
    if (anova[0]) {
        fprintf(f, "%s\n", anova);
    }
    if (note != NULL) {
        fprintf(f, "* %s\n", note);
    }
}
