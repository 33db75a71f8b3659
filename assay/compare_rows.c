// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * compare_rows.c: the statistics of one comparison row (docs/algorithms.md section 8). With
 * replicates (>= 2 usable samples in the group and in its reference) the replicate is the
 * unit: Welch's t-test, the t interval of the group mean and the Welch interval of the
 * difference. Without, events would be pseudo-replicates: no p-value is given, only 95 %
 * intervals that state the precision of the measurement (Wilson score interval of the pooled
 * apoptotic fraction, Wald interval of the difference, log interval of the ratio for the
 * relative reduction), with a note saying so.
 */
#include "assay/compare_internal.h"
#include "assay/groupstats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define NOTE_REPLICATES "replicates as the unit; normality assumed"
#define NOTE_EVENTS                                                                             \
    "no replicates: events used as pseudo-replicates; the 95 % intervals state the precision " \
    "of the measurement, not a biological effect, and no p-value is given"

static void clear_stats(assay_comparison *c)
{
    c->t = c->df = c->p_value = c->p_value_vs_untreated = NAN;
    c->test = c->test_vs_untreated = ASSAY_TEST_UNSET;
    c->p_adjusted = c->t_adjusted = c->df_adjusted = NAN;
    c->adjust_method = ASSAY_ADJUST_UNSET;
    c->anova_f = c->anova_df1 = c->anova_df2 = c->anova_p = NAN;
    c->ci_low = c->ci_high = c->difference_ci_low = c->difference_ci_high = NAN;
    c->reduction_relative_ci_low = c->reduction_relative_ci_high = NAN;
    c->ci_method = ASSAY_CI_UNSET;
}

/* Welch's t of a vs b: statistic, df, p; returns the test done. */
static assay_test welch(const apo_cmp_group *a, const apo_cmp_group *b, double *t, double *df,
                        double *p)
{
    if (assay_welch_t(a->v, a->n, b->v, b->n, t, df, p, NULL) == APO_OK) {
        return ASSAY_TEST_WELCH_T;
    }
    return ASSAY_TEST_WELCH_T_NO_VARIANCE;
}

static void replicate_intervals(assay_comparison *c, const apo_cmp_group *g,
                                const apo_cmp_group *ref)
{
    c->ci_method = ASSAY_CI_T_REPLICATES;
    if (assay_mean_ci(g->v, g->n, 0.95, &c->ci_low, &c->ci_high, NULL) != APO_OK) {
        c->ci_low = c->ci_high = NAN;
    }
    if (assay_welch_ci(g->v, g->n, ref->v, ref->n, 0.95, &c->difference_ci_low,
                      &c->difference_ci_high, NULL) != APO_OK) {
        c->difference_ci_low = c->difference_ci_high = NAN;
    }
}

/* The event intervals, in percent (points for the difference). */
static void event_intervals(assay_comparison *c, const apo_cmp_group *g,
                            const apo_cmp_group *ref, bool reduction)
{
    double lo, hi;
    c->ci_method = ASSAY_CI_EVENTS_WILSON_WALD_LOG;
    if (assay_wilson_ci(g->apo, g->singlets, 0.95, &lo, &hi, NULL) == APO_OK) {
        c->ci_low = 100 * lo;
        c->ci_high = 100 * hi;
    }
    if (assay_prop_diff_ci(g->apo, g->singlets, ref->apo, ref->singlets, 0.95, &lo, &hi, NULL) ==
        APO_OK) {
        c->difference_ci_low = 100 * lo;
        c->difference_ci_high = 100 * hi;
    }
    /* relative reduction = 100 (1 - p_g / p_ref): the ratio's interval, reversed */
    if (reduction && assay_prop_ratio_ci(g->apo, g->singlets, ref->apo, ref->singlets, 0.95, &lo,
                                        &hi, NULL) == APO_OK) {
        c->reduction_relative_ci_low = 100 * (1 - hi);
        c->reduction_relative_ci_high = 100 * (1 - lo);
    }
}

void apo_compare_row_tests(assay_comparison *c, const apo_cmp_group *g,
                           const apo_cmp_group *ref, const apo_cmp_group *unt)
{
    clear_stats(c);
    c->comparison = ASSAY_COMPARISON_TREATED_VS_STIMULUS;
    c->events_apoptotic = g->apo;
    c->events_singlets = g->singlets;
    c->ref_events_apoptotic = ref->apo;
    c->ref_events_singlets = ref->singlets;
    c->replicates = g->n >= 2 && ref->n >= 2;
    if (c->replicates) {
        c->test = welch(g, ref, &c->t, &c->df, &c->p_value);
        replicate_intervals(c, g, ref);
        snprintf(c->note, sizeof c->note, "%s", NOTE_REPLICATES);
    } else {
        c->test = ASSAY_TEST_NONE_NO_REPLICATES;
        event_intervals(c, g, ref, true);
        snprintf(c->note, sizeof c->note, "%s", NOTE_EVENTS);
    }
    if (unt != NULL && unt->n > 0) {
        if (g->n >= 2 && unt->n >= 2) {
            double t, df;
            c->test_vs_untreated = welch(g, unt, &t, &df, &c->p_value_vs_untreated);
        } else {
            c->test_vs_untreated = ASSAY_TEST_NONE_NO_REPLICATES;
        }
    }
}

void apo_compare_stimulus_row(assay_comparison *c, const apo_cmp_group *stim,
                              const apo_cmp_group *unt, const char *treatment,
                              const char *dose_text, const char *dose_unit, double dose)
{
    memset(c, 0, sizeof *c);
    snprintf(c->treatment, sizeof c->treatment, "%s", treatment ? treatment : "");
    snprintf(c->dose_text, sizeof c->dose_text, "%s", dose_text ? dose_text : "");
    snprintf(c->dose_unit, sizeof c->dose_unit, "%s", dose_unit ? dose_unit : "");
    c->dose = dose;
    apo_compare_row_tests(c, stim, unt, NULL);
    c->comparison = ASSAY_COMPARISON_STIMULUS_VS_UNTREATED;
    c->p_value_vs_untreated = c->p_value;
    c->test_vs_untreated = c->test;
    if (isfinite(c->p_value)) {
        c->p_adjusted = c->p_value;
        c->adjust_method = ASSAY_ADJUST_NONE_SINGLE_COMPARISON;
    }
    c->reduction_relative_pct = c->reduction_normalized_pct = NAN;
    c->reduction_relative_ci_low = c->reduction_relative_ci_high = NAN;
}
