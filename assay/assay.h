/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assay.h: the public interface of the assay module: the Annexin V / dead-cell-dye apoptosis
 * experiment (sample sheet, channel choice, pre-gates, thresholds, classification, group
 * comparisons, dose-response, QC flags, the results model and its tables). Depends on
 * gating/ (and through it fcs/ and util/). Nothing here prints.
 */
#ifndef APOFLOW_ASSAY_ASSAY_H
#define APOFLOW_ASSAY_ASSAY_H

#include "assay/methods.h"
#include "assay/sheet.h"
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

/* The channels of one data set the analysis uses (SIZE_MAX = absent). */
typedef struct assay_channels {
    size_t fsc_a, fsc_h, fsc_w, ssc_a, ssc_h, annexin, pi, time;
    char annexin_why[96]; /* how the Annexin V channel was chosen */
    char pi_why[96];      /* how the dead-cell dye channel ("pi") was chosen */
    char dead_dye[16];    /* the dead-cell dye its label names: "PI", "7-AAD", "DAPI", "SYTOX" ...
                             ("" when nothing names it) */
    char annexin_fluor[24]; /* the Annexin V conjugate: "FITC", "PE", "APC" ... or "" */
    bool annexin_by_detector, pi_by_detector; /* taken from the detector name ($PnN) alone: no
                                                 $PnS named the stain and none was given */
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

/* A sample's display events (assay_options.display), borrowed: as assay_sample_events. */
struct assay_result;
typedef struct assay_display {
    const fcs_events *ev;
    const uint8_t *singlet;
    const double *annexin, *pi;
    /* every gate's membership of these events as the statistics pass applied the strategy
     * (NULL: not handed over), so that plots need not apply it again */
    const gate_result *gates;
} assay_display;

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
     * when all are done; the items are independent: the samples when @p samples (call i
     * touches only sample i; n is their number), else n other items (the two markers of
     * "thresholds"); @p what names the step ("pre-gate estimates", "scale estimates",
     * "thresholds", "statistics") for progress output. NULL = one after another on this
     * thread. Results do not depend on it. */
    void (*parallel)(void *parallel_ctx, const char *what, size_t n, bool samples,
                     void (*fn)(void *job, size_t i), void *job);
    void *parallel_ctx;
    /* Optional: the statistics pass hands each analysed sample i's plot events (those of
     * assay_sample_events, max_events = display_events) to display() while it holds them, when
     * they are a subset of its own; r's gating and sample i are final. */
    void (*display)(void *display_ctx, const struct assay_result *r, size_t i,
                    const struct assay_display *d);
    void *display_ctx;
    uint64_t display_events;
    unsigned block_threads; /* a large file's blocks on this many threads (apo_pool_run), 0 = 1 */
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
    ASSAY_QC_DEBRIS_GATE_OUTLIER = 1u << 10, /* the FSC side of the sample's own debris gate is
                                                > 0.2 decades from the shared one */
    ASSAY_QC_DEBRIS_IN_CELLS = 1u << 11   /* debris overlaps the cells: an estimated > 1 % of
                                             the Cells gate is debris */
};
/* Share of the cells above which the singlet gate's removal is implausible (QC flag). */
#define ASSAY_SINGLET_PLAUSIBLE_LOSS 0.20
/* Largest |bin rate / median rate - 1| over Time bins before a sample is flagged
 * ASSAY_QC_FLOW_INSTABILITY (the Time plots shade the bins beyond it). */
#define ASSAY_FLOW_MAX_DEVIATION 0.5
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
    assay_threshold_method method; /* how it was placed (methods.h) */
    double percentile; /* ASSAY_THRESHOLD_CONTROL_QUANTILE: the control's percentile (99.5) */
    char source[128];  /* the sample(s) it came from */
    double realized_pct; /* % of the source's singlets at or above it (NaN if none) */
    double valley_depth; /* density at the line / neighbouring peak, pooled stained samples,
                            display scale (NaN when not measured) */
    double control_scaled; /* the control's line on the display scale (NaN when none) */
    bool in_population, no_separation;
    char reason[400];    /* why it is where it is */
    double half_depth[2]; /* valley depth among the stained events negative [0] / positive [1]
                             for the other marker (NaN when not measured) */
} assay_threshold;

/* A group comparison: a treated group vs the stimulus-only group, or (kind
 * "stimulus_vs_untreated") the stimulus-only group vs the untreated group. docs/outputs.md. */
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
    double t, df, p_value;         /* the row's comparison; NaN without replicates */
    assay_test test;               /* the row's test (methods.h) */
    double p_value_vs_untreated;
    assay_test test_vs_untreated;
    /* the family of comparisons and the precision statements (groupstats.h) */
    assay_comparison_kind comparison; /* treated vs stimulus or stimulus vs untreated */
    bool replicates;               /* both groups have >= 2 samples: p-values are evidence */
    uint64_t events_apoptotic, events_singlets; /* pooled over the group's samples */
    uint64_t ref_events_apoptotic, ref_events_singlets; /* the reference group's */
    double p_adjusted;             /* Dunnett single-step; = p_value for a single comparison */
    assay_adjust adjust_method;    /* Dunnett's, none (a single comparison) or unset */
    double t_adjusted, df_adjusted; /* Dunnett's t (pooled SD) and its df (N - k) */
    double anova_f, anova_df1, anova_df2, anova_p; /* over stimulus + treated groups */
    assay_ci_method ci_method;     /* replicates, events or unset */
    double ci_low, ci_high;        /* 95 % of the group's apoptotic % */
    double difference_ci_low, difference_ci_high; /* 95 % of difference_pp */
    double reduction_relative_ci_low, reduction_relative_ci_high; /* 95 %, events only */
    char note[200];                /* what the numbers mean (pseudo-replication warning) */
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
    assay_comp_source comp_source;  /* the source used (never AUTO once analysed) */
    char comp_detail[160];
    double spill[4];                /* the 2 x 2 spillover used (identity for none) */
    char annexin_channel[64], pi_channel[64];
    char annexin_why[96], pi_why[96];
    char dead_dye[16];      /* the dead-cell dye its label names ("PI", "7-AAD" ...; "" unknown) */
    char annexin_fluor[24]; /* the Annexin V conjugate ("FITC", "PE" ...; "" unknown) */
    char pregate_detail[512];
    bool debris_gate, singlet_gate; /* whether each pre-gate was applied */
    assay_pregate_choice debris_choice, singlet_choice; /* automatic, off, from --gating */
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
/** The dead-cell dye's name for titles and captions: the dye the channel's label names
 *  (dead_dye: "PI", "7-AAD", "DAPI" ...), or "PI" when the label names none (the assay's
 *  default pairing, Annexin V / PI). */
const char *assay_dead_dye_label(const assay_result *r);
/** The order people read samples in (sheet_order.c): controls (unstained, Annexin V only,
 *  dye only), untreated, stimulus, then each treatment (first appearance in @p in) by
 *  increasing dose (none last), replicates in order; ties keep the input order. Writes a
 *  permutation of 0..n-1 into @p order (n entries). The tables keep the input order. */
APO_NODISCARD apo_status assay_result_sheet_order(const assay_input *in, size_t n,
                                                  size_t *order, apo_error *err);

/* Display events of sample @p in for plots: at most @p max_events events (every step-th,
 * 0 = all) in @p ev (free with fcs_events_free), with their singlet and quadrant membership
 * (255 = no quadrant) and compensated AnnV and PI values (ev->n_events each, free()).
 * @p quadrant may be NULL: then the quadrant gates (and their transforms) are not evaluated. */
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
 * (r->samples, n entries matching @p in): first the stimulus-only group against the untreated
 * group (when both exist), then each treated group against the stimulus-only group (and
 * untreated): Welch's t-test with replicates, one-way ANOVA and Dunnett's adjusted p-values
 * over the treated groups, 95 % intervals (event-based and no p-value without replicates);
 * 4PL fits with >= 4 doses. Fills r->comparisons and r->fits and appends warnings to r->warnings.
 * assay_analyze calls it; apoflow merge calls it on the samples of merged shards.
 */
APO_NODISCARD apo_status assay_compare(const assay_input *in, size_t n, assay_result *r,
                                          apo_error *err);
/** Whether @p warning is one that assay_compare writes (apoflow merge drops these from the
 *  shards and recomputes them). */
bool assay_is_comparison_warning(const char *warning);
APO_NODISCARD apo_status assay_write_comparisons_csv(const assay_result *r,
                                                        const char *path, apo_error *err);
APO_NODISCARD apo_status assay_write_stats_csv(const assay_result *r,
                                                  const assay_input *in, const char *path,
                                                  apo_error *err);

#ifdef __cplusplus
}
#endif

/* The statistics the comparisons use, and the results.json members shared by run and merge. */
#include "assay/statistics.h"
#include "assay/results_json.h"

#endif /* APOFLOW_ASSAY_ASSAY_H */
