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
#include <stdint.h>

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

/* What a channel of a generic (table-driven) instrument records. */
typedef enum sim_channel_kind {
    SIM_CH_FSC_A,
    SIM_CH_FSC_H,
    SIM_CH_FSC_W, /* pulse width: proportional to FSC-A / FSC-H */
    SIM_CH_SSC_A,
    SIM_CH_SSC_H,
    SIM_CH_FL_A, /* fluorescence detector `det`, area */
    SIM_CH_FL_H, /* fluorescence detector `det`, height */
    SIM_CH_TIME
} sim_channel_kind;

typedef struct sim_channel {
    const char *name;  /* $PnN */
    const char *label; /* $PnS ("" for none) */
    sim_channel_kind kind;
    int det;           /* SIM_CH_FL_*: 0 the Annexin V detector, 1 the dead-cell dye's, 2 another */
} sim_channel;

#define SIM_MAX_CHANNELS 12
#define SIM_N_DETECTORS 3

/* A table-driven instrument: its channels, units and optics (instruments.c). */
typedef struct sim_family {
    const char *name;         /* scenario family name (canto, calibur, muse, cytoflex ...) */
    size_t n_channels;
    const sim_channel *channels;
    double gain;              /* instrument units per simulator unit (FACSCanto-like = 1) */
    double spill[2][SIM_N_DETECTORS]; /* stain (0 Annexin V, 1 dead-cell dye) into detector */
} sim_family;

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
    /* Added for the scenarios; zero in the two original presets. */
    const sim_family *family; /* non-NULL: channels and detection from this table */
    bool integer;           /* height_only: write 16-bit channel numbers ($DATATYPE I, $PnE) */
} sim_instrument;

/* The biology knobs of a scenario: what the debris and the stains look like (simulator units,
 * FACSCanto-like). sim_biology_default() gives the values of the original presets. */
typedef struct sim_biology {
    double debris_fsc, debris_fsc_sd; /* median FSC-A of debris, log-normal sigma */
    double debris_ssc, debris_ssc_sd;
    double debris_ann, debris_ann_sd; /* stain carried by debris: median, log-normal sigma */
    double debris_pi, debris_pi_sd;
    double debris_af_fitc, debris_af_pi, debris_af_sd; /* debris autofluorescence */
    double ann_early, ann_late;       /* Annexin V median of early / late apoptotic cells */
    double smear_lo;                  /* > 0: early apoptotic Annexin V log-uniform from here to
                                         ann_early (no gap between viable and early) */
} sim_biology;

void sim_biology_default(sim_biology *b);

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

/* A single cell (or debris particle, or doublet) before detection, in simulator units. */
typedef struct sim_cell {
    double fsc_a, fsc_h, ssc_a, ssc_h;
    double ann, pi;        /* true stain signal */
    double af_fitc, af_pi; /* autofluorescence seen in each detector */
} sim_cell;

/* Channel names/labels for the instrument into arrays of SIM_MAX_CHANNELS; returns n_params. */
size_t sim_channels(const sim_instrument *ins, const char **names, const char **labels);
/* Index of the Time channel (the last one for the original presets). */
size_t sim_time_channel(const sim_instrument *ins);
/* Simulate @p n_events events; returns false on allocation failure. */
bool sim_events(const sim_instrument *ins, const sim_biology *bio, const sim_sample *s,
                size_t n_events, double debris, double doublets, gsl_rng *rng, sim_result *out);

/* instruments.c: the instrument of scenario family @p family (canto, calibur, muse, cytoflex,
 * attune, novocyte), its $SPILLOVER text and doublet fraction; false if unknown. */
bool sim_instrument_of(const char *family, sim_instrument *ins, const char **spillover,
                       double *doublets);
/* Detect one event on a generic instrument: row gets one value per channel (Time left 0). */
void sim_family_detect(const sim_instrument *ins, const sim_cell *c, double *row, gsl_rng *rng);
/* Signal plus electronic and photon noise of @p ins (cells.c). */
double sim_noisy(const sim_instrument *ins, double signal, gsl_rng *rng);
void sim_result_free(sim_result *r);

/* Where the single-stain controls' cells come from. */
typedef enum sim_controls {
    SIM_CTRL_MIXED,     /* as in samples/: Annexin V-only on stimulus-treated cells, dead-dye-only
                           on half heat-killed cells */
    SIM_CTRL_UNTREATED, /* both single stains on untreated cells (few positives) */
    SIM_CTRL_TREATED    /* both single stains on stimulus-treated cells */
} sim_controls;

/* One accuracy scenario: a full experiment on one instrument family with some hard things
 * switched on (scenarios.c holds the table). */
typedef struct sim_scenario {
    const char *name;
    const char *family;  /* canto, calibur, muse, cytoflex, attune, novocyte */
    uint64_t events;     /* per file, unless --events */
    bool debris_overlap; /* debris ~0.7 decades below the cells on FSC, broad, stained */
    bool dim_annexin;    /* Annexin V+ cells < 1 decade above the viable ones */
    bool smear;          /* early apoptotic Annexin V continuous from the viable edge up */
    sim_controls controls;
    bool low_viability;  /* stimulus leaves 20 % viable cells */
    bool beyond;         /* no method can meet the bar: passes only when the run flags it */
    const char *varies;  /* one line for --list and docs/validation.md */
} sim_scenario;

size_t sim_scenario_count(void);
const sim_scenario *sim_scenario_at(size_t i);
const sim_scenario *sim_scenario_find(const char *name);
/* The biology (debris, stains) and debris fraction of a scenario. */
void sim_scenario_biology(const sim_scenario *sc, sim_biology *bio, double *debris);

#endif /* APOFLOW_SAMPLES_SIM_INTERNAL_H */
