/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sheet_order.c: assay_result_sheet_order puts the samples of an experiment in the order
 * people read it (controls, untreated, stimulus, each treatment by increasing dose,
 * replicates in order), whatever order the files came in (file names sort "asiv100" before
 * "asiv50").
 */
#include "assay/assay.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static assay_input mk(const char *name, assay_role role, const char *trt, double dose,
                      unsigned rep)
{
    return (assay_input){.sample = name, .file = name, .role = role, .treatment = trt,
                         .dose_text = "", .dose = dose, .dose_unit = "", .replicate = rep};
}

Test(assay_sheet_order, controls_untreated_stimulus_then_treatments_by_dose)
{
    /* the file-name order of samples/ */
    const assay_input in[] = {
        mk("ctrl_annexin_only", ASSAY_ROLE_ANNEXIN_SINGLE, "", NAN, 1),
        mk("ctrl_pi_only", ASSAY_ROLE_PI_SINGLE, "", NAN, 1),
        mk("ctrl_unstained", ASSAY_ROLE_UNSTAINED, "", NAN, 1),
        mk("h2o2_asiv100_r2", ASSAY_ROLE_TREATED, "AS-IV", 100, 2),
        mk("h2o2_asiv100_r1", ASSAY_ROLE_TREATED, "AS-IV", 100, 1),
        mk("h2o2_asiv200_r1", ASSAY_ROLE_TREATED, "AS-IV", 200, 1),
        mk("h2o2_asiv50_r1", ASSAY_ROLE_TREATED, "AS-IV", 50, 1),
        mk("h2o2_nac5_r1", ASSAY_ROLE_TREATED, "NAC", 5, 1),
        mk("h2o2_nac1_r1", ASSAY_ROLE_TREATED, "NAC", 1, 1),
        mk("h2o2_r2", ASSAY_ROLE_STIMULUS, "H2O2", NAN, 2),
        mk("h2o2_r1", ASSAY_ROLE_STIMULUS, "H2O2", NAN, 1),
        mk("mystery", ASSAY_ROLE_UNKNOWN, "", NAN, 0),
        mk("untreated_r1", ASSAY_ROLE_UNTREATED, "", NAN, 1),
    };
    const char *want[] = {"ctrl_unstained", "ctrl_annexin_only", "ctrl_pi_only",
                          "untreated_r1",   "h2o2_r1",           "h2o2_r2",
                          "h2o2_asiv50_r1", "h2o2_asiv100_r1",   "h2o2_asiv100_r2",
                          "h2o2_asiv200_r1", "h2o2_nac1_r1",     "h2o2_nac5_r1",
                          "mystery"};
    size_t n = sizeof in / sizeof *in, order[sizeof in / sizeof *in];
    apo_error err;
    cr_assert_eq(assay_result_sheet_order(in, n, order, &err), APO_OK);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(in[order[i]].sample, want[i], "position %zu", i);
    }
}

Test(assay_sheet_order, ties_keep_the_input_order_and_missing_doses_go_last)
{
    const assay_input in[] = {
        mk("b", ASSAY_ROLE_TREATED, "X", NAN, 0), mk("a", ASSAY_ROLE_TREATED, "X", 3, 0),
        mk("d", ASSAY_ROLE_UNTREATED, "", NAN, 0), mk("c", ASSAY_ROLE_UNTREATED, "", NAN, 0),
        mk("e", ASSAY_ROLE_UNTREATED, "", NAN, 1)};
    const char *want[] = {"e", "d", "c", "a", "b"};
    size_t order[5];
    apo_error err;
    cr_assert_eq(assay_result_sheet_order(in, 5, order, &err), APO_OK);
    for (size_t i = 0; i < 5; i++) {
        cr_assert_str_eq(in[order[i]].sample, want[i], "position %zu", i);
    }
    cr_assert_eq(assay_result_sheet_order(in, 0, order, &err), APO_OK);
}
