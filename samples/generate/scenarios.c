// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * scenarios.c: the accuracy scenarios of apoflow_simulate --scenario, one row each. A scenario
 * is a full experiment (unstained, Annexin V-only and dead-dye-only controls; untreated,
 * stimulus and three doses of a treatment in triplicate) on one instrument family, with some
 * hard things switched on one at a time or together. Adding a scenario is adding a row.
 * bench/accuracy.sh runs them through apoflow and compares with the truth.
 */
#include "sim_internal.h"

#include <string.h>

#define UNT SIM_CTRL_UNTREATED
#define TRT SIM_CTRL_TREATED
#define MIX SIM_CTRL_MIXED

/* name, family, events, debris_overlap, dim_annexin, smear, controls, low_viability, beyond,
 * what it varies */
static const sim_scenario scenarios[] = {
    {"canto", "canto", 20000, false, false, false, MIX, false, false,
     "reference: FACSCanto-like area+height float32, clean separation"},
    {"calibur", "calibur", 20000, false, false, false, MIX, false, false,
     "reference: FACSCalibur-like height-only, 1024-channel log amplifier"},
    {"muse", "muse", 20000, false, false, false, MIX, false, false,
     "reference: Guava Muse-like FSC-HLin/FSC-W, Annexin V-PE on YEL-HLin, 7-AAD on RED-HLin"},
    {"cytoflex", "cytoflex", 20000, false, false, false, MIX, false, false,
     "reference: CytoFLEX-like, PI on PC5.5-A, unused PE-A between the dyes"},
    {"attune", "attune", 20000, false, false, false, MIX, false, false,
     "reference: Attune NxT-like BL1/BL2/BL3, -A and -H"},
    {"novocyte", "novocyte", 20000, false, false, false, MIX, false, false,
     "reference: NovoCyte-like, heights first, PI on PE"},
    {"navios", "navios", 20000, false, false, false, MIX, false, false,
     "reference: Navios/Gallios-like, Beckman's FS/SS-H/-A/-W names, PI on FL3-A"},
    {"debris_overlap", "canto", 20000, true, false, false, MIX, false, false,
     "25 % debris 0.7 decades below the cells on FSC, broad, carrying variable stain"},
    {"dim_annexin", "canto", 20000, false, true, false, MIX, false, false,
     "Annexin V+ cells under 1 decade above the viable ones"},
    {"early_smear", "canto", 20000, false, false, true, MIX, false, false,
     "early apoptotic Annexin V continuous from the viable edge up (no gap)"},
    {"controls_untreated", "canto", 20000, false, false, false, UNT, false, false,
     "single-stain controls on untreated cells (few positives)"},
    {"controls_treated", "canto", 20000, false, false, false, TRT, false, false,
     "single-stain controls on stimulus-treated cells (many positives of every kind)"},
    {"few_events", "canto", 2000, false, false, false, MIX, false, false,
     "2,000 events per file"},
    {"many_events", "canto", 1000000, false, false, false, MIX, false, false,
     "1,000,000 events per file (not in the CI subset)"},
    {"low_viability", "canto", 20000, false, false, false, MIX, true, false,
     "stimulus leaves 20 % viable cells (80 % dead)"},
    {"calibur_debris_dim_trtctl", "calibur", 20000, true, true, false, TRT, false, false,
     "debris overlap + dim Annexin V + controls on treated cells, FACSCalibur-like"},
    {"cytoflex_debris_smear", "cytoflex", 20000, true, false, true, MIX, false, false,
     "debris overlap + early smear, CytoFLEX-like"},
    {"attune_lowviab_untctl", "attune", 20000, false, false, false, UNT, true, false,
     "low viability + controls on untreated cells, Attune-like"},
    {"novocyte_debris_dim", "novocyte", 20000, true, true, false, MIX, false, false,
     "debris overlap + dim Annexin V, NovoCyte-like"},
    {"navios_debris_dim", "navios", 20000, true, true, false, MIX, false, false,
     "debris overlap + dim Annexin V, Navios-like (Beckman's scatter names)"},
    {"muse_debris", "muse", 20000, true, false, false, MIX, false, false,
     "debris overlap, Muse-like (FSC only, no side scatter)"},
    {"canto_everything", "canto", 20000, true, true, true, TRT, true, false,
     "debris overlap + dim + smear + treated controls + low viability, FACSCanto-like"},
    {"unresolvable", "canto", 20000, false, false, false, MIX, false, true,
     "Annexin V+ cells 0.3 decades above the viable ones: beyond any method, must be flagged"},
};

size_t sim_scenario_count(void)
{
    return sizeof scenarios / sizeof scenarios[0];
}

const sim_scenario *sim_scenario_at(size_t i)
{
    return i < sim_scenario_count() ? &scenarios[i] : NULL;
}

const sim_scenario *sim_scenario_find(const char *name)
{
    for (size_t i = 0; i < sim_scenario_count(); i++) {
        if (strcmp(scenarios[i].name, name) == 0) {
            return &scenarios[i];
        }
    }
    return NULL;
}

void sim_scenario_biology(const sim_scenario *sc, sim_biology *bio, double *debris)
{
    sim_biology_default(bio);
    *debris = 0.08;
    if (sc->debris_overlap) {
        /* cells' FSC-A median is about 62000: 0.7 decades below is about 12400 */
        bio->debris_fsc = 12400.0;
        bio->debris_fsc_sd = 0.7;
        bio->debris_ssc = 9000.0;
        bio->debris_ssc_sd = 0.7;
        bio->debris_ann = 400.0;
        bio->debris_ann_sd = 1.6;
        bio->debris_pi = 600.0;
        bio->debris_pi_sd = 1.8;
        /* fragments are autofluorescent too, unevenly: they smear every control */
        bio->debris_af_fitc = 150.0;
        bio->debris_af_pi = 110.0;
        bio->debris_af_sd = 1.0;
        *debris = 0.25;
    }
    if (sc->dim_annexin) {
        /* viable cells read about 120 (autofluorescence): early at 0.9, late at 1.1 decades */
        bio->ann_early = 900.0;
        bio->ann_late = 1400.0;
    }
    if (sc->beyond) {
        bio->ann_early = 120.0;
        bio->ann_late = 160.0;
    }
    if (sc->smear) {
        bio->smear_lo = 350.0;
    }
}
