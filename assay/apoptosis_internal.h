/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * apoptosis_internal.h: helpers shared by the apoptosis analysis files (pre-gate estimation,
 * compensation from controls, flow QC, comparisons, the statistics step). Private to assay/.
 */
#ifndef APOFLOW_GATING_APOPTOSIS_INTERNAL_H
#define APOFLOW_GATING_APOPTOSIS_INTERNAL_H

#include "assay/assay.h"

/* Gaussian KDE (bandwidth bw) of the finite x in [g0, g1] on @p grid points (linear
 * binning, unnormalised). False on bad arguments or no memory. */
bool apo_kde(const double *x, size_t n, double bw, double g0, double g1, size_t grid,
             double *dens);

/* SD of v[0..m) to about 1e-10 relative (two passes, sums in any order; density.c), only to
 * tell whether the exact SD (gsl_stats_sd, a division per value) can matter; NaN when that
 * accuracy is not certain (a mean far larger than the spread, where the mean's rounding error
 * could reach the deviations). */
double apo_sd_near(const double *v, size_t m);

/* The Cells (debris) gate of one sample: "FSC >= thr and SSC >= sthr" (data units). With a
 * debris mode (the most prominent peak more than 0.35 decades below the cell mode, the peak
 * holding the most events) both sides come from the debris mixture model (debris_mix.c), else
 * from the valley between the modes of log10(FSC); without a debris mode, the noise floor
 * below the cells and no SSC side. *method says which. */
typedef struct pregate_debris {
    double thr;       /* FSC side (data units), -inf when none */
    double sthr;      /* SSC side (data units), -inf when none */
    double depth;     /* valley depth of the FSC valley between the modes (NaN when no debris
                         mode) */
    bool debris_mode; /* a debris mode was found */
    bool two_d;       /* the gate has an SSC side */
    bool model;       /* the sides come from the mixture model (else the 1-D valley) */
    double leak;      /* estimated share of debris among the events inside the gate, NaN when
                         unknown */
    const char *method;
} pregate_debris;
/* ssc may be NULL (no side scatter: an FSC threshold only). */
void pregate_debris_estimate(const double *fsc, const double *ssc, size_t n, pregate_debris *out);

/* The mixture model of debris_mix.c on log10 FSC (lf) and log10 SSC (ls, NULL = none), n
 * events: started at the FSC valley @p valley between the debris mode xd and the cell mode
 * xc; components centred below the valley on FSC are debris. Sets the gate's
 * sides *a (log10 FSC) and *b (log10 SSC, -inf when none) with the fewest expected
 * misclassified events, and *leak, the expected debris share inside it. False when the fit
 * fails (no memory, too few events, a component emptied, no debris or no cell component). */
bool pregate_debris_mixture(const double *lf, const double *ls, size_t n, double valley,
                            double xd, double xc, double *a, double *b, double *leak);

/* Singlet band of FSC-H / FSC-A for events with FSC-A >= a_min (doublets have a low ratio):
 * from the singlets' mode, the valley to a doublet mode or 4 robust SD of the singlets' side
 * (at least 8 %) towards the doublets, 8 robust SD (at least 25 %) the other way. *how says
 * which. False when fewer than 50 events qualify. */
bool pregate_singlet_band(const double *fsc_a, const double *fsc_h, size_t n, double a_min,
                          double *lo, double *hi, const char **how);

/* The same band on FSC-W itself (doublets have a high width; instruments with FSC-W but no
 * FSC-A/FSC-H pair). */
bool pregate_width_band(const double *fsc, const double *width, size_t n, double fsc_min,
                        double *lo, double *hi, const char **how);

/* Largest |bin rate / median rate - 1| over Time bins (first/last bin ignored), NaN when the
 * time channel is unusable. */
double qc_flow_deviation(const double *time, size_t n);


/* 2 x 2 AnnV/PI spillover [AA, AP, PA, PP] from a file's spillover keyword or a matrix;
 * false when the two detectors are not in it. */
bool apo_comp_from_file(const fcs_dataset *ds, const char *a, const char *p, double S[4],
                        char *detail, size_t cap);
bool apo_comp_from_matrix(const gate_comp *c, const char *a, const char *p, double S[4],
                          char *detail, size_t cap);
/* From the unstained and the two single-stain controls: each given as its singlet events of
 * two columns, Annexin V then PI (uncompensated). */
apo_status apo_comp_from_controls(const assay_input *unst, const fcs_events *unst_ev,
                                  const assay_input *ann, const fcs_events *ann_ev,
                                  const assay_input *pi, const fcs_events *pi_ev,
                                  const char *name_a, const char *name_p, double S[4],
                                  char *detail, size_t cap, apo_error *err);

/* ---- events of an input (apoptosis_events.c) ---- */
/* Number of events of @p in (its decoded events, else its data set's $TOT). */
uint64_t apo_input_n_events(const assay_input *in);
/* Every step-th event of @p in (step = fcs_sample_step(n, max_events); 0 = every event) as a
 * new fcs_events the caller frees; *step (may be NULL) gets the step. */
apo_status apo_input_sampled(const assay_input *in, uint64_t max_events, fcs_events *out,
                             uint64_t *step, apo_error *err);

/* ---- plot events handed to the caller (display.c) ---- */
/* Call opt->display for sample @p i of @p r with its plot events when they are a subset of the
 * statistics pass's @p ev (every @p step-th event of @p in) with its singlet membership and
 * compensated AnnV, PI values; nothing when opt->display is NULL or they are not. */
void apo_display_hand_over(const assay_options *opt, const assay_result *r, size_t i,
                           const assay_input *in, const fcs_events *ev, uint64_t step,
                           const uint8_t *singlet, const double *ann, const double *pi,
                           const gate_result *gates);

/* Append a formatted warning to @p r (best effort: dropped when out of memory). */
void apo_result_warn(assay_result *r, const char *fmt, ...) APO_PRINTF(2, 3);

/* ---- shared by the analysis's steps (apoptosis.c) and its statistics step
 * (apoptosis_stats.c) ---- */

/* Per-sample state kept across the steps: small, but for the subsample it may hold. */
typedef struct assay_sample_state {
    bool ok;
    assay_channels ch;
    bool hold;           /* keep the subsample from the pre-gate step (within the budget) */
    fcs_events held;     /* that subsample once loaded (values NULL before) */
    uint64_t held_step, held_max;
} assay_sample_state;

/* One sample's estimation subsample while a step works on it. */
typedef struct assay_loaded {
    bool borrowed; /* ev is the sample's held subsample (ctx.held), not freed here */
    fcs_events ev;
    uint64_t step;
    gate_data data;
    bool data_ok;
    uint8_t *parent; /* membership of the quadrants' parent population (singlets) */
} assay_loaded;

/* The statistics step (step 5 of apoptosis.c), one task per sample: counts over every
 * event, medians, the sample's own valley and the lines' depths, QC flags, the hand-over of its
 * plot events. */
typedef struct assay_stats_job {
    const assay_input *in;
    assay_sample_state *c;
    const assay_options *opt;
    assay_result *out;
    const size_t *q_idx;
    size_t parent_idx;
    const gate_dim *dims;
    bool singlet_gate;
} assay_stats_job;
void assay_stats_task(void *arg, size_t i);

/* Free what assay_load gave (not a borrowed subsample). */
void assay_loaded_free(assay_loaded *l);
/* The estimation subsample of @p in: the one @p ci holds (ci may be NULL), else decoded. */
apo_status assay_load(const assay_input *in, const assay_sample_state *ci, uint64_t max_events,
                      assay_loaded *l, apo_error *err);
/* l->parent = the membership of @p parent_idx in @p res (every event when SIZE_MAX). */
apo_status assay_loaded_parent(assay_loaded *l, const gate_result *res, size_t parent_idx,
                               apo_error *err);
/* Mark sample @p s failed with @p msg. */
void assay_fail_sample(assay_sample *s, const char *msg);
/* Values of @p x (n of them) where mask (may be NULL) is set, into @p out; their number. */
size_t assay_masked(const double *x, const uint8_t *mask, size_t n, double *out);
/* Median of v[0..m) (reorders v); NaN when m is 0. */
double assay_median_of(double *v, size_t m);

/* ---- the analysis's steps share these (apoptosis.c) ---- */
/* Run fn(job, i) for i in [0, n) on the caller's threads when it gave some (opt->parallel),
 * else in order: the samples, or (when not @p samples) n other independent items. */
void assay_for_each_item(const assay_options *opt, const char *what, size_t n, bool samples,
                         void (*fn)(void *, size_t), void *job);
/* Events in the estimation subsample of @p in (at most max_events, every step-th). */
size_t assay_sampled_size(const assay_input *in, uint64_t max_events);
/* Every step-th value of @p x among those where mask (may be NULL) is set, into @p out; their
 * number. */
size_t assay_masked_step(const double *x, const uint8_t *mask, size_t n, size_t step,
                         double *out);
/* The values dim_values[0][e] into @p va and dim_values[1][e] into @p vp of the members
 * (m[e] != 0) among the n events, in event order, the first @p want of them; their number. */
size_t assay_gather_members(const uint8_t *m, size_t n, const double *const *dim_values,
                            size_t want, double *va, double *vp);
/* The first sample that is still ok and has @p role, -1 when none. */
int assay_first_ok(const assay_input *in, const assay_sample_state *c, size_t n, assay_role role);
/* Gate the loaded subsample and set l->parent to the membership of @p parent_idx. */
apo_status assay_parent_mask(const gate_strategy *s, assay_loaded *l, size_t parent_idx,
                             gate_result *res, apo_error *err);
/* APO_OK while some sample can still be analysed, else the first failed sample's reason. */
apo_status assay_some_sample_left(const assay_input *in, const assay_sample_state *c, size_t n,
                                  const assay_result *out, apo_error *err);
/* Whether @p p is a scatter or time channel (apoptosis_channels.c: every spelling the channel
 * finder knows). */
bool assay_channel_is_scatter_or_time(const fcs_param *p);
/* A stain channel taken from its detector name alone (assay_channels.annexin_by_detector,
 * pi_by_detector) checked against the first unstained and that stain's single-stain control,
 * on their singlets (gate @p parent_idx of @p s): a warning into @p out when the control
 * shows its stain in another channel and not in this one (stain_check.c). */
void assay_check_stain_channels(const assay_input *in, const assay_sample_state *c, size_t n,
                                size_t ref, const gate_strategy *s, size_t parent_idx,
                                uint64_t max_events, assay_result *out);
/* Set a threshold's value, method, percentile and source. */
void assay_set_threshold(assay_threshold *t, double v, assay_threshold_method method,
                         double percentile, const char *src);

/* ---- step 2, the automatic pre-gates (apoptosis_pregates.c) ---- */
/* Estimate each ok sample's debris gate and singlet band (samples whose subsample cannot be
 * read are failed), add the experiment's Cells and Singlets gates (medians over the samples)
 * to @p s, describe them in out->pregate_detail and flag the debris outliers. *parent_id is the
 * last pre-gate added ("Cells", "Singlets"), NULL when none. @p ref: the first sample with
 * both channels. */
apo_status assay_pregates(const assay_input *in, assay_sample_state *c, size_t n, size_t ref,
                          const assay_options *opt, gate_strategy *s, assay_result *out,
                          const char **parent_id, apo_error *err);

/* ---- step 4, the scales and the lines (apoptosis_scales.c) ---- */
/* The two logicle scales (out->annexin_scale, pi_scale) and thresholds (out->annexin, pi)
 * from the compensated singlets (population @p parent_idx of @p s) of the ok samples. */
apo_status assay_scales_and_thresholds(const assay_input *in, assay_sample_state *c, size_t n,
                                       const gate_strategy *s, size_t parent_idx,
                                       const assay_options *opt, assay_result *out,
                                       apo_error *err);
/* QC flags of the stained samples whose marker's line lies in a population of the pooled
 * stained samples, or shows no separation at all. */
void assay_flag_lines(const assay_input *in, const assay_sample_state *c, size_t n,
                      assay_result *out);

#endif /* APOFLOW_GATING_APOPTOSIS_INTERNAL_H */
