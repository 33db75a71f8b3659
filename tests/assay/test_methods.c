/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_methods.c: the choices of the results model (assay/methods.h): every value's name is
 * the text the outputs write (docs/outputs.md) and reads back through its parser to the same
 * value; any other text is refused and leaves the output alone. Also the marker of a gate
 * adjustment record (assay/adjust.h).
 */
#include "assay/adjust.h"
#include "assay/assay.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* The names as the outputs write them, by value. */
static const char *const comp_sources[] = {"auto", "controls", "file",
                                           "matrix", "none",   "gating_file"};
static const char *const kinds[] = {"", "treated_vs_stimulus", "stimulus_vs_untreated"};
static const char *const tests[] = {"", "welch_t", "welch_t_no_variance", "none_no_replicates"};
static const char *const adjusts[] = {"", "dunnett_single_step", "none_single_comparison"};
static const char *const cis[] = {"", "t_replicates", "events_wilson_wald_log"};
static const char *const debris[] = {"", "automatic", "off (--no-debris-gate)", "from --gating"};
static const char *const singlet[] = {"", "automatic", "off (--no-singlet-gate)",
                                      "from --gating"};

/* Text a parser must refuse: near misses of real names. */
static const char *const unknown[] = {"bogus", "Welch_t", "welch_t ", " none", "controls;",
                                      "off", "none_no_replicate", "gating file"};
#define N_UNKNOWN (sizeof unknown / sizeof *unknown)

Test(assay_methods, comp_source_names_round_trip)
{
    cr_assert_eq(sizeof comp_sources / sizeof *comp_sources, ASSAY_COMPSRC_COUNT);
    for (int v = 0; v < ASSAY_COMPSRC_COUNT; v++) {
        const char *name = assay_comp_source_name((assay_comp_source)v);
        cr_assert_str_eq(name, comp_sources[v]);
        assay_comp_source back = (assay_comp_source)-1;
        cr_assert(assay_comp_source_parse(name, &back), "%s", name);
        cr_assert_eq((int)back, v, "%s", name);
    }
    for (size_t i = 0; i < N_UNKNOWN; i++) {
        assay_comp_source back = ASSAY_COMPSRC_FILE;
        cr_assert_not(assay_comp_source_parse(unknown[i], &back), "%s", unknown[i]);
        cr_assert_eq(back, ASSAY_COMPSRC_FILE);
    }
    cr_assert_not(assay_comp_source_parse("", &(assay_comp_source){0}));
    cr_assert_str_eq(assay_comp_source_name((assay_comp_source)ASSAY_COMPSRC_COUNT), "");
}

Test(assay_methods, comparison_names_round_trip)
{
    cr_assert_eq(sizeof kinds / sizeof *kinds, ASSAY_COMPARISON_KIND_COUNT);
    for (int v = 0; v < ASSAY_COMPARISON_KIND_COUNT; v++) {
        const char *name = assay_comparison_kind_name((assay_comparison_kind)v);
        cr_assert_str_eq(name, kinds[v]);
        assay_comparison_kind back = (assay_comparison_kind)-1;
        cr_assert(assay_comparison_kind_parse(name, &back), "%s", name);
        cr_assert_eq((int)back, v, "%s", name);
    }
    cr_assert_eq(sizeof tests / sizeof *tests, ASSAY_TEST_COUNT);
    for (int v = 0; v < ASSAY_TEST_COUNT; v++) {
        const char *name = assay_test_name((assay_test)v);
        cr_assert_str_eq(name, tests[v]);
        assay_test back = (assay_test)-1;
        cr_assert(assay_test_parse(name, &back), "%s", name);
        cr_assert_eq((int)back, v, "%s", name);
        cr_assert_eq(assay_test_is_welch((assay_test)v), strncmp(name, "welch", 5) == 0);
    }
    cr_assert_eq(sizeof adjusts / sizeof *adjusts, ASSAY_ADJUST_COUNT);
    for (int v = 0; v < ASSAY_ADJUST_COUNT; v++) {
        const char *name = assay_adjust_name((assay_adjust)v);
        cr_assert_str_eq(name, adjusts[v]);
        assay_adjust back = (assay_adjust)-1;
        cr_assert(assay_adjust_parse(name, &back), "%s", name);
        cr_assert_eq((int)back, v, "%s", name);
    }
    cr_assert_eq(sizeof cis / sizeof *cis, ASSAY_CI_METHOD_COUNT);
    for (int v = 0; v < ASSAY_CI_METHOD_COUNT; v++) {
        const char *name = assay_ci_method_name((assay_ci_method)v);
        cr_assert_str_eq(name, cis[v]);
        assay_ci_method back = (assay_ci_method)-1;
        cr_assert(assay_ci_method_parse(name, &back), "%s", name);
        cr_assert_eq((int)back, v, "%s", name);
    }
    for (size_t i = 0; i < N_UNKNOWN; i++) {
        assay_comparison_kind k = ASSAY_COMPARISON_TREATED_VS_STIMULUS;
        assay_test t = ASSAY_TEST_WELCH_T;
        assay_adjust a = ASSAY_ADJUST_DUNNETT_SINGLE_STEP;
        assay_ci_method c = ASSAY_CI_T_REPLICATES;
        cr_assert_not(assay_comparison_kind_parse(unknown[i], &k), "%s", unknown[i]);
        cr_assert_not(assay_test_parse(unknown[i], &t), "%s", unknown[i]);
        cr_assert_not(assay_adjust_parse(unknown[i], &a), "%s", unknown[i]);
        cr_assert_not(assay_ci_method_parse(unknown[i], &c), "%s", unknown[i]);
        cr_assert(k == ASSAY_COMPARISON_TREATED_VS_STIMULUS && t == ASSAY_TEST_WELCH_T &&
                  a == ASSAY_ADJUST_DUNNETT_SINGLE_STEP && c == ASSAY_CI_T_REPLICATES);
    }
    cr_assert_not(assay_test_parse(NULL, &(assay_test){0}));
}

Test(assay_methods, pregate_choice_names_round_trip_per_gate)
{
    const char *const *names[2] = {debris, singlet};
    const assay_pregate gates[2] = {ASSAY_PREGATE_DEBRIS, ASSAY_PREGATE_SINGLET};
    for (int g = 0; g < 2; g++) {
        for (int v = 0; v < ASSAY_PREGATE_CHOICE_COUNT; v++) {
            const char *name = assay_pregate_choice_name((assay_pregate_choice)v, gates[g]);
            cr_assert_str_eq(name, names[g][v]);
            assay_pregate_choice back = (assay_pregate_choice)-1;
            cr_assert(assay_pregate_choice_parse(name, gates[g], &back), "%s", name);
            cr_assert_eq((int)back, v, "%s", name);
        }
        for (size_t i = 0; i < N_UNKNOWN; i++) {
            assay_pregate_choice back = ASSAY_PREGATE_CHOICE_AUTOMATIC;
            cr_assert_not(assay_pregate_choice_parse(unknown[i], gates[g], &back));
            cr_assert_eq(back, ASSAY_PREGATE_CHOICE_AUTOMATIC);
        }
    }
    /* the option named is the gate's own */
    assay_pregate_choice c;
    cr_assert_not(assay_pregate_choice_parse("off (--no-singlet-gate)", ASSAY_PREGATE_DEBRIS, &c));
    cr_assert_not(assay_pregate_choice_parse("off (--no-debris-gate)", ASSAY_PREGATE_SINGLET, &c));
}

/* The threshold methods, the control quantile with its percentile as the runs write it. */
Test(assay_methods, threshold_method_text_round_trips)
{
    static const struct {
        assay_threshold_method m;
        double pct;
        const char *text;
    } cases[] = {
        {ASSAY_THRESHOLD_UNSET, NAN, ""},
        {ASSAY_THRESHOLD_FIXED, NAN, "fixed"},
        {ASSAY_THRESHOLD_CONTROL_QUANTILE, 99.5, "control_quantile_99.5"},
        {ASSAY_THRESHOLD_CONTROL_QUANTILE, 99, "control_quantile_99"},
        {ASSAY_THRESHOLD_CONTROL_QUANTILE, 100.0 * 0.999, "control_quantile_99.9"},
        {ASSAY_THRESHOLD_CONTROL_QUANTILE, 100, "control_quantile_100"},
        {ASSAY_THRESHOLD_DENSITY_VALLEY, NAN, "density_valley"},
        {ASSAY_THRESHOLD_GATING_FILE, NAN, "gating_file"},
    };
    bool seen[ASSAY_THRESHOLD_METHOD_COUNT] = {false};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[ASSAY_THRESHOLD_METHOD_TEXT];
        assay_threshold_method_text(cases[i].m, cases[i].pct, text, sizeof text);
        cr_assert_str_eq(text, cases[i].text);
        assay_threshold_method back = (assay_threshold_method)-1;
        double pct = -1;
        cr_assert(assay_threshold_method_parse(text, &back, &pct), "%s", text);
        cr_assert_eq(back, cases[i].m, "%s", text);
        if (cases[i].m == ASSAY_THRESHOLD_CONTROL_QUANTILE) {
            char again[ASSAY_THRESHOLD_METHOD_TEXT];
            cr_assert_str_eq(assay_threshold_method_text(back, pct, again, sizeof again), text);
        } else {
            cr_assert(isnan(pct), "%s: %g", text, pct);
        }
        seen[cases[i].m] = true;
    }
    for (int v = 0; v < ASSAY_THRESHOLD_METHOD_COUNT; v++) {
        cr_assert(seen[v], "threshold method %d not tried", v);
    }
    cr_assert_str_eq(assay_threshold_method_name(ASSAY_THRESHOLD_CONTROL_QUANTILE),
                     "control_quantile");
    /* the family name alone, a percentile out of (0, 100] or not written as %g writes it */
    static const char *const bad[] = {"control_quantile", "control_quantile_",
                                      "control_quantile_0",  "control_quantile_-5",
                                      "control_quantile_101", "control_quantile_99.50",
                                      "control_quantile_99.5x", "control_quantile_nan",
                                      "control_quantile_ 99.5", "density_valley_99.5",
                                      "Fixed", "bogus"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assay_threshold_method m = ASSAY_THRESHOLD_FIXED;
        double pct = 42;
        cr_assert_not(assay_threshold_method_parse(bad[i], &m, &pct), "%s", bad[i]);
        cr_assert(m == ASSAY_THRESHOLD_FIXED && pct == 42, "%s changed the output", bad[i]);
    }
}

Test(assay_methods, adjustment_marker_names_round_trip)
{
    static const char *const markers[] = {"annexin", "dead", "pregate"};
    cr_assert_eq(sizeof markers / sizeof *markers, ASSAY_MARKER_COUNT);
    for (int v = 0; v < ASSAY_MARKER_COUNT; v++) {
        const char *name = assay_adjustment_marker_name((assay_adjustment_marker)v);
        cr_assert_str_eq(name, markers[v]);
        assay_adjustment_marker back = (assay_adjustment_marker)-1;
        cr_assert(assay_adjustment_marker_parse(name, &back), "%s", name);
        cr_assert_eq((int)back, v, "%s", name);
    }
    for (size_t i = 0; i < N_UNKNOWN; i++) {
        assay_adjustment_marker back = ASSAY_MARKER_DEAD;
        cr_assert_not(assay_adjustment_marker_parse(unknown[i], &back), "%s", unknown[i]);
        cr_assert_eq(back, ASSAY_MARKER_DEAD);
    }
    cr_assert_not(assay_adjustment_marker_parse("", &(assay_adjustment_marker){0}));
    cr_assert_not(assay_adjustment_marker_parse("Annexin", &(assay_adjustment_marker){0}));
}
