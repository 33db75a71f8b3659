/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim_internal.h: the simulated cytometer behind apoflow_simulate. A preset describes an
 * instrument (channel names, scales, spillover, noise) and an experiment (the samples with
 * their true population fractions); sim_events() draws the events of one sample and the true
 * class of each event. Private to samples/generate/.
 */
#ifndef APOFLOW_SAMPLES_SIM_INTERNAL_H
#define APOFLOW_SAMPLES_SIM_INTERNAL_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>

/* True class of an event (written to the truth files as the number). */
enum sim_class {
    SIM_VIABLE = 0,
    SIM_EARLY = 1,
    SIM_LATE = 2,
    SIM_NECROTIC = 3,
    SIM_DEBRIS = 4,
    SIM_DOUBLET = 5
};
#define SIM_N_CLASSES 6

/* Instrument model. Channel order in the file is fixed per instrument kind. */
typedef struct sim_instrument {
    const char *cytometer;  /* $CYT */
    bool height_only;       /* FACSCalibur-like: FSC-H, SSC-H, FL1-H, FL2-H, FL3-H, Time */
    double range;           /* $PnR of the scatter/fluorescence channels */
    double spill_fitc_pi;   /* spill of FITC into the PI detector */
    double spill_pi_fitc;   /* spill of PI into the FITC detector */
    double spill_fitc_fl2;  /* height_only: FITC into FL2 */
    double spill_pi_fl2;    /* height_only: PI into FL2 */
    double noise_sd;        /* electronic noise (linear instruments) */
    double photon_k;        /* Poisson-like variance per unit signal */
    double events_per_s;
    double timestep;        /* $TIMESTEP */
} sim_instrument;

/* One sample of the experiment. */
typedef struct sim_sample {
    const char *file;       /* relative to the output directory */
    const char *sample;
    const char *role;
    const char *treatment;
    const char *dose;       /* text, "" when none */
    const char *dose_unit;
    int replicate;
    double frac[4];         /* true fractions of viable, early, late, necrotic cells */
    bool annexin, pi;       /* stains present */
    bool clog;              /* simulate a 3 s flow stop half way */
    const char *tube;       /* TUBE NAME */
    const char *well;       /* WELL ID */
} sim_sample;

/* Events of one sample: column-major values for the instrument's channels + true classes. */
typedef struct sim_result {
    size_t n_events;
    size_t n_params;
    double *values;         /* values[p * n_events + e] */
    unsigned char *truth;   /* enum sim_class per event */
} sim_result;

/* Channel names/labels for the instrument (n_params entries). */
size_t sim_channels(const sim_instrument *ins, const char *const **names,
                    const char *const **labels);
/* Simulate @p n_events events; returns false on allocation failure. */
bool sim_events(const sim_instrument *ins, const sim_sample *s, size_t n_events, double debris,
                double doublets, gsl_rng *rng, sim_result *out);
void sim_result_free(sim_result *r);

#endif /* APOFLOW_SAMPLES_SIM_INTERNAL_H */
