/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * results_json.c: the parts of results.json that `apoflow run` and `apoflow merge` write
 * alike: the group comparisons and the dose-response fits (docs/outputs.md). One writer, so a
 * merged results.json stays byte-identical to a single run's.
 */
#include "assay/assay.h"

#include "util/util.h"

/* The keys added with the comparison family (docs/outputs.md), as in comparisons.csv. */
static void comparison_tail(FILE *f, const assay_comparison *c, bool *b)
{
    apo_json_kv_str(f, "note", c->note, b);
    apo_json_kv_str(f, "comparison", assay_comparison_kind_name(c->comparison), b);
    apo_json_key(f, "replicates", b);
    fputs(c->replicates ? "true" : "false", f);
    apo_json_kv_num(f, "p_adjusted", c->p_adjusted, b);
    apo_json_kv_str(f, "adjust_method", assay_adjust_name(c->adjust_method), b);
    apo_json_kv_num(f, "statistic_adjusted", c->t_adjusted, b);
    apo_json_kv_num(f, "df_adjusted", c->df_adjusted, b);
    apo_json_kv_num(f, "anova_f", c->anova_f, b);
    apo_json_kv_num(f, "anova_df1", c->anova_df1, b);
    apo_json_kv_num(f, "anova_df2", c->anova_df2, b);
    apo_json_kv_num(f, "anova_p", c->anova_p, b);
    apo_json_kv_str(f, "ci_method", assay_ci_method_name(c->ci_method), b);
    apo_json_kv_num(f, "apoptotic_pct_ci_low", c->ci_low, b);
    apo_json_kv_num(f, "apoptotic_pct_ci_high", c->ci_high, b);
    apo_json_kv_num(f, "difference_pp_ci_low", c->difference_ci_low, b);
    apo_json_kv_num(f, "difference_pp_ci_high", c->difference_ci_high, b);
    apo_json_kv_num(f, "reduction_relative_ci_low", c->reduction_relative_ci_low, b);
    apo_json_kv_num(f, "reduction_relative_ci_high", c->reduction_relative_ci_high, b);
    apo_json_kv_uint(f, "apoptotic_events", c->events_apoptotic, b);
    apo_json_kv_uint(f, "singlet_events", c->events_singlets, b);
    apo_json_kv_uint(f, "reference_apoptotic_events", c->ref_events_apoptotic, b);
    apo_json_kv_uint(f, "reference_singlet_events", c->ref_events_singlets, b);
}

void assay_json_comparisons(FILE *f, const assay_result *r, bool *first_key)
{
    bool first = *first_key;
    apo_json_key(f, "comparisons", &first);
    fputc('[', f);
    for (size_t i = 0; i < r->n_comparisons; i++) {
        const assay_comparison *c = &r->comparisons[i];
        bool b = true;
        fputs(i ? ",{" : "{", f);
        apo_json_kv_str(f, "treatment", c->treatment, &b);
        apo_json_kv_str(f, "dose", c->dose_text, &b);
        apo_json_kv_str(f, "dose_unit", c->dose_unit, &b);
        apo_json_kv_uint(f, "n", c->n, &b);
        apo_json_kv_num(f, "apoptotic_pct_mean", c->mean, &b);
        apo_json_kv_num(f, "apoptotic_pct_sd", c->sd, &b);
        apo_json_kv_uint(f, "stimulus_n", c->stim_n, &b);
        apo_json_kv_num(f, "stimulus_apoptotic_pct_mean", c->stim_mean, &b);
        apo_json_kv_num(f, "stimulus_apoptotic_pct_sd", c->stim_sd, &b);
        apo_json_kv_uint(f, "untreated_n", c->untreated_n, &b);
        apo_json_kv_num(f, "untreated_apoptotic_pct_mean", c->untreated_mean, &b);
        apo_json_kv_num(f, "difference_pp", c->difference_pp, &b);
        apo_json_kv_num(f, "reduction_relative_pct", c->reduction_relative_pct, &b);
        apo_json_kv_num(f, "reduction_normalized_pct", c->reduction_normalized_pct, &b);
        apo_json_kv_num(f, "statistic", c->t, &b);
        apo_json_kv_num(f, "df", c->df, &b);
        apo_json_kv_num(f, "p_value", c->p_value, &b);
        apo_json_kv_str(f, "test", assay_test_name(c->test), &b);
        apo_json_kv_num(f, "p_value_vs_untreated", c->p_value_vs_untreated, &b);
        apo_json_kv_str(f, "test_vs_untreated", assay_test_name(c->test_vs_untreated), &b);
        comparison_tail(f, c, &b);
        fputc('}', f);
    }
    fputc(']', f);
    apo_json_key(f, "dose_response", &first);
    fputc('[', f);
    for (size_t i = 0; i < r->n_fits; i++) {
        const assay_dose_fit *d = &r->fits[i];
        bool b = true;
        fputs(i ? ",{" : "{", f);
        apo_json_kv_str(f, "treatment", d->treatment, &b);
        apo_json_kv_str(f, "dose_unit", d->dose_unit, &b);
        apo_json_kv_uint(f, "n_points", d->n_points, &b);
        apo_json_kv_uint(f, "n_doses", d->n_doses, &b);
        apo_json_key(f, "ok", &b);
        fputs(d->ok ? "true" : "false", f);
        apo_json_kv_num(f, "bottom", d->bottom, &b);
        apo_json_kv_num(f, "top", d->top, &b);
        apo_json_kv_num(f, "ec50", d->ec50, &b);
        apo_json_kv_num(f, "ec50_ci_low", d->ec50_ci_lo, &b);
        apo_json_kv_num(f, "ec50_ci_high", d->ec50_ci_hi, &b);
        apo_json_kv_num(f, "hill", d->hill, &b);
        apo_json_kv_num(f, "se_bottom", d->se_bottom, &b);
        apo_json_kv_num(f, "se_top", d->se_top, &b);
        apo_json_kv_num(f, "se_log_ec50", d->se_log_ec50, &b);
        apo_json_kv_num(f, "se_hill", d->se_hill, &b);
        apo_json_kv_num(f, "rss", d->rss, &b);
        apo_json_kv_uint(f, "iterations", d->iterations, &b);
        apo_json_kv_str(f, "message", d->message, &b);
        fputc('}', f);
    }
    fputc(']', f);
    *first_key = first;
}
