/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate.h: the public interface of the gating module: spillover compensation, scale
 * transforms, gates and gating strategies (Gating-ML 2.0), population statistics and the
 * Annexin V / PI apoptosis analysis. Depends on fcs/ only. Nothing here prints.
 */
#ifndef APOFLOW_GATING_GATE_H
#define APOFLOW_GATING_GATE_H

#include "fcs/fcs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Transforms                                                                                 */
/* ------------------------------------------------------------------------------------------ */

typedef enum gate_transform_kind {
    GATE_TRANSFORM_LINEAR = 0, /* identity (raw value) */
    GATE_TRANSFORM_FLIN,       /* Gating-ML flin(T, A) = (x + A) / (T + A) */
    GATE_TRANSFORM_FLOG,       /* Gating-ML flog(T, M) = 1/M * log10(x/T) + 1 */
    GATE_TRANSFORM_FASINH,     /* Gating-ML fasinh(T, M, A) */
    GATE_TRANSFORM_LOGICLE,    /* Gating-ML logicle(T, W, M, A) (Parks/Moore) */
    GATE_TRANSFORM_HYPERLOG,   /* Gating-ML hyperlog(T, W, M, A) */
    GATE_TRANSFORM_ASINH,      /* arcsinh(x / cofactor) (cytometry's common form) */
    GATE_TRANSFORM_LOG10       /* log10(x) (x <= 0 -> NaN) */
} gate_transform_kind;

/*
 * A scale transform. Set up with one of the gate_transform_init_* functions; after that it
 * is read-only and may be shared between threads. Logicle/hyperlog precompute their
 * coefficients at init.
 */
typedef struct gate_transform {
    gate_transform_kind kind;
    double T, W, M, A; /* Gating-ML parameters (as applicable) */
    double cofactor;   /* ASINH */
    bool has_bounds;   /* Gating-ML boundMin/boundMax set (gate_transform_set_bounds): */
    double bound_min;  /* forward results are then clamped to [bound_min, bound_max]; */
    double bound_max;  /* a zeroed struct has no bounds (and kind LINEAR = identity) */
    double coef[32];   /* precomputed coefficients, private to gating/ (transform, logicle,
                          hyperlog) */
} gate_transform;

/** Identity. */
void gate_transform_init_linear(gate_transform *out);
/** arcsinh(x / cofactor); cofactor > 0 (typically 150 for fluorescence). */
APO_NODISCARD apo_status gate_transform_init_asinh(gate_transform *out, double cofactor,
                                                   apo_error *err);
/** Logicle with Gating-ML parameters: T top of scale, W linearization width in decades,
 *  M decades, A additional negative decades. Rejects invalid combinations (W > M/2 ...). */
APO_NODISCARD apo_status gate_transform_init_logicle(gate_transform *out, double T, double W,
                                                     double M, double A, apo_error *err);
/** Forward transform of one value (x in data units -> display/gating scale). */
double gate_transform_apply(const gate_transform *t, double x);
/** Inverse transform (scale -> data units). */
double gate_transform_inverse(const gate_transform *t, double y);
/** Forward transform of @p n values from @p in to @p out (may alias). */
void gate_transform_apply_array(const gate_transform *t, const double *in, double *out, size_t n);

/* ---- transforms: further kinds (flin, flog, fasinh, hyperlog, log10), estimateLogicle ---- */
/*
 * Output ranges: every Gating-ML kind maps x = T to y = 1 (logicle/hyperlog/fasinh/flog/flin
 * are on the [0,1]-ish Gating-ML scale, NOT flowCore's 0..M logicleTransform scale). Logicle and
 * hyperlog map x = 0 to (W + A)/(M + A) and reflect negatives about that point.
 */

/** Gating-ML flin: y = (x + A) / (T + A). T > 0, T + A != 0. */
APO_NODISCARD apo_status gate_transform_init_flin(gate_transform *out, double T, double A,
                                                  apo_error *err);
/** Gating-ML flog: y = log10(x / T) / M + 1. T > 0, M > 0. x = 0 gives -inf, x < 0 NaN. */
APO_NODISCARD apo_status gate_transform_init_flog(gate_transform *out, double T, double M,
                                                  apo_error *err);
/** Gating-ML fasinh: y = (asinh(x sinh(M ln10) / T) + A ln10) / ((M + A) ln10).
 *  T > 0, M > 0, A >= 0. */
APO_NODISCARD apo_status gate_transform_init_fasinh(gate_transform *out, double T, double M,
                                                    double A, apo_error *err);
/** Gating-ML hyperlog(T, W, M, A): T > 0, M > 0, 0 < W <= M/2, -W <= A <= M - 2W. */
APO_NODISCARD apo_status gate_transform_init_hyperlog(gate_transform *out, double T, double W,
                                                      double M, double A, apo_error *err);
/** Plain log10(x); x <= 0 gives NaN. */
void gate_transform_init_log10(gate_transform *out);
/** Gating-ML boundMin/boundMax: clamp forward results to [lo, hi] (use -INFINITY/INFINITY
 *  for an open side). NaN results stay NaN. APO_E_USAGE if lo > hi or either is NaN. */
APO_NODISCARD apo_status gate_transform_set_bounds(gate_transform *t, double lo, double hi,
                                                   apo_error *err);
/** Short name of a kind ("logicle", "fasinh", ...). */
const char *gate_transform_kind_name(gate_transform_kind kind);

/** Gating-ML fratio (two dimensions): y = A (x1 - B) / (x2 - C). x2 == C gives +-inf/NaN. */
double gate_fratio(double A, double B, double C, double x1, double x2);
/** Inverse of fratio for a known x2: x1 = y (x2 - C) / A + B. */
double gate_fratio_inverse(double A, double B, double C, double y, double x2);

/**
 * flowCore estimateLogicle's W for one channel: r = the type-7 5th percentile of the negative
 * values of @p x (NaNs ignored), w = (M - log10(T / |r|)) / 2; w = 0 when there are no
 * negatives. T is the channel's top of scale (PnR for flowCore's type="instrument", or the
 * data maximum for type="data", with M = log10(T) + 1). APO_E_NUMERIC ("w is negative") when
 * w < 0 (increase M), APO_E_USAGE for bad T/M, APO_E_NOMEM.
 */
APO_NODISCARD apo_status gate_logicle_estimate_w(const double *x, size_t n, double T, double M,
                                                 double *w_out, apo_error *err);
/*
 * FlowJo's "biex" display transform, which FlowJo defines by a lookup table rather than a
 * formula (gating.md 3.4): channels + 1 table points from a discretised logicle-like curve
 * (TreeStar's algorithm as ported by cytolib/FlowKit), linear interpolation in between.
 * Scale values here are channel / channels, i.e. 0..1 (multiply by channels for FlowJo's
 * channel units); values outside the table clamp to its ends. FlowJo defaults: channels
 * 4096, positive decades 4.41854, negative 0, width basis -10, top 262144.000029.
 */
typedef struct gate_biex_lut {
    size_t channels;
    double *data; /* channels + 1 data values, increasing; data[i] is channel i */
} gate_biex_lut;

/** Build the table. width_basis < 0, positive > 0, negative >= 0, top > 0, channels >= 2. */
APO_NODISCARD apo_status gate_biex_lut_new(gate_biex_lut **out, double positive, double negative,
                                           double width_basis, double top, size_t channels,
                                           apo_error *err);
void gate_biex_lut_free(gate_biex_lut *lut);
/** Data value -> scale (0..1). NaN stays NaN. */
double gate_biex_lut_apply(const gate_biex_lut *lut, double x);
/** Scale (0..1) -> data value. */
double gate_biex_lut_inverse(const gate_biex_lut *lut, double y);

/** estimateLogicle: gate_logicle_estimate_w then gate_transform_init_logicle(T, w, M, A = 0). */
APO_NODISCARD apo_status gate_transform_init_logicle_estimate(gate_transform *out,
                                                              const double *x, size_t n,
                                                              double T, double M, apo_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Compensation (compensate.c, spill_csv.c, comp_compute.c)                                   */
/* ------------------------------------------------------------------------------------------ */

/*
 * A spillover matrix S (n x n, row i = fluorochrome/control i, column j = detector j,
 * S[i][i] = 1) with its detector names, its inverse and its conditioning.
 * Compensated t = o S^-1 for the row vector o of raw detector values (gating.md 2.1);
 * only the named channels change, scatter/time and unlisted channels stay untouched.
 * After gate_comp_bind*, param_index maps detector j to a column of the events.
 * All fields are read-only for callers; create with a gate_comp_* constructor,
 * release with gate_comp_free.
 */
typedef struct gate_comp {
    size_t n;
    char **detectors;     /* n detector names (column order; $PnN) */
    char **fluorochromes; /* n row names (as given, or copies of the detector names) */
    double *spill;        /* n*n row-major S */
    double *inverse;      /* n*n row-major S^-1 (GSL LU inverse) */
    size_t *param_index;  /* n event columns, valid after a bind (SIZE_MAX = unbound) */
    double rcond;         /* 1 / (||S||_1 ||S^-1||_1), the 1-norm reciprocal condition number */
    double cond2;         /* s_max / s_min from the SVD */
    double max_offdiag;   /* largest |S[i][j]|, i != j */
    bool ill_conditioned; /* cond2 > GATE_COMP_COND_WARN or max_offdiag > 1: warn the user */
    char source[64];      /* "$SPILLOVER", "csv", "controls", ... */
} gate_comp;

#define GATE_COMP_COND_WARN 100.0    /* cond2 above this: ill_conditioned */
#define GATE_COMP_RCOND_SINGULAR 1e-12 /* rcond below this: refused as singular */

/**
 * Make a gate_comp from an n x n row-major spillover matrix and n detector names
 * (@p fluorochromes may be NULL). Refuses non-finite values and singular matrices
 * (APO_E_NUMERIC "matrix is singular", also when rcond < GATE_COMP_RCOND_SINGULAR);
 * APO_E_USAGE for n == 0, duplicate or empty names.
 */
APO_NODISCARD apo_status gate_comp_new(gate_comp **out, size_t n, const char *const *detectors,
                                       const char *const *fluorochromes, const double *spill,
                                       apo_error *err);
/** From the file's keyword (fcs_dataset_spillover); bound to the file's channels already. */
APO_NODISCARD apo_status gate_comp_from_fcs(gate_comp **out, const fcs_spillover *sp,
                                            apo_error *err);
/**
 * Read a CSV/TSV matrix as FlowJo/FlowKit export it: a header of detector names (optionally
 * starting with '#'; tab or comma separated; R write.table style space-separated "quoted"
 * tokens also accepted), then n rows of n numbers, each optionally preceded by a row name
 * (rows are then reordered to the header's order when the row names match the header).
 */
APO_NODISCARD apo_status gate_comp_read_csv(gate_comp **out, const char *path, apo_error *err);
/** As gate_comp_read_csv from a buffer; @p name is used in messages. */
APO_NODISCARD apo_status gate_comp_parse_csv(gate_comp **out, const char *buf, size_t len,
                                             const char *name, apo_error *err);
/** Write the matrix as CSV (header row of detector names, n rows, round-trip precision),
 *  atomically (temporary file in the same folder, then rename). */
APO_NODISCARD apo_status gate_comp_write_csv(const gate_comp *c, const char *path,
                                             apo_error *err);
/** As gate_comp_write_csv to an open stream (not atomic; for standard output). */
APO_NODISCARD apo_status gate_comp_write_csv_stream(const gate_comp *c, FILE *fp,
                                                    apo_error *err);
/** Release @p c. NULL is a no-op. */
void gate_comp_free(gate_comp *c);

/**
 * Map every detector to a channel among @p n_names names (exact match first, then ASCII
 * case-insensitive, then without a FlowJo "Comp-" prefix on either side).
 * APO_E_USAGE naming the detector when one is missing or two detectors share a channel.
 */
APO_NODISCARD apo_status gate_comp_bind_names(gate_comp *c, size_t n_names,
                                              const char *const *names, apo_error *err);
/** gate_comp_bind_names with the data set's $PnN names (then $PnS as a fallback). */
APO_NODISCARD apo_status gate_comp_bind(gate_comp *c, const fcs_dataset *ds, apo_error *err);

/**
 * Compensate @p ev in place: for every event, the bound columns o become o S^-1 (other
 * columns untouched). Block-wise; uses 2 threads for large data (@p threads: 0 = automatic,
 * 1 = single-threaded). APO_E_USAGE if @p c is not bound or an index is out of range.
 */
APO_NODISCARD apo_status gate_comp_apply(const gate_comp *c, fcs_events *ev, unsigned threads,
                                         apo_error *err);
/** One event: @p out (n values, detector order) = @p raw S^-1. May alias. */
void gate_comp_apply_vector(const gate_comp *c, const double *raw, double *out);

/*
 * Computing S from single-stain controls (flowStats spillover(), median method; gating.md
 * 2.4): S[i][j] = max(stat(P_i, j) - stat(U, j), 0) / max(stat(P_i, i) - stat(U, i), 0),
 * where U is the universal unstained negative and P_i the positive population of control i.
 */
typedef enum gate_comp_population {
    /* Every event of the control (flowStats spillover(useNormFilt = FALSE)): reproduces
     * flowCore's compref1 exactly. Right for beads/controls that are (almost) all positive. */
    GATE_COMP_POP_ALL = 0,
    /* Events whose primary-detector value is above the unstained control's
     * positive_quantile quantile in that detector (default 0.995): the positive population
     * of a cell control that also holds unstained cells (e.g. AnnV-only). */
    GATE_COMP_POP_POSITIVE
} gate_comp_population;

typedef struct gate_comp_compute_options {
    gate_comp_population population;
    double positive_quantile; /* GATE_COMP_POP_POSITIVE threshold quantile of the unstained */
    size_t min_events;        /* fewer positive events than this: error (default 20) */
    uint64_t sample_events;   /* gate_comp_compute_files: at most this many events per control
                                 file (every step-th event above it; 0 = every event) */
} gate_comp_compute_options;

#define GATE_COMP_COMPUTE_OPTIONS_INIT                                                         \
    {GATE_COMP_POP_POSITIVE, 0.995, 20, GATE_SAMPLE_EVENTS_DEFAULT}

/* One control sample: its events and, per detector, the column holding it. */
typedef struct gate_comp_sample {
    const fcs_events *events;
    const size_t *columns; /* n_detectors column indices into events */
    const char *name;      /* used in messages (file name) */
} gate_comp_sample;

/**
 * Compute S from @p controls[i] (the single-stain control whose dye's primary detector is
 * detector i) and the unstained control. Per-detector medians over the chosen population.
 * Rows with a primary signal not above the unstained (diagonal <= 0) are an APO_E_NUMERIC
 * error naming the control. Matrix entries that would be negative are clipped to 0
 * (flowStats). @p used_events (may be NULL) receives the n population sizes.
 */
APO_NODISCARD apo_status gate_comp_compute(gate_comp **out, size_t n,
                                           const char *const *detectors,
                                           const gate_comp_sample *unstained,
                                           const gate_comp_sample *controls,
                                           const gate_comp_compute_options *opts,
                                           size_t *used_events, apo_error *err);

/*
 * A controls sheet: CSV mapping each control file to the channel (detector) its dye is
 * primarily seen in, one row "unstained" (any case) for the unstained control. Accepted
 * layouts: flowStats' comp_match ("filename,channel") and CytoExploreR's
 * Compensation-Channels.csv ("name","channel"); quotes optional, comma or tab separated.
 */
typedef struct gate_comp_sheet_entry {
    char *file;    /* as written in the sheet (a file name, matched on its base name) */
    char *channel; /* detector name; NULL for the unstained control */
} gate_comp_sheet_entry;

typedef struct gate_comp_sheet {
    size_t n;
    gate_comp_sheet_entry *entries;
} gate_comp_sheet;

/** Parse a controls sheet (APO_E_FORMAT with the line for bad rows, APO_E_IO). */
APO_NODISCARD apo_status gate_comp_sheet_read(gate_comp_sheet *out, const char *path,
                                              apo_error *err);
APO_NODISCARD apo_status gate_comp_sheet_parse(gate_comp_sheet *out, const char *buf,
                                               size_t len, const char *name, apo_error *err);
/** Free the entries of @p s and zero it. NULL is a no-op. */
void gate_comp_sheet_free(gate_comp_sheet *s);

/* What gate_comp_compute_files used (all owned; free with gate_comp_report_free). */
typedef struct gate_comp_report {
    size_t n;              /* detectors in the matrix (= rows of the result) */
    char **control_file;   /* per detector: the control file used */
    size_t *used_events;   /* per detector: events in the control's population */
    size_t unstained_events;
    size_t n_skipped;      /* sheet rows whose file was not among the given files */
    char **skipped;        /* their file names */
} gate_comp_report;

void gate_comp_report_free(gate_comp_report *r);

/**
 * Read the control files @p paths (first data set of each; scale values with $PnG applied,
 * as gates see them; per file at most opts->sample_events events, the subsample of
 * fcs_dataset_read_sampled, so every event of a file within that limit; only the detector
 * columns are kept), match each to the sheet by base name, and compute S with
 * gate_comp_compute. Detectors are ordered as the unstained file's channels. Sheet rows whose
 * file is not in @p paths are skipped (listed in @p report); a path not in the sheet, a
 * missing unstained row, a channel missing from a file, or two controls for one channel are
 * APO_E_USAGE errors naming the file/channel. @p report may be NULL.
 */
APO_NODISCARD apo_status gate_comp_compute_files(gate_comp **out, size_t n_paths,
                                                 const char *const *paths,
                                                 const gate_comp_sheet *sheet,
                                                 const gate_comp_compute_options *opts,
                                                 const fcs_read_options *read_opts,
                                                 gate_comp_report *report, apo_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Statistics (stats.c)                                                                       */
/* ------------------------------------------------------------------------------------------ */

/*
 * Per-channel statistics of a subset of events (gating.md 6.1), computed exactly on scale
 * values (FlowJo bins first, so expect small differences from FlowJo).
 * - NaN/inf values are left out of every statistic (count still counts them; n_used not).
 * - sd is the sample SD (n - 1); cv = 100 sd / mean (%).
 * - Percentiles are R type 7 (h = (n - 1) p, linear interpolation; =
 *   gsl_stats_quantile_from_sorted_data); median = P50.
 * - geo_mean = exp(mean(ln x)) over the values > 0 ONLY; values <= 0 (normal for compensated
 *   data) are left out and counted in n_nonpositive so the caller can report them; NaN when
 *   no value is > 0.
 * - rsd / rcv are FlowJo's robust SD and CV: rsd = (P84.13 - P15.87) / 2, rcv = 100 rsd / median.
 * - mad is the raw median absolute deviation; bd_rsd = 1.4826 mad, bd_rcv = 100 bd_rsd / median
 *   (BD's robust SD/CV).
 * Undefined results (n_used < 2 for sd, division by 0) are NaN.
 */
typedef struct gate_stats {
    size_t count;         /* events in the subset */
    size_t n_used;        /* finite values used */
    size_t n_nonpositive; /* finite values <= 0 (left out of geo_mean) */
    double mean, sd, cv;
    double median, geo_mean;
    double min, max, p25, p75;
    double rsd, rcv;         /* FlowJo robust SD / CV (%) */
    double mad, bd_rsd, bd_rcv; /* raw MAD; BD robust SD and CV (%) */
} gate_stats;

/**
 * Statistics of @p x[0..n) restricted to the events with @p mask[e] != 0 (@p mask NULL = all).
 * APO_E_NOMEM only.
 */
APO_NODISCARD apo_status gate_stats_compute(const double *x, size_t n, const uint8_t *mask,
                                            gate_stats *out, apo_error *err);
/** As gate_stats_compute over the events listed in @p idx (indices < n, else APO_E_USAGE). */
APO_NODISCARD apo_status gate_stats_compute_idx(const double *x, size_t n, const size_t *idx,
                                                size_t n_idx, gate_stats *out, apo_error *err);
/** gate_stats_compute for every channel of @p ev; @p out has ev->n_params entries. */
APO_NODISCARD apo_status gate_stats_events(const fcs_events *ev, const uint8_t *mask,
                                           gate_stats *out, apo_error *err);
/**
 * Type-7 percentiles: out[k] = quantile p[k] (0 <= p[k] <= 1) of the finite values of the
 * subset (@p mask may be NULL). NaN for an empty subset.
 */
APO_NODISCARD apo_status gate_stats_quantiles(const double *x, size_t n, const uint8_t *mask,
                                              const double *p, size_t n_p, double *out,
                                              apo_error *err);

/* Population counts and frequencies (FlowJo "Freq. of Parent/Total"). */
typedef struct gate_counts {
    size_t count;       /* events in the gate */
    size_t parent;      /* events in the parent (n_events when there is no parent) */
    size_t total;       /* all events */
    double pct_parent;  /* 100 count / parent, NaN when parent == 0 */
    double pct_total;   /* 100 count / total, NaN when total == 0 */
} gate_counts;

/** Counts of @p member (n_events entries, nonzero = in) and @p parent (NULL = all events). */
void gate_counts_compute(const uint8_t *member, const uint8_t *parent, size_t n_events,
                         gate_counts *out);
/** Number of nonzero entries of @p mask. */
size_t gate_mask_count(const uint8_t *mask, size_t n);
/** 100 part / whole, NaN when whole == 0. */
double gate_percent(size_t part, size_t whole);

/* ------------------------------------------------------------------------------------------ */
/* Gates, gating strategies, Gating-ML 2.0 (gates.c, strategy.c, gml_read.c, gml_write.c)      */
/* ------------------------------------------------------------------------------------------ */

/*
 * A gate_strategy holds named transforms, spillover matrices and a forest of gates, exactly as
 * a Gating-ML 2.0 document does. Read one with gate_strategy_read_gml or build one in code:
 *
 *     gate_strategy *s = NULL;
 *     gate_strategy_new(&s, err);
 *     gate_transform lg; gate_transform_init_logicle(&lg, 262144, 0.5, 4.5, 0, err);
 *     gate_strategy_add_transform(s, "logicle", &lg, err);
 *     gate_dim fsc_ssc[2] = {{.name = "FSC-A"}, {.name = "SSC-A"}};   // uncompensated, linear
 *     gate_strategy_add_polygon(s, "Cells", NULL, fsc_ssc, 4, xy, err); // xy = x0,y0,x1,y1,...
 *     gate_dim ap[2] = {{.name = "FITC-A", .comp_ref = "FCS", .transform_ref = "logicle"},
 *                       {.name = "PI-A", .comp_ref = "FCS", .transform_ref = "logicle"}};
 *     const char *q[4] = {"Viable", "Early", "Late", "Necrotic"};  // x-y-, x+y-, x+y+, x-y+
 *     gate_strategy_add_quadrants_2d(s, "AnnV_PI", "Cells", ap, 0.42, 0.37, q, err);
 *     gate_strategy_write_gml(s, "strategy.xml", err);
 *
 * Thresholds, bounds and vertices are in the dimension's own space: after compensation and
 * after its transform (so 0.42 above is a logicle-scale value). Ids are unique across gates
 * and quadrants. A gate's parent may be any gate or quadrant id that exists when the strategy
 * is applied (not a QuadrantGate itself). Nothing is evaluated at build time.
 *
 * Membership semantics (FlowKit / Gating-ML 2.0 compliance): rectangles and quadrants are
 * half-open (min <= x < max, an open end is unbounded); polygons use the even-odd rule
 * (PNPOLY crossing test); ellipsoids are (x-mu)' C^-1 (x-mu) <= D^2 with C inverted as given;
 * boolean operands use the referenced gates' final membership; every gate is ANDed with its
 * parent's final membership. NaN values are never inside a bounded interval.
 */

typedef struct gate_strategy gate_strategy; /* opaque */

/* Compensation references of a dimension (besides the id of a spillover matrix). */
#define GATE_COMP_NONE "uncompensated" /* scale values as decoded (the default, also for NULL) */
#define GATE_COMP_FCS "FCS"            /* the file's spillover (uncompensated if it has none) */

/*
 * One dimension of a gate. Strings are borrowed when passed to a builder (copied) and owned
 * by the strategy when returned by a query.
 * - name: a $PnN (or $PnS) of the file, or, with a spillover matrix comp_ref, one of the
 *   matrix's fluorochrome names (Gating-ML semantics). NULL when ratio_ref is set.
 * - comp_ref: NULL / GATE_COMP_NONE, GATE_COMP_FCS, or the id of a spillover matrix.
 * - transform_ref: NULL (linear) or the id of a transform added to the strategy.
 * - ratio_ref: NULL, or the id of an fratio added with gate_strategy_add_ratio (a Gating-ML
 *   new-dimension); the ratio is computed on compensated inputs, then transform_ref applies.
 */
typedef struct gate_dim {
    const char *name;
    const char *comp_ref;
    const char *transform_ref;
    const char *ratio_ref;
} gate_dim;

typedef enum gate_kind {
    GATE_RECTANGLE = 0, /* RectangleGate (a range when it has 1 dimension) */
    GATE_POLYGON,       /* PolygonGate, 2 dimensions */
    GATE_ELLIPSOID,     /* EllipsoidGate, n >= 2 dimensions */
    GATE_QUADRANT_GATE, /* QuadrantGate: holds dividers; not a population itself */
    GATE_QUADRANT,      /* one Quadrant of a QuadrantGate: a population */
    GATE_BOOLEAN        /* BooleanGate */
} gate_kind;

typedef enum gate_bool_op { GATE_BOOL_AND = 0, GATE_BOOL_OR, GATE_BOOL_NOT } gate_bool_op;

/* A divider of a QuadrantGate: the sorted cut values on one dimension. */
typedef struct gate_divider {
    const char *id;
    gate_dim dim;
    size_t n_values;
    const double *values; /* ascending */
} gate_divider;

/*
 * A read-only view of one gate (borrowed from the strategy; valid until it is modified or
 * freed). Fields not used by a kind are 0/NULL.
 */
typedef struct gate_info {
    gate_kind kind;
    const char *id;
    const char *parent_id; /* NULL for a top-level gate; for a quadrant: its gate's parent */
    size_t n_dims;
    const gate_dim *dims;  /* RECTANGLE, POLYGON, ELLIPSOID; QUADRANT: the dividers it uses */
    /* RECTANGLE and QUADRANT: per dimension bounds, -INFINITY / +INFINITY when open. */
    const double *min;
    const double *max;
    /* POLYGON: n_vertices (x, y) pairs, interleaved. */
    size_t n_vertices;
    const double *vertices;
    /* ELLIPSOID: mean (n_dims), covariance (n_dims x n_dims row-major), distance square. */
    const double *mean;
    const double *covariance;
    double distance_square;
    /* QUADRANT_GATE: its dividers. QUADRANT: index of its QuadrantGate (see quadrant_gate). */
    size_t n_dividers;
    const gate_divider *dividers;
    size_t quadrant_gate;
    /* BOOLEAN: operator and operand ids, each possibly used as complement. */
    gate_bool_op op;
    size_t n_operands;
    const char *const *operands;
    const bool *complement;
} gate_info;

/** A new, empty strategy (caller frees with gate_strategy_free). */
APO_NODISCARD apo_status gate_strategy_new(gate_strategy **out, apo_error *err);
/** Free @p s. NULL is a no-op. */
void gate_strategy_free(gate_strategy *s);

/** Register transform @p t (copied, bounds included) under @p id; it may then be a
 *  dimension's transform_ref. */
APO_NODISCARD apo_status gate_strategy_add_transform(gate_strategy *s, const char *id,
                                                     const gate_transform *t, apo_error *err);
/** Register a Gating-ML fratio: y = A (x1 - B) / (x2 - C), x1 and x2 named channels. */
APO_NODISCARD apo_status gate_strategy_add_ratio(gate_strategy *s, const char *id,
                                                 const char *x1, const char *x2, double A,
                                                 double B, double C, apo_error *err);
/**
 * Register a spillover (spectrum) matrix: @p n_fluoro rows named by @p fluorochromes, @p n_det
 * columns named by the detector channels, @p values row-major (row = fluorochrome). Only square
 * matrices are supported. @p inverted: the values are already the inverse (Gating-ML
 * matrix-inverted-already). A dimension with comp_ref @p id names a fluorochrome.
 */
APO_NODISCARD apo_status gate_strategy_add_spillover(gate_strategy *s, const char *id,
                                                     size_t n_fluoro,
                                                     const char *const *fluorochromes,
                                                     size_t n_det, const char *const *detectors,
                                                     const double *values, bool inverted,
                                                     apo_error *err);

/** Rectangle (range) gate; @p min / @p max per dimension, +-INFINITY or NaN for an open end. */
APO_NODISCARD apo_status gate_strategy_add_rectangle(gate_strategy *s, const char *id,
                                                     const char *parent_id, size_t n_dims,
                                                     const gate_dim *dims, const double *min,
                                                     const double *max, apo_error *err);
/** Polygon gate on 2 dimensions, @p n_vertices >= 3 interleaved (x, y) pairs. */
APO_NODISCARD apo_status gate_strategy_add_polygon(gate_strategy *s, const char *id,
                                                   const char *parent_id, const gate_dim *dims,
                                                   size_t n_vertices, const double *xy,
                                                   apo_error *err);
/** Ellipsoid gate: mean (n_dims), covariance (n_dims^2, row-major, used as given). */
APO_NODISCARD apo_status gate_strategy_add_ellipsoid(gate_strategy *s, const char *id,
                                                     const char *parent_id, size_t n_dims,
                                                     const gate_dim *dims, const double *mean,
                                                     const double *covariance,
                                                     double distance_square, apo_error *err);
/** Empty QuadrantGate; add dividers and quadrants next. */
APO_NODISCARD apo_status gate_strategy_add_quadrant_gate(gate_strategy *s, const char *id,
                                                         const char *parent_id, apo_error *err);
/** A divider of QuadrantGate @p gate_id with @p n_values >= 1 cut values (sorted here). */
APO_NODISCARD apo_status gate_strategy_add_divider(gate_strategy *s, const char *gate_id,
                                                   const char *divider_id, const gate_dim *dim,
                                                   size_t n_values, const double *values,
                                                   apo_error *err);
/**
 * A quadrant of QuadrantGate @p gate_id: for each of @p n_positions dividers, the region's
 * band is the interval of the divider's values containing @p locations[k] (lower = largest
 * value <= location, upper = smallest value > location). Dividers not listed are unrestricted.
 */
APO_NODISCARD apo_status gate_strategy_add_quadrant(gate_strategy *s, const char *gate_id,
                                                    const char *quadrant_id, size_t n_positions,
                                                    const char *const *divider_ids,
                                                    const double *locations, apo_error *err);
/**
 * Convenience: a QuadrantGate @p id on dims[0] (x) and dims[1] (y) with one threshold each
 * (dividers "<id>_x", "<id>_y") and four quadrants named @p quadrant_ids in the order
 * x-y-, x+y-, x+y+, x-y+. Events on a threshold go to the "+" side.
 */
APO_NODISCARD apo_status gate_strategy_add_quadrants_2d(gate_strategy *s, const char *id,
                                                        const char *parent_id,
                                                        const gate_dim *dims, double x_threshold,
                                                        double y_threshold,
                                                        const char *const *quadrant_ids,
                                                        apo_error *err);
/** Boolean gate: AND/OR of >= 2 operands or NOT of exactly 1; @p complement may be NULL. */
APO_NODISCARD apo_status gate_strategy_add_boolean(gate_strategy *s, const char *id,
                                                   const char *parent_id, gate_bool_op op,
                                                   size_t n_operands,
                                                   const char *const *operand_ids,
                                                   const bool *complement, apo_error *err);

/** Number of gates, quadrant gates and quadrants, in the order they were added. */
size_t gate_strategy_n_gates(const gate_strategy *s);
/** View of gate @p i (< n_gates). */
void gate_strategy_gate(const gate_strategy *s, size_t i, gate_info *out);
/** Index of the gate or quadrant with id @p id, or SIZE_MAX. */
size_t gate_strategy_find(const gate_strategy *s, const char *id);
/** Index of gate @p i's parent population, or SIZE_MAX for a top-level gate or an unknown id. */
size_t gate_strategy_parent(const gate_strategy *s, size_t i);
/** True for gates that are populations (everything except GATE_QUADRANT_GATE). */
bool gate_strategy_is_population(const gate_strategy *s, size_t i);
/**
 * Check every reference (parents, boolean operands, transforms, ratios, matrices) and that
 * the hierarchy has no cycle. Done by apply and write too.
 * @return APO_OK or APO_E_FORMAT naming the gate and the missing id.
 */
APO_NODISCARD apo_status gate_strategy_validate(const gate_strategy *s, apo_error *err);
/**
 * The population path of gate @p i: the ids from the top level down, joined by '/'
 * (a quadrant's path ends with its own id, under its QuadrantGate's parent). Returns a new
 * string (caller frees) or NULL when out of memory / on a reference cycle.
 */
char *gate_strategy_path(const gate_strategy *s, size_t i);
/** Named transforms / ratios / spillover matrices, for writers and renderers. */
const gate_transform *gate_strategy_transform(const gate_strategy *s, const char *id);

/**
 * Read a Gating-ML 2.0 document. Unknown or malformed Gating-ML content is rejected with
 * APO_E_FORMAT (or APO_E_UNSUPPORTED) whose keyword names the element and its line.
 */
APO_NODISCARD apo_status gate_strategy_read_gml(gate_strategy **out, const char *path,
                                                apo_error *err);
/** As gate_strategy_read_gml, from @p len bytes at @p buf; @p name is used in messages. */
APO_NODISCARD apo_status gate_strategy_read_gml_buffer(gate_strategy **out, const char *buf,
                                                       size_t len, const char *name,
                                                       apo_error *err);
/*
 * Memory policy for large files. Counts and percentages always use every event, streamed
 * through the gates one block of GATE_BLOCK_EVENTS at a time. Statistics that need all values
 * at once (medians, quantiles, density estimates, plots) use every event of a data set with
 * at most GATE_SAMPLE_EVENTS_DEFAULT events (or the user's --sample-events), else the
 * deterministic uniform subsample of every step-th event (fcs_dataset_read_sampled).
 */
#define GATE_BLOCK_EVENTS 65536u
#define GATE_SAMPLE_EVENTS_DEFAULT 1000000u

/** Write @p s as Gating-ML 2.0 at @p path atomically (temporary file + rename). */
APO_NODISCARD apo_status gate_strategy_write_gml(const gate_strategy *s, const char *path,
                                                 apo_error *err);

/*
 * The events of one data set as gates see them: scale values (fcs_events from
 * fcs_dataset_read_events with FCS_VALUES_SCALED and apply_gain), channel names, and the
 * matrix used for comp_ref "FCS" (NULL: none, "FCS" then means uncompensated). The matrix's
 * detector names are matched to channel names (a "Comp-" prefix allowed); its inverse is used.
 * To override the file's matrix (e.g. apoflow gate --comp), set comp to another gate_comp
 * (or NULL for none) after gate_data_init.
 */
typedef struct gate_data {
    size_t n_events;
    size_t n_params;
    const char *const *names;  /* $PnN, n_params */
    const char *const *labels; /* $PnS or NULL entries; the array itself may be NULL */
    const double *values;      /* column-major, values[p * n_events + e] */
    const struct gate_comp *comp;
    struct gate_comp *owned_comp; /* private: the file's matrix made by gate_data_init */
} gate_data;

/** Borrowed view of @p ev from @p ds (names/labels point into @p ds); comp = the file's
 *  spillover matrix (gate_comp_from_fcs) or NULL when it has none. */
APO_NODISCARD apo_status gate_data_init(gate_data *out, const fcs_dataset *ds,
                                        const fcs_events *ev, apo_error *err);
/** Free what gate_data_init allocated (name arrays, owned matrix; not the values). NULL ok. */
void gate_data_free(gate_data *d);

/* Membership of every gate: member[g * n_events + e] is 1 inside, 0 outside. */
typedef struct gate_result {
    size_t n_gates;
    size_t n_events;
    uint8_t *member;  /* final membership (restricted to the parent); a QuadrantGate row
                         holds its parent's membership */
    uint64_t *count;  /* events inside, per gate */
} gate_result;

/**
 * Evaluate every gate of @p s on @p d.
 * @return APO_OK; APO_E_USAGE for a channel / fluorochrome not in the data; APO_E_FORMAT for a
 *         broken reference; APO_E_NUMERIC for a singular matrix.
 */
APO_NODISCARD apo_status gate_strategy_apply(const gate_strategy *s, const gate_data *d,
                                             gate_result *out, apo_error *err);
void gate_result_free(gate_result *r);
static inline const uint8_t *gate_result_membership(const gate_result *r, size_t g)
{
    return r->member + g * r->n_events;
}

/*
 * Values of one dimension for all events, in the space gates use (compensated, ratio, then
 * transformed when @p transformed; untransformed otherwise). @p out holds d->n_events values.
 */
APO_NODISCARD apo_status gate_dim_values(const gate_strategy *s, const gate_data *d,
                                         const gate_dim *dim, bool transformed, double *out,
                                         apo_error *err);

/* One population's statistics. */
typedef struct gate_population {
    size_t gate;         /* index in the strategy */
    char *path;          /* see gate_strategy_path */
    char *parent_path;   /* "" for a top-level population */
    uint64_t count;
    uint64_t parent_count; /* all events for a top-level population */
    double pct_parent;   /* 100 * count / parent_count (NaN when parent_count is 0) */
    double pct_total;    /* 100 * count / n_events */
    double *medians;     /* one per report dimension; NaN when count is 0 */
} gate_population;

/*
 * Population table of one file: every population of the strategy, and the medians of every
 * distinct gating dimension (compensated, untransformed; ratios as ratio values), in the order
 * the dimensions first appear. Dimension names: "<name>" uncompensated, "Comp-<name>" with
 * comp_ref FCS, "<matrix>:<name>" with a named matrix, "<ratio id>" for a ratio.
 */
typedef struct gate_report {
    size_t n_dims;
    char **dim_names;
    gate_dim *dims; /* the dimensions (strings borrowed from the strategy) */
    size_t n_populations;
    gate_population *populations;
} gate_report;

/** Only the report dimensions of @p s (n_dims, dim_names, dims; no populations): the column
 *  set of a report, known without data. Free with gate_report_free. */
APO_NODISCARD apo_status gate_report_dims(const gate_strategy *s, gate_report *out,
                                          apo_error *err);
APO_NODISCARD apo_status gate_report_compute(const gate_strategy *s, const gate_data *d,
                                             const gate_result *r, gate_report *out,
                                             apo_error *err);
void gate_report_free(gate_report *rep);

/*
 * Streaming a data set through a strategy (strategy_stream.c), within the memory policy above:
 * events are decoded one block of GATE_BLOCK_EVENTS at a time, so memory is one block plus
 * the results, whatever the size of the file.
 */
typedef struct gate_stream_options {
    fcs_decode_options decode; /* default FCS_VALUES_SCALED with apply_gain (as gates expect) */
    uint64_t sample_events;    /* medians from at most this many events; 0 = every event */
    bool override_comp;        /* comp_ref "FCS" uses @p comp instead of the file's matrix */
    const gate_comp *comp;     /* with override_comp: the matrix, or NULL for none */
    /* Called for every block in order (NULL = not called): @p block holds its decoded events
     * (values[p * n_events + e], uncompensated), @p r its membership (NULL when streamed
     * without a strategy), @p first the index of its first event in the data set. A non-OK
     * return stops the stream with that status. */
    apo_status (*on_block)(void *ctx, const gate_data *block, const gate_result *r,
                           uint64_t first, apo_error *err);
    void *ctx;
    /* Every event of the data set already decoded (its n_events and n_params must match):
     * blocks are copied from it instead of decoded (decode is then unused). NULL = decode. */
    const fcs_events *events;
} gate_stream_options;

#define GATE_STREAM_OPTIONS_INIT                                                               \
    {{FCS_VALUES_SCALED, true, 0}, GATE_SAMPLE_EVENTS_DEFAULT, false, NULL, NULL, NULL, NULL}

/**
 * Stream every event of @p ds through @p s (may be NULL: only the blocks are delivered):
 * counts[g] (gate_strategy_n_gates entries, may be NULL) receives the exact number of events
 * in gate g over the whole data set (a QuadrantGate's entry: its parent's count).
 * opts->sample_events is not used. @p opts NULL = GATE_STREAM_OPTIONS_INIT.
 */
APO_NODISCARD apo_status gate_strategy_apply_stream(const gate_strategy *s,
                                                    const fcs_dataset *ds,
                                                    const gate_stream_options *opts,
                                                    uint64_t *counts, apo_error *err);
/**
 * The population table of @p ds (as gate_report_compute) within the memory policy: count,
 * parent_count, pct_parent and pct_total exact over every event (streamed by blocks); the
 * medians over the deterministic subsample of fcs_dataset_read_sampled(opts->sample_events),
 * i.e. over every event (the report is then identical to gate_report_compute's) when the
 * data set has at most that many events. on_block sees every event once, in order.
 * *step_out (may be NULL) receives the subsample step (1 = medians over every event).
 */
APO_NODISCARD apo_status gate_report_stream(const gate_strategy *s, const fcs_dataset *ds,
                                            const gate_stream_options *opts, gate_report *out,
                                            uint64_t *step_out, apo_error *err);

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
typedef enum gate_role {
    GATE_ROLE_UNKNOWN = 0,
    GATE_ROLE_UNSTAINED,      /* "unstained" */
    GATE_ROLE_ANNEXIN_SINGLE, /* "annexin_single": Annexin V-FITC only */
    GATE_ROLE_PI_SINGLE,      /* "pi_single": PI only */
    GATE_ROLE_UNTREATED,      /* "untreated": no stimulus */
    GATE_ROLE_STIMULUS,       /* "stimulus": stimulus only (e.g. H2O2) */
    GATE_ROLE_TREATED         /* "treated": stimulus + compound at a dose */
} gate_role;

/** The sheet name of @p r ("unstained", ...; "" for UNKNOWN). */
const char *gate_role_name(gate_role r);
/** Parse a role name (ASCII case-insensitive; '-' and ' ' count as '_'). */
bool gate_role_parse(const char *s, gate_role *out);

/* One row of a sample sheet. Strings are never NULL. */
typedef struct gate_sheet_row {
    char *file;       /* as written (relative paths are relative to the sheet's folder) */
    char *sample;
    gate_role role;
    char *treatment;
    char *dose_text;  /* "" when none */
    double dose;      /* NaN when none */
    char *dose_unit;
    unsigned replicate; /* 0 when empty */
    char **extra;     /* values of the extra columns (gate_sheet.extra_names) */
    size_t line;      /* 1-based line in the CSV */
} gate_sheet_row;

typedef struct gate_sheet {
    size_t n_rows;
    gate_sheet_row *rows;
    size_t n_extra;
    char **extra_names;
    char *dir;        /* folder of the sheet file ("." when none) */
} gate_sheet;

/** Read a sample sheet CSV (RFC 4180 quoting; header row with at least "file"). */
APO_NODISCARD apo_status gate_sheet_read(gate_sheet *out, const char *path, apo_error *err);
/** Parse a sample sheet held in memory; @p name is used in messages. */
APO_NODISCARD apo_status gate_sheet_parse(gate_sheet *out, const char *text, size_t len,
                                          const char *name, apo_error *err);
void gate_sheet_free(gate_sheet *s);
/** The row whose file matches @p path (the same path after resolving the row's file against
 *  the sheet's folder, "./" and "//" ignored), or NULL. */
const gate_sheet_row *gate_sheet_find(const gate_sheet *s, const char *path);

/* A guessed sheet row for one file, from its keywords (apoflow sheet). */
typedef struct gate_sheet_guess {
    char sample[128];
    gate_role role;
    char treatment[64];
    char dose[32];
    char dose_unit[16];
    unsigned replicate;
    char evidence[160]; /* which keyword/word the role guess came from */
} gate_sheet_guess;

/** Guess the sample name (the file stem), role, treatment, dose and replicate of @p ds from
 *  TUBE NAME, SAMPLE ID, $FIL and @p file. */
void gate_sheet_guess_row(const fcs_dataset *ds, const char *file, gate_sheet_guess *out);
/** Write a draft sheet CSV (the standard columns + guess_evidence) atomically. */
APO_NODISCARD apo_status gate_sheet_write_draft(const char *path, size_t n,
                                                const char *const *files,
                                                const gate_sheet_guess *guesses,
                                                apo_error *err);

/* The channels of one data set the analysis uses (SIZE_MAX = absent). */
typedef struct gate_apo_channels {
    size_t fsc_a, fsc_h, fsc_w, ssc_a, ssc_h, annexin, pi, time;
    char annexin_why[96]; /* how the Annexin V channel was chosen */
    char pi_why[96];
} gate_apo_channels;

/**
 * Find the scatter, time, Annexin V and PI channels of @p ds. @p annexin / @p pi (NULL = auto)
 * force a channel by $PnN or $PnS. Automatic choice: a $PnS/$PnN saying Annexin/AnnV, else
 * FITC / FL1 / BL1 / B530 / Alexa Fluor 488; PI: a $PnS/$PnN saying PI / propidium, else
 * PE-Texas Red / ECD / PI / PE / PerCP / PC5.5 / FL3 / FL2 / BL2 / BL3 / YL1 (in that order).
 * @return APO_OK; APO_E_USAGE when a channel cannot be found (message says which).
 */
APO_NODISCARD apo_status gate_apo_find_channels(const fcs_dataset *ds, const char *annexin,
                                                const char *pi, gate_apo_channels *out,
                                                apo_error *err);

/* One input sample. Everything is borrowed. */
typedef struct gate_apo_input {
    const char *sample;
    const char *file;
    gate_role role;
    const char *treatment;
    const char *dose_text;
    double dose;          /* NaN when none */
    const char *dose_unit;
    unsigned replicate;
    const fcs_dataset *ds;
    const fcs_events *ev; /* FCS_VALUES_SCALED + apply_gain; NULL: decoded from ds as needed,
                             block by block (never the whole file at once) */
} gate_apo_input;

typedef enum gate_comp_source {
    GATE_COMPSRC_AUTO = 0, /* controls when the sheet has both single stains, else file, else none */
    GATE_COMPSRC_CONTROLS,
    GATE_COMPSRC_FILE,
    GATE_COMPSRC_MATRIX,   /* options.matrix (e.g. --comp MATRIX.csv) */
    GATE_COMPSRC_NONE
} gate_comp_source;

typedef struct gate_apo_options {
    const char *annexin_channel; /* NULL = automatic */
    const char *pi_channel;
    gate_comp_source comp;
    const gate_comp *matrix; /* GATE_COMPSRC_MATRIX: its AnnV/PI rows and columns are used */
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
} gate_apo_options;

/** Defaults: automatic everything, quantile 0.995, min_events 500, sample_events
 *  GATE_SAMPLE_EVENTS_DEFAULT. */
void gate_apo_options_init(gate_apo_options *o);

/* Quadrants, in this order everywhere. */
enum { GATE_Q_VIABLE = 0, GATE_Q_EARLY, GATE_Q_LATE, GATE_Q_NECROTIC, GATE_Q_COUNT };
/** "viable", "early_apoptotic", "late_apoptotic", "necrotic". */
const char *gate_quadrant_name(int q);

/* QC flag bits (samples.csv qc_flags, ';'-joined names). */
enum {
    GATE_QC_LOW_EVENTS = 1u << 0,        /* fewer singlets than min_events */
    GATE_QC_CONTROL_IMPLAUSIBLE = 1u << 1, /* a control's positive fraction is implausible */
    GATE_QC_THRESHOLD_OUTLIER = 1u << 2, /* the sample's own valley is far from the threshold */
    GATE_QC_FLOW_INSTABILITY = 1u << 3,  /* abrupt event-rate change over Time (clog) */
    GATE_QC_NO_SINGLET_GATE = 1u << 4,   /* no FSC-A/FSC-H pair: doublets not excluded */
    GATE_QC_NO_TIME = 1u << 5,           /* no Time channel: flow not checked */
    GATE_QC_FAILED = 1u << 6             /* the sample could not be analysed */
};
/** Write the ';'-joined names of @p flags into @p buf ("" for none). */
void gate_qc_flags_format(unsigned flags, char *buf, size_t cap);

typedef struct gate_apo_sample {
    uint64_t events, cells, singlets;
    uint64_t count[GATE_Q_COUNT];
    double pct[GATE_Q_COUNT];           /* % of singlets */
    double apoptotic_pct;               /* early + late */
    double median_annexin[GATE_Q_COUNT]; /* compensated data units, NaN when empty */
    double median_pi[GATE_Q_COUNT];
    double annexin_valley;              /* the sample's own AnnV valley (data units) or NaN */
    double flow_max_dev;                /* largest |rate/median - 1| over Time bins, or NaN */
    unsigned qc;
    char qc_detail[256];
    char annexin_name[64], pi_name[64]; /* $PnN of the channels used */
    char error[256];                    /* GATE_QC_FAILED: why */
} gate_apo_sample;

typedef struct gate_apo_threshold {
    double value;      /* compensated data units */
    double scaled;     /* on the logicle scale used for gating */
    char method[48];   /* "fixed", "control_quantile", "density_valley", "gating_file" */
    char source[128];  /* the sample(s) it came from */
    double realized_pct; /* % of the source's singlets at or above it (NaN if none) */
} gate_apo_threshold;

/* A group comparison (treated group vs the stimulus-only group). */
typedef struct gate_apo_comparison {
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
} gate_apo_comparison;

/* A 4-parameter logistic fit of apoptotic % against dose for one treatment. */
typedef struct gate_dose_fit {
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
} gate_dose_fit;

typedef struct gate_apo_result {
    size_t n_samples;
    gate_apo_sample *samples;       /* same order as the inputs */
    gate_apo_threshold annexin, pi;
    char comp_source[32];           /* "controls", "file", "matrix", "none", "gating_file" */
    char comp_detail[160];
    double spill[4];                /* the 2 x 2 spillover used (identity for none) */
    char annexin_channel[64], pi_channel[64];
    char annexin_why[96], pi_why[96];
    char pregate_detail[256];
    gate_transform annexin_scale, pi_scale; /* the logicle scales */
    gate_strategy *strategy;        /* the gating as applied */
    bool owns_strategy;             /* false when it is options.gating (borrowed) */
    size_t n_comparisons;
    gate_apo_comparison *comparisons;
    size_t n_fits;
    gate_dose_fit *fits;
    size_t n_warnings;
    char **warnings;
} gate_apo_result;

/**
 * Analyse @p n samples. Samples that fail are marked GATE_QC_FAILED with a message and the
 * others are still analysed; the call fails only when nothing can be analysed (no usable
 * channels, no sample) or on allocation failure.
 */
APO_NODISCARD apo_status gate_apo_analyze(const gate_apo_input *in, size_t n,
                                          const gate_apo_options *opt, gate_apo_result *out,
                                          apo_error *err);
void gate_apo_result_free(gate_apo_result *r);

/* Display events of sample @p in for plots: at most @p max_events events (every step-th,
 * 0 = all) in @p ev (free with fcs_events_free), with their singlet and quadrant membership
 * (255 = no quadrant) and compensated AnnV and PI values (ev->n_events each, free()). */
APO_NODISCARD apo_status gate_apo_sample_events(const gate_apo_result *r,
                                                const gate_apo_input *in, uint64_t max_events,
                                                fcs_events *ev, uint8_t **singlet,
                                                uint8_t **quadrant, double **annexin,
                                                double **pi, apo_error *err);

/* Outputs (atomically written; docs/outputs.md). */
APO_NODISCARD apo_status gate_apo_write_samples_csv(const gate_apo_result *r,
                                                    const gate_apo_input *in,
                                                    const gate_sheet *sheet,
                                                    const char *path, apo_error *err);
/**
 * The group comparisons and dose-response fits of @p r from its per-sample results
 * (r->samples, n entries matching @p in): each treated group against the stimulus-only group
 * (and untreated), Welch's t-test with replicates, else the two-proportion test, 4PL fits with
 * >= 4 doses. Fills r->comparisons and r->fits and appends warnings to r->warnings.
 * gate_apo_analyze calls it; apoflow merge calls it on the samples of merged shards.
 */
APO_NODISCARD apo_status gate_apo_compare(const gate_apo_input *in, size_t n, gate_apo_result *r,
                                          apo_error *err);
APO_NODISCARD apo_status gate_apo_write_comparisons_csv(const gate_apo_result *r,
                                                        const char *path, apo_error *err);
APO_NODISCARD apo_status gate_apo_write_stats_csv(const gate_apo_result *r,
                                                  const gate_apo_input *in, const char *path,
                                                  apo_error *err);

/* Statistics used by the comparisons (exposed for tests). */
/** Welch's t-test: t, df and the two-sided p (GSL t distribution). n1, n2 >= 2. */
APO_NODISCARD apo_status gate_welch_t(const double *a, size_t na, const double *b, size_t nb,
                                      double *t, double *df, double *p, apo_error *err);
/** Two-proportion z test (= chi-square 2x2 without continuity correction): x1 of n1 vs
 *  x2 of n2; returns z and the two-sided p. */
APO_NODISCARD apo_status gate_two_proportion(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                                             double *z, double *p, apo_error *err);
/** 4PL fit y = B + (T - B) / (1 + (x/EC50)^h) to points with x > 0 (GSL multifit_nlinear). */
APO_NODISCARD apo_status gate_fit_4pl(const double *x, const double *y, size_t n,
                                      gate_dose_fit *out, apo_error *err);
/** Type-7 quantile of @p n values (copied and sorted; NaNs dropped). NaN when none. */
double gate_apo_quantile(const double *x, size_t n, double q);
/**
 * openCyto-style density valley: Gaussian KDE (bandwidth 2 bw.nrd0) on a 512-point grid; the
 * deepest valley between the two tallest peaks within [lo, hi]. Returns NaN when there is no
 * valley.
 */
double gate_density_valley(const double *x, size_t n, double lo, double hi);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_GATE_H */
