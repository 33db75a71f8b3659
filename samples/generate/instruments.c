// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * instruments.c: the instrument families of the simulated cytometer. "canto" (digital,
 * area + height, float) and "calibur" (height only, 1024-channel log amplifier) are the models
 * of the original presets (cells.c detects them); the others are table-driven: a channel list
 * in the vendor's naming, a gain (instrument units per simulator unit) and the fraction of each
 * stain seen in each detector. family_defs gives every family its noise, $SPILLOVER text (the
 * stains' rows equal the simulated spill; tests/cli/test_simulate.c measures it on the events)
 * and doublet rate.
 */
#include "sim_internal.h"

#include <gsl/gsl_randist.h>
#include <string.h>

/* Guava Muse-like: no side scatter, heights on a linear scale, a pulse width, Annexin V-PE on
 * the yellow detector and 7-AAD on the red one. */
static const sim_channel muse_channels[] = {
    {"FSC-HLin", "", SIM_CH_FSC_H, 0},         {"FSC-W", "", SIM_CH_FSC_W, 0},
    {"YEL-HLin", "Annexin V-PE", SIM_CH_FL_H, 0}, {"RED-HLin", "7-AAD", SIM_CH_FL_H, 1},
    {"Time", "", SIM_CH_TIME, 0}};

/* CytoFLEX-like: PI read in PC5.5 (690/50), PE-A an unused detector that sees both dyes. */
static const sim_channel cytoflex_channels[] = {
    {"FSC-A", "", SIM_CH_FSC_A, 0},     {"FSC-H", "", SIM_CH_FSC_H, 0},
    {"SSC-A", "", SIM_CH_SSC_A, 0},     {"SSC-H", "", SIM_CH_SSC_H, 0},
    {"FITC-A", "Annexin V FITC", SIM_CH_FL_A, 0}, {"PE-A", "", SIM_CH_FL_A, 2},
    {"PC5.5-A", "PI", SIM_CH_FL_A, 1},  {"Time", "", SIM_CH_TIME, 0}};

/* Attune NxT-like: blue laser detectors BL1 (530/30), BL2 (574/26), BL3 (695/40). */
static const sim_channel attune_channels[] = {
    {"FSC-A", "", SIM_CH_FSC_A, 0},  {"FSC-H", "", SIM_CH_FSC_H, 0},
    {"SSC-A", "", SIM_CH_SSC_A, 0},  {"SSC-H", "", SIM_CH_SSC_H, 0},
    {"BL1-A", "Annexin V-FITC", SIM_CH_FL_A, 0}, {"BL2-A", "", SIM_CH_FL_A, 2},
    {"BL3-A", "PI", SIM_CH_FL_A, 1}, {"BL1-H", "", SIM_CH_FL_H, 0},
    {"BL3-H", "", SIM_CH_FL_H, 1},   {"Time", "", SIM_CH_TIME, 0}};

/* NovoCyte-like: heights first, every detector as -H and -A, PI read in PE (572/28). */
static const sim_channel novocyte_channels[] = {
    {"FSC-H", "", SIM_CH_FSC_H, 0},          {"FSC-A", "", SIM_CH_FSC_A, 0},
    {"SSC-H", "", SIM_CH_SSC_H, 0},          {"SSC-A", "", SIM_CH_SSC_A, 0},
    {"FITC-H", "Annexin V-FITC", SIM_CH_FL_H, 0}, {"FITC-A", "Annexin V-FITC", SIM_CH_FL_A, 0},
    {"PE-H", "PI", SIM_CH_FL_H, 1},          {"PE-A", "PI", SIM_CH_FL_A, 1},
    {"Time", "", SIM_CH_TIME, 0}};

/* Navios / Gallios-like (Beckman Coulter, as Kaluza and the FCS 3 data sets of .LMD files name
 * them): forward and side scatter as FS and SS with -H, -A and -W, detectors FL1..FL3, PI read
 * in FL3 (620/30), FL2 (575/30) an unused detector between the dyes, TIME in capitals. */
static const sim_channel navios_channels[] = {
    {"FS-H", "", SIM_CH_FSC_H, 0},   {"FS-A", "", SIM_CH_FSC_A, 0},
    {"FS-W", "", SIM_CH_FSC_W, 0},   {"SS-H", "", SIM_CH_SSC_H, 0},
    {"SS-A", "", SIM_CH_SSC_A, 0},   {"FL1-A", "Annexin V-FITC", SIM_CH_FL_A, 0},
    {"FL2-A", "", SIM_CH_FL_A, 2},   {"FL3-A", "PI", SIM_CH_FL_A, 1},
    {"TIME", "", SIM_CH_TIME, 0}};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const sim_family families[] = {
    {"muse", N_OF(muse_channels), muse_channels, 0.1, {{1.0, 0.08, 0}, {0.02, 1.0, 0}}},
    {"cytoflex", N_OF(cytoflex_channels), cytoflex_channels, 8.0,
     {{1.0, 0.03, 0.18}, {0.004, 1.0, 0.40}}},
    {"attune", N_OF(attune_channels), attune_channels, 4.0,
     {{1.0, 0.02, 0.15}, {0.003, 1.0, 0.30}}},
    {"novocyte", N_OF(novocyte_channels), novocyte_channels, 40.0,
     {{1.0, 0.20, 0}, {0.01, 1.0, 0}}},
    {"navios", N_OF(navios_channels), navios_channels, 4.0,
     {{1.0, 0.02, 0.20}, {0.004, 1.0, 0.35}}},
};

static const sim_family *family_find(const char *name)
{
    for (size_t i = 0; i < N_OF(families); i++) {
        if (strcmp(families[i].name, name) == 0) {
            return &families[i];
        }
    }
    return NULL;
}

/* Every family of the scenarios: the instrument model (noise in the family's units), its
 * $SPILLOVER (rows: the dye of each detector; the stains' rows match `spill` above) and doublet
 * rate (height-only instruments cannot gate doublets, so they are simulated as rare there). */
typedef struct family_def {
    const char *name;
    sim_instrument ins;
    const char *spillover;
    double doublets;
} family_def;

static const family_def family_defs[] = {
    {"canto",
     {"FACSCanto II (simulated)", false, 262144.0, 0.22, 0.012, 0, 0, 35.0, 1.5, 1200.0, 0.01,
      NULL, false},
     "2,FITC-A,PE-A,1,0.22,0.012,1", 0.05},
    {"calibur",
     {"FACSCalibur (simulated)", true, 1024.0, 0.03, 0.002, 0.25, 0.45, 2.0, 0.0, 600.0, 0.1,
      NULL, true},
     "3,FL1-H,FL2-H,FL3-H,1,0.25,0.03,0,1,0,0.002,0.45,1", 0.004},
    {"muse",
     {"Guava Muse (simulated)", false, 65536.0, 0, 0, 0, 0, 3.5, 0.15, 300.0, 0.01, NULL, false},
     "2,YEL-HLin,RED-HLin,1,0.08,0.02,1", 0.05},
    {"cytoflex",
     {"CytoFLEX (simulated)", false, 8388608.0, 0, 0, 0, 0, 280.0, 12.0, 2000.0, 0.01, NULL,
      false},
     "3,FITC-A,PE-A,PC5.5-A,1,0.18,0.03,0.01,1,0.15,0.004,0.4,1", 0.05},
    {"attune",
     {"Attune NxT (simulated)", false, 1048576.0, 0, 0, 0, 0, 140.0, 6.0, 1500.0, 0.01, NULL,
      false},
     "3,BL1-A,BL2-A,BL3-A,1,0.15,0.02,0.01,1,0.12,0.003,0.3,1", 0.05},
    {"novocyte",
     {"NovoCyte (simulated)", false, 16777215.0, 0, 0, 0, 0, 1400.0, 60.0, 1000.0, 0.01, NULL,
      false},
     "2,FITC-A,PE-A,1,0.2,0.01,1", 0.05},
    {"navios",
     {"Navios (simulated)", false, 1048576.0, 0, 0, 0, 0, 140.0, 6.0, 1500.0, 0.01, NULL,
      false},
     "3,FL1-A,FL2-A,FL3-A,1,0.2,0.02,0.01,1,0.12,0.004,0.35,1", 0.05},
};

bool sim_instrument_of(const char *family, sim_instrument *ins, const char **spillover,
                       double *doublets)
{
    for (size_t i = 0; i < N_OF(family_defs); i++) {
        if (strcmp(family_defs[i].name, family) == 0) {
            *ins = family_defs[i].ins;
            ins->family = family_find(family); /* NULL for canto and calibur (cells.c) */
            *spillover = family_defs[i].spillover;
            *doublets = family_defs[i].doublets;
            return true;
        }
    }
    return false;
}

void sim_family_detect(const sim_instrument *ins, const sim_cell *c, double *row, gsl_rng *rng)
{
    const sim_family *f = ins->family;
    const double af[SIM_N_DETECTORS] = {c->af_fitc, c->af_pi, c->af_pi};
    double det[SIM_N_DETECTORS];
    for (int k = 0; k < SIM_N_DETECTORS; k++) {
        det[k] = af[k] + f->spill[0][k] * c->ann + f->spill[1][k] * c->pi;
    }
    const double g = f->gain;
    for (size_t i = 0; i < f->n_channels; i++) {
        const sim_channel *ch = &f->channels[i];
        double v = 0.0;
        switch (ch->kind) {
        case SIM_CH_FSC_A: v = sim_noisy(ins, g * c->fsc_a, rng); break;
        case SIM_CH_FSC_H: v = sim_noisy(ins, g * c->fsc_h, rng); break;
        case SIM_CH_SSC_A: v = sim_noisy(ins, g * c->ssc_a, rng); break;
        case SIM_CH_SSC_H: v = sim_noisy(ins, g * c->ssc_h, rng); break;
        case SIM_CH_FSC_W:
            v = 60.0 * c->fsc_a / c->fsc_h * (1.0 + gsl_ran_gaussian(rng, 0.03));
            break;
        case SIM_CH_FL_A: v = sim_noisy(ins, g * det[ch->det], rng); break;
        case SIM_CH_FL_H: v = sim_noisy(ins, 0.82 * g * det[ch->det], rng); break;
        case SIM_CH_TIME: continue;
        }
        row[i] = v > ins->range - 1 ? ins->range - 1 : v;
    }
}
