/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assay.h: the public interface of the assay module: the Annexin V / dead-cell-dye apoptosis
 * experiment (sample sheet, channel choice, pre-gates, thresholds, classification, group
 * comparisons, dose-response, QC flags, the results model and its tables). Depends on
 * gating/ (and through it fcs/ and util/). Nothing here prints.
 */
#ifndef APOFLOW_ASSAY_ASSAY_H
#define APOFLOW_ASSAY_ASSAY_H

#include "gating/gate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Annexin V / PI apoptosis analysis (apoptosis*.c, compare.c, doseresponse.c)                 */
/* ------------------------------------------------------------------------------------------ */

/*
 * The Annexin V-FITC / PI analysis of a whole experiment (docs/outputs.md explains every
 * number). Pipeline: channels -> compensation (single-stain controls > file spillover > none,
 * or as given) -> pre-gates (debris on FSC, singlets on FSC-A vs FSC-H) -> quadrant thresholds
 * on compensated, logicle-transformed AnnV and PI (controls' 99.5th percentile, or the density
 * valley) -> per-sample quadrant statistics and QC -> group comparisons and dose-response.
 * The whole gating is one gate_strategy (Gating-ML 2.0) applied to every sample.
 */

/* The role of a sample in the experiment (sample sheet column "role"). */
typedef enum assay_role {
    ASSAY_ROLE_UNKNOWN = 0,
    ASSAY_ROLE_UNSTAINED,      /* "unstained" */
    ASSAY_ROLE_ANNEXIN_SINGLE, /* "annexin_single": Annexin V-FITC only */
    ASSAY_ROLE_PI_SINGLE,      /* "pi_single": PI only */
    ASSAY_ROLE_UNTREATED,      /* "untreated": no stimulus */
    ASSAY_ROLE_STIMULUS,       /* "stimulus": stimulus only (e.g. H2O2) */
    ASSAY_ROLE_TREATED         /* "treated": stimulus + compound at a dose */
} assay_role;

/** The sheet name of @p r ("unstained", ...; "" for UNKNOWN). */
const char *assay_role_name(assay_role r);
/** Parse a role name (ASCII case-insensitive; '-' and ' ' count as '_'). */
bool assay_role_parse(const char *s, assay_role *out);

/* One row of a sample sheet. Strings are never NULL. */
typedef struct assay_sheet_row {
    char *file;       /* as written (relative paths are relative to the sheet's folder) */
    char *sample;
    assay_role role;
    char *treatment;
    char *dose_text;  /* "" when none */
    double dose;      /* NaN when none */
    char *dose_unit;
    unsigned replicate; /* 0 when empty */
    size_t dataset;   /* data set of the file (1-based; column "dataset" or "FILE#N"), 0 when
                         not given */
    char **extra;     /* values of the extra columns (assay_sheet.extra_names) */
    size_t line;      /* 1-based line in the CSV */
} assay_sheet_row;

typedef struct assay_sheet {
    size_t n_rows;
    assay_sheet_row *rows;
    size_t n_extra;
    char **extra_names;
    char *dir;        /* folder of the sheet file ("." when none) */
    char sep;         /* the field separator found: ',', ';' or '\t' */
} assay_sheet;

/** Read a sample sheet CSV (RFC 4180 quoting; header row with at least "file"). */
APO_NODISCARD apo_status assay_sheet_read(assay_sheet *out, const char *path, apo_error *err);
/** Parse a sample sheet held in memory; @p name is used in messages. */
APO_NODISCARD apo_status assay_sheet_parse(assay_sheet *out, const char *text, size_t len,
                                          const char *name, apo_error *err);
void assay_sheet_free(assay_sheet *s);
/** The row whose file matches @p path (the same path after resolving the row's file against
 *  the sheet's folder, "./" and "//" ignored), or NULL. */
const assay_sheet_row *assay_sheet_find(const assay_sheet *s, const char *path);

/* A guessed sheet row for one file, from its keywords (apoflow sheet). */
typedef struct assay_sheet_guess {
    char sample[128];
    assay_role role;
    char treatment[64];
    char dose[32];
    char dose_unit[16];
    unsigned replicate;
    char evidence[160]; /* which keyword/word the role guess came from */
} assay_sheet_guess;

/** Guess the sample name (the file stem), role, treatment, dose and replicate of @p ds from
 *  TUBE NAME, SAMPLE ID, $FIL and @p file. */
void assay_sheet_guess_row(const fcs_dataset *ds, const char *file, assay_sheet_guess *out);
/** Write a draft sheet CSV (the standard columns + guess_evidence) atomically. */
APO_NODISCARD apo_status assay_sheet_write_draft(const char *path, size_t n,
                                                const char *const *files,
                                                const assay_sheet_guess *guesses,
                                                apo_error *err);

/**
 * The controls of a run's sample sheet @p s as a controls sheet for gate_comp_compute_files:
 * the unstained row, and each annexin_single / pi_single row with its dye's detector as the
 * run finds it on that control file (comp_controls.c).
 */
APO_NODISCARD apo_status assay_comp_controls(const assay_sheet *s, const fcs_read_options *read,
                                             gate_comp_sheet *out, apo_error *err);

/* The channels of one data set the analysis uses (SIZE_MAX = absent). */
typedef struct assay_channels {
    size_t fsc_a, fsc_h, fsc_w, ssc_a, ssc_h, annexin, pi, time;
    char annexin_why[96]; /* how the Annexin V channel was chosen */
    char pi_why[96];      /* how the dead-cell dye channel ("pi") was chosen */
    char dead_dye[16];    /* the dead-cell dye its label names: "PI", "7-AAD", "DAPI", "SYTOX" ...
                             ("" when nothing names it) */
    char annexin_fluor[24]; /* the Annexin V conjugate: "FITC", "PE", "APC" ... or "" */
} assay_channels;

/**
 * Find the scatter, time, Annexin V and dead-cell dye channels of @p ds (the dye's field is
 * called "pi" for history: it is PI, 7-AAD, DAPI, SYTOX ...). @p annexin / @p pi (NULL = auto)
 * force a channel by $PnN or $PnS. Automatic choice: a $PnS saying Annexin/AnnV, else FITC /
 * FL1 / BL1 / B530 / Alexa Fluor 488 / GRN / YEL; the dye: a $PnS naming PI / propidium /
 * 7-AAD / DAPI / SYTOX / TO-PRO / DRAQ7 / viability, else PE-Texas Red / ECD / PI / PE /
 * PerCP / PC5.5 / FL3 / FL2 / BL3 / BL2 / YL1 / 7-AAD / RED (in that order).
 * @return APO_OK; APO_E_USAGE when a channel cannot be found (message says which).
 */
APO_NODISCARD apo_status assay_find_channels(const fcs_dataset *ds, const char *annexin,
                                                const char *pi, assay_channels *out,
                                                apo_error *err);

/* One input sample. Everything is borrowed. */
typedef struct assay_input {
    const char *sample;
    const char *file;
    assay_role role;
    const char *treatment;
    const char *dose_text;
    double dose;          /* NaN when none */
    const char *dose_unit;
    unsigned replicate;
    const fcs_dataset *ds;
    const fcs_events *ev; /* FCS_VALUES_SCALED + apply_gain; NULL: decoded from ds as needed,
                             block by block (never the whole file at once) */
} assay_input;

typedef enum assay_comp_source {
    ASSAY_COMPSRC_AUTO = 0, /* controls when the sheet has both single stains, else file, else none */
    ASSAY_COMPSRC_CONTROLS,
    ASSAY_COMPSRC_FILE,
    ASSAY_COMPSRC_MATRIX,   /* options.matrix (e.g. --comp MATRIX.csv) */
    ASSAY_COMPSRC_NONE
} assay_comp_source;

typedef struct assay_options {
    const char *annexin_channel; /* NULL = automatic */
    const char *pi_channel;
    assay_comp_source comp;
    const gate_comp *matrix; /* ASSAY_COMPSRC_MATRIX: its AnnV/PI rows and columns are used */
    bool fixed_thresholds;
    double annexin_threshold, pi_threshold; /* compensated data units (fixed_thresholds) */
    double quantile;       /* negative-control quantile, default 0.995 */
    uint64_t min_events;   /* QC: fewest singlets, default 500 */
    uint64_t sample_events; /* estimates use at most this many events per sample (every
                               step-th event; counts always use all), default
                               GATE_SAMPLE_EVENTS_DEFAULT, 0 = all */
    /* Optional: run fn(job, i) for i in [0, n) on the caller's threads (e.g. a pool), returning
     * when all are done; each call touches only sample i; @p what names the step ("pre-gate
     * estimates", "scale estimates", "statistics") for progress output. NULL = one after
     * another on this thread. Results do not depend on it. */
    void (*parallel)(void *parallel_ctx, const char *what, size_t n,
                     void (*fn)(void *job, size_t i), void *job);
    void *parallel_ctx;
    const gate_strategy *gating; /* a whole gating to use instead of the automatic one */
    bool no_debris_gate;  /* --no-debris-gate: no Cells gate on FSC (recorded in the results) */
    bool no_singlet_gate; /* --no-singlet-gate: no doublet exclusion (recorded) */
} assay_options;

/** Defaults: automatic everything, quantile 0.995, min_events 500, sample_events
 *  GATE_SAMPLE_EVENTS_DEFAULT. */
void assay_options_init(assay_options *o);

/* Quadrants, in this order everywhere. */
enum { ASSAY_Q_VIABLE = 0, ASSAY_Q_EARLY, ASSAY_Q_LATE, ASSAY_Q_NECROTIC, ASSAY_Q_COUNT };
/** "viable", "early_apoptotic", "late_apoptotic", "necrotic". */
const char *assay_quadrant_name(int q);

/* QC flag bits (samples.csv qc_flags, ';'-joined names). */
enum {
    ASSAY_QC_LOW_EVENTS = 1u << 0,        /* fewer singlets than min_events */
    ASSAY_QC_CONTROL_IMPLAUSIBLE = 1u << 1, /* a control's positive fraction is implausible */
    ASSAY_QC_THRESHOLD_OUTLIER = 1u << 2, /* the sample's own valley is far from the threshold */
    ASSAY_QC_FLOW_INSTABILITY = 1u << 3,  /* abrupt event-rate change over Time (clog) */
    ASSAY_QC_NO_SINGLET_GATE = 1u << 4,   /* no FSC-A/FSC-H pair: doublets not excluded */
    ASSAY_QC_NO_TIME = 1u << 5,           /* no Time channel: flow not checked */
    ASSAY_QC_FAILED = 1u << 6,            /* the sample could not be analysed */
    ASSAY_QC_THRESHOLD_IN_POPULATION = 1u << 7, /* a quadrant line lies inside a population
                                                 (valley depth > 0.5) */
    ASSAY_QC_NO_SEPARATION = 1u << 8,     /* a marker shows no valley between its negative and
                                             positive populations: percentages unreliable */
    ASSAY_QC_SINGLET_REMOVED_MANY = 1u << 9, /* the singlet gate removed > 20 % of the cells */
    ASSAY_QC_DEBRIS_GATE_OUTLIER = 1u << 10, /* the sample's own debris valley is > 0.2 decades
                                                from the shared debris gate */
    ASSAY_QC_DEBRIS_IN_CELLS = 1u << 11   /* debris overlaps the cells: an estimated > 1 % of
                                             the Cells gate is debris */
};
/* Share of the cells above which the singlet gate's removal is implausible (QC flag). */
#define ASSAY_SINGLET_PLAUSIBLE_LOSS 0.20
/** Write the ';'-joined names of @p flags into @p buf ("" for none). */
void assay_qc_flags_format(unsigned flags, char *buf, size_t cap);

typedef struct assay_sample {
    uint64_t events, cells, singlets;
    uint64_t count[ASSAY_Q_COUNT];
    double pct[ASSAY_Q_COUNT];           /* % of singlets */
    double apoptotic_pct;               /* early + late */
    double median_annexin[ASSAY_Q_COUNT]; /* compensated data units, NaN when empty */
    double median_pi[ASSAY_Q_COUNT];
    double annexin_valley;              /* the sample's own AnnV valley (data units) or NaN */
    double flow_max_dev;                /* largest |rate/median - 1| over Time bins, or NaN */
    double annexin_depth, pi_depth;     /* valley depth of each line on this sample's own
                                           density (display scale), NaN when not measured */
    double debris_threshold;            /* the sample's own debris gate estimate (FSC data
                                           units), NaN when none */
    double debris_leak;                 /* estimated share of debris inside its own debris
                                           cut, NaN when unknown */
    unsigned qc;
    char qc_detail[256];
    char annexin_name[64], pi_name[64]; /* $PnN of the channels used */
    char error[256];                    /* ASSAY_QC_FAILED: why */
} assay_sample;

typedef struct assay_threshold {
    double value;      /* compensated data units */
    double scaled;     /* on the logicle scale used for gating */
    char method[48];   /* "fixed", "control_quantile", "density_valley", "gating_file" */
    char source[128];  /* the sample(s) it came from */
    double realized_pct; /* % of the source's singlets at or above it (NaN if none) */
    double valley_depth; /* density at the line / neighbouring peak, pooled stained samples,
                            display scale (NaN when not measured) */
    double control_scaled; /* the control's line on the display scale (NaN when none) */
    bool in_population, no_separation;
    char reason[240];    /* why it is where it is */
} assay_threshold;

/* A group comparison (treated group vs the stimulus-only group). */
typedef struct assay_comparison {
    char treatment[64];
    char dose_text[32];
    double dose;
    char dose_unit[16];
    size_t n;
    double mean, sd;               /* apoptotic %, across the group's samples */
    size_t stim_n;
    double stim_mean, stim_sd;
    size_t untreated_n;
    double untreated_mean;         /* NaN when there is no untreated group */
    double difference_pp;          /* mean - stim_mean */
    double reduction_relative_pct; /* 100 (stim - trt) / stim */
    double reduction_normalized_pct; /* 100 (stim - trt) / (stim - untreated) */
    double t, df, p_value;         /* vs stimulus */
    char test[48];                 /* "welch_t" or "two_proportion_z" */
    double p_value_vs_untreated;
    char test_vs_untreated[48];
} assay_comparison;

/* A 4-parameter logistic fit of apoptotic % against dose for one treatment. */
typedef struct assay_dose_fit {
    char treatment[64];
    char dose_unit[16];
    size_t n_points, n_doses;
    bool ok;
    double bottom, top, ec50, hill;
    double se_bottom, se_top, se_log_ec50, se_hill;
    double ec50_ci_lo, ec50_ci_hi; /* 95 %, from log EC50 +- t(0.975, n-4) SE; NaN if n <= 4 */
    double rss;
    size_t iterations;
    char message[128];
} assay_dose_fit;

typedef struct assay_result {
    size_t n_samples;
    assay_sample *samples;       /* same order as the inputs */
    assay_threshold annexin, pi;
    char comp_source[32];           /* "controls", "file", "matrix", "none", "gating_file" */
    char comp_detail[160];
    double spill[4];                /* the 2 x 2 spillover used (identity for none) */
    char annexin_channel[64], pi_channel[64];
    char annexin_why[96], pi_why[96];
    char dead_dye[16];      /* the dead-cell dye its label names ("PI", "7-AAD" ...; "" unknown) */
    char annexin_fluor[24]; /* the Annexin V conjugate ("FITC", "PE" ...; "" unknown) */
    char pregate_detail[512];
    bool debris_gate, singlet_gate; /* whether each pre-gate was applied */
    char debris_choice[48], singlet_choice[48]; /* "automatic", "off (--no-debris-gate)", ... */
    gate_transform annexin_scale, pi_scale; /* the logicle scales */
    gate_strategy *strategy;        /* the gating as applied */
    bool owns_strategy;             /* false when it is options.gating (borrowed) */
    size_t n_comparisons;
    assay_comparison *comparisons;
    size_t n_fits;
    assay_dose_fit *fits;
    size_t n_warnings;
    char **warnings;
} assay_result;

/**
 * Analyse @p n samples. Samples that fail are marked ASSAY_QC_FAILED with a message and the
 * others are still analysed; the call fails only when nothing can be analysed (no usable
 * channels, no sample) or on allocation failure.
 */
APO_NODISCARD apo_status assay_analyze(const assay_input *in, size_t n,
                                          const assay_options *opt, assay_result *out,
                                          apo_error *err);
void assay_result_free(assay_result *r);

/* Display events of sample @p in for plots: at most @p max_events events (every step-th,
 * 0 = all) in @p ev (free with fcs_events_free), with their singlet and quadrant membership
 * (255 = no quadrant) and compensated AnnV and PI values (ev->n_events each, free()). */
APO_NODISCARD apo_status assay_sample_events(const assay_result *r,
                                                const assay_input *in, uint64_t max_events,
                                                fcs_events *ev, uint8_t **singlet,
                                                uint8_t **quadrant, double **annexin,
                                                double **pi, apo_error *err);

/* Outputs (atomically written; docs/outputs.md). */
APO_NODISCARD apo_status assay_write_samples_csv(const assay_result *r,
                                                    const assay_input *in,
                                                    const assay_sheet *sheet,
                                                    const char *path, apo_error *err);
/**
 * The group comparisons and dose-response fits of @p r from its per-sample results
 * (r->samples, n entries matching @p in): each treated group against the stimulus-only group
 * (and untreated), Welch's t-test with replicates, else the two-proportion test, 4PL fits with
 * >= 4 doses. Fills r->comparisons and r->fits and appends warnings to r->warnings.
 * assay_analyze calls it; apoflow merge calls it on the samples of merged shards.
 */
APO_NODISCARD apo_status assay_compare(const assay_input *in, size_t n, assay_result *r,
                                          apo_error *err);
APO_NODISCARD apo_status assay_write_comparisons_csv(const assay_result *r,
                                                        const char *path, apo_error *err);
APO_NODISCARD apo_status assay_write_stats_csv(const assay_result *r,
                                                  const assay_input *in, const char *path,
                                                  apo_error *err);

/* Statistics used by the comparisons (exposed for tests). */
/** Welch's t-test: t, df and the two-sided p (GSL t distribution). n1, n2 >= 2. */
APO_NODISCARD apo_status assay_welch_t(const double *a, size_t na, const double *b, size_t nb,
                                      double *t, double *df, double *p, apo_error *err);
/** Two-proportion z test (= chi-square 2x2 without continuity correction): x1 of n1 vs
 *  x2 of n2; returns z and the two-sided p. */
APO_NODISCARD apo_status assay_two_proportion(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                                             double *z, double *p, apo_error *err);
/** 4PL fit y = B + (T - B) / (1 + (x/EC50)^h) to points with x > 0 (GSL multifit_nlinear). */
APO_NODISCARD apo_status assay_fit_4pl(const double *x, const double *y, size_t n,
                                      assay_dose_fit *out, apo_error *err);
/** Type-7 quantile of @p n values (copied and sorted; NaNs dropped). NaN when none. */
double assay_quantile(const double *x, size_t n, double q);
/**
 * openCyto-style density valley: Gaussian KDE (bandwidth 2 bw.nrd0) on a 512-point grid; the
 * deepest valley between the two tallest peaks within [lo, hi]. Returns NaN when there is no
 * valley.
 */
double assay_density_valley(const double *x, size_t n, double lo, double hi);

#ifdef __cplusplus
}
#endif

/* Write the "comparisons" and "dose_response" members of an open JSON object of results.json;
 * @p first_key says whether no member has been written yet (and is updated). */
void assay_json_comparisons(FILE *f, const assay_result *r, bool *first_key);
/* The "pregate_choices" member (which pre-gates were applied, and why). */
void assay_json_pregate_choices(FILE *f, const assay_result *r, bool *first_key);
/* The check members of a threshold object: valley_depth, control_scaled, in_population,
 * no_separation, reason. */
void assay_json_threshold_check(FILE *f, const assay_threshold *t, bool *first_key);
/* The check members of a sample object: annexin_valley_depth, pi_valley_depth,
 * debris_threshold. */
void assay_json_sample_checks(FILE *f, const assay_sample *s, bool *first_key);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_ASSAY_ASSAY_H */
