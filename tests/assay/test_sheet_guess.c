/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sheet_guess.c: `apoflow sheet`'s guesses from file names: compound codes with a number
 * are a treatment and dose, units are recognised, and markers or stains with a number in their
 * name ("Ki67", "CD4", "7-AAD", "p53", "Bcl2", cell lines) are never read as doses; 7-AAD,
 * DAPI and SYTOX single stains are the dead-cell dye's control like PI.
 */
#include "assay/assay.h"

#include <criterion/criterion.h>
#include <string.h>

static assay_sheet_guess guess(const char *file)
{
    assay_sheet_guess g;
    assay_sheet_guess_row(NULL, file, &g);
    return g;
}

Test(assay_sheet_guess, markers_and_stains_are_not_doses)
{
    static const char *const files[] = {"Ki67_r1.fcs",      "CD4_CD8_untreated.fcs",
                                        "7-AAD_only.fcs",   "p53_stain.fcs",
                                        "Bcl2_control.fcs", "SH-SY5Y_untreated.fcs",
                                        "HEK293_ctrl.fcs",  "AnnexinV-FITC_DAPI.fcs",
                                        "Casp3_vehicle.fcs", "Jurkat_E6_mock.fcs"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        assay_sheet_guess g = guess(files[i]);
        cr_assert_str_empty(g.dose, "%s: dose \"%s\" (treatment \"%s\")", files[i], g.dose,
                            g.treatment);
        cr_assert_neq(g.role, ASSAY_ROLE_TREATED, "%s: guessed treated", files[i]);
    }
}

Test(assay_sheet_guess, compound_codes_and_units_are_doses)
{
    assay_sheet_guess g = guess("h2o2_asiv50_r2.fcs");
    cr_assert_str_eq(g.treatment, "asiv");
    cr_assert_str_eq(g.dose, "50");
    cr_assert_eq(g.replicate, 2);
    cr_assert_eq(g.role, ASSAY_ROLE_TREATED);

    g = guess("Ki67_staurosporine_10uM_rep3.fcs");
    cr_assert_str_eq(g.dose, "10");
    cr_assert_str_eq(g.dose_unit, "uM"); /* as written */
    cr_assert_str_eq(g.treatment, "staurosporine");
    cr_assert_eq(g.replicate, 3);
    cr_assert_eq(g.role, ASSAY_ROLE_TREATED);

    g = guess("CD4_drug_2.5mg_l.fcs");
    cr_assert_str_eq(g.dose, "2.5");

    /* a tube named as labs name them: treatment and unit in their own spelling */
    g = guess("H2O2 + AS-IV 100 mg:L r2.fcs");
    cr_assert_str_eq(g.treatment, "AS-IV");
    cr_assert_str_eq(g.dose, "100");
    cr_assert_eq(g.replicate, 2);
    g = guess("H2O2_r3.fcs");
    cr_assert_eq(g.role, ASSAY_ROLE_STIMULUS);
    cr_assert_str_eq(g.treatment, "H2O2");
}

/* The dead-cell dye's single stain is the pi_single role whatever the dye (the Muse kit's
 * 7-AAD, DAPI, SYTOX), and PI files keep their evidence text. */
Test(assay_sheet_guess, other_dead_cell_dyes_are_the_dead_dye_control)
{
    static const char *const files[] = {"ctrl_7aad_only.fcs", "7-AAD only.fcs",
                                        "DAPI_single.fcs", "SYTOX Blue only.fcs"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        assay_sheet_guess g = guess(files[i]);
        cr_assert_eq(g.role, ASSAY_ROLE_PI_SINGLE, "%s: role %d (%s)", files[i], (int)g.role,
                     g.evidence);
        cr_assert_str_empty(g.dose, "%s", files[i]);
    }
    assay_sheet_guess g = guess("ctrl_pi_only.fcs");
    cr_assert_eq(g.role, ASSAY_ROLE_PI_SINGLE);
    cr_assert_str_eq(g.evidence, "PI and \"only\" without Annexin/FITC");
    g = guess("Annexin V-PE 7-AAD untreated.fcs"); /* both dyes: not a single stain */
    cr_assert_eq(g.role, ASSAY_ROLE_UNTREATED, "%s", g.evidence);
}
